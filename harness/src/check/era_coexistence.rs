//! LIFECYCLE-018: a server of both eras picks the era per opening move. A
//! legacy `initialize` opens a handshake-era session scoped to the stdio
//! process or the HTTP session; requests that carry the 2026-07-28 `_meta`
//! are served statelessly beside it, on the same endpoint.
//!
//! Serving both eras is a MAY, but once a server does, mixing them up
//! breaks MUST rows: a modern request answered inside the legacy session
//! derives its version from an earlier request on the same process
//! (LIFECYCLE-010, MUST NOT), and a legacy session that stops answering as
//! negotiated after modern requests no longer sticks to its version
//! (L-LIFE-004, MUST since 2025-06-18). So a mix-up fails.
//!
//! Runs on the case's fresh connection: over stdio the legacy session and
//! the modern requests share the one process; over Streamable HTTP the
//! modern requests go out on a second connection, without the session.
//! Serving both eras on one process is itself a MAY (versioning.mdx), so
//! over stdio a modern request may be refused with an error (the Python SDK
//! does); what it must not get is a result in the legacy session's shape.
//! Over HTTP, outside the session, it must be served as 2026-07-28. Over
//! HTTP the modern requests are also sent with the session's
//! `Mcp-Session-Id` (the header a 2026-07-28 server disregards, HTTP-032):
//! refused or served as 2026-07-28, never answered inside the session.
//! Over HTTP a request is compared only when the second connection got it
//! served as 2026-07-28 before the legacy session opened (the control): a
//! server that lacks it, or breaks it, in every case is not mixing eras.

use serde_json::{json, Value};

use super::lists::{describe, inconclusive};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::{stateful, stateless, Connection, Exchange, RequestOptions};
use crate::transport::Kind;
use crate::version::{era, Era};

/// The handshake-era version the legacy client asks for.
const LEGACY_VERSION: &str = "2025-11-25";

fn finding(requirement: &str, message: String, expected: &str, exchange: &Exchange) -> Draft {
    Draft {
        requirement: requirement.into(),
        keyword: Some(if requirement == "L-LIFE-004" { "MUST" } else { "MUST NOT" }),
        message,
        expected: expected.into(),
        actual: describe(exchange),
        hint: Some("Choose the era per request: modern `_meta` means stateless 2026-07-28, whatever session the process or connection also hosts"),
    }
}

/// A result in the shape of 2026-07-28: `resultType` "complete".
fn is_modern_result(exchange: &Exchange) -> bool {
    exchange.result().and_then(|r| r.get("resultType")).and_then(Value::as_str) == Some("complete")
}

/// `ping` in the legacy session, at the negotiated version.
async fn legacy_ping(connection: &Connection, legacy: &str) -> Exchange {
    connection.set_version(legacy);
    connection.request("ping", json!({}), Vec::new()).await
}

/// The modern requests: `server/discover`, and `tools/list` when the server
/// lists tools in both eras. Each must come back as 2026-07-28 results.
async fn modern_requests(connection: &Connection, modern: &str, tools: bool) -> Vec<(&'static str, Exchange)> {
    connection.set_version(modern);
    let mut answers = Vec::new();
    let methods: &[&'static str] = if tools { &["server/discover", "tools/list"] } else { &["server/discover"] };
    for &method in methods {
        let exchange = stateless::request(connection, modern, method, json!({}), &RequestOptions::default()).await;
        answers.push((method, exchange));
    }
    answers
}

/// Run `era-coexistence` on the case's fresh connection.
pub async fn check(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let modern = context.session.version.clone();
    if era(&modern) != Era::Stateless {
        return StepOutcome { not_applicable: Some("the check runs from the 2026-07-28 side".into()), ..StepOutcome::default() };
    }
    // Over stdio the modern requests share the process; over HTTP they go
    // without the session, on a connection of their own, opened first: its
    // answers before any legacy session exists are the control.
    let other = match context.transport {
        Kind::Stdio => None,
        _ => match &context.options.reconnect {
            Some(reconnect) => match reconnect.connect(&modern).await {
                Ok(other) => Some(other),
                Err(e) => return inconclusive(format!("a second connection for the modern requests could not be opened: {e}")),
            },
            None => return inconclusive("no second connection can be opened here for the modern requests".into()),
        },
    };
    let before = match &other {
        Some(other) => modern_requests(other, &modern, context.server.declares("tools")).await,
        None => Vec::new(),
    };
    let outcome = beside_legacy_session(context, other.as_ref(), &before).await;
    if let Some(other) = &other {
        other.close().await;
    }
    connection.set_version(&modern);
    outcome
}

/// Open the legacy session on the case's connection, send the modern
/// requests beside it (on `other` over HTTP, else on the same process) and,
/// over HTTP, with its Mcp-Session-Id; then ping the session again.
async fn beside_legacy_session(context: &CaseContext<'_>, other: Option<&Connection>, before: &[(&'static str, Exchange)]) -> StepOutcome {
    let connection = &context.session.connection;
    let modern = context.session.version.clone();
    // The legacy opening move on this (fresh) connection.
    connection.set_version(LEGACY_VERSION);
    let opening = connection.request("initialize", stateful::initialize_params(LEGACY_VERSION), Vec::new()).await;
    let negotiated = opening.result().and_then(|r| r.get("protocolVersion")).and_then(Value::as_str).map(str::to_string);
    let Some(legacy) = negotiated.filter(|v| era(v) == Era::Stateful) else {
        let why = format!("the server does not open a handshake-era session here (it speaks one era only): {}", describe(&opening));
        return StepOutcome { not_applicable: Some(why), ..StepOutcome::default() };
    };
    let tools = opening.result().and_then(|r| r.pointer("/capabilities/tools")).is_some() && context.server.declares("tools");
    connection.transport().set_protocol_version(Some(&legacy));
    let _ = connection.notify("notifications/initialized", None, Vec::new()).await;
    let control = legacy_ping(connection, &legacy).await;
    if control.result().is_none() {
        return inconclusive(format!("the legacy session at {legacy} did not answer ping, so it cannot be compared: {}", describe(&control)));
    }

    let answers = modern_requests(other.unwrap_or(connection), &modern, tools).await;
    // Over HTTP the same requests also go on the session's own connection,
    // carrying its Mcp-Session-Id: a 2026-07-28 server disregards that
    // header (HTTP-032), so the request's own _meta still decides its era.
    let in_session = match other {
        Some(_) => modern_requests(connection, &modern, tools).await,
        None => Vec::new(),
    };
    let after = legacy_ping(connection, &legacy).await;

    let mut outcome = StepOutcome::default();
    let place = if other.is_some() { "beside a legacy HTTP session on the same endpoint" } else { "on a stdio process hosting a legacy session" };
    let beside = answers.iter().map(|(method, exchange)| (method, exchange, place, other.is_none()));
    let inside = in_session.iter().map(|(method, exchange)| (method, exchange, "with the Mcp-Session-Id of a legacy HTTP session", true));
    let mut compared = 0;
    for (method, exchange, place, may_refuse) in beside.chain(inside) {
        if other.is_some() && !before.iter().any(|(m, control)| m == method && is_modern_result(control)) {
            // Without a session anywhere the server did not serve it as 2026-07-28
            // either: whatever is wrong with it, the legacy session is not the cause.
            connection.note(format!("`{method}` was not served as {modern} before the legacy session opened either: not compared"));
            continue;
        }
        compared += 1;
        if may_refuse && exchange.error().is_some() {
            // Keeping to the era the session chose is allowed (serving both is a MAY).
            connection.note(format!("`{method}` with 2026-07-28 _meta was refused {place}, as a server may"));
            continue;
        }
        if !is_modern_result(exchange) {
            outcome.findings.push(finding(
                "LIFECYCLE-010",
                format!("`{method}` naming {modern} in its _meta, sent {place} ({legacy}), was not served as {modern}"),
                "a 2026-07-28 result (resultType \"complete\"): the request's own _meta decides its era, not the earlier initialize",
                exchange,
            ));
        }
    }
    if compared == 0 {
        outcome.inconclusive.push(format!("no modern request was served as {modern} even without a legacy session, so none could be compared"));
    }
    if after.result().is_none() {
        outcome.findings.push(finding(
            "L-LIFE-004",
            format!("after modern requests, `ping` in the legacy session ({legacy}) was no longer answered as that version answers it"),
            "a result, as for the ping before: the session keeps its negotiated version",
            &after,
        ));
    }
    outcome
}
