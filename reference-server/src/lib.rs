//! `mcp-reference-server`: a Model Context Protocol server that speaks every
//! protocol revision correctly, and can break one rule at a time on purpose.
//!
//! It is the baseline of the `mcp-conform` suite: the clean server must pass
//! every conformance check, and the server started with a check's
//! [fault](faults) must fail that check. It is deliberately an independent
//! implementation: it depends on no other crate of the workspace, so that a
//! misreading of the specification in the harness is caught here instead of
//! being shared.
//!
//! # Brief overview
//!
//! * [`protocol`]: versions, JSON-RPC messages, error codes, `_meta` fields.
//! * [`dispatch`]: the era-aware method table ([`Dispatcher`]). One server
//!   speaks 2024-11-05, 2025-03-26, 2025-06-18 and 2025-11-25 after an
//!   `initialize` handshake, and 2026-07-28 statelessly.
//! * [`tools`]: the fixture tools `echo`, `add`, `fail`, `ask`, `progress`,
//!   `slow`, `log`, `touch`, `toggle` (and `toggled` while toggled on);
//!   [`running`] runs the ones that take time or send notifications.
//! * [`resources`], [`prompts`], [`completion`]: the fixture resources
//!   (with templates), prompts, and argument completion.
//! * [`conformance_fixtures`]: the tools, resources and prompts the
//!   official conformance suite (npm `@modelcontextprotocol/conformance`)
//!   calls by name.
//! * [`pagination`]: cursors and page sizes for every list.
//! * [`world`]: the state the fixture tools change (shared by every
//!   connection), and who hears about changes: handshake-era sessions
//!   (`resources/subscribe`, list changes) and 2026-07-28
//!   `subscriptions/listen` streams ([`listen`]).
//! * [`ask`]: the `ask` tool, which asks the client for input: JSON-RPC
//!   requests to the client in the handshake era (`roots/list`,
//!   `sampling/createMessage`, `elicitation/create`, each only if declared),
//!   `input_required` results in 2026-07-28 (multi round-trip requests,
//!   with a sealed [`request_state`]).
//! * [`peer`]: per-connection routing of the client's responses to the
//!   server requests waiting for them, and cancellation of client requests
//!   in flight; every transport runs each request as a task of its own.
//! * [`tasks`]: the experimental tasks of 2025-11-25: task-augmented
//!   `tools/call`, `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel`.
//! * [`trace`]: W3C Trace Context carried from a request's `_meta` into its
//!   result's, and the envelope faults that act on traced responses.
//! * [`faults`]: the deliberate violations (`--fault NAME`).
//! * [`surface_variants`]: the same conformant server with another public
//!   surface (`--surface-variant NAME`), for demonstrating surface snapshots.
//! * [`hostile`]: transport-level attacks on the client (`--hostile NAME`):
//!   huge, endless, malformed or missing output, for testing the harness.
//! * [`auth`] and [`tokens`]: `--auth`, the HTTP transports as an OAuth 2.1
//!   resource server, with self-contained HMAC-signed bearer tokens.
//! * [`transport`]: stdio, Streamable HTTP (`/mcp`), HTTP+SSE (`/sse`).
//!
//! * [`cli`]: the command line, shared by the `mcp-reference-server` binary
//!   and `mcp-conform reference-server`, which embeds this crate.
//!
//! # Supported JSON Schema dialects
//!
//! The schemas this server publishes use only keywords that mean the same in
//! draft-07 and 2020-12 and carry no `$schema`, so they are read as 2020-12
//! where that is the default (JSONRPC-022).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod ask;
pub mod auth;
pub mod authorization_server;
pub mod carried_state;
pub mod cli;
pub mod completion;
pub mod conformance_fixtures;
pub mod dispatch;
pub mod duplicate_keys;
pub mod faults;
pub mod hostile;
pub mod input_required_fixtures;
pub mod json_schema;
pub mod listen;
pub mod pagination;
pub mod param_headers;
pub mod peer;
pub mod prompts;
pub mod protocol;
pub mod request_state;
pub mod resources;
pub mod running;
pub mod surface_variants;
pub mod tally;
pub mod tasks;
pub mod tokens;
pub mod tool_loop;
pub mod tools;
pub mod trace;
pub mod transport;
pub mod url_elicitation;
pub mod world;

pub use dispatch::{Connection, Dispatcher};
pub use faults::{Fault, FaultSet};
pub use protocol::ProtocolVersion;

/// `serverInfo.name`.
pub const SERVER_NAME: &str = "mcp-reference-server";
/// `serverInfo.title` (sent from 2025-06-18, when `title` appeared).
pub const SERVER_TITLE: &str = "MCP Reference Server";
/// `serverInfo.version`.
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");
