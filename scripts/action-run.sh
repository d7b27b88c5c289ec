#!/usr/bin/env bash
# The run step of the GitHub Action (action.yml at the repository's root):
# runs the catalogue as a gate and leaves its verdict for the later steps.
#
# Inputs come as environment variables, as the action passes them:
#   MCP_CONFORM         the binary (default: mcp-conform on PATH)
#   INPUT_COMMAND       a stdio server's command line (split on spaces; use
#                       INPUT_CONFIG for arguments that hold spaces)
#   INPUT_URL           a Streamable HTTP endpoint or SSE stream URL
#   INPUT_TRANSPORT     streamable-http (default for a URL) or sse
#   INPUT_CONFIG, INPUT_SERVER   an mcpServers / VS Code config file and the server in it
#   INPUT_BASELINE      a baseline file of known failures
#   INPUT_ARGS          further `run` flags, split on spaces
#   INPUT_REPORT_DIR    where the reports go (default: mcp-conform-reports)
#   INPUT_SARIF_ANCHOR  the repository file SARIF results are located in
# It appends summary.md to $GITHUB_STEP_SUMMARY and writes `exit-code` and
# `report-dir` to $GITHUB_OUTPUT, then exits 0 so that the upload steps run;
# the action's last step fails the job with the gate's exit code.
set -uo pipefail

bin=${MCP_CONFORM:-mcp-conform}
report_dir=${INPUT_REPORT_DIR:-mcp-conform-reports}
args=(run --color never --report-dir "$report_dir")
[ -n "${INPUT_URL:-}" ] && args+=(--url "$INPUT_URL")
[ -n "${INPUT_TRANSPORT:-}" ] && args+=(--transport "$INPUT_TRANSPORT")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_SERVER:-}" ] && args+=(--server "$INPUT_SERVER")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_SARIF_ANCHOR:-}" ] && args+=(--sarif-anchor "$INPUT_SARIF_ANCHOR")
if [ -n "${INPUT_ARGS:-}" ]; then
    read -r -a extra <<<"$INPUT_ARGS"
    args+=("${extra[@]}")
fi
if [ -n "${INPUT_COMMAND:-}" ]; then
    read -r -a command <<<"$INPUT_COMMAND"
    args+=(-- "${command[@]}")
fi

"$bin" "${args[@]}"
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    if [ -f "$report_dir/summary.md" ]; then
        cat "$report_dir/summary.md" >>"$GITHUB_STEP_SUMMARY"
    else
        printf '## mcp-conform\n\nThe run could not be made (exit %s): see the log of this step.\n' "$code" >>"$GITHUB_STEP_SUMMARY"
    fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'exit-code=%s\nreport-dir=%s\n' "$code" "$report_dir" >>"$GITHUB_OUTPUT"
fi
exit 0
