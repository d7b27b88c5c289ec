//! The `connect_external_account` fixture tool (2025-11-25 only): a call
//! that cannot go on until the user has finished an interaction at a URL,
//! signalled the way 2025-11-25 allows (`client/elicitation.mdx` §URL
//! Elicitation Required Error, L-ELIC-001).
//!
//! * A client that did not declare `elicitation.url` gets `isError: true`
//!   (the server may only send it to a URL when it may, S2C-020).
//! * Declared, and not yet completed in this session: the call is refused
//!   with error -32042 (`URLElicitationRequiredError`) whose
//!   `data.elicitations` holds one URL-mode elicitation (`mode: "url"`, a
//!   fresh `elicitationId`, a `url` naming it, a `message`). Nobody can
//!   visit the (`.invalid`) URL, so the interaction "completes" by itself
//!   [`COMPLETES_AFTER_MS`] later: the session notes it and is sent
//!   `notifications/elicitation/complete` with the same `elicitationId`
//!   (outside any request: stdout, or the session's GET stream).
//! * Once completed, the call succeeds.
//!
//! Faults: `url-elicitation-data-malformed` leaves `elicitationId` and
//! `mode` out of the elicitation; `url-elicitation-complete-wrong-id`
//! completes it under another id.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::faults::{Fault, FaultSet};
use crate::peer::Peer;
use crate::protocol::RpcError;
use crate::tools::Output;

/// The tool's name.
pub const TOOL_NAME: &str = "connect_external_account";

/// `URLElicitationRequiredError`'s code.
pub const URL_ELICITATION_REQUIRED: i64 = -32042;

/// How long the out-of-band interaction takes.
pub const COMPLETES_AFTER_MS: u64 = 50;

/// The completion notification.
pub const COMPLETE_METHOD: &str = "notifications/elicitation/complete";

/// Elicitation ids handed out by this process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// What a call without `elicitation.url` declared gets.
pub fn undeclared() -> Output {
    Output::Failure("This tool sends the user to a URL, which needs the client's elicitation.url capability.".into())
}

/// A call in a session that declared `elicitation.url`: the result once
/// the elicitation completed, otherwise the -32042 refusal (and the
/// completion, scheduled).
pub fn call(peer: &Arc<Peer>, faults: FaultSet) -> Result<Output, RpcError> {
    if peer.url_elicitation_completed() {
        return Ok(Output::Text("The external account is connected.".into()));
    }
    let id = format!("reference-url-elicitation-{}-{}", std::process::id(), NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let mut elicitation = json!({
        "mode": "url",
        "elicitationId": id,
        "url": format!("https://connect.mcp-reference.invalid/account?elicitationId={id}"),
        "message": "Connect your external account in the browser to continue."
    });
    if faults.contains(Fault::UrlElicitationDataMalformed) {
        if let Some(fields) = elicitation.as_object_mut() {
            fields.remove("elicitationId");
            fields.remove("mode");
        }
    }
    let completed = if faults.contains(Fault::UrlElicitationCompleteWrongId) { format!("{id}-other") } else { id };
    let peer = peer.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(COMPLETES_AFTER_MS)).await;
        peer.complete_url_elicitation();
        peer.push(&completion(&completed));
    });
    let refusal = RpcError::new(URL_ELICITATION_REQUIRED, "This request needs the user to finish an interaction at a URL first.");
    Err(refusal.with_data(json!({ "elicitations": [elicitation] })))
}

/// `notifications/elicitation/complete` for `id`.
fn completion(id: &str) -> Value {
    json!({"jsonrpc": "2.0", "method": COMPLETE_METHOD, "params": {"elicitationId": id}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_until_completed() {
        let peer = Peer::new();
        let refusal = call(&peer, FaultSet::NONE).expect_err("not yet completed");
        assert_eq!(refusal.code, URL_ELICITATION_REQUIRED);
        let data = refusal.data.expect("data");
        let elicitation = &data["elicitations"][0];
        assert_eq!(elicitation["mode"], "url");
        let id = elicitation["elicitationId"].as_str().expect("an id");
        assert!(elicitation["url"].as_str().is_some_and(|u| u.starts_with("https://") && u.ends_with(id)));
        tokio::time::sleep(Duration::from_millis(COMPLETES_AFTER_MS * 4)).await;
        assert_eq!(call(&peer, FaultSet::NONE), Ok(Output::Text("The external account is connected.".into())));
        assert_eq!(completion(id)["params"]["elicitationId"], id);
    }

    #[tokio::test]
    async fn the_malformed_fault_drops_the_id() {
        let mut faults = FaultSet::NONE;
        faults.insert(Fault::UrlElicitationDataMalformed);
        let data = call(&Peer::new(), faults).expect_err("refused").data.expect("data");
        assert!(data["elicitations"][0].get("elicitationId").is_none());
    }
}
