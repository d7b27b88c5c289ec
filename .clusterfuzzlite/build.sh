#!/bin/bash -eu
# Builds every cargo-fuzz target of fuzz/ into $OUT, each with its seed
# corpus (<target>_seed_corpus.zip, from fuzz/seeds/<target>/) and its
# dictionary (<target>.dict, from fuzz/dict/), as OSS-Fuzz and
# ClusterFuzzLite expect them.
#
# In the base-builder-rust image (the Dockerfile) the sources are in
# $SRC/mcp-conform and the image sets the sanitizer flags and a nightly
# toolchain. It also runs outside the image, from a checkout, with nightly
# Rust and cargo-fuzz installed:
#
#   OUT=$(mktemp -d) .clusterfuzzlite/build.sh
#
# (.clusterfuzzlite/check-build.sh does that and checks what comes out.)
if [[ -n "${SRC:-}" && -d "$SRC/mcp-conform/fuzz" ]]; then
    cd "$SRC/mcp-conform"
else
    cd "$(dirname "$0")/.."
fi
: "${OUT:?set OUT to the directory the fuzzers go to}"
mkdir -p "$OUT"
# Outside the image the default toolchain may be stable; cargo-fuzz needs nightly.
if ! cargo --version | grep -q nightly; then
    export RUSTUP_TOOLCHAIN=nightly
fi

cargo fuzz build -O
built=fuzz/target/x86_64-unknown-linux-gnu/release

for target in $(cargo fuzz list); do
    if [[ ! -x "$built/$target" ]]; then
        echo "build.sh: $target was not built at $built/$target" >&2
        exit 1
    fi
    cp "$built/$target" "$OUT/"
    if [[ -d "fuzz/seeds/$target" ]]; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        (cd "fuzz/seeds/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
    if [[ -f "fuzz/dict/$target.dict" ]]; then
        # -L: server_dispatch.dict is a link to jsonrpc_frame.dict; copy the tokens.
        cp -L "fuzz/dict/$target.dict" "$OUT/"
    fi
done
