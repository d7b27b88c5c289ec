//! The run record of `mcp-conform` and the reports made from it.
pub mod record;
pub use record::*;
