//! `requests-before-initialized` (handshake era, L-LIFE-003): until the
//! client's `notifications/initialized`, the server sends no request but
//! `ping` (log notifications are fine).
//!
//! On a fresh connection the check sends `initialize` (declaring the
//! harness's usual capabilities) but not `notifications/initialized`, calls
//! the tool of the `client-input` role and looks at what the server sent.
//! A request other than `ping` is a finding (SHOULD NOT). Restraint proves
//! something only if the tool asks once the session is ready: the check
//! then sends `notifications/initialized` and calls the tool again; a tool
//! that never asks leaves the check inconclusive.

use serde_json::{Map, Value};

use super::client_input::{inconclusive, role};
use super::observe::{self, Seen};
use crate::execute::{CaseContext, StepOutcome};
use crate::session::stateful::initialize_params;

/// The server's requests among `seen` (ping included).
fn requests(seen: &[Seen]) -> Vec<&Seen> {
    seen.iter().filter(|m| m.method().is_some() && m.message.get("id").is_some()).collect()
}

/// Run the check on the case's fresh connection.
pub async fn before_initialized(context: &CaseContext<'_>) -> StepOutcome {
    let role = match role(context) {
        Ok(role) => role,
        Err(outcome) => return outcome,
    };
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    connection.set_version(version);
    let opened = connection.request("initialize", initialize_params(version), Vec::new()).await;
    if opened.result().and_then(|r| r.get("protocolVersion")).and_then(Value::as_str) != Some(version) {
        return inconclusive(format!("initialize did not open a {version} session"));
    }
    connection.transport().set_protocol_version(Some(version));
    let mark = connection.mark();
    let early = observe::call(context, &role, Map::new()).await;
    let seen = observe::received(&connection.since(mark));
    let findings: Vec<_> = requests(&seen)
        .into_iter()
        .filter(|m| m.method() != Some("ping"))
        .map(|m| {
            observe::draft(
                "L-LIFE-003",
                "SHOULD NOT",
                format!("the server sent a `{}` request before the client's notifications/initialized", m.method().unwrap_or_default()),
                "no request but ping until notifications/initialized",
                m.shown(),
            )
        })
        .collect();
    if !findings.is_empty() {
        return StepOutcome { findings, ..StepOutcome::default() };
    }
    if let Err(why) = connection.notify("notifications/initialized", None, Vec::new()).await {
        return inconclusive(format!("notifications/initialized could not be sent: {why}"));
    }
    let mark = connection.mark();
    let ready = observe::call(context, &role, Map::new()).await;
    let seen = observe::received(&connection.since(mark));
    if requests(&seen).iter().any(|m| m.method() != Some("ping")) {
        return StepOutcome::default();
    }
    let why = observe::unusable(&format!("the client-input tool `{}`", role.tool), &ready)
        .or_else(|| observe::unusable("its call before notifications/initialized", &early))
        .unwrap_or_else(|| format!("the client-input tool `{}` asked the client for nothing even once the session was ready", role.tool));
    inconclusive(why)
}
