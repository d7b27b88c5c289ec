//! The MCP endpoint's HTTP methods in 2026-07-28: a server speaking that
//! revision alone has no GET stream and no sessions to end, so it answers
//! GET and DELETE with 405 (HTTP-031), and it refuses a request without
//! `MCP-Protocol-Version` (HTTP-019). Which revisions a server speaks comes
//! from `server/discover` and from an `initialize` probe for 2025-03-26:
//! a dual-era server may list only 2026-07-28 and still serve older
//! clients by the handshake.

use serde_json::{json, Value};

use super::http::{draft, found, inconclusive, not_applicable};
use super::probe::{Probe, ProbeRequest, SESSION_HEADER, VERSION_HEADER};
use crate::execute::{CaseContext, StepOutcome};
use crate::session::RequestOptions;
use crate::transport::Kind;
use crate::version::{era, Era};

/// HTTP-031: GET and DELETE on the endpoint (no session id, the version
/// header of 2026-07-28) are answered 405 by a server that speaks
/// 2026-07-28-era versions only: its `server/discover` lists no other, and
/// it does not answer `initialize` for 2025-03-26. A server that also
/// speaks handshake-era versions answers them by those versions' rules: a
/// 405 passes, anything else is not this rule's business.
pub async fn stateless_methods(context: &CaseContext<'_>) -> StepOutcome {
    let session = context.session;
    if context.transport != Kind::StreamableHttp || era(&session.version) != Era::Stateless {
        return not_applicable("HTTP-031 is about 2026-07-28 Streamable HTTP servers");
    }
    let Some(probe) = Probe::new(context) else {
        return not_applicable("this check needs an HTTP transport");
    };
    let versions = match supported_versions(context).await {
        Ok(versions) => versions,
        Err(outcome) => return outcome,
    };
    let older: Vec<&str> = versions.iter().filter(|v| era(v) != Era::Stateless).map(String::as_str).collect();
    let mut answers = Vec::new();
    for (label, request) in [("GET on the endpoint", ProbeRequest::get()), ("DELETE on the endpoint", ProbeRequest::delete())] {
        match probe.send(label, request.header(VERSION_HEADER, &session.version)).await {
            Ok(answer) => answers.push((label, answer)),
            Err(why) => return inconclusive(why),
        }
    }
    let wrong: Vec<String> = answers.iter().filter(|(_, a)| a.status != 405).map(|(label, a)| format!("{label}: {}", a.summary())).collect();
    if wrong.is_empty() {
        return StepOutcome::default();
    }
    if !older.is_empty() {
        return not_applicable(&format!(
            "the server also speaks {} (server/discover), whose rules its GET and DELETE answers follow",
            older.join(", ")
        ));
    }
    if serves_old_clients(&probe).await {
        return not_applicable(
            "the server also speaks 2025-03-26 (it answers initialize for it, though server/discover does not list it), whose rules its GET and DELETE answers follow",
        );
    }
    found(draft(
        "HTTP-031",
        "SHOULD",
        format!(
            "a server speaking only {} (server/discover; initialize for 2025-03-26 is not served) did not answer GET and DELETE on the MCP endpoint with 405",
            versions.join(", ")
        ),
        "HTTP 405 Method Not Allowed to both",
        wrong.join("; "),
    ))
}

/// The versions `server/discover` lists; `Err` (inconclusive) when it lists none.
async fn supported_versions(context: &CaseContext<'_>) -> Result<Vec<String>, StepOutcome> {
    let discover = context.session.request("server/discover", json!({}), &RequestOptions::default()).await;
    let versions: Vec<String> = discover
        .result()
        .and_then(|r| r.get("supportedVersions"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if versions.is_empty() {
        return Err(inconclusive("server/discover named no supportedVersions: which revisions the server speaks is unknown".into()));
    }
    Ok(versions)
}

/// The versions whose clients did not know `MCP-Protocol-Version` (it came with 2025-06-18).
const HEADERLESS_VERSIONS: [&str; 2] = ["2024-11-05", "2025-03-26"];

/// HTTP-019: a 2026-07-28 request without `MCP-Protocol-Version`. A server
/// that serves clients older than 2025-06-18 (its `server/discover` lists
/// 2024-11-05 or 2025-03-26, or it answers `initialize` for 2025-03-26)
/// may take it as 2025-03-26, so whatever it answers passes; any other server must refuse it as a header validation
/// failure: 400 with -32020. The same request with the header must be
/// served first, or nothing shows that the header made the difference.
pub async fn version_header_required(context: &CaseContext<'_>) -> StepOutcome {
    let session = context.session;
    if context.transport != Kind::StreamableHttp || era(&session.version) != Era::Stateless {
        return not_applicable("HTTP-019 is about 2026-07-28 Streamable HTTP servers");
    }
    let Some(probe) = Probe::new(context) else {
        return not_applicable("this check needs an HTTP transport");
    };
    let versions = match supported_versions(context).await {
        Ok(versions) => versions,
        Err(outcome) => return outcome,
    };
    let (body, mirrored) = probe.harmless_request("mcp-conform-version-header");
    let with_header = ProbeRequest::post(body.clone()).headers(mirrored.clone()).header(VERSION_HEADER, &session.version);
    match probe.send("with MCP-Protocol-Version", with_header).await {
        Ok(answer) if answer.is_success() => {}
        Ok(answer) => return inconclusive(format!("server/discover with every header was answered {}: no control", answer.summary())),
        Err(why) => return inconclusive(why),
    }
    let without = ProbeRequest::post(body).headers(mirrored).without(VERSION_HEADER);
    let answer = match probe.send("without MCP-Protocol-Version", without).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    let listed_old = versions.iter().any(|v| HEADERLESS_VERSIONS.contains(&v.as_str()));
    // MAY assume 2025-03-26: served or refused, either is allowed.
    if listed_old || serves_old_clients(&probe).await {
        return StepOutcome::default();
    }
    let code = message_of(&answer.body).and_then(|m| m.pointer("/error/code").and_then(Value::as_i64));
    if answer.status == 400 && code == Some(-32020) {
        return StepOutcome::default();
    }
    found(draft(
        "HTTP-019",
        "MUST",
        format!(
            "a server serving no client older than 2025-06-18 (server/discover lists {}; initialize for 2025-03-26 is not served) did not refuse a request without MCP-Protocol-Version with 400 and -32020",
            versions.join(", ")
        ),
        "HTTP 400 Bad Request with JSON-RPC error -32020 (the header is required; only servers of pre-2025-06-18 clients may assume 2025-03-26)",
        answer.summary(),
    ))
}

/// Whether the server opens a 2025-03-26 session: `initialize` for that
/// version (no session, no version header, as such a client sends it)
/// answered with that version. A dual-era server may list only 2026-07-28
/// in `server/discover` and still serve older clients by the handshake.
/// The session it opens is ended again with DELETE.
async fn serves_old_clients(probe: &Probe<'_>) -> bool {
    let params = crate::session::stateful::initialize_params("2025-03-26");
    let body = crate::jsonrpc::request(&json!("mcp-conform-old-client"), "initialize", Some(params));
    let request = ProbeRequest::post(body).without(VERSION_HEADER).without(SESSION_HEADER);
    let Ok(answer) = probe.send("initialize for 2025-03-26", request).await else { return false };
    let opened = answer.is_success()
        && message_of(&answer.body).and_then(|m| m.pointer("/result/protocolVersion").cloned()) == Some(json!("2025-03-26"));
    if let Some(session) = answer.header(SESSION_HEADER) {
        let _ = probe.send("end the 2025-03-26 session", ProbeRequest::delete().header(SESSION_HEADER, session)).await;
    }
    opened
}

/// The JSON-RPC message of an answer's body: plain JSON, or the first
/// `data:` line of an event stream.
fn message_of(body: &str) -> Option<Value> {
    let parse = |text: &str| serde_json::from_str::<Value>(text.trim()).ok();
    parse(body).or_else(|| body.lines().find_map(|line| line.strip_prefix("data:").and_then(parse)))
}

/// How long the connection attempt to the other loopback address may take.
const CONNECT_WINDOW: std::time::Duration = std::time::Duration::from_secs(2);

/// HTTP-004: a local server listens on 127.0.0.1 only. On Linux every
/// 127/8 address reaches the loopback interface, so a server bound to all
/// interfaces (`0.0.0.0` or `[::]`) also accepts a connection to
/// 127.0.0.2 on its port, where one bound to 127.0.0.1 refuses it. Only a
/// server reached at a loopback address is known to be local.
pub async fn loopback_only(context: &CaseContext<'_>) -> StepOutcome {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    let Some(probe) = Probe::new(context) else {
        return not_applicable("this check needs an HTTP transport");
    };
    let host = probe.url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let local = host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let Some(port) = probe.url.port_or_known_default().filter(|_| local) else {
        return not_applicable("the server is not reached at a loopback address, so nothing shows that it runs locally");
    };
    if !cfg!(target_os = "linux") {
        return inconclusive("only on Linux is every 127/8 address sure to reach the loopback interface".into());
    }
    let other = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), port);
    let label = format!("probe: TCP connection to {other}");
    let attempt = tokio::time::timeout(CONNECT_WINDOW, tokio::net::TcpStream::connect(other)).await;
    let log = |text: &str| context.session.connection.log(reports::Direction::Event, &label, text);
    match attempt {
        Ok(Ok(_)) => {
            log("accepted");
            found(draft(
                "HTTP-004",
                "SHOULD",
                format!("the local server on port {port} also accepts connections to {other}: it listens beyond 127.0.0.1, as a server bound to all interfaces (0.0.0.0 or [::]) does"),
                "a local server bound to 127.0.0.1 only: connections to other addresses refused",
                format!("a TCP connection to {other} was accepted"),
            ))
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            log("refused");
            StepOutcome::default()
        }
        Ok(Err(e)) => {
            log(&e.to_string());
            inconclusive(format!("connecting to {other} failed otherwise than by refusal: {e}"))
        }
        Err(_) => inconclusive(format!("connecting to {other} neither succeeded nor was refused within {CONNECT_WINDOW:?}")),
    }
}

/// HTTP-001: the MCP endpoint takes every message a client POSTs there: a
/// request and a notification (`notifications/cancelled` for an id never
/// sent, harmless in every version) are not answered 404 or 405, the
/// statuses of a path or method the server does not serve.
pub async fn accepts_post(context: &CaseContext<'_>) -> StepOutcome {
    let Some(probe) = Probe::new(context).filter(|p| p.kind == Kind::StreamableHttp) else {
        return not_applicable("this check is about the Streamable HTTP endpoint");
    };
    let version = probe.version().to_string();
    let (request, request_headers) = probe.harmless_request("mcp-conform-endpoint");
    let params = json!({ "requestId": "mcp-conform-never-sent", "reason": "mcp-conform: checking that the endpoint takes notifications" });
    let notification = crate::jsonrpc::notification("notifications/cancelled", Some(params));
    let mut notification_headers = vec![(VERSION_HEADER.to_string(), version.clone())];
    if era(&version) == Era::Stateless {
        notification_headers.push(("Mcp-Method".into(), "notifications/cancelled".into()));
    }
    let mut refused = Vec::new();
    for (label, body, headers) in [("request", request, request_headers), ("notification", notification, notification_headers)] {
        let post = ProbeRequest::post(body).headers(probe.session_headers()).headers(headers);
        match probe.send(&format!("{label} POSTed to the endpoint"), post).await {
            Ok(answer) if answer.status == 404 || answer.status == 405 => refused.push(format!("the {label}: {}", answer.summary())),
            Ok(_) => {}
            Err(why) => return inconclusive(why),
        }
    }
    if refused.is_empty() {
        return StepOutcome::default();
    }
    found(draft(
        "HTTP-001",
        "MUST",
        format!("the MCP endpoint {} did not take every message POSTed to it", probe.url),
        "every JSON-RPC request and notification POSTed to the one MCP endpoint taken (not 404 or 405)",
        refused.join("; "),
    ))
}
