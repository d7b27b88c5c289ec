//! The stdio transport: one JSON-RPC message (or 2025-03-26 batch) per line
//! on stdin, one per line on stdout, logs only on stderr.
//!
//! Lines are read with a hard size cap ([`MAX_MESSAGE_BYTES`]): an overlong
//! line is skipped to its newline without being buffered and answered with
//! -32600. Replies are serialised compactly, so they never contain a raw
//! newline (STDIO-001), and nothing else reaches stdout (STDIO-002) unless
//! the `stdout-garbage` fault asks for it. End of input ends the server
//! (STDIO-008).
//!
//! The process is dual-era: see [`crate::dispatch`] for how the era is
//! chosen per request.

use std::io;

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use super::MAX_MESSAGE_BYTES;
use crate::dispatch::{Connection, Dispatcher};
use crate::faults::Fault;
use crate::protocol::message::error_response;
use crate::protocol::RpcError;

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
pub async fn serve<R, W>(dispatcher: &Dispatcher, input: R, mut output: W) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = LineReader {
        inner: BufReader::new(input),
        limit: MAX_MESSAGE_BYTES,
    };
    let mut conn = Connection::default();
    let mut garbage_pending = dispatcher.faults().contains(Fault::StdoutGarbage);
    while let Some(frame) = reader.next().await? {
        let reply = match frame {
            Frame::Line(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => continue,
            Frame::Line(bytes) => dispatcher.handle_frame(&mut conn, &bytes),
            Frame::TooLong => Some(error_response(
                Value::Null,
                &RpcError::invalid_request(format!("message longer than {MAX_MESSAGE_BYTES} bytes")),
            )),
        };
        let Some(reply) = reply else { continue };
        if garbage_pending {
            garbage_pending = false;
            output.write_all(b"mcp-reference-server ready (this banner is not JSON-RPC)\n").await?;
        }
        let mut line = serde_json::to_vec(&reply).map_err(io::Error::other)?;
        line.push(b'\n');
        output.write_all(&line).await?;
        output.flush().await?;
    }
    output.flush().await
}

/// Serves the process's stdin and stdout.
pub async fn run(dispatcher: &Dispatcher) -> io::Result<()> {
    serve(dispatcher, tokio::io::stdin(), tokio::io::stdout()).await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::faults::FaultSet;

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
        assert_eq!(parsed[0], json!({"jsonrpc":"2.0","id":1,"result":{}}));
        assert_eq!(parsed[1]["error"]["code"], -32700);
        assert_eq!(parsed[2]["id"], 2);
    }

    #[tokio::test]
    async fn garbage_fault_prints_a_banner_first() {
        let lines = run_with(FaultSet::only(Fault::StdoutGarbage), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n").await;
        assert_eq!(lines.len(), 2);
        assert!(serde_json::from_str::<Value>(&lines[0]).is_err());
        assert!(serde_json::from_str::<Value>(&lines[1]).is_ok());
    }
}
