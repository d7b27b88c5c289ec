//! Stateful sequences: inputs whose meaning lies in their order.
//!
//! A single input is judged on an established session, alone. A sequence is
//! a few inputs (its steps) that exercise the session's state: cancellation
//! before, during and after a request, bursts of requests beyond the window,
//! an id used again once its request completed, a second `initialize`,
//! methods of another version, notifications in odd places, 2026-07-28
//! requests without their per-request `_meta` between ones with it, and, over
//! HTTP, sessions opened, used before their handshake ends, deleted and used
//! again.
//!
//! Steps are ordinary [`Input`]s marked with a [`Step`]: they go through the
//! same driver and judge as every input, so each frame is judged by what its
//! bytes prescribe ([`super::expect`]). The step says only *when* it goes
//! out: at once ([`Step::With`]), once the steps of its sequence before it
//! are judged ([`Step::After`]: independent inputs in flight go on), or on a
//! fresh HTTP connection of its own ([`Step::Session`]), which
//! [`run_session`] drives and judges. A sequence is
//! a function of the seed, the version, the iteration and the surface, like
//! every input, and a finding file holds its steps like any inputs, so replay
//! and delta debugging work on sequences unchanged.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::driver::{Evidence, Feed};
use super::expect::CLIENT_REQUESTS;
use super::generator::{to_bytes, Generator, Ids};
use super::input::{Frame, Input, Role, Sent};
use super::judge::{duplicate, unknown_id};
use super::oracle::{answer_requirement, clip, Draft, DraftBuilder, Oracle};
use super::surface::Surface;
use super::wire::{Received, CLOSE_GRACE};
use crate::schema::{self, generate, generate::Rng};
use crate::session::stateful;
use crate::target::Target;
use crate::transport::{Event, Events, Kind, Limits, Outgoing, Transport};
use crate::version::Era;

/// When a step goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// At once, like a single input (other inputs may be in flight).
    With,
    /// Once every earlier step of its sequence (the inputs of its iteration,
    /// or every input when it has none) has been judged, or parked: left
    /// unanswered while a window of later inputs was (slow on its own, a
    /// tool that takes its time; [`super::judge::Judge::unparked`]). The
    /// driver holds it, and the inputs behind it, until then
    /// ([`super::driver`]).
    After,
    /// On a fresh HTTP connection of its own; its frames are the messages
    /// of the script. A campaign runs these, a few at once, beside its
    /// inputs, which go on meanwhile; a replay runs one once every input
    /// sent before it has been judged, parked, or has waited 20 ms (a
    /// request the server answers slowly, or never, goes on meanwhile).
    Session(Script),
}

/// What a [`Step::Session`] does with its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Script {
    /// A request before `initialize`, then the handshake and a `ping`.
    /// Frames: request, initialize, initialized, ping. The early request may
    /// be answered or refused by HTTP status (L-PING-001, L-HTTP-010): only
    /// the ids of answers are judged; then `initialize` gets its result
    /// (L-LIFE-001) and `ping` its result (L-PING-001).
    BeforeInitialize,
    /// `initialize`, a request before `notifications/initialized`, then
    /// `initialized` and a `ping`. Frames: initialize, request, initialized,
    /// ping. An early `ping` must get its result (L-PING-001: at any time);
    /// another early request may get anything.
    BeforeInitialized,
    /// A session opened, used, deleted, used again, and a new one opened.
    /// Frames: initialize, initialized, ping, ping (on the deleted session),
    /// initialize, initialized, ping. Once DELETE succeeded the old id gets
    /// 404 (L-HTTP-011); a 405 to DELETE ends the check (L-HTTP-012 MAY).
    /// Streamable HTTP only.
    EndedSession,
}

impl Script {
    fn frames(self) -> usize {
        match self {
            Script::BeforeInitialize | Script::BeforeInitialized => 4,
            Script::EndedSession => 7,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Script::BeforeInitialize => "before-initialize",
            Script::BeforeInitialized => "before-initialized",
            Script::EndedSession => "ended-session",
        }
    }
}

/// Does this input wait for everything before it to be judged? A session
/// step does: it runs on a connection of its own, outside the driver. An
/// [`Step::After`] step goes through the feed; the driver holds it.
fn waits(input: &Input) -> bool {
    matches!(input.step, Some(Step::Session(_)))
}

/// Inputs in order, held at each session step: the feed then gives nothing
/// until [`Steps::release`] is called, which the caller does when it can
/// run the step (a replay: once the inputs in flight are out of the way,
/// [`super::driver::Feed::waiting`]; a campaign: at once, beside them).
#[derive(Debug, Default)]
pub struct Steps {
    queue: VecDeque<Input>,
    released: bool,
}

impl Steps {
    /// A feed of `inputs`.
    pub fn new(inputs: impl IntoIterator<Item = Input>) -> Steps {
        Steps { queue: inputs.into_iter().collect(), released: false }
    }

    /// Add inputs at the end.
    pub fn extend(&mut self, inputs: impl IntoIterator<Item = Input>) {
        self.queue.extend(inputs);
    }

    /// Nothing left.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The next input is a step that goes once its own sequence is judged.
    pub fn next_goes_after(&self) -> bool {
        self.queue.front().is_some_and(|i| i.step == Some(Step::After))
    }

    /// Everything left, in order.
    pub fn take(&mut self) -> VecDeque<Input> {
        std::mem::take(&mut self.queue)
    }

    /// The next input waits for the ones before it.
    pub fn blocked(&self) -> bool {
        !self.released && self.queue.front().is_some_and(waits)
    }

    /// Let the waiting input go: a session step is handed back (to run on its
    /// own connection), any other goes out through the feed.
    pub fn release(&mut self) -> Option<(Input, Script)> {
        match self.queue.front().and_then(|i| i.step) {
            Some(Step::Session(script)) => self.queue.pop_front().map(|input| (input, script)),
            _ => {
                self.released = true;
                None
            }
        }
    }
}

impl Feed for Steps {
    fn next(&mut self) -> Option<Input> {
        if self.blocked() {
            return None;
        }
        self.released = false;
        self.queue.pop_front()
    }
}

/// The kinds of sequence. What each may get is what its frames prescribe
/// ([`super::expect`]); the notes say what that comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// A request and its cancellation (once or twice) in one input: it may
    /// stay unanswered (UTIL-003 SHOULD), never be answered twice
    /// (JSONRPC-003), and the session goes on (UTIL-005).
    CancelDuring,
    /// A request, then once it is answered its cancellation: no second
    /// answer (JSONRPC-003, UTIL-004/006: a late cancellation is ignored).
    /// A request parked by then (a tool still running) is cancelled while
    /// it runs: it may then stay unanswered, as a tool call may anyway.
    CancelAfter,
    /// A cancellation naming an id not sent yet, then a request with that
    /// id: a well-formed request, answered (JSONRPC-004).
    CancelBefore,
    /// 9 to 40 requests of one method at once, beyond the window: each
    /// answered once with its own id (JSONRPC-003/004).
    BurstSame,
    /// 9 to 32 valid requests of mixed methods at once (LIFECYCLE-013 too).
    BurstMixed,
    /// An id used again once its request completed: the second request is
    /// answered, a result or an error (JSONRPC-004).
    IdReuse,
    /// A second `initialize` for the session's version: answered, a result
    /// or an error; `ping` still answered after it (L-PING-001).
    SecondInitialize,
    /// A method only another version defines: answered, a result or an error.
    OtherVersion,
    /// `initialized` again, cancellation and progress for nothing sent, a
    /// roots change: none answered (JSONRPC-014), the session goes on.
    OddNotifications,
    /// 2026-07-28: a request without per-request `_meta` between two with
    /// it: refused with -32602 (LIFECYCLE-007, LIFECYCLE-010).
    MissingMeta,
    /// A fresh HTTP session of its own ([`Script`]).
    Session(Script),
}

impl Pattern {
    fn name(self) -> &'static str {
        match self {
            Pattern::CancelDuring => "cancel-during",
            Pattern::CancelAfter => "cancel-after",
            Pattern::CancelBefore => "cancel-before",
            Pattern::BurstSame => "burst-same",
            Pattern::BurstMixed => "burst-mixed",
            Pattern::IdReuse => "id-reuse",
            Pattern::SecondInitialize => "second-initialize",
            Pattern::OtherVersion => "other-version",
            Pattern::OddNotifications => "odd-notifications",
            Pattern::MissingMeta => "missing-meta",
            Pattern::Session(script) => script.name(),
        }
    }
}

/// The patterns that apply to a session.
fn patterns(surface: &Surface) -> Vec<Pattern> {
    let mut kinds = vec![
        Pattern::CancelDuring,
        Pattern::CancelAfter,
        Pattern::CancelBefore,
        Pattern::BurstSame,
        Pattern::BurstMixed,
        Pattern::IdReuse,
        Pattern::OtherVersion,
        Pattern::OddNotifications,
    ];
    match surface.era() {
        // A second `initialize` for the session's own version changes nothing
        // a server must keep; in 2026-07-28 it may switch a dual-era process
        // to the handshake era (LIFECYCLE-018), so it is not sent there.
        Era::Stateful => kinds.push(Pattern::SecondInitialize),
        Era::Stateless => kinds.push(Pattern::MissingMeta),
    }
    // A fresh session costs one HTTP connection; over stdio it would cost a
    // process per input, so stdio keeps its one process.
    if surface.era() == Era::Stateful {
        match surface.kind {
            Kind::StreamableHttp => kinds.extend([
                Pattern::Session(Script::BeforeInitialize),
                Pattern::Session(Script::BeforeInitialized),
                Pattern::Session(Script::EndedSession),
            ]),
            Kind::Sse => kinds.extend([Pattern::Session(Script::BeforeInitialize), Pattern::Session(Script::BeforeInitialized)]),
            Kind::Stdio => {}
        }
    }
    kinds
}

/// The steps of the sequence of `iteration`, drawn with `rng`.
pub(super) fn generate(generator: &Generator<'_>, rng: &mut Rng, iteration: u64) -> Vec<Input> {
    let surface = generator.surface();
    let patterns = patterns(surface);
    let kind = patterns[rng.below(patterns.len())];
    let mut ids = Ids::new(iteration);
    let make = Make { generator, surface };
    let steps: Vec<(Step, Vec<Value>)> = match kind {
        Pattern::CancelDuring => {
            let id = ids.next(rng);
            let mut frames = vec![make.busy_request(rng, id.clone())];
            // Once, or twice (a duplicate cancellation must do no harm, UTIL-005).
            for _ in 0..1 + rng.below(2) {
                frames.push(make.cancel(&id));
            }
            // The session must keep answering while the cancelled request may
            // stay silent until its deadline: the check goes alongside, not after.
            vec![(Step::With, frames), (Step::With, vec![make.plain(ids.next(rng))])]
        }
        Pattern::CancelAfter => {
            let id = ids.next(rng);
            vec![
                (Step::With, vec![make.busy_request(rng, id.clone())]),
                (Step::After, vec![make.cancel(&id)]),
                (Step::After, vec![make.plain(ids.next(rng))]),
            ]
        }
        Pattern::CancelBefore => {
            let id = ids.next(rng);
            vec![(Step::With, vec![make.cancel(&id)]), (Step::After, vec![make.busy_request(rng, id)])]
        }
        Pattern::BurstSame => {
            let n = 9 + rng.below(32);
            let request = make.listing(rng);
            let frames = (0..n).map(|_| make.request(ids.next(rng), &request.0, request.1.clone())).collect();
            vec![(Step::With, frames), (Step::After, vec![make.plain(ids.next(rng))])]
        }
        Pattern::BurstMixed => {
            let n = 9 + rng.below(24);
            let frames = (0..n)
                .map(|_| {
                    let id = ids.next(rng);
                    make.any_valid(rng, id)
                })
                .collect();
            vec![(Step::With, frames), (Step::After, vec![make.plain(ids.next(rng))])]
        }
        Pattern::IdReuse => {
            // The first is one that is always answered at once: a late answer
            // to it could not be told from an answer to the second.
            let id = ids.next(rng);
            let first = make.plain(id.clone());
            let second = make.any_valid(rng, id);
            vec![(Step::With, vec![first]), (Step::After, vec![second])]
        }
        Pattern::SecondInitialize => {
            let initialize = make.request(ids.next(rng), "initialize", Some(stateful::initialize_params(&surface.version)));
            let mut steps = vec![(Step::After, vec![initialize])];
            if rng.below(2) == 0 {
                steps.push((Step::With, vec![crate::jsonrpc::notification("notifications/initialized", None)]));
            }
            steps.push((Step::After, vec![make.plain(ids.next(rng))]));
            steps
        }
        Pattern::OtherVersion => {
            let foreign = foreign_methods(surface);
            let mut steps = Vec::new();
            if let Some(method) = foreign.get(rng.below(foreign.len().max(1))) {
                steps.push((Step::After, vec![make.request(ids.next(rng), method, Some(make.params(json!({}))))]));
            }
            steps.push((Step::After, vec![make.plain(ids.next(rng))]));
            steps
        }
        Pattern::OddNotifications => {
            let mut notes = make.odd_notifications(rng);
            let k = 1 + rng.below(notes.len());
            notes.truncate(k);
            let mut frames = notes;
            frames.push(make.plain(ids.next(rng)));
            vec![(Step::After, frames), (Step::After, vec![make.plain(ids.next(rng))])]
        }
        Pattern::MissingMeta => {
            let (method, params) = make.listing(rng);
            let with = |id: Value| make.request(id, &method, params.clone());
            let mut bare = with(ids.next(rng));
            if let Some(object) = bare.get_mut("params").and_then(Value::as_object_mut) {
                object.remove("_meta");
            }
            vec![(Step::With, vec![with(ids.next(rng))]), (Step::After, vec![bare]), (Step::After, vec![with(ids.next(rng))])]
        }
        Pattern::Session(script) => {
            let frames = make.script(rng, &mut ids, script);
            vec![(Step::Session(script), frames), (Step::After, vec![make.plain(ids.next(rng))])]
        }
    };
    let n = steps.len();
    steps
        .into_iter()
        .enumerate()
        .map(|(k, (step, frames))| Input {
            label: format!("sequence/{} {}/{n}", kind.name(), k + 1),
            iteration: Some(iteration),
            frames: frames.iter().map(|f| Frame::new(to_bytes(f))).collect(),
            step: Some(step),
        })
        .collect()
}

/// Methods another version defines and the session's does not (never
/// `initialize` in 2026-07-28, see [`patterns`]).
fn foreign_methods(surface: &Surface) -> Vec<&'static str> {
    let bundle = schema::bundle();
    let here = bundle.version(&surface.version);
    std::iter::once("initialize")
        .chain(CLIENT_REQUESTS.iter().copied())
        .filter(|m| here.is_some_and(|s| s.request_definition(m).is_none()))
        .filter(|m| bundle.versions().filter_map(|v| bundle.version(v)).any(|s| s.request_definition(m).is_some()))
        .filter(|m| !(surface.era() == Era::Stateless && *m == "initialize"))
        .collect()
}

/// Builds the messages of sequences.
struct Make<'g, 'a> {
    generator: &'g Generator<'a>,
    surface: &'g Surface,
}

impl Make<'_, '_> {
    fn params(&self, params: Value) -> Value {
        self.generator.params(params)
    }

    fn request(&self, id: Value, method: &str, params: Option<Value>) -> Value {
        crate::jsonrpc::request(&id, method, params)
    }

    /// The request the session always has: `ping`, or `server/discover`.
    fn plain(&self, id: Value) -> Value {
        let params = match self.surface.era() {
            Era::Stateful => None,
            Era::Stateless => Some(self.params(json!({}))),
        };
        self.request(id, self.generator.plain_method(), params)
    }

    /// A cheap request with fixed params: the plain one, or a listing the server declared.
    fn listing(&self, rng: &mut Rng) -> (String, Option<Value>) {
        let mut choices = vec![self.generator.plain_method()];
        for (capability, method) in [("tools", "tools/list"), ("resources", "resources/list"), ("prompts", "prompts/list")] {
            if self.surface.capabilities.get(capability).is_some_and(|c| !c.is_null()) {
                choices.push(method);
            }
        }
        let method = choices[rng.below(choices.len())];
        let params = match (self.surface.era(), method) {
            (Era::Stateful, "ping") => None,
            _ => Some(self.params(json!({}))),
        };
        (method.to_string(), params)
    }

    /// A request that may take a while: a callable tool (arguments valid for
    /// its schema), else a valid request of the version.
    fn busy_request(&self, rng: &mut Rng, id: Value) -> Value {
        let tools: Vec<_> = self.surface.callable_tools().collect();
        if let Some(tool) = tools.get(rng.below(tools.len().max(1))) {
            if let Some(arguments) = generate::valid(&tool.input_schema, &tool.input_schema, rng.next_u64()) {
                return self.request(id, "tools/call", Some(self.params(json!({ "name": tool.name, "arguments": arguments }))));
            }
        }
        self.any_valid(rng, id)
    }

    /// A valid request of a method the version defines, or the plain one.
    fn any_valid(&self, rng: &mut Rng, id: Value) -> Value {
        let methods = self.generator.methods();
        let method = methods.get(rng.below(methods.len().max(1))).copied().unwrap_or("ping");
        self.generator.schema_message(rng, method, id.clone(), false).unwrap_or_else(|| self.plain(id))
    }

    fn cancel(&self, id: &Value) -> Value {
        let params = json!({ "requestId": id, "reason": "mcp-conform: sequence" });
        crate::jsonrpc::notification("notifications/cancelled", Some(self.params(params)))
    }

    /// Notifications out of place: a second `initialized`, a cancellation
    /// and a progress report for nothing sent, a roots change, in random order.
    fn odd_notifications(&self, rng: &mut Rng) -> Vec<Value> {
        let mut notes = vec![
            crate::jsonrpc::notification("notifications/initialized", None),
            crate::jsonrpc::notification(
                "notifications/cancelled",
                Some(self.params(json!({ "requestId": "mcp-conform-never-sent", "reason": "mcp-conform: nothing" }))),
            ),
            crate::jsonrpc::notification("notifications/progress", Some(self.params(json!({ "progressToken": "mcp-conform-never-sent", "progress": 1 })))),
            crate::jsonrpc::notification("notifications/roots/list_changed", None),
        ];
        for i in (1..notes.len()).rev() {
            notes.swap(i, rng.below(i + 1));
        }
        notes
    }

    fn script(&self, rng: &mut Rng, ids: &mut Ids, script: Script) -> Vec<Value> {
        let version = &self.surface.version;
        let initialize = |ids: &mut Ids, rng: &mut Rng| self.request(ids.next(rng), "initialize", Some(stateful::initialize_params(version)));
        let initialized = crate::jsonrpc::notification("notifications/initialized", None);
        let early = |ids: &mut Ids, rng: &mut Rng| {
            let (method, params) = self.listing(rng);
            self.request(ids.next(rng), &method, params)
        };
        match script {
            Script::BeforeInitialize => {
                vec![early(ids, rng), initialize(ids, rng), initialized, self.plain(ids.next(rng))]
            }
            Script::BeforeInitialized => {
                vec![initialize(ids, rng), early(ids, rng), initialized, self.plain(ids.next(rng))]
            }
            Script::EndedSession => vec![
                initialize(ids, rng),
                initialized.clone(),
                self.plain(ids.next(rng)),
                self.plain(ids.next(rng)),
                initialize(ids, rng),
                initialized,
                self.plain(ids.next(rng)),
            ],
        }
    }
}

/// Where a session step runs.
pub struct Context<'a> {
    /// The server.
    pub target: &'a Target,
    /// The session it stands beside (its version, its transport).
    pub surface: &'a Surface,
    /// Transport limits.
    pub limits: &'a Limits,
    /// Deadline of each request.
    pub timeout: Duration,
}

/// What a session step showed.
pub struct Ran {
    /// Findings.
    pub drafts: Vec<Draft>,
    /// Evidence for them: the step, the frames sent and received.
    pub evidence: Evidence,
}

/// What came of one frame sent on a session step's connection.
#[derive(Debug, Default)]
struct Outcome {
    /// The HTTP status of its POST.
    status: Option<u16>,
    /// The response with its id, when one came on a 2xx answer.
    response: Option<Value>,
}

/// One fresh connection of a session step.
struct Connection {
    transport: Transport,
    events: Events,
    /// HTTP status of each of our POSTs, by tag.
    statuses: HashMap<String, u16>,
    /// POSTs whose response stream ended.
    ended: HashSet<String>,
    next_tag: u64,
}

/// The record of a session step: what went out and came in, and findings.
struct Run<'a> {
    context: &'a Context<'a>,
    sent: Vec<Sent>,
    received: Vec<Received>,
    /// Ids of requests sent, and how many responses each got.
    answers: HashMap<String, u32>,
    drafts: Vec<Draft>,
}

/// Run a session step: open its own connection, follow the script, judge it.
pub async fn run_session(input: &Input, script: Script, context: &Context<'_>) -> Ran {
    let mut run = Run { context, sent: Vec::new(), received: Vec::new(), answers: HashMap::new(), drafts: Vec::new() };
    let applies = context.surface.era() == Era::Stateful
        && match script {
            Script::EndedSession => context.surface.kind == Kind::StreamableHttp,
            _ => context.surface.kind != Kind::Stdio,
        };
    if applies && input.frames.len() == script.frames() {
        let frames: Vec<Vec<u8>> = input.frames.iter().map(|f| f.bytes.clone()).collect();
        match script {
            Script::BeforeInitialize => run.before_initialize(&frames).await,
            Script::BeforeInitialized => run.before_initialized(&frames).await,
            Script::EndedSession => run.ended_session(&frames).await,
        }
    }
    let evidence = Evidence { inputs: vec![(0, Arc::new(input.clone()))], sent: run.sent, sent_dropped: 0, received: run.received, stderr: None };
    let drafts = run.drafts.into_iter().map(|mut d| {
        d.input = Some(0);
        d
    });
    Ran { drafts: drafts.collect(), evidence }
}

fn id_of(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(bytes).ok()?.get("id").cloned()
}

fn method_of(bytes: &[u8]) -> String {
    serde_json::from_slice::<Value>(bytes).ok().and_then(|v| v.get("method").and_then(Value::as_str).map(str::to_string)).unwrap_or_default()
}

impl Run<'_> {
    async fn connect(&mut self) -> Option<Connection> {
        match self.context.target.open(self.context.limits).await {
            Ok((transport, events)) => Some(Connection { transport, events, statuses: HashMap::new(), ended: HashSet::new(), next_tag: 0 }),
            Err(e) => {
                self.drafts.push(
                    DraftBuilder::new(Oracle::ConnectionClosed, "JSONRPC-004", "MUST", "basic/transports.mdx")
                        .message(format!("a fresh connection beside the session could not be opened: {e}"))
                        .expected("the server accepts a new connection")
                        .actual(e.to_string())
                        .bucket(self.context.surface.kind.as_str(), "fresh connection refused")
                        .build(),
                );
                None
            }
        }
    }

    /// Send `bytes`; when it is a request, wait for its response (or the
    /// end of its HTTP answer, or the deadline).
    async fn exchange(&mut self, connection: &mut Connection, bytes: &[u8]) -> Outcome {
        connection.next_tag += 1;
        let tag = format!("seq#{}", connection.next_tag);
        self.sent.push(Sent { role: Role::Input, frame: Frame::new(bytes.to_vec()) });
        let id = id_of(bytes);
        if let Some(id) = &id {
            self.answers.entry(id.to_string()).or_insert(0);
        }
        let outgoing = Outgoing { bytes: bytes.to_vec(), id: Some(Value::String(tag.clone())), headers: Vec::new() };
        let mut outcome = Outcome::default();
        match tokio::time::timeout(self.context.timeout, connection.transport.send(outgoing)).await {
            Ok(Ok(report)) => {
                outcome.status = report.http.map(|head| head.status);
                if let Some(status) = outcome.status {
                    connection.statuses.insert(tag.clone(), status);
                }
            }
            Ok(Err(e)) => {
                self.received.push(Received { channel: "send".into(), text: e.to_string() });
                return outcome;
            }
            Err(_) => return outcome,
        }
        let Some(id) = id else { return outcome };
        let deadline = Instant::now() + self.context.timeout;
        while outcome.response.is_none() && !connection.ended.contains(&tag) {
            let Ok(Some(event)) = tokio::time::timeout_at(deadline, connection.events.recv()).await else { break };
            if let Some(response) = self.take(connection, event, &id) {
                outcome.response = Some(response);
            }
        }
        outcome
    }

    /// Judge one event; returns the response to `waiting` if it is one.
    fn take(&mut self, connection: &mut Connection, event: Event, waiting: &Value) -> Option<Value> {
        let (channel, origin, bytes) = match event {
            Event::Frame { channel, origin, bytes } => (channel, origin, bytes),
            Event::StreamEnded { origin, .. } => {
                if let Some(tag) = origin.as_ref().and_then(Value::as_str) {
                    connection.ended.insert(tag.to_string());
                }
                return None;
            }
            _ => return None,
        };
        self.received.push(Received { channel: channel.to_string(), text: clip(&String::from_utf8_lossy(&bytes), 2048) });
        // The body of an HTTP error status is the status's to explain: not judged.
        let status = origin.as_ref().and_then(Value::as_str).and_then(|tag| connection.statuses.get(tag)).copied();
        if status.is_some_and(|s| !(200..300).contains(&s)) {
            return None;
        }
        let json: Value = serde_json::from_slice(&bytes).ok()?;
        if json.get("method").is_some() || !(json.get("result").is_some() || json.get("error").is_some()) {
            // Requests and notifications of the server: the campaign's session judges those.
            return None;
        }
        let id = json.get("id").cloned().unwrap_or(Value::Null);
        match self.answers.get_mut(&id.to_string()) {
            Some(count) => {
                *count += 1;
                if *count > 1 {
                    self.drafts.push(duplicate("sequence", &json, None));
                    return None;
                }
                (id == *waiting).then_some(json)
            }
            None => {
                let message = format!("on a fresh session, a response with id {}, which matches no request sent", clip(&id.to_string(), 80));
                self.drafts.push(unknown_id(&json, crate::jsonrpc::type_name(&id), &message, None));
                None
            }
        }
    }

    /// Is `bytes` a request valid for the session's version (as generated,
    /// not as shrinking may have left it)? Only such a request's answer is judged.
    fn valid(&self, bytes: &[u8]) -> bool {
        let Ok(message) = serde_json::from_slice::<Value>(bytes) else { return false };
        let Some(schema) = schema::bundle().version(&self.context.surface.version) else { return false };
        let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
        schema.request_definition(method).is_some_and(|definition| schema.validate(definition, &message).is_ok())
    }

    /// A valid `initialize` for the session's version must be answered with
    /// that version: the session beside this one was opened with the same request.
    fn initialized_ok(&mut self, outcome: &Outcome, request: &[u8], after: &str) -> bool {
        let version = outcome.response.as_ref().and_then(|r| r.pointer("/result/protocolVersion")).and_then(Value::as_str);
        if version == Some(self.context.surface.version.as_str()) {
            return true;
        }
        let asked = serde_json::from_slice::<Value>(request).ok().and_then(|r| r.pointer("/params/protocolVersion").cloned());
        if !self.valid(request) || asked.as_ref().and_then(Value::as_str) != Some(self.context.surface.version.as_str()) {
            return false;
        }
        let actual = match (&outcome.response, outcome.status) {
            (Some(response), _) => clip(&response.to_string(), 300),
            (None, Some(status)) => format!("HTTP {status}, no InitializeResult"),
            (None, None) => "no response".into(),
        };
        self.drafts.push(
            DraftBuilder::new(Oracle::ProbeFailed, "L-LIFE-001", "MUST", "basic/lifecycle.mdx §Initialization")
                .message(format!("`initialize` on a fresh connection failed {after}"))
                .expected(format!("an InitializeResult for {}, as the campaign's own session got", self.context.surface.version))
                .actual(actual)
                .bucket("initialize", format!("refused {after}"))
                .build(),
        );
        false
    }

    /// A `ping` (or the plain request) must get a result.
    fn answered_ok(&mut self, outcome: &Outcome, bytes: &[u8], when: &str) {
        if outcome.response.as_ref().is_some_and(|r| r.get("result").is_some()) || !self.valid(bytes) {
            return;
        }
        let method = method_of(bytes);
        let (requirement, spec) = answer_requirement(&method);
        let actual = match (&outcome.response, outcome.status) {
            (Some(response), _) => clip(&response.to_string(), 300),
            (None, Some(status)) => format!("HTTP {status}, no response"),
            (None, None) => format!("no response within {:?}", self.context.timeout),
        };
        self.drafts.push(
            DraftBuilder::new(Oracle::NoResponse, requirement, "MUST", spec)
                .message(format!("`{method}` {when} got no result"))
                .expected(format!("the `{method}` result"))
                .actual(actual)
                .bucket(method, format!("no result {when}"))
                .build(),
        );
    }

    async fn handshake_rest(&mut self, connection: &mut Connection, initialized: &[u8], ping: &[u8], when: &str) {
        self.exchange(connection, initialized).await;
        let outcome = self.exchange(connection, ping).await;
        self.answered_ok(&outcome, ping, when);
    }

    async fn before_initialize(&mut self, frames: &[Vec<u8>]) {
        let Some(mut connection) = self.connect().await else { return };
        // Before the handshake, a server may answer (a `ping` must be
        // answered at any time, L-PING-001) or refuse with an HTTP error
        // (L-HTTP-010: 400 without a session): either is allowed, so only
        // the ids of what comes back are judged.
        self.exchange(&mut connection, &frames[0]).await;
        let outcome = self.exchange(&mut connection, &frames[1]).await;
        if self.initialized_ok(&outcome, &frames[1], "after a request sent before it") {
            connection.transport.set_protocol_version(Some(&self.context.surface.version));
            self.handshake_rest(&mut connection, &frames[2], &frames[3], "after a handshake that followed a request before `initialize`").await;
        }
        connection.transport.close_within(CLOSE_GRACE).await;
    }

    async fn before_initialized(&mut self, frames: &[Vec<u8>]) {
        let Some(mut connection) = self.connect().await else { return };
        let outcome = self.exchange(&mut connection, &frames[0]).await;
        if self.initialized_ok(&outcome, &frames[0], "on a fresh connection") {
            connection.transport.set_protocol_version(Some(&self.context.surface.version));
            let early = self.exchange(&mut connection, &frames[1]).await;
            // Only `ping` is prescribed before `initialized` (L-PING-001);
            // any other request may be refused.
            if method_of(&frames[1]) == "ping" && early.status.is_none_or(|s| (200..300).contains(&s)) {
                self.answered_ok(&early, &frames[1], "before `notifications/initialized`");
            }
            self.handshake_rest(&mut connection, &frames[2], &frames[3], "after `notifications/initialized`").await;
        }
        connection.transport.close_within(CLOSE_GRACE).await;
    }

    async fn ended_session(&mut self, frames: &[Vec<u8>]) {
        let Some(mut connection) = self.connect().await else { return };
        let outcome = self.exchange(&mut connection, &frames[0]).await;
        if !self.initialized_ok(&outcome, &frames[0], "on a fresh connection") {
            connection.transport.close_within(CLOSE_GRACE).await;
            return;
        }
        connection.transport.set_protocol_version(Some(&self.context.surface.version));
        self.handshake_rest(&mut connection, &frames[1], &frames[2], "on a fresh session").await;
        let Transport::StreamableHttp(http) = &connection.transport else { return };
        // A server that issues no session id has nothing to end (L-HTTP-009 MAY).
        let Some(session) = http.session_id() else {
            connection.transport.close_within(CLOSE_GRACE).await;
            return;
        };
        let deleted = self.delete(http, &session).await;
        match deleted {
            Some(status) if (200..300).contains(&status) => {
                let stale = self.exchange(&mut connection, &frames[3]).await;
                if stale.status != Some(404) {
                    let actual = match (&stale.response, stale.status) {
                        (Some(response), Some(status)) => format!("HTTP {status}: {}", clip(&response.to_string(), 300)),
                        (None, Some(status)) => format!("HTTP {status}"),
                        _ => "no HTTP answer".into(),
                    };
                    let oracle = if stale.response.as_ref().is_some_and(|r| r.get("result").is_some()) { Oracle::MissingError } else { Oracle::WrongErrorCode };
                    self.drafts.push(
                        DraftBuilder::new(oracle, "L-HTTP-011", "MUST", "basic/transports.mdx §Session Management")
                            .message(format!("a request on a session the server had ended (DELETE → {status}) was not answered 404"))
                            .expected("HTTP 404 Not Found for a terminated session id")
                            .actual(actual)
                            .bucket("ended session", format!("HTTP {}", stale.status.map_or("none".into(), |s| s.to_string())))
                            .build(),
                    );
                }
            }
            // 405: the server does not let clients end sessions (L-HTTP-012 MAY).
            _ => {}
        }
        // The old session is gone: a new one must open and work.
        let Some(mut fresh) = self.connect().await else { return };
        let outcome = self.exchange(&mut fresh, &frames[4]).await;
        if self.initialized_ok(&outcome, &frames[4], "after a session was deleted") {
            fresh.transport.set_protocol_version(Some(&self.context.surface.version));
            self.handshake_rest(&mut fresh, &frames[5], &frames[6], "on a session opened after another was deleted").await;
        }
        fresh.transport.close_within(CLOSE_GRACE).await;
    }

    /// DELETE the session; its HTTP status.
    async fn delete(&mut self, http: &crate::transport::streamable_http::HttpTransport, session: &str) -> Option<u16> {
        let mut headers = http.extra_headers().clone();
        for (name, value) in [("mcp-session-id", Some(session.to_string())), ("mcp-protocol-version", http.protocol_version())] {
            if let Some(value) = value.and_then(|v| reqwest::header::HeaderValue::from_str(&v).ok()) {
                headers.insert(reqwest::header::HeaderName::from_static(name), value);
            }
        }
        let client = reqwest::Client::new();
        let request = client.delete(http.url().clone()).headers(headers).send();
        let status = match tokio::time::timeout(self.context.limits.connect_timeout, request).await {
            Ok(Ok(response)) => Some(response.status().as_u16()),
            _ => None,
        };
        self.received.push(Received { channel: "DELETE".into(), text: status.map_or("no answer".into(), |s| format!("HTTP {s}")) });
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(label: &str, step: Option<Step>) -> Input {
        Input { label: label.into(), iteration: None, frames: vec![Frame::new(b"{}".to_vec())], step }
    }

    #[test]
    fn steps_hold_at_each_session_step() {
        let mut feed = Steps::new([
            step("a", Some(Step::With)),
            step("b", Some(Step::After)),
            step("c", None),
            step("d", Some(Step::Session(Script::EndedSession))),
        ]);
        assert_eq!(feed.next().map(|i| i.label), Some("a".into()));
        assert!(!feed.blocked(), "b is held by the driver, not by the feed");
        assert_eq!(feed.next().map(|i| i.label), Some("b".into()));
        assert_eq!(feed.next().map(|i| i.label), Some("c".into()));
        assert_eq!(feed.next(), None);
        let (input, script) = feed.release().expect("d runs on its own connection");
        assert_eq!((input.label.as_str(), script), ("d", Script::EndedSession));
        assert!(feed.is_empty() && !feed.blocked());
    }

    fn http_surface() -> Arc<Surface> {
        Arc::new(Surface {
            version: "2025-11-25".into(),
            kind: Kind::StreamableHttp,
            supported_versions: None,
            capabilities: json!({}),
            tools: Vec::new(),
        })
    }

    fn message(json: Value, origin: &str) -> super::super::wire::Incoming {
        let message = crate::jsonrpc::classify(&json).expect("a message");
        super::super::wire::Incoming::Message { message, json, origin: Some(json!(origin)), in_array: false, id_absent: false }
    }

    /// A burst over Streamable HTTP is one POST per request: a POST that fails
    /// fails its own request only, and the others' answers are no duplicates.
    #[test]
    fn a_failed_post_of_a_burst_fails_only_its_request() {
        use super::super::judge::Judge;
        let surface = http_surface();
        let ping = |id: &str| Frame::new(to_bytes(&crate::jsonrpc::request(&json!(id), "ping", None)));
        let input = Input { label: "burst".into(), iteration: None, frames: vec![ping("a"), ping("b")], step: Some(Step::With) };
        let plan = super::super::expect::plan(&input, &surface);
        let mut judge = Judge::new(surface, Duration::from_secs(5), None);
        judge.sent(0, Arc::new(input), plan, vec![json!("#1"), json!("#2")], Instant::now());
        judge.received(super::super::wire::Incoming::SendFailed { origin: Some(json!("#2")), why: "reset".into(), unreachable: false });
        judge.received(message(json!({"jsonrpc": "2.0", "id": "a", "result": {}}), "#1"));
        let findings = judge.take_findings();
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!((findings[0].oracle, findings[0].expected.contains("\"b\"")), (Oracle::NoResponse, true), "{findings:#?}");
    }

    /// A tool call whose POST got no response head in time is a tool that
    /// may run long: no finding from the failed POST, the deadline decides.
    #[test]
    fn a_tool_call_whose_post_timed_out_is_left_to_its_deadline() {
        use super::super::judge::Judge;
        let surface = http_surface();
        let call = |id: &str, method: &str| {
            let params = (method == "tools/call").then(|| json!({"name": "sleep", "arguments": {}}));
            Input::single("call", None, to_bytes(&crate::jsonrpc::request(&json!(id), method, params)))
        };
        let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
        for (seq, (id, method)) in [("t", "tools/call"), ("p", "ping")].into_iter().enumerate() {
            let input = call(id, method);
            let plan = super::super::expect::plan(&input, &surface);
            judge.sent(seq, Arc::new(input), plan, vec![json!(format!("#{seq}"))], Instant::now());
            let why = "the POST got no response within 5s".to_string();
            judge.received(super::super::wire::Incoming::SendFailed { origin: Some(json!(format!("#{seq}"))), why, unreachable: false });
        }
        let findings = judge.take_findings();
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert!(findings[0].expected.contains("\"p\""), "the ping's, not the tool call's: {findings:#?}");
    }

    /// An error with id null on a request's own POST is that request's
    /// answer, wrong (JSONRPC-007), not also a silence.
    #[test]
    fn a_null_id_answer_on_its_own_post_is_not_also_silence() {
        use super::super::judge::Judge;
        let surface = http_surface();
        let input = Input::single("initialize", None, to_bytes(&crate::jsonrpc::request(&json!("i"), "initialize", Some(json!({})))));
        let plan = super::super::expect::plan(&input, &surface);
        let mut judge = Judge::new(surface, Duration::from_secs(5), None);
        judge.sent(0, Arc::new(input), plan, vec![json!("#1")], Instant::now());
        judge.received(message(json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "already initialized"}}), "#1"));
        judge.received(super::super::wire::Incoming::StreamEnded { origin: Some(json!("#1")) });
        let findings = judge.take_findings();
        assert_eq!(findings.iter().map(|f| f.requirement.as_str()).collect::<Vec<_>>(), ["JSONRPC-007"], "{findings:#?}");
    }

    #[test]
    fn steps_round_trip_through_finding_files() {
        for s in [Step::With, Step::After, Step::Session(Script::BeforeInitialized)] {
            let input = step("x", Some(s));
            let text = serde_json::to_string(&input).expect("serializes");
            assert_eq!(serde_json::from_str::<Input>(&text).expect("parses"), input, "{text}");
        }
        let plain = serde_json::to_string(&step("y", None)).expect("serializes");
        assert!(!plain.contains("step"), "single inputs keep their old shape: {plain}");
    }
}
