//! `mcp-conform list`: the catalogue, one case per line (`--coverage`: per requirement).

use std::path::PathBuf;

use super::CliError;
use crate::case;

/// Arguments of `list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Also load the cases under this folder (same format as `cases/`).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,

    /// List every requirement with the cases that cite it and the faults that
    /// break it, then the coverage counts per group and per protocol version.
    #[arg(long)]
    coverage: bool,

    /// Output format of `--coverage`: text or json.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"], requires = "coverage")]
    format: String,
}

pub fn list(args: ListArgs) -> Result<i32, CliError> {
    let mut catalogue = case::builtin();
    if let Some(dir) = &args.cases {
        catalogue.extend(case::load_dir(dir)?);
    }
    if args.coverage {
        match args.format.as_str() {
            "json" => println!("{:#}", super::coverage::json(&catalogue)),
            _ => print!("{}", super::coverage::text(&catalogue)),
        }
        return Ok(0);
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
