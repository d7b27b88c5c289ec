//! Tool arguments mirrored into `Mcp-Param-{Name}` headers (2026-07-28,
//! `x-mcp-header`): the annotations a server publishes (HTTP-029,
//! TOOLS-019), and how it checks the headers of a call (HTTP-023..026).
//!
//! The call checks pick one tool the harness may call whose annotations are
//! all valid (a client drops the others), build arguments valid for its
//! `inputSchema` with a value at the annotated property, and first make
//! the call with every header right: a refusal of anything else is blamed
//! only on the one header the probe changed.

use serde_json::{json, Value};

use super::http::{draft, inconclusive, not_applicable};
use super::tools::{callable, list, name_of};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::schema::{generate, published};
use crate::session::param_headers::{self, Annotation};
use crate::session::{stateless, Exchange, Reply, RequestOptions};
use crate::transport::Kind;
use crate::version::{era, Era};

/// `HeaderMismatch`.
const HEADER_MISMATCH: i64 = -32020;
/// Generated argument sets tried per tool for one with a value to mirror.
const MAX_SEEDS: u64 = 12;

/// HTTP-029, TOOLS-019: every published `x-mcp-header` is a non-empty
/// token without control characters, unique ignoring case within its
/// schema, on an integer, string or boolean property reached from the root
/// through `properties` only.
pub async fn annotations(context: &CaseContext<'_>) -> StepOutcome {
    let tools = match list(context).await {
        Ok(tools) => tools,
        Err(outcome) => return outcome,
    };
    let requirement = if context.transport == Kind::StreamableHttp { "HTTP-029" } else { "TOOLS-019" };
    let mut annotated = 0;
    let mut outcome = StepOutcome::default();
    for tool in &tools {
        let Some(schema) = tool.get("inputSchema") else { continue };
        let found = param_headers::annotations(schema);
        if found.usable.is_empty() && found.problems.is_empty() {
            continue;
        }
        annotated += 1;
        if !found.problems.is_empty() {
            outcome.findings.push(draft(
                requirement,
                "MUST",
                format!("the `x-mcp-header` annotations of the tool `{}` break the constraints (clients must drop the tool)", name_of(tool)),
                "non-empty RFC 9110 tokens, unique ignoring case, on integer, string or boolean properties reached through `properties` only",
                found.problems.join("; "),
            ));
        }
    }
    if annotated == 0 {
        return not_applicable("no listed tool marks an argument with `x-mcp-header`");
    }
    outcome
}

/// A tool to probe: its name, one annotation, every annotation of the tool
/// and arguments valid for its schema that give the annotated property a value.
struct Target {
    tool: String,
    annotation: Annotation,
    annotations: Vec<Annotation>,
    arguments: Value,
    validator: jsonschema::Validator,
}

impl Target {
    /// The arguments with the annotated property set to `value` (`None`: left out).
    fn with_value(&self, value: Option<Value>) -> Value {
        match value {
            Some(v) => set_at(&self.arguments, &self.annotation.path, v).unwrap_or_else(|| self.arguments.clone()),
            None => {
                let mut arguments = self.arguments.clone();
                let (last, parents) = self.annotation.path.split_last().expect("annotations sit on properties");
                let parent = parents.iter().try_fold(&mut arguments, |v, key| v.get_mut(key));
                if let Some(Value::Object(map)) = parent {
                    map.remove(last);
                }
                arguments
            }
        }
    }

    /// The value the arguments give the annotated property.
    fn value(&self) -> Value {
        self.annotation.value_in(&self.arguments).cloned().unwrap_or(Value::Null)
    }

    /// The `Mcp-Param-*` headers a conforming client sends for `arguments`.
    fn headers_for(&self, arguments: &Value) -> Vec<(String, String)> {
        param_headers::headers(&self.annotations, arguments)
    }

    /// The probed header.
    fn header(&self) -> String {
        self.annotation.header()
    }
}

/// `arguments` with `value` at `path`, when every step but the last is an object.
fn set_at(arguments: &Value, path: &[String], value: Value) -> Option<Value> {
    let mut copy = arguments.clone();
    let (last, parents) = path.split_last()?;
    let mut map = copy.as_object_mut()?;
    for key in parents {
        map = map.entry(key.clone()).or_insert_with(|| json!({})).as_object_mut()?;
    }
    map.insert(last.clone(), value);
    Some(copy)
}

/// Valid arguments for `schema` with a value of the annotation's type at
/// its path: `preferred` if the schema takes it, else a generated one.
fn arguments_for(schema: &Value, annotation: &Annotation, preferred: Value, validator: &jsonschema::Validator) -> Option<Value> {
    let base = generate::valid(schema, schema, 0).filter(Value::is_object).unwrap_or_else(|| json!({}));
    if let Some(arguments) = set_at(&base, &annotation.path, preferred).filter(|a| validator.is_valid(a)) {
        return Some(arguments);
    }
    let kind_fits = |v: &Value| match annotation.kind.as_str() {
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        _ => v.is_i64() || v.is_u64(),
    };
    (0..MAX_SEEDS)
        .filter_map(|seed| generate::valid(schema, schema, seed))
        .find(|a| annotation.value_in(a).is_some_and(kind_fits) && validator.is_valid(a))
}

/// The value the checks try first for an argument of `kind`.
fn preferred(kind: &str) -> Value {
    match kind {
        "string" => json!("mcp-conform"),
        "boolean" => json!(true),
        _ => json!(42),
    }
}

/// The first tool the harness may call with a valid annotation of one of
/// `kinds` (in that order of preference) and arguments that give it a value.
async fn find_target(context: &CaseContext<'_>, kinds: &[&str]) -> Result<Target, StepOutcome> {
    let tools = list(context).await?;
    let policy = context.options.call_tools;
    let mut annotated = false;
    for kind in kinds {
        for tool in tools.iter().filter(|t| callable(t, policy)) {
            let Some(schema) = tool.get("inputSchema") else { continue };
            let found = param_headers::annotations(schema);
            annotated |= found.usable.iter().any(|a| kinds.contains(&a.kind.as_str()));
            // A client drops a tool with any invalid annotation: nothing to call.
            if !found.problems.is_empty() {
                continue;
            }
            let Ok(validator) = published::compile(schema) else { continue };
            for annotation in found.usable.iter().filter(|a| a.kind == *kind) {
                if let Some(arguments) = arguments_for(schema, annotation, preferred(kind), &validator) {
                    let annotation = annotation.clone();
                    return Ok(Target { tool: name_of(tool), annotation, annotations: found.usable.clone(), arguments, validator });
                }
            }
        }
    }
    let what = format!("an `x-mcp-header` argument of type {}", kinds.join(" or "));
    Err(if annotated {
        inconclusive(format!("no tool the harness may call has {what} it could give a valid value (see --call-tools)"))
    } else {
        not_applicable(&format!("no tool the harness may call has {what}"))
    })
}

/// Calls the target's tool with `arguments` and exactly the `Mcp-Param-*`
/// headers given (the standard headers are computed as always).
async fn call(context: &CaseContext<'_>, target: &Target, arguments: &Value, params: Vec<(String, String)>) -> Exchange {
    let version = context.session.version.as_str();
    let body = stateless::with_meta(json!({ "name": target.tool, "arguments": arguments }), version);
    let options = RequestOptions { raw: true, headers: params, ..RequestOptions::default() };
    context.session.request("tools/call", body, &options).await
}

/// `headers` with `name` set to `value` (`None`: left out).
fn replaced(headers: &[(String, String)], name: &str, value: Option<String>) -> Vec<(String, String)> {
    let mut headers: Vec<_> = headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case(name)).cloned().collect();
    headers.extend(value.map(|v| (name.to_string(), v)));
    headers
}

/// What came back, in one line.
fn describe(exchange: &Exchange) -> String {
    let status = exchange.http.as_ref().map(|h| format!("HTTP {}: ", h.status)).unwrap_or_default();
    match &exchange.reply {
        Reply::Response(message) => format!("{status}{}", clip(&message.to_string(), 300)),
        Reply::NoResponse(why) | Reply::TooLarge(why) => format!("{status}{why}"),
    }
}

/// A finding whose evidence is the answer to one call.
fn finding(requirement: &str, keyword: &'static str, message: String, expected: &str, answer: &Exchange) -> Draft {
    draft(requirement, keyword, message, expected, describe(answer))
}

fn status_of(exchange: &Exchange) -> Option<u16> {
    exchange.http.as_ref().map(|h| h.status)
}

/// Streamable HTTP in 2026-07-28 only; `Err` says why not.
fn applies(context: &CaseContext<'_>) -> Result<(), StepOutcome> {
    if context.transport != Kind::StreamableHttp || era(&context.session.version) != Era::Stateless {
        return Err(not_applicable("Mcp-Param-* headers exist on 2026-07-28 Streamable HTTP only"));
    }
    Ok(())
}

/// The call with every header right: it must be served, or a refusal of a
/// changed one proves nothing. A -32020 for it is itself a finding.
async fn control(context: &CaseContext<'_>, target: &Target, arguments: &Value, requirement: &str) -> Result<(), StepOutcome> {
    let headers = target.headers_for(arguments);
    let shown = headers.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join(", ");
    let answer = call(context, target, arguments, headers).await;
    if answer.error_code() == Some(HEADER_MISMATCH) {
        // Every argument given came with its header: if some annotated one
        // was left out, the server demanded a header it must not (HTTP-024).
        let left_out: Vec<String> = target
            .annotations
            .iter()
            .filter(|a| a.value_in(arguments).is_none_or(Value::is_null))
            .map(|a| a.path.join("."))
            .collect();
        let (requirement, keyword, expected) = if left_out.is_empty() {
            (requirement, "MUST", "the call served: each Mcp-Param-* header, decoded, equals its argument".to_string())
        } else {
            ("HTTP-024", "MUST NOT", format!("the call served: the arguments left out ({}) need no header", left_out.join(", ")))
        };
        let message = format!("a `tools/call` of `{}` with {arguments} and the headers a client sends ({shown}) was refused as a header mismatch", target.tool);
        return Err(StepOutcome { findings: vec![finding(requirement, keyword, message, &expected, &answer)], ..StepOutcome::default() });
    }
    if answer.result().is_none() {
        return Err(inconclusive(format!(
            "the call of `{}` with {arguments} and every header right was answered {}: nothing to compare a refusal with",
            target.tool,
            describe(&answer)
        )));
    }
    Ok(())
}

/// A header differing from the body, or missing, must be refused with 400
/// and -32020: a finding when it is not.
fn judge_mismatch(outcome: &mut StepOutcome, target: &Target, what: &str, answer: &Exchange) {
    let expected = "HTTP 400 Bad Request with JSON-RPC error -32020 (HeaderMismatch)";
    if answer.error_code() != Some(HEADER_MISMATCH) {
        let message = format!("a `tools/call` of `{}` with {} and {what} was not refused as a header mismatch", target.tool, target.arguments);
        outcome.findings.push(finding("HTTP-023", "MUST", message, expected, answer));
    } else if status_of(answer) != Some(400) {
        let message = format!("the -32020 refusing a `tools/call` with {what} did not come with HTTP 400");
        outcome.findings.push(finding("HTTP-028", "MUST", message, expected, answer));
    }
}

/// HTTP-023, HTTP-024, HTTP-025: a call whose `Mcp-Param-*` header differs
/// from its argument, or is missing, is refused with 400 and -32020; a call
/// leaving the argument out or null needs no header; a header of raw
/// non-ASCII bytes is refused. Prefers a string argument, the only kind
/// whose raw bytes can stand for the value.
pub async fn mirrored(context: &CaseContext<'_>) -> StepOutcome {
    if let Err(outcome) = applies(context) {
        return outcome;
    }
    let target = match find_target(context, &["string", "integer", "boolean"]).await {
        Ok(target) => target,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = control(context, &target, &target.arguments, "HTTP-023").await {
        return outcome;
    }
    let mut outcome = StepOutcome::default();
    let header = target.header();
    let right = target.headers_for(&target.arguments);
    let other = match target.value() {
        Value::String(s) => json!(format!("{s}-other")),
        Value::Bool(b) => json!(!b),
        v => json!(v.as_i64().unwrap_or(0).wrapping_add(1)),
    };
    let different = param_headers::encode(&other).unwrap_or_default();
    let answer = call(context, &target, &target.arguments, replaced(&right, &header, Some(different.clone()))).await;
    judge_mismatch(&mut outcome, &target, &format!("`{header}: {different}`"), &answer);
    let answer = call(context, &target, &target.arguments, replaced(&right, &header, None)).await;
    judge_mismatch(&mut outcome, &target, &format!("no `{header}` header"), &answer);

    for (how, value) in [("left out", None), ("null", Some(Value::Null))] {
        let arguments = target.with_value(value);
        let answer = call(context, &target, &arguments, target.headers_for(&arguments)).await;
        if answer.error_code() == Some(HEADER_MISMATCH) {
            let message = format!("a `tools/call` of `{}` with the argument of `{header}` {how} ({arguments}) and no such header was refused", target.tool);
            outcome.findings.push(finding("HTTP-024", "MUST NOT", message, "no Mcp-Param-* header demanded for an argument absent or null", &answer));
        }
    }

    let raw = "mcp-conform-\u{e9}t\u{e9}";
    let arguments = target.with_value(Some(json!(raw)));
    if target.annotation.kind != "string" || !target.validator.is_valid(&arguments) {
        outcome.inconclusive.push(format!(
            "`{}` takes no string value the harness could send as raw bytes in `{header}`: the refusal of invalid characters (HTTP-025) is undecided",
            target.tool
        ));
        return outcome;
    }
    let answer = call(context, &target, &arguments, replaced(&target.headers_for(&arguments), &header, Some(raw.into()))).await;
    if answer.result().is_some() {
        let message = format!("a `tools/call` of `{}` with `{header}` holding raw UTF-8 bytes (\"{raw}\", not encoded as =?base64?…?=) was served", target.tool);
        let expected = "the request refused (HTTP 400 with -32020): a plain header value holds visible ASCII, space and tab only";
        outcome.findings.push(finding("HTTP-025", "MUST", message, expected, &answer));
    }
    outcome
}

/// HTTP-026: integer arguments are compared by value: `Mcp-Param-X: 42.0`
/// matches the argument `42`.
pub async fn integer(context: &CaseContext<'_>) -> StepOutcome {
    if let Err(outcome) = applies(context) {
        return outcome;
    }
    let target = match find_target(context, &["integer"]).await {
        Ok(target) => target,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = control(context, &target, &target.arguments, "HTTP-023").await {
        return outcome;
    }
    let header = target.header();
    let decimal = format!("{}.0", target.value());
    let headers = replaced(&target.headers_for(&target.arguments), &header, Some(decimal.clone()));
    let answer = call(context, &target, &target.arguments, headers).await;
    if answer.error_code() != Some(HEADER_MISMATCH) {
        return StepOutcome::default();
    }
    let message = format!("a `tools/call` of `{}` with {} and `{header}: {decimal}` was refused as a header mismatch", target.tool, target.arguments);
    StepOutcome { findings: vec![finding("HTTP-026", "SHOULD", message, "integers compared by value: 42.0 and 42 are equal", &answer)], ..StepOutcome::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_replaced_by_name_in_any_case() {
        let headers = vec![("Mcp-Param-Region".to_string(), "a".to_string()), ("Mcp-Param-Max".to_string(), "1".to_string())];
        assert_eq!(replaced(&headers, "mcp-param-region", Some("b".into()))[1], ("mcp-param-region".to_string(), "b".to_string()));
        assert_eq!(replaced(&headers, "MCP-PARAM-REGION", None), [("Mcp-Param-Max".to_string(), "1".to_string())]);
    }

    #[test]
    fn arguments_get_the_preferred_value_or_a_generated_one() {
        let schema = json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "enum": ["eu", "us"], "x-mcp-header": "Region"},
                "max": {"type": "integer", "x-mcp-header": "Max"}
            },
            "required": ["region"]
        });
        let validator = published::compile(&schema).unwrap();
        let found = param_headers::annotations(&schema).usable;
        let region = arguments_for(&schema, &found[0], preferred("string"), &validator).unwrap();
        assert!(["eu", "us"].contains(&region["region"].as_str().unwrap()), "{region}");
        let max = arguments_for(&schema, &found[1], preferred("integer"), &validator).unwrap();
        assert_eq!(max["max"], 42);
    }
}
