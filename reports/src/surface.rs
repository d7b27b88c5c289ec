//! The surface gate: the server's public surface (capabilities, protocol
//! versions, tools, resources, templates, prompts) compared with a snapshot
//! file (`run --snapshot FILE`). The harness captures and compares; the
//! outcome is kept in the run record (`surface` in `run.json`, present only
//! when the run had a snapshot), so every report shows what the binary
//! exited with.
//!
//! The rules:
//!
//! * Each change has a [`ChangeClass`]: `breaking` (existing clients may
//!   break), `needs-review` (its effect cannot be judged from the schemas
//!   alone), `additive` or `cosmetic`.
//! * A `breaking` or `needs-review` change fails the gate
//!   ([`ChangeClass::fails_gate`]), and with it the run (exit 1), whatever
//!   the results of the cases say.
//! * With `--update-snapshot` the file is rewritten to hold the live surface
//!   ([`SnapshotWrite::Updated`], or [`SnapshotWrite::Created`] when it did
//!   not exist): the changes are accepted and the gate passes.
//!
//! This gate is separate from the baseline's ([`crate::gate`]): a baseline
//! lists known failing *results*, a snapshot records the *surface*, and
//! neither excuses the other.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The surface compared with a snapshot. In `run.json`: the `surface`
/// object, present only when the run had `--snapshot FILE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurfaceCheck {
    /// The snapshot file, as named on the command line.
    pub snapshot: String,
    /// The protocol versions the snapshot holds (the live ones when it was
    /// just created). A change that shows in every one of them is shown
    /// without its versions.
    pub versions: Vec<String>,
    /// The verdict: no change that fails the gate, or the changes were
    /// accepted by rewriting the snapshot.
    pub passed: bool,
    /// How the run rewrote the snapshot (`--update-snapshot`). Omitted when
    /// it left the file as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<SnapshotWrite>,
    /// Every change from the snapshot to the live surface, most severe class
    /// first, then by path. Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<SurfaceChange>,
}

/// How the run rewrote the snapshot. In JSON: `"created"` or `"updated"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotWrite {
    /// There was no snapshot yet: the live surface was recorded.
    Created,
    /// The changes were accepted: the file now holds the live surface.
    Updated,
}

/// One change of the surface, found in one or more protocol versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurfaceChange {
    /// What it means for the server's existing clients.
    pub class: ChangeClass,
    /// Where: `tools/echo/inputSchema/required/format`, `versions/2024-11-05`.
    pub path: String,
    /// What changed, in a few words.
    pub what: String,
    /// The protocol versions it shows in (empty for a change of the
    /// server's name or of its list of versions). Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// What a change means for the server's existing clients, most severe
/// first. In JSON: `"breaking"`, `"needs-review"`, `"additive"` or
/// `"cosmetic"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeClass {
    /// Existing clients may break: fails the gate.
    Breaking,
    /// Not classifiable by its shape alone: fails the gate until accepted.
    NeedsReview,
    /// Only adds: existing clients keep working.
    Additive,
    /// Wording only.
    Cosmetic,
}

impl ChangeClass {
    /// Every class, most severe first (the order reports list them in).
    pub const ALL: [ChangeClass; 4] = [
        ChangeClass::Breaking,
        ChangeClass::NeedsReview,
        ChangeClass::Additive,
        ChangeClass::Cosmetic,
    ];

    /// Whether a change of this class fails the gate.
    pub fn fails_gate(self) -> bool {
        matches!(self, ChangeClass::Breaking | ChangeClass::NeedsReview)
    }

    /// The words reports use: `needs review`.
    pub fn label(self) -> &'static str {
        match self {
            ChangeClass::Breaking => "breaking",
            ChangeClass::NeedsReview => "needs review",
            ChangeClass::Additive => "additive",
            ChangeClass::Cosmetic => "cosmetic",
        }
    }

    /// The JSON spelling: `needs-review`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::NeedsReview => "needs-review",
            other => other.label(),
        }
    }
}

impl fmt::Display for ChangeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl SurfaceCheck {
    /// How many changes are of `class`.
    pub fn count(&self, class: ChangeClass) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// `1 breaking, 0 needing review, 2 additive, 0 cosmetic`.
    pub fn count_text(&self) -> String {
        format!(
            "{} breaking, {} needing review, {} additive, {} cosmetic",
            self.count(ChangeClass::Breaking),
            self.count(ChangeClass::NeedsReview),
            self.count(ChangeClass::Additive),
            self.count(ChangeClass::Cosmetic)
        )
    }

    /// The versions to show beside `change`: `None` when it shows in every
    /// version of the snapshot (or concerns none), so that the common case
    /// stays short.
    pub fn partial_versions(&self, change: &SurfaceChange) -> Option<String> {
        if change.versions.is_empty() || change.versions == self.versions {
            None
        } else {
            Some(change.versions.join(", "))
        }
    }

    /// The verdict in a few words, `passed: ...` or `FAILED: ...`, for the
    /// reports' verdict lines (after "surface gate").
    pub fn verdict_text(&self) -> String {
        let gating = self.changes.iter().filter(|c| c.class.fails_gate()).count();
        match (self.written, self.passed) {
            (Some(SnapshotWrite::Created), _) => "passed: there was no snapshot yet, the live surface was recorded".into(),
            (Some(SnapshotWrite::Updated), _) => {
                format!("passed: {} change(s) accepted, the snapshot was updated", self.changes.len())
            }
            (None, true) => "passed: no breaking change and none needing review".into(),
            (None, false) => format!("FAILED: {gating} breaking or unclassified change(s)"),
        }
    }

    /// What to do about a failed gate, for the reports that show it.
    pub fn accept_hint(&self) -> Option<&'static str> {
        (!self.passed).then_some(
            "once the changes are reviewed, accept them: `mcp-conform run --snapshot FILE --update-snapshot` \
             (or `mcp-conform snapshot --check FILE --update`)",
        )
    }
}

/// Whether `record` had a snapshot and its gate failed.
pub(crate) fn fails(record: &crate::RunRecord) -> bool {
    record.surface.as_ref().is_some_and(|surface| !surface.passed)
}
