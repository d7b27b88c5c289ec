//! The JSON-RPC envelope (`basic/index.mdx §Messages`): every message the
//! server sends is judged on receipt (JSON-RPC 2.0, UTF-8, a `result`
//! object, notifications without an id, one message per stdio line). This
//! check gives those rules a request of their own to judge: the era's
//! probe method carrying a W3C trace context in `_meta`, which a server
//! may continue in its answer (the reference server does; its envelope
//! faults damage exactly such answers).

use serde_json::json;

use super::observe;
use crate::execute::{CaseContext, StepOutcome};
use crate::session::{Reply, RequestOptions};
use crate::version::Era;

/// A W3C Trace Context `traceparent` (version 00, sampled), `tracestate`
/// and W3C Baggage, as a traced client sends them.
const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const TRACESTATE: &str = "mcp-conform=00f067aa0ba902b7";
const BAGGAGE: &str = "mcp-conform.check=envelope";

/// Send `ping` (`server/discover` in 2026-07-28) with a trace context in
/// `_meta`; it must be answered. What arrives meanwhile and right after
/// is judged on receipt.
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
    // Messages sent right after the answer belong to this case too.
    tokio::time::sleep(observe::LATE_WINDOW).await;
    outcome
}
