//! Runs against servers nobody here wrote, installed by
//! `scripts/external-servers.sh install DIR`: npm
//! `@modelcontextprotocol/server-everything` (TypeScript SDK) and a small
//! server on PyPI `mcp` (`servers/python_sdk_server.py`).
//!
//! Ignored by default (they need those installs): `.ci/run` sets
//! `MCP_CONFORM_EXTERNAL=DIR` and runs them with `--ignored` inside
//! `unshare -n`, because server-everything's HTTP modes listen on every
//! interface. Each expected failure below is a real violation, explained.

mod support;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reports::{RunRecord, Status};
use support::{conform, external_command, record, scratch, with_status};

/// The command line that starts `name` (from the install script, the one source of truth).
fn command(name: &str, port: Option<u16>) -> String {
    external_command(name, port).expect("set MCP_CONFORM_EXTERNAL to the folder `scripts/external-servers.sh install` filled")
}

fn run_stdio(name: &str) -> (Option<i32>, RunRecord, String) {
    let dir = scratch(name);
    let line = format!("exec {}", command(name, None));
    let out = conform(&["run", "--color", "never", "--report-dir", dir.to_str().unwrap(), "--", "sh", "-c", &line]);
    finished(out, &dir)
}

/// The exit code, the run record and the terminal output of a run that got to a verdict.
fn finished(out: std::process::Output, dir: &std::path::Path) -> (Option<i32>, RunRecord, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_ne!(out.status.code(), Some(2), "the run could not start:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), record(dir), stdout)
}

/// A server listening on a loopback port, killed on drop.
struct Listening(Child);

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_http(name: &str, port: u16, path: &str, transport: &str) -> (Option<i32>, RunRecord, String) {
    if name.starts_with("everything") {
        assert!(
            std::env::var_os("MCP_CONFORM_NETNS").is_some(),
            "server-everything's HTTP modes listen on every interface: run this test inside `unshare -n` with MCP_CONFORM_NETNS=1 (see .ci/run)"
        );
    }
    let line = format!("exec {}", command(name, Some(port)));
    let child = Command::new("sh").args(["-c", &line]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start server");
    let _server = Listening(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "{name} did not listen on {port} within 30s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = scratch(name);
    let url = format!("http://127.0.0.1:{port}{path}");
    let out = conform(&["run", "--color", "never", "--report-dir", dir.to_str().unwrap(), "--url", &url, "--transport", transport]);
    finished(out, &dir)
}

/// A true violation a server is known to commit: the case that fails, the
/// requirement its findings cite, and what the transcript must show.
struct Known {
    case: &'static str,
    requirements: &'static [&'static str],
    evidence: &'static str,
}

/// Every failure is a known violation with its evidence in the transcript,
/// and every warning a SHOULD the server is known to miss. Inconclusive and
/// not-applicable verdicts claim nothing, so they are not judged here.
fn check_known(record: &RunRecord, stdout: &str, failures: &[Known], warnings: &[&str]) {
    for result in record.results.iter().filter(|r| r.status == Status::Fail) {
        let Some(known) = failures.iter().find(|k| k.case == result.case_id) else {
            panic!("unexpected failure of {} {}\n{stdout}", result.case_id, result.version);
        };
        assert!(result.findings.iter().all(|f| known.requirements.contains(&f.requirement.as_str())), "{:#?}", result.findings);
        let shown = result.transcript.iter().any(|e| e.text.contains(known.evidence));
        assert!(shown, "{} {}: the transcript shows {}", result.case_id, result.version, known.evidence);
    }
    for result in record.results.iter().filter(|r| r.status == Status::Warn) {
        assert!(warnings.contains(&result.case_id.as_str()), "unexpected warning of {} {}\n{stdout}", result.case_id, result.version);
    }
}

/// server-everything:
/// * returns `resource_link` content (new in 2025-06-18) from
///   `get-resource-links` whatever version was negotiated: a violation of
///   L-LIFE-004 in 2024-11-05 and 2025-03-26, whose CallToolResult has no
///   such block (seen by every case that calls the tools);
/// * does not accept 2025-03-26 batches (L-BATCH-001);
/// * answers its task-required tool called without a task with a tool error,
///   not -32601 (L-TASK-002);
/// * over HTTP serves requests whose `Origin` is a foreign site (HTTP-003:
///   no DNS-rebinding defence), and answers a session id ended by DELETE
///   with 400, not 404 (L-HTTP-011);
/// * over Streamable HTTP, a GET with `Last-Event-ID` replays every event
///   stored after that id, whatever stream it was sent on: its
///   `InMemoryEventStore.replayEventsAfter` (dist/transports/streamableHttp.js)
///   walks the whole store and ignores the stream id it kept, so resuming
///   the first ping's stream brings the second ping's response (L-HTTP-008,
///   MUST NOT). Its ids are random UUIDs, unique across streams (L-HTTP-007
///   passes).
///
/// Warnings (SHOULD): over HTTP it serves a request naming a foreign `Host`
/// (`dns-rebinding.mcp-conform.invalid`: no DNS-rebinding defence for
/// requests without `Origin`, HTTP-002); timers keep it running after stdin closes (STDIO-008);
/// a mistyped `tools/call` is -32603, not -32602, and over HTTP a request
/// with a numeric method is -32700, not -32600 (JSONRPC-008);
/// an unknown resource is -32602, not -32002 (L-RES-002); a cursor it never
/// issued reads as the start (UTIL-014); an unknown log level is -32603
/// (UTIL-019); a tool without task support called as a task gets -32602, not
/// -32601 (L-TASK-002). Over HTTP it listens on every interface (`app.listen(PORT)` in
/// dist/transports/streamableHttp.js and sse.js binds the wildcard address), so a connection to
/// 127.0.0.2 on its port is accepted where a server bound to 127.0.0.1 would
/// refuse it (HTTP-004).
fn check_everything(code: Option<i32>, record: &RunRecord, stdout: &str) {
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(record.versions, vec!["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"], "it has no 2026-07-28");
    let failed = with_status(record, Status::Fail);
    let resource_link = r#""type":"resource_link""#;
    let known = [
        ("TOOLS-008-call-results".to_string(), "2024-11-05".to_string()),
        ("TOOLS-008-call-results".to_string(), "2025-03-26".to_string()),
    ];
    assert!(known.iter().all(|k| failed.contains(k)), "{stdout}");
    let failures = [
        Known { case: "TOOLS-008-call-results", requirements: &["L-LIFE-004"], evidence: resource_link },
        Known { case: "L-S2C-001-undeclared-capabilities", requirements: &["L-LIFE-004"], evidence: resource_link },
        Known { case: "L-BATCH-001-batch-accepted", requirements: &["L-BATCH-001"], evidence: r#"[{"jsonrpc":"2.0""# },
        Known { case: "L-TASK-002-required-without-task", requirements: &["L-TASK-002"], evidence: "requires task augmentation" },
        Known { case: "HTTP-003-foreign-origin", requirements: &["HTTP-003", "L-HTTP-014", "HTTP-002"], evidence: "dns-rebinding.mcp-conform.invalid" },
        Known { case: "L-HTTP-011-ended-session", requirements: &["L-HTTP-011"], evidence: "No valid session ID provided" },
        Known { case: "L-HTTP-008-replay-same-stream", requirements: &["L-HTTP-008"], evidence: r#""id":"mcp-conform-event-ids-ping-2""# },
        // The same resource_link blocks, seen by the content-block case (2024-11-05, 2025-03-26).
        Known { case: "TOOLS-016-result-content", requirements: &["L-LIFE-004"], evidence: resource_link },
    ];
    let warnings = [
        "STDIO-008-stdin-close",
        "JSONRPC-008-invalid-params",
        "JSONRPC-008-invalid-request",
        "L-RES-002-read-not-found",
        "UTIL-014-invalid-cursor",
        "UTIL-019-set-level-unknown",
        "L-TASK-002-forbidden-as-task",
        "HTTP-002-foreign-host",
        "HTTP-004-loopback-only",
    ];
    check_known(record, stdout, &failures, &warnings);
}

#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn server_everything_over_stdio() {
    let (code, record, stdout) = run_stdio("everything-stdio");
    check_everything(code, &record, &stdout);
}

#[test]
#[ignore = "needs scripts/external-servers.sh install and a network namespace; run by .ci/run"]
fn server_everything_over_streamable_http() {
    let (code, record, stdout) = run_http("everything-http", 3801, "/mcp", "streamable-http");
    check_everything(code, &record, &stdout);
}

#[test]
#[ignore = "needs scripts/external-servers.sh install and a network namespace; run by .ci/run"]
fn server_everything_over_http_sse() {
    let (code, record, stdout) = run_http("everything-sse", 3802, "/sse", "sse");
    check_everything(code, &record, &stdout);
}

/// The Python SDK speaks all five versions and, on these cases, breaks
/// L-BATCH-001: it does not accept 2025-03-26 batches. Over Streamable HTTP
/// it also routes a request by its `MCP-Protocol-Version` header rather than
/// by the modern `_meta` it carries (which selects 2026-07-28, versioning.mdx
/// §dual-era): a 2026-07-28 `server/discover` whose header says 2025-11-25
/// gets 400 "Missing session ID" (-32600) instead of -32020 (HTTP-016).
/// In 2026-07-28 it answers `tools/call` of an unknown tool with a result
/// marked `isError` ("Unknown tool: …", raised as a `ToolError` by its
/// `ToolManager`), where tools.mdx §Error Handling makes an unknown tool a
/// protocol error, returned as a JSON-RPC error (TOOLS-012).
/// Warnings (SHOULD): an
/// unknown prompt is -32603, not -32602 (PROMPTS-007); an unknown resource is
/// -32602 (handshake era), not -32002 (L-RES-002); a cursor it never issued
/// reads as the start (UTIL-014); over HTTP a request with a numeric method
/// is -32602, not -32600 (JSONRPC-008).
fn check_python(code: Option<i32>, record: &RunRecord, stdout: &str, over_http: bool) {
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(record.versions, mcp_conform::version::ALL.to_vec());
    let failed = with_status(record, Status::Fail);
    let mut expected = vec![("L-BATCH-001-batch-accepted".to_string(), "2025-03-26".to_string())];
    if over_http {
        expected.push(("HTTP-016-version-header-mismatch".to_string(), "2026-07-28".to_string()));
    }
    expected.push(("TOOLS-012-protocol-errors".to_string(), "2026-07-28".to_string()));
    assert_eq!(failed, expected, "{stdout}");
    let failures = [
        Known { case: "L-BATCH-001-batch-accepted", requirements: &["L-BATCH-001"], evidence: r#"[{"jsonrpc":"2.0""# },
        Known { case: "HTTP-016-version-header-mismatch", requirements: &["HTTP-016"], evidence: "Missing session ID" },
        Known { case: "TOOLS-012-protocol-errors", requirements: &["TOOLS-012"], evidence: r#""Unknown tool: mcp-conform-no-such-tool","type":"text"}],"isError":true"# },
    ];
    let warnings = ["PROMPTS-007-invalid-get", "L-RES-002-read-not-found", "UTIL-014-invalid-cursor", "JSONRPC-008-invalid-request"];
    check_known(record, stdout, &failures, &warnings);
}

#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn python_sdk_over_stdio() {
    let (code, record, stdout) = run_stdio("python-stdio");
    check_python(code, &record, &stdout, false);
}

#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn python_sdk_over_streamable_http() {
    let (code, record, stdout) = run_http("python-http", 3803, "/mcp", "streamable-http");
    check_python(code, &record, &stdout, true);
}

/// With its fixture mapping (`scripts/fixtures/server-everything.toml`, whose
/// `client-input` role is `trigger-elicitation-request`), server-everything
/// sends one elicitation form whatever version was negotiated: in 2025-06-18
/// its multi-select array fields (`untitledMultipleSelectEnum`,
/// `titledMultipleSelectEnum`, new in 2025-11-25) are not the primitive
/// fields a form may hold there (S2C-021; the 2025-06-18 schema says so too,
/// JSONRPC-001). In 2025-11-25 the same form is valid.
#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn server_everything_client_requests_over_stdio() {
    let dir = scratch("everything-stdio-client-input");
    let line = format!("exec {}", command("everything-stdio", None));
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/fixtures/server-everything.toml");
    let only = "S2C-021-client-request-shapes";
    let report = dir.to_str().unwrap();
    let out = conform(&["run", "--color", "never", "--fixtures", fixtures, "--only", only, "--report-dir", report, "--", "sh", "-c", &line]);
    let (code, record, stdout) = finished(out, &dir);
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(with_status(&record, Status::Fail), vec![(only.to_string(), "2025-06-18".to_string())], "{stdout}");
    assert_eq!(with_status(&record, Status::Pass), vec![(only.to_string(), "2025-11-25".to_string())], "{stdout}");
    let failures = [Known { case: only, requirements: &["S2C-021", "JSONRPC-001"], evidence: "untitledMultipleSelectEnum" }];
    check_known(&record, &stdout, &failures, &[]);
}

/// The whole catalogue with server-everything's fixture mapping
/// (`scripts/fixtures/server-everything.toml`): the cases that call its
/// `client-input` tool (`trigger-elicitation-request`) now run, and add to
/// the failures without the mapping:
/// * in 2025-06-18 every case that makes it ask (L-JSONRPC-001, L-LIFE-003,
///   S2C-021, S2C-026) receives the 2025-11-25 form whose multi-select array
///   fields (`untitledMultipleSelectEnum`, `titledMultipleSelectEnum`) the
///   2025-06-18 `ElicitRequest` does not allow (JSONRPC-001, and S2C-021's
///   flat form of primitives). The ids are fine and the request comes after
///   `notifications/initialized`: the schema finding alone fails those cases.
///
/// Warning (SHOULD): accepted content of the wrong type in every field
/// (`"name": 42`) completes the call as if valid, "User provided the
/// requested information!" (S2C-027, 2025-06-18 and 2025-11-25).
///
/// Everything else must be what `check_everything` accepts of a run without
/// the mapping.
fn check_everything_with_fixtures(code: Option<i32>, record: &RunRecord, stdout: &str) {
    let multi_select = "untitledMultipleSelectEnum";
    let added = [
        Known { case: "L-JSONRPC-001-server-request-ids", requirements: &["JSONRPC-001"], evidence: multi_select },
        Known { case: "L-LIFE-003-no-requests-before-initialized", requirements: &["JSONRPC-001"], evidence: multi_select },
        Known { case: "S2C-021-client-request-shapes", requirements: &["S2C-021", "JSONRPC-001"], evidence: multi_select },
        Known { case: "S2C-026-elicitation-answers", requirements: &["S2C-027", "JSONRPC-001"], evidence: multi_select },
    ];
    let failed = with_status(record, Status::Fail);
    for known in &added {
        assert!(failed.contains(&(known.case.to_string(), "2025-06-18".to_string())), "{} 2025-06-18 should fail:\n{stdout}", known.case);
    }
    // What the mapping adds is judged here; the rest must be what the run without it gets.
    let (by_mapping, rest): (Vec<_>, Vec<_>) = record.results.iter().cloned().partition(|r| {
        let known_failure = r.status == Status::Fail && added.iter().any(|k| k.case == r.case_id);
        known_failure || (r.status == Status::Warn && r.case_id == "S2C-026-elicitation-answers")
    });
    check_known(&RunRecord { results: by_mapping, ..record.clone() }, stdout, &added, &["S2C-026-elicitation-answers"]);
    check_everything(code, &RunRecord { results: rest, ..record.clone() }, stdout);
}

#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn server_everything_with_fixtures_over_stdio() {
    let dir = scratch("everything-stdio-fixtures");
    let line = format!("exec {}", command("everything-stdio", None));
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/fixtures/server-everything.toml");
    let report = dir.to_str().unwrap();
    let out = conform(&["run", "--color", "never", "--fixtures", fixtures, "--report-dir", report, "--", "sh", "-c", &line]);
    let (code, record, stdout) = finished(out, &dir);
    check_everything_with_fixtures(code, &record, &stdout);
}
