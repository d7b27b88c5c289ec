//! Reproduce a finding on a fresh connection, and shrink it while it still
//! reproduces: first the sequence of inputs (delta debugging), then each
//! JSON frame (drop members and items, simplify values), within a budget.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::time::Instant;

use super::driver::{Driver, Evidence, Sink, Stop};
use super::generator::to_bytes;
use super::input::Input;
use super::judge::Probe;
use super::oracle::Draft;
use super::sequence::{self, Steps};
use super::surface::Surface;
use super::wire::Wire;
use crate::target::Target;
use crate::transport::Limits;

/// How much shrinking may cost.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Most replays.
    pub trials: usize,
    /// Most time.
    pub time: Duration,
    /// Shrink; when false, only confirm that the finding reproduces.
    pub minimize: bool,
}

/// How to replay inputs on a fresh connection.
pub struct Trial<'a> {
    /// The server.
    pub target: &'a Target,
    /// What it exposes.
    pub surface: Arc<Surface>,
    /// The liveness probe.
    pub probe: Option<Probe>,
    /// Transport limits.
    pub limits: &'a Limits,
    /// Deadline of each request.
    pub timeout: Duration,
    /// Deadline of the handshake, which also waits for the server to start.
    pub startup_timeout: Duration,
    /// The memory-growth limit (a factor of the baseline), when watched.
    pub max_rss_growth: Option<f64>,
}

/// What one replay showed.
pub struct Replayed {
    /// Every finding made.
    pub drafts: Vec<Draft>,
    /// The connection's evidence at the end (when it could be opened).
    pub evidence: Option<Evidence>,
}

struct Collect {
    drafts: Vec<Draft>,
    last: Option<Evidence>,
}

impl Sink for Collect {
    fn finding(&mut self, draft: Draft, evidence: &dyn Fn() -> Evidence) {
        self.last = Some(evidence());
        self.drafts.push(draft);
    }
}

impl Trial<'_> {
    /// Open a connection, send `inputs` with at most `window` in flight, then
    /// the liveness probe (a server may die right after the last answer).
    pub async fn replay(&self, inputs: &[Input], window: usize) -> Result<Replayed, super::FuzzError> {
        let wire = Wire::open(self.target, &self.surface.version, self.limits, self.timeout, self.startup_timeout).await?;
        let mut driver = Driver::new(wire, self.surface.clone(), self.timeout, self.probe.clone(), window);
        driver.watch_memory(self.max_rss_growth);
        let mut feed = Steps::new(inputs.iter().cloned());
        if let Some(probe) = &self.probe {
            let request = crate::jsonrpc::request(&Value::from("mcp-conform-final-probe"), &probe.method, probe.params.clone());
            feed.extend([Input::single(format!("probe/{}", probe.method), None, to_bytes(&request))]);
        }
        let mut sink = Collect { drafts: Vec::new(), last: None };
        // Steps of a sequence that wait go once everything before them is judged.
        while driver.run(&mut feed, &mut sink).await == Stop::Exhausted && feed.blocked() {
            if let Some((input, script)) = feed.release() {
                let context = sequence::Context { target: self.target, surface: &self.surface, limits: self.limits, timeout: self.timeout };
                let ran = sequence::run_session(&input, script, &context).await;
                for draft in ran.drafts {
                    sink.finding(draft, &|| ran.evidence.clone());
                }
            }
        }
        driver.close().await;
        Ok(Replayed { drafts: sink.drafts, evidence: sink.last })
    }

    /// Does replaying `inputs` give a finding in `bucket`? A replay still
    /// running at `deadline` is given up (`Err`): a long history at a window
    /// of one waits out every request the server leaves unanswered.
    async fn shows(&self, inputs: &[Input], bucket: &str, window: usize, deadline: Instant) -> Result<Option<Evidence>, OutOfTime> {
        let replayed = tokio::time::timeout_at(deadline, self.replay(inputs, window)).await.map_err(|_| OutOfTime)?;
        let Ok(replayed) = replayed else { return Ok(None) };
        Ok(replayed.drafts.iter().any(|d| d.bucket() == bucket).then_some(replayed.evidence).flatten())
    }
}

/// A replay the shrinking budget's time cut short.
struct OutOfTime;

/// A shrunk finding.
pub struct Shrunk {
    /// The smallest sequence found that still reproduces (the original when none did).
    pub inputs: Vec<Input>,
    /// Some replay reproduced the finding.
    pub reproduced: bool,
    /// Evidence of the last replay that reproduced it.
    pub evidence: Option<Evidence>,
    /// Replays made.
    pub trials: usize,
    /// Inputs in flight at once in the replays that reproduced it (1 unless
    /// only the campaign's window did).
    pub window: usize,
    /// The budget's time ran out during a replay that might have reproduced it.
    pub out_of_time: bool,
}

/// Reproduce and shrink. `trigger` is the index in `inputs` of the input
/// the finding is pinned to, when known; `window` the campaign's.
pub async fn shrink(trial: &Trial<'_>, inputs: Vec<Input>, trigger: Option<usize>, bucket: &str, window: usize, budget: Budget) -> Shrunk {
    let deadline = Instant::now() + budget.time;
    let mut spent = 0usize;
    let left = |spent: &mut usize| {
        *spent += 1;
        *spent <= budget.trials && Instant::now() < deadline
    };
    // Confirming gets the time one replay of a few inputs needs whatever
    // the budget: a server to start, a deadline to pass, the last probe.
    let confirm_by = deadline.max(Instant::now() + trial.startup_timeout + trial.timeout * 3);
    // First the cheapest: the pinned input alone, then everything as sent.
    let mut current: Option<(Vec<Input>, Evidence)> = None;
    let mut used = 1;
    let mut out_of_time = false;
    if let Some(single) = trigger.and_then(|t| inputs.get(t)) {
        if left(&mut spent) {
            let candidate = vec![single.clone()];
            match trial.shows(&candidate, bucket, 1, confirm_by).await {
                Ok(Some(evidence)) => current = Some((candidate, evidence)),
                Ok(None) => {}
                Err(OutOfTime) => out_of_time = true,
            }
        }
    }
    if current.is_none() {
        let upto = trigger.map_or(inputs.len(), |t| (t + 1).min(inputs.len()));
        let sequence: Vec<Input> = inputs[..upto].to_vec();
        for window in [1, window.max(1)] {
            if current.is_some() || out_of_time || !left(&mut spent) {
                break;
            }
            match trial.shows(&sequence, bucket, window, confirm_by).await {
                Ok(Some(evidence)) => {
                    current = Some((sequence.clone(), evidence));
                    used = window;
                }
                Ok(None) => {}
                Err(OutOfTime) => out_of_time = true,
            }
        }
    }
    let Some((mut best, mut evidence)) = current else {
        return Shrunk { inputs, reproduced: false, evidence: None, trials: spent, window: 1, out_of_time };
    };
    if !budget.minimize {
        return Shrunk { inputs: best, reproduced: true, evidence: Some(evidence), trials: spent, window: used, out_of_time: false };
    }
    // Delta debugging over the sequence.
    let mut granularity = 2usize;
    while best.len() > 1 && granularity <= best.len() {
        let chunk = best.len().div_ceil(granularity);
        let mut reduced = false;
        for start in (0..best.len()).step_by(chunk) {
            let complement: Vec<Input> = best.iter().enumerate().filter(|(i, _)| *i < start || *i >= start + chunk).map(|(_, x)| x.clone()).collect();
            if complement.is_empty() || !left(&mut spent) {
                continue;
            }
            if let Ok(Some(e)) = trial.shows(&complement, bucket, used, deadline).await {
                best = complement;
                evidence = e;
                granularity = granularity.saturating_sub(1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if granularity >= best.len() {
                break;
            }
            granularity = (granularity * 2).min(best.len());
        }
        if spent >= budget.trials || Instant::now() >= deadline {
            break;
        }
    }
    // Then the structure of each frame.
    'inputs: for i in 0..best.len() {
        for f in 0..best[i].frames.len() {
            let bytes = best[i].frames[f].bytes.clone();
            let Ok(value) = serde_json::from_slice::<Value>(&bytes) else { continue };
            // Only frames that survive a parse and a print unchanged: a number
            // serde cannot hold exactly must reach the server as written.
            if to_bytes(&value) != bytes {
                continue;
            }
            let mut value = value;
            let mut edits = simplifications(&value);
            while let Some(edited) = edits.pop_front() {
                if !left(&mut spent) {
                    break 'inputs;
                }
                let mut candidate = best.clone();
                candidate[i].frames[f].bytes = to_bytes(&edited);
                if let Ok(Some(e)) = trial.shows(&candidate, bucket, used, deadline).await {
                    best = candidate;
                    evidence = e;
                    value = edited;
                    edits = simplifications(&value);
                }
            }
        }
    }
    Shrunk { inputs: best, reproduced: true, evidence: Some(evidence), trials: spent, window: used, out_of_time: false }
}

/// Each way to make `message` one step simpler, most drastic first. The
/// envelope (`jsonrpc`, `id`, `method`) stays: changing it changes what the
/// input is, not how much of it there is.
fn simplifications(message: &Value) -> VecDeque<Value> {
    let mut out = VecDeque::new();
    let Value::Object(top) = message else { return out };
    for (key, value) in top {
        if matches!(key.as_str(), "jsonrpc" | "id" | "method") {
            continue;
        }
        let mut without = top.clone();
        without.shift_remove(key);
        out.push_back(Value::Object(without));
        let mut inner = Vec::new();
        simpler(value, &mut inner);
        for replacement in inner {
            let mut edited = top.clone();
            edited.insert(key.clone(), replacement);
            out.push_back(Value::Object(edited));
        }
    }
    out
}

/// Simpler variants of `value`: members or items dropped, values emptied.
fn simpler(value: &Value, out: &mut Vec<Value>) {
    const MAX: usize = 64;
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push(Value::Object(Map::new()));
            for (key, inner) in map {
                if out.len() >= MAX {
                    return;
                }
                let mut without = map.clone();
                without.shift_remove(key);
                out.push(Value::Object(without));
                let mut nested = Vec::new();
                simpler(inner, &mut nested);
                for replacement in nested.into_iter().take(MAX / 4) {
                    let mut edited = map.clone();
                    edited.insert(key.clone(), replacement);
                    out.push(Value::Object(edited));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push(Value::Array(Vec::new()));
            for i in 0..items.len().min(MAX) {
                let mut without = items.clone();
                without.remove(i);
                out.push(Value::Array(without));
            }
        }
        Value::String(s) if !s.is_empty() => {
            out.push(Value::String(String::new()));
            if s.chars().count() > 8 {
                out.push(Value::String(s.chars().take(s.chars().count() / 2).collect()));
            }
        }
        Value::Number(n) if n.as_i64() != Some(0) => out.push(Value::from(0)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn simplifications_keep_the_envelope() {
        let message = json!({"jsonrpc": "2.0", "id": 7, "method": "ping", "params": {"a": [1, 2], "b": "long string here"}});
        let edits = simplifications(&message);
        assert!(!edits.is_empty());
        for edit in &edits {
            assert_eq!(edit["jsonrpc"], "2.0");
            assert_eq!(edit["id"], 7);
            assert_eq!(edit["method"], "ping");
        }
        assert_eq!(edits[0], json!({"jsonrpc": "2.0", "id": 7, "method": "ping"}), "dropping params is tried first");
        assert!(edits.contains(&json!({"jsonrpc": "2.0", "id": 7, "method": "ping", "params": {"a": [1, 2], "b": ""}})));
    }
}
