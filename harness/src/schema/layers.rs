//! The layered schema files: parsing them and merging each version's document.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::bundle::BundleError;

/// The schema files, oldest version first; each later one names the one before as its base.
const EMBEDDED: &[&str] = &[
    include_str!("../../schemas/2024-11-05.json"),
    include_str!("../../schemas/2025-03-26.json"),
    include_str!("../../schemas/2025-06-18.json"),
    include_str!("../../schemas/2025-11-25.json"),
    include_str!("../../schemas/2026-07-28.json"),
];

/// The texts of the embedded schema files, oldest version first.
///
/// Tests build variants of the bundle from them with
/// [`SchemaBundle::from_layers`](super::SchemaBundle::from_layers).
pub fn embedded_layers() -> &'static [&'static str] {
    EMBEDDED
}

/// The dialect every merged document declares, whatever the official file's draft.
pub(crate) const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Whether `format` is an assertion, as in the official schema's own draft
/// (draft-07 asserts it; 2020-12 only annotates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Formats {
    Assert,
    Annotate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    #[serde(rename = "$comment", default)]
    _comment: Option<Value>,
    version: String,
    #[serde(default)]
    base: Option<String>,
    formats: Formats,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    defs: Map<String, Value>,
}

/// One protocol version after merging its layer onto its base.
pub(crate) struct Merged {
    pub version: String,
    pub formats: Formats,
    /// `{"$schema": DIALECT, "$defs": {...}}`
    pub root: Value,
}

/// Merges the layers, oldest first, into one document per version.
pub(crate) fn merge(texts: &[&str]) -> Result<Vec<Merged>, BundleError> {
    let mut out: Vec<Merged> = Vec::with_capacity(texts.len());
    let mut defs: Map<String, Value> = Map::new();
    for (index, text) in texts.iter().enumerate() {
        let layer: LayerFile =
            serde_json::from_str(text).map_err(|source| BundleError::Parse { index, source })?;
        let version = layer.version;
        let expected_base = out.last().map(|m| m.version.clone());
        if layer.base != expected_base {
            return Err(BundleError::Base {
                version,
                base: layer.base,
                expected: expected_base,
            });
        }
        for name in &layer.remove {
            if defs.shift_remove(name).is_none() {
                return Err(BundleError::RemoveMissing {
                    version,
                    name: name.clone(),
                });
            }
            if layer.defs.contains_key(name) {
                return Err(BundleError::RemoveAndDefine {
                    version,
                    name: name.clone(),
                });
            }
        }
        for (name, schema) in layer.defs {
            // A replacement identical to the base would hide what really changed.
            if defs.get(&name) == Some(&schema) {
                return Err(BundleError::Unchanged { version, name });
            }
            defs.insert(name, schema);
        }
        let mut root = Map::new();
        root.insert("$schema".into(), Value::from(DIALECT));
        root.insert("$defs".into(), Value::Object(defs.clone()));
        let root = Value::Object(root);
        check_refs(&version, &root)?;
        out.push(Merged {
            version,
            formats: layer.formats,
            root,
        });
    }
    if out.is_empty() {
        return Err(BundleError::Empty);
    }
    Ok(out)
}

/// Every `$ref` must point into this document's `$defs` and resolve, so a
/// removed definition that is still referenced fails here, with its name.
fn check_refs(version: &str, root: &Value) -> Result<(), BundleError> {
    let Some(defs) = root.get("$defs").and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, schema) in defs {
        let mut refs = Vec::new();
        collect_refs(schema, false, &mut refs);
        for reference in refs {
            let resolves = reference
                .strip_prefix('#')
                .filter(|pointer| pointer.starts_with("/$defs/"))
                .and_then(|pointer| root.pointer(pointer))
                .is_some();
            if !resolves {
                return Err(BundleError::DanglingRef {
                    version: version.to_owned(),
                    definition: name.clone(),
                    reference: reference.to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Collects `$ref` values, skipping property names and data keywords, whose
/// contents are not schemas.
fn collect_refs<'a>(value: &'a Value, names: bool, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if names {
                    collect_refs(child, false, out);
                    continue;
                }
                match key.as_str() {
                    "$ref" => out.extend(child.as_str()),
                    "const" | "enum" | "default" | "examples" => {}
                    "properties" | "patternProperties" | "$defs" | "definitions"
                    | "dependentSchemas" => collect_refs(child, true, out),
                    _ => collect_refs(child, false, out),
                }
            }
        }
        Value::Array(items) if !names => {
            for item in items {
                collect_refs(item, false, out);
            }
        }
        _ => {}
    }
}
