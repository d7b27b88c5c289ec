//! Tool arguments mirrored into `Mcp-Param-{Name}` headers (2026-07-28
//! Streamable HTTP, `x-mcp-header`): the fixture tool that asks for them and
//! the server's validation of them.
//!
//! For every annotated argument a `tools/call` gives (not absent, not
//! `null`), the header must be there once, hold only visible ASCII, space
//! or tab (HTTP-025), and after Base64-sentinel decoding (HTTP-022) equal
//! the argument (HTTP-023): strings exactly, booleans as `true` / `false`,
//! integers by value, so `42.0` is `42` (HTTP-026). An argument that is
//! absent or `null` needs no header (HTTP-024). Any failure is 400 with
//! -32020, like the other mirrored headers.

use axum::http::HeaderMap;
use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::protocol::RpcError;
use crate::transport::header_value;

/// The fixture tool whose arguments are mirrored.
pub const TOOL_NAME: &str = "mirrored_params";

/// Its `inputSchema`: three optional arguments, each marked `x-mcp-header`.
pub fn input_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "region": {"type": "string", "maxLength": 64, "description": "A region name", "x-mcp-header": "Region"},
            "priority": {"type": "integer", "minimum": 0, "maximum": 1000000, "description": "A priority", "x-mcp-header": "Priority"},
            "dryRun": {"type": "boolean", "description": "Whether nothing would happen", "x-mcp-header": "Dry-Run"}
        },
        "additionalProperties": false
    })
}

/// What the tool says back.
pub fn describe_call(args: &Map<String, Value>) -> String {
    let shown = |key: &str| args.get(key).map_or("(none)".to_string(), Value::to_string);
    format!("region={}, priority={}, dryRun={}", shown("region"), shown("priority"), shown("dryRun"))
}

/// The `param-header-annotation-invalid` fault: one more annotated
/// property, of type `number` (HTTP-029 allows integer, string, boolean).
/// The tool still validates against its real schema.
pub fn spoil_annotations(schema: &mut Value) {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert("ratio".into(), json!({"type": "number", "description": "A ratio", "x-mcp-header": "Ratio"}));
    }
}

/// `(path, header name, type)` of every `x-mcp-header` reached from the
/// root through `properties` alone (the only places the fixtures use).
fn annotated(schema: &Value) -> Vec<(Vec<String>, String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![(Vec::new(), schema)];
    while let Some((path, schema)) = pending.pop() {
        if let (Some(name), false) = (schema.get("x-mcp-header").and_then(Value::as_str), path.is_empty()) {
            let kind = schema.get("type").and_then(Value::as_str).unwrap_or_default();
            found.push((path.clone(), name.to_string(), kind.to_string()));
        }
        for (key, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let mut deeper = path.clone();
            deeper.push(key.clone());
            pending.push((deeper, property));
        }
    }
    found
}

/// Checks the `Mcp-Param-*` headers of a `tools/call` whose tool has the
/// `input_schema` given against its `arguments`.
pub fn check(headers: &HeaderMap, input_schema: &Value, arguments: &Value, faults: FaultSet) -> Result<(), RpcError> {
    if faults.contains(Fault::ParamHeaderMismatchIgnored) {
        return Ok(());
    }
    for (path, name, kind) in annotated(input_schema) {
        let header = format!("mcp-param-{}", name.to_ascii_lowercase());
        let given = path.iter().try_fold(arguments, |v, key| v.get(key)).filter(|v| !v.is_null());
        let value = match given {
            // Objects and arrays have no header form: argument validation refuses them.
            Some(Value::Object(_) | Value::Array(_)) => continue,
            Some(v) => Some(v),
            None if faults.contains(Fault::ParamHeaderDemandedWhenAbsent) => None,
            // HTTP-024: an absent or null argument needs no header.
            None => continue,
        };
        let mut raws = headers.get_all(&header).iter();
        let Some(raw) = raws.next() else {
            return Err(RpcError::header_mismatch(format!("the Mcp-Param-{name} header is required for the argument {}", path.join("."))));
        };
        if raws.next().is_some() {
            return Err(RpcError::header_mismatch(format!("the Mcp-Param-{name} header is repeated")));
        }
        let text = if faults.contains(Fault::ParamHeaderRawBytesAccepted) {
            String::from_utf8(raw.as_bytes().to_vec()).ok()
        } else {
            raw.to_str().ok().map(str::to_owned)
        };
        let Some(text) = text else {
            return Err(RpcError::header_mismatch(format!(
                "the Mcp-Param-{name} header has characters a plain header value may not hold; send =?base64?…?= instead"
            )));
        };
        let decoded = header_value::decode(&text).map_err(RpcError::header_mismatch)?;
        if let Some(value) = value.filter(|v| !matches(&decoded, v, &kind, faults)) {
            return Err(RpcError::header_mismatch(format!("Mcp-Param-{name} header value '{decoded}' does not match body value {value}")));
        }
    }
    Ok(())
}

/// Does the decoded header text stand for the body `value`?
fn matches(decoded: &str, value: &Value, kind: &str, faults: FaultSet) -> bool {
    match value {
        Value::String(s) => decoded == s,
        Value::Bool(b) => decoded == if *b { "true" } else { "false" },
        Value::Number(n) if kind == "integer" && faults.contains(Fault::ParamHeaderIntegerAsText) => decoded == n.to_string(),
        // By value (HTTP-026): 42.0 and 42 are the same integer.
        Value::Number(n) => decoded.parse::<f64>().ok().zip(n.as_f64()).is_some_and(|(h, b)| h == b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    fn checked(pairs: &[(&str, &[u8])], arguments: Value, faults: FaultSet) -> Result<(), RpcError> {
        check(&headers(pairs), &input_schema(), &arguments, faults)
    }

    #[test]
    fn matching_headers_pass_and_absent_arguments_need_none() {
        let all = [("Mcp-Param-Region", b"us-west1".as_slice()), ("mcp-param-priority", b"42.0".as_slice()), ("MCP-PARAM-DRY-RUN", b"true".as_slice())];
        assert!(checked(&all, json!({"region": "us-west1", "priority": 42, "dryRun": true}), FaultSet::NONE).is_ok());
        assert!(checked(&[], json!({"region": null}), FaultSet::NONE).is_ok());
        assert!(checked(&[("Mcp-Param-Region", b"=?base64?SGVsbG8sIOS4lueVjA==?=".as_slice())], json!({"region": "Hello, 世界"}), FaultSet::NONE).is_ok());
    }

    #[test]
    fn missing_different_or_raw_headers_are_refused() {
        for (pairs, arguments) in [
            (vec![], json!({"region": "a"})),
            (vec![("Mcp-Param-Region", b"b".as_slice())], json!({"region": "a"})),
            (vec![("Mcp-Param-Priority", b"7".as_slice())], json!({"priority": 8})),
            (vec![("Mcp-Param-Dry-Run", b"True".as_slice())], json!({"dryRun": true})),
            (vec![("Mcp-Param-Region", "café".as_bytes())], json!({"region": "café"})),
        ] {
            let e = checked(&pairs, arguments.clone(), FaultSet::NONE).unwrap_err();
            assert_eq!(e.code, crate::protocol::code::HEADER_MISMATCH, "{arguments}");
        }
    }

    #[test]
    fn each_fault_breaks_its_rule() {
        assert!(checked(&[], json!({"region": "a"}), FaultSet::only(Fault::ParamHeaderMismatchIgnored)).is_ok());
        assert!(checked(&[], json!({}), FaultSet::only(Fault::ParamHeaderDemandedWhenAbsent)).is_err());
        assert!(checked(&[("Mcp-Param-Region", "café".as_bytes())], json!({"region": "café"}), FaultSet::only(Fault::ParamHeaderRawBytesAccepted)).is_ok());
        assert!(checked(&[("Mcp-Param-Priority", b"42.0".as_slice())], json!({"priority": 42}), FaultSet::only(Fault::ParamHeaderIntegerAsText)).is_err());
        let mut spoiled = input_schema();
        spoil_annotations(&mut spoiled);
        assert_eq!(spoiled["properties"]["ratio"]["type"], "number");
    }
}
