use super::*;

fn one(fields: &str) -> Result<Table, TableError> {
    Table::parse(&format!("[[requirement]]\nid = \"X-001\"\nkeyword = \"MUST\"\nspec = \"s\"\nsummary = \"do it\"\n{fields}"))
}

#[test]
fn the_builtin_table_loads() {
    let table = builtin();
    assert!(table.len() > 200, "{} requirements", table.len());
    assert!(table.groups().contains(&"L-HTTP"));
}

#[test]
fn versions_are_a_range_of_known_versions() {
    let table = one("test = \"wire\"\nversions = \"2025-03-26..2025-11-25\"").expect("valid");
    let requirement = table.get("x-001").expect("found in any case");
    assert_eq!(requirement.versions(), ["2025-03-26", "2025-06-18", "2025-11-25"]);
    assert!(!requirement.applies_to("2024-11-05") && !requirement.applies_to("2026-07-28"));
    let single = one("test = \"wire\"\nversions = \"2026-07-28\"").expect("valid");
    assert_eq!(single.get("X-001").map(Requirement::versions), Some(vec!["2026-07-28"]));
    let backwards = one("test = \"wire\"\nversions = \"2026-07-28..2024-11-05\"").unwrap_err().to_string();
    assert!(backwards.contains("backwards"), "{backwards}");
    let unknown = one("test = \"wire\"\nversions = \"2030-01-01\"").unwrap_err().to_string();
    assert!(unknown.contains("unknown version `2030-01-01`"), "{unknown}");
}

#[test]
fn only_not_testable_requirements_give_a_reason() {
    let missing = one("test = \"not-testable\"\nversions = \"2026-07-28\"").unwrap_err().to_string();
    assert!(missing.contains("says why"), "{missing}");
    let stray = one("test = \"wire\"\nversions = \"2026-07-28\"\nnot_testable = \"because\"").unwrap_err().to_string();
    assert!(stray.contains("only for requirements"), "{stray}");
    assert!(one("test = \"not-testable\"\nversions = \"2026-07-28\"\nnot_testable = \"internal\"").is_ok());
}

#[test]
fn ids_are_unique_and_well_formed() {
    let entry = "[[requirement]]\nid = \"X-001\"\nkeyword = \"MUST\"\ntest = \"wire\"\nversions = \"2026-07-28\"\nspec = \"s\"\nsummary = \"s\"\n";
    let twice = Table::parse(&format!("{entry}{entry}")).unwrap_err().to_string();
    assert!(twice.contains("X-001 appears twice"), "{twice}");
    let bad = Table::parse(&entry.replace("X-001", "X1")).unwrap_err().to_string();
    assert!(bad.contains("three-digit number"), "{bad}");
}

#[test]
fn groups_and_spec_versions() {
    let table = builtin();
    let legacy = table.get("L-AUTH-002").expect("in the table");
    assert_eq!(legacy.group(), "L-AUTH");
    assert_eq!(legacy.spec_version(), "2025-03-26", "the row names its version");
    assert_eq!(table.get("L-PING-001").map(Requirement::spec_version), Some("2025-11-25"));
    assert_eq!(table.get("HTTP-003").map(Requirement::spec_version), Some("2026-07-28"));
}

#[test]
fn prefixes_end_at_a_dash() {
    assert!(names_prefix("HTTP-003-origin", "http"));
    assert!(names_prefix("HTTP-003-origin", "HTTP-003"));
    assert!(names_prefix("HTTP-003-origin", "HTTP-003-origin"));
    assert!(names_prefix("L-LIFE-001-initialize", "L-"));
    assert!(names_prefix("L-LIFE-001-initialize", "L"));
    assert!(!names_prefix("LIFECYCLE-002-discover", "L"));
    assert!(!names_prefix("HTTP-018-unknown", "HTTP-01"));
}

mod coverage_flags {
    use mcp_reference_server::faults::{Fault, FaultInfo, Scope};

    use super::super::coverage::Coverage;
    use super::*;
    use crate::case::{Case, Catalogue};

    fn table() -> Table {
        let entry = |id: &str, test: &str, versions: &str, why: &str| {
            format!("[[requirement]]\nid = \"{id}\"\nkeyword = \"MUST\"\ntest = \"{test}\"\nversions = \"{versions}\"\nspec = \"s\"\nsummary = \"s\"\n{why}")
        };
        let text = [
            entry("A-001", "wire", "2024-11-05..2026-07-28", ""),
            entry("A-002", "partial", "2026-07-28", ""),
            entry("B-001", "wire", "2024-11-05..2025-11-25", ""),
            entry("B-002", "not-testable", "2026-07-28", "not_testable = \"internal\"\n"),
        ];
        Table::parse(&text.concat()).expect("valid")
    }

    fn case(id: &str, requirements: &str, versions: &str) -> Case {
        let text = format!(
            "id = \"{id}\"\ntitle = \"t\"\nrequirements = {requirements}\nkeyword = \"MUST\"\nspec = \"s\"\nhint = \"h\"\n{versions}\n[[steps]]\nrequest = \"ping\"\nrequirement = \"A-002\"\n"
        );
        toml::from_str(&text).expect("a valid case")
    }

    const FAULTS: &[FaultInfo] = &[
        FaultInfo { fault: Fault::PingError, name: "breaks-a1", breaks: &["A-001"], scope: Scope::AnyTransport, description: "" },
        FaultInfo { fault: Fault::PingNoResponse, name: "breaks-b1", breaks: &["B-001", "schema:X"], scope: Scope::Stdio, description: "" },
        FaultInfo { fault: Fault::ToolsListInvalid, name: "schema-only", breaks: &["schema:Tool"], scope: Scope::Http, description: "" },
        FaultInfo { fault: Fault::CallResultInvalid, name: "typo", breaks: &["C-001"], scope: Scope::Http, description: "" },
    ];

    #[test]
    fn flags_and_counts() {
        let table = table();
        let catalogue = Catalogue {
            cases: vec![case("A-001-x", "[\"A-001\", \"Z-001\"]", "versions = [\"stateless\"]"), case("A-002-y", "[\"A-002\"]", "")],
        };
        let coverage = Coverage::compute(&table, &catalogue, FAULTS);
        let row = |id| coverage.row(id).expect("row");

        // A-002 is cited by both cases: directly, and by a step of A-001-x.
        assert_eq!(row("A-002").cases.len(), 2);
        assert!(row("A-001").covered() && !row("A-001").case_without_fault());
        assert!(row("A-002").case_without_fault());
        assert!(row("B-001").fault_without_case() && !row("B-001").covered());
        assert!(!row("B-002").covered() && !row("B-002").fault_without_case());

        assert_eq!(coverage.unknown_citations.len(), 1);
        assert_eq!(coverage.unknown_citations[0].0, "Z-001");
        assert_eq!(coverage.unknown_fault_entries.iter().map(|(f, e)| (f.name, *e)).collect::<Vec<_>>(), [("typo", "C-001")]);
        assert_eq!(coverage.schema_only_faults.iter().map(|f| f.name).collect::<Vec<_>>(), ["schema-only"]);

        let groups = coverage.by_group();
        assert_eq!(groups.iter().map(|(g, _)| *g).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!((groups[0].1.covered, groups[0].1.testable(), groups[0].1.total), (2, 2, 2));
        assert_eq!((groups[1].1.covered, groups[1].1.testable(), groups[1].1.not_testable), (0, 1, 1));

        // A-001's only case runs in the stateless era, so it is not covered in 2025.
        let versions = coverage.by_version();
        let at = |v: &str| versions.iter().find(|(name, _)| *name == v).expect("version").1;
        assert_eq!((at("2025-11-25").covered, at("2025-11-25").total), (0, 2));
        assert_eq!((at("2026-07-28").covered, at("2026-07-28").total), (2, 3));
        assert_eq!(coverage.total().covered, 2);
    }
}
