//! Checks on the resources and resource templates a server lists.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde_json::{json, Value};

use super::lists::{self, describe, inconclusive, is_interim};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::session::RequestOptions;

/// Most resources read by one check.
pub const MAX_READS: usize = 40;

/// Base64 (RFC 4648 §4, the standard alphabet); padding is not insisted on.
pub(super) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent).with_decode_allow_trailing_bits(true),
);

/// Read the listed resources (the first [`MAX_READS`], all at once): every
/// `blob` in their contents is Base64 (RESOURCES-013), in every item of a
/// read that returns several (RESOURCES-004 allows it; noted, never held
/// against the server).
pub async fn reads(context: &CaseContext<'_>) -> StepOutcome {
    let resources = match lists::all_items(context, "resources/list").await {
        Ok(items) => items,
        Err(outcome) => return outcome,
    };
    let uris: Vec<&str> = resources.iter().filter_map(|r| r.get("uri").and_then(Value::as_str)).take(MAX_READS).collect();
    if uris.is_empty() {
        return inconclusive("the server lists no resources".into());
    }
    let reads = uris.iter().map(|uri| async move {
        (uri, context.session.request("resources/read", json!({ "uri": uri }), &RequestOptions::default()).await)
    });
    let mut outcome = StepOutcome::default();
    let mut blobs = 0;
    let mut failed = Vec::new();
    for (uri, exchange) in futures_util::future::join_all(reads).await {
        // A listed resource may need what the harness cannot give (access, input).
        let Some(result) = exchange.result().filter(|r| !is_interim(r)) else {
            failed.push(format!("{uri}: {}", clip(&describe(&exchange), 120)));
            continue;
        };
        let contents = result.get("contents").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if contents.len() > 1 {
            context.session.connection.note(format!("reading `{uri}` returned {} content items, each checked (RESOURCES-004)", contents.len()));
        }
        for item in contents {
            let Some(blob) = item.get("blob") else { continue };
            blobs += 1;
            if blob.as_str().is_some_and(|b| BASE64.decode(b).is_ok()) {
                continue;
            }
            outcome.findings.push(Draft {
                requirement: "RESOURCES-013".into(),
                keyword: Some("MUST"),
                message: format!("reading `{uri}`: the blob is not Base64"),
                expected: "a blob of Base64 (RFC 4648) text".into(),
                actual: clip(&item.to_string(), 300),
                hint: None,
            });
        }
    }
    if blobs == 0 && outcome.findings.is_empty() {
        let mut why = format!("none of the {} resources read has binary (blob) contents", uris.len());
        if !failed.is_empty() {
            why.push_str(&format!("; {} could not be read ({})", failed.len(), failed.into_iter().take(3).collect::<Vec<_>>().join("; ")));
        }
        outcome.inconclusive.push(why);
    }
    outcome
}

/// A syntax rule on one string member of every item of a list.
struct Syntax {
    method: &'static str,
    member: &'static str,
    requirement: &'static str,
    keyword: &'static str,
    /// What a valid value is, e.g. "an RFC 3986 URI".
    wanted: &'static str,
    check: fn(&str) -> Result<(), String>,
}

/// Every listed item's `rule.member` follows the rule; inconclusive when
/// the list is empty.
async fn check_syntax(context: &CaseContext<'_>, rule: Syntax) -> StepOutcome {
    let items = match lists::all_items(context, rule.method).await {
        Ok(items) => items,
        Err(outcome) => return outcome,
    };
    if items.is_empty() {
        return inconclusive(format!("`{}` lists nothing", rule.method));
    }
    let mut outcome = StepOutcome::default();
    for item in &items {
        // A member that is not a string is a schema violation, reported on receipt.
        let Some(text) = item.get(rule.member).and_then(Value::as_str) else { continue };
        if let Err(why) = (rule.check)(text) {
            outcome.findings.push(Draft {
                requirement: rule.requirement.into(),
                keyword: Some(rule.keyword),
                message: format!("the {} {text:?} is not {}: {why}", rule.member, rule.wanted),
                expected: rule.wanted.into(),
                actual: clip(&item.to_string(), 300),
                hint: None,
            });
        }
    }
    outcome
}

/// Every listed resource template is an RFC 6570 URI template (RESOURCES-016).
pub async fn templates(context: &CaseContext<'_>) -> StepOutcome {
    let rule = Syntax {
        method: "resources/templates/list",
        member: "uriTemplate",
        requirement: "RESOURCES-016",
        keyword: "(schema)",
        wanted: "an RFC 6570 URI template",
        check: uri_template::check,
    };
    check_syntax(context, rule).await
}

/// Every listed resource's `uri` is an RFC 3986 URI (RESOURCES-010).
pub async fn uris(context: &CaseContext<'_>) -> StepOutcome {
    let rule = Syntax {
        method: "resources/list",
        member: "uri",
        requirement: "RESOURCES-010",
        keyword: "MUST",
        wanted: "an RFC 3986 URI (scheme:rest, other characters %-encoded)",
        check: uri_syntax,
    };
    check_syntax(context, rule).await
}

/// The annotations of every listed resource and resource template are in
/// range (RESOURCES-015); inconclusive when none has annotations.
pub async fn annotations(context: &CaseContext<'_>) -> StepOutcome {
    let (resources, templates) =
        futures_util::future::join(lists::all_items(context, "resources/list"), lists::all_items(context, "resources/templates/list")).await;
    let mut outcome = StepOutcome::default();
    let mut annotated = 0;
    for listed in [resources, templates] {
        let items = match listed {
            Ok(items) => items,
            Err(failed) => {
                outcome.findings.extend(failed.findings);
                outcome.inconclusive.extend(failed.inconclusive);
                continue;
            }
        };
        for item in items.iter().filter(|item| item.get("annotations").is_some()) {
            annotated += 1;
            let name = item.get("uri").or_else(|| item.get("uriTemplate")).map_or_else(|| "?".into(), Value::to_string);
            for why in super::message_content::annotation_problems(item.get("annotations")) {
                outcome.findings.push(Draft {
                    requirement: "RESOURCES-015".into(),
                    keyword: Some("(schema)"),
                    message: format!("{name}: {why}"),
                    expected: "audience within [\"user\", \"assistant\"], priority from 0 to 1, lastModified an ISO 8601 date".into(),
                    actual: clip(&item.to_string(), 300),
                    hint: None,
                });
            }
        }
    }
    if annotated == 0 && outcome.findings.is_empty() && outcome.inconclusive.is_empty() {
        outcome.inconclusive.push("no listed resource or resource template has annotations".into());
    }
    outcome
}

/// RESOURCES-007: reading the mapped `failing-resource`, whose read fails
/// inside the server, is answered with -32603.
pub async fn internal_error(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.failing_resource.clone() else {
        return inconclusive(crate::fixtures::unmapped("failing-resource"));
    };
    let exchange = context.session.request("resources/read", json!({ "uri": role.uri }), &RequestOptions::default()).await;
    let code = match (exchange.result(), exchange.error_code()) {
        (_, Some(-32603)) => return StepOutcome::default(),
        (Some(_), _) => return inconclusive(format!("reading {} succeeded: the mapped resource did not fail", role.uri)),
        (None, None) => return inconclusive(format!("reading {}: {}", role.uri, describe(&exchange))),
        (None, Some(code)) => code,
    };
    let mut outcome = StepOutcome::default();
    outcome.findings.push(Draft {
        requirement: "RESOURCES-007".into(),
        keyword: Some("SHOULD"),
        message: format!("reading {}, which fails inside the server, was refused with code {code}, not -32603", role.uri),
        expected: "error -32603 (Internal error)".into(),
        actual: describe(&exchange),
        hint: None,
    });
    outcome
}

/// RFC 3986 §3 at the level of characters: a scheme, a colon, then only
/// characters a URI may hold (the parts' finer grammar is not checked, so
/// that nothing valid is refused).
pub fn uri_syntax(uri: &str) -> Result<(), String> {
    let Some((scheme, rest)) = uri.split_once(':') else { return Err("no scheme (no `:`)".into()) };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!("{scheme:?} is not a scheme"));
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if !hex {
                return Err("a `%` is not followed by two hex digits".into());
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
        if !allowed {
            let c = rest[i..].chars().next().unwrap_or('?');
            return Err(format!("{c:?} must be %-encoded"));
        }
        i += 1;
    }
    Ok(())
}

/// The variable names of an RFC 6570 template (assumed valid).
pub fn template_variables(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for expression in text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(e, _)| e)) {
        let list = expression.trim_start_matches(uri_template::OPERATORS);
        for spec in list.split(',') {
            let name = spec.split([':', '*']).next().unwrap_or_default();
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// RFC 6570 syntax (§2): literals and `{expressions}`.
pub mod uri_template {
    /// The expression operators of levels 2 and 3.
    pub const OPERATORS: &[char] = &['+', '#', '.', '/', ';', '?', '&'];
    /// Reserved for future extensions: not valid in a template (§2.2).
    const RESERVED_OPERATORS: &[char] = &['=', ',', '!', '@', '|'];

    /// `Ok` when `text` is a URI template; otherwise why not.
    pub fn check(text: &str) -> Result<(), String> {
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            match c {
                '{' => {
                    let Some(end) = rest.find('}') else { return Err("an expression is never closed with `}`".into()) };
                    expression(&rest[1..end])?;
                    rest = &rest[end + 1..];
                }
                '}' => return Err("a `}` closes no expression".into()),
                '%' => {
                    pct_encoded(rest).ok_or("a `%` is not followed by two hex digits")?;
                    rest = &rest[3..];
                }
                c if literal(c) => rest = &rest[c.len_utf8()..],
                c => return Err(format!("{c:?} is not allowed outside an expression")),
            }
        }
        Ok(())
    }

    /// §2.1: any character but controls, space, `"`, `'`, `%` (unless
    /// encoded), `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`.
    fn literal(c: char) -> bool {
        !(c.is_control() || matches!(c, ' ' | '"' | '\'' | '%' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}'))
    }

    fn pct_encoded(text: &str) -> Option<()> {
        let bytes = text.as_bytes();
        (bytes.len() >= 3 && bytes[1].is_ascii_hexdigit() && bytes[2].is_ascii_hexdigit()).then_some(())
    }

    /// §2.2-2.4: `[operator] varspec *("," varspec)`.
    fn expression(body: &str) -> Result<(), String> {
        let mut list = body;
        if let Some(c) = body.chars().next() {
            if RESERVED_OPERATORS.contains(&c) {
                return Err(format!("the operator {c:?} is reserved"));
            }
            if OPERATORS.contains(&c) {
                list = &body[1..];
            }
        }
        for spec in list.split(',') {
            varspec(spec).map_err(|why| format!("in `{{{body}}}`: {why}"))?;
        }
        Ok(())
    }

    /// `varname [ ":" max-length / "*" ]`.
    fn varspec(spec: &str) -> Result<(), String> {
        let (name, modifier) = match spec.find([':', '*']) {
            Some(at) => (&spec[..at], &spec[at..]),
            None => (spec, ""),
        };
        varname(name)?;
        match modifier.strip_prefix(':') {
            None if modifier.is_empty() || modifier == "*" => Ok(()),
            None => Err(format!("{modifier:?} after a variable name")),
            Some(digits) => {
                let ok = (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
                if ok { Ok(()) } else { Err(format!("the prefix length {digits:?} is not 1 to 9999")) }
            }
        }
    }

    /// `varchar *( ["."] varchar )`, varchar = ALPHA / DIGIT / "_" / pct-encoded.
    fn varname(name: &str) -> Result<(), String> {
        if name.is_empty() {
            return Err("an empty variable name".into());
        }
        if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
            return Err(format!("the variable name {name:?} has a misplaced `.`"));
        }
        let mut rest = name;
        while let Some(c) = rest.chars().next() {
            if c == '%' {
                pct_encoded(rest).ok_or_else(|| format!("the variable name {name:?} has a bad `%` escape"))?;
                rest = &rest[3..];
            } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                rest = &rest[1..];
            } else {
                return Err(format!("{c:?} is not allowed in the variable name {name:?}"));
            }
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::check;

        #[test]
        fn valid_templates() {
            for t in [
                "ref://items/{id}",
                "file:///{+path}",
                "https://example.com/{owner}/{repo}{?page,per_page}",
                "x://{a.b}/{var:30}/{list*}{#frag}",
                "literal-only://no/expressions",
                "x://%20{q}",
                "x://{%41b}",
            ] {
                assert_eq!(check(t), Ok(()), "{t}");
            }
        }

        #[test]
        fn invalid_templates() {
            for t in ["ref://items/{id", "x://}", "x://{}", "x://{a b}", "x://{=a}", "x://{a:0}", "x://{a:10000}", "x://a b", "x://%zz", "x://{.a.}", "x://{a-b}"] {
                assert!(check(t).is_err(), "{t}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{template_variables, BASE64};
    use base64::Engine;

    #[test]
    fn uri_syntax() {
        for ok in ["ref://items/1", "file:///a/b%20c.txt", "urn:isbn:0451450523", "https://[::1]:8080/p?q=1#f", "demo://x/{id}"] {
            let verdict = super::uri_syntax(ok);
            assert_eq!(verdict.is_ok(), !ok.contains('{'), "{ok}: {verdict:?}");
        }
        for bad in ["no-scheme", "1x://a", "x://a b", "x://caf\u{e9}", "x://%zz", ":empty"] {
            assert!(super::uri_syntax(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn variables_of_a_template() {
        assert_eq!(template_variables("x://{a}/{+b}{?c,d*,e:3}/{a}"), ["a", "b", "c", "d", "e"]);
        assert!(template_variables("x://none").is_empty());
    }

    #[test]
    fn base64_with_or_without_padding() {
        assert!(BASE64.decode("aGVsbG8=").is_ok());
        assert!(BASE64.decode("aGVsbG8").is_ok());
        assert!(BASE64.decode("").is_ok());
        assert!(BASE64.decode("this is *not* base64!").is_err());
        assert!(BASE64.decode("aGVs_G8-").is_err(), "the URL-safe alphabet is another encoding");
    }
}
