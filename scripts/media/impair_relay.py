#!/usr/bin/env python3
"""User-space UDP impairment relay (netem substitute for loopback tests).

    client --> [listen socket]  relay  [upstream socket] --> target     ("fwd")
    client <-- [listen socket]  relay  [upstream socket] <-- target     ("rev")

Datagrams arriving on the listen socket are forwarded to --target; datagrams
arriving on the upstream socket (i.e. replies from the target, from any port)
are sent back to the last source seen on the listen socket (symmetric RTP).

Each direction has its own impairment model and its own RNG stream derived
from --seed, so a given input sequence always gets the same drop / delay /
duplicate decisions:

  loss        Bernoulli loss, percent                      (--loss)
  burst loss  Gilbert-Elliott 2-state model                (--ge P,R[,H[,K]])
              P = % chance Good->Bad per packet, R = % Bad->Good,
              H = % loss in Bad (default 100), K = % loss in Good (default 0).
              Mean loss = P/(P+R)*H + R/(P+R)*K. Replaces --loss when given.
  delay       base one-way delay D ms                      (--delay)
  jitter      +-J ms: uniform in [D-J, D+J], or normal with
              mean D and std-dev J (--dist normal); clamped at >= 0
  reordering  natural consequence of jitter; plus --reorder % of packets held
              back an extra --reorder-ms (default 40) ms
  duplication --dup % of packets sent twice (copy gets its own delay draw)

Options without prefix act on the forward direction, --rev-* on the reverse.

Single thread, select() with microsecond timeouts plus a heap of send times
(accuracy ~0.1-1 ms on an idle machine). Memory is bounded by --max-queue;
run time by --duration. On exit (duration, SIGTERM, SIGINT) a JSON stats
object is written to --stats (and to stdout as the last line).

On startup it prints one JSON line {"event": "ready", "listen_port": N, ...}
to stdout so a driver can use --listen-port 0.
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import selectors
import signal
import socket
import sys
import time

MAX_DGRAM = 65535


def parse_hostport(s: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    if ":" in s:
        h, p = s.rsplit(":", 1)
        return (h or default_host, int(p))
    return (default_host, int(s))


class Impairment:
    """Per-direction impairment decisions. Pure (no sockets), deterministic.

    decide() is called once per arriving datagram and returns the list of
    extra delays (seconds) at which copies must be sent: [] = dropped,
    one element = forwarded, two = duplicated.
    """

    def __init__(self, seed, name="fwd", loss=0.0, ge=None, delay_ms=0.0,
                 jitter_ms=0.0, dist="uniform", dup=0.0, reorder=0.0,
                 reorder_ms=40.0):
        self.rng = random.Random(f"{seed}/{name}")
        self.loss = loss / 100.0
        self.ge = None
        if ge:
            p, r, h, k = (list(ge) + [100.0, 0.0][len(ge) - 2:])[:4]
            self.ge = (p / 100.0, r / 100.0, h / 100.0, k / 100.0)
        self.ge_bad = False
        self.delay = delay_ms / 1000.0
        self.jitter = jitter_ms / 1000.0
        if dist not in ("uniform", "normal"):
            raise ValueError("dist must be uniform or normal")
        self.dist = dist
        self.dup = dup / 100.0
        self.reorder = reorder / 100.0
        self.reorder_s = reorder_ms / 1000.0

    def _lost(self) -> bool:
        rng = self.rng
        if self.ge:
            p, r, h, k = self.ge
            # transition first, then draw loss in the (new) state
            if self.ge_bad:
                if rng.random() < r:
                    self.ge_bad = False
            else:
                if rng.random() < p:
                    self.ge_bad = True
            return rng.random() < (h if self.ge_bad else k)
        return rng.random() < self.loss

    def _one_delay(self) -> float:
        if self.jitter > 0:
            if self.dist == "uniform":
                d = self.delay + self.rng.uniform(-self.jitter, self.jitter)
            else:
                d = self.rng.gauss(self.delay, self.jitter)
        else:
            d = self.delay
        return max(0.0, d)

    def decide(self) -> tuple[list[float], bool]:
        """Returns (delays, explicitly_reordered). Draw order is fixed so the
        same seed gives the same decisions for the same packet index."""
        lost = self._lost()
        d = self._one_delay()
        held = self.reorder > 0 and self.rng.random() < self.reorder
        duped = self.dup > 0 and self.rng.random() < self.dup
        d2 = self._one_delay() if duped else 0.0
        if lost:
            return [], False
        if held:
            d += self.reorder_s
        out = [d]
        if duped:
            out.append(d2)
        return out, held


class DirStats:
    def __init__(self, late_ms):
        self.received = 0       # datagrams that arrived at the relay
        self.forwarded = 0      # datagrams sent out (including duplicates)
        self.dropped = 0        # lost on purpose
        self.duplicated = 0     # extra copies
        self.reordered = 0      # sent after a later-arrived datagram
        self.held = 0           # explicitly held back (--reorder)
        self.overflow = 0       # dropped because the queue was full
        self.send_errors = 0
        self.late = 0           # see as_dict()
        self.late_ms = late_ms
        self.delays = []        # applied delays in ms (first copy), bounded
        self.departs = []       # scheduled departure times (first copy), bounded
        self.max_sent_idx = -1
        self.dropped_idx = []   # arrival indexes dropped (bounded)
        self.sched_late = []    # actual send time - scheduled send time, ms

    def note_sched(self, late_s):
        if len(self.sched_late) < 200000:
            self.sched_late.append(late_s * 1000.0)

    def note_delay(self, d_s, now):
        if len(self.delays) < 200000:
            self.delays.append(d_s * 1000.0)
            self.departs.append(now + d_s)

    def compute_late(self):
        """Packets a fixed-playout receiver anchored on the first packet it
        gets would drop: for a constant-rate sender that is every packet
        whose delay exceeds the delay of the first packet to *leave* the
        relay by more than late_ms."""
        if self.late_ms is None or not self.delays:
            return 0
        a = min(range(len(self.departs)), key=self.departs.__getitem__)
        lim = self.delays[a] + self.late_ms
        return sum(1 for d in self.delays if d > lim)

    def as_dict(self):
        self.late = self.compute_late()
        d = {k: getattr(self, k) for k in (
            "received", "forwarded", "dropped", "duplicated", "reordered",
            "held", "overflow", "send_errors", "late")}
        d["late_threshold_ms"] = self.late_ms
        if self.delays:
            s = sorted(self.delays)
            n = len(s)
            d["delay_ms"] = {
                "min": round(s[0], 3), "mean": round(sum(s) / n, 3),
                "p50": round(s[n // 2], 3), "p95": round(s[min(n - 1, int(n * 0.95))], 3),
                "max": round(s[-1], 3)}
        if self.sched_late:
            s = sorted(self.sched_late)
            n = len(s)
            d["sched_error_ms"] = {"p50": round(s[n // 2], 3),
                                   "p99": round(s[min(n - 1, int(n * 0.99))], 3),
                                   "max": round(s[-1], 3)}
        d["dropped_index_sample"] = self.dropped_idx[:2000]
        return d


def add_dir_args(ap, prefix, label):
    p = f"--{prefix}" if prefix else "--"
    ap.add_argument(f"{p}loss", type=float, default=0.0, metavar="PCT",
                    help=f"{label}: random loss percent (default 0)")
    ap.add_argument(f"{p}ge", default=None, metavar="P,R[,H[,K]]",
                    help=f"{label}: Gilbert-Elliott burst loss, percents (overrides loss)")
    ap.add_argument(f"{p}delay", type=float, default=0.0, metavar="MS",
                    help=f"{label}: base one-way delay ms (default 0)")
    ap.add_argument(f"{p}jitter", type=float, default=0.0, metavar="MS",
                    help=f"{label}: jitter ms (uniform +-J, or std-dev for normal)")
    ap.add_argument(f"{p}dist", choices=("uniform", "normal"), default="uniform",
                    help=f"{label}: delay distribution (default uniform)")
    ap.add_argument(f"{p}dup", type=float, default=0.0, metavar="PCT",
                    help=f"{label}: duplication percent")
    ap.add_argument(f"{p}reorder", type=float, default=0.0, metavar="PCT",
                    help=f"{label}: percent of packets explicitly held back")
    ap.add_argument(f"{p}reorder-ms", type=float, default=40.0, metavar="MS",
                    help=f"{label}: extra hold time for --reorder packets (default 40)")


def impairment_from_args(a, prefix, seed, name):
    g = lambda k: getattr(a, (prefix + k).replace("-", "_"))
    ge = g("ge")
    ge_t = tuple(float(x) for x in ge.split(",")) if ge else None
    if ge_t is not None and len(ge_t) < 2:
        raise SystemExit("--ge needs at least P,R")
    return Impairment(seed, name, loss=g("loss"), ge=ge_t, delay_ms=g("delay"),
                      jitter_ms=g("jitter"), dist=g("dist"), dup=g("dup"),
                      reorder=g("reorder"), reorder_ms=g("reorder_ms"))


class Relay:
    def __init__(self, listen, target, fwd: Impairment, rev: Impairment,
                 upstream_port=0, max_queue=10000, late_ms=None):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.lsock.bind(listen)
        self.usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.usock.bind((listen[0], upstream_port))
        for s in (self.lsock, self.usock):
            s.setblocking(False)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            except OSError:
                pass
        self.target = target
        self.client = None
        self.imp = {"fwd": fwd, "rev": rev}
        self.stats = {"fwd": DirStats(late_ms), "rev": DirStats(late_ms)}
        self.arr_idx = {"fwd": 0, "rev": 0}
        self.heap = []
        self.seq = 0
        self.max_queue = max_queue
        self.stop = False

    @property
    def listen_port(self):
        return self.lsock.getsockname()[1]

    @property
    def upstream_port(self):
        return self.usock.getsockname()[1]

    def _on_packet(self, direction, data, now):
        st = self.stats[direction]
        idx = self.arr_idx[direction]
        self.arr_idx[direction] += 1
        st.received += 1
        delays, held = self.imp[direction].decide()
        if not delays:
            st.dropped += 1
            if len(st.dropped_idx) < 100000:
                st.dropped_idx.append(idx)
            return
        if held:
            st.held += 1
        st.note_delay(delays[0], now)
        if len(delays) > 1:
            st.duplicated += 1
        for d in delays:
            if len(self.heap) >= self.max_queue:
                st.overflow += 1
                continue
            self.seq += 1
            heapq.heappush(self.heap, (now + d, self.seq, direction, idx, data))

    def _send(self, direction, idx, data, due):
        st = self.stats[direction]
        st.note_sched(time.monotonic() - due)
        if direction == "fwd":
            sock, dst = self.usock, self.target
        else:
            sock, dst = self.lsock, self.client
        if dst is None:
            st.send_errors += 1
            return
        if idx < st.max_sent_idx:
            st.reordered += 1
        else:
            st.max_sent_idx = idx
        try:
            sock.sendto(data, dst)
            st.forwarded += 1
        except OSError:
            st.send_errors += 1

    def _drain(self, sock, direction):
        while True:
            try:
                data, addr = sock.recvfrom(MAX_DGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                continue  # ICMP port unreachable from an earlier send
            now = time.monotonic()
            if direction == "fwd":
                self.client = addr
            self._on_packet(direction, data, now)

    def run(self, duration=None):
        sel = selectors.SelectSelector()  # select(): microsecond timeout resolution
        sel.register(self.lsock, selectors.EVENT_READ, "fwd")
        sel.register(self.usock, selectors.EVENT_READ, "rev")
        end = time.monotonic() + duration if duration else math.inf
        while not self.stop:
            now = time.monotonic()
            while self.heap and self.heap[0][0] <= now:
                due, _, direction, idx, data = heapq.heappop(self.heap)
                self._send(direction, idx, data, due)
            if now >= end:
                break
            timeout = end - now
            if self.heap:
                timeout = min(timeout, self.heap[0][0] - now)
            timeout = min(max(timeout, 0.0), 0.5)
            for key, _ in sel.select(timeout):
                self._drain(key.fileobj, key.data)
        sel.close()
        pending = len(self.heap)
        self.heap.clear()
        return pending

    def close(self):
        self.lsock.close()
        self.usock.close()


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:0", metavar="[HOST:]PORT",
                    help="listen address (default 127.0.0.1:0 = ephemeral port)")
    ap.add_argument("--listen-port", type=int, default=None,
                    help="shortcut for --listen 127.0.0.1:PORT")
    ap.add_argument("--target", required=True, metavar="[HOST:]PORT",
                    help="where to forward datagrams from the listen socket")
    ap.add_argument("--upstream-port", type=int, default=0,
                    help="local port used to talk to the target (default ephemeral)")
    ap.add_argument("--seed", type=int, default=1, help="RNG seed (default 1)")
    ap.add_argument("--duration", type=float, default=60.0,
                    help="exit after this many seconds (default 60, 0 = until signal)")
    ap.add_argument("--max-queue", type=int, default=10000,
                    help="max datagrams in flight inside the relay (default 10000)")
    ap.add_argument("--late-ms", type=float, default=None,
                    help="count as 'late' datagrams whose delay exceeds by more than this "
                         "the delay of the first datagram to leave the relay (what a "
                         "fixed-playout receiver anchored on its first packet drops)")
    ap.add_argument("--stats", default=None, help="write JSON stats here on exit")
    add_dir_args(ap, "", "forward (listen->target)")
    add_dir_args(ap, "rev-", "reverse (target->client)")
    a = ap.parse_args(argv)

    listen = parse_hostport(a.listen)
    if a.listen_port is not None:
        listen = ("127.0.0.1", a.listen_port)
    target = parse_hostport(a.target)
    fwd = impairment_from_args(a, "", a.seed, "fwd")
    rev = impairment_from_args(a, "rev_", a.seed, "rev")
    relay = Relay(listen, target, fwd, rev, a.upstream_port, a.max_queue, a.late_ms)

    def on_sig(signum, frame):
        relay.stop = True
    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)

    print(json.dumps({"event": "ready", "listen_port": relay.listen_port,
                      "upstream_port": relay.upstream_port,
                      "target": f"{target[0]}:{target[1]}"}), flush=True)
    t0 = time.monotonic()
    pending = relay.run(a.duration if a.duration > 0 else None)
    out = {"event": "stats", "seed": a.seed, "elapsed_s": round(time.monotonic() - t0, 3),
           "pending_discarded": pending,
           "fwd": relay.stats["fwd"].as_dict(), "rev": relay.stats["rev"].as_dict()}
    relay.close()
    text = json.dumps(out)
    if a.stats:
        with open(a.stats, "w") as f:
            f.write(text + "\n")
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
