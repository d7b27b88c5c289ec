//! Hostile modes over Streamable HTTP and HTTP+SSE: a middleware around the
//! conformant router that notes every POSTed message in the [`Tracker`] and
//! rewrites the responses.
//!
//! * `application/json` bodies (Streamable HTTP answers) are parsed and
//!   re-rendered: the trigger's answer streamed as the mode wants, responses
//!   corrupted under `invalid-utf8`, or the whole answer turned into an event
//!   stream (`sse-never-closes`, `notification-flood` bursts).
//! * `text/event-stream` bodies (Streamable HTTP SSE answers and GET streams,
//!   the HTTP+SSE session stream) are split into events and each `message`
//!   event whose data is a response is re-rendered the same way; GET streams
//!   get the flood merged in under `notification-flood`.
//!
//! Bodies are streamed: nothing the mode adds is buffered, and hyper stops
//! polling (and drops) a body when its connection closes, which ends every
//! endless stream.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request as HttpRequest, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::stream::{self, BoxStream, PollNext, StreamExt};
use serde_json::Value;

use super::{corrupt_utf8, flood_notification, is_response, render_trigger, Hostile, Rendered, Tracker, EXIT_STATUS, FLOOD_BURST};
use crate::protocol::RpcError;
use crate::transport::{replies, MAX_MESSAGE_BYTES};

/// Largest server event or JSON body re-rendered (larger ones pass unchanged).
const MAX_REWRITE: usize = 4 * MAX_MESSAGE_BYTES;
/// Pause between `sse-never-closes` keep-alive comments.
const KEEP_ALIVE: Duration = Duration::from_secs(1);
/// How long an `exit-mid-response` server waits for the half answer to leave.
const EXIT_GRACE: Duration = Duration::from_millis(200);

struct HostileHttp {
    mode: Hostile,
    /// Streamable HTTP (true) or HTTP+SSE (false).
    streamable: bool,
    tracker: Tracker,
}

/// Puts `router` (the Streamable HTTP router when `streamable`, else the
/// HTTP+SSE one) behind hostile `mode`.
pub fn wrap(router: Router, mode: Hostile, streamable: bool) -> Router {
    let state = Arc::new(HostileHttp { mode, streamable, tracker: Tracker::default() });
    router.layer(middleware::from_fn_with_state(state, intercept))
}

fn too_large() -> Response {
    let e = RpcError::invalid_request(format!("body larger than {MAX_MESSAGE_BYTES} bytes or unreadable"));
    replies::rpc_error_without_id(StatusCode::PAYLOAD_TOO_LARGE, &e)
}

async fn intercept(State(st): State<Arc<HostileHttp>>, request: HttpRequest, next: Next) -> Response {
    if replies::reject_declared_oversize(request.headers()).is_some() {
        return next.run(request).await;
    }
    let is_get = request.method() == Method::GET;
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await else {
        return too_large();
    };
    let mut carries_request = false;
    if let Ok(message) = serde_json::from_slice::<Value>(&bytes) {
        st.tracker.incoming(&message);
        let is_request = |m: &Value| m.get("method").is_some() && m.get("id").is_some();
        carries_request = match &message {
            Value::Array(items) => items.iter().any(is_request),
            m => is_request(m),
        };
    }
    if st.mode == Hostile::Silence {
        // Read, never answered. Hold nothing while waiting: the future lives
        // until hyper drops it with the connection.
        drop((parts, bytes));
        return std::future::pending::<Response>().await;
    }
    let burst = st.mode == Hostile::NotificationFlood && st.streamable && carries_request && st.tracker.armed();
    let response = next.run(HttpRequest::from_parts(parts, Body::from(bytes))).await;
    st.rewrite(response, is_get, burst).await
}

fn content_type(response: &Response) -> &str {
    response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn streamed(mut parts: axum::http::response::Parts, chunks: BoxStream<'static, Bytes>, event_stream: bool) -> Response {
    parts.headers.remove(header::CONTENT_LENGTH);
    if event_stream {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    Response::from_parts(parts, Body::from_stream(chunks.map(Ok::<Bytes, Infallible>)))
}

fn once(bytes: impl Into<Bytes>) -> BoxStream<'static, Bytes> {
    let bytes = bytes.into();
    stream::once(async move { bytes }).boxed()
}

/// The chunks of `rendered`, then (for `exit-mid-response`) a pause and the exit.
fn rendered_stream(rendered: Rendered) -> BoxStream<'static, Bytes> {
    if !rendered.exit_after {
        return rendered.chunks;
    }
    let exit = stream::once(async {
        tokio::time::sleep(EXIT_GRACE).await;
        std::process::exit(EXIT_STATUS)
    });
    rendered.chunks.chain(exit).boxed()
}

fn sse_message(data: &[u8]) -> Bytes {
    let mut event = b"event: message\ndata: ".to_vec();
    event.extend_from_slice(data);
    event.extend_from_slice(b"\n\n");
    Bytes::from(event)
}

fn flood_event(n: u64) -> Bytes {
    sse_message(flood_notification(n).as_bytes())
}

fn burst() -> BoxStream<'static, Bytes> {
    stream::iter(1..=FLOOD_BURST).map(flood_event).boxed()
}

fn keep_alive_forever() -> BoxStream<'static, Bytes> {
    stream::unfold((), |()| async {
        tokio::time::sleep(KEEP_ALIVE).await;
        Some((Bytes::from_static(b": keep-alive\n\n"), ()))
    })
    .boxed()
}

/// Splits an event-stream body into complete events (each ending in a
/// blank line); an event longer than [`MAX_REWRITE`] passes through in pieces.
fn split_events(body: Body) -> BoxStream<'static, Bytes> {
    let inner = body.into_data_stream().filter_map(|chunk| async move { chunk.ok() }).boxed();
    stream::unfold((inner, Vec::<u8>::new(), VecDeque::<Bytes>::new(), false), |(mut inner, mut buf, mut ready, mut done)| async move {
        loop {
            if let Some(event) = ready.pop_front() {
                return Some((event, (inner, buf, ready, done)));
            }
            if done {
                if buf.is_empty() {
                    return None;
                }
                let rest = Bytes::from(std::mem::take(&mut buf));
                return Some((rest, (inner, buf, ready, done)));
            }
            match inner.next().await {
                Some(chunk) => {
                    buf.extend_from_slice(&chunk);
                    while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
                        let event: Vec<u8> = buf.drain(..end + 2).collect();
                        ready.push_back(Bytes::from(event));
                    }
                    if buf.len() > MAX_REWRITE {
                        ready.push_back(Bytes::from(std::mem::take(&mut buf)));
                    }
                }
                None => done = true,
            }
        }
    })
    .boxed()
}

impl HostileHttp {
    /// How one response `message` goes out: `None` when unchanged.
    fn render(&self, message: &Value) -> Option<BoxStream<'static, Bytes>> {
        if !is_response(message) {
            return None;
        }
        if self.tracker.take_trigger(message) {
            if let Some(rendered) = render_trigger(self.mode, message) {
                return Some(rendered_stream(rendered));
            }
        }
        (self.mode == Hostile::InvalidUtf8).then(|| once(corrupt_utf8(message)))
    }

    /// One SSE event, re-rendered when its data is a response the mode changes.
    fn render_event(&self, event: Bytes) -> BoxStream<'static, Bytes> {
        let Ok(text) = std::str::from_utf8(&event) else {
            return once(event);
        };
        let mut head = String::new();
        let mut data = Vec::new();
        for line in text.split('\n') {
            match line.strip_prefix("data:") {
                Some(d) => data.push(d.strip_prefix(' ').unwrap_or(d)),
                None if !line.is_empty() => {
                    head.push_str(line);
                    head.push('\n');
                }
                None => {}
            }
        }
        let rendered = serde_json::from_str::<Value>(&data.join("\n")).ok().and_then(|m| self.render(&m));
        match rendered {
            Some(body) if !data.is_empty() => {
                head.push_str("data: ");
                once(head).chain(body).chain(once(&b"\n\n"[..])).boxed()
            }
            _ => once(event),
        }
    }

    async fn rewrite(self: Arc<Self>, response: Response, is_get: bool, burst_first: bool) -> Response {
        let kind = content_type(&response).to_owned();
        let never_closes = self.mode == Hostile::SseNeverCloses && self.streamable && !is_get;
        if response.status() == StatusCode::OK && kind.starts_with("application/json") {
            let (parts, body) = response.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_REWRITE).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
                return Response::from_parts(parts, Body::from(bytes));
            };
            let messages = match value {
                Value::Array(items) => items,
                single => vec![single],
            };
            if never_closes || burst_first {
                let events: Vec<Bytes> = messages.iter().map(|m| sse_message(m.to_string().as_bytes())).collect();
                let mut body = if burst_first { burst() } else { stream::empty().boxed() };
                body = body.chain(stream::iter(events).flat_map(move |e| self.render_event(e))).boxed();
                if never_closes {
                    body = body.chain(keep_alive_forever()).boxed();
                }
                return streamed(parts, body, true);
            }
            return match <[Value; 1]>::try_from(messages) {
                Ok([single]) => match self.render(&single) {
                    Some(body) => streamed(parts, body, false),
                    None => Response::from_parts(parts, Body::from(bytes)),
                },
                // A batch answer: only invalid-utf8 touches it, element by element.
                Err(many) if self.mode == Hostile::InvalidUtf8 => {
                    let mut out = b"[".to_vec();
                    for (i, m) in many.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(&if is_response(m) { corrupt_utf8(m) } else { m.to_string().into_bytes() });
                    }
                    out.push(b']');
                    streamed(parts, once(out), false)
                }
                Err(_) => Response::from_parts(parts, Body::from(bytes)),
            };
        }
        if response.status() == StatusCode::OK && kind.starts_with("text/event-stream") {
            let (parts, body) = response.into_parts();
            let this = self.clone();
            let events = split_events(body).flat_map(move |e| this.render_event(e)).boxed();
            let mut body = if burst_first { burst().chain(events).boxed() } else { events };
            if self.mode == Hostile::NotificationFlood && is_get {
                let mut armed = self.tracker.subscribe();
                let flood = stream::once(async move {
                    let _ = armed.wait_for(|a| *a).await;
                })
                .flat_map(|()| stream::iter(1u64..).map(flood_event));
                // The real events go first whenever they are ready.
                body = stream::select_with_strategy(body, flood, |(): &mut ()| PollNext::Left).boxed();
            }
            if never_closes {
                body = body.chain(keep_alive_forever()).boxed();
            }
            return streamed(parts, body, false);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn events_are_split_on_blank_lines() {
        let body = Body::from_stream(stream::iter([
            Ok::<_, Infallible>(Bytes::from_static(b"id: 1\ndata: {}\n\nevent: message\nda")),
            Ok(Bytes::from_static(b"ta: {\"a\":1}\n\n: keep\n\ntail")),
        ]));
        let events: Vec<Bytes> = split_events(body).collect().await;
        assert_eq!(
            events,
            [
                Bytes::from_static(b"id: 1\ndata: {}\n\n"),
                Bytes::from_static(b"event: message\ndata: {\"a\":1}\n\n"),
                Bytes::from_static(b": keep\n\n"),
                Bytes::from_static(b"tail"),
            ]
        );
    }

    #[tokio::test]
    async fn trigger_events_keep_their_id_line() {
        let st = HostileHttp { mode: Hostile::DeepNesting, streamable: false, tracker: Tracker::default() };
        st.tracker.incoming(&serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        st.tracker.incoming(&serde_json::json!({"jsonrpc": "2.0", "id": 5, "method": "ping"}));
        let out: Vec<Bytes> = st
            .render_event(Bytes::from_static(b"id: 9\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}\n\n"))
            .collect()
            .await;
        let all: Vec<u8> = out.concat();
        assert!(all.starts_with(b"id: 9\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"mcp-conform/nested\":[[["));
        assert!(all.ends_with(b"]]]}}\n\n"));
    }
}
