"""Tests for rtp_speech_sender.py: RTP header validity, seq/ts progression,
marker, payload (G.711 of the resampled input), pacing without drift."""
import json
import math
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import warnings
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rtp_speech_sender as snd  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def write_sine(path, rate, seconds, freq=440.0, channels=1):
    n = int(rate * seconds)
    frames = bytearray()
    for i in range(n):
        v = int(12000 * math.sin(2 * math.pi * freq * i / rate))
        frames += struct.pack("<h", v) * channels
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


class SenderTest(unittest.TestCase):
    def run_sender(self, args, expect, wav_rate=16000, channels=2):
        with tempfile.TemporaryDirectory() as td:
            wav = os.path.join(td, "in.wav")
            write_sine(wav, wav_rate, 1.0, channels=channels)
            rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rx.bind(("127.0.0.1", 0))
            rx.settimeout(3)
            p = subprocess.Popen([sys.executable, os.path.join(HERE, "rtp_speech_sender.py"), wav,
                                  "--dest", f"127.0.0.1:{rx.getsockname()[1]}"] + args,
                                 stdout=subprocess.PIPE, text=True)
            got = []
            try:
                for _ in range(expect):
                    pkt = rx.recv(2048)
                    got.append((time.monotonic(), pkt))
            finally:
                out, _ = p.communicate(10)
                rx.close()
            return got, json.loads(out.strip().splitlines()[-1]), wav

    def test_rtp_headers_seq_ts_marker_payload(self):
        got, summary, _ = self.run_sender(["--seed", "5"], 50)
        self.assertEqual(summary["packets"], 50)
        ssrcs = set()
        for k, (_, pkt) in enumerate(got):
            b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", pkt)
            self.assertEqual(b0 >> 6, 2)           # version 2
            self.assertEqual(b0 & 0x3F, 0)         # no padding/ext/CSRC
            self.assertEqual(b1 & 0x7F, 0)         # PCMU
            self.assertEqual(bool(b1 & 0x80), k == 0)  # marker only on first
            self.assertEqual(seq, (summary["seq0"] + k) & 0xFFFF)
            self.assertEqual(ts, (summary["ts0"] + 160 * k) & 0xFFFFFFFF)
            self.assertEqual(len(pkt), 12 + 160)
            ssrcs.add(ssrc)
        self.assertEqual(ssrcs, {summary["ssrc"]})
        # payload decodes to the 440 Hz sine, resampled to 8 kHz
        pcm = b"".join(audioop.ulaw2lin(p[12:], 2) for _, p in got)
        ref = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(8000))
        s = pcm[400:-400]
        r = ref[400:-400]
        import numpy as np
        a = np.frombuffer(s, "<i2").astype(float)
        b = np.frombuffer(r, "<i2").astype(float)
        self.assertGreater(np.dot(a, b) / math.sqrt(np.dot(a, a) * np.dot(b, b)), 0.99)

    def test_random_bases_differ_without_seed(self):
        _, s1, _ = self.run_sender(["--pt", "8"], 50, wav_rate=8000, channels=1)
        _, s2, _ = self.run_sender(["--codec", "pcma"], 50, wav_rate=8000, channels=1)
        self.assertEqual(s1["pt"], 8)
        self.assertNotEqual((s1["ssrc"], s1["seq0"], s1["ts0"]),
                            (s2["ssrc"], s2["seq0"], s2["ts0"]))

    def test_pacing_no_drift_and_silence(self):
        got, summary, _ = self.run_sender(["--lead-silence", "0.2", "--trail-silence", "0.4",
                                           "--pt", "8"], 80, wav_rate=8000, channels=1)
        self.assertEqual(summary["packets"], 80)  # 1.0 + 0.2 + 0.4 s
        import numpy as np
        t = np.array([g[0] for g in got]) * 1000
        k = np.arange(len(t))
        slope, icpt = np.polyfit(k, t, 1)
        self.assertAlmostEqual(slope, 20.0, delta=0.03)   # no drift: 20 ms/packet
        err = np.abs(t - (t[0] + 20.0 * k))
        err -= np.median(err)                              # first-packet anchor noise
        self.assertLess(np.percentile(np.abs(err), 90), 1.5)
        self.assertLess(np.max(np.abs(err)), 10.0)
        # lead silence: first 10 packets are A-law silence (0x55 / 0xD5 family)
        first = audioop.alaw2lin(got[0][1][12:], 2)
        self.assertEqual(max(abs(v) for v in struct.unpack("<160h", first)), 8)
        self.assertEqual(got[0][1][1] & 0x7F, 8)

    def test_packetize_wraps(self):
        pkts = snd.packetize(b"\x00\x00" * 480, 0, 1, 0xFFFF, 0xFFFFFF60)
        seqs = [struct.unpack_from("!H", p, 2)[0] for p in pkts]
        tss = [struct.unpack_from("!I", p, 4)[0] for p in pkts]
        self.assertEqual(seqs, [0xFFFF, 0, 1])
        self.assertEqual(tss, [0xFFFFFF60, 0, 160])


if __name__ == "__main__":
    unittest.main()
