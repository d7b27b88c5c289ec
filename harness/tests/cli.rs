//! The command line end to end: the bundled reference server passes every
//! case on every transport, reports are written, and bad input exits 2.

mod support;

use reports::Status;
use support::{conform, record, scratch};

fn clean_run(transport: &str) {
    let dir = scratch(&format!("clean-{transport}"));
    let out = conform(&["run", "--transport", transport, "--color", "never", "--report-dir", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let record = record(&dir);
    let expected: Vec<&str> = mcp_conform::version::ALL.to_vec();
    assert_eq!(record.versions, expected, "every version is tested");
    assert!(record.results.len() >= 35, "{} results", record.results.len());
    let not_passed: Vec<_> = record.results.iter().filter(|r| r.status != Status::Pass).collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    for version in &expected {
        assert!(record.results.iter().any(|r| &r.version == version), "no result for {version}");
    }
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml written");
    assert!(junit.contains("<testsuites") && junit.contains("failures=\"0\""), "{junit}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn the_reference_server_passes_everything_over_stdio() {
    clean_run("stdio");
}

#[test]
fn the_reference_server_passes_everything_over_streamable_http() {
    clean_run("streamable-http");
}

#[test]
fn the_reference_server_passes_everything_over_http_sse() {
    clean_run("sse");
}

#[test]
fn one_version_can_be_selected() {
    let dir = scratch("one-version");
    let out = conform(&["run", "--spec-version", "2025-06-18", "--report-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let record = record(&dir);
    assert_eq!(record.versions, vec!["2025-06-18"]);
    assert!(record.results.iter().all(|r| r.version == "2025-06-18"));
}

fn usage_error(args: &[&str], needle: &str) {
    let out = conform(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr:?} should mention {needle:?}");
}

#[test]
fn usage_and_setup_errors_exit_2_with_one_line() {
    usage_error(&["run", "--bogus"], "unexpected argument '--bogus'");
    usage_error(&["run", "--spec-version", "1999-01-01"], "unknown protocol version `1999-01-01`");
    usage_error(&["run", "--timeout", "soon"], "examples: 10s");
    usage_error(&["run", "--only", "NO-SUCH-CASE"], "leave no case to run");
    usage_error(&["run", "--", "/no/such/server"], "cannot start `/no/such/server`: No such file");
    usage_error(&["run", "--url", "http://127.0.0.1:9/mcp"], "cannot reach http://127.0.0.1:9/mcp");
    usage_error(&["run", "--url", "http://127.0.0.1:9/sse", "--transport", "sse"], "cannot reach http://127.0.0.1:9/sse");
    usage_error(&["run", "--url", "not a url"], "not a URL");
    usage_error(&["run", "--cases", "/no/such/dir"], "/no/such/dir");
}

#[test]
fn a_server_that_speaks_no_known_version_is_a_setup_error() {
    // `cat` echoes every request back: never a valid answer.
    usage_error(&["run", "--timeout", "1s", "--", "cat"], "speaks none of the protocol versions");
}

#[test]
fn a_malformed_user_case_names_its_file_and_line() {
    let dir = scratch("bad-case");
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(
        dir.join("mine/MY-1.toml"),
        "id = \"MY-1\"\ntitle = \"t\"\nrequirements = [\"X\"]\nkeyword = \"MUST\"\nspec = \"s\"\nhint = \"h\"\n[[steps]]\nrequest = 42\n",
    )
    .unwrap();
    usage_error(&["run", "--cases", dir.to_str().unwrap()], "mine/MY-1.toml:8: invalid type: integer `42`, expected a string");
}

#[test]
fn list_prints_the_catalogue() {
    let out = conform(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("LIFECYCLE-006-unsupported-version") && stdout.contains("LIFECYCLE-006,HTTP-017"), "{stdout}");
}
