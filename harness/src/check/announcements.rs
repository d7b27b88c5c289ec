//! Changes a 2026-07-28 server announces on the `subscriptions/listen`
//! streams that asked for them: tool, prompt and resource list changes
//! (TOOLS-014, PROMPTS-004, RESOURCES-008, with `listChanged` declared) and updates of
//! the resources named in `resourceSubscriptions` (RESOURCES-009, with
//! `subscribe` declared).
//!
//! Both provoke the change with a mapped fixture tool and judge only what
//! the change really did: a list that reads the same after the call, or a
//! resource the tool did not change, decides nothing.

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::lists;
use super::observe::{self, Seen};
use super::subscriptions::{acknowledged_listen, stop_listening, updates, UPDATED, UPDATE_WAIT};
use crate::execute::{CaseContext, StepOutcome};
use crate::fixtures::{unmapped, ToolRole};

/// How often the transcript is looked at while waiting.
const POLL: Duration = Duration::from_millis(20);

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// A list whose changes may be announced.
struct Watched {
    /// `tools`, `prompts` or `resources`.
    list: &'static str,
    method: &'static str,
    /// The member that identifies an item.
    identity: &'static str,
    /// The filter flag of `subscriptions/listen`.
    flag: &'static str,
    requirement: &'static str,
}

const WATCHED: [Watched; 3] = [
    Watched { list: "prompts", method: "prompts/list", identity: "name", flag: "promptsListChanged", requirement: "PROMPTS-004" },
    Watched { list: "resources", method: "resources/list", identity: "uri", flag: "resourcesListChanged", requirement: "RESOURCES-008" },
    Watched { list: "tools", method: "tools/list", identity: "name", flag: "toolsListChanged", requirement: "TOOLS-014" },
];

/// The identities of a list's items, sorted; `None` when it cannot be read.
async fn identities(context: &CaseContext<'_>, watched: &Watched) -> Option<Vec<String>> {
    let items = lists::all_items(context, watched.method).await.ok()?;
    let mut ids: Vec<String> = items.iter().filter_map(|i| i.get(watched.identity)).map(Value::to_string).collect();
    ids.sort();
    Some(ids)
}

/// The first notification `method` of subscription `id` after `mark`,
/// waiting up to `within` for it.
async fn wait_for(context: &CaseContext<'_>, mark: usize, id: &Value, within: Duration, wanted: impl Fn(&Seen) -> bool) -> Option<Seen> {
    let deadline = Instant::now() + within;
    loop {
        let seen = observe::received(&context.session.connection.since(mark));
        if let Some(note) = seen.iter().find(|s| s.is_notification() && s.subscription_id() == Some(id) && wanted(s)) {
            return Some(note.clone());
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Open an acknowledged listen stream with `filter`, then call the role's
/// tool: the subscription id and the transcript mark taken before the
/// call. `Err` is the outcome when either step cannot be judged (the
/// stream is closed again).
async fn listen_then_call(context: &CaseContext<'_>, filter: &Map<String, Value>, role: &ToolRole) -> Result<(Value, usize), StepOutcome> {
    let id = acknowledged_listen(context, filter).await?;
    let mark = context.session.connection.mark();
    let exchange = observe::call(context, role, Map::new()).await;
    if let Some(why) = observe::unusable(&format!("the tool `{}`", role.tool), &exchange) {
        stop_listening(context, &id).await;
        return Err(inconclusive(why));
    }
    Ok((id, mark))
}

/// TOOLS-014, PROMPTS-004, RESOURCES-008: after the mapped `list-changed`
/// tool changed the tool, prompt or resource list, a listen stream that
/// asked for that list's changes gets `notifications/{list}/list_changed`.
pub async fn list_changes(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.list_changed.clone() else {
        return inconclusive(unmapped("list-changed"));
    };
    let watched: Vec<&Watched> = WATCHED.iter().filter(|w| context.server.declares(&format!("{}.listChanged", w.list))).collect();
    if watched.is_empty() {
        let why = "the server declares listChanged for none of tools, prompts and resources".to_string();
        return StepOutcome { not_applicable: Some(why), ..StepOutcome::default() };
    }
    let mut before = Vec::new();
    for w in &watched {
        before.push(identities(context, w).await);
    }
    let filter: Map<String, Value> = watched.iter().map(|w| (w.flag.to_string(), json!(true))).collect();
    let (id, mark) = match listen_then_call(context, &filter, &role).await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    let mut outcome = StepOutcome::default();
    let mut changed = 0;
    for (w, before) in watched.iter().zip(before) {
        let after = identities(context, w).await;
        let (Some(before), Some(after)) = (before, after) else { continue };
        if before == after {
            continue;
        }
        changed += 1;
        let method = format!("notifications/{}/list_changed", w.list);
        if wait_for(context, mark, &id, UPDATE_WAIT, |s| s.method() == Some(method.as_str())).await.is_none() {
            outcome.findings.push(observe::draft(
                w.requirement,
                "SHOULD",
                format!("the {} list changed (calling `{}`), but subscription {id} got no {method}", w.list, role.tool),
                &format!("{method} on the listen stream that asked for {}", w.flag),
                format!("{} before the call, {} after it; nothing announced within {UPDATE_WAIT:?}", before.len(), after.len()),
            ));
        }
    }
    stop_listening(context, &id).await;
    if changed == 0 {
        let lists: Vec<&str> = watched.iter().map(|w| w.list).collect();
        return inconclusive(format!("calling `{}` changed none of the lists {}", role.tool, lists.join(", ")));
    }
    outcome
}

/// RESOURCES-009: with `subscribe` declared, a listen stream naming the
/// mapped resource in `resourceSubscriptions` gets
/// `notifications/resources/updated` when the mapped tool changes it.
pub async fn resource_updates(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.resource_updated.clone() else {
        return inconclusive(unmapped("resource-updated"));
    };
    let change = ToolRole { tool: role.tool.clone(), arguments: role.arguments.clone(), runs_for_ms: None };
    let before = read_contents(context, &role.uri).await;
    let filter: Map<String, Value> = [("resourceSubscriptions".to_string(), json!([role.uri]))].into_iter().collect();
    let (id, mark) = match listen_then_call(context, &filter, &change).await {
        Ok(opened) => opened,
        Err(outcome) => return outcome,
    };
    let note = wait_for(context, mark, &id, UPDATE_WAIT, |s| s.method() == Some(UPDATED) && updates(s, &role.uri)).await;
    stop_listening(context, &id).await;
    if note.is_some() {
        return StepOutcome::default();
    }
    // Only a resource that did change had to be announced.
    let after = read_contents(context, &role.uri).await;
    if before.is_none() || before == after {
        return inconclusive(format!("calling `{}` did not visibly change {} (its contents read the same)", role.tool, role.uri));
    }
    let mut outcome = StepOutcome::default();
    outcome.findings.push(observe::draft(
        "RESOURCES-009",
        "(prose)",
        format!("{} changed (calling `{}`), but subscription {id}, which named it in resourceSubscriptions, got no {UPDATED}", role.uri, role.tool),
        &format!("{UPDATED} with uri {} on the listen stream", role.uri),
        format!("nothing within {UPDATE_WAIT:?}; contents before {}, after {}", before.unwrap_or_default(), after.unwrap_or_default()),
    ));
    outcome
}

/// The `contents` of a read of `uri`, as text; `None` when it fails.
async fn read_contents(context: &CaseContext<'_>, uri: &str) -> Option<String> {
    let exchange = context.session.request("resources/read", json!({ "uri": uri }), &crate::session::RequestOptions::default()).await;
    exchange.result().and_then(|r| r.get("contents")).map(|c| crate::execute::clip(&c.to_string(), 200))
}
