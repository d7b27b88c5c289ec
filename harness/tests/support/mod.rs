//! Shared by the integration tests: run the `mcp-conform` binary, start the
//! bundled reference server over HTTP, read run records.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_mcp-conform")
}

/// A fresh, empty folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Run `mcp-conform` with `args`.
pub fn conform(args: &[&str]) -> Output {
    Command::new(bin()).args(args).stdin(Stdio::null()).output().expect("run mcp-conform")
}

/// The run record a run wrote into `dir`.
pub fn record(dir: &Path) -> reports::RunRecord {
    let text = std::fs::read_to_string(dir.join("run.json")).expect("run.json written");
    reports::from_json(&text).expect("run.json parses")
}

/// A reference server serving HTTP (or HTTP+SSE) on a free loopback port; killed on drop.
pub struct HttpServer {
    child: Child,
    pub url: String,
}

impl HttpServer {
    pub fn start(flag: &str, extra: &[&str]) -> HttpServer {
        let mut child = Command::new(bin())
            .args(["reference-server", flag, "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the reference server");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read the address line");
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_string();
        HttpServer { child, url }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(case_id, version)` of every result with this status.
pub fn with_status(record: &reports::RunRecord, status: reports::Status) -> Vec<(String, String)> {
    record.results.iter().filter(|r| r.status == status).map(|r| (r.case_id.clone(), r.version.clone())).collect()
}

/// The command line that starts the third-party server `name` (from
/// `scripts/external-servers.sh`, the one source of truth), found in the
/// folder `MCP_CONFORM_EXTERNAL` names; `None` when that is not set.
pub fn external_command(name: &str, port: Option<u16>) -> Option<String> {
    let dir = std::env::var("MCP_CONFORM_EXTERNAL").ok()?;
    // A relative folder is taken from the repository's root, where `.ci/run` works.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/external-servers.sh");
    let mut cmd = Command::new(script);
    cmd.args(["cmd", name]).env("EXT_DIR", &dir);
    if let Some(port) = port {
        cmd.arg(port.to_string());
    }
    let out = cmd.output().expect("run external-servers.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("UTF-8 command line").trim().to_string())
}
