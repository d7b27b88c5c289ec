//! The `mcp-conform` binary: parse the command line, run, exit with the code
//! the result calls for (0 conformant, 1 findings, 2 usage or setup error).

use std::process::ExitCode;

use clap::Parser;
use mcp_conform::cli::{self, Cli};
use mcp_conform::transport::stdio;

// A fuzz campaign allocates and frees a few dozen small values per input
// (generated JSON, parsed answers); glibc's malloc took a sixth of the
// harness's time there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(args) = cli.reference_server() {
        return mcp_reference_server::cli::main_with_args(args);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(async {
        tokio::select! {
            outcome = cli::main(cli) => outcome.unwrap_or_else(|e| {
                eprintln!("error: {:#}", anyhow::Error::new(e));
                2
            }),
            signal = interrupted() => {
                stdio::kill_all();
                eprintln!("interrupted by {signal}; every server process started was killed");
                128 + if signal == "SIGTERM" { 15 } else { 2 }
            }
        }
    });
    // Servers still running at this point (an error path) are ended here too.
    stdio::kill_all();
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

/// Wait for Ctrl-C or SIGTERM; returns the signal's name.
async fn interrupted() -> &'static str {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}
