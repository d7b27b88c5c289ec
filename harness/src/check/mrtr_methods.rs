//! `input-required-methods` (2026-07-28, S2C-002): only `tools/call`,
//! `resources/read` and `prompts/get` may answer `input_required`.
//!
//! The check asks `server/discover` and the first page of every list the
//! server declares (tools, prompts, resources and resource templates), each
//! sent once as it is, without following an `input_required` answer (the
//! session would answer it and retry): an `input_required` result to any of
//! them is a finding.

use serde_json::json;

use super::lists;
use super::observe;
use crate::execute::{CaseContext, StepOutcome};
use crate::session::{stateless, RequestOptions};

/// The methods asked, each with the capability that offers it (`None`: always there).
const ASKED: [(&str, Option<&str>); 5] = [
    ("server/discover", None),
    ("tools/list", Some("tools")),
    ("prompts/list", Some("prompts")),
    ("resources/list", Some("resources")),
    ("resources/templates/list", Some("resources")),
];

/// Run the check on the case's session.
pub async fn outside_mrtr(context: &CaseContext<'_>) -> StepOutcome {
    if let Some(outcome) = observe::unknown_capabilities(context) {
        return outcome;
    }
    let version = context.session.version.as_str();
    let mut outcome = StepOutcome::default();
    let mut answered = 0;
    for (method, capability) in ASKED {
        if capability.is_some_and(|c| !context.server.declares(c)) {
            continue;
        }
        let params = stateless::with_meta(json!({}), version);
        let exchange = stateless::send(&context.session.connection, method, params, &RequestOptions::default()).await;
        let Some(result) = exchange.result() else { continue };
        answered += 1;
        if lists::is_interim(result) {
            outcome.findings.push(observe::draft(
                "S2C-002",
                "MUST NOT",
                format!("`{method}` was answered with an input_required result"),
                "input_required only from tools/call, resources/read and prompts/get",
                observe::clip_message(result),
            ));
        }
    }
    if answered == 0 {
        return StepOutcome { inconclusive: vec!["no request was answered with a result".into()], ..StepOutcome::default() };
    }
    outcome
}
