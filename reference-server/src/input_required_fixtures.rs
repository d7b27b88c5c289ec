//! A resource and a prompt that ask the client for input (2026-07-28 multi
//! round-trip requests from `resources/read` and `prompts/get`,
//! RESOURCES-017 and PROMPTS-010; `tools/call` has the `ask` tool).
//!
//! | fixture | 2026-07-28 | handshake era |
//! | ------- | ---------- | ------------- |
//! | resource [`RESOURCE_URI`] | asks for a name, then reads `Hello, NAME!` | reads `Hello, stranger!` |
//! | prompt [`PROMPT_NAME`] (no arguments) | asks for a name, then one user message asking to greet NAME | one user message |
//!
//! Both ask the same question the same way: one `inputRequests` entry under
//! the key [`KEY`], a form `elicitation/create` with a required string
//! `name`, and a sealed `requestState` ([`crate::request_state`]) bound to
//! the request (method and URI or prompt name) and valid for
//! [`crate::ask::STATE_TTL_SECS`]. They ask only a client that declared
//! form elicitation (S2C-006); otherwise they greet a stranger at once. The
//! retry with `inputResponses` and the echoed state gets the final result; a
//! declined or cancelled form greets a stranger too. A retry without the
//! answer is asked again (S2C-013). `inputResponses` that is not an object,
//! a malformed answer, answers without a state and a state that fails
//! verification, has expired or belongs to another request are -32602.

use serde_json::{json, Map, Value};

use crate::ask::STATE_TTL_SECS;
use crate::faults::{Fault, FaultSet};
use crate::prompts::Prompt;
use crate::protocol::{ClientCapabilities, RpcError};
use crate::request_state;
use crate::resources::Fixed;

/// The resource that asks for a name before it is read.
pub const RESOURCE_URI: &str = "ref://input-required/greeting";
/// The prompt that asks for a name before it is got.
pub const PROMPT_NAME: &str = "input_required_greeting";
/// The `inputRequests` / `inputResponses` key of the question.
pub const KEY: &str = "name";
/// What the state payload says it is.
const STATE_KIND: &str = "greeting";
/// Who is greeted when nobody gave a name.
const STRANGER: &str = "stranger";

pub(crate) const RESOURCE: Fixed = Fixed {
    uri: RESOURCE_URI,
    name: "input-required-greeting",
    title: "Greeting that asks your name",
    description: "In 2026-07-28 a read first asks the client for a name (input_required); otherwise it greets a stranger.",
    mime_type: "text/plain",
};

pub(crate) const PROMPT: Prompt = Prompt {
    name: PROMPT_NAME,
    title: "Greeting that asks your name",
    description: "In 2026-07-28 getting it first asks the client for a name (input_required); otherwise it greets a stranger.",
    arguments: &[],
};

/// The text of the resource, for `name`.
pub fn greeting(name: &str) -> String {
    format!("Hello, {name}!")
}

/// The text of the resource in the handshake era (no input can be asked).
pub fn stranger_greeting() -> String {
    greeting(STRANGER)
}

/// Where a 2026-07-28 request for one of the fixtures stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Round {
    /// The final result (undecorated).
    Complete(Map<String, Value>),
    /// An `InputRequiredResult`.
    InputRequired(Map<String, Value>),
}

/// Whether a `resources/read` is for the asking resource.
pub fn reads_resource(params: &Map<String, Value>) -> bool {
    params.get("uri").and_then(Value::as_str) == Some(RESOURCE_URI)
}

/// Whether a `prompts/get` is for the asking prompt.
pub fn gets_prompt(params: &Map<String, Value>) -> bool {
    params.get("name").and_then(Value::as_str) == Some(PROMPT_NAME)
}

/// `resources/read` of [`RESOURCE_URI`] in 2026-07-28.
pub fn read(caps: ClientCapabilities, faults: FaultSet, params: &Map<String, Value>) -> Result<Round, RpcError> {
    if faults.contains(Fault::ResourceInputRequiredEmpty) && params.get("requestState").is_none() {
        return Ok(Round::InputRequired(Map::from_iter([("resultType".to_owned(), json!("input_required"))])));
    }
    let name = match ask_name(caps, faults, "resources/read", RESOURCE_URI, params)? {
        Asked::Name(name) => name,
        Asked::Interim(result) => return Ok(Round::InputRequired(result)),
    };
    let contents = json!([{"uri": RESOURCE_URI, "mimeType": RESOURCE.mime_type, "text": greeting(&name)}]);
    Ok(Round::Complete(Map::from_iter([("contents".to_owned(), contents)])))
}

/// `prompts/get` of [`PROMPT_NAME`] in 2026-07-28.
pub fn get(caps: ClientCapabilities, faults: FaultSet, params: &Map<String, Value>) -> Result<Round, RpcError> {
    if let Some(Value::Object(arguments)) = params.get("arguments") {
        if let Some(key) = arguments.keys().next() {
            return Err(RpcError::invalid_params(format!("Prompt {PROMPT_NAME} has no argument {key:?}")));
        }
    }
    let name = match ask_name(caps, faults, "prompts/get", PROMPT_NAME, params)? {
        Asked::Name(name) => name,
        Asked::Interim(result) => return Ok(Round::InputRequired(result)),
    };
    let text = format!("Please write a warm greeting for {name}.");
    if faults.contains(Fault::PromptRetryNotAPrompt) && params.contains_key("requestState") {
        return Ok(Round::Complete(Map::from_iter([("content".to_owned(), json!([{"type": "text", "text": text}]))])));
    }
    let mut result = Map::new();
    result.insert("description".into(), json!(format!("A greeting for {name}")));
    result.insert("messages".into(), json!([{"role": "user", "content": {"type": "text", "text": text}}]));
    Ok(Round::Complete(result))
}

/// What asking for the name came to.
enum Asked {
    /// The name to greet (the stranger when none was given).
    Name(String),
    /// The client must be asked (again).
    Interim(Map<String, Value>),
}

/// The multi round-trip of one request (`method` of `target`): the name, or
/// the `InputRequiredResult` asking for it.
fn ask_name(caps: ClientCapabilities, faults: FaultSet, method: &str, target: &str, params: &Map<String, Value>) -> Result<Asked, RpcError> {
    if !caps.elicitation_form {
        return Ok(Asked::Name(STRANGER.into()));
    }
    let responses = match params.get("inputResponses") {
        None => None,
        Some(Value::Object(responses)) => Some(responses),
        Some(_) => return Err(RpcError::invalid_params("\"inputResponses\" must be an object (InputResponses)")),
    };
    let request = request_state::digest(&json!({"method": method, "target": target}));
    let state = match params.get("requestState") {
        None if responses.is_some() => {
            return Err(RpcError::invalid_params("inputResponses without a requestState: echo the requestState of the input_required result"));
        }
        None => return Ok(Asked::Interim(input_required(&request))),
        Some(Value::String(state)) => state,
        Some(_) => return Err(RpcError::invalid_params("\"requestState\" must be a string")),
    };
    verify(state, &request, faults).map_err(|why| RpcError::invalid_params(format!("The requestState was rejected: {why}")))?;
    // S2C-013: without the answer, ask again.
    let Some(answer) = responses.and_then(|r| r.get(KEY)) else {
        return Ok(Asked::Interim(input_required(&request)));
    };
    name_of(answer).map(Asked::Name).map_err(|problem| {
        RpcError::invalid_params(format!("inputResponses[\"{KEY}\"] is not a valid elicitation/create result: {problem}"))
    })
}

/// Checks a state against the request it must belong to (S2C-007, S2C-008).
fn verify(state: &str, request: &str, faults: FaultSet) -> Result<(), &'static str> {
    let payload = request_state::open(state)?;
    if payload.get("v").and_then(Value::as_str) != Some(STATE_KIND) {
        return Err("it is not a state of this fixture");
    }
    let bound = payload.get("request").and_then(Value::as_str) == Some(request);
    if !bound && !faults.contains(Fault::RequestStateUnbound) {
        return Err("it belongs to another request");
    }
    match payload.get("expires").and_then(Value::as_u64) {
        Some(expires) if expires >= request_state::now() => Ok(()),
        _ => Err("it has expired; send the request again without inputResponses"),
    }
}

/// The `InputRequiredResult` asking for the name, bound to `request`.
fn input_required(request: &str) -> Map<String, Value> {
    let form = json!({
        "method": "elicitation/create",
        "params": {
            "mode": "form",
            "message": "The mcp-conform reference server would like to greet you by name (any name will do).",
            "requestedSchema": {
                "type": "object",
                "properties": {"name": {"type": "string", "title": "Name", "description": "Who to greet"}},
                "required": ["name"]
            }
        }
    });
    let state = request_state::seal(&json!({"v": STATE_KIND, "request": request, "expires": request_state::now() + STATE_TTL_SECS}));
    let mut result = Map::new();
    result.insert("resultType".into(), json!("input_required"));
    result.insert("inputRequests".into(), json!({ KEY: form }));
    result.insert("requestState".into(), json!(state));
    result
}

/// The name an elicitation answer gives: the accepted `name`, or the
/// stranger when the form was declined or cancelled.
fn name_of(answer: &Value) -> Result<String, String> {
    match answer.get("action").and_then(Value::as_str) {
        Some("accept") => answer
            .pointer("/content/name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| "an accepted form without a string content.name".to_owned()),
        Some("decline" | "cancel") => Ok(STRANGER.into()),
        _ => Err("\"action\" is not accept, decline or cancel".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: ClientCapabilities = ClientCapabilities { roots: false, sampling: false, elicitation_form: true, elicitation_url: false, sampling_tools: false };

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn interim(round: Round) -> Map<String, Value> {
        match round {
            Round::InputRequired(result) => result,
            Round::Complete(result) => panic!("completed: {result:?}"),
        }
    }

    fn retry(first: &Map<String, Value>, base: Value) -> Map<String, Value> {
        let mut retry = params(base);
        retry.insert("inputResponses".into(), json!({KEY: {"action": "accept", "content": {"name": "Ada"}}}));
        retry.insert("requestState".into(), first["requestState"].clone());
        retry
    }

    #[test]
    fn the_resource_asks_then_greets() {
        let read_params = json!({"uri": RESOURCE_URI});
        let first = interim(read(FORM, FaultSet::NONE, &params(read_params.clone())).unwrap());
        assert_eq!(first["inputRequests"][KEY]["method"], "elicitation/create");
        let Round::Complete(done) = read(FORM, FaultSet::NONE, &retry(&first, read_params)).unwrap() else { panic!() };
        assert_eq!(done["contents"][0]["text"], "Hello, Ada!");
    }

    #[test]
    fn without_elicitation_nothing_is_asked() {
        let none = ClientCapabilities { roots: true, sampling: true, elicitation_form: false, elicitation_url: false, sampling_tools: false };
        let Round::Complete(done) = get(none, FaultSet::NONE, &params(json!({"name": PROMPT_NAME}))).unwrap() else { panic!() };
        assert!(done["messages"][0]["content"]["text"].as_str().unwrap().contains(STRANGER));
    }

    #[test]
    fn a_state_belongs_to_its_request() {
        let first = interim(read(FORM, FaultSet::NONE, &params(json!({"uri": RESOURCE_URI}))).unwrap());
        let replayed = retry(&first, json!({"name": PROMPT_NAME}));
        assert!(get(FORM, FaultSet::NONE, &replayed).is_err());
        let unbound = FaultSet::only(Fault::RequestStateUnbound);
        assert!(matches!(get(FORM, unbound, &replayed).unwrap(), Round::Complete(_)));
        let without_state = params(json!({"name": PROMPT_NAME, "inputResponses": {KEY: {"action": "cancel"}}}));
        assert!(get(FORM, FaultSet::NONE, &without_state).is_err());
    }

    #[test]
    fn a_retry_without_the_answer_is_asked_again() {
        let first = interim(get(FORM, FaultSet::NONE, &params(json!({"name": PROMPT_NAME}))).unwrap());
        let mut bare = params(json!({"name": PROMPT_NAME, "inputResponses": {}}));
        bare.insert("requestState".into(), first["requestState"].clone());
        assert!(matches!(get(FORM, FaultSet::NONE, &bare).unwrap(), Round::InputRequired(_)));
    }

    #[test]
    fn faults_break_the_round() {
        let empty = interim(read(FORM, FaultSet::only(Fault::ResourceInputRequiredEmpty), &params(json!({"uri": RESOURCE_URI}))).unwrap());
        assert_eq!(empty.len(), 1);
        let fault = FaultSet::only(Fault::PromptRetryNotAPrompt);
        let first = interim(get(FORM, fault, &params(json!({"name": PROMPT_NAME}))).unwrap());
        let Round::Complete(done) = get(FORM, fault, &retry(&first, json!({"name": PROMPT_NAME}))).unwrap() else { panic!() };
        assert!(done.get("messages").is_none() && done.get("content").is_some());
    }
}
