//! The shape of a case file.

use serde::Deserialize;
use serde_json::Value;

use crate::transport::Kind;
use crate::version::{self, era};

/// One case, as written in its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable ID: the requirement ID and a slug, equal to the file name.
    pub id: String,
    /// One line: what the case checks.
    pub title: String,
    /// Requirement IDs verified (the first is the default for findings).
    pub requirements: Vec<String>,
    /// The keyword of the requirement, which sets the severity.
    pub keyword: Keyword,
    /// Spec page and section.
    pub spec: String,
    /// One line on how to fix a failure.
    pub hint: String,
    /// Versions (or `stateful` / `stateless`) the case applies to; all when absent.
    #[serde(default)]
    pub versions: Option<Vec<String>>,
    /// Transports the case applies to; all when absent.
    #[serde(default)]
    pub transports: Option<Vec<String>>,
    /// Server capabilities that must be declared for the case to apply.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Run on the version's session, or on a fresh connection with no handshake.
    #[serde(default)]
    pub connection: ConnectionKind,
    /// What to do, in order.
    pub steps: Vec<Step>,
    /// The area: the folder the case file is in (set by the loader).
    #[serde(skip)]
    pub area: String,
}

/// RFC 2119 keywords, plus the catalogue's markers for schema and prose rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Keyword {
    /// An absolute requirement.
    #[serde(rename = "MUST")]
    Must,
    /// An absolute prohibition.
    #[serde(rename = "MUST NOT")]
    MustNot,
    /// A recommendation: deviations warn.
    #[serde(rename = "SHOULD")]
    Should,
    /// A recommendation against.
    #[serde(rename = "SHOULD NOT")]
    ShouldNot,
    /// Optional behaviour: findings are informational.
    #[serde(rename = "MAY")]
    May,
    /// Required by the schema.
    #[serde(rename = "(schema)")]
    Schema,
    /// Stated as a rule without a keyword.
    #[serde(rename = "(prose)")]
    Prose,
}

impl Keyword {
    /// The keyword as the catalogue writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Must => "MUST",
            Keyword::MustNot => "MUST NOT",
            Keyword::Should => "SHOULD",
            Keyword::ShouldNot => "SHOULD NOT",
            Keyword::May => "MAY",
            Keyword::Schema => "(schema)",
            Keyword::Prose => "(prose)",
        }
    }
}

/// Where a case runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionKind {
    /// On the session of the version under test (handshake done).
    #[default]
    Session,
    /// On a new connection, before any handshake.
    Fresh,
    /// On a new session of its own, opened for the version as the shared one
    /// is: for cases that may leave their connection unusable (malformed
    /// input, closing stdin).
    Own,
}

/// One step: an action and what its answer must look like.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Send this request.
    #[serde(default)]
    pub request: Option<String>,
    /// Send this notification.
    #[serde(default)]
    pub notify: Option<String>,
    /// Send `initialize` asking for this version (`$version`: the one under test).
    #[serde(default)]
    pub initialize: Option<String>,
    /// Run this built-in check.
    #[serde(default)]
    pub check: Option<String>,
    /// Params of the request or notification.
    #[serde(default)]
    pub params: Option<Value>,
    /// Stateless era: the version named in `_meta` and in the HTTP header.
    #[serde(default)]
    pub protocol_version: Option<String>,
    /// Send the params as written, without the stateless `_meta`.
    #[serde(default)]
    pub raw: bool,
    /// Extra HTTP headers of the request (Streamable HTTP); they replace the
    /// ones the harness computes, e.g. a `Mcp-Method` that differs from the body.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The requirement this step's findings cite (default: the case's first).
    #[serde(default)]
    pub requirement: Option<String>,
    /// The expected kind of answer.
    #[serde(default)]
    pub expect: Expect,
    /// Conditions on the exchange document (see [`Assert`]).
    #[serde(default, rename = "assert")]
    pub asserts: Vec<Assert>,
    /// Values to keep for later steps: name → JSON pointer into the
    /// exchange document; a later step writes `$name` for the value.
    #[serde(default)]
    pub capture: std::collections::BTreeMap<String, String>,
    /// The step only sets the stage: when its expectations fail the server
    /// is in a state the case cannot judge, so the case is inconclusive.
    #[serde(default)]
    pub precondition: bool,
    /// The answer must match the one accepted under this name (user
    /// scenarios only; see [`crate::golden`]).
    #[serde(default)]
    pub golden: Option<String>,
    /// JSON pointers into the answer whose values are volatile (`*`: any key
    /// or index); replaced before comparing with the golden answer.
    #[serde(default)]
    pub redact: Vec<String>,
}

/// What a step does, resolved from its fields.
#[derive(Debug, Clone, PartialEq)]
pub enum StepAction<'a> {
    /// A request.
    Request(&'a str),
    /// A notification.
    Notify(&'a str),
    /// An `initialize` request for a version.
    Initialize(&'a str),
    /// A built-in check.
    Check(&'a str),
}

impl Step {
    /// The one action the step names.
    pub fn action(&self) -> Result<StepAction<'_>, String> {
        let actions: Vec<StepAction<'_>> = [
            self.request.as_deref().map(StepAction::Request),
            self.notify.as_deref().map(StepAction::Notify),
            self.initialize.as_deref().map(StepAction::Initialize),
            self.check.as_deref().map(StepAction::Check),
        ]
        .into_iter()
        .flatten()
        .collect();
        match actions.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err("a step needs one of `request`, `notify`, `initialize` or `check`".into()),
            _ => Err("a step names more than one of `request`, `notify`, `initialize` and `check`".into()),
        }
    }
}

/// The expected kind of answer to a request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// A result or an error (any answer when absent).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The error code (implies an error).
    #[serde(default)]
    pub error_code: Option<i64>,
}

/// A kind of answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A `result`.
    Result,
    /// An `error`.
    Error,
}

/// A condition on the exchange document
/// `{"request": …, "response": …, "http": {"status": …, "headers": {…}}}`.
/// Pointers under `/http` are checked on Streamable HTTP only. `$version` in
/// a value stands for the version under test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assert {
    /// JSON pointer into the exchange document.
    pub pointer: String,
    /// The value there equals this.
    #[serde(default)]
    pub equals: Option<Value>,
    /// The value there is present and differs from this.
    #[serde(default)]
    pub not_equals: Option<Value>,
    /// The value there is one of these.
    #[serde(default)]
    pub one_of: Option<Vec<Value>>,
    /// The JSON type there (`string`, `integer`, `array`, ...).
    #[serde(default, rename = "type")]
    pub json_type: Option<String>,
    /// The array, object or string there is (not) empty.
    #[serde(default)]
    pub non_empty: Option<bool>,
    /// The array there contains this value.
    #[serde(default)]
    pub contains: Option<Value>,
    /// Something is (true) or is not (false) there.
    #[serde(default)]
    pub present: Option<bool>,
    /// The requirement a failure cites (default: the step's).
    #[serde(default)]
    pub requirement: Option<String>,
}

impl Case {
    /// Does the case apply to this version (by name or era)?
    pub fn covers_version(&self, version: &str) -> bool {
        self.versions.as_ref().is_none_or(|list| {
            list.iter().any(|v| v == version || v == era(version).as_str())
        })
    }

    /// Does the case apply to this transport?
    pub fn covers_transport(&self, kind: Kind) -> bool {
        self.transports.as_ref().is_none_or(|list| list.iter().any(|t| t == kind.as_str()))
    }

    /// Check what serde cannot: names that must be known, one action per step.
    pub fn validate(&self) -> Result<(), String> {
        if self.requirements.is_empty() {
            return Err("`requirements` is empty: a case cites at least one requirement ID".into());
        }
        if self.steps.is_empty() {
            return Err("a case needs at least one step".into());
        }
        for v in self.versions.iter().flatten() {
            if !version::is_known(v) && v != "stateful" && v != "stateless" {
                return Err(format!("unknown version `{v}` (known: {}, stateful, stateless)", version::ALL.join(", ")));
            }
        }
        for t in self.transports.iter().flatten() {
            if Kind::from_name(t).is_none() {
                return Err(format!("unknown transport `{t}` (known: stdio, streamable-http, sse)"));
            }
        }
        for (n, step) in self.steps.iter().enumerate() {
            step.action().map_err(|e| format!("step {}: {e}", n + 1))?;
            if let StepAction::Check(name) = step.action()? {
                if !crate::check::exists(name) {
                    return Err(format!("step {}: unknown check `{name}` (known: {})", n + 1, crate::check::NAMES.join(", ")));
                }
            }
            for assert in &step.asserts {
                if !assert.pointer.is_empty() && !assert.pointer.starts_with('/') {
                    return Err(format!("step {}: pointer `{}` must start with `/`", n + 1, assert.pointer));
                }
            }
            if let Some(name) = &step.golden {
                if !matches!(step.action()?, StepAction::Request(_) | StepAction::Initialize(_)) {
                    return Err(format!("step {}: only a request's answer can be golden", n + 1));
                }
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    return Err(format!("step {}: golden name `{name}` must be letters, digits, `-` and `_`", n + 1));
                }
                if self.steps.iter().filter(|s| s.golden.as_ref() == Some(name)).count() > 1 {
                    return Err(format!("step {}: golden name `{name}` is used by two steps", n + 1));
                }
            }
            if let Some(pointer) = step.redact.iter().find(|p| !p.starts_with('/')) {
                return Err(format!("step {}: redact pointer `{pointer}` must start with `/`", n + 1));
            }
            if !step.redact.is_empty() && step.golden.is_none() {
                return Err(format!("step {}: `redact` applies to a golden answer, and the step has no `golden`", n + 1));
            }
            for (name, pointer) in &step.capture {
                if !is_variable_name(name) || name == "version" {
                    return Err(format!("step {}: capture name `{name}` must be lower-case letters, digits and `_`, not `version`", n + 1));
                }
                if !pointer.starts_with('/') {
                    return Err(format!("step {}: capture pointer `{pointer}` must start with `/`", n + 1));
                }
            }
        }
        Ok(())
    }
}

/// A name a step may capture a value under (and a later step use as `$name`).
pub fn is_variable_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
