#!/usr/bin/env bash
# Third-party MCP servers that mcp-conform is tested against.
#
#   scripts/external-servers.sh install [DIR]     install them into DIR (idempotent)
#   scripts/external-servers.sh cmd NAME [PORT]   print the command line that starts NAME
#
# NAME: everything-stdio | everything-http PORT | everything-sse PORT | python-stdio | python-http PORT
# `cmd` finds the install in $EXT_DIR; DIR and EXT_DIR default to target/external-servers.
#
# server-everything's HTTP modes listen on every interface (no host option), so run them,
# and the client, inside a network namespace: unshare -n sh -c 'ip link set lo up; ...'
set -euo pipefail

# Pinned: versions checked by hand against the harness. The SDK is pinned as well because
# server-everything only asks for ^1.30 and the SDK decides the wire behaviour.
EVERYTHING_VERSION=2026.8.31
TS_SDK_VERSION=1.32.2
PY_MCP_VERSION=2.3.0

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEFAULT_DIR=$ROOT/target/external-servers

usage() { sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

install() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)

    local pkg=$dir/node_modules/@modelcontextprotocol/server-everything/package.json
    if [[ $(node -p 'require(process.argv[1]).version' "$pkg" 2>/dev/null) != "$EVERYTHING_VERSION" ]]; then
        # --prefix keeps npm from walking up to some enclosing package.json.
        npm install --prefix "$dir" --no-audit --no-fund --save-exact \
            "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION" \
            "@modelcontextprotocol/sdk@$TS_SDK_VERSION"
    fi

    local py=$dir/venv/bin/python
    if [[ $("$py" -c 'import importlib.metadata as m; print(m.version("mcp"))' 2>/dev/null) != "$PY_MCP_VERSION" ]]; then
        [[ -x $py ]] || python3 -m venv "$dir/venv"   # mcp 2.x needs Python >= 3.10
        "$py" -m pip install --quiet --disable-pip-version-check "mcp==$PY_MCP_VERSION"
    fi
}

cmd() {
    local dir=${EXT_DIR:-$DEFAULT_DIR}
    local everything=$dir/node_modules/@modelcontextprotocol/server-everything/dist/index.js
    local python_server=$ROOT/harness/tests/servers/python_sdk_server.py
    local name=${1:-} port=${2:-}
    case $name in
        everything-http | everything-sse | python-http) [[ $port =~ ^[0-9]+$ ]] || usage ;;
    esac
    # server-everything takes its port from $PORT only (default 3001); paths are
    # /mcp for streamableHttp, /sse + /message?sessionId=... for sse.
    case $name in
        everything-stdio) printf '%q ' node "$everything" stdio ;;
        everything-http) printf '%q ' env "PORT=$port" node "$everything" streamableHttp ;;
        everything-sse) printf '%q ' env "PORT=$port" node "$everything" sse ;;
        python-stdio) printf '%q ' "$dir/venv/bin/python" "$python_server" ;;
        python-http) printf '%q ' "$dir/venv/bin/python" "$python_server" --http "$port" ;;
        *) usage ;;
    esac | sed 's/ $/\n/'
}

case ${1:-} in
    install) install "${2:-$DEFAULT_DIR}" ;;
    cmd) shift; cmd "$@" ;;
    *) usage ;;
esac
