//! Short fuzz campaigns against servers nobody here wrote (the installs of
//! `real_servers.rs`): a fixed seed, a few hundred inputs. Every bucket
//! found must be a known defect below, with its requirement and evidence in
//! the finding file, the expected ones must all be found, and each must
//! still fail on `mcp-conform replay`.
//!
//! Ignored by default (they need `scripts/external-servers.sh install DIR`):
//! `.ci/run` sets `MCP_CONFORM_EXTERNAL=DIR` and runs them with `--ignored`.

mod support;

use std::path::{Path, PathBuf};

use mcp_conform::fuzz::{Finding, Status};
use support::{conform, external_command, scratch};

/// A defect a server is known to have, as a fuzz bucket: the bucket key, the
/// requirement, and what the finding's inputs or answer must show.
struct Known {
    bucket: &'static str,
    requirement: &'static str,
    evidence: &'static str,
}

/// What a finding file shows: the inputs sent and what came back.
fn shown(finding: &Finding) -> String {
    let inputs = finding.inputs.iter().flat_map(|i| &i.frames).map(|f| String::from_utf8_lossy(&f.bytes).into_owned());
    inputs.chain([finding.actual.clone()]).collect::<Vec<_>>().join("\n")
}

/// Fuzz `name` over stdio; the finding files that count (as the campaign counts them).
fn campaign(name: &str, args: &[&str]) -> Option<Vec<(PathBuf, Finding)>> {
    let Some(line) = external_command(name, None) else {
        eprintln!("skipped: set MCP_CONFORM_EXTERNAL to the folder `scripts/external-servers.sh install` filled");
        return None;
    };
    let dir = scratch(name);
    let findings = dir.join("findings");
    let line = format!("exec {line}");
    let mut all = vec!["fuzz", "--findings", findings.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "sh", "-c", &line]);
    let out = conform(&all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let files = std::fs::read_dir(&findings).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_else(|_| Vec::new());
    let mut counted: Vec<(PathBuf, Finding)> = files
        .into_iter()
        .filter(|p: &PathBuf| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let finding = Finding::load(&p).expect("a finding file");
            (p, finding)
        })
        .filter(|(_, f)| f.status == Status::Reproduced || !f.oracle.needs_confirmation())
        .collect();
    counted.sort_by(|a, b| a.1.bucket.cmp(&b.1.bucket));
    eprintln!("{stdout}");
    Some(counted)
}

/// Every bucket is known, with its requirement and evidence; every expected one is found; each replays.
fn check(findings: &[(PathBuf, Finding)], known: &[Known], expected: &[&str]) {
    for (path, finding) in findings {
        let Some(k) = known.iter().find(|k| k.bucket == finding.bucket) else {
            panic!("unexpected finding {} [{}]: {}\n{}", finding.bucket, finding.requirement, finding.message, path.display());
        };
        assert_eq!(finding.requirement, k.requirement, "{}", path.display());
        assert!(shown(finding).contains(k.evidence), "{}: the finding shows no {}", path.display(), k.evidence);
        replays(path);
    }
    for bucket in expected {
        assert!(findings.iter().any(|(_, f)| f.bucket == *bucket), "not found: {bucket}");
    }
}

fn replays(path: &Path) {
    let out = conform(&["replay", "--timeout", "20s", "--attempts", "2", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{} does not replay:\n{stdout}", path.display());
    assert!(stdout.contains("still fails"), "{stdout}");
}

/// server-everything (TypeScript SDK):
/// * drops, without any answer, a request whose `params._meta` breaks the
///   schema (`"_meta":"x"`, `"_meta":true`, a null `progressToken`): the
///   SDK's message parse fails and nothing is sent (JSONRPC-004; JSON-RPC
///   2.0 answers every request, an invalid one with an error);
/// * does not accept 2025-03-26 batches: no item of an array is answered
///   (L-BATCH-001);
/// * returns `resource_link` content, new in 2025-06-18, in 2024-11-05 and
///   2025-03-26 sessions (L-LIFE-004).
const EVERYTHING: &[Known] = &[
    Known { bucket: "no-response|(request invalid at /params/_meta)|no response", requirement: "JSONRPC-004", evidence: r#""_meta":"# },
    Known { bucket: "no-response|batch (2025-03-26)|no response", requirement: "L-BATCH-001", evidence: r#"[{""# },
    Known { bucket: "schema-invalid|tools/call|CallToolResult@/content/*", requirement: "L-LIFE-004", evidence: r#""type":"resource_link""# },
];

#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn fuzzing_server_everything_over_stdio_finds_its_known_defects() {
    // Seed 1, iterations 0..300 of 2025-03-26: iteration 248 is a batch, and
    // several schema-invalid `_meta`s come before it. A long deadline: slow
    // CI machines must not turn a slow answer into silence.
    let args = ["--seed", "1", "--spec-version", "2025-03-26", "--iterations", "300", "--timeout", "15s", "--shrink-time", "10s"];
    let Some(findings) = campaign("everything-stdio", &args) else { return };
    check(&findings, EVERYTHING, &[EVERYTHING[0].bucket, EVERYTHING[1].bucket]);
}

/// The Python SDK: does not accept 2025-03-26 batches either (L-BATCH-001,
/// as in `real_servers.rs`); nothing else is known.
const PYTHON: &[Known] = &[Known { bucket: "no-response|batch (2025-03-26)|no response", requirement: "L-BATCH-001", evidence: r#"[{""# }];

#[test]
#[ignore = "needs scripts/external-servers.sh install; run by .ci/run"]
fn fuzzing_the_python_sdk_over_stdio_finds_only_known_defects() {
    let args = ["--seed", "1", "--iterations", "300", "--timeout", "15s", "--shrink-time", "10s"];
    let Some(findings) = campaign("python-stdio", &args) else { return };
    check(&findings, PYTHON, &[]);
}
