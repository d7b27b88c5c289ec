//! The HTTP+SSE transport of 2024-11-05 (deprecated since 2025-03-26 and
//! kept for old clients).
//!
//! * `GET /sse` opens the session's event stream. Its first event is
//!   `endpoint`, whose data is the URI to POST messages to:
//!   `/messages?sessionId=<id>` (relative to the stream's URL).
//! * `POST /messages?sessionId=<id>` takes one JSON-RPC message (or a
//!   2025-03-26 batch) and answers `202 Accepted`; the JSON-RPC reply, if
//!   any, is sent on the stream as an event named `message`. An unknown
//!   session id gets 404, a missing one 400.
//! * The session lives as long as its stream: closing it forgets the id.
//! * Requests run as tasks of their own, so a POST is acknowledged before
//!   its request is answered. The `ask` tool's own requests to the client
//!   go out on the session's stream as `message` events; the client POSTs
//!   its responses like any other message, and they are routed to the
//!   waiting request by id ([`crate::peer`]). `notifications/cancelled`
//!   stops a request in flight and suppresses its response.
//!
//! Which protocol version the session speaks is negotiated by `initialize`
//! as over stdio; modern `_meta` requests are served statelessly here too.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request as HttpRequest, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;

use super::origin::OriginPolicy;
use super::{replies, session_id, MAX_MESSAGE_BYTES, MAX_SESSIONS};
use crate::dispatch::{respond_batch, Action, Connection, Dispatcher};
use crate::faults::Fault;
use crate::peer::ClientLink;

/// Replies queued for one stream before POSTs wait for the client to read.
const OUTBOX: usize = 256;

struct SseSession {
    connection: Mutex<Connection>,
    outbox: mpsc::Sender<Value>,
}

struct App {
    dispatcher: Dispatcher,
    sessions: Mutex<HashMap<String, Arc<SseSession>>>,
    policy: OriginPolicy,
    /// The sessions the `oversized-wedges` fault stopped serving.
    wedged: replies::Wedged,
}

type Shared = Arc<App>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes its session when the stream that owns it is dropped.
struct Forget {
    app: Shared,
    id: String,
}

impl Drop for Forget {
    fn drop(&mut self) {
        let removed = lock(&self.app.sessions).remove(&self.id);
        if let Some(session) = removed {
            // Nothing the client sends can reach this session any more.
            lock(&session.connection).peer.close();
        }
        tracing::debug!(session = %self.id, "sse stream closed");
    }
}

/// The `/sse` + `/messages` router for a server bound to `bound`.
pub fn router(dispatcher: Dispatcher, bound: SocketAddr) -> Router {
    let app: Shared = Arc::new(App {
        policy: OriginPolicy::new(bound, !dispatcher.faults().contains(Fault::NoOriginCheck))
            .origin_on_post_only(dispatcher.faults().contains(Fault::OriginCheckedOnPostOnly))
            .any_host(dispatcher.faults().contains(Fault::NoHostCheck)),
        dispatcher,
        wedged: replies::Wedged::default(),
        sessions: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/sse", get(open_stream))
        .route("/messages", post(post_message))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES))
        .with_state(app)
}

/// Serves HTTP+SSE on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, dispatcher: Dispatcher) -> std::io::Result<()> {
    let bound = listener.local_addr()?;
    super::serve(listener, router(dispatcher, bound)).await
}

async fn guard(State(app): State<Shared>, request: HttpRequest, next: Next) -> Response {
    match app.policy.check_request(request.method(), request.headers()) {
        Ok(()) => match replies::refuse_oversize(
            request.headers(),
            app.dispatcher.faults(),
            &app.wedged,
            query_value(request.uri().query(), "sessionId").unwrap_or_default(),
        )
        .await
        {
            Some(too_large) => too_large,
            None => next.run(request).await,
        },
        Err(reason) => replies::forbidden(&reason),
    }
}

async fn open_stream(State(app): State<Shared>) -> Response {
    let id = session_id::generate();
    let (outbox, inbox) = mpsc::channel::<Value>(OUTBOX);
    {
        let mut sessions = lock(&app.sessions);
        if sessions.len() >= MAX_SESSIONS {
            return (StatusCode::SERVICE_UNAVAILABLE, "too many open sessions").into_response();
        }
        let connection = Connection::default();
        // Notifications outside any request go out on the stream too.
        connection.peer.add_outlet(outbox.clone());
        let session = SseSession {
            connection: Mutex::new(connection),
            outbox,
        };
        sessions.insert(id.clone(), Arc::new(session));
    }
    let endpoint = replies::sse_event(Some("endpoint"), None, &format!("/messages?sessionId={id}"));
    let forget = Forget { app: app.clone(), id };
    let messages = stream::unfold((inbox, forget), |(mut inbox, forget)| async move {
        let message = inbox.recv().await?;
        Some((replies::sse_event(Some("message"), None, &message.to_string()), (inbox, forget)))
    });
    replies::live_event_stream(stream::once(async move { endpoint }).chain(messages))
}

/// The value of `key` in a URI query, undecoded (session ids are hex).
fn query_value<'q>(query: Option<&'q str>, key: &str) -> Option<&'q str> {
    query?.split('&').find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
}

async fn post_message(State(app): State<Shared>, uri: Uri, body: Bytes) -> Response {
    let Some(id) = query_value(uri.query(), "sessionId") else {
        return (StatusCode::BAD_REQUEST, "missing sessionId query parameter").into_response();
    };
    let Some(session) = lock(&app.sessions).get(id).cloned() else {
        return (StatusCode::NOT_FOUND, "unknown session").into_response();
    };
    let (action, peer) = {
        let mut conn = lock(&session.connection);
        (app.dispatcher.accept_frame(&mut conn, &body), conn.peer.clone())
    };
    let dispatcher = app.dispatcher;
    let outbox = session.outbox.clone();
    let link = Some(ClientLink::new(peer.clone(), outbox.clone(), dispatcher.ask_timeout()));
    match action {
        Action::Nothing => {}
        Action::Reply(reply) => {
            if outbox.send(reply).await.is_err() {
                return (StatusCode::NOT_FOUND, "the session's stream is closed").into_response();
            }
        }
        Action::Run(job) => {
            tokio::spawn(async move {
                if let Some(reply) = job.respond(dispatcher, &peer, link).await {
                    let _ = outbox.send(reply).await;
                }
            });
        }
        Action::Batch(parts) => {
            tokio::spawn(async move {
                if let Some(reply) = respond_batch(parts, dispatcher, peer, link).await {
                    let _ = outbox.send(reply).await;
                }
            });
        }
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parsing() {
        assert_eq!(query_value(Some("sessionId=ab12"), "sessionId"), Some("ab12"));
        assert_eq!(query_value(Some("x=1&sessionId=ab12"), "sessionId"), Some("ab12"));
        assert_eq!(query_value(Some("sessionIdx=1"), "sessionId"), None);
        assert_eq!(query_value(None, "sessionId"), None);
    }
}
