//! The surface gate in every report: `run.json` (which older records read
//! without), the terminal summary, `junit.xml`, `results.sarif`,
//! `summary.md` and `report.html`, as insta snapshots, and the exit code.

use reports::surface::{ChangeClass, SnapshotWrite, SurfaceChange, SurfaceCheck};
use reports::terminal::{render, surface_section, TerminalOptions};
use reports::{exit_code, from_json, to_json, McpConformExitCode, RunRecord};
use serde_json::Value;

/// A record as a build without the surface gate wrote it: one passing case.
const RECORD_BEFORE_THE_SURFACE: &str = r#"{
  "format_version": 1,
  "tool": { "name": "mcp-conform", "version": "0.1.0" },
  "started_at": "2026-07-30T09:00:00Z",
  "duration_ms": 40,
  "target": { "transport": "stdio", "endpoint": "my-server" },
  "versions": ["2025-06-18", "2025-11-25"],
  "results": [{
    "case_id": "PING-001-ping", "area": "ping", "title": "Answers ping", "requirements": ["PING-001"],
    "keyword": "MUST", "spec": "basic/utilities/ping.mdx §Behavior Requirements", "version": "2025-06-18",
    "transport": "stdio", "status": "pass", "duration_ms": 2
  }]
}"#;

fn change(class: ChangeClass, path: &str, what: &str, versions: &[&str]) -> SurfaceChange {
    SurfaceChange { class, path: path.into(), what: what.into(), versions: versions.iter().map(|v| v.to_string()).collect() }
}

/// Every class of change; one shows in a single version, one carries text
/// a hostile server chose (a tool name with markup and a link).
fn changes() -> Vec<SurfaceChange> {
    let both = ["2025-06-18", "2025-11-25"];
    vec![
        change(ChangeClass::Breaking, "tools/echo", "tool `echo` removed", &both),
        change(ChangeClass::Breaking, "tools/add/inputSchema/required/b", "parameter `b` newly required", &["2025-11-25"]),
        change(ChangeClass::NeedsReview, "tools/add/annotations/readOnlyHint", "annotation `readOnlyHint` true → false", &both),
        change(ChangeClass::Additive, "tools/<b>x</b>", "new tool `<b>x</b>` [click](http://evil.example)", &both),
        change(ChangeClass::Cosmetic, "server/name", "server name `a` → `b`", &[]),
    ]
}

fn with_surface(passed: bool, written: Option<SnapshotWrite>) -> RunRecord {
    let mut record = from_json(RECORD_BEFORE_THE_SURFACE).expect("an older record reads");
    assert_eq!(record.surface, None, "no surface without a snapshot");
    record.surface = Some(SurfaceCheck {
        snapshot: "surface.json".into(),
        versions: vec!["2025-06-18".into(), "2025-11-25".into()],
        passed,
        written,
        changes: changes(),
    });
    record
}

fn failed() -> RunRecord {
    with_surface(false, None)
}

#[test]
fn run_json_holds_the_surface_and_reads_back() {
    let record = failed();
    let json = to_json(&record);
    insta::assert_snapshot!("surface_run_json", json);
    assert_eq!(from_json(&json).expect("reads back"), record);
    // A record without a snapshot writes no `surface` key at all.
    let plain = from_json(RECORD_BEFORE_THE_SURFACE).unwrap();
    assert!(!to_json(&plain).contains("\"surface\""));
}

#[test]
fn a_breaking_change_fails_the_run_until_accepted() {
    assert_eq!(exit_code(&failed(), false), McpConformExitCode::FINDINGS);
    assert_eq!(exit_code(&with_surface(true, Some(SnapshotWrite::Updated)), false), McpConformExitCode::CONFORMANT);
    let mut additive_only = with_surface(true, None);
    additive_only.surface.as_mut().unwrap().changes.retain(|c| !c.class.fails_gate());
    assert_eq!(exit_code(&additive_only, false), McpConformExitCode::CONFORMANT);
}

#[test]
fn terminal_shows_the_surface_before_the_count_line() {
    let text = render(&failed(), &TerminalOptions::default());
    insta::assert_snapshot!("surface_terminal", text);
    assert!(text.trim_end().lines().last().unwrap().ends_with("; surface gate FAILED"));
    // `snapshot --check` prints the same section.
    let section = surface_section(failed().surface.as_ref().unwrap(), &TerminalOptions::default());
    assert!(text.contains(&section), "{section}");
    let accepted = surface_section(with_surface(true, Some(SnapshotWrite::Updated)).surface.as_ref().unwrap(), &TerminalOptions::default());
    assert!(accepted.ends_with("surface gate passed: 5 change(s) accepted, the snapshot was updated\n"), "{accepted}");
}

#[test]
fn junit_has_a_failing_surface_testcase() {
    let xml = reports::junit::to_junit(&failed());
    insta::assert_snapshot!("surface_junit_xml", xml);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!((root.attribute("tests"), root.attribute("failures")), (Some("2"), Some("1")));
    let case = doc.descendants().find(|n| n.has_tag_name("testcase") && n.attribute("classname") == Some("surface")).unwrap();
    assert_eq!(case.attribute("name"), Some("surface.json"));
    let failure = case.children().find(|n| n.has_tag_name("failure")).expect("a failure");
    assert!(failure.text().unwrap().contains("breaking      tools/echo: tool `echo` removed"));

    // Passed with changes: the testcase passes and lists them.
    let xml = reports::junit::to_junit(&with_surface(true, Some(SnapshotWrite::Updated)));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
    assert!(doc.descendants().any(|n| n.has_tag_name("system-out") && n.text().unwrap().contains("tools/echo")));
}

#[test]
fn sarif_has_a_result_per_gating_change() {
    let text = reports::sarif::to_sarif(&failed());
    insta::assert_snapshot!("surface_results_sarif", text);
    let log: Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rules, ["SURFACE-BREAKING", "SURFACE-BREAKING", "SURFACE-NEEDS-REVIEW"]);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], result["ruleId"]);
        assert_eq!(result["level"], "error");
    }
    assert_eq!(results[0]["partialFingerprints"]["mcpConformCheck/v1"], "SURFACE-BREAKING/surface/tools/echo");
    assert_eq!(run["properties"]["surface"]["changes"]["additive"], 1);

    // Accepted changes stay visible, as notes.
    let accepted: Value = serde_json::from_str(&reports::sarif::to_sarif(&with_surface(true, Some(SnapshotWrite::Updated)))).unwrap();
    assert!(accepted["runs"][0]["results"].as_array().unwrap().iter().all(|r| r["level"] == "note"));
}

#[test]
fn markdown_has_a_surface_section() {
    let text = reports::markdown::to_markdown(&failed());
    insta::assert_snapshot!("surface_summary_md", text);
    assert!(text.starts_with("## ❌ mcp-conform: conformant, but the surface gate failed\n"));
    assert!(!text.contains("<b>") && !text.contains("[click](http"), "server text stays inert");
}

#[test]
fn html_has_a_surface_section() {
    let html = reports::html::to_html(&failed());
    let start = html.find("<section class=\"surface\">").expect("a surface section");
    let end = start + html[start..].find("</section>").unwrap() + "</section>".len();
    insta::assert_snapshot!("surface_report_html_section", &html[start..end]);
    assert!(html.contains("Conformant, but the surface gate failed"));
    assert!(!html[start..end].contains("<b>x"), "server text is escaped");
}
