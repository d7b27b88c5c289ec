//! The `ask` fixture tool: it asks the client for input, so that a client's
//! handling of server-to-client requests gets exercised, in both eras.
//!
//! It asks at most three questions, each only when the client declared the
//! matching capability (L-S2C-001, S2C-006), in this order:
//!
//! | key | request | capability |
//! | --- | ------- | ---------- |
//! | `roots` | `roots/list` (no params) | `roots` |
//! | `sampling` | `sampling/createMessage` with one user text message and `maxTokens` | `sampling` |
//! | `elicitation` | `elicitation/create`: a form with a string `name` (required) and a boolean `confirm`; `mode: "form"` from 2025-11-25 | `elicitation` in form mode (2025-06-18+) |
//!
//! * **Handshake era** (2024-11-05 … 2025-11-25): [`ask_stateful`] sends
//!   each as a JSON-RPC request of its own, one after the other, and waits
//!   for each answer (at most the dispatcher's ask timeout, 10 s by
//!   default; on timeout the request is cancelled with
//!   `notifications/cancelled`). Requests go only after
//!   `notifications/initialized` (L-LIFE-003). An error answer, a timeout or
//!   an answer of the wrong shape ends the tool with `isError: true` naming
//!   the request; otherwise the result is one text block, one line per
//!   answer (`roots: <uri>, …`, `sampling: "<text>" (model <model>)`,
//!   `elicitation: accept {…}` / `decline` / `cancel`).
//! * **2026-07-28** (multi round-trip requests, `patterns/mrtr.mdx`):
//!   [`ask_stateless`] never sends a request. The first call returns an
//!   `InputRequiredResult` with one `inputRequests` entry per declared
//!   capability under the keys above, and a sealed `requestState`
//!   ([`crate::request_state`]) naming what is pending, the answers so far,
//!   the call it belongs to and an expiry. The retry (`inputResponses` +
//!   `requestState`) gets the final result, the same summary as above.
//!   Missing answers get a fresh `InputRequiredResult` for just those
//!   (S2C-013); unknown extra keys are ignored (S2C-012); `inputResponses`
//!   that is not an object, or an answer that is not the result its request
//!   calls for, is a JSON-RPC -32602 (S2C-011); a `requestState` that fails
//!   verification, has expired, belongs to another call, or is missing while
//!   `inputResponses` is present gives `isError: true` (S2C-007, S2C-008).
//!
//! With nothing declared the tool says there was nothing to ask. Answers
//! are checked loosely (the members each result must have); an accepted
//! form's `content` is checked against the `requestedSchema` (S2C-027).

use serde_json::{json, Map, Value};

use crate::dispatch::LegacySession;
use crate::faults::{Fault, FaultSet};
use crate::json_schema;
use crate::peer::ClientLink;
use crate::protocol::{ClientCapabilities, ProtocolVersion, RpcError};
use crate::request_state;
use crate::tools::Output;

/// The tool's name.
pub const TOOL_NAME: &str = "ask";

/// How long a `requestState` stays valid (a person may be filling a form).
pub const STATE_TTL_SECS: u64 = 600;

/// One thing the tool can ask the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// `roots/list`.
    Roots,
    /// `sampling/createMessage`.
    Sampling,
    /// `elicitation/create` (form mode).
    Elicitation,
}

impl Question {
    /// Every question, in the order they are asked and summarised.
    pub const ALL: [Question; 3] = [Question::Roots, Question::Sampling, Question::Elicitation];

    /// The `inputRequests` / `inputResponses` key, also the summary label.
    pub fn key(self) -> &'static str {
        match self {
            Question::Roots => "roots",
            Question::Sampling => "sampling",
            Question::Elicitation => "elicitation",
        }
    }

    /// The request method.
    pub fn method(self) -> &'static str {
        match self {
            Question::Roots => "roots/list",
            Question::Sampling => "sampling/createMessage",
            Question::Elicitation => "elicitation/create",
        }
    }

    fn from_key(key: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.key() == key)
    }

    /// Whether the client may be asked this (the `s2c-without-capability`
    /// fault asks for sampling regardless, `roots-without-capability` for roots).
    fn allowed(self, caps: ClientCapabilities, faults: FaultSet) -> bool {
        match self {
            Question::Roots => caps.roots || faults.contains(Fault::RootsWithoutCapability),
            Question::Sampling => caps.sampling || faults.contains(Fault::S2cWithoutCapability),
            Question::Elicitation => caps.elicitation_form,
        }
    }

    /// The request's `params` at `version` (`roots/list` has none).
    pub fn params(self, version: ProtocolVersion) -> Option<Value> {
        match self {
            Question::Roots => None,
            Question::Sampling => Some(json!({
                "messages": [{
                    "role": "user",
                    "content": {"type": "text", "text": "Say hello to the mcp-conform reference server in a few words."}
                }],
                "maxTokens": 50
            })),
            Question::Elicitation => Some(elicitation_params(version)),
        }
    }

    /// Checks the client's result for this question (loosely) and returns
    /// its one-line summary, or what is wrong with it.
    pub fn summarize(self, result: &Value) -> Result<String, String> {
        let Some(result) = result.as_object() else {
            return Err("the result is not an object".into());
        };
        match self {
            Question::Roots => summarize_roots(result),
            Question::Sampling => summarize_sample(result),
            Question::Elicitation => summarize_elicitation(result),
        }
    }
}

/// The form `elicitation/create` asks to fill in.
pub fn requested_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Name", "description": "Any name; the ask tool repeats it back"},
            "confirm": {"type": "boolean", "title": "Confirm", "description": "Any answer; the ask tool repeats it back"}
        },
        "required": ["name"]
    })
}

fn elicitation_params(version: ProtocolVersion) -> Value {
    let mut params = Map::new();
    if version.has_elicitation_modes() {
        params.insert("mode".into(), json!("form"));
    }
    params.insert(
        "message".into(),
        json!("The mcp-conform reference server's ask tool would like a name and a yes/no answer (any values will do)."),
    );
    params.insert("requestedSchema".into(), requested_schema());
    Value::Object(params)
}

/// The params `q` is asked with, bent by the faults that break the
/// request's shape (S2C-014, S2C-015, S2C-017, S2C-020, S2C-021).
fn asked_params(q: Question, version: ProtocolVersion, faults: FaultSet) -> Option<Value> {
    let mut value = q.params(version)?;
    let params = value.as_object_mut()?;
    if q == Question::Elicitation && faults.contains(Fault::ElicitationNestedForm) {
        let fields = params.get_mut("requestedSchema").and_then(|s| s.get_mut("properties")).and_then(Value::as_object_mut)?;
        fields.insert("address".into(), json!({"type": "object", "properties": {"city": {"type": "string"}}}));
    }
    if q == Question::Elicitation && faults.contains(Fault::ElicitationFormLink) {
        params.insert("message".into(), json!("Sign the guest book first at https://example.com/mcp-conform/guest-book, then give a name."));
    }
    if q == Question::Elicitation && version >= ProtocolVersion::V2026_07_28 && faults.contains(Fault::ElicitationIdInStateless) {
        params.insert("elicitationId".into(), json!("mcp-conform-elicitation-1"));
    }
    // Sampling tools and elicitation modes both arrived in 2025-11-25.
    if !version.has_elicitation_modes() {
        return Some(value);
    }
    if q == Question::Sampling && faults.contains(Fault::SamplingToolsUndeclared) {
        params.insert("tools".into(), json!([{"name": "lookup", "inputSchema": {"type": "object"}}]));
        params.insert("toolChoice".into(), json!({"mode": "auto"}));
    }
    if q == Question::Sampling && faults.contains(Fault::SamplingToolResultsMixed) {
        let messages = params.get_mut("messages").and_then(Value::as_array_mut)?;
        messages.push(json!({"role": "assistant", "content": [{"type": "tool_use", "id": "call-1", "name": "lookup", "input": {}}]}));
        messages.push(json!({"role": "user", "content": [
            {"type": "tool_result", "toolUseId": "call-1", "content": [{"type": "text", "text": "42"}]},
            {"type": "text", "text": "And say it kindly."}
        ]}));
    }
    if q == Question::Sampling && faults.contains(Fault::SamplingContextUndeclared) {
        params.insert("includeContext".into(), json!("thisServer"));
    }
    if q == Question::Elicitation && faults.contains(Fault::ElicitationUrlUndeclared) {
        params.clear();
        params.insert("mode".into(), json!("url"));
        params.insert("message".into(), json!("Open the page to continue (fault elicitation-url-undeclared)."));
        params.insert("url".into(), json!("https://example.com/mcp-conform/elicit"));
        // 2026-07-28 dropped elicitationId (S2C-028).
        if version < ProtocolVersion::V2026_07_28 {
            params.insert("elicitationId".into(), json!("mcp-conform-url-elicitation"));
        }
    }
    Some(value)
}

fn summarize_roots(result: &Map<String, Value>) -> Result<String, String> {
    let Some(roots) = result.get("roots").and_then(Value::as_array) else {
        return Err("\"roots\" is missing or not an array".into());
    };
    let mut uris = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        match root.get("uri").and_then(Value::as_str) {
            Some(uri) => uris.push(uri.to_owned()),
            None => return Err(format!("roots[{i}] has no string \"uri\"")),
        }
    }
    Ok(if uris.is_empty() { "(no roots)".to_owned() } else { uris.join(", ") })
}

fn content_text(block: &Value) -> Result<String, String> {
    match block.get("type").and_then(Value::as_str) {
        Some("text") => block
            .get("text")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| "a text content block has no string \"text\"".to_owned()),
        Some(other) => Ok(format!("[{other} content]")),
        None => Err("a content block has no \"type\"".into()),
    }
}

fn summarize_sample(result: &Map<String, Value>) -> Result<String, String> {
    if !result.get("role").is_some_and(Value::is_string) {
        return Err("\"role\" is missing or not a string".into());
    }
    let Some(model) = result.get("model").and_then(Value::as_str) else {
        return Err("\"model\" is missing or not a string".into());
    };
    let text = match result.get("content") {
        Some(block @ Value::Object(_)) => content_text(block)?,
        // An array of blocks (2025-11-25 on).
        Some(Value::Array(blocks)) => blocks.iter().map(content_text).collect::<Result<Vec<_>, _>>()?.join(" "),
        _ => return Err("\"content\" is missing or neither a content block nor an array of them".into()),
    };
    Ok(format!("{} (model {model})", Value::from(text)))
}

fn summarize_elicitation(result: &Map<String, Value>) -> Result<String, String> {
    let action = result.get("action").and_then(Value::as_str);
    let content = match result.get("content") {
        None => None,
        Some(Value::Object(c)) => Some(c),
        Some(_) => return Err("\"content\" is not an object".into()),
    };
    match action {
        Some("accept") => {
            let content = Value::Object(content.cloned().unwrap_or_default());
            json_schema::validate(&requested_schema(), &content).map_err(|p| format!("the accepted content does not fit the requested form: {p}"))?;
            Ok(format!("accept {content}"))
        }
        Some(a @ ("decline" | "cancel")) => Ok(a.to_owned()),
        Some(other) => Err(format!("\"action\" is {other:?}, not accept, decline or cancel")),
        None => Err("\"action\" is missing or not a string".into()),
    }
}

/// Whether an elicitation answer declines or cancels (what the
/// `elicitation-refusal-unhandled` fault cannot cope with).
fn refused(answer: &Value) -> bool {
    matches!(answer.get("action").and_then(Value::as_str), Some("decline" | "cancel"))
}

/// [`Question::summarize`], except that the `elicitation-content-unvalidated`
/// fault takes any accepted content as it comes (S2C-027).
fn answered(q: Question, result: &Value, faults: FaultSet) -> Result<String, String> {
    if q == Question::Elicitation && faults.contains(Fault::ElicitationContentUnvalidated) {
        if let (Some("accept"), Some(content)) = (result.get("action").and_then(Value::as_str), result.get("content")) {
            return Ok(format!("accept {content}"));
        }
    }
    q.summarize(result)
}

fn nothing_to_ask(version: ProtocolVersion) -> Output {
    let names = if version.has_elicitation() { "roots, sampling, elicitation (form)" } else { "roots, sampling" };
    Output::Text(format!("Nothing to ask: the client declared none of {names}."))
}

fn questions(caps: ClientCapabilities, faults: FaultSet) -> Vec<Question> {
    Question::ALL.into_iter().filter(|q| q.allowed(caps, faults)).collect()
}

/// `ask` in a handshake-era session: asks each question as a JSON-RPC
/// request over `link` and waits for the answers.
pub async fn ask_stateful(session: LegacySession, faults: FaultSet, link: Option<&ClientLink>) -> Output {
    let questions = questions(session.capabilities, faults);
    if questions.is_empty() {
        return nothing_to_ask(session.version);
    }
    if !session.initialized && !faults.contains(Fault::RequestsBeforeInitialized) {
        return Output::Failure(
            "ask sends requests to the client only after notifications/initialized; send it first, then call ask again.".into(),
        );
    }
    let Some(link) = link else {
        return Output::Failure("ask cannot reach the client on this connection.".into());
    };
    let mut lines = Vec::new();
    for q in questions {
        let result = match link.request(q.method(), asked_params(q, session.version, faults)).await {
            Ok(result) => result,
            Err(failure) => {
                if q == Question::Elicitation && faults.contains(Fault::ElicitationRefusalUnhandled) {
                    std::future::pending::<()>().await;
                }
                return Output::Failure(format!("{} failed: {failure}.", q.method()));
            }
        };
        if q == Question::Elicitation && faults.contains(Fault::ElicitationRefusalUnhandled) && refused(&result) {
            // The fault assumes the elicitation succeeded and never gets over it (S2C-026).
            std::future::pending::<()>().await;
        }
        match answered(q, &result, faults) {
            Ok(summary) => lines.push(format!("{}: {summary}", q.key())),
            Err(problem) => return Output::Failure(format!("{}: the client's answer is not a valid result: {problem}.", q.method())),
        }
    }
    Output::Text(lines.join("\n"))
}

/// What a 2026-07-28 `tools/call ask` comes to.
#[derive(Clone, Debug, PartialEq)]
pub enum Stateless {
    /// The final tool output.
    Done(Output),
    /// An `InputRequiredResult` (`resultType`, `inputRequests`, `requestState`).
    InputRequired(Map<String, Value>),
}

/// Where a retry's state stands.
struct State {
    pending: Vec<Question>,
    answers: Map<String, Value>,
}

fn read_state(payload: &Value, call: &str, faults: FaultSet) -> Result<State, &'static str> {
    if payload.get("v") != Some(&json!(1)) {
        return Err("it is not an ask state");
    }
    if payload.get("call").and_then(Value::as_str) != Some(call) && !faults.contains(Fault::RequestStateUnbound) {
        return Err("it belongs to another request (another tool or other arguments)");
    }
    match payload.get("expires").and_then(Value::as_u64) {
        Some(expires) if expires >= request_state::now() => {}
        _ => return Err("it has expired; call ask again without inputResponses"),
    }
    let pending = payload
        .get("pending")
        .and_then(Value::as_array)
        .and_then(|keys| keys.iter().map(|k| k.as_str().and_then(Question::from_key)).collect::<Option<Vec<_>>>())
        .ok_or("it is malformed")?;
    let answers = payload.get("answers").and_then(Value::as_object).cloned().ok_or("it is malformed")?;
    Ok(State { pending, answers })
}

fn input_required(questions: &[Question], answers: &Map<String, Value>, call: &str, faults: FaultSet) -> Stateless {
    let mut requests = Map::new();
    for (n, q) in questions.iter().enumerate() {
        let mut request = Map::new();
        if faults.contains(Fault::InputRequestsWithId) {
            request.insert("jsonrpc".into(), json!("2.0"));
            request.insert("id".into(), json!(n + 1));
        }
        request.insert("method".into(), json!(q.method()));
        if let Some(params) = asked_params(*q, ProtocolVersion::V2026_07_28, faults) {
            request.insert("params".into(), params);
        }
        if n == 0 && faults.contains(Fault::InputRequestKeysDuplicated) {
            requests.insert(crate::duplicate_keys::marked(q.key()), Value::Object(request.clone()));
        }
        requests.insert(q.key().into(), Value::Object(request));
    }
    let pending: Vec<&str> = questions.iter().map(|q| q.key()).collect();
    let state = request_state::seal(&json!({
        "v": 1,
        "call": call,
        "expires": request_state::now() + STATE_TTL_SECS,
        "pending": pending,
        "answers": answers,
    }));
    let mut result = Map::new();
    result.insert("resultType".into(), json!("input_required"));
    result.insert("inputRequests".into(), Value::Object(requests));
    result.insert("requestState".into(), json!(state));
    if faults.contains(Fault::InputRequiredCacheHints) {
        result.insert("ttlMs".into(), json!(STATE_TTL_SECS * 1000));
        result.insert("cacheScope".into(), json!("private"));
    }
    Stateless::InputRequired(result)
}

fn summary(answers: &Map<String, Value>) -> Output {
    let lines: Vec<String> = Question::ALL
        .iter()
        .filter_map(|q| answers.get(q.key()).and_then(Value::as_str).map(|a| format!("{}: {a}", q.key())))
        .collect();
    Output::Text(lines.join("\n"))
}

/// The multi round-trip fields of a 2026-07-28 `tools/call`.
pub struct Retry<'a> {
    /// `inputResponses`, if present.
    pub responses: Option<&'a Map<String, Value>>,
    /// `requestState`, if present.
    pub state: Option<&'a str>,
    /// The digest of the call (tool and arguments) a state must belong to.
    pub call: String,
}

/// Reads the [`Retry`] fields of the `tools/call` `params` for `tool`;
/// -32602 when they have the wrong types (S2C-011).
pub fn read_retry<'a>(params: &'a Map<String, Value>, tool: &str) -> Result<Retry<'a>, RpcError> {
    let responses = match params.get("inputResponses") {
        None => None,
        Some(Value::Object(r)) => Some(r),
        Some(_) => return Err(RpcError::invalid_params("\"inputResponses\" must be an object (InputResponses)")),
    };
    let state = match params.get("requestState") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(RpcError::invalid_params("\"requestState\" must be a string")),
    };
    let arguments = params.get("arguments").cloned().unwrap_or_else(|| json!({}));
    let call = request_state::digest(&json!({"method": "tools/call", "name": tool, "arguments": arguments}));
    Ok(Retry { responses, state, call })
}

/// The tool error for a retry with `inputResponses` but no `requestState`.
pub fn no_request_state() -> Output {
    Output::Failure("The retry carries inputResponses but no requestState: echo the requestState of the input_required result.".into())
}

/// `ask` in 2026-07-28: `caps` are the request's declared client
/// capabilities, `params` the `tools/call` params (for `inputResponses`,
/// `requestState` and the arguments the state is bound to). `link` is used
/// only by the `s2c-request-in-stateless` fault.
pub fn ask_stateless(
    caps: ClientCapabilities,
    faults: FaultSet,
    params: &Map<String, Value>,
    link: Option<&ClientLink>,
) -> Result<Stateless, RpcError> {
    if faults.contains(Fault::S2cRequestInStateless) {
        if let Some(link) = link {
            let sent = link.send_unanswered(Question::Elicitation.method(), elicitation_params(ProtocolVersion::V2026_07_28));
            if sent {
                return Ok(Stateless::Done(Output::Text(
                    "Sent elicitation/create to the client as a JSON-RPC request instead of returning input_required \
                     (fault s2c-request-in-stateless)."
                        .into(),
                )));
            }
        }
    }
    // The fault reads inputResponses of the wrong type as absent.
    let mut lenient = params.clone();
    if faults.contains(Fault::MalformedInputResponsesAccepted) && !params.get("inputResponses").is_none_or(Value::is_object) {
        lenient.remove("inputResponses");
    }
    let Retry { responses, state, call } = read_retry(&lenient, TOOL_NAME)?;
    let Some(state) = state else {
        if responses.is_some() {
            return Ok(Stateless::Done(no_request_state()));
        }
        let asked = questions(caps, faults);
        if asked.is_empty() {
            return Ok(Stateless::Done(nothing_to_ask(ProtocolVersion::V2026_07_28)));
        }
        if faults.contains(Fault::InputRequiredEmpty) {
            return Ok(Stateless::InputRequired(Map::from_iter([("resultType".to_owned(), json!("input_required"))])));
        }
        return Ok(input_required(&asked, &Map::new(), &call, faults));
    };
    let opened = if faults.contains(Fault::RequestStateUnverified) { request_state::open_unverified(state) } else { request_state::open(state) };
    let read = opened.and_then(|payload| read_state(&payload, &call, faults));
    let State { pending, mut answers } = match read {
        Ok(s) => s,
        Err(why) => return Ok(Stateless::Done(Output::Failure(format!("The requestState was rejected: {why}.")))),
    };
    let empty = Map::new();
    let responses = responses.unwrap_or(&empty);
    if faults.contains(Fault::ExtraInputResponsesRefused) {
        if let Some(extra) = responses.keys().find(|k| !pending.iter().any(|q| q.key() == k.as_str())) {
            return Err(RpcError::invalid_params(format!("inputResponses has the unknown key {extra:?}")));
        }
    }
    let mut missing = Vec::new();
    for q in pending {
        match responses.get(q.key()) {
            Some(response) => {
                if q == Question::Elicitation && faults.contains(Fault::ElicitationRefusalUnhandled) && refused(response) {
                    return Err(RpcError::internal("the elicitation answer has no content"));
                }
                let line = answered(q, response, faults).map_err(|problem| {
                    RpcError::invalid_params(format!("inputResponses[\"{}\"] is not a valid {} result: {problem}", q.key(), q.method()))
                })?;
                answers.insert(q.key().into(), json!(line));
            }
            None => missing.push(q),
        }
    }
    if faults.contains(Fault::InputRequiredIgnoresResponses) {
        return Ok(input_required(&questions(caps, faults), &Map::new(), &call, faults));
    }
    if missing.is_empty() {
        return Ok(Stateless::Done(summary(&answers)));
    }
    // S2C-013: ask again for what is missing; what arrived rides in the state.
    if let Some(q) = missing.iter().find(|q| !q.allowed(caps, faults)) {
        return Ok(Stateless::Done(Output::Failure(format!(
            "The retry lacks the answer to {} and no longer declares the capability to ask for it again.",
            q.method()
        ))));
    }
    if faults.contains(Fault::MissingAnswersRefused) {
        let keys: Vec<&str> = missing.iter().map(|q| q.key()).collect();
        return Err(RpcError::invalid_params(format!("inputResponses lacks {}", keys.join(", "))));
    }
    Ok(input_required(&missing, &answers, &call, faults))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::*;
    use crate::peer::Peer;
    use crate::protocol::code;

    const ALL_CAPS: ClientCapabilities = ClientCapabilities {
        roots: true,
        sampling: true,
        elicitation_form: true,
        elicitation_url: false,
        sampling_tools: false,
    };

    fn good_answer(q: Question) -> Value {
        match q {
            Question::Roots => json!({"roots": [{"uri": "file:///a", "name": "A"}, {"uri": "file:///b"}]}),
            Question::Sampling => json!({"role": "assistant", "content": {"type": "text", "text": "Hello"}, "model": "m", "stopReason": "endTurn"}),
            Question::Elicitation => json!({"action": "accept", "content": {"name": "Ada", "confirm": true}}),
        }
    }

    #[test]
    fn request_shapes_follow_the_version() {
        assert!(Question::Roots.params(ProtocolVersion::V2025_11_25).is_none());
        let sampling = Question::Sampling.params(ProtocolVersion::V2024_11_05).unwrap();
        assert_eq!(sampling["maxTokens"], 50);
        assert_eq!(sampling["messages"][0]["role"], "user");
        assert!(sampling.get("includeContext").is_none(), "S2C-015");
        let old = Question::Elicitation.params(ProtocolVersion::V2025_06_18).unwrap();
        assert!(old.get("mode").is_none());
        let new = Question::Elicitation.params(ProtocolVersion::V2025_11_25).unwrap();
        assert_eq!(new["mode"], "form");
        assert_eq!(new["requestedSchema"]["properties"]["confirm"]["type"], "boolean");
        json_schema::check_supported(&requested_schema()).unwrap();
    }

    #[test]
    fn summaries_and_malformed_answers() {
        assert_eq!(Question::Roots.summarize(&good_answer(Question::Roots)).unwrap(), "file:///a, file:///b");
        assert_eq!(Question::Roots.summarize(&json!({"roots": []})).unwrap(), "(no roots)");
        assert_eq!(Question::Sampling.summarize(&good_answer(Question::Sampling)).unwrap(), "\"Hello\" (model m)");
        let blocks = json!({"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "image", "data": "", "mimeType": "image/png"}], "model": "m"});
        assert_eq!(Question::Sampling.summarize(&blocks).unwrap(), "\"a [image content]\" (model m)");
        assert_eq!(
            Question::Elicitation.summarize(&good_answer(Question::Elicitation)).unwrap(),
            "accept {\"name\":\"Ada\",\"confirm\":true}"
        );
        assert_eq!(Question::Elicitation.summarize(&json!({"action": "decline"})).unwrap(), "decline");
        for (q, bad) in [
            (Question::Roots, json!([])),
            (Question::Roots, json!({})),
            (Question::Roots, json!({"roots": [{"name": "x"}]})),
            (Question::Sampling, json!({"role": "assistant", "model": "m"})),
            (Question::Sampling, json!({"content": {"type": "text", "text": "x"}, "model": "m"})),
            (Question::Sampling, json!({"role": "assistant", "content": {"type": "text"}, "model": "m"})),
            (Question::Elicitation, json!({"action": "maybe"})),
            (Question::Elicitation, json!({"action": "accept"})),
            (Question::Elicitation, json!({"action": "accept", "content": {"name": 5}})),
            (Question::Elicitation, json!({"action": "decline", "content": []})),
        ] {
            assert!(q.summarize(&bad).is_err(), "{q:?} {bad}");
        }
    }

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn input_required_of(s: Stateless) -> Map<String, Value> {
        match s {
            Stateless::InputRequired(r) => r,
            Stateless::Done(o) => panic!("expected input_required, got {o:?}"),
        }
    }

    fn text_of(s: Stateless) -> String {
        match s {
            Stateless::Done(Output::Text(t)) => t,
            other => panic!("expected a text result, got {other:?}"),
        }
    }

    fn failure_of(s: Stateless) -> String {
        match s {
            Stateless::Done(Output::Failure(t)) => t,
            other => panic!("expected a tool error, got {other:?}"),
        }
    }

    fn retry(state: &Value, responses: Value) -> Map<String, Value> {
        params(json!({"name": "ask", "arguments": {}, "inputResponses": responses, "requestState": state}))
    }

    #[test]
    fn mrtr_round_trip() {
        let first = input_required_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &params(json!({"name": "ask"})), None).unwrap());
        assert_eq!(first["resultType"], "input_required");
        let requests = first["inputRequests"].as_object().unwrap();
        assert_eq!(requests.keys().collect::<Vec<_>>(), ["roots", "sampling", "elicitation"]);
        assert_eq!(requests["roots"], json!({"method": "roots/list"}));
        assert_eq!(requests["elicitation"]["params"]["mode"], "form");
        for r in requests.values() {
            assert!(r.get("id").is_none() && r.get("jsonrpc").is_none(), "S2C-004: method + params only");
        }
        let answers: Map<String, Value> = Question::ALL.iter().map(|q| (q.key().to_owned(), good_answer(*q))).collect();
        let mut all = answers.clone();
        all.insert("surplus".into(), json!({"ignored": true}));
        let done = text_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&first["requestState"], Value::Object(all)), None).unwrap());
        assert_eq!(
            done,
            "roots: file:///a, file:///b\nsampling: \"Hello\" (model m)\nelicitation: accept {\"name\":\"Ada\",\"confirm\":true}"
        );
    }

    #[test]
    fn missing_answers_are_asked_again_and_earlier_ones_kept() {
        let first = input_required_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &params(json!({"name": "ask"})), None).unwrap());
        let partial = json!({"roots": good_answer(Question::Roots)});
        let second = input_required_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&first["requestState"], partial), None).unwrap());
        let keys: Vec<_> = second["inputRequests"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["sampling", "elicitation"]);
        let rest = json!({"sampling": good_answer(Question::Sampling), "elicitation": {"action": "cancel"}});
        let done = text_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&second["requestState"], rest), None).unwrap());
        assert!(done.starts_with("roots: file:///a"), "{done}");
        assert!(done.ends_with("elicitation: cancel"), "{done}");
    }

    #[test]
    fn capabilities_decide_what_is_asked() {
        let only_roots = ClientCapabilities { roots: true, ..Default::default() };
        let first = input_required_of(ask_stateless(only_roots, FaultSet::NONE, &params(json!({"name": "ask"})), None).unwrap());
        assert_eq!(first["inputRequests"].as_object().unwrap().len(), 1);
        let none = ask_stateless(ClientCapabilities::default(), FaultSet::NONE, &params(json!({"name": "ask"})), None).unwrap();
        assert!(text_of(none).starts_with("Nothing to ask"));
        let faulty = FaultSet::only(Fault::S2cWithoutCapability);
        let first = input_required_of(ask_stateless(ClientCapabilities::default(), faulty, &params(json!({"name": "ask"})), None).unwrap());
        assert!(first["inputRequests"].get("sampling").is_some());
    }

    #[test]
    fn bad_retries() {
        let first = input_required_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &params(json!({"name": "ask"})), None).unwrap());
        let state = first["requestState"].as_str().unwrap();
        // S2C-011: structurally malformed input is a protocol error.
        let e = ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&json!(state), json!([])), None).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
        let e = ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&json!(state), json!({"roots": {"roots": "x"}})), None).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
        assert!(e.message.contains("roots/list"), "{}", e.message);
        let e = ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&json!(5), json!({})), None).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
        // S2C-007: tampered state, state of another call, no state.
        let mut tampered = state.to_owned();
        tampered.insert(3, 'x');
        let f = failure_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&json!(tampered), json!({})), None).unwrap());
        assert!(f.contains("requestState"), "{f}");
        let other_args = params(json!({"name": "ask", "arguments": {"x": 1}, "inputResponses": {}, "requestState": state}));
        let f = failure_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &other_args, None).unwrap());
        assert!(f.contains("another request"), "{f}");
        let stateless = params(json!({"name": "ask", "inputResponses": {}}));
        assert!(failure_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &stateless, None).unwrap()).contains("no requestState"));
        // A retry that withdrew a capability it still owes an answer for.
        let f = failure_of(ask_stateless(ClientCapabilities::default(), FaultSet::NONE, &retry(&json!(state), json!({})), None).unwrap());
        assert!(f.contains("no longer declares"), "{f}");
    }

    #[test]
    fn expired_state_is_rejected() {
        let call = request_state::digest(&json!({"method": "tools/call", "name": TOOL_NAME, "arguments": {}}));
        let old = request_state::seal(&json!({"v": 1, "call": call, "expires": 1, "pending": ["roots"], "answers": {}}));
        let f = failure_of(ask_stateless(ALL_CAPS, FaultSet::NONE, &retry(&json!(old), json!({})), None).unwrap());
        assert!(f.contains("expired"), "{f}");
    }

    #[test]
    fn ignores_responses_fault_never_completes() {
        let faulty = FaultSet::only(Fault::InputRequiredIgnoresResponses);
        let first = input_required_of(ask_stateless(ALL_CAPS, faulty, &params(json!({"name": "ask"})), None).unwrap());
        let answers: Map<String, Value> = Question::ALL.iter().map(|q| (q.key().to_owned(), good_answer(*q))).collect();
        let again = input_required_of(ask_stateless(ALL_CAPS, faulty, &retry(&first["requestState"], Value::Object(answers)), None).unwrap());
        assert_eq!(again["inputRequests"], first["inputRequests"]);
    }

    #[tokio::test]
    async fn request_in_stateless_fault_sends_a_request() {
        let (tx, mut rx) = mpsc::channel(4);
        let link = ClientLink::new(Peer::new(), tx, Duration::from_secs(1));
        let faulty = FaultSet::only(Fault::S2cRequestInStateless);
        let done = ask_stateless(ClientCapabilities::default(), faulty, &params(json!({"name": "ask"})), Some(&link)).unwrap();
        assert!(text_of(done).contains("s2c-request-in-stateless"));
        let sent = rx.recv().await.unwrap();
        assert_eq!(sent["method"], "elicitation/create");
        assert!(sent["id"].is_i64());
    }

    fn session(version: ProtocolVersion, capabilities: ClientCapabilities) -> LegacySession {
        LegacySession {
            version,
            initialized: true,
            capabilities,
        }
    }

    /// Answers every request `ask` sends with `answer(method)`.
    async fn run_with(session: LegacySession, faults: FaultSet, answer: fn(&str) -> Option<Value>) -> (Output, Vec<Value>) {
        let peer = Peer::new();
        let (tx, mut rx) = mpsc::channel(8);
        let link = ClientLink::new(peer.clone(), tx, Duration::from_millis(200));
        let client = tokio::spawn(async move {
            let mut seen = Vec::new();
            while let Some(message) = rx.recv().await {
                if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
                    if let Some(result) = answer(method) {
                        peer.deliver(json!({"jsonrpc": "2.0", "id": id, "result": result}));
                    }
                }
                seen.push(message);
            }
            seen
        });
        let output = ask_stateful(session, faults, Some(&link)).await;
        drop(link);
        (output, client.await.unwrap())
    }

    fn answer_everything(method: &str) -> Option<Value> {
        let q = Question::ALL.into_iter().find(|q| q.method() == method)?;
        Some(good_answer(q))
    }

    #[tokio::test]
    async fn stateful_asks_in_order_and_summarises() {
        let (out, seen) = run_with(session(ProtocolVersion::V2025_11_25, ALL_CAPS), FaultSet::NONE, answer_everything).await;
        let methods: Vec<&str> = seen.iter().filter_map(|m| m["method"].as_str()).collect();
        assert_eq!(methods, ["roots/list", "sampling/createMessage", "elicitation/create"]);
        let ids: Vec<&Value> = seen.iter().map(|m| &m["id"]).collect();
        assert_eq!(ids, [&json!(1), &json!(2), &json!(3)]);
        match out {
            Output::Text(t) => assert_eq!(t.lines().count(), 3, "{t}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn stateful_gating_failures_and_timeouts() {
        let none = session(ProtocolVersion::V2025_06_18, ClientCapabilities::default());
        let (out, seen) = run_with(none, FaultSet::NONE, answer_everything).await;
        assert!(matches!(out, Output::Text(ref t) if t.starts_with("Nothing to ask")), "{out:?}");
        assert!(seen.is_empty());
        let (out, seen) = run_with(none, FaultSet::only(Fault::S2cWithoutCapability), |_| None).await;
        assert_eq!(seen[0]["method"], "sampling/createMessage");
        assert_eq!(seen[1]["method"], "notifications/cancelled", "the timed-out request is cancelled");
        assert!(matches!(out, Output::Failure(ref t) if t.contains("sampling/createMessage failed")), "{out:?}");
        let roots = session(ProtocolVersion::V2024_11_05, ClientCapabilities { roots: true, ..Default::default() });
        let (out, _) = run_with(roots, FaultSet::NONE, |_| Some(json!({"roots": "nope"}))).await;
        assert!(matches!(out, Output::Failure(ref t) if t.contains("roots/list")), "{out:?}");
        let uninitialized = LegacySession { initialized: false, ..roots };
        let (out, seen) = run_with(uninitialized, FaultSet::NONE, answer_everything).await;
        assert!(matches!(out, Output::Failure(ref t) if t.contains("notifications/initialized")), "{out:?}");
        assert!(seen.is_empty(), "L-LIFE-003");
    }
}
