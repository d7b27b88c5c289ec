//! The run record of `mcp-conform` and the reports made from it.
//!
//! A run of the conformance suite ends with a [`RunRecord`]: the target, the
//! protocol versions tested, and one [`CaseResult`] per case × version ×
//! transport, each with its [`Status`], its [`Finding`]s and the transcript
//! of messages that proves them. The harness fills the record; this crate
//! defines it and turns it into reports. It depends on no other crate of the
//! workspace, so anything that reads a `run.json` can use it alone.
//!
//! # Brief overview
//!
//! * [`record`]: the record types, the contract with the harness.
//! * [`json`]: [`to_json`] and [`from_json`], the versioned `run.json`
//!   document; its module doc describes the format.
//! * [`junit`]: [`junit::to_junit`], JUnit XML for CI systems.
//! * [`terminal`]: [`terminal::render`], the summary a person reads.
//! * [`html`]: [`html::to_html`], `report.html`, one self-contained page
//!   with the summary, filters and every finding's transcript.
//! * [`exit_codes`]: [`McpConformExitCode`] and [`exit_code`], the process
//!   exit code a record leads to.
//! * [`baseline`] and [`gate`]: the baseline file of known failures and the
//!   CI gate that judges a run against it (the record's `gate`).
//! * [`surface`]: the surface gate, the server's public surface compared
//!   with a snapshot file (the record's `surface`).
//! * [`sarif`]: [`sarif::to_sarif`], SARIF 2.1.0 for code-scanning tools
//!   (`results.sarif`): a rule per cited requirement, a result per finding.
//! * [`markdown`]: [`markdown::to_markdown`], a GitHub-flavoured Markdown
//!   summary for `$GITHUB_STEP_SUMMARY` (`summary.md`), under 1 MiB.
//!
//! Every report is a pure function of `&RunRecord`: no I/O, no clock, no
//! environment, so the same record always gives the same bytes and each
//! report is tested by snapshot.
//!
//! # Example
//!
//! ```
//! use reports::{exit_code, terminal, CaseResult, RunRecord, Status, TargetInfo, ToolInfo};
//!
//! let record = RunRecord {
//!     format_version: reports::FORMAT_VERSION,
//!     tool: ToolInfo { name: "mcp-conform".into(), version: "0.1.0".into() },
//!     started_at: "2026-07-30T09:00:00Z".into(),
//!     duration_ms: 12,
//!     target: TargetInfo {
//!         transport: "stdio".into(),
//!         endpoint: "npx my-server".into(),
//!         server_info: None,
//!         stderr: vec![],
//!     },
//!     versions: vec!["2025-06-18".into()],
//!     results: vec![CaseResult {
//!         case_id: "PING-001-ping-answered".into(),
//!         area: "ping".into(),
//!         title: "Answers ping with an empty result".into(),
//!         requirements: vec!["PING-001".into()],
//!         keyword: "MUST".into(),
//!         spec: "basic/utilities/ping.mdx §Behavior Requirements".into(),
//!         version: "2025-06-18".into(),
//!         transport: "stdio".into(),
//!         status: Status::Pass,
//!         reason: None,
//!         findings: vec![],
//!         transcript: vec![],
//!         duration_ms: 1,
//!     }],
//!     notes: vec![],
//!     gate: None,
//!     surface: None,
//! };
//!
//! let summary = terminal::render(&record, &terminal::TerminalOptions::default());
//! assert!(summary.ends_with("1 passed, 0 failed, 0 warnings, 0 not applicable, 0 inconclusive in 12ms\n"));
//! assert!(reports::junit::to_junit(&record).contains(r#"<testcase name="PING-001-ping-answered""#));
//! assert_eq!(exit_code(&record, false), reports::McpConformExitCode::CONFORMANT);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod baseline;
mod error;
pub mod exit_codes;
pub mod gate;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod record;
pub mod sarif;
mod spec_link;
pub mod surface;
pub mod terminal;
mod text;

pub use error::Error;
pub use exit_codes::{exit_code, McpConformExitCode};
pub use json::{from_json, to_json};
pub use record::*;

/// Small records for the unit tests; the representative record the
/// snapshots use is in `tests/`.
#[cfg(test)]
mod test_support {
    use crate::*;

    pub(crate) fn record_with(results: Vec<CaseResult>) -> RunRecord {
        RunRecord {
            format_version: FORMAT_VERSION,
            tool: ToolInfo {
                name: "mcp-conform".into(),
                version: "0.0.0".into(),
            },
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 1500,
            target: TargetInfo {
                transport: "stdio".into(),
                endpoint: "server".into(),
                server_info: None,
                stderr: vec![],
            },
            versions: vec!["2025-06-18".into()],
            results,
            notes: vec![],
            gate: None,
            surface: None,
        }
    }

    /// A result with `status`, and a finding and a transcript entry when the
    /// status calls for them.
    pub(crate) fn result(status: Status) -> CaseResult {
        let has_evidence = matches!(status, Status::Fail | Status::Warn);
        CaseResult {
            case_id: format!("REQ-001-{status}"),
            area: "area".into(),
            title: "title".into(),
            requirements: vec!["REQ-001".into()],
            keyword: "MUST".into(),
            spec: "page.mdx §Heading".into(),
            version: "2025-06-18".into(),
            transport: "stdio".into(),
            status,
            reason: matches!(status, Status::NotApplicable | Status::Inconclusive)
                .then(|| "because".into()),
            findings: has_evidence
                .then(|| Finding {
                    requirement: "REQ-001".into(),
                    keyword: "MUST".into(),
                    message: "something is wrong".into(),
                    expected: "right".into(),
                    actual: "wrong".into(),
                    hint: "fix it".into(),
                })
                .into_iter()
                .collect(),
            transcript: has_evidence
                .then(|| TranscriptEntry {
                    at_ms: 0,
                    direction: Direction::Received,
                    channel: "stdio".into(),
                    text: "{}".into(),
                })
                .into_iter()
                .collect(),
            duration_ms: 1,
        }
    }
}
