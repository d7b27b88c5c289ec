//! `sampling-tool-loop` (2026-07-28, S2C-016): a server that continues a
//! tool-enabled sampling after the model stopped for `toolUse` answers
//! every `tool_use` block with a `tool_result` of the same id, in a user
//! message holding nothing but tool results.
//!
//! The check calls the tool of the `sampling-tools` role declaring the
//! harness's client capabilities plus `sampling.tools`. The first
//! `input_required` must hold a sampling request offering `tools`
//! (otherwise inconclusive); the harness answers it as a model that wants
//! the first offered tool: `stopReason: "toolUse"` and one `tool_use`
//! block under an id of its own. The server's next sampling request must
//! end with a user message whose blocks are all `tool_result`s, whose
//! `toolUseId`s are exactly the harness's ids (S2C-016), and whose
//! messages keep the two roles, tool results alone in their message
//! (S2C-017, judged as `client-request-shapes` does). A server that
//! finishes instead of continuing leaves the check inconclusive. The
//! continuation is then answered with plain text, to let the call end.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::client_input::{answers, inconclusive, retry, sampling_messages_problem, send};
use super::lists;
use super::observe;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::unmapped;
use crate::session::{client, stateless};
use crate::version::{era, Era};

/// The id of the harness's `tool_use` block.
const TOOL_USE_ID: &str = "mcp-conform-tool-use-1";

/// The sampling request among an interim result's `inputRequests`: its key and params.
fn sampling_request(interim: &Value) -> Option<(String, Value)> {
    let requests = interim.get("inputRequests").and_then(Value::as_object)?;
    requests.iter().find_map(|(key, request)| {
        (request.get("method").and_then(Value::as_str) == Some("sampling/createMessage"))
            .then(|| (key.clone(), request.get("params").cloned().unwrap_or(Value::Null)))
    })
}

/// The harness's answer as a model that calls the first offered tool.
fn tool_use_answer(params: &Value) -> Option<Value> {
    let tool = params.get("tools").and_then(Value::as_array)?.first()?.get("name")?.as_str()?;
    Some(json!({
        "role": "assistant",
        "content": [{ "type": "tool_use", "id": TOOL_USE_ID, "name": tool, "input": {} }],
        "model": "mcp-conform",
        "stopReason": "toolUse"
    }))
}

/// The content blocks of a message (one block or an array).
fn blocks(message: &Value) -> Vec<&Value> {
    match message.get("content") {
        Some(Value::Array(blocks)) => blocks.iter().collect(),
        Some(block) => vec![block],
        None => Vec::new(),
    }
}

/// What is wrong with how a continuation answers the harness's tool uses (S2C-016).
fn continuation_problem(params: &Value, tool_use_ids: &BTreeSet<String>) -> Option<String> {
    let messages = params.get("messages").and_then(Value::as_array);
    let Some(last) = messages.and_then(|m| m.last()) else {
        return Some("the continuation has no messages".into());
    };
    if last.get("role").and_then(Value::as_str) != Some("user") {
        return Some(format!("the continuation ends with a message of role {}, not the user's tool results", last.get("role").unwrap_or(&Value::Null)));
    }
    let content = blocks(last);
    let others = content.iter().filter(|b| b.get("type").and_then(Value::as_str) != Some("tool_result")).count();
    if content.is_empty() || others > 0 {
        return Some(format!("its last user message holds {others} block(s) that are not tool_result (of {})", content.len()));
    }
    let answered: BTreeSet<String> = content.iter().filter_map(|b| b.get("toolUseId").and_then(Value::as_str).map(str::to_owned)).collect();
    if &answered != tool_use_ids || answered.len() != content.len() {
        let wanted: Vec<&String> = tool_use_ids.iter().collect();
        let got: Vec<&String> = answered.iter().collect();
        return Some(format!("its tool_result blocks answer the ids {got:?} ({} blocks), not the tool_use ids {wanted:?}, one each", content.len()));
    }
    None
}

/// Run the check on the case's connection.
pub async fn tool_loop(context: &CaseContext<'_>) -> StepOutcome {
    let version = context.session.version.as_str();
    if era(version) != Era::Stateless {
        return StepOutcome { not_applicable: Some("the sampling loop is driven over multi round-trip requests (2026-07-28)".into()), ..StepOutcome::default() };
    }
    let Some(role) = context.options.fixtures.sampling_tools.clone() else {
        return inconclusive(unmapped("sampling-tools"));
    };
    let mut capabilities = client::capabilities(version);
    capabilities["sampling"]["tools"] = json!({});
    let meta = json!({ "io.modelcontextprotocol/clientCapabilities": capabilities });
    let params = stateless::with_meta(json!({ "name": role.tool, "arguments": role.arguments, "_meta": meta }), version);
    let first = send(context, &params).await;
    let what = format!("the sampling-tools tool `{}`", role.tool);
    let Some(interim) = first.result().filter(|r| lists::is_interim(r)).cloned() else {
        return inconclusive(observe::unusable(&what, &first).unwrap_or_else(|| format!("{what} asked for nothing")));
    };
    let Some((key, sampling)) = sampling_request(&interim) else {
        return inconclusive(format!("{what} asked for no sampling"));
    };
    let Some(answer) = tool_use_answer(&sampling) else {
        return inconclusive(format!("{what}'s sampling request offers no tools"));
    };
    let mut responses: Map<String, Value> = answers(version, &interim);
    responses.insert(key, answer);
    let second = send(context, &retry(&params, &interim, Value::Object(responses))).await;
    let Some(continued) = second.result().filter(|r| lists::is_interim(r)).cloned() else {
        return inconclusive(observe::unusable(&what, &second).unwrap_or_else(|| format!("{what} did not continue the sampling after the toolUse answer")));
    };
    let Some((key, continuation)) = sampling_request(&continued) else {
        return inconclusive(format!("{what} did not continue with a sampling request after the toolUse answer"));
    };
    let shown = clip(&continuation.to_string(), 500);
    let mut findings: Vec<Draft> = Vec::new();
    let ids = BTreeSet::from([TOOL_USE_ID.to_owned()]);
    if let Some(problem) = continuation_problem(&continuation, &ids) {
        findings.push(observe::draft(
            "S2C-016",
            "MUST",
            format!("after a toolUse answer, {problem}"),
            "a last user message of tool_result blocks only, one per tool_use, each with its toolUseId",
            shown.clone(),
        ));
    }
    if let Some(problem) = sampling_messages_problem(&continuation) {
        findings.push(observe::draft("S2C-017", "MUST", problem, "messages of role user or assistant; a user message returning tool results holds nothing else", shown));
    }
    // Let the call end: the model answers in text now.
    let mut responses = answers(version, &continued);
    responses.insert(key, json!({ "role": "assistant", "content": { "type": "text", "text": "mcp-conform final answer" }, "model": "mcp-conform", "stopReason": "endTurn" }));
    let _ = send(context, &retry(&params, &continued, Value::Object(responses))).await;
    StepOutcome { findings, ..StepOutcome::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn continuation(last: Value) -> Value {
        json!({ "messages": [
            { "role": "user", "content": { "type": "text", "text": "q" } },
            { "role": "assistant", "content": [{ "type": "tool_use", "id": TOOL_USE_ID, "name": "t", "input": {} }] },
            last
        ] })
    }

    fn result(id: &str) -> Value {
        json!({ "type": "tool_result", "toolUseId": id, "content": [] })
    }

    #[test]
    fn each_tool_use_is_answered_once_under_its_id() {
        let ids = BTreeSet::from([TOOL_USE_ID.to_owned()]);
        assert_eq!(continuation_problem(&continuation(json!({ "role": "user", "content": [result(TOOL_USE_ID)] })), &ids), None);
        let wrong = continuation_problem(&continuation(json!({ "role": "user", "content": [result("other")] })), &ids);
        assert!(wrong.is_some_and(|p| p.contains("other")));
        let twice = json!({ "role": "user", "content": [result(TOOL_USE_ID), result(TOOL_USE_ID)] });
        assert!(continuation_problem(&continuation(twice), &ids).is_some());
        let mixed = json!({ "role": "user", "content": [result(TOOL_USE_ID), { "type": "text", "text": "x" }] });
        assert!(continuation_problem(&continuation(mixed), &ids).is_some_and(|p| p.contains("not tool_result")));
        let assistant = json!({ "role": "assistant", "content": { "type": "text", "text": "x" } });
        assert!(continuation_problem(&continuation(assistant), &ids).is_some());
    }

    #[test]
    fn the_harness_calls_the_first_offered_tool() {
        let answer = tool_use_answer(&json!({ "tools": [{ "name": "get_weather" }] })).expect("a tool");
        assert_eq!(answer["content"][0]["name"], "get_weather");
        assert_eq!(answer["stopReason"], "toolUse");
        assert!(tool_use_answer(&json!({ "messages": [] })).is_none());
    }
}
