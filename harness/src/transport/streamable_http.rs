//! The Streamable HTTP transport: one POST per message to the MCP endpoint.
//!
//! Answers come back as one JSON body or as an SSE stream per POST; both end
//! up as [`Event::Frame`]s tagged with the request they answer. In the
//! stateful era the transport keeps the `Mcp-Session-Id` the server issued,
//! sends the negotiated `MCP-Protocol-Version`, can open the GET stream and
//! DELETEs the session at the end. Headers the protocol layer computes
//! (`Mcp-Method`, `Mcp-Name`) arrive with each [`Outgoing`]. A POST's event
//! stream that ends before its answer but after an event id (2025-11-25
//! polling, or a broken connection) is resumed: after the server's `retry`
//! delay, a GET with `Last-Event-ID` reads on under the same channel.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use tokio::task::JoinHandle;

use super::{
    event_queue, read_bounded, Event, EventSender, EventStreamParser, Events, HttpResponseHead, Limits, Outgoing, SendReport, SseEvent,
    TransportError,
};

/// A client of one MCP endpoint.
pub struct HttpTransport {
    client: reqwest::Client,
    url: reqwest::Url,
    extra_headers: HeaderMap,
    session_id: Mutex<Option<String>>,
    protocol_version: Mutex<Option<String>>,
    posts: AtomicU64,
    events: EventSender,
    pumps: Mutex<Vec<JoinHandle<()>>>,
    limits: Limits,
}

impl HttpTransport {
    /// Prepare a client; nothing is sent until the first message.
    pub fn connect(
        url: &str,
        headers: &[(String, String)],
        limits: &Limits,
    ) -> Result<(HttpTransport, Events), TransportError> {
        let (client, parsed, extra_headers) = client_for(url, headers, limits)?;
        let (tx, rx) = event_queue();
        let transport = HttpTransport {
            client,
            url: parsed,
            extra_headers,
            session_id: Mutex::new(None),
            protocol_version: Mutex::new(None),
            posts: AtomicU64::new(0),
            events: tx,
            pumps: Mutex::new(Vec::new()),
            limits: limits.clone(),
        };
        Ok((transport, rx))
    }

    /// Set (or clear) the `MCP-Protocol-Version` header of later requests.
    pub fn set_protocol_version(&self, version: Option<&str>) {
        *lock(&self.protocol_version) = version.map(str::to_string);
    }

    /// The MCP endpoint.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The user's extra headers (e.g. `Authorization`), sent on every request.
    pub fn extra_headers(&self) -> &HeaderMap {
        &self.extra_headers
    }

    /// The `Mcp-Session-Id` the server issued, if any.
    pub fn session_id(&self) -> Option<String> {
        lock(&self.session_id).clone()
    }

    /// The `MCP-Protocol-Version` sent on later requests, if set.
    pub fn protocol_version(&self) -> Option<String> {
        lock(&self.protocol_version).clone()
    }

    /// POST one message; returns once the response head has arrived and
    /// leaves its body to a background task.
    pub async fn send(&self, outgoing: Outgoing) -> Result<SendReport, TransportError> {
        let n = self.posts.fetch_add(1, Ordering::Relaxed) + 1;
        let mut headers = self.base_headers();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json, text/event-stream"));
        headers.extend(header_map(&outgoing.headers).map_err(TransportError::Http)?);
        // Kept (a cheap handle) to read the ids of its requests if the answer is an event stream.
        let body = Bytes::from(outgoing.bytes);
        let response = self
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(body.clone())
            .send()
            .await
            .map_err(|e| self.failed(e))?;
        let head = head_of("POST", &response);
        if let Some(id) = head.header("mcp-session-id") {
            lock(&self.session_id).get_or_insert_with(|| id.to_string());
        }
        let channel: Arc<str> = Arc::from(format!("POST #{n}"));
        self.note(&channel, describe(&head));
        self.pump(channel, outgoing.id, Some(body), response, &head);
        Ok(SendReport { http: Some(head) })
    }

    /// Open the GET stream on which a stateful server may send requests and
    /// notifications outside any POST.
    pub async fn open_get_stream(&self) -> Result<SendReport, TransportError> {
        let mut headers = self.base_headers();
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        // A server answers the GET at once (with its stream, or 405): one
        // that sends no response head must not hold up the session.
        let get = self.client.get(self.url.clone()).headers(headers).send();
        let response = tokio::time::timeout(self.limits.connect_timeout, get)
            .await
            .map_err(|_| TransportError::NotTaken(self.limits.connect_timeout))?
            .map_err(|e| self.failed(e))?;
        let head = head_of("GET", &response);
        let channel: Arc<str> = Arc::from("GET stream");
        self.note(&channel, describe(&head));
        if head.status == 200 {
            self.pump(channel, None, None, response, &head);
        }
        Ok(SendReport { http: Some(head) })
    }

    /// Stop reading every open stream and DELETE the session if one was issued.
    pub async fn close(&self) -> String {
        for pump in lock(&self.pumps).drain(..) {
            pump.abort();
        }
        let Some(session) = lock(&self.session_id).clone() else {
            return "closed (no session to delete)".into();
        };
        let request = self.client.delete(self.url.clone()).headers(self.base_headers());
        match tokio::time::timeout(self.limits.connect_timeout, request.send()).await {
            Ok(Ok(response)) => format!("DELETE session {session} → {}", response.status()),
            Ok(Err(e)) => format!("DELETE session {session} failed: {e}"),
            Err(_) => format!("DELETE session {session}: no answer within {:?}", self.limits.connect_timeout),
        }
    }

    fn base_headers(&self) -> HeaderMap {
        let mut headers = self.extra_headers.clone();
        let values = [
            ("mcp-session-id", lock(&self.session_id).clone()),
            ("mcp-protocol-version", lock(&self.protocol_version).clone()),
        ];
        for (name, value) in values {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        headers
    }

    /// Read a response body in the background: SSE events or one JSON body.
    /// A POST's event stream that ends before the answers to the requests
    /// of `posted` (its body), after an event id, is resumed with GET and
    /// `Last-Event-ID` ([`Resumption::resume_until_answered`]).
    fn pump(
        &self,
        channel: Arc<str>,
        origin: Option<serde_json::Value>,
        posted: Option<Bytes>,
        response: reqwest::Response,
        head: &HttpResponseHead,
    ) {
        let tx = self.events.clone();
        let max = self.limits.max_message_bytes;
        let is_sse = head.content_type.as_deref().is_some_and(|t| t.starts_with("text/event-stream"));
        // An error status may carry a JSON-RPC error, or any text explaining
        // the refusal (a 413 from a body-size limit, say): only a JSON body is
        // a message; other text is kept in the transcript as a note.
        let refusal_text = head.status >= 400 && !head.content_type.as_deref().is_some_and(|t| t.starts_with("application/json"));
        let resumption = Resumption { client: self.client.clone(), url: self.url.clone(), headers: self.base_headers() };
        let task = tokio::spawn(async move {
            if is_sse {
                // The stream is done once each request the POST carried is answered.
                let awaited = posted.as_deref().map_or(0, |body| request_ids(body).len());
                let resumable = awaited > 0;
                let end = pump_event_stream(response, &channel, &origin, max, &tx, StreamEnd::awaiting(awaited), Resumed::No).await;
                if resumable {
                    resumption.resume_until_answered(&channel, &origin, max, &tx, end).await;
                }
            } else {
                match read_bounded(response, max).await {
                    Err(size) => {
                        tx.server_sent(Event::Oversized { channel: channel.clone(), origin: origin.clone(), size, limit: max }).await;
                    }
                    Ok(body) if refusal_text && !body.is_empty() => {
                        let text = format!("refusal text: {}", crate::execute::clip(&String::from_utf8_lossy(&body), 300));
                        tx.ours(Event::Note { channel: channel.clone(), text });
                    }
                    Ok(body) if !body.is_empty() => {
                        tx.server_sent(Event::Frame { channel: channel.clone(), origin: origin.clone(), bytes: Bytes::from(body) }).await;
                    }
                    Ok(_) => {}
                }
            }
            tx.ours(Event::StreamEnded { channel, origin });
        });
        let mut pumps = lock(&self.pumps);
        pumps.retain(|p| !p.is_finished());
        pumps.push(task);
    }

    fn note(&self, channel: &Arc<str>, text: String) {
        self.events.ours(Event::Note { channel: channel.clone(), text });
    }

    fn failed(&self, e: reqwest::Error) -> TransportError {
        if e.is_connect() || e.is_timeout() {
            TransportError::Unreachable { url: self.url.to_string(), detail: root_cause(&e) }
        } else {
            TransportError::Http(root_cause(&e))
        }
    }
}

/// Most reconnections of one POST's stream in a row that bring no new event.
const MAX_IDLE_RECONNECTS: u32 = 3;
/// The longest `retry` delay honoured (a server asking for more gets this).
const MAX_RETRY: Duration = Duration::from_secs(5);
/// The wait before reconnecting when the server sent no `retry` field.
const DEFAULT_RETRY: Duration = Duration::from_millis(100);

/// What a POST's event stream left behind when it ended.
#[derive(Debug, Default, Clone)]
pub(crate) struct StreamEnd {
    /// The last event id it carried (SSE's "last event ID").
    last_event_id: Option<String>,
    /// The last `retry` field, in milliseconds.
    retry_ms: Option<u64>,
    /// How many of the POST's requests have no response yet.
    awaited: usize,
    /// Its requests were answered, or nobody listens any more: nothing to resume.
    done: bool,
}

impl StreamEnd {
    /// A stream that answers `awaited` requests (done at once if none).
    fn awaiting(awaited: usize) -> StreamEnd {
        StreamEnd { done: awaited == 0, awaited, ..StreamEnd::default() }
    }

    /// Note the responses `event` carries; done once none is awaited. A
    /// POST's stream carries the responses to that POST's requests only, so
    /// each response counts whatever its id (a server may read an id such as
    /// `1.0` its own way; the judge, not this, checks ids).
    fn note_answers(&mut self, event: &SseEvent) {
        let SseEvent::Message { data, .. } = event else { return };
        if self.awaited == 0 {
            return;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(data) else { return };
        let responses = match &value {
            serde_json::Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for message in responses {
            if message.get("method").is_none() && (message.get("result").is_some() || message.get("error").is_some()) {
                self.awaited = self.awaited.saturating_sub(1);
            }
        }
        self.done |= self.awaited == 0;
    }
}

/// The ids of the requests in a POST body (one message or a batch): read
/// from the body, not the caller's tag (the fuzzer tags its POSTs with
/// labels of its own), so that a stream that carried the answers is not
/// resumed as if it had not.
fn request_ids(body: &[u8]) -> Vec<serde_json::Value> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else { return Vec::new() };
    let messages = match value {
        serde_json::Value::Array(items) => items,
        single => vec![single],
    };
    let id_of_request = |message: serde_json::Value| match message {
        serde_json::Value::Object(mut object) if object.contains_key("method") => object.remove("id").filter(|id| !id.is_null()),
        _ => None,
    };
    messages.into_iter().filter_map(id_of_request).collect()
}

/// How to reconnect to a POST's stream: GET on the endpoint with the
/// session's headers (2025-11-25 polling; resumption is always a GET).
struct Resumption {
    client: reqwest::Client,
    url: reqwest::Url,
    headers: HeaderMap,
}

impl Resumption {
    /// While the stream of a POST ended before the answers to its requests
    /// and left an event id: wait the `retry` delay, GET with `Last-Event-ID`
    /// and read on, until the answer comes, the server declines, or
    /// [`MAX_IDLE_RECONNECTS`] reconnections in a row bring nothing new.
    async fn resume_until_answered(
        &self,
        channel: &Arc<str>,
        origin: &Option<serde_json::Value>,
        max: usize,
        tx: &EventSender,
        mut end: StreamEnd,
    ) {
        let mut idle = 0;
        while !end.done && idle < MAX_IDLE_RECONNECTS {
            let Some(last) = end.last_event_id.clone() else { return };
            let Ok(last_value) = HeaderValue::from_str(&last) else { return };
            let wait = end.retry_ms.map_or(DEFAULT_RETRY, |ms| Duration::from_millis(ms).min(MAX_RETRY));
            tokio::time::sleep(wait).await;
            let note = |text: String| tx.ours(Event::Note { channel: channel.clone(), text });
            note(format!("stream ended before the answer: reconnecting with GET, Last-Event-ID: {last}"));
            let mut headers = self.headers.clone();
            headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
            headers.insert(HeaderName::from_static("last-event-id"), last_value);
            let response = match self.client.get(self.url.clone()).headers(headers).send().await {
                Ok(response) => response,
                Err(e) => {
                    note(format!("reconnection failed: {}", root_cause(&e)));
                    idle += 1;
                    continue;
                }
            };
            let head = head_of("GET", &response);
            let is_sse = head.content_type.as_deref().is_some_and(|t| t.starts_with("text/event-stream"));
            note(format!("reconnected: {}", describe(&head)));
            if head.status != 200 || !is_sse {
                return;
            }
            end = pump_event_stream(response, channel, origin, max, tx, end, Resumed::Yes).await;
            // A reconnection that brought no event past `last` counts as idle.
            idle = if end.last_event_id.as_deref() == Some(last.as_str()) { idle + 1 } else { 0 };
        }
    }
}

/// Whether a stream is a POST's own response or a GET that resumes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resumed {
    No,
    Yes,
}

/// Turn every SSE event of a response into frames; returns what a
/// resumption needs, carried on from `end`. A POST's own stream is read to
/// its end (a server that keeps it open after the answer is judged for it);
/// a resumed one only until the answers are in: a server may keep that GET
/// open for good, and it would hold the input until its deadline.
pub(crate) async fn pump_event_stream(
    response: reqwest::Response,
    channel: &Arc<str>,
    origin: &Option<serde_json::Value>,
    max: usize,
    tx: &EventSender,
    mut end: StreamEnd,
    resumed: Resumed,
) -> StreamEnd {
    let mut parser = EventStreamParser::new(max);
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let events = match chunk {
            Ok(chunk) => parser.feed(&chunk),
            Err(e) => {
                tx.ours(Event::Note { channel: channel.clone(), text: format!("stream broke: {}", root_cause(&e)) });
                break;
            }
        };
        for event in events {
            match &event {
                SseEvent::Message { id: Some(id), .. } => end.last_event_id = Some(id.clone()),
                SseEvent::Retry(ms) => end.retry_ms = Some(*ms),
                _ => {}
            }
            end.note_answers(&event);
            if !forward(event, channel, origin, max, tx).await {
                end.done = true;
                return end;
            }
        }
        if end.done && resumed == Resumed::Yes {
            tx.ours(Event::Note { channel: channel.clone(), text: "answered on the resumed stream: stopped reading it".into() });
            break;
        }
    }
    end
}

/// Forward one SSE item; false when nobody listens any more.
async fn forward(
    event: SseEvent,
    channel: &Arc<str>,
    origin: &Option<serde_json::Value>,
    max: usize,
    tx: &EventSender,
) -> bool {
    let event = match event {
        // An event with empty data primes resumption (it carries only an id): not a message.
        SseEvent::Message { data, .. } if data.is_empty() => return true,
        SseEvent::Message { event, data, .. } if event == "message" => {
            Event::Frame { channel: channel.clone(), origin: origin.clone(), bytes: Bytes::from(data) }
        }
        SseEvent::Message { event, data, .. } => {
            Event::Note { channel: channel.clone(), text: format!("SSE event `{event}`: {data}") }
        }
        SseEvent::Oversized(size) => Event::Oversized { channel: channel.clone(), origin: origin.clone(), size, limit: max },
        // Keep-alives and reconnection hints are not messages.
        SseEvent::Comment(_) | SseEvent::Retry(_) => return true,
    };
    tx.server_sent(event).await
}

/// An HTTP client for `url` (no proxy: targets are local) with the user's headers.
pub(crate) fn client_for(
    url: &str,
    headers: &[(String, String)],
    limits: &Limits,
) -> Result<(reqwest::Client, reqwest::Url, HeaderMap), TransportError> {
    let unreachable = |detail: String| TransportError::Unreachable { url: url.to_string(), detail };
    let parsed = reqwest::Url::parse(url).map_err(|e| unreachable(format!("not a URL: {e}")))?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(limits.connect_timeout)
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let headers = header_map(headers).map_err(unreachable)?;
    Ok((client, parsed, headers))
}

pub(crate) fn head_of(method: &'static str, response: &reqwest::Response) -> HttpResponseHead {
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let content_type = response.headers().get(CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    HttpResponseHead { method, status: response.status().as_u16(), content_type, headers }
}

pub(crate) fn describe(head: &HttpResponseHead) -> String {
    let mut text = format!("HTTP {}", head.status);
    if let Some(t) = &head.content_type {
        text.push_str(&format!(" ({t})"));
    }
    if let Some(id) = head.header("mcp-session-id") {
        text.push_str(&format!(", Mcp-Session-Id: {id}"));
    }
    text
}

pub(crate) fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("bad header name {name:?}: {e}"))?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("bad value for header {name}: {e}"))?;
        map.insert(name, value);
    }
    Ok(map)
}

pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(data: &str) -> SseEvent {
        SseEvent::Message { id: None, event: "message".into(), data: data.into() }
    }

    #[test]
    fn a_post_awaits_the_ids_of_the_requests_in_its_body() {
        assert_eq!(request_ids(br#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#), vec![json!(7)]);
        let batch = br#"[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]"#;
        assert_eq!(request_ids(batch), vec![json!("a"), json!(2)]);
        // Notifications, responses, null ids and bytes that are not JSON await nothing.
        assert!(request_ids(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).is_empty());
        assert!(request_ids(br#"{"jsonrpc":"2.0","id":3,"result":{}}"#).is_empty());
        assert!(request_ids(br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#).is_empty());
        assert!(request_ids(b"{not json").is_empty());
    }

    #[test]
    fn a_stream_is_done_once_every_request_it_carried_is_answered() {
        let mut end = StreamEnd::awaiting(2);
        // A request of the server's own, a notification and a priming event answer nothing.
        for data in [
            r#"{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#,
            "",
        ] {
            end.note_answers(&message(data));
            assert!(!end.done, "{data}");
        }
        // Responses count whatever their ids (`1.0` read as `1`, say).
        end.note_answers(&message(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#));
        assert!(!end.done);
        end.note_answers(&message(r#"[{"jsonrpc":"2.0","id":"b","error":{"code":-32601,"message":"no"}}]"#));
        assert!(end.done);
        // A POST that carried no request has nothing to resume.
        assert!(StreamEnd::awaiting(0).done);
    }
}
