//! The stdio transport: one JSON-RPC message (or 2025-03-26 batch) per line
//! on stdin, one per line on stdout, logs only on stderr.
//!
//! Lines are read with a hard size cap ([`MAX_MESSAGE_BYTES`]): an overlong
//! line is skipped to its newline without being buffered and answered with
//! -32600. Replies are serialised compactly, so they never contain a raw
//! newline (STDIO-001), and nothing else reaches stdout (STDIO-002) unless
//! the `stdout-garbage` fault asks for it. End of input ends the server
//! (STDIO-008), unless the `stdin-close-ignored` fault keeps it running.
//!
//! The process is dual-era: see [`crate::dispatch`] for how the era is
//! chosen per request.
//!
//! Reading never waits for a request to be answered: each request runs as a
//! task of its own and its response goes to stdout when ready (so responses
//! may come in another order than the requests). Meanwhile the reader
//! routes the client's responses to the server requests of the `ask` tool
//! (which go out on stdout too) and applies `notifications/cancelled` to the
//! requests in flight, whose responses are then never written (STDIO-007).
//! At end of input the requests still waiting for the client fail at once,
//! open `subscriptions/listen` streams end (their result, then
//! `notifications/cancelled`), the requests in flight finish, and the
//! server exits.

use std::io;
use std::sync::Arc;

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::MAX_MESSAGE_BYTES;
use crate::dispatch::{respond_batch, Action, Connection, Dispatcher};
use crate::faults::{Fault, FaultSet};
use crate::peer::{ClientLink, Peer};
use crate::protocol::message::error_response;
use crate::protocol::RpcError;
use crate::trace;

/// Messages queued for stdout before senders wait for the writer.
const OUTBOX: usize = 256;
/// Bytes asked of stdin per read: a pipe's whole buffer (64 KiB on Linux),
/// so a line of a megabyte takes 16 reads, not 128. Each read of the
/// process's stdin is a trip to a blocking thread and back.
const READ_BUFFER: usize = 64 * 1024;

/// What the line reader produced.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    /// A complete line, without its newline.
    Line(Vec<u8>),
    /// A line longer than the cap (its bytes were discarded).
    TooLong,
}

/// Reads newline-terminated frames of at most `limit` bytes.
struct LineReader<R> {
    inner: R,
    limit: usize,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    /// The next frame, or `None` at end of input. A final line without a
    /// newline still counts.
    async fn next(&mut self) -> io::Result<Option<Frame>> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let (consumed, complete) = {
                let buf = self.inner.fill_buf().await?;
                if buf.is_empty() {
                    return Ok(match (too_long, line.is_empty()) {
                        (true, _) => Some(Frame::TooLong),
                        (false, true) => None,
                        (false, false) => Some(Frame::Line(line)),
                    });
                }
                let (chunk, consumed, complete) = match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => (buf.get(..i).unwrap_or_default(), i + 1, true),
                    None => (buf, buf.len(), false),
                };
                if !too_long {
                    if line.len() + chunk.len() > self.limit {
                        too_long = true;
                        line = Vec::new();
                    } else {
                        line.extend_from_slice(chunk);
                    }
                }
                (consumed, complete)
            };
            self.inner.consume(consumed);
            if complete {
                return Ok(Some(if too_long { Frame::TooLong } else { Frame::Line(line) }));
            }
        }
    }
}

/// Serves `input`/`output` until `input` ends. Generic over the streams so
/// tests can drive it in memory; [`run`] uses the real stdin and stdout.
pub async fn serve<R, W>(dispatcher: &Dispatcher, input: R, output: W) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (outbox, inbox) = mpsc::channel::<Value>(OUTBOX);
    let writer = write_messages(inbox, output, dispatcher.faults());
    let reader = read_messages(*dispatcher, input, outbox);
    tokio::pin!(writer);
    tokio::select! {
        // The reader ends at end of input, after every task it started has
        // finished; dropping its sender then lets the writer drain and end.
        read = reader => {
            let written = writer.await;
            read.and(written)
        }
        // The writer ends first only when stdout failed.
        written = &mut writer => written,
    }
}

async fn read_messages<R: AsyncRead + Unpin>(dispatcher: Dispatcher, input: R, outbox: mpsc::Sender<Value>) -> io::Result<()> {
    let mut reader = LineReader {
        inner: BufReader::with_capacity(READ_BUFFER, input),
        limit: MAX_MESSAGE_BYTES,
    };
    let mut conn = Connection::default();
    // Notifications outside any request (list changes, resource updates)
    // reach a legacy session here too.
    conn.peer.add_outlet(outbox.clone());
    let mut tasks = JoinSet::new();
    let link = |peer: &Arc<Peer>| Some(ClientLink::new(peer.clone(), outbox.clone(), dispatcher.ask_timeout()));
    let outcome = loop {
        while tasks.try_join_next().is_some() {}
        let frame = match reader.next().await {
            Ok(Some(frame)) => frame,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        };
        let action = match frame {
            Frame::Line(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => continue,
            Frame::Line(bytes) => dispatcher.accept_frame(&mut conn, &bytes),
            Frame::TooLong if dispatcher.faults().contains(Fault::OversizedWedges) => std::future::pending().await,
            Frame::TooLong => Action::Reply(error_response(
                Value::Null,
                &RpcError::invalid_request(format!("message longer than {MAX_MESSAGE_BYTES} bytes")),
            )),
        };
        match action {
            Action::Nothing => {}
            Action::Reply(reply) => {
                if outbox.send(reply).await.is_err() {
                    break Ok(());
                }
            }
            Action::Run(job) => {
                let (peer, link, outbox) = (conn.peer.clone(), link(&conn.peer), outbox.clone());
                tasks.spawn(async move {
                    if let Some(reply) = job.respond(dispatcher, &peer, link).await {
                        let _ = outbox.send(reply).await;
                    }
                });
            }
            Action::Batch(parts) => {
                let (peer, link, outbox) = (conn.peer.clone(), link(&conn.peer), outbox.clone());
                tasks.spawn(async move {
                    if let Some(reply) = respond_batch(parts, dispatcher, peer, link).await {
                        let _ = outbox.send(reply).await;
                    }
                });
            }
        }
    };
    // No answer to a server request can come any more: let the requests
    // waiting for one fail now, and the rest finish.
    conn.peer.close();
    while tasks.join_next().await.is_some() {}
    outcome
}

async fn write_messages<W: AsyncWrite + Unpin>(mut inbox: mpsc::Receiver<Value>, mut output: W, faults: FaultSet) -> io::Result<()> {
    let mut garbage_pending = faults.contains(Fault::StdoutGarbage);
    while let Some(message) = inbox.recv().await {
        if garbage_pending {
            garbage_pending = false;
            output.write_all(b"mcp-reference-server ready (this banner is not JSON-RPC)\n").await?;
        }
        let mut line = match trace::damaged_line(&message, faults) {
            Some(line) => line,
            None => crate::duplicate_keys::to_text(&message).into_bytes(),
        };
        line.push(b'\n');
        output.write_all(&line).await?;
        output.flush().await?;
    }
    output.flush().await
}

/// Serves the process's stdin and stdout.
pub async fn run(dispatcher: &Dispatcher) -> io::Result<()> {
    let served = serve(dispatcher, tokio::io::stdin(), tokio::io::stdout()).await;
    if dispatcher.faults().contains(Fault::StdinCloseIgnored) {
        // The fault: stay alive after end of input, until killed.
        std::future::pending::<()>().await;
    }
    served
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    async fn frames(input: &[u8], limit: usize) -> Vec<Frame> {
        let mut r = LineReader {
            inner: BufReader::with_capacity(3, input),
            limit,
        };
        let mut out = Vec::new();
        while let Some(f) = r.next().await.unwrap() {
            out.push(f);
        }
        out
    }

    #[tokio::test]
    async fn line_reader_caps_and_recovers() {
        let f = frames(b"ab\nabcdefgh\ncd\nlast", 4).await;
        assert_eq!(
            f,
            [
                Frame::Line(b"ab".to_vec()),
                Frame::TooLong,
                Frame::Line(b"cd".to_vec()),
                Frame::Line(b"last".to_vec())
            ]
        );
        assert!(frames(b"", 4).await.is_empty());
        assert_eq!(frames(b"abcdefgh", 4).await, [Frame::TooLong]);
    }

    async fn run_with(faults: FaultSet, input: &str) -> Vec<String> {
        let mut out = Vec::new();
        serve(&Dispatcher::new(faults), input.as_bytes(), &mut out).await.unwrap();
        String::from_utf8(out).unwrap().lines().map(str::to_owned).collect()
    }

    #[tokio::test]
    async fn one_reply_per_request_line() {
        let input = concat!(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n",
            "\n",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r\n",
            "{oops\n",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}"
        );
        let lines = run_with(FaultSet::NONE, input).await;
        assert_eq!(lines.len(), 3);
        let parsed: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        // Requests run concurrently, so replies may come in any order.
        let by_id = |id: Value| parsed.iter().find(|p| p["id"] == id).cloned().unwrap();
        assert_eq!(by_id(json!(1)), json!({"jsonrpc":"2.0","id":1,"result":{}}));
        assert_eq!(by_id(Value::Null)["error"]["code"], -32700);
        assert_eq!(by_id(json!(2))["result"], json!({}));
    }

    #[tokio::test]
    async fn a_waiting_ask_fails_at_end_of_input() {
        let input = concat!(
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",",
            "\"capabilities\":{\"roots\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ask\"}}\n",
        );
        let started = std::time::Instant::now();
        let lines = run_with(FaultSet::NONE, input).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "did not wait for the ask timeout");
        let parsed: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        let result = parsed.iter().find(|m| m["id"] == 1).expect("the ask is still answered");
        assert_eq!(result["result"]["isError"], true, "{result}");
    }

    #[tokio::test]
    async fn garbage_fault_prints_a_banner_first() {
        let lines = run_with(FaultSet::only(Fault::StdoutGarbage), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n").await;
        assert_eq!(lines.len(), 2);
        assert!(serde_json::from_str::<Value>(&lines[0]).is_err());
        assert!(serde_json::from_str::<Value>(&lines[1]).is_ok());
    }
}
