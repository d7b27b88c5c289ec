//! The changes between two snapshots, each classified by what it does to a
//! client written against the old surface.
//!
//! The rules, in short:
//!
//! * **Breaking**: a tool, prompt, resource or template removed; a
//!   protocol version dropped; a capability removed or turned off; a tool
//!   input narrowed (a parameter removed or newly required, a type, enum,
//!   bound, pattern or format that now refuses values it accepted); a tool
//!   output widened (an output field removed or no longer required, a type
//!   or enum that now allows values it did not, the `outputSchema` dropped);
//!   a prompt argument removed or newly required.
//! * **Additive**: new items, versions and capabilities; a new optional
//!   parameter or prompt argument; an input widened; an output narrowed
//!   (a new output field, a field newly guaranteed).
//! * **Cosmetic**: titles, descriptions, icons, the server's name, schema
//!   annotations (`description`, `default`, `examples`, ...).
//! * **Needs review**: every other change, among them JSON Schema keywords
//!   whose effect cannot be judged by looking at them alone (`anyOf`,
//!   `oneOf`, `allOf`, `not`, `$ref`, `$defs`, conditionals, a `pattern`
//!   replaced by another), tool annotations (a tool no longer read-only
//!   changes how clients treat it), a MIME type. Such a change is never
//!   taken for additive: it fails the gate like a breaking one until
//!   someone accepts it with `--update`.
//!
//! Inputs and outputs are mirror images: what narrows an input breaks the
//! clients that send it, what widens an output breaks the clients that read it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::snapshot::{Snapshot, VersionSurface};

/// What a change means for clients, and one change: the run record's types
/// (`surface` in `run.json`), so the comparison fills it as it is.
pub use reports::surface::{ChangeClass as Class, SurfaceChange as Change};

/// Every change from `old` to `new`, the ones shared by several versions
/// merged, sorted by class then path.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut found = Found::default();
    if old.server.name != new.server.name {
        let name = |name: &Option<String>| name.as_deref().map_or_else(|| "(none)".to_string(), |n| format!("`{n}`"));
        found.push("", Class::Cosmetic, "server/name".into(), format!("server name {} → {}", name(&old.server.name), name(&new.server.name)));
    }
    if let (Some(before), Some(after)) = (&old.server.version, &new.server.version) {
        if before != after {
            found.push("", Class::Cosmetic, "server/version".into(), format!("server version {before} → {after}"));
        }
    }
    for (version, before) in &old.versions {
        match new.versions.get(version) {
            Some(after) => surface(&mut found, version, before, after),
            None => found.push("", Class::Breaking, format!("versions/{version}"), format!("protocol version {version} no longer supported")),
        }
    }
    for version in new.versions.keys().filter(|v| !old.versions.contains_key(*v)) {
        found.push("", Class::Additive, format!("versions/{version}"), format!("protocol version {version} now supported"));
    }
    found.into_changes()
}

/// Changes collected per version, merged when identical.
#[derive(Default)]
struct Found {
    changes: BTreeMap<(Class, String, String), Vec<String>>,
}

impl Found {
    fn push(&mut self, version: &str, class: Class, path: String, what: String) {
        let versions = self.changes.entry((class, path, what)).or_default();
        if !version.is_empty() && versions.last().map(String::as_str) != Some(version) {
            versions.push(version.to_string());
        }
    }

    fn into_changes(self) -> Vec<Change> {
        self.changes.into_iter().map(|((class, path, what), versions)| Change { class, path, what, versions }).collect()
    }
}

/// A path segment: quoted when it holds a `/` (resource URIs), so the path stays readable.
fn segment(name: &str) -> String {
    if name.contains('/') {
        format!("{name:?}")
    } else {
        name.to_string()
    }
}

/// One list of a surface, by key (absent when its capability is not declared).
type Items = Option<BTreeMap<String, Value>>;

/// One version's changes.
fn surface(found: &mut Found, version: &str, old: &VersionSurface, new: &VersionSurface) {
    let mut at = At { found, version };
    capabilities(&mut at, "capabilities", &old.capabilities, &new.capabilities);
    let lists: [(&str, &Items, &Items, ItemKind); 4] = [
        ("tools", &old.tools, &new.tools, ItemKind::Tool),
        ("prompts", &old.prompts, &new.prompts, ItemKind::Prompt),
        ("resources", &old.resources, &new.resources, ItemKind::Resource),
        ("resourceTemplates", &old.resource_templates, &new.resource_templates, ItemKind::Resource),
    ];
    let empty = BTreeMap::new();
    for (list, before, after, kind) in lists {
        let (before, after) = (before.as_ref().unwrap_or(&empty), after.as_ref().unwrap_or(&empty));
        for (name, item) in before {
            let path = format!("{list}/{}", segment(name));
            match after.get(name) {
                Some(now) => kind.compare(&mut at, &path, item, now),
                None => at.push(Class::Breaking, path, format!("{} `{name}` removed", kind.noun(list))),
            }
        }
        for name in after.keys().filter(|n| !before.contains_key(*n)) {
            at.push(Class::Additive, format!("{list}/{}", segment(name)), format!("new {} `{name}`", kind.noun(list)));
        }
    }
}

/// Where changes go: the collection, for one version.
struct At<'a> {
    found: &'a mut Found,
    version: &'a str,
}

impl At<'_> {
    fn push(&mut self, class: Class, path: String, what: String) {
        self.found.push(self.version, class, path, what);
    }
}

/// Capabilities: a member removed or turned off breaks, one added adds.
fn capabilities(at: &mut At, path: &str, old: &Value, new: &Value) {
    match (old, new) {
        (Value::Object(before), Value::Object(after)) => {
            for (key, value) in before {
                let here = format!("{path}/{key}");
                match after.get(key) {
                    Some(now) => capabilities(at, &here, value, now),
                    None if value == &Value::Bool(false) => {}
                    None => at.push(Class::Breaking, here, format!("capability `{key}` removed")),
                }
            }
            for (key, value) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
                if value != &Value::Bool(false) {
                    at.push(Class::Additive, format!("{path}/{key}"), format!("new capability `{key}`"));
                }
            }
        }
        _ if old == new => {}
        (Value::Bool(true), Value::Bool(false)) => at.push(Class::Breaking, path.into(), "capability turned off".into()),
        (Value::Bool(false), Value::Bool(true)) => at.push(Class::Additive, path.into(), "capability turned on".into()),
        _ => at.push(Class::NeedsReview, path.into(), format!("capability value {old} → {new}")),
    }
}

/// The kinds of listed items, each with its own fields.
#[derive(Clone, Copy)]
enum ItemKind {
    Tool,
    Prompt,
    /// Resources and resource templates.
    Resource,
}

/// Fields that are wording only, wherever they appear.
const COSMETIC_FIELDS: &[&str] = &["title", "description", "icons"];

impl ItemKind {
    fn noun(self, list: &str) -> &'static str {
        match (self, list) {
            (ItemKind::Tool, _) => "tool",
            (ItemKind::Prompt, _) => "prompt",
            (ItemKind::Resource, "resourceTemplates") => "resource template",
            (ItemKind::Resource, _) => "resource",
        }
    }

    fn compare(self, at: &mut At, path: &str, old: &Value, new: &Value) {
        if old == new {
            return;
        }
        let empty = serde_json::Map::new();
        let before = old.as_object().unwrap_or(&empty);
        let after = new.as_object().unwrap_or(&empty);
        let fields: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for field in fields {
            let (was, is) = (before.get(field.as_str()), after.get(field.as_str()));
            if was == is {
                continue;
            }
            let here = format!("{path}/{field}");
            match (self, field.as_str()) {
                (_, f) if COSMETIC_FIELDS.contains(&f) => at.push(Class::Cosmetic, here, format!("{f} changed")),
                (ItemKind::Tool, "inputSchema") => {
                    schema(at, &here, was.unwrap_or(&Value::Bool(true)), is.unwrap_or(&Value::Bool(true)), Flow::Input)
                }
                (ItemKind::Tool, "outputSchema") => match (was, is) {
                    (Some(before), Some(after)) => schema(at, &here, before, after, Flow::Output),
                    (None, _) => at.push(Class::Additive, here, "now declares an outputSchema".into()),
                    (_, None) => at.push(Class::Breaking, here, "no longer declares its outputSchema".into()),
                },
                (ItemKind::Tool, "annotations") => annotations(at, &here, was, is),
                (ItemKind::Prompt, "arguments") => prompt_arguments(at, &here, was, is),
                (ItemKind::Resource, "annotations") => at.push(Class::Cosmetic, here, "annotations changed".into()),
                (_, f) => at.push(Class::NeedsReview, here, format!("`{f}` changed: {} → {}", shown(was), shown(is))),
            }
        }
    }
}

fn shown(value: Option<&Value>) -> String {
    let text = value.map_or_else(|| "(absent)".to_string(), Value::to_string);
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Tool annotations: the title is wording; the hints change how clients
/// treat the tool (ask before running it, retry it), so they need review.
fn annotations(at: &mut At, path: &str, old: Option<&Value>, new: Option<&Value>) {
    let empty = serde_json::Map::new();
    let before = old.and_then(Value::as_object).unwrap_or(&empty);
    let after = new.and_then(Value::as_object).unwrap_or(&empty);
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (was, is) = (before.get(key.as_str()), after.get(key.as_str()));
        if was != is {
            let class = if key == "title" { Class::Cosmetic } else { Class::NeedsReview };
            at.push(class, format!("{path}/{key}"), format!("{key}: {} → {}", shown(was), shown(is)));
        }
    }
}

/// Prompt arguments, by name: one removed or newly required breaks.
fn prompt_arguments(at: &mut At, path: &str, old: Option<&Value>, new: Option<&Value>) {
    let by_name = |list: Option<&Value>| -> BTreeMap<String, Value> {
        let items = list.and_then(Value::as_array).cloned().unwrap_or_default();
        items.into_iter().filter_map(|a| Some((a.get("name")?.as_str()?.to_string(), a))).collect()
    };
    let (before, after) = (by_name(old), by_name(new));
    let required = |argument: &Value| argument.get("required").and_then(Value::as_bool).unwrap_or(false);
    for (name, argument) in &before {
        let here = format!("{path}/{}", segment(name));
        let Some(now) = after.get(name) else {
            at.push(Class::Breaking, here, format!("argument `{name}` removed"));
            continue;
        };
        match (required(argument), required(now)) {
            (false, true) => at.push(Class::Breaking, format!("{here}/required"), format!("argument `{name}` newly required")),
            (true, false) => at.push(Class::Additive, format!("{here}/required"), format!("argument `{name}` no longer required")),
            _ => {}
        }
        let fields: BTreeSet<&String> = argument.as_object().into_iter().chain(now.as_object()).flat_map(|m| m.keys()).collect();
        for field in fields.into_iter().filter(|f| *f != "required" && *f != "name") {
            if argument.get(field.as_str()) != now.get(field.as_str()) {
                let class = if COSMETIC_FIELDS.contains(&field.as_str()) { Class::Cosmetic } else { Class::NeedsReview };
                at.push(class, format!("{here}/{field}"), format!("argument `{name}`: {field} changed"));
            }
        }
    }
    for (name, argument) in after.iter().filter(|(n, _)| !before.contains_key(*n)) {
        let (class, what) = if required(argument) { (Class::Breaking, "new required") } else { (Class::Additive, "new optional") };
        at.push(class, format!("{path}/{}", segment(name)), format!("{what} argument `{name}`"));
    }
}

/// Which way data flows through a schema.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Clients send it (a tool's `inputSchema`): narrowing breaks them.
    Input,
    /// Clients read it (a tool's `outputSchema`): widening breaks them.
    Output,
}

impl Flow {
    fn narrowed(self) -> Class {
        match self {
            Flow::Input => Class::Breaking,
            Flow::Output => Class::Additive,
        }
    }

    fn widened(self) -> Class {
        match self {
            Flow::Input => Class::Additive,
            Flow::Output => Class::Breaking,
        }
    }
}

/// Keywords that describe a schema without constraining it.
const ANNOTATION_KEYWORDS: &[&str] = &["title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"];
/// Keywords that set a lower bound: raising it narrows.
const LOWER_BOUNDS: &[&str] = &["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"];
/// Keywords that set an upper bound: lowering it narrows.
const UPPER_BOUNDS: &[&str] = &["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"];
/// Keywords that only restrict when present; replaced by another value, their effect is unknown.
const RESTRICTIONS: &[&str] = &["pattern", "format", "multipleOf"];

/// Compare two JSON Schemas of data flowing `flow`.
fn schema(at: &mut At, path: &str, old: &Value, new: &Value, flow: Flow) {
    // `{}` admits everything, as `true` does.
    let anything = Value::Bool(true);
    let plain = |schema: &'_ Value| schema.as_object().is_some_and(|o| o.is_empty());
    let (old, new) = (if plain(old) { &anything } else { old }, if plain(new) { &anything } else { new });
    if old == new {
        return;
    }
    let (before, after) = match (old, new) {
        (Value::Object(before), Value::Object(after)) => (before, after),
        (Value::Bool(true), _) | (_, Value::Bool(false)) => return at.push(flow.narrowed(), path.into(), "schema now restricts what it allowed".into()),
        (Value::Bool(false), _) | (_, Value::Bool(true)) => return at.push(flow.widened(), path.into(), "schema now allows more".into()),
        _ => return at.push(Class::NeedsReview, path.into(), "schema replaced by a non-schema".into()),
    };
    let keywords: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for keyword in keywords {
        let key = keyword.as_str();
        let (was, is) = (before.get(key), after.get(key));
        if was == is {
            continue;
        }
        let here = format!("{path}/{key}");
        match key {
            "type" => types(at, &here, was, is, flow),
            // `const` is an enum of one; both are compared as one set.
            "enum" | "const" => {
                if key == "const" && (before.contains_key("enum") || after.contains_key("enum")) {
                    at.push(Class::NeedsReview, here, "const changed beside an enum".into());
                } else {
                    allowed_values(at, path, before, after, flow);
                }
            }
            "required" => required(at, &here, was, is, after, flow),
            "properties" => properties(at, &here, was, is, after, flow),
            "additionalProperties" => {
                schema(at, &here, was.unwrap_or(&Value::Bool(true)), is.unwrap_or(&Value::Bool(true)), flow)
            }
            "items" => match (was, is) {
                (Some(w @ (Value::Object(_) | Value::Bool(_))), Some(i @ (Value::Object(_) | Value::Bool(_)))) => schema(at, &here, w, i, flow),
                (None, Some(Value::Object(_) | Value::Bool(_))) => at.push(flow.narrowed(), here, "items now constrained".into()),
                (Some(Value::Object(_) | Value::Bool(_)), None) => at.push(flow.widened(), here, "items no longer constrained".into()),
                _ => at.push(Class::NeedsReview, here, "items changed".into()),
            },
            "uniqueItems" => {
                let on = |v: Option<&Value>| v == Some(&Value::Bool(true));
                let class = if on(is) { flow.narrowed() } else { flow.widened() };
                at.push(class, here, format!("uniqueItems {} → {}", shown(was), shown(is)));
            }
            k if ANNOTATION_KEYWORDS.contains(&k) => at.push(Class::Cosmetic, here, format!("{k} changed")),
            k if LOWER_BOUNDS.contains(&k) => bound(at, &here, was, is, flow, true),
            k if UPPER_BOUNDS.contains(&k) => bound(at, &here, was, is, flow, false),
            k if RESTRICTIONS.contains(&k) => match (was, is) {
                (None, Some(v)) => at.push(flow.narrowed(), here, format!("{k} {v} added")),
                (Some(v), None) => at.push(flow.widened(), here, format!("{k} {v} removed")),
                _ => at.push(Class::NeedsReview, here, format!("{k} {} → {}", shown(was), shown(is))),
            },
            k => at.push(
                Class::NeedsReview,
                here,
                format!("`{k}` changed, which mcp-conform cannot classify: {} → {}", shown(was), shown(is)),
            ),
        }
    }
}

/// The JSON types a `type` keyword admits (`None`: any). `integer` is a
/// subset of `number`.
fn type_set(value: Option<&Value>) -> Option<BTreeSet<String>> {
    match value? {
        Value::String(t) => Some(BTreeSet::from([t.clone()])),
        Value::Array(list) => Some(list.iter().filter_map(Value::as_str).map(str::to_string).collect()),
        _ => None,
    }
}

fn admits(types: &BTreeSet<String>, t: &str) -> bool {
    types.contains(t) || (t == "integer" && types.contains("number"))
}

fn types(at: &mut At, path: &str, was: Option<&Value>, is: Option<&Value>, flow: Flow) {
    match (type_set(was), type_set(is)) {
        (None, None) => at.push(Class::NeedsReview, path.into(), format!("type {} → {}", shown(was), shown(is))),
        (None, Some(after)) => at.push(flow.narrowed(), path.into(), format!("type restricted to {}", join(&after))),
        (Some(before), None) => at.push(flow.widened(), path.into(), format!("type {} no longer restricted", join(&before))),
        (Some(before), Some(after)) => {
            let lost: BTreeSet<String> = before.iter().filter(|t| !admits(&after, t)).cloned().collect();
            let gained: BTreeSet<String> = after.iter().filter(|t| !admits(&before, t)).cloned().collect();
            if !lost.is_empty() {
                at.push(flow.narrowed(), path.into(), format!("type {} no longer allowed (now {})", join(&lost), join(&after)));
            }
            if !gained.is_empty() {
                at.push(flow.widened(), path.into(), format!("type {} now allowed (was {})", join(&gained), join(&before)));
            }
        }
    }
}

fn join(types: &BTreeSet<String>) -> String {
    types.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// `enum` and `const` as one set of allowed values (`None`: unrestricted).
fn allowed_values(at: &mut At, path: &str, before: &serde_json::Map<String, Value>, after: &serde_json::Map<String, Value>, flow: Flow) {
    let values = |schema: &serde_json::Map<String, Value>| -> Option<Vec<Value>> {
        match (schema.get("enum"), schema.get("const")) {
            (Some(Value::Array(list)), _) => Some(list.clone()),
            (_, Some(one)) => Some(vec![one.clone()]),
            _ => None,
        }
    };
    let key = if after.contains_key("enum") || before.contains_key("enum") { "enum" } else { "const" };
    let here = format!("{path}/{key}");
    match (values(before), values(after)) {
        (None, None) => {}
        (None, Some(_)) => at.push(flow.narrowed(), here, "values now restricted".into()),
        (Some(_), None) => at.push(flow.widened(), here, "values no longer restricted".into()),
        (Some(old), Some(new)) => {
            for value in old.iter().filter(|v| !new.contains(v)) {
                at.push(flow.narrowed(), format!("{here}/{}", value_segment(value)), format!("value {value} no longer allowed"));
            }
            for value in new.iter().filter(|v| !old.contains(v)) {
                at.push(flow.widened(), format!("{here}/{}", value_segment(value)), format!("value {value} now allowed"));
            }
        }
    }
}

fn value_segment(value: &Value) -> String {
    segment(&value.as_str().map_or_else(|| value.to_string(), str::to_string))
}

fn names(value: Option<&Value>) -> BTreeSet<String> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

/// `required`: a name newly required narrows (a parameter clients must now
/// send; an output field now always present), one no longer required widens.
fn required(at: &mut At, path: &str, was: Option<&Value>, is: Option<&Value>, after: &serde_json::Map<String, Value>, flow: Flow) {
    let (before, now) = (names(was), names(is));
    let properties = after.get("properties").and_then(Value::as_object);
    for name in now.difference(&before) {
        let what = match flow {
            Flow::Input if properties.is_some_and(|p| !p.contains_key(name)) => format!("`{name}` newly required"),
            Flow::Input => format!("parameter `{name}` newly required"),
            Flow::Output => format!("output field `{name}` now always present"),
        };
        at.push(flow.narrowed(), format!("{path}/{}", segment(name)), what);
    }
    for name in before.difference(&now) {
        // A property removed altogether is reported as removed, not here.
        if properties.is_some_and(|p| !p.contains_key(name)) {
            continue;
        }
        let what = match flow {
            Flow::Input => format!("parameter `{name}` no longer required"),
            Flow::Output => format!("output field `{name}` may now be absent"),
        };
        at.push(flow.widened(), format!("{path}/{}", segment(name)), what);
    }
}

/// `properties`: common ones compared in depth; one removed from an input
/// breaks (clients sending it are refused, or silently ignored), one
/// removed from an output breaks (clients reading it find nothing); one
/// added is additive either way, unless an input also requires it, which
/// `required` reports as breaking.
fn properties(
    at: &mut At,
    path: &str,
    was: Option<&Value>,
    is: Option<&Value>,
    after: &serde_json::Map<String, Value>,
    flow: Flow,
) {
    let empty = serde_json::Map::new();
    let before = was.and_then(Value::as_object).unwrap_or(&empty);
    let now = is.and_then(Value::as_object).unwrap_or(&empty);
    let required_now = names(after.get("required"));
    for (name, old) in before {
        let here = format!("{path}/{}", segment(name));
        match (now.get(name), flow) {
            (Some(new), _) => schema(at, &here, old, new, flow),
            (None, Flow::Input) => at.push(Class::Breaking, here, format!("parameter `{name}` removed")),
            (None, Flow::Output) => at.push(Class::Breaking, here, format!("output field `{name}` removed")),
        }
    }
    for name in now.keys().filter(|n| !before.contains_key(*n)) {
        let here = format!("{path}/{}", segment(name));
        match flow {
            Flow::Input if required_now.contains(name) => {}
            Flow::Input => at.push(Class::Additive, here, format!("new optional parameter `{name}`")),
            Flow::Output => at.push(Class::Additive, here, format!("new output field `{name}`")),
        }
    }
}

/// A numeric bound; `lower` bounds narrow when raised, upper ones when lowered.
fn bound(at: &mut At, path: &str, was: Option<&Value>, is: Option<&Value>, flow: Flow, lower: bool) {
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    let (old, new) = (number(was), number(is));
    let narrowed = match (was.is_some(), is.is_some(), old, new) {
        (false, true, _, Some(_)) => true,
        (true, false, Some(_), _) => false,
        (true, true, Some(o), Some(n)) => (n > o) == lower,
        _ => return at.push(Class::NeedsReview, path.into(), format!("bound {} → {}", shown(was), shown(is))),
    };
    let class = if narrowed { flow.narrowed() } else { flow.widened() };
    at.push(class, path.into(), format!("bound {} → {}", shown(was), shown(is)));
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
