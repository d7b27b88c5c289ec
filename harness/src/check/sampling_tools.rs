//! `sampling-tool-loop` (2025-11-25 on, S2C-016): a server that continues
//! a tool-enabled sampling after the model stopped for `toolUse` answers
//! every `tool_use` block with a `tool_result` of the same id, in a user
//! message holding nothing but tool results.
//!
//! The check calls the tool of the `sampling-tools` role as a client that
//! declares the harness's capabilities plus `sampling.tools`, and answers
//! the first sampling request offering `tools` (otherwise inconclusive) as
//! a model that wants the first offered tool: `stopReason: "toolUse"` and
//! one `tool_use` block under an id of its own. The server's next sampling
//! request must end with a user message whose blocks are all
//! `tool_result`s, whose `toolUseId`s are exactly the harness's ids
//! (S2C-016), and whose messages keep the two roles, tool results alone in
//! their message (S2C-017, judged as `client-request-shapes` does). A
//! server that finishes instead of continuing leaves the check
//! inconclusive. The continuation is answered with plain text, to let the
//! call end.
//!
//! * 2025-11-25: on the case's fresh connection the check opens a session
//!   of its own whose `initialize` declares `sampling.tools`; the sampling
//!   requests are the server's own `sampling/createMessage` requests,
//!   answered by the connection (the first offering tools with the tool
//!   use) and read back from the transcript.
//! * 2026-07-28: the capabilities travel in each call's `_meta`, and the
//!   sampling requests are `input_required` entries answered in retries.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::client_input::{answers, inconclusive, retry, sampling_messages_problem, send};
use super::lists;
use super::observe;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};
use crate::session::client::{self, tool_use_answer, TOOL_USE_ID};
use crate::session::{stateful, stateless};
use crate::version::{at_least, era, Era};

/// The method of a sampling request.
const SAMPLING: &str = "sampling/createMessage";

/// The sampling request among an interim result's `inputRequests`: its key and params.
fn sampling_request(interim: &Value) -> Option<(String, Value)> {
    let requests = interim.get("inputRequests").and_then(Value::as_object)?;
    requests.iter().find_map(|(key, request)| {
        (request.get("method").and_then(Value::as_str) == Some(SAMPLING))
            .then(|| (key.clone(), request.get("params").cloned().unwrap_or(Value::Null)))
    })
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

/// What is wrong with a continuation `params` (S2C-016, S2C-017).
fn judge_continuation(continuation: &Value) -> Vec<Draft> {
    let shown = clip(&continuation.to_string(), 500);
    let mut findings = Vec::new();
    let ids = BTreeSet::from([TOOL_USE_ID.to_owned()]);
    if let Some(problem) = continuation_problem(continuation, &ids) {
        findings.push(observe::draft(
            "S2C-016",
            "MUST",
            format!("after a toolUse answer, {problem}"),
            "a last user message of tool_result blocks only, one per tool_use, each with its toolUseId",
            shown.clone(),
        ));
    }
    if let Some(problem) = sampling_messages_problem(continuation) {
        findings.push(observe::draft("S2C-017", "MUST", problem, "messages of role user or assistant; a user message returning tool results holds nothing else", shown));
    }
    findings
}

/// The client capabilities the check declares: the harness's and `sampling.tools`.
fn capabilities_with_tools(version: &str) -> Value {
    let mut capabilities = client::capabilities(version);
    capabilities["sampling"]["tools"] = json!({});
    capabilities
}

/// Run the check on the case's fresh connection.
pub async fn tool_loop(context: &CaseContext<'_>) -> StepOutcome {
    let version = context.session.version.as_str();
    if !at_least(version, "2025-11-25") {
        return StepOutcome { not_applicable: Some("tools in sampling came with 2025-11-25".into()), ..StepOutcome::default() };
    }
    let Some(role) = context.options.fixtures.sampling_tools.clone() else {
        return inconclusive(unmapped("sampling-tools"));
    };
    match era(version) {
        Era::Stateful => stateful_loop(context, &role).await,
        Era::Stateless => stateless_loop(context, &role).await,
    }
}

/// 2025-11-25: a session declaring `sampling.tools`, the tool called, and
/// the server's own sampling requests read from the transcript.
async fn stateful_loop(context: &CaseContext<'_>, role: &ToolRole) -> StepOutcome {
    let version = context.session.version.as_str();
    let connection = &context.session.connection;
    if let Err(why) = stateful::open_declaring(connection, version, capabilities_with_tools(version)).await {
        return inconclusive(format!("declaring sampling.tools: {why}"));
    }
    let mark = connection.mark();
    connection.answer_next_sampling_with_tool_use(true);
    let call = observe::call(context, role, Map::new()).await;
    connection.answer_next_sampling_with_tool_use(false);
    let what = format!("the sampling-tools tool `{}`", role.tool);
    let samplings: Vec<Value> = observe::received(&connection.since(mark))
        .iter()
        .filter(|seen| seen.method() == Some(SAMPLING) && seen.message.get("id").is_some())
        .map(|seen| seen.params().clone())
        .collect();
    let Some(offering) = samplings.iter().position(|params| tool_use_answer(params).is_some()) else {
        let why = observe::unusable(&what, &call).unwrap_or_else(|| format!("{what} sent no {SAMPLING} request offering tools"));
        return inconclusive(why);
    };
    let Some(continuation) = samplings.get(offering + 1) else {
        return inconclusive(format!("{what} sent no {SAMPLING} request after the toolUse answer: the sampling was not continued"));
    };
    StepOutcome { findings: judge_continuation(continuation), ..StepOutcome::default() }
}

/// 2026-07-28: the sampling requests are `input_required` entries, answered in retries.
async fn stateless_loop(context: &CaseContext<'_>, role: &ToolRole) -> StepOutcome {
    let version = context.session.version.as_str();
    let meta = json!({ "io.modelcontextprotocol/clientCapabilities": capabilities_with_tools(version) });
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
    let findings = judge_continuation(&continuation);
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
}
