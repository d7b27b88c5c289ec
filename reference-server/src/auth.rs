//! `--auth`: the HTTP transports as an OAuth 2.1 resource server (AUTH-002 …
//! AUTH-016). The server implements no authorization server: it names a
//! (fake) issuer and accepts the self-contained [tokens](crate::tokens) that
//! tests mint with the same key.
//!
//! # Endpoints
//!
//! * `GET /.well-known/oauth-protected-resource<ENDPOINT>` (`/mcp` or
//!   `/sse`): the Protected Resource Metadata (RFC 9728) of the endpoint:
//!   `{"resource": "http://HOST:PORT/mcp", "authorization_servers": [ISSUER],
//!   "scopes_supported": ["mcp:read", "mcp:tools"], "bearer_methods_supported":
//!   ["header"], "resource_name": …}`. This is the URL every challenge names.
//! * `GET /.well-known/oauth-protected-resource`: the same document for the
//!   root, whose `resource` is `http://HOST:PORT` (RFC 9728 §3.3: the
//!   resource is the URL the well-known path was inserted into).
//!
//! Both are public (no token needed) and pass the origin policy like every
//! other request. `HOST:PORT` is the bound address, as announced on stdout.
//!
//! # Every other request
//!
//! needs `Authorization: Bearer <token>` (AUTH-006), checked after the origin
//! policy and before anything else. Tokens whose `aud` names either
//! resource URL above are for this server (AUTH-007).
//!
//! | request | status | `WWW-Authenticate` |
//! | ------- | ------ | ------------------ |
//! | no `Authorization`, or another scheme | 401 | `Bearer resource_metadata="…", scope="…"` |
//! | bad signature, expired, wrong audience, no `exp`, malformed token | 401 | `Bearer error="invalid_token", error_description="…", resource_metadata="…", scope="…"` |
//! | `Authorization` repeated, or `Bearer` without a token | 400 | `Bearer error="invalid_request", …` |
//! | valid token lacking a scope the request needs | 403 | `Bearer error="insufficient_scope", scope="…", resource_metadata="…", error_description="…"` |
//!
//! (AUTH-008, AUTH-010, AUTH-011, L-AUTH-001.) `scope` always names every
//! scope the request needs (AUTH-005, AUTH-012). Bodies are JSON
//! `{"error", "error_description"}`.
//!
//! # Scopes
//!
//! `mcp:read` is needed by every request; `mcp:tools` in addition by a POST
//! carrying `tools/call` (in a batch: any element). `mcp` is the broad scope
//! and covers both: a granted scope covers a needed one when it is equal or
//! a `:`-separated prefix of it (AUTH-015). `offline_access` is never asked
//! for (AUTH-014).
//!
//! A 2026-07-28 `tools/list` lists only the tools the token lets the caller
//! call: all of them with `mcp:tools` (or `mcp`), none without (AUTH-018).
//! Because the list depends on who asks, it says `cacheScope: "private"`
//! (CACHE-006) on every page. Other lists, and the lists of the handshake
//! era, are the same for every token.
//!
//! The same rules apply in every protocol version. For 2025-03-26 clients,
//! which expect the MCP server to be its own authorization server
//! (L-AUTH-002), it also serves RFC 8414 metadata and a minimal code flow
//! with PKCE ([`crate::authorization_server`]) whose tokens pass these checks.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request as HttpRequest, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::authorization_server::{self, AuthorizationServer};
use crate::faults::{Fault, FaultSet};
use crate::tokens::{self, Validation};
use crate::transport::origin::OriginPolicy;
use crate::transport::{replies, MAX_MESSAGE_BYTES};

/// Needed by every request.
pub const SCOPE_READ: &str = "mcp:read";
/// Needed in addition by `tools/call`.
pub const SCOPE_TOOLS: &str = "mcp:tools";
/// The broad scope, covering every `mcp:…` scope.
pub const SCOPE_ALL: &str = "mcp";
/// The RFC 9728 well-known path.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";
/// The issuer named when `--auth-issuer` is not given (`.invalid` never resolves).
pub const DEFAULT_ISSUER: &str = "https://auth.mcp-conform.invalid";

/// The `--auth` part of `--help`.
pub const HELP: &str = "
Authorization (--auth, with --http or --sse):
  GET /.well-known/oauth-protected-resource[/mcp|/sse] is the RFC 9728 metadata; every other request
  needs Authorization: Bearer TOKEN, a JWT signed with HS256 under --auth-key, whose aud is the
  endpoint URL (or the bare http://HOST:PORT), exp in the future, scope granting mcp:read (every
  request) and mcp:tools (tools/call); mcp covers both. Otherwise 401 (403 for missing scopes) with
  WWW-Authenticate: Bearer resource_metadata=\"...\", scope=\"...\".
  mcp-reference-server mint-token --key KEY --aud URL [--exp-in 1h|-60s] [--scope mcp:read]...
";

/// How `--auth` was configured.
#[derive(Clone, Debug)]
pub struct AuthOptions {
    /// The HMAC-SHA256 key tokens are signed with.
    pub key: Vec<u8>,
    /// The authorization server the metadata names.
    pub issuer: String,
}

impl AuthOptions {
    /// Options with a fresh random key; returns the key as the hex text that
    /// is itself the key (so `mint-token --key TEXT` signs with it).
    pub fn generated(issuer: String) -> (AuthOptions, String) {
        let mut bytes = [0u8; 32];
        if getrandom::fill(&mut bytes).is_err() {
            // No OS randomness: fall back to the clock, still unpredictable enough for a test fixture.
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            bytes = hmac_sha256::Hash::hash(&nanos.to_le_bytes());
        }
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        (AuthOptions { key: text.clone().into_bytes(), issuer }, text)
    }
}

/// The protection of one bound HTTP server.
#[derive(Debug)]
pub struct Protected {
    key: Vec<u8>,
    issuer: String,
    /// `http://HOST:PORT/mcp` (or `/sse`).
    resource: String,
    /// `http://HOST:PORT`.
    origin: String,
    /// The path-suffixed metadata URL.
    metadata_url: String,
    endpoint_path: String,
    faults: FaultSet,
    policy: OriginPolicy,
}

/// The scopes a request with `body` needs.
pub fn needed_scopes(body: &[u8]) -> Vec<&'static str> {
    let calls_tool = |m: &Value| m.get("method").and_then(Value::as_str) == Some("tools/call");
    let tools = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items.iter().any(calls_tool),
        Ok(message) => calls_tool(&message),
        Err(_) => false,
    };
    if tools {
        vec![SCOPE_READ, SCOPE_TOOLS]
    } else {
        vec![SCOPE_READ]
    }
}

/// Whether granted scope `granted` covers `needed` (equal, or a
/// `:`-separated prefix: `mcp` covers `mcp:tools`).
pub fn covers(granted: &str, needed: &str) -> bool {
    granted == needed || needed.strip_prefix(granted).is_some_and(|rest| rest.starts_with(':'))
}

/// Text fit for a quoted-string parameter of `WWW-Authenticate` (RFC 6750
/// §3: visible ASCII and space, no `"` or `\`), at most 200 characters.
fn header_text(s: &str) -> String {
    s.chars().take(200).map(|c| if (' '..='~').contains(&c) && c != '"' && c != '\\' { c } else { '?' }).collect()
}

/// An error code of RFC 6750 §3.1 and its description.
struct Challenge<'a> {
    status: StatusCode,
    error: Option<&'static str>,
    description: String,
    scopes: &'a [&'static str],
}

impl Protected {
    /// The protection of a server bound to `bound` whose MCP endpoint is `endpoint_path`.
    pub fn new(options: &AuthOptions, bound: SocketAddr, endpoint_path: &str, faults: FaultSet) -> Protected {
        let origin = format!("http://{bound}");
        Protected {
            key: options.key.clone(),
            issuer: options.issuer.clone(),
            resource: format!("{origin}{endpoint_path}"),
            metadata_url: format!("{origin}{WELL_KNOWN}{endpoint_path}"),
            origin,
            endpoint_path: endpoint_path.to_owned(),
            faults,
            policy: OriginPolicy::new(bound, !faults.contains(Fault::NoOriginCheck))
                .origin_on_post_only(faults.contains(Fault::OriginCheckedOnPostOnly))
                .any_host(faults.contains(Fault::NoHostCheck)),
        }
    }

    /// The endpoint's resource URL (the `aud` tokens should carry).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The URL of the endpoint's metadata document.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The metadata document for `resource`.
    pub fn metadata(&self, resource: &str) -> Value {
        let mut document = json!({
            "resource": resource,
            "authorization_servers": [self.issuer],
            "scopes_supported": self.asked_scopes(&[SCOPE_READ, SCOPE_TOOLS]),
            "bearer_methods_supported": ["header"],
            "resource_name": crate::SERVER_TITLE,
        });
        if self.faults.contains(Fault::AuthMetadataNoAuthorizationServers) {
            document.as_object_mut().map(|d| d.remove("authorization_servers"));
        }
        if self.faults.contains(Fault::AuthMetadataNoResource) {
            document.as_object_mut().map(|d| d.remove("resource"));
        }
        document
    }

    /// `scopes`, plus `offline_access` under the auth-offline-access-requested fault (AUTH-014).
    fn asked_scopes(&self, scopes: &[&str]) -> Vec<String> {
        let extra = self.faults.contains(Fault::AuthOfflineAccessRequested).then_some("offline_access");
        scopes.iter().copied().chain(extra).map(str::to_owned).collect()
    }

    fn respond(&self, c: Challenge<'_>) -> Response {
        let mut params = Vec::new();
        if let Some(error) = c.error {
            params.push(format!("error=\"{error}\""));
            if c.status != StatusCode::FORBIDDEN {
                params.push(format!("error_description=\"{}\"", header_text(&c.description)));
            }
        }
        // The auth-metadata-undiscoverable fault names the metadata nowhere.
        let metadata = (!self.faults.contains(Fault::AuthMetadataUndiscoverable))
            .then(|| format!("resource_metadata=\"{}\"", self.metadata_url));
        let scope = (!self.faults.contains(Fault::AuthChallengeWithoutScope))
            .then(|| format!("scope=\"{}\"", self.asked_scopes(c.scopes).join(" ")));
        if c.status == StatusCode::FORBIDDEN {
            params.extend(scope);
            params.extend(metadata);
            params.push(format!("error_description=\"{}\"", header_text(&c.description)));
        } else {
            params.extend(metadata);
            params.extend(scope);
        }
        let body = json!({"error": c.error.unwrap_or("unauthorized"), "error_description": c.description});
        let mut response = replies::json(c.status, &body);
        let omit = c.status == StatusCode::UNAUTHORIZED && self.faults.contains(Fault::AuthNoWwwAuthenticate);
        if !omit {
            if let Ok(value) = HeaderValue::from_str(&format!("Bearer {}", params.join(", "))) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }

    /// The scopes granted when `headers` carry a token good for `needed`,
    /// else the refusal.
    pub fn authorize(&self, headers: &HeaderMap, needed: &[&'static str]) -> Result<Vec<String>, Box<Response>> {
        let refuse =
            |status, error, description: String| Err(Box::new(self.respond(Challenge { status, error, description, scopes: needed })));
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let Some(value) = values.next() else {
            let status = if self.faults.contains(Fault::AuthMissingToken403) { StatusCode::FORBIDDEN } else { StatusCode::UNAUTHORIZED };
            return refuse(status, None, "this server needs a bearer token".into());
        };
        if values.next().is_some() {
            return refuse(StatusCode::BAD_REQUEST, Some("invalid_request"), "more than one Authorization header".into());
        }
        let Ok(value) = value.to_str() else {
            return refuse(StatusCode::BAD_REQUEST, Some("invalid_request"), "the Authorization header is not visible ASCII".into());
        };
        let (scheme, credentials) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return refuse(
                StatusCode::UNAUTHORIZED,
                None,
                format!("the {} scheme is not accepted; send a bearer token", header_text(scheme)),
            );
        }
        let token = credentials.trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return refuse(StatusCode::BAD_REQUEST, Some("invalid_request"), "malformed Bearer credentials".into());
        }
        if self.faults.contains(Fault::AuthAnyTokenAccepted) {
            return Ok(vec![SCOPE_ALL.to_owned()]);
        }
        let audiences = [self.resource.clone(), self.origin.clone()];
        let validation = Validation {
            audiences: &audiences,
            now: tokens::now(),
            check_audience: !self.faults.contains(Fault::AuthWrongAudienceAccepted),
            check_expiry: !self.faults.contains(Fault::AuthExpiredAccepted),
        };
        let verified = match tokens::verify(&self.key, token, &validation) {
            Ok(v) => v,
            Err(e) => return refuse(StatusCode::UNAUTHORIZED, Some("invalid_token"), e.to_string()),
        };
        if self.faults.contains(Fault::AuthAudienceCaseSensitive) {
            let exact = |a: &String| audiences.iter().any(|r| a.trim_end_matches('/') == r.trim_end_matches('/'));
            if !verified.aud.iter().any(exact) {
                return refuse(StatusCode::UNAUTHORIZED, Some("invalid_token"), "the token is for another audience (compared case-sensitively)".into());
            }
        }
        let missing: Vec<&str> = needed.iter().copied().filter(|n| !verified.scopes.iter().any(|g| covers(g, n))).collect();
        if !missing.is_empty() {
            let (status, error) = if self.faults.contains(Fault::AuthInsufficientScope401) {
                (StatusCode::UNAUTHORIZED, "invalid_token")
            } else {
                (StatusCode::FORBIDDEN, "insufficient_scope")
            };
            return refuse(status, Some(error), format!("this request needs the scope {}", missing.join(" and ")));
        }
        Ok(verified.scopes)
    }
}

/// Adds the metadata documents to `router` and puts every other route
/// behind the bearer-token check.
pub fn protect(router: Router, protected: Arc<Protected>) -> Router {
    let suffixed = format!("{WELL_KNOWN}{}", protected.endpoint_path);
    let mut public = Router::new();
    // Under auth-metadata-undiscoverable the well-known URIs answer 404.
    if !protected.faults.contains(Fault::AuthMetadataUndiscoverable) {
        public = public.route(WELL_KNOWN, get(root_metadata)).route(&suffixed, get(endpoint_metadata));
    }
    let mut router = public.with_state(protected.clone()).merge(router);
    // 2025-03-26 clients look for the server's own authorization server (L-AUTH-002).
    if !protected.faults.contains(Fault::AuthServerMetadataMissing) {
        let p = &protected;
        let server = AuthorizationServer::new(p.key.clone(), p.origin.clone(), p.resource.clone(), p.policy.clone());
        router = router.merge(authorization_server::routes(Arc::new(server)));
    }
    router.layer(middleware::from_fn_with_state(protected, check))
}

fn serve_metadata(p: &Protected, headers: &HeaderMap, resource: &str) -> Response {
    match p.policy.check(headers) {
        Ok(()) => replies::json(StatusCode::OK, &p.metadata(resource)),
        Err(reason) => replies::forbidden(&reason),
    }
}

async fn root_metadata(State(p): State<Arc<Protected>>, headers: HeaderMap) -> Response {
    serve_metadata(&p, &headers, &p.origin)
}

async fn endpoint_metadata(State(p): State<Arc<Protected>>, headers: HeaderMap) -> Response {
    serve_metadata(&p, &headers, &p.resource)
}

async fn check(State(p): State<Arc<Protected>>, request: HttpRequest, next: Next) -> Response {
    // The metadata is public; requests failing the origin policy or the size
    // cap are refused by the transport's own guard (403, 413) as without --auth.
    if request.uri().path().starts_with(WELL_KNOWN)
        || authorization_server::serves(request.uri().path())
        || p.policy.check_request(request.method(), request.headers()).is_err()
        || replies::reject_declared_oversize(request.headers()).is_some()
    {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await else {
        let e = crate::protocol::RpcError::invalid_request(format!("body larger than {MAX_MESSAGE_BYTES} bytes or unreadable"));
        return replies::rpc_error_without_id(StatusCode::PAYLOAD_TOO_LARGE, &e);
    };
    let needed = needed_scopes(&bytes);
    match p.authorize(&parts.headers, &needed) {
        Ok(granted) => {
            let modern_tools_list = is_modern_tools_list(&bytes);
            let response = next.run(HttpRequest::from_parts(parts, Body::from(bytes))).await;
            if modern_tools_list {
                filter_tools_list(response, &granted, p.faults).await
            } else {
                response
            }
        }
        Err(refusal) => *refusal,
    }
}

/// Whether `body` is one 2026-07-28 `tools/list` request (its `_meta`
/// names a protocol version): the list whose tools depend on the token.
fn is_modern_tools_list(body: &[u8]) -> bool {
    let Ok(message) = serde_json::from_slice::<Value>(body) else { return false };
    message.get("method").and_then(Value::as_str) == Some("tools/list")
        && message.pointer("/params/_meta").and_then(Value::as_object).is_some_and(|m| m.contains_key(crate::protocol::meta::PROTOCOL_VERSION))
}

/// AUTH-018, CACHE-006: a 2026-07-28 tool list holds only the tools the
/// token's scopes let the caller call (none without `mcp:tools`), so it
/// depends on who asks and says `cacheScope: "private"` (the
/// `scope-filtered-list-public` fault leaves `"public"`). Only a JSON
/// answer is rewritten (not the one-event stream of `--sse-responses`).
async fn filter_tools_list(response: Response, granted: &[String], faults: FaultSet) -> Response {
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::OK || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await else {
        return replies::rpc_error_without_id(StatusCode::INTERNAL_SERVER_ERROR, &crate::protocol::RpcError::internal("the tool list could not be read"));
    };
    let mut message: Value = match serde_json::from_slice(&bytes) {
        Ok(message) => message,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    if let Some(result) = message.get_mut("result").and_then(Value::as_object_mut) {
        if !granted.iter().any(|g| covers(g, SCOPE_TOOLS)) {
            result.insert("tools".into(), json!([]));
            result.remove("nextCursor");
        }
        let scope = if faults.contains(Fault::ScopeFilteredListPublic) { "public" } else { "private" };
        result.insert("cacheScope".into(), json!(scope));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(message.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{mint, Claims};

    fn protected(faults: FaultSet) -> Protected {
        let options = AuthOptions { key: b"k".to_vec(), issuer: DEFAULT_ISSUER.into() };
        Protected::new(&options, "127.0.0.1:4000".parse().unwrap(), "/mcp", faults)
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        h
    }

    fn challenge(r: &Response) -> String {
        r.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    }

    #[test]
    fn scopes() {
        assert_eq!(needed_scopes(br#"{"method":"tools/call"}"#), [SCOPE_READ, SCOPE_TOOLS]);
        assert_eq!(needed_scopes(br#"[{"method":"ping"},{"method":"tools/call"}]"#), [SCOPE_READ, SCOPE_TOOLS]);
        assert_eq!(needed_scopes(b"junk"), [SCOPE_READ]);
        assert!(covers("mcp", "mcp:tools"));
        assert!(covers("mcp:tools", "mcp:tools"));
        assert!(!covers("mcp:t", "mcp:tools"));
        assert!(!covers("mcp:tools", "mcp"));
    }

    #[test]
    fn decisions() {
        let p = protected(FaultSet::NONE);
        let r = p.authorize(&HeaderMap::new(), &[SCOPE_READ]).unwrap_err();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            challenge(&r),
            "Bearer resource_metadata=\"http://127.0.0.1:4000/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read\""
        );
        let good = mint(b"k", &Claims::expiring_in(p.resource(), 60, &["mcp:read"]));
        assert!(p.authorize(&bearer(&good), &[SCOPE_READ]).is_ok());
        let r = p.authorize(&bearer(&good), &[SCOPE_READ, SCOPE_TOOLS]).unwrap_err();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(challenge(&r).starts_with("Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:tools\""), "{}", challenge(&r));
        let broad = mint(b"k", &Claims::expiring_in("http://127.0.0.1:4000", 60, &["mcp"]));
        assert!(p.authorize(&bearer(&broad), &[SCOPE_READ, SCOPE_TOOLS]).is_ok());
        let foreign = mint(b"k", &Claims::expiring_in("http://127.0.0.1:4001/mcp", 60, &["mcp"]));
        let r = p.authorize(&bearer(&foreign), &[SCOPE_READ]).unwrap_err();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&r).starts_with("Bearer error=\"invalid_token\", error_description=\"the token is for another audience"));
        assert!(protected(FaultSet::only(Fault::AuthWrongAudienceAccepted)).authorize(&bearer(&foreign), &[SCOPE_READ]).is_ok());
        let no_header = protected(FaultSet::only(Fault::AuthNoWwwAuthenticate));
        let r = no_header.authorize(&HeaderMap::new(), &[SCOPE_READ]).unwrap_err();
        assert_eq!((r.status(), challenge(&r).as_str()), (StatusCode::UNAUTHORIZED, ""));
        let mut two = bearer(&good);
        two.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert_eq!(p.authorize(&two, &[SCOPE_READ]).unwrap_err().status(), StatusCode::BAD_REQUEST);
        let mut basic = HeaderMap::new();
        basic.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic dXNlcjpwdw=="));
        let r = p.authorize(&basic, &[SCOPE_READ]).unwrap_err();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(!challenge(&r).contains("error="));
    }

    #[test]
    fn header_text_is_safe() {
        assert_eq!(header_text("a\"b\\c\u{e9}\n"), "a?b?c??");
    }
}
