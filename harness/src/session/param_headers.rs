//! `x-mcp-header` (2026-07-28, Streamable HTTP): tool arguments a server
//! asks clients to mirror into `Mcp-Param-{Name}` headers.
//!
//! [`annotations`] reads them from a tool's `inputSchema` and says what is
//! wrong with any of them (HTTP-029); [`headers`] turns a call's arguments
//! into the headers a conforming client sends (§Client Behavior, §Value
//! Encoding).

use serde_json::{Map, Value};

use super::stateless::header_value;

/// The schema keyword naming the header.
pub const KEYWORD: &str = "x-mcp-header";
/// What every mirrored header's name starts with.
pub const HEADER_PREFIX: &str = "Mcp-Param-";

/// One usable annotation: the property path (a chain of `properties` keys)
/// and the name portion of its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Property names from the root of the arguments.
    pub path: Vec<String>,
    /// The `{Name}` of `Mcp-Param-{Name}`.
    pub name: String,
    /// The property's declared type: `string`, `integer` or `boolean`.
    pub kind: String,
}

impl Annotation {
    /// The whole header name.
    pub fn header(&self) -> String {
        format!("{HEADER_PREFIX}{}", self.name)
    }

    /// The argument value at the annotation's path, if any.
    pub fn value_in<'a>(&self, arguments: &'a Value) -> Option<&'a Value> {
        self.path.iter().try_fold(arguments, |value, key| value.get(key))
    }
}

/// What a tool's `inputSchema` says about mirrored headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// The annotations a client can mirror.
    pub usable: Vec<Annotation>,
    /// Each violation of the constraints on `x-mcp-header` (HTTP-029), as
    /// one line naming where it is.
    pub problems: Vec<String>,
}

/// Keywords whose values are data, not schemas: an `x-mcp-header` key
/// inside them is no annotation.
const DATA_KEYWORDS: &[&str] = &["const", "enum", "default", "examples", "required"];

/// RFC 9110 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Reads every `x-mcp-header` of `schema`.
pub fn annotations(schema: &Value) -> Annotations {
    let mut found = Annotations::default();
    let mut seen: Vec<String> = Vec::new();
    walk(schema, &mut Vec::new(), true, &mut found, &mut seen);
    found
}

/// `path` is where `schema` sits (property names while `reachable`, JSON
/// pointer steps otherwise); `reachable` holds while the chain from the
/// root is made of `properties` keys only.
fn walk(schema: &Value, path: &mut Vec<String>, reachable: bool, found: &mut Annotations, seen: &mut Vec<String>) {
    let Value::Object(map) = schema else {
        if let Value::Array(items) = schema {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                walk(item, path, false, found, seen);
                path.pop();
            }
        }
        return;
    };
    if let Some(value) = map.get(KEYWORD) {
        judge(map, value, path, reachable, found, seen);
    }
    for (key, child) in map {
        if key == KEYWORD || DATA_KEYWORDS.contains(&key.as_str()) {
            continue;
        }
        if key == "properties" {
            for (name, property) in child.as_object().into_iter().flatten() {
                path.push(name.clone());
                walk(property, path, reachable, found, seen);
                path.pop();
            }
            continue;
        }
        path.push(key.clone());
        walk(child, path, false, found, seen);
        path.pop();
    }
}

fn judge(schema: &Map<String, Value>, value: &Value, path: &[String], reachable: bool, found: &mut Annotations, seen: &mut Vec<String>) {
    let place = if path.is_empty() { "the schema root".to_string() } else { format!("`{}`", path.join(".")) };
    let problems_before = found.problems.len();
    let Some(name) = value.as_str() else {
        found.problems.push(format!("{place}: `{KEYWORD}` is {value}, not a string"));
        return;
    };
    if name.is_empty() {
        found.problems.push(format!("{place}: `{KEYWORD}` is empty"));
    } else if name.chars().any(char::is_control) {
        found.problems.push(format!("{place}: `{KEYWORD}` {name:?} holds a control character"));
    } else if !name.chars().all(is_tchar) {
        found.problems.push(format!("{place}: `{KEYWORD}` {name:?} is not an RFC 9110 token (1*tchar)"));
    }
    if !reachable || path.is_empty() {
        found.problems.push(format!(
            "{place}: `{KEYWORD}` sits where no chain of `properties` keys from the root leads (through items, $ref, composition or conditions)"
        ));
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or_default();
    if !matches!(kind, "string" | "integer" | "boolean") {
        let declared = schema.get("type").map_or("no type".to_string(), |t| format!("type {t}"));
        found.problems.push(format!("{place}: `{KEYWORD}` {name:?} is on a property of {declared}, not integer, string or boolean"));
    }
    if seen.iter().any(|other| other.eq_ignore_ascii_case(name)) {
        found.problems.push(format!("{place}: `{KEYWORD}` {name:?} repeats another annotation's name (ignoring case)"));
    }
    seen.push(name.to_string());
    if found.problems.len() == problems_before {
        found.usable.push(Annotation { path: path.to_vec(), name: name.to_string(), kind: kind.to_string() });
    }
}

/// The header text of an argument value, or `None` when no header is sent
/// (null, or not a value the header can carry).
pub fn encode(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(header_value(s)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Some(i.to_string()),
            (_, Some(u), _) => Some(u.to_string()),
            // 42.0 is the integer 42 in JSON Schema; a client writes it as such.
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => Some(format!("{}", f as i64)),
            _ => Some(n.to_string()),
        },
        _ => None,
    }
}

/// The `Mcp-Param-*` headers a client sends for `arguments`.
pub fn headers(annotations: &[Annotation], arguments: &Value) -> Vec<(String, String)> {
    annotations
        .iter()
        .filter_map(|a| Some((a.header(), encode(a.value_in(arguments)?)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn region_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "limits": {"type": "object", "properties": {"max": {"type": "integer", "x-mcp-header": "Max"}}},
                "query": {"type": "string"}
            }
        })
    }

    #[test]
    fn valid_annotations_are_read_with_their_paths() {
        let found = annotations(&region_schema());
        assert_eq!(found.problems, Vec::<String>::new());
        let paths: Vec<_> = found.usable.iter().map(|a| (a.path.join("."), a.header())).collect();
        assert_eq!(paths, [("region".to_string(), "Mcp-Param-Region".to_string()), ("limits.max".to_string(), "Mcp-Param-Max".to_string())]);
    }

    #[test]
    fn headers_follow_the_value_encoding() {
        let found = annotations(&region_schema()).usable;
        let sent = headers(&found, &json!({"region": "Hello, 世界", "limits": {"max": 42.0}, "query": "x"}));
        let expected = [("Mcp-Param-Region", "=?base64?SGVsbG8sIOS4lueVjA==?="), ("Mcp-Param-Max", "42")].map(|(n, v)| (n.to_string(), v.to_string()));
        assert_eq!(sent, expected);
        assert!(headers(&found, &json!({"region": null})).is_empty());
        assert_eq!(encode(&json!(true)), Some("true".into()));
        assert_eq!(encode(&json!("=?base64?literal?=")), Some("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=".into()));
    }

    #[test]
    fn every_constraint_is_judged() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "x-mcp-header": "Tenant"},
                "b": {"type": "string", "x-mcp-header": "tenant"},
                "c": {"type": "number", "x-mcp-header": "Ratio"},
                "d": {"type": "string", "x-mcp-header": ""},
                "e": {"type": "string", "x-mcp-header": "Bad Name"},
                "f": {"type": "string", "x-mcp-header": "Line\nBreak"},
                "g": {"type": "array", "items": {"type": "string", "x-mcp-header": "Item"}},
                "h": {"anyOf": [{"type": "string", "x-mcp-header": "Either"}]}
            },
            "$defs": {"x": {"type": "string", "x-mcp-header": "Defined"}}
        });
        let found = annotations(&schema);
        assert_eq!(found.usable.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Tenant"]);
        let all = found.problems.join("\n");
        for expected in ["repeats", "type \"number\"", "is empty", "not an RFC 9110 token", "control character", "`g.items`", "`h.anyOf.0`", "`$defs.x`"] {
            assert!(all.contains(expected), "{expected} missing from:\n{all}");
        }
    }

    #[test]
    fn property_names_and_data_are_not_annotations() {
        let schema = json!({
            "type": "object",
            "properties": {"x-mcp-header": {"type": "string"}},
            "default": {"x-mcp-header": 5},
            "examples": [{"x-mcp-header": "Example"}]
        });
        assert_eq!(annotations(&schema), Annotations::default());
    }
}
