#!/usr/bin/env bash
# Runs build.sh outside the ClusterFuzzLite image, into a scratch $OUT, and
# checks what it leaves there as OSS-Fuzz would use it: every target of
# `cargo fuzz list` as an executable, its seed corpus as a zip holding every
# committed seed, its dictionary, and each fuzzer running its seeds once
# without a crash (what ClusterFuzzLite's bad-build check does, roughly).
# Needs nightly Rust, cargo-fuzz, zip and unzip. Exit status 0: all is there.
#
#   .clusterfuzzlite/check-build.sh            # OUT is a temp dir, removed after
#   KEEP_OUT=1 .clusterfuzzlite/check-build.sh # keep it, and say where
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=$(mktemp -d)
export OUT
if [[ -z "${KEEP_OUT:-}" ]]; then
    trap 'rm -rf "$OUT"' EXIT
fi
unset SRC
.clusterfuzzlite/build.sh

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
targets=$(cargo +nightly fuzz list)
for target in $targets; do
    [[ -x "$OUT/$target" ]] || { fail "$target: no executable in \$OUT"; continue; }
    seeds="fuzz/seeds/$target"
    if [[ -d "$seeds" ]]; then
        zip="$OUT/${target}_seed_corpus.zip"
        [[ -f "$zip" ]] || { fail "$target: no seed corpus zip"; continue; }
        unpacked="$OUT/$target.seeds"
        mkdir -p "$unpacked"
        unzip -q -o "$zip" -d "$unpacked"
        committed=$(find "$seeds" -type f | wc -l)
        zipped=$(find "$unpacked" -type f | wc -l)
        [[ "$committed" == "$zipped" ]] || fail "$target: $committed seeds committed, $zipped in the zip"
        # Each seed once (files, not a directory: no fuzzing), under the sanitizer.
        if find "$unpacked" -type f -print0 | xargs -0 "$OUT/$target" -rss_limit_mb=2048 -timeout=30 >"$OUT/$target.log" 2>&1; then
            echo "ok: $target ($zipped seeds run)"
        else
            tail -n 30 "$OUT/$target.log" >&2
            fail "$target: a seed failed (log above)"
        fi
    else
        echo "ok: $target (no seeds)"
    fi
    if [[ -f "fuzz/dict/$target.dict" ]]; then
        cmp -s "fuzz/dict/$target.dict" "$OUT/$target.dict" || fail "$target: dictionary missing or different in \$OUT"
    fi
done
extra=$(comm -13 <(printf '%s\n' $targets | sort) <(find "$OUT" -maxdepth 1 -type f -executable -printf '%f\n' | sort))
[[ -z "$extra" ]] || fail "executables in \$OUT that are no target: $extra"
[[ -n "${KEEP_OUT:-}" ]] && echo "the build is in $OUT"
if [[ $failures -gt 0 ]]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "build.sh: every target, seed corpus and dictionary is in place"
