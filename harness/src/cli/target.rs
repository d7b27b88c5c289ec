//! The target a subcommand names: [`TargetArgs`], the flags shared by
//! `run`, `baseline`, `snapshot` and `fuzz` (with the project's
//! `mcp-conform.toml`, found in the current folder), and [`resolve`], which
//! `replay` uses too.

use std::path::{Path, PathBuf};

use super::run::{parse_env, parse_header, parse_transport};
use super::CliError;
use crate::fuzz::TargetSpec;
use crate::project_config::{self, RunSettings};
use crate::server_config;
use crate::target::{self, ReferenceHttp, Target};
use crate::transport::Kind;

/// The flags that name a server, shared by the subcommands that talk to one.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// URL of the server: the MCP endpoint (Streamable HTTP) or the SSE stream (with `--transport sse`).
    #[arg(long, value_name = "URL", conflicts_with = "command")]
    url: Option<String>,

    /// Transport: `stdio` for a command, `streamable-http` (default for --url) or `sse`.
    /// With no target, the bundled reference server is served over this transport.
    #[arg(long, value_name = "NAME", value_parser = parse_transport)]
    transport: Option<Kind>,

    /// Extra HTTP header on every request, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "HEADER", value_parser = parse_header)]
    headers: Vec<(String, String)>,

    /// Extra environment variable for a stdio server, `NAME=value` (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,

    /// The server command and its arguments, after `--` (stdio).
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,

    /// Read the target from an MCP client's config file: `mcpServers`
    /// (Claude Desktop, Cursor, `.mcp.json`) or `servers` (VS Code `mcp.json`).
    /// An `mcp-conform.toml` gives its `[run]` settings and `[servers]` too
    /// [default: ./mcp-conform.toml when the current folder has one].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,

    /// Ignore ./mcp-conform.toml: test what the flags say, with no project settings.
    #[arg(long)]
    no_config: bool,

    /// Which server of the config file to test (needed when it names several).
    #[arg(long, value_name = "NAME")]
    server: Option<String>,

    /// Whether `config` was found in the current folder rather than named.
    #[arg(skip)]
    discovered: bool,
}

/// The project config file read from the current folder unless `--config`
/// names another or `--no-config` is given.
pub const PROJECT_CONFIG: &str = "mcp-conform.toml";

impl TargetArgs {
    /// Takes `./mcp-conform.toml` as the config file when no `--config` names
    /// one and `--no-config` is not given, saying so on stderr. Every
    /// subcommand that names a target calls it first.
    pub fn discover_config(&mut self) -> Result<(), CliError> {
        if self.config.is_none() && !self.no_config && Path::new(PROJECT_CONFIG).is_file() {
            eprintln!("mcp-conform: using ./{PROJECT_CONFIG} (--no-config to ignore it)");
            self.config = Some(PathBuf::from(PROJECT_CONFIG));
            self.discovered = true;
        }
        if self.server.is_some() && self.config.is_none() {
            return Err(CliError::Usage(format!(
                "--server names a server of a config file: give --config FILE, or run where ./{PROJECT_CONFIG} is"
            )));
        }
        Ok(())
    }

    /// No URL, no command, and no server named by the config file: the
    /// bundled reference server is the target.
    pub fn bundled(&self) -> bool {
        // A file that cannot be read names one as far as this goes: `resolve` says what is wrong.
        let config_names_one = self.config.as_ref().is_some_and(|path| self.server.is_some() || self.names_servers(path).unwrap_or(true));
        self.url.is_none() && self.command.is_empty() && !config_names_one
    }

    /// The `[run]` settings when the config file is an `mcp-conform.toml`.
    pub fn project_settings(&self) -> Result<Option<RunSettings>, CliError> {
        match &self.config {
            Some(path) if project_config::is_project_config(path) => {
                project_config::load(path).map(Some).map_err(|e| self.config_error(e))
            }
            _ => Ok(None),
        }
    }

    /// The target, how a finding file names it, and the bundled HTTP server behind it, if one was started.
    pub async fn resolve(&self) -> Result<(Target, TargetSpec, Option<ReferenceHttp>), CliError> {
        let flags_name_one = self.url.is_some() || !self.command.is_empty();
        if let (Some(path), true) = (&self.config, flags_name_one) {
            if !project_config::is_project_config(path) || self.server.is_some() {
                return Err(CliError::Usage("name the server either in --config (with --server) or with --url / a command, not both".into()));
            }
        }
        let from_config = match &self.config {
            // Read even when the flags name the target: a wrong `[run] server` is never ignored.
            Some(path) => {
                let names_one = self.names_servers(path)?;
                !flags_name_one && (self.server.is_some() || names_one)
            }
            None => false,
        };
        let Some(path) = self.config.as_ref().filter(|_| from_config) else {
            // No config, or an mcp-conform.toml naming no server: the flags say.
            return resolve(&self.url, &self.command, self.transport, &self.headers, &self.env).await;
        };
        let entry = server_config::load(path, self.server.as_deref()).map_err(|e| self.config_error(e.to_string()))?;
        // Flags given beside the file add to what it says, as they would to a command line.
        match entry {
            Target::Stdio { program, args, env } => {
                let command: Vec<String> = std::iter::once(program).chain(args).collect();
                let env = [env, self.env.clone()].concat();
                resolve(&None, &command, self.transport, &self.headers, &env).await
            }
            Target::Url { url, kind, headers } => {
                let headers = [headers, self.headers.clone()].concat();
                resolve(&Some(url), &[], self.transport.or(Some(kind)), &headers, &self.env).await
            }
        }
    }
}

impl TargetArgs {
    /// Whether the config file names a server to test when no flag does. An
    /// `mcp-conform.toml` may not (it then only gives settings, and the
    /// bundled server is tested); any other config file is read for its
    /// servers, and says itself what is wrong with it.
    fn names_servers(&self, path: &Path) -> Result<bool, CliError> {
        if !project_config::is_project_config(path) {
            return Ok(true);
        }
        project_config::names_a_server(path).map_err(|e| self.config_error(e))
    }

    /// A mistake in the config file, prefixed with the flag that named it
    /// (a file found in the current folder names itself).
    fn config_error(&self, message: String) -> CliError {
        CliError::Usage(if self.discovered { message } else { format!("--config {message}") })
    }
}

/// The target a subcommand names: a URL, a command, or the bundled reference
/// server (started over HTTP when asked for), with how a finding file names it.
pub(super) async fn resolve(
    url: &Option<String>,
    command: &[String],
    transport: Option<Kind>,
    headers: &[(String, String)],
    env: &[(String, String)],
) -> Result<(Target, TargetSpec, Option<ReferenceHttp>), CliError> {
    let names = |pairs: &[(String, String)]| pairs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    Ok(match (url, command.split_first(), transport) {
        (Some(url), _, Some(Kind::Stdio)) => return Err(CliError::Usage(format!("--url {url} cannot be used with --transport stdio"))),
        (Some(url), _, kind) => {
            let kind = kind.unwrap_or(Kind::StreamableHttp);
            let spec = TargetSpec::Url { url: url.clone(), transport: kind.as_str().into(), headers: names(headers) };
            (Target::Url { url: url.clone(), kind, headers: headers.to_vec() }, spec, None)
        }
        (None, Some(_), Some(kind)) if kind != Kind::Stdio => {
            return Err(CliError::Usage(format!("a command is spoken to over stdio, not {kind}; use --url for HTTP servers")))
        }
        (None, Some((program, rest)), _) => {
            let spec = TargetSpec::Stdio { program: program.clone(), args: rest.to_vec(), env: names(env) };
            (Target::Stdio { program: program.clone(), args: rest.to_vec(), env: env.to_vec() }, spec, None)
        }
        (None, None, None | Some(Kind::Stdio)) => {
            let target = target::reference_stdio().map_err(|e| CliError::Io { path: "the running executable".into(), source: e })?;
            (target, TargetSpec::Bundled { transport: Kind::Stdio.as_str().into() }, None)
        }
        (None, None, Some(kind)) => {
            let server = ReferenceHttp::start(kind)
                .await
                .map_err(|e| CliError::Io { path: "the bundled reference server".into(), source: e })?;
            let target = Target::Url { url: server.url.clone(), kind, headers: headers.to_vec() };
            (target, TargetSpec::Bundled { transport: kind.as_str().into() }, Some(server))
        }
    })
}
