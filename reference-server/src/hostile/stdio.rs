//! Hostile modes over stdio.
//!
//! The conformant [stdio transport](crate::transport::stdio) runs unchanged
//! on in-memory pipes; two pumps sit between it and the real streams:
//!
//! * the **input pump** copies stdin to the server, noting each complete line
//!   in the [`Tracker`] before the server can answer it (lines longer than
//!   [`MAX_MESSAGE_BYTES`] are passed on unread); at end of input it closes
//!   the server's input and tells the output pump;
//! * the **output pump** reads the server's lines and writes them to stdout
//!   as the mode wants. Its endless or flooding loops stop when stdout
//!   fails or stdin has closed.
//!
//! Memory stays bounded: the pipes and channels are small and fixed, payloads
//! come from static buffers.

use std::io;
use std::process::Stdio;
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::{mpsc, watch};

use super::{corrupt_utf8, flood_notification, is_response, leak_for, render_trigger, Garbage, Hostile, Tracker, EXIT_STATUS, ORPHAN_SECONDS};
use crate::transport::{self, MAX_MESSAGE_BYTES};
use crate::Dispatcher;

/// Capacity of the in-memory pipes to and from the server.
const PIPE: usize = 64 * 1024;
/// Server lines queued for the output pump.
const LINES: usize = 16;

/// The `spawn-child-and-exit` child: a `notifications/message` line naming
/// its pid every 0.1 s, for at most 55 s by the clock (600 lines at most),
/// ending as soon as stdout is closed.
const ORPHAN_SCRIPT: &str = r#"end=$(( $(date +%s) + 55 ))
i=0
while [ "$i" -lt 600 ] && [ "$(date +%s)" -lt "$end" ]; do
  printf '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"warning","logger":"mcp-reference-server/orphan","data":"orphan pid %s line %s"}}\n' "$$" "$i" || exit 0
  sleep 0.1 || exit 0
  i=$((i + 1))
done
"#;

// The script's own deadline must stay inside the documented bound.
const _: () = assert!(55 < ORPHAN_SECONDS);

/// Serves the process's stdin and stdout in `mode`.
pub async fn run(dispatcher: &Dispatcher, mode: Hostile) -> io::Result<()> {
    serve(dispatcher, mode, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves `input`/`output` in `mode`. (`exit-mid-response` and
/// `spawn-child-and-exit` end the process.)
pub async fn serve<R, W>(dispatcher: &Dispatcher, mode: Hostile, input: R, output: W) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    if mode == Hostile::Silence {
        return drain(input).await;
    }
    let tracker = Arc::new(Tracker::default());
    let (to_server, server_in) = tokio::io::duplex(PIPE);
    let (server_out, from_server) = tokio::io::duplex(PIPE);
    let (closed_tx, closed_rx) = watch::channel(false);
    let (lines_tx, lines_rx) = mpsc::channel(LINES);
    let server = transport::stdio::serve(dispatcher, server_in, server_out);
    let pump_in = pump_input(mode, input, to_server, &tracker, closed_tx);
    let split = split_lines(from_server, lines_tx);
    let pump_out = pump_output(mode, lines_rx, output, &tracker, closed_rx);
    let background = async {
        let (served, pumped, split) = tokio::join!(server, pump_in, split);
        served.and(pumped).and(split)
    };
    tokio::pin!(background, pump_out);
    tokio::select! {
        // Stdout failed, or an endless loop ended because stdin closed.
        out = &mut pump_out => out,
        done = &mut background => {
            let out = pump_out.await;
            done.and(out)
        }
    }
}

async fn drain<R: AsyncRead + Unpin>(mut input: R) -> io::Result<()> {
    let mut buf = vec![0u8; PIPE];
    while input.read(&mut buf).await? > 0 {}
    Ok(())
}

/// Splits a byte stream into lines and hands each complete one (at most
/// [`MAX_MESSAGE_BYTES`]) to a callback.
#[derive(Default)]
struct LineObserver {
    line: Vec<u8>,
    overflow: bool,
}

impl LineObserver {
    fn feed(&mut self, mut chunk: &[u8], seen: &mut impl FnMut(&[u8])) {
        while !chunk.is_empty() {
            let (part, rest, complete) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let (part, rest) = chunk.split_at(i);
                    (part, rest.get(1..).unwrap_or_default(), true)
                }
                None => (chunk, &[][..], false),
            };
            if !self.overflow {
                if self.line.len() + part.len() > MAX_MESSAGE_BYTES {
                    self.overflow = true;
                    self.line = Vec::new();
                } else {
                    self.line.extend_from_slice(part);
                }
            }
            if complete {
                self.finish(seen);
            }
            chunk = rest;
        }
    }

    fn finish(&mut self, seen: &mut impl FnMut(&[u8])) {
        if !self.overflow && !self.line.is_empty() {
            seen(&self.line);
        }
        self.line.clear();
        self.overflow = false;
    }
}

async fn pump_input<R: AsyncRead + Unpin>(
    mode: Hostile,
    mut input: R,
    mut to_server: DuplexStream,
    tracker: &Tracker,
    closed: watch::Sender<bool>,
) -> io::Result<()> {
    let mut buf = vec![0u8; PIPE];
    let mut observer = LineObserver::default();
    let mut seen = |line: &[u8]| {
        if let Ok(message) = serde_json::from_slice::<Value>(line) {
            tracker.incoming(&message);
            if mode == Hostile::LeakPerRequest {
                leak_for(&message);
            }
        }
    };
    let outcome = loop {
        let n = match input.read(&mut buf).await {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => break Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        observer.feed(chunk, &mut seen);
        // Once an endless answer is under way nothing else is answered:
        // stop feeding the server, so that it can never hold up this loop
        // and end of input is always noticed.
        let endless = mode == Hostile::EndlessResponse && tracker.fired();
        if !endless && to_server.write_all(chunk).await.is_err() {
            break Ok(());
        }
    };
    observer.finish(&mut seen);
    closed.send_replace(true);
    // Dropping the pipe ends the server's input.
    drop(to_server);
    outcome
}

async fn split_lines(from_server: DuplexStream, lines: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let mut reader = BufReader::new(from_server);
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if lines.send(line).await.is_err() {
            return Ok(());
        }
    }
}

/// Writes `bytes` unless stdin closes first; `Ok(false)` when it did.
async fn write_unless_closed<W: AsyncWrite + Unpin>(out: &mut W, bytes: &[u8], closed: &mut watch::Receiver<bool>) -> io::Result<bool> {
    tokio::select! {
        written = out.write_all(bytes) => written.map(|()| true),
        _ = closed.wait_for(|c| *c) => Ok(false),
    }
}

async fn pump_output<W: AsyncWrite + Unpin>(
    mode: Hostile,
    mut lines: mpsc::Receiver<Vec<u8>>,
    mut out: W,
    tracker: &Tracker,
    mut closed: watch::Receiver<bool>,
) -> io::Result<()> {
    let mut garbage = Garbage::new();
    let mut armed = tracker.subscribe();
    let mut flooded = 0u64;
    let flood = mode == Hostile::NotificationFlood;
    loop {
        let flooding = flood && *armed.borrow() && !*closed.borrow();
        let line = tokio::select! {
            biased;
            line = lines.recv() => match line {
                Some(line) => line,
                None => break,
            },
            changed = armed.changed(), if flood && !*armed.borrow() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
            () = std::future::ready(()), if flooding => {
                flooded += 1;
                let mut note = flood_notification(flooded).into_bytes();
                note.push(b'\n');
                if !write_unless_closed(&mut out, &note, &mut closed).await? {
                    continue;
                }
                out.flush().await?;
                continue;
            }
        };
        if mode == Hostile::GarbageStdout {
            out.write_all(&garbage.line()).await?;
        }
        let message = serde_json::from_slice::<Value>(&line).ok().filter(is_response);
        if let Some(message) = message {
            if tracker.take_trigger(&message) {
                match answer_trigger(mode, &message, &line, &mut out, &mut closed).await? {
                    Trigger::Answered => continue,
                    Trigger::Unchanged => {}
                    // Stdin closed while an endless or huge answer was streaming.
                    Trigger::Closed => return Ok(()),
                }
            }
            if mode == Hostile::InvalidUtf8 {
                let mut bad = corrupt_utf8(&message);
                bad.push(b'\n');
                out.write_all(&bad).await?;
                out.flush().await?;
                continue;
            }
        }
        out.write_all(&line).await?;
        out.write_all(b"\n").await?;
        out.flush().await?;
    }
    out.flush().await
}

/// What [`answer_trigger`] did.
enum Trigger {
    /// The answer has been written in the mode's way.
    Answered,
    /// The mode leaves it alone: write it as it is.
    Unchanged,
    /// Stdin closed meanwhile: stop serving.
    Closed,
}

/// Writes the trigger's answer the way `mode` wants (`exit-mid-response`,
/// `spawn-child-and-exit` and `close-and-exit` end the process here).
async fn answer_trigger<W: AsyncWrite + Unpin>(
    mode: Hostile,
    message: &Value,
    line: &[u8],
    out: &mut W,
    closed: &mut watch::Receiver<bool>,
) -> io::Result<Trigger> {
    if mode == Hostile::SpawnChildAndExit {
        out.write_all(line).await?;
        out.write_all(b"\n").await?;
        out.flush().await?;
        if let Err(e) = spawn_orphan() {
            tracing::warn!("spawn-child-and-exit: cannot start sh: {e}");
        }
        std::process::exit(0);
    }
    if mode == Hostile::CloseAndExit {
        out.write_all(line).await?;
        out.write_all(b"\n").await?;
        out.flush().await?;
        // Ends the session the way STDIO-009 allows: stdout closes with the process.
        std::process::exit(0);
    }
    let Some(rendered) = render_trigger(mode, message) else {
        return Ok(Trigger::Unchanged);
    };
    // Only the endless answer stops when stdin closes: the others are
    // bounded, and a client may close stdin before reading the last answers.
    let endless = mode == Hostile::EndlessResponse;
    let mut chunks = rendered.chunks;
    while let Some(chunk) = chunks.next().await {
        if endless {
            if !write_unless_closed(out, &chunk, closed).await? {
                return Ok(Trigger::Closed);
            }
        } else {
            out.write_all(&chunk).await?;
        }
    }
    out.flush().await?;
    if rendered.exit_after {
        std::process::exit(EXIT_STATUS);
    }
    out.write_all(b"\n").await?;
    out.flush().await?;
    Ok(Trigger::Answered)
}

fn spawn_orphan() -> io::Result<()> {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(ORPHAN_SCRIPT)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::FaultSet;

    async fn run(mode: Hostile, input: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let dispatcher = Dispatcher::new(FaultSet::NONE);
        tokio::time::timeout(std::time::Duration::from_secs(20), serve(&dispatcher, mode, input.as_bytes(), &mut out))
            .await
            .expect("ends at end of input")
            .unwrap();
        out
    }

    fn session(then: &[serde_json::Value]) -> String {
        let mut lines = vec![
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ];
        lines.extend_from_slice(then);
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    fn ping(id: i64) -> serde_json::Value {
        json!({"jsonrpc": "2.0", "id": id, "method": "ping"})
    }

    #[tokio::test]
    async fn silence_answers_nothing() {
        assert!(run(Hostile::Silence, &session(&[ping(1)])).await.is_empty());
    }

    #[tokio::test]
    async fn garbage_comes_before_every_answer() {
        let out = run(Hostile::GarbageStdout, &session(&[ping(1)])).await;
        let lines: Vec<&[u8]> = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 4, "{}", String::from_utf8_lossy(&out));
        assert!(lines[0].starts_with(b"~") && lines[2].starts_with(b"~"));
        assert!(serde_json::from_slice::<Value>(lines[1]).is_ok());
        assert!(serde_json::from_slice::<Value>(lines[3]).is_ok());
    }

    #[tokio::test]
    async fn deep_nesting_then_normal_answers() {
        let out = run(Hostile::DeepNesting, &session(&[ping(1)])).await;
        let lines: Vec<&[u8]> = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1].len() as u64,
            2 * super::super::NESTING_DEPTH + br#"{"jsonrpc":"2.0","id":1,"result":{"mcp-conform/nested":}}"#.len() as u64
        );
    }

    /// Runs `mode` on pipes: sends `input`, reads until `enough` says so
    /// (at most 64 MiB), closes the input and checks that the server ends.
    async fn until(mode: Hostile, input: &str, enough: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut client_in, server_in) = tokio::io::duplex(4096);
        let (server_out, mut client_out) = tokio::io::duplex(4096);
        let server = tokio::spawn(async move { serve(&Dispatcher::new(FaultSet::NONE), mode, server_in, server_out).await });
        client_in.write_all(input.as_bytes()).await.unwrap();
        let mut seen = Vec::new();
        let mut buf = vec![0u8; 65536];
        while !enough(&seen) {
            assert!(seen.len() < 64 << 20, "enough output within 64 MiB");
            let n = tokio::time::timeout(std::time::Duration::from_secs(10), client_out.read(&mut buf)).await.unwrap().unwrap();
            assert!(n > 0, "output ended early");
            seen.extend_from_slice(&buf[..n]);
        }
        drop(client_in);
        // The server notices the end of input even though nobody reads its output any more.
        tokio::time::timeout(std::time::Duration::from_secs(10), server).await.expect("ends after input closes").unwrap().unwrap();
        seen
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack.windows(needle.len()).filter(|w| *w == needle).count()
    }

    #[tokio::test]
    async fn flood_interleaves_and_stops_at_end_of_input() {
        // (The test does not wait for the initialize answer before sending
        // notifications/initialized, so the flood may start before it.)
        until(Hostile::NotificationFlood, &session(&[ping(1), ping(2)]), |o| {
            count(o, b"notifications/message") > 1000 && count(o, br#""result":{}"#) == 2 && count(o, br#""id":0,"result""#) == 1
        })
        .await;
    }

    #[tokio::test]
    async fn endless_stops_when_input_ends() {
        let out = until(Hostile::EndlessResponse, &session(&[ping(1), ping(2)]), |o| o.len() > 4 << 20).await;
        assert_eq!(count(&out, b"\n"), 1, "only the initialize answer is a complete line");
        assert!(out.ends_with(b"xxxx"));
    }

    #[test]
    fn observer_caps_and_splits() {
        let mut seen = Vec::new();
        let mut o = LineObserver::default();
        o.feed(b"ab\ncd", &mut |l: &[u8]| seen.push(l.to_vec()));
        o.feed(b"e\n\n", &mut |l: &[u8]| seen.push(l.to_vec()));
        o.feed(&vec![b'x'; MAX_MESSAGE_BYTES + 1], &mut |l: &[u8]| seen.push(l.to_vec()));
        o.feed(b"\nlast", &mut |l: &[u8]| seen.push(l.to_vec()));
        o.finish(&mut |l: &[u8]| seen.push(l.to_vec()));
        assert_eq!(seen, [b"ab".to_vec(), b"cde".to_vec(), b"last".to_vec()]);
    }
}
