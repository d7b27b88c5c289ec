//! Methods to handlers, for both eras of the protocol.
//!
//! A dual-era server picks the era from the opening move
//! (`versioning.mdx` §Backward Compatibility, LIFECYCLE-018):
//!
//! * `initialize` starts a **legacy session** scoped to the stdio process
//!   (or, over HTTP, to the `Mcp-Session-Id` the transport issues). From then
//!   on requests without modern `_meta` are served at the negotiated version.
//! * a request whose `params._meta` carries the per-request keys
//!   (`io.modelcontextprotocol/protocolVersion`, `.../clientCapabilities`)
//!   is served **statelessly** as 2026-07-28, whatever came before on the
//!   same connection (LIFECYCLE-010).
//! * anything else before a session exists is a modern request lacking its
//!   required `_meta`: -32602 (LIFECYCLE-007), except `ping`, which is
//!   answered at any time in the handshake era (L-PING-001), and unknown
//!   methods, which are -32601.
//!
//! Methods, by era (the handshake era has them all from 2024-11-05 on):
//!
//! | method | handshake era | 2026-07-28 |
//! | ------ | ------------- | ---------- |
//! | `ping` | yes | no |
//! | `tools/list`, `tools/call` | yes | yes |
//! | `resources/list`, `resources/read`, `resources/templates/list` | yes | yes |
//! | `resources/subscribe`, `resources/unsubscribe` | yes | no (`subscriptions/listen`) |
//! | `prompts/list`, `prompts/get`, `completion/complete` | yes | yes |
//! | `logging/setLevel` | yes | no (`_meta` logLevel) |
//! | `server/discover`, `subscriptions/listen` | no | yes |
//!
//! Every list is paginated ([`crate::pagination`]); the capabilities
//! declared are exactly these ([`Dispatcher::capabilities`]).
//!
//! [`Route`] names these cases. [`Dispatcher::accept`] is the synchronous
//! front half for transports that carry bare JSON-RPC (stdio, HTTP+SSE): it
//! applies everything that must happen in arrival order (the handshake,
//! `notifications/initialized`, `notifications/cancelled`, routing client
//! responses to the server requests waiting for them) and hands back each
//! other request as a [`Job`], which the transport runs as a task of its own
//! while it keeps reading. That is what lets the `ask` tool wait for the
//! client's answers, and what lets `notifications/cancelled` stop a request
//! in flight (see [`crate::peer`]). Streamable HTTP calls the per-route
//! methods and builds jobs itself because it must also look at headers and
//! choose HTTP status codes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use futures_util::FutureExt;
use serde_json::{json, Map, Value};

use crate::ask::{self, Stateless};
use crate::carried_state;
use crate::conformance_fixtures;
use crate::input_required_fixtures;
use crate::request_state;
use crate::faults::{Fault, FaultSet};
use crate::pagination::{self, Page};
use crate::peer::{self, ClientLink, Peer};
use crate::protocol::message::error_response;
use crate::protocol::meta::{self, RequestMeta};
use crate::protocol::{classify, code, ClientCapabilities, Era, Incoming, Notification, ProtocolVersion, Rejected, Request, RpcError};
use crate::running;
use crate::url_elicitation;
use crate::tool_loop;
use crate::trace;
use crate::tools::{self, Call};
use crate::{completion, listen, prompts, resources, tasks};

/// `instructions` of `InitializeResult` and `DiscoverResult`.
pub const INSTRUCTIONS: &str = "Reference server of mcp-conform. Tools: echo, add, fail, ask, progress, slow, \
log, touch, toggle; resources under ref:// (and templates); prompts greeting, summarize-item, simple. Every list is \
paginated; see the tools' descriptions.";

/// `ttlMs` of `server/discover` and `tools/list` results (2026-07-28).
pub const CACHE_TTL_MS: u64 = 300_000;

/// A handshake-era session: what `initialize` negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegacySession {
    /// The negotiated version.
    pub version: ProtocolVersion,
    /// Whether `notifications/initialized` arrived.
    pub initialized: bool,
    /// What the client declared in `initialize` (as far as `ask` cares).
    pub capabilities: ClientCapabilities,
}

impl LegacySession {
    /// A session that has just answered `initialize`.
    pub fn new(version: ProtocolVersion, capabilities: ClientCapabilities) -> LegacySession {
        LegacySession {
            version,
            initialized: false,
            capabilities,
        }
    }
}

/// Per-connection state: a stdio process, an HTTP+SSE session, or (for the
/// length of one batch) a Streamable HTTP session.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    /// The legacy session, once `initialize` succeeded.
    pub legacy: Option<LegacySession>,
    /// Server requests waiting for answers, client requests in flight.
    pub peer: Arc<Peer>,
}

/// How a request is to be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The `initialize` handshake.
    Initialize,
    /// A 2026-07-28 request carrying its own `_meta`.
    Modern,
    /// A request inside a legacy session at this version.
    Legacy(ProtocolVersion),
    /// Neither modern `_meta` nor a session yet.
    PreSession,
}

/// Chooses the route for `req` on `conn`.
pub fn route(conn: &Connection, req: &Request) -> Route {
    if req.method == "initialize" {
        Route::Initialize
    } else if meta::carries_modern_meta(req.params.as_ref()) {
        Route::Modern
    } else if let Some(session) = &conn.legacy {
        Route::Legacy(session.version)
    } else {
        Route::PreSession
    }
}

/// The `requestId` a `notifications/cancelled` names, if that is what `n` is.
pub fn cancelled_request(n: &Notification) -> Option<&Value> {
    (n.method == "notifications/cancelled").then(|| n.params.as_ref()?.get("requestId")).flatten()
}

/// What a request gets back.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A `result`.
    Result(Value),
    /// An `error`.
    Error(RpcError),
    /// Nothing for the transport to send: a fault's silence, or a response
    /// the request already sent on its own stream, followed by messages
    /// that had to come after it.
    Silence,
}

impl Answer {
    /// The JSON-RPC response for request `id`, or `None` for silence.
    pub fn into_response(self, id: Value) -> Option<Value> {
        match self {
            Answer::Result(r) => Some(crate::protocol::result_response(id, r)),
            Answer::Error(e) => Some(error_response(id, &e)),
            Answer::Silence => None,
        }
    }
}

impl From<Result<Value, RpcError>> for Answer {
    fn from(r: Result<Value, RpcError>) -> Answer {
        match r {
            Ok(v) => Answer::Result(v),
            Err(e) => Answer::Error(e),
        }
    }
}

/// A request whose route is decided, to be run (possibly waiting for the
/// client) while the transport keeps reading.
#[derive(Clone, Debug)]
pub struct Job {
    id: Value,
    kind: Box<JobKind>,
}

#[derive(Clone, Debug)]
enum JobKind {
    Legacy(LegacySession, Request),
    Modern(RequestMeta, Request),
}

/// Whether `req` is `tools/call` for the `ask` tool.
pub fn is_ask_call(req: &Request) -> bool {
    req.method == "tools/call" && req.param_str("name") == Some(ask::TOOL_NAME)
}

/// Whether `req` is `tools/call` for a tool that may send messages before
/// its response (`ask`, `progress`, `slow`, `log`, and the conformance
/// fixtures that do, [`tools::streams`]).
pub fn is_streaming_call(req: &Request) -> bool {
    req.method == "tools/call" && req.param_str("name").is_some_and(tools::streams)
}

impl Job {
    /// A request inside the legacy `session`.
    pub fn legacy(session: LegacySession, req: Request) -> Job {
        Job {
            id: req.id.clone(),
            kind: Box::new(JobKind::Legacy(session, req)),
        }
    }

    /// A 2026-07-28 request whose `_meta` passed [`Dispatcher::modern_meta`].
    pub fn modern(request_meta: RequestMeta, req: Request) -> Job {
        Job {
            id: req.id.clone(),
            kind: Box::new(JobKind::Modern(request_meta, req)),
        }
    }

    /// The request id.
    pub fn id(&self) -> &Value {
        &self.id
    }

    /// Whether running it may send messages to the client before the
    /// response (Streamable HTTP then answers with an SSE stream): in the
    /// handshake era the tools that ask or talk while they run
    /// ([`is_streaming_call`]).
    pub fn may_message_client(&self, faults: FaultSet) -> bool {
        match self.kind.as_ref() {
            JobKind::Legacy(session, req) => {
                let augmented = session.version.has_tasks() && tasks::is_augmented(&req.params_or_empty());
                (is_streaming_call(req) && !augmented) || (req.method == "tasks/result" && session.version.has_tasks())
            }
            JobKind::Modern(_, req) => is_ask_call(req) && faults.contains(Fault::S2cRequestInStateless),
        }
    }

    /// Whether the request's Streamable HTTP stream closes right after its
    /// priming event (2025-11-25 polling; `test_reconnection`), leaving the
    /// client to resume it with `Last-Event-ID`.
    pub fn closes_stream_early(&self) -> bool {
        match self.kind.as_ref() {
            JobKind::Legacy(session, req) => {
                session.version.has_sse_priming()
                    && req.method == "tools/call"
                    && req.param_str("name") == Some(conformance_fixtures::RECONNECTION_TOOL)
            }
            JobKind::Modern(..) => false,
        }
    }

    /// Runs the request; `peer` is the connection's (its session state),
    /// `link` how it may reach the client (none: it cannot).
    pub async fn run(self, dispatcher: Dispatcher, peer: &Arc<Peer>, link: Option<ClientLink>) -> Answer {
        let id = self.id.clone();
        let (answer, late) = match *self.kind {
            JobKind::Legacy(session, req) => dispatcher.legacy_job(session, &req, peer, link.as_ref()).await,
            JobKind::Modern(request_meta, req) => dispatcher.modern_job(&request_meta, &req, peer, link.as_ref()).await,
        };
        if late.is_empty() {
            return answer;
        }
        // Messages that must follow the response: send both in order here.
        let Some(link) = link else { return answer };
        if let Some(response) = answer.into_response(id) {
            link.send(response).await;
        }
        for message in late {
            link.send(message).await;
        }
        Answer::Silence
    }

    /// Runs the request as the client request it is: a
    /// `notifications/cancelled` through `peer` stops it, and then nothing
    /// is returned (under the `response-after-cancel` fault it runs on and
    /// is answered). Otherwise the JSON-RPC response (none for silence).
    pub async fn respond(self, dispatcher: Dispatcher, peer: &Arc<Peer>, link: Option<ClientLink>) -> Option<Value> {
        let _slot = LoadSlot::take(dispatcher, LoadSlot::client_of(peer)).await?;
        let id = self.id.clone();
        if dispatcher.fault(Fault::CancelStalls) && peer.stalled() {
            return None;
        }
        let trace = self.trace_context().map(|context| Traced { context, modern: matches!(self.kind.as_ref(), JobKind::Modern(..)) });
        if dispatcher.fault(Fault::ResponseAfterCancel) {
            let response = self.run(dispatcher, peer, link.clone()).await.into_response(id)?;
            return finish(response, trace.as_ref(), dispatcher, link.as_ref()).await;
        }
        let answer = peer
            .run_cancellable(&id, |cancelled| self.run(dispatcher, peer, link.clone().map(|l| l.owned_by(cancelled))))
            .await?;
        let response = answer.into_response(id)?;
        finish(response, trace.as_ref(), dispatcher, link.as_ref()).await
    }

    /// The W3C trace context the request carries in `_meta`, if any.
    fn trace_context(&self) -> Option<Map<String, Value>> {
        let (JobKind::Legacy(_, req) | JobKind::Modern(_, req)) = self.kind.as_ref();
        trace::context_of(req.params.as_ref())
    }
}

/// The trace context a request carried, and whether it was a 2026-07-28 one.
struct Traced {
    context: Map<String, Value>,
    modern: bool,
}

/// The response as it goes out: the request's trace continued in it (with
/// the envelope faults that act on traced responses), then the wire faults.
/// `None` when it went out through `link` already, with what must follow it.
async fn finish(mut response: Value, trace: Option<&Traced>, dispatcher: Dispatcher, link: Option<&ClientLink>) -> Option<Value> {
    let Some(trace) = trace else { return dispatcher.wire_faults(response, link).await };
    trace::continue_in(&mut response, &trace.context, dispatcher.faults());
    let before = [
        (dispatcher.fault(Fault::TracedNotificationWithId), trace::notification_with_id(&response)),
        (dispatcher.fault(Fault::ServerCancelsTracedRequest) && trace.modern, trace::cancellation_of(&response)),
    ];
    let after = trace::stray_notification();
    let response = dispatcher.wire_faults(response, link).await?;
    let Some(link) = link else { return Some(response) };
    for (active, message) in before {
        if let (true, Some(message)) = (active, message) {
            link.send(message).await;
        }
    }
    if !(dispatcher.fault(Fault::TracedStrayNotification) && trace.modern) {
        return Some(response);
    }
    link.send(response).await;
    link.send(after).await;
    None
}

/// A `tools/call` of a tool that takes time and does not ask the client.
fn runs_as_streaming_call(req: &Request) -> bool {
    is_streaming_call(req) && !req.param_str("name").is_some_and(tools::asks_client)
}

/// A place in a client's bounded work queue under the
/// `requests-dropped-under-load` fault: each request holds one for at least
/// [`LoadSlot::HOLD`], and a request that finds all [`LoadSlot::QUEUE`] of
/// its client's places taken is dropped unanswered. Clients (a connection's
/// [`Peer`], or all 2026-07-28 HTTP requests together) queue apart, so the
/// versions a run tests side by side do not fill each other's queues.
/// Without the fault every request gets a place at once.
pub struct LoadSlot(Option<usize>);

/// Places taken, by client.
static LOAD_SLOTS_TAKEN: Mutex<BTreeMap<usize, usize>> = Mutex::new(BTreeMap::new());

impl LoadSlot {
    const QUEUE: usize = 8;
    const HOLD: Duration = Duration::from_millis(50);
    /// The client of every 2026-07-28 request over HTTP (no connection state).
    pub const STATELESS_HTTP: usize = 0;

    /// The client that `peer`'s requests come from.
    pub fn client_of(peer: &Arc<Peer>) -> usize {
        Arc::as_ptr(peer) as usize
    }

    fn taken() -> std::sync::MutexGuard<'static, BTreeMap<usize, usize>> {
        LOAD_SLOTS_TAKEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A place for a request of `client`, once the simulated work is done;
    /// `None` when the request is to be dropped.
    pub async fn take(dispatcher: Dispatcher, client: usize) -> Option<LoadSlot> {
        if !dispatcher.fault(Fault::RequestsDroppedUnderLoad) {
            return Some(LoadSlot(None));
        }
        {
            let mut taken = LoadSlot::taken();
            let places = taken.entry(client).or_default();
            if *places >= LoadSlot::QUEUE {
                return None;
            }
            *places += 1;
        }
        let slot = LoadSlot(Some(client));
        tokio::time::sleep(LoadSlot::HOLD).await;
        Some(slot)
    }
}

impl Drop for LoadSlot {
    fn drop(&mut self) {
        if let Some(client) = self.0 {
            let mut taken = LoadSlot::taken();
            if let Some(places) = taken.get_mut(&client) {
                *places -= 1;
                if *places == 0 {
                    taken.remove(&client);
                }
            }
        }
    }
}

/// One member of a batch, as [`Dispatcher::accept`] left it.
#[derive(Clone, Debug)]
pub enum Part {
    /// Its reply is already known.
    Reply(Value),
    /// A request to run.
    Run(Job),
}

/// Answers a batch: runs its requests side by side and returns the array of
/// responses (none when nothing is left to answer, JSON-RPC 2.0 §6).
pub async fn respond_batch(parts: Vec<Part>, dispatcher: Dispatcher, peer: Arc<Peer>, link: Option<ClientLink>) -> Option<Value> {
    let replies = join_all(parts.into_iter().map(|part| {
        let peer = peer.clone();
        let link = link.clone();
        async move {
            match part {
                Part::Reply(reply) => Some(reply),
                Part::Run(job) => job.respond(dispatcher, &peer, link).await,
            }
        }
    }))
    .await;
    let replies: Vec<Value> = replies.into_iter().flatten().collect();
    (!replies.is_empty()).then_some(Value::Array(replies))
}

/// What the transport must do about one incoming message.
#[derive(Clone, Debug)]
pub enum Action {
    /// Send this reply.
    Reply(Value),
    /// Nothing to send (a notification, a client response, silence).
    Nothing,
    /// Run this request as a task of its own and send its response.
    Run(Job),
    /// A 2025-03-26 batch: run its parts (see [`respond_batch`]) and send
    /// the array.
    Batch(Vec<Part>),
}

/// The client notifications this server acts on or knows to ignore.
const KNOWN_NOTIFICATIONS: &[&str] = &[
    "notifications/initialized",
    "notifications/cancelled",
    "notifications/progress",
    "notifications/roots/list_changed",
    "notifications/elicitation/complete",
];

/// The methods a 2026-07-28 request may name.
const MODERN_METHODS: &[&str] = &[
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "subscriptions/listen",
];

/// The server's behaviour, parameterised by the active faults. It holds no
/// per-connection state: that lives in [`Connection`].
#[derive(Clone, Copy, Debug)]
pub struct Dispatcher {
    faults: FaultSet,
    ask_timeout: Duration,
}

impl Default for Dispatcher {
    fn default() -> Dispatcher {
        Dispatcher::new(FaultSet::NONE)
    }
}

impl Dispatcher {
    /// A dispatcher with these faults (use [`FaultSet::NONE`] for the conformant server).
    pub fn new(faults: FaultSet) -> Dispatcher {
        if faults.contains(Fault::RequestStatePerProcess) {
            request_state::use_per_process_key();
        }
        Dispatcher {
            faults,
            ask_timeout: peer::DEFAULT_TIMEOUT,
        }
    }

    /// The same, waiting at most `timeout` for each answer to a server request.
    pub fn with_ask_timeout(self, timeout: Duration) -> Dispatcher {
        Dispatcher {
            ask_timeout: timeout,
            ..self
        }
    }

    /// How long a server request waits for the client's answer.
    pub fn ask_timeout(&self) -> Duration {
        self.ask_timeout
    }

    /// The active faults.
    pub fn faults(&self) -> FaultSet {
        self.faults
    }

    fn fault(&self, f: Fault) -> bool {
        self.faults.contains(f)
    }

    /// The faults that damage a finished response on its way out: its id
    /// (JSONRPC-003), its error object (JSONRPC-008), or how often it is
    /// sent (twice in a row through `link`, when there is one; then `None`).
    async fn wire_faults(&self, mut response: Value, link: Option<&ClientLink>) -> Option<Value> {
        let string_id = response.get("id").and_then(Value::as_str).map(str::to_owned);
        let duplicated = self.fault(Fault::ResponseDuplicated) && string_id.is_some();
        if self.fault(Fault::ResponseIdTypeChanged) {
            let number = string_id.as_deref().and_then(|s| s.parse::<u64>().ok());
            if let (Some(number), Some(message)) = (number, response.as_object_mut()) {
                message.insert("id".into(), Value::from(number));
            }
        }
        if self.fault(Fault::ErrorIdDropped) && string_id.is_some() && response.get("error").is_some() {
            if let Some(message) = response.as_object_mut() {
                message.insert("id".into(), Value::Null);
            }
        }
        if self.fault(Fault::ErrorMissingMessage) {
            if let Some(error) = response.get_mut("error").and_then(Value::as_object_mut) {
                if error.get("code") == Some(&Value::from(code::METHOD_NOT_FOUND)) {
                    error.remove("message");
                }
            }
        }
        if let (true, Some(link)) = (duplicated, link) {
            link.send_twice(response).await;
            return None;
        }
        Some(response)
    }

    /// Takes one frame of raw bytes (a stdio line, an HTTP+SSE POST body).
    /// Never panics, whatever the bytes.
    pub fn accept_frame(&self, conn: &mut Connection, bytes: &[u8]) -> Action {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => self.accept(conn, value),
            Err(e) => Action::Reply(error_response(Value::Null, &self.parse_error(e))),
        }
    }

    /// -32700 for bytes that are not JSON (-32600 under `parse-error-wrong-code`).
    pub fn parse_error(&self, detail: impl std::fmt::Display) -> RpcError {
        let mut e = RpcError::parse_error(detail);
        if self.fault(Fault::ParseErrorWrongCode) {
            e.code = code::INVALID_REQUEST;
        }
        e
    }

    /// The answer to a message that is not valid JSON-RPC: -32600 (-32700
    /// under `invalid-request-wrong-code`).
    pub fn rejection(&self, rejected: &Rejected) -> Value {
        let mut error = rejected.error.clone();
        if self.fault(Fault::InvalidRequestWrongCode) && error.code == code::INVALID_REQUEST {
            error.code = code::PARSE_ERROR;
        }
        error_response(rejected.id.clone(), &error)
    }

    /// What a notification gets back: nothing (JSONRPC-014), except for
    /// unknown methods under `notification-answered`.
    pub fn notification_answer(&self, n: &Notification) -> Option<Value> {
        let known = KNOWN_NOTIFICATIONS.contains(&n.method.as_str());
        (self.fault(Fault::NotificationAnswered) && !known).then(|| error_response(Value::Null, &RpcError::method_not_found(&n.method)))
    }

    /// Takes one parsed message or batch: does what must happen in arrival
    /// order and says what is left to do.
    pub fn accept(&self, conn: &mut Connection, value: Value) -> Action {
        match value {
            Value::Array(items) => self.accept_batch(conn, items),
            single => match self.accept_message(conn, single) {
                Some(Part::Reply(reply)) => Action::Reply(reply),
                Some(Part::Run(job)) => Action::Run(job),
                None => Action::Nothing,
            },
        }
    }

    /// A JSON-RPC batch: accepted only inside a 2025-03-26 session
    /// (L-BATCH-001); elsewhere one -32600 with id null (JSONRPC-017).
    fn accept_batch(&self, conn: &mut Connection, items: Vec<Value>) -> Action {
        let allowed = conn.legacy.is_some_and(|s| s.version.has_batching()) && !self.fault(Fault::BatchNotSupported);
        if !allowed && !self.fault(Fault::BatchAccepted) {
            let e = RpcError::invalid_request("JSON-RPC batches are accepted only in protocol version 2025-03-26");
            return Action::Reply(error_response(Value::Null, &e));
        }
        if items.is_empty() {
            return Action::Reply(error_response(Value::Null, &RpcError::invalid_request("empty batch")));
        }
        let parts: Vec<Part> = items
            .into_iter()
            .filter_map(|item| match item {
                Value::Array(_) => Some(Part::Reply(error_response(Value::Null, &RpcError::invalid_request("nested batch")))),
                single => self.accept_message(conn, single),
            })
            .collect();
        // A batch of notifications gets no reply at all (JSON-RPC 2.0 §6).
        if parts.is_empty() {
            Action::Nothing
        } else {
            Action::Batch(parts)
        }
    }

    /// One message (not a batch): `None` when nothing is to be answered.
    fn accept_message(&self, conn: &mut Connection, value: Value) -> Option<Part> {
        if self.fault(Fault::ServerRequestIdsReused) {
            conn.peer.reuse_request_ids();
        }
        match classify(value) {
            Err(rejected) => Some(Part::Reply(self.rejection(&rejected))),
            Ok(Incoming::Response(response)) => {
                conn.peer.deliver(response);
                None
            }
            Ok(Incoming::Notification(n)) => {
                let stopped_nothing = self.notification(conn, &n);
                if stopped_nothing && self.fault(Fault::CancelUnknownAnswered) {
                    let e = RpcError::invalid_params("notifications/cancelled names no request in flight");
                    return Some(Part::Reply(error_response(Value::Null, &e)));
                }
                self.notification_answer(&n).map(Part::Reply)
            }
            Ok(Incoming::Request(req)) => {
                let reply = |answer: Answer, id: Value| answer.into_response(id).map(Part::Reply);
                let mut chosen = route(conn, &req);
                if let (Route::Modern, Some(session)) = (chosen, &conn.legacy) {
                    if self.fault(Fault::LegacySessionLeaks) {
                        // The process's legacy session swallows the modern request.
                        chosen = Route::Legacy(session.version);
                    }
                }
                match chosen {
                    Route::Initialize if conn.legacy.is_some() => reply(
                        Answer::Error(RpcError::invalid_request("initialize was already answered on this connection")),
                        req.id,
                    ),
                    Route::Initialize => match self.initialize(&req) {
                        Ok((result, session)) => {
                            conn.legacy = Some(session);
                            reply(Answer::Result(result), req.id)
                        }
                        Err(e) => reply(Answer::Error(e), req.id),
                    },
                    Route::Modern => match self.modern_meta(&req) {
                        Ok(m) => Some(Part::Run(Job::modern(m, req))),
                        Err(e) => reply(Answer::Error(e), req.id),
                    },
                    Route::Legacy(_) => conn.legacy.map(|session| Part::Run(Job::legacy(session, req))),
                    Route::PreSession => {
                        let answer = self.pre_session_request(&req);
                        reply(answer, req.id)
                    }
                }
            }
        }
    }

    /// Handles one frame to the end without a way to reach the client
    /// (`ask` then reports that it cannot ask): for tests and callers that
    /// need no concurrency.
    pub fn handle_frame(&self, conn: &mut Connection, bytes: &[u8]) -> Option<Value> {
        let action = self.accept_frame(conn, bytes);
        self.finish_now(conn, action)
    }

    /// [`Dispatcher::handle_frame`] for a parsed message or batch.
    pub fn handle_value(&self, conn: &mut Connection, value: Value) -> Option<Value> {
        let action = self.accept(conn, value);
        self.finish_now(conn, action)
    }

    fn finish_now(&self, conn: &Connection, action: Action) -> Option<Value> {
        // Without a link to the client nothing in a job ever waits, so the
        // futures complete on their first poll.
        match action {
            Action::Reply(reply) => Some(reply),
            Action::Nothing => None,
            Action::Run(job) => job.respond(*self, &conn.peer, None).now_or_never().flatten(),
            Action::Batch(parts) => respond_batch(parts, *self, conn.peer.clone(), None).now_or_never().flatten(),
        }
    }

    /// Acts on a notification; notifications are never answered (JSONRPC-014).
    /// True for a `notifications/cancelled` that stopped nothing (it names
    /// no request in flight, or no request at all): it is ignored (UTIL-004,
    /// UTIL-006).
    pub fn notification(&self, conn: &mut Connection, n: &Notification) -> bool {
        if n.method == "notifications/initialized" {
            if let Some(session) = conn.legacy.as_mut() {
                session.initialized = true;
                conn.peer.set_initialized();
            }
        }
        if n.method != "notifications/cancelled" {
            return false;
        }
        if self.fault(Fault::CancelStalls) {
            conn.peer.stall();
        }
        !cancelled_request(n).is_some_and(|id| conn.peer.cancel(id))
    }

    /// The server capabilities at `version`: exactly what is implemented.
    /// `listChanged` for tools, prompts and resources (`toggle` changes all
    /// three), resource `subscribe` (`resources/subscribe` in the handshake
    /// era, `resourceSubscriptions` of `subscriptions/listen` in
    /// 2026-07-28), `logging`, and `completions` where the version has it.
    pub fn capabilities(&self, version: ProtocolVersion) -> Value {
        let list_changed = !self.fault(Fault::ListChangedWithoutCapability);
        let mut caps = Map::new();
        if version.has_completions_capability() && !self.fault(Fault::CompletionWithoutCapability) {
            caps.insert("completions".into(), json!({}));
        }
        if !self.fault(Fault::LogWithoutCapability) {
            caps.insert("logging".into(), json!({}));
        }
        caps.insert("prompts".into(), json!({"listChanged": list_changed}));
        caps.insert("resources".into(), json!({"subscribe": true, "listChanged": list_changed}));
        caps.insert("tools".into(), json!({"listChanged": list_changed}));
        if version.has_tasks() && !self.fault(Fault::TasksCapabilityMissing) {
            caps.insert("tasks".into(), tasks::capability());
        }
        if self.fault(Fault::ResourcesCapabilityUndeclared) {
            caps.remove("resources");
        }
        if self.fault(Fault::PromptsCapabilityUndeclared) {
            caps.remove("prompts");
        }
        if version == ProtocolVersion::V2026_07_28 {
            if self.fault(Fault::ExtensionUnprefixed) {
                caps.insert("extensions".into(), json!({"reference-notes": {}}));
            }
            if self.fault(Fault::ToolsCapabilityUndeclared) {
                caps.remove("tools");
            }
        }
        if self.fault(Fault::ToolsCapabilityOmitted) {
            caps.remove("tools");
        }
        if self.fault(Fault::ResourcesCapabilityOmitted) {
            caps.remove("resources");
        }
        Value::Object(caps)
    }

    /// Answers `initialize` and returns the result with the session it opens:
    /// the version it will speak (L-LIFE-001, L-LIFE-002) and the client
    /// capabilities declared.
    pub fn initialize(&self, req: &Request) -> Result<(Value, LegacySession), RpcError> {
        if self.fault(Fault::InitializeRefusedWithoutVersions) {
            return Err(RpcError::method_not_found(&req.method));
        }
        if self.fault(Fault::StatelessOnlyVersionHeaderOptional) || self.fault(Fault::StatelessOnlyGetNot405) {
            // Posing as a 2026-07-28-only server, which serves no handshake (LIFECYCLE-017).
            return Err(RpcError::invalid_request("this server speaks 2026-07-28 only; its supported versions: 2026-07-28"));
        }
        let Some(params) = req.params.as_ref() else {
            return Err(RpcError::invalid_params("initialize needs params"));
        };
        let Some(requested) = params.get("protocolVersion").and_then(Value::as_str) else {
            return Err(RpcError::invalid_params("initialize needs a string \"protocolVersion\""));
        };
        let Some(client_capabilities) = params.get("capabilities").and_then(Value::as_object) else {
            return Err(RpcError::invalid_params("initialize needs a \"capabilities\" object"));
        };
        if !params.get("clientInfo").is_some_and(Value::is_object) {
            return Err(RpcError::invalid_params("initialize needs a \"clientInfo\" object"));
        }
        let supported = ProtocolVersion::parse(requested).filter(|v| v.is_stateful());
        let (answered, version) = match supported {
            Some(v) if self.fault(Fault::InitializeWrongVersion) => {
                let other = if v == ProtocolVersion::NEWEST_STATEFUL {
                    ProtocolVersion::V2025_06_18
                } else {
                    ProtocolVersion::NEWEST_STATEFUL
                };
                (other.as_str().to_owned(), other)
            }
            Some(v) => (v.as_str().to_owned(), v),
            None if self.fault(Fault::InitializeEchoUnsupported) => (requested.to_owned(), ProtocolVersion::NEWEST_STATEFUL),
            // Counter-proposal: the newest handshake-era version.
            None => (ProtocolVersion::NEWEST_STATEFUL.as_str().to_owned(), ProtocolVersion::NEWEST_STATEFUL),
        };
        tracing::debug!(requested, answered = %answered, "initialize");
        let mut result = json!({
            "protocolVersion": answered,
            "capabilities": self.capabilities(version),
            "serverInfo": meta::server_implementation(version.has_titles()),
            "instructions": INSTRUCTIONS,
        });
        if self.fault(Fault::InitializeNoServerInfo) {
            if let Some(r) = result.as_object_mut() {
                r.remove("serverInfo");
            }
        }
        let capabilities = ClientCapabilities::from_json(client_capabilities, version);
        Ok((result, LegacySession::new(version, capabilities)))
    }

    fn ping(&self) -> Answer {
        if self.fault(Fault::PingNoResponse) {
            Answer::Silence
        } else if self.fault(Fault::PingError) {
            Answer::Error(RpcError::internal("ping failed (fault ping-error)"))
        } else {
            Answer::Result(json!({}))
        }
    }

    /// The error for a method this server does not know in this era.
    pub fn unknown_method(&self, method: &str) -> RpcError {
        if self.fault(Fault::UnknownMethodWrongCode) {
            RpcError::invalid_request(format!("unknown method {method}"))
        } else {
            RpcError::method_not_found(method)
        }
    }

    /// One of the four lists, paginated: (result key, page).
    fn list(&self, version: ProtocolVersion, method: &str, req: &Request) -> Result<(&'static str, Page), RpcError> {
        if method == "tools/list" && self.fault(Fault::ToolsListRefused) {
            return Err(RpcError::internal("the tool list is unavailable"));
        }
        let params = req.params_or_empty();
        let (key, mut items, size) = match method {
            "tools/list" => ("tools", tools::list(version, self.faults), pagination::TOOLS_PAGE),
            "prompts/list" => ("prompts", prompts::list(version), pagination::PROMPTS_PAGE),
            "resources/templates/list" => ("resourceTemplates", resources::templates(version, self.faults), pagination::TEMPLATES_PAGE),
            _ => ("resources", resources::list(version, self.faults), pagination::RESOURCES_PAGE),
        };
        if version == ProtocolVersion::V2026_07_28 {
            self.list_stability_faults(method, &mut items, &params);
            // AUTH-018: who the client says it is must not change the list.
            let client_name = params.get("_meta").and_then(|m| m.get(meta::CLIENT_INFO)).and_then(|i| i.get("name")).and_then(Value::as_str);
            if method == "tools/list" && self.fault(Fault::ToolsVaryByClient) && client_name.is_some_and(|n| n.chars().count() % 2 == 0) {
                items.pop();
            }
        }
        Ok((key, pagination::page(key, items, size, &params, self.faults)?))
    }

    /// The faults that make a 2026-07-28 list depend on earlier requests
    /// (TOOLS-003, RESOURCES-002, PROMPTS-002) or come in a changing order
    /// (TOOLS-004); see [`carried_state`].
    fn list_stability_faults(&self, method: &str, items: &mut Vec<Value>, params: &Map<String, Value>) {
        let shortened = matches!(method, "tools/list" | "prompts/list" | "resources/list");
        if shortened && self.fault(Fault::ListsChangeAfterCalls) && carried_state::odd_tool_calls() {
            items.pop();
        }
        if method == "tools/list" && self.fault(Fault::ToolsOrderVaries) && !items.is_empty() {
            let turn = carried_state::rotation(!params.contains_key("cursor")) % items.len();
            items.rotate_left(turn);
        }
    }

    /// The result of a list method, with the 2026-07-28 caching hints
    /// where `modern` (the lists this server added in this revision lose
    /// them under `missing-cache-fields`).
    fn list_result(&self, version: ProtocolVersion, method: &str, req: &Request, modern: bool) -> Result<Map<String, Value>, RpcError> {
        let (key, page) = self.list(version, method, req)?;
        let mut result = page.into_result(key);
        if modern {
            let ttl = if method == "tools/list" { CACHE_TTL_MS } else { resources::LIST_TTL_MS };
            let hinted = method == "tools/list" || !self.fault(Fault::MissingCacheFields);
            if hinted {
                insert_cache_hints(&mut result, ttl);
            }
            if method == "prompts/list" && self.fault(Fault::CacheScopeInvalid) {
                result.insert("cacheScope".into(), json!("shared"));
            }
            let later_page = req.params_or_empty().contains_key("cursor");
            if method == "tools/list" && later_page && self.fault(Fault::CacheScopePerPage) {
                result.insert("cacheScope".into(), json!("private"));
            }
        }
        Ok(result)
    }

    /// `logging/setLevel` (handshake era).
    fn set_level(&self, req: &Request, peer: &Peer) -> Answer {
        let level = req.params.as_ref().and_then(|p| p.get("level"));
        match level.and_then(Value::as_str).map(|l| (l, meta::log_level_rank(l))) {
            Some((_, Some(rank))) => {
                peer.set_log_level(rank);
                Answer::Result(json!({}))
            }
            // The fault takes an unknown level as the lowest one.
            Some((_, None)) if self.fault(Fault::LogLevelUnknownAccepted) => {
                peer.set_log_level(0);
                Answer::Result(json!({}))
            }
            Some((l, None)) => Answer::Error(RpcError::invalid_params(format!(
                "Unknown log level {l:?}; one of {}",
                meta::LOG_LEVELS.join(", ")
            ))),
            None => Answer::Error(RpcError::invalid_params("logging/setLevel needs a string \"level\"")),
        }
    }

    /// `resources/subscribe` / `resources/unsubscribe` (handshake era):
    /// subscribing needs a URI that exists (else -32002, like a read).
    fn subscription(&self, version: ProtocolVersion, req: &Request, peer: &Peer) -> Answer {
        let params = req.params_or_empty();
        let uri = match resources::uri_param(&params) {
            Ok(uri) => uri,
            Err(e) => return Answer::Error(e),
        };
        if req.method == "resources/unsubscribe" {
            peer.unsubscribe(uri);
        } else if resources::exists(uri) {
            peer.subscribe(uri);
        } else {
            return Answer::Error(RpcError::resource_not_found(version.resource_not_found_code(), uri));
        }
        Answer::Result(json!({}))
    }

    /// A request inside a legacy session at `version`, answered at once
    /// (`ask` and the tools that take time are run by [`Job::run`], which
    /// can reach the client; here they only say that they cannot).
    pub fn legacy_request(&self, version: ProtocolVersion, req: &Request, peer: &Peer) -> Answer {
        let params = req.params_or_empty();
        match req.method.as_str() {
            "ping" => self.ping(),
            m @ ("tools/list" | "prompts/list" | "resources/list" | "resources/templates/list") => {
                self.list_result(version, m, req, false).map(Value::Object).into()
            }
            "tools/call" => match tools::call(version, self.faults, &params) {
                Ok(Call::Done(result)) => Answer::Result(result),
                Ok(Call::Ask | Call::Run(_) | Call::Inquire(_)) => Answer::Result(tools::shape_result(
                    version,
                    self.faults,
                    tools::Output::Failure("this tool cannot reach the client on this connection.".into()),
                )),
                Err(e) => Answer::Error(e),
            },
            "resources/read" => resources::read(version, self.faults, &params).map(Value::Object).into(),
            "resources/subscribe" | "resources/unsubscribe" => self.subscription(version, req, peer),
            "prompts/get" => prompts::get(self.faults, &params).map(Value::Object).into(),
            "completion/complete" => completion::complete(self.faults, &params).map(Value::Object).into(),
            "logging/setLevel" => self.set_level(req, peer),
            "tasks/get" if version.has_tasks() => peer.tasks().get_result(&params).into(),
            "tasks/list" if version.has_tasks() => peer.tasks().list(&params, self.faults).into(),
            "tasks/cancel" if version.has_tasks() => peer.tasks().cancel(&params).into(),
            "tasks/result" if version.has_tasks() => Answer::Error(RpcError::internal("tasks/result waits for the task; it needs a connection")),
            other => Answer::Error(self.unknown_method(other)),
        }
    }

    /// The context a tool that takes time runs with.
    fn running_context<'a>(&self, version: ProtocolVersion, req: &Request, link: Option<&'a ClientLink>, log_threshold: Option<usize>) -> running::Context<'a> {
        running::Context {
            version,
            faults: self.faults,
            link,
            progress_token: meta::progress_token(req.params.as_ref()),
            log_threshold,
        }
    }

    /// A request inside a legacy session, run to its end (it may wait for
    /// the client or for time to pass): the answer, and messages that must
    /// follow it (only ever a fault's).
    pub async fn legacy_job(&self, session: LegacySession, req: &Request, peer: &Arc<Peer>, link: Option<&ClientLink>) -> (Answer, Vec<Value>) {
        let version = session.version;
        if req.method == "tasks/result" && version.has_tasks() {
            return (peer.tasks().result(&req.params_or_empty(), link).await.into(), Vec::new());
        }
        if req.method != "tools/call" {
            return (self.legacy_request(version, req, peer), Vec::new());
        }
        let params = req.params_or_empty();
        let call = tools::call(version, self.faults, &params);
        if let (Ok(call), Some(task)) = (&call, self.task_requested(version, &params)) {
            return (self.start_task(session, req, call.clone(), task, peer).into(), Vec::new());
        }
        // L-ELIC-001: with elicitation.url declared, the tool is gated by a URL-mode elicitation.
        let url_gated = tools::name_of(&params) == Some(url_elicitation::TOOL_NAME) && session.capabilities.elicitation_url;
        if call.is_ok() && url_gated {
            return match url_elicitation::call(peer, self.faults) {
                Ok(output) => (Answer::Result(tools::shape_result(version, self.faults, output)), Vec::new()),
                Err(refusal) => (Answer::Error(refusal), Vec::new()),
            };
        }
        // S2C-016: in 2025-11-25 weather_agent's sampling loop asks the client with requests of its own.
        if call.is_ok() && tools::name_of(&params) == Some(tool_loop::TOOL_NAME) {
            let output = tool_loop::run_stateful(session, self.faults, link).await;
            return (Answer::Result(tools::shape_result(version, self.faults, output)), Vec::new());
        }
        match call {
            Ok(Call::Ask) => {
                let output = ask::ask_stateful(session, self.faults, link).await;
                (Answer::Result(tools::shape_result(version, self.faults, output)), Vec::new())
            }
            Ok(Call::Inquire(inquiry)) => {
                let output = conformance_fixtures::inquire_stateful(&inquiry, session, link).await;
                (Answer::Result(tools::shape_result(version, self.faults, output)), Vec::new())
            }
            Ok(Call::Run(work)) => {
                let ctx = self.running_context(version, req, link, peer.log_level());
                let ran = running::run(work, &ctx).await;
                (Answer::Result(tools::shape_result(version, self.faults, ran.output)), ran.late)
            }
            Ok(Call::Done(result)) => (Answer::Result(result), Vec::new()),
            Err(e) => (Answer::Error(e), Vec::new()),
        }
    }

    /// The `task` member of a 2025-11-25 `tools/call`, when the call is to
    /// become a task (the `task-not-created` fault runs it plainly).
    fn task_requested<'p>(&self, version: ProtocolVersion, params: &'p Map<String, Value>) -> Option<&'p Value> {
        let accepted = version.has_tasks() && !self.fault(Fault::TaskNotCreated);
        params.get("task").filter(|_| accepted)
    }

    /// Starts `call` as a task of the session and answers `CreateTaskResult`.
    fn start_task(&self, session: LegacySession, req: &Request, call: Call, task: &Value, peer: &Arc<Peer>) -> Result<Value, RpcError> {
        let params = req.params_or_empty();
        let start = tasks::Start {
            peer,
            faults: self.faults,
            tool: tools::name_of(&params).unwrap_or_default(),
            task,
            ask_timeout: self.ask_timeout,
        };
        let dispatcher = *self;
        let progress_token = meta::progress_token(req.params.as_ref());
        let log_threshold = peer.log_level();
        tasks::start(start, move |link| async move {
            let version = session.version;
            let output = match call {
                Call::Done(result) => return Ok(result),
                Call::Ask => ask::ask_stateful(session, dispatcher.faults, Some(&link)).await,
                Call::Inquire(inquiry) => conformance_fixtures::inquire_stateful(&inquiry, session, Some(&link)).await,
                Call::Run(work) => {
                    let ctx = running::Context {
                        version,
                        faults: dispatcher.faults,
                        link: Some(&link),
                        progress_token,
                        log_threshold,
                    };
                    running::run(work, &ctx).await.output
                }
            };
            Ok(tools::shape_result(version, dispatcher.faults, output))
        })
    }

    /// A request before any session and without modern `_meta`.
    pub fn pre_session_request(&self, req: &Request) -> Answer {
        match req.method.as_str() {
            "ping" => self.ping(),
            m if MODERN_METHODS.contains(&m) => Answer::Error(RpcError::invalid_params(format!(
                "params._meta must carry \"{}\" and \"{}\" (or open a session with initialize first)",
                meta::PROTOCOL_VERSION,
                meta::CLIENT_CAPABILITIES
            ))),
            other => Answer::Error(self.unknown_method(other)),
        }
    }

    fn unsupported_version(&self, requested: &str, reason: &str) -> RpcError {
        let mut e = RpcError::unsupported_version(requested, &ProtocolVersion::supported_strings(), reason);
        if self.fault(Fault::UnsupportedVersionWrongCode) {
            e.code = code::INVALID_PARAMS;
        }
        if self.fault(Fault::UnsupportedVersionNoSupportedList) {
            e.data = Some(json!({ "requested": requested }));
        }
        e
    }

    /// Reads and checks a modern request's `_meta`: -32602 when a required
    /// field is missing (LIFECYCLE-007), -32022 when the version is not one
    /// served per request (LIFECYCLE-006).
    ///
    /// Handshake-era versions named in `_meta` are refused with -32022 too:
    /// they are served, but only after `initialize`, which the message says.
    pub fn modern_meta(&self, req: &Request) -> Result<RequestMeta, RpcError> {
        let parsed = meta::parse_request_meta(req.params.as_ref());
        let m = match parsed {
            // The fault reads an unknown log level as no level at all.
            Err(_) if self.fault(Fault::LogLevelUnknownAccepted) => {
                let mut params = req.params.clone();
                if let Some(Value::Object(m)) = params.as_mut().and_then(|p| p.get_mut("_meta")) {
                    m.remove(meta::LOG_LEVEL);
                }
                meta::parse_request_meta(params.as_ref())?
            }
            // The fault reads missing client capabilities as none declared.
            Err(_) if self.fault(Fault::ClientCapabilitiesNotRequired) => {
                let mut params = req.params.clone();
                if let Some(Value::Object(m)) = params.as_mut().and_then(|p| p.get_mut("_meta")) {
                    m.entry(meta::CLIENT_CAPABILITIES).or_insert_with(|| json!({}));
                }
                meta::parse_request_meta(params.as_ref())?
            }
            other => other?,
        };
        match ProtocolVersion::parse(&m.protocol_version) {
            Some(v) if v.era() == Era::Stateless => Ok(m),
            Some(_) => Err(self.unsupported_version(
                &m.protocol_version,
                " in per-request _meta; handshake-era versions are served after initialize",
            )),
            None => Err(self.unsupported_version(&m.protocol_version, "")),
        }
    }

    /// Whether a 2026-07-28 request answers with a stream of its own over
    /// Streamable HTTP, run by [`Job::run`]: `subscriptions/listen` and
    /// the tools that take time (`progress`, `slow`, `log`); closing that
    /// stream cancels the request (HTTP-014). A request that carries a W3C
    /// trace context streams too, so that its answer continues the trace.
    pub fn modern_streams(&self, req: &Request) -> bool {
        let traced = trace::context_of(req.params.as_ref()).is_some();
        req.method == "subscriptions/listen" || runs_as_streaming_call(req) || traced
    }

    /// A 2026-07-28 request whose `_meta` passed [`Dispatcher::modern_meta`],
    /// answered at once. `link` reaches the client (only the
    /// `s2c-request-in-stateless` fault uses it: this era has no
    /// server-initiated requests). The requests of
    /// [`Dispatcher::modern_streams`] need [`Job::run`].
    pub fn modern_request(&self, request_meta: &RequestMeta, req: &Request, link: Option<&ClientLink>) -> Answer {
        let version = ProtocolVersion::V2026_07_28;
        tracing::debug!(method = %req.method, client = ?request_meta.client_info, "modern request");
        let params = req.params_or_empty();
        let result = match req.method.as_str() {
            "server/discover" if self.fault(Fault::DiscoverMissing) => Err(RpcError::method_not_found(&req.method)),
            "server/discover" => Ok(self.discover()),
            m @ ("tools/list" | "prompts/list" | "resources/list" | "resources/templates/list") => self.list_result(version, m, req, true),
            "tools/call" => self.modern_call(request_meta, req, link),
            "resources/read" if input_required_fixtures::reads_resource(&params) => {
                let caps = ClientCapabilities::from_json(&request_meta.client_capabilities, version);
                input_required_fixtures::read(caps, self.faults, &params).map(|round| match round {
                    input_required_fixtures::Round::Complete(mut r) => {
                        // The greeting depends on the answer: not to be cached.
                        insert_cache_hints(&mut r, 0);
                        r
                    }
                    input_required_fixtures::Round::InputRequired(r) => r,
                })
            }
            "prompts/get" if input_required_fixtures::gets_prompt(&params) => {
                let caps = ClientCapabilities::from_json(&request_meta.client_capabilities, version);
                input_required_fixtures::get(caps, self.faults, &params).map(|round| match round {
                    input_required_fixtures::Round::Complete(r) | input_required_fixtures::Round::InputRequired(r) => r,
                })
            }
            "resources/read" => resources::read(version, self.faults, &params).map(|mut r| {
                if !self.fault(Fault::MissingCacheFields) {
                    let ttl = params.get("uri").and_then(Value::as_str).map_or(0, resources::read_ttl_ms);
                    insert_cache_hints(&mut r, ttl);
                }
                if self.fault(Fault::CacheTtlNegative) {
                    r.insert("ttlMs".into(), json!(-1));
                }
                r
            }),
            "prompts/get" => prompts::get(self.faults, &params).map_err(|e| self.unknown_prompt_code(&params, e)),
            "completion/complete" => completion::complete(self.faults, &params),
            "subscriptions/listen" => Err(RpcError::internal("subscriptions/listen needs a stream of its own")),
            other => Err(self.unknown_method(other)),
        };
        // The fault asks for input where MRTR is not allowed (S2C-002); the retry bearing the state is served.
        if req.method == "resources/templates/list" && self.fault(Fault::InputRequiredOutsideMrtr) && params.get("requestState").is_none() {
            return Answer::Result(json!({"resultType": "input_required", "requestState": "mcp-conform-templates"}));
        }
        let mut answer = finish_modern(result);
        if let Answer::Result(Value::Object(r)) = &mut answer {
            self.result_field_faults(&req.method, r);
        }
        answer
    }

    /// The faults that take a required field out of a finished 2026-07-28
    /// result, or give it a wrong value.
    fn result_field_faults(&self, method: &str, result: &mut Map<String, Value>) {
        let templates = method == "resources/templates/list";
        if (method == "server/discover" && self.fault(Fault::DiscoverNoServerInfo))
            || (templates && self.fault(Fault::ResultWithoutServerInfo))
        {
            result.remove("_meta");
        }
        if templates && self.fault(Fault::ResultTypeMissing) {
            result.remove("resultType");
        }
        if templates && self.fault(Fault::ResultTypeUnknown) {
            result.insert("resultType".into(), json!("partial"));
        }
    }

    /// Under `legacy-error-code`, an unknown prompt's -32602 becomes the
    /// legacy -32001 (JSONRPC-011).
    fn unknown_prompt_code(&self, params: &Map<String, Value>, mut e: RpcError) -> RpcError {
        let unknown = params.get("name").and_then(Value::as_str).is_some_and(|name| !prompts::exists(name));
        if unknown && self.fault(Fault::LegacyErrorCode) {
            e.code = -32001;
        }
        e
    }

    /// A 2026-07-28 request run to its end (it may wait for time to pass, or
    /// for the connection to close): the answer, and messages that must
    /// follow it.
    pub async fn modern_job(&self, request_meta: &RequestMeta, req: &Request, peer: &Arc<Peer>, link: Option<&ClientLink>) -> (Answer, Vec<Value>) {
        let version = ProtocolVersion::V2026_07_28;
        if req.method == "subscriptions/listen" {
            let (result, late) = listen::listen(self.faults, &req.id, &req.params_or_empty(), peer, link).await;
            if result.is_ok() && self.faults.contains(crate::faults::Fault::ListenTeardownWithoutResult) {
                return (Answer::Silence, late);
            }
            return (finish_modern(result), late);
        }
        if !runs_as_streaming_call(req) {
            return (self.modern_request(request_meta, req, link), Vec::new());
        }
        match tools::call(version, self.faults, &req.params_or_empty()) {
            Ok(Call::Run(work)) => {
                let level = request_meta.log_level.as_deref().and_then(meta::log_level_rank);
                let ctx = self.running_context(version, req, link, level);
                let ran = running::run(work, &ctx).await;
                let result = match tools::shape_result(version, self.faults, ran.output) {
                    Value::Object(m) => Ok(m),
                    _ => Err(RpcError::internal("tool result is not an object")),
                };
                (finish_modern(result), ran.late)
            }
            Ok(Call::Done(result)) => (finish_modern(as_object(result)), Vec::new()),
            Ok(Call::Ask | Call::Inquire(_)) => (self.modern_request(request_meta, req, link), Vec::new()),
            Err(e) => (Answer::Error(e), Vec::new()),
        }
    }

    fn modern_call(&self, request_meta: &RequestMeta, req: &Request, link: Option<&ClientLink>) -> Result<Map<String, Value>, RpcError> {
        let version = ProtocolVersion::V2026_07_28;
        let params = req.params_or_empty();
        if self.fault(Fault::ListsChangeAfterCalls) {
            carried_state::count_tool_call();
        }
        // S2C-016: the tool-enabled sampling loop, with the request's own capabilities (arguments, if any, are refused below).
        let no_arguments = params.get("arguments").is_none_or(|a| a.as_object().is_some_and(Map::is_empty));
        if tools::name_of(&params) == Some(tool_loop::TOOL_NAME) && no_arguments && tools::call(version, self.faults, &params).is_ok() {
            return match tool_loop::run(&request_meta.client_capabilities, self.faults, &params)? {
                Stateless::Done(output) => as_object(tools::shape_result(version, self.faults, output)),
                Stateless::InputRequired(result) => Ok(result),
            };
        }
        let result = match tools::call(version, self.faults, &params)? {
            Call::Done(result)
                if self.fault(Fault::TaskResultWithoutExtension)
                    && params.get("name") == Some(&json!("echo"))
                    && result.get("isError") != Some(&json!(true)) =>
            {
                // A task answer, though neither side negotiated the tasks extension.
                return as_object(json!({
                    "resultType": "task",
                    "task": {"taskId": "echo-task", "status": "completed", "createdAt": "2026-01-01T00:00:00Z", "lastUpdatedAt": "2026-01-01T00:00:00Z", "ttl": null}
                }));
            }
            Call::Done(result) => result,
            Call::Run(_) => return Err(RpcError::internal("this tool answers on a stream of its own (see Job::run)")),
            asking @ (Call::Ask | Call::Inquire(_)) => {
                let mut caps = ClientCapabilities::from_json(&request_meta.client_capabilities, version);
                if self.fault(Fault::CapabilitiesCarriedOver) {
                    caps = carried_state::capabilities_with_earlier(caps);
                }
                if self.fault(Fault::UndeclaredCapabilitiesAssumed) {
                    caps = ClientCapabilities { roots: true, sampling: true, elicitation_form: true, elicitation_url: true, sampling_tools: true };
                }
                let state = params.get("requestState").and_then(Value::as_str);
                if self.fault(Fault::RequestStateLatestOnly) && state.is_some_and(|s| !carried_state::is_latest_request_state(s)) {
                    let refusal = tools::Output::Failure("Another conversation has started since this requestState was issued.".into());
                    return as_object(tools::shape_result(version, self.faults, refusal));
                }
                let asked = match asking {
                    // LIFECYCLE-009: a tool that cannot work without the capability refuses with -32021.
                    Call::Inquire(inquiry) => match inquiry.missing_capability(caps) {
                        Some(refusal) if !self.fault(Fault::MissingCapabilityAsToolError) => return Err(refusal),
                        _ => conformance_fixtures::inquire_stateless(&inquiry, caps, &params)?,
                    },
                    _ => ask::ask_stateless(caps, self.faults, &params, link)?,
                };
                if let (Stateless::InputRequired(result), true) = (&asked, self.fault(Fault::RequestStateLatestOnly)) {
                    carried_state::remember_request_state(result.get("requestState").and_then(Value::as_str).unwrap_or_default());
                }
                match asked {
                    Stateless::Done(output) => tools::shape_result(version, self.faults, output),
                    Stateless::InputRequired(result) => return Ok(result),
                }
            }
        };
        match result {
            Value::Object(m) => Ok(m),
            _ => Err(RpcError::internal("tool result is not an object")),
        }
    }

    fn discover(&self) -> Map<String, Value> {
        let mut r = Map::new();
        r.insert("resultType".into(), json!("complete"));
        if !self.fault(Fault::DiscoverInvalidResult) {
            let mut versions = ProtocolVersion::supported_strings();
            if self.fault(Fault::StatelessOnlyGetNot405) || self.fault(Fault::StatelessOnlyVersionHeaderOptional) {
                // The fault poses as a server of 2026-07-28 alone (HTTP-031 binds those).
                versions.retain(|v| *v == ProtocolVersion::V2026_07_28.as_str());
            }
            r.insert("supportedVersions".into(), json!(versions));
        }
        r.insert("capabilities".into(), self.capabilities(ProtocolVersion::V2026_07_28));
        r.insert("instructions".into(), json!(INSTRUCTIONS));
        insert_cache_hints(&mut r, CACHE_TTL_MS);
        r
    }
}

/// `ttlMs` and `cacheScope: "public"`: nothing this server returns depends
/// on who asks (CACHE-001, CACHE-005).
fn insert_cache_hints(result: &mut Map<String, Value>, ttl_ms: u64) {
    result.insert("ttlMs".into(), json!(ttl_ms));
    result.insert("cacheScope".into(), json!("public"));
}

fn as_object(result: Value) -> Result<Map<String, Value>, RpcError> {
    match result {
        Value::Object(m) => Ok(m),
        _ => Err(RpcError::internal("result is not an object")),
    }
}

/// A 2026-07-28 result decorated (`resultType`, serverInfo), or the error.
fn finish_modern(result: Result<Map<String, Value>, RpcError>) -> Answer {
    match result {
        Ok(mut r) => {
            meta::decorate_modern_result(&mut r);
            Answer::Result(Value::Object(r))
        }
        Err(e) => Answer::Error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODERN: &str = "2026-07-28";

    fn modern_meta_json(version: &str) -> Value {
        json!({"io.modelcontextprotocol/protocolVersion": version, "io.modelcontextprotocol/clientCapabilities": {}})
    }

    fn send(d: &Dispatcher, conn: &mut Connection, msg: Value) -> Option<Value> {
        d.handle_frame(conn, msg.to_string().as_bytes())
    }

    fn init(d: &Dispatcher, conn: &mut Connection, version: &str) -> Value {
        send(
            d,
            conn,
            json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":version,"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}),
        )
        .unwrap()
    }

    #[test]
    fn handshake_echoes_supported_and_counter_proposes_otherwise() {
        let d = Dispatcher::default();
        for v in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
            let mut c = Connection::default();
            let r = init(&d, &mut c, v);
            assert_eq!(r["result"]["protocolVersion"], v);
            assert_eq!(r["result"]["serverInfo"]["name"], crate::SERVER_NAME);
            assert_eq!(c.legacy.unwrap().version.as_str(), v);
        }
        for v in ["1999-01-01", "2026-07-28", ""] {
            let r = init(&d, &mut Connection::default(), v);
            assert_eq!(r["result"]["protocolVersion"], "2025-11-25", "{v}");
        }
    }

    #[test]
    fn handshake_faults() {
        let d = Dispatcher::new(FaultSet::only(Fault::InitializeWrongVersion));
        assert_eq!(init(&d, &mut Connection::default(), "2025-03-26")["result"]["protocolVersion"], "2025-11-25");
        assert_eq!(init(&d, &mut Connection::default(), "2025-11-25")["result"]["protocolVersion"], "2025-06-18");
        let d = Dispatcher::new(FaultSet::only(Fault::InitializeEchoUnsupported));
        assert_eq!(init(&d, &mut Connection::default(), "1999-01-01")["result"]["protocolVersion"], "1999-01-01");
    }

    #[test]
    fn second_initialize_is_refused() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        init(&d, &mut c, "2025-06-18");
        assert_eq!(init(&d, &mut c, "2025-06-18")["error"]["code"], code::INVALID_REQUEST);
    }

    #[test]
    fn ping_in_legacy_not_in_modern() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"ping"})).unwrap();
        assert_eq!(r["result"], json!({}));
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta": modern_meta_json(MODERN)}})).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND);
        let silent = Dispatcher::new(FaultSet::only(Fault::PingNoResponse));
        assert!(send(&silent, &mut c, json!({"jsonrpc":"2.0","id":3,"method":"ping"})).is_none());
        let failing = Dispatcher::new(FaultSet::only(Fault::PingError));
        assert!(send(&failing, &mut c, json!({"jsonrpc":"2.0","id":4,"method":"ping"})).unwrap()["error"].is_object());
    }

    #[test]
    fn modern_requests_are_served_statelessly_even_after_initialize() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        init(&d, &mut c, "2024-11-05");
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":"t","method":"tools/list","params":{"_meta": modern_meta_json(MODERN)}})).unwrap();
        let result = &r["result"];
        assert_eq!(result["resultType"], "complete");
        assert_eq!(result["cacheScope"], "public");
        assert_eq!(result["ttlMs"], CACHE_TTL_MS);
        assert_eq!(result["_meta"][meta::SERVER_INFO]["name"], crate::SERVER_NAME);
        let add = |tools: &Value| tools.as_array().unwrap().iter().find(|t| t["name"] == "add").cloned().unwrap();
        assert!(add(&result["tools"]).get("outputSchema").is_some(), "served as 2026-07-28, not 2024-11-05");
        // ...and a legacy request on the same connection still sees 2024-11-05.
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":"u","method":"tools/list"})).unwrap();
        assert!(add(&r["result"]["tools"]).get("outputSchema").is_none());
        assert!(r["result"].get("resultType").is_none());
    }

    #[test]
    fn discover_and_its_faults() {
        let msg = json!({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta": modern_meta_json(MODERN)}});
        let r = send(&Dispatcher::default(), &mut Connection::default(), msg.clone()).unwrap();
        assert_eq!(r["result"]["supportedVersions"][0], MODERN);
        assert_eq!(r["result"]["supportedVersions"].as_array().unwrap().len(), 5);
        assert_eq!(
            r["result"]["capabilities"],
            json!({"completions": {}, "logging": {}, "prompts": {"listChanged": true},
                   "resources": {"subscribe": true, "listChanged": true}, "tools": {"listChanged": true}})
        );
        let r = send(&Dispatcher::new(FaultSet::only(Fault::DiscoverMissing)), &mut Connection::default(), msg.clone()).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND);
        let r = send(&Dispatcher::new(FaultSet::only(Fault::DiscoverInvalidResult)), &mut Connection::default(), msg).unwrap();
        assert!(r["result"].get("supportedVersions").is_none());
    }

    #[test]
    fn capabilities_follow_the_version_and_the_faults() {
        let d = Dispatcher::default();
        let old = d.capabilities(ProtocolVersion::V2024_11_05);
        assert!(old.get("completions").is_none(), "no completions capability in 2024-11-05");
        assert_eq!(old["resources"], json!({"subscribe": true, "listChanged": true}));
        assert_eq!(d.capabilities(ProtocolVersion::V2025_03_26)["completions"], json!({}));
        assert_eq!(d.capabilities(ProtocolVersion::V2025_11_25)["tasks"]["requests"], json!({"tools": {"call": {}}}));
        for version in [ProtocolVersion::V2025_06_18, ProtocolVersion::V2026_07_28] {
            assert!(d.capabilities(version).get("tasks").is_none(), "tasks exist in 2025-11-25 only");
        }
        let faulty: FaultSet = [
            Fault::ListChangedWithoutCapability,
            Fault::CompletionWithoutCapability,
            Fault::LogWithoutCapability,
            Fault::TasksCapabilityMissing,
        ]
        .into_iter()
        .collect();
        let caps = Dispatcher::new(faulty).capabilities(ProtocolVersion::V2025_11_25);
        assert_eq!(caps, json!({"prompts": {"listChanged": false}, "resources": {"subscribe": true, "listChanged": false}, "tools": {"listChanged": false}}));
    }

    #[test]
    fn every_list_is_paginated_in_both_eras() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        init(&d, &mut c, "2025-06-18");
        for (method, key) in [("tools/list", "tools"), ("prompts/list", "prompts"), ("resources/list", "resources"), ("resources/templates/list", "resourceTemplates")] {
            for modern in [false, true] {
                let mut params = if modern { json!({"_meta": modern_meta_json(MODERN)}) } else { json!({}) };
                let mut seen = 0;
                let mut pages = 0;
                loop {
                    let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":method,"params":params.clone()})).unwrap();
                    let result = &r["result"];
                    seen += result[key].as_array().unwrap().len();
                    pages += 1;
                    assert_eq!(result.get("ttlMs").is_some(), modern, "{method}");
                    assert_eq!(result.get("cacheScope").is_some(), modern, "{method}");
                    match result.get("nextCursor") {
                        Some(cursor) => params["cursor"] = cursor.clone(),
                        None => break,
                    }
                }
                assert!(pages >= 2, "{method} spans several pages");
                assert!(seen > pages, "{method}");
                params["cursor"] = json!("bogus");
                let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":method,"params":params})).unwrap();
                assert_eq!(r["error"]["code"], code::INVALID_PARAMS, "{method} invalid cursor");
            }
        }
    }

    #[test]
    fn resources_prompts_completion_and_logging_per_era() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        init(&d, &mut c, "2025-11-25");
        let read = |d: &Dispatcher, c: &mut Connection, uri: &str, modern: bool| {
            let mut params = json!({"uri": uri});
            if modern {
                params["_meta"] = modern_meta_json(MODERN);
            }
            send(d, c, json!({"jsonrpc":"2.0","id":1,"method":"resources/read","params":params})).unwrap()
        };
        let r = read(&d, &mut c, "ref://items/7", false);
        assert_eq!(r["result"]["contents"][0]["text"], "Item 7");
        assert!(r["result"].get("ttlMs").is_none());
        assert_eq!(read(&d, &mut c, "ref://nope", false)["error"]["code"], -32002);
        let r = read(&d, &mut c, "ref://items/7", true);
        assert_eq!((r["result"]["ttlMs"].clone(), r["result"]["resultType"].clone()), (json!(300_000), json!("complete")));
        assert_eq!(read(&d, &mut c, "ref://counter", true)["result"]["ttlMs"], 0);
        assert_eq!(read(&d, &mut c, "ref://nope", true)["error"]["code"], code::INVALID_PARAMS);
        let no_hints = Dispatcher::new(FaultSet::only(Fault::MissingCacheFields));
        assert!(read(&no_hints, &mut c, "ref://items/7", true)["result"].get("ttlMs").is_none());

        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"greeting","arguments":{"name":"Ada"}}})).unwrap();
        assert_eq!(r["result"]["messages"][0]["role"], "user");
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"name":"greeting"}})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_PARAMS);
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":4,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"greeting"},"argument":{"name":"style","value":"f"}}})).unwrap();
        assert_eq!(r["result"]["completion"]["values"], json!(["formal", "friendly"]));

        assert_eq!(c.peer.log_level(), None);
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":5,"method":"logging/setLevel","params":{"level":"warning"}})).unwrap();
        assert_eq!(r["result"], json!({}));
        assert_eq!(c.peer.log_level(), Some(3));
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"loud"}})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_PARAMS);
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":7,"method":"resources/subscribe","params":{"uri":"ref://counter"}})).unwrap();
        assert_eq!(r["result"], json!({}));
        assert!(c.peer.is_subscribed("ref://counter", false));
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":8,"method":"resources/subscribe","params":{"uri":"ref://nope"}})).unwrap();
        assert_eq!(r["error"]["code"], -32002);
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":9,"method":"resources/unsubscribe","params":{"uri":"ref://counter"}})).unwrap();
        assert_eq!(r["result"], json!({}));
        assert!(!c.peer.is_subscribed("ref://counter", false));

        // The handshake-era methods do not exist in 2026-07-28, and vice versa.
        for method in ["logging/setLevel", "resources/subscribe", "ping"] {
            let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":10,"method":method,"params":{"_meta": modern_meta_json(MODERN)}})).unwrap();
            assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND, "{method}");
        }
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":11,"method":"subscriptions/listen","params":{"notifications":{}}})).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND);
        let mut fresh = Connection::default();
        let r = send(&d, &mut fresh, json!({"jsonrpc":"2.0","id":12,"method":"resources/list"})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_PARAMS, "a modern method without its _meta");
    }

    #[test]
    fn unknown_log_levels_in_meta() {
        let d = Dispatcher::default();
        let mut meta = modern_meta_json(MODERN);
        meta[meta::LOG_LEVEL] = json!("loud");
        let msg = json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta": meta}});
        assert_eq!(send(&d, &mut Connection::default(), msg.clone()).unwrap()["error"]["code"], code::INVALID_PARAMS);
        let lax = Dispatcher::new(FaultSet::only(Fault::LogLevelUnknownAccepted));
        assert!(send(&lax, &mut Connection::default(), msg).unwrap()["result"].is_object());
    }

    #[test]
    fn modern_meta_errors() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"tools/list"})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_PARAMS);
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion": MODERN}}})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_PARAMS);
        for v in ["1900-01-01", "2025-11-25"] {
            let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta": modern_meta_json(v)}})).unwrap();
            assert_eq!(r["error"]["code"], code::UNSUPPORTED_PROTOCOL_VERSION);
            assert_eq!(r["error"]["data"]["requested"], v);
            assert_eq!(r["error"]["data"]["supported"][0], MODERN);
        }
        let wrong = Dispatcher::new(FaultSet::only(Fault::UnsupportedVersionWrongCode));
        let r = send(&wrong, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta": modern_meta_json("1")}})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_PARAMS);
        let bare = Dispatcher::new(FaultSet::only(Fault::UnsupportedVersionNoSupportedList));
        let r = send(&bare, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta": modern_meta_json("1")}})).unwrap();
        assert!(r["error"]["data"].get("supported").is_none());
    }

    #[test]
    fn unknown_methods() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"no/such"})).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND);
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"no/such","params":{"_meta": modern_meta_json(MODERN)}})).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND);
        init(&d, &mut c, "2025-11-25");
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"server/discover"})).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND, "discover is not a legacy method");
        let wrong = Dispatcher::new(FaultSet::only(Fault::UnknownMethodWrongCode));
        let r = send(&wrong, &mut c, json!({"jsonrpc":"2.0","id":1,"method":"no/such"})).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_REQUEST);
    }

    #[test]
    fn batches_only_in_2025_03_26() {
        let d = Dispatcher::default();
        let batch = json!([
            {"jsonrpc":"2.0","id":1,"method":"ping"},
            {"jsonrpc":"2.0","method":"notifications/initialized"},
            {"jsonrpc":"2.0","id":2,"method":"tools/list"}
        ]);
        let mut c = Connection::default();
        init(&d, &mut c, "2025-03-26");
        let r = send(&d, &mut c, batch.clone()).unwrap();
        assert_eq!(r.as_array().unwrap().len(), 2);
        assert!(c.legacy.unwrap().initialized);
        assert!(send(&d, &mut c, json!([{"jsonrpc":"2.0","method":"notifications/initialized"}])).is_none());
        assert_eq!(send(&d, &mut c, json!([])).unwrap()["error"]["code"], code::INVALID_REQUEST);
        let mut c = Connection::default();
        init(&d, &mut c, "2025-06-18");
        let r = send(&d, &mut c, batch).unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_REQUEST);
        assert_eq!(r["id"], Value::Null);
    }

    #[test]
    fn notifications_and_responses_are_never_answered() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        assert!(send(&d, &mut c, json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})).is_none());
        assert!(send(&d, &mut c, json!({"jsonrpc":"2.0","method":"whatever"})).is_none());
        assert!(send(&d, &mut c, json!({"jsonrpc":"2.0","id":9,"result":{}})).is_none());
    }

    #[test]
    fn malformed_input() {
        let d = Dispatcher::default();
        let mut c = Connection::default();
        let r = d.handle_frame(&mut c, b"{not json").unwrap();
        assert_eq!(r["error"]["code"], code::PARSE_ERROR);
        assert_eq!(r["id"], Value::Null);
        let r = d.handle_frame(&mut c, b"\xff\xfe").unwrap();
        assert_eq!(r["error"]["code"], code::PARSE_ERROR);
        let r = d.handle_frame(&mut c, b"42").unwrap();
        assert_eq!(r["error"]["code"], code::INVALID_REQUEST);
        let deep = "[".repeat(100_000);
        let r = d.handle_frame(&mut c, deep.as_bytes()).unwrap();
        assert_eq!(r["error"]["code"], code::PARSE_ERROR);
    }

    /// No byte string makes the dispatcher panic (a cheap stand-in for the
    /// cargo-fuzz target that will cover this later).
    #[test]
    fn arbitrary_bytes_never_panic() {
        let seeds: &[&[u8]] = &[
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"ms":9},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"progress","arguments":{"delayMs":5},"_meta":{"progressToken":1}}}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":{"notifications":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"resources/list","params":{"cursor":"cmVzb3VyY2VzQDIw"}}"#,
            br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{}}}"#,
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            br#"{"jsonrpc":"2.0","id":"x","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
        ];
        // Every fault but one whose simulated work needs a Tokio timer.
        let faults = crate::faults::CATALOGUE.iter().map(|i| i.fault).filter(|f| *f != Fault::RequestsDroppedUnderLoad);
        let d = Dispatcher::new(faults.collect());
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..4000 {
            let mut bytes = seeds[round % seeds.len()].to_vec();
            for _ in 0..(next() % 6) {
                let pos = (next() as usize) % bytes.len().max(1);
                match next() % 3 {
                    0 if !bytes.is_empty() => bytes[pos] = next() as u8,
                    1 => bytes.insert(pos.min(bytes.len()), b"{}[]\":,0-e\\"[(next() % 11) as usize]),
                    _ if !bytes.is_empty() => {
                        bytes.remove(pos);
                    }
                    _ => {}
                }
            }
            let mut c = Connection::default();
            if round % 2 == 0 {
                // Half the frames land in a session, so the legacy methods run too.
                init(&d, &mut c, "2025-03-26");
                let _ = d.handle_frame(&mut c, br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
            }
            let _ = d.handle_frame(&mut c, &bytes);
            let _ = Dispatcher::default().handle_frame(&mut c, &bytes);
        }
    }

}
