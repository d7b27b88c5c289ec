#!/usr/bin/env bash
# Throughput of `mcp-conform fuzz`, beside each server's own sequential ping
# rate measured in the same run (harness/examples/ping_rate.rs): one table
# with, per target and transport, pings/s one at a time, fuzz inputs/s with
# the default mix of inputs and sequences, with only well-formed messages
# (`--mix well-formed`) and with only malformed frames (`--mix malformed`),
# and each fuzz rate as a ratio of the ping rate.
# Also the server's capacity for each mix: the frames of a campaign's
# transcript all sent without waiting for answers (`ping_rate --flood`: over
# stdio written at once, over HTTP 128 POSTs at a time), in inputs per
# second: what no client, however many requests it keeps in flight, gets
# much beyond.
#
#   bench/fuzz-throughput.sh                    # release build, 10 s per fuzz run
#   DURATION=30s PINGS=50000 FLOOD_INPUTS=50000 bench/fuzz-throughput.sh
#   TARGETS="reference-stdio reference-http" bench/fuzz-throughput.sh
#   EXT_DIR=/tmp/ext2 bench/fuzz-throughput.sh  # with npm server-everything
#   BASELINE=/tmp/old/mcp-conform bench/fuzz-throughput.sh
#                          # also measures an older build, in the same run, in
#                          # three more columns (before/after a change)
#
# Targets (TARGETS, default all that can run here):
#   reference-stdio, reference-http   the bundled reference server
#   everything-stdio, everything-http @modelcontextprotocol/server-everything,
#                                     from scripts/external-servers.sh (EXT_DIR);
#                                     its HTTP mode listens on every interface, so
#                                     that row runs inside `unshare -rn` (its own loopback).
#
# Each fuzz run is a 2025-11-25 session, seed 1, the default window, no
# shrinking. A campaign that finds something still counts: its rate includes
# the replay that confirms each new finding (server-everything has known ones).
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
PINGS=${PINGS:-20000}
FLOOD_INPUTS=${FLOOD_INPUTS:-20000}
VERSION=2025-11-25
if [[ -z "${MCP_CONFORM:-}" || -z "${PING_RATE:-}" ]]; then
    cargo build --release --quiet -p mcp-conform --bin mcp-conform --example ping_rate
fi
BIN=$(realpath "${MCP_CONFORM:-target/release/mcp-conform}")
BASELINE=${BASELINE:+$(realpath "$BASELINE")}
PING_RATE=$(realpath "${PING_RATE:-target/release/examples/ping_rate}")
export MCP_CONFORM=$BIN PING_RATE
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Inputs per second from the summary line: "... N inputs in S s (...)", of
# the binary $1, and after a slash the rate while sending and judging (the
# summary's "time:" line; the rest went on waiting for the last answers
# once the duration was up, starting servers and confirming new findings:
# costs paid once per run and per bucket). Exit status 1 (findings) is
# fine; anything else is not.
fuzz_rate() {
    local bin=$1 out status=0
    shift
    out=$("$bin" fuzz --seed 1 --duration "$DURATION" --spec-version "$VERSION" --findings "$WORK/findings" --no-shrink "$@" 2>"$WORK/fuzz.err") || status=$?
    if [[ $status -gt 1 ]]; then
        # The row goes on, with this cell marked (a server slow to start, say).
        echo "fuzz run failed ($status): $bin $*" >&2
        cat "$WORK/fuzz.err" >&2
        printf failed
        return
    fi
    local overall sending
    overall=$(echo "$out" | sed -n 's/.* \([0-9][0-9]*\) inputs in \([0-9.]*\)s.*/\1 \2/p' | awk '{ printf "%.0f", $1 / $2 }')
    sending=$(echo "$out" | sed -n 's/^time: [0-9.]*s sending and judging (\([0-9]*\) execs\/s).*/\1/p')
    printf '%s%s' "$overall" "${sending:+/$sending}"
}

# The ratio of a rate cell ("overall" or "overall/sending") to a rate ("-" when either is none).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, r, "/"); if ((r[1] + 0 == 0 && r[1] != "0") || b + 0 == 0) { print "-"; exit }
    printf "%.2f", r[1] / b; if (n > 1) printf "/%.2f", r[2] / b }'; }

row() {
    local target=$1 transport=$2 ping=$3 cap_valid=$4 cap_malformed=$5 all=$6 valid=$7 malformed=$8
    local base_all=${9:-} base_valid=${10:-} base_malformed=${11:-}
    printf '%-18s %-16s %12s %11s %11s %14s %14s %14s %11s %11s %11s %11s %11s' "$target" "$transport" "$ping" "$cap_valid" "$cap_malformed" \
        "$all" "$valid" "$malformed" "$(ratio "$all" "$ping")" "$(ratio "$valid" "$ping")" "$(ratio "$malformed" "$ping")" \
        "$(ratio "$valid" "$cap_valid")" "$(ratio "$malformed" "$cap_malformed")"
    [[ -z "$BASELINE" ]] || printf ' %14s %14s %14s' "$base_all" "$base_valid" "$base_malformed"
    printf '\n'
}

header() {
    echo "mcp-conform fuzz throughput: $DURATION per fuzz run, $PINGS sequential pings, protocol $VERSION"
    echo "binary: $BIN ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
    [[ -z "$BASELINE" ]] || echo "baseline: $BASELINE (last three columns)"
    echo "fuzz rates: overall/while sending (the rest: the last answers, starting servers, confirming new findings)"
    printf '%-18s %-16s %12s %11s %11s %14s %14s %14s %11s %11s %11s %11s %11s' target transport "ping/s (seq)" "cap. valid" "cap. malf." \
        "fuzz/s all" "fuzz/s valid" "fuzz/s malf." "all/ping" "valid/ping" "malf./ping" "valid/cap." "malf./cap."
    [[ -z "$BASELINE" ]] || printf ' %14s %14s %14s' "base all" "base valid" "base malf."
    printf '\n'
}

# The fuzz rates of one target, the default mix, well-formed, then
# malformed, of this build and (when BASELINE is set) of the baseline: "$@"
# are the target arguments.
rates() {
    local bin mix
    for bin in "$BIN" ${BASELINE:+"$BASELINE"}; do
        for mix in all well-formed malformed; do
            fuzz_rate "$bin" --mix "$mix" "$@"
            echo
        done
    done
}

# The server's capacity for the inputs of one mix ($1): a campaign's frames
# (its transcript, from a run not timed) flooded into the server (over
# stdio, a fresh one). The rest of "$@" is the server's command, or `--url URL`.
capacity() {
    local mix=$1
    shift
    rm -f "$WORK/flood.jsonl"
    local target=(-- "$@") flood=(--stdio "$@")
    [[ $1 == --url ]] && target=("$@") flood=("$@")
    "$BIN" fuzz --seed 1 --iterations "$FLOOD_INPUTS" --spec-version "$VERSION" --mix "$mix" --no-shrink \
        --findings "$WORK/flood-findings" --transcript "$WORK/flood.jsonl" "${target[@]}" >/dev/null 2>"$WORK/flood.err" || [[ $? -eq 1 ]] ||
        { cat "$WORK/flood.err" >&2; printf failed; return; }
    "$PING_RATE" --flood "$WORK/flood.jsonl" "${flood[@]}" || printf failed
}

# One stdio row: the server is started anew by each measurement.
stdio_row() {
    local target=$1
    shift
    local ping capacity rates
    ping=$("$PING_RATE" --count "$PINGS" --stdio "$@")
    capacity=("$(capacity well-formed "$@")" "$(capacity malformed "$@")")
    mapfile -t rates < <(rates -- "$@")
    row "$target" stdio "$ping" "${capacity[@]}" "${rates[@]}"
}

# One Streamable HTTP row against a server already listening at $1.
http_row() {
    local target=$1 url=$2 ping capacity rates
    ping=$("$PING_RATE" --count "$PINGS" --url "$url")
    capacity=("$(capacity well-formed --url "$url")" "$(capacity malformed --url "$url")")
    mapfile -t rates < <(rates --url "$url")
    row "$target" streamable-http "$ping" "${capacity[@]}" "${rates[@]}"
}

wait_for() {
    local file=$1 pattern=$2
    for _ in $(seq 200); do
        grep -q "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "the server did not start: $(cat "$file")" >&2
    return 1
}

measure() {
    case $1 in
        reference-stdio) stdio_row reference "$BIN" reference-server ;;
        reference-http)
            "$BIN" reference-server --http 127.0.0.1:0 >"$WORK/http.out" 2>/dev/null &
            SERVER_PID=$!
            wait_for "$WORK/http.out" '^listening on '
            http_row reference "$(sed -n 's/^listening on //p' "$WORK/http.out")"
            kill "$SERVER_PID"
            SERVER_PID=
            ;;
        everything-stdio)
            # shellcheck disable=SC2046 # the command line is printed shell-quoted
            eval "set -- $(scripts/external-servers.sh cmd everything-stdio)"
            stdio_row everything "$@"
            ;;
        everything-http)
            if [[ -z "${IN_NAMESPACE:-}" ]]; then
                # Everything in a private network namespace; the row comes back on stdout.
                unshare -rn env IN_NAMESPACE=1 TARGETS=everything-http NO_HEADER=1 bash -c 'ip link set lo up && "$0"' "$SELF"
                return
            fi
            eval "set -- $(scripts/external-servers.sh cmd everything-http 3001)"
            "$@" >"$WORK/everything.out" 2>&1 &
            SERVER_PID=$!
            wait_for "$WORK/everything.out" '3001'
            http_row everything http://127.0.0.1:3001/mcp
            kill "$SERVER_PID"
            SERVER_PID=
            ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}

if [[ -z "${TARGETS:-}" ]]; then
    TARGETS="reference-stdio reference-http"
    if scripts/external-servers.sh cmd everything-stdio >/dev/null 2>&1 && [[ -f "$(eval "set -- $(scripts/external-servers.sh cmd everything-stdio)"; echo "$2")" ]]; then
        TARGETS="$TARGETS everything-stdio everything-http"
    fi
fi
[[ -n "${NO_HEADER:-}" ]] || header
for target in $TARGETS; do
    measure "$target"
done
