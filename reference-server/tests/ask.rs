//! The `ask` tool: server-to-client requests in the handshake era (stdio,
//! Streamable HTTP, HTTP+SSE), multi round-trip requests in 2026-07-28,
//! capability gating, concurrency and cancellation.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

fn ask(id: i64) -> Value {
    request(id, "tools/call", json!({"name": "ask", "arguments": {}}))
}

/// The JSON-RPC response the test client sends to a server request.
fn answer(server_request: &Value) -> Value {
    let method = server_request["method"].as_str().expect("a method");
    json!({"jsonrpc": "2.0", "id": server_request["id"], "result": client_answer(method)})
}

/// The methods asked, in order.
fn methods(requests: &[Value]) -> Vec<&str> {
    requests.iter().filter(|m| is_request(m)).filter_map(|m| m["method"].as_str()).collect()
}

/// The methods `ask` uses when everything is declared at `version`.
fn expected_methods(version: &str) -> Vec<&'static str> {
    let mut m = vec!["roots/list", "sampling/createMessage"];
    if version >= "2025-06-18" {
        m.push("elicitation/create");
    }
    m
}

/// The exact shapes the server's requests must have.
fn check_request_shape(version: &str, message: &Value) {
    assert_eq!(message["jsonrpc"], "2.0");
    assert!(message["id"].is_i64(), "{message}");
    let params = &message["params"];
    match message["method"].as_str().unwrap() {
        "roots/list" => assert!(message.get("params").is_none(), "{message}"),
        "sampling/createMessage" => {
            assert_eq!(params["messages"][0]["role"], "user");
            assert_eq!(params["messages"][0]["content"]["type"], "text");
            assert!(params["messages"][0]["content"]["text"].is_string());
            assert!(params["maxTokens"].is_i64());
            assert!(params.get("includeContext").is_none() && params.get("tools").is_none(), "{message}");
        }
        "elicitation/create" => {
            assert!(params["message"].is_string());
            let schema = &params["requestedSchema"];
            assert_eq!(schema["type"], "object");
            assert_eq!(schema["properties"]["name"]["type"], "string");
            assert_eq!(schema["properties"]["confirm"]["type"], "boolean");
            assert_eq!(params.get("mode").is_some(), version >= "2025-11-25", "{version}: {message}");
            if version >= "2025-11-25" {
                assert_eq!(params["mode"], "form");
            }
        }
        other => panic!("unexpected request {other}"),
    }
}

fn result_text(response: &Value) -> String {
    response["result"]["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text: {response}")).to_owned()
}

/// Reads stdout until the response to `call_id`, answering each server
/// request with `respond` (or not at all when it returns `None`). Returns
/// the server's requests and notifications seen on the way, and the response.
async fn until_response(s: &mut StdioServer, call_id: i64, respond: impl Fn(&Value) -> Option<Value>) -> (Vec<Value>, Value) {
    let mut seen = Vec::new();
    loop {
        let message = s.recv().await;
        if message.get("method").is_some() {
            if is_request(&message) {
                if let Some(reply) = respond(&message) {
                    s.send(&reply).await;
                }
            }
            seen.push(message);
        } else {
            assert_eq!(message["id"], call_id, "a response to another request: {message}");
            return (seen, message);
        }
    }
}

async fn stdio_round_trip(version: &str) {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with(version, all_capabilities(version)).await;
    s.send(&ask(7)).await;
    let (requests, response) = until_response(&mut s, 7, |m| Some(answer(m))).await;
    assert_eq!(methods(&requests), expected_methods(version), "{version}");
    for r in &requests {
        check_request_shape(version, r);
    }
    let mut ids: Vec<i64> = requests.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), requests.len(), "server request ids are unique");
    assert!(response["result"].get("isError").is_none(), "{response}");
    let text = result_text(&response);
    assert!(text.contains(&format!("roots: {TEST_ROOT}")), "{text}");
    assert!(text.contains(&format!("sampling: \"{TEST_SAMPLE}\" (model test-model)")), "{text}");
    if version >= "2025-06-18" {
        assert!(text.contains("elicitation: accept {\"name\":\"Ada\",\"confirm\":true}"), "{text}");
    }
    // A second call asks again, with fresh ids.
    s.send(&ask(8)).await;
    let (again, _) = until_response(&mut s, 8, |m| Some(answer(m))).await;
    assert!(again.iter().all(|r| !ids.contains(&r["id"].as_i64().unwrap())), "ids are not reused");
    assert!(s.close().await.success());
}

#[tokio::test]
async fn stdio_ask_2024_11_05() {
    stdio_round_trip("2024-11-05").await;
}

#[tokio::test]
async fn stdio_ask_2025_03_26() {
    stdio_round_trip("2025-03-26").await;
}

#[tokio::test]
async fn stdio_ask_2025_06_18() {
    stdio_round_trip("2025-06-18").await;
}

#[tokio::test]
async fn stdio_ask_2025_11_25() {
    stdio_round_trip("2025-11-25").await;
}

#[tokio::test]
async fn ask_is_listed_read_only() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake("2025-06-18").await;
    let tools = s.request(request(1, "tools/list", json!({}))).await["result"]["tools"].clone();
    let ask = tools.as_array().unwrap().iter().find(|t| t["name"] == "ask").expect("ask is listed").clone();
    assert_eq!(ask["annotations"]["readOnlyHint"], true);
    assert_eq!(ask["inputSchema"], json!({"type": "object", "additionalProperties": false}));
}

#[tokio::test]
async fn stdio_only_declared_capabilities_are_asked() {
    for (version, caps, expected) in [
        ("2025-06-18", json!({"roots": {}}), vec!["roots/list"]),
        ("2025-11-25", json!({"sampling": {}}), vec!["sampling/createMessage"]),
        ("2025-11-25", json!({"elicitation": {}}), vec!["elicitation/create"]),
        // URL-only elicitation cannot carry a form.
        ("2025-11-25", json!({"elicitation": {"url": {}}, "roots": {}}), vec!["roots/list"]),
        // No elicitation before 2025-06-18, whatever is declared.
        ("2025-03-26", json!({"elicitation": {}}), vec![]),
        ("2024-11-05", json!({}), vec![]),
    ] {
        let mut s = StdioServer::start(&[]).await;
        s.handshake_with(version, caps.clone()).await;
        s.send(&ask(1)).await;
        let (requests, response) = until_response(&mut s, 1, |m| Some(answer(m))).await;
        assert_eq!(methods(&requests), expected, "{version} {caps}");
        if expected.is_empty() {
            assert!(result_text(&response).starts_with("Nothing to ask"), "{response}");
            assert!(response["result"].get("isError").is_none());
        }
    }
}

#[tokio::test]
async fn stdio_error_and_malformed_answers_are_tool_errors() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with("2025-11-25", all_capabilities("2025-11-25")).await;
    s.send(&ask(1)).await;
    let (_, response) = until_response(&mut s, 1, |m| {
        Some(json!({"jsonrpc": "2.0", "id": m["id"], "error": {"code": -32601, "message": "Roots not supported"}}))
    })
    .await;
    assert_eq!(response["result"]["isError"], true);
    let text = result_text(&response);
    assert!(text.contains("roots/list") && text.contains("-32601"), "{text}");

    s.send(&ask(2)).await;
    let (_, response) = until_response(&mut s, 2, |m| match m["method"].as_str() {
        Some("sampling/createMessage") => Some(json!({"jsonrpc": "2.0", "id": m["id"], "result": {"role": "assistant"}})),
        _ => Some(answer(m)),
    })
    .await;
    assert_eq!(response["result"]["isError"], true);
    assert!(result_text(&response).contains("sampling/createMessage"), "{response}");

    s.send(&ask(3)).await;
    let (_, response) = until_response(&mut s, 3, |m| match m["method"].as_str() {
        Some("elicitation/create") => Some(json!({"jsonrpc": "2.0", "id": m["id"], "result": {"action": "accept", "content": {"name": 42}}})),
        _ => Some(answer(m)),
    })
    .await;
    assert_eq!(response["result"]["isError"], true, "content that does not fit the form");

    s.send(&ask(4)).await;
    let (_, response) = until_response(&mut s, 4, |m| match m["method"].as_str() {
        Some("elicitation/create") => Some(json!({"jsonrpc": "2.0", "id": m["id"], "result": {"action": "decline"}})),
        _ => Some(answer(m)),
    })
    .await;
    assert!(result_text(&response).ends_with("elicitation: decline"), "{response}");
}

#[tokio::test]
async fn stdio_ask_inside_a_2025_03_26_batch() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with("2025-03-26", json!({"roots": {}})).await;
    s.send(&json!([ask(1), request(2, "ping", json!({}))])).await;
    let roots = s.recv().await;
    assert_eq!(roots["method"], "roots/list");
    s.send(&answer(&roots)).await;
    let replies = s.recv().await;
    let replies = replies.as_array().expect("the batch is answered with an array");
    let mut ids: Vec<i64> = replies.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, [1, 2]);
    let ask_reply = replies.iter().find(|r| r["id"] == 1).unwrap();
    assert!(result_text(ask_reply).contains(TEST_ROOT));
}

#[tokio::test]
async fn stdio_unanswered_requests_time_out_and_are_cancelled() {
    let mut s = StdioServer::start(&["--ask-timeout", "0.3"]).await;
    s.handshake_with("2025-06-18", json!({"roots": {}})).await;
    s.send(&ask(1)).await;
    let (seen, response) = until_response(&mut s, 1, |_| None).await;
    assert_eq!(seen[0]["method"], "roots/list");
    assert_eq!(seen[1]["method"], "notifications/cancelled");
    assert_eq!(seen[1]["params"]["requestId"], seen[0]["id"]);
    assert_eq!(response["result"]["isError"], true);
    assert!(result_text(&response).contains("no response within 300 ms"), "{response}");
    // A late answer is dropped, and the server goes on.
    s.send(&answer(&seen[0])).await;
    assert_eq!(s.request(request(2, "ping", json!({}))).await["result"], json!({}));
}

#[tokio::test]
async fn stdio_no_requests_before_initialized() {
    let mut s = StdioServer::start(&[]).await;
    s.request(initialize_with(0, "2025-11-25", all_capabilities("2025-11-25"))).await;
    let response = s.request(ask(1)).await;
    assert_eq!(response["result"]["isError"], true);
    assert!(result_text(&response).contains("notifications/initialized"), "{response}");
}

#[tokio::test]
async fn stdio_requests_are_served_while_ask_waits() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with("2025-11-25", json!({"roots": {}})).await;
    s.send(&ask(1)).await;
    let roots = s.recv().await;
    assert_eq!(roots["method"], "roots/list");
    // The ask is still waiting: other requests are answered meanwhile.
    assert_eq!(s.request(request(2, "ping", json!({}))).await["result"], json!({}));
    let echo = s.request(request(3, "tools/call", json!({"name": "echo", "arguments": {"message": "meanwhile"}}))).await;
    assert_eq!(result_text(&echo), "meanwhile");
    let modern_list = s.request(modern(4, "tools/list", json!({}))).await;
    assert_eq!(modern_list["result"]["resultType"], "complete");
    s.send(&answer(&roots)).await;
    let done = s.recv().await;
    assert_eq!(done["id"], 1);
    assert!(result_text(&done).contains(TEST_ROOT));
}

#[tokio::test]
async fn stdio_cancellation_stops_ask_and_suppresses_its_response() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with("2025-06-18", all_capabilities("2025-06-18")).await;
    s.send(&ask(5)).await;
    let roots = s.recv().await;
    assert_eq!(roots["method"], "roots/list");
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5, "reason": "test"}})).await;
    // The answer arrives after the cancellation: nothing more is asked.
    s.send(&answer(&roots)).await;
    assert_eq!(s.request(request(6, "ping", json!({}))).await["result"], json!({}), "no sampling request, no response to 5");
    assert!(s.silent_for(Duration::from_millis(500)).await, "nothing is sent for the cancelled request");
    // Cancellations naming unknown or finished requests are ignored (UTIL-004).
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 6}})).await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "nope"}})).await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled"})).await;
    assert_eq!(s.request(request(7, "ping", json!({}))).await["result"], json!({}));
}

#[tokio::test]
async fn stdio_modern_cancellations_are_harmless() {
    // 2026-07-28 requests are answered at once; a cancellation for one that
    // finished, or for one never sent, is ignored and the process goes on.
    let mut s = StdioServer::start(&[]).await;
    s.request(modern(1, "tools/list", json!({}))).await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})).await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 99}})).await;
    assert_eq!(s.request(modern(2, "tools/list", json!({}))).await["result"]["resultType"], "complete");
}

// ---- 2026-07-28: multi round-trip requests ----

fn modern_ask(id: i64, caps: Value, extra: Value) -> Value {
    let mut params = json!({"name": "ask", "arguments": {}});
    for (k, v) in extra.as_object().unwrap() {
        params[k] = v.clone();
    }
    modern_with(id, "tools/call", params, caps)
}

fn all_modern_caps() -> Value {
    json!({"roots": {}, "sampling": {}, "elicitation": {"form": {}}})
}

/// The answers to every `inputRequests` entry, keyed like them.
fn input_responses(input_required: &Value) -> Value {
    let mut responses = serde_json::Map::new();
    for (key, input) in input_required["inputRequests"].as_object().unwrap() {
        responses.insert(key.clone(), client_answer(input["method"].as_str().unwrap()));
    }
    Value::Object(responses)
}

fn check_input_required(result: &Value, keys: &[&str]) {
    assert_eq!(result["resultType"], "input_required", "{result}");
    assert!(result["requestState"].is_string());
    assert_eq!(result["_meta"][SERVER_INFO]["name"], "mcp-reference-server");
    let requests = result["inputRequests"].as_object().expect("inputRequests");
    assert_eq!(requests.keys().map(String::as_str).collect::<Vec<_>>(), keys);
    for input in requests.values() {
        assert!(input.get("id").is_none() && input.get("jsonrpc").is_none(), "S2C-004: {input}");
        let mut as_request = input.clone();
        as_request["jsonrpc"] = json!("2.0");
        as_request["id"] = json!(0);
        check_request_shape(MODERN, &as_request);
    }
}

#[tokio::test]
async fn stdio_mrtr_round_trip() {
    let mut s = StdioServer::start(&[]).await;
    // s.request() asserts that the next line is the response: the server
    // sends no JSON-RPC request of its own in this era.
    let first = s.request(modern_ask(1, all_modern_caps(), json!({}))).await["result"].clone();
    check_input_required(&first, &["roots", "sampling", "elicitation"]);
    let retry = json!({"inputResponses": input_responses(&first), "requestState": first["requestState"]});
    let done = s.request(modern_ask(2, all_modern_caps(), retry)).await;
    assert_eq!(done["result"]["resultType"], "complete");
    assert!(done["result"].get("isError").is_none(), "{done}");
    let text = result_text(&done);
    assert_eq!(
        text,
        format!("roots: {TEST_ROOT}\nsampling: \"{TEST_SAMPLE}\" (model test-model)\nelicitation: accept {{\"name\":\"Ada\",\"confirm\":true}}")
    );
    assert!(s.silent_for(Duration::from_millis(300)).await);
}

#[tokio::test]
async fn stdio_mrtr_gating_and_bad_retries() {
    let mut s = StdioServer::start(&[]).await;
    let none = s.request(modern_ask(1, json!({}), json!({}))).await;
    assert_eq!(none["result"]["resultType"], "complete");
    assert!(result_text(&none).starts_with("Nothing to ask"));
    let only = s.request(modern_ask(2, json!({"elicitation": {}}), json!({}))).await["result"].clone();
    check_input_required(&only, &["elicitation"]);
    let url_only = s.request(modern_ask(3, json!({"elicitation": {"url": {}}}), json!({}))).await;
    assert_eq!(url_only["result"]["resultType"], "complete", "no form for a url-only client");

    let first = s.request(modern_ask(4, all_modern_caps(), json!({}))).await["result"].clone();
    let state = first["requestState"].clone();
    // Missing answers: asked again (S2C-013), extra keys ignored (S2C-012).
    let partial = json!({"inputResponses": {"roots": client_answer("roots/list"), "bogus": {"x": 1}}, "requestState": state});
    let second = s.request(modern_ask(5, all_modern_caps(), partial)).await["result"].clone();
    check_input_required(&second, &["sampling", "elicitation"]);
    let rest = json!({"inputResponses": input_responses(&second), "requestState": second["requestState"]});
    let done = s.request(modern_ask(6, all_modern_caps(), rest)).await;
    assert!(result_text(&done).starts_with(&format!("roots: {TEST_ROOT}")), "answers carried in the state: {done}");
    // Malformed input: JSON-RPC -32602 (S2C-011).
    let bad = json!({"inputResponses": {"roots": {"roots": 5}}, "requestState": state});
    assert_eq!(error_code(&s.request(modern_ask(7, all_modern_caps(), bad)).await), -32602);
    let bad = json!({"inputResponses": [1], "requestState": state});
    assert_eq!(error_code(&s.request(modern_ask(8, all_modern_caps(), bad)).await), -32602);
    // A tampered or missing state: a tool error (S2C-007).
    let mut forged = state.as_str().unwrap().to_owned();
    forged.insert(1, 'Q');
    let tampered = json!({"inputResponses": input_responses(&first), "requestState": forged});
    let r = s.request(modern_ask(9, all_modern_caps(), tampered)).await;
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(result_text(&r).contains("requestState"));
    let stateless = json!({"inputResponses": input_responses(&first)});
    assert_eq!(s.request(modern_ask(10, all_modern_caps(), stateless)).await["result"]["isError"], true);
    // A state is bound to the call it was issued for.
    let mut other = modern_ask(11, all_modern_caps(), json!({"inputResponses": input_responses(&first), "requestState": state}));
    other["params"]["name"] = json!("echo");
    other["params"]["arguments"] = json!({"message": "x"});
    assert_eq!(result_text(&s.request(other).await), "x", "other tools ignore MRTR fields");
}

// ---- Streamable HTTP ----

/// Reads a live ask stream to its end, answering server requests by POST.
/// Returns every event and the final response.
async fn drive_http_stream(server: &HttpServer, session: &str, version: &str, response: reqwest::Response) -> (Vec<SseEvent>, Value) {
    drive_http_stream_with(server, session, version, response, answer).await
}

/// The same, answering each server request with `respond(request)` (a whole
/// JSON-RPC response).
pub async fn drive_http_stream_with(
    server: &HttpServer,
    session: &str,
    version: &str,
    response: reqwest::Response,
    respond: impl Fn(&Value) -> Value,
) -> (Vec<SseEvent>, Value) {
    assert_eq!(response.status(), StatusCode::OK);
    let ct = response.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    let mut reader = SseReader::new(response);
    let mut events = Vec::new();
    let mut last = None;
    while let Some(event) = reader.next().await {
        events.push(event.clone());
        if event.data.is_empty() {
            continue; // priming
        }
        let message: Value = serde_json::from_str(&event.data).expect("JSON event");
        if is_request(&message) {
            let posted = server.post_in_session(session, version, &respond(&message)).await;
            assert_eq!(posted.status, StatusCode::ACCEPTED, "{}", posted.body);
            assert!(posted.body.is_empty());
        } else {
            assert!(last.is_none(), "one response, at the end");
            last = Some(message);
        }
    }
    (events, last.expect("the stream carried the response"))
}

#[tokio::test]
async fn http_ask_in_each_streamable_version() {
    let server = HttpServer::http().await;
    for version in ["2025-03-26", "2025-06-18", "2025-11-25"] {
        let session = server.open_session_with(version, all_capabilities(version)).await;
        let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", version)];
        let stream = server.post_open(&server.url, &headers, &ask(3).to_string()).await;
        let (events, response) = drive_http_stream(&server, &session, version, stream).await;
        assert_eq!(response["id"], 3);
        let text = result_text(&response);
        assert!(text.contains(TEST_ROOT) && text.contains(TEST_SAMPLE), "{version}: {text}");
        let requests: Vec<Value> = events.iter().filter_map(|e| serde_json::from_str::<Value>(&e.data).ok()).filter(is_request).collect();
        assert_eq!(methods(&requests), expected_methods(version), "{version}");
        for r in &requests {
            check_request_shape(version, r);
        }
        if version == "2025-11-25" {
            assert_eq!(events[0].data, "", "priming event first");
            assert!(events.iter().all(|e| e.id.is_some()), "ids on every event");
        } else {
            assert!(events.iter().all(|e| e.id.is_some() && !e.data.is_empty()), "ids on every event, no priming event");
        }
        assert!(events.iter().skip_while(|e| e.data.is_empty()).all(|e| e.event.as_deref() == Some("message")));
    }
}

#[tokio::test]
async fn http_ask_with_nothing_declared_and_other_calls_stay_json() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-06-18").await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-06-18")];
    let stream = server.post_open(&server.url, &headers, &ask(1).to_string()).await;
    let (events, response) = drive_http_stream(&server, &session, "2025-06-18", stream).await;
    assert_eq!(events.len(), 1);
    assert!(result_text(&response).starts_with("Nothing to ask"));
    let echo = server
        .post_in_session(&session, "2025-06-18", &request(2, "tools/call", json!({"name": "echo", "arguments": {"message": "m"}})))
        .await;
    assert!(echo.content_type().starts_with("application/json"));
}

#[tokio::test]
async fn http_ask_inside_a_2025_03_26_batch() {
    let server = HttpServer::http().await;
    let version = "2025-03-26";
    let session = server.open_session_with(version, json!({"sampling": {}})).await;
    let headers = [("Mcp-Session-Id", session.as_str())];
    let batch = json!([ask(1), request(2, "ping", json!({}))]).to_string();
    let stream = server.post_open(&server.url, &headers, &batch).await;
    let mut reader = SseReader::new(stream);
    let sampling: Value = serde_json::from_str(&reader.next().await.expect("a request").data).unwrap();
    assert_eq!(sampling["method"], "sampling/createMessage");
    let posted = server.post(&headers, &answer(&sampling).to_string()).await;
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    let replies: Value = serde_json::from_str(&reader.next().await.expect("the batch response").data).unwrap();
    assert_eq!(replies.as_array().expect("an array").len(), 2);
    assert_eq!(reader.next().await, None);
    // A batch of one plain request is still answered with an array.
    let one = server.post(&headers, &json!([request(3, "ping", json!({}))]).to_string()).await;
    assert_eq!(one.json(), json!([{"jsonrpc": "2.0", "id": 3, "result": {}}]));
}

#[tokio::test]
async fn http_cancellation_ends_the_stream_without_a_response() {
    let server = HttpServer::http().await;
    let version = "2025-11-25";
    let session = server.open_session_with(version, all_capabilities(version)).await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", version)];
    let stream = server.post_open(&server.url, &headers, &ask(9).to_string()).await;
    let mut reader = SseReader::new(stream);
    let priming = reader.next().await.expect("priming");
    assert_eq!(priming.data, "");
    let roots: Value = serde_json::from_str(&reader.next().await.expect("roots/list").data).unwrap();
    assert_eq!(roots["method"], "roots/list");
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 9}});
    assert_eq!(server.post_in_session(&session, version, &cancel).await.status, StatusCode::ACCEPTED);
    assert_eq!(reader.next().await, None, "the stream ends, with no response");
    // The late answer is accepted and dropped; the session lives on.
    assert_eq!(server.post_in_session(&session, version, &answer(&roots)).await.status, StatusCode::ACCEPTED);
    let ping = server.post_in_session(&session, version, &request(10, "ping", json!({}))).await;
    assert_eq!(ping.json()["result"], json!({}));
}

#[tokio::test]
async fn http_deleting_the_session_ends_a_waiting_ask() {
    let server = HttpServer::http().await;
    let version = "2025-06-18";
    let session = server.open_session_with(version, json!({"roots": {}})).await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", version)];
    let stream = server.post_open(&server.url, &headers, &ask(1).to_string()).await;
    let mut reader = SseReader::new(stream);
    let roots: Value = serde_json::from_str(&reader.next().await.expect("roots/list").data).unwrap();
    assert_eq!(roots["method"], "roots/list");
    let deleted = server.send(reqwest::Method::DELETE, &server.url, &headers, None).await;
    assert_eq!(deleted.status, StatusCode::OK);
    let last: Value = serde_json::from_str(&reader.next().await.expect("the response").data).unwrap();
    assert_eq!(last["id"], 1);
    assert_eq!(last["result"]["isError"], true, "{last}");
    assert_eq!(reader.next().await, None);
}

#[tokio::test]
async fn http_mrtr_round_trip_is_plain_json() {
    let server = HttpServer::http().await;
    let first = server.post_modern(&modern_ask(1, all_modern_caps(), json!({}))).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.content_type().starts_with("application/json"), "no stream, no server requests");
    let first = first.json()["result"].clone();
    check_input_required(&first, &["roots", "sampling", "elicitation"]);
    let retry = json!({"inputResponses": input_responses(&first), "requestState": first["requestState"]});
    let done = server.post_modern(&modern_ask(2, all_modern_caps(), retry)).await;
    assert_eq!(done.status, StatusCode::OK);
    let done = done.json();
    assert_eq!(done["result"]["resultType"], "complete");
    assert!(result_text(&done).contains(TEST_SAMPLE));
    // A state issued on this server works on any connection (no session).
    let bad = server.post_modern(&modern_ask(3, all_modern_caps(), json!({"inputResponses": 5, "requestState": "x"}))).await;
    assert_eq!((bad.status, error_code(&bad.json())), (StatusCode::OK, -32602));
}

// ---- HTTP+SSE ----

#[tokio::test]
async fn http_sse_ask_uses_the_session_stream() {
    let server = HttpServer::start(&["--sse", "127.0.0.1:0"]).await;
    let response = server.open_get(&server.url, &[]).await;
    let mut events = SseReader::new(response);
    let endpoint = events.next().await.expect("endpoint event");
    let post_url = format!("{}{}", server.base, endpoint.data);
    let post = |message: Value| server.send(reqwest::Method::POST, &post_url, &[], Some(message.to_string()));
    let version = "2024-11-05";
    assert_eq!(post(initialize_with(1, version, all_capabilities(version))).await.status, StatusCode::ACCEPTED);
    let init: Value = serde_json::from_str(&events.next().await.unwrap().data).unwrap();
    assert_eq!(init["result"]["protocolVersion"], version);
    assert_eq!(post(initialized()).await.status, StatusCode::ACCEPTED);
    assert_eq!(post(ask(2)).await.status, StatusCode::ACCEPTED);
    let mut asked = Vec::new();
    let response = loop {
        let event = events.next().await.expect("an event");
        assert_eq!(event.event.as_deref(), Some("message"));
        let message: Value = serde_json::from_str(&event.data).unwrap();
        if is_request(&message) {
            check_request_shape(version, &message);
            assert_eq!(post(answer(&message)).await.status, StatusCode::ACCEPTED);
            asked.push(message);
        } else {
            break message;
        }
    };
    assert_eq!(methods(&asked), expected_methods(version));
    assert_eq!(response["id"], 2);
    assert!(result_text(&response).contains(TEST_ROOT));
}

/// LIFECYCLE-012: a retry sent to another process of the server completes,
/// since every process derives the state key from the same secret; under
/// `request-state-per-process` the other process refuses the state.
#[tokio::test]
async fn stdio_mrtr_retry_in_another_process() {
    for (faults, completes) in [(&[][..], true), (&["--fault", "request-state-per-process"][..], false)] {
        let mut first_process = StdioServer::start(faults).await;
        let first = first_process.request(modern_ask(1, all_modern_caps(), json!({}))).await["result"].clone();
        check_input_required(&first, &["roots", "sampling", "elicitation"]);
        let retry = json!({"inputResponses": input_responses(&first), "requestState": first["requestState"]});
        let mut second_process = StdioServer::start(faults).await;
        let done = second_process.request(modern_ask(2, all_modern_caps(), retry)).await;
        assert_eq!(done["result"].get("isError").is_none(), completes, "{faults:?}: {done}");
    }
}

