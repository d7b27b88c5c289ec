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

const EXPECTATIONS: &[Expectation] = &[
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
        collateral: &["TOOLS-006-input-schemas", "TOOLS-008-call-results"],
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
    Expectation { fault: "read-blob-not-base64", fails: &["RESOURCES-013-blobs-are-base64"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "template-invalid",
        fails: &["RESOURCES-016-uri-templates"],
        // Up to 2025-06-18 the schema gives uriTemplate the format
        // "uri-template": every case that lists the templates sees it.
        collateral: &["UTIL-012-pagination", "UTIL-023-completion-values"],
        transports: ALL,
        since: "2024-11-05",
    },
    // The completions capability exists from 2025-03-26 on.
    Expectation { fault: "completion-too-many-values", fails: &["UTIL-023-completion-values"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation { fault: "completion-without-capability", fails: &["UTIL-022-completion-capability"], collateral: &[], transports: ALL, since: "2025-03-26" },
    Expectation {
        fault: "next-cursor-on-last-page",
        fails: &["UTIL-012-pagination"],
        // Over HTTP the versions share one server: when `toggle` (called by
        // TOOLS-008) shortens the tool list, a cursor pointing at its old end
        // is refused, and the cases that list the tools see the refusal.
        collateral: &["TOOLS-006-input-schemas", "TOOLS-008-call-results", "TOOLS-018-invalid-arguments-rejected", "TOOLS-011-argument-errors-are-tool-errors"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "missing-cache-fields",
        fails: &["CACHE-001-cache-hints"],
        // The 2026-07-28 schema requires the fields: every case that lists or reads sees it.
        collateral: &[
            "UTIL-012-pagination",
            "RESOURCES-013-blobs-are-base64",
            "RESOURCES-016-uri-templates",
            "PROMPTS-007-invalid-get",
            "UTIL-023-completion-values",
        ],
        transports: ALL,
        since: "2026-07-28",
    },
    Expectation {
        fault: "resource-uri-invalid",
        fails: &["RESOURCES-010-uris"],
        // Up to 2025-06-18 the schema gives Resource.uri the format "uri":
        // every case that lists the resources sees it.
        collateral: &["UTIL-012-pagination", "RESOURCES-013-blobs-are-base64"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "tool-arguments-unchecked", fails: &["TOOLS-018-invalid-arguments-rejected"], collateral: &[], transports: ALL, since: "2024-11-05" },
];

/// Faults that break a SHOULD: their cases warn, so these run with `--strict`.
const STRICT_EXPECTATIONS: &[Expectation] = &[
    Expectation {
        fault: "resource-not-found-wrong-code",
        fails: &["RESOURCES-005-read-not-found", "L-RES-002-read-not-found"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation {
        fault: "resource-not-found-empty-contents",
        fails: &["RESOURCES-006-not-found-is-an-error", "L-RES-002-read-not-found"],
        // An empty result is also not the -32602 error.
        collateral: &["RESOURCES-005-read-not-found"],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "prompt-missing-argument-accepted", fails: &["PROMPTS-007-invalid-get"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "log-level-unknown-accepted",
        fails: &["UTIL-019-log-level-unknown", "UTIL-019-set-level-unknown"],
        collateral: &[],
        transports: ALL,
        since: "2024-11-05",
    },
    Expectation { fault: "cursor-invalid-accepted", fails: &["UTIL-014-invalid-cursor"], collateral: &[], transports: ALL, since: "2024-11-05" },
    Expectation {
        fault: "argument-errors-as-protocol-errors",
        fails: &["TOOLS-011-argument-errors-are-tool-errors"],
        collateral: &[],
        transports: ALL,
        since: "2025-11-25",
    },
    Expectation {
        fault: "completion-unknown-ref-accepted",
        fails: &["UTIL-024-completion-unknown-prompt"],
        collateral: &[],
        transports: ALL,
        since: "2025-03-26",
    },
];

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
    // Logging, progress, cancellation and subscriptions: their cases are not written yet.
    "log-without-level",
    "log-below-level",
    "log-without-capability",
    "progress-not-increasing",
    "progress-after-response",
    "progress-without-token",
    "response-after-cancel",
    "updates-after-unsubscribe",
    "listen-no-acknowledgement",
    "listen-unrequested-notification",
    "listen-teardown-without-cancelled",
    "list-changed-without-capability",
];

/// Faults that break no rule a black box can decide: the case they reach
/// must say "inconclusive", never pass and never fail. (A server may keep
/// asking for input, S2C-010.)
const UNDECIDABLE: &[(&str, &str, &str)] = &[("input-required-ignores-responses", "TOOLS-008-call-results", "2026-07-28")];

/// Run the catalogue against the reference server with `fault`, over `transport`.
fn run_with_fault(fault: &str, transport: &str) -> Result<(Option<i32>, RunRecord, String), Failed> {
    run_with_fault_in(fault, transport, false)
}

/// The same, with `--strict` when `strict` (SHOULD findings fail).
fn run_with_fault_in(fault: &str, transport: &str, strict: bool) -> Result<(Option<i32>, RunRecord, String), Failed> {
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
    let (code, record, stdout) = run_with_fault_in(expectation.fault, transport, strict)?;
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
    let (code, record, stdout) = run_with_fault(fault, transport)?;
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
    for (table, strict) in [(EXPECTATIONS, false), (STRICT_EXPECTATIONS, true)] {
        for expectation in table {
            for transport in expectation.transports {
                let name = format!("{}::{transport}", expectation.fault);
                trials.push(Trial::test(name, move || run(expectation, transport, strict)));
            }
        }
    }
    for &(fault, case, version) in UNDECIDABLE {
        for transport in ALL {
            trials.push(Trial::test(format!("{fault}::{transport}"), move || undecidable(fault, case, version, transport)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
