//! `--auth` for 2025-03-26 clients: the MCP server is its own OAuth 2.1
//! authorization server (L-AUTH-002). In that revision a client discards the
//! path of the MCP endpoint and looks for RFC 8414 metadata at
//! `/.well-known/oauth-authorization-server` of what is left (falling back to
//! `/authorize`, `/token` and `/register`); later revisions find the
//! authorization server through Protected Resource Metadata instead
//! ([`crate::auth`]). Both are served, so every client finds its way.
//!
//! # Endpoints (all on `http://HOST:PORT`, all public)
//!
//! * `GET /.well-known/oauth-authorization-server`: the metadata: issuer
//!   `http://HOST:PORT`, the three endpoints below, `response_types_supported:
//!   ["code"]`, PKCE `S256` only, public clients (`token_endpoint_auth_method
//!   none`).
//! * `POST /register` (RFC 7591): a JSON body with `redirect_uris` (each
//!   `http://localhost…`, `http://127.0.0.1…` or `https://…`) gets 201 and a
//!   fresh `client_id`; otherwise 400 `invalid_redirect_uri` /
//!   `invalid_client_metadata`.
//! * `GET /authorize?response_type=code&client_id&redirect_uri&code_challenge&code_challenge_method=S256[&state][&scope]`:
//!   approves at once (a test fixture has no user to ask) and redirects
//!   (302) to `redirect_uri` with `code` and `state`. An unknown client or
//!   unregistered `redirect_uri` gets 400 without a redirect; any other
//!   problem redirects with `error=invalid_request` (or `invalid_scope`).
//! * `POST /token` (form-encoded `grant_type=authorization_code`, `code`,
//!   `redirect_uri`, `client_id`, `code_verifier`): a code is good once,
//!   for 60 s, and only with the verifier of its challenge; the answer is a
//!   [token](crate::tokens) for the MCP endpoint (`aud`), valid for an hour,
//!   granting the scopes asked for (`mcp` when none). Errors are 400 with
//!   `invalid_request`, `invalid_grant` or `unsupported_grant_type`.
//!
//! Registered clients and pending codes are kept in memory, at most
//! [`MAX_ENTRIES`] of each (the oldest go first).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::auth::{SCOPE_ALL, SCOPE_READ, SCOPE_TOOLS};
use crate::tokens::{self, Claims};
use crate::transport::origin::OriginPolicy;
use crate::transport::{replies, session_id};

/// The RFC 8414 well-known path.
pub const SERVER_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// The default endpoint paths of 2025-03-26 §2.3.3.
pub const AUTHORIZE: &str = "/authorize";
/// See [`AUTHORIZE`].
pub const TOKEN: &str = "/token";
/// See [`AUTHORIZE`].
pub const REGISTER: &str = "/register";
/// The most registered clients, and the most pending codes, kept.
pub const MAX_ENTRIES: usize = 256;
/// How long an authorization code may wait for its exchange.
const CODE_LIFETIME_SECS: u64 = 60;
/// How long an issued access token is valid.
const TOKEN_LIFETIME_SECS: i64 = 3600;

/// Is `path` one of the authorization server's (public) paths?
pub fn serves(path: &str) -> bool {
    [SERVER_WELL_KNOWN, AUTHORIZE, TOKEN, REGISTER].contains(&path)
}

struct Client {
    id: String,
    redirect_uris: Vec<String>,
}

struct Grant {
    code: String,
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scopes: Vec<String>,
    expires: u64,
}

/// The authorization server of one bound HTTP server.
pub struct AuthorizationServer {
    key: Vec<u8>,
    /// `http://HOST:PORT`: the issuer and the base of every endpoint.
    origin: String,
    /// The MCP endpoint URL: the audience of issued tokens.
    resource: String,
    policy: OriginPolicy,
    clients: Mutex<VecDeque<Client>>,
    grants: Mutex<VecDeque<Grant>>,
}

type Shared = Arc<AuthorizationServer>;

/// An OAuth error body (RFC 6749 §5.2) with `status`.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = replies::json(status, &json!({"error": error, "error_description": description}));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `application/x-www-form-urlencoded` pairs (a query string or a form body).
fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = match tail {
            [high, low, after @ ..] if byte == b'%' => {
                hex(*high).zip(hex(*low)).and_then(|(h, l)| u8::try_from(h * 16 + l).ok()).map(|b| (b, after))
            }
            _ => None,
        };
        rest = match escaped {
            Some((decoded, after)) => {
                out.push(decoded);
                after
            }
            None => {
                out.push(if byte == b'+' { b' ' } else { byte });
                tail
            }
        };
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Redirect URIs of 2025-03-26 §2.7: localhost or HTTPS.
fn redirect_uri_allowed(uri: &str) -> bool {
    ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| uri.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/', '?'])))
        || (uri.starts_with("https://") && uri.len() > "https://".len())
}

/// `BASE64URL(SHA-256(verifier))`, the S256 challenge of RFC 7636.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(hmac_sha256::Hash::hash(verifier.as_bytes()))
}

fn push_bounded<T>(queue: &Mutex<VecDeque<T>>, item: T) {
    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
    if queue.len() >= MAX_ENTRIES {
        queue.pop_front();
    }
    queue.push_back(item);
}

impl AuthorizationServer {
    /// The authorization server for `origin` (`http://HOST:PORT`), issuing
    /// tokens for `resource` signed with `key`.
    pub fn new(key: Vec<u8>, origin: String, resource: String, policy: OriginPolicy) -> AuthorizationServer {
        AuthorizationServer { key, origin, resource, policy, clients: Mutex::default(), grants: Mutex::default() }
    }

    /// The RFC 8414 metadata document.
    pub fn metadata(&self) -> Value {
        let at = |path: &str| format!("{}{path}", self.origin);
        json!({
            "issuer": self.origin,
            "authorization_endpoint": at(AUTHORIZE),
            "token_endpoint": at(TOKEN),
            "registration_endpoint": at(REGISTER),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": [SCOPE_READ, SCOPE_TOOLS, SCOPE_ALL],
        })
    }

    fn register(&self, body: &[u8]) -> Response {
        let Ok(Value::Object(metadata)) = serde_json::from_slice::<Value>(body) else {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_client_metadata", "the body must be a JSON object of client metadata");
        };
        let uris: Option<Vec<String>> = metadata
            .get("redirect_uris")
            .and_then(Value::as_array)
            .filter(|list| !list.is_empty())
            .and_then(|list| list.iter().map(|u| u.as_str().map(str::to_owned)).collect());
        let Some(uris) = uris else {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_redirect_uri", "redirect_uris must be a non-empty array of strings");
        };
        if let Some(bad) = uris.iter().find(|u| !redirect_uri_allowed(u)) {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_redirect_uri", &format!("{bad} is neither a localhost nor an https URL"));
        }
        let id = session_id::generate();
        let answer = json!({
            "client_id": id,
            "client_id_issued_at": tokens::now(),
            "redirect_uris": uris,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        });
        push_bounded(&self.clients, Client { id, redirect_uris: uris });
        replies::json(StatusCode::CREATED, &answer)
    }

    fn authorize(&self, query: &str) -> Response {
        let pairs = form_pairs(query);
        let client_id = field(&pairs, "client_id").unwrap_or_default();
        let redirect_uri = field(&pairs, "redirect_uri").unwrap_or_default();
        let known = self
            .clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|c| c.id == client_id && c.redirect_uris.iter().any(|u| u == redirect_uri));
        if !known {
            // Never redirect to a URI that was not registered for the client.
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "unknown client_id, or a redirect_uri not registered for it");
        }
        let state = field(&pairs, "state");
        let redirect = |params: Vec<(&str, String)>| {
            let mut location = redirect_uri.to_owned();
            let mut separator = if location.contains('?') { '&' } else { '?' };
            for (name, value) in params.into_iter().chain(state.map(|s| ("state", s.to_owned()))) {
                location.push_str(&format!("{separator}{name}={}", percent_encode(&value)));
                separator = '&';
            }
            match HeaderValue::from_str(&location) {
                Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
                Err(_) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the redirect_uri cannot be a Location header"),
            }
        };
        let refuse = |error: &str, description: &str| redirect(vec![("error", error.to_owned()), ("error_description", description.to_owned())]);
        if field(&pairs, "response_type") != Some("code") {
            return refuse("unsupported_response_type", "only response_type=code is supported");
        }
        let challenge = field(&pairs, "code_challenge").unwrap_or_default();
        if challenge.is_empty() || field(&pairs, "code_challenge_method") != Some("S256") {
            return refuse("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256");
        }
        let scopes: Vec<String> = match field(&pairs, "scope").map(str::split_whitespace) {
            Some(asked) => asked.map(str::to_owned).collect(),
            None => vec![SCOPE_ALL.to_owned()],
        };
        if scopes.is_empty() || scopes.iter().any(|s| ![SCOPE_READ, SCOPE_TOOLS, SCOPE_ALL].contains(&s.as_str())) {
            return refuse("invalid_scope", "the scopes offered are mcp:read, mcp:tools and mcp");
        }
        let code = session_id::generate();
        push_bounded(
            &self.grants,
            Grant {
                code: code.clone(),
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                challenge: challenge.to_owned(),
                scopes,
                expires: tokens::now() + CODE_LIFETIME_SECS,
            },
        );
        redirect(vec![("code", code)])
    }

    fn token(&self, body: &[u8]) -> Response {
        let pairs = form_pairs(&String::from_utf8_lossy(body));
        if field(&pairs, "grant_type") != Some("authorization_code") {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only grant_type=authorization_code is supported");
        }
        let (Some(code), Some(verifier)) = (field(&pairs, "code"), field(&pairs, "code_verifier")) else {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "code and code_verifier are required");
        };
        let grant = {
            let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
            // A code is good once, whatever happens next.
            grants.iter().position(|g| g.code == code).and_then(|at| grants.remove(at))
        };
        let Some(grant) = grant else {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown or already used code");
        };
        let matches = grant.expires >= tokens::now()
            && field(&pairs, "client_id") == Some(grant.client_id.as_str())
            && field(&pairs, "redirect_uri") == Some(grant.redirect_uri.as_str())
            && s256_challenge(verifier) == grant.challenge;
        if !matches {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code expired, or client_id, redirect_uri or code_verifier do not match it");
        }
        let scopes: Vec<&str> = grant.scopes.iter().map(String::as_str).collect();
        let token = tokens::mint(&self.key, &Claims::expiring_in(self.resource.clone(), TOKEN_LIFETIME_SECS, &scopes));
        let answer = json!({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECS, "scope": scopes.join(" ")});
        let mut response = replies::json(StatusCode::OK, &answer);
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    fn guarded(&self, headers: &HeaderMap, serve: impl FnOnce() -> Response) -> Response {
        match self.policy.check(headers) {
            Ok(()) => serve(),
            Err(reason) => replies::forbidden(&reason),
        }
    }
}

/// The routes of the authorization server.
pub fn routes(server: Shared) -> Router {
    Router::new()
        .route(SERVER_WELL_KNOWN, get(metadata))
        .route(REGISTER, post(register))
        .route(AUTHORIZE, get(authorize))
        .route(TOKEN, post(token))
        .with_state(server)
}

async fn metadata(State(s): State<Shared>, headers: HeaderMap) -> Response {
    s.guarded(&headers, || replies::json(StatusCode::OK, &s.metadata()))
}

async fn register(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    s.guarded(&headers, || s.register(&body))
}

async fn authorize(State(s): State<Shared>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    s.guarded(&headers, || s.authorize(query.as_deref().unwrap_or_default()))
}

async fn token(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    s.guarded(&headers, || s.token(&body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> AuthorizationServer {
        let policy = OriginPolicy::new("127.0.0.1:4000".parse().unwrap(), true);
        AuthorizationServer::new(b"k".to_vec(), "http://127.0.0.1:4000".into(), "http://127.0.0.1:4000/mcp".into(), policy)
    }

    async fn body(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn location(response: &Response) -> String {
        response.headers().get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
    }

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(form_pairs("a=b%20c&d=e+f&g"), [("a".into(), "b c".into()), ("d".into(), "e f".into()), ("g".into(), String::new())]);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
        // RFC 7636 appendix B.
        assert_eq!(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[tokio::test]
    async fn the_code_flow_issues_a_token_for_the_endpoint() {
        let s = server();
        assert_eq!(s.metadata()["token_endpoint"], "http://127.0.0.1:4000/token");
        let registered = s.register(br#"{"redirect_uris":["http://localhost:9/cb"]}"#);
        assert_eq!(registered.status(), StatusCode::CREATED);
        let client = body(registered).await["client_id"].as_str().unwrap().to_owned();
        let challenge = s256_challenge("verifier-verifier-verifier-verifier-verifier");
        let query = format!("response_type=code&client_id={client}&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&code_challenge={challenge}&code_challenge_method=S256&state=xyz&scope=mcp");
        let redirected = s.authorize(&query);
        assert_eq!(redirected.status(), StatusCode::FOUND);
        let to = location(&redirected);
        assert!(to.starts_with("http://localhost:9/cb?code=") && to.ends_with("&state=xyz"), "{to}");
        let code = to.split("code=").nth(1).unwrap().split('&').next().unwrap();
        let form = format!("grant_type=authorization_code&code={code}&client_id={client}&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&code_verifier=verifier-verifier-verifier-verifier-verifier");
        let issued = body(s.token(form.as_bytes())).await;
        let token = issued["access_token"].as_str().unwrap();
        let audiences = ["http://127.0.0.1:4000/mcp".to_owned()];
        let validation = tokens::Validation { audiences: &audiences, now: tokens::now(), check_audience: true, check_expiry: true };
        assert!(tokens::verify(b"k", token, &validation).is_ok());
        // A code is good once.
        assert_eq!(s.token(form.as_bytes()).status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn bad_requests_are_refused() {
        let s = server();
        assert_eq!(s.register(b"{}").status(), StatusCode::BAD_REQUEST);
        assert_eq!(s.register(br#"{"redirect_uris":["http://evil.example/cb"]}"#).status(), StatusCode::BAD_REQUEST);
        assert_eq!(s.authorize("").status(), StatusCode::BAD_REQUEST);
        assert_eq!(body(s.token(b"")).await["error"], "unsupported_grant_type");
        let client = body(s.register(br#"{"redirect_uris":["https://app.example/cb"]}"#)).await["client_id"].as_str().unwrap().to_owned();
        let no_pkce = s.authorize(&format!("response_type=code&client_id={client}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"));
        assert!(location(&no_pkce).contains("error=invalid_request"));
    }
}
