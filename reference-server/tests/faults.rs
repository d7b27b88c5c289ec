//! Every fault really produces its violation on the wire. (The clean
//! server's behaviour for the same exchanges is asserted in `stdio`, `http`
//! and `sse`.)

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
];

#[tokio::test]
async fn every_listed_fault_has_a_test() {
    let (_, stdout, _) = run_to_end(&["--list-faults"]).await;
    let listed: BTreeSet<&str> = stdout.lines().filter_map(|l| l.split('\t').next()).collect();
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
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
    let echo = &list["result"]["tools"][0];
    assert_eq!(echo["name"], "echo");
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
