//! `mcp-conform fuzz` and `mcp-conform replay` end to end: determinism,
//! a clean reference server, faults that become replayable findings, and
//! findings that survive a killed campaign.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mcp_conform::fuzz::{Finding, Status};
use support::{bin, conform, scratch};

/// The frames a campaign sent as inputs (and the opening), in order, from its transcript.
fn inputs_sent(transcript: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(transcript).expect("transcript written");
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| matches!(v["role"].as_str(), Some("input" | "opening")))
        .map(|v| format!("{}{}", v["text"], v["base64"]))
        .collect()
}

fn fuzz(dir: &Path, name: &str, extra: &[&str]) -> (std::process::Output, PathBuf) {
    let transcript = dir.join(format!("{name}.jsonl"));
    let findings = dir.join(format!("{name}-findings"));
    let mut args = vec!["fuzz", "--transcript", transcript.to_str().unwrap(), "--findings", findings.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = conform(&args);
    (out, transcript)
}

fn finding_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    files.sort();
    files
}

fn stderr(out: &std::process::Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_same_seed_sends_byte_identical_inputs() {
    let dir = scratch("fuzz-determinism");
    let common = ["--iterations", "250", "--spec-version", "2025-11-25"];
    let (a, ta) = fuzz(&dir, "a", &[&common[..], &["--seed", "7"]].concat());
    let (b, tb) = fuzz(&dir, "b", &[&common[..], &["--seed", "7"]].concat());
    let (c, tc) = fuzz(&dir, "c", &[&common[..], &["--seed", "8"]].concat());
    for out in [&a, &b, &c] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    assert!(String::from_utf8_lossy(&a.stderr).contains("seed 7"), "the seed is printed at the start");
    let (sa, sb, sc) = (inputs_sent(&ta), inputs_sent(&tb), inputs_sent(&tc));
    assert!(sa.len() > 250, "{} frames", sa.len());
    assert_eq!(sa, sb, "same seed, same bytes, same order");
    assert_ne!(sa, sc, "another seed sends other inputs");
}

#[test]
fn shards_partition_the_iterations() {
    let dir = scratch("fuzz-shards");
    let common = ["--iterations", "60", "--spec-version", "2025-06-18", "--seed", "3"];
    let (whole, tw) = fuzz(&dir, "whole", &[&common[..], &["--shard", "1/1"]].concat());
    let half = ["--iterations", "30", "--spec-version", "2025-06-18", "--seed", "3"];
    let (one, t1) = fuzz(&dir, "one", &[&half[..], &["--shard", "1/2"]].concat());
    let (two, t2) = fuzz(&dir, "two", &[&half[..], &["--shard", "2/2"]].concat());
    for out in [&whole, &one, &two] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    let inputs = |t: &Path| {
        let mut v: Vec<String> = inputs_sent(t).into_iter().filter(|f| !["mcp-conform-open", "notifications/initialized", "mcp-conform-baseline"].iter().any(|s| f.contains(s))).collect();
        v.sort();
        v
    };
    let mut union = [inputs(&t1), inputs(&t2)].concat();
    union.sort();
    assert_eq!(inputs(&tw), union, "shards 1/2 and 2/2 send exactly the inputs of 1/1");
    assert_ne!(inputs(&t1), inputs(&t2));
}

fn clean(transport: &str, iterations: &str) {
    let dir = scratch(&format!("fuzz-clean-{transport}"));
    let (out, _) = fuzz(&dir, "run", &["--transport", transport, "--iterations", iterations, "--seed", "42"]);
    let files = finding_files(&dir.join("run-findings"));
    let texts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).unwrap_or_default()).collect();
    assert_eq!(out.status.code(), Some(0), "{}\n{texts:#?}", stderr(&out));
    assert!(files.is_empty(), "the clean reference server gives no finding: {texts:#?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("findings: 0 in 0 bucket(s)"), "{}", stderr(&out));
    // The summary's time is accounted for: sending, the last answers and
    // the rest add up to the run's length.
    let seconds = |before: &str| seconds_before(&stdout, before);
    let parts = seconds("s sending and judging") + seconds("s waiting for the last answers") + seconds("s starting servers");
    let total = seconds("s (");
    assert!((parts - total).abs() < 0.01, "{parts} against {total}: {stdout}");
}

/// The figure in `summary` that ends just before `before` ("12.5s sending…").
fn seconds_before(summary: &str, before: &str) -> f64 {
    let end = summary.find(before).unwrap_or_else(|| panic!("no {before:?} in {summary}"));
    let start = summary[..end].rfind(' ').map_or(0, |i| i + 1);
    summary[start..end].parse().unwrap_or_else(|e| panic!("{e}: {summary}"))
}

/// A campaign that finds new buckets all along does not stop for them.
/// This server drops requests while eight are in flight, so its findings
/// are `no-response`: each confirmation waits out at least one deadline, and
/// a campaign that stopped for them would send for only part of its time.
/// Over stdio each is confirmed on a server of its own while the campaign
/// goes on.
#[test]
fn findings_are_confirmed_while_the_campaign_goes_on() {
    let fault = ["--", bin(), "reference-server", "--fault", "requests-dropped-under-load"];
    let (sending, stderr) = confirmed_without_stopping("confirm-alongside", &fault, "4s", "1s", "12");
    // Reopening after a failed probe takes a little of it (stopping for
    // each confirmation took half: 2.1 s).
    assert!(sending >= 3.5, "the campaign sent for {sending}s of its 4s: {stderr}");
}

/// Over HTTP the replays would share the campaign's server: they wait
/// until the campaign is over, and the campaign does not wait for them.
#[test]
fn over_http_findings_are_confirmed_once_the_campaign_is_over() {
    let server = support::HttpServer::start("--http", &["--fault", "requests-dropped-under-load"]);
    let (sending, stderr) = confirmed_without_stopping("confirm-after", &["--url", server.url.as_str()], "1s", "200ms", "9");
    // Reopening after a failed probe is not sending either; stopping for the
    // first confirmation (three replays) would have used up the second.
    assert!(sending >= 0.6, "the campaign sent for {sending}s of its 1s: {stderr}");
}

/// With a duration, confirming after the campaign is bounded: replays start
/// for as long as the campaign ran, or the shrinking time when longer, and
/// the findings left wait as found. Against this server each confirmation
/// over HTTP took about 3 s (five buckets: 15 s), so a 1 s bound leaves some.
#[test]
fn confirming_after_a_campaign_given_a_duration_is_bounded() {
    let server = support::HttpServer::start("--http", &["--fault", "requests-dropped-under-load"]);
    let dir = scratch("fuzz-confirm-bounded");
    let args = ["--spec-version", "2025-11-25", "--seed", "1", "--duration", "1s", "--shrink-time", "1s", "--timeout", "200ms", "--window", "9"];
    let (out, _) = fuzz(&dir, "run", &[&args[..], &["--no-shrink", "--url", server.url.as_str()]].concat());
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("(not replayed yet)"), "every bucket was replayed: {}", stderr(&out));
    assert!(summary.contains("finding(s) not replayed: confirming stops starting replays 1s after the campaign"), "{summary}");
    // Those left are on disk as found, to be replayed by hand.
    let left: Vec<Finding> = finding_files(&dir.join("run-findings")).iter().map(|f| Finding::load(f).expect("a finding file")).collect();
    assert!(left.iter().any(|f| f.status == Status::Unconfirmed), "{:#?}", left.iter().map(|f| (&f.bucket, f.status)).collect::<Vec<_>>());
}

/// Fuzz `target` (faulty) for `duration`, without shrinking; return how
/// long it sent and its stderr, once at least one finding was confirmed.
fn confirmed_without_stopping(name: &str, target: &[&str], duration: &str, timeout: &str, window: &str) -> (f64, String) {
    let dir = scratch(&format!("fuzz-{name}"));
    let args = [&["--spec-version", "2025-11-25", "--seed", "1", "--duration", duration, "--timeout", timeout, "--window", window, "--no-shrink"][..], target].concat();
    let (out, _) = fuzz(&dir, "run", &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let confirmed = err.lines().filter(|l| l.contains(": reproduced")).count();
    assert!(confirmed >= 1, "findings confirmed: {}", stderr(&out));
    (seconds_before(&String::from_utf8_lossy(&out.stdout), "s sending and judging"), err)
}

#[test]
fn the_clean_reference_server_gives_no_findings_over_stdio() {
    clean("stdio", "600");
}

#[test]
fn the_clean_reference_server_gives_no_findings_over_streamable_http() {
    clean("streamable-http", "300");
}

#[test]
fn the_clean_reference_server_gives_no_findings_over_http_sse() {
    clean("sse", "300");
}

/// Fuzz the reference server with `fault`; return the finding files.
fn with_fault(fault: &str, oracle: &str) -> Vec<PathBuf> {
    let dir = scratch(&format!("fuzz-fault-{fault}"));
    let args = ["--spec-version", "2025-11-25", "--seed", "1", "--iterations", "150", "--timeout", "1s", "--", bin(), "reference-server", "--fault", fault];
    let (out, _) = fuzz(&dir, "run", &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let files = finding_files(&dir.join("run-findings"));
    let findings: Vec<Finding> = files.iter().map(|f| Finding::load(f).expect("a finding file")).collect();
    let hit: Vec<PathBuf> = files.iter().zip(&findings).filter(|(_, f)| f.oracle.as_str() == oracle).map(|(p, _)| p.clone()).collect();
    assert!(!hit.is_empty(), "{fault}: no {oracle} finding in {:#?}", findings.iter().map(|f| &f.bucket).collect::<Vec<_>>());
    for path in &hit {
        let finding = Finding::load(path).expect("loads");
        assert_eq!(finding.status, Status::Reproduced, "{}", finding.bucket);
        assert!(!finding.inputs.is_empty() && finding.inputs.len() <= 3, "shrunk: {} inputs", finding.inputs.len());
        assert!(finding.sent.iter().any(|s| matches!(s.role, mcp_conform::fuzz::Role::Opening)), "the exact bytes since the session opened");
    }
    hit
}

fn replay(file: &Path, against: &[&str]) -> std::process::Output {
    // Long enough for a loaded machine: the clean server must answer within it.
    let mut args = vec!["replay", file.to_str().unwrap(), "--timeout", "5s"];
    args.extend_from_slice(against);
    conform(&args)
}

#[test]
fn a_wrong_error_code_becomes_a_finding_that_replays() {
    let files = with_fault("unknown-method-wrong-code", "wrong-error-code");
    let finding = Finding::load(&files[0]).expect("loads");
    assert_eq!(finding.requirement, "JSONRPC-008");
    assert!(finding.actual.contains("-32600"), "{}", finding.actual);
    let again = replay(&files[0], &[]);
    assert_eq!(again.status.code(), Some(1), "still fails against the same target: {}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("still fails"));
    let fixed = replay(&files[0], &["--", bin(), "reference-server"]);
    assert_eq!(fixed.status.code(), Some(0), "no longer fails against the clean server: {}", stderr(&fixed));
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("no longer fails"));
}

#[test]
fn an_unanswered_ping_becomes_a_finding_that_replays() {
    let files = with_fault("ping-no-response", "no-response");
    let finding = Finding::load(&files[0]).expect("loads");
    assert_eq!(finding.requirement, "L-PING-001");
    assert!(finding.inputs.iter().any(|i| i.frames.iter().any(|f| String::from_utf8_lossy(&f.bytes).contains("\"ping\""))));
    let again = replay(&files[0], &[]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    let fixed = replay(&files[0], &["--", bin(), "reference-server"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
}

#[test]
fn a_killed_campaign_keeps_every_finding_it_reported() {
    let dir = scratch("fuzz-killed");
    let findings = dir.join("findings");
    let mut child = Command::new(bin())
        .args(["fuzz", "--duration", "120s", "--seed", "5", "--spec-version", "2025-11-25", "--findings"])
        .arg(&findings)
        .args(["--", bin(), "reference-server", "--fault", "unknown-method-wrong-code"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a campaign");
    let stderr = child.stderr.take().expect("stderr piped");
    let mut reported = Vec::new();
    let started = Instant::now();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Some(path) = line.trim().strip_prefix("→ ") {
            reported.push(PathBuf::from(path));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no finding reported within 60s");
    }
    // Killed outright: no handler runs, nothing more is written.
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(!reported.is_empty(), "a finding was reported");
    for path in &reported {
        let finding = Finding::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!finding.inputs.is_empty());
        let again = replay(path, &[]);
        assert_eq!(again.status.code(), Some(1), "{}", String::from_utf8_lossy(&again.stdout));
    }
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["fuzz", "--shard", "3/2"][..],
        &["fuzz", "--spec-version", "1999-01-01"],
        &["fuzz", "--iterations", "5", "--", "/nonexistent/mcp-server"],
        &["replay", "/nonexistent/finding.json"],
    ] {
        let out = conform(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn sequences_are_byte_identical_per_seed() {
    let dir = scratch("fuzz-sequences-determinism");
    let common = ["--iterations", "40", "--spec-version", "2025-06-18", "--generators", "sequences", "--timeout", "2s"];
    let (a, ta) = fuzz(&dir, "a", &[&common[..], &["--seed", "17"]].concat());
    let (b, tb) = fuzz(&dir, "b", &[&common[..], &["--seed", "17"]].concat());
    let (c, tc) = fuzz(&dir, "c", &[&common[..], &["--seed", "18"]].concat());
    for out in [&a, &b, &c] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    let (sa, sb, sc) = (inputs_sent(&ta), inputs_sent(&tb), inputs_sent(&tc));
    assert!(sa.iter().any(|f| f.contains("notifications/cancelled")), "sequences were sent: {sa:#?}");
    assert!(sa.len() > 80, "{} frames", sa.len());
    assert_eq!(sa, sb, "same seed, same sequences, same bytes, same order");
    assert_ne!(sa, sc, "another seed sends other sequences");
}

/// The inputs a campaign sent, from its summary.
fn inputs_of(out: &std::process::Output) -> u64 {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let end = stdout.find(" inputs in ").unwrap_or_else(|| panic!("{stdout}"));
    stdout[..end].rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{stdout}"))
}

/// Sequences over HTTP hold up little: a session step runs on its own
/// connection beside the campaign's inputs, and a step waits for a tool
/// call of its sequence only until the call is parked (a tool call waiting
/// on the client, the reference server's `ask`, whose requests the fuzzer
/// never answers, would hold it for its deadline). A debug build sent these
/// 2 s 13 inputs when each session step waited for every input before it,
/// about 340 when it waited for them to be judged, parked or 20 ms old, and
/// now about 900.
#[test]
fn sequence_steps_over_http_hold_up_little() {
    let dir = scratch("fuzz-session-steps");
    let args = ["--transport", "streamable-http", "--spec-version", "2025-11-25", "--generators", "sequences", "--duration", "2s", "--seed", "1", "--no-shrink"];
    let (out, _) = fuzz(&dir, "run", &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inputs = inputs_of(&out);
    assert!(inputs >= 550, "{inputs} inputs in 2s: {}", stderr(&out));
}

/// A step that goes once a tool call of its sequence is answered (a
/// cancellation after the answer) takes its turn far enough behind it that
/// the reference server's `slow` tool (up to 2 s) rarely holds up the
/// inputs after the step. Taking it 256 inputs later, these 2 s sent 430
/// inputs (a debug build, twice); now 1 200–1 450 alone, and 674 once in a
/// fresh clone's `cargo test --workspace`, beside the other fuzz tests.
#[test]
fn a_step_after_a_tool_call_holds_up_little() {
    let dir = scratch("fuzz-after-call");
    let args = ["--spec-version", "2025-11-25", "--generators", "sequences", "--duration", "2s", "--seed", "1", "--no-shrink"];
    let (out, _) = fuzz(&dir, "run", &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inputs = inputs_of(&out);
    assert!(inputs >= 500, "{inputs} inputs in 2s: {}", stderr(&out));
}

fn clean_sequences(transport: &str, iterations: &str) {
    let dir = scratch(&format!("fuzz-clean-sequences-{transport}"));
    let args = ["--transport", transport, "--generators", "sequences", "--iterations", iterations, "--seed", "42", "--timeout", "2s"];
    let (out, _) = fuzz(&dir, "run", &args);
    let files = finding_files(&dir.join("run-findings"));
    let texts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).unwrap_or_default()).collect();
    assert_eq!(out.status.code(), Some(0), "{}\n{texts:#?}", stderr(&out));
    assert!(files.is_empty(), "the clean reference server gives no finding: {texts:#?}");
}

#[test]
fn the_clean_reference_server_gives_no_findings_to_sequences_over_stdio() {
    clean_sequences("stdio", "100");
}

#[test]
fn the_clean_reference_server_gives_no_findings_to_sequences_over_streamable_http() {
    clean_sequences("streamable-http", "100");
}

#[test]
fn the_clean_reference_server_gives_no_findings_to_sequences_over_http_sse() {
    clean_sequences("sse", "80");
}

#[test]
fn a_deleted_session_that_keeps_working_is_found_by_a_sequence_and_replays() {
    let faulty = support::HttpServer::start("--http", &["--fault", "session-id-ignored-after-delete"]);
    let dir = scratch("fuzz-sequence-ended-session");
    let args = ["--url", faulty.url.as_str(), "--generators", "sequences", "--spec-version", "2025-11-25", "--seed", "3", "--iterations", "60", "--timeout", "2s"];
    let (out, _) = fuzz(&dir, "run", &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let files = finding_files(&dir.join("run-findings"));
    let findings: Vec<Finding> = files.iter().map(|f| Finding::load(f).expect("a finding file")).collect();
    assert_eq!(findings.len(), 1, "only the fault: {:#?}", findings.iter().map(|f| &f.bucket).collect::<Vec<_>>());
    let finding = &findings[0];
    assert_eq!((finding.requirement.as_str(), finding.status), ("L-HTTP-011", Status::Reproduced), "{}", finding.bucket);
    assert!(finding.inputs.iter().any(|i| i.label.starts_with("sequence/ended-session")), "the replay file holds the sequence");
    assert!(finding.inputs.len() <= 2, "shrunk to the session step: {} inputs", finding.inputs.len());
    let again = replay(&files[0], &[]);
    assert_eq!(again.status.code(), Some(1), "still fails against the faulty server: {}", stderr(&again));
    let clean = support::HttpServer::start("--http", &[]);
    let fixed = replay(&files[0], &["--url", clean.url.as_str()]);
    assert_eq!(fixed.status.code(), Some(0), "no longer fails against the clean server: {}", stderr(&fixed));
}

/// A campaign against `server_args` (stdio, tools not called, no shrinking):
/// its exit status and the findings of `oracle`.
fn memory_findings(name: &str, server_args: &[&str]) -> (Option<i32>, Vec<Finding>, String) {
    let dir = scratch(&format!("fuzz-memory-{name}"));
    let mut args = vec!["--spec-version", "2025-11-25", "--seed", "1", "--iterations", "3000", "--mix", "well-formed", "--call-tools", "none", "--no-shrink", "--", bin()];
    args.extend_from_slice(server_args);
    let (out, _) = fuzz(&dir, "run", &args);
    let findings: Vec<Finding> =
        finding_files(&dir.join("run-findings")).iter().map(|f| Finding::load(f).expect("a finding file")).filter(|f| f.oracle.as_str() == "memory-growth").collect();
    (out.status.code(), findings, stderr(&out))
}

#[test]
fn a_server_whose_memory_grows_per_request_becomes_a_memory_growth_finding() {
    let (code, findings, text) = memory_findings("leak", &["reference-server", "--hostile", "leak-per-request"]);
    assert_eq!(code, Some(1), "{text}");
    let finding = findings.first().unwrap_or_else(|| panic!("no memory-growth finding: {text}"));
    assert_eq!(finding.status, Status::Reproduced, "a fresh connection shows it again: {text}");
    assert!(finding.message.contains("resident memory grew"), "{}", finding.message);
    // The clean server, sent the same inputs, stays within the limit.
    let (code, findings, text) = memory_findings("clean", &["reference-server"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(findings.is_empty(), "{text}");
}
