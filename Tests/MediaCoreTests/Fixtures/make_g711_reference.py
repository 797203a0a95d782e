#!/usr/bin/env python3
"""Writes G.711 reference tables from Python's audioop (an implementation
independent of MediaCore) for the bit-exactness tests.

Run from this directory:  python3 make_g711_reference.py
Python 3.11/3.12 ship `audioop` (deprecated); on 3.13+ `pip install audioop-lts`.

Files (all little-endian where multi-byte):
  ulaw_encode.bin  65536 bytes: byte i = lin2ulaw(sample i - 32768)
  alaw_encode.bin  65536 bytes: byte i = lin2alaw(sample i - 32768)
  ulaw_decode.bin  512 bytes:   int16 i = ulaw2lin(byte i)
  alaw_decode.bin  512 bytes:   int16 i = alaw2lin(byte i)

Convention note: audioop's mu-law encoder (Sun/CCITT sample code) negates
negative samples in two's complement, whereas the ITU-T G.191 reference
(ulaw_compress) uses one's complement. For negative inputs audioop(x) equals
G.191(x - 4); the tests account for exactly that. A-law and both decoders
match G.191 exactly.
"""
import struct
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import audioop  # noqa: E402

samples = struct.pack("<65536h", *range(-32768, 32768))
all_bytes = bytes(range(256))

with open("ulaw_encode.bin", "wb") as f:
    f.write(audioop.lin2ulaw(samples, 2))
with open("alaw_encode.bin", "wb") as f:
    f.write(audioop.lin2alaw(samples, 2))
with open("ulaw_decode.bin", "wb") as f:
    f.write(audioop.ulaw2lin(all_bytes, 2))
with open("alaw_decode.bin", "wb") as f:
    f.write(audioop.alaw2lin(all_bytes, 2))

# Sanity checks of the conventions the tests rely on.
assert audioop.lin2ulaw(b"\x00\x00", 2) == b"\xff"
assert audioop.lin2alaw(b"\x00\x00", 2) == b"\xd5"
print("wrote ulaw_encode.bin alaw_encode.bin ulaw_decode.bin alaw_decode.bin")
