//! Lists that depend on who asks (2026-07-28, Streamable HTTP).
//!
//! A server may list different tools, prompts or resources for different
//! authorizations, e.g. only the tools the caller's scopes permit
//! (AUTH-018, MAY): credentials are per-request input, not connection
//! state. A list that varies per user is per-user data, which its
//! `cacheScope` says with `"private"` (CACHE-006), so that a shared cache
//! never hands one user's list to another.
//!
//! `auth-scoped-lists` walks every offered list with the session's own
//! credential (`--header "Authorization: …"`) and with the token given with
//! `--auth-token-narrow-scope`, each twice and alternating. A list whose
//! two walks with the same credential agree while the credentials' walks
//! differ varies by authorization: that is reported as information
//! (AUTH-018), and every page of it, for both credentials, must say
//! `cacheScope: "private"` (CACHE-006). A list that changed between two
//! walks with the same credential changed over time, not by credential,
//! and is left undecided.
//!
//! Authorization is the only source of per-caller variation (AUTH-018):
//! each list is also walked twice with the session's credential by another
//! caller (another `clientInfo` in `_meta`), and a list that differs from
//! the session's own while both callers' walks agree is a finding. No list
//! differing by credential is not applicable: there is nothing per-user to
//! mark.

use std::collections::BTreeSet;

use serde_json::Value;

use super::auth::{probe_of, unauthenticated};
use super::lists::{offered, walk_with, List, Sent, Walk};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// The `clientInfo` of the other caller presenting the session's credential.
fn other_caller() -> Value {
    serde_json::json!({ "name": "mcp-conform-caller-2", "version": env!("CARGO_PKG_VERSION") })
}
use crate::transport::Kind;
use crate::version::{era, Era};

/// The member that names an item of `list`.
fn identity(list: &List) -> &'static str {
    match list.key {
        "resources" => "uri",
        "resourceTemplates" => "uriTemplate",
        _ => "name",
    }
}

/// The items of a walk, by the member that names them (items without it
/// are shown whole, so they still count).
fn item_names(walk: &Walk, list: &List) -> BTreeSet<String> {
    let key = identity(list);
    walk.items(list).iter().map(|item| item.get(key).and_then(Value::as_str).map_or_else(|| item.to_string(), str::to_owned)).collect()
}

/// One credential's two walks of a list.
struct Readings {
    /// Who presented the credential, for messages.
    who: &'static str,
    walks: [Walk; 2],
}

impl Readings {
    /// The items, when both walks agree on them.
    fn stable_names(&self, list: &List) -> Option<BTreeSet<String>> {
        let first = item_names(&self.walks[0], list);
        (first == item_names(&self.walks[1], list)).then_some(first)
    }
}

/// Why a walk could not be used, as one line.
fn unusable(list: &List, who: &str, failed: StepOutcome) -> String {
    let reasons: Vec<String> = failed.findings.into_iter().map(|d| format!("{}: {}", d.message, d.actual)).chain(failed.inconclusive).collect();
    format!("`{}` could not be walked with {who}: {}", list.method, reasons.join("; "))
}

/// `auth-scoped-lists`: lists that differ by credential say `private`.
pub async fn check(context: &CaseContext<'_>) -> StepOutcome {
    if context.transport != Kind::StreamableHttp || era(&context.session.version) != Era::Stateless {
        return not_applicable("per-request authorization of lists is judged on 2026-07-28 Streamable HTTP".into());
    }
    let probe = match probe_of(context) {
        Ok(probe) => probe,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = unauthenticated(&probe).await {
        return outcome;
    }
    let Some(other) = context.options.auth_tokens.narrow_scope.as_ref() else {
        return inconclusive("only the session's credential is known: pass a second one with --auth-token-narrow-scope".into());
    };
    let mine = Sent::default();
    let options = RequestOptions { headers: vec![("authorization".into(), format!("Bearer {other}"))], ..RequestOptions::default() };
    let theirs = Sent { options, ..Sent::default() };
    let mut meta = serde_json::Map::new();
    meta.insert("io.modelcontextprotocol/clientInfo".into(), other_caller());
    let another_caller = Sent { params: [("_meta".to_owned(), Value::Object(meta))].into_iter().collect(), ..Sent::default() };
    let mut outcome = StepOutcome::default();
    let mut undecided = Vec::new();
    let mut differing = 0;
    for list in offered(context) {
        let mut walks = Vec::new();
        // Alternating, so a change over time shows as two walks with one credential that disagree.
        let order = [("the session's credential", &mine), ("the second credential", &theirs), ("another caller", &another_caller)];
        for (who, sent) in order.into_iter().cycle().take(6) {
            match walk_with(context, list, sent).await {
                Ok(walk) => walks.push(walk),
                Err(failed) => {
                    undecided.push(unusable(list, who, failed));
                    break;
                }
            }
        }
        let [mine_first, theirs_first, caller_first, mine_again, theirs_again, caller_again]: [Walk; 6] = match walks.try_into() {
            Ok(all) => all,
            Err(_) => continue,
        };
        let readings = [
            Readings { who: "the session's credential", walks: [mine_first, mine_again] },
            Readings { who: "the second credential", walks: [theirs_first, theirs_again] },
        ];
        let caller = Readings { who: "another caller", walks: [caller_first, caller_again] };
        let (Some(my_names), Some(their_names), Some(caller_names)) =
            (readings[0].stable_names(list), readings[1].stable_names(list), caller.stable_names(list))
        else {
            undecided.push(format!("`{}` changed between two walks of one caller: it changes over time", list.method));
            continue;
        };
        if caller_names != my_names {
            outcome.findings.push(other_caller_finding(list, &my_names, &caller_names));
        }
        if my_names == their_names {
            continue;
        }
        differing += 1;
        outcome.findings.push(difference(list, &my_names, &their_names));
        outcome.findings.extend(readings.iter().filter_map(|r| not_private(list, r)));
    }
    if differing == 0 && outcome.findings.is_empty() {
        if !undecided.is_empty() {
            return inconclusive(undecided.join("; "));
        }
        return not_applicable("every list is the same for both credentials: nothing per-user to mark private".into());
    }
    outcome
}

/// Names only in `a`, joined.
fn only(a: &BTreeSet<String>, b: &BTreeSet<String>) -> String {
    a.difference(b).cloned().collect::<Vec<_>>().join(", ")
}

/// AUTH-018: a list that differs between two callers presenting the same credential.
fn other_caller_finding(list: &List, mine: &BTreeSet<String>, theirs: &BTreeSet<String>) -> Draft {
    Draft {
        requirement: "AUTH-018".into(),
        keyword: Some("MUST NOT"),
        message: format!("`{}` differs between two callers presenting the same authorization (another clientInfo)", list.method),
        expected: "lists that vary between callers only by the authorization they present".into(),
        actual: format!("only for the harness: [{}]; only for the other caller: [{}]", clip(&only(mine, theirs), 300), clip(&only(theirs, mine), 300)),
        hint: Some("Answer list requests from the server's set and the request's authorization alone, never from who the client says it is"),
    }
}

/// AUTH-018, as information: what one credential sees that the other does not.
fn difference(list: &List, mine: &BTreeSet<String>, theirs: &BTreeSet<String>) -> Draft {
    Draft {
        requirement: "AUTH-018".into(),
        keyword: Some("MAY"),
        message: format!("`{}` differs by the authorization presented ({} items with the session's credential, {} with the second)", list.method, mine.len(), theirs.len()),
        expected: "lists may differ by authorization alone (information, not a violation)".into(),
        actual: format!("only with the session's credential: [{}]; only with the second: [{}]", clip(&only(mine, theirs), 300), clip(&only(theirs, mine), 300)),
        hint: None,
    }
}

/// CACHE-006: a page of a list that varies per user not marked `private`.
fn not_private(list: &List, readings: &Readings) -> Option<Draft> {
    let pages = readings.walks.iter().flat_map(|walk| walk.pages.iter());
    let scopes: Vec<String> = pages.map(|page| page.get("cacheScope").map_or_else(|| "(none)".to_owned(), Value::to_string)).collect();
    if scopes.iter().all(|scope| scope == "\"private\"") {
        return None;
    }
    Some(Draft {
        requirement: "CACHE-006".into(),
        keyword: Some("(prose)"),
        message: format!("`{}` depends on the credential, but its pages for {} are not marked private", list.method, readings.who),
        expected: "cacheScope \"private\" on every page of a list that varies per user".into(),
        actual: format!("cacheScope of each page: {}", scopes.join(", ")),
        hint: Some("A list filtered by the caller's authorization is per-user data: answer it with cacheScope \"private\""),
    })
}

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

fn not_applicable(why: String) -> StepOutcome {
    StepOutcome { not_applicable: Some(why), ..StepOutcome::default() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::lists::named;

    fn walk(pages: &[Value]) -> Walk {
        Walk { pages: pages.to_vec(), cursors: vec![None; pages.len()] }
    }

    #[test]
    fn only_a_private_list_passes() {
        let tools = named("tools/list");
        let page = |scope: &str| json!({ "tools": [{ "name": "a" }], "cacheScope": scope });
        let private = Readings { who: "x", walks: [walk(&[page("private")]), walk(&[page("private")])] };
        assert!(not_private(tools, &private).is_none());
        let mixed = Readings { who: "x", walks: [walk(&[page("private")]), walk(&[page("public")])] };
        let found = not_private(tools, &mixed).expect("a public page");
        assert_eq!((found.requirement.as_str(), found.keyword), ("CACHE-006", Some("(prose)")));
        assert!(found.actual.contains("\"public\""), "{}", found.actual);
        let unmarked = Readings { who: "x", walks: [walk(&[json!({ "tools": [] })]), walk(&[json!({ "tools": [] })])] };
        assert!(not_private(tools, &unmarked).is_some());
    }

    #[test]
    fn items_are_named_by_their_identity() {
        let resources = named("resources/list");
        let read = walk(&[json!({ "resources": [{ "uri": "a://1", "name": "one" }, { "name": "no uri" }] })]);
        let names = item_names(&read, resources);
        assert!(names.contains("a://1") && names.len() == 2, "{names:?}");
        let changed = Readings { who: "x", walks: [read, walk(&[json!({ "resources": [] })])] };
        assert!(changed.stable_names(resources).is_none());
    }
}
