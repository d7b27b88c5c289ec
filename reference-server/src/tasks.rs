//! Tasks, the experimental utility of protocol version 2025-11-25
//! (`basic/utilities/tasks.mdx`): a `tools/call` whose params carry `task`
//! is accepted at once with a `CreateTaskResult`, runs in the background,
//! and is polled with `tasks/get`, collected with `tasks/result`, listed
//! with `tasks/list` and stopped with `tasks/cancel`.
//!
//! Only 2025-11-25 has them. Earlier versions have no tasks; 2026-07-28
//! moved tasks to an extension, which this server does not implement: there
//! (and before 2025-11-25) a `task` member of the params is ignored and the
//! call runs normally, as a receiver that does not declare tasks must do.
//!
//! * **Capability** (L-TASK-001): `tasks: {list: {}, cancel: {},
//!   requests: {tools: {call: {}}}}`.
//! * **Tool-level negotiation** (L-TASK-002): [`task_support`] publishes
//!   `execution.taskSupport`: `job` is `"required"` (a plain call is -32601),
//!   `add`, `fail`, `ask`, `progress` and `slow` are `"optional"`, `echo`
//!   says `"forbidden"` and the rest say nothing (forbidden too); a task for
//!   a forbidden tool is -32601.
//! * **Ids** (L-TASK-003, L-TASK-011): 128 random bits from the operating
//!   system, in hex. Tasks are also bound to the session that created them:
//!   the stdio process, a Streamable HTTP `Mcp-Session-Id` (itself 128
//!   random bits). A task id of another session is "not found". The server
//!   has no other notion of who asks (without `--auth` anyone holding the
//!   session id is the requestor), which is why ids are unguessable.
//! * **Status** (L-TASK-004): `working` at creation; `input_required` while
//!   the work waits for the client (the `ask` tool's requests); then
//!   `completed`, or `failed` when the tool result has `isError: true`, or
//!   `cancelled`. Terminal states never change. Each change is announced
//!   with `notifications/tasks/status` (the full task, without related-task
//!   `_meta`) on the session's stream for messages outside any request.
//! * **Time** (L-TASK-006): `createdAt` and `lastUpdatedAt` in RFC 3339 UTC;
//!   `ttl` is the requested one within [`MIN_TTL_MS`]..[`MAX_TTL_MS`]
//!   ([`DEFAULT_TTL_MS`] when none is asked); `pollInterval` is
//!   [`POLL_INTERVAL_MS`]. A task is deleted once its ttl has passed. A
//!   session keeps at most [`MAX_TASKS`]: the oldest finished task makes
//!   room; when all are running a new one is refused with -32603.
//! * **Results** (L-TASK-005, L-TASK-007): `tasks/result` waits until the
//!   task is terminal and returns what the plain call would have returned,
//!   with `_meta["io.modelcontextprotocol/related-task"]`. A cancelled task
//!   has no result: its `tasks/result` is -32603 saying so.
//! * **Messages of a task** (L-TASK-008): the requests the work sends to
//!   the client (`roots/list`, `sampling/createMessage`, `elicitation/create`)
//!   and its notifications (progress, log) carry the related-task `_meta`;
//!   they wait in the task's queue until a `tasks/result` for the task is
//!   open, and go out on its stream (stdout; the POST's SSE stream over
//!   Streamable HTTP). Queued notifications beyond [`QUEUE_LIMIT`] are
//!   dropped; requests never are.
//! * **Cancel** (L-TASK-009): a terminal task is -32602; otherwise the task
//!   becomes `cancelled` before the reply and its work is stopped.
//! * **List** (L-TASK-010): oldest first, [`TASKS_PAGE`] per page; a cursor
//!   is opaque (it names where the next page starts); one this server did
//!   not issue is -32602.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::FutureExt;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, watch};

use crate::faults::{Fault, FaultSet};
use crate::peer::{ClientLink, Peer};
use crate::protocol::{code, ProtocolVersion, RpcError};

/// The `_meta` key tying a message to its task.
pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
/// The `_meta` key of `CreateTaskResult` a host may show the model at once.
pub const MODEL_IMMEDIATE_RESPONSE: &str = "io.modelcontextprotocol/model-immediate-response";
/// The ttl of a task whose request asked for none.
pub const DEFAULT_TTL_MS: u64 = 300_000;
/// The shortest ttl granted (a shorter request is raised to it).
pub const MIN_TTL_MS: u64 = 1_000;
/// The longest ttl granted (a longer request is cut to it).
pub const MAX_TTL_MS: u64 = 3_600_000;
/// The `pollInterval` suggested.
pub const POLL_INTERVAL_MS: u64 = 200;
/// Tasks per `tasks/list` page (small, so that paging gets exercised).
pub const TASKS_PAGE: usize = 2;
/// Tasks one session keeps at most.
pub const MAX_TASKS: usize = 64;
/// Notifications queued for a task at most until a `tasks/result` takes them.
pub const QUEUE_LIMIT: usize = 256;
/// The name of the tool that runs only as a task.
pub const JOB_TOOL: &str = "job";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `execution.taskSupport` of a fixture tool in 2025-11-25; none: absent
/// (which means forbidden).
pub fn task_support(tool: &str) -> Option<&'static str> {
    match tool {
        JOB_TOOL => Some("required"),
        "add" | "fail" | crate::ask::TOOL_NAME | "progress" | "slow" => Some("optional"),
        "echo" => Some("forbidden"),
        _ => None,
    }
}

/// The server's `tasks` capability.
pub fn capability() -> Value {
    json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}})
}

/// Whether `params` ask for a task (a `task` member, whatever its value).
pub fn is_augmented(params: &Map<String, Value>) -> bool {
    params.contains_key("task")
}

/// The tool-level rule (L-TASK-002) for a `tools/call` of `tool` at
/// `version`, before anything runs: -32601 for a required tool called
/// plainly, and for a forbidden one called as a task.
pub fn negotiate(version: ProtocolVersion, faults: FaultSet, tool: &str, params: &Map<String, Value>) -> Result<(), RpcError> {
    if !version.has_tasks() {
        return Ok(());
    }
    let support = task_support(tool).unwrap_or("forbidden");
    match (support, is_augmented(params)) {
        ("required", false) if !faults.contains(Fault::TaskRequiredRunPlainly) => Err(RpcError::new(code::METHOD_NOT_FOUND, format!(
            "the tool {tool} runs only as a task (execution.taskSupport \"required\"): add \"task\" to the params"
        ))),
        ("forbidden", true) if !faults.contains(Fault::TaskForbiddenAccepted) => Err(RpcError::new(code::METHOD_NOT_FOUND, format!(
            "the tool {tool} cannot run as a task (execution.taskSupport \"forbidden\"): leave \"task\" out"
        ))),
        _ => Ok(()),
    }
}

/// The ttl granted for the `task` params member.
fn granted_ttl(task: &Value) -> Result<u64, RpcError> {
    let Some(task) = task.as_object() else {
        return Err(RpcError::invalid_params("\"task\" must be an object (TaskMetadata)"));
    };
    match task.get("ttl") {
        None | Some(Value::Null) => Ok(DEFAULT_TTL_MS),
        Some(ttl) => match ttl.as_u64() {
            Some(ms) => Ok(ms.clamp(MIN_TTL_MS, MAX_TTL_MS)),
            None => Err(RpcError::invalid_params("\"task.ttl\" must be a non-negative integer (milliseconds)")),
        },
    }
}

/// Where a task stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Running.
    Working,
    /// Waiting for the client's answers.
    InputRequired,
    /// Done; the result is available.
    Completed,
    /// Done with a failure (a tool result with `isError: true`, or an error).
    Failed,
    /// Stopped by `tasks/cancel`.
    Cancelled,
}

impl Status {
    /// The `TaskStatus` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::InputRequired => "input_required",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Completed, failed or cancelled: final.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }
}

/// Seconds and milliseconds since the epoch as RFC 3339 UTC, e.g.
/// `2025-11-25T10:30:00.123Z`.
pub fn rfc3339(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// What a task's work came to: the plain call's result or error.
pub type Outcome = Result<Value, RpcError>;

struct State {
    status: Status,
    message: Option<String>,
    updated_at: SystemTime,
    outcome: Option<Outcome>,
    /// Messages for the client, waiting for a `tasks/result` stream.
    queue: VecDeque<Value>,
    /// Stops the work (none once it ended, or when it ran inline).
    abort: Option<tokio::task::AbortHandle>,
    /// A `tasks/result` has returned the outcome (only a fault cares).
    result_taken: bool,
}

/// One task.
pub struct Task {
    id: String,
    serial: u64,
    created_at: SystemTime,
    ttl_ms: u64,
    faults: FaultSet,
    state: Mutex<State>,
    /// Bumped on every change of the state, for `tasks/result` to wake up.
    changes: watch::Sender<u64>,
    /// Where `notifications/tasks/status` go (the session's peer).
    peer: std::sync::Weak<Peer>,
}

impl Task {
    /// The task id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The current status.
    pub fn status(&self) -> Status {
        lock(&self.state).status
    }

    fn expired(&self, now: SystemTime) -> bool {
        now.duration_since(self.created_at).unwrap_or_default() > Duration::from_millis(self.ttl_ms)
    }

    /// The `Task` object.
    pub fn to_json(&self) -> Value {
        Value::Object(self.describe(&lock(&self.state)))
    }

    fn describe(&self, state: &State) -> Map<String, Value> {
        let mut task = Map::new();
        task.insert("taskId".into(), json!(self.id));
        task.insert("status".into(), json!(state.status.as_str()));
        if let Some(message) = &state.message {
            task.insert("statusMessage".into(), json!(message));
        }
        task.insert("createdAt".into(), json!(rfc3339(self.created_at)));
        if !self.faults.contains(Fault::TaskMissingTimestamps) {
            task.insert("lastUpdatedAt".into(), json!(rfc3339(state.updated_at)));
            task.insert("ttl".into(), json!(self.ttl_ms));
        }
        task.insert("pollInterval".into(), json!(POLL_INTERVAL_MS));
        task
    }

    /// Moves to `status` unless the task is terminal (the faults
    /// `task-cancel-not-final` and `task-cancel-terminal-accepted` move a
    /// terminal task on); announces the change. False when nothing changed.
    fn set(&self, status: Status, message: Option<String>) -> bool {
        let mut state = lock(&self.state);
        let unfrozen = (state.status == Status::Cancelled && self.faults.contains(Fault::TaskCancelNotFinal))
            || (status == Status::Cancelled && self.faults.contains(Fault::TaskCancelTerminalAccepted));
        let frozen = state.status.is_terminal() && !unfrozen;
        if frozen || state.status == status {
            return false;
        }
        state.status = status;
        state.message = message;
        state.updated_at = SystemTime::now();
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/tasks/status", "params": self.describe(&state)});
        drop(state);
        if let Some(peer) = self.peer.upgrade() {
            peer.push(&notification);
        }
        self.changes.send_modify(|n| *n += 1);
        true
    }

    /// The work ended with `outcome`.
    fn finish(&self, outcome: Outcome) {
        let (status, message) = match &outcome {
            Ok(result) if result.get("isError") == Some(&Value::Bool(true)) => (Status::Failed, Some(failure_text(result))),
            Ok(_) => (Status::Completed, None),
            Err(e) => (Status::Failed, Some(e.message.clone())),
        };
        {
            let mut state = lock(&self.state);
            let keeps_cancelled = state.status == Status::Cancelled && !self.faults.contains(Fault::TaskCancelNotFinal);
            if keeps_cancelled {
                return;
            }
            state.outcome = Some(outcome);
            state.abort = None;
        }
        self.set(status, message);
    }

    /// Queues a message of the work for the client; notifications beyond
    /// the limit are dropped.
    fn enqueue(&self, message: Value) {
        let is_request = message.get("id").is_some();
        {
            let mut state = lock(&self.state);
            if !is_request && state.queue.len() >= QUEUE_LIMIT {
                tracing::debug!(task = %self.id, "a task's notification was dropped (queue full)");
                return;
            }
            state.queue.push_back(message);
        }
        if is_request {
            self.set(Status::InputRequired, Some("The task waits for the client's answer; call tasks/result to receive its requests.".into()));
        }
        self.changes.send_modify(|n| *n += 1);
    }
}

fn failure_text(result: &Value) -> String {
    let text = result.pointer("/content/0/text").and_then(Value::as_str).unwrap_or("the tool reported an error");
    format!("Tool execution failed: {text}")
}

/// Adds `_meta["io.modelcontextprotocol/related-task"]` to `target` (a
/// result, or a request's or notification's params).
pub fn add_related_task(target: &mut Map<String, Value>, task_id: &str) {
    let meta = target.entry("_meta").or_insert_with(|| json!({}));
    if let Value::Object(meta) = meta {
        meta.insert(RELATED_TASK.into(), json!({ "taskId": task_id }));
    }
}

/// A session's tasks.
#[derive(Default)]
pub struct Tasks {
    by_id: Mutex<HashMap<String, Arc<Task>>>,
    next_serial: AtomicU64,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tasks").field("count", &lock(&self.by_id).len()).finish()
    }
}

fn not_found(id: &str) -> RpcError {
    RpcError::invalid_params(format!("Failed to retrieve task: no task {id:?} in this session (unknown, or deleted after its ttl)"))
}

fn task_id_param(params: &Map<String, Value>) -> Result<&str, RpcError> {
    params.get("taskId").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("the params need a string \"taskId\""))
}

fn new_task_id(faults: FaultSet, tool: &str) -> String {
    if faults.contains(Fault::TaskIdsReused) {
        return format!("task-{tool}");
    }
    crate::transport::session_id::generate()
}

impl Tasks {
    /// Every live task, oldest first; expired ones are deleted (and stopped).
    fn live(&self) -> Vec<Arc<Task>> {
        let now = SystemTime::now();
        let mut by_id = lock(&self.by_id);
        by_id.retain(|_, task| {
            let keep = !task.expired(now);
            if !keep {
                if let Some(abort) = lock(&task.state).abort.take() {
                    abort.abort();
                }
            }
            keep
        });
        let mut all: Vec<Arc<Task>> = by_id.values().cloned().collect();
        all.sort_by_key(|t| t.serial);
        all
    }

    /// The task `id`, if it is live.
    pub fn get(&self, id: &str) -> Result<Arc<Task>, RpcError> {
        self.live().into_iter().find(|t| t.id == id).ok_or_else(|| not_found(id))
    }

    /// Files a new `working` task.
    fn create(&self, ttl_ms: u64, faults: FaultSet, tool: &str, peer: &Arc<Peer>) -> Result<Arc<Task>, RpcError> {
        let live = self.live();
        let mut by_id = lock(&self.by_id);
        if live.len() >= MAX_TASKS {
            match live.iter().find(|t| t.status().is_terminal()) {
                Some(oldest_finished) => {
                    by_id.remove(&oldest_finished.id);
                }
                None => return Err(RpcError::internal(format!("this session already runs {MAX_TASKS} tasks; wait for one to finish"))),
            }
        }
        let now = SystemTime::now();
        let task = Arc::new(Task {
            id: new_task_id(faults, tool),
            serial: self.next_serial.fetch_add(1, Ordering::Relaxed),
            created_at: now,
            ttl_ms,
            faults,
            state: Mutex::new(State {
                status: Status::Working,
                message: Some("The task is running.".into()),
                updated_at: now,
                outcome: None,
                queue: VecDeque::new(),
                abort: None,
                result_taken: false,
            }),
            changes: watch::channel(0).0,
            peer: Arc::downgrade(peer),
        });
        by_id.insert(task.id.clone(), task.clone());
        Ok(task)
    }

    /// `tasks/get`.
    pub fn get_result(&self, params: &Map<String, Value>) -> Result<Value, RpcError> {
        let task = self.get(task_id_param(params)?)?;
        let mut shown = task.describe(&lock(&task.state));
        if task.faults.contains(Fault::TaskStatusReverts) && lock(&task.state).result_taken {
            shown.insert("status".into(), json!(Status::Working.as_str()));
        }
        Ok(Value::Object(shown))
    }

    /// `tasks/cancel`.
    pub fn cancel(&self, params: &Map<String, Value>) -> Result<Value, RpcError> {
        let task = self.get(task_id_param(params)?)?;
        let status = task.status();
        if status.is_terminal() && !task.faults.contains(Fault::TaskCancelTerminalAccepted) {
            return Err(RpcError::invalid_params(format!(
                "Cannot cancel task: already in terminal status '{}'",
                status.as_str()
            )));
        }
        {
            let mut state = lock(&task.state);
            if !task.faults.contains(Fault::TaskCancelNotFinal) {
                if let Some(abort) = state.abort.take() {
                    abort.abort();
                }
            }
            if state.outcome.is_none() {
                state.outcome = Some(Err(RpcError::internal("The task was cancelled before it completed; it has no result.")));
            }
        }
        task.set(Status::Cancelled, Some("The task was cancelled by request.".into()));
        Ok(task.to_json())
    }

    /// `tasks/list`: oldest first, a page at a time.
    pub fn list(&self, params: &Map<String, Value>, faults: FaultSet) -> Result<Value, RpcError> {
        let all = self.live();
        let issued = self.next_serial.load(Ordering::Relaxed);
        let start = match params.get("cursor") {
            None | Some(Value::Null) => 0,
            Some(Value::String(cursor)) => match decode_cursor(cursor).filter(|s| *s <= issued) {
                Some(serial) => serial,
                None if faults.contains(Fault::TaskListInvalidCursorAccepted) => 0,
                None => return Err(RpcError::invalid_params(format!("Invalid cursor {cursor:?} for tasks/list"))),
            },
            Some(other) => return Err(RpcError::invalid_params(format!("The cursor must be a string, not {other}"))),
        };
        let rest: Vec<&Arc<Task>> = all.iter().filter(|t| t.serial >= start).collect();
        let page: Vec<Value> = rest.iter().take(TASKS_PAGE).map(|t| t.to_json()).collect();
        let mut result = Map::new();
        result.insert("tasks".into(), Value::Array(page));
        if let Some(next) = rest.get(TASKS_PAGE) {
            result.insert("nextCursor".into(), json!(encode_cursor(next.serial)));
        }
        Ok(Value::Object(result))
    }
}

fn encode_cursor(serial: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("tasks@{serial}"))
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let serial = text.strip_prefix("tasks@")?;
    if serial.starts_with('+') || (serial.len() > 1 && serial.starts_with('0')) {
        return None;
    }
    serial.parse().ok()
}

/// Adds the related-task `_meta` to the params of a request or
/// notification the work of task `id` sends.
fn relate(mut message: Value, id: &str) -> Value {
    if let Some(message) = message.as_object_mut() {
        if let Value::Object(params) = message.entry("params").or_insert_with(|| json!({})) {
            add_related_task(params, id);
        }
    }
    message
}

fn created(task: &Task) -> Value {
    let note = format!(
        "Started task {}; its result comes with tasks/result (poll tasks/get every {POLL_INTERVAL_MS} ms meanwhile).",
        task.id
    );
    json!({"task": task.to_json(), "_meta": { MODEL_IMMEDIATE_RESPONSE: note }})
}

/// What starting a task needs besides its work.
pub struct Start<'a> {
    /// The session's peer (its tasks, and the routing of the client's answers).
    pub peer: &'a Arc<Peer>,
    /// The active faults.
    pub faults: FaultSet,
    /// The tool called.
    pub tool: &'a str,
    /// The `task` member of the params.
    pub task: &'a Value,
    /// How long a request of the work waits for the client.
    pub ask_timeout: Duration,
}

/// Accepts a task-augmented request: files a `working` task, starts
/// `work` in the background with a link to the client that queues its
/// messages for `tasks/result`, and returns the `CreateTaskResult`.
pub fn start<W, F>(start: Start<'_>, work: W) -> Result<Value, RpcError>
where
    W: FnOnce(ClientLink) -> F,
    F: Future<Output = Outcome> + Send + 'static,
{
    let ttl = granted_ttl(start.task)?;
    let task = start.peer.tasks().create(ttl, start.faults, start.tool, start.peer)?;
    let answer = created(&task);
    let (sink, mut messages) = mpsc::channel::<Value>(16);
    let future = work(ClientLink::new(start.peer.clone(), sink, start.ask_timeout));
    if tokio::runtime::Handle::try_current().is_err() {
        // Without a runtime (Dispatcher::handle_frame) nothing can wait, so
        // the work either ends on its first poll or cannot run here.
        let outcome = future
            .now_or_never()
            .unwrap_or_else(|| Err(RpcError::internal("this task needs the client, which cannot be reached on this connection")));
        task.finish(outcome);
        return Ok(answer);
    }
    let runner = task.clone();
    let handle = tokio::spawn(async move {
        // The work's messages are queued before its end is recorded, so a
        // tasks/result that sees the end has seen every message too. The
        // work owns the link: once it is done the channel closes.
        let relay = async {
            while let Some(message) = messages.recv().await {
                runner.enqueue(relate(message, &runner.id));
            }
        };
        let (outcome, ()) = futures_util::join!(future, relay);
        runner.finish(outcome);
    });
    let mut state = lock(&task.state);
    if state.outcome.is_none() {
        state.abort = Some(handle.abort_handle());
    }
    Ok(answer)
}

impl Tasks {
    /// `tasks/result`: waits until the task is terminal, meanwhile sending
    /// the work's queued messages on `link` (without a link they stay
    /// queued), then returns the outcome with the related-task `_meta`.
    pub async fn result(&self, params: &Map<String, Value>, link: Option<&ClientLink>) -> Result<Value, RpcError> {
        let id = task_id_param(params)?;
        let task = self.get(id)?;
        let lifetime = Duration::from_millis(task.ttl_ms);
        let elapsed = SystemTime::now().duration_since(task.created_at).unwrap_or_default();
        let deadline = tokio::time::Instant::now() + lifetime.saturating_sub(elapsed);
        let mut changes = task.changes.subscribe();
        loop {
            changes.borrow_and_update();
            let (queued, outcome) = {
                let mut state = lock(&task.state);
                let queued: Vec<Value> = if link.is_some() { state.queue.drain(..).collect() } else { Vec::new() };
                let outcome = if state.status.is_terminal() { state.outcome.clone() } else { None };
                (queued, outcome)
            };
            if let Some(link) = link {
                for message in queued {
                    link.send(message).await;
                }
            }
            if let Some(outcome) = outcome {
                lock(&task.state).result_taken = true;
                return outcome.map(|result| with_related_task(result, &task));
            }
            if task.faults.contains(Fault::TaskResultNotBlocking) {
                return Err(RpcError::internal(format!("task {id} has not finished yet")));
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                // The ttl ran out (the task is deleted) or the task is gone.
                _ => return Err(not_found(id)),
            }
        }
    }
}

fn with_related_task(mut result: Value, task: &Task) -> Value {
    if let (Value::Object(map), false) = (&mut result, task.faults.contains(Fault::TaskResultWithoutRelatedTask)) {
        add_related_task(map, &task.id);
    }
    result
}
