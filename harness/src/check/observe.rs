//! What the server sent, read back from the transcript: the notifications
//! the checks of this family judge, with the order and the stream each came on.

use std::time::Duration;

use reports::Direction;
use serde_json::{json, Map, Value};

use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::ToolRole;
use crate::session::{Exchange, LogEntry, RequestOptions};

/// After a response, how long a check keeps listening for messages that
/// must not follow it. Messages on one stream arrive in order, so a short
/// wait suffices for a server that sends them right after the response.
pub const LATE_WINDOW: Duration = Duration::from_millis(300);

/// After a request that changes what the server may send (a log level,
/// an unsubscription), a pause before judging: a message already on its
/// way on another stream is not evidence against the new state.
pub const SETTLE: Duration = Duration::from_millis(100);

/// One message the server sent.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Its place in the transcript slice it was read from.
    pub index: usize,
    /// The stream it came on (`stdout`, `POST #3`, `GET stream`, ...).
    pub channel: String,
    /// The message.
    pub message: Value,
    /// The transcript entry, as evidence.
    pub entry: LogEntry,
}

impl Seen {
    /// The method, for a notification or request.
    pub fn method(&self) -> Option<&str> {
        self.message.get("method").and_then(Value::as_str)
    }

    /// The params, or an empty object.
    pub fn params(&self) -> &Value {
        static EMPTY: Value = Value::Null;
        self.message.get("params").unwrap_or(&EMPTY)
    }

    /// Is it a notification (a method and no id)?
    pub fn is_notification(&self) -> bool {
        self.method().is_some() && self.message.get("id").is_none()
    }

    /// `_meta["io.modelcontextprotocol/subscriptionId"]`, if it carries one.
    pub fn subscription_id(&self) -> Option<&Value> {
        self.params().pointer("/_meta/io.modelcontextprotocol~1subscriptionId")
    }

    /// The message as a finding shows it.
    pub fn shown(&self) -> String {
        format!("on {}: {}", self.channel, clip(&self.entry.entry.text, 300))
    }
}

/// Every JSON message the server sent in `entries`, in order of arrival.
pub fn received(entries: &[LogEntry]) -> Vec<Seen> {
    let mut seen = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if entry.entry.direction != Direction::Received {
            continue;
        }
        // A batch (2025-03-26) is recorded whole; its items are judged one by one.
        let items = match serde_json::from_str::<Value>(&entry.entry.text) {
            Ok(Value::Array(items)) => items,
            Ok(message @ Value::Object(_)) => vec![message],
            _ => continue,
        };
        for message in items.into_iter().filter(Value::is_object) {
            seen.push(Seen { index, channel: entry.entry.channel.clone(), message, entry: entry.clone() });
        }
    }
    seen
}

/// The notifications called `method` among `seen`.
pub fn notifications<'a>(seen: &'a [Seen], method: &'a str) -> impl Iterator<Item = &'a Seen> + 'a {
    seen.iter().filter(move |s| s.is_notification() && s.method() == Some(method))
}

/// The response to request `id` among `seen`.
pub fn response<'a>(seen: &'a [Seen], id: &Value) -> Option<&'a Seen> {
    seen.iter().find(|s| s.method().is_none() && s.message.get("id") == Some(id))
}

/// Every `progressToken` the harness sent on this connection.
pub fn sent_progress_tokens(entries: &[LogEntry]) -> Vec<Value> {
    entries
        .iter()
        .filter(|e| e.entry.direction == Direction::Sent)
        .filter_map(|e| serde_json::from_str::<Value>(&e.entry.text).ok())
        .filter_map(|m| m.pointer("/params/_meta/progressToken").cloned())
        .collect()
}

/// Call the tool that plays a role, with extra `_meta` keys.
pub async fn call(context: &CaseContext<'_>, role: &ToolRole, meta: Map<String, Value>) -> Exchange {
    let mut params = json!({ "name": role.tool, "arguments": role.arguments });
    if !meta.is_empty() {
        params["_meta"] = Value::Object(meta);
    }
    context.session.request("tools/call", params, &RequestOptions::default()).await
}

/// Why an exchange cannot be judged, if it cannot: no answer, or an error.
pub fn unusable(what: &str, exchange: &Exchange) -> Option<String> {
    if let Some(error) = exchange.error() {
        return Some(format!("{what} was answered with an error: {}", clip(&error.to_string(), 200)));
    }
    match exchange.result() {
        Some(result) if result.get("isError") == Some(&Value::Bool(true)) => {
            Some(format!("{what} failed: {}", clip(&result.to_string(), 200)))
        }
        Some(_) => None,
        None => Some(format!("{what} got no answer")),
    }
}

/// Why a check that judges what the server declared cannot run: the
/// session never learnt its capabilities (no handshake or discover result).
pub fn unknown_capabilities(context: &CaseContext<'_>) -> Option<StepOutcome> {
    (!context.server.capabilities.is_object()).then(|| StepOutcome {
        inconclusive: vec!["the server's capabilities are unknown (no initialize or server/discover result)".into()],
        ..StepOutcome::default()
    })
}

/// A message as a finding shows it.
pub fn clip_message(message: &Value) -> String {
    clip(&message.to_string(), 300)
}

/// A finding with its own requirement and keyword.
pub fn draft(requirement: &str, keyword: &'static str, message: String, expected: &str, actual: String) -> Draft {
    Draft { requirement: requirement.into(), keyword: Some(keyword), message, expected: expected.into(), actual, hint: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reports::TranscriptEntry;

    fn entry(direction: Direction, channel: &str, text: &str) -> LogEntry {
        LogEntry {
            entry: TranscriptEntry { at_ms: 0, direction, channel: channel.into(), text: text.into() },
            problems: Vec::new(),
        }
    }

    #[test]
    fn reads_messages_in_order_and_skips_the_rest() {
        let entries = [
            entry(Direction::Sent, "request", r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":"t"}}}"#),
            entry(Direction::Received, "stdout", r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1}}"#),
            entry(Direction::Received, "stdout", "not json"),
            entry(Direction::Event, "harness", "{}"),
            entry(Direction::Received, "stdout", r#"[{"jsonrpc":"2.0","id":1,"result":{}}]"#),
        ];
        let seen = received(&entries);
        assert_eq!(seen.len(), 2);
        assert_eq!(notifications(&seen, "notifications/progress").count(), 1);
        assert_eq!(response(&seen, &json!(1)).map(|s| s.index), Some(4));
        assert_eq!(sent_progress_tokens(&entries), [json!("t")]);
    }
}
