//! The gate in every report that shows it: the terminal summary, `run.json`
//! and the baseline file written from a run, as insta snapshots.

use reports::baseline::{self, Baseline, Entry, Known};
use reports::gate::{evaluate, EntryOutcome};
use reports::terminal::{render, TerminalOptions};
use reports::{from_json, to_json, CaseResult, Finding, RunRecord, Status, FORMAT_VERSION};

fn result(case_id: &str, version: &str, status: Status) -> CaseResult {
    CaseResult {
        case_id: case_id.into(),
        area: "lifecycle".into(),
        title: format!("Title of {case_id}"),
        requirements: vec![case_id[..case_id.find('-').unwrap() + 4].into()],
        keyword: "MUST".into(),
        spec: "basic/lifecycle.mdx §Section".into(),
        version: version.into(),
        transport: "stdio".into(),
        status,
        reason: (status == Status::Inconclusive).then(|| "no answer in time".into()),
        findings: matches!(status, Status::Fail | Status::Warn)
            .then(|| Finding {
                requirement: case_id[..case_id.find('-').unwrap() + 4].into(),
                keyword: "MUST".into(),
                message: "wrong".into(),
                expected: "right".into(),
                actual: "wrong".into(),
                hint: "fix it".into(),
            })
            .into_iter()
            .collect(),
        transcript: vec![],
        duration_ms: 2,
    }
}

/// A run record as a build without the gate wrote it (format_version 1, no
/// `gate` key), with no results yet.
const RECORD_BEFORE_THE_GATE: &str = r#"{
  "format_version": 1,
  "tool": { "name": "mcp-conform", "version": "0.1.0" },
  "started_at": "2026-07-30T09:00:00Z",
  "duration_ms": 40,
  "target": { "transport": "stdio", "endpoint": "my-server" },
  "versions": ["2025-06-18", "2025-11-25"],
  "results": []
}"#;

/// A run with a baselined failure, an unlisted one, a case that passes now,
/// and one that was inconclusive.
fn sample() -> RunRecord {
    let mut record = from_json(RECORD_BEFORE_THE_GATE).expect("an older record reads");
    assert_eq!(
        (record.format_version, &record.gate),
        (FORMAT_VERSION, &None)
    );
    record.results = vec![
        result(
            "LIFECYCLE-006-unsupported-version",
            "2025-06-18",
            Status::Fail,
        ),
        result(
            "LIFECYCLE-006-unsupported-version",
            "2025-11-25",
            Status::Fail,
        ),
        result("PING-001-ping", "2025-06-18", Status::Pass),
        result("TOOLS-002-list", "2025-06-18", Status::Inconclusive),
    ];
    record
}

fn entry(case: &str, version: Option<&str>, reason: Option<&str>, line: usize) -> Entry {
    Entry {
        case: case.into(),
        version: version.map(Into::into),
        transport: None,
        reason: reason.map(Into::into),
        line,
    }
}

fn gated_sample() -> RunRecord {
    let baseline = Baseline {
        entries: vec![
            entry(
                "LIFECYCLE-006-unsupported-version",
                Some("2025-06-18"),
                Some("upstream SDK, see #12"),
                9,
            ),
            entry("PING-001-ping", None, None, 14),
            entry("TOOLS-002-list", None, None, 17),
            entry("RESOURCES-001-list", None, None, 20),
        ],
    };
    let mut record = sample();
    record.gate = Some(evaluate(
        &record,
        &baseline,
        "ci/baseline.toml",
        false,
        false,
    ));
    record
}

#[test]
fn terminal_shows_the_gate() {
    insta::assert_snapshot!(render(&gated_sample(), &TerminalOptions::default()));
}

#[test]
fn run_json_holds_the_gate_and_reads_back() {
    let record = gated_sample();
    let json = to_json(&record);
    let gate: serde_json::Value =
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["gate"].clone();
    insta::assert_json_snapshot!(gate);
    assert_eq!(from_json(&json).unwrap(), record);
    let outcomes: Vec<_> = record
        .gate
        .unwrap()
        .entries
        .iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            EntryOutcome::Matched,
            EntryOutcome::Stale,
            EntryOutcome::Inconclusive,
            EntryOutcome::NotRun
        ]
    );
}

#[test]
fn a_record_without_a_gate_reads_as_before() {
    let json = to_json(&sample());
    assert!(
        !json.contains("\"gate\""),
        "no baseline, no gate key: {json}"
    );
    assert_eq!(from_json(&json).unwrap().gate, None);
    assert_eq!(reports::exit_code(&sample(), false), 1);
}

#[test]
fn the_written_baseline() {
    let text = baseline::write(&sample(), false, None);
    insta::assert_snapshot!(text);
    let known = Known {
        case: &|_| Ok(()),
        versions: &["2025-06-18", "2025-11-25"],
        transports: &["stdio"],
    };
    let read = baseline::parse(&text, &known).unwrap();
    let mut record = sample();
    record.gate = Some(evaluate(&record, &read, "b", false, false));
    assert_eq!(reports::exit_code(&record, false), 0);
}
