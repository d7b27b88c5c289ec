//! Resumable SSE streams of a Streamable HTTP session (2025-03-26 to
//! 2025-11-25, basic/transports §Resumability and Redelivery).
//!
//! Every stream a session opens (a POST's answer, a GET stream) is a
//! [`StreamLog`]: the events it carried, kept in a bounded replay buffer.
//! Event ids are `STREAM-SEQ`: the stream's number in the session and the
//! event's place in that stream, so they are unique across the session's
//! streams (L-HTTP-007) and name the stream they belong to. A GET with
//! `Last-Event-ID` reattaches to the stream the id names, replays what
//! followed it there and continues that stream (L-HTTP-008); an id this
//! server cannot resume from (malformed, of another session, or whose
//! successors left the buffer) is not used, and the GET opens a plain stream:
//! the header is a MAY, and replaying anything else would deliver another
//! stream's messages.
//!
//! The producer (a request's task, the session's outlet) writes into the log
//! whether or not a connection is reading, so a request whose connection
//! closed early (2025-11-25 polling, [`crate::dispatch::Job::closes_stream_early`])
//! still leaves its response for the reconnecting client. At most one
//! connection reads a stream: a resumption takes the stream over and the
//! previous reader ends, so no message goes out twice (L-HTTP-006).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::stream::{self, Stream, StreamExt};
use serde_json::Value;
use tokio::sync::{mpsc, Notify};

use super::replies;
use crate::faults::{Fault, FaultSet};

/// Most events one stream keeps for replay.
pub const REPLAY_EVENTS: usize = 256;
/// Most bytes of event data one stream keeps for replay.
pub const REPLAY_BYTES: usize = 1024 * 1024;
/// Most streams a session keeps for resumption (the oldest are forgotten).
pub const KEPT_STREAMS: usize = 32;
/// The `retry` field sent with priming events: how long a client waits
/// before reconnecting after the server closed the connection.
pub const RETRY_MS: u64 = 200;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A parsed event id: which stream, which event of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId {
    /// The stream's number in its session.
    pub stream: u64,
    /// The event's sequence number in its stream.
    pub seq: u64,
}

impl EventId {
    /// Parses `STREAM-SEQ`; `None` for anything else.
    pub fn parse(text: &str) -> Option<EventId> {
        let (stream, seq) = text.trim().split_once('-')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(stream) || !digits(seq) {
            return None;
        }
        Some(EventId { stream: stream.parse().ok()?, seq: seq.parse().ok()? })
    }
}

/// The streams of one session.
pub struct Streams {
    next_number: AtomicU64,
    kept: Mutex<VecDeque<Arc<StreamLog>>>,
    faults: FaultSet,
}

impl Streams {
    /// No streams yet; `faults` may change how ids are written and found.
    pub fn new(faults: FaultSet) -> Streams {
        Streams { next_number: AtomicU64::new(1), kept: Mutex::new(VecDeque::new()), faults }
    }

    /// A new stream, kept for resumption (forgetting the oldest beyond [`KEPT_STREAMS`]).
    pub fn open(&self) -> Arc<StreamLog> {
        let number = self.next_number.fetch_add(1, Ordering::Relaxed);
        let log = Arc::new(StreamLog {
            number,
            per_stream_ids: self.faults.contains(Fault::EventIdsPerStream),
            unprimed: self.faults.contains(Fault::NoPrimingEvent),
            state: Mutex::new(LogState::default()),
            changed: Notify::new(),
        });
        let mut kept = lock(&self.kept);
        if kept.len() >= KEPT_STREAMS {
            kept.pop_front();
        }
        kept.push_back(log.clone());
        log
    }

    /// The stream `last_event_id` belongs to, if it can be resumed from
    /// there: every event after it is still buffered.
    pub fn resumable(&self, last_event_id: &str) -> Option<(Arc<StreamLog>, u64)> {
        let id = EventId::parse(last_event_id)?;
        // The fault's off-by-one: it looks up the session's next stream.
        let wanted = if self.faults.contains(Fault::ReplayForeignStream) { id.stream + 1 } else { id.stream };
        let log = lock(&self.kept).iter().find(|l| l.number == wanted).cloned()?;
        log.can_resume_after(id.seq).then_some((log, id.seq))
    }
}

#[derive(Default)]
struct LogState {
    /// Buffered events, oldest first: sequence number and message (none
    /// for a priming event, which carries no message).
    events: VecDeque<(u64, Option<String>)>,
    bytes: usize,
    next_seq: u64,
    /// Events up to this sequence number may have left the buffer.
    dropped_through: Option<u64>,
    /// The producer is done: nothing more will be written.
    finished: bool,
    /// Fed by an outlet that stops when nobody reads ([`StreamLog::feed`]).
    outlet: bool,
    /// A feeding task is running.
    feeding: bool,
    /// The current reader's generation (a new reader supersedes the old).
    reader: u64,
    /// A reader is attached.
    attached: bool,
}

/// One SSE stream of a session and its replay buffer.
pub struct StreamLog {
    number: u64,
    per_stream_ids: bool,
    /// The `no-priming-event` fault: streams start with their first message.
    unprimed: bool,
    state: Mutex<LogState>,
    changed: Notify,
}

impl StreamLog {
    /// The stream's number in its session.
    pub fn number(&self) -> u64 {
        self.number
    }

    fn id_text(&self, seq: u64) -> String {
        if self.per_stream_ids {
            seq.to_string()
        } else {
            format!("{}-{seq}", self.number)
        }
    }

    fn record(&self, data: Option<String>) -> u64 {
        let mut state = lock(&self.state);
        let seq = state.next_seq;
        state.next_seq += 1;
        state.bytes += data.as_ref().map_or(0, String::len);
        state.events.push_back((seq, data));
        while state.events.len() > REPLAY_EVENTS || (state.bytes > REPLAY_BYTES && state.events.len() > 1) {
            if let Some((old, data)) = state.events.pop_front() {
                state.bytes -= data.as_ref().map_or(0, String::len);
                state.dropped_through = Some(old);
            }
        }
        drop(state);
        self.changed.notify_waiters();
        seq
    }

    /// Writes `message` to the stream; returns its event as sent.
    pub fn push(&self, message: &Value) -> String {
        let data = message.to_string();
        let seq = self.record(Some(data.clone()));
        replies::sse_event(Some("message"), Some(&self.id_text(seq)), &data)
    }

    /// A priming event (an id, an empty `data` and the `retry` field) for
    /// a connection to send first: it gives a client an id to resume from.
    pub fn prime(&self) -> String {
        if self.unprimed {
            return String::new();
        }
        let seq = self.record(None);
        replies::sse_priming(&self.id_text(seq), RETRY_MS)
    }

    /// Nothing more will be written; readers end once they have sent all.
    pub fn finish(&self) {
        lock(&self.state).finished = true;
        self.changed.notify_waiters();
    }

    /// Whether every event after `seq` is still buffered (and `seq` was issued).
    fn can_resume_after(&self, seq: u64) -> bool {
        let state = lock(&self.state);
        seq < state.next_seq && state.dropped_through.is_none_or(|dropped| seq >= dropped)
    }

    /// Copies what `messages` carries into the stream until every sender is
    /// gone, then finishes it. With `while_read`, it stops as soon as no
    /// connection reads the stream (an outlet nobody reads must close, so
    /// that the session's notifications go to another of its streams).
    pub fn feed(self: &Arc<Self>, mut messages: mpsc::Receiver<Value>, while_read: bool) {
        let log = self.clone();
        {
            let mut state = lock(&self.state);
            state.outlet = while_read;
            state.feeding = true;
        }
        tokio::spawn(async move {
            loop {
                let notified = log.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                {
                    let mut state = lock(&log.state);
                    if while_read && !state.attached {
                        state.feeding = false;
                        return;
                    }
                }
                tokio::select! {
                    message = messages.recv() => match message {
                        Some(m) => {
                            log.push(&m);
                        }
                        None => break,
                    },
                    _ = &mut notified, if while_read => {}
                }
            }
            lock(&log.state).feeding = false;
            log.finish();
        });
    }

    /// Whether this is an outlet stream whose feeding stopped when its
    /// last reader left, and that a resuming reader must give a new outlet.
    pub fn needs_outlet(&self) -> bool {
        let state = lock(&self.state);
        state.outlet && !state.feeding && !state.finished
    }

    /// A connection reading the stream: `first` (already formatted), then
    /// every event after `after` as it comes, until the stream finishes or
    /// another connection takes it over.
    pub fn read(self: &Arc<Self>, after: Option<u64>, first: Vec<String>) -> impl Stream<Item = String> + Send + 'static {
        let generation = {
            let mut state = lock(&self.state);
            state.reader += 1;
            state.attached = true;
            state.reader
        };
        // A reader this one supersedes wakes up and ends.
        self.changed.notify_waiters();
        let reader = Reader { log: self.clone(), generation, cursor: after };
        stream::iter(first).chain(stream::unfold(reader, |mut reader| async move {
            let event = reader.next().await?;
            Some((event, reader))
        }))
    }
}

/// One connection's place in a stream.
struct Reader {
    log: Arc<StreamLog>,
    generation: u64,
    cursor: Option<u64>,
}

impl Reader {
    async fn next(&mut self) -> Option<String> {
        loop {
            let notified = self.log.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let state = lock(&self.log.state);
                if state.reader != self.generation {
                    return None;
                }
                let cursor = self.cursor;
                let next = state.events.iter().find(|(seq, _)| cursor.is_none_or(|c| *seq > c));
                if let Some((seq, data)) = next {
                    self.cursor = Some(*seq);
                    match data {
                        Some(message) => return Some(replies::sse_event(Some("message"), Some(&self.log.id_text(*seq)), message)),
                        // A priming event is not replayed.
                        None => continue,
                    }
                }
                if state.finished {
                    return None;
                }
            }
            notified.await;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let mut state = lock(&self.log.state);
        if state.reader == self.generation {
            state.attached = false;
            drop(state);
            self.log.changed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn collect(s: impl Stream<Item = String>) -> Vec<String> {
        s.collect().await
    }

    #[test]
    fn ids_name_their_stream() {
        assert_eq!(EventId::parse("3-14"), Some(EventId { stream: 3, seq: 14 }));
        for bad in ["", "3", "3-", "-1", "a-1", "3-1-2", "+3-1"] {
            assert_eq!(EventId::parse(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn replay_after_an_id_covers_only_its_stream() {
        let streams = Streams::new(FaultSet::NONE);
        let (a, b) = (streams.open(), streams.open());
        let primed = a.prime();
        assert!(primed.starts_with("id: 1-0\nretry: "), "{primed}");
        a.push(&json!({"a": 1}));
        b.push(&json!({"b": 1}));
        a.push(&json!({"a": 2}));
        a.finish();
        let (log, after) = streams.resumable("1-0").unwrap();
        let replayed = collect(log.read(Some(after), Vec::new())).await;
        assert_eq!(replayed, ["id: 1-1\nevent: message\ndata: {\"a\":1}\n\n", "id: 1-2\nevent: message\ndata: {\"a\":2}\n\n"]);
        assert!(streams.resumable("2-5").is_none(), "never issued");
        assert!(streams.resumable("9-0").is_none(), "no such stream");
    }

    #[tokio::test]
    async fn a_bounded_buffer_refuses_ids_whose_successors_are_gone() {
        let streams = Streams::new(FaultSet::NONE);
        let log = streams.open();
        for i in 0..(REPLAY_EVENTS as u64 + 10) {
            log.push(&json!(i));
        }
        assert!(streams.resumable("1-0").is_none());
        assert!(streams.resumable("1-10").is_some());
        for _ in 0..KEPT_STREAMS {
            streams.open();
        }
        assert!(streams.resumable("1-10").is_none(), "the oldest stream was forgotten");
    }

    #[tokio::test]
    async fn a_new_reader_takes_the_stream_over() {
        let log = Streams::new(FaultSet::NONE).open();
        let mut first = Box::pin(log.read(None, Vec::new()));
        log.push(&json!(1));
        assert!(first.next().await.is_some());
        let second = log.read(Some(0), Vec::new());
        assert_eq!(first.next().await, None, "superseded");
        log.push(&json!(2));
        log.finish();
        assert_eq!(collect(second).await.len(), 1);
    }

    #[tokio::test]
    async fn faults_reuse_ids_and_replay_the_next_stream() {
        let streams = Streams::new(FaultSet::from_iter([Fault::EventIdsPerStream]));
        let (a, b) = (streams.open(), streams.open());
        assert_eq!(a.prime(), b.prime(), "both streams start at the same id");
        let streams = Streams::new(FaultSet::from_iter([Fault::ReplayForeignStream]));
        let (a, b) = (streams.open(), streams.open());
        a.push(&json!("a"));
        b.push(&json!("b"));
        b.finish();
        let (log, _) = streams.resumable("1-0").unwrap();
        assert_eq!(log.number(), b.number());
    }
}
