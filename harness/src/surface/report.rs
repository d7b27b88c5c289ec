//! The changes as text for the terminal, and the gate's verdict on them.

use std::fmt::Write;

use super::diff::{Change, Class};

/// Whether the changes pass the gate: none breaking, none needing review.
pub fn passes(changes: &[Change]) -> bool {
    !changes.iter().any(|c| c.class.fails_gate())
}

/// One line per change, most severe first, after a count line. `all` is the
/// versions the snapshot holds: a change seen in every one of them does
/// not list them.
pub fn render(changes: &[Change], file: &str, all: &[String]) -> String {
    let count = |class: Class| changes.iter().filter(|c| c.class == class).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "surface against {file}: {} breaking, {} needing review, {} additive, {} cosmetic",
        count(Class::Breaking),
        count(Class::NeedsReview),
        count(Class::Additive),
        count(Class::Cosmetic)
    );
    for change in changes {
        let versions = if change.versions.is_empty() || change.versions == all {
            String::new()
        } else {
            format!(" [{}]", change.versions.join(", "))
        };
        let _ = writeln!(out, "  {:<13} {}: {}{versions}", change.class.label(), change.path, change.what);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(class: Class, versions: &[&str]) -> Change {
        Change {
            class,
            path: "tools/echo".into(),
            what: "tool `echo` removed".into(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn lines_name_class_path_and_only_partial_versions() {
        let all = vec!["2025-06-18".to_string(), "2025-11-25".to_string()];
        let text = render(&[change(Class::Breaking, &["2025-06-18", "2025-11-25"]), change(Class::Additive, &["2025-11-25"])], "s.json", &all);
        assert_eq!(
            text,
            "surface against s.json: 1 breaking, 0 needing review, 1 additive, 0 cosmetic\n  \
             breaking      tools/echo: tool `echo` removed\n  \
             additive      tools/echo: tool `echo` removed [2025-11-25]\n"
        );
    }

    #[test]
    fn only_breaking_and_unclassified_changes_fail() {
        assert!(passes(&[]));
        assert!(passes(&[change(Class::Additive, &[]), change(Class::Cosmetic, &[])]));
        assert!(!passes(&[change(Class::Breaking, &[])]));
        assert!(!passes(&[change(Class::NeedsReview, &[])]));
    }
}
