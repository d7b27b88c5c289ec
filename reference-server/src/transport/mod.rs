//! The three ways bytes reach the [`Dispatcher`](crate::Dispatcher).
//!
//! | module | transport | versions |
//! | ------ | --------- | -------- |
//! | [`stdio`] | newline-delimited JSON-RPC on stdin/stdout | all five (dual-era per process) |
//! | [`http`] | Streamable HTTP at `/mcp` | 2025-03-26 and later sessions; 2026-07-28 stateless |
//! | [`sse`] | HTTP+SSE (`GET /sse`, `POST /messages`) | the 2024-11-05 transport, any version negotiated over it |
//!
//! The HTTP transports share the DNS-rebinding defence ([`origin`]), the
//! session-id generator ([`session_id`]) and reply builders ([`replies`]).
//!
//! All three keep reading while requests run: each request is a task of its
//! own ([`crate::dispatch::Job`]), client responses are routed to the
//! server requests waiting for them and `notifications/cancelled` stops a
//! request in flight ([`crate::peer`]). Where the `ask` tool's requests to
//! the client, and a request's progress and log notifications, travel:
//! stdout; the POST's own SSE stream (Streamable HTTP; in 2026-07-28 see
//! [`modern_stream`]); the session's stream (HTTP+SSE). Notifications
//! outside any request (list changes, resource updates, [`crate::world`])
//! go to a legacy session's stdout, its HTTP+SSE stream or one of its
//! Streamable HTTP GET streams, and in 2026-07-28 to the
//! `subscriptions/listen` streams that asked for them.

pub mod event_log;
pub mod header_value;
pub mod http;
pub mod modern_stream;
pub mod origin;
pub mod replies;
pub mod session_id;
pub mod sse;
pub mod stdio;

/// Largest HTTP request body or stdio line accepted (4 MiB). Larger input
/// is refused without being buffered whole.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// Most live HTTP sessions kept at once; beyond it the oldest is dropped, so
/// a client that opens sessions in a loop cannot grow memory without bound.
pub const MAX_SESSIONS: usize = 4096;

/// Serves `router` on `listener`, with `TCP_NODELAY` on every accepted
/// connection: an SSE reply goes out in several small writes, and without it
/// Nagle's algorithm holds each one back until the client's delayed ACK
/// (~40 ms on Linux loopback).
pub async fn serve(listener: tokio::net::TcpListener, router: axum::Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, router).await
}
