//! `mcp-conform replay`: run a finding file again and say whether it still fails.

use std::path::PathBuf;
use std::time::Duration;

use super::run::{parse_duration, parse_env, parse_header, parse_size, parse_transport};
use super::CliError;
use crate::fuzz::{self, Finding, TargetSpec};
use crate::target::Target;
use crate::transport::{Kind, Limits};

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The finding file (written by `mcp-conform fuzz`).
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Replay against this URL instead of the file's target.
    #[arg(long, value_name = "URL", conflicts_with = "command")]
    url: Option<String>,

    /// Transport of --url: `streamable-http` (default) or `sse`.
    #[arg(long, value_name = "NAME", value_parser = parse_transport)]
    transport: Option<Kind>,

    /// Deadline of each request.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    timeout: Duration,

    /// Replay up to this many times, stopping at the first that fails (for findings that depend on timing).
    #[arg(long, value_name = "N", default_value_t = 1)]
    attempts: usize,

    /// Largest message accepted from the server, in bytes.
    #[arg(long, value_name = "BYTES", default_value = "16MiB", value_parser = parse_size)]
    max_message_size: usize,

    /// HTTP header on every request, `Name: value` (repeatable; the file keeps only header names).
    #[arg(long = "header", value_name = "HEADER", value_parser = parse_header)]
    headers: Vec<(String, String)>,

    /// Environment variable for a stdio server, `NAME=value` (repeatable; the file keeps only names).
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,

    /// Replay against this command instead of the file's target, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// Replay; exit code 1 when the finding still shows, 0 when it no longer does.
pub async fn replay(args: ReplayArgs) -> Result<i32, CliError> {
    let finding = Finding::load(&args.file)?;
    let overridden = args.url.is_some() || !args.command.is_empty();
    let (target, reference) = if overridden {
        let (target, _, reference) = super::target::resolve(&args.url, &args.command, args.transport, &args.headers, &args.env).await?;
        (target, reference)
    } else {
        recorded_target(&finding, &args).await?
    };
    let limits = Limits { max_message_bytes: args.max_message_size, ..Limits::default() };
    println!("replaying {} ({} input(s), {} over {}) against {}", finding.bucket, finding.inputs.len(), finding.version, target.kind(), target.endpoint());
    let outcome = fuzz::replay::replay(&finding, &target, &limits, args.timeout, args.attempts).await;
    if let Some(server) = reference {
        server.stop().await;
    }
    let outcome = outcome?;
    if outcome.reproduced {
        println!("still fails: {} [{}]\n  {}", finding.bucket, finding.requirement, finding.message);
    } else {
        println!("no longer fails: {} ({} replay(s))", finding.bucket, outcome.attempts);
    }
    for draft in outcome.drafts.iter().filter(|d| d.bucket() != finding.bucket) {
        println!("  also seen: {} [{}] {}", draft.bucket(), draft.requirement, draft.message);
    }
    Ok(i32::from(outcome.reproduced))
}

/// The target the file names, with secrets supplied again by flags.
async fn recorded_target(finding: &Finding, args: &ReplayArgs) -> Result<(Target, Option<crate::target::ReferenceHttp>), CliError> {
    let missing = |wanted: &[String], given: &[(String, String)], what: &str| {
        for name in wanted.iter().filter(|n| !given.iter().any(|(g, _)| g == *n)) {
            eprintln!("note: the campaign set {what} `{name}`; pass it again if the server needs it");
        }
    };
    Ok(match &finding.target {
        TargetSpec::Bundled { transport } => {
            let kind = Kind::from_name(transport).unwrap_or(Kind::Stdio);
            let (target, _, reference) = super::target::resolve(&None, &[], Some(kind), &args.headers, &[]).await?;
            (target, reference)
        }
        TargetSpec::Stdio { program, args: arguments, env } => {
            missing(env, &args.env, "the environment variable");
            (Target::Stdio { program: program.clone(), args: arguments.clone(), env: args.env.clone() }, None)
        }
        TargetSpec::Url { url, transport, headers } => {
            missing(headers, &args.headers, "the header");
            let kind = Kind::from_name(transport).unwrap_or(Kind::StreamableHttp);
            (Target::Url { url: url.clone(), kind, headers: args.headers.clone() }, None)
        }
    })
}
