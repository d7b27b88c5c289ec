//! A minimal MCP client for the tests: spawns the real binary and speaks
//! raw JSON-RPC to it. Deliberately tiny and independent of the harness.
//!
//! Every spawned process is killed when its handle drops (`kill_on_drop`),
//! and every wait is bounded by [`TIMEOUT`].

#![allow(dead_code)]

pub mod conn;

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::time::timeout;

/// Upper bound for any single wait.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The per-request `_meta` keys of 2026-07-28.
pub const PV: &str = "io.modelcontextprotocol/protocolVersion";
pub const CAPS: &str = "io.modelcontextprotocol/clientCapabilities";
pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

pub const MODERN: &str = "2026-07-28";
pub const STATEFUL: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_mcp-reference-server")
}

/// Runs the binary to completion with `args` (for flag tests).
pub async fn run_to_end(args: &[&str]) -> (ExitStatus, String, String) {
    let child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let out = timeout(TIMEOUT, child.wait_with_output()).await.expect("exits in time").expect("output");
    (out.status, String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The capabilities the server declares at `version` (`completions` from 2025-03-26).
pub fn capabilities(version: &str) -> Value {
    let mut caps = json!({
        "logging": {},
        "prompts": {"listChanged": true},
        "resources": {"subscribe": true, "listChanged": true},
        "tools": {"listChanged": true}
    });
    if version >= "2025-03-26" {
        caps["completions"] = json!({});
    }
    if version == "2025-11-25" {
        caps["tasks"] = json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}});
    }
    caps
}

/// `initialize` with the given version.
pub fn initialize(id: i64, version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "tests", "version": "0"}}})
}

/// `initialize` declaring `capabilities`.
pub fn initialize_with(id: i64, version: &str, capabilities: Value) -> Value {
    let mut message = initialize(id, version);
    message["params"]["capabilities"] = capabilities;
    message
}

/// Every capability `ask` can use, as `version` spells it (`{}` without elicitation
/// before 2025-06-18, `elicitation: {}` in 2025-06-18, `{form: {}}` from 2025-11-25).
pub fn all_capabilities(version: &str) -> Value {
    let mut caps = json!({"roots": {"listChanged": false}, "sampling": {}});
    if version >= "2025-11-25" {
        caps["elicitation"] = json!({"form": {}});
    } else if version >= "2025-06-18" {
        caps["elicitation"] = json!({});
    }
    caps
}

/// A root the test client reports.
pub const TEST_ROOT: &str = "file:///tmp/mcp-conform-test-root";
/// The text the test client "samples".
pub const TEST_SAMPLE: &str = "Hello from the test client";

/// The test client's answer (a `result`) to a server request `method`.
pub fn client_answer(method: &str) -> Value {
    match method {
        "roots/list" => json!({"roots": [{"uri": TEST_ROOT, "name": "test root"}]}),
        "sampling/createMessage" => {
            json!({"role": "assistant", "content": {"type": "text", "text": TEST_SAMPLE}, "model": "test-model", "stopReason": "endTurn"})
        }
        "elicitation/create" => json!({"action": "accept", "content": {"name": "Ada", "confirm": true}}),
        other => panic!("unexpected server request {other}"),
    }
}

/// A 2026-07-28 request declaring `capabilities` in its `_meta`.
pub fn modern_with(id: i64, method: &str, mut params: Value, capabilities: Value) -> Value {
    params["_meta"] = meta(MODERN);
    params["_meta"][CAPS] = capabilities;
    request(id, method, params)
}

/// The tool called `name` in a `tools` array (panics when it is missing).
pub fn tool_named<'a>(tools: &'a Value, name: &str) -> &'a Value {
    tools.as_array().and_then(|all| all.iter().find(|t| t["name"] == name)).unwrap_or_else(|| panic!("no tool {name} in {tools}"))
}

/// True for a JSON-RPC request (a message with both `id` and `method`).
pub fn is_request(message: &Value) -> bool {
    message.get("id").is_some() && message.get("method").is_some()
}

pub fn initialized() -> Value {
    json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
}

/// A legacy request (no `_meta`).
pub fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// The required per-request `_meta` for `version`.
pub fn meta(version: &str) -> Value {
    json!({PV: version, CAPS: {}, "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "0"}})
}

/// A 2026-07-28 request: `params` plus `_meta`.
pub fn modern(id: i64, method: &str, params: Value) -> Value {
    modern_at(id, method, params, MODERN)
}

/// A modern-shaped request naming `version` in `_meta`.
pub fn modern_at(id: i64, method: &str, mut params: Value, version: &str) -> Value {
    params["_meta"] = meta(version);
    request(id, method, params)
}

pub fn error_code(response: &Value) -> i64 {
    response["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error response: {response}"))
}

/// A server on stdio.
pub struct StdioServer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl StdioServer {
    pub async fn start(args: &[&str]) -> StdioServer {
        let mut child = Command::new(bin())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        StdioServer { child, stdin, stdout }
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        timeout(TIMEOUT, async {
            stdin.write_all(bytes).await.expect("write");
            stdin.flush().await.expect("flush");
        })
        .await
        .expect("write in time");
    }

    pub async fn send(&mut self, message: &Value) {
        let mut line = message.to_string().into_bytes();
        line.push(b'\n');
        self.send_raw(&line).await;
    }

    /// The next stdout line, as text.
    pub async fn recv_line(&mut self) -> String {
        timeout(TIMEOUT, self.stdout.next_line())
            .await
            .expect("a line in time")
            .expect("read")
            .expect("stdout still open")
    }

    /// The next stdout line, which must be JSON.
    pub async fn recv(&mut self) -> Value {
        let line = self.recv_line().await;
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }

    pub async fn request(&mut self, message: Value) -> Value {
        self.send(&message).await;
        let reply = self.recv().await;
        assert_eq!(reply["id"], message["id"], "reply to the request just sent");
        assert_eq!(reply["jsonrpc"], "2.0");
        reply
    }

    /// True when no line arrives within `wait`.
    pub async fn silent_for(&mut self, wait: Duration) -> bool {
        timeout(wait, self.stdout.next_line()).await.is_err()
    }

    /// `initialize` at `version` plus `notifications/initialized`; returns the result.
    pub async fn handshake(&mut self, version: &str) -> Value {
        let reply = self.request(initialize(0, version)).await;
        self.send(&initialized()).await;
        reply["result"].clone()
    }

    /// `initialize` at `version` declaring `capabilities`, plus `notifications/initialized`.
    pub async fn handshake_with(&mut self, version: &str, capabilities: Value) -> Value {
        let reply = self.request(initialize_with(0, version, capabilities)).await;
        self.send(&initialized()).await;
        reply["result"].clone()
    }

    /// Closes stdin (the server then shuts down).
    pub fn close_input(&mut self) {
        drop(self.stdin.take());
    }

    /// The next stdout line, or `None` at end of output (bounded).
    pub async fn recv_line_or_end(&mut self) -> Option<String> {
        timeout(TIMEOUT, self.stdout.next_line()).await.expect("a line or the end in time").expect("read")
    }

    /// Closes stdin and waits (bounded) for the process to exit.
    pub async fn close(mut self) -> ExitStatus {
        drop(self.stdin.take());
        timeout(TIMEOUT, self.child.wait()).await.expect("exits after stdin closes").expect("wait")
    }
}

/// A server on Streamable HTTP or HTTP+SSE, port 0.
pub struct HttpServer {
    _child: Child,
    /// The URL the server announced (`…/mcp` or `…/sse`).
    pub url: String,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub client: reqwest::Client,
}

/// What an HTTP exchange returned.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

impl HttpServer {
    /// Starts the server with `args` (which must include `--http` or `--sse`).
    pub async fn start(args: &[&str]) -> HttpServer {
        let mut child = Command::new(bin())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = timeout(TIMEOUT, stdout.next_line())
            .await
            .expect("announces its address in time")
            .expect("read")
            .expect("a line");
        let url = line.strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line: {line}")).to_owned();
        let base = url.rsplit_once('/').expect("a path").0.to_owned();
        let client = reqwest::Client::builder().timeout(TIMEOUT).build().expect("client");
        HttpServer {
            _child: child,
            url,
            base,
            client,
        }
    }

    pub async fn http() -> HttpServer {
        HttpServer::start(&["--http", "127.0.0.1:0"]).await
    }

    async fn finish(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let body = timeout(TIMEOUT, response.text()).await.expect("body in time").expect("body");
        Reply { status, headers, body }
    }

    /// POSTs `body` to the endpoint with `headers`.
    pub async fn post(&self, headers: &[(&str, &str)], body: &str) -> Reply {
        self.send(reqwest::Method::POST, &self.url, headers, Some(body.to_owned())).await
    }

    pub async fn send(&self, method: reqwest::Method, url: &str, headers: &[(&str, &str)], body: Option<String>) -> Reply {
        let mut req = self
            .client
            .request(method, url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        HttpServer::finish(req.send().await.expect("request")).await
    }

    /// POSTs a 2026-07-28 request with correctly mirrored headers.
    pub async fn post_modern(&self, message: &Value) -> Reply {
        let mut headers = vec![
            ("MCP-Protocol-Version", message["params"]["_meta"][PV].as_str().unwrap_or("").to_owned()),
            ("Mcp-Method", message["method"].as_str().unwrap_or("").to_owned()),
        ];
        let name = message["params"]["name"].as_str().or(message["params"]["uri"].as_str());
        if let Some(name) = name {
            headers.push(("Mcp-Name", name.to_owned()));
        }
        let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(&borrowed, &message.to_string()).await
    }

    /// POSTs a 2026-07-28 request with mirrored headers and returns the
    /// response without reading its body (for live SSE streams).
    pub async fn post_modern_open(&self, message: &Value) -> reqwest::Response {
        let mut headers = vec![
            ("MCP-Protocol-Version", message["params"]["_meta"][PV].as_str().unwrap_or("").to_owned()),
            ("Mcp-Method", message["method"].as_str().unwrap_or("").to_owned()),
        ];
        let name = message["params"]["name"].as_str().or(message["params"]["uri"].as_str());
        if let Some(name) = name {
            headers.push(("Mcp-Name", name.to_owned()));
        }
        let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_open(&self.url, &borrowed, &message.to_string()).await
    }

    /// `initialize` over Streamable HTTP; returns the session id.
    pub async fn open_session(&self, version: &str) -> String {
        let reply = self.post(&[], &initialize(1, version).to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let session = reply.header("mcp-session-id").expect("Mcp-Session-Id issued").to_owned();
        let note = self
            .post(&[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", version)], &initialized().to_string())
            .await;
        assert_eq!(note.status, StatusCode::ACCEPTED);
        session
    }

    /// `initialize` declaring `capabilities`, then `notifications/initialized`; returns the session id.
    pub async fn open_session_with(&self, version: &str, capabilities: Value) -> String {
        self.open_session_full(version, capabilities).await.0
    }

    /// The same, also returning the `InitializeResult`.
    pub async fn open_session_full(&self, version: &str, capabilities: Value) -> (String, Value) {
        let reply = self.post(&[], &initialize_with(1, version, capabilities).to_string()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let session = reply.header("mcp-session-id").expect("Mcp-Session-Id issued").to_owned();
        let result = reply.json()["result"].clone();
        let note = self
            .post(&[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", version)], &initialized().to_string())
            .await;
        assert_eq!(note.status, StatusCode::ACCEPTED);
        (session, result)
    }

    /// POSTs `body` and returns the response without reading its body (for live SSE streams).
    pub async fn post_open(&self, url: &str, headers: &[(&str, &str)], body: &str) -> reqwest::Response {
        let mut req = self
            .client
            .post(url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body.to_owned())
            .timeout(Duration::from_secs(60));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        timeout(TIMEOUT, req.send()).await.expect("headers in time").expect("post")
    }

    /// A request inside a legacy session (with the version header).
    pub async fn post_in_session(&self, session: &str, version: &str, message: &Value) -> Reply {
        self.post(&[("Mcp-Session-Id", session), ("MCP-Protocol-Version", version)], &message.to_string())
            .await
    }

    /// Starts a GET and returns the response without reading its body.
    pub async fn open_get(&self, url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(url).header("accept", "text/event-stream");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        // Long-lived streams must not hit the client's overall timeout while
        // a test still reads them; each read below is bounded instead.
        req = req.timeout(Duration::from_secs(60));
        timeout(TIMEOUT, req.send()).await.expect("headers in time").expect("get")
    }
}

/// Reads an SSE response incrementally, event by event.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

/// One SSE event (comments dropped).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

impl SseReader {
    pub fn new(response: reqwest::Response) -> SseReader {
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, or `None` when the stream ends.
    pub async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse_event(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = timeout(TIMEOUT, self.response.chunk()).await.expect("sse data in time").expect("read");
            match chunk {
                Some(bytes) => self.buffer.push_str(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n")),
                None => return None,
            }
        }
    }
}

/// Parses one SSE block; `None` for comment-only blocks.
pub fn parse_event(block: &str) -> Option<SseEvent> {
    let mut event = SseEvent::default();
    let mut data_lines = Vec::new();
    let mut any_field = false;
    for line in block.lines() {
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        any_field = true;
        match field {
            "id" => event.id = Some(value.to_owned()),
            "event" => event.event = Some(value.to_owned()),
            "data" => data_lines.push(value.to_owned()),
            _ => {}
        }
    }
    event.data = data_lines.join("\n");
    any_field.then_some(event)
}

/// Parses a complete `text/event-stream` body into events.
pub fn parse_events(body: &str) -> Vec<SseEvent> {
    body.replace("\r\n", "\n").split("\n\n").filter_map(parse_event).collect()
}

/// Sends a hand-written HTTP/1.1 request and returns the raw response text
/// (for header-case tests that a client library would normalise).
pub async fn raw_http(base: &str, request: &str) -> String {
    let addr = base.strip_prefix("http://").expect("http url");
    let mut stream = timeout(TIMEOUT, tokio::net::TcpStream::connect(addr)).await.expect("connect in time").expect("connect");
    timeout(TIMEOUT, stream.write_all(request.as_bytes())).await.expect("write in time").expect("write");
    let mut out = Vec::new();
    timeout(TIMEOUT, stream.read_to_end(&mut out)).await.expect("response in time").expect("read");
    String::from_utf8_lossy(&out).into_owned()
}
