//! Change notifications a client asks for: `resources/subscribe` in the
//! handshake era (L-RES-001) and `subscriptions/listen` in 2026-07-28
//! (`patterns/subscriptions`: SUBS-001…003, SUBS-005, UTIL-001 / SUBS-006,
//! SUBS-008).

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::observe::{self, Seen, LATE_WINDOW, SETTLE};
use crate::execute::{CaseContext, StepOutcome};
use crate::fixtures::unmapped;
use crate::session::{stateless, Exchange, Reply, RequestOptions};
use crate::transport::Kind;

/// How long a listen stream may take to be acknowledged.
const ACK_WAIT: Duration = Duration::from_secs(3);
/// How long an update may take to arrive after the change.
pub(super) const UPDATE_WAIT: Duration = Duration::from_secs(1);
/// How often the transcript is looked at while waiting.
const POLL: Duration = Duration::from_millis(10);

pub(super) const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";
pub(super) const UPDATED: &str = "notifications/resources/updated";

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// Is `note` an update for `uri` (or, as the spec allows, for a part of it)?
pub(super) fn updates(note: &Seen, uri: &str) -> bool {
    note.params().get("uri").and_then(Value::as_str).is_some_and(|u| u.starts_with(uri))
}

/// Wait up to `within` for an update of `uri` in the transcript after `mark`.
async fn wait_for_update(context: &CaseContext<'_>, mark: usize, uri: &str, within: Duration) -> Option<Seen> {
    let deadline = Instant::now() + within;
    loop {
        let seen = observe::received(&context.session.connection.since(mark));
        if let Some(note) = observe::notifications(&seen, UPDATED).find(|n| updates(n, uri)) {
            return Some(note.clone());
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// L-RES-001: after `resources/subscribe` a change is announced with
/// `notifications/resources/updated`; after `resources/unsubscribe` no more.
pub async fn resource_updates(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.resource_updated.clone() else {
        return inconclusive(unmapped("resource-updated"));
    };
    let session = context.session;
    let change = crate::fixtures::ToolRole { tool: role.tool.clone(), arguments: role.arguments.clone(), runs_for_ms: None };
    let refused = |method: &str, exchange: &Exchange| {
        let actual = match &exchange.reply {
            Reply::Response(message) => observe::clip_message(message),
            Reply::NoResponse(why) | Reply::TooLarge(why) => why.clone(),
        };
        observe::draft(
            "L-RES-001",
            "(prose)",
            format!("`{method}` for {} failed although the server declares resources.subscribe", role.uri),
            "an empty result",
            actual,
        )
    };
    let mut outcome = StepOutcome::default();
    let subscribe = session.request("resources/subscribe", json!({ "uri": role.uri }), &RequestOptions::default()).await;
    if subscribe.result().is_none() {
        outcome.findings.push(refused("resources/subscribe", &subscribe));
        return outcome;
    }
    let mark = session.connection.mark();
    let exchange = observe::call(context, &change, Map::new()).await;
    if let Some(why) = observe::unusable(&format!("the tool `{}`", role.tool), &exchange) {
        return inconclusive(why);
    }
    if wait_for_update(context, mark, &role.uri, UPDATE_WAIT).await.is_none() {
        return inconclusive(format!(
            "no notifications/resources/updated for {} within {UPDATE_WAIT:?} of calling `{}` (does it change that resource?)",
            role.uri, role.tool
        ));
    }
    let unsubscribe = session.request("resources/unsubscribe", json!({ "uri": role.uri }), &RequestOptions::default()).await;
    if unsubscribe.result().is_none() {
        outcome.findings.push(refused("resources/unsubscribe", &unsubscribe));
        return outcome;
    }
    tokio::time::sleep(SETTLE).await;
    let mark = session.connection.mark();
    let exchange = observe::call(context, &change, Map::new()).await;
    if let Some(why) = observe::unusable(&format!("the tool `{}`", role.tool), &exchange) {
        return inconclusive(why);
    }
    if let Some(note) = wait_for_update(context, mark, &role.uri, LATE_WINDOW * 2).await {
        outcome.findings.push(observe::draft(
            "L-RES-001",
            "(prose)",
            format!("{} was still announced as updated after resources/unsubscribe", role.uri),
            "no notifications/resources/updated for a URI after its unsubscription",
            note.shown(),
        ));
    }
    outcome
}

/// The filter a listen check asks for: tool list changes (when declared)
/// and the mapped resource (when subscriptions are declared). Prompt and
/// resource list changes are left out on purpose, so that a server which
/// sends them anyway shows it.
fn filter(context: &CaseContext<'_>) -> Map<String, Value> {
    let mut filter = Map::new();
    if context.server.declares("tools.listChanged") {
        filter.insert("toolsListChanged".into(), json!(true));
    }
    if let (true, Some(role)) = (context.server.declares("resources.subscribe"), &context.options.fixtures.resource_updated) {
        filter.insert("resourceSubscriptions".into(), json!([role.uri]));
    }
    filter
}

/// Did the filter ask for this notification?
fn asked_for(filter: &Map<String, Value>, note: &Seen) -> bool {
    let flag = |key: &str| filter.get(key) == Some(&Value::Bool(true));
    match note.method().unwrap_or_default() {
        ACKNOWLEDGED => true,
        "notifications/tools/list_changed" => flag("toolsListChanged"),
        "notifications/prompts/list_changed" => flag("promptsListChanged"),
        "notifications/resources/list_changed" => flag("resourcesListChanged"),
        UPDATED => filter.get("resourceSubscriptions").and_then(Value::as_array).into_iter().flatten().any(|u| {
            u.as_str().is_some_and(|u| updates(note, u))
        }),
        _ => false,
    }
}

/// How a listen request began.
pub(super) enum Opening {
    /// The first message tagged with its id.
    First(Seen),
    /// It was answered (an error, or an immediate end) before any.
    Answered(Exchange),
    /// Nothing within the wait.
    Silent,
}

/// Send `subscriptions/listen` and wait for the first message of the
/// stream. Returns the id and how it began; the request stays open (the
/// caller ends it with [`stop_listening`]) unless it was answered.
pub(super) async fn open_listen(context: &CaseContext<'_>, filter: &Map<String, Value>) -> (Value, usize, Opening) {
    let session = context.session;
    let connection = &session.connection;
    let id = connection.next_id();
    let params = stateless::with_meta(json!({ "notifications": filter }), &session.version);
    let message = crate::jsonrpc::request(&id, "subscriptions/listen", Some(params));
    let headers = if connection.transport().kind() == Kind::StreamableHttp { stateless::mirrored_headers(&message) } else { Vec::new() };
    let mark = connection.mark();
    let call = connection.send_request(message, headers);
    tokio::pin!(call);
    let deadline = Instant::now() + ACK_WAIT;
    loop {
        tokio::select! {
            exchange = &mut call => return (id, mark, Opening::Answered(exchange)),
            _ = tokio::time::sleep(POLL) => {}
        }
        let seen = observe::received(&connection.since(mark));
        if let Some(first) = seen.iter().find(|s| s.is_notification() && s.subscription_id() == Some(&id)) {
            return (id, mark, Opening::First(first.clone()));
        }
        if Instant::now() >= deadline {
            return (id, mark, Opening::Silent);
        }
    }
}

/// End a listen stream the harness opened: `notifications/cancelled` on
/// stdio; over HTTP its stream closes with the session.
pub(super) async fn stop_listening(context: &CaseContext<'_>, id: &Value) {
    let connection = &context.session.connection;
    connection.forget(id);
    if connection.transport().kind() == Kind::Stdio {
        let _ = context.session.notify("notifications/cancelled", Some(json!({ "requestId": id }))).await;
    }
}

pub(super) fn answered_why(exchange: &Exchange) -> String {
    match &exchange.reply {
        Reply::Response(message) => format!("`subscriptions/listen` was answered at once: {}", observe::clip_message(message)),
        Reply::NoResponse(why) | Reply::TooLarge(why) => format!("`subscriptions/listen` ended: {why}"),
    }
}

/// SUBS-002, SUBS-003: a listen stream begins with its acknowledgement,
/// which echoes at most what was asked for.
pub async fn acknowledgement(context: &CaseContext<'_>) -> StepOutcome {
    let filter = filter(context);
    let (id, _, opening) = open_listen(context, &filter).await;
    let mut outcome = StepOutcome::default();
    let ack = match opening {
        Opening::Answered(exchange) => return inconclusive(answered_why(&exchange)),
        Opening::Silent => {
            stop_listening(context, &id).await;
            outcome.findings.push(observe::draft(
                "SUBS-002",
                "MUST",
                format!("no notifications/subscriptions/acknowledged for subscription {id} within {ACK_WAIT:?}"),
                "the acknowledgement as the first message of the subscription",
                "nothing tagged with the subscription's id".into(),
            ));
            return outcome;
        }
        Opening::First(first) if first.method() != Some(ACKNOWLEDGED) => {
            stop_listening(context, &id).await;
            outcome.findings.push(observe::draft(
                "SUBS-002",
                "MUST NOT",
                format!("subscription {id} got a notification before its acknowledgement"),
                "notifications/subscriptions/acknowledged before anything else of the subscription",
                first.shown(),
            ));
            return outcome;
        }
        Opening::First(ack) => ack,
    };
    stop_listening(context, &id).await;
    // The acknowledged filter is the subset honoured: never more than asked.
    let acknowledged = ack.params().get("notifications").and_then(Value::as_object).cloned().unwrap_or_default();
    for (key, value) in &acknowledged {
        let widened = match (key.as_str(), value) {
            ("resourceSubscriptions", Value::Array(uris)) => {
                let asked = filter.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
                uris.iter().any(|u| !asked.contains(u))
            }
            (_, Value::Bool(true)) => filter.get(key) != Some(&Value::Bool(true)),
            _ => false,
        };
        if widened {
            outcome.findings.push(observe::draft(
                "SUBS-003",
                "(prose)",
                format!("the acknowledgement grants `{key}`, which was not asked for"),
                &format!("a subset of the filter asked for: {}", Value::Object(filter.clone())),
                ack.shown(),
            ));
        }
    }
    outcome
}

/// Opens a listen stream that must begin with its acknowledgement; its id,
/// or why there is nothing to judge (the acknowledgement has a case of its
/// own, SUBS-002).
pub(super) async fn acknowledged_listen(context: &CaseContext<'_>, filter: &Map<String, Value>) -> Result<Value, StepOutcome> {
    let (id, _, opening) = open_listen(context, filter).await;
    match opening {
        Opening::First(first) if first.method() == Some(ACKNOWLEDGED) => Ok(id),
        Opening::Answered(exchange) => Err(inconclusive(answered_why(&exchange))),
        _ => {
            stop_listening(context, &id).await;
            Err(inconclusive(format!("subscription {id} did not begin with its acknowledgement")))
        }
    }
}

/// SUBS-001: a listen stream carries only the notification types its
/// filter asked for, when the mapped `list-changed` tool changes the lists.
pub async fn only_requested(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.list_changed.clone() else {
        return inconclusive(unmapped("list-changed"));
    };
    let filter = filter(context);
    let id = match acknowledged_listen(context, &filter).await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    let mark = context.session.connection.mark();
    let exchange = observe::call(context, &role, Map::new()).await;
    let unusable = observe::unusable(&format!("the tool `{}`", role.tool), &exchange);
    if unusable.is_none() {
        tokio::time::sleep(LATE_WINDOW).await;
    }
    stop_listening(context, &id).await;
    if let Some(why) = unusable {
        return inconclusive(why);
    }
    let seen = observe::received(&context.session.connection.since(mark));
    let stray = seen.iter().find(|s| s.is_notification() && s.subscription_id() == Some(&id) && !asked_for(&filter, s));
    let mut outcome = StepOutcome::default();
    if let Some(note) = stray {
        outcome.findings.push(observe::draft(
            "SUBS-001",
            "MUST NOT",
            format!("subscription {id} got a notification type its filter did not ask for"),
            &format!("only what the filter asked for: {}", Value::Object(filter.clone())),
            note.shown(),
        ));
    }
    outcome
}

/// UTIL-001 / SUBS-006 (stdio): a server that ends a listen stream itself
/// (here: because its stdin closed) also sends `notifications/cancelled`
/// for it. Only a server that shows it ended the stream (by answering the
/// listen request) is judged; one that just exits closed the transport.
pub async fn teardown(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    if connection.transport().kind() != Kind::Stdio {
        return inconclusive("only stdio has a server-side teardown to observe".into());
    }
    // The first request on a fresh connection also waits for the server to
    // start (the startup deadline); the acknowledgement's wait is shorter.
    let discover = context.session.request("server/discover", json!({}), &RequestOptions::default()).await;
    if let Some(why) = observe::unusable("`server/discover`", &discover) {
        return inconclusive(why);
    }
    let filter = filter(context);
    let (id, mark, opening) = open_listen(context, &filter).await;
    match opening {
        Opening::First(_) => {}
        Opening::Answered(exchange) => return inconclusive(answered_why(&exchange)),
        Opening::Silent => return inconclusive(format!("subscription {id} was never acknowledged")),
    }
    // Closing stdin tells the server to shut down; it ends its streams.
    let closed = connection.transport().close().await;
    if !connection.wait_closed(Duration::from_secs(1)).await {
        return inconclusive(format!("the server's stdout stayed open after stdin closed ({closed})"));
    }
    let seen = observe::received(&connection.since(mark));
    let cancelled = observe::notifications(&seen, "notifications/cancelled").find(|n| n.params().get("requestId") == Some(&id));
    let ended = observe::response(&seen, &id).filter(|r| r.message.get("result").is_some());
    match (cancelled, ended) {
        (Some(cancelled), ended) => {
            let complete = ended.filter(|r| r.index < cancelled.index && r.message.pointer("/result/resultType") == Some(&json!("complete")));
            let mut outcome = StepOutcome::default();
            if complete.is_none() {
                let answered = ended.map_or("no answer to the listen request".into(), |r| format!("the answer {}", r.shown()));
                outcome.findings.push(observe::draft(
                    "SUBS-005",
                    "SHOULD",
                    format!("the server ended subscription {id} without first answering it with a complete result"),
                    "a result with resultType \"complete\" for the listen request, then the end of the stream",
                    format!("{answered}; then {}", cancelled.shown()),
                ));
            }
            outcome
        }
        (None, Some(result)) => {
            let mut outcome = StepOutcome::default();
            outcome.findings.push(observe::draft(
                "UTIL-001",
                "MUST",
                format!("the server ended subscription {id} without notifications/cancelled for it"),
                "notifications/cancelled with requestId = the listen request's id when the server tears the stream down",
                format!("the listen request was answered {}, and no notifications/cancelled followed", result.shown()),
            ));
            outcome
        }
        (None, None) => inconclusive("the server exited without ending the subscription itself; nothing to judge".into()),
    }
}

/// Whether `seen` holds a list change announced to subscription `id`.
fn announced_to(seen: &[Seen], id: &Value) -> Option<Seen> {
    seen.iter().find(|s| s.is_notification() && s.subscription_id() == Some(id) && s.method().is_some_and(|m| m.ends_with("/list_changed"))).cloned()
}

/// SUBS-008 (stdio): once the client cancels a listen request, its
/// subscription ends: a change announced to it before the cancellation
/// (the control) is not announced to it after. The mapped `list-changed`
/// tool is called twice, so the lists end as they began.
pub async fn cancel_ends(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.list_changed.clone() else {
        return inconclusive(unmapped("list-changed"));
    };
    if context.session.connection.transport().kind() != Kind::Stdio {
        return inconclusive("only stdio cancels a subscription with a message the server can answer on the same connection".into());
    }
    let filter = filter(context);
    if filter.get("toolsListChanged") != Some(&Value::Bool(true)) {
        return inconclusive("the server declares no tools.listChanged: nothing to subscribe to".into());
    }
    let id = match acknowledged_listen(context, &filter).await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    let connection = &context.session.connection;
    let control = connection.mark();
    let exchange = observe::call(context, &role, Map::new()).await;
    if let Some(why) = observe::unusable(&format!("the tool `{}`", role.tool), &exchange) {
        stop_listening(context, &id).await;
        return inconclusive(why);
    }
    tokio::time::sleep(LATE_WINDOW).await;
    if announced_to(&observe::received(&connection.since(control)), &id).is_none() {
        stop_listening(context, &id).await;
        return inconclusive(format!("subscription {id} heard nothing of the change `{}` made: no control to compare with", role.tool));
    }
    stop_listening(context, &id).await;
    tokio::time::sleep(SETTLE).await;
    let mark = connection.mark();
    let exchange = observe::call(context, &role, Map::new()).await;
    if let Some(why) = observe::unusable(&format!("the tool `{}`", role.tool), &exchange) {
        return inconclusive(why);
    }
    tokio::time::sleep(LATE_WINDOW).await;
    let mut outcome = StepOutcome::default();
    if let Some(note) = announced_to(&observe::received(&connection.since(mark)), &id) {
        outcome.findings.push(observe::draft(
            "SUBS-008",
            "(prose)",
            format!("subscription {id} still got notifications after notifications/cancelled for its listen request"),
            "nothing more for a subscription once its listen request is cancelled",
            note.shown(),
        ));
    }
    outcome
}
