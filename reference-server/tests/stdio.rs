//! The stdio transport, every version.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

/// Everything a legacy session at `version` must show over stdio.
async fn legacy_session(version: &str) {
    let mut s = StdioServer::start(&[]).await;

    // L-LIFE-001/002: echo, capabilities, serverInfo, instructions.
    let init = s.request(initialize(1, version)).await;
    let result = &init["result"];
    assert_eq!(result["protocolVersion"], version);
    assert_eq!(result["capabilities"], capabilities(version));
    assert_eq!(result["serverInfo"]["name"], "mcp-reference-server");
    assert!(result["serverInfo"]["version"].is_string());
    assert!(result["instructions"].is_string());
    assert_eq!(result["serverInfo"].get("title").is_some(), version >= "2025-06-18", "title only from 2025-06-18");
    assert!(result.get("resultType").is_none(), "no 2026 fields in {version}");
    s.send(&initialized()).await;

    // L-PING-001.
    assert_eq!(s.request(request(2, "ping", json!({}))).await["result"], json!({}));
    let bare_ping = json!({"jsonrpc": "2.0", "id": "p", "method": "ping"});
    assert_eq!(s.request(bare_ping).await["result"], json!({}));

    // tools/list shaped by the version.
    let list = s.request(request(3, "tools/list", json!({}))).await;
    let tools = list["result"]["tools"].as_array().expect("tools").clone();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    // From 2025-11-25 the official suite's json_schema_2020_12_tool comes first.
    let first_page: &[&str] = if version >= "2025-11-25" {
        &["json_schema_2020_12_tool", "echo", "add", "fail", "ask"]
    } else {
        &["echo", "add", "fail", "ask", "progress"]
    };
    assert_eq!(names, first_page, "the first page");
    assert!(list["result"]["nextCursor"].is_string());
    for tool in &tools {
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert_eq!(tool.get("annotations").is_some(), version >= "2025-03-26", "{version} annotations");
        assert_eq!(tool.get("title").is_some(), version >= "2025-06-18", "{version} title");
        if tool.get("annotations").is_some() {
            assert_eq!(tool["annotations"]["readOnlyHint"], true);
        }
    }
    let add = tool_named(&list["result"]["tools"], "add");
    assert_eq!(add.get("outputSchema").is_some(), version >= "2025-06-18", "{version} outputSchema");
    assert!(list["result"].get("ttlMs").is_none());

    // tools/call.
    let echo = s.request(request(4, "tools/call", json!({"name": "echo", "arguments": {"message": "héllo\nworld"}}))).await;
    assert_eq!(echo["result"]["content"], json!([{"type": "text", "text": "héllo\nworld"}]));
    let add = s.request(request(5, "tools/call", json!({"name": "add", "arguments": {"a": 2, "b": 40}}))).await;
    assert_eq!(add["result"]["content"][0]["text"], "{\"sum\":42}");
    if version >= "2025-06-18" {
        assert_eq!(add["result"]["structuredContent"], json!({"sum": 42}));
    } else {
        assert!(add["result"].get("structuredContent").is_none(), "{version} has no structuredContent");
    }
    let fail = s.request(request(6, "tools/call", json!({"name": "fail", "arguments": {}}))).await;
    assert_eq!(fail["result"]["isError"], true);

    // Argument errors: -32602 before 2025-11-25, isError from then on.
    let bad = s.request(request(7, "tools/call", json!({"name": "add", "arguments": {"a": "x", "b": 1}}))).await;
    if version >= "2025-11-25" {
        assert_eq!(bad["result"]["isError"], true, "{bad}");
    } else {
        assert_eq!(error_code(&bad), -32602, "{bad}");
    }

    // Unknown tool, unknown method, methods from the other era.
    assert_eq!(error_code(&s.request(request(8, "tools/call", json!({"name": "nope"}))).await), -32602);
    assert_eq!(error_code(&s.request(request(9, "no/such/method", json!({}))).await), -32601);
    assert_eq!(error_code(&s.request(request(10, "server/discover", json!({}))).await), -32601);
    assert_eq!(error_code(&s.request(request(11, "subscriptions/listen", json!({"notifications": {}}))).await), -32601);

    // A second initialize on the same process is refused.
    assert_eq!(error_code(&s.request(initialize(12, version)).await), -32600);

    assert!(s.close().await.success());
}

#[tokio::test]
async fn legacy_session_2024_11_05() {
    legacy_session("2024-11-05").await;
}

#[tokio::test]
async fn legacy_session_2025_03_26() {
    legacy_session("2025-03-26").await;
}

#[tokio::test]
async fn legacy_session_2025_06_18() {
    legacy_session("2025-06-18").await;
}

#[tokio::test]
async fn legacy_session_2025_11_25() {
    legacy_session("2025-11-25").await;
}

#[tokio::test]
async fn unsupported_initialize_versions_get_a_counter_proposal() {
    for asked in ["1999-01-01", "2026-07-28", "2025-11-26"] {
        let mut s = StdioServer::start(&[]).await;
        let r = s.request(initialize(1, asked)).await;
        assert_eq!(r["result"]["protocolVersion"], "2025-11-25", "asked {asked}");
    }
}

#[tokio::test]
async fn malformed_initialize_is_invalid_params() {
    let mut s = StdioServer::start(&[]).await;
    let r = s.request(request(1, "initialize", json!({"capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}))).await;
    assert_eq!(error_code(&r), -32602);
    // The failed handshake left no session behind: a good one still works.
    assert_eq!(s.request(initialize(2, "2025-06-18")).await["result"]["protocolVersion"], "2025-06-18");
}

#[tokio::test]
async fn ping_is_answered_before_initialize() {
    let mut s = StdioServer::start(&[]).await;
    assert_eq!(s.request(request(1, "ping", json!({}))).await["result"], json!({}));
}

#[tokio::test]
async fn modern_discover_and_tools() {
    let mut s = StdioServer::start(&[]).await;
    let d = s.request(modern(1, "server/discover", json!({}))).await["result"].clone();
    assert_eq!(d["resultType"], "complete");
    assert_eq!(
        d["supportedVersions"],
        json!(["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])
    );
    assert_eq!(d["capabilities"], capabilities(MODERN));
    assert_eq!(d["_meta"][SERVER_INFO]["name"], "mcp-reference-server");
    assert!(d["ttlMs"].as_u64().is_some());
    assert_eq!(d["cacheScope"], "public");

    let list = s.request(modern(2, "tools/list", json!({}))).await["result"].clone();
    assert_eq!(list["resultType"], "complete");
    assert_eq!(list["cacheScope"], "public");
    assert!(list["ttlMs"].as_u64().is_some());
    assert_eq!(list["_meta"][SERVER_INFO]["name"], "mcp-reference-server");
    assert_eq!(list["tools"].as_array().unwrap().len(), 5, "the first page");
    assert!(tool_named(&list["tools"], "add")["outputSchema"].is_object());

    let add = s.request(modern(3, "tools/call", json!({"name": "add", "arguments": {"a": 0.5, "b": 1}}))).await["result"].clone();
    assert_eq!(add["resultType"], "complete");
    assert_eq!(add["structuredContent"], json!({"sum": 1.5}));
    assert_eq!(add["content"][0]["text"], add["structuredContent"].to_string());
    assert_eq!(add["_meta"][SERVER_INFO]["name"], "mcp-reference-server");
    assert!(add.get("ttlMs").is_none(), "tools/call results are not cacheable");

    let bad_args = s.request(modern(4, "tools/call", json!({"name": "echo", "arguments": {}}))).await;
    assert_eq!(bad_args["result"]["isError"], true);
    assert_eq!(bad_args["result"]["resultType"], "complete");

    assert_eq!(error_code(&s.request(modern(5, "tools/call", json!({"name": "nope"}))).await), -32602);
    assert_eq!(error_code(&s.request(modern(6, "ping", json!({}))).await), -32601, "no ping in 2026-07-28");
    assert_eq!(error_code(&s.request(modern(7, "no/such", json!({}))).await), -32601);
    assert_eq!(error_code(&s.request(modern(8, "tools/list", json!({"cursor": "abc"}))).await), -32602);
}

#[tokio::test]
async fn modern_requests_missing_required_meta_are_invalid_params() {
    let mut s = StdioServer::start(&[]).await;
    for (i, params) in [
        json!({}),
        json!({"_meta": {}}),
        json!({"_meta": {PV: MODERN}}),
        json!({"_meta": {CAPS: {}}}),
        json!({"_meta": {PV: 20260728, CAPS: {}}}),
    ]
    .into_iter()
    .enumerate()
    {
        let r = s.request(request(i as i64, "server/discover", params.clone())).await;
        assert_eq!(error_code(&r), -32602, "{params}");
    }
}

#[tokio::test]
async fn unsupported_meta_versions_get_32022_with_the_supported_list() {
    let mut s = StdioServer::start(&[]).await;
    for (i, v) in ["1900-01-01", "2027-01-01", "2025-11-25", ""].into_iter().enumerate() {
        let r = s.request(modern_at(i as i64, "tools/list", json!({}), v)).await;
        assert_eq!(error_code(&r), -32022, "{v}");
        assert_eq!(r["error"]["data"]["requested"], v);
        let supported = r["error"]["data"]["supported"].as_array().expect("data.supported").clone();
        assert!(supported.contains(&json!(MODERN)));
        assert_eq!(supported.len(), 5);
    }
}

#[tokio::test]
async fn one_process_serves_both_eras() {
    let mut s = StdioServer::start(&[]).await;
    // Modern first, then a legacy session, then modern again: each request
    // is served by its own era (LIFECYCLE-010, LIFECYCLE-018).
    assert_eq!(s.request(modern(1, "tools/list", json!({}))).await["result"]["resultType"], "complete");
    s.handshake("2025-03-26").await;
    let legacy = s.request(request(2, "tools/list", json!({}))).await;
    assert!(legacy["result"].get("resultType").is_none());
    assert!(tool_named(&legacy["result"]["tools"], "add").get("outputSchema").is_none());
    let modern_again = s.request(modern(3, "tools/list", json!({}))).await;
    assert!(tool_named(&modern_again["result"]["tools"], "add")["outputSchema"].is_object());
}

#[tokio::test]
async fn batches_are_accepted_in_2025_03_26_only() {
    let batch = json!([
        request(1, "ping", json!({})),
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}},
        request(2, "tools/call", json!({"name": "echo", "arguments": {"message": "b"}})),
    ]);
    let mut s = StdioServer::start(&[]).await;
    s.handshake("2025-03-26").await;
    s.send(&batch).await;
    let replies = s.recv().await;
    let replies = replies.as_array().expect("an array of responses");
    let ids: Vec<&Value> = replies.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(2)]);
    s.send(&json!([initialized()])).await;
    s.send(&json!([])).await;
    let empty = s.recv().await;
    assert_eq!(error_code(&empty), -32600, "a batch of notifications is not answered; an empty batch is an error");

    for version in ["2024-11-05", "2025-06-18", "2025-11-25"] {
        let mut s = StdioServer::start(&[]).await;
        s.handshake(version).await;
        s.send(&batch).await;
        let r = s.recv().await;
        assert_eq!(error_code(&r), -32600, "{version}");
        assert_eq!(r["id"], Value::Null);
    }
    let mut s = StdioServer::start(&[]).await;
    s.send(&json!([modern(1, "tools/list", json!({}))])).await;
    assert_eq!(error_code(&s.recv().await), -32600, "no batches in 2026-07-28");
}

#[tokio::test]
async fn malformed_input_gets_json_rpc_errors_and_the_server_lives_on() {
    let mut s = StdioServer::start(&[]).await;
    s.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 1,\n").await;
    let r = s.recv().await;
    assert_eq!(error_code(&r), -32700);
    assert_eq!(r["id"], Value::Null);
    // The dangling second half is its own (malformed) line.
    s.send_raw(b"\"method\": \"ping\"}\n").await;
    assert_eq!(error_code(&s.recv().await), -32700);
    s.send_raw(b"\xff\xfe\xfd\n").await;
    assert_eq!(error_code(&s.recv().await), -32700);
    s.send_raw(b"null\n").await;
    assert_eq!(error_code(&s.recv().await), -32600);
    s.send(&json!({"jsonrpc": "1.0", "id": 5, "method": "ping"})).await;
    let r = s.recv().await;
    assert_eq!((error_code(&r), r["id"].clone()), (-32600, json!(5)));
    s.send(&json!({"jsonrpc": "2.0", "id": null, "method": "ping"})).await;
    assert_eq!(error_code(&s.recv().await), -32600);
    s.send(&json!({"jsonrpc": "2.0", "id": "s", "method": "ping", "params": [1, 2]})).await;
    assert_eq!(error_code(&s.recv().await), -32600);
    s.send_raw(format!("{}\n", "[".repeat(10_000)).as_bytes()).await;
    assert_eq!(error_code(&s.recv().await), -32700);
    // Still alive, ids echoed with their JSON type.
    assert_eq!(s.request(json!({"jsonrpc": "2.0", "id": "str-id", "method": "ping"})).await["id"], "str-id");
    assert_eq!(s.request(json!({"jsonrpc": "2.0", "id": -7, "method": "ping"})).await["id"], -7);
}

#[tokio::test]
async fn notifications_and_client_responses_are_never_answered() {
    let mut s = StdioServer::start(&[]).await;
    s.send(&initialized()).await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 99}})).await;
    s.send(&json!({"jsonrpc": "2.0", "method": "no/such/notification"})).await;
    s.send(&json!({"jsonrpc": "2.0", "id": 42, "result": {}})).await;
    // The next line must be the ping's answer, not a reply to the above.
    assert_eq!(s.request(request(1, "ping", json!({}))).await["result"], json!({}));
}

#[tokio::test]
async fn overlong_lines_are_refused_without_killing_the_server() {
    let mut s = StdioServer::start(&[]).await;
    let mut huge = vec![b'x'; 5 * 1024 * 1024];
    huge.push(b'\n');
    // The server discards the line as it reads, so the write cannot stall.
    s.send_raw(&huge).await;
    let r = s.recv().await;
    assert_eq!(error_code(&r), -32600);
    assert_eq!(s.request(request(1, "ping", json!({}))).await["result"], json!({}));
}

#[tokio::test]
async fn exits_promptly_when_stdin_closes() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake("2025-11-25").await;
    let start = std::time::Instant::now();
    let status = s.close().await;
    assert!(status.success());
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
}

#[tokio::test]
async fn nothing_but_json_rpc_on_stdout() {
    let mut s = StdioServer::start(&[]).await;
    s.send_raw(b"\n\n   \n").await;
    assert!(s.silent_for(Duration::from_millis(300)).await, "blank lines get no reply");
    // recv() asserts every line parses as JSON.
    s.handshake("2025-06-18").await;
    s.request(request(1, "tools/list", json!({}))).await;
}
