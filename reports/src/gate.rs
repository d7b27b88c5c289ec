//! The CI gate: a run judged against a [baseline](crate::baseline) of
//! failures the server is known to have.
//!
//! [`evaluate`] sorts the run's deviations (results that are `fail`, or
//! `warn`) into *baselined* (an entry of the baseline lists them) and
//! *unlisted*, and gives every entry of the baseline an [`EntryOutcome`]. The
//! [`Gate`] it returns is stored in the run record (`gate` in `run.json`), so
//! a report or a later CI step sees the same verdict the binary exited with.
//!
//! The rules, in full:
//!
//! * A result *gates* when it is `fail`, or `warn` under `--strict`. A gating
//!   result that no entry lists fails the gate; a listed one does not.
//! * An entry lists a result when its `case` is the result's case ID and its
//!   `version` and `transport`, when given, are the result's (an absent one
//!   matches every version or transport).
//! * An entry is [`Matched`](EntryOutcome::Matched) when it lists at least one
//!   `fail` or `warn` result. A `warn` keeps its entry matched even without
//!   `--strict`: the deviation is still there, so the entry is not stale.
//! * An entry is [`Stale`](EntryOutcome::Stale) when its case ran in its scope
//!   and every result there is `pass` or `not-applicable`: it no longer fails,
//!   so the entry should go. A stale entry fails the gate unless
//!   `--allow-stale`.
//! * An entry is [`NotRun`](EntryOutcome::NotRun) when no result is in its
//!   scope (`--only`/`--skip` left the case out, the server does not speak the
//!   version, the run used another transport): nothing says it is stale.
//! * An entry is [`Inconclusive`](EntryOutcome::Inconclusive) when its case
//!   ran in its scope without failing but at least one result there is
//!   `inconclusive`: the failure may still be there, so the entry is kept.
//!   Neither outcome fails the gate.
//!
//! `inconclusive` results never fail the gate, with or without a baseline
//! (see [`crate::exit_code`]).

use serde::{Deserialize, Serialize};

use crate::baseline::{Baseline, Entry};
use crate::{CaseResult, RunRecord, Status};

/// The verdict of the gate on one run. In `run.json`: the `gate` object,
/// present only when the run had a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// The baseline file, as named on the command line.
    pub baseline: String,
    /// Whether warnings gated (`--strict`).
    pub strict: bool,
    /// Whether stale entries were allowed (`--allow-stale`).
    pub allow_stale: bool,
    /// The verdict: no unlisted gating result and, unless `allow_stale`, no
    /// stale entry.
    pub passed: bool,
    /// The `fail` and `warn` results an entry lists, in the record's order.
    /// Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baselined: Vec<GatedResult>,
    /// The gating results no entry lists: each fails the gate. Omitted when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlisted: Vec<GatedResult>,
    /// Every entry of the baseline with its outcome, in file order. Omitted
    /// when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<EntryVerdict>,
}

/// A result the gate looked at: which one, and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatedResult {
    /// The case ID.
    pub case_id: String,
    /// The protocol version.
    pub version: String,
    /// The transport.
    pub transport: String,
    /// `fail` or `warn`.
    pub status: Status,
    /// The line of the baseline entry that lists it (the first one, when
    /// several do). Omitted for unlisted results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_line: Option<usize>,
}

/// One baseline entry and what the run made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryVerdict {
    /// The case ID the entry names.
    pub case: String,
    /// The version it is limited to. Omitted when it covers every version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The transport it is limited to. Omitted when it covers every transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// Why the failure is accepted, as the file says. Omitted when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The line of the entry's `case` key in the baseline file.
    pub line: usize,
    /// What the run made of it.
    pub outcome: EntryOutcome,
}

/// What a run made of a baseline entry. In JSON: `"matched"`, `"stale"`,
/// `"not-run"` or `"inconclusive"` (the rules are in the [module
/// doc](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryOutcome {
    /// It lists at least one `fail` or `warn` result.
    Matched,
    /// Its case ran in its scope and no longer fails: remove the entry.
    Stale,
    /// Its case did not run in its scope, so it was not checked.
    NotRun,
    /// Its case ran without failing, but some result in its scope was
    /// inconclusive, so the failure may still be there.
    Inconclusive,
}

impl EntryOutcome {
    /// The lower-case name used in every report (`not-run`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryOutcome::Matched => "matched",
            EntryOutcome::Stale => "stale",
            EntryOutcome::NotRun => "not-run",
            EntryOutcome::Inconclusive => "inconclusive",
        }
    }
}

impl EntryVerdict {
    /// Does this entry list `result` (case, and version and transport when given)?
    pub fn lists(&self, result: &CaseResult) -> bool {
        covers(&self.case, &self.version, &self.transport, result)
    }
}

/// Does an entry with these fields list `result`? An absent version or
/// transport matches every one.
pub(crate) fn covers(
    case: &str,
    version: &Option<String>,
    transport: &Option<String>,
    result: &CaseResult,
) -> bool {
    case == result.case_id
        && version.as_ref().is_none_or(|v| *v == result.version)
        && transport.as_ref().is_none_or(|t| *t == result.transport)
}

/// Is `result` a deviation a baseline can list (`fail` or `warn`)?
pub(crate) fn deviates(result: &CaseResult) -> bool {
    matches!(result.status, Status::Fail | Status::Warn)
}

/// Does `result` fail the gate unless listed: `fail`, or `warn` under `strict`?
pub(crate) fn gates(result: &CaseResult, strict: bool) -> bool {
    result.status == Status::Fail || (strict && result.status == Status::Warn)
}

/// Judges `record` against `baseline` (named `baseline_name` in reports).
/// Pure: the same inputs always give the same [`Gate`].
pub fn evaluate(
    record: &RunRecord,
    baseline: &Baseline,
    baseline_name: &str,
    strict: bool,
    allow_stale: bool,
) -> Gate {
    let mut baselined = Vec::new();
    let mut unlisted = Vec::new();
    for result in record.results.iter().filter(|r| deviates(r)) {
        match baseline.entries.iter().find(|e| e.lists(result)) {
            Some(entry) => baselined.push(gated(result, Some(entry.line))),
            None if gates(result, strict) => unlisted.push(gated(result, None)),
            None => {}
        }
    }
    let entries: Vec<EntryVerdict> = baseline
        .entries
        .iter()
        .map(|entry| EntryVerdict {
            case: entry.case.clone(),
            version: entry.version.clone(),
            transport: entry.transport.clone(),
            reason: entry.reason.clone(),
            line: entry.line,
            outcome: outcome(entry, &record.results),
        })
        .collect();
    let stale = entries.iter().any(|e| e.outcome == EntryOutcome::Stale);
    let passed = unlisted.is_empty() && (allow_stale || !stale);
    Gate {
        baseline: baseline_name.to_string(),
        strict,
        allow_stale,
        passed,
        baselined,
        unlisted,
        entries,
    }
}

fn gated(result: &CaseResult, entry_line: Option<usize>) -> GatedResult {
    GatedResult {
        case_id: result.case_id.clone(),
        version: result.version.clone(),
        transport: result.transport.clone(),
        status: result.status,
        entry_line,
    }
}

fn outcome(entry: &Entry, results: &[CaseResult]) -> EntryOutcome {
    let in_scope: Vec<&CaseResult> = results.iter().filter(|r| entry.lists(r)).collect();
    if in_scope.is_empty() {
        EntryOutcome::NotRun
    } else if in_scope.iter().any(|r| deviates(r)) {
        EntryOutcome::Matched
    } else if in_scope.iter().any(|r| r.status == Status::Inconclusive) {
        EntryOutcome::Inconclusive
    } else {
        EntryOutcome::Stale
    }
}

/// Does `record`, judged by its `gate` under `strict` (on top of the gate's
/// own), fail? A gating result no entry lists fails it, and so does a stale
/// entry unless the gate allowed them. Used by [`crate::exit_code`], so that
/// a record read back from `run.json` exits as the run did.
pub(crate) fn fails(record: &RunRecord, gate: &Gate, strict: bool) -> bool {
    let strict = strict || gate.strict;
    let unlisted = record
        .results
        .iter()
        .any(|r| gates(r, strict) && !gate.entries.iter().any(|e| e.lists(r)));
    let stale = !gate.allow_stale
        && gate
            .entries
            .iter()
            .any(|e| e.outcome == EntryOutcome::Stale);
    unlisted || stale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};

    fn entry(case: &str, version: Option<&str>, line: usize) -> Entry {
        Entry {
            case: case.into(),
            version: version.map(Into::into),
            transport: None,
            reason: None,
            line,
        }
    }

    fn at(status: Status, case: &str, version: &str) -> CaseResult {
        let mut r = result(status);
        r.case_id = case.into();
        r.version = version.into();
        r
    }

    fn outcomes(gate: &Gate) -> Vec<EntryOutcome> {
        gate.entries.iter().map(|e| e.outcome).collect()
    }

    #[test]
    fn a_listed_failure_passes_and_an_unlisted_one_fails() {
        let record = record_with(vec![
            at(Status::Fail, "A-1", "v1"),
            at(Status::Fail, "B-1", "v1"),
        ]);
        let only_a = Baseline {
            entries: vec![entry("A-1", None, 4)],
        };
        let gate = evaluate(&record, &only_a, "b.toml", false, false);
        assert!(!gate.passed);
        assert_eq!(gate.baselined.len(), 1);
        assert_eq!(gate.baselined[0].entry_line, Some(4));
        assert_eq!(
            gate.unlisted
                .iter()
                .map(|r| r.case_id.as_str())
                .collect::<Vec<_>>(),
            ["B-1"]
        );

        let both = Baseline {
            entries: vec![entry("A-1", None, 4), entry("B-1", Some("v1"), 8)],
        };
        let gate = evaluate(&record, &both, "b.toml", false, false);
        assert!(gate.passed && gate.unlisted.is_empty(), "{gate:#?}");
        assert_eq!(
            outcomes(&gate),
            [EntryOutcome::Matched, EntryOutcome::Matched]
        );
    }

    #[test]
    fn version_and_transport_narrow_an_entry() {
        let record = record_with(vec![
            at(Status::Fail, "A-1", "v1"),
            at(Status::Fail, "A-1", "v2"),
        ]);
        let v1_only = Baseline {
            entries: vec![entry("A-1", Some("v1"), 1)],
        };
        let gate = evaluate(&record, &v1_only, "b", false, false);
        assert_eq!(
            gate.unlisted
                .iter()
                .map(|r| r.version.as_str())
                .collect::<Vec<_>>(),
            ["v2"]
        );

        let mut other_transport = entry("A-1", None, 1);
        other_transport.transport = Some("sse".into());
        let gate = evaluate(
            &record,
            &Baseline {
                entries: vec![other_transport],
            },
            "b",
            false,
            false,
        );
        assert_eq!(gate.unlisted.len(), 2);
        // The run used stdio only: the sse entry was not checked, so it is not stale.
        assert_eq!(outcomes(&gate), [EntryOutcome::NotRun]);
        assert!(!gate.passed);
    }

    #[test]
    fn an_entry_that_no_longer_fails_is_stale_unless_allowed() {
        for now in [Status::Pass, Status::NotApplicable] {
            let record = record_with(vec![at(now, "A-1", "v1")]);
            let baseline = Baseline {
                entries: vec![entry("A-1", None, 1)],
            };
            let gate = evaluate(&record, &baseline, "b", false, false);
            assert_eq!(outcomes(&gate), [EntryOutcome::Stale], "{now}");
            assert!(!gate.passed, "{now}");
            assert!(
                evaluate(&record, &baseline, "b", false, true).passed,
                "{now} with --allow-stale"
            );
        }
    }

    #[test]
    fn entries_for_cases_not_run_or_undecided_are_not_stale() {
        let record = record_with(vec![
            at(Status::Pass, "A-1", "v1"),
            at(Status::Inconclusive, "B-1", "v1"),
        ]);
        let baseline = Baseline {
            entries: vec![
                entry("A-1", Some("v2"), 1),
                entry("B-1", None, 2),
                entry("C-1", None, 3),
            ],
        };
        let gate = evaluate(&record, &baseline, "b", false, false);
        assert_eq!(
            outcomes(&gate),
            [
                EntryOutcome::NotRun,
                EntryOutcome::Inconclusive,
                EntryOutcome::NotRun
            ]
        );
        assert!(gate.passed, "{gate:#?}");
    }

    #[test]
    fn warnings_gate_only_under_strict_and_keep_their_entry_matched() {
        let record = record_with(vec![at(Status::Warn, "A-1", "v1")]);
        let empty = Baseline { entries: vec![] };
        assert!(evaluate(&record, &empty, "b", false, false).passed);
        let strict = evaluate(&record, &empty, "b", true, false);
        assert!(!strict.passed && strict.unlisted.len() == 1);

        let listed = Baseline {
            entries: vec![entry("A-1", None, 1)],
        };
        for strict in [false, true] {
            let gate = evaluate(&record, &listed, "b", strict, false);
            assert!(gate.passed, "strict {strict}");
            assert_eq!(
                outcomes(&gate),
                [EntryOutcome::Matched],
                "a warning still deviates: not stale"
            );
            assert_eq!(gate.baselined.len(), 1);
        }
    }

    #[test]
    fn the_record_exits_as_the_gate_decided() {
        let mut record = record_with(vec![
            at(Status::Fail, "A-1", "v1"),
            at(Status::Warn, "B-1", "v1"),
        ]);
        let baseline = Baseline {
            entries: vec![entry("A-1", None, 1)],
        };
        record.gate = Some(evaluate(&record, &baseline, "b", false, false));
        assert_eq!(crate::exit_code(&record, false), 0);
        // A later step may be stricter than the run: the unlisted warning gates then.
        assert_eq!(crate::exit_code(&record, true), 1);

        let mut fixed = record_with(vec![at(Status::Pass, "A-1", "v1")]);
        fixed.gate = Some(evaluate(&fixed, &baseline, "b", false, false));
        assert_eq!(crate::exit_code(&fixed, false), 1, "stale entry");
        fixed.gate = Some(evaluate(&fixed, &baseline, "b", false, true));
        assert_eq!(crate::exit_code(&fixed, false), 0, "stale allowed");
    }
}
