//! A 2026-07-28 server advertises in its discover `capabilities` every
//! feature it offers (LIFECYCLE-019): a list method that is served while its
//! capability is left out means the feature is offered but not declared.

use serde_json::json;

use super::lists::{describe, is_interim};
use super::observe::unknown_capabilities;
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// Each feature with the list method every server offering it serves.
const FEATURES: [(&str, &str); 3] = [("tools", "tools/list"), ("prompts", "prompts/list"), ("resources", "resources/list")];

/// Ask for the list of every feature the server did not declare: a
/// (complete) result is a finding. A server that declares them all passes.
pub async fn undeclared(context: &CaseContext<'_>) -> StepOutcome {
    if let Some(outcome) = unknown_capabilities(context) {
        return outcome;
    }
    let undeclared = FEATURES.iter().filter(|(capability, _)| !context.server.declares(capability));
    let asks = undeclared.map(|(capability, method)| async move {
        (*capability, *method, context.session.request(method, json!({}), &RequestOptions::default()).await)
    });
    let mut outcome = StepOutcome::default();
    for (capability, method, exchange) in futures_util::future::join_all(asks).await {
        let Some(result) = exchange.result() else { continue };
        if is_interim(result) {
            outcome.inconclusive.push(format!("`{method}` answered input_required"));
            continue;
        }
        outcome.findings.push(Draft {
            requirement: "LIFECYCLE-019".into(),
            keyword: Some("MUST"),
            message: format!("`{method}` is served but the discover capabilities do not declare `{capability}`"),
            expected: format!("`{capability}` in the capabilities of server/discover, or no `{method}` (error -32601)"),
            actual: describe(&exchange),
            hint: None,
        });
    }
    outcome
}
