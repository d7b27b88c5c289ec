//! The server's lists (`tools/list`, `prompts/list`, `resources/list`,
//! `resources/templates/list`), walked page by page with the server's own
//! cursors, and the small helpers the checks on them share.

use serde_json::Value;

use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::{Exchange, Reply, RequestOptions};

/// Most pages followed in one walk.
pub const MAX_PAGES: usize = 100;

/// One list method.
pub struct List {
    /// The method.
    pub method: &'static str,
    /// The result member holding the items.
    pub key: &'static str,
    /// The capability that makes the server offer it.
    pub capability: &'static str,
    /// The requirement that the method answers with the list.
    pub requirement: &'static str,
}

/// Every list method, in the order checks visit them.
pub const LISTS: &[List] = &[
    List { method: "tools/list", key: "tools", capability: "tools", requirement: "TOOLS-002" },
    List { method: "prompts/list", key: "prompts", capability: "prompts", requirement: "PROMPTS-002" },
    List { method: "resources/list", key: "resources", capability: "resources", requirement: "RESOURCES-002" },
    List { method: "resources/templates/list", key: "resourceTemplates", capability: "resources", requirement: "RESOURCES-003" },
];

/// The lists the server offers by the capabilities it declared.
pub fn offered<'a>(context: &'a CaseContext<'_>) -> impl Iterator<Item = &'static List> + 'a {
    LISTS.iter().filter(|list| context.server.declares(list.capability))
}

/// The list named `method`.
pub fn named(method: &str) -> &'static List {
    LISTS.iter().find(|list| list.method == method).unwrap_or(&LISTS[0])
}

/// A list read to its end.
pub struct Walk {
    /// Each page's result, in order.
    pub pages: Vec<Value>,
    /// The cursor each page was asked for with (none for the first).
    pub cursors: Vec<Option<Value>>,
}

impl Walk {
    /// Every item of every page.
    pub fn items(&self, list: &List) -> Vec<Value> {
        self.pages.iter().flat_map(|page| items_of(page, list)).collect()
    }
}

/// The items of one page.
pub fn items_of(page: &Value, list: &List) -> Vec<Value> {
    page.get(list.key).and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The `nextCursor` of a page, when it is a string (anything else is a
/// schema violation, reported on receipt).
pub fn next_cursor(page: &Value) -> Option<&Value> {
    page.get("nextCursor").filter(|c| c.is_string())
}

/// Request one page (`cursor` absent for the first).
pub async fn page(context: &CaseContext<'_>, list: &List, cursor: Option<&Value>) -> Exchange {
    page_with(context, list, cursor, &Sent::default()).await
}

/// How a walk's requests are sent, besides their cursor.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    /// Request options (other HTTP headers, for instance).
    pub options: RequestOptions,
    /// Members of `params` besides the cursor (a `_meta` of its own, for
    /// instance; the session's `_meta` fills in what it leaves out).
    pub params: serde_json::Map<String, Value>,
}

/// [`page`], sent as `sent` says.
pub async fn page_with(context: &CaseContext<'_>, list: &List, cursor: Option<&Value>, sent: &Sent) -> Exchange {
    let mut params = sent.params.clone();
    if let Some(cursor) = cursor {
        params.insert("cursor".into(), cursor.clone());
    }
    context.session.request(list.method, Value::Object(params), &sent.options).await
}

/// Read a list to its end, following `nextCursor`. `Err` holds the
/// outcome when the walk cannot finish: a failing first page is a finding
/// (the server declared the capability), anything later is inconclusive
/// (lists may change between pages).
pub async fn walk(context: &CaseContext<'_>, list: &List) -> Result<Walk, StepOutcome> {
    walk_with(context, list, &Sent::default()).await
}

/// [`walk`], every page sent as `sent` says.
pub async fn walk_with(context: &CaseContext<'_>, list: &List, sent: &Sent) -> Result<Walk, StepOutcome> {
    let mut pages = Vec::new();
    let mut cursors = Vec::new();
    let mut cursor: Option<Value> = None;
    let mut seen: Vec<Value> = Vec::new();
    for _ in 0..MAX_PAGES {
        let exchange = page_with(context, list, cursor.as_ref(), sent).await;
        let Some(result) = exchange.result() else {
            if pages.is_empty() {
                return Err(failed(list, &exchange));
            }
            let why = format!("`{}` refused the cursor it had issued: {}", list.method, describe(&exchange));
            return Err(inconclusive(why));
        };
        // An interim result is no page (a server may ask for input, S2C-010).
        if is_interim(result) {
            return Err(inconclusive(format!("`{}` answered input_required", list.method)));
        }
        cursors.push(cursor.take());
        cursor = next_cursor(result).cloned();
        pages.push(result.clone());
        match &cursor {
            None => return Ok(Walk { pages, cursors }),
            Some(c) if seen.contains(c) => {
                return Err(inconclusive(format!("`{}` handed out the cursor {c} twice: the list never ends", list.method)))
            }
            Some(c) => seen.push(c.clone()),
        }
    }
    Err(inconclusive(format!("`{}` still had more pages after {MAX_PAGES}", list.method)))
}

/// Every item of the list `method`, walked to its end.
pub async fn all_items(context: &CaseContext<'_>, method: &str) -> Result<Vec<Value>, StepOutcome> {
    let list = named(method);
    walk(context, list).await.map(|walk| walk.items(list))
}

/// Walk every offered list; the lists that could not be walked add their
/// findings and reasons to `outcome`.
pub async fn walk_offered(context: &CaseContext<'_>, outcome: &mut StepOutcome) -> Vec<(&'static List, Walk)> {
    let mut walks = Vec::new();
    // All lists at once: a server that never answers costs one deadline, not four.
    let walking = offered(context).map(|list| async move { (list, walk(context, list).await) });
    for (list, walked) in futures_util::future::join_all(walking).await {
        match walked {
            Ok(walk) => walks.push((list, walk)),
            Err(failed) => {
                outcome.findings.extend(failed.findings);
                outcome.inconclusive.extend(failed.inconclusive);
            }
        }
    }
    walks
}

/// The finding for a list method that did not answer with a list.
fn failed(list: &List, exchange: &Exchange) -> StepOutcome {
    // No answer at all (a deadline missed, perhaps by a slow machine) says
    // nothing about the list; the cases on unanswered requests judge that.
    if let Reply::TooLarge(why) | Reply::NoResponse(why) = &exchange.reply {
        return inconclusive(format!("`{}`: {why}", list.method));
    }
    let draft = Draft {
        requirement: list.requirement.into(),
        keyword: Some("MUST"),
        message: format!("`{}` failed although the server declared `{}`", list.method, list.capability),
        expected: format!("a result listing `{}`", list.key),
        actual: describe(exchange),
        hint: None,
    };
    StepOutcome { findings: vec![draft], ..StepOutcome::default() }
}

/// A step outcome that could not decide, for one reason.
pub fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// The answer of an exchange, short enough for a finding.
pub fn describe(exchange: &Exchange) -> String {
    match &exchange.reply {
        Reply::Response(message) => clip(&message.to_string(), 300),
        Reply::NoResponse(why) | Reply::TooLarge(why) => why.clone(),
    }
}

/// Is this result an interim `input_required` one (2026-07-28)?
pub fn is_interim(result: &Value) -> bool {
    result.get("resultType").and_then(Value::as_str) == Some("input_required")
}
