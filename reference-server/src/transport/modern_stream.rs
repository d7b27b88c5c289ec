//! 2026-07-28 requests answered with a live `text/event-stream` over
//! Streamable HTTP: `subscriptions/listen` and the tools that take time or
//! talk while they run (`progress`, `slow`, `log`; see
//! [`Dispatcher::modern_streams`]).
//!
//! The request runs as a task of its own. Its notifications (progress, log
//! messages; for a listen: the acknowledgement and the change
//! notifications) become `message` events as they come, without event ids
//! (this revision has none), then the response, then the stream ends
//! (HTTP-011); a listen stream stays open with keep-alive comments
//! (HTTP-013). Closing the stream is the cancellation (HTTP-014,
//! HTTP-015): when the client goes away the body is dropped, which aborts
//! the task, so the work stops and nothing more is sent for it.
//!
//! Each stream sends only its own request's messages (HTTP-009, UTIL-011,
//! UTIL-018, SUBS-007); the faults that break this route through a table
//! of the open streams kept only while one of them is active.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::response::Response;
use futures_util::stream;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::replies;
use crate::dispatch::{Dispatcher, Job};
use crate::faults::{Fault, FaultSet};
use crate::peer::{ClientLink, Peer};
use crate::protocol::meta::SUBSCRIPTION_ID;
use crate::protocol::{Request, RequestMeta};

/// Messages queued for the stream before the request waits for the client to read.
const OUTBOX: usize = 64;

/// How long the `request-stream-left-open` fault holds a stream after its response.
pub(super) const LEFT_OPEN: Duration = Duration::from_secs(3);

/// How long a listen stream may stay quiet before a `:` keep-alive
/// (HTTP-013): short, so that a client watching a few seconds sees one.
pub const LISTEN_KEEP_ALIVE: Duration = Duration::from_secs(1);

/// Aborts the request's task when the stream is dropped.
pub(super) struct AbortOnDrop(pub(super) AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An open stream, known to the faults that send messages on the wrong one.
struct OpenStream {
    number: u64,
    listen: bool,
    tx: mpsc::WeakSender<Value>,
}

/// The open streams of this process (kept only under those faults).
static OPEN: Mutex<Vec<OpenStream>> = Mutex::new(Vec::new());
static NEXT_NUMBER: AtomicU64 = AtomicU64::new(1);

fn open_streams() -> MutexGuard<'static, Vec<OpenStream>> {
    OPEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Forgets a stream of [`OPEN`] when it ends.
struct Registered(u64);

impl Drop for Registered {
    fn drop(&mut self) {
        open_streams().retain(|s| s.number != self.0);
    }
}

/// What one stream does with its messages: its own, or a fault's routing.
struct Routing {
    faults: FaultSet,
    number: u64,
    listen: bool,
    _registered: Option<Registered>,
}

impl Routing {
    fn new(faults: FaultSet, listen: bool, tx: &mpsc::Sender<Value>) -> Routing {
        let number = NEXT_NUMBER.fetch_add(1, Ordering::Relaxed);
        let misroutes = faults.contains(Fault::RequestNotificationsOnListenStreams) || faults.contains(Fault::LogsOnAnotherRequestStream);
        let registered = misroutes.then(|| {
            open_streams().push(OpenStream { number, listen, tx: tx.downgrade() });
            Registered(number)
        });
        Routing { faults, number, listen, _registered: registered }
    }

    /// The message as this stream sends it; `None` when a fault sent it elsewhere.
    fn route(&self, mut message: Value) -> Option<Value> {
        let method = message.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
        let from_request = !self.listen && (method == "notifications/progress" || method == "notifications/message");
        if from_request && self.faults.contains(Fault::RequestNotificationsOnListenStreams) {
            for listen in open_streams().iter().filter(|s| s.listen) {
                if let Some(tx) = listen.tx.upgrade() {
                    let _ = tx.try_send(message.clone());
                }
            }
        }
        if from_request && method == "notifications/message" && self.faults.contains(Fault::LogsOnAnotherRequestStream) {
            let other = open_streams().iter().find(|s| !s.listen && s.number != self.number).and_then(|s| s.tx.upgrade());
            if let Some(tx) = other {
                let _ = tx.try_send(message);
                return None;
            }
        }
        let tagged_change = self.listen && method != "notifications/subscriptions/acknowledged";
        if tagged_change && self.faults.contains(Fault::ListenNotificationsUntagged) {
            if let Some(meta) = message.pointer_mut("/params/_meta").and_then(Value::as_object_mut) {
                meta.remove(SUBSCRIPTION_ID);
            }
        }
        Some(message)
    }
}

/// Runs `req` (whose `_meta` passed the checks) and streams what it sends.
pub fn respond(dispatcher: Dispatcher, request_meta: RequestMeta, req: Request) -> Response {
    let (tx, rx) = mpsc::channel::<Value>(OUTBOX);
    let faults = dispatcher.faults();
    let listen = req.method == "subscriptions/listen";
    let keep_alive = match (listen, faults.contains(Fault::ListenWithoutKeepAlive)) {
        (true, true) => None,
        (true, false) => Some(LISTEN_KEEP_ALIVE),
        (false, _) => Some(replies::KEEP_ALIVE),
    };
    let routing = Routing::new(faults, listen, &tx);
    // Each stateless request is a connection of its own: nothing is shared.
    let peer = Peer::new();
    let link = ClientLink::new(peer.clone(), tx.clone(), dispatcher.ask_timeout());
    let job = Job::modern(request_meta, req);
    let task = tokio::spawn(async move {
        if let Some(reply) = job.respond(dispatcher, &peer, Some(link)).await {
            let _ = tx.send(reply).await;
        }
        if faults.contains(Fault::RequestStreamLeftOpen) {
            // The sender lives on, so the stream stays open after the response.
            tokio::time::sleep(LEFT_OPEN).await;
        }
    });
    let guard = AbortOnDrop(task.abort_handle());
    let events = stream::unfold((rx, guard, routing), |(mut rx, guard, routing)| async move {
        loop {
            let message = rx.recv().await?;
            if let Some(message) = routing.route(message) {
                return Some((replies::sse_event(Some("message"), None, &message.to_string()), (rx, guard, routing)));
            }
        }
    });
    replies::live_event_stream_every(events, keep_alive)
}
