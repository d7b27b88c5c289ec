//! The `schema_validation` target: the schema check the harness applies to
//! every message it receives, on arbitrary JSON.
//!
//! Input: one header line, then a JSON document.
//!
//! ```text
//! <selector byte><definition name>\n<JSON>
//! ```
//!
//! The selector byte picks the protocol version (modulo the number of
//! versions). The name picks the definition; a name the version does not
//! define (a mutated one) still picks one, by its hash, so every input
//! validates something. The seeds in `fuzz/seeds/schema_validation/` are the
//! official example messages under their definition's name.

use serde_json::Value;

use crate::jsonrpc::{self, Message};
use crate::schema::{self, VersionSchema, Violation};
use crate::session::response_problems;
use crate::version;

/// Validates the document against the chosen definition, then as a received
/// message: deterministic verdicts, violations that point into the document,
/// and verdicts a serde_json round trip does not change.
pub fn schema_validation(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (name, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(end) => (&rest[..end], &rest[end + 1..]),
        None => (&[][..], rest),
    };
    let Ok(document) = serde_json::from_slice::<Value>(body) else { return };
    let version = version::ALL[usize::from(selector) % version::ALL.len()];
    let schema = schema::bundle().version(version).expect("every known version has a schema");
    let definition = pick_definition(schema, name);

    let verdict = schema.validate(definition, &document);
    assert_eq!(verdict, schema.validate(definition, &document), "{version} {definition}: validating twice gave different verdicts");
    if let Err(violations) = &verdict {
        assert!(!violations.is_empty(), "{version} {definition}: a failed validation reports no violation");
        assert_points_into(&document, violations);
    }
    let again = round_trip(&document);
    assert_eq!(
        verdict.is_ok(),
        schema.validate(definition, &again).is_ok(),
        "{version} {definition}: a serde_json round trip changed the verdict"
    );

    received(schema, definition, body, &again);
}

/// The check on receipt (`session::connection`): requests and notifications
/// against their method's definition, responses against the envelope and
/// the result of the request they answer (the method whose result the
/// chosen definition is, or else one picked by its hash).
fn received(schema: &VersionSchema, definition: &str, body: &[u8], round_tripped: &Value) {
    let Ok(frame) = jsonrpc::parse(body) else { return };
    let version = schema.version();
    let definition_of_message = match &frame.message {
        Message::Request { method, .. } => schema.request_definition(method),
        Message::Notification { method, .. } => schema.notification_definition(method),
        Message::Result { .. } | Message::Error { .. } => {
            let method = answered_method(schema, definition);
            let problems = messages(response_problems(version, method, &frame.json));
            assert_eq!(problems, messages(response_problems(version, method, &frame.json)), "{version} {method}: checking a response twice differed");
            assert_eq!(
                problems.is_empty(),
                response_problems(version, method, round_tripped).is_empty(),
                "{version} {method}: a serde_json round trip changed the verdict on a response"
            );
            return;
        }
    };
    if let Some(definition) = definition_of_message {
        let verdict = schema.validate(definition, &frame.json);
        assert_eq!(verdict, schema.validate(definition, &frame.json), "{version} {definition}: validating a message twice differed");
        assert_eq!(verdict.is_ok(), schema.validate(definition, round_tripped).is_ok(), "{version} {definition}: round trip changed the verdict");
    }
}

/// The named definition if the version has it; otherwise one chosen by the
/// name's hash, so that mutated names still reach every definition.
fn pick_definition<'s>(schema: &'s VersionSchema, name: &[u8]) -> &'s str {
    if let Some(name) = std::str::from_utf8(name).ok().and_then(|n| schema.definitions().find(|d| *d == n)) {
        return name;
    }
    let count = schema.definitions().count();
    schema.definitions().nth(hash(name) % count).expect("the index is below the count")
}

/// The request method a response under `definition` answers: the one whose
/// result `definition` is (`CallToolResult`, or the 2026-07-28 example
/// folders' `CallToolResultResponse`), else one picked by the name's hash.
fn answered_method(schema: &VersionSchema, definition: &str) -> &'static str {
    let result = definition.strip_suffix("Response").unwrap_or(definition);
    if let Some(method) = schema.request_methods().find(|m| schema.result_definition(m) == Some(result)) {
        return method;
    }
    let count = schema.request_methods().count();
    schema.request_methods().nth(hash(definition.as_bytes()) % count).expect("every version has requests")
}

/// Every violation's instance path must name a part of the document.
pub(super) fn assert_points_into(document: &Value, violations: &[Violation]) {
    for violation in violations {
        assert!(
            document.pointer(&violation.instance_path).is_some(),
            "violation {violation} points outside the document"
        );
    }
}

fn round_trip(document: &Value) -> Value {
    serde_json::from_str(&document.to_string()).expect("serialized JSON parses again")
}

fn messages(problems: Vec<crate::session::Problem>) -> Vec<String> {
    problems.into_iter().map(|p| p.message).collect()
}

/// FNV-1a: stable across runs and platforms, unlike the std hasher.
fn hash(bytes: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h as usize
}
