//! JSON-RPC 2.0 frames: recognise a whole frame before acting on it.
//!
//! A frame is one stdio line, one SSE event's data or one HTTP body. Parsing
//! never fails on what a server sends: anything that is not a JSON-RPC message
//! comes back as a [`FrameError`] describing why, so the caller can report it.

use serde_json::{Map, Value};

pub mod duplicate_keys;
pub mod trace_context;

/// A request id: the JSON value itself, compared exactly (a string `"1"` and
/// the integer `1` are different ids).
pub type Id = Value;

/// One JSON-RPC message as received.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request: it has an id and a method.
    Request { id: Id, method: String, params: Option<Value> },
    /// A notification: a method and no id.
    Notification { method: String, params: Option<Value> },
    /// A successful response.
    Result { id: Id, result: Value },
    /// An error response; `id` is `Null` when the peer could not read the request's id.
    Error { id: Id, error: Value },
}

impl Message {
    /// The id of a request or response.
    pub fn id(&self) -> Option<&Id> {
        match self {
            Message::Request { id, .. } | Message::Result { id, .. } | Message::Error { id, .. } => Some(id),
            Message::Notification { .. } => None,
        }
    }

    /// The method of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            Message::Request { method, .. } | Message::Notification { method, .. } => Some(method),
            _ => None,
        }
    }
}

/// A frame that is not one JSON-RPC message, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The bytes are not UTF-8.
    #[error("not UTF-8 (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// A JSON array: a batch, which only 2025-03-26 allows.
    #[error("a JSON-RPC batch (array of {0} messages)")]
    Batch(usize),
    /// JSON, but not a JSON-RPC 2.0 message.
    #[error("not a JSON-RPC 2.0 message: {0}")]
    NotJsonRpc(String),
    /// JSON that ends before its value does: on stdio, a message cut by a
    /// newline inside it (its rest follows on the next lines).
    #[error("JSON that ends before its value does: {0}")]
    Unfinished(String),
    /// A JSON-RPC-shaped object whose `jsonrpc` member is not `"2.0"`.
    #[error("not JSON-RPC 2.0: {0}")]
    WrongVersion(String),
}

/// A parsed frame: the message and the JSON it came from (for schema checks).
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The classified message.
    pub message: Message,
    /// The whole JSON value.
    pub json: Value,
}

/// Parse one frame. Trailing `\r\n` or `\n` is ignored.
pub fn parse(bytes: &[u8]) -> Result<Frame, FrameError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FrameError::NotUtf8(e.valid_up_to()))?;
    let text = text.trim_end_matches(['\n', '\r']);
    let json: Value = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => FrameError::Unfinished(e.to_string()),
        _ => FrameError::NotJson(e.to_string()),
    })?;
    let message = classify(&json)?;
    Ok(Frame { message, json })
}

/// Classify a JSON value as a JSON-RPC message.
pub fn classify(json: &Value) -> Result<Message, FrameError> {
    let object = match json {
        Value::Object(object) => object,
        Value::Array(items) => return Err(FrameError::Batch(items.len())),
        other => return Err(not_rpc(format!("a JSON {}, not an object", type_name(other)))),
    };
    match object.get("jsonrpc") {
        Some(Value::String(v)) if v == "2.0" => {}
        Some(other) => return Err(FrameError::WrongVersion(format!("\"jsonrpc\" is {other}, not \"2.0\""))),
        None => return Err(FrameError::WrongVersion("no \"jsonrpc\" member".into())),
    }
    let id = object.get("id");
    if let Some(id) = id {
        if !matches!(id, Value::String(_) | Value::Number(_) | Value::Null) {
            return Err(not_rpc(format!("the id is a JSON {}", type_name(id))));
        }
    }
    let params = object.get("params").cloned();
    if let Some(method) = object.get("method") {
        let Value::String(method) = method else {
            return Err(not_rpc("\"method\" is not a string".into()));
        };
        if object.contains_key("result") || object.contains_key("error") {
            return Err(not_rpc("a method together with a result or error".into()));
        }
        let method = method.clone();
        return Ok(match id {
            Some(id) => Message::Request { id: id.clone(), method, params },
            None => Message::Notification { method, params },
        });
    }
    match (object.get("result"), object.get("error")) {
        (Some(result), None) => {
            let id = id.cloned().ok_or_else(|| not_rpc("a result without an id".into()))?;
            Ok(Message::Result { id, result: result.clone() })
        }
        // An error may leave the id out when the request's could not be read
        // (allowed by the schemas from 2025-11-25; older ones say so by schema check).
        (None, Some(error)) => Ok(Message::Error { id: id.cloned().unwrap_or(Value::Null), error: error.clone() }),
        (Some(_), Some(_)) => Err(not_rpc("both \"result\" and \"error\"".into())),
        (None, None) => Err(not_rpc("a response with neither \"result\" nor \"error\"".into())),
    }
}

fn not_rpc(reason: String) -> FrameError {
    FrameError::NotJsonRpc(reason)
}

/// The JSON type of a value, in words.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Build a request.
pub fn request(id: &Id, method: &str, params: Option<Value>) -> Value {
    let mut object = Map::new();
    object.insert("jsonrpc".into(), "2.0".into());
    object.insert("id".into(), id.clone());
    object.insert("method".into(), method.into());
    if let Some(params) = params {
        object.insert("params".into(), params);
    }
    Value::Object(object)
}

/// Build a notification.
pub fn notification(method: &str, params: Option<Value>) -> Value {
    let mut object = Map::new();
    object.insert("jsonrpc".into(), "2.0".into());
    object.insert("method".into(), method.into());
    if let Some(params) = params {
        object.insert("params".into(), params);
    }
    Value::Object(object)
}

/// Build a success response.
pub fn result(id: &Id, result: Value) -> Value {
    serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// Build an error response.
pub fn error(id: &Id, code: i64, message: &str) -> Value {
    serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// Serialize a message back to the bytes of a frame (without a line ending).
pub fn to_bytes(message: &Message) -> Vec<u8> {
    let value = match message {
        Message::Request { id, method, params } => request(id, method, params.clone()),
        Message::Notification { method, params } => notification(method, params.clone()),
        Message::Result { id, result: r } => result(id, r.clone()),
        Message::Error { id, error } => serde_json::json!({ "jsonrpc": "2.0", "id": id, "error": error }),
    };
    // Serializing a `Value` cannot fail: its keys are strings.
    serde_json::to_vec(&value).unwrap_or_default()
}

#[cfg(test)]
mod tests;
