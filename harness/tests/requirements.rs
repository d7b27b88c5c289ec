//! The requirements table (`cases/requirements.toml`) is the project's own;
//! these tests prove that it agrees with the specification's catalogue
//! (`../shared/spec/REQUIREMENTS.md` beside the repository, read at test
//! time), that every ID a case or a fault names is in it, and that `--only`
//! and `--skip` select by case, requirement, group and area.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mcp_conform::case;
use mcp_conform::requirements::{self, coverage, Table};
use mcp_conform::schema;

fn catalogue_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/REQUIREMENTS.md")
}

/// One row of the specification's catalogue.
#[derive(Debug, PartialEq)]
struct SpecRow {
    source: String,
    keyword: String,
    test: char,
}

/// The rows of the catalogue's tables, by ID, and the IDs struck out (retired).
fn spec_rows(text: &str) -> (BTreeMap<String, SpecRow>, Vec<String>) {
    let mut rows = BTreeMap::new();
    let mut retired = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        let (Some(id), Some(test)) = (cells.first(), cells.last()) else { continue };
        if let Some(struck) = id.strip_prefix("~~") {
            retired.push(struck.trim_end_matches("~~").to_string());
            continue;
        }
        let is_id = requirements::group_of(id).starts_with(|c: char| c.is_ascii_uppercase())
            && id.rsplit('-').next().is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
        if !is_id || cells.len() < 5 {
            continue;
        }
        let letter = test.chars().next().unwrap_or('?');
        let row = SpecRow { source: normalise(cells[1]), keyword: normalise(cells[2]), test: letter };
        assert!(rows.insert(id.to_string(), row).is_none(), "{id} appears twice in the catalogue");
    }
    (rows, retired)
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every disagreement between the catalogue's rows and a table, one line each.
fn differences(spec: &BTreeMap<String, SpecRow>, retired: &[String], table: &Table) -> Vec<String> {
    let mut differences = Vec::new();
    for (id, row) in spec {
        let Some(ours) = table.get(id) else {
            differences.push(format!("{id}: in the catalogue, missing from cases/requirements.toml"));
            continue;
        };
        if ours.id != *id {
            differences.push(format!("{id}: written `{}` in cases/requirements.toml", ours.id));
        }
        if normalise(&ours.keyword) != row.keyword {
            differences.push(format!("{id}: keyword `{}` here, `{}` in the catalogue", ours.keyword, row.keyword));
        }
        if ours.test.letter() != row.test {
            differences.push(format!("{id}: test `{}` here, `{}` in the catalogue", ours.test.letter(), row.test));
        }
        if normalise(&ours.spec) != row.source {
            differences.push(format!("{id}: spec `{}` here, `{}` in the catalogue", ours.spec, row.source));
        }
    }
    for ours in table.iter() {
        if !spec.contains_key(&ours.id) {
            let why = if retired.contains(&ours.id) { "retired (struck out)" } else { "not" };
            differences.push(format!("{}: in cases/requirements.toml, {why} in the catalogue", ours.id));
        }
    }
    differences
}

#[test]
fn requirements_agree_with_the_specification_catalogue() {
    let path = catalogue_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIPPED: {} is absent; the agreement test needs the spec checkout beside the repository", path.display());
        return;
    };
    let (spec, retired) = spec_rows(&text);
    assert!(spec.len() > 200, "only {} rows read from {}: has the table format changed?", spec.len(), path.display());
    let differences = differences(&spec, &retired, requirements::builtin());
    assert!(differences.is_empty(), "{} difference(s):\n{}", differences.len(), differences.join("\n"));
}

#[test]
fn the_agreement_check_names_each_difference() {
    let catalogue = "| ID | Source | Kw | Requirement | Test |\n| --- | --- | --- | --- | --- |\n\
                     | X-001 | a.mdx §One | MUST | One. | W |\n\
                     | X-002 | a.mdx §Two | SHOULD | Two. | P |\n\
                     | X-003 | a.mdx §Three | MAY | Three. | W |\n\
                     | ~~X-004~~ | a.mdx §Four | MAY | Gone. | W |\n";
    // X-001 agrees (spacing aside); X-002 differs in keyword and test; X-003 is
    // missing; X-004 is retired in the catalogue.
    let ours = r#"
        [[requirement]]
        id = "X-001"
        keyword = "MUST"
        test = "wire"
        versions = "2026-07-28"
        spec = "a.mdx  §One"
        summary = "one"

        [[requirement]]
        id = "X-002"
        keyword = "MUST"
        test = "wire"
        versions = "2026-07-28"
        spec = "a.mdx §Two"
        summary = "two"

        [[requirement]]
        id = "X-004"
        keyword = "MAY"
        test = "wire"
        versions = "2026-07-28"
        spec = "a.mdx §Four"
        summary = "four"
    "#;
    let table = Table::parse(ours).expect("valid table");
    let (spec, retired) = spec_rows(catalogue);
    let found = differences(&spec, &retired, &table);
    let ids: Vec<&str> = found.iter().map(|line| &line[..5]).collect();
    assert_eq!(ids, ["X-002", "X-002", "X-003", "X-004"], "{found:#?}");
    assert!(found[0].contains("keyword `MUST` here, `SHOULD`") && found[1].contains("test `W` here, `P`"), "{found:#?}");
    assert!(found[2].contains("missing from") && found[3].contains("retired"), "{found:#?}");
}

#[test]
fn every_id_a_case_cites_is_in_the_table() {
    let table = requirements::builtin();
    let mut unknown = Vec::new();
    for case in &case::builtin().cases {
        for id in coverage::citations(case) {
            if table.get(id).is_none() {
                unknown.push(format!("{}: {id}", case.id));
            }
        }
    }
    assert!(unknown.is_empty(), "cases cite IDs missing from cases/requirements.toml:\n{}", unknown.join("\n"));
}

#[test]
fn every_id_a_fault_breaks_is_in_the_table_or_the_schema() {
    let table = requirements::builtin();
    let bundle = schema::bundle();
    let mut unknown = Vec::new();
    for fault in mcp_reference_server::faults::CATALOGUE {
        assert!(!fault.breaks.is_empty(), "fault `{}` names nothing it breaks", fault.name);
        for entry in fault.breaks {
            let known = match entry.strip_prefix(coverage::SCHEMA_PREFIX) {
                // A schema entry names a definition of some version's schema.
                Some(definition) => bundle.versions().any(|v| bundle.version(v).is_some_and(|s| s.has(definition))),
                None => table.get(entry).is_some(),
            };
            if !known {
                unknown.push(format!("{}: {entry}", fault.name));
            }
        }
    }
    assert!(unknown.is_empty(), "faults name unknown IDs:\n{}", unknown.join("\n"));
}

#[test]
fn selectors_pick_by_case_requirement_group_and_area() {
    let ids = |only: &[&str], skip: &[&str]| -> Vec<String> {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        case::builtin().select(&owned(only), &owned(skip)).cases.into_iter().map(|c| c.id).collect()
    };
    let all = ids(&[], &[]);
    let tools = ids(&["tools"], &[]);
    assert!(!tools.is_empty() && tools.iter().all(|id| id.starts_with("TOOLS-")), "{tools:?}");
    assert_eq!(ids(&["TOOLS"], &[]), tools, "a group selects like its area here");
    assert_eq!(ids(&["TOOLS-008"], &[]), ["TOOLS-008-call-results"]);
    assert_eq!(ids(&["tools-008-CALL-results"], &[]), ["TOOLS-008-call-results"], "any case");
    assert!(ids(&["TOOLS-00"], &[]).is_empty(), "a prefix ends at a dash");

    let legacy = ids(&["L"], &[]);
    assert!(!legacy.is_empty() && legacy.iter().all(|id| id.starts_with("L-")), "{legacy:?}");
    let lifecycle = ids(&["lifecycle"], &["L"]);
    assert!(!lifecycle.is_empty() && lifecycle.iter().all(|id| id.starts_with("LIFECYCLE-")), "{lifecycle:?}");

    let without_tools = ids(&[], &["tools"]);
    assert_eq!(without_tools.len() + tools.len(), all.len());
    assert!(without_tools.iter().all(|id| !tools.contains(id)));
}

#[test]
fn unknown_selectors_are_named() {
    let catalogue = case::builtin();
    let selectors = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(catalogue.unknown_selector(&selectors(&["tools", "TOOLZ"])), Some("TOOLZ"));
    // A requirement or group without a case is a name, not a typo.
    assert_eq!(catalogue.unknown_selector(&selectors(&["AUTH", "AUTH-007", "L-TASK", "http", "L"])), None);
}

/// Each `proven_by` entry of the table names a `#[test]` function that
/// exists in the file it names (a renamed or deleted test would leave the
/// requirement counted as covered by nothing).
#[test]
fn every_proven_by_names_an_existing_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut missing = Vec::new();
    let mut entries = 0;
    for requirement in requirements::builtin().iter() {
        for entry in &requirement.proven_by {
            entries += 1;
            let Some((path, name)) = requirements::split_test_path(entry) else {
                missing.push(format!("{}: `{entry}` is not PATH.rs::test_name", requirement.id));
                continue;
            };
            let text = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            if !names_a_test(&text, name) {
                missing.push(format!("{}: no #[test] fn {name} in {path}", requirement.id));
            }
        }
    }
    assert!(entries > 0, "no requirement has a proven_by entry: is the field still read?");
    assert!(missing.is_empty(), "proven_by names tests that do not exist:\n{}", missing.join("\n"));
}

/// Does `source` define `fn name(` directly under a test attribute?
fn names_a_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    lines.iter().enumerate().any(|(n, line)| {
        let defines = line.starts_with(&format!("fn {name}(")) || line.starts_with(&format!("async fn {name}("));
        defines && n > 0 && (lines[n - 1] == "#[test]" || lines[n - 1].starts_with("#[tokio::test"))
    })
}

#[test]
fn a_proven_by_check_tells_tests_from_other_functions() {
    let source = "/// doc\n#[test]\nfn proven() {}\n\nfn helper() {}\n";
    assert!(names_a_test(source, "proven"));
    assert!(!names_a_test(source, "helper"), "not a test");
    assert!(!names_a_test(source, "prove"), "a prefix is not the name");
}
