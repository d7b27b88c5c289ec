//! A `text/event-stream` parser (the Server-Sent Events wire format).
//!
//! Fed arbitrary chunks, it yields whole events. Lines end with `\n`, `\r\n`
//! or `\r`; `:` lines are comments; `data` lines of one event are joined with
//! `\n`; an event the stream ends inside is discarded. Memory is bounded: an
//! event larger than the limit is reported as [`SseEvent::Oversized`] as soon
//! as it crosses it, and dropped.

/// One parsed item of an event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// A dispatched event.
    Message {
        /// The `event` field (`message` when absent).
        event: String,
        /// The joined `data` lines.
        data: String,
        /// The `id` field, if any.
        id: Option<String>,
    },
    /// A `retry` field.
    Retry(u64),
    /// A comment line (keep-alive).
    Comment(String),
    /// An event grew past the size limit (to this many bytes): it is being
    /// dropped, up to its end.
    Oversized(usize),
}

/// Incremental parser state.
#[derive(Debug)]
pub struct EventStreamParser {
    max_event_bytes: usize,
    line: Vec<u8>,
    /// Set after a `\r`, so that a following `\n` is not a second line end.
    after_cr: bool,
    event: Option<String>,
    data: Option<String>,
    id: Option<String>,
    /// Bytes of the event being built, to enforce the limit.
    size: usize,
    oversized: bool,
}

impl EventStreamParser {
    /// A parser that drops events larger than `max_event_bytes`.
    pub fn new(max_event_bytes: usize) -> Self {
        EventStreamParser {
            max_event_bytes,
            line: Vec::new(),
            after_cr: false,
            event: None,
            data: None,
            id: None,
            size: 0,
            oversized: false,
        }
    }

    /// Feed a chunk; returns the items it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &byte in chunk {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line_done(&line, &mut out);
                }
                _ => {
                    self.after_cr = false;
                    self.size += 1;
                    if self.size > self.max_event_bytes {
                        // Reported once, as soon as it is known, then skipped to the event's end.
                        if !self.oversized {
                            out.push(SseEvent::Oversized(self.size));
                        }
                        self.oversized = true;
                        self.line.clear();
                    } else {
                        self.line.push(byte);
                    }
                }
            }
        }
        out
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if self.oversized {
            return;
        }
        let line = String::from_utf8_lossy(line);
        if let Some(comment) = line.strip_prefix(':') {
            out.push(SseEvent::Comment(comment.trim_start().to_string()));
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    out.push(SseEvent::Retry(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.oversized {
            // Already reported when it crossed the limit.
        } else if let Some(data) = self.data.take() {
            out.push(SseEvent::Message {
                event: self.event.take().unwrap_or_else(|| "message".into()),
                data,
                id: self.id.clone(),
            });
        }
        self.event = None;
        self.data = None;
        self.size = 0;
        self.oversized = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut parser = EventStreamParser::new(1024);
        // At the end of the stream an event without its closing blank line
        // is discarded, as the SSE specification prescribes: nothing to flush.
        chunks.iter().flat_map(|c| parser.feed(c)).collect()
    }

    fn message(event: &str, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent::Message { event: event.into(), data: data.into(), id: id.map(Into::into) }
    }

    #[test]
    fn events_survive_any_chunking_and_line_ending() {
        let stream = b"event: endpoint\r\ndata: /messages?s=1\r\n\r\n: ping\n\nid: 7\ndata: {\"a\":\ndata: 1}\n\n";
        let expected = vec![
            message("endpoint", "/messages?s=1", None),
            SseEvent::Comment("ping".into()),
            message("message", "{\"a\":\n1}", Some("7")),
        ];
        assert_eq!(parse_all(&[stream]), expected);
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(parse_all(&bytes), expected, "byte by byte");
        let cr_only = b"data: x\r\rdata: y\r\r";
        assert_eq!(parse_all(&[cr_only]), vec![message("message", "x", None), message("message", "y", None)]);
    }

    #[test]
    fn an_unterminated_event_is_discarded() {
        assert_eq!(parse_all(&[b"data: half"]), vec![]);
    }

    #[test]
    fn oversized_events_are_dropped_with_memory_bounded() {
        let mut parser = EventStreamParser::new(16);
        let big = vec![b'x'; 10_000];
        let mut out = parser.feed(b"data: ");
        out.extend(parser.feed(&big));
        assert!(parser.line.len() <= 16);
        out.extend(parser.feed(b"\n\ndata: ok\n\n"));
        assert_eq!(out, vec![SseEvent::Oversized(17), message("message", "ok", None)]);
    }
}
