//! `mcp-conform snapshot`: record a server's public surface to a file, or
//! compare the live surface with one (`--check`, and `run --snapshot`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::run::parse_duration;
use super::CliError;
use crate::session::SessionOptions;
use crate::surface::capture::CaptureOptions;
use crate::surface::{self, report, Snapshot, SurfaceError};
use reports::surface::{SnapshotWrite, SurfaceCheck};
use crate::target::Target;
use crate::transport::Limits;

/// Arguments of `snapshot`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    target: super::target::TargetArgs,

    /// Write the snapshot to this file [default: standard output].
    #[arg(long, short, value_name = "FILE", conflicts_with = "check")]
    output: Option<PathBuf>,

    /// Compare the live surface with this snapshot instead: breaking changes
    /// (and changes that need review) exit 1, additive ones pass.
    #[arg(long, value_name = "FILE")]
    check: Option<PathBuf>,

    /// With --check: rewrite the file to accept the changes (exit 0).
    #[arg(long, requires = "check")]
    update: bool,

    /// Also record serverInfo.version (left out by default: it changes with every release).
    #[arg(long)]
    server_version: bool,

    /// Deadline of each request, e.g. `10s`, `500ms` (a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,

    /// Deadline of the first request on each connection, which also waits for the server to start.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    startup_timeout: Duration,
}

pub async fn snapshot(mut args: SnapshotArgs) -> Result<i32, CliError> {
    args.target.discover_config()?;
    // A malformed file is reported before any server is started.
    let old = match &args.check {
        Some(file) => load_for_check(file, args.update)?,
        None => None,
    };
    let options = SessionOptions { request_timeout: args.timeout, startup_timeout: args.startup_timeout.max(args.timeout) };
    let (target, _, reference) = args.target.resolve().await?;
    let outcome = match &args.check {
        Some(file) => compare(file, old, &target, &options, args.update).await.map(|check| SurfaceOutcome {
            text: reports::terminal::surface_section(&check, &reports::terminal::TerminalOptions::default()),
            code: if check.passed { reports::McpConformExitCode::CONFORMANT } else { reports::McpConformExitCode::FINDINGS },
        }),
        None => {
            let keep = CaptureOptions { server_version: args.server_version };
            write(args.output.as_deref(), &target, &options, keep).await
        }
    };
    if let Some(server) = reference {
        server.stop().await;
    }
    let outcome = outcome?;
    print!("{}", outcome.text);
    Ok(outcome.code)
}

/// What a snapshot command came to: the text to print and the exit code.
struct SurfaceOutcome {
    text: String,
    code: i32,
}

async fn write(output: Option<&Path>, target: &Target, options: &SessionOptions, keep: CaptureOptions) -> Result<SurfaceOutcome, CliError> {
    let snapshot = surface::capture(target, &Limits::default(), options, keep).await?;
    let text = match output {
        Some(file) => {
            snapshot.save(file)?;
            format!("surface snapshot of {} protocol version(s) written to {}\n", snapshot.versions.len(), file.display())
        }
        None => snapshot.to_text(),
    };
    Ok(SurfaceOutcome { text, code: 0 })
}

/// The snapshot to compare against; `None` when it does not exist yet and
/// `update` will create it.
pub(super) fn load_for_check(file: &Path, update: bool) -> Result<Option<Snapshot>, CliError> {
    match Snapshot::load(file) {
        Ok(snapshot) => Ok(Some(snapshot)),
        Err(SurfaceError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound && update => Ok(None),
        Err(SurfaceError::Io { path, source }) if source.kind() == std::io::ErrorKind::NotFound => Err(CliError::Usage(format!(
            "{path}: no such snapshot; write one with `mcp-conform snapshot --output {path}` (or pass --update)"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Capture the live surface and compare it with `old` (the contents of
/// `file`): the comparison as the run record keeps it. With `update`, the
/// live surface is written to `file`, accepting the changes; without an
/// `old` (the file does not exist yet), it is written there in any case.
pub(super) async fn compare(
    file: &Path,
    old: Option<Snapshot>,
    target: &Target,
    options: &SessionOptions,
    update: bool,
) -> Result<SurfaceCheck, CliError> {
    let keep = CaptureOptions { server_version: old.as_ref().is_some_and(|o| o.server.version.is_some()) };
    let new = surface::capture(target, &Limits::default(), options, keep).await?;
    let name = file.display().to_string();
    let Some(old) = old else {
        new.save(file)?;
        return Ok(report::check(&name, new.versions.keys().cloned().collect(), vec![], Some(SnapshotWrite::Created)));
    };
    let changes = surface::diff(&old, &new);
    let written = if update && !changes.is_empty() {
        new.save(file)?;
        Some(SnapshotWrite::Updated)
    } else {
        None
    };
    Ok(report::check(&name, old.versions.keys().cloned().collect(), changes, written))
}
