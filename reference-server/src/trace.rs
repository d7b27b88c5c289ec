//! W3C Trace Context propagation: a request whose `params._meta` carries a
//! `traceparent` gets the trace continued in its result's `_meta` (the same
//! trace id and flags, a span id of this server), with `tracestate` and
//! `baggage` passed on unchanged.
//!
//! The faults that break the JSON-RPC envelope act on these traced
//! responses only, the way a tracing middleware that re-serializes what it
//! wraps would: every other answer stays intact.

use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultSet};

/// The `_meta` keys of W3C Trace Context and Baggage.
const KEYS: [&str; 3] = ["traceparent", "tracestate", "baggage"];

/// The span id this server names as the parent of whatever follows it.
const SPAN_ID: &str = "5e7ef0e7ace0f5e7";

/// The trace context of a request: the W3C keys of its `params._meta`,
/// when it has a `traceparent`.
pub fn context_of(params: Option<&Map<String, Value>>) -> Option<Map<String, Value>> {
    let meta = params?.get("_meta")?.as_object()?;
    meta.get("traceparent")?.as_str()?;
    Some(KEYS.iter().filter_map(|k| meta.get(*k).map(|v| (k.to_string(), v.clone()))).collect())
}

/// `traceparent` continued by this server: version, trace id and flags
/// kept, its own span id as the parent; `None` if `incoming` is not a
/// well-formed version-00 `traceparent`.
fn continued(incoming: &str) -> Option<String> {
    let parts: Vec<&str> = incoming.split('-').collect();
    let [version, trace_id, _parent, flags] = parts.as_slice() else { return None };
    let lower_hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (*version == "00" && lower_hex(trace_id, 32) && lower_hex(flags, 2)).then(|| format!("00-{trace_id}-{SPAN_ID}-{flags}"))
}

/// Continue `context` in `response`'s result `_meta`; then apply the
/// envelope faults, which damage traced responses only.
pub fn continue_in(response: &mut Value, context: &Map<String, Value>, faults: FaultSet) {
    let Some(traceparent) = context.get("traceparent").and_then(Value::as_str).and_then(continued) else { return };
    if faults.contains(Fault::TracedErrorVerbose) {
        if let Some(Value::String(message)) = response.pointer_mut("/error/message") {
            message.push_str(&format!(". Trace {traceparent}.\n  at dispatch (dispatch.rs)\n  at serve (stdio.rs)"));
        }
    }
    let Some(result) = response.get_mut("result").and_then(Value::as_object_mut) else { return };
    let meta = result.entry("_meta").or_insert_with(|| json!({}));
    if let Some(meta) = meta.as_object_mut() {
        for (key, value) in context {
            meta.insert(key.clone(), value.clone());
        }
        // The fault writes it in upper-case hex, which W3C Trace Context forbids.
        let traceparent = if faults.contains(Fault::TraceparentMalformed) { traceparent.to_uppercase() } else { traceparent };
        meta.insert("traceparent".into(), traceparent.into());
    }
    let Some(message) = response.as_object_mut() else { return };
    if faults.contains(Fault::TracedResponseJsonrpcVersion) {
        message.insert("jsonrpc".into(), json!("1.0"));
    }
    if faults.contains(Fault::TracedResultNotObject) {
        if let Some(result) = message.remove("result") {
            message.insert("result".into(), json!([result]));
        }
    }
}

/// A notification this server sends, wrongly with an id, ahead of a traced
/// response (the `traced-notification-with-id` fault).
pub fn notification_with_id(response: &Value) -> Option<Value> {
    let traceparent = response.pointer("/result/_meta/traceparent")?.as_str()?;
    Some(json!({
        "jsonrpc": "2.0",
        "id": "trace-span-started",
        "method": "notifications/message",
        "params": { "level": "debug", "logger": "trace", "data": format!("span {traceparent} started") }
    }))
}

/// `notifications/cancelled` naming the traced request `response`
/// answers, as if the server cancelled the client's request (the
/// `server-cancels-traced-request` fault).
pub fn cancellation_of(response: &Value) -> Option<Value> {
    let id = response.get("id")?;
    is_traced(response).then(|| {
        json!({
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": { "requestId": id, "reason": "trace span closed" }
        })
    })
}

/// A log message that follows a traced response, tied to no request and no
/// listen stream (the `traced-stray-notification` fault).
pub fn stray_notification() -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "notifications/message",
        "params": { "level": "info", "logger": "trace", "data": "trace span exported" }
    })
}

/// Is `message` a response that continues a trace? (The stdio writer's
/// byte-level faults act on these.)
pub fn is_traced(message: &Value) -> bool {
    message.pointer("/result/_meta/traceparent").is_some()
}

/// The stdio line of a traced response under the byte-level faults: pretty
/// printed over several lines (`traced-response-multiline`), or with a
/// byte that is not UTF-8 in its `traceparent` (`traced-response-not-utf8`).
pub fn damaged_line(message: &Value, faults: FaultSet) -> Option<Vec<u8>> {
    if !is_traced(message) {
        return None;
    }
    if faults.contains(Fault::TracedResponseMultiline) {
        return serde_json::to_vec_pretty(message).ok();
    }
    if faults.contains(Fault::TracedResponseNotUtf8) {
        let mut line = serde_json::to_vec(message).ok()?;
        let marker = br#""traceparent":"0"#;
        let at = line.windows(marker.len()).position(|w| w == marker)? + marker.len() - 1;
        // 0xFF never occurs in UTF-8.
        if let Some(byte) = line.get_mut(at) {
            *byte = 0xFF;
        }
        return Some(line);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn traced_ping() -> Value {
        json!({"_meta": {"traceparent": PARENT, "tracestate": "mcp=1", "baggage": "k=v", "other": 1}})
    }

    #[test]
    fn continues_the_trace_in_the_result() {
        let context = context_of(traced_ping().as_object()).unwrap();
        assert_eq!(context.len(), 3);
        let mut response = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
        continue_in(&mut response, &context, FaultSet::NONE);
        assert_eq!(response["result"]["_meta"]["traceparent"], "00-4bf92f3577b34da6a3ce929d0e0e4736-5e7ef0e7ace0f5e7-01");
        assert_eq!(response["result"]["_meta"]["baggage"], "k=v");
        assert!(damaged_line(&response, FaultSet::NONE).is_none());
        assert!(context_of(json!({"_meta": {"baggage": "k=v"}}).as_object()).is_none());
    }

    #[test]
    fn byte_faults_break_the_line() {
        let context = context_of(traced_ping().as_object()).unwrap();
        let mut response = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
        continue_in(&mut response, &context, FaultSet::NONE);
        let multiline = damaged_line(&response, FaultSet::only(Fault::TracedResponseMultiline)).unwrap();
        assert!(multiline.contains(&b'\n'));
        let not_utf8 = damaged_line(&response, FaultSet::only(Fault::TracedResponseNotUtf8)).unwrap();
        assert!(std::str::from_utf8(&not_utf8).is_err());
    }
}
