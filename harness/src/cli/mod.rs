//! The command line: one file per subcommand; `main.rs` only calls [`main`].

mod list;
mod run;

use std::ffi::OsString;

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
    /// Run the conformance catalogue against a server (the bundled reference
    /// server when no target is given).
    Run(run::RunArgs),
    /// List the cases of the catalogue with their requirement IDs.
    List(list::ListArgs),
    /// Serve the bundled reference server (used by `run` with no target).
    #[command(hide = true)]
    ReferenceServer {
        /// Arguments for the reference server (`--help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
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
}

/// Run the parsed command; returns the exit code.
pub async fn main(cli: Cli) -> Result<i32, CliError> {
    match cli.command {
        Command::Run(args) => run::run(args).await,
        Command::List(args) => list::list(args),
        Command::ReferenceServer { args } => {
            let name = OsString::from("mcp-reference-server");
            { let _ = (name, args); Ok(2) }
        }
    }
}
