//! One run: discover the versions, run every applicable case on each, and
//! assemble the run record.

use std::time::{Duration, Instant, SystemTime};

use reports::{CaseResult, RunRecord, Status, StderrCapture, TargetInfo, ToolInfo, FORMAT_VERSION};

use crate::case::{Catalogue, ConnectionKind};
use crate::discovery::{self, Probe};
use crate::execute::{self, CaseContext, VerdictOptions};
use crate::session::{Connection, Session, SessionOptions};
use crate::target::Target;
use crate::transport::{Limits, TransportError};
use crate::version;

/// Everything a run needs.
pub struct RunConfig {
    /// The server.
    pub target: Target,
    /// Versions to test; empty means every version the server speaks.
    pub versions: Vec<String>,
    /// The cases.
    pub catalogue: Catalogue,
    /// Transport limits.
    pub limits: Limits,
    /// Deadline of every request.
    pub request_timeout: Duration,
    /// How findings become verdicts.
    pub verdict: VerdictOptions,
}

/// Why a run could not produce a verdict (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The target cannot be started or reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The server speaks none of the versions tried.
    #[error("the server speaks none of the protocol versions tried:\n  {}", .0.join("\n  "))]
    NoVersion(Vec<String>),
}

/// Run the catalogue against the target.
pub async fn run(config: &RunConfig) -> Result<RunRecord, RunError> {
    let started = Instant::now();
    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let kind = config.target.kind();
    let options = SessionOptions { request_timeout: config.request_timeout, transport: kind };
    let wanted: Vec<String> =
        if config.versions.is_empty() { version::ALL.iter().map(|v| v.to_string()).collect() } else { config.versions.clone() };

    let probes = wanted.iter().map(|v| discovery::probe(&config.target, v, &config.limits, &options));
    let mut sessions = Vec::new();
    let mut notes = Vec::new();
    for (v, probe) in wanted.iter().zip(futures_util::future::join_all(probes).await) {
        match probe? {
            Probe::Supported(session) => sessions.push(session),
            Probe::Unsupported(why) => notes.push(format!("{v} not tested: {why}")),
        }
    }
    if sessions.is_empty() {
        return Err(RunError::NoVersion(notes));
    }

    let mut record = RunRecord {
        format_version: FORMAT_VERSION,
        tool: ToolInfo { name: "mcp-conform".into(), version: env!("CARGO_PKG_VERSION").into() },
        started_at,
        duration_ms: 0,
        target: TargetInfo {
            transport: kind.as_str().into(),
            endpoint: config.target.endpoint(),
            server_info: sessions.iter().rev().find_map(|s| s.server.implementation.clone()),
            stderr: Vec::new(),
        },
        versions: sessions.iter().map(|s| s.version.clone()).collect(),
        results: Vec::new(),
        notes,
    };

    // Versions are independent (each has its own connections), so they run
    // side by side; within a version, cases run in catalogue order.
    let runs = sessions.into_iter().map(|session| run_version(config, &options, *session));
    for (results, stderr) in futures_util::future::join_all(runs).await {
        record.results.extend(results);
        record.target.stderr.extend(stderr);
    }
    record.duration_ms = started.elapsed().as_millis() as u64;
    Ok(record)
}

/// Every case that applies to the session's version, in catalogue order.
async fn run_version(config: &RunConfig, options: &SessionOptions, session: Session) -> (Vec<CaseResult>, Vec<StderrCapture>) {
    let kind = config.target.kind();
    let version = session.version.clone();
    let mut results = Vec::new();
    let mut stderr = Vec::new();
    for case in config.catalogue.cases.iter().filter(|c| c.covers_version(&version) && c.covers_transport(kind)) {
        if let Some(reason) = execute::not_applicable(case, &session.server) {
            results.push(execute::not_run(case, &version, kind, Status::NotApplicable, reason));
            continue;
        }
        let result = match case.connection {
            ConnectionKind::Session => {
                let context = CaseContext { session: &session, server: &session.server, transport: kind, options: &config.verdict };
                execute::run(case, &context).await
            }
            ConnectionKind::Fresh => match config.target.connect(&version, &config.limits, options).await {
                Ok(connection) => {
                    let fresh = Session::fresh(connection, &version, session.server.clone());
                    let context = CaseContext { session: &fresh, server: &session.server, transport: kind, options: &config.verdict };
                    let result = execute::run(case, &context).await;
                    finish(fresh, &format!("{version} {}", case.id), &mut stderr).await;
                    result
                }
                Err(e) => execute::not_run(case, &version, kind, Status::Inconclusive, format!("could not open a connection: {e}")),
            },
        };
        results.push(result);
    }
    finish(session, &format!("{version} session"), &mut stderr).await;
    (results, stderr)
}

/// Close a session and keep what its server wrote on stderr.
async fn finish(session: Session, label: &str, stderr: &mut Vec<StderrCapture>) {
    session.close().await;
    capture_stderr(&session.connection, label, stderr);
}

fn capture_stderr(connection: &Connection, label: &str, stderr: &mut Vec<StderrCapture>) {
    if let Some((text, truncated)) = connection.transport().stderr() {
        if !text.is_empty() {
            stderr.push(StderrCapture { connection: label.to_string(), text, truncated });
        }
    }
}
