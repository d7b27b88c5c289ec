//! Progress, logging, cancellation, resource subscriptions, list changes
//! and `subscriptions/listen`, over every transport and in every version
//! that has them.

use std::time::Duration;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::support::conn::*;
use crate::support::*;

/// How long "nothing more arrives" is watched for.
const QUIET: Duration = Duration::from_millis(400);
const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
const SUB: &str = "io.modelcontextprotocol/subscriptionId";
const LIST_CHANGED: [&str; 3] = [
    "notifications/tools/list_changed",
    "notifications/prompts/list_changed",
    "notifications/resources/list_changed",
];

fn methods(messages: &[Value]) -> Vec<String> {
    messages.iter().filter_map(|m| m["method"].as_str().map(str::to_owned)).collect()
}

/// The notifications a call set off: those before its response, then
/// those outside any request until every one of `wanted` was seen (bounded).
async fn gather(c: &mut Conn, r: &Exchange, wanted: &[&str]) -> Vec<Value> {
    let mut all = r.before.clone();
    let deadline = Instant::now() + TIMEOUT;
    while !wanted.iter().all(|w| methods(&all).iter().any(|m| m == w)) {
        match c.next_unsolicited_until(deadline).await {
            Some(m) => all.push(m),
            None => panic!("{:?} not all seen; got {all:?}", wanted),
        }
    }
    all
}

/// The notifications a call set off, watched for [`QUIET`] after it.
async fn gather_quietly(c: &mut Conn, r: &Exchange) -> Vec<Value> {
    let mut all = r.before.clone();
    all.extend(c.unsolicited(QUIET).await);
    all
}

#[tokio::test]
async fn progress_reports_to_the_token_before_the_response() {
    for (transport, version) in everywhere() {
        let what = format!("{transport:?} {version}");
        let mut c = Conn::open(transport, version, &[]).await;
        for token in [json!("tok-1"), json!(42)] {
            let r = c
                .call("tools/call", json!({"name": "progress", "arguments": {"steps": 3, "delayMs": 5}, "_meta": {"progressToken": token}}))
                .await;
            assert_eq!(r.result()["content"][0]["text"], "Done: 3 steps.", "{what}");
            let notes = r.notes("notifications/progress");
            let values: Vec<u64> = notes.iter().map(|n| n["params"]["progress"].as_u64().unwrap()).collect();
            assert_eq!(values, [1, 2, 3], "{what}: strictly increasing, all before the response");
            for n in &notes {
                assert_eq!(n["params"]["progressToken"], token);
                assert_eq!(n["params"]["total"], 3);
                assert_eq!(n["params"].get("message").is_some(), version >= "2025-03-26", "{what}");
                assert!(n["params"].get("_meta").is_none(), "not a listen notification");
            }
            assert!(r.after.is_empty(), "{what}: nothing after the response");
        }
        let r = c.call("tools/call", json!({"name": "progress", "arguments": {"steps": 2, "delayMs": 0}})).await;
        assert!(r.notes("notifications/progress").is_empty(), "{what}: no token, no progress");
        if !(transport == Transport::Http && c.is_modern()) {
            let later = c.unsolicited(Duration::from_millis(100)).await;
            assert!(!methods(&later).iter().any(|m| m == "notifications/progress"), "{what}: {later:?}");
        }
    }
}

#[tokio::test]
async fn logging_follows_the_level() {
    let levels = |r: &Exchange| -> Vec<String> {
        r.notes("notifications/message").iter().map(|m| m["params"]["level"].as_str().unwrap().to_owned()).collect()
    };
    for (transport, version) in everywhere() {
        let what = format!("{transport:?} {version}");
        let mut c = Conn::open(transport, version, &[]).await;
        let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
        assert!(levels(&r).is_empty(), "{what}: no level, no log");
        assert!(r.result()["content"][0]["text"].as_str().unwrap().starts_with("Nothing was logged"));
        if c.is_modern() {
            let r = c.call("tools/call", json!({"name": "log", "arguments": {}, "_meta": {LOG_LEVEL: "warning"}})).await;
            assert_eq!(levels(&r), ["warning", "error", "critical", "alert", "emergency"], "{what}");
            let message = r.notes("notifications/message")[0].clone();
            assert_eq!(message["params"]["logger"], "log-tool");
            assert!(message["params"]["data"].is_string());
            let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
            assert!(levels(&r).is_empty(), "{what}: the level is per request");
            let r = c.call("tools/list", json!({"_meta": {LOG_LEVEL: "loud"}})).await;
            assert_eq!(error_code(&r.response), -32602, "UTIL-019");
        } else {
            assert_eq!(c.call("logging/setLevel", json!({"level": "warning"})).await.result(), &json!({}));
            let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
            assert_eq!(levels(&r), ["warning", "error", "critical", "alert", "emergency"], "{what}");
            c.call("logging/setLevel", json!({"level": "emergency"})).await;
            let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
            assert_eq!(levels(&r), ["emergency"], "{what}");
            let r = c.call("logging/setLevel", json!({"level": "loud"})).await;
            assert_eq!(error_code(&r.response), -32602, "{what}");
            let r = c.call("tools/call", json!({"name": "log", "arguments": {}})).await;
            assert_eq!(levels(&r), ["emergency"], "{what}: a refused level changes nothing");
            assert!(r.after.is_empty());
        }
    }
}

/// `slow {ms: 1500}` cancelled after a moment: no response, and
/// `ref://slow-calls` counts it as cancelled.
async fn cancel_one(transport: Transport, version: &'static str) {
    let what = format!("{transport:?} {version}");
    let mut c = Conn::open(transport, version, &[]).await;
    let id = c.next_id();
    let message = c.message(id, "tools/call", json!({"name": "slow", "arguments": {"ms": 1500}}));
    match transport {
        Transport::Http => {
            let response = c.post_open(&message).await;
            assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"), "{what}");
            tokio::time::sleep(Duration::from_millis(200)).await;
            if c.is_modern() {
                // Closing the stream is the cancellation (HTTP-014).
                drop(response);
            } else {
                c.notify("notifications/cancelled", json!({"requestId": id, "reason": "test"})).await;
                let mut events = SseReader::new(response);
                while let Some(event) = events.next().await {
                    assert!(!event.data.contains("Slept"), "{what}: answered after the cancellation");
                }
            }
        }
        _ => {
            c.send_only(&message).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            c.notify("notifications/cancelled", json!({"requestId": id, "reason": "test"})).await;
            let later = c.unsolicited(Duration::from_millis(1700)).await;
            assert!(later.iter().all(|m| m["id"] != id), "{what}: answered after the cancellation: {later:?}");
        }
    }
    let counts = wait_for_slow_calls(&mut c, |n| n["cancelled"] == 1).await;
    assert_eq!((counts["started"].clone(), counts["completed"].clone()), (json!(1), json!(0)), "{what}");
    let r = c.call("tools/call", json!({"name": "slow", "arguments": {"ms": 10}})).await;
    assert_eq!(r.result()["content"][0]["text"], "Slept 10 ms.", "{what}");
    // A cancellation for a finished or unknown request is ignored (UTIL-004).
    if !(transport == Transport::Http && c.is_modern()) {
        c.notify("notifications/cancelled", json!({"requestId": "nope"})).await;
    }
    let counts = wait_for_slow_calls(&mut c, |n| n["completed"] == 1).await;
    assert_eq!(counts["cancelled"], 1);
}

#[tokio::test]
async fn cancelled_slow_calls_stop_without_a_response() {
    join_all(everywhere().into_iter().map(|(t, v)| cancel_one(t, v))).await;
}

#[tokio::test]
async fn resource_subscriptions_in_the_handshake_era() {
    for (transport, version) in everywhere().into_iter().filter(|(_, v)| *v != MODERN) {
        let what = format!("{transport:?} {version}");
        let mut c = Conn::open(transport, version, &[]).await;
        assert_eq!(c.call("resources/subscribe", json!({"uri": "ref://counter"})).await.result(), &json!({}), "{what}");
        let r = c.call("tools/call", json!({"name": "touch", "arguments": {}})).await;
        assert_eq!(r.result()["content"][0]["text"], "ref://counter is now 1.", "{what}");
        let notes = gather(&mut c, &r, &["notifications/resources/updated"]).await;
        let updated: Vec<&Value> = notes.iter().filter(|m| m["method"] == "notifications/resources/updated").collect();
        assert_eq!(updated, [&json!({"jsonrpc": "2.0", "method": "notifications/resources/updated", "params": {"uri": "ref://counter"}})]);
        let read = c.call("resources/read", json!({"uri": "ref://counter"})).await;
        assert_eq!(read.result()["contents"][0]["text"], "count: 1");

        assert_eq!(c.call("resources/unsubscribe", json!({"uri": "ref://counter"})).await.result(), &json!({}));
        let r = c.call("tools/call", json!({"name": "touch", "arguments": {}})).await;
        let notes = gather_quietly(&mut c, &r).await;
        assert!(!methods(&notes).iter().any(|m| m == "notifications/resources/updated"), "{what}: {notes:?}");
        let r = c.call("resources/subscribe", json!({"uri": "ref://nothing"})).await;
        assert_eq!(error_code(&r.response), -32002, "{what}");
    }
}

#[tokio::test]
async fn list_changes_reach_the_session() {
    for (transport, version) in everywhere().into_iter().filter(|(_, v)| *v != MODERN) {
        let what = format!("{transport:?} {version}");
        let mut c = Conn::open(transport, version, &[]).await;
        let r = c.call("tools/call", json!({"name": "toggle", "arguments": {"present": true}})).await;
        assert_eq!(r.result()["content"][0]["text"], "The toggled tool, prompt and resource are present.");
        let notes = gather(&mut c, &r, &LIST_CHANGED).await;
        for m in notes.iter().filter(|m| m["method"].as_str().is_some_and(|m| m.ends_with("list_changed"))) {
            assert!(m.get("params").is_none(), "{what}: {m}");
        }
        let (tools, _) = list_all(&mut c, "tools/list", "tools").await;
        assert_eq!(tools.last().unwrap()["name"], "toggled", "{what}");
        let (prompts, _) = list_all(&mut c, "prompts/list", "prompts").await;
        assert_eq!(prompts.last().unwrap()["name"], "toggled");
        let (resources, _) = list_all(&mut c, "resources/list", "resources").await;
        assert_eq!(resources.last().unwrap()["uri"], "ref://toggled");
        let r = c.call("tools/call", json!({"name": "toggled", "arguments": {}})).await;
        assert_eq!(r.result()["content"][0]["text"], "The toggled tool is here.");

        // No change, no notification.
        let r = c.call("tools/call", json!({"name": "toggle", "arguments": {"present": true}})).await;
        assert!(r.result()["content"][0]["text"].as_str().unwrap().ends_with("(unchanged)."));
        let notes = gather_quietly(&mut c, &r).await;
        assert!(!methods(&notes).iter().any(|m| m.ends_with("list_changed")), "{what}: {notes:?}");

        let r = c.call("tools/call", json!({"name": "toggle", "arguments": {}})).await;
        gather(&mut c, &r, &LIST_CHANGED).await;
        let r = c.call("tools/call", json!({"name": "toggled", "arguments": {}})).await;
        assert_eq!(error_code(&r.response), -32602, "{what}: gone again");
        let r = c.call("resources/read", json!({"uri": "ref://toggled"})).await;
        assert_eq!(error_code(&r.response), -32002);
    }
}

#[tokio::test]
async fn changes_reach_every_session_of_the_server() {
    let server = HttpServer::http().await;
    let version = "2025-11-25";
    let a = server.open_session(version).await;
    let b = server.open_session(version).await;
    let response = server.open_get(&server.url, &[("Mcp-Session-Id", &b), ("MCP-Protocol-Version", version)]).await;
    let mut b_stream = SseReader::new(response);
    let subscribe = request(2, "resources/subscribe", json!({"uri": "ref://counter"}));
    assert_eq!(server.post_in_session(&b, version, &subscribe).await.json()["result"], json!({}));
    // Session a changes the fixtures; session b hears of it on its GET stream.
    server.post_in_session(&a, version, &request(3, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    server.post_in_session(&a, version, &request(4, "tools/call", json!({"name": "touch", "arguments": {}}))).await;
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let event = b_stream.next().await.expect("the GET stream stays open");
        assert!(event.id.is_some(), "2025-11-25 events have ids");
        if !event.data.is_empty() {
            let m: Value = serde_json::from_str(&event.data).unwrap();
            seen.push(m["method"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen[..3], LIST_CHANGED);
    assert_eq!(seen[3], "notifications/resources/updated");
    // A 2026-07-28 request changes the same world.
    let r = server.post_modern(&modern(5, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    assert_eq!(r.json()["result"]["resultType"], "complete");
    let event = b_stream.next().await.unwrap();
    assert!(event.data.contains("notifications/tools/list_changed"), "{}", event.data);
}

#[tokio::test]
async fn nothing_outside_requests_before_initialized() {
    let mut s = StdioServer::start(&[]).await;
    s.request(initialize(1, "2025-06-18")).await;
    let r = s.request(request(2, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    assert!(r["result"].is_object());
    assert!(s.silent_for(QUIET).await, "no list_changed before notifications/initialized");
    s.send(&initialized()).await;
    s.send(&request(3, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    let first = s.recv().await;
    assert_eq!(first["method"], "notifications/tools/list_changed");
    // A 2026-07-28-only stdio client gets none either.
    let mut m = StdioServer::start(&[]).await;
    let r = m.request(modern(1, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    assert_eq!(r["result"]["resultType"], "complete");
    assert!(m.silent_for(QUIET).await);
}

/// `subscriptions/listen` over a transport where everything shares one
/// channel (stdio, or the HTTP+SSE session stream).
async fn listen_on_a_shared_channel(transport: Transport) {
    let mut c = Conn::open(transport, MODERN, &[]).await;
    let one = c.message(1, "subscriptions/listen", json!({"notifications": {"toolsListChanged": true, "resourceSubscriptions": ["ref://counter"]}}));
    c.send_only(&one).await;
    let ack = c.expect_unsolicited("notifications/subscriptions/acknowledged").await;
    assert_eq!(
        ack["params"],
        json!({"_meta": {SUB: 1}, "notifications": {"toolsListChanged": true, "resourceSubscriptions": ["ref://counter"]}})
    );
    let two = json!({"jsonrpc": "2.0", "id": "two", "method": "subscriptions/listen",
        "params": {"_meta": meta(MODERN), "notifications": {"promptsListChanged": true, "toolsListChanged": false}}});
    c.send_only(&two).await;
    let ack = c.expect_unsolicited("notifications/subscriptions/acknowledged").await;
    assert_eq!(ack["params"], json!({"_meta": {SUB: "two"}, "notifications": {"promptsListChanged": true}}), "false is not honoured");

    let r = c.call("tools/call", json!({"name": "toggle", "arguments": {}})).await;
    let notes = gather_quietly(&mut c, &r).await;
    let tagged: Vec<(String, Value)> = notes.iter().map(|m| (m["method"].as_str().unwrap().to_owned(), m["params"]["_meta"][SUB].clone())).collect();
    assert_eq!(
        tagged,
        [
            ("notifications/tools/list_changed".to_owned(), json!(1)),
            ("notifications/prompts/list_changed".to_owned(), json!("two"))
        ],
        "{transport:?}: only what each stream asked for (SUBS-001)"
    );
    let r = c.call("tools/call", json!({"name": "touch", "arguments": {}})).await;
    let notes = gather_quietly(&mut c, &r).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["params"], json!({"uri": "ref://counter", "_meta": {SUB: 1}}));

    // Request-scoped notifications never reach a listen stream (SUBS-007).
    let r = c
        .call("tools/call", json!({"name": "progress", "arguments": {"steps": 2, "delayMs": 0}, "_meta": {"progressToken": "p", LOG_LEVEL: "debug"}}))
        .await;
    assert!(r.before.iter().all(|m| m["params"]["_meta"].get(SUB).is_none()));

    // The client cancels the first: nothing more for it, and no response.
    c.notify("notifications/cancelled", json!({"requestId": 1})).await;
    let r = c.call("tools/call", json!({"name": "touch", "arguments": {}})).await;
    let notes = gather_quietly(&mut c, &r).await;
    assert!(notes.is_empty(), "{transport:?}: {notes:?}");
}

#[tokio::test]
async fn listen_over_stdio_and_its_teardown() {
    listen_on_a_shared_channel(Transport::Stdio).await;
    // Server-side teardown (stdin closes): the result, then notifications/cancelled.
    let mut c = Conn::open(Transport::Stdio, MODERN, &[]).await;
    c.send_only(&c.message(7, "subscriptions/listen", json!({"notifications": {"toolsListChanged": true}}))).await;
    c.expect_unsolicited("notifications/subscriptions/acknowledged").await;
    let rest = c.close_stdio().await;
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert_eq!(rest[0]["id"], 7);
    assert_eq!(rest[0]["result"]["resultType"], "complete");
    assert_eq!(rest[0]["result"]["_meta"][SUB], 7);
    assert_eq!(rest[0]["result"]["_meta"][SERVER_INFO]["name"], "mcp-reference-server");
    assert_eq!(rest[1]["method"], "notifications/cancelled");
    assert_eq!(rest[1]["params"]["requestId"], 7);
    assert_eq!(rest[1]["params"]["_meta"][SUB], 7);
}

#[tokio::test]
async fn listen_over_http_sse() {
    listen_on_a_shared_channel(Transport::Sse).await;
}

#[tokio::test]
async fn listen_over_streamable_http() {
    let server = HttpServer::http().await;
    let listen = modern(1, "subscriptions/listen", json!({"notifications": {"resourcesListChanged": true, "resourceSubscriptions": ["ref://counter"]}}));
    let response = server.post_modern_open(&listen).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let mut events = SseReader::new(response);
    let ack: Value = serde_json::from_str(&events.next().await.unwrap().data).unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(ack["params"]["_meta"][SUB], 1);

    let toggle = server.post_modern(&modern(2, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    assert_eq!(toggle.json()["result"]["resultType"], "complete");
    let event = events.next().await.unwrap();
    assert!(event.id.is_none(), "no event ids in 2026-07-28");
    let note: Value = serde_json::from_str(&event.data).unwrap();
    assert_eq!(note, json!({"jsonrpc": "2.0", "method": "notifications/resources/list_changed", "params": {"_meta": {SUB: 1}}}));
    server.post_modern(&modern(3, "tools/call", json!({"name": "touch", "arguments": {}}))).await;
    let note: Value = serde_json::from_str(&events.next().await.unwrap().data).unwrap();
    assert_eq!(note["params"], json!({"uri": "ref://counter", "_meta": {SUB: 1}}));

    // Progress goes to its own request's stream only.
    let mut progress = modern(4, "tools/call", json!({"name": "progress", "arguments": {"steps": 2, "delayMs": 0}}));
    progress["params"]["_meta"]["progressToken"] = json!("p");
    let r = server.post_modern(&progress).await;
    assert_eq!(parse_events(&r.body).len(), 3, "two progress notifications and the response");
    let quiet = tokio::time::timeout(QUIET, events.next()).await;
    assert!(quiet.is_err(), "nothing else on the listen stream: {quiet:?}");
    drop(events);
    // The server goes on after the client closed its listen stream.
    let r = server.post_modern(&modern(5, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = server.post_modern(&modern(6, "subscriptions/listen", json!({"notifications": 3}))).await;
    let reply = &data_of(&r)[0];
    assert_eq!(error_code(reply), -32602, "a malformed filter");
}

/// The messages of a reply, JSON or SSE.
fn data_of(reply: &Reply) -> Vec<Value> {
    if reply.content_type().starts_with("text/event-stream") {
        parse_events(&reply.body).into_iter().filter(|e| !e.data.is_empty()).map(|e| serde_json::from_str(&e.data).unwrap()).collect()
    } else {
        vec![reply.json()]
    }
}
