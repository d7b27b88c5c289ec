//! Inputs, deterministic from the seed: the same seed, version and server
//! surface give the same bytes for every iteration, whatever the timing.
//!
//! Four arms: malformed frames (the JSON-RPC layer), protocol requests and
//! notifications from the schema bundle (valid, or invalid in one place),
//! tool calls with arguments from each callable tool's `inputSchema` (valid
//! and invalid in one place), and mutations of corpus entries. Each iteration
//! draws from its own generator state, so iterations can be skipped (shards)
//! or resumed without changing the others.

use serde_json::{json, Value};

use super::expect::{CLIENT_NOTIFICATIONS, CLIENT_REQUESTS, META_VERSION};
use super::input::{Frame, Input};
use super::surface::Surface;
use crate::schema::{self, generate, generate::Rng};
use crate::session::stateless;
use crate::transport::Kind;
use crate::version::Era;

/// Largest frame generated: huge lines stay bounded.
pub const MAX_FRAME: usize = 1 << 20;

/// Lengths of `frame/long-line`: each side of the buffer sizes line readers
/// commonly use, up to the 64 KiB of a pipe.
pub const LONG_LINES: [usize; 9] = [4_095, 4_096, 4_097, 8_191, 8_192, 8_193, 65_535, 65_536, 65_537];
/// Lengths of `frame/huge-line`.
pub const HUGE_LINES: [usize; 2] = [300_000, MAX_FRAME];
/// Depths of `frame/deep-nesting`, but for [`DEEPEST`].
pub const DEPTHS: [usize; 5] = [16, 40, 200, 1_000, 5_000];
/// The depth of one `frame/deep-nesting` in [`COSTLY_ODDS`].
pub const DEEPEST: usize = 100_000;
/// A huge line is one long line in this many, and the deepest nesting one
/// nesting in this many. A server's time goes with them: server-everything
/// took about 9 ms for a 1 MB line and 25 ms for a nesting 100 000 deep,
/// against 0.03–0.1 ms for most malformed frames; drawn as often as the
/// other kinds of malformed frame, they took most of its time, the rest of
/// the malformed frames a tenth of it.
pub const COSTLY_ODDS: usize = 16;

/// Ids the engine gives its own requests: integers from here, or strings
/// with [`ID_PREFIX`]. Other ids in inputs never fall in these ranges.
pub const ID_BASE: i64 = 1_000_000_000;
/// See [`ID_BASE`].
pub const ID_PREFIX: &str = "fz-";

/// Which kinds of input a campaign sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Mix {
    /// Every arm, in the usual proportions.
    #[default]
    All,
    /// Only well-formed JSON-RPC messages: protocol requests and
    /// notifications (valid, or with params invalid in one place), tool
    /// calls and unknown methods; no corpus mutations.
    WellFormed,
    /// Only malformed frames.
    Malformed,
}

/// Makes the inputs of one campaign.
pub struct Generator<'a> {
    surface: &'a Surface,
    seed: u64,
    corpus: &'a [Input],
    families: Families,
    mix: Mix,
}

/// Which generator families a campaign draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Families {
    /// Single inputs: malformed frames, schema requests, tool calls, corpus mutations.
    pub inputs: bool,
    /// Stateful sequences ([`super::sequence`]).
    pub sequences: bool,
}

impl Default for Families {
    fn default() -> Self {
        Families { inputs: true, sequences: true }
    }
}

/// In a campaign of both families, the share of iterations (in percent)
/// that are sequences.
pub const SEQUENCE_PERCENT: usize = 4;

/// A stable hash of a string (FNV-1a): the seed space of each version must
/// not change between builds.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

impl<'a> Generator<'a> {
    /// A generator for a session described by `surface`, drawing corpus
    /// mutations from `corpus`.
    pub fn new(surface: &'a Surface, seed: u64, corpus: &'a [Input]) -> Generator<'a> {
        Generator { surface, seed, corpus, families: Families::default(), mix: Mix::All }
    }

    /// Draw only from `families`.
    pub fn with_families(mut self, families: Families) -> Generator<'a> {
        self.families = families;
        self
    }

    /// The same generator, restricted to `mix` (with [`Mix::All`] the
    /// inputs are those of [`Generator::new`]).
    pub fn with_mix(self, mix: Mix) -> Generator<'a> {
        Generator { mix, ..self }
    }

    /// The inputs of `iteration`: one single input, or the steps of a
    /// sequence. Whether it is a sequence is drawn apart from the input
    /// itself, so a single input is the same with sequences on or off.
    pub fn inputs(&self, iteration: u64) -> Vec<Input> {
        let mut rng = Rng::new(self.seed ^ fnv(&self.surface.version) ^ fnv("sequence") ^ iteration.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.next_u64();
        let sequence = match (self.families.inputs, self.families.sequences) {
            (_, false) => false,
            (false, true) => true,
            // A campaign restricted to one kind of frame (`--mix`) sends no sequences.
            (true, true) => rng.below(100) < SEQUENCE_PERCENT && self.mix == Mix::All,
        };
        if sequence {
            return super::sequence::generate(self, &mut rng, iteration);
        }
        vec![self.input(iteration)]
    }

    /// The session the inputs are for.
    pub(super) fn surface(&self) -> &Surface {
        self.surface
    }

    /// The input of `iteration`.
    pub fn input(&self, iteration: u64) -> Input {
        let mut rng = Rng::new(self.seed ^ fnv(&self.surface.version) ^ iteration.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        // Warm the state so that neighbouring iterations diverge at once.
        rng.next_u64();
        let mut ids = Ids { iteration, next: 0 };
        let roll = match self.mix {
            Mix::All => rng.below(100),
            Mix::WellFormed => 10 + rng.below(67),
            Mix::Malformed => 99,
        };
        let input = match roll {
            _ if !self.corpus.is_empty() && roll < 10 => self.corpus_mutation(&mut rng, &mut ids),
            0..=24 => self.schema_request(&mut rng, &mut ids, false),
            25..=44 => self.schema_request(&mut rng, &mut ids, true),
            45..=56 => self.tool_call(&mut rng, &mut ids, false),
            57..=66 => self.tool_call(&mut rng, &mut ids, true),
            67..=71 => self.notification(&mut rng),
            72..=76 => Some(self.unknown_method(&mut rng, &mut ids)),
            _ => Some(self.malformed(&mut rng, &mut ids)),
        };
        let mut input = input.unwrap_or_else(|| self.malformed(&mut rng, &mut ids));
        input.iteration = Some(iteration);
        input
    }

    /// The method the session always has: `ping`, or `server/discover` in 2026-07-28.
    pub(super) fn plain_method(&self) -> &'static str {
        match self.surface.era() {
            Era::Stateful => "ping",
            Era::Stateless => "server/discover",
        }
    }

    /// Params for the session: stateless requests carry the real per-request `_meta`.
    pub(super) fn params(&self, params: Value) -> Value {
        match self.surface.era() {
            Era::Stateful => params,
            Era::Stateless => real_meta(params, &self.surface.version),
        }
    }

    /// A request of `method` from the schema, valid (or not) as generated.
    pub(super) fn schema_message(&self, rng: &mut Rng, method: &str, id: Value, mutate: bool) -> Option<Value> {
        let schema = schema::bundle().version(&self.surface.version)?;
        let definition = schema.definition(schema.request_definition(method)?)?;
        let mut message = generate::valid(schema.root(), definition, rng.next_u64())?;
        let object = message.as_object_mut()?;
        object.insert("jsonrpc".into(), "2.0".into());
        object.insert("id".into(), id);
        object.insert("method".into(), method.into());
        let params = object.remove("params").unwrap_or_else(|| json!({}));
        object.insert("params".into(), self.params(params));
        if mutate {
            // Only the chosen mutation is built (the draw is the same as
            // choosing among all of them).
            if let Some(mutant) = generate::mutation(schema.root(), definition, &message, |n| rng.below(n)) {
                message = mutant;
            }
        }
        Some(message)
    }

    pub(super) fn methods(&self) -> Vec<&'static str> {
        let schema = schema::bundle().version(&self.surface.version);
        CLIENT_REQUESTS.iter().copied().filter(|m| schema.and_then(|s| s.request_definition(m)).is_some()).collect()
    }

    fn schema_request(&self, rng: &mut Rng, ids: &mut Ids, mutate: bool) -> Option<Input> {
        let methods = self.methods();
        let method = *methods.get(rng.below(methods.len()))?;
        let id = ids.next(rng);
        let message = self.schema_message(rng, method, id, mutate)?;
        let label = format!("schema/{} {method}", if mutate { "invalid" } else { "valid" });
        Some(Input::single(label, None, to_bytes(&message)))
    }

    fn tool_call(&self, rng: &mut Rng, ids: &mut Ids, mutate: bool) -> Option<Input> {
        let tools: Vec<_> = self.surface.callable_tools().collect();
        let tool = *tools.get(rng.below(tools.len()))?;
        let schema = &tool.input_schema;
        let mut arguments = generate::valid(schema, schema, rng.next_u64())?;
        if mutate {
            if let Some(mutant) = generate::mutation(schema, schema, &arguments, |n| rng.below(n)) {
                arguments = mutant;
            }
        }
        let params = self.params(json!({ "name": tool.name, "arguments": arguments }));
        let message = crate::jsonrpc::request(&ids.next(rng), "tools/call", Some(params));
        let label = format!("tool/{} {}", if mutate { "invalid" } else { "valid" }, tool.name);
        Some(Input::single(label, None, to_bytes(&message)))
    }

    fn notification(&self, rng: &mut Rng) -> Option<Input> {
        let schema = schema::bundle().version(&self.surface.version)?;
        let methods: Vec<&str> =
            CLIENT_NOTIFICATIONS.iter().copied().filter(|m| schema.notification_definition(m).is_some()).collect();
        let method = *methods.get(rng.below(methods.len()))?;
        let definition = schema.definition(schema.notification_definition(method)?)?;
        let mut message = generate::valid(schema.root(), definition, rng.next_u64())?;
        let mutate = rng.below(100) < 40;
        if let Some(object) = message.as_object_mut() {
            object.insert("jsonrpc".into(), "2.0".into());
            object.insert("method".into(), method.into());
            object.remove("id");
        }
        if mutate {
            if let Some(mutant) = generate::mutation(schema.root(), definition, &message, |n| rng.below(n)) {
                message = mutant;
            }
        }
        // A cancellation must never name a request of ours: that request
        // would then rightly go unanswered.
        if let Some(request_id) = message.pointer_mut("/params/requestId") {
            if is_engine_id(request_id) || request_id.is_number() || request_id.is_string() {
                *request_id = json!("mcp-conform-never-sent");
            }
        }
        let label = format!("schema/{} {method}", if mutate { "invalid" } else { "valid" });
        Some(Input::single(label, None, to_bytes(&message)))
    }

    fn unknown_method(&self, rng: &mut Rng, ids: &mut Ids) -> Input {
        let names = [
            format!("mcp-conform/fuzz-{:08x}", rng.next_u64() as u32),
            "tools/List".to_string(),
            "TOOLS/LIST".to_string(),
            "tools/list/".to_string(),
            " ping".to_string(),
            "resources/lists".to_string(),
            "méthode/ünïcode😀".to_string(),
            "x".repeat(1 + rng.below(2000)),
            "tools\u{0}list".to_string(),
        ];
        let method = names[rng.below(names.len())].clone();
        let message = crate::jsonrpc::request(&ids.next(rng), &method, Some(self.params(json!({}))));
        Input::single("frame/unknown-method", None, to_bytes(&message))
    }

    /// A valid request to build a malformed frame from.
    fn base(&self, rng: &mut Rng, ids: &mut Ids) -> Value {
        let methods = self.methods();
        let method = methods.get(rng.below(methods.len())).copied().unwrap_or(self.plain_method());
        let id = ids.next(rng);
        self.schema_message(rng, method, id.clone(), false)
            .unwrap_or_else(|| crate::jsonrpc::request(&id, self.plain_method(), Some(self.params(json!({})))))
    }

    fn malformed(&self, rng: &mut Rng, ids: &mut Ids) -> Input {
        let kind = rng.below(18);
        let (label, frames) = match kind {
            0 => {
                let bytes = to_bytes(&self.base(rng, ids));
                let cut = 1 + rng.below(bytes.len().saturating_sub(1).max(1));
                ("truncated", vec![Frame::new(bytes[..cut.min(bytes.len())].to_vec())])
            }
            1 => ("garbage", vec![Frame::new(garbage(rng))]),
            2 => {
                let bytes = to_bytes(&self.base(rng, ids));
                ("invalid-utf8", vec![Frame::new(invalid_utf8(rng, bytes))])
            }
            3 if self.surface.kind == Kind::Stdio => {
                let bytes = to_bytes(&self.base(rng, ids));
                let at = 1 + rng.below(bytes.len().saturating_sub(1).max(1));
                ("split-line", vec![Frame { bytes, split_at: Some(at) }])
            }
            3 | 4 => {
                let mut bytes = to_bytes(&self.base(rng, ids));
                let at = rng.below(bytes.len() + 1);
                bytes.insert(at, b'\n');
                ("embedded-newline", vec![Frame::new(bytes)])
            }
            5 => {
                let (label, line) = self.long_line(rng, ids);
                (label, vec![Frame::new(line)])
            }
            6 => ("deep-nesting", vec![Frame::new(self.deep(rng, ids))]),
            7 => ("extreme-number", vec![Frame::new(self.extreme_number(rng, ids))]),
            8 => ("extreme-id", vec![Frame::new(self.extreme_id(rng))]),
            9 => {
                let id = ids.next(rng);
                let first = crate::jsonrpc::request(&id, self.plain_method(), Some(self.params(json!({}))));
                let mut second = self.base(rng, ids);
                second["id"] = id;
                ("duplicate-id", vec![Frame::new(to_bytes(&first)), Frame::new(to_bytes(&second))])
            }
            10 => {
                let method = CLIENT_NOTIFICATIONS[rng.below(CLIENT_NOTIFICATIONS.len())];
                let message = crate::jsonrpc::request(&ids.next(rng), method, Some(self.params(json!({}))));
                ("notification-with-id", vec![Frame::new(to_bytes(&message))])
            }
            11 => ("batch", vec![Frame::new(self.batch(rng, ids))]),
            12 => {
                let mut message = self.base(rng, ids);
                let wrong = [json!("1.0"), json!(2.0), Value::Null, json!("2.0 "), json!(""), json!(["2.0"])];
                match rng.below(wrong.len() + 1) {
                    i if i < wrong.len() => message["jsonrpc"] = wrong[i].clone(),
                    _ => {
                        message.as_object_mut().map(|o| o.remove("jsonrpc"));
                    }
                }
                ("wrong-jsonrpc", vec![Frame::new(to_bytes(&message))])
            }
            13 => {
                let mut message = self.base(rng, ids);
                let wrong = [json!(42), Value::Null, json!([]), json!({}), json!(true)];
                message["method"] = wrong[rng.below(wrong.len())].clone();
                ("wrong-method-type", vec![Frame::new(to_bytes(&message))])
            }
            14 => {
                let mut message = self.base(rng, ids);
                let wrong = [json!("params"), json!(42), json!([]), json!([1, 2]), json!(true), Value::Null];
                message["params"] = wrong[rng.below(wrong.len())].clone();
                ("wrong-params-type", vec![Frame::new(to_bytes(&message))])
            }
            15 => {
                let id = ids.next(rng);
                let message = if rng.below(2) == 0 {
                    crate::jsonrpc::result(&id, json!({}))
                } else {
                    crate::jsonrpc::error(&id, -32603, "mcp-conform: an answer to nothing")
                };
                ("unsolicited-response", vec![Frame::new(to_bytes(&message))])
            }
            16 => {
                let texts = ["\"ping\"", "42", "null", "{}", "[]", "true", "{\"jsonrpc\":\"2.0\"}"];
                ("not-a-request", vec![Frame::new(texts[rng.below(texts.len())].as_bytes().to_vec())])
            }
            _ => ("empty-line", vec![Frame::new(Vec::new())]),
        };
        Input { label: format!("frame/{label}"), iteration: None, frames, step: None }
    }

    /// A line of one of [`LONG_LINES`] or, once in [`COSTLY_ODDS`], of
    /// [`HUGE_LINES`] (the newline left out): the label says which.
    fn long_line(&self, rng: &mut Rng, ids: &mut Ids) -> (&'static str, Vec<u8>) {
        let (label, len) = if rng.below(COSTLY_ODDS) == 0 {
            ("huge-line", HUGE_LINES[rng.below(HUGE_LINES.len())])
        } else {
            ("long-line", LONG_LINES[rng.below(LONG_LINES.len())])
        };
        if rng.below(4) == 0 {
            return (label, vec![b'a'; len]);
        }
        let mut params = self.params(json!({}));
        if let Some(object) = params.as_object_mut() {
            let meta = object.entry("_meta").or_insert_with(|| json!({}));
            meta["mcp-conform/pad"] = Value::String(LITERAL.into());
        }
        let message = crate::jsonrpc::request(&ids.next(rng), self.plain_method(), Some(params));
        // The padding, quotes included, takes what the rest leaves of `len`.
        let rest = to_bytes(&message).len() - LITERAL.len() - 2;
        let padding = len.saturating_sub(rest + 2);
        // Written straight into the frame: through serde_json (which looks
        // at each byte for escaping) or a `String` of its own, the padding
        // cost the harness more than sending it.
        let line = spliced(&message, padding + 2, |out| {
            out.push(b'"');
            out.resize(out.len() + padding, b'x');
            out.push(b'"');
        });
        (label, line)
    }

    fn deep(&self, rng: &mut Rng, ids: &mut Ids) -> Vec<u8> {
        let depth = if rng.below(COSTLY_ODDS) == 0 { DEEPEST } else { DEPTHS[rng.below(DEPTHS.len())] };
        let (open, close) = if rng.below(2) == 0 { ("[", "]") } else { ("{\"a\":", "}") };
        let nested = format!("{}0{}", open.repeat(depth), close.repeat(depth));
        self.with_literal(rng, ids, "mcp-conform/deep", &nested)
    }

    fn extreme_number(&self, rng: &mut Rng, ids: &mut Ids) -> Vec<u8> {
        let numbers = [
            "9223372036854775808",
            "18446744073709551616",
            "9007199254740993",
            "-9223372036854775809",
            "-0",
            "1e400",
            "-1e400",
            "1e-400",
            "1.5",
            "1E+2",
            "123456789012345678901234567890",
            "0.1e1",
        ];
        let number = numbers[rng.below(numbers.len())];
        self.with_literal(rng, ids, "mcp-conform/n", number)
    }

    /// A request whose params hold `literal` (raw JSON text) under `key`,
    /// written by hand: `serde_json` could not hold every such literal.
    fn with_literal(&self, rng: &mut Rng, ids: &mut Ids, key: &str, literal: &str) -> Vec<u8> {
        let mut message = crate::jsonrpc::request(&ids.next(rng), self.plain_method(), Some(self.params(json!({}))));
        message["params"][key] = Value::String(LITERAL.into());
        spliced(&message, literal.len(), |out| out.extend_from_slice(literal.as_bytes()))
    }

    fn extreme_id(&self, rng: &mut Rng) -> Vec<u8> {
        let long = format!("\"{}\"", "i".repeat(10_000));
        let literals = [
            "9223372036854775808",
            "9007199254740993",
            "-0",
            "1e400",
            "1.5",
            "1.0",
            "-1",
            "0",
            "9007199254740991",
            "\"\"",
            "\"\\u0000\"",
            "\"é😀\"",
            long.as_str(),
            "null",
            "true",
            "{}",
            "[1]",
        ];
        let literal = literals[rng.below(literals.len())];
        let params = to_bytes(&self.params(json!({})));
        let params = String::from_utf8(params).unwrap_or_default();
        format!("{{\"jsonrpc\":\"2.0\",\"id\":{literal},\"method\":\"{}\",\"params\":{params}}}", self.plain_method()).into_bytes()
    }

    fn batch(&self, rng: &mut Rng, ids: &mut Ids) -> Vec<u8> {
        match rng.below(6) {
            0 => b"[]".to_vec(),
            1 => to_bytes(&json!([[self.base(rng, ids)]])),
            2 => to_bytes(&json!([1, self.base(rng, ids)])),
            _ => {
                let n = 1 + rng.below(3);
                let mut items: Vec<Value> = (0..n).map(|_| self.base(rng, ids)).collect();
                if rng.below(2) == 0 {
                    items.push(crate::jsonrpc::notification("notifications/progress", Some(json!({ "progressToken": "mcp-conform", "progress": 1 }))));
                }
                to_bytes(&Value::Array(items))
            }
        }
    }

    fn corpus_mutation(&self, rng: &mut Rng, ids: &mut Ids) -> Option<Input> {
        let entry = self.corpus.get(rng.below(self.corpus.len()))?;
        let mut input = entry.clone();
        input.label = format!("corpus/{}", entry.label);
        let index = rng.below(input.frames.len());
        let frame = input.frames.get_mut(index)?;
        match serde_json::from_slice::<Value>(&frame.bytes) {
            Ok(mut value) => {
                mutate_value(rng, &mut value);
                // Fresh ids: the entry's own may be in flight already.
                if let Some(id) = value.get_mut("id").filter(|id| is_engine_id(id) || id.as_str().is_some_and(|s| s.starts_with("corpus-"))) {
                    *id = ids.next(rng);
                }
                frame.bytes = to_bytes(&value);
            }
            Err(_) => mutate_bytes(rng, &mut frame.bytes),
        }
        Some(input)
    }
}

/// Engine ids of one iteration: distinct from every other iteration's.
pub(super) struct Ids {
    iteration: u64,
    next: u64,
}

impl Ids {
    /// The ids of `iteration`, from its first.
    pub(super) fn new(iteration: u64) -> Ids {
        Ids { iteration, next: 0 }
    }

    pub(super) fn next(&mut self, rng: &mut Rng) -> Value {
        let k = self.next;
        self.next += 1;
        if rng.below(2) == 0 {
            let n = i64::try_from(self.iteration.saturating_mul(64).saturating_add(k)).unwrap_or(i64::MAX / 2);
            Value::from(ID_BASE.saturating_add(n))
        } else {
            Value::String(format!("{ID_PREFIX}{}-{k}", self.iteration))
        }
    }
}

/// Is this an id the engine could give one of its own requests?
pub fn is_engine_id(id: &Value) -> bool {
    match id {
        Value::Number(n) => n.as_i64().is_some_and(|i| i >= ID_BASE),
        Value::String(s) => s.starts_with(ID_PREFIX) || s.starts_with("mcp-conform-"),
        _ => false,
    }
}

/// `params` with the session's real per-request `_meta` (replacing any
/// generated values of the spec's keys).
pub fn real_meta(params: Value, version: &str) -> Value {
    let mut params = stateless::with_meta(params, version);
    if let Some(meta) = params.get_mut("_meta").and_then(Value::as_object_mut) {
        if let Value::Object(ours) = stateless::request_meta(version) {
            for (k, v) in ours {
                meta.insert(k, v);
            }
        }
        meta.insert(META_VERSION.into(), Value::String(version.to_string()));
    }
    params
}

pub(crate) fn to_bytes(value: &Value) -> Vec<u8> {
    // Serializing a `Value` cannot fail: its keys are strings.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A placeholder string that [`spliced`] replaces.
const LITERAL: &str = "@@LITERAL@@";

/// `message` as JSON text, with the raw JSON text that `write` appends
/// (`len` bytes) where it holds the string [`LITERAL`].
fn spliced(message: &Value, len: usize, write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let text = to_bytes(message);
    let placeholder = format!("\"{LITERAL}\"");
    let Some(at) = memchr::memmem::find(&text, placeholder.as_bytes()) else { return text };
    let mut out = Vec::with_capacity(text.len() - placeholder.len() + len);
    out.extend_from_slice(&text[..at]);
    write(&mut out);
    out.extend_from_slice(&text[at + placeholder.len()..]);
    out
}

fn garbage(rng: &mut Rng) -> Vec<u8> {
    const TOKENS: &[&str] = &[
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e5", "-", "\\", " ", "\"jsonrpc\"", "\"2.0\"", "\"id\"",
        "\"method\"", "\"params\"", "NaN", "Infinity", "'", "\t", "/*", "0x1F", "\u{feff}",
    ];
    let n = 1 + rng.below(40);
    let text: String = (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
    text.into_bytes()
}

fn invalid_utf8(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    const SEQUENCES: &[&[u8]] =
        &[&[0xff], &[0xc0, 0x80], &[0xed, 0xa0, 0x80], &[0xf8, 0x88, 0x80, 0x80, 0x80], &[0xe2, 0x82], &[0x80], &[0xfe, 0xff]];
    let sequence = SEQUENCES[rng.below(SEQUENCES.len())];
    // Inside a string value when there is one, so that only the encoding is wrong.
    let quotes: Vec<usize> = bytes.iter().enumerate().filter(|(_, &b)| b == b'"').map(|(i, _)| i + 1).collect();
    let at = if quotes.is_empty() || rng.below(4) == 0 { rng.below(bytes.len() + 1) } else { quotes[rng.below(quotes.len())] };
    let at = at.min(bytes.len());
    bytes.splice(at..at, sequence.iter().copied());
    bytes
}

fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    if bytes.is_empty() {
        bytes.push(b'{');
        return;
    }
    let at = rng.below(bytes.len());
    match rng.below(3) {
        0 => bytes[at] ^= 1 << rng.below(8),
        1 => bytes.truncate(at),
        _ => bytes.insert(at, [b'{', b'"', b'\\', 0xff, b'\n', b'0'][rng.below(6)]),
    }
}

/// Change one node of `value`: drop it, or give it an awkward value.
fn mutate_value(rng: &mut Rng, value: &mut Value) {
    let mut paths = Vec::new();
    collect_paths(value, String::new(), &mut paths);
    let Some(path) = paths.get(rng.below(paths.len())).cloned() else { return };
    let replacements = [
        Value::Null,
        json!(-1),
        json!(0),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("\u{0}"),
        json!([]),
        json!({}),
        json!(true),
        Value::String("x".repeat(4096)),
    ];
    let (parent, key) = match path.rfind('/') {
        Some(at) => (path[..at].to_string(), path[at + 1..].to_string()),
        None => return,
    };
    let drop = rng.below(3) == 0;
    let replacement = replacements[rng.below(replacements.len())].clone();
    match value.pointer_mut(&parent) {
        Some(Value::Object(map)) => {
            let key = key.replace("~1", "/").replace("~0", "~");
            if drop {
                map.shift_remove(&key);
            } else {
                map.insert(key, replacement);
            }
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                if i < items.len() {
                    if drop {
                        items.remove(i);
                    } else {
                        items[i] = replacement;
                    }
                }
            }
        }
        _ => {}
    }
}

fn collect_paths(value: &Value, at: String, out: &mut Vec<String>) {
    if out.len() >= 256 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(path.clone());
                collect_paths(v, path, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let path = format!("{at}/{i}");
                out.push(path.clone());
                collect_paths(v, path, out);
            }
        }
        _ => {}
    }
}
