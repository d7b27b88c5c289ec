//! The `input-request-keys-duplicated` fault (S2C-003): an `inputRequests`
//! key written twice in one result.
//!
//! A JSON object cannot hold a key twice once parsed, so the fault works on
//! the text: the result carries the entry a second time under a marked key
//! ([`marked`]), and [`to_text`], which every transport uses to write a
//! message, writes the marked key as the plain one. Without a marked key in
//! `result.inputRequests` the text is the ordinary serialization.

use serde_json::Value;

/// What a marked key starts with: NUL, which serde_json writes as `\u0000`.
const MARK: &str = "\u{0}duplicate:";
/// The same mark as it appears in the serialized text, after the opening quote.
const WRITTEN_MARK: &str = "\"\\u0000duplicate:";

/// The key under which an entry is written a second time as `key`.
pub fn marked(key: &str) -> String {
    format!("{MARK}{key}")
}

/// The JSON text of `message`, with every marked `inputRequests` key
/// written as the key it duplicates.
pub fn to_text(message: &Value) -> String {
    let text = message.to_string();
    let requests = message.pointer("/result/inputRequests").and_then(Value::as_object);
    if requests.is_some_and(|r| r.keys().any(|k| k.starts_with(MARK))) {
        return text.replace(WRITTEN_MARK, "\"");
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_marked_key_is_written_as_its_original() {
        let message = json!({"jsonrpc": "2.0", "id": 1, "result": {"inputRequests": {"roots": {"method": "roots/list"}, marked("roots"): {"method": "roots/list"}}}});
        let text = to_text(&message);
        assert_eq!(text.matches("\"roots\":").count(), 2, "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["result"]["inputRequests"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn other_messages_are_left_alone() {
        let echo = json!({"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": marked("x")}]}});
        assert_eq!(to_text(&echo), echo.to_string());
    }
}
