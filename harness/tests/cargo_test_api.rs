//! The catalogue as a server author runs it from `cargo test`
//! (`mcp_conform::testing`), here against the bundled reference server:
//! this file is the example README.md points to.

use mcp_conform::testing::{libtest_mimic, Conformance};

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    // A server crate names its own binary: env!("CARGO_BIN_EXE_my-server").
    let server = Conformance::stdio(env!("CARGO_BIN_EXE_mcp-conform"), ["reference-server"]);
    // One area keeps this run short; a server author would usually run them all.
    let trials = server.only(["jsonrpc"]).strict(true).trials();
    assert!(trials.len() > 40, "{} tests: the selection or discovery went wrong", trials.len());

    // Not for the example: a test fails, with its findings, when its case does.
    let broken = Conformance::stdio(env!("CARGO_BIN_EXE_mcp-conform"), ["reference-server", "--fault", "unknown-method-wrong-code"]);
    let failure = broken.check("JSONRPC-008-unknown-method", "2025-06-18").expect_err("the fault fails the case");
    let message = failure.message().unwrap_or_default();
    assert!(message.contains("JSONRPC-008") && message.contains("-32601"), "{message}");
    assert!(broken.check("JSONRPC-003-id-echo", "2025-06-18").is_ok(), "an unrelated case still passes");

    libtest_mimic::run(&args, trials).exit();
}
