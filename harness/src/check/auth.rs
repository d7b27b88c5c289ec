//! Checks on a server that protects itself as an OAuth 2.1 resource server
//! (the authorization chapter): the challenge an unauthenticated request
//! gets, the Protected Resource Metadata it leads to, and the refusal of
//! tokens that are expired or minted for another resource.
//!
//! A server that serves requests without credentials does not protect
//! itself (authorization is optional, AUTH-001): these cases are then "not
//! applicable". Tokens for the refusal checks come from the user
//! ([`TestTokens`]); without one the check is inconclusive.

use serde_json::Value;

use super::probe::{challenge_param, Probe, ProbeRequest, ProbeResponse, SESSION_HEADER, VERSION_HEADER};
use crate::execute::{clip, CaseContext, Draft, StepOutcome};
use crate::transport::Kind;
use crate::version::{era, Era};

/// The RFC 9728 well-known path.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Bearer tokens the user supplies for the refusal checks.
#[derive(Debug, Clone, Default)]
pub struct TestTokens {
    /// A token the server's authorization server would issue, but for another resource (`aud`).
    pub foreign_audience: Option<String>,
    /// A token for this server that has expired.
    pub expired: Option<String>,
}

fn draft(requirement: &str, message: String, expected: &str, actual: String) -> Draft {
    Draft { requirement: requirement.into(), keyword: Some("MUST"), message, expected: expected.into(), actual, hint: None }
}

fn found(draft: Draft) -> StepOutcome {
    StepOutcome { findings: vec![draft], ..StepOutcome::default() }
}

fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// The request that opens a connection, without a session: `initialize`
/// (`server/discover` in 2026-07-28) on Streamable HTTP, the stream GET on HTTP+SSE.
fn opening_request(probe: &Probe<'_>) -> ProbeRequest {
    if probe.kind == Kind::Sse {
        return ProbeRequest::get();
    }
    match era(probe.version()) {
        Era::Stateful => ProbeRequest::post(probe.initialize("mcp-conform-auth")).without(SESSION_HEADER).without(VERSION_HEADER),
        Era::Stateless => {
            let (body, headers) = probe.harmless_request("mcp-conform-auth");
            ProbeRequest::post(body).headers(headers)
        }
    }
}

/// The server's answer to a request without credentials, when it is a
/// refusal; otherwise the verdict (not applicable, inconclusive).
async fn unauthenticated(probe: &Probe<'_>) -> Result<ProbeResponse, StepOutcome> {
    let answer = probe.send("no credentials", opening_request(probe).without("authorization")).await.map_err(inconclusive)?;
    if answer.is_success() {
        let why = format!("the server answered a request without credentials with HTTP {}: it does not require authorization (optional, AUTH-001)", answer.status);
        return Err(StepOutcome { not_applicable: Some(why), ..StepOutcome::default() });
    }
    if answer.status != 401 && answer.status != 403 {
        return Err(inconclusive(format!("a request without credentials was answered {}: not an authorization refusal", answer.summary())));
    }
    Ok(answer)
}

fn probe_of<'a>(context: &CaseContext<'a>) -> Result<Probe<'a>, StepOutcome> {
    Probe::new(context).ok_or_else(|| StepOutcome { not_applicable: Some("authorization applies to HTTP transports".into()), ..StepOutcome::default() })
}

/// AUTH-008, AUTH-010, L-AUTH-001: a request without a token is refused with
/// 401 and a Bearer `WWW-Authenticate` (naming `resource_metadata` in 2025-06-18).
pub async fn challenge(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let answer = match unauthenticated(&probe).await {
        Ok(answer) => answer,
        Err(outcome) => return outcome,
    };
    if answer.status != 401 {
        return found(draft(
            "AUTH-010",
            "a request without credentials was refused with another status than 401".into(),
            "HTTP 401 Unauthorized",
            answer.summary(),
        ));
    }
    let header = answer.header("www-authenticate").unwrap_or_default();
    if !header.trim_start().to_ascii_lowercase().starts_with("bearer") {
        return found(draft(
            "AUTH-008",
            "a 401 without a Bearer WWW-Authenticate challenge".into(),
            "WWW-Authenticate: Bearer resource_metadata=\"…\" (RFC 6750 §3, RFC 9728 §5.1)",
            format!("WWW-Authenticate: {header:?}; {}", answer.summary()),
        ));
    }
    if probe.version() == "2025-06-18" && challenge_param(header, "resource_metadata").is_none() {
        return found(draft(
            "L-AUTH-001",
            "the 401 challenge does not name resource_metadata (required in 2025-06-18)".into(),
            "WWW-Authenticate: Bearer resource_metadata=\"…\"",
            format!("WWW-Authenticate: {header}"),
        ));
    }
    StepOutcome::default()
}

/// Same scheme, host and port: the only metadata URLs the harness follows.
fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// Where the metadata may be, in the order a client looks: the challenge's
/// `resource_metadata`, then the path-inserted and the root well-known URI.
fn metadata_locations(endpoint: &reqwest::Url, challenge: Option<&str>) -> Result<Vec<reqwest::Url>, String> {
    let mut locations = Vec::new();
    if let Some(named) = challenge.and_then(|c| challenge_param(c, "resource_metadata")) {
        let url = endpoint.join(&named).map_err(|e| format!("resource_metadata {named:?} is not a URL: {e}"))?;
        if !same_origin(&url, endpoint) {
            return Err(format!("resource_metadata names {url}, on another origin than the server: not fetched"));
        }
        locations.push(url);
    }
    let path = endpoint.path().trim_end_matches('/');
    for well_known in [format!("{WELL_KNOWN}{path}"), WELL_KNOWN.to_string()] {
        let mut url = endpoint.clone();
        url.set_path(&well_known);
        url.set_query(None);
        if !locations.contains(&url) {
            locations.push(url);
        }
    }
    Ok(locations)
}

/// AUTH-002, AUTH-003, AUTH-004: a protected server publishes Protected
/// Resource Metadata where a client finds it, naming an authorization server.
pub async fn metadata(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let refusal = match unauthenticated(&probe).await {
        Ok(answer) => answer,
        Err(outcome) => return outcome,
    };
    let locations = match metadata_locations(&probe.url, refusal.header("www-authenticate")) {
        Ok(locations) => locations,
        Err(why) => return inconclusive(why),
    };
    let mut tried = Vec::new();
    for url in locations {
        let request = ProbeRequest::get().header("accept", "application/json").without("authorization");
        let answer = match probe.send_to("metadata", url.clone(), request).await {
            Ok(answer) => answer,
            Err(why) => return inconclusive(why),
        };
        if answer.status != 200 {
            tried.push(format!("{url}: HTTP {}", answer.status));
            continue;
        }
        return judge_metadata(&url, &answer);
    }
    found(draft(
        "AUTH-004",
        "no Protected Resource Metadata was found: not named in the challenge, not at the well-known URIs".into(),
        "resource_metadata in WWW-Authenticate, or the document at /.well-known/oauth-protected-resource[/path]",
        tried.join("; "),
    ))
}

fn judge_metadata(url: &reqwest::Url, answer: &ProbeResponse) -> StepOutcome {
    let document: Option<Value> = serde_json::from_str(&answer.body).ok().filter(Value::is_object);
    let Some(document) = document else {
        return found(draft(
            "AUTH-002",
            format!("the metadata at {url} is not a JSON object"),
            "an RFC 9728 Protected Resource Metadata document",
            answer.summary(),
        ));
    };
    if !document.get("resource").is_some_and(Value::is_string) {
        return found(draft(
            "AUTH-002",
            format!("the metadata at {url} has no `resource` (RFC 9728 §2: required)"),
            "a `resource` string: the server's resource identifier",
            clip(&answer.body, 300),
        ));
    }
    let servers = document.get("authorization_servers").and_then(Value::as_array);
    if !servers.is_some_and(|list| !list.is_empty() && list.iter().all(Value::is_string)) {
        return found(draft(
            "AUTH-003",
            format!("the metadata at {url} names no authorization server"),
            "`authorization_servers`: a non-empty array of issuer URLs",
            clip(&answer.body, 300),
        ));
    }
    StepOutcome::default()
}

/// Present `token` instead of the user's; the server must answer 401.
async fn refuses(
    context: &CaseContext<'_>,
    token: Option<&String>,
    flag: &str,
    what: &str,
    requirement_if_served: &str,
) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = unauthenticated(&probe).await {
        return outcome;
    }
    let Some(token) = token else {
        return inconclusive(format!("no {what} to present: pass one with {flag}"));
    };
    let request = opening_request(&probe).header("authorization", &format!("Bearer {token}"));
    let answer = match probe.send(what, request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.status == 401 {
        return StepOutcome::default();
    }
    let requirement = if answer.is_success() { requirement_if_served } else { "AUTH-008" };
    found(draft(
        requirement,
        format!("a request bearing {what} was not refused with 401"),
        "HTTP 401 Unauthorized (error=\"invalid_token\")",
        answer.summary(),
    ))
}

/// AUTH-007: a token minted for another resource is refused.
pub async fn foreign_audience(context: &CaseContext<'_>) -> StepOutcome {
    let tokens = &context.options.auth_tokens;
    refuses(context, tokens.foreign_audience.as_ref(), "--auth-token-foreign-audience", "a token for another audience", "AUTH-007")
        .await
}

/// AUTH-008: an expired token is refused.
pub async fn expired(context: &CaseContext<'_>) -> StepOutcome {
    let tokens = &context.options.auth_tokens;
    refuses(context, tokens.expired.as_ref(), "--auth-token-expired", "an expired token", "AUTH-008").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_looked_for_where_clients_look() {
        let endpoint = reqwest::Url::parse("http://127.0.0.1:9/mcp").unwrap();
        let found = metadata_locations(&endpoint, None).unwrap();
        let found: Vec<&str> = found.iter().map(reqwest::Url::as_str).collect();
        assert_eq!(found, ["http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp", "http://127.0.0.1:9/.well-known/oauth-protected-resource"]);
        let named = metadata_locations(&endpoint, Some(r#"Bearer resource_metadata="/meta""#)).unwrap();
        assert_eq!(named[0].as_str(), "http://127.0.0.1:9/meta");
        assert!(metadata_locations(&endpoint, Some(r#"Bearer resource_metadata="http://elsewhere.example/m""#)).is_err());
    }
}
