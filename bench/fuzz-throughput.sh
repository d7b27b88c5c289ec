#!/usr/bin/env bash
# Throughput of `mcp-conform fuzz` against the bundled reference server, over
# stdio and Streamable HTTP, beside the same server's sequential ping rate
# measured in the same run (harness/examples/ping_rate.rs): the ratio says how
# much the fuzzer's window buys over one request at a time, and how close the
# harness stays to the server's own floor.
#
#   bench/fuzz-throughput.sh                 # release build, 5000 inputs per run
#   INPUTS=20000 PINGS=20000 bench/fuzz-throughput.sh
#   MCP_CONFORM=target/release/mcp-conform PING_RATE=target/release/examples/ping_rate bench/fuzz-throughput.sh
#
# Each fuzz run is a 2025-11-25 session (the version that has `ping`), seed 1,
# window 8 and window 1. Inputs/s counts fuzz inputs; a malformed input is
# followed by a liveness probe, so the requests on the wire are a little more.
set -euo pipefail
cd "$(dirname "$0")/.."

INPUTS=${INPUTS:-5000}
PINGS=${PINGS:-5000}
VERSION=2025-11-25
if [[ -z "${MCP_CONFORM:-}" || -z "${PING_RATE:-}" ]]; then
    cargo build --release --quiet -p mcp-conform --bin mcp-conform --example ping_rate
fi
BIN=${MCP_CONFORM:-target/release/mcp-conform}
PING_RATE=${PING_RATE:-target/release/examples/ping_rate}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Inputs per second from the summary line: "... N inputs in S s (...)".
fuzz_rate() {
    local out
    out=$("$BIN" fuzz --seed 1 --iterations "$INPUTS" --spec-version "$VERSION" --findings "$WORK/findings" --no-shrink "$@" 2>/dev/null) || {
        echo "fuzz run failed or found something:" >&2
        echo "$out" >&2
        exit 1
    }
    echo "$out" | sed -n 's/.* \([0-9][0-9]*\) inputs in \([0-9.]*\)s.*/\1 \2/p' | awk '{ printf "%.0f", $1 / $2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "mcp-conform fuzz throughput, $INPUTS inputs per run, $PINGS sequential pings, protocol $VERSION"
echo "binary: $BIN ($(nproc) cores)"
printf '%-16s %14s %16s %16s %10s %10s\n' transport "ping/s (seq)" "fuzz in/s (w=8)" "fuzz in/s (w=1)" "w8/ping" "w1/ping"

# stdio: every run spawns its own server process.
ping=$("$PING_RATE" --count "$PINGS" --stdio "$BIN" reference-server)
w8=$(fuzz_rate --window 8 -- "$BIN" reference-server)
w1=$(fuzz_rate --window 1 -- "$BIN" reference-server)
printf '%-16s %14s %16s %16s %10s %10s\n' stdio "$ping" "$w8" "$w1" "$(ratio "$w8" "$ping")" "$(ratio "$w1" "$ping")"

# Streamable HTTP: one server for all three measurements.
"$BIN" reference-server --http 127.0.0.1:0 > "$WORK/http.out" 2>/dev/null &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$WORK/http.out" 2>/dev/null && break
    sleep 0.05
done
URL=$(sed -n 's/^listening on //p' "$WORK/http.out")
ping=$("$PING_RATE" --count "$PINGS" --url "$URL")
w8=$(fuzz_rate --window 8 --url "$URL")
w1=$(fuzz_rate --window 1 --url "$URL")
printf '%-16s %14s %16s %16s %10s %10s\n' streamable-http "$ping" "$w8" "$w1" "$(ratio "$w8" "$ping")" "$(ratio "$w1" "$ping")"
# The same without tool calls: the tools that answer on a live SSE stream
# (`ask`, `progress`, `slow`, `log`) write it in pieces; this row shows the
# harness without them. (Before the server set TCP_NODELAY, Nagle's algorithm
# and delayed ACKs on loopback stretched each such answer to ~40 ms.)
w8=$(fuzz_rate --window 8 --call-tools none --url "$URL")
w1=$(fuzz_rate --window 1 --call-tools none --url "$URL")
printf '%-16s %14s %16s %16s %10s %10s\n' "http, no tools" "$ping" "$w8" "$w1" "$(ratio "$w8" "$ping")" "$(ratio "$w1" "$ping")"
