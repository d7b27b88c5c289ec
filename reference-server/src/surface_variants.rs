//! Surface variants: the same conformant server with a slightly different
//! public surface (`--surface-variant NAME`).
//!
//! They are not [faults](crate::faults): each one keeps every rule of the
//! specification, so the whole catalogue still passes. What changes is the
//! API a client sees: a tool renamed, a parameter added. They exist to show
//! `mcp-conform snapshot` telling a breaking change of a server's surface
//! from an additive one.
//!
//! Every variant acts on the `echo` tool, which no conformance case names,
//! and it acts on the listing and on calls alike: the renamed tool answers
//! under its new name only, and the published `inputSchema` is the one
//! arguments are validated against.
//!
//! A server process serves one surface, chosen on its command line before
//! it serves anything, so the choice is process-wide ([`select`]) rather
//! than threaded through every handler beside the fault set.

use std::sync::OnceLock;

use serde_json::{json, Value};

/// A variant of the server's public surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurfaceVariant {
    /// `echo` is listed and called as `echo_text` (breaking: clients calling `echo` fail).
    ToolRenamed,
    /// `echo` takes a new required parameter `format` (breaking: old calls lack it).
    ToolParameterRequired,
    /// `echo` takes a new optional parameter `repeat` (additive).
    ToolParameterOptional,
}

/// One row of the variant table.
#[derive(Clone, Copy, Debug)]
pub struct VariantInfo {
    /// The variant.
    pub variant: SurfaceVariant,
    /// The `--surface-variant` name.
    pub name: &'static str,
    /// One line saying how the surface differs.
    pub description: &'static str,
}

/// Every surface variant.
pub const CATALOGUE: &[VariantInfo] = &[
    VariantInfo {
        variant: SurfaceVariant::ToolRenamed,
        name: "tool-renamed",
        description: "lists and serves the echo tool as echo_text (a breaking change of the surface)",
    },
    VariantInfo {
        variant: SurfaceVariant::ToolParameterRequired,
        name: "tool-parameter-required",
        description: "echo takes a new required string parameter format (a breaking change of the surface)",
    },
    VariantInfo {
        variant: SurfaceVariant::ToolParameterOptional,
        name: "tool-parameter-optional",
        description: "echo takes a new optional integer parameter repeat (an additive change of the surface)",
    },
];

/// The tool every variant changes.
pub const TOOL: &str = "echo";
/// Its name under [`SurfaceVariant::ToolRenamed`].
pub const RENAMED: &str = "echo_text";

impl SurfaceVariant {
    /// Looks a variant up by its `--surface-variant` name.
    pub fn from_name(name: &str) -> Option<SurfaceVariant> {
        CATALOGUE.iter().find(|i| i.name == name).map(|i| i.variant)
    }

    /// The `--surface-variant` name.
    pub fn name(self) -> &'static str {
        CATALOGUE.iter().find(|i| i.variant == self).map_or("unlisted", |i| i.name)
    }
}

static ACTIVE: OnceLock<SurfaceVariant> = OnceLock::new();

/// Serve `variant` for the rest of the process. The first choice stands;
/// returns false if another was made before.
pub fn select(variant: SurfaceVariant) -> bool {
    ACTIVE.set(variant).is_ok() || ACTIVE.get() == Some(&variant)
}

/// The variant this process serves, if any.
pub fn active() -> Option<SurfaceVariant> {
    ACTIVE.get().copied()
}

/// The name the fixture tool `name` is listed and called under with `variant`.
pub fn listed_name(variant: Option<SurfaceVariant>, name: &'static str) -> &'static str {
    match variant {
        Some(SurfaceVariant::ToolRenamed) if name == TOOL => RENAMED,
        _ => name,
    }
}

/// The fixture tool `name`'s `inputSchema` as `variant` publishes (and validates) it.
pub fn input_schema(variant: Option<SurfaceVariant>, name: &str, schema: &mut Value) {
    if name != TOOL {
        return;
    }
    let (property, definition, required) = match variant {
        Some(SurfaceVariant::ToolParameterRequired) => {
            ("format", json!({"type": "string", "enum": ["plain", "quoted"], "description": "How to send the text back"}), true)
        }
        Some(SurfaceVariant::ToolParameterOptional) => {
            ("repeat", json!({"type": "integer", "minimum": 1, "maximum": 3, "description": "How many times (ignored)"}), false)
        }
        _ => return,
    };
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(property.into(), definition);
    }
    if required {
        if let Some(list) = schema.get_mut("required").and_then(Value::as_array_mut) {
            list.push(json!(property));
        }
    }
}

/// The `--list-surface-variants` text: `name`, tab, description, one a line.
pub fn listing() -> String {
    CATALOGUE.iter().map(|i| format!("{}\t{}\n", i.name, i.description)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo_schema() -> Value {
        json!({"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"], "additionalProperties": false})
    }

    #[test]
    fn names_round_trip() {
        for info in CATALOGUE {
            assert_eq!(SurfaceVariant::from_name(info.name), Some(info.variant));
            assert_eq!(info.variant.name(), info.name);
        }
        assert_eq!(SurfaceVariant::from_name("nope"), None);
    }

    #[test]
    fn only_the_renaming_renames_and_only_echo() {
        assert_eq!(listed_name(Some(SurfaceVariant::ToolRenamed), "echo"), RENAMED);
        assert_eq!(listed_name(Some(SurfaceVariant::ToolRenamed), "add"), "add");
        assert_eq!(listed_name(Some(SurfaceVariant::ToolParameterRequired), "echo"), "echo");
        assert_eq!(listed_name(None, "echo"), "echo");
    }

    #[test]
    fn parameters_are_added_as_the_variant_says() {
        let mut required = echo_schema();
        input_schema(Some(SurfaceVariant::ToolParameterRequired), "echo", &mut required);
        assert_eq!(required["required"], json!(["message", "format"]));
        assert_eq!(required["properties"]["format"]["type"], "string");

        let mut optional = echo_schema();
        input_schema(Some(SurfaceVariant::ToolParameterOptional), "echo", &mut optional);
        assert_eq!(optional["required"], json!(["message"]));
        assert_eq!(optional["properties"]["repeat"]["type"], "integer");

        let mut other = echo_schema();
        input_schema(Some(SurfaceVariant::ToolParameterRequired), "add", &mut other);
        input_schema(None, "echo", &mut other);
        assert_eq!(other, echo_schema());
    }
}
