//! What the specification prescribes for an input: which answers must come,
//! which may, and which error codes are the only right ones.
//!
//! Everything here is derived from the bytes of the input (and the session's
//! version), never from what the generator meant, so that a shrunk or
//! hand-edited input is judged by the same rules. Only what the spec
//! prescribes is asserted; where it leaves a choice (how to answer a batch
//! after 2025-03-26, whether to accept a number beyond 2^53, what code a
//! malformed notification gets) the plan accepts anything.

use serde_json::{Map, Value};

use super::input::Input;
use super::surface::Surface;
use super::syntax::{self, Top, MAX_SAFE_INTEGER};
use crate::schema;
use crate::session::stateless;
use crate::transport::Kind;
use crate::version::Era;

/// A line or body above this size may be refused for its size alone.
pub const LENIENT_SIZE: usize = 64 * 1024;
/// Nesting deeper than this may be refused for its depth alone.
pub const LENIENT_DEPTH: usize = 32;

/// The per-request `_meta` keys of 2026-07-28.
pub const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// See [`META_VERSION`].
pub const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";

/// Client-to-server requests the generators exercise, where the version has
/// them. Left out: `initialize` (a second handshake may switch the version
/// the oracles check against) and `subscriptions/listen` (it stays open).
pub const CLIENT_REQUESTS: &[&str] = &[
    "ping",
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "logging/setLevel",
    "completion/complete",
    "tasks/get",
    "tasks/result",
    "tasks/cancel",
    "tasks/list",
];

/// Client-to-server notifications the generators exercise.
pub const CLIENT_NOTIFICATIONS: &[&str] =
    &["notifications/cancelled", "notifications/progress", "notifications/initialized", "notifications/roots/list_changed"];

/// A rule that names the only acceptable error codes, and where the spec says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRule {
    /// The acceptable codes.
    pub codes: Vec<i64>,
    /// The requirement ID.
    pub requirement: &'static str,
    /// Its keyword.
    pub keyword: &'static str,
    /// The spec page and section.
    pub spec: &'static str,
    /// What the input is, in words ("invalid JSON", "an unknown method").
    pub what: &'static str,
}

const PARSE_ERROR: CodeRule = CodeRule {
    codes: Vec::new(),
    requirement: "JSONRPC-008",
    keyword: "MUST",
    spec: "basic/index.mdx §Error Codes (standard JSON-RPC 2.0 codes); schema.ts ParseError",
    what: "text that is not JSON",
};
const INVALID_REQUEST: CodeRule = CodeRule {
    codes: Vec::new(),
    requirement: "JSONRPC-008",
    keyword: "MUST",
    spec: "basic/index.mdx §Error Codes (standard JSON-RPC 2.0 codes); schema.ts InvalidRequestError",
    what: "JSON that is not a valid JSON-RPC request object",
};
const METHOD_NOT_FOUND: CodeRule = CodeRule {
    codes: Vec::new(),
    requirement: "JSONRPC-008",
    keyword: "MUST",
    spec: "basic/index.mdx §Error Responses; schema.ts MethodNotFoundError",
    what: "a request for a method the protocol does not define",
};
const BAD_PARAMS: CodeRule = CodeRule {
    codes: Vec::new(),
    requirement: "JSONRPC-008",
    keyword: "MUST",
    spec: "basic/index.mdx §Error Codes (standard JSON-RPC 2.0 codes); schema.ts InvalidRequestError, InvalidParamsError",
    what: "a request whose params are not an object",
};
const MISSING_META: CodeRule = CodeRule {
    codes: Vec::new(),
    requirement: "LIFECYCLE-007",
    keyword: "MUST",
    spec: "basic/index.mdx §_meta (per-request fields)",
    what: "a request lacking a required per-request `_meta` field",
};
const UNSUPPORTED_VERSION: CodeRule = CodeRule {
    codes: Vec::new(),
    requirement: "LIFECYCLE-006",
    keyword: "MUST",
    spec: "basic/versioning.mdx §Protocol Version Negotiation",
    what: "a request naming a protocol version the server does not serve",
};

fn rule(base: CodeRule, codes: &[i64]) -> CodeRule {
    CodeRule { codes: codes.to_vec(), ..base }
}

/// Must an answer come?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A well-formed request: exactly one response, before the deadline.
    Required,
    /// The server may answer or stay silent.
    Optional,
}

/// One id the input carries and what may come back for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// The id as sent.
    pub id: Value,
    /// The method, when the message had a string one.
    pub method: Option<String>,
    /// Must it be answered?
    pub need: Need,
    /// How many responses may carry this id (2 for a duplicated id).
    pub max_answers: u32,
    /// The acceptable error codes, when the spec names them.
    pub codes: Option<CodeRule>,
    /// An error is prescribed: a result is itself a failure.
    pub error_required: bool,
    /// A result is prescribed (a valid `ping` or `server/discover`): an
    /// error is itself a failure. The requirement and its spec section.
    pub result_required: Option<(&'static str, &'static str)>,
    /// Check the response against the method's result schema.
    pub check_schema: bool,
    /// `tools/call` of this tool: check `structuredContent` against its `outputSchema`.
    pub tool: Option<String>,
    /// No answer by the deadline is not a finding by itself (a tool may run
    /// long): the liveness probe decides.
    pub may_be_slow: bool,
    /// A cancellation named it ([`cancelled`]): its response may never come,
    /// and over Streamable HTTP its POST's stream may end without one.
    pub cancelled: bool,
    /// An item of a 2025-03-26 batch: silence is the batch refused (L-BATCH-001).
    pub in_batch: bool,
}

/// What the spec prescribes for one input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Ids the input carries.
    pub expected: Vec<Expected>,
    /// Error codes acceptable in a response whose id could not be read
    /// (`null`): `None` when any is, or when no such response may come.
    pub null_id: Option<CodeRule>,
    /// Whether a response with a `null` id may come at all.
    pub null_id_allowed: bool,
    /// Responses with ids the input did not carry may come (ids that a
    /// server may read differently: beyond 2^53, `-0`, `1.0`, in a text that
    /// is refused as a whole).
    pub foreign_ids_allowed: bool,
    /// The input must be alone in flight (its answers cannot be told apart
    /// by id) and be followed by a liveness probe.
    pub solo: bool,
    /// The input is a batch of 2025-03-26 or may be answered by one: an
    /// array response is a protocol message here.
    pub batch: bool,
    /// Request ids its cancellations name that it does not carry before
    /// them: those of earlier inputs, when still in flight, are cancelled.
    pub cancels: Vec<Value>,
}

/// The messages a frame holds: over stdio a newline ends one, wherever it
/// is (found with `memchr`: frames run to a megabyte); elsewhere the frame is one.
fn units(bytes: &[u8], kind: Kind) -> Vec<&[u8]> {
    if kind != Kind::Stdio {
        return vec![bytes];
    }
    let mut units = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        units.push(&bytes[start..end]);
        start = end + 1;
    }
    units.push(&bytes[start..]);
    units
}

/// Derive the plan of `input` for a session described by `surface`.
pub fn plan(input: &Input, surface: &Surface) -> Plan {
    let mut plan = Plan::default();
    let mut null_rules: Vec<Option<CodeRule>> = Vec::new();
    for frame in &input.frames {
        for unit in units(&frame.bytes, surface.kind) {
            unit_plan(unit, surface, &mut plan, &mut null_rules);
            cancelled(unit, &mut plan);
        }
    }
    // Ids repeated in one input: each may be answered once per copy, or the
    // second refused; the spec does not say which (clients must not reuse ids).
    let mut seen: Vec<Value> = Vec::new();
    let mut duplicated: Vec<Value> = Vec::new();
    for e in &plan.expected {
        if seen.contains(&e.id) {
            duplicated.push(e.id.clone());
        }
        seen.push(e.id.clone());
    }
    if !duplicated.is_empty() {
        plan.solo = true;
        plan.null_id_allowed = true;
        null_rules.push(None);
        let mut merged: Vec<Expected> = Vec::new();
        for mut e in std::mem::take(&mut plan.expected) {
            if duplicated.contains(&e.id) {
                if let Some(first) = merged.iter_mut().find(|m| m.id == e.id) {
                    first.max_answers += 1;
                    continue;
                }
                e.need = Need::Optional;
                e.codes = None;
                e.error_required = false;
                e.result_required = None;
                e.check_schema = false;
                e.tool = None;
            }
            merged.push(e);
        }
        plan.expected = merged;
    }
    // A null-id error may be attributed to any unit that allows one: a code
    // is wrong only if no unit accepts it.
    plan.null_id = if null_rules.iter().any(Option::is_none) {
        None
    } else {
        null_rules.into_iter().flatten().reduce(|mut a, b| {
            a.codes.extend(b.codes);
            a
        })
    };
    // A POST carrying no request (a notification) that the server cannot
    // accept gets an HTTP error, whose body may be an error response with
    // no id, in any era of Streamable HTTP.
    if surface.kind == Kind::StreamableHttp && plan.expected.is_empty() && !plan.null_id_allowed {
        plan.null_id_allowed = true;
        plan.null_id = None;
    }
    plan
}

/// A `notifications/cancelled` naming a request sent before it: the
/// receiver SHOULD not answer that request (UTIL-003), so its silence is no
/// finding (the liveness probe decides, as for a slow tool), nor is an
/// answer it may still give; a second answer remains one (JSONRPC-003),
/// and a result is still checked against the schema. A request of the same
/// input is relaxed here; the judge relaxes one of an earlier input still
/// in flight ([`Plan::cancels`]).
fn cancelled(unit: &[u8], plan: &mut Plan) {
    if !may_name(unit, CANCELLED) {
        return;
    }
    let Ok(message) = serde_json::from_slice::<Value>(unit) else { return };
    if message.get("method").and_then(Value::as_str) != Some(CANCELLED) || message.get("id").is_some() {
        return;
    }
    let Some(request) = message.pointer("/params/requestId") else { return };
    let mut named = false;
    for e in plan.expected.iter_mut().filter(|e| e.id == *request) {
        named = true;
        e.cancel();
    }
    if !named {
        plan.cancels.push(request.clone());
    }
}

impl Expected {
    /// Its request was cancelled: see [`cancelled`].
    pub fn cancel(&mut self) {
        if self.need == Need::Required {
            self.cancelled = true;
            self.may_be_slow = true;
            self.codes = None;
            self.error_required = false;
            self.result_required = None;
        }
    }
}

const CANCELLED: &str = "notifications/cancelled";

/// Can `unit`, read as JSON, hold the string `name`? Without a backslash
/// no string is escaped, so the name must then appear as written: the
/// check spares a second full parse of every frame (huge lines included)
/// that cannot. (Whether it is UTF-8 at all, the parse tells.)
fn may_name(unit: &[u8], name: &str) -> bool {
    memchr::memchr(b'\\', unit).is_some() || memchr::memmem::find(unit, name.as_bytes()).is_some()
}

/// The `id` of a JSON object text, when it has an answerable one, read
/// without building the rest: the text is a huge line, or nested deep.
fn answerable_id_of(bytes: &[u8]) -> Option<Value> {
    #[derive(serde::Deserialize)]
    struct WithId {
        id: Option<Value>,
    }
    serde_json::from_slice::<WithId>(bytes).ok()?.id.filter(answerable_id)
}

/// Add what one stdio line or HTTP body calls for.
fn unit_plan(bytes: &[u8], surface: &Surface, plan: &mut Plan, null_rules: &mut Vec<Option<CodeRule>>) {
    let lenient = |plan: &mut Plan, null_rules: &mut Vec<Option<CodeRule>>| {
        plan.solo = true;
        plan.null_id_allowed = true;
        plan.foreign_ids_allowed = true;
        null_rules.push(None);
    };
    if bytes.iter().all(u8::is_ascii_whitespace) && surface.kind == Kind::Stdio {
        // A blank line carries nothing to answer; a server that answers one
        // anyway is not told not to.
        if !bytes.is_empty() {
            lenient(plan, null_rules);
        }
        return;
    }
    if bytes.len() > LENIENT_SIZE {
        // A server may refuse it for its size, but when it does answer, the
        // answer carries the id: keep it, so that a late answer is known.
        lenient(plan, null_rules);
        if let Some(id) = answerable_id_of(bytes) {
            plan.expected.push(optional(id, None));
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        // JSONRPC-002 binds the sender; what a server makes of invalid UTF-8 is open.
        return lenient(plan, null_rules);
    };
    let scan = syntax::scan(text);
    if !scan.valid {
        plan.solo = true;
        plan.null_id_allowed = true;
        null_rules.push(Some(rule(PARSE_ERROR, &[-32700])));
        return;
    }
    if scan.depth > LENIENT_DEPTH || scan.extreme_number {
        lenient(plan, null_rules);
        if let Some(id) = answerable_id_of(bytes) {
            plan.expected.push(optional(id, None));
        }
        return;
    }
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return lenient(plan, null_rules);
    };
    match (scan.top, value) {
        (Top::Array, Value::Array(items)) => batch_plan(items, surface, plan, null_rules),
        (_, Value::Object(object)) => message_plan(&object, surface, plan, null_rules, false),
        _ => {
            plan.solo = true;
            plan.null_id_allowed = true;
            null_rules.push(Some(rule(INVALID_REQUEST, &[-32600])));
        }
    }
}

fn batch_plan(items: Vec<Value>, surface: &Surface, plan: &mut Plan, null_rules: &mut Vec<Option<CodeRule>>) {
    plan.solo = true;
    plan.batch = true;
    plan.null_id_allowed = true;
    if surface.version != "2025-03-26" {
        // JSONRPC-017: how a later server answers an array is not prescribed.
        plan.foreign_ids_allowed = true;
        null_rules.push(None);
        for item in items {
            if let Some(id) = item.get("id").filter(|id| answerable_id(id)) {
                plan.expected.push(optional(id.clone(), item.get("method").and_then(Value::as_str)));
            }
        }
        return;
    }
    // L-BATCH-001: 2025-03-26 accepts batches, answered as JSON-RPC 2.0 says.
    if items.is_empty() {
        null_rules.push(Some(rule(INVALID_REQUEST, &[-32600])));
        return;
    }
    for item in items {
        match item {
            Value::Object(object) => message_plan(&object, surface, plan, null_rules, true),
            _ => null_rules.push(Some(rule(INVALID_REQUEST, &[-32600]))),
        }
    }
}

/// An id an answer may carry back: a readable one, or a whole number written
/// another way (`-0`, `1.0`) that a server may echo as the integer it
/// equals; the judge files both forms under one id.
fn answerable_id(id: &Value) -> bool {
    readable_id(id) || id.as_f64().is_some_and(|x| x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER as f64)
}

/// An id whose echo can be compared exactly: a string, or an integer every
/// JSON implementation holds exactly.
fn readable_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(n) => n.as_i64().is_some_and(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER),
        _ => false,
    }
}

fn optional(id: Value, method: Option<&str>) -> Expected {
    Expected {
        id,
        method: method.map(str::to_string),
        need: Need::Optional,
        max_answers: 1,
        codes: None,
        error_required: false,
        result_required: None,
        check_schema: false,
        tool: None,
        may_be_slow: false,
        cancelled: false,
        in_batch: false,
    }
}

fn message_plan(object: &Map<String, Value>, surface: &Surface, plan: &mut Plan, null_rules: &mut Vec<Option<CodeRule>>, in_batch: bool) {
    let id = object.get("id");
    let method = object.get("method");
    let invalid_request = |plan: &mut Plan, null_rules: &mut Vec<Option<CodeRule>>| {
        plan.solo = true;
        plan.null_id_allowed = true;
        null_rules.push(Some(rule(INVALID_REQUEST, &[-32600])));
        if let Some(id) = id.filter(|id| readable_id(id)) {
            let mut e = optional(id.clone(), method.and_then(Value::as_str));
            e.codes = Some(rule(INVALID_REQUEST, &[-32600]));
            plan.expected.push(e);
        } else if id.is_some_and(|id| !id.is_null()) {
            plan.foreign_ids_allowed = true;
        }
    };
    if object.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return invalid_request(plan, null_rules);
    }
    let method = match method {
        Some(Value::String(m)) => m.as_str(),
        Some(_) => return invalid_request(plan, null_rules),
        None => {
            if id.is_some() && (object.contains_key("result") ^ object.contains_key("error")) {
                // A response to a request the server never sent: nothing is prescribed.
                plan.solo = true;
                plan.null_id_allowed = true;
                plan.foreign_ids_allowed = true;
                null_rules.push(None);
                return;
            }
            return invalid_request(plan, null_rules);
        }
    };
    let params = object.get("params");
    let params_ok = matches!(params, None | Some(Value::Object(_)));
    let Some(id) = id else {
        // A notification: never answered (JSONRPC-014), unless it is not a
        // valid one, which a server may refuse.
        if !params_ok {
            plan.solo = true;
            plan.null_id_allowed = true;
            null_rules.push(None);
        }
        return;
    };
    match id {
        Value::String(_) | Value::Number(_) if readable_id(id) => {}
        // A null id, an id beyond 2^53, `-0`, `1.5`: a server may refuse it,
        // treat it as a notification, or echo it in its own representation.
        Value::Null | Value::Number(_) => {
            plan.solo = true;
            plan.null_id_allowed = true;
            plan.foreign_ids_allowed = true;
            null_rules.push(None);
            if answerable_id(id) {
                plan.expected.push(optional(id.clone(), Some(method)));
            }
            return;
        }
        _ => return invalid_request(plan, null_rules),
    }
    let bundle = schema::bundle();
    let known_here = bundle.version(&surface.version).and_then(|s| s.request_definition(method));
    let known_anywhere = bundle.versions().filter_map(|v| bundle.version(v)).any(|s| s.request_definition(method).is_some());
    let is_notification_name =
        bundle.versions().filter_map(|v| bundle.version(v)).any(|s| s.notification_definition(method).is_some());
    let mut e = optional(id.clone(), Some(method));
    if is_notification_name || method.starts_with("rpc.") || method == "subscriptions/listen" {
        // A notification's name with an id, or a name JSON-RPC reserves, or a
        // request that stays open: any answer, or none.
        plan.solo = true;
        plan.null_id_allowed = true;
        null_rules.push(None);
        plan.expected.push(e);
        return;
    }
    e.need = Need::Required;
    let stateless = surface.era() == Era::Stateless;
    let meta_issue = if stateless { meta_issue(params, surface) } else { MetaIssue::None };
    if !params_ok {
        let mut codes = vec![-32600, -32602];
        if header_gap(object, surface) {
            codes.push(-32020);
        }
        if known_here.is_none() {
            codes.push(-32601);
        }
        if stateless {
            codes.push(-32022);
        }
        e.codes = Some(rule(BAD_PARAMS, &codes));
        e.need = Need::Optional;
        plan.solo = true;
        plan.null_id_allowed = true;
        null_rules.push(Some(rule(INVALID_REQUEST, &codes)));
        plan.expected.push(e);
        return;
    }
    if !known_anywhere {
        // One place where the spec names the code: a method nobody defines.
        let mut codes = vec![-32601];
        match meta_issue {
            MetaIssue::None => {}
            MetaIssue::Missing => codes.push(-32602),
            MetaIssue::Unsupported | MetaIssue::Malformed => codes.extend([-32602, -32022]),
        }
        e.codes = Some(rule(METHOD_NOT_FOUND, &codes));
    } else if known_here.is_none() {
        // A method of another version: a dual-era server may serve it.
    } else {
        e.check_schema = true;
        if method == "tools/call" {
            e.may_be_slow = true;
            e.tool = params
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .filter(|name| surface.tool(name).is_some())
                .map(str::to_string);
        }
        // A valid ping must get its empty result (L-PING-001), a valid
        // discover its DiscoverResult (LIFECYCLE-002): an error breaks them.
        if matches!(method, "ping" | "server/discover") && meta_issue == MetaIssue::None {
            let valid = bundle
                .version(&surface.version)
                .zip(known_here)
                .is_some_and(|(schema, definition)| schema.validate(definition, &Value::Object(object.clone())).is_ok());
            if valid {
                e.result_required = Some(super::oracle::answer_requirement(method));
            }
        }
        if stateless {
            let repaired = |object: &Map<String, Value>| {
                let mut fixed = Value::Object(object.clone());
                let params = fixed.as_object_mut().and_then(|o| {
                    o.entry("params").or_insert_with(|| Value::Object(Map::new()));
                    o.get_mut("params")
                });
                if let Some(params) = params {
                    *params = stateless::with_meta(params.take(), &surface.version);
                    if let Some(meta) = params.get_mut("_meta").and_then(Value::as_object_mut) {
                        meta.insert(META_VERSION.into(), Value::String(surface.version.clone()));
                    }
                }
                fixed
            };
            // Only when the per-request field is the one defect does the spec
            // name the answer: the request with it put right must be valid.
            let sole_defect = || {
                let (Some(schema), Some(definition)) = (bundle.version(&surface.version), known_here) else { return false };
                schema.validate(definition, &repaired(object)).is_ok()
            };
            // A method behind a capability the server did not declare is
            // not implemented (-32601, MethodNotFoundError); which of the two
            // defects a server reports first is not prescribed.
            let implemented = implemented(method, surface);
            let also = |code: i64| if implemented { vec![code] } else { vec![code, -32601] };
            match meta_issue {
                MetaIssue::Missing if sole_defect() => {
                    e.codes = Some(rule(MISSING_META, &also(-32602)));
                    e.error_required = true;
                }
                MetaIssue::Unsupported if sole_defect() => {
                    e.codes = Some(rule(UNSUPPORTED_VERSION, &also(-32022)));
                    e.error_required = true;
                }
                _ => {}
            }
        }
    }
    if in_batch {
        // Batch answers come in an array; matching stays by id.
        plan.solo = true;
        e.in_batch = true;
    }
    if header_gap(object, surface) {
        // Over Streamable HTTP the headers mirror the body; where they cannot
        // (a method that is no plain header value, no version to mirror) the
        // server may refuse the mismatch first (HeaderMismatch).
        if let Some(rule) = e.codes.as_mut() {
            rule.codes.push(-32020);
        }
    }
    plan.expected.push(e);
}

/// Where the request `input` carries with `id` breaks its method's schema:
/// the instance path of the first violation cut to two levels
/// (`/params/_meta`), so that one way of being invalid, which a server
/// usually mishandles in one place whatever the method, is one bucket.
/// `None` when the request matches, or cannot be found or checked.
pub fn request_defect(input: &Input, id: &Value, surface: &Surface) -> Option<String> {
    let schema = schema::bundle().version(&surface.version)?;
    let request = input
        .frames
        .iter()
        .flat_map(|frame| units(&frame.bytes, surface.kind))
        .filter_map(|unit| serde_json::from_slice::<Value>(unit).ok())
        .flat_map(|value| match value {
            Value::Array(items) => items,
            other => vec![other],
        })
        .find(|message| message.get("id") == Some(id) && message.get("method").is_some_and(Value::is_string))?;
    let definition = schema.request_definition(request.get("method")?.as_str()?)?;
    let violations = schema.validate(definition, &request).err()?;
    let path: Vec<&str> = violations.first()?.instance_path.split('/').filter(|s| !s.is_empty()).take(2).collect();
    Some(format!("/{}", path.join("/")))
}

/// Can the stateless Streamable HTTP headers not mirror this request's body?
fn header_gap(object: &Map<String, Value>, surface: &Surface) -> bool {
    if surface.kind != Kind::StreamableHttp || surface.era() != Era::Stateless {
        return false;
    }
    let plain = |v: &str| stateless::header_value(v) == v;
    let method_ok = object.get("method").and_then(Value::as_str).is_some_and(plain);
    let version_ok = object.get("params").and_then(|p| p.pointer("/_meta/io.modelcontextprotocol~1protocolVersion")).and_then(Value::as_str).is_some_and(plain);
    !(method_ok && version_ok)
}

/// Does the server implement `method`: is the capability it belongs to declared?
fn implemented(method: &str, surface: &Surface) -> bool {
    let capability = match method.split('/').next() {
        Some("tools") => "tools",
        Some("resources") => "resources",
        Some("prompts") => "prompts",
        Some("logging") => "logging",
        Some("completion") => "completions",
        Some("tasks") => "tasks",
        _ => return true,
    };
    surface.capabilities.get(capability).is_some_and(|c| !c.is_null())
}

/// What is wrong with a stateless request's per-request `_meta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetaIssue {
    None,
    /// A required field (or `_meta`, or `params`) is absent.
    Missing,
    /// The version is a string the server does not serve.
    Unsupported,
    /// A field has the wrong type, or the server's versions are unknown.
    Malformed,
}

fn meta_issue(params: Option<&Value>, surface: &Surface) -> MetaIssue {
    let meta = params.and_then(|p| p.get("_meta"));
    let (version, capabilities) = match meta {
        Some(Value::Object(meta)) => (meta.get(META_VERSION), meta.get(META_CAPABILITIES)),
        Some(_) => return MetaIssue::Malformed,
        None => (None, None),
    };
    match (version, capabilities) {
        (None, _) | (_, None) => MetaIssue::Missing,
        (Some(Value::String(v)), Some(Value::Object(_))) => match &surface.supported_versions {
            Some(list) if list.iter().any(|s| s == v) => MetaIssue::None,
            Some(_) => MetaIssue::Unsupported,
            None if *v == surface.version => MetaIssue::None,
            None => MetaIssue::Malformed,
        },
        _ => MetaIssue::Malformed,
    }
}

#[cfg(test)]
mod tests;
