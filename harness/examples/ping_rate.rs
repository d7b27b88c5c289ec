//! The sequential `ping` rate of an MCP server: one request at a time, the
//! next sent as soon as the answer is read. `bench/fuzz-throughput.sh` runs it
//! beside `mcp-conform fuzz` so the fuzzer's rate reads as a ratio of the
//! server's own floor, measured in the same run.
//!
//! With `--flood`, it measures instead what the server can take: the frames
//! a fuzz campaign sent (its `--transcript`), all sent without waiting for
//! any answer; the rate is frames per second (a well-formed input is one
//! frame). Over stdio they are written at once, then one `ping`, and the
//! time runs until that `ping` is answered. Over Streamable HTTP each is a
//! POST of its own, [`FLOOD_AT_ONCE`] waiting for their answers at a time
//! (one still unanswered after [`FLOOD_STEP_ASIDE`] waits on the side, so
//! that requests a server is slow to answer, or never answers, hold
//! nothing up), then one `ping`, and the time runs until that `ping` is
//! answered. No client, however many requests it keeps in flight, gets
//! much more out of the server for those inputs.
//!
//! ```text
//! ping_rate --count N --stdio PROGRAM [ARGS...]
//! ping_rate --count N --url URL
//! ping_rate --flood TRANSCRIPT --stdio PROGRAM [ARGS...]
//! ping_rate --flood TRANSCRIPT --url URL
//! ```
//! Prints pings (or inputs) per second on stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const VERSION: &str = "2025-11-25";
const WARM_UP: usize = 200;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.iter().position(|a| a == "--count").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(5000);
    let flood = args.iter().position(|a| a == "--flood").and_then(|i| args.get(i + 1));
    let url = args.iter().position(|a| a == "--url").and_then(|i| args.get(i + 1));
    let rate = if let (Some(transcript), Some(i)) = (flood, args.iter().position(|a| a == "--stdio")) {
        flood_stdio(&args[i + 1..], transcript)
    } else if let Some(i) = args.iter().position(|a| a == "--stdio") {
        stdio(&args[i + 1..], count)
    } else if let (Some(transcript), Some(url)) = (flood, url) {
        flood_http(url, transcript)
    } else if let Some(url) = url {
        http(url, count)
    } else {
        Err("usage: ping_rate (--count N | --flood TRANSCRIPT) (--stdio PROGRAM [ARGS...] | --url URL)".into())
    };
    match rate {
        Ok(rate) => {
            println!("{rate:.0}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ping_rate: {e}");
            ExitCode::from(2)
        }
    }
}

fn initialize(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"initialize","params":{{"protocolVersion":"{VERSION}","capabilities":{{}},"clientInfo":{{"name":"ping_rate","version":"0"}}}}}}"#
    )
}

const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

fn ping(id: u64) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#)
}

/// A `ping` whose string id no fuzz input uses: the mark a flood ends with.
fn named_ping(name: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":"{name}","method":"ping"}}"#)
}

fn start(command: &[String]) -> Result<Child, String> {
    let (program, rest) = command.split_first().ok_or("--stdio needs a command")?;
    std::process::Command::new(program)
        .args(rest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))
}

fn stdio(command: &[String], count: usize) -> Result<f64, String> {
    let mut child = start(command)?;
    let mut input = child.stdin.take().ok_or("no stdin")?;
    let mut output = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    let mut exchange = |message: &str, answered: bool| -> Result<(), String> {
        writeln!(input, "{message}").and_then(|_| input.flush()).map_err(|e| e.to_string())?;
        if answered {
            line.clear();
            if output.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err("the server closed stdout".into());
            }
        }
        Ok(())
    };
    exchange(&initialize(0), true)?;
    exchange(INITIALIZED, false)?;
    for id in 1..=WARM_UP as u64 {
        exchange(&ping(id), true)?;
    }
    let started = Instant::now();
    for id in 0..count as u64 {
        exchange(&ping(1_000 + id), true)?;
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    Ok(rate)
}

/// The frames of a connection, in the order sent.
type Frames = Vec<Vec<u8>>;

/// The first connection's frames in a fuzz transcript: the opening ones
/// (handshake, listings; none when the transcript left them out) and the
/// inputs, probes left out.
fn transcript_frames(path: &str) -> Result<(Frames, Frames), String> {
    use base64::Engine;
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let (mut opening, mut inputs) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let entry: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
        // Lines without a role say how many frames the log left out.
        if entry["connection"] != 0 || entry.get("role").is_none() {
            continue;
        }
        let bytes = match (entry["text"].as_str(), entry["base64"].as_str()) {
            (Some(text), _) => text.as_bytes().to_vec(),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| format!("{path}:{}: {e}", n + 1))?,
            _ => return Err(format!("{path}:{}: a frame with neither text nor base64", n + 1)),
        };
        match entry["role"].as_str() {
            Some("opening") => opening.push(bytes),
            Some("input") => inputs.push(bytes),
            _ => {}
        }
    }
    if inputs.is_empty() {
        return Err(format!("{path}: no input frames on the first connection"));
    }
    Ok((opening, inputs))
}

fn flood_stdio(command: &[String], transcript: &str) -> Result<f64, String> {
    let (mut opening, inputs) = transcript_frames(transcript)?;
    if opening.is_empty() {
        // The transcript kept only the latest frames: open as `stdio` does.
        opening = vec![initialize(0).into_bytes(), INITIALIZED.as_bytes().to_vec()];
    }
    let mut child = start(command)?;
    let mut input = child.stdin.take().ok_or("no stdin")?;
    let mut output = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    // Reads lines until the answer to `id`; false when stdout ended first.
    let mut read_until = |id: &str| -> Result<bool, String> {
        let mut line = Vec::new();
        loop {
            line.clear();
            if output.read_until(b'\n', &mut line).map_err(|e| e.to_string())? == 0 {
                return Ok(false);
            }
            let answer: Option<serde_json::Value> = serde_json::from_slice(&line).ok();
            if answer.as_ref().and_then(|a| a.get("id")).and_then(|i| i.as_str()) == Some(id) {
                return Ok(true);
            }
        }
    };
    let lines = |frames: &[Vec<u8>], last: &str| {
        let mut bytes = Vec::new();
        for frame in frames {
            bytes.extend_from_slice(frame);
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(named_ping(last).as_bytes());
        bytes.push(b'\n');
        bytes
    };
    let ready = lines(&opening, "flood-ready");
    let all = lines(&inputs, "flood-end");
    input.write_all(&ready).and_then(|_| input.flush()).map_err(|e| e.to_string())?;
    if !read_until("flood-ready")? {
        return Err("the server closed stdout during the opening".into());
    }
    let started = Instant::now();
    // Written from another thread: the server's answers must be read meanwhile.
    let writer = std::thread::spawn(move || input.write_all(&all).and_then(|_| input.flush()).map(|_| input));
    let answered = read_until("flood-end")?;
    let elapsed = started.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    let _ = writer.join();
    if !answered {
        return Err("the server closed stdout before answering the last ping".into());
    }
    Ok(inputs.len() as f64 / elapsed)
}

/// A Streamable HTTP session: its client, endpoint and id.
#[derive(Clone)]
struct HttpSession {
    client: reqwest::Client,
    url: String,
    id: Option<String>,
}

impl HttpSession {
    /// `initialize`, then `notifications/initialized`.
    async fn open(url: &str) -> Result<HttpSession, String> {
        let client = reqwest::Client::builder().no_proxy().build().map_err(|e| e.to_string())?;
        let mut session = HttpSession { client, url: url.into(), id: None };
        let response = session.request(initialize(0).into_bytes()).send().await.map_err(|e| e.to_string())?;
        session.id = response.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        response.bytes().await.map_err(|e| e.to_string())?;
        session.post(INITIALIZED.into()).await?;
        Ok(session)
    }

    fn request(&self, body: Vec<u8>) -> reqwest::RequestBuilder {
        let request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", VERSION)
            .body(body);
        match &self.id {
            Some(id) => request.header("mcp-session-id", id),
            None => request,
        }
    }

    /// POST `body` and read the whole response.
    async fn post(&self, body: Vec<u8>) -> Result<(), String> {
        let response = self.request(body).send().await.map_err(|e| e.to_string())?;
        response.bytes().await.map(|_| ()).map_err(|e| e.to_string())
    }
}

fn http(url: &str, count: usize) -> Result<f64, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let session = HttpSession::open(url).await?;
        for id in 1..=WARM_UP as u64 {
            session.post(ping(id).into_bytes()).await?;
        }
        let started = Instant::now();
        for id in 0..count as u64 {
            session.post(ping(1_000 + id).into_bytes()).await?;
        }
        Ok(count as f64 / started.elapsed().as_secs_f64())
    })
}

/// POSTs of an HTTP flood waiting for their answers at once.
const FLOOD_AT_ONCE: usize = 128;
/// How long a POST of an HTTP flood holds its place among them.
const FLOOD_STEP_ASIDE: Duration = Duration::from_millis(100);

fn flood_http(url: &str, transcript: &str) -> Result<f64, String> {
    let (_, inputs) = transcript_frames(transcript)?;
    let count = inputs.len();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let session = HttpSession::open(url).await?;
        let places = Arc::new(tokio::sync::Semaphore::new(FLOOD_AT_ONCE));
        let started = Instant::now();
        // Dropped at the end, with the answers still awaited.
        let mut posts = tokio::task::JoinSet::new();
        for body in inputs {
            let place = places.clone().acquire_owned().await.map_err(|e| e.to_string())?;
            let session = session.clone();
            posts.spawn(async move {
                let answer = session.post(body);
                tokio::pin!(answer);
                tokio::select! {
                    _ = &mut answer => {}
                    _ = tokio::time::sleep(FLOOD_STEP_ASIDE) => {
                        drop(place);
                        let _ = answer.await;
                    }
                }
            });
        }
        session.post(named_ping("flood-end").into_bytes()).await?;
        Ok(count as f64 / started.elapsed().as_secs_f64())
    })
}
