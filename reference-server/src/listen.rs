//! `subscriptions/listen` (2026-07-28, `patterns/subscriptions.mdx`): a
//! request that stays open and carries the change notifications its
//! `notifications` filter asked for.
//!
//! 1. The filter is checked: `notifications` must be an object whose
//!    `toolsListChanged`, `promptsListChanged`, `resourcesListChanged` are
//!    booleans and `resourceSubscriptions` an array of strings, else -32602.
//! 2. The first message of the stream is
//!    `notifications/subscriptions/acknowledged` with
//!    `_meta["io.modelcontextprotocol/subscriptionId"]` = the request's id
//!    and `notifications` = what will be honoured: the list types asked for
//!    with `true`, and every URI asked for (SUBS-002, SUBS-003). It goes out
//!    in one step with the registration ([`crate::world::World::listen`]),
//!    so nothing for the subscription can precede it.
//! 3. From then on the stream gets exactly the notifications of those
//!    types (SUBS-001), tagged with the subscription id (SUBS-004); never
//!    progress or log messages (SUBS-007). Several listens may be open at
//!    once, each on its own (SUBS-009).
//! 4. The client ends it by cancelling the request (`notifications/cancelled`
//!    on stdio, closing the stream over HTTP): no response follows
//!    (SUBS-008). When the server ends it (on stdio: stdin closed, so the
//!    server is shutting down) it answers the request with `{resultType:
//!    "complete", _meta: {subscriptionId}}` (SUBS-005) and then, on stdio,
//!    sends `notifications/cancelled {requestId}` for it (UTIL-001,
//!    SUBS-006), the only `notifications/cancelled` this server sends in
//!    2026-07-28 (UTIL-002).

use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::peer::{Cancelled, ClientLink, Peer};
use crate::protocol::meta::SUBSCRIPTION_ID;
use crate::protocol::RpcError;
use crate::world::{self, Filter};

/// Reads a `SubscriptionFilter`.
pub fn parse_filter(params: &Map<String, Value>) -> Result<Filter, RpcError> {
    let Some(notifications) = params.get("notifications") else {
        return Err(RpcError::invalid_params("subscriptions/listen needs a \"notifications\" filter"));
    };
    let Some(filter) = notifications.as_object() else {
        return Err(RpcError::invalid_params("\"notifications\" must be an object (SubscriptionFilter)"));
    };
    let flag = |key: &str| match filter.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(RpcError::invalid_params(format!("\"notifications.{key}\" must be a boolean"))),
    };
    let uris = match filter.get("resourceSubscriptions") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|u| u.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| RpcError::invalid_params("\"notifications.resourceSubscriptions\" must be an array of strings"))?,
        Some(_) => return Err(RpcError::invalid_params("\"notifications.resourceSubscriptions\" must be an array of strings")),
    };
    Ok(Filter {
        tools: flag("toolsListChanged")?,
        prompts: flag("promptsListChanged")?,
        resources: flag("resourcesListChanged")?,
        uris,
    })
}

/// The acknowledged filter: only what will be honoured.
pub fn honoured(filter: &Filter) -> Value {
    let mut out = Map::new();
    for (key, on) in [
        ("toolsListChanged", filter.tools),
        ("promptsListChanged", filter.prompts),
        ("resourcesListChanged", filter.resources),
    ] {
        if on {
            out.insert(key.into(), json!(true));
        }
    }
    if !filter.uris.is_empty() {
        out.insert("resourceSubscriptions".into(), json!(filter.uris));
    }
    Value::Object(out)
}

/// Serves a `subscriptions/listen` request `id` until `peer` closes (or
/// the request is cancelled, which drops this future): the final result
/// (without decoration) and the messages that follow it.
pub async fn listen(
    faults: FaultSet,
    id: &Value,
    params: &Map<String, Value>,
    peer: &Peer,
    link: Option<&ClientLink>,
) -> (Result<Map<String, Value>, RpcError>, Vec<Value>) {
    let filter = match parse_filter(params) {
        Ok(f) => f,
        Err(e) => return (Err(e), Vec::new()),
    };
    let Some(link) = link else {
        return (Err(RpcError::internal("subscriptions/listen needs a stream of its own")), Vec::new());
    };
    let granted = if faults.contains(Fault::ListenAcknowledgementWidened) {
        honoured(&Filter { tools: true, prompts: true, resources: true, uris: filter.uris.clone() })
    } else {
        honoured(&filter)
    };
    let acknowledgement = (!faults.contains(Fault::ListenNoAcknowledgement)).then(|| {
        json!({
            "jsonrpc": "2.0",
            "method": "notifications/subscriptions/acknowledged",
            "params": {"_meta": {SUBSCRIPTION_ID: id}, "notifications": granted}
        })
    });
    let delivered = if faults.contains(Fault::ListenUnrequestedNotification) {
        Filter {
            tools: true,
            prompts: true,
            resources: true,
            uris: filter.uris.clone(),
        }
    } else {
        filter
    };
    let survives = faults.contains(Fault::ListenSurvivesCancel);
    // The fault's subscription sends on even once its request is cancelled.
    let link = if survives { link.clone().owned_by(Cancelled::default()) } else { link.clone() };
    let registration = world::world().listen(id.clone(), delivered, link, acknowledgement).await;
    tracing::debug!(subscription = %id, open = registration.is_some(), "subscriptions/listen");
    let registration = match registration {
        // The fault forgets the subscription's end: it outlives its request.
        Some(r) if faults.contains(Fault::ListenSurvivesCancel) => {
            std::mem::forget(r);
            None
        }
        r => r,
    };
    if registration.is_some() || survives {
        peer.closed().await;
    }
    drop(registration);
    let mut result = Map::new();
    result.insert("_meta".into(), json!({ SUBSCRIPTION_ID: id }));
    let mut late = Vec::new();
    if !faults.contains(Fault::ListenTeardownWithoutCancelled) {
        late.push(json!({
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {
                "requestId": id,
                "reason": "The server is shutting down; the subscription ends.",
                "_meta": {SUBSCRIPTION_ID: id}
            }
        }));
    }
    (Ok(result), late)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn filter(v: Value) -> Result<Filter, RpcError> {
        parse_filter(json!({ "notifications": v }).as_object().unwrap())
    }

    #[test]
    fn filters() {
        let f = filter(json!({"toolsListChanged": true, "promptsListChanged": false, "resourceSubscriptions": ["ref://counter"]})).unwrap();
        assert_eq!(
            f,
            Filter {
                tools: true,
                prompts: false,
                resources: false,
                uris: vec!["ref://counter".into()]
            }
        );
        assert_eq!(honoured(&f), json!({"toolsListChanged": true, "resourceSubscriptions": ["ref://counter"]}));
        assert_eq!(honoured(&filter(json!({})).unwrap()), json!({}));
        for bad in [json!(null), json!([]), json!({"toolsListChanged": "yes"}), json!({"resourceSubscriptions": [1]}), json!({"resourceSubscriptions": "x"})] {
            assert_eq!(filter(bad.clone()).unwrap_err().code, code::INVALID_PARAMS, "{bad}");
        }
        assert!(parse_filter(&Map::new()).is_err());
    }
}
