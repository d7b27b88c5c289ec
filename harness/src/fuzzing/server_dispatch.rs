//! The `server_dispatch` target: the reference server's request dispatch,
//! in process (`Dispatcher::handle_frame`, no transport), at every protocol
//! version, checked with the harness's own schemas.
//!
//! Input: a selector byte, then frames separated by `\n` (as on stdio).
//!
//! * selector % 5 picks the version. A handshake-era version is negotiated
//!   first (`initialize`, `notifications/initialized`); 2026-07-28 has no
//!   handshake.
//! * selector ≥ 128 adds the 2026-07-28 request `_meta` to every request
//!   frame that lacks it, so that mutations of the method and params reach
//!   the stateless handlers instead of the -32602 for missing `_meta`.
//!
//! For every frame: the dispatcher does not panic; a request (a message the
//! version's `JSONRPCRequest` accepts) gets exactly one response, with its
//! id; a notification gets none; anything else gets at most one; a batch
//! outside 2025-03-26 gets one error with id null; in a 2025-03-26 session a
//! batch gets one response per request in it; and every response is valid
//! against the schema of the version it was served at (the check the
//! harness applies on receipt, [`response_problems`]); in a batch whose
//! requests share an id, against that of one of them.

use std::collections::HashMap;

use mcp_reference_server::dispatch::{Connection, Dispatcher};
use serde_json::{json, Value};

use crate::schema;
use crate::session::{client, response_problems, stateless};
use crate::version::{self, era, Era};

/// The stateless version, served to requests that carry its `_meta`.
const STATELESS: &str = "2026-07-28";

/// The per-request `_meta` keys of 2026-07-28; a request with any of them
/// is served statelessly whatever came before (LIFECYCLE-010).
const MODERN_META_KEYS: [&str; 4] = [
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientCapabilities",
    "io.modelcontextprotocol/clientInfo",
    "io.modelcontextprotocol/logLevel",
];

/// Frames past this many are ignored: long inputs would only be slow.
const MAX_FRAMES: usize = 64;

/// Runs the frames through a fresh connection and checks every answer.
pub fn server_dispatch(data: &[u8]) {
    let Some((&selector, frames)) = data.split_first() else { return };
    let version = version::ALL[usize::from(selector) % version::ALL.len()];
    let add_meta = selector >= 128;
    let (mut server, _) = Server::open(version);
    for frame in frames.split(|&b| b == b'\n').take(MAX_FRAMES) {
        if add_meta {
            server.exchange(&with_request_meta(frame));
        } else {
            server.exchange(frame);
        }
    }
}

/// A reference server in process, one connection, every answer checked.
pub(super) struct Server {
    dispatcher: Dispatcher,
    connection: Connection,
}

/// What one message of a frame is, by the schema of the version it goes to.
enum Kind {
    Request { id: Value, method: String },
    Notification,
    /// Not a valid request or notification: a response, or garbage.
    Other { id: Option<Value> },
}

impl Server {
    /// A fresh connection with a session of `version`: a handshake-era
    /// version is negotiated with the harness's own `initialize` (its client
    /// capabilities) and `notifications/initialized`. Returns the server
    /// with the `initialize` result (`None` for 2026-07-28, which has no
    /// handshake).
    pub(super) fn open(version: &'static str) -> (Server, Option<Value>) {
        let mut server = Server { dispatcher: Dispatcher::default(), connection: Connection::default() };
        if era(version) == Era::Stateless {
            return (server, None);
        }
        let initialize = json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": { "protocolVersion": version, "capabilities": client::capabilities(version), "clientInfo": client::client_info() },
        });
        let answer = server.exchange(initialize.to_string().as_bytes());
        let result = answer.as_ref().and_then(|a| a.get("result")).cloned();
        assert_eq!(
            result.as_ref().and_then(|r| r.get("protocolVersion")),
            Some(&Value::from(version)),
            "the server did not accept {version}: {answer:?}"
        );
        server.exchange(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        (server, result)
    }

    /// Sends one frame, checks the reply, and returns it.
    pub(super) fn exchange(&mut self, frame: &[u8]) -> Option<Value> {
        // Taken before the frame: an `initialize` in it opens the session only for what follows.
        let session = self.connection.legacy.map(|s| s.version.as_str());
        let reply = self.dispatcher.handle_frame(&mut self.connection, frame);
        let sent = serde_json::from_slice::<Value>(frame).ok();
        match sent {
            None => assert_null_id_error(reply.as_ref(), "bytes that are not JSON"),
            Some(Value::Array(items)) if session.is_some_and(|v| v == "2025-03-26") && !items.is_empty() => {
                check_batch(session, &items, reply.as_ref());
            }
            Some(Value::Array(_)) => assert_null_id_error(reply.as_ref(), "a batch where batches are not accepted"),
            Some(message) => {
                let kind = kind(session, &message);
                if let Some(response) = &reply {
                    assert!(response.is_object(), "a single message was answered with {response}");
                }
                match &kind {
                    Kind::Request { id, .. } => {
                        let response = reply.as_ref().unwrap_or_else(|| panic!("request {message} got no response"));
                        assert_eq!(response.get("id"), Some(id), "request {message} was answered with {response}");
                    }
                    Kind::Notification => assert_eq!(reply, None, "notification {message} was answered"),
                    Kind::Other { .. } => {}
                }
                if let Some(response) = &reply {
                    assert_valid(served_at(session, &message), &kind, response);
                }
            }
        }
        reply
    }
}

fn kind(session: Option<&'static str>, message: &Value) -> Kind {
    let version = served_at(session, message);
    let schema = schema::bundle().version(version).expect("a known version");
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    if schema.validate("JSONRPCRequest", message).is_ok() {
        Kind::Request { id: message["id"].clone(), method: method.to_owned() }
    } else if message.get("id").is_none() && schema.validate("JSONRPCNotification", message).is_ok() {
        // The schema lets a notification carry other members; one with an
        // "id" (null, say) is a broken request, which may be answered.
        Kind::Notification
    } else {
        Kind::Other { id: message.get("id").cloned() }
    }
}

/// The version a message is served at: `initialize` opens the handshake era
/// (at the version it asks for, if the suite knows it, else the newest of
/// the era, which the server offers instead); otherwise 2026-07-28 if the
/// message carries that era's request `_meta`, else the session's; before
/// any session, the newest handshake-era version for `ping`, else the
/// stateless version (which answers what lacks `_meta` with an error).
fn served_at(session: Option<&'static str>, message: &Value) -> &'static str {
    if message.get("method").and_then(Value::as_str) == Some("initialize") {
        let asked = message.pointer("/params/protocolVersion").and_then(Value::as_str);
        let mut stateful = version::ALL.iter().copied().filter(|v| era(v) == Era::Stateful);
        let newest = stateful.clone().next_back();
        return stateful.find(|v| Some(*v) == asked).or(newest).expect("a handshake-era version");
    }
    let meta = message.pointer("/params/_meta").and_then(Value::as_object);
    let modern = meta.is_some_and(|m| MODERN_META_KEYS.iter().any(|k| m.contains_key(*k)));
    match session {
        _ if modern => STATELESS,
        Some(version) => version,
        // A ping before any session comes from a handshake-era client, and
        // is answered at any time there (L-PING-001).
        None if message.get("method").and_then(Value::as_str) == Some("ping") => {
            version::ALL.iter().rev().copied().find(|v| era(v) == Era::Stateful).expect("a handshake-era version")
        }
        None => STATELESS,
    }
}

/// A 2025-03-26 batch: each request answered exactly once with its id,
/// notifications not at all, everything else at most once.
fn check_batch(session: Option<&'static str>, items: &[Value], reply: Option<&Value>) {
    let kinds: Vec<Kind> = items.iter().map(|item| kind(session, item)).collect();
    let responses: &[Value] = match reply {
        None => &[],
        Some(Value::Array(responses)) => responses,
        Some(other) => panic!("a batch was answered with {other}, not an array"),
    };
    assert!(reply.is_none_or(|_| !responses.is_empty()), "a batch was answered with an empty array");
    let mut requests: HashMap<String, usize> = HashMap::new();
    let mut others: HashMap<String, usize> = HashMap::new();
    for kind in &kinds {
        match kind {
            Kind::Request { id, .. } => *requests.entry(id.to_string()).or_default() += 1,
            Kind::Other { id: Some(id) } => *others.entry(id.to_string()).or_default() += 1,
            Kind::Notification | Kind::Other { id: None } => {}
        }
    }
    let mut answered: HashMap<String, usize> = HashMap::new();
    for response in responses {
        let id = response.get("id").filter(|id| !id.is_null());
        if let Some(id) = id {
            *answered.entry(id.to_string()).or_default() += 1;
        }
    }
    for (id, &asked) in &requests {
        let got = answered.get(id).copied().unwrap_or(0);
        let allowed = asked + others.get(id).copied().unwrap_or(0);
        assert!(got >= asked && got <= allowed, "batch {items:?}: {asked} request(s) with id {id} got {got} response(s)");
    }
    for (id, &got) in &answered {
        let allowed = requests.get(id).copied().unwrap_or(0) + others.get(id).copied().unwrap_or(0);
        assert!(got <= allowed, "batch {items:?}: {got} response(s) with id {id}, which {allowed} message(s) carry");
    }
    let answerable = kinds.iter().filter(|k| !matches!(k, Kind::Notification)).count();
    assert!(responses.len() <= answerable, "batch {items:?}: {} responses to {answerable} answerable messages", responses.len());
    for response in responses {
        // Requests in one batch may share an id: the response must fit one of them.
        let candidates: Vec<(&str, &Kind)> = items
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| matches!(k, Kind::Request { id, .. } if response.get("id") == Some(id)))
            .map(|(item, kind)| (served_at(session, item), kind))
            .collect();
        if candidates.is_empty() {
            assert_valid(session.unwrap_or(STATELESS), &Kind::Other { id: None }, response);
        } else if !candidates.iter().any(|(version, kind)| problems(version, kind, response).is_empty()) {
            let (version, kind) = candidates[0];
            assert_valid(version, kind, response);
        }
    }
}

/// The reply to something the server cannot take apart: one error, id null.
fn assert_null_id_error(reply: Option<&Value>, what: &str) {
    let reply = reply.unwrap_or_else(|| panic!("{what} got no response"));
    assert!(reply.get("error").is_some() && reply.get("id") == Some(&Value::Null), "{what} was answered with {reply}");
    assert_valid(STATELESS, &Kind::Other { id: None }, reply);
}

/// The response must pass the harness's check on receipt at `version`.
fn assert_valid(version: &str, kind: &Kind, response: &Value) {
    let problems = problems(version, kind, response);
    assert!(problems.is_empty(), "{version}: the response {response} to `{}` breaks the schema: {}", method_of(kind), problems.join("; "));
}

fn method_of(kind: &Kind) -> &str {
    match kind {
        Kind::Request { method, .. } => method.as_str(),
        Kind::Notification | Kind::Other { .. } => "",
    }
}

/// What the harness's check on receipt at `version` finds wrong with `response`.
fn problems(version: &str, kind: &Kind, response: &Value) -> Vec<String> {
    let method = method_of(kind);
    // As on receipt: an error's null id (the request's id was unreadable)
    // is one some schemas cannot express, so the rest is checked.
    let patched;
    let response = match response.as_object() {
        Some(object) if response.get("id") == Some(&Value::Null) && response.get("error").is_some() => {
            let mut object = object.clone();
            object.insert("id".into(), Value::from(0));
            patched = Value::Object(object);
            &patched
        }
        _ => response,
    };
    response_problems(version, method, response).into_iter().map(|p| p.message).collect()
}

/// The frame with the 2026-07-28 request `_meta` added, if it is a request
/// object lacking it; otherwise unchanged.
fn with_request_meta(frame: &[u8]) -> Vec<u8> {
    let Ok(Value::Object(mut message)) = serde_json::from_slice::<Value>(frame) else { return frame.to_vec() };
    let has_meta = message.get("params").and_then(|p| p.pointer("/_meta")).and_then(|m| m.get(MODERN_META_KEYS[0])).is_some();
    let is_request = message.contains_key("id") && message.contains_key("method");
    let params_fit = message.get("params").is_none_or(Value::is_object);
    if has_meta || !is_request || !params_fit {
        return frame.to_vec();
    }
    let params = message.remove("params").unwrap_or_else(|| json!({}));
    message.insert("params".into(), stateless::with_meta(params, STATELESS));
    serde_json::to_vec(&message).expect("a JSON value serializes")
}
