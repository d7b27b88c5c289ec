//! A 2026-07-28 server advertises in its discover `capabilities` every
//! feature it offers (LIFECYCLE-019), and in every version a server with
//! resources or prompts declares them (RESOURCES-001, PROMPTS-001): a list
//! method that is served while its capability is left out means the feature
//! is offered but not declared.

use serde_json::json;

use super::lists::{describe, is_interim};
use super::observe::unknown_capabilities;
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// A feature, the list method every server offering it serves, and the
/// requirement that it be declared.
struct Feature {
    capability: &'static str,
    method: &'static str,
    requirement: &'static str,
}

/// LIFECYCLE-019 (2026-07-28): every feature is advertised in discover.
const DISCOVERED: [Feature; 3] = [
    Feature { capability: "tools", method: "tools/list", requirement: "LIFECYCLE-019" },
    Feature { capability: "prompts", method: "prompts/list", requirement: "LIFECYCLE-019" },
    Feature { capability: "resources", method: "resources/list", requirement: "LIFECYCLE-019" },
];

/// RESOURCES-001, PROMPTS-001 (every version): a server with resources or
/// prompts declares them.
const RESOURCES_AND_PROMPTS: [Feature; 2] = [
    Feature { capability: "resources", method: "resources/list", requirement: "RESOURCES-001" },
    Feature { capability: "prompts", method: "prompts/list", requirement: "PROMPTS-001" },
];

/// Ask for the list of every feature the server did not declare: a
/// (complete) result is a finding. A server that declares them all passes.
pub async fn undeclared(context: &CaseContext<'_>) -> StepOutcome {
    served_but_undeclared(context, &DISCOVERED, false).await
}

/// The same for resources and prompts in every version, where a server
/// has them only when the list it serves names at least one.
pub async fn resources_and_prompts(context: &CaseContext<'_>) -> StepOutcome {
    served_but_undeclared(context, &RESOURCES_AND_PROMPTS, true).await
}

/// The shared walk: `needs_items` counts only a non-empty list as served.
async fn served_but_undeclared(context: &CaseContext<'_>, features: &[Feature], needs_items: bool) -> StepOutcome {
    if let Some(outcome) = unknown_capabilities(context) {
        return outcome;
    }
    let undeclared = features.iter().filter(|feature| !context.server.declares(feature.capability));
    let asks = undeclared.map(|feature| async move {
        (feature, context.session.request(feature.method, json!({}), &RequestOptions::default()).await)
    });
    let mut outcome = StepOutcome::default();
    for (feature, exchange) in futures_util::future::join_all(asks).await {
        let Feature { capability, method, requirement } = feature;
        let Some(result) = exchange.result() else { continue };
        if is_interim(result) {
            outcome.inconclusive.push(format!("`{method}` answered input_required"));
            continue;
        }
        let listed = result.get(*capability).and_then(serde_json::Value::as_array).is_some_and(|items| !items.is_empty());
        if needs_items && !listed {
            continue;
        }
        outcome.findings.push(Draft {
            requirement: (*requirement).into(),
            keyword: Some("MUST"),
            message: format!("`{method}` is served but the server's capabilities do not declare `{capability}`"),
            expected: format!("`{capability}` in the server's capabilities, or no `{method}` (error -32601)"),
            actual: describe(&exchange),
            hint: None,
        });
    }
    outcome
}
