//! Caching hints (`caching.mdx`, 2026-07-28): `ttlMs` and `cacheScope` on
//! every cacheable result.

use serde_json::{json, Value};

use super::lists::{self, describe, is_interim, List};
use super::resources::MAX_READS;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// `server/discover`, every page of every offered list and reads of the
/// first listed resources carry valid hints (CACHE-001, -002, -003); all
/// pages of one list share one `cacheScope` (CACHE-005); interim results
/// carry none (CACHE-004).
pub async fn hints(context: &CaseContext<'_>) -> StepOutcome {
    let mut outcome = StepOutcome::default();
    let options = RequestOptions::default();
    let discovering = context.session.request("server/discover", json!({}), &options);
    let (discover, walks) = futures_util::future::join(discovering, lists::walk_offered(context, &mut outcome)).await;
    match discover.result() {
        Some(result) => outcome.findings.extend(check("server/discover", result)),
        None => outcome.inconclusive.push(format!("`server/discover`: {}", describe(&discover))),
    }
    let mut resources = Vec::new();
    for (list, walk) in walks {
        for (n, page) in walk.pages.iter().enumerate() {
            outcome.findings.extend(check(&format!("{} (page {})", list.method, n + 1), page));
        }
        outcome.findings.extend(one_scope(list, &walk.pages));
        if list.method == "resources/list" {
            resources = walk.items(list);
        }
    }
    let uris: Vec<&str> = resources.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)).take(MAX_READS).collect();
    let reads = uris.iter().map(|uri| async move {
        let exchange = context.session.request("resources/read", json!({ "uri": uri }), &RequestOptions::default()).await;
        (uri, exchange)
    });
    for (uri, exchange) in futures_util::future::join_all(reads).await {
        // A listed resource may still fail to read; that is not about caching.
        if let Some(result) = exchange.result() {
            outcome.findings.extend(check(&format!("resources/read {uri}"), result));
        }
    }
    outcome
}

/// The hint problems of one result.
fn check(what: &str, result: &Value) -> Vec<Draft> {
    let draft = |requirement: &str, keyword: &'static str, message: String| Draft {
        requirement: requirement.into(),
        keyword: Some(keyword),
        message: format!("`{what}`: {message}"),
        expected: "ttlMs: an integer >= 0, cacheScope: \"public\" or \"private\"".into(),
        actual: clip(&result.to_string(), 300),
        hint: None,
    };
    if is_interim(result) {
        let hinted = result.get("ttlMs").is_some() || result.get("cacheScope").is_some();
        return if hinted {
            vec![draft("CACHE-004", "(prose)", "an input_required result carries caching hints".into())]
        } else {
            Vec::new()
        };
    }
    let mut drafts = Vec::new();
    match result.get("ttlMs") {
        None => drafts.push(draft("CACHE-001", "MUST", "the result has no ttlMs".into())),
        Some(ttl) if !is_whole_non_negative(ttl) => {
            drafts.push(draft("CACHE-002", "MUST", format!("ttlMs is {ttl}, not an integer >= 0")));
        }
        Some(_) => {}
    }
    match result.get("cacheScope") {
        None => drafts.push(draft("CACHE-001", "MUST", "the result has no cacheScope".into())),
        Some(scope) if scope != "public" && scope != "private" => {
            drafts.push(draft("CACHE-003", "(schema)", format!("cacheScope is {scope}")));
        }
        Some(_) => {}
    }
    drafts
}

/// All pages of one list use the same `cacheScope`.
fn one_scope(list: &List, pages: &[Value]) -> Option<Draft> {
    let scopes: Vec<&Value> = pages.iter().filter_map(|p| p.get("cacheScope")).collect();
    let first = scopes.first()?;
    let other = scopes.iter().find(|s| *s != first)?;
    Some(Draft {
        requirement: "CACHE-005".into(),
        keyword: Some("MUST"),
        message: format!("the pages of `{}` disagree on cacheScope: {first} and {other}", list.method),
        expected: "one cacheScope for all pages of a list".into(),
        actual: format!("cacheScope per page: {}", scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
        hint: None,
    })
}

/// An integer >= 0 as JSON Schema counts integers (`5.0` is one).
fn is_whole_non_negative(value: &Value) -> bool {
    value.is_u64() || value.as_f64().is_some_and(|f| f >= 0.0 && f.fract() == 0.0)
}
