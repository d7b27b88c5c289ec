//! The `mcpServers` files people already keep for their MCP clients, read
//! as targets: `mcp-conform run --config FILE --server NAME`.
//!
//! Three shapes are read, all JSON:
//!
//! * `{"mcpServers": {NAME: ENTRY}}`: Claude Desktop, Cursor, Windsurf and
//!   a project's `.mcp.json`;
//! * `{"servers": {NAME: ENTRY}}`: VS Code's `.vscode/mcp.json`, which may
//!   hold comments and trailing commas;
//! * `{"mcp": {"servers": {NAME: ENTRY}}}`: VS Code's `settings.json`.
//!
//! `mcp-conform.toml` ([`crate::project_config`]) holds entries of the same
//! shape under `[servers.NAME]`, and may name the default one in `[run]`.
//!
//! An entry is either a command (`command`, `args`, `env`) spoken to over
//! stdio or a `url` (with `headers`); `type` (or `transport`) says `stdio`,
//! `http`/`streamable-http` or `sse`, and defaults to stdio for a command
//! and Streamable HTTP for a URL. Values may name variables the clients
//! expand: `${env:NAME}`, `${NAME}` and `${NAME:-default}` from the
//! environment, `${userHome}`, and `${workspaceFolder}` (the folder holding
//! the file, or the one above when the file sits in `.vscode/`). A variable
//! this tool cannot know, such as VS Code's `${input:ID}` prompts, is an
//! error that names it, never an empty string sent to the server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::target::Target;
use crate::transport::Kind;

/// Why a config file gave no server.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file, or the entry, is not what a client would accept.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, and where.
        message: String,
    },
}

/// The raw shape of an entry, before its variables are expanded. Fields
/// only clients read (`disabled`, `autoApprove`, ...) are ignored.
#[derive(Debug, Deserialize)]
struct RawEntry {
    #[serde(rename = "type", alias = "transport")]
    kind: Option<String>,
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// Set, these would change how the server starts, and the harness does
    /// not honour them: an error says so rather than start it differently.
    cwd: Option<serde_json::Value>,
    #[serde(rename = "envFile")]
    env_file: Option<serde_json::Value>,
}

/// Reads `path` and returns the server called `name` (its variables expanded), or the only server
/// when `name` is `None` and the file holds exactly one.
pub fn load(path: &Path, name: Option<&str>) -> Result<Target, ConfigError> {
    let shown = path.display().to_string();
    let invalid = |message: String| ConfigError::Invalid { path: shown.clone(), message };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
    let document: serde_json::Value = if crate::project_config::is_project_config(path) {
        toml::from_str(&text).map_err(|e| invalid(format!("not valid TOML: {}", e.message())))?
    } else {
        serde_json::from_str(&strip_jsonc(&text))
            .map_err(|e| invalid(format!("line {}, column {}: not valid JSON: {e}", e.line(), e.column())))?
    };
    // `mcp-conform.toml` may name its default server in `[run]`.
    let name = name.or_else(|| document.pointer("/run/server").and_then(serde_json::Value::as_str));
    let servers = document
        .get("mcpServers")
        .or_else(|| document.get("servers"))
        .or_else(|| document.pointer("/mcp/servers"))
        .ok_or_else(|| invalid("no `mcpServers` (Claude Desktop, Cursor, .mcp.json) or `servers` (VS Code) object".into()))?
        .as_object()
        .ok_or_else(|| invalid("the servers must be an object of NAME: {command | url}".into()))?;
    let names = || servers.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
    let (name, raw) = match name {
        Some(name) => match servers.get(name) {
            Some(raw) => (name.to_string(), raw),
            None => return Err(invalid(format!("no server named `{name}` (the file has: {})", names()))),
        },
        None if servers.len() == 1 => {
            let (name, raw) = servers.iter().next().expect("one server");
            (name.clone(), raw)
        }
        None if servers.is_empty() => return Err(invalid("the file names no server".into())),
        None => return Err(invalid(format!("the file names several servers; choose one with --server ({})", names()))),
    };
    let raw: RawEntry =
        serde_json::from_value(raw.clone()).map_err(|e| invalid(format!("server `{name}`: {e}")))?;
    let variables = Variables { workspace: workspace_folder(path), env: &|name| std::env::var(name).ok() };
    entry(raw, &variables).map_err(|message| invalid(format!("server `{name}`: {message}")))
}

fn entry(raw: RawEntry, variables: &Variables) -> Result<Target, String> {
    if raw.cwd.is_some() {
        return Err("sets `cwd`, which mcp-conform does not apply: run it from that folder, without the field".into());
    }
    if raw.env_file.is_some() {
        return Err("sets `envFile`, which mcp-conform does not read: give the variables with --env or in `env`".into());
    }
    let kind = match raw.kind.as_deref() {
        None => None,
        Some("stdio") => Some(Kind::Stdio),
        Some("http" | "streamable-http" | "streamableHttp" | "streamable_http") => Some(Kind::StreamableHttp),
        Some("sse") => Some(Kind::Sse),
        Some(other) => return Err(format!("unknown type `{other}` (stdio, http, streamable-http or sse)")),
    };
    let expand_all = |values: Vec<String>| values.iter().map(|v| variables.expand(v)).collect::<Result<Vec<_>, _>>();
    let expand_map = |map: BTreeMap<String, String>| {
        map.into_iter().map(|(k, v)| Ok((k, variables.expand(&v)?))).collect::<Result<Vec<_>, String>>()
    };
    match (raw.command, raw.url, kind) {
        (Some(_), Some(_), _) => Err("has both `command` and `url`; a server is one or the other".into()),
        (Some(command), None, None | Some(Kind::Stdio)) => Ok(Target::Stdio {
            program: variables.expand(&command)?,
            args: expand_all(raw.args)?,
            env: expand_map(raw.env)?,
        }),
        (Some(_), None, Some(kind)) => Err(format!("has a `command` but type {kind}; a command is spoken to over stdio")),
        (None, Some(url), Some(Kind::Stdio)) => Err(format!("has a `url` ({url}) but type stdio")),
        (None, Some(url), kind) => Ok(Target::Url {
            url: variables.expand(&url)?,
            kind: kind.unwrap_or(Kind::StreamableHttp),
            headers: expand_map(raw.headers)?,
        }),
        (None, None, _) => Err("has neither `command` nor `url`".into()),
    }
}

/// VS Code's `${workspaceFolder}`: the folder of the file, or the one above
/// when the file is `.vscode/mcp.json`.
fn workspace_folder(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    match folder.file_name() {
        Some(name) if name == ".vscode" => folder.parent().map(Path::to_path_buf).unwrap_or(folder),
        _ => folder,
    }
}

struct Variables<'a> {
    workspace: PathBuf,
    /// The environment the variables come from.
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Variables<'_> {
    /// `value` with every `${...}` replaced, or which one cannot be.
    fn expand(&self, value: &str) -> Result<String, String> {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| format!("`{value}`: `${{` without its closing `}}`"))?;
            out.push_str(&self.lookup(&after[..end])?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn lookup(&self, variable: &str) -> Result<String, String> {
        let env = self.env;
        match variable.split_once(':') {
            _ if variable == "workspaceFolder" => Ok(self.workspace.display().to_string()),
            _ if variable == "userHome" => env("HOME").ok_or_else(|| "${userHome}: HOME is not set".into()),
            Some(("env", name)) => env(name).ok_or_else(|| format!("${{env:{name}}}: the variable {name} is not set")),
            Some(("input", id)) => Err(format!(
                "${{input:{id}}} is asked of the user by VS Code when it starts the server; \
                 give the value in the environment and write ${{env:NAME}} in a copy of the file"
            )),
            Some((name, default)) if default.starts_with('-') && is_name(name) => {
                Ok(env(name).filter(|v| !v.is_empty()).unwrap_or_else(|| default[1..].to_string()))
            }
            None if is_name(variable) => env(variable).ok_or_else(|| format!("${{{variable}}}: the variable is not set")),
            _ => Err(format!("${{{variable}}}: not a variable mcp-conform knows")),
        }
    }
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// JSON with comments (`//`, `/* */`) and trailing commas, as VS Code
/// writes it, made plain JSON. Removed characters become spaces, so the
/// parser's line and column still point into the user's file.
fn strip_jsonc(text: &str) -> String {
    let without_comments = blank_outside_strings(text.chars().collect(), |chars, i| match (chars[i], chars.get(i + 1)) {
        ('/', Some('/')) => (i..chars.len()).find(|&j| chars[j] == '\n').unwrap_or(chars.len()) - i,
        ('/', Some('*')) => {
            let end = (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == '*' && chars[j + 1] == '/');
            end.map_or(chars.len(), |j| j + 2) - i
        }
        _ => 0,
    });
    blank_outside_strings(without_comments, |chars, i| {
        let closes = || chars[i + 1..].iter().find(|c| !c.is_whitespace()).is_some_and(|c| *c == '}' || *c == ']');
        usize::from(chars[i] == ',' && closes())
    })
    .into_iter()
    .collect()
}

/// `chars` with the runs `blank(chars, i)` measures from each position
/// outside a JSON string turned into spaces (line breaks kept).
fn blank_outside_strings(mut chars: Vec<char>, blank: impl Fn(&[char], usize) -> usize) -> Vec<char> {
    let mut i = 0;
    let mut in_string = false;
    while i < chars.len() {
        match chars[i] {
            '\\' if in_string => i += 1,
            '"' => in_string = !in_string,
            _ if !in_string => {
                let run = blank(&chars, i);
                for c in &mut chars[i..i + run] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i += run.saturating_sub(1);
            }
            _ => {}
        }
        i += 1;
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn tempdir() -> PathBuf {
        let thread = std::thread::current().id();
        let dir = std::env::temp_dir().join(format!("mcp-conform-config-{}-{thread:?}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn claude_desktop_command_with_env() {
        let dir = tempdir();
        let path = write(
            &dir,
            "claude_desktop_config.json",
            r#"{"mcpServers": {
                "files": {"command": "npx", "args": ["-y", "server-files", "${workspaceFolder}"], "env": {"LEVEL": "debug"}},
                "remote": {"url": "https://example.test/mcp", "headers": {"Authorization": "Bearer abc"}}
            }}"#,
        );
        let Target::Stdio { program, args, env } = load(&path, Some("files")).unwrap() else { panic!() };
        assert_eq!(program, "npx");
        assert_eq!(args, ["-y", "server-files", &std::path::absolute(&dir).unwrap().display().to_string()]);
        assert_eq!(env, [("LEVEL".to_string(), "debug".to_string())]);
        let Target::Url { url, kind, headers } = load(&path, Some("remote")).unwrap() else { panic!() };
        assert_eq!((url.as_str(), kind), ("https://example.test/mcp", Kind::StreamableHttp));
        assert_eq!(headers, [("Authorization".to_string(), "Bearer abc".to_string())]);
    }

    #[test]
    fn vscode_file_with_comments_trailing_commas_and_sse() {
        let dir = tempdir();
        let path = write(
            &dir,
            ".vscode/mcp.json",
            "{\n  // the servers of this workspace\n  \"servers\": {\n    \"events\": {\"type\": \"sse\", \"url\": \"http://127.0.0.1:9/sse\", /* legacy */},\n  },\n}\n",
        );
        let Target::Url { url, kind, .. } = load(&path, None).unwrap() else { panic!() };
        assert_eq!((url.as_str(), kind), ("http://127.0.0.1:9/sse", Kind::Sse));
        // `${workspaceFolder}` is the folder above `.vscode`.
        assert_eq!(workspace_folder(&path), std::path::absolute(&dir).unwrap());
    }

    #[test]
    fn strings_keep_what_looks_like_comments() {
        assert_eq!(strip_jsonc(r#"{"a": "http://x/*y*/", "b": "q\"//"}"#), r#"{"a": "http://x/*y*/", "b": "q\"//"}"#);
        assert_eq!(strip_jsonc("[1, 2, ]"), "[1, 2  ]");
    }

    #[test]
    fn variables_expand_or_are_named_in_the_error() {
        let env = |name: &str| (name == "TOKEN").then(|| "t0k".to_string());
        let variables = Variables { workspace: PathBuf::from("/w"), env: &env };
        assert_eq!(variables.expand("Bearer ${env:TOKEN}").unwrap(), "Bearer t0k");
        assert_eq!(variables.expand("${TOKEN}/${workspaceFolder}").unwrap(), "t0k//w");
        assert_eq!(variables.expand("${UNSET:-fallback}").unwrap(), "fallback");
        assert!(variables.expand("${UNSET}").unwrap_err().contains("UNSET"));
        assert!(variables.expand("${input:api-key}").unwrap_err().contains("input:api-key"));
        assert!(variables.expand("${command:pick}").unwrap_err().contains("command:pick"));
        assert!(variables.expand("${oops").unwrap_err().contains("closing"));
    }

    #[test]
    fn mistakes_are_named() {
        let dir = tempdir();
        let many = write(&dir, "many.json", r#"{"mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}}"#);
        let err = |path: &Path, name: Option<&str>| load(path, name).unwrap_err().to_string();
        assert!(err(&many, None).contains("--server (a, b)"));
        assert!(err(&many, Some("c")).contains("no server named `c` (the file has: a, b)"));
        let broken = write(&dir, "broken.json", "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",,}\n  }\n}");
        assert!(err(&broken, None).contains("line 3"), "{}", err(&broken, None));
        let both = write(&dir, "both.json", r#"{"mcpServers": {"a": {"command": "x", "url": "http://y"}}}"#);
        assert!(err(&both, None).contains("both `command` and `url`"));
        let typo = write(&dir, "typo.json", r#"{"mcpServers": {"a": {"comand": "x"}}}"#);
        assert!(err(&typo, None).contains("neither `command` nor `url`"));
        let cwd = write(&dir, "cwd.json", r#"{"mcpServers": {"a": {"command": "x", "cwd": "/srv"}}}"#);
        assert!(err(&cwd, None).contains("`cwd`"));
        let kind = write(&dir, "kind.json", r#"{"mcpServers": {"a": {"type": "websocket", "url": "ws://x"}}}"#);
        assert!(err(&kind, None).contains("unknown type `websocket`"));
        let other = write(&dir, "other.json", r#"{"servers": []}"#);
        assert!(err(&other, None).contains("must be an object"));
        assert!(err(&dir.join("absent.json"), None).contains("absent.json"));
    }
}
