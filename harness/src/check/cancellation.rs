//! Cancellation (`basic/utilities/cancellation`, `patterns/cancellation`):
//! after `notifications/cancelled` for a request still running, no response
//! follows (UTIL-003; on 2026-07-28 stdio a MUST NOT, STDIO-007), and the
//! server is still alive (UTIL-005).
//!
//! A response may cross the cancellation on the wire (the server may have
//! finished just before it read it, UTIL-004), so only a response that
//! comes well after the cancellation counts: one within [`CROSSING`] is
//! inconclusive.
//!
//! In 2026-07-28 the cancelled work itself should stop (STDIO-006 on stdio;
//! over Streamable HTTP closing the request's stream is the cancellation,
//! HTTP-014, HTTP-015). That shows only through a resource that counts
//! the slow tool's calls (the `slow-runs` role): a cancelled call must not
//! be counted as completed.

use std::time::{Duration, Instant};

use serde_json::json;

use serde_json::Value;

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

/// The `started` and `completed` counts the `slow-runs` resource shows.
async fn slow_runs(context: &CaseContext<'_>, uri: &str) -> Result<(u64, u64), String> {
    let read = context.session.request("resources/read", json!({ "uri": uri }), &RequestOptions::default()).await;
    if let Some(why) = observe::unusable(&format!("`resources/read` of {uri}"), &read) {
        return Err(why);
    }
    let text = read.result().and_then(|r| r.pointer("/contents/0/text")).and_then(Value::as_str).unwrap_or_default();
    let counts: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    match (counts.get("started").and_then(Value::as_u64), counts.get("completed").and_then(Value::as_u64)) {
        (Some(started), Some(completed)) => Ok((started, completed)),
        _ => Err(format!("{uri} does not read as {{\"started\": N, \"completed\": M}}: {}", clip(text, 200))),
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
    let before = match slow_runs(context, &counts.uri).await {
        Ok(c) => c,
        Err(why) => return inconclusive(why),
    };
    if let Err(why) = start_and_cancel(context, &role).await {
        return inconclusive(why);
    }
    tokio::time::sleep(role.runs_for_ms.map_or(DEFAULT_RUN, Duration::from_millis) + MARGIN).await;
    let after = match slow_runs(context, &counts.uri).await {
        Ok(c) => c,
        Err(why) => return inconclusive(why),
    };
    if after.0 != before.0 + 1 {
        return inconclusive(format!(
            "{} counted {} calls started where the check made one: another client's calls blur the count",
            counts.uri,
            after.0.saturating_sub(before.0)
        ));
    }
    if after.1 == before.1 {
        return StepOutcome::default();
    }
    let actual = format!("{}: completed {} before the call, {} after it had been cancelled", counts.uri, before.1, after.1);
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
    let probe = match super::http::session_probe(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let session_id = match super::http::own_session(&probe, "session for a dropped stream").await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    let headers = vec![(super::probe::SESSION_HEADER.to_string(), session_id), (super::probe::VERSION_HEADER.to_string(), probe.version().to_string())];
    let before = match slow_runs(context, &counts.uri).await {
        Ok(c) => c,
        Err(why) => return inconclusive(why),
    };
    let call = crate::jsonrpc::request(&json!("mcp-conform-dropped-stream"), "tools/call", Some(json!({ "name": role.tool, "arguments": role.arguments })));
    let opened = probe.open_stream(&role.tool, ProbeRequest::post(call).headers(headers.clone())).await;
    let outcome = match opened {
        Err(why) => Err(why),
        Ok(mut stream) => {
            let items = stream.read_for(CANCEL_AFTER).await;
            stream.close();
            let answered = items.iter().any(|item| matches!(item, StreamItem::Event { data, .. } if data.contains("\"result\"")));
            if answered || items.contains(&StreamItem::Ended) {
                Err(format!("the slow tool `{}`'s stream ended within {CANCEL_AFTER:?}, before the client could drop it", role.tool))
            } else {
                Ok(())
            }
        }
    };
    if let Err(why) = outcome {
        let _ = probe.send("clean up", ProbeRequest::delete().headers(headers)).await;
        return inconclusive(why);
    }
    tokio::time::sleep(role.runs_for_ms.map_or(DEFAULT_RUN, Duration::from_millis) + MARGIN).await;
    let after = slow_runs(context, &counts.uri).await;
    let _ = probe.send("clean up", ProbeRequest::delete().headers(headers)).await;
    let after = match after {
        Ok(c) => c,
        Err(why) => return inconclusive(why),
    };
    if after.0 != before.0 + 1 {
        return inconclusive(format!("{} counted {} calls started where the check made one", counts.uri, after.0.saturating_sub(before.0)));
    }
    if after.1 > before.1 {
        return StepOutcome::default();
    }
    let mut outcome = StepOutcome::default();
    outcome.findings.push(observe::draft(
        "L-HTTP-003",
        "SHOULD NOT",
        format!("the `{}` call stopped when the client's SSE connection dropped", role.tool),
        "a dropped connection is not a cancellation: the request runs on (its response can be resumed)",
        format!("{}: completed {} before the call and still {} after its run time", counts.uri, before.1, after.1),
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
