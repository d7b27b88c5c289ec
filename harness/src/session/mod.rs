//! Client sessions: one interface over both protocol eras and every transport.
//!
//! A [`Connection`] owns a transport and a background task that reads every
//! event, checks each message received against the schema of what it is,
//! routes responses to the request waiting for them, answers the server's own
//! requests and keeps the transcript. Requests are independent: each has its
//! own deadline, and a server that never answers one does not hold up others.
//!
//! A [`Session`] is a connection opened for one protocol version: after the
//! `initialize` handshake ([`stateful`]) or, in 2026-07-28, ready at once with
//! per-request `_meta` ([`stateless`]).

pub mod client;
mod connection;
pub mod param_headers;
pub mod stateful;
pub mod stateless;

pub use connection::{response_problems, Connection, Exchange, FrameExchange, LogEntry, Problem, Reply};

use std::time::Duration;

use serde_json::Value;

use crate::version::{era, Era};

/// How a request is sent.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Stateless era: the version named in `_meta` and in the
    /// `MCP-Protocol-Version` header, instead of the session's.
    pub protocol_version: Option<String>,
    /// Send the params exactly as given: no `_meta` added, and no
    /// `Mcp-Param-*` headers derived from the tool's `inputSchema`.
    pub raw: bool,
    /// Extra HTTP headers; they replace computed ones of the same name.
    pub headers: Vec<(String, String)>,
}

/// What the server told about itself when the session opened.
#[derive(Debug, Clone, Default)]
pub struct ServerInfo {
    /// `serverInfo` (stateful) or `_meta["io.modelcontextprotocol/serverInfo"]` (stateless).
    pub implementation: Option<Value>,
    /// The capabilities the server declared.
    pub capabilities: Value,
}

impl ServerInfo {
    /// Did the server declare this capability (a top-level key of
    /// `capabilities`)? A dotted name (`resources.subscribe`) names a
    /// sub-capability, which must be `true` or an object.
    pub fn declares(&self, capability: &str) -> bool {
        let pointer = format!("/{}", capability.replace('.', "/"));
        match self.capabilities.pointer(&pointer) {
            Some(Value::Bool(on)) if capability.contains('.') => *on,
            Some(Value::Object(_)) => true,
            Some(other) => !capability.contains('.') && !other.is_null(),
            None => false,
        }
    }
}

/// A connection opened for one protocol version.
pub struct Session {
    /// The connection underneath.
    pub connection: Connection,
    /// The version in use.
    pub version: String,
    /// What the server declared.
    pub server: ServerInfo,
    /// The transcript position where the opening exchange (handshake or
    /// discover) ended; 0 for a fresh connection.
    pub opened: usize,
}

impl Session {
    /// A session over a fresh connection: nothing sent yet, no handshake.
    pub fn fresh(connection: Connection, version: &str, server: ServerInfo) -> Session {
        Session { connection, version: version.to_string(), server, opened: 0 }
    }

    /// The transcript of the opening exchange.
    pub fn opening(&self) -> Vec<LogEntry> {
        let mut entries = self.connection.since(0);
        entries.truncate(self.opened);
        entries
    }

    /// The era of the session's version.
    pub fn era(&self) -> Era {
        era(&self.version)
    }

    /// Send a request shaped for the session's era and wait for its answer.
    /// In the stateless era an `input_required` result is answered and the
    /// request retried, so the exchange returned is the final one.
    pub async fn request(&self, method: &str, params: Value, options: &RequestOptions) -> Exchange {
        match self.era() {
            Era::Stateful => self.connection.request(method, params, options.headers.clone()).await,
            Era::Stateless => stateless::request(&self.connection, &self.version, method, params, options).await,
        }
    }

    /// Send a notification.
    pub async fn notify(&self, method: &str, params: Option<Value>) -> Result<(), crate::transport::TransportError> {
        self.connection.notify(method, params, Vec::new()).await
    }

    /// End the session (DELETE on HTTP, close stdin on stdio).
    pub async fn close(&self) {
        self.connection.close().await;
    }

    /// As [`Session::close`], killing a stdio server that has not exited
    /// `grace` after its stdin closed.
    pub async fn close_within(&self, grace: Duration) {
        self.connection.close_within(grace).await;
    }
}

/// Settings every connection shares.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// How long a request may wait for its answer.
    pub request_timeout: Duration,
    /// How long the first request on a connection may wait: it also waits
    /// for the server to start.
    pub startup_timeout: Duration,
}
