//! Loading cases: the embedded catalogue and user folders.

use std::path::{Path, PathBuf};

use super::model::Case;
use crate::requirements::names_prefix;

/// Every case file of the repository's `cases/` folder, embedded at build time.
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_cases.rs"));

/// A set of cases, in a stable order (area, then ID).
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// The cases.
    pub cases: Vec<Case>,
}

/// A case file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// The line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// The built-in catalogue.
pub fn builtin() -> Catalogue {
    // The embedded files are checked by the test suite, so a failure here is a
    // build of a broken tree; report it loudly rather than run fewer cases.
    from_files(EMBEDDED.iter().map(|(path, text)| (PathBuf::from(path), text.to_string())))
        .unwrap_or_else(|e| panic!("the embedded catalogue is broken: {e}"))
}

/// Load every `*.toml` case under `dir` (one folder per area).
pub fn load_dir(dir: &Path) -> Result<Catalogue, LoadError> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    from_files(files.into_iter())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> Result<(), LoadError> {
    let io_error = |path: &Path, e: std::io::Error| LoadError { path: path.to_path_buf(), line: None, message: e.to_string() };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if path == root.join("requirements.toml") {
            // The requirements table of a copy of `cases/`, not a case.
            continue;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            out.push((relative, text));
        }
    }
    Ok(())
}

fn from_files(files: impl Iterator<Item = (PathBuf, String)>) -> Result<Catalogue, LoadError> {
    let mut cases = Vec::new();
    for (path, text) in files {
        cases.push(parse(&path, &text)?);
    }
    cases.sort_by(|a: &Case, b: &Case| (&a.area, &a.id).cmp(&(&b.area, &b.id)));
    if let Some(pair) = cases.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(LoadError { path: PathBuf::from(&pair[1].area), line: None, message: format!("case ID `{}` appears twice", pair[1].id) });
    }
    Ok(Catalogue { cases })
}

/// Parse one case file; `path` is relative to the catalogue's root.
pub fn parse(path: &Path, text: &str) -> Result<Case, LoadError> {
    let fail = |line: Option<usize>, message: String| LoadError { path: path.to_path_buf(), line, message };
    let mut case: Case = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        fail(line, e.message().to_string())
    })?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem != case.id {
        return Err(fail(None, format!("the file name must be the case ID (`{}.toml`)", case.id)));
    }
    case.area = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .ok_or_else(|| fail(None, "a case file must sit in an area folder (e.g. `lifecycle/`)".into()))?
        .to_string();
    case.validate().map_err(|m| fail(None, m))?;
    Ok(case)
}

impl Catalogue {
    /// Keep the cases selected by `only` (empty: all) and not by `skip`.
    /// A selector is a case ID, an area (`tools`), or a prefix of case IDs
    /// that ends at a `-`: a requirement ID (`TOOLS-008`) or group (`TOOLS`, `L-HTTP`, `L`).
    pub fn select(mut self, only: &[String], skip: &[String]) -> Catalogue {
        let hits = |case: &Case, selectors: &[String]| selectors.iter().any(|s| selects(case, s));
        self.cases.retain(|c| (only.is_empty() || hits(c, only)) && !hits(c, skip));
        self
    }

    /// The first selector that names nothing: no case or area here, and no
    /// requirement or group of the requirements table (a typo would
    /// otherwise select or skip nothing, silently).
    pub fn unknown_selector<'s>(&self, selectors: &'s [String]) -> Option<&'s str> {
        let table = crate::requirements::builtin();
        selectors.iter().map(String::as_str).find(|s| {
            !self.cases.iter().any(|c| selects(c, s)) && !table.iter().any(|r| names_prefix(&r.id, s))
        })
    }

    /// Add another catalogue's cases.
    pub fn extend(&mut self, other: Catalogue) {
        self.cases.extend(other.cases);
    }
}

/// Does `selector` pick `case` (see [`Catalogue::select`])?
fn selects(case: &Case, selector: &str) -> bool {
    case.area.eq_ignore_ascii_case(selector)
        || names_prefix(&case.id, selector)
        || case.requirements.iter().any(|r| r.eq_ignore_ascii_case(selector))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_loads() {
        let catalogue = builtin();
        assert!(catalogue.cases.len() >= 8, "{} cases", catalogue.cases.len());
        for case in &catalogue.cases {
            assert!(!case.area.is_empty());
            // A golden answer is one server's; the catalogue serves every server.
            assert!(case.steps.iter().all(|s| s.golden.is_none()), "{} keeps a golden answer", case.id);
        }
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let text = "id = \"X-1\"\ntitle = \"t\"\nrequirements = [\"X-1\"]\nkeyword = \"MUST\"\nspec = \"s\"\nhint = \"h\"\nbogus = 1\n[[steps]]\nrequest = \"ping\"\n";
        let err = parse(Path::new("area/X-1.toml"), text).unwrap_err().to_string();
        assert!(err.starts_with("area/X-1.toml:7: unknown field `bogus`"), "{err}");
        let err = parse(Path::new("area/Y.toml"), &text.replace("bogus = 1\n", "")).unwrap_err().to_string();
        assert!(err.contains("file name must be the case ID"), "{err}");
        let two = text.replace("bogus = 1\n", "").replace("request = \"ping\"", "request = \"ping\"\nnotify = \"x\"");
        let err = parse(Path::new("area/X-1.toml"), &two).unwrap_err().to_string();
        assert!(err.contains("step 1: a step names more than one"), "{err}");
    }
}
