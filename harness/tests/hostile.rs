//! The harness against hostile servers (`mcp-conform reference-server
//! --hostile NAME`): every run ends in bounded time and memory with a
//! verdict or a setup error, never a crash or a hang, and leaves no server
//! process behind.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{bin, HttpServer};

/// Most a hostile run may take (a few deadlines of 2s each, and slack for a loaded machine).
const BOUND: Duration = Duration::from_secs(90);

/// The deadline of most runs here: short, since hostile servers make requests wait for it.
const DEADLINE: &str = "2s";

/// The cases a hostile run tries: the handshake, ping and a tool listing are
/// enough to meet every kind of misbehaviour; the whole catalogue (or the
/// security area's bursts and 8 MiB messages) would only multiply the
/// deadlines waited out.
const SAMPLE: &[&str] = &["--only", "lifecycle", "--skip", "security", "--only", "L-PING-001", "--only", "TOOLS-002"];

/// The deadline of a connection's first request, which also waits for the
/// server to start: what these tests measure comes later, and on a loaded
/// machine (hostile servers streaming gigabytes side by side) a start can
/// take longer than [`DEADLINE`].
const STARTUP: &str = "10s";

fn harness(deadline: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(bin());
    command
        .args(["run", "--color", "never", "--timeout", deadline, "--startup-timeout", STARTUP, "--spec-version", "2025-11-25"])
        .args(SAMPLE)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Run to the end; the exit code, with the output for messages.
fn finish(mut command: Command) -> (Option<i32>, String) {
    let started = Instant::now();
    let out = command.output().expect("run mcp-conform");
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

fn over_stdio(mode: &str, expected: i32) {
    over_stdio_within(mode, DEADLINE, expected);
}

fn over_stdio_within(mode: &str, deadline: &str, expected: i32) {
    let dir = support::scratch(&format!("hostile-{mode}"));
    let pid_file = dir.join("server.pid");
    let script = format!("echo $$ > {}; exec {} reference-server --hostile {mode}", pid_file.display(), bin());
    let (code, text) = finish(harness(deadline, &["--", "sh", "-c", &script]));
    assert_eq!(code, Some(expected), "{mode}: {text}");
    // Everything in the server's process group is gone (the group id is the server's pid).
    let group: i32 = std::fs::read_to_string(&pid_file).expect("pid written").trim().parse().expect("a pid");
    let alive = |group: i32| nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), None).is_ok();
    let gone = (0..40).any(|_| !alive(group) || { std::thread::sleep(Duration::from_millis(50)); false });
    assert!(gone, "{mode}: process group {group} survived the run");
}

fn over_http(mode: &str, transport: &str, expected: i32) {
    over_http_within(mode, transport, DEADLINE, expected);
}

fn over_http_within(mode: &str, transport: &str, deadline: &str, expected: i32) {
    let flag = if transport == "sse" { "--sse" } else { "--http" };
    let server = HttpServer::start(flag, &["--hostile", mode]);
    let (code, text) = finish(harness(deadline, &["--url", &server.url, "--transport", transport]));
    assert_eq!(code, Some(expected), "{mode} over {transport}: {text}");
}

#[test]
fn garbage_on_stdout_is_reported() {
    over_stdio("garbage-stdout", 1);
}

/// A message over the size limit cannot be judged: the requests it may have
/// answered (or held up) are inconclusive, never failed.
#[test]
fn a_1_gib_line_is_dropped_in_bounded_memory() {
    over_stdio("huge-line", 0);
    over_http("huge-line", "streamable-http", 0);
}

#[test]
fn an_endless_response_costs_only_its_deadline() {
    over_stdio("endless-response", 0);
    over_http("endless-response", "streamable-http", 0);
}

#[test]
fn a_silent_server_is_a_setup_error_not_a_hang() {
    over_stdio("silence", 2);
    over_http("silence", "streamable-http", 2);
}

#[test]
fn an_exit_in_mid_response_is_reported() {
    over_stdio("exit-mid-response", 1);
}

/// Each answer of a flooding server comes after thousands of notifications on
/// its own stream: a deadline that allows for them, and memory stays bounded.
#[test]
fn a_notification_flood_does_not_drown_the_answers() {
    over_stdio_within("notification-flood", "20s", 0);
    over_http_within("notification-flood", "streamable-http", "20s", 0);
}

#[test]
fn invalid_utf8_is_never_taken_for_an_answer() {
    let (code, text) = finish(harness(DEADLINE, &["--", bin(), "reference-server", "--hostile", "invalid-utf8"]));
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not UTF-8"), "{text}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    over_stdio("deep-nesting", 1);
}

#[test]
fn an_sse_stream_that_never_closes_is_left_behind() {
    over_http("sse-never-closes", "streamable-http", 0);
}

#[test]
fn a_child_left_behind_dies_with_the_group() {
    over_stdio("spawn-child-and-exit", 1);
}

/// The harness never held a hostile answer in memory (a 1 GiB line, an
/// endless body): the largest process any test here waited for stayed small.
#[test]
fn memory_stays_bounded() {
    over_stdio("huge-line", 0);
    over_http_within("notification-flood", "streamable-http", "20s", 0);
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let max_rss_kib = usage.max_rss();
    assert!(max_rss_kib < 512 * 1024, "a child reached {max_rss_kib} KiB");
}

/// A server that keeps memory for every request still answers like a
/// conformant one: the run passes in time (the leak is for the fuzzer's
/// memory-growth oracle to find) and leaves nothing behind.
#[test]
fn a_leaking_server_is_still_run_to_the_end() {
    over_stdio("leak-per-request", 0);
}

/// STDIO-003: a server may write anything to stderr, and a client must not
/// take it for an error. One that writes 5000 lines there claiming errors
/// before it starts (then logs at debug level) passes the sample like the
/// quiet server does; only a harness that read stderr as protocol or as
/// failure would fail it.
#[test]
fn stderr_chatter_is_not_held_against_the_server() {
    let script = format!(
        "yes 'ERROR: this line on stderr is only logging' | head -n 5000 >&2; MCP_REFERENCE_SERVER_LOG=debug exec {} reference-server",
        bin()
    );
    let (code, text) = finish(harness(DEADLINE, &["--", "sh", "-c", &script]));
    assert_eq!(code, Some(0), "{text}");
}
