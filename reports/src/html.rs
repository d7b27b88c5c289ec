//! `report.html`: one self-contained page to read a run in a browser.
//!
//! The page needs nothing but itself: its CSS and JavaScript are inline, it
//! loads no font, image or script, and a Content-Security-Policy forbids any
//! request at all, so it works opened from disk, offline, or as a CI artifact.
//!
//! What Rust writes and what the page's script draws:
//!
//! * the summary (verdict, counts, target, versions, duration, the surface
//!   gate's changes when the run had a snapshot, notes, the server's
//!   stderr) and the filter controls are static HTML, escaped here;
//! * the results are one JSON document in a
//!   `<script type="application/json" id="run-data">` block, and the script
//!   (`html/app.js`) draws only the ones the filters select, a page at a time,
//!   filling a result's details and transcript when they are opened. A run of
//!   thousands of results stays quick because it never becomes thousands of
//!   fully built elements at once, and because passing results come without
//!   their transcripts (most of a record's bytes), which stay in `run.json`.
//!
//! Everything the server sent is hostile input. Static text goes through
//! [`escape`]; the JSON block through [`json_for_script`], which leaves no
//! `<`, `>` or `&` in it, so no `</script>` or `<!--` in the data can end or
//! bend the block; and the script builds its elements with `textContent`,
//! never from markup. Control characters are shown as `\u{1b}`, as in the
//! other reports (by [`crate::text::visible`] here, by the script for the data).
//!
//! The filters live in the URL fragment (`#status=fail,warn&area=tools&
//! version=2025-06-18&transport=stdio&q=PING`): a filtered view can be
//! bookmarked or linked, and a headless browser can be pointed at one.

use std::fmt::Write as _;

use serde_json::Value;

use crate::text::{human_duration, visible, Lines};
use crate::exit_codes::results_fail;
use crate::surface::SurfaceCheck;
use crate::{CaseResult, Finding, RunRecord, Status, TranscriptEntry};

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/app.js");

/// The page's policy: inline style and script only, and no request of any kind.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/// Writes `record` as a self-contained HTML document (UTF-8, ending with a newline).
pub fn to_html(record: &RunRecord) -> String {
    let mut html = String::with_capacity(STYLE.len() + SCRIPT.len() + 4096);
    let (verdict_class, verdict) = verdict(record);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>mcp-conform: {} — {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        escape(verdict),
        escape(&visible(&record.target.endpoint, Lines::Escape)),
    );
    summary(&mut html, record, verdict_class, verdict);
    filters(&mut html, record);
    html.push_str(
        "<p id=\"shown\" aria-live=\"polite\"></p>\n<main id=\"results\"></main>\n\
         <p><button type=\"button\" id=\"more\" hidden></button></p>\n\
         <noscript><p>This page needs JavaScript to list the results; run.json beside it holds them all.</p></noscript>\n",
    );
    let _ = write!(
        html,
        "<script type=\"application/json\" id=\"run-data\">{}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        json_for_script(&page_data(record)),
    );
    html
}

/// The verdict's CSS class and words, as the exit code decides it (without `--strict`).
fn verdict(record: &RunRecord) -> (&'static str, &'static str) {
    if results_fail(record, false) {
        ("fail", "Not conformant")
    } else if crate::surface::fails(record) {
        ("fail", "Conformant, but the surface gate failed")
    } else if record.counts().warn > 0 {
        ("warn", "Conformant, with warnings")
    } else {
        ("pass", "Conformant")
    }
}

fn summary(html: &mut String, record: &RunRecord, verdict_class: &str, verdict: &str) {
    let target = &record.target;
    let _ = write!(
        html,
        "<header>\n<h1><span class=\"verdict {verdict_class}\">{}</span> <code>{}</code></h1>\n<dl class=\"facts\">\n",
        escape(verdict),
        escape(&visible(&target.endpoint, Lines::Escape)),
    );
    let mut fact = |name: &str, value: &str| {
        let _ = writeln!(
            html,
            "<dt>{}</dt><dd>{}</dd>",
            escape(name),
            escape(&visible(value, Lines::Escape))
        );
    };
    fact("transport", &target.transport);
    if let Some(info) = &target.server_info {
        fact("server", &server_name(info));
    }
    fact("versions", &record.versions.join(", "));
    fact("started", &record.started_at);
    fact("duration", &human_duration(record.duration_ms));
    fact(
        "tool",
        &format!("{} {}", record.tool.name, record.tool.version),
    );
    html.push_str("</dl>\n<ul class=\"counts\">\n");

    let counts = record.counts();
    for status in Status::ALL {
        let _ = writeln!(
            html,
            "<li class=\"status-{status}\"><a href=\"#status={status}\"><b>{}</b> {}</a></li>",
            counts.get(status),
            status_label(status),
        );
    }
    let _ = writeln!(
        html,
        "<li><a href=\"#\"><b>{}</b> results in all</a></li>\n</ul>",
        counts.total()
    );

    if let Some(surface) = &record.surface {
        surface_section(html, surface);
    }
    if !record.notes.is_empty() {
        html.push_str("<h2>Notes</h2>\n<ul class=\"notes\">\n");
        for note in &record.notes {
            let _ = writeln!(html, "<li>{}</li>", escape(&visible(note, Lines::Keep)));
        }
        html.push_str("</ul>\n");
    }
    // One collapsed block for every server process's stderr: a stdio run
    // starts dozens of processes, and the results must stay near the top.
    if !target.stderr.is_empty() {
        let _ = writeln!(
            html,
            "<details class=\"stderr\"><summary>Server stderr ({} {})</summary>",
            target.stderr.len(),
            if target.stderr.len() == 1 {
                "process"
            } else {
                "processes"
            },
        );
        for capture in &target.stderr {
            let _ = writeln!(
                html,
                "<h3>{}{}</h3><pre>{}</pre>",
                escape(&visible(&capture.connection, Lines::Escape)),
                if capture.truncated {
                    " (truncated)"
                } else {
                    ""
                },
                escape(&visible(&capture.text, Lines::Keep)),
            );
        }
        html.push_str("</details>\n");
    }
    html.push_str("</header>\n");
}

/// The surface gate's verdict and a table of the changes, most severe first.
fn surface_section(html: &mut String, surface: &SurfaceCheck) {
    let class = if surface.passed { "pass" } else { "fail" };
    let _ = writeln!(
        html,
        "<section class=\"surface\">\n<h2>Surface</h2>\n<p><span class=\"verdict {class}\">surface gate {}</span> \
         snapshot <code>{}</code>: {}</p>",
        escape(&surface.verdict_text()),
        escape(&visible(&surface.snapshot, Lines::Escape)),
        escape(&surface.count_text()),
    );
    if !surface.changes.is_empty() {
        html.push_str("<table>\n<thead><tr><th>class</th><th>path</th><th>change</th><th>versions</th></tr></thead>\n<tbody>\n");
        for change in &surface.changes {
            let gating = if change.class.fails_gate() { " class=\"gating\"" } else { "" };
            let versions = surface.partial_versions(change).unwrap_or_else(|| "all".into());
            let _ = writeln!(
                html,
                "<tr{gating}><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                change.class.label(),
                escape(&visible(&change.path, Lines::Escape)),
                escape(&visible(&change.what, Lines::Escape)),
                escape(&visible(&versions, Lines::Escape)),
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</section>\n");
}

/// `name version` from a `serverInfo` object, or the JSON itself when it has another shape.
fn server_name(info: &Value) -> String {
    match (
        info.get("name").and_then(Value::as_str),
        info.get("version").and_then(Value::as_str),
    ) {
        (Some(name), Some(version)) => format!("{name} {version}"),
        (Some(name), None) => name.to_string(),
        _ => info.to_string(),
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "passed",
        Status::Fail => "failed",
        Status::Warn => "warnings",
        Status::NotApplicable => "not applicable",
        Status::Inconclusive => "inconclusive",
    }
}

/// The value a filter looks at in a result.
type Field = fn(&CaseResult) -> &str;

/// One group of checkboxes per dimension, each value with how many results have it.
fn filters(html: &mut String, record: &RunRecord) {
    html.push_str("<form id=\"filters\" autocomplete=\"off\">\n");
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let mut versions: Vec<&str> = record.versions.iter().map(String::as_str).collect();
    let areas = distinct(record, |r| &r.area);
    for version in distinct(record, |r| &r.version) {
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    let transports = distinct(record, |r| &r.transport);
    let groups: [(&str, &str, Vec<&str>, Field); 4] = [
        ("status", "Status", statuses, |r| r.status.as_str()),
        ("area", "Area", areas, |r| &r.area),
        ("version", "Version", versions, |r| &r.version),
        ("transport", "Transport", transports, |r| &r.transport),
    ];
    for (key, legend, values, field) in groups {
        let _ = writeln!(
            html,
            "<fieldset data-filter=\"{key}\"><legend>{legend}</legend>"
        );
        for value in values {
            let count = record.results.iter().filter(|r| field(r) == value).count();
            // The data block holds values with their controls made visible; so does the filter.
            let shown = escape(&visible(value, Lines::Keep));
            let _ = writeln!(
                html,
                "<label><input type=\"checkbox\" name=\"{key}\" value=\"{shown}\" checked> {shown} <span class=\"n\">{count}</span></label>",
            );
        }
        html.push_str("</fieldset>\n");
    }
    html.push_str(
        "<fieldset><legend>Search</legend><input type=\"search\" name=\"q\" id=\"q\" \
         size=\"28\" placeholder=\"case, requirement or title\"> <button type=\"reset\">Show all</button></fieldset>\n</form>\n",
    );
}

/// The distinct values of one field of the results, in order of first appearance.
fn distinct<'a>(
    record: &'a RunRecord,
    field: impl Fn(&'a CaseResult) -> &'a String,
) -> Vec<&'a str> {
    let mut values: Vec<&str> = Vec::new();
    for result in &record.results {
        let value = field(result).as_str();
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

/// What the script draws from: the results as in `run.json`, except that a
/// passing result's transcript is left out (only its length is kept). Passing
/// transcripts are most of a record's bytes and prove nothing wrong; leaving
/// them to `run.json` keeps a large run's page quick to open. The script shows
/// control characters as `\u{1b}` itself (`visibleText` in `html/app.js`).
fn page_data(record: &RunRecord) -> String {
    #[derive(serde::Serialize)]
    struct PageData<'a> {
        results: Vec<ResultView<'a>>,
    }
    #[derive(serde::Serialize)]
    struct ResultView<'a> {
        case_id: &'a str,
        area: &'a str,
        title: &'a str,
        requirements: &'a [String],
        keyword: &'a str,
        spec: &'a str,
        version: &'a str,
        transport: &'a str,
        status: Status,
        reason: Option<&'a str>,
        findings: &'a [Finding],
        transcript: &'a [TranscriptEntry],
        /// Messages of a transcript left out of the page (kept in `run.json`).
        transcript_in_run_json: usize,
        duration_ms: u64,
    }
    let results = record
        .results
        .iter()
        .map(|r| {
            let passed = r.status == Status::Pass;
            ResultView {
                case_id: &r.case_id,
                area: &r.area,
                title: &r.title,
                requirements: &r.requirements,
                keyword: &r.keyword,
                spec: &r.spec,
                version: &r.version,
                transport: &r.transport,
                status: r.status,
                reason: r.reason.as_deref(),
                findings: &r.findings,
                transcript: if passed { &[] } else { &r.transcript },
                transcript_in_run_json: if passed { r.transcript.len() } else { 0 },
                duration_ms: r.duration_ms,
            }
        })
        .collect();
    serde_json::to_string(&PageData { results }).unwrap_or_else(|_| "{\"results\":[]}".into())
}

/// `json` made safe inside a `<script>` element.
///
/// `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026`: JSON allows those
/// escapes in strings (and these characters occur nowhere else in JSON), so
/// the text parses to the same value while the HTML parser sees no tag, no
/// comment opener and no character reference inside the block. U+2028 and
/// U+2029 are escaped too, for older JavaScript parsers.
pub(crate) fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    let bytes = json.as_bytes();
    let mut copied = 0;
    // Byte by byte: every character replaced starts with a byte that starts
    // no other character, so each cut falls on a character boundary.
    for (at, &byte) in bytes.iter().enumerate() {
        let (escaped, len) = match (byte, bytes.get(at + 1..at + 3)) {
            (b'<', _) => ("\\u003c", 1),
            (b'>', _) => ("\\u003e", 1),
            (b'&', _) => ("\\u0026", 1),
            (0xe2, Some([0x80, 0xa8])) => ("\\u2028", 3),
            (0xe2, Some([0x80, 0xa9])) => ("\\u2029", 3),
            _ => continue,
        };
        out.push_str(&json[copied..at]);
        out.push_str(escaped);
        copied = at + len;
    }
    out.push_str(&json[copied..]);
    out
}

/// `text` escaped for HTML element content and for quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};

    const HOSTILE: &str = "</script><script>alert(1)</script><!--<script> <img src=x onerror=\"alert('x')\"> & \u{2028}\u{1b}[31m";

    fn hostile_record() -> RunRecord {
        let mut failed = result(Status::Fail);
        failed.case_id = HOSTILE.into();
        failed.area = HOSTILE.into();
        failed.findings[0] = Finding {
            requirement: HOSTILE.into(),
            keyword: "MUST".into(),
            message: HOSTILE.into(),
            expected: HOSTILE.into(),
            actual: HOSTILE.into(),
            hint: HOSTILE.into(),
        };
        failed.transcript[0].text = HOSTILE.into();
        let mut record = record_with(vec![failed]);
        record.target.endpoint = HOSTILE.into();
        record.target.server_info = Some(serde_json::json!({ "name": HOSTILE, "version": "1" }));
        record.notes.push(HOSTILE.into());
        record.target.stderr.push(crate::StderrCapture {
            connection: HOSTILE.into(),
            text: HOSTILE.into(),
            truncated: false,
        });
        record
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape("plain é ✓"), "plain é ✓");
    }

    #[test]
    fn script_json_has_no_markup_and_parses_back_to_the_same_value() {
        let value = serde_json::json!({ "text": HOSTILE, "list": ["a&b", "<!--", "-->"] });
        let json = json_for_script(&value.to_string());
        for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!json.contains(forbidden), "{forbidden:?} in {json}");
        }
        assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), value);
    }

    #[test]
    fn hostile_server_text_never_becomes_markup() {
        let html = to_html(&hostile_record());
        // Our own markup: two script elements and one style, each closed once.
        assert_eq!(html.matches("<script").count(), 2, "{html}");
        assert_eq!(html.matches("</script>").count(), 2, "{html}");
        assert_eq!(html.matches("<img").count(), 0, "{html}");
        assert_eq!(html.matches("<!--").count(), 0, "{html}");
        assert!(
            !html.contains('\u{1b}'),
            "control characters are shown escaped"
        );
        // ... and the hostile text is still there to read, escaped.
        assert!(
            html.contains("&lt;/script&gt;&lt;script&gt;alert(1)"),
            "{html}"
        );
        assert!(html.contains("\\u003c/script\\u003e"), "{html}");
        // The data block parses back to the record's results, controls made visible.
        let start = html.find("id=\"run-data\">").unwrap() + "id=\"run-data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: Value = serde_json::from_str(&html[start..end]).unwrap();
        let message = data["results"][0]["findings"][0]["message"]
            .as_str()
            .unwrap();
        assert_eq!(message, HOSTILE);
    }

    #[test]
    fn the_page_asks_for_nothing_outside_itself() {
        let html = to_html(&record_with(Status::ALL.map(result).to_vec()));
        for outside in [
            "src=",
            "<link",
            "@import",
            "url(",
            "http:",
            "https:",
            "fetch(",
            "XMLHttpRequest",
            "WebSocket",
        ] {
            assert!(!html.contains(outside), "{outside} in the page");
        }
        assert!(html.contains("default-src 'none'"));
    }

    #[test]
    fn verdict_follows_the_exit_code() {
        for (statuses, expected) in [
            (vec![Status::Pass, Status::Inconclusive], "pass"),
            (vec![Status::Pass, Status::Warn], "warn"),
            (vec![Status::Warn, Status::Fail], "fail"),
            (vec![], "pass"),
        ] {
            let record = record_with(statuses.iter().copied().map(result).collect());
            assert_eq!(verdict(&record).0, expected, "{statuses:?}");
        }
    }
}
