//! Every report of one small but representative record: each status, a
//! finding, a transcript with characters that need escaping (markup, quotes,
//! raw control characters, CRLF) and a line too long to print whole.
//!
//! The expected outputs are insta snapshots in `tests/snapshots/`; review a
//! change with `cargo insta review`.

use reports::junit::to_junit;
use reports::terminal::{render, TerminalOptions, CLIP_CHARS};
use reports::{
    from_json, to_json, CaseResult, Direction, Finding, RunRecord, Status, StderrCapture,
    TargetInfo, ToolInfo, TranscriptEntry, FORMAT_VERSION,
};
use roxmltree::Node;

/// A server message that XML and terminals both have to be careful with.
const NASTY: &str = "{\"text\":\"<b>&amp; \\\"quoted\\\" 'single' ]]> tab\\there\"}\u{1b}[31m red\u{0} nul\u{7}\r\n";

fn sample() -> RunRecord {
    let long_line = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{{\"tools\":[{{\"name\":\"echo\",\"description\":\"{}\"}}]}}}}",
        "0123456789".repeat(40)
    );
    assert!(long_line.chars().count() > CLIP_CHARS * 2);

    let case = |case_id: &str, area: &str, version: &str, status: Status| CaseResult {
        case_id: case_id.into(),
        area: area.into(),
        title: format!("Title of {case_id}"),
        requirements: vec![case_id[..case_id.find('-').unwrap() + 4].into()],
        keyword: "MUST".into(),
        spec: format!("basic/{area}.mdx §Section"),
        version: version.into(),
        transport: "stdio".into(),
        status,
        reason: None,
        findings: vec![],
        transcript: vec![],
        duration_ms: 3,
    };
    let entry = |at_ms, direction, text: &str| TranscriptEntry {
        at_ms,
        direction,
        channel: "stdio".into(),
        text: text.into(),
    };

    let pass = case(
        "LIFECYCLE-001-initialize",
        "lifecycle",
        "2025-06-18",
        Status::Pass,
    );

    let mut fail = case(
        "LIFECYCLE-006-unsupported-version",
        "lifecycle",
        "2025-06-18",
        Status::Fail,
    );
    fail.requirements.push("LIFECYCLE-007".into());
    fail.findings.push(Finding {
        requirement: "LIFECYCLE-006".into(),
        keyword: "MUST".into(),
        message: "The server echoed a protocol version it does not support".into(),
        expected: "a protocolVersion the server supports, e.g. \"2025-06-18\"".into(),
        actual: "{\n  \"protocolVersion\": \"1999-01-01\" <wrong>\n}".into(),
        hint: "Answer with the latest version you support & let the client decide".into(),
    });
    fail.transcript = vec![
        entry(
            0,
            Direction::Sent,
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#,
        ),
        entry(4, Direction::Received, NASTY),
        entry(5, Direction::Received, &long_line),
        entry(1250, Direction::Event, "process exited with status 1"),
    ];
    fail.duration_ms = 1251;

    let mut warn = case(
        "TOOLS-004-pagination-cursor",
        "tools",
        "2025-06-18",
        Status::Warn,
    );
    warn.keyword = "SHOULD".into();
    warn.findings.push(Finding {
        requirement: "TOOLS-004".into(),
        keyword: "SHOULD".into(),
        message: "nextCursor is present on the last page".into(),
        expected: "no nextCursor".into(),
        actual: "\"nextCursor\": \"\"".into(),
        hint: "Omit nextCursor when there are no more results".into(),
    });
    warn.transcript = vec![
        entry(
            0,
            Direction::Sent,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#,
        ),
        entry(
            2,
            Direction::Received,
            r#"{"jsonrpc":"2.0","id":3,"result":{"tools":[],"nextCursor":""}}"#,
        ),
    ];

    let mut not_applicable = case(
        "RESOURCES-001-list",
        "resources",
        "2025-06-18",
        Status::NotApplicable,
    );
    not_applicable.reason = Some("the server declares no \"resources\" capability".into());
    not_applicable.duration_ms = 0;

    let mut inconclusive = case(
        "CANCEL-002-ignored-after-response",
        "cancellation",
        "2026-07-28",
        Status::Inconclusive,
    );
    inconclusive.reason =
        Some("the response arrived before the cancellation <could> be sent".into());
    inconclusive.transcript = vec![entry(
        0,
        Direction::Sent,
        r#"{"jsonrpc":"2.0","id":9,"method":"tools/call"}"#,
    )];

    let pass_newer = case(
        "LIFECYCLE-020-server-discover",
        "lifecycle",
        "2026-07-28",
        Status::Pass,
    );

    RunRecord {
        format_version: FORMAT_VERSION,
        tool: ToolInfo {
            name: "mcp-conform".into(),
            version: "0.1.0".into(),
        },
        started_at: "2026-07-30T09:00:00Z".into(),
        duration_ms: 2345,
        target: TargetInfo {
            transport: "stdio".into(),
            endpoint: "node server.js --greeting='<hi & bye>'".into(),
            server_info: Some(serde_json::json!({"name": "demo-server", "version": "1.2.3"})),
            stderr: vec![StderrCapture {
                connection: "2025-06-18 session".into(),
                text: "listening on stdio\nwarning: \u{1b}[33mslow start\u{1b}[0m\n".into(),
                truncated: true,
            }],
        },
        versions: vec!["2025-06-18".into(), "2026-07-28".into()],
        results: vec![pass, fail, warn, not_applicable, inconclusive, pass_newer],
        notes: vec!["version 2024-11-05 was not probed: the server closed stdin".into()],
        gate: None,
        surface: None,
    }
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("run_json", to_json(&sample()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit_xml", to_junit(&sample()));
}

#[test]
fn terminal_snapshot() {
    let plain = render(
        &sample(),
        &TerminalOptions {
            color: false,
            verbose: false,
        },
    );
    insta::assert_snapshot!("terminal", plain);
}

#[test]
fn terminal_color_verbose_snapshot() {
    let text = render(
        &sample(),
        &TerminalOptions {
            color: true,
            verbose: true,
        },
    );
    // Shown as ␛ so the snapshot file stays readable; a raw ESC here can only
    // come from our own styling, since server text is escaped as `\u{1b}`.
    insta::assert_snapshot!("terminal_color_verbose", text.replace('\u{1b}', "␛"));
}

#[test]
fn json_round_trips() {
    let record = sample();
    let text = to_json(&record);
    let back = from_json(&text).expect("our own output reads back");
    assert_eq!(back, record);
    assert_eq!(to_json(&back), text);
}

fn number(node: Node, name: &str) -> usize {
    node.attribute(name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .parse()
        .unwrap()
}

fn children<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Vec<Node<'a, 'input>> {
    node.children().filter(|c| c.has_tag_name(name)).collect()
}

#[test]
fn junit_is_well_formed_and_counts_match() {
    let record = sample();
    let xml = to_junit(&record);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit output is well-formed XML");

    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");

    let suites = children(root, "testsuite");
    let names: Vec<_> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ["lifecycle", "tools", "resources", "cancellation"]);

    let mut seen = std::collections::HashSet::new();
    let mut totals = [0usize; 4];
    for suite in &suites {
        let cases = children(*suite, "testcase");
        let with = |child: &'static str| {
            cases
                .iter()
                .filter(|c| !children(**c, child).is_empty())
                .count()
        };
        let counted = [cases.len(), with("failure"), with("error"), with("skipped")];
        let declared = ["tests", "failures", "errors", "skipped"].map(|a| number(*suite, a));
        assert_eq!(counted, declared, "suite {:?}", suite.attribute("name"));
        for (total, n) in totals.iter_mut().zip(counted) {
            *total += n;
        }

        let millis: f64 = cases
            .iter()
            .map(|c| c.attribute("time").unwrap().parse::<f64>().unwrap())
            .sum();
        let suite_time: f64 = suite.attribute("time").unwrap().parse().unwrap();
        assert!(
            (millis - suite_time).abs() < 1e-9,
            "suite time is the sum of its cases"
        );

        for case in cases {
            let key = (
                case.attribute("classname").unwrap(),
                case.attribute("name").unwrap(),
            );
            assert!(seen.insert(key), "testcase {key:?} is not unique");
        }
    }
    let counts = record.counts();
    assert_eq!(
        totals,
        [
            counts.total(),
            counts.fail,
            counts.inconclusive,
            counts.not_applicable
        ]
    );
    assert_eq!(
        totals,
        ["tests", "failures", "errors", "skipped"].map(|a| number(root, a))
    );
    assert_eq!(root.attribute("time"), Some("2.345"));

    // The escaping is lossless for everything XML can carry: the parsed text
    // holds the server's characters, with controls in visible form.
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    let body = failure.text().unwrap();
    assert!(
        body.contains("<b>&amp; \\\"quoted\\\" 'single' ]]>"),
        "{body}"
    );
    assert!(
        body.contains("\\u{1b}[31m red\\u{0} nul\\u{7}\\u{d}\\u{a}"),
        "{body}"
    );
    let skipped = doc
        .descendants()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert_eq!(
        skipped.attribute("message"),
        Some("the server declares no \"resources\" capability")
    );
}

#[test]
fn terminal_clips_long_lines_and_escapes_controls() {
    let text = render(&sample(), &TerminalOptions::default());
    assert!(
        text.contains(" …[2"),
        "the long line is clipped with a note"
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{0}') && !text.contains('\r'));
    let verbose = render(
        &sample(),
        &TerminalOptions {
            color: false,
            verbose: true,
        },
    );
    assert!(verbose.contains(&"0123456789".repeat(40)));
}
