//! `mcp-conform list --coverage`: every requirement with the cases that cite
//! it and the faults that break it, then the coverage counts per group and
//! per protocol version.

use std::fmt::Write;

use serde_json::{json, Value};

use crate::case::Catalogue;
use crate::requirements::coverage::{Counts, Coverage, Row};
use crate::requirements::{self, Testability};

/// The text listing.
pub(super) fn text(catalogue: &Catalogue) -> String {
    let coverage = compute(catalogue);
    let mut out = String::new();
    requirement_lines(&coverage, &mut out);
    out.push_str("\nCoverage by group (covered: cited by at least one case)\n");
    counts_table("GROUP", coverage.by_group().into_iter().chain([("all", coverage.total())]), &mut out);
    out.push_str("\nCoverage by protocol version (the requirements that apply to it; covered: a case citing it runs there)\n");
    counts_table("VERSION", coverage.by_version().into_iter(), &mut out);
    flags(&coverage, &mut out);
    out
}

/// The same as JSON.
pub(super) fn json(catalogue: &Catalogue) -> Value {
    let coverage = compute(catalogue);
    let rows: Vec<Value> = coverage
        .rows
        .iter()
        .map(|row| {
            let r = row.requirement;
            json!({
                "id": r.id,
                "group": r.group(),
                "keyword": r.keyword,
                "test": r.test.as_str(),
                "versions": r.versions(),
                "spec": r.spec,
                "summary": r.summary,
                "not_testable": r.not_testable,
                "cases": row.cases.iter().map(|c| &c.id).collect::<Vec<_>>(),
                "faults": row.faults.iter().map(|f| f.name).collect::<Vec<_>>(),
                "proven_by": r.proven_by,
                "case_without_fault": row.case_without_fault(),
                "fault_without_case": row.fault_without_case(),
            })
        })
        .collect();
    let counts = |name: &str, c: Counts| json!({ "name": name, "testable": c.testable(), "counts": c });
    json!({
        "requirements": rows,
        "groups": coverage.by_group().into_iter().map(|(g, c)| counts(g, c)).collect::<Vec<_>>(),
        "versions": coverage.by_version().into_iter().map(|(v, c)| counts(v, c)).collect::<Vec<_>>(),
        "total": counts("all", coverage.total()),
        "case_without_fault": coverage.rows.iter().filter(|r| r.case_without_fault()).map(|r| &r.requirement.id).collect::<Vec<_>>(),
        "fault_without_case": coverage.rows.iter().filter(|r| r.fault_without_case()).map(|r| &r.requirement.id).collect::<Vec<_>>(),
        "schema_only_faults": coverage.schema_only_faults.iter().map(|f| json!({ "fault": f.name, "breaks": f.breaks })).collect::<Vec<_>>(),
        "unknown_citations": coverage.unknown_citations.iter().map(|(id, cases)| json!({ "id": id, "cases": cases.iter().map(|c| &c.id).collect::<Vec<_>>() })).collect::<Vec<_>>(),
        "unknown_fault_entries": coverage.unknown_fault_entries.iter().map(|(f, e)| json!({ "fault": f.name, "entry": e })).collect::<Vec<_>>(),
    })
}

fn compute(catalogue: &Catalogue) -> Coverage<'_> {
    Coverage::compute(requirements::builtin(), catalogue, mcp_reference_server::faults::CATALOGUE)
}

/// One line per requirement; cases, faults and remarks continue under the last column.
fn requirement_lines(coverage: &Coverage, out: &mut String) {
    let id_width = coverage.rows.iter().map(|r| r.requirement.id.len()).max().unwrap_or(2);
    let keyword_width = coverage.rows.iter().map(|r| r.requirement.keyword.len()).max().unwrap_or(7);
    let test_width = Testability::NotTestable.as_str().len();
    let indent = " ".repeat(id_width + keyword_width + test_width + 6);
    let _ = writeln!(out, "{:<id_width$}  {:<keyword_width$}  {:<test_width$}  CASES, FAULTS", "ID", "KEYWORD", "TEST");
    for row in &coverage.rows {
        let r = row.requirement;
        let _ = write!(out, "{:<id_width$}  {:<keyword_width$}  {:<test_width$}  ", r.id, r.keyword, r.test.as_str());
        let details = details(row);
        for (n, line) in details.iter().enumerate() {
            if n > 0 {
                out.push_str(&indent);
            }
            out.push_str(line);
            out.push('\n');
        }
    }
}

fn details(row: &Row) -> Vec<String> {
    let mut lines: Vec<String> = row.cases.iter().map(|c| format!("case  {}", c.id)).collect();
    lines.extend(row.faults.iter().map(|f| format!("fault {}", f.name)));
    lines.extend(row.requirement.proven_by.iter().map(|test| format!("proven by {test}")));
    if let Some(why) = &row.requirement.not_testable {
        lines.push(format!("not testable: {why}"));
    } else if lines.is_empty() {
        lines.push("-".into());
    }
    if row.case_without_fault() {
        lines.push("! no fault proves that a case can fail".into());
    }
    if row.fault_without_case() {
        lines.push("! no case checks it".into());
    }
    lines
}

fn counts_table<'a>(label: &str, rows: impl Iterator<Item = (&'a str, Counts)>, out: &mut String) {
    let rows: Vec<_> = rows.collect();
    let width = rows.iter().map(|(name, _)| name.len()).chain([label.len()]).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "{label:<width$}  COVERED  TESTABLE  OF TESTABLE  WIRE  PARTIAL  NOT-TESTABLE  TOTAL"
    );
    for (name, c) in rows {
        let share = match c.testable() {
            0 => "-".to_string(),
            n => format!("{}%", (c.covered * 100 + n / 2) / n),
        };
        let _ = writeln!(
            out,
            "{name:<width$}  {:>7}  {:>8}  {share:>11}  {:>4}  {:>7}  {:>12}  {:>5}",
            c.covered,
            c.testable(),
            c.wire,
            c.partial,
            c.not_testable,
            c.total
        );
    }
}

fn flags(coverage: &Coverage, out: &mut String) {
    let unproven: Vec<&Row> = coverage.rows.iter().filter(|r| r.case_without_fault()).collect();
    if !unproven.is_empty() {
        let _ = writeln!(out, "\nChecked by a case, but no fault proves that the case can fail ({}):", unproven.len());
        for row in unproven {
            let cases: Vec<&str> = row.cases.iter().map(|c| c.id.as_str()).collect();
            let _ = writeln!(out, "  {:<14} {}", row.requirement.id, cases.join(", "));
        }
    }
    let unchecked: Vec<&Row> = coverage.rows.iter().filter(|r| r.fault_without_case()).collect();
    if !unchecked.is_empty() {
        let _ = writeln!(out, "\nBroken by a fault, but no case checks it ({}):", unchecked.len());
        for row in unchecked {
            let faults: Vec<&str> = row.faults.iter().map(|f| f.name).collect();
            let _ = writeln!(out, "  {:<14} {}", row.requirement.id, faults.join(", "));
        }
    }
    if !coverage.schema_only_faults.is_empty() {
        let _ = writeln!(out, "\nFaults that break only schema definitions (every message is checked against the schema, so any case may catch them):");
        for fault in &coverage.schema_only_faults {
            let _ = writeln!(out, "  {:<32} {}", fault.name, fault.breaks.join(", "));
        }
    }
    if !coverage.unknown_citations.is_empty() {
        let _ = writeln!(out, "\nCited by cases but not in the requirements table:");
        for (id, cases) in &coverage.unknown_citations {
            let cases: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
            let _ = writeln!(out, "  {:<14} {}", id, cases.join(", "));
        }
    }
    if !coverage.unknown_fault_entries.is_empty() {
        let _ = writeln!(out, "\nNamed by faults but not in the requirements table:");
        for (fault, entry) in &coverage.unknown_fault_entries {
            let _ = writeln!(out, "  {:<14} {}", entry, fault.name);
        }
    }
}
