//! The changes as the run record keeps them, with the gate's verdict on
//! them; the reports (`reports::terminal::surface_section` and the others)
//! show them.

use reports::surface::{SnapshotWrite, SurfaceCheck};

use super::diff::Change;

/// The comparison with `file` (whose protocol versions are `versions`):
/// it passes with no breaking change and none needing review, or when the
/// file was rewritten to accept them (`written`).
pub fn check(file: &str, versions: Vec<String>, changes: Vec<Change>, written: Option<SnapshotWrite>) -> SurfaceCheck {
    let passed = written.is_some() || !changes.iter().any(|c| c.class.fails_gate());
    SurfaceCheck { snapshot: file.to_string(), versions, passed, written, changes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::Class;

    fn change(class: Class) -> Change {
        Change { class, path: "tools/echo".into(), what: "tool `echo` removed".into(), versions: vec![] }
    }

    fn passes(changes: &[Change], written: Option<SnapshotWrite>) -> bool {
        check("s.json", vec![], changes.to_vec(), written).passed
    }

    #[test]
    fn only_breaking_and_unclassified_changes_fail() {
        assert!(passes(&[], None));
        assert!(passes(&[change(Class::Additive), change(Class::Cosmetic)], None));
        assert!(!passes(&[change(Class::Breaking)], None));
        assert!(!passes(&[change(Class::NeedsReview)], None));
    }

    #[test]
    fn accepted_changes_pass() {
        assert!(passes(&[change(Class::Breaking), change(Class::NeedsReview)], Some(SnapshotWrite::Updated)));
        assert!(passes(&[], Some(SnapshotWrite::Created)));
    }
}
