//! What a prompt message's content must hold beyond its schema shape:
//! images and audio as Base64 with a MIME type (PROMPTS-005), embedded
//! resources with a URI, a MIME type and a `text` or Base64 `blob` body
//! (PROMPTS-006), and annotations within range (RESOURCES-015).
//!
//! Each function returns the problems it finds as plain sentences; the
//! checks that call it turn them into findings.

use base64::Engine;
use serde_json::Value;

use super::resources::{uri_syntax, BASE64};

/// A problem with one content block: the requirement it breaks and why.
pub struct Problem {
    /// The requirement ID.
    pub requirement: &'static str,
    /// What is wrong.
    pub why: String,
}

fn problem(requirement: &'static str, why: String) -> Problem {
    Problem { requirement, why }
}

/// Whether the block is one this module judges (image, audio, embedded resource).
pub fn is_media_or_resource(block: &Value) -> bool {
    matches!(block.get("type").and_then(Value::as_str), Some("image" | "audio" | "resource"))
}

/// The problems of one content block of a prompt message.
pub fn block_problems(block: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    match block.get("type").and_then(Value::as_str) {
        Some(kind @ ("image" | "audio")) => {
            if let Some(why) = base64_problem(block.get("data")) {
                problems.push(problem("PROMPTS-005", format!("the {kind}'s data {why}")));
            }
            if let Some(why) = mime_type_problem(block.get("mimeType")) {
                problems.push(problem("PROMPTS-005", format!("the {kind}'s mimeType {why}")));
            }
        }
        Some("resource") => {
            let resource = block.get("resource").unwrap_or(&Value::Null);
            problems.extend(embedded_resource_problems(resource).into_iter().map(|why| problem("PROMPTS-006", why)));
            problems.extend(annotation_problems(resource.get("annotations")).into_iter().map(|why| problem("RESOURCES-015", why)));
        }
        _ => {}
    }
    problems.extend(annotation_problems(block.get("annotations")).into_iter().map(|why| problem("RESOURCES-015", why)));
    problems
}

/// An embedded resource: a URI, a MIME type when given, and exactly one
/// body, `text` or a Base64 `blob`.
fn embedded_resource_problems(resource: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match resource.get("uri").and_then(Value::as_str) {
        Some(uri) => {
            if let Err(why) = uri_syntax(uri) {
                problems.push(format!("the embedded resource's uri {uri:?} is not an RFC 3986 URI: {why}"));
            }
        }
        None => problems.push("the embedded resource has no uri".into()),
    }
    if let Some(mime_type) = resource.get("mimeType") {
        if let Some(why) = mime_type_problem(Some(mime_type)) {
            problems.push(format!("the embedded resource's mimeType {why}"));
        }
    }
    match (resource.get("text"), resource.get("blob")) {
        (Some(text), None) if text.is_string() => {}
        (Some(_), None) => problems.push("the embedded resource's text is not a string".into()),
        (None, Some(blob)) => {
            if let Some(why) = base64_problem(Some(blob)) {
                problems.push(format!("the embedded resource's blob {why}"));
            }
        }
        (Some(_), Some(_)) => problems.push("the embedded resource has both text and blob".into()),
        (None, None) => problems.push("the embedded resource has neither text nor blob".into()),
    }
    problems
}

/// `None` when `value` is a Base64 string; otherwise what is wrong.
fn base64_problem(value: Option<&Value>) -> Option<String> {
    match value.map(|v| v.as_str()) {
        None => Some("is missing".into()),
        Some(None) => Some("is not a string".into()),
        Some(Some(text)) if BASE64.decode(text).is_err() => Some("is not Base64 (RFC 4648)".into()),
        Some(Some(_)) => None,
    }
}

/// `None` when `value` is a MIME type (RFC 6838 §4.2: `type/subtype`, each
/// a restricted name, optionally followed by `;` parameters).
fn mime_type_problem(value: Option<&Value>) -> Option<String> {
    let text = match value.map(|v| v.as_str()) {
        None => return Some("is missing".into()),
        Some(None) => return Some("is not a string".into()),
        Some(Some(text)) => text,
    };
    let essence = text.split(';').next().unwrap_or_default().trim_end();
    let valid = essence.split_once('/').is_some_and(|(kind, subtype)| restricted_name(kind) && restricted_name(subtype));
    (!valid).then(|| format!("{text:?} is not a MIME type (type/subtype)"))
}

/// RFC 6838 §4.2 `restricted-name`: 1 to 127 characters, the first a
/// letter or digit.
fn restricted_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    first_ok && name.len() <= 127 && chars.all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
}

/// The problems of an `annotations` object (RESOURCES-015): `audience`
/// only `user` / `assistant`, `priority` within 0..=1, `lastModified` an
/// ISO 8601 date. Nothing when there are none.
pub fn annotation_problems(annotations: Option<&Value>) -> Vec<String> {
    let Some(annotations) = annotations.and_then(Value::as_object) else { return Vec::new() };
    let mut problems = Vec::new();
    if let Some(audience) = annotations.get("audience") {
        let roles_ok = audience.as_array().is_some_and(|roles| roles.iter().all(|r| matches!(r.as_str(), Some("user" | "assistant"))));
        if !roles_ok {
            problems.push(format!("annotations.audience {audience} holds more than \"user\" and \"assistant\""));
        }
    }
    if let Some(priority) = annotations.get("priority") {
        if !priority.as_f64().is_some_and(|p| (0.0..=1.0).contains(&p)) {
            problems.push(format!("annotations.priority {priority} is not a number from 0 to 1"));
        }
    }
    if let Some(last_modified) = annotations.get("lastModified") {
        if !last_modified.as_str().is_some_and(iso_8601) {
            problems.push(format!("annotations.lastModified {last_modified} is not an ISO 8601 date"));
        }
    }
    problems
}

/// An ISO 8601 calendar date, optionally with a time of day and a zone, in
/// the extended (`2025-01-12T15:00:58Z`) or basic (`20250112T150058Z`)
/// format; fractions of a second with `.` or `,`.
pub fn iso_8601(text: &str) -> bool {
    let (date, time) = match text.split_once(['T', 't']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    calendar_date(date) && time.is_none_or(time_of_day)
}

fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

fn in_range(text: &str, low: u32, high: u32) -> bool {
    text.parse::<u32>().is_ok_and(|n| (low..=high).contains(&n))
}

/// `YYYY-MM-DD` or `YYYYMMDD`.
fn calendar_date(date: &str) -> bool {
    let compact: String = date.split('-').collect();
    let dash_at = |at: usize| date.as_bytes().get(at) == Some(&b'-');
    let extended = date.len() == 10 && dash_at(4) && dash_at(7);
    let month = compact.get(4..6).is_some_and(|m| in_range(m, 1, 12));
    let day = compact.get(6..8).is_some_and(|d| in_range(d, 1, 31));
    (extended || date.len() == 8) && digits(&compact, 8) && month && day
}

/// `hh[:mm[:ss[.fff]]]` (or without colons), then `Z` or `±hh[:mm]`, or no zone.
fn time_of_day(time: &str) -> bool {
    let zone_at = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(zone_at);
    let (clock, fraction) = match clock.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    // Extended (`hh:mm:ss`) parts are two digits each; basic is one run.
    let parts: Vec<&str> = clock.split(':').collect();
    let colons_ok = parts.len() == 1 || parts.iter().all(|p| p.len() == 2);
    let compact = parts.concat();
    let parts_ok = matches!(compact.len(), 2 | 4 | 6)
        && digits(&compact, compact.len())
        && compact.get(..2).is_some_and(|h| in_range(h, 0, 24))
        && compact.get(2..4).is_none_or(|m| in_range(m, 0, 59))
        && compact.get(4..6).is_none_or(|s| in_range(s, 0, 60));
    let fraction_ok = fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    colons_ok && parts_ok && fraction_ok && zone_ok(zone)
}

fn zone_ok(zone: &str) -> bool {
    match zone {
        "" | "Z" | "z" => true,
        _ => {
            let offset: String = zone.get(1..).unwrap_or_default().split(':').collect();
            matches!(offset.len(), 2 | 4) && digits(&offset, offset.len()) && offset.get(..2).is_some_and(|h| in_range(h, 0, 23))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn iso_8601_dates() {
        for ok in ["2025-01-12T15:00:58Z", "2025-01-12", "2025-01-12T15:00:58.123+02:00", "20250112T150058Z", "2025-01-12T15:00", "2025-01-12t15:00:58,5-0500"] {
            assert!(iso_8601(ok), "{ok}");
        }
        for bad in ["last Tuesday", "2025-13-01", "2025-1-12", "12/01/2025", "2025-01-12T25:00:00Z", "2025-01-12T15:00:58X", "", "2025-01-12T"] {
            assert!(!iso_8601(bad), "{bad}");
        }
    }

    #[test]
    fn annotations() {
        assert!(annotation_problems(Some(&json!({"audience": ["user", "assistant"], "priority": 0.5, "lastModified": "2025-01-12T15:00:58Z"}))).is_empty());
        assert!(annotation_problems(None).is_empty());
        assert_eq!(annotation_problems(Some(&json!({"audience": ["system"], "priority": 1.5, "lastModified": "yesterday"}))).len(), 3);
    }

    #[test]
    fn media_and_embedded_resources() {
        let image = json!({"type": "image", "data": "aGVsbG8=", "mimeType": "image/png"});
        assert!(block_problems(&image).is_empty());
        let bad_image = json!({"type": "image", "data": "not *base64*", "mimeType": "png"});
        let problems = block_problems(&bad_image);
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|p| p.requirement == "PROMPTS-005"));
        let text = json!({"type": "resource", "resource": {"uri": "ref://a", "mimeType": "text/plain; charset=utf-8", "text": "x"}});
        assert!(block_problems(&text).is_empty());
        for bad in [
            json!({"uri": "not a uri", "text": "x"}),
            json!({"uri": "ref://a", "mimeType": "text plain", "text": "x"}),
            json!({"uri": "ref://a", "blob": "**"}),
            json!({"uri": "ref://a"}),
            json!({"uri": "ref://a", "text": "x", "blob": "eA=="}),
        ] {
            let problems = block_problems(&json!({"type": "resource", "resource": bad}));
            assert!(problems.len() == 1 && problems[0].requirement == "PROMPTS-006", "{bad}");
        }
        assert!(block_problems(&json!({"type": "text", "text": "hi", "annotations": {"priority": -1}}))[0].requirement == "RESOURCES-015");
    }
}
