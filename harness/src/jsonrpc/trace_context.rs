//! The W3C syntax of the OpenTelemetry keys a `_meta` may carry
//! (JSONRPC-019): `traceparent` and `tracestate` (W3C Trace Context, §3.2
//! and §3.3) and `baggage` (W3C Baggage, §3.2). Each function returns why a
//! value is malformed, or `None` when it is well formed.

use serde_json::{Map, Value};

/// Why a value is malformed, or `None`.
type Validator = fn(&str) -> Option<String>;

/// The keys judged, with their validators.
const KEYS: [(&str, Validator); 3] =
    [("traceparent", traceparent), ("tracestate", tracestate), ("baggage", baggage)];

/// Every malformed trace key of `meta`, as `(key, why)`.
pub fn problems(meta: &Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for (key, validate) in KEYS {
        let why = match meta.get(key) {
            None => None,
            Some(Value::String(value)) => validate(value),
            Some(other) => Some(format!("it is a JSON {}, not a string", super::type_name(other))),
        };
        found.extend(why.map(|why| (key, why)));
    }
    found
}

fn lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `version "-" trace-id "-" parent-id "-" trace-flags`, lower-case hex of
/// 2, 32, 16 and 2 digits; version `ff` and all-zero ids are invalid;
/// version 00 has nothing after the flags, later versions only `-…`.
pub fn traceparent(value: &str) -> Option<String> {
    let fields: Vec<&str> = value.splitn(5, '-').collect();
    let [version, trace_id, parent_id, flags, rest @ ..] = fields.as_slice() else {
        return Some("it does not have the four fields version-traceid-parentid-flags".into());
    };
    if !lower_hex(version, 2) || *version == "ff" {
        return Some(format!("the version `{version}` is not two lower-case hex digits other than ff"));
    }
    if !lower_hex(trace_id, 32) || trace_id.bytes().all(|b| b == b'0') {
        return Some(format!("the trace id `{trace_id}` is not 32 lower-case hex digits, not all zero"));
    }
    if !lower_hex(parent_id, 16) || parent_id.bytes().all(|b| b == b'0') {
        return Some(format!("the parent id `{parent_id}` is not 16 lower-case hex digits, not all zero"));
    }
    if !lower_hex(flags, 2) {
        return Some(format!("the flags `{flags}` are not two lower-case hex digits"));
    }
    if *version == "00" && !rest.is_empty() {
        return Some("version 00 has nothing after the flags".into());
    }
    None
}

/// A `tracestate` key: `[a-z0-9][a-z0-9_*/-]{0,255}`, or `tenant@system`.
fn tracestate_key(key: &str) -> bool {
    let simple = |s: &str, max: usize, first_digit: bool| {
        let mut bytes = s.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || (first_digit && b.is_ascii_digit()));
        first_ok && s.len() <= max && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-*/".contains(&b))
    };
    match key.split_once('@') {
        None => simple(key, 256, true),
        Some((tenant, system)) => simple(tenant, 241, true) && simple(system, 14, false),
    }
}

/// Comma-separated `key=value` members (at most 32; empty ones allowed):
/// values are 1–256 printable ASCII characters without `,` or `=`, not
/// ending in a space.
pub fn tracestate(value: &str) -> Option<String> {
    let members: Vec<&str> = value.split(',').map(|m| m.trim_matches([' ', '\t'])).filter(|m| !m.is_empty()).collect();
    if members.len() > 32 {
        return Some(format!("it has {} list members, more than 32", members.len()));
    }
    for member in members {
        let Some((key, val)) = member.split_once('=') else {
            return Some(format!("the member `{member}` is not key=value"));
        };
        if !tracestate_key(key) {
            return Some(format!("the key `{key}` is not a tracestate key"));
        }
        let printable = val.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=');
        if val.is_empty() || val.len() > 256 || !printable || val.ends_with(' ') {
            return Some(format!("the value of `{key}` is not 1-256 printable characters without `,` or `=`"));
        }
    }
    None
}

/// An RFC 7230 token character.
fn tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A W3C Baggage value octet: printable ASCII except space, `"`, `,`, `;`
/// and `\`.
fn baggage_octet(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && !b"\",;\\".contains(&b)
}

/// Comma-separated `key=value` members, each with optional `;property`
/// parts: keys are tokens, values baggage octets.
pub fn baggage(value: &str) -> Option<String> {
    for member in value.split(',') {
        let mut parts = member.split(';');
        let pair = parts.next().unwrap_or_default().trim_matches([' ', '\t']);
        let Some((key, val)) = pair.split_once('=') else {
            return Some(format!("the member `{pair}` is not key=value"));
        };
        let (key, val) = (key.trim_matches([' ', '\t']), val.trim_matches([' ', '\t']));
        if key.is_empty() || !key.bytes().all(tchar) {
            return Some(format!("the key `{key}` is not a token"));
        }
        if !val.bytes().all(baggage_octet) {
            return Some(format!("the value of `{key}` holds a character baggage values cannot hold"));
        }
        for property in parts {
            let (name, _) = property.split_once('=').unwrap_or((property, ""));
            let name = name.trim_matches([' ', '\t']);
            if name.is_empty() || !name.bytes().all(tchar) {
                return Some(format!("the property `{property}` of `{key}` has no token name"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_follows_trace_context() {
        assert_eq!(traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), None);
        assert_eq!(traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later"), None);
        for bad in [
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
            "4bf92f3577b34da6a3ce929d0e0e4736",
        ] {
            assert!(traceparent(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn tracestate_and_baggage_follow_their_lists() {
        assert_eq!(tracestate("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,, tenant@vendor=x"), None);
        assert!(tracestate("Rojo=1").is_some());
        assert!(tracestate("rojo").is_some());
        assert!(tracestate("rojo=a,b").is_some());
        assert_eq!(baggage("userId=alice, serverNode=DF%2028;meta=1,isProduction=false"), None);
        assert!(baggage("user id=alice").is_some());
        assert!(baggage("userId=al ice").is_some());
        assert!(baggage("userId").is_some());
        let meta = serde_json::json!({"traceparent": 7, "baggage": "k=v"});
        let found = problems(meta.as_object().unwrap());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "traceparent");
    }
}
