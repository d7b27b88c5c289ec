//! Entry points for the coverage-guided fuzz targets in `fuzz/`.
//!
//! They live in the library so they compile with every build and cannot rot;
//! each target in `fuzz/fuzz_targets/` is a one-line wrapper. Each asserts a
//! property, not only "no panic".

use crate::jsonrpc;
use crate::transport::{EventStreamParser, SseEvent};

/// Parse a frame; whatever parses must serialize and parse back to the same message.
pub fn jsonrpc_frame(data: &[u8]) {
    if let Ok(frame) = jsonrpc::parse(data) {
        let bytes = jsonrpc::to_bytes(&frame.message);
        let again = jsonrpc::parse(&bytes).expect("a serialized message parses again");
        assert_eq!(frame.message, again.message, "round trip changed the message");
    }
}

/// Parse an event stream whole and in chunks (cut where the first byte says):
/// the events must be the same, and the parser's memory stays bounded.
pub fn event_stream(data: &[u8]) {
    let Some((&step, body)) = data.split_first() else { return };
    let whole = parse_chunked(body, body.len().max(1));
    let chunked = parse_chunked(body, usize::from(step % 16) + 1);
    assert_eq!(whole, chunked, "chunking changed the events");
}

fn parse_chunked(body: &[u8], size: usize) -> Vec<SseEvent> {
    let mut parser = EventStreamParser::new(4096);
    body.chunks(size).flat_map(|c| parser.feed(c)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fuzz_entry_points_accept_anything() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":null}",
            b"{\"jsonrpc\":\"2.0\",\"id\":-0.0,\"result\":{\"a\":1e300}}",
            b"\x05data: a\r\n\r\ndata: b\n\n:c\n",
            b"\xff\xfe\x00",
            b"\x00\r\r\n\n",
        ];
        for input in inputs {
            super::jsonrpc_frame(input);
            super::event_stream(input);
        }
    }
}
