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

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use futures_util::FutureExt;
use serde_json::{json, Map, Value};

use crate::ask::{self, Stateless};
use crate::faults::{Fault, FaultSet};
use crate::peer::{self, ClientLink, Peer};
use crate::protocol::message::error_response;
use crate::protocol::meta::{self, RequestMeta};
use crate::protocol::{classify, code, ClientCapabilities, Era, Incoming, Notification, ProtocolVersion, Request, RpcError};
use crate::tools::{self, Call};

/// `instructions` of `InitializeResult` and `DiscoverResult`.
pub const INSTRUCTIONS: &str = "Reference server of mcp-conform. Fixture tools: echo {message} returns the \
message, add {a, b} returns {sum}, fail always returns a tool error, ask asks the client for roots, a sampled \
message and a form (as far as the client declared those capabilities) and summarises the answers.";

/// `ttlMs` on cacheable 2026-07-28 results: the tool set never changes.
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
    /// Nothing at all (only ever produced by a fault).
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
    /// response (Streamable HTTP then answers with an SSE stream).
    pub fn may_message_client(&self, faults: FaultSet) -> bool {
        match self.kind.as_ref() {
            JobKind::Legacy(_, req) => is_ask_call(req),
            JobKind::Modern(_, req) => is_ask_call(req) && faults.contains(Fault::S2cRequestInStateless),
        }
    }

    /// Runs the request; `link` is how it may ask the client (none: it cannot).
    pub async fn run(self, dispatcher: Dispatcher, link: Option<ClientLink>) -> Answer {
        match *self.kind {
            JobKind::Legacy(session, req) if is_ask_call(&req) => {
                match tools::call(session.version, dispatcher.faults, &req.params_or_empty()) {
                    Ok(Call::Ask) => {
                        let output = ask::ask_stateful(session, dispatcher.faults, link.as_ref()).await;
                        Answer::Result(tools::shape_result(session.version, dispatcher.faults, output))
                    }
                    Ok(Call::Done(result)) => Answer::Result(result),
                    Err(e) => Answer::Error(e),
                }
            }
            JobKind::Legacy(session, req) => dispatcher.legacy_request(session.version, &req),
            JobKind::Modern(request_meta, req) => dispatcher.modern_request(&request_meta, &req, link.as_ref()),
        }
    }

    /// Runs the request as the client request it is: a
    /// `notifications/cancelled` through `peer` stops it, and then nothing
    /// is returned. Otherwise the JSON-RPC response (none for silence).
    pub async fn respond(self, dispatcher: Dispatcher, peer: &Peer, link: Option<ClientLink>) -> Option<Value> {
        let id = self.id.clone();
        let answer = peer
            .run_cancellable(&id, |cancelled| self.run(dispatcher, link.map(|l| l.owned_by(cancelled))))
            .await?;
        answer.into_response(id)
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

/// The methods a 2026-07-28 request may name.
const MODERN_METHODS: &[&str] = &["server/discover", "tools/list", "tools/call"];

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

    /// Takes one frame of raw bytes (a stdio line, an HTTP+SSE POST body).
    /// Never panics, whatever the bytes.
    pub fn accept_frame(&self, conn: &mut Connection, bytes: &[u8]) -> Action {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => self.accept(conn, value),
            Err(e) => Action::Reply(error_response(Value::Null, &RpcError::parse_error(e))),
        }
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
        if !conn.legacy.is_some_and(|s| s.version.has_batching()) {
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
        match classify(value) {
            Err(rejected) => Some(Part::Reply(rejected.to_response())),
            Ok(Incoming::Response(response)) => {
                conn.peer.deliver(response);
                None
            }
            Ok(Incoming::Notification(n)) => {
                self.notification(conn, &n);
                None
            }
            Ok(Incoming::Request(req)) => {
                let reply = |answer: Answer, id: Value| answer.into_response(id).map(Part::Reply);
                match route(conn, &req) {
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
    pub fn notification(&self, conn: &mut Connection, n: &Notification) {
        if n.method == "notifications/initialized" {
            if let Some(session) = conn.legacy.as_mut() {
                session.initialized = true;
            }
        }
        if let Some(id) = cancelled_request(n) {
            conn.peer.cancel(id);
        }
    }

    fn capabilities(&self) -> Value {
        json!({"tools": {"listChanged": false}})
    }

    /// Answers `initialize` and returns the result with the session it opens:
    /// the version it will speak (L-LIFE-001, L-LIFE-002) and the client
    /// capabilities declared.
    pub fn initialize(&self, req: &Request) -> Result<(Value, LegacySession), RpcError> {
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
        let result = json!({
            "protocolVersion": answered,
            "capabilities": self.capabilities(),
            "serverInfo": meta::server_implementation(version.has_titles()),
            "instructions": INSTRUCTIONS,
        });
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

    fn tools_list(&self, version: ProtocolVersion, req: &Request) -> Result<Map<String, Value>, RpcError> {
        match req.params.as_ref().and_then(|p| p.get("cursor")) {
            None | Some(Value::Null) => {}
            // The list is one page, so no cursor this server could have issued exists (UTIL-014).
            Some(c) => return Err(RpcError::invalid_params(format!("Invalid cursor {c}: tools/list has a single page"))),
        }
        let mut result = Map::new();
        result.insert("tools".into(), Value::Array(tools::list(version, self.faults)));
        Ok(result)
    }

    /// A request inside a legacy session at `version`, answered at once
    /// (`ask` is run by [`Job::run`], which can reach the client).
    pub fn legacy_request(&self, version: ProtocolVersion, req: &Request) -> Answer {
        match req.method.as_str() {
            "ping" => self.ping(),
            "tools/list" => self.tools_list(version, req).map(Value::Object).into(),
            "tools/call" => match tools::call(version, self.faults, &req.params_or_empty()) {
                Ok(Call::Done(result)) => Answer::Result(result),
                Ok(Call::Ask) => Answer::Result(tools::shape_result(
                    version,
                    self.faults,
                    tools::Output::Failure("ask cannot reach the client on this connection.".into()),
                )),
                Err(e) => Answer::Error(e),
            },
            other => Answer::Error(self.unknown_method(other)),
        }
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
        let m = meta::parse_request_meta(req.params.as_ref())?;
        match ProtocolVersion::parse(&m.protocol_version) {
            Some(v) if v.era() == Era::Stateless => Ok(m),
            Some(_) => Err(self.unsupported_version(
                &m.protocol_version,
                " in per-request _meta; handshake-era versions are served after initialize",
            )),
            None => Err(self.unsupported_version(&m.protocol_version, "")),
        }
    }

    /// A 2026-07-28 request whose `_meta` passed [`Dispatcher::modern_meta`].
    /// `link` reaches the client (only the `s2c-request-in-stateless` fault
    /// uses it: this era has no server-initiated requests).
    pub fn modern_request(&self, request_meta: &RequestMeta, req: &Request, link: Option<&ClientLink>) -> Answer {
        let version = ProtocolVersion::V2026_07_28;
        tracing::debug!(method = %req.method, client = ?request_meta.client_info, "modern request");
        let result = match req.method.as_str() {
            "server/discover" if self.fault(Fault::DiscoverMissing) => Err(RpcError::method_not_found(&req.method)),
            "server/discover" => Ok(self.discover()),
            "tools/list" => self.tools_list(version, req).map(|mut r| {
                r.insert("ttlMs".into(), json!(CACHE_TTL_MS));
                r.insert("cacheScope".into(), json!("public"));
                r
            }),
            "tools/call" => self.modern_call(request_meta, req, link),
            other => Err(self.unknown_method(other)),
        };
        match result {
            Ok(mut r) => {
                meta::decorate_modern_result(&mut r);
                Answer::Result(Value::Object(r))
            }
            Err(e) => Answer::Error(e),
        }
    }

    fn modern_call(&self, request_meta: &RequestMeta, req: &Request, link: Option<&ClientLink>) -> Result<Map<String, Value>, RpcError> {
        let version = ProtocolVersion::V2026_07_28;
        let params = req.params_or_empty();
        let result = match tools::call(version, self.faults, &params)? {
            Call::Done(result) => result,
            Call::Ask => {
                let caps = ClientCapabilities::from_json(&request_meta.client_capabilities, version);
                match ask::ask_stateless(caps, self.faults, &params, link)? {
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
            r.insert("supportedVersions".into(), json!(ProtocolVersion::supported_strings()));
        }
        r.insert("capabilities".into(), self.capabilities());
        r.insert("instructions".into(), json!(INSTRUCTIONS));
        r.insert("ttlMs".into(), json!(CACHE_TTL_MS));
        r.insert("cacheScope".into(), json!("public"));
        r
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
        assert!(result["tools"][1].get("outputSchema").is_some(), "served as 2026-07-28, not 2024-11-05");
        // ...and a legacy request on the same connection still sees 2024-11-05.
        let r = send(&d, &mut c, json!({"jsonrpc":"2.0","id":"u","method":"tools/list"})).unwrap();
        assert!(r["result"]["tools"][1].get("outputSchema").is_none());
        assert!(r["result"].get("resultType").is_none());
    }

    #[test]
    fn discover_and_its_faults() {
        let msg = json!({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta": modern_meta_json(MODERN)}});
        let r = send(&Dispatcher::default(), &mut Connection::default(), msg.clone()).unwrap();
        assert_eq!(r["result"]["supportedVersions"][0], MODERN);
        assert_eq!(r["result"]["supportedVersions"].as_array().unwrap().len(), 5);
        assert_eq!(r["result"]["capabilities"]["tools"]["listChanged"], false);
        let r = send(&Dispatcher::new(FaultSet::only(Fault::DiscoverMissing)), &mut Connection::default(), msg.clone()).unwrap();
        assert_eq!(r["error"]["code"], code::METHOD_NOT_FOUND);
        let r = send(&Dispatcher::new(FaultSet::only(Fault::DiscoverInvalidResult)), &mut Connection::default(), msg).unwrap();
        assert!(r["result"].get("supportedVersions").is_none());
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
            br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{}}}"#,
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            br#"{"jsonrpc":"2.0","id":"x","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#,
        ];
        let d = Dispatcher::new(crate::faults::CATALOGUE.iter().map(|i| i.fault).collect());
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
            let _ = d.handle_frame(&mut c, &bytes);
            let _ = Dispatcher::default().handle_frame(&mut c, &bytes);
        }
    }

}
