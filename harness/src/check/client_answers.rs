//! How a server copes with what the client gives back: the `requestState`
//! it echoes (2026-07-28) and elicitations that are refused or answered
//! with content that does not fit the form.
//!
//! Both checks call the tool that plays the `client-input` role.
//!
//! * `request-state` (2026-07-28): the state is attacker-controlled
//!   (S2C-007). The check first makes sure the state matters: the retry
//!   answering everything without it must not complete the call, the one
//!   with it must. Then a retry with the state altered in one character
//!   (its last, then its middle; always a change of the decoded bytes when
//!   the state is Base64) completing the call is a finding. A refusal, an
//!   error or a fresh `input_required` passes. The genuine state goes last,
//!   as a state may be meant for one use. Binding to the principal, expiry
//!   and request (S2C-008) is not judged: the role's tool may take no
//!   other arguments to replay the state on, and expiry and principal
//!   cannot be provoked from outside.
//! * `elicitation-answers` (2025-06-18 on): the harness declines, cancels
//!   and (handshake era) fails the tool's elicitation, each in its own call:
//!   the call must still end, with a result or an error other than -32603
//!   (the server breaking on the answer), and the server keep answering
//!   (S2C-026). Then it accepts with a value of the wrong type in every
//!   form field: the call completing as if the content were fine is a
//!   finding (S2C-027, SHOULD).

use serde_json::{json, Map, Value};

use super::client_input::{answers, first_interim, inconclusive, retry, role, send};
use super::lists;
use super::observe;
use crate::execute::{clip, CaseContext, StepOutcome};
use crate::session::client::{self, ElicitationAnswer};
use crate::session::{stateless, Exchange, Reply, RequestOptions};
use crate::version::{era, Era};

/// Whether an exchange completed its call: a final result that is no tool error.
pub(super) fn completes(exchange: &Exchange) -> bool {
    exchange.result().is_some_and(|r| !lists::is_interim(r) && r.get("isError") != Some(&Value::Bool(true)))
}

/// What an exchange came to, for the evidence.
pub(super) fn shown(exchange: &Exchange) -> String {
    match &exchange.reply {
        Reply::Response(message) => clip(&message.to_string(), 300),
        Reply::NoResponse(why) | Reply::TooLarge(why) => why.clone(),
    }
}

/// `request-state`: altered or replayed `requestState` is refused.
pub async fn request_state(context: &CaseContext<'_>) -> StepOutcome {
    let version = context.session.version.as_str();
    let (params, interim) = match first_interim(context).await {
        Ok(first) => first,
        Err(outcome) => return outcome,
    };
    let Some(state) = interim.get("requestState").and_then(Value::as_str).map(str::to_owned) else {
        return inconclusive("the client-input tool's input_required result has no string requestState".into());
    };
    let responses = Value::Object(answers(version, &interim));
    // The state must matter: without it the answers alone do not complete the call.
    let mut stateless_retry = retry(&params, &interim, responses.clone());
    if let Some(fields) = stateless_retry.as_object_mut() {
        fields.remove("requestState");
    }
    if completes(&send(context, &stateless_retry).await) {
        return inconclusive("the call completes without its requestState: nothing shows what the state decides".into());
    }
    let mut outcome = StepOutcome::default();
    for (where_, altered) in tamperings(&state) {
        let mut tampered = retry(&params, &interim, responses.clone());
        tampered["requestState"] = json!(altered);
        let exchange = send(context, &tampered).await;
        if completes(&exchange) {
            outcome.findings.push(observe::draft(
                "S2C-007",
                "MUST",
                format!("a retry whose requestState was altered in its {where_} character completed the call"),
                "state that fails verification refused (an error, a tool error or a fresh input_required)",
                format!("sent requestState {}; answer: {}", clip(&altered, 120), shown(&exchange)),
            ));
            break;
        }
    }
    // Last, as a state may be meant for one use: the genuine state completes the call.
    let genuine = send(context, &retry(&params, &interim, responses)).await;
    if !completes(&genuine) {
        return inconclusive(format!(
            "answering everything with the genuine requestState did not complete the call, so a refusal proves nothing: {}",
            shown(&genuine)
        ));
    }
    outcome
}

/// `state` altered in one character: its last, then its middle one.
fn tamperings(state: &str) -> Vec<(&'static str, String)> {
    let chars: Vec<char> = state.chars().collect();
    let mut altered = Vec::new();
    for (label, at) in [("last", chars.len().wrapping_sub(1)), ("middle", chars.len() / 2)] {
        let Some(&c) = chars.get(at) else { continue };
        let mut changed = chars.clone();
        changed[at] = flipped(c);
        altered.push((label, changed.into_iter().collect()));
    }
    altered
}

/// A different character: for a Base64 (standard or URL-safe) digit, the
/// one whose top bit differs, which is never a padding bit, so the decoded
/// bytes change too.
fn flipped(c: char) -> char {
    const STANDARD: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const URL_SAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for alphabet in [STANDARD, URL_SAFE] {
        if let Some(index) = alphabet.find(c) {
            return alphabet.as_bytes()[index ^ 32] as char;
        }
    }
    if c == 'A' { 'B' } else { 'A' }
}

/// `elicitation-answers`: declined, cancelled and failed elicitations are
/// handled; content that does not fit the form is not taken as valid.
pub async fn elicitation_answers(context: &CaseContext<'_>) -> StepOutcome {
    let role = match role(context) {
        Ok(role) => role,
        Err(outcome) => return outcome,
    };
    let stateful = era(&context.session.version) == Era::Stateful;
    let mut ways = vec![ElicitationAnswer::Decline, ElicitationAnswer::Cancel];
    // A client's failure is a JSON-RPC error, which inputResponses cannot carry.
    if stateful {
        ways.push(ElicitationAnswer::Fail);
    }
    ways.push(ElicitationAnswer::NonConforming);
    let mut outcome = StepOutcome::default();
    for how in ways {
        let ending = if stateful { answer_stateful(context, &role, how).await } else { answer_stateless(context, &role, how).await };
        // None: the tool asked for no elicitation, so there is nothing to judge.
        let Some(exchange) = ending else {
            return inconclusive(format!("the client-input tool `{}` asked for no elicitation", role.tool));
        };
        if let Reply::TooLarge(why) = &exchange.reply {
            return inconclusive(why.clone());
        }
        let what = describe(how);
        if how == ElicitationAnswer::NonConforming {
            if completes(&exchange) {
                outcome.findings.push(observe::draft(
                    "S2C-027",
                    "SHOULD",
                    format!("the call completed after the client {what}"),
                    "content checked against the requestedSchema: an error, a tool error or asking again",
                    shown(&exchange),
                ));
            }
            continue;
        }
        let broken = match &exchange.reply {
            Reply::NoResponse(why) => Some(format!("the call never ended: {why}")),
            _ if exchange.error_code() == Some(-32603) => Some(format!("the call ended in an internal error: {}", shown(&exchange))),
            _ => None,
        };
        if let Some(broken) = broken {
            outcome.findings.push(observe::draft(
                "S2C-026",
                "MUST",
                format!("after the client {what}, {broken}"),
                "the call ends with a result (a tool error is fine) or a deliberate error; the server keeps serving",
                shown(&exchange),
            ));
            break;
        }
    }
    if let Some(why) = silent(context).await {
        outcome.findings.push(observe::draft(
            "S2C-026",
            "MUST",
            "after the refused elicitations the server no longer answers".into(),
            "the server keeps serving",
            why,
        ));
    }
    outcome
}

/// What the harness did to the elicitation, for a finding's message.
fn describe(how: ElicitationAnswer) -> &'static str {
    match how {
        ElicitationAnswer::Accept => "accepted the elicitation",
        ElicitationAnswer::Decline => "declined the elicitation",
        ElicitationAnswer::Cancel => "cancelled the elicitation",
        ElicitationAnswer::Fail => "answered the elicitation with an error",
        ElicitationAnswer::NonConforming => "accepted the elicitation with content of the wrong type in every field",
    }
}

/// Handshake era: the harness answers the tool's `elicitation/create` `how`.
async fn answer_stateful(context: &CaseContext<'_>, role: &crate::fixtures::ToolRole, how: ElicitationAnswer) -> Option<Exchange> {
    let connection = &context.session.connection;
    connection.answer_elicitations(how);
    let mark = connection.mark();
    let exchange = observe::call(context, role, Map::new()).await;
    connection.answer_elicitations(ElicitationAnswer::Accept);
    let seen = observe::received(&connection.since(mark));
    let asked = seen.iter().any(|m| m.method() == Some("elicitation/create") && m.message.get("id").is_some());
    asked.then_some(exchange)
}

/// 2026-07-28: the retries answer every elicitation entry `how`, the rest as usual.
async fn answer_stateless(context: &CaseContext<'_>, role: &crate::fixtures::ToolRole, how: ElicitationAnswer) -> Option<Exchange> {
    let version = context.session.version.as_str();
    let params = stateless::with_meta(json!({ "name": role.tool, "arguments": role.arguments }), version);
    let mut exchange = send(context, &params).await;
    let mut asked = false;
    for _ in 0..stateless::MAX_INPUT_ROUNDS {
        let Some(interim) = exchange.result().filter(|r| lists::is_interim(r)).cloned() else { break };
        let mut responses = answers(version, &interim);
        let requests = interim.get("inputRequests").and_then(Value::as_object);
        for (key, request) in requests.into_iter().flatten() {
            if request.get("method").and_then(Value::as_str) != Some("elicitation/create") {
                continue;
            }
            asked = true;
            if let Ok(answer) = client::answer_elicitation(how, request.get("params")) {
                responses.insert(key.clone(), answer);
            }
        }
        if !asked {
            break;
        }
        exchange = send(context, &retry(&params, &interim, Value::Object(responses))).await;
    }
    asked.then_some(exchange)
}

/// Why the server did not answer `ping` (`server/discover` in 2026-07-28), if it did not.
async fn silent(context: &CaseContext<'_>) -> Option<String> {
    let session = context.session;
    let exchange = match era(&session.version) {
        Era::Stateful => session.request("ping", json!({}), &RequestOptions::default()).await,
        Era::Stateless => stateless::request(&session.connection, &session.version, "server/discover", json!({}), &RequestOptions::default()).await,
    };
    match exchange.reply {
        Reply::NoResponse(why) => Some(why),
        Reply::Response(_) | Reply::TooLarge(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;

    #[test]
    fn tampering_changes_the_decoded_bytes() {
        for bytes in [&b"a"[..], b"ab", b"abc", b"\xff\xfe", b"tag of thirty-two bytes........."] {
            let state = URL_SAFE_NO_PAD.encode(bytes);
            for (label, altered) in tamperings(&state) {
                assert_ne!(altered, state, "{label}");
                let decoded = URL_SAFE_NO_PAD.decode(&altered).expect("still Base64");
                assert_ne!(decoded, bytes, "{label} of {state}");
            }
        }
        assert_eq!(tamperings("").len(), 0);
        assert_eq!(flipped('!'), 'A');
        assert_eq!(flipped('+'), 'e');
    }
}
