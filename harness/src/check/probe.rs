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
use crate::transport::{Kind, Transport};
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
        let response = match tokio::time::timeout(self.timeout, builder.send()).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return Err(self.failed(label, format!("the request failed: {}", crate::transport::streamable_http::root_cause(&e)))),
            Err(_) => return Err(self.failed(label, format!("no answer within {:?}", self.timeout))),
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let is_stream = headers.iter().any(|(n, v)| n == "content-type" && v.starts_with("text/event-stream"));
        let window = if is_stream { EVENT_STREAM_WINDOW } else { self.timeout };
        let body = read_some(response, window).await;
        let answer = ProbeResponse { status, headers, body };
        let shown: HeaderMap = answer
            .headers
            .iter()
            .filter_map(|(n, v)| Some((HeaderName::from_bytes(n.as_bytes()).ok()?, HeaderValue::from_str(v).ok()?)))
            .collect();
        self.note(Direction::Received, label, &format!("HTTP {status}\n{}\n{}", show_headers(&shown), clip(&answer.body, 2000)));
        Ok(answer)
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
