#!/usr/bin/env bash
# Regenerates fuzz/seeds/schema_validation/ from the official example messages
# (the 2026-07-28 examples, one folder per schema definition).
#
#   fuzz/seeds/make-schema-seeds.sh [SPEC_DIR]    (default ../shared/spec beside the repository)
#
# One seed per example and per protocol version whose official schema defines
# the example's definition: the version's index as one byte, the definition
# name, a newline, the example as compact JSON (the input format of
# harness/src/fuzzing/schema_validation.rs).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SPEC=${1:-$ROOT/../shared/spec}
OUT=$ROOT/fuzz/seeds/schema_validation
rm -rf "$OUT" && mkdir -p "$OUT"
python3 - "$SPEC" "$OUT" <<'PY'
import json, os, sys
spec, out = sys.argv[1], sys.argv[2]
versions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]
defined = []
for v in versions:
    with open(os.path.join(spec, v, "schema.json")) as f:
        schema = json.load(f)
    defined.append(set(schema.get("$defs") or schema.get("definitions") or {}))
examples = os.path.join(spec, "2026-07-28", "examples")
count = 0
for definition in sorted(os.listdir(examples)):
    for name in sorted(os.listdir(os.path.join(examples, definition))):
        with open(os.path.join(examples, definition, name)) as f:
            body = json.dumps(json.load(f), separators=(",", ":"), ensure_ascii=False)
        for index, version in enumerate(versions):
            if definition not in defined[index]:
                continue
            seed = bytes([index]) + definition.encode() + b"\n" + body.encode()
            stem = name.removesuffix(".json")
            with open(os.path.join(out, f"{version}-{definition}-{stem}"), "wb") as f:
                f.write(seed)
            count += 1
print(f"{count} seeds in {out}")
PY
