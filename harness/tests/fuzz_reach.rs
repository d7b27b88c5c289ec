//! Do the fuzzer's tool arguments reach every part of each tool's
//! `inputSchema`? Over many generated inputs, for the reference server's
//! tools with arguments (and the two elicitation forms it asks with, which
//! have enums and `oneOf` constants, offered here as tool schemas), plus one
//! schema made here for the keywords those lack (formats, string lengths,
//! exclusive bounds), this measures:
//!
//! - valid arguments: every one valid; every property present somewhere;
//!   every enum value and constant chosen; every numeric bound and string
//!   length bound hit exactly; free strings mostly distinct;
//! - invalid arguments: every one invalid, in exactly one place (every error
//!   at one instance path); every property given the wrong type; every
//!   required property dropped; an unknown property where none is allowed;
//!   every enum, bound and format broken.

use std::collections::{BTreeMap, BTreeSet};

use mcp_conform::check::CallTools;
use mcp_conform::fuzz::generator::{Generator, Mix};
use mcp_conform::fuzz::surface::{Surface, Tool};
use mcp_conform::transport::Kind;
use mcp_reference_server::conformance_fixtures::Form;
use mcp_reference_server::{tools, FaultSet, ProtocolVersion};
use serde_json::{json, Value};

const VERSION: &str = "2025-11-25";
/// Inputs generated; about a third are tool calls.
const INPUTS: u64 = 24_000;
/// Reference-server tools with arguments.
const REFERENCE_TOOLS: &[&str] = &["echo", "add", "progress", "slow", "toggle", "json_schema_2020_12_tool"];

/// A schema made here for what the reference server's schemas lack.
fn keywords_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "site": {"type": "string", "format": "uri"}, "when": {"type": "string", "format": "date-time"},
            "contact": {"type": "string", "format": "email"}, "code": {"type": "string", "minLength": 3, "maxLength": 8},
            "ratio": {"type": "number", "minimum": 0, "maximum": 1},
            "count": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 50},
            "mode": {"type": "string", "enum": ["fast", "safe", "off"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3}
        },
        "required": ["site", "mode"],
        "additionalProperties": false
    })
}

fn schemas() -> Vec<(String, Value)> {
    let listed = tools::list(ProtocolVersion::V2025_11_25, FaultSet::NONE);
    let mut out: Vec<(String, Value)> = REFERENCE_TOOLS
        .iter()
        .map(|name| {
            let tool = listed.iter().find(|t| t["name"] == *name).unwrap_or_else(|| panic!("the reference server lists no {name}"));
            (name.to_string(), tool["inputSchema"].clone())
        })
        .collect();
    out.push(("form_defaults".into(), Form::Defaults.schema()));
    out.push(("form_enums".into(), Form::Enums.schema()));
    out.push(("keywords".into(), keywords_schema()));
    out
}

/// What a schema offers to reach: properties, choices, bounds, formats, each
/// at an instance path (`/*` for every item of an array).
#[derive(Default)]
struct Places {
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
    closed: bool,
    choices: BTreeMap<String, Vec<Value>>,
    /// (path, keyword) → bound.
    bounds: BTreeMap<(String, String), f64>,
    formats: BTreeSet<String>,
    free_strings: BTreeSet<String>,
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(schema),
        None => schema,
    }
}

fn collect(root: &Value, schema: &Value, path: &str, places: &mut Places) {
    let schema = resolve(root, schema);
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        places.choices.insert(path.to_string(), options.clone());
    }
    if let Some(branches) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
        let consts: Vec<Value> = branches.iter().filter_map(|b| b.get("const").cloned()).collect();
        if !consts.is_empty() {
            places.choices.insert(path.to_string(), consts);
        }
    }
    for keyword in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength"] {
        if let Some(bound) = schema.get(keyword).and_then(Value::as_f64) {
            places.bounds.insert((path.to_string(), keyword.to_string()), bound);
        }
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        places.formats.insert(format!("{path} {format}"));
    }
    let is_choice = places.choices.contains_key(path) || schema.get("const").is_some();
    if schema["type"] == "string" && !is_choice && schema.get("format").is_none() && schema.get("pattern").is_none() {
        places.free_strings.insert(path.to_string());
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        if path.is_empty() {
            places.closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            places.required = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
        }
        for (name, child) in properties {
            let child_path = format!("{path}/{name}");
            places.properties.insert(child_path.clone());
            collect(root, child, &child_path, places);
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        collect(root, items, &format!("{path}/*"), places);
    }
}

/// The values at `path` in `instance` (`*` matches every item).
fn at<'a>(instance: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut values = vec![instance];
    for part in path.split('/').skip(1) {
        values = values
            .into_iter()
            .flat_map(|v| match (part, v) {
                ("*", Value::Array(items)) => items.iter().collect::<Vec<_>>(),
                (name, Value::Object(map)) => map.get(name).into_iter().collect(),
                _ => Vec::new(),
            })
            .collect();
    }
    values
}

/// An instance path with indices folded to `*`.
fn fold(path: &str) -> String {
    path.split('/').map(|p| if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) { "*" } else { p }).collect::<Vec<_>>().join("/")
}

fn surface(schemas: &[(String, Value)]) -> Surface {
    let tools = schemas
        .iter()
        .filter_map(|(name, schema)| Tool::from_listing(&json!({ "name": name, "inputSchema": schema }), CallTools::All))
        .collect();
    Surface { version: VERSION.into(), kind: Kind::Stdio, supported_versions: None, capabilities: json!({ "tools": {} }), tools }
}

#[test]
fn tool_arguments_reach_every_place_of_the_input_schema() {
    let schemas = schemas();
    let surface = surface(&schemas);
    let generator = Generator::new(&surface, 7, &[]).with_mix(Mix::WellFormed);
    let mut valid: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut invalid: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for iteration in 0..INPUTS {
        let input = generator.input(iteration);
        let Some((kind, tool)) = input.label.strip_prefix("tool/").and_then(|l| l.split_once(' ')) else { continue };
        let message: Value = serde_json::from_slice(&input.frames[0].bytes).expect("a tool call is JSON");
        let arguments = message["params"]["arguments"].clone();
        let bucket = if kind == "valid" { &mut valid } else { &mut invalid };
        bucket.entry(tool.to_string()).or_default().push(arguments);
    }
    let mut missing: Vec<String> = Vec::new();
    for (name, schema) in &schemas {
        let validator = jsonschema::options().should_validate_formats(true).build(schema).expect("the schema compiles");
        let mut places = Places::default();
        collect(schema, schema, "", &mut places);
        let valid = valid.get(name).map(Vec::as_slice).unwrap_or_default();
        let invalid = invalid.get(name).map(Vec::as_slice).unwrap_or_default();
        assert!(valid.len() >= 100 && invalid.len() >= 100, "{name}: {} valid and {} invalid calls", valid.len(), invalid.len());
        let mut miss = |what: String| missing.push(format!("{name}: {what}"));

        // Valid arguments.
        for arguments in valid {
            let errors: Vec<String> = validator.iter_errors(arguments).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name}: generated as valid but {errors:?}: {arguments}");
        }
        for property in &places.properties {
            if !valid.iter().any(|a| !at(a, property).is_empty()) {
                miss(format!("no valid call has {property}"));
            }
        }
        for (path, options) in &places.choices {
            for option in options {
                if !valid.iter().any(|a| at(a, path).contains(&option)) {
                    miss(format!("no valid call chose {option} at {path}"));
                }
            }
        }
        for ((path, keyword), bound) in &places.bounds {
            let hit = |v: &Value| match keyword.as_str() {
                "minimum" | "maximum" => v.as_f64() == Some(*bound),
                // The nearest integers inside an exclusive bound.
                "exclusiveMinimum" => v.as_f64() == Some(bound + 1.0),
                "exclusiveMaximum" => v.as_f64() == Some(bound - 1.0),
                _ => v.as_str().is_some_and(|s| s.chars().count() as f64 == *bound),
            };
            if !valid.iter().any(|a| at(a, path).into_iter().any(hit)) {
                miss(format!("no valid call is at {keyword} {bound} at {path}"));
            }
        }
        for path in &places.free_strings {
            let values: Vec<&Value> = valid.iter().flat_map(|a| at(a, path)).collect();
            let distinct: BTreeSet<String> = values.iter().map(|v| v.to_string()).collect();
            if values.len() < 20 || distinct.len() * 2 < values.len() {
                miss(format!("{path}: {} distinct strings in {} valid calls", distinct.len(), values.len()));
            }
        }

        // Invalid arguments: (folded instance path, keyword) of their errors.
        let mut broken: BTreeSet<(String, String)> = BTreeSet::new();
        for arguments in invalid {
            let errors: Vec<_> = validator.iter_errors(arguments).collect();
            assert!(!errors.is_empty(), "{name}: generated as invalid but valid: {arguments}");
            let paths: BTreeSet<String> = errors.iter().map(|e| e.instance_path().to_string()).collect();
            assert_eq!(paths.len(), 1, "{name}: invalid in more than one place ({paths:?}): {arguments}");
            for error in &errors {
                let keyword = error.kind().keyword().to_string();
                broken.insert((fold(&error.instance_path().to_string()), keyword.clone()));
                if keyword == "required" {
                    for name in places.required.iter().filter(|n| arguments.get(n.as_str()).is_none()) {
                        broken.insert((format!("/{name}"), "required".into()));
                    }
                }
            }
        }
        let mut want: Vec<(String, String)> = places.properties.iter().map(|p| (p.clone(), "type".to_string())).collect();
        want.extend(places.required.iter().map(|n| (format!("/{n}"), "required".to_string())));
        if places.closed {
            want.push((String::new(), "additionalProperties".into()));
        }
        want.extend(places.choices.keys().map(|path| (path.clone(), "enum".to_string())));
        want.extend(places.bounds.keys().cloned());
        want.extend(places.formats.iter().filter_map(|f| f.split_once(' ')).map(|(p, _)| (p.to_string(), "format".to_string())));
        for (path, keyword) in want {
            // A choice among `oneOf` constants is broken when no branch matches.
            let alternatives: &[&str] = if keyword == "enum" { &["const", "oneOf", "anyOf"] } else { &[] };
            let found = broken.contains(&(path.clone(), keyword.clone())) || alternatives.iter().any(|k| broken.contains(&(path.clone(), k.to_string())));
            if !found {
                miss(format!("no invalid call breaks {keyword} at {path:?}"));
            }
        }
    }
    assert!(missing.is_empty(), "unreached:\n{}", missing.join("\n"));
}
