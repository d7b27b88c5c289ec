//! `url-elicitation` (2025-11-25, L-ELIC-001): a request that cannot go on
//! until the user has finished an interaction at a URL may be refused with
//! `URLElicitationRequiredError` (-32042), and the server may announce the
//! interaction's end with `notifications/elicitation/complete`.
//!
//! On a fresh connection the check opens a 2025-11-25 session declaring
//! URL-mode elicitation besides the harness's usual capabilities (and, over
//! Streamable HTTP, opens the session's GET stream, where notifications
//! outside any request arrive), then calls the tool of the
//! `url-elicitation` role. A -32042 error is judged against the 2025-11-25
//! schema: `data.elicitations` is an array of URL-mode elicitations, each
//! with `mode: "url"`, a string `elicitationId`, a `message` and a valid
//! absolute `url`. Then, for up to [`COMPLETION_WAIT`], every
//! `notifications/elicitation/complete` must name an `elicitationId` of
//! that error. The notification is optional: none at all passes. A tool
//! that answers anything but -32042 leaves the check inconclusive.

use std::time::Duration;

use serde_json::{json, Value};

use super::client_input::inconclusive;
use super::observe;
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::fixtures::unmapped;
use crate::session::stateful::open_declaring;

/// `URLElicitationRequiredError`'s code.
const URL_ELICITATION_REQUIRED: i64 = -32042;

/// The notification that ends a URL-mode elicitation.
const COMPLETE: &str = "notifications/elicitation/complete";

/// How long the check waits for completion notifications.
const COMPLETION_WAIT: Duration = Duration::from_secs(2);

/// How often the transcript is looked at meanwhile.
const POLL: Duration = Duration::from_millis(50);

fn draft(message: String, expected: &str, actual: String) -> Draft {
    observe::draft("L-ELIC-001", "(prose)", message, expected, actual)
}

/// Run the check on the case's fresh connection.
pub async fn required_error(context: &CaseContext<'_>) -> StepOutcome {
    let Some(role) = context.options.fixtures.url_elicitation.clone() else {
        return inconclusive(unmapped("url-elicitation"));
    };
    let version = context.session.version.as_str();
    if version != "2025-11-25" {
        return StepOutcome { not_applicable: Some("URLElicitationRequiredError is the 2025-11-25 way".into()), ..StepOutcome::default() };
    }
    let connection = &context.session.connection;
    let mut capabilities = crate::session::client::capabilities(version);
    capabilities["elicitation"] = json!({ "form": {}, "url": {} });
    if let Err(why) = open_declaring(connection, version, capabilities).await {
        return inconclusive(format!("declaring URL-mode elicitation: {why}"));
    }
    // Over Streamable HTTP, notifications outside any request come on the GET stream (405: none).
    let _ = connection.transport().open_get_stream().await;
    let mark = connection.mark();
    let call = connection.request("tools/call", json!({ "name": role.tool, "arguments": role.arguments }), Vec::new()).await;
    if call.error_code() != Some(URL_ELICITATION_REQUIRED) {
        let answer = observe::unusable(&format!("the url-elicitation tool `{}`", role.tool), &call)
            .unwrap_or_else(|| format!("the url-elicitation tool `{}` did not answer error -32042", role.tool));
        return inconclusive(answer);
    }
    let error = call.error().cloned().unwrap_or(Value::Null);
    let (mut findings, ids) = judge_error(&error);
    let deadline = tokio::time::Instant::now() + COMPLETION_WAIT;
    let mut judged = 0;
    loop {
        let seen = observe::received(&connection.since(mark));
        let completions: Vec<_> = observe::notifications(&seen, COMPLETE).collect();
        for completion in completions.iter().skip(judged) {
            let id = completion.params().get("elicitationId");
            if !id.and_then(Value::as_str).is_some_and(|id| ids.iter().any(|known| known == id)) {
                findings.push(draft(
                    format!("`{COMPLETE}` names an elicitationId the -32042 error did not establish"),
                    &format!("an elicitationId of the error: {}", ids.join(", ")),
                    completion.shown(),
                ));
            }
        }
        judged = completions.len();
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    StepOutcome { findings, ..StepOutcome::default() }
}

/// What is wrong with a -32042 error object, and the `elicitationId`s it
/// establishes.
fn judge_error(error: &Value) -> (Vec<Draft>, Vec<String>) {
    let shown = clip(&error.to_string(), 400);
    let Some(elicitations) = error.pointer("/data/elicitations").and_then(Value::as_array) else {
        let found = draft("the -32042 error has no `data.elicitations` array".into(), ELICITATION_SHAPE, shown);
        return (vec![found], Vec::new());
    };
    let mut findings = Vec::new();
    if elicitations.is_empty() {
        findings.push(draft("the -32042 error lists no elicitation to complete".into(), ELICITATION_SHAPE, shown.clone()));
    }
    let mut ids = Vec::new();
    for (index, elicitation) in elicitations.iter().enumerate() {
        match elicitation_problem(elicitation) {
            Some(problem) => findings.push(draft(format!("data.elicitations[{index}] {problem}"), ELICITATION_SHAPE, shown.clone())),
            None => ids.extend(elicitation.get("elicitationId").and_then(Value::as_str).map(str::to_owned)),
        }
    }
    (findings, ids)
}

/// The shape every listed elicitation must have (ElicitRequestURLParams).
const ELICITATION_SHAPE: &str =
    "data.elicitations: a non-empty array of {mode: \"url\", elicitationId: string, message: string, url: an absolute URL}";

/// What is wrong with one listed elicitation.
fn elicitation_problem(elicitation: &Value) -> Option<String> {
    if !elicitation.is_object() {
        return Some("is not an object".into());
    }
    if elicitation.get("mode").and_then(Value::as_str) != Some("url") {
        return Some("is not a URL-mode elicitation (`mode` is not \"url\")".into());
    }
    if !elicitation.get("elicitationId").is_some_and(Value::is_string) {
        return Some("has no string `elicitationId`".into());
    }
    if !elicitation.get("message").is_some_and(Value::is_string) {
        return Some("has no string `message`".into());
    }
    match elicitation.get("url").and_then(Value::as_str) {
        None => Some("has no string `url`".into()),
        Some(url) => reqwest::Url::parse(url).err().map(|e| format!("has a `url` that is not a valid URL ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(elicitations: Value) -> Value {
        json!({ "code": -32042, "message": "m", "data": { "elicitations": elicitations } })
    }

    #[test]
    fn a_well_formed_error_establishes_its_ids() {
        let good = json!({ "mode": "url", "elicitationId": "e1", "url": "https://example.com/x?e=e1", "message": "go" });
        let (findings, ids) = judge_error(&error(json!([good])));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(ids, ["e1"]);
    }

    #[test]
    fn malformed_elicitations_are_named() {
        let cases = [
            (json!([{ "url": "https://example.com", "message": "go" }]), "not a URL-mode"),
            (json!([{ "mode": "url", "url": "https://example.com", "message": "go" }]), "elicitationId"),
            (json!([{ "mode": "url", "elicitationId": "e", "url": "not a url", "message": "go" }]), "not a valid URL"),
            (json!([{ "mode": "url", "elicitationId": "e", "message": "go" }]), "no string `url`"),
            (json!([]), "no elicitation"),
        ];
        for (elicitations, says) in cases {
            let (findings, ids) = judge_error(&error(elicitations.clone()));
            assert!(findings.iter().any(|f| f.message.contains(says)), "{elicitations}: {findings:?}");
            assert!(ids.is_empty());
        }
        assert_eq!(judge_error(&json!({ "code": -32042, "message": "m" })).0.len(), 1);
    }
}
