//! The exit codes of `mcp-conform`: a contract with the CI jobs that run it.
//!
//! They live here, next to the run record, so that a tool reading `run.json`
//! and the binary that wrote it agree on what a run's outcome means. The
//! scheme is ripgrep's and most linters': 0 clean, 1 "I found something",
//! 2 "I could not do my job".

use crate::{RunRecord, Status};

/// Namespace of the process exit codes of `mcp-conform`.
///
/// An enum without variants, so it can hold the constants but never be
/// built (the pattern of nextest's `NextestExitCode`). The values are stable:
/// CI scripts compare against them.
pub enum McpConformExitCode {}

impl McpConformExitCode {
    /// The run completed and the server is conformant: no result is `fail`
    /// (and, under `--strict`, none is `warn`). Results that are
    /// `not-applicable` or `inconclusive` do not change this.
    pub const CONFORMANT: i32 = 0;

    /// The run completed and found violations at or above the gate: at least
    /// one result is `fail` (or, under `--strict`, `warn`).
    pub const FINDINGS: i32 = 1;

    /// The run could not be made: a bad flag or configuration file, a server
    /// command that could not be started, a URL that could not be reached.
    /// No verdict about the server is implied.
    pub const USAGE_OR_SETUP: i32 = 2;
}

/// The exit code a completed run ends with: [`McpConformExitCode::FINDINGS`]
/// when any result is `fail`, or `warn` when `strict` is true; otherwise
/// [`McpConformExitCode::CONFORMANT`].
///
/// `inconclusive` never fails the gate: the harness says inconclusive exactly
/// when it could not prove a violation, and a gate that failed on it would
/// report false positives. A run that could not start at all never gets a
/// record; the binary exits with [`McpConformExitCode::USAGE_OR_SETUP`] itself.
///
/// `strict` gates on warnings even in a record made without `--strict` (for
/// example one read back from `run.json` by a later CI step).
///
/// A record with a `gate` (the run had a baseline) is judged by it: results
/// its baseline lists do not gate, and a stale entry does unless the gate
/// allowed them (see [`crate::gate`]).
///
/// A record with a `surface` (the run had a snapshot) also fails when its
/// surface gate did: a breaking change or one needing review that was not
/// accepted (see [`crate::surface`]). The baseline excuses no such change.
pub fn exit_code(record: &RunRecord, strict: bool) -> i32 {
    if results_fail(record, strict) || crate::surface::fails(record) {
        McpConformExitCode::FINDINGS
    } else {
        McpConformExitCode::CONFORMANT
    }
}

/// Whether the results alone fail the run (through the baseline's gate when
/// the record has one), leaving the surface aside.
pub(crate) fn results_fail(record: &RunRecord, strict: bool) -> bool {
    let gated = |status: Status| status == Status::Fail || (strict && status == Status::Warn);
    match &record.gate {
        Some(gate) => crate::gate::fails(record, gate, strict),
        None => record.results.iter().any(|result| gated(result.status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};

    #[test]
    fn empty_run_is_conformant() {
        assert_eq!(exit_code(&record_with(vec![]), true), 0);
    }

    #[test]
    fn only_fail_gates_by_default() {
        for (status, plain, strict) in [
            (Status::Pass, 0, 0),
            (Status::Fail, 1, 1),
            (Status::Warn, 0, 1),
            (Status::NotApplicable, 0, 0),
            (Status::Inconclusive, 0, 0),
        ] {
            let record = record_with(vec![result(Status::Pass), result(status)]);
            assert_eq!(
                exit_code(&record, false),
                plain,
                "{status} without --strict"
            );
            assert_eq!(exit_code(&record, true), strict, "{status} with --strict");
        }
    }

    #[test]
    fn a_failed_surface_gate_fails_a_clean_run() {
        use crate::surface::{ChangeClass, SnapshotWrite, SurfaceChange, SurfaceCheck};
        let mut record = record_with(vec![result(Status::Pass)]);
        let removed = SurfaceChange {
            class: ChangeClass::Breaking,
            path: "tools/echo".into(),
            what: "tool `echo` removed".into(),
            versions: vec![],
        };
        let check = |passed, written| SurfaceCheck {
            snapshot: "surface.json".into(),
            versions: vec!["2025-06-18".into()],
            passed,
            written,
            changes: vec![removed.clone()],
        };
        record.surface = Some(check(false, None));
        assert_eq!(exit_code(&record, false), McpConformExitCode::FINDINGS);
        record.surface = Some(check(true, Some(SnapshotWrite::Updated)));
        assert_eq!(exit_code(&record, false), McpConformExitCode::CONFORMANT);
    }
}
