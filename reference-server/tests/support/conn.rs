//! One client for every transport and era, so that a feature's test can
//! run over each transport × version that has it.
//!
//! A [`Conn`] starts its own server. In the handshake era it initializes
//! a session (and over Streamable HTTP opens the session's GET stream); in
//! 2026-07-28 it adds the per-request `_meta` to every request. [`Conn::call`]
//! returns the response and the messages that came before it on the
//! request's channel; [`Conn::unsolicited`] reads what arrives outside any
//! request. Every wait is bounded; the server is killed on drop.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::time::{timeout, Instant};

use super::*;

/// A transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Stdio,
    /// Streamable HTTP.
    Http,
    /// HTTP+SSE (2024-11-05 transport).
    Sse,
}

pub const TRANSPORTS: [Transport; 3] = [Transport::Stdio, Transport::Http, Transport::Sse];

/// Every version a transport carries (Streamable HTTP began with 2025-03-26;
/// the other two serve every version, 2026-07-28 statelessly).
pub fn versions(transport: Transport) -> Vec<&'static str> {
    let all = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", MODERN];
    all.into_iter().filter(|v| transport != Transport::Http || *v >= "2025-03-26").collect()
}

/// Every (transport, version) pair.
pub fn everywhere() -> Vec<(Transport, &'static str)> {
    TRANSPORTS.into_iter().flat_map(|t| versions(t).into_iter().map(move |v| (t, v))).collect()
}

enum Inner {
    Stdio(StdioServer),
    Http {
        server: HttpServer,
        session: Option<String>,
        get: Option<SseReader>,
    },
    Sse {
        server: HttpServer,
        events: SseReader,
        post_url: String,
    },
}

/// One request's outcome.
#[derive(Debug)]
pub struct Exchange {
    /// Messages before the response on the request's channel.
    pub before: Vec<Value>,
    /// The response (or `Value::Null` when a stream ended without one).
    pub response: Value,
    /// Messages after the response on the request's own HTTP stream.
    pub after: Vec<Value>,
}

impl Exchange {
    pub fn result(&self) -> &Value {
        &self.response["result"]
    }

    /// The notifications among `before` with this method.
    pub fn notes(&self, method: &str) -> Vec<&Value> {
        self.before.iter().filter(|m| m["method"] == method).collect()
    }
}

pub struct Conn {
    pub transport: Transport,
    pub version: String,
    /// The `InitializeResult` (handshake era; null in 2026-07-28).
    pub init: Value,
    /// The client capabilities declared (every 2026-07-28 request's `_meta`).
    capabilities: Value,
    inner: Inner,
    next_id: i64,
}

fn data_messages(events: Vec<SseEvent>) -> Vec<Value> {
    events
        .into_iter()
        .filter(|e| !e.data.is_empty())
        .map(|e| serde_json::from_str(&e.data).unwrap_or_else(|err| panic!("event data is not JSON ({err}): {}", e.data)))
        .collect()
}

/// Splits messages at the response to `id`.
fn split(messages: Vec<Value>, id: &Value) -> Exchange {
    let mut before = Vec::new();
    let mut rest = messages.into_iter();
    for m in rest.by_ref() {
        if &m["id"] == id && m.get("method").is_none() {
            return Exchange { before, response: m, after: rest.collect() };
        }
        before.push(m);
    }
    Exchange { before, response: Value::Null, after: Vec::new() }
}

impl Conn {
    pub fn is_modern(&self) -> bool {
        self.version == MODERN
    }

    /// A server with `args` on `transport`, spoken to at `version`.
    pub async fn open(transport: Transport, version: &str, args: &[&str]) -> Conn {
        Conn::open_with(transport, version, args, json!({})).await
    }

    /// The same, declaring `capabilities` (in `initialize`, or in every request's `_meta`).
    pub async fn open_with(transport: Transport, version: &str, args: &[&str], capabilities: Value) -> Conn {
        let modern = version == MODERN;
        let mut init = Value::Null;
        let inner = match transport {
            Transport::Stdio => {
                let mut s = StdioServer::start(args).await;
                if !modern {
                    init = s.handshake_with(version, capabilities.clone()).await;
                }
                Inner::Stdio(s)
            }
            Transport::Http => {
                let mut all = vec!["--http", "127.0.0.1:0"];
                all.extend_from_slice(args);
                let server = HttpServer::start(&all).await;
                let (session, get) = if modern {
                    (None, None)
                } else {
                    let (session, result) = server.open_session_full(version, capabilities.clone()).await;
                    init = result;
                    let response = server.open_get(&server.url, &[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", version)]).await;
                    assert_eq!(response.status(), StatusCode::OK);
                    (Some(session), Some(SseReader::new(response)))
                };
                Inner::Http { server, session, get }
            }
            Transport::Sse => {
                let mut all = vec!["--sse", "127.0.0.1:0"];
                all.extend_from_slice(args);
                let server = HttpServer::start(&all).await;
                let response = server.open_get(&server.url, &[]).await;
                let mut events = SseReader::new(response);
                let endpoint = events.next().await.expect("endpoint event");
                let post_url = format!("{}{}", server.base, endpoint.data);
                Inner::Sse { server, events, post_url }
            }
        };
        let mut conn = Conn {
            transport,
            version: version.to_owned(),
            init,
            capabilities: capabilities.clone(),
            inner,
            next_id: 100,
        };
        if transport == Transport::Sse && !modern {
            let init = conn.send_raw(&initialize_with(0, version, capabilities)).await;
            assert_eq!(init.response["result"]["protocolVersion"], version);
            conn.init = init.response["result"].clone();
            conn.notify("notifications/initialized", json!({})).await;
        }
        conn
    }

    /// The whole message for `method` with `params`; in 2026-07-28 with
    /// the per-request `_meta` (keys already in `params._meta` kept).
    pub fn message(&self, id: i64, method: &str, mut params: Value) -> Value {
        if self.is_modern() {
            let mut m = meta(MODERN);
            m[CAPS] = self.capabilities.clone();
            if let Some(extra) = params.get("_meta").and_then(Value::as_object) {
                for (k, v) in extra {
                    m[k] = v.clone();
                }
            }
            params["_meta"] = m;
        }
        request(id, method, params)
    }

    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Sends `method` and waits for its response.
    pub async fn call(&mut self, method: &str, params: Value) -> Exchange {
        let id = self.next_id();
        let message = self.message(id, method, params);
        self.send_raw(&message).await
    }

    /// Sends a whole request and waits for its response.
    pub async fn send_raw(&mut self, message: &Value) -> Exchange {
        let id = message["id"].clone();
        let version = self.version.clone();
        match &mut self.inner {
            Inner::Stdio(s) => {
                s.send(message).await;
                let mut before = Vec::new();
                loop {
                    let m = s.recv().await;
                    if m["id"] == id && m.get("method").is_none() {
                        return Exchange { before, response: m, after: Vec::new() };
                    }
                    before.push(m);
                }
            }
            Inner::Http { server, session, .. } => {
                let reply = match session {
                    Some(s) => server.post_in_session(s, &version, message).await,
                    None => server.post_modern(message).await,
                };
                if reply.content_type().starts_with("text/event-stream") {
                    split(data_messages(parse_events(&reply.body)), &id)
                } else if reply.body.is_empty() {
                    Exchange { before: Vec::new(), response: Value::Null, after: Vec::new() }
                } else {
                    Exchange { before: Vec::new(), response: reply.json(), after: Vec::new() }
                }
            }
            Inner::Sse { server, events, post_url } => {
                let r = server.send(reqwest::Method::POST, post_url, &[], Some(message.to_string())).await;
                assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
                let mut before = Vec::new();
                loop {
                    let event = events.next().await.expect("the stream stays open");
                    let m: Value = serde_json::from_str(&event.data).expect("JSON event");
                    if m["id"] == id && m.get("method").is_none() {
                        return Exchange { before, response: m, after: Vec::new() };
                    }
                    before.push(m);
                }
            }
        }
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) {
        let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_only(&message).await;
    }

    /// Sends a message without waiting for anything.
    pub async fn send_only(&mut self, message: &Value) {
        let version = self.version.clone();
        match &mut self.inner {
            Inner::Stdio(s) => s.send(message).await,
            Inner::Http { server, session, .. } => {
                let mut headers = vec![("MCP-Protocol-Version", version.as_str())];
                if let Some(s) = session {
                    headers.push(("Mcp-Session-Id", s.as_str()));
                }
                let r = server.post(&headers, &message.to_string()).await;
                assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
            }
            Inner::Sse { server, post_url, .. } => {
                let r = server.send(reqwest::Method::POST, post_url, &[], Some(message.to_string())).await;
                assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
            }
        }
    }

    /// Messages arriving outside any request within `wait` (stdout, the
    /// HTTP+SSE stream, the Streamable HTTP GET stream).
    pub async fn unsolicited(&mut self, wait: Duration) -> Vec<Value> {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        while let Some(m) = self.next_unsolicited_until(deadline).await {
            out.push(m);
        }
        out
    }

    /// The next message outside any request, waiting until `deadline`.
    pub async fn next_unsolicited_until(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let data = match &mut self.inner {
                Inner::Stdio(s) => timeout(left, s.recv_line()).await.ok()?,
                Inner::Http { get: Some(get), .. } => timeout(left, get.next()).await.ok()??.data,
                Inner::Http { get: None, .. } => panic!("2026-07-28 has no stream outside requests"),
                Inner::Sse { events, .. } => timeout(left, events.next()).await.ok()??.data,
            };
            if !data.is_empty() {
                return Some(serde_json::from_str(&data).unwrap_or_else(|e| panic!("not JSON ({e}): {data}")));
            }
        }
    }

    /// The next message outside any request whose method is `method`
    /// (within [`TIMEOUT`]; others are skipped).
    pub async fn expect_unsolicited(&mut self, method: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        while let Some(m) = self.next_unsolicited_until(deadline).await {
            if m["method"] == method {
                return m;
            }
        }
        panic!("no {method} within {TIMEOUT:?}");
    }

    /// POSTs a whole request over Streamable HTTP and returns the response
    /// unread (a live stream), with the session's or the mirrored headers.
    pub async fn post_open(&self, message: &Value) -> reqwest::Response {
        match &self.inner {
            Inner::Http { server, session: Some(s), .. } => {
                server.post_open(&server.url, &[("Mcp-Session-Id", s), ("MCP-Protocol-Version", &self.version)], &message.to_string()).await
            }
            Inner::Http { server, session: None, .. } => server.post_modern_open(message).await,
            _ => panic!("not Streamable HTTP"),
        }
    }

    /// The HTTP server (Streamable HTTP or HTTP+SSE).
    pub fn http(&self) -> &HttpServer {
        match &self.inner {
            Inner::Http { server, .. } | Inner::Sse { server, .. } => server,
            Inner::Stdio(_) => panic!("not an HTTP transport"),
        }
    }

    /// The Streamable HTTP session id (handshake era).
    pub fn session(&self) -> Option<&str> {
        match &self.inner {
            Inner::Http { session, .. } => session.as_deref(),
            _ => None,
        }
    }

    /// The stdio server.
    pub fn stdio(&mut self) -> &mut StdioServer {
        match &mut self.inner {
            Inner::Stdio(s) => s,
            _ => panic!("not stdio"),
        }
    }

    /// Closes stdin (stdio) and returns everything the server wrote before exiting.
    pub async fn close_stdio(self) -> Vec<Value> {
        let Inner::Stdio(mut s) = self.inner else { panic!("not stdio") };
        s.close_input();
        let mut out = Vec::new();
        while let Some(line) = s.recv_line_or_end().await {
            out.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")));
        }
        out
    }
}

/// Every item of a paginated list, following `nextCursor` (at most 50
/// pages); returns the items and the page results.
pub async fn list_all(conn: &mut Conn, method: &str, key: &str) -> (Vec<Value>, Vec<Value>) {
    let mut items = Vec::new();
    let mut pages = Vec::new();
    let mut params = json!({});
    for _ in 0..50 {
        let r = conn.call(method, params.clone()).await;
        let result = r.result().clone();
        assert!(result.is_object(), "{method}: {}", r.response);
        items.extend(result[key].as_array().unwrap_or_else(|| panic!("{method}: no {key}")).iter().cloned());
        let next = result.get("nextCursor").cloned();
        pages.push(result);
        match next {
            Some(cursor) => {
                assert!(cursor.is_string(), "nextCursor is a string");
                params = json!({"cursor": cursor});
            }
            None => return (items, pages),
        }
    }
    panic!("{method} never ended");
}

/// Waits (bounded) until `f` holds for the JSON of `ref://slow-calls`.
pub async fn wait_for_slow_calls(conn: &mut Conn, f: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let r = conn.call("resources/read", json!({"uri": "ref://slow-calls"})).await;
        let text = r.result()["contents"][0]["text"].as_str().unwrap_or("{}").to_owned();
        let counts: Value = serde_json::from_str(&text).expect("JSON counts");
        if f(&counts) {
            return counts;
        }
        assert!(Instant::now() < deadline, "ref://slow-calls never got there: {counts}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
