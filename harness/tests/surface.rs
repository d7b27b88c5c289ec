//! Surface snapshots end to end: the clean reference server is recorded,
//! its surface variants are compared with the record (a renamed tool and a
//! new required parameter break, a new optional parameter adds), `--update`
//! accepts, and a malformed file exits 2 naming itself.

mod support;

use std::path::Path;

use support::{bin, conform, scratch};

/// `mcp-conform ARGS -- <reference server> [--surface-variant VARIANT]`.
fn against_reference(args: &[&str], variant: Option<&str>) -> (Option<i32>, String, String) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--", bin(), "reference-server"]);
    if let Some(variant) = variant {
        all.extend(["--surface-variant", variant]);
    }
    let out = conform(&all);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Run as [`against_reference`], check the exit code and that stdout holds
/// every one of `needles`; returns stdout.
fn expect(args: &[&str], variant: Option<&str>, code: i32, needles: &[&str]) -> String {
    let (got, stdout, stderr) = against_reference(args, variant);
    assert_eq!(got, Some(code), "{args:?} {variant:?}\n{stdout}\n{stderr}");
    for needle in needles {
        assert!(stdout.contains(needle), "{args:?} {variant:?}: stdout lacks {needle:?}\n{stdout}");
    }
    stdout
}

fn path(p: &Path) -> &str {
    p.to_str().expect("scratch paths are UTF-8")
}

/// The clean reference server's snapshot, written into a fresh folder.
fn clean_snapshot(name: &str) -> std::path::PathBuf {
    let file = scratch(name).join("surface.json");
    let (code, stdout, stderr) = against_reference(&["snapshot", "--output", path(&file)], None);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    file
}

#[test]
fn the_snapshot_is_complete_and_stable() {
    let file = clean_snapshot("surface-stable");
    let text = std::fs::read_to_string(&file).expect("snapshot written");
    let value: serde_json::Value = serde_json::from_str(&text).expect("snapshot is JSON");
    assert_eq!(value["format"], "mcp-conform-surface");
    assert_eq!(value["formatVersion"], 1);
    assert_eq!(value["server"], serde_json::json!({"name": "mcp-reference-server"}), "no volatile version");
    let versions = value["versions"].as_object().expect("versions");
    assert_eq!(versions.keys().cloned().collect::<Vec<_>>(), mcp_conform::version::ALL.to_vec());
    for (version, surface) in versions {
        assert!(surface["tools"]["echo"]["inputSchema"]["properties"]["message"].is_object(), "{version}");
        assert!(surface["prompts"]["greeting"]["arguments"].is_array(), "{version}");
        // ref://items/1..120 span several pages: every page was read.
        assert!(surface["resources"]["ref://items/120"].is_object(), "{version}");
        assert!(surface["resourceTemplates"]["ref://items/{id}"].is_object(), "{version}");
    }
    // Recorded twice, the same bytes.
    let (code, again, _) = against_reference(&["snapshot"], None);
    assert_eq!(code, Some(0));
    assert_eq!(again, text, "a second snapshot differs");
    // And the server checks clean against its own record.
    expect(&["snapshot", "--check", path(&file)], None, 0, &["0 breaking, 0 needing review, 0 additive, 0 cosmetic"]);
}

#[test]
fn a_renamed_tool_or_a_new_required_parameter_breaks() {
    let file = clean_snapshot("surface-breaking");
    let check = ["snapshot", "--check", path(&file)];
    let renamed = ["breaking      tools/echo: tool `echo` removed", "additive      tools/echo_text: new tool `echo_text`"];
    expect(&check, Some("tool-renamed"), 1, &renamed);
    let required = [
        "1 breaking, 0 needing review, 0 additive",
        "breaking      tools/echo/inputSchema/required/format: parameter `format` newly required",
    ];
    expect(&check, Some("tool-parameter-required"), 1, &required);
}

#[test]
fn run_gates_on_the_snapshot_beside_the_catalogue() {
    let file = clean_snapshot("surface-run");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/reference-server.toml");
    let one_version =
        ["run", "--color", "never", "--spec-version", "2025-06-18", "--call-tools", "all", "--fixtures", fixtures, "--snapshot", path(&file)];
    // A new optional parameter is additive: reported, the run passes.
    let optional = ["additive      tools/echo/inputSchema/properties/repeat: new optional parameter `repeat`", " passed, 0 failed"];
    expect(&one_version, Some("tool-parameter-optional"), 0, &optional);
    // A new required one fails the gate although every case passes.
    expect(&one_version, Some("tool-parameter-required"), 1, &[" passed, 0 failed", "surface gate FAILED"]);
}

#[test]
fn every_report_of_a_run_shows_the_surface() {
    let file = clean_snapshot("surface-reports");
    let reports = file.with_file_name("reports");
    let args = ["run", "--only", "L-PING-001", "--spec-version", "2025-06-18", "--snapshot", path(&file), "--report-dir", path(&reports)];
    let stdout = expect(&args, Some("tool-parameter-required"), 1, &["; surface gate FAILED\n"]);
    assert!(stdout.trim_end().ends_with("surface gate FAILED"), "the last line says it: {stdout}");
    let record = support::record(&reports);
    assert!(record.results.iter().all(|r| r.status == reports::Status::Pass), "only the surface fails");
    let surface = record.surface.expect("run.json holds the surface");
    assert!(!surface.passed && surface.written.is_none());
    assert_eq!(surface.snapshot, path(&file));
    let required = surface.changes.iter().find(|c| c.path == "tools/echo/inputSchema/required/format").expect("the new required parameter");
    assert_eq!(required.class, reports::surface::ChangeClass::Breaking);
    let read = |name: &str| std::fs::read_to_string(reports.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(read("junit.xml").contains("<testsuite name=\"surface\" tests=\"1\" failures=\"1\""));
    assert!(read("results.sarif").contains("\"ruleId\": \"SURFACE-BREAKING\""));
    assert!(read("summary.md").contains("### Surface"));
    assert!(read("report.html").contains("<section class=\"surface\">"));

    // Without --snapshot, no `surface` at all.
    let plain = file.with_file_name("plain");
    expect(&["run", "--only", "L-PING-001", "--spec-version", "2025-06-18", "--report-dir", path(&plain)], None, 0, &[]);
    assert!(!std::fs::read_to_string(plain.join("run.json")).unwrap().contains("\"surface\""));
}

#[test]
fn the_file_is_byte_stable_across_runs_and_commands() {
    let dir = scratch("surface-bytes");
    let first = dir.join("first.json");
    let second = dir.join("second.json");
    let created = dir.join("created.json");
    for file in [&first, &second] {
        expect(&["snapshot", "--output", path(file)], None, 0, &[]);
    }
    // `run` creates a missing snapshot with the same bytes.
    expect(&["run", "--only", "L-PING-001", "--snapshot", path(&created), "--update-snapshot"], None, 0, &["there was no snapshot yet"]);
    let bytes = std::fs::read(&first).unwrap();
    assert_eq!(std::fs::read(&second).unwrap(), bytes, "two runs wrote different bytes");
    assert_eq!(std::fs::read(&created).unwrap(), bytes, "`run --update-snapshot` wrote different bytes");
    // Diff-friendly: two-space indents, no tab, keys sorted, a final newline.
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.ends_with("}\n") && text.lines().all(|l| !l.contains("\t")));
    let keys: Vec<&str> = text.lines().filter(|l| l.starts_with("  \"")).map(|l| l.trim()).collect();
    assert_eq!(keys, ["\"format\": \"mcp-conform-surface\",", "\"formatVersion\": 1,", "\"server\": {", "\"versions\": {"]);
}

#[test]
fn update_accepts_the_changes() {
    let file = clean_snapshot("surface-update");
    let check = ["snapshot", "--check", path(&file)];
    // A removal and an addition, each merged across every version.
    expect(&[&check[..], &["--update"]].concat(), Some("tool-renamed"), 0, &["2 change(s) accepted, the snapshot was updated"]);
    let text = std::fs::read_to_string(&file).expect("snapshot rewritten");
    assert!(text.contains("\"echo_text\"") && !text.contains("\"echo\":"), "the rename is recorded");
    expect(&check, Some("tool-renamed"), 0, &["0 breaking, 0 needing review, 0 additive"]);
    // The clean server now lacks echo_text.
    expect(&check, None, 1, &["breaking      tools/echo_text: tool `echo_text` removed"]);
}

#[test]
fn a_malformed_snapshot_exits_2_naming_the_file() {
    let dir = scratch("surface-malformed");
    let cases = [
        ("broken.json", "{\"format\": ", "invalid JSON"),
        ("other.json", "{\"name\": \"something else\"}", "no `format` member"),
        ("future.json", "{\"format\": \"mcp-conform-surface\", \"formatVersion\": 9, \"server\": {}, \"versions\": {}}", "formatVersion 9"),
        ("typo.json", "{\"format\": \"mcp-conform-surface\", \"formatVersion\": 1, \"server\": {}, \"versoins\": {}}", "versoins"),
        (
            "version.json",
            "{\"format\": \"mcp-conform-surface\", \"formatVersion\": 1, \"server\": {}, \"versions\": {\"1999-01-01\": {\"capabilities\": {}}}}",
            "1999-01-01",
        ),
    ];
    for (name, text, why) in cases {
        let file = dir.join(name);
        std::fs::write(&file, text).expect("write the file");
        for args in [vec!["snapshot", "--check", path(&file)], vec!["run", "--snapshot", path(&file)]] {
            let out = conform(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains(name) && stderr.contains(why), "{args:?}: {stderr}");
        }
    }
    let missing = dir.join("missing.json");
    let out = conform(&["snapshot", "--check", path(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such snapshot"));
}
