//! Entry points for the coverage-guided fuzz targets in `fuzz/`.
//!
//! They live in the library so they compile with every build and cannot rot;
//! each target in `fuzz/fuzz_targets/` is a one-line wrapper. Each asserts a
//! property, not only "no panic".

use crate::jsonrpc;
use crate::transport::{EventStreamParser, SseEvent};

mod generated_messages;
mod schema_validation;
mod server_dispatch;

pub use generated_messages::generated_messages;
pub use schema_validation::schema_validation;
pub use server_dispatch::server_dispatch;

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
        let inputs: [&[u8]; 9] = [
            b"",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":null}",
            b"{\"jsonrpc\":\"2.0\",\"id\":-0.0,\"result\":{\"a\":1e300}}",
            b"\x05data: a\r\n\r\ndata: b\n\n:c\n",
            b"\xff\xfe\x00",
            b"\x00\r\r\n\n",
            b"\x04CallToolResult\n{\"content\":[]}",
            b"\x00NoSuchDefinition\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
            b"\xffJSONRPCRequest\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}",
        ];
        for input in inputs {
            super::jsonrpc_frame(input);
            super::event_stream(input);
            super::schema_validation(input);
        }
    }

    /// The committed seed corpora (`fuzz/seeds/`) pass their targets: a
    /// seed that trips an assertion is a bug in the harness, the reference
    /// server or the target, found without a nightly toolchain.
    #[test]
    fn the_seed_corpora_pass_their_targets() {
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
        type Entry = fn(&[u8]);
        let targets: [(&str, Entry); 5] = [
            ("jsonrpc_frame", super::jsonrpc_frame),
            ("event_stream", super::event_stream),
            ("schema_validation", super::schema_validation),
            ("server_dispatch", super::server_dispatch),
            ("generated_messages", super::generated_messages),
        ];
        for (target, run) in targets {
            let dir = seeds.join(target);
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
            let mut count = 0;
            for entry in entries {
                let path = entry.expect("a readable directory").path();
                run(&std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())));
                count += 1;
            }
            assert!(count >= 4, "only {count} seeds in {}", dir.display());
        }
    }
}
