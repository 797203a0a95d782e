#!/usr/bin/env python3
"""Helpers of scripts/bench-compare (stdlib, plus numpy/scipy/pesq for the speech part).

    bench_compare.py sniff --port P --out FILE       INVITE -> 200 OK times on loopback, from the wire (AF_PACKET, root)
    bench_compare.py setup-result DIR RATE COUNT RC SUT  one JSON line: SIPp's counts, SIPp's rtt and the wire latency
    bench_compare.py baresip-config DIR --port P ...    a headless baresip 1.0.0 configuration directory
    bench_compare.py tone FILE SECONDS [--ulaw]         a 8 kHz mono test signal (WAV, or raw mu-law for SIPp's rtp_stream)
    bench_compare.py procs --pid N ...                  CPU ticks and VmRSS of processes, one JSON line
    bench_compare.py load-result ...                    one JSON line for a concurrent-call step
    bench_compare.py pesq-call ...                      one call through the impairment relay, scored with PESQ
    bench_compare.py report FILE RUNS CMD               rewrites the "Against baresip (issue 9)" section
"""
from __future__ import annotations

import argparse
import ctypes
import datetime
import glob
import json
import math
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
SECTION = "## Against baresip (issue 9)"


# ---------------------------------------------------------------- (a) wire timing of call setup

def bpf_program(port: int) -> bytes:
    """Classic BPF for an AF_PACKET socket on lo: incoming copies only (lo shows every packet twice), IPv4 UDP
    (no IP options: loopback) to or from `port`, whose payload starts with "INVITE" or "SIP/2.0 200"."""
    LD_W_ABS, LD_H_ABS, LD_B_ABS = 0x20, 0x28, 0x30
    JEQ_K, RET_K = 0x15, 0x06
    pkttype = (-0x1000 + 4) & 0xFFFFFFFF  # SKF_AD_OFF + SKF_AD_PKTTYPE
    ins = [
        (LD_W_ABS, 0, 0, pkttype),
        (JEQ_K, 14, 0, 4),            # PACKET_OUTGOING -> drop
        (LD_H_ABS, 0, 0, 12),
        (JEQ_K, 0, 12, 0x0800),       # not IPv4 -> drop
        (LD_B_ABS, 0, 0, 23),
        (JEQ_K, 0, 10, 17),           # not UDP -> drop
        (LD_H_ABS, 0, 0, 34),
        (JEQ_K, 2, 0, port),          # from port
        (LD_H_ABS, 0, 0, 36),
        (JEQ_K, 0, 6, port),          # to port, else drop
        (LD_B_ABS, 0, 0, 42),
        (JEQ_K, 3, 0, ord("I")),      # INVITE -> accept
        (JEQ_K, 0, 3, ord("S")),      # not a response -> drop
        (LD_H_ABS, 0, 0, 50),
        (JEQ_K, 0, 1, 0x3230),        # "20" of "SIP/2.0 200"
        (RET_K, 0, 0, 0xFFFF),
        (RET_K, 0, 0, 0),
    ]
    return b"".join(struct.pack("HBBI", *i) for i in ins)


def sniff(a):
    """Kernel timestamps (SO_TIMESTAMPNS) of the first INVITE and the first 200 OK to it, per Call-ID; on SIGTERM
    writes one JSON object with the latencies in microseconds."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    prog = bpf_program(a.port)
    buf = ctypes.create_string_buffer(prog)
    fprog = struct.pack("HL", len(prog) // 8, ctypes.addressof(buf))
    s.setsockopt(socket.SOL_SOCKET, 26, fprog)  # SO_ATTACH_FILTER
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.setsockopt(socket.SOL_SOCKET, 35, 1)  # SO_TIMESTAMPNS
    s.bind(("lo", 0))
    s.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    open(a.ready, "w").close() if a.ready else None
    invites, oks = {}, {}
    cid = re.compile(rb"\r\n(?:Call-ID|i)\s*:\s*([^\r\n]+)", re.I)
    cseq = re.compile(rb"\r\nCSeq\s*:\s*\d+\s+INVITE", re.I)
    while not stop:
        try:
            data, anc, _, _ = s.recvmsg(2048, 64)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        t = None
        for level, typ, d in anc:
            if level == socket.SOL_SOCKET and typ == 35:
                sec, nsec = struct.unpack("qq", d[:16])
                t = sec * 1_000_000_000 + nsec
        if t is None:
            t = time.time_ns()
        payload = data[42:]
        m = cid.search(payload)
        if not m:
            continue
        key = m.group(1).strip()
        if payload.startswith(b"INVITE "):
            invites.setdefault(key, t)
        elif payload.startswith(b"SIP/2.0 200") and cseq.search(payload):
            oks.setdefault(key, t)
    lat = sorted((oks[k] - invites[k]) / 1000 for k in oks if k in invites and oks[k] >= invites[k])
    with open(a.out, "w") as f:
        json.dump({"invites": len(invites), "answered": len(oks), "latency_us": lat}, f)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round((len(xs) - 1) * p)))] if xs else None


def setup_result(a):
    """One step of (a): SIPp's final counts, its rtt trace (1 ms resolution) and the sniffer's wire figures."""
    text = open(os.path.join(a.dir, "out.txt"), errors="replace").read() if os.path.exists(os.path.join(a.dir, "out.txt")) else ""

    def last(label):
        m = re.findall(label + r"\s*\|\s*\d+\s*\|\s*(\d+)", text)
        return int(m[-1]) if m else 0
    rtt = sorted(float(l.split(";")[1]) for f in glob.glob(os.path.join(a.dir, "*_rtt.csv"))
                 for l in open(f).readlines()[1:] if l.count(";") >= 2)
    wire = {}
    wf = os.path.join(a.dir, "wire.json")
    if os.path.exists(wf):
        try:
            wire = json.load(open(wf))
        except ValueError:
            wire = {}
    us = wire.get("latency_us", [])
    ok, failed = last("Successful call"), last("Failed call")
    refusals = 0
    if a.baresip_log and os.path.exists(a.baresip_log):
        refusals = open(a.baresip_log, errors="replace").read().count("could not assign linenumber")
    out = {"bench": "setup", "sut": a.sut, "run": a.run, "busy_pct": a.busy, "rate": a.rate, "count": a.count, "rc": a.rc, "ok": ok, "failed": failed,
           "line_limit_refusals": refusals,
           "clean": a.rc == 0 and failed == 0 and ok == a.count,
           "sipp_p50_ms": pct(rtt, 0.5), "sipp_p99_ms": pct(rtt, 0.99), "sipp_samples": len(rtt),
           "wire_samples": len(us)}
    for p in (50, 95, 99):
        v = pct(us, p / 100)
        out[f"wire_p{p}_ms"] = round(v / 1000, 3) if v is not None else None
    print(json.dumps(out))


# ---------------------------------------------------------------- baresip

def baresip_config(a):
    """baresip 1.0.0, headless: auto-answer, G.711 only, 8 kHz mono, no sound card. The source is `aufile` (a
    WAV loaded per call; it must outlast the call: at its end baresip hangs up); the player is `aubridge` with no
    source on its device, which runs no thread. For speech (--record) source and player are the two ends of one
    aubridge device, so what the player plays goes back into the encoder, and `sndfile` dumps it (the *-enc.wav
    file): the audio baresip plays, paced by its player clock, after its jitter buffer and receive buffer."""
    os.makedirs(a.dir, exist_ok=True)
    lines = [
        ("poll_method", "epoll"), ("sip_listen", f"127.0.0.1:{a.port}"), ("net_interface", "127.0.0.1"),
        ("call_local_timeout", "120"), ("call_max_calls", str(a.max_calls)),
        ("ausrc_srate", "8000"), ("ausrc_channels", "1"), ("auplay_srate", "8000"), ("auplay_channels", "1"),
        ("rtp_ports", a.rtp_ports), ("rtp_stats", "yes"), ("module_path", "/usr/lib/baresip/modules"),
        ("module", "g711.so"), ("module", "aubridge.so"),
    ]
    if a.record:
        lines += [("audio_source", "aubridge,loop"), ("audio_player", "aubridge,loop"), ("audio_alert", "aubridge,nil"),
                  ("module", "sndfile.so"), ("snd_path", a.record)]
        if a.plc:
            lines += [("module", "plc.so")]
    else:
        lines += [("audio_source", f"aufile,{a.source}"), ("audio_player", "aubridge,nil"), ("audio_alert", "aubridge,nil"),
                  ("module", "aufile.so")]
    lines += [("module_tmp", "account.so")]
    with open(os.path.join(a.dir, "config"), "w") as f:
        f.writelines(f"{k}\t\t{v}\n" for k, v in lines)
    with open(os.path.join(a.dir, "accounts"), "w") as f:
        f.write(f"<sip:bench@127.0.0.1:{a.port};transport=udp>;answermode=auto;audio_codecs=pcmu;ptime=20;regint=0;mwi=no\n")
    open(os.path.join(a.dir, "contacts"), "w").close()


def tone(a):
    n = int(a.seconds * 8000)
    pcm = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / 8000) + 3000 * math.sin(2 * math.pi * 1230 * i / 8000)))
                   for i in range(n))
    if a.ulaw:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import audioop  # stdlib up to Python 3.12
        with open(a.file, "wb") as f:
            f.write(audioop.lin2ulaw(pcm, 2))
    else:
        with wave.open(a.file, "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
            w.writeframes(pcm)


def calm(a):
    """Waits (at most --wait s) until other work uses under --below % of all cores (our own processes are down
    between steps); prints the share seen last, which goes into the step's figures."""
    def snap():
        v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0 = time.monotonic()
    while True:
        x = snap()
        time.sleep(1)
        y = snap()
        busy = 100 * (1 - (y[1] - x[1]) / max(1, y[0] - x[0]))
        if busy < a.below or time.monotonic() - t0 > a.wait:
            break
        time.sleep(4)
    print(round(busy, 1))


# ---------------------------------------------------------------- (b) processes

def proc_sample(pid: int):
    try:
        stat = open(f"/proc/{pid}/stat").read()
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])
        rss = 0
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        return ticks, rss
    except (OSError, ValueError):
        return None, None


def procs(a):
    out = {"t": time.monotonic()}
    for spec in a.pid:
        name, _, pid = spec.partition("=")
        ticks, rss = proc_sample(int(pid))
        out[name] = {"pid": int(pid), "ticks": ticks, "rss_kb": rss}
    print(json.dumps(out))


def load_result(a):
    """One step of (b): CPU (% of a core) and RSS per process over the window, SIPp's counts, media figures."""
    s0, s1 = [json.loads(l) for l in open(a.samples) if l.strip()][:2]
    hz = os.sysconf("SC_CLK_TCK")
    dt = s1["t"] - s0["t"]
    per, vanished = {}, []
    for name in s0:
        if name == "t":
            continue
        t0, t1 = s0[name]["ticks"], s1.get(name, {}).get("ticks")
        if t0 is None or t1 is None:
            vanished.append(name)  # restarted (or died) during the window: its figures are not comparable
        per[name] = {"cpu_pct": round((t1 - t0) * 100 / hz / dt, 2) if t0 is not None and t1 is not None else None,
                     "rss_kb": s1.get(name, {}).get("rss_kb")}
    text = open(a.sipp_out, errors="replace").read() if a.sipp_out and os.path.exists(a.sipp_out) else ""

    def last(label):
        m = re.findall(label + r"\s*\|\s*\d+\s*\|\s*(\d+)", text)
        return int(m[-1]) if m else 0
    ok, failed = (last("Successful call"), last("Failed call")) if a.calls else (0, 0)
    out = {"bench": "load", "sut": a.sut, "run": a.run, "busy_pct": a.busy, "calls": a.calls, "rc": a.rc, "ok": ok, "failed": failed,
           "window_s": round(dt, 2), "procs": per, "vanished": vanished,
           "cpu_pct": None if vanished else round(sum(p["cpu_pct"] for p in per.values()), 2),
           "rss_kb": None if vanished else sum(p["rss_kb"] for p in per.values())}
    restarts = 0
    if a.status:
        try:
            comps = json.load(open(a.status))["components"]
            restarts = sum(c.get("restarts", 0) for c in comps)
        except (OSError, ValueError, KeyError):
            restarts = None  # orch did not answer
    out["restarts"] = restarts
    # SIPp is the load generator on the same cores: when its main loop stalls (its overload watchdog trips), its RTP
    # streams and pauses slip, and the step says nothing about the peer.
    if a.sipp_out:
        errs = glob.glob(os.path.join(os.path.dirname(a.sipp_out), "*_errors.log"))
        out["sipp_overloads"] = sum(open(e, errors="replace").read().count("Overload warning") for e in errs)
    if a.events:  # ours: call.quality of every call (concealment from the jitter buffer)
        q = [json.loads(l)["data"] for l in open(a.events) if l.strip().startswith("{")]
        conc = sum(x.get("concealed_ms", 0) for x in q)
        played = sum(x.get("packets_received", 0) * 20 for x in q)
        out.update({"reports": len(q), "concealed_ms": conc,
                    "concealment_pct": round(100 * conc / (played + conc), 3) if played + conc else None,
                    "worst_call_concealment_pct": round(max((100 * x.get("concealed_ms", 0) / max(1, x.get("packets_received", 0) * 20 + x.get("concealed_ms", 0)) for x in q), default=0), 2),
                    "packets_lost": sum(x.get("packets_lost", 0) for x in q)})
    if a.baresip_log:  # baresip: per call "packets: TX RX" (rtp_stats yes); no concealment without the plc module
        txt = open(a.baresip_log, errors="replace").read()
        pk = [(int(x), int(y)) for x, y in re.findall(r"packets:\s+(\d+)\s+(\d+)", txt)]
        tx, rx = sum(p[0] for p in pk), sum(p[1] for p in pk)
        out.update({"reports": len(pk), "rx_packets": rx, "tx_packets": tx,
                    "line_limit_refusals": txt.count("could not assign linenumber"),
                    "rx_short_pct": round(100 * (tx - rx) / tx, 3) if tx else None})
    if a.calls:
        if a.events:
            conc_ok = out.get("concealment_pct") is not None and out["concealment_pct"] < 1 and out["reports"] >= a.calls
        else:
            conc_ok = out.get("rx_short_pct") is not None and out["rx_short_pct"] < 1 and out["reports"] >= a.calls
        out["clean"] = failed == 0 and ok == a.calls and a.rc == 0 and conc_ok and not vanished and restarts == 0
    print(json.dumps(out))


# ---------------------------------------------------------------- (d) speech through the relay

def pesq_call(a):
    """Calls the peer (ours or baresip) with a minimal SIP UAC whose SDP names the relay's upstream port: the relay
    forwards the speech sender's PCMU RTP to the peer's RTP port (from the 200 OK) from the very address the SDP
    gave, and the peer's own RTP goes back to that port (then to the sender, which ignores it), never into the
    impaired direction. The peer plays it out and
    records it (ours: sip-audio's file backend; baresip: aubridge loop + sndfile). Prints one JSON line."""
    sys.path.insert(0, os.path.join(HERE, "media"))
    import pesq_bench as pb  # noqa: E402
    relay_port = pb.alloc_port(a.base_port)
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    sip.settimeout(0.5)
    lport = sip.getsockname()[1]
    callid = f"pq{os.getpid()}{int(time.time() * 1000)}@127.0.0.1"
    tag = f"t{os.getpid()}"
    uri = f"sip:bench@127.0.0.1:{a.peer_port}"
    sdp = ("v=0\r\no=pq 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           f"m=audio {relay_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n")

    def request(method, cseq, to_tag="", body="", branch=None):
        branch = branch or f"z9hG4bK{os.getpid()}{method}{cseq}{time.monotonic_ns()}"
        hdr = (f"{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{lport};branch={branch}\r\n"
               f"From: <sip:pesq@127.0.0.1:{lport}>;tag={tag}\r\nTo: <{uri}>{to_tag}\r\nCall-ID: {callid}\r\n"
               f"CSeq: {cseq} {method}\r\nContact: <sip:pesq@127.0.0.1:{lport}>\r\nMax-Forwards: 70\r\n")
        if body:
            hdr += "Content-Type: application/sdp\r\n"
        sip.sendto((hdr + f"Content-Length: {len(body)}\r\n\r\n" + body).encode(), ("127.0.0.1", a.peer_port))

    def final(method, deadline):
        while time.monotonic() < deadline:
            try:
                data = sip.recv(65535).decode(errors="replace")
            except socket.timeout:
                continue
            first = data.split("\r\n", 1)[0]
            if not first.startswith("SIP/2.0 ") or f" {method}" not in re.search(r"CSeq:[^\r\n]*", data, re.I).group(0):
                continue
            code = int(first.split()[1])
            if code >= 200:
                return code, data
        return None, ""

    res = {"bench": "speech", "sut": a.sut, "condition": a.condition, "seed": a.seed, "pesq": None, "error": None}
    relay = None
    try:
        request("INVITE", 1, body=sdp)
        code, resp = final("INVITE", time.monotonic() + 5)
        if code != 200:
            raise RuntimeError(f"INVITE answered {code}")
        to_tag = ";tag=" + re.search(r"\r\nTo:[^\r\n]*;tag=([^;\r\n>]+)", resp, re.I).group(1)
        rtp_port = int(re.search(r"m=audio (\d+)", resp).group(1))
        request("ACK", 1, to_tag)
        relay_stats = a.out + ".relay.json"
        relay = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "media", "impair_relay.py"), "--listen", "127.0.0.1:0",
             "--upstream-port", str(relay_port), "--target", f"127.0.0.1:{rtp_port}", "--seed", str(a.seed), "--duration", "30", "--stats", relay_stats,
             "--delay", "80", "--jitter", str(a.jitter), "--loss", str(a.loss)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        ready = json.loads(relay.stdout.readline() or "{}")
        if ready.get("event") != "ready":
            raise RuntimeError("relay did not start")
        snd = subprocess.run([sys.executable, os.path.join(HERE, "media", "rtp_speech_sender.py"), a.speech,
                              "--dest", f"127.0.0.1:{ready['listen_port']}", "--codec", "pcmu", "--seed", str(a.seed)],
                             capture_output=True, text=True, timeout=40)
        if snd.returncode != 0:
            raise RuntimeError("sender failed: " + snd.stderr[-300:])
        time.sleep(a.tail)
        if a.during:  # e.g. read sip-audio's latency figures while the call is still up
            res["during"] = subprocess.run(a.during, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        request("BYE", 2, to_tag)
        final("BYE", time.monotonic() + 3)
        pb.stop_proc(relay)
        relay.stdout.close()
        if os.path.exists(relay_stats):
            rs = json.load(open(relay_stats))["fwd"]
            res["relay_dropped"], res["relay_reordered"] = rs.get("dropped"), rs.get("reordered")
        # the recording appears when the peer closes it
        deadline = time.monotonic() + 5
        path = None
        while time.monotonic() < deadline:
            cands = sorted(glob.glob(a.record_glob), key=os.path.getmtime)
            if cands and os.path.getsize(cands[-1]) > 1000:
                path = cands[-1]
                size = os.path.getsize(path)
                time.sleep(0.3)
                if os.path.getsize(path) == size:
                    break
            time.sleep(0.2)
        if not path:
            raise RuntimeError(f"no recording matching {a.record_glob}")
        ref = pb.read_wav_float(a.speech)
        deg = pb.read_wav_float(path)
        aligned, lag, corr = pb.align(ref, deg)
        res.update({"offset_samples": lag, "corr": round(corr, 4), "pesq": round(pb.score_pesq(ref, aligned), 3)})
    except Exception as e:  # recorded; the bench goes on
        res["error"] = str(e)
    finally:
        if relay is not None:
            pb.stop_proc(relay)
        sip.close()
    print(json.dumps(res))


# ---------------------------------------------------------------- (e) sip-audio's own latency figures

def zmtp_request(path: str, command: str, timeout=5.0, args=None) -> dict:
    """One request to orch's ROUTER (ipc://RUN/ctl.sock) as a ZMTP 3.0 DEALER with the NULL mechanism, in the
    stdlib: greeting, READY, one single-frame message, then frames until the reply with our id."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)

    def recv_exact(n):
        b = b""
        while len(b) < n:
            chunk = s.recv(n - len(b))
            if not chunk:
                raise ConnectionError("orch closed the connection")
            b += chunk
        return b

    def frame(flags, body):
        return bytes([flags | (0x02 if len(body) > 255 else 0)]) + (struct.pack(">Q", len(body)) if len(body) > 255 else bytes([len(body)])) + body

    def read_frame():
        flags = recv_exact(1)[0]
        size = struct.unpack(">Q", recv_exact(8))[0] if flags & 0x02 else recv_exact(1)[0]
        return flags, recv_exact(size)
    s.sendall(b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 0]) + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31)
    recv_exact(64)
    s.sendall(frame(0x04, b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 6) + b"DEALER"))
    rid = f"bc-{os.getpid()}"
    s.sendall(frame(0x00, json.dumps({"v": 1, "kind": "request", "id": rid, "command": command, "args": args or {}}).encode()))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        flags, body = read_frame()
        if flags & 0x04:
            continue
        try:
            msg = json.loads(body)
        except ValueError:
            continue
        if msg.get("kind") == "reply" and msg.get("id") == rid:
            s.close()
            return msg.get("result") or {}
    raise TimeoutError(command)


def audio_state(a):
    ctl = os.path.join(a.run_dir, "ctl.sock")
    r = zmtp_request(ctl, "audio_state")
    c, p, d = r.get("capture_latency_ms") or {}, r.get("playback_latency_ms") or {}, r.get("rtp_to_device_ms") or {}
    row = {"bench": "latency", "capture_p50": c.get("p50"), "capture_p99": c.get("p99"),
           "playback_p50": p.get("p50"), "playback_p99": p.get("p99"), "down_p50": d.get("p50"), "down_p99": d.get("p99")}
    # The worker's half: a captured frame's device read (origin stamp) to its RTP packet's write, and the jitter buffer.
    calls = zmtp_request(ctl, "calls").get("calls") or []
    if calls:
        st = zmtp_request(ctl, "call_stats", args={"call": calls[0].get("call_id")})
        u = st.get("audio_to_rtp_ms") or {}
        row.update({"up_p50": u.get("p50"), "up_p99": u.get("p99"), "jb_delay_ms": st.get("jb_delay_ms")})
    print(json.dumps(row))


# ---------------------------------------------------------------- report

def best_clean(rows, sut, key):
    """Per run, the largest `key` (rate or calls) reached before the first step that was not clean; median over runs."""
    per_run = []
    for run in sorted({r.get("run") for r in rows if r["sut"] == sut}):
        best = 0
        for r in sorted((r for r in rows if r["sut"] == sut and r.get("run") == run), key=lambda r: r[key]):
            if not r.get("clean"):
                break
            best = r[key]
        per_run.append(best)
    return (statistics.median(per_run), per_run) if per_run else (None, [])


def report(a):
    rows = [json.loads(l) for l in open(a.results) if l.strip().startswith("{")]
    med = statistics.median
    runs = a.runs

    def m(xs, nd=2):
        xs = [x for x in xs if x is not None]
        return round(med(xs), nd) if xs else None

    def f(v, nd=2):
        return "—" if v is None else f"{v:,.{nd}f}"

    def ratio(o, b, nd=2):
        return "—" if o is None or b in (None, 0) else f"{o / b:.{nd}f}"
    L = [SECTION + "\n",
         f"Command: `{a.command}` (release build; medians of {runs} runs; {datetime.date.today()}, {os.cpu_count()} cores, "
         "loopback; the machine is shared, so figures move by some percent between runs). Ours: `sipc up --auto-answer "
         "--rtp-workers 2 --audio null` with `sip.max_transactions: 100000` and `sip.max_calls: 3000` (all 6 processes counted: "
         "keeper, orch, sig, audio, rtp-1, rtp-2). baresip 1.0.0 (Debian `baresip-core`): `answermode=auto`, PCMU only, "
         "8 kHz mono, `aufile` source (a WAV loaded per call) and `aubridge` player (no sound card), `call_max_calls 4000`, "
         "one process. Each step starts a fresh instance or baresip. Ratios are ours / baresip (below 1: ours is lower).\n"]
    busy = [r["busy_pct"] for r in rows if r.get("busy_pct") is not None]
    if busy:
        L.append(f"Other work on the machine just before each step (our processes down): median {med(busy):.0f} % of all cores, "
                 f"max {max(busy):.0f} % (each heavy step first waits up to {a.calm_wait:.0f} s for it to drop under "
                 f"{a.calm_below:.0f} %). Latency figures suffer most from it; CPU figures are each process's own ticks.\n")
    setup = [r for r in rows if r["bench"] == "setup"]
    L += ["### Call setup latency (a)\n",
          "SIPp's built-in `uac` scenario (INVITE, 100/180 optional, 200, ACK, BYE, no pause; ours answers from an answer slot with the "
          "200 OK alone, sig -> orch and the worker after it, docs/PROTOCOL.md `call.answer_slots`) at a fixed rate, max(100, 5 s x rate) calls per "
          "step. **Wire** latency: the first INVITE to the first 200 OK of each call, from kernel timestamps (SO_TIMESTAMPNS) of "
          "a packet socket on `lo` (`scripts/bench_compare.py sniff`, microsecond resolution). SIPp's own response time "
          "(`-trace_rtt`, 1 ms resolution) is the cross-check. The search for the highest rate stops at the first step with a "
          "failed call; **sustained** = the highest rate with no failed call, median over runs.\n",
          "| calls/s | ours completed / failed | baresip completed / failed | ours p50 / p95 / p99 (ms) | baresip p50 / p95 / p99 (ms) | ratio p50 | ratio p99 | SIPp rtt p50 / p99, ours vs baresip (ms) |",
          "|---|---|---|---|---|---|---|---|"]
    rates = sorted({r["rate"] for r in setup})
    for rate in rates:
        o = [r for r in setup if r["rate"] == rate and r["sut"] == "ours"]
        b = [r for r in setup if r["rate"] == rate and r["sut"] == "baresip"]

        def cell(rs):
            if not rs:
                return "not run", None, None, None, "—"
            p50, p95, p99 = (m([r[f"wire_p{p}_ms"] for r in rs], 3) for p in (50, 95, 99))
            counts = f"{m([r['ok'] for r in rs], 0):.0f} / {m([r['failed'] for r in rs], 0):.0f}" + (f" ({len(rs)} runs)" if len(rs) != runs else "")
            sp = f"{f(m([r['sipp_p50_ms'] for r in rs], 0), 0)} / {f(m([r['sipp_p99_ms'] for r in rs], 0), 0)}"
            return counts, p50, p95, p99, sp
        oc, o50, o95, o99, osp = cell(o)
        bc, b50, b95, b99, bsp = cell(b)
        L.append(f"| {rate} | {oc} | {bc} | {f(o50, 3)} / {f(o95, 3)} / {f(o99, 3)} | {f(b50, 3)} / {f(b95, 3)} / {f(b99, 3)} | "
                 f"{ratio(o50, b50)} | {ratio(o99, b99)} | {osp} vs {bsp} |")

    def sustained(sut):
        return best_clean(setup, sut, "rate")
    so, sor = sustained("ours")
    sb, sbr = sustained("baresip")
    L.append(f"\nSustained with no failed call (median of runs): **ours {f(so, 0)} calls/s** (runs: {sor}), "
             f"**baresip {f(sb, 0)} calls/s** (runs: {sbr}); ratio {ratio(so, sb)}. Between and above the fixed rates the "
             f"search tries {a.search_rates} calls/s while the peer has had no failed call in the run. Calls neither "
             "completed nor failed were still in progress when SIPp's time limit (15 s after the last call) ended the step.")
    lim = [r for r in setup if r.get("line_limit_refusals")]
    if lim:
        L.append(f"baresip refused calls for want of a call line (255 at once, see (b)) at {sorted({r['rate'] for r in lim})} calls/s: "
                 "its calls were piling up.")
    L.append("")

    load = [r for r in rows if r["bench"] == "load"]
    L += ["### Concurrent G.711 calls with RTP both ways (b)\n",
          "`scripts/bench-data/uac_rtp_hold.xml`: SIPp places N calls (200 calls/s) that stay up, each streaming PCMU RTP every "
          "20 ms (SIPp `rtp_stream`) to the peer and receiving the peer's RTP on its own port; once all N are up, CPU "
          "(user+system ticks from /proc, % of one core) and VmRSS of every process are read over a "
          f"{a.window} s window. Per call = (figure at N - figure at 0 calls) / N. **Clean** = no failed call and, ours: "
          "concealment under 1 % (`concealed_ms` of the jitter buffer over the played time, from every call's `call.quality` "
          "report) and no component restarted (orch kills a component that misses heartbeats for 3 s); baresip: it reports "
          "no concealment (no `plc` module), so its packets received short of packets sent (`rtp_stats`, per call) under "
          "1 % stands in. A process that restarted during the window leaves its CPU and memory out (—). CPU and "
          "RSS per call are above each peer's own 0-call figures, and only where no call failed.\n",
          "| calls | ours failed / restarts | baresip failed | ours concealment (%) | baresip RX short (%) | ours CPU (% core) | baresip CPU (% core) | ours CPU/call | baresip CPU/call | ratio CPU/call | ours RSS (MB) | baresip RSS (MB) | ours KB/call | baresip KB/call (without its source buffer) | ratio KB/call (to baresip without it) |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    steps = sorted({r["calls"] for r in load})

    def agg(sut, n, key, nd=2):
        return m([r.get(key) for r in load if r["sut"] == sut and r["calls"] == n], nd)
    base = {s: (agg(s, 0, "cpu_pct"), agg(s, 0, "rss_kb", 0)) for s in ("ours", "baresip")}

    def net(kb):
        return "" if kb is None or not a.source_kb else f" ({kb - a.source_kb:,.0f})"
    percall = {}
    for n in steps:
        cells = {}
        for s in ("ours", "baresip"):
            cpu, rss = agg(s, n, "cpu_pct"), agg(s, n, "rss_kb", 0)
            # per call only where every call of the step was up (no failed call in the median)
            allup = n and agg(s, n, "failed", 0) == 0
            pc = (cpu - base[s][0]) / n if allup and cpu is not None and base[s][0] is not None else None
            pk = (rss - base[s][1]) / n if allup and rss is not None and base[s][1] is not None else None
            cells[s] = (cpu, rss, pc, pk)
            percall[(s, n)] = (pc, pk)
        fo = agg("ours", n, "failed", 0)
        fb = agg("baresip", n, "failed", 0)
        ro = agg("ours", n, "restarts", 0)
        L.append(f"| {n} | {(f(fo, 0) + ' / ' + f(ro, 0)) if n else '—'} | {f(fb, 0) if n else '—'} | {f(agg('ours', n, 'concealment_pct', 3), 3) if n else '—'} | "
                 f"{f(agg('baresip', n, 'rx_short_pct', 3), 3) if n else '—'} | {f(cells['ours'][0], 1)} | {f(cells['baresip'][0], 1)} | "
                 f"{f(cells['ours'][2], 3)} | {f(cells['baresip'][2], 3)} | {ratio(cells['ours'][2], cells['baresip'][2])} | "
                 f"{f(cells['ours'][1] / 1024 if cells['ours'][1] else None, 1)} | {f(cells['baresip'][1] / 1024 if cells['baresip'][1] else None, 1)} | "
                 f"{f(cells['ours'][3], 0)} | {f(cells['baresip'][3], 0)}{net(cells['baresip'][3])} | "
                 f"{ratio(cells['ours'][3], cells['baresip'][3] - a.source_kb if cells['baresip'][3] is not None else None)} |")

    def clean_max(sut):
        return best_clean([r for r in load if r["calls"]], sut, "calls")
    co, cor = clean_max("ours")
    cb, cbr = clean_max("baresip")
    over = sorted({(r["sut"], r["calls"]) for r in load if r.get("sipp_overloads")})
    if over:
        L.append("\nSIPp overloaded (its 500 ms watchdog tripped: its RTP streams and pauses stalled, so the step is not "
                 "clean whatever the peer did; SIPp streams RTP for every call on the same 2 cores) at: "
                 + ", ".join(f"{x} {n} calls" for x, n in over) + ".")
    L.append(f"\nHighest clean step (median of runs): **ours {f(co, 0)} calls** (runs: {cor}), **baresip {f(cb, 0)} calls** "
             f"(runs: {cbr}). A peer that was not clean at a step is not loaded further in that run (— in the table). "
             f"baresip's source buffer: `aufile` loads its {a.source_kb:.0f} KB WAV into every call, which is part of its KB per call.")
    if any(r.get("line_limit_refusals") for r in load):
        L.append("baresip 1.0.0 refuses every call beyond 255 at once (`call: could not assign linenumber` in its log, "
                 "`500 Call Error`): its call lines are numbered 1-255, whatever `call_max_calls` says.")
    restarted = [r for r in load if r["sut"] == "ours" and r.get("restarts")]
    if restarted:
        L.append(f"Ours had components restarted by orch (missed heartbeats for 3 s: `component.hung`) at "
                 f"{sorted({r['calls'] for r in restarted})} calls; the calls survived restarts but those steps are not clean.")
    L.append("")
    top = max((n for n in steps if n), default=0)
    if top:
        L += ["Ours per process and step (median CPU % of one core / RSS MB; — where the process restarted in the window):\n",
              "| process | " + " | ".join(f"{n} calls" for n in steps) + " |", "|---|" + "---|" * len(steps)]
        names = []
        for r in load:
            if r["sut"] == "ours":
                names += [k for k in r["procs"] if k not in names]
        for name in names:
            def pp(n, key):
                return m([r["procs"].get(name, {}).get(key) for r in load if r["sut"] == "ours" and r["calls"] == n
                          and name not in r.get("vanished", [])], 2)
            cells = []
            for n in steps:
                c, r_ = pp(n, "cpu_pct"), pp(n, "rss_kb")
                cells.append(f"{f(c, 1)} / {f(r_ / 1024 if r_ else None, 1)}")
            L.append(f"| {name} | " + " | ".join(cells) + " |")
        L.append("")

    sp = [r for r in rows if r["bench"] == "speech"]
    if sp:
        L += ["### Speech quality through the impairment relay (d)\n",
              "The espeak-ng sentence of `scripts/bench-speech` (10.2 s, PCMU, 20 ms) sent by `scripts/media/rtp_speech_sender.py` "
              "through `scripts/media/impair_relay.py` (80 ms base delay, uniform jitter, seeded loss: the same packets lost for "
              "both) into a real call: a minimal SIP UAC (`bench_compare.py pesq-call`) calls the peer with the relay's port in "
              "its SDP. What the peer plays is recorded and scored with PESQ (P.862 narrowband, after alignment). Ours: "
              "`sipc up --audio file:SILENCE.wav,OUT.wav` with echo cancellation, noise suppression and AGC off (worker's "
              "jitter buffer and concealment, PCM frames to sip-audio, its playback to the file). baresip: its jitter buffer "
              "and receive buffer, played by the `aubridge` player at its own 20 ms clock and dumped by `sndfile` (player "
              "looped into the encoder); **baresip+plc** also loads baresip's `plc` module (spandsp concealment), "
              f"which its default configuration leaves out. Median (min-max) of {runs} seeds.\n",
              "| condition | ours PESQ | baresip PESQ | baresip+plc PESQ | ratio ours/baresip | lost (relay) |",
              "|---|---|---|---|---|---|"]
        for cond in sorted({r["condition"] for r in sp}):
            def cellp(sut):
                xs = [r["pesq"] for r in sp if r["condition"] == cond and r["sut"] == sut and r.get("pesq") is not None]
                return (med(xs), min(xs), max(xs)) if xs else None
            o, b, bp = cellp("ours"), cellp("baresip"), cellp("baresip+plc")
            lost = m([r.get("relay_dropped") for r in sp if r["condition"] == cond], 1)
            fm = lambda c: "—" if c is None else f"{c[0]:.2f} ({c[1]:.2f}-{c[2]:.2f})"
            L.append(f"| {cond} | {fm(o)} | {fm(b)} | {fm(bp)} | {ratio(o[0] if o else None, b[0] if b else None)} | {f(lost, 1)} |")
        errs = [r for r in sp if r.get("error")]
        if errs:
            L.append(f"\n{len(errs)} speech run(s) failed: " + "; ".join(sorted({e['sut'] + ': ' + e['error'] for e in errs}))[:400])
        L.append("")

    lat = [r for r in rows if r["bench"] == "latency"]
    L += ["### Pipeline latency (e)\n"]
    if lat:
        g = lambda k: m([r.get(k) for r in lat], 2)
        L.append("Measured by the components during the speech calls of (d) (ours only: baresip exposes no such figure), from "
                 "the **origin stamp** each PCM frame carries (docs/PROTOCOL.md §7, CLOCK_MONOTONIC of the host): "
                 "**frame entering sip-audio -> its RTP packet leaving** = the device read of the frame's oldest sample (in "
                 "sip-audio) to the write of its RTP packet (in the worker: `call_stats` `audio_to_rtp_ms`, last 100 packets); "
                 "**RTP packet arriving -> its frame leaving sip-audio** = the arrival of the packet holding the frame's last "
                 "sample (in the worker) to the frame's write to the device (in sip-audio: `audio_state` `rtp_to_device_ms`, "
                 "last 500 frames). The downlink includes the adaptive jitter buffer, whose delay the relay's 30 ms jitter makes "
                 f"**{f(g('jb_delay_ms'), 0)} ms** beyond the fastest packet's transit (a packet that came late waits that much less). Medians of {len(lat)} calls, file backend (a sound card adds its period, "
                 "20 ms by default, to each direction).\n")
        L.append("| direction | p50 (ms) | p99 (ms) |\n|---|---|---|")
        L.append(f"| frame entering sip-audio -> RTP packet leaving | {f(g('up_p50'))} | {f(g('up_p99'))} |")
        L.append(f"| RTP packet arriving -> frame leaving sip-audio | {f(g('down_p50'))} | {f(g('down_p99'))} |")
        L.append(f"| of which inside sip-audio: capture (device read -> bus) | {f(g('capture_p50'))} | {f(g('capture_p99'))} |")
        L.append(f"| of which inside sip-audio: playback (bus -> device) | {f(g('playback_p50'))} | {f(g('playback_p99'))} |\n")
    else:
        L.append("Not measured in this run.\n")

    def clean_at(sut, n):
        rs = [r for r in load if r["sut"] == sut and r["calls"] == n]
        return bool(rs) and 2 * sum(1 for r in rs if r.get("clean")) >= len(rs)

    def reference(suts):
        """The largest step clean for all `suts` (in at least half the runs), else the largest with figures."""
        ns = [n for n in steps if n and all(clean_at(x, n) for x in suts)]
        if ns:
            return max(ns), True
        ns = [n for n in steps if n and all(percall.get((x, n), (None, None))[0] is not None for x in suts)]
        return (max(ns), False) if ns else (top, False)
    L += ["### Against the targets of issue 9\n"]
    tgt = []
    n_mem, mem_clean = reference(["ours"])
    n_cpu, cpu_clean = reference(["ours", "baresip"])
    o_top = (percall.get(("ours", n_cpu), (None, None))[0], percall.get(("ours", n_mem), (None, None))[1])
    b_top = percall.get(("baresip", n_cpu), (None, None))
    w100 = [r for r in setup if r["sut"] == "ours" and r["rate"] == 100]
    p50_100 = m([r["wire_p50_ms"] for r in w100], 3)
    p95_100 = m([r["wire_p95_ms"] for r in w100], 3)
    w10 = [r for r in setup if r["sut"] == "ours" and r["rate"] == 10]
    p50_10, p95_10 = m([r["wire_p50_ms"] for r in w10], 3), m([r["wire_p95_ms"] for r in w10], 3)

    def verdict(ok):
        return "—" if ok is None else ("met" if ok else "missed")
    tgt.append(f"| at least 1000 concurrent calls with two workers, clean | {f(co, 0)} | {verdict(co >= 1000 if co is not None else None)} |")
    mem = o_top[1]
    tgt.append(f"| under 100 KB per call, all processes (at {n_mem} calls{'' if mem_clean else ', not clean'}) | {f(mem, 0)} KB | {verdict(mem < 100 if mem is not None else None)} |")
    tgt.append(f"| call setup p50 under 1 ms, p95 under 2 ms (wire, 100 calls/s; at 10 calls/s in brackets) | "
               f"{f(p50_100, 3)} / {f(p95_100, 3)} ms ({f(p50_10, 3)} / {f(p95_10, 3)}) | "
               f"{verdict(p50_100 < 1 and p95_100 < 2 if p50_100 is not None and p95_100 is not None else None)} |")
    tgt.append(f"| at least 1000 calls/s with no failed call | {f(so, 0)} | {verdict(so >= 1000 if so is not None else None)} |")
    cpu_ratio = o_top[0] / b_top[0] if o_top[0] is not None and b_top[0] else None
    tgt.append(f"| at most 1/4 of baresip's CPU per call (at {n_cpu} calls{'' if cpu_clean else ', not clean for both'}) | ratio {f(cpu_ratio, 2)} "
               f"({f(o_top[0], 3)} vs {f(b_top[0], 3)} % of a core) | "
               f"{verdict(cpu_ratio <= 0.25 if cpu_ratio is not None else None)} |")
    L += ["| target | measured | |", "|---|---|---|"] + tgt
    section = "\n".join(L) + "\n"
    path = a.md
    text = open(path).read()
    pattern = re.compile(re.escape(SECTION) + r"\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(lambda _: section.rstrip("\n"), text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)
    print(section)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sniff"); s.add_argument("--port", type=int, required=True); s.add_argument("--out", required=True)
    s.add_argument("--ready")
    s = sub.add_parser("setup-result"); s.add_argument("dir"); s.add_argument("rate", type=int); s.add_argument("count", type=int)
    s.add_argument("rc", type=int); s.add_argument("sut"); s.add_argument("--run", type=int, default=1)
    s.add_argument("--busy", type=float); s.add_argument("--baresip-log")
    s = sub.add_parser("baresip-config"); s.add_argument("dir"); s.add_argument("--port", type=int, required=True)
    s.add_argument("--rtp-ports", default="20000-29999"); s.add_argument("--max-calls", type=int, default=4000)
    s.add_argument("--source"); s.add_argument("--record"); s.add_argument("--plc", action="store_true")
    s = sub.add_parser("tone"); s.add_argument("file"); s.add_argument("seconds", type=float); s.add_argument("--ulaw", action="store_true")
    s = sub.add_parser("procs"); s.add_argument("--pid", action="append", default=[], help="NAME=PID")
    s = sub.add_parser("load-result"); s.add_argument("--samples", required=True); s.add_argument("--sut", required=True)
    s.add_argument("--calls", type=int, required=True); s.add_argument("--rc", type=int, default=0); s.add_argument("--sipp-out")
    s.add_argument("--events"); s.add_argument("--baresip-log"); s.add_argument("--run", type=int, default=1)
    s.add_argument("--status", help="ours: `sipc status --json` after the step (component restarts)")
    s.add_argument("--busy", type=float)
    s = sub.add_parser("calm"); s.add_argument("--below", type=float, default=25); s.add_argument("--wait", type=float, default=90)
    s = sub.add_parser("pesq-call"); s.add_argument("--sut", required=True); s.add_argument("--peer-port", type=int, required=True)
    s.add_argument("--speech", required=True); s.add_argument("--record-glob", required=True); s.add_argument("--out", required=True)
    s.add_argument("--loss", type=float, required=True); s.add_argument("--jitter", type=float, required=True)
    s.add_argument("--seed", type=int, default=1); s.add_argument("--condition", required=True)
    s.add_argument("--base-port", type=int, default=26000); s.add_argument("--tail", type=float, default=1.0)
    s.add_argument("--during")
    s = sub.add_parser("audio-state"); s.add_argument("run_dir")
    s = sub.add_parser("report"); s.add_argument("results"); s.add_argument("runs", type=int); s.add_argument("command")
    s.add_argument("--md", default="docs/BENCHMARKS.md"); s.add_argument("--window", type=float, default=6)
    s.add_argument("--search-rates", default="?"); s.add_argument("--source-kb", type=float, default=0)
    s.add_argument("--calm-below", type=float, default=25); s.add_argument("--calm-wait", type=float, default=90)
    a = p.parse_args()
    {"sniff": sniff, "setup-result": setup_result, "baresip-config": baresip_config, "tone": tone, "procs": procs,
     "load-result": load_result, "pesq-call": pesq_call, "calm": calm, "audio-state": audio_state, "report": report}[a.cmd.replace("_", "-")](a)


if __name__ == "__main__":
    main()
