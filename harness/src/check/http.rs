//! Checks on the HTTP layer of a server: status codes, headers, sessions and
//! the Origin defence, decided from raw requests ([`super::probe`]).
//!
//! Each check first makes sure its question can be answered (a control
//! request that must succeed, a session id to work with) and says
//! "inconclusive" or "not applicable" otherwise, so that a refusal is only
//! ever blamed on the one thing the probe changed.

use serde_json::json;

use super::probe::{Probe, ProbeRequest, ProbeResponse, SESSION_HEADER, VERSION_HEADER};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::transport::Kind;
use crate::version::{at_least, era, Era};

/// An origin no deployment can serve: `.invalid` never resolves (RFC 2606).
pub const FOREIGN_ORIGIN: &str = "http://dns-rebinding.mcp-conform.invalid";
/// The JSON-RPC code of a failed header validation (`HeaderMismatch`).
const HEADER_MISMATCH: i64 = -32020;
/// A host name no deployment serves, for the DNS-rebinding probe of `Host`.
pub const FOREIGN_HOST: &str = "dns-rebinding.mcp-conform.invalid";
/// Sessions opened by `session-ids` besides the harness's own.
const EXTRA_SESSIONS: usize = 3;
/// Fewer bits than this cannot make a session id unguessable (OWASP's floor).
const MIN_SESSION_ID_BITS: f64 = 64.0;
/// A session id no server issued (the harness never sends it anywhere else).
const UNKNOWN_SESSION: &str = "mcp-conform-unknown-session-5f0c1e2d";
/// Ids of equal length that differ in at most this many places look counted, not drawn.
const MAX_SEQUENTIAL_DIFFERENCES: usize = 4;

pub(super) fn draft(requirement: &str, keyword: &'static str, message: String, expected: &str, actual: String) -> Draft {
    Draft { requirement: requirement.into(), keyword: Some(keyword), message, expected: expected.into(), actual, hint: None }
}

pub(super) fn found(draft: Draft) -> StepOutcome {
    StepOutcome { findings: vec![draft], ..StepOutcome::default() }
}

pub(super) fn inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

pub(super) fn not_applicable(why: &str) -> StepOutcome {
    StepOutcome { not_applicable: Some(why.into()), ..StepOutcome::default() }
}

fn probe_of<'a>(context: &CaseContext<'a>) -> Result<Probe<'a>, StepOutcome> {
    Probe::new(context).ok_or_else(|| not_applicable("this check needs an HTTP transport"))
}

/// The session-related requirement of the era: 2026-07-28 row, else the legacy row.
fn by_era<'a>(version: &str, stateless: &'a str, stateful: &'a str) -> &'a str {
    if era(version) == Era::Stateless {
        stateless
    } else {
        stateful
    }
}

/// The request a DNS-rebinding probe varies (the stream GET on HTTP+SSE, a
/// harmless POST otherwise), sent once as it is: it must be served, or a
/// refusal of the varied one would prove nothing (inconclusive).
async fn served_control(probe: &Probe<'_>, id: &str, label: &str) -> Result<ProbeRequest, StepOutcome> {
    let request = match probe.kind {
        Kind::Sse => ProbeRequest::get(),
        _ => {
            let (body, headers) = probe.harmless_request(id);
            ProbeRequest::post(body).headers(probe.session_headers()).headers(headers)
        }
    };
    let control = probe.send(label, request.clone()).await.map_err(inconclusive)?;
    if !control.is_success() {
        return Err(inconclusive(format!("the request {label} was answered {}: nothing to compare with", control.summary())));
    }
    Ok(request)
}

/// HTTP-003, L-HTTP-014: a request carrying a foreign `Origin` is refused
/// (403 since 2025-11-25; any refusal before), where the same request
/// without it is served.
pub async fn foreign_origin(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let request = match served_control(&probe, "mcp-conform-origin", "without Origin").await {
        Ok(request) => request,
        Err(outcome) => return outcome,
    };
    let answer = match probe.send("foreign Origin", request.header("origin", FOREIGN_ORIGIN)).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    let version = probe.version();
    let requirement = by_era(version, "HTTP-003", "L-HTTP-014");
    let explicit_403 = at_least(version, "2025-11-25");
    let refused = if explicit_403 { answer.status == 403 } else { answer.status >= 400 };
    if refused {
        return foreign_origin_on_get(&probe).await;
    }
    let expected = if explicit_403 { "HTTP 403 Forbidden" } else { "a refusal (HTTP 4xx; 403 since 2025-11-25)" };
    found(draft(
        requirement,
        "MUST",
        format!("a request with `Origin: {FOREIGN_ORIGIN}` was not refused"),
        expected,
        answer.summary(),
    ))
}

/// Is the target on this machine (the servers DNS rebinding reaches)?
fn is_local(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// HTTP-002 (DNS rebinding): a local server refuses a request that names a
/// foreign `Host`, where the same request naming its own host is served.
/// A rebound page's GET carries no `Origin`, so the `Host` is what gives it
/// away; the spec names only the Origin check, so this is a SHOULD.
pub async fn foreign_host(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    if !is_local(&probe.url) {
        return not_applicable("DNS rebinding reaches servers on loopback addresses; this one is elsewhere");
    }
    let request = match served_control(&probe, "mcp-conform-host", "with its own Host").await {
        Ok(request) => request,
        Err(outcome) => return outcome,
    };
    let foreign = match probe.url.port_or_known_default() {
        Some(port) => format!("{FOREIGN_HOST}:{port}"),
        None => FOREIGN_HOST.to_string(),
    };
    let answer = match probe.send("foreign Host", request.header("host", &foreign)).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.status >= 400 {
        return StepOutcome::default();
    }
    found(draft(
        "HTTP-002",
        "SHOULD",
        format!("a request with `Host: {foreign}` was served: a page whose DNS name was rebound to this address could reach the server without any Origin to check"),
        "a refusal (e.g. 403 or 421) of requests naming a host the server does not serve",
        answer.summary(),
    ))
}

/// HTTP-002: the Origin is checked on every request, not only on POSTs.
/// On Streamable HTTP, since 2025-11-25 (where a foreign Origin must get
/// 403 whatever else is wrong), a GET with a foreign Origin and no session
/// must be refused with 403 too. Before 2025-11-25 that GET is refused
/// anyway (no session), so nothing tells the two apart.
async fn foreign_origin_on_get(probe: &Probe<'_>) -> StepOutcome {
    if probe.kind != Kind::StreamableHttp || !at_least(probe.version(), "2025-11-25") {
        return StepOutcome::default();
    }
    let request = ProbeRequest::get().header(VERSION_HEADER, probe.version()).without(SESSION_HEADER).header("origin", FOREIGN_ORIGIN);
    answered_with(probe, "GET with foreign Origin", request, 403, |answer| {
        draft(
            "HTTP-002",
            "MUST",
            format!("a POST with `Origin: {FOREIGN_ORIGIN}` was refused, but a GET with it was not answered 403: the Origin is not checked on every request"),
            "HTTP 403 Forbidden for every request bearing a foreign Origin",
            answer.summary(),
        )
    })
    .await
}

/// Send `request`: it passes when answered `status`; otherwise `miss`
/// turns the answer into the finding.
async fn answered_with(probe: &Probe<'_>, label: &str, request: ProbeRequest, status: u16, miss: impl FnOnce(&ProbeResponse) -> Draft) -> StepOutcome {
    match probe.send(label, request).await {
        Ok(answer) if answer.status == status => StepOutcome::default(),
        Ok(answer) => found(miss(&answer)),
        Err(why) => inconclusive(why),
    }
}

/// Open a session of the version under test with raw requests; `Ok(None)`
/// when the server issues no session id.
pub(super) async fn open_session(probe: &Probe<'_>, label: &str) -> Result<Option<String>, String> {
    let request = ProbeRequest::post(probe.initialize("mcp-conform-init")).without(SESSION_HEADER).without(VERSION_HEADER);
    let answer = probe.send(&format!("{label}: initialize"), request).await?;
    if !answer.is_success() {
        return Err(format!("a second initialize was answered {}", answer.summary()));
    }
    let Some(id) = answer.header(SESSION_HEADER).map(str::to_string) else { return Ok(None) };
    let initialized = ProbeRequest::post(crate::jsonrpc::notification("notifications/initialized", None))
        .header(SESSION_HEADER, &id)
        .header(VERSION_HEADER, probe.version());
    probe.send(&format!("{label}: initialized"), initialized).await?;
    Ok(Some(id))
}

/// A session of a check's own (see [`open_session`]), or the inconclusive
/// outcome that says why there is none.
pub(super) async fn own_session(probe: &Probe<'_>, label: &str) -> Result<String, StepOutcome> {
    match open_session(probe, label).await {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(inconclusive("the second initialize got no Mcp-Session-Id".into())),
        Err(why) => Err(inconclusive(why)),
    }
}

/// A `ping` in session `id`.
fn ping_in(probe: &Probe<'_>, id: &str, request_id: &str) -> ProbeRequest {
    ProbeRequest::post(crate::jsonrpc::request(&json!(request_id), "ping", None))
        .header(SESSION_HEADER, id)
        .header(VERSION_HEADER, probe.version())
}

/// Needs a server that issues session ids (the harness's own session got one).
pub(super) fn session_probe<'a>(context: &CaseContext<'a>) -> Result<Probe<'a>, StepOutcome> {
    let probe = probe_of(context)?;
    if probe.session_id.is_none() {
        return Err(not_applicable("the server issued no Mcp-Session-Id (sessions are optional, L-HTTP-009)"));
    }
    Ok(probe)
}

/// L-HTTP-011: after DELETE ends a session, requests bearing its id get 404.
pub async fn session_ended(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match session_probe(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let id = match own_session(&probe, "second session").await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    match probe.send("ping before DELETE", ping_in(&probe, &id, "mcp-conform-before")).await {
        Ok(answer) if answer.is_success() => {}
        Ok(answer) => return inconclusive(format!("a ping in the new session was answered {}", answer.summary())),
        Err(why) => return inconclusive(why),
    }
    let delete = ProbeRequest::delete().header(SESSION_HEADER, &id).header(VERSION_HEADER, probe.version());
    match probe.send("DELETE the session", delete).await {
        Ok(answer) if answer.status == 405 => {
            return not_applicable("the server does not let clients end sessions (DELETE answered 405, allowed by L-HTTP-012)")
        }
        Ok(answer) if answer.is_success() => {}
        Ok(answer) => return inconclusive(format!("DELETE was answered {}", answer.summary())),
        Err(why) => return inconclusive(why),
    }
    answered_with(&probe, "ping after DELETE", ping_in(&probe, &id, "mcp-conform-after"), 404, |answer| {
        draft(
            "L-HTTP-011",
            "MUST",
            format!("a request bearing the id of a session ended by DELETE ({id}) was not answered 404"),
            "HTTP 404 Not Found",
            answer.summary(),
        )
    })
    .await
}

/// L-HTTP-009: session ids are visible ASCII (MUST) and unguessable
/// (SHOULD): distinct, long enough for 64 bits, not counted.
pub async fn session_ids(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match session_probe(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let mut ids: Vec<String> = probe.session_id.iter().cloned().collect();
    for n in 1..=EXTRA_SESSIONS {
        match open_session(&probe, &format!("session {n}")).await {
            Ok(Some(id)) => ids.push(id),
            Ok(None) => return inconclusive("an initialize got no Mcp-Session-Id".into()),
            Err(why) => return inconclusive(why),
        }
    }
    for id in ids.iter().skip(1) {
        // Best effort: the server may not allow DELETE; the ids are judged either way.
        let _ = probe.send("clean up", ProbeRequest::delete().header(SESSION_HEADER, id).header(VERSION_HEADER, probe.version())).await;
    }
    StepOutcome { findings: judge_session_ids(&ids), ..StepOutcome::default() }
}

/// The findings a set of session ids (from separate sessions) gives.
pub fn judge_session_ids(ids: &[String]) -> Vec<Draft> {
    let shown = ids.join(", ");
    let mut findings = Vec::new();
    if let Some(bad) = ids.iter().find(|id| id.is_empty() || !id.bytes().all(|b| (0x21..=0x7e).contains(&b))) {
        findings.push(draft(
            "L-HTTP-009",
            "MUST",
            format!("the session id {bad:?} has characters outside visible ASCII (0x21–0x7E)"),
            "only visible ASCII characters",
            shown.clone(),
        ));
    }
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < ids.len() {
        findings.push(draft(
            "L-HTTP-009",
            "SHOULD",
            "separate sessions were given the same id".into(),
            "a globally unique id per session",
            shown.clone(),
        ));
        return findings;
    }
    let bits = entropy_bound(ids);
    if bits < MIN_SESSION_ID_BITS {
        findings.push(draft(
            "L-HTTP-009",
            "SHOULD",
            format!("session ids this short can hold at most {bits:.0} bits of randomness: too few to be unguessable"),
            "cryptographically random ids of at least 64 bits (e.g. a UUID or 32 hex digits)",
            shown.clone(),
        ));
    } else if looks_counted(ids) {
        findings.push(draft(
            "L-HTTP-009",
            "SHOULD",
            format!("the session ids differ in at most {MAX_SEQUENTIAL_DIFFERENCES} places: they look counted or time-based, not random"),
            "cryptographically random ids",
            shown,
        ));
    }
    findings
}

/// The most bits ids of this length and alphabet can carry: the shortest
/// length times log2 of the smallest alphabet the ids fit in.
fn entropy_bound(ids: &[String]) -> f64 {
    let all = || ids.iter().flat_map(|id| id.chars());
    let alphabet: f64 = if all().all(|c| c.is_ascii_digit()) {
        10.0
    } else if all().all(|c| c.is_ascii_hexdigit()) {
        16.0
    } else if all().all(|c| c.is_ascii_alphanumeric()) {
        62.0
    } else if all().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)) {
        64.0
    } else {
        94.0
    };
    let shortest = ids.iter().map(|id| id.chars().count()).min().unwrap_or(0);
    shortest as f64 * alphabet.log2()
}

/// Every pair of ids has one length and differs in only a few places.
fn looks_counted(ids: &[String]) -> bool {
    if ids.len() < 2 {
        return false;
    }
    ids.iter().enumerate().all(|(i, a)| {
        ids[i + 1..].iter().all(|b| {
            a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() <= MAX_SEQUENTIAL_DIFFERENCES
        })
    })
}

/// L-HTTP-010: a server that issues session ids answers a request without
/// one with 400 (or serves it, if it does not need the id).
pub async fn session_required(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match session_probe(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let request = ProbeRequest::post(crate::jsonrpc::request(&json!("mcp-conform-no-session"), "ping", None))
        .header(VERSION_HEADER, probe.version())
        .without(SESSION_HEADER);
    let answer = match probe.send("request without Mcp-Session-Id", request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.status == 400 || answer.is_success() {
        return StepOutcome::default();
    }
    found(draft(
        "L-HTTP-010",
        "SHOULD",
        "a request without Mcp-Session-Id (not initialize) was answered neither 400 nor served".into(),
        "HTTP 400 Bad Request (or an answer, if the server does not need the id)",
        answer.summary(),
    ))
}

/// L-HTTP-013: an unsupported `MCP-Protocol-Version` is answered 400,
/// where the same request with the negotiated version is served.
pub async fn protocol_version_header(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let request = ProbeRequest::post(crate::jsonrpc::request(&json!("mcp-conform-version"), "ping", None)).headers(probe.session_headers());
    let control = request.clone().header(VERSION_HEADER, probe.version());
    match probe.send("negotiated MCP-Protocol-Version", control).await {
        Ok(answer) if answer.is_success() => {}
        Ok(answer) => return inconclusive(format!("the ping with the negotiated version header was answered {}", answer.summary())),
        Err(why) => return inconclusive(why),
    }
    let answer = match probe.send("unsupported MCP-Protocol-Version", request.header(VERSION_HEADER, "1900-01-01")).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.status == 400 {
        return StepOutcome::default();
    }
    found(draft(
        "L-HTTP-013",
        "MUST",
        "a request with `MCP-Protocol-Version: 1900-01-01` was not answered 400".into(),
        "HTTP 400 Bad Request",
        answer.summary(),
    ))
}

/// HTTP-006, HTTP-007, L-HTTP-001: a POSTed notification gets 202 with no
/// body when accepted, an HTTP error status when not; nothing else.
pub async fn notification_status(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let method = "notifications/cancelled";
    // Cancelling a request that was never sent is harmless in every version.
    let params = json!({ "requestId": "mcp-conform-never-sent", "reason": "mcp-conform: checking the HTTP status of notifications" });
    let mut request = ProbeRequest::post(crate::jsonrpc::notification(method, Some(params))).headers(probe.session_headers());
    if era(probe.version()) == Era::Stateless {
        request = request.header(VERSION_HEADER, probe.version()).header("mcp-method", method);
    }
    let answer = match probe.send("notification", request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    let requirement = by_era(probe.version(), "HTTP-006", "L-HTTP-001");
    if answer.status >= 400 || (answer.status == 202 && answer.body.trim().is_empty()) {
        return StepOutcome::default();
    }
    found(draft(
        requirement,
        "MUST",
        format!("the `{method}` notification was answered with neither 202 and an empty body nor an HTTP error status"),
        "HTTP 202 Accepted with no body (or 4xx/5xx if not accepted)",
        answer.summary(),
    ))
}

/// HTTP-007: a notification the server refuses (it bears a session id the
/// server never issued) gets an HTTP error status, not a 2xx carrying a
/// JSON-RPC error. Needs a server that issues session ids.
pub async fn refused_notification_status(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match session_probe(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let params = json!({ "requestId": "mcp-conform-never-sent", "reason": "mcp-conform: checking how refused notifications are answered" });
    let request = ProbeRequest::post(crate::jsonrpc::notification("notifications/cancelled", Some(params)))
        .header(SESSION_HEADER, UNKNOWN_SESSION)
        .header(VERSION_HEADER, probe.version());
    let answer = match probe.send("notification in an unknown session", request).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if answer.status >= 400 {
        return StepOutcome::default();
    }
    let carries_error = serde_json::from_str::<serde_json::Value>(&answer.body).is_ok_and(|m| m.get("error").is_some());
    if !carries_error {
        return inconclusive(format!(
            "the notification bearing a session id the server never issued was answered {}: accepted, not refused, so nothing shows how refusals are answered",
            answer.summary()
        ));
    }
    found(draft(
        "HTTP-007",
        "MUST",
        "a notification the server refused (it bears an unknown Mcp-Session-Id) was answered with a success status and a JSON-RPC error".into(),
        "an HTTP error status (e.g. 400 or 404), optionally with an id-less JSON-RPC error",
        answer.summary(),
    ))
}

/// HTTP-008: a POSTed request is answered as `application/json` or `text/event-stream`.
pub async fn answer_content_type(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let (body, headers) = probe.harmless_request("mcp-conform-content-type");
    let answer = match probe.send("request", ProbeRequest::post(body).headers(probe.session_headers()).headers(headers)).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    if !answer.is_success() {
        return inconclusive(format!("the request was answered {}: no answer body to judge", answer.summary()));
    }
    let content_type = answer.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if media_type == "application/json" || media_type == "text/event-stream" {
        return StepOutcome::default();
    }
    found(draft(
        "HTTP-008",
        "MUST",
        "a POSTed request was answered with another Content-Type than application/json or text/event-stream".into(),
        "Content-Type: application/json or text/event-stream",
        answer.summary(),
    ))
}

/// HTTP-012: an SSE response carries `X-Accel-Buffering: no`, so that a
/// reverse proxy passes events on as they come. Asks for the one answer
/// 2026-07-28 streams by design, `subscriptions/listen` (read briefly, then
/// dropped, which ends it); a server that answers it otherwise leaves
/// nothing to judge.
pub async fn sse_buffering(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match probe_of(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let version = probe.version();
    let params = crate::session::stateless::with_meta(json!({ "notifications": {} }), version);
    let message = crate::jsonrpc::request(&json!("mcp-conform-buffering"), "subscriptions/listen", Some(params));
    let headers = crate::session::stateless::mirrored_headers(&message);
    let answer = match probe.send("subscriptions/listen", ProbeRequest::post(message).headers(headers)).await {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    let is_stream = answer.header("content-type").is_some_and(|t| t.to_ascii_lowercase().starts_with("text/event-stream"));
    if !is_stream {
        return inconclusive(format!("subscriptions/listen was answered {}: no SSE response to judge", answer.summary()));
    }
    if answer.header("x-accel-buffering").is_some_and(|v| v.trim().eq_ignore_ascii_case("no")) {
        return StepOutcome::default();
    }
    let shown = answer.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join("; ");
    found(draft(
        "HTTP-012",
        "SHOULD",
        "an SSE response came without `X-Accel-Buffering: no`: a buffering proxy may hold its events back".into(),
        "X-Accel-Buffering: no on every text/event-stream response",
        format!("HTTP {}; {shown}", answer.status),
    ))
}

/// HTTP-022: `Mcp-Name` in the `=?base64?…?=` form is decoded before it
/// is compared with the body. Reads the first listed resource (else gets
/// the first listed prompt) with its URI or name sent that way (a client
/// may encode any value): -32020 means the server compared the encoded
/// text. Reads and prompts change nothing, unlike tool calls.
pub async fn encoded_name_header(context: &CaseContext<'_>) -> StepOutcome {
    use base64::Engine;
    let session = context.session;
    if context.transport != Kind::StreamableHttp || era(&session.version) != Era::Stateless {
        return not_applicable("Mcp-Name is a 2026-07-28 Streamable HTTP header");
    }
    let mut target = None;
    for (declared, list, pointer, method, field) in
        [("resources", "resources/list", "/resources/0/uri", "resources/read", "uri"), ("prompts", "prompts/list", "/prompts/0/name", "prompts/get", "name")]
    {
        if target.is_some() || !context.server.declares(declared) {
            continue;
        }
        let listing = session.request(list, json!({}), &crate::session::RequestOptions::default()).await;
        if let Some(name) = listing.result().and_then(|r| r.pointer(pointer)).and_then(serde_json::Value::as_str) {
            target = Some((method, field, name.to_string()));
        }
    }
    let Some((method, field, name)) = target else {
        return inconclusive("the server listed no resource or prompt whose request could carry an encoded Mcp-Name".into());
    };
    let encoded = format!("=?base64?{}?=", base64::engine::general_purpose::STANDARD.encode(&name));
    let options = crate::session::RequestOptions { headers: vec![("Mcp-Name".into(), encoded.clone())], ..Default::default() };
    let answer = session.request(method, json!({ field: name }), &options).await;
    if answer.error_code() != Some(HEADER_MISMATCH) {
        return StepOutcome::default();
    }
    found(draft(
        "HTTP-022",
        "MUST",
        format!("`{method}` for {name} with `Mcp-Name: {encoded}` (the same value, Base64-encoded) was refused as a header mismatch"),
        "the Mcp-Name value decoded (UTF-8 inside =?base64?…?=) before the comparison",
        answer.error().map(serde_json::Value::to_string).unwrap_or_default(),
    ))
}

/// L-HTTP-004: GET on the endpoint in a session opens an SSE stream or is
/// answered 405. Asked in a session of its own, as a server may allow one
/// GET stream per session and the harness's session has one open.
pub async fn get_stream(context: &CaseContext<'_>) -> StepOutcome {
    let probe = match session_probe(context) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let id = match own_session(&probe, "session for GET").await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    let get = ProbeRequest::get().header(SESSION_HEADER, &id).header(VERSION_HEADER, probe.version());
    let answer = probe.send("GET stream", get).await;
    let delete = ProbeRequest::delete().header(SESSION_HEADER, &id).header(VERSION_HEADER, probe.version());
    let _ = probe.send("clean up", delete).await;
    let answer: ProbeResponse = match answer {
        Ok(answer) => answer,
        Err(why) => return inconclusive(why),
    };
    let is_stream = answer.header("content-type").is_some_and(|t| t.to_ascii_lowercase().starts_with("text/event-stream"));
    if answer.status == 405 || (answer.status == 200 && is_stream) {
        return StepOutcome::default();
    }
    found(draft(
        "L-HTTP-004",
        "MUST",
        "GET on the MCP endpoint (Accept: text/event-stream) got neither an SSE stream nor 405".into(),
        "HTTP 200 with Content-Type text/event-stream, or 405 Method Not Allowed",
        answer.summary(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn random_ids_pass() {
        let uuids = ids(&["6f1c2a8e-1b7d-4c55-9a3e-2f8b1d0c7e64", "0b9e7d21-5c43-4f1a-8e6d-97a2c4b3f018", "d2a4c6e8-0f1b-4d3c-a5e7-9b8d6f4e2c10"]);
        assert_eq!(judge_session_ids(&uuids), []);
        let hex = ids(&["9f86d081884c7d659a2feaa0c55ad015", "a3e1c9b27f4d60e8153b2a9c7d0e4f61", "1c0b7e9d2a4f8c3e6b5d0a9f7e2c4b18"]);
        assert_eq!(judge_session_ids(&hex), []);
    }

    #[test]
    fn counted_short_or_repeated_ids_warn() {
        let counted = judge_session_ids(&ids(&["1", "2", "3", "4"]));
        assert_eq!(counted.len(), 1);
        assert_eq!(counted[0].keyword, Some("SHOULD"));
        let timed = judge_session_ids(&ids(&["session-00000000000000001723111000001", "session-00000000000000001723111000002"]));
        assert!(timed[0].message.contains("counted"), "{timed:?}");
        let repeated = judge_session_ids(&ids(&["9f86d081884c7d659a2feaa0c55ad015", "9f86d081884c7d659a2feaa0c55ad015"]));
        assert!(repeated[0].message.contains("same id"));
    }

    #[test]
    fn invisible_characters_fail() {
        let found = judge_session_ids(&ids(&["abc def 9f86d081884c7d659a2feaa0c55ad015"]));
        assert_eq!(found[0].keyword, Some("MUST"));
        assert_eq!(judge_session_ids(&ids(&[""]))[0].keyword, Some("MUST"));
    }
}
