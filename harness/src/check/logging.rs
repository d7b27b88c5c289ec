//! Log notifications (`server/utilities/logging`): only with the `logging`
//! capability (UTIL-015); in the handshake era at or above the level set
//! with `logging/setLevel` (L-LOG-001); in 2026-07-28 only for a request
//! whose `_meta` names a level (UTIL-016), at or above it and before the
//! response (UTIL-017).
//!
//! The level check needs no knowledge of what the logging tool logs: it
//! first asks for everything (`debug`), then sets the level just above the
//! lowest level the tool used, so that a server that ignores the level is
//! caught whatever its tool logs.

use serde_json::{json, Map, Value};

use super::observe::{self, Seen, LATE_WINDOW, SETTLE};
use crate::execute::{CaseContext, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};
use crate::session::RequestOptions;
use crate::version::Era;

const METHOD: &str = "notifications/message";
/// Syslog severities, lowest first.
const LEVELS: [&str; 8] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

fn rank(level: &str) -> Option<usize> {
    LEVELS.iter().position(|l| *l == level)
}

fn level_of(note: &Seen) -> Option<usize> {
    note.params().get("level").and_then(Value::as_str).and_then(rank)
}

/// What one call of the logging tool brought.
struct Logged {
    messages: Vec<Seen>,
    response: Option<Seen>,
}

/// Ask for logs at `level` (`logging/setLevel`, or the request's `_meta`
/// in 2026-07-28; none: no level at all), call the logging tool and collect
/// the log messages that arrived until a little after the response.
async fn logged_at(context: &CaseContext<'_>, role: &ToolRole, level: Option<&str>) -> Result<Logged, StepOutcome> {
    let session = context.session;
    let mut meta = Map::new();
    match (session.era(), level) {
        (Era::Stateful, Some(level)) => {
            let exchange = session.request("logging/setLevel", json!({ "level": level }), &RequestOptions::default()).await;
            if exchange.result().is_none() {
                let mut outcome = StepOutcome::default();
                let actual = exchange.error().map_or("no answer".to_string(), Value::to_string);
                if context.server.declares("logging") {
                    outcome.findings.push(observe::draft(
                        "L-LOG-001",
                        "MUST",
                        format!("`logging/setLevel` to `{level}` was refused although the server declares `logging`"),
                        "an empty result",
                        actual,
                    ));
                } else {
                    outcome.inconclusive.push(format!("`logging/setLevel` was refused: {actual}"));
                }
                return Err(outcome);
            }
            tokio::time::sleep(SETTLE).await;
        }
        (Era::Stateless, Some(level)) => {
            meta.insert(LOG_LEVEL_KEY.into(), json!(level));
        }
        (_, None) => {}
    }
    let mark = session.connection.mark();
    let exchange = observe::call(context, role, meta).await;
    if let Some(why) = observe::unusable(&format!("the logging tool `{}`", role.tool), &exchange) {
        return Err(inconclusive(why));
    }
    tokio::time::sleep(LATE_WINDOW).await;
    let seen = observe::received(&session.connection.since(mark));
    let id = exchange.request.get("id").cloned().unwrap_or(Value::Null);
    let response = observe::response(&seen, &id).cloned();
    let messages = observe::notifications(&seen, METHOD).cloned().collect();
    Ok(Logged { messages, response })
}

fn mapped(context: &CaseContext<'_>) -> Result<ToolRole, StepOutcome> {
    context.options.fixtures.logging.clone().ok_or_else(|| inconclusive(unmapped("logging")))
}

/// UTIL-015: a server that has not declared `logging` sends no log
/// message, neither anywhere in the session nor when its logging tool is
/// asked for everything.
pub async fn capability(context: &CaseContext<'_>) -> StepOutcome {
    if context.server.declares("logging") {
        return StepOutcome::default();
    }
    if let Some(outcome) = observe::unknown_capabilities(context) {
        return outcome;
    }
    let connection = &context.session.connection;
    let start = connection.mark();
    let role = context.options.fixtures.logging.clone();
    if let Some(role) = &role {
        // Whether the server accepts the request or not does not matter here.
        let _ = logged_at(context, role, Some("debug")).await;
    }
    let seen = observe::received(&connection.since(0));
    let mut outcome = StepOutcome::default();
    if let Some(note) = observe::notifications(&seen, METHOD).next() {
        if note.index < start {
            outcome.evidence.push(note.entry.clone());
        }
        outcome.findings.push(observe::draft(
            "UTIL-015",
            "MUST",
            "the server sent a log message without declaring the `logging` capability".into(),
            "notifications/message only from a server that declares `logging`",
            note.shown(),
        ));
    } else if role.is_none() {
        return inconclusive(unmapped("logging"));
    }
    outcome
}

/// UTIL-016 (2026-07-28): no log message for a request without a log level.
pub async fn without_level(context: &CaseContext<'_>) -> StepOutcome {
    let role = match mapped(context) {
        Ok(role) => role,
        Err(outcome) => return outcome,
    };
    let logged = match logged_at(context, &role, None).await {
        Ok(logged) => logged,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    if let Some(note) = logged.messages.first() {
        outcome.findings.push(observe::draft(
            "UTIL-016",
            "MUST NOT",
            format!("a log message for a `{}` call whose _meta named no log level", role.tool),
            "no notifications/message for a request without _meta io.modelcontextprotocol/logLevel",
            note.shown(),
        ));
    }
    outcome
}

/// L-LOG-001 (handshake era) and UTIL-017 (2026-07-28): log messages only
/// at or above the level asked for (and, per request, before the response).
pub async fn level(context: &CaseContext<'_>) -> StepOutcome {
    let role = match mapped(context) {
        Ok(role) => role,
        Err(outcome) => return outcome,
    };
    let everything = match logged_at(context, &role, Some("debug")).await {
        Ok(logged) => logged,
        Err(outcome) => return outcome,
    };
    let Some(lowest) = everything.messages.iter().filter_map(level_of).min() else {
        return inconclusive(format!("the logging tool `{}` sent no log message at level `debug`", role.tool));
    };
    let Some(threshold) = LEVELS.get(lowest + 1) else {
        return inconclusive(format!("the logging tool `{}` logs only at `emergency`: no level is above it", role.tool));
    };
    let limited = match logged_at(context, &role, Some(threshold)).await {
        Ok(logged) => logged,
        Err(outcome) => return outcome,
    };
    let stateless = context.session.era() == Era::Stateless;
    let (requirement, keyword) = if stateless { ("UTIL-017", "MAY (bounded)") } else { ("L-LOG-001", "(prose)") };
    let mut outcome = StepOutcome::default();
    if let Some(note) = limited.messages.iter().find(|n| level_of(n).is_some_and(|r| r < lowest + 1)) {
        outcome.findings.push(observe::draft(
            requirement,
            keyword,
            format!("a log message below the level `{threshold}` that was asked for"),
            &format!("notifications/message at `{threshold}` or above"),
            note.shown(),
        ));
        return outcome;
    }
    // A request's log messages come before its response, on its stream.
    if let (true, Some(response)) = (stateless, &limited.response) {
        let late = limited.messages.iter().find(|n| n.index > response.index && n.channel == response.channel);
        if let Some(note) = late {
            outcome.findings.push(observe::draft(
                "UTIL-017",
                "MAY (bounded)",
                "a log message arrived after the response to the request it belongs to".into(),
                "the request's notifications/message before its final response",
                format!("response {}; then {}", response.shown(), note.shown()),
            ));
        }
    }
    outcome
}
