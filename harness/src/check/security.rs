//! Robustness checks an attacker (or an unlucky client) would exercise:
//! a burst of requests in flight at once, each of which must be answered,
//! and a message far larger than any server needs to accept, which it may
//! refuse but must survive.
//!
//! Both cite LIFECYCLE-001: the server answers each request with a
//! response (the request/response pattern every server implements). A
//! server that drops requests under load, or stops serving after one
//! oversized message, breaks it for every client after the first.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::jsonrpc::{probe_method, request_with_id, still_answers};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::{Reply, RequestOptions};
use crate::transport::Kind;

/// Requests sent at once by [`burst_answered`]: more than a server's
/// typical worker pool, few enough for any server to answer promptly.
const BURST: usize = 32;

/// The size of [`oversized_message`]'s frame: twice the 4 MiB cap that
/// common MCP server stacks apply to a message, so the server's limit (not
/// its happy path) is what gets exercised.
const OVERSIZED_BYTES: usize = 8 * 1024 * 1024;

/// The `_meta` key that carries the padding (a vendor prefix, so a server
/// that reads `_meta` has no reason to reject its name).
const PADDING_KEY: &str = "dev.mcp-conform/padding";

/// How long the oversized request's own answer is waited for: it is not
/// judged, so this only gives the server time to deal with it before the
/// liveness probe (which has the full deadline).
const OVERSIZED_ANSWER_WAIT: Duration = Duration::from_secs(2);

fn unanswered(message: String, expected: String, actual: String, hint: &'static str) -> Draft {
    Draft { requirement: "LIFECYCLE-001".into(), keyword: Some("MUST"), message, expected, actual, hint: Some(hint) }
}

/// [`BURST`] requests of the era's probe method (`ping`, or
/// `server/discover` in 2026-07-28) sent without waiting for one another:
/// each gets a response (a second response to one is caught on receipt).
pub async fn burst_answered(context: &CaseContext<'_>) -> StepOutcome {
    let method = probe_method(context);
    let options = RequestOptions::default();
    let exchanges = join_all((0..BURST).map(|_| context.session.request(method, json!({}), &options))).await;
    let mut outcome = StepOutcome::default();
    let mut silent = Vec::new();
    for exchange in &exchanges {
        let id = exchange.request.get("id").cloned().unwrap_or(Value::Null);
        if let Some(why) = &exchange.unsent {
            outcome.inconclusive.push(format!("`{method}` with id {id} could not be sent: {why}"));
            continue;
        }
        match &exchange.reply {
            Reply::Response(_) => {}
            Reply::TooLarge(why) => outcome.inconclusive.push(format!("`{method}` with id {id}: {why}")),
            Reply::NoResponse(why) => silent.push((id, why.clone())),
        }
    }
    if let Some((_, why)) = silent.first() {
        let ids: Vec<String> = silent.iter().map(|(id, _)| id.to_string()).collect();
        outcome.findings.push(unanswered(
            format!("{} of {BURST} `{method}` requests sent at once got no response (ids {})", silent.len(), ids.join(", ")),
            format!("a response to each of the {BURST} requests"),
            format!("the first unanswered: {why}"),
            "Answer every request with a result or an error, however many are in flight",
        ));
    }
    outcome.findings.extend(still_answers(context, &format!("{BURST} requests at once")).await);
    outcome
}

/// A request of the era's probe method padded to [`OVERSIZED_BYTES`]: the
/// server may answer it, refuse it (an error, HTTP 413) or drop it, but it
/// must go on answering afterwards. Silence on the oversized request alone
/// is not judged: no size is one every server must accept, and on stdio a
/// server may skip a line it will not buffer.
pub async fn oversized_message(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let method = probe_method(context);
    let id = connection.next_id();
    let padded = json!({"_meta": {PADDING_KEY: "x".repeat(OVERSIZED_BYTES)}});
    let (message, headers) = request_with_id(context, &id, method, Some(padded));
    let bytes = serde_json::to_vec(&message).unwrap_or_default();
    let what = format!("a {} MiB `{method}` request", bytes.len() >> 20);
    let wait = OVERSIZED_ANSWER_WAIT.min(connection.options().request_timeout);
    let watch = [(id, method), (Value::Null, "")];
    // What the server did with the request itself (answered, refused,
    // dropped) stays in the transcript; its survival is the verdict.
    let sent = connection.send_frame(bytes, headers, &watch, wait, |answers| !answers.is_empty()).await;
    if let (Some(why), Kind::Stdio) = (&sent.unsent, context.transport) {
        // Part of a line may be in the pipe: what follows would not be framed.
        return StepOutcome { inconclusive: vec![format!("{what} could not be written whole ({why}), so liveness cannot be judged on this stream")], ..StepOutcome::default() };
    }
    let mut probe = still_answers(context, &what).await;
    if probe.as_ref().is_some_and(|p| p.actual.starts_with("sending failed")) {
        // A server that refuses an oversized body before reading it may close
        // the connection the client then reuses: only a second probe, on a
        // new connection, tells a wedged server from a closed socket.
        tokio::time::sleep(Duration::from_millis(200)).await;
        probe = still_answers(context, &what).await;
    }
    let wedged = probe.map(|probe| {
        unanswered(probe.message, probe.expected, probe.actual, "Refuse an oversized message (an error, or HTTP 413) and keep serving")
    });
    StepOutcome { findings: wedged.into_iter().collect(), ..StepOutcome::default() }
}
