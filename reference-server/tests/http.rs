//! Streamable HTTP, both eras.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn legacy_handshake_issues_a_visible_ascii_session_id_for_each_version() {
    let server = HttpServer::http().await;
    for version in STATEFUL {
        let reply = server.post(&[], &initialize(1, version).to_string()).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.content_type().starts_with("application/json"));
        let id = reply.header("mcp-session-id").expect("session id");
        assert!(!id.is_empty() && id.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{id}");
        assert_eq!(reply.json()["result"]["protocolVersion"], version);
    }
}

#[tokio::test]
async fn legacy_session_serves_tools_and_ping() {
    let server = HttpServer::http().await;
    for version in ["2025-03-26", "2025-06-18", "2025-11-25"] {
        let session = server.open_session(version).await;
        let ping = server.post_in_session(&session, version, &request(2, "ping", json!({}))).await;
        assert_eq!((ping.status, ping.json()["result"].clone()), (StatusCode::OK, json!({})));
        let list = server.post_in_session(&session, version, &request(3, "tools/list", json!({}))).await.json();
        assert_eq!(list["result"]["tools"].as_array().unwrap().len(), 5, "the first page");
        assert_eq!(tool_named(&list["result"]["tools"], "add").get("outputSchema").is_some(), version >= "2025-06-18");
        let add = server
            .post_in_session(&session, version, &request(4, "tools/call", json!({"name": "add", "arguments": {"a": 1, "b": 1}})))
            .await
            .json();
        assert_eq!(add["result"]["content"][0]["text"], "{\"sum\":2}");
        let unknown = server.post_in_session(&session, version, &request(5, "no/such", json!({}))).await;
        assert_eq!(error_code(&unknown.json()), -32601);
    }
}

#[tokio::test]
async fn requests_need_a_known_session() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let ping = request(2, "ping", json!({})).to_string();
    let missing = server.post(&[("MCP-Protocol-Version", "2025-11-25")], &ping).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "L-HTTP-010");
    let unknown = server.post(&[("Mcp-Session-Id", "not-a-session"), ("MCP-Protocol-Version", "2025-11-25")], &ping).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "L-HTTP-011");
    let fine = server.post_in_session(&session, "2025-11-25", &request(3, "ping", json!({}))).await;
    assert_eq!(fine.status, StatusCode::OK);
}

#[tokio::test]
async fn delete_ends_the_session() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-06-18").await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-06-18")];
    let deleted = server.send(Method::DELETE, &server.url, &headers, None).await;
    assert_eq!(deleted.status, StatusCode::OK);
    let after = server.post(&headers, &request(2, "ping", json!({})).to_string()).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
    assert_eq!(server.send(Method::DELETE, &server.url, &headers, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(server.send(Method::GET, &server.url, &headers, None).await.status, StatusCode::NOT_FOUND);
    // A new initialize opens a new, different session.
    let fresh = server.open_session("2025-06-18").await;
    assert_ne!(fresh, session);
}

#[tokio::test]
async fn protocol_version_header_must_name_a_supported_session_version() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let ping = request(2, "ping", json!({})).to_string();
    for bad in ["1999-01-01", "garbage", "2026-07-28"] {
        let r = server.post(&[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", bad)], &ping).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // L-HTTP-013 rejects only invalid or unsupported versions; the session
    // keeps its negotiated one (the official suite sends 2025-03-26 here).
    for supported in ["2025-03-26", "2025-06-18", "2025-11-25"] {
        let r = server.post(&[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", supported)], &ping).await;
        assert_eq!(r.status, StatusCode::OK, "{supported}");
    }
    let list = request(3, "tools/list", json!({})).to_string();
    let r = server.post(&[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", "2025-03-26")], &list).await;
    assert_eq!(r.json()["result"]["tools"][0]["name"], "json_schema_2020_12_tool", "still served as 2025-11-25");
    let absent = server.post(&[("Mcp-Session-Id", &session)], &ping).await;
    assert_eq!(absent.status, StatusCode::OK, "absent header: the session tells the version");
}

#[tokio::test]
async fn notifications_and_responses_get_202_with_an_empty_body() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-11-25")];
    for body in [
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}),
        json!({"jsonrpc": "2.0", "id": 77, "result": {}}),
    ] {
        let r = server.post(&headers, &body.to_string()).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        assert!(r.body.is_empty());
    }
}

#[tokio::test]
async fn get_opens_an_idle_stream_that_ends_with_the_session() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-11-25")];
    let response = server.open_get(&server.url, &headers).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ct = response.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    let mut events = SseReader::new(response);
    let priming = events.next().await.expect("priming event");
    assert!(priming.id.is_some(), "2025-11-25 priming event has an id");
    assert_eq!(priming.data, "");
    assert_eq!(server.send(Method::DELETE, &server.url, &headers, None).await.status, StatusCode::OK);
    assert_eq!(events.next().await, None, "the stream ends with the session");
}

#[tokio::test]
async fn get_and_delete_without_a_session_are_405() {
    let server = HttpServer::http().await;
    assert_eq!(server.send(Method::GET, &server.url, &[], None).await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(server.send(Method::DELETE, &server.url, &[], None).await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(server.send(Method::PUT, &server.url, &[], Some("{}".into())).await.status, StatusCode::METHOD_NOT_ALLOWED);
    let elsewhere = format!("{}/other", server.base);
    assert_eq!(server.send(Method::POST, &elsewhere, &[], Some("{}".into())).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn batches_over_http_in_2025_03_26_only() {
    let server = HttpServer::http().await;
    let batch = json!([request(1, "ping", json!({})), request(2, "tools/list", json!({})), initialized()]).to_string();
    let session = server.open_session("2025-03-26").await;
    let r = server.post(&[("Mcp-Session-Id", &session)], &batch).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json().as_array().expect("array").len(), 2);
    let only_notes = server.post(&[("Mcp-Session-Id", &session)], &json!([initialized()]).to_string()).await;
    assert_eq!(only_notes.status, StatusCode::ACCEPTED);

    let later = server.open_session("2025-06-18").await;
    let r = server.post(&[("Mcp-Session-Id", &later), ("MCP-Protocol-Version", "2025-06-18")], &batch).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.json()), -32600);
    let no_session = server.post(&[], &batch).await;
    assert_eq!(no_session.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn modern_requests_are_stateless_and_issue_no_session() {
    let server = HttpServer::http().await;
    let discover = server.post_modern(&modern(1, "server/discover", json!({}))).await;
    assert_eq!(discover.status, StatusCode::OK);
    assert!(discover.header("mcp-session-id").is_none(), "HTTP-032: no session ids minted");
    let d = discover.json();
    assert_eq!(d["result"]["supportedVersions"][0], MODERN);
    assert_eq!(d["result"]["_meta"][SERVER_INFO]["name"], "mcp-reference-server");

    let call = modern(2, "tools/call", json!({"name": "echo", "arguments": {"message": "x"}}));
    let r = server.post_modern(&call).await;
    assert_eq!(r.json()["result"]["content"][0]["text"], "x");
    assert_eq!(r.json()["result"]["resultType"], "complete");

    // A stray Mcp-Session-Id is ignored, not a 404.
    let stray = server
        .post(
            &[("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/list"), ("Mcp-Session-Id", "stale")],
            &modern(3, "tools/list", json!({})).to_string(),
        )
        .await;
    assert_eq!(stray.status, StatusCode::OK);
    assert!(stray.header("mcp-session-id").is_none());
}

fn modern_headers<'a>(version: &'a str, method: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("MCP-Protocol-Version", version), ("Mcp-Method", method)]
}

async fn expect_header_mismatch(server: &HttpServer, headers: &[(&str, &str)], body: &Value, why: &str) {
    let r = server.post(headers, &body.to_string()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
    assert_eq!(error_code(&r.json()), -32020, "{why}");
    assert_eq!(r.json()["id"], body["id"], "{why}");
}

#[tokio::test]
async fn modern_header_validation() {
    let server = HttpServer::http().await;
    let list = modern(1, "tools/list", json!({}));
    expect_header_mismatch(&server, &[("Mcp-Method", "tools/list")], &list, "MCP-Protocol-Version missing").await;
    expect_header_mismatch(&server, &modern_headers("2025-11-25", "tools/list"), &list, "version differs").await;
    expect_header_mismatch(&server, &[("MCP-Protocol-Version", MODERN)], &list, "Mcp-Method missing").await;
    expect_header_mismatch(&server, &modern_headers(MODERN, "tools/call"), &list, "method differs").await;
    expect_header_mismatch(&server, &modern_headers(MODERN, "Tools/List"), &list, "values are case-sensitive").await;

    let call = modern(2, "tools/call", json!({"name": "echo", "arguments": {"message": "m"}}));
    expect_header_mismatch(&server, &modern_headers(MODERN, "tools/call"), &call, "Mcp-Name missing").await;
    let mut wrong_name = modern_headers(MODERN, "tools/call");
    wrong_name.push(("Mcp-Name", "add"));
    expect_header_mismatch(&server, &wrong_name, &call, "Mcp-Name differs").await;
    let mut bad_b64 = modern_headers(MODERN, "tools/call");
    bad_b64.push(("Mcp-Name", "=?base64?!!!?="));
    expect_header_mismatch(&server, &bad_b64, &call, "Mcp-Name bad base64").await;

    // HTTP-022: the Base64 sentinel form is decoded before comparing.
    let mut encoded = modern_headers(MODERN, "tools/call");
    encoded.push(("Mcp-Name", "=?base64?ZWNobw==?="));
    let r = server.post(&encoded, &call.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut wrong_encoded = modern_headers(MODERN, "tools/call");
    wrong_encoded.push(("Mcp-Name", "=?base64?YWRk?="));
    expect_header_mismatch(&server, &wrong_encoded, &call, "decoded Mcp-Name differs").await;
}

#[tokio::test]
async fn header_names_match_case_insensitively() {
    let server = HttpServer::http().await;
    let body = modern(1, "tools/call", json!({"name": "echo", "arguments": {"message": "case"}})).to_string();
    let host = server.base.strip_prefix("http://").unwrap();
    let raw = format!(
        "POST /mcp HTTP/1.1\r\nHost: {host}\r\nmcp-PROTOCOL-version: {MODERN}\r\nMCP-METHOD: tools/call\r\nmCp-NaMe: echo\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = raw_http(&server.base, &raw).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"text\":\"case\""), "{response}");
}

#[tokio::test]
async fn modern_errors_have_the_specified_status_codes() {
    let server = HttpServer::http().await;
    // HTTP-017 / LIFECYCLE-006.
    let unsupported = server.post_modern(&modern_at(1, "tools/list", json!({}), "1900-01-01")).await;
    assert_eq!(unsupported.status, StatusCode::BAD_REQUEST);
    let e = unsupported.json();
    assert_eq!(error_code(&e), -32022);
    assert_eq!(e["error"]["data"]["requested"], "1900-01-01");
    assert!(e["error"]["data"]["supported"].as_array().unwrap().contains(&json!(MODERN)));
    // HTTP-018.
    let unknown = server.post_modern(&modern(2, "no/such", json!({}))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&unknown.json()), -32601);
    let ping = server.post_modern(&modern(3, "ping", json!({}))).await;
    assert_eq!(ping.status, StatusCode::NOT_FOUND);
    // LIFECYCLE-007: missing required _meta fields.
    let partial = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {"_meta": {PV: MODERN}}});
    let r = server.post(&modern_headers(MODERN, "tools/list"), &partial.to_string()).await;
    assert_eq!((r.status, error_code(&r.json())), (StatusCode::BAD_REQUEST, -32602));
    let bare = request(5, "tools/list", json!({}));
    let r = server.post(&modern_headers(MODERN, "tools/list"), &bare.to_string()).await;
    assert_eq!((r.status, error_code(&r.json())), (StatusCode::BAD_REQUEST, -32602));
    // Tool-level errors stay 200.
    let unknown_tool = server.post_modern(&modern(6, "tools/call", json!({"name": "nope"}))).await;
    assert_eq!((unknown_tool.status, error_code(&unknown_tool.json())), (StatusCode::OK, -32602));
}

#[tokio::test]
async fn malformed_bodies_are_400_with_json_rpc_errors() {
    let server = HttpServer::http().await;
    let r = server.post(&[], "{not json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!((error_code(&r.json()), r.json()["id"].clone()), (-32700, Value::Null));
    let r = server.post(&[], "{\"jsonrpc\":\"2.0\",\"id\":3}").await;
    assert_eq!((r.status, error_code(&r.json())), (StatusCode::BAD_REQUEST, -32600));
    // The size cap answers from Content-Length alone, before any body is read.
    let host = server.base.strip_prefix("http://").unwrap();
    let oversized = format!(
        "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{",
        5 * 1024 * 1024
    );
    let response = raw_http(&server.base, &oversized).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    // Still serving.
    assert_eq!(server.post_modern(&modern(1, "tools/list", json!({}))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn foreign_origins_and_hosts_get_403() {
    let server = HttpServer::http().await;
    let list = modern(1, "tools/list", json!({})).to_string();
    let mut headers = modern_headers(MODERN, "tools/list");
    for good in ["http://localhost:5173", "http://127.0.0.1", "http://[::1]:8080"] {
        headers.push(("Origin", good));
        assert_eq!(server.post(&headers, &list).await.status, StatusCode::OK, "{good}");
        headers.pop();
    }
    for bad in ["http://evil.example", "null", "https://localhost.evil.example", "http://127.0.0.1.evil.example:80"] {
        headers.push(("Origin", bad));
        let r = server.post(&headers, &list).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
        assert!(r.json().get("id").is_none(), "the 403 body is an error without id");
        headers.pop();
    }
    for method in [Method::GET, Method::DELETE] {
        let r = server.send(method.clone(), &server.url, &[("Origin", "http://evil.example")], None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method}");
    }
    let port = server.base.rsplit(':').next().unwrap();
    let rebound = format!(
        "POST /mcp HTTP/1.1\r\nHost: attacker.example:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{list}",
        list.len()
    );
    assert!(raw_http(&server.base, &rebound).await.starts_with("HTTP/1.1 403"));
}

#[tokio::test]
async fn sse_responses_flag_answers_with_one_event() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--sse-responses"]).await;
    let r = server.post_modern(&modern(1, "tools/list", json!({}))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("text/event-stream"));
    assert_eq!(r.header("x-accel-buffering"), Some("no"));
    let events = parse_events(&r.body);
    assert_eq!(events.len(), 1, "{}", r.body);
    assert!(events[0].id.is_none(), "2026-07-28 has no event ids");
    let message: Value = serde_json::from_str(&events[0].data).unwrap();
    assert_eq!(message["result"]["tools"].as_array().unwrap().len(), 5, "the first page");

    // A 2025-11-25 session: priming event first, ids on every event.
    let init = server.post(&[], &initialize(1, "2025-11-25").to_string()).await;
    let events = parse_events(&init.body);
    assert_eq!(events.len(), 2, "{}", init.body);
    assert_eq!(events[0].data, "");
    assert!(events.iter().all(|e| e.id.is_some()));
    assert_ne!(events[0].id, events[1].id);
    let reply: Value = serde_json::from_str(&events[1].data).unwrap();
    assert_eq!(reply["result"]["protocolVersion"], "2025-11-25");

    // Errors that are HTTP-level stay JSON.
    let unknown = server.post_modern(&modern(2, "no/such", json!({}))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.content_type().starts_with("application/json"));
}

/// One session of [`concurrent_sessions_get_their_own_answers`]: `count`
/// requests in turn, each checked against what this session asked for.
async fn busy_session(server: &HttpServer, s: i64, count: i64) {
    let version = "2025-11-25";
    let session = server.open_session(version).await;
    for n in 1..=count {
        let message = format!("session {s} request {n}");
        let (method, params) = match n % 5 {
            0 => ("ping", json!({})),
            1 => ("tools/call", json!({"name": "echo", "arguments": {"message": message}})),
            2 => ("tools/call", json!({"name": "add", "arguments": {"a": s, "b": n}})),
            3 => ("resources/read", json!({"uri": format!("ref://items/{}", 1 + (s + n) % 120)})),
            // Answered on a live SSE stream.
            _ => ("tools/call", json!({"name": "log", "arguments": {}})),
        };
        let reply = server.post_in_session(&session, version, &request(n, method, params)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let answer = if reply.content_type().starts_with("text/event-stream") {
            let events = parse_events(&reply.body);
            serde_json::from_str(&events.last().expect("an event").data).expect("JSON")
        } else {
            reply.json()
        };
        assert_eq!(answer["id"], n, "{answer}");
        let result = &answer["result"];
        match n % 5 {
            0 => assert_eq!(result, &json!({})),
            1 => assert_eq!(result["content"][0]["text"], message),
            2 => assert_eq!(result["structuredContent"]["sum"].as_f64(), Some((s + n) as f64)),
            3 => assert_eq!(result["contents"][0]["text"], format!("Item {}", 1 + (s + n) % 120)),
            _ => assert!(result["content"][0]["text"].is_string(), "{answer}"),
        }
    }
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", version)];
    assert_eq!(server.send(Method::DELETE, &server.url, &headers, None).await.status, StatusCode::OK);
}

/// Many sessions at once over many connections: each gets its own answers
/// (`bench/http-load.sh` measures the same at scale).
#[tokio::test]
async fn concurrent_sessions_get_their_own_answers() {
    let server = HttpServer::http().await;
    let sessions = (0..20).map(|s| busy_session(&server, s, 20));
    futures_util::future::join_all(sessions).await;
}
