//! Hostile modes (`--hostile NAME`): the server misbehaves at the transport
//! level so that a client, the `mcp-conform` harness first of all, can be
//! tested for robustness. Unlike [faults](crate::faults), which break one
//! protocol rule in well-formed messages, these attack the client itself:
//! huge, endless, malformed or missing output.
//!
//! The conformant server runs unchanged underneath; the hostile layer sits
//! between it and the client and rewrites what the server says (over stdio
//! [`stdio`], over HTTP [`http`]). Everything it adds is streamed from
//! fixed buffers, so the server's memory stays bounded whatever it sends,
//! and every loop ends when the client goes away (stdin or stdout closed,
//! TCP connection closed).
//!
//! # The trigger
//!
//! Several modes act on one answer, the **trigger**: the response to the
//! first request (other than `initialize`) received after the client's
//! `notifications/initialized`, or to the first 2026-07-28 request (one
//! whose `params._meta` names a protocol version), whichever comes first;
//! once per server process. "After initialization" below means from that
//! notification (or that first 2026-07-28 request) on.
//!
//! # Modes
//!
//! | mode | transports | behaviour |
//! | ---- | ---------- | --------- |
//! | `garbage-stdout` | stdio | before every answer line, a line of 1–200 random bytes (starting with `~`, so never JSON; may be invalid UTF-8) |
//! | `huge-line` | all | the trigger is answered with one line of exactly 1 GiB ([`HUGE_LINE_BYTES`], without the newline or SSE framing): the real response with a `"mcp-conform/padding": "xxx…"` member in its `result`; then the server carries on normally |
//! | `endless-response` | all | the trigger's answer starts like `huge-line` but its padding never ends: no newline (stdio), a JSON body (Streamable HTTP) or an SSE `data:` line (HTTP+SSE, SSE responses) that streams `x` until the client disconnects (stdio: closes stdout or stdin); nothing else is answered meanwhile |
//! | `silence` | all | reads every message and answers none: stdio reads stdin to its end and exits 0; HTTP requests get no response at all (not even headers) |
//! | `exit-mid-response` | all | writes the first half of the trigger's answer, then exits with status 3 ([`EXIT_STATUS`]) |
//! | `notification-flood` | all | after initialization, `notifications/message` (level `info`) as fast as the client reads, interleaved with the real answers (which go first when ready): on stdout (stdio), on every GET stream (Streamable HTTP `GET /mcp`, HTTP+SSE `/sse`); Streamable HTTP POSTs after initialization are answered with an event stream of [`FLOOD_BURST`] notifications before the response |
//! | `invalid-utf8` | all | every response carries `"mcp-conform/invalid-utf8": "<bytes>"` in its `result` (or error object), whose bytes are invalid UTF-8 (`FF FE`, `C3 28`, `ED A0 80`, `C0 AF`) |
//! | `deep-nesting` | all | the trigger's `result` gains `"mcp-conform/nested": [[[…]]]`, [`NESTING_DEPTH`] arrays deep (2 MB, streamed) |
//! | `sse-never-closes` | Streamable HTTP | every POST answered 200 gets `text/event-stream` (a JSON answer becomes one `message` event per message); after the last event the stream stays open, sending `: keep-alive` comments every second until the client disconnects (202s and HTTP errors are unchanged) |
//! | `spawn-child-and-exit` | stdio | after writing the trigger's answer, starts `sh -c …`, a child that inherits stdout and writes a `notifications/message` line naming its pid every 0.1 s, then the server exits with status 0. The child stays in the server's process group (killing the group kills it), stops when stdout closes, and ends by itself after at most [`ORPHAN_SECONDS`] seconds |
//! | `leak-per-request` | stdio | answers normally, but keeps [`LEAK_BYTES_PER_REQUEST`] of memory (written, so resident) for every request it reads, up to [`LEAK_CAP_BYTES`] in all: a server whose memory grows with its traffic |
//! | `close-and-exit` | stdio | writes the trigger's answer whole, then ends the session as STDIO-009 allows: exits with status 0, which closes stdout (a fresh process serves normally until its own trigger) |
//!
//! On a transport a mode does not apply to, the server warns on stderr and
//! behaves normally.

pub mod http;
pub mod stdio;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::faults::Scope;
use crate::protocol::meta;

/// A hostile behaviour the server can be started with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hostile {
    /// Random non-JSON lines between the answers (stdio).
    GarbageStdout,
    /// The trigger's answer is a 1 GiB line.
    HugeLine,
    /// The trigger's answer never ends.
    EndlessResponse,
    /// Nothing is ever answered.
    Silence,
    /// Half of the trigger's answer, then exit 3.
    ExitMidResponse,
    /// Notifications as fast as possible after initialization.
    NotificationFlood,
    /// Responses contain invalid UTF-8.
    InvalidUtf8,
    /// The trigger's answer is nested a million arrays deep.
    DeepNesting,
    /// Streamable HTTP response streams never close.
    SseNeverCloses,
    /// A child keeps writing to stdout after the server exits (stdio).
    SpawnChildAndExit,
    /// Memory kept for every request read (stdio).
    LeakPerRequest,
    /// The server ends the session after the trigger's answer (stdio).
    CloseAndExit,
}

/// One row of the hostile-mode table.
#[derive(Clone, Copy, Debug)]
pub struct HostileInfo {
    /// The mode.
    pub mode: Hostile,
    /// The `--hostile` name.
    pub name: &'static str,
    /// Where it shows.
    pub scope: Scope,
    /// What the server does.
    pub description: &'static str,
}

/// Every hostile mode, in the order `--list-hostile` prints them.
pub const CATALOGUE: &[HostileInfo] = &[
    HostileInfo {
        mode: Hostile::GarbageStdout,
        name: "garbage-stdout",
        scope: Scope::Stdio,
        description: "writes a line of random non-JSON bytes before every answer line",
    },
    HostileInfo {
        mode: Hostile::HugeLine,
        name: "huge-line",
        scope: Scope::AnyTransport,
        description: "answers the first request after initialization with a single 1 GiB line (streamed), then carries on",
    },
    HostileInfo {
        mode: Hostile::EndlessResponse,
        name: "endless-response",
        scope: Scope::AnyTransport,
        description: "answers the first request after initialization with a line / body / SSE event that never ends",
    },
    HostileInfo {
        mode: Hostile::Silence,
        name: "silence",
        scope: Scope::AnyTransport,
        description: "reads everything and answers nothing (HTTP: no response at all)",
    },
    HostileInfo {
        mode: Hostile::ExitMidResponse,
        name: "exit-mid-response",
        scope: Scope::AnyTransport,
        description: "writes half of the answer to the first request after initialization, then exits with status 3",
    },
    HostileInfo {
        mode: Hostile::NotificationFlood,
        name: "notification-flood",
        scope: Scope::AnyTransport,
        description: "after initialization sends notifications/message as fast as the client reads (stdout, GET streams; bursts before HTTP responses)",
    },
    HostileInfo {
        mode: Hostile::InvalidUtf8,
        name: "invalid-utf8",
        scope: Scope::AnyTransport,
        description: "every response carries a string of invalid UTF-8 bytes",
    },
    HostileInfo {
        mode: Hostile::DeepNesting,
        name: "deep-nesting",
        scope: Scope::AnyTransport,
        description: "answers the first request after initialization with a result nested 1,000,000 arrays deep (streamed)",
    },
    HostileInfo {
        mode: Hostile::SseNeverCloses,
        name: "sse-never-closes",
        scope: Scope::StreamableHttp,
        description: "answers every POSTed request with an SSE stream that sends the response, then keep-alive comments forever",
    },
    HostileInfo {
        mode: Hostile::SpawnChildAndExit,
        name: "spawn-child-and-exit",
        scope: Scope::Stdio,
        description: "after the first answer after initialization, leaves a child (same process group, at most 60 s) writing to stdout and exits 0",
    },
    HostileInfo {
        mode: Hostile::LeakPerRequest,
        name: "leak-per-request",
        scope: Scope::Stdio,
        description: "answers normally but keeps 64 KiB of memory for every request it reads (at most 512 MiB in all)",
    },
    HostileInfo {
        mode: Hostile::CloseAndExit,
        name: "close-and-exit",
        scope: Scope::Stdio,
        description: "answers the first request after initialization, then ends the session: exits 0, closing stdout",
    },
];

const UNLISTED: HostileInfo =
    HostileInfo { mode: Hostile::Silence, name: "unlisted", scope: Scope::AnyTransport, description: "a mode missing from the catalogue" };

impl Hostile {
    /// This mode's row of [`CATALOGUE`].
    pub fn info(self) -> &'static HostileInfo {
        CATALOGUE.iter().find(|i| i.mode == self).unwrap_or(&UNLISTED)
    }

    /// The `--hostile` name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Looks a mode up by its `--hostile` name.
    pub fn from_name(name: &str) -> Option<Hostile> {
        CATALOGUE.iter().find(|i| i.name == name).map(|i| i.mode)
    }
}

impl fmt::Display for Hostile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `--list-hostile` text: one line per mode, tab-separated `name`,
/// `transports`, `description`.
pub fn listing() -> String {
    CATALOGUE.iter().map(|i| format!("{}\t{}\t{}\n", i.name, i.scope.label(), i.description)).collect()
}

/// Length of the `huge-line` line, framing excluded: 1 GiB.
pub const HUGE_LINE_BYTES: u64 = 1 << 30;
/// Depth of the `deep-nesting` arrays.
pub const NESTING_DEPTH: u64 = 1_000_000;
/// Notifications sent before each Streamable HTTP response under `notification-flood`.
pub const FLOOD_BURST: u64 = 10_000;
/// Exit status of `exit-mid-response`.
pub const EXIT_STATUS: i32 = 3;
/// Upper bound on the life of the `spawn-child-and-exit` child.
pub const ORPHAN_SECONDS: u64 = 60;
/// Memory `leak-per-request` keeps for each request: enough that a fuzz
/// campaign sees ×3 growth within its first thousand inputs, which a
/// replay file (whose history of inputs is capped at 16 MiB) still holds.
pub const LEAK_BYTES_PER_REQUEST: usize = 256 * 1024;
/// Most memory `leak-per-request` keeps in all, so that the machine is safe.
pub const LEAK_CAP_BYTES: usize = 512 << 20;

/// The memory `leak-per-request` has kept so far.
static LEAKED: Mutex<Vec<Box<[u8]>>> = Mutex::new(Vec::new());

/// Keep [`LEAK_BYTES_PER_REQUEST`] more bytes for `message` if it is a
/// request (filled, so that the pages are really resident); returns the
/// bytes kept in all.
pub fn leak_for(message: &Value) -> usize {
    let is_request = message.get("method").is_some_and(Value::is_string) && message.get("id").is_some();
    let mut leaked = LEAKED.lock().unwrap_or_else(PoisonError::into_inner);
    if is_request && (leaked.len() + 1) * LEAK_BYTES_PER_REQUEST <= LEAK_CAP_BYTES {
        leaked.push(vec![0xA5; LEAK_BYTES_PER_REQUEST].into_boxed_slice());
    }
    leaked.len() * LEAK_BYTES_PER_REQUEST
}

const CHUNK: usize = 64 * 1024;
static PAD: [u8; CHUNK] = [b'x'; CHUNK];
static OPEN: [u8; CHUNK] = [b'['; CHUNK];
static CLOSE: [u8; CHUNK] = [b']'; CHUNK];

/// The bytes `invalid-utf8` puts into a JSON string.
pub const INVALID_UTF8: &[u8] = b"invalid \xff\xfe \xc3\x28 \xed\xa0\x80 \xc0\xaf utf-8";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the hostile layer has seen of the client: whether it has
/// initialized, which request is the trigger, whether it has been answered.
#[derive(Debug)]
pub struct Tracker {
    armed: watch::Sender<bool>,
    trigger: Mutex<Option<String>>,
    fired: AtomicBool,
}

impl Default for Tracker {
    fn default() -> Tracker {
        Tracker { armed: watch::channel(false).0, trigger: Mutex::new(None), fired: AtomicBool::new(false) }
    }
}

/// True for a JSON-RPC response (an `id` and a `result` or `error`, no `method`).
pub fn is_response(message: &Value) -> bool {
    message.get("method").is_none() && message.get("id").is_some() && (message.get("result").is_some() || message.get("error").is_some())
}

impl Tracker {
    /// Notes a message from the client (an array is a batch).
    pub fn incoming(&self, message: &Value) {
        if let Value::Array(items) = message {
            items.iter().for_each(|m| self.incoming(m));
            return;
        }
        let Some(method) = message.get("method").and_then(Value::as_str) else {
            return;
        };
        let modern = message.get("params").and_then(|p| p.get("_meta")).is_some_and(|m| m.get(meta::PROTOCOL_VERSION).is_some());
        if method == "notifications/initialized" || modern {
            self.armed.send_replace(true);
        }
        let Some(id) = message.get("id") else {
            return;
        };
        if method != "initialize" && *self.armed.borrow() {
            let mut trigger = lock(&self.trigger);
            if trigger.is_none() {
                *trigger = Some(id.to_string());
            }
        }
    }

    /// Whether the client has initialized (or sent a 2026-07-28 request).
    pub fn armed(&self) -> bool {
        *self.armed.borrow()
    }

    /// Watches [`armed`](Tracker::armed).
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.armed.subscribe()
    }

    /// True exactly once: for the response to the trigger request.
    pub fn take_trigger(&self, message: &Value) -> bool {
        if !is_response(message) || self.fired.load(Ordering::SeqCst) {
            return false;
        }
        let matches = message.get("id").is_some_and(|id| lock(&self.trigger).as_deref() == Some(id.to_string().as_str()));
        matches && !self.fired.swap(true, Ordering::SeqCst)
    }

    /// Whether the trigger has been answered.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

/// A message as a hostile mode renders it (without line or SSE framing).
pub struct Rendered {
    /// The bytes, in order.
    pub chunks: BoxStream<'static, Bytes>,
    /// Exit with [`EXIT_STATUS`] once they are out.
    pub exit_after: bool,
}

impl Rendered {
    fn whole(bytes: Vec<u8>) -> Rendered {
        Rendered { chunks: stream::once(async move { Bytes::from(bytes) }).boxed(), exit_after: false }
    }
}

/// `total` bytes of `buffer`'s byte, as chunks of the static buffer.
fn repeated(buffer: &'static [u8; CHUNK], total: u64) -> impl futures_util::Stream<Item = Bytes> + Send + 'static {
    let chunk = CHUNK as u64;
    let rest = usize::try_from(total % chunk).unwrap_or(0);
    stream::iter((0..total / chunk).map(move |_| Bytes::from_static(buffer)))
        .chain(stream::iter((rest > 0).then(|| Bytes::from_static(buffer).slice(..rest))))
}

const SENTINEL: &str = "\u{0}mcp-conform-hostile\u{0}";

/// The compact JSON of `message` with a member `key` added to its `result`
/// (to the message itself when there is no result object), split around
/// the member's value: `(before, after)`.
fn split_around(message: &Value, key: &str) -> (Vec<u8>, Vec<u8>) {
    let mut m = message.clone();
    let in_result = m.get("result").is_some_and(Value::is_object);
    let target = if in_result {
        m.get_mut("result")
    } else if m.get("error").is_some_and(Value::is_object) {
        m.get_mut("error")
    } else {
        Some(&mut m)
    };
    if let Some(Value::Object(map)) = target {
        map.insert(key.to_owned(), Value::String(SENTINEL.to_owned()));
    }
    let text = m.to_string();
    let needle = Value::String(SENTINEL.to_owned()).to_string();
    match text.split_once(&needle) {
        Some((before, after)) => (before.as_bytes().to_vec(), after.as_bytes().to_vec()),
        None => (text.into_bytes(), Vec::new()),
    }
}

/// How the trigger's response is rendered, for modes that act on it.
pub fn render_trigger(mode: Hostile, message: &Value) -> Option<Rendered> {
    match mode {
        Hostile::HugeLine => {
            let (mut before, after) = split_around(message, "mcp-conform/padding");
            before.push(b'"');
            let mut suffix = b"\"".to_vec();
            suffix.extend_from_slice(&after);
            let pad = HUGE_LINE_BYTES.saturating_sub((before.len() + suffix.len()) as u64);
            let chunks = stream::once(async move { Bytes::from(before) })
                .chain(repeated(&PAD, pad))
                .chain(stream::once(async move { Bytes::from(suffix) }));
            Some(Rendered { chunks: chunks.boxed(), exit_after: false })
        }
        Hostile::EndlessResponse => {
            let (mut before, _) = split_around(message, "mcp-conform/padding");
            before.push(b'"');
            let chunks = stream::once(async move { Bytes::from(before) }).chain(stream::repeat(Bytes::from_static(&PAD)));
            Some(Rendered { chunks: chunks.boxed(), exit_after: false })
        }
        Hostile::DeepNesting => {
            let (before, after) = split_around(message, "mcp-conform/nested");
            let chunks = stream::once(async move { Bytes::from(before) })
                .chain(repeated(&OPEN, NESTING_DEPTH))
                .chain(repeated(&CLOSE, NESTING_DEPTH))
                .chain(stream::once(async move { Bytes::from(after) }));
            Some(Rendered { chunks: chunks.boxed(), exit_after: false })
        }
        Hostile::ExitMidResponse => {
            let mut whole = message.to_string().into_bytes();
            whole.truncate(whole.len() / 2);
            Some(Rendered { exit_after: true, ..Rendered::whole(whole) })
        }
        _ => None,
    }
}

/// `message` with a string of invalid UTF-8 in its `result` (or error object).
pub fn corrupt_utf8(message: &Value) -> Vec<u8> {
    let (mut bytes, after) = split_around(message, "mcp-conform/invalid-utf8");
    bytes.push(b'"');
    bytes.extend_from_slice(INVALID_UTF8);
    bytes.push(b'"');
    bytes.extend_from_slice(&after);
    bytes
}

/// The `n`th flood notification (compact JSON, no newline).
pub fn flood_notification(n: u64) -> String {
    json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {
        "level": "info", "logger": "mcp-reference-server/flood", "data": format!("flood message {n}")}})
    .to_string()
}

/// A small non-cryptographic generator for garbage bytes (xorshift64*).
#[derive(Debug)]
pub struct Garbage(u64);

impl Garbage {
    /// Seeded from the OS, or the clock.
    pub fn new() -> Garbage {
        let mut seed = [0u8; 8];
        if getrandom::fill(&mut seed).is_err() {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos());
            seed = (nanos as u64).to_le_bytes();
        }
        Garbage(u64::from_le_bytes(seed) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// One garbage line: `~` and 0–199 random bytes other than CR and LF, then a newline.
    pub fn line(&mut self) -> Vec<u8> {
        let len = self.next() % 200;
        let mut line = Vec::with_capacity(len as usize + 2);
        line.push(b'~');
        for _ in 0..len {
            let byte = (self.next() >> 56) as u8;
            line.push(if byte == b'\n' || byte == b'\r' { b'?' } else { byte });
        }
        line.push(b'\n');
        line
    }
}

impl Default for Garbage {
    fn default() -> Garbage {
        Garbage::new()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    async fn collect(r: Rendered) -> Vec<u8> {
        r.chunks
            .fold(Vec::new(), |mut acc, c| async move {
                acc.extend_from_slice(&c);
                acc
            })
            .await
    }

    #[test]
    fn catalogue_names_are_unique_and_parse() {
        let names: HashSet<_> = CATALOGUE.iter().map(|i| i.name).collect();
        assert_eq!(names.len(), CATALOGUE.len());
        for i in CATALOGUE {
            assert_eq!(Hostile::from_name(i.name), Some(i.mode));
            assert_eq!(i.mode.info().name, i.name);
        }
        assert_eq!(listing().lines().count(), CATALOGUE.len());
    }

    #[test]
    fn readme_documents_every_mode() {
        let readme = include_str!("../../README.md");
        for info in CATALOGUE {
            assert!(readme.contains(&format!("`{}`", info.name)), "README.md lacks {}", info.name);
        }
    }

    #[test]
    fn trigger_is_the_first_request_after_initialized() {
        let t = Tracker::default();
        t.incoming(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize"}));
        t.incoming(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}));
        assert!(!t.take_trigger(&json!({"jsonrpc": "2.0", "id": 1, "result": {}})));
        t.incoming(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        t.incoming(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
        t.incoming(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}));
        assert!(!t.take_trigger(&json!({"jsonrpc": "2.0", "id": 3, "result": {}})));
        assert!(!t.take_trigger(&json!({"jsonrpc": "2.0", "id": 2, "method": "x"})));
        assert!(t.take_trigger(&json!({"jsonrpc": "2.0", "id": 2, "result": {}})));
        assert!(!t.take_trigger(&json!({"jsonrpc": "2.0", "id": 2, "result": {}})));
        let modern = Tracker::default();
        modern.incoming(
            &json!({"jsonrpc": "2.0", "id": "a", "method": "tools/list", "params": {"_meta": {meta::PROTOCOL_VERSION: "2026-07-28"}}}),
        );
        assert!(modern.take_trigger(&json!({"jsonrpc": "2.0", "id": "a", "result": {}})));
    }

    #[tokio::test]
    async fn payload_shapes() {
        let response = json!({"jsonrpc": "2.0", "id": 7, "result": {"tools": []}});
        let deep = collect(render_trigger(Hostile::DeepNesting, &response).unwrap()).await;
        assert_eq!(deep.len() as u64, response.to_string().len() as u64 + 2 * NESTING_DEPTH + r#","mcp-conform/nested":"#.len() as u64);
        assert!(deep.starts_with(br#"{"jsonrpc":"2.0","id":7,"result":{"tools":[],"mcp-conform/nested":[[["#));
        assert!(deep.ends_with(b"]]]}}"));
        let half = render_trigger(Hostile::ExitMidResponse, &response).unwrap();
        assert!(half.exit_after);
        assert_eq!(collect(half).await.len(), response.to_string().len() / 2);
        let huge = render_trigger(Hostile::HugeLine, &response).unwrap();
        let total = huge.chunks.fold(0u64, |n, c| async move { n + c.len() as u64 }).await;
        assert_eq!(total, HUGE_LINE_BYTES);
        let mut endless = render_trigger(Hostile::EndlessResponse, &response).unwrap().chunks;
        assert!(endless.next().await.unwrap().ends_with(br#""mcp-conform/padding":""#));
        for _ in 0..100 {
            assert_eq!(endless.next().await.unwrap().len(), CHUNK);
        }
        assert!(render_trigger(Hostile::Silence, &response).is_none());
    }

    #[test]
    fn invalid_utf8_is_json_apart_from_the_encoding() {
        let bad = corrupt_utf8(&json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -1, "message": "m"}}));
        assert!(std::str::from_utf8(&bad).is_err());
        let repaired = String::from_utf8_lossy(&bad);
        let v: Value = serde_json::from_str(&repaired).unwrap();
        assert_eq!(v["error"]["code"], -1);
        assert!(v["error"]["mcp-conform/invalid-utf8"].is_string());
    }

    #[test]
    fn garbage_is_never_json() {
        let mut g = Garbage::new();
        for _ in 0..1000 {
            let line = g.line();
            assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
            assert!(serde_json::from_slice::<Value>(&line).is_err());
        }
    }
}
