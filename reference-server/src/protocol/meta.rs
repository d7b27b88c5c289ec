//! The `_meta` keys of the stateless revision (2026-07-28).
//!
//! Every modern request names its protocol version and client capabilities
//! in `params._meta` (`basic/index.mdx` §_meta, per-request protocol fields);
//! every result names the server in `_meta["io.modelcontextprotocol/serverInfo"]`
//! (LIFECYCLE-005).

use serde_json::{json, Map, Value};

use super::error::RpcError;

/// Per-request protocol version (required).
pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// Per-request client capabilities (required).
pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// Per-request client identity (optional).
pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// Per-request minimum log level (optional).
pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// Per-result server identity.
pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// The subscription a notification belongs to (`subscriptions/listen`, SUBS-004).
pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// The `LoggingLevel` values (RFC 5424 severities).
pub const LOG_LEVELS: [&str; 8] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/// The severity rank of a `LoggingLevel` name (0 = `debug` … 7 = `emergency`).
pub fn log_level_rank(level: &str) -> Option<usize> {
    LOG_LEVELS.iter().position(|l| *l == level)
}

/// The `progressToken` a request's `_meta` carries, if it is one (a string
/// or an integer); any other value is ignored.
pub fn progress_token(params: Option<&Map<String, Value>>) -> Option<Value> {
    let token = meta_of(params)?.get("progressToken")?;
    let integer = token.as_i64().is_some() || token.as_u64().is_some();
    (token.is_string() || integer).then(|| token.clone())
}

/// The per-request fields of a modern request, validated for presence and type.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestMeta {
    /// `io.modelcontextprotocol/protocolVersion`, as sent (not yet checked for support).
    pub protocol_version: String,
    /// `io.modelcontextprotocol/clientCapabilities`.
    pub client_capabilities: Map<String, Value>,
    /// `io.modelcontextprotocol/clientInfo`, if sent.
    pub client_info: Option<Map<String, Value>>,
    /// `io.modelcontextprotocol/logLevel`, if sent.
    pub log_level: Option<String>,
}

/// The `_meta` object of `params`, if there is one.
fn meta_of(params: Option<&Map<String, Value>>) -> Option<&Map<String, Value>> {
    params?.get("_meta")?.as_object()
}

/// True when the request carries any of the modern per-request keys: that
/// is how a dual-era server recognises a modern opening move
/// (`versioning.mdx` §Compatibility Matrix, LIFECYCLE-018). Legacy clients
/// never send these reserved keys.
pub fn carries_modern_meta(params: Option<&Map<String, Value>>) -> bool {
    meta_of(params).is_some_and(|m| {
        [PROTOCOL_VERSION, CLIENT_CAPABILITIES, CLIENT_INFO, LOG_LEVEL]
            .iter()
            .any(|k| m.contains_key(*k))
    })
}

/// Reads and checks the per-request fields. A missing or mistyped required
/// field makes the request malformed: -32602 (LIFECYCLE-007).
pub fn parse_request_meta(params: Option<&Map<String, Value>>) -> Result<RequestMeta, RpcError> {
    let Some(meta) = meta_of(params) else {
        return Err(RpcError::invalid_params(format!(
            "params._meta with \"{PROTOCOL_VERSION}\" and \"{CLIENT_CAPABILITIES}\" is required"
        )));
    };
    let protocol_version = match meta.get(PROTOCOL_VERSION) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(RpcError::invalid_params(format!("\"{PROTOCOL_VERSION}\" must be a string"))),
        None => return Err(RpcError::invalid_params(format!("_meta lacks the required \"{PROTOCOL_VERSION}\""))),
    };
    let client_capabilities = match meta.get(CLIENT_CAPABILITIES) {
        Some(Value::Object(c)) => c.clone(),
        Some(_) => return Err(RpcError::invalid_params(format!("\"{CLIENT_CAPABILITIES}\" must be an object"))),
        None => {
            return Err(RpcError::invalid_params(format!(
                "_meta lacks the required \"{CLIENT_CAPABILITIES}\""
            )))
        }
    };
    let client_info = match meta.get(CLIENT_INFO) {
        None => None,
        Some(Value::Object(i)) if i.get("name").is_some_and(Value::is_string) && i.get("version").is_some_and(Value::is_string) => {
            Some(i.clone())
        }
        Some(_) => {
            return Err(RpcError::invalid_params(format!(
                "\"{CLIENT_INFO}\" must be an object with string \"name\" and \"version\""
            )))
        }
    };
    let log_level = match meta.get(LOG_LEVEL) {
        None => None,
        Some(Value::String(l)) if LOG_LEVELS.contains(&l.as_str()) => Some(l.clone()),
        Some(_) => return Err(RpcError::invalid_params(format!("\"{LOG_LEVEL}\" is not a logging level"))),
    };
    Ok(RequestMeta {
        protocol_version,
        client_capabilities,
        client_info,
        log_level,
    })
}

/// The server's `Implementation` object for `version`-appropriate fields.
pub fn server_implementation(with_title: bool) -> Value {
    let mut info = Map::new();
    info.insert("name".into(), json!(crate::SERVER_NAME));
    if with_title {
        info.insert("title".into(), json!(crate::SERVER_TITLE));
    }
    info.insert("version".into(), json!(crate::SERVER_VERSION));
    Value::Object(info)
}

/// Adds `resultType: "complete"` (when absent) and `_meta` serverInfo to a
/// modern result (JSONRPC-005, LIFECYCLE-005).
pub fn decorate_modern_result(result: &mut Map<String, Value>) {
    result.entry("resultType").or_insert_with(|| json!("complete"));
    let meta = result.entry("_meta").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        meta.insert(SERVER_INFO.into(), server_implementation(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::code;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn detects_modern_requests() {
        assert!(!carries_modern_meta(None));
        assert!(!carries_modern_meta(Some(&params(json!({"_meta": {"progressToken": 1}})))));
        assert!(carries_modern_meta(Some(&params(json!({"_meta": {PROTOCOL_VERSION: "x"}})))));
        assert!(carries_modern_meta(Some(&params(json!({"_meta": {CLIENT_CAPABILITIES: {}}})))));
    }

    #[test]
    fn required_fields() {
        let ok = params(json!({"_meta": {PROTOCOL_VERSION: "2026-07-28", CLIENT_CAPABILITIES: {}}}));
        let m = parse_request_meta(Some(&ok)).unwrap();
        assert_eq!(m.protocol_version, "2026-07-28");
        for bad in [
            json!({}),
            json!({"_meta": {}}),
            json!({"_meta": {PROTOCOL_VERSION: "2026-07-28"}}),
            json!({"_meta": {CLIENT_CAPABILITIES: {}}}),
            json!({"_meta": {PROTOCOL_VERSION: 5, CLIENT_CAPABILITIES: {}}}),
            json!({"_meta": {PROTOCOL_VERSION: "2026-07-28", CLIENT_CAPABILITIES: []}}),
            json!({"_meta": {PROTOCOL_VERSION: "2026-07-28", CLIENT_CAPABILITIES: {}, LOG_LEVEL: "loud"}}),
            json!({"_meta": {PROTOCOL_VERSION: "2026-07-28", CLIENT_CAPABILITIES: {}, CLIENT_INFO: {"name": 1}}}),
        ] {
            let e = parse_request_meta(Some(&params(bad.clone()))).unwrap_err();
            assert_eq!(e.code, code::INVALID_PARAMS, "{bad}");
        }
        assert_eq!(parse_request_meta(None).unwrap_err().code, code::INVALID_PARAMS);
    }

    #[test]
    fn progress_tokens_and_levels() {
        assert_eq!(progress_token(Some(&params(json!({"_meta": {"progressToken": "t"}})))), Some(json!("t")));
        assert_eq!(progress_token(Some(&params(json!({"_meta": {"progressToken": 7}})))), Some(json!(7)));
        assert_eq!(progress_token(Some(&params(json!({"_meta": {"progressToken": 1.5}})))), None);
        assert_eq!(progress_token(Some(&params(json!({"_meta": {}})))), None);
        assert_eq!(progress_token(None), None);
        assert_eq!(log_level_rank("debug"), Some(0));
        assert_eq!(log_level_rank("emergency"), Some(7));
        assert_eq!(log_level_rank("loud"), None);
    }

    #[test]
    fn decoration_adds_result_type_and_server_info() {
        let mut r = Map::new();
        decorate_modern_result(&mut r);
        assert_eq!(r["resultType"], "complete");
        assert_eq!(r["_meta"][SERVER_INFO]["name"], crate::SERVER_NAME);
    }
}
