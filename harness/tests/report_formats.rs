//! `run --report-dir` writes `results.sarif` and `summary.md` beside
//! `run.json` and `junit.xml`, and they agree with the record.

mod support;

use reports::Status;
use support::{bin, conform, record, scratch};

#[test]
fn report_dir_holds_sarif_and_markdown_that_parse() {
    let dir = scratch("sarif-markdown");
    let out = conform(&[
        "run", "--spec-version", "2025-06-18", "--only", "L-PING-001", "--color", "never",
        "--report-dir", dir.to_str().unwrap(),
        "--", bin(), "reference-server", "--fault", "ping-error",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let record = record(&dir);
    let failed: Vec<_> = record.results.iter().filter(|r| r.status == Status::Fail).collect();
    assert!(!failed.is_empty(), "the fault should fail a ping case");

    let sarif = std::fs::read_to_string(dir.join("results.sarif")).expect("results.sarif written");
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("results.sarif is JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let findings: usize = failed.iter().map(|r| r.findings.len().max(1)).sum();
    let fails = results.iter().filter(|r| r["kind"] == "fail").count();
    assert_eq!(fails, findings, "{sarif}");
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for result in results {
        assert!(rules.iter().any(|rule| rule["id"] == result["ruleId"]), "{result} has no rule");
    }

    let summary = std::fs::read_to_string(dir.join("summary.md")).expect("summary.md written");
    assert!(summary.starts_with("## ❌ mcp-conform: not conformant\n"), "{summary}");
    assert!(summary.contains("| 2025-06-18 | stdio |"), "{summary}");
    assert!(summary.contains(&format!("**{} failed**", failed.len())), "{summary}");
    assert!(summary.contains(&failed[0].case_id), "{summary}");
}
