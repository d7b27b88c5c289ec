//! Reading a live server's surface: one session per protocol version it
//! speaks, every list followed to its last page.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::snapshot::{sorted, ServerName, Snapshot, VersionSurface};
use super::SurfaceError;
use crate::discovery::{self, Probe};
use crate::runner::RunError;
use crate::session::{RequestOptions, Session, SessionOptions};
use crate::target::Target;
use crate::transport::Limits;
use crate::version;

/// Most pages followed in one list.
const MAX_PAGES: usize = 200;

/// A list method, the member of its result holding the items, the member
/// of an item that names it, and the capability that offers it.
struct ListKind {
    method: &'static str,
    items: &'static str,
    key: &'static str,
    capability: &'static str,
}

const TOOLS: ListKind = ListKind { method: "tools/list", items: "tools", key: "name", capability: "tools" };
const RESOURCES: ListKind = ListKind { method: "resources/list", items: "resources", key: "uri", capability: "resources" };
const TEMPLATES: ListKind =
    ListKind { method: "resources/templates/list", items: "resourceTemplates", key: "uriTemplate", capability: "resources" };
const PROMPTS: ListKind = ListKind { method: "prompts/list", items: "prompts", key: "name", capability: "prompts" };

/// What to keep of the server's identity.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaptureOptions {
    /// Keep `serverInfo.version` (volatile: it changes with every release).
    pub server_version: bool,
}

/// The surface of `target` in every version it speaks.
pub async fn capture(
    target: &Target,
    limits: &Limits,
    options: &SessionOptions,
    keep: CaptureOptions,
) -> Result<Snapshot, SurfaceError> {
    let probes = version::ALL.iter().map(|v| discovery::probe(target, v, limits, options));
    let mut sessions = Vec::new();
    let mut refused = Vec::new();
    for (v, probe) in version::ALL.iter().zip(futures_util::future::join_all(probes).await) {
        match probe.map_err(RunError::from)? {
            Probe::Supported(session) => sessions.push(session),
            Probe::Unsupported { why, .. } => refused.push(format!("{v}: {why}")),
        }
    }
    if sessions.is_empty() {
        return Err(RunError::NoVersion(refused).into());
    }
    let reading = sessions.iter().map(|session| read_version(session));
    let surfaces = futures_util::future::join_all(reading).await;
    // The newest version's serverInfo names the server.
    let implementation = sessions.iter().rev().find_map(|s| s.server.implementation.clone()).unwrap_or(Value::Null);
    for session in &sessions {
        session.close().await;
    }
    let text = |key: &str| implementation.get(key).and_then(Value::as_str).map(str::to_string);
    let server = ServerName { name: text("name"), version: text("version").filter(|_| keep.server_version) };
    let mut snapshot = Snapshot::new(server);
    for (session, surface) in sessions.iter().zip(surfaces) {
        snapshot.versions.insert(session.version.clone(), surface?);
    }
    Ok(snapshot)
}

/// The surface one session shows.
async fn read_version(session: &Session) -> Result<VersionSurface, SurfaceError> {
    let declared = |list: &ListKind| session.server.declares(list.capability);
    let read = |list: &'static ListKind| async move {
        if declared(list) {
            read_list(session, list).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (tools, resources, templates, prompts) = futures_util::join!(read(&TOOLS), read(&RESOURCES), read(&TEMPLATES), read(&PROMPTS));
    Ok(VersionSurface {
        capabilities: sorted(session.server.capabilities.clone()),
        tools: tools?,
        resources: resources?,
        resource_templates: templates?,
        prompts: prompts?,
    })
}

/// Every item of a list, keyed by its name (URI, template), without its
/// volatile fields.
async fn read_list(session: &Session, list: &'static ListKind) -> Result<BTreeMap<String, Value>, SurfaceError> {
    let failed = |why: String| SurfaceError::List { version: session.version.clone(), method: list.method, why };
    let mut items = BTreeMap::new();
    let mut cursor: Option<Value> = None;
    let mut cursors_seen = Vec::new();
    for _ in 0..MAX_PAGES {
        let params = cursor.as_ref().map_or_else(|| json!({}), |c| json!({ "cursor": c }));
        let exchange = session.request(list.method, params, &RequestOptions::default()).await;
        let Some(page) = exchange.result() else {
            let answer = exchange.error().map_or_else(|| "no result".to_string(), |e| format!("error {e}"));
            return Err(failed(answer));
        };
        if page.get("resultType").and_then(Value::as_str).is_some_and(|t| t != "complete") {
            return Err(failed(format!("the answer is no list (resultType {})", page["resultType"])));
        }
        let Some(entries) = page.get(list.items).and_then(Value::as_array) else {
            return Err(failed(format!("the result has no `{}` array", list.items)));
        };
        for entry in entries {
            let Some(key) = entry.get(list.key).and_then(Value::as_str) else {
                return Err(failed(format!("an item has no string `{}`: {entry}", list.key)));
            };
            if items.insert(key.to_string(), stable(entry, list)).is_some() {
                return Err(failed(format!("`{key}` is listed twice, so the surface is ambiguous")));
            }
        }
        cursor = page.get("nextCursor").filter(|c| c.is_string()).cloned();
        match &cursor {
            None => return Ok(items),
            Some(c) if cursors_seen.contains(c) => return Err(failed(format!("the cursor {c} came back: the list never ends"))),
            Some(c) => cursors_seen.push(c.clone()),
        }
    }
    Err(failed(format!("more than {MAX_PAGES} pages")))
}

/// An item without its key (the map holds it) and without what changes
/// from one listing to the next.
fn stable(entry: &Value, list: &ListKind) -> Value {
    let mut item = entry.clone();
    if let Some(fields) = item.as_object_mut() {
        fields.remove(list.key);
        fields.remove("_meta");
        if list.items == RESOURCES.items {
            fields.remove("size");
            if let Some(annotations) = fields.get_mut("annotations").and_then(Value::as_object_mut) {
                annotations.remove("lastModified");
            }
            if fields.get("annotations").and_then(Value::as_object).is_some_and(|a| a.is_empty()) {
                fields.remove("annotations");
            }
        }
        for key in ["inputSchema", "outputSchema"] {
            if let Some(schema) = fields.get_mut(key) {
                required_in_order(schema);
            }
        }
    }
    sorted(item)
}

/// A schema with every `required` list in name order: JSON Schema reads it
/// as a set (and so does the diff), so a server that lists it in another
/// order on the next run changes no byte of the file. Values (`const`,
/// `default`, `enum`, `examples`) are data, and left as they are.
fn required_in_order(schema: &mut Value) {
    let Value::Object(members) = schema else { return };
    for (key, value) in members.iter_mut() {
        match (key.as_str(), value) {
            ("const" | "default" | "enum" | "examples", _) => {}
            ("required", Value::Array(names)) if names.iter().all(Value::is_string) => {
                names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            (_, value @ Value::Object(_)) => required_in_order(value),
            (_, Value::Array(items)) => items.iter_mut().for_each(required_in_order),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_fields_are_dropped_and_keys_sorted() {
        let resource = json!({
            "uri": "ref://a", "name": "a", "size": 12, "_meta": {"x": 1},
            "annotations": {"lastModified": "2026-01-01T00:00:00Z", "priority": 0.5}
        });
        assert_eq!(stable(&resource, &RESOURCES).to_string(), r#"{"annotations":{"priority":0.5},"name":"a"}"#);
        let only_date = json!({"uri": "ref://b", "annotations": {"lastModified": "today"}});
        assert_eq!(stable(&only_date, &RESOURCES), json!({}));
        // A tool's own fields stay, whatever their names.
        let tool = json!({"name": "t", "size": 1, "inputSchema": {"type": "object"}});
        assert_eq!(stable(&tool, &TOOLS), json!({"inputSchema": {"type": "object"}, "size": 1}));
    }

    #[test]
    fn required_lists_are_in_name_order_and_data_is_not() {
        let schema = |required: [&str; 2]| {
            json!({"name": "t", "inputSchema": {
                "type": "object", "required": required,
                "properties": {"o": {"type": "object", "required": required, "default": {"required": required}}},
                "anyOf": [{"required": required}]
            }})
        };
        let one = stable(&schema(["b", "a"]), &TOOLS);
        assert_eq!(one["inputSchema"]["required"], json!(["a", "b"]));
        assert_eq!(one["inputSchema"]["properties"]["o"]["required"], json!(["a", "b"]));
        assert_eq!(one["inputSchema"]["anyOf"][0]["required"], json!(["a", "b"]));
        assert_eq!(one["inputSchema"]["properties"]["o"]["default"]["required"], json!(["b", "a"]), "a default is data");
    }
}
