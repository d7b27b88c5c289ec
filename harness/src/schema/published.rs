//! Schemas that servers publish: a tool's `inputSchema` and `outputSchema`,
//! an elicitation's `requestedSchema`. They come from the server under test,
//! so nothing here may panic or reach the network, whatever they contain.

use jsonschema::{Draft, Validator};
use serde_json::Value;

/// Is `schema` a valid JSON Schema under its `$schema` dialect (2020-12 when
/// it names none)? `Err` says why not: not a schema at all, an unknown
/// dialect, a meta-schema violation, or a `$ref` that would need the network.
pub fn check(schema: &Value) -> Result<(), String> {
    compile(schema).map(|_| ())
}

/// Compiles `schema` for validating instances. Formats follow the dialect's
/// default (asserted up to draft-07, annotations from 2019-09). Remote
/// `$ref`s are an error: nothing is fetched.
pub fn compile(schema: &Value) -> Result<Validator, String> {
    let draft = dialect(schema)?;
    // The crate panics on a meta-schema it cannot resolve; `dialect` has
    // already refused every `$schema` it does not bundle.
    jsonschema::meta::options()
        .validate(schema)
        .map_err(|e| format!("not a valid {} schema: {}", draft_name(draft), e.masked()))?;
    jsonschema::options()
        .with_draft(draft)
        .offline()
        .build(schema)
        .map_err(|e| match remote_ref(schema) {
            Some(reference) => {
                format!("$ref {reference:?} is not local, and remote schemas are never fetched")
            }
            None => format!("cannot compile: {}", e.masked()),
        })
}

/// The draft `schema` declares, or 2020-12 when it declares none.
fn dialect(schema: &Value) -> Result<Draft, String> {
    let object = match schema {
        Value::Bool(_) => return Ok(Draft::Draft202012),
        Value::Object(object) => object,
        other => {
            return Err(format!(
                "a JSON Schema is an object or a boolean, not {}",
                json_type(other)
            ))
        }
    };
    match object.get("$schema") {
        None => Ok(Draft::Draft202012),
        Some(Value::String(uri)) => match Draft::from_schema_uri(uri) {
            Draft::Unknown => Err(format!(
                "unknown dialect {uri:?}: only JSON Schema draft-04, -06, -07, 2019-09 and 2020-12 are known"
            )),
            draft => Ok(draft),
        },
        Some(other) => Err(format!("$schema must be a string, not {}", json_type(other))),
    }
}

/// The first `$ref` that does not start with `#`, for explaining a failed build.
fn remote_ref(schema: &Value) -> Option<&str> {
    match schema {
        Value::Object(map) => map
            .iter()
            .find_map(|(key, value)| match (key.as_str(), value) {
                ("$ref" | "$dynamicRef" | "$recursiveRef", Value::String(r))
                    if !r.starts_with('#') =>
                {
                    Some(r.as_str())
                }
                ("const" | "enum" | "default" | "examples", _) => None,
                _ => remote_ref(value),
            }),
        Value::Array(items) => items.iter().find_map(remote_ref),
        _ => None,
    }
}

fn draft_name(draft: Draft) -> &'static str {
    match draft {
        Draft::Draft4 => "draft-04",
        Draft::Draft6 => "draft-06",
        Draft::Draft7 => "draft-07",
        Draft::Draft201909 => "2019-09",
        _ => "2020-12",
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_typical_tool_schemas() {
        let schema = json!({
            "type": "object",
            "properties": { "path": { "type": "string" }, "n": { "type": "integer", "minimum": 1 } },
            "required": ["path"]
        });
        assert_eq!(check(&schema), Ok(()));
        let v = compile(&schema).expect("compiles");
        assert!(v.is_valid(&json!({ "path": "a", "n": 2 })));
        assert!(!v.is_valid(&json!({ "n": 0 })));
        assert_eq!(check(&json!(true)), Ok(()));
        let draft7 =
            json!({ "$schema": "http://json-schema.org/draft-07/schema#", "type": "string" });
        assert_eq!(check(&draft7), Ok(()));
    }

    #[test]
    fn explains_what_is_wrong() {
        let bad_type = check(&json!({ "type": "strnig" })).unwrap_err();
        assert!(
            bad_type.contains("not a valid 2020-12 schema"),
            "{bad_type}"
        );
        let dialect = check(&json!({ "$schema": "https://example.com/my-meta", "type": "object" }))
            .unwrap_err();
        assert!(dialect.contains("unknown dialect"), "{dialect}");
        let remote = check(&json!({ "$ref": "https://example.com/schema.json" })).unwrap_err();
        assert!(remote.contains("never fetched"), "{remote}");
        let not_schema = check(&json!(42)).unwrap_err();
        assert!(not_schema.contains("not a number"), "{not_schema}");
        let schema_type = check(&json!({ "$schema": 7 })).unwrap_err();
        assert!(schema_type.contains("must be a string"), "{schema_type}");
    }

    #[test]
    fn every_bundled_dialect_is_known() {
        for uri in [
            "http://json-schema.org/draft-04/schema#",
            "http://json-schema.org/draft-06/schema#",
            "http://json-schema.org/draft-07/schema#",
            "https://json-schema.org/draft/2019-09/schema",
            "https://json-schema.org/draft/2020-12/schema",
        ] {
            assert_eq!(
                check(&json!({ "$schema": uri, "type": "object" })),
                Ok(()),
                "{uri}"
            );
        }
    }

    /// Whatever a server sends, the answer is Ok or Err, never a panic.
    #[test]
    fn odd_schemas_get_an_answer() {
        let odd = [
            json!({ "properties": { "a": { "$schema": "https://example.com/meta", "type": "string" } } }),
            json!({ "$id": "https://example.com/root", "$ref": "other.json" }),
            json!({ "$ref": "#/$defs/missing" }),
            json!({ "$dynamicRef": "#meta" }),
            json!({ "type": "string", "pattern": "[" }),
            json!({ "type": "string", "format": "no-such-format" }),
            json!({ "$schema": "https://json-schema.org/draft/2020-12/schema#", "$defs": { "a": { "$ref": "#/$defs/a" } }, "$ref": "#/$defs/a" }),
            json!({ "allOf": [true, false], "not": {} }),
            json!([]),
            json!(null),
        ];
        for schema in odd {
            let _ = check(&schema);
        }
    }

    #[test]
    fn draft_formats_follow_the_dialect() {
        let draft7 =
            json!({ "$schema": "http://json-schema.org/draft-07/schema#", "format": "uri" });
        let v2020 = json!({ "format": "uri" });
        assert!(!compile(&draft7)
            .expect("compiles")
            .is_valid(&json!("not a uri")));
        assert!(compile(&v2020)
            .expect("compiles")
            .is_valid(&json!("not a uri")));
    }
}
