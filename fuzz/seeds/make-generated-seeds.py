#!/usr/bin/env python3
"""Writes the seeds of the `generated_messages` target into
fuzz/seeds/generated_messages/: for each protocol version and each kind of
record (valid request, invalid request, valid notification, invalid
notification), one input whose records walk through the methods in order,
each with its own generator seed and mutation pick. The input format is
described in harness/src/fuzzing/generated_messages.rs."""

import os
import struct

VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]
KINDS = ["valid-requests", "invalid-requests", "valid-notifications", "invalid-notifications"]
RECORDS = 20

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated_messages")
os.makedirs(out, exist_ok=True)
for v, version in enumerate(VERSIONS):
    for k, kind in enumerate(KINDS):
        data = bytes([v])
        for method in range(RECORDS):
            seed = (v * 1000 + k * 100 + method) * 0x9E3779B97F4A7C15 % 2**64
            data += bytes([k, method]) + struct.pack("<Q", seed) + bytes([method * 7 % 256])
        with open(os.path.join(out, f"{version}-{kind}"), "wb") as f:
            f.write(data)
