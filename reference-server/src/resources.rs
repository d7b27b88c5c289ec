//! The fixture resources and resource templates.
//!
//! `resources/list`, in this order (paginated, [`crate::pagination`]):
//!
//! | URI | name | MIME type | contents |
//! | --- | ---- | --------- | -------- |
//! | `ref://readme` | `readme` | `text/markdown` | a short text about the fixtures |
//! | `ref://logo` | `logo` | `image/png` | a 1×1 PNG as a Base64 `blob` |
//! | `ref://counter` | `counter` | `text/plain` | `count: N`; `touch` bumps N and announces `notifications/resources/updated` |
//! | `ref://slow-calls` | `slow-calls` | `application/json` | `{"started", "completed", "cancelled"}` counts of the `slow` calls made at the reader's protocol version |
//! | (the `test://` resources of [`conformance_fixtures`]) | | | |
//! | `ref://annotated` | `annotated` | `text/plain` | a note; listed with `annotations` (`audience`, `priority`, `lastModified` from 2025-06-18) |
//! | `ref://items/1` … `ref://items/120` | `item-1` … | `text/plain` | `Item N` |
//! | `ref://toggled` | `toggled` | `text/plain` | only while `toggle` has it present |
//!
//! `resources/templates/list`:
//!
//! | URI template | resolves | contents |
//! | ------------ | -------- | -------- |
//! | `ref://items/{id}` | `id` in 1…120 | the item (same as listed) |
//! | `ref://bytes/{size}` | `size` in 0…4096 | a `blob` of `size` bytes 0, 1, 2, … (mod 256) |
//! | `ref://greetings/{name}` | any non-empty, percent-decoded UTF-8 `name` | `Hello, NAME!` |
//!
//! `ref://broken` is not listed, and every read of it fails inside the
//! server: -32603 (RESOURCES-007; the `failing-resource` fixture role).
//!
//! Any other URI that is neither listed nor resolved by a template does not exist:
//! -32002 in the handshake era (L-RES-002), -32602 in 2026-07-28
//! (RESOURCES-005), with `data.uri`; never an empty `contents` (RESOURCES-006).
//! Any resource may be subscribed to; only `ref://counter` (and
//! `ref://slow-calls`, whose counts change without notice) ever changes.
//!
//! In 2026-07-28 the list results carry `ttlMs` [`LIST_TTL_MS`] and reads
//! [`READ_TTL_MS`] (0 for the two changing resources), all `cacheScope:
//! "public"`: nothing here depends on who asks (CACHE-001, CACHE-005).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::conformance_fixtures;
use crate::faults::{Fault, FaultSet};
use crate::protocol::{ProtocolVersion, RpcError};
use crate::world::{self, COUNTER_URI, TOGGLED_NAME, TOGGLED_URI};

/// How many `ref://items/N` there are.
pub const ITEM_COUNT: u32 = 120;
/// The largest `ref://bytes/{size}`.
pub const MAX_BYTES: u32 = 4096;
/// `ttlMs` of the 2026-07-28 list results (lists change only with `toggle`,
/// which is announced).
pub const LIST_TTL_MS: u64 = 60_000;
/// `ttlMs` of reads of resources that never change.
pub const READ_TTL_MS: u64 = 300_000;

/// A 1×1 transparent PNG.
pub const LOGO_PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// What the `read-blob-not-base64` fault puts in `blob`.
const NOT_BASE64: &str = "this is *not* base64!";

const ITEMS_PREFIX: &str = "ref://items/";
const BYTES_PREFIX: &str = "ref://bytes/";
const GREETINGS_PREFIX: &str = "ref://greetings/";

/// A resource at a fixed URI.
pub(crate) struct Fixed {
    pub(crate) uri: &'static str,
    pub(crate) name: &'static str,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
    pub(crate) mime_type: &'static str,
}

const FIXED: &[Fixed] = &[
    Fixed {
        uri: "ref://readme",
        name: "readme",
        title: "Read me",
        description: "What the reference server's fixtures are for.",
        mime_type: "text/markdown",
    },
    Fixed {
        uri: "ref://logo",
        name: "logo",
        title: "Logo",
        description: "A 1x1 PNG image (binary contents, read as a Base64 blob).",
        mime_type: "image/png",
    },
    Fixed {
        uri: COUNTER_URI,
        name: "counter",
        title: "Counter",
        description: "How often the touch tool was called; subscribe to hear about changes.",
        mime_type: "text/plain",
    },
    Fixed {
        uri: "ref://slow-calls",
        name: "slow-calls",
        title: "Slow calls",
        description: "How many slow tool calls started, completed and were cancelled (JSON).",
        mime_type: "application/json",
    },
    Fixed {
        uri: BUNDLE_URI,
        name: "bundle",
        title: "Bundle",
        description: "One read, several contents (RESOURCES-004): a text note and the logo as a blob.",
        mime_type: "text/plain",
    },
];

/// A resource whose one read returns several content items (RESOURCES-004
/// allows it), each with its own URI: a client must take every item.
pub const BUNDLE_URI: &str = "ref://bundle";
/// How the `slow` calls of the reader's protocol version ended.
pub const SLOW_CALLS_URI: &str = "ref://slow-calls";
const BUNDLE_NOTE: &str = "This bundle also holds the logo, as the next item.";

/// The contents of [`BUNDLE_URI`]: a text item and a blob item (the blob
/// spoiled like every other by the `read-blob-not-base64` fault).
fn bundle_contents(faults: FaultSet) -> Vec<Value> {
    let note = json!({"uri": BUNDLE_URI, "mimeType": "text/plain", "text": BUNDLE_NOTE});
    [Some(note), contents("ref://logo", faults)].into_iter().flatten().collect()
}

const TOGGLED: Fixed = Fixed {
    uri: TOGGLED_URI,
    name: TOGGLED_NAME,
    title: "Toggled",
    description: "Present only while the toggle tool has switched it on.",
    mime_type: "text/plain",
};

const README: &str = "# mcp-reference-server fixtures\n\nResources: ref://readme, ref://logo, ref://counter \
(touch changes it), ref://slow-calls, ref://bundle (one read, several contents), ref://items/1 to ref://items/120, and the templates ref://items/{id}, \
ref://bytes/{size}, ref://greetings/{name}.\n";

fn entry(version: ProtocolVersion, uri: &str, name: &str, title: &str, description: &str, mime_type: &str) -> Value {
    let mut r = Map::new();
    r.insert("uri".into(), json!(uri));
    r.insert("name".into(), json!(name));
    if version.has_titles() {
        r.insert("title".into(), json!(title));
    }
    r.insert("description".into(), json!(description));
    r.insert("mimeType".into(), json!(mime_type));
    Value::Object(r)
}

fn describe(version: ProtocolVersion, f: &Fixed) -> Value {
    entry(version, f.uri, f.name, f.title, f.description, f.mime_type)
}

/// A resource listed with every kind of annotation (RESOURCES-015).
const ANNOTATED: Fixed = Fixed {
    uri: "ref://annotated",
    name: "annotated",
    title: "Annotated",
    description: "A note listed with annotations: audience, priority and (2025-06-18 on) lastModified.",
    mime_type: "text/plain",
};

/// `ANNOTATED`'s listing: its annotations as far as `version` has them
/// (`lastModified` came with 2025-06-18).
fn annotated(version: ProtocolVersion, faults: FaultSet) -> Value {
    let mut annotations = Map::new();
    annotations.insert("audience".into(), json!(["user", "assistant"]));
    annotations.insert("priority".into(), json!(0.5));
    if version >= ProtocolVersion::V2025_06_18 {
        let last_modified = if faults.contains(Fault::ResourceAnnotationsInvalid) { "last Tuesday" } else { "2026-01-12T15:00:58Z" };
        annotations.insert("lastModified".into(), json!(last_modified));
    }
    let mut entry = describe(version, &ANNOTATED);
    if let Some(fields) = entry.as_object_mut() {
        fields.insert("annotations".into(), Value::Object(annotations));
    }
    entry
}

/// What the `resource-uri-invalid` fault lists first: a space is not allowed in a URI.
const INVALID_URI: &str = "ref://not a uri";

/// Every resource `resources/list` lists now, in order (before paging).
pub fn list(version: ProtocolVersion, faults: FaultSet) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    if faults.contains(Fault::ResourceUriInvalid) {
        out.push(entry(version, INVALID_URI, "not-a-uri", "Not a URI", "Listed by the resource-uri-invalid fault.", "text/plain"));
    }
    out.extend(FIXED.iter().chain(conformance_fixtures::RESOURCES).map(|f| describe(version, f)));
    out.push(annotated(version, faults));
    out.extend((1..=ITEM_COUNT).map(|n| {
        entry(
            version,
            &format!("{ITEMS_PREFIX}{n}"),
            &format!("item-{n}"),
            &format!("Item {n}"),
            "One of the many items that make resources/list span several pages.",
            "text/plain",
        )
    }));
    out.push(describe(version, &crate::input_required_fixtures::RESOURCE));
    // Last, so that toggling it never shifts the pages before it.
    if world::world().toggled() {
        out.push(describe(version, &TOGGLED));
    }
    out
}

/// One resource template.
pub struct Template {
    /// The RFC 6570 template.
    pub uri_template: &'static str,
    /// Its one variable.
    pub variable: &'static str,
    name: &'static str,
    title: &'static str,
    description: &'static str,
    mime_type: &'static str,
}

/// The templates, in `resources/templates/list` order.
pub const TEMPLATES: &[Template] = &[
    Template {
        uri_template: "ref://items/{id}",
        variable: "id",
        name: "item",
        title: "Item by id",
        description: "The item with this id (1 to 120); ids can be completed.",
        mime_type: "text/plain",
    },
    Template {
        uri_template: "ref://bytes/{size}",
        variable: "size",
        name: "bytes",
        title: "Bytes",
        description: "A binary blob of size bytes (0 to 4096).",
        mime_type: "application/octet-stream",
    },
    Template {
        uri_template: "ref://greetings/{name}",
        variable: "name",
        name: "greeting",
        title: "Greeting",
        description: "A greeting for name (percent-encoded in the URI).",
        mime_type: "text/plain",
    },
    Template {
        uri_template: conformance_fixtures::TEMPLATE,
        variable: "id",
        name: "template-data",
        title: "Template data",
        description: "JSON naming the id (a fixture of the official conformance suite).",
        mime_type: "application/json",
    },
];

/// The `resources/templates/list` entries (before paging).
pub fn templates(version: ProtocolVersion, faults: FaultSet) -> Vec<Value> {
    TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut r = Map::new();
            let uri_template = if i == 0 && faults.contains(Fault::TemplateInvalid) {
                // An expression that never closes: not RFC 6570.
                "ref://items/{id"
            } else {
                t.uri_template
            };
            r.insert("uriTemplate".into(), json!(uri_template));
            r.insert("name".into(), json!(t.name));
            if version.has_titles() {
                r.insert("title".into(), json!(t.title));
            }
            r.insert("description".into(), json!(t.description));
            r.insert("mimeType".into(), json!(t.mime_type));
            Value::Object(r)
        })
        .collect()
}

/// A decimal number without sign or leading zeros, within `1..=max` (or
/// `0..=max` with `zero`).
fn number(text: &str, max: u32, zero: bool) -> Option<u32> {
    let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    let n: u32 = text.parse().ok().filter(|_| plain)?;
    (n <= max && (zero || n > 0)).then_some(n)
}

/// Percent-decodes a URI path segment as UTF-8 (`None` when malformed or
/// when it holds a `/`).
pub(crate) fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = segment.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'/' | b'?' | b'#' => return None,
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// What a URI resolves to.
pub(crate) enum Resolved {
    Text { mime_type: &'static str, text: String },
    Blob { mime_type: &'static str, bytes: Vec<u8> },
}

fn resolve(uri: &str) -> Option<Resolved> {
    let text = |mime_type: &'static str, text: String| Some(Resolved::Text { mime_type, text });
    match uri {
        "ref://readme" => return text("text/markdown", README.to_owned()),
        "ref://logo" => {
            let bytes = STANDARD.decode(LOGO_PNG_BASE64).ok()?;
            return Some(Resolved::Blob { mime_type: "image/png", bytes });
        }
        COUNTER_URI => return text("text/plain", format!("count: {}", world::world().counter())),
        // Read per version in `read`; here it only needs to exist.
        SLOW_CALLS_URI => return text("application/json", String::new()),
        // Its first item; a read returns them all (`bundle_contents`).
        BUNDLE_URI => return text("text/plain", BUNDLE_NOTE.to_owned()),
        "ref://annotated" => return text("text/plain", "This note is listed with annotations.".to_owned()),
        TOGGLED_URI if world::world().toggled() => return text("text/plain", "The toggled resource is here.".to_owned()),
        _ if uri.starts_with("test://") => return conformance_fixtures::resolve(uri),
        // Handshake era (2026-07-28 reads ask for a name first, see input_required_fixtures).
        crate::input_required_fixtures::RESOURCE_URI => return text("text/plain", crate::input_required_fixtures::stranger_greeting()),
        _ => {}
    }
    if let Some(id) = uri.strip_prefix(ITEMS_PREFIX) {
        let n = number(id, ITEM_COUNT, false)?;
        return text("text/plain", format!("Item {n}"));
    }
    if let Some(size) = uri.strip_prefix(BYTES_PREFIX) {
        let n = number(size, MAX_BYTES, true)?;
        let bytes = (0..n).map(|i| (i % 256) as u8).collect();
        return Some(Resolved::Blob {
            mime_type: "application/octet-stream",
            bytes,
        });
    }
    if let Some(name) = uri.strip_prefix(GREETINGS_PREFIX) {
        let name = percent_decode(name).filter(|n| !n.is_empty())?;
        return text("text/plain", format!("Hello, {name}!"));
    }
    None
}

/// Whether `uri` names a resource (listed or resolved by a template).
pub fn exists(uri: &str) -> bool {
    resolve(uri).is_some()
}

/// The `ttlMs` of a read of `uri` (2026-07-28).
pub fn read_ttl_ms(uri: &str) -> u64 {
    if uri == COUNTER_URI || uri == SLOW_CALLS_URI || uri == TOGGLED_URI {
        0
    } else {
        READ_TTL_MS
    }
}

/// The `ResourceContents` of `uri`, one item; `None` when it does not exist.
pub fn contents(uri: &str, faults: FaultSet) -> Option<Value> {
    Some(match resolve(uri)? {
        Resolved::Text { mime_type, text } => json!({"uri": uri, "mimeType": mime_type, "text": text}),
        Resolved::Blob { mime_type, bytes } => {
            let blob = if faults.contains(Fault::ReadBlobNotBase64) {
                NOT_BASE64.to_owned()
            } else {
                STANDARD.encode(bytes)
            };
            json!({"uri": uri, "mimeType": mime_type, "blob": blob})
        }
    })
}

/// The `uri` of a `resources/read` (or subscribe) request's `params`.
pub fn uri_param(params: &Map<String, Value>) -> Result<&str, RpcError> {
    match params.get("uri") {
        Some(Value::String(uri)) => Ok(uri),
        Some(_) => Err(RpcError::invalid_params("\"uri\" must be a string")),
        None => Err(RpcError::invalid_params("a \"uri\" is required")),
    }
}

/// `resources/read`: the result (without 2026-07-28 decoration) or the
/// not-found error of `version`.
pub fn read(version: ProtocolVersion, faults: FaultSet, params: &Map<String, Value>) -> Result<Map<String, Value>, RpcError> {
    let uri = uri_param(params)?;
    if uri == BROKEN_URI {
        return Err(broken_read(faults));
    }
    let mut result = Map::new();
    if uri == BUNDLE_URI {
        result.insert("contents".into(), Value::Array(bundle_contents(faults)));
        return Ok(result);
    }
    if uri == SLOW_CALLS_URI {
        // The counts of the reader's own version (see `World::slow_calls`).
        let text = world::world().slow_calls(version).to_string();
        result.insert("contents".into(), json!([{"uri": uri, "mimeType": "application/json", "text": text}]));
        return Ok(result);
    }
    match contents(uri, faults) {
        Some(item) => {
            result.insert("contents".into(), json!([item]));
        }
        None if faults.contains(Fault::ResourceNotFoundEmptyContents) => {
            result.insert("contents".into(), json!([]));
        }
        None if faults.contains(Fault::ResourceUriUnvalidated) => {
            let made_up = json!({"uri": uri, "mimeType": "text/plain", "text": "Served without looking at the URI."});
            result.insert("contents".into(), json!([made_up]));
        }
        None => {
            let code = match (version.resource_not_found_code(), faults.contains(Fault::ResourceNotFoundWrongCode)) {
                (c, false) => c,
                (crate::protocol::code::RESOURCE_NOT_FOUND, true) => crate::protocol::code::INVALID_PARAMS,
                (_, true) => crate::protocol::code::RESOURCE_NOT_FOUND,
            };
            return Err(RpcError::resource_not_found(code, uri));
        }
    }
    Ok(result)
}

/// A resource whose every read fails inside the server (the
/// `failing-resource` fixture role): never listed, never found missing.
pub const BROKEN_URI: &str = "ref://broken";

/// The error a read of [`BROKEN_URI`] gets: -32603 (RESOURCES-007), or the
/// generic -32000 with the `resource-internal-error-wrong-code` fault.
fn broken_read(faults: FaultSet) -> RpcError {
    let detail = "the backing store of ref://broken is unavailable (a fixture that always fails)";
    if faults.contains(Fault::ResourceInternalErrorWrongCode) {
        RpcError::new(-32000, format!("Server error: {detail}"))
    } else {
        RpcError::internal(detail)
    }
}

/// Completion candidates for `variable` of the template `uri_template`;
/// `None` when there is no such template or variable.
pub fn completion_candidates(uri_template: &str, variable: &str) -> Option<Vec<String>> {
    let template = TEMPLATES.iter().find(|t| t.uri_template == uri_template && t.variable == variable)?;
    Some(match template.variable {
        "id" if template.uri_template == conformance_fixtures::TEMPLATE => conformance_fixtures::template_ids(),
        "id" => item_ids(),
        "size" => ["0", "1", "16", "256", "1024", "4096"].map(String::from).to_vec(),
        _ => ["Ada", "Alan", "Barbara", "Grace", "Edsger", "Ken", "Margaret"].map(String::from).to_vec(),
    })
}

/// `"1"` … `"120"`.
pub fn item_ids() -> Vec<String> {
    (1..=ITEM_COUNT).map(|n| n.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn read_uri(version: ProtocolVersion, faults: FaultSet, uri: &str) -> Result<Map<String, Value>, RpcError> {
        read(version, faults, json!({"uri": uri}).as_object().unwrap())
    }

    #[test]
    fn listed_resources_and_templates_resolve() {
        let listed = list(ProtocolVersion::V2025_06_18, FaultSet::NONE);
        assert!(listed.len() >= ITEM_COUNT as usize + FIXED.len());
        for r in &listed {
            let uri = r["uri"].as_str().unwrap();
            assert!(exists(uri), "{uri}");
            assert!(r["title"].is_string());
        }
        assert!(list(ProtocolVersion::V2024_11_05, FaultSet::NONE)[0].get("title").is_none());
        for uri in ["ref://items/1", "ref://items/120", "ref://bytes/0", "ref://bytes/4096", "ref://greetings/Ada%20L."] {
            assert!(exists(uri), "{uri}");
        }
        for uri in [
            "ref://items/0",
            "ref://items/121",
            "ref://items/01",
            "ref://items/+1",
            "ref://items/",
            "ref://bytes/4097",
            "ref://greetings/",
            "ref://greetings/a/b",
            "ref://greetings/%zz",
            "ref://greetings/%ff",
            "ref://nothing",
            "",
        ] {
            assert!(!exists(uri), "{uri}");
        }
        let g = contents("ref://greetings/Ada%20Lovelace", FaultSet::NONE).unwrap();
        assert_eq!(g["text"], "Hello, Ada Lovelace!");
    }

    #[test]
    fn the_invalid_uri_fault_lists_a_uri_with_a_space() {
        let listed = list(ProtocolVersion::V2025_06_18, FaultSet::only(Fault::ResourceUriInvalid));
        assert_eq!(listed[0]["uri"], INVALID_URI);
        assert!(!exists(INVALID_URI));
    }

    #[test]
    fn blobs_are_base64_unless_the_fault_says_otherwise() {
        let logo = contents("ref://logo", FaultSet::NONE).unwrap();
        let bytes = STANDARD.decode(logo["blob"].as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let blob = contents("ref://bytes/300", FaultSet::NONE).unwrap();
        let bytes = STANDARD.decode(blob["blob"].as_str().unwrap()).unwrap();
        assert_eq!((bytes.len(), bytes[257]), (300, 1));
        assert!(logo.get("text").is_none());
        let bad = contents("ref://logo", FaultSet::only(Fault::ReadBlobNotBase64)).unwrap();
        assert!(STANDARD.decode(bad["blob"].as_str().unwrap()).is_err());
    }

    #[test]
    fn not_found_codes_follow_the_era() {
        let legacy = read_uri(ProtocolVersion::V2025_11_25, FaultSet::NONE, "ref://nothing").unwrap_err();
        assert_eq!((legacy.code, legacy.data.unwrap()["uri"].clone()), (-32002, json!("ref://nothing")));
        let modern = read_uri(ProtocolVersion::V2026_07_28, FaultSet::NONE, "ref://nothing").unwrap_err();
        assert_eq!(modern.code, code::INVALID_PARAMS);
        let wrong = FaultSet::only(Fault::ResourceNotFoundWrongCode);
        assert_eq!(read_uri(ProtocolVersion::V2024_11_05, wrong, "x").unwrap_err().code, code::INVALID_PARAMS);
        assert_eq!(read_uri(ProtocolVersion::V2026_07_28, wrong, "x").unwrap_err().code, -32002);
        let empty = read_uri(ProtocolVersion::V2026_07_28, FaultSet::only(Fault::ResourceNotFoundEmptyContents), "x").unwrap();
        assert_eq!(empty["contents"], json!([]));
        let e = read(ProtocolVersion::V2026_07_28, FaultSet::NONE, &Map::new()).unwrap_err();
        assert_eq!(e.code, code::INVALID_PARAMS);
    }

    #[test]
    fn templates_and_their_fault() {
        let t = templates(ProtocolVersion::V2025_06_18, FaultSet::NONE);
        assert_eq!(t.len(), TEMPLATES.len());
        assert_eq!(t[0]["uriTemplate"], "ref://items/{id}");
        let bad = templates(ProtocolVersion::V2025_06_18, FaultSet::only(Fault::TemplateInvalid));
        assert_eq!(bad[0]["uriTemplate"], "ref://items/{id");
        assert_eq!(completion_candidates("ref://items/{id}", "id").unwrap().len(), ITEM_COUNT as usize);
        assert!(completion_candidates("ref://items/{id}", "size").is_none());
        assert!(completion_candidates("ref://nope/{id}", "id").is_none());
    }
}
