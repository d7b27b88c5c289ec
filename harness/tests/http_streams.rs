//! Streamable HTTP response streams against the reference server: a POST's
//! event stream that carried the answer is not resumed, whatever tag the
//! caller gave the POST (the fuzzer tags POSTs with labels of its own).

mod support;

use std::time::Duration;

use mcp_conform::target::Target;
use mcp_conform::transport::{Event, Events, Kind, Limits, Outgoing, Transport};
use serde_json::{json, Value};

/// Every event up to the end of the stream tagged `tag` (or a deadline).
async fn until_stream_end(events: &mut Events, tag: &str) -> Vec<Event> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
        let ended = matches!(&event, Event::StreamEnded { origin: Some(Value::String(t)), .. } if t == tag);
        seen.push(event);
        if ended {
            return seen;
        }
    }
    panic!("the stream {tag} did not end: {seen:#?}");
}

async fn post(transport: &Transport, message: Value, tag: &str) {
    let outgoing = Outgoing { bytes: message.to_string().into_bytes(), id: Some(json!(tag)), headers: Vec::new() };
    transport.send(outgoing).await.expect("the POST is taken");
}

fn frames(events: &[Event]) -> Vec<Value> {
    let frame = |e: &Event| match e {
        Event::Frame { bytes, .. } => serde_json::from_slice(bytes).ok(),
        _ => None,
    };
    events.iter().filter_map(frame).collect()
}

fn notes(events: &[Event]) -> Vec<String> {
    let note = |e: &Event| match e {
        Event::Note { text, .. } => Some(text.clone()),
        _ => None,
    };
    events.iter().filter_map(note).collect()
}

#[tokio::test]
async fn an_answered_event_stream_is_not_resumed_whatever_the_posts_tag() {
    let server = support::HttpServer::start("--http", &[]);
    let target = Target::Url { url: server.url.clone(), kind: Kind::StreamableHttp, headers: Vec::new() };
    let (transport, mut events) = target.open(&Limits::default()).await.expect("connect");
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    post(&transport, initialize, "#1").await;
    until_stream_end(&mut events, "#1").await;
    transport.set_protocol_version(Some("2025-11-25"));
    post(&transport, json!({"jsonrpc": "2.0", "method": "notifications/initialized"}), "#2").await;
    until_stream_end(&mut events, "#2").await;

    // `slow` answers on a live event stream, with a priming event id (resumable).
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "slow", "arguments": {"ms": 5}}});
    post(&transport, call, "#3").await;
    let seen = until_stream_end(&mut events, "#3").await;
    assert!(frames(&seen).iter().any(|m| m["id"] == json!(7) && m.get("result").is_some()), "{seen:#?}");
    assert!(notes(&seen).iter().any(|n| n.contains("text/event-stream")), "the answer came as an event stream: {seen:#?}");
    assert!(!notes(&seen).iter().any(|n| n.contains("reconnecting")), "an answered stream was resumed: {seen:#?}");
    transport.close().await;
}
