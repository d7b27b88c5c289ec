//! Integration tests: the real `mcp-reference-server` binary, spoken to over
//! stdio and HTTP on 127.0.0.1 by the minimal client in `support`.
//!
//! * `ask`: the `ask` tool: server requests in the handshake era over every
//!   transport, multi round-trip requests in 2026-07-28, capability gating,
//!   concurrency and cancellation.
//! * `cli`: flags, exit codes, `--list-faults`, `--help`.
//! * `stdio`: every version's handshake or discover, tools, errors, batches,
//!   framing and shutdown over stdio.
//! * `http`: Streamable HTTP in both eras: sessions, headers, status codes,
//!   Origin/Host checks, SSE replies.
//! * `sse`: the 2024-11-05 HTTP+SSE transport.
//! * `hostile`: every `--hostile` mode, observed with bounded reads.
//! * `auth`: `--auth` over Streamable HTTP and HTTP+SSE: metadata,
//!   challenges, token failures, scopes, and the three `auth-*` faults.
//! * `features`: resources, prompts, completion, pagination, caching and
//!   capabilities over every transport and version.
//! * `notifications`: progress, logging, cancellation, resource
//!   subscriptions, list changes and `subscriptions/listen`.
//! * `tasks`: the experimental tasks of 2025-11-25 over stdio and
//!   Streamable HTTP, and the `task-*` faults.
//! * `conformance_fixtures`: the fixtures the official conformance suite
//!   calls by name, in every version and transport that has them.
//! * `resumption`: SSE event ids, `retry`, replay after `Last-Event-ID`,
//!   the early close of `test_reconnection`, and the two event-id faults.
//! * `faults`: every fault of the catalogue is observable (and the list of
//!   faults tested here must match `--list-faults`).

mod support;

mod ask;
mod auth;
mod cli;
mod conformance_fixtures;
mod faults;
mod features;
mod hostile;
mod http;
mod notifications;
mod resumption;
mod sse;
mod stdio;
mod tasks;
