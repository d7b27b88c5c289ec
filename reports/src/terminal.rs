//! The summary printed at the end of a run, for a person at a terminal or
//! reading a CI log.
//!
//! Its layout, top to bottom:
//!
//! 1. a header: the tool, the target, the server's name, the versions tested;
//! 2. one line per result: status mark, case ID, version, transport,
//!    requirement IDs, and the reason when the case was not applicable or
//!    inconclusive;
//! 3. `Failures:`, repeating only the failed and warned results, grouped under
//!    their area, each with its findings and its transcript;
//! 4. the run's own notes, and with `verbose` the server's stderr;
//! 5. with a baseline, `Gate`: the failures it lists, those it does not,
//!    its stale and unchecked entries, and the verdict;
//! 6. with a snapshot, `Surface`: every change of the server's surface with
//!    its class, and the surface gate's verdict ([`surface_section`]);
//! 7. one count line, always last, so `tail -n 1` gives the outcome.
//!
//! Every string that comes from the record is shown with its control
//! characters escaped (`\u{1b}`): a transcript holds what the server sent,
//! and raw escape sequences from a server must not reach the reader's
//! terminal.

use std::fmt::Write as _;

use crate::gate::{EntryOutcome, Gate};
use crate::surface::{ChangeClass, SurfaceCheck};
use crate::text::{arrow, clip, human_duration, visible, Lines};
use crate::{CaseResult, Finding, RunRecord, Status, TranscriptEntry};

/// How much of a long text (a transcript entry, an `expected` or `actual`)
/// is shown without `verbose`: enough for a JSON-RPC envelope and the start
/// of its payload, little enough that a 1 MB message doesn't bury the rest.
pub const CLIP_CHARS: usize = 200;

/// The width of the first column of the gate section (`inconclusive`).
const GATE_LABEL: usize = 12;

/// How to render the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Colour the output with ANSI escapes. The caller decides, from
    /// `NO_COLOR`, `--color` and whether stdout is a terminal.
    pub color: bool,
    /// Show long texts in full instead of clipping them at [`CLIP_CHARS`],
    /// and add the server's stderr.
    pub verbose: bool,
}

/// The `Surface` section alone, as `mcp-conform snapshot --check` prints it
/// (the run's summary holds the same section). The text ends with a newline.
pub fn surface_section(surface: &SurfaceCheck, options: &TerminalOptions) -> String {
    let out = Renderer {
        paint: Paint(options.color),
        clip_at: usize::MAX,
    };
    let mut text = String::new();
    out.surface(&mut text, surface);
    text
}

/// Renders the summary of `record`. The text ends with a newline.
pub fn render(record: &RunRecord, options: &TerminalOptions) -> String {
    let out = Renderer {
        paint: Paint(options.color),
        clip_at: if options.verbose {
            usize::MAX
        } else {
            CLIP_CHARS
        },
    };
    let mut text = String::new();
    out.header(&mut text, record);
    out.result_lines(&mut text, record);
    out.failures(&mut text, record);
    out.notes(&mut text, record);
    if options.verbose {
        out.stderr(&mut text, record);
    }
    if let Some(gate) = &record.gate {
        out.gate(&mut text, gate);
    }
    if let Some(surface) = &record.surface {
        text.push('\n');
        out.surface(&mut text, surface);
    }
    out.count_line(&mut text, record);
    text
}

struct Renderer {
    paint: Paint,
    clip_at: usize,
}

impl Renderer {
    fn header(&self, text: &mut String, record: &RunRecord) {
        let tool = format!("{} {}", show(&record.tool.name), show(&record.tool.version));
        let _ = writeln!(
            text,
            "{}: {} over {}",
            self.paint.bold(&tool),
            show(&record.target.endpoint),
            show(&record.target.transport)
        );
        if let Some(server) = record.target.server_info.as_ref().and_then(server_name) {
            let _ = writeln!(text, "server:   {server}");
        }
        let versions: Vec<_> = record.versions.iter().map(|v| show(v)).collect();
        let _ = writeln!(text, "versions: {}", versions.join(", "));
        let _ = writeln!(text, "started:  {}", show(&record.started_at));
    }

    fn result_lines(&self, text: &mut String, record: &RunRecord) {
        if record.results.is_empty() {
            return;
        }
        text.push('\n');
        let widths = Widths::of(&record.results);
        for result in &record.results {
            let _ = write!(
                text,
                "  {} {:<id$}  {:<version$}  {:<transport$}  {}",
                self.mark(result.status),
                show(&result.case_id),
                show(&result.version),
                show(&result.transport),
                show(&result.requirements.join(", ")),
                id = widths.case_id,
                version = widths.version,
                transport = widths.transport,
            );
            if let Some(label) = reason_label(result.status) {
                let reason = result.reason.as_deref().unwrap_or("no reason given");
                let note = format!("({label}: {})", show(reason));
                let _ = write!(text, "  {}", self.paint.dim(&note));
            }
            if let Some(line) = baseline_line(record, result) {
                let note = format!("(baselined, line {line})");
                let _ = write!(text, "  {}", self.paint.dim(&note));
            }
            text.push('\n');
        }
    }

    fn failures(&self, text: &mut String, record: &RunRecord) {
        let shown = |r: &&CaseResult| matches!(r.status, Status::Fail | Status::Warn);
        if !record.results.iter().any(|r| shown(&r)) {
            return;
        }
        let _ = writeln!(text, "\n{}", self.paint.bold("Failures:"));
        let mut areas: Vec<&str> = Vec::new();
        for result in record.results.iter().filter(shown) {
            if !areas.contains(&result.area.as_str()) {
                areas.push(&result.area);
            }
        }
        for area in areas {
            let _ = writeln!(text, "\n{}", self.paint.bold(&show(area)));
            for result in record
                .results
                .iter()
                .filter(shown)
                .filter(|r| r.area == area)
            {
                self.failure(text, result);
            }
        }
    }

    fn failure(&self, text: &mut String, result: &CaseResult) {
        let _ = writeln!(
            text,
            "\n  {} {}  {}  {}  ({})",
            self.mark(result.status),
            self.paint.bold(&show(&result.case_id)),
            show(&result.version),
            show(&result.transport),
            human_duration(result.duration_ms),
        );
        let _ = writeln!(text, "    {}", show(&result.title));
        let _ = writeln!(text, "    spec: {}", show(&result.spec));
        for finding in &result.findings {
            self.finding(text, finding);
        }
        if !result.transcript.is_empty() {
            let _ = writeln!(text, "    transcript:");
            self.transcript(text, &result.transcript);
        }
    }

    fn finding(&self, text: &mut String, finding: &Finding) {
        let _ = writeln!(
            text,
            "    {} {}: {}",
            self.paint.bold(&show(&finding.requirement)),
            show(&finding.keyword),
            show(&finding.message)
        );
        for (label, value) in [
            ("expected", &finding.expected),
            ("actual", &finding.actual),
            ("hint", &finding.hint),
        ] {
            let (kept, cut) = clip(value, self.clip_at);
            // Multi-line values (pretty JSON) stay multi-line, aligned under
            // the first line.
            let shown = visible(kept, Lines::Keep).replace('\n', "\n                ");
            let _ = writeln!(text, "      {label:<9} {shown}{}", self.cut_note(cut));
        }
    }

    fn transcript(&self, text: &mut String, entries: &[TranscriptEntry]) {
        let time_width = entries
            .iter()
            .map(|e| e.at_ms.to_string().len())
            .max()
            .unwrap_or(0);
        let channel_width = entries
            .iter()
            .map(|e| show(&e.channel).chars().count())
            .max()
            .unwrap_or(0);
        for entry in entries {
            let (kept, cut) = clip(&entry.text, self.clip_at);
            let _ = writeln!(
                text,
                "      {} {} {:<channel_width$}  {}{}",
                self.paint.dim(&format!("{:>time_width$}ms", entry.at_ms)),
                arrow(entry.direction),
                show(&entry.channel),
                visible(kept, Lines::Escape),
                self.cut_note(cut),
            );
        }
    }

    fn notes(&self, text: &mut String, record: &RunRecord) {
        if record.notes.is_empty() {
            return;
        }
        let _ = writeln!(text, "\n{}", self.paint.bold("Notes:"));
        for note in &record.notes {
            let _ = writeln!(text, "  - {}", show(note));
        }
    }

    fn stderr(&self, text: &mut String, record: &RunRecord) {
        for capture in &record.target.stderr {
            let truncated = if capture.truncated {
                " (truncated)"
            } else {
                ""
            };
            let heading = format!("Server stderr, {}{truncated}:", show(&capture.connection));
            let _ = writeln!(text, "\n{}", self.paint.bold(&heading));
            for line in capture.text.lines() {
                let _ = writeln!(text, "  {}", visible(line, Lines::Escape));
            }
        }
    }

    fn count_line(&self, text: &mut String, record: &RunRecord) {
        let counts = record.counts();
        let part = |n: usize, label: &str, style: fn(&Paint, &str) -> String| {
            let part = format!("{n} {label}");
            if n > 0 {
                style(&self.paint, &part)
            } else {
                part
            }
        };
        let _ = write!(
            text,
            "\n{}, {}, {}, {}, {} in {}",
            part(counts.pass, "passed", Paint::green),
            part(counts.fail, "failed", Paint::red),
            part(counts.warn, "warnings", Paint::yellow),
            part(counts.not_applicable, "not applicable", Paint::dim),
            part(counts.inconclusive, "inconclusive", Paint::magenta),
            human_duration(record.duration_ms),
        );
        // With a baseline or a snapshot, their gates decide the outcome: the last line says it.
        let gates = [("gate", record.gate.as_ref().map(|g| g.passed)), ("surface gate", record.surface.as_ref().map(|s| s.passed))];
        for (name, passed) in gates.into_iter().filter_map(|(name, passed)| Some((name, passed?))) {
            let verdict = if passed {
                self.paint.green(&format!("{name} passed"))
            } else {
                self.paint.red(&format!("{name} FAILED"))
            };
            let _ = write!(text, "; {verdict}");
        }
        text.push('\n');
    }

    fn surface(&self, text: &mut String, surface: &SurfaceCheck) {
        let heading = format!("Surface (snapshot {}):", show(&surface.snapshot));
        let _ = writeln!(text, "{} {}", self.paint.bold(&heading), surface.count_text());
        for change in &surface.changes {
            let label = format!("{:<13}", change.class.label());
            let label = match change.class {
                ChangeClass::Breaking | ChangeClass::NeedsReview if !surface.passed => self.paint.red(&label),
                ChangeClass::Breaking | ChangeClass::NeedsReview => self.paint.yellow(&label),
                ChangeClass::Additive | ChangeClass::Cosmetic => self.paint.dim(&label),
            };
            let versions = surface
                .partial_versions(change)
                .map(|v| format!(" [{}]", show(&v)))
                .unwrap_or_default();
            let _ = writeln!(text, "  {label} {}: {}{versions}", show(&change.path), show(&change.what));
        }
        let verdict = surface.verdict_text();
        let verdict = if surface.passed { self.paint.green(&verdict) } else { self.paint.red(&verdict) };
        let _ = writeln!(text, "surface gate {verdict}");
        if let Some(hint) = surface.accept_hint() {
            let _ = writeln!(text, "  {}", self.paint.dim(hint));
        }
    }

    fn gate(&self, text: &mut String, gate: &Gate) {
        let _ = writeln!(
            text,
            "\n{}",
            self.paint
                .bold(&format!("Gate (baseline {}):", show(&gate.baseline)))
        );
        for (label, results) in [("unlisted", &gate.unlisted), ("baselined", &gate.baselined)] {
            for result in results {
                // A baselined failure shows its entry, and the entry's reason.
                let entry = result.entry_line.map(|line| {
                    let reason = gate
                        .entries
                        .iter()
                        .find(|e| e.line == line)
                        .and_then(|e| e.reason.as_deref());
                    match reason {
                        Some(reason) => format!("  (line {line}: {})", show(reason)),
                        None => format!("  (line {line})"),
                    }
                });
                let _ = writeln!(
                    text,
                    "  {label:<GATE_LABEL$} {} {}  {}  {}{}",
                    self.mark(result.status),
                    show(&result.case_id),
                    show(&result.version),
                    show(&result.transport),
                    self.paint.dim(&entry.unwrap_or_default()),
                );
            }
        }
        for entry in gate
            .entries
            .iter()
            .filter(|e| e.outcome != EntryOutcome::Matched)
        {
            let scope = [&entry.version, &entry.transport]
                .into_iter()
                .flatten()
                .map(|s| show(s))
                .collect::<Vec<_>>();
            let why = match entry.outcome {
                EntryOutcome::Stale => "no longer fails: remove the entry",
                EntryOutcome::NotRun => "not checked: the case did not run there",
                _ => "not checked: inconclusive, it may still fail",
            };
            let label = format!("{:<GATE_LABEL$}", entry.outcome.as_str());
            let label = if entry.outcome == EntryOutcome::Stale {
                self.paint.red(&label)
            } else {
                self.paint.dim(&label)
            };
            let scope = if scope.is_empty() {
                "every version and transport".to_string()
            } else {
                scope.join("  ")
            };
            let _ = writeln!(
                text,
                "  {label} line {}: {}  {scope}  ({why})",
                entry.line,
                show(&entry.case)
            );
        }
        let stale = gate
            .entries
            .iter()
            .filter(|e| e.outcome == EntryOutcome::Stale)
            .count();
        let unchecked = gate
            .entries
            .iter()
            .filter(|e| matches!(e.outcome, EntryOutcome::NotRun | EntryOutcome::Inconclusive))
            .count();
        let verdict = if gate.passed {
            self.paint.green("passed")
        } else {
            self.paint.red("FAILED")
        };
        let allowed = if gate.allow_stale && stale > 0 {
            " (allowed)"
        } else {
            ""
        };
        let _ = writeln!(
            text,
            "gate {verdict}: {} unlisted, {} baselined, {stale} stale{allowed}, {unchecked} unchecked entries",
            gate.unlisted.len(),
            gate.baselined.len(),
        );
    }

    fn mark(&self, status: Status) -> String {
        match status {
            Status::Pass => self.paint.green("PASS"),
            Status::Fail => self.paint.red("FAIL"),
            Status::Warn => self.paint.yellow("WARN"),
            Status::NotApplicable => self.paint.dim(" N/A"),
            Status::Inconclusive => self.paint.magenta("  ??"),
        }
    }

    fn cut_note(&self, cut: usize) -> String {
        if cut == 0 {
            String::new()
        } else {
            self.paint.dim(&format!(" …[{cut} more chars cut]"))
        }
    }
}

/// Column widths of the result lines, so that IDs and versions line up.
struct Widths {
    case_id: usize,
    version: usize,
    transport: usize,
}

impl Widths {
    fn of(results: &[CaseResult]) -> Widths {
        let width = |field: fn(&CaseResult) -> &str| {
            results
                .iter()
                .map(|r| show(field(r)).chars().count())
                .max()
                .unwrap_or(0)
        };
        Widths {
            case_id: width(|r| &r.case_id),
            version: width(|r| &r.version),
            transport: width(|r| &r.transport),
        }
    }
}

/// The line of the baseline entry that lists `result`, when the run had a
/// baseline and one does.
fn baseline_line(record: &RunRecord, result: &CaseResult) -> Option<usize> {
    let gate = record.gate.as_ref()?;
    gate.baselined
        .iter()
        .find(|b| {
            b.case_id == result.case_id
                && b.version == result.version
                && b.transport == result.transport
        })
        .and_then(|b| b.entry_line)
}

fn reason_label(status: Status) -> Option<&'static str> {
    match status {
        Status::NotApplicable => Some("not applicable"),
        Status::Inconclusive => Some("inconclusive"),
        _ => None,
    }
}

/// `name version` from a `serverInfo` object, when it has a name.
fn server_name(info: &serde_json::Value) -> Option<String> {
    let name = info.get("name")?.as_str()?;
    Some(match info.get("version").and_then(|v| v.as_str()) {
        Some(version) => format!("{} {}", show(name), show(version)),
        None => show(name),
    })
}

/// A one-line string from the record, safe to print.
fn show(text: &str) -> String {
    visible(text, Lines::Escape).into_owned()
}

/// ANSI styling, or none when colour is off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn style(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.style("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.style("2", text)
    }
    fn red(&self, text: &str) -> String {
        self.style("1;31", text)
    }
    fn green(&self, text: &str) -> String {
        self.style("32", text)
    }
    fn yellow(&self, text: &str) -> String {
        self.style("33", text)
    }
    fn magenta(&self, text: &str) -> String {
        self.style("35", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};

    #[test]
    fn count_line_is_last_and_complete() {
        let record = record_with(Status::ALL.iter().map(|&s| result(s)).collect());
        let text = render(&record, &TerminalOptions::default());
        assert_eq!(
            text.lines().last(),
            Some("1 passed, 1 failed, 1 warnings, 1 not applicable, 1 inconclusive in 1.50s")
        );
    }

    #[test]
    fn no_escape_sequence_without_color_even_from_a_hostile_server() {
        let mut failed = result(Status::Fail);
        failed.transcript[0].text = "\u{1b}]0;pwned\u{7}\u{1b}[2J".into();
        failed.findings[0].actual = "\u{9b}31m".into();
        let text = render(&record_with(vec![failed]), &TerminalOptions::default());
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{9b}'),
            "{text}"
        );
        assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
    }

    #[test]
    fn verbose_shows_long_texts_in_full() {
        let mut failed = result(Status::Fail);
        failed.transcript[0].text = "x".repeat(CLIP_CHARS + 50);
        let record = record_with(vec![failed]);
        let short = render(&record, &TerminalOptions::default());
        assert!(short.contains("…[50 more chars cut"), "{short}");
        let long = render(
            &record,
            &TerminalOptions {
                verbose: true,
                ..Default::default()
            },
        );
        assert!(long.contains(&"x".repeat(CLIP_CHARS + 50)) && !long.contains("more chars cut"));
    }
}
