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
//! `run --config mcp-conform.toml` reads it. Every `[run]` key is a default:
//! the flag of the same name wins. Paths are relative to the file. The
//! `[servers]` entries have the shape of an `mcpServers` entry
//! ([`crate::server_config`]), and `--server NAME` picks one as it does there.

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
    /// The server of `[servers]` tested when no target flag is given.
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
    /// Read by [`crate::server_config`]; only its shape is checked here.
    #[serde(default)]
    #[allow(dead_code)]
    servers: toml::Table,
}

/// Whether `path` names an `mcp-conform.toml` rather than a client's JSON file.
pub fn is_project_config(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// Reads the `[run]` settings of `path`, its paths made relative to the
/// current folder; `Err` names the file, the line and what is wrong.
pub fn load(path: &Path) -> Result<RunSettings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: File = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        format!("{}{}: {}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default(), e.message())
    })?;
    let mut run = file.run;
    if let Some(unknown) = run.versions.iter().find(|v| !version::is_known(v)) {
        return Err(format!("{}: [run] versions: unknown protocol version `{unknown}` (known: {})", path.display(), version::ALL.join(", ")));
    }
    let base = path.parent().unwrap_or(Path::new(""));
    for relative in [&mut run.baseline, &mut run.fixtures, &mut run.cases, &mut run.report_dir].into_iter().flatten() {
        *relative = base.join(&*relative);
    }
    Ok(run)
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
}
