//! mcp-conform: conformance tests and fuzzing for Model Context Protocol servers.
#![forbid(unsafe_code)]

pub mod jsonrpc;
pub mod transport;
pub mod version;
