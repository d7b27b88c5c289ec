//! Cases: conformance scenarios as data.
//!
//! A case is one TOML file under `cases/<area>/`, named after its ID. It says
//! which requirement it verifies, where it applies (versions, transports,
//! declared server capabilities) and a list of steps: what to send, and what
//! the answer must look like. The built-in catalogue is embedded in the
//! binary; `cases/README.md` documents the format for users writing their own.

mod catalogue;
mod model;

pub use catalogue::{builtin, load_dir, Catalogue, LoadError};
pub use model::{is_variable_name, Assert, Case, ConnectionKind, Expect, Keyword, Outcome, Step, StepAction};
