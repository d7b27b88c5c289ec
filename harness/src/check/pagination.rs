//! Pagination (`pagination.mdx`) on every list the server offers.

use serde_json::{json, Value};

use super::lists::{self, describe, inconclusive, List};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};

/// A cursor no server can have issued.
pub const INVALID_CURSOR: &str = "mcp-conform:this-cursor-was-never-issued";

/// Walk every offered list to its end with the server's cursors: a
/// `nextCursor` must lead to more items (UTIL-012), so a cursor whose page
/// is empty and final is a finding.
pub async fn walk_all(context: &CaseContext<'_>) -> StepOutcome {
    let mut outcome = StepOutcome::default();
    let walks = lists::walk_offered(context, &mut outcome).await;
    let walked = walks.len();
    for (list, walk) in walks {
        // Only the last page can be the empty page a final cursor led to.
        let last = walk.pages.len().saturating_sub(1);
        if last > 0 && lists::items_of(&walk.pages[last], list).is_empty() {
            outcome.findings.extend(confirm_empty_end(context, list, walk.cursors[last - 1].as_ref()).await);
        }
    }
    if walked == 0 && outcome.findings.is_empty() && outcome.inconclusive.is_empty() {
        outcome.inconclusive.push("the server declares no capability with a list (tools, prompts, resources)".into());
    }
    outcome
}

/// The walk ended on an empty page reached by a `nextCursor`. Lists may
/// change between requests, so ask again, from the page before it (by
/// `cursor`, the one it was asked with): only when that page still hands
/// out a cursor that still leads to an empty, final page is it a finding.
async fn confirm_empty_end(context: &CaseContext<'_>, list: &List, cursor: Option<&Value>) -> Option<Draft> {
    let before = lists::page(context, list, cursor).await;
    let next = lists::next_cursor(before.result()?)?.clone();
    let again = lists::page(context, list, Some(&next)).await;
    let result = again.result()?;
    if !lists::items_of(result, list).is_empty() || lists::next_cursor(result).is_some() {
        return None;
    }
    Some(Draft {
        requirement: "UTIL-012".into(),
        keyword: Some("(prose)"),
        message: format!("`{}` gave a nextCursor although no more results followed: its page is empty and final", list.method),
        expected: "nextCursor only when more results follow".into(),
        actual: format!("nextCursor {next} led to {}", clip(&result.to_string(), 200)),
        hint: None,
    })
}

/// Ask every offered list for a page with a cursor the server never
/// issued: -32602 (UTIL-014); an internal error (-32603) is a bad cursor
/// not handled cleanly (UTIL-013).
pub async fn invalid_cursor(context: &CaseContext<'_>) -> StepOutcome {
    let mut outcome = StepOutcome::default();
    let cursor = json!(INVALID_CURSOR);
    let asks = lists::offered(context).map(|list| {
        let cursor = &cursor;
        async move { (list, lists::page(context, list, Some(cursor)).await) }
    });
    let answers = futures_util::future::join_all(asks).await;
    let asked = answers.len();
    for (list, exchange) in answers {
        // An internal error says the cursor broke the server: not handled cleanly (UTIL-013).
        let requirement = if exchange.error_code() == Some(-32603) { "UTIL-013" } else { "UTIL-014" };
        let problem = match (exchange.result(), exchange.error_code()) {
            (_, Some(-32602)) => continue,
            (None, Some(-32603)) => format!("`{}` failed with an internal error (-32603) on a cursor it never issued", list.method),
            (Some(_), _) => format!("`{}` accepted a cursor it never issued", list.method),
            (None, Some(code)) => format!("`{}` refused a cursor it never issued with code {code}, not -32602", list.method),
            (None, None) => {
                outcome.inconclusive.push(format!("`{}` with an invalid cursor: {}", list.method, describe(&exchange)));
                continue;
            }
        };
        outcome.findings.push(Draft {
            requirement: requirement.into(),
            keyword: None,
            message: problem,
            expected: format!("error -32602 for the cursor {cursor}"),
            actual: describe(&exchange),
            hint: None,
        });
    }
    if asked == 0 {
        return inconclusive("the server declares no capability with a list (tools, prompts, resources)".into());
    }
    outcome
}
