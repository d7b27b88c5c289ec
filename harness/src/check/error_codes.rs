//! The error codes a 2026-07-28 server may use (`basic/index.mdx` §Error
//! Codes): the check provokes the errors every server has to give (an
//! unknown method; an unknown tool, prompt or resource where the server
//! declares that feature) and sorts each code into the spec's ranges.

use serde_json::{json, Value};

use super::prompts::ABSENT_PROMPT;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// The codes the spec defines in its reserved range -32020..-32099.
const DEFINED_MCP_CODES: [i64; 3] = [-32020, -32021, -32022];
/// Codes of earlier versions that 2026-07-28 must not emit.
const RETIRED_CODES: [i64; 2] = [-32002, -32042];
/// The codes JSON-RPC 2.0 itself defines.
const JSON_RPC_CODES: [i64; 5] = [-32700, -32600, -32601, -32602, -32603];

/// Names nothing on any server.
const ABSENT_TOOL: &str = "mcp-conform-no-such-tool";
const ABSENT_RESOURCE: &str = "mcp-conform://no-such-resource";

/// What the spec says about one error code: `None` when nothing forbids it,
/// else the requirement, its keyword and why.
fn judge(code: i64) -> Option<(&'static str, &'static str, &'static str)> {
    if RETIRED_CODES.contains(&code) {
        Some(("JSONRPC-012", "MUST NOT", "a code of an earlier version that 2026-07-28 retired"))
    } else if (-32099..=-32020).contains(&code) && !DEFINED_MCP_CODES.contains(&code) {
        Some(("JSONRPC-010", "MUST NOT", "a code of the range the spec reserves for itself (-32020..-32099) that it does not define"))
    } else if (-32019..=-32000).contains(&code) {
        Some(("JSONRPC-011", "SHOULD NOT", "a code of the legacy sub-range -32000..-32019"))
    } else if (-32768..=-32100).contains(&code) && !JSON_RPC_CODES.contains(&code) {
        Some(("JSONRPC-013", "SHOULD", "a code inside the block JSON-RPC reserves (-32768..-32000) that JSON-RPC does not define"))
    } else {
        None
    }
}

/// The requests that must fail, each with a label.
fn provocations(context: &CaseContext<'_>) -> Vec<(&'static str, &'static str, Value)> {
    let mut asks = vec![("an unknown method", "mcp-conform/no-such-method", json!({}))];
    if context.server.declares("tools") {
        asks.push(("an unknown tool", "tools/call", json!({ "name": ABSENT_TOOL, "arguments": {} })));
    }
    if context.server.declares("prompts") {
        asks.push(("an unknown prompt", "prompts/get", json!({ "name": ABSENT_PROMPT, "arguments": {} })));
    }
    if context.server.declares("resources") {
        asks.push(("an unknown resource", "resources/read", json!({ "uri": ABSENT_RESOURCE })));
    }
    asks
}

/// Every provoked error's code is one 2026-07-28 allows (JSONRPC-010 to -013).
pub async fn codes(context: &CaseContext<'_>) -> StepOutcome {
    let asks = provocations(context);
    let sent = asks.iter().map(|(what, method, params)| async move {
        (*what, *method, context.session.request(method, params.clone(), &RequestOptions::default()).await)
    });
    let mut outcome = StepOutcome::default();
    let mut judged = 0;
    for (what, method, exchange) in futures_util::future::join_all(sent).await {
        // Whether it should have failed, and how, is for the method's own cases.
        let Some(code) = exchange.error().and_then(|e| e.get("code")).and_then(Value::as_i64) else { continue };
        judged += 1;
        if let Some((requirement, keyword, why)) = judge(code) {
            outcome.findings.push(Draft {
                requirement: requirement.into(),
                keyword: Some(keyword),
                message: format!("`{method}` for {what} was answered with error code {code}: {why}"),
                expected: "a JSON-RPC code (-32700, -32600..-32603), one the spec defines (-32020..-32022), or an application code outside -32768..-32000".into(),
                actual: clip(&exchange.error().map_or_else(String::new, Value::to_string), 300),
                hint: None,
            });
        }
    }
    if judged == 0 {
        outcome.inconclusive.push(format!("none of the {} requests that should fail was answered with an error", asks.len()));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fall_in_the_spec_ranges() {
        for allowed in [-32700, -32600, -32601, -32602, -32603, -32020, -32021, -32022, -1, 1, -31999, -32769] {
            assert_eq!(judge(allowed), None, "{allowed}");
        }
        let requirement = |code| judge(code).map(|(id, _, _)| id);
        assert_eq!(requirement(-32002), Some("JSONRPC-012"));
        assert_eq!(requirement(-32042), Some("JSONRPC-012"));
        assert_eq!(requirement(-32040), Some("JSONRPC-010"));
        assert_eq!(requirement(-32099), Some("JSONRPC-010"));
        assert_eq!(requirement(-32000), Some("JSONRPC-011"));
        assert_eq!(requirement(-32019), Some("JSONRPC-011"));
        assert_eq!(requirement(-32100), Some("JSONRPC-013"));
        assert_eq!(requirement(-32500), Some("JSONRPC-013"));
    }
}
