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
    // Without --auth the server does not protect itself: the authorization
    // cases do not apply (mutation.rs runs them against `--auth`).
    let unprotected = |r: &&reports::CaseResult| r.area == "auth" && r.status == Status::NotApplicable;
    let not_passed: Vec<_> = record.results.iter().filter(|r| r.status != Status::Pass && !unprotected(r)).collect();
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
    usage_error(&["run", "--only", "NO-SUCH-CASE"], "--only NO-SUCH-CASE: no case, area, requirement ID or group");
    usage_error(&["run", "--skip", "TOOLZ"], "--skip TOOLZ: no case, area");
    // A requirement that exists but has no case yet.
    usage_error(&["run", "--only", "AUTH-013"], "leave no case to run");
    usage_error(&["run", "--", "/no/such/server"], "cannot start `/no/such/server`: No such file");
    usage_error(&["run", "--url", "http://127.0.0.1:9/mcp"], "cannot reach http://127.0.0.1:9/mcp");
    usage_error(&["run", "--url", "http://127.0.0.1:9/sse", "--transport", "sse"], "cannot reach http://127.0.0.1:9/sse");
    usage_error(&["run", "--url", "not a url"], "not a URL");
    usage_error(&["run", "--cases", "/no/such/dir"], "/no/such/dir");
}

#[test]
fn a_server_that_speaks_no_known_version_is_a_setup_error() {
    // `cat` echoes every request back: never a valid answer.
    usage_error(&["run", "--timeout", "1s", "--startup-timeout", "1s", "--", "cat"], "answered none of the protocol versions tried");
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
fn a_malformed_fixture_mapping_names_its_file_and_line() {
    let dir = scratch("bad-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fixtures.toml");
    std::fs::write(&file, "[slow]\ntool = \"slow\"\n\n[progres]\ntool = \"p\"\n").unwrap();
    usage_error(&["run", "--fixtures", file.to_str().unwrap()], "fixtures.toml:4: unknown field `progres`");
    usage_error(&["run", "--fixtures", "/no/such/fixtures.toml"], "/no/such/fixtures.toml");
}

#[test]
fn list_prints_the_catalogue() {
    let out = conform(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("LIFECYCLE-006-unsupported-version") && stdout.contains("LIFECYCLE-006,HTTP-017"), "{stdout}");
}

/// A response over `--max-message-size` is dropped unread: the harness
/// cannot judge it, so the case is inconclusive, not failed.
#[test]
fn oversized_messages_are_dropped_and_make_the_case_inconclusive() {
    for transport in ["stdio", "streamable-http"] {
        let dir = scratch("oversize");
        let out = conform(&[
            "run", "--transport", transport, "--max-message-size", "1000", "--timeout", "3s", "--only", "TOOLS-002",
            "--spec-version", "2025-06-18", "--report-dir", dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
        let record = record(&dir);
        let result = record.results.iter().find(|r| r.case_id == "TOOLS-002-list").expect("TOOLS-002 ran");
        assert_eq!(result.status, Status::Inconclusive, "{transport}");
        assert!(result.reason.as_deref().unwrap_or_default().contains("--max-message-size"), "{result:#?}");
        assert!(result.transcript.iter().any(|e| e.text.contains("exceeded the 1000-byte message limit")), "{result:#?}");
    }
}

#[test]
fn the_server_stderr_is_kept_in_the_run_record() {
    let dir = scratch("stderr");
    let script = format!("echo server-says-hello >&2; exec {} reference-server", support::bin());
    let out = conform(&["run", "--spec-version", "2025-11-25", "--report-dir", dir.to_str().unwrap(), "--", "sh", "-c", &script]);
    assert_eq!(out.status.code(), Some(0));
    let record = record(&dir);
    assert!(record.target.stderr.iter().any(|c| c.text.contains("server-says-hello")), "{:?}", record.target.stderr);
}

/// Ctrl-C ends the run at once, and the server it started goes with it.
#[test]
fn interrupting_a_run_kills_the_server() {
    let dir = scratch("interrupt");
    let pid_file = dir.join("server.pid");
    // The server never answers ping; with a long deadline the run is still waiting when interrupted.
    let script = format!("echo $$ > {}; exec {} reference-server --fault ping-no-response", pid_file.display(), support::bin());
    let mut run = std::process::Command::new(support::bin())
        .args(["run", "--timeout", "60s", "--only", "L-PING-001", "--spec-version", "2025-06-18", "--", "sh", "-c", &script])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start mcp-conform");
    let started = std::time::Instant::now();
    let pid = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file).ok().and_then(|t| t.trim().parse::<i32>().ok()) {
            break pid;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the server never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // Let the ping go out, then interrupt.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let harness = nix::unistd::Pid::from_raw(run.id() as i32);
    nix::sys::signal::kill(harness, nix::sys::signal::Signal::SIGINT).expect("send SIGINT");
    let status = run.wait().expect("wait for mcp-conform");
    assert_eq!(status.code(), Some(130));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // The server is gone (not even a zombie for long: init reaps it).
    let gone = (0..100).any(|_| {
        let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ");
        if alive {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        !alive
    });
    assert!(gone, "server {pid} survived the interrupt");
}

/// Answers that come as an SSE stream per POST are read like JSON ones.
#[test]
fn streamable_http_answers_as_event_streams_are_understood() {
    let server = support::HttpServer::start("--http", &["--sse-responses"]);
    let dir = scratch("sse-responses");
    // Served as a URL, the reference server's fixture mapping must be named.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/reference-server.toml");
    let out = conform(&["run", "--call-tools", "all", "--fixtures", fixtures, "--url", &server.url, "--report-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let record = record(&dir);
    // The authorization cases do not apply to a server without --auth.
    let unprotected = |r: &reports::CaseResult| r.area == "auth" && r.status == Status::NotApplicable;
    let not_passed: Vec<_> =
        record.results.iter().filter(|r| r.status != Status::Pass && !unprotected(r)).map(|r| (&r.case_id, &r.version, &r.reason)).collect();
    assert!(not_passed.is_empty(), "{not_passed:?}");
    let sse = record.results.iter().flat_map(|r| &r.transcript).any(|e| e.text.contains("(text/event-stream)"));
    assert!(sse, "the answers were event streams");
}

/// A case whose capability the server did not declare is not applicable,
/// with the reason, and never a failure.
#[test]
fn undeclared_capabilities_make_cases_not_applicable() {
    let dir = scratch("not-applicable");
    std::fs::create_dir_all(dir.join("cases/mine")).unwrap();
    // A capability no server declares, so the case can never apply.
    std::fs::write(
        dir.join("cases/mine/MY-1.toml"),
        "id = \"MY-1\"\ntitle = \"t\"\nrequirements = [\"X-1\"]\nkeyword = \"MUST\"\n\
         spec = \"s\"\nhint = \"h\"\nrequires = [\"x-never-declared\"]\n[[steps]]\nrequest = \"x/method\"\n",
    )
    .unwrap();
    let cases = dir.join("cases");
    let report = dir.join("report");
    let out = conform(&["run", "--cases", cases.to_str().unwrap(), "--only", "MY-1", "--report-dir", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let record = record(&report);
    assert_eq!(record.results.len(), 5, "one per version");
    for result in &record.results {
        assert_eq!(result.status, Status::NotApplicable);
        assert_eq!(result.reason.as_deref(), Some("the server did not declare the `x-never-declared` capability"));
    }
}

/// `--only` takes an area (a folder of cases) as well as IDs.
#[test]
fn an_area_can_be_selected() {
    let dir = scratch("one-area");
    let out = conform(&["run", "--only", "tools", "--spec-version", "2026-07-28", "--report-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let tools: Vec<String> =
        mcp_conform::case::builtin().cases.into_iter().filter(|c| c.area == "tools").map(|c| c.id).collect();
    let mut ran: Vec<String> = record(&dir).results.into_iter().map(|r| r.case_id).collect();
    ran.dedup();
    assert_eq!(ran, tools);
}

#[test]
fn list_coverage_shows_every_requirement_and_the_counts() {
    use mcp_conform::requirements::{self, coverage::Coverage};
    let stdout = success(&["list", "--coverage"]);

    let table = requirements::builtin();
    let catalogue = mcp_conform::case::builtin();
    let coverage = Coverage::compute(table, &catalogue, mcp_reference_server::faults::CATALOGUE);
    for row in &coverage.rows {
        let line = stdout.lines().find(|l| l.split_whitespace().next() == Some(row.requirement.id.as_str()));
        let line = line.unwrap_or_else(|| panic!("no line for {}", row.requirement.id));
        assert!(line.contains(row.requirement.test.as_str()), "{line}");
    }
    // One row that is covered and proven, with its case and its fault.
    let discover = stdout.split("\nLIFECYCLE-003").next().and_then(|s| s.split("\nLIFECYCLE-002").nth(1)).expect("LIFECYCLE-002 row");
    assert!(discover.contains("case  LIFECYCLE-002-discover") && discover.contains("fault discover-missing"), "{discover}");
    assert!(stdout.contains("not testable: "), "reasons are shown");

    let total = coverage.total();
    let all = stdout.lines().find(|l| l.starts_with("all ")).expect("a total line");
    let numbers: Vec<&str> = all.split_whitespace().collect();
    assert_eq!(numbers[1..3], [total.covered.to_string(), total.testable().to_string()], "{all}");
    assert_eq!(numbers.last().copied(), Some(table.len().to_string().as_str()), "{all}");
    for group in table.groups() {
        assert!(stdout.lines().any(|l| l.starts_with(&format!("{group} "))), "no count line for {group}");
    }
    for version in mcp_conform::version::ALL {
        assert!(stdout.lines().any(|l| l.starts_with(version)), "no count line for {version}");
    }
    for row in coverage.rows.iter().filter(|r| r.fault_without_case()) {
        assert!(stdout.contains(&format!("\n  {:<14} ", row.requirement.id)), "{} is not flagged", row.requirement.id);
    }

    let json: serde_json::Value = serde_json::from_str(&success(&["list", "--coverage", "--format", "json"])).expect("JSON");
    assert_eq!(json["requirements"].as_array().map(Vec::len), Some(table.len()));
    assert_eq!(json["total"]["counts"]["covered"], total.covered);
    usage_error(&["list", "--format", "json"], "--coverage");
}

/// The output of a command that must succeed.
fn success(args: &[&str]) -> String {
    let out = conform(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn explain_a_requirement() {
    let stdout = success(&["explain", "http-018"]);
    assert!(stdout.starts_with("HTTP-018  MUST  (wire)\n"), "{stdout}");
    assert!(stdout.contains("versions:  2026-07-28\n"), "{stdout}");
    assert!(stdout.contains("streamable-http.mdx §Protocol Version Header"), "{stdout}");
    let case = mcp_conform::case::builtin().cases.into_iter().find(|c| c.id == "HTTP-018-unknown-method-status").expect("case");
    assert!(stdout.contains(&format!("on failure: {}", case.hint)), "the hint is shown: {stdout}");
    assert!(stdout.contains("unknown-method-wrong-code"), "the fault is shown: {stdout}");

    let stdout = success(&["explain", "LIFECYCLE-014"]);
    assert!(stdout.contains("not testable: ") && stdout.contains("cases:     none yet"), "{stdout}");

    // A group explains each of its requirements.
    let stdout = success(&["explain", "L-TASK"]);
    let count = mcp_conform::requirements::builtin().iter().filter(|r| r.group() == "L-TASK").count();
    assert_eq!(stdout.lines().filter(|l| l.starts_with("L-TASK-")).count(), count, "{stdout}");
}

#[test]
fn explain_a_case() {
    let stdout = success(&["explain", "TOOLS-008-call-results"]);
    assert!(stdout.starts_with("case TOOLS-008-call-results [tools]: "), "{stdout}");
    assert!(stdout.contains("\nTOOLS-008  MUST  (wire)\n"), "{stdout}");
    assert!(stdout.contains("structured-content-mismatch"), "{stdout}");
}

#[test]
fn explain_an_unknown_id_exits_2_with_suggestions() {
    let out = conform(&["explain", "HTTP-0018"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    let suggestions = stderr.split("did you mean ").nth(1).expect("suggestions");
    assert!(suggestions.contains("HTTP-018"), "{stderr}");
    let out = conform(&["explain", "NOTHING-LIKE-IT-AT-ALL"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn a_server_is_read_from_an_mcp_servers_config_file() {
    let dir = scratch("mcp-servers-config");
    std::fs::create_dir_all(&dir).unwrap();
    let binary = env!("CARGO_BIN_EXE_mcp-conform");
    let file = dir.join("claude_desktop_config.json");
    let config = serde_json::json!({ "mcpServers": {
        "reference": { "command": binary, "args": ["reference-server"], "env": { "UNUSED": "${HOME}" } },
        "elsewhere": { "url": "http://127.0.0.1:9/mcp" },
    }});
    std::fs::write(&file, config.to_string()).unwrap();
    let report = dir.join("report");
    let file = file.to_str().unwrap();
    let out = conform(&[
        "run", "--config", file, "--server", "reference", "--spec-version", "2025-06-18", "--only", "L-PING-001",
        "--report-dir", report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let record = record(&report);
    assert_eq!(record.target.transport, "stdio");
    assert!(record.target.endpoint.ends_with("mcp-conform reference-server"), "{}", record.target.endpoint);
    assert!(record.results.iter().all(|r| r.status == Status::Pass) && !record.results.is_empty());

    usage_error(&["run", "--config", file], "several servers; choose one with --server (reference, elsewhere)");
    usage_error(&["run", "--config", file, "--server", "refrence"], "no server named `refrence`");
    usage_error(&["run", "--config", file, "--server", "elsewhere"], "cannot reach http://127.0.0.1:9/mcp");
    usage_error(&["run", "--server", "reference"], "--config");
    usage_error(&["run", "--config", "/no/such/mcp.json"], "/no/such/mcp.json");
}

#[test]
fn a_golden_answer_goes_from_pending_to_accepted_and_catches_a_change() {
    let dir = scratch("golden");
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(
        dir.join("mine/MY-GOLDEN-1.toml"),
        r#"id = "MY-GOLDEN-1"
title = "The tool list is the one we reviewed"
requirements = ["TOOLS-005"]
keyword = "MUST"
spec = "server/tools.mdx"
hint = "A tool changed: accept the new list if that was meant"
versions = ["2025-06-18"]

[[steps]]
request = "tools/list"
golden = "tools"
redact = ["/result/tools/*/description"]
"#,
    )
    .unwrap();
    let cases = dir.to_str().unwrap();
    let golden = dir.join("golden");
    let pending = golden.join("MY-GOLDEN-1/tools@2025-06-18.json.new");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--cases", cases, "--only", "MY-GOLDEN-1", "--spec-version", "2025-06-18", "--color", "never"];
        args.extend_from_slice(extra);
        let out = conform(&args);
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };

    let (code, stdout) = run(&[]);
    assert_eq!(code, Some(1), "a new answer is not accepted by the run that saw it: {stdout}");
    assert!(stdout.contains("golden answer `tools` has not been accepted yet"), "{stdout}");
    let written = std::fs::read_to_string(&pending).expect("the answer waits for review");
    assert!(written.contains("\"id\": \"[redacted]\"") && written.contains("\"description\": \"[redacted]\""), "{written}");

    let review = conform(&["golden", "review", golden.to_str().unwrap()]);
    assert_eq!(review.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&review.stdout).contains("tools@2025-06-18.json (new)"));
    assert_eq!(conform(&["golden", "accept", golden.to_str().unwrap()]).status.code(), Some(0));
    assert!(!pending.exists() && golden.join("MY-GOLDEN-1/tools@2025-06-18.json").exists());
    assert_eq!(run(&[]).0, Some(0), "the accepted answer matches");

    // A server whose echo tool changed its inputSchema no longer matches.
    let (code, stdout) = run(&["--", support::bin(), "reference-server", "--fault", "tool-input-schema-invalid"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("differs from golden answer `tools`"), "{stdout}");
    assert!(std::fs::read_to_string(&pending).unwrap().contains("strnig"), "the changed answer waits for review");
    assert_eq!(conform(&["golden", "reject", golden.to_str().unwrap()]).status.code(), Some(0));
    assert!(!pending.exists());

    usage_error(&["golden", "accept", "/no/such/golden"], "not a folder of golden answers");
    std::fs::write(dir.join("mine/MY-GOLDEN-1.toml"), "id = \"MY-GOLDEN-1\"\ntitle = \"t\"\nrequirements = [\"X\"]\nkeyword = \"MUST\"\nspec = \"s\"\nhint = \"h\"\n[[steps]]\nnotify = \"x\"\ngolden = \"n\"\n").unwrap();
    usage_error(&["run", "--cases", cases], "MY-GOLDEN-1.toml: step 1: only a request's answer can be golden");
}

#[test]
fn mcp_conform_toml_gives_defaults_and_servers() {
    let dir = scratch("project-config");
    let file = dir.join("mcp-conform.toml");
    let text = format!(
        "[run]\nserver = \"local\"\nversions = [\"2025-06-18\"]\nonly = [\"L-PING-001\"]\nreport_dir = \"out\"\nreports = [\"junit\", \"json\"]\ntimeout = \"5s\"\n\n[servers.local]\ncommand = {:?}\nargs = [\"reference-server\"]\n",
        support::bin()
    );
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let out = conform(&["run", "--config", file]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written: Vec<String> = std::fs::read_dir(dir.join("out")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(written.iter().filter(|f| f.as_str() != "run.json").collect::<Vec<_>>(), ["junit.xml"], "only the chosen reports, beside the file");
    let first = record(&dir.join("out"));
    assert_eq!(first.versions, ["2025-06-18"]);
    assert!(first.target.endpoint.ends_with("mcp-conform reference-server"), "the [run] server: {}", first.target.endpoint);
    assert!(first.results.iter().all(|r| r.case_id.starts_with("L-PING-001")));

    // A flag wins over its setting; a command given beside the file is the target.
    let out = conform(&["run", "--config", file, "--spec-version", "2025-11-25", "--", support::bin(), "reference-server", "--fault", "ping-error"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(record(&dir.join("out")).versions, ["2025-11-25"]);

    std::fs::write(dir.join("typo.toml"), "[run]\nstrict = true\nbasline = \"b.toml\"\n").unwrap();
    usage_error(&["run", "--config", dir.join("typo.toml").to_str().unwrap()], "typo.toml:3: unknown field `basline`");
    usage_error(&["run", "--config", file, "--server", "nope"], "no server named `nope` (the file has: local)");
}
