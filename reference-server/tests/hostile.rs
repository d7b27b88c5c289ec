//! Every hostile mode shows its behaviour, read with bounded reads only
//! (never more than a few MiB of a 1 GiB or endless answer, except the one
//! test that skips a whole 1 GiB line by counting), and the server ends when
//! the client goes away.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::time::timeout;

use crate::support::*;

const MODES: [&str; 12] = [
    "garbage-stdout",
    "huge-line",
    "endless-response",
    "silence",
    "exit-mid-response",
    "notification-flood",
    "invalid-utf8",
    "deep-nesting",
    "sse-never-closes",
    "spawn-child-and-exit",
    "leak-per-request",
    "close-and-exit",
];

const GIB: u64 = 1 << 30;

/// A stdio server read as raw bytes (lines may be huge, endless or not UTF-8).
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    pending: Vec<u8>,
}

impl Raw {
    fn command(args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true);
        cmd
    }

    fn from_child(mut child: Child) -> Raw {
        Raw { stdin: child.stdin.take(), stdout: child.stdout.take(), child, pending: Vec::new() }
    }

    fn start(args: &[&str]) -> Raw {
        Raw::from_child(Raw::command(args).spawn().expect("spawn"))
    }

    async fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let line = format!("{message}\n");
        timeout(TIMEOUT, stdin.write_all(line.as_bytes())).await.expect("write in time").expect("write");
    }

    /// Reads more bytes into `pending`; false at end of output.
    async fn fill(&mut self) -> bool {
        let stdout = self.stdout.as_mut().expect("stdout open");
        let mut buf = vec![0u8; 64 * 1024];
        let n = timeout(TIMEOUT, stdout.read(&mut buf)).await.expect("output in time").expect("read");
        self.pending.extend_from_slice(&buf[..n]);
        n > 0
    }

    /// The next line without its newline, but at most `max` bytes of it;
    /// `complete` is false when the line was cut (or output ended).
    async fn line(&mut self, max: usize) -> (Vec<u8>, bool) {
        loop {
            if let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
                if i <= max {
                    let mut line: Vec<u8> = self.pending.drain(..=i).collect();
                    line.pop();
                    return (line, true);
                }
            }
            if self.pending.len() >= max {
                return (self.pending.drain(..max).collect(), false);
            }
            if !self.fill().await {
                return (std::mem::take(&mut self.pending), false);
            }
        }
    }

    /// The next line, which must be complete JSON.
    async fn json(&mut self) -> Value {
        let (line, complete) = self.line(4 << 20).await;
        assert!(complete, "a complete line: {}", String::from_utf8_lossy(&line[..line.len().min(300)]));
        serde_json::from_slice(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&line)))
    }

    /// Skips the next line, counting its bytes (at most `limit`); never buffers it.
    async fn skip_line(&mut self, limit: u64) -> u64 {
        let mut count = 0u64;
        loop {
            if let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
                self.pending.drain(..=i);
                return count + i as u64;
            }
            count += self.pending.len() as u64;
            assert!(count <= limit, "line longer than {limit} bytes");
            self.pending.clear();
            assert!(self.fill().await, "output ended inside the line");
        }
    }

    async fn handshake(&mut self) -> Value {
        self.send(&initialize(0, "2025-06-18")).await;
        let reply = self.json().await;
        assert_eq!(reply["id"], 0, "{reply}");
        self.send(&initialized()).await;
        reply
    }

    /// Waits (bounded) for the process to exit.
    async fn exit(&mut self) -> ExitStatus {
        timeout(TIMEOUT, self.child.wait()).await.expect("exits in time").expect("wait")
    }
}

fn tools_list(id: i64) -> Value {
    request(id, "tools/list", json!({}))
}

fn ping(id: i64) -> Value {
    request(id, "ping", json!({}))
}

#[tokio::test]
async fn list_hostile_and_bad_names() {
    let (status, stdout, _) = run_to_end(&["--list-hostile"]).await;
    assert!(status.success());
    let names: Vec<&str> = stdout.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, MODES);
    assert!(stdout.lines().all(|l| l.split('\t').count() == 3), "{stdout}");
    let (status, stdout, stderr) = run_to_end(&["--hostile", "polite"]).await;
    assert_eq!(status.code(), Some(2));
    assert!(stdout.is_empty() && stderr.contains("--list-hostile"), "{stderr}");
    let (_, help, _) = run_to_end(&["--help"]).await;
    for mode in MODES {
        assert!(help.contains(mode), "--help lacks {mode}");
    }
}

// ---------------------------------------------------------------- stdio

#[tokio::test]
async fn stdio_garbage_before_every_answer() {
    let mut s = Raw::start(&["--hostile", "garbage-stdout"]);
    s.send(&initialize(0, "2025-06-18")).await;
    for id in [0, 1] {
        let (garbage, complete) = s.line(1024).await;
        assert!(complete && garbage.starts_with(b"~") && garbage.len() <= 200, "{garbage:?}");
        assert!(serde_json::from_slice::<Value>(&garbage).is_err());
        assert_eq!(s.json().await["id"], id);
        if id == 0 {
            s.send(&initialized()).await;
            s.send(&ping(1)).await;
        }
    }
    drop(s.stdin.take());
    assert!(s.exit().await.success());
}

#[tokio::test]
async fn stdio_huge_line_is_cut_by_the_client() {
    let mut s = Raw::start(&["--hostile", "huge-line"]);
    s.handshake().await;
    s.send(&tools_list(2)).await;
    let (head, complete) = s.line(64 * 1024).await;
    assert!(!complete);
    assert!(head.starts_with(br#"{"jsonrpc":"2.0","id":2,"result":{"#), "{}", String::from_utf8_lossy(&head[..200]));
    let text = String::from_utf8(head).unwrap();
    assert!(text.contains(r#""mcp-conform/padding":"xxxxxxxx"#), "{}", &text[..300]);
    // The client gives up: the server notices and exits.
    drop(s.stdout.take());
    drop(s.stdin.take());
    s.exit().await;
}

#[tokio::test]
async fn stdio_huge_line_is_one_gib_then_the_server_carries_on() {
    let mut s = Raw::start(&["--hostile", "huge-line"]);
    s.handshake().await;
    s.send(&ping(2)).await;
    let started = std::time::Instant::now();
    let length = timeout(Duration::from_secs(300), s.skip_line(GIB + 1024)).await.expect("1 GiB in 5 minutes");
    assert_eq!(length, GIB, "after {:?}", started.elapsed());
    s.send(&ping(3)).await;
    assert_eq!(s.json().await, json!({"jsonrpc": "2.0", "id": 3, "result": {}}));
    drop(s.stdin.take());
    assert!(s.exit().await.success());
}

#[tokio::test]
async fn stdio_endless_response_ends_when_stdout_closes() {
    let mut s = Raw::start(&["--hostile", "endless-response"]);
    s.handshake().await;
    s.send(&tools_list(2)).await;
    let (head, complete) = s.line(1 << 20).await;
    assert!(!complete && head.len() == 1 << 20);
    assert!(head.starts_with(br#"{"jsonrpc":"2.0","id":2,"result":{"#));
    assert!(head.ends_with(b"xxxxxxxx"));
    drop(s.stdout.take());
    s.exit().await;
}

#[tokio::test]
async fn stdio_endless_response_ends_when_stdin_closes() {
    let mut s = Raw::start(&["--hostile", "endless-response"]);
    s.handshake().await;
    s.send(&tools_list(2)).await;
    let (head, complete) = s.line(256 * 1024).await;
    assert!(!complete && !head.contains(&b'\n'));
    // Once the endless answer has started, more requests are read but never answered.
    // (Sent earlier, a request could be answered before it starts: requests run concurrently.)
    s.send(&ping(3)).await;
    // Stdin closes while stdout stays open and unread: the server still ends.
    drop(s.stdin.take());
    assert!(s.exit().await.success());
}

#[tokio::test]
async fn stdio_silence_reads_everything_and_answers_nothing() {
    let mut s = Raw::start(&["--hostile", "silence"]);
    s.send(&initialize(0, "2025-06-18")).await;
    s.send(&ping(1)).await;
    let mut stdout = s.stdout.take().unwrap();
    let mut buf = [0u8; 64];
    assert!(timeout(Duration::from_millis(500), stdout.read(&mut buf)).await.is_err(), "nothing within 0.5 s");
    drop(s.stdin.take());
    assert!(s.exit().await.success());
    assert_eq!(timeout(TIMEOUT, stdout.read(&mut buf)).await.unwrap().unwrap(), 0, "no output at all");
}

#[tokio::test]
async fn stdio_exit_mid_response_writes_half_then_exits_3() {
    let mut s = Raw::start(&["--hostile", "exit-mid-response"]);
    s.handshake().await;
    s.send(&tools_list(2)).await;
    let (half, complete) = s.line(1 << 20).await;
    assert!(!complete, "the line never ends");
    assert!(half.starts_with(br#"{"jsonrpc":"2.0","id":2,"#) && half.len() > 100);
    assert!(serde_json::from_slice::<Value>(&half).is_err());
    assert_eq!(s.exit().await.code(), Some(3));
}

#[tokio::test]
async fn stdio_close_and_exit_answers_then_ends_its_session() {
    let mut s = Raw::start(&["--hostile", "close-and-exit"]);
    s.handshake().await;
    s.send(&ping(2)).await;
    assert_eq!(s.json().await["id"], 2, "the request is answered first");
    let (rest, _) = s.line(1 << 20).await;
    assert!(rest.is_empty(), "then stdout closes: {}", String::from_utf8_lossy(&rest));
    assert_eq!(s.exit().await.code(), Some(0), "a clean exit, with stdin still open");
}

#[tokio::test]
async fn stdio_notification_flood_with_answers_in_between() {
    let mut s = Raw::start(&["--hostile", "notification-flood"]);
    s.handshake().await;
    s.send(&ping(7)).await;
    let mut notifications = 0;
    let mut answered = false;
    for _ in 0..200_000 {
        let message = s.json().await;
        if message["method"] == "notifications/message" {
            notifications += 1;
        } else if message["id"] == 7 {
            assert_eq!(message["result"], json!({}));
            answered = true;
        }
        if answered && notifications >= 1000 {
            break;
        }
    }
    assert!(answered && notifications >= 1000, "{notifications} notifications, answered: {answered}");
    drop(s.stdout.take());
    drop(s.stdin.take());
    s.exit().await;
}

#[tokio::test]
async fn stdio_invalid_utf8_in_every_answer() {
    let mut s = Raw::start(&["--hostile", "invalid-utf8"]);
    s.send(&initialize(0, "2025-06-18")).await;
    let (line, complete) = s.line(1 << 20).await;
    assert!(complete);
    assert!(std::str::from_utf8(&line).is_err());
    let repaired: Value = serde_json::from_str(&String::from_utf8_lossy(&line)).expect("JSON apart from the encoding");
    assert_eq!(repaired["result"]["protocolVersion"], "2025-06-18");
    drop(s.stdin.take());
    assert!(s.exit().await.success());
}

#[tokio::test]
async fn stdio_deep_nesting_then_normal_answers() {
    let mut s = Raw::start(&["--hostile", "deep-nesting"]);
    s.handshake().await;
    s.send(&tools_list(2)).await;
    let (line, complete) = s.line(4 << 20).await;
    assert!(complete, "2 MB and a bit");
    let depth = 1_000_000;
    assert!(line.windows(depth).any(|w| w.iter().all(|b| *b == b'[')), "a million [ in a row");
    assert!(line.ends_with(b"]}}"));
    s.send(&ping(3)).await;
    assert_eq!(s.json().await["id"], 3);
    drop(s.stdin.take());
    assert!(s.exit().await.success());
}

/// Kills a process group when dropped (so a failing test leaves nothing behind).
struct Group(u32);

impl Group {
    fn kill(&self) {
        let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{}", self.0)]).stderr(Stdio::null()).status();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `(state, process group)` of `pid` from /proc, `None` once it is gone.
fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some((fields[0].chars().next()?, fields[2].parse().ok()?))
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn stdio_spawn_child_and_exit_leaves_a_child_in_the_process_group() {
    let mut cmd = Raw::command(&["--hostile", "spawn-child-and-exit"]);
    cmd.process_group(0);
    let child = cmd.spawn().expect("spawn");
    let pgid = child.id().expect("pid");
    let group = Group(pgid);
    let mut s = Raw::from_child(child);
    s.handshake().await;
    s.send(&ping(1)).await;
    assert_eq!(s.json().await, json!({"jsonrpc": "2.0", "id": 1, "result": {}}));
    assert_eq!(s.exit().await.code(), Some(0), "the server exits after the trigger");
    // Its stdout is still open: the child writes to it.
    let orphan = s.json().await;
    assert_eq!(orphan["method"], "notifications/message", "{orphan}");
    let data = orphan["params"]["data"].as_str().unwrap().to_owned();
    let pid: u32 = data.strip_prefix("orphan pid ").and_then(|r| r.split(' ').next()).and_then(|p| p.parse().ok()).expect(&data);
    let (state, child_group) = proc_stat(pid).expect("the child is alive");
    assert_ne!(state, 'Z');
    assert_eq!(child_group, pgid, "the child stays in the server's process group");
    assert_eq!(s.json().await["method"], "notifications/message", "it keeps writing");
    // Killing the group ends it, and with it the last writer of stdout.
    group.kill();
    let mut stdout = s.stdout.take().unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0;
    loop {
        let n = timeout(TIMEOUT, stdout.read(&mut buf)).await.expect("stdout ends after the group is killed").expect("read");
        total += n;
        assert!(total < 1 << 20);
        if n == 0 {
            break;
        }
    }
    let deadline = std::time::Instant::now() + TIMEOUT;
    while proc_stat(pid).is_some_and(|(state, _)| state != 'Z') {
        assert!(std::time::Instant::now() < deadline, "the child outlived its group");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------- HTTP

/// A server on HTTP whose process the test can wait for.
struct Web {
    child: Child,
    url: String,
    base: String,
    client: reqwest::Client,
}

impl Web {
    async fn start(args: &[&str]) -> Web {
        let mut child = Command::new(bin())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn");
        let mut stdout = child.stdout.take().unwrap();
        let mut first = Vec::new();
        let mut byte = [0u8; 1];
        while !first.ends_with(b"\n") {
            assert!(timeout(TIMEOUT, stdout.read(&mut byte)).await.expect("announces in time").expect("read") == 1);
            first.push(byte[0]);
        }
        let line = String::from_utf8(first).unwrap();
        let url = line.trim().strip_prefix("listening on ").expect("announcement").to_owned();
        let base = url.rsplit_once('/').unwrap().0.to_owned();
        // No overall timeout: every read below is bounded on its own.
        let client = reqwest::Client::builder().connect_timeout(TIMEOUT).build().unwrap();
        Web { child, url, base, client }
    }

    async fn post_open(&self, url: &str, headers: &[(&str, &str)], body: &Value) -> reqwest::Response {
        let mut req = self
            .client
            .post(url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        timeout(TIMEOUT, req.send()).await.expect("headers in time").expect("post")
    }

    /// `initialize` + `notifications/initialized` over Streamable HTTP; the session id.
    async fn session(&self, version: &str) -> String {
        let r = self.post_open(&self.url, &[], &initialize(1, version)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let session = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
        let _ = read_some(r, 1 << 20).await;
        let r = self.post_open(&self.url, &[("mcp-session-id", &session), ("mcp-protocol-version", version)], &initialized()).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        session
    }

    async fn exit(&mut self) -> ExitStatus {
        timeout(TIMEOUT, self.child.wait()).await.expect("exits in time").expect("wait")
    }
}

/// Reads at most `max` bytes of a body (or up to its end or an error).
async fn read_some(mut response: reqwest::Response, max: usize) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    while out.len() < max {
        match timeout(TIMEOUT, response.chunk()).await.expect("body data in time") {
            Ok(Some(chunk)) => out.extend_from_slice(&chunk),
            Ok(None) => return (out, true),
            Err(_) => return (out, false),
        }
    }
    (out, false)
}

/// An event stream read as raw bytes, event by event or in bulk.
struct RawSse {
    response: reqwest::Response,
    pending: Vec<u8>,
}

impl RawSse {
    fn new(response: reqwest::Response) -> RawSse {
        RawSse { response, pending: Vec::new() }
    }

    /// The next event (comment-only blocks skipped); panics if the stream ends.
    async fn event(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.pending.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.pending.drain(..end + 2).collect();
                if let Some(event) = parse_event(&String::from_utf8_lossy(&block)) {
                    return event;
                }
                continue;
            }
            assert!(self.pending.len() < 8 << 20, "an event longer than 8 MiB");
            let chunk =
                timeout(TIMEOUT, self.response.chunk()).await.expect("sse data in time").expect("read").expect("the stream goes on");
            self.pending.extend_from_slice(&chunk);
        }
    }

    /// At most `max` raw bytes from here on; `true` when the stream ended.
    async fn raw(mut self, max: usize) -> (Vec<u8>, bool) {
        let mut out = std::mem::take(&mut self.pending);
        while out.len() < max {
            match timeout(TIMEOUT, self.response.chunk()).await.expect("body data in time") {
                Ok(Some(chunk)) => out.extend_from_slice(&chunk),
                Ok(None) => return (out, true),
                Err(_) => return (out, false),
            }
        }
        (out, false)
    }
}

/// Opens an HTTP+SSE session: the event reader and the POST URL.
async fn sse_session(web: &Web) -> (RawSse, String) {
    let get = timeout(TIMEOUT, web.client.get(&web.url).header("accept", "text/event-stream").send())
        .await
        .expect("stream in time")
        .expect("get");
    let mut events = RawSse::new(get);
    let endpoint = events.event().await;
    assert_eq!(endpoint.event.as_deref(), Some("endpoint"));
    (events, format!("{}{}", web.base, endpoint.data))
}

#[tokio::test]
async fn http_huge_line_is_cut_by_the_client_and_the_server_carries_on() {
    let web = Web::start(&["--http", "127.0.0.1:0", "--hostile", "huge-line"]).await;
    let session = web.session("2025-06-18").await;
    let headers = [("mcp-session-id", session.as_str()), ("mcp-protocol-version", "2025-06-18")];
    let r = web.post_open(&web.url, &headers, &tools_list(2)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let (head, ended) = read_some(r, 64 * 1024).await;
    assert!(!ended);
    assert!(head.starts_with(br#"{"jsonrpc":"2.0","id":2,"result":{"#), "{}", String::from_utf8_lossy(&head[..200]));
    assert!(String::from_utf8_lossy(&head).contains(r#""mcp-conform/padding":"xxxx"#));
    // The body was dropped mid-way; the next request is served normally.
    let r = web.post_open(&web.url, &headers, &ping(3)).await;
    let (body, ended) = read_some(r, 1 << 20).await;
    assert!(ended);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!({"jsonrpc": "2.0", "id": 3, "result": {}}));
}

#[tokio::test]
async fn sse_huge_line_is_a_data_line() {
    let web = Web::start(&["--sse", "127.0.0.1:0", "--hostile", "huge-line"]).await;
    let (events, post) = sse_session(&web).await;
    for message in [initialize(1, "2024-11-05"), initialized(), tools_list(2)] {
        let r = web.post_open(&post, &[], &message).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let mut stream = events;
    let first = stream.event().await;
    assert_eq!(serde_json::from_str::<Value>(&first.data).unwrap()["id"], 1);
    // The next event is 1 GiB: read its first bytes only.
    let (head, _) = stream.raw(64 * 1024).await;
    let text = String::from_utf8_lossy(&head);
    assert!(text.starts_with("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{"), "{}", &text[..200]);
    assert!(!text.contains("\n\n"), "the event does not end within 64 KiB");
}

#[tokio::test]
async fn http_endless_response_streams_until_the_client_leaves() {
    let web = Web::start(&["--http", "127.0.0.1:0", "--hostile", "endless-response"]).await;
    let r = web.post_modern(&modern(2, "tools/list", json!({}))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (head, ended) = read_some(r, 4 << 20).await;
    assert!(!ended && head.len() >= 4 << 20);
    assert!(head.ends_with(b"xxxxxxxx"));
    // Other requests are still served.
    let r = web.post_modern(&modern(3, "tools/list", json!({}))).await;
    let (body, ended) = read_some(r, 1 << 20).await;
    assert!(ended);
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["result"]["tools"].is_array());
}

fn modern_headers(method: &str) -> [(&'static str, String); 2] {
    [("mcp-protocol-version", MODERN.to_owned()), ("mcp-method", method.to_owned())]
}

impl Web {
    async fn post_modern(&self, message: &Value) -> reqwest::Response {
        let method = message["method"].as_str().unwrap();
        let h = modern_headers(method);
        let mut headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let name = message["params"]["name"].as_str().map(str::to_owned);
        if let Some(name) = &name {
            headers.push(("mcp-name", name));
        }
        self.post_open(&self.url, &headers, message).await
    }
}

#[tokio::test]
async fn sse_endless_response_is_an_event_that_never_ends() {
    let web = Web::start(&["--sse", "127.0.0.1:0", "--hostile", "endless-response"]).await;
    let (events, post) = sse_session(&web).await;
    let r = web.post_open(&post, &[], &modern(2, "tools/list", json!({}))).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let (head, ended) = events.raw(2 << 20).await;
    assert!(!ended);
    let text = String::from_utf8_lossy(&head);
    assert!(text.starts_with("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,"), "{}", &text[..100]);
    assert!(!text.contains("\n\n") && text.ends_with("xxxx"));
    // The stream was dropped: a new session works.
    let _ = sse_session(&web).await;
}

#[tokio::test]
async fn http_silence_sends_no_response() {
    for transport in ["--http", "--sse"] {
        let web = Web::start(&[transport, "127.0.0.1:0", "--hostile", "silence"]).await;
        let req = if transport == "--http" {
            web.client.post(&web.url).header("content-type", "application/json").body(initialize(1, "2025-06-18").to_string())
        } else {
            web.client.get(&web.url)
        };
        let waited = timeout(Duration::from_millis(700), req.send()).await;
        assert!(waited.is_err(), "{transport}: no response headers within 0.7 s");
    }
}

#[tokio::test]
async fn http_exit_mid_response_writes_half_then_exits_3() {
    let mut web = Web::start(&["--http", "127.0.0.1:0", "--hostile", "exit-mid-response"]).await;
    let r = web.post_modern(&modern(2, "tools/list", json!({}))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (half, _) = read_some(r, 1 << 20).await;
    assert!(half.starts_with(br#"{"jsonrpc":"2.0","id":2,"#) && half.len() > 100, "{}", String::from_utf8_lossy(&half));
    assert!(serde_json::from_slice::<Value>(&half).is_err());
    assert_eq!(web.exit().await.code(), Some(3));
}

#[tokio::test]
async fn sse_exit_mid_response_exits_3() {
    let mut web = Web::start(&["--sse", "127.0.0.1:0", "--hostile", "exit-mid-response"]).await;
    let (events, post) = sse_session(&web).await;
    web.post_open(&post, &[], &modern(2, "ping", json!({}))).await;
    let (half, _) = events.raw(1 << 20).await;
    let text = String::from_utf8_lossy(&half);
    assert!(text.starts_with("event: message\ndata: {\"jsonrpc\""), "{text}");
    assert!(!text.contains("\n\n"));
    assert_eq!(web.exit().await.code(), Some(3));
}

#[tokio::test]
async fn http_notification_flood_on_get_streams_and_before_answers() {
    let web = Web::start(&["--http", "127.0.0.1:0", "--hostile", "notification-flood"]).await;
    let session = web.session("2025-11-25").await;
    let headers = [("mcp-session-id", session.as_str()), ("mcp-protocol-version", "2025-11-25")];
    let get = timeout(TIMEOUT, web.client.get(&web.url).header("accept", "text/event-stream").header(headers[0].0, headers[0].1).send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    let mut events = RawSse::new(get);
    let mut flood = 0;
    while flood < 2000 {
        let e = events.event().await;
        if !e.data.is_empty() {
            assert_eq!(serde_json::from_str::<Value>(&e.data).unwrap()["method"], "notifications/message");
            flood += 1;
        }
    }
    drop(events);
    let r = web.post_open(&web.url, &headers, &ping(5)).await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut events = RawSse::new(r);
    let mut notifications = 0;
    let answer = loop {
        let e = events.event().await;
        let m: Value = serde_json::from_str(&e.data).unwrap();
        if m["method"] == "notifications/message" {
            notifications += 1;
        } else {
            break m;
        }
    };
    assert_eq!(notifications, 10_000);
    assert_eq!(answer, json!({"jsonrpc": "2.0", "id": 5, "result": {}}));
}

#[tokio::test]
async fn sse_notification_flood_on_the_session_stream() {
    let web = Web::start(&["--sse", "127.0.0.1:0", "--hostile", "notification-flood"]).await;
    let (mut events, post) = sse_session(&web).await;
    web.post_open(&post, &[], &initialize(1, "2024-11-05")).await;
    let first = events.event().await;
    assert_eq!(serde_json::from_str::<Value>(&first.data).unwrap()["id"], 1, "nothing before initialization");
    web.post_open(&post, &[], &initialized()).await;
    web.post_open(&post, &[], &ping(2)).await;
    let (mut flood, mut answered) = (0, false);
    while flood < 2000 || !answered {
        let m: Value = serde_json::from_str(&events.event().await.data).unwrap();
        if m["id"] == 2 {
            answered = true;
        } else {
            assert_eq!(m["method"], "notifications/message");
            flood += 1;
        }
        assert!(flood < 1_000_000);
    }
}

#[tokio::test]
async fn http_invalid_utf8_in_json_and_sse_answers() {
    for extra in [None, Some("--sse-responses")] {
        let mut args = vec!["--http", "127.0.0.1:0", "--hostile", "invalid-utf8"];
        args.extend(extra);
        let web = Web::start(&args).await;
        let r = web.post_open(&web.url, &[], &initialize(1, "2025-06-18")).await;
        let (body, ended) = read_some(r, 1 << 20).await;
        assert!(ended);
        assert!(std::str::from_utf8(&body).is_err(), "{extra:?}");
        let text = String::from_utf8_lossy(&body).into_owned();
        let json_text = if extra.is_some() { parse_events(&text).pop().unwrap().data } else { text };
        assert_eq!(serde_json::from_str::<Value>(&json_text).unwrap()["id"], 1);
    }
}

#[tokio::test]
async fn sse_deep_nesting() {
    let web = Web::start(&["--sse", "127.0.0.1:0", "--hostile", "deep-nesting"]).await;
    let (mut events, post) = sse_session(&web).await;
    web.post_open(&post, &[], &modern(2, "tools/list", json!({}))).await;
    let event = events.event().await;
    assert_eq!(event.event.as_deref(), Some("message"));
    let depth = 1_000_000;
    assert!(event.data.as_bytes().windows(depth).any(|w| w.iter().all(|b| *b == b'[')));
    assert!(event.data.starts_with("{\"jsonrpc\":\"2.0\",\"id\":2,") && event.data.ends_with("]]]}}"), "{}", &event.data[..100]);
}

#[tokio::test]
async fn http_sse_never_closes() {
    let web = Web::start(&["--http", "127.0.0.1:0", "--hostile", "sse-never-closes"]).await;
    let r = web.post_open(&web.url, &[], &initialize(1, "2025-06-18")).await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut r = r;
    let mut seen = String::new();
    // The response event, then keep-alive comments, and no end.
    while !seen.contains(": keep-alive\n\n: keep-alive\n\n") {
        let chunk = timeout(Duration::from_secs(5), r.chunk()).await.expect("keep-alive within 5 s").unwrap().expect("still open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
        assert!(seen.len() < 1 << 20);
    }
    let events = parse_events(&seen);
    assert_eq!(events.len(), 1, "{seen}");
    assert_eq!(serde_json::from_str::<Value>(&events[0].data).unwrap()["id"], 1);
}

#[tokio::test]
async fn stdio_only_modes_leave_http_alone() {
    for mode in ["garbage-stdout", "spawn-child-and-exit"] {
        let web = Web::start(&["--http", "127.0.0.1:0", "--hostile", mode]).await;
        let r = web.post_open(&web.url, &[], &initialize(1, "2025-06-18")).await;
        let (body, ended) = read_some(r, 1 << 20).await;
        assert!(ended);
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["id"], 1, "{mode}");
    }
}

#[tokio::test]
async fn http_event_stream_answers_are_rewritten_too() {
    let web = Web::start(&["--http", "127.0.0.1:0", "--sse-responses", "--hostile", "deep-nesting"]).await;
    let r = web.post_modern(&modern(2, "tools/list", json!({}))).await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut events = RawSse::new(r);
    let event = events.event().await;
    assert!(event.data.starts_with("{\"jsonrpc\":\"2.0\",\"id\":2,") && event.data.ends_with("]]]}}"), "{}", &event.data[..100]);
    assert!(event.data.len() > 2_000_000);
    // The trigger is answered once; the next answer is normal.
    let r = web.post_modern(&modern(3, "tools/list", json!({}))).await;
    let (body, ended) = RawSse::new(r).raw(1 << 20).await;
    assert!(ended);
    let events = parse_events(&String::from_utf8(body).unwrap());
    assert!(serde_json::from_str::<Value>(&events[0].data).unwrap()["result"]["tools"].is_array());
}
