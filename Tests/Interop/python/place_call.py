#!/usr/bin/env python3
"""Places a call and ends it through a sip-client instance's orch, using only docs/PROTOCOL.md and pyzmq.

It proves the bus protocol is language-neutral: no Swift code of the project is involved on this side.

    place_call.py RUN_DIR SIP_URI [SECONDS]

Prints one JSON object: the call id, the call.state sequence seen, the codec and the final media figures
(media.stopped). Exit 0 when the call connected and ended normally.
"""
import json
import sys
import time

import zmq

RUN, URI = sys.argv[1], sys.argv[2]
HOLD = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
ctx = zmq.Context()

# §2: requests go to orch's ROUTER ctl.sock from an anonymous DEALER; events come from PUB events.sock.
ctl = ctx.socket(zmq.DEALER)
ctl.setsockopt(zmq.LINGER, 0)
ctl.connect(f"ipc://{RUN}/ctl.sock")
events = ctx.socket(zmq.SUB)
events.setsockopt(zmq.LINGER, 0)
for prefix in (b"call.", b"media.stopped", b"instance.probe"):
    events.setsockopt(zmq.SUBSCRIBE, prefix)
events.connect(f"ipc://{RUN}/events.sock")

counter = 0


def request(command, args=None, timeout=10.0):
    """§3.1: one frame, one JSON object; the reply echoes our id."""
    global counter
    counter += 1
    rid = f"py-{counter}"
    ctl.send(json.dumps({"v": 1, "kind": "request", "id": rid, "command": command, "args": args or {}}).encode())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ctl.poll(100):
            reply = json.loads(ctl.recv())
            if reply.get("kind") == "reply" and reply.get("id") == rid:
                if not reply.get("ok"):
                    raise SystemExit(f"{command} failed: {reply['error']['code']}: {reply['error']['message']}")
                return reply.get("result")
    raise SystemExit(f"{command}: no reply within {timeout} s")


def next_event(timeout):
    """§3.5: two frames, the type then the JSON."""
    if not events.poll(int(timeout * 1000)):
        return None
    frames = events.recv_multipart()
    if len(frames) != 2:
        return None
    event = json.loads(frames[1])
    return event if event.get("type") == frames[0].decode() else None


# PUB/SUB joins asynchronously: ask for probe events until one arrives, then nothing after it is missed.
token = f"py-{time.time()}"
joined = False
for _ in range(50):
    request("probe_events", {"token": token})
    e = next_event(0.1)
    while e is not None and not joined:
        joined = e["type"] == "instance.probe" and e["data"].get("token") == token
        e = None if joined else next_event(0.05)
    if joined:
        break
if not joined:
    raise SystemExit("could not subscribe to events.sock")

call = request("call", {"to": URI})["call"]
states, codec, media, hung_up = [], None, None, False
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    e = next_event(0.2)
    if e is None:
        continue
    data = e["data"]
    if data.get("call") != call:
        continue
    if e["type"] == "call.state":
        states.append(data["state"])
        codec = data.get("codec", codec)
        if data["state"] == "connected" and not hung_up:
            time.sleep(HOLD)  # talk for a moment
            request("hangup", {"call": call})
            hung_up = True
        if data["state"] == "terminated" and media is not None:
            break
    elif e["type"] == "media.stopped":
        media = data
        if "terminated" in states:
            break

print(json.dumps({"call": call, "states": states, "codec": codec,
                  "media": {k: media.get(k) for k in ("packets_sent", "packets_received", "loss_pct", "jitter_ms", "mos")} if media else None}))
ok = "connected" in states and states[-1:] == ["terminated"] and media is not None
ctl.close()
events.close()
ctx.term()
sys.exit(0 if ok else 1)
