//! The demultiplexer under every session.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reports::{Direction, TranscriptEntry};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::client;
use super::param_headers::{self, Annotation};
use super::SessionOptions;
use crate::jsonrpc::{self, FrameError, Message};
use crate::schema;
use crate::transport::{Event, Events, HttpResponseHead, Outgoing, Transport, TransportError};
use crate::version::{era, Era};

/// Longest message text kept in a transcript entry.
const MAX_TRANSCRIPT_TEXT: usize = 64 * 1024;

/// Ids remembered as answered or given up, to tell a duplicate or late
/// answer from one to an id never sent; the oldest are forgotten past this.
const MAX_REMEMBERED_IDS: usize = 4096;

/// Unsolicited messages (notifications, server requests, stray frames) kept
/// in the transcript of a connection; past this, only those with a problem
/// are kept (up to as many again), so a flooding server cannot exhaust memory.
const MAX_KEPT_UNSOLICITED: usize = 1000;

/// How a request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A response arrived: the whole message (`result` or `error`).
    Response(Value),
    /// No response: why (deadline passed, stream ended, connection closed).
    NoResponse(String),
    /// The response (or what may have been it) exceeded the message limit
    /// and was dropped unread: nothing can be concluded from it.
    TooLarge(String),
}

/// One request and what came of it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The request as sent.
    pub request: Value,
    /// The HTTP response head of the POST, on HTTP transports.
    pub http: Option<HttpResponseHead>,
    /// The answer.
    pub reply: Reply,
    /// Why the request could not even be sent, if it could not.
    pub unsent: Option<Arc<TransportError>>,
}

impl Exchange {
    /// The `result` member, if the server answered with one.
    pub fn result(&self) -> Option<&Value> {
        match &self.reply {
            Reply::Response(message) => message.get("result"),
            Reply::NoResponse(_) | Reply::TooLarge(_) => None,
        }
    }

    /// The `error` member, if the server answered with one.
    pub fn error(&self) -> Option<&Value> {
        match &self.reply {
            Reply::Response(message) => message.get("error"),
            Reply::NoResponse(_) | Reply::TooLarge(_) => None,
        }
    }

    /// The error code, if the server answered with an error.
    pub fn error_code(&self) -> Option<i64> {
        self.error().and_then(|e| e.get("code")).and_then(Value::as_i64)
    }
}

/// A violation noticed on receipt, independent of any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The requirement ID violated.
    pub requirement: &'static str,
    /// Its keyword.
    pub keyword: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: &'static str,
}

/// One transcript entry and what was wrong with it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// The entry as reports show it.
    pub entry: TranscriptEntry,
    /// Violations found in it.
    pub problems: Vec<Problem>,
}

struct Pending {
    method: String,
    /// The request asked for a task (2025-11-25 `params.task`).
    task_augmented: bool,
    reply: oneshot::Sender<Reply>,
    /// A frame's watch for a null-id answer: the tag of the POST it rides
    /// on. Every such watch shares the null key, so only what comes back on
    /// that POST (its end, a null-id error) may settle it, never the end of
    /// an earlier frame's POST read after the next frame was sent.
    post: Option<Value>,
}

struct Shared {
    pending: Mutex<HashMap<String, Pending>>,
    log: Mutex<Vec<LogEntry>>,
    /// The version whose schema checks what arrives.
    version: Mutex<String>,
    /// Why the connection closed, once it has.
    closed: Mutex<Option<String>>,
    /// Oversized frames dropped that no request could be matched with.
    dropped: AtomicUsize,
    /// An oversized frame is being skipped right now (until the next frame):
    /// the answer of any request may be stuck behind it.
    draining: AtomicBool,
    /// Unsolicited messages seen so far (see [`MAX_KEPT_UNSOLICITED`]).
    unsolicited: AtomicUsize,
    /// Requests given up at their deadline: an answer to one is late, not stray.
    expired: Mutex<RecentIds>,
    /// Requests already answered: another answer to one is a duplicate.
    answered: Mutex<RecentIds>,
    started: Instant,
    options: SessionOptions,
    /// Set once the first request has been sent (it gets the startup deadline).
    first_sent: AtomicBool,
    /// Frames sent so far: each frame's POST gets its own tag.
    frames_sent: AtomicU64,
    /// Ids of the `subscriptions/listen` requests sent: the only requests a
    /// 2026-07-28 server may send `notifications/cancelled` for (UTIL-002).
    listens: Mutex<RecentIds>,
    /// Ids of the requests the server sent: a sender never reuses one (L-JSONRPC-001).
    server_ids: Mutex<RecentIds>,
    /// How `elicitation/create` requests are answered (a check may change it).
    elicitation_answer: Mutex<client::ElicitationAnswer>,
    /// Answer the next `sampling/createMessage` that offers tools as a
    /// model calling one ([`Connection::answer_next_sampling_with_tool_use`]).
    sampling_tool_use: AtomicBool,
    /// Requests (and watched frames) given up without an answer once the
    /// connection had closed: the closing, not the server's answer, left
    /// them unanswered (STDIO-009).
    orphaned: AtomicUsize,
}

/// One transport plus the task that reads it.
pub struct Connection {
    transport: Arc<Transport>,
    shared: Arc<Shared>,
    next_id: AtomicI64,
    reader: JoinHandle<()>,
    /// Per tool name, the `x-mcp-header` annotations of its `inputSchema`,
    /// learned from the `tools/list` results seen (2026-07-28).
    param_annotations: Mutex<HashMap<String, Vec<Annotation>>>,
}

/// A bounded set of request ids: past [`MAX_REMEMBERED_IDS`] the oldest go.
#[derive(Default)]
struct RecentIds {
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl RecentIds {
    fn insert(&mut self, id: String) {
        if self.set.insert(id.clone()) {
            self.order.push_back(id);
        }
        while self.order.len() > MAX_REMEMBERED_IDS {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    /// Remember `id`; false if it was remembered already.
    fn insert_new(&mut self, id: String) -> bool {
        let new = !self.set.contains(&id);
        self.insert(id);
        new
    }

    /// Forget `id`; true if it was remembered.
    fn take(&mut self, id: &str) -> bool {
        let found = self.set.remove(id);
        if found {
            self.order.retain(|k| k != id);
        }
        found
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

/// What [`Connection::send_frame`] saw come back.
#[derive(Debug, Clone, Default)]
pub struct FrameExchange {
    /// The HTTP response head of the POST, on HTTP transports.
    pub http: Option<HttpResponseHead>,
    /// The responses that carried one of the watched ids, in arrival order.
    pub answers: Vec<Value>,
    /// Why the frame could not be sent, if it could not.
    pub unsent: Option<String>,
    /// A message over the size limit was dropped meanwhile (perhaps an
    /// answer): a missing answer then proves nothing.
    pub too_large: Option<String>,
}

fn key(id: &Value) -> String {
    id.to_string()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Connection {
    /// Start reading `events` from `transport`; messages are checked against `version`'s schema.
    pub fn new(transport: Transport, events: Events, version: &str, options: SessionOptions) -> Connection {
        let shared = Arc::new(Shared {
            pending: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            version: Mutex::new(version.to_string()),
            closed: Mutex::new(None),
            dropped: AtomicUsize::new(0),
            draining: AtomicBool::new(false),
            unsolicited: AtomicUsize::new(0),
            expired: Mutex::new(RecentIds::default()),
            answered: Mutex::new(RecentIds::default()),
            started: Instant::now(),
            options,
            first_sent: AtomicBool::new(false),
            frames_sent: AtomicU64::new(0),
            listens: Mutex::new(RecentIds::default()),
            server_ids: Mutex::new(RecentIds::default()),
            elicitation_answer: Mutex::new(client::ElicitationAnswer::default()),
            sampling_tool_use: AtomicBool::new(false),
            orphaned: AtomicUsize::new(0),
        });
        let transport = Arc::new(transport);
        let reader = tokio::spawn(read(events, transport.clone(), shared.clone()));
        Connection { transport, shared, next_id: AtomicI64::new(1), reader, param_annotations: Mutex::new(HashMap::new()) }
    }

    /// Remember the `x-mcp-header` annotations of the tools in a
    /// `tools/list` result, so that calls mirror them (a tool listed again
    /// replaces what was known of it).
    pub fn learn_tools(&self, result: &Value) {
        let mut known = lock(&self.param_annotations);
        for tool in result.get("tools").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(name), Some(schema)) = (tool.get("name").and_then(Value::as_str), tool.get("inputSchema")) {
                known.insert(name.to_string(), param_headers::annotations(schema).usable);
            }
        }
    }

    /// The `Mcp-Param-*` headers of a `tools/call` with these `params`, as
    /// far as the tool's listing is known.
    pub fn param_headers(&self, params: &Value) -> Vec<(String, String)> {
        let Some(name) = params.get("name").and_then(Value::as_str) else {
            return Vec::new();
        };
        let arguments = params.get("arguments").cloned().unwrap_or(Value::Null);
        lock(&self.param_annotations).get(name).map(|known| param_headers::headers(known, &arguments)).unwrap_or_default()
    }

    /// The transport underneath.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Change the version whose schema checks incoming messages (after negotiation).
    pub fn set_version(&self, version: &str) {
        *lock(&self.shared.version) = version.to_string();
    }

    /// Answer the server's `elicitation/create` requests this way from now on.
    pub fn answer_elicitations(&self, how: client::ElicitationAnswer) {
        *lock(&self.shared.elicitation_answer) = how;
    }

    /// Answer the next `sampling/createMessage` request that offers tools
    /// as a model that calls the first of them ([`client::tool_use_answer`]),
    /// once; `false` takes the wish back. Every other sampling request gets
    /// the usual text answer.
    pub fn answer_next_sampling_with_tool_use(&self, on: bool) {
        self.shared.sampling_tool_use.store(on, Ordering::SeqCst);
    }

    /// The next request id.
    pub fn next_id(&self) -> Value {
        Value::from(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Send a request with a fresh id and wait for its answer until the deadline.
    pub async fn request(&self, method: &str, params: Value, headers: Vec<(String, String)>) -> Exchange {
        let params = (!params.is_null()).then_some(params);
        let message = jsonrpc::request(&self.next_id(), method, params);
        self.send_request(message, headers).await
    }

    /// Send a complete request message (its id and method are read from it).
    pub async fn send_request(&self, message: Value, headers: Vec<(String, String)>) -> Exchange {
        let id = message.get("id").cloned().unwrap_or(Value::Null);
        let method = message.get("method").and_then(Value::as_str).unwrap_or_default().to_string();
        let task_augmented = message.pointer("/params/task").is_some();
        if method == "subscriptions/listen" {
            lock(&self.shared.listens).insert(key(&id));
        }
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.pending).insert(key(&id), Pending { method, task_augmented, reply: tx, post: None });
        let first = !self.shared.first_sent.swap(true, Ordering::Relaxed);
        let timeout = if first { self.shared.options.startup_timeout } else { self.shared.options.request_timeout };
        let deadline = tokio::time::Instant::now() + timeout;
        let bytes = serde_json::to_vec(&message).unwrap_or_default();
        let mut exchange = Exchange { request: message, http: None, reply: Reply::NoResponse(String::new()), unsent: None };
        if let Some(why) = lock(&self.shared.closed).clone() {
            lock(&self.shared.pending).remove(&key(&id));
            exchange.reply = Reply::NoResponse(format!("not sent: the connection is closed ({why})"));
            // (The lock on `closed` is still held here: count without it.)
            self.shared.orphaned.fetch_add(1, Ordering::Relaxed);
            return exchange;
        }
        self.record(Direction::Sent, "request", &bytes, Vec::new());
        let dropped_before = self.shared.dropped.load(Ordering::Relaxed);
        let outgoing = Outgoing { bytes, id: Some(id.clone()), headers };
        match tokio::time::timeout_at(deadline, self.transport.send(outgoing)).await {
            Ok(Ok(report)) => exchange.http = report.http,
            Ok(Err(e)) => {
                lock(&self.shared.pending).remove(&key(&id));
                exchange.reply = Reply::NoResponse(format!("sending failed: {e}"));
                exchange.unsent = Some(Arc::new(e));
                // A stdio server that is going refuses writes before its stdout is seen closed.
                self.shared.orphaned.fetch_add(1, Ordering::Relaxed);
                return exchange;
            }
            Err(_) => {
                exchange.reply = self.timed_out(&id, timeout, dropped_before);
                self.count_if_orphaned(false);
                return exchange;
            }
        }
        exchange.reply = match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Reply::NoResponse("the connection's reader stopped".into()),
            Err(_) => self.timed_out(&id, timeout, dropped_before),
        };
        self.count_if_orphaned(matches!(exchange.reply, Reply::Response(_)));
        exchange
    }

    /// Count a request given up unanswered after the connection closed.
    fn count_if_orphaned(&self, answered: bool) {
        if !answered && lock(&self.shared.closed).is_some() {
            self.shared.orphaned.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How many requests (and watched frames) went unanswered because the
    /// connection had closed; compare two readings to see if a span of
    /// work lost any to the closing.
    pub fn orphaned(&self) -> usize {
        self.shared.orphaned.load(Ordering::Relaxed)
    }

    /// Send `bytes` exactly as given (malformed JSON, a batch, a request with
    /// an id of our choosing) and collect the responses that carry one of
    /// `watch` (id and method, for the schema check; JSON `null` included),
    /// until `done` holds for the answers so far or `wait` has passed. An
    /// answer that comes later to a watched id is late, not stray.
    pub async fn send_frame(
        &self,
        bytes: Vec<u8>,
        headers: Vec<(String, String)>,
        watch: &[(Value, &str)],
        wait: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> FrameExchange {
        use futures_util::stream::{FuturesUnordered, StreamExt};
        let mut exchange = FrameExchange::default();
        let mut waiting = FuturesUnordered::new();
        // HTTP transports tag what comes back on this POST with the first
        // non-null id, or else with a tag of this frame's own.
        let frame_tag = || json!({ "mcp-conform-frame": self.shared.frames_sent.fetch_add(1, Ordering::Relaxed) });
        let origin = watch.iter().map(|(id, _)| id.clone()).find(|id| !id.is_null()).unwrap_or_else(frame_tag);
        for (id, method) in watch {
            let (tx, rx) = oneshot::channel();
            let post = id.is_null().then(|| origin.clone());
            lock(&self.shared.pending).insert(key(id), Pending { method: method.to_string(), task_augmented: false, reply: tx, post });
            waiting.push(rx);
        }
        self.shared.first_sent.store(true, Ordering::Relaxed);
        self.record(Direction::Sent, "frame", &bytes, Vec::new());
        let dropped_before = self.shared.dropped.load(Ordering::Relaxed);
        let outgoing = Outgoing { bytes, id: Some(origin), headers };
        // Writing gets the whole request deadline (a stdio frame cut off
        // mid-write would leave the stream unframed); `wait` bounds the answers.
        let send_within = wait.max(self.shared.options.request_timeout);
        match tokio::time::timeout(send_within, self.transport.send(outgoing)).await {
            Ok(Ok(report)) => exchange.http = report.http,
            Ok(Err(e)) => exchange.unsent = Some(e.to_string()),
            Err(_) => exchange.unsent = Some(format!("sending took longer than {send_within:?}")),
        }
        let deadline = tokio::time::Instant::now() + wait;
        while exchange.unsent.is_none() && !waiting.is_empty() && !done(&exchange.answers) {
            match tokio::time::timeout_at(deadline, waiting.next()).await {
                Ok(Some(Ok(Reply::Response(message)))) => exchange.answers.push(message),
                Ok(Some(Ok(Reply::TooLarge(why)))) => exchange.too_large = Some(why),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let dropped = self.shared.dropped.load(Ordering::Relaxed) > dropped_before;
        if exchange.too_large.is_none() && (dropped || self.shared.draining.load(Ordering::Relaxed)) {
            exchange.too_large = Some("a message over the size limit was dropped meanwhile (perhaps an answer; raise --max-message-size)".into());
        }
        for (id, _) in watch {
            if lock(&self.shared.pending).remove(&key(id)).is_some() {
                lock(&self.shared.expired).insert(key(id));
            }
        }
        if exchange.unsent.is_some() {
            self.shared.orphaned.fetch_add(1, Ordering::Relaxed);
        } else if !watch.is_empty() {
            self.count_if_orphaned(done(&exchange.answers));
        }
        exchange
    }

    /// Give up on request `id` at its deadline. If an oversized message was
    /// dropped meanwhile, it may have been the answer: say so.
    fn timed_out(&self, id: &Value, timeout: Duration, dropped_before: usize) -> Reply {
        lock(&self.shared.pending).remove(&key(id));
        lock(&self.shared.expired).insert(key(id));
        self.event(format!("request {id}: no response within {timeout:?}"));
        let dropped = self.shared.dropped.load(Ordering::Relaxed) > dropped_before;
        if dropped || self.shared.draining.load(Ordering::Relaxed) {
            Reply::TooLarge(format!(
                "no response within {timeout:?}, and meanwhile a message over the size limit was dropped (perhaps the response; raise --max-message-size)"
            ))
        } else {
            Reply::NoResponse(format!("no response within {timeout:?}"))
        }
    }

    /// Stop waiting for the answer to request `id` (a check gave up on it
    /// at a deadline of its own): a later answer is recorded as late.
    pub fn forget(&self, id: &Value) {
        lock(&self.shared.pending).remove(&key(id));
        lock(&self.shared.expired).insert(key(id));
    }

    /// Wait up to `within` for the connection to close (stdout ended, or
    /// the HTTP streams); true once it has.
    pub async fn wait_closed(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while lock(&self.shared.closed).is_none() {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Send a notification.
    pub async fn notify(
        &self,
        method: &str,
        params: Option<Value>,
        headers: Vec<(String, String)>,
    ) -> Result<(), TransportError> {
        let bytes = serde_json::to_vec(&jsonrpc::notification(method, params)).unwrap_or_default();
        self.record(Direction::Sent, "notification", &bytes, Vec::new());
        send_bounded(&self.transport, Outgoing { bytes, id: None, headers }, self.shared.options.request_timeout).await
    }

    /// Close the transport and stop reading.
    pub async fn close(&self) {
        let detail = self.transport.close().await;
        self.closed(detail);
    }

    /// As [`Connection::close`], killing a stdio server that has not exited
    /// `grace` after its stdin closed.
    pub async fn close_within(&self, grace: Duration) {
        let detail = self.transport.close_within(grace).await;
        self.closed(detail);
    }

    fn closed(&self, detail: String) {
        self.event(detail);
        self.reader.abort();
    }

    /// How long a request may wait for its answer.
    pub fn request_timeout(&self) -> Duration {
        self.shared.options.request_timeout
    }

    /// Add an entry to the transcript: what a check sent or received outside
    /// the connection's own messages (a raw HTTP probe, for instance).
    pub fn log(&self, direction: Direction, channel: &str, text: &str) {
        self.shared.record(direction, channel, text.as_bytes(), Vec::new());
    }

    /// The deadlines requests get.
    pub fn options(&self) -> &SessionOptions {
        &self.shared.options
    }

    /// Add a harness note to the transcript (what a check did or saw).
    pub fn note(&self, text: String) {
        self.event(text);
    }

    /// A position in the transcript, for [`Connection::since`].
    pub fn mark(&self) -> usize {
        lock(&self.shared.log).len()
    }

    /// Every entry recorded since `mark`.
    pub fn since(&self, mark: usize) -> Vec<LogEntry> {
        lock(&self.shared.log).get(mark..).map(<[LogEntry]>::to_vec).unwrap_or_default()
    }

    fn record(&self, direction: Direction, channel: &str, bytes: &[u8], problems: Vec<Problem>) {
        self.shared.record(direction, channel, bytes, problems);
    }

    fn event(&self, text: String) {
        self.shared.record(Direction::Event, "harness", text.as_bytes(), Vec::new());
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Shared {
    /// The answer to a server's `sampling/createMessage`: a model calling
    /// a tool when a check asked for it once and the request offers tools,
    /// otherwise the usual text.
    fn sampling_answer(&self, version: &str, params: Option<&Value>) -> Result<Value, (i64, String)> {
        let tool_use = params.and_then(client::tool_use_answer);
        match tool_use.filter(|_| self.sampling_tool_use.swap(false, Ordering::SeqCst)) {
            Some(answer) => Ok(answer),
            None => client::answer(version, "sampling/createMessage", params),
        }
    }

    fn record(&self, direction: Direction, channel: &str, bytes: &[u8], problems: Vec<Problem>) {
        let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_TRANSCRIPT_TEXT)]).into_owned();
        if bytes.len() > MAX_TRANSCRIPT_TEXT {
            text.push_str(&format!(" … ({} more bytes)", bytes.len() - MAX_TRANSCRIPT_TEXT));
        }
        let entry = TranscriptEntry {
            at_ms: self.started.elapsed().as_millis() as u64,
            direction,
            channel: channel.to_string(),
            text,
        };
        lock(&self.log).push(LogEntry { entry, problems });
    }

    /// Record an unsolicited message, within the budget.
    fn record_unsolicited(&self, channel: &str, bytes: &[u8], problems: Vec<Problem>) {
        let seen = self.unsolicited.fetch_add(1, Ordering::Relaxed);
        if seen == MAX_KEPT_UNSOLICITED {
            let note = format!("more than {MAX_KEPT_UNSOLICITED} unsolicited messages: later ones are checked, and kept only if faulty");
            self.record(Direction::Event, "harness", note.as_bytes(), Vec::new());
        }
        let keep = seen < MAX_KEPT_UNSOLICITED || (!problems.is_empty() && seen < 2 * MAX_KEPT_UNSOLICITED);
        if keep {
            self.record(Direction::Received, channel, bytes, problems);
        }
    }

    /// 2026-07-28: a `notifications/cancelled` from the server only ever
    /// tears down a listen stream (UTIL-002); on stdio a notification comes
    /// for a request in flight or, tagged, for an open listen (STDIO-005),
    /// so an untagged one while no request is in flight (nor given up at a
    /// deadline, which the server may still be working on) is out of place.
    fn stateless_notification_problem(&self, channel: &str, method: &str, message: &Value) -> Option<Problem> {
        let cancelled = message.pointer("/params/requestId");
        if method == "notifications/cancelled" {
            let listen = cancelled.is_some_and(|id| lock(&self.listens).contains(&key(id)));
            return (!listen).then(|| Problem {
                requirement: "UTIL-002",
                keyword: "MUST NOT",
                message: format!(
                    "the server sent notifications/cancelled for request {}, which is no subscriptions/listen request",
                    cancelled.map_or("(none)".to_string(), Value::to_string)
                ),
                hint: "Send notifications/cancelled only to end a subscriptions/listen stream",
            });
        }
        let tagged = message.pointer("/params/_meta/io.modelcontextprotocol~1subscriptionId").is_some();
        let idle = lock(&self.pending).is_empty() && lock(&self.expired).set.is_empty();
        (channel == "stdout" && !tagged && idle).then(|| Problem {
            requirement: "STDIO-005",
            keyword: "(prose)",
            message: format!("the server sent `{method}` while no request was in flight, without a listen stream's subscriptionId"),
            hint: "On stdio send notifications only for a request in flight, or tagged for an open subscriptions/listen",
        })
    }

    /// A request id of the server's is a string or an integer, never
    /// null, and new in the session (L-JSONRPC-001; reuse is judged on stdio).
    fn server_request_id_problem(&self, channel: &str, id: &Value, method: &str) -> Option<Problem> {
        let why = match id {
            Value::Null => "null".to_string(),
            Value::Number(n) if !(n.is_i64() || n.is_u64()) => format!("{n}, a number that is not an integer"),
            // Over HTTP a resumed SSE stream may deliver a request again; stdio never does.
            _ if channel == "stdout" && !lock(&self.server_ids).insert_new(key(id)) => {
                format!("{id}, which an earlier request of the server's already had")
            }
            _ => return None,
        };
        Some(Problem {
            requirement: "L-JSONRPC-001",
            keyword: "MUST",
            message: format!("the server's `{method}` request has the id {why}"),
            hint: "Give each request you send a new string or integer id: never null, never one used before in the session",
        })
    }

    fn take_pending(&self, id: &Value) -> Option<Pending> {
        lock(&self.pending).remove(&key(id))
    }

    /// The null-id watch of the frame whose POST is tagged `origin`, if it waits still.
    fn take_null_watch(&self, origin: &Value) -> Option<Pending> {
        let mut pending = lock(&self.pending);
        let null = key(&Value::Null);
        let ours = pending.get(&null).is_some_and(|p| p.post.as_ref() == Some(origin));
        if ours {
            pending.remove(&null)
        } else {
            None
        }
    }

    fn version(&self) -> String {
        lock(&self.version).clone()
    }
}

/// Send a message that no response will answer, giving up after `within`:
/// a server that never takes it (never sends the POST's response head,
/// never reads its stdin) must not hang the harness.
async fn send_bounded(transport: &Transport, outgoing: Outgoing, within: Duration) -> Result<(), TransportError> {
    match tokio::time::timeout(within, transport.send(outgoing)).await {
        Ok(sent) => sent.map(|_| ()),
        Err(_) => Err(TransportError::NotTaken(within)),
    }
}

/// The reader: every event of the connection, until it closes.
async fn read(mut events: Events, transport: Arc<Transport>, shared: Arc<Shared>) {
    while let Some(event) = events.recv().await {
        match event {
            Event::Frame { channel, origin, bytes } => {
                shared.draining.store(false, Ordering::Relaxed);
                let replies = on_frame(&shared, &channel, origin.as_ref(), &bytes);
                for (message, headers) in replies {
                    let bytes = serde_json::to_vec(&message).unwrap_or_default();
                    shared.record(Direction::Sent, "response", &bytes, Vec::new());
                    let outgoing = Outgoing { bytes, id: None, headers };
                    if let Err(e) = send_bounded(&transport, outgoing, shared.options.request_timeout).await {
                        shared.record(Direction::Event, "harness", format!("answering failed: {e}").as_bytes(), Vec::new());
                    }
                }
            }
            Event::StreamEnded { channel, origin } => {
                let ended = origin.as_ref().and_then(|origin| shared.take_pending(origin).or_else(|| shared.take_null_watch(origin)));
                if let Some(pending) = ended {
                    let why = format!("{channel} ended without a response");
                    shared.record(Direction::Event, &channel, why.as_bytes(), Vec::new());
                    let _ = pending.reply.send(Reply::NoResponse(why));
                }
            }
            Event::Oversized { channel, origin, size, limit } => {
                let text = format!("a message exceeded the {limit}-byte message limit (at {size} bytes) and is dropped");
                shared.record(Direction::Event, &channel, text.as_bytes(), Vec::new());
                shared.draining.store(true, Ordering::Relaxed);
                match origin.as_ref().and_then(|id| shared.take_pending(id)) {
                    Some(pending) => {
                        let _ = pending.reply.send(Reply::TooLarge(format!("{text} (raise --max-message-size)")));
                    }
                    None => {
                        shared.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Event::Note { channel, text } => shared.record(Direction::Event, &channel, text.as_bytes(), Vec::new()),
            Event::Closed { detail } => {
                shared.draining.store(false, Ordering::Relaxed);
                shared.record(Direction::Event, "harness", detail.as_bytes(), Vec::new());
                *lock(&shared.closed) = Some(detail.clone());
                for (_, pending) in lock(&shared.pending).drain() {
                    let _ = pending.reply.send(Reply::NoResponse(format!("the connection closed: {detail}")));
                }
            }
        }
    }
}

/// Handle one frame; returns the answers to send to server requests.
fn on_frame(shared: &Shared, channel: &str, origin: Option<&Value>, bytes: &[u8]) -> Vec<(Value, Vec<(String, String)>)> {
    let version = shared.version();
    let frame = match jsonrpc::parse(bytes) {
        Ok(frame) => frame,
        Err(FrameError::Batch(_)) if version == "2025-03-26" => {
            // 2025-03-26 lets a server answer a batch with an array: take each in turn.
            let items: Vec<Value> = serde_json::from_slice(bytes).unwrap_or_default();
            shared.record(Direction::Received, channel, bytes, Vec::new());
            let mut replies = Vec::new();
            for item in items {
                let text = serde_json::to_vec(&item).unwrap_or_default();
                replies.extend(on_frame(shared, channel, origin, &text));
            }
            return replies;
        }
        Err(e) => {
            let requirement = frame_error_requirement(&e, channel);
            let problem = Problem {
                requirement,
                keyword: if requirement == "STDIO-001" { "MUST NOT" } else { "MUST" },
                message: format!("the server sent something that is not a JSON-RPC message: {e}"),
                hint: match requirement {
                    "STDIO-002" => "Write only JSON-RPC messages to stdout, one per line; send logs to stderr",
                    "STDIO-001" => "Write each message on one line: serialize it compactly, with no newline inside",
                    "JSONRPC-002" => "Encode every message as UTF-8",
                    _ => "Send only JSON-RPC 2.0 messages: one JSON object with \"jsonrpc\": \"2.0\" per frame",
                },
            };
            shared.record_unsolicited(channel, bytes, vec![problem]);
            return Vec::new();
        }
    };
    let schema = schema::bundle().version(&version);
    let mut problems = Vec::new();
    if era(&version) == Era::Stateless {
        problems.extend(trace_context_problems(&frame.json));
    }
    let mut check = |definition: Option<&str>, instance: &Value, requirement: &'static str, what: &str| {
        let (Some(schema), Some(definition)) = (schema, definition) else { return };
        if let Err(violations) = schema.validate(definition, instance) {
            for v in violations.into_iter().take(5) {
                problems.push(Problem {
                    requirement,
                    keyword: "(schema)",
                    message: format!("{what} does not match {definition} ({version}) at `{}`: {}", v.instance_path, v.message),
                    hint: "Send messages that match the schema of the negotiated protocol version",
                });
            }
        }
    };
    let mut replies = Vec::new();
    match &frame.message {
        Message::Result { id, .. } | Message::Error { id, .. } => {
            let is_error = matches!(frame.message, Message::Error { .. });
            // An error with a null id on an HTTP response belongs to what was
            // POSTed: the frame's null-id watch, else the request.
            let pending = match (id, origin) {
                (Value::Null, Some(origin)) if is_error => shared.take_null_watch(origin).or_else(|| shared.take_pending(origin)),
                _ => shared.take_pending(id),
            };
            match pending {
                Some(pending) => {
                    lock(&shared.answered).insert(key(id));
                    let schemas = schema.map(|s| response_definitions(s, &version, &pending.method, pending.task_augmented, &frame.json, is_error)).unwrap_or_default();
                    // A null id is JSON-RPC's answer to a request whose id could not be
                    // read (JSONRPC-007), which some schemas cannot express: check the rest.
                    let patched;
                    let json = match &frame.json {
                        Value::Object(message) if id.is_null() && is_error => {
                            let mut message = message.clone();
                            message.insert("id".into(), Value::from(0));
                            patched = Value::Object(message);
                            &patched
                        }
                        json => json,
                    };
                    for (definition, pointer, requirement) in schemas {
                        let instance = json.pointer(pointer).unwrap_or(&Value::Null);
                        check(Some(definition), instance, requirement, &format!("the response to `{}`", pending.method));
                    }
                    shared.record(Direction::Received, channel, bytes, problems);
                    let _ = pending.reply.send(Reply::Response(frame.json.clone()));
                    return replies;
                }
                // An answer after its request's deadline: late, which the timeout already reported.
                // The first answer after its request's deadline is late, which
                // the timeout already reported; a second one is a duplicate.
                None if lock(&shared.expired).take(&key(id)) => {
                    lock(&shared.answered).insert(key(id));
                    let note = format!("(a late answer to request {id}, which was given up at its deadline)");
                    shared.record(Direction::Received, channel, bytes, Vec::new());
                    shared.record(Direction::Event, "harness", note.as_bytes(), Vec::new());
                    return replies;
                }
                None => problems.push(unmatched_response(id, is_error, lock(&shared.answered).contains(&key(id)))),
            }
        }
        // A notification's method with an id: the notification breaks
        // JSONRPC-015, and is not answered as if it were a request.
        Message::Request { id, method, .. } if method.starts_with("notifications/") => {
            problems.push(Problem {
                requirement: "JSONRPC-015",
                keyword: "MUST NOT",
                message: format!("the server sent the notification `{method}` with an id ({id})"),
                hint: "Send notifications without an `id` member",
            });
        }
        Message::Request { id, method, params } => {
            if era(&version) == Era::Stateless {
                // Over HTTP the request travels on an SSE stream, which HTTP-010 forbids.
                let requirement = if channel == "stdout" { "STDIO-004" } else { "HTTP-010" };
                problems.push(Problem {
                    requirement,
                    keyword: "MUST NOT",
                    message: format!("the server sent a `{method}` request; in {version} servers never originate requests"),
                    hint: "In 2026-07-28 ask the client for input with an input_required result, not with a request",
                });
            } else {
                check(schema.and_then(|s| s.request_definition(method)), &frame.json, "JSONRPC-001", &format!("the server's `{method}` request"));
                problems.extend(shared.server_request_id_problem(channel, id, method));
                let answered = match method.as_str() {
                    "elicitation/create" => client::answer_elicitation(*lock(&shared.elicitation_answer), params.as_ref()),
                    "sampling/createMessage" => shared.sampling_answer(&version, params.as_ref()),
                    _ => client::answer(&version, method, params.as_ref()),
                };
                let answer = match answered {
                    Ok(result) => jsonrpc::result(id, result),
                    Err((code, message)) => jsonrpc::error(id, code, &message),
                };
                replies.push((answer, Vec::new()));
            }
        }
        Message::Notification { method, .. } => {
            check(schema.and_then(|s| s.notification_definition(method)), &frame.json, "JSONRPC-001", &format!("the `{method}` notification"));
            if era(&version) == Era::Stateless {
                problems.extend(shared.stateless_notification_problem(channel, method, &frame.json));
            }
        }
    }
    // Responses returned above; what is left came unasked.
    shared.record_unsolicited(channel, bytes, problems);
    replies
}

/// 2026-07-28: `traceparent`, `tracestate` and `baggage` in the `_meta` of
/// a message's params or result follow the W3C syntax (JSONRPC-019).
fn trace_context_problems(message: &Value) -> Vec<Problem> {
    let metas = ["/params/_meta", "/result/_meta"].into_iter().filter_map(|p| message.pointer(p)).filter_map(Value::as_object);
    metas
        .flat_map(jsonrpc::trace_context::problems)
        .map(|(key, why)| Problem {
            requirement: "JSONRPC-019",
            keyword: "MUST",
            message: format!("`_meta.{key}` is not W3C syntax: {why}"),
            hint: "Write traceparent and tracestate as W3C Trace Context and baggage as W3C Baggage define them",
        })
        .collect()
}

/// The requirement a frame that is not one JSON-RPC message breaks: bytes
/// that are not UTF-8 (JSONRPC-002), a `jsonrpc` member other than `"2.0"`
/// (JSONRPC-001), on stdout a line that ends inside its JSON value, i.e. a
/// message with a newline in it (STDIO-001), or else anything else on
/// stdout (STDIO-002); an array outside 2025-03-26 is a batch, which the
/// version does not have (JSONRPC-017).
fn frame_error_requirement(error: &FrameError, channel: &str) -> &'static str {
    match (error, channel) {
        (FrameError::NotUtf8(_), _) => "JSONRPC-002",
        (FrameError::WrongVersion(_), _) => "JSONRPC-001",
        (FrameError::Unfinished(_), "stdout") => "STDIO-001",
        (_, "stdout") => "STDIO-002",
        (FrameError::Batch(_), _) => "JSONRPC-017",
        _ => "JSONRPC-001",
    }
}

/// A response that matches no request in flight: a second answer to one
/// already answered, or an answer to an id the harness never sent. Results
/// must repeat their request's id (JSONRPC-003), errors too (JSONRPC-007).
fn unmatched_response(id: &Value, is_error: bool, answered: bool) -> Problem {
    let requirement = if is_error { "JSONRPC-007" } else { "JSONRPC-003" };
    let kind = if is_error { "an error" } else { "a result" };
    let message = if id.is_null() {
        format!("{kind} with id null, which matches no request the harness sent")
    } else if answered {
        format!("{kind} for request {id}, which was already answered: a request gets exactly one response")
    } else {
        format!("{kind} with id {id}, which the harness never sent (ids are compared with their JSON type: \"1\" is not 1)")
    };
    Problem { requirement, keyword: "MUST", message, hint: "Answer each request exactly once, repeating its id with the same value and type" }
}

/// The problems the schema check on receipt finds in `message`, a response
/// to a `method` request, at `version`: the same check every connection
/// applies, for callers that match responses to requests themselves (the
/// fuzzer sends bytes a [`Connection`] cannot route).
pub fn response_problems(version: &str, method: &str, message: &Value) -> Vec<Problem> {
    let Some(schema) = schema::bundle().version(version) else { return Vec::new() };
    let is_error = message.get("error").is_some();
    let mut problems = Vec::new();
    // The request is not known here: a result that says it is a task is taken at its word.
    let task_augmented = message.pointer("/result/task").is_some();
    for (definition, pointer, requirement) in response_definitions(schema, version, method, task_augmented, message, is_error) {
        let instance = message.pointer(pointer).unwrap_or(&Value::Null);
        if let Err(violations) = schema.validate(definition, instance) {
            problems.extend(violations.into_iter().take(5).map(|v| Problem {
                requirement,
                keyword: "(schema)",
                message: format!(
                    "the response to `{method}` does not match {definition} ({version}) at `{}`: {}",
                    v.instance_path, v.message
                ),
                hint: "Send messages that match the schema of the negotiated protocol version",
            }));
        }
    }
    problems
}

/// The definitions a response is checked against: each with the part of the
/// message it describes (a JSON pointer) and the requirement it stands for.
fn response_definitions(
    schema: &schema::VersionSchema,
    version: &str,
    method: &str,
    task_augmented: bool,
    message: &Value,
    is_error: bool,
) -> Vec<(&'static str, &'static str, &'static str)> {
    let envelope_error = if schema.has("JSONRPCErrorResponse") { "JSONRPCErrorResponse" } else { "JSONRPCError" };
    if is_error {
        let mut list = vec![(envelope_error, "", "JSONRPC-008")];
        let code = message.pointer("/error/code").and_then(Value::as_i64);
        if code == Some(-32022) && schema.has("UnsupportedProtocolVersionError") {
            list.push(("UnsupportedProtocolVersionError", "", "LIFECYCLE-006"));
        }
        return list;
    }
    let envelope = if schema.has("JSONRPCResultResponse") { "JSONRPCResultResponse" } else { "JSONRPCResponse" };
    let mut list = vec![(envelope, "", "JSONRPC-004")];
    // An interim `input_required` result (2026-07-28) is checked as what it
    // says it is; the per-method response unions would let a broken final
    // result pass as an interim one.
    let interim = message.pointer("/result/resultType").and_then(Value::as_str) == Some("input_required");
    // A task-augmented request is answered with a CreateTaskResult when the
    // receiver made a task; one that ignored the task answers normally.
    let created_task = task_augmented && message.pointer("/result/task").is_some();
    let definition = if interim && schema.has("InputRequiredResult") {
        Some("InputRequiredResult")
    } else if created_task && schema.has("CreateTaskResult") {
        Some("CreateTaskResult")
    } else {
        schema.result_definition(method)
    };
    if let Some(definition) = definition {
        list.push((definition, "/result", requirement_of_result(version, method)));
    }
    list
}

/// The requirement a method's result schema stands for: the method's own
/// where the catalogue has one; otherwise, in the handshake era, "use only
/// what the negotiated version defines", and in 2026-07-28 the result rule.
fn requirement_of_result(version: &str, method: &str) -> &'static str {
    match (method, era(version)) {
        ("initialize", _) => "L-LIFE-001",
        ("server/discover", _) => "LIFECYCLE-003",
        ("ping", _) => "L-PING-001",
        (_, Era::Stateful) => "L-LIFE-004",
        (_, Era::Stateless) => "JSONRPC-004",
    }
}
