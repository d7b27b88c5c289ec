//! Coverage: which cases cite each requirement, and which faults of the
//! reference server break it (proving that a case can fail).
//!
//! A requirement is *covered* when at least one case cites it, in
//! `requirements` or as the `requirement` of a step or an assert, or when a
//! harness test named in its `proven_by` proves that the suite tolerates the
//! behaviour it allows (a MAY that no fault can make fail: the test runs the
//! reference server showing the behaviour and finds no failure). A fault
//! entry written `schema:Name` names a schema definition, not a requirement:
//! such entries are kept apart.

use mcp_reference_server::faults::FaultInfo;

use super::{Requirement, Table, Testability};
use crate::case::{Case, Catalogue};
use crate::version;

/// The prefix of fault entries that name a schema definition.
pub const SCHEMA_PREFIX: &str = "schema:";

/// One requirement with what cites it and what breaks it.
#[derive(Debug)]
pub struct Row<'a> {
    /// The requirement.
    pub requirement: &'a Requirement,
    /// The cases that cite it.
    pub cases: Vec<&'a Case>,
    /// The reference server's faults that break it.
    pub faults: Vec<&'a FaultInfo>,
}

impl Row<'_> {
    /// Does at least one case cite it, or a harness test prove it?
    pub fn covered(&self) -> bool {
        !self.cases.is_empty() || self.proven_by_test()
    }

    /// Does a harness test prove that the suite tolerates what it allows?
    pub fn proven_by_test(&self) -> bool {
        !self.requirement.proven_by.is_empty()
    }

    /// Does it apply to `version`, and does a case citing it run there (or a
    /// harness test prove it, which runs every version the server speaks)?
    pub fn covered_in(&self, version: &str) -> bool {
        self.requirement.applies_to(version) && (self.proven_by_test() || self.cases.iter().any(|c| c.covers_version(version)))
    }

    /// A case checks it, but neither a fault nor a harness test proves that
    /// the check can tell.
    pub fn case_without_fault(&self) -> bool {
        !self.cases.is_empty() && self.faults.is_empty() && !self.proven_by_test()
    }

    /// A fault breaks it, but no case checks it.
    pub fn fault_without_case(&self) -> bool {
        !self.faults.is_empty() && self.cases.is_empty()
    }
}

/// Counts over a set of requirements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Requirements cited by at least one case.
    pub covered: usize,
    /// Testable on the wire.
    pub wire: usize,
    /// Partly testable.
    pub partial: usize,
    /// Not testable by a black box.
    pub not_testable: usize,
    /// All of them.
    pub total: usize,
}

impl Counts {
    /// Wire and partly testable requirements.
    pub fn testable(&self) -> usize {
        self.wire + self.partial
    }

    fn add(&mut self, requirement: &Requirement, covered: bool) {
        self.total += 1;
        self.covered += usize::from(covered);
        match requirement.test {
            Testability::Wire => self.wire += 1,
            Testability::Partial => self.partial += 1,
            Testability::NotTestable => self.not_testable += 1,
        }
    }
}

/// The requirements table joined with a catalogue of cases and a fault table.
#[derive(Debug)]
pub struct Coverage<'a> {
    /// One row per requirement, in table order.
    pub rows: Vec<Row<'a>>,
    /// IDs that cases cite but the table lacks, with the citing cases.
    pub unknown_citations: Vec<(String, Vec<&'a Case>)>,
    /// Fault entries that are neither a requirement ID nor `schema:Name`.
    pub unknown_fault_entries: Vec<(&'a FaultInfo, &'a str)>,
    /// Faults whose entries are all schema definitions.
    pub schema_only_faults: Vec<&'a FaultInfo>,
}

/// Every requirement ID a case cites, first appearance first.
pub fn citations(case: &Case) -> Vec<&str> {
    let steps = case.steps.iter().flat_map(|s| s.requirement.iter().chain(s.asserts.iter().filter_map(|a| a.requirement.as_ref())));
    let mut ids: Vec<&str> = Vec::new();
    for id in case.requirements.iter().chain(steps) {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    ids
}

impl<'a> Coverage<'a> {
    /// Join `table` with the cases of `catalogue` and the `faults`.
    pub fn compute(table: &'a Table, catalogue: &'a Catalogue, faults: &'a [FaultInfo]) -> Coverage<'a> {
        let mut rows: Vec<Row<'a>> =
            table.iter().map(|requirement| Row { requirement, cases: Vec::new(), faults: Vec::new() }).collect();
        // Rows are in table order, so a position in the table is a row index.
        let index = |id: &str| table.iter().position(|r| r.id.eq_ignore_ascii_case(id));

        let mut unknown_citations: Vec<(String, Vec<&'a Case>)> = Vec::new();
        for case in &catalogue.cases {
            for id in citations(case) {
                match index(id) {
                    Some(at) => rows[at].cases.push(case),
                    None => match unknown_citations.iter_mut().find(|(known, _)| known == id) {
                        Some((_, cases)) => cases.push(case),
                        None => unknown_citations.push((id.to_string(), vec![case])),
                    },
                }
            }
        }

        let mut unknown_fault_entries = Vec::new();
        let mut schema_only_faults = Vec::new();
        for fault in faults {
            for entry in fault.breaks {
                if entry.starts_with(SCHEMA_PREFIX) {
                    continue;
                }
                match index(entry) {
                    Some(at) => rows[at].faults.push(fault),
                    None => unknown_fault_entries.push((fault, *entry)),
                }
            }
            if !fault.breaks.is_empty() && fault.breaks.iter().all(|e| e.starts_with(SCHEMA_PREFIX)) {
                schema_only_faults.push(fault);
            }
        }
        Coverage { rows, unknown_citations, unknown_fault_entries, schema_only_faults }
    }

    /// The row of a requirement ID (any case).
    pub fn row(&self, id: &str) -> Option<&Row<'a>> {
        self.rows.iter().find(|r| r.requirement.id.eq_ignore_ascii_case(id))
    }

    /// Counts per group, in table order.
    pub fn by_group(&self) -> Vec<(&'a str, Counts)> {
        let mut groups: Vec<(&'a str, Counts)> = Vec::new();
        for row in &self.rows {
            let group = row.requirement.group();
            let at = match groups.iter().position(|(g, _)| *g == group) {
                Some(at) => at,
                None => {
                    groups.push((group, Counts::default()));
                    groups.len() - 1
                }
            };
            groups[at].1.add(row.requirement, row.covered());
        }
        groups
    }

    /// Counts per protocol version, over the requirements that apply to it;
    /// covered means a case citing it runs in that version.
    pub fn by_version(&self) -> Vec<(&'static str, Counts)> {
        version::ALL
            .iter()
            .map(|&v| {
                let mut counts = Counts::default();
                for row in self.rows.iter().filter(|r| r.requirement.applies_to(v)) {
                    counts.add(row.requirement, row.covered_in(v));
                }
                (v, counts)
            })
            .collect()
    }

    /// Counts over the whole table.
    pub fn total(&self) -> Counts {
        let mut counts = Counts::default();
        for row in &self.rows {
            counts.add(row.requirement, row.covered());
        }
        counts
    }
}
