//! `report.html` of a small fixed record: one result of each status, a
//! finding and a transcript holding the markup a hostile server could send.
//! The whole page is the snapshot (`tests/snapshots/html__report_html.snap`),
//! so a change to its markup, style or script shows up in review.

use reports::html::to_html;
use reports::{from_json, RunRecord};

fn sample() -> RunRecord {
    let result = |case_id: &str, area: &str, version: &str, status: &str| {
        serde_json::json!({
            "case_id": case_id, "area": area, "title": format!("Title of {case_id}"),
            "requirements": [case_id], "keyword": "MUST",
            "spec": format!("basic/{area}.mdx §Section"), "version": version,
            "transport": "stdio", "status": status, "duration_ms": 4,
        })
    };
    let mut fail = result("LIFECYCLE-006", "lifecycle", "2025-06-18", "fail");
    fail["findings"] = serde_json::json!([{
        "requirement": "LIFECYCLE-006", "keyword": "MUST",
        "message": "serverInfo.name is \"</script><img src=x onerror=alert(1)>\"",
        "expected": "a string", "actual": "'<b>bold</b>' & \"quoted\"\n\u{1b}[31m",
        "hint": "Do not answer with markup & <!-- comments",
    }]);
    fail["transcript"] = serde_json::json!([
        { "at_ms": 0, "direction": "sent", "channel": "stdio", "text": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}" },
        { "at_ms": 3, "direction": "received", "channel": "stdio", "text": "{\"name\":\"</script><script>alert(2)</script>\"}" },
        { "at_ms": 9, "direction": "event", "channel": "stdio", "text": "process exited with status 1" },
    ]);
    let mut warn = result("TOOLS-004", "tools", "2025-06-18", "warn");
    warn["keyword"] = "SHOULD".into();
    warn["findings"] = serde_json::json!([{
        "requirement": "TOOLS-004", "keyword": "SHOULD", "message": "nextCursor on the last page",
        "expected": "no nextCursor", "actual": "\"nextCursor\": \"\"", "hint": "Omit nextCursor at the end",
    }]);
    let mut not_applicable = result("RESOURCES-001", "resources", "2026-07-28", "not-applicable");
    not_applicable["reason"] = "no \"resources\" capability".into();
    let mut inconclusive = result("CANCEL-002", "cancellation", "2026-07-28", "inconclusive");
    inconclusive["reason"] = "the answer came <first>".into();
    let record = serde_json::json!({
        "format_version": reports::FORMAT_VERSION,
        "tool": { "name": "mcp-conform", "version": "0.1.0" },
        "started_at": "2026-07-30T09:00:00Z", "duration_ms": 2345,
        "target": {
            "transport": "stdio", "endpoint": "node server.js --name='<x & y>'",
            "server_info": { "name": "demo\"server", "version": "1.2.3" },
            "stderr": [{ "connection": "2025-06-18 session", "text": "</pre><i>hi</i>", "truncated": true }],
        },
        "versions": ["2025-06-18", "2026-07-28"],
        "results": [result("PING-001", "ping", "2025-06-18", "pass"), fail, warn, not_applicable, inconclusive],
        "notes": ["version 2024-11-05 was not probed"],
    });
    from_json(&record.to_string()).expect("the sample is a valid record")
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!("report_html", to_html(&sample()));
}

#[test]
fn filters_list_each_value_with_its_count() {
    let html = to_html(&sample());
    for (name, value, count) in [
        ("status", "pass", 1),
        ("status", "fail", 1),
        ("status", "not-applicable", 1),
        ("area", "lifecycle", 1),
        ("version", "2025-06-18", 3),
        ("version", "2026-07-28", 2),
        ("transport", "stdio", 5),
    ] {
        let label = format!(
            "name=\"{name}\" value=\"{value}\" checked> {value} <span class=\"n\">{count}</span>"
        );
        assert!(html.contains(&label), "{label} not in the page");
    }
    assert!(html.contains("<span class=\"verdict fail\">Not conformant</span>"));
    assert!(html.contains("<dt>server</dt><dd>demo&quot;server 1.2.3</dd>"));
}
