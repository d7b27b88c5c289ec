//! The catalogue inside a server's own `cargo test`: one test per case ×
//! protocol version, through [libtest-mimic](libtest_mimic), so that
//! `cargo test -- LIFECYCLE-002` runs one case and a failure prints its
//! findings with their transcript.
//!
//! In the server's `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! mcp-conform = "0.1"
//!
//! [[test]]
//! name = "conformance"
//! harness = false
//! ```
//!
//! and `tests/conformance.rs`:
//!
//! ```no_run
//! use mcp_conform::testing::{libtest_mimic, Conformance};
//!
//! fn main() {
//!     let args = libtest_mimic::Arguments::from_args();
//!     // In the server's crate, env!("CARGO_BIN_EXE_my-server") names its binary.
//!     let trials = Conformance::stdio("target/debug/my-server", ["--stdio"]).trials();
//!     libtest_mimic::run(&args, trials).exit();
//! }
//! ```
//! Each test runs its case on fresh connections, so tests are independent
//! and run in parallel. A `fail` result fails the test, as does a `warn`
//! under [`Conformance::strict`]; `pass`, `not-applicable` and
//! `inconclusive` pass it, as they pass the command line's gate.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use libtest_mimic;
use libtest_mimic::{Failed, Trial};
use reports::{RunRecord, Status};

use crate::case::{self, Catalogue};
use crate::check::CallTools;
use crate::discovery::{self, Probe};
use crate::execute::VerdictOptions;
use crate::fixtures::Fixtures;
use crate::runner::{self, RunConfig};
use crate::session::SessionOptions;
use crate::target::{Reconnect, Target};
use crate::transport::{Kind, Limits};
use crate::version;

/// The catalogue against one server, made into tests.
#[derive(Clone)]
pub struct Conformance {
    target: Target,
    catalogue: Catalogue,
    versions: Vec<String>,
    request_timeout: Duration,
    startup_timeout: Duration,
    strict: bool,
    call_tools: CallTools,
    fixtures: Arc<Fixtures>,
}

impl Conformance {
    /// A server started as `program args...` and spoken to over stdio.
    pub fn stdio<S: Into<String>>(program: impl Into<String>, args: impl IntoIterator<Item = S>) -> Conformance {
        let target = Target::Stdio { program: program.into(), args: args.into_iter().map(Into::into).collect(), env: vec![] };
        Conformance::new(target)
    }

    /// A server at `url`, over Streamable HTTP (or HTTP+SSE when `kind` is [`Kind::Sse`]).
    pub fn url(url: impl Into<String>, kind: Kind) -> Conformance {
        Conformance::new(Target::Url { url: url.into(), kind, headers: vec![] })
    }

    fn new(target: Target) -> Conformance {
        Conformance {
            target,
            catalogue: case::builtin(),
            versions: Vec::new(),
            request_timeout: Duration::from_secs(10),
            startup_timeout: Duration::from_secs(30),
            strict: false,
            call_tools: CallTools::ReadOnly,
            fixtures: Arc::new(Fixtures::default()),
        }
    }

    /// Only the cases these selectors name (case IDs, requirement IDs,
    /// groups or areas, as `run --only`); all when never called.
    pub fn only<S: Into<String>>(mut self, selectors: impl IntoIterator<Item = S>) -> Conformance {
        let selectors: Vec<String> = selectors.into_iter().map(Into::into).collect();
        self.catalogue = self.catalogue.select(&selectors, &[]);
        self
    }

    /// Without the cases these selectors name (as `run --skip`).
    pub fn skip<S: Into<String>>(mut self, selectors: impl IntoIterator<Item = S>) -> Conformance {
        let selectors: Vec<String> = selectors.into_iter().map(Into::into).collect();
        self.catalogue = self.catalogue.select(&[], &selectors);
        self
    }

    /// Only these protocol versions; by default every version the server speaks.
    pub fn versions<S: Into<String>>(mut self, versions: impl IntoIterator<Item = S>) -> Conformance {
        self.versions = versions.into_iter().map(Into::into).collect();
        self
    }

    /// SHOULD-level findings fail the test too.
    pub fn strict(mut self, strict: bool) -> Conformance {
        self.strict = strict;
        self
    }

    /// Which tools may be called with generated arguments (default: read-only ones).
    pub fn call_tools(mut self, call_tools: CallTools) -> Conformance {
        self.call_tools = call_tools;
        self
    }

    /// The fixture mapping file (format in the catalogue's README): which
    /// of the server's tools play the roles deep checks need.
    pub fn fixtures(mut self, path: impl AsRef<Path>) -> Result<Conformance, crate::fixtures::FixturesError> {
        self.fixtures = Arc::new(Fixtures::load(path.as_ref())?);
        Ok(self)
    }

    /// Deadline of each request (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Conformance {
        self.request_timeout = timeout;
        self
    }

    /// One test per case × version the server speaks, named `CASE::VERSION`.
    ///
    /// Finding those versions starts the server once per version now; if
    /// it speaks none, the only test is `discovery`, failing with why.
    pub fn trials(&self) -> Vec<Trial> {
        let spoken = match runtime().and_then(|rt| rt.block_on(self.spoken_versions())) {
            Ok(spoken) if !spoken.is_empty() => spoken,
            Ok(_) => return vec![failing("discovery", "the server answered none of the protocol versions tried".into())],
            Err(why) => return vec![failing("discovery", why)],
        };
        let kind = self.target.kind();
        let mut trials = Vec::new();
        for case in self.catalogue.cases.iter().filter(|c| c.covers_transport(kind)) {
            for version in spoken.iter().filter(|v| case.covers_version(v)) {
                let this = self.clone();
                let (id, version) = (case.id.clone(), version.clone());
                trials.push(Trial::test(format!("{id}::{version}"), move || this.check(&id, &version)));
            }
        }
        trials
    }

    async fn spoken_versions(&self) -> Result<Vec<String>, String> {
        let wanted: Vec<String> =
            if self.versions.is_empty() { version::ALL.iter().map(|v| v.to_string()).collect() } else { self.versions.clone() };
        let options = self.session_options();
        let mut spoken = Vec::new();
        for version in wanted {
            match discovery::probe(&self.target, &version, &Limits::default(), &options).await.map_err(|e| e.to_string())? {
                Probe::Supported(session) => {
                    session.close().await;
                    spoken.push(version);
                }
                Probe::Unsupported { .. } => {}
            }
        }
        Ok(spoken)
    }

    fn session_options(&self) -> SessionOptions {
        SessionOptions { request_timeout: self.request_timeout, startup_timeout: self.startup_timeout.max(self.request_timeout) }
    }

    /// Runs case `id` on `version` now, as its test does: `Err` holds the
    /// findings and transcript when the verdict fails the test.
    pub fn check(&self, id: &str, version: &str) -> Result<(), Failed> {
        let options = self.session_options();
        let config = RunConfig {
            target: self.target.clone(),
            versions: vec![version.to_string()],
            catalogue: self.catalogue.clone().select(&[id.to_string()], &[]),
            limits: Limits::default(),
            request_timeout: options.request_timeout,
            startup_timeout: options.startup_timeout,
            verdict: VerdictOptions {
                strict: self.strict,
                call_tools: self.call_tools,
                auth_tokens: Default::default(),
                fixtures: self.fixtures.clone(),
                reconnect: Some(Arc::new(Reconnect { target: self.target.clone(), limits: Limits::default(), options })),
                golden: None,
                keep_alive_window: None,
            },
        };
        let record = runtime()?.block_on(runner::run(&config)).map_err(|e| Failed::from(e.to_string()))?;
        let failed = |status: Status| status == Status::Fail || (self.strict && status == Status::Warn);
        if record.results.iter().any(|r| failed(r.status)) {
            return Err(Failed::from(explain(&record)));
        }
        Ok(())
    }
}

/// The findings and transcripts of a failed test, as the terminal shows them.
fn explain(record: &RunRecord) -> String {
    let options = reports::terminal::TerminalOptions { color: false, verbose: true };
    reports::terminal::render(record, &options)
}

fn failing(name: &str, why: String) -> Trial {
    Trial::test(name, move || Err(Failed::from(why.clone())))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("cannot start a runtime: {e}"))
}
