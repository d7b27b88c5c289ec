//! Recognising incoming JSON-RPC messages and building outgoing ones.
//!
//! [`classify`] looks at the whole message before anything acts on it and
//! sorts it into a request, a notification or a (client-sent) response;
//! whatever is none of those becomes a [`Rejected`] carrying the error to
//! answer with and the id to answer to (JSON `null` when the id could not be
//! read, JSON-RPC 2.0 §5).

use serde_json::{Map, Value};

use super::error::RpcError;

/// A JSON-RPC request: it has an `id` and expects exactly one response.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The request id: a string or an integer, echoed verbatim in the response.
    pub id: Value,
    /// The method name.
    pub method: String,
    /// `params`, when present (always an object: MCP never uses positional params).
    pub params: Option<Map<String, Value>>,
}

impl Request {
    /// The `params` member, or an empty object when absent.
    pub fn params_or_empty(&self) -> Map<String, Value> {
        self.params.clone().unwrap_or_default()
    }

    /// A string member of `params`.
    pub fn param_str(&self, key: &str) -> Option<&str> {
        self.params.as_ref()?.get(key)?.as_str()
    }
}

/// A JSON-RPC notification: no `id`, never answered (JSONRPC-014).
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// The method name.
    pub method: String,
    /// `params` if it was an object.
    pub params: Option<Map<String, Value>>,
}

/// What a well-formed incoming message is.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// A request to answer.
    Request(Request),
    /// A notification to act on silently.
    Notification(Notification),
    /// A response from the client to one of the server's own requests (the
    /// whole message: `id` plus `result` or `error`).
    Response(Value),
}

/// A message that is not valid JSON-RPC, with the error to send back.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The id to answer with: the request's id when it could be read, else `null`.
    pub id: Value,
    /// The error to answer with.
    pub error: RpcError,
}

impl Rejected {
    fn new(id: Value, detail: &str) -> Rejected {
        Rejected {
            id,
            error: RpcError::invalid_request(detail),
        }
    }

    /// The error response for this rejection.
    pub fn to_response(&self) -> Value {
        error_response(self.id.clone(), &self.error)
    }
}

/// A request id MCP accepts: a string or an integer, never `null` (the
/// JSON Schema meaning of "integer", so `1.0` counts).
pub fn is_valid_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// Sorts one parsed JSON value (not an array: batches are split by the caller).
// The rejection path is cold and short-lived; boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn classify(value: Value) -> Result<Incoming, Rejected> {
    let Value::Object(mut obj) = value else {
        return Err(Rejected::new(Value::Null, "a JSON-RPC message must be an object"));
    };
    let id = obj.get("id").cloned();
    let readable_id = id.clone().filter(is_valid_id).unwrap_or(Value::Null);

    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(Rejected::new(readable_id, "\"jsonrpc\" must be \"2.0\""));
    }

    match obj.remove("method") {
        Some(Value::String(method)) => {
            let params = obj.remove("params");
            match id {
                None => Ok(Incoming::Notification(Notification {
                    method,
                    // A notification is never answered, so a malformed
                    // `params` cannot be reported; it is simply dropped.
                    params: match params {
                        Some(Value::Object(p)) => Some(p),
                        _ => None,
                    },
                })),
                Some(id) if is_valid_id(&id) => {
                    let params = match params {
                        None => None,
                        Some(Value::Object(p)) => Some(p),
                        Some(_) => return Err(Rejected::new(id, "\"params\" must be an object")),
                    };
                    Ok(Incoming::Request(Request { id, method, params }))
                }
                Some(_) => Err(Rejected::new(Value::Null, "\"id\" must be a string or an integer")),
            }
        }
        Some(_) => Err(Rejected::new(readable_id, "\"method\" must be a string")),
        None => {
            let is_response = id.is_some() && (obj.contains_key("result") ^ obj.contains_key("error"));
            if is_response {
                Ok(Incoming::Response(Value::Object(obj)))
            } else {
                Err(Rejected::new(readable_id, "a message needs a \"method\" (or a \"result\"/\"error\" with an \"id\")"))
            }
        }
    }
}

/// `{"jsonrpc":"2.0","id":…,"result":…}`.
pub fn result_response(id: Value, result: Value) -> Value {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), Value::from("2.0"));
    obj.insert("id".into(), id);
    obj.insert("result".into(), result);
    Value::Object(obj)
}

/// `{"jsonrpc":"2.0","id":…,"error":{…}}`.
pub fn error_response(id: Value, error: &RpcError) -> Value {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), Value::from("2.0"));
    obj.insert("id".into(), id);
    obj.insert("error".into(), error.to_json());
    Value::Object(obj)
}

/// An error response without an `id` member, for HTTP-level rejections
/// (e.g. the 403 of HTTP-003, whose body "MAY comprise a JSON-RPC error
/// response that has no id").
pub fn error_response_without_id(error: &RpcError) -> Value {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), Value::from("2.0"));
    obj.insert("error".into(), error.to_json());
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::error::code;

    #[test]
    fn request_notification_response() {
        let r = classify(json!({"jsonrpc":"2.0","id":7,"method":"ping"})).unwrap();
        assert!(matches!(r, Incoming::Request(Request { ref method, .. }) if method == "ping"));
        let n = classify(json!({"jsonrpc":"2.0","method":"notifications/initialized"})).unwrap();
        assert!(matches!(n, Incoming::Notification(_)));
        let resp = classify(json!({"jsonrpc":"2.0","id":"s1","result":{}})).unwrap();
        assert_eq!(resp, Incoming::Response(json!({"jsonrpc":"2.0","id":"s1","result":{}})));
    }

    #[test]
    fn ids_are_strings_or_integers() {
        assert!(is_valid_id(&json!("x")));
        assert!(is_valid_id(&json!(-3)));
        assert!(is_valid_id(&json!(u64::MAX)));
        assert!(is_valid_id(&json!(2.0)));
        assert!(!is_valid_id(&json!(2.5)));
        assert!(!is_valid_id(&Value::Null));
        assert!(!is_valid_id(&json!(true)));
        let e = classify(json!({"jsonrpc":"2.0","id":null,"method":"ping"})).unwrap_err();
        assert_eq!(e.id, Value::Null);
        assert_eq!(e.error.code, code::INVALID_REQUEST);
    }

    #[test]
    fn rejects_keep_the_id_when_readable() {
        let e = classify(json!({"jsonrpc":"1.0","id":4,"method":"ping"})).unwrap_err();
        assert_eq!(e.id, json!(4));
        let e = classify(json!({"jsonrpc":"2.0","id":"a","method":"x","params":[1]})).unwrap_err();
        assert_eq!(e.id, json!("a"));
        let e = classify(json!({"jsonrpc":"2.0","id":5,"method":12})).unwrap_err();
        assert_eq!(e.id, json!(5));
        let e = classify(json!([1])).unwrap_err();
        assert_eq!(e.id, Value::Null);
        let e = classify(json!({"jsonrpc":"2.0","id":1})).unwrap_err();
        assert_eq!(e.error.code, code::INVALID_REQUEST);
        let e = classify(json!({"jsonrpc":"2.0","id":1,"result":{},"error":{}})).unwrap_err();
        assert_eq!(e.error.code, code::INVALID_REQUEST);
    }

    #[test]
    fn builders() {
        assert_eq!(result_response(json!(1), json!({})), json!({"jsonrpc":"2.0","id":1,"result":{}}));
        let e = RpcError::method_not_found("x");
        assert_eq!(
            error_response(json!("q"), &e),
            json!({"jsonrpc":"2.0","id":"q","error":{"code":-32601,"message":"Method not found: x"}})
        );
        assert!(error_response_without_id(&e).get("id").is_none());
    }
}
