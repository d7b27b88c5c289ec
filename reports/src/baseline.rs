//! The baseline file: the failures a server is known to have, so that a CI
//! gate fails only on new ones (the gate itself is [`crate::gate`]).
//!
//! A baseline is TOML, written by `mcp-conform baseline` and edited and
//! reviewed like code. It holds a `format_version` (always
//! [`BASELINE_FORMAT_VERSION`]) and one `[[failure]]` table per entry:
//!
//! ```toml
//! format_version = 1
//!
//! [[failure]]
//! case = "LIFECYCLE-006-unsupported-version"  # required: a case ID
//! version = "2025-06-18"                      # optional: only this protocol version
//! transport = "stdio"                         # optional: only this transport
//! reason = "tracked in #42"                   # optional: why it is accepted
//! ```
//!
//! An entry without `version` (or `transport`) covers every version (or
//! transport). Unknown keys, a second entry with the same case, version and
//! transport, and a `format_version` other than 1 are errors, each reported
//! with the line it is on. [`parse`] also checks the names against what the
//! caller knows ([`Known`]), so a typo in a case ID is an error rather than
//! an entry that silently matches nothing.
//!
//! [`write`] makes a baseline from a run: one entry per gating result, with
//! its version and transport, sorted by case, version and transport, so the
//! same run gives the same bytes. Given the previous baseline, it keeps that
//! file's entries (with their scope and reason) except the stale ones, and
//! adds entries for the failures it did not list.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Deserialize;
use toml::Spanned;

use crate::gate::{covers, deviates, evaluate, gates, EntryOutcome};
use crate::{CaseResult, Error, RunRecord};

/// The version of the baseline file layout this build reads and writes.
pub const BASELINE_FORMAT_VERSION: u32 = 1;

/// A baseline: the entries of one file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The `[[failure]]` entries.
    pub entries: Vec<Entry>,
}

/// One `[[failure]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The case ID.
    pub case: String,
    /// The protocol version it is limited to; `None` covers every version.
    pub version: Option<String>,
    /// The transport it is limited to; `None` covers every transport.
    pub transport: Option<String>,
    /// Why the failure is accepted.
    pub reason: Option<String>,
    /// The line of the entry's `case` key (1-based); 0 for an entry not read
    /// from a file.
    pub line: usize,
}

impl Entry {
    /// Does this entry list `result` (case, and version and transport when given)?
    pub fn lists(&self, result: &CaseResult) -> bool {
        covers(&self.case, &self.version, &self.transport, result)
    }

    /// What makes two entries the same: case, version, transport.
    fn key(&self) -> (&str, Option<&str>, Option<&str>) {
        (
            &self.case,
            self.version.as_deref(),
            self.transport.as_deref(),
        )
    }
}

/// What the caller knows, to check the names an entry uses.
pub struct Known<'a> {
    /// Says why a case ID is unknown (the message may suggest close IDs), or
    /// `Ok` for a known one.
    pub case: &'a dyn Fn(&str) -> Result<(), String>,
    /// The protocol versions there are.
    pub versions: &'a [&'a str],
    /// The transports there are.
    pub transports: &'a [&'a str],
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[allow(dead_code)] // read by the `VersionOnly` pass
    format_version: toml::Value,
    #[serde(default)]
    failure: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    case: Spanned<String>,
    version: Option<Spanned<String>>,
    transport: Option<Spanned<String>>,
    reason: Option<String>,
}

/// Reads a baseline file's text, checking every name against `known`.
///
/// # Errors
///
/// [`Error::Baseline`] with the line and what is wrong: TOML syntax, an
/// unknown key, a missing or unsupported `format_version`, an unknown case,
/// version or transport, or an entry given twice.
pub fn parse(text: &str, known: &Known<'_>) -> Result<Baseline, Error> {
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let syntax = |e: toml::de::Error| Error::Baseline {
        line: e.span().map(|s| line_of(s.start)),
        message: e.message().trim().to_string(),
    };

    // The version first, so a file of another layout is named as such and
    // not as a heap of unknown keys.
    let probe: VersionOnly = toml::from_str(text).map_err(syntax)?;
    let Some(version) = probe.format_version else {
        return Err(Error::Baseline {
            line: None,
            message: format!("no `format_version`; a baseline starts with `format_version = {BASELINE_FORMAT_VERSION}`"),
        });
    };
    if version.get_ref().as_integer() != Some(i64::from(BASELINE_FORMAT_VERSION)) {
        return Err(Error::Baseline {
            line: Some(line_of(version.span().start)),
            message: format!(
                "format_version is {}, but this build reads only version {BASELINE_FORMAT_VERSION}",
                version.get_ref()
            ),
        });
    }

    let raw: RawFile = toml::from_str(text).map_err(syntax)?;
    let mut entries: Vec<Entry> = Vec::new();
    for raw in raw.failure {
        let at = |field: &Spanned<String>| line_of(field.span().start);
        let fail = |line: usize, message: String| Error::Baseline {
            line: Some(line),
            message,
        };
        (known.case)(raw.case.get_ref()).map_err(|m| fail(at(&raw.case), m))?;
        for (field, allowed, what) in [
            (&raw.version, known.versions, "protocol version"),
            (&raw.transport, known.transports, "transport"),
        ] {
            if let Some(value) = field
                .as_ref()
                .filter(|v| !allowed.contains(&v.get_ref().as_str()))
            {
                return Err(fail(
                    at(value),
                    format!(
                        "unknown {what} `{}` (known: {})",
                        value.get_ref(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        let entry = Entry {
            line: at(&raw.case),
            case: raw.case.into_inner(),
            version: raw.version.map(Spanned::into_inner),
            transport: raw.transport.map(Spanned::into_inner),
            reason: raw.reason,
        };
        if let Some(first) = entries.iter().find(|e| e.key() == entry.key()) {
            return Err(fail(
                entry.line,
                format!("the same failure is listed at line {}", first.line),
            ));
        }
        entries.push(entry);
    }
    Ok(Baseline { entries })
}

/// Writes a baseline from `record`: an entry with case, version and
/// transport for each result that gates (`fail`, or `warn` under `strict`).
///
/// With `previous`, its entries are kept as they are (scope, reason), except
/// stale ones, and entries are added only for gating results none of them
/// lists; entries the run could not check (not run, inconclusive) stay.
/// The output is sorted and ends with a newline, so writing twice from the
/// same run, or again from a run judged by this output, gives the same bytes.
pub fn write(record: &RunRecord, strict: bool, previous: Option<&Baseline>) -> String {
    let empty = Baseline::default();
    let previous = previous.unwrap_or(&empty);
    let gate = evaluate(record, previous, "", strict, true);
    let mut entries: Vec<Entry> = previous
        .entries
        .iter()
        .zip(&gate.entries)
        .filter(|(_, verdict)| verdict.outcome != EntryOutcome::Stale)
        .map(|(entry, _)| entry.clone())
        .collect();
    let unlisted = record.results.iter().filter(|r| {
        deviates(r) && gates(r, strict) && !previous.entries.iter().any(|e| e.lists(r))
    });
    entries.extend(unlisted.map(|r| Entry {
        case: r.case_id.clone(),
        version: Some(r.version.clone()),
        transport: Some(r.transport.clone()),
        reason: None,
        line: 0,
    }));

    let mut seen = BTreeSet::new();
    entries.sort_by(|a, b| a.key().cmp(&b.key()).then_with(|| a.reason.cmp(&b.reason)));
    entries.retain(|e| seen.insert((e.case.clone(), e.version.clone(), e.transport.clone())));

    let mut text = String::from(HEADER);
    let _ = writeln!(text, "format_version = {BASELINE_FORMAT_VERSION}");
    for entry in &entries {
        text.push_str("\n[[failure]]\n");
        let _ = writeln!(text, "case = {}", quoted(&entry.case));
        for (key, value) in [
            ("version", &entry.version),
            ("transport", &entry.transport),
            ("reason", &entry.reason),
        ] {
            if let Some(value) = value {
                let _ = writeln!(text, "{key} = {}", quoted(value));
            }
        }
    }
    text
}

const HEADER: &str = "\
# mcp-conform baseline: failures this server is known to have.
# `mcp-conform run --baseline FILE` fails only on failures not listed here,
# and on entries whose case no longer fails (stale; see --allow-stale).
# Each [[failure]] names a case; `version` and `transport` narrow it (drop
# them to cover every version or transport); `reason` says why it is accepted.
";

/// A TOML basic string, escaped as TOML requires.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};
    use crate::Status;

    const VERSIONS: &[&str] = &["2025-06-18", "2025-11-25"];
    const TRANSPORTS: &[&str] = &["stdio", "streamable-http", "sse"];

    fn known_case(id: &str) -> Result<(), String> {
        if id.starts_with("REQ-") {
            Ok(())
        } else {
            Err(format!("unknown case `{id}`"))
        }
    }

    fn read(text: &str) -> Result<Baseline, Error> {
        parse(
            text,
            &Known {
                case: &known_case,
                versions: VERSIONS,
                transports: TRANSPORTS,
            },
        )
    }

    /// The error's line and message.
    fn error(text: &str) -> (Option<usize>, String) {
        match read(text) {
            Err(Error::Baseline { line, message }) => (line, message),
            other => panic!("expected a baseline error, got {other:?}"),
        }
    }

    #[test]
    fn reads_entries_with_their_lines() {
        let text = "format_version = 1\n\n[[failure]]\ncase = \"REQ-001-fail\"\nreason = \"known\"\n\n[[failure]]\ncase = \"REQ-001-fail\"\nversion = \"2025-06-18\"\ntransport = \"sse\"\n";
        let baseline = read(text).unwrap();
        assert_eq!(baseline.entries.len(), 2);
        assert_eq!(
            (
                baseline.entries[0].line,
                baseline.entries[0].reason.as_deref()
            ),
            (4, Some("known"))
        );
        assert_eq!(baseline.entries[1].line, 8);
        assert_eq!(baseline.entries[1].transport.as_deref(), Some("sse"));
        assert!(read("format_version = 1\n").unwrap().entries.is_empty());
    }

    #[test]
    fn malformed_files_say_the_line_and_what_is_wrong() {
        assert_eq!(
            error("format_version = 1\n[[failure]]\ncase = \"REQ-1\"\nreasn = \"x\"\n").0,
            Some(4)
        );
        assert!(
            error("format_version = 1\n[[failure]]\ncase = \"REQ-1\"\nreasn = \"x\"\n")
                .1
                .contains("unknown field `reasn`")
        );
        assert_eq!(error("format_version = 1\n[[failure]\n").0, Some(2));
        assert_eq!(
            error("format_version = 1\n[[failure]]\nversion = \"2025-06-18\"\n").1,
            "missing field `case`"
        );
        assert!(error("[[failure]]\ncase = \"REQ-1\"\n")
            .1
            .contains("no `format_version`"));
        assert_eq!(
            error("\nformat_version = 2\n[[failure]]\nwhatever = 1\n"),
            (
                Some(2),
                "format_version is 2, but this build reads only version 1".into()
            )
        );
        assert_eq!(
            error("format_version = 1\n[[failure]]\ncase = \"TYPO-1\"\n"),
            (Some(3), "unknown case `TYPO-1`".into())
        );
        assert_eq!(
            error("format_version = 1\n[[failure]]\ncase = \"REQ-1\"\nversion = \"2025-13-01\"\n"),
            (
                Some(4),
                "unknown protocol version `2025-13-01` (known: 2025-06-18, 2025-11-25)".into()
            )
        );
        assert!(
            error("format_version = 1\n[[failure]]\ncase = \"REQ-1\"\ntransport = \"ws\"\n")
                .1
                .starts_with("unknown transport `ws`")
        );
        assert_eq!(
            error("format_version = 1\n[[failure]]\ncase = \"REQ-1\"\n[[failure]]\ncase = \"REQ-1\"\n"),
            (Some(5), "the same failure is listed at line 3".into())
        );
    }

    fn failing(case: &str, version: &str) -> CaseResult {
        let mut r = result(Status::Fail);
        r.case_id = case.into();
        r.version = version.into();
        r
    }

    #[test]
    fn writes_sorted_stable_entries_that_read_back() {
        let record = record_with(vec![
            failing("REQ-002-b", "2025-11-25"),
            result(Status::Pass),
            failing("REQ-001-a", "2025-11-25"),
            failing("REQ-001-a", "2025-06-18"),
            result(Status::Warn),
            result(Status::Inconclusive),
        ]);
        let text = write(&record, false, None);
        let cases: Vec<_> = text
            .lines()
            .filter(|l| l.starts_with("case") || l.starts_with("version"))
            .collect();
        assert_eq!(
            cases,
            [
                "case = \"REQ-001-a\"",
                "version = \"2025-06-18\"",
                "case = \"REQ-001-a\"",
                "version = \"2025-11-25\"",
                "case = \"REQ-002-b\"",
                "version = \"2025-11-25\"",
            ],
            "{text}"
        );
        let read_back = read(&text).unwrap();
        assert_eq!(read_back.entries.len(), 3);
        let gate = evaluate(&record, &read_back, "b", false, false);
        assert!(gate.passed, "{gate:#?}");
        assert_eq!(
            write(&record, false, Some(&read_back)),
            text,
            "rewriting from its own run changes nothing"
        );

        // Under --strict the warning gates, so it is written too.
        assert!(write(&record, true, None).contains("case = \"REQ-001-warn\""));
    }

    #[test]
    fn rewriting_keeps_reasons_and_unchecked_entries_and_drops_stale_ones() {
        let previous = read(
            "format_version = 1\n\
             [[failure]]\ncase = \"REQ-001-a\"\nreason = \"upstream bug \\\"42\\\"\"\n\
             [[failure]]\ncase = \"REQ-009-not-run\"\n\
             [[failure]]\ncase = \"REQ-001-pass\"\n",
        )
        .unwrap();
        let record = record_with(vec![
            failing("REQ-001-a", "2025-06-18"),
            failing("REQ-003-new", "2025-06-18"),
            result(Status::Pass),
        ]);
        let text = write(&record, false, Some(&previous));
        let read_back = read(&text).unwrap();
        let summary: Vec<(&str, Option<&str>, Option<&str>)> = read_back
            .entries
            .iter()
            .map(|e| (e.case.as_str(), e.version.as_deref(), e.reason.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("REQ-001-a", None, Some("upstream bug \"42\"")),
                ("REQ-003-new", Some("2025-06-18"), None),
                ("REQ-009-not-run", None, None),
            ],
            "{text}"
        );
    }
}
