//! `mcp-conform golden review|accept|reject DIR`: the pending golden
//! answers a run wrote, looked at and then accepted or thrown away.

use std::path::{Path, PathBuf};

use super::CliError;
use crate::golden::{self, GoldenStore};

/// Arguments of `golden`.
#[derive(Debug, clap::Args)]
pub struct GoldenArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Show each pending answer beside the accepted one (exit 1 when some are pending).
    Review(Folder),
    /// Make the pending answers (all, or the files named) the accepted ones.
    Accept(Folder),
    /// Delete the pending answers (all, or the files named).
    Reject(Folder),
}

#[derive(Debug, clap::Args)]
struct Folder {
    /// The golden folder (`golden/` in the `--cases` folder, or `run --golden DIR`).
    dir: PathBuf,
    /// Only these pending files.
    files: Vec<PathBuf>,
}

pub fn golden(args: GoldenArgs) -> Result<i32, CliError> {
    let (Action::Review(folder) | Action::Accept(folder) | Action::Reject(folder)) = &args.action;
    if !folder.dir.is_dir() {
        return Err(CliError::Usage(format!("{}: not a folder of golden answers", folder.dir.display())));
    }
    let pending = chosen(&GoldenStore::new(&folder.dir), &folder.files)?;
    match args.action {
        Action::Review(_) => {
            for path in &pending {
                println!("{}", review(path)?);
            }
            println!("{} pending answer(s) in {}", pending.len(), folder.dir.display());
            Ok(if pending.is_empty() { 0 } else { 1 })
        }
        Action::Accept(_) => {
            for path in &pending {
                let accepted = golden::accepted_path(path);
                std::fs::rename(path, &accepted).map_err(|e| io(path, e))?;
                println!("accepted {}", accepted.display());
            }
            Ok(0)
        }
        Action::Reject(_) => {
            for path in &pending {
                std::fs::remove_file(path).map_err(|e| io(path, e))?;
                println!("rejected {}", path.display());
            }
            Ok(0)
        }
    }
}

/// The pending files under the store, or those of `files` (each must be one).
fn chosen(store: &GoldenStore, files: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let pending = store.pending().map_err(CliError::Usage)?;
    if files.is_empty() {
        return Ok(pending);
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).map_err(|e| io(p, e));
    let known = pending.iter().map(|p| canonical(p)).collect::<Result<Vec<_>, _>>()?;
    files
        .iter()
        .map(|file| match canonical(file) {
            Ok(path) if known.contains(&path) => Ok(file.clone()),
            _ => Err(CliError::Usage(format!("{}: not a pending answer under {}", file.display(), store.dir().display()))),
        })
        .collect()
}

fn review(pending: &Path) -> Result<String, CliError> {
    let accepted_path = golden::accepted_path(pending);
    let new = std::fs::read_to_string(pending).map_err(|e| io(pending, e))?;
    Ok(match std::fs::read_to_string(&accepted_path) {
        Ok(old) => format!("── {} (changed)\n{}\n", accepted_path.display(), golden::diff(&old, &new)),
        Err(_) => format!("── {} (new)\n{new}", accepted_path.display()),
    })
}

fn io(path: &Path, source: std::io::Error) -> CliError {
    CliError::Io { path: path.display().to_string(), source }
}
