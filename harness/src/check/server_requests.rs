//! 2026-07-28 servers never originate a JSON-RPC request (JSONRPC-016;
//! STDIO-004 on stdio, HTTP-010 on Streamable HTTP): they ask the client for
//! input with `input_required` results instead.
//!
//! The check calls the tools it may call with the harness's full client
//! capabilities declared (so a server that wants sampling, roots or
//! elicitation has every reason to ask) and looks at everything the server
//! sent meanwhile: a message with both `method` and `id` is a request.

use serde_json::json;

use super::observe::{self, Seen};
use super::tools;
use crate::execute::{CaseContext, Draft, StepOutcome};
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
    let findings = requests_in(&observe::received(&session.connection.since(mark)), context.transport);
    if findings.is_empty() && completed == 0 {
        return inconclusive("no tool call completed, so nothing shows whether the server would send a request".into());
    }
    StepOutcome { findings, ..StepOutcome::default() }
}

/// A finding for every request among the messages the server sent.
fn requests_in(seen: &[Seen], transport: Kind) -> Vec<Draft> {
    // The transport's own statement of the rule where it has one.
    let requirement = match transport {
        Kind::Stdio => "STDIO-004",
        Kind::StreamableHttp => "HTTP-010",
        Kind::Sse => "JSONRPC-016",
    };
    let requests = seen.iter().filter(|s| !s.is_notification()).filter_map(|s| s.method().map(|method| (method, s)));
    requests
        .map(|(method, request)| {
            observe::draft(
                requirement,
                "MUST NOT",
                format!("the server sent a `{method}` request; in 2026-07-28 servers send only responses and notifications"),
                "no JSON-RPC request from the server (input is asked for with an input_required result)",
                request.shown(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::LogEntry;
    use reports::{Direction, TranscriptEntry};

    fn received(texts: &[&str]) -> Vec<Seen> {
        let entries: Vec<LogEntry> = texts
            .iter()
            .map(|text| LogEntry {
                entry: TranscriptEntry { at_ms: 1, direction: Direction::Received, channel: "stdout".into(), text: text.to_string() },
                problems: Vec::new(),
            })
            .collect();
        observe::received(&entries)
    }

    #[test]
    fn only_requests_are_findings() {
        let request = r#"{"jsonrpc":"2.0","id":5,"method":"elicitation/create","params":{}}"#;
        let notification = r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#;
        let response = r#"{"jsonrpc":"2.0","id":5,"result":{}}"#;
        let found = requests_in(&received(&[request, notification, response]), Kind::Stdio);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].requirement, "STDIO-004");
        assert_eq!(requests_in(&received(&[request]), Kind::StreamableHttp)[0].requirement, "HTTP-010");
        assert_eq!(requests_in(&received(&[request]), Kind::Sse)[0].requirement, "JSONRPC-016");
        assert!(requests_in(&received(&[notification, response]), Kind::Stdio).is_empty());
    }
}
