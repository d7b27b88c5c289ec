//! The fixture tools, and how each protocol version sees them.
//!
//! | tool   | arguments                    | result |
//! | ------ | ---------------------------- | ------ |
//! | `echo` | `{message: string}`          | one text block holding `message` |
//! | `add`  | `{a: number, b: number}`     | `structuredContent {sum}` (2025-06-18+) plus the same JSON as text (TOOLS-009); before 2025-06-18 only the text |
//! | `fail` | `{}` (no arguments)          | always a result with `isError: true` |
//! | `ask`  | `{}` (no arguments)          | asks the client for roots, a sampled message and a form, as far as it declared the capabilities, and returns a text summary of the answers (see [`crate::ask`]) |
//! | `progress` | `{steps?: 1…10 = 3, delayMs?: 0…200 = 20}` | `notifications/progress` for the request's `progressToken`, one per step (see [`crate::running`]) |
//! | `slow` | `{ms: 0…2000}`               | sleeps, cancellable |
//! | `log`  | `{}`                         | one `notifications/message` per level at or above the level set |
//! | `touch` | `{}`                        | bumps `ref://counter`, announced to its subscribers ([`crate::world`]) |
//! | `toggle` | `{present?: boolean}`      | adds or removes the tool `toggled`, the prompt `toggled` and the resource `ref://toggled` (flips without `present`), announced as list changes |
//! | `mirrored_params` | `{region?, priority?, dryRun?}`, each `x-mcp-header` | says them back; over 2026-07-28 Streamable HTTP their `Mcp-Param-*` headers are checked ([`crate::param_headers`]) |
//! | `toggled` | `{}`                      | listed only while toggled on |
//! | `job`  | `{ms?: 0…2000 = 1000}`       | 2025-11-25 only, and only as a task (`execution.taskSupport: "required"`, see [`crate::tasks`]): sleeps like `slow` |
//! | `primes` | `{count?: 1…20 = 3}`       | 2026-07-28 only: `structuredContent` is an array of the first primes (an `outputSchema` of type array, TOOLS-010), plus the same JSON as text |
//! | `tally` | `{handle?: string}`         | 2026-07-28 only: without a handle opens a counter and returns its handle; with one counts on; an unknown handle is `isError: true` (TOOLS-020, see [`crate::tally`]) |
//! | `weather_agent` | `{}`                 | 2026-07-28 only: for a client declaring `sampling.tools`, a tool-enabled sampling loop over `input_required` (S2C-016, see [`crate::tool_loop`]); otherwise `isError: true` |
//! | `connect_external_account` | `{}`      | 2025-11-25 only: for a client declaring `elicitation.url`, error -32042 naming a URL-mode elicitation until that completes by itself (announced with `notifications/elicitation/complete`), then a text; otherwise `isError: true` (L-ELIC-001, see [`crate::url_elicitation`]) |
//!
//! Every tool but `touch`, `toggle` and `tally` is annotated `readOnlyHint: true`,
//! `openWorldHint: false`; those three change the fixtures and say
//! `readOnlyHint: false, destructiveHint: false, idempotentHint: false`
//! (annotations exist since 2025-03-26); `add` declares an `outputSchema`
//! (since 2025-06-18). Every `inputSchema` is an object schema with
//! `additionalProperties: false`, valid under both draft-07 and 2020-12.
//!
//! Argument errors: since 2025-11-25 (and in 2026-07-28) arguments that fail
//! the `inputSchema` come back as a tool execution error (`isError: true`,
//! TOOLS-011); in earlier versions as JSON-RPC -32602, which those versions'
//! `tools.mdx` list under protocol errors. An unknown tool name is -32602 in
//! every version (TOOLS-012).
//!
//! Tools are listed in a fixed order (TOOLS-004), [`TOOLS_PAGE`] per page:
//! these, then the fixtures the official conformance suite calls
//! ([`crate::conformance_fixtures`]; from 2025-11-25 its
//! `json_schema_2020_12_tool` comes first), then `toggled`.
//!
//! [`call`] answers the tools that finish at once; for `ask`, whose answer
//! depends on the era and on the client, it returns [`Call::Ask`], and for
//! the tools that take time [`Call::Run`], once the arguments are checked;
//! the dispatcher runs those ([`crate::ask`], [`crate::running`]).
//!
//! [`TOOLS_PAGE`]: crate::pagination::TOOLS_PAGE

use serde_json::{json, Map, Value};

use crate::conformance_fixtures::{self, Inquiry};
use crate::faults::{Fault, FaultSet};
use crate::json_schema;
use crate::protocol::{ProtocolVersion, RpcError};
use crate::running::{self, Work};
use crate::world::{self, Delivery, TOGGLED_NAME};

/// What running a tool produced, before it is shaped for a version.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Plain text.
    Text(String),
    /// A structured value (also rendered as JSON text).
    Structured(Value),
    /// A tool execution error (`isError: true`).
    Failure(String),
    /// Content blocks as they are (image, audio, embedded resources).
    Content(Vec<Value>),
}

/// The fixtures, as `--help` describes them.
pub const HELP: &str = "Fixture tools:
  echo {message: string}       returns the message as text
  add  {a: number, b: number}  returns structuredContent {sum} (2025-06-18+) and the same JSON as text
  fail {}                      always returns a result with isError: true
  ask  {}                      asks the client for input, only as far as it declared the capabilities:
                               roots/list, sampling/createMessage, elicitation/create (a form).
                               2024-11-05..2025-11-25: JSON-RPC requests to the client (over Streamable
                               HTTP on the call's SSE response stream), each answer awaited up to
                               --ask-timeout; 2026-07-28: an input_required result, completed by the
                               retry's inputResponses + requestState. Returns a text summary.
  progress {steps?, delayMs?}  notifications/progress per step for the request's progressToken
  slow {ms}                    sleeps up to 2 s; cancellable (ref://slow-calls counts how calls ended)
  log {}                       one notifications/message per level at or above the level set
                               (logging/setLevel; in 2026-07-28 _meta io.modelcontextprotocol/logLevel)
  touch {}                     changes ref://counter, notifying its subscribers
  toggle {present?}            adds/removes the tool, prompt and resource named toggled (list_changed)
  job {ms?}                    2025-11-25, only as a task (params.task): sleeps like slow (default 1000 ms).
                               Tasks (2025-11-25): tools/call with params.task, tasks/get, tasks/result,
                               tasks/list, tasks/cancel; add, fail, ask, progress, slow may run as tasks.
  tally {handle?}              2026-07-28: counts behind a server-issued handle; an unknown handle is a tool error
  primes {count?}              2026-07-28: structuredContent [2, 3, 5, ...] (an array) and the same JSON as text
  test_* and json_schema_2020_12_tool: the fixtures the official conformance suite
                               (npm @modelcontextprotocol/conformance) calls by name

Resources: ref://readme, ref://logo (blob), ref://counter, ref://slow-calls, ref://items/1..120;
templates ref://items/{id}, ref://bytes/{size}, ref://greetings/{name}.
Prompts: greeting {name, style?}, summarize-item {id} (embeds a resource), simple.
Conformance suite fixtures: test://static-text, test://static-binary, test://watched-resource,
template test://template/{id}/data; prompts test_simple_prompt, test_prompt_with_arguments,
test_prompt_with_embedded_resource, test_prompt_with_image.
Completion: greeting.style, summarize-item.id, template variables. Every list is paginated.
2026-07-28: subscriptions/listen for list changes and resource updates.
";

/// How a tool runs.
#[derive(Clone, Copy)]
pub(crate) enum Runner {
    /// At once.
    Now(fn(&Map<String, Value>, FaultSet) -> Output),
    /// `ask`, which the dispatcher runs (it needs the client).
    Ask,
    /// Work that takes time, which the dispatcher runs with the request's stream.
    Later(fn(&Map<String, Value>) -> Work),
    /// A conformance tool that asks the client one thing, which the
    /// dispatcher runs for its era.
    Inquire(fn(&Map<String, Value>) -> Inquiry),
}

/// One fixture tool.
pub(crate) struct Fixture {
    pub(crate) name: &'static str,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
    pub(crate) input_schema: fn() -> Value,
    pub(crate) output_schema: Option<fn() -> Value>,
    pub(crate) run: Runner,
    /// `readOnlyHint` (false for the tools that change the fixtures).
    pub(crate) read_only: bool,
}

/// The names of the tools that may send messages before their response
/// (the dispatcher gives them a stream of their own).
pub const STREAMING: &[&str] = &[crate::ask::TOOL_NAME, "progress", "slow", "log", crate::tool_loop::TOOL_NAME];

/// Whether the tool `name` may send messages before its response
/// ([`STREAMING`] and the conformance tools that do).
pub fn streams(name: &str) -> bool {
    STREAMING.contains(&name) || conformance_fixtures::STREAMING.contains(&name)
}

/// Whether the tool `name` asks the client for input (in 2026-07-28 it
/// answers `input_required` at once instead of streaming).
pub fn asks_client(name: &str) -> bool {
    name == crate::ask::TOOL_NAME || conformance_fixtures::asks_client(name) || name == crate::tool_loop::TOOL_NAME
}

fn no_arguments() -> Value {
    json!({"type": "object", "additionalProperties": false})
}

fn int_arg(args: &Map<String, Value>, key: &str, default: u64) -> u64 {
    // The schema admits integers only (2.0 included), within bounds.
    args.get(key).and_then(Value::as_f64).map_or(default, |f| f as u64)
}

fn delivery(faults: FaultSet) -> Delivery {
    Delivery::with_faults(faults)
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "echo",
        title: "Echo",
        description: "Returns the given message unchanged as text.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {"message": {"type": "string", "description": "Text to send back"}},
                "required": ["message"],
                "additionalProperties": false
            })
        },
        output_schema: None,
        run: Runner::Now(|args, _| Output::Text(args.get("message").and_then(Value::as_str).unwrap_or_default().to_owned())),
        read_only: true,
    },
    Fixture {
        name: "add",
        title: "Add",
        description: "Adds two numbers; returns {\"sum\": a + b} as structured content and as JSON text.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "number", "description": "First addend"},
                    "b": {"type": "number", "description": "Second addend"}
                },
                "required": ["a", "b"],
                "additionalProperties": false
            })
        },
        output_schema: Some(|| {
            json!({
                "type": "object",
                "properties": {"sum": {"type": "number"}},
                "required": ["sum"],
                "additionalProperties": false
            })
        }),
        run: Runner::Now(|args, _| run_add(args)),
        read_only: true,
    },
    Fixture {
        name: "fail",
        title: "Fail",
        description: "Always fails: returns a tool execution error (isError: true).",
        input_schema: no_arguments,
        output_schema: None,
        run: Runner::Now(|_, _| Output::Failure("The fail tool always fails; this error is intentional.".into())),
        read_only: true,
    },
    Fixture {
        name: crate::ask::TOOL_NAME,
        title: "Ask",
        description: "Asks the client for input: roots/list, sampling/createMessage and elicitation/create (a form), \
each only if the client declared the capability; returns a text summary of the answers.",
        input_schema: no_arguments,
        output_schema: None,
        run: Runner::Ask,
        read_only: true,
    },
    Fixture {
        name: "progress",
        title: "Progress",
        description: "Works through steps (default 3), waiting delayMs (default 20) before each, and sends \
notifications/progress after each step when the request carries a progressToken.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {
                    "steps": {"type": "integer", "minimum": 1, "maximum": running::MAX_STEPS, "description": "How many steps (default 3)"},
                    "delayMs": {"type": "integer", "minimum": 0, "maximum": running::MAX_DELAY_MS, "description": "Milliseconds before each step (default 20)"}
                },
                "additionalProperties": false
            })
        },
        output_schema: None,
        run: Runner::Later(|args| Work::Progress {
            steps: int_arg(args, "steps", 3),
            delay_ms: int_arg(args, "delayMs", 20),
        }),
        read_only: true,
    },
    Fixture {
        name: "slow",
        title: "Slow",
        description: "Sleeps for ms milliseconds, then says so; cancelling the call stops it (ref://slow-calls counts how calls ended).",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {"ms": {"type": "integer", "minimum": 0, "maximum": running::MAX_SLOW_MS, "description": "Milliseconds to sleep"}},
                "required": ["ms"],
                "additionalProperties": false
            })
        },
        output_schema: None,
        run: Runner::Later(|args| Work::Slow { ms: int_arg(args, "ms", 0) }),
        read_only: true,
    },
    Fixture {
        name: "log",
        title: "Log",
        description: "Sends one notifications/message per log level at or above the level set (logging/setLevel, \
or the request's io.modelcontextprotocol/logLevel in 2026-07-28); nothing without a level.",
        input_schema: no_arguments,
        output_schema: None,
        run: Runner::Later(|_| Work::Log),
        read_only: true,
    },
    Fixture {
        name: "touch",
        title: "Touch",
        description: "Bumps the counter of the resource ref://counter, which notifies its subscribers.",
        input_schema: no_arguments,
        output_schema: None,
        run: Runner::Now(|_, faults| {
            let count = world::world().touch(delivery(faults));
            Output::Text(format!("ref://counter is now {count}."))
        }),
        read_only: false,
    },
    Fixture {
        name: "toggle",
        title: "Toggle",
        description: "Adds or removes (present: true/false; flips without it) the tool and the prompt named toggled and the \
resource ref://toggled, which notifies list changes.",
        input_schema: || {
            json!({
                "type": "object",
                "properties": {"present": {"type": "boolean", "description": "Whether the toggled items should exist (default: the opposite of now)"}},
                "additionalProperties": false
            })
        },
        output_schema: None,
        run: Runner::Now(|args, faults| {
            let present = args.get("present").and_then(Value::as_bool);
            let (now, changed) = world::world().toggle(present, delivery(faults));
            let state = if now { "present" } else { "absent" };
            let change = if changed { "" } else { " (unchanged)" };
            Output::Text(format!("The toggled tool, prompt and resource are {state}{change}."))
        }),
        read_only: false,
    },
    Fixture {
        name: crate::param_headers::TOOL_NAME,
        title: "Mirrored parameters",
        description: "Says back region, priority and dryRun. Over 2026-07-28 Streamable HTTP the three are marked \
x-mcp-header, so a call must mirror each one it gives into its Mcp-Param-* header.",
        input_schema: crate::param_headers::input_schema,
        output_schema: None,
        run: Runner::Now(|args, _| Output::Text(crate::param_headers::describe_call(args))),
        read_only: true,
    },
];

const TOGGLED: Fixture = Fixture {
    name: TOGGLED_NAME,
    title: "Toggled",
    description: "Listed only while the toggle tool has switched it on.",
    input_schema: no_arguments,
    output_schema: None,
    run: Runner::Now(|_, _| Output::Text("The toggled tool is here.".into())),
    read_only: true,
};

const JOB: Fixture = Fixture {
    name: crate::tasks::JOB_TOOL,
    title: "Job",
    description: "Runs only as a task (2025-11-25, execution.taskSupport \"required\"): sleeps ms milliseconds \
(default 1000) like slow, then says so. Poll it with tasks/get, collect it with tasks/result.",
    input_schema: || {
        json!({
            "type": "object",
            "properties": {"ms": {"type": "integer", "minimum": 0, "maximum": running::MAX_SLOW_MS, "description": "Milliseconds to sleep (default 1000)"}},
            "additionalProperties": false
        })
    },
    output_schema: None,
    run: Runner::Later(|args| Work::Slow { ms: int_arg(args, "ms", 1000) }),
    read_only: true,
};

/// The first primes, as many as asked for.
fn first_primes(count: u64) -> Vec<u64> {
    (2u64..).filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0)).take(count as usize).collect()
}

/// 2026-07-28 only: structured content that is not an object (an array),
/// which that revision allows (TOOLS-010).
const PRIMES: Fixture = Fixture {
    name: "primes",
    title: "Primes",
    description: "Returns the first count primes (default 3) as an array: structuredContent [2, 3, 5, ...] and the same JSON as text.",
    input_schema: || {
        json!({
            "type": "object",
            "properties": {"count": {"type": "integer", "minimum": 1, "maximum": 20, "description": "How many primes (default 3)"}},
            "additionalProperties": false
        })
    },
    output_schema: Some(|| json!({"type": "array", "items": {"type": "integer"}})),
    run: Runner::Now(|args, _| Output::Structured(json!(first_primes(int_arg(args, "count", 3))))),
    read_only: true,
};

/// Cross-call state behind server-issued handles (TOOLS-020, see [`crate::tally`]).
const TALLY: Fixture = Fixture {
    name: "tally",
    title: "Tally",
    description: "Counts across calls behind a handle: without a handle opens a counter at 1 and returns its handle; \
with one counts on. Counters beyond the newest 1024 expire; an unknown or expired handle is a tool error.",
    input_schema: || {
        json!({
            "type": "object",
            "properties": {"handle": {"type": "string", "description": "A handle an earlier tally call returned"}},
            "additionalProperties": false
        })
    },
    output_schema: None,
    run: Runner::Now(crate::tally::run),
    read_only: false,
};

/// 2025-11-25 only: a call that needs the user at a URL first, signalled
/// with error -32042 (L-ELIC-001, see [`crate::url_elicitation`]).
const CONNECT_EXTERNAL_ACCOUNT: Fixture = Fixture {
    name: crate::url_elicitation::TOOL_NAME,
    title: "Connect an external account",
    description: "2025-11-25, for clients declaring elicitation.url: until the user has connected the account at a URL, \
the call is refused with error -32042 naming a URL-mode elicitation, completed by itself shortly after with \
notifications/elicitation/complete; then it succeeds. Without elicitation.url a tool error.",
    input_schema: no_arguments,
    output_schema: None,
    run: Runner::Now(|_, _| crate::url_elicitation::undeclared()),
    read_only: true,
};

/// 2025-11-25 and 2026-07-28: a tool-enabled sampling loop, over
/// sampling/createMessage requests or multi round-trip requests (S2C-016,
/// see [`crate::tool_loop`]).
const WEATHER_AGENT: Fixture = Fixture {
    name: crate::tool_loop::TOOL_NAME,
    title: "Weather agent",
    description: "2025-11-25 and 2026-07-28, for clients declaring sampling.tools: asks the client's model \
(sampling/createMessage; input_required in 2026-07-28) about the weather with the tool get_weather offered; after a \
toolUse answer runs the tool and asks again with the tool results; returns the model's final text. Without \
sampling.tools a tool error.",
    input_schema: no_arguments,
    output_schema: None,
    run: Runner::Now(|_, _| Output::Failure("This tool lets the model use tools, which needs the client's sampling.tools capability.".into())),
    read_only: true,
};

/// The tools there are now at `version`, in order (`job` exists only
/// where tasks do).
fn current(version: ProtocolVersion) -> Vec<&'static Fixture> {
    let conformance = conformance_fixtures::TOOLS.iter().filter(|t| t.offered_at(version)).map(|t| &t.tool);
    let json_schema = Some(&conformance_fixtures::JSON_SCHEMA).filter(|t| t.offered_at(version)).map(|t| &t.tool);
    let mut all: Vec<&'static Fixture> = json_schema.into_iter().chain(FIXTURES).chain(conformance).collect();
    // 2026-07-28 fixtures, after the others so that older lists stay as they were.
    if version == ProtocolVersion::V2026_07_28 {
        all.push(&PRIMES);
        all.push(&TALLY);
        all.push(&WEATHER_AGENT);
    }
    if version.has_tasks() {
        all.push(&JOB);
    }
    if version == ProtocolVersion::V2025_11_25 {
        all.push(&CONNECT_EXTERNAL_ACCOUNT);
        // Tools in sampling came with 2025-11-25, as server requests there.
        all.push(&WEATHER_AGENT);
    }
    if world::world().toggled() {
        all.push(&TOGGLED);
    }
    all
}

fn run_add(args: &Map<String, Value>) -> Output {
    let a = args.get("a");
    let b = args.get("b");
    // Integers stay integers so that 1 + 2 reads as 3, not 3.0.
    if let (Some(x), Some(y)) = (a.and_then(Value::as_i64), b.and_then(Value::as_i64)) {
        if let Some(sum) = x.checked_add(y) {
            return Output::Structured(json!({ "sum": sum }));
        }
    }
    let sum = a.and_then(Value::as_f64).unwrap_or(0.0) + b.and_then(Value::as_f64).unwrap_or(0.0);
    if sum.is_finite() {
        Output::Structured(json!({ "sum": sum }))
    } else {
        // JSON has no infinity: report it rather than emit `null`.
        Output::Failure("The sum is too large to represent as a JSON number.".into())
    }
}

/// The name `f` is listed (and called) under: its own, but for the
/// `tool-name-with-spaces` fault.
fn listed_name(f: &Fixture, faults: FaultSet) -> &'static str {
    if faults.contains(Fault::ToolNameWithSpaces) && f.name == "test_simple_text" {
        "test simple text"
    } else {
        crate::surface_variants::listed_name(crate::surface_variants::active(), f.name)
    }
}

fn annotations(read_only: bool) -> Value {
    if read_only {
        json!({"readOnlyHint": true, "openWorldHint": false})
    } else {
        json!({"readOnlyHint": false, "destructiveHint": false, "idempotentHint": false, "openWorldHint": false})
    }
}

/// The `tools/list` entries as `version` defines them (before paging).
pub fn list(version: ProtocolVersion, faults: FaultSet) -> Vec<Value> {
    current(version).into_iter().map(|f| describe(f, version, faults)).collect()
}

fn describe(f: &Fixture, version: ProtocolVersion, faults: FaultSet) -> Value {
    let mut tool = Map::new();
    if !(faults.contains(Fault::ToolsListInvalid) && f.name == "fail") {
        tool.insert("name".into(), json!(listed_name(f, faults)));
    }
    if version.has_titles() {
        tool.insert("title".into(), json!(f.title));
    }
    tool.insert("description".into(), json!(f.description));
    let mut input_schema = published_input_schema(f);
    if faults.contains(Fault::ParamHeaderAnnotationInvalid) && f.name == crate::param_headers::TOOL_NAME {
        crate::param_headers::spoil_annotations(&mut input_schema);
    }
    if faults.contains(Fault::ToolInputSchemaInvalid) && f.name == "echo" {
        if let Some(t) = input_schema.pointer_mut("/properties/message/type") {
            *t = json!("strnig");
        }
    }
    tool.insert("inputSchema".into(), input_schema);
    // Tools got `_meta` in 2025-06-18, with titles.
    if faults.contains(Fault::MetaKeyInvalid) && f.name == "echo" && version.has_titles() {
        tool.insert("_meta".into(), json!({"com.example.reference/-draft": true}));
    }
    if version.has_structured_output() {
        if let Some(schema) = f.output_schema {
            tool.insert("outputSchema".into(), schema());
        }
    }
    if version.has_tool_annotations() {
        let mut annotations = annotations(f.read_only);
        if let (true, Some(hint)) = (faults.contains(Fault::ToolAnnotationMistyped) && f.name == "echo", annotations.get_mut("openWorldHint")) {
            *hint = json!("false");
        }
        tool.insert("annotations".into(), annotations);
    }
    if let Some(support) = crate::tasks::task_support(f.name).filter(|_| version.has_tasks()) {
        tool.insert("execution".into(), json!({ "taskSupport": support }));
    }
    Value::Object(tool)
}

/// `f`'s `inputSchema`, as the `--surface-variant` served (if any) has it.
fn published_input_schema(f: &Fixture) -> Value {
    let mut schema = (f.input_schema)();
    crate::surface_variants::input_schema(crate::surface_variants::active(), f.name, &mut schema);
    schema
}

/// What [`call`] came to.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    /// The `CallToolResult`.
    Done(Value),
    /// The `ask` tool, with valid arguments: the dispatcher runs it for its era.
    Ask,
    /// A tool that takes time, with valid arguments: the dispatcher runs it.
    Run(Work),
    /// A conformance tool that asks the client, with valid arguments: the
    /// dispatcher runs it for its era.
    Inquire(Inquiry),
}

/// The published `inputSchema` of the tool `name` as `version` has it now.
pub fn input_schema(version: ProtocolVersion, name: &str) -> Option<Value> {
    current(version).into_iter().find(|f| f.name == name).map(published_input_schema)
}

/// The `name` of a `tools/call`, if it is a string.
pub fn name_of(params: &Map<String, Value>) -> Option<&str> {
    params.get("name").and_then(Value::as_str)
}

/// Runs `tools/call` with its `params` and returns the `CallToolResult`
/// (without the 2026-07-28 `resultType`/`_meta` decoration, which the
/// dispatcher adds), or [`Call::Ask`].
pub fn call(version: ProtocolVersion, faults: FaultSet, params: &Map<String, Value>) -> Result<Call, RpcError> {
    // Under `invalid-params-wrong-code` a mistyped member is reported as an internal error.
    let mistyped = |what: &str| {
        let mut e = RpcError::invalid_params(format!("tools/call {what}"));
        if faults.contains(Fault::InvalidParamsWrongCode) {
            e.code = crate::protocol::code::INTERNAL_ERROR;
        }
        e
    };
    let name = match params.get("name") {
        Some(Value::String(n)) => n.as_str(),
        Some(_) => return Err(mistyped("\"name\" must be a string")),
        None => return Err(RpcError::invalid_params("tools/call needs a \"name\"")),
    };
    let empty = Map::new();
    let args = match params.get("arguments") {
        None => &empty,
        Some(Value::Object(a)) => a,
        Some(_) => return Err(mistyped("\"arguments\" must be an object")),
    };
    let Some(fixture) = current(version).into_iter().find(|f| listed_name(f, faults) == name) else {
        if version == ProtocolVersion::V2026_07_28 && faults.contains(Fault::UnknownToolAsToolError) {
            // A protocol error reported as if the tool had run and failed (TOOLS-012).
            return Ok(Call::Done(shape_result(version, faults, Output::Failure(format!("Unknown tool: {name}")))));
        }
        let mut e = RpcError::invalid_params(format!("Unknown tool: {name}"));
        // Two faults give 2026-07-28 codes it forbids (JSONRPC-010) or advises against (JSONRPC-013).
        if version == ProtocolVersion::V2026_07_28 {
            if faults.contains(Fault::UndefinedMcpErrorCode) {
                e.code = -32040;
            } else if faults.contains(Fault::ReservedErrorCode) {
                e.code = -32500;
            }
        }
        return Err(e);
    };
    // The fixture's own name from here on (a fault may list it under another).
    let name = fixture.name;
    crate::tasks::negotiate(version, faults, name, params)?;
    let schema = conformance_fixtures::validation_schema(name, published_input_schema(fixture));
    let checked = match json_schema::validate(&schema, &Value::Object(args.clone())) {
        Err(_) if faults.contains(Fault::ToolArgumentsUnchecked) => Ok(()),
        other => other,
    };
    let output = match checked {
        Ok(()) => match fixture.run {
            Runner::Now(run) => run(args, faults),
            Runner::Ask => return Ok(Call::Ask),
            Runner::Later(work) => return Ok(Call::Run(work(args))),
            Runner::Inquire(inquiry) => return Ok(Call::Inquire(inquiry(args))),
        },
        Err(problem) => {
            let message = format!("Invalid arguments for tool {name}: {problem}");
            if version.reports_invalid_arguments_as_tool_errors() && !faults.contains(Fault::ArgumentErrorsAsProtocolErrors) {
                Output::Failure(message)
            } else {
                return Err(RpcError::invalid_params(message));
            }
        }
    };
    Ok(Call::Done(shape_result(version, faults, output)))
}

fn text_block(text: impl Into<String>) -> Value {
    json!({"type": "text", "text": text.into()})
}

/// The `CallToolResult` for `output` as `version` defines it (with the
/// `call-result-invalid` fault applied).
pub fn shape_result(version: ProtocolVersion, faults: FaultSet, output: Output) -> Value {
    let mut result = Map::new();
    match output {
        Output::Text(text) => {
            result.insert("content".into(), json!([text_block(text)]));
        }
        Output::Structured(mut value) => {
            if faults.contains(Fault::StructuredContentMismatch) {
                // The outputSchema says `sum` is a number; a string breaks it.
                let wrong = value.get("sum").map(|s| s.to_string()).unwrap_or_default();
                value = json!({ "sum": wrong });
            }
            if faults.contains(Fault::StructuredContentWrapped) && !value.is_object() {
                value = json!({ "result": value });
            }
            let text = if faults.contains(Fault::StructuredContentWithoutText) && version.has_structured_output() {
                "The result is in structuredContent.".to_string()
            } else {
                value.to_string()
            };
            result.insert("content".into(), json!([text_block(text)]));
            if version.has_structured_output() {
                result.insert("structuredContent".into(), value);
            }
        }
        Output::Failure(text) => {
            result.insert("content".into(), json!([text_block(text)]));
            result.insert("isError".into(), json!(true));
        }
        Output::Content(blocks) => {
            result.insert("content".into(), Value::Array(blocks));
        }
    }
    if faults.contains(Fault::CallResultInvalid) {
        if let Some(Value::Array(content)) = result.get_mut("content") {
            content.push(json!({"type": "hologram", "data": "aGVsbG8="}));
        }
    }
    Value::Object(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    /// `call` for the tools that answer at once.
    fn call(version: ProtocolVersion, faults: FaultSet, params: &Map<String, Value>) -> Result<Value, RpcError> {
        super::call(version, faults, params).map(|c| match c {
            Call::Done(v) => v,
            Call::Ask | Call::Run(_) | Call::Inquire(_) => panic!("run by the dispatcher"),
        })
    }

    #[test]
    fn published_schemas_stay_in_the_validated_subset() {
        for f in FIXTURES {
            let input = (f.input_schema)();
            json_schema::check_supported(&input).unwrap();
            assert_eq!(input["type"], "object", "{}", f.name);
            if let Some(o) = f.output_schema {
                json_schema::check_supported(&o()).unwrap();
            }
        }
    }

    #[test]
    fn invalid_schema_fault_is_really_invalid() {
        let tools = list(ProtocolVersion::V2026_07_28, FaultSet::only(Fault::ToolInputSchemaInvalid));
        let echo = tools.iter().find(|t| t["name"] == "echo").unwrap();
        assert!(json_schema::check_supported(&echo["inputSchema"]).is_err());
        // ...while calls still validate against the real schema.
        let r = call(
            ProtocolVersion::V2026_07_28,
            FaultSet::only(Fault::ToolInputSchemaInvalid),
            &params(json!({"name": "echo", "arguments": {"message": "hi"}})),
        )
        .unwrap();
        assert_eq!(r["content"][0]["text"], "hi");
    }

    #[test]
    fn listing_follows_the_version() {
        let old = list(ProtocolVersion::V2024_11_05, FaultSet::NONE);
        assert!(old.len() >= FIXTURES.len());
        for t in &old {
            let keys: Vec<_> = t.as_object().unwrap().keys().cloned().collect();
            assert_eq!(keys, ["name", "description", "inputSchema"]);
        }
        let mid = list(ProtocolVersion::V2025_03_26, FaultSet::NONE);
        assert!(mid[0].get("annotations").is_some());
        assert!(mid[1].get("outputSchema").is_none());
        assert!(mid[0].get("title").is_none());
        let new = list(ProtocolVersion::V2025_06_18, FaultSet::NONE);
        assert!(new[1].get("outputSchema").is_some());
        assert_eq!(new[0]["title"], "Echo");
        let names: Vec<_> = new.iter().take(FIXTURES.len()).map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["echo", "add", "fail", "ask", "progress", "slow", "log", "touch", "toggle", "mirrored_params"]);
        assert_eq!(new[3]["annotations"]["readOnlyHint"], true);
        assert_eq!(new[7]["annotations"]["readOnlyHint"], false, "touch changes the fixtures");
    }

    #[test]
    fn ask_is_handed_to_the_dispatcher_after_its_arguments_are_checked() {
        let ask = params(json!({"name": "ask", "arguments": {}}));
        assert_eq!(super::call(ProtocolVersion::V2024_11_05, FaultSet::NONE, &ask).unwrap(), Call::Ask);
        let bare = params(json!({"name": "ask"}));
        assert_eq!(super::call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &bare).unwrap(), Call::Ask);
        let extra = params(json!({"name": "ask", "arguments": {"x": 1}}));
        assert_eq!(super::call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &extra).unwrap_err().code, code::INVALID_PARAMS);
        let r = call(ProtocolVersion::V2025_11_25, FaultSet::NONE, &extra).unwrap();
        assert_eq!(r["isError"], true);
    }

    #[test]
    fn tools_that_take_time_are_handed_to_the_dispatcher() {
        let p = params(json!({"name": "progress", "arguments": {"steps": 2.0}}));
        assert_eq!(super::call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &p).unwrap(), Call::Run(Work::Progress { steps: 2, delay_ms: 20 }));
        let p = params(json!({"name": "slow", "arguments": {"ms": 5}}));
        assert_eq!(super::call(ProtocolVersion::V2024_11_05, FaultSet::NONE, &p).unwrap(), Call::Run(Work::Slow { ms: 5 }));
        for bad in [json!({"name": "slow"}), json!({"name": "slow", "arguments": {"ms": 2001}}), json!({"name": "progress", "arguments": {"steps": 0}})] {
            let e = super::call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &params(bad.clone())).unwrap_err();
            assert_eq!(e.code, code::INVALID_PARAMS, "{bad}");
        }
    }

    #[test]
    fn add_is_structured_from_2025_06_18() {
        let p = params(json!({"name": "add", "arguments": {"a": 1, "b": 2}}));
        let old = call(ProtocolVersion::V2025_03_26, FaultSet::NONE, &p).unwrap();
        assert_eq!(old, json!({"content": [{"type": "text", "text": "{\"sum\":3}"}]}));
        let new = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &p).unwrap();
        assert_eq!(new["structuredContent"], json!({"sum": 3}));
        assert_eq!(new["content"][0]["text"], "{\"sum\":3}");
        let out = (FIXTURES[1].output_schema.unwrap())();
        json_schema::validate(&out, &new["structuredContent"]).unwrap();
        let floats = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &params(json!({"name": "add", "arguments": {"a": 0.5, "b": 0.25}}))).unwrap();
        assert_eq!(floats["structuredContent"]["sum"], 0.75);
    }

    #[test]
    fn add_overflow_is_a_tool_error_not_null() {
        let p = params(json!({"name": "add", "arguments": {"a": 1e308, "b": 1e308}}));
        let r = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &p).unwrap();
        assert_eq!(r["isError"], true);
        assert!(r.get("structuredContent").is_none());
    }

    #[test]
    fn structured_mismatch_fault_breaks_the_output_schema() {
        let p = params(json!({"name": "add", "arguments": {"a": 1, "b": 2}}));
        let r = call(ProtocolVersion::V2025_06_18, FaultSet::only(Fault::StructuredContentMismatch), &p).unwrap();
        let out = (FIXTURES[1].output_schema.unwrap())();
        assert!(json_schema::validate(&out, &r["structuredContent"]).is_err());
        assert_eq!(r["content"][0]["text"], r["structuredContent"].to_string());
    }

    #[test]
    fn argument_errors_depend_on_version() {
        let p = params(json!({"name": "echo", "arguments": {"message": 5}}));
        let e = call(ProtocolVersion::V2025_06_18, FaultSet::NONE, &p).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
        let r = call(ProtocolVersion::V2025_11_25, FaultSet::NONE, &p).unwrap();
        assert_eq!(r["isError"], true);
        let missing = params(json!({"name": "add", "arguments": {"a": 1}}));
        assert_eq!(call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &missing).unwrap()["isError"], true);
    }

    #[test]
    fn argument_faults() {
        let missing = params(json!({"name": "echo", "arguments": {}}));
        let r = call(ProtocolVersion::V2026_07_28, FaultSet::only(Fault::ToolArgumentsUnchecked), &missing).unwrap();
        assert_eq!((r["content"][0]["text"].clone(), r.get("isError")), (json!(""), None));
        let e = call(ProtocolVersion::V2026_07_28, FaultSet::only(Fault::ArgumentErrorsAsProtocolErrors), &missing).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
    }

    #[test]
    fn protocol_errors() {
        for bad in [
            json!({"name": "nope"}),
            json!({}),
            json!({"name": 3}),
            json!({"name": "echo", "arguments": [1]}),
        ] {
            let e = call(ProtocolVersion::V2026_07_28, FaultSet::NONE, &params(bad)).unwrap_err();
            assert_eq!(e.code, code::INVALID_PARAMS);
        }
    }

    #[test]
    fn fail_and_invalid_result_fault() {
        let p = params(json!({"name": "fail"}));
        let r = call(ProtocolVersion::V2024_11_05, FaultSet::NONE, &p).unwrap();
        assert_eq!(r["isError"], true);
        let r = call(ProtocolVersion::V2024_11_05, FaultSet::only(Fault::CallResultInvalid), &p).unwrap();
        assert_eq!(r["content"][1]["type"], "hologram");
    }
}
