//! Checks on the prompts a server lists.

use serde_json::{json, Value};

use super::lists::{self, describe, is_interim};
use crate::execute::{CaseContext, Draft, StepOutcome};
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
