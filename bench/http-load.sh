#!/usr/bin/env bash
# Load on the bundled reference server over Streamable HTTP, on loopback:
# 200 concurrent 2025-11-25 sessions of 100 requests each, 5 rounds, one
# stateless 2026-07-28 round, then 2 x 5000 sessions left undeleted; the
# server's RSS after each round (reference-server/examples/http_load.rs).
# Runs twice: answers as application/json, then as text/event-stream.
#
#   bench/http-load.sh                                  # release build, defaults
#   bench/http-load.sh --sessions 50 --rounds 3         # flags go to http_load
#   HTTP_LOAD=target/release/examples/http_load bench/http-load.sh   # no build
#
# Exit 1 when any request failed or RSS grew more than --max-growth (1.5x)
# from the first session round to the last. The client runs on the same
# cores as the server, so the rates are the pair's, not the server's alone.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${HTTP_LOAD:-}" ]]; then
    cargo build --release --quiet -p mcp-reference-server --bin mcp-reference-server --example http_load
fi
HTTP_LOAD=${HTTP_LOAD:-target/release/examples/http_load}

echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$HTTP_LOAD" "$@" || status=1
echo
"$HTTP_LOAD" --sse-responses "$@" || status=1
exit $status
