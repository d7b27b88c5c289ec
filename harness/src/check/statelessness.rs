//! 2026-07-28 is stateless: each request brings its version and client
//! capabilities, and the server takes them from that request alone.
//!
//! `per-request-capabilities`, on a fresh connection:
//!
//! 1. `server/discover` naming the version `1900-01-01`, before anything
//!    else: whether this server serves an unknown version at all.
//! 2. The `client-input` tool declaring no client capabilities: asking for
//!    sampling, roots or elicitation relies on what was not declared
//!    (LIFECYCLE-008).
//! 3. The same tool declaring every capability the harness has, then again
//!    declaring none: asking now, where step 2 did not, takes the
//!    capabilities from the earlier request (LIFECYCLE-010).
//! 4. Step 1 again: served now, where step 1 was refused, takes the version
//!    from the earlier requests (LIFECYCLE-010).
//! 5. The `needs-capability` tool declaring everything (it must not be
//!    refused, or the mapping is wrong), then declaring nothing: it must be
//!    refused with -32021 whose `data.requiredCapabilities` names what is
//!    missing, over HTTP with status 400 (LIFECYCLE-009).
//!
//! Interim `input_required` results are read, never answered: only what
//! the server asks for matters here.
//!
//! `interleaved-conversations` runs two multi round-trip calls of the
//! `client-input` tool, declaring different capabilities, side by side on
//! one connection and completes them in
//! reverse order (LIFECYCLE-013, LIFECYCLE-011).
//!
//! `legacy-initialize` sends the opening move of a handshake-era client,
//! `initialize` for 2025-11-25, on a fresh connection. A dual-era server
//! serves it (LIFECYCLE-018 lets it); a server of 2026-07-28 only refuses
//! it with an error that should name the versions it does support
//! (LIFECYCLE-017): every version its `server/discover` lists.

use serde_json::{json, Value};

use super::lists::describe;
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};
use crate::session::{client, stateful, stateless, Exchange, RequestOptions};
use crate::transport::Kind;

/// A version no server serves.
const UNKNOWN_VERSION: &str = "1900-01-01";

/// The handshake-era version a legacy client opens with.
const LEGACY_VERSION: &str = "2025-11-25";

/// MissingRequiredClientCapabilityError.
const MISSING_CAPABILITY: i64 = -32021;

/// Requests the server may make of a client only with the capability.
const NEEDS_CAPABILITY: [&str; 3] = ["sampling/createMessage", "roots/list", "elicitation/create"];

/// Run `per-request-capabilities` on the case's fresh connection.
pub async fn per_request_capabilities(context: &CaseContext<'_>) -> StepOutcome {
    let mut outcome = StepOutcome::default();
    let first_probe = discover_at_unknown_version(context).await;
    let fixtures = &context.options.fixtures;
    match &fixtures.client_input {
        Some(role) => carried_capabilities(context, role, &mut outcome).await,
        None => outcome.inconclusive.push(format!("LIFECYCLE-008, LIFECYCLE-010: {}", unmapped("client-input"))),
    }
    let second_probe = discover_at_unknown_version(context).await;
    if first_probe.result().is_none() && second_probe.result().is_some() {
        outcome.findings.push(Draft {
            requirement: "LIFECYCLE-010".into(),
            keyword: Some("MUST NOT"),
            message: format!("a request naming version {UNKNOWN_VERSION} was refused first, but served after other requests on the connection"),
            expected: "the version of each request taken from its own _meta: -32022 every time".into(),
            actual: format!("first: {}; after other requests: {}", describe(&first_probe), describe(&second_probe)),
            hint: Some("Read io.modelcontextprotocol/protocolVersion from every request; never fall back to a version an earlier request named"),
        });
    }
    match &fixtures.needs_capability {
        Some(role) => missing_capability(context, role, &mut outcome).await,
        None => outcome.inconclusive.push(format!("LIFECYCLE-009: {}", unmapped("needs-capability"))),
    }
    outcome
}

/// `server/discover` whose `_meta` names [`UNKNOWN_VERSION`].
async fn discover_at_unknown_version(context: &CaseContext<'_>) -> Exchange {
    let options = RequestOptions { protocol_version: Some(UNKNOWN_VERSION.into()), ..RequestOptions::default() };
    stateless::send(&context.session.connection, "server/discover", stateless::with_meta(json!({}), UNKNOWN_VERSION), &options).await
}

/// One `tools/call` of `role` declaring `capabilities`, its first answer only.
async fn call_declaring(context: &CaseContext<'_>, role: &ToolRole, capabilities: Value) -> Exchange {
    let version = context.session.version.as_str();
    let params = json!({
        "name": role.tool,
        "arguments": role.arguments,
        "_meta": { "io.modelcontextprotocol/clientCapabilities": capabilities },
    });
    stateless::send(&context.session.connection, "tools/call", stateless::with_meta(params, version), &RequestOptions::default()).await
}

/// The requests needing a client capability that an answer asks for (as
/// `inputRequests` entries of an `input_required` result).
fn capability_requests(exchange: &Exchange) -> Vec<String> {
    let inputs = exchange.result().and_then(|r| r.get("inputRequests")).and_then(Value::as_object);
    inputs
        .into_iter()
        .flatten()
        .filter_map(|(_, input)| input.get("method").and_then(Value::as_str))
        .filter(|method| NEEDS_CAPABILITY.contains(method))
        .map(str::to_string)
        .collect()
}

/// Steps 2 and 3: the `client-input` tool without, with, and again without
/// the capabilities.
async fn carried_capabilities(context: &CaseContext<'_>, role: &ToolRole, outcome: &mut StepOutcome) {
    let before = call_declaring(context, role, json!({})).await;
    let asked_before = capability_requests(&before);
    if !asked_before.is_empty() {
        outcome.findings.push(Draft {
            requirement: "LIFECYCLE-008".into(),
            keyword: Some("MUST NOT"),
            message: format!("`{}` called declaring no client capabilities asked for {}", role.tool, asked_before.join(", ")),
            expected: "no request needing a capability the request did not declare (a result, or -32021)".into(),
            actual: describe(&before),
            hint: Some("Ask the client only for what io.modelcontextprotocol/clientCapabilities of this very request declares"),
        });
        return;
    }
    let declared = call_declaring(context, role, client::capabilities(context.session.version.as_str())).await;
    if capability_requests(&declared).is_empty() {
        let why = format!("`{}` asked for nothing even with every capability declared: {}", role.tool, describe(&declared));
        outcome.inconclusive.push(format!("LIFECYCLE-010 (capabilities): {why}"));
        return;
    }
    let after = call_declaring(context, role, json!({})).await;
    let asked_after = capability_requests(&after);
    if !asked_after.is_empty() {
        outcome.findings.push(Draft {
            requirement: "LIFECYCLE-010".into(),
            keyword: Some("MUST NOT"),
            message: format!(
                "`{}` declaring no client capabilities asked for nothing at first, but for {} once an earlier request on the connection had declared them",
                role.tool,
                asked_after.join(", ")
            ),
            expected: "the capabilities of each request taken from its own _meta".into(),
            actual: format!("first: {}; after a request declaring them: {}", describe(&before), describe(&after)),
            hint: Some("Never carry client capabilities over from earlier requests on the same connection"),
        });
    }
}

/// Step 5: the `needs-capability` tool with and without the capabilities.
async fn missing_capability(context: &CaseContext<'_>, role: &ToolRole, outcome: &mut StepOutcome) {
    let declared = call_declaring(context, role, client::capabilities(context.session.version.as_str())).await;
    if declared.error_code() == Some(MISSING_CAPABILITY) || (declared.result().is_none() && declared.error().is_none()) {
        let why = format!("`{}` with every capability declared was not served: {}", role.tool, describe(&declared));
        outcome.inconclusive.push(format!("LIFECYCLE-009: {why}"));
        return;
    }
    let undeclared = call_declaring(context, role, json!({})).await;
    if let Some(problem) = refusal_problem(&undeclared, context.transport) {
        outcome.findings.push(Draft {
            requirement: "LIFECYCLE-009".into(),
            keyword: Some("MUST"),
            message: format!("`{}`, which needs a client capability, called declaring none: {problem}", role.tool),
            expected: "error -32021 with data.requiredCapabilities naming the missing capabilities (HTTP status 400)".into(),
            actual: describe(&undeclared),
            hint: Some("Refuse a request that needs an undeclared client capability with MissingRequiredClientCapabilityError (-32021)"),
        });
    }
}

/// What is wrong with the answer to a request that needs an undeclared
/// capability, if anything.
fn refusal_problem(exchange: &Exchange, transport: Kind) -> Option<String> {
    let Some(error) = exchange.error() else {
        return Some(match exchange.result() {
            Some(_) => "it was answered with a result".into(),
            None => "it was not answered".into(),
        });
    };
    if exchange.error_code() != Some(MISSING_CAPABILITY) {
        return Some(format!("the error code is {}", error.get("code").unwrap_or(&Value::Null)));
    }
    let named = error.pointer("/data/requiredCapabilities").and_then(Value::as_object).is_some_and(|c| !c.is_empty());
    if !named {
        return Some("data.requiredCapabilities does not name the missing capabilities".into());
    }
    let status = exchange.http.as_ref().map(|head| head.status);
    match status {
        Some(status) if transport == Kind::StreamableHttp && status != 400 => Some(format!("the HTTP status is {status}")),
        _ => None,
    }
}

/// Run `legacy-initialize` on the case's fresh connection.
pub async fn legacy_initialize(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    // The answer is checked against the schema of the version it asks for.
    connection.set_version(LEGACY_VERSION);
    let opening = connection.request("initialize", stateful::initialize_params(LEGACY_VERSION), Vec::new()).await;
    connection.set_version(version);
    if opening.result().is_some_and(|r| r.get("protocolVersion").is_some_and(Value::is_string)) {
        // A dual-era server, as LIFECYCLE-018 allows: LIFECYCLE-017 is about servers of 2026-07-28 only.
        return StepOutcome::default();
    }
    let discover = stateless::request(connection, version, "server/discover", json!({}), &RequestOptions::default()).await;
    let supported: Vec<String> = discover
        .result()
        .and_then(|r| r.get("supportedVersions"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    if supported.is_empty() {
        let why = format!("server/discover named no supported versions to look for: {}", describe(&discover));
        return StepOutcome { inconclusive: vec![why], ..StepOutcome::default() };
    }
    let Some(unnamed) = versions_not_named(&opening, &supported) else {
        return StepOutcome::default();
    };
    StepOutcome {
        findings: vec![Draft {
            requirement: "LIFECYCLE-017".into(),
            keyword: Some("SHOULD"),
            message: format!("`initialize` for {LEGACY_VERSION} was not served, and the answer does not name {}", unnamed.join(", ")),
            expected: format!("an error whose message or data names the supported versions {}", supported.join(", ")),
            actual: describe(&opening),
            hint: Some("Answer a legacy initialize with an error naming the protocol versions you support (e.g. in data.supported)"),
        }],
        ..StepOutcome::default()
    }
}

/// The supported versions the refusal of `initialize` leaves unnamed (a
/// missing answer names none); `None` when it names them all.
fn versions_not_named(opening: &Exchange, supported: &[String]) -> Option<Vec<String>> {
    let text = opening.error().map(Value::to_string).unwrap_or_default();
    let unnamed: Vec<String> = supported.iter().filter(|v| !text.contains(v.as_str())).cloned().collect();
    (!unnamed.is_empty()).then_some(unnamed)
}

/// Run `interleaved-conversations` on the case's connection: two calls of
/// the `client-input` tool, the first declaring every capability, the
/// second only the one the first's last input request needs (so that the
/// two conversations differ), each answered `input_required`; the later
/// one is completed first, then the earlier
/// one, each with its own answers and `requestState`. The earlier one must
/// still complete (LIFECYCLE-013): its state travels with the request
/// (LIFECYCLE-011), whatever the connection saw since.
pub async fn interleaved_conversations(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = &context.options.fixtures.client_input else {
        return StepOutcome { inconclusive: vec![unmapped("client-input")], ..StepOutcome::default() };
    };
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    let capabilities = client::capabilities(version);
    let earlier = call_declaring(context, role, capabilities.clone()).await;
    // The later conversation declares less, so that the two differ.
    let narrower = narrower_capabilities(&earlier, &capabilities);
    let later = call_declaring(context, role, narrower.clone()).await;
    let (Some(earlier_retry), Some(later_retry)) =
        (retry_params(role, &earlier, version, &capabilities), retry_params(role, &later, version, &narrower))
    else {
        let why = format!("`{}` did not answer input_required with a requestState twice: {}", role.tool, describe(&later));
        return StepOutcome { inconclusive: vec![why], ..StepOutcome::default() };
    };
    let later_done = stateless::send(connection, "tools/call", later_retry, &RequestOptions::default()).await;
    let earlier_done = stateless::send(connection, "tools/call", earlier_retry, &RequestOptions::default()).await;
    match (completion(&later_done), completion(&earlier_done)) {
        (Completion::Done, Completion::Done) => StepOutcome::default(),
        (Completion::Done, Completion::Refused) => StepOutcome {
            findings: vec![Draft {
                requirement: "LIFECYCLE-013".into(),
                keyword: Some("SHOULD"),
                message: format!("`{}`: the earlier of two interleaved conversations could not be completed once the later one was", role.tool),
                expected: "each conversation completed by its own answers and requestState, in any order".into(),
                actual: format!("later: {}; earlier: {}", describe(&later_done), describe(&earlier_done)),
                hint: Some("Keep no \"current conversation\" per connection: find a conversation's state by the requestState the retry brings"),
            }],
            ..StepOutcome::default()
        },
        _ => {
            let why = format!("the conversations did not both end (later: {}; earlier: {})", describe(&later_done), describe(&earlier_done));
            StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
        }
    }
}

/// Of `capabilities`, only the one the last input request of `exchange`
/// needs (all of them when it names none the harness knows).
fn narrower_capabilities(exchange: &Exchange, capabilities: &Value) -> Value {
    let capability = |method: &str| match method {
        "sampling/createMessage" => Some("sampling"),
        "roots/list" => Some("roots"),
        "elicitation/create" => Some("elicitation"),
        _ => None,
    };
    let last = capability_requests(exchange).iter().rev().find_map(|method| capability(method));
    match last.and_then(|name| capabilities.get(name).map(|value| (name, value))) {
        Some((name, value)) => json!({ name: value }),
        None => capabilities.clone(),
    }
}

/// How a retry of a multi round-trip call ended.
#[derive(Debug, PartialEq, Eq)]
enum Completion {
    /// A final result that is no tool error.
    Done,
    /// An error, or a tool error.
    Refused,
    /// Still asking, or no answer: nothing to judge.
    Open,
}

fn completion(exchange: &Exchange) -> Completion {
    match (exchange.result(), exchange.error()) {
        (Some(result), _) if super::lists::is_interim(result) => Completion::Open,
        (Some(result), _) if result.get("isError") == Some(&Value::Bool(true)) => Completion::Refused,
        (Some(_), _) => Completion::Done,
        (None, Some(_)) => Completion::Refused,
        (None, None) => Completion::Open,
    }
}

/// The retry of `role`'s call that answers every input request of
/// `exchange` and echoes its `requestState`; `None` when it asked for
/// nothing or brought no state.
fn retry_params(role: &ToolRole, exchange: &Exchange, version: &str, capabilities: &Value) -> Option<Value> {
    let result = exchange.result().filter(|r| super::lists::is_interim(r))?;
    let state = result.get("requestState")?.clone();
    let mut responses = serde_json::Map::new();
    for (key, input) in result.get("inputRequests").and_then(Value::as_object).into_iter().flatten() {
        let method = input.get("method").and_then(Value::as_str).unwrap_or_default();
        if let Ok(answer) = client::answer(version, method, input.get("params")) {
            responses.insert(key.clone(), answer);
        }
    }
    let params = json!({
        "name": role.tool,
        "arguments": role.arguments,
        "inputResponses": responses,
        "requestState": state,
        "_meta": { "io.modelcontextprotocol/clientCapabilities": capabilities },
    });
    Some(stateless::with_meta(params, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Reply;

    fn exchange(message: Value, status: Option<u16>) -> Exchange {
        Exchange {
            request: json!({}),
            http: status.map(|status| crate::transport::HttpResponseHead {
                method: "POST",
                status,
                content_type: Some("application/json".into()),
                headers: Vec::new(),
            }),
            reply: Reply::Response(message),
            unsent: None,
        }
    }

    #[test]
    fn only_capability_requests_count() {
        let asked = json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required", "inputRequests": {
            "a": {"method": "sampling/createMessage"}, "b": {"method": "something/else"}}}});
        assert_eq!(capability_requests(&exchange(asked, None)), ["sampling/createMessage"]);
        let done = json!({"jsonrpc": "2.0", "id": 1, "result": {"content": []}});
        assert!(capability_requests(&exchange(done, None)).is_empty());
    }

    #[test]
    fn a_refusal_needs_the_code_the_names_and_the_status() {
        let refusal = |status| {
            exchange(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32021, "message": "m", "data": {"requiredCapabilities": {"sampling": {}}}}}), status)
        };
        assert_eq!(refusal_problem(&refusal(Some(400)), Kind::StreamableHttp), None);
        assert_eq!(refusal_problem(&refusal(None), Kind::Stdio), None);
        assert!(refusal_problem(&refusal(Some(200)), Kind::StreamableHttp).is_some());
        let unnamed = exchange(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32021, "message": "m", "data": {"requiredCapabilities": {}}}}), None);
        assert!(refusal_problem(&unnamed, Kind::Stdio).is_some());
        let tool_error = exchange(json!({"jsonrpc": "2.0", "id": 1, "result": {"content": [], "isError": true}}), None);
        assert!(refusal_problem(&tool_error, Kind::Stdio).is_some());
        let other_code = exchange(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "m"}}), None);
        assert!(refusal_problem(&other_code, Kind::Stdio).is_some());
    }

    #[test]
    fn completions() {
        let answer = |message: Value| completion(&exchange(message, None));
        assert_eq!(answer(json!({"jsonrpc": "2.0", "id": 1, "result": {"content": []}})), Completion::Done);
        assert_eq!(answer(json!({"jsonrpc": "2.0", "id": 1, "result": {"content": [], "isError": true}})), Completion::Refused);
        assert_eq!(answer(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "m"}})), Completion::Refused);
        assert_eq!(answer(json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required"}})), Completion::Open);
    }

    #[test]
    fn an_initialize_refusal_must_name_every_supported_version() {
        let supported = vec!["2026-07-28".to_string()];
        let named = exchange(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "m", "data": {"supported": ["2026-07-28"]}}}), None);
        assert_eq!(versions_not_named(&named, &supported), None);
        let in_message = exchange(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32600, "message": "only 2026-07-28 is served"}}), None);
        assert_eq!(versions_not_named(&in_message, &supported), None);
        let silent = exchange(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "Method not found: initialize"}}), None);
        assert_eq!(versions_not_named(&silent, &supported), Some(supported.clone()));
    }
}
