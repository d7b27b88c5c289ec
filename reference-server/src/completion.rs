//! `completion/complete` (completion.mdx) for prompt arguments and
//! resource-template variables.
//!
//! | `ref` | argument | candidates |
//! | ----- | -------- | ---------- |
//! | `ref/prompt` `greeting` | `style` | the styles of [`crate::prompts::STYLES`] |
//! | `ref/prompt` `summarize-item` | `id` | `1` … `120` |
//! | `ref/resource` `ref://items/{id}` | `id` | `1` … `120` |
//! | `ref/resource` `ref://bytes/{size}` | `size` | a few sizes |
//! | `ref/resource` `ref://greetings/{name}` | `name` | a few names |
//!
//! Candidates that start with `argument.value` (ignoring case) match, in
//! their fixed order. At most [`MAX_VALUES`] are returned (UTIL-023), with
//! `total` (all matches) and `hasMore` (whether some were left out); an
//! empty `id` thus gives 100 values, `total: 120`, `hasMore: true`.
//! `context.arguments` (2025-06-18+) is accepted and does not narrow
//! anything. An unknown prompt, template, argument or `ref` type is -32602
//! (UTIL-024; the `completion-unknown-ref-accepted` fault answers an
//! unknown prompt, template or argument with no values instead). The method exists in every version (2024-11-05 has it
//! without a capability to declare); `completions` is declared from
//! 2025-03-26 (UTIL-022).

use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::protocol::RpcError;
use crate::{prompts, resources};

/// Most values in one `CompleteResult`.
pub const MAX_VALUES: usize = 100;

fn string_in<'a>(object: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a str, RpcError> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params(format!("{what} needs a string \"{key}\"")))
}

/// `completion/complete`: the `CompleteResult` (without 2026-07-28 decoration).
pub fn complete(faults: FaultSet, params: &Map<String, Value>) -> Result<Map<String, Value>, RpcError> {
    let Some(reference) = params.get("ref").and_then(Value::as_object) else {
        return Err(RpcError::invalid_params("completion/complete needs a \"ref\" object"));
    };
    let Some(argument) = params.get("argument").and_then(Value::as_object) else {
        return Err(RpcError::invalid_params("completion/complete needs an \"argument\" object"));
    };
    let name = string_in(argument, "name", "\"argument\"")?;
    let value = string_in(argument, "value", "\"argument\"")?;
    match params.get("context") {
        None | Some(Value::Object(_)) => {}
        Some(_) => return Err(RpcError::invalid_params("\"context\" must be an object")),
    }
    let candidates = match string_in(reference, "type", "\"ref\"")? {
        "ref/prompt" => prompts::completion_candidates(string_in(reference, "name", "a ref/prompt")?, name),
        "ref/resource" => {
            let uri = string_in(reference, "uri", "a ref/resource")?;
            resources::completion_candidates(uri, name)
                .ok_or_else(|| RpcError::invalid_params(format!("No resource template {uri:?} with a variable {name:?}")))
        }
        other => return Err(RpcError::invalid_params(format!("Unknown ref type {other:?}"))),
    };
    let candidates = match candidates {
        // The fault completes what does not exist as if it had no suggestions.
        Err(_) if faults.contains(Fault::CompletionUnknownRefAccepted) => Vec::new(),
        other => other?,
    };
    // The fault ignores what was typed.
    let prefix = if faults.contains(Fault::CompletionUnranked) { String::new() } else { value.to_lowercase() };
    let matches: Vec<String> = candidates.into_iter().filter(|c| c.to_lowercase().starts_with(&prefix)).collect();
    let total = matches.len();
    let limit = if faults.contains(Fault::CompletionTooManyValues) { usize::MAX } else { MAX_VALUES };
    let values: Vec<String> = matches.into_iter().take(limit).collect();
    let mut result = Map::new();
    result.insert("completion".into(), json!({"values": values, "total": total, "hasMore": total > values.len()}));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn run(faults: FaultSet, v: Value) -> Result<Value, RpcError> {
        complete(faults, v.as_object().unwrap()).map(|r| r["completion"].clone())
    }

    #[test]
    fn template_ids_are_capped_at_100() {
        let all = run(FaultSet::NONE, json!({"ref": {"type": "ref/resource", "uri": "ref://items/{id}"}, "argument": {"name": "id", "value": ""}})).unwrap();
        assert_eq!(all["values"].as_array().unwrap().len(), 100);
        assert_eq!((all["total"].clone(), all["hasMore"].clone()), (json!(120), json!(true)));
        let ones = run(FaultSet::NONE, json!({"ref": {"type": "ref/resource", "uri": "ref://items/{id}"}, "argument": {"name": "id", "value": "1"}})).unwrap();
        assert_eq!((ones["total"].clone(), ones["hasMore"].clone()), (json!(32), json!(false)));
        let too_many = run(
            FaultSet::only(Fault::CompletionTooManyValues),
            json!({"ref": {"type": "ref/prompt", "name": "summarize-item"}, "argument": {"name": "id", "value": ""}}),
        )
        .unwrap();
        assert_eq!(too_many["values"].as_array().unwrap().len(), 120);
    }

    #[test]
    fn prompt_arguments() {
        let r = run(
            FaultSet::NONE,
            json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "style", "value": "P"}, "context": {"arguments": {"name": "Ada"}}}),
        )
        .unwrap();
        assert_eq!(r["values"], json!(["pirate", "poetic"]));
        let none = run(FaultSet::NONE, json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "name", "value": ""}})).unwrap();
        assert_eq!(none, json!({"values": [], "total": 0, "hasMore": false}));
    }

    #[test]
    fn errors() {
        for bad in [
            json!({}),
            json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "mood", "value": ""}}),
            json!({"ref": {"type": "ref/resource", "uri": "ref://nope/{x}"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/other"}, "argument": {"name": "x", "value": ""}}),
            json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "style"}}),
            json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "style", "value": ""}, "context": 1}),
        ] {
            assert_eq!(run(FaultSet::NONE, bad.clone()).unwrap_err().code, code::INVALID_PARAMS, "{bad}");
        }
        let lax = FaultSet::only(Fault::CompletionUnknownRefAccepted);
        let unknown = json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "x", "value": ""}});
        assert_eq!(run(lax, unknown).unwrap(), json!({"values": [], "total": 0, "hasMore": false}));
    }
}
