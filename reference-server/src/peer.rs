//! The client as seen from one connection: the server's own requests
//! waiting for the client's answers, and the client's requests still being
//! worked on (so that `notifications/cancelled` can stop them).
//!
//! A [`Peer`] lives as long as a connection's session: the stdio process, a
//! Streamable HTTP `Mcp-Session-Id`, an HTTP+SSE stream. Every transport
//! keeps reading while requests run, so that
//!
//! * a client **response** is routed by its `id` to the server request
//!   waiting for it ([`Peer::deliver`]); server request ids are integers
//!   counted per peer, so unique within the session (L-JSONRPC-001);
//! * a client **request** runs as its own task under
//!   [`Peer::run_cancellable`]; a `notifications/cancelled` naming it
//!   ([`Peer::cancel`]) stops the task and suppresses its response (UTIL-003,
//!   STDIO-007); a cancellation for an unknown or finished request is ignored
//!   (UTIL-004, UTIL-006).
//!
//! A [`ClientLink`] is what one running request uses to ask the client:
//! the peer, the stream its request messages go out on (stdout, the
//! request's own SSE stream, or the HTTP+SSE session stream) and a timeout.
//! The same link carries the request's own notifications (progress, log
//! messages) before its response.
//!
//! A peer that hosts a handshake-era session also holds that session's
//! state: the log level `logging/setLevel` chose (L-LOG-001), the URIs
//! `resources/subscribe` named (L-RES-001), and the **outlets** that
//! notifications outside any request go out on (`notifications/*/list_changed`,
//! `notifications/resources/updated`; L-LIST-001): stdout, the HTTP+SSE
//! stream, or the Streamable HTTP GET streams of the session. Such a
//! notification goes to one outlet only (L-HTTP-006), and only once the
//! session is initialized. [`crate::world`] finds the peers through
//! [`Peer::add_outlet`], which registers them.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, oneshot, Notify};

/// How long a server request waits for the client by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The key a JSON-RPC id is filed under: its JSON text, so `1` and `"1"` differ.
fn key(id: &Value) -> String {
    id.to_string()
}

#[derive(Default)]
struct Waiting {
    /// No more client messages will arrive: new server requests fail at once.
    closed: bool,
    by_id: HashMap<String, oneshot::Sender<Value>>,
}

/// One client request being worked on.
struct Running {
    serial: u64,
    cancel: oneshot::Sender<()>,
    flag: Cancelled,
}

/// Set once the client request that owns some work has been cancelled.
///
/// Stopping the work's future is not enough on its own: a poll already under
/// way on another thread may go on to use an answer the reader delivered
/// after the cancellation. A [`ClientLink`] carrying the flag refuses to send
/// anything once it is set, and the reader sets it before it reads on.
#[derive(Clone, Debug, Default)]
pub struct Cancelled(Arc<AtomicBool>);

impl Cancelled {
    /// Whether the owning request has been cancelled.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The handshake-era session a peer hosts, as far as notifications go.
#[derive(Default)]
struct SessionState {
    /// `notifications/initialized` arrived: unsolicited notifications may flow.
    initialized: bool,
    /// The rank of the level `logging/setLevel` chose; none: no log messages.
    log_level: Option<usize>,
    /// URIs named by `resources/subscribe` (and not unsubscribed).
    subscriptions: BTreeSet<String>,
    /// URIs unsubscribed (only the `updates-after-unsubscribe` fault reads them).
    unsubscribed: BTreeSet<String>,
    /// Where notifications outside any request go, first open one first.
    outlets: Vec<mpsc::Sender<Value>>,
    /// Registered with [`crate::world`] already.
    registered: bool,
}

/// Per-connection state shared by the reader and the request tasks.
#[derive(Default)]
pub struct Peer {
    /// Set by the `cancel-stalls` fault: no request is answered any more.
    stalled: AtomicBool,
    /// Set by the `server-request-ids-reused` fault: every server request has the id 1.
    reuse_ids: AtomicBool,
    next_request_id: AtomicU64,
    waiting: Mutex<Waiting>,
    next_serial: AtomicU64,
    running: Mutex<HashMap<String, Vec<Running>>>,
    session: Mutex<SessionState>,
    /// Woken by [`Peer::close`].
    closing: Notify,
    /// The session's tasks (2025-11-25), bound to it.
    tasks: crate::tasks::Tasks,
    /// The URL-mode elicitation of [`crate::url_elicitation`] was completed.
    url_elicitation_completed: AtomicBool,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("waiting", &lock(&self.waiting).by_id.len())
            .field("running", &lock(&self.running).len())
            .finish()
    }
}

/// Why a server request got no usable answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientFailure {
    /// No response within the timeout (the request was then cancelled).
    Timeout(Duration),
    /// The client answered with a JSON-RPC error (the error object).
    Error(Value),
    /// The request could not be sent or no answer can come any more.
    Unreachable(String),
    /// The client request that wanted to ask was itself cancelled.
    Cancelled,
}

impl std::fmt::Display for ClientFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientFailure::Timeout(d) => write!(f, "no response within {} ms", d.as_millis()),
            ClientFailure::Error(e) => {
                let code = e.get("code").map_or_else(|| "without a code".to_owned(), Value::to_string);
                let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                write!(f, "the client answered with error {code}: {message}")
            }
            ClientFailure::Unreachable(why) => write!(f, "the client cannot be reached ({why})"),
            ClientFailure::Cancelled => f.write_str("the call was cancelled"),
        }
    }
}

/// Removes a waiting server request when its waiter goes away (answered,
/// timed out, or its task was cancelled).
struct WaitGuard<'p> {
    peer: &'p Peer,
    key: String,
}

impl Drop for WaitGuard<'_> {
    fn drop(&mut self) {
        lock(&self.peer.waiting).by_id.remove(&self.key);
    }
}

impl Peer {
    /// A fresh peer (no requests either way).
    pub fn new() -> Arc<Peer> {
        Arc::new(Peer::default())
    }

    /// Whether this session completed the URL-mode elicitation of
    /// [`crate::url_elicitation`].
    pub fn url_elicitation_completed(&self) -> bool {
        self.url_elicitation_completed.load(Ordering::Relaxed)
    }

    /// Marks that elicitation completed (out of band).
    pub fn complete_url_elicitation(&self) {
        self.url_elicitation_completed.store(true, Ordering::Relaxed);
    }

    /// The tasks created in this session.
    pub fn tasks(&self) -> &crate::tasks::Tasks {
        &self.tasks
    }

    /// A new server request id: 1, 2, 3 … per peer (always 1 under the
    /// `server-request-ids-reused` fault).
    pub fn next_request_id(&self) -> Value {
        if self.reuse_ids.load(Ordering::Relaxed) {
            return json!(1);
        }
        json!(self.next_request_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Number every later server request 1 (the `server-request-ids-reused` fault).
    pub fn reuse_request_ids(&self) {
        self.reuse_ids.store(true, Ordering::Relaxed);
    }

    /// Files a server request that expects an answer.
    fn expect(&self) -> Result<(Value, oneshot::Receiver<Value>, WaitGuard<'_>), ClientFailure> {
        let id = self.next_request_id();
        let (tx, rx) = oneshot::channel();
        let mut waiting = lock(&self.waiting);
        if waiting.closed {
            return Err(ClientFailure::Unreachable("the connection is closing".into()));
        }
        waiting.by_id.insert(key(&id), tx);
        drop(waiting);
        let guard = WaitGuard { peer: self, key: key(&id) };
        Ok((id, rx, guard))
    }

    /// Routes a client response (the whole message) to the server request
    /// waiting for its `id`. False when none waits (unknown id, or the
    /// request already timed out): the response is then dropped.
    pub fn deliver(&self, response: Value) -> bool {
        let Some(id) = response.get("id") else { return false };
        let waiter = lock(&self.waiting).by_id.remove(&key(id));
        match waiter {
            Some(tx) => tx.send(response).is_ok(),
            None => {
                tracing::debug!(%id, "a client response that no server request waits for");
                false
            }
        }
    }

    /// Answer no more requests (the `cancel-stalls` fault).
    pub fn stall(&self) {
        self.stalled.store(true, Ordering::Relaxed);
    }

    /// Has [`Peer::stall`] been called?
    pub fn stalled(&self) -> bool {
        self.stalled.load(Ordering::Relaxed)
    }

    /// No client message will arrive any more (stdin closed, session ended):
    /// every waiting server request fails now, and later ones at once; the
    /// session's outlets are dropped, and [`Peer::closed`] wakes up.
    pub fn close(&self) {
        let mut waiting = lock(&self.waiting);
        waiting.closed = true;
        waiting.by_id.clear();
        drop(waiting);
        lock(&self.session).outlets.clear();
        self.closing.notify_waiters();
    }

    /// Resolves once [`Peer::close`] has been called (at once if it was).
    pub async fn closed(&self) {
        let notified = self.closing.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if lock(&self.waiting).closed {
            return;
        }
        notified.await;
    }

    /// `notifications/initialized` arrived for the session this peer hosts.
    pub fn set_initialized(&self) {
        lock(&self.session).initialized = true;
    }

    /// `logging/setLevel`: from now on log messages at `rank` and above.
    pub fn set_log_level(&self, rank: usize) {
        lock(&self.session).log_level = Some(rank);
    }

    /// The rank of the session's log level, if one was set.
    pub fn log_level(&self) -> Option<usize> {
        lock(&self.session).log_level
    }

    /// `resources/subscribe`.
    pub fn subscribe(&self, uri: &str) {
        let mut session = lock(&self.session);
        session.unsubscribed.remove(uri);
        session.subscriptions.insert(uri.to_owned());
    }

    /// `resources/unsubscribe` (unknown URIs are fine).
    pub fn unsubscribe(&self, uri: &str) {
        let mut session = lock(&self.session);
        if session.subscriptions.remove(uri) {
            session.unsubscribed.insert(uri.to_owned());
        }
    }

    /// Whether updates of `uri` go to this session; `also_unsubscribed`
    /// (a fault) counts URIs that were unsubscribed too.
    pub fn is_subscribed(&self, uri: &str, also_unsubscribed: bool) -> bool {
        let session = lock(&self.session);
        session.subscriptions.contains(uri) || (also_unsubscribed && session.unsubscribed.contains(uri))
    }

    /// Adds a stream for notifications outside any request (stdout, the
    /// HTTP+SSE stream, a Streamable HTTP GET stream), and makes the peer
    /// known to [`crate::world`] so that fixture changes reach it.
    pub fn add_outlet(self: &Arc<Self>, outlet: mpsc::Sender<Value>) {
        if self.attach_outlet(outlet) {
            crate::world::world().register(self);
        }
    }

    /// [`Peer::add_outlet`] without the registration; true the first time.
    pub(crate) fn attach_outlet(&self, outlet: mpsc::Sender<Value>) -> bool {
        let mut session = lock(&self.session);
        session.outlets.push(outlet);
        !std::mem::replace(&mut session.registered, true)
    }

    /// Sends a notification outside any request to the session, on one
    /// outlet: the first that is still open. Nothing before
    /// `notifications/initialized`, nothing without an outlet, nothing when
    /// the outlet is full (best effort). True when it went out.
    pub fn push(&self, notification: &Value) -> bool {
        let mut session = lock(&self.session);
        if !session.initialized {
            return false;
        }
        while let Some(outlet) = session.outlets.first() {
            match outlet.try_send(notification.clone()) {
                Ok(()) => return true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::debug!("an outlet is full; a notification was dropped");
                    return false;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    session.outlets.remove(0);
                }
            }
        }
        false
    }

    /// Cancels the client request `id` if it is still running; true when
    /// something was cancelled.
    pub fn cancel(&self, id: &Value) -> bool {
        let cancelled = lock(&self.running).remove(&key(id));
        let found = cancelled.is_some();
        for running in cancelled.into_iter().flatten() {
            running.flag.set();
            let _ = running.cancel.send(());
        }
        tracing::debug!(%id, found, "notifications/cancelled");
        found
    }

    /// Runs the work `start` makes as the client request `id`. Returns
    /// `None` when a `notifications/cancelled` for `id` arrived before it
    /// finished: the work is then dropped (stopped) and its response must
    /// not be sent. `start` gets the request's [`Cancelled`] flag, for the
    /// [`ClientLink`] the work uses.
    pub async fn run_cancellable<F, W>(&self, id: &Value, start: F) -> Option<W::Output>
    where
        F: FnOnce(Cancelled) -> W,
        W: Future,
    {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let (cancel, cancelled) = oneshot::channel();
        let flag = Cancelled::default();
        lock(&self.running).entry(key(id)).or_default().push(Running {
            serial,
            cancel,
            flag: flag.clone(),
        });
        let work = start(flag);
        let output = tokio::select! {
            biased;
            _ = cancelled => None,
            output = work => Some(output),
        };
        // Finishing and cancelling both take the entry under the lock, so
        // exactly one of them does: a cancellation that raced the end of
        // the work still suppresses the response.
        let mut running = lock(&self.running);
        let mine = match running.get_mut(&key(id)) {
            Some(list) => {
                let before = list.len();
                list.retain(|r| r.serial != serial);
                let removed = list.len() < before;
                if list.is_empty() {
                    running.remove(&key(id));
                }
                removed
            }
            None => false,
        };
        output.filter(|_| mine)
    }
}

/// What one running request uses to send requests to the client.
#[derive(Clone, Debug)]
pub struct ClientLink {
    peer: Arc<Peer>,
    sink: mpsc::Sender<Value>,
    timeout: Duration,
    owner: Cancelled,
}

impl ClientLink {
    /// A link sending on `sink`, answered through `peer`.
    pub fn new(peer: Arc<Peer>, sink: mpsc::Sender<Value>, timeout: Duration) -> ClientLink {
        ClientLink {
            peer,
            sink,
            timeout,
            owner: Cancelled::default(),
        }
    }

    /// The same link for work owned by a client request with this flag:
    /// once the request is cancelled, nothing more is sent.
    pub fn owned_by(self, owner: Cancelled) -> ClientLink {
        ClientLink { owner, ..self }
    }

    /// The peer answers are routed through.
    pub fn peer(&self) -> &Arc<Peer> {
        &self.peer
    }

    /// Sends the request `method` and waits (at most the timeout) for the
    /// client's answer; returns its `result`. On timeout the request is
    /// cancelled with `notifications/cancelled` (lifecycle §Timeouts).
    pub async fn request(&self, method: &str, params: Option<Value>) -> Result<Value, ClientFailure> {
        if self.owner.is_set() {
            return Err(ClientFailure::Cancelled);
        }
        let (id, answer, _guard) = self.peer.expect()?;
        let mut message = Map::new();
        message.insert("jsonrpc".into(), json!("2.0"));
        message.insert("id".into(), id.clone());
        message.insert("method".into(), json!(method));
        if let Some(params) = params {
            message.insert("params".into(), params);
        }
        if self.sink.send(Value::Object(message)).await.is_err() {
            return Err(ClientFailure::Unreachable("the stream to the client is closed".into()));
        }
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(Ok(mut response)) => match (response.get_mut("result").map(Value::take), response.get_mut("error").map(Value::take)) {
                (Some(result), _) => Ok(result),
                (None, Some(error)) => Err(ClientFailure::Error(error)),
                (None, None) => Err(ClientFailure::Unreachable("the response has neither result nor error".into())),
            },
            Ok(Err(_)) => Err(ClientFailure::Unreachable("the connection closed before the client answered".into())),
            Err(_) if self.owner.is_set() => Err(ClientFailure::Cancelled),
            Err(_) => {
                let reason = format!("no response within {} ms", self.timeout.as_millis());
                self.notify("notifications/cancelled", json!({"requestId": id, "reason": reason})).await;
                Err(ClientFailure::Timeout(self.timeout))
            }
        }
    }

    /// Sends a request without waiting for any answer (only the
    /// `s2c-request-in-stateless` fault does this).
    pub fn send_unanswered(&self, method: &str, params: Value) -> bool {
        if self.owner.is_set() {
            return false;
        }
        let message = json!({"jsonrpc": "2.0", "id": self.peer.next_request_id(), "method": method, "params": params});
        self.sink.try_send(message).is_ok()
    }

    /// Sends a notification to the client (best effort).
    pub async fn notify(&self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// Sends a whole message (a notification, or a response the request
    /// sends itself) unless the owning request was cancelled; true when sent.
    pub async fn send(&self, message: Value) -> bool {
        !self.owner.is_set() && self.sink.send(message).await.is_ok()
    }

    /// Sends `message` twice, back to back: nothing else can come between
    /// the two (the `response-duplicated` fault: a client that answers the
    /// first at once must see the second before its next answer). False when
    /// the request was cancelled or the stream is closed.
    pub async fn send_twice(&self, message: Value) -> bool {
        if self.owner.is_set() {
            return false;
        }
        match self.sink.reserve_many(2).await {
            Ok(permits) => {
                for permit in permits {
                    permit.send(message.clone());
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Like [`ClientLink::send`] without waiting: false when the request was
    /// cancelled, the stream is closed or full.
    pub fn try_send(&self, message: Value) -> bool {
        !self.owner.is_set() && self.sink.try_send(message).is_ok()
    }

    /// Waits for room on the stream, then sends `first` and runs `then`
    /// while no other message can slip in between (the two happen under
    /// the caller's lock in `then`, if it takes one). False when the request
    /// was cancelled or the stream is closed; `then` is not run.
    pub async fn send_first(&self, first: Option<Value>, then: impl FnOnce()) -> bool {
        if self.owner.is_set() {
            return false;
        }
        match first {
            None => {
                then();
                true
            }
            Some(message) => match self.sink.reserve().await {
                Ok(permit) => {
                    permit.send(message);
                    then();
                    true
                }
                Err(_) => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(peer: &Arc<Peer>, timeout: Duration) -> (ClientLink, mpsc::Receiver<Value>) {
        let (tx, rx) = mpsc::channel(8);
        (ClientLink::new(peer.clone(), tx, timeout), rx)
    }

    #[tokio::test]
    async fn responses_are_routed_by_id() {
        let peer = Peer::new();
        let (link, mut out) = link(&peer, Duration::from_secs(5));
        let asking = tokio::spawn(async move { link.request("roots/list", None).await });
        let sent = out.recv().await.unwrap();
        assert_eq!(sent["method"], "roots/list");
        assert_eq!(sent["id"], 1);
        assert!(sent.get("params").is_none());
        assert!(!peer.deliver(json!({"jsonrpc": "2.0", "id": "1", "result": {}})), "\"1\" is not 1");
        assert!(peer.deliver(json!({"jsonrpc": "2.0", "id": 1, "result": {"roots": []}})));
        assert_eq!(asking.await.unwrap(), Ok(json!({"roots": []})));
        assert!(!peer.deliver(json!({"jsonrpc": "2.0", "id": 1, "result": {}})), "answered once");
        assert_eq!(peer.next_request_id(), 2, "ids are never reused");
    }

    #[tokio::test]
    async fn errors_timeouts_and_closing() {
        let peer = Peer::new();
        let (l, mut out) = link(&peer, Duration::from_secs(5));
        let asking = tokio::spawn(async move { l.request("sampling/createMessage", Some(json!({}))).await });
        let sent = out.recv().await.unwrap();
        peer.deliver(json!({"jsonrpc": "2.0", "id": sent["id"], "error": {"code": -32601, "message": "no"}}));
        let failure = asking.await.unwrap().unwrap_err();
        assert!(failure.to_string().contains("-32601"), "{failure}");

        let (l, mut out) = link(&peer, Duration::from_millis(50));
        let failure = l.request("roots/list", None).await.unwrap_err();
        assert_eq!(failure, ClientFailure::Timeout(Duration::from_millis(50)));
        let request = out.recv().await.unwrap();
        let cancel = out.recv().await.unwrap();
        assert_eq!(cancel["method"], "notifications/cancelled");
        assert_eq!(cancel["params"]["requestId"], request["id"]);
        assert!(!peer.deliver(json!({"jsonrpc": "2.0", "id": request["id"], "result": {}})), "forgotten after the timeout");

        let (l, _out) = link(&peer, Duration::from_secs(5));
        let asking = tokio::spawn(async move { l.request("roots/list", None).await });
        tokio::task::yield_now().await;
        peer.close();
        assert!(matches!(asking.await.unwrap(), Err(ClientFailure::Unreachable(_)) | Err(ClientFailure::Timeout(_))));
        let (l, _out) = link(&peer, Duration::from_secs(5));
        assert!(matches!(l.request("roots/list", None).await, Err(ClientFailure::Unreachable(_))));
    }

    #[tokio::test]
    async fn session_state_and_outlets() {
        let peer = Peer::new();
        let (tx1, mut rx1) = mpsc::channel(1);
        let (tx2, mut rx2) = mpsc::channel(1);
        peer.attach_outlet(tx1);
        peer.attach_outlet(tx2);
        let note = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
        assert!(!peer.push(&note), "nothing before notifications/initialized");
        peer.set_initialized();
        assert!(peer.push(&note));
        assert_eq!(rx1.recv().await.unwrap(), note, "the first outlet");
        drop(rx1);
        assert!(peer.push(&note), "a closed outlet is skipped");
        assert_eq!(rx2.recv().await.unwrap(), note);
        assert!(peer.push(&note));
        assert!(!peer.push(&note), "a full outlet drops the notification");

        assert_eq!(peer.log_level(), None);
        peer.set_log_level(3);
        assert_eq!(peer.log_level(), Some(3));
        peer.subscribe("ref://counter");
        assert!(peer.is_subscribed("ref://counter", false));
        peer.unsubscribe("ref://counter");
        assert!(!peer.is_subscribed("ref://counter", false));
        assert!(peer.is_subscribed("ref://counter", true));

        let waiting = tokio::spawn({
            let peer = peer.clone();
            async move { peer.closed().await }
        });
        tokio::task::yield_now().await;
        peer.close();
        waiting.await.unwrap();
        peer.closed().await;
        assert!(!peer.push(&note), "no outlet after close");
    }

    #[tokio::test]
    async fn cancellation_stops_the_work_and_suppresses_the_output() {
        let peer = Peer::new();
        let p = peer.clone();
        let (tx, mut out) = mpsc::channel(8);
        let link = ClientLink::new(peer.clone(), tx, Duration::from_secs(5));
        let (flag_tx, flag_rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            p.run_cancellable(&json!(7), |flag| {
                let _ = flag_tx.send(flag.clone());
                let link = link.owned_by(flag);
                async move { link.request("roots/list", None).await }
            })
            .await
        });
        let flag = flag_rx.await.unwrap();
        assert_eq!(out.recv().await.unwrap()["method"], "roots/list");
        assert!(peer.cancel(&json!(7)));
        assert!(flag.is_set(), "set before cancel() returns");
        assert_eq!(task.await.unwrap(), None);
        assert!(!peer.cancel(&json!(7)), "nothing left to cancel");
        assert_eq!(peer.run_cancellable(&json!(8), |_| async { 5 }).await, Some(5));
        assert!(!peer.cancel(&json!(8)), "finished requests are not cancelled");
    }
}
