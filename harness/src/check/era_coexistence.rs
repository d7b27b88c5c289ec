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
//! Over HTTP, outside the session, it must be served as 2026-07-28.

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
    // The legacy opening move on this (fresh) connection.
    connection.set_version(LEGACY_VERSION);
    let opening = connection.request("initialize", stateful::initialize_params(LEGACY_VERSION), Vec::new()).await;
    let negotiated = opening.result().and_then(|r| r.get("protocolVersion")).and_then(Value::as_str).map(str::to_string);
    let Some(legacy) = negotiated.filter(|v| era(v) == Era::Stateful) else {
        connection.set_version(&modern);
        let why = format!("the server does not open a handshake-era session here (it speaks one era only): {}", describe(&opening));
        return StepOutcome { not_applicable: Some(why), ..StepOutcome::default() };
    };
    let tools = opening.result().and_then(|r| r.pointer("/capabilities/tools")).is_some() && context.server.declares("tools");
    connection.transport().set_protocol_version(Some(&legacy));
    let _ = connection.notify("notifications/initialized", None, Vec::new()).await;
    let control = legacy_ping(connection, &legacy).await;
    if control.result().is_none() {
        connection.set_version(&modern);
        return inconclusive(format!("the legacy session at {legacy} did not answer ping, so it cannot be compared: {}", describe(&control)));
    }

    // Over stdio the modern requests share the process; over HTTP they go
    // without the session, on a connection of their own.
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
    let modern_connection = other.as_ref().unwrap_or(connection);
    let answers = modern_requests(modern_connection, &modern, tools).await;
    let after = legacy_ping(connection, &legacy).await;
    if let Some(other) = &other {
        other.close().await;
    }
    connection.set_version(&modern);

    let mut outcome = StepOutcome::default();
    let place = if other.is_some() { "beside a legacy HTTP session on the same endpoint" } else { "on a stdio process hosting a legacy session" };
    for (method, exchange) in &answers {
        if other.is_none() && exchange.error().is_some() {
            // The process keeps to the era its initialize chose: allowed.
            connection.note(format!("`{method}` with 2026-07-28 _meta was refused on the legacy stdio process, as a server may"));
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
