//! The run record: everything one `mcp-conform run` observed and decided.
//!
//! It is the contract between the harness (which fills it) and every report
//! (which only reads it). Serialized as JSON it is `run.json`; its layout is
//! versioned by [`FORMAT_VERSION`] and documented field by field below.
//!
//! How the types map to JSON: every struct is an object whose keys are the
//! field names exactly as written here (`snake_case`); fields are written in
//! the order declared. Fields documented as *omitted when empty* may be
//! absent, and a reader treats an absent one as empty. Enums are lower-case
//! strings, listed on each variant. A reader ignores keys it does not know,
//! so adding an optional field does not bump [`FORMAT_VERSION`]; renaming,
//! removing or changing the meaning of a field does.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Version of the `run.json` layout. Bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// One run of the catalogue against one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Always [`FORMAT_VERSION`] for records this crate writes. A reader
    /// checks it first and refuses any other value (see [`crate::from_json`]).
    pub format_version: u32,
    /// The `mcp-conform` build that made the record.
    pub tool: ToolInfo,
    /// When the run started, RFC 3339 in UTC.
    pub started_at: String,
    /// Wall time of the whole run, in milliseconds.
    pub duration_ms: u64,
    /// What was tested.
    pub target: TargetInfo,
    /// The protocol versions the run tested, in order.
    pub versions: Vec<String>,
    /// One entry per case × version × transport, in execution order.
    pub results: Vec<CaseResult>,
    /// Diagnostics about the run itself (not about the server): a version
    /// that could not be probed, a case file that was skipped, and so on.
    /// Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The CI gate's verdict when the run had a baseline (`--baseline`): which
    /// failures it listed, which it did not, which of its entries are stale.
    /// Omitted without a baseline. Added after version 1 without a bump: it is
    /// optional, and the results keep their meaning (a baselined failure is
    /// still `fail`), so a reader that ignores it misreads nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<crate::gate::Gate>,
    /// The surface gate's verdict when the run had a snapshot (`--snapshot
    /// FILE`): every change of the server's public surface, classified, and
    /// whether they fail the run. Omitted without a snapshot. Added after
    /// version 1 without a bump, as `gate` was: optional, and no other field
    /// changes meaning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<crate::surface::SurfaceCheck>,
}

/// The harness that produced a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `mcp-conform`.
    pub name: String,
    /// Its crate version.
    pub version: String,
}

/// The server under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// `stdio`, `streamable-http` or `sse`.
    pub transport: String,
    /// The command line (stdio) or the URL (HTTP transports).
    pub endpoint: String,
    /// The server's self-description (`serverInfo`) as last reported, if any,
    /// copied verbatim (any JSON value). Omitted when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_info: Option<serde_json::Value>,
    /// What the server wrote to stderr (stdio only), capped in size; one
    /// entry per server process the run started. Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stderr: Vec<StderrCapture>,
}

/// The stderr of one spawned server process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StderrCapture {
    /// Which connection the process served (e.g. `2025-06-18 session`).
    pub connection: String,
    /// The text, lossily decoded as UTF-8.
    pub text: String,
    /// True when the capture hit its size cap and the rest was dropped.
    pub truncated: bool,
}

/// The verdict on one case for one protocol version over one transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Stable case ID, e.g. `LIFECYCLE-006-unsupported-version`.
    pub case_id: String,
    /// The spec area (the case's folder under `cases/`), e.g. `lifecycle`.
    pub area: String,
    /// One line saying what the case checks.
    pub title: String,
    /// Requirement IDs from the spec catalogue that the case verifies.
    pub requirements: Vec<String>,
    /// The RFC 2119 keyword of the requirement (`MUST`, `SHOULD`, ...).
    pub keyword: String,
    /// Spec page and section to read, e.g. `basic/versioning.mdx §Protocol Version Negotiation`.
    pub spec: String,
    /// The protocol version under test.
    pub version: String,
    /// `stdio`, `streamable-http` or `sse`.
    pub transport: String,
    /// The verdict.
    pub status: Status,
    /// Why the case was not applicable or inconclusive. Omitted otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What went wrong; empty when the case passed. Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Every message exchanged while the case ran, in order. Omitted when
    /// empty (a case that was not applicable sends nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<TranscriptEntry>,
    /// Wall time of the case, in milliseconds.
    pub duration_ms: u64,
}

/// The verdict of a case. In JSON: one of the strings `"pass"`, `"fail"`,
/// `"warn"`, `"not-applicable"`, `"inconclusive"` (see [`Status::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The server did what the requirement demands.
    Pass,
    /// A MUST-level requirement is violated (or a SHOULD one under `--strict`).
    Fail,
    /// A SHOULD-level requirement is not met.
    Warn,
    /// The case does not apply: the server lacks the capability or surface.
    NotApplicable,
    /// The harness could not decide (for example the server never answered
    /// a request the verdict depends on in a way that proves nothing).
    Inconclusive,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::NotApplicable,
        Status::Inconclusive,
    ];

    /// The lower-case name used in every report (`not-applicable`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::NotApplicable => "not-applicable",
            Status::Inconclusive => "inconclusive",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RunRecord {
    /// How many results have each status.
    pub fn counts(&self) -> StatusCounts {
        StatusCounts::of(&self.results)
    }
}

/// How many results have each status; what every report's summary line shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Results with [`Status::Pass`].
    pub pass: usize,
    /// Results with [`Status::Fail`].
    pub fail: usize,
    /// Results with [`Status::Warn`].
    pub warn: usize,
    /// Results with [`Status::NotApplicable`].
    pub not_applicable: usize,
    /// Results with [`Status::Inconclusive`].
    pub inconclusive: usize,
}

impl StatusCounts {
    /// Counts the statuses of `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for result in results {
            *counts.slot(result.status) += 1;
        }
        counts
    }

    /// The count for one status.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Warn => self.warn,
            Status::NotApplicable => self.not_applicable,
            Status::Inconclusive => self.inconclusive,
        }
    }

    /// The number of results counted.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.warn + self.not_applicable + self.inconclusive
    }

    fn slot(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Warn => &mut self.warn,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Inconclusive => &mut self.inconclusive,
        }
    }
}

/// One violation observed by a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The requirement ID violated.
    pub requirement: String,
    /// Its keyword (`MUST`, `SHOULD`, `(schema)` ...).
    pub keyword: String,
    /// One line: what the server did wrong.
    pub message: String,
    /// The acceptable outcome(s).
    pub expected: String,
    /// What actually happened.
    pub actual: String,
    /// One line on how to fix it.
    pub hint: String,
}

/// Which way a message went. In JSON: `"sent"`, `"received"` or `"event"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// From the harness to the server.
    Sent,
    /// From the server to the harness.
    Received,
    /// An event of the transport itself (a connection, an HTTP status, an
    /// exit, a timeout), written by the harness.
    Event,
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// Milliseconds since the connection opened.
    pub at_ms: u64,
    /// Which way it went.
    pub direction: Direction,
    /// Where it travelled: `stdio`, `POST /mcp`, `GET /mcp (stream)`, ...
    pub channel: String,
    /// The message as sent or received (lossy UTF-8, capped in size), or the
    /// description of an event.
    pub text: String,
}
