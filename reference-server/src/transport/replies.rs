//! HTTP responses shared by the HTTP transports.

use std::convert::Infallible;
use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::Value;

use crate::protocol::message::{error_response, error_response_without_id};
use crate::faults::{Fault, FaultSet};
use crate::protocol::RpcError;

/// Asks reverse proxies not to buffer SSE (HTTP-012).
pub const X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

/// A JSON body with `status`.
pub fn json(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], crate::duplicate_keys::to_text(body)).into_response()
}

/// A JSON-RPC error response for request `id` with `status`.
pub fn rpc_error(status: StatusCode, id: Value, error: &RpcError) -> Response {
    json(status, &error_response(id, error))
}

/// A JSON-RPC error without `id` (for rejections not tied to a request).
pub fn rpc_error_without_id(status: StatusCode, error: &RpcError) -> Response {
    json(status, &error_response_without_id(error))
}

/// 202 Accepted with an empty body (HTTP-006, L-HTTP-001).
pub fn accepted() -> Response {
    StatusCode::ACCEPTED.into_response()
}

/// 403 for a request failing the origin policy (HTTP-003).
pub fn forbidden(reason: &str) -> Response {
    rpc_error_without_id(StatusCode::FORBIDDEN, &RpcError::invalid_request(format!("Forbidden: {reason}")))
}

/// How long an open SSE stream may stay silent before a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One SSE event. `data` may be empty (the 2025-11-25 priming event is an
/// id with an empty data field); each of its lines becomes a `data:` line.
pub fn sse_event(event: Option<&str>, id: Option<&str>, data: &str) -> String {
    let mut out = String::new();
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    if let Some(event) = event {
        out.push_str(&format!("event: {event}\n"));
    }
    for line in data.split('\n') {
        out.push_str(&format!("data: {}\n", line.trim_end_matches('\r')));
    }
    out.push('\n');
    out
}

/// The priming event of a resumable stream: its `id`, the `retry` delay a
/// client waits before reconnecting, and an empty `data` field.
pub fn sse_priming(id: &str, retry_ms: u64) -> String {
    format!("id: {id}\nretry: {retry_ms}\ndata: \n\n")
}

fn sse_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (X_ACCEL_BUFFERING, HeaderValue::from_static("no")),
    ]
}

/// 413 before reading a body whose declared `Content-Length` exceeds the
/// cap; `None` when the declared size (if any) is acceptable. (Bodies
/// without a length are still capped while they stream in.)
pub fn reject_declared_oversize(headers: &axum::http::HeaderMap) -> Option<Response> {
    let declared = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    (declared > super::MAX_MESSAGE_BYTES as u64).then(|| {
        let e = RpcError::invalid_request(format!("body larger than {} bytes", super::MAX_MESSAGE_BYTES));
        rpc_error_without_id(StatusCode::PAYLOAD_TOO_LARGE, &e)
    })
}

/// The clients the `oversized-wedges` fault has stopped serving, each named
/// by its session (or, outside sessions, by its protocol version): like a
/// server whose reader for that client stalls, so that the other clients
/// of a run (other versions' sessions) are served on.
#[derive(Default)]
pub struct Wedged(Mutex<HashSet<String>>);

/// [`reject_declared_oversize`], except under the `oversized-wedges` fault:
/// then the oversized request, and every later request of the same
/// `client`, waits forever.
pub async fn refuse_oversize(headers: &axum::http::HeaderMap, faults: FaultSet, wedged: &Wedged, client: &str) -> Option<Response> {
    let refusal = reject_declared_oversize(headers);
    if faults.contains(Fault::OversizedWedges) {
        let stalled = {
            let mut clients = wedged.0.lock().unwrap_or_else(PoisonError::into_inner);
            if refusal.is_some() {
                clients.insert(client.to_string());
            }
            clients.contains(client)
        };
        if stalled {
            std::future::pending::<()>().await;
        }
    }
    refusal
}

/// A complete `text/event-stream` response (already formatted events).
pub fn event_stream(body: String) -> Response {
    (StatusCode::OK, sse_headers(), body).into_response()
}

/// An open `text/event-stream` response that sends `events` (formatted with
/// [`sse_event`]) as they come, a `:` comment line whenever it has been
/// quiet for [`KEEP_ALIVE`], and ends when `events` ends.
pub fn live_event_stream<S>(events: S) -> Response
where
    S: Stream<Item = String> + Send + 'static,
{
    live_event_stream_every(events, Some(KEEP_ALIVE))
}

/// [`live_event_stream`] with a `:` comment after every `keep_alive` of
/// quiet, or never (`None`).
pub fn live_event_stream_every<S>(events: S, keep_alive: Option<Duration>) -> Response
where
    S: Stream<Item = String> + Send + 'static,
{
    // Without keep-alives the ticker never fires within the life of a stream.
    const NEVER: Duration = Duration::from_secs(365 * 24 * 3600);
    let mut ticker = tokio::time::interval(keep_alive.unwrap_or(NEVER));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick of an interval is immediate; start counting from now.
    ticker.reset();
    let chunks = stream::unfold((Box::pin(events), ticker), |(mut events, mut ticker)| async move {
        let chunk = tokio::select! {
            event = events.next() => event?,
            _ = ticker.tick() => ":\n\n".to_owned(),
        };
        ticker.reset();
        Some((Ok::<Bytes, Infallible>(Bytes::from(chunk)), (events, ticker)))
    });
    (StatusCode::OK, sse_headers(), Body::from_stream(chunks)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_formatting() {
        assert_eq!(sse_event(None, Some("1"), ""), "id: 1\ndata: \n\n");
        assert_eq!(sse_event(Some("message"), None, "{}"), "event: message\ndata: {}\n\n");
        assert_eq!(sse_event(None, None, "a\r\nb"), "data: a\ndata: b\n\n");
        assert_eq!(sse_priming("1-0", 200), "id: 1-0\nretry: 200\ndata: \n\n");
    }
}
