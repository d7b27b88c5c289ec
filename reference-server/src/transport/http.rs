//! Streamable HTTP at `/mcp`, serving both eras on one endpoint.
//!
//! Each POST is routed by what it carries (LIFECYCLE-018):
//!
//! * `initialize` opens a **legacy session** and its response carries a
//!   fresh `Mcp-Session-Id` (L-HTTP-009). Later requests of that session
//!   must send the id: without it 400 (L-HTTP-010), with an unknown or
//!   deleted one 404 (L-HTTP-011). A `MCP-Protocol-Version` header, when
//!   sent, must name a handshake-era version this server supports, else
//!   400 (L-HTTP-013: invalid or unsupported); the session's negotiated
//!   version is what it is served at, whether the header is absent or
//!   names another supported version (as the official conformance suite's
//!   SSE scenarios send). GET with the id opens an
//!   SSE stream for the session's notifications outside any request (list
//!   changes, resource updates; each on one stream only, L-HTTP-006),
//!   keep-alive comments meanwhile, a priming event in 2025-11-25;
//!   DELETE ends the session. Every SSE event of a session carries an id
//!   and every stream can be resumed with GET + `Last-Event-ID`
//!   ([`super::event_log`]; L-HTTP-007, L-HTTP-008); `test_reconnection`
//!   closes its POST stream after the priming event (2025-11-25 polling). A JSON array is a batch, accepted only in a
//!   2025-03-26 session (L-BATCH-001).
//! * a request whose body carries modern `_meta` is served **statelessly**
//!   (2026-07-28): any `Mcp-Session-Id` is ignored and none is issued
//!   (HTTP-032). After the `_meta` checks (-32602 or -32022, both HTTP 400:
//!   LIFECYCLE-007, HTTP-017) the mirrored headers are validated:
//!   `MCP-Protocol-Version` must equal the `_meta` version (HTTP-016),
//!   `Mcp-Method` the body `method` (HTTP-020), and for `tools/call`,
//!   `prompts/get` and `resources/read` `Mcp-Name` the `params.name` /
//!   `params.uri` after Base64-sentinel decoding (HTTP-021, HTTP-022), and
//!   for a `tools/call` each `Mcp-Param-*` header its tool's `x-mcp-header`
//!   arguments call for ([`crate::param_headers`], HTTP-023..026); any
//!   failure is 400 with -32020 (HTTP-028). An unknown method is 404 with
//!   -32601 (HTTP-018). `subscriptions/listen` and the tools that take time
//!   answer with a live SSE stream whose closing cancels them
//!   ([`super::modern_stream`]).
//! * anything else (no session, no `_meta`) is 400 with -32602.
//!
//! GET and DELETE without a session id answer 405 (HTTP-031). Notifications
//! and client responses answer 202 with no body (HTTP-006). Requests are
//! answered with `application/json`, or with a one-event
//! `text/event-stream` under `--sse-responses` (HTTP-008). Every request
//! first passes the [origin policy](super::origin).
//!
//! `tools/call ask` in a legacy session is always answered with a live
//! `text/event-stream`: the tool's own requests to the client
//! (`roots/list`, `sampling/createMessage`, `elicitation/create`; L-S2C-001)
//! travel on it as `message` events, the client POSTs its responses with
//! the session id (202) and they are routed to the waiting request by id
//! ([`crate::peer`]); the tool's response is the last event, then the
//! stream ends. The same holds for `progress`, `slow` and `log`, whose
//! progress and log notifications precede the response on their stream.
//! A `notifications/cancelled` POSTed for the call stops it
//! and ends the stream without a response. In 2026-07-28 the server sends
//! no requests (input comes through `input_required` results), except under
//! the `s2c-request-in-stateless` fault, whose request precedes the response
//! on a two-event stream.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request as HttpRequest, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;

use super::origin::OriginPolicy;
use super::event_log::{StreamLog, Streams};
use super::{header_value, modern_stream, replies, session_id, MAX_MESSAGE_BYTES, MAX_SESSIONS};
use crate::dispatch::{self, respond_batch, Action, Answer, Connection, Dispatcher, Job, LegacySession, LoadSlot, Part};
use crate::faults::Fault;
use crate::peer::{ClientLink, Peer};
use crate::protocol::message::{error_response, result_response};
use crate::protocol::meta::{self, RequestMeta};
use crate::protocol::{classify, code, ClientCapabilities, Incoming, ProtocolVersion, Request, RpcError};

/// The session header (L-HTTP-009).
pub const SESSION_HEADER: &str = "mcp-session-id";
/// The protocol version header (L-HTTP-013, HTTP-016).
pub const PROTOCOL_VERSION_HEADER: &str = "mcp-protocol-version";
/// The mirrored method header (HTTP-020).
pub const METHOD_HEADER: &str = "mcp-method";
/// The mirrored name header (HTTP-021).
pub const NAME_HEADER: &str = "mcp-name";
/// The header a client resumes a stream with (L-HTTP-008).
pub const LAST_EVENT_ID_HEADER: &str = "last-event-id";

/// Options of the Streamable HTTP transport.
#[derive(Clone, Copy, Debug, Default)]
pub struct HttpOptions {
    /// Answer POSTed requests with a one-event `text/event-stream` instead
    /// of `application/json`, so clients' SSE parsing gets exercised.
    pub sse_responses: bool,
}

/// A legacy session opened by `initialize`.
struct Session {
    id: String,
    version: ProtocolVersion,
    capabilities: ClientCapabilities,
    initialized: AtomicBool,
    /// Server requests of `ask` waiting for answers; requests in flight.
    peer: Arc<Peer>,
    serial: u64,
    /// The session's SSE streams, kept for resumption (L-HTTP-007, L-HTTP-008).
    streams: Streams,
}

impl Session {
    /// The session as the dispatcher sees it now.
    fn legacy(&self) -> LegacySession {
        LegacySession {
            version: self.version,
            initialized: self.initialized.load(Ordering::Relaxed),
            capabilities: self.capabilities,
        }
    }

    /// Ends the session for good: its GET streams close, and requests
    /// waiting for the client stop waiting.
    fn end(&self) {
        self.peer.close();
    }
}

#[derive(Default)]
struct Sessions {
    by_id: HashMap<String, Arc<Session>>,
    next_serial: u64,
}

enum Lookup {
    Missing,
    Unknown,
    Found(Arc<Session>),
}

struct App {
    dispatcher: Dispatcher,
    sessions: Mutex<Sessions>,
    policy: OriginPolicy,
    /// The clients the `oversized-wedges` fault stopped serving.
    wedged: replies::Wedged,
    options: HttpOptions,
}

type Shared = Arc<App>;

/// The `/mcp` router for a server bound to `bound`.
pub fn router(dispatcher: Dispatcher, bound: SocketAddr, options: HttpOptions) -> Router {
    let app: Shared = Arc::new(App {
        policy: OriginPolicy::new(bound, !dispatcher.faults().contains(Fault::NoOriginCheck))
            .origin_on_post_only(dispatcher.faults().contains(Fault::OriginCheckedOnPostOnly))
            .any_host(dispatcher.faults().contains(Fault::NoHostCheck)),
        dispatcher,
        wedged: replies::Wedged::default(),
        sessions: Mutex::new(Sessions::default()),
        options,
    });
    Router::new()
        .route("/mcp", post(post_mcp).get(get_mcp).delete(delete_mcp))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES))
        .with_state(app)
}

/// Serves Streamable HTTP on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, dispatcher: Dispatcher, options: HttpOptions) -> std::io::Result<()> {
    let bound = listener.local_addr()?;
    super::serve(listener, router(dispatcher, bound, options)).await
}

async fn guard(State(app): State<Shared>, request: HttpRequest, next: Next) -> Response {
    match app.policy.check_request(request.method(), request.headers()) {
        Ok(()) => match replies::refuse_oversize(request.headers(), app.dispatcher.faults(), &app.wedged, &client_of(request.headers())).await {
            Some(too_large) => too_large,
            None => next.run(request).await,
        },
        Err(reason) => {
            tracing::info!(%reason, "refused by origin policy");
            replies::forbidden(&reason)
        }
    }
}

/// Who sent a request, for the `oversized-wedges` fault: its session, or
/// outside sessions the protocol version it names.
fn client_of(headers: &HeaderMap) -> String {
    let named = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    named(SESSION_HEADER).or_else(|| named("mcp-protocol-version")).unwrap_or_default()
}

async fn post_mcp(State(app): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    app.post(&headers, &body).await
}

async fn get_mcp(State(app): State<Shared>, headers: HeaderMap) -> Response {
    app.get(&headers)
}

async fn delete_mcp(State(app): State<Shared>, headers: HeaderMap) -> Response {
    app.delete(&headers)
}

fn lock(m: &Mutex<Sessions>) -> MutexGuard<'_, Sessions> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The single value of header `name`: `Ok(None)` when absent, an error when
/// repeated or not visible ASCII (HTTP-028 counts both as malformed).
fn single_header<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, RpcError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(RpcError::header_mismatch(format!("the {name} header is repeated")));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| RpcError::header_mismatch(format!("the {name} header has characters outside visible ASCII")))
}

/// The body field `Mcp-Name` mirrors for `method`, if any.
fn name_field(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        _ => None,
    }
}

/// The `notifications-on-two-streams` fault: a sender that passes every
/// message on to `stream` and also pushes each notification to the
/// session's GET stream.
fn copy_notifications_to_outlet(peer: Arc<Peer>, stream: mpsc::Sender<Value>) -> mpsc::Sender<Value> {
    let (tx, mut rx) = mpsc::channel::<Value>(16);
    tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if message.get("method").is_some() && message.get("id").is_none() {
                peer.push(&message);
            }
            if stream.send(message).await.is_err() {
                break;
            }
        }
    });
    tx
}

fn method_not_allowed() -> Response {
    (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, HeaderValue::from_static("POST"))]).into_response()
}

fn session_not_found(id: Option<Value>) -> Response {
    let e = RpcError::invalid_request("unknown or ended session; send a new initialize without Mcp-Session-Id");
    match id {
        Some(id) => replies::rpc_error(StatusCode::NOT_FOUND, id, &e),
        None => replies::rpc_error_without_id(StatusCode::NOT_FOUND, &e),
    }
}

impl App {
    fn faulty(&self, f: Fault) -> bool {
        self.dispatcher.faults().contains(f)
    }

    /// 202 for an accepted notification or response (HTTP-006).
    fn accepted(&self) -> Response {
        if self.faulty(Fault::NotificationAnswered200) {
            return StatusCode::OK.into_response();
        }
        replies::accepted()
    }

    fn session(&self, headers: &HeaderMap) -> Lookup {
        let Some(value) = headers.get(SESSION_HEADER) else {
            return Lookup::Missing;
        };
        let Ok(id) = value.to_str() else {
            return Lookup::Unknown;
        };
        lock(&self.sessions).by_id.get(id).cloned().map_or(Lookup::Unknown, Lookup::Found)
    }

    fn create_session(&self, opened: LegacySession) -> Arc<Session> {
        let mut sessions = lock(&self.sessions);
        if sessions.by_id.len() >= MAX_SESSIONS {
            let oldest = sessions.by_id.values().min_by_key(|s| s.serial).map(|s| s.id.clone());
            if let Some(old) = oldest.and_then(|id| sessions.by_id.remove(&id)) {
                old.end();
            }
        }
        sessions.next_serial += 1;
        let session = Arc::new(Session {
            id: if self.faulty(Fault::SessionIdPredictable) { sessions.next_serial.to_string() } else { session_id::generate() },
            version: opened.version,
            capabilities: opened.capabilities,
            initialized: AtomicBool::new(false),
            peer: Peer::new(),
            serial: sessions.next_serial,
            streams: Streams::new(self.dispatcher.faults()),
        });
        sessions.by_id.insert(session.id.clone(), session.clone());
        session
    }

    fn end_session(&self, session: &Session) {
        lock(&self.sessions).by_id.remove(&session.id);
        session.end();
    }

    /// L-HTTP-013 for a session-bound request: an absent header is fine (the
    /// session knows the version); a present one must be a handshake-era
    /// version this server supports (the rule is "invalid or unsupported";
    /// the session still serves its negotiated version). Returns the 400 to
    /// send when the header is wrong.
    fn legacy_version_header_rejection(&self, headers: &HeaderMap, session: &Session, id: Option<&Value>) -> Option<Response> {
        if self.faulty(Fault::ProtocolVersionHeaderIgnored) {
            return None;
        }
        let problem = match single_header(headers, PROTOCOL_VERSION_HEADER) {
            Ok(None) => return None,
            Ok(Some(v)) if ProtocolVersion::parse(v).is_some_and(ProtocolVersion::is_stateful) => return None,
            Ok(Some(v)) if ProtocolVersion::parse(v).is_none() => format!("unsupported MCP-Protocol-Version '{v}'"),
            Ok(Some(v)) => format!("MCP-Protocol-Version '{v}' has no sessions (negotiated here: {})", session.version),
            Err(e) => e.message,
        };
        let e = RpcError::invalid_request(problem);
        Some(match id {
            Some(id) => replies::rpc_error(StatusCode::BAD_REQUEST, id.clone(), &e),
            None => replies::rpc_error_without_id(StatusCode::BAD_REQUEST, &e),
        })
    }

    /// A 200 reply carrying `messages`, as JSON or as SSE.
    fn reply(&self, session: Option<&Session>, messages: Vec<Value>) -> Response {
        if !self.options.sse_responses {
            let body = match <[Value; 1]>::try_from(messages) {
                Ok([single]) => single,
                Err(many) => Value::Array(many),
            };
            let mut response = replies::json(StatusCode::OK, &body);
            if self.faulty(Fault::AnswerWrongContentType) {
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            }
            return response;
        }
        self.sse_reply(session, messages)
    }

    /// A complete `text/event-stream` with one `message` event per message
    /// (after a priming event in 2025-11-25 sessions). In a session the
    /// events carry ids and stay buffered for resumption.
    fn sse_reply(&self, session: Option<&Session>, messages: Vec<Value>) -> Response {
        let Some(session) = session else {
            let body: String = messages.iter().map(|m| replies::sse_event(Some("message"), None, &crate::duplicate_keys::to_text(m))).collect();
            return replies::event_stream(body);
        };
        let log = session.streams.open();
        let mut body = if session.version.has_sse_priming() { log.prime() } else { String::new() };
        for m in &messages {
            body.push_str(&log.push(m));
        }
        log.finish();
        replies::event_stream(body)
    }

    /// A live `text/event-stream` for a request that may send messages to
    /// the client first: `run` gets the stream's sender, every message it
    /// sends becomes an event, and the stream ends when `run` is done and
    /// every sender is gone. With `close_early` (2025-11-25 polling) the
    /// connection ends after the priming event while the request goes on:
    /// the client gets the rest by resuming with `Last-Event-ID`.
    fn live_reply<F, Fut>(&self, session: &Arc<Session>, close_early: bool, run: F) -> Response
    where
        F: FnOnce(mpsc::Sender<Value>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<Value>(16);
        let log = session.streams.open();
        let priming = session.version.has_sse_priming().then(|| log.prime());
        log.feed(rx, false);
        let task = tokio::spawn(run(tx));
        match priming {
            Some(priming) if close_early => replies::event_stream(priming),
            priming if self.faulty(Fault::DroppedStreamCancels) => {
                // The fault ties the request to its first connection: dropping it aborts the work.
                let guard = modern_stream::AbortOnDrop(task.abort_handle());
                let events = log.read(None, priming.into_iter().collect()).map(move |event| {
                    let _ = &guard;
                    event
                });
                replies::live_event_stream(events)
            }
            priming => replies::live_event_stream(log.read(None, priming.into_iter().collect())),
        }
    }

    /// Runs a legacy request of `session`: on a live stream when it may ask
    /// the client, otherwise to its response.
    async fn run_legacy(&self, session: Arc<Session>, job: Job) -> Response {
        let dispatcher = self.dispatcher;
        if job.may_message_client(dispatcher.faults()) {
            let peer = session.peer.clone();
            let close_early = job.closes_stream_early();
            let broadcast = self.faulty(Fault::NotificationsOnTwoStreams);
            let left_open = self.faulty(Fault::RequestStreamLeftOpen);
            return self.live_reply(&session, close_early, move |tx| async move {
                let sink = if broadcast { copy_notifications_to_outlet(peer.clone(), tx) } else { tx };
                let link = ClientLink::new(peer.clone(), sink.clone(), dispatcher.ask_timeout());
                if let Some(reply) = job.respond(dispatcher, &peer, Some(link)).await {
                    let _ = sink.send(reply).await;
                }
                if left_open {
                    // The sender lives on, so the stream stays open after the response.
                    tokio::time::sleep(modern_stream::LEFT_OPEN).await;
                }
            });
        }
        match job.respond(dispatcher, &session.peer, None).await {
            Some(reply) => {
                if self.faulty(Fault::ResponsesOnGetStream) {
                    session.peer.push(&reply);
                }
                self.reply(Some(&session), vec![reply])
            }
            None => replies::accepted(),
        }
    }

    async fn post(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let value: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return replies::rpc_error(StatusCode::BAD_REQUEST, Value::Null, &self.dispatcher.parse_error(e)),
        };
        if let Value::Array(items) = value {
            return self.post_batch(headers, items).await;
        }
        match classify(value) {
            Err(rejected) => replies::json(StatusCode::BAD_REQUEST, &self.dispatcher.rejection(&rejected)),
            Ok(Incoming::Request(req)) => self.post_request(headers, req).await,
            Ok(Incoming::Notification(n)) => match (self.dispatcher.notification_answer(&n), self.session(headers)) {
                (Some(answer), _) => replies::json(StatusCode::OK, &answer),
                (None, Lookup::Found(s)) => {
                    if let Some(r) = self.legacy_version_header_rejection(headers, &s, None) {
                        return r;
                    }
                    if n.method == "notifications/initialized" {
                        s.initialized.store(true, Ordering::Relaxed);
                        s.peer.set_initialized();
                    }
                    if let Some(id) = dispatch::cancelled_request(&n) {
                        s.peer.cancel(id);
                    }
                    self.accepted()
                }
                (None, Lookup::Unknown) if self.faulty(Fault::RefusedNotificationAnswered200) => {
                    let e = RpcError::invalid_request("unknown or ended session");
                    replies::rpc_error_without_id(StatusCode::OK, &e)
                }
                (None, Lookup::Unknown) => session_not_found(None),
                // The fault wants session-less notifications at another path (HTTP-001).
                (None, Lookup::Missing) if self.faulty(Fault::NotificationsNotAtEndpoint) => StatusCode::NOT_FOUND.into_response(),
                // 2026-07-28 defines no client notifications over HTTP; accept and drop.
                (None, Lookup::Missing) => self.accepted(),
            },
            Ok(Incoming::Response(response)) => match self.session(headers) {
                Lookup::Found(s) => {
                    if let Some(r) = self.legacy_version_header_rejection(headers, &s, None) {
                        return r;
                    }
                    s.peer.deliver(response);
                    self.accepted()
                }
                Lookup::Unknown => session_not_found(None),
                Lookup::Missing => replies::rpc_error_without_id(
                    StatusCode::BAD_REQUEST,
                    &RpcError::invalid_request("a JSON-RPC response needs the Mcp-Session-Id of its session"),
                ),
            },
        }
    }

    async fn post_request(&self, headers: &HeaderMap, req: Request) -> Response {
        if req.method == "initialize" {
            return self.post_initialize(req);
        }
        if meta::carries_modern_meta(req.params.as_ref()) {
            if let (true, Lookup::Found(session)) = (self.faulty(Fault::LegacySessionLeaks), self.session(headers)) {
                // The legacy session named in the header swallows the modern request.
                let job = Job::legacy(session.legacy(), req);
                return self.run_legacy(session, job).await;
            }
            // The 2026-07-28 answer is computed here, not by a `Job`.
            let Some(_slot) = LoadSlot::take(self.dispatcher, LoadSlot::STATELESS_HTTP).await else { return replies::accepted() };
            return self.post_modern(headers, req);
        }
        match self.session(headers) {
            Lookup::Found(session) => {
                if let Some(r) = self.legacy_version_header_rejection(headers, &session, Some(&req.id)) {
                    return r;
                }
                let job = Job::legacy(session.legacy(), req);
                self.run_legacy(session, job).await
            }
            Lookup::Unknown => session_not_found(Some(req.id)),
            Lookup::Missing if self.faulty(Fault::MissingSessionId404) => session_not_found(Some(req.id)),
            Lookup::Missing => {
                let e = RpcError::invalid_params(format!(
                    "the request carries neither 2026-07-28 per-request _meta (\"{}\", \"{}\") nor the Mcp-Session-Id of an initialized session",
                    meta::PROTOCOL_VERSION,
                    meta::CLIENT_CAPABILITIES
                ));
                replies::rpc_error(StatusCode::BAD_REQUEST, req.id, &e)
            }
        }
    }

    fn post_initialize(&self, req: Request) -> Response {
        match self.dispatcher.initialize(&req) {
            Ok((result, opened)) => {
                let session = self.create_session(opened);
                tracing::debug!(session = %session.id, version = %opened.version, "session opened");
                let mut response = self.reply(Some(&session), vec![result_response(req.id, result)]);
                if let Ok(value) = HeaderValue::from_str(&session.id) {
                    response.headers_mut().insert(SESSION_HEADER, value);
                }
                response
            }
            Err(e) => self.reply(None, vec![error_response(req.id, &e)]),
        }
    }

    fn post_modern(&self, headers: &HeaderMap, req: Request) -> Response {
        let mut response = self.answer_modern(headers, req);
        if self.faulty(Fault::SseWithoutAccelBuffering) {
            response.headers_mut().remove(replies::X_ACCEL_BUFFERING);
        }
        if self.faulty(Fault::SessionIdInStateless) {
            // HTTP-032 says ignore the client's id and issue none: echo it, or make one up.
            let id = headers.get(SESSION_HEADER).cloned().or_else(|| HeaderValue::from_str(&session_id::generate()).ok());
            if let Some(id) = id {
                response.headers_mut().insert(SESSION_HEADER, id);
            }
        }
        response
    }

    fn answer_modern(&self, headers: &HeaderMap, req: Request) -> Response {
        let request_meta = match self.dispatcher.modern_meta(&req) {
            Ok(m) => m,
            Err(e) => return replies::rpc_error(StatusCode::BAD_REQUEST, req.id, &e),
        };
        // HTTP-033: Last-Event-ID means nothing in 2026-07-28 and is ignored.
        if self.faulty(Fault::LastEventIdRefusedInStateless) && headers.contains_key(LAST_EVENT_ID_HEADER) {
            let e = RpcError::invalid_request("streams cannot be resumed in 2026-07-28; send no Last-Event-ID");
            return replies::rpc_error(StatusCode::BAD_REQUEST, req.id, &e);
        }
        if let Err(e) = self.check_mirrored_headers(headers, &req, &request_meta) {
            let status = if self.faulty(Fault::HeaderMismatchStatus200) { StatusCode::OK } else { StatusCode::BAD_REQUEST };
            return replies::rpc_error(status, req.id, &e);
        }
        if self.dispatcher.modern_streams(&req) {
            return modern_stream::respond(self.dispatcher, request_meta, req);
        }
        // Only the s2c-request-in-stateless fault sends anything before the
        // response: its request then shares a stream with the response.
        let (link, mut sent) = if self.faulty(Fault::S2cRequestInStateless) && dispatch::is_ask_call(&req) {
            let (tx, rx) = mpsc::channel(4);
            (Some(ClientLink::new(Peer::new(), tx, self.dispatcher.ask_timeout())), Some(rx))
        } else {
            (None, None)
        };
        match self.dispatcher.modern_request(&request_meta, &req, link.as_ref()) {
            Answer::Result(r) => {
                let mut messages = Vec::new();
                while let Some(message) = sent.as_mut().and_then(|rx| rx.try_recv().ok()) {
                    messages.push(message);
                }
                messages.push(result_response(req.id, r));
                if messages.len() > 1 {
                    self.sse_reply(None, messages)
                } else {
                    self.reply(None, messages)
                }
            }
            Answer::Error(e) if e.code == code::METHOD_NOT_FOUND && !self.faulty(Fault::UnknownMethodStatus200) => {
                replies::rpc_error(StatusCode::NOT_FOUND, req.id, &e)
            }
            Answer::Error(e) if e.code == code::INVALID_REQUEST => replies::rpc_error(StatusCode::BAD_REQUEST, req.id, &e),
            // LIFECYCLE-009: MissingRequiredClientCapabilityError goes with 400.
            Answer::Error(e) if e.code == code::MISSING_REQUIRED_CLIENT_CAPABILITY => replies::rpc_error(StatusCode::BAD_REQUEST, req.id, &e),
            Answer::Error(e) => self.reply(None, vec![error_response(req.id, &e)]),
            Answer::Silence => replies::accepted(),
        }
    }

    /// HTTP-016, HTTP-020, HTTP-021/022, HTTP-027 (header names are matched
    /// case-insensitively by `HeaderMap`; values are compared exactly).
    fn check_mirrored_headers(&self, headers: &HeaderMap, req: &Request, request_meta: &RequestMeta) -> Result<(), RpcError> {
        // HTTP-019: this server may take a request without the header as
        // 2025-03-26, but it refuses it, as a 2026-07-28-only server must
        // (the fault, posing as one, serves it at the `_meta` version).
        let version = match single_header(headers, PROTOCOL_VERSION_HEADER)? {
            Some(version) => version,
            None if self.faulty(Fault::StatelessOnlyVersionHeaderOptional) => request_meta.protocol_version.as_str(),
            None => return Err(RpcError::header_mismatch("the MCP-Protocol-Version header is required")),
        };
        if version != request_meta.protocol_version && !self.faulty(Fault::VersionHeaderMismatchIgnored) {
            return Err(RpcError::header_mismatch(format!(
                "MCP-Protocol-Version header value '{version}' does not match body value '{}'",
                request_meta.protocol_version
            )));
        }
        let method = single_header(headers, METHOD_HEADER)?
            .ok_or_else(|| RpcError::header_mismatch("the Mcp-Method header is required"))?;
        let same_method = if self.faulty(Fault::MethodHeaderCaseInsensitive) {
            method.eq_ignore_ascii_case(&req.method)
        } else {
            method == req.method
        };
        if !same_method && !self.faulty(Fault::HeaderMismatchIgnored) {
            return Err(RpcError::header_mismatch(format!(
                "Mcp-Method header value '{method}' does not match body value '{}'",
                req.method
            )));
        }
        if let Some(field) = name_field(&req.method) {
            // A body without the field fails the method's own params check.
            if let Some(body_value) = req.param_str(field) {
                let raw = single_header(headers, NAME_HEADER)?
                    .ok_or_else(|| RpcError::header_mismatch(format!("the Mcp-Name header is required for {}", req.method)))?;
                let decoded = if self.faulty(Fault::EncodedNameHeaderNotDecoded) {
                    raw.to_owned()
                } else {
                    header_value::decode(raw).map_err(RpcError::header_mismatch)?
                };
                if decoded != body_value && !self.faulty(Fault::NameHeaderMismatchIgnored) {
                    return Err(RpcError::header_mismatch(format!(
                        "Mcp-Name header value '{decoded}' does not match body value '{body_value}'"
                    )));
                }
            }
        }
        // HTTP-023..026: the arguments the tool marks with `x-mcp-header`
        // (an unknown tool has none; its call fails later).
        if req.method == "tools/call" {
            let params = req.params.as_ref();
            let tool = params.and_then(|p| p.get("name")).and_then(Value::as_str);
            if let Some(schema) = tool.and_then(|name| crate::tools::input_schema(ProtocolVersion::V2026_07_28, name)) {
                let arguments = params.and_then(|p| p.get("arguments")).cloned().unwrap_or(Value::Null);
                crate::param_headers::check(headers, &schema, &arguments, self.dispatcher.faults())?;
            }
        }
        Ok(())
    }

    async fn post_batch(&self, headers: &HeaderMap, items: Vec<Value>) -> Response {
        let session = match self.session(headers) {
            Lookup::Found(s) => s,
            Lookup::Unknown => return session_not_found(None),
            Lookup::Missing => {
                let e = RpcError::invalid_request("a JSON-RPC batch needs the Mcp-Session-Id of a 2025-03-26 session");
                return replies::rpc_error(StatusCode::BAD_REQUEST, Value::Null, &e);
            }
        };
        if let Some(r) = self.legacy_version_header_rejection(headers, &session, None) {
            return r;
        }
        let mut conn = Connection {
            legacy: Some(session.legacy()),
            peer: session.peer.clone(),
        };
        let action = self.dispatcher.accept(&mut conn, Value::Array(items));
        if conn.legacy.is_some_and(|s| s.initialized) {
            session.initialized.store(true, Ordering::Relaxed);
        }
        let parts = match action {
            Action::Nothing => return replies::accepted(),
            // A batch refused as a whole (wrong version, empty).
            Action::Reply(single) => return replies::json(StatusCode::BAD_REQUEST, &single),
            Action::Run(job) => vec![Part::Run(job)],
            Action::Batch(parts) => parts,
        };
        let dispatcher = self.dispatcher;
        let asks = parts.iter().any(|p| matches!(p, Part::Run(job) if job.may_message_client(dispatcher.faults())));
        if asks {
            let peer = session.peer.clone();
            return self.live_reply(&session, false, move |tx| async move {
                let link = ClientLink::new(peer.clone(), tx.clone(), dispatcher.ask_timeout());
                if let Some(reply) = respond_batch(parts, dispatcher, peer, Some(link)).await {
                    let _ = tx.send(reply).await;
                }
            });
        }
        match respond_batch(parts, dispatcher, session.peer.clone(), None).await {
            None => replies::accepted(),
            // A batch is answered with an array, even of one response.
            Some(array) if !self.options.sse_responses => replies::json(StatusCode::OK, &array),
            Some(Value::Array(replies)) => self.sse_reply(Some(&session), replies),
            Some(single) => self.sse_reply(Some(&session), vec![single]),
        }
    }

    fn get(&self, headers: &HeaderMap) -> Response {
        let session = match self.session(headers) {
            Lookup::Found(_) if self.faulty(Fault::GetStreamWrongStatus) => return StatusCode::BAD_REQUEST.into_response(),
            Lookup::Found(s) => s,
            Lookup::Unknown => return session_not_found(None),
            Lookup::Missing if self.faulty(Fault::StatelessOnlyGetNot405) => return StatusCode::BAD_REQUEST.into_response(),
            Lookup::Missing => return method_not_allowed(),
        };
        if let Some(r) = self.legacy_version_header_rejection(headers, &session, None) {
            return r;
        }
        // A Last-Event-ID this server can resume from reattaches to the stream
        // it names (L-HTTP-008); any other is not used (the header is a MAY).
        let last_event_id = headers.get(LAST_EVENT_ID_HEADER).and_then(|v| v.to_str().ok());
        if let Some((log, after)) = last_event_id.and_then(|id| session.streams.resumable(id)) {
            tracing::debug!(session = %session.id, stream = log.number(), after, "stream resumed");
            let needs_outlet = log.needs_outlet();
            let events = log.read(Some(after), Vec::new());
            if needs_outlet {
                self.reopen_outlet(&session, &log);
            }
            return replies::live_event_stream(events);
        }
        // The stream carries the session's notifications outside any request
        // (list changes, resource updates) until the session ends; the
        // priming event lets 2025-11-25 clients resume.
        let log = session.streams.open();
        let priming = session.version.has_sse_priming().then(|| log.prime());
        let events = log.read(None, priming.into_iter().collect());
        self.reopen_outlet(&session, &log);
        replies::live_event_stream(events)
    }

    /// Makes `log` (a GET stream with a reader) an outlet of the session's
    /// notifications for as long as a connection reads it.
    fn reopen_outlet(&self, session: &Session, log: &Arc<StreamLog>) {
        let (tx, rx) = mpsc::channel::<Value>(64);
        session.peer.add_outlet(tx);
        log.feed(rx, true);
    }

    fn delete(&self, headers: &HeaderMap) -> Response {
        match self.session(headers) {
            Lookup::Found(session) => {
                if !self.faulty(Fault::SessionIdIgnoredAfterDelete) {
                    self.end_session(&session);
                }
                tracing::debug!(session = %session.id, "session deleted");
                StatusCode::OK.into_response()
            }
            Lookup::Unknown => session_not_found(None),
            Lookup::Missing if self.faulty(Fault::StatelessOnlyGetNot405) => StatusCode::BAD_REQUEST.into_response(),
            Lookup::Missing => method_not_allowed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultSet;

    fn app() -> App {
        let bound = SocketAddr::from(([127, 0, 0, 1], 0));
        App {
            dispatcher: Dispatcher::new(FaultSet::NONE),
            sessions: Mutex::new(Sessions::default()),
            policy: OriginPolicy::new(bound, true),
            wedged: replies::Wedged::default(),
            options: HttpOptions::default(),
        }
    }

    fn in_session(id: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(SESSION_HEADER, HeaderValue::from_str(id).unwrap());
        h
    }

    /// Opens a 2025-11-25 session; its id.
    async fn open(app: &App) -> String {
        let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
        let response = app.post(&HeaderMap::new(), init.as_bytes()).await;
        let id = response.headers().get(SESSION_HEADER).unwrap().to_str().unwrap().to_owned();
        let note = app.post(&in_session(&id), br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
        assert_eq!(note.status(), StatusCode::ACCEPTED);
        id
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn delete_frees_the_session() {
        let app = app();
        let id = open(&app).await;
        let session = Arc::downgrade(lock(&app.sessions).by_id.get(&id).unwrap());
        // A plain request and one answered on a live stream (it holds the session while it runs).
        let ping = app.post(&in_session(&id), br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).await;
        assert!(body(ping).await.contains(r#""result":{}"#));
        let log = br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"log","arguments":{}}}"#;
        assert!(body(app.post(&in_session(&id), log).await).await.contains(r#""id":2"#));
        assert_eq!(app.delete(&in_session(&id)).status(), StatusCode::OK);
        assert!(lock(&app.sessions).by_id.is_empty());
        assert!(session.upgrade().is_none(), "nothing keeps a deleted session alive");
    }

    #[tokio::test]
    async fn sessions_never_deleted_are_capped() {
        let app = app();
        let first = open(&app).await;
        for _ in 0..MAX_SESSIONS {
            open(&app).await;
        }
        assert_eq!(lock(&app.sessions).by_id.len(), MAX_SESSIONS);
        let ping = app.post(&in_session(&first), br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).await;
        assert_eq!(ping.status(), StatusCode::NOT_FOUND, "the oldest session made room");
    }

    #[test]
    fn mcp_name_applies_to_three_methods() {
        assert_eq!(name_field("tools/call"), Some("name"));
        assert_eq!(name_field("prompts/get"), Some("name"));
        assert_eq!(name_field("resources/read"), Some("uri"));
        assert_eq!(name_field("tools/list"), None);
    }

    #[test]
    fn repeated_or_non_ascii_headers_are_malformed() {
        let mut h = HeaderMap::new();
        h.append(METHOD_HEADER, HeaderValue::from_static("a"));
        assert_eq!(single_header(&h, METHOD_HEADER).unwrap(), Some("a"));
        h.append(METHOD_HEADER, HeaderValue::from_static("b"));
        assert_eq!(single_header(&h, METHOD_HEADER).unwrap_err().code, code::HEADER_MISMATCH);
        let mut h = HeaderMap::new();
        h.insert(NAME_HEADER, HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap());
        assert!(single_header(&h, NAME_HEADER).is_err());
        assert_eq!(single_header(&HeaderMap::new(), NAME_HEADER).unwrap(), None);
    }
}
