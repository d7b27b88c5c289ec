//! The `weather_agent` fixture tool (2025-11-25 and 2026-07-28): a
//! tool-enabled sampling loop (`client/sampling.mdx` §Tools in Sampling),
//! for clients that declare `sampling.tools`.
//!
//! 1. The server asks the client's model a question, with the tool
//!    `get_weather {city}` in `tools` and `toolChoice: {mode: "auto"}`.
//! 2. When the client's answer stopped for `toolUse`, the server runs
//!    every `tool_use` block it holds and asks again: the conversation so
//!    far, the assistant's `tool_use` blocks as received, then one user
//!    message holding only a `tool_result` per `tool_use`, with the same
//!    id (S2C-016, S2C-017).
//! 3. Any other answer (or the answer to the continuation) ends the call
//!    with the model's text.
//!
//! In 2026-07-28 ([`run`]) each question is an `input_required` result
//! with one `sampling` entry, and the conversation travels in the sealed
//! `requestState`. In 2025-11-25 ([`run_stateful`]) each question is a
//! `sampling/createMessage` request of the server's own, sent after
//! `notifications/initialized` (L-LIFE-003), and the conversation stays in
//! the running call. Without `sampling.tools` declared the call is a tool
//! error (S2C-014: no tools may be offered then). The
//! `sampling-tool-result-id-mismatch` fault answers each `tool_use` under
//! another id.

use serde_json::{json, Map, Value};

use crate::ask::{no_request_state, read_retry, Stateless, STATE_TTL_SECS};
use crate::dispatch::LegacySession;
use crate::faults::{Fault, FaultSet};
use crate::peer::ClientLink;
use crate::protocol::RpcError;
use crate::request_state;
use crate::tools::Output;

/// The tool's name.
pub const TOOL_NAME: &str = "weather_agent";

/// The `inputRequests` / `inputResponses` key.
const KEY: &str = "sampling";

/// The question the model is asked.
const QUESTION: &str = "What is the weather in Paris? Use the get_weather tool.";

/// The tool offered to the model.
fn weather_tool() -> Value {
    json!({
        "name": "get_weather",
        "description": "The current weather in a city.",
        "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    })
}

/// Whether the request's client capabilities declare `sampling.tools`.
pub fn declared(client_capabilities: &Map<String, Value>) -> bool {
    client_capabilities.get("sampling").and_then(|s| s.get("tools")).is_some_and(Value::is_object)
}

/// The refusal of a client that did not declare `sampling.tools`.
const NEEDS_SAMPLING_TOOLS: &str = "This tool lets the model use tools, which needs the client's sampling.tools capability.";

/// The params of the `sampling/createMessage` that continues `messages`.
fn sampling_params(messages: &[Value]) -> Value {
    json!({"messages": messages, "tools": [weather_tool()], "toolChoice": {"mode": "auto"}, "maxTokens": 200})
}

/// The user message that starts the conversation.
fn question() -> Value {
    json!({"role": "user", "content": {"type": "text", "text": QUESTION}})
}

/// The `sampling/createMessage` entry continuing `messages`, with the state.
fn ask(messages: Vec<Value>, call: &str) -> Stateless {
    let request = json!({"method": "sampling/createMessage", "params": sampling_params(&messages)});
    let state = json!({"v": "tool-loop", "call": call, "messages": messages, "expires": request_state::now() + STATE_TTL_SECS});
    let mut result = Map::new();
    result.insert("resultType".into(), json!("input_required"));
    result.insert("inputRequests".into(), json!({ KEY: request }));
    result.insert("requestState".into(), json!(request_state::seal(&state)));
    Stateless::InputRequired(result)
}

/// The conversation a state holds, if it is this call's and still valid.
fn conversation(state: &str, call: &str) -> Result<Vec<Value>, &'static str> {
    let payload = request_state::open(state)?;
    if payload.get("v").and_then(Value::as_str) != Some("tool-loop") || payload.get("call").and_then(Value::as_str) != Some(call) {
        return Err("it belongs to another request");
    }
    if payload.get("expires").and_then(Value::as_u64).is_none_or(|e| e < request_state::now()) {
        return Err("it has expired; call the tool again without inputResponses");
    }
    payload.get("messages").and_then(Value::as_array).cloned().ok_or("it holds no conversation")
}

/// The content blocks of a sampling result or message (one block or an array).
fn blocks(content: Option<&Value>) -> Vec<Value> {
    match content {
        Some(Value::Array(blocks)) => blocks.clone(),
        Some(block) => vec![block.clone()],
        None => Vec::new(),
    }
}

/// What running `get_weather` for one `tool_use` block gives.
fn tool_result(tool_use: &Value, faults: FaultSet) -> Value {
    let id = tool_use.get("id").and_then(Value::as_str).unwrap_or_default();
    let answered = if faults.contains(Fault::SamplingToolResultIdMismatch) { format!("{id}-other") } else { id.to_owned() };
    let city = tool_use.pointer("/input/city").and_then(Value::as_str).unwrap_or("Paris");
    json!({"type": "tool_result", "toolUseId": answered, "content": [{"type": "text", "text": format!("{city}: 18 °C, light rain")}]})
}

/// Whether `answer` has the members every `CreateMessageResult` has.
fn is_sampling_result(answer: &Value) -> bool {
    answer.get("role").is_some_and(Value::is_string) && answer.get("content").is_some()
}

/// `messages` continued after the model's `answer`: its `tool_use` blocks,
/// then a user message with their results, when the model stopped for
/// `toolUse` in the first round; `None` when the loop ends here.
fn continued(mut messages: Vec<Value>, answer: &Value, faults: FaultSet) -> Option<Vec<Value>> {
    let tool_uses: Vec<Value> =
        blocks(answer.get("content")).into_iter().filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use")).collect();
    // Only the first answer may lead to tools: the continuation's answer ends the loop.
    let first_round = messages.len() == 1;
    if answer.get("stopReason").and_then(Value::as_str) != Some("toolUse") || tool_uses.is_empty() || !first_round {
        return None;
    }
    let results: Vec<Value> = tool_uses.iter().map(|t| tool_result(t, faults)).collect();
    messages.push(json!({"role": "assistant", "content": tool_uses}));
    messages.push(json!({"role": "user", "content": results}));
    Some(messages)
}

/// The call's final output: the model's text.
fn final_text(answer: &Value) -> Output {
    let content = blocks(answer.get("content"));
    let text: Vec<&str> = content.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect();
    Output::Text(format!("The model answered: {}", text.join(" ")))
}

/// The tool in a 2025-11-25 session: the loop over `sampling/createMessage`
/// requests sent to the client over `link`.
pub async fn run_stateful(session: LegacySession, faults: FaultSet, link: Option<&ClientLink>) -> Output {
    if !session.capabilities.sampling_tools {
        return Output::Failure(NEEDS_SAMPLING_TOOLS.into());
    }
    if !session.initialized {
        return Output::Failure("weather_agent asks the client only after notifications/initialized; send it first.".into());
    }
    let Some(link) = link else {
        return Output::Failure("weather_agent cannot reach the client on this connection.".into());
    };
    let mut messages = vec![question()];
    loop {
        let answer = match link.request("sampling/createMessage", Some(sampling_params(&messages))).await {
            Ok(answer) => answer,
            Err(failure) => return Output::Failure(format!("sampling/createMessage failed: {failure}.")),
        };
        if !is_sampling_result(&answer) {
            return Output::Failure("sampling/createMessage: the client's answer is not a CreateMessageResult (role and content).".into());
        }
        match continued(messages, &answer, faults) {
            Some(next) => messages = next,
            None => return final_text(&answer),
        }
    }
}

/// The tool in 2026-07-28; `params` are the `tools/call` params.
pub fn run(client_capabilities: &Map<String, Value>, faults: FaultSet, params: &Map<String, Value>) -> Result<Stateless, RpcError> {
    if !declared(client_capabilities) {
        return Ok(Stateless::Done(Output::Failure(NEEDS_SAMPLING_TOOLS.into())));
    }
    let retry = read_retry(params, TOOL_NAME)?;
    let Some(state) = retry.state else {
        if retry.responses.is_some() {
            return Ok(Stateless::Done(no_request_state()));
        }
        return Ok(ask(vec![question()], &retry.call));
    };
    let messages = match conversation(state, &retry.call) {
        Ok(messages) => messages,
        Err(why) => return Ok(Stateless::Done(Output::Failure(format!("The requestState was rejected: {why}.")))),
    };
    let Some(answer) = retry.responses.and_then(|r| r.get(KEY)) else {
        return Ok(ask(messages, &retry.call));
    };
    if !is_sampling_result(answer) {
        return Err(RpcError::invalid_params("inputResponses[\"sampling\"] is not a CreateMessageResult (role and content)"));
    }
    match continued(messages, answer, faults) {
        Some(next) => Ok(ask(next, &retry.call)),
        None => Ok(Stateless::Done(final_text(answer))),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::*;
    use crate::peer::Peer;
    use crate::protocol::{ClientCapabilities, ProtocolVersion};

    fn call(extra: Value) -> Map<String, Value> {
        let mut params = json!({"name": TOOL_NAME, "arguments": {}});
        if let (Some(p), Value::Object(e)) = (params.as_object_mut(), extra) {
            p.extend(e);
        }
        params.as_object().cloned().unwrap_or_default()
    }

    fn interim(s: Stateless) -> Map<String, Value> {
        match s {
            Stateless::InputRequired(r) => r,
            Stateless::Done(o) => panic!("done: {o:?}"),
        }
    }

    #[test]
    fn a_tool_use_is_answered_under_its_id() {
        let caps = json!({"sampling": {"tools": {}}}).as_object().cloned().unwrap_or_default();
        let first = interim(run(&caps, FaultSet::NONE, &call(json!({}))).expect("asks"));
        assert_eq!(first["inputRequests"][KEY]["params"]["tools"][0]["name"], "get_weather");
        let answer = json!({"role": "assistant", "model": "m", "stopReason": "toolUse",
            "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Oslo"}}]});
        let retry = call(json!({"inputResponses": {KEY: answer}, "requestState": first["requestState"]}));
        let second = interim(run(&caps, FaultSet::NONE, &retry).expect("continues"));
        let messages = second["inputRequests"][KEY]["params"]["messages"].as_array().expect("messages").clone();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[2]["role"], "user");
        assert_eq!(messages[2]["content"][0]["toolUseId"], "t1");
        let mut faults = FaultSet::NONE;
        faults.insert(Fault::SamplingToolResultIdMismatch);
        let wrong = interim(run(&caps, faults, &retry).expect("continues"));
        assert_eq!(wrong["inputRequests"][KEY]["params"]["messages"][2]["content"][0]["toolUseId"], "t1-other");
        let done = json!({"role": "assistant", "model": "m", "content": {"type": "text", "text": "Rainy."}});
        let last = call(json!({"inputResponses": {KEY: done}, "requestState": second["requestState"]}));
        assert!(matches!(run(&caps, FaultSet::NONE, &last), Ok(Stateless::Done(Output::Text(t))) if t.contains("Rainy")));
    }

    /// Runs the 2025-11-25 tool, answering its sampling requests with
    /// `answer(n)` (n counts from 0); the output and the requests sent.
    async fn run_stateful_with(capabilities: ClientCapabilities, faults: FaultSet, answer: fn(usize) -> Value) -> (Output, Vec<Value>) {
        let peer = Peer::new();
        let (tx, mut rx) = mpsc::channel(8);
        let link = ClientLink::new(peer.clone(), tx, Duration::from_millis(500));
        let client = tokio::spawn(async move {
            let mut seen = Vec::new();
            while let Some(message) = rx.recv().await {
                if let Some(id) = message.get("id") {
                    peer.deliver(json!({"jsonrpc": "2.0", "id": id, "result": answer(seen.len())}));
                }
                seen.push(message);
            }
            seen
        });
        let session = LegacySession { version: ProtocolVersion::V2025_11_25, initialized: true, capabilities };
        let output = run_stateful(session, faults, Some(&link)).await;
        drop(link);
        (output, client.await.expect("client task"))
    }

    fn tool_use_then_text(n: usize) -> Value {
        if n == 0 {
            json!({"role": "assistant", "model": "m", "stopReason": "toolUse",
                "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Oslo"}}]})
        } else {
            json!({"role": "assistant", "model": "m", "stopReason": "endTurn", "content": {"type": "text", "text": "Rainy."}})
        }
    }

    const SAMPLING_TOOLS: ClientCapabilities = ClientCapabilities {
        roots: false,
        sampling: true,
        elicitation_form: false,
        elicitation_url: false,
        sampling_tools: true,
    };

    #[tokio::test]
    async fn in_2025_11_25_the_loop_runs_over_sampling_requests() {
        let (out, seen) = run_stateful_with(SAMPLING_TOOLS, FaultSet::NONE, tool_use_then_text).await;
        assert!(matches!(out, Output::Text(ref t) if t.contains("Rainy")), "{out:?}");
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|m| m["method"] == "sampling/createMessage"));
        assert_eq!(seen[0]["params"]["tools"][0]["name"], "get_weather");
        let last = &seen[1]["params"]["messages"][2];
        assert_eq!(last["role"], "user");
        assert_eq!(last["content"][0]["toolUseId"], "t1");
        let (_, seen) = run_stateful_with(SAMPLING_TOOLS, FaultSet::only(Fault::SamplingToolResultIdMismatch), tool_use_then_text).await;
        assert_eq!(seen[1]["params"]["messages"][2]["content"][0]["toolUseId"], "t1-other");
    }

    #[tokio::test]
    async fn in_2025_11_25_nothing_is_asked_without_sampling_tools() {
        let sampling_only = ClientCapabilities { sampling_tools: false, ..SAMPLING_TOOLS };
        let (out, seen) = run_stateful_with(sampling_only, FaultSet::NONE, tool_use_then_text).await;
        assert!(matches!(out, Output::Failure(_)), "{out:?}");
        assert!(seen.is_empty(), "S2C-014: no tools offered without sampling.tools");
    }

    #[test]
    fn without_sampling_tools_nothing_is_offered() {
        let caps = json!({"sampling": {}}).as_object().cloned().unwrap_or_default();
        assert!(matches!(run(&caps, FaultSet::NONE, &call(json!({}))), Ok(Stateless::Done(Output::Failure(_)))));
    }
}
