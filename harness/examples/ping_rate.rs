//! The sequential `ping` rate of an MCP server: one request at a time, the
//! next sent as soon as the answer is read. `bench/fuzz-throughput.sh` runs it
//! beside `mcp-conform fuzz` so the fuzzer's rate reads as a ratio of the
//! server's own floor, measured in the same run.
//!
//! ```text
//! ping_rate --count N --stdio PROGRAM [ARGS...]
//! ping_rate --count N --url URL
//! ```
//! Prints pings per second on stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::{ExitCode, Stdio};
use std::time::Instant;

const VERSION: &str = "2025-11-25";
const WARM_UP: usize = 200;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.iter().position(|a| a == "--count").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(5000);
    let rate = if let Some(i) = args.iter().position(|a| a == "--stdio") {
        stdio(&args[i + 1..], count)
    } else if let Some(url) = args.iter().position(|a| a == "--url").and_then(|i| args.get(i + 1)) {
        http(url, count)
    } else {
        Err("usage: ping_rate --count N (--stdio PROGRAM [ARGS...] | --url URL)".into())
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

fn stdio(command: &[String], count: usize) -> Result<f64, String> {
    let (program, rest) = command.split_first().ok_or("--stdio needs a command")?;
    let mut child = std::process::Command::new(program)
        .args(rest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
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

fn http(url: &str, count: usize) -> Result<f64, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().map_err(|e| e.to_string())?;
        let post = |body: String, session: Option<String>| {
            let mut request = client
                .post(url)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", VERSION)
                .body(body);
            if let Some(session) = session {
                request = request.header("mcp-session-id", session);
            }
            request.send()
        };
        let response = post(initialize(0), None).await.map_err(|e| e.to_string())?;
        let session = response.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        response.bytes().await.map_err(|e| e.to_string())?;
        post(INITIALIZED.into(), session.clone()).await.map_err(|e| e.to_string())?.bytes().await.map_err(|e| e.to_string())?;
        let one = |id: u64| {
            let fut = post(ping(id), session.clone());
            async move { fut.await.map_err(|e| e.to_string())?.bytes().await.map_err(|e| e.to_string()).map(|_| ()) }
        };
        for id in 1..=WARM_UP as u64 {
            one(id).await?;
        }
        let started = Instant::now();
        for id in 0..count as u64 {
            one(1_000 + id).await?;
        }
        Ok(count as f64 / started.elapsed().as_secs_f64())
    })
}
