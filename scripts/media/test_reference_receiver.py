"""Tests for reference_receiver.py: placement by timestamp, late drop,
gap -> silence, duplicates, SSRC lock, RTP parsing."""
import os
import struct
import sys
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_receiver as rr  # noqa: E402
import rtp_speech_sender as snd  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def frame(k, value):
    return struct.pack("<h", value) * 160


class ReceiverTest(unittest.TestCase):
    def setUp(self):
        pcm = b"".join(frame(k, 1000 * (k + 1)) for k in range(6))
        self.pkts = snd.packetize(pcm, 0, 0x1234, 65534, 0xFFFFFF00)  # seq+ts wrap

    def test_placement_late_gap_dup(self):
        rx = rr.Receiver(playout_ms=100)
        t = 10.0
        rx.on_packet(self.pkts[0], t)                 # anchors
        rx.on_packet(self.pkts[2], t + 0.040)         # packet 1 missing (gap)
        rx.on_packet(self.pkts[2], t + 0.041)         # duplicate
        rx.on_packet(self.pkts[4], t + 0.080)
        rx.on_packet(self.pkts[3], t + 0.159)         # reordered but due at t+0.160
        rx.on_packet(self.pkts[5], t + 0.2001)        # due at t+0.200 -> late
        rx.on_packet(b"\x00" * 20, t)                 # not RTP
        other = bytearray(self.pkts[1])
        other[8:12] = b"\x00\x00\x00\x09"
        rx.on_packet(bytes(other), t + 0.02)          # other SSRC
        self.assertEqual(rx.st["late"], 1)
        self.assertEqual(rx.st["duplicates"], 1)
        self.assertEqual(rx.st["bad"], 1)
        self.assertEqual(rx.st["other_ssrc"], 1)
        pcm = rx.render()
        self.assertEqual(len(pcm), 2 * 160 * 5)       # frames 0..4
        vals = [struct.unpack_from("<h", pcm, 2 * 160 * k)[0] for k in range(5)]
        expect = [audioop.ulaw2lin(audioop.lin2ulaw(struct.pack("<h", 1000 * (k + 1)), 2), 2)
                  for k in range(5)]
        expect = [struct.unpack("<h", e)[0] for e in expect]
        expect[1] = 0                                  # gap filled with silence
        self.assertEqual(vals, expect)

    def test_earlier_packet_after_anchor_is_placed_before(self):
        rx = rr.Receiver(playout_ms=100)
        rx.on_packet(self.pkts[1], 5.0)
        rx.on_packet(self.pkts[0], 5.01)   # due at 5.0 + 0.1 - 0.02
        pcm = rx.render()
        self.assertEqual(len(pcm), 2 * 320)
        self.assertNotEqual(struct.unpack_from("<h", pcm, 0)[0], 0)

    def test_parse_csrc_extension_padding(self):
        payload = b"\xff" * 160
        hdr = struct.pack("!BBHII", 0x80 | 0x20 | 0x10 | 1, 8, 1, 2, 3) + b"CSRC"
        ext = struct.pack("!HH", 0xBEDE, 1) + b"abcd"
        pkt = hdr + ext + payload + b"\x00\x00\x03"
        pt, m, seq, ts, ssrc, pl = rr.parse_rtp(pkt)
        self.assertEqual((pt, m, seq, ts, ssrc, pl), (8, False, 1, 2, 3, payload))


if __name__ == "__main__":
    unittest.main()
