//! The fields every 2026-07-28 result carries: `resultType` (JSONRPC-005),
//! from the core set unless a declared extension adds values (JSONRPC-006),
//! and the serverInfo entry of `_meta` (LIFECYCLE-005, a SHOULD).
//!
//! The check asks for `server/discover` and walks every offered list, then
//! judges each result the server sent meanwhile.

use serde_json::{json, Value};

use super::lists;
use super::observe::{self, Seen};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// The `resultType` values of the core protocol.
const CORE_RESULT_TYPES: [&str; 2] = ["complete", "input_required"];

/// The `_meta` key naming the server.
const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// What is wrong with one result: (requirement, keyword, message).
fn problems(result: &Value, extensions_declared: bool) -> Vec<(&'static str, &'static str, String)> {
    let mut found = Vec::new();
    match result.get("resultType") {
        None => found.push(("JSONRPC-005", "MUST", "a result without `resultType`".to_string())),
        Some(Value::String(kind)) if CORE_RESULT_TYPES.contains(&kind.as_str()) => {}
        // A declared extension may add values the suite cannot know.
        Some(_) if extensions_declared => {}
        Some(other) => found.push(("JSONRPC-006", "MUST", format!("a result with `resultType` {other}, which no core value nor declared extension defines"))),
    }
    if result.pointer("/_meta").and_then(|m| m.get(SERVER_INFO)).is_none() {
        found.push(("LIFECYCLE-005", "SHOULD", format!("a result without `_meta[\"{SERVER_INFO}\"]`")));
    }
    found
}

/// One finding per requirement, shown with the first result that breaks it.
fn judge(results: &[&Seen], extensions_declared: bool) -> Vec<Draft> {
    let expected = format!("every result with `resultType` (\"complete\" or \"input_required\") and `_meta[\"{SERVER_INFO}\"]`");
    let mut findings: Vec<Draft> = Vec::new();
    for seen in results {
        let Some(result) = seen.message.get("result") else { continue };
        for (requirement, keyword, what) in problems(result, extensions_declared) {
            if !findings.iter().any(|f| f.requirement == requirement) {
                findings.push(observe::draft(requirement, keyword, format!("the server sent {what}"), &expected, seen.shown()));
            }
        }
    }
    findings
}

/// Judge the results of `server/discover` and of every offered list.
pub async fn check(context: &CaseContext<'_>) -> StepOutcome {
    let mark = context.session.connection.mark();
    let mut outcome = StepOutcome::default();
    context.session.request("server/discover", json!({}), &RequestOptions::default()).await;
    lists::walk_offered(context, &mut outcome).await;
    let seen = observe::received(&context.session.connection.since(mark));
    let results: Vec<&Seen> = seen.iter().filter(|s| s.message.get("result").is_some()).collect();
    let extensions_declared = context.server.capabilities.get("extensions").and_then(Value::as_object).is_some_and(|e| !e.is_empty());
    let findings = judge(&results, extensions_declared);
    if results.is_empty() {
        outcome.inconclusive.push("no request was answered with a result".into());
    }
    outcome.findings.extend(findings);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_fields_are_judged() {
        let good = json!({"resultType": "complete", "_meta": {SERVER_INFO: {"name": "s", "version": "1"}}});
        assert!(problems(&good, false).is_empty());
        let bare = json!({});
        let ids: Vec<_> = problems(&bare, false).into_iter().map(|p| p.0).collect();
        assert_eq!(ids, ["JSONRPC-005", "LIFECYCLE-005"]);
        let odd = json!({"resultType": "partial", "_meta": {SERVER_INFO: {}}});
        assert_eq!(problems(&odd, false)[0].0, "JSONRPC-006");
        assert!(problems(&odd, true).is_empty(), "an extension may define it");
    }
}
