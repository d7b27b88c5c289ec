//! `_meta` key names (JSONRPC-018) and extension identifiers (LIFECYCLE-015)
//! follow the key name format of `basic/index.mdx` §_meta: an optional
//! prefix of dot-separated labels ended by `/`, then a name.
//!
//! The check walks every list the server offers and judges each `_meta`
//! object the server sent on the way (the opening exchange included), at any
//! depth. Whether a key with a prefix reserved for MCP is one the spec or an
//! official extension defines cannot be told from outside, so only the
//! syntax is judged.

use serde_json::Value;

use super::lists;
use super::observe::{self, Seen};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::version::{era, Era};

/// Why `key` is not a valid `_meta` key name, if it is not.
fn key_problem(key: &str) -> Option<&'static str> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if !prefix.split('.').all(label_ok) {
            return Some("its prefix is not dot-separated labels that start with a letter and end with a letter or digit");
        }
    }
    if !name_ok(name) {
        return Some("its name does not begin and end with a letter or digit, or holds characters other than letters, digits, `-`, `_` and `.`");
    }
    None
}

fn label_ok(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphabetic() && last.is_ascii_alphanumeric() && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

fn name_ok(name: &str) -> bool {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (None, _) | (_, None) => true,
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
    }
}

/// Why an extension identifier is wrong, if it is: it needs a prefix.
fn extension_problem(id: &str) -> Option<&'static str> {
    if !id.contains('/') {
        return Some("it has no prefix (`vendor.example/name`), which extension identifiers must carry");
    }
    key_problem(id)
}

/// Every key of every `_meta` object within `value`.
fn meta_keys<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if let (true, Value::Object(meta)) = (key == "_meta", inner) {
                    found.extend(meta.keys().map(String::as_str));
                }
                meta_keys(inner, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| meta_keys(item, found)),
        _ => {}
    }
}

/// A finding for every malformed `_meta` key in what the server sent.
fn judge_messages(seen: &[Seen]) -> Vec<Draft> {
    let mut findings: Vec<Draft> = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for message in seen {
        let mut keys = Vec::new();
        meta_keys(&message.message, &mut keys);
        for key in keys {
            let Some(why) = key_problem(key) else { continue };
            // One finding per key, however often it is sent.
            if reported.contains(&key) {
                continue;
            }
            reported.push(key);
            findings.push(observe::draft(
                "JSONRPC-018",
                "MUST",
                format!("the server sent the `_meta` key {key:?}: {why}"),
                "`_meta` keys of the form `prefix/name` (prefix optional), e.g. `com.example/note`",
                message.shown(),
            ));
        }
    }
    findings
}

/// Judge the `_meta` keys of the opening exchange and of every offered
/// list, and (2026-07-28) the extension identifiers the server declared.
pub async fn check(context: &CaseContext<'_>) -> StepOutcome {
    let mark = context.session.connection.mark();
    let mut outcome = StepOutcome::default();
    lists::walk_offered(context, &mut outcome).await;
    let mut log = context.session.opening();
    log.extend(context.session.connection.since(mark));
    let seen = observe::received(&log);
    outcome.findings.extend(judge_messages(&seen));
    if era(&context.session.version) == Era::Stateless {
        let extensions = context.server.capabilities.get("extensions").and_then(Value::as_object);
        for id in extensions.into_iter().flat_map(|e| e.keys()) {
            let Some(why) = extension_problem(id) else { continue };
            outcome.findings.push(observe::draft(
                "LIFECYCLE-015",
                "MUST",
                format!("the server declares the extension {id:?}: {why}"),
                "extension identifiers of the form `prefix/name`, e.g. `io.modelcontextprotocol/ui`",
                observe::clip_message(&context.server.capabilities),
            ));
        }
    }
    // No opening exchange and no list: nothing the server sent to judge.
    if seen.is_empty() {
        outcome.inconclusive.push("the server sent nothing whose `_meta` could be judged".into());
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_names_follow_the_format() {
        for good in ["progressToken", "io.modelcontextprotocol/serverInfo", "com.example-corp/a.b_c-d", "x/", "a1.b2/n", "name9"] {
            assert_eq!(key_problem(good), None, "{good}");
        }
        for bad in ["-x", "x_", "com.example/_draft", "1com.example/x", "com..example/x", "com.example-/x", "a/b/c", "com.example/has space"] {
            assert!(key_problem(bad).is_some(), "{bad}");
        }
        assert!(extension_problem("tracing").is_some());
        assert_eq!(extension_problem("io.modelcontextprotocol/ui"), None);
    }

    #[test]
    fn finds_meta_at_any_depth() {
        let message = json!({"result": {"tools": [{"name": "t", "_meta": {"com.example/ok": 1, "-bad": 2}}], "_meta": {"x": 1}}});
        let mut keys = Vec::new();
        meta_keys(&message, &mut keys);
        keys.sort();
        assert_eq!(keys, ["-bad", "com.example/ok", "x"]);
    }
}
