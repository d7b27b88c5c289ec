//! SSE event ids and resumption over Streamable HTTP (basic/transports
//! §Resumability and Redelivery, 2025-03-26 to 2025-11-25).
//!
//! Event ids are optional (MAY): a server that puts none on its streams
//! makes both checks "not applicable". When it does, they must be unique
//! across the streams of a session (L-HTTP-007), and a GET with
//! `Last-Event-ID` may replay what followed that id on its own stream only
//! (L-HTTP-008). Both work in a session of their own, opened with raw
//! requests, so the harness's session and its GET stream stay out of it.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::http::{inconclusive, not_applicable, own_session, session_probe};
use super::probe::{Probe, ProbeRequest, ProbeResponse, SESSION_HEADER, VERSION_HEADER};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::transport::{EventStreamParser, SseEvent};

/// Largest SSE event the checks parse (probe bodies are capped well below).
const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// One SSE stream the server opened, as read back.
struct Stream {
    /// How the transcript names it (`POST ping #1`, `GET stream`).
    label: String,
    /// The request id its POST carried, if any.
    request_id: Option<Value>,
    /// The progress token its POST carried, if any.
    progress_token: Option<Value>,
    /// Its events, in order.
    events: Vec<Event>,
}

/// One event of a stream.
struct Event {
    id: Option<String>,
    data: String,
}

impl Stream {
    /// The ids it carried, in order. The SSE "last event id" carries over to
    /// events without an `id` field, so a run of equal ids counts once.
    fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.events.iter().filter_map(|e| e.id.as_deref()).collect();
        ids.dedup();
        ids
    }

    /// Does `message` belong to this stream's request: its response, or a
    /// progress notification for its token?
    fn owns(&self, message: &Value) -> bool {
        let is_response = message.get("method").is_none() && message.get("id").is_some();
        if is_response {
            return self.request_id.as_ref() == message.get("id");
        }
        let token = message.pointer("/params/progressToken");
        token.is_some() && token == self.progress_token.as_ref()
    }
}

/// The events of an event-stream answer; `None` when it is not one.
fn events_of(answer: &ProbeResponse) -> Option<Vec<Event>> {
    let is_stream = answer.header("content-type").is_some_and(|t| t.to_ascii_lowercase().starts_with("text/event-stream"));
    if answer.status != 200 || !is_stream {
        return None;
    }
    let mut parser = EventStreamParser::new(MAX_EVENT_BYTES);
    let events = parser
        .feed(answer.body.as_bytes())
        .into_iter()
        .filter_map(|item| match item {
            SseEvent::Message { data, id, .. } => Some(Event { id: id.filter(|i| !i.is_empty()), data }),
            _ => None,
        })
        .collect();
    Some(events)
}

/// The headers of a session of the checks' own, or why there is none.
async fn own_session_headers(probe: &Probe<'_>) -> Result<Vec<(String, String)>, StepOutcome> {
    let id = own_session(probe, "session for event ids").await?;
    Ok(vec![(SESSION_HEADER.into(), id), (VERSION_HEADER.into(), probe.version().into())])
}

/// POSTs `message` in the session and reads its answer as a stream (empty
/// when it was answered with JSON).
async fn post_stream(probe: &Probe<'_>, headers: &[(String, String)], label: String, message: Value) -> Result<Stream, String> {
    let request_id = message.get("id").cloned();
    let progress_token = message.pointer("/params/_meta/progressToken").cloned();
    let answer = probe.send(&label, ProbeRequest::post(message).headers(headers.to_vec())).await?;
    let events = events_of(&answer).unwrap_or_default();
    Ok(Stream { label, request_id, progress_token, events })
}

/// The streams the checks compare: two pings and, when a tool plays the
/// `progress` role, two calls of it with tokens (several events each).
async fn open_streams(context: &CaseContext<'_>, probe: &Probe<'_>, headers: &[(String, String)]) -> Result<Vec<Stream>, String> {
    let mut streams = Vec::new();
    for n in 1..=2 {
        let ping = crate::jsonrpc::request(&json!(format!("mcp-conform-event-ids-ping-{n}")), "ping", None);
        streams.push(post_stream(probe, headers, format!("POST ping #{n}"), ping).await?);
    }
    if let Some(role) = &context.options.fixtures.progress {
        for n in 1..=2 {
            let params = json!({
                "name": role.tool,
                "arguments": role.arguments,
                "_meta": { "progressToken": format!("mcp-conform-event-ids-{n}") },
            });
            let call = crate::jsonrpc::request(&json!(format!("mcp-conform-event-ids-call-{n}")), "tools/call", Some(params));
            streams.push(post_stream(probe, headers, format!("POST {} #{n}", role.tool), call).await?);
        }
    }
    Ok(streams)
}

/// Ends the checks' session (best effort: the server may not allow DELETE).
async fn close_session(probe: &Probe<'_>, headers: &[(String, String)]) {
    let _ = probe.send("clean up", ProbeRequest::delete().headers(headers.to_vec())).await;
}

const NO_IDS: &str = "the server put no event ids on its SSE streams (ids are optional: servers MAY attach them)";

/// A session of the checks' own with its streams ([`open_streams`]); the
/// session is ended again when they cannot be had.
async fn session_with_streams<'a>(context: &CaseContext<'a>) -> Result<(Probe<'a>, Vec<(String, String)>, Vec<Stream>), StepOutcome> {
    let probe = session_probe(context)?;
    let headers = own_session_headers(&probe).await?;
    match open_streams(context, &probe, &headers).await {
        Ok(streams) => Ok((probe, headers, streams)),
        Err(why) => {
            close_session(&probe, &headers).await;
            Err(inconclusive(why))
        }
    }
}

/// L-HTTP-007: SSE event ids are unique across all streams of a session:
/// two pings, (with a `progress` tool) two calls, and a GET stream.
pub async fn unique(context: &CaseContext<'_>) -> StepOutcome {
    let (probe, headers, mut streams) = match session_with_streams(context).await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    let get = probe.send("GET stream", ProbeRequest::get().headers(headers.clone())).await;
    close_session(&probe, &headers).await;
    if let Some(events) = get.ok().as_ref().and_then(events_of) {
        streams.push(Stream { label: "GET stream".into(), request_id: None, progress_token: None, events });
    }
    let with_ids: Vec<&Stream> = streams.iter().filter(|s| !s.ids().is_empty()).collect();
    match with_ids.len() {
        0 => return not_applicable(NO_IDS),
        1 => return inconclusive(format!("only one stream ({}) carried event ids: nothing to compare them with", with_ids[0].label)),
        _ => {}
    }
    StepOutcome { findings: judge_unique(&with_ids), ..StepOutcome::default() }
}

/// The findings of L-HTTP-007 among `streams`: an id seen twice.
fn judge_unique(streams: &[&Stream]) -> Vec<Draft> {
    let mut first_seen: Vec<(&str, &str)> = Vec::new();
    for stream in streams {
        for id in stream.ids() {
            if let Some((_, earlier)) = first_seen.iter().find(|(seen, _)| *seen == id) {
                let shown: Vec<String> = streams.iter().map(|s| format!("{}: {}", s.label, s.ids().join(", "))).collect();
                let where_ = if *earlier == stream.label { format!("twice on {earlier}") } else { format!("on {earlier} and on {}", stream.label) };
                return vec![Draft {
                    requirement: "L-HTTP-007".into(),
                    keyword: Some("MUST"),
                    message: format!("the SSE event id {id:?} was used {where_}, in one session"),
                    expected: "event ids unique across all streams of the session".into(),
                    actual: clip(&shown.join("; "), 600),
                    hint: None,
                }];
            }
            first_seen.push((id, &stream.label));
        }
    }
    Vec::new()
}

/// L-HTTP-008: a GET with `Last-Event-ID` (the first id of one stream)
/// brings nothing that belongs to another stream of the session: none of
/// its event ids, its response or its progress notifications. Replaying
/// nothing, or refusing the resumption, is allowed (MAY).
pub async fn same_stream(context: &CaseContext<'_>) -> StepOutcome {
    let (probe, headers, streams) = match session_with_streams(context).await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    // The first stream with ids is resumed, so that streams opened after it
    // (the likeliest to be mixed up with it) are among the others.
    let Some(resumed) = streams.iter().find(|s| !s.ids().is_empty()) else {
        close_session(&probe, &headers).await;
        return not_applicable(NO_IDS);
    };
    let others: Vec<&Stream> = streams.iter().filter(|s| s.label != resumed.label).collect();
    let last_event_id = resumed.ids()[0].to_string();
    let get = ProbeRequest::get().headers(headers.clone()).header("last-event-id", &last_event_id);
    let answer = probe.send(&format!("GET with Last-Event-ID: {last_event_id} ({})", resumed.label), get).await;
    close_session(&probe, &headers).await;
    let answer = match answer {
        Ok(a) => a,
        Err(why) => return inconclusive(why),
    };
    let Some(replayed) = events_of(&answer) else {
        // Declining to resume is allowed: the header is a MAY.
        return StepOutcome::default();
    };
    StepOutcome { findings: judge_replay(&last_event_id, resumed, &others, &replayed), ..StepOutcome::default() }
}

/// The findings of L-HTTP-008: replayed events that belong to another stream.
fn judge_replay(last_event_id: &str, resumed: &Stream, others: &[&Stream], replayed: &[Event]) -> Vec<Draft> {
    let foreign_ids: HashSet<&str> = others.iter().flat_map(|s| s.ids()).filter(|id| !resumed.ids().contains(id)).collect();
    for event in replayed {
        let message: Option<Value> = serde_json::from_str(&event.data).ok();
        let owner = others.iter().find(|s| message.as_ref().is_some_and(|m| s.owns(m)));
        let foreign_id = event.id.as_deref().filter(|id| foreign_ids.contains(id));
        let culprit = match (owner, foreign_id) {
            (Some(stream), _) => format!("a message of {}", stream.label),
            (None, Some(id)) => format!("the event id {id:?}, first sent on another stream"),
            (None, None) => continue,
        };
        return vec![Draft {
            requirement: "L-HTTP-008".into(),
            keyword: Some("MUST NOT"),
            message: format!("resuming {} with Last-Event-ID {last_event_id:?} replayed {culprit}", resumed.label),
            expected: format!("only events that followed {last_event_id:?} on {} (or none)", resumed.label),
            actual: format!("id: {}, data: {}", event.id.as_deref().unwrap_or("(none)"), clip(&event.data, 300)),
            hint: None,
        }];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(label: &str, request_id: &str, ids: &[&str]) -> Stream {
        let events = ids.iter().map(|id| Event { id: Some(id.to_string()), data: String::new() }).collect();
        Stream { label: label.into(), request_id: Some(json!(request_id)), progress_token: Some(json!(label)), events }
    }

    #[test]
    fn ids_shared_by_two_streams_fail_and_inherited_ids_do_not() {
        let (a, b) = (stream("A", "1", &["a1", "a2", "a2"]), stream("B", "2", &["b1", "b2"]));
        assert!(judge_unique(&[&a, &b]).is_empty(), "a repeated last event id is the SSE carry-over");
        let c = stream("C", "3", &["c1", "a2"]);
        let found = judge_unique(&[&a, &c]);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("on A and on C"), "{}", found[0].message);
        let twice = stream("D", "4", &["d1", "d2", "d1"]);
        assert!(judge_unique(&[&twice])[0].message.contains("twice on D"));
    }

    #[test]
    fn a_replay_of_another_streams_events_fails() {
        let (a, b) = (stream("A", "1", &["a1", "a2"]), stream("B", "2", &["b1", "b2"]));
        let own = [Event { id: Some("a2".into()), data: r#"{"jsonrpc":"2.0","id":"1","result":{}}"#.into() }];
        assert!(judge_replay("a1", &a, &[&b], &own).is_empty());
        let by_id = [Event { id: Some("b2".into()), data: String::new() }];
        assert!(judge_replay("a1", &a, &[&b], &by_id)[0].message.contains("event id \"b2\""));
        let by_message = [Event { id: Some("x9".into()), data: r#"{"jsonrpc":"2.0","id":"2","result":{}}"#.into() }];
        assert!(judge_replay("a1", &a, &[&b], &by_message)[0].message.contains("a message of B"));
        let progress = [Event { id: None, data: r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"B","progress":1}}"#.into() }];
        assert!(!judge_replay("a1", &a, &[&b], &progress).is_empty());
    }
}
