//! Cancellation (`basic/utilities/cancellation`, `patterns/cancellation`):
//! after `notifications/cancelled` for a request still running, no response
//! follows (UTIL-003; on 2026-07-28 stdio a MUST NOT, STDIO-007), and the
//! server is still alive (UTIL-005).
//!
//! A response may cross the cancellation on the wire (the server may have
//! finished just before it read it, UTIL-004), so only a response that
//! comes well after the cancellation counts: one within [`CROSSING`] is
//! inconclusive. A cancellation the server cannot act on (an unknown or
//! finished request, malformed params) is ignored without an answer
//! (UTIL-004, UTIL-006).
//!
//! In 2026-07-28 the cancelled work itself should stop (STDIO-006 on stdio;
//! over Streamable HTTP closing the request's stream is the cancellation,
//! HTTP-014, HTTP-015). That shows only through a resource that counts
//! the slow tool's calls (the `slow-runs` role): a cancelled call must not
//! be counted as completed.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::observe;
use super::probe::{Probe, ProbeRequest, StreamItem};
use crate::execute::{clip, CaseContext, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};
use crate::session::{stateless, Reply, RequestOptions};
use crate::transport::Kind;
use crate::version::Era;

/// How long the slow call runs before the harness cancels it.
const CANCEL_AFTER: Duration = Duration::from_millis(150);
/// A response this soon after the cancellation may have been sent before
/// the server read it.
const CROSSING: Duration = Duration::from_millis(500);
/// How long past the slow tool's own run time the harness waits for a
/// response that must not come.
const MARGIN: Duration = Duration::from_millis(500);
/// The wait when the mapping does not say how long the slow tool runs.
const DEFAULT_RUN: Duration = Duration::from_secs(2);

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// Cancel a running call of the slow tool; no response may follow.
pub async fn no_response(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.slow.clone() else {
        return inconclusive(unmapped("slow"));
    };
    let session = context.session;
    let connection = &session.connection;
    let stateless = session.era() == Era::Stateless;
    // The id must be known before the answer: the request is built here.
    let id = connection.next_id();
    let mut params = json!({ "name": role.tool, "arguments": role.arguments });
    if stateless {
        params = stateless::with_meta(params, &session.version);
    }
    let message = crate::jsonrpc::request(&id, "tools/call", Some(params));
    let headers =
        if stateless && connection.transport().kind() == Kind::StreamableHttp { stateless::mirrored_headers(&message) } else { Vec::new() };
    let call = connection.send_request(message, headers);
    tokio::pin!(call);

    tokio::select! {
        exchange = &mut call => {
            let how = match exchange.reply {
                Reply::Response(_) => "answered",
                Reply::NoResponse(_) | Reply::TooLarge(_) => "ended",
            };
            return inconclusive(format!("the slow tool `{}` {how} within {CANCEL_AFTER:?}, before it could be cancelled", role.tool));
        }
        _ = tokio::time::sleep(CANCEL_AFTER) => {}
    }
    let cancelled_at = Instant::now();
    let cancel = json!({ "requestId": id, "reason": "mcp-conform checks that a cancelled request gets no response" });
    if let Err(e) = session.notify("notifications/cancelled", Some(cancel)).await {
        connection.forget(&id);
        return inconclusive(format!("sending notifications/cancelled failed: {e}"));
    }
    let runs_for = role.runs_for_ms.map_or(DEFAULT_RUN, Duration::from_millis);
    let answered = match tokio::time::timeout(runs_for + MARGIN, &mut call).await {
        Ok(exchange) => match exchange.reply {
            Reply::Response(message) => Some((message, cancelled_at.elapsed())),
            Reply::NoResponse(_) | Reply::TooLarge(_) => None,
        },
        Err(_) => {
            connection.forget(&id);
            None
        }
    };
    let mut outcome = StepOutcome::default();
    match answered {
        Some((_, after)) if after < CROSSING => {
            outcome.inconclusive.push(format!(
                "the response came {after:?} after the cancellation: it may have been sent before the server read it"
            ));
        }
        Some((message, after)) => {
            let (requirement, keyword) = match (stateless, connection.transport().kind()) {
                (true, Kind::Stdio) => ("STDIO-007", "MUST NOT"),
                _ => ("UTIL-003", "SHOULD"),
            };
            outcome.findings.push(observe::draft(
                requirement,
                keyword,
                format!("request {id} was answered {after:?} after the client cancelled it"),
                "no response to a request after its notifications/cancelled",
                observe::clip_message(&message),
            ));
        }
        None => {}
    }
    outcome.findings.extend(alive(context).await);
    outcome
}

/// How long a forbidden answer to a cancellation is watched for.
const ANSWER_WAIT: Duration = Duration::from_millis(500);

/// Cancellations the server cannot act on are left without effect (UTIL-004)
/// and quietly ignored (UTIL-006): one for a request never sent, one for a
/// request already answered, and two with malformed params (no `requestId`;
/// a `requestId` that is an object). None may be answered, and the server
/// must keep answering afterwards (the one for a finished request is the
/// late side of a cancellation race, UTIL-005).
pub async fn ignored(context: &CaseContext<'_>) -> StepOutcome {
    let session = context.session;
    let connection = &session.connection;
    let method = if session.era() == Era::Stateless { "server/discover" } else { "ping" };
    let finished = session.request(method, json!({}), &RequestOptions::default()).await;
    let Reply::Response(_) = &finished.reply else {
        return inconclusive(format!("`{method}` got no answer, so there is no finished request to cancel"));
    };
    let finished_id = finished.request.get("id").cloned().unwrap_or_default();
    let reason = "mcp-conform checks that a cancellation the server cannot act on is ignored";
    let cancellations = [
        ("a request never sent", json!({ "requestId": "mcp-conform-never-sent", "reason": reason })),
        ("a request already answered", json!({ "requestId": finished_id, "reason": reason })),
        ("no requestId", json!({ "reason": reason })),
        ("a requestId that is an object", json!({ "requestId": { "not": "an id" }, "reason": reason })),
    ];
    let wait = ANSWER_WAIT.min(connection.options().request_timeout);
    let mut outcome = StepOutcome::default();
    for (what, params) in cancellations {
        let frame = crate::jsonrpc::notification("notifications/cancelled", Some(params));
        let bytes = serde_json::to_vec(&frame).unwrap_or_default();
        let sent = connection.send_frame(bytes, Vec::new(), &[(Value::Null, "")], wait, |a| !a.is_empty()).await;
        if let Some(why) = sent.unsent {
            return inconclusive(format!("the cancellation naming {what} could not be sent: {why}"));
        }
        // Over Streamable HTTP an error status with an id-less error refuses the POST; it answers nothing.
        let refused_post = sent.http.as_ref().is_some_and(|head| head.status >= 400) && connection.transport().kind() == Kind::StreamableHttp;
        if let Some(answer) = sent.answers.iter().find(|_| !refused_post) {
            outcome.findings.push(observe::draft(
                "UTIL-006",
                "SHOULD",
                format!("the notifications/cancelled naming {what} was answered"),
                "an invalid or pointless cancellation quietly ignored: no response",
                observe::clip_message(answer),
            ));
        }
    }
    outcome.findings.extend(alive(context).await);
    outcome
}

/// How many times a counted run is tried when other calls blur the counts.
const ATTEMPTS: usize = 4;
/// How long a counted run waits for no other call to be running.
const QUIET_WAIT: Duration = Duration::from_secs(10);
/// How often it looks meanwhile.
const QUIET_POLL: Duration = Duration::from_millis(50);

/// What `slow-runs` says of the one call a check made.
enum Counted {
    /// It ran to its end (or at least was not cancelled).
    Completed,
    /// It was stopped.
    Stopped,
}

/// Starts one slow call with `start` (which cancels or drops it), waits
/// its run time, and reads `slow-runs` around it, up to [`ATTEMPTS`] times
/// while other clients' calls make the counts ambiguous.
async fn counted_run(
    context: &CaseContext<'_>,
    uri: &str,
    runs_for: Duration,
    start: impl AsyncFn() -> Result<(), String>,
    decide: impl Fn(&Runs) -> Option<Counted>,
) -> Result<Counted, String> {
    let mut why = String::new();
    let version_sum: u64 = context.session.version.bytes().map(u64::from).sum();
    let stagger = QUIET_POLL * (1 + (version_sum % 7) as u32);
    for _ in 0..ATTEMPTS {
        // A call already running could complete during the check's own:
        // wait for a moment when none is.
        let quiet_by = Instant::now() + QUIET_WAIT;
        let mut settled = false;
        let before = loop {
            let runs = slow_runs(context, uri).await?;
            let running = runs.started.saturating_sub(runs.completed + runs.cancelled);
            if running == 0 && settled {
                break Some(runs);
            }
            // Two of these checks (in versions run side by side) that see the
            // same quiet moment would start together: each looks again after
            // a pause of its own first.
            settled = running == 0;
            if settled {
                tokio::time::sleep(stagger).await;
                continue;
            }
            if Instant::now() >= quiet_by {
                why = format!("{uri} never showed a moment without other calls running: they blur the count");
                break None;
            }
            tokio::time::sleep(QUIET_POLL).await;
        };
        let Some(before) = before else { continue };
        start().await?;
        tokio::time::sleep(runs_for + MARGIN).await;
        let after = slow_runs(context, uri).await?;
        let counted = Runs {
            started: after.started.saturating_sub(before.started),
            completed: after.completed.saturating_sub(before.completed),
            cancelled: after.cancelled.saturating_sub(before.cancelled),
        };
        if counted.started == 0 {
            return Err(format!("{uri} counted no call started: it does not count the slow tool's calls"));
        }
        match decide(&counted) {
            Some(verdict) => return Ok(verdict),
            None => {
                why = format!(
                    "{uri} counted {} calls started, {} completed and {} cancelled where the check made one: other calls blur the count",
                    counted.started, counted.completed, counted.cancelled
                )
            }
        }
    }
    Err(why)
}

/// The counts the `slow-runs` resource shows.
struct Runs {
    started: u64,
    completed: u64,
    cancelled: u64,
}

/// Reads the `slow-runs` resource.
async fn slow_runs(context: &CaseContext<'_>, uri: &str) -> Result<Runs, String> {
    let read = context.session.request("resources/read", json!({ "uri": uri }), &RequestOptions::default()).await;
    if let Some(why) = observe::unusable(&format!("`resources/read` of {uri}"), &read) {
        return Err(why);
    }
    let text = read.result().and_then(|r| r.pointer("/contents/0/text")).and_then(Value::as_str).unwrap_or_default();
    let counts: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let count = |key: &str| counts.get(key).and_then(Value::as_u64);
    match (count("started"), count("completed"), count("cancelled")) {
        (Some(started), Some(completed), Some(cancelled)) => Ok(Runs { started, completed, cancelled }),
        _ => Err(format!("{uri} does not read as {{\"started\": N, \"completed\": M, \"cancelled\": K}}: {}", clip(text, 200))),
    }
}

/// Starts a call of the slow tool and cancels it [`CANCEL_AFTER`] in: on
/// stdio with `notifications/cancelled`, over Streamable HTTP by closing
/// its stream. `Err` when it could not be cancelled while it ran.
async fn start_and_cancel(context: &CaseContext<'_>, role: &ToolRole) -> Result<(), String> {
    let session = context.session;
    let connection = &session.connection;
    let id = connection.next_id();
    let params = stateless::with_meta(json!({ "name": role.tool, "arguments": role.arguments }), &session.version);
    let message = crate::jsonrpc::request(&id, "tools/call", Some(params));
    let early = || format!("the slow tool `{}` answered within {CANCEL_AFTER:?}, before it could be cancelled", role.tool);
    if context.transport == Kind::StreamableHttp {
        let probe = Probe::new(context).ok_or("no HTTP transport")?;
        let headers = stateless::mirrored_headers(&message);
        let mut stream = probe.open_stream(&role.tool, ProbeRequest::post(message).headers(headers)).await?;
        let items = stream.read_for(CANCEL_AFTER).await;
        let answered = items.iter().any(|item| matches!(item, StreamItem::Event { data, .. } if data.contains("\"result\"") || data.contains("\"error\"")));
        stream.close();
        return if answered || items.contains(&StreamItem::Ended) { Err(early()) } else { Ok(()) };
    }
    let call = connection.send_request(message, Vec::new());
    tokio::pin!(call);
    tokio::select! {
        _ = &mut call => return Err(early()),
        _ = tokio::time::sleep(CANCEL_AFTER) => {}
    }
    let cancel = json!({ "requestId": id, "reason": "mcp-conform checks that cancelled work stops" });
    let sent = session.notify("notifications/cancelled", Some(cancel)).await;
    connection.forget(&id);
    sent.map_err(|e| format!("sending notifications/cancelled failed: {e}"))
}

/// STDIO-006, HTTP-014, HTTP-015 (2026-07-28): a cancelled call of the slow
/// tool does not run to its end, as the `slow-runs` resource counts.
pub async fn work_stops(context: &CaseContext<'_>) -> StepOutcome {
    let fixtures = &context.options.fixtures;
    let Some(role) = fixtures.slow.clone() else {
        return inconclusive(unmapped("slow"));
    };
    let Some(counts) = fixtures.slow_runs.clone() else {
        return inconclusive(unmapped("slow-runs"));
    };
    let runs_for = role.runs_for_ms.map_or(DEFAULT_RUN, Duration::from_millis);
    // No completion at all: the check's call did not run to its end.
    let decide = |runs: &Runs| match (runs.started, runs.completed) {
        (_, 0) => Some(Counted::Stopped),
        (1, 1) => Some(Counted::Completed),
        _ => None,
    };
    let actual = match counted_run(context, &counts.uri, runs_for, async || start_and_cancel(context, &role).await, decide).await {
        Ok(Counted::Stopped) => return StepOutcome::default(),
        Ok(Counted::Completed) => format!("{} counted the cancelled call as completed", counts.uri),
        Err(why) => return inconclusive(why),
    };
    let mut outcome = StepOutcome::default();
    if context.transport == Kind::StreamableHttp {
        let message = format!("the `{}` call ran to its end after the client closed its stream", role.tool);
        outcome.findings.push(observe::draft("HTTP-014", "MUST", message.clone(), "closing a request's SSE stream cancels the request", actual.clone()));
        outcome.findings.push(observe::draft("HTTP-015", "SHOULD", message, "cancelled work stops soon", actual));
    } else {
        let message = format!("the `{}` call ran to its end after notifications/cancelled", role.tool);
        outcome.findings.push(observe::draft("STDIO-006", "SHOULD", message, "the work of a cancelled request stops soon", actual));
    }
    outcome
}

/// L-HTTP-003 (2025-11-25): a POST's SSE connection that drops is not a
/// cancellation: a call of the slow tool whose stream the client closes
/// [`CANCEL_AFTER`] in still runs to its end, as `slow-runs` counts.
pub async fn dropped_stream_continues(context: &CaseContext<'_>) -> StepOutcome {
    let fixtures = &context.options.fixtures;
    let (Some(role), Some(counts)) = (fixtures.slow.clone(), fixtures.slow_runs.clone()) else {
        return inconclusive(unmapped(if fixtures.slow.is_none() { "slow" } else { "slow-runs" }));
    };
    let (probe, headers) = match super::streams::session_of_its_own(context, "session for a dropped stream").await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    let drop_one = async || {
        let call = crate::jsonrpc::request(&json!("mcp-conform-dropped-stream"), "tools/call", Some(json!({ "name": role.tool, "arguments": role.arguments })));
        let mut stream = probe.open_stream(&role.tool, ProbeRequest::post(call).headers(headers.clone())).await?;
        let items = stream.read_for(CANCEL_AFTER).await;
        stream.close();
        let answered = items.iter().any(|item| matches!(item, StreamItem::Event { data, .. } if data.contains("\"result\"")));
        if answered || items.contains(&StreamItem::Ended) {
            return Err(format!("the slow tool `{}`'s stream ended within {CANCEL_AFTER:?}, before the client could drop it", role.tool));
        }
        Ok(())
    };
    let runs_for = role.runs_for_ms.map_or(DEFAULT_RUN, Duration::from_millis);
    // No cancellation at all: the check's call was not cancelled.
    let decide = |runs: &Runs| match (runs.started, runs.cancelled) {
        (_, 0) => Some(Counted::Completed),
        (1, 1) => Some(Counted::Stopped),
        _ => None,
    };
    let counted = counted_run(context, &counts.uri, runs_for, drop_one, decide).await;
    let _ = probe.send("clean up", ProbeRequest::delete().headers(headers)).await;
    match counted {
        Ok(Counted::Completed) => return StepOutcome::default(),
        Ok(Counted::Stopped) => {}
        Err(why) => return inconclusive(why),
    }
    let mut outcome = StepOutcome::default();
    outcome.findings.push(observe::draft(
        "L-HTTP-003",
        "SHOULD NOT",
        format!("the `{}` call stopped when the client's SSE connection dropped", role.tool),
        "a dropped connection is not a cancellation: the request runs on (its response can be resumed)",
        format!("{} counted the call cancelled", counts.uri),
    ));
    outcome
}

/// UTIL-005: the server still answers after a cancellation.
async fn alive(context: &CaseContext<'_>) -> Option<crate::execute::Draft> {
    let method = if context.session.era() == Era::Stateless { "server/discover" } else { "ping" };
    let exchange = context.session.request(method, json!({}), &RequestOptions::default()).await;
    let actual = match &exchange.reply {
        Reply::Response(_) => return None,
        Reply::NoResponse(why) => why.clone(),
        Reply::TooLarge(_) => return None,
    };
    Some(observe::draft(
        "UTIL-005",
        "MUST",
        format!("`{method}` got no answer after a cancellation"),
        "a server that survives cancellations and keeps answering",
        actual,
    ))
}
