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

use axum::response::Response;
use futures_util::stream;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::replies;
use crate::dispatch::{Dispatcher, Job};
use crate::peer::{ClientLink, Peer};
use crate::protocol::{Request, RequestMeta};

/// Messages queued for the stream before the request waits for the client to read.
const OUTBOX: usize = 64;

/// Aborts the request's task when the stream is dropped.
struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `req` (whose `_meta` passed the checks) and streams what it sends.
pub fn respond(dispatcher: Dispatcher, request_meta: RequestMeta, req: Request) -> Response {
    let (tx, rx) = mpsc::channel::<Value>(OUTBOX);
    // Each stateless request is a connection of its own: nothing is shared.
    let peer = Peer::new();
    let link = ClientLink::new(peer.clone(), tx.clone(), dispatcher.ask_timeout());
    let job = Job::modern(request_meta, req);
    let task = tokio::spawn(async move {
        if let Some(reply) = job.respond(dispatcher, &peer, Some(link)).await {
            let _ = tx.send(reply).await;
        }
    });
    let guard = AbortOnDrop(task.abort_handle());
    let events = stream::unfold((rx, guard), |(mut rx, guard)| async move {
        let message = rx.recv().await?;
        Some((replies::sse_event(Some("message"), None, &message.to_string()), (rx, guard)))
    });
    replies::live_event_stream(events)
}
