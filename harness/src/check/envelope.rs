//! The JSON-RPC envelope (`basic/index.mdx §Messages`): every message the
//! server sends is judged on receipt (JSON-RPC 2.0, UTF-8, a `result`
//! object, notifications without an id, one message per stdio line). This
//! check gives those rules a request of their own to judge: the era's
//! probe method carrying a W3C trace context in `_meta`, which a server
//! may continue in its answer (the reference server does; its envelope
//! faults damage exactly such answers).

use serde_json::{json, Map};

use super::observe;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::unmapped;
use crate::session::{Reply, RequestOptions};
use crate::version::Era;

/// A W3C Trace Context `traceparent` (version 00, sampled), `tracestate`
/// and W3C Baggage, as a traced client sends them.
const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const TRACESTATE: &str = "mcp-conform=00f067aa0ba902b7";
const BAGGAGE: &str = "mcp-conform.check=envelope";

/// Send `ping` (`server/discover` in 2026-07-28) with a trace context in
/// `_meta`; it must be answered. Then a traced request for an unknown
/// method, whose error message should be brief. What arrives meanwhile
/// and right after is judged on receipt.
pub async fn traced_request(context: &CaseContext<'_>) -> StepOutcome {
    let (method, requirement) = match context.session.era() {
        Era::Stateful => ("ping", "L-PING-001"),
        Era::Stateless => ("server/discover", "LIFECYCLE-002"),
    };
    let params = json!({ "_meta": { "traceparent": TRACEPARENT, "tracestate": TRACESTATE, "baggage": BAGGAGE } });
    let exchange = context.session.request(method, params, &RequestOptions::default()).await;
    let mut outcome = StepOutcome::default();
    match &exchange.reply {
        Reply::Response(_) => {}
        Reply::TooLarge(why) => outcome.inconclusive.push(format!("`{method}`: {why}")),
        Reply::NoResponse(why) => outcome.findings.push(observe::draft(
            requirement,
            "MUST",
            format!("`{method}` with a W3C trace context in `_meta` got no JSON-RPC 2.0 response"),
            "a JSON-RPC 2.0 response carrying the request's id",
            why.clone(),
        )),
    }
    outcome.findings.extend(brief_error_message(context).await);
    // Messages sent right after the answer belong to this case too.
    tokio::time::sleep(observe::LATE_WINDOW).await;
    outcome
}

/// Longest `error.message` taken for a single sentence.
const MAX_ERROR_MESSAGE: usize = 300;

/// A traced request for a method no server has: its error's `message`
/// should be brief, one sentence (JSONRPC-009): no line break, at most
/// [`MAX_ERROR_MESSAGE`] characters. Anything but an error is not judged.
async fn brief_error_message(context: &CaseContext<'_>) -> Option<Draft> {
    let params = json!({ "_meta": { "traceparent": TRACEPARENT, "tracestate": TRACESTATE, "baggage": BAGGAGE } });
    let method = "mcp-conform/no-such-method";
    let exchange = context.session.request(method, params, &RequestOptions::default()).await;
    let message = exchange.error()?.get("message")?.as_str()?;
    let long = message.chars().count() > MAX_ERROR_MESSAGE;
    (long || message.contains(['\n', '\r'])).then(|| {
        observe::draft(
            "JSONRPC-009",
            "SHOULD",
            format!("the error answering `{method}` has a message of {} characters over several lines or sentences", message.chars().count()),
            "a brief error.message: one sentence, no line breaks (details belong in error.data)",
            clip(message, 300),
        )
    })
}

/// Handshake era: call the tool that asks the client for input twice, so
/// that the server sends requests of its own; their ids (judged on receipt,
/// L-JSONRPC-001) must be strings or integers, none used twice. Fewer than
/// two server requests leave nothing to compare.
pub async fn server_request_ids(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.client_input.clone() else {
        return StepOutcome { inconclusive: vec![unmapped("client-input")], ..StepOutcome::default() };
    };
    let connection = &context.session.connection;
    let mark = connection.mark();
    for _ in 0..2 {
        observe::call(context, &role, Map::new()).await;
    }
    let requests = observe::received(&connection.since(mark)).iter().filter(|s| s.method().is_some() && s.message.get("id").is_some()).count();
    if requests < 2 {
        let why = format!("two calls of `{}` brought {requests} request(s) from the server: no ids to compare", role.tool);
        return StepOutcome { inconclusive: vec![why], ..StepOutcome::default() };
    }
    StepOutcome::default()
}
