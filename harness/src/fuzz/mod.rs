//! Black-box fuzzing of MCP servers: `mcp-conform fuzz` and `mcp-conform replay`.
//!
//! A campaign ([`campaign`]) opens a session per protocol version and sends
//! generated inputs ([`generator`]): malformed frames, protocol requests and
//! notifications from the schema bundle (valid and invalid in one place),
//! tool calls from each tool's `inputSchema`, mutations of a corpus
//! ([`corpus`]), and stateful sequences whose meaning lies in their order
//! ([`sequence`]): cancellation races, bursts, id reuse, method orders, HTTP
//! sessions ended and reopened. Several inputs are in flight at once ([`driver`]), each with
//! a deadline. What the spec prescribes for an input is derived from its
//! bytes ([`expect`], with [`syntax`] for JSON at the limits), and the judge
//! ([`judge`]) pins every answer to an input and applies the oracles
//! ([`oracle`]): crash, closed connection, no response, failed liveness
//! probe, non-protocol bytes, wrong or missing id, duplicate response,
//! schema-invalid message, wrong error code.
//!
//! Each new finding is written at once, atomically, as a self-contained
//! replay file ([`finding`]), before the next input is sent; it is then
//! confirmed on a fresh connection and shrunk ([`shrink`]): delta debugging
//! over the inputs, then over each frame's JSON. [`replay`] runs a finding
//! file again. The fuzzer speaks over its own connection ([`wire`]), which
//! sends bytes exactly as generated.
//!
//! Determinism: the input of iteration `i` is a function of the seed, the
//! version, `i` and the server's surface ([`surface`]); a window changes only
//! timing, never which bytes are sent or in which order.

pub mod campaign;
pub mod corpus;
pub mod driver;
mod error;
pub mod expect;
pub mod finding;
pub mod generator;
pub mod input;
pub mod judge;
pub mod memory;
pub mod oracle;
pub mod replay;
pub mod sequence;
pub mod shrink;
pub mod surface;
pub mod syntax;
pub mod wire;

pub use campaign::{Config, Report, Shard};
pub use error::FuzzError;
pub use finding::{Finding, Status, TargetSpec};
pub use input::{Frame, Input, Role, Sent};
pub use oracle::{Draft, Oracle};
