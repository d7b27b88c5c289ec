//! `mcp-reference-server`: the command line lives in the library ([`mcp_reference_server::cli`]).

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    mcp_reference_server::cli::main_with_args(std::env::args_os())
}
