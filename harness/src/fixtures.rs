//! Fixture mapping: which of a server's own tools play the roles that the
//! deep checks need (a slow tool to cancel, a tool that reports progress,
//! one that logs, one that changes the tool list, a resource that changes).
//!
//! A check never guesses a role from a tool's name: a role that is not
//! mapped makes the check that needs it "inconclusive", with the reason.
//! The bundled reference server's mapping is built in
//! ([`Fixtures::reference`]); for any other server the user writes one
//! (`mcp-conform run --fixtures FILE`):
//!
//! ```toml
//! [progress]                      # reports notifications/progress when given a progressToken
//! tool = "progress"
//! arguments = { steps = 3 }
//!
//! [slow]                          # runs long enough to be cancelled
//! tool = "slow"
//! arguments = { ms = 1500 }
//! runs_for_ms = 1500              # how long it runs when not cancelled (the check waits that long, plus a margin)
//!
//! [logging]                       # sends notifications/message (at the level the client set)
//! tool = "log"
//!
//! [list-changed]                  # changes the tool, prompt or resource list
//! tool = "toggle"
//!
//! [resource-updated]              # changes a subscribable resource
//! uri = "ref://counter"
//! tool = "touch"
//!
//! [client-input]                  # asks the client for sampling, roots or elicitation
//! tool = "ask"
//!
//! [needs-capability]              # cannot work without a client capability (2026-07-28: -32021 without it)
//! tool = "test_sampling"
//! arguments = { prompt = "Say hello" }
//! [stale-handle]                  # takes a server-issued state handle; called with one never issued
//! tool = "tally"
//! arguments = { handle = "tally-never-issued" }
//! [failing-resource]              # a resource whose read fails inside the server
//! uri = "ref://broken"
//! [slow-runs]                     # a resource counting the slow tool's calls: {"started": N, "completed": M, "cancelled": K}
//! uri = "ref://slow-calls"
//! ```

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The reference server's mapping, as a user would write it.
pub const REFERENCE: &str = include_str!("../fixtures/reference-server.toml");

/// A tool call that plays a role.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolRole {
    /// The tool's name.
    pub tool: String,
    /// The arguments to call it with.
    #[serde(default)]
    pub arguments: Map<String, Value>,
    /// How long the call runs when nothing stops it (the `slow` role).
    #[serde(default)]
    pub runs_for_ms: Option<u64>,
}

/// A resource that changes, and the tool call that changes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRole {
    /// The resource's URI.
    pub uri: String,
    /// The tool whose call changes it.
    pub tool: String,
    /// The arguments to call it with.
    #[serde(default)]
    pub arguments: Map<String, Value>,
}

/// A resource, named by its URI.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UriRole {
    /// The resource's URI.
    pub uri: String,
}

/// Every role, each mapped or not.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Fixtures {
    /// Reports `notifications/progress` for the request's `progressToken`.
    pub progress: Option<ToolRole>,
    /// Runs long enough to be cancelled.
    pub slow: Option<ToolRole>,
    /// Sends `notifications/message`.
    pub logging: Option<ToolRole>,
    /// Changes the tool, prompt or resource list.
    pub list_changed: Option<ToolRole>,
    /// Changes a subscribable resource.
    pub resource_updated: Option<ResourceRole>,
    /// Asks the client for input (sampling, roots or elicitation): as
    /// requests of its own in the handshake era, as `input_required`
    /// results in 2026-07-28.
    pub client_input: Option<ToolRole>,
    /// Cannot do its work without a client capability (e.g. it must ask
    /// for a sampled message): in 2026-07-28, called without that
    /// capability declared, it is refused with -32021.
    pub needs_capability: Option<ToolRole>,
    /// Called with a state handle the server never issued (TOOLS-020):
    /// `arguments` carry the made-up handle.
    pub stale_handle: Option<ToolRole>,
    /// A resource whose read fails inside the server (not a missing one).
    pub failing_resource: Option<UriRole>,
    /// Counts the `slow` tool's calls, so that a client can tell whether
    /// a cancelled call still ran to its end.
    pub slow_runs: Option<CountsRole>,
    /// 2025-11-25: refused with error -32042 (URL elicitation required)
    /// when the client declared URL-mode elicitation (L-ELIC-001).
    pub url_elicitation: Option<ToolRole>,
    /// 2025-11-25 on: with `sampling.tools` declared, asks for a sampling that
    /// offers tools and continues it after a `toolUse` answer (S2C-016).
    pub sampling_tools: Option<ToolRole>,
}

/// A resource whose text is a JSON object counting a tool's calls:
/// `started` (calls begun), `completed` (calls that ran to their end) and
/// `cancelled` (calls stopped before it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsRole {
    /// The resource's URI.
    pub uri: String,
}

/// A mapping file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct FixturesError {
    /// The file.
    pub path: String,
    /// The line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Fixtures {
    /// The mapping of the bundled reference server.
    pub fn reference() -> Fixtures {
        // The file is part of the source and tested below: it always parses.
        Fixtures::parse(Path::new("reference-server.toml"), REFERENCE).unwrap_or_default()
    }

    /// Read a mapping file.
    pub fn load(path: &Path) -> Result<Fixtures, FixturesError> {
        let text = std::fs::read_to_string(path).map_err(|e| FixturesError {
            path: path.display().to_string(),
            line: None,
            message: e.to_string(),
        })?;
        Fixtures::parse(path, &text)
    }

    /// Parse a mapping; errors name the file and the line.
    pub fn parse(path: &Path, text: &str) -> Result<Fixtures, FixturesError> {
        let fail = |line: Option<usize>, message: String| FixturesError { path: path.display().to_string(), line, message };
        let fixtures: Fixtures = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            fail(line, e.message().to_string())
        })?;
        let tools = [&fixtures.progress, &fixtures.slow, &fixtures.logging, &fixtures.list_changed, &fixtures.client_input];
        let names = tools.into_iter().flatten().map(|r| r.tool.as_str());
        let resource = fixtures.resource_updated.iter().flat_map(|r| [r.tool.as_str(), r.uri.as_str()]);
        let names = names.chain(fixtures.needs_capability.iter().map(|r| r.tool.as_str()));
        let names = names.chain(fixtures.stale_handle.iter().map(|r| r.tool.as_str()));
        let names = names.chain(fixtures.url_elicitation.iter().map(|r| r.tool.as_str()));
        let names = names.chain(fixtures.sampling_tools.iter().map(|r| r.tool.as_str()));
        let resource = resource.chain(fixtures.failing_resource.iter().map(|r| r.uri.as_str()));
        let counts = fixtures.slow_runs.iter().map(|r| r.uri.as_str());
        if names.chain(resource).chain(counts).any(str::is_empty) {
            return Err(fail(None, "a role names an empty tool or URI".into()));
        }
        Ok(fixtures)
    }
}

/// Why a check that needs `role` cannot run.
pub fn unmapped(role: &str) -> String {
    format!("no tool plays the role `{role}`; map one with --fixtures (see `cases/README.md`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_mapping_parses_and_maps_every_role() {
        let fixtures = Fixtures::parse(Path::new("reference-server.toml"), REFERENCE).expect("parses");
        assert!(fixtures.progress.is_some() && fixtures.slow.is_some() && fixtures.logging.is_some());
        assert!(fixtures.list_changed.is_some() && fixtures.resource_updated.is_some());
        assert!(fixtures.client_input.is_some() && fixtures.stale_handle.is_some());
        assert!(fixtures.failing_resource.is_some() && fixtures.slow_runs.is_some());
        assert!(fixtures.url_elicitation.is_some() && fixtures.sampling_tools.is_some());
        assert_eq!(Fixtures::reference(), fixtures);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let bad = "[slow]\ntool = \"slow\"\n\n[progres]\ntool = \"p\"\n";
        let e = Fixtures::parse(Path::new("mine.toml"), bad).unwrap_err();
        assert_eq!((e.path.as_str(), e.line), ("mine.toml", Some(4)));
        assert!(e.to_string().starts_with("mine.toml:4: "), "{e}");
        let e = Fixtures::parse(Path::new("mine.toml"), "[slow]\ntool = 3\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = Fixtures::parse(Path::new("mine.toml"), "[slow]\ntool = \"\"\n").unwrap_err();
        assert!(e.message.contains("empty"));
        assert_eq!(Fixtures::parse(Path::new("empty.toml"), "").unwrap(), Fixtures::default());
    }
}
