//! The `generated_messages` target: protocol messages built by the schema
//! generator that `mcp-conform fuzz` uses ([`generate::valid`] and
//! [`generate::mutation`]), with libFuzzer's bytes as the generator's
//! choices, checked by the harness and served by the reference server in
//! process.
//!
//! Input: a version byte, then records of 11 bytes, one message each (at
//! most [`MAX_MESSAGES`]; a short last record reads zeros):
//!
//! ```text
//! <version> { <kind> <method> <seed: 8 bytes, little-endian> <pick> }*
//! ```
//!
//! * version % 5 picks the protocol version; the session is opened as
//!   `server_dispatch` opens it (2026-07-28: `server/discover`).
//! * kind: bit 1 set makes a notification (of `CLIENT_NOTIFICATIONS`), else
//!   a request (of `CLIENT_REQUESTS`), the lists of `mcp-conform fuzz`;
//!   bit 0 set makes it invalid in one place (the mutation `pick` % n of
//!   the n the generator offers).
//! * method % the number of those the version defines picks the method.
//! * seed: the seed of [`generate::valid`].
//!
//! The envelope is put on as the fuzzer does: `jsonrpc`, the method, an id
//! (a request: the record's number), and in 2026-07-28 the real per-request
//! `_meta` ([`real_meta`]).
//!
//! Asserted, beyond "no panic":
//! * the generator builds an instance of every client request and
//!   notification definition, and one built as valid validates (against its
//!   method's definition and the version's `JSONRPCRequest` or
//!   `JSONRPCNotification`) and parses as that kind of message with that
//!   method; a mutation the schema rejects names violations that point into
//!   the message;
//! * the reference server answers every request exactly once, with its id,
//!   and no notification; every answer is valid against the schema of the
//!   version it was served at (the checks of `server_dispatch`);
//! * every answer keeps the rules the fuzzer's judge applies to that input
//!   ([`expect::plan`]): an answer where one is required, an error where the
//!   spec prescribes one, a result where it prescribes one, and one of the
//!   prescribed error codes where the spec names them.

use serde_json::{json, Value};

use super::schema_validation::assert_points_into;
use super::server_dispatch::Server;
use crate::check::CallTools;
use crate::fuzz::expect::{self, Need, Plan, CLIENT_NOTIFICATIONS, CLIENT_REQUESTS};
use crate::fuzz::generator::real_meta;
use crate::fuzz::surface::{Surface, Tool};
use crate::fuzz::Input;
use crate::jsonrpc::{self, Message};
use crate::schema::{self, generate, VersionSchema};
use crate::transport::Kind;
use crate::version::{self, era, Era};

/// Messages past this many are not built: long inputs would only be slow.
pub const MAX_MESSAGES: usize = 32;

/// Bytes of one record: kind, method, seed (8), pick.
pub const RECORD: usize = 11;

/// Builds the messages the bytes choose, checks each, and sends it.
pub fn generated_messages(data: &[u8]) {
    let Some((&selector, records)) = data.split_first() else { return };
    let version = version::ALL[usize::from(selector) % version::ALL.len()];
    let schema = schema::bundle().version(version).expect("every known version has a schema");
    let requests = defined(CLIENT_REQUESTS, |m| schema.request_definition(m));
    let notifications = defined(CLIENT_NOTIFICATIONS, |m| schema.notification_definition(m));
    let (mut server, surface) = open(version);

    for (number, record) in records.chunks(RECORD).take(MAX_MESSAGES).enumerate() {
        let mut choices = Choices(record);
        let kind = choices.byte();
        let notification = kind & 2 != 0;
        let invalid = kind & 1 != 0;
        let methods = if notification { &notifications } else { &requests };
        let (method, definition) = methods[usize::from(choices.byte()) % methods.len()];
        let seed = choices.u64();
        let id = (!notification).then(|| Value::from(number + 1));

        let mut message = generated(schema, method, definition, seed, id);
        assert_valid_as_generated(schema, method, definition, &message);
        if invalid {
            let pick = choices.byte();
            let root = schema.root();
            let shape = schema.definition(definition).expect("a defined definition");
            if let Some(mutant) = generate::mutation(root, shape, &message, |n| usize::from(pick) % n) {
                message = mutant;
            }
            if let Err(violations) = schema.validate(definition, &message) {
                assert_points_into(&message, &violations);
            }
        }

        let bytes = serde_json::to_vec(&message).expect("a JSON value serializes");
        let reply = server.exchange(&bytes);
        assert_judged_right(&expect::plan(&Input::single("generated", None, bytes.clone()), &surface), &message, reply.as_ref());
    }
}

/// The methods of `list` the version defines, each with its definition.
fn defined(list: &[&'static str], definition: impl Fn(&str) -> Option<&'static str>) -> Vec<(&'static str, &'static str)> {
    let methods: Vec<_> = list.iter().filter_map(|&m| Some((m, definition(m)?))).collect();
    assert!(!methods.is_empty(), "a version defines none of {list:?}");
    methods
}

/// A session of `version` on a fresh connection, and the fuzzer's view of
/// it: the server's capabilities, its tools and, in 2026-07-28, the
/// versions it serves.
fn open(version: &'static str) -> (Server, Surface) {
    let (mut server, initialized) = Server::open(version);
    let mut request = |id: i64, method: &str| {
        let mut params = json!({});
        if era(version) == Era::Stateless {
            params = real_meta(params, version);
        }
        let frame = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let reply = server.exchange(frame.to_string().as_bytes());
        reply.and_then(|r| r.get("result").cloned()).unwrap_or_else(|| panic!("{version}: `{method}` failed"))
    };
    let discovered = (era(version) == Era::Stateless).then(|| request(-1, "server/discover"));
    let tools = request(-2, "tools/list");
    let opened = initialized.or(discovered.clone()).unwrap_or_default();
    let surface = Surface {
        version: version.to_owned(),
        kind: Kind::Stdio,
        supported_versions: discovered
            .as_ref()
            .and_then(|d| d.get("supportedVersions"))
            .and_then(|v| serde_json::from_value(v.clone()).ok()),
        capabilities: opened.get("capabilities").cloned().unwrap_or_default(),
        tools: tools["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|tool| Tool::from_listing(tool, CallTools::None))
            .collect(),
    };
    (server, surface)
}

/// A message of `method` built from its definition with `seed`, enveloped
/// as the fuzzer envelopes it.
fn generated(schema: &VersionSchema, method: &str, definition: &str, seed: u64, id: Option<Value>) -> Value {
    let shape = schema.definition(definition).expect("a defined definition");
    let mut message = generate::valid(schema.root(), shape, seed)
        .unwrap_or_else(|| panic!("{}: no instance of {definition} from seed {seed}", schema.version()));
    let object = message.as_object_mut().unwrap_or_else(|| panic!("{definition} generated a non-object"));
    object.insert("jsonrpc".into(), "2.0".into());
    object.insert("method".into(), method.into());
    match id {
        Some(id) => {
            object.insert("id".into(), id);
            if era(schema.version()) == Era::Stateless {
                let params = object.remove("params").unwrap_or_else(|| json!({}));
                object.insert("params".into(), real_meta(params, schema.version()));
            }
        }
        None => {
            object.remove("id");
        }
    }
    message
}

/// A message generated as valid passes the harness's schema check and its
/// frame parser, as the kind of message it was built as.
fn assert_valid_as_generated(schema: &VersionSchema, method: &str, definition: &str, message: &Value) {
    let version = schema.version();
    let envelope = if message.get("id").is_some() { "JSONRPCRequest" } else { "JSONRPCNotification" };
    for name in [definition, envelope] {
        if let Err(violations) = schema.validate(name, message) {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            panic!("{version}: {message} was generated as a valid {definition}, but breaks {name}: {}", list.join("; "));
        }
    }
    let parsed = jsonrpc::parse(&serde_json::to_vec(message).expect("a JSON value serializes"))
        .unwrap_or_else(|e| panic!("{version}: the generated {message} does not parse: {e}"));
    let parsed_method = match (&parsed.message, envelope) {
        (Message::Request { method, .. }, "JSONRPCRequest") | (Message::Notification { method, .. }, "JSONRPCNotification") => method,
        (other, _) => panic!("{version}: the generated {message} parses as {other:?}, not as a {envelope}"),
    };
    assert_eq!(parsed_method, method, "{version}: the generated {message} parses with another method");
}

/// The reply keeps what the fuzzer's judge expects of the input.
fn assert_judged_right(plan: &Plan, message: &Value, reply: Option<&Value>) {
    for expected in &plan.expected {
        let answer = reply.filter(|r| r.get("id") == Some(&expected.id));
        let Some(answer) = answer else {
            let silence_allowed = expected.need == Need::Optional || expected.may_be_slow;
            assert!(silence_allowed, "{message} must be answered, and got {reply:?}");
            continue;
        };
        match answer.get("error") {
            Some(error) => {
                assert!(expected.result_required.is_none(), "{message} must get a result, and got {answer}");
                if let Some(rule) = &expected.codes {
                    let code = error.get("code").and_then(Value::as_i64);
                    assert!(
                        code.is_some_and(|c| rule.codes.contains(&c)),
                        "{message} is {}: the error code must be one of {:?} ({} {}), and the answer is {answer}",
                        rule.what,
                        rule.codes,
                        rule.requirement,
                        rule.keyword
                    );
                }
            }
            None => assert!(!expected.error_required, "{message} must get an error, and got {answer}"),
        }
    }
    if let Some(reply) = reply.filter(|r| r.get("id") == Some(&Value::Null)) {
        assert!(plan.null_id_allowed, "{message} got an answer with a null id: {reply}");
        if let Some(rule) = &plan.null_id {
            let code = reply.pointer("/error/code").and_then(Value::as_i64);
            assert!(code.is_some_and(|c| rule.codes.contains(&c)), "{message} is {}: the null-id error must have one of {:?}, and is {reply}", rule.what, rule.codes);
        }
    }
}

/// The bytes of a record, read in order; zeros once they run out.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&first, rest)) => {
                self.0 = rest;
                first
            }
            None => 0,
        }
    }

    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(std::array::from_fn(|_| self.byte()))
    }
}
