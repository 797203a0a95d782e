#!/usr/bin/env python3
"""Speech quality under network impairment: PESQ (ITU-T P.862, narrowband,
MOS-LQO) of a G.711 RTP receiver behind a user-space impairment relay.

Per run:   rtp_speech_sender --> impair_relay --> RECEIVER (under test) --> WAV
           then WAV is time-aligned with the sent audio (cross-correlation)
           and scored with `pesq` (fs=8000, 'nb').

The receiver is a command template (--receiver) with placeholders
  {port}          UDP port on 127.0.0.1 the receiver must bind (RTP)
  {seconds}       integer: collect this long, then write {out} and exit
  {out}           path of the WAV it must write (mono 16-bit PCM; 8 kHz
                  preferred, other rates are resampled)
  {payload_type}  RTP payload type that will be sent (0 PCMU / 8 PCMA)
  {stats}         optional: path where it may write a JSON object of its own
                  counters (shown in the JSON lines output)
  {playout_ms}    optional: the --late-ms value (nominal playout budget)
Default: the stand-in scripts/media/reference_receiver.py.

Conditions: loss x jitter matrix (--loss, --jitter; delay mean --delay ms,
uniform +-jitter) plus extra named conditions (--extra, default: a reorder
case and a Gilbert-Elliott burst case). Each condition is run --reps times
with seeds seed+rep (same seeds across conditions = common random numbers),
and the median / min / max PESQ is reported.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as _dt
import json
import math
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rtp_speech_sender as sender_mod  # noqa: E402

RATE = 8000
SECTION = "## Speech quality under impairment"
DEFAULT_TEXT = (
    "The birch canoe slid on the smooth planks. "
    "Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well. "
    "These days a chicken leg is a rare dish."
)  # Harvard sentences (IEEE 1969), ~9.6 s with the default voice/speed
DEFAULT_RECEIVER = ("{python} {here}/reference_receiver.py --port {port} "
                    "--seconds {seconds} --out {out} --stats {stats}")


# ---------------------------------------------------------------- audio utils

def read_wav_float(path: str) -> np.ndarray:
    """Mono 8 kHz float64 samples (int16 scale) from any PCM WAV."""
    data = sender_mod.load_8k(path)
    return np.frombuffer(data, dtype="<i2").astype(np.float64)


def write_wav(path: str, x: np.ndarray, rate: int = RATE) -> None:
    sender_mod.write_wav16(path, np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes(), rate)


def synthesize(text: str, out_wav: str, voice="en-us+f5", speed=165,
               pad_s=0.3, max_s=10.0) -> float:
    """espeak-ng -> 8 kHz -> 300-3400 Hz band-pass (telephone band, as P.862
    source material is) -> peak -3 dBFS -> pad_s of silence at both ends ->
    mono 16-bit WAV. Returns the duration in seconds.

    Voice matters for PESQ on synthetic speech: G.711 round trip alone
    scores ~4.43 with en-us+f5 but ~4.0-4.1 with the default male en-us
    (measured with pesq 0.0.4), so the default is en-us+f5."""
    if not shutil.which("espeak-ng"):
        raise RuntimeError("espeak-ng not found (apt-get install -y espeak-ng)")
    with tempfile.TemporaryDirectory(prefix="pesq-tts-") as td:
        raw = os.path.join(td, "tts.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", raw, text],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        x = read_wav_float(raw)
    # trim espeak's own leading/trailing silence, then pad deterministically
    nz = np.flatnonzero(np.abs(x) > 64)
    if len(nz):
        x = x[nz[0]:nz[-1] + 1]
    x = x[: int(max_s * RATE)]
    from scipy.signal import butter, sosfiltfilt
    x = sosfiltfilt(butter(6, [300, 3400], btype="band", fs=RATE, output="sos"), x)
    # normalise to ~ -3 dBFS peak: P.862 aligns levels anyway, but keep G.711
    # quantisation relative to the signal realistic
    peak = np.max(np.abs(x)) or 1.0
    x = x * (0.7 * 32767 / peak)
    pad = np.zeros(int(pad_s * RATE))
    x = np.concatenate([pad, x, pad])
    write_wav(out_wav, x)
    return len(x) / RATE


def align(ref: np.ndarray, deg: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Find where ref starts inside deg (cross-correlation, FFT) and return
    (deg trimmed/zero-padded to len(ref), offset in samples, normalised corr).
    offset > 0: deg has extra leading samples; < 0: deg starts late."""
    from scipy.signal import correlate
    n = len(ref)
    if len(deg) == 0:
        return np.zeros(n), 0, 0.0
    c = correlate(deg, ref, mode="full", method="fft")
    lag = int(np.argmax(c)) - (n - 1)
    out = np.zeros(n)
    src0, dst0 = max(lag, 0), max(-lag, 0)
    m = min(len(deg) - src0, n - dst0)
    if m > 0:
        out[dst0:dst0 + m] = deg[src0:src0 + m]
    den = math.sqrt(float(np.dot(ref, ref)) * float(np.dot(out, out))) or 1.0
    return out, lag, float(np.dot(ref, out)) / den


def score_pesq(ref: np.ndarray, deg: np.ndarray) -> float:
    from pesq import pesq
    return float(pesq(RATE, ref.astype(np.float32), deg.astype(np.float32), "nb"))


# ---------------------------------------------------------------- markdown

def replace_section(text: str, heading: str, body: str) -> str:
    """Replace the section starting at the line == heading up to the next
    heading of the same or higher level (or EOF); append if absent."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.rstrip("\n").rstrip() == heading), None)
    block = heading + "\n\n" + body.rstrip("\n") + "\n"
    if start is None:
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return text + sep + block
    end = len(lines)
    for j in range(start + 1, len(lines)):
        s = lines[j].lstrip()
        if s.startswith("#"):
            lv = len(s) - len(s.lstrip("#"))
            if lv <= level and s[lv:lv + 1] == " ":
                end = j
                break
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + block + ("\n" + tail if tail else "")


# ---------------------------------------------------------------- processes

_port_lock = threading.Lock()
_next_port = [0]


def alloc_port(base: int) -> int:
    """Even ports from a fixed range below the ephemeral range, each checked free together with the next one:
    an RTP receiver also binds RTCP on port + 1 (RFC 3550 section 11)."""
    with _port_lock:
        if _next_port[0] < base:
            _next_port[0] = base + (base % 2)
        for _ in range(2000):
            p = _next_port[0]
            _next_port[0] += 2
            socks = []
            try:
                for q in (p, p + 1):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    socks.append(s)
                    s.bind(("127.0.0.1", q))
                return p
            except OSError:
                continue
            finally:
                for s in socks:
                    s.close()
    raise RuntimeError("no free UDP port pair")


def wait_bound(port: int, proc, timeout: float) -> bool:
    """True once something holds UDP 127.0.0.1:port (bind probe fails)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        finally:
            s.close()
        time.sleep(0.01)
    return False


def stop_proc(p, grace=1.0):
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


# ---------------------------------------------------------------- conditions

def parse_extra(spec: str) -> dict:
    """'name:loss=2,jitter=30,reorder=5,ge=2/30,dup=1,delay=80,dist=normal'"""
    name, _, kv = spec.partition(":")
    c = {"name": name, "loss": 0.0, "jitter": 10.0, "reorder": 0.0, "dup": 0.0,
         "ge": None}
    for item in filter(None, kv.split(",")):
        k, _, v = item.partition("=")
        if k == "ge":
            c["ge"] = v.replace("/", ",")
        elif k == "dist":
            c["dist"] = v
        else:
            c[k] = float(v)
    return c


def build_conditions(a) -> list[dict]:
    conds = []
    for loss in a.loss:
        for jit in a.jitter:
            conds.append({"name": f"loss{loss:g}_jit{jit:g}", "loss": loss, "jitter": jit,
                          "reorder": 0.0, "dup": 0.0, "ge": None})
    for spec in a.extra:
        conds.append(parse_extra(spec))
    for c in conds:
        c.setdefault("delay", a.delay)
        c.setdefault("dist", a.dist)
    return conds


def relay_args(c: dict) -> list[str]:
    r = ["--delay", f"{c['delay']:g}", "--jitter", f"{c['jitter']:g}", "--dist", c["dist"]]
    if c.get("ge"):
        r += ["--ge", c["ge"]]
    else:
        r += ["--loss", f"{c['loss']:g}"]
    if c.get("reorder"):
        r += ["--reorder", f"{c['reorder']:g}"]
    if c.get("dup"):
        r += ["--dup", f"{c['dup']:g}"]
    return r


def describe(c: dict) -> str:
    if c.get("ge"):
        p, r = [float(x) for x in c["ge"].split(",")[:2]]
        s = f"GE burst p={p:g}% r={r:g}% (~{100 * p / (p + r):.1f}% loss)"
    else:
        s = f"loss {c['loss']:g}%"
    s += f", delay {c['delay']:g}±{c['jitter']:g} ms {c['dist']}"
    if c.get("reorder"):
        s += f", reorder {c['reorder']:g}%"
    if c.get("dup"):
        s += f", dup {c['dup']:g}%"
    return s


def capture(c, rep, seed, a, ref_path, speech_s, workdir) -> dict:
    """Run one condition once; returns a result dict with the received WAV path."""
    seconds = int(math.ceil(speech_s + a.tail))
    port = alloc_port(a.base_port)
    tag = f"{c['name']}-r{rep}"
    out = os.path.join(workdir, tag + ".wav")
    rx_stats = os.path.join(workdir, tag + ".rx.json")
    relay_stats = os.path.join(workdir, tag + ".relay.json")
    pt = 0 if a.codec == "pcmu" else 8
    cmd = a.receiver.format_map({
        "port": port, "seconds": seconds, "out": shlex.quote(out), "payload_type": pt,
        "stats": shlex.quote(rx_stats), "playout_ms": f"{a.late_ms:g}",
        "python": shlex.quote(sys.executable), "here": shlex.quote(HERE)})
    res = {"type": "run", "condition": c["name"], "rep": rep, "seed": seed, "port": port,
           "seconds": seconds, "error": None}
    rx = relay = None
    log = open(os.path.join(workdir, tag + ".log"), "wb")
    t0 = time.monotonic()
    try:
        rx = subprocess.Popen(shlex.split(cmd), stdout=log, stderr=log, start_new_session=True)
        if not wait_bound(port, rx, 5.0):
            raise RuntimeError(f"receiver did not bind 127.0.0.1:{port} (rc={rx.poll()})")
        relay = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "impair_relay.py"), "--listen", "127.0.0.1:0",
             "--target", f"127.0.0.1:{port}", "--seed", str(seed),
             "--duration", str(seconds + 2), "--late-ms", f"{a.late_ms:g}",
             "--stats", relay_stats] + relay_args(c),
            stdout=subprocess.PIPE, stderr=log, start_new_session=True, text=True)
        ready = json.loads(relay.stdout.readline() or "{}")
        if ready.get("event") != "ready":
            raise RuntimeError("relay did not start")
        snd = subprocess.run(
            [sys.executable, os.path.join(HERE, "rtp_speech_sender.py"), ref_path,
             "--dest", f"127.0.0.1:{ready['listen_port']}", "--codec", a.codec,
             "--seed", str(seed)],
            capture_output=True, text=True, timeout=speech_s + 5)
        if snd.returncode != 0:
            raise RuntimeError("sender failed: " + snd.stderr[-500:])
        res["sender"] = json.loads(snd.stdout.strip().splitlines()[-1])
        left = t0 + seconds + 1.0 - time.monotonic()
        try:
            rx.wait(max(left, 0.1))
        except subprocess.TimeoutExpired:
            res["receiver_overran"] = True
            stop_proc(rx)
        res["receiver_rc"] = rx.returncode
        stop_proc(relay)
        relay.stdout.close()
        if os.path.exists(relay_stats):
            with open(relay_stats) as f:
                rs = json.load(f)["fwd"]
            rs.pop("dropped_index_sample", None)
            res["relay"] = rs
        if os.path.exists(rx_stats):
            try:
                with open(rx_stats) as f:
                    res["receiver_stats"] = json.load(f)
            except ValueError:
                pass
        if not os.path.exists(out):
            raise RuntimeError("receiver wrote no WAV")
        res["wav"] = out
    except Exception as e:  # recorded, the matrix goes on
        res["error"] = str(e)
    finally:
        stop_proc(rx)
        stop_proc(relay)
        if relay is not None and relay.stdout and not relay.stdout.closed:
            relay.stdout.close()
        log.close()
    res["wall_s"] = round(time.monotonic() - t0, 2)
    return res


def score(res: dict, ref: np.ndarray) -> dict:
    if res.get("error"):
        res["pesq"] = None
        return res
    try:
        deg = read_wav_float(res.pop("wav"))
        aligned, lag, corr = align(ref, deg)
        res["offset_samples"], res["corr"] = lag, round(corr, 4)
        res["pesq"] = round(score_pesq(ref, aligned), 3)
    except Exception as e:
        res["error"], res["pesq"] = f"scoring: {e}", None
    return res


def summarize(c, runs) -> dict:
    vals = [r["pesq"] for r in runs if r.get("pesq") is not None]
    rel = [r["relay"] for r in runs if r.get("relay")]
    rxs = [r["receiver_stats"] for r in runs if r.get("receiver_stats")]
    mean = lambda xs: round(sum(xs) / len(xs), 1) if xs else None
    s = {"type": "summary", "condition": c["name"], "description": describe(c),
         "params": {k: c[k] for k in ("loss", "jitter", "delay", "dist", "reorder", "dup", "ge")},
         "reps": len(runs), "ok": len(vals),
         "pesq_median": round(statistics.median(vals), 3) if vals else None,
         "pesq_min": min(vals) if vals else None, "pesq_max": max(vals) if vals else None,
         "pesq_all": [r.get("pesq") for r in runs],
         "packets": mean([r["received"] for r in rel]),
         "relay_dropped": mean([r["dropped"] for r in rel]),
         "relay_late": mean([r["late"] for r in rel]),
         "relay_reordered": mean([r["reordered"] for r in rel]),
         "errors": [r["error"] for r in runs if r.get("error")]}
    if rxs and all("late" in x for x in rxs):
        s["receiver_late"] = mean([x["late"] for x in rxs])
    return s


def fmt(v, nd=2):
    return "—" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def markdown(summaries, a, command, speech_s, elapsed) -> str:
    late = f"{a.late_ms:g}"
    rx_late = any(s.get("receiver_late") is not None for s in summaries)
    lines = [
        f"PESQ = ITU-T P.862 narrowband MOS-LQO (`pesq` package, fs=8000, 'nb') of "
        f"{speech_s:.1f} s of espeak-ng speech sent as {a.codec.upper()} RTP (20 ms) through "
        f"`impair_relay.py`; median/min/max of {a.reps} run(s) (seeds {a.seed}..{a.seed + a.reps - 1}). "
        f"Lost/late/reordered are per-run means counted by the relay "
        f"(late = delay more than {late} ms above that of the first packet to leave the relay); "
        f"Late (receiver) is the receiver's own count from `{{stats}}`, when it writes one.",
        "",
        f"Receiver: `{a.receiver_display}`",
        "",
        "| Condition | Impairment | PESQ median | min | max | Pkts | Lost (relay) | "
        f"Late>{late}ms (relay) | Reordered (relay) |" + (" Late (receiver) |" if rx_late else ""),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if rx_late else ""),
    ]
    for s in summaries:
        lines.append(
            f"| {s['condition']} | {s['description']} | {fmt(s['pesq_median'])} | "
            f"{fmt(s['pesq_min'])} | {fmt(s['pesq_max'])} | {fmt(s['packets'], 0)} | "
            f"{fmt(s['relay_dropped'], 1)} | {fmt(s['relay_late'], 1)} | "
            f"{fmt(s['relay_reordered'], 1)} |"
            + (f" {fmt(s.get('receiver_late'), 1)} |" if rx_late else ""))
    errs = [(s["condition"], e) for s in summaries for e in s["errors"]]
    if errs:
        lines += ["", "Errors: " + "; ".join(f"{n}: {e}" for n, e in errs[:10])]
    lines += ["", f"Generated {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC on "
              f"{platform.node() or 'host'} ({os.cpu_count()} CPU), matrix wall time "
              f"{elapsed:.0f} s, with:", "", "```sh", command, "```"]
    return "\n".join(lines) + "\n"


def floats(s):
    return [float(x) for x in s.split(",") if x != ""]


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--receiver", default=None,
                    help="receiver command template (see above); default: reference_receiver.py")
    ap.add_argument("--codec", choices=("pcmu", "pcma"), default="pcmu")
    ap.add_argument("--loss", type=floats, default=[0.0, 2.0, 5.0], help="loss %% list (0,2,5)")
    ap.add_argument("--jitter", type=floats, default=[10.0, 30.0, 60.0],
                    help="jitter ms list (10,30,60): delay uniform in [D-J, D+J]")
    ap.add_argument("--delay", type=float, default=80.0, help="mean one-way delay D ms (80)")
    ap.add_argument("--dist", choices=("uniform", "normal"), default="uniform")
    ap.add_argument("--extra", action="append", default=None, metavar="NAME:k=v,...",
                    help="extra condition, e.g. 'reorder:loss=0,jitter=10,reorder=10' "
                         "(keys loss jitter delay dist reorder dup ge=P/R[/H/K]); "
                         "default: reorder10, burst_ge (GE 2/30), jit40_normal; --extra none: none")
    ap.add_argument("--reps", type=int, default=3, help="runs per condition (3)")
    ap.add_argument("--seed", type=int, default=1, help="first seed (1)")
    ap.add_argument("--jobs", type=int, default=3,
                    help="conditions captured concurrently (3; each run is mostly idle I/O)")
    ap.add_argument("--late-ms", type=float, default=100.0,
                    help="playout budget for the relay's 'late' count and {playout_ms} (100)")
    ap.add_argument("--tail", type=float, default=1.5,
                    help="receiver runs ceil(speech + tail) s (1.5)")
    ap.add_argument("--text", default=DEFAULT_TEXT, help="text for espeak-ng")
    ap.add_argument("--voice", default="en-us+f5", help="espeak-ng voice (en-us+f5)")
    ap.add_argument("--speed", type=int, default=165, help="espeak-ng words/min (165)")
    ap.add_argument("--speech", default=None, metavar="WAV",
                    help="use this WAV instead of espeak-ng (resampled to 8 kHz)")
    ap.add_argument("--max-speech", type=float, default=10.0, help="trim speech to S s (10)")
    ap.add_argument("--base-port", type=int, default=24000,
                    help="receiver ports are taken from here upwards (24000)")
    ap.add_argument("--jsonl", default=None, help="write JSON lines here (default: stdout only)")
    ap.add_argument("--md-out", default=None, help="write the Markdown section here")
    ap.add_argument("--update-md", default=None, metavar="FILE",
                    help=f"replace the '{SECTION}' section of FILE")
    ap.add_argument("--keep", default=None, metavar="DIR",
                    help="keep WAVs/logs in DIR (default: temp dir, deleted)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.extra is None:
        a.extra = ["reorder10:loss=0,jitter=10,reorder=10",
                   "burst_ge:jitter=10,ge=2/30",
                   "jit40_normal:jitter=40,dist=normal"]
    a.extra = [e for e in a.extra if e != "none"]
    a.receiver_display = a.receiver or (
        "python3 scripts/media/reference_receiver.py --port {port} --seconds {seconds} "
        "--out {out} --stats {stats}")
    if a.receiver is None:
        a.receiver = DEFAULT_RECEIVER
    command = "python3 scripts/media/pesq_bench.py " + shlex.join(
        argv if argv is not None else sys.argv[1:])

    for mod in ("pesq", "scipy"):
        try:
            __import__(mod)
        except ImportError:
            sys.exit(f"missing Python package {mod}: python3 -m pip install pesq numpy scipy")

    t_start = time.monotonic()
    workdir = a.keep or tempfile.mkdtemp(prefix="pesq-bench-")
    os.makedirs(workdir, exist_ok=True)
    jsonl = open(a.jsonl, "w") if a.jsonl else None

    def emit(obj):
        line = json.dumps(obj)
        if jsonl:
            jsonl.write(line + "\n")
            jsonl.flush()
        if not a.quiet:
            print(line, flush=True)

    try:
        ref_path = os.path.join(workdir, "reference_8k.wav")
        if a.speech:
            x = read_wav_float(a.speech)[: int(a.max_speech * RATE)]
            write_wav(ref_path, x)
            speech_s = len(x) / RATE
        else:
            speech_s = synthesize(a.text, ref_path, voice=a.voice, speed=a.speed,
                                  max_s=a.max_speech)
        ref = read_wav_float(ref_path)
        emit({"type": "setup", "speech_s": round(speech_s, 3), "codec": a.codec,
              "receiver": a.receiver_display, "reps": a.reps, "seed": a.seed,
              "self_pesq": round(score_pesq(ref, ref), 3)})
        conds = build_conditions(a)
        jobs = [(c, rep, a.seed + rep) for c in conds for rep in range(a.reps)]
        results = {c["name"]: [] for c in conds}
        with cf.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            futs = {ex.submit(capture, c, rep, seed, a, ref_path, speech_s, workdir): c
                    for c, rep, seed in jobs}
            for f in cf.as_completed(futs):
                r = f.result()
                results[futs[f]["name"]].append(r)
        summaries = []
        for c in conds:
            runs = sorted(results[c["name"]], key=lambda r: r["rep"])
            for r in runs:
                emit(score(r, ref))
            s = summarize(c, runs)
            emit(s)
            summaries.append(s)
        elapsed = time.monotonic() - t_start
        md = markdown(summaries, a, command, speech_s, elapsed)
        emit({"type": "done", "elapsed_s": round(elapsed, 1)})
        if not a.quiet:
            print("\n" + md)
        if a.md_out:
            with open(a.md_out, "w") as f:
                f.write(SECTION + "\n\n" + md)
        if a.update_md:
            old = ""
            if os.path.exists(a.update_md):
                with open(a.update_md) as f:
                    old = f.read()
            with open(a.update_md, "w") as f:
                f.write(replace_section(old, SECTION, md))
        failed = sum(1 for s in summaries if s["ok"] == 0)
        return 1 if failed else 0
    finally:
        if jsonl:
            jsonl.close()
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
