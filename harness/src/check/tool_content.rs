//! What comes back from `tools/call` (`server/tools.mdx` §Tool Result):
//! media and resource blocks with valid values (TOOLS-016), structured
//! content also given as JSON text (TOOLS-009), embedded resources only
//! from a server that offers resources (TOOLS-015), and a stale state
//! handle answered with a tool execution error (TOOLS-020).

use serde_json::{json, Map, Value};

use super::content;
use super::lists::{describe, inconclusive, is_interim};
use super::observe;
use super::tools::callable_tools;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::unmapped;
use crate::session::{Reply, RequestOptions};

/// Call each tool the harness may call and judge the content of its result.
pub async fn content_blocks(context: &CaseContext<'_>) -> StepOutcome {
    let chosen = match callable_tools(context).await {
        Ok(chosen) => chosen,
        Err(outcome) => return outcome,
    };
    let calls = chosen.iter().map(|(name, arguments)| async move {
        let params = json!({ "name": name, "arguments": arguments });
        (name, context.session.request("tools/call", params, &RequestOptions::default()).await)
    });
    let mut outcome = StepOutcome::default();
    let mut judged = 0;
    let mut embedding_tool: Option<(String, Value)> = None;
    for (name, exchange) in futures_util::future::join_all(calls).await {
        if let Reply::NoResponse(why) | Reply::TooLarge(why) = &exchange.reply {
            // A tool may legitimately run longer than the deadline.
            outcome.inconclusive.push(format!("tool `{name}`: {why}"));
            continue;
        }
        // An error answer has no content; generated arguments may not suit the tool.
        let Some(result) = exchange.result() else { continue };
        if is_interim(result) {
            outcome.inconclusive.push(format!("tool `{name}` still asked for input after the answered rounds"));
            continue;
        }
        judged += 1;
        let blocks = result.get("content").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for problem in content::problems(blocks) {
            outcome.findings.push(Draft {
                requirement: "TOOLS-016".into(),
                keyword: Some("MUST"),
                message: format!("tool `{name}`: content block {}: {}", problem.index, problem.message),
                expected: "image and audio data in Base64 with a type/subtype mimeType; resource URIs that are RFC 3986 URIs".into(),
                actual: clip(&blocks.get(problem.index).map(Value::to_string).unwrap_or_default(), 300),
                hint: None,
            });
        }
        if content::embeds_resource(blocks) && embedding_tool.is_none() {
            embedding_tool = Some((name.clone(), result.clone()));
        }
        if let Some(draft) = structured_without_text(name, result) {
            outcome.findings.push(draft);
        }
    }
    if let Some((name, result)) = embedding_tool.filter(|_| !context.server.declares("resources")) {
        outcome.findings.push(Draft {
            requirement: "TOOLS-015".into(),
            keyword: Some("SHOULD"),
            message: format!("tool `{name}` returns an embedded resource, but the server does not declare the `resources` capability"),
            expected: "the resources capability declared by a server whose tools embed resources".into(),
            actual: clip(&result.to_string(), 300),
            hint: Some("Declare and implement resources, or return the data as text or a resource link instead"),
        });
    }
    if judged == 0 && outcome.findings.is_empty() && outcome.inconclusive.is_empty() {
        outcome.inconclusive.push("no tool call was answered with a result".into());
    }
    outcome
}

/// TOOLS-009: a result with `structuredContent` (not an error) also holds
/// a text block whose text is the same JSON value.
fn structured_without_text(tool: &str, result: &Value) -> Option<Draft> {
    let structured = result.get("structuredContent")?;
    if result.get("isError") == Some(&Value::Bool(true)) {
        return None;
    }
    let blocks = result.get("content").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let serialised = blocks.iter().filter(|b| b.get("type").and_then(Value::as_str) == Some("text")).any(|b| {
        b.get("text").and_then(Value::as_str).and_then(|text| serde_json::from_str::<Value>(text).ok()).as_ref() == Some(structured)
    });
    (!serialised).then(|| Draft {
        requirement: "TOOLS-009".into(),
        keyword: Some("SHOULD"),
        message: format!("tool `{tool}` returns structuredContent without the same JSON in a text block"),
        expected: format!("a text content block holding {}", clip(&structured.to_string(), 200)),
        actual: clip(&Value::Array(blocks.to_vec()).to_string(), 300),
        hint: Some("For clients without structured output, also return the structuredContent serialised as JSON in a text block"),
    })
}

/// TOOLS-020 (guidance, `tools.mdx` §Stateful Tools): the tool mapped to
/// the `stale-handle` role, called with a handle the server never issued,
/// answers with a tool execution error (`isError: true`), so that a model
/// learns to open a new handle.
pub async fn stale_handle(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.stale_handle.clone() else {
        return inconclusive(unmapped("stale-handle"));
    };
    let exchange = observe::call(context, &role, Map::new()).await;
    let what = format!("tool `{}` called with a handle it never issued", role.tool);
    let answered = match (&exchange.reply, exchange.result()) {
        (Reply::NoResponse(why) | Reply::TooLarge(why), _) => return inconclusive(format!("{what}: {why}")),
        (_, Some(result)) if is_interim(result) => return inconclusive(format!("{what} answered input_required")),
        (_, Some(result)) if result.get("isError") == Some(&Value::Bool(true)) => return StepOutcome::default(),
        (_, Some(_)) => "a result that is not an error",
        (_, None) => "a JSON-RPC error, which a model does not see as the tool's own answer",
    };
    StepOutcome {
        findings: vec![Draft {
            requirement: "TOOLS-020".into(),
            keyword: Some("SHOULD"),
            message: format!("{what} got {answered}"),
            expected: "a result with isError: true saying the handle is unknown or expired".into(),
            actual: describe(&exchange),
            hint: None,
        }],
        ..StepOutcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_content_needs_its_json_as_text() {
        let with_text = json!({"content": [{"type": "text", "text": "{\"sum\": 3}"}], "structuredContent": {"sum": 3}});
        assert!(structured_without_text("add", &with_text).is_none());
        let without = json!({"content": [{"type": "text", "text": "The sum is 3."}], "structuredContent": {"sum": 3}});
        assert_eq!(structured_without_text("add", &without).map(|d| d.requirement), Some("TOOLS-009".into()));
        // Arrays and scalars (2026-07-28) are compared as JSON values too.
        let array = json!({"content": [{"type": "text", "text": "[2, 3]"}], "structuredContent": [2, 3]});
        assert!(structured_without_text("primes", &array).is_none());
        let error = json!({"content": [{"type": "text", "text": "failed"}], "structuredContent": {}, "isError": true});
        assert!(structured_without_text("add", &error).is_none());
    }
}
