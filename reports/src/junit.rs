//! JUnit XML, the report CI systems read to show and track test results.
//!
//! The mapping, chosen so that a CI tool can follow one check across runs:
//!
//! | run record | JUnit |
//! | --- | --- |
//! | the run | `<testsuites name="mcp-conform">`, `time` = the run's wall time |
//! | an area (`lifecycle`, `tools`, ...) | `<testsuite name="<area>">`, in order of first appearance |
//! | a case × version × transport | `<testcase name="<case_id>" classname="<area>.<version>.<transport>">` |
//! | `pass` | an empty `<testcase/>` |
//! | `fail` | `<failure>`: findings, then the transcript |
//! | `inconclusive` | `<error>`: it is not the server's fault that the harness could not decide |
//! | `not-applicable` | `<skipped message="<reason>"/>` |
//! | `warn` | passes; findings and transcript in `<system-out>` |
//! | the surface compared with a snapshot (`--snapshot FILE`) | `<testsuite name="surface">` with one `<testcase name="<FILE>" classname="surface">` |
//! | its gate failed | `<failure>`: every change with its class |
//! | it passed with changes | every change in `<system-out>` |
//!
//! `name` is the stable case ID and the version and transport sit in
//! `classname`, so the pair is unique in a run and the same from one run to
//! the next. Each `time` is in seconds; a suite's is the sum of its cases'.
//!
//! The XML is written by hand: the format is a handful of elements, and
//! owning the escaping lets every character a server sent stay visible,
//! including the control characters that XML 1.0 forbids and that a generic
//! writer would reject or pass through into an unreadable document.

use std::fmt::Write as _;

use crate::surface::SurfaceCheck;
use crate::text::{seconds, visible, Lines};
use crate::{CaseResult, RunRecord, Status, StatusCounts};

/// Writes `record` as a JUnit XML document (UTF-8, ending with a newline).
pub fn to_junit(record: &RunRecord) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut counts = record.counts();
    // The surface's testcase counts among the run's.
    if let Some(surface) = &record.surface {
        counts = add_surface(counts, surface);
    }
    xml.push_str("<testsuites");
    attr(&mut xml, "name", "mcp-conform");
    count_attrs(&mut xml, &counts);
    attr(&mut xml, "time", &seconds(record.duration_ms));
    attr(&mut xml, "timestamp", &record.started_at);
    xml.push_str(">\n");

    for (area, results) in by_area(&record.results) {
        let counts = StatusCounts::of(results.iter().copied());
        let time: u64 = results.iter().map(|r| r.duration_ms).sum();
        xml.push_str("  <testsuite");
        attr(&mut xml, "name", area);
        count_attrs(&mut xml, &counts);
        attr(&mut xml, "time", &seconds(time));
        attr(&mut xml, "timestamp", &record.started_at);
        xml.push_str(">\n");
        for result in results {
            testcase(&mut xml, result);
        }
        xml.push_str("  </testsuite>\n");
    }
    if let Some(surface) = &record.surface {
        surface_suite(&mut xml, surface, &record.started_at);
    }
    xml.push_str("</testsuites>\n");
    xml
}

fn testcase(xml: &mut String, result: &CaseResult) {
    xml.push_str("    <testcase");
    attr(xml, "name", &result.case_id);
    let classname = format!("{}.{}.{}", result.area, result.version, result.transport);
    attr(xml, "classname", &classname);
    attr(xml, "time", &seconds(result.duration_ms));

    let reason = result.reason.as_deref();
    match result.status {
        Status::Pass => xml.push_str("/>\n"),
        Status::Fail => {
            let message = failure_message(result);
            let kind = result
                .findings
                .first()
                .map_or(result.keyword.as_str(), |f| &f.keyword);
            child(
                xml,
                "failure",
                &[("message", &message), ("type", kind)],
                &evidence(result),
            );
        }
        Status::Inconclusive => {
            let message = reason.unwrap_or("inconclusive");
            child(
                xml,
                "error",
                &[("message", message), ("type", "inconclusive")],
                &evidence(result),
            );
        }
        Status::NotApplicable => {
            let message = reason.unwrap_or("not applicable");
            child(xml, "skipped", &[("message", message)], "");
        }
        Status::Warn => child(xml, "system-out", &[], &evidence(result)),
    }
}

/// The surface as a one-testcase suite: it fails when its gate failed.
fn surface_suite(xml: &mut String, surface: &SurfaceCheck, started_at: &str) {
    xml.push_str("  <testsuite");
    attr(xml, "name", "surface");
    count_attrs(xml, &add_surface(StatusCounts::default(), surface));
    attr(xml, "time", &seconds(0));
    attr(xml, "timestamp", started_at);
    xml.push_str(">\n    <testcase");
    attr(xml, "name", &surface.snapshot);
    attr(xml, "classname", "surface");
    attr(xml, "time", &seconds(0));
    let mut body = String::new();
    for change in &surface.changes {
        let versions = surface.partial_versions(change).map(|v| format!(" [{v}]")).unwrap_or_default();
        let _ = writeln!(body, "{:<13} {}: {}{versions}", change.class.label(), change.path, change.what);
    }
    let message = format!("surface gate {} ({})", surface.verdict_text(), surface.count_text());
    if !surface.passed {
        child(xml, "failure", &[("message", &message), ("type", "surface")], &body);
    } else if surface.changes.is_empty() {
        xml.push_str("/>\n");
    } else {
        child(xml, "system-out", &[], &format!("{message}\n{body}"));
    }
    xml.push_str("  </testsuite>\n");
}

/// `counts` with the surface's testcase added: a failure when its gate failed.
fn add_surface(mut counts: StatusCounts, surface: &SurfaceCheck) -> StatusCounts {
    if surface.passed {
        counts.pass += 1;
    } else {
        counts.fail += 1;
    }
    counts
}

/// Closes the open `<testcase` with one child element and `</testcase>`.
fn child(xml: &mut String, name: &str, attrs: &[(&str, &str)], body: &str) {
    xml.push_str(">\n      <");
    xml.push_str(name);
    for (key, value) in attrs {
        attr(xml, key, value);
    }
    if body.is_empty() {
        xml.push_str("/>\n");
    } else {
        xml.push('>');
        escape_into(xml, body, Context::Text);
        let _ = writeln!(xml, "</{name}>");
    }
    xml.push_str("    </testcase>\n");
}

/// The one-line summary CI tools show next to a failed test.
fn failure_message(result: &CaseResult) -> String {
    match result.findings.as_slice() {
        [] => format!("{} failed", result.case_id),
        [only] => format!("{}: {}", only.requirement, only.message),
        [first, rest @ ..] => format!(
            "{}: {} (and {} more finding{})",
            first.requirement,
            first.message,
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

/// The plain-text body of a failure, error or warning: what the case checks,
/// where the spec says so, the findings, then the full transcript (CI keeps
/// this file, so nothing is truncated here; the harness already caps sizes).
fn evidence(result: &CaseResult) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "{}", result.title);
    let _ = writeln!(body, "spec: {}", result.spec);
    let _ = writeln!(body, "requirements: {}", result.requirements.join(", "));
    if let Some(reason) = &result.reason {
        let _ = writeln!(body, "reason: {}", visible(reason, Lines::Keep));
    }
    for finding in &result.findings {
        let _ = writeln!(
            body,
            "\n[{}] {}: {}",
            finding.requirement, finding.keyword, finding.message
        );
        for (label, value) in [
            ("expected", &finding.expected),
            ("actual", &finding.actual),
            ("hint", &finding.hint),
        ] {
            let value = visible(value, Lines::Keep).replace('\n', "\n            ");
            let _ = writeln!(body, "  {label:<9} {value}");
        }
    }
    if !result.transcript.is_empty() {
        body.push_str("\ntranscript:\n");
        for entry in &result.transcript {
            let _ = writeln!(
                body,
                "  +{}ms {} {} {}",
                entry.at_ms,
                crate::text::arrow(entry.direction),
                entry.channel,
                visible(&entry.text, Lines::Escape)
            );
        }
    }
    body
}

fn count_attrs(xml: &mut String, counts: &StatusCounts) {
    attr(xml, "tests", &counts.total().to_string());
    attr(xml, "failures", &counts.fail.to_string());
    attr(xml, "errors", &counts.inconclusive.to_string());
    attr(xml, "skipped", &counts.not_applicable.to_string());
}

fn attr(xml: &mut String, name: &str, value: &str) {
    let _ = write!(xml, " {name}=\"");
    escape_into(xml, value, Context::Attribute);
    xml.push('"');
}

/// Results grouped by area, areas in order of first appearance (the run's
/// order, which the harness keeps stable), results in run order.
fn by_area(results: &[CaseResult]) -> Vec<(&str, Vec<&CaseResult>)> {
    let mut groups: Vec<(&str, Vec<&CaseResult>)> = Vec::new();
    for result in results {
        match groups.iter_mut().find(|(area, _)| *area == result.area) {
            Some((_, members)) => members.push(result),
            None => groups.push((&result.area, vec![result])),
        }
    }
    groups
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

/// Appends `text` escaped for XML 1.0.
///
/// Beyond the five markup characters: inside an attribute, tab and line feed
/// become character references because a parser would otherwise normalize
/// them to spaces; a carriage return always does, because parsers drop it
/// from line ends. Other control characters (XML 1.0 forbids most of them
/// even as references) and U+FFFE/U+FFFF are written in the visible `\u{..}`
/// notation used by every report.
fn escape_into(xml: &mut String, text: &str, context: Context) {
    for c in text.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            // Only needed in `]]>`, but always escaping it is simpler.
            '>' => xml.push_str("&gt;"),
            '"' if context == Context::Attribute => xml.push_str("&quot;"),
            '\t' | '\n' if context == Context::Attribute => {
                let _ = write!(xml, "&#{};", u32::from(c));
            }
            '\t' | '\n' => xml.push(c),
            '\r' => xml.push_str("&#13;"),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(xml, "\\u{{{:x}}}", u32::from(c));
            }
            c => xml.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, context: Context) -> String {
        let mut out = String::new();
        escape_into(&mut out, text, context);
        out
    }

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(
            escaped(r#"<a href="x">&</a>"#, Context::Text),
            r#"&lt;a href="x"&gt;&amp;&lt;/a&gt;"#
        );
        assert_eq!(
            escaped(r#"say "hi""#, Context::Attribute),
            "say &quot;hi&quot;"
        );
        assert_eq!(escaped("a\tb\nc\r", Context::Text), "a\tb\nc&#13;");
        assert_eq!(
            escaped("a\tb\nc\r", Context::Attribute),
            "a&#9;b&#10;c&#13;"
        );
        assert_eq!(
            escaped("\u{0}\u{1b}\u{8}\u{ffff}", Context::Text),
            "\\u{0}\\u{1b}\\u{8}\\u{ffff}"
        );
        assert_eq!(escaped("ünïcødé ✓ 😀", Context::Attribute), "ünïcødé ✓ 😀");
    }

    #[test]
    fn summarizes_several_findings_in_the_message() {
        let mut result = crate::test_support::result(Status::Fail);
        let finding = result.findings[0].clone();
        result.findings.push(finding.clone());
        result.findings.push(finding);
        assert_eq!(
            failure_message(&result),
            "REQ-001: something is wrong (and 2 more findings)"
        );
    }
}
