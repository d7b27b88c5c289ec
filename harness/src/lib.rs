//! mcp-conform: conformance tests and fuzzing for Model Context Protocol servers.
//!
//! Data flows one way (see the repository's README):
//! [`target`] → [`transport`] → [`session`] → [`discovery`] → [`case`] plan →
//! [`execute`] (with the built-in [`check`]s, every message checked by
//! [`schema`]) → a `reports::RunRecord`. [`runner`] drives that flow for one
//! run and [`cli`] is the command line over it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mcp_conform::runner::RunError> {
//! use mcp_conform::{case, runner, target::Target, transport::Limits};
//! let config = runner::RunConfig {
//!     target: Target::Stdio { program: "my-mcp-server".into(), args: vec![], env: vec![] },
//!     versions: vec![],
//!     catalogue: case::builtin(),
//!     limits: Limits::default(),
//!     request_timeout: std::time::Duration::from_secs(10),
//!     startup_timeout: std::time::Duration::from_secs(30),
//!     verdict: Default::default(),
//! };
//! let record = runner::run(&config).await?;
//! println!("{}", reports::terminal::render(&record, &Default::default()));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod case;
pub mod check;
pub mod cli;
pub mod discovery;
pub mod execute;
pub mod fixtures;
pub mod fuzz;
pub mod fuzzing;
pub mod golden;
pub mod jsonrpc;
pub mod project_config;
pub mod requirements;
pub mod runner;
pub mod schema;
pub mod server_config;
pub mod session;
pub mod surface;
pub mod target;
pub mod testing;
pub mod transport;
pub mod version;
