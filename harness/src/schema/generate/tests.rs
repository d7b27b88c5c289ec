use serde_json::{json, Value};

use super::*;
use crate::schema::published;

/// Schemas of the kind servers hand-write for their tools.
fn tool_schemas() -> Vec<Value> {
    vec![
        json!({
            "type": "object",
            "properties": {
                "path": { "type": "string", "minLength": 1 },
                "mode": { "type": "string", "enum": ["read", "write"] },
                "count": { "type": "integer", "minimum": 1, "maximum": 10 },
                "ratio": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
                "verbose": { "type": "boolean" }
            },
            "required": ["path", "mode"],
            "additionalProperties": false
        }),
        json!({
            "type": "object",
            "properties": {
                "url": { "type": "string", "format": "uri" },
                "when": { "type": "string", "format": "date-time" },
                "day": { "type": "string", "format": "date" },
                "email": { "type": "string", "format": "email" },
                "id": { "type": "string", "format": "uuid" },
                "code": { "type": "string", "pattern": "^[A-Z]{3}$" },
                "zip": { "type": "string", "pattern": "^[0-9]+$", "maxLength": 5 },
                "short": { "type": "string", "maxLength": 3 }
            },
            "required": ["url", "when", "code", "zip"]
        }),
        json!({
            "type": "object",
            "properties": {
                "tags": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 3, "uniqueItems": true },
                "points": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": { "x": { "type": "number" }, "y": { "type": "number" } },
                        "required": ["x", "y"],
                        "additionalProperties": false
                    }
                },
                "even": { "type": "integer", "multipleOf": 2, "minimum": -4, "maximum": 4 },
                "nullable": { "type": ["string", "null"] },
                "options": {
                    "type": "object",
                    "properties": { "depth": { "type": "integer", "minimum": 0 } },
                    "required": ["depth"]
                }
            },
            "required": ["tags", "points", "options", "even"]
        }),
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "definitions": {
                "shape": {
                    "oneOf": [
                        { "type": "object", "properties": { "kind": { "const": "circle" }, "r": { "type": "number", "minimum": 0 } }, "required": ["kind", "r"] },
                        { "type": "object", "properties": { "kind": { "const": "square" }, "side": { "type": "number" } }, "required": ["kind", "side"] }
                    ]
                }
            },
            "properties": { "shape": { "$ref": "#/definitions/shape" }, "link": { "type": "string", "format": "uri" } },
            "required": ["shape"]
        }),
        json!({
            "type": "object",
            "$defs": { "node": { "type": "object", "properties": { "value": { "type": "integer" }, "children": { "type": "array", "items": { "$ref": "#/$defs/node" } } }, "required": ["value"] } },
            "properties": { "tree": { "$ref": "#/$defs/node" }, "meta": { "type": "object", "additionalProperties": { "type": "string" } } },
            "required": ["tree"],
            "allOf": [{ "properties": { "extra": { "type": "boolean" } } }, { "required": ["meta"] }]
        }),
    ]
}

fn asserting_formats(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("test schema compiles")
}

#[test]
fn same_seed_same_instance() {
    for schema in tool_schemas() {
        for seed in 0..5 {
            assert_eq!(valid(&schema, &schema, seed), valid(&schema, &schema, seed));
        }
    }
    let schema = &tool_schemas()[0];
    let distinct: std::collections::HashSet<String> = (0..20)
        .filter_map(|seed| valid(schema, schema, seed))
        .map(|v| v.to_string())
        .collect();
    assert!(distinct.len() > 10, "seeds should vary the instances");
}

#[test]
fn valid_instances_of_tool_schemas_are_valid() {
    for schema in tool_schemas() {
        published::check(&schema).expect("test schema is a valid schema");
        // Formats asserted, so generated formats are checked under 2020-12 too.
        let validator = asserting_formats(&schema);
        for seed in 0..60 {
            let instance = valid(&schema, &schema, seed).expect("an instance");
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "seed {seed}: {instance} fails {schema}: {errors:?}"
            );
        }
    }
}

#[test]
fn optional_properties_depend_on_the_seed() {
    let schema = &tool_schemas()[0];
    let none = valid(schema, schema, 0).expect("instance");
    let all = valid(schema, schema, 1).expect("instance");
    assert_eq!(none.as_object().map(|o| o.len()), Some(2), "{none}");
    assert_eq!(all.as_object().map(|o| o.len()), Some(5), "{all}");
}

#[test]
fn mutations_of_tool_schemas_are_invalid() {
    for schema in tool_schemas() {
        // Formats asserted, so that broken formats count as invalid under 2020-12 too.
        let validator = asserting_formats(&schema);
        for seed in 0..12 {
            let instance = valid(&schema, &schema, seed).expect("an instance");
            let variants = mutations(&schema, &schema, &instance);
            assert!(
                variants.len() >= 5,
                "seed {seed}: only {} mutations of {instance}",
                variants.len()
            );
            for m in variants {
                assert!(
                    !validator.is_valid(&m),
                    "seed {seed}: mutation {m} of {instance} is valid"
                );
            }
        }
    }
}

#[test]
fn mutations_cover_each_kind_of_break() {
    let schema = &tool_schemas()[0];
    let instance = json!({ "path": "a", "mode": "read", "count": 3, "ratio": 0.5 });
    let variants = mutations(schema, schema, &instance);
    let has = |v: Value| variants.contains(&v);
    assert!(
        has(json!({ "mode": "read", "count": 3, "ratio": 0.5 })),
        "required dropped"
    );
    assert!(
        has(json!({ "path": "a", "mode": "read-mutant", "count": 3, "ratio": 0.5 })),
        "enum broken"
    );
    assert!(
        has(json!({ "path": "a", "mode": "read", "count": 11, "ratio": 0.5 })),
        "maximum"
    );
    assert!(
        has(json!({ "path": "a", "mode": "read", "count": 3, "ratio": 0 })),
        "exclusive minimum"
    );
    assert!(
        has(json!({ "path": "", "mode": "read", "count": 3, "ratio": 0.5 })),
        "minLength"
    );
    assert!(
        has(json!({ "path": 12345, "mode": "read", "count": 3, "ratio": 0.5 })),
        "wrong type"
    );
    assert!(has(json!("mutant")), "wrong type at the top");
    assert!(
        variants.iter().any(|v| v.get("unexpected").is_some()),
        "additionalProperties false"
    );
}

#[test]
fn alternatives_are_valid_and_reach_every_enum_value() {
    for schema in tool_schemas() {
        let validator = asserting_formats(&schema);
        for seed in 0..6 {
            let instance = valid(&schema, &schema, seed).expect("an instance");
            for a in alternatives(&schema, &schema, &instance) {
                assert!(
                    validator.is_valid(&a),
                    "seed {seed}: alternative {a} of {instance} is invalid"
                );
            }
        }
    }
    let schema = json!({
        "type": "object",
        "properties": { "level": { "enum": ["a", "b", "c", "d"] }, "id": { "type": ["string", "integer", "null"] } },
        "required": ["level", "id"]
    });
    let instance = json!({ "level": "b", "id": "x" });
    let variants = alternatives(&schema, &schema, &instance);
    for level in ["a", "c", "d"] {
        assert!(
            variants.contains(&json!({ "level": level, "id": "x" })),
            "{level}: {variants:?}"
        );
    }
    assert!(variants.iter().any(|v| v["id"].is_i64()), "{variants:?}");
    assert!(variants.iter().any(|v| v["id"].is_null()), "{variants:?}");
    assert_eq!(variants.len(), 5, "{variants:?}");
}

#[test]
fn integer_places_get_a_fraction_as_wrong_type() {
    let schema = json!({ "type": "object", "properties": { "n": { "type": "integer" } } });
    let variants = mutations(&schema, &schema, &json!({ "n": 3 }));
    assert!(variants.contains(&json!({ "n": 1.5 })), "{variants:?}");
}

#[test]
fn recursion_terminates_and_false_schemas_yield_nothing() {
    let schema = json!({
        "$defs": { "v": { "anyOf": [{ "type": "object", "additionalProperties": { "$ref": "#/$defs/v" } }, { "type": "array", "items": { "$ref": "#/$defs/v" } }, { "type": "string" }] } },
        "$ref": "#/$defs/v"
    });
    for seed in 0..50 {
        assert!(valid(&schema, &schema, seed).is_some());
    }
    assert_eq!(valid(&json!(false), &json!(false), 0), None);
    let looping = json!({ "$ref": "#" });
    assert_eq!(valid(&looping, &looping, 0), None);
    assert_eq!(valid(&json!({}), &json!({ "$ref": "#/nowhere" }), 0), None);
    let one_good_branch = json!({ "anyOf": [{ "$ref": "#/nowhere" }, { "type": "integer" }] });
    for seed in 0..4 {
        assert!(valid(&one_good_branch, &one_good_branch, seed).is_some_and(|v| v.is_i64()));
    }
}

#[test]
fn splitmix_is_stable() {
    // Fixed outputs: instances saved as reproducers must regenerate identically.
    let mut rng = Rng::new(0);
    assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(rng.below(0), 0);
}

/// Tool schemas come from servers: absurd sizes must neither hang nor
/// exhaust memory, and absurd numbers must not overflow.
#[test]
fn hostile_bounds_are_survived() {
    let hostile = [
        json!({ "type": "string", "minLength": 1_000_000_000_000u64 }),
        json!({ "type": "array", "minItems": 1_000_000_000_000u64 }),
        json!({ "type": "object", "minProperties": 1_000_000_000_000u64 }),
        json!({ "type": "integer", "multipleOf": 1e300, "minimum": -1e300, "maximum": 1e300 }),
        json!({ "type": "integer", "minimum": 1e300 }),
        json!({ "type": "number", "multipleOf": 1e-300 }),
        json!({ "type": "string", "pattern": "(((a+)+)+)+$", "maxLength": 3 }),
        json!({ "type": "string", "pattern": "[" }),
        json!({ "type": "string", "maxLength": 1_000_000_000_000u64 }),
        json!({ "type": "array", "maxItems": 1_000_000_000_000u64, "items": { "type": "string" } }),
    ];
    for schema in hostile {
        for seed in 0..3 {
            if let Some(v) = valid(&schema, &schema, seed) {
                assert!(
                    v.to_string().len() < 100_000,
                    "{schema}: {} bytes",
                    v.to_string().len()
                );
                for m in mutations(&schema, &schema, &v) {
                    assert!(m.to_string().len() < 100_000, "{schema}");
                }
            }
        }
    }
}

#[test]
fn the_mutation_built_alone_is_the_one_of_the_full_list() {
    // The fuzzer builds only the mutation it draws: each must be the value
    // at that index of the full list, for tool schemas and protocol requests.
    let bundle = crate::schema::bundle();
    let schema = bundle.version("2025-11-25").expect("the 2025-11-25 schema");
    let mut cases: Vec<(Value, Value)> = tool_schemas().into_iter().map(|s| (s.clone(), s)).collect();
    for method in ["initialize", "tools/call", "resources/read", "sampling/createMessage", "completion/complete"] {
        if let Some(definition) = schema.request_definition(method).and_then(|d| schema.definition(d)) {
            cases.push((schema.root().clone(), definition.clone()));
        }
    }
    for (root, definition) in &cases {
        for seed in 0..6 {
            let instance = valid(root, definition, seed).expect("an instance");
            let all = mutations(root, definition, &instance);
            assert!(!all.is_empty(), "no mutation of {instance}");
            for (index, expected) in all.iter().enumerate() {
                let mut asked = None;
                let one = mutation(root, definition, &instance, |n| {
                    asked = Some(n);
                    index
                });
                assert_eq!(asked, Some(all.len()), "the choice is among all of them");
                assert_eq!(one.as_ref(), Some(expected), "mutation {index} of {instance}");
                assert_ne!(expected, &instance, "a mutation differs from the instance");
            }
        }
    }
}
