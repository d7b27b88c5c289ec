//! The CI gate end to end: `mcp-conform baseline` writes the failures of a
//! faulty reference server, `run --baseline` passes with them, and once the
//! fault is gone the entries are reported stale and fail the gate unless
//! `--allow-stale`. Bad baselines exit 2 with the file and the line.

mod support;

use std::path::Path;
use std::process::Output;

use reports::gate::EntryOutcome;
use support::{bin, conform, record, scratch};

/// Two stateful versions keep the runs short; L-PING-001 has a cheap fault.
const SELECTION: &[&str] = &["--only", "L-PING", "--spec-version", "2025-06-18", "--spec-version", "2025-11-25", "--color", "never"];

/// `mcp-conform COMMAND SELECTION EXTRA`, against the reference server with
/// `ping-error` when `faulty`, or the clean bundled one.
fn gate_run(command: &str, extra: &[&str], faulty: bool) -> Output {
    let mut args = vec![command];
    args.extend_from_slice(SELECTION);
    args.extend_from_slice(extra);
    if faulty {
        args.extend_from_slice(&["--", bin(), "reference-server", "--fault", "ping-error"]);
    }
    conform(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn baseline_round_trip_passes_then_reports_stale_entries() {
    let dir = scratch("gate-round-trip");
    let file = dir.join("baseline.toml");

    let out = gate_run("baseline", &["--output", path(&file)], true);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.matches("\n[[failure]]\n").count(), 2, "one entry per version: {written}");
    assert!(written.contains("case = \"L-PING-001-ping\"\nversion = \"2025-06-18\"\ntransport = \"stdio\"\n"), "{written}");
    // The same run writes the same bytes.
    let again = dir.join("again.toml");
    assert_eq!(gate_run("baseline", &["--output", path(&again)], true).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), written);

    // The fault is still there: its failures are listed, the gate passes.
    let reports = dir.join("listed");
    let out = gate_run("run", &["--baseline", path(&file), "--report-dir", path(&reports)], true);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("gate passed: 0 unlisted, 2 baselined, 0 stale"), "{stdout}");
    let gate = record(&reports).gate.expect("run.json has the gate");
    assert!(gate.passed && gate.unlisted.is_empty() && gate.baselined.len() == 2, "{gate:#?}");
    assert!(gate.entries.iter().all(|e| e.outcome == EntryOutcome::Matched), "{gate:#?}");

    // The fault is fixed: both entries are stale, and fail the gate ...
    let reports = dir.join("fixed");
    let out = gate_run("run", &["--baseline", path(&file), "--report-dir", path(&reports)], false);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("stale        line 9: L-PING-001-ping  2025-06-18  stdio  (no longer fails"), "{stdout}");
    assert!(stdout.contains("gate FAILED: 0 unlisted, 0 baselined, 2 stale"), "{stdout}");
    assert!(stdout.trim_end().ends_with("; gate FAILED"), "the last line says the outcome: {stdout}");
    let gate = record(&reports).gate.expect("run.json has the gate");
    assert!(!gate.passed && gate.entries.iter().all(|e| e.outcome == EntryOutcome::Stale), "{gate:#?}");

    // ... unless stale entries are allowed.
    let out = gate_run("run", &["--baseline", path(&file), "--allow-stale"], false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("2 stale (allowed)"));
}

#[test]
fn an_unlisted_failure_fails_the_gate_and_an_entry_not_run_is_not_stale() {
    let dir = scratch("gate-unlisted");
    let file = dir.join("baseline.toml");
    // Lists the 2025-06-18 failure only, plus a case this selection never runs.
    std::fs::write(
        &file,
        "format_version = 1\n\n[[failure]]\ncase = \"L-PING-001-ping\"\nversion = \"2025-06-18\"\nreason = \"known\"\n\n\
         [[failure]]\ncase = \"TOOLS-002-list\"\n",
    )
    .unwrap();
    let reports = dir.join("reports");
    let out = gate_run("run", &["--baseline", path(&file), "--report-dir", path(&reports)], true);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("unlisted     FAIL L-PING-001-ping  2025-11-25  stdio"), "{stdout}");
    let gate = record(&reports).gate.unwrap();
    let unlisted: Vec<_> = gate.unlisted.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(unlisted, ["2025-11-25"]);
    let outcomes: Vec<_> = gate.entries.iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, [EntryOutcome::Matched, EntryOutcome::NotRun]);

    // Rewriting from this run keeps the entry's reason and the one not run,
    // and adds the unlisted failure.
    let rewritten = dir.join("rewritten.toml");
    let out = gate_run("baseline", &["--baseline", path(&file), "--output", path(&rewritten)], true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let text = std::fs::read_to_string(&rewritten).unwrap();
    assert!(text.contains("version = \"2025-06-18\"\nreason = \"known\"\n"), "{text}");
    assert!(text.contains("version = \"2025-11-25\"\ntransport = \"stdio\"\n"), "{text}");
    assert!(text.contains("case = \"TOOLS-002-list\"\n"), "{text}");
    assert_eq!(gate_run("run", &["--baseline", path(&rewritten)], true).status.code(), Some(0));
}

fn usage_error(args: &[&str], needle: &str) {
    let out = conform(args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr:?} should mention {needle:?}");
}

#[test]
fn bad_baselines_exit_2_naming_the_file_and_line() {
    let dir = scratch("gate-errors");
    let write = |name: &str, text: &str| {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        file.to_str().unwrap().to_string()
    };
    let typo = write("typo.toml", "format_version = 1\n\n[[failure]]\ncase = \"L-PING-001\"\n");
    usage_error(&["run", "--baseline", &typo], "typo.toml:4: unknown case `L-PING-001`");
    usage_error(&["run", "--baseline", &typo], "did you mean L-PING-001-ping?");
    let key = write("key.toml", "format_version = 1\n[[failure]]\ncase = \"L-PING-001-ping\"\ntransprt = \"stdio\"\n");
    usage_error(&["run", "--baseline", &key], "key.toml:4: unknown field `transprt`");
    let version = write("version.toml", "format_version = 1\n[[failure]]\ncase = \"L-PING-001-ping\"\nversion = \"2025-06-31\"\n");
    usage_error(&["run", "--baseline", &version], "version.toml:4: unknown protocol version `2025-06-31`");
    let layout = write("layout.toml", "format_version = 9\n");
    usage_error(&["run", "--baseline", &layout], "layout.toml:1: format_version is 9, but this build reads only version 1");
    usage_error(&["run", "--baseline", "/no/such/baseline.toml"], "--baseline /no/such/baseline.toml: No such file");
    usage_error(&["run", "--allow-stale"], "--baseline <FILE>");

    // A case of --cases is known: an entry for it is no typo.
    std::fs::create_dir_all(dir.join("cases/mine")).unwrap();
    std::fs::write(
        dir.join("cases/mine/MY-PING.toml"),
        "id = \"MY-PING\"\ntitle = \"my ping\"\nrequirements = [\"L-PING-001\"]\nkeyword = \"MUST\"\nspec = \"s\"\n\
         hint = \"h\"\nversions = [\"stateful\"]\n\n[[steps]]\nrequest = \"ping\"\nexpect = { outcome = \"result\" }\n",
    )
    .unwrap();
    let mine = write("mine.toml", "format_version = 1\n[[failure]]\ncase = \"MY-PING\"\n");
    usage_error(&["run", "--baseline", &mine, "--only", "L-PING"], "mine.toml:3: unknown case `MY-PING`");
    let cases = dir.join("cases");
    let out = conform(&["run", "--baseline", &mine, "--cases", path(&cases), "--only", "MY-PING", "--spec-version", "2025-06-18"]);
    // The reference server answers the ping: the entry is stale.
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("stale        line 3: MY-PING"), "{}", text(&out.stdout));
}
