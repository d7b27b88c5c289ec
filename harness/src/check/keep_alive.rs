//! HTTP-013: a long-lived stream, the `subscriptions/listen` answer above
//! all, breaks its quiet periods with `:` comment lines, so that proxies and
//! client idle timeouts do not cut it.
//!
//! The spec only *encourages* it (a note, no keyword, no interval), so a
//! silent stream warns (SHOULD level), never fails. And since it names no
//! interval, silence decides nothing until the stream has been watched for
//! long: a short watch without a comment is inconclusive. The default watch
//! is short ([`DEFAULT_WINDOW`]) to keep runs quick; `mcp-conform run
//! --keep-alive-window 30s` (or more, [`DECISIVE_WINDOW`]) watches long
//! enough to warn.

use std::time::{Duration, Instant};

use serde_json::json;

use super::probe::{Probe, ProbeRequest, StreamItem};
use crate::execute::{CaseContext, Draft, StepOutcome};
use crate::session::stateless;
use crate::transport::Kind;
use crate::version::{era, Era};

/// How long a listen stream is watched unless the run says otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(3);

/// The shortest watch whose silence is a finding. Proxies and load
/// balancers commonly cut connections idle for 60 s; a server that has not
/// spoken in 30 s has not kept the stream alive against them.
pub const DECISIVE_WINDOW: Duration = Duration::from_secs(30);

/// How long the stream must have been quiet for a comment to count as a
/// keep-alive: a comment sent with the stream's first bytes only opens it.
const QUIET_BEFORE: Duration = Duration::from_millis(500);

fn outcome_inconclusive(why: String) -> StepOutcome {
    StepOutcome { inconclusive: vec![why], ..StepOutcome::default() }
}

/// Opens a `subscriptions/listen` stream (asking for no notifications, so
/// that it stays quiet) and watches it for the run's keep-alive window.
pub async fn listen_keep_alive(context: &CaseContext<'_>) -> StepOutcome {
    let version = context.session.version.as_str();
    if context.transport != Kind::StreamableHttp || era(version) != Era::Stateless {
        let why = "keep-alive comments on a listen stream are a 2026-07-28 Streamable HTTP matter".to_string();
        return StepOutcome { not_applicable: Some(why), ..StepOutcome::default() };
    }
    let Some(probe) = Probe::new(context) else {
        return outcome_inconclusive("no HTTP probe could be made for this target".into());
    };
    let window = context.options.keep_alive_window.unwrap_or(DEFAULT_WINDOW);
    let params = stateless::with_meta(json!({ "notifications": {} }), version);
    let message = crate::jsonrpc::request(&json!("mcp-conform-keep-alive"), "subscriptions/listen", Some(params));
    let headers = stateless::mirrored_headers(&message);
    let mut stream = match probe.open_stream("subscriptions/listen", ProbeRequest::post(message).headers(headers)).await {
        Ok(stream) => stream,
        Err(why) => return outcome_inconclusive(why),
    };
    let opened = Instant::now();
    let mut last_item = opened;
    loop {
        let item = stream.next_within(window.saturating_sub(opened.elapsed())).await;
        let quiet_for = last_item.elapsed();
        last_item = Instant::now();
        match item {
            StreamItem::Comment if quiet_for >= QUIET_BEFORE => {
                context.session.connection.note(format!(
                    "a `:` keep-alive came {:.1}s into the listen stream, after {:.1}s of quiet (HTTP-013)",
                    opened.elapsed().as_secs_f64(),
                    quiet_for.as_secs_f64()
                ));
                stream.close();
                return StepOutcome::default();
            }
            StreamItem::Ended => {
                return outcome_inconclusive(format!(
                    "the listen stream ended after {:.1}s, before any keep-alive: no long-lived stream to judge",
                    opened.elapsed().as_secs_f64()
                ));
            }
            StreamItem::Quiet => break,
            _ => {}
        }
    }
    stream.close();
    let watched = window.as_secs_f64();
    if window < DECISIVE_WINDOW {
        return outcome_inconclusive(format!(
            "no `:` keep-alive on the listen stream within {watched:.1}s; the spec sets no interval, so a short watch cannot \
             decide (run with --keep-alive-window {}s or more)",
            DECISIVE_WINDOW.as_secs()
        ));
    }
    StepOutcome {
        findings: vec![Draft {
            requirement: "HTTP-013".into(),
            // "Encouraged" is a recommendation, not an absolute rule.
            keyword: Some("SHOULD"),
            message: format!("the subscriptions/listen stream stayed silent for {watched:.0}s without a `:` keep-alive comment"),
            expected: "periodic `:` comment lines on a quiet listen stream, so intermediaries do not close it".into(),
            actual: format!("no comment line in {watched:.0}s (only what the transcript shows)"),
            hint: None,
        }],
        ..StepOutcome::default()
    }
}
