//! Cancellation (`basic/utilities/cancellation`, `patterns/cancellation`):
//! after `notifications/cancelled` for a request still running, no response
//! follows (UTIL-003; on 2026-07-28 stdio a MUST NOT, STDIO-007), and the
//! server is still alive (UTIL-005).
//!
//! A response may cross the cancellation on the wire (the server may have
//! finished just before it read it, UTIL-004), so only a response that
//! comes well after the cancellation counts: one within [`CROSSING`] is
//! inconclusive.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::observe;
use crate::execute::{CaseContext, StepOutcome};
use crate::fixtures::unmapped;
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
