//! Errors of the fuzzer itself: setup and files, never the server's faults
//! (those are findings).

use std::path::PathBuf;

use crate::transport::TransportError;

/// Why a campaign or a replay could not run (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FuzzError {
    /// The target cannot be started or reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A session for the version could not be opened.
    #[error("cannot open a {version} session: {why}")]
    Open {
        /// The version asked for.
        version: String,
        /// Why.
        why: String,
    },
    /// The server speaks none of the versions asked for.
    #[error("the server speaks none of the versions tried:\n  {}", .0.join("\n  "))]
    NoVersion(Vec<String>),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A finding or corpus file is not what it should be.
    #[error("{}: {why}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

impl FuzzError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> FuzzError {
        FuzzError::Io { path: path.into(), source }
    }
}
