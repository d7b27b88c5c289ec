//! The requirements table: every server requirement of the specification the
//! suite is traced to, under its stable ID.
//!
//! The table is data (`cases/requirements.toml`, embedded in the binary). Each
//! [`Requirement`] has its keyword, how far a black box can test it
//! ([`Testability`]), the protocol versions it applies to, where the spec
//! states it, and a one-line summary. [`coverage`] joins it with the cases
//! that cite each requirement and the reference server's faults that break it.
//!
//! ```
//! let table = mcp_conform::requirements::builtin();
//! let ping = table.get("L-PING-001").expect("in the table");
//! assert!(ping.applies_to("2025-06-18") && !ping.applies_to("2026-07-28"));
//! ```

pub mod coverage;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::version;

/// The table as written in the repository, embedded at build time.
const EMBEDDED: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../cases/requirements.toml"));

/// How far a black-box test can decide a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Testability {
    /// Observable on the wire.
    Wire,
    /// Partly observable, or only with a cooperating fixture server.
    Partial,
    /// Policy or internal behaviour: a black box cannot decide it.
    NotTestable,
}

impl Testability {
    /// The name used in the table and in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Testability::Wire => "wire",
            Testability::Partial => "partial",
            Testability::NotTestable => "not-testable",
        }
    }

    /// The letter of the specification's catalogue (`W`, `P`, `N`).
    pub fn letter(self) -> char {
        match self {
            Testability::Wire => 'W',
            Testability::Partial => 'P',
            Testability::NotTestable => 'N',
        }
    }

    /// Can a test decide it, at least in part?
    pub fn is_testable(self) -> bool {
        self != Testability::NotTestable
    }
}

/// One requirement of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Stable ID, e.g. `HTTP-003`.
    pub id: String,
    /// The RFC 2119 keyword as the spec writes it (`MUST`, `SHOULD / SHOULD NOT`, `(schema)`, ...).
    pub keyword: String,
    /// How far a black box can decide it.
    pub test: Testability,
    /// The versions it applies to: `VERSION` or `FIRST..LAST` (see [`Requirement::versions`]).
    #[serde(rename = "versions")]
    pub version_range: String,
    /// The spec page and section, or the schema definition.
    pub spec: String,
    /// One line: what the server must do.
    pub summary: String,
    /// Why a black box cannot decide it (not-testable requirements only).
    #[serde(default)]
    pub not_testable: Option<String>,
    /// Harness tests, `PATH::TEST` (the path from the repository root), that
    /// prove the suite tolerates a behaviour the requirement allows: the
    /// reference server shows it and the relevant cases report no failure.
    /// For MAY rows, which no fault can make fail; see [`coverage`].
    #[serde(default)]
    pub proven_by: Vec<String>,
}

impl Requirement {
    /// The group: the ID without its number (`HTTP`, `L-LIFE`).
    pub fn group(&self) -> &str {
        group_of(&self.id)
    }

    /// The known protocol versions it applies to, oldest first.
    pub fn versions(&self) -> Vec<&'static str> {
        version::ALL.iter().copied().filter(|v| self.applies_to(v)).collect()
    }

    /// Does it apply to this protocol version?
    pub fn applies_to(&self, version: &str) -> bool {
        let (first, last) = split_range(&self.version_range);
        first <= version && version <= last
    }

    /// The version whose pages `spec` refers to: the one it names, else
    /// 2025-11-25 for the handshake-era (`L-`) groups and 2026-07-28 for the rest.
    pub fn spec_version(&self) -> &str {
        match self.spec.split_whitespace().next() {
            Some(first) if version::is_known(first) => first,
            _ if self.id.starts_with("L-") => "2025-11-25",
            _ => "2026-07-28",
        }
    }

    fn validate(&self) -> Result<(), String> {
        let number = self.id.rsplit('-').next().unwrap_or_default();
        if self.group().is_empty() || number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the ID must be a group and a three-digit number, e.g. `HTTP-003`".into());
        }
        let (first, last) = split_range(&self.version_range);
        for v in [first, last] {
            if !version::is_known(v) {
                return Err(format!("unknown version `{v}` in `versions` (known: {})", version::ALL.join(", ")));
            }
        }
        if first > last {
            return Err(format!("`versions = \"{}\"`: the range runs backwards", self.version_range));
        }
        if self.summary.trim().is_empty() || self.summary.contains('\n') {
            return Err("`summary` must be one non-empty line".into());
        }
        if let Some(bad) = self.proven_by.iter().find(|p| split_test_path(p).is_none()) {
            return Err(format!("`proven_by` entry `{bad}` is not `PATH.rs::test_name`"));
        }
        match (self.test, &self.not_testable) {
            (Testability::NotTestable, None) => Err("a not-testable requirement says why in `not_testable`".into()),
            (Testability::Wire | Testability::Partial, Some(_)) => {
                Err("`not_testable` is only for requirements with `test = \"not-testable\"`".into())
            }
            _ => Ok(()),
        }
    }
}

/// The group of a requirement ID: everything before its last `-`.
pub fn group_of(id: &str) -> &str {
    id.rsplit_once('-').map_or("", |(group, _)| group)
}

/// A `proven_by` entry `PATH.rs::test_name` as `(PATH.rs, test_name)`.
pub fn split_test_path(entry: &str) -> Option<(&str, &str)> {
    let (path, name) = entry.split_once("::")?;
    let identifier = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (path.ends_with(".rs") && !path.starts_with('/') && identifier).then_some((path, name))
}

/// `A..B` as `(A, B)`; a single version `A` as `(A, A)`.
fn split_range(range: &str) -> (&str, &str) {
    range.split_once("..").unwrap_or((range, range))
}

/// Every requirement, in the order of the table.
#[derive(Debug, Clone)]
pub struct Table {
    requirements: Vec<Requirement>,
}

/// A requirements table that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("requirements table: {0}")]
pub struct TableError(String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    requirement: Vec<Requirement>,
}

impl Table {
    /// Parse and check a table written in the format of `cases/requirements.toml`.
    pub fn parse(text: &str) -> Result<Table, TableError> {
        let file: File = toml::from_str(text).map_err(|e| TableError(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for requirement in &file.requirement {
            requirement.validate().map_err(|e| TableError(format!("{}: {e}", requirement.id)))?;
            if !seen.insert(requirement.id.as_str()) {
                return Err(TableError(format!("{} appears twice", requirement.id)));
            }
        }
        Ok(Table { requirements: file.requirement })
    }

    /// The requirement with this ID (any case).
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Every requirement, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter()
    }

    /// How many requirements there are.
    pub fn len(&self) -> usize {
        self.requirements.len()
    }

    /// Is the table empty?
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The groups, in table order.
    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for requirement in &self.requirements {
            if !groups.contains(&requirement.group()) {
                groups.push(requirement.group());
            }
        }
        groups
    }
}

/// The built-in table.
pub fn builtin() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    // The embedded file is checked by the test suite, so a failure here is a
    // build of a broken tree; say so loudly rather than cover less.
    TABLE.get_or_init(|| Table::parse(EMBEDDED).unwrap_or_else(|e| panic!("the embedded {e}")))
}

/// Does `text` name `id` or a prefix of it that ends at a `-` boundary
/// (`HTTP` and `HTTP-003` name `HTTP-003-origin`; `HTTP-00` does not)?
pub fn names_prefix(id: &str, text: &str) -> bool {
    let (id, text) = (id.to_ascii_lowercase(), text.to_ascii_lowercase());
    match id.strip_prefix(&text) {
        Some(rest) => rest.is_empty() || rest.starts_with('-') || text.ends_with('-'),
        None => false,
    }
}

#[cfg(test)]
mod tests;
