//! `mcp-conform explain ID`: what a requirement asks, where the spec says it,
//! the cases that check it (with their hint) and the faults that break it.

use std::fmt::Write;
use std::path::PathBuf;

use super::CliError;
use crate::case::{self, Case, Catalogue};
use crate::requirements::coverage::{citations, Coverage, Row};
use crate::requirements::{self, names_prefix};

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A requirement ID (`HTTP-003`), a case ID (`TOOLS-008-call-results`) or a
    /// requirement group (`L-HTTP`: each of its requirements).
    id: String,

    /// Also load the cases under this folder (same format as `cases/`).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
}

pub fn explain(args: ExplainArgs) -> Result<i32, CliError> {
    let mut catalogue = case::builtin();
    if let Some(dir) = &args.cases {
        catalogue.extend(case::load_dir(dir)?);
    }
    print!("{}", render(&catalogue, args.id.trim())?);
    Ok(0)
}

/// The explanation of `id` (a requirement, a case or a group), or a usage
/// error naming close matches.
fn render(catalogue: &Catalogue, id: &str) -> Result<String, CliError> {
    let coverage = Coverage::compute(requirements::builtin(), catalogue, mcp_reference_server::faults::CATALOGUE);
    let mut out = String::new();
    if let Some(row) = coverage.row(id) {
        requirement(row, &mut out);
    } else if let Some(case) = catalogue.cases.iter().find(|c| c.id.eq_ignore_ascii_case(id)) {
        case_header(case, &mut out);
        for cited in citations(case) {
            out.push('\n');
            match coverage.row(cited) {
                Some(row) => requirement(row, &mut out),
                None => {
                    let _ = writeln!(out, "{cited}: not in the requirements table");
                }
            }
        }
    } else if coverage.rows.iter().any(|r| r.requirement.group().eq_ignore_ascii_case(id)) {
        let group = coverage.rows.iter().filter(|r| r.requirement.group().eq_ignore_ascii_case(id));
        for (n, row) in group.enumerate() {
            if n > 0 {
                out.push('\n');
            }
            requirement(row, &mut out);
        }
    } else {
        return Err(CliError::Usage(unknown(catalogue, id)));
    }
    Ok(out)
}

fn requirement(row: &Row, out: &mut String) {
    let r = row.requirement;
    let _ = writeln!(out, "{}  {}  ({})", r.id, r.keyword, r.test.as_str());
    let _ = writeln!(out, "  {}", r.summary);
    let _ = writeln!(out, "  spec:      {} [{} text]", r.spec, r.spec_version());
    let _ = writeln!(out, "  versions:  {}", r.versions().join(", "));
    if let Some(why) = &r.not_testable {
        let _ = writeln!(out, "  not testable: {why}");
    }
    if row.cases.is_empty() {
        let _ = writeln!(out, "  cases:     none yet");
    }
    for (n, case) in row.cases.iter().enumerate() {
        let label = if n == 0 { "cases:" } else { "" };
        let _ = writeln!(out, "  {label:<10} {}: {}", case.id, case.title);
        let _ = writeln!(out, "  {:<10}   on failure: {}", "", case.hint);
    }
    if row.faults.is_empty() && !row.proven_by_test() {
        let _ = writeln!(out, "  faults:    none");
    }
    for (n, fault) in row.faults.iter().enumerate() {
        let label = if n == 0 { "faults:" } else { "" };
        let _ = writeln!(out, "  {label:<10} {} ({}): {}", fault.name, fault.scope.label(), fault.description);
    }
    for (n, test) in r.proven_by.iter().enumerate() {
        let label = if n == 0 { "proven by:" } else { "" };
        let _ = writeln!(out, "  {label:<10} {test} (the suite tolerates the behaviour: the reference server shows it, no case fails)");
    }
}

fn case_header(case: &Case, out: &mut String) {
    let all = |list: &Option<Vec<String>>, what: &str| list.as_ref().map_or(format!("all {what}"), |l| l.join(", "));
    let _ = writeln!(out, "case {} [{}]: {}", case.id, case.area, case.title);
    let _ = writeln!(out, "  keyword:    {}", case.keyword.as_str());
    let _ = writeln!(out, "  spec:       {}", case.spec);
    let _ = writeln!(out, "  runs on:    {}; {}", all(&case.versions, "versions"), all(&case.transports, "transports"));
    if !case.requires.is_empty() {
        let _ = writeln!(out, "  requires:   {}", case.requires.join(", "));
    }
    let _ = writeln!(out, "  on failure: {}", case.hint);
}

/// One line: the ID is unknown, with the closest IDs when there are some.
fn unknown(catalogue: &Catalogue, id: &str) -> String {
    let ids = requirements::builtin().iter().map(|r| r.id.as_str()).chain(catalogue.cases.iter().map(|c| c.id.as_str()));
    let names = closest(ids, id);
    let mut message = format!("`{id}` is neither a requirement ID (e.g. HTTP-003) nor a case ID (see `mcp-conform list --coverage`)");
    if !names.is_empty() {
        let _ = write!(message, "; did you mean {}?", names.join(", "));
    }
    message
}

/// The candidates closest to `id`, for a "did you mean": those it is a
/// prefix of (a requirement ID names its cases), else those at the smallest
/// edit distance up to 2; at most five.
pub(super) fn closest<'a>(candidates: impl Iterator<Item = &'a str>, id: &str) -> Vec<&'a str> {
    let wanted = id.to_ascii_lowercase();
    let mut close: Vec<(usize, &str)> = candidates
        .filter_map(|candidate| {
            let distance = edit_distance(&wanted, &candidate.to_ascii_lowercase());
            let prefix = names_prefix(candidate, id);
            (distance <= 2 || prefix).then_some((if prefix { 0 } else { distance }, candidate))
        })
        .collect();
    close.sort();
    // Only the closest ones: a longer list hides the likely answer.
    let best = close.first().map_or(0, |(distance, _)| *distance);
    close.iter().take_while(|(d, _)| *d == best).take(5).map(|(_, name)| *name).collect()
}

/// Levenshtein distance, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("http-003", "http-003"), 0);
        assert_eq!(edit_distance("htp-003", "http-003"), 1);
        assert_eq!(edit_distance("http-030", "http-003"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn unknown_ids_suggest_close_ones() {
        let catalogue = case::builtin();
        let message = unknown(&catalogue, "HTTP-0003");
        assert!(message.contains("did you mean HTTP-003"), "{message}");
        assert!(!unknown(&catalogue, "zzzzzzzzzzzz").contains("did you mean"));
    }

    #[test]
    fn a_case_explains_every_requirement_it_cites() {
        let catalogue = case::builtin();
        let case = catalogue.cases.first().expect("a built-in case");
        let text = render(&catalogue, &case.id.to_ascii_lowercase()).expect("known case");
        assert!(text.starts_with(&format!("case {}", case.id)), "{text}");
        for id in citations(case) {
            assert!(text.contains(&format!("\n{id}  ")), "{id} missing from:\n{text}");
        }
    }
}
