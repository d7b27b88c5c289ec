//! Cursor pagination for every list (`pagination.mdx`).
//!
//! Page sizes are small on purpose, so that every fixture list spans
//! several pages and a client's pagination really gets exercised:
//!
//! | list | method | page size |
//! | ---- | ------ | --------- |
//! | tools | `tools/list` | [`TOOLS_PAGE`] |
//! | prompts | `prompts/list` | [`PROMPTS_PAGE`] |
//! | resource templates | `resources/templates/list` | [`TEMPLATES_PAGE`] |
//! | resources | `resources/list` | [`RESOURCES_PAGE`] |
//!
//! A cursor is an opaque string (UTIL-012) that this server happens to
//! build as URL-safe Base64 of `list@offset`. A cursor is valid for the list
//! that issued it while its offset is within the list; anything else
//! (another list's cursor, an offset past the end, the empty string, a
//! non-string) is -32602 (UTIL-013, UTIL-014). `nextCursor` is present
//! exactly when more items follow (UTIL-012). Cursors are stable: the same
//! cursor gives the same page while the list is unchanged, and since the
//! items `toggle` adds and removes always come last, a toggle changes only
//! the last page (a cursor past a shrunken end is refused, as
//! pagination.mdx allows: "no cross-page consistency guarantee").

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::protocol::RpcError;

/// Tools per `tools/list` page.
pub const TOOLS_PAGE: usize = 5;
/// Prompts per `prompts/list` page.
pub const PROMPTS_PAGE: usize = 2;
/// Templates per `resources/templates/list` page.
pub const TEMPLATES_PAGE: usize = 2;
/// Resources per `resources/list` page.
pub const RESOURCES_PAGE: usize = 20;

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The items on this page.
    pub items: Vec<Value>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

impl Page {
    /// The page as a result: `{key: items, nextCursor?}`.
    pub fn into_result(self, key: &str) -> Map<String, Value> {
        let mut result = Map::new();
        result.insert(key.into(), Value::Array(self.items));
        if let Some(cursor) = self.next_cursor {
            result.insert("nextCursor".into(), Value::String(cursor));
        }
        result
    }
}

fn encode(list: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}@{offset}"))
}

/// The offset a cursor stands for, if it is one this list issued.
fn decode(list: &str, cursor: &str, len: usize) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, offset) = text.rsplit_once('@')?;
    if name != list || offset.starts_with('+') || (offset.len() > 1 && offset.starts_with('0')) {
        return None;
    }
    let offset: usize = offset.parse().ok()?;
    (offset > 0 && offset <= len).then_some(offset)
}

/// The page `params.cursor` asks for out of `items` (the whole list, in its
/// fixed order), `size` items long. `list` names the list inside cursors.
pub fn page(list: &str, items: Vec<Value>, size: usize, params: &Map<String, Value>, faults: FaultSet) -> Result<Page, RpcError> {
    let len = items.len();
    let offset = match params.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) => match decode(list, cursor, len) {
            Some(offset) => offset,
            None if faults.contains(Fault::CursorInvalidAccepted) => 0,
            None if faults.contains(Fault::CursorInvalidInternalError) => {
                return Err(RpcError::internal(format!("cursor {cursor:?} could not be decoded")));
            }
            None => return Err(RpcError::invalid_params(format!("Invalid cursor {cursor:?} for {list}"))),
        },
        Some(other) if faults.contains(Fault::CursorInvalidAccepted) => {
            tracing::debug!(%other, "a non-string cursor read as the start (fault)");
            0
        }
        Some(other) => return Err(RpcError::invalid_params(format!("The cursor must be a string, not {other}"))),
    };
    let end = offset.saturating_add(size.max(1)).min(len);
    let next_cursor = if end < len {
        Some(encode(list, end))
    } else if faults.contains(Fault::NextCursorOnLastPage) && end > offset {
        // Points at the end: the page it leads to is empty and has none.
        Some(encode(list, len))
    } else {
        None
    };
    let items = items.into_iter().skip(offset).take(end - offset).collect();
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::code;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!(i)).collect()
    }

    fn params(cursor: Option<Value>) -> Map<String, Value> {
        let mut p = Map::new();
        if let Some(c) = cursor {
            p.insert("cursor".into(), c);
        }
        p
    }

    /// Every item once, in order, then no cursor.
    fn walk(n: usize, size: usize, faults: FaultSet) -> (Vec<Value>, usize) {
        let mut all = Vec::new();
        let mut cursor = None;
        for pages in 1..100 {
            let p = page("t", items(n), size, &params(cursor.map(Value::String)), faults).unwrap();
            all.extend(p.items);
            match p.next_cursor {
                Some(c) => cursor = Some(c),
                None => return (all, pages),
            }
        }
        panic!("no end");
    }

    #[test]
    fn pages_cover_the_list_exactly() {
        assert_eq!(walk(11, 5, FaultSet::NONE), (items(11), 3));
        assert_eq!(walk(10, 5, FaultSet::NONE), (items(10), 2), "no empty last page");
        assert_eq!(walk(0, 5, FaultSet::NONE), (vec![], 1));
        let first = page("t", items(3), 5, &params(Some(Value::Null)), FaultSet::NONE).unwrap();
        assert_eq!(first.into_result("tools"), json!({"tools": [0, 1, 2]}).as_object().cloned().unwrap());
    }

    #[test]
    fn invalid_cursors_are_refused() {
        let good = page("t", items(11), 5, &params(None), FaultSet::NONE).unwrap().next_cursor.unwrap();
        assert_eq!(page("t", items(11), 5, &params(Some(json!(good))), FaultSet::NONE).unwrap().items, items(10)[5..].to_vec());
        for bad in [
            json!(""),
            json!("nonsense!"),
            json!(encode("other", 5)),
            json!(encode("t", 0)),
            json!(encode("t", 12)),
            json!(URL_SAFE_NO_PAD.encode("t@05")),
            json!(URL_SAFE_NO_PAD.encode("t@+5")),
            json!(5),
        ] {
            let e = page("t", items(11), 5, &params(Some(bad.clone())), FaultSet::NONE).unwrap_err();
            assert_eq!(e.code, code::INVALID_PARAMS, "{bad}");
            let accepted = page("t", items(11), 5, &params(Some(bad)), FaultSet::only(Fault::CursorInvalidAccepted)).unwrap();
            assert_eq!(accepted.items, items(5));
        }
        // A cursor at the very end (the list shrank, or the fault issued it): an empty last page.
        let end = page("t", items(11), 5, &params(Some(json!(encode("t", 11)))), FaultSet::NONE).unwrap();
        assert_eq!(end, Page { items: vec![], next_cursor: None });
    }

    #[test]
    fn the_fault_adds_a_cursor_to_the_last_page() {
        let faults = FaultSet::only(Fault::NextCursorOnLastPage);
        let (all, pages) = walk(11, 5, faults);
        assert_eq!((all, pages), (items(11), 4), "three pages and an empty fourth");
    }
}
