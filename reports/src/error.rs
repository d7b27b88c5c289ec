//! The one error type of this crate.

use thiserror::Error as ThisError;

use crate::FORMAT_VERSION;

/// Why a `run.json` document or a baseline file could not be read.
///
/// Writing never fails: every report is a pure function of a [`RunRecord`]
/// that is already in memory. Only reading a document, which may come from
/// another build or another tool, can go wrong.
///
/// [`RunRecord`]: crate::RunRecord
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// The document is not JSON, or it is JSON without the shape of a run
    /// record (a missing field, a wrong type). The source says where.
    #[error("run.json is not a valid run record: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The document has no `format_version`, so it is not a run record at all.
    #[error("run.json has no `format_version`; it is not an mcp-conform run record")]
    MissingFormatVersion,
    /// The document is a run record of a layout this build does not read,
    /// typically one written by a newer `mcp-conform`.
    #[error(
        "run.json has format_version {found}, but this build reads only version {supported}; \
         use the mcp-conform release that wrote it"
    )]
    UnsupportedFormatVersion {
        /// The version the document declares.
        found: u64,
        /// The one version this build reads ([`FORMAT_VERSION`]).
        supported: u32,
    },
    /// A baseline file is malformed (see [`crate::baseline`]); the caller
    /// adds the file's name.
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Baseline {
        /// The line the problem is on, when there is one.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn unsupported(found: u64) -> Error {
        Error::UnsupportedFormatVersion {
            found,
            supported: FORMAT_VERSION,
        }
    }
}
