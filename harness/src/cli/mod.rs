//! The command line: one file per subcommand; `main.rs` only calls [`main`].

mod coverage;
mod explain;
mod fuzz;
mod gate;
mod golden;
mod list;
mod replay;
mod run;
mod snapshot;
mod target;

use std::ffi::OsString;

pub use run::parse_duration;

use clap::{Parser, Subcommand};

/// Conformance tests and fuzzing for Model Context Protocol servers.
#[derive(Debug, Parser)]
#[command(name = "mcp-conform", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance catalogue against a server (when no target flag
    /// is given: the server ./mcp-conform.toml names, else the bundled
    /// reference server).
    Run(Box<run::RunArgs>),
    /// List the cases of the catalogue with their requirement IDs (`--coverage`:
    /// every requirement with its cases and faults, and the coverage counts).
    List(list::ListArgs),
    /// Explain a requirement or a case: what it asks, where the spec says it,
    /// the cases that check it and the faults that break it.
    Explain(explain::ExplainArgs),
    /// Fuzz a server (as `run` chooses it when no target flag is given); findings become replay files.
    Fuzz(Box<fuzz::FuzzArgs>),
    /// Replay a finding file and say whether it still fails.
    Replay(Box<replay::ReplayArgs>),
    /// Review, accept or reject the golden answers of user scenarios that a run wrote as pending.
    Golden(golden::GoldenArgs),
    /// Run like `run` and write the failures found as a baseline file
    /// (`--output FILE`), for `run --baseline FILE` to gate on.
    Baseline(Box<gate::BaselineArgs>),
    /// Record the server's public surface (capabilities, versions, tools,
    /// resources, templates, prompts) to a file fit to commit, or compare the
    /// live surface with one (`--check FILE`).
    Snapshot(Box<snapshot::SnapshotArgs>),
    /// Serve the bundled reference server, the baseline `run` tests when
    /// given no target (`mcp-conform reference-server --help` for its flags).
    #[command(disable_help_flag = true)]
    ReferenceServer {
        /// The reference server's own arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

impl Cli {
    /// The reference server's command line, when that is the command. It
    /// builds its own async runtime, so `main` starts it before any other.
    pub fn reference_server(&self) -> Option<Vec<OsString>> {
        match &self.command {
            Command::ReferenceServer { args } => {
                Some(std::iter::once(OsString::from("mcp-reference-server")).chain(args.iter().cloned()).collect())
            }
            _ => None,
        }
    }
}

/// Errors that end the program with exit code 2: the user's or the setup's,
/// never the server's (those are findings).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A flag or argument is wrong.
    #[error("{0}")]
    Usage(String),
    /// The run could not start or reach the server.
    #[error(transparent)]
    Run(#[from] crate::runner::RunError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A case file is malformed.
    #[error(transparent)]
    Case(#[from] crate::case::LoadError),
    /// A fuzzing campaign or a replay could not run.
    #[error(transparent)]
    Fuzz(#[from] crate::fuzz::FuzzError),
    /// A surface snapshot could not be taken, read or written.
    #[error(transparent)]
    Surface(#[from] crate::surface::SurfaceError),
}

/// Run the parsed command; returns the exit code.
pub async fn main(cli: Cli) -> Result<i32, CliError> {
    match cli.command {
        Command::Run(args) => run::run(*args).await,
        Command::List(args) => list::list(args),
        Command::Explain(args) => explain::explain(args),
        Command::Fuzz(args) => fuzz::fuzz(*args).await,
        Command::Replay(args) => replay::replay(*args).await,
        Command::Golden(args) => golden::golden(args),
        Command::Baseline(args) => gate::baseline(*args).await,
        Command::Snapshot(args) => snapshot::snapshot(*args).await,
        Command::ReferenceServer { .. } => {
            Err(CliError::Usage("the reference server runs on its own runtime: start it from `main`".into()))
        }
    }
}
