//! What to test: a command spoken to over stdio, or a URL.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::session::{Connection, SessionOptions};
use crate::transport::sse::SseTransport;
use crate::transport::stdio::StdioTransport;
use crate::transport::streamable_http::HttpTransport;
use crate::transport::{Events, Kind, Limits, Transport, TransportError};

/// A server to test.
#[derive(Debug, Clone)]
pub enum Target {
    /// A command whose stdin and stdout carry the protocol; each connection
    /// starts a new process.
    Stdio {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment variables.
        env: Vec<(String, String)>,
    },
    /// An HTTP endpoint.
    Url {
        /// The MCP endpoint (Streamable HTTP) or the SSE stream URL (HTTP+SSE).
        url: String,
        /// `StreamableHttp` or `Sse`.
        kind: Kind,
        /// Extra headers on every request (e.g. authorization).
        headers: Vec<(String, String)>,
    },
}

impl Target {
    /// The transport the target speaks.
    pub fn kind(&self) -> Kind {
        match self {
            Target::Stdio { .. } => Kind::Stdio,
            Target::Url { kind, .. } => *kind,
        }
    }

    /// The command line or URL, for reports.
    pub fn endpoint(&self) -> String {
        match self {
            Target::Stdio { program, args, .. } => {
                std::iter::once(program).chain(args).map(|a| shell_word(a)).collect::<Vec<_>>().join(" ")
            }
            Target::Url { url, .. } => url.clone(),
        }
    }

    /// Open a new connection, checked against `version`'s schema.
    pub async fn connect(&self, version: &str, limits: &Limits, options: &SessionOptions) -> Result<Connection, TransportError> {
        let (transport, events) = self.open(limits).await?;
        Ok(Connection::new(transport, events, version, options.clone()))
    }

    /// Open the bare transport: start the command, or prepare the HTTP client
    /// (HTTP+SSE: open the stream and wait for its endpoint).
    pub async fn open(&self, limits: &Limits) -> Result<(Transport, Events), TransportError> {
        Ok(match self {
            Target::Stdio { program, args, env } => {
                let (t, e) = StdioTransport::spawn(program, args, env, limits)?;
                (Transport::Stdio(t), e)
            }
            Target::Url { url, kind: Kind::Sse, headers } => {
                let (t, e) = SseTransport::connect(url, headers, limits).await?;
                (Transport::Sse(t), e)
            }
            Target::Url { url, headers, .. } => {
                let (t, e) = HttpTransport::connect(url, headers, limits)?;
                (Transport::StreamableHttp(t), e)
            }
        })
    }
}

/// What a check needs to open connections of its own to the target, beside
/// the one its case runs on (e.g. to see whether an answer depends on the
/// connection).
#[derive(Debug, Clone)]
pub struct Reconnect {
    /// The server.
    pub target: Target,
    /// The limits of the run.
    pub limits: Limits,
    /// The session settings of the run.
    pub options: SessionOptions,
}

impl Reconnect {
    /// A new connection (a new process over stdio), checked against `version`'s schema.
    pub async fn connect(&self, version: &str) -> Result<Connection, TransportError> {
        self.target.connect(version, &self.limits, &self.options).await
    }
}

fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The bundled reference server, started from this very binary.
pub fn reference_stdio() -> std::io::Result<Target> {
    let program = std::env::current_exe()?.to_string_lossy().into_owned();
    Ok(Target::Stdio { program, args: vec!["reference-server".into()], env: Vec::new() })
}

/// A reference server serving HTTP on a free loopback port, for the life of the handle.
pub struct ReferenceHttp {
    child: tokio::process::Child,
    /// The endpoint it serves.
    pub url: String,
}

impl ReferenceHttp {
    /// Start it with `--http` (Streamable HTTP) or `--sse` (HTTP+SSE) and wait
    /// for the line that names its address.
    pub async fn start(kind: Kind) -> std::io::Result<ReferenceHttp> {
        let flag = if kind == Kind::Sse { "--sse" } else { "--http" };
        let mut child = tokio::process::Command::new(std::env::current_exe()?)
            .args(["reference-server", flag, "127.0.0.1:0"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .map_err(|_| std::io::Error::other("the reference server did not report its address within 10s"))??
            .unwrap_or_default();
        let url = line
            .strip_prefix("listening on ")
            .ok_or_else(|| std::io::Error::other(format!("unexpected first line from the reference server: {line:?}")))?
            .trim()
            .to_string();
        Ok(ReferenceHttp { child, url })
    }

    /// Stop the server.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
