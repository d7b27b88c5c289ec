//! The oracles: what counts as a finding, each named, with the requirement
//! it stands for and a bucket key so that a campaign counts distinct bugs.

use serde::{Deserialize, Serialize};

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Oracle {
    /// The server process exited with a failure status or a signal.
    ServerExit,
    /// The connection closed, or the server became unreachable, with requests unanswered.
    ConnectionClosed,
    /// A request got no response within its deadline.
    NoResponse,
    /// The liveness probe after an input failed.
    ProbeFailed,
    /// Something that is not a JSON-RPC message arrived.
    NonProtocolOutput,
    /// A response whose id matches no request sent (or is missing).
    UnknownId,
    /// A second response to one request.
    DuplicateResponse,
    /// An error code other than the one the spec prescribes.
    WrongErrorCode,
    /// A result where the spec prescribes an error.
    MissingError,
    /// A message that does not match the schema of the session's version.
    SchemaInvalid,
    /// A request from the server where the version allows none.
    ServerRequest,
    /// `structuredContent` that does not match the tool's `outputSchema`.
    StructuredContent,
    /// The server's resident memory grew past the limit (stdio).
    MemoryGrowth,
}

impl Oracle {
    /// The oracle's name, as in files and bucket keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Oracle::ServerExit => "server-exit",
            Oracle::ConnectionClosed => "connection-closed",
            Oracle::NoResponse => "no-response",
            Oracle::ProbeFailed => "probe-failed",
            Oracle::NonProtocolOutput => "non-protocol-output",
            Oracle::UnknownId => "unknown-id",
            Oracle::DuplicateResponse => "duplicate-response",
            Oracle::WrongErrorCode => "wrong-error-code",
            Oracle::MissingError => "missing-error",
            Oracle::SchemaInvalid => "schema-invalid",
            Oracle::ServerRequest => "server-request",
            Oracle::StructuredContent => "structured-content",
            Oracle::MemoryGrowth => "memory-growth",
        }
    }

    /// Whether seeing it depends on which input it is pinned to, which under
    /// concurrency is a matter of timing: such a finding counts only once a
    /// replay on a fresh connection shows it again.
    pub fn needs_confirmation(self) -> bool {
        matches!(
            self,
            Oracle::NoResponse
                | Oracle::ProbeFailed
                | Oracle::UnknownId
                | Oracle::DuplicateResponse
                | Oracle::WrongErrorCode
                | Oracle::MemoryGrowth
        )
    }
}

/// A finding as first seen, before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The oracle.
    pub oracle: Oracle,
    /// The requirement ID violated.
    pub requirement: String,
    /// Its keyword.
    pub keyword: String,
    /// The spec page and section.
    pub spec: String,
    /// What, in one line.
    pub message: String,
    /// What the spec prescribes.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// The method concerned, or what the input was when it had none.
    pub subject: String,
    /// The shape of what happened (an error code, an exit status).
    pub shape: String,
    /// The position, in the connection's inputs, of the input it is pinned to.
    #[serde(skip)]
    pub input: Option<usize>,
}

impl Draft {
    /// The bucket: oracle, subject and shape. Findings in one bucket are
    /// taken to be one bug.
    pub fn bucket(&self) -> String {
        format!("{}|{}|{}", self.oracle.as_str(), self.subject, self.shape)
    }
}

/// Build drafts tersely.
pub(crate) struct DraftBuilder {
    draft: Draft,
}

impl DraftBuilder {
    pub fn new(oracle: Oracle, requirement: &str, keyword: &str, spec: &str) -> DraftBuilder {
        DraftBuilder {
            draft: Draft {
                oracle,
                requirement: requirement.into(),
                keyword: keyword.into(),
                spec: spec.into(),
                message: String::new(),
                expected: String::new(),
                actual: String::new(),
                subject: String::new(),
                shape: String::new(),
                input: None,
            },
        }
    }

    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.draft.message = text.into();
        self
    }

    pub fn expected(mut self, text: impl Into<String>) -> Self {
        self.draft.expected = text.into();
        self
    }

    pub fn actual(mut self, text: impl Into<String>) -> Self {
        self.draft.actual = text.into();
        self
    }

    pub fn bucket(mut self, subject: impl Into<String>, shape: impl Into<String>) -> Self {
        self.draft.subject = subject.into();
        self.draft.shape = shape.into();
        self
    }

    pub fn input(mut self, input: Option<usize>) -> Self {
        self.draft.input = input;
        self
    }

    pub fn build(self) -> Draft {
        self.draft
    }
}

/// The requirement a request's lack of an answer breaks: the method's own
/// where the catalogue has one, else the rule that a request is answered
/// with a result or an error.
pub(crate) fn answer_requirement(method: &str) -> (&'static str, &'static str) {
    match method {
        "ping" => ("L-PING-001", "basic/utilities/ping.mdx"),
        "server/discover" => ("LIFECYCLE-002", "basic/versioning.mdx §Protocol Version Negotiation; server/discover.mdx"),
        _ => ANSWER_REQUIRED,
    }
}

/// The rule that every request is answered with a result or an error.
pub(crate) const ANSWER_REQUIRED: (&str, &str) =
    ("JSONRPC-004", "basic/index.mdx §Requests, §Responses (every request gets a result or an error)");

/// Text clipped to `max` characters, for evidence.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(max).collect();
    clipped.push('…');
    clipped
}
