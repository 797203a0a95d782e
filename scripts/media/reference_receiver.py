#!/usr/bin/env python3
"""Deliberately simple stand-in RTP receiver (harness validation baseline).

Binds --port, collects G.711 RTP (PT 0 PCMU / PT 8 PCMA) for --seconds,
and writes an 8 kHz mono 16-bit WAV to --out:

  * locks on the first SSRC seen;
  * fixed playout delay: the first packet that arrives anchors the clock;
    a packet with RTP timestamp ts is due at
        t_first_arrival + playout + (ts - ts_first) / 8000
    and is dropped as late if it arrives after that;
  * payloads are placed by RTP timestamp; gaps (lost / late) are silence;
  * duplicates are ignored.

No jitter-buffer adaptation, no PLC: this is the baseline a real receiver
must beat. Exits after --seconds (or on SIGTERM/SIGINT, still writing --out).
"""
from __future__ import annotations

import argparse
import json
import select
import signal
import socket
import struct
import sys
import time
import wave
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

RATE = 8000


def parse_rtp(pkt: bytes):
    """Returns (pt, marker, seq, ts, ssrc, payload) or None if not RTP v2."""
    if len(pkt) < 12 or pkt[0] >> 6 != 2:
        return None
    b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", pkt)
    off = 12 + 4 * (b0 & 0x0F)
    if b0 & 0x10:  # header extension
        if len(pkt) < off + 4:
            return None
        off += 4 + 4 * struct.unpack_from("!H", pkt, off + 2)[0]
    end = len(pkt)
    if b0 & 0x20:  # padding
        end -= pkt[-1]
    if off > end:
        return None
    return b1 & 0x7F, bool(b1 & 0x80), seq, ts, ssrc, pkt[off:end]


def signed32(x: int) -> int:
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


class Receiver:
    def __init__(self, playout_ms: float = 100.0):
        self.playout = playout_ms / 1000.0
        self.ssrc = None
        self.ts_first = None
        self.t_first = None
        self.frames = {}  # ts offset (samples) -> (pt, payload)
        self.st = {"received": 0, "accepted": 0, "late": 0, "duplicates": 0,
                   "other_ssrc": 0, "bad": 0, "unsupported_pt": 0}

    def on_packet(self, pkt: bytes, now: float):
        self.st["received"] += 1
        r = parse_rtp(pkt)
        if r is None:
            self.st["bad"] += 1
            return
        pt, _m, _seq, ts, ssrc, payload = r
        if pt not in (0, 8):
            self.st["unsupported_pt"] += 1
            return
        if self.ssrc is None:
            self.ssrc, self.ts_first, self.t_first = ssrc, ts, now
        elif ssrc != self.ssrc:
            self.st["other_ssrc"] += 1
            return
        off = signed32(ts - self.ts_first)
        due = self.t_first + self.playout + off / RATE
        if now > due:
            self.st["late"] += 1
            return
        if off in self.frames:
            self.st["duplicates"] += 1
            return
        self.frames[off] = (pt, payload)
        self.st["accepted"] += 1

    def render(self) -> bytes:
        if not self.frames:
            return b""
        lo = min(self.frames)
        hi = max(o + len(p) for o, (_, p) in self.frames.items())
        buf = bytearray(2 * (hi - lo))  # silence
        for o, (pt, p) in sorted(self.frames.items()):
            lin = audioop.ulaw2lin(p, 2) if pt == 0 else audioop.alaw2lin(p, 2)
            i = 2 * (o - lo)
            buf[i:i + len(lin)] = lin
        return bytes(buf)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, required=True,
                    help="collect for this long, then write --out and exit")
    ap.add_argument("--out", required=True, help="output WAV (8 kHz mono 16-bit)")
    ap.add_argument("--playout-ms", type=float, default=100.0,
                    help="fixed playout delay (default 100 ms)")
    ap.add_argument("--payload-type", type=int, default=None,
                    help="accepted for CLI compatibility; PT is taken from packets")
    ap.add_argument("--stats", default=None, help="write JSON stats here")
    a = ap.parse_args(argv)

    rx = Receiver(a.playout_ms)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((a.host, a.port))
    sock.setblocking(False)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.monotonic() + a.seconds
    while not stop:
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            ready, _, _ = select.select([sock], [], [], min(left, 0.2))
        except InterruptedError:
            continue
        if not ready:
            continue
        while True:
            try:
                pkt = sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                break
            rx.on_packet(pkt, time.monotonic())
    sock.close()
    pcm = rx.render()
    with wave.open(a.out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    st = dict(rx.st, samples=len(pcm) // 2, playout_ms=a.playout_ms)
    if a.stats:
        with open(a.stats, "w") as f:
            json.dump(st, f)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
