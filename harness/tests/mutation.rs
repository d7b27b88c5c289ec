//! Every case is proven to fail: the reference server run with a fault must
//! fail the cases that fault targets, on each transport where the fault shows.
//! One test per fault × transport, so `cargo test --test mutation -- NAME`
//! selects one. Each run tries the cases the fault is expected to reach;
//! `MCP_CONFORM_MUTATION_FULL=1` runs the whole catalogue every time, which
//! also proves that no other case fails.

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use reports::Status;
use reports::RunRecord;
use support::{bin, conform, record, scratch, with_status, HttpServer};

/// A fault, the cases it must make fail, and cases it may fail as a consequence.
struct Expectation {
    fault: &'static str,
    fails: &'static [&'static str],
    collateral: &'static [&'static str],
    transports: &'static [&'static str],
    /// The first version where the fault shows.
    since: &'static str,
}

const ALL: &[&str] = &["stdio", "streamable-http", "sse"];
const HTTP: &[&str] = &["streamable-http", "sse"];
const STREAMABLE: &[&str] = &["streamable-http"];
/// The transports 2026-07-28 is served on (HTTP+SSE belongs to 2024-11-05).
const STATELESS: &[&str] = &["stdio", "streamable-http"];
/// The transports that carry 2025-11-25, the only version with tasks.
const TASKS: &[&str] = STATELESS;

const EXPECTATIONS: &[Expectation] = &[
    // Tasks exist in 2025-11-25 only, which HTTP+SSE does not carry.
    Expectation { fault: "tasks-capability-missing", fails: &["L-TASK-001-capability"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-required-run-plainly", fails: &["L-TASK-002-required-without-task"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-ids-reused", fails: &["L-TASK-003-unique-ids"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-status-reverts", fails: &["L-TASK-004-status-lifecycle"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-not-created", fails: &["L-TASK-005-create-task-result"], collateral: &["L-TASK-003-unique-ids", "L-TASK-004-status-lifecycle", "L-TASK-006-timestamps-ttl", "L-TASK-007-result-related-task", "L-TASK-009-cancel-terminal", "L-TASK-009-cancel-working", "L-TASK-010-list-cursor"], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-missing-timestamps", fails: &["L-TASK-006-timestamps-ttl"], collateral: &["L-TASK-003-unique-ids", "L-TASK-004-status-lifecycle", "L-TASK-005-create-task-result", "L-TASK-007-result-related-task", "L-TASK-009-cancel-terminal", "L-TASK-009-cancel-working", "L-TASK-010-list-cursor"], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-result-not-blocking", fails: &["L-TASK-007-result-related-task"], collateral: &["L-TASK-009-cancel-working"], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-result-without-related-task", fails: &["L-TASK-007-result-related-task"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-cancel-terminal-accepted", fails: &["L-TASK-009-cancel-terminal"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-cancel-not-final", fails: &["L-TASK-009-cancel-working"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-list-invalid-cursor-accepted", fails: &["L-TASK-010-list-cursor"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "initialize-wrong-version", fails: &["L-LIFE-002-supported-version-echoed"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "initialize-echo-unsupported", fails: &["L-LIFE-002-unsupported-version-counter-proposal"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "unsupported-version-wrong-code", fails: &["LIFECYCLE-006-unsupported-version"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "unsupported-version-no-supported-list", fails: &["LIFECYCLE-006-unsupported-version"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "discover-missing",
        fails: &["LIFECYCLE-002-discover"],
        // Without a discover result there is no serverInfo to read.
        collateral: &["LIFECYCLE-004-discover-server-info"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "discover-invalid-result",
        fails: &["LIFECYCLE-002-discover"],
        // Every case that asks for discover sees the invalid result.
        collateral: &[
            "LIFECYCLE-004-discover-server-info",
            "STDIO-007-cancel-no-response",
            "UTIL-001-listen-teardown-cancelled",
            "JSONRPC-003-id-echo",
            "JSONRPC-008-invalid-request",
            "JSONRPC-008-parse-error",
            "JSONRPC-014-notifications-unanswered",
            "JSONRPC-017-batch-rejected",
            "CACHE-001-cache-hints",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "ping-no-response",
        fails: &["L-PING-001-ping"],
        // The cancellation case proves the server alive with a ping afterwards;
        // over Streamable HTTP the 202 without a body is no answer of either content type.
        collateral: &[
            "UTIL-003-cancel-no-response",
            "HTTP-008-answer-content-type",
            "JSONRPC-003-id-echo",
            "JSONRPC-008-invalid-request",
            "JSONRPC-008-parse-error",
            "JSONRPC-014-notifications-unanswered",
            "JSONRPC-017-batch-rejected",
            "L-BATCH-001-batch-accepted",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "ping-error", fails: &["L-PING-001-ping"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "unknown-method-wrong-code",
        fails: &["JSONRPC-008-unknown-method"],
        collateral: &["HTTP-018-unknown-method-status"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "tool-input-schema-invalid", fails: &["TOOLS-006-input-schemas"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "tools-list-invalid",
        fails: &["TOOLS-002-list"],
        // Every case that lists the tools sees the invalid listing.
        collateral: &[
            "TOOLS-006-input-schemas",
            "TOOLS-008-call-results",
            "L-S2C-001-undeclared-capabilities",
            "L-TASK-001-capability",
            "L-TASK-002-forbidden-as-task",
            "L-TASK-002-required-without-task",
            "L-TASK-003-unique-ids",
            "L-TASK-004-status-lifecycle",
            "L-TASK-005-create-task-result",
            "L-TASK-006-timestamps-ttl",
            "L-TASK-007-result-related-task",
            "L-TASK-009-cancel-terminal",
            "L-TASK-009-cancel-working",
            "L-TASK-010-list-cursor",
            "CACHE-001-cache-hints",
            "TOOLS-011-argument-errors-are-tool-errors",
            "TOOLS-018-invalid-arguments-rejected",
            "UTIL-012-pagination",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    // Structured content exists from 2025-06-18 on.
    Expectation { fault: "structured-content-mismatch", fails: &["TOOLS-008-call-results"], collateral: &[], transports: ALL, since: "2025-06-18" },
    Expectation {
        fault: "call-result-invalid",
        fails: &["TOOLS-008-call-results"],
        // Every case that calls a tool sees the invalid result.
        collateral: &[
            "L-S2C-001-undeclared-capabilities",
            "L-LOG-001-set-level",
            "L-RES-001-subscribe-updates",
            "SUBS-001-listen-filter",
            "UTIL-007-progress-token",
            "UTIL-008-progress-increasing",
            "UTIL-009-progress-before-response",
            "UTIL-016-log-needs-level",
            "UTIL-017-log-level",
            "TOOLS-011-argument-errors-are-tool-errors",
            "TOOLS-018-invalid-arguments-rejected",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "s2c-request-in-stateless",
        fails: &["TOOLS-008-call-results", "S2C-021-client-request-shapes"],
        // Its elicitation request also goes to a client that declared no
        // elicitation, and is a stray request in the round-trip case.
        collateral: &["L-S2C-001-undeclared-capabilities", "S2C-005-input-required"],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "stdout-garbage",
        fails: &["L-LIFE-001-initialize", "LIFECYCLE-002-discover"],
        // Every fresh connection starts with the banner.
        collateral: &[
            "L-LIFE-002-supported-version-echoed",
            "L-LIFE-002-unsupported-version-counter-proposal",
            "L-S2C-001-undeclared-capabilities",
            "UTIL-001-listen-teardown-cancelled",
        ],
        transports: &["stdio"],
        since: "2024-11-05",
    },
    Expectation { fault: "session-id-ignored-after-delete", fails: &["L-HTTP-011-ended-session"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "no-origin-check", fails: &["HTTP-003-foreign-origin"], collateral: &[], transports: HTTP, since: "2024-11-05" },
    Expectation { fault: "header-mismatch-ignored", fails: &["HTTP-020-method-header-mismatch"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "s2c-without-capability", fails: &["L-S2C-001-undeclared-capabilities"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "session-id-predictable", fails: &["L-HTTP-009-session-ids"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation {
        fault: "protocol-version-header-ignored",
        fails: &["L-HTTP-013-protocol-version-header"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-06-18",
    },
    Expectation { fault: "notification-answered-200", fails: &["HTTP-006-notification-accepted"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "answer-wrong-content-type", fails: &["HTTP-008-answer-content-type"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "get-stream-wrong-status", fails: &["L-HTTP-004-get-stream"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "missing-session-id-404", fails: &["L-HTTP-010-missing-session-id"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation {
        fault: "auth-wrong-audience-accepted",
        fails: &["AUTH-007-foreign-audience-token"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-06-18",
    },
    Expectation {
        fault: "auth-no-www-authenticate",
        fails: &["AUTH-008-unauthenticated-challenge"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-06-18",
    },
    Expectation { fault: "auth-expired-accepted", fails: &["AUTH-008-expired-token"], collateral: &[], transports: STREAMABLE, since: "2025-06-18" },
    Expectation {
        fault: "auth-metadata-no-authorization-servers",
        fails: &["AUTH-002-resource-metadata"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-06-18",
    },
    Expectation { fault: "log-without-level", fails: &["UTIL-016-log-needs-level"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "log-below-level",
        fails: &["L-LOG-001-set-level", "UTIL-017-log-level"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "log-without-capability", fails: &["UTIL-015-log-needs-capability"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "progress-not-increasing", fails: &["UTIL-008-progress-increasing"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "progress-after-response", fails: &["UTIL-009-progress-before-response"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "progress-without-token", fails: &["UTIL-007-progress-token"], collateral: &[], transports: ALL, since: "2024-11-05" },
    // A MUST NOT only on 2026-07-28 stdio; elsewhere a SHOULD (see WARNS).
    Expectation { fault: "response-after-cancel", fails: &["STDIO-007-cancel-no-response"], collateral: &[], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "updates-after-unsubscribe", fails: &["L-RES-001-subscribe-updates"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "listen-no-acknowledgement", fails: &["SUBS-002-listen-acknowledgement"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "listen-unrequested-notification", fails: &["SUBS-001-listen-filter"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "listen-teardown-without-cancelled",
        fails: &["UTIL-001-listen-teardown-cancelled"],
        collateral: &[],
        transports: &["stdio"],
        since: "2026-07-28",
    },
    // A MUST since 2025-06-18; a SHOULD before (see WARNS).
    Expectation {
        fault: "list-changed-without-capability",
        fails: &["L-LIFE-004-list-changed-needs-capability"],
        collateral: &[],
        transports: ALL,
        since: "2025-06-18",
    },
    Expectation { fault: "read-blob-not-base64", fails: &["RESOURCES-013-blobs-are-base64"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "template-invalid",
        fails: &["RESOURCES-016-uri-templates"],
        // Up to 2025-06-18 the schema gives uriTemplate the format
        // "uri-template": every case that lists the templates sees it.
        collateral: &["UTIL-012-pagination", "UTIL-023-completion-values"],
        transports: ALL,
        since: "2024-11-05",
    },
    // The completions capability exists from 2025-03-26 on.
    Expectation { fault: "completion-too-many-values", fails: &["UTIL-023-completion-values"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation { fault: "completion-without-capability", fails: &["UTIL-022-completion-capability"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation {
        fault: "next-cursor-on-last-page",
        fails: &["UTIL-012-pagination"],
        // Over HTTP the versions share one server: when `toggle` (called by
        // TOOLS-008) shortens the tool list, a cursor pointing at its old end
        // is refused, and the cases that list the tools see the refusal.
        collateral: &["TOOLS-006-input-schemas", "TOOLS-008-call-results", "TOOLS-018-invalid-arguments-rejected", "TOOLS-011-argument-errors-are-tool-errors"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "missing-cache-fields",
        fails: &["CACHE-001-cache-hints"],
        // The 2026-07-28 schema requires the fields: every case that lists or reads sees it.
        collateral: &[
            "UTIL-012-pagination",
            "RESOURCES-013-blobs-are-base64",
            "RESOURCES-016-uri-templates",
            "PROMPTS-007-invalid-get",
            "UTIL-023-completion-values",
            "RESOURCES-010-uris",
        ],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "resource-uri-invalid",
        fails: &["RESOURCES-010-uris"],
        // Up to 2025-06-18 the schema gives Resource.uri the format "uri":
        // every case that lists the resources sees it.
        collateral: &["UTIL-012-pagination", "RESOURCES-013-blobs-are-base64"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "tool-arguments-unchecked", fails: &["TOOLS-018-invalid-arguments-rejected"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "parse-error-wrong-code", fails: &["JSONRPC-008-parse-error"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "invalid-request-wrong-code", fails: &["JSONRPC-008-invalid-request"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "invalid-params-wrong-code", fails: &["JSONRPC-008-invalid-params"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "notification-answered", fails: &["JSONRPC-014-notifications-unanswered"], collateral: &[], transports: ALL, since: "2024-11-05" },
    // These three act where a request runs as a job with a way back to the
    // client: not for 2026-07-28 Streamable HTTP answers (the first two) nor
    // for stateful Streamable HTTP ones (the third).
    Expectation { fault: "response-id-type-changed", fails: &["JSONRPC-003-id-echo"], collateral: &[], transports: &["stdio", "sse"], since: "2024-11-05" },
    Expectation { fault: "response-duplicated", fails: &["JSONRPC-003-id-echo"], collateral: &[], transports: &["stdio", "sse"], since: "2024-11-05" },
    Expectation { fault: "batch-not-supported", fails: &["L-BATCH-001-batch-accepted"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation { fault: "batch-accepted", fails: &["JSONRPC-017-batch-rejected"], collateral: &[], transports: &["stdio", "sse"], since: "2024-11-05" },
    Expectation { fault: "stdin-close-ignored", fails: &["STDIO-008-stdin-close"], collateral: &[], transports: &["stdio"], since: "2024-11-05" },
    Expectation { fault: "error-missing-message", fails: &["JSONRPC-008-unknown-method"], collateral: &[], transports: &["stdio", "sse"], since: "2024-11-05" },
    // SHOULD-level rules: these faults run with --strict (see STRICT).
    Expectation { fault: "task-forbidden-accepted", fails: &["L-TASK-002-forbidden-as-task"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation {
        fault: "resource-not-found-wrong-code",
        fails: &["RESOURCES-005-read-not-found", "L-RES-002-read-not-found"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "resource-not-found-empty-contents",
        fails: &["RESOURCES-006-not-found-is-an-error", "L-RES-002-read-not-found"],
        // An empty result is also not the -32602 error.
        collateral: &["RESOURCES-005-read-not-found"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "prompt-missing-argument-accepted", fails: &["PROMPTS-007-invalid-get"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "log-level-unknown-accepted",
        fails: &["UTIL-019-log-level-unknown", "UTIL-019-set-level-unknown"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "cursor-invalid-accepted", fails: &["UTIL-014-invalid-cursor"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "argument-errors-as-protocol-errors",
        fails: &["TOOLS-011-argument-errors-are-tool-errors"],
        collateral: &[],
        transports: ALL,
        since: "2025-11-25",
    },
    Expectation {
        fault: "completion-unknown-ref-accepted",
        fails: &["UTIL-024-completion-unknown-prompt"],
        collateral: &[],
        transports: ALL,
        since: "2025-03-26",
    },
    // The multi round-trip pattern and caching hints exist in 2026-07-28 only.
    Expectation { fault: "input-required-empty", fails: &["S2C-005-input-required"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "input-requests-with-id", fails: &["S2C-005-input-required"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "input-required-cache-hints", fails: &["S2C-005-input-required"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "missing-answers-refused", fails: &["S2C-005-input-required"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    // Sampling tools and elicitation modes exist from 2025-11-25 on.
    Expectation {
        fault: "sampling-tools-undeclared",
        fails: &["S2C-021-client-request-shapes"],
        collateral: &[],
        transports: STATELESS,
        since: "2025-11-25",
    },
    Expectation {
        fault: "elicitation-url-undeclared",
        fails: &["S2C-021-client-request-shapes"],
        collateral: &[],
        transports: STATELESS,
        since: "2025-11-25",
    },
    Expectation {
        fault: "cache-ttl-negative",
        fails: &["CACHE-001-cache-hints"],
        // The schema gives ttlMs a minimum of 0: every case that reads resources sees it.
        collateral: &["RESOURCES-013-blobs-are-base64"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "cache-scope-invalid",
        fails: &["CACHE-001-cache-hints"],
        // The schema's cacheScope is an enum: every case that lists the prompts sees it.
        collateral: &["PROMPTS-007-invalid-get", "UTIL-012-pagination", "UTIL-023-completion-values"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation { fault: "cache-scope-per-page", fails: &["CACHE-001-cache-hints"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "elicitation-nested-form",
        fails: &["S2C-021-client-request-shapes"],
        // The schema holds form fields to primitives: every case that calls ask sees it.
        collateral: &["TOOLS-008-call-results", "S2C-005-input-required"],
        transports: ALL,
        since: "2025-06-18",
    },
    Expectation {
        fault: "sampling-tool-results-mixed",
        fails: &["S2C-021-client-request-shapes"],
        collateral: &[],
        transports: STATELESS,
        since: "2025-11-25",
    },
    Expectation {
        fault: "task-result-without-extension",
        fails: &["TASKS-001-no-task-without-extension"],
        // A task is no CallToolResult: every case that calls echo sees it.
        collateral: &["TOOLS-008-call-results", "L-S2C-001-undeclared-capabilities"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "malformed-input-responses-accepted",
        fails: &["S2C-005-input-required"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "extra-input-responses-refused",
        fails: &["S2C-005-input-required"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "listen-acknowledgement-widened",
        fails: &["SUBS-002-listen-acknowledgement"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "sampling-context-undeclared",
        fails: &["S2C-021-client-request-shapes"],
        collateral: &[],
        transports: STATELESS,
        since: "2025-11-25",
    },
];

/// Faults that break a SHOULD in some versions: there the case they reach
/// warns (and fails only under `--strict`). (fault, case, versions, transports)
const WARNS: &[(&str, &str, &[&str], &[&str])] = &[
    ("response-after-cancel", "UTIL-003-cancel-no-response", &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"], ALL),
    ("list-changed-without-capability", "L-LIFE-004-list-changed-needs-capability", &["2024-11-05", "2025-03-26"], ALL),
];

/// Faults that act only on a server started with `--auth`: their runs
/// present a valid token and the refusal checks' tokens.
const WITH_AUTH: &[&str] =
    &["auth-wrong-audience-accepted", "auth-no-www-authenticate", "auth-expired-accepted", "auth-metadata-no-authorization-servers"];

/// Faults that break a SHOULD: their runs use `--strict`, so the warning fails.
const STRICT: &[&str] = &[
    "parse-error-wrong-code",
    "invalid-request-wrong-code",
    "invalid-params-wrong-code",
    "stdin-close-ignored",
    "task-forbidden-accepted",
    "session-id-predictable",
    "missing-session-id-404",
    "resource-not-found-wrong-code",
    "resource-not-found-empty-contents",
    "prompt-missing-argument-accepted",
    "log-level-unknown-accepted",
    "cursor-invalid-accepted",
    "argument-errors-as-protocol-errors",
    "completion-unknown-ref-accepted",
    "missing-answers-refused",
    "sampling-context-undeclared",
    "malformed-input-responses-accepted",
    "extra-input-responses-refused",
];

/// Faults whose checks belong to the full catalogue (not written yet).
const NOT_YET_CHECKED: &[&str] = &[];

/// Faults that break no rule a black box can decide: the case they reach
/// must say "inconclusive", never pass and never fail. (A server may keep
/// asking for input, S2C-010.)
const UNDECIDABLE: &[(&str, &str, &str)] = &[
    ("input-required-ignores-responses", "TOOLS-008-call-results", "2026-07-28"),
    ("input-required-ignores-responses", "S2C-005-input-required", "2026-07-28"),
];

/// The key the `--auth` runs sign their tokens with.
const AUTH_KEY: &str = "mutation-test-key";

/// A token from the reference server's `mint-token`.
fn mint(aud: &str, expires_in: &str) -> Result<String, Failed> {
    let out = conform(&["reference-server", "mint-token", "--key", AUTH_KEY, "--aud", aud, "--exp-in", expires_in, "--scope", "mcp"]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || token.is_empty() {
        return Err(format!("mint-token failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(token)
}

/// Run the catalogue against the reference server with `fault` (if any), over `transport`.
fn run_with_fault(fault: &str, transport: &str, cases: &[&str]) -> Result<(Option<i32>, RunRecord, String), Failed> {
    run_reference(Some(fault), transport, WITH_AUTH.contains(&fault), cases)
}

/// Run every case with each fault (set by `MCP_CONFORM_MUTATION_FULL=1`),
/// instead of only the cases the fault is expected to reach: slower, and it
/// also proves that no other case fails.
fn full_catalogue() -> bool {
    std::env::var_os("MCP_CONFORM_MUTATION_FULL").is_some_and(|v| v == "1")
}

/// Run the reference server (with `fault`) through `cases` (all when empty).
fn run_reference(fault: Option<&str>, transport: &str, auth: bool, cases: &[&str]) -> Result<(Option<i32>, RunRecord, String), Failed> {
    let label = fault.unwrap_or("clean");
    let dir = scratch(&format!("mutation-{label}-{transport}"));
    let report = dir.to_str().ok_or("scratch path is not UTF-8")?;
    // The reference server runs as a command here, so its fixture mapping is named.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/reference-server.toml");
    let common = ["run", "--color", "never", "--timeout", "5s", "--call-tools", "all", "--fixtures", fixtures, "--report-dir", report];
    let mut server_args: Vec<&str> = fault.map(|f| vec!["--fault", f]).unwrap_or_default();
    if auth {
        server_args.extend(["--auth", "--auth-key", AUTH_KEY]);
    }
    let server;
    let tokens: Vec<String>;
    let mut args = common.to_vec();
    if fault.is_some_and(|f| STRICT.contains(&f)) {
        args.push("--strict");
    }
    if !full_catalogue() {
        for case in cases {
            args.extend(["--only", case]);
        }
    }
    if transport == "stdio" {
        args.extend(["--", bin(), "reference-server"]);
        args.extend(server_args);
    } else {
        server = HttpServer::start(if transport == "sse" { "--sse" } else { "--http" }, &server_args);
        if auth {
            let foreign = server.url.replace("/mcp", "/another-resource");
            tokens = vec![
                format!("Authorization: Bearer {}", mint(&server.url, "1h")?),
                mint(&foreign, "1h")?,
                mint(&server.url, "-60s")?,
            ];
            args.extend(["--header", tokens[0].as_str()]);
            args.extend(["--auth-token-foreign-audience", tokens[1].as_str(), "--auth-token-expired", tokens[2].as_str()]);
        }
        args.extend(["--url", server.url.as_str(), "--transport", transport]);
    }
    let out = conform(&args);
    let stdout = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let record = if out.status.code() == Some(2) { None } else { Some(record(&dir)) };
    match record {
        Some(record) => Ok((out.status.code(), record, stdout)),
        None => Err(format!("the run could not start:\n{stdout}").into()),
    }
}

fn run(expectation: &Expectation, transport: &str) -> Result<(), Failed> {
    let cases: Vec<&str> = expectation.fails.iter().chain(expectation.collateral).copied().collect();
    let (code, record, stdout) = run_with_fault(expectation.fault, transport, &cases)?;
    if code != Some(1) {
        return Err(format!("exit {code:?}, expected 1\n{stdout}").into());
    }
    let failed = with_status(&record, Status::Fail);
    for case in expectation.fails {
        // A case fails wherever it ran; it runs at least once.
        let ran: Vec<_> = record.results.iter().filter(|r| r.case_id == *case && r.version.as_str() >= expectation.since).collect();
        let missed: Vec<_> = ran.iter().filter(|r| r.status != Status::Fail).map(|r| (&r.version, r.status)).collect();
        if ran.is_empty() || !missed.is_empty() {
            return Err(format!("{case} should fail with {}; ran {} times, not failing in {missed:?}\n{stdout}", expectation.fault, ran.len()).into());
        }
    }
    let unexpected: Vec<_> = failed
        .iter()
        .filter(|(case, _)| !expectation.fails.contains(&case.as_str()) && !expectation.collateral.contains(&case.as_str()))
        .collect();
    if !unexpected.is_empty() {
        return Err(format!("{} made other cases fail: {unexpected:?}\n{stdout}", expectation.fault).into());
    }
    Ok(())
}

/// The clean server started with `--auth` passes every case, the
/// authorization cases included (each decided, none skipped).
fn clean_with_auth(transport: &str) -> Result<(), Failed> {
    let (code, record, stdout) = run_reference(None, transport, true, &[])?;
    let not_passed: Vec<_> = record.results.iter().filter(|r| r.status != Status::Pass).map(|r| (&r.case_id, &r.version, r.status)).collect();
    let auth_passed = record.results.iter().filter(|r| r.area == "auth" && r.status == Status::Pass).count();
    if code != Some(0) || !not_passed.is_empty() || auth_passed == 0 {
        return Err(format!("exit {code:?}, not passed: {not_passed:?}, auth cases passed: {auth_passed}\n{stdout}").into());
    }
    Ok(())
}

/// A fault that breaks a SHOULD makes its case warn in those versions, and
/// no case fail beyond what its expectation (if any) allows.
fn warns(fault: &str, case: &str, versions: &[&str], transport: &str) -> Result<(), Failed> {
    let expected = EXPECTATIONS.iter().filter(|e| e.fault == fault).flat_map(|e| e.fails.iter().chain(e.collateral));
    let cases: Vec<&str> = std::iter::once(&case).chain(expected).copied().collect();
    let (_, record, stdout) = run_with_fault(fault, transport, &cases)?;
    for version in versions {
        let verdicts: Vec<Status> = record.results.iter().filter(|r| r.case_id == case && r.version == *version).map(|r| r.status).collect();
        if verdicts != [Status::Warn] {
            return Err(format!("{case} {version} with {fault}: {verdicts:?}, expected a warning\n{stdout}").into());
        }
    }
    let allowed: Vec<&str> = EXPECTATIONS.iter().filter(|e| e.fault == fault).flat_map(|e| e.fails.iter().chain(e.collateral)).copied().collect();
    let unexpected: Vec<_> = with_status(&record, Status::Fail).into_iter().filter(|(c, _)| !allowed.contains(&c.as_str())).collect();
    if !unexpected.is_empty() {
        return Err(format!("{fault} made other cases fail: {unexpected:?}\n{stdout}").into());
    }
    Ok(())
}

/// An undecidable fault leaves the run conformant and its case inconclusive.
fn undecidable(fault: &str, case: &str, version: &str, transport: &str) -> Result<(), Failed> {
    let (code, record, stdout) = run_with_fault(fault, transport, &[case])?;
    let verdicts: Vec<Status> = record.results.iter().filter(|r| r.case_id == case && r.version == version).map(|r| r.status).collect();
    if code != Some(0) || verdicts != [Status::Inconclusive] {
        return Err(format!("{case} {version} with {fault}: exit {code:?}, {verdicts:?}; expected 0 and inconclusive\n{stdout}").into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    // The table covers every fault the reference server has.
    let listing = conform(&["reference-server", "--list-faults"]);
    let listed: Vec<String> =
        String::from_utf8_lossy(&listing.stdout).lines().filter_map(|l| l.split('\t').next()).map(str::to_string).collect();
    trials.push(Trial::test("every_fault_has_an_expectation", move || {
        let missing: Vec<_> = listed
            .iter()
            .filter(|f| {
                let f = f.as_str();
                !EXPECTATIONS.iter().any(|e| e.fault == f)
                    && !UNDECIDABLE.iter().any(|u| u.0 == f)
                    && !NOT_YET_CHECKED.contains(&f)
            })
            .collect();
        if missing.is_empty() { Ok(()) } else { Err(format!("faults without an expectation: {missing:?}").into()) }
    }));
    for expectation in EXPECTATIONS {
        for transport in expectation.transports {
            let name = format!("{}::{transport}", expectation.fault);
            trials.push(Trial::test(name, move || run(expectation, transport)));
        }
    }
    trials.push(Trial::test("clean-with-auth::streamable-http", || clean_with_auth("streamable-http")));
    for &(fault, case, versions, transports) in WARNS {
        for transport in transports {
            trials.push(Trial::test(format!("{fault}::warns::{transport}"), move || warns(fault, case, versions, transport)));
        }
    }
    for &(fault, case, version) in UNDECIDABLE {
        for transport in ALL {
            trials.push(Trial::test(format!("{fault}::{case}::{transport}"), move || undecidable(fault, case, version, transport)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
