//! In 2026-07-28 the tools, prompts and resources lists do not vary per
//! connection nor change as a side effect of other requests (TOOLS-003,
//! PROMPTS-002, RESOURCES-002), and an unchanged tool set is listed in the
//! same order every time (TOOLS-004, SHOULD).
//!
//! `list-stability` walks each declared list to its end:
//!
//! 1. twice on the case's connection (three times when the set changed: the
//!    third must agree with the second, or the list is left undecided);
//! 2. on a connection of its own (a new process over stdio), then once more
//!    on each: a set that differs between the connections while each
//!    connection's own walks agree varies per connection;
//! 3. after each of a few requests that change nothing, on the case's
//!    connection: a read-only tool call (`readOnlyHint: true`, allowed by
//!    `--call-tools`, and never a tool mapped to a fixture role: the
//!    `list-changed` one changes lists on purpose), a `resources/read`, a
//!    `prompts/get`. A set that changed is judged by repeating the request
//!    twice: changed again each time, it is a side effect of that request;
//!    otherwise the list changed over time (which lists may; over HTTP the
//!    other versions' cases share the server) and is the new baseline.
//!
//! The same items in another order is a TOOLS-004 warning for the tool
//! list (the other lists have no ordering rule). Lists may differ by the
//! authorization presented (AUTH-018): every walk here presents the same.

use serde_json::{json, Value};

use super::lists::{is_interim, next_cursor, List, LISTS, MAX_PAGES};
use super::tools::{callable, name_of};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::schema::generate;
use crate::session::{stateless, Connection, RequestOptions};

/// Most requests tried for side effects.
const MAX_OTHER_REQUESTS: usize = 5;

/// Most tool calls among them.
const MAX_TOOL_CALLS: usize = 3;

/// How often a request after which a list changed is repeated.
const REPETITIONS: usize = 2;

/// The lists this check compares: each with the member that names an item
/// and the requirement that keeps it stable.
const COMPARED: [(&str, &str, &str); 3] =
    [("tools/list", "name", "TOOLS-003"), ("prompts/list", "name", "PROMPTS-002"), ("resources/list", "uri", "RESOURCES-002")];

/// One list this check compares.
#[derive(Clone, Copy)]
struct Compared {
    list: &'static List,
    /// The member that names an item.
    key: &'static str,
    /// The requirement a change where none may be breaks.
    requirement: &'static str,
}

/// Every compared list the server declares, read once: each list's items in order.
type Snapshot = Vec<Vec<Value>>;

/// How two readings of one list relate.
#[derive(Debug, PartialEq, Eq)]
enum Difference {
    Same,
    Reordered,
    Changed,
}

/// The lists the check compares on this server.
fn compared(context: &CaseContext<'_>) -> Vec<Compared> {
    let list = |method: &str| LISTS.iter().find(|l| l.method == method);
    COMPARED
        .iter()
        .filter_map(|&(method, key, requirement)| list(method).map(|list| Compared { list, key, requirement }))
        .filter(|c| context.server.declares(c.list.capability))
        .collect()
}

/// Run the check on the case's connection.
pub async fn check(context: &CaseContext<'_>) -> StepOutcome {
    let lists = compared(context);
    if lists.is_empty() {
        return StepOutcome { not_applicable: Some("the server declares none of tools, prompts, resources".into()), ..StepOutcome::default() };
    }
    let mut judge = Judge { lists: &lists, outcome: StepOutcome::default(), undecided: vec![false; lists.len()] };
    match stability(context, &mut judge).await {
        Ok(()) => judge.outcome,
        Err(why) => {
            judge.outcome.inconclusive.push(why);
            judge.outcome
        }
    }
}

/// The findings so far, and which lists are left undecided.
struct Judge<'a> {
    lists: &'a [Compared],
    outcome: StepOutcome,
    undecided: Vec<bool>,
}

impl Judge<'_> {
    /// A list's set changed where nothing explains it: leave it undecided.
    fn undecide(&mut self, index: usize, why: String) {
        if !self.undecided[index] {
            self.undecided[index] = true;
            self.outcome.inconclusive.push(why);
        }
    }

    /// The same items in another order: TOOLS-004 for the tool list.
    fn reordered(&mut self, index: usize, when: &str, before: &[Value], after: &[Value]) {
        let Compared { list, key, .. } = self.lists[index];
        if list.method != "tools/list" || self.outcome.findings.iter().any(|f| f.requirement == "TOOLS-004") {
            return;
        }
        self.outcome.findings.push(Draft {
            requirement: "TOOLS-004".into(),
            keyword: Some("SHOULD"),
            message: format!("the same tools came in another order {when}"),
            expected: "an unchanged tool set listed in the same order every time".into(),
            actual: format!("{} then {}", names(before, key), names(after, key)),
            hint: Some("Return tools in a fixed order (e.g. sorted, or as registered) while the set does not change"),
        });
    }

    /// The set of a list differs where it must not.
    fn changed(&mut self, index: usize, why: String, before: &[Value], after: &[Value]) {
        let Compared { list, key, requirement } = self.lists[index];
        self.outcome.findings.push(Draft {
            requirement: requirement.into(),
            keyword: Some("MUST NOT"),
            message: format!("`{}` {why}", list.method),
            expected: "the same set on every connection, whatever else was asked".into(),
            actual: format!("{} then {}", names(before, key), names(after, key)),
            hint: Some("Answer list requests from the server's current set alone, never from connection state or earlier requests"),
        });
        self.undecided[index] = true;
    }
}

async fn stability(context: &CaseContext<'_>, judge: &mut Judge<'_>) -> Result<(), String> {
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    let mut first = snapshot(connection, version, judge.lists).await?;
    let again = snapshot(connection, version, judge.lists).await?;
    let mut third: Option<Snapshot> = None;
    for index in 0..judge.lists.len() {
        match difference(&first[index], &again[index], judge.lists[index].key) {
            Difference::Same => {}
            Difference::Reordered => judge.reordered(index, "on a second walk right after the first", &first[index], &again[index]),
            // Changed over time: a third walk that agrees with the second is the baseline.
            Difference::Changed => {
                if third.is_none() {
                    third = Some(snapshot(connection, version, judge.lists).await?);
                }
                let settled = third.as_ref().is_some_and(|t| difference(&again[index], &t[index], judge.lists[index].key) == Difference::Same);
                if settled {
                    first[index] = again[index].clone();
                } else {
                    judge.undecide(index, format!("`{}` kept changing over three walks back to back", judge.lists[index].list.method));
                }
            }
        }
    }
    across_connections(context, judge, &first).await?;
    after_other_requests(context, judge, &first).await
}

/// Step 2: the lists on a connection of the check's own.
async fn across_connections(context: &CaseContext<'_>, judge: &mut Judge<'_>, first: &Snapshot) -> Result<(), String> {
    let Some(reconnect) = &context.options.reconnect else {
        judge.outcome.inconclusive.push("no second connection can be opened here, so lists were not compared across connections".into());
        return Ok(());
    };
    let version = context.session.version.as_str();
    let other = reconnect.connect(version).await.map_err(|e| format!("a second connection could not be opened: {e}"))?;
    let compared = async {
        let theirs = snapshot(&other, version, judge.lists).await?;
        let ours_again = snapshot(&context.session.connection, version, judge.lists).await?;
        let theirs_again = snapshot(&other, version, judge.lists).await?;
        Ok::<_, String>((theirs, ours_again, theirs_again))
    }
    .await;
    other.close().await;
    let (theirs, ours_again, theirs_again) = compared?;
    for index in 0..judge.lists.len() {
        if judge.undecided[index] {
            continue;
        }
        let key = judge.lists[index].key;
        match difference(&first[index], &theirs[index], key) {
            Difference::Same => {}
            Difference::Reordered => judge.reordered(index, "on another connection", &first[index], &theirs[index]),
            Difference::Changed => {
                let steady = difference(&first[index], &ours_again[index], key) != Difference::Changed
                    && difference(&theirs[index], &theirs_again[index], key) != Difference::Changed;
                if steady {
                    judge.changed(index, "differs between two connections".into(), &first[index], &theirs[index]);
                } else if difference(&ours_again[index], &theirs_again[index], key) == Difference::Changed {
                    judge.undecide(index, format!("`{}` changed while the connections were compared", judge.lists[index].list.method));
                }
                // Otherwise the set changed over time, the same for both connections.
            }
        }
    }
    Ok(())
}

/// Step 3: the lists after each request that changes nothing. A list
/// that changed is judged by repeating the request: a side effect shows
/// again (or undoes itself), a change over time (lists MAY change) does not,
/// and becomes the new baseline.
async fn after_other_requests(context: &CaseContext<'_>, judge: &mut Judge<'_>, first: &Snapshot) -> Result<(), String> {
    let connection = &context.session.connection;
    let version = context.session.version.as_str();
    let requests = other_requests(context, judge.lists, first);
    if requests.is_empty() {
        judge.outcome.inconclusive.push("nothing to ask that changes nothing: no read-only tool to call, resource to read or prompt to get".into());
        return Ok(());
    }
    let mut baseline = first.clone();
    for (method, params) in requests {
        let label = format!("{method} {}", params.get("name").or_else(|| params.get("uri")).unwrap_or(&Value::Null));
        stateless::request(connection, version, method, params.clone(), &RequestOptions::default()).await;
        let after = snapshot(connection, version, judge.lists).await?;
        let mut changed = Vec::new();
        for index in 0..judge.lists.len() {
            if judge.undecided[index] {
                continue;
            }
            match difference(&baseline[index], &after[index], judge.lists[index].key) {
                Difference::Same => {}
                Difference::Reordered => judge.reordered(index, &format!("after {label}"), &baseline[index], &after[index]),
                Difference::Changed => changed.push(index),
            }
        }
        if changed.is_empty() {
            continue;
        }
        // Over HTTP other work may change the lists meanwhile (lists may change
        // over time): only a change that every repetition brings is the request's.
        let mut latest = after.clone();
        let mut every_time = changed.clone();
        for _ in 0..REPETITIONS {
            stateless::request(connection, version, method, params.clone(), &RequestOptions::default()).await;
            let next = snapshot(connection, version, judge.lists).await?;
            every_time.retain(|&i| difference(&latest[i], &next[i], judge.lists[i].key) == Difference::Changed);
            latest = next;
            if every_time.is_empty() {
                break;
            }
        }
        for index in changed {
            if every_time.contains(&index) {
                let why = format!("changed after {label}, a request that changes nothing, and again each of the {REPETITIONS} times it was repeated");
                judge.changed(index, why, &baseline[index], &after[index]);
            } else {
                baseline[index] = latest[index].clone();
            }
        }
    }
    Ok(())
}

/// Requests that change nothing, from what the first walk listed.
fn other_requests(context: &CaseContext<'_>, lists: &[Compared], first: &Snapshot) -> Vec<(&'static str, Value)> {
    let items = |method: &str| lists.iter().position(|c| c.list.method == method).map(|i| first[i].as_slice()).unwrap_or_default();
    let fixtures = &context.options.fixtures;
    let role_tools: Vec<&str> = [&fixtures.progress, &fixtures.slow, &fixtures.logging, &fixtures.list_changed, &fixtures.client_input, &fixtures.needs_capability]
        .into_iter()
        .flatten()
        .map(|role| role.tool.as_str())
        .chain(fixtures.resource_updated.iter().map(|role| role.tool.as_str()))
        .collect();
    let mut requests: Vec<(&'static str, Value)> = items("tools/list")
        .iter()
        .filter(|tool| tool.pointer("/annotations/readOnlyHint") == Some(&Value::Bool(true)))
        .filter(|tool| callable(tool, context.options.call_tools) && !role_tools.contains(&name_of(tool).as_str()))
        .filter_map(|tool| {
            let input = tool.get("inputSchema").cloned().unwrap_or_else(|| json!({ "type": "object" }));
            generate::valid(&input, &input, 0).map(|arguments| ("tools/call", json!({ "name": name_of(tool), "arguments": arguments })))
        })
        .take(MAX_TOOL_CALLS)
        .collect();
    if let Some(uri) = items("resources/list").iter().find_map(|r| r.get("uri").filter(|u| u.is_string())) {
        requests.push(("resources/read", json!({ "uri": uri })));
    }
    let needs_nothing = |prompt: &&Value| {
        let arguments = prompt.get("arguments").and_then(Value::as_array);
        !arguments.into_iter().flatten().any(|a| a.get("required") == Some(&Value::Bool(true)))
    };
    if let Some(name) = items("prompts/list").iter().filter(needs_nothing).find_map(|p| p.get("name").filter(|n| n.is_string())) {
        requests.push(("prompts/get", json!({ "name": name })));
    }
    requests.truncate(MAX_OTHER_REQUESTS);
    requests
}

/// Walk every list on `connection`.
async fn snapshot(connection: &Connection, version: &str, lists: &[Compared]) -> Result<Snapshot, String> {
    let mut snapshot = Vec::new();
    for compared in lists {
        snapshot.push(walk(connection, version, compared.list).await?);
    }
    Ok(snapshot)
}

/// One list, followed to its end with the server's cursors.
async fn walk(connection: &Connection, version: &str, list: &List) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut cursor: Option<Value> = None;
    for _ in 0..MAX_PAGES {
        let params = cursor.as_ref().map_or_else(|| json!({}), |c| json!({ "cursor": c }));
        let exchange = stateless::request(connection, version, list.method, params, &RequestOptions::default()).await;
        let Some(page) = exchange.result().filter(|r| !is_interim(r)) else {
            return Err(format!("`{}` could not be walked: {}", list.method, super::lists::describe(&exchange)));
        };
        items.extend(page.get(list.key).and_then(Value::as_array).cloned().unwrap_or_default());
        match next_cursor(page) {
            Some(next) => cursor = Some(next.clone()),
            None => return Ok(items),
        }
    }
    Err(format!("`{}` still had more pages after {MAX_PAGES}", list.method))
}

/// How `after` relates to `before`, items told apart by `key`.
fn difference(before: &[Value], after: &[Value], key: &str) -> Difference {
    let ids = |items: &[Value]| items.iter().map(|item| item.get(key).cloned().unwrap_or(Value::Null)).collect::<Vec<_>>();
    let (before, after) = (ids(before), ids(after));
    if before == after {
        return Difference::Same;
    }
    let (mut sorted_before, mut sorted_after) = (before.clone(), after.clone());
    let order = |a: &Value, b: &Value| a.to_string().cmp(&b.to_string());
    sorted_before.sort_by(order);
    sorted_after.sort_by(order);
    if sorted_before == sorted_after {
        Difference::Reordered
    } else {
        Difference::Changed
    }
}

/// The items' names, for evidence.
fn names(items: &[Value], key: &str) -> String {
    let names: Vec<String> = items.iter().map(|item| item.get(key).map_or_else(|| "?".into(), Value::to_string)).collect();
    format!("[{}]", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(names: &[&str]) -> Vec<Value> {
        names.iter().map(|n| json!({ "name": n })).collect()
    }

    #[test]
    fn differences() {
        assert_eq!(difference(&tools(&["a", "b"]), &tools(&["a", "b"]), "name"), Difference::Same);
        assert_eq!(difference(&tools(&["a", "b"]), &tools(&["b", "a"]), "name"), Difference::Reordered);
        assert_eq!(difference(&tools(&["a", "b"]), &tools(&["a"]), "name"), Difference::Changed);
        assert_eq!(difference(&tools(&["a", "b"]), &tools(&["a", "c"]), "name"), Difference::Changed);
    }

    #[test]
    fn names_for_evidence() {
        assert_eq!(names(&tools(&["a", "b"]), "name"), "[\"a\", \"b\"]");
    }
}
