//! The compiled bundle: one [`VersionSchema`] per protocol version.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::{json, Value};

use super::layers::{self, Formats};
use super::methods::{self, MethodTable};

/// Why the schema files could not be turned into a bundle. With the embedded
/// files this never happens (a unit test builds them); it matters for the
/// variants tests build with [`SchemaBundle::from_layers`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// A layer is not JSON of the expected shape.
    #[error("schema layer #{index} is malformed: {source}")]
    Parse {
        /// Position of the layer, from 0.
        index: usize,
        /// What serde found wrong.
        source: serde_json::Error,
    },
    /// A layer's `base` is not the version of the layer before it.
    #[error("schema layer {version} has base {base:?}, expected {expected:?}")]
    Base {
        /// The layer's version.
        version: String,
        /// The base it names.
        base: Option<String>,
        /// The version of the preceding layer, if any.
        expected: Option<String>,
    },
    /// A layer removes a definition its base does not have.
    #[error("schema layer {version} removes {name}, which its base does not define")]
    RemoveMissing {
        /// The layer's version.
        version: String,
        /// The definition.
        name: String,
    },
    /// A layer both removes and defines a name.
    #[error("schema layer {version} both removes and defines {name}")]
    RemoveAndDefine {
        /// The layer's version.
        version: String,
        /// The definition.
        name: String,
    },
    /// A layer "replaces" a definition with an identical one.
    #[error("schema layer {version} repeats {name} unchanged from its base")]
    Unchanged {
        /// The layer's version.
        version: String,
        /// The definition.
        name: String,
    },
    /// A `$ref` does not resolve inside the merged document.
    #[error("{version}: {definition} refers to {reference}, which does not resolve")]
    DanglingRef {
        /// The merged version.
        version: String,
        /// The definition holding the reference.
        definition: String,
        /// The reference.
        reference: String,
    },
    /// A version has no method table in the code.
    #[error("no method table for protocol version {0}")]
    NoMethodTable(String),
    /// The merged document could not be registered or a definition could not be compiled.
    #[error("{version}: cannot compile {definition}: {message}")]
    Compile {
        /// The merged version.
        version: String,
        /// The definition ("" for the whole document).
        definition: String,
        /// The compiler's message.
        message: String,
    },
    /// No layers at all.
    #[error("no schema layers")]
    Empty,
}

/// One way an instance fails a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer to the failing part of the instance ("" for the whole).
    pub instance_path: String,
    /// JSON pointer to the failing keyword, inside the resolved definition.
    pub schema_path: String,
    /// What is wrong, without repeating the (possibly huge) instance.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "at {at}: {} (schema {})", self.message, self.schema_path)
    }
}

/// The schemas of every protocol version this build knows.
pub struct SchemaBundle {
    versions: Vec<VersionSchema>,
}

/// The merged, compiled schema of one protocol version.
pub struct VersionSchema {
    version: String,
    root: Value,
    validators: HashMap<String, Validator>,
    methods: MethodTable,
}

static BUNDLE: LazyLock<Result<SchemaBundle, BundleError>> =
    LazyLock::new(|| SchemaBundle::from_layers(layers::embedded_layers()));

/// The bundle built from the embedded schema files, on first use.
///
/// # Panics
///
/// If the embedded files are inconsistent, which is a bug of this build
/// caught by the unit tests; use [`try_bundle`] to get the error instead.
pub fn bundle() -> &'static SchemaBundle {
    match try_bundle() {
        Ok(bundle) => bundle,
        Err(e) => panic!("the embedded schema bundle is broken: {e}"),
    }
}

/// Like [`bundle`], returning the error instead of panicking.
pub fn try_bundle() -> Result<&'static SchemaBundle, &'static BundleError> {
    BUNDLE.as_ref()
}

impl SchemaBundle {
    /// Builds a bundle from layer texts, oldest version first (see
    /// `harness/schemas/README.md` for their format).
    pub fn from_layers(texts: &[&str]) -> Result<SchemaBundle, BundleError> {
        let versions = layers::merge(texts)?
            .into_iter()
            .map(|merged| VersionSchema::compile(merged.version, merged.root, merged.formats))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SchemaBundle { versions })
    }

    /// The schema of protocol version `v` (e.g. `"2025-06-18"`), if known.
    pub fn version(&self, v: &str) -> Option<&VersionSchema> {
        self.versions.iter().find(|s| s.version == v)
    }

    /// The known protocol versions, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &str> {
        self.versions.iter().map(|s| s.version.as_str())
    }
}

impl VersionSchema {
    fn compile(version: String, root: Value, formats: Formats) -> Result<Self, BundleError> {
        let methods =
            methods::table(&version).ok_or_else(|| BundleError::NoMethodTable(version.clone()))?;
        let compile_error = |definition: &str, message: String| BundleError::Compile {
            version: version.clone(),
            definition: definition.to_owned(),
            message,
        };
        let base = format!("urn:mcp-conform:schema:{version}");
        let registry = jsonschema::Registry::new()
            .add(&base, &root)
            .and_then(|builder| builder.prepare())
            .map_err(|e| compile_error("", e.to_string()))?;
        let names: Vec<&String> = root
            .get("$defs")
            .and_then(Value::as_object)
            .map(|defs| defs.keys().collect())
            .unwrap_or_default();
        let mut validators = HashMap::with_capacity(names.len());
        for name in names {
            let wrapper = json!({ "$ref": format!("{base}#/$defs/{name}") });
            let validator = jsonschema::options()
                .with_registry(&registry)
                .should_validate_formats(formats == Formats::Assert)
                .build(&wrapper)
                .map_err(|e| compile_error(name, e.to_string()))?;
            validators.insert(name.clone(), validator);
        }
        drop(registry);
        Ok(VersionSchema {
            version,
            root,
            validators,
            methods,
        })
    }

    /// The protocol version, e.g. `"2025-06-18"`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Does this version define `definition` (e.g. `"CallToolResult"`)?
    pub fn has(&self, definition: &str) -> bool {
        self.validators.contains_key(definition)
    }

    /// Our merged schema of `definition`; its `$ref`s point into [`root`](Self::root).
    pub fn definition(&self, definition: &str) -> Option<&Value> {
        self.root.get("$defs")?.get(definition)
    }

    /// The whole merged document (`{"$schema": ..., "$defs": {...}}`), for
    /// generators that follow `$ref`s.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The names of all definitions, in the order of the schema files.
    pub fn definitions(&self) -> impl Iterator<Item = &str> {
        self.root
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|defs| defs.keys().map(String::as_str))
    }

    /// Checks `instance` against `definition`, returning every violation.
    /// An unknown definition is reported as one violation.
    pub fn validate(&self, definition: &str, instance: &Value) -> Result<(), Vec<Violation>> {
        let Some(validator) = self.validators.get(definition) else {
            return Err(vec![Violation {
                instance_path: String::new(),
                schema_path: String::new(),
                message: format!(
                    "protocol version {} has no definition named {definition}",
                    self.version
                ),
            }]);
        };
        // is_valid is much faster than collecting errors; most messages pass.
        if validator.is_valid(instance) {
            return Ok(());
        }
        Err(validator.iter_errors(instance).map(violation).collect())
    }

    /// The definition a request of `method` must match, e.g. `"tools/call"`
    /// → `"CallToolRequest"`. Covers requests in both directions.
    pub fn request_definition(&self, method: &str) -> Option<&'static str> {
        self.methods.request(method)
    }

    /// The definition the result of a `method` request must match, e.g.
    /// `"tools/list"` → `"ListToolsResult"`.
    pub fn result_definition(&self, method: &str) -> Option<&'static str> {
        self.methods.result(method)
    }

    /// Every request method of this version, in both directions.
    pub fn request_methods(&self) -> impl Iterator<Item = &'static str> {
        self.methods.requests().map(|(method, _, _)| method)
    }

    /// The definition a `method` notification must match, e.g.
    /// `"notifications/progress"` → `"ProgressNotification"`.
    pub fn notification_definition(&self, method: &str) -> Option<&'static str> {
        self.methods.notification(method)
    }
}

fn violation(error: ValidationError<'_>) -> Violation {
    let mut message = error.masked().to_string();
    // A failed union only says "not valid under any of the schemas"; the
    // branch that came closest usually names the real mistake.
    let branches = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            Some(context)
        }
        _ => None,
    };
    if let Some((index, errors)) = branches.and_then(|context| {
        context
            .iter()
            .enumerate()
            .filter(|(_, errors)| !errors.is_empty())
            .min_by_key(|(_, errors)| errors.len())
    }) {
        let reasons: Vec<String> = errors
            .iter()
            .take(3)
            .map(|e| {
                format!(
                    "{} at {}",
                    e.masked(),
                    pointer_or_root(&e.instance_path().to_string())
                )
            })
            .collect();
        message.push_str(&format!(
            "; closest branch #{index}: {}",
            reasons.join("; ")
        ));
    }
    Violation {
        instance_path: error.instance_path().to_string(),
        schema_path: error.schema_path().to_string(),
        message,
    }
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "/"
    } else {
        pointer
    }
}

#[cfg(test)]
mod tests;
