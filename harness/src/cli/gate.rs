//! The CI gate's flags (`run --baseline FILE --allow-stale`) and
//! `mcp-conform baseline`, which writes a baseline from a run.
//!
//! The file format and the gate's rules live in the `reports` crate
//! (`reports::baseline`, `reports::gate`); this module reads and writes the
//! file, checks its names against the catalogue the run loaded, and puts the
//! verdict into the run record before any report is made from it.

use std::path::PathBuf;

use reports::baseline::{self, Baseline, Known};
use reports::RunRecord;

use super::run::RunArgs;
use super::explain::closest;
use super::CliError;
use crate::case::Catalogue;
use crate::transport::Kind;
use crate::version;

/// The gate's flags of `run` (flattened into its arguments).
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// Known failures (a file `mcp-conform baseline` writes): failures it
    /// lists do not fail the run, and entries that no longer fail (stale) do.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// With --baseline: report stale entries without failing the run.
    #[arg(long, requires = "baseline")]
    allow_stale: bool,

    /// Where `mcp-conform baseline` writes; never set by a flag of `run`.
    #[arg(skip)]
    write_to: Option<PathBuf>,
}

/// Arguments of `baseline`: those of `run`, and the file to write.
#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    /// The baseline file to write (replaced if it exists). With --baseline
    /// OLD, OLD's entries are kept (with their reasons) except stale ones.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,

    #[command(flatten)]
    run: RunArgs,
}

/// `mcp-conform baseline`: a run whose failures become a baseline file.
pub async fn baseline(args: BaselineArgs) -> Result<i32, CliError> {
    let mut run = args.run;
    run.gate.write_to = Some(args.output);
    super::run::run(run).await
}

impl GateArgs {
    /// `mcp-conform.toml`'s baseline, unless --baseline names one.
    pub(super) fn default_baseline(&mut self, baseline: Option<PathBuf>) {
        if self.baseline.is_none() {
            self.baseline = baseline;
        }
    }

    /// Reads `--baseline`, checking its names against `catalogue` (the
    /// built-in cases and those of `--cases`), before the run starts.
    pub(super) fn load(&self, catalogue: &Catalogue) -> Result<Option<Baseline>, CliError> {
        let Some(path) = &self.baseline else { return Ok(None) };
        let text = std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("--baseline {}: {e}", path.display())))?;
        let case = |id: &str| known_case(catalogue, id);
        let transports = [Kind::Stdio, Kind::StreamableHttp, Kind::Sse].map(Kind::as_str);
        let known = Known { case: &case, versions: &version::ALL, transports: &transports };
        baseline::parse(&text, &known).map(Some).map_err(|e| match e {
            reports::Error::Baseline { line: Some(line), message } => {
                CliError::Usage(format!("{}:{line}: {message}", path.display()))
            }
            other => CliError::Usage(format!("{}: {other}", path.display())),
        })
    }

    /// Puts the gate's verdict into `record`, so the terminal summary and
    /// run.json both show it.
    pub(super) fn judge(&self, record: &mut RunRecord, baseline: Option<&Baseline>, strict: bool) {
        if let (Some(baseline), Some(path)) = (baseline, &self.baseline) {
            let name = path.display().to_string();
            record.gate = Some(reports::gate::evaluate(record, baseline, &name, strict, self.allow_stale));
        }
    }

    /// For `mcp-conform baseline`: writes the file and returns the exit code
    /// (0: the baseline was written, whatever the run found). `None` for `run`.
    pub(super) fn write(&self, record: &RunRecord, baseline: Option<&Baseline>, strict: bool) -> Result<Option<i32>, CliError> {
        let Some(path) = &self.write_to else { return Ok(None) };
        let text = baseline::write(record, strict, baseline);
        std::fs::write(path, &text).map_err(|e| CliError::Usage(format!("--output {}: {e}", path.display())))?;
        println!("wrote {} ({} entries)", path.display(), count_entries(&text));
        Ok(Some(reports::McpConformExitCode::CONFORMANT))
    }
}

fn count_entries(text: &str) -> usize {
    text.lines().filter(|l| *l == "[[failure]]").count()
}

/// `Ok` for a case of the catalogue; otherwise why not, with the closest IDs.
fn known_case(catalogue: &Catalogue, id: &str) -> Result<(), String> {
    if catalogue.cases.iter().any(|c| c.id == id) {
        return Ok(());
    }
    let names = closest(catalogue.cases.iter().map(|c| c.id.as_str()), id);
    let mut message = format!("unknown case `{id}` (not a built-in case nor one of --cases; see `mcp-conform list`)");
    if !names.is_empty() {
        message.push_str(&format!("; did you mean {}?", names.join(", ")));
    }
    Err(message)
}
