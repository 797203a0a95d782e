#!/usr/bin/env python3
"""Send a WAV file as a G.711 RTP stream (RFC 3550), paced in real time.

WAV (PCM 8/16/24/32-bit, any rate, any channel count) -> mono -> 8 kHz
(scipy.signal.resample_poly, or sox when scipy is missing) -> PCMU (PT 0,
default) or PCMA (PT 8) -> RTP: version 2, random SSRC, random initial
sequence number and timestamp, marker bit on the first packet, --ptime ms of
audio per packet (default 20 = 160 samples). Packet k is sent at
start + k*ptime on the monotonic clock (no cumulative sleep drift).

Prints one JSON summary line on exit (ssrc, first seq/ts, packets, duration,
max lateness of the send loop).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import wave
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # stdlib in 3.11 (removed in 3.13)

RATE = 8000
PT_PCMU = 0
PT_PCMA = 8


def read_wav_mono16(path: str) -> tuple[bytes, int]:
    """Returns (16-bit little-endian mono PCM bytes, sample rate)."""
    with wave.open(path, "rb") as w:
        ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        if w.getcomptype() != "NONE":
            raise ValueError(f"{path}: compressed WAV not supported")
        data = w.readframes(n)
    if width == 1:
        data = audioop.bias(data, 1, -128)  # 8-bit WAV is unsigned
    if width != 2:
        data = audioop.lin2lin(data, width, 2)
    if ch == 2:
        data = audioop.tomono(data, 2, 0.5, 0.5)
    elif ch > 2:
        import array
        a = array.array("h", data)
        mono = array.array("h", (int(sum(a[i:i + ch]) / ch) for i in range(0, len(a), ch)))
        data = mono.tobytes()
    return data, rate


def resample16(data: bytes, rate: int, to_rate: int = RATE) -> bytes:
    if rate == to_rate:
        return data
    try:
        import numpy as np
        from scipy.signal import resample_poly
        from math import gcd
        g = gcd(rate, to_rate)
        x = np.frombuffer(data, dtype="<i2").astype(np.float64)
        y = resample_poly(x, to_rate // g, rate // g)
        return np.clip(np.round(y), -32768, 32767).astype("<i2").tobytes()
    except ImportError:
        pass
    if not shutil.which("sox"):
        raise RuntimeError("need scipy or sox to resample")
    with tempfile.TemporaryDirectory() as td:
        src, dst = os.path.join(td, "in.wav"), os.path.join(td, "out.wav")
        write_wav16(src, data, rate)
        subprocess.run(["sox", src, "-r", str(to_rate), "-c", "1", "-b", "16", dst],
                       check=True)
        out, _ = read_wav_mono16(dst)
        return out


def write_wav16(path: str, data: bytes, rate: int = RATE) -> None:
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data)


def load_8k(path: str) -> bytes:
    data, rate = read_wav_mono16(path)
    return resample16(data, rate, RATE)


def encode(pcm16: bytes, pt: int) -> bytes:
    return audioop.lin2ulaw(pcm16, 2) if pt == PT_PCMU else audioop.lin2alaw(pcm16, 2)


def rtp_header(pt: int, seq: int, ts: int, ssrc: int, marker: bool) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | (pt & 0x7F),
                       seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc & 0xFFFFFFFF)


def packetize(pcm16: bytes, pt: int, ssrc: int, seq0: int, ts0: int,
              ptime_ms: int = 20) -> list[bytes]:
    spp = RATE * ptime_ms // 1000
    nbytes = spp * 2
    if len(pcm16) % nbytes:
        pcm16 += b"\x00" * (nbytes - len(pcm16) % nbytes)
    pkts = []
    for k in range(len(pcm16) // nbytes):
        payload = encode(pcm16[k * nbytes:(k + 1) * nbytes], pt)
        pkts.append(rtp_header(pt, seq0 + k, ts0 + k * spp, ssrc, k == 0) + payload)
    return pkts


def send_paced(sock, dest, pkts, ptime_ms=20, start=None):
    """Send pkts[k] at start + k*ptime on the monotonic clock.
    Returns (start, max lateness in seconds)."""
    period = ptime_ms / 1000.0
    start = time.monotonic() + 0.005 if start is None else start
    max_late = 0.0
    for k, p in enumerate(pkts):
        due = start + k * period
        while True:
            now = time.monotonic()
            dt = due - now
            if dt <= 0:
                break
            time.sleep(dt if dt > 0.002 else dt / 2)  # coarse, then fine
        max_late = max(max_late, time.monotonic() - due)
        try:
            sock.sendto(p, dest)
        except ConnectionRefusedError:
            pass  # receiver not (yet) there: ICMP unreachable; keep pacing
    return start, max_late


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("wav", help="input WAV (any rate / channels, PCM)")
    ap.add_argument("--dest", required=True, metavar="[HOST:]PORT",
                    help="destination, e.g. 127.0.0.1:40000")
    ap.add_argument("--codec", choices=("pcmu", "pcma"), default="pcmu",
                    help="PCMU (PT 0, default) or PCMA (PT 8)")
    ap.add_argument("--pt", type=int, choices=(0, 8), default=None,
                    help="payload type (overrides --codec)")
    ap.add_argument("--ptime", type=int, default=20, help="ms per packet (default 20)")
    ap.add_argument("--lead-silence", type=float, default=0.0, metavar="S",
                    help="seconds of silence before the speech")
    ap.add_argument("--trail-silence", type=float, default=0.0, metavar="S",
                    help="seconds of silence after the speech")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed for SSRC / initial seq / ts (default: random)")
    ap.add_argument("--ssrc", type=lambda s: int(s, 0), default=None)
    ap.add_argument("--bind", default="127.0.0.1:0", metavar="[HOST:]PORT",
                    help="local address (default 127.0.0.1:0)")
    ap.add_argument("--save-ref", default=None, metavar="WAV",
                    help="write the exact 8 kHz linear audio that was sent")
    a = ap.parse_args(argv)

    pt = a.pt if a.pt is not None else (PT_PCMU if a.codec == "pcmu" else PT_PCMA)
    pcm = load_8k(a.wav)
    pcm = (b"\x00\x00" * int(RATE * a.lead_silence) + pcm
           + b"\x00\x00" * int(RATE * a.trail_silence))
    if a.save_ref:
        write_wav16(a.save_ref, pcm)
    rng = random.Random(a.seed) if a.seed is not None else random.SystemRandom()
    ssrc = a.ssrc if a.ssrc is not None else rng.getrandbits(32)
    seq0, ts0 = rng.getrandbits(16), rng.getrandbits(32)
    pkts = packetize(pcm, pt, ssrc, seq0, ts0, a.ptime)

    def hp(s):
        h, _, p = s.rpartition(":")
        return (h or "127.0.0.1", int(p))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(hp(a.bind))
    t0, max_late = send_paced(sock, hp(a.dest), pkts, a.ptime)
    sock.close()
    print(json.dumps({"event": "sent", "packets": len(pkts), "pt": pt, "ssrc": ssrc,
                      "seq0": seq0, "ts0": ts0, "ptime_ms": a.ptime,
                      "duration_s": round(time.monotonic() - t0, 3),
                      "max_send_lateness_ms": round(max_late * 1000, 3)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
