//! `summary.md`: GitHub-flavoured Markdown for a CI job's summary page
//! (`cat summary.md >> "$GITHUB_STEP_SUMMARY"`).
//!
//! What it shows, in order: a headline verdict with the counts, a table of
//! counts per protocol version × transport, with a snapshot the surface
//! gate's verdict and a table of the surface's changes, the failures and then the
//! warnings grouped by area (requirement ID, keyword, case, version and
//! transport, the finding, a one-line hint and a collapsed excerpt of the
//! transcript), the inconclusive results with their reasons, and the run's
//! notes. Passing and not-applicable results are only counted.
//!
//! **Size.** GitHub refuses a step summary over 1 MiB, so the document stays
//! under [`MAX_BYTES`]: a transcript excerpt keeps its first and last
//! [`EXCERPT_ENTRIES`] entries and clips each to [`EXCERPT_LINE_CHARS`]
//! characters, and findings that would pass the limit are left out with a
//! note saying how many (`run.json` has them all).
//!
//! **Hostile text.** Everything a server can influence (finding texts,
//! reasons, its name, transcripts) is escaped: control characters become
//! visible `\u{..}` escapes, `&`, `<` and `>` become entities, and every
//! other ASCII punctuation character is backslash-escaped, so a server
//! cannot open HTML, links, images, tables, math or autolinks in the
//! summary. Transcripts go in fenced code blocks whose fence is longer than
//! any run of backticks in them, so they cannot close it early.

use std::fmt::Write as _;

use crate::text::{arrow, clip, human_duration, visible, Lines};
use crate::exit_codes::results_fail;
use crate::surface::SurfaceCheck;
use crate::{CaseResult, RunRecord, Status, StatusCounts};

/// The most bytes `summary.md` takes: GitHub's cap of 1 MiB for a step
/// summary, less room for what a workflow adds around it.
pub const MAX_BYTES: usize = 1_000_000;

/// How many transcript entries an excerpt keeps at each end.
pub const EXCERPT_ENTRIES: usize = 8;

/// How many characters of one transcript entry an excerpt keeps.
pub const EXCERPT_LINE_CHARS: usize = 300;

/// Room kept free for the truncation note.
const NOTE_RESERVE: usize = 1024;

/// Writes `record` as a GitHub-flavoured Markdown summary (ending with a
/// newline), never longer than [`MAX_BYTES`].
pub fn to_markdown(record: &RunRecord) -> String {
    let mut out = String::new();
    headline(&mut out, record);
    table(&mut out, record);

    let mut budget = Budget {
        out,
        omitted: 0,
    };
    if let Some(surface) = &record.surface {
        surface_section(&mut budget, surface);
    }
    for (status, heading) in [(Status::Fail, "Failures"), (Status::Warn, "Warnings")] {
        findings_section(&mut budget, record, status, heading);
    }
    inconclusive_section(&mut budget, record);
    notes_section(&mut budget, record);

    let mut out = budget.out;
    if budget.omitted > 0 {
        let _ = write!(
            out,
            "\n> [!NOTE]\n> {} more block{} left out to keep this summary under GitHub's 1 MiB limit; \
             `run.json` and `junit.xml` in the report folder have every result.\n",
            budget.omitted,
            if budget.omitted == 1 { " was" } else { "s were" }
        );
    }
    out
}

/// The document so far, and how many blocks did not fit.
struct Budget {
    out: String,
    omitted: usize,
}

impl Budget {
    /// Appends `block` if it fits, else counts it as left out.
    fn push(&mut self, block: &str) -> bool {
        if self.out.len() + block.len() + NOTE_RESERVE <= MAX_BYTES {
            self.out.push_str(block);
            true
        } else {
            self.omitted += 1;
            false
        }
    }
}

fn headline(out: &mut String, record: &RunRecord) {
    let counts = record.counts();
    let verdict = if results_fail(record, false) {
        "❌ mcp-conform: not conformant"
    } else if crate::surface::fails(record) {
        "❌ mcp-conform: conformant, but the surface gate failed"
    } else if counts.warn > 0 {
        "⚠️ mcp-conform: conformant, with warnings"
    } else {
        "✅ mcp-conform: conformant"
    };
    let _ = writeln!(out, "## {verdict}\n");

    let fail = format!("{} failed", counts.fail);
    let fail = if counts.fail > 0 { format!("**{fail}**") } else { fail };
    let _ = writeln!(
        out,
        "{fail} · {} warning{} · {} passed · {} not applicable · {} inconclusive ({} result{} in {})\n",
        counts.warn,
        plural(counts.warn),
        counts.pass,
        counts.not_applicable,
        counts.inconclusive,
        counts.total(),
        plural(counts.total()),
        human_duration(record.duration_ms),
    );

    let mut target = String::new();
    if let Some(info) = &record.target.server_info {
        let field = |key: &str| info.get(key).and_then(|v| v.as_str());
        if let Some(name) = field("name") {
            let _ = write!(target, "Server {}", escape_inline(name));
            if let Some(version) = field("version") {
                let _ = write!(target, " {}", escape_inline(version));
            }
            target.push_str(" · ");
        }
    }
    let _ = writeln!(
        out,
        "{target}transport {} · protocol versions {} · {} {}\n",
        escape_inline(&record.target.transport),
        escape_inline(&record.versions.join(", ")),
        escape_inline(&record.tool.name),
        escape_inline(&record.tool.version),
    );
}

/// Counts per version × transport, in the order the run met them.
fn table(out: &mut String, record: &RunRecord) {
    let mut cells: Vec<(&str, &str, StatusCounts)> = Vec::new();
    for result in &record.results {
        let key = (result.version.as_str(), result.transport.as_str());
        let at = match cells.iter().position(|(v, t, _)| (*v, *t) == key) {
            Some(at) => at,
            None => {
                cells.push((key.0, key.1, StatusCounts::default()));
                cells.len() - 1
            }
        };
        cells[at].2 = add(cells[at].2, result.status);
    }
    if cells.is_empty() {
        out.push_str("No case ran.\n");
        return;
    }
    out.push_str("| Version | Transport | Passed | Failed | Warnings | Not applicable | Inconclusive |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (version, transport, c) in cells {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape_inline(version),
            escape_inline(transport),
            c.pass,
            c.fail,
            c.warn,
            c.not_applicable,
            c.inconclusive
        );
    }
}

fn add(mut counts: StatusCounts, status: Status) -> StatusCounts {
    match status {
        Status::Pass => counts.pass += 1,
        Status::Fail => counts.fail += 1,
        Status::Warn => counts.warn += 1,
        Status::NotApplicable => counts.not_applicable += 1,
        Status::Inconclusive => counts.inconclusive += 1,
    }
    counts
}

fn findings_section(budget: &mut Budget, record: &RunRecord, status: Status, heading: &str) {
    let results: Vec<&CaseResult> = record.results.iter().filter(|r| r.status == status).collect();
    if results.is_empty() {
        return;
    }
    budget.push(&format!("\n### {heading}\n"));
    // Areas in the order the run met them.
    let mut areas: Vec<&str> = Vec::new();
    for result in &results {
        if !areas.contains(&result.area.as_str()) {
            areas.push(&result.area);
        }
    }
    for area in areas {
        budget.push(&format!("\n#### {}\n", escape_inline(area)));
        for result in results.iter().filter(|r| r.area == area) {
            budget.push(&finding_block(result));
        }
    }
}

/// One failed or warning case: each finding on its own lines, then one
/// collapsed transcript excerpt.
fn finding_block(result: &CaseResult) -> String {
    let mut block = String::from("\n");
    let place = format!(
        "{} · {} · {}",
        escape_inline(&result.case_id),
        escape_inline(&result.version),
        escape_inline(&result.transport)
    );
    if result.findings.is_empty() {
        let _ = writeln!(
            block,
            "**{}** ({}) · {place}: {}",
            escape_inline(&result.requirements.join(", ")),
            escape_inline(&result.keyword),
            escape_inline(&result.title)
        );
    }
    for finding in &result.findings {
        let _ = writeln!(
            block,
            "**{}** ({}) · {place}: {}  \nHint: {}\n",
            escape_inline(&finding.requirement),
            escape_inline(&finding.keyword),
            escape_inline(&finding.message),
            escape_inline(&finding.hint)
        );
    }
    if !result.transcript.is_empty() {
        block.push_str(&transcript_excerpt(result));
    }
    block
}

/// The transcript in a collapsed `<details>`, its middle and long lines cut.
fn transcript_excerpt(result: &CaseResult) -> String {
    let entries = &result.transcript;
    let mut lines = Vec::new();
    let keep_all = entries.len() <= EXCERPT_ENTRIES * 2;
    for (at, entry) in entries.iter().enumerate() {
        let in_head = at < EXCERPT_ENTRIES;
        let in_tail = at >= entries.len().saturating_sub(EXCERPT_ENTRIES);
        if !keep_all && at == EXCERPT_ENTRIES {
            lines.push(format!("… {} entries left out …", entries.len() - EXCERPT_ENTRIES * 2));
        }
        if !(keep_all || in_head || in_tail) {
            continue;
        }
        // Clipped before escaping: a transcript entry may be megabytes.
        let (kept, cut) = clip(&entry.text, EXCERPT_LINE_CHARS);
        let kept = visible(kept, Lines::Escape);
        let mut line = format!(
            "+{}ms {} {} {}",
            entry.at_ms,
            arrow(entry.direction),
            visible(&entry.channel, Lines::Escape),
            kept
        );
        if cut > 0 {
            let _ = write!(line, " … ({cut} more characters)");
        }
        lines.push(line);
    }
    let body = lines.join("\n");
    let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
    format!(
        "<details><summary>Transcript ({} entr{})</summary>\n\n{fence}text\n{body}\n{fence}\n\n</details>\n",
        entries.len(),
        if entries.len() == 1 { "y" } else { "ies" }
    )
}

/// The surface gate's verdict, then one table row per change.
fn surface_section(budget: &mut Budget, surface: &SurfaceCheck) {
    let mark = if surface.passed { "✅" } else { "❌" };
    budget.push(&format!(
        "\n### Surface\n\n{mark} Surface gate {} · snapshot {} · {}\n",
        escape_inline(&surface.verdict_text()),
        escape_inline(&surface.snapshot),
        escape_inline(&surface.count_text()),
    ));
    if let Some(hint) = surface.accept_hint() {
        budget.push(&format!("\n{}\n", escape_inline(hint)));
    }
    if surface.changes.is_empty() {
        return;
    }
    budget.push("\n| Class | Path | Change | Versions |\n| --- | --- | --- | --- |\n");
    for change in &surface.changes {
        let class = if change.class.fails_gate() && !surface.passed {
            format!("**{}**", change.class.label())
        } else {
            change.class.label().to_string()
        };
        let versions = surface.partial_versions(change).unwrap_or_else(|| "all".into());
        budget.push(&format!(
            "| {class} | {} | {} | {} |\n",
            escape_inline(&change.path),
            escape_inline(&change.what),
            escape_inline(&versions)
        ));
    }
}

fn inconclusive_section(budget: &mut Budget, record: &RunRecord) {
    let results: Vec<&CaseResult> =
        record.results.iter().filter(|r| r.status == Status::Inconclusive).collect();
    if results.is_empty() {
        return;
    }
    budget.push("\n### Inconclusive\n\n");
    for result in results {
        budget.push(&format!(
            "- {} · {} · {}: {}\n",
            escape_inline(&result.case_id),
            escape_inline(&result.version),
            escape_inline(&result.transport),
            escape_inline(result.reason.as_deref().unwrap_or("no reason given"))
        ));
    }
}

fn notes_section(budget: &mut Budget, record: &RunRecord) {
    if record.notes.is_empty() {
        return;
    }
    budget.push("\n### Notes on the run\n\n");
    for note in &record.notes {
        budget.push(&format!("- {}\n", escape_inline(note)));
    }
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `text` made inert for one line of Markdown: control characters and line
/// breaks as visible escapes, `&`, `<`, `>` as entities, every other ASCII
/// punctuation character backslash-escaped (GitHub renders all of them
/// literally), so no link, image, emphasis, table cell, math or HTML can
/// come out of it.
pub(crate) fn escape_inline(text: &str) -> String {
    let text = visible(text, Lines::Escape);
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Harmless inside a line, and every line we write starts with
            // our own text; left alone so versions and IDs stay readable.
            '-' | ',' | ';' | '/' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_markdown_or_html_could_act_on() {
        assert_eq!(
            escape_inline("<img src=x onerror=alert(1)> [a](http://x) | *b*"),
            "&lt;img src\\=x onerror\\=alert\\(1\\)&gt; \\[a\\]\\(http\\://x\\) \\| \\*b\\*"
        );
        assert_eq!(escape_inline("line\nbreak\u{1b}[0m"), "line\\\\u\\{a\\}break\\\\u\\{1b\\}\\[0m");
        assert_eq!(escape_inline("plain text ✓"), "plain text ✓");
    }

    #[test]
    fn fences_outlast_backticks_in_the_transcript() {
        assert_eq!(longest_backtick_run("a ``` b ```` c"), 4);
        let mut result = crate::test_support::result(Status::Fail);
        result.transcript[0].text = "````\n</details>".into();
        let excerpt = transcript_excerpt(&result);
        assert!(excerpt.contains("`````text\n"), "{excerpt}");
        // The line break is escaped, so the closing tag stays inside the block.
        assert!(excerpt.contains("\\u{a}</details>"), "{excerpt}");
    }

    #[test]
    fn long_transcripts_keep_both_ends() {
        let mut result = crate::test_support::result(Status::Fail);
        let entry = result.transcript[0].clone();
        result.transcript = (0..30)
            .map(|i| crate::TranscriptEntry { at_ms: i, ..entry.clone() })
            .collect();
        let excerpt = transcript_excerpt(&result);
        assert!(excerpt.contains("+7ms"));
        assert!(!excerpt.contains("+8ms"));
        assert!(excerpt.contains("… 14 entries left out …"));
        assert!(excerpt.contains("+22ms"));
        assert!(excerpt.contains("+29ms"));
    }
}
