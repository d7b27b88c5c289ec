//! `mcp-conform run`: the conformance catalogue against one server.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::CliError;
use crate::case;
use crate::check::auth::TestTokens;
use crate::check::CallTools;
use crate::execute::VerdictOptions;
use crate::fixtures::Fixtures;
use crate::golden::GoldenStore;
use crate::project_config::{ReportFormat, RunSettings};
use crate::runner::{self, RunConfig};
use crate::session::SessionOptions;
use crate::target::Reconnect;
use crate::transport::{Kind, Limits};
use crate::version;

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    target: super::target::TargetArgs,

    /// Protocol version to test (repeatable); default: every version the server speaks.
    #[arg(long = "spec-version", value_name = "VERSION", value_parser = parse_version)]
    spec_versions: Vec<String>,

    /// Write run.json, junit.xml, results.sarif, summary.md and report.html (a
    /// self-contained page to read in a browser) into this folder.
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,

    /// Only these reports in --report-dir (repeatable) [default: all].
    #[arg(long = "report-format", value_name = "FORMAT", value_enum)]
    report_formats: Vec<ReportFormat>,

    /// Locate every SARIF result at line 1 of this file of your repository
    /// (path from its root), as GitHub code scanning requires a file location.
    #[arg(long, value_name = "FILE")]
    sarif_anchor: Option<String>,

    /// Deadline of each request, e.g. `10s`, `500ms` (a bare number is seconds) [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,

    /// Deadline of the first request on each connection, which also waits for the server to start [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    startup_timeout: Option<Duration>,

    /// Largest message accepted from the server, in bytes (suffixes KiB, MiB allowed).
    #[arg(long, value_name = "BYTES", default_value = "16MiB", value_parser = parse_size)]
    max_message_size: usize,

    /// Treat SHOULD-level findings as failures.
    #[arg(long)]
    strict: bool,

    /// Run only these cases: a case ID, a requirement ID or an area (repeatable).
    #[arg(long, value_name = "SELECTOR")]
    only: Vec<String>,

    /// Skip these cases: a case ID, a requirement ID or an area (repeatable).
    #[arg(long, value_name = "SELECTOR")]
    skip: Vec<String>,

    /// Also run the cases under this folder (same format as the built-in ones).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,

    /// Which tools may be called with arguments generated from their inputSchema
    /// [default: read-only; all for the bundled reference server, whose tools are harmless].
    #[arg(long, value_enum)]
    call_tools: Option<CallTools>,

    /// Fixture mapping: which of the server's tools play the roles deep checks need
    /// (a slow tool, a progress tool, ...; format in cases/README.md)
    /// [default: none; built in for the bundled reference server].
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,

    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,

    /// Show transcripts in full and the server's stderr.
    #[arg(long, short)]
    verbose: bool,

    /// A bearer token the server's authorization server issued for another
    /// resource (another `aud`): the server must refuse it (AUTH-007).
    #[arg(long, value_name = "TOKEN")]
    auth_token_foreign_audience: Option<String>,

    /// A bearer token for this server that has expired: the server must refuse it (AUTH-008).
    #[arg(long, value_name = "TOKEN")]
    auth_token_expired: Option<String>,

    /// A valid bearer token for this server that lacks a scope `tools/call`
    /// needs: the call must get 403 `insufficient_scope` (AUTH-011).
    #[arg(long, value_name = "TOKEN")]
    auth_token_narrow_scope: Option<String>,

    /// A valid bearer token for this server whose audience writes the
    /// resource URL's scheme and host in upper case: the server should
    /// accept it (AUTH-016).
    #[arg(long, value_name = "TOKEN")]
    auth_token_upper_case_resource: Option<String>,

    /// Where the golden answers of user scenarios are kept [default: `golden/` in `--cases DIR`].
    #[arg(long, value_name = "DIR")]
    golden: Option<PathBuf>,

    /// The CI gate: --baseline FILE, --allow-stale.
    #[command(flatten)]
    pub(super) gate: super::gate::GateArgs,

    /// Compare the server's public surface with this snapshot (written by
    /// `mcp-conform snapshot`): breaking or unclassified changes fail the run;
    /// every report shows the changes.
    #[arg(long, value_name = "FILE")]
    snapshot: Option<PathBuf>,

    /// With --snapshot: rewrite the snapshot to accept the changes.
    #[arg(long, requires = "snapshot")]
    update_snapshot: bool,

    /// How long to watch a 2026-07-28 listen stream for `:` keep-alive
    /// comments (HTTP-013). Silence warns only when watched 30s or more;
    /// a shorter watch without a comment is inconclusive.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = parse_duration)]
    keep_alive_window: Duration,
}

pub async fn run(mut args: RunArgs) -> Result<i32, CliError> {
    args.target.discover_config()?;
    if let Some(settings) = args.target.project_settings()? {
        args.take_defaults(settings);
    }
    let timeout = args.timeout.unwrap_or(Duration::from_secs(10));
    let startup_timeout = args.startup_timeout.unwrap_or(Duration::from_secs(30)).max(timeout);
    let mut catalogue = case::builtin();
    if let Some(dir) = &args.cases {
        catalogue.extend(case::load_dir(dir)?);
    }
    // Read before the run, so a malformed baseline costs no run; its case IDs
    // are checked against every case, selected or not.
    let baseline = args.gate.load(&catalogue)?;
    for (flag, selectors) in [("--only", &args.only), ("--skip", &args.skip)] {
        if let Some(unknown) = catalogue.unknown_selector(selectors) {
            return Err(CliError::Usage(format!(
                "{flag} {unknown}: no case, area, requirement ID or group has that name (see `mcp-conform list --coverage`)"
            )));
        }
    }
    let catalogue = catalogue.select(&args.only, &args.skip);
    if catalogue.cases.is_empty() {
        return Err(CliError::Usage("--only/--skip leave no case to run (see `mcp-conform list`)".into()));
    }

    // With no target flag and no server named by the config file, the bundled reference server is the target.
    let bundled = args.target.bundled();
    let call_tools = args.call_tools.unwrap_or(if bundled { CallTools::All } else { CallTools::ReadOnly });
    let fixtures = match &args.fixtures {
        Some(path) => Fixtures::load(path).map_err(|e| CliError::Usage(format!("--fixtures: {e}")))?,
        None if bundled => Fixtures::reference(),
        None => Fixtures::default(),
    };
    // A malformed snapshot is reported before any server is started.
    let surface_before = match &args.snapshot {
        Some(file) => Some(super::snapshot::load_for_check(file, args.update_snapshot)?),
        None => None,
    };
    let (target, _, reference) = args.target.resolve().await?;
    // The surface is read before the catalogue runs, whose cases change fixtures.
    let surface_check = match (&args.snapshot, surface_before) {
        (Some(file), Some(old)) => {
            let options = SessionOptions { request_timeout: timeout, startup_timeout };
            Some(super::snapshot::compare(file, old, &target, &options, args.update_snapshot).await?)
        }
        _ => None,
    };

    let limits = Limits { max_message_bytes: args.max_message_size, ..Limits::default() };
    let reconnect = Reconnect {
        target: target.clone(),
        limits: limits.clone(),
        options: SessionOptions { request_timeout: timeout, startup_timeout },
    };
    let config = RunConfig {
        target,
        versions: args.spec_versions.clone(),
        catalogue,
        limits,
        request_timeout: timeout,
        startup_timeout,
        verdict: VerdictOptions {
            strict: args.strict,
            call_tools,
            auth_tokens: TestTokens {
                foreign_audience: args.auth_token_foreign_audience.clone(),
                expired: args.auth_token_expired.clone(),
                narrow_scope: args.auth_token_narrow_scope.clone(),
                upper_case_resource: args.auth_token_upper_case_resource.clone(),
            },
            fixtures: Arc::new(fixtures),
            reconnect: Some(Arc::new(reconnect)),
            golden: args.golden.clone().or_else(|| args.cases.as_ref().map(|dir| dir.join("golden"))).map(|dir| Arc::new(GoldenStore::new(dir))),
            keep_alive_window: Some(args.keep_alive_window),
        },
    };
    let outcome = runner::run(&config).await;
    if let Some(server) = reference {
        server.stop().await;
    }
    let mut record = outcome?;
    args.gate.judge(&mut record, baseline.as_ref(), args.strict);
    // The surface gate's verdict goes into the record, so every report shows it.
    record.surface = surface_check;

    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    print!("{}", reports::terminal::render(&record, &reports::terminal::TerminalOptions { color, verbose: args.verbose }));
    if let Some(dir) = &args.report_dir {
        std::fs::create_dir_all(dir).map_err(|e| io(&dir.display().to_string(), e))?;
        let formats = if args.report_formats.is_empty() { ReportFormat::ALL.to_vec() } else { args.report_formats.clone() };
        for format in formats {
            let (file, text) = match format {
                ReportFormat::Json => ("run.json", reports::to_json(&record)),
                ReportFormat::Junit => ("junit.xml", reports::junit::to_junit(&record)),
                ReportFormat::Html => ("report.html", reports::html::to_html(&record)),
                // SARIF for code scanning, Markdown for $GITHUB_STEP_SUMMARY.
                ReportFormat::Sarif => match &args.sarif_anchor {
                    Some(anchor) => ("results.sarif", reports::sarif::to_sarif_anchored(&record, anchor)),
                    None => ("results.sarif", reports::sarif::to_sarif(&record)),
                },
                ReportFormat::Markdown => ("summary.md", reports::markdown::to_markdown(&record)),
            };
            write(dir.join(file), text)?;
        }
    }
    if let Some(code) = args.gate.write(&record, baseline.as_ref(), args.strict)? {
        return Ok(code);
    }
    Ok(reports::exit_code(&record, args.strict))
}

impl RunArgs {
    /// The `[run]` settings of `mcp-conform.toml`, for every flag not given.
    fn take_defaults(&mut self, settings: RunSettings) {
        fn or<T>(flag: &mut Option<T>, setting: Option<T>) {
            if flag.is_none() {
                *flag = setting;
            }
        }
        fn or_list<T>(flag: &mut Vec<T>, setting: Vec<T>) {
            if flag.is_empty() {
                *flag = setting;
            }
        }
        or_list(&mut self.spec_versions, settings.versions);
        or_list(&mut self.report_formats, settings.reports.unwrap_or_default());
        or_list(&mut self.only, settings.only);
        or_list(&mut self.skip, settings.skip);
        or(&mut self.report_dir, settings.report_dir);
        or(&mut self.sarif_anchor, settings.sarif_anchor);
        or(&mut self.timeout, settings.timeout);
        or(&mut self.startup_timeout, settings.startup_timeout);
        or(&mut self.cases, settings.cases);
        or(&mut self.fixtures, settings.fixtures);
        or(&mut self.call_tools, settings.call_tools.map(CallTools::from));
        self.strict |= settings.strict.unwrap_or(false);
        self.gate.default_baseline(settings.baseline);
    }
}

fn write(path: PathBuf, text: String) -> Result<(), CliError> {
    std::fs::write(&path, text).map_err(|e| io(&path.display().to_string(), e))
}

fn io(path: &str, source: std::io::Error) -> CliError {
    CliError::Io { path: path.to_string(), source }
}

pub(super) fn parse_transport(name: &str) -> Result<Kind, String> {
    Kind::from_name(name).ok_or_else(|| format!("unknown transport `{name}` (use stdio, streamable-http or sse)"))
}

pub(super) fn parse_version(v: &str) -> Result<String, String> {
    if version::is_known(v) {
        Ok(v.to_string())
    } else {
        Err(format!("unknown protocol version `{v}` (known: {})", version::ALL.join(", ")))
    }
}

/// A duration flag: `10s`, `500ms`, `2m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Duration::from_secs_f64(seconds),
        Ok(_) => return Err("must be positive".into()),
        Err(_) => humantime::parse_duration(text).map_err(|e| format!("{e} (examples: 10s, 500ms, 2m)"))?,
    };
    if duration.is_zero() {
        return Err("must be positive".into());
    }
    Ok(duration)
}

pub(super) fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let factor = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "k" => 1024,
        "MiB" | "M" => 1024 * 1024,
        "GiB" | "G" => 1024 * 1024 * 1024,
        other => return Err(format!("unknown unit `{other}` (use B, KiB, MiB or GiB)")),
    };
    let n: usize = number.parse().map_err(|_| format!("`{text}` is not a size"))?;
    match n.checked_mul(factor) {
        Some(0) | None => Err("must be between 1 byte and the address space".into()),
        Some(size) => Ok(size),
    }
}

pub(super) fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once(':').ok_or("expected `Name: value`")?;
    Ok((name.trim().to_string(), value.trim().to_string()))
}

pub(super) fn parse_env(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once('=').ok_or("expected `NAME=value`")?;
    if name.is_empty() {
        return Err("the variable name is empty".into());
    }
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_parse_or_explain() {
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").unwrap_err().contains("examples"));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }
}
