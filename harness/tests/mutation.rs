//! Every case is proven to fail: the reference server run with a fault must
//! fail the cases that fault targets, on each transport where the fault shows.
//! One test per fault × transport, so `cargo test --test mutation -- NAME`
//! selects one.

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use reports::Status;
use reports::RunRecord;
use support::{bin, conform, record, scratch, with_status, HttpServer};

/// A fault, the cases it must make fail, and cases it may fail as a consequence.
struct Expectation {
    fault: &'static str,
    fails: &'static [&'static str],
    collateral: &'static [&'static str],
    transports: &'static [&'static str],
    /// The first version where the fault shows.
    since: &'static str,
}

const ALL: &[&str] = &["stdio", "streamable-http", "sse"];

/// The transports that carry 2025-11-25, the only version with tasks.
const TASKS: &[&str] = &["stdio", "streamable-http"];

const EXPECTATIONS: &[Expectation] = &[
    // Tasks exist in 2025-11-25 only, which HTTP+SSE does not carry.
    Expectation { fault: "tasks-capability-missing", fails: &["L-TASK-001-capability"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-required-run-plainly", fails: &["L-TASK-002-required-without-task"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-ids-reused", fails: &["L-TASK-003-unique-ids"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-status-reverts", fails: &["L-TASK-004-status-lifecycle"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-not-created", fails: &["L-TASK-005-create-task-result"], collateral: &["L-TASK-003-unique-ids", "L-TASK-004-status-lifecycle", "L-TASK-006-timestamps-ttl", "L-TASK-007-result-related-task", "L-TASK-009-cancel-terminal", "L-TASK-009-cancel-working", "L-TASK-010-list-cursor"], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-missing-timestamps", fails: &["L-TASK-006-timestamps-ttl"], collateral: &["L-TASK-003-unique-ids", "L-TASK-004-status-lifecycle", "L-TASK-005-create-task-result", "L-TASK-007-result-related-task", "L-TASK-009-cancel-terminal", "L-TASK-009-cancel-working", "L-TASK-010-list-cursor"], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-result-not-blocking", fails: &["L-TASK-007-result-related-task"], collateral: &["L-TASK-009-cancel-working"], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-result-without-related-task", fails: &["L-TASK-007-result-related-task"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-cancel-terminal-accepted", fails: &["L-TASK-009-cancel-terminal"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-cancel-not-final", fails: &["L-TASK-009-cancel-working"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "task-list-invalid-cursor-accepted", fails: &["L-TASK-010-list-cursor"], collateral: &[], transports: TASKS, since: "2025-11-25" },
    Expectation { fault: "initialize-wrong-version", fails: &["L-LIFE-002-supported-version-echoed"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "initialize-echo-unsupported", fails: &["L-LIFE-002-unsupported-version-counter-proposal"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "unsupported-version-wrong-code", fails: &["LIFECYCLE-006-unsupported-version"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "unsupported-version-no-supported-list", fails: &["LIFECYCLE-006-unsupported-version"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "discover-missing",
        fails: &["LIFECYCLE-002-discover"],
        // Without a discover result there is no serverInfo to read.
        collateral: &["LIFECYCLE-004-discover-server-info"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "discover-invalid-result",
        fails: &["LIFECYCLE-002-discover"],
        // Every case that asks for discover sees the invalid result.
        collateral: &["LIFECYCLE-004-discover-server-info"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "ping-no-response", fails: &["L-PING-001-ping"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation { fault: "ping-error", fails: &["L-PING-001-ping"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "unknown-method-wrong-code",
        fails: &["JSONRPC-008-unknown-method"],
        collateral: &["HTTP-018-unknown-method-status"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "tool-input-schema-invalid", fails: &["TOOLS-006-input-schemas"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "tools-list-invalid",
        fails: &["TOOLS-002-list"],
        // Every case that lists the tools sees the invalid listing.
        collateral: &[
            "TOOLS-006-input-schemas",
            "TOOLS-008-call-results",
            "L-TASK-001-capability",
            "L-TASK-002-forbidden-as-task",
            "L-TASK-002-required-without-task",
            "L-TASK-003-unique-ids",
            "L-TASK-004-status-lifecycle",
            "L-TASK-005-create-task-result",
            "L-TASK-006-timestamps-ttl",
            "L-TASK-007-result-related-task",
            "L-TASK-009-cancel-terminal",
            "L-TASK-009-cancel-working",
            "L-TASK-010-list-cursor",
        ],
        transports: ALL,
        since: "2024-11-05",
    },
    // Structured content exists from 2025-06-18 on.
    Expectation { fault: "structured-content-mismatch", fails: &["TOOLS-008-call-results"], collateral: &[], transports: ALL, since: "2025-06-18" },
    Expectation { fault: "call-result-invalid", fails: &["TOOLS-008-call-results"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "s2c-request-in-stateless",
        fails: &["TOOLS-008-call-results"],
        collateral: &[],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "stdout-garbage",
        fails: &["L-LIFE-001-initialize", "LIFECYCLE-002-discover"],
        // Every fresh connection starts with the banner.
        collateral: &["L-LIFE-002-supported-version-echoed", "L-LIFE-002-unsupported-version-counter-proposal"],
        transports: &["stdio"],
        since: "2024-11-05",
    },
];

/// Faults whose case is SHOULD-level: they fail only under `--strict`.
const STRICT_EXPECTATIONS: &[Expectation] = &[Expectation {
    fault: "task-forbidden-accepted",
    fails: &["L-TASK-002-forbidden-as-task"],
    collateral: &[],
    transports: TASKS,
    since: "2025-11-25",
}];

/// Faults whose checks belong to the full catalogue (not written yet).
const NOT_YET_CHECKED: &[&str] = &[
    "session-id-ignored-after-delete",
    "no-origin-check",
    "header-mismatch-ignored",
    // Needs a client that declares fewer capabilities than the harness does.
    "s2c-without-capability",
    // Act only with --auth, which the harness does not drive yet.
    "auth-wrong-audience-accepted",
    "auth-no-www-authenticate",
    "auth-expired-accepted",
    // Resources, prompts, completion, logging, progress, cancellation,
    // pagination, subscriptions and caching: their cases are not written yet.
    "resource-not-found-wrong-code",
    "resource-not-found-empty-contents",
    "read-blob-not-base64",
    "template-invalid",
    "prompt-missing-argument-accepted",
    "completion-too-many-values",
    "completion-without-capability",
    "log-without-level",
    "log-below-level",
    "log-without-capability",
    "log-level-unknown-accepted",
    "progress-not-increasing",
    "progress-after-response",
    "progress-without-token",
    "response-after-cancel",
    "cursor-invalid-accepted",
    "next-cursor-on-last-page",
    "updates-after-unsubscribe",
    "listen-no-acknowledgement",
    "listen-unrequested-notification",
    "listen-teardown-without-cancelled",
    "list-changed-without-capability",
    "missing-cache-fields",
];

/// Faults that break no rule a black box can decide: the case they reach
/// must say "inconclusive", never pass and never fail. (A server may keep
/// asking for input, S2C-010.)
const UNDECIDABLE: &[(&str, &str, &str)] = &[("input-required-ignores-responses", "TOOLS-008-call-results", "2026-07-28")];

/// Run the catalogue against the reference server with `fault`, over `transport`.
fn run_with_fault(fault: &str, transport: &str, strict: bool) -> Result<(Option<i32>, RunRecord, String), Failed> {
    let dir = scratch(&format!("mutation-{fault}-{transport}"));
    let report = dir.to_str().ok_or("scratch path is not UTF-8")?;
    let common = ["run", "--color", "never", "--timeout", "5s", "--call-tools", "all", "--report-dir", report];
    let fault = ["--fault", fault];
    let server;
    let mut args = common.to_vec();
    if strict {
        args.push("--strict");
    }
    if transport == "stdio" {
        args.extend(["--", bin(), "reference-server"]);
        args.extend(fault);
    } else {
        server = HttpServer::start(if transport == "sse" { "--sse" } else { "--http" }, &fault);
        args.extend(["--url", server.url.as_str(), "--transport", transport]);
    }
    let out = conform(&args);
    let stdout = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let record = if out.status.code() == Some(2) { None } else { Some(record(&dir)) };
    match record {
        Some(record) => Ok((out.status.code(), record, stdout)),
        None => Err(format!("the run could not start:\n{stdout}").into()),
    }
}

fn run(expectation: &Expectation, transport: &str, strict: bool) -> Result<(), Failed> {
    let (code, record, stdout) = run_with_fault(expectation.fault, transport, strict)?;
    if code != Some(1) {
        return Err(format!("exit {code:?}, expected 1\n{stdout}").into());
    }
    let failed = with_status(&record, Status::Fail);
    for case in expectation.fails {
        // A case fails wherever it ran; it runs at least once.
        let ran: Vec<_> = record.results.iter().filter(|r| r.case_id == *case && r.version.as_str() >= expectation.since).collect();
        let missed: Vec<_> = ran.iter().filter(|r| r.status != Status::Fail).map(|r| (&r.version, r.status)).collect();
        if ran.is_empty() || !missed.is_empty() {
            return Err(format!("{case} should fail with {}; ran {} times, not failing in {missed:?}\n{stdout}", expectation.fault, ran.len()).into());
        }
    }
    let unexpected: Vec<_> = failed
        .iter()
        .filter(|(case, _)| !expectation.fails.contains(&case.as_str()) && !expectation.collateral.contains(&case.as_str()))
        .collect();
    if !unexpected.is_empty() {
        return Err(format!("{} made other cases fail: {unexpected:?}\n{stdout}", expectation.fault).into());
    }
    Ok(())
}

/// An undecidable fault leaves the run conformant and its case inconclusive.
fn undecidable(fault: &str, case: &str, version: &str, transport: &str) -> Result<(), Failed> {
    let (code, record, stdout) = run_with_fault(fault, transport, false)?;
    let verdicts: Vec<Status> = record.results.iter().filter(|r| r.case_id == case && r.version == version).map(|r| r.status).collect();
    if code != Some(0) || verdicts != [Status::Inconclusive] {
        return Err(format!("{case} {version} with {fault}: exit {code:?}, {verdicts:?}; expected 0 and inconclusive\n{stdout}").into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    // The table covers every fault the reference server has.
    let listing = conform(&["reference-server", "--list-faults"]);
    let listed: Vec<String> =
        String::from_utf8_lossy(&listing.stdout).lines().filter_map(|l| l.split('\t').next()).map(str::to_string).collect();
    trials.push(Trial::test("every_fault_has_an_expectation", move || {
        let missing: Vec<_> = listed
            .iter()
            .filter(|f| {
                let f = f.as_str();
                !EXPECTATIONS.iter().chain(STRICT_EXPECTATIONS).any(|e| e.fault == f)
                    && !UNDECIDABLE.iter().any(|u| u.0 == f)
                    && !NOT_YET_CHECKED.contains(&f)
            })
            .collect();
        if missing.is_empty() { Ok(()) } else { Err(format!("faults without an expectation: {missing:?}").into()) }
    }));
    for expectation in EXPECTATIONS {
        for transport in expectation.transports {
            let name = format!("{}::{transport}", expectation.fault);
            trials.push(Trial::test(name, move || run(expectation, transport, false)));
        }
    }
    for expectation in STRICT_EXPECTATIONS {
        for transport in expectation.transports {
            let name = format!("{}::{transport}", expectation.fault);
            trials.push(Trial::test(name, move || run(expectation, transport, true)));
        }
    }
    for &(fault, case, version) in UNDECIDABLE {
        for transport in ALL {
            trials.push(Trial::test(format!("{fault}::{transport}"), move || undecidable(fault, case, version, transport)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
