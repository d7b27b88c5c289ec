//! The small subset of JSON Schema the fixture tools use, enough to check
//! tool arguments against the very schemas the server publishes.
//!
//! Supported keywords: `type` (a name or a list), `properties`, `required`,
//! `additionalProperties` (boolean or schema), `items`, `enum`, `const`,
//! `minimum`, `maximum`, `minLength`, `maxLength`; `title`, `description`,
//! `default`, `$schema` and `x-mcp-header` (2026-07-28 mirrored headers)
//! are annotations and ignored. The published
//! schemas are dialect-neutral: they mean the same under draft-07 (the
//! default before 2025-11-25) and 2020-12 (the default since). A schema
//! using any other keyword is refused by [`check_supported`], which the
//! tests run over every fixture so the two can never drift apart.
//!
//! This is not a general validator and must not become one: the harness
//! uses a real one, and the point of the reference server is to be small
//! enough to be obviously right.

use serde_json::{Map, Value};

const KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "title",
    "description",
    "default",
    "$schema",
    "x-mcp-header",
];

const TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "string", "integer"];

/// Checks `instance` against `schema`; the error names the failing path.
pub fn validate(schema: &Value, instance: &Value) -> Result<(), String> {
    validate_at(schema, instance, "")
}

fn describe(path: &str) -> &str {
    if path.is_empty() {
        "the arguments"
    } else {
        path
    }
}

fn type_matches(name: &str, v: &Value) -> bool {
    match name {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
            _ => false,
        },
        _ => false,
    }
}

fn validate_at(schema: &Value, instance: &Value, path: &str) -> Result<(), String> {
    let schema = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{} is not allowed", describe(path))),
        Value::Object(s) => s,
        _ => return Err(format!("schema at {} is not a schema", describe(path))),
    };
    if let Some(t) = schema.get("type") {
        let ok = match t {
            Value::String(name) => type_matches(name, instance),
            Value::Array(names) => names.iter().filter_map(Value::as_str).any(|n| type_matches(n, instance)),
            _ => false,
        };
        if !ok {
            return Err(format!("{} must be of type {}", describe(path), t));
        }
    }
    if let Some(Value::Array(options)) = schema.get("enum") {
        if !options.contains(instance) {
            return Err(format!("{} must be one of {}", describe(path), Value::Array(options.clone())));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != instance {
            return Err(format!("{} must equal {}", describe(path), c));
        }
    }
    if let Some(x) = instance.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
            if x < min {
                return Err(format!("{} must be at least {}", describe(path), min));
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
            if x > max {
                return Err(format!("{} must be at most {}", describe(path), max));
            }
        }
    }
    if let Value::String(s) = instance {
        let len = s.chars().count() as u64;
        if schema.get("minLength").and_then(Value::as_u64).is_some_and(|m| len < m) {
            return Err(format!("{} is too short", describe(path)));
        }
        if schema.get("maxLength").and_then(Value::as_u64).is_some_and(|m| len > m) {
            return Err(format!("{} is too long", describe(path)));
        }
    }
    if let Value::Object(obj) = instance {
        validate_object(schema, obj, path)?;
    }
    if let (Value::Array(items), Some(item_schema)) = (instance, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate_at(item_schema, item, &format!("{path}/{i}"))?;
        }
    }
    Ok(())
}

fn validate_object(schema: &Map<String, Value>, obj: &Map<String, Value>, path: &str) -> Result<(), String> {
    if let Some(Value::Array(required)) = schema.get("required") {
        for key in required.iter().filter_map(Value::as_str) {
            if !obj.contains_key(key) {
                return Err(format!("{} lacks the required property \"{key}\"", describe(path)));
            }
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (key, value) in obj {
        let child = format!("{path}/{key}");
        match properties.and_then(|p| p.get(key)) {
            Some(prop_schema) => validate_at(prop_schema, value, &child)?,
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    return Err(format!("{} has the unexpected property \"{key}\"", describe(path)))
                }
                Some(extra) => validate_at(extra, value, &child)?,
                None => {}
            },
        }
    }
    Ok(())
}

/// Refuses schemas that use keywords outside the supported subset or that
/// are malformed (e.g. an unknown `type` name). Used by tests to keep the
/// published schemas and [`validate`] in step.
pub fn check_supported(schema: &Value) -> Result<(), String> {
    let obj = match schema {
        Value::Bool(_) => return Ok(()),
        Value::Object(o) => o,
        other => return Err(format!("{other} is not a schema")),
    };
    for (key, value) in obj {
        if !KEYWORDS.contains(&key.as_str()) {
            return Err(format!("unsupported keyword \"{key}\""));
        }
        match key.as_str() {
            "type" => {
                let names: Vec<&Value> = match value {
                    Value::Array(a) => a.iter().collect(),
                    v => vec![v],
                };
                for n in names {
                    if !n.as_str().is_some_and(|n| TYPES.contains(&n)) {
                        return Err(format!("{n} is not a JSON Schema type"));
                    }
                }
            }
            "properties" => {
                let props = value.as_object().ok_or("\"properties\" must be an object")?;
                for sub in props.values() {
                    check_supported(sub)?;
                }
            }
            "additionalProperties" | "items" => check_supported(value)?,
            "required" if !value.as_array().is_some_and(|a| a.iter().all(Value::is_string)) => {
                return Err("\"required\" must be an array of strings".into());
            }
            "enum" if !value.is_array() => return Err("\"enum\" must be an array".into()),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn objects() {
        let s = json!({"type": "object", "properties": {"a": {"type": "number"}}, "required": ["a"], "additionalProperties": false});
        assert!(validate(&s, &json!({"a": 1})).is_ok());
        assert!(validate(&s, &json!({"a": 1.5})).is_ok());
        assert!(validate(&s, &json!({})).unwrap_err().contains("required"));
        assert!(validate(&s, &json!({"a": "x"})).unwrap_err().contains("/a"));
        assert!(validate(&s, &json!({"a": 1, "b": 2})).unwrap_err().contains("unexpected"));
        assert!(validate(&s, &json!([])).is_err());
    }

    #[test]
    fn scalars() {
        assert!(validate(&json!({"type": "integer"}), &json!(3.0)).is_ok());
        assert!(validate(&json!({"type": "integer"}), &json!(3.5)).is_err());
        assert!(validate(&json!({"type": ["string", "null"]}), &Value::Null).is_ok());
        assert!(validate(&json!({"enum": [1, 2]}), &json!(3)).is_err());
        assert!(validate(&json!({"minimum": 0}), &json!(-1)).is_err());
        assert!(validate(&json!({"maxLength": 2}), &json!("abc")).is_err());
        assert!(validate(&json!({"items": {"type": "string"}}), &json!(["a", 1])).is_err());
        assert!(validate(&json!(false), &json!(1)).is_err());
    }

    #[test]
    fn supported_subset() {
        assert!(check_supported(&json!({"type": "object", "properties": {"x": {"type": "string"}}})).is_ok());
        assert!(check_supported(&json!({"type": "strnig"})).is_err());
        assert!(check_supported(&json!({"oneOf": []})).is_err());
        assert!(check_supported(&json!({"required": "x"})).is_err());
    }
}
