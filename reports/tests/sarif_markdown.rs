//! `results.sarif` and `summary.md` of one record with every status, a
//! failure with two findings, a strict-promoted SHOULD failure, and a
//! server whose strings try to break out of JSON, Markdown and HTML.
//!
//! Snapshots are in `tests/snapshots/`; the SARIF is also validated against
//! the official SARIF 2.1.0 JSON schema (the copy serde-sarif ships, found
//! through `cargo metadata`) and read back into serde-sarif's types.

use std::path::PathBuf;
use std::process::Command;

use reports::markdown::{to_markdown, MAX_BYTES};
use reports::sarif::{to_sarif, to_sarif_anchored, FINGERPRINT_KEY};
use reports::{CaseResult, Direction, Finding, RunRecord, Status, TranscriptEntry};
use serde_json::Value;

/// What a hostile server might put in any string it controls.
const HOSTILE: &str = "<script>alert(1)</script> ![x](http://evil.example/x.png) [click](javascript:alert(1)) | cell | **bold** `code` $x^2$ www.evil.example @someone :smile: \u{1b}[31mred\u{0}\n# heading";

/// A result with no findings or transcript, its requirement taken from
/// the case ID (`TOOLS-004-...` cites `TOOLS-004`).
fn case(id: &str, area: &str, version: &str, transport: &str, status: Status) -> CaseResult {
    let requirement = &id[..id.find('-').unwrap() + 4];
    serde_json::from_value(serde_json::json!({
        "case_id": id, "area": area, "title": format!("Title of {id}"),
        "requirements": [requirement], "keyword": "MUST",
        "spec": format!("basic/{area}.mdx §Section"),
        "version": version, "transport": transport, "status": status, "duration_ms": 2,
    }))
    .unwrap()
}

fn entry(at_ms: u64, direction: Direction, text: &str) -> TranscriptEntry {
    TranscriptEntry {
        at_ms,
        direction,
        channel: "stdio".into(),
        text: text.into(),
    }
}

fn finding(requirement: &str, keyword: &str, message: &str, hint: &str) -> Finding {
    Finding {
        requirement: requirement.into(),
        keyword: keyword.into(),
        message: message.into(),
        expected: "a result".into(),
        actual: format!("{{\"error\": \"{HOSTILE}\"}}"),
        hint: hint.into(),
    }
}

/// A 2026-07-28 Streamable HTTP case with one SHOULD finding.
fn should_case(
    (id, area, status): (&str, &str, Status),
    spec: &str,
    (message, hint): (&str, &str),
    transcript: Vec<TranscriptEntry>,
) -> CaseResult {
    let mut result = case(id, area, "2026-07-28", "streamable-http", status);
    result.keyword = "SHOULD".into();
    result.spec = spec.into();
    result.findings = vec![finding(&result.requirements[0], "SHOULD", message, hint)];
    result.transcript = transcript;
    result
}

fn sample() -> RunRecord {
    let pass = case("PING-001-ping-answered", "ping", "2025-06-18", "stdio", Status::Pass);

    let mut fail = case(
        "LIFECYCLE-006-unsupported-version",
        "lifecycle",
        "2025-06-18",
        "stdio",
        Status::Fail,
    );
    fail.spec = "2025-11-25 basic/lifecycle.mdx §Version Negotiation".into();
    fail.requirements.push("LIFECYCLE-007".into());
    fail.findings = vec![
        finding(
            "LIFECYCLE-006",
            "MUST",
            &format!("The server answered with {HOSTILE}"),
            "Answer with the latest version you support",
        ),
        finding(
            "LIFECYCLE-007",
            "MUST",
            "The error has no data.supported",
            "List the supported versions in data.supported",
        ),
    ];
    fail.transcript = vec![
        entry(0, Direction::Sent, r#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#),
        entry(3, Direction::Received, &format!("```\n</details>\n{HOSTILE}")),
        entry(9, Direction::Event, "process exited with status 1"),
    ];

    let warn = should_case(
        ("TOOLS-004-pagination-cursor", "tools", Status::Warn),
        "server/utilities/pagination.mdx §Implementation Guidelines",
        ("nextCursor is present on the last page", "Omit nextCursor when there are no more results"),
        vec![entry(0, Direction::Received, r#"{"result":{"nextCursor":""}}"#)],
    );
    // Failed under --strict: its only finding is a SHOULD.
    let promoted = should_case(
        ("HTTP-010-origin-check", "http", Status::Fail),
        "streamable-http.mdx §Security & Endpoint",
        ("A foreign Origin was accepted", "Refuse requests whose Origin is not yours"),
        vec![],
    );

    let mut not_applicable = case(
        "RESOURCES-001-list",
        "resources",
        "2025-06-18",
        "stdio",
        Status::NotApplicable,
    );
    not_applicable.reason = Some("the server declares no resources capability".into());

    let mut inconclusive = case(
        "CANCEL-002-ignored-after-response",
        "cancellation",
        "2026-07-28",
        "streamable-http",
        Status::Inconclusive,
    );
    inconclusive.spec = "basic/patterns/cancellation.mdx §Behavior Requirements".into();
    inconclusive.reason = Some(format!("the server said {HOSTILE}"));
    inconclusive.transcript = vec![entry(0, Direction::Sent, r#"{"method":"tools/call"}"#)];

    // The fixed parts read from a minimal run.json, the rest set below.
    let mut record = reports::from_json(
        r#"{"format_version": 1, "tool": {"name": "mcp-conform", "version": "0.1.0"},
            "started_at": "2026-07-30T09:00:00Z", "duration_ms": 4321,
            "target": {"transport": "stdio", "endpoint": "node server.js"},
            "versions": ["2025-06-18", "2026-07-28"], "results": []}"#,
    )
    .unwrap();
    record.target.server_info = Some(serde_json::json!({"name": HOSTILE, "version": "1.0 <b>"}));
    record.results = vec![pass, fail, warn, promoted, not_applicable, inconclusive];
    record.notes = vec![format!("a note quoting the server: {HOSTILE}")];
    record
}

#[test]
fn snapshots_of_both_reports() {
    let record = sample();
    insta::assert_snapshot!("results_sarif", to_sarif(&record));
    insta::assert_snapshot!("summary_md", to_markdown(&record));
}

/// The host's target triple: `cargo metadata` filtered to it needs only
/// the packages a build here fetched (not, offline, Windows-only ones).
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.lines().find_map(|line| line.strip_prefix("host: ")).expect("`rustc -vV` names the host").to_string()
}

/// The SARIF 2.1.0 schema as the serde-sarif crate ships it.
fn official_schema() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &host_triple()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency of reports");
    let path = PathBuf::from(manifest).with_file_name("src").join("schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The schema's `run.language` pattern has a stray `]`, which ECMA-262
    // reads as a literal but Rust's regex engines refuse. Escaping it keeps
    // the pattern's meaning; nothing else is touched (and `to_sarif` never
    // writes `language`).
    let text = text.replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["title"], "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
        "{} is not the SARIF 2.1.0 schema",
        path.display()
    );
    schema
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let schema = official_schema();
    let validator = jsonschema::options().offline().build(&schema).expect("the schema compiles");
    let log: Value = serde_json::from_str(&to_sarif(&sample())).unwrap();
    let anchored: Value = serde_json::from_str(&to_sarif_anchored(&sample(), "src/main.rs")).unwrap();
    // With the surface gate's results and rules too.
    let mut surface = sample();
    surface.surface = Some(reports::surface::SurfaceCheck {
        snapshot: "surface.json".into(),
        versions: surface.versions.clone(),
        passed: false,
        written: None,
        changes: vec![reports::surface::SurfaceChange {
            class: reports::surface::ChangeClass::Breaking,
            path: "tools/echo".into(),
            what: "tool `echo` removed".into(),
            versions: vec![],
        }],
    });
    let surface: Value = serde_json::from_str(&to_sarif_anchored(&surface, "surface.json")).unwrap();
    assert!(surface["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["ruleId"] == "SURFACE-BREAKING"));
    for log in [&log, &anchored, &surface] {
        let errors: Vec<String> = validator
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    // The validator is not vacuous: a broken log is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["tool"]["driver"].as_object_mut().unwrap().remove("name");
    assert!(validator.iter_errors(&broken).count() >= 2);

    // And serde-sarif's types, generated from the same schema, read it.
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(log).unwrap();
    assert_eq!(typed.runs.len(), 1);
}

#[test]
fn sarif_rules_and_results_follow_the_record() {
    let log: Value = serde_json::from_str(&to_sarif(&sample())).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().ends_with("sarif-schema-2.1.0.json"));
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "mcp-conform");
    assert_eq!(driver["version"], "0.1.0");
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Cited by a fail, warn or inconclusive result; PING-001 (passed) and
    // RESOURCES-001 (not applicable) are not.
    assert_eq!(ids, ["LIFECYCLE-006", "LIFECYCLE-007", "TOOLS-004", "HTTP-010", "CANCEL-002"]);
    for rule in rules {
        for key in ["name", "shortDescription", "fullDescription", "help", "helpUri"] {
            assert!(!rule[key].is_null(), "{key} missing in {rule}");
        }
        assert!(rule["help"]["markdown"].is_string() && rule["help"]["text"].is_string());
    }
    let level = |i: usize| rules[i]["defaultConfiguration"]["level"].as_str().unwrap();
    assert_eq!([level(0), level(2), level(3)], ["error", "warning", "warning"]);
    let uri = |i: usize| rules[i]["helpUri"].as_str().unwrap();
    // Named version, page and heading: exact.
    assert_eq!(
        uri(0),
        "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation"
    );
    assert_eq!(
        uri(2),
        "https://modelcontextprotocol.io/specification/2026-07-28/server/utilities/pagination#implementation-guidelines"
    );
    // A short page name: the version's root, not a guess.
    assert_eq!(uri(3), "https://modelcontextprotocol.io/specification/2026-07-28");

    let results = run["results"].as_array().unwrap();
    // Two findings of the failure, the warning, the promoted failure, the inconclusive case.
    assert_eq!(results.len(), 5);
    let kinds: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("fail", "error"), ("fail", "error"), ("fail", "warning"), ("fail", "error"), ("open", "none")]
    );
    for (result, rule) in results.iter().zip(["LIFECYCLE-006", "LIFECYCLE-007", "TOOLS-004", "HTTP-010", "CANCEL-002"]) {
        assert_eq!(result["ruleId"], rule);
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], rule);
        let location = &result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"];
        let props = &result["properties"];
        assert_eq!(
            location.as_str().unwrap(),
            format!("{}/{}/{}", props["case"].as_str().unwrap(), props["version"].as_str().unwrap(), props["transport"].as_str().unwrap())
        );
    }
    assert!(results[0]["message"]["text"].as_str().unwrap().contains("Hint: Answer with the latest version"));

    // Fingerprints are unique in the run and do not depend on message text.
    let prints: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
        .collect();
    let mut unique = prints.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), prints.len());
    let mut changed = sample();
    changed.results[1].findings[0].message = "another wording".into();
    changed.started_at = "2027-01-01T00:00:00Z".into();
    let again: Value = serde_json::from_str(&to_sarif(&changed)).unwrap();
    assert_eq!(again["runs"][0]["results"][0]["partialFingerprints"], results[0]["partialFingerprints"]);
}

#[test]
fn markdown_shows_the_verdict_and_keeps_server_text_inert() {
    let md = to_markdown(&sample());
    assert!(md.starts_with("## ❌ mcp-conform: not conformant\n"), "{md}");
    assert!(md.contains("**2 failed** · 1 warning · 1 passed · 1 not applicable · 1 inconclusive"));
    assert!(md.contains("| 2025-06-18 | stdio | 1 | 1 | 0 | 1 | 0 |"));
    assert!(md.contains("| 2026-07-28 | streamable-http | 0 | 1 | 1 | 0 | 1 |"));
    for heading in ["### Failures", "#### lifecycle", "#### http", "### Warnings", "### Inconclusive", "### Notes on the run"] {
        assert!(md.contains(&format!("\n{heading}\n")), "{heading} missing");
    }

    // Outside the transcripts' code blocks, nothing the server sent can
    // open a tag, a link, an image or a table cell, or start a line.
    let mut outside = String::new();
    let mut in_code = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            outside.push_str(line);
            outside.push('\n');
        }
    }
    assert!(!in_code, "a code block was left open");
    for raw in ["<script", "<b>", "](", "![", "**bold**", "$x^2$", "\u{1b}", "\u{0}", "\n# heading", "http://"] {
        assert!(!outside.contains(raw), "{raw:?} is not escaped");
    }
    // The only tags are our own.
    let tags: Vec<&str> = outside.match_indices('<').map(|(at, _)| &outside[at..at + 9.min(outside.len() - at)]).collect();
    assert!(tags.iter().all(|t| t.starts_with("<details>") || t.starts_with("</details") || t.starts_with("<summary>") || t.starts_with("</summary")), "{tags:?}");
    assert_eq!(md.matches("<details>").count(), md.lines().filter(|l| *l == "</details>").count());
}

#[test]
fn markdown_stays_under_githubs_limit() {
    let mut record = sample();
    let template = record.results[1].clone();
    let huge_line = "x".repeat(20_000);
    record.results = (0..3000)
        .map(|i| {
            let mut result = template.clone();
            result.case_id = format!("LIFECYCLE-{i:03}-case");
            result.transcript = (0..20).map(|at| entry(at, Direction::Received, &huge_line)).collect();
            result
        })
        .collect();
    let md = to_markdown(&record);
    assert!(md.len() <= MAX_BYTES, "{} bytes", md.len());
    assert!(md.contains("left out to keep this summary under GitHub's 1 MiB limit"), "no truncation note");
    // The headline and the table are always there.
    assert!(md.contains("**3000 failed**"));
    assert!(md.contains("| 2025-06-18 | stdio | 0 | 3000 | 0 | 0 | 0 |"));
}
