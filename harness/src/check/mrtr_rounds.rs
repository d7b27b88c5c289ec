//! 2026-07-28 multi round-trip requests on every method that may use them:
//! `tools/call` (TOOLS-013), `resources/read` (RESOURCES-017) and
//! `prompts/get` (PROMPTS-010).
//!
//! The checks first look for requests the server answers `input_required`:
//! the tool of the `client-input` role, the first listed resource whose read
//! asks for input and the first listed prompt whose get does (prompts with
//! required arguments are got as `prompt-messages` gets them). Each is sent
//! once, as it is, and its interim answer kept.
//!
//! * `input-required-rounds`: each such request is followed to its end,
//!   answering every input request and echoing `requestState`. Every
//!   interim answer is well-formed (S2C-005, S2C-004, CACHE-004) and writes
//!   no `inputRequests` key twice (S2C-003). A parser merges a duplicated
//!   key, so that is read from the raw bytes of the response frame, as the
//!   transcript keeps them. Keys are compared within one answer only: the
//!   page calls each retry an independent request, and asking again for a
//!   missing answer reuses its key (S2C-013). The final answer must be the
//!   method's own result (`content`, `contents`, `messages`). Using the
//!   pattern is a MAY: a server that never asks makes the check not
//!   applicable, and a round ending in an error (the server may refuse
//!   what the user gave) or still asking after
//!   [`stateless::MAX_INPUT_ROUNDS`] (S2C-010) is inconclusive.
//! * `request-state-binding` (S2C-008, SHOULD): the `requestState` of one
//!   request replayed into another (with the other's own answers) must not
//!   complete it. Each pair is judged only once the state is shown to
//!   matter there: the answers without a state do not complete the target,
//!   and (sent last, as a state may be meant for one use) the answers with
//!   the target's own state do. Expiry and the principal cannot be
//!   provoked from outside, and so are not judged.
//! * `retry-elsewhere` (LIFECYCLE-012, SHOULD NOT): the retry answering the
//!   first asking request goes over a new connection (a new process over
//!   stdio) and must complete there. When it does not, the same retry on
//!   the first connection must complete (else nothing shows that the
//!   connection made the difference).

use reports::Direction;
use serde_json::{json, Value};

use super::client_answers::{completes, shown};
use super::client_input::{answers, judge_interim, retry, role};
use super::lists::{self, describe, is_interim};
use super::observe;
use super::prompts::arguments_for;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::jsonrpc::duplicate_keys::duplicate_keys;
use crate::session::{stateless, Connection, Exchange, RequestOptions};

/// Most reads (and, apart, gets) sent looking for one that asks for input.
const MAX_PROBES: usize = 150;

/// A method that may answer `input_required`.
struct Method {
    name: &'static str,
    /// The requirement that lets it.
    requirement: &'static str,
    /// The array its final result holds.
    result_member: &'static str,
}

const TOOLS_CALL: Method = Method { name: "tools/call", requirement: "TOOLS-013", result_member: "content" };
const RESOURCES_READ: Method = Method { name: "resources/read", requirement: "RESOURCES-017", result_member: "contents" };
const PROMPTS_GET: Method = Method { name: "prompts/get", requirement: "PROMPTS-010", result_member: "messages" };

/// A request the server answered `input_required`.
struct Asking {
    method: &'static Method,
    /// Its params as first sent (with `_meta`).
    params: Value,
    /// What it is, for messages (`resources/read ref://x`).
    what: String,
    /// The first answer: an interim result.
    first: Exchange,
    /// Where the transcript stood before it was sent.
    mark: usize,
}

impl Asking {
    fn interim(&self) -> &Value {
        self.first.result().unwrap_or(&Value::Null)
    }
}

async fn send(connection: &Connection, method: &str, params: &Value) -> Exchange {
    stateless::send(connection, method, params.clone(), &RequestOptions::default()).await
}

/// Send `params` once; `Some` when it was answered `input_required`.
async fn probe(context: &CaseContext<'_>, method: &'static Method, params: Value, what: String) -> Option<Asking> {
    let connection = &context.session.connection;
    let params = stateless::with_meta(params, &context.session.version);
    let mark = connection.mark();
    let first = send(connection, method.name, &params).await;
    first.result().is_some_and(is_interim).then_some(Asking { method, params, what, first, mark })
}

/// Up to `wanted` requests the server answers `input_required` (the
/// client-input tool, then a resource, then a prompt), and what was tried.
async fn find_asking(context: &CaseContext<'_>, wanted: usize) -> (Vec<Asking>, Vec<String>) {
    let mut found = Vec::new();
    let mut tried = Vec::new();
    match role(context) {
        Ok(role) if context.server.declares("tools") => {
            let what = format!("tools/call {}", role.tool);
            let params = json!({ "name": role.tool, "arguments": role.arguments });
            match probe(context, &TOOLS_CALL, params, what.clone()).await {
                Some(asking) => found.push(asking),
                None => tried.push(format!("{what} asked for nothing")),
            }
        }
        Ok(_) => tried.push("no tools declared".into()),
        Err(_) => tried.push("no tool plays the client-input role".into()),
    }
    if found.len() < wanted && context.server.declares("resources") {
        let resources = lists::all_items(context, "resources/list").await.unwrap_or_default();
        let mut read = 0;
        for uri in resources.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)).take(MAX_PROBES) {
            read += 1;
            if let Some(asking) = probe(context, &RESOURCES_READ, json!({ "uri": uri }), format!("resources/read {uri}")).await {
                found.push(asking);
                break;
            }
        }
        if found.last().is_none_or(|a| a.method.name != RESOURCES_READ.name) {
            tried.push(format!("no read of {read} listed resources asked for input"));
        }
    }
    if found.len() < wanted && context.server.declares("prompts") {
        let prompts = lists::all_items(context, "prompts/list").await.unwrap_or_default();
        let mut got = 0;
        for prompt in prompts.iter().take(MAX_PROBES) {
            let Some(name) = prompt.get("name").and_then(Value::as_str) else { continue };
            got += 1;
            let params = json!({ "name": name, "arguments": arguments_for(context, prompt).await });
            if let Some(asking) = probe(context, &PROMPTS_GET, params, format!("prompts/get {name}")).await {
                found.push(asking);
                break;
            }
        }
        if found.last().is_none_or(|a| a.method.name != PROMPTS_GET.name) {
            tried.push(format!("no get of {got} listed prompts asked for input"));
        }
    }
    (found, tried)
}

/// `input-required-rounds`: every asking request followed to its end.
pub async fn rounds(context: &CaseContext<'_>) -> StepOutcome {
    if let Some(outcome) = observe::unknown_capabilities(context) {
        return outcome;
    }
    let (asking, tried) = find_asking(context, usize::MAX).await;
    if asking.is_empty() {
        let why = format!("no request was answered input_required, a pattern servers may use or not: {}", tried.join("; "));
        return StepOutcome { not_applicable: Some(why), ..StepOutcome::default() };
    }
    let mut outcome = StepOutcome::default();
    for request in &asking {
        follow(context, request, &mut outcome).await;
        if !outcome.findings.is_empty() {
            break;
        }
    }
    outcome
}

/// Follow one asking request round by round, judging each answer.
async fn follow(context: &CaseContext<'_>, asking: &Asking, outcome: &mut StepOutcome) {
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    let method = asking.method;
    let mut exchange = asking.first.clone();
    let mut mark = asking.mark;
    for _ in 0..=stateless::MAX_INPUT_ROUNDS {
        let Some(result) = exchange.result() else {
            outcome.inconclusive.push(format!("`{}`: the round ended without a result: {}", asking.what, describe(&exchange)));
            return;
        };
        if !is_interim(result) {
            if !result.get(method.result_member).is_some_and(Value::is_array) {
                outcome.findings.push(observe::draft(
                    method.requirement,
                    "(schema)",
                    format!("`{}`: the answer completing the round is not a {} result: it has no `{}` array", asking.what, method.name, method.result_member),
                    &format!("once every input is given, the method's own result, with `{}`", method.result_member),
                    clip(&result.to_string(), 300),
                ));
            }
            return;
        }
        let mut drafts = judge_interim(result);
        match duplicated_input_keys(connection, mark, &exchange) {
            Ok(duplicated) => drafts.extend(duplicated),
            Err(why) => outcome.inconclusive.push(format!("S2C-003 on `{}`: {why}", asking.what)),
        }
        if !drafts.is_empty() {
            outcome.findings.extend(drafts.into_iter().map(|mut d| {
                d.message = format!("`{}`: {}", asking.what, d.message);
                d
            }));
            return;
        }
        let params = retry(&asking.params, result, Value::Object(answers(version, result)));
        mark = connection.mark();
        exchange = send(connection, method.name, &params).await;
    }
    outcome.inconclusive.push(format!(
        "`{}`: the server still asked for input after {} answered rounds (it may keep asking, S2C-010)",
        asking.what,
        stateless::MAX_INPUT_ROUNDS
    ));
}

/// S2C-003: the `inputRequests` keys the raw response frame to `exchange`
/// (received after `mark`) writes twice; `Err` when the frame's bytes are
/// not at hand whole.
fn duplicated_input_keys(connection: &Connection, mark: usize, exchange: &Exchange) -> Result<Vec<Draft>, String> {
    let id = exchange.request.get("id").cloned().unwrap_or(Value::Null);
    let answer_to = |text: &str| {
        serde_json::from_str::<Value>(text).is_ok_and(|m| m.get("id") == Some(&id) && (m.get("result").is_some() || m.get("error").is_some()))
    };
    let entries = connection.since(mark);
    let raw = entries
        .iter()
        .find(|e| e.entry.direction == Direction::Received && answer_to(&e.entry.text))
        .ok_or("the response frame is not in the transcript whole (too large, or not received)")?;
    let duplicates = duplicate_keys(&raw.entry.text)?;
    Ok(duplicates
        .into_iter()
        .filter(|d| d.pointer == "/result/inputRequests")
        .map(|d| {
            observe::draft(
                "S2C-003",
                "MUST",
                format!("the input_required result writes the inputRequests key \"{}\" more than once", d.key),
                "each inputRequests key once: a parser keeps only one of the entries",
                clip(&raw.entry.text, 300),
            )
        })
        .collect())
}

/// How replaying one request's state into another came out.
enum Replay {
    /// The other request completed with the foreign state: the evidence.
    Accepted(String),
    /// It did not.
    Refused,
    /// Nothing to judge: why.
    Undecided(String),
}

/// `request-state-binding`: a state replayed into another request is refused.
pub async fn binding(context: &CaseContext<'_>) -> StepOutcome {
    let (asking, tried) = find_asking(context, usize::MAX).await;
    if asking.len() < 2 {
        let found: Vec<&str> = asking.iter().map(|a| a.what.as_str()).collect();
        let why = format!(
            "fewer than two requests ask for input (found: {}; {}), so no state can be replayed into another request",
            if found.is_empty() { "none".to_string() } else { found.join(", ") },
            tried.join("; ")
        );
        return lists::inconclusive(why);
    }
    let mut refused = 0;
    let mut undecided = Vec::new();
    for onto in &asking {
        for from in asking.iter().filter(|from| from.what != onto.what) {
            match replay(context, from, onto).await {
                Replay::Accepted(evidence) => {
                    let draft = observe::draft(
                        "S2C-008",
                        "SHOULD",
                        format!("the requestState issued for `{}` completed `{}`", from.what, onto.what),
                        "state bound to the request it was issued for (method and key params), refused on any other",
                        evidence,
                    );
                    return StepOutcome { findings: vec![draft], ..StepOutcome::default() };
                }
                Replay::Refused => refused += 1,
                Replay::Undecided(why) => undecided.push(why),
            }
        }
    }
    if refused == 0 {
        return lists::inconclusive(undecided.join("; "));
    }
    StepOutcome::default()
}

/// The first answer of a fresh send of `asking`, when it is an interim
/// result with a string `requestState`: (that result, the state).
async fn fresh_interim(context: &CaseContext<'_>, asking: &Asking) -> Result<(Value, String), String> {
    let exchange = send(&context.session.connection, asking.method.name, &asking.params).await;
    let interim = exchange.result().filter(|r| is_interim(r)).ok_or_else(|| format!("`{}` asked nothing the second time: {}", asking.what, describe(&exchange)))?;
    let state = interim.get("requestState").and_then(Value::as_str).ok_or_else(|| format!("`{}` answered input_required without a string requestState", asking.what))?;
    Ok((interim.clone(), state.to_string()))
}

/// Replay the state of `from` into `onto`, once the state is shown to matter there.
async fn replay(context: &CaseContext<'_>, from: &Asking, onto: &Asking) -> Replay {
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    let method = onto.method.name;
    let ((_, foreign), (interim, _)) = match (fresh_interim(context, from).await, fresh_interim(context, onto).await) {
        (Ok(from), Ok(onto)) => (from, onto),
        (Err(why), _) | (_, Err(why)) => return Replay::Undecided(why),
    };
    let responses = Value::Object(answers(version, &interim));
    let mut without_state = retry(&onto.params, &interim, responses.clone());
    if let Some(fields) = without_state.as_object_mut() {
        fields.remove("requestState");
    }
    if completes(&send(connection, method, &without_state).await) {
        return Replay::Undecided(format!("`{}` completes without its requestState: nothing shows what the state decides", onto.what));
    }
    let mut replayed = retry(&onto.params, &interim, responses.clone());
    replayed["requestState"] = json!(foreign);
    let replayed_exchange = send(connection, method, &replayed).await;
    // Last, as a state may be meant for one use: the genuine state completes it.
    let genuine = send(connection, method, &retry(&onto.params, &interim, responses)).await;
    if !completes(&genuine) {
        return Replay::Undecided(format!("`{}` answered with its own requestState did not complete: {}", onto.what, shown(&genuine)));
    }
    if completes(&replayed_exchange) {
        return Replay::Accepted(format!("sent requestState {}; answer: {}", clip(&foreign, 120), shown(&replayed_exchange)));
    }
    Replay::Refused
}

/// `retry-elsewhere`: the retry of an asking request completes on a new
/// connection (a new process over stdio).
pub async fn elsewhere(context: &CaseContext<'_>) -> StepOutcome {
    let Some(reconnect) = &context.options.reconnect else {
        return lists::inconclusive("no second connection can be opened here".into());
    };
    let version = context.session.version.as_str();
    let (asking, tried) = find_asking(context, 1).await;
    let Some(asking) = asking.first() else {
        let why = format!("no request was answered input_required, so there is no retry to send elsewhere: {}", tried.join("; "));
        return StepOutcome { not_applicable: Some(why), ..StepOutcome::default() };
    };
    let interim = asking.interim();
    if interim.get("requestState").is_none() {
        return lists::inconclusive(format!("`{}` answered input_required without a requestState: the retry carries nothing of the first request", asking.what));
    }
    let params = retry(&asking.params, interim, Value::Object(answers(version, interim)));
    let other = match reconnect.connect(version).await {
        Ok(other) => other,
        Err(e) => return lists::inconclusive(format!("a second connection could not be opened: {e}")),
    };
    let there = stateless::request(&other, version, asking.method.name, params.clone(), &RequestOptions::default()).await;
    let transcript: Vec<_> = other.since(0);
    other.close().await;
    if completes(&there) {
        return StepOutcome::default();
    }
    let here = stateless::request(&context.session.connection, version, asking.method.name, params, &RequestOptions::default()).await;
    if !completes(&here) {
        return lists::inconclusive(format!(
            "the retry of `{}` completed on neither connection (new one: {}; first one: {})",
            asking.what,
            shown(&there),
            shown(&here)
        ));
    }
    StepOutcome {
        findings: vec![observe::draft(
            "LIFECYCLE-012",
            "SHOULD NOT",
            format!("the retry of `{}` did not complete on a new connection (a new process over stdio), the same retry on the first one did", asking.what),
            "the retry served wherever it arrives: the requestState carries what it needs",
            format!("new connection: {}; first connection: {}", shown(&there), shown(&here)),
        )],
        evidence: transcript,
        ..StepOutcome::default()
    }
}
