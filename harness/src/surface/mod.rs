//! Surface snapshots: a server's public API (capabilities, protocol
//! versions, tools with their schemas and annotations, resources, resource
//! templates, prompts) recorded to a file fit to commit, and the changes of
//! a live server against that file, each classified as breaking or not.
//!
//! * [`capture`]: read the surface from a server, every list to its last page.
//! * [`snapshot`]: the file format ([`Snapshot`]), stable and sorted, with
//!   its loading (a malformed file is a [`SurfaceError::Malformed`]).
//! * [`diff`]: the pure comparison of two snapshots ([`diff::diff`]), with
//!   the rules that make a change [`Class::Breaking`], [`Class::Additive`],
//!   [`Class::Cosmetic`] or [`Class::NeedsReview`].
//! * [`report`]: the changes as the run record keeps them, with the gate's verdict.

pub mod capture;
pub mod diff;
pub mod report;
pub mod snapshot;

pub use capture::capture;
pub use diff::{diff, Change, Class};
pub use snapshot::{Snapshot, VersionSurface};

/// Why a snapshot could not be taken, read or written (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SurfaceError {
    /// The server could not be reached or spoke no version.
    #[error(transparent)]
    Run(#[from] crate::runner::RunError),
    /// A list could not be read to its end.
    #[error("{version}: `{method}` could not be read: {why}")]
    List {
        /// The protocol version of the session.
        version: String,
        /// The list method.
        method: &'static str,
        /// What went wrong.
        why: String,
    },
    /// The snapshot file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The snapshot file is not a snapshot this tool can read.
    #[error("{path}: not a valid surface snapshot: {why}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong, with the line and column when the JSON itself is broken.
        why: String,
    },
}
