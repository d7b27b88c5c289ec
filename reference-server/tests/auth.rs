//! `--auth` over Streamable HTTP and HTTP+SSE: the RFC 9728 metadata, the
//! 401/403/400 challenges, every token failure, scopes, and the three
//! `auth-*` faults (which `faults.rs` lists as tested here).

use std::process::Stdio;

use mcp_reference_server::tokens::{self, Claims};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::timeout;

use crate::support::*;

const KEY: &str = "auth-test-key";
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

async fn server(transport: &str, faults: &[&str]) -> HttpServer {
    let mut args = vec![transport, "127.0.0.1:0", "--auth", "--auth-key", KEY];
    for f in faults {
        args.extend(["--fault", f]);
    }
    HttpServer::start(&args).await
}

fn token(aud: &str, exp_in: i64, scopes: &[&str]) -> String {
    tokens::mint(KEY.as_bytes(), &Claims::expiring_in(aud, exp_in, scopes))
}

fn endpoint_path(s: &HttpServer) -> &str {
    &s.url[s.base.len()..]
}

fn metadata_url(s: &HttpServer) -> String {
    format!("{}{WELL_KNOWN}{}", s.base, endpoint_path(s))
}

/// A 2026-07-28 request over Streamable HTTP with mirrored headers and `Authorization: auth`.
async fn post_modern(s: &HttpServer, message: &Value, auth: Option<&str>) -> Reply {
    let method = message["method"].as_str().unwrap();
    let mut headers = vec![("MCP-Protocol-Version", MODERN), ("Mcp-Method", method)];
    if let Some(name) = message["params"]["name"].as_str() {
        headers.push(("Mcp-Name", name));
    }
    if let Some(auth) = auth {
        headers.push(("Authorization", auth));
    }
    s.post(&headers, &message.to_string()).await
}

fn tools_list() -> Value {
    modern(1, "tools/list", json!({}))
}

fn echo() -> Value {
    modern(2, "tools/call", json!({"name": "echo", "arguments": {"message": "hi"}}))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A request on the transport's own entry point: the modern `tools/list`
/// POST (Streamable HTTP) or `GET /sse` (HTTP+SSE; only the status and
/// headers are read).
async fn probe(s: &HttpServer, auth: Option<&str>) -> (StatusCode, Option<String>) {
    if endpoint_path(s) == "/mcp" {
        let r = post_modern(s, &tools_list(), auth).await;
        return (r.status, r.header("www-authenticate").map(str::to_owned));
    }
    let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
    let r = s.open_get(&s.url, &headers).await;
    (r.status(), r.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned()))
}

#[tokio::test]
async fn metadata_documents_name_the_resource_and_an_authorization_server() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &[]).await;
        for (url, resource) in [(metadata_url(&s), s.url.clone()), (format!("{}{WELL_KNOWN}", s.base), s.base.clone())] {
            let r = s.send(Method::GET, &url, &[], None).await;
            assert_eq!(r.status, StatusCode::OK, "{url}");
            assert!(r.content_type().starts_with("application/json"));
            let doc = r.json();
            assert_eq!(doc["resource"], resource, "{doc}");
            let servers = doc["authorization_servers"].as_array().expect("authorization_servers");
            assert!(!servers.is_empty() && servers.iter().all(Value::is_string));
            let scopes = doc["scopes_supported"].as_array().unwrap();
            assert!(!scopes.contains(&json!("offline_access")));
            assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        }
        // The metadata is subject to the origin policy too.
        let r = s.send(Method::GET, &metadata_url(&s), &[("Origin", "http://evil.example")], None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn no_token_is_401_with_resource_metadata() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &[]).await;
        let (status, challenge) = probe(&s, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{transport}");
        let expected = format!("Bearer resource_metadata=\"{}\", scope=\"mcp:read\"", metadata_url(&s));
        assert_eq!(challenge.as_deref(), Some(expected.as_str()), "{transport}");
        // Another scheme counts as no bearer token.
        let (status, challenge) = probe(&s, Some("Basic dXNlcjpwYXNz")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(!challenge.unwrap().contains("error="));
    }
    let s = server("--http", &[]).await;
    let r = post_modern(&s, &tools_list(), None).await;
    assert_eq!(r.json()["error"], "unauthorized");
    // A request for a legacy session is refused the same way; so are GET and DELETE.
    let r = s.post(&[], &initialize(1, "2025-06-18").to_string()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for method in [Method::GET, Method::DELETE] {
        let r = s.send(method, &s.url, &[("Mcp-Session-Id", "x")], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn origin_policy_comes_before_authorization() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &[]).await;
        let r = s.send(Method::POST, &s.url, &[("Origin", "http://evil.example")], Some(tools_list().to_string())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{transport}: {}", r.body);
        assert!(r.header("www-authenticate").is_none());
    }
}

#[tokio::test]
async fn valid_tokens_are_served_over_streamable_http() {
    let s = server("--http", &[]).await;
    let auth = bearer(&token(&s.url, 60, &["mcp:read"]));
    let r = post_modern(&s, &tools_list(), Some(&auth)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["result"]["tools"].is_array());
    // A legacy session: every request carries the token.
    let r = s.post(&[("Authorization", &auth)], &initialize(1, "2025-06-18").to_string()).await;
    assert_eq!(r.status, StatusCode::OK);
    let session = r.header("mcp-session-id").unwrap().to_owned();
    let in_session = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", "2025-06-18")];
    let r = s.post(&in_session, &initialized().to_string()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the session id is no credential");
    let with_token = [in_session[0], in_session[1], ("Authorization", auth.as_str())];
    assert_eq!(s.post(&with_token, &initialized().to_string()).await.status, StatusCode::ACCEPTED);
    let r = s.post(&with_token, &request(2, "ping", json!({})).to_string()).await;
    assert_eq!(r.json(), json!({"jsonrpc": "2.0", "id": 2, "result": {}}));
    assert_eq!(s.open_get(&s.url, &in_session).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.open_get(&s.url, &with_token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn valid_tokens_are_served_over_http_sse() {
    let s = server("--sse", &[]).await;
    let auth = bearer(&token(&s.url, 60, &["mcp:read", "mcp:tools"]));
    let get = s.open_get(&s.url, &[("Authorization", &auth)]).await;
    assert_eq!(get.status(), StatusCode::OK);
    let mut events = SseReader::new(get);
    let endpoint = events.next().await.unwrap();
    let post_url = format!("{}{}", s.base, endpoint.data);
    let body = initialize(1, "2024-11-05").to_string();
    let r = s.send(Method::POST, &post_url, &[], Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let expected = format!("Bearer resource_metadata=\"{}\", scope=\"mcp:read\"", metadata_url(&s));
    assert_eq!(r.header("www-authenticate"), Some(expected.as_str()));
    let r = s.send(Method::POST, &post_url, &[("Authorization", &auth)], Some(body)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let answer: Value = serde_json::from_str(&events.next().await.unwrap().data).unwrap();
    assert_eq!(answer["result"]["protocolVersion"], "2024-11-05");
    // A tools/call with a read-only token is refused before it reaches the session.
    let read_only = bearer(&token(&s.url, 60, &["mcp:read"]));
    let call = request(3, "tools/call", json!({"name": "echo", "arguments": {"message": "x"}})).to_string();
    let r = s.send(Method::POST, &post_url, &[("Authorization", &read_only)], Some(call)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:tools\""));
}

#[tokio::test]
async fn every_token_failure_is_401_invalid_token() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &[]).await;
        let other_port = s.url.replace(&s.base, "http://127.0.0.1:1");
        let cases = [
            ("another key", tokens::mint(b"another key", &Claims::expiring_in(&s.url, 60, &["mcp"]))),
            ("expired", token(&s.url, -60, &["mcp"])),
            ("another port", token(&other_port, 60, &["mcp"])),
            ("another path", token(&format!("{}/other", s.base), 60, &["mcp"])),
            ("no aud", tokens::encode(KEY.as_bytes(), &tokens::header(), &json!({"exp": tokens::now() + 60, "scope": "mcp"}))),
            ("no exp", tokens::encode(KEY.as_bytes(), &tokens::header(), &json!({"aud": s.url, "scope": "mcp"}))),
            (
                "not yet valid",
                tokens::encode(
                    KEY.as_bytes(),
                    &tokens::header(),
                    &json!({"aud": s.url, "exp": tokens::now() + 600, "nbf": tokens::now() + 300, "scope": "mcp"}),
                ),
            ),
            (
                "alg none",
                tokens::encode(KEY.as_bytes(), &json!({"alg": "none"}), &json!({"aud": s.url, "exp": tokens::now() + 60, "scope": "mcp"})),
            ),
            ("garbage", "not-a-token".to_owned()),
            ("tampered", format!("{}x", token(&s.url, 60, &["mcp"]))),
        ];
        for (what, bad) in cases {
            let (status, challenge) = probe(&s, Some(&bearer(&bad))).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{transport} {what}");
            let challenge = challenge.unwrap_or_default();
            assert!(challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""), "{transport} {what}: {challenge}");
            assert!(challenge.contains(&format!("resource_metadata=\"{}\"", metadata_url(&s))), "{challenge}");
        }
        let (status, _) = probe(&s, Some(&bearer(&token(&s.url, 60, &["mcp"])))).await;
        assert_eq!(status, StatusCode::OK, "{transport}");
    }
}

#[tokio::test]
async fn malformed_authorization_is_400_invalid_request() {
    let s = server("--http", &[]).await;
    let good = bearer(&token(&s.url, 60, &["mcp"]));
    for headers in [
        vec![("Authorization", good.as_str()), ("Authorization", good.as_str())],
        vec![("Authorization", "Bearer")],
        vec![("Authorization", "Bearer a b")],
    ] {
        let mut all = vec![("MCP-Protocol-Version", MODERN), ("Mcp-Method", "tools/list")];
        all.extend(headers.iter().copied());
        let r = s.post(&all, &tools_list().to_string()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{headers:?}");
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer error=\"invalid_request\""), "{headers:?}");
    }
}

#[tokio::test]
async fn insufficient_scope_is_403_naming_every_needed_scope() {
    let s = server("--http", &[]).await;
    let read_only = bearer(&token(&s.url, 60, &["mcp:read"]));
    assert_eq!(post_modern(&s, &tools_list(), Some(&read_only)).await.status, StatusCode::OK);
    let r = post_modern(&s, &echo(), Some(&read_only)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let expected = format!(
        "Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:tools\", resource_metadata=\"{}\", error_description=\"this request needs the scope mcp:tools\"",
        metadata_url(&s)
    );
    assert_eq!(r.header("www-authenticate"), Some(expected.as_str()));
    assert_eq!(r.json()["error"], "insufficient_scope");
    // Without a token the 401 already names both scopes the call needs.
    let r = post_modern(&s, &echo(), None).await;
    assert!(r.header("www-authenticate").unwrap().ends_with("scope=\"mcp:read mcp:tools\""));
    // A tools-only token lacks mcp:read.
    let tools_only = bearer(&token(&s.url, 60, &["mcp:tools"]));
    let r = post_modern(&s, &tools_list(), Some(&tools_only)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Both scopes, or the broad one, are enough (AUTH-015).
    for scopes in [&["mcp:read", "mcp:tools"][..], &["mcp"]] {
        let r = post_modern(&s, &echo(), Some(&bearer(&token(&s.url, 60, scopes)))).await;
        assert_eq!(r.status, StatusCode::OK, "{scopes:?}");
        assert_eq!(r.json()["result"]["content"][0]["text"], "hi");
    }
}

#[tokio::test]
async fn audience_forms_that_name_this_server() {
    let s = server("--http", &[]).await;
    let shouting = format!("{}/", s.url.replace("http://", "HTTP://"));
    for aud in [s.url.clone(), s.base.clone(), shouting] {
        let r = post_modern(&s, &tools_list(), Some(&bearer(&token(&aud, 60, &["mcp"])))).await;
        assert_eq!(r.status, StatusCode::OK, "{aud}");
    }
    let both = tokens::encode(
        KEY.as_bytes(),
        &tokens::header(),
        &json!({"aud": ["https://other.example", s.url], "exp": tokens::now() + 60, "scope": "mcp"}),
    );
    assert_eq!(post_modern(&s, &tools_list(), Some(&bearer(&both))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn mint_token_subcommand_and_generated_keys() {
    let (status, stdout, _) =
        run_to_end(&["mint-token", "--key", KEY, "--aud", "http://127.0.0.1:9/mcp", "--exp-in", "-60s", "--scope", "mcp:read mcp:tools"])
            .await;
    assert!(status.success());
    let minted = stdout.trim();
    assert_eq!(minted.split('.').count(), 3);
    let auds = ["http://127.0.0.1:9/mcp".to_owned()];
    let lax = tokens::Validation { audiences: &auds, now: tokens::now(), check_audience: true, check_expiry: false };
    assert_eq!(tokens::verify(KEY.as_bytes(), minted, &lax).unwrap().scopes, ["mcp:read", "mcp:tools"]);
    let strict = tokens::Validation { check_expiry: true, ..lax };
    assert!(matches!(tokens::verify(KEY.as_bytes(), minted, &strict), Err(tokens::TokenError::Expired { .. })));
    for bad in [
        &["mint-token", "--aud", "x"][..],
        &["mint-token", "--key", "", "--aud", "x"],
        &["mint-token", "--key", "k", "--aud", "x", "--exp-in", "soon"],
        &["--auth"],
        &["--auth-key", "k"],
        &["--http", "127.0.0.1:0", "mint-token"],
    ] {
        let (status, _, stderr) = run_to_end(bad).await;
        assert_eq!(status.code(), Some(2), "{bad:?}: {stderr}");
    }
    // Without --auth-key the generated key is announced on stderr; tokens minted with it work.
    let mut child = Command::new(bin())
        .args(["--http", "127.0.0.1:0", "--auth"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let note = timeout(TIMEOUT, stderr.next_line()).await.unwrap().unwrap().unwrap();
    let key = note.rsplit(' ').next().unwrap().to_owned();
    let url = timeout(TIMEOUT, stdout.next_line()).await.unwrap().unwrap().unwrap().strip_prefix("listening on ").unwrap().to_owned();
    let (status, stdout, _) = run_to_end(&["mint-token", "--key", &key, "--aud", &url, "--scope", "mcp:read"]).await;
    assert!(status.success());
    let client = reqwest::Client::builder().timeout(TIMEOUT).build().unwrap();
    let r = client
        .post(&url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", MODERN)
        .header("Mcp-Method", "tools/list")
        .header("Authorization", bearer(stdout.trim()))
        .body(tools_list().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    child.kill().await.unwrap();
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn fault_auth_wrong_audience_accepted() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &["auth-wrong-audience-accepted"]).await;
        let foreign = token("https://some-other-server.example/mcp", 60, &["mcp"]);
        let (status, _) = probe(&s, Some(&bearer(&foreign))).await;
        assert_eq!(status, StatusCode::OK, "{transport}");
        // Everything else is still checked.
        let (status, _) = probe(&s, Some(&bearer(&token("https://some-other-server.example/mcp", -60, &["mcp"])))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(probe(&s, None).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn fault_auth_no_www_authenticate() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &["auth-no-www-authenticate"]).await;
        assert_eq!(probe(&s, None).await, (StatusCode::UNAUTHORIZED, None), "{transport}");
        assert_eq!(probe(&s, Some(&bearer(&token(&s.url, -60, &["mcp"])))).await, (StatusCode::UNAUTHORIZED, None));
        // The metadata is still published at the well-known URI.
        assert_eq!(s.send(Method::GET, &metadata_url(&s), &[], None).await.status, StatusCode::OK);
    }
    // 403 keeps its challenge.
    let s = server("--http", &["auth-no-www-authenticate"]).await;
    let r = post_modern(&s, &echo(), Some(&bearer(&token(&s.url, 60, &["mcp:read"])))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("www-authenticate").is_some());
}

#[tokio::test]
async fn fault_auth_expired_accepted() {
    for transport in ["--http", "--sse"] {
        let s = server(transport, &["auth-expired-accepted"]).await;
        let (status, _) = probe(&s, Some(&bearer(&token(&s.url, -3600, &["mcp"])))).await;
        assert_eq!(status, StatusCode::OK, "{transport}");
        let (status, _) = probe(&s, Some(&bearer(&token("https://elsewhere.example/mcp", -3600, &["mcp"])))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the audience is still checked");
    }
}
