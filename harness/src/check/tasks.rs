//! The tools a server offers as tasks (2025-11-25 `execution.taskSupport`).

use serde_json::{json, Value};

use super::tools::{list, name_of};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::schema::generate;

/// The kinds of `execution.taskSupport`; an absent one means forbidden.
const KINDS: [&str; 3] = ["required", "optional", "forbidden"];

fn task_support(tool: &Value) -> &str {
    tool.pointer("/execution/taskSupport").and_then(Value::as_str).unwrap_or("forbidden")
}

/// Finds one tool of each `taskSupport` kind whose arguments can be made
/// from its `inputSchema`, and captures `task_<kind>_tool` and
/// `task_<kind>_args` for later steps. A tool that may run as a task on a
/// server that does not declare `tasks.requests.tools.call` is a finding
/// (L-TASK-001): such a tool cannot be run as a task at all.
pub async fn tools(context: &CaseContext<'_>) -> StepOutcome {
    let tools = match list(context).await {
        Ok(tools) => tools,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let declared = context.server.capabilities.pointer("/tasks/requests/tools/call").is_some_and(Value::is_object);
    let offered: Vec<String> = tools.iter().filter(|t| task_support(t) != "forbidden").map(name_of).collect();
    if offered.is_empty() && !declared {
        outcome.inconclusive.push("the server offers no tool as a task and does not declare `tasks.requests.tools.call`".into());
        return outcome;
    }
    if !offered.is_empty() && !declared {
        outcome.findings.push(Draft {
            requirement: "L-TASK-001".into(),
            keyword: Some("MUST"),
            message: "tools declare `execution.taskSupport` but the server does not declare the `tasks.requests.tools.call` capability".into(),
            expected: "`capabilities.tasks.requests.tools.call` declared by a server that accepts task-augmented tool calls".into(),
            actual: format!("capabilities {}; task tools: {}", context.server.capabilities, offered.join(", ")),
            hint: None,
        });
        return outcome;
    }
    for kind in KINDS {
        let found = tools.iter().filter(|t| task_support(t) == kind).find_map(|tool| {
            let input = tool.get("inputSchema").cloned().unwrap_or_else(|| json!({ "type": "object" }));
            // Seed 0 leaves optional arguments out: the tool runs with its own defaults.
            generate::valid(&input, &input, 0).map(|arguments| (name_of(tool), arguments))
        });
        if let Some((name, arguments)) = found {
            outcome.captures.push((format!("task_{kind}_tool"), Value::String(name)));
            outcome.captures.push((format!("task_{kind}_args"), arguments));
        }
    }
    outcome
}
