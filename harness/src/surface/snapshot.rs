//! The snapshot file: pretty JSON with every object's keys sorted, items
//! keyed by their name (or URI, or URI template) so that a server listing
//! them in another order changes nothing, and no volatile field.
//!
//! ```json
//! {
//!   "format": "mcp-conform-surface",
//!   "formatVersion": 1,
//!   "server": { "name": "my-server" },
//!   "versions": {
//!     "2025-06-18": {
//!       "capabilities": { "tools": { "listChanged": true } },
//!       "tools": { "echo": { "description": "...", "inputSchema": { ... } } }
//!     }
//!   }
//! }
//! ```
//!
//! Written for review diffs: one member per line, in the same order on every
//! run (keys sorted, items by name, a schema's `required` names sorted, as
//! JSON Schema reads them as a set), so a change to the surface is a change
//! of exactly its lines. JSON rather than a second format: `jq` and every
//! editor read it, and it holds a JSON Schema as it is.
//!
//! The keys of `versions` are the protocol versions the server speaks. A list
//! (`tools`, `resources`, `resourceTemplates`, `prompts`) is absent when the
//! server does not declare its capability. Left out as volatile: the
//! server's `version` (unless asked for), every item's `_meta`, and a
//! resource's `size` and `annotations.lastModified`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::SurfaceError;

/// The value of `format`, which tells a snapshot from any other JSON file.
pub const FORMAT: &str = "mcp-conform-surface";
/// The version of the file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A server's public surface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`] for files this build writes.
    pub format_version: u32,
    /// Who the server says it is.
    pub server: ServerName,
    /// The surface per protocol version the server speaks.
    pub versions: BTreeMap<String, VersionSurface>,
}

/// The server's `serverInfo`, without what changes on every release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerName {
    /// `serverInfo.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `serverInfo.version`, only when the snapshot was asked to keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What one protocol version shows of the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionSurface {
    /// The capabilities the server declared.
    pub capabilities: Value,
    /// Tools by name (absent when `tools` is not declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<BTreeMap<String, Value>>,
    /// Resources by URI (absent when `resources` is not declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, Value>>,
    /// Resource templates by URI template (absent when `resources` is not declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_templates: Option<BTreeMap<String, Value>>,
    /// Prompts by name (absent when `prompts` is not declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<BTreeMap<String, Value>>,
}

impl Snapshot {
    /// An empty snapshot of the current format.
    pub fn new(server: ServerName) -> Snapshot {
        Snapshot { format: FORMAT.into(), format_version: FORMAT_VERSION, server, versions: BTreeMap::new() }
    }

    /// The file's text: pretty JSON, keys sorted, ending in a newline.
    pub fn to_text(&self) -> String {
        let value = serde_json::to_value(self).map(sorted).unwrap_or(Value::Null);
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Parse a snapshot file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Snapshot, SurfaceError> {
        let malformed = |why: String| SurfaceError::Malformed { path: path.to_string(), why };
        let value: Value = serde_json::from_str(text).map_err(|e| malformed(format!("invalid JSON: {e}")))?;
        // Say what the file is before what is wrong inside it.
        match value.get("format") {
            Some(Value::String(format)) if format == FORMAT => {}
            Some(other) => return Err(malformed(format!("`format` is {other}, expected \"{FORMAT}\""))),
            None => return Err(malformed(format!("no `format` member (expected \"{FORMAT}\"); write one with `mcp-conform snapshot --output FILE`"))),
        }
        match value.get("formatVersion").and_then(Value::as_u64) {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => return Err(malformed(format!("formatVersion {v} is not supported (this build reads {FORMAT_VERSION})"))),
            None => return Err(malformed("`formatVersion` is missing or not a number".into())),
        }
        let snapshot: Snapshot = serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        for (version, surface) in &snapshot.versions {
            if !crate::version::is_known(version) {
                return Err(malformed(format!("versions: `{version}` is not a protocol version this build knows")));
            }
            if !surface.capabilities.is_object() {
                return Err(malformed(format!("versions/{version}/capabilities is not an object")));
            }
        }
        Ok(snapshot)
    }

    /// Read a snapshot file.
    pub fn load(path: &Path) -> Result<Snapshot, SurfaceError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SurfaceError::Io { path: name.clone(), source })?;
        Snapshot::parse(&text, &name)
    }

    /// Write the snapshot to `path`, through a temporary file so that a
    /// failed write never leaves half a snapshot behind.
    pub fn save(&self, path: &Path) -> Result<(), SurfaceError> {
        let io = |source| SurfaceError::Io { path: path.display().to_string(), source };
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        std::fs::write(&temporary, self.to_text()).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }
}

/// `value` with the keys of every object in sorted order (the workspace
/// keeps insertion order, which follows the server's whims).
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
