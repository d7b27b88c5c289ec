//! Load on the reference server's Streamable HTTP transport, with its memory
//! read from `/proc` between rounds. `bench/http-load.sh` builds and runs it.
//!
//! ```text
//! http_load [--server PATH] [--sse-responses] [--sessions 200] [--requests 100]
//!           [--rounds 5] [--sequential 200] [--abandon 5000]
//!           [--timeout 10] [--deadline 300] [--max-growth 1.5]
//! ```
//!
//! It starts the server (`PATH --http 127.0.0.1:0`, by default the
//! `mcp-reference-server` built beside this example) and runs, in order:
//!
//! 1. `seq mix` and `seq log`: one 2025-11-25 session, `--sequential`
//!    requests one at a time, of the mix below and of `log` calls only (the
//!    latency floor; `log` answers on a live SSE stream, written in pieces,
//!    which shows whether Nagle's algorithm holds them back).
//! 2. `--rounds` rounds of `--sessions` concurrent 2025-11-25 sessions:
//!    `initialize`, `notifications/initialized`, `--requests` requests
//!    (ping, tools/list, echo, add, resources/read, prompts/get, and a `log`
//!    call, in turn), DELETE.
//! 3. one stateless 2026-07-28 round: the same concurrency, every request
//!    with `_meta` and the mirrored headers, `server/discover` for ping.
//! 4. two rounds of `--abandon` sessions that are opened, pinged and never
//!    deleted: memory must stay bounded by the server's session cap.
//!
//! Every answer must be a JSON-RPC success with the request's id and the
//! fixture's expected content (echo returns the session's own message, add
//! its sum), so answers crossed between sessions count as errors. The table
//! gives, per round, the requests sent, errors, requests per second over the
//! round's wall time (handshakes and DELETEs included), latency percentiles
//! of the requests, and the server's VmRSS and VmHWM afterwards. Exit 0 when
//! everything was answered and RSS after the last session round is at most
//! `--max-growth` times RSS after the first; 1 otherwise; 2 for bad flags or
//! a server that does not start. Every request has a timeout and the whole
//! run a deadline.

use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_reference_server::transport::MAX_SESSIONS;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinSet;

const STATEFUL: &str = "2025-11-25";
const STATELESS: &str = "2026-07-28";
/// Error messages printed per round; the rest are only counted.
const SHOWN_ERRORS: usize = 5;

struct Options {
    server: PathBuf,
    sse_responses: bool,
    sessions: usize,
    requests: usize,
    rounds: usize,
    sequential: usize,
    abandon: usize,
    timeout: Duration,
    deadline: Duration,
    max_growth: f64,
}

fn usage() -> &'static str {
    "usage: http_load [--server PATH] [--sse-responses] [--sessions N] [--requests N] [--rounds N] \
     [--sequential N] [--abandon N] [--timeout SECS] [--deadline SECS] [--max-growth RATIO]"
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let beside_me = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("mcp-reference-server")))
        .unwrap_or_else(|| PathBuf::from("mcp-reference-server"));
    let mut o = Options {
        server: beside_me,
        sse_responses: false,
        sessions: 200,
        requests: 100,
        rounds: 5,
        sequential: 200,
        abandon: 5000,
        timeout: Duration::from_secs(10),
        deadline: Duration::from_secs(300),
        max_growth: 1.5,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--sse-responses" {
            o.sse_responses = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let count = || value.parse::<usize>().map_err(|_| format!("{flag}: not a count: {value}"));
        let seconds = || match value.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s < 1e6 => Ok(Duration::from_secs_f64(s)),
            _ => Err(format!("{flag}: not a number of seconds: {value}")),
        };
        match flag.as_str() {
            "--server" => o.server = PathBuf::from(value),
            "--sessions" => o.sessions = count()?.max(1),
            "--requests" => o.requests = count()?,
            "--rounds" => o.rounds = count()?.max(1),
            "--sequential" => o.sequential = count()?,
            "--abandon" => o.abandon = count()?,
            "--timeout" => o.timeout = seconds()?,
            "--deadline" => o.deadline = seconds()?,
            "--max-growth" => o.max_growth = value.parse().map_err(|_| format!("{flag}: not a ratio: {value}"))?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("http_load: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("http_load: no runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(options))
}

/// The server under test; killed when dropped.
struct Server {
    _child: Child,
    pid: u32,
    url: String,
}

async fn start_server(o: &Options) -> Result<Server, String> {
    let mut command = Command::new(&o.server);
    command.args(["--http", "127.0.0.1:0"]);
    if o.sse_responses {
        command.arg("--sse-responses");
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", o.server.display()))?;
    let pid = child.id().ok_or("the server exited at once")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let line = tokio::time::timeout(Duration::from_secs(10), BufReader::new(stdout).lines().next_line())
        .await
        .map_err(|_| "the server did not announce its URL within 10 s".to_owned())?
        .map_err(|e| e.to_string())?
        .ok_or("the server closed stdout")?;
    let url = line.strip_prefix("listening on ").ok_or_else(|| format!("unexpected first line: {line}"))?.to_owned();
    Ok(Server { _child: child, pid, url })
}

/// VmRSS and VmHWM of `pid` in KiB (Linux; `None` elsewhere).
fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let value = status.lines().find_map(|l| l.strip_prefix(name))?;
        value.trim().trim_end_matches("kB").trim().parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// One client for the whole run; each concurrent session uses its own
/// keep-alive connection from the pool.
struct Client {
    http: reqwest::Client,
    url: String,
}

/// How a request is framed on the wire.
#[derive(Clone, Copy)]
enum Era<'s> {
    Session(&'s str),
    Stateless,
}

impl Client {
    async fn post(&self, era: Era<'_>, message: &Value) -> Result<(StatusCode, HeaderMap, String), String> {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(message.to_string());
        match era {
            Era::Session(id) => {
                request = request.header("mcp-protocol-version", STATEFUL);
                if !id.is_empty() {
                    request = request.header("mcp-session-id", id);
                }
            }
            Era::Stateless => {
                let method = message["method"].as_str().unwrap_or_default();
                request = request.header("mcp-protocol-version", STATELESS).header("mcp-method", method);
                let params = &message["params"];
                if let Some(name) = params["name"].as_str().or(params["uri"].as_str()) {
                    request = request.header("mcp-name", name);
                }
            }
        }
        let response = request.send().await.map_err(|e| format!("POST failed: {e}"))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| format!("reading the body failed: {e}"))?;
        Ok((status, headers, body))
    }

    /// Sends a request and checks its answer is a success for `id`; the result.
    async fn call(&self, era: Era<'_>, message: &Value) -> Result<Value, String> {
        let (status, headers, body) = self.post(era, message).await?;
        if status != StatusCode::OK {
            return Err(format!("{} answered HTTP {status}: {}", message["method"], clip(&body)));
        }
        let sse = headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/event-stream"));
        let answer = if sse { answer_in_events(&body, &message["id"]) } else { serde_json::from_str(&body).ok() };
        let answer = answer.ok_or_else(|| format!("{}: no answer for id {} in: {}", message["method"], message["id"], clip(&body)))?;
        if answer["jsonrpc"] != "2.0" || answer["id"] != message["id"] {
            return Err(format!("{}: wrong id or jsonrpc: {}", message["method"], clip(&body)));
        }
        match answer.get("result") {
            Some(result) if result.is_object() && answer.get("error").is_none() => Ok(result.clone()),
            _ => Err(format!("{}: not a success: {}", message["method"], clip(&body))),
        }
    }

    /// `initialize` + `notifications/initialized`: the session id.
    async fn open_session(&self, name: &str) -> Result<String, String> {
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": STATEFUL, "capabilities": {}, "clientInfo": {"name": name, "version": "0"}}});
        let (status, headers, body) = self.post(Era::Session(""), &init).await?;
        let id = headers.get("mcp-session-id").and_then(|v| v.to_str().ok());
        let Some(id) = id.filter(|_| status == StatusCode::OK).map(str::to_owned) else {
            return Err(format!("initialize answered HTTP {status} without a session: {}", clip(&body)));
        };
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let (status, _, body) = self.post(Era::Session(&id), &note).await?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("notifications/initialized answered HTTP {status}: {}", clip(&body)));
        }
        Ok(id)
    }

    async fn delete(&self, id: &str) -> Result<(), String> {
        let response = self
            .http
            .delete(&self.url)
            .header("mcp-session-id", id)
            .header("mcp-protocol-version", STATEFUL)
            .send()
            .await
            .map_err(|e| format!("DELETE failed: {e}"))?;
        match response.status() {
            StatusCode::OK => Ok(()),
            other => Err(format!("DELETE answered HTTP {other}")),
        }
    }
}

/// The JSON-RPC message answering `id` among the events of an SSE body.
fn answer_in_events(body: &str, id: &Value) -> Option<Value> {
    body.replace("\r\n", "\n").split("\n\n").find_map(|event| {
        let data: Vec<&str> = event.lines().filter_map(|l| l.strip_prefix("data:")).map(|d| d.strip_prefix(' ').unwrap_or(d)).collect();
        let message: Value = serde_json::from_str(&data.join("\n")).ok()?;
        (message.get("id") == Some(id)).then_some(message)
    })
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// Whether a result is the one the request asked for.
type Check = Box<dyn Fn(&Value) -> bool + Send>;

/// Kinds of request in the mix; the last, `log`, answers on a live SSE stream.
const MIX: usize = 7;
const LOG: usize = MIX - 1;

/// Request `n` of session `s`, of kind `pick`: the message and a check of its result.
fn nth_request(s: usize, n: usize, pick: usize, era: Era<'_>) -> (Value, Check) {
    let id = json!(n + 1);
    let (method, params, check): (&str, Value, Check) = match pick {
        0 if matches!(era, Era::Stateless) => {
            ("server/discover", json!({}), Box::new(|r: &Value| r["supportedVersions"].as_array().is_some_and(|v| !v.is_empty())))
        }
        0 => ("ping", json!({}), Box::new(|r: &Value| r.as_object().is_some_and(|o| o.is_empty()))),
        1 => ("tools/list", json!({}), Box::new(|r: &Value| r["tools"].as_array().is_some_and(|t| !t.is_empty()))),
        2 => {
            let message = format!("session {s} request {n}");
            let params = json!({"name": "echo", "arguments": {"message": message}});
            ("tools/call", params, Box::new(move |r: &Value| r["content"][0]["text"] == message.as_str()))
        }
        3 => {
            let (a, b) = (s as f64, n as f64);
            let params = json!({"name": "add", "arguments": {"a": a, "b": b}});
            ("tools/call", params, Box::new(move |r: &Value| r["structuredContent"]["sum"].as_f64() == Some(a + b)))
        }
        4 => {
            let item = 1 + (s + n) % 120;
            let params = json!({"uri": format!("ref://items/{item}")});
            let text = format!("Item {item}");
            ("resources/read", params, Box::new(move |r: &Value| r["contents"][0]["text"] == text.as_str()))
        }
        5 => {
            let params = json!({"name": "greeting", "arguments": {"name": format!("s{s}")}});
            ("prompts/get", params, Box::new(|r: &Value| r["messages"].as_array().is_some_and(|m| !m.is_empty())))
        }
        // No log level set: no messages, only the response, on a live stream.
        _ => {
            let params = json!({"name": "log", "arguments": {}});
            ("tools/call", params, Box::new(|r: &Value| r["content"][0]["text"].is_string()))
        }
    };
    let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let check: Check = match era {
        Era::Session(_) => check,
        Era::Stateless => {
            message["params"]["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": STATELESS,
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "http_load", "version": "0"},
            });
            Box::new(move |r: &Value| r["resultType"] == "complete" && check(r))
        }
    };
    (message, check)
}

/// What one session (or one stateless client) saw.
#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.latencies.extend(other.latencies);
        self.errors.extend(other.errors);
    }
}

/// Sends `requests` requests in turn (the mix, or only `log`), checking each.
async fn requests(client: &Client, s: usize, requests: usize, only_log: bool, era: Era<'_>, out: &mut Outcome) {
    for n in 0..requests {
        let pick = if only_log { LOG } else { n % MIX };
        let (message, check) = nth_request(s, n, pick, era);
        let started = Instant::now();
        match client.call(era, &message).await {
            Ok(result) if check(&result) => out.latencies.push(started.elapsed()),
            Ok(result) => out.errors.push(format!("{}: unexpected result {}", message["method"], clip(&result.to_string()))),
            Err(e) => out.errors.push(e),
        }
    }
}

/// Which kind of round.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Open, use, DELETE.
    Sessions,
    /// The same with only `log` calls (live SSE answers).
    LogCalls,
    /// No session at all: 2026-07-28.
    Stateless,
    /// Open, ping once, never DELETE.
    Abandoned,
}

async fn one_client(client: Arc<Client>, s: usize, count: usize, kind: Kind) -> Outcome {
    let mut out = Outcome::default();
    if kind == Kind::Stateless {
        requests(&client, s, count, false, Era::Stateless, &mut out).await;
        return out;
    }
    let id = match client.open_session(&format!("http_load-{s}")).await {
        Ok(id) => id,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    requests(&client, s, count, kind == Kind::LogCalls, Era::Session(&id), &mut out).await;
    if kind != Kind::Abandoned {
        if let Err(e) = client.delete(&id).await {
            out.errors.push(e);
        }
    }
    out
}

/// Runs `clients` clients of `kind` at once, each sending `count` requests,
/// at most `concurrency` at a time.
async fn round(client: &Arc<Client>, clients: usize, concurrency: usize, count: usize, kind: Kind) -> (Outcome, Duration) {
    let started = Instant::now();
    let mut total = Outcome::default();
    let mut running = JoinSet::new();
    for s in 0..clients {
        if running.len() >= concurrency {
            if let Some(done) = running.join_next().await {
                total.merge(done.unwrap_or_else(|e| Outcome { latencies: vec![], errors: vec![format!("client task failed: {e}")] }));
            }
        }
        running.spawn(one_client(client.clone(), s, count, kind));
    }
    while let Some(done) = running.join_next().await {
        total.merge(done.unwrap_or_else(|e| Outcome { latencies: vec![], errors: vec![format!("client task failed: {e}")] }));
    }
    (total, started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// Prints one table row; returns (errors, RSS KiB).
fn report(label: &str, pid: u32, mut outcome: Outcome, wall: Duration) -> (usize, Option<u64>) {
    outcome.latencies.sort();
    let sent = outcome.latencies.len() + outcome.errors.len();
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    let memory = memory(pid);
    let (rss, hwm) = memory.map_or(("-".into(), "-".into()), |(r, h)| (mib(r), mib(h)));
    println!(
        "{label:<12} {sent:>9} {:>7} {:>9.0} {:>9} {:>9} {:>9} {rss:>9} {hwm:>9}",
        outcome.errors.len(),
        sent as f64 / wall.as_secs_f64(),
        ms(percentile(&outcome.latencies, 0.5)),
        ms(percentile(&outcome.latencies, 0.99)),
        ms(outcome.latencies.last().copied().unwrap_or_default()),
    );
    for e in outcome.errors.iter().take(SHOWN_ERRORS) {
        eprintln!("  {label}: {e}");
    }
    (outcome.errors.len(), memory.map(|(r, _)| r))
}

async fn run(o: Options) -> ExitCode {
    let server = match start_server(&o).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("http_load: {e}");
            return ExitCode::from(2);
        }
    };
    let http = match reqwest::Client::builder().no_proxy().timeout(o.timeout).connect_timeout(o.timeout).build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("http_load: {e}");
            return ExitCode::from(2);
        }
    };
    let client = Arc::new(Client { http, url: server.url.clone() });
    let mode = if o.sse_responses { "text/event-stream answers" } else { "application/json answers" };
    println!(
        "reference server {} ({mode}); {} sessions x {} requests per round; server keeps at most {MAX_SESSIONS} sessions",
        server.url, o.sessions, o.requests
    );
    println!(
        "{:<12} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "round", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms", "RSS MiB", "HWM MiB"
    );
    match tokio::time::timeout(o.deadline, rounds(&o, &client, server.pid)).await {
        Ok(code) => code,
        Err(_) => {
            eprintln!("http_load: the run passed its deadline of {:?}", o.deadline);
            ExitCode::FAILURE
        }
    }
}

async fn rounds(o: &Options, client: &Arc<Client>, pid: u32) -> ExitCode {
    let mut errors = 0;
    if o.sequential > 0 {
        let (outcome, wall) = round(client, 1, 1, o.sequential, Kind::Sessions).await;
        errors += report("seq mix", pid, outcome, wall).0;
        let (outcome, wall) = round(client, 1, 1, o.sequential, Kind::LogCalls).await;
        errors += report("seq log", pid, outcome, wall).0;
    }
    let mut rss = Vec::new();
    for r in 1..=o.rounds {
        let (outcome, wall) = round(client, o.sessions, o.sessions, o.requests, Kind::Sessions).await;
        let (e, kib) = report(&format!("sessions {r}"), pid, outcome, wall);
        errors += e;
        rss.extend(kib);
    }
    let (outcome, wall) = round(client, o.sessions, o.sessions, o.requests, Kind::Stateless).await;
    errors += report("stateless", pid, outcome, wall).0;
    if o.abandon > 0 {
        for r in 1..=2 {
            let (outcome, wall) = round(client, o.abandon, o.sessions, 1, Kind::Abandoned).await;
            errors += report(&format!("abandon {r}"), pid, outcome, wall).0;
        }
    }
    let growth = match (rss.first(), rss.last()) {
        (Some(&first), Some(&last)) if first > 0 => Some(last as f64 / first as f64),
        _ => None,
    };
    match growth {
        Some(g) => println!("RSS after the last session round / after the first: {g:.2}"),
        None => println!("RSS unavailable (no /proc)"),
    }
    println!("errors: {errors}");
    if errors > 0 || growth.is_some_and(|g| g > o.max_growth) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
