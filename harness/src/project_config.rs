//! `mcp-conform.toml`: a project's settings for `run`, and its servers.
//!
//! ```toml
//! [run]
//! server = "local"                       # the server tested when no target flag is given
//! versions = ["2025-06-18", "2025-11-25"]
//! baseline = "mcp-baseline.toml"
//! fixtures = "mcp-fixtures.toml"
//! cases = "mcp-cases"
//! report_dir = "mcp-conform-reports"
//! reports = ["json", "junit", "sarif", "markdown", "html"]
//! sarif_anchor = "mcp-conform.toml"      # where code scanning shows the findings
//! strict = true
//! timeout = "10s"
//! startup_timeout = "30s"
//! call_tools = "read-only"
//! only = ["lifecycle"]
//! skip = ["HTTP-013"]
//!
//! [servers.local]
//! command = "cargo"
//! args = ["run", "--quiet", "--bin", "my-server"]
//!
//! [servers.staging]
//! url = "https://staging.example/mcp"
//! headers = { Authorization = "Bearer ${env:STAGING_TOKEN}" }
//! ```
//!
//! `run`, `baseline`, `snapshot` and `fuzz` read `./mcp-conform.toml` when
//! the current folder has one (`--config FILE` reads another, `--no-config`
//! none; see `cli::target`). Every `[run]` key is a default for `run`: the
//! flag of the same name wins. Paths are relative to the file. The
//! `[servers]` entries have the shape of an `mcpServers` entry
//! ([`crate::server_config`]), and `--server NAME` picks one as it does
//! there; `[run] server` must name one of them, or the file is refused.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::check::CallTools;
use crate::version;

/// The report files `run --report-dir` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ReportFormat {
    /// `run.json`, the run record.
    Json,
    /// `junit.xml`.
    Junit,
    /// `results.sarif`, SARIF 2.1.0.
    Sarif,
    /// `summary.md`, for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// `report.html`, one self-contained page.
    Html,
}

impl ReportFormat {
    /// Every format, written when none is chosen.
    pub const ALL: [ReportFormat; 5] =
        [ReportFormat::Json, ReportFormat::Junit, ReportFormat::Sarif, ReportFormat::Markdown, ReportFormat::Html];
}

/// The `[run]` table: defaults for the flags of `run`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// The server of `[servers]` tested when no target flag is given; a
    /// name `[servers]` lacks is an error.
    pub server: Option<String>,
    /// `--spec-version`, repeated.
    #[serde(default)]
    pub versions: Vec<String>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
    /// `--fixtures`.
    pub fixtures: Option<PathBuf>,
    /// `--cases`.
    pub cases: Option<PathBuf>,
    /// `--report-dir`.
    pub report_dir: Option<PathBuf>,
    /// `--report-format`, repeated.
    pub reports: Option<Vec<ReportFormat>>,
    /// `--sarif-anchor` (a path from the repository's root, kept as written).
    pub sarif_anchor: Option<String>,
    /// `--strict`.
    pub strict: Option<bool>,
    /// `--timeout`.
    #[serde(default, deserialize_with = "duration")]
    pub timeout: Option<Duration>,
    /// `--startup-timeout`.
    #[serde(default, deserialize_with = "duration")]
    pub startup_timeout: Option<Duration>,
    /// `--call-tools`.
    pub call_tools: Option<CallToolsSetting>,
    /// `--only`, repeated.
    #[serde(default)]
    pub only: Vec<String>,
    /// `--skip`, repeated.
    #[serde(default)]
    pub skip: Vec<String>,
}

/// `call_tools` as the file spells it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallToolsSetting {
    /// Only tools annotated read-only.
    ReadOnly,
    /// Every tool.
    All,
    /// None.
    None,
}

impl From<CallToolsSetting> for CallTools {
    fn from(setting: CallToolsSetting) -> CallTools {
        match setting {
            CallToolsSetting::ReadOnly => CallTools::ReadOnly,
            CallToolsSetting::All => CallTools::All,
            CallToolsSetting::None => CallTools::None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    run: RunSettings,
    /// Read by [`crate::server_config`]; only its names are checked here.
    #[serde(default)]
    servers: toml::Table,
}

/// Whether `path` names an `mcp-conform.toml` rather than a client's JSON file.
pub fn is_project_config(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// Reads the `[run]` settings of `path`, its paths made relative to the
/// current folder; `Err` names the file, the line and what is wrong.
pub fn load(path: &Path) -> Result<RunSettings, String> {
    let mut run = read(path)?.run;
    let base = path.parent().unwrap_or(Path::new(""));
    for relative in [&mut run.baseline, &mut run.fixtures, &mut run.cases, &mut run.report_dir].into_iter().flatten() {
        *relative = base.join(&*relative);
    }
    Ok(run)
}

/// Whether the file names the server to test when no target flag does: a
/// `[run] server`, or any `[servers.NAME]` (the only one is taken, and
/// several ask for `--server`). `Err` as [`load`]'s.
pub fn names_a_server(path: &Path) -> Result<bool, String> {
    let file = read(path)?;
    Ok(file.run.server.is_some() || !file.servers.is_empty())
}

/// The file, checked: its keys, its versions, and that `[run] server`
/// names one of its `[servers]`.
fn read(path: &Path) -> Result<File, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: File = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| line_of(&text, span.start));
        format!("{}{}: {}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default(), e.message())
    })?;
    if let Some(unknown) = file.run.versions.iter().find(|v| !version::is_known(v)) {
        return Err(format!("{}: [run] versions: unknown protocol version `{unknown}` (known: {})", path.display(), version::ALL.join(", ")));
    }
    if let Some(name) = file.run.server.as_deref().filter(|name| !file.servers.contains_key(*name)) {
        let line = server_line(&text).map(|l| format!(":{l}")).unwrap_or_default();
        let has = if file.servers.is_empty() {
            "the file has no [servers.NAME] table".to_string()
        } else {
            format!("the file has: {}", file.servers.keys().map(String::as_str).collect::<Vec<_>>().join(", "))
        };
        return Err(format!("{}{line}: [run] server = \"{name}\" names no server of [servers] ({has})", path.display()));
    }
    Ok(file)
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of `server =` in the `[run]` table, to point at it.
fn server_line(text: &str) -> Option<usize> {
    let mut in_run = false;
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_run = line.trim_start_matches('[').trim_end_matches(']').trim() == "run";
        } else if in_run && line.split('=').next().is_some_and(|key| key.trim() == "server") {
            return Some(at + 1);
        }
    }
    None
}

fn duration<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(deserializer)?;
    crate::cli::parse_duration(&text).map(Some).map_err(|e| serde::de::Error::custom(format!("`{text}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<RunSettings, String> {
        let dir = std::env::temp_dir().join(format!("mcp-conform-project-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mcp-conform.toml");
        std::fs::write(&path, text).unwrap();
        load(&path)
    }

    #[test]
    fn settings_load_with_paths_beside_the_file() {
        let run = load_text(
            "ok",
            "[run]\nversions = [\"2025-06-18\"]\nbaseline = \"b.toml\"\nreports = [\"junit\", \"html\"]\ntimeout = \"2s\"\ncall_tools = \"all\"\n\n[servers.x]\ncommand = \"y\"\n",
        )
        .unwrap();
        assert_eq!(run.versions, ["2025-06-18"]);
        assert!(run.baseline.unwrap().ends_with(format!("mcp-conform-project-{}-ok/b.toml", std::process::id())));
        assert_eq!(run.reports.unwrap(), [ReportFormat::Junit, ReportFormat::Html]);
        assert_eq!(run.timeout, Some(Duration::from_secs(2)));
        assert!(matches!(run.call_tools, Some(CallToolsSetting::All)));
    }

    #[test]
    fn mistakes_name_the_line() {
        let err = |name, text| load_text(name, text).unwrap_err();
        assert!(err("typo", "[run]\nstrict = true\nbasline = \"b\"\n").contains("mcp-conform.toml:3: unknown field `basline`"));
        assert!(err("version", "[run]\nversions = [\"1999-01-01\"]\n").contains("unknown protocol version `1999-01-01`"));
        assert!(err("format", "[run]\nreports = [\"pdf\"]\n").contains("unknown variant `pdf`"));
        assert!(err("duration", "[run]\ntimeout = \"soon\"\n").contains("`soon`"));
        assert!(err("table", "[runn]\n").contains("unknown field `runn`"));
    }

    #[test]
    fn the_run_server_must_be_one_of_the_servers() {
        let err = |name, text| load_text(name, text).unwrap_err();
        let named = "[run]\nstrict = true\nserver = \"locl\"\n\n[servers.local]\ncommand = \"x\"\n";
        assert!(err("server-typo", named).contains("mcp-conform.toml:3: [run] server = \"locl\" names no server of [servers] (the file has: local)"));
        assert!(err("server-none", "[run]\nserver = \"local\"\n").contains("(the file has no [servers.NAME] table)"));
        assert!(err("server-empty", "[run]\nserver = \"local\"\n[servers]\n").contains("no [servers.NAME] table"));
        assert!(load_text("server-ok", "[run]\nserver = \"local\"\n[servers.local]\ncommand = \"x\"\n").is_ok());
    }

    #[test]
    fn a_server_is_named_by_run_or_by_servers() {
        let names = |name, text| {
            load_text(name, text).unwrap();
            let path = std::env::temp_dir().join(format!("mcp-conform-project-{}-{name}", std::process::id())).join("mcp-conform.toml");
            names_a_server(&path).unwrap()
        };
        assert!(!names("names-none", "[run]\nstrict = true\n"));
        assert!(!names("names-empty", "[servers]\n"));
        assert!(names("names-one", "[servers.a]\ncommand = \"x\"\n"));
        assert!(names("names-run", "[run]\nserver = \"a\"\n[servers.a]\ncommand = \"x\"\n"));
    }
}
