//! The protocol revisions this server speaks, and what each one defines.
//!
//! Every version-dependent decision in the server asks a question of
//! [`ProtocolVersion`] (`has_structured_output()`, `has_batching()`, ...)
//! instead of comparing dates inline, so the table of differences lives in
//! one place. The differences are taken from each revision's `schema.json`
//! and the "changes between versions" section of the requirements catalogue.

use std::fmt;

/// One revision of the Model Context Protocol.
///
/// The variants are ordered by date, so `>=` means "this revision or a later
/// one".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolVersion {
    /// The first dated revision: HTTP+SSE transport, no annotations.
    V2024_11_05,
    /// Streamable HTTP, JSON-RPC batches, tool annotations.
    V2025_03_26,
    /// Structured tool output, titles, `MCP-Protocol-Version` header; batches removed.
    V2025_06_18,
    /// The last handshake-era revision: tasks, icons, input errors as tool errors.
    V2025_11_25,
    /// The stateless revision: no handshake, `_meta` on every request, `server/discover`.
    V2026_07_28,
}

/// The two eras of the protocol (see `versioning.mdx`, "Terminology").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// Versions that open with an `initialize` handshake ("legacy").
    Stateful,
    /// Versions where every request carries its own metadata ("modern").
    Stateless,
}

impl ProtocolVersion {
    /// Every version this server serves, oldest first.
    pub const ALL: [ProtocolVersion; 5] = [
        ProtocolVersion::V2024_11_05,
        ProtocolVersion::V2025_03_26,
        ProtocolVersion::V2025_06_18,
        ProtocolVersion::V2025_11_25,
        ProtocolVersion::V2026_07_28,
    ];

    /// The version offered as a counter-proposal to an `initialize` that asks
    /// for something this server does not speak (L-LIFE-002: the newest one).
    pub const NEWEST_STATEFUL: ProtocolVersion = ProtocolVersion::V2025_11_25;

    /// The version string as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::V2024_11_05 => "2024-11-05",
            ProtocolVersion::V2025_03_26 => "2025-03-26",
            ProtocolVersion::V2025_06_18 => "2025-06-18",
            ProtocolVersion::V2025_11_25 => "2025-11-25",
            ProtocolVersion::V2026_07_28 => "2026-07-28",
        }
    }

    /// Parses a wire version string; `None` for anything this server does not serve.
    pub fn parse(s: &str) -> Option<ProtocolVersion> {
        ProtocolVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Every served version string, newest first: the `supported` list of
    /// `UnsupportedProtocolVersionError` and `supportedVersions` of discover.
    pub fn supported_strings() -> Vec<&'static str> {
        ProtocolVersion::ALL.iter().rev().map(|v| v.as_str()).collect()
    }

    /// Which era the version belongs to.
    pub const fn era(self) -> Era {
        match self {
            ProtocolVersion::V2026_07_28 => Era::Stateless,
            _ => Era::Stateful,
        }
    }

    /// True for the handshake-era versions.
    pub fn is_stateful(self) -> bool {
        self.era() == Era::Stateful
    }

    /// `ping` exists (removed in 2026-07-28).
    pub fn has_ping(self) -> bool {
        self.is_stateful()
    }

    /// JSON-RPC batches must be accepted (2025-03-26 only, L-BATCH-001).
    pub fn has_batching(self) -> bool {
        self == ProtocolVersion::V2025_03_26
    }

    /// `Tool.annotations` exists (since 2025-03-26).
    pub fn has_tool_annotations(self) -> bool {
        self >= ProtocolVersion::V2025_03_26
    }

    /// `Tool.outputSchema` and `CallToolResult.structuredContent` exist (since 2025-06-18).
    pub fn has_structured_output(self) -> bool {
        self >= ProtocolVersion::V2025_06_18
    }

    /// `title` on tools and on `Implementation` exists (since 2025-06-18).
    pub fn has_titles(self) -> bool {
        self >= ProtocolVersion::V2025_06_18
    }

    /// The `MCP-Protocol-Version` HTTP header is defined (since 2025-06-18).
    pub fn has_protocol_version_header(self) -> bool {
        self >= ProtocolVersion::V2025_06_18
    }

    /// Tool arguments that fail the input schema are reported as a tool
    /// execution error (`isError: true`) rather than a JSON-RPC -32602
    /// (since 2025-11-25, see its `tools.mdx` "Error Handling").
    pub fn reports_invalid_arguments_as_tool_errors(self) -> bool {
        self >= ProtocolVersion::V2025_11_25
    }

    /// `elicitation/create` exists (since 2025-06-18).
    pub fn has_elicitation(self) -> bool {
        self >= ProtocolVersion::V2025_06_18
    }

    /// Elicitation has modes: `mode: "form"` on requests and `elicitation.form` /
    /// `elicitation.url` in the client capabilities (since 2025-11-25).
    pub fn has_elicitation_modes(self) -> bool {
        self >= ProtocolVersion::V2025_11_25
    }

    /// The experimental tasks utility (`tasks/*`, task-augmented
    /// `tools/call`): 2025-11-25 only; 2026-07-28 moved it to an extension.
    pub fn has_tasks(self) -> bool {
        self == ProtocolVersion::V2025_11_25
    }

    /// SSE streams open with a priming event carrying an id and empty data
    /// (2025-11-25 only, L-HTTP-002; 2026-07-28 dropped event ids).
    pub fn has_sse_priming(self) -> bool {
        self == ProtocolVersion::V2025_11_25
    }

    /// The `completions` server capability exists (since 2025-03-26; the
    /// 2024-11-05 schema has `completion/complete` but no capability for it).
    pub fn has_completions_capability(self) -> bool {
        self >= ProtocolVersion::V2025_03_26
    }

    /// `notifications/progress` may carry a `message` (since 2025-03-26).
    pub fn has_progress_message(self) -> bool {
        self >= ProtocolVersion::V2025_03_26
    }

    /// Resources are addressed as the handshake era did: `resources/subscribe`,
    /// not-found as -32002 (L-RES-002); 2026-07-28 uses `subscriptions/listen`
    /// and -32602 (RESOURCES-005).
    pub fn resource_not_found_code(self) -> i64 {
        if self.is_stateful() {
            crate::protocol::code::RESOURCE_NOT_FOUND
        } else {
            crate::protocol::code::INVALID_PARAMS
        }
    }

    /// Results carry `resultType`, `_meta` serverInfo and (where cacheable)
    /// `ttlMs`/`cacheScope` (2026-07-28).
    pub fn has_result_type(self) -> bool {
        self >= ProtocolVersion::V2026_07_28
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_version() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::parse(v.as_str()), Some(v));
        }
        assert_eq!(ProtocolVersion::parse("1999-01-01"), None);
        assert_eq!(ProtocolVersion::parse(""), None);
    }

    #[test]
    fn order_follows_dates() {
        let strings: Vec<_> = ProtocolVersion::ALL.iter().map(|v| v.as_str()).collect();
        let mut sorted = strings.clone();
        sorted.sort();
        assert_eq!(strings, sorted);
    }

    #[test]
    fn supported_list_is_newest_first_and_complete() {
        assert_eq!(
            ProtocolVersion::supported_strings(),
            ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
        );
    }

    #[test]
    fn feature_table() {
        use ProtocolVersion::*;
        assert!(!V2024_11_05.has_tool_annotations());
        assert!(V2025_03_26.has_tool_annotations());
        assert!(V2025_03_26.has_batching());
        assert!(!V2025_06_18.has_batching());
        assert!(!V2025_03_26.has_structured_output());
        assert!(V2025_06_18.has_structured_output());
        assert!(!V2025_06_18.reports_invalid_arguments_as_tool_errors());
        assert!(V2025_11_25.reports_invalid_arguments_as_tool_errors());
        assert!(V2025_11_25.has_ping());
        assert!(!V2025_03_26.has_elicitation());
        assert!(V2025_06_18.has_elicitation());
        assert!(!V2025_06_18.has_elicitation_modes());
        assert!(V2025_11_25.has_elicitation_modes());
        assert!(V2025_11_25.has_tasks() && !V2025_06_18.has_tasks() && !V2026_07_28.has_tasks());
        assert!(!V2026_07_28.has_ping());
        assert!(!V2024_11_05.has_completions_capability());
        assert!(V2025_03_26.has_completions_capability());
        assert!(!V2024_11_05.has_progress_message());
        assert_eq!(V2025_11_25.resource_not_found_code(), -32002);
        assert_eq!(V2026_07_28.resource_not_found_code(), -32602);
        assert_eq!(ProtocolVersion::NEWEST_STATEFUL.era(), Era::Stateful);
        assert_eq!(V2026_07_28.era(), Era::Stateless);
    }
}
