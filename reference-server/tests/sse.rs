//! The 2024-11-05 HTTP+SSE transport.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

async fn open(server: &HttpServer) -> (SseReader, String) {
    let response = server.open_get(&server.url, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut events = SseReader::new(response);
    let endpoint = events.next().await.expect("endpoint event");
    assert_eq!(endpoint.event.as_deref(), Some("endpoint"));
    assert!(endpoint.data.starts_with("/messages?sessionId="), "{}", endpoint.data);
    let post_url = format!("{}{}", server.base, endpoint.data);
    (events, post_url)
}

async fn exchange(server: &HttpServer, events: &mut SseReader, post_url: &str, message: &Value) -> Value {
    let r = server.send(reqwest::Method::POST, post_url, &[], Some(message.to_string())).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let event = events.next().await.expect("a message event");
    assert_eq!(event.event.as_deref(), Some("message"));
    let reply: Value = serde_json::from_str(&event.data).expect("JSON");
    assert_eq!(reply["id"], message["id"]);
    reply
}

#[tokio::test]
async fn handshake_and_tools_over_http_sse() {
    let server = HttpServer::start(&["--sse", "127.0.0.1:0"]).await;
    assert!(server.url.ends_with("/sse"));
    let (mut events, post_url) = open(&server).await;
    let init = exchange(&server, &mut events, &post_url, &initialize(1, "2024-11-05")).await;
    assert_eq!(init["result"]["protocolVersion"], "2024-11-05");
    let note = server.send(reqwest::Method::POST, &post_url, &[], Some(initialized().to_string())).await;
    assert_eq!(note.status, StatusCode::ACCEPTED);
    let list = exchange(&server, &mut events, &post_url, &request(2, "tools/list", json!({}))).await;
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(tools.iter().all(|t| t.get("annotations").is_none()), "2024-11-05 has no annotations");
    let echo = exchange(&server, &mut events, &post_url, &request(3, "tools/call", json!({"name": "echo", "arguments": {"message": "sse"}}))).await;
    assert_eq!(echo["result"]["content"][0]["text"], "sse");
    assert_eq!(exchange(&server, &mut events, &post_url, &request(4, "ping", json!({}))).await["result"], json!({}));
    let bad = exchange(&server, &mut events, &post_url, &json!({"jsonrpc": "2.0", "id": 5, "method": 3})).await;
    assert_eq!(error_code(&bad), -32600);
}

#[tokio::test]
async fn sessions_are_separate_and_unknown_ones_404() {
    let server = HttpServer::start(&["--sse", "127.0.0.1:0"]).await;
    let (mut a, url_a) = open(&server).await;
    let (mut b, url_b) = open(&server).await;
    assert_ne!(url_a, url_b);
    exchange(&server, &mut a, &url_a, &initialize(1, "2025-03-26")).await;
    let r = exchange(&server, &mut b, &url_b, &initialize(1, "2024-11-05")).await;
    assert_eq!(r["result"]["protocolVersion"], "2024-11-05");
    let unknown = format!("{}/messages?sessionId=feedface", server.base);
    let r = server.send(reqwest::Method::POST, &unknown, &[], Some(request(1, "ping", json!({})).to_string())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let missing = format!("{}/messages", server.base);
    let r = server.send(reqwest::Method::POST, &missing, &[], Some("{}".into())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn malformed_json_is_answered_on_the_stream() {
    let server = HttpServer::start(&["--sse", "127.0.0.1:0"]).await;
    let (mut events, post_url) = open(&server).await;
    let r = server.send(reqwest::Method::POST, &post_url, &[], Some("{oops".into())).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let reply: Value = serde_json::from_str(&events.next().await.unwrap().data).unwrap();
    assert_eq!((error_code(&reply), reply["id"].clone()), (-32700, Value::Null));
}

#[tokio::test]
async fn foreign_origin_is_refused() {
    let server = HttpServer::start(&["--sse", "127.0.0.1:0"]).await;
    let r = server.send(reqwest::Method::GET, &server.url, &[("Origin", "http://evil.example")], None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn closing_the_stream_forgets_the_session() {
    let server = HttpServer::start(&["--sse", "127.0.0.1:0"]).await;
    let (events, post_url) = open(&server).await;
    drop(events);
    let ping = request(1, "ping", json!({})).to_string();
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let r = server.send(reqwest::Method::POST, &post_url, &[], Some(ping.clone())).await;
        if r.status == StatusCode::NOT_FOUND {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "session still alive after its stream closed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
