//! Running one case for one version: steps, expectations, verdict.

use std::time::Instant;

use reports::{CaseResult, Finding, Status};
use serde_json::{json, Map, Value};

use crate::case::{Assert, Case, Outcome, Step, StepAction};
use crate::check;
use crate::golden;
use crate::jsonrpc::type_name;
use crate::session::{stateful, Exchange, LogEntry, Reply, RequestOptions, ServerInfo, Session};
use crate::transport::Kind;

/// A finding before the case's keyword and hint are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The requirement violated.
    pub requirement: String,
    /// Its keyword, when it differs from the case's.
    pub keyword: Option<&'static str>,
    /// What went wrong.
    pub message: String,
    /// The acceptable outcome.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// How to fix it, when it differs from the case's hint.
    pub hint: Option<&'static str>,
}

/// What a step (or a built-in check) concluded.
#[derive(Debug, Default)]
pub struct StepOutcome {
    /// Violations.
    pub findings: Vec<Draft>,
    /// Reasons the step could not decide.
    pub inconclusive: Vec<String>,
    /// Transcript entries from outside the case's own window that show the
    /// evidence (the session's opening exchange, for instance).
    pub evidence: Vec<LogEntry>,
    /// Why the case turned out not to apply (e.g. the server does not
    /// protect itself, so there is no authorization to check).
    pub not_applicable: Option<String>,
    /// Values for later steps (`$name`): a step's `capture`, or a check's.
    pub captures: Vec<(String, Value)>,
}

/// Settings that shape verdicts.
#[derive(Debug, Clone, Default)]
pub struct VerdictOptions {
    /// SHOULD-level findings fail instead of warning.
    pub strict: bool,
    /// Which tools `tools/call` checks may call.
    pub call_tools: check::CallTools,
    /// Bearer tokens the authorization checks present instead of the user's.
    pub auth_tokens: check::auth::TestTokens,
    /// Which of the server's tools play the roles deep checks need.
    pub fixtures: std::sync::Arc<crate::fixtures::Fixtures>,
    /// Opens further connections to the target, for checks that compare
    /// connections (none: those parts are inconclusive).
    pub reconnect: Option<std::sync::Arc<crate::target::Reconnect>>,
    /// Where the golden answers of user scenarios are kept.
    pub golden: Option<std::sync::Arc<crate::golden::GoldenStore>>,
    /// How long the keep-alive check watches a listen stream (HTTP-013);
    /// `None`: its short default.
    pub keep_alive_window: Option<std::time::Duration>,
}

/// Everything a case runs against.
pub struct CaseContext<'a> {
    /// The session (or fresh connection) to use.
    pub session: &'a Session,
    /// What the server declared for this version.
    pub server: &'a ServerInfo,
    /// The transport.
    pub transport: Kind,
    /// Verdict settings.
    pub options: &'a VerdictOptions,
}

/// A result for a case that did not run, with the reason.
pub fn not_run(case: &Case, version: &str, transport: Kind, status: Status, reason: String) -> CaseResult {
    CaseResult {
        case_id: case.id.clone(),
        area: case.area.clone(),
        title: case.title.clone(),
        requirements: case.requirements.clone(),
        keyword: case.keyword.as_str().to_string(),
        spec: case.spec.clone(),
        version: version.to_string(),
        transport: transport.as_str().to_string(),
        status,
        reason: Some(reason),
        findings: Vec::new(),
        transcript: Vec::new(),
        duration_ms: 0,
    }
}

/// Why a case does not apply to what the server declared, if it does not.
pub fn not_applicable(case: &Case, server: &ServerInfo) -> Option<String> {
    let missing: Vec<&str> = case.requires.iter().filter(|c| !server.declares(c)).map(String::as_str).collect();
    (!missing.is_empty()).then(|| format!("the server did not declare the `{}` capability", missing.join("`, `")))
}

/// Run a case's steps and decide its verdict.
pub async fn run(case: &Case, context: &CaseContext<'_>) -> CaseResult {
    let started = Instant::now();
    let version = context.session.version.clone();
    let mark = context.session.connection.mark();
    let mut outcome = StepOutcome::default();
    let mut variables = Map::new();
    // Did the last step run lose requests to the connection's closing?
    let mut orphaned_by_last_step = false;
    for step in &case.steps {
        let orphaned_before = context.session.connection.orphaned();
        let mut step_outcome = run_step(case, step, context, &variables).await;
        orphaned_by_last_step = context.session.connection.orphaned() > orphaned_before;
        if step.precondition && !step_outcome.findings.is_empty() {
            // The server is not in the state the case needs: no verdict.
            let unmet = step_outcome.findings.drain(..).map(|d| format!("precondition not met: {} (expected {}, got {})", d.message, d.expected, d.actual));
            step_outcome.inconclusive.extend(unmet);
        }
        variables.extend(std::mem::take(&mut step_outcome.captures));
        let stop = !step_outcome.findings.is_empty()
            || !step_outcome.inconclusive.is_empty()
            || step_outcome.not_applicable.is_some();
        outcome.not_applicable = outcome.not_applicable.or(step_outcome.not_applicable);
        outcome.findings.extend(step_outcome.findings);
        outcome.inconclusive.extend(step_outcome.inconclusive);
        outcome.evidence.extend(step_outcome.evidence);
        // Later steps build on earlier ones; after a failure they prove nothing.
        if stop {
            break;
        }
    }
    let mut log = std::mem::take(&mut outcome.evidence);
    log.extend(context.session.connection.since(mark));
    if orphaned_by_last_step && !outcome.findings.is_empty() && ended_by_server(context).await {
        // The server ended the session mid-case, as STDIO-009 allows, and
        // the last step's requests went unanswered because of it: that step
        // says nothing about the server, so its findings are set aside.
        // (Only the last step can have findings: a failing step ends the case.)
        outcome.inconclusive.push(format!(
            "the server ended the session during the case (closed stdout, exited 0), which STDIO-009 allows, leaving requests of the last step unanswered; {} finding(s) set aside: {}",
            outcome.findings.len(),
            outcome.findings.iter().map(|f| clip(&f.message, 120)).collect::<Vec<_>>().join("; ")
        ));
        outcome.findings.clear();
    }
    // What the server did send is judged whether or not it ended the session.
    outcome.findings.extend(problems(&log));
    let mut result = not_run(case, &version, context.transport, Status::Pass, String::new());
    result.reason = None;
    result.transcript = log.into_iter().map(|e| e.entry).collect();
    result.findings = outcome.findings.into_iter().map(|d| finish(case, d)).collect();
    result.status = verdict(&result.findings, context.options.strict);
    if matches!(result.status, Status::Pass | Status::Inconclusive) && !outcome.inconclusive.is_empty() {
        result.status = Status::Inconclusive;
        result.reason = Some(outcome.inconclusive.join("; "));
    } else if let (Status::Pass, Some(reason)) = (result.status, outcome.not_applicable) {
        result.status = Status::NotApplicable;
        result.reason = Some(reason);
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result
}

/// Did a stdio server end its session itself (closed stdout, exited 0)?
async fn ended_by_server(context: &CaseContext<'_>) -> bool {
    match context.session.connection.transport().stdio() {
        Some(child) => child.ended_by_server().await,
        None => false,
    }
}

/// The status a set of findings gives: MUST-level fails, SHOULD-level warns
/// (fails under `strict`), MAY is informational.
pub fn verdict(findings: &[Finding], strict: bool) -> Status {
    let mut status = Status::Pass;
    for finding in findings {
        match finding.keyword.as_str() {
            "SHOULD" | "SHOULD NOT" if !strict => status = Status::Warn,
            "MAY" => {}
            _ => return Status::Fail,
        }
    }
    status
}

fn finish(case: &Case, draft: Draft) -> Finding {
    let keyword = draft.keyword.unwrap_or(case.keyword.as_str());
    Finding {
        requirement: draft.requirement,
        keyword: keyword.to_string(),
        message: draft.message,
        expected: draft.expected,
        actual: draft.actual,
        hint: draft.hint.map_or_else(|| case.hint.clone(), str::to_string),
    }
}

/// Violations noticed on receipt (schema, framing, stray responses).
fn problems(log: &[LogEntry]) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    for entry in log {
        for problem in &entry.problems {
            let draft = Draft {
                requirement: problem.requirement.to_string(),
                keyword: Some(problem.keyword),
                message: problem.message.clone(),
                expected: "every message the server sends is valid for the negotiated version".into(),
                actual: format!("at {} ms on {}: {}", entry.entry.at_ms, entry.entry.channel, clip(&entry.entry.text, 300)),
                hint: Some(problem.hint),
            };
            if !drafts.contains(&draft) {
                drafts.push(draft);
            }
        }
    }
    drafts
}

async fn run_step(case: &Case, step: &Step, context: &CaseContext<'_>, variables: &Map<String, Value>) -> StepOutcome {
    let version = context.session.version.as_str();
    let requirement = step.requirement.clone().unwrap_or_else(|| case.requirements[0].clone());
    let action = match step.action() {
        Ok(action) => action,
        Err(e) => return StepOutcome { inconclusive: vec![e], ..StepOutcome::default() },
    };
    let exchange = match action {
        StepAction::Check(name) => return check::run(name, context).await,
        StepAction::Notify(method) => {
            let params = match step.params.as_ref().map(|p| fill(&substitute(p, version), variables)).transpose() {
                Ok(params) => params,
                Err(why) => return StepOutcome { inconclusive: vec![why], ..StepOutcome::default() },
            };
            return match context.session.notify(method, params).await {
                Ok(()) => StepOutcome::default(),
                Err(e) => StepOutcome { inconclusive: vec![format!("sending `{method}` failed: {e}")], ..StepOutcome::default() },
            };
        }
        StepAction::Initialize(asked) => {
            let asked = substitute(&Value::from(asked), version);
            let params = stateful::initialize_params(asked.as_str().unwrap_or(version));
            context.session.connection.request("initialize", params, Vec::new()).await
        }
        StepAction::Request(method) => {
            let params = match fill(&step.params.as_ref().map(|p| substitute(p, version)).unwrap_or_else(|| json!({})), variables) {
                Ok(params) => params,
                Err(why) => return StepOutcome { inconclusive: vec![why], ..StepOutcome::default() },
            };
            let options = RequestOptions {
                protocol_version: step.protocol_version.as_ref().map(|v| v.replace("$version", version)),
                raw: step.raw,
                headers: step.headers.iter().map(|(n, v)| (n.clone(), v.replace("$version", version))).collect(),
            };
            context.session.request(method, params, &options).await
        }
    };
    let mut outcome = judge(step, &exchange, &requirement, version, context.transport, variables);
    if outcome.findings.is_empty() && outcome.inconclusive.is_empty() {
        if let Reply::Response(response) = &exchange.reply {
            let document = exchange_document(&exchange, response);
            for (name, pointer) in &step.capture {
                match document.pointer(pointer) {
                    Some(value) => {
                        outcome.captures.push((name.clone(), value.clone()));
                    }
                    None => outcome.inconclusive.push(format!("nothing at `{pointer}` to capture as `${name}`")),
                }
            }
        }
    }
    if let (Some(name), Reply::Response(response)) = (&step.golden, &exchange.reply) {
        if outcome.findings.is_empty() && outcome.inconclusive.is_empty() {
            match compare_golden(&case.id, name, step, response, context) {
                Ok(None) => {}
                Ok(Some(finding)) => outcome.findings.push(Draft { requirement, ..finding }),
                Err(why) => outcome.inconclusive.push(format!("golden answer `{name}`: {why}")),
            }
        }
    }
    outcome
}

/// A step's answer against its accepted golden answer `name`: a finding
/// (its requirement left for the caller) when it is new or differs.
fn compare_golden(case: &str, name: &str, step: &Step, response: &Value, context: &CaseContext<'_>) -> Result<Option<Draft>, String> {
    let store = context.options.golden.as_ref().ok_or("the run names no golden folder (--golden DIR)")?;
    let finding = |message: String, expected: String, actual: String| Draft {
        requirement: String::new(),
        keyword: None,
        message,
        expected,
        actual,
        hint: Some("review the answer with `mcp-conform golden review DIR`, then `golden accept DIR` or fix the server"),
    };
    Ok(match store.compare(case, name, &context.session.version, response, &step.redact)? {
        golden::Comparison::Matches => None,
        golden::Comparison::New { pending } => Some(finding(
            format!("golden answer `{name}` has not been accepted yet"),
            format!("an accepted answer at {}", golden::accepted_path(&pending).display()),
            format!("written for review as {}", pending.display()),
        )),
        golden::Comparison::Differs { pending, diff } => Some(finding(
            format!("the answer differs from golden answer `{name}` (written for review as {})", pending.display()),
            format!("the answer accepted at {}", golden::accepted_path(&pending).display()),
            diff,
        )),
    })
}

/// Check an exchange against a step's expectations; `variables` are the
/// values earlier steps captured.
pub fn judge(step: &Step, exchange: &Exchange, requirement: &str, version: &str, transport: Kind, variables: &Map<String, Value>) -> StepOutcome {
    let mut outcome = StepOutcome::default();
    let method = exchange.request.get("method").and_then(Value::as_str).unwrap_or("request");
    let mut fail = |requirement: &str, message: String, expected: String, actual: String| {
        outcome.findings.push(Draft { requirement: requirement.to_string(), keyword: None, message, expected, actual, hint: None });
    };
    let response = match &exchange.reply {
        Reply::Response(message) => message,
        Reply::NoResponse(why) => {
            fail(requirement, format!("`{method}` got no response"), "a response".into(), why.clone());
            return outcome;
        }
        Reply::TooLarge(why) => {
            outcome.inconclusive.push(format!("`{method}`: {why}"));
            return outcome;
        }
    };
    let want_error = step.expect.error_code.is_some() || step.expect.outcome == Some(Outcome::Error);
    let got_error = response.get("error").is_some();
    if step.expect.outcome.is_some() || step.expect.error_code.is_some() {
        if want_error != got_error {
            let expected = match step.expect.error_code {
                Some(code) => format!("an error with code {code}"),
                None if want_error => "an error".into(),
                None => "a result".into(),
            };
            fail(requirement, format!("`{method}` was answered with the wrong kind of response"), expected, clip(&response.to_string(), 500));
            return outcome;
        }
        if let Some(code) = step.expect.error_code {
            let got = response.pointer("/error/code");
            if got != Some(&Value::from(code)) {
                let actual = got.map_or("no code".to_string(), |c| format!("code {c}: {}", clip(&response["error"].to_string(), 300)));
                fail(requirement, format!("`{method}` was answered with the wrong error code"), format!("error code {code}"), actual);
                return outcome;
            }
        }
    }
    let document = exchange_document(exchange, response);
    for assert in &step.asserts {
        // Only Streamable HTTP answers a request in the POST's own response;
        // stdio has no status, and HTTP+SSE answers every POST with 202.
        if assert.pointer.starts_with("/http") && transport != Kind::StreamableHttp {
            continue;
        }
        if let Err((expected, actual)) = evaluate(assert, &document, version, variables) {
            let requirement = assert.requirement.as_deref().unwrap_or(requirement);
            fail(requirement, format!("`{method}`: `{}` is not as required", assert.pointer), expected, actual);
        }
    }
    outcome
}

/// `{"request", "response", "http": {"status", "headers"}}`, the document asserts point into.
fn exchange_document(exchange: &Exchange, response: &Value) -> Value {
    let http = exchange.http.as_ref().map(|head| {
        let headers: Map<String, Value> = head.headers.iter().map(|(n, v)| (n.clone(), Value::from(v.as_str()))).collect();
        json!({ "status": head.status, "headers": headers })
    });
    json!({ "request": exchange.request, "response": response, "http": http })
}

/// Evaluate one assert; on failure, (expected, actual).
fn evaluate(assert: &Assert, document: &Value, version: &str, variables: &Map<String, Value>) -> Result<(), (String, String)> {
    let found = document.pointer(&assert.pointer);
    let shown = || found.map_or("nothing there".to_string(), |v| clip(&v.to_string(), 300));
    // A variable no step captured stays as written, and so fails to match.
    let sub = |v: &Value| {
        let v = substitute(v, version);
        fill(&v, variables).unwrap_or(v)
    };
    if let Some(present) = assert.present {
        if found.is_some() != present {
            return Err((if present { "present" } else { "absent" }.into(), shown()));
        }
    }
    if let Some(expected) = &assert.equals {
        let expected = sub(expected);
        if found != Some(&expected) {
            return Err((expected.to_string(), shown()));
        }
    }
    if let Some(unwanted) = &assert.not_equals {
        let unwanted = sub(unwanted);
        if found.is_none() || found == Some(&unwanted) {
            return Err((format!("present and not {unwanted}"), shown()));
        }
    }
    if let Some(options) = &assert.one_of {
        let options: Vec<Value> = options.iter().map(sub).collect();
        if !found.is_some_and(|v| options.contains(v)) {
            return Err((format!("one of {}", Value::Array(options)), shown()));
        }
    }
    if let Some(wanted) = &assert.json_type {
        let actual = found.map(|v| if v.is_i64() || v.is_u64() { "integer" } else { type_name(v) });
        let ok = actual == Some(wanted.as_str()) || (wanted == "number" && actual == Some("integer"));
        if !ok {
            return Err((format!("a JSON {wanted}"), actual.map_or(shown(), |t| format!("a JSON {t}: {}", shown()))));
        }
    }
    if let Some(non_empty) = assert.non_empty {
        let empty = match found {
            Some(Value::Array(a)) => Some(a.is_empty()),
            Some(Value::Object(o)) => Some(o.is_empty()),
            Some(Value::String(s)) => Some(s.is_empty()),
            _ => None,
        };
        if empty != Some(!non_empty) {
            return Err((if non_empty { "not empty" } else { "empty" }.into(), shown()));
        }
    }
    if let Some(item) = &assert.contains {
        let item = sub(item);
        if !found.and_then(Value::as_array).is_some_and(|a| a.contains(&item)) {
            return Err((format!("an array containing {item}"), shown()));
        }
    }
    Ok(())
}

/// Replace `$version` in every string of a value.
pub fn substitute(value: &Value, version: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("$version", version)),
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, version)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute(v, version))).collect()),
        other => other.clone(),
    }
}

/// Replace every string that is exactly `$name` by the value captured as
/// `name` (of any JSON type); `Err` names a variable nothing captured.
pub fn fill(value: &Value, variables: &Map<String, Value>) -> Result<Value, String> {
    match value {
        Value::String(s) => match s.strip_prefix('$').filter(|name| crate::case::is_variable_name(name)) {
            Some(name) => variables.get(name).cloned().ok_or_else(|| {
                format!("`${name}` has no value: no earlier step captured it (for a check, the server offers nothing it could use)")
            }),
            None => Ok(value.clone()),
        },
        Value::Array(items) => items.iter().map(|v| fill(v, variables)).collect::<Result<_, _>>().map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| fill(v, variables).map(|v| (k.clone(), v)))
            .collect::<Result<_, _>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

/// Cut text to `max` characters, saying how much was cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}… ({} more bytes)", &text[..cut], text.len() - cut),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
