//! Replaying a finding file against a server: does it still fail?

use std::sync::Arc;
use std::time::Duration;

use super::error::FuzzError;
use super::finding::Finding;
use super::oracle::Draft;
use super::shrink::Trial;
use crate::target::Target;
use crate::transport::Limits;

/// What a replay showed.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// A replay made a finding in the file's bucket.
    pub reproduced: bool,
    /// Every finding of the last replay.
    pub drafts: Vec<Draft>,
    /// Replays made.
    pub attempts: usize,
}

/// Replay `finding` against `target` up to `attempts` times, stopping at the
/// first that reproduces it. The session is opened as the campaign opened it
/// (handshake for the file's version), then its inputs are sent as the file
/// says (one at a time unless it needs more in flight), each malformed one
/// followed by the liveness probe the campaign used.
pub async fn replay(finding: &Finding, target: &Target, limits: &Limits, timeout: Duration, attempts: usize) -> Result<Outcome, FuzzError> {
    let surface = Arc::new(finding.surface.surface(&finding.version, target.kind()));
    // A memory-growth finding is replayed against the default limit.
    let max_rss_growth = Some(super::memory::DEFAULT_FACTOR);
    let startup_timeout = super::wire::DEFAULT_STARTUP;
    let trial = Trial { target, surface, probe: finding.probe.clone(), limits, timeout, startup_timeout, max_rss_growth };
    let mut outcome = Outcome { reproduced: false, drafts: Vec::new(), attempts: 0 };
    for _ in 0..attempts.max(1) {
        let replayed = trial.replay(&finding.inputs, finding.window.max(1)).await?;
        outcome.attempts += 1;
        outcome.reproduced = replayed.drafts.iter().any(|d| d.bucket() == finding.bucket);
        outcome.drafts = replayed.drafts;
        if outcome.reproduced {
            break;
        }
    }
    Ok(outcome)
}
