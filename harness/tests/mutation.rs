//! Every case is proven to fail: the clean reference server passes each
//! case, and run with a fault it fails the cases that fault targets, on each
//! transport where the fault shows.
//!
//! One test per case × version × transport (`CASE::VERSION::TRANSPORT`), so
//! `cargo test --test mutation -- NAME` selects one; one per fault ×
//! transport (`FAULT::TRANSPORT`) proves the fault fails nothing else. Tests
//! read shared runs: the whole catalogue once per transport on the clean
//! server, and once per fault × transport the cases the fault is expected
//! to reach (`MCP_CONFORM_MUTATION_FULL=1`: the whole catalogue, which also
//! proves that no other case fails).

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use libtest_mimic::{Arguments, Failed, Trial};
use mcp_conform::case::Catalogue;
use mcp_conform::transport::Kind;
use mcp_conform::version;
use reports::RunRecord;
use reports::Status;
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
    Expectation {
        fault: "initialize-wrong-version",
        fails: &["L-LIFE-002-supported-version-echoed"],
        collateral: &[],
        transports: ALL,
        // Answered with 2025-11-25, initialize for 2024-11-05 or 2025-03-26 looks like
        // a counter-proposal from a server without those versions: no black box can
        // tell the two apart, so those versions go untested rather than failed.
        since: "2025-06-18",
    },
    Expectation { fault: "initialize-echo-unsupported", fails: &["L-LIFE-002-unsupported-version-counter-proposal"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "unsupported-version-wrong-code", fails: &["LIFECYCLE-006-unsupported-version"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "unsupported-version-no-supported-list", fails: &["LIFECYCLE-006-unsupported-version"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "discover-missing",
        // STDIO-010 is the stdio probe of the same rule.
        fails: &["LIFECYCLE-002-discover", "STDIO-010-discover-probe"],
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
            "JSONRPC-007-error-id-echo",
            "STDIO-010-discover-probe",
            "JSONRPC-005-result-fields",
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
            "JSONRPC-007-error-id-echo",
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
            "HTTP-010-no-requests-on-streams",
            "JSONRPC-016-no-server-requests",
            "JSONRPC-005-result-fields",
            "JSONRPC-018-meta-keys",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    // Structured content exists from 2025-06-18 on.
    Expectation {
        fault: "structured-content-mismatch",
        fails: &["TOOLS-008-call-results"],
        collateral: &["HTTP-010-no-requests-on-streams"],
        transports: ALL,
        since: "2025-06-18",
    },
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
            "HTTP-010-no-requests-on-streams",
            "JSONRPC-016-no-server-requests",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "s2c-request-in-stateless",
        // The HTTP-010 case runs over Streamable HTTP only.
        fails: &["TOOLS-008-call-results", "HTTP-010-no-requests-on-streams", "JSONRPC-016-no-server-requests", "S2C-021-client-request-shapes"],
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
            "STDIO-010-discover-probe",
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
        collateral: &["UTIL-012-pagination", "UTIL-023-completion-values", "JSONRPC-018-meta-keys"],
        transports: ALL,
        since: "2024-11-05",
    },
    // completion/complete exists in every version, the completions capability from 2025-03-26 on.
    Expectation { fault: "completion-too-many-values", fails: &["UTIL-023-completion-values"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "completion-without-capability", fails: &["UTIL-022-completion-capability"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation {
        fault: "next-cursor-on-last-page",
        fails: &["UTIL-012-pagination"],
        // Over HTTP the versions share one server: when `toggle` (called by
        // TOOLS-008) shortens the tool list, a cursor pointing at its old end
        // is refused, and the cases that list the tools see the refusal.
        collateral: &[
            "TOOLS-006-input-schemas",
            "TOOLS-008-call-results",
            "TOOLS-018-invalid-arguments-rejected",
            "TOOLS-011-argument-errors-are-tool-errors",
            "HTTP-010-no-requests-on-streams",
        ],
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
            "JSONRPC-005-result-fields",
            "JSONRPC-018-meta-keys",
        ],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "resource-uri-invalid",
        fails: &["RESOURCES-010-uris"],
        // Up to 2025-06-18 the schema gives Resource.uri the format "uri":
        // every case that lists the resources sees it.
        collateral: &["UTIL-012-pagination", "RESOURCES-013-blobs-are-base64", "JSONRPC-018-meta-keys"],
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
    // They change (or repeat) errors too, which the error-id case sees.
    Expectation {
        fault: "response-id-type-changed",
        fails: &["JSONRPC-003-id-echo"],
        collateral: &["JSONRPC-007-error-id-echo"],
        transports: &["stdio", "sse"],
        since: "2024-11-05",
    },
    Expectation {
        fault: "response-duplicated",
        fails: &["JSONRPC-003-id-echo"],
        collateral: &["JSONRPC-007-error-id-echo"],
        transports: &["stdio", "sse"],
        since: "2024-11-05",
    },
    Expectation { fault: "batch-not-supported", fails: &["L-BATCH-001-batch-accepted"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation { fault: "batch-accepted", fails: &["JSONRPC-017-batch-rejected"], collateral: &[], transports: &["stdio", "sse"], since: "2024-11-05" },
    Expectation { fault: "stdin-close-ignored", fails: &["STDIO-008-stdin-close"], collateral: &[], transports: &["stdio"], since: "2024-11-05" },
    Expectation {
        fault: "error-missing-message",
        fails: &["JSONRPC-008-unknown-method"],
        // Both provoke -32601 and see the message missing on receipt.
        collateral: &["JSONRPC-007-error-id-echo", "JSONRPC-010-error-codes"],
        transports: &["stdio", "sse"],
        since: "2024-11-05",
    },
    Expectation { fault: "unknown-method-status-200", fails: &["HTTP-018-unknown-method-status"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    // SHOULD-level rules: these faults run with --strict (see STRICT).
    Expectation { fault: "task-forbidden-accepted", fails: &["L-TASK-002-forbidden-as-task"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation {
        fault: "resource-not-found-wrong-code",
        fails: &["RESOURCES-005-read-not-found", "L-RES-002-read-not-found", "JSONRPC-010-error-codes"],
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
    Expectation { fault: "event-ids-per-stream", fails: &["L-HTTP-007-event-ids-unique"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "replay-foreign-stream", fails: &["L-HTTP-008-replay-same-stream"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    // HTTP+SSE probes the Origin with its stream GET; Streamable HTTP probes a
    // GET only where a foreign Origin must get 403 whatever else is wrong.
    Expectation { fault: "origin-checked-on-post-only", fails: &["HTTP-003-foreign-origin"], collateral: &[], transports: &["sse"], since: "2024-11-05" },
    Expectation { fault: "origin-checked-on-post-only", fails: &["HTTP-003-foreign-origin"], collateral: &[], transports: STREAMABLE, since: "2025-11-25" },
    Expectation {
        fault: "refused-notification-answered-200",
        fails: &["HTTP-007-refused-notification"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-03-26",
    },
    Expectation {
        fault: "header-mismatch-status-200",
        fails: &[
            "HTTP-020-method-header-mismatch",
            "HTTP-016-version-header-mismatch",
            "HTTP-021-name-header-mismatch",
            "HTTP-027-header-values-case-sensitive",
        ],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation { fault: "auth-metadata-no-resource", fails: &["AUTH-002-resource-metadata"], collateral: &[], transports: STREAMABLE, since: "2025-06-18" },
    Expectation {
        fault: "auth-metadata-undiscoverable",
        fails: &["AUTH-002-resource-metadata"],
        // 2025-06-18 also wants resource_metadata in the challenge (L-AUTH-001).
        collateral: &["AUTH-008-unauthenticated-challenge"],
        transports: STREAMABLE,
        since: "2025-06-18",
    },
    Expectation { fault: "auth-missing-token-403", fails: &["AUTH-008-unauthenticated-challenge"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation {
        fault: "auth-server-metadata-missing",
        fails: &["L-AUTH-002-authorization-server-metadata"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-03-26",
    },
    Expectation {
        fault: "version-header-mismatch-ignored",
        fails: &["HTTP-016-version-header-mismatch"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation { fault: "name-header-mismatch-ignored", fails: &["HTTP-021-name-header-mismatch"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation {
        fault: "method-header-case-insensitive",
        fails: &["HTTP-027-header-values-case-sensitive"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation { fault: "session-id-in-stateless", fails: &["HTTP-032-no-session-ids"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation {
        fault: "auth-challenge-without-scope",
        fails: &["AUTH-008-unauthenticated-challenge"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-11-25",
    },
    Expectation {
        fault: "auth-offline-access-requested",
        fails: &["AUTH-008-unauthenticated-challenge", "AUTH-002-resource-metadata"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation {
        fault: "auth-any-token-accepted",
        fails: &["AUTH-006-invalid-token", "AUTH-007-foreign-audience-token", "AUTH-008-expired-token"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2025-06-18",
    },
    Expectation { fault: "no-host-check", fails: &["HTTP-002-foreign-host"], collateral: &[], transports: HTTP, since: "2024-11-05" },
    Expectation {
        fault: "sse-without-accel-buffering",
        fails: &["HTTP-012-no-proxy-buffering"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation {
        fault: "encoded-name-header-not-decoded",
        fails: &["HTTP-022-encoded-header-values"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation {
        fault: "discover-no-server-info",
        fails: &["LIFECYCLE-004-discover-server-info", "JSONRPC-005-result-fields"],
        collateral: &[],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "initialize-no-server-info",
        fails: &["L-LIFE-001-initialize"],
        // Every initialize result lacks serverInfo, those of fresh connections too.
        collateral: &["L-LIFE-002-supported-version-echoed", "L-LIFE-002-unsupported-version-counter-proposal", "L-S2C-001-undeclared-capabilities"],
        transports: ALL,
        since: "2024-11-05",
    },
    // Like its siblings above, it acts on Streamable HTTP only in handshake-era sessions.
    Expectation { fault: "error-id-dropped", fails: &["JSONRPC-007-error-id-echo"], collateral: &[], transports: &["stdio", "sse"], since: "2024-11-05" },
    Expectation { fault: "undefined-mcp-error-code", fails: &["JSONRPC-010-error-codes"], collateral: &[], transports: ALL, since: "2026-07-28" },
    Expectation {
        fault: "legacy-error-code",
        fails: &["JSONRPC-010-error-codes"],
        // The unknown prompt's code is also not the -32602 PROMPTS-007 asks for.
        collateral: &["PROMPTS-007-invalid-get"],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation { fault: "reserved-error-code", fails: &["JSONRPC-010-error-codes"], collateral: &[], transports: ALL, since: "2026-07-28" },
    Expectation {
        fault: "client-capabilities-not-required",
        fails: &["LIFECYCLE-007-missing-client-capabilities"],
        collateral: &[],
        transports: ALL,
        since: "2026-07-28",
    },
    // Tools got `_meta` in 2025-06-18.
    Expectation { fault: "meta-key-invalid", fails: &["JSONRPC-018-meta-keys"], collateral: &[], transports: ALL, since: "2025-06-18" },
    Expectation { fault: "extension-unprefixed", fails: &["JSONRPC-018-meta-keys"], collateral: &[], transports: ALL, since: "2026-07-28" },
    Expectation { fault: "tools-capability-undeclared", fails: &["LIFECYCLE-019-features-declared"], collateral: &[], transports: ALL, since: "2026-07-28" },
    Expectation { fault: "result-without-server-info", fails: &["JSONRPC-005-result-fields"], collateral: &[], transports: ALL, since: "2026-07-28" },
    Expectation {
        fault: "result-type-missing",
        fails: &["JSONRPC-005-result-fields"],
        // The schema requires resultType: every case that lists the templates sees it.
        collateral: &["CACHE-001-cache-hints", "JSONRPC-018-meta-keys", "RESOURCES-016-uri-templates", "UTIL-012-pagination", "UTIL-023-completion-values"],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation { fault: "result-type-unknown", fails: &["JSONRPC-005-result-fields"], collateral: &[], transports: ALL, since: "2026-07-28" },
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
    Expectation { fault: "traced-response-jsonrpc-1", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "traced-result-not-object", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "traced-notification-with-id", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: &["stdio"], since: "2024-11-05" },
    Expectation { fault: "traced-response-multiline", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: &["stdio"], since: "2024-11-05" },
    Expectation { fault: "traced-response-not-utf8", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: &["stdio"], since: "2024-11-05" },
    Expectation {
        fault: "cancel-stalls",
        // After any cancellation the server answers nothing: the liveness probes fail.
        fails: &["UTIL-003-cancel-no-response", "STDIO-007-cancel-no-response", "UTIL-006-cancel-ignored"],
        collateral: &["JSONRPC-014-notifications-unanswered"],
        transports: &["stdio"],
        since: "2024-11-05",
    },
    Expectation {
        fault: "cancel-unknown-answered",
        fails: &["UTIL-006-cancel-ignored"],
        // It also answers the cancellation of a request never sent there.
        collateral: &["JSONRPC-014-notifications-unanswered"],
        transports: &["stdio"],
        since: "2024-11-05",
    },
    Expectation { fault: "cursor-invalid-internal-error", fails: &["UTIL-014-invalid-cursor"], collateral: &[], transports: ALL, since: "2024-11-05" },
    // JSONRPC-019 is a rule of 2026-07-28 only.
    Expectation { fault: "traceparent-malformed", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "server-cancels-traced-request", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "traced-stray-notification", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "traced-error-verbose", fails: &["JSONRPC-001-envelope"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "server-request-ids-reused",
        fails: &["L-JSONRPC-001-server-request-ids"],
        // Every case that makes the ask tool send requests sees an id used before.
        collateral: &["S2C-021-client-request-shapes", "TOOLS-008-call-results", "TOOLS-011-argument-errors-are-tool-errors", "TOOLS-018-invalid-arguments-rejected"],
        transports: &["stdio"],
        since: "2024-11-05",
    },
    Expectation {
        fault: "capabilities-carried-over",
        fails: &["LIFECYCLE-010-per-request-capabilities"],
        // Over HTTP the memory is the whole server's: a later call declaring
        // nothing is asked what earlier cases declared.
        collateral: &["L-S2C-001-undeclared-capabilities"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "undeclared-capabilities-assumed",
        fails: &["LIFECYCLE-010-per-request-capabilities"],
        // Every call declaring nothing is asked for input.
        collateral: &["L-S2C-001-undeclared-capabilities"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "missing-capability-as-tool-error",
        fails: &["LIFECYCLE-010-per-request-capabilities"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation { fault: "lists-change-after-calls", fails: &["TOOLS-003-list-stability"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "tools-order-varies", fails: &["TOOLS-003-list-stability"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "request-state-latest-only",
        fails: &["LIFECYCLE-013-interleaved-conversations"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "initialize-refused-without-versions",
        fails: &["LIFECYCLE-017-legacy-initialize"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation { fault: "param-header-mismatch-ignored", fails: &["HTTP-023-param-headers"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation {
        fault: "param-header-demanded-when-absent",
        fails: &["HTTP-023-param-headers"],
        // The integer check's call gives only `priority`: the others' headers are demanded.
        collateral: &["HTTP-026-integer-param-header"],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation { fault: "param-header-raw-bytes-accepted", fails: &["HTTP-023-param-headers"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "param-header-integer-as-text", fails: &["HTTP-026-integer-param-header"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation {
        fault: "param-header-annotation-invalid",
        fails: &["TOOLS-019-param-header-annotations"],
        collateral: &[],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "last-event-id-refused-in-stateless",
        fails: &["HTTP-033-last-event-id-ignored"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation {
        fault: "stateless-only-get-not-405",
        fails: &["HTTP-031-stateless-endpoint-methods"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation { fault: "listens-beyond-loopback", fails: &["HTTP-004-loopback-only"], collateral: &[], transports: HTTP, since: "2024-11-05" },
    Expectation {
        fault: "notifications-not-at-endpoint",
        fails: &["HTTP-001-endpoint-accepts-post"],
        collateral: &[],
        transports: STREAMABLE,
        since: "2026-07-28",
    },
    Expectation {
        fault: "tools-capability-omitted",
        fails: &["TOOLS-001-capability"],
        // 2026-07-28: the same omission is what LIFECYCLE-019 judges; the toggle
        // fixture's tools/list_changed now comes without a declared tools capability.
        collateral: &["LIFECYCLE-019-features-declared", "L-LIFE-004-list-changed-needs-capability"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "resources-capability-undeclared",
        fails: &["RESOURCES-001-capability-declared"],
        // The same rule in 2026-07-28's words; toggle still announces the undeclared list.
        collateral: &["LIFECYCLE-019-features-declared", "L-LIFE-004-list-changed-needs-capability"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "prompts-capability-undeclared",
        fails: &["RESOURCES-001-capability-declared"],
        collateral: &["LIFECYCLE-019-features-declared", "L-LIFE-004-list-changed-needs-capability"],
        transports: ALL,
        since: "2024-11-05",
    },
    // The 2026-07-28 fault of LIFECYCLE-019 is a TOOLS-001 violation too.
    Expectation { fault: "tools-capability-undeclared", fails: &["TOOLS-001-capability"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "tools-list-refused",
        fails: &["TOOLS-002-list"],
        // Every case that lists the tools is refused the list.
        collateral: EVERY_TOOL_LISTER,
        transports: ALL,
        since: "2024-11-05",
    },
    // Tool names are judged from 2025-11-25, when the rules were written.
    Expectation { fault: "tool-name-with-spaces", fails: &["TOOLS-017-tool-definitions"], collateral: &[], transports: ALL, since: "2025-11-25" },
    Expectation {
        fault: "tool-annotation-mistyped",
        fails: &["TOOLS-017-tool-definitions"],
        // The schema types the hints too: every case that lists the tools sees it.
        collateral: EVERY_TOOL_LISTER,
        transports: ALL,
        since: "2025-03-26",
    },
    Expectation { fault: "structured-content-without-text", fails: &["TOOLS-016-result-content"], collateral: &[], transports: ALL, since: "2025-06-18" },
    Expectation { fault: "image-content-not-base64", fails: &["TOOLS-016-result-content"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "resources-capability-omitted",
        fails: &["TOOLS-016-result-content"],
        // 2026-07-28: the same omission is what LIFECYCLE-019 judges; the toggle
        // fixture's resources/list_changed now comes without a declared resources capability.
        collateral: &["LIFECYCLE-019-features-declared", "L-LIFE-004-list-changed-needs-capability"],
        transports: ALL,
        since: "2024-11-05",
    },
    // Array structured content exists in 2026-07-28 only.
    Expectation { fault: "structured-content-wrapped", fails: &["TOOLS-008-call-results"], collateral: &[], transports: STATELESS, since: "2026-07-28" },    Expectation { fault: "progress-message-unreadable", fails: &["UTIL-010-progress-messages"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation { fault: "completion-unranked", fails: &["UTIL-025-completion-ranking"], collateral: &[], transports: ALL, since: "2024-11-05" },    Expectation { fault: "stale-handle-accepted", fails: &["TOOLS-020-stale-handle"], collateral: &[], transports: STATELESS, since: "2026-07-28" },    // Faults of earlier rows whose spoiled listings, results or completions
    // the tools, progress and completion cases above see too (on receipt,
    // by the schema of the version): collateral only, their own rows hold
    // what they are aimed at.
    Expectation { fault: "tools-list-invalid", fails: &[], collateral: &["TOOLS-016-result-content", "TOOLS-017-tool-definitions"], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "call-result-invalid",
        fails: &[],
        collateral: &["TOOLS-016-result-content", "TOOLS-020-stale-handle", "UTIL-010-progress-messages"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "s2c-request-in-stateless", fails: &[], collateral: &["TOOLS-016-result-content"], transports: ALL, since: "2026-07-28" },
    Expectation { fault: "elicitation-nested-form", fails: &[], collateral: &["TOOLS-016-result-content"], transports: ALL, since: "2025-06-18" },
    Expectation { fault: "task-result-without-extension", fails: &[], collateral: &["TOOLS-016-result-content"], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "template-invalid", fails: &[], collateral: &["UTIL-025-completion-ranking"], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "completion-too-many-values", fails: &[], collateral: &["UTIL-025-completion-ranking"], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "missing-cache-fields", fails: &[], collateral: &["UTIL-025-completion-ranking"], transports: ALL, since: "2026-07-28" },
    Expectation { fault: "result-type-missing", fails: &[], collateral: &["UTIL-025-completion-ranking"], transports: ALL, since: "2026-07-28" },
    Expectation { fault: "cache-scope-invalid", fails: &[], collateral: &["UTIL-025-completion-ranking"], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "resource-list-change-unannounced", fails: &["RESOURCES-008-list-changes-announced"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "prompt-list-change-unannounced", fails: &["RESOURCES-008-list-changes-announced"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "listen-resource-updates-dropped", fails: &["RESOURCES-009-listen-updates"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "resource-uri-unvalidated",
        fails: &["RESOURCES-012-uris-validated"],
        // Every read of an unknown URI is served.
        collateral: &["L-RES-002-read-not-found", "RESOURCES-005-read-not-found", "RESOURCES-006-not-found-is-an-error", "JSONRPC-010-error-codes"],
        transports: ALL,
        since: "2024-11-05",
    },
    // lastModified came with 2025-06-18.
    Expectation { fault: "resource-annotations-invalid", fails: &["RESOURCES-015-annotations"], collateral: &[], transports: ALL, since: "2025-06-18" },
    Expectation { fault: "resource-internal-error-wrong-code", fails: &["RESOURCES-007-internal-error"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "prompt-image-invalid", fails: &["PROMPTS-005-message-contents"], collateral: &[], transports: ALL, since: "2024-11-05" },
    // 2024-11-05 declares no completions, so the harness finds no valid id for summarize-item there.
    Expectation { fault: "prompt-embedded-resource-invalid", fails: &["PROMPTS-005-message-contents"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation { fault: "request-state-unverified", fails: &["S2C-007-request-state"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "elicitation-id-in-stateless", fails: &["S2C-021-client-request-shapes"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    // Elicitation exists from 2025-06-18, which HTTP+SSE does not carry.
    Expectation { fault: "elicitation-content-unvalidated", fails: &["S2C-026-elicitation-answers"], collateral: &[], transports: STATELESS, since: "2025-06-18" },
    Expectation { fault: "elicitation-refusal-unhandled", fails: &["S2C-026-elicitation-answers"], collateral: &[], transports: STATELESS, since: "2025-06-18" },
    Expectation { fault: "requests-before-initialized", fails: &["L-LIFE-003-no-requests-before-initialized"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "auth-insufficient-scope-401", fails: &["AUTH-011-insufficient-scope"], collateral: &[], transports: STREAMABLE, since: "2025-11-25" },
    Expectation { fault: "auth-audience-case-sensitive", fails: &["AUTH-016-upper-case-resource"], collateral: &[], transports: STREAMABLE, since: "2025-06-18" },
    Expectation { fault: "input-required-outside-mrtr", fails: &["S2C-002-input-required-methods"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "roots-without-capability", fails: &["L-S2C-001-undeclared-capabilities"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "elicitation-form-link", fails: &["S2C-021-client-request-shapes"], collateral: &[], transports: STATELESS, since: "2025-11-25" },
    Expectation {
        fault: "requests-dropped-under-load",
        fails: &["LIFECYCLE-001-burst-answered"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "oversized-wedges",
        fails: &["LIFECYCLE-001-oversized-message"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "request-notifications-on-listen-streams", fails: &["HTTP-009-stream-routing"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "logs-on-another-request-stream", fails: &["HTTP-009-stream-routing"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "request-stream-left-open", fails: &["HTTP-009-stream-routing", "HTTP-011-request-stream-ends"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "listen-notifications-untagged", fails: &["HTTP-009-stream-routing"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "listen-ids-mixed", fails: &["HTTP-009-stream-routing"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "responses-on-get-stream", fails: &["L-HTTP-005-get-stream-routing"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "notifications-on-two-streams", fails: &["L-HTTP-005-get-stream-routing"], collateral: &[], transports: STREAMABLE, since: "2025-03-26" },
    Expectation { fault: "listen-teardown-without-result", fails: &["UTIL-001-listen-teardown-cancelled"], collateral: &[], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "listen-survives-cancel", fails: &["SUBS-008-listen-cancel-ends"], collateral: &[], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "no-priming-event", fails: &["L-HTTP-002-priming-event"], collateral: &[], transports: STREAMABLE, since: "2025-11-25" },
    Expectation { fault: "dropped-stream-cancels", fails: &["L-HTTP-003-dropped-stream-continues"], collateral: &[], transports: STREAMABLE, since: "2025-11-25" },
    Expectation {
        fault: "cancelled-work-continues",
        fails: &["HTTP-014-stream-close-cancels", "STDIO-006-cancelled-work-stops"],
        collateral: &[],
        transports: STATELESS,
        since: "2026-07-28",
    },
    // A SHOULD-level warning (STRICT), decided only by a watch of 30 s (RUN_ARGS).
    Expectation { fault: "listen-without-keep-alive", fails: &["HTTP-013-listen-keep-alive"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    // Over Streamable HTTP the leak shows on requests that name the session in Mcp-Session-Id.
    Expectation { fault: "legacy-session-leaks", fails: &["LIFECYCLE-018-eras-side-by-side"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "input-request-keys-duplicated", fails: &["S2C-003-input-required-rounds"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "resource-input-required-empty", fails: &["S2C-003-input-required-rounds"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "prompt-retry-not-a-prompt",
        fails: &["S2C-003-input-required-rounds"],
        // Every case that completes the prompt sees its answer break the schema on receipt.
        collateral: &["PROMPTS-005-message-contents", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation { fault: "request-state-unbound", fails: &["S2C-008-request-state-binding"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    // Over HTTP one process serves every connection, so a per-process key shows only over stdio.
    Expectation { fault: "request-state-per-process", fails: &["LIFECYCLE-012-retry-elsewhere"], collateral: &[], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "scope-filtered-list-public", fails: &["AUTH-018-scope-filtered-lists"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "stateless-only-version-header-optional", fails: &["HTTP-019-version-header-required"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    // 2025-11-25 is carried by stdio and Streamable HTTP.
    Expectation { fault: "url-elicitation-data-malformed", fails: &["L-ELIC-001-url-elicitation-required"], collateral: &[], transports: STATELESS, since: "2025-11-25" },
    Expectation { fault: "url-elicitation-complete-wrong-id", fails: &["L-ELIC-001-url-elicitation-required"], collateral: &[], transports: STATELESS, since: "2025-11-25" },
    // 2025-11-25 (server requests) and 2026-07-28 (input_required) are carried by stdio and Streamable HTTP.
    Expectation { fault: "sampling-tool-result-id-mismatch", fails: &["S2C-016-sampling-tool-results"], collateral: &[], transports: STATELESS, since: "2025-11-25" },
    // The case needs a protected server, so the fault is proven over Streamable HTTP with --auth.
    Expectation { fault: "tools-vary-by-client", fails: &["AUTH-018-scope-filtered-lists"], collateral: &[], transports: STREAMABLE, since: "2026-07-28" },
    Expectation { fault: "tool-list-change-unannounced", fails: &["RESOURCES-008-list-changes-announced"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "unknown-tool-as-tool-error", fails: &["TOOLS-012-protocol-errors"], collateral: &[], transports: STATELESS, since: "2026-07-28" },
    // Faults of earlier rows that the multi round-trip, retry, URL elicitation
    // and dual-era cases added later see too (found by MCP_CONFORM_MUTATION_FULL=1):
    // each spoils a message those cases receive (on receipt, by the version's
    // schema, or the input_required shape S2C-003 checks at every round), or
    // keeps per-process state a retry elsewhere needs. Collateral only.
    Expectation {
        fault: "call-result-invalid",
        fails: &[],
        collateral: &["S2C-003-input-required-rounds", "S2C-008-request-state-binding", "S2C-016-sampling-tool-results"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "s2c-request-in-stateless",
        fails: &[],
        collateral: &["LIFECYCLE-012-retry-elsewhere", "S2C-003-input-required-rounds", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "elicitation-nested-form",
        fails: &[],
        collateral: &["LIFECYCLE-012-retry-elsewhere", "S2C-003-input-required-rounds", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "completion-too-many-values",
        fails: &[],
        collateral: &["S2C-003-input-required-rounds", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "missing-cache-fields",
        fails: &[],
        collateral: &["S2C-003-input-required-rounds", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "cache-ttl-negative",
        fails: &[],
        collateral: &["S2C-003-input-required-rounds", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation {
        fault: "cache-scope-invalid",
        fails: &[],
        collateral: &["S2C-003-input-required-rounds", "S2C-008-request-state-binding"],
        transports: STATELESS,
        since: "2026-07-28",
    },
    Expectation { fault: "input-required-empty", fails: &[], collateral: &["S2C-003-input-required-rounds"], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "input-requests-with-id", fails: &[], collateral: &["S2C-003-input-required-rounds"], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "input-required-cache-hints", fails: &[], collateral: &["S2C-003-input-required-rounds"], transports: STATELESS, since: "2026-07-28" },
    // The last requestState issued is kept per process: a retry on another process is refused.
    Expectation { fault: "request-state-latest-only", fails: &[], collateral: &["LIFECYCLE-012-retry-elsewhere"], transports: &["stdio"], since: "2026-07-28" },
    Expectation { fault: "discover-invalid-result", fails: &[], collateral: &["LIFECYCLE-018-eras-side-by-side"], transports: STATELESS, since: "2026-07-28" },
    Expectation { fault: "tools-list-invalid", fails: &[], collateral: &["LIFECYCLE-018-eras-side-by-side"], transports: STATELESS, since: "2026-07-28" },
    Expectation {
        fault: "initialize-no-server-info",
        fails: &[],
        collateral: &["LIFECYCLE-018-eras-side-by-side", "L-ELIC-001-url-elicitation-required"],
        transports: STATELESS,
        since: "2025-11-25",
    },
    Expectation {
        fault: "stdout-garbage",
        fails: &[],
        collateral: &["LIFECYCLE-018-eras-side-by-side", "L-ELIC-001-url-elicitation-required"],
        transports: &["stdio"],
        since: "2025-11-25",
    },
    // A response repeated on the GET stream answers the elicitation's request twice.
    Expectation { fault: "responses-on-get-stream", fails: &[], collateral: &["L-ELIC-001-url-elicitation-required"], transports: STREAMABLE, since: "2025-11-25" },
];

/// The cases that list the tools, besides TOOLS-002-list: a fault that
/// spoils the listing reaches all of them.
const EVERY_TOOL_LISTER: &[&str] = &[
    "TOOLS-006-input-schemas",
    "TOOLS-008-call-results",
    "TOOLS-011-argument-errors-are-tool-errors",
    "TOOLS-016-result-content",
    "TOOLS-017-tool-definitions",
    "TOOLS-018-invalid-arguments-rejected",
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
    "TASKS-001-no-task-without-extension",
    "CACHE-001-cache-hints",
    "UTIL-012-pagination",
    "HTTP-010-no-requests-on-streams",
    "JSONRPC-016-no-server-requests",
    "JSONRPC-005-result-fields",
    "JSONRPC-018-meta-keys",
    "LIFECYCLE-018-eras-side-by-side",
];

/// Faults that break a SHOULD in some versions: there the case they reach
/// warns (and fails only under `--strict`). (fault, case, versions, transports)
const WARNS: &[(&str, &str, &[&str], &[&str])] = &[
    ("response-after-cancel", "UTIL-003-cancel-no-response", &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"], ALL),
    ("list-changed-without-capability", "L-LIFE-004-list-changed-needs-capability", &["2024-11-05", "2025-03-26"], ALL),
];

/// Faults that act only on a server started with `--auth`: their runs
/// present a valid token and the refusal checks' tokens.
const WITH_AUTH: &[&str] = &[
    "auth-wrong-audience-accepted",
    "auth-no-www-authenticate",
    "auth-expired-accepted",
    "auth-metadata-no-authorization-servers",
    "auth-metadata-no-resource",
    "auth-metadata-undiscoverable",
    "auth-missing-token-403",
    "auth-server-metadata-missing",
    "auth-challenge-without-scope",
    "auth-offline-access-requested",
    "auth-any-token-accepted",
    "auth-insufficient-scope-401",
    "auth-audience-case-sensitive",
    "scope-filtered-list-public",
    "tools-vary-by-client",
];

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
    "session-id-in-stateless",
    "auth-challenge-without-scope",
    "auth-offline-access-requested",
    "no-host-check",
    "sse-without-accel-buffering",
    "discover-no-server-info",
    "legacy-error-code",
    "reserved-error-code",
    "result-without-server-info",
    "missing-answers-refused",
    "sampling-context-undeclared",
    "malformed-input-responses-accepted",
    "extra-input-responses-refused",
    "cancel-unknown-answered",
    "cursor-invalid-internal-error",
    "traced-error-verbose",
    "tools-order-varies",
    "initialize-refused-without-versions",
    "request-state-latest-only",
    "param-header-integer-as-text",
    "last-event-id-refused-in-stateless",
    "stateless-only-get-not-405",
    "listens-beyond-loopback",
    "tool-name-with-spaces",
    "structured-content-without-text",
    "resources-capability-omitted",
    "progress-message-unreadable",
    "completion-unranked",
    "stale-handle-accepted",
    "resource-list-change-unannounced",
    "prompt-list-change-unannounced",
    "resource-internal-error-wrong-code",
    "elicitation-content-unvalidated",
    "requests-before-initialized",
    "auth-insufficient-scope-401",
    "auth-audience-case-sensitive",
    "elicitation-form-link",
    "request-stream-left-open",
    "cancelled-work-continues",
    "listen-teardown-without-result",
    "no-priming-event",
    "dropped-stream-cancels",
    "listen-without-keep-alive",
    "request-state-unbound",
    "request-state-per-process",
    "tool-list-change-unannounced",
];

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
fn mint(aud: &str, expires_in: &str) -> Result<String, String> {
    let out = conform(&["reference-server", "mint-token", "--key", AUTH_KEY, "--aud", aud, "--exp-in", expires_in, "--scope", "mcp"]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || token.is_empty() {
        return Err(format!("mint-token failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(token)
}

/// A token from the reference server's `mint-token` granting `scope` only.
fn mint_scoped(aud: &str, scope: &str) -> Result<String, String> {
    let out = conform(&["reference-server", "mint-token", "--key", AUTH_KEY, "--aud", aud, "--exp-in", "1h", "--scope", scope]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || token.is_empty() {
        return Err(format!("mint-token failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(token)
}

/// Faults whose runs need options of their own: (fault, extra `run` arguments).
const RUN_ARGS: &[(&str, &[&str])] = &[
    // Silence on a listen stream is a finding only after a long watch.
    ("listen-without-keep-alive", &["--keep-alive-window", "30s"]),
];

/// Run every case with each fault (set by `MCP_CONFORM_MUTATION_FULL=1`),
/// instead of only the cases the fault is expected to reach: slower, and it
/// also proves that no other case fails.
fn full_catalogue() -> bool {
    std::env::var_os("MCP_CONFORM_MUTATION_FULL").is_some_and(|v| v == "1")
}

/// One run of the catalogue against the reference server.
struct Run {
    code: Option<i32>,
    record: RunRecord,
    /// What the run printed, shown when a trial fails.
    output: String,
}

impl Run {
    /// The verdicts of `case` in `version` (exactly one when the case ran).
    fn verdicts(&self, case: &str, version: &str) -> Vec<Status> {
        self.record.results.iter().filter(|r| r.case_id == case && r.version == version).map(|r| r.status).collect()
    }

    /// `(case, version)` of every failure of a case not in `allowed`.
    fn failures_outside(&self, allowed: &[&str]) -> Vec<(String, String)> {
        with_status(&self.record, Status::Fail).into_iter().filter(|(case, _)| !allowed.contains(&case.as_str())).collect()
    }
}

/// Run the reference server (with `fault`) through `cases` (all when empty).
/// Over Streamable HTTP a run with `auth` presents a valid token and the
/// refusal checks' tokens.
fn run_reference(fault: Option<&str>, transport: &str, auth: bool, cases: &[&str]) -> Result<Run, String> {
    let label = fault.unwrap_or("clean");
    let dir = scratch(&format!("mutation-{label}-{transport}"));
    let report = dir.to_str().ok_or("scratch path is not UTF-8")?;
    // The reference server runs as a command here, so its fixture mapping is named.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/reference-server.toml");
    let mut args = vec!["run", "--color", "never", "--timeout", "5s", "--call-tools", "all", "--fixtures", fixtures, "--report-dir", report];
    let mut server_args: Vec<&str> = fault.map(|f| vec!["--fault", f]).unwrap_or_default();
    if auth {
        server_args.extend(["--auth", "--auth-key", AUTH_KEY]);
    }
    if fault.is_some_and(|f| STRICT.contains(&f)) {
        args.push("--strict");
    }
    if let Some((_, extra)) = RUN_ARGS.iter().find(|(f, _)| fault == Some(*f)) {
        args.extend(extra.iter().copied());
    }
    for case in cases {
        args.extend(["--only", case]);
    }
    let server;
    let tokens: Vec<String>;
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
                // Enough to open a session, not to call a tool (AUTH-011).
                mint_scoped(&server.url, "mcp:read")?,
                // The same resource with its scheme in upper case (AUTH-016).
                mint(&server.url.replacen("http://", "HTTP://", 1), "1h")?,
            ];
            args.extend(["--header", tokens[0].as_str()]);
            args.extend(["--auth-token-foreign-audience", tokens[1].as_str(), "--auth-token-expired", tokens[2].as_str()]);
            args.extend(["--auth-token-narrow-scope", tokens[3].as_str(), "--auth-token-upper-case-resource", tokens[4].as_str()]);
        }
        args.extend(["--url", server.url.as_str(), "--transport", transport]);
    }
    let out = conform(&args);
    let output = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.code() == Some(2) {
        return Err(format!("the run could not start:\n{output}"));
    }
    Ok(Run { code: out.status.code(), record: record(&dir), output })
}

/// Every case a fault's run must include: the ones it fails, warns or leaves
/// undecided, and its collateral.
fn cases_reached(fault: &str) -> Vec<&'static str> {
    let expected = EXPECTATIONS.iter().filter(|e| e.fault == fault).flat_map(|e| e.fails.iter().chain(e.collateral).copied());
    let warned = WARNS.iter().filter(|w| w.0 == fault).map(|w| w.1);
    let undecided = UNDECIDABLE.iter().filter(|u| u.0 == fault).map(|u| u.1);
    expected.chain(warned).chain(undecided).collect()
}

/// The cases a fault may fail without being wrong.
fn allowed_failures(fault: &str) -> Vec<&'static str> {
    EXPECTATIONS.iter().filter(|e| e.fault == fault).flat_map(|e| e.fails.iter().chain(e.collateral).copied()).collect()
}

type SharedRun = Arc<OnceLock<Result<Arc<Run>, String>>>;

/// A run is named by its fault (`None` for the clean server) and transport.
type RunKey = (Option<&'static str>, &'static str);

/// The run of the reference server with `fault` (clean when `None`) over
/// `transport`, made once and shared by every trial that reads it. The
/// clean Streamable HTTP server runs with `--auth`, so the authorization
/// cases are decided too.
fn shared_run(fault: Option<&'static str>, transport: &'static str) -> Result<Arc<Run>, Failed> {
    static RUNS: OnceLock<Mutex<HashMap<RunKey, SharedRun>>> = OnceLock::new();
    let cell = {
        let mut runs = RUNS.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        runs.entry((fault, transport)).or_default().clone()
    };
    let run = cell.get_or_init(|| {
        let made = match fault {
            None => run_reference(None, transport, transport == "streamable-http", &[]),
            Some(f) => {
                let cases = if full_catalogue() { Vec::new() } else { cases_reached(f) };
                run_reference(Some(f), transport, WITH_AUTH.contains(&f), &cases)
            }
        };
        made.map(Arc::new)
    });
    run.clone().map_err(Failed::from)
}

/// One case in one version over one transport: the clean server passes it,
/// and every fault aimed at it there makes it fail (or warn, or stay
/// undecided, as its table says).
fn case_trial(case: &'static str, version: &'static str, transport: &'static str) -> Result<(), Failed> {
    // (what went wrong, the output of the run that shows it)
    let mut problems: Vec<(String, String)> = Vec::new();
    let verdict_is = |label: &str, run: &Arc<Run>, wanted: Status| {
        let verdicts = run.verdicts(case, version);
        (verdicts != [wanted]).then(|| (format!("{label}: {verdicts:?}, expected [{wanted:?}]"), run.output.clone()))
    };
    problems.extend(verdict_is("clean server", &shared_run(None, transport)?, Status::Pass));
    let aimed = EXPECTATIONS
        .iter()
        .filter(|e| e.fails.contains(&case) && e.transports.contains(&transport) && version::at_least(version, e.since));
    for e in aimed {
        problems.extend(verdict_is(e.fault, &shared_run(Some(e.fault), transport)?, Status::Fail));
    }
    for &(fault, _, _, _) in WARNS.iter().filter(|w| w.1 == case && w.2.contains(&version) && w.3.contains(&transport)) {
        problems.extend(verdict_is(fault, &shared_run(Some(fault), transport)?, Status::Warn));
    }
    for &(fault, _, _) in UNDECIDABLE.iter().filter(|u| u.1 == case && u.2 == version) {
        let run = shared_run(Some(fault), transport)?;
        problems.extend(verdict_is(fault, &run, Status::Inconclusive));
        if run.code != Some(0) {
            // Nothing decidable failed, so the run as a whole is conformant.
            problems.push((format!("{fault}: exit {:?}, expected 0", run.code), run.output.clone()));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let (what, outputs): (Vec<_>, Vec<_>) = problems.into_iter().unzip();
    Err(format!("{case} {version} over {transport}:\n  {}\n\n{}", what.join("\n  "), outputs.join("\n----\n")).into())
}

/// A fault's run as a whole: it exits 1, fails each case it aims at
/// somewhere, and fails no case beyond its expectation.
fn fault_trial(expectation: &'static Expectation, transport: &'static str) -> Result<(), Failed> {
    let run = shared_run(Some(expectation.fault), transport)?;
    if run.code != Some(1) {
        return Err(format!("exit {:?}, expected 1\n{}", run.code, run.output).into());
    }
    // A case that cannot run over this transport (or after `since`) is aimed at elsewhere.
    let runs_here = |id: &str| {
        let kind = Kind::from_name(transport).expect("a known transport");
        catalogue().cases.iter().any(|c| {
            c.id == id && c.covers_transport(kind) && version::ALL.iter().any(|v| version::at_least(v, expectation.since) && c.covers_version(v))
        })
    };
    let never_failed: Vec<_> = expectation
        .fails
        .iter()
        .filter(|case| runs_here(case))
        .filter(|case| !run.record.results.iter().any(|r| r.case_id == **case && r.status == Status::Fail))
        .collect();
    let unexpected = run.failures_outside(&allowed_failures(expectation.fault));
    if never_failed.is_empty() && unexpected.is_empty() {
        return Ok(());
    }
    Err(format!("{}: never failed {never_failed:?}; failed beyond its expectation {unexpected:?}\n{}", expectation.fault, run.output).into())
}

/// A fault that only warns (or leaves its case undecided) fails nothing
/// beyond its expectation.
fn quiet_fault_trial(fault: &'static str, transport: &'static str) -> Result<(), Failed> {
    let run = shared_run(Some(fault), transport)?;
    let unexpected = run.failures_outside(&allowed_failures(fault));
    if unexpected.is_empty() {
        return Ok(());
    }
    Err(format!("{fault} made other cases fail: {unexpected:?}\n{}", run.output).into())
}

/// The clean server passes the whole catalogue over `transport`; over
/// Streamable HTTP (run with `--auth`) the authorization cases are decided.
fn clean_trial(transport: &'static str) -> Result<(), Failed> {
    let run = shared_run(None, transport)?;
    let not_passed: Vec<_> = run.record.results.iter().filter(|r| r.status != Status::Pass).map(|r| (&r.case_id, &r.version, r.status)).collect();
    let auth_passed = run.record.results.iter().filter(|r| r.area == "auth" && r.status == Status::Pass).count();
    if run.code == Some(0) && not_passed.is_empty() && (transport != "streamable-http" || auth_passed > 0) {
        return Ok(());
    }
    Err(format!("exit {:?}, not passed: {not_passed:?}, auth cases passed: {auth_passed}\n{}", run.code, run.output).into())
}

/// Every fault the reference server lists has an entry in one of the tables.
fn every_fault_has_an_expectation() -> Result<(), Failed> {
    let listing = conform(&["reference-server", "--list-faults"]);
    let missing: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter(|f| !EXPECTATIONS.iter().any(|e| e.fault == *f) && !WARNS.iter().any(|w| w.0 == *f) && !UNDECIDABLE.iter().any(|u| u.0 == *f))
        .map(str::to_string)
        .collect();
    if missing.is_empty() { Ok(()) } else { Err(format!("faults without an expectation: {missing:?}").into()) }
}

/// Every case of the catalogue is aimed at by some fault: a case no fault
/// can make fail (or warn) is not proven.
fn every_case_has_a_fault(catalogue: &[&'static str]) -> Result<(), Failed> {
    let unproven: Vec<_> = catalogue
        .iter()
        .filter(|case| !EXPECTATIONS.iter().any(|e| e.fails.contains(case)) && !WARNS.iter().any(|w| w.1 == **case))
        .collect();
    if unproven.is_empty() { Ok(()) } else { Err(format!("cases no fault makes fail: {unproven:?}").into()) }
}

/// The built-in catalogue, loaded once: trials must own what they read.
fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(mcp_conform::case::builtin)
}

/// Trials are views over shared runs: one per case × version × transport
/// (`CASE::VERSION::TRANSPORT`), one per fault × transport
/// (`FAULT::TRANSPORT`) and one clean run per transport (`clean::TRANSPORT`).
fn main() {
    let args = Arguments::from_args();
    let catalogue = catalogue();
    let ids: Vec<&'static str> = catalogue.cases.iter().map(|c| c.id.as_str()).collect();

    let mut trials = vec![
        Trial::test("every_fault_has_an_expectation", every_fault_has_an_expectation),
        Trial::test("every_case_has_a_fault", move || every_case_has_a_fault(&ids)),
    ];
    for transport in ALL {
        trials.push(Trial::test(format!("clean::{transport}"), move || clean_trial(transport)));
    }
    for case in &catalogue.cases {
        for version in version::ALL {
            for transport in ALL {
                let kind = Kind::from_name(transport).expect("a known transport");
                if case.covers_version(version) && case.covers_transport(kind) {
                    let id = case.id.as_str();
                    trials.push(Trial::test(format!("{id}::{version}::{transport}"), move || case_trial(id, version, transport)));
                }
            }
        }
    }
    for expectation in EXPECTATIONS {
        for transport in expectation.transports {
            trials.push(Trial::test(format!("{}::{transport}", expectation.fault), move || fault_trial(expectation, transport)));
        }
    }
    for &(fault, _, _, transports) in WARNS {
        for transport in transports {
            trials.push(Trial::test(format!("{fault}::warns::{transport}"), move || quiet_fault_trial(fault, transport)));
        }
    }
    let mut undecidable: Vec<&str> = UNDECIDABLE.iter().map(|u| u.0).collect();
    undecidable.dedup();
    for fault in undecidable {
        for transport in ALL {
            trials.push(Trial::test(format!("{fault}::{transport}"), move || quiet_fault_trial(fault, transport)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
