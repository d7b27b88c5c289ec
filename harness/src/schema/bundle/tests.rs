use serde_json::{json, Value};

use super::*;
use crate::schema::embedded_layers;

const VERSIONS: [&str; 5] = [
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];

#[test]
fn embedded_bundle_builds_with_every_version_oldest_first() {
    let bundle = try_bundle().expect("embedded schema files are consistent");
    assert_eq!(bundle.versions().collect::<Vec<_>>(), VERSIONS);
    for v in VERSIONS {
        let schema = bundle.version(v).expect("version present");
        assert_eq!(schema.version(), v);
        assert_eq!(schema.root()["$schema"], layers::DIALECT);
        assert!(schema.definitions().count() > 70, "{v}");
    }
    assert!(bundle.version("1999-01-01").is_none());
}

/// The method tables are written by hand; the schemas say the same thing
/// in the `method` consts. Both ways: every table entry names existing
/// definitions with that const, and every definition with a method const is
/// in the table.
#[test]
fn method_tables_agree_with_the_schemas() {
    for v in VERSIONS {
        let schema = bundle().version(v).expect("version present");
        let table = methods::table(v).expect("table");
        let method_of = |definition: &str| -> Option<String> {
            let def = schema.definition(definition)?;
            def.pointer("/properties/method/const")?
                .as_str()
                .map(str::to_owned)
        };
        for (method, request, result) in table.requests() {
            assert_eq!(
                method_of(request).as_deref(),
                Some(method),
                "{v}: {request}"
            );
            assert!(schema.has(result), "{v}: result {result} of {method}");
            assert_eq!(schema.request_definition(method), Some(request));
            assert_eq!(schema.result_definition(method), Some(result));
        }
        for (method, notification) in table.notifications() {
            assert_eq!(
                method_of(notification).as_deref(),
                Some(method),
                "{v}: {notification}"
            );
            assert_eq!(schema.notification_definition(method), Some(notification));
        }
        for name in schema.definitions() {
            if let Some(method) = method_of(name) {
                let listed = table.request(&method) == Some(name)
                    || table.notification(&method) == Some(name);
                assert!(
                    listed,
                    "{v}: {name} ({method}) is missing from the method table"
                );
            }
        }
    }
}

#[test]
fn method_lookups_per_era() {
    let old = bundle().version("2024-11-05").expect("version");
    assert_eq!(old.result_definition("ping"), Some("EmptyResult"));
    assert_eq!(
        old.request_definition("tools/call"),
        Some("CallToolRequest")
    );
    assert_eq!(old.request_definition("elicitation/create"), None);
    assert_eq!(
        old.notification_definition("notifications/progress"),
        Some("ProgressNotification")
    );
    let new = bundle().version("2026-07-28").expect("version");
    assert_eq!(new.request_definition("initialize"), None);
    assert_eq!(new.result_definition("ping"), None);
    assert_eq!(new.result_definition("tools/list"), Some("ListToolsResult"));
}

#[test]
fn validate_reports_every_violation_with_paths() {
    let schema = bundle().version("2025-06-18").expect("version");
    assert_eq!(
        schema.validate("CallToolResult", &json!({ "content": [] })),
        Ok(())
    );
    let errors = schema
        .validate(
            "CallToolResult",
            &json!({ "content": [{ "type": "text" }], "isError": "yes" }),
        )
        .expect_err("invalid");
    assert_eq!(errors.len(), 2, "{errors:?}");
    let paths: Vec<&str> = errors.iter().map(|e| e.instance_path.as_str()).collect();
    assert!(paths.contains(&"/content/0"), "{paths:?}");
    assert!(paths.contains(&"/isError"), "{paths:?}");
    // The union failure names what the closest branch (TextContent) missed.
    let union = errors
        .iter()
        .find(|e| e.instance_path == "/content/0")
        .expect("union error");
    assert!(
        union.message.contains("\"text\" is a required property"),
        "{}",
        union.message
    );
}

#[test]
fn unknown_definition_is_one_violation() {
    let schema = bundle().version("2025-03-26").expect("version");
    let errors = schema
        .validate("NoSuchThing", &json!({}))
        .expect_err("unknown");
    assert_eq!(errors.len(), 1);
    assert!(errors[0]
        .message
        .contains("no definition named NoSuchThing"));
}

#[test]
fn messages_do_not_repeat_huge_instances() {
    let schema = bundle().version("2025-06-18").expect("version");
    let huge = "x".repeat(100_000);
    let errors = schema
        .validate(
            "CallToolResult",
            &json!({ "content": [{ "type": "text", "text": huge, "annotations": 5 }] }),
        )
        .expect_err("invalid");
    for e in &errors {
        assert!(e.message.len() < 2_000, "{} bytes", e.message.len());
    }
    let errors = schema
        .validate("Implementation", &Value::from(huge))
        .expect_err("invalid");
    assert!(errors[0].message.len() < 2_000);
}

/// The official draft-07 schemas assert `format`, the 2020-12 ones do not;
/// ours must follow each version's draft.
#[test]
fn format_assertion_follows_each_versions_draft() {
    let resource = json!({ "uri": "not a uri", "name": "r" });
    for (v, asserted) in [
        ("2024-11-05", true),
        ("2025-06-18", true),
        ("2025-11-25", false),
        ("2026-07-28", false),
    ] {
        let verdict = bundle()
            .version(v)
            .expect("version")
            .validate("Resource", &resource);
        assert_eq!(verdict.is_err(), asserted, "{v}: {verdict:?}");
    }
}

fn layers_with(index: usize, edit: impl Fn(&mut Value)) -> Vec<String> {
    embedded_layers()
        .iter()
        .enumerate()
        .map(|(i, text)| {
            if i != index {
                return (*text).to_owned();
            }
            let mut layer: Value = serde_json::from_str(text).expect("layer parses");
            edit(&mut layer);
            layer.to_string()
        })
        .collect()
}

fn build(texts: &[String]) -> Result<SchemaBundle, BundleError> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    SchemaBundle::from_layers(&refs)
}

#[test]
fn loader_rejects_inconsistent_layers() {
    let wrong_base = layers_with(2, |l| l["base"] = json!("2024-11-05"));
    assert!(matches!(build(&wrong_base), Err(BundleError::Base { .. })));

    let missing = layers_with(1, |l| l["remove"] = json!(["NotThere"]));
    assert!(matches!(
        build(&missing),
        Err(BundleError::RemoveMissing { .. })
    ));

    let unchanged = layers_with(1, |l| l["defs"]["Cursor"] = json!({ "type": "string" }));
    assert!(matches!(
        build(&unchanged),
        Err(BundleError::Unchanged { .. })
    ));

    let dangling = layers_with(1, |l| l["remove"] = json!(["Annotated", "Role"]));
    match build(&dangling) {
        Err(BundleError::DanglingRef { reference, .. }) => assert_eq!(reference, "#/$defs/Role"),
        other => panic!("expected a dangling ref, got {:?}", other.err()),
    }

    let unknown_key = layers_with(0, |l| l["extra"] = json!(1));
    assert!(matches!(
        build(&unknown_key),
        Err(BundleError::Parse { index: 0, .. })
    ));

    let bad_schema = layers_with(0, |l| l["defs"]["Cursor"] = json!({ "type": 12 }));
    assert!(matches!(
        build(&bad_schema),
        Err(BundleError::Compile { .. })
    ));

    assert!(matches!(
        SchemaBundle::from_layers(&[]),
        Err(BundleError::Empty)
    ));
}

#[test]
fn violation_display_is_one_line() {
    let v = Violation {
        instance_path: String::new(),
        schema_path: "/required".into(),
        message: "\"a\" is a required property".into(),
    };
    assert_eq!(
        v.to_string(),
        "at /: \"a\" is a required property (schema /required)"
    );
}
