//! What the fuzzer knows of the server under test: the session's version and
//! transport, the versions it serves statelessly, and its tools.

use serde_json::Value;

use crate::check::CallTools;
use crate::session::param_headers;
use crate::transport::Kind;
use crate::version::{era, Era};

/// The server as the generators and the oracles see it.
#[derive(Debug, Clone)]
pub struct Surface {
    /// The protocol version of the session.
    pub version: String,
    /// The transport.
    pub kind: Kind,
    /// `supportedVersions` of `server/discover` (2026-07-28 on), when the server gave it.
    pub supported_versions: Option<Vec<String>>,
    /// The capabilities the server declared.
    pub capabilities: Value,
    /// Every tool the server listed.
    pub tools: Vec<Tool>,
}

/// One tool of the server.
#[derive(Debug, Clone)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its `inputSchema` (an empty object schema when it gave none).
    pub input_schema: Value,
    /// Its `outputSchema`, if any.
    pub output_schema: Option<Value>,
    /// May the fuzzer call it (the `--call-tools` policy)?
    pub callable: bool,
}

impl Tool {
    /// A tool from one entry of `tools/list`, judged by `policy`.
    pub fn from_listing(tool: &Value, policy: CallTools) -> Option<Tool> {
        let name = tool.get("name")?.as_str()?.to_string();
        // A tool that only runs as a task cannot be called plainly.
        let task_only = tool.pointer("/execution/taskSupport").and_then(Value::as_str) == Some("required");
        let callable = !task_only
            && match policy {
                CallTools::All => true,
                CallTools::None => false,
                CallTools::ReadOnly => tool.pointer("/annotations/readOnlyHint") == Some(&Value::Bool(true)),
            };
        Some(Tool {
            name,
            input_schema: tool.get("inputSchema").cloned().unwrap_or_else(|| serde_json::json!({ "type": "object" })),
            output_schema: tool.get("outputSchema").cloned(),
            callable,
        })
    }
}

impl Surface {
    /// The `Mcp-Param-*` headers a client sends with `message` when it is a
    /// `tools/call` of a listed tool that marks arguments `x-mcp-header`
    /// (2026-07-28 Streamable HTTP, HTTP-023).
    pub fn param_headers(&self, message: &Value) -> Vec<(String, String)> {
        if message.get("method").and_then(Value::as_str) != Some("tools/call") {
            return Vec::new();
        }
        let name = message.pointer("/params/name").and_then(Value::as_str);
        let Some(tool) = self.tools.iter().find(|t| Some(t.name.as_str()) == name) else {
            return Vec::new();
        };
        let arguments = message.pointer("/params/arguments").cloned().unwrap_or(Value::Null);
        param_headers::headers(&param_headers::annotations(&tool.input_schema).usable, &arguments)
    }

    /// The era of the session's version.
    pub fn era(&self) -> Era {
        era(&self.version)
    }

    /// A tool by name.
    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// The tools the fuzzer may call.
    pub fn callable_tools(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter().filter(|t| t.callable)
    }
}
