//! A client that declares no capabilities must not be asked for sampling,
//! roots or elicitation (L-S2C-001; S2C-006 in 2026-07-28).
//!
//! On a fresh connection the check opens its own session declaring nothing
//! (`initialize` with `capabilities: {}`; in 2026-07-28 each call's `_meta`
//! says `clientCapabilities: {}`), calls the tools it may call and looks at
//! everything the server sent: a `sampling/createMessage`, `roots/list` or
//! `elicitation/create` request (or `inputRequests` entry) is a violation.

use serde_json::{json, Value};

use super::tools;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::{stateless, Reply, RequestOptions};
use crate::version::{era, Era};

/// Requests that need a client capability the check never declares.
const NEEDS_CAPABILITY: [(&str, &str); 3] =
    [("sampling/createMessage", "sampling"), ("roots/list", "roots"), ("elicitation/create", "elicitation")];

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// Run the check on the case's fresh connection.
pub async fn undeclared(context: &CaseContext<'_>) -> StepOutcome {
    let session = context.session;
    let version = session.version.as_str();
    let mark = session.connection.mark();
    if era(version) == Era::Stateful {
        if let Err(why) = handshake_without_capabilities(context).await {
            return inconclusive(why);
        }
    }
    let chosen = match tools::callable_tools(context).await {
        Ok(chosen) => chosen,
        // A listing that fails is TOOLS-002's finding; here it only leaves nothing to call.
        Err(outcome) if !outcome.findings.is_empty() => {
            let why = outcome.findings.iter().map(|f| format!("{}: {}", f.message, f.actual)).collect::<Vec<_>>().join("; ");
            return inconclusive(format!("the tools could not be listed ({why})"));
        }
        Err(outcome) => return outcome,
    };
    let calls = chosen.iter().map(|(name, arguments)| async move {
        let mut params = json!({ "name": name, "arguments": arguments });
        match era(version) {
            Era::Stateful => session.request("tools/call", params, &RequestOptions::default()).await,
            Era::Stateless => {
                params["_meta"] = json!({ "io.modelcontextprotocol/clientCapabilities": {} });
                stateless::request(&session.connection, version, "tools/call", params, &RequestOptions::default()).await
            }
        }
    });
    let completed = futures_util::future::join_all(calls).await.iter().filter(|e| matches!(e.reply, Reply::Response(_))).count();
    let findings = asked(&session.connection.since(mark).iter().map(|e| e.entry.clone()).collect::<Vec<_>>(), version);
    if findings.is_empty() && completed == 0 {
        return inconclusive("no tool call completed, so nothing shows what the server would ask".into());
    }
    StepOutcome { findings, ..StepOutcome::default() }
}

/// `initialize` declaring no capabilities, then `notifications/initialized`,
/// on the case's fresh connection. No GET stream: the requests a tool call
/// makes travel on that call's own stream (and a GET stream of a flooding
/// server would only slow the calls down).
async fn handshake_without_capabilities(context: &CaseContext<'_>) -> Result<(), String> {
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    let params = json!({
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": crate::session::client::client_info(),
    });
    connection.set_version(version);
    let exchange = connection.request("initialize", params, Vec::new()).await;
    let agreed = exchange.result().and_then(|r| r.get("protocolVersion")).and_then(Value::as_str);
    if agreed != Some(version) {
        return Err(format!("initialize declaring no capabilities did not open a {version} session"));
    }
    connection.transport().set_protocol_version(Some(version));
    connection.notify("notifications/initialized", None, Vec::new()).await.map_err(|e| e.to_string())
}

/// Every request (or 2026-07-28 `inputRequests` entry) in `transcript`
/// that asks for a capability the client did not declare.
fn asked(transcript: &[reports::TranscriptEntry], version: &str) -> Vec<Draft> {
    let requirement = if era(version) == Era::Stateless { "S2C-006" } else { "L-S2C-001" };
    let mut findings = Vec::new();
    for entry in transcript.iter().filter(|e| e.direction == reports::Direction::Received) {
        let Ok(message) = serde_json::from_str::<Value>(&entry.text) else { continue };
        let mut methods: Vec<&str> = Vec::new();
        if message.get("id").is_some() {
            methods.extend(message.get("method").and_then(Value::as_str));
        }
        let inputs = message.pointer("/result/inputRequests").and_then(Value::as_object);
        methods.extend(inputs.into_iter().flatten().filter_map(|(_, input)| input.get("method").and_then(Value::as_str)));
        for method in methods {
            let Some((_, capability)) = NEEDS_CAPABILITY.iter().find(|(m, _)| *m == method) else { continue };
            findings.push(Draft {
                requirement: requirement.into(),
                keyword: Some("MUST NOT"),
                message: format!("the server asked for `{method}` although the client declared no `{capability}` capability"),
                expected: "no request needing a capability the client did not declare".into(),
                actual: format!("at {} ms on {}: {}", entry.at_ms, entry.channel, clip(&entry.text, 300)),
                hint: None,
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc;
    use reports::{Direction, TranscriptEntry};

    fn received(text: &str) -> TranscriptEntry {
        TranscriptEntry { at_ms: 1, direction: Direction::Received, channel: "POST #3".into(), text: text.into() }
    }

    #[test]
    fn requests_and_input_requests_are_both_seen() {
        let request = jsonrpc::request(&json!(7), "sampling/createMessage", Some(json!({})));
        assert_eq!(asked(&[received(&request.to_string())], "2025-06-18")[0].requirement, "L-S2C-001");
        let input = json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "input_required", "inputRequests": {"r": {"method": "roots/list"}}}});
        assert_eq!(asked(&[received(&input.to_string())], "2026-07-28")[0].requirement, "S2C-006");
        let fine = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {}});
        assert!(asked(&[received(&fine.to_string())], "2025-06-18").is_empty());
    }
}
