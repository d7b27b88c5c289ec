//! Checks on the tools a server exposes.

use serde_json::{json, Value};

use super::CallTools;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::schema::{generate, published};
use crate::session::{Reply, RequestOptions};

/// Most `tools/list` pages followed.
const MAX_PAGES: usize = 50;
/// Most tools called by one check.
const MAX_CALLS: usize = 25;

/// Every tool, following `nextCursor`; `Err` when listing fails.
pub(super) async fn list(context: &CaseContext<'_>) -> Result<Vec<Value>, StepOutcome> {
    let mut tools = Vec::new();
    let mut cursor: Option<Value> = None;
    for _ in 0..MAX_PAGES {
        let params = match &cursor {
            Some(cursor) => json!({ "cursor": cursor }),
            None => json!({}),
        };
        let exchange = context.session.request("tools/list", params, &RequestOptions::default()).await;
        let Some(result) = exchange.result() else {
            let actual = match &exchange.reply {
                Reply::Response(message) => clip(&message.to_string(), 300),
                Reply::NoResponse(why) => why.clone(),
                Reply::TooLarge(why) => {
                    return Err(StepOutcome { inconclusive: vec![format!("`tools/list`: {why}")], ..StepOutcome::default() })
                }
            };
            let draft = Draft {
                requirement: "TOOLS-002".into(),
                keyword: Some("MUST"),
                message: "`tools/list` failed although the server declared `tools`".into(),
                expected: "a ListToolsResult".into(),
                actual,
                hint: None,
            };
            return Err(StepOutcome { findings: vec![draft], ..StepOutcome::default() });
        };
        tools.extend(result.get("tools").and_then(Value::as_array).cloned().unwrap_or_default());
        cursor = result.get("nextCursor").filter(|c| c.is_string()).cloned();
        if cursor.is_none() {
            return Ok(tools);
        }
    }
    Err(StepOutcome { inconclusive: vec![format!("`tools/list` still had more pages after {MAX_PAGES}")], ..StepOutcome::default() })
}

pub(super) fn name_of(tool: &Value) -> String {
    tool.get("name").and_then(Value::as_str).unwrap_or("(unnamed)").to_string()
}

/// Each tool's `inputSchema` (and `outputSchema`) is a valid JSON Schema for an object.
pub async fn schemas(context: &CaseContext<'_>) -> StepOutcome {
    let tools = match list(context).await {
        Ok(tools) => tools,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    for tool in &tools {
        let name = name_of(tool);
        match tool.get("inputSchema") {
            Some(schema) => {
                if schema.get("type").and_then(Value::as_str) != Some("object") {
                    outcome.findings.push(Draft {
                        requirement: "TOOLS-006".into(),
                        keyword: Some("MUST"),
                        message: format!("tool `{name}`: `inputSchema` does not describe an object"),
                        expected: "an inputSchema with \"type\": \"object\"".into(),
                        actual: clip(&schema.to_string(), 300),
                        hint: None,
                    });
                }
                if let Err(why) = published::check(schema) {
                    outcome.findings.push(invalid_schema(&name, "inputSchema", schema, why));
                }
            }
            None => outcome.findings.push(Draft {
                requirement: "TOOLS-006".into(),
                keyword: Some("MUST"),
                message: format!("tool `{name}` has no `inputSchema`"),
                expected: "an inputSchema object".into(),
                actual: clip(&tool.to_string(), 300),
                hint: None,
            }),
        }
        if let Some(schema) = tool.get("outputSchema") {
            if let Err(why) = published::check(schema) {
                outcome.findings.push(invalid_schema(&name, "outputSchema", schema, why));
            }
        }
    }
    outcome
}

fn invalid_schema(tool: &str, field: &str, schema: &Value, why: String) -> Draft {
    Draft {
        requirement: "JSONRPC-020".into(),
        keyword: Some("MUST"),
        message: format!("tool `{tool}`: `{field}` is not a valid JSON Schema: {why}"),
        expected: "a schema valid under its `$schema` dialect (2020-12 when none is given)".into(),
        actual: clip(&schema.to_string(), 300),
        hint: None,
    }
}

/// May this tool be called with made-up arguments?
fn callable(tool: &Value, policy: CallTools) -> bool {
    // A tool that only runs as a task cannot be called plainly.
    if tool.pointer("/execution/taskSupport").and_then(Value::as_str) == Some("required") {
        return false;
    }
    match policy {
        CallTools::All => true,
        CallTools::None => false,
        CallTools::ReadOnly => tool.pointer("/annotations/readOnlyHint") == Some(&Value::Bool(true)),
    }
}

/// Call the tools it is safe to call with arguments generated from their
/// `inputSchema`; results are schema-checked on receipt, and `structuredContent`
/// must validate against the tool's `outputSchema`.
pub async fn results(context: &CaseContext<'_>) -> StepOutcome {
    let tools = match list(context).await {
        Ok(tools) => tools,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let chosen: Vec<&Value> = tools.iter().filter(|t| callable(t, context.options.call_tools)).take(MAX_CALLS).collect();
    if chosen.is_empty() {
        outcome.inconclusive.push(match context.options.call_tools {
            CallTools::None => "calling tools is turned off (--call-tools none)".into(),
            _ if tools.is_empty() => "the server lists no tools".into(),
            _ => "no tool is safe to call: none is annotated `readOnlyHint: true` (use --call-tools all to call them anyway)".into(),
        });
        return outcome;
    }
    // Every call is in flight at once: a slow tool does not hold up the others.
    let calls = chosen.into_iter().map(|tool| async move {
        let name = name_of(tool);
        let input = tool.get("inputSchema").cloned().unwrap_or_else(|| json!({ "type": "object" }));
        // Seed 0 leaves optional arguments out: the tool runs with its own defaults.
        let Some(arguments) = generate::valid(&input, &input, 0) else {
            return (tool, name, None);
        };
        let params = json!({ "name": name, "arguments": arguments });
        let exchange = context.session.request("tools/call", params, &RequestOptions::default()).await;
        (tool, name, Some(exchange))
    });
    let mut called = 0;
    for (tool, name, exchange) in futures_util::future::join_all(calls).await {
        let Some(exchange) = exchange else {
            outcome.inconclusive.push(format!("tool `{name}`: no arguments could be generated from its inputSchema"));
            continue;
        };
        let result = match &exchange.reply {
            Reply::NoResponse(why) | Reply::TooLarge(why) => {
                // A tool may legitimately run longer than the deadline.
                outcome.inconclusive.push(format!("tool `{name}`: {why}"));
                continue;
            }
            Reply::Response(_) => exchange.result(),
        };
        called += 1;
        // An error answer is legitimate (the generated arguments may not make
        // sense to the tool); the schema check on receipt covers its shape.
        let Some(result) = result else { continue };
        // Repeated input requests are allowed (S2C-010): no verdict on a call that never completed.
        if result.get("resultType").and_then(Value::as_str) == Some("input_required") {
            let rounds = crate::session::stateless::MAX_INPUT_ROUNDS;
            outcome.inconclusive.push(format!("tool `{name}` still asked for input after {rounds} answered rounds"));
            continue;
        }
        let is_error = result.get("isError") == Some(&Value::Bool(true));
        if let (Some(output), false) = (tool.get("outputSchema"), is_error) {
            outcome.findings.extend(check_structured(&name, output, result));
        }
    }
    if called == 0 && outcome.findings.is_empty() && outcome.inconclusive.is_empty() {
        outcome.inconclusive.push("no tool call completed".into());
    }
    outcome
}

fn check_structured(tool: &str, output_schema: &Value, result: &Value) -> Option<Draft> {
    let draft = |message: String, actual: String| Draft {
        requirement: "TOOLS-008".into(),
        keyword: Some("MUST"),
        message,
        expected: format!("structuredContent valid against the outputSchema {}", clip(&output_schema.to_string(), 200)),
        actual,
        hint: None,
    };
    let Some(structured) = result.get("structuredContent") else {
        return Some(draft(format!("tool `{tool}` declares an outputSchema but returned no structuredContent"), clip(&result.to_string(), 300)));
    };
    // An invalid outputSchema is reported by `tool-schemas`; nothing to decide here.
    let validator = published::compile(output_schema).ok()?;
    let errors: Vec<String> = validator.iter_errors(structured).take(3).map(|e| format!("at `{}`: {}", e.instance_path(), e.masked())).collect();
    (!errors.is_empty()).then(|| {
        draft(format!("tool `{tool}`: structuredContent does not match its outputSchema ({})", errors.join("; ")), clip(&structured.to_string(), 300))
    })
}
