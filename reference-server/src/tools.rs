//! The fixture tools, and how each protocol version sees them.
//!
//! | tool   | arguments                    | result |
//! | ------ | ---------------------------- | ------ |
//! | `echo` | `{message: string}`          | one text block holding `message` |
//! | `add`  | `{a: number, b: number}`     | `structuredContent {sum}` (2025-06-18+) plus the same JSON as text (TOOLS-009); before 2025-06-18 only the text |
//! | `fail` | `{}` (no arguments)          | always a result with `isError: true` |
//! | `ask`  | `{}` (no arguments)          | asks the client for roots, a sampled message and a form, as far as it declared the capabilities, and returns a text summary of the answers (see [`crate::ask`]) |
//!
//! All four are annotated `readOnlyHint: true`, `openWorldHint: false`
//! (annotations exist since 2025-03-26); `add` declares an `outputSchema`
//! (since 2025-06-18). Every `inputSchema` is an object schema with
//! `additionalProperties: false`, valid under both draft-07 and 2020-12.
//!
//! Argument errors: since 2025-11-25 (and in 2026-07-28) arguments that fail
//! the `inputSchema` come back as a tool execution error (`isError: true`,
//! TOOLS-011); in earlier versions as JSON-RPC -32602, which those versions'
//! `tools.mdx` list under protocol errors. An unknown tool name is -32602 in
//! every version (TOOLS-012).
//!
//! Tools are listed in a fixed order (TOOLS-004) on a single page.
//!
//! [`call`] answers the first three at once; for `ask`, whose answer depends
//! on the era and on the client, it returns [`Call::Ask`] once the arguments
//! are checked, and the dispatcher runs [`crate::ask`].

use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::json_schema;
use crate::protocol::{ProtocolVersion, RpcError};

/// What running a tool produced, before it is shaped for a version.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Plain text.
    Text(String),
    /// A structured value (also rendered as JSON text).
    Structured(Value),
    /// A tool execution error (`isError: true`).
    Failure(String),
}

/// Runs a tool that answers at once.
type Runner = fn(&Map<String, Value>) -> Output;

/// One fixture tool.
struct Fixture {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    input_schema: fn() -> Value,
    output_schema: Option<fn() -> Value>,
    /// `None` for `ask`, which the dispatcher runs (it needs the client).
    run: Option<Runner>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "echo",
        title: "Echo",
        description: "Returns the given message unchanged as text.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {"message": {"type": "string", "description": "Text to send back"}},
                "required": ["message"],
                "additionalProperties": false
            })
        },
        output_schema: None,
        run: Some(|args| Output::Text(args.get("message").and_then(Value::as_str).unwrap_or_default().to_owned())),
    },
    Fixture {
        name: "add",
        title: "Add",
        description: "Adds two numbers; returns {\"sum\": a + b} as structured content and as JSON text.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "number", "description": "First addend"},
                    "b": {"type": "number", "description": "Second addend"}
                },
                "required": ["a", "b"],
                "additionalProperties": false
            })
        },
        output_schema: Some(|| {
            json!({
                "type": "object",
                "properties": {"sum": {"type": "number"}},
                "required": ["sum"],
                "additionalProperties": false
            })
        }),
        run: Some(run_add),
    },
    Fixture {
        name: "fail",
        title: "Fail",
        description: "Always fails: returns a tool execution error (isError: true).",
        input_schema: || json!({"type": "object", "additionalProperties": false}),
        output_schema: None,
        run: Some(|_| Output::Failure("The fail tool always fails; this error is intentional.".into())),
    },
    Fixture {
        name: crate::ask::TOOL_NAME,
        title: "Ask",
        description: "Asks the client for input: roots/list, sampling/createMessage and elicitation/create (a form), \
each only if the client declared the capability; returns a text summary of the answers.",
        input_schema: || json!({"type": "object", "additionalProperties": false}),
        output_schema: None,
        run: None,
    },
];

fn run_add(args: &Map<String, Value>) -> Output {
    let a = args.get("a");
    let b = args.get("b");
    // Integers stay integers so that 1 + 2 reads as 3, not 3.0.
    if let (Some(x), Some(y)) = (a.and_then(Value::as_i64), b.and_then(Value::as_i64)) {
        if let Some(sum) = x.checked_add(y) {
            return Output::Structured(json!({ "sum": sum }));
        }
    }
    let sum = a.and_then(Value::as_f64).unwrap_or(0.0) + b.and_then(Value::as_f64).unwrap_or(0.0);
    if sum.is_finite() {
        Output::Structured(json!({ "sum": sum }))
    } else {
        // JSON has no infinity: report it rather than emit `null`.
        Output::Failure("The sum is too large to represent as a JSON number.".into())
    }
}

fn annotations() -> Value {
    json!({"readOnlyHint": true, "openWorldHint": false})
}

/// The `tools/list` entries as `version` defines them.
pub fn list(version: ProtocolVersion, faults: FaultSet) -> Vec<Value> {
    FIXTURES.iter().map(|f| describe(f, version, faults)).collect()
}

fn describe(f: &Fixture, version: ProtocolVersion, faults: FaultSet) -> Value {
    let mut tool = Map::new();
    if !(faults.contains(Fault::ToolsListInvalid) && f.name == "fail") {
        tool.insert("name".into(), json!(f.name));
    }
    if version.has_titles() {
        tool.insert("title".into(), json!(f.title));
    }
    tool.insert("description".into(), json!(f.description));
    let mut input_schema = (f.input_schema)();
    if faults.contains(Fault::ToolInputSchemaInvalid) && f.name == "echo" {
        if let Some(t) = input_schema.pointer_mut("/properties/message/type") {
            *t = json!("strnig");
        }
    }
    tool.insert("inputSchema".into(), input_schema);
    if version.has_structured_output() {
        if let Some(schema) = f.output_schema {
            tool.insert("outputSchema".into(), schema());
        }
    }
    if version.has_tool_annotations() {
        tool.insert("annotations".into(), annotations());
    }
    Value::Object(tool)
}

/// What [`call`] came to.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    /// The `CallToolResult`.
    Done(Value),
    /// The `ask` tool, with valid arguments: the dispatcher runs it for its era.
    Ask,
}

/// Runs `tools/call` with its `params` and returns the `CallToolResult`
/// (without the 2026-07-28 `resultType`/`_meta` decoration, which the
/// dispatcher adds), or [`Call::Ask`].
pub fn call(version: ProtocolVersion, faults: FaultSet, params: &Map<String, Value>) -> Result<Call, RpcError> {
    let name = match params.get("name") {
        Some(Value::String(n)) => n.as_str(),
        Some(_) => return Err(RpcError::invalid_params("tools/call \"name\" must be a string")),
        None => return Err(RpcError::invalid_params("tools/call needs a \"name\"")),
    };
    let empty = Map::new();
    let args = match params.get("arguments") {
        None => &empty,
        Some(Value::Object(a)) => a,
        Some(_) => return Err(RpcError::invalid_params("tools/call \"arguments\" must be an object")),
    };
    let Some(fixture) = FIXTURES.iter().find(|f| f.name == name) else {
        return Err(RpcError::invalid_params(format!("Unknown tool: {name}")));
    };
    let output = match json_schema::validate(&(fixture.input_schema)(), &Value::Object(args.clone())) {
        Ok(()) => match fixture.run {
            Some(run) => run(args),
            None => return Ok(Call::Ask),
        },
        Err(problem) => {
            let message = format!("Invalid arguments for tool {name}: {problem}");
            if version.reports_invalid_arguments_as_tool_errors() {
                Output::Failure(message)
            } else {
                return Err(RpcError::invalid_params(message));
            }
        }
    };
    Ok(Call::Done(shape_result(version, faults, output)))
}

fn text_block(text: impl Into<String>) -> Value {
    json!({"type": "text", "text": text.into()})
}

/// The `CallToolResult` for `output` as `version` defines it (with the
/// `call-result-invalid` fault applied).
pub fn shape_result(version: ProtocolVersion, faults: FaultSet, output: Output) -> Value {
    let mut result = Map::new();
    match output {
        Output::Text(text) => {
            result.insert("content".into(), json!([text_block(text)]));
        }
        Output::Structured(mut value) => {
            if faults.contains(Fault::StructuredContentMismatch) {
                // The outputSchema says `sum` is a number; a string breaks it.
                let wrong = value.get("sum").map(|s| s.to_string()).unwrap_or_default();
                value = json!({ "sum": wrong });
            }
            result.insert("content".into(), json!([text_block(value.to_string())]));
            if version.has_structured_output() {
                result.insert("structuredContent".into(), value);
            }
        }
        Output::Failure(text) => {
            result.insert("content".into(), json!([text_block(text)]));
            result.insert("isError".into(), json!(true));
        }
    }
    if faults.contains(Fault::CallResultInvalid) {
        if let Some(Value::Array(content)) = result.get_mut("content") {
            content.push(json!({"type": "hologram", "data": "aGVsbG8="}));
        }
    }
    Value::Object(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    /// `call` for the tools that answer at once.
    fn call(version: ProtocolVersion, faults: FaultSet, params: &Map<String, Value>) -> Result<Value, RpcError> {
        super::call(version, faults, params).map(|c| match c {
            Call::Done(v) => v,
            Call::Ask => panic!("ask is run by the dispatcher"),
        })
    }

    #[test]
    fn published_schemas_stay_in_the_validated_subset() {
        for f in FIXTURES {
            let input = (f.input_schema)();
            json_schema::check_supported(&input).unwrap();
            assert_eq!(input["type"], "object", "{}", f.name);
            if let Some(o) = f.output_schema {
                json_schema::check_supported(&o()).unwrap();
            }
        }
    }

    #[test]
    fn invalid_schema_fault_is_really_invalid() {
        let tools = list(ProtocolVersion::V2026_07_28, FaultSet::only(Fault::ToolInputSchemaInvalid));
        assert!(json_schema::check_supported(&tools[0]["inputSchema"]).is_err());
        // ...while calls still validate against the real schema.
        let r = call(
            ProtocolVersion::V2026_07_28,
            FaultSet::only(Fault::ToolInputSchemaInvalid),
            &params(json!({"name": "echo", "arguments": {"message": "hi"}})),
        )
        .unwrap();
        assert_eq!(r["content"][0]["text"], "hi");
    }

    #[test]
    fn listing_follows_the_version() {
        let old = list(ProtocolVersion::V2024_11_05, FaultSet::NONE);
        assert_eq!(old.len(), 4);
        for t in &old {
            let keys: Vec<_> = t.as_object().unwrap().keys().cloned().collect();
            assert_eq!(keys, ["name", "description", "inputSchema"]);
        }
        let mid = list(ProtocolVersion::V2025_03_26, FaultSet::NONE);
        assert!(mid[0].get("annotations").is_some());
        assert!(mid[1].get("outputSchema").is_none());
        assert!(mid[0].get("title").is_none());
        let new = list(ProtocolVersion::V2025_06_18, FaultSet::NONE);
        assert!(new[1].get("outputSchema").is_some());
        assert_eq!(new[0]["title"], "Echo");
        let names: Vec<_> = new.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["echo", "add", "fail", "ask"]);
        assert_eq!(new[3]["annotations"]["readOnlyHint"], true);
    }

    #[test]
    fn ask_is_handed_to_the_dispatcher_after_its_arguments_are_checked() {
        let ask = params(json!({"name": "ask", "arguments": {}}));
        assert_eq!(super::call(ProtocolVersion::V2024_11_05, FaultSet::NONE, &ask).unwrap(), Call::Ask);
        let bare = params(json!({"name": "ask"}));
        assert_eq!(super::call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &bare).unwrap(), Call::Ask);
        let extra = params(json!({"name": "ask", "arguments": {"x": 1}}));
        assert_eq!(super::call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &extra).unwrap_err().code, code::INVALID_PARAMS);
        let r = call(ProtocolVersion::V2025_11_25, FaultSet::NONE, &extra).unwrap();
        assert_eq!(r["isError"], true);
    }

    #[test]
    fn add_is_structured_from_2025_06_18() {
        let p = params(json!({"name": "add", "arguments": {"a": 1, "b": 2}}));
        let old = call(ProtocolVersion::V2025_03_26, FaultSet::NONE, &p).unwrap();
        assert_eq!(old, json!({"content": [{"type": "text", "text": "{\"sum\":3}"}]}));
        let new = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &p).unwrap();
        assert_eq!(new["structuredContent"], json!({"sum": 3}));
        assert_eq!(new["content"][0]["text"], "{\"sum\":3}");
        let out = (FIXTURES[1].output_schema.unwrap())();
        json_schema::validate(&out, &new["structuredContent"]).unwrap();
        let floats = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &params(json!({"name": "add", "arguments": {"a": 0.5, "b": 0.25}}))).unwrap();
        assert_eq!(floats["structuredContent"]["sum"], 0.75);
    }

    #[test]
    fn add_overflow_is_a_tool_error_not_null() {
        let p = params(json!({"name": "add", "arguments": {"a": 1e308, "b": 1e308}}));
        let r = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &p).unwrap();
        assert_eq!(r["isError"], true);
        assert!(r.get("structuredContent").is_none());
    }

    #[test]
    fn structured_mismatch_fault_breaks_the_output_schema() {
        let p = params(json!({"name": "add", "arguments": {"a": 1, "b": 2}}));
        let r = call(ProtocolVersion::V2025_06_18, FaultSet::only(Fault::StructuredContentMismatch), &p).unwrap();
        let out = (FIXTURES[1].output_schema.unwrap())();
        assert!(json_schema::validate(&out, &r["structuredContent"]).is_err());
        assert_eq!(r["content"][0]["text"], r["structuredContent"].to_string());
    }

    #[test]
    fn argument_errors_depend_on_version() {
        let p = params(json!({"name": "echo", "arguments": {"message": 5}}));
        let e = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &p).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
        let r = call(ProtocolVersion::V2025_11_25, FaultSet::NONE, &p).unwrap();
        assert_eq!(r["isError"], true);
        let missing = params(json!({"name": "add", "arguments": {"a": 1}}));
        assert_eq!(call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &missing).unwrap()["isError"], true);
    }

    #[test]
    fn protocol_errors() {
        for bad in [
            json!({"name": "nope"}),
            json!({}),
            json!({"name": 3}),
            json!({"name": "echo", "arguments": [1]}),
        ] {
            let e = call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &params(bad)).unwrap_err();
            assert_eq!(e.code, code::INVALID_PARAMS);
        }
    }

    #[test]
    fn fail_and_invalid_result_fault() {
        let p = params(json!({"name": "fail"}));
        let r = call(ProtocolVersion::V2024_11_05, FaultSet::NONE, &p).unwrap();
        assert_eq!(r["isError"], true);
        let r = call(ProtocolVersion::V2024_11_05, FaultSet::only(Fault::CallResultInvalid), &p).unwrap();
        assert_eq!(r["content"][1]["type"], "hologram");
    }
}
