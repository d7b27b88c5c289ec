//! 2026-07-28 moved tasks into the `io.modelcontextprotocol/tasks`
//! extension: a server may answer with a task (`resultType: "task"`) only
//! when the request's client capabilities name the extension (TASKS-001)
//! and it advertises the extension itself (TASKS-002).
//!
//! The harness never declares the extension, so every task result to one
//! of its calls is a finding.

use serde_json::{json, Value};

use super::{observe, tools};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::{Reply, RequestOptions};

/// The tasks extension's identifier.
const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// Call the tools the harness may call and look at every result.
pub async fn undeclared(context: &CaseContext<'_>) -> StepOutcome {
    let chosen = match tools::callable_tools(context).await {
        Ok(chosen) => chosen,
        Err(outcome) => return outcome,
    };
    let options = RequestOptions::default();
    let calls = chosen.iter().map(|(name, arguments)| context.session.request("tools/call", json!({ "name": name, "arguments": arguments }), &options));
    let exchanges = futures_util::future::join_all(calls).await;
    let advertised = context.server.capabilities.pointer("/extensions").and_then(Value::as_object).is_some_and(|e| e.contains_key(TASKS_EXTENSION));
    let mut outcome = StepOutcome::default();
    let mut answered = 0;
    for exchange in &exchanges {
        let Reply::Response(message) = &exchange.reply else { continue };
        answered += 1;
        let Some(result) = exchange.result() else { continue };
        if result.get("resultType").and_then(Value::as_str) != Some("task") {
            continue;
        }
        let tool = exchange.request.pointer("/params/name").and_then(Value::as_str).unwrap_or_default();
        let shown = observe::clip_message(message);
        outcome.findings.push(task_finding("TASKS-001", format!("`tools/call {tool}` was answered with a task, though the request's client capabilities name no tasks extension"), shown.clone()));
        if !advertised {
            outcome.findings.push(task_finding("TASKS-002", format!("`tools/call {tool}` was answered with a task, though the server advertises no `{TASKS_EXTENSION}` extension"), shown));
        }
    }
    if answered == 0 {
        return StepOutcome { inconclusive: vec!["no tool call was answered".into()], ..StepOutcome::default() };
    }
    outcome
}

fn task_finding(requirement: &str, message: String, actual: String) -> Draft {
    observe::draft(requirement, "MUST", message, "a complete (or input_required) result: resultType \"task\" only with the tasks extension on both sides", actual)
}
