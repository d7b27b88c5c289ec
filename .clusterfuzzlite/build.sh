#!/bin/bash -eu
# Builds every cargo-fuzz target of fuzz/ into $OUT, each with its seed
# corpus (<target>_seed_corpus.zip, from fuzz/seeds/<target>/) and its
# dictionary (fuzz/dict/<target>.dict), as OSS-Fuzz and ClusterFuzzLite
# expect them. Runs inside the base-builder-rust image, which sets the
# sanitizer flags; locally: SRC=... OUT=... RUSTUP_TOOLCHAIN=nightly .clusterfuzzlite/build.sh
cd "$SRC/mcp-conform"

cargo fuzz build -O
built=fuzz/target/x86_64-unknown-linux-gnu/release

for target in $(cargo fuzz list); do
    cp "$built/$target" "$OUT/"
    if [ -d "fuzz/seeds/$target" ]; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        (cd "fuzz/seeds/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
    if [ -f "fuzz/dict/$target.dict" ]; then
        cp "fuzz/dict/$target.dict" "$OUT/"
    fi
done
