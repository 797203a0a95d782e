#!/usr/bin/env python3
"""Fault injection against a real process group and a real peer (run by scripts/chaos; bounded in time).

One instance calls SIPp (which echoes our RTP back) while a 1 kHz tone is injected into the call; for each
component (sig, rtp-1, audio, orch) and each fault (SIGKILL during an active call, SIGKILL during call setup,
SIGSTOP = a hang) it runs N trials and measures, on the audio that comes back, the longest gap, and whether the
call survived (connected afterwards, ended normally by our BYE). An account stays registered with a SIPp registrar
throughout; each trial checks it still is. Results: one JSON object per line, then a summary.

Only docs/PROTOCOL.md is used to talk to the group (pyzmq), like any other client.
"""
import argparse
import json
import math
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

import zmq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIPC_BIN_DIR", os.path.join(ROOT, ".build", "debug"))


class Group:
    """The instance under test: sipc up/down, requests on ctl.sock, events on events.sock."""

    def __init__(self, run_root, name, sip_port, rtp_ports, extra_env=None):
        self.env = dict(os.environ, XDG_RUNTIME_DIR=run_root, SIPC_BIN_DIR=BIN, **(extra_env or {}))
        self.name = name
        self.run_dir = os.path.join(run_root, "sip-client", name)
        subprocess.run([os.path.join(BIN, "sipc"), "up", "--instance", name, "--sip-listen", f"127.0.0.1:{sip_port}",
                        "--rtp-ports", rtp_ports, "--rtp-workers", "1", "--log-level", os.environ.get("CHAOS_LOG_LEVEL", "warning"),
                        "--set", "supervision.heartbeat_interval_ms=200", "--set", "supervision.heartbeat_liveness=3",
                        # Trials kill the same component every ~2 s: count it stable after 1 s, or the crash-loop
                        # backoff (doubling to 10 s) would be what the later trials measure.
                        "--set", "supervision.stable_after_s=1"],
                       env=self.env, check=True, stdout=subprocess.DEVNULL)
        self.ctx = zmq.Context()
        self.counter = 0
        self.dealer = None
        self.request_lock = threading.Lock()
        self.running = True
        self.lock = threading.Lock()
        self.events = []
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        for p in (b"call.", b"registration.", b"instance.probe", b"component."):
            self.sub.setsockopt(zmq.SUBSCRIBE, p)
        self.sub.connect(f"ipc://{self.run_dir}/events.sock")
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        self.probe()

    def probe(self):
        """Waits until our subscription is live at the current orch (after an orch restart the SUB socket reconnects
        by itself, and what orch publishes before it did is lost: PUB/SUB keeps no backlog)."""
        token = f"chaos-{time.time()}"
        for _ in range(100):
            try:
                self.request("probe_events", {"token": token}, timeout=1.0)
            except (TimeoutError, RuntimeError):
                continue
            if self.wait(lambda e: e["type"] == "instance.probe" and e["data"].get("token") == token, 0.1):
                return True
        return False

    def _pump(self):
        while self.running:
            try:
                if not self.sub.poll(100):
                    continue
                frames = self.sub.recv_multipart()
            except zmq.ZMQError:
                return
            if len(frames) == 2:
                e = json.loads(frames[1])
                e["at"] = time.monotonic()
                with self.lock:
                    self.events.append(e)

    def wait(self, match, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for e in self.events:
                    if match(e):
                        return e
            time.sleep(0.01)
        return None

    def _dealer(self):
        s = self.ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(f"ipc://{self.run_dir}/ctl.sock")
        return s

    def request(self, command, args=None, timeout=5.0):
        """One DEALER for the whole run (it reconnects by itself when a restarted orch binds ctl.sock again); after
        a timeout it is replaced, so a request queued for a dead orch is not answered late."""
        with self.request_lock:
            self.counter += 1
            rid = f"chaos-{self.counter}"
            if self.dealer is None:
                self.dealer = self._dealer()
            s = self.dealer
            s.send(json.dumps({"v": 1, "kind": "request", "id": rid, "command": command, "args": args or {}}).encode())
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if s.poll(int(max(1, (deadline - time.monotonic()) * 1000))):
                    reply = json.loads(s.recv())
                    if reply.get("id") != rid:
                        continue  # a late answer to an earlier request
                    if reply.get("ok"):
                        return reply.get("result")
                    raise RuntimeError(f"{command}: {reply['error']['code']}: {reply['error']['message']}")
            s.close()
            self.dealer = None
            raise TimeoutError(f"{command}: no reply within {timeout} s")

    def request_retrying(self, command, args=None, timeout=8.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.request(command, args, timeout=1.0)
            except (TimeoutError, RuntimeError) as e:
                if time.monotonic() > deadline or ("unavailable" not in str(e) and not isinstance(e, TimeoutError)):
                    raise
                time.sleep(0.05)

    def pid_of(self, name):
        if name == "orch":
            return int(open(os.path.join(self.run_dir, "orch.pid")).read())
        status = self.request_retrying("status")
        for c in status["components"]:
            if c["name"] == name and c.get("pid"):
                return c["pid"]
        return None

    def all_up(self):
        try:
            return self.request("status", timeout=1.0).get("all_up") is True
        except Exception:
            return False

    def down(self):
        subprocess.run([os.path.join(BIN, "sipc"), "down", "--instance", self.name], env=self.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.running = False
        self.pump.join(2)
        self.sub.close()
        if self.dealer is not None:
            self.dealer.close()
        self.ctx.term()


class Tone:
    """Injects a 1 kHz tone into the call (worker inject socket) and meters what comes back (worker taps)."""

    def __init__(self, group, call):
        self.run = True
        self.frames = []  # (monotonic time, voiced)
        ctx = group.ctx
        self.push = ctx.socket(zmq.PUSH)
        self.push.setsockopt(zmq.LINGER, 0)
        self.push.setsockopt(zmq.SNDHWM, 20)
        # Reconnect quickly to a restarted worker (libzmq's default waits 100 ms), as the client library does.
        self.push.setsockopt(zmq.RECONNECT_IVL, 10)
        self.push.connect(f"ipc://{group.run_dir}/{call['worker']}-in.sock")
        self.tap = ctx.socket(zmq.SUB)
        self.tap.setsockopt(zmq.LINGER, 0)
        self.tap.setsockopt(zmq.RECONNECT_IVL, 10)
        self.tap.setsockopt(zmq.SUBSCRIBE, b"PF\x01\x20" + struct.pack("<I", call["streams"]["playback"]))
        self.tap.connect(f"ipc://{group.run_dir}/{call['worker']}-taps.sock")
        self.capture = call["streams"]["capture"]
        self.threads = [threading.Thread(target=self._send, daemon=True), threading.Thread(target=self._meter, daemon=True)]
        for t in self.threads:
            t.start()

    def _send(self):
        n, start = 0, time.monotonic()
        while self.run:
            samples = [int(8000 * math.sin(2 * math.pi * 1000 * (n * 160 + i) / 8000)) for i in range(160)]
            header = struct.pack("<2sBBIIIQIHH", b"PF", 1, 32, self.capture, n & 0xFFFFFFFF, 0, n * 160, 8000, 1, 160)
            try:
                self.push.send(header + struct.pack("<160h", *samples), zmq.NOBLOCK)
            except zmq.Again:
                pass
            n += 1
            time.sleep(max(0, start + n * 0.02 - time.monotonic()))

    def _meter(self):
        while self.run:
            if not self.tap.poll(100):
                continue
            frame = self.tap.recv()
            flags, count = struct.unpack_from("<I", frame, 12)[0], struct.unpack_from("<H", frame, 30)[0]
            voiced = False
            # Flag bit 4: an 8-byte origin stamp follows the samples (docs/PROTOCOL.md §7).
            if not flags & 0b101 and len(frame) == 32 + 2 * count + (8 if flags & 0x10 else 0):
                samples = struct.unpack_from(f"<{count}h", frame, 32)
                voiced = sum(s * s for s in samples) / count > 1000 * 1000
            self.frames.append((time.monotonic(), voiced))

    def voiced_after(self, t):
        return sum(1 for at, v in self.frames if v and at > t)

    def longest_gap(self, after):
        last, longest = None, 0.0
        for at, v in list(self.frames):
            if not v:
                continue
            if last is not None and at > after:
                longest = max(longest, at - last)
            last = at
        return longest

    def stop(self):
        self.run = False
        for t in self.threads:
            t.join(3)  # both loops wake at least every 100 ms; a socket is closed only by its own thread's owner
        self.push.close()
        self.tap.close()


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def drop_trial(group, peer):
    """One call while the components drop a share of their events and replies: it must either fail with an error
    the caller sees, or connect and end on hangup; never stay behind in orch or in sig (a stuck call)."""
    result = {"component": "bus", "fault": "drop", "dropped": False, "gap_ms": None, "registration_lost": False}
    started = time.monotonic()
    try:
        call_id = group.request_retrying("call", {"to": peer}, timeout=15.0)["call"]
    except (RuntimeError, TimeoutError) as e:
        result["failed"] = f"call refused: {e}"
        call_id = None
    def listed():
        return [c for c in group.request_retrying("calls").get("calls", []) if c.get("call_id") == call_id]
    if call_id:
        # orch may learn of the answer late (its event dropped): its audit catches up within a few seconds.
        if wait_until(lambda: any(c.get("state") == "connected" for c in listed()), 10):
            time.sleep(0.5)
            try:
                group.request_retrying("hangup", {"call": call_id}, timeout=15.0)
            except (RuntimeError, TimeoutError) as e:
                # A first attempt whose answer was lost did hang up: the retry then finds no call.
                if "not_found" not in str(e):
                    result["failed"] = f"hangup refused: {e}"
        elif not result.get("failed"):
            result["failed"] = "did not connect within 10 s"
            try:
                group.request_retrying("hangup", {"call": call_id}, timeout=15.0)
            except (RuntimeError, TimeoutError):
                pass
        if not wait_until(lambda: not listed(), 12):
            result["dropped"] = True
            result["why"] = f"stuck in orch: {listed()}"
    # sig must not keep a call orch let go of.
    def sig_calls():
        status = group.request_retrying("status")
        return next((c.get("stats", {}).get("calls", 0) for c in status["components"] if c["name"] == "sig"), 0)
    if not wait_until(lambda: sig_calls() == 0, 12):
        result["dropped"] = True
        result["why"] = result.get("why", "") + f" stuck in sig: {sig_calls()} call(s)"
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def trial(group, peer, component, fault, aor):
    """One call with one fault; returns a result dict."""
    result = {"component": component, "fault": fault, "dropped": False, "gap_ms": None, "registration_lost": False}
    pid = group.pid_of(component)
    started = time.monotonic()
    if fault == "kill-setup":
        call_id = group.request_retrying("call", {"to": peer})["call"]
        time.sleep(random.uniform(0, 0.15))  # somewhere in INVITE / 100 / 180 / 200 / ACK / media start
        os.kill(pid, signal.SIGKILL)
    else:
        call_id = group.request_retrying("call", {"to": peer})["call"]
    def is_connected():
        if group.wait(lambda e: e["type"] == "call.state" and e["data"].get("call") == call_id
                      and e["data"].get("state") == "connected", 0):
            return True
        try:  # a restarted orch does not repeat the events its predecessor published (or missed)
            return any(c["call_id"] == call_id and c["state"] == "connected" for c in group.request("calls", timeout=1.0)["calls"])
        except Exception:
            return False
    connected = wait_until(is_connected, 10)
    if not connected:
        result["dropped"] = True
        result["why"] = "never connected"
        return result
    call = None
    wait_until(lambda: bool(group.all_up()), 10)
    for _ in range(50):
        calls = group.request_retrying("calls")["calls"]
        call = next((c for c in calls if c["call_id"] == call_id), None)
        if call and call.get("worker") and call.get("streams"):
            break
        time.sleep(0.05)
    if not call:
        result["dropped"] = True
        result["why"] = "orch lost the call"
        return result
    tone = Tone(group, call)
    try:
        if not wait_until(lambda: tone.voiced_after(0) >= 25, 5):
            result["dropped"] = True
            result["why"] = "no audio came back"
            return result
        fault_at = time.monotonic()
        if fault == "kill-active":
            os.kill(group.pid_of(component), signal.SIGKILL)
        elif fault == "stop":
            victim = group.pid_of(component)
            os.kill(victim, signal.SIGSTOP)
            # orch declares it hung (3 x 200 ms of silence) and kills it; a stopped orch is the keeper's to notice
            # only once it dies, so orch gets a SIGKILL from us after the same time.
            if component == "orch":
                time.sleep(0.6)
                os.kill(victim, signal.SIGKILL)
            threading.Timer(3.0, lambda: os.kill(victim, signal.SIGCONT) if os.path.exists(f"/proc/{victim}") else None).start()
        wait_until(lambda: group.all_up(), 10)
        if component == "orch":
            group.probe()
        if not wait_until(lambda: tone.voiced_after(fault_at + 0.3) >= 25, 8):
            result["dropped"] = True
            result["why"] = "audio did not come back"
        result["gap_ms"] = round(tone.longest_gap(fault_at - 0.1) * 1000)
    finally:
        tone.stop()
    ended_early = group.wait(lambda e: e["type"] == "call.state" and e["data"].get("call") == call_id
                             and e["data"].get("state") == "terminated", 0)
    if ended_early:
        result["dropped"] = True
        result["why"] = f"ended: {ended_early['data'].get('reason')}"
        return result
    group.request_retrying("hangup", {"call": call_id})
    end = group.wait(lambda e: e["type"] == "call.state" and e["data"].get("call") == call_id
                     and e["data"].get("state") == "terminated", 10)
    if not end or end["data"].get("normal") is False:
        result["dropped"] = True
        still = [c for c in group.request_retrying("calls").get("calls", []) if c.get("call_id") == call_id]
        result["why"] = f"hangup did not end it normally: {end and end['data']}; orch lists it as {still}"
    if aor:
        regs = group.request_retrying("status").get("registrations", [])
        state = next((r.get("state") for r in regs if r.get("aor") == aor), None)
        if state != "registered" and not wait_until(
                lambda: next((r.get("state") for r in group.request_retrying("status").get("registrations", [])
                              if r.get("aor") == aor), None) == "registered", 5):
            result["registration_lost"] = True
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--components", default="sig,rtp-1,audio,orch")
    ap.add_argument("--faults", default="kill-active,kill-setup,stop")
    ap.add_argument("--port", type=int, default=18400)
    ap.add_argument("--budget", type=float, default=1800, help="stop starting trials after this many seconds")
    ap.add_argument("--drop-pct", type=float, default=10, help="share of component events and replies dropped in the bus trials")
    ap.add_argument("--drop-trials", type=int, default=None, help="calls with dropped bus messages (default: --trials)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="chaos-")
    sipp_call = subprocess.Popen(["sipp", "-sf", os.path.join(ROOT, "Tests/Interop/sipp/uas_answer_restart.xml"), "-i", "127.0.0.1",
                                  "-p", str(args.port + 2), "-mp", str(args.port + 20), "-rtp_echo", "-nostdin",
                                  "-timeout", "0"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sipp_reg = subprocess.Popen(["sipp", "-sf", os.path.join(ROOT, "Tests/Interop/sipp/chaos_registrar.xml"), "-i", "127.0.0.1",
                                 "-p", str(args.port + 4), "-nostdin"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    group = None
    results = []
    began = time.monotonic()
    try:
        time.sleep(0.5)
        group = Group(work, "chaos", args.port, f"{args.port + 100}-{args.port + 199}")
        aor = "sip:chaos@127.0.0.1"
        group.request("register", {"aor": aor, "registrar": f"sip:127.0.0.1:{args.port + 4}", "expires": 20}, timeout=15)
        peer = f"sip:echo@127.0.0.1:{args.port + 2}"
        for component in filter(None, args.components.split(",")):
            for fault in args.faults.split(","):
                for n in range(args.trials):
                    if time.monotonic() - began > args.budget:
                        break
                    r = trial(group, peer, component, fault, aor)
                    r["trial"] = n + 1
                    results.append(r)
                    print(json.dumps(r), flush=True)
        # Dropped bus messages: a second group whose components lose a share of their events and replies.
        group.down()
        group = Group(work, "chaosdrop", args.port + 40, f"{args.port + 200}-{args.port + 299}",
                      extra_env={"SIPC_FAULT_DROP_BUS_PCT": str(args.drop_pct)})
        drop_trials = args.trials if args.drop_trials is None else args.drop_trials
        for n in range(drop_trials):
            if time.monotonic() - began > args.budget:
                break
            r = drop_trial(group, peer)
            r["trial"] = n + 1
            results.append(r)
            print(json.dumps(r), flush=True)
    finally:
        if group:
            group.down()
        for p in (sipp_call, sipp_reg):
            p.terminate()
            p.wait(5)
    print(json.dumps({"summary": summarize(results), "seconds": round(time.monotonic() - began)}), flush=True)
    return 0 if all(not r["dropped"] and not r["registration_lost"] for r in results) else 1


def summarize(results):
    rows = {}
    for r in results:
        key = f"{r['component']} {r['fault']}"
        row = rows.setdefault(key, {"trials": 0, "dropped": 0, "registrations_lost": 0, "gaps": []})
        row["trials"] += 1
        row["dropped"] += r["dropped"]
        row["registrations_lost"] += r["registration_lost"]
        if r["gap_ms"] is not None:
            row["gaps"].append(r["gap_ms"])
    for row in rows.values():
        g = sorted(row.pop("gaps"))
        row["gap_ms_median"] = g[len(g) // 2] if g else None
        row["gap_ms_p95"] = g[min(len(g) - 1, int(len(g) * 0.95))] if g else None
        row["gap_ms_max"] = g[-1] if g else None
    return rows


if __name__ == "__main__":
    sys.exit(main())
