//! `results.sarif`: SARIF 2.1.0, the format code-scanning tools read.
//!
//! The mapping:
//!
//! | run record | SARIF |
//! | --- | --- |
//! | the run | one `run`; `tool.driver` is `mcp-conform` and its version |
//! | a requirement that a result below cites | a `rule` (`reportingDescriptor`) with the requirement ID as `id` |
//! | a finding of a `fail` or `warn` result | a `result` with `kind: "fail"` |
//! | an `inconclusive` result | a `result` with `kind: "open"` and `level: "none"` |
//! | `pass`, `not-applicable` | nothing (counted in the run's `properties`) |
//! | the run's notes | `invocations[0].toolExecutionNotifications` |
//! | a `breaking` or `needs-review` change of the surface (`--snapshot FILE`) | a `result` on the rule `SURFACE-BREAKING` or `SURFACE-NEEDS-REVIEW`, logical location `surface/<path>` |
//! | an `additive` or `cosmetic` change | nothing (counted in the run's `properties`) |
//!
//! **Surface changes.** A change that fails the surface gate is an `error`;
//! one the run accepted (`--update-snapshot`) stays a result, at level
//! `note`, so the code-scanning alert closes without losing the record. Its
//! fingerprint is `<rule>/surface/<path>` (plus `/<n>` for the n-th change
//! on one path and rule), the snapshot's file name left out so that moving
//! the file keeps the alerts.
//!
//! **Levels.** A rule's `defaultConfiguration.level` follows its RFC 2119
//! keyword: `MUST`, `MUST NOT`, `(schema)` and `(prose)` give `error`,
//! `SHOULD` and `SHOULD NOT` give `warning`, `MAY` gives `note`. A result
//! takes its finding's level; when a case failed only on SHOULD findings
//! (`--strict` promoted them) its results are `error`, as the gate was.
//!
//! **Inconclusive is `open`, not `review`.** SARIF 2.1.0 §3.27.9 defines
//! `open` as a rule evaluated with insufficient information to decide
//! whether a problem exists, which is what `inconclusive` means here (the
//! harness could not decide), and `review` as a result a person has to look
//! at to decide; nothing a person reads in the transcript turns an
//! inconclusive case into a verdict, so `review` would promise too much.
//! §3.27.10 then requires `level: "none"` for any kind other than `fail`.
//!
//! **Locations.** A finding is about what a server did on the wire, not
//! about a line of source, so each result has a logical location
//! `<case>/<version>/<transport>`, and no physical one unless the user names
//! a file of their repository to anchor them to ([`to_sarif_anchored`],
//! `run --sarif-anchor FILE`): GitHub code scanning takes only results
//! located in a file.
//!
//! **Fingerprints.** `partialFingerprints["mcpConformCheck/v1"]` is
//! `<rule>/<case>/<version>/<transport>` (plus `/<n>` for the n-th finding
//! on the same rule in one case): it stays the same from one run to the
//! next, since it leaves out the message, whose text may quote volatile
//! server data.
//!
//! **Rules describe the requirement as the run knows it.** The record
//! carries a requirement's ID, keyword and spec reference, and the titles
//! and hints of the cases that check it, not the catalogue's summary; those
//! make the descriptions and help. `helpUri` links the spec page and
//! section when the link can be exact (see `spec_link`), else the version's
//! specification root.
//!
//! Server text is JSON-escaped by serialization and control characters are
//! written visibly as everywhere else; the Markdown `help` escapes it too.

use serde_json::{json, Map, Value};

use crate::markdown::escape_inline;
use crate::spec_link::{spec_url, SPEC_ROOT};
use crate::surface::{ChangeClass, SurfaceCheck};
use crate::text::{visible, Lines};
use crate::{CaseResult, Finding, RunRecord, Status};

/// The `$schema` every SARIF 2.1.0 log names (OASIS, errata 01).
pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// `tool.driver.informationUri`. The project has no published home of its
/// own yet, so this points at the specification it checks servers against.
pub const TOOL_INFORMATION_URI: &str = SPEC_ROOT;

/// The key of the stable fingerprint in each result's `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "mcpConformCheck/v1";

/// Writes `record` as a SARIF 2.1.0 log (pretty-printed JSON ending with a
/// newline).
pub fn to_sarif(record: &RunRecord) -> String {
    render(&log(record))
}

/// [`to_sarif`], with every result also located at line 1 of `anchor`, a
/// file of the user's repository (its path relative to the repository's
/// root, `/`-separated): GitHub code scanning takes only results located in
/// a file, and a server's findings have none of their own. The anchor is
/// where the user chose to keep them, e.g. `mcp-conform.toml` or the
/// server's entry point; the fingerprints stay those of the case.
pub fn to_sarif_anchored(record: &RunRecord, anchor: &str) -> String {
    let mut log = log(record);
    let physical = json!({ "artifactLocation": { "uri": anchor }, "region": { "startLine": 1 } });
    let locations = log["runs"][0]["results"].as_array_mut().into_iter().flatten().filter_map(|r| r["locations"][0].as_object_mut());
    for location in locations {
        location.insert("physicalLocation".into(), physical.clone());
    }
    render(&log)
}

fn render(log: &Value) -> String {
    // A `Value` always serializes.
    let mut text = serde_json::to_string_pretty(log).expect("a JSON value serializes");
    text.push('\n');
    text
}

fn log(record: &RunRecord) -> Value {
    let mut rules = Rules::default();
    let mut results = Vec::new();
    for result in &record.results {
        match result.status {
            Status::Fail | Status::Warn => failed(result, &mut rules, &mut results),
            Status::Inconclusive => results.push(inconclusive(result, &mut rules)),
            Status::Pass | Status::NotApplicable => {}
        }
    }

    let mut rules = rules.descriptors(record);
    if let Some(surface) = &record.surface {
        surface_results(surface, &mut rules, &mut results);
    }

    let counts = record.counts();
    let notifications: Vec<Value> = record
        .notes
        .iter()
        .map(|note| json!({ "message": { "text": message_text(note) }, "level": "warning" }))
        .collect();
    let mut invocation = json!({
        "executionSuccessful": true,
        "startTimeUtc": record.started_at,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }

    let mut log = json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": record.tool.name,
                    "version": record.tool.version,
                    "informationUri": TOOL_INFORMATION_URI,
                    "rules": rules,
                }
            },
            "invocations": [invocation],
            "results": results,
            "properties": {
                "transport": record.target.transport,
                "versions": record.versions,
                "durationMs": record.duration_ms,
                "counts": {
                    "pass": counts.pass,
                    "fail": counts.fail,
                    "warn": counts.warn,
                    "notApplicable": counts.not_applicable,
                    "inconclusive": counts.inconclusive,
                },
            },
        }],
    });
    if let Some(surface) = &record.surface {
        log["runs"][0]["properties"]["surface"] = surface_properties(surface);
    }
    log
}

/// The run's `properties.surface`: the snapshot, the verdict and the count
/// of changes per class, additive and cosmetic ones included.
fn surface_properties(surface: &SurfaceCheck) -> Value {
    let counts: Map<String, Value> =
        ChangeClass::ALL.iter().map(|class| (class.as_str().to_string(), Value::from(surface.count(*class)))).collect();
    json!({ "snapshot": surface.snapshot, "passed": surface.passed, "changes": counts })
}

/// A rule per class of surface change that fails the gate (when the run
/// has one), appended to `rules`, and a result per such change.
fn surface_results(surface: &SurfaceCheck, rules: &mut Vec<Value>, out: &mut Vec<Value>) {
    for class in ChangeClass::ALL.into_iter().filter(|c| c.fails_gate()) {
        let changes: Vec<_> = surface.changes.iter().filter(|c| c.class == class).collect();
        if changes.is_empty() {
            continue;
        }
        let rule = format!("SURFACE-{}", class.as_str().to_ascii_uppercase());
        let rule_index = rules.len();
        rules.push(surface_descriptor(&rule, class));
        let level = if surface.passed { "note" } else { "error" };
        let mut seen: Vec<&str> = Vec::new();
        for change in changes {
            seen.push(&change.path);
            let occurrence = seen.iter().filter(|p| **p == change.path).count();
            let location = format!("surface/{}", change.path);
            let mut fingerprint = format!("{rule}/{location}");
            if occurrence > 1 {
                fingerprint.push_str(&format!("/{occurrence}"));
            }
            let versions = surface.partial_versions(change).map(|v| format!(" [{v}]")).unwrap_or_default();
            let text = format!("{} change of the surface: {}{versions} (snapshot {}).", class.label(), one_line(&change.what), surface.snapshot);
            out.push(json!({
                "ruleId": rule,
                "ruleIndex": rule_index,
                "kind": "fail",
                "level": level,
                "message": { "text": message_text(&capitalized(&text)) },
                "locations": [{
                    "logicalLocations": [{
                        "name": change.path,
                        "fullyQualifiedName": location,
                    }]
                }],
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
                "properties": {
                    "snapshot": surface.snapshot,
                    "class": class.as_str(),
                    "path": change.path,
                    "versions": change.versions,
                    "accepted": surface.passed,
                },
            }));
        }
    }
}

/// The `reportingDescriptor` of one class of surface change.
fn surface_descriptor(id: &str, class: ChangeClass) -> Value {
    let (name, short, help) = match class {
        ChangeClass::Breaking => (
            "BreakingSurfaceChange",
            "A change of the server's public surface that may break existing clients",
            "A tool, prompt, resource, template, protocol version or capability was removed, an input now refuses \
             what it accepted, or an output now allows what clients did not expect. Restore it, or accept the change \
             once clients are ready: `mcp-conform run --snapshot FILE --update-snapshot`.",
        ),
        _ => (
            "UnclassifiedSurfaceChange",
            "A change of the server's public surface that cannot be classified from the schemas alone",
            "A schema combinator (`anyOf`, `oneOf`, `allOf`, `not`, `$ref`, conditionals), a replaced `pattern`, a \
             tool annotation hint or a MIME type changed. Review it, then accept it: \
             `mcp-conform run --snapshot FILE --update-snapshot`.",
        ),
    };
    json!({
        "id": id,
        "name": name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": format!("{short}, found by comparing the live surface with the snapshot file.") },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["mcp", "surface", class.as_str()] },
    })
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// One SARIF result per finding of a `fail` or `warn` case.
fn failed(result: &CaseResult, rules: &mut Rules, out: &mut Vec<Value>) {
    // A failed case whose findings are all below error level failed because
    // `--strict` promoted them; its results carry the gate's verdict.
    let promoted = result.status == Status::Fail
        && !result.findings.iter().any(|f| keyword_level(&f.keyword) == "error");
    let level_of = |finding: &Finding| {
        if promoted {
            "error"
        } else {
            keyword_level(&finding.keyword)
        }
    };

    if result.findings.is_empty() {
        // The record allows it; the harness always explains a failure.
        let rule = result.requirements.first().map_or(result.case_id.as_str(), String::as_str);
        let index = rules.cite(rule, &result.keyword);
        let level = if result.status == Status::Fail { "error" } else { "warning" };
        let text = format!("{} {}", result.title, result.status);
        out.push(sarif_result(result, rule, index, "fail", level, &text, 1));
        return;
    }
    let mut seen: Vec<&str> = Vec::new();
    for finding in &result.findings {
        seen.push(&finding.requirement);
        let occurrence = seen.iter().filter(|r| **r == finding.requirement).count();
        let index = rules.cite(&finding.requirement, &finding.keyword);
        let text = format!(
            "{} ({}, {} over {}). Hint: {}",
            one_line(&finding.message),
            result.case_id,
            result.version,
            result.transport,
            one_line(&finding.hint)
        );
        let mut value =
            sarif_result(result, &finding.requirement, index, "fail", level_of(finding), &text, occurrence);
        value["properties"]["expected"] = Value::from(visible(&finding.expected, Lines::Keep));
        value["properties"]["actual"] = Value::from(visible(&finding.actual, Lines::Keep));
        out.push(value);
    }
}

/// The one SARIF result of an `inconclusive` case, on its first requirement.
fn inconclusive(result: &CaseResult, rules: &mut Rules) -> Value {
    let rule = result.requirements.first().map_or(result.case_id.as_str(), String::as_str);
    let index = rules.cite(rule, &result.keyword);
    let reason = result.reason.as_deref().map_or_else(|| "no reason given".to_string(), one_line);
    let text = format!(
        "Inconclusive: {reason} ({}, {} over {}).",
        result.case_id, result.version, result.transport
    );
    sarif_result(result, rule, index, "open", "none", &text, 1)
}

fn sarif_result(
    result: &CaseResult,
    rule: &str,
    rule_index: usize,
    kind: &str,
    level: &str,
    message: &str,
    occurrence: usize,
) -> Value {
    let location = format!("{}/{}/{}", result.case_id, result.version, result.transport);
    let mut fingerprint = format!("{rule}/{location}");
    if occurrence > 1 {
        fingerprint.push_str(&format!("/{occurrence}"));
    }
    json!({
        "ruleId": rule,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": { "text": message_text(message) },
        "locations": [{
            "logicalLocations": [{
                "name": result.case_id,
                "fullyQualifiedName": location,
            }]
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        "properties": {
            "case": result.case_id,
            "area": result.area,
            "version": result.version,
            "transport": result.transport,
            "status": result.status.as_str(),
            "requirements": result.requirements,
        },
    })
}

/// The rules cited so far, in order of first citation (a result's
/// `ruleIndex` points into this order).
#[derive(Default)]
struct Rules {
    cited: Vec<CitedRule>,
}

struct CitedRule {
    id: String,
    keyword: String,
}

impl Rules {
    /// Registers `id` (first keyword wins) and returns its index.
    fn cite(&mut self, id: &str, keyword: &str) -> usize {
        if let Some(at) = self.cited.iter().position(|rule| rule.id == id) {
            return at;
        }
        self.cited.push(CitedRule {
            id: id.to_string(),
            keyword: keyword.to_string(),
        });
        self.cited.len() - 1
    }

    fn descriptors(&self, record: &RunRecord) -> Vec<Value> {
        self.cited.iter().map(|rule| descriptor(rule, record)).collect()
    }
}

/// The `reportingDescriptor` of one requirement, from every result of the
/// run that cites it (passing ones included: they name the same case).
fn descriptor(rule: &CitedRule, record: &RunRecord) -> Value {
    let citing: Vec<&CaseResult> = record
        .results
        .iter()
        .filter(|r| r.requirements.contains(&rule.id) || r.findings.iter().any(|f| f.requirement == rule.id))
        .collect();
    let first = citing.first().copied();
    let title = first.map_or("", |r| r.title.as_str());
    let spec = first.map_or("", |r| r.spec.as_str());
    let area = first.map_or("", |r| r.area.as_str());

    let mut cases: Vec<&str> = citing.iter().map(|r| r.case_id.as_str()).collect();
    cases.dedup();
    let mut versions: Vec<&str> = citing.iter().map(|r| r.version.as_str()).collect();
    versions.sort_unstable();
    versions.dedup();
    let mut hints: Vec<&str> = citing
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.requirement == rule.id && !f.hint.is_empty())
        .map(|f| f.hint.as_str())
        .collect();
    hints.sort_unstable();
    hints.dedup();

    let url = spec_url(spec, &versions);
    let keyword = &rule.keyword;
    let short = format!("{keyword}: {}", one_line(title));
    let full = format!(
        "{} ({keyword}, {}) is checked by {}: {}.",
        rule.id,
        one_line(spec),
        cases.join(", "),
        one_line(title)
    );

    let mut help_text = format!("{} is a {keyword} requirement of the MCP specification ({}).\n", rule.id, one_line(spec));
    let mut help_markdown = format!(
        "**{}** is a **{keyword}** requirement of the MCP specification: [{}]({url}).\n\n",
        escape_inline(&rule.id),
        escape_inline(spec)
    );
    help_text.push_str(&format!("What is checked: {}\n", one_line(title)));
    help_markdown.push_str(&format!("What is checked: {}\n\n", escape_inline(title)));
    if hints.is_empty() {
        help_text.push_str(&format!("How to fix: read {url}\n"));
        help_markdown.push_str("How to fix: see the specification section linked above.\n");
    } else {
        help_text.push_str("How to fix:\n");
        help_markdown.push_str("How to fix:\n\n");
        for hint in &hints {
            help_text.push_str(&format!("- {}\n", one_line(hint)));
            help_markdown.push_str(&format!("- {}\n", escape_inline(hint)));
        }
    }

    let mut properties = Map::new();
    properties.insert("tags".into(), json!(["mcp", area, keyword]));
    properties.insert("spec".into(), Value::from(spec));
    json!({
        "id": rule.id,
        "name": rule_name(&rule.id, &cases),
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "help": { "text": help_text, "markdown": help_markdown },
        "helpUri": url,
        "defaultConfiguration": { "level": keyword_level(keyword) },
        "properties": properties,
    })
}

/// The SARIF level an RFC 2119 keyword calls for.
fn keyword_level(keyword: &str) -> &'static str {
    let keyword = keyword.trim().to_ascii_uppercase();
    if keyword.starts_with("SHOULD") || keyword == "RECOMMENDED" || keyword == "NOT RECOMMENDED" {
        "warning"
    } else if keyword == "MAY" || keyword == "OPTIONAL" {
        "note"
    } else {
        // MUST, MUST NOT, SHALL, REQUIRED, and the catalogue's `(schema)`
        // and `(prose)`, which fail like a MUST.
        "error"
    }
}

/// A readable identifier for the rule: the first citing case's name without
/// its ID prefix, in PascalCase (`LIFECYCLE-006-unsupported-version` →
/// `UnsupportedVersion`), else the requirement ID without punctuation.
fn rule_name(id: &str, cases: &[&str]) -> String {
    let slug = cases
        .first()
        .and_then(|case| case.strip_prefix(id))
        .map(|rest| rest.trim_start_matches('-'))
        .unwrap_or("");
    let source = if slug.is_empty() { id } else { slug };
    source
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let head = chars.next().map(|c| c.to_ascii_uppercase());
            head.into_iter().chain(chars.map(|c| c.to_ascii_lowercase())).collect::<String>()
        })
        .collect()
}

/// A `message.text`: SARIF §3.11.6 reads `[text](target)` in a message as
/// an embedded link, so literal `\`, `[` and `]` are backslash-escaped and
/// a server cannot plant a link in a code-scanning alert.
fn message_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in visible(text, Lines::Keep).chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn one_line(text: &str) -> String {
    visible(text, Lines::Escape).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};

    #[test]
    fn message_brackets_are_escaped() {
        assert_eq!(message_text(r"[x](http://e) \ ok"), r"\[x\](http://e) \\ ok");
    }

    #[test]
    fn keywords_map_to_levels() {
        for (keyword, level) in [
            ("MUST", "error"),
            ("MUST NOT", "error"),
            ("(schema)", "error"),
            ("(prose)", "error"),
            ("SHOULD", "warning"),
            ("SHOULD NOT", "warning"),
            ("MAY", "note"),
        ] {
            assert_eq!(keyword_level(keyword), level, "{keyword}");
        }
    }

    #[test]
    fn names_rules_after_their_case() {
        assert_eq!(rule_name("LIFECYCLE-006", &["LIFECYCLE-006-unsupported-version"]), "UnsupportedVersion");
        assert_eq!(rule_name("AUTH-003", &["AUTH-002-resource-metadata"]), "Auth003");
    }

    #[test]
    fn strict_promoted_should_findings_are_errors() {
        let mut failed = result(Status::Fail);
        failed.findings[0].keyword = "SHOULD".into();
        let log: Value = serde_json::from_str(&to_sarif(&record_with(vec![failed]))).unwrap();
        assert_eq!(log["runs"][0]["results"][0]["level"], "error");
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"], "warning");
    }

    #[test]
    fn repeated_findings_on_one_rule_get_distinct_fingerprints() {
        let mut failed = result(Status::Fail);
        failed.findings.push(failed.findings[0].clone());
        let log: Value = serde_json::from_str(&to_sarif(&record_with(vec![failed]))).unwrap();
        let prints: Vec<&Value> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["partialFingerprints"][FINGERPRINT_KEY])
            .collect();
        assert_eq!(prints[0], "REQ-001/REQ-001-fail/2025-06-18/stdio");
        assert_eq!(prints[1], "REQ-001/REQ-001-fail/2025-06-18/stdio/2");
    }

    #[test]
    fn an_anchor_locates_every_result_in_that_file() {
        let record = record_with(vec![result(Status::Fail), result(Status::Inconclusive)]);
        let plain: Value = serde_json::from_str(&to_sarif(&record)).unwrap();
        let anchored: Value = serde_json::from_str(&to_sarif_anchored(&record, "mcp-conform.toml")).unwrap();
        let results = anchored["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for (i, result) in results.iter().enumerate() {
            let location = &result["locations"][0];
            assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], "mcp-conform.toml");
            assert_eq!(location["physicalLocation"]["region"]["startLine"], 1);
            assert_eq!(location["logicalLocations"], plain["runs"][0]["results"][i]["locations"][0]["logicalLocations"]);
            assert_eq!(result["partialFingerprints"], plain["runs"][0]["results"][i]["partialFingerprints"]);
        }
        assert!(plain["runs"][0]["results"][0]["locations"][0].get("physicalLocation").is_none());
    }
}
