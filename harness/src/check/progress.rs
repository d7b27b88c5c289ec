//! Progress notifications (`basic/utilities/progress`, `patterns/progress`):
//! only for a token the client sent (UTIL-007), strictly increasing
//! (UTIL-008), none after the response (UTIL-009).
//!
//! The token rule is also checked without a fixture: the harness sends a
//! `progressToken` only here, so any progress notification in the session
//! for a token it never sent is a violation, whatever caused it.

use serde_json::{json, Map, Value};

use super::observe::{self, Seen, LATE_WINDOW};
use crate::execute::{CaseContext, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};

const METHOD: &str = "notifications/progress";

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// UTIL-007: every progress notification names a token the harness sent.
pub async fn token(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let start = connection.mark();
    let role = context.options.fixtures.progress.clone();
    if let Some(role) = &role {
        // Without a token the tool must stay silent.
        let exchange = observe::call(context, role, Map::new()).await;
        if exchange.result().is_some() {
            tokio::time::sleep(LATE_WINDOW).await;
        }
    }
    let entries = connection.since(0);
    let sent = observe::sent_progress_tokens(&entries);
    let seen = observe::received(&entries);
    let mut outcome = StepOutcome::default();
    for note in observe::notifications(&seen, METHOD) {
        let token = note.params().get("progressToken").cloned().unwrap_or(Value::Null);
        if sent.contains(&token) {
            continue;
        }
        if note.index < start {
            outcome.evidence.push(note.entry.clone());
        }
        outcome.findings.push(observe::draft(
            "UTIL-007",
            "MUST",
            format!("a progress notification for token {token}, which no request of the client carried"),
            "notifications/progress only for a progressToken sent with a request still in progress",
            note.shown(),
        ));
        break;
    }
    if outcome.findings.is_empty() && role.is_none() {
        return inconclusive(unmapped("progress"));
    }
    outcome
}

/// The notifications a progress run sent for its token, and the response.
struct Run {
    progress: Vec<Seen>,
    response: Seen,
}

/// Call the progress tool with a fresh token and collect what came back,
/// listening a little past the response.
async fn observed_run(context: &CaseContext<'_>, role: &ToolRole) -> Result<Run, StepOutcome> {
    let connection = &context.session.connection;
    let token = json!(format!("mcp-conform-progress-{}", connection.next_id()));
    let mark = connection.mark();
    let mut meta = Map::new();
    meta.insert("progressToken".into(), token.clone());
    let exchange = observe::call(context, role, meta).await;
    if let Some(why) = observe::unusable(&format!("the progress tool `{}`", role.tool), &exchange) {
        return Err(inconclusive(why));
    }
    tokio::time::sleep(LATE_WINDOW).await;
    let seen = observe::received(&connection.since(mark));
    let id = exchange.request.get("id").cloned().unwrap_or(Value::Null);
    let Some(response) = observe::response(&seen, &id).cloned() else {
        return Err(inconclusive("the response to the progress call is not in the transcript".into()));
    };
    let progress: Vec<Seen> =
        observe::notifications(&seen, METHOD).filter(|n| n.params().get("progressToken") == Some(&token)).cloned().collect();
    if progress.is_empty() {
        return Err(inconclusive(format!(
            "the progress tool `{}` sent no notifications/progress for the request's progressToken",
            role.tool
        )));
    }
    Ok(Run { progress, response })
}

/// A run of the tool mapped to the `progress` role.
async fn mapped_run(context: &CaseContext<'_>) -> Result<Run, StepOutcome> {
    let role = context.options.fixtures.progress.clone().ok_or_else(|| inconclusive(unmapped("progress")))?;
    observed_run(context, &role).await
}

/// UTIL-008: `progress` strictly increases from one notification to the next.
pub async fn increasing(context: &CaseContext<'_>) -> StepOutcome {
    let run = match mapped_run(context).await {
        Ok(run) => run,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    // Order is only defined within one stream.
    let mut last: Vec<(&str, f64)> = Vec::new();
    for note in &run.progress {
        let Some(value) = note.params().get("progress").and_then(Value::as_f64) else { continue };
        match last.iter_mut().find(|(channel, _)| *channel == note.channel) {
            Some((_, previous)) if value <= *previous => {
                outcome.findings.push(observe::draft(
                    "UTIL-008",
                    "MUST",
                    format!("progress went from {previous} to {value}"),
                    "each progress value greater than the one before for the same token",
                    note.shown(),
                ));
                return outcome;
            }
            Some((_, previous)) => *previous = value,
            None => last.push((&note.channel, value)),
        }
    }
    outcome
}

/// UTIL-009: no progress notification after the response.
pub async fn before_response(context: &CaseContext<'_>) -> StepOutcome {
    let run = match mapped_run(context).await {
        Ok(run) => run,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    // Only a notification on the response's own stream shows the order it was sent in.
    let late = run.progress.iter().find(|n| n.index > run.response.index && n.channel == run.response.channel);
    if let Some(note) = late {
        outcome.findings.push(observe::draft(
            "UTIL-009",
            "MUST",
            "a progress notification arrived after the response to its request".into(),
            "every notifications/progress for a request before its response",
            format!("response {}; then {}", run.response.shown(), note.shown()),
        ));
    }
    outcome
}

/// Why a progress `message` is not human-readable text, if it is not.
fn unreadable(message: &str) -> Option<&'static str> {
    if message.trim().is_empty() {
        return Some("it is empty");
    }
    if message.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
        return Some("it holds control characters (terminal escapes, carriage returns or the like)");
    }
    let structured = serde_json::from_str::<Value>(message).is_ok_and(|v| v.is_object() || v.is_array());
    structured.then_some("it is JSON data, not text")
}

/// UTIL-010, the part a black box can decide: every `message` of the
/// progress run is human-readable text. (Whether the notifications are
/// rate-limited has no threshold to judge against.)
pub async fn messages(context: &CaseContext<'_>) -> StepOutcome {
    let run = match mapped_run(context).await {
        Ok(run) => run,
        Err(outcome) => return outcome,
    };
    let texts: Vec<(&Seen, &str)> = run.progress.iter().filter_map(|n| n.params().get("message").and_then(Value::as_str).map(|m| (n, m))).collect();
    if texts.is_empty() {
        return inconclusive("the progress notifications carry no message".into());
    }
    let mut outcome = StepOutcome::default();
    if let Some((note, why)) = texts.iter().find_map(|(note, text)| unreadable(text).map(|why| (note, why))) {
        outcome.findings.push(observe::draft(
            "UTIL-010",
            "SHOULD",
            format!("a progress message is not human-readable: {why}"),
            "a message that tells a person how the operation is going, e.g. \"Step 2 of 3\"",
            note.shown(),
        ));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::unreadable;

    #[test]
    fn readable_messages() {
        for text in ["Step 2 of 3", "50%", "Downloading…\nfile 2", "42"] {
            assert_eq!(unreadable(text), None, "{text:?}");
        }
    }

    #[test]
    fn unreadable_messages() {
        for text in ["", "   ", "\u{1b}[2K\r2/3", "{\"step\": 2}", "[2, 3]"] {
            assert!(unreadable(text).is_some(), "{text:?}");
        }
    }
}
