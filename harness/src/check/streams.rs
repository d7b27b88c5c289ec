//! Which stream each message travels on, over 2026-07-28 Streamable HTTP
//! (`transports/streamable-http` §Receiving Messages, `patterns/progress`,
//! `logging` §Per-request log level, `patterns/subscriptions`).
//!
//! A request answered with an SSE stream may carry, before its response,
//! only notifications about that request (HTTP-009): its own progress
//! (UTIL-011) and log messages (UTIL-018), never another request's; a
//! listen stream never carries either (SUBS-007), and each of its
//! notifications names the subscription (SUBS-004); two subscriptions at
//! once are kept apart by their ids (SUBS-009). After the response the
//! stream should end (HTTP-011).
//!
//! In the handshake era (2025-03-26 to 2025-11-25) the GET stream carries
//! no responses (L-HTTP-005) and no message goes on two streams
//! (L-HTTP-006); a POSTed request's stream ends after its response there
//! too (HTTP-011).
//!
//! The checks open the streams themselves with raw requests, so that every
//! message is read on the connection it came on.

use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::time::Instant;

use super::http::{inconclusive, not_applicable, own_session, session_probe};
use super::observe;
use super::probe::{LiveStream, Probe, ProbeRequest, ProbeResponse, StreamItem, SESSION_HEADER, VERSION_HEADER};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};
use crate::session::stateless;
use crate::transport::{EventStreamParser, Kind, SseEvent};
use crate::version::{era, Era};

/// How long a listen stream may take to be acknowledged.
const ACK_WAIT: Duration = Duration::from_secs(3);
/// How long after its response a request's stream may take to end.
const END_WAIT: Duration = Duration::from_secs(1);
/// The longest a request stream is read.
const RUN_WAIT: Duration = Duration::from_secs(10);
/// How long a change takes to reach a listen stream.
const CHANGE_WAIT: Duration = Duration::from_secs(1);

const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";
const PROGRESS: &str = "notifications/progress";
const LOG: &str = "notifications/message";
const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";

/// A message read on one of the check's streams.
struct Read {
    message: Value,
    /// The stream's transcript channel, for findings.
    channel: String,
}

impl Read {
    fn method(&self) -> Option<&str> {
        self.message.get("method").and_then(Value::as_str)
    }

    fn is_notification(&self) -> bool {
        self.method().is_some() && self.message.get("id").is_none()
    }

    fn shown(&self) -> String {
        format!("on {}: {}", self.channel, observe::clip_message(&self.message))
    }
}

/// One tool call on a stream of its own, as read.
struct Call {
    tool: String,
    /// Its stream's transcript channel.
    channel: String,
    /// The progress token it carried, if any.
    token: Option<Value>,
    /// Whether it asked for log messages.
    logs: bool,
    /// What came before its response.
    before: Vec<Read>,
    /// Whether the response came.
    answered: bool,
    /// Whether the stream ended within [`END_WAIT`] of the response.
    ended_after: bool,
}

/// Findings, at most one per requirement.
#[derive(Default)]
struct Findings(Vec<Draft>);

impl Findings {
    fn add(&mut self, requirement: &str, keyword: &'static str, message: String, expected: &str, actual: String) {
        if !self.0.iter().any(|d| d.requirement == requirement) {
            self.0.push(observe::draft(requirement, keyword, message, expected, actual));
        }
    }
}

/// The messages among `items`, recorded with `channel`.
fn messages(items: &[StreamItem], channel: &str) -> Vec<Read> {
    items
        .iter()
        .filter_map(|item| match item {
            StreamItem::Event { data, .. } => serde_json::from_str::<Value>(data).ok().filter(Value::is_object),
            _ => None,
        })
        .map(|message| Read { message, channel: channel.to_string() })
        .collect()
}

/// A 2026-07-28 request `method` with its `_meta` and mirrored headers.
fn modern_request(version: &str, id: &Value, method: &str, params: Value) -> ProbeRequest {
    let message = crate::jsonrpc::request(id, method, Some(stateless::with_meta(params, version)));
    let headers = stateless::mirrored_headers(&message);
    ProbeRequest::post(message).headers(headers)
}

/// A call of the tool playing `role`, with extra `_meta` keys.
fn call_request(version: &str, id: &Value, role: &ToolRole, meta: Map<String, Value>) -> ProbeRequest {
    let params = json!({ "name": role.tool, "arguments": role.arguments, "_meta": meta });
    modern_request(version, id, "tools/call", params)
}

/// Reads a call's stream until it ends, or [`END_WAIT`] after its response.
async fn read_call(mut stream: LiveStream<'_>, id: &Value, mut call: Call, first: Vec<StreamItem>) -> Call {
    let channel = stream.channel().to_string();
    call.channel = channel.clone();
    let deadline = Instant::now() + RUN_WAIT;
    let mut items = first;
    loop {
        let answered_now = messages(&items, &channel).iter().any(|r| !r.is_notification() && r.message.get("id") == Some(id));
        if answered_now || items.contains(&StreamItem::Ended) {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match stream.next_within(left).await {
            StreamItem::Quiet => break,
            item => items.push(item),
        }
    }
    for read in messages(&items, &channel) {
        if !read.is_notification() && read.message.get("id") == Some(id) {
            call.answered = true;
            break;
        }
        call.before.push(read);
    }
    if call.answered {
        let rest = stream.read_for(END_WAIT).await;
        call.ended_after = items.contains(&StreamItem::Ended) || rest.contains(&StreamItem::Ended);
    }
    stream.close();
    call
}

/// Opens a listen stream and waits for its acknowledgement.
async fn open_listen<'a>(probe: &Probe<'a>, n: usize, id: &Value, filter: &Map<String, Value>) -> Result<LiveStream<'a>, String> {
    let request = modern_request(probe.version(), id, "subscriptions/listen", json!({ "notifications": filter }));
    let mut stream = probe.open_stream(&format!("subscriptions/listen #{n}"), request).await?;
    let deadline = Instant::now() + ACK_WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match stream.next_within(left).await {
            StreamItem::Event { data, .. } if data.contains(ACKNOWLEDGED) => return Ok(stream),
            StreamItem::Quiet | StreamItem::Ended => {
                stream.close();
                return Err(format!("subscription {id} was not acknowledged within {ACK_WAIT:?} (SUBS-002 has its own case)"));
            }
            _ => {}
        }
    }
}

/// HTTP-009, UTIL-011, UTIL-018, SUBS-007, SUBS-004, SUBS-009, HTTP-011:
/// with a listen stream open, calls the `progress` tool (with a token) and
/// the `logging` tool (asking for every level) on streams of their own,
/// the `slow` tool as a bystander; then, with the `list-changed` tool, a
/// change every open subscription hears.
pub async fn routing(context: &CaseContext<'_>) -> StepOutcome {
    let session = context.session;
    if context.transport != Kind::StreamableHttp || era(&session.version) != Era::Stateless {
        return not_applicable("request and listen streams are those of 2026-07-28 Streamable HTTP");
    }
    let Some(probe) = Probe::new(context) else {
        return not_applicable("this check needs an HTTP transport");
    };
    let fixtures = &context.options.fixtures;
    let Some(progress) = fixtures.progress.clone() else {
        return inconclusive(unmapped("progress"));
    };
    let version = probe.version().to_string();
    let mut filter = Map::new();
    let announces = context.server.declares("tools.listChanged") && fixtures.list_changed.is_some();
    if announces {
        filter.insert("toolsListChanged".into(), json!(true));
    }
    let listen_ids = [json!("mcp-conform-routing-listen-1"), json!("mcp-conform-routing-listen-2")];
    let mut listen = match open_listen(&probe, 1, &listen_ids[0], &filter).await {
        Ok(stream) => stream,
        Err(why) => return inconclusive(why),
    };
    // A second subscription is a MAY: one refused leaves the first alone.
    let second = open_listen(&probe, 2, &listen_ids[1], &filter).await.ok();

    // The bystander, opened first, stays open while the others run.
    let bystander_id = json!("mcp-conform-routing-slow");
    let bystander = match &fixtures.slow {
        Some(role) => probe.open_stream(&format!("{} (bystander)", role.tool), call_request(&version, &bystander_id, role, Map::new())).await.ok(),
        None => None,
    };
    let progress_id = json!("mcp-conform-routing-progress");
    let token = json!("mcp-conform-routing-token");
    let mut meta = Map::new();
    meta.insert("progressToken".into(), token.clone());
    let mut progress_stream = match probe.open_stream(&progress.tool, call_request(&version, &progress_id, &progress, meta)).await {
        Ok(stream) => stream,
        Err(why) => return inconclusive(why),
    };
    // The logging call starts once the progress call is under way, so both run at once.
    let first = progress_stream.next_within(RUN_WAIT).await;
    let progress_call = Call { tool: progress.tool.clone(), channel: String::new(), token: Some(token), logs: false, before: Vec::new(), answered: false, ended_after: false };
    let log_id = json!("mcp-conform-routing-log");
    let log_stream = match &fixtures.logging {
        Some(role) => {
            let mut meta = Map::new();
            meta.insert(LOG_LEVEL_KEY.into(), json!("debug"));
            probe.open_stream(&role.tool, call_request(&version, &log_id, role, meta)).await.ok().map(|s| (s, role.tool.clone()))
        }
        None => None,
    };
    let reading_log = async {
        match log_stream {
            Some((stream, tool)) => {
                let call = Call { tool, channel: String::new(), token: None, logs: true, before: Vec::new(), answered: false, ended_after: false };
                Some(read_call(stream, &log_id, call, Vec::new()).await)
            }
            None => None,
        }
    };
    let (progress_call, log_call) = tokio::join!(read_call(progress_stream, &progress_id, progress_call, vec![first]), reading_log);
    let bystander = match bystander {
        Some(mut stream) => {
            let items = stream.read_for(observe::LATE_WINDOW).await;
            let channel = stream.channel().to_string();
            stream.close();
            let tool = fixtures.slow.as_ref().map(|r| r.tool.clone()).unwrap_or_default();
            let before = messages(&items, &channel).into_iter().take_while(|r| r.is_notification() || r.message.get("id") != Some(&bystander_id)).collect();
            Some(Call { tool, channel, token: None, logs: false, before, answered: false, ended_after: false })
        }
        None => None,
    };

    let mut findings = Findings::default();
    let calls: Vec<&Call> = [Some(&progress_call), log_call.as_ref(), bystander.as_ref()].into_iter().flatten().collect();
    for call in &calls {
        judge_call(call, &calls, &mut findings);
    }
    let mut listens = vec![(listen_ids[0].clone(), listen.channel().to_string(), listen.read_for(observe::LATE_WINDOW).await)];
    let mut second = second;
    if let Some(stream) = second.as_mut() {
        listens.push((listen_ids[1].clone(), stream.channel().to_string(), stream.read_for(observe::LATE_WINDOW).await));
    }
    if let (true, Some(role)) = (announces, &fixtures.list_changed) {
        // Twice, so that the lists end as they began.
        for _ in 0..2 {
            let exchange = observe::call(context, role, Map::new()).await;
            if let Some(why) = observe::unusable(&format!("the tool `{}`", role.tool), &exchange) {
                return inconclusive(why);
            }
            listens[0].2.extend(read_change(&mut listen).await);
            if let (Some(stream), Some(entry)) = (second.as_mut(), listens.get_mut(1)) {
                entry.2.extend(read_change(stream).await);
            }
        }
    }
    listen.close();
    if let Some(stream) = second {
        stream.close();
    }
    for (id, channel, items) in &listens {
        judge_listen(id, &messages(items, channel), listens.len() > 1, &mut findings);
    }
    if announces && listens.iter().any(|(_, channel, items)| !messages(items, channel).iter().any(|r| r.method().is_some_and(|m| m.ends_with("/list_changed")))) {
        findings.add(
            "SUBS-009",
            "MAY",
            "an open subscription heard nothing of a tool list change".into(),
            "each subscription asking for tool list changes gets them",
            format!("{} subscription(s) open", listens.len()),
        );
    }
    StepOutcome { findings: findings.0, ..StepOutcome::default() }
}

/// Reads a listen stream until a change notification arrives.
async fn read_change(stream: &mut LiveStream<'_>) -> Vec<StreamItem> {
    let deadline = Instant::now() + CHANGE_WAIT;
    let mut items = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match stream.next_within(left).await {
            StreamItem::Quiet | StreamItem::Ended => return items,
            item @ StreamItem::Event { .. } => {
                let changed = matches!(&item, StreamItem::Event { data, .. } if data.contains("list_changed"));
                items.push(item);
                if changed {
                    return items;
                }
            }
            item => items.push(item),
        }
    }
}

/// The findings of one call's stream: what came before its response, and
/// whether the stream ended after it.
fn judge_call(call: &Call, all: &[&Call], findings: &mut Findings) {
    let someone_logs = all.iter().any(|c| c.logs);
    for read in call.before.iter().filter(|r| r.is_notification()) {
        let method = read.method().unwrap_or_default();
        let token = read.message.pointer("/params/progressToken");
        let own = match method {
            PROGRESS => token.is_some() && token == call.token.as_ref(),
            LOG => call.logs,
            _ => false,
        };
        if own {
            continue;
        }
        let expected = format!("before its response, only notifications about the `{}` call itself", call.tool);
        findings.add("HTTP-009", "MUST", format!("the `{}` call's stream carried a notification about something else", call.tool), &expected, read.shown());
        if method == PROGRESS && all.iter().any(|c| c.token.is_some() && c.token.as_ref() == token) {
            findings.add(
                "UTIL-011",
                "(prose)",
                format!("a progress notification of another request came on the `{}` call's stream", call.tool),
                "progress notifications only on the stream of the request that carried the token",
                read.shown(),
            );
        }
        if method == LOG && someone_logs {
            findings.add(
                "UTIL-018",
                "MUST NOT",
                format!("a log message came on the `{}` call's stream, which asked for none, while another request asked for them", call.tool),
                "log messages only on the stream of the request that asked for a log level",
                read.shown(),
            );
        }
    }
    judge_end(call, findings);
}

/// HTTP-011: a call's stream should end once its response is sent.
fn judge_end(call: &Call, findings: &mut Findings) {
    if call.answered && !call.ended_after {
        findings.add(
            "HTTP-011",
            "SHOULD",
            format!("the `{}` call's stream stayed open more than {END_WAIT:?} after its response", call.tool),
            "the SSE stream closed once the response is sent",
            format!("{} was still open {END_WAIT:?} after the response", call.channel),
        );
    }
}

/// The findings of one listen stream: no progress or log messages, every
/// notification tagged with its subscription's own id.
fn judge_listen(id: &Value, reads: &[Read], several: bool, findings: &mut Findings) {
    for read in reads.iter().filter(|r| r.is_notification()) {
        let method = read.method().unwrap_or_default();
        if method == PROGRESS || method == LOG {
            let expected = "only the acknowledgement and the change notifications asked for";
            let message = format!("subscription {id}'s listen stream carried a request's {method}");
            findings.add("SUBS-007", "MUST NOT", message.clone(), expected, read.shown());
            let (requirement, keyword) = if method == PROGRESS { ("UTIL-011", "(prose)") } else { ("UTIL-018", "MUST NOT") };
            findings.add(requirement, keyword, message, expected, read.shown());
            continue;
        }
        let tag = read.message.pointer("/params/_meta/io.modelcontextprotocol~1subscriptionId");
        if tag == Some(id) {
            continue;
        }
        let shown = format!("subscriptionId {}; {}", tag.map_or("absent".into(), |t| clip(&t.to_string(), 80)), read.shown());
        let expected = format!("_meta[\"io.modelcontextprotocol/subscriptionId\"] = {id} on every notification of the subscription");
        if several && tag.is_some() {
            findings.add("SUBS-009", "MUST", format!("with two subscriptions open, {id}'s stream carried a notification tagged for another"), &expected, shown.clone());
        }
        findings.add("SUBS-004", "MUST", format!("a notification on subscription {id}'s stream does not name it"), &expected, shown);
    }
}

/// The JSON-RPC messages of a probe's answer: a JSON body (one message or
/// a batch) or the events of an event stream.
fn answer_messages(answer: &ProbeResponse) -> Vec<Value> {
    let content_type = answer.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let bodies: Vec<String> = if content_type.starts_with("text/event-stream") {
        EventStreamParser::new(answer.body.len() + 1)
            .feed(answer.body.as_bytes())
            .into_iter()
            .filter_map(|event| match event {
                SseEvent::Message { data, .. } => Some(data),
                _ => None,
            })
            .collect()
    } else {
        vec![answer.body.clone()]
    };
    bodies
        .iter()
        .filter_map(|body| serde_json::from_str::<Value>(body).ok())
        .flat_map(|value| match value {
            Value::Array(items) => items,
            single => vec![single],
        })
        .filter(Value::is_object)
        .collect()
}

/// A session of a check's own (handshake era, Streamable HTTP): a probe and
/// the headers its requests carry.
pub(super) async fn session_of_its_own<'a>(context: &CaseContext<'a>, label: &str) -> Result<(Probe<'a>, Vec<(String, String)>), StepOutcome> {
    let probe = session_probe(context)?;
    let session_id = own_session(&probe, label).await?;
    let headers = vec![(SESSION_HEADER.to_string(), session_id), (VERSION_HEADER.to_string(), probe.version().to_string())];
    Ok((probe, headers))
}

/// L-HTTP-005, L-HTTP-006 (2025-03-26 to 2025-11-25): in a session of its
/// own with its GET stream open, two pings and (with the `progress` role)
/// a call of the progress tool: the GET stream carries no response, and no
/// message comes on both the GET stream and a POST's answer.
pub async fn get_stream_routing(context: &CaseContext<'_>) -> StepOutcome {
    let (probe, headers) = match session_of_its_own(context, "session for stream routing").await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    let delete = || probe.send("clean up", ProbeRequest::delete().headers(headers.clone()));
    let mut get = match probe.open_stream("GET stream", ProbeRequest::get().headers(headers.clone())).await {
        Ok(stream) => stream,
        Err(why) => {
            let _ = delete().await;
            return not_applicable(&format!("no GET stream to judge: {why}"));
        }
    };
    let mut requests = vec![
        ("ping #1".to_string(), crate::jsonrpc::request(&json!("mcp-conform-routing-ping-1"), "ping", None)),
        ("ping #2".to_string(), crate::jsonrpc::request(&json!("mcp-conform-routing-ping-2"), "ping", None)),
    ];
    if let Some(role) = &context.options.fixtures.progress {
        let params = json!({ "name": role.tool, "arguments": role.arguments, "_meta": { "progressToken": "mcp-conform-routing-token" } });
        requests.push((role.tool.clone(), crate::jsonrpc::request(&json!("mcp-conform-routing-call"), "tools/call", Some(params))));
    }
    let mut posted: Vec<Read> = Vec::new();
    for (label, message) in requests {
        match probe.send(&format!("POST {label}"), ProbeRequest::post(message).headers(headers.clone())).await {
            Ok(answer) => {
                let channel = format!("probe: POST {label}");
                posted.extend(answer_messages(&answer).into_iter().map(|message| Read { message, channel: channel.clone() }));
            }
            Err(why) => {
                get.close();
                let _ = delete().await;
                return inconclusive(why);
            }
        }
    }
    let items = get.read_for(observe::LATE_WINDOW).await;
    let channel = get.channel().to_string();
    get.close();
    let _ = delete().await;
    let mut findings = Findings::default();
    for read in messages(&items, &channel) {
        let is_response = read.method().is_none() && read.message.get("id").is_some();
        if is_response {
            findings.add(
                "L-HTTP-005",
                "MUST NOT",
                "a JSON-RPC response came on the GET stream, which was not resuming anything".into(),
                "requests and notifications only on the GET stream (responses only when resuming a request's stream)",
                read.shown(),
            );
        }
        if let Some(twin) = posted.iter().find(|p| p.message == read.message) {
            findings.add(
                "L-HTTP-006",
                "MUST NOT",
                "a message was sent on two streams: the GET stream and a POST's answer".into(),
                "each message on exactly one stream",
                format!("{}; and {}", read.shown(), twin.shown()),
            );
        }
    }
    StepOutcome { findings: findings.0, ..StepOutcome::default() }
}

/// L-HTTP-002 (2025-11-25): in a session of its own, an SSE stream the
/// server opens for a POSTed request (a call of the `progress` tool) begins
/// with a priming event (an id and empty data); one the server closes
/// before the response sent `retry` first. (The rule is about the streams
/// of POSTed requests, not the GET stream.)
pub async fn priming(context: &CaseContext<'_>) -> StepOutcome {
    let (probe, headers) = match session_of_its_own(context, "session for priming events").await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    let mut read: Vec<(String, Option<Value>, Vec<StreamItem>)> = Vec::new();
    if let Some(role) = &context.options.fixtures.progress {
        let id = json!("mcp-conform-priming-call");
        let params = json!({ "name": role.tool, "arguments": role.arguments, "_meta": { "progressToken": "mcp-conform-priming" } });
        let call = crate::jsonrpc::request(&id, "tools/call", Some(params));
        if let Ok(mut stream) = probe.open_stream(&role.tool, ProbeRequest::post(call).headers(headers.clone())).await {
            read.push((stream.channel().to_string(), Some(id), stream.read_for(RUN_WAIT).await));
            stream.close();
        }
    }
    let _ = probe.send("clean up", ProbeRequest::delete().headers(headers)).await;
    if read.is_empty() {
        return inconclusive("no tool call was answered with an SSE stream (a `progress` role is needed): no stream to judge".into());
    }
    let mut findings = Findings::default();
    for (channel, id, items) in &read {
        findings.0.extend(judge_priming(channel, id.as_ref(), items));
    }
    StepOutcome { findings: findings.0, ..StepOutcome::default() }
}

/// The findings of L-HTTP-002 on one stream's items.
fn judge_priming(channel: &str, id: Option<&Value>, items: &[StreamItem]) -> Option<Draft> {
    let first = items.iter().find(|item| matches!(item, StreamItem::Event { .. }));
    let primed = matches!(first, Some(StreamItem::Event { id: Some(event_id), data }) if !event_id.is_empty() && data.is_empty());
    if !primed {
        let shown = match first {
            Some(StreamItem::Event { id, data }) => format!("id: {}, data: {}", id.as_deref().unwrap_or("(none)"), clip(data, 200)),
            _ => "no event while the stream was read".into(),
        };
        return Some(observe::draft(
            "L-HTTP-002",
            "SHOULD",
            format!("{channel} did not begin with a priming event"),
            "a first event with an id and an empty data field",
            shown,
        ));
    }
    let answered = id.is_some_and(|id| messages(items, channel).iter().any(|r| !r.is_notification() && r.message.get("id") == Some(id)));
    let retry = items.iter().any(|item| matches!(item, StreamItem::Retry(_)));
    if id.is_some() && !answered && items.contains(&StreamItem::Ended) && !retry {
        return Some(observe::draft(
            "L-HTTP-002",
            "SHOULD",
            format!("the server closed {channel} before the response without a `retry` field"),
            "a retry field before the server closes a stream early",
            "the stream ended with no retry field and no response".into(),
        ));
    }
    None
}

/// HTTP-011 in the handshake era (2025-03-26 to 2025-11-25, Streamable
/// HTTP): a call of the `progress` tool with a progress token, POSTed in the
/// harness's session; when it is answered with an SSE stream, that stream
/// ends within [`END_WAIT`] of the call's response. A JSON answer, or a
/// stream that ends before the response, leaves nothing to judge.
pub async fn request_stream_end(context: &CaseContext<'_>) -> StepOutcome {
    if context.transport != Kind::StreamableHttp || era(&context.session.version) != Era::Stateful {
        return not_applicable("this check judges the POST streams of handshake-era Streamable HTTP (2026-07-28 has its own case)");
    }
    let Some(probe) = Probe::new(context) else {
        return not_applicable("this check needs an HTTP transport");
    };
    let Some(role) = context.options.fixtures.progress.clone() else {
        return inconclusive(unmapped("progress"));
    };
    let id = json!("mcp-conform-stream-end-call");
    let params = json!({ "name": role.tool, "arguments": role.arguments, "_meta": { "progressToken": "mcp-conform-stream-end" } });
    let request = ProbeRequest::post(crate::jsonrpc::request(&id, "tools/call", Some(params))).headers(probe.session_headers());
    let stream = match probe.open_stream(&role.tool, request).await {
        Ok(stream) => stream,
        Err(why) => return inconclusive(format!("no SSE stream to judge: {why}")),
    };
    let call = Call { tool: role.tool, channel: String::new(), token: None, logs: false, before: Vec::new(), answered: false, ended_after: false };
    let call = read_call(stream, &id, call, Vec::new()).await;
    if !call.answered {
        return inconclusive(format!("{} ended or went quiet before the call's response: no response to close the stream after", call.channel));
    }
    let mut findings = Findings::default();
    judge_end(&call, &mut findings);
    StepOutcome { findings: findings.0, ..StepOutcome::default() }
}
