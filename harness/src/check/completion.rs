//! `completion/complete` (`completion.mdx`) on the arguments of the listed
//! prompts and the variables of the listed resource templates.

use serde_json::{json, Value};

use super::http::not_applicable;
use super::lists::{self, describe, inconclusive, is_interim};
use super::prompts::ABSENT_PROMPT;
use super::resources::template_variables;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::{Exchange, RequestOptions};
use crate::version::at_least;

/// Most arguments completed by one check.
const MAX_COMPLETIONS: usize = 25;
/// The most values one `CompleteResult` may hold.
const MAX_VALUES: usize = 100;
/// The first version with a `completions` capability: 2024-11-05 has
/// `completion/complete` but nothing a server declares to offer it.
const CAPABILITY_SINCE: &str = "2025-03-26";
/// JSON-RPC "Method not found".
const METHOD_NOT_FOUND: i64 = -32601;

/// Not applicable when the version has the `completions` capability and the
/// server leaves it out (2024-11-05 has no capability: the checks ask).
fn left_undeclared(context: &CaseContext<'_>) -> Option<StepOutcome> {
    let undeclared = at_least(&context.session.version, CAPABILITY_SINCE) && !context.server.declares("completions");
    undeclared.then(|| not_applicable("the server did not declare the `completions` capability"))
}

/// What to say when the server lists nothing to complete: a server that
/// declares `completions` leaves the check undecided; in 2024-11-05 (no
/// capability) it offers no completion to judge.
fn nothing_to_complete(context: &CaseContext<'_>) -> StepOutcome {
    let why = "the server lists no prompt with arguments and no resource template with variables";
    if at_least(&context.session.version, CAPABILITY_SINCE) {
        return inconclusive(why.into());
    }
    not_applicable(&format!("{why}: nothing to complete (2024-11-05 has no completions capability)"))
}

/// What to say when no completion could be judged: in 2024-11-05 a server
/// that refused every ask as an unknown method offers no completion (not
/// applicable); otherwise the check could not decide (`why`).
fn nothing_judged<'e>(context: &CaseContext<'_>, asked: impl IntoIterator<Item = &'e Exchange>, why: String) -> StepOutcome {
    let mut asked = asked.into_iter().peekable();
    let unoffered = !at_least(&context.session.version, CAPABILITY_SINCE)
        && asked.peek().is_some()
        && asked.all(|e| e.error_code() == Some(METHOD_NOT_FOUND));
    if unoffered {
        return not_applicable("the server answers completion/complete with -32601: it offers no completion (2024-11-05 has no capability to declare it)");
    }
    inconclusive(why)
}

/// What can be completed: `(ref, argument name)`.
async fn targets(context: &CaseContext<'_>) -> Vec<(Value, String)> {
    let listed = |capability: &'static str, method: &'static str| async move {
        if context.server.declares(capability) { lists::all_items(context, method).await.unwrap_or_default() } else { Vec::new() }
    };
    // Both at once: a server that never answers costs one deadline, not two.
    let (prompts, templates) = futures_util::future::join(listed("prompts", "prompts/list"), listed("resources", "resources/templates/list")).await;
    let mut targets = Vec::new();
    for prompt in prompts {
        let Some(name) = prompt.get("name").and_then(Value::as_str) else { continue };
        let arguments = prompt.get("arguments").and_then(Value::as_array).cloned().unwrap_or_default();
        for argument in arguments.iter().filter_map(|a| a.get("name").and_then(Value::as_str)) {
            targets.push((json!({ "type": "ref/prompt", "name": name }), argument.to_string()));
        }
    }
    for template in templates {
        let Some(uri) = template.get("uriTemplate").and_then(Value::as_str) else { continue };
        for variable in template_variables(uri) {
            targets.push((json!({ "type": "ref/resource", "uri": uri }), variable));
        }
    }
    targets.truncate(MAX_COMPLETIONS);
    targets
}

async fn complete(context: &CaseContext<'_>, reference: &Value, argument: &str) -> Exchange {
    let params = json!({ "ref": reference, "argument": { "name": argument, "value": "" } });
    context.session.request("completion/complete", params, &RequestOptions::default()).await
}

fn label(reference: &Value, argument: &str) -> String {
    let target = reference.get("name").or_else(|| reference.get("uri")).map_or("?".to_string(), Value::to_string);
    format!("`{argument}` of {target}")
}

/// Complete every listed prompt argument and template variable from an
/// empty value: at most 100 values come back (UTIL-023).
pub async fn values(context: &CaseContext<'_>) -> StepOutcome {
    if let Some(outcome) = left_undeclared(context) {
        return outcome;
    }
    let targets = targets(context).await;
    if targets.is_empty() {
        return nothing_to_complete(context);
    }
    let asks = targets.iter().map(|(reference, argument)| async move { (reference, argument, complete(context, reference, argument).await) });
    let answers = futures_util::future::join_all(asks).await;
    let mut outcome = StepOutcome::default();
    let mut answered = 0;
    for (reference, argument, exchange) in &answers {
        // An argument without suggestions may be refused; that is not about the count.
        let Some(result) = exchange.result() else { continue };
        answered += 1;
        let Some(values) = result.pointer("/completion/values").and_then(Value::as_array) else { continue };
        if values.len() > MAX_VALUES {
            outcome.findings.push(Draft {
                requirement: "UTIL-023".into(),
                keyword: Some("(schema)"),
                message: format!("completing {} gave {} values, more than {MAX_VALUES}", label(reference, argument), values.len()),
                expected: format!("at most {MAX_VALUES} values (with hasMore: true for the rest)"),
                actual: clip(&result.to_string(), 300),
                hint: None,
            });
        }
    }
    if answered == 0 {
        let asked = answers.iter().map(|(_, _, exchange)| exchange);
        return nothing_judged(context, asked, format!("none of the {} completions asked for was answered with a result", targets.len()));
    }
    outcome
}

/// A server that does not declare `completions` does not serve
/// `completion/complete` (UTIL-022).
pub async fn undeclared(context: &CaseContext<'_>) -> StepOutcome {
    if context.server.declares("completions") {
        // Declared: whether it is served is for the other completion cases.
        return StepOutcome::default();
    }
    let (reference, argument) = targets(context)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| (json!({ "type": "ref/prompt", "name": ABSENT_PROMPT }), "argument".to_string()));
    let exchange = complete(context, &reference, &argument).await;
    match exchange.result() {
        Some(result) if !is_interim(result) => StepOutcome {
            findings: vec![Draft {
                requirement: "UTIL-022".into(),
                keyword: Some("MUST"),
                message: format!("`completion/complete` is served (for {}) but the `completions` capability is not declared", label(&reference, &argument)),
                expected: "the completions capability declared, or no completion/complete (error -32601)".into(),
                actual: describe(&exchange),
                hint: None,
            }],
            ..StepOutcome::default()
        },
        Some(_) => inconclusive("`completion/complete` answered input_required".into()),
        None => StepOutcome::default(),
    }
}

/// UTIL-025, the part a black box can decide: suggestions are sorted by
/// relevance, so a value typed exactly as one of the server's own
/// suggestions comes back first when it comes back at all. (Fuzzy
/// matching, rate limits and input validation leave nothing to compare.)
pub async fn ranking(context: &CaseContext<'_>) -> StepOutcome {
    if let Some(outcome) = left_undeclared(context) {
        return outcome;
    }
    let targets = targets(context).await;
    if targets.is_empty() {
        return nothing_to_complete(context);
    }
    let asks = targets.iter().map(|(reference, argument)| async move {
        let suggested = complete(context, reference, argument).await;
        // The second suggestion: the first would come first in any order.
        let Some(typed) = suggested.result().and_then(|r| r.pointer("/completion/values/1")).and_then(Value::as_str).map(str::to_string) else {
            return (suggested, None);
        };
        let params = json!({ "ref": reference, "argument": { "name": argument, "value": typed } });
        let exchange = context.session.request("completion/complete", params, &RequestOptions::default()).await;
        (suggested, Some((reference, argument, typed, exchange)))
    });
    let (suggestions, retyped): (Vec<Exchange>, Vec<_>) = futures_util::future::join_all(asks).await.into_iter().unzip();
    let mut outcome = StepOutcome::default();
    let mut compared = 0;
    for (reference, argument, typed, exchange) in retyped.into_iter().flatten() {
        let Some(values) = exchange.result().and_then(|r| r.pointer("/completion/values")).and_then(Value::as_array) else { continue };
        let Some(rank) = values.iter().position(|v| v.as_str() == Some(typed.as_str())) else { continue };
        compared += 1;
        if rank > 0 {
            outcome.findings.push(Draft {
                requirement: "UTIL-025".into(),
                keyword: Some("SHOULD"),
                message: format!("completing {} from {typed:?}, the exact match comes back at position {} of {}", label(reference, argument), rank + 1, values.len()),
                expected: format!("{typed:?} first: an exact match is the most relevant suggestion"),
                actual: describe(&exchange),
                hint: Some("Sort completion values by relevance to the typed value, exact matches first"),
            });
        }
    }
    if compared == 0 && outcome.findings.is_empty() {
        return nothing_judged(context, &suggestions, "no completion offered two suggestions and then the second again when it was typed".into());
    }
    outcome
}
