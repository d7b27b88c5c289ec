//! The fixtures the official conformance suite (npm
//! `@modelcontextprotocol/conformance`) calls by name, so that suite can
//! grade this server too. They sit beside the server's own fixtures in every
//! list, in every version that has the feature they exercise.
//!
//! | tool | since | arguments | result |
//! | ---- | ----- | --------- | ------ |
//! | `json_schema_2020_12_tool` | 2025-11-25 | `{name?, address?: {street?, city?}}` | its `inputSchema` keeps `$schema` (2020-12), `$defs` and `additionalProperties: false`; says what it got |
//! | `test_simple_text` | 2024-11-05 | `{}` | one text block |
//! | `test_image_content` | 2024-11-05 | `{}` | one `image/png` block (a 1×1 PNG) |
//! | `test_audio_content` | 2025-03-26 | `{}` | one `audio/wav` block (a short silent WAV) |
//! | `test_embedded_resource` | 2024-11-05 | `{}` | one embedded text resource `test://embedded-resource` |
//! | `test_multiple_content_types` | 2024-11-05 | `{}` | a text, an image and an embedded JSON resource |
//! | `test_tool_with_logging` | 2024-11-05 | `{}` | three `info` messages ~50 ms apart, as far as the level set lets them through |
//! | `test_error_handling` | 2024-11-05 | `{}` | `isError: true` |
//! | `test_tool_with_progress` | 2024-11-05 | `{}` | the `progress` tool's three steps, ~50 ms apart |
//! | `test_sampling` | 2024-11-05 | `{prompt}` | asks `sampling/createMessage` with the prompt; `LLM response: …` |
//! | `test_elicitation` | 2025-06-18 | `{message}` | asks `elicitation/create` for a username and an email |
//! | `test_elicitation_sep1034_defaults` | 2025-11-25 | `{}` | a form whose five fields have defaults (SEP-1034) |
//! | `test_elicitation_sep1330_enums` | 2025-11-25 | `{}` | a form with the five enum shapes (SEP-1330) |
//! | `test_reconnection` | 2025-11-25 | `{}` | answers after a short pause; over Streamable HTTP its POST stream closes after the priming event, so the answer comes on the resumed stream (SEP-1699 polling) |
//!
//! The asking tools ([`Inquiry`]) ask only when the client declared the
//! capability (otherwise `isError: true` in the handshake era, and in
//! 2026-07-28 the error -32021 naming it, LIFECYCLE-009): in the handshake era as one
//! JSON-RPC request to the client, like `ask`; in 2026-07-28 as an
//! `input_required` result with one `inputRequests` entry and a sealed
//! `requestState`, completed by the retry's `inputResponses`.
//!
//! Resources: `test://static-text`, `test://static-binary` (PNG blob),
//! `test://watched-resource` (may be subscribed to; never changes), and the
//! template `test://template/{id}/data` (JSON naming the id). Prompts:
//! `test_simple_prompt`, `test_prompt_with_arguments {arg1, arg2}` (both
//! can be completed), `test_prompt_with_embedded_resource {resourceUri}`,
//! `test_prompt_with_image`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::ask::{no_request_state, read_retry, Question, Retry, Stateless, STATE_TTL_SECS};
use crate::dispatch::LegacySession;
use crate::json_schema;
use crate::peer::ClientLink;
use crate::prompts::{Argument, Prompt};
use crate::protocol::{code, ClientCapabilities, ProtocolVersion, RpcError};
use crate::request_state;
use crate::resources::{Fixed, Resolved, LOGO_PNG_BASE64};
use crate::running::Work;
use crate::tools::{Fixture, Output, Runner};

/// The tool whose schema uses JSON Schema 2020-12 keywords.
pub const JSON_SCHEMA_TOOL: &str = "json_schema_2020_12_tool";
/// The dialect that tool's schema names.
pub const DIALECT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The tools that send notifications or requests while they run (over
/// Streamable HTTP they answer on a stream of their own).
pub const STREAMING: &[&str] = &[
    "test_tool_with_logging",
    "test_tool_with_progress",
    "test_sampling",
    "test_elicitation",
    "test_elicitation_sep1034_defaults",
    "test_elicitation_sep1330_enums",
    RECONNECTION_TOOL,
];

/// The tool whose Streamable HTTP stream closes early (2025-11-25 polling):
/// the client must reconnect with `Last-Event-ID` to get its answer.
pub const RECONNECTION_TOOL: &str = "test_reconnection";
/// How long it works before answering.
pub const RECONNECTION_PAUSE_MS: u64 = 100;

/// The texts `test_tool_with_logging` logs, at level `info`, in order.
pub const LOG_MESSAGES: [&str; 3] = ["Tool execution started", "Tool processing data", "Tool execution completed"];
/// The pause before each of those messages but the first.
pub const LOG_PAUSE_MS: u64 = 50;

/// The template of `resources/templates/list`.
pub const TEMPLATE: &str = "test://template/{id}/data";
const TEMPLATE_PREFIX: &str = "test://template/";
const TEMPLATE_SUFFIX: &str = "/data";

fn no_arguments() -> Value {
    json!({"type": "object", "additionalProperties": false})
}

fn one_string_argument(name: &str, description: &str) -> Value {
    json!({
        "type": "object",
        "properties": {name: {"type": "string", "description": description}},
        "required": [name],
        "additionalProperties": false
    })
}

fn text_block(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

fn image_block() -> Value {
    json!({"type": "image", "data": LOGO_PNG_BASE64, "mimeType": "image/png"})
}

/// A short silent WAV: 8 kHz, 8-bit mono PCM, 80 samples (10 ms).
fn silent_wav() -> Vec<u8> {
    const SAMPLES: u32 = 80;
    const RATE: u32 = 8000;
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + SAMPLES).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&RATE.to_le_bytes()); // bytes per second
    wav.extend_from_slice(&1u16.to_le_bytes()); // block align
    wav.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&SAMPLES.to_le_bytes());
    // 8-bit PCM is unsigned: 128 is silence.
    wav.extend(std::iter::repeat_n(128u8, SAMPLES as usize));
    wav
}

fn audio_block() -> Value {
    json!({"type": "audio", "data": STANDARD.encode(silent_wav()), "mimeType": "audio/wav"})
}

fn embedded_text(uri: &str, mime_type: &str, text: &str) -> Value {
    json!({"type": "resource", "resource": {"uri": uri, "mimeType": mime_type, "text": text}})
}

/// The `inputSchema` of [`JSON_SCHEMA_TOOL`]: 2020-12 keywords on purpose.
fn json_schema_tool_schema() -> Value {
    json!({
        "$schema": DIALECT_2020_12,
        "type": "object",
        "$defs": {
            "address": {
                "type": "object",
                "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
            }
        },
        "properties": {
            "name": {"type": "string"},
            "address": {"$ref": "#/$defs/address"}
        },
        "additionalProperties": false
    })
}

/// The same schema with its one `$ref` resolved, in the subset
/// [`json_schema`] checks arguments with.
fn json_schema_tool_schema_resolved() -> Value {
    let mut schema = json_schema_tool_schema();
    let address = schema.pointer("/$defs/address").cloned().unwrap_or(Value::Null);
    if let Value::Object(root) = &mut schema {
        root.remove("$defs");
        if let Some(slot) = root.get_mut("properties").and_then(|p| p.get_mut("address")) {
            *slot = address;
        }
    }
    schema
}

/// The argument checks a conformance tool runs before [`crate::tools`]'s
/// generic check; only [`JSON_SCHEMA_TOOL`] publishes keywords outside the
/// validated subset.
pub fn validation_schema(name: &str, published: Value) -> Value {
    if name == JSON_SCHEMA_TOOL {
        json_schema_tool_schema_resolved()
    } else {
        published
    }
}

fn string_arg(args: &Map<String, Value>, key: &str) -> String {
    args.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// One conformance tool and the first version that offers it.
pub(crate) struct Offered {
    since: ProtocolVersion,
    /// The tool.
    pub(crate) tool: Fixture,
}

const fn tool(since: ProtocolVersion, tool: Fixture) -> Offered {
    Offered { since, tool }
}

/// The conformance tools, in `tools/list` order after the server's own.
pub(crate) const TOOLS: &[Offered] = &[
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_simple_text",
            title: "Simple text",
            description: "Returns one text block (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Now(|_, _| Output::Content(vec![text_block("This is a simple text response for testing.")])),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_image_content",
            title: "Image content",
            description: "Returns one image block: a 1x1 PNG (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Now(|_, faults| {
                let mut image = image_block();
                if let (true, Some(data)) = (faults.contains(crate::faults::Fault::ImageContentNotBase64), image.get_mut("data")) {
                    *data = json!("a 1x1 PNG, not Base64!");
                }
                Output::Content(vec![image])
            }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2025_03_26,
        Fixture {
            name: "test_audio_content",
            title: "Audio content",
            description: "Returns one audio block: 10 ms of silence as audio/wav (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Now(|_, _| Output::Content(vec![audio_block()])),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_embedded_resource",
            title: "Embedded resource",
            description: "Returns one embedded text resource (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Now(|_, _| {
                Output::Content(vec![embedded_text("test://embedded-resource", "text/plain", "This is an embedded resource content.")])
            }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_multiple_content_types",
            title: "Multiple content types",
            description: "Returns a text, an image and an embedded JSON resource (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Now(|_, _| {
                Output::Content(vec![
                    text_block("Multiple content types test:"),
                    image_block(),
                    embedded_text("test://mixed-content-resource", "application/json", r#"{"test":"data","value":123}"#),
                ])
            }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_tool_with_logging",
            title: "Tool with logging",
            description: "Logs three info messages about 50 ms apart while it runs, as far as the log level set lets them \
through (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Later(|_| Work::LogSteps),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_error_handling",
            title: "Error handling",
            description: "Always returns a tool execution error (a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Now(|_, _| Output::Failure("This tool intentionally returns an error for testing".into())),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_tool_with_progress",
            title: "Tool with progress",
            description: "Reports three progress steps about 50 ms apart to the request's progressToken (a fixture of the \
official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Later(|_| Work::Progress { steps: 3, delay_ms: 50 }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2024_11_05,
        Fixture {
            name: "test_sampling",
            title: "Sampling",
            description: "Asks the client to sample a reply to the prompt (sampling/createMessage) and returns it; an error \
when the client did not declare sampling (a fixture of the official conformance suite).",
            input_schema: || one_string_argument("prompt", "The prompt to send to the LLM"),
            output_schema: None,
            run: Runner::Inquire(|args| Inquiry::Sample { prompt: string_arg(args, "prompt") }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2025_06_18,
        Fixture {
            name: "test_elicitation",
            title: "Elicitation",
            description: "Asks the user (elicitation/create) for a username and an email, showing the message; an error when \
the client did not declare elicitation (a fixture of the official conformance suite).",
            input_schema: || one_string_argument("message", "The message to show the user"),
            output_schema: None,
            run: Runner::Inquire(|args| Inquiry::Elicit {
                message: string_arg(args, "message"),
                form: Form::Contact,
            }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2025_11_25,
        Fixture {
            name: "test_elicitation_sep1034_defaults",
            title: "Elicitation defaults",
            description: "Asks the user for a form whose string, integer, number, enum and boolean fields have defaults \
(SEP-1034; a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Inquire(|_| Inquiry::Elicit {
                message: "Please confirm or change these values (each has a default).".into(),
                form: Form::Defaults,
            }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2025_11_25,
        Fixture {
            name: "test_elicitation_sep1330_enums",
            title: "Elicitation enums",
            description: "Asks the user for a form with the five enum shapes: untitled and titled single-select, legacy \
enumNames, untitled and titled multi-select (SEP-1330; a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Inquire(|_| Inquiry::Elicit {
                message: "Please pick from each list.".into(),
                form: Form::Enums,
            }),
            read_only: true,
        },
    ),
    tool(
        ProtocolVersion::V2025_11_25,
        Fixture {
            name: RECONNECTION_TOOL,
            title: "Reconnection",
            description: "Answers after a short pause; over Streamable HTTP it closes its SSE stream after the priming event, \
so the client reconnects with Last-Event-ID to get the answer (SEP-1699; a fixture of the official conformance suite).",
            input_schema: no_arguments,
            output_schema: None,
            run: Runner::Later(|_| Work::Reconnection),
            read_only: true,
        },
    ),
];

/// [`JSON_SCHEMA_TOOL`], listed first from 2025-11-25: the official suite's
/// `json-schema-2020-12` scenario looks for it on the first page only.
pub(crate) const JSON_SCHEMA: Offered = tool(
    ProtocolVersion::V2025_11_25,
    Fixture {
        name: JSON_SCHEMA_TOOL,
        title: "JSON Schema 2020-12",
        description: "A tool whose inputSchema uses JSON Schema 2020-12 ($schema, $defs, $ref); says which arguments it got \
(SEP-1613; a fixture of the official conformance suite).",
        input_schema: json_schema_tool_schema,
        output_schema: None,
        run: Runner::Now(|args, _| Output::Text(format!("Received arguments: {}", Value::Object(args.clone())))),
        read_only: true,
    },
);

impl Offered {
    /// Whether `version` has this tool.
    pub(crate) fn offered_at(&self, version: ProtocolVersion) -> bool {
        version >= self.since
    }
}

/// Whether the tool `name` asks the client for input while it runs.
pub fn asks_client(name: &str) -> bool {
    TOOLS.iter().any(|t| t.tool.name == name && matches!(t.tool.run, Runner::Inquire(_)))
}

/// The forms the elicitation tools ask to fill in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `username` and `email`, both required.
    Contact,
    /// Five fields with defaults (SEP-1034).
    Defaults,
    /// The five enum shapes (SEP-1330).
    Enums,
}

impl Form {
    /// The `requestedSchema`.
    pub fn schema(self) -> Value {
        match self {
            Form::Contact => json!({
                "type": "object",
                "properties": {
                    "username": {"type": "string", "description": "User's response"},
                    "email": {"type": "string", "description": "User's email address"}
                },
                "required": ["username", "email"]
            }),
            Form::Defaults => json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "User name", "default": "John Doe"},
                    "age": {"type": "integer", "description": "User age", "default": 30},
                    "score": {"type": "number", "description": "User score", "default": 95.5},
                    "status": {"type": "string", "description": "User status", "enum": ["active", "inactive", "pending"], "default": "active"},
                    "verified": {"type": "boolean", "description": "Verification status", "default": true}
                },
                "required": []
            }),
            Form::Enums => json!({
                "type": "object",
                "properties": {
                    "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
                    "titledSingle": {"type": "string", "oneOf": [
                        {"const": "value1", "title": "First Option"},
                        {"const": "value2", "title": "Second Option"},
                        {"const": "value3", "title": "Third Option"}
                    ]},
                    "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"], "enumNames": ["Option One", "Option Two", "Option Three"]},
                    "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                    "titledMulti": {"type": "array", "items": {"anyOf": [
                        {"const": "value1", "title": "First Choice"},
                        {"const": "value2", "title": "Second Choice"},
                        {"const": "value3", "title": "Third Choice"}
                    ]}}
                },
                "required": []
            }),
        }
    }
}

/// What an asking conformance tool asks the client, with its arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum Inquiry {
    /// `sampling/createMessage` with one user message.
    Sample {
        /// The user message's text.
        prompt: String,
    },
    /// `elicitation/create` in form mode.
    Elicit {
        /// The message shown to the user.
        message: String,
        /// The form.
        form: Form,
    },
}

impl Inquiry {
    /// The `inputRequests` key in 2026-07-28.
    fn key(&self) -> &'static str {
        match self {
            Inquiry::Sample { .. } => "sampling",
            Inquiry::Elicit { .. } => "elicitation",
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Inquiry::Sample { .. } => Question::Sampling.method(),
            Inquiry::Elicit { .. } => Question::Elicitation.method(),
        }
    }

    fn allowed(&self, caps: ClientCapabilities) -> bool {
        match self {
            Inquiry::Sample { .. } => caps.sampling,
            Inquiry::Elicit { .. } => caps.elicitation_form,
        }
    }

    /// 2026-07-28: the `MissingRequiredClientCapabilityError` (-32021,
    /// LIFECYCLE-009) for a call whose request did not declare the
    /// capability this tool cannot work without; `None` when it did.
    pub fn missing_capability(&self, caps: ClientCapabilities) -> Option<RpcError> {
        if self.allowed(caps) {
            return None;
        }
        let required = match self {
            Inquiry::Sample { .. } => json!({ "sampling": {} }),
            Inquiry::Elicit { .. } => json!({ "elicitation": { "form": {} } }),
        };
        let message = format!("This tool needs the client's {} capability, which the request did not declare.", self.key());
        Some(RpcError::new(code::MISSING_REQUIRED_CLIENT_CAPABILITY, message).with_data(json!({ "requiredCapabilities": required })))
    }

    fn params(&self, version: ProtocolVersion) -> Value {
        match self {
            Inquiry::Sample { prompt } => json!({
                "messages": [{"role": "user", "content": {"type": "text", "text": prompt}}],
                "maxTokens": 100
            }),
            Inquiry::Elicit { message, form } => {
                let mut params = Map::new();
                if version.has_elicitation_modes() {
                    params.insert("mode".into(), json!("form"));
                }
                params.insert("message".into(), json!(message));
                params.insert("requestedSchema".into(), form.schema());
                Value::Object(params)
            }
        }
    }

    fn undeclared(&self) -> Output {
        let capability = self.key();
        Output::Failure(format!("The client did not declare the {capability} capability, so {} cannot be sent.", self.method()))
    }

    /// The tool's text for the client's `result`, or what is wrong with it.
    fn conclude(&self, result: &Value) -> Result<String, String> {
        match self {
            Inquiry::Sample { .. } => Question::Sampling.summarize(result).map(|reply| format!("LLM response: {reply}")),
            Inquiry::Elicit { form, .. } => {
                let action = result.get("action").and_then(Value::as_str);
                let content = result.get("content");
                match (action, content) {
                    (Some("accept" | "decline" | "cancel"), None | Some(Value::Object(_))) => {}
                    (Some("accept" | "decline" | "cancel"), Some(_)) => return Err("\"content\" is not an object".into()),
                    _ => return Err("\"action\" is not accept, decline or cancel".into()),
                }
                // The validator knows no oneOf/anyOf: the SEP-1330 form's answer is checked for shape only.
                let schema = form.schema();
                if let (Some("accept"), Some(content), Ok(())) = (action, content, json_schema::check_supported(&schema)) {
                    json_schema::validate(&schema, content).map_err(|p| format!("the accepted content does not fit the form: {p}"))?;
                }
                let content = content.map_or_else(|| "{}".to_owned(), Value::to_string);
                Ok(format!("Elicitation completed: action={}, content={content}", action.unwrap_or_default()))
            }
        }
    }
}

/// An asking tool in a handshake-era session: one JSON-RPC request to the
/// client, awaited like `ask`'s (S2C-006: only when declared).
pub async fn inquire_stateful(inquiry: &Inquiry, session: LegacySession, link: Option<&ClientLink>) -> Output {
    if !inquiry.allowed(session.capabilities) {
        return inquiry.undeclared();
    }
    if !session.initialized {
        return Output::Failure("Requests go to the client only after notifications/initialized; send it first.".into());
    }
    let Some(link) = link else {
        return Output::Failure("This tool cannot reach the client on this connection.".into());
    };
    match link.request(inquiry.method(), Some(inquiry.params(session.version))).await {
        Ok(result) => inquiry.conclude(&result).map_or_else(
            |problem| Output::Failure(format!("{}: the client's answer is not a valid result: {problem}.", inquiry.method())),
            Output::Text,
        ),
        Err(failure) => Output::Failure(format!("{} failed: {failure}.", inquiry.method())),
    }
}

fn input_required(inquiry: &Inquiry, call: &str) -> Stateless {
    let request = json!({"method": inquiry.method(), "params": inquiry.params(ProtocolVersion::V2026_07_28)});
    let state = request_state::seal(&json!({"v": "inquiry", "call": call, "expires": request_state::now() + STATE_TTL_SECS}));
    let mut result = Map::new();
    result.insert("resultType".into(), json!("input_required"));
    result.insert("inputRequests".into(), json!({ inquiry.key(): request }));
    result.insert("requestState".into(), json!(state));
    Stateless::InputRequired(result)
}

fn check_state(state: &str, call: &str) -> Result<(), &'static str> {
    let payload = request_state::open(state)?;
    if payload.get("v").and_then(Value::as_str) != Some("inquiry") || payload.get("call").and_then(Value::as_str) != Some(call) {
        return Err("it belongs to another request (another tool or other arguments)");
    }
    match payload.get("expires").and_then(Value::as_u64) {
        Some(expires) if expires >= request_state::now() => Ok(()),
        _ => Err("it has expired; call the tool again without inputResponses"),
    }
}

/// An asking tool in 2026-07-28 (multi round-trip requests): the first call
/// gets `input_required`, the retry with the answer and the echoed
/// `requestState` the result. `params` are the `tools/call` params.
pub fn inquire_stateless(inquiry: &Inquiry, caps: ClientCapabilities, params: &Map<String, Value>) -> Result<Stateless, RpcError> {
    if !inquiry.allowed(caps) {
        return Ok(Stateless::Done(inquiry.undeclared()));
    }
    let tool = params.get("name").and_then(Value::as_str).unwrap_or_default();
    let Retry { responses, state, call } = read_retry(params, tool)?;
    let Some(state) = state else {
        if responses.is_some() {
            return Ok(Stateless::Done(no_request_state()));
        }
        return Ok(input_required(inquiry, &call));
    };
    if let Err(why) = check_state(state, &call) {
        return Ok(Stateless::Done(Output::Failure(format!("The requestState was rejected: {why}."))));
    }
    // S2C-013: without the answer, ask again.
    let Some(response) = responses.and_then(|r| r.get(inquiry.key())) else {
        return Ok(input_required(inquiry, &call));
    };
    let text = inquiry.conclude(response).map_err(|problem| {
        RpcError::invalid_params(format!("inputResponses[\"{}\"] is not a valid {} result: {problem}", inquiry.key(), inquiry.method()))
    })?;
    Ok(Stateless::Done(Output::Text(text)))
}

/// The conformance resources, in `resources/list` order after the server's
/// own fixed resources.
pub(crate) const RESOURCES: &[Fixed] = &[
    Fixed {
        uri: "test://static-text",
        name: "static-text",
        title: "Static text",
        description: "A fixed text resource (a fixture of the official conformance suite).",
        mime_type: "text/plain",
    },
    Fixed {
        uri: "test://static-binary",
        name: "static-binary",
        title: "Static binary",
        description: "A 1x1 PNG read as a Base64 blob (a fixture of the official conformance suite).",
        mime_type: "image/png",
    },
    Fixed {
        uri: "test://watched-resource",
        name: "watched-resource",
        title: "Watched resource",
        description: "A resource to subscribe to; it never changes (a fixture of the official conformance suite).",
        mime_type: "text/plain",
    },
];

/// What a `test://` URI resolves to, if anything.
pub(crate) fn resolve(uri: &str) -> Option<Resolved> {
    let text = |mime_type: &'static str, text: String| Some(Resolved::Text { mime_type, text });
    match uri {
        "test://static-text" => return text("text/plain", "This is the content of the static text resource.".into()),
        "test://static-binary" => {
            let bytes = STANDARD.decode(LOGO_PNG_BASE64).ok()?;
            return Some(Resolved::Blob { mime_type: "image/png", bytes });
        }
        "test://watched-resource" => return text("text/plain", "This resource can be subscribed to; it does not change.".into()),
        _ => {}
    }
    let id = uri.strip_prefix(TEMPLATE_PREFIX)?.strip_suffix(TEMPLATE_SUFFIX)?;
    let id = crate::resources::percent_decode(id).filter(|id| !id.is_empty())?;
    let data = json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
    text("application/json", data.to_string())
}

/// Completion candidates for the template's `id`.
pub fn template_ids() -> Vec<String> {
    ["1", "2", "3", "123"].map(String::from).to_vec()
}

/// The conformance prompts, in `prompts/list` order after the server's own.
pub(crate) const PROMPTS: &[Prompt] = &[
    Prompt {
        name: "test_simple_prompt",
        title: "Simple test prompt",
        description: "A prompt without arguments (a fixture of the official conformance suite).",
        arguments: &[],
    },
    Prompt {
        name: "test_prompt_with_arguments",
        title: "Test prompt with arguments",
        description: "A prompt that repeats its two arguments (a fixture of the official conformance suite).",
        arguments: &[
            Argument {
                name: "arg1",
                title: "First argument",
                description: "First test argument",
                required: true,
            },
            Argument {
                name: "arg2",
                title: "Second argument",
                description: "Second test argument",
                required: true,
            },
        ],
    },
    Prompt {
        name: "test_prompt_with_embedded_resource",
        title: "Test prompt with an embedded resource",
        description: "A prompt embedding a text resource under the given URI (a fixture of the official conformance suite).",
        arguments: &[Argument {
            name: "resourceUri",
            title: "Resource URI",
            description: "URI of the resource to embed",
            required: true,
        }],
    },
    Prompt {
        name: "test_prompt_with_image",
        title: "Test prompt with an image",
        description: "A prompt with an image, then a question about it (a fixture of the official conformance suite).",
        arguments: &[],
    },
];

fn user(content: Value) -> Value {
    json!({"role": "user", "content": content})
}

/// The `messages` of the conformance prompt `name`, its (checked) arguments
/// read through `arg`; `None` when `name` is not one of them.
pub fn prompt_messages(name: &str, arg: impl Fn(&str) -> Option<String>) -> Option<Vec<Value>> {
    let given = |key: &str| arg(key).unwrap_or_default();
    Some(match name {
        "test_simple_prompt" => vec![user(text_block("This is a simple prompt for testing."))],
        "test_prompt_with_arguments" => {
            let text = format!("Prompt with arguments: arg1='{}', arg2='{}'", given("arg1"), given("arg2"));
            vec![user(text_block(&text))]
        }
        "test_prompt_with_embedded_resource" => vec![
            user(embedded_text(&given("resourceUri"), "text/plain", "Embedded resource content for testing.")),
            user(text_block("Please process the embedded resource above.")),
        ],
        "test_prompt_with_image" => vec![user(image_block()), user(text_block("Please analyze the image above."))],
        _ => return None,
    })
}

/// Completion candidates of the conformance prompts' arguments.
pub fn prompt_candidates(name: &str, argument: &str) -> Option<Vec<String>> {
    let values: &[&str] = match (name, argument) {
        ("test_prompt_with_arguments", "arg1") => &["hello", "help", "testValue1"],
        ("test_prompt_with_arguments", "arg2") => &["world", "word", "testValue2"],
        _ => return None,
    };
    Some(values.iter().map(|v| v.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    const SAMPLING_ONLY: ClientCapabilities = ClientCapabilities {
        roots: false,
        sampling: true,
        elicitation_form: false,
        elicitation_url: false,
        sampling_tools: false,
    };

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn schemas_are_checkable() {
        for t in TOOLS {
            json_schema::check_supported(&(t.tool.input_schema)()).unwrap_or_else(|e| panic!("{}: {e}", t.tool.name));
        }
        for form in [Form::Contact, Form::Defaults] {
            json_schema::check_supported(&form.schema()).unwrap();
        }
        assert!(json_schema::check_supported(&json_schema_tool_schema()).is_err(), "it uses $defs and $ref on purpose");
        let resolved = json_schema_tool_schema_resolved();
        json_schema::check_supported(&resolved).unwrap();
        json_schema::validate(&resolved, &json!({"name": "a", "address": {"street": "s", "city": "c"}})).unwrap();
        assert!(json_schema::validate(&resolved, &json!({"address": {"city": 1}})).is_err());
        assert!(json_schema::validate(&resolved, &json!({"zip": "1"})).is_err());
    }

    #[test]
    fn the_wav_is_well_formed() {
        let wav = silent_wav();
        assert_eq!(wav.len(), 44 + 80);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize, wav.len() - 8);
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()), 80);
    }

    #[test]
    fn offered_from_their_version() {
        let names = |v| TOOLS.iter().filter(|t| t.offered_at(v)).map(|t| t.tool.name).collect::<Vec<_>>();
        assert_eq!(names(ProtocolVersion::V2024_11_05).len(), 8);
        assert!(!names(ProtocolVersion::V2024_11_05).contains(&"test_audio_content"));
        assert!(names(ProtocolVersion::V2025_03_26).contains(&"test_audio_content"));
        assert!(!names(ProtocolVersion::V2025_03_26).contains(&"test_elicitation"));
        assert_eq!(names(ProtocolVersion::V2025_11_25).len(), 13);
        assert!(!JSON_SCHEMA.offered_at(ProtocolVersion::V2025_06_18) && JSON_SCHEMA.offered_at(ProtocolVersion::V2026_07_28));
        assert!(asks_client("test_sampling") && asks_client("test_elicitation_sep1330_enums"));
        assert!(!asks_client("test_tool_with_logging") && !asks_client("echo"));
        for t in TOOLS.iter().filter(|t| matches!(t.tool.run, Runner::Inquire(_) | Runner::Later(_))) {
            assert!(STREAMING.contains(&t.tool.name), "{} talks while it runs", t.tool.name);
        }
    }

    #[test]
    fn elicitation_params_follow_the_version_and_answers_are_checked() {
        let elicit = Inquiry::Elicit { message: "m".into(), form: Form::Contact };
        assert!(elicit.params(ProtocolVersion::V2025_06_18).get("mode").is_none());
        assert_eq!(elicit.params(ProtocolVersion::V2025_11_25)["mode"], "form");
        let good = json!({"action": "accept", "content": {"username": "u", "email": "e"}});
        assert_eq!(elicit.conclude(&good).unwrap(), r#"Elicitation completed: action=accept, content={"username":"u","email":"e"}"#);
        assert_eq!(elicit.conclude(&json!({"action": "cancel"})).unwrap(), "Elicitation completed: action=cancel, content={}");
        for bad in [json!({"action": "accept", "content": {"username": "u"}}), json!({"action": "maybe"}), json!({"action": "accept", "content": []})] {
            assert!(elicit.conclude(&bad).is_err(), "{bad}");
        }
        // The SEP-1330 form uses keywords the validator does not know: shape only.
        let enums = Inquiry::Elicit { message: "m".into(), form: Form::Enums };
        assert!(enums.conclude(&json!({"action": "accept", "content": {"titledMulti": ["value1"]}})).is_ok());
        let sample = Inquiry::Sample { prompt: "p".into() };
        assert_eq!(sample.params(ProtocolVersion::V2024_11_05)["maxTokens"], 100);
        assert!(sample.conclude(&json!({"role": "assistant", "model": "m"})).is_err());
    }

    #[test]
    fn stateless_round_trip_and_bad_retries() {
        let sample = Inquiry::Sample { prompt: "p".into() };
        let call = params(json!({"name": "test_sampling", "arguments": {"prompt": "p"}}));
        let Ok(Stateless::InputRequired(first)) = inquire_stateless(&sample, SAMPLING_ONLY, &call) else { panic!("input_required first") };
        assert_eq!(first["inputRequests"]["sampling"]["method"], "sampling/createMessage");
        let mut retry = call.clone();
        retry.insert("requestState".into(), first["requestState"].clone());
        retry.insert("inputResponses".into(), json!({"sampling": {"role": "assistant", "content": {"type": "text", "text": "yo"}, "model": "m"}}));
        assert_eq!(inquire_stateless(&sample, SAMPLING_ONLY, &retry).unwrap(), Stateless::Done(Output::Text("LLM response: \"yo\" (model m)".into())));

        let mut tampered = retry.clone();
        tampered.insert("requestState".into(), json!("x.y"));
        assert!(matches!(inquire_stateless(&sample, SAMPLING_ONLY, &tampered), Ok(Stateless::Done(Output::Failure(_)))));
        let mut malformed = retry.clone();
        malformed.insert("inputResponses".into(), json!([]));
        assert_eq!(inquire_stateless(&sample, SAMPLING_ONLY, &malformed).unwrap_err().code, code::INVALID_PARAMS);
        let mut without_state = retry.clone();
        without_state.remove("requestState");
        assert!(matches!(inquire_stateless(&sample, SAMPLING_ONLY, &without_state), Ok(Stateless::Done(Output::Failure(_)))));
        let none = ClientCapabilities::default();
        assert!(matches!(inquire_stateless(&sample, none, &call), Ok(Stateless::Done(Output::Failure(_)))));
    }

    #[test]
    fn resources_and_prompts() {
        let Some(Resolved::Text { mime_type, text }) = resolve("test://template/a%20b/data") else { panic!("templated") };
        assert_eq!(mime_type, "application/json");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["id"], "a b");
        assert!(matches!(resolve("test://static-binary"), Some(Resolved::Blob { .. })));
        for missing in ["test://template//data", "test://template/a/b/data", "test://nothing", "test://template/1"] {
            assert!(resolve(missing).is_none(), "{missing}");
        }
        let messages = prompt_messages("test_prompt_with_arguments", |k| Some(format!("<{k}>"))).unwrap();
        assert_eq!(messages[0]["content"]["text"], "Prompt with arguments: arg1='<arg1>', arg2='<arg2>'");
        assert!(prompt_messages("greeting", |_| None).is_none());
        assert_eq!(prompt_candidates("test_prompt_with_arguments", "arg2").unwrap().len(), 3);
    }

    #[test]
    fn a_missing_capability_is_named() {
        let sample = Inquiry::Sample { prompt: "p".into() };
        let refusal = sample.missing_capability(ClientCapabilities::default()).expect("sampling is needed");
        assert_eq!(refusal.code, code::MISSING_REQUIRED_CLIENT_CAPABILITY);
        assert_eq!(refusal.data, Some(json!({"requiredCapabilities": {"sampling": {}}})));
        assert!(sample.missing_capability(SAMPLING_ONLY).is_none());
    }
}
