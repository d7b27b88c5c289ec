//! Every fault really produces its violation on the wire. (The clean
//! server's behaviour for the same exchanges is asserted in `stdio`, `http`
//! and `sse`.)

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::conn::*;
use crate::support::*;

/// The faults this file tests; must equal `--list-faults`.
const TESTED: &[&str] = &[
    "initialize-wrong-version",
    "initialize-echo-unsupported",
    "unsupported-version-wrong-code",
    "unsupported-version-no-supported-list",
    "discover-missing",
    "discover-invalid-result",
    "ping-no-response",
    "ping-error",
    "unknown-method-wrong-code",
    "tool-input-schema-invalid",
    "tools-list-invalid",
    "structured-content-mismatch",
    "call-result-invalid",
    "stdout-garbage",
    "session-id-ignored-after-delete",
    "no-origin-check",
    "header-mismatch-ignored",
    // The auth-* faults are tested in auth.rs.
    "auth-wrong-audience-accepted",
    "auth-no-www-authenticate",
    "auth-expired-accepted",
    "s2c-without-capability",
    "s2c-request-in-stateless",
    "input-required-ignores-responses",
    "resource-not-found-wrong-code",
    "resource-not-found-empty-contents",
    "read-blob-not-base64",
    "template-invalid",
    "prompt-missing-argument-accepted",
    "completion-too-many-values",
    "completion-without-capability",
    "log-without-level",
    "log-below-level",
    "log-without-capability",
    "log-level-unknown-accepted",
    "progress-not-increasing",
    "progress-after-response",
    "progress-without-token",
    "response-after-cancel",
    "cursor-invalid-accepted",
    "next-cursor-on-last-page",
    "updates-after-unsubscribe",
    "listen-no-acknowledgement",
    "listen-unrequested-notification",
    "listen-teardown-without-cancelled",
    "list-changed-without-capability",
    "missing-cache-fields",
    // The task faults are tested in tasks.rs.
    "tasks-capability-missing",
    "task-required-run-plainly",
    "task-forbidden-accepted",
    "task-ids-reused",
    "task-status-reverts",
    "task-not-created",
    "task-missing-timestamps",
    "task-result-not-blocking",
    "task-result-without-related-task",
    "task-cancel-terminal-accepted",
    "task-cancel-not-final",
    "task-list-invalid-cursor-accepted",
    "parse-error-wrong-code",
    "invalid-request-wrong-code",
    "invalid-params-wrong-code",
    "notification-answered",
    "response-id-type-changed",
    "response-duplicated",
    "batch-not-supported",
    "batch-accepted",
    "stdin-close-ignored",
    "error-missing-message",
    // The event-id faults are tested in resumption.rs.
    "event-ids-per-stream",
    "replay-foreign-stream",
    "legacy-session-leaks",
    // Tested in ask.rs, with the retry sent to a second process.
    "request-state-per-process",
];

/// Faults with no test of their own here yet: each is proven only by the
/// harness's mutation matrix (harness/tests/mutation.rs), which runs the
/// case it breaks against the server with the fault.
const PROVEN_BY_THE_MUTATION_MATRIX: &[&str] = &[
    "answer-wrong-content-type",
    "argument-errors-as-protocol-errors",
    "auth-any-token-accepted",
    "auth-audience-case-sensitive",
    "auth-challenge-without-scope",
    "auth-insufficient-scope-401",
    "auth-metadata-no-authorization-servers",
    "auth-metadata-no-resource",
    "auth-metadata-undiscoverable",
    "auth-missing-token-403",
    "auth-offline-access-requested",
    "auth-server-metadata-missing",
    "cache-scope-invalid",
    "cache-scope-per-page",
    "cache-ttl-negative",
    "cancel-stalls",
    "cancel-unknown-answered",
    "cancelled-work-continues",
    "capabilities-carried-over",
    "client-capabilities-not-required",
    "completion-unknown-ref-accepted",
    "completion-unranked",
    "cursor-invalid-internal-error",
    "discover-no-server-info",
    "dropped-stream-cancels",
    "elicitation-content-unvalidated",
    "elicitation-form-link",
    "elicitation-id-in-stateless",
    "elicitation-nested-form",
    "elicitation-refusal-unhandled",
    "elicitation-url-undeclared",
    "encoded-name-header-not-decoded",
    "error-id-dropped",
    "extension-unprefixed",
    "extra-input-responses-refused",
    "get-stream-wrong-status",
    "header-mismatch-status-200",
    "image-content-not-base64",
    "initialize-no-server-info",
    "initialize-refused-without-versions",
    "input-requests-with-id",
    "input-required-cache-hints",
    "input-required-empty",
    "input-required-outside-mrtr",
    "last-event-id-refused-in-stateless",
    "legacy-error-code",
    "listen-acknowledgement-widened",
    "listen-ids-mixed",
    "listen-notifications-untagged",
    "listen-resource-updates-dropped",
    "listen-survives-cancel",
    "listen-teardown-without-result",
    "listens-beyond-loopback",
    "lists-change-after-calls",
    "logs-on-another-request-stream",
    "malformed-input-responses-accepted",
    "meta-key-invalid",
    "method-header-case-insensitive",
    "missing-answers-refused",
    "missing-capability-as-tool-error",
    "missing-session-id-404",
    "name-header-mismatch-ignored",
    "no-host-check",
    "no-priming-event",
    "notification-answered-200",
    "notifications-not-at-endpoint",
    "notifications-on-two-streams",
    "origin-checked-on-post-only",
    "oversized-wedges",
    "param-header-annotation-invalid",
    "param-header-demanded-when-absent",
    "param-header-integer-as-text",
    "param-header-mismatch-ignored",
    "param-header-raw-bytes-accepted",
    "progress-message-unreadable",
    "prompt-embedded-resource-invalid",
    "prompt-image-invalid",
    "prompt-list-change-unannounced",
    "prompts-capability-undeclared",
    "protocol-version-header-ignored",
    "refused-notification-answered-200",
    "request-notifications-on-listen-streams",
    "request-state-latest-only",
    "request-state-unverified",
    "request-stream-left-open",
    "requests-before-initialized",
    "requests-dropped-under-load",
    "reserved-error-code",
    "resource-annotations-invalid",
    "resource-internal-error-wrong-code",
    "resource-list-change-unannounced",
    "resource-uri-invalid",
    "resource-uri-unvalidated",
    "resources-capability-omitted",
    "resources-capability-undeclared",
    "responses-on-get-stream",
    "result-type-missing",
    "result-type-unknown",
    "result-without-server-info",
    "roots-without-capability",
    "sampling-context-undeclared",
    "sampling-tool-results-mixed",
    "sampling-tools-undeclared",
    "server-cancels-traced-request",
    "server-request-ids-reused",
    "session-id-in-stateless",
    "session-id-predictable",
    "sse-without-accel-buffering",
    "stale-handle-accepted",
    "stateless-only-get-not-405",
    "structured-content-without-text",
    "structured-content-wrapped",
    "task-result-without-extension",
    "tool-annotation-mistyped",
    "tool-arguments-unchecked",
    "tool-name-with-spaces",
    "tools-capability-omitted",
    "tools-capability-undeclared",
    "tools-list-refused",
    "tools-order-varies",
    "traced-error-verbose",
    "traced-notification-with-id",
    "traced-response-jsonrpc-1",
    "traced-response-multiline",
    "traced-response-not-utf8",
    "traced-result-not-object",
    "traced-stray-notification",
    "traceparent-malformed",
    "undeclared-capabilities-assumed",
    "undefined-mcp-error-code",
    "unknown-method-status-200",
    "version-header-mismatch-ignored",
    "listen-without-keep-alive",
    // The multi round-trip faults of resources, prompts and requestState
    // binding; unit tests in input_required_fixtures.rs and duplicate_keys.rs.
    "input-request-keys-duplicated",
    "resource-input-required-empty",
    "prompt-retry-not-a-prompt",
    "request-state-unbound",
    "scope-filtered-list-public",
    "stateless-only-version-header-optional",
    "url-elicitation-data-malformed",
    "url-elicitation-complete-wrong-id",
    "sampling-tool-result-id-mismatch",
    "tools-vary-by-client",
    "tool-list-change-unannounced",
    "unknown-tool-as-tool-error",
];

#[tokio::test]
async fn every_listed_fault_has_a_test() {
    let (_, stdout, _) = run_to_end(&["--list-faults"]).await;
    let listed: BTreeSet<&str> = stdout.lines().filter_map(|l| l.split('\t').next()).collect();
    let tested: BTreeSet<&str> = TESTED.iter().chain(PROVEN_BY_THE_MUTATION_MATRIX).copied().collect();
    assert_eq!(listed, tested);
}

async fn stdio_with(fault: &str) -> StdioServer {
    StdioServer::start(&["--fault", fault]).await
}

#[tokio::test]
async fn initialize_wrong_version() {
    let mut s = stdio_with("initialize-wrong-version").await;
    let r = s.request(initialize(1, "2025-06-18")).await;
    assert_ne!(r["result"]["protocolVersion"], "2025-06-18");
    assert!(STATEFUL.contains(&r["result"]["protocolVersion"].as_str().unwrap()));
}

#[tokio::test]
async fn initialize_echo_unsupported() {
    let mut s = stdio_with("initialize-echo-unsupported").await;
    let r = s.request(initialize(1, "1999-01-01")).await;
    assert_eq!(r["result"]["protocolVersion"], "1999-01-01");
}

#[tokio::test]
async fn unsupported_version_wrong_code() {
    let mut s = stdio_with("unsupported-version-wrong-code").await;
    let r = s.request(modern_at(1, "tools/list", json!({}), "1900-01-01")).await;
    assert_eq!(error_code(&r), -32602);
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "unsupported-version-wrong-code"]).await;
    let r = server.post_modern(&modern_at(1, "tools/list", json!({}), "1900-01-01")).await;
    assert_eq!(error_code(&r.json()), -32602);
}

#[tokio::test]
async fn unsupported_version_no_supported_list() {
    let mut s = stdio_with("unsupported-version-no-supported-list").await;
    let r = s.request(modern_at(1, "tools/list", json!({}), "1900-01-01")).await;
    assert_eq!(error_code(&r), -32022);
    assert!(r["error"]["data"].get("supported").is_none());
}

#[tokio::test]
async fn discover_missing() {
    let mut s = stdio_with("discover-missing").await;
    assert_eq!(error_code(&s.request(modern(1, "server/discover", json!({}))).await), -32601);
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "discover-missing"]).await;
    let r = server.post_modern(&modern(1, "server/discover", json!({}))).await;
    assert_eq!((r.status, error_code(&r.json())), (StatusCode::NOT_FOUND, -32601));
}

#[tokio::test]
async fn discover_invalid_result() {
    let mut s = stdio_with("discover-invalid-result").await;
    let r = s.request(modern(1, "server/discover", json!({}))).await;
    assert!(r["result"].is_object());
    assert!(r["result"].get("supportedVersions").is_none());
}

#[tokio::test]
async fn ping_no_response() {
    let mut s = stdio_with("ping-no-response").await;
    s.handshake("2025-11-25").await;
    s.send(&request(1, "ping", json!({}))).await;
    assert!(s.silent_for(Duration::from_millis(500)).await, "ping must go unanswered");
    // The server is alive, it just ignores ping.
    assert!(s.request(request(2, "tools/list", json!({}))).await["result"].is_object());
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "ping-no-response"]).await;
    let session = server.open_session("2025-11-25").await;
    let r = server.post_in_session(&session, "2025-11-25", &request(1, "ping", json!({}))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn ping_error() {
    let mut s = stdio_with("ping-error").await;
    s.handshake("2025-03-26").await;
    let r = s.request(request(1, "ping", json!({}))).await;
    assert!(r.get("result").is_none());
    assert!(r["error"]["code"].is_i64());
}

#[tokio::test]
async fn unknown_method_wrong_code() {
    let mut s = stdio_with("unknown-method-wrong-code").await;
    assert_eq!(error_code(&s.request(modern(1, "no/such", json!({}))).await), -32600);
    s.handshake("2025-06-18").await;
    assert_eq!(error_code(&s.request(request(2, "no/such", json!({}))).await), -32600);
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "unknown-method-wrong-code"]).await;
    let r = server.post_modern(&modern(1, "no/such", json!({}))).await;
    assert_ne!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&r.json()), -32600);
}

#[tokio::test]
async fn tool_input_schema_invalid() {
    let mut s = stdio_with("tool-input-schema-invalid").await;
    let list = s.request(modern(1, "tools/list", json!({}))).await;
    let echo = tool_named(&list["result"]["tools"], "echo");
    assert_eq!(echo["inputSchema"]["properties"]["message"]["type"], "strnig");
}

#[tokio::test]
async fn tools_list_invalid() {
    let mut s = stdio_with("tools-list-invalid").await;
    s.handshake("2025-11-25").await;
    let list = s.request(request(1, "tools/list", json!({}))).await;
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(tools.iter().any(|t| t.get("name").is_none()));
}

#[tokio::test]
async fn structured_content_mismatch() {
    let mut s = stdio_with("structured-content-mismatch").await;
    s.handshake("2025-06-18").await;
    let r = s.request(request(1, "tools/call", json!({"name": "add", "arguments": {"a": 1, "b": 2}}))).await;
    assert!(r["result"]["structuredContent"]["sum"].is_string(), "outputSchema says number: {r}");
}

#[tokio::test]
async fn call_result_invalid() {
    let mut s = stdio_with("call-result-invalid").await;
    let r = s.request(modern(1, "tools/call", json!({"name": "echo", "arguments": {"message": "x"}}))).await;
    let types: Vec<&str> = r["result"]["content"].as_array().unwrap().iter().filter_map(|c| c["type"].as_str()).collect();
    assert!(types.contains(&"hologram"), "{types:?}");
}

#[tokio::test]
async fn stdout_garbage() {
    let mut s = stdio_with("stdout-garbage").await;
    s.send(&request(1, "ping", json!({}))).await;
    let first = s.recv_line().await;
    assert!(serde_json::from_str::<serde_json::Value>(&first).is_err(), "{first}");
    let second = s.recv().await;
    assert_eq!(second["id"], 1);
}

#[tokio::test]
async fn session_id_ignored_after_delete() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "session-id-ignored-after-delete"]).await;
    let session = server.open_session("2025-06-18").await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-06-18")];
    assert_eq!(server.send(Method::DELETE, &server.url, &headers, None).await.status, StatusCode::OK);
    let after = server.post(&headers, &request(2, "ping", json!({})).to_string()).await;
    assert_eq!(after.status, StatusCode::OK, "the deleted session still works");
}

#[tokio::test]
async fn no_origin_check() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "no-origin-check"]).await;
    let body = modern(1, "tools/list", json!({})).to_string();
    let r = server
        .post(&[("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/list"), ("Origin", "http://evil.example")], &body)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let sse = HttpServer::start(&["--sse", "127.0.0.1:0", "--fault", "no-origin-check"]).await;
    let response = sse.open_get(&sse.url, &[("Origin", "http://evil.example")]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn header_mismatch_ignored() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "header-mismatch-ignored"]).await;
    let body = modern(1, "tools/list", json!({})).to_string();
    let r = server.post(&[("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/call")], &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["result"]["tools"].is_array());
}

fn ask(id: i64) -> Value {
    request(id, "tools/call", json!({"name": "ask", "arguments": {}}))
}

#[tokio::test]
async fn s2c_without_capability() {
    // Handshake era, stdio: a client that declared nothing is asked to sample.
    let mut s = stdio_with("s2c-without-capability").await;
    s.handshake("2025-06-18").await;
    s.send(&ask(1)).await;
    let asked = s.recv().await;
    assert!(is_request(&asked), "{asked}");
    assert_eq!(asked["method"], "sampling/createMessage");
    let reply = json!({"jsonrpc": "2.0", "id": asked["id"], "error": {"code": -32601, "message": "no sampling here"}});
    s.send(&reply).await;
    assert_eq!(s.recv().await["id"], 1);
    // 2026-07-28: an inputRequests entry the request's capabilities do not allow.
    let r = s.request(modern(2, "tools/call", json!({"name": "ask"}))).await;
    assert_eq!(r["result"]["resultType"], "input_required");
    assert_eq!(r["result"]["inputRequests"]["sampling"]["method"], "sampling/createMessage");
    // Streamable HTTP: the request travels on the call's stream.
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "s2c-without-capability"]).await;
    let session = server.open_session("2025-11-25").await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-11-25")];
    let mut events = SseReader::new(server.post_open(&server.url, &headers, &ask(3).to_string()).await);
    let asked = loop {
        let event = events.next().await.expect("an event");
        if !event.data.is_empty() {
            break serde_json::from_str::<Value>(&event.data).unwrap();
        }
    };
    assert_eq!(asked["method"], "sampling/createMessage");
}

#[tokio::test]
async fn s2c_request_in_stateless() {
    let mut s = stdio_with("s2c-request-in-stateless").await;
    s.send(&modern(1, "tools/call", json!({"name": "ask"}))).await;
    let first = s.recv().await;
    assert!(is_request(&first), "a JSON-RPC request on stdout: {first}");
    assert_eq!(first["method"], "elicitation/create");
    let second = s.recv().await;
    assert_eq!(second["id"], 1);
    assert_eq!(second["result"]["resultType"], "complete", "no input_required");
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "s2c-request-in-stateless"]).await;
    let r = server.post_modern(&modern(1, "tools/call", json!({"name": "ask"}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("text/event-stream"), "{}", r.content_type());
    let events = parse_events(&r.body);
    assert_eq!(events.len(), 2, "{}", r.body);
    let request: Value = serde_json::from_str(&events[0].data).unwrap();
    assert!(is_request(&request) && request["method"] == "elicitation/create", "{request}");
    let response: Value = serde_json::from_str(&events[1].data).unwrap();
    assert_eq!(response["id"], 1);
    // Other tools are unaffected.
    let echo = server.post_modern(&modern(2, "tools/call", json!({"name": "echo", "arguments": {"message": "m"}}))).await;
    assert!(echo.content_type().starts_with("application/json"));
}

#[tokio::test]
async fn input_required_ignores_responses() {
    let mut s = stdio_with("input-required-ignores-responses").await;
    let caps = json!({"roots": {}, "sampling": {}});
    let mut params = json!({"name": "ask", "arguments": {}});
    let mut result = s.request(modern_with(1, "tools/call", params.clone(), caps.clone())).await["result"].clone();
    for round in 2..6 {
        assert_eq!(result["resultType"], "input_required", "round {round}: {result}");
        let mut responses = serde_json::Map::new();
        for (key, input) in result["inputRequests"].as_object().unwrap() {
            responses.insert(key.clone(), client_answer(input["method"].as_str().unwrap()));
        }
        params["inputResponses"] = Value::Object(responses);
        params["requestState"] = result["requestState"].clone();
        result = s.request(modern_with(round, "tools/call", params.clone(), caps.clone())).await["result"].clone();
    }
    assert_eq!(result["resultType"], "input_required", "never completes");
}

// Faults of resources, prompts, completion, logging, progress, cancellation,
// pagination, subscriptions and caching.

const SUB: &str = "io.modelcontextprotocol/subscriptionId";
const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";

#[tokio::test]
async fn resource_not_found_wrong_code() {
    for transport in TRANSPORTS {
        for (version, wrong) in [("2025-06-18", -32602), (MODERN, -32002)] {
            let mut c = Conn::open(transport, version, &["--fault", "resource-not-found-wrong-code"]).await;
            let r = c.call("resources/read", json!({"uri": "ref://nothing"})).await;
            assert_eq!(error_code(&r.response), wrong, "{transport:?} {version}");
        }
    }
}

#[tokio::test]
async fn resource_not_found_empty_contents() {
    let mut c = Conn::open(Transport::Http, MODERN, &["--fault", "resource-not-found-empty-contents"]).await;
    let r = c.call("resources/read", json!({"uri": "ref://nothing"})).await;
    assert_eq!(r.result()["contents"], json!([]));
}

#[tokio::test]
async fn read_blob_not_base64() {
    let mut c = Conn::open(Transport::Stdio, "2024-11-05", &["--fault", "read-blob-not-base64"]).await;
    for uri in ["ref://logo", "ref://bytes/3"] {
        let r = c.call("resources/read", json!({"uri": uri})).await;
        let blob = r.result()["contents"][0]["blob"].as_str().unwrap().to_owned();
        assert!(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &blob).is_err(), "{blob}");
    }
}

#[tokio::test]
async fn template_invalid() {
    let mut c = Conn::open(Transport::Sse, "2025-03-26", &["--fault", "template-invalid"]).await;
    let r = c.call("resources/templates/list", json!({})).await;
    assert_eq!(r.result()["resourceTemplates"][0]["uriTemplate"], "ref://items/{id");
}

#[tokio::test]
async fn prompt_missing_argument_accepted() {
    for version in ["2025-11-25", MODERN] {
        let mut c = Conn::open(Transport::Stdio, version, &["--fault", "prompt-missing-argument-accepted"]).await;
        let r = c.call("prompts/get", json!({"name": "greeting"})).await;
        assert!(r.result()["messages"].is_array(), "{version}: {}", r.response);
    }
}

#[tokio::test]
async fn completion_too_many_values() {
    let mut c = Conn::open(Transport::Http, "2025-06-18", &["--fault", "completion-too-many-values"]).await;
    let r = c
        .call("completion/complete", json!({"ref": {"type": "ref/resource", "uri": "ref://items/{id}"}, "argument": {"name": "id", "value": ""}}))
        .await;
    assert_eq!(r.result()["completion"]["values"].as_array().unwrap().len(), 120);
}

#[tokio::test]
async fn completion_without_capability() {
    let mut c = Conn::open(Transport::Stdio, "2025-03-26", &["--fault", "completion-without-capability"]).await;
    assert!(c.init["capabilities"].get("completions").is_none());
    let r = c
        .call("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "style", "value": ""}}))
        .await;
    assert!(r.result()["completion"]["values"].is_array(), "still served");
}

fn log_levels(r: &Exchange) -> usize {
    r.notes("notifications/message").len()
}

#[tokio::test]
async fn log_without_level() {
    for transport in TRANSPORTS {
        let mut c = Conn::open(transport, MODERN, &["--fault", "log-without-level"]).await;
        let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
        assert_eq!(log_levels(&r), 8, "{transport:?}: logged without a logLevel");
    }
}

#[tokio::test]
async fn log_below_level() {
    let mut c = Conn::open(Transport::Stdio, "2025-06-18", &["--fault", "log-below-level"]).await;
    c.call("logging/setLevel", json!({"level": "error"})).await;
    let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
    assert_eq!(log_levels(&r), 8);
    assert_eq!(r.notes("notifications/message")[0]["params"]["level"], "debug");
    let mut c = Conn::open(Transport::Http, MODERN, &["--fault", "log-below-level"]).await;
    let r = c.call("tools/call", json!({"name": "log", "arguments": {}, "_meta": {LOG_LEVEL: "error"}})).await;
    assert_eq!(log_levels(&r), 8);
}

#[tokio::test]
async fn log_without_capability() {
    let mut c = Conn::open(Transport::Sse, "2025-11-25", &["--fault", "log-without-capability"]).await;
    assert!(c.init["capabilities"].get("logging").is_none());
    c.call("logging/setLevel", json!({"level": "debug"})).await;
    let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
    assert_eq!(log_levels(&r), 8, "still logs");
}

#[tokio::test]
async fn log_level_unknown_accepted() {
    let mut c = Conn::open(Transport::Stdio, "2025-06-18", &["--fault", "log-level-unknown-accepted"]).await;
    assert_eq!(c.call("logging/setLevel", json!({"level": "loud"})).await.result(), &json!({}));
    let mut c = Conn::open(Transport::Http, MODERN, &["--fault", "log-level-unknown-accepted"]).await;
    let r = c.call("tools/list", json!({"_meta": {LOG_LEVEL: "loud"}})).await;
    assert!(r.result()["tools"].is_array(), "{}", r.response);
}

fn progress_values(messages: &[Value]) -> Vec<u64> {
    messages.iter().filter(|m| m["method"] == "notifications/progress").map(|m| m["params"]["progress"].as_u64().unwrap()).collect()
}

fn progress_call(steps: u64, token: Option<&str>) -> Value {
    let mut params = json!({"name": "progress", "arguments": {"steps": steps, "delayMs": 0}});
    if let Some(t) = token {
        params["_meta"] = json!({"progressToken": t});
    }
    params
}

#[tokio::test]
async fn progress_not_increasing() {
    for (transport, version) in [(Transport::Stdio, "2024-11-05"), (Transport::Http, MODERN), (Transport::Sse, "2025-11-25")] {
        let mut c = Conn::open(transport, version, &["--fault", "progress-not-increasing"]).await;
        let r = c.call("tools/call", progress_call(2, Some("t"))).await;
        assert_eq!(progress_values(&r.before), [1, 1, 2, 2], "{transport:?}");
    }
}

#[tokio::test]
async fn progress_after_response() {
    // Streamable HTTP, both eras: on the same stream, after the response.
    for version in ["2025-06-18", MODERN] {
        let mut c = Conn::open(Transport::Http, version, &["--fault", "progress-after-response"]).await;
        let r = c.call("tools/call", progress_call(2, Some("t"))).await;
        assert_eq!((progress_values(&r.before), progress_values(&r.after)), (vec![1], vec![2]), "{version}");
    }
    // stdio and HTTP+SSE: the next message on the shared channel.
    for transport in [Transport::Stdio, Transport::Sse] {
        let mut c = Conn::open(transport, MODERN, &["--fault", "progress-after-response"]).await;
        let r = c.call("tools/call", progress_call(2, Some("t"))).await;
        assert_eq!(progress_values(&r.before), [1], "{transport:?}");
        let late = c.expect_unsolicited("notifications/progress").await;
        assert_eq!(late["params"]["progress"], 2);
    }
}

#[tokio::test]
async fn progress_without_token() {
    let mut c = Conn::open(Transport::Stdio, "2025-03-26", &["--fault", "progress-without-token"]).await;
    let r = c.call("tools/call", progress_call(2, None)).await;
    let notes = r.notes("notifications/progress");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["params"]["progressToken"], "reference-server-progress");
}

#[tokio::test]
async fn response_after_cancel() {
    for (transport, version) in [(Transport::Stdio, MODERN), (Transport::Stdio, "2025-11-25"), (Transport::Sse, "2024-11-05")] {
        let mut c = Conn::open(transport, version, &["--fault", "response-after-cancel"]).await;
        let id = c.next_id();
        let message = c.message(id, "tools/call", json!({"name": "slow", "arguments": {"ms": 300}}));
        c.send_only(&message).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.notify("notifications/cancelled", json!({"requestId": id})).await;
        let later = c.unsolicited(Duration::from_millis(1500)).await;
        assert!(later.iter().any(|m| m["id"] == id), "{transport:?} {version}: answered anyway: {later:?}");
    }
    // Streamable HTTP in a session: the stream still carries the response.
    let mut c = Conn::open(Transport::Http, "2025-06-18", &["--fault", "response-after-cancel"]).await;
    let id = c.next_id();
    let response = c.post_open(&c.message(id, "tools/call", json!({"name": "slow", "arguments": {"ms": 300}}))).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    c.notify("notifications/cancelled", json!({"requestId": id})).await;
    let mut events = SseReader::new(response);
    let mut answered = false;
    while let Some(event) = events.next().await {
        answered |= event.data.contains("Slept 300 ms");
    }
    assert!(answered);
}

#[tokio::test]
async fn cursor_invalid_accepted() {
    let mut c = Conn::open(Transport::Stdio, MODERN, &["--fault", "cursor-invalid-accepted"]).await;
    for method in ["tools/list", "prompts/list", "resources/list", "resources/templates/list"] {
        let r = c.call(method, json!({"cursor": "no such cursor"})).await;
        assert!(r.result().is_object(), "{method}: {}", r.response);
    }
}

#[tokio::test]
async fn next_cursor_on_last_page() {
    let mut c = Conn::open(Transport::Http, "2025-11-25", &["--fault", "next-cursor-on-last-page"]).await;
    let (prompts, pages) = list_all(&mut c, "prompts/list", "prompts").await;
    assert_eq!(prompts.len(), 8);
    assert_eq!(pages.len(), 5, "four pages and an empty one");
    assert!(pages[3]["nextCursor"].is_string(), "the last page with items has a cursor");
    assert_eq!(pages[4]["prompts"], json!([]));
}

#[tokio::test]
async fn updates_after_unsubscribe() {
    let mut c = Conn::open(Transport::Stdio, "2025-06-18", &["--fault", "updates-after-unsubscribe"]).await;
    c.call("resources/subscribe", json!({"uri": "ref://counter"})).await;
    c.call("resources/unsubscribe", json!({"uri": "ref://counter"})).await;
    let r = c.call("tools/call", json!({"name": "touch", "arguments": {}})).await;
    assert_eq!(r.notes("notifications/resources/updated").len(), 1, "still sent: {:?}", r.before);
}

/// Opens a listen on a shared-channel transport and returns the server.
async fn listening(transport: Transport, fault: &str, filter: Value) -> Conn {
    let mut c = Conn::open(transport, MODERN, &["--fault", fault]).await;
    let listen = c.message(1, "subscriptions/listen", json!({ "notifications": filter }));
    c.send_only(&listen).await;
    c
}

#[tokio::test]
async fn listen_no_acknowledgement() {
    for transport in [Transport::Stdio, Transport::Sse] {
        let mut c = listening(transport, "listen-no-acknowledgement", json!({"toolsListChanged": true})).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let r = c.call("tools/call", json!({"name": "toggle", "arguments": {}})).await;
        let first_for_it = r.before.iter().find(|m| m["params"]["_meta"][SUB] == 1).expect("a notification for the subscription");
        assert_eq!(first_for_it["method"], "notifications/tools/list_changed", "{transport:?}: no acknowledgement first");
    }
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "listen-no-acknowledgement"]).await;
    let mut events = SseReader::new(server.post_modern_open(&modern(1, "subscriptions/listen", json!({"notifications": {"toolsListChanged": true}}))).await);
    // Without an acknowledgement there is nothing to wait for: give the subscription time to register.
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.post_modern(&modern(2, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    let first: Value = serde_json::from_str(&events.next().await.unwrap().data).unwrap();
    assert_eq!(first["method"], "notifications/tools/list_changed");
}

#[tokio::test]
async fn listen_unrequested_notification() {
    let mut c = listening(Transport::Stdio, "listen-unrequested-notification", json!({"resourcesListChanged": true})).await;
    let ack = c.expect_unsolicited("notifications/subscriptions/acknowledged").await;
    assert_eq!(ack["params"]["notifications"], json!({"resourcesListChanged": true}), "acknowledges what was asked");
    let r = c.call("tools/call", json!({"name": "toggle", "arguments": {}})).await;
    assert_eq!(r.notes("notifications/tools/list_changed").len(), 1, "not asked for: {:?}", r.before);
}

#[tokio::test]
async fn listen_teardown_without_cancelled() {
    let mut c = listening(Transport::Stdio, "listen-teardown-without-cancelled", json!({"toolsListChanged": true})).await;
    c.expect_unsolicited("notifications/subscriptions/acknowledged").await;
    let rest = c.close_stdio().await;
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0]["id"], 1, "the result, and no notifications/cancelled");
}

#[tokio::test]
async fn list_changed_without_capability() {
    for (transport, version) in [(Transport::Stdio, "2024-11-05"), (Transport::Http, "2025-11-25")] {
        let mut c = Conn::open(transport, version, &["--fault", "list-changed-without-capability"]).await;
        assert_eq!(c.init["capabilities"]["tools"], json!({"listChanged": false}));
        c.call("tools/call", json!({"name": "toggle", "arguments": {}})).await;
        if transport == Transport::Http {
            c.expect_unsolicited("notifications/tools/list_changed").await;
        }
    }
    let mut c = Conn::open(Transport::Stdio, "2025-06-18", &["--fault", "list-changed-without-capability"]).await;
    let r = c.call("tools/call", json!({"name": "toggle", "arguments": {}})).await;
    assert_eq!(r.notes("notifications/tools/list_changed").len(), 1);
}

#[tokio::test]
async fn missing_cache_fields() {
    let mut c = Conn::open(Transport::Stdio, MODERN, &["--fault", "missing-cache-fields"]).await;
    for (method, params) in [
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("prompts/list", json!({})),
        ("resources/read", json!({"uri": "ref://readme"})),
    ] {
        let r = c.call(method, params).await;
        assert!(r.result().get("ttlMs").is_none() && r.result().get("cacheScope").is_none(), "{method}");
    }
    assert!(c.call("tools/list", json!({})).await.result()["ttlMs"].is_u64(), "tools/list keeps them");
}

#[tokio::test]
async fn parse_error_wrong_code() {
    let mut s = stdio_with("parse-error-wrong-code").await;
    s.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":}\n").await;
    assert_eq!(null_id_error_code(s.recv().await), -32600);
}

/// The code of an error answered with id null.
fn null_id_error_code(response: Value) -> i64 {
    assert_eq!(response["id"], Value::Null, "{response}");
    error_code(&response)
}

#[tokio::test]
async fn invalid_request_wrong_code() {
    let mut s = stdio_with("invalid-request-wrong-code").await;
    let r = s.request(json!({"jsonrpc": "2.0", "id": 1, "method": 42})).await;
    assert_eq!(error_code(&r), -32700);
}

#[tokio::test]
async fn invalid_params_wrong_code() {
    let mut s = stdio_with("invalid-params-wrong-code").await;
    s.handshake("2025-06-18").await;
    let r = s.request(request(1, "tools/call", json!({"name": 42}))).await;
    assert_eq!(error_code(&r), -32603);
}

#[tokio::test]
async fn notification_answered() {
    let mut s = stdio_with("notification-answered").await;
    s.handshake("2025-06-18").await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/no-such"})).await;
    assert_eq!(null_id_error_code(s.recv().await), -32601);
}

#[tokio::test]
async fn response_id_type_changed() {
    let mut s = stdio_with("response-id-type-changed").await;
    s.handshake("2025-06-18").await;
    s.send(&json!({"jsonrpc": "2.0", "id": "42", "method": "ping"})).await;
    assert_eq!(s.recv().await["id"], 42);
}

#[tokio::test]
async fn response_duplicated() {
    let mut s = stdio_with("response-duplicated").await;
    s.handshake("2025-06-18").await;
    s.send(&json!({"jsonrpc": "2.0", "id": "a", "method": "ping"})).await;
    assert_eq!(s.recv().await["id"], "a");
    assert_eq!(s.recv().await["id"], "a");
}

#[tokio::test]
async fn batch_not_supported() {
    let mut s = stdio_with("batch-not-supported").await;
    s.handshake("2025-03-26").await;
    s.send(&json!([request(1, "ping", json!({}))])).await;
    let r = s.recv().await;
    assert_eq!(error_code(&r), -32600);
}

#[tokio::test]
async fn batch_accepted() {
    let mut s = stdio_with("batch-accepted").await;
    s.handshake("2025-11-25").await;
    s.send(&json!([request(1, "ping", json!({})), request(2, "ping", json!({}))])).await;
    let r = s.recv().await;
    assert_eq!(r.as_array().map(Vec::len), Some(2), "{r}");
}

#[tokio::test]
async fn stdin_close_ignored() {
    let mut s = stdio_with("stdin-close-ignored").await;
    s.handshake("2025-06-18").await;
    s.close_input();
    // stdout neither ends nor speaks: the process is still there.
    assert!(s.silent_for(Duration::from_secs(1)).await);
}

#[tokio::test]
async fn error_missing_message() {
    let mut s = stdio_with("error-missing-message").await;
    s.handshake("2025-06-18").await;
    let r = s.request(request(1, "no/such", json!({}))).await;
    assert_eq!(error_code(&r), -32601);
    assert!(r["error"].get("message").is_none(), "{r}");
}

#[tokio::test]
async fn capabilities_carried_over() {
    let mut s = stdio_with("capabilities-carried-over").await;
    let ask = |id, capabilities| modern_with(id, "tools/call", json!({"name": "ask", "arguments": {}}), capabilities);
    let first = s.request(ask(1, json!({}))).await;
    assert_ne!(first["result"]["resultType"], "input_required", "{first}");
    s.request(ask(2, json!({"sampling": {}}))).await;
    let later = s.request(ask(3, json!({}))).await;
    assert_eq!(later["result"]["inputRequests"]["sampling"]["method"], "sampling/createMessage", "{later}");
}

#[tokio::test]
async fn missing_capability_as_tool_error() {
    let call = modern_with(1, "tools/call", json!({"name": "test_sampling", "arguments": {"prompt": "hi"}}), json!({}));
    let mut clean = StdioServer::start(&[]).await;
    let refused = clean.request(call.clone()).await;
    assert_eq!(error_code(&refused), -32021);
    assert_eq!(refused["error"]["data"]["requiredCapabilities"], json!({"sampling": {}}));
    let server = HttpServer::start(&["--http", "127.0.0.1:0"]).await;
    assert_eq!(server.post_modern(&call).await.status, StatusCode::BAD_REQUEST);
    let mut s = stdio_with("missing-capability-as-tool-error").await;
    let r = s.request(call).await;
    assert_eq!(r["result"]["isError"], true, "{r}");
}

#[tokio::test]
async fn lists_change_after_calls() {
    let mut s = stdio_with("lists-change-after-calls").await;
    let before = count_prompts(&mut s).await;
    s.request(modern(100, "tools/call", json!({"name": "echo", "arguments": {"message": "hi"}}))).await;
    assert_eq!(count_prompts(&mut s).await + 1, before, "the last prompt is gone");
}

/// Every prompt of a 2026-07-28 `prompts/list`, page after page.
async fn count_prompts(s: &mut StdioServer) -> usize {
    let mut count = 0;
    let mut params = json!({});
    for id in 1..50 {
        let page = s.request(modern(id, "prompts/list", params.clone())).await;
        count += page["result"]["prompts"].as_array().map_or(0, Vec::len);
        match page["result"].get("nextCursor") {
            Some(cursor) => params = json!({"cursor": cursor}),
            None => break,
        }
    }
    count
}

#[tokio::test]
async fn tools_order_varies() {
    let mut s = stdio_with("tools-order-varies").await;
    let first = s.request(modern(1, "tools/list", json!({}))).await;
    let second = s.request(modern(2, "tools/list", json!({}))).await;
    assert_ne!(first["result"]["tools"][0]["name"], second["result"]["tools"][0]["name"]);
}

#[tokio::test]
async fn initialize_refused_without_versions() {
    let mut s = stdio_with("initialize-refused-without-versions").await;
    let r = s.request(initialize(1, "2025-11-25")).await;
    assert_eq!(error_code(&r), -32601);
    assert!(!r["error"].to_string().contains("2026-07-28"), "{r}");
}

#[tokio::test]
async fn undeclared_capabilities_assumed() {
    let mut s = stdio_with("undeclared-capabilities-assumed").await;
    let r = s.request(modern_with(1, "tools/call", json!({"name": "ask", "arguments": {}}), json!({}))).await;
    assert_eq!(r["result"]["inputRequests"]["sampling"]["method"], "sampling/createMessage", "{r}");
}

#[tokio::test]
async fn request_state_latest_only() {
    let mut s = stdio_with("request-state-latest-only").await;
    let ask = |id, extra: Value| {
        let mut params = json!({"name": "ask", "arguments": {}});
        for (k, v) in extra.as_object().unwrap() {
            params[k] = v.clone();
        }
        modern_with(id, "tools/call", params, json!({"sampling": {}}))
    };
    let first = s.request(ask(1, json!({}))).await["result"]["requestState"].clone();
    // A second conversation, asking for something else, is issued a state of its own.
    let mut other = ask(2, json!({}));
    other["params"]["_meta"][CAPS] = json!({"roots": {}});
    s.request(other).await;
    let answers = json!({"sampling": client_answer("sampling/createMessage")});
    let retry = s.request(ask(3, json!({"inputResponses": answers, "requestState": first}))).await;
    assert_eq!(retry["result"]["isError"], true, "{retry}");
}

#[tokio::test]
async fn legacy_session_leaks() {
    let mut s = stdio_with("legacy-session-leaks").await;
    s.request(initialize(1, "2025-11-25")).await;
    // server/discover is 2026-07-28 only: served inside the legacy session, it is unknown.
    let discover = s.request(modern(2, "server/discover", json!({}))).await;
    assert_eq!(error_code(&discover), -32601, "{discover}");
    let tools = s.request(modern(3, "tools/list", json!({}))).await;
    assert!(tools["result"].get("resultType").is_none(), "answered as 2025-11-25: {tools}");
    // Without a legacy session the same request is served as 2026-07-28.
    let mut fresh = stdio_with("legacy-session-leaks").await;
    let modern_only = fresh.request(modern(1, "server/discover", json!({}))).await;
    assert_eq!(modern_only["result"]["resultType"], "complete", "{modern_only}");
}

/// Over Streamable HTTP the leak shows on a 2026-07-28 request that names a
/// legacy session in Mcp-Session-Id (a header HTTP-032 says to disregard).
#[tokio::test]
async fn legacy_session_leaks_over_streamable_http() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "legacy-session-leaks"]).await;
    let session = server.open_session("2025-11-25").await;
    let tools = modern(2, "tools/list", json!({}));
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/list")];
    let inside = server.post(&headers, &tools.to_string()).await;
    // A session may answer with an event stream: the answer is its last message.
    let answer: Value = match parse_events(&inside.body).last() {
        Some(event) if inside.content_type().starts_with("text/event-stream") => serde_json::from_str(&event.data).expect("JSON event"),
        _ => inside.json(),
    };
    assert!(answer["result"].is_object() && answer["result"].get("resultType").is_none(), "answered as 2025-11-25: {answer}");
    // Without the header the same request is served as 2026-07-28.
    let beside = server.post_modern(&tools).await.json();
    assert_eq!(beside["result"]["resultType"], "complete", "{beside}");
}
