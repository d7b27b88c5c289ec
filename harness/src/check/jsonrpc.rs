//! Checks of the JSON-RPC base that need frames a case file cannot write:
//! malformed JSON, invalid requests, ids of our choosing, batches, and
//! notifications whose (forbidden) answer must be watched for.
//!
//! Each sends its frame on the case's own connection, judges only what the
//! specification prescribes, and then makes sure the server still answers
//! (`ping`, or `server/discover` in 2026-07-28). What the spec leaves open
//! (silence after unparsable input, how a later version answers a batch) is
//! never a finding.

use std::time::Duration;

use serde_json::{json, Value};

use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::jsonrpc;
use crate::session::{stateless, FrameExchange, Reply, RequestOptions};
use crate::version::Era;
use crate::transport::Kind;

/// How long an answer to a malformed frame, or a forbidden answer to a
/// notification, is waited for (at most the request deadline). Servers
/// answer such frames as fast as a ping; a silent server costs this much.
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// How long a notification's forbidden answer is watched for.
const NOTIFICATION_WAIT: Duration = Duration::from_millis(500);

/// A request id that is a string of digits: a server that mixes up id types
/// answers it as a number.
const DIGIT_STRING_ID: &str = "424242";

/// Not JSON: a member without a value, with balanced braces so that a
/// streaming parser fails on it at once instead of waiting for more input.
const NOT_JSON: &[u8] = br#"{"jsonrpc":"2.0","method":"ping","id":}"#;

/// The method every server answers in the era, for requests built here.
pub(super) fn probe_method(context: &CaseContext<'_>) -> &'static str {
    match context.session.era() {
        Era::Stateful => "ping",
        Era::Stateless => "server/discover",
    }
}

/// A request message for the era's probe method with this id, and the HTTP
/// headers that mirror it in 2026-07-28.
fn probe_request(context: &CaseContext<'_>, id: &Value) -> (Value, Vec<(String, String)>) {
    request_with_id(context, id, probe_method(context), None)
}

/// A request message for `method` with this id and `params` (`None`: no
/// params; in 2026-07-28 the per-request `_meta` is added), and the HTTP
/// headers that mirror it.
pub(super) fn request_with_id(context: &CaseContext<'_>, id: &Value, method: &str, params: Option<Value>) -> (Value, Vec<(String, String)>) {
    match context.session.era() {
        Era::Stateful => (jsonrpc::request(id, method, params), Vec::new()),
        Era::Stateless => {
            let params = stateless::with_meta(params.unwrap_or_else(|| json!({})), &context.session.version);
            let message = jsonrpc::request(id, method, Some(params));
            let headers = stateless::mirrored_headers(&message);
            (message, headers)
        }
    }
}

fn answer_wait(context: &CaseContext<'_>, wanted: Duration) -> Duration {
    wanted.min(context.session.connection.options().request_timeout)
}

fn to_bytes(message: &Value) -> Vec<u8> {
    serde_json::to_vec(message).unwrap_or_default()
}

fn draft(requirement: &str, message: String, expected: &str, actual: String) -> Draft {
    Draft { requirement: requirement.into(), keyword: None, message, expected: expected.into(), actual, hint: None }
}

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// Does the server still answer after `what`? A finding when it does not:
/// `ping` must be answered at any time (L-PING-001), `server/discover`
/// always (LIFECYCLE-002).
pub(super) async fn still_answers(context: &CaseContext<'_>, what: &str) -> Option<Draft> {
    let method = probe_method(context);
    let exchange = context.session.request(method, json!({}), &RequestOptions::default()).await;
    match &exchange.reply {
        Reply::Response(_) => None,
        Reply::TooLarge(_) => None,
        Reply::NoResponse(why) => {
            let requirement = if method == "ping" { "L-PING-001" } else { "LIFECYCLE-002" };
            Some(Draft {
                requirement: requirement.into(),
                keyword: Some("MUST"),
                message: format!("after {what}, the server no longer answers `{method}`"),
                expected: format!("an answer to `{method}`: bad input is rejected, not fatal"),
                actual: why.clone(),
                hint: Some("Reject malformed input with an error and keep serving"),
            })
        }
    }
}

/// The outcome of a frame the server should reject: with `code` in an error
/// response (JSONRPC-008), or on HTTP with a 4xx status; silence cannot be
/// judged. Then liveness.
async fn expect_rejection(context: &CaseContext<'_>, sent: FrameExchange, code: i64, what: &str) -> StepOutcome {
    let mut outcome = StepOutcome::default();
    if let Some(why) = sent.unsent {
        return inconclusive(format!("{what} could not be sent: {why}"));
    }
    let expected = format!("an error response with code {code}");
    if let (None, Some(why)) = (sent.answers.first(), &sent.too_large) {
        return inconclusive(format!("{what}: {why}"));
    }
    match sent.answers.first() {
        Some(answer) => {
            let got = answer.pointer("/error/code");
            if answer.get("error").is_none() {
                outcome.findings.push(draft("JSONRPC-008", format!("{what} was answered with a result"), &expected, clip(&answer.to_string(), 300)));
            } else if got != Some(&Value::from(code)) {
                let shown = got.map_or("no code".into(), Value::to_string);
                let message = format!("{what} was answered with error code {shown}");
                outcome.findings.push(draft("JSONRPC-008", message, &expected, clip(&answer.to_string(), 300)));
            }
        }
        None if sent.http.as_ref().is_some_and(|head| (400..500).contains(&head.status)) => {}
        None => outcome.inconclusive.push(format!(
            "{what} got no answer within {:?}; a server may stay silent on input it cannot read as a request, so that is not judged",
            answer_wait(context, ANSWER_WAIT)
        )),
    }
    outcome.findings.extend(still_answers(context, what).await);
    outcome
}

/// Text that is not JSON gets -32700 (Parse error) with id null.
pub async fn parse_error(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let wait = answer_wait(context, ANSWER_WAIT);
    // Only a null (or absent) id is right: the id of unparsable text cannot be read (JSONRPC-007).
    let sent = connection.send_frame(NOT_JSON.to_vec(), Vec::new(), &[(Value::Null, "")], wait, |a| !a.is_empty()).await;
    expect_rejection(context, sent, -32700, "a frame that is not JSON").await
}

/// JSON that is not a valid request (its method is a number) gets -32600
/// (Invalid Request), with its id or, as JSON-RPC 2.0 allows, null.
pub async fn invalid_request(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let id = connection.next_id();
    let frame = json!({"jsonrpc": "2.0", "id": id, "method": 42});
    let wait = answer_wait(context, ANSWER_WAIT);
    let watch = [(id, ""), (Value::Null, "")];
    let sent = connection.send_frame(to_bytes(&frame), Vec::new(), &watch, wait, |a| !a.is_empty()).await;
    expect_rejection(context, sent, -32600, "a request whose method is not a string").await
}

/// Notifications are never answered (JSONRPC-014): one the server knows
/// (`notifications/cancelled` for a request never sent, which it must
/// ignore) and one it cannot know.
pub async fn notifications_unanswered(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let notifications = [
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "mcp-conform-never-sent", "reason": "conformance check"}}),
        json!({"jsonrpc": "2.0", "method": "notifications/mcp-conform/unknown", "params": {}}),
    ];
    let wait = answer_wait(context, NOTIFICATION_WAIT);
    let mut outcome = StepOutcome::default();
    for notification in &notifications {
        let method = notification["method"].as_str().unwrap_or_default();
        let sent = connection.send_frame(to_bytes(notification), Vec::new(), &[(Value::Null, "")], wait, |a| !a.is_empty()).await;
        if let Some(why) = sent.unsent {
            return inconclusive(format!("`{method}` could not be sent: {why}"));
        }
        // Over Streamable HTTP a notification the server cannot accept gets an
        // error status whose body may be a JSON-RPC error without an id: that
        // is the transport refusing the POST, not an answer to the notification.
        let error_status = sent.http.as_ref().is_some_and(|head| head.status >= 400);
        let refused_post = |a: &&Value| {
            context.transport == Kind::StreamableHttp && error_status && a.get("error").is_some() && a.get("id").is_none_or(Value::is_null)
        };
        if let Some(answer) = sent.answers.iter().find(|a| !refused_post(a)) {
            outcome.findings.push(draft(
                "JSONRPC-014",
                format!("the notification `{method}` was answered"),
                "no response to a notification",
                clip(&answer.to_string(), 300),
            ));
        }
    }
    outcome.findings.extend(still_answers(context, "two notifications").await);
    outcome
}

/// Send `method` with the string id `digits` and wait for the first answer
/// that carries it, the same digits as a number, or (`null_too`) null.
/// `Err` when nothing could be judged.
async fn answer_to_string_id(context: &CaseContext<'_>, digits: &str, method: &str, null_too: bool) -> Result<Option<Value>, StepOutcome> {
    let connection = &context.session.connection;
    let id = Value::from(digits);
    let (message, headers) = request_with_id(context, &id, method, None);
    let as_number = digits.parse::<u64>().map(Value::from).unwrap_or_default();
    let mut watch = vec![(id.clone(), method), (as_number, method)];
    if null_too {
        watch.push((Value::Null, ""));
    }
    let wait = connection.options().request_timeout;
    let sent = connection.send_frame(to_bytes(&message), headers, &watch, wait, |a| !a.is_empty()).await;
    if let Some(why) = sent.unsent {
        return Err(inconclusive(format!("`{method}` could not be sent: {why}")));
    }
    match (sent.answers.into_iter().next(), sent.too_large) {
        (None, Some(why)) => Err(inconclusive(format!("`{method}` with id {id}: {why}"))),
        (answer, _) => Ok(answer),
    }
}

/// A response repeats its request's id with the same value and JSON type
/// (JSONRPC-003): a string id made of digits stays a string. Duplicate
/// answers are caught on receipt while the liveness probe runs.
pub async fn id_echo(context: &CaseContext<'_>) -> StepOutcome {
    let id = Value::from(DIGIT_STRING_ID);
    let method = probe_method(context);
    let wait = context.session.connection.options().request_timeout;
    let answer = match answer_to_string_id(context, DIGIT_STRING_ID, method, false).await {
        Ok(answer) => answer,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let expected = format!("a response with id {id} (a JSON string)");
    match answer.as_ref() {
        Some(answer) if answer.get("id") == Some(&id) => {}
        Some(answer) => outcome.findings.push(draft(
            "JSONRPC-003",
            format!("`{method}` with id {id} (a string) was answered with id {} (a number)", answer.get("id").unwrap_or(&Value::Null)),
            &expected,
            clip(&answer.to_string(), 300),
        )),
        None => outcome.findings.push(draft(
            "JSONRPC-003",
            format!("`{method}` with id {id} got no response carrying that id"),
            &expected,
            format!("nothing within {wait:?}"),
        )),
    }
    outcome.findings.extend(still_answers(context, &format!("a request with id {id}")).await);
    outcome
}

/// A batch of two requests, and what came back.
async fn send_batch(context: &CaseContext<'_>, wait: Duration) -> (FrameExchange, [Value; 2], &'static str) {
    let connection = &context.session.connection;
    let ids = [connection.next_id(), connection.next_id()];
    let method = probe_method(context);
    let batch = Value::Array(ids.iter().map(|id| probe_request(context, id).0).collect());
    let watch = [(ids[0].clone(), method), (ids[1].clone(), method), (Value::Null, "")];
    let both = ids.clone();
    let done = move |answers: &[Value]| {
        let refused = answers.iter().any(|a| a.get("id").is_none_or(Value::is_null));
        refused || both.iter().all(|id| answers.iter().any(|a| a.get("id") == Some(id)))
    };
    let sent = connection.send_frame(to_bytes(&batch), Vec::new(), &watch, wait, done).await;
    (sent, ids, method)
}

/// 2025-03-26: a batch is accepted and each of its requests answered (L-BATCH-001).
pub async fn batch_accepted(context: &CaseContext<'_>) -> StepOutcome {
    let wait = context.session.connection.options().request_timeout;
    let (sent, ids, method) = send_batch(context, wait).await;
    if let Some(why) = sent.unsent {
        return inconclusive(format!("the batch could not be sent: {why}"));
    }
    let mut outcome = StepOutcome::default();
    // Each request gets the answer it would get alone (what that answer is,
    // is the method's own rule, checked by its own cases).
    let expected = format!("an answer to each of the batch's `{method}` requests (ids {} and {})", ids[0], ids[1]);
    let refusal = sent.answers.iter().find(|a| a.get("id").is_none_or(Value::is_null));
    let unanswered: Vec<&Value> = ids.iter().filter(|id| !sent.answers.iter().any(|a| a.get("id") == Some(*id))).collect();
    if let Some(refusal) = refusal {
        outcome.findings.push(draft("L-BATCH-001", "a JSON-RPC batch was refused in 2025-03-26".into(), &expected, clip(&refusal.to_string(), 300)));
    } else if let (false, Some(why)) = (unanswered.is_empty(), &sent.too_large) {
        return inconclusive(format!("the batch: {why}"));
    } else if !unanswered.is_empty() {
        let answers: Vec<String> = sent.answers.iter().map(|a| clip(&a.to_string(), 200)).collect();
        let actual = if answers.is_empty() {
            match &sent.http {
                Some(head) => format!("no JSON-RPC answer within {wait:?}; HTTP status {}", head.status),
                None => format!("no answer within {wait:?}"),
            }
        } else {
            answers.join("; ")
        };
        let message = format!("the batch's requests with ids {} got no answer", unanswered.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "));
        outcome.findings.push(draft("L-BATCH-001", message, &expected, actual));
    }
    outcome.findings.extend(still_answers(context, "a batch").await);
    outcome
}

/// Other versions have no batches (JSONRPC-017): how a server answers one is
/// not prescribed, but whatever it sends must be single messages of the
/// version (an array on stdout breaks STDIO-002; that is judged on
/// receipt). Here: the server survives it.
pub async fn batch_rejected(context: &CaseContext<'_>) -> StepOutcome {
    let wait = answer_wait(context, ANSWER_WAIT);
    let (sent, _, _) = send_batch(context, wait).await;
    if let Some(why) = sent.unsent {
        return inconclusive(format!("the batch could not be sent: {why}"));
    }
    StepOutcome { findings: still_answers(context, "a batch").await.into_iter().collect(), ..StepOutcome::default() }
}

/// A string id made of digits for a request that must fail: its error must
/// carry it back.
const ERROR_STRING_ID: &str = "424243";

/// An error response repeats its request's id (JSONRPC-007): a request for
/// an unknown method, sent with a string id of digits, gets an error with
/// that very id, not null (the id was readable) and not a number.
pub async fn error_id_echo(context: &CaseContext<'_>) -> StepOutcome {
    let id = Value::from(ERROR_STRING_ID);
    let method = "mcp-conform/no-such-method";
    let answer = match answer_to_string_id(context, ERROR_STRING_ID, method, true).await {
        Ok(answer) => answer,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let expected = format!("an error response with id {id} (a JSON string)");
    match answer.as_ref() {
        Some(answer) if answer.get("error").is_none() => {
            // No error to judge; a result for an unknown method is JSONRPC-008-unknown-method's finding.
            return inconclusive(format!("`{method}` was answered with a result, not an error: {}", clip(&answer.to_string(), 200)));
        }
        Some(answer) if answer.get("id") == Some(&id) => {}
        Some(answer) => outcome.findings.push(draft(
            "JSONRPC-007",
            format!("the error answering `{method}` with id {id} (a string) carries id {}", answer.get("id").unwrap_or(&Value::Null)),
            &expected,
            clip(&answer.to_string(), 300),
        )),
        None => {
            let wait = context.session.connection.options().request_timeout;
            return inconclusive(format!("`{method}` with id {id} got no error response within {wait:?}"));
        }
    }
    outcome.findings.extend(still_answers(context, &format!("a request with id {id}")).await);
    outcome
}
