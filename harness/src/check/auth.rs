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
use crate::version::{at_least, era, Era};

/// The RFC 9728 well-known path.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";
/// The RFC 8414 well-known path of authorization server metadata.
const SERVER_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// Where a 2025-03-26 client looks when that metadata is missing: (path, method).
const DEFAULT_ENDPOINTS: [(&str, &str); 3] = [("/authorize", "GET"), ("/token", "POST"), ("/register", "POST")];

/// Bearer tokens the user supplies for the refusal checks.
#[derive(Debug, Clone, Default)]
pub struct TestTokens {
    /// A token the server's authorization server would issue, but for another resource (`aud`).
    pub foreign_audience: Option<String>,
    /// A token for this server that has expired.
    pub expired: Option<String>,
    /// A valid token for this server lacking a scope `tools/call` needs.
    pub narrow_scope: Option<String>,
    /// A valid token for this server whose `aud` has an upper-case scheme and host.
    pub upper_case_resource: Option<String>,
}

fn draft(requirement: &str, message: String, expected: &str, actual: String) -> Draft {
    Draft { requirement: requirement.into(), keyword: Some("MUST"), message, expected: expected.into(), actual, hint: None }
}

/// A token no authorization server issued: not even a JWT.
const INVALID_TOKEN: &str = "mcp-conform-invalid-token-0b6f2e";
/// The first version that says what a 401 challenge holds (AUTH-008).
const CHALLENGE_SINCE: &str = "2025-06-18";
/// The scope that asks for refresh tokens (AUTH-014).
const OFFLINE_ACCESS: &str = "offline_access";

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
pub(super) async fn unauthenticated(probe: &Probe<'_>) -> Result<ProbeResponse, StepOutcome> {
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

pub(super) fn probe_of<'a>(context: &CaseContext<'a>) -> Result<Probe<'a>, StepOutcome> {
    Probe::new(context).ok_or_else(|| StepOutcome { not_applicable: Some("authorization applies to HTTP transports".into()), ..StepOutcome::default() })
}

/// AUTH-008, AUTH-010, L-AUTH-001: a request without a token is refused with
/// 401 and a Bearer `WWW-Authenticate` (naming `resource_metadata` in 2025-06-18).
/// In 2025-03-26 only the status is judged (AUTH-010): the challenge's form
/// is a rule from 2025-06-18 on (AUTH-008).
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
    if !at_least(probe.version(), CHALLENGE_SINCE) {
        return StepOutcome::default();
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
    StepOutcome { findings: challenge_scope(probe.version(), header), ..StepOutcome::default() }
}

/// AUTH-005, AUTH-014: the challenge names the scopes needed (since
/// 2025-11-25), and not `offline_access` (2026-07-28).
fn challenge_scope(version: &str, header: &str) -> Vec<Draft> {
    let shown = format!("WWW-Authenticate: {header}");
    let scope = challenge_param(header, "scope");
    let mut findings = Vec::new();
    if scope.is_none() && at_least(version, "2025-11-25") {
        findings.push(Draft {
            keyword: Some("SHOULD"),
            ..draft("AUTH-005", "the 401 challenge has no scope parameter".into(), "WWW-Authenticate: Bearer …, scope=\"the scopes the request needs\"", shown.clone())
        });
    }
    let offline = scope.is_some_and(|s| s.split_whitespace().any(|s| s == OFFLINE_ACCESS));
    if offline && at_least(version, "2026-07-28") {
        findings.push(Draft {
            keyword: Some("SHOULD NOT"),
            ..draft("AUTH-014", format!("the 401 challenge asks for `{OFFLINE_ACCESS}`"), "scopes the request needs, without offline_access", shown)
        });
    }
    findings
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
        return judge_metadata(&url, &answer, probe.version());
    }
    found(draft(
        "AUTH-004",
        "no Protected Resource Metadata was found: not named in the challenge, not at the well-known URIs".into(),
        "resource_metadata in WWW-Authenticate, or the document at /.well-known/oauth-protected-resource[/path]",
        tried.join("; "),
    ))
}

fn judge_metadata(url: &reqwest::Url, answer: &ProbeResponse, version: &str) -> StepOutcome {
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
    let scopes = document.get("scopes_supported").and_then(Value::as_array);
    let offline = scopes.is_some_and(|list| list.iter().any(|s| s.as_str() == Some(OFFLINE_ACCESS)));
    if offline && at_least(version, "2026-07-28") {
        return found(Draft {
            keyword: Some("SHOULD NOT"),
            ..draft("AUTH-014", format!("the metadata at {url} lists `{OFFLINE_ACCESS}` in scopes_supported"), "scopes_supported without offline_access", clip(&answer.body, 300))
        });
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

/// AUTH-006: a token no authorization server issued is refused.
pub async fn invalid_token(context: &CaseContext<'_>) -> StepOutcome {
    let token = INVALID_TOKEN.to_string();
    refuses(context, Some(&token), "", "a token no authorization server issued", "AUTH-006").await
}

/// AUTH-008: an expired token is refused.
pub async fn expired(context: &CaseContext<'_>) -> StepOutcome {
    let tokens = &context.options.auth_tokens;
    refuses(context, tokens.expired.as_ref(), "--auth-token-expired", "an expired token", "AUTH-008").await
}

/// AUTH-016: a token whose audience writes the resource URL's scheme and
/// host in upper case names this server all the same (SHOULD accept).
pub async fn upper_case_resource(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = unauthenticated(&probe).await {
        return outcome;
    }
    let Some(token) = context.options.auth_tokens.upper_case_resource.as_ref() else {
        return inconclusive("no token with an upper-case resource to present: pass one with --auth-token-upper-case-resource".into());
    };
    let what = "a token whose audience has an upper-case scheme and host";
    let request = opening_request(&probe).header("authorization", &format!("Bearer {token}"));
    let answer = match probe.send(what, request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.is_success() {
        return StepOutcome::default();
    }
    if answer.status != 401 {
        return inconclusive(format!("{what} was answered {}: not a token refusal", answer.summary()));
    }
    found(Draft {
        keyword: Some("SHOULD"),
        ..draft(
            "AUTH-016",
            format!("{what} was refused with 401"),
            "scheme and host compared case-insensitively: the token names this server",
            format!("WWW-Authenticate: {}; {}", answer.header("www-authenticate").unwrap_or_default(), answer.summary()),
        )
    })
}

/// AUTH-011: a valid token lacking a scope `tools/call` needs gets 403 with
/// a Bearer challenge saying `insufficient_scope`, naming the scopes needed
/// and the resource metadata (SHOULD). The call goes to the first tool the
/// harness may call, in the harness's own session.
pub async fn insufficient_scope(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) if p.kind == Kind::StreamableHttp => p,
        Ok(_) => return StepOutcome { not_applicable: Some("the tool call is probed over Streamable HTTP".into()), ..StepOutcome::default() },
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = unauthenticated(&probe).await {
        return outcome;
    }
    let Some(token) = context.options.auth_tokens.narrow_scope.as_ref() else {
        return inconclusive("no token lacking a scope to present: pass one with --auth-token-narrow-scope".into());
    };
    let (tool, arguments) = match super::tools::callable_tools(context).await {
        Ok(chosen) => match chosen.into_iter().next() {
            Some(first) => first,
            None => return inconclusive("no tool the harness may call (--call-tools)".into()),
        },
        Err(outcome) => return outcome,
    };
    let version = probe.version().to_string();
    let mut params = serde_json::json!({ "name": tool, "arguments": arguments });
    if era(&version) == Era::Stateless {
        params = crate::session::stateless::with_meta(params, &version);
    }
    let message = crate::jsonrpc::request(&serde_json::json!("mcp-conform-scope"), "tools/call", Some(params));
    let mut headers = probe.session_headers();
    if era(&version) == Era::Stateless {
        headers.extend(crate::session::stateless::mirrored_headers(&message));
    }
    let what = "a token lacking a scope tools/call needs";
    let request = ProbeRequest::post(message).headers(headers).header("authorization", &format!("Bearer {token}"));
    let answer = match probe.send(what, request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.is_success() {
        return inconclusive(format!("`tools/call {tool}` with {what} was served: the token was enough for it"));
    }
    let header = answer.header("www-authenticate").unwrap_or_default();
    let shown = format!("WWW-Authenticate: {header:?}; {}", answer.summary());
    let problem = match answer.status {
        403 if challenge_param(header, "error").as_deref() != Some("insufficient_scope") => Some("the 403 challenge does not say error=\"insufficient_scope\""),
        403 if challenge_param(header, "scope").is_none() => Some("the 403 challenge names no scope"),
        403 if challenge_param(header, "resource_metadata").is_none() => Some("the 403 challenge names no resource_metadata"),
        403 => None,
        401 => Some("the call was refused with 401, as if the token were not valid"),
        _ => return inconclusive(format!("`tools/call {tool}` with {what} was answered {}: not an authorization refusal", answer.summary())),
    };
    match problem {
        None => StepOutcome::default(),
        Some(problem) => found(Draft {
            keyword: Some("SHOULD"),
            ..draft(
                "AUTH-011",
                format!("`tools/call {tool}` with {what}: {problem}"),
                "HTTP 403, WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"…\", resource_metadata=\"…\"",
                shown,
            )
        }),
    }
}

/// The authorization base URL of 2025-03-26: the endpoint with its path discarded.
fn authorization_base(endpoint: &reqwest::Url, path: &str) -> reqwest::Url {
    let mut url = endpoint.clone();
    url.set_path(path);
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// L-AUTH-002 (2025-03-26): a protected server is its own authorization
/// server. It publishes RFC 8414 metadata at
/// `/.well-known/oauth-authorization-server` of its base URL (SHOULD);
/// without it, the default `/authorize`, `/token` and `/register` must be
/// there (MUST). An endpoint counts as there when it answers anything but
/// 404 to a request without parameters (an authorization server refuses
/// such a request with 400).
pub async fn server_metadata(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = unauthenticated(&probe).await {
        return outcome;
    }
    let url = authorization_base(&probe.url, SERVER_WELL_KNOWN);
    // 2025-03-26 §2.3.1: clients send their version during metadata discovery.
    let request = ProbeRequest::get().header("accept", "application/json").header(VERSION_HEADER, probe.version()).without("authorization");
    let answer = match probe.send_to("authorization server metadata", url.clone(), request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.status == 200 {
        return judge_server_metadata(&url, &answer);
    }
    let mut missing = Vec::new();
    let mut seen = Vec::new();
    for (path, method) in DEFAULT_ENDPOINTS {
        let endpoint = authorization_base(&probe.url, path);
        let request = match method {
            "GET" => ProbeRequest::get(),
            _ => ProbeRequest::post(Value::Object(Default::default())),
        };
        let answer = match probe.send_to(&format!("default endpoint {path}"), endpoint, request.without("authorization")).await {
            Ok(answer) => answer,
            Err(why) => return inconclusive(why),
        };
        seen.push(format!("{method} {path}: HTTP {}", answer.status));
        if answer.status == 404 {
            missing.push(path);
        }
    }
    let shown = format!("GET {SERVER_WELL_KNOWN}: HTTP {}; {}", answer.status, seen.join("; "));
    let without_register: Vec<&&str> = missing.iter().filter(|p| **p != "/register").collect();
    let (keyword, message) = if !without_register.is_empty() {
        ("MUST", format!("no authorization server metadata, and the default endpoints {} are missing", missing.join(", ")))
    } else if !missing.is_empty() {
        ("SHOULD", "no authorization server metadata, and no default /register endpoint for dynamic client registration".into())
    } else {
        ("SHOULD", "no authorization server metadata (RFC 8414): clients fall back to the default endpoints".into())
    };
    StepOutcome {
        findings: vec![Draft {
            requirement: "L-AUTH-002".into(),
            keyword: Some(keyword),
            message,
            expected: format!("RFC 8414 metadata at {url}, or else /authorize, /token and /register on the base URL"),
            actual: shown,
            hint: None,
        }],
        ..StepOutcome::default()
    }
}

/// An RFC 8414 document: `issuer`, `response_types_supported` and the two
/// endpoints the authorization code flow uses.
fn judge_server_metadata(url: &reqwest::Url, answer: &ProbeResponse) -> StepOutcome {
    let document: Option<Value> = serde_json::from_str(&answer.body).ok().filter(Value::is_object);
    let Some(document) = document else {
        return found(draft("L-AUTH-002", format!("the metadata at {url} is not a JSON object"), "an RFC 8414 authorization server metadata document", answer.summary()));
    };
    let no_response_types = document.get("response_types_supported").and_then(Value::as_array).is_none_or(Vec::is_empty);
    let lacking: Vec<&str> = ["issuer", "authorization_endpoint", "token_endpoint"]
        .into_iter()
        .filter(|field| !document.get(*field).is_some_and(Value::is_string))
        .chain(no_response_types.then_some("response_types_supported"))
        .collect();
    if lacking.is_empty() {
        return StepOutcome::default();
    }
    found(draft(
        "L-AUTH-002",
        format!("the authorization server metadata at {url} lacks {}", lacking.join(", ")),
        "issuer, authorization_endpoint and token_endpoint (strings) and a non-empty response_types_supported (RFC 8414 §2)",
        clip(&answer.body, 300),
    ))
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

    #[test]
    fn challenges_name_scopes_but_not_offline_access() {
        assert!(challenge_scope("2025-11-25", r#"Bearer resource_metadata="/m", scope="mcp:read""#).is_empty());
        assert_eq!(challenge_scope("2025-11-25", r#"Bearer resource_metadata="/m""#)[0].requirement, "AUTH-005");
        assert!(challenge_scope("2025-06-18", r#"Bearer resource_metadata="/m""#).is_empty());
        let offline = r#"Bearer scope="mcp:read offline_access""#;
        assert!(challenge_scope("2025-11-25", offline).is_empty());
        assert_eq!(challenge_scope("2026-07-28", offline)[0].keyword, Some("SHOULD NOT"));
    }

    #[test]
    fn the_authorization_base_drops_the_path() {
        let endpoint = reqwest::Url::parse("http://127.0.0.1:9/v1/mcp?x=1").unwrap();
        assert_eq!(authorization_base(&endpoint, SERVER_WELL_KNOWN).as_str(), "http://127.0.0.1:9/.well-known/oauth-authorization-server");
    }

    #[test]
    fn server_metadata_needs_the_code_flow_fields() {
        let url = reqwest::Url::parse("http://127.0.0.1:9/.well-known/oauth-authorization-server").unwrap();
        let answer = |body: &str| ProbeResponse { status: 200, headers: Vec::new(), body: body.into() };
        let good = r#"{"issuer":"http://127.0.0.1:9","authorization_endpoint":"http://127.0.0.1:9/authorize","token_endpoint":"http://127.0.0.1:9/token","response_types_supported":["code"]}"#;
        assert!(judge_server_metadata(&url, &answer(good)).findings.is_empty());
        let found = judge_server_metadata(&url, &answer(r#"{"issuer":"http://127.0.0.1:9","response_types_supported":[]}"#));
        assert!(found.findings[0].message.contains("authorization_endpoint, token_endpoint, response_types_supported"), "{:?}", found.findings);
        assert_eq!(judge_server_metadata(&url, &answer("[]")).findings.len(), 1);
    }
}
