//! SSE event ids and resumption over Streamable HTTP (L-HTTP-007,
//! L-HTTP-008, 2025-11-25 polling): ids unique across a session's streams
//! and naming their stream, the `retry` field, replay after `Last-Event-ID`
//! of that stream only, the early close of `test_reconnection`, and what
//! becomes of ids the server cannot resume from.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

fn in_session<'a>(session: &'a str, version: &'a str) -> [(&'a str, &'a str); 2] {
    [("Mcp-Session-Id", session), ("MCP-Protocol-Version", version)]
}

/// The stream an id names: what comes before the last `-`.
fn stream_of(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(stream, _)| stream)
}

/// Every event of a live POST answer, read to its end.
async fn post_events(server: &HttpServer, session: &str, version: &str, message: &Value) -> Vec<SseEvent> {
    let response = server.post_open(&server.url, &in_session(session, version), &message.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut reader = SseReader::new(response);
    let mut events = Vec::new();
    while let Some(event) = reader.next().await {
        events.push(event);
    }
    events
}

/// A `progress` call of three quick steps, with a progress token.
fn progress_call(id: i64, token: &str) -> Value {
    request(id, "tools/call", json!({"name": "progress", "arguments": {"steps": 3, "delayMs": 5}, "_meta": {"progressToken": token}}))
}

/// Everything a GET with `Last-Event-ID: from` brings, to the stream's end.
async fn resume(server: &HttpServer, session: &str, from: &str) -> Vec<SseEvent> {
    let headers = [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25"), ("Last-Event-ID", from)];
    let mut resumed = SseReader::new(server.open_get(&server.url, &headers).await);
    let mut events = Vec::new();
    while let Some(event) = resumed.next().await {
        events.push(event);
    }
    events
}

fn messages(events: &[SseEvent]) -> Vec<Value> {
    events.iter().filter(|e| !e.data.is_empty()).map(|e| serde_json::from_str(&e.data).expect("JSON data")).collect()
}

#[tokio::test]
async fn event_ids_are_unique_across_a_sessions_streams_and_name_their_stream() {
    for version in ["2025-03-26", "2025-06-18", "2025-11-25"] {
        let server = HttpServer::start(&["--http", "127.0.0.1:0", "--sse-responses"]).await;
        let session = server.open_session(version).await;
        let mut streams: Vec<Vec<SseEvent>> = Vec::new();
        for id in 1..=2 {
            let ping = server.post_in_session(&session, version, &request(id, "ping", json!({}))).await;
            streams.push(parse_events(&ping.body));
        }
        streams.push(post_events(&server, &session, version, &progress_call(3, "t")).await);
        let mut seen = HashSet::new();
        let mut prefixes = HashSet::new();
        for events in &streams {
            assert!(!events.is_empty());
            let ids: Vec<&str> = events.iter().map(|e| e.id.as_deref().expect("every event has an id")).collect();
            let prefix = stream_of(ids[0]);
            assert!(ids.iter().all(|id| stream_of(id) == prefix), "{version}: one stream, one prefix: {ids:?}");
            assert!(prefixes.insert(prefix.to_owned()), "{version}: each stream its own prefix");
            for id in ids {
                assert!(seen.insert(id.to_owned()), "{version}: id {id} reused");
            }
        }
        let primed = streams[0][0].data.is_empty();
        assert_eq!(primed, version == "2025-11-25", "{version}: priming events only in 2025-11-25");
    }
}

#[tokio::test]
async fn priming_events_carry_a_retry_field() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--sse-responses"]).await;
    let session = server.open_session("2025-11-25").await;
    let ping = server.post_in_session(&session, "2025-11-25", &request(1, "ping", json!({}))).await;
    let first_event = ping.body.split("\n\n").next().unwrap_or_default();
    assert!(first_event.starts_with("id: "), "{}", ping.body);
    assert!(first_event.contains("\nretry: 200\n"), "{}", ping.body);
    assert!(first_event.ends_with("data: "), "{}", ping.body);
}

#[tokio::test]
async fn test_reconnection_closes_early_and_answers_on_the_resumed_stream() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let call = request(7, "tools/call", json!({"name": "test_reconnection", "arguments": {}}));
    let early = post_events(&server, &session, "2025-11-25", &call).await;
    assert_eq!(early.len(), 1, "only the priming event before the close: {early:?}");
    assert_eq!(early[0].data, "");
    let last = early[0].id.clone().expect("an id to resume from");
    let resumed = resume(&server, &session, &last).await;
    assert_eq!(resumed.len(), 1, "the answer, then the stream ends: {resumed:?}");
    assert_eq!(stream_of(resumed[0].id.as_deref().unwrap()), stream_of(&last), "the same stream continues");
    let answer: Value = serde_json::from_str(&resumed[0].data).unwrap();
    assert_eq!(answer["id"], 7);
    assert_eq!(answer["result"]["content"][0]["text"], "Reconnection test completed.");
}

#[tokio::test]
async fn the_early_close_is_2025_11_25_only() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-06-18").await;
    let call = request(1, "tools/call", json!({"name": "test_reconnection", "arguments": {}}));
    let reply = server.post_in_session(&session, "2025-06-18", &call).await;
    let answer = messages(&parse_events(&reply.body)).pop().expect("an answer on the POST stream");
    assert_eq!(answer["error"]["code"], -32602, "not offered before 2025-11-25: {}", reply.body);
}

#[tokio::test]
async fn replay_after_an_id_covers_only_that_stream() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let a = post_events(&server, &session, "2025-11-25", &progress_call(1, "a")).await;
    let b = post_events(&server, &session, "2025-11-25", &progress_call(2, "b")).await;
    assert_eq!(messages(&a).len(), 4, "three progress notifications and the response");
    let replayed = resume(&server, &session, a[1].id.as_deref().unwrap()).await;
    assert_eq!(replayed, a[2..].to_vec(), "what followed the id on stream A, with its ids, then the end");
    let b_ids: HashSet<_> = b.iter().filter_map(|e| e.id.clone()).collect();
    assert!(replayed.iter().all(|e| !b_ids.contains(e.id.as_ref().unwrap())));
}

#[tokio::test]
async fn ids_that_cannot_be_resumed_open_a_new_stream() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let other = server.open_session("2025-11-25").await;
    let foreign = post_events(&server, &other, "2025-11-25", &progress_call(1, "x")).await;
    // Ids are unique within a session (L-HTTP-007): the other session's last
    // id names an event this session's stream of that number never had.
    let foreign_id = foreign.last().and_then(|e| e.id.clone()).unwrap();
    for last in ["garbage", "99-0", "1-999", foreign_id.as_str()] {
        let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-11-25"), ("Last-Event-ID", last)];
        let response = server.open_get(&server.url, &headers).await;
        assert_eq!(response.status(), StatusCode::OK, "{last}");
        let mut events = SseReader::new(response);
        let priming = events.next().await.expect("a new stream's priming event");
        assert_eq!(priming.data, "", "{last}: nothing replayed");
        let id = priming.id.unwrap();
        assert!(id.ends_with("-0"), "{last}: a stream of its own, from its start: {id}");
    }
}

#[tokio::test]
async fn a_get_stream_resumes_and_keeps_carrying_notifications() {
    let server = HttpServer::http().await;
    let session = server.open_session("2025-11-25").await;
    let headers = in_session(&session, "2025-11-25");
    let mut first = SseReader::new(server.open_get(&server.url, &headers).await);
    let priming = first.next().await.expect("priming").id.unwrap();
    drop(first);
    // Let the server notice the closed connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let resume = [headers[0], headers[1], ("Last-Event-ID", priming.as_str())];
    let mut resumed = SseReader::new(server.open_get(&server.url, &resume).await);
    let toggle = server.post_in_session(&session, "2025-11-25", &request(1, "tools/call", json!({"name": "toggle", "arguments": {}}))).await;
    assert_eq!(toggle.status, StatusCode::OK);
    let note = resumed.next().await.expect("a list change on the resumed stream");
    assert_eq!(stream_of(note.id.as_deref().unwrap()), stream_of(&priming));
    let note: Value = serde_json::from_str(&note.data).unwrap();
    assert!(note["method"].as_str().unwrap().ends_with("/list_changed"), "{note}");
}

#[tokio::test]
async fn stateless_requests_ignore_last_event_id() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--sse-responses"]).await;
    let message = modern(1, "tools/list", json!({}));
    let headers = [("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/list"), ("Last-Event-ID", "1-0")];
    let reply = server.post(&headers, &message.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let events = parse_events(&reply.body);
    assert_eq!(events.len(), 1);
    assert!(events[0].id.is_none(), "no event ids in 2026-07-28");
    let get = server.send(reqwest::Method::GET, &server.url, &[("Last-Event-ID", "1-0")], None).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn fault_event_ids_per_stream_reuses_ids_across_streams() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--sse-responses", "--fault", "event-ids-per-stream"]).await;
    let session = server.open_session("2025-11-25").await;
    let mut ids = Vec::new();
    for id in 1..=2 {
        let ping = server.post_in_session(&session, "2025-11-25", &request(id, "ping", json!({}))).await;
        ids.push(parse_events(&ping.body).into_iter().filter_map(|e| e.id).collect::<Vec<_>>());
    }
    assert_eq!(ids[0], ids[1], "two streams, the same ids");
}

#[tokio::test]
async fn fault_replay_foreign_stream_replays_the_next_stream() {
    let server = HttpServer::start(&["--http", "127.0.0.1:0", "--fault", "replay-foreign-stream"]).await;
    let session = server.open_session("2025-11-25").await;
    let a = post_events(&server, &session, "2025-11-25", &progress_call(1, "a")).await;
    let b = post_events(&server, &session, "2025-11-25", &progress_call(2, "b")).await;
    let replayed = resume(&server, &session, a[0].id.as_deref().unwrap()).await;
    assert_eq!(replayed, b[1..].to_vec(), "stream B's messages after resuming stream A");
}
