//! Raw HTTP requests to the server under test, outside the session's own
//! traffic: chosen method and headers, a foreign `Origin`, an ended session
//! id, no credentials. Every probe and its answer go into the case's
//! transcript (credentials redacted).

use std::time::Duration;

use futures_util::StreamExt;
use reports::Direction;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use crate::execute::{clip, CaseContext};
use crate::session::{stateless, Session};
use crate::transport::{EventStreamParser, Kind, SseEvent, Transport};
use crate::version::{era, Era};

/// Most body bytes read from a probe's answer.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long an event-stream answer is read: long enough for a first event,
/// short enough that a live stream does not hold the check up.
const EVENT_STREAM_WINDOW: Duration = Duration::from_millis(500);

/// The session header.
pub const SESSION_HEADER: &str = "mcp-session-id";
/// The protocol version header.
pub const VERSION_HEADER: &str = "mcp-protocol-version";

/// Sends raw requests to the target of a session.
pub struct Probe<'a> {
    session: &'a Session,
    client: reqwest::Client,
    /// The MCP endpoint (Streamable HTTP) or the SSE stream URL (HTTP+SSE).
    pub url: reqwest::Url,
    /// The user's headers (credentials, for instance).
    user_headers: HeaderMap,
    /// The session id the harness's own session was issued, if any.
    pub session_id: Option<String>,
    /// The version header the session sends, if any.
    pub protocol_version: Option<String>,
    /// Streamable HTTP or HTTP+SSE.
    pub kind: Kind,
    timeout: Duration,
}

/// One raw request.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// The HTTP method.
    pub method: Method,
    /// Headers on top of the user's (replacing any of the same name).
    pub headers: Vec<(String, String)>,
    /// Header names to leave out (the user's included), lower-case.
    pub without: Vec<&'static str>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

impl ProbeRequest {
    /// A POST of `body`, with the JSON and event-stream `Accept` a client sends.
    pub fn post(body: Value) -> ProbeRequest {
        ProbeRequest { method: Method::POST, headers: Vec::new(), without: Vec::new(), body: Some(body) }
    }

    /// A GET asking for an event stream.
    pub fn get() -> ProbeRequest {
        ProbeRequest { method: Method::GET, headers: Vec::new(), without: Vec::new(), body: None }
    }

    /// A DELETE.
    pub fn delete() -> ProbeRequest {
        ProbeRequest { method: Method::DELETE, headers: Vec::new(), without: Vec::new(), body: None }
    }

    /// Add (or replace) a header.
    pub fn header(mut self, name: &str, value: &str) -> ProbeRequest {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Add headers (replacing any of the same name).
    pub fn headers(self, headers: Vec<(String, String)>) -> ProbeRequest {
        headers.into_iter().fold(self, |request, (n, v)| request.header(&n, &v))
    }

    /// Leave a header out.
    pub fn without(mut self, name: &'static str) -> ProbeRequest {
        self.without.push(name);
        self
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct ProbeResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body (or as much as was read of it), as text.
    pub body: String,
}

impl ProbeResponse {
    /// The first value of a header (name lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// One line for a finding: status, content type, a bit of the body.
    pub fn summary(&self) -> String {
        let mut text = format!("HTTP {}", self.status);
        if let Some(t) = self.header("content-type") {
            text.push_str(&format!(" ({t})"));
        }
        if !self.body.is_empty() {
            text.push_str(&format!(": {}", clip(&self.body, 200)));
        }
        text
    }

    /// Is the status 2xx?
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl<'a> Probe<'a> {
    /// A probe for the session's target; `None` on stdio.
    pub fn new(context: &CaseContext<'a>) -> Option<Probe<'a>> {
        let session = context.session;
        let (url, user_headers, session_id, protocol_version, kind) = match session.connection.transport() {
            Transport::StreamableHttp(t) => {
                (t.url().clone(), t.extra_headers().clone(), t.session_id(), t.protocol_version(), Kind::StreamableHttp)
            }
            Transport::Sse(t) => (t.stream_url().clone(), t.extra_headers().clone(), None, None, Kind::Sse),
            Transport::Stdio(_) => return None,
        };
        let timeout = session.connection.request_timeout();
        let client = reqwest::Client::builder().no_proxy().connect_timeout(timeout).build().ok()?;
        Some(Probe { session, client, url, user_headers, session_id, protocol_version, kind, timeout })
    }

    /// Send `request` to the endpoint; `Err` when no HTTP answer came.
    pub async fn send(&self, label: &str, request: ProbeRequest) -> Result<ProbeResponse, String> {
        self.send_to(label, self.url.clone(), request).await
    }

    /// Send `request` to `url` (same target, another path).
    pub async fn send_to(&self, label: &str, url: reqwest::Url, request: ProbeRequest) -> Result<ProbeResponse, String> {
        let response = self.start(label, url, request).await?;
        let status = response.status().as_u16();
        let headers = response_headers(&response);
        let is_stream = headers.iter().any(|(n, v)| n == "content-type" && v.starts_with("text/event-stream"));
        let window = if is_stream { EVENT_STREAM_WINDOW } else { self.timeout };
        let body = read_some(response, window).await;
        let answer = ProbeResponse { status, headers, body };
        self.note_answer(label, &answer);
        Ok(answer)
    }

    /// Sends `request` and hands back the response as it starts (the
    /// request is in the transcript; the answer is not yet).
    async fn start(&self, label: &str, url: reqwest::Url, request: ProbeRequest) -> Result<reqwest::Response, String> {
        let mut headers = self.user_headers.clone();
        let accept = if request.method == Method::POST { "application/json, text/event-stream" } else { "text/event-stream" };
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        if request.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("bad header name {name:?}: {e}"))?;
            let value = HeaderValue::from_str(value).map_err(|e| format!("bad value for header {name}: {e}"))?;
            headers.insert(name, value);
        }
        for name in &request.without {
            headers.remove(*name);
        }
        let body = request.body.as_ref().map(Value::to_string).unwrap_or_default();
        self.note(Direction::Sent, label, &format!("{} {url}\n{}\n{}", request.method, show_headers(&headers), body));
        let mut builder = self.client.request(request.method.clone(), url).headers(headers);
        if request.body.is_some() {
            builder = builder.body(body);
        }
        match tokio::time::timeout(self.timeout, builder.send()).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(self.failed(label, format!("the request failed: {}", crate::transport::streamable_http::root_cause(&e)))),
            Err(_) => Err(self.failed(label, format!("no answer within {:?}", self.timeout))),
        }
    }

    /// The answer (status, headers, what was read of the body) into the transcript.
    fn note_answer(&self, label: &str, answer: &ProbeResponse) {
        let shown: HeaderMap = answer
            .headers
            .iter()
            .filter_map(|(n, v)| Some((HeaderName::from_bytes(n.as_bytes()).ok()?, HeaderValue::from_str(v).ok()?)))
            .collect();
        self.note(Direction::Received, label, &format!("HTTP {}\n{}\n{}", answer.status, show_headers(&shown), clip(&answer.body, 2000)));
    }

    /// Sends `request` and keeps its answer open, to be read event by
    /// event ([`LiveStream`]); dropping it closes the connection. Each
    /// message of the stream goes into the transcript as it is read, on
    /// the channel `probe: LABEL`.
    pub async fn open_stream(&self, label: &str, request: ProbeRequest) -> Result<LiveStream<'a>, String> {
        let response = self.start(label, self.url.clone(), request).await?;
        let status = response.status().as_u16();
        let headers = response_headers(&response);
        let is_stream = headers.iter().any(|(n, v)| n == "content-type" && v.to_ascii_lowercase().starts_with("text/event-stream"));
        if status != 200 || !is_stream {
            let body = read_some(response, self.timeout).await;
            let answer = ProbeResponse { status, headers, body };
            self.note_answer(label, &answer);
            return Err(format!("{label} was answered {} rather than with an event stream", answer.summary()));
        }
        self.note_answer(label, &ProbeResponse { status, headers, body: String::new() });
        Ok(LiveStream {
            session: self.session,
            channel: format!("probe: {label}"),
            body: Box::pin(response.bytes_stream()),
            parser: EventStreamParser::new(MAX_BODY_BYTES),
            pending: std::collections::VecDeque::new(),
            ended: false,
        })
    }

    /// A request that any server of this era answers without side effects:
    /// `ping` in the handshake era, `server/discover` (with its `_meta` and
    /// mirrored headers) in 2026-07-28. Returns the body and its headers.
    pub fn harmless_request(&self, id: &str) -> (Value, Vec<(String, String)>) {
        let version = self.session.version.as_str();
        match era(version) {
            Era::Stateful => (crate::jsonrpc::request(&json!(id), "ping", None), Vec::new()),
            Era::Stateless => {
                let message = crate::jsonrpc::request(&json!(id), "server/discover", Some(stateless::with_meta(json!({}), version)));
                let headers = stateless::mirrored_headers(&message);
                (message, headers)
            }
        }
    }

    /// The headers of the harness's own session: its id and version header.
    pub fn session_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(id) = &self.session_id {
            headers.push((SESSION_HEADER.to_string(), id.clone()));
        }
        if let Some(version) = &self.protocol_version {
            headers.push((VERSION_HEADER.to_string(), version.clone()));
        }
        headers
    }

    /// The version under test.
    pub fn version(&self) -> &str {
        &self.session.version
    }

    /// The `initialize` params the harness sends for the version under test.
    pub fn initialize(&self, id: &str) -> Value {
        crate::jsonrpc::request(&json!(id), "initialize", Some(crate::session::stateful::initialize_params(self.version())))
    }

    fn failed(&self, label: &str, why: String) -> String {
        self.note(Direction::Event, label, &why);
        why
    }

    fn note(&self, direction: Direction, label: &str, text: &str) {
        self.session.connection.log(direction, &format!("probe: {label}"), text);
    }
}

/// A response's headers, names lower-case.
fn response_headers(response: &reqwest::Response) -> Vec<(String, String)> {
    response.headers().iter().map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

/// What reading a [`LiveStream`] brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// A dispatched event (its `data` also in the transcript when not empty).
    Event {
        /// The `id` field, if any.
        id: Option<String>,
        /// The joined `data` lines.
        data: String,
    },
    /// A `:` comment line (a keep-alive).
    Comment,
    /// A `retry` field.
    Retry(u64),
    /// The server ended the stream (or the connection broke).
    Ended,
    /// Nothing within the wait.
    Quiet,
}

/// An event-stream answer read as it comes ([`Probe::open_stream`]).
pub struct LiveStream<'a> {
    session: &'a Session,
    channel: String,
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    parser: EventStreamParser,
    pending: std::collections::VecDeque<SseEvent>,
    ended: bool,
}

impl LiveStream<'_> {
    /// The next item, waiting at most `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> StreamItem {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(item) = self.pending.pop_front().and_then(|event| self.item(event)) {
                return item;
            }
            if !self.pending.is_empty() {
                continue;
            }
            if self.ended {
                return StreamItem::Ended;
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Err(_) => return StreamItem::Quiet,
                Ok(Some(Ok(chunk))) => self.pending.extend(self.parser.feed(&chunk)),
                Ok(Some(Err(e))) => {
                    let why = format!("the stream broke: {}", crate::transport::streamable_http::root_cause(&e));
                    self.session.connection.log(Direction::Event, &self.channel, &why);
                    self.ended = true;
                }
                Ok(None) => {
                    self.session.connection.log(Direction::Event, &self.channel, "the server ended the stream");
                    self.ended = true;
                }
            }
        }
    }

    /// Reads until the stream ends or `wait` has passed; the items read.
    pub async fn read_for(&mut self, wait: Duration) -> Vec<StreamItem> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut items = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                StreamItem::Quiet => return items,
                StreamItem::Ended => {
                    items.push(StreamItem::Ended);
                    return items;
                }
                item => items.push(item),
            }
        }
    }

    /// The transcript channel its messages are recorded on.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Closes the connection (as dropping the stream does), noted in the transcript.
    pub fn close(self) {
        self.session.connection.log(Direction::Event, &self.channel, "mcp-conform closed the stream");
    }

    /// The item an event is, recorded; `None` for one that was dropped.
    fn item(&self, event: SseEvent) -> Option<StreamItem> {
        Some(match event {
            SseEvent::Message { data, id, .. } => {
                // Recorded as the event's lines, not as a bare message: the
                // session's own checks judge only what the session exchanged.
                let shown = match &id {
                    Some(id) => format!("id: {id}\ndata: {data}"),
                    None => format!("data: {data}"),
                };
                self.session.connection.log(Direction::Received, &self.channel, &shown);
                StreamItem::Event { id, data }
            }
            SseEvent::Comment(_) => {
                self.session.connection.log(Direction::Event, &self.channel, "`:` comment (keep-alive)");
                StreamItem::Comment
            }
            SseEvent::Retry(ms) => StreamItem::Retry(ms),
            SseEvent::Oversized(size) => {
                self.session.connection.log(Direction::Event, &self.channel, &format!("an event of more than {size} bytes, dropped"));
                return None;
            }
        })
    }
}

/// Headers as lines, credentials redacted (a transcript may be shared).
fn show_headers(headers: &HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = if *name == AUTHORIZATION {
                let scheme = value.split_whitespace().next().unwrap_or_default();
                format!("{scheme} (redacted)")
            } else {
                value.into_owned()
            };
            format!("{name}: {shown}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Read at most [`MAX_BODY_BYTES`] of a body within `window`.
async fn read_some(response: reqwest::Response, window: Duration) -> String {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    let deadline = tokio::time::Instant::now() + window;
    while body.len() < MAX_BODY_BYTES {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(MAX_BODY_BYTES);
    String::from_utf8_lossy(&body).into_owned()
}

/// The value of one parameter of a `WWW-Authenticate` challenge
/// (`name="value"` or `name=token`), matched case-insensitively.
pub fn challenge_param(challenge: &str, name: &str) -> Option<String> {
    let lower = challenge.to_ascii_lowercase();
    let needle = format!("{}=", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle) {
        let start = from + at;
        let boundary = start == 0 || matches!(lower.as_bytes()[start - 1], b' ' | b',' | b'\t');
        let rest = &challenge[start + needle.len()..];
        if boundary {
            return Some(match rest.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or_default().to_string(),
                None => rest.split([',', ' ']).next().unwrap_or_default().to_string(),
            });
        }
        from = start + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_params_are_found_quoted_or_not() {
        let c = r#"Bearer error="invalid_token", resource_metadata="http://h/.well-known/x", scope=mcp"#;
        assert_eq!(challenge_param(c, "resource_metadata").as_deref(), Some("http://h/.well-known/x"));
        assert_eq!(challenge_param(c, "SCOPE").as_deref(), Some("mcp"));
        assert_eq!(challenge_param(c, "error").as_deref(), Some("invalid_token"));
        assert_eq!(challenge_param(c, "metadata"), None);
        assert_eq!(challenge_param("Bearer", "scope"), None);
    }

    #[test]
    fn credentials_never_reach_the_transcript() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer secret-token"));
        h.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        let shown = show_headers(&h);
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("Bearer (redacted)"));
    }
}
