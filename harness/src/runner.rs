//! One run: discover the versions, run every applicable case on each, and
//! assemble the run record.

use std::time::{Duration, Instant, SystemTime};

use reports::{CaseResult, RunRecord, Status, StderrCapture, TargetInfo, ToolInfo, FORMAT_VERSION};

use crate::case::{Catalogue, ConnectionKind};
use crate::discovery::{self, Probe};
use crate::execute::{self, CaseContext, VerdictOptions};
use crate::session::{Connection, ServerInfo, Session, SessionOptions};
use crate::target::Target;
use crate::transport::{Limits, TransportError};
use crate::version::{self, era, Era};

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
    /// Deadline of the first request on a connection, which includes the server's start.
    pub startup_timeout: Duration,
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
    #[error("the server answered none of the protocol versions tried; check the command or URL (or raise --timeout):\n  {}", .0.join("\n  "))]
    NoVersion(Vec<String>),
}

/// Run the catalogue against the target.
pub async fn run(config: &RunConfig) -> Result<RunRecord, RunError> {
    let started = Instant::now();
    let started_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let kind = config.target.kind();
    let options = SessionOptions { request_timeout: config.request_timeout, startup_timeout: config.startup_timeout };
    let wanted: Vec<String> =
        if config.versions.is_empty() { version::ALL.iter().map(|v| v.to_string()).collect() } else { config.versions.clone() };

    let probes = wanted.iter().map(|v| discovery::probe(&config.target, v, &config.limits, &options));
    let mut runs = Vec::new();
    let mut refused = Vec::new();
    let mut notes = Vec::new();
    for (v, probe) in wanted.iter().zip(futures_util::future::join_all(probes).await) {
        match probe? {
            Probe::Supported(session) => runs.push(VersionRun::Session(session)),
            Probe::Unsupported { why, counter, capabilities } => refused.push((v.clone(), why, counter, capabilities)),
        }
    }
    // A version the server proposed when asked for another is one it claims
    // to speak, even if it would not accept it when asked: test it on fresh
    // connections (where the negotiation cases show the refusal).
    let claimed: Vec<String> = refused.iter().filter_map(|(_, _, counter, _)| counter.clone()).collect();
    for (v, why, _, capabilities) in refused {
        if claimed.contains(&v) && era(&v) == Era::Stateful {
            let server = ServerInfo { capabilities, ..ServerInfo::default() };
            runs.push(VersionRun::Claimed { version: v, why, server: Box::new(server) });
        } else {
            notes.push(format!("{v} not tested: {why}"));
        }
    }
    if runs.is_empty() {
        return Err(RunError::NoVersion(notes));
    }
    runs.sort_by(|a, b| a.version().cmp(b.version()));

    let mut record = RunRecord {
        format_version: FORMAT_VERSION,
        tool: ToolInfo { name: "mcp-conform".into(), version: env!("CARGO_PKG_VERSION").into() },
        started_at,
        duration_ms: 0,
        target: TargetInfo {
            transport: kind.as_str().into(),
            endpoint: config.target.endpoint(),
            server_info: runs.iter().rev().find_map(|r| r.server().implementation.clone()),
            stderr: Vec::new(),
        },
        versions: runs.iter().map(|r| r.version().to_string()).collect(),
        results: Vec::new(),
        notes,
        gate: None,
        surface: None,
    };

    // Versions are independent (each has its own connections), so they run
    // side by side; within a version, cases run in catalogue order.
    let runs = runs.into_iter().map(|run| run_version(config, &options, run));
    for (results, stderr) in futures_util::future::join_all(runs).await {
        record.results.extend(results);
        record.target.stderr.extend(stderr);
    }
    record.duration_ms = started.elapsed().as_millis() as u64;
    Ok(record)
}

/// A version to test: with the session its probe opened, or, for a version
/// the server claimed but refused, without one.
enum VersionRun {
    Session(Box<Session>),
    Claimed { version: String, why: String, server: Box<ServerInfo> },
}

impl VersionRun {
    fn version(&self) -> &str {
        match self {
            VersionRun::Session(session) => &session.version,
            VersionRun::Claimed { version, .. } => version,
        }
    }

    fn server(&self) -> &ServerInfo {
        match self {
            VersionRun::Session(session) => &session.server,
            VersionRun::Claimed { server, .. } => server,
        }
    }
}

/// Every case that applies to the version, in catalogue order.
async fn run_version(config: &RunConfig, options: &SessionOptions, mut run: VersionRun) -> (Vec<CaseResult>, Vec<StderrCapture>) {
    let kind = config.target.kind();
    let version = run.version().to_string();
    let server = run.server().clone();
    let mut results = Vec::new();
    let mut stderr = Vec::new();
    for case in config.catalogue.cases.iter().filter(|c| c.covers_version(&version) && c.covers_transport(kind)) {
        if let Some(reason) = execute::not_applicable(case, &server) {
            results.push(execute::not_run(case, &version, kind, Status::NotApplicable, reason));
            continue;
        }
        if case.connection == ConnectionKind::Session {
            restart_if_ended(config, options, &mut run, &mut stderr).await;
        }
        let result = match (case.connection, &run) {
            (ConnectionKind::Session, VersionRun::Session(session)) => {
                let context = CaseContext { session, server: &server, transport: kind, options: &config.verdict };
                execute::run(case, &context).await
            }
            (ConnectionKind::Session, VersionRun::Claimed { why, .. }) => {
                execute::not_run(case, &version, kind, Status::Inconclusive, format!("no {version} session could be opened: {why}"))
            }
            (ConnectionKind::Own, _) => match discovery::probe(&config.target, &version, &config.limits, options).await {
                Ok(Probe::Supported(own)) => {
                    let context = CaseContext { session: &own, server: &server, transport: kind, options: &config.verdict };
                    let result = execute::run(case, &context).await;
                    finish(*own, &format!("{version} {}", case.id), &mut stderr).await;
                    result
                }
                Ok(Probe::Unsupported { why, .. }) => {
                    execute::not_run(case, &version, kind, Status::Inconclusive, format!("no {version} session could be opened: {why}"))
                }
                Err(e) => execute::not_run(case, &version, kind, Status::Inconclusive, format!("could not open a connection: {e}")),
            },
            (ConnectionKind::Fresh, _) => match config.target.connect(&version, &config.limits, options).await {
                Ok(connection) => {
                    let fresh = Session::fresh(connection, &version, server.clone());
                    let context = CaseContext { session: &fresh, server: &server, transport: kind, options: &config.verdict };
                    let result = execute::run(case, &context).await;
                    finish(fresh, &format!("{version} {}", case.id), &mut stderr).await;
                    result
                }
                Err(e) => execute::not_run(case, &version, kind, Status::Inconclusive, format!("could not open a connection: {e}")),
            },
        };
        results.push(result);
    }
    if let VersionRun::Session(session) = run {
        finish(*session, &format!("{version} session"), &mut stderr).await;
    }
    (results, stderr)
}

/// A stdio server may end its session itself, closing stdout and exiting
/// (STDIO-009): that is a clean shutdown, and the client restarts it (as
/// stdio.mdx §Unexpected Termination asks), so the cases after it run on a
/// new session. A server that cannot be restarted leaves the old one, whose
/// cases then say what they get.
async fn restart_if_ended(config: &RunConfig, options: &SessionOptions, run: &mut VersionRun, stderr: &mut Vec<StderrCapture>) {
    let VersionRun::Session(session) = run else { return };
    let Some(child) = session.connection.transport().stdio() else { return };
    if !child.ended_by_server().await {
        return;
    }
    let version = session.version.clone();
    if let Ok(Probe::Supported(restarted)) = discovery::probe(&config.target, &version, &config.limits, options).await {
        restarted.connection.note(format!(
            "the server ended the previous {version} session itself (closed stdout, exited 0; STDIO-009 allows it): restarted"
        ));
        let ended = std::mem::replace(session, restarted);
        finish(*ended, &format!("{version} session (ended by the server)"), stderr).await;
    }
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
