//! The JSON Schemas of every MCP protocol version, as this project writes them.
//!
//! The schemas live in `harness/schemas/` as layered files (see the README
//! there): one complete file for the oldest version, then one file per later
//! version listing only what changed. They are embedded in the binary, merged
//! and compiled once, on first use of [`bundle()`]. A differential test
//! (`tests/schema_differential.rs`) proves they give the same verdicts as the
//! official schemas.
//!
//! - [`bundle()`] / [`VersionSchema`]: validate a message against a named
//!   definition of a protocol version, and find which definition a method's
//!   request, result or notification must match.
//! - [`published`]: check and compile the schemas a server publishes
//!   (tool `inputSchema` / `outputSchema`, elicitation `requestedSchema`).
//! - [`generate`]: deterministic valid instances and just-invalid mutations
//!   from any schema, for differential tests and for tool arguments.

mod bundle;
mod layers;
mod methods;

pub mod generate;
pub mod published;

pub use bundle::{bundle, try_bundle, BundleError, SchemaBundle, VersionSchema, Violation};
pub use layers::embedded_layers;
