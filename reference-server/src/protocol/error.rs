//! JSON-RPC error objects and the codes MCP assigns.
//!
//! The codes follow `basic/index.mdx` §Error Codes: the JSON-RPC 2.0
//! standard codes for generic failures, and the three codes MCP reserves in
//! -32020…-32099. The only code from the legacy sub-range -32000…-32019 is
//! -32002, "resource not found", and only in the handshake-era versions that
//! define it (L-RES-002); 2026-07-28 uses -32602 for it (RESOURCES-005,
//! JSONRPC-011).

use std::fmt;

use serde_json::{json, Map, Value};

/// Error codes used by this server.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON is not a valid JSON-RPC request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist or is not available in this protocol version.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters (including missing per-request `_meta`, LIFECYCLE-007).
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Resource not found, as the handshake-era versions define it (L-RES-002).
    pub const RESOURCE_NOT_FOUND: i64 = -32002;
    /// HTTP headers disagree with the body or are missing (2026-07-28, HTTP-016/020/021).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// The request needs a client capability it did not declare (LIFECYCLE-009).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
    /// The requested protocol version is not served (LIFECYCLE-006).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
}

/// A JSON-RPC error object (`{code, message, data?}`).
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// The integer error code.
    pub code: i64,
    /// One short sentence (JSONRPC-009).
    pub message: String,
    /// Optional structured detail.
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with the given code and message and no `data`.
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches `data`.
    pub fn with_data(mut self, data: Value) -> RpcError {
        self.data = Some(data);
        self
    }

    /// -32700: the bytes were not JSON.
    pub fn parse_error(detail: impl fmt::Display) -> RpcError {
        RpcError::new(code::PARSE_ERROR, format!("Parse error: {detail}"))
    }

    /// -32600: not a valid JSON-RPC message.
    pub fn invalid_request(detail: impl fmt::Display) -> RpcError {
        RpcError::new(code::INVALID_REQUEST, format!("Invalid request: {detail}"))
    }

    /// -32601 for `method`.
    pub fn method_not_found(method: &str) -> RpcError {
        RpcError::new(code::METHOD_NOT_FOUND, format!("Method not found: {method}"))
    }

    /// -32602.
    pub fn invalid_params(detail: impl fmt::Display) -> RpcError {
        RpcError::new(code::INVALID_PARAMS, format!("Invalid params: {detail}"))
    }

    /// -32603.
    pub fn internal(detail: impl fmt::Display) -> RpcError {
        RpcError::new(code::INTERNAL_ERROR, format!("Internal error: {detail}"))
    }

    /// -32020 `HeaderMismatch`.
    pub fn header_mismatch(detail: impl fmt::Display) -> RpcError {
        RpcError::new(code::HEADER_MISMATCH, format!("Header mismatch: {detail}"))
    }

    /// "Resource not found" with `data.uri`, under `code` (-32002 in the
    /// handshake era, -32602 in 2026-07-28: see
    /// [`ProtocolVersion::resource_not_found_code`](crate::ProtocolVersion::resource_not_found_code)).
    pub fn resource_not_found(code: i64, uri: &str) -> RpcError {
        RpcError::new(code, "Resource not found").with_data(json!({ "uri": uri }))
    }

    /// -32022 `UnsupportedProtocolVersionError` with `data.supported` and `data.requested`.
    pub fn unsupported_version(requested: &str, supported: &[&str], reason: &str) -> RpcError {
        RpcError::new(code::UNSUPPORTED_PROTOCOL_VERSION, format!("Unsupported protocol version{reason}"))
            .with_data(json!({ "supported": supported, "requested": requested }))
    }

    /// The error object as JSON.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("code".into(), Value::from(self.code));
        obj.insert("message".into(), Value::from(self.message.clone()));
        if let Some(data) = &self.data {
            obj.insert("data".into(), data.clone());
        }
        Value::Object(obj)
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for RpcError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_version_carries_both_lists() {
        let e = RpcError::unsupported_version("1900-01-01", &["2026-07-28"], "");
        assert_eq!(e.code, -32022);
        assert_eq!(
            e.to_json(),
            json!({"code": -32022, "message": "Unsupported protocol version",
                   "data": {"supported": ["2026-07-28"], "requested": "1900-01-01"}})
        );
    }

    /// -32002 is the one exception, and only for the versions that define it.
    #[test]
    fn no_code_in_legacy_subrange() {
        for c in [
            code::PARSE_ERROR,
            code::INVALID_REQUEST,
            code::METHOD_NOT_FOUND,
            code::INVALID_PARAMS,
            code::INTERNAL_ERROR,
            code::HEADER_MISMATCH,
            code::MISSING_REQUIRED_CLIENT_CAPABILITY,
            code::UNSUPPORTED_PROTOCOL_VERSION,
        ] {
            assert!(!(-32019..=-32000).contains(&c), "{c} is in the legacy sub-range");
        }
    }
}
