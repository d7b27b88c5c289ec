//! The fixture tools that take time or talk while they run: `progress`,
//! `slow` and `log`. Their notifications go out on the request's own
//! [`ClientLink`] (stdout; the request's SSE stream over Streamable HTTP;
//! the session stream over HTTP+SSE), always before the response, so they
//! never reach another request's stream or a listen stream (UTIL-011,
//! UTIL-018, SUBS-007).
//!
//! * `progress {steps = 3, delayMs = 20}` waits `delayMs` before each of
//!   `steps` steps and, when the request carried `_meta.progressToken`,
//!   sends `notifications/progress {progressToken, progress: i, total:
//!   steps}` after step `i` (plus `message` from 2025-03-26): strictly
//!   increasing, only for the request's token, none after the response
//!   (UTIL-007…009).
//! * `slow {ms}` sleeps `ms` milliseconds and says so. A cancellation
//!   (`notifications/cancelled`, or over 2026-07-28 Streamable HTTP closing
//!   the response stream) stops it: the sleep is dropped and no response
//!   follows (UTIL-003, HTTP-014). `ref://slow-calls` counts how calls
//!   ended ([`crate::world`]).
//! * `log {}` sends one `notifications/message` per level at or above the
//!   threshold, lowest first, with `logger: "log-tool"`: the session's
//!   `logging/setLevel` level in the handshake era (L-LOG-001), the
//!   request's `_meta["io.modelcontextprotocol/logLevel"]` in 2026-07-28
//!   (UTIL-016, UTIL-017). Without a level nothing is logged.

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::conformance_fixtures;
use crate::faults::{Fault, FaultSet};
use crate::peer::ClientLink;
use crate::protocol::meta::LOG_LEVELS;
use crate::protocol::ProtocolVersion;
use crate::tools::Output;
use crate::world;

/// The largest `steps` of `progress`.
pub const MAX_STEPS: u64 = 10;
/// The largest `delayMs` of `progress`.
pub const MAX_DELAY_MS: u64 = 200;
/// The largest `ms` of `slow`.
pub const MAX_SLOW_MS: u64 = 2000;
/// The `logger` of the `log` tool's messages.
pub const LOGGER: &str = "log-tool";

/// Work that takes time, with its checked arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// `progress`.
    Progress {
        /// How many steps.
        steps: u64,
        /// Milliseconds before each step.
        delay_ms: u64,
    },
    /// `slow`.
    Slow {
        /// Milliseconds to sleep.
        ms: u64,
    },
    /// `log`.
    Log,
    /// `test_tool_with_logging`: a few `info` messages, spaced out.
    LogSteps,
    /// `test_reconnection`: a pause long enough for the client to reconnect.
    Reconnection,
}

/// What a run may use.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// The version the request is served at.
    pub version: ProtocolVersion,
    /// The active faults.
    pub faults: FaultSet,
    /// The request's stream to the client (none: nothing can be sent).
    pub link: Option<&'a ClientLink>,
    /// `_meta.progressToken` of the request.
    pub progress_token: Option<Value>,
    /// The rank of the lowest level to log; none: log nothing.
    pub log_threshold: Option<usize>,
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Ran {
    /// The tool's output.
    pub output: Output,
    /// Messages for after the response (only ever a fault's).
    pub late: Vec<Value>,
}

fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// Waits `ms` milliseconds; at once outside an async runtime (where
/// [`crate::Dispatcher::handle_frame`] runs requests to their end without a
/// transport), so that nothing can panic there.
async fn pause(ms: u64) {
    if ms > 0 && tokio::runtime::Handle::try_current().is_ok() {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// Runs `work`.
pub async fn run(work: Work, ctx: &Context<'_>) -> Ran {
    match work {
        Work::Progress { steps, delay_ms } => progress(steps, delay_ms, ctx).await,
        Work::Slow { ms } => {
            let call = world::world().slow_call(ctx.version);
            let detached = ctx.faults.contains(Fault::CancelledWorkContinues) && tokio::runtime::Handle::try_current().is_ok();
            if detached {
                // The work runs apart: a cancellation drops only the wait for it.
                let _ = tokio::spawn(async move {
                    pause(ms).await;
                    call.complete();
                })
                .await;
            } else {
                pause(ms).await;
                call.complete();
            }
            Ran {
                output: Output::Text(format!("Slept {ms} ms.")),
                late: Vec::new(),
            }
        }
        Work::Log => log(ctx).await,
        Work::LogSteps => log_steps(ctx).await,
        Work::Reconnection => {
            pause(conformance_fixtures::RECONNECTION_PAUSE_MS).await;
            Ran {
                output: Output::Text("Reconnection test completed.".into()),
                late: Vec::new(),
            }
        }
    }
}

/// The messages of [`conformance_fixtures::LOG_MESSAGES`] at level `info`,
/// paced, as far as the threshold lets `info` through.
async fn log_steps(ctx: &Context<'_>) -> Ran {
    let info = LOG_LEVELS.iter().position(|l| *l == "info").unwrap_or(1);
    let mut sent = 0;
    for (i, text) in conformance_fixtures::LOG_MESSAGES.iter().enumerate() {
        if i > 0 {
            pause(conformance_fixtures::LOG_PAUSE_MS).await;
        }
        let heard = ctx.log_threshold.is_some_and(|threshold| info >= threshold);
        let Some(link) = ctx.link.filter(|_| heard) else { continue };
        let params = json!({"level": "info", "logger": "test_tool_with_logging", "data": text});
        if link.send(notification("notifications/message", params)).await {
            sent += 1;
        }
    }
    Ran {
        output: Output::Text(format!("Tool with logging finished; {sent} of {} messages were logged.", conformance_fixtures::LOG_MESSAGES.len())),
        late: Vec::new(),
    }
}

async fn progress(steps: u64, delay_ms: u64, ctx: &Context<'_>) -> Ran {
    let token = ctx
        .progress_token
        .clone()
        .or_else(|| ctx.faults.contains(Fault::ProgressWithoutToken).then(|| json!("reference-server-progress")));
    let repeats = if ctx.faults.contains(Fault::ProgressNotIncreasing) { 2 } else { 1 };
    let mut late = Vec::new();
    for step in 1..=steps {
        pause(delay_ms).await;
        let Some(token) = &token else { continue };
        let mut params = Map::new();
        params.insert("progressToken".into(), token.clone());
        params.insert("progress".into(), json!(step));
        params.insert("total".into(), json!(steps));
        if ctx.version.has_progress_message() {
            let message = if ctx.faults.contains(Fault::ProgressMessageUnreadable) {
                format!("\u{1b}[2K\r{step}/{steps}")
            } else {
                format!("Step {step} of {steps}")
            };
            params.insert("message".into(), json!(message));
        }
        let message = notification("notifications/progress", Value::Object(params));
        for _ in 0..repeats {
            if step == steps && ctx.faults.contains(Fault::ProgressAfterResponse) {
                late.push(message.clone());
            } else if let Some(link) = ctx.link {
                link.send(message.clone()).await;
            }
        }
    }
    Ran {
        output: Output::Text(format!("Done: {steps} steps.")),
        late,
    }
}

async fn log(ctx: &Context<'_>) -> Ran {
    let stateless = !ctx.version.is_stateful();
    let threshold = match ctx.log_threshold {
        Some(rank) => Some(rank),
        None if stateless && ctx.faults.contains(Fault::LogWithoutLevel) => Some(0),
        None => None,
    };
    let Some(threshold) = threshold else {
        let how = if stateless { "the request's _meta has no io.modelcontextprotocol/logLevel" } else { "no logging/setLevel yet" };
        return Ran {
            output: Output::Text(format!("Nothing was logged: {how}.")),
            late: Vec::new(),
        };
    };
    let mut sent = Vec::new();
    for (rank, level) in LOG_LEVELS.iter().enumerate() {
        if rank < threshold && !ctx.faults.contains(Fault::LogBelowLevel) {
            continue;
        }
        let params = json!({"level": level, "logger": LOGGER, "data": format!("A message at level {level} from the log tool.")});
        if let Some(link) = ctx.link {
            if link.send(notification("notifications/message", params)).await {
                sent.push(*level);
            }
        }
    }
    Ran {
        output: Output::Text(format!("Logged {} messages: {}.", sent.len(), sent.join(", "))),
        late: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::mpsc;

    use super::*;
    use crate::peer::Peer;

    fn ctx<'a>(link: &'a ClientLink, version: ProtocolVersion, faults: FaultSet) -> Context<'a> {
        Context {
            version,
            faults,
            link: Some(link),
            progress_token: Some(json!("tok")),
            log_threshold: None,
        }
    }

    fn drain(rx: &mut mpsc::Receiver<Value>) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            out.push(m);
        }
        out
    }

    fn link() -> (ClientLink, mpsc::Receiver<Value>) {
        let (tx, rx) = mpsc::channel(64);
        (ClientLink::new(Peer::new(), tx, Duration::from_secs(1)), rx)
    }

    #[tokio::test]
    async fn progress_increases_and_ends_before_the_response() {
        let (l, mut rx) = link();
        let work = Work::Progress { steps: 3, delay_ms: 0 };
        let ran = run(work, &ctx(&l, ProtocolVersion::V2025_03_26, FaultSet::NONE)).await;
        assert!(ran.late.is_empty());
        let sent = drain(&mut rx);
        let values: Vec<_> = sent.iter().map(|m| m["params"]["progress"].as_u64().unwrap()).collect();
        assert_eq!(values, [1, 2, 3]);
        assert_eq!(sent[0]["params"], json!({"progressToken": "tok", "progress": 1, "total": 3, "message": "Step 1 of 3"}));
        let old = run(work, &ctx(&l, ProtocolVersion::V2024_11_05, FaultSet::NONE)).await;
        assert!(old.late.is_empty());
        assert!(drain(&mut rx)[0]["params"].get("message").is_none(), "no message in 2024-11-05");
        let mut none = ctx(&l, ProtocolVersion::V2025_03_26, FaultSet::NONE);
        none.progress_token = None;
        run(work, &none).await;
        assert!(drain(&mut rx).is_empty(), "no token, no progress");
    }

    #[tokio::test]
    async fn progress_faults() {
        let (l, mut rx) = link();
        let work = Work::Progress { steps: 2, delay_ms: 0 };
        run(work, &ctx(&l, ProtocolVersion::V2025_11_25, FaultSet::only(Fault::ProgressNotIncreasing))).await;
        assert_eq!(drain(&mut rx).len(), 4);
        let ran = run(work, &ctx(&l, ProtocolVersion::V2025_11_25, FaultSet::only(Fault::ProgressAfterResponse))).await;
        assert_eq!((drain(&mut rx).len(), ran.late.len()), (1, 1));
        let mut none = ctx(&l, ProtocolVersion::V2025_11_25, FaultSet::only(Fault::ProgressWithoutToken));
        none.progress_token = None;
        run(work, &none).await;
        assert_eq!(drain(&mut rx).len(), 2);
    }

    #[tokio::test]
    async fn log_levels() {
        let (l, mut rx) = link();
        let mut c = ctx(&l, ProtocolVersion::V2026_07_28, FaultSet::NONE);
        run(Work::Log, &c).await;
        assert!(drain(&mut rx).is_empty(), "no level, no log");
        c.log_threshold = Some(4);
        let ran = run(Work::Log, &c).await;
        let levels: Vec<_> = drain(&mut rx).iter().map(|m| m["params"]["level"].as_str().unwrap().to_owned()).collect();
        assert_eq!(levels, ["error", "critical", "alert", "emergency"]);
        assert_eq!(ran.output, Output::Text("Logged 4 messages: error, critical, alert, emergency.".into()));
        c.faults = FaultSet::only(Fault::LogBelowLevel);
        run(Work::Log, &c).await;
        assert_eq!(drain(&mut rx).len(), 8);
        c.faults = FaultSet::only(Fault::LogWithoutLevel);
        c.log_threshold = None;
        run(Work::Log, &c).await;
        assert_eq!(drain(&mut rx).len(), 8);
        c.version = ProtocolVersion::V2025_11_25;
        run(Work::Log, &c).await;
        assert!(drain(&mut rx).is_empty(), "the fault is about 2026-07-28");
    }
}
