//! 2026-07-28 servers never originate a JSON-RPC request (JSONRPC-016;
//! STDIO-004 on stdio): they ask the client for input with `input_required`
//! results instead.
//!
//! The check calls the tools it may call with the harness's full client
//! capabilities declared (so a server that wants sampling, roots or
//! elicitation has every reason to ask) and looks at everything the server
//! sent meanwhile: a message with both `method` and `id` is a request.

use reports::Direction;
use serde_json::{json, Value};

use super::tools;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::{Reply, RequestOptions};
use crate::transport::Kind;

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// Run the check on the case's session.
pub async fn none_sent(context: &CaseContext<'_>) -> StepOutcome {
    let session = context.session;
    let mark = session.connection.mark();
    let chosen = match tools::callable_tools(context).await {
        Ok(chosen) => chosen,
        // A listing that fails is TOOLS-002's finding; here it only leaves nothing to call.
        Err(outcome) if !outcome.findings.is_empty() => return inconclusive("the tools could not be listed".into()),
        Err(outcome) => return outcome,
    };
    let calls = chosen.iter().map(|(name, arguments)| async move {
        let params = json!({ "name": name, "arguments": arguments });
        session.request("tools/call", params, &RequestOptions::default()).await
    });
    let completed = futures_util::future::join_all(calls).await.iter().filter(|e| matches!(e.reply, Reply::Response(_))).count();
    let received: Vec<reports::TranscriptEntry> = session.connection.since(mark).into_iter().map(|e| e.entry).collect();
    let findings = requests_in(&received, context.transport);
    if findings.is_empty() && completed == 0 {
        return inconclusive("no tool call completed, so nothing shows whether the server would send a request".into());
    }
    StepOutcome { findings, ..StepOutcome::default() }
}

/// A finding for every request among the received messages of `transcript`.
fn requests_in(transcript: &[reports::TranscriptEntry], transport: Kind) -> Vec<Draft> {
    let requirement = if transport == Kind::Stdio { "STDIO-004" } else { "JSONRPC-016" };
    let mut findings = Vec::new();
    for entry in transcript.iter().filter(|e| e.direction == Direction::Received) {
        let Ok(message) = serde_json::from_str::<Value>(&entry.text) else { continue };
        let Some(method) = message.get("method").and_then(Value::as_str) else { continue };
        if message.get("id").is_none() {
            continue;
        }
        findings.push(Draft {
            requirement: requirement.into(),
            keyword: Some("MUST NOT"),
            message: format!("the server sent a `{method}` request; in 2026-07-28 servers send only responses and notifications"),
            expected: "no JSON-RPC request from the server (input is asked for with an input_required result)".into(),
            actual: format!("at {} ms on {}: {}", entry.at_ms, entry.channel, clip(&entry.text, 300)),
            hint: None,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use reports::TranscriptEntry;

    fn received(text: &str) -> TranscriptEntry {
        TranscriptEntry { at_ms: 1, direction: Direction::Received, channel: "stdout".into(), text: text.into() }
    }

    #[test]
    fn only_requests_are_findings() {
        let request = received(r#"{"jsonrpc":"2.0","id":5,"method":"elicitation/create","params":{}}"#);
        let notification = received(r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#);
        let response = received(r#"{"jsonrpc":"2.0","id":5,"result":{}}"#);
        let found = requests_in(&[request.clone(), notification.clone(), response.clone()], Kind::Stdio);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].requirement, "STDIO-004");
        assert_eq!(requests_in(&[request], Kind::StreamableHttp)[0].requirement, "JSONRPC-016");
        assert!(requests_in(&[notification, response], Kind::Stdio).is_empty());
    }
}
