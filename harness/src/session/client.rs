//! The harness as an MCP client: what it declares, and its deterministic
//! answers to the server's own requests (stateful era) and to
//! `input_required` results (stateless era).

use serde_json::{json, Map, Value};

use crate::version::{at_least, era, Era};

/// The name and version the harness gives as `clientInfo`.
pub fn client_info() -> Value {
    json!({ "name": "mcp-conform", "version": env!("CARGO_PKG_VERSION") })
}

/// The client capabilities declared for `version`: everything the harness
/// can answer, so that servers show every behaviour they have.
pub fn capabilities(version: &str) -> Value {
    match era(version) {
        Era::Stateless => json!({ "roots": {}, "sampling": {}, "elicitation": { "form": {} } }),
        Era::Stateful => {
            let mut caps = json!({ "roots": { "listChanged": false }, "sampling": {} });
            if at_least(version, "2025-11-25") {
                caps["elicitation"] = json!({ "form": {} });
            } else if at_least(version, "2025-06-18") {
                caps["elicitation"] = json!({});
            }
            caps
        }
    }
}

/// The root the harness reports for `roots/list`.
pub const ROOT_URI: &str = "file:///mcp-conform/root";

/// Answer a request from the server: the result, or an error code and message.
pub fn answer(version: &str, method: &str, params: Option<&Value>) -> Result<Value, (i64, String)> {
    let params = params.cloned().unwrap_or(Value::Null);
    let result = match method {
        "ping" => json!({}),
        "roots/list" => json!({ "roots": [{ "uri": ROOT_URI, "name": "mcp-conform" }] }),
        "sampling/createMessage" => json!({
            "role": "assistant",
            "content": { "type": "text", "text": "mcp-conform deterministic sample" },
            "model": "mcp-conform",
            "stopReason": "endTurn",
        }),
        "elicitation/create" => elicit(&params),
        _ => return Err((-32601, format!("mcp-conform does not handle `{method}`"))),
    };
    let _ = version;
    Ok(result)
}

/// The id of the `tool_use` block in [`tool_use_answer`].
pub const TOOL_USE_ID: &str = "mcp-conform-tool-use-1";

/// The harness's answer to a sampling request as a model that calls the
/// first tool the request offers: `stopReason: "toolUse"` and one
/// `tool_use` block under [`TOOL_USE_ID`]; `None` when it offers no tools.
pub fn tool_use_answer(params: &Value) -> Option<Value> {
    let tool = params.get("tools").and_then(Value::as_array)?.first()?.get("name")?.as_str()?;
    Some(json!({
        "role": "assistant",
        "content": [{ "type": "tool_use", "id": TOOL_USE_ID, "name": tool, "input": {} }],
        "model": "mcp-conform",
        "stopReason": "toolUse"
    }))
}

/// How the harness answers `elicitation/create`: normally it accepts with
/// valid content; a check may make it refuse, fail, or send content that
/// does not fit the form (S2C-026, S2C-027).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ElicitationAnswer {
    /// Accept with a valid value for every field (URL mode: decline).
    #[default]
    Accept,
    /// `action: "decline"`.
    Decline,
    /// `action: "cancel"`.
    Cancel,
    /// A JSON-RPC error, as from a client that failed (handshake era only).
    Fail,
    /// `action: "accept"` with content of the wrong type in every field.
    NonConforming,
}

/// The error code and message of [`ElicitationAnswer::Fail`].
pub const ELICITATION_FAILURE: (i64, &str) = (-32603, "mcp-conform: the client failed to show the form (simulated)");

/// The harness's answer to an `elicitation/create` with `params`.
pub fn answer_elicitation(how: ElicitationAnswer, params: Option<&Value>) -> Result<Value, (i64, String)> {
    let params = params.cloned().unwrap_or(Value::Null);
    match how {
        ElicitationAnswer::Accept => Ok(elicit(&params)),
        ElicitationAnswer::Decline => Ok(json!({ "action": "decline" })),
        ElicitationAnswer::Cancel => Ok(json!({ "action": "cancel" })),
        ElicitationAnswer::Fail => Err((ELICITATION_FAILURE.0, ELICITATION_FAILURE.1.into())),
        ElicitationAnswer::NonConforming => {
            let properties = params.pointer("/requestedSchema/properties").and_then(Value::as_object);
            let content: Map<String, Value> =
                properties.into_iter().flatten().map(|(name, field)| (name.clone(), wrong_value(field))).collect();
            Ok(json!({ "action": "accept", "content": content }))
        }
    }
}

/// A value of the wrong JSON type for one form field.
fn wrong_value(field: &Value) -> Value {
    match field.get("type").and_then(Value::as_str) {
        Some("string") => json!(42),
        Some("array") => json!(42),
        _ => json!("mcp-conform: not what the form asked for"),
    }
}

/// Accept a form elicitation with a value for every field; decline URL mode,
/// which needs a human.
fn elicit(params: &Value) -> Value {
    if params.get("mode").and_then(Value::as_str) == Some("url") {
        return json!({ "action": "decline" });
    }
    let mut content = Map::new();
    let properties = params.pointer("/requestedSchema/properties").and_then(Value::as_object);
    for (name, field) in properties.into_iter().flatten() {
        content.insert(name.clone(), field_value(field));
    }
    json!({ "action": "accept", "content": content })
}

/// A valid value for one field of an elicitation form (flat primitives only).
fn field_value(field: &Value) -> Value {
    if let Some(default) = field.get("default") {
        return default.clone();
    }
    let first_option = |schema: &Value| -> Option<Value> {
        schema.get("enum").and_then(|e| e.get(0)).cloned().or_else(|| {
            ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k)?.get(0)?.get("const").cloned())
        })
    };
    match field.get("type").and_then(Value::as_str) {
        Some("boolean") => json!(false),
        Some("integer") => field.get("minimum").and_then(Value::as_i64).map_or(json!(0), Value::from),
        Some("number") => field.get("minimum").cloned().unwrap_or(json!(0)),
        Some("array") => {
            let items = field.get("items").cloned().unwrap_or(Value::Null);
            Value::Array(first_option(&items).into_iter().collect())
        }
        _ => first_option(field).unwrap_or_else(|| {
            let min = field.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            match field.get("format").and_then(Value::as_str) {
                Some("email") => json!("conform@example.com"),
                Some("uri") => json!("https://example.com/mcp-conform"),
                Some("date") => json!("2026-01-01"),
                Some("date-time") => json!("2026-01-01T00:00:00Z"),
                _ => json!(format!("{:x<min$}", "mcp-conform")),
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    /// Every answer the harness gives is valid in every version that has the method.
    #[test]
    fn answers_are_schema_valid_in_every_version() {
        let form = json!({
            "message": "details",
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "name": { "type": "string", "minLength": 20 },
                    "age": { "type": "integer", "minimum": 18 },
                    "ok": { "type": "boolean" },
                    "color": { "type": "string", "enum": ["red", "green"] },
                },
            },
        });
        let checks = [
            ("roots/list", Value::Null, "ListRootsResult"),
            ("sampling/createMessage", Value::Null, "CreateMessageResult"),
            ("elicitation/create", form, "ElicitResult"),
            ("ping", Value::Null, "EmptyResult"),
        ];
        for version in schema::bundle().versions() {
            let bundle = schema::bundle().version(version).expect("version in bundle");
            assert!(bundle.validate("ClientCapabilities", &capabilities(version)).is_ok(), "{version} capabilities");
            for (method, params, definition) in &checks {
                // 2026-07-28 has no ping (its EmptyResult would need a resultType).
                let stateless = crate::version::era(version) == crate::version::Era::Stateless;
                if !bundle.has(definition) || (*method == "ping" && stateless) {
                    continue;
                }
                let result = answer(version, method, Some(params)).expect(method);
                assert_eq!(bundle.validate(definition, &result), Ok(()), "{version} {method}: {result}");
            }
        }
    }

    /// The tool-calling answer is a valid sampling result where tools in sampling exist.
    #[test]
    fn the_tool_use_answer_is_schema_valid() {
        let answer = tool_use_answer(&json!({ "tools": [{ "name": "get_weather" }] })).expect("a tool");
        assert_eq!(answer["content"][0]["name"], "get_weather");
        assert_eq!(answer["stopReason"], "toolUse");
        assert!(tool_use_answer(&json!({ "messages": [] })).is_none());
        for version in ["2025-11-25", "2026-07-28"] {
            let bundle = schema::bundle().version(version).expect("version in bundle");
            assert_eq!(bundle.validate("CreateMessageResult", &answer), Ok(()), "{version}");
        }
    }

    #[test]
    fn unknown_requests_get_method_not_found() {
        assert_eq!(answer("2025-06-18", "tools/list", None).map_err(|e| e.0), Err(-32601));
    }
}
