//! The fuzzer's connection: exact bytes out, every message in.
//!
//! A [`crate::session::Connection`] routes responses by the id of a request
//! it built itself; the fuzzer sends bytes that are not requests at all, ids
//! twice, ids a server may read differently. So it keeps its own connection:
//! frames go out exactly as given (and are logged in order, for replay
//! files), and everything that comes back is handed over unrouted, as
//! [`Incoming`] items, to the judge that knows what was sent. The harness
//! still acts as a client: it answers the server's requests in the handshake
//! era, as every session does.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::FuzzError;
use super::input::{Frame, Role, Sent};
use crate::jsonrpc::{self, FrameError, Message};
use crate::session::{client, stateful, stateless};
use crate::target::Target;
use crate::transport::stdio::StdioTransport;
use crate::transport::{Event, Events, Kind, Limits, Outgoing, Transport, TransportError};
use crate::version::{era, Era};

/// Most bytes, and most frames, of sent frames kept for a finding's
/// transcript; the oldest go first.
const MAX_LOG_BYTES: usize = 16 << 20;
const MAX_LOG_FRAMES: usize = 32_768;
/// Most received frames kept as evidence, and how much of each.
const MAX_RECEIVED: usize = 64;
const MAX_RECEIVED_TEXT: usize = 2048;

/// The id of the `initialize` request of every fuzz session.
pub const OPEN_ID: &str = "mcp-conform-open";
/// How long the handshake of a connection waits by default: it also waits
/// for the server to start (node under load can take more than `--timeout`).
pub const DEFAULT_STARTUP: Duration = Duration::from_secs(30);
/// How long a stdio server may take to exit once a fuzz connection closes
/// its stdin before it is killed. Nothing judges how a fuzz connection
/// ends, and some servers never exit while a request of theirs waits for
/// the client's answer (a `roots/list`): a confirmation, a sequence step or
/// the discovery session would each wait the conformance runner's full grace.
pub const CLOSE_GRACE: Duration = Duration::from_millis(200);

/// What arrived, unrouted.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// One JSON-RPC message. The items of an array arrive one by one, marked.
    Message {
        /// The message.
        message: Message,
        /// Its JSON.
        json: Value,
        /// The engine's tag of the HTTP request whose response carried it.
        origin: Option<Value>,
        /// It came inside an array.
        in_array: bool,
        /// An error response without any `id` member (not even `null`).
        id_absent: bool,
    },
    /// A frame that is not a JSON-RPC message.
    Garbage {
        /// Where it came from.
        channel: Arc<str>,
        /// The HTTP request it answered, if known.
        origin: Option<Value>,
        /// The bytes (at most [`MAX_RECEIVED_TEXT`] kept).
        bytes: Bytes,
        /// Why it is not a message.
        why: String,
        /// The HTTP status of the response that carried it.
        http_status: Option<u16>,
    },
    /// A JSON array whose items are all JSON-RPC messages: a batch answer,
    /// which only some inputs may receive.
    Batch {
        /// Where it came from.
        channel: Arc<str>,
        /// The engine's tag of the HTTP request whose response carried it.
        origin: Option<Value>,
        /// The items: message, JSON, and whether an error item had no `id`.
        items: Vec<(Message, Value, bool)>,
    },
    /// A frame over the size limit was dropped.
    Oversized {
        /// The HTTP request it answered, if known.
        origin: Option<Value>,
    },
    /// An HTTP response stream ended.
    StreamEnded {
        /// The HTTP request it answered.
        origin: Option<Value>,
    },
    /// A frame could not be delivered.
    SendFailed {
        /// Its tag.
        origin: Option<Value>,
        /// Why.
        why: String,
        /// The server cannot be reached at all.
        unreachable: bool,
    },
    /// The connection is gone.
    Closed {
        /// Why.
        detail: String,
    },
}

/// One received frame, as evidence.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Received {
    /// Where it came from.
    pub channel: String,
    /// The text (lossy, clipped).
    pub text: String,
}

/// A frame for the sender.
struct Job {
    frame: Frame,
    origin: Option<Value>,
    headers: Vec<(String, String)>,
}

/// What the sent frames of a connection were, bounded.
#[derive(Debug, Default)]
pub struct Log {
    /// Frames in the order they were handed to the transport.
    pub sent: VecDeque<Sent>,
    /// Bytes in `sent`.
    bytes: usize,
    /// Frames dropped from the front to stay bounded.
    pub dropped: usize,
    /// The last frames received.
    pub received: VecDeque<Received>,
}

impl Log {
    fn push(&mut self, sent: Sent) {
        self.bytes += sent.frame.bytes.len();
        self.sent.push_back(sent);
        while (self.bytes > MAX_LOG_BYTES || self.sent.len() > MAX_LOG_FRAMES) && self.sent.len() > 1 {
            if let Some(old) = self.sent.pop_front() {
                self.bytes -= old.frame.bytes.len();
                self.dropped += 1;
            }
        }
    }

    fn receive(&mut self, channel: &str, bytes: &[u8]) {
        let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RECEIVED_TEXT)]).into_owned();
        if bytes.len() > MAX_RECEIVED_TEXT {
            text.push_str(&format!(" … ({} more bytes)", bytes.len() - MAX_RECEIVED_TEXT));
        }
        self.received.push_back(Received { channel: channel.to_string(), text });
        if self.received.len() > MAX_RECEIVED {
            self.received.pop_front();
        }
    }
}

/// A fuzz connection.
pub struct Wire {
    transport: Arc<Transport>,
    version: String,
    incoming: mpsc::UnboundedReceiver<Incoming>,
    backlog: VecDeque<Incoming>,
    queue: mpsc::UnboundedSender<Job>,
    log: Arc<Mutex<Log>>,
    tasks: Vec<JoinHandle<()>>,
    next_origin: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Wire {
    /// Connect to `target` and open a session for `version`: the handshake in
    /// the stateful era, nothing in 2026-07-28 (every request stands alone).
    /// The handshake waits `startup` (at least `timeout`): the server may still be starting.
    pub async fn open(target: &Target, version: &str, limits: &Limits, timeout: Duration, startup: Duration) -> Result<Wire, FuzzError> {
        let (transport, events) = connect(target, limits).await?;
        let transport = Arc::new(transport);
        let (queue_tx, queue_rx) = mpsc::unbounded_channel();
        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let log = Arc::new(Mutex::new(Log::default()));
        let reader = tokio::spawn(read(events, in_tx.clone(), queue_tx.clone(), log.clone(), version.to_string()));
        let sender = tokio::spawn(send(transport.clone(), queue_rx, in_tx, timeout));
        let mut wire = Wire {
            transport,
            version: version.to_string(),
            incoming: in_rx,
            backlog: VecDeque::new(),
            queue: queue_tx,
            log,
            tasks: vec![reader, sender],
            next_origin: 0,
        };
        if era(version) == Era::Stateful {
            wire.handshake(startup.max(timeout)).await?;
        }
        Ok(wire)
    }

    async fn handshake(&mut self, timeout: Duration) -> Result<(), FuzzError> {
        let request = jsonrpc::request(&json!(OPEN_ID), "initialize", Some(stateful::initialize_params(&self.version)));
        self.send(Frame::new(to_bytes(&request)), Role::Opening, Vec::new());
        let deadline = tokio::time::Instant::now() + timeout;
        let refused = |why: String| FuzzError::Open { version: self.version.clone(), why };
        loop {
            let item = match tokio::time::timeout_at(deadline, self.incoming.recv()).await {
                Ok(Some(item)) => item,
                Ok(None) => return Err(refused("the connection's reader stopped".into())),
                Err(_) => return Err(refused(format!("no answer to `initialize` within {timeout:?}"))),
            };
            match &item {
                Incoming::Message { message: Message::Result { id, result }, .. } if *id == json!(OPEN_ID) => {
                    let answered = result.get("protocolVersion").and_then(Value::as_str);
                    if answered != Some(self.version.as_str()) {
                        return Err(refused(format!("`initialize` was answered with version {answered:?}")));
                    }
                    break;
                }
                Incoming::Message { message: Message::Error { id, error }, .. } if *id == json!(OPEN_ID) => {
                    return Err(refused(format!("`initialize` was refused: {error}")));
                }
                Incoming::Closed { detail } => return Err(refused(detail.clone())),
                Incoming::SendFailed { why, .. } => return Err(refused(why.clone())),
                // Anything else (a banner, a notification) is judged later.
                _ => self.backlog.push_back(item),
            }
        }
        self.transport.set_protocol_version(Some(&self.version));
        let initialized = jsonrpc::notification("notifications/initialized", None);
        self.send(Frame::new(to_bytes(&initialized)), Role::Opening, Vec::new());
        // The GET stream carries the server's own requests (Streamable HTTP).
        let _ = self.transport.open_get_stream().await;
        Ok(())
    }

    /// Hand a frame to the transport (in order); returns its tag, which HTTP
    /// responses to it carry as their origin.
    pub fn send(&mut self, frame: Frame, role: Role, headers: Vec<(String, String)>) -> Value {
        self.next_origin += 1;
        let origin = Value::String(format!("#{}", self.next_origin));
        let mut log = lock(&self.log);
        log.push(Sent { role, frame: frame.clone() });
        // Enqueued under the log's lock: the log's order is the wire's order.
        let _ = self.queue.send(Job { frame, origin: Some(origin.clone()), headers });
        origin
    }

    /// The headers a frame needs on this transport: the stateless era's
    /// mirrored headers on Streamable HTTP, nothing elsewhere.
    pub fn headers_for(&self, bytes: &[u8]) -> Vec<(String, String)> {
        if self.transport.kind() != Kind::StreamableHttp || era(&self.version) != Era::Stateless {
            return Vec::new();
        }
        let Ok(message) = serde_json::from_slice::<Value>(bytes) else { return Vec::new() };
        if !message.is_object() {
            return Vec::new();
        }
        // Header values must be visible ASCII; the spec's base64 form carries the rest.
        stateless::mirrored_headers(&message).into_iter().map(|(n, v)| (n, stateless::header_value(&v))).collect()
    }

    /// The next thing that arrived; `None` once the reader has stopped.
    pub async fn next(&mut self) -> Option<Incoming> {
        if let Some(item) = self.backlog.pop_front() {
            return Some(item);
        }
        self.incoming.recv().await
    }

    /// The next thing that has already arrived, without waiting; never the
    /// end of the connection (that one [`Wire::next`] returns).
    pub fn next_ready(&mut self) -> Option<Incoming> {
        let item = self.backlog.pop_front().or_else(|| self.incoming.try_recv().ok())?;
        if matches!(item, Incoming::Closed { .. }) {
            self.backlog.push_front(item);
            return None;
        }
        Some(item)
    }

    /// The frames sent so far, and how many older ones were dropped.
    pub fn sent(&self) -> (Vec<Sent>, usize) {
        let log = lock(&self.log);
        (log.sent.iter().cloned().collect(), log.dropped)
    }

    /// The last frames received.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.log).received.iter().cloned().collect()
    }

    /// The transport kind.
    pub fn kind(&self) -> Kind {
        self.transport.kind()
    }

    /// How a stdio server exited, waiting at most `within`.
    pub async fn exit_status(&self, within: Duration) -> Option<std::process::ExitStatus> {
        match &*self.transport {
            Transport::Stdio(t) => t.exit_status(within).await,
            _ => None,
        }
    }

    /// The process group of a stdio server (its pid); `None` over HTTP.
    pub fn process_group(&self) -> Option<i32> {
        self.transport.stdio().map(|t| t.group()).filter(|&group| group > 0)
    }

    /// The end of the server's stderr (stdio), at most `max` bytes.
    pub fn stderr_tail(&self, max: usize) -> Option<String> {
        let (text, _) = self.transport.stderr()?;
        let start = text.len().saturating_sub(max);
        let start = (start..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        Some(text[start..].to_string())
    }

    /// End the connection: close stdin and reap the server (killed after
    /// [`CLOSE_GRACE`]), or DELETE the session.
    pub async fn close(self) {
        for task in &self.tasks {
            task.abort();
        }
        self.transport.close_within(CLOSE_GRACE).await;
    }
}

async fn connect(target: &Target, limits: &Limits) -> Result<(Transport, Events), FuzzError> {
    Ok(target.open(limits).await?)
}

fn to_bytes(value: &Value) -> Vec<u8> {
    super::generator::to_bytes(value)
}

/// Deliver frames: in order over stdio and HTTP+SSE (one byte stream, one
/// endpoint), each POST on its own over Streamable HTTP (they are
/// independent requests, and a slow one must not hold the others).
///
/// A byte stream that failed once is broken for good: every later frame
/// would be lost unsent. So its failure ends the connection, as if the
/// server had closed it: the driver reports what is unanswered and
/// reconnects.
async fn send(transport: Arc<Transport>, mut queue: mpsc::UnboundedReceiver<Job>, out: mpsc::UnboundedSender<Incoming>, timeout: Duration) {
    let concurrent = transport.kind() == Kind::StreamableHttp;
    while let Some(job) = queue.recv().await {
        let delivered = if concurrent {
            tokio::spawn(deliver(transport.clone(), job, out.clone(), timeout));
            Ok(())
        } else if let Transport::Stdio(stdio) = &*transport {
            deliver_lines(stdio, job, &mut queue, &out, timeout).await
        } else {
            deliver(transport.clone(), job, out.clone(), timeout).await
        };
        if let Err(why) = delivered {
            let _ = out.send(Incoming::Closed { detail: format!("a frame could not be written: {why}") });
            return;
        }
    }
}

/// Most bytes of queued lines gathered into one write to a stdio server.
const MAX_BATCH: usize = 64 * 1024;

/// Deliver `first` and every frame already queued behind it to a stdio
/// server, gathered into as few writes as their order allows: one write per
/// window instead of one per frame spares the server a read (and a wake-up)
/// per frame. A frame cut in two (`split_at`) still reaches the pipe as two
/// writes, cut where it says; a huge frame is written on its own, uncopied.
/// A failed write is reported against the first frame it carried.
async fn deliver_lines(
    stdio: &StdioTransport,
    first: Job,
    queue: &mut mpsc::UnboundedReceiver<Job>,
    out: &mpsc::UnboundedSender<Incoming>,
    timeout: Duration,
) -> Result<(), String> {
    let mut buffer: Vec<u8> = Vec::new();
    // The tag of the first frame with bytes in `buffer`.
    let mut blamed: Option<Option<Value>> = None;
    let mut next = Some(first);
    while let Some(job) = next.take() {
        let Job { frame, origin, .. } = job;
        let bytes = &frame.bytes;
        match frame.split_at.filter(|&at| at < bytes.len()) {
            Some(at) => {
                buffer.extend_from_slice(&bytes[..at]);
                write_lines(stdio, &mut buffer, blamed.take().unwrap_or(origin.clone()), out, timeout).await?;
                // Let the first part reach the reader on its own.
                tokio::task::yield_now().await;
                buffer.extend_from_slice(&bytes[at..]);
                buffer.push(b'\n');
                blamed = Some(origin);
            }
            None if bytes.len() >= MAX_BATCH => {
                if !buffer.is_empty() {
                    write_lines(stdio, &mut buffer, blamed.take().unwrap_or(origin.clone()), out, timeout).await?;
                }
                let whole = async {
                    stdio.write_raw(bytes).await?;
                    stdio.write_raw(b"\n").await
                };
                written(tokio::time::timeout(timeout, whole).await, origin, out, || unread(timeout))?;
            }
            None => {
                buffer.extend_from_slice(bytes);
                buffer.push(b'\n');
                blamed.get_or_insert(origin);
            }
        }
        if buffer.len() >= MAX_BATCH {
            write_lines(stdio, &mut buffer, blamed.take().flatten(), out, timeout).await?;
        }
        next = queue.try_recv().ok();
    }
    if buffer.is_empty() {
        return Ok(());
    }
    write_lines(stdio, &mut buffer, blamed.flatten(), out, timeout).await
}

/// Write `buffer` (and empty it); a failure is reported with `origin`.
async fn write_lines(
    stdio: &StdioTransport,
    buffer: &mut Vec<u8>,
    origin: Option<Value>,
    out: &mpsc::UnboundedSender<Incoming>,
    timeout: Duration,
) -> Result<(), String> {
    let result = tokio::time::timeout(timeout, stdio.write_raw(buffer)).await;
    buffer.clear();
    written(result, origin, out, || unread(timeout))
}

/// What a stdio write that timed out means.
fn unread(timeout: Duration) -> String {
    format!("the server did not read it within {timeout:?}")
}

/// Whether a timed write succeeded; a failure goes to the judge with
/// `origin`, and comes back as the reason (`late` says what the timeout meant).
fn written(
    result: Result<Result<(), TransportError>, tokio::time::error::Elapsed>,
    origin: Option<Value>,
    out: &mpsc::UnboundedSender<Incoming>,
    late: impl FnOnce() -> String,
) -> Result<(), String> {
    let (why, unreachable) = match result {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => (e.to_string(), matches!(e, TransportError::Unreachable { .. })),
        Err(_) => (late(), false),
    };
    let _ = out.send(Incoming::SendFailed { origin, why: why.clone(), unreachable });
    Err(why)
}

/// Deliver one frame over HTTP (a POST of its own).
async fn deliver(transport: Arc<Transport>, job: Job, out: mpsc::UnboundedSender<Incoming>, timeout: Duration) -> Result<(), String> {
    let Job { frame, origin, headers } = job;
    let outgoing = Outgoing { bytes: frame.bytes, id: origin.clone(), headers };
    let sent = tokio::time::timeout(timeout, async { transport.send(outgoing).await.map(|_| ()) }).await;
    written(sent, origin, &out, || format!("the POST got no response within {timeout:?}"))
}

/// Read every transport event: classify frames, answer the server's
/// requests (handshake era), pass everything on.
async fn read(
    mut events: Events,
    out: mpsc::UnboundedSender<Incoming>,
    queue: mpsc::UnboundedSender<Job>,
    log: Arc<Mutex<Log>>,
    version: String,
) {
    // The status of each HTTP response, from the note the transport writes
    // before it reads the body: a body of an error status need not be JSON-RPC.
    let mut statuses: std::collections::HashMap<Arc<str>, u16> = std::collections::HashMap::new();
    while let Some(event) = events.recv().await {
        let items = match event {
            Event::Frame { channel, origin, bytes } => {
                lock(&log).receive(&channel, &bytes);
                let status = statuses.get(&channel).copied();
                classify(channel, origin, bytes, status)
            }
            Event::Note { channel, text } => {
                if let Some(status) = text.strip_prefix("HTTP ").and_then(|t| t.get(..3)).and_then(|s| s.parse().ok()) {
                    statuses.insert(channel, status);
                } else if text.starts_with("stdout ended inside a line") {
                    let bytes = Bytes::from(text.clone().into_bytes());
                    let why = "stdout ended inside a line: a message without its newline".to_string();
                    let garbage = Incoming::Garbage { channel, origin: None, bytes, why, http_status: None };
                    let _ = out.send(garbage);
                }
                continue;
            }
            Event::StreamEnded { channel, origin } => {
                statuses.remove(&channel);
                vec![Incoming::StreamEnded { origin }]
            }
            Event::Oversized { origin, .. } => vec![Incoming::Oversized { origin }],
            Event::Closed { detail } => vec![Incoming::Closed { detail }],
        };
        for item in items {
            if let Incoming::Message { message: Message::Request { id, method, params }, .. } = &item {
                if era(&version) == Era::Stateful {
                    let answer = match client::answer(&version, method, params.as_ref()) {
                        Ok(result) => jsonrpc::result(id, result),
                        Err((code, message)) => jsonrpc::error(id, code, &message),
                    };
                    let frame = Frame::new(to_bytes(&answer));
                    let mut log = lock(&log);
                    log.push(Sent { role: Role::Answer, frame: frame.clone() });
                    let _ = queue.send(Job { frame, origin: None, headers: Vec::new() });
                }
            }
            if out.send(item).is_err() {
                return;
            }
        }
    }
}

/// Turn one frame into what the judge sees.
fn classify(channel: Arc<str>, origin: Option<Value>, bytes: Bytes, http_status: Option<u16>) -> Vec<Incoming> {
    let garbage = |why: String| {
        let kept = bytes.slice(..bytes.len().min(MAX_RECEIVED_TEXT));
        vec![Incoming::Garbage { channel: channel.clone(), origin: origin.clone(), bytes: kept, why, http_status }]
    };
    match jsonrpc::parse(&bytes) {
        Ok(frame) => vec![Incoming::Message { message: frame.message, json: frame.json, origin, in_array: false, id_absent: false }],
        Err(FrameError::Batch(_)) => {
            let values: Vec<Value> = serde_json::from_slice(&bytes).unwrap_or_default();
            let items: Option<Vec<(Message, Value, bool)>> =
                values.into_iter().map(|item| message_of(&item).map(|(message, absent)| (message, item, absent))).collect();
            match items {
                // Whether an array may come is the judge's call: it knows what was sent.
                Some(items) if !items.is_empty() => vec![Incoming::Batch { channel, origin, items }],
                _ => garbage("a JSON array that is not a batch of JSON-RPC messages".into()),
            }
        }
        Err(e) => match serde_json::from_slice::<Value>(&bytes).ok().and_then(|json| message_of(&json).map(|m| (m, json))) {
            Some(((message, id_absent), json)) => vec![Incoming::Message { message, json, origin, in_array: false, id_absent }],
            None => garbage(e.to_string()),
        },
    }
}

/// A message, also the one shape `jsonrpc::classify` refuses but newer
/// schemas allow: an error response with no `id` member (2025-11-25 on).
fn message_of(value: &Value) -> Option<(Message, bool)> {
    if let Ok(message) = jsonrpc::classify(value) {
        return Some((message, false));
    }
    let object = value.as_object()?;
    let bare_error = object.get("jsonrpc") == Some(&json!("2.0"))
        && !object.contains_key("id")
        && !object.contains_key("method")
        && !object.contains_key("result");
    let error = object.get("error").filter(|_| bare_error)?;
    Some((Message::Error { id: Value::Null, error: error.clone() }, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that never reads its stdin: once the pipe is full, a write
    /// cannot finish, and the connection must end rather than leave every
    /// later frame unsent behind the stuck one.
    #[tokio::test]
    async fn a_write_the_server_never_takes_ends_the_connection() {
        let target = Target::Stdio { program: "sleep".into(), args: vec!["30".into()], env: vec![] };
        let timeout = Duration::from_millis(300);
        // The stateless era has no handshake: nothing needs an answer to open.
        let mut wire = Wire::open(&target, "2026-07-28", &Limits::default(), timeout, timeout).await.unwrap();
        let huge = Frame::new(vec![b' '; 1 << 20]);
        wire.send(huge, Role::Input, Vec::new());
        wire.send(Frame::new(b"{}".to_vec()), Role::Input, Vec::new());
        let mut seen = Vec::new();
        let ended = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(item) = wire.next().await {
                match item {
                    Incoming::SendFailed { origin, .. } => seen.push(origin),
                    Incoming::Closed { detail } => return detail,
                    _ => {}
                }
            }
            panic!("the reader stopped before the connection was reported closed");
        })
        .await
        .expect("a stuck write must end the connection within its timeout");
        assert!(ended.contains("could not be written"), "{ended}");
        // The failure is the huge frame's, the first that could not go out.
        assert_eq!(seen, vec![Some(json!("#1"))]);
        wire.close().await;
    }
}
