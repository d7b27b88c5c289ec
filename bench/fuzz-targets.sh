#!/usr/bin/env bash
# Executions per second of each cargo-fuzz target (fuzz/), one target after
# the other, each for SECONDS_PER_TARGET seconds from its committed seeds
# (and a fresh scratch corpus) with its dictionary, as the CI smoke run
# runs them. Prints one table: executions, exec/s (libFuzzer's
# stat::average_exec_per_sec), coverage at the end (cov / ft), peak RSS, the
# 1-minute load average before and after, and whether the run ended clean.
#
#   bench/fuzz-targets.sh                          # 60 s per target
#   SECONDS_PER_TARGET=20 bench/fuzz-targets.sh
#   TARGETS="jsonrpc_frame event_stream" SECONDS_PER_TARGET=20 bench/fuzz-targets.sh
#   NO_BUILD=1 ...                                 # use the fuzzers already built
#
# Needs nightly Rust and cargo-fuzz. A target that crashes is marked
# `crashed` and its log kept (the path is printed); the others still run.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-60}
if [[ -z "${NO_BUILD:-}" ]]; then
    cargo +nightly fuzz build -O
fi
BUILT=fuzz/target/x86_64-unknown-linux-gnu/release
TARGETS=${TARGETS:-$(cargo +nightly fuzz list)}
WORK=$(mktemp -d)
KEEP=
trap 'if [[ -z "$KEEP" ]]; then rm -rf "$WORK"; fi' EXIT

load() { cut -d' ' -f1 /proc/loadavg; }
# The last value of a libFuzzer status field ("cov: 123") in a log.
last_field() { grep -o "$1: [0-9]*" "$2" | tail -n 1 | cut -d' ' -f2; }
stat_field() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

rows=()
for target in $TARGETS; do
    [[ -x "$BUILT/$target" ]] || { echo "no fuzzer built for $target at $BUILT/$target" >&2; exit 1; }
    corpus="$WORK/corpus/$target"
    mkdir -p "$corpus"
    seeds=()
    [[ -d "fuzz/seeds/$target" ]] && seeds=("fuzz/seeds/$target")
    dict=()
    [[ -f "fuzz/dict/$target.dict" ]] && dict=("-dict=fuzz/dict/$target.dict")
    log="$WORK/$target.log"
    before=$(load)
    echo "$target: ${SECONDS_PER_TARGET}s ..." >&2
    status=clean
    "$BUILT/$target" "$corpus" "${seeds[@]}" "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=crashed
    after=$(load)
    if [[ $status == crashed ]]; then
        KEEP=1
        echo "$target crashed: see $log" >&2
    fi
    rows+=("$(printf '| `%s` | %s | %s | %s / %s | %s MB | %s → %s | %s |' "$target" \
        "$(stat_field number_of_executed_units "$log")" "$(stat_field average_exec_per_sec "$log")" \
        "$(last_field cov "$log")" "$(last_field ft "$log")" "$(stat_field peak_rss_mb "$log")" \
        "$before" "$after" "$status")")
done

echo
echo "${SECONDS_PER_TARGET} s per target, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'):"
echo
echo '| target | executions | exec/s | cov / ft at the end | peak RSS | load (1 min) before → after | ended |'
echo '| ------ | ---------: | -----: | ------------------- | -------: | --------------------------- | ----- |'
printf '%s\n' "${rows[@]}"
