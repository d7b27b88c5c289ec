//! Checks on the prompts a server lists: argument errors (PROMPTS-007) and
//! the contents of their messages (PROMPTS-005, PROMPTS-006, RESOURCES-015).

use serde_json::{json, Value};

use super::lists::{self, describe, is_interim};
use super::message_content;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::{Exchange, RequestOptions};

/// Most prompts asked for by one check.
const MAX_PROMPTS: usize = 25;

/// A prompt name no server can have.
pub const ABSENT_PROMPT: &str = "mcp-conform-no-such-prompt";

/// `prompts/get` for an unknown prompt, and for each listed prompt with a
/// required argument without its arguments, is -32602 (PROMPTS-007).
pub async fn missing_arguments(context: &CaseContext<'_>) -> StepOutcome {
    let prompts = match lists::all_items(context, "prompts/list").await {
        Ok(items) => items,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let unknown = get(context, json!({ "name": ABSENT_PROMPT, "arguments": {} })).await;
    judge(&mut outcome, &unknown, &format!("the unknown prompt `{ABSENT_PROMPT}`"));
    let needing: Vec<&str> = prompts
        .iter()
        .filter(|p| p.get("arguments").and_then(Value::as_array).is_some_and(|args| args.iter().any(is_required)))
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .take(MAX_PROMPTS)
        .collect();
    let asks = needing.iter().map(|name| async move { (name, get(context, json!({ "name": name, "arguments": {} })).await) });
    for (name, exchange) in futures_util::future::join_all(asks).await {
        // A server may ask the user for what is missing (2026-07-28, PROMPTS-010).
        if exchange.result().is_some_and(is_interim) {
            outcome.inconclusive.push(format!("prompt `{name}` without its required arguments answered input_required"));
            continue;
        }
        judge(&mut outcome, &exchange, &format!("prompt `{name}` without its required arguments"));
    }
    outcome
}

fn is_required(argument: &Value) -> bool {
    argument.get("required") == Some(&Value::Bool(true))
}

async fn get(context: &CaseContext<'_>, params: Value) -> Exchange {
    context.session.request("prompts/get", params, &RequestOptions::default()).await
}

/// The answer must be error -32602.
fn judge(outcome: &mut StepOutcome, exchange: &Exchange, what: &str) {
    let message = match (exchange.result(), exchange.error_code()) {
        (_, Some(-32602)) => return,
        (Some(_), _) => format!("`prompts/get` for {what} was answered with a prompt"),
        (None, Some(code)) => format!("`prompts/get` for {what} was refused with code {code}, not -32602"),
        (None, None) => {
            outcome.inconclusive.push(format!("`prompts/get` for {what}: {}", describe(exchange)));
            return;
        }
    };
    outcome.findings.push(Draft {
        requirement: "PROMPTS-007".into(),
        keyword: None,
        message,
        expected: "error -32602 (Invalid params)".into(),
        actual: describe(exchange),
        hint: None,
    });
}

/// What a required argument is given when the server suggests nothing: a
/// string that is also a URI, for arguments that name a resource.
const PLACEHOLDER_ARGUMENT: &str = "mcp-conform:placeholder";

/// The arguments the harness gets `prompt` with: each required one set to
/// the server's first completion suggestion (when it offers completions),
/// else to [`PLACEHOLDER_ARGUMENT`].
pub(super) async fn arguments_for(context: &CaseContext<'_>, prompt: &Value) -> Value {
    let name = prompt.get("name").cloned().unwrap_or_default();
    let required: Vec<&str> = prompt
        .get("arguments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| is_required(a))
        .filter_map(|a| a.get("name").and_then(Value::as_str))
        .collect();
    let mut arguments = serde_json::Map::new();
    for argument in required {
        let mut value = PLACEHOLDER_ARGUMENT.to_string();
        if context.server.declares("completions") {
            let params = json!({ "ref": { "type": "ref/prompt", "name": name }, "argument": { "name": argument, "value": "" } });
            let exchange = context.session.request("completion/complete", params, &RequestOptions::default()).await;
            if let Some(first) = exchange.result().and_then(|r| r.pointer("/completion/values/0")).and_then(Value::as_str) {
                value = first.to_string();
            }
        }
        arguments.insert(argument.to_string(), json!(value));
    }
    Value::Object(arguments)
}

/// Get the listed prompts (the first [`MAX_PROMPTS`]) and judge the image,
/// audio and embedded resource blocks of their messages (PROMPTS-005,
/// PROMPTS-006) and the annotations of every block (RESOURCES-015).
/// Inconclusive when no prompt the harness could get holds such a block.
pub async fn message_contents(context: &CaseContext<'_>) -> StepOutcome {
    let prompts = match lists::all_items(context, "prompts/list").await {
        Ok(items) => items,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let mut judged = 0;
    let mut unavailable = Vec::new();
    for prompt in prompts.iter().take(MAX_PROMPTS) {
        let Some(name) = prompt.get("name").and_then(Value::as_str) else { continue };
        let arguments = arguments_for(context, prompt).await;
        let exchange = get(context, json!({ "name": name, "arguments": arguments })).await;
        // Made-up arguments may be refused, and a server may ask for input (PROMPTS-010).
        let Some(result) = exchange.result().filter(|r| !is_interim(r)) else {
            unavailable.push(name.to_string());
            continue;
        };
        let blocks = result.get("messages").and_then(Value::as_array).into_iter().flatten().filter_map(|m| m.get("content"));
        for block in blocks {
            judged += usize::from(message_content::is_media_or_resource(block));
            for problem in message_content::block_problems(block) {
                outcome.findings.push(Draft {
                    requirement: problem.requirement.into(),
                    keyword: Some(if problem.requirement == "RESOURCES-015" { "(schema)" } else { "MUST" }),
                    message: format!("prompt `{name}`: {}", problem.why),
                    expected: "images and audio as Base64 with a MIME type; embedded resources with a URI, a MIME type and a text or Base64 blob body; annotations in range".into(),
                    actual: clip(&block.to_string(), 300),
                    hint: None,
                });
            }
        }
    }
    if judged == 0 && outcome.findings.is_empty() {
        let mut why = "no prompt message the harness got holds an image, audio or embedded resource".to_string();
        if !unavailable.is_empty() {
            why.push_str(&format!("; not got: {}", unavailable.into_iter().take(5).collect::<Vec<_>>().join(", ")));
        }
        outcome.inconclusive.push(why);
    }
    outcome
}
