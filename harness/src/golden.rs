//! Golden transcripts: a user scenario's step may say that the server's
//! answer must match the one accepted before (`golden = "NAME"` in the step).
//!
//! Accepted answers live in a folder (`run --golden DIR`; by default
//! `golden/` inside `--cases DIR`), one pretty-printed JSON file per case,
//! step name and protocol version: `DIR/CASE/NAME@VERSION.json`. Volatile
//! parts are redacted before comparing and storing: the JSON-RPC `id`
//! always, and every JSON pointer in the step's `redact` list (`*` matches
//! any key or array index), each replaced by `"[redacted]"`.
//!
//! As with insta, an answer is never accepted by the run that saw it: a
//! missing or different answer fails the step and is written beside the
//! accepted file as `NAME@VERSION.json.new`. `mcp-conform golden review`
//! shows the pending files with their differences, `golden accept` makes
//! them the accepted ones and `golden reject` deletes them.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What replaces a redacted value.
pub const REDACTED: &str = "[redacted]";
/// The suffix of an answer waiting for review.
pub const PENDING: &str = ".new";

/// The folder of accepted answers.
#[derive(Debug, Clone)]
pub struct GoldenStore {
    dir: PathBuf,
}

/// How an answer compares with the accepted one.
#[derive(Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Equal, after redaction.
    Matches,
    /// Nothing accepted yet; the answer was written as pending.
    New { pending: PathBuf },
    /// Different; the answer was written as pending. `diff` shows the first differences.
    Differs { pending: PathBuf, diff: String },
}

impl GoldenStore {
    /// Accepted answers under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> GoldenStore {
        GoldenStore { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The accepted file of step `name` of `case` on `version`.
    pub fn path(&self, case: &str, name: &str, version: &str) -> PathBuf {
        self.dir.join(case).join(format!("{name}@{version}.json"))
    }

    /// Compares `answer` (redacted first) with the accepted one, writing it
    /// as pending when it is new or different and removing a stale pending
    /// file when it matches.
    pub fn compare(&self, case: &str, name: &str, version: &str, answer: &Value, redact: &[String]) -> Result<Comparison, String> {
        let accepted_path = self.path(case, name, version);
        let pending = pending_path(&accepted_path);
        let text = render(&redacted(answer, redact));
        let accepted = match std::fs::read_to_string(&accepted_path) {
            Ok(accepted) => Some(accepted),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("{}: {e}", accepted_path.display())),
        };
        if accepted.as_deref() == Some(text.as_str()) {
            match std::fs::remove_file(&pending) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(format!("{}: {e}", pending.display())),
                _ => return Ok(Comparison::Matches),
            }
        }
        let write_error = |e: std::io::Error| format!("{}: {e}", pending.display());
        std::fs::create_dir_all(pending.parent().expect("a file in a folder")).map_err(write_error)?;
        std::fs::write(&pending, &text).map_err(write_error)?;
        Ok(match accepted {
            None => Comparison::New { pending },
            Some(accepted) => Comparison::Differs { diff: diff(&accepted, &text), pending },
        })
    }

    /// Every pending file under the folder, sorted.
    pub fn pending(&self) -> Result<Vec<PathBuf>, String> {
        let mut found = Vec::new();
        collect_pending(&self.dir, &mut found)?;
        found.sort();
        Ok(found)
    }
}

/// The accepted file a pending one would replace.
pub fn accepted_path(pending: &Path) -> PathBuf {
    let name = pending.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    pending.with_file_name(name.strip_suffix(PENDING).unwrap_or(name))
}

fn pending_path(accepted: &Path) -> PathBuf {
    let mut name = accepted.file_name().unwrap_or_default().to_os_string();
    name.push(PENDING);
    accepted.with_file_name(name)
}

fn collect_pending(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            collect_pending(&path, found)?;
        } else if path.to_str().is_some_and(|p| p.ends_with(&format!(".json{PENDING}"))) {
            found.push(path);
        }
    }
    Ok(())
}

/// Pretty JSON with a final newline: the stored form, fit for review in a diff.
fn render(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// `answer` with its `id` and every value `redact` points at replaced.
pub fn redacted(answer: &Value, redact: &[String]) -> Value {
    let mut answer = answer.clone();
    for pointer in std::iter::once("/id").chain(redact.iter().map(String::as_str)) {
        let segments: Vec<String> = pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
        redact_at(&mut answer, &segments);
    }
    answer
}

fn redact_at(value: &mut Value, segments: &[String]) {
    let Some((first, rest)) = segments.split_first() else {
        *value = Value::from(REDACTED);
        return;
    };
    match value {
        Value::Object(map) if first == "*" => map.values_mut().for_each(|v| redact_at(v, rest)),
        Value::Object(map) => {
            if let Some(v) = map.get_mut(first) {
                redact_at(v, rest)
            }
        }
        Value::Array(items) if first == "*" => items.iter_mut().for_each(|v| redact_at(v, rest)),
        Value::Array(items) => {
            if let Some(v) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                redact_at(v, rest)
            }
        }
        _ => {}
    }
}

/// The lines that differ between two renderings, as `-`/`+` lines with a
/// line of context, at most 40 lines.
pub fn diff(old: &str, new: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // The common head and tail are context; only the middle needs aligning.
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut lines: Vec<String> = old[..head].iter().map(|l| format!("  {l}")).collect();
    lines.extend(aligned(&old[head..old.len() - tail], &new[head..new.len() - tail]));
    lines.extend(old[old.len() - tail..].iter().map(|l| format!("  {l}")));
    // Keep changed lines and one line of context around them.
    let changed = |k: usize| lines.get(k).is_some_and(|l| !l.starts_with("  "));
    let kept: Vec<&String> =
        lines.iter().enumerate().filter(|(k, _)| changed(*k) || changed(k + 1) || (*k > 0 && changed(k - 1))).map(|(_, l)| l).collect();
    let mut shown: Vec<String> = kept.iter().take(40).map(|l| l.to_string()).collect();
    if kept.len() > 40 {
        shown.push(format!("... {} more lines", kept.len() - 40));
    }
    shown.join("\n")
}

/// `old` turned into `new` line by line: a longest common subsequence by
/// dynamic programming when the table is small, else every old line removed
/// and every new one added (a server's answer can be huge; the table must not be).
fn aligned(old: &[&str], new: &[&str]) -> Vec<String> {
    const MAX_CELLS: usize = 4_000_000;
    if old.len().saturating_mul(new.len()) > MAX_CELLS {
        return old.iter().map(|l| format!("- {l}")).chain(new.iter().map(|l| format!("+ {l}"))).collect();
    }
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut lines = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push(format!("  {}", old[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < new.len() && (i == old.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            lines.push(format!("+ {}", new[j]));
            j += 1;
        } else {
            lines.push(format!("- {}", old[i]));
            i += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_and_named_pointers_are_redacted() {
        let answer = json!({"jsonrpc": "2.0", "id": 7, "result": {"tools": [{"name": "a", "etag": "1"}, {"name": "b", "etag": "2"}], "at": "now"}});
        let shown = redacted(&answer, &["/result/tools/*/etag".into(), "/result/at".into(), "/result/absent".into()]);
        assert_eq!(
            shown,
            json!({"jsonrpc": "2.0", "id": REDACTED, "result": {"tools": [{"name": "a", "etag": REDACTED}, {"name": "b", "etag": REDACTED}], "at": REDACTED}})
        );
    }

    #[test]
    fn a_new_answer_waits_for_review_and_a_matching_one_clears_it() {
        let dir = std::env::temp_dir().join(format!("mcp-conform-golden-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = GoldenStore::new(&dir);
        let answer = json!({"jsonrpc": "2.0", "id": 1, "result": {"n": 1}});
        let Comparison::New { pending } = store.compare("MY-1", "list", "2025-06-18", &answer, &[]).unwrap() else { panic!() };
        assert_eq!(store.pending().unwrap(), std::slice::from_ref(&pending));
        std::fs::rename(&pending, accepted_path(&pending)).unwrap();
        // Another id is the same answer; another value is not.
        let again = json!({"jsonrpc": "2.0", "id": 2, "result": {"n": 1}});
        assert_eq!(store.compare("MY-1", "list", "2025-06-18", &again, &[]).unwrap(), Comparison::Matches);
        let changed = json!({"jsonrpc": "2.0", "id": 3, "result": {"n": 2}});
        let Comparison::Differs { diff, .. } = store.compare("MY-1", "list", "2025-06-18", &changed, &[]).unwrap() else { panic!() };
        assert!(diff.contains("-     \"n\": 1") && diff.contains("+     \"n\": 2"), "{diff}");
        assert_eq!(store.compare("MY-1", "list", "2025-06-18", &again, &[]).unwrap(), Comparison::Matches);
        assert!(store.pending().unwrap().is_empty(), "a matching answer removes the stale pending file");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn diff_shows_changes_with_context() {
        let diff = diff("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n");
        assert_eq!(diff, "  b\n- c\n+ X\n  d");
    }

    #[test]
    fn a_huge_answer_is_diffed_without_a_huge_table() {
        // 20 000 × 20 000 changed lines would be a 400-million-cell table.
        let old: String = (0..20_000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..20_000).map(|i| format!("b{i}\n")).collect();
        let diff = diff(&format!("same\n{old}same\n"), &format!("same\n{new}same\n"));
        assert!(diff.starts_with("  same\n- a0\n- a1"), "{}", &diff[..40]);
        assert!(diff.ends_with("... 39962 more lines"), "{}", &diff[diff.len() - 40..]);
    }
}
