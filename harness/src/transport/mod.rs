//! Transports: move frames between the harness and a server, bounded.
//!
//! Three transports sit behind one [`Transport`]: [`stdio`] (a spawned
//! command), [`streamable_http`] (POST per message, JSON or SSE answers) and
//! [`sse`] (the 2024-11-05 HTTP+SSE transport). A transport knows nothing of
//! the protocol's meaning: it sends the bytes it is given and turns what the
//! server sends into [`Event`]s on one channel, in arrival order.

mod event_stream;
pub mod sse;
pub mod stdio;
pub mod streamable_http;

pub use event_stream::{EventStreamParser, SseEvent};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// Largest frame accepted by default (16 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Which transport a target speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Newline-delimited JSON-RPC over a child's stdin and stdout.
    Stdio,
    /// Streamable HTTP (2025-03-26 on).
    StreamableHttp,
    /// HTTP+SSE (2024-11-05).
    Sse,
}

impl Kind {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Stdio => "stdio",
            Kind::StreamableHttp => "streamable-http",
            Kind::Sse => "sse",
        }
    }

    /// Parse a name as written in case files and flags.
    pub fn from_name(name: &str) -> Option<Kind> {
        [Kind::Stdio, Kind::StreamableHttp, Kind::Sse].into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Limits every transport obeys.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest frame accepted; a larger one is dropped and reported.
    pub max_message_bytes: usize,
    /// How long to wait for a connection or for HTTP response headers.
    pub connect_timeout: Duration,
    /// How much of a server's stderr to keep.
    pub max_stderr_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            connect_timeout: Duration::from_secs(10),
            max_stderr_bytes: 1024 * 1024,
        }
    }
}

/// One message to send.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    /// The exact bytes of the frame, without a line ending.
    pub bytes: Vec<u8>,
    /// The id if the frame is a request: HTTP transports tag the answers that
    /// come back on this POST's body with it.
    pub id: Option<Value>,
    /// Extra HTTP headers (ignored by stdio).
    pub headers: Vec<(String, String)>,
}

/// What the server sent, or what happened to the connection.
#[derive(Debug)]
pub enum Event {
    /// One complete frame: a stdio line, an SSE event's data, a JSON body.
    Frame {
        /// Where it came from (`stdout`, `POST #3`, `GET stream`, ...).
        channel: Arc<str>,
        /// The id of the request whose HTTP response carried it, if any.
        origin: Option<Value>,
        /// The raw bytes.
        bytes: Bytes,
    },
    /// The stream that answers the request `origin` ended.
    StreamEnded {
        /// The stream.
        channel: Arc<str>,
        /// The request it answered.
        origin: Option<Value>,
    },
    /// A frame larger than the message limit arrived and was dropped.
    Oversized {
        /// Where it came from.
        channel: Arc<str>,
        /// The id of the request whose HTTP response carried it, if known.
        origin: Option<Value>,
        /// How many bytes it had (at least).
        size: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// Something the transcript should show: an HTTP status, an SSE event
    /// that is not a message, bytes that are not a frame.
    Note {
        /// Where it happened.
        channel: Arc<str>,
        /// What happened.
        text: String,
    },
    /// The connection is gone: nothing more will arrive.
    Closed {
        /// Why (exit status, stream end).
        detail: String,
    },
}

/// What the transport learned while sending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendReport {
    /// The HTTP exchange, on HTTP transports.
    pub http: Option<HttpResponseHead>,
}

/// Status and headers of an HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponseHead {
    /// The request method (`POST`, `GET`, `DELETE`).
    pub method: &'static str,
    /// The status code.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// All headers, names lower-case.
    pub headers: Vec<(String, String)>,
}

impl HttpResponseHead {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// Errors of the transport itself (not findings about the server).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The command could not be started.
    #[error("cannot start `{command}`")]
    Spawn {
        /// The program.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server cannot be reached.
    #[error("cannot reach {url}: {detail}")]
    Unreachable {
        /// The URL.
        url: String,
        /// Why.
        detail: String,
    },
    /// The connection is closed (the process exited, the stream ended).
    #[error("the connection is closed: {0}")]
    Closed(String),
    /// The HTTP+SSE server did not announce its endpoint.
    #[error("no `endpoint` event on the SSE stream: {0}")]
    NoEndpoint(String),
    /// Writing failed.
    #[error("write failed: {0}")]
    Io(#[from] std::io::Error),
    /// An HTTP request failed below the HTTP level.
    #[error("HTTP request failed: {0}")]
    Http(String),
    /// The server did not take the message within the deadline (no HTTP
    /// response head came, or its stdin stayed full).
    #[error("the server did not take the message within {0:?}")]
    NotTaken(std::time::Duration),
}

/// Most events the server may have queued and not yet processed: past this,
/// the transport stops reading, so a flooding server is slowed down by the
/// pipe or TCP window instead of filling the harness's memory.
const MAX_QUEUED_EVENTS: usize = 1024;

struct Queued {
    event: Event,
    /// Held while a server-driven event waits and is processed.
    permit: Option<OwnedSemaphorePermit>,
}

/// Receiving half: every event of a connection, in order.
pub struct Events {
    rx: mpsc::UnboundedReceiver<Queued>,
    /// The permit of the event being processed, released by the next `recv`.
    held: Option<OwnedSemaphorePermit>,
}

impl Events {
    /// The next event; the previous one counts as processed.
    pub async fn recv(&mut self) -> Option<Event> {
        self.held = None;
        let Queued { event, permit } = self.rx.recv().await?;
        self.held = permit;
        Some(event)
    }
}

/// Sending half, shared by a connection's reading tasks.
#[derive(Clone)]
pub(crate) struct EventSender {
    tx: mpsc::UnboundedSender<Queued>,
    budget: Arc<Semaphore>,
}

impl EventSender {
    /// Queue what the server sent: waits while too many events are queued.
    /// False when nobody listens any more.
    pub async fn server_sent(&self, event: Event) -> bool {
        let Ok(permit) = self.budget.clone().acquire_owned().await else { return false };
        self.tx.send(Queued { event, permit: Some(permit) }).is_ok()
    }

    /// Queue an event of the harness's own making (bounded by what it sends): never waits.
    pub fn ours(&self, event: Event) -> bool {
        self.tx.send(Queued { event, permit: None }).is_ok()
    }
}

/// A connection's event queue.
pub(crate) fn event_queue() -> (EventSender, Events) {
    let (tx, rx) = mpsc::unbounded_channel();
    (EventSender { tx, budget: Arc::new(Semaphore::new(MAX_QUEUED_EVENTS)) }, Events { rx, held: None })
}

/// A connection to a server over one of the three transports.
pub enum Transport {
    /// A child process.
    Stdio(stdio::StdioTransport),
    /// Streamable HTTP.
    StreamableHttp(streamable_http::HttpTransport),
    /// HTTP+SSE.
    Sse(sse::SseTransport),
}

impl Transport {
    /// Which transport this is.
    pub fn kind(&self) -> Kind {
        match self {
            Transport::Stdio(_) => Kind::Stdio,
            Transport::StreamableHttp(_) => Kind::StreamableHttp,
            Transport::Sse(_) => Kind::Sse,
        }
    }

    /// Send one frame.
    pub async fn send(&self, outgoing: Outgoing) -> Result<SendReport, TransportError> {
        match self {
            Transport::Stdio(t) => t.send(outgoing).await,
            Transport::StreamableHttp(t) => t.send(outgoing).await,
            Transport::Sse(t) => t.send(outgoing).await,
        }
    }

    /// Set the `MCP-Protocol-Version` header for later requests (HTTP only).
    pub fn set_protocol_version(&self, version: Option<&str>) {
        if let Transport::StreamableHttp(t) = self {
            t.set_protocol_version(version);
        }
    }

    /// Open the server-to-client GET stream of a stateful Streamable HTTP session.
    pub async fn open_get_stream(&self) -> Option<Result<SendReport, TransportError>> {
        match self {
            Transport::StreamableHttp(t) => Some(t.open_get_stream().await),
            _ => None,
        }
    }

    /// End the connection: close stdin and reap the child, or DELETE the
    /// HTTP session. Returns a line for the transcript.
    pub async fn close(&self) -> String {
        match self {
            Transport::Stdio(t) => t.close().await,
            Transport::StreamableHttp(t) => t.close().await,
            Transport::Sse(t) => t.close().await,
        }
    }

    /// As [`Transport::close`], but a stdio server that has not exited
    /// `grace` after its stdin closed is killed then: for connections whose
    /// ending nothing judges.
    pub async fn close_within(&self, grace: Duration) -> String {
        match self {
            Transport::Stdio(t) => t.close_within(grace).await,
            _ => self.close().await,
        }
    }

    /// The child process, on stdio.
    pub fn stdio(&self) -> Option<&stdio::StdioTransport> {
        match self {
            Transport::Stdio(t) => Some(t),
            _ => None,
        }
    }

    /// What the server wrote on stderr so far (stdio only).
    pub fn stderr(&self) -> Option<(String, bool)> {
        match self {
            Transport::Stdio(t) => Some(t.stderr()),
            _ => None,
        }
    }
}

/// Read a body chunk by chunk, refusing to hold more than `max` bytes:
/// `Err(n)` when the body had at least `n > max` bytes.
pub(crate) async fn read_bounded(response: reqwest::Response, max: usize) -> Result<Vec<u8>, usize> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        if body.len() + chunk.len() > max {
            return Err(body.len() + chunk.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
