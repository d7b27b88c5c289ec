//! `mcp-conform list`: the catalogue, one case per line.

use std::path::PathBuf;

use super::CliError;
use crate::case;

/// Arguments of `list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Also load the cases under this folder (same format as `cases/`).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
}

pub fn list(args: ListArgs) -> Result<i32, CliError> {
    let mut catalogue = case::builtin();
    if let Some(dir) = &args.cases {
        catalogue.extend(case::load_dir(dir)?);
    }
    let width = catalogue.cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for case in &catalogue.cases {
        let versions = case.versions.as_ref().map_or("all versions".to_string(), |v| v.join(","));
        let transports = case.transports.as_ref().map_or("all transports".to_string(), |t| t.join(","));
        println!(
            "{:<width$}  {:<22}  {:<26}  {}  [{}]",
            case.id,
            case.requirements.join(","),
            versions,
            transports,
            case.area
        );
    }
    println!("{} cases", catalogue.cases.len());
    Ok(0)
}
