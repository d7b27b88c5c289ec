//! What a server asks of the client: sampling, roots and elicitation.
//!
//! Both checks call the tool that plays the `client-input` role (a fixture
//! mapping names it). The harness declares every client capability it can
//! answer (see [`crate::session::client::capabilities`]) and nothing more, so
//! what the server may ask is known exactly.
//!
//! * `client-request-shapes`: every request the server sent (handshake era)
//!   or every `inputRequests` entry it returned (2026-07-28) is judged:
//!   elicitations have a message and a flat form or a URL (S2C-021) in a
//!   mode the client declared (S2C-020); sampling offers no tools (S2C-014)
//!   and asks for no deprecated context (S2C-015) the client did not
//!   declare, with messages of the two roles (S2C-017). In 2026-07-28 a
//!   JSON-RPC request of its own is a finding (S2C-001), and so are an
//!   `elicitationId` and `notifications/elicitation/complete`, which that
//!   version dropped (S2C-028). From 2025-11-25 a form whose message, field
//!   title or description holds an http(s) URL warns (S2C-023).
//! * `input-required` (2026-07-28): the round trip step by step. The first
//!   answer says `input_required` with `inputRequests` or `requestState`
//!   (S2C-005), entries without ids (S2C-004), without caching hints
//!   (CACHE-004); a retry missing the answers is asked again, not refused
//!   (S2C-013); `inputResponses` that is not an object is refused (S2C-011);
//!   an extra answer nobody asked for is ignored (S2C-012); answering
//!   everything ends the call. A server that keeps
//!   asking is allowed to (S2C-010): that is inconclusive.

use serde_json::{json, Map, Value};

use super::lists;
use super::observe::{self, Seen};
use super::resources::uri_syntax;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};
use crate::session::{client, stateless, Exchange, RequestOptions};
use crate::version::{at_least, era, Era};

/// The three requests a server may ask the client.
const CLIENT_METHODS: [&str; 3] = ["sampling/createMessage", "roots/list", "elicitation/create"];

/// The notification that ended a URL-mode elicitation until 2025-11-25.
const ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";

pub(super) fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

pub(super) fn role(context: &CaseContext<'_>) -> Result<ToolRole, StepOutcome> {
    context.options.fixtures.client_input.clone().ok_or_else(|| inconclusive(unmapped("client-input")))
}

/// `client-request-shapes`: call the role's tool (answering what it asks)
/// and judge every request it made of the client.
pub async fn request_shapes(context: &CaseContext<'_>) -> StepOutcome {
    let role = match role(context) {
        Ok(role) => role,
        Err(outcome) => return outcome,
    };
    let version = context.session.version.as_str();
    let connection = &context.session.connection;
    let mark = connection.mark();
    let exchange = observe::call(context, &role, Map::new()).await;
    let seen = observe::received(&connection.since(mark));
    let mut outcome = StepOutcome::default();
    let mut asked = 0;
    for message in &seen {
        if era(version) == Era::Stateless && message.method() == Some(ELICITATION_COMPLETE) {
            outcome.findings.push(observe::draft(
                "S2C-028",
                "(prose)",
                format!("the server sent `{ELICITATION_COMPLETE}`, which 2026-07-28 no longer has"),
                "no elicitation completion notification: the requestState carries the correlation",
                message.shown(),
            ));
        }
        if let (Some(method), Some(_)) = (message.method(), message.message.get("id")) {
            if !CLIENT_METHODS.contains(&method) {
                continue;
            }
            asked += 1;
            if era(version) == Era::Stateless {
                outcome.findings.push(observe::draft(
                    "S2C-001",
                    "MUST",
                    format!("the server sent `{method}` as a JSON-RPC request of its own"),
                    "in 2026-07-28, input asked for only through an input_required result",
                    message.shown(),
                ));
            }
            outcome.findings.extend(judge_request(version, method, message.params(), message));
        }
        for (key, entry) in input_requests(message) {
            let Some(method) = entry.get("method").and_then(Value::as_str) else { continue };
            asked += 1;
            let params = entry.get("params").unwrap_or(&Value::Null);
            outcome.findings.extend(judge_request(version, method, params, message).into_iter().map(|mut d| {
                d.message = format!("inputRequests[\"{key}\"]: {}", d.message);
                d
            }));
        }
    }
    if outcome.findings.is_empty() && asked == 0 {
        let why = match observe::unusable(&format!("the client-input tool `{}`", role.tool), &exchange) {
            Some(why) => why,
            None => format!("the client-input tool `{}` asked the client for nothing", role.tool),
        };
        return inconclusive(why);
    }
    outcome
}

/// The `inputRequests` entries of a result, if it has any.
fn input_requests(seen: &Seen) -> Vec<(&String, &Value)> {
    let entries = seen.message.pointer("/result/inputRequests").and_then(Value::as_object);
    entries.into_iter().flatten().collect()
}

/// The problems of one request the server made of the client, judged
/// against what the harness declared for `version`.
fn judge_request(version: &str, method: &str, params: &Value, seen: &Seen) -> Vec<Draft> {
    let declared = client::capabilities(version);
    let finding = |requirement: &str, keyword: &'static str, message: String, expected: &str| {
        observe::draft(requirement, keyword, message, expected, seen.shown())
    };
    let mut findings = Vec::new();
    let since_modes = at_least(version, "2025-11-25");
    match method {
        "elicitation/create" if at_least(version, "2025-06-18") => {
            let mode = params.get("mode").and_then(Value::as_str).unwrap_or("form");
            if since_modes && declared.pointer(&format!("/elicitation/{mode}")).is_none() {
                findings.push(finding(
                    "S2C-020",
                    "MUST NOT",
                    format!("an elicitation in `{mode}` mode, which the client did not declare"),
                    &format!("only the declared modes: {}", declared.get("elicitation").unwrap_or(&Value::Null)),
                ));
            }
            if let Some(problem) = elicitation_problem(version, mode, params) {
                findings.push(finding("S2C-021", "MUST", format!("an elicitation {problem}"), ELICITATION_SHAPE));
            }
            if mode == "form" && since_modes {
                if let Some(place) = form_link(params) {
                    findings.push(finding(
                        "S2C-023",
                        "SHOULD NOT",
                        format!("a form elicitation with a URL in its {place}"),
                        "no clickable URLs in a form: links go in a URL-mode elicitation",
                    ));
                }
            }
            if era(version) == Era::Stateless && params.get("elicitationId").is_some() {
                findings.push(finding(
                    "S2C-028",
                    "(prose)",
                    "an elicitation with an `elicitationId`, which 2026-07-28 no longer has".into(),
                    "no elicitationId: the requestState carries the correlation across retries",
                ));
            }
        }
        "sampling/createMessage" if since_modes => {
            let offers_tools = params.get("tools").is_some() || params.get("toolChoice").is_some();
            if offers_tools && declared.pointer("/sampling/tools").is_none() {
                findings.push(finding(
                    "S2C-014",
                    "MUST NOT",
                    "a sampling request with `tools` or `toolChoice`, though the client did not declare `sampling.tools`".into(),
                    "no tools in sampling requests without the client's sampling.tools",
                ));
            }
            let context = params.get("includeContext").and_then(Value::as_str).unwrap_or("none");
            if matches!(context, "thisServer" | "allServers") && declared.pointer("/sampling/context").is_none() {
                findings.push(finding(
                    "S2C-015",
                    "SHOULD NOT",
                    format!("a sampling request with includeContext \"{context}\", though the client did not declare `sampling.context`"),
                    "includeContext left out or \"none\"",
                ));
            }
            if let Some(problem) = sampling_messages_problem(params) {
                findings.push(finding("S2C-017", "MUST", problem, "messages of role user or assistant; a user message returning tool results holds nothing else"));
            }
        }
        _ => {}
    }
    findings
}

const ELICITATION_SHAPE: &str =
    "a message; form mode: a requestedSchema of type object whose properties are primitives; URL mode: a valid url";

/// What is wrong with an elicitation's shape (S2C-021), if anything.
fn elicitation_problem(version: &str, mode: &str, params: &Value) -> Option<String> {
    if !params.get("message").is_some_and(Value::is_string) {
        return Some("without a string `message`".into());
    }
    match mode {
        "url" => match params.get("url").and_then(Value::as_str) {
            None => Some("in URL mode without a string `url`".into()),
            Some(url) => uri_syntax(url).err().map(|why| format!("in URL mode with the url {url:?}: {why}")),
        },
        _ => {
            let schema = params.get("requestedSchema");
            if schema.and_then(|s| s.get("type")) != Some(&json!("object")) {
                return Some("in form mode without a requestedSchema of type object".into());
            }
            let properties = schema.and_then(|s| s.get("properties")).and_then(Value::as_object);
            properties.into_iter().flatten().find_map(|(name, field)| {
                (!is_primitive_field(version, field)).then(|| format!("whose form field `{name}` is not a primitive: {}", clip(&field.to_string(), 120)))
            })
        }
    }
}

/// Where a form elicitation carries an http(s) URL meant to be followed
/// (its message, or a field's title or description), if anywhere (S2C-023).
fn form_link(params: &Value) -> Option<String> {
    let has_link = |text: Option<&Value>| {
        text.and_then(Value::as_str).is_some_and(|t| {
            let lower = t.to_ascii_lowercase();
            lower.contains("https://") || lower.contains("http://")
        })
    };
    if has_link(params.get("message")) {
        return Some("message".into());
    }
    let properties = params.pointer("/requestedSchema/properties").and_then(Value::as_object);
    properties.into_iter().flatten().find_map(|(name, field)| {
        ["title", "description"].into_iter().find(|key| has_link(field.get(*key))).map(|key| format!("field `{name}`'s {key}"))
    })
}

/// A form field the client can render at `version`: a string (enums
/// included), number, integer or boolean, and from 2025-11-25 a
/// multi-select array of enumerated strings.
fn is_primitive_field(version: &str, field: &Value) -> bool {
    match field.get("type").and_then(Value::as_str) {
        Some("string" | "number" | "integer" | "boolean") => true,
        Some("array") if at_least(version, "2025-11-25") => field.get("items").is_some_and(|items| {
            items.get("type").and_then(Value::as_str).is_none_or(|t| t == "string")
                && (items.get("enum").is_some() || items.get("anyOf").is_some() || items.get("oneOf").is_some())
        }),
        _ => false,
    }
}

/// What is wrong with a sampling request's messages (S2C-017), if anything.
pub(super) fn sampling_messages_problem(params: &Value) -> Option<String> {
    let messages = params.get("messages").and_then(Value::as_array)?;
    for (n, message) in messages.iter().enumerate() {
        let role = message.get("role").and_then(Value::as_str);
        if !matches!(role, Some("user" | "assistant")) {
            return Some(format!("sampling message {n} has the role {}", message.get("role").unwrap_or(&Value::Null)));
        }
        let blocks: Vec<&Value> = match message.get("content") {
            Some(Value::Array(blocks)) => blocks.iter().collect(),
            Some(block) => vec![block],
            None => Vec::new(),
        };
        let results = blocks.iter().filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_result")).count();
        if role == Some("user") && results > 0 && results < blocks.len() {
            return Some(format!("sampling message {n} returns tool results mixed with other content"));
        }
    }
    None
}

/// 2026-07-28: the first call of the role's tool, which must answer
/// `input_required`: the call's params (to retry with) and that result.
pub(super) async fn first_interim(context: &CaseContext<'_>) -> Result<(Value, Value), StepOutcome> {
    let role = role(context)?;
    let version = context.session.version.as_str();
    let params = stateless::with_meta(json!({ "name": role.tool, "arguments": role.arguments }), version);
    let first = send(context, &params).await;
    match first.result() {
        Some(result) if lists::is_interim(result) => Ok((params, result.clone())),
        Some(_) => Err(inconclusive(format!("the client-input tool `{}` answered at once, asking for nothing", role.tool))),
        None => Err(inconclusive(observe::unusable(&format!("the client-input tool `{}`", role.tool), &first).unwrap_or_default())),
    }
}

/// `input-required` (2026-07-28): the multi round-trip pattern, round by round.
pub async fn round_trip(context: &CaseContext<'_>) -> StepOutcome {
    let version = context.session.version.as_str();
    let (params, interim) = match first_interim(context).await {
        Ok(first) => first,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    outcome.findings.extend(judge_interim(&interim));
    if !outcome.findings.is_empty() {
        return outcome;
    }
    // S2C-013: a retry that answers nothing is asked again, not refused.
    let needs_answers = interim.get("inputRequests").and_then(Value::as_object).is_some_and(|r| !r.is_empty());
    if needs_answers {
        let unanswered = send(context, &retry(&params, &interim, json!({}))).await;
        if let Some(error) = unanswered.error() {
            outcome.findings.push(observe::draft(
                "S2C-013",
                "SHOULD",
                "a retry without the requested inputResponses was refused with an error".into(),
                "a fresh input_required result asking again",
                clip(&error.to_string(), 300),
            ));
            return outcome;
        }
    }
    // S2C-011: inputResponses that is not an object is refused.
    let malformed = send(context, &retry(&params, &interim, json!(NOT_AN_OBJECT))).await;
    if let Some(result) = malformed.result() {
        outcome.findings.push(observe::draft(
            "S2C-011",
            "SHOULD",
            format!("a retry whose inputResponses is the string {NOT_AN_OBJECT:?} was answered with a result"),
            "a JSON-RPC error for inputResponses that is not an object",
            clip(&result.to_string(), 300),
        ));
        return outcome;
    }
    // Answer everything the server asks until it completes; the first
    // answer also carries an entry nobody asked for (S2C-012).
    let mut current = interim;
    let mut surplus = true;
    for _ in 0..stateless::MAX_INPUT_ROUNDS {
        let mut responses = answers(version, &current);
        if surplus {
            responses.insert(UNREQUESTED_KEY.into(), json!({ "roots": [] }));
        }
        let mut exchange = send(context, &retry(&params, &current, Value::Object(responses.clone()))).await;
        if surplus && exchange.error().is_some() {
            responses.remove(UNREQUESTED_KEY);
            let plain = send(context, &retry(&params, &current, Value::Object(responses))).await;
            if plain.result().is_some() {
                outcome.findings.push(observe::draft(
                    "S2C-012",
                    "SHOULD",
                    format!("the answers with an extra entry `{UNREQUESTED_KEY}` were refused, the same answers without it accepted"),
                    "extra inputResponses entries ignored",
                    clip(&exchange.error().map(Value::to_string).unwrap_or_default(), 300),
                ));
                return outcome;
            }
            exchange = plain;
        }
        surplus = false;
        match exchange.result() {
            Some(result) if lists::is_interim(result) => {
                outcome.findings.extend(judge_interim(result));
                if !outcome.findings.is_empty() {
                    return outcome;
                }
                current = result.clone();
            }
            Some(_) => return outcome,
            None => {
                let why = observe::unusable("the retry answering every input request", &exchange).unwrap_or_default();
                return inconclusive(why);
            }
        }
    }
    inconclusive(format!(
        "the server still asked for input after {} answered rounds (it may keep asking, S2C-010)",
        stateless::MAX_INPUT_ROUNDS
    ))
}

pub(super) async fn send(context: &CaseContext<'_>, params: &Value) -> Exchange {
    stateless::send(&context.session.connection, "tools/call", params.clone(), &RequestOptions::default()).await
}

/// `inputResponses` of the wrong JSON type (S2C-011).
const NOT_AN_OBJECT: &str = "mcp-conform: not an object";

/// An `inputResponses` key no input request used (S2C-012).
const UNREQUESTED_KEY: &str = "mcp-conform-unrequested";

/// The first call's params with `responses` and the interim result's `requestState`.
pub(super) fn retry(params: &Value, interim: &Value, responses: Value) -> Value {
    let mut params = params.clone();
    params["inputResponses"] = responses;
    if let Some(state) = interim.get("requestState") {
        params["requestState"] = state.clone();
    }
    params
}

/// The harness's answer to every input request it can answer.
pub(super) fn answers(version: &str, interim: &Value) -> Map<String, Value> {
    let requests = interim.get("inputRequests").and_then(Value::as_object);
    requests
        .into_iter()
        .flatten()
        .filter_map(|(key, request)| {
            let method = request.get("method").and_then(Value::as_str)?;
            client::answer(version, method, request.get("params")).ok().map(|answer| (key.clone(), answer))
        })
        .collect()
}

/// The problems of one `input_required` result.
pub(super) fn judge_interim(result: &Value) -> Vec<Draft> {
    let shown = clip(&result.to_string(), 300);
    let finding = |requirement: &str, keyword: &'static str, message: String, expected: &str| {
        observe::draft(requirement, keyword, message, expected, shown.clone())
    };
    let mut findings = Vec::new();
    let requests = result.get("inputRequests");
    if requests.is_none() && result.get("requestState").is_none() {
        findings.push(finding(
            "S2C-005",
            "MUST",
            "an input_required result with neither inputRequests nor requestState".into(),
            "inputRequests, requestState or both",
        ));
    }
    for (key, request) in requests.and_then(Value::as_object).into_iter().flatten() {
        let method = request.get("method").and_then(Value::as_str);
        if !method.is_some_and(|m| CLIENT_METHODS.contains(&m)) {
            findings.push(finding(
                "S2C-004",
                "MUST",
                format!("inputRequests[\"{key}\"] is not an elicitation, sampling or roots request"),
                "each entry: {method: elicitation/create | sampling/createMessage | roots/list, params}",
            ));
        } else if request.get("id").is_some() {
            findings.push(finding(
                "S2C-004",
                "MUST",
                format!("inputRequests[\"{key}\"] carries a JSON-RPC id"),
                "each entry: method and params, no id",
            ));
        }
    }
    if result.get("ttlMs").is_some() || result.get("cacheScope").is_some() {
        findings.push(finding(
            "CACHE-004",
            "(prose)",
            "an input_required result carries caching hints".into(),
            "no ttlMs and no cacheScope on an interim result",
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elicitation_shapes() {
        let form = json!({"message": "m", "requestedSchema": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "boolean"}}}});
        assert_eq!(elicitation_problem("2025-11-25", "form", &form), None);
        let nested = json!({"message": "m", "requestedSchema": {"type": "object", "properties": {"a": {"type": "object"}}}});
        assert!(elicitation_problem("2025-11-25", "form", &nested).is_some());
        let multi = json!({"message": "m", "requestedSchema": {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string", "enum": ["x"]}}}}});
        assert_eq!(elicitation_problem("2025-11-25", "form", &multi), None);
        assert!(elicitation_problem("2025-06-18", "form", &multi).is_some(), "multi-select arrived in 2025-11-25");
        assert!(elicitation_problem("2025-11-25", "form", &json!({"requestedSchema": {"type": "object"}})).is_some());
        assert_eq!(elicitation_problem("2025-11-25", "url", &json!({"message": "m", "url": "https://example.com/x"})), None);
        assert!(elicitation_problem("2025-11-25", "url", &json!({"message": "m", "url": "not a url"})).is_some());
    }

    #[test]
    fn form_links() {
        let plain = json!({"message": "Your name?", "requestedSchema": {"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}}});
        assert_eq!(form_link(&plain), None);
        assert_eq!(form_link(&json!({"message": "See HTTPS://example.com/x"})).as_deref(), Some("message"));
        let field = json!({"message": "m", "requestedSchema": {"properties": {"a": {"type": "string", "description": "read http://example.com"}}}});
        assert_eq!(form_link(&field).as_deref(), Some("field `a`'s description"));
    }

    #[test]
    fn sampling_messages() {
        let fine = json!({"messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}]});
        assert_eq!(sampling_messages_problem(&fine), None);
        let system = json!({"messages": [{"role": "system", "content": {"type": "text", "text": "hi"}}]});
        assert!(sampling_messages_problem(&system).is_some());
        let mixed = json!({"messages": [{"role": "user", "content": [{"type": "tool_result", "toolUseId": "1", "content": []}, {"type": "text", "text": "x"}]}]});
        assert!(sampling_messages_problem(&mixed).is_some());
    }

    #[test]
    fn interim_results() {
        assert!(judge_interim(&json!({"resultType": "input_required", "requestState": "s"})).is_empty());
        assert_eq!(judge_interim(&json!({"resultType": "input_required"}))[0].requirement, "S2C-005");
        let with_id = json!({"resultType": "input_required", "inputRequests": {"r": {"id": 1, "method": "roots/list"}}});
        assert_eq!(judge_interim(&with_id)[0].requirement, "S2C-004");
        let hinted = json!({"resultType": "input_required", "requestState": "s", "ttlMs": 5, "cacheScope": "private"});
        assert_eq!(judge_interim(&hinted)[0].requirement, "CACHE-004");
    }
}
