//! Tool arguments that violate the tool's own `inputSchema`: the server must
//! not run the tool as if they were fine (TOOLS-018), and since 2025-11-25
//! it reports them as a tool execution error, `isError: true`, rather than
//! a JSON-RPC error (TOOLS-011).

use serde_json::{json, Map, Value};

use super::lists::{describe, inconclusive, is_interim};
use super::tools::{callable, list, name_of};
use super::CallTools;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::schema::{generate, published};
use crate::session::{Exchange, Reply, RequestOptions};

/// Most tools called by one check.
const MAX_CALLS: usize = 25;
/// The first version whose tools.mdx lists input validation errors under
/// tool execution errors.
const TOOL_ERRORS_SINCE: &str = "2025-11-25";

/// What a check concludes from one call.
enum Judged {
    Fine,
    Finding(Draft),
    Undecided(String),
}

/// Arguments that certainly fail `schema`: a required property left out,
/// or else a scalar property given an object. `None` when neither applies.
pub fn invalid_arguments(schema: &Value) -> Option<(Value, String)> {
    let validator = published::compile(schema).ok()?;
    // Seed 0 leaves optional properties out.
    let valid = generate::valid(schema, schema, 0).filter(Value::is_object).unwrap_or_else(|| json!({}));
    let required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    for name in required {
        let mut arguments = valid.clone();
        if let Some(map) = arguments.as_object_mut() {
            map.remove(name);
        }
        // Checked, so that no reasoning about the schema can be wrong.
        if !validator.is_valid(&arguments) {
            return Some((arguments, format!("the required argument `{name}` left out")));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_else(Map::new);
    for (name, property) in &properties {
        let scalar = matches!(property.get("type").and_then(Value::as_str), Some("string" | "number" | "integer" | "boolean"));
        if !scalar {
            continue;
        }
        let mut arguments = valid.clone();
        if let Some(map) = arguments.as_object_mut() {
            map.insert(name.clone(), json!({ "mcp-conform": "an object where the schema wants a scalar" }));
        }
        if !validator.is_valid(&arguments) {
            return Some((arguments, format!("an object for the {} argument `{name}`", property["type"])));
        }
    }
    None
}

/// Call every tool the harness may call with arguments that violate its
/// `inputSchema`, then judge each answer with `judge`.
async fn call_invalid(context: &CaseContext<'_>, judge: fn(&CaseContext<'_>, &str, &str, &Exchange) -> Judged) -> StepOutcome {
    let tools = match list(context).await {
        Ok(tools) => tools,
        Err(outcome) => return outcome,
    };
    let policy = context.options.call_tools;
    let chosen: Vec<(String, Value, String)> = tools
        .iter()
        .filter(|tool| callable(tool, policy))
        .filter_map(|tool| {
            let (arguments, how) = invalid_arguments(tool.get("inputSchema")?)?;
            Some((name_of(tool), arguments, how))
        })
        .take(MAX_CALLS)
        .collect();
    if chosen.is_empty() {
        return inconclusive(match policy {
            CallTools::None => "calling tools is turned off (--call-tools none)".into(),
            _ if tools.is_empty() => "the server lists no tools".into(),
            _ => "no tool the harness may call has a required or scalar argument to get wrong (--call-tools all widens the choice)".into(),
        });
    }
    let calls = chosen.iter().map(|(name, arguments, how)| async move {
        let params = json!({ "name": name, "arguments": arguments });
        (name, how, context.session.request("tools/call", params, &RequestOptions::default()).await)
    });
    let mut outcome = StepOutcome::default();
    for (name, how, exchange) in futures_util::future::join_all(calls).await {
        match judge(context, name, how, &exchange) {
            Judged::Fine => {}
            Judged::Finding(draft) => outcome.findings.push(draft),
            Judged::Undecided(why) => outcome.inconclusive.push(format!("tool `{name}`: {why}")),
        }
    }
    outcome
}

/// The answer, unless it cannot be judged.
fn answer(exchange: &Exchange) -> Result<&Value, String> {
    match &exchange.reply {
        Reply::Response(message) if message.get("result").is_some_and(is_interim) => Err("the call answered input_required".into()),
        Reply::Response(message) => Ok(message),
        // A tool may legitimately run longer than the deadline.
        Reply::NoResponse(why) | Reply::TooLarge(why) => Err(why.clone()),
    }
}

/// TOOLS-018: an error of either kind, never a plain result.
fn rejected(_context: &CaseContext<'_>, name: &str, how: &str, exchange: &Exchange) -> Judged {
    let message = match answer(exchange) {
        Ok(message) => message,
        Err(why) => return Judged::Undecided(why),
    };
    let Some(result) = message.get("result") else { return Judged::Fine };
    if result.get("isError") == Some(&Value::Bool(true)) {
        return Judged::Fine;
    }
    Judged::Finding(Draft {
        requirement: "TOOLS-018".into(),
        keyword: Some("MUST"),
        message: format!("tool `{name}` ran with arguments that violate its inputSchema ({how}) and reported no error"),
        expected: "a result with isError: true (or, before 2025-11-25, a JSON-RPC error)".into(),
        actual: format!("arguments {} got {}", clip(&exchange.request["params"]["arguments"].to_string(), 200), describe(exchange)),
        hint: None,
    })
}

/// TOOLS-011 (2025-11-25+): the error is a tool execution error.
fn as_tool_error(context: &CaseContext<'_>, name: &str, how: &str, exchange: &Exchange) -> Judged {
    let message = match answer(exchange) {
        Ok(message) => message,
        Err(why) => return Judged::Undecided(why),
    };
    if message.get("error").is_none() || context.session.version.as_str() < TOOL_ERRORS_SINCE {
        return Judged::Fine;
    }
    Judged::Finding(Draft {
        requirement: "TOOLS-011".into(),
        keyword: Some("SHOULD"),
        message: format!("tool `{name}`: arguments that violate its inputSchema ({how}) got a JSON-RPC error, not a tool execution error"),
        expected: "a CallToolResult with isError: true, whose content says what is wrong".into(),
        actual: describe(exchange),
        hint: None,
    })
}

/// Arguments that violate the `inputSchema` are rejected (TOOLS-018).
pub async fn invalid_rejected(context: &CaseContext<'_>) -> StepOutcome {
    call_invalid(context, rejected).await
}

/// Arguments that violate the `inputSchema` get `isError: true` (TOOLS-011).
pub async fn invalid_as_tool_error(context: &CaseContext<'_>) -> StepOutcome {
    call_invalid(context, as_tool_error).await
}

#[cfg(test)]
mod tests {
    use super::invalid_arguments;
    use serde_json::json;

    #[test]
    fn a_required_argument_is_left_out() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]});
        let (arguments, how) = invalid_arguments(&schema).unwrap();
        assert!(arguments.get("a").is_none() && arguments.get("b").is_some(), "{arguments}");
        assert!(how.contains("`a`"));
    }

    #[test]
    fn a_scalar_gets_an_object_when_nothing_is_required() {
        let schema = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let (arguments, _) = invalid_arguments(&schema).unwrap();
        assert!(arguments["n"].is_object());
    }

    #[test]
    fn nothing_to_get_wrong() {
        assert!(invalid_arguments(&json!({"type": "object"})).is_none());
        // An object is welcome where any type is.
        assert!(invalid_arguments(&json!({"type": "object", "properties": {"x": {}}})).is_none());
    }
}
