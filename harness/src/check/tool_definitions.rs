//! What a server says about its tools: the `tools` capability (TOOLS-001),
//! tool names (TOOLS-007) and tool annotations (TOOLS-017).

use serde_json::{json, Value};

use super::lists::{describe, is_interim};
use super::observe::unknown_capabilities;
use super::tools::{list, name_of};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;
use crate::version;

/// The longest tool name TOOLS-007 advises.
const MAX_NAME_LENGTH: usize = 128;

/// The boolean hints of `ToolAnnotations`, with the value a client assumes
/// when one is left out (they are only hints, so only their type is judged).
const HINTS: [(&str, bool); 4] = [("readOnlyHint", false), ("destructiveHint", true), ("idempotentHint", false), ("openWorldHint", true)];

/// TOOLS-001: a server that serves tools declares `tools`. Declared, it
/// holds; undeclared, `tools/list` must not list any tool.
pub async fn capability(context: &CaseContext<'_>) -> StepOutcome {
    // Without a handshake or discover result nothing was declared or left out.
    if let Some(outcome) = unknown_capabilities(context) {
        return outcome;
    }
    if context.server.declares("tools") {
        return StepOutcome::default();
    }
    let exchange = context.session.request("tools/list", json!({}), &RequestOptions::default()).await;
    let mut outcome = StepOutcome::default();
    match exchange.result() {
        Some(result) if is_interim(result) => outcome.inconclusive.push("`tools/list` answered input_required".into()),
        Some(result) if result.get("tools").and_then(Value::as_array).is_some_and(|tools| !tools.is_empty()) => {
            outcome.findings.push(Draft {
                requirement: "TOOLS-001".into(),
                keyword: Some("MUST"),
                message: "`tools/list` lists tools but the server did not declare the `tools` capability".into(),
                expected: "the tools capability declared by a server that has tools".into(),
                actual: describe(&exchange),
                hint: None,
            });
        }
        // Refused, or nothing listed: the server has no tools to declare.
        _ => {}
    }
    outcome
}

/// Tool names follow TOOLS-007 (2025-11-25 on) and annotations have the
/// schema's types (TOOLS-017, 2025-03-26 on).
pub async fn definitions(context: &CaseContext<'_>) -> StepOutcome {
    let tools = match list(context).await {
        Ok(tools) => tools,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    if tools.is_empty() {
        outcome.inconclusive.push("the server lists no tools".into());
        return outcome;
    }
    let version = context.session.version.as_str();
    if version::at_least(version, "2025-11-25") {
        outcome.findings.extend(name_findings(&tools));
    }
    if version::at_least(version, "2025-03-26") {
        outcome.findings.extend(tools.iter().filter_map(annotation_finding));
    }
    outcome
}

/// What TOOLS-007 advises against in one name, if anything.
fn name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME_LENGTH {
        return Some(format!("{length} characters long"));
    }
    let odd: String = name.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))).collect();
    (!odd.is_empty()).then(|| format!("contains {odd:?}"))
}

fn name_findings(tools: &[Value]) -> Vec<Draft> {
    let mut findings = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for tool in tools {
        // A missing name is a schema violation, reported on receipt.
        let Some(name) = tool.get("name").and_then(Value::as_str) else { continue };
        if let Some(problem) = name_problem(name) {
            findings.push(Draft {
                requirement: "TOOLS-007".into(),
                keyword: Some("SHOULD"),
                message: format!("the tool name {name:?} {problem}"),
                expected: "1 to 128 characters, each an ASCII letter or digit, `_`, `-` or `.`".into(),
                actual: clip(&tool.to_string(), 300),
                hint: Some("Name tools with letters, digits, `_`, `-` and `.` only (no spaces or commas), at most 128 characters"),
            });
        }
        if seen.contains(&name) {
            findings.push(Draft {
                requirement: "TOOLS-007".into(),
                keyword: Some("SHOULD"),
                message: format!("two listed tools are named {name:?}"),
                expected: "tool names unique within the server".into(),
                actual: clip(&tool.to_string(), 300),
                hint: Some("Give every tool its own name"),
            });
        } else {
            seen.push(name);
        }
    }
    findings
}

/// TOOLS-017: `annotations`, when present, is an object whose hints are
/// booleans and whose `title` is a string.
fn annotation_finding(tool: &Value) -> Option<Draft> {
    let annotations = tool.get("annotations")?;
    let mut wrong: Vec<String> = Vec::new();
    match annotations.as_object() {
        None => wrong.push("`annotations` is not an object".into()),
        Some(members) => {
            for (hint, default) in HINTS {
                if members.get(hint).is_some_and(|v| !v.is_boolean()) {
                    wrong.push(format!("`{hint}` is not a boolean (true or false; {default} when left out)"));
                }
            }
            if members.get("title").is_some_and(|v| !v.is_string()) {
                wrong.push("`title` is not a string".into());
            }
        }
    }
    (!wrong.is_empty()).then(|| Draft {
        requirement: "TOOLS-017".into(),
        keyword: Some("(schema)"),
        message: format!("tool `{}`: {}", name_of(tool), wrong.join("; ")),
        expected: "ToolAnnotations: readOnlyHint, destructiveHint, idempotentHint and openWorldHint booleans, title a string".into(),
        actual: clip(&annotations.to_string(), 300),
        hint: Some("Send each annotation hint as a JSON boolean, or leave it out for its default"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_spec_gives_as_examples_pass() {
        for name in ["getUser", "DATA_EXPORT_v2", "admin.tools.list", "a", &"x".repeat(128)] {
            assert_eq!(name_problem(name), None, "{name}");
        }
    }

    #[test]
    fn names_with_spaces_commas_or_bad_length_are_advised_against() {
        for name in ["", "get user", "a,b", "größe", &"x".repeat(129)] {
            assert!(name_problem(name).is_some(), "{name}");
        }
    }

    #[test]
    fn duplicate_names_are_reported_once_per_repeat() {
        let tools = [json!({"name": "echo"}), json!({"name": "add"}), json!({"name": "echo"})];
        let findings = name_findings(&tools);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("two listed tools"));
    }

    #[test]
    fn annotations_must_have_the_schema_types() {
        assert!(annotation_finding(&json!({"name": "t"})).is_none());
        assert!(annotation_finding(&json!({"name": "t", "annotations": {"readOnlyHint": true, "title": "T"}})).is_none());
        let wrong = annotation_finding(&json!({"name": "t", "annotations": {"openWorldHint": "false"}}));
        assert!(wrong.is_some_and(|d| d.message.contains("openWorldHint")));
        assert!(annotation_finding(&json!({"name": "t", "annotations": [true]})).is_some());
    }
}
