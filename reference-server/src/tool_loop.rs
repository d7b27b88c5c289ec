//! The `weather_agent` fixture tool (2026-07-28 only): a tool-enabled
//! sampling loop over multi round-trip requests (`client/sampling.mdx`
//! §Tools in Sampling), for clients that declare `sampling.tools`.
//!
//! 1. The first call answers `input_required` with one `sampling` entry:
//!    a user question, the tool `get_weather {city}` in `tools`, and
//!    `toolChoice: {mode: "auto"}`.
//! 2. When the client's answer stopped for `toolUse`, the server runs
//!    every `tool_use` block it holds and asks again: the conversation so
//!    far, the assistant's `tool_use` blocks as received, then one user
//!    message holding only a `tool_result` per `tool_use`, with the same
//!    id (S2C-016, S2C-017).
//! 3. Any other answer (or the answer to the continuation) ends the call
//!    with the model's text.
//!
//! The conversation travels in the sealed `requestState`. Without
//! `sampling.tools` declared the call is a tool error (S2C-014: no tools
//! may be offered then). The `sampling-tool-result-id-mismatch` fault
//! answers each `tool_use` under another id.

use serde_json::{json, Map, Value};

use crate::ask::{no_request_state, read_retry, Stateless, STATE_TTL_SECS};
use crate::faults::{Fault, FaultSet};
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

/// The `sampling/createMessage` entry continuing `messages`, with the state.
fn ask(messages: Vec<Value>, call: &str) -> Stateless {
    let request = json!({
        "method": "sampling/createMessage",
        "params": {"messages": messages, "tools": [weather_tool()], "toolChoice": {"mode": "auto"}, "maxTokens": 200}
    });
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

/// The tool in 2026-07-28; `params` are the `tools/call` params.
pub fn run(client_capabilities: &Map<String, Value>, faults: FaultSet, params: &Map<String, Value>) -> Result<Stateless, RpcError> {
    if !declared(client_capabilities) {
        return Ok(Stateless::Done(Output::Failure("This tool lets the model use tools, which needs the client's sampling.tools capability.".into())));
    }
    let retry = read_retry(params, TOOL_NAME)?;
    let question = json!({"role": "user", "content": {"type": "text", "text": QUESTION}});
    let Some(state) = retry.state else {
        if retry.responses.is_some() {
            return Ok(Stateless::Done(no_request_state()));
        }
        return Ok(ask(vec![question], &retry.call));
    };
    let mut messages = match conversation(state, &retry.call) {
        Ok(messages) => messages,
        Err(why) => return Ok(Stateless::Done(Output::Failure(format!("The requestState was rejected: {why}.")))),
    };
    let Some(answer) = retry.responses.and_then(|r| r.get(KEY)) else {
        return Ok(ask(messages, &retry.call));
    };
    if !answer.get("role").is_some_and(Value::is_string) || answer.get("content").is_none() {
        return Err(RpcError::invalid_params("inputResponses[\"sampling\"] is not a CreateMessageResult (role and content)"));
    }
    let content = blocks(answer.get("content"));
    let tool_uses: Vec<Value> = content.iter().filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use")).cloned().collect();
    // Only the first answer may lead to tools: the continuation's answer ends the loop.
    let first_round = messages.len() == 1;
    if answer.get("stopReason").and_then(Value::as_str) == Some("toolUse") && !tool_uses.is_empty() && first_round {
        let results: Vec<Value> = tool_uses.iter().map(|t| tool_result(t, faults)).collect();
        messages.push(json!({"role": "assistant", "content": tool_uses}));
        messages.push(json!({"role": "user", "content": results}));
        return Ok(ask(messages, &retry.call));
    }
    let text: Vec<&str> = content.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect();
    Ok(Stateless::Done(Output::Text(format!("The model answered: {}", text.join(" ")))))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn without_sampling_tools_nothing_is_offered() {
        let caps = json!({"sampling": {}}).as_object().cloned().unwrap_or_default();
        assert!(matches!(run(&caps, FaultSet::NONE, &call(json!({}))), Ok(Stateless::Done(Output::Failure(_)))));
    }
}
