//! The session layer against the reference server, through the library API:
//! requests are independent, and a silent server costs only its deadline.

mod support;

use std::time::{Duration, Instant};

use mcp_conform::discovery::{self, Probe};
use mcp_conform::session::{Reply, RequestOptions, Session, SessionOptions};
use mcp_conform::target::Target;
use mcp_conform::transport::Limits;
use serde_json::json;

async fn open(version: &str, fault: &str, timeout: Duration) -> Session {
    let target = Target::Stdio {
        program: support::bin().into(),
        args: vec!["reference-server".into(), "--fault".into(), fault.into()],
        env: Vec::new(),
    };
    let options = SessionOptions { request_timeout: timeout, startup_timeout: Duration::from_secs(30) };
    match discovery::probe(&target, version, &Limits::default(), &options).await.expect("the server starts") {
        Probe::Supported(session) => *session,
        Probe::Unsupported { why, .. } => panic!("{version} refused: {why}"),
    }
}

/// A request the server never answers does not hold up the others in flight.
#[tokio::test]
async fn an_unanswered_request_does_not_block_the_others() {
    let session = open("2025-11-25", "ping-no-response", Duration::from_secs(3)).await;
    let defaults = RequestOptions::default();
    let started = Instant::now();
    let ping = session.request("ping", json!({}), &defaults);
    let list = async {
        let exchange = session.request("tools/list", json!({}), &defaults).await;
        (exchange, started.elapsed())
    };
    let (ping, (list, listed_after)) = tokio::join!(ping, list);
    assert!(list.result().is_some(), "{:?}", list.reply);
    assert!(listed_after < Duration::from_secs(1), "tools/list waited {listed_after:?}");
    assert!(matches!(&ping.reply, Reply::NoResponse(why) if why.contains("no response within 3s")), "{:?}", ping.reply);
    assert!(started.elapsed() < Duration::from_secs(5));
    session.close().await;
}

/// Many requests in flight at once all get their own answer.
#[tokio::test]
async fn concurrent_requests_are_matched_by_id() {
    let session = open("2026-07-28", "ping-error", Duration::from_secs(5)).await;
    let calls = (0..50).map(|n| {
        let session = &session;
        async move {
            let params = json!({ "name": "echo", "arguments": { "message": format!("m{n}") } });
            (n, session.request("tools/call", params, &RequestOptions::default()).await)
        }
    });
    for (n, exchange) in futures_util::future::join_all(calls).await {
        let text = exchange.result().and_then(|r| r.pointer("/content/0/text")).and_then(|t| t.as_str());
        assert_eq!(text, Some(format!("m{n}").as_str()), "{:?}", exchange.reply);
    }
    session.close().await;
}

/// A POST stream the server closes after its priming event (2025-11-25
/// polling: the reference server's `test_reconnection`) is resumed with GET
/// and `Last-Event-ID`, and the answer comes on the resumed stream.
#[tokio::test]
async fn a_post_stream_closed_early_is_resumed_for_its_answer() {
    let server = support::HttpServer::start("--http", &[]);
    let target = Target::Url { url: server.url.clone(), kind: mcp_conform::transport::Kind::StreamableHttp, headers: Vec::new() };
    let options = SessionOptions { request_timeout: Duration::from_secs(5), startup_timeout: Duration::from_secs(30) };
    let session = match discovery::probe(&target, "2025-11-25", &Limits::default(), &options).await.expect("the server answers") {
        Probe::Supported(session) => *session,
        Probe::Unsupported { why, .. } => panic!("2025-11-25 refused: {why}"),
    };
    let params = json!({ "name": "test_reconnection", "arguments": {} });
    let exchange = session.request("tools/call", params, &RequestOptions::default()).await;
    let text = exchange.result().and_then(|r| r.pointer("/content/0/text")).and_then(|t| t.as_str());
    assert_eq!(text, Some("Reconnection test completed."), "{:?}", exchange.reply);
    let transcript: Vec<String> = session.connection.since(0).iter().map(|e| e.entry.text.clone()).collect();
    assert!(transcript.iter().any(|t| t.contains("reconnecting with GET, Last-Event-ID")), "{transcript:#?}");
    session.close().await;
}
