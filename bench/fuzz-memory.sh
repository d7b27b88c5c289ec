#!/usr/bin/env bash
# Is the harness's own memory flat over a long campaign? Runs `mcp-conform
# fuzz` against the bundled reference server over stdio for DURATION and
# samples the harness process's resident memory (VmRSS, from /proc) every
# INTERVAL seconds; prints the samples, then start, end, max and end/start.
# The first sample is taken after WARM_UP seconds, once the campaign runs.
#
#   bench/fuzz-memory.sh                     # release build, 10 minutes
#   DURATION=2m INTERVAL=5 bench/fuzz-memory.sh
#   MCP_CONFORM=target/release/mcp-conform bench/fuzz-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10m}
INTERVAL=${INTERVAL:-5}
WARM_UP=${WARM_UP:-5}
VERSION=${VERSION:-2025-11-25}
if [[ -z "${MCP_CONFORM:-}" ]]; then
    cargo build --release --quiet -p mcp-conform --bin mcp-conform
fi
BIN=${MCP_CONFORM:-target/release/mcp-conform}
WORK=$(mktemp -d)
FUZZ_PID=
# The campaign (while it runs) and the scratch folder go with the script.
trap 'if [[ -n "$FUZZ_PID" ]]; then kill "$FUZZ_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

"$BIN" fuzz --seed 1 --duration "$DURATION" --spec-version "$VERSION" --findings "$WORK/findings" \
    -- "$BIN" reference-server >"$WORK/summary" 2>"$WORK/stderr" &
FUZZ_PID=$!
sleep "$WARM_UP"
echo "harness RSS (KiB) every ${INTERVAL}s over a $DURATION campaign (pid $FUZZ_PID):"
samples=()
started=$(date +%s)
while kill -0 "$FUZZ_PID" 2>/dev/null; do
    rss=$(rss_kib "$FUZZ_PID")
    [[ -n "$rss" ]] || break
    samples+=("$rss")
    printf '  t=%4ss  %s\n' "$(( $(date +%s) - started ))" "$rss"
    sleep "$INTERVAL"
done
status=0
wait "$FUZZ_PID" || status=$?
FUZZ_PID=
sed -n 's/^fuzz: /campaign: /p' "$WORK/summary"
if [[ $status -gt 1 ]]; then
    echo "the campaign failed (status $status):" >&2
    cat "$WORK/stderr" >&2
    exit 1
fi
if [[ ${#samples[@]} -lt 2 ]]; then
    echo "too few samples: the campaign ended within the warm-up" >&2
    exit 1
fi
printf '%s\n' "${samples[@]}" | awk -v n="${#samples[@]}" '
    NR == 1 { start = $1; max = $1 }
    { end = $1; if ($1 > max) max = $1 }
    END { printf "samples %d: start %d KiB, end %d KiB, max %d KiB, end/start %.2f, max/start %.2f\n", n, start, end, max, end / start, max / start }'
