//! The driver: sends inputs, keeps a window of them in flight, feeds the
//! judge, and stops when told to or when the connection is gone.
//!
//! The same loop runs a campaign (window of several inputs), a replay and
//! each trial of shrinking (window of one). Inputs go out in the order the
//! feed gives them, so the bytes on the wire are a function of the feed; only
//! their timing depends on the server. Solo inputs (those whose answers
//! cannot be told apart by id: malformed frames) stay in the window like the
//! rest; one liveness probe goes behind each run of them, and answers
//! without a usable id are pinned by the judge to the solo input in flight
//! that most likely sent them. Which input of a run crashed or hung the
//! server is then narrowed down by the shrinker and the replay.

use std::collections::VecDeque;
use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::time::Instant;

use super::expect::{self, Plan};
use super::generator::{real_meta, to_bytes};
use super::input::{Frame, Input, Role, Sent};
use super::judge::{Completed, Judge, Probe};
use super::memory::MemoryWatch;
use super::oracle::{answer_requirement, clip, Draft, DraftBuilder, Oracle};
use super::sequence::Step;
use super::surface::Surface;
use super::wire::{Incoming, Received, Wire};
use crate::version::Era;

/// Most bytes, and most inputs, kept as the connection's history (the
/// oldest go first): a long campaign's memory stays bounded. The count
/// matters for small inputs, whose bookkeeping outweighs their bytes.
const MAX_HISTORY_BYTES: usize = 16 << 20;
const MAX_HISTORY_INPUTS: usize = 16_384;
/// An input unanswered this long, and overtaken by a window of inputs sent
/// after it, leaves the window (a tool that takes its time), so that it
/// does not hold up the quick ones behind it...
const PARK_AFTER: Duration = Duration::from_millis(20);
/// ...as long as the inputs in flight, parked ones included, stay under
/// this many and this many bytes. A request the server leaves unanswered
/// is parked until its deadline: with room for only a hundred, a server
/// that leaves one request in 25 unanswered held a campaign to ~600/s.
pub const MAX_IN_FLIGHT: usize = 4096;
const MAX_IN_FLIGHT_BYTES: usize = 64 << 20;
/// Most items already received that one pass of the loop judges together...
const MAX_RECEIVED_PER_PASS: usize = 256;
/// ...and before it applies a deadline (bounded: a server that floods the
/// connection must not keep deadlines from passing).
const MAX_RECEIVED_BEFORE_EXPIRY: usize = 16 * MAX_RECEIVED_PER_PASS;
/// How long a server that closed its end gets to exit before its status is read.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// Where inputs come from.
pub trait Feed {
    /// The next input; `None` when there are no more (and from then on,
    /// unless [`Feed::waiting`]).
    fn next(&mut self) -> Option<Input>;

    /// `next` gives nothing for now: the caller has something to do first
    /// (run a session step once the inputs in flight are out of the way, or
    /// wait for room to queue one). [`Driver::run`] returns once each input
    /// in flight is judged, parked, or has waited 20 ms (`PARK_AFTER`), so
    /// that a request the server answers slowly, or never, holds up no one
    /// for its deadline.
    fn waiting(&self) -> bool {
        false
    }
}

impl Feed for VecDeque<Input> {
    fn next(&mut self) -> Option<Input> {
        self.pop_front()
    }
}

/// Everything known about a connection when a finding is made.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Inputs since the session opened, with their positions (the oldest may
    /// be dropped, but not those still in flight).
    pub inputs: Vec<(usize, Arc<Input>)>,
    /// Frames sent since the session opened, in order.
    pub sent: Vec<Sent>,
    /// How many older frames were dropped from `sent`.
    pub sent_dropped: usize,
    /// The last frames received.
    pub received: Vec<Received>,
    /// The end of the server's stderr (stdio).
    pub stderr: Option<String>,
}

/// Where findings and completed inputs go.
pub trait Sink {
    /// A finding, handed over as soon as the judge makes it: a sink that
    /// saves it does so before any further input goes out. `evidence`
    /// builds the evidence (only a new bucket needs it).
    fn finding(&mut self, draft: Draft, evidence: &dyn Fn() -> Evidence);
    /// An input whose answers are all in.
    fn completed(&mut self, _completed: &Completed) {}
}

/// Why [`Driver::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The feed is empty and every input is judged.
    Exhausted,
    /// The connection is gone.
    Closed,
    /// The server stopped answering the liveness probe.
    Unresponsive,
}

/// One connection being driven.
pub struct Driver {
    wire: Wire,
    judge: Judge,
    surface: Arc<Surface>,
    window: usize,
    history: VecDeque<(usize, Arc<Input>)>,
    history_bytes: usize,
    next_seq: usize,
    staged: Option<(Input, Plan)>,
    /// When the feed ran out in this run.
    exhausted: Option<Instant>,
    /// The server's memory, when watched.
    memory: Option<MemoryWatch>,
    /// Inputs judged on this connection.
    judged: usize,
}

impl Driver {
    /// Drive `wire` with at most `window` inputs in flight.
    pub fn new(wire: Wire, surface: Arc<Surface>, timeout: Duration, probe: Option<Probe>, window: usize) -> Driver {
        Driver {
            wire,
            judge: Judge::new(surface.clone(), timeout, probe),
            surface,
            window: window.max(1),
            history: VecDeque::new(),
            history_bytes: 0,
            next_seq: 0,
            staged: None,
            exhausted: None,
            memory: None,
            judged: 0,
        }
    }

    /// Watch the server's memory: a finding when it grows past `factor`
    /// times its post-warm-up baseline. Only a stdio server's process can
    /// be observed; elsewhere (and with no factor) this does nothing.
    pub fn watch_memory(&mut self, factor: Option<f64>) {
        self.memory = factor.zip(self.wire.process_group()).map(|(factor, group)| MemoryWatch::new(group, factor));
    }

    /// The judge (for its probe and counters).
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// How long the last run waited for answers after the feed ran out.
    pub fn drained(&self) -> Duration {
        self.exhausted.map_or(Duration::ZERO, |at| at.elapsed())
    }

    /// Inputs sent on this connection.
    pub fn inputs_sent(&self) -> usize {
        self.next_seq
    }

    /// The frames sent on this connection, and how many older ones were dropped.
    pub fn sent(&self) -> (Vec<Sent>, usize) {
        self.wire.sent()
    }

    /// Close the connection.
    pub async fn close(self) {
        self.wire.close().await;
    }

    /// Try the probe candidates in turn and keep the first the server answers
    /// with a result. Failures are findings like any other (a `ping` that
    /// gets no answer breaks L-PING-001 before any input is sent).
    pub async fn choose_probe(&mut self, candidates: Vec<Probe>, sink: &mut dyn Sink) -> Result<Option<Probe>, Stop> {
        for (n, candidate) in candidates.into_iter().enumerate() {
            let id = json!(format!("mcp-conform-baseline-{}", n + 1));
            let request = crate::jsonrpc::request(&id, &candidate.method, candidate.params.clone());
            let input = Input::single(format!("probe/{}", candidate.method), None, to_bytes(&request));
            let mut feed = VecDeque::from([input]);
            let mut watch = Watch { sink, answered: false };
            match self.run(&mut feed, &mut watch).await {
                Stop::Exhausted => {}
                other => return Err(other),
            }
            if watch.answered {
                self.judge.set_probe(Some(candidate.clone()));
                return Ok(Some(candidate));
            }
        }
        self.judge.set_probe(None);
        Ok(None)
    }

    /// Send inputs from `feed` until it is empty and every input is judged,
    /// or the connection fails.
    pub async fn run(&mut self, feed: &mut dyn Feed, sink: &mut dyn Sink) -> Stop {
        self.exhausted = None;
        loop {
            let now = Instant::now();
            // Findings first, while the inputs they are pinned to are still
            // in flight: the evidence keeps those however old they are.
            for draft in self.judge.take_findings() {
                let evidence = || self.evidence();
                sink.finding(draft, &evidence);
            }
            for completed in self.judge.take_completed(now) {
                self.judged += 1;
                sink.completed(&completed);
            }
            if self.memory.as_ref().is_some_and(|m| m.wants_baseline(self.judged)) {
                self.check_memory(sink);
            }
            if self.judge.unresponsive() {
                return Stop::Unresponsive;
            }
            if let Some(probe) = self.judge.probe_to_send(now) {
                self.send_frame(to_bytes(&probe), Role::Probe);
            }
            self.fill(feed, now);
            let out_of_the_way = feed.waiting().then(|| self.out_of_the_way_at(now));
            if self.exhausted.is_some() && self.staged.is_none() && (self.judge.in_flight() == 0 || out_of_the_way.is_some_and(|at| now >= at)) {
                // A last look: the growth may have come with the last inputs.
                self.check_memory(sink);
                return Stop::Exhausted;
            }
            let deadline = self.judge.next_deadline().unwrap_or_else(|| now + Duration::from_secs(3600));
            let deadline = out_of_the_way.filter(|_| self.exhausted.is_some()).map_or(deadline, |at| deadline.min(at));
            // A full window makes room when its oldest input is parked.
            let deadline = self.next_parking(now).map_or(deadline, |at| deadline.min(at));
            let sample_at = self.memory.as_ref().map_or(deadline, MemoryWatch::next_sample);
            tokio::select! {
                item = self.wire.next() => match item {
                    Some(Incoming::Closed { detail }) => {
                        self.closed(detail, sink).await;
                        return Stop::Closed;
                    }
                    None => {
                        self.closed("the connection's reader stopped".into(), sink).await;
                        return Stop::Closed;
                    }
                    Some(item) => {
                        tracing::trace!(?item, "fuzz received");
                        self.judge.received(item);
                        // What else has arrived is judged in the same pass:
                        // one refill (and one write) for all of it.
                        self.receive_ready(MAX_RECEIVED_PER_PASS);
                    }
                },
                _ = tokio::time::sleep_until(deadline) => {
                    // An answer that came while this loop was busy (sending
                    // a window's worth of frames, say) is judged before its
                    // deadline is applied.
                    self.receive_ready(MAX_RECEIVED_BEFORE_EXPIRY);
                    self.judge.expire(Instant::now());
                }
                _ = tokio::time::sleep_until(sample_at), if self.memory.is_some() => self.check_memory(sink),
            }
        }
    }

    /// Judge up to `most` items that have already arrived.
    fn receive_ready(&mut self, most: usize) {
        for _ in 0..most {
            let Some(item) = self.wire.next_ready() else { break };
            self.judge.received(item);
        }
    }

    /// Read the server's memory; a finding when it grew too much.
    fn check_memory(&mut self, sink: &mut dyn Sink) {
        let last = self.history.back().map(|(seq, _)| *seq);
        if let Some(draft) = self.memory.as_mut().and_then(|m| m.sample(self.judged, last)) {
            sink.finding(draft, &|| self.evidence());
        }
    }

    fn fill(&mut self, feed: &mut dyn Feed, now: Instant) {
        self.top_up(feed, now);
        // One probe behind every solo input just sent.
        if let Some(probe) = self.judge.probe_to_send(now) {
            self.send_frame(to_bytes(&probe), Role::Probe);
        }
    }

    /// Inputs that count against the window (those not parked after
    /// [`PARK_AFTER`] and a window's worth of later inputs judged), and when
    /// the next of them will be parked; `None` when none can be (a window of
    /// one, used by replays and shrinking, sends strictly one input at a time).
    fn unparked(&mut self, now: Instant) -> (usize, Option<Instant>) {
        if self.window == 1 {
            return (self.judge.in_flight(), None);
        }
        if self.full() {
            return (self.window, None);
        }
        self.judge.unparked(now, PARK_AFTER, self.window as u64)
    }

    /// When the inputs in flight are out of the way of a feed that waits
    /// ([`Feed::waiting`]): now when all are parked, else once the newest
    /// has waited [`PARK_AFTER`] (with nothing sent behind them, the last
    /// inputs cannot be overtaken, and so parked, by a window of others).
    fn out_of_the_way_at(&mut self, now: Instant) -> Instant {
        if self.unparked(now).0 == 0 {
            return now;
        }
        self.judge.newest_sent_at().map_or(now, |at| at + PARK_AFTER)
    }

    /// The inputs in flight, parked ones included, are at their bound.
    fn full(&self) -> bool {
        self.judge.in_flight() >= MAX_IN_FLIGHT.max(self.window) || self.judge.in_flight_bytes() >= MAX_IN_FLIGHT_BYTES
    }

    /// When a full window makes room by parking an input.
    fn next_parking(&mut self, now: Instant) -> Option<Instant> {
        let (counted, parking) = self.unparked(now);
        parking.filter(|_| counted >= self.window)
    }

    fn top_up(&mut self, feed: &mut dyn Feed, now: Instant) {
        // Counted once: every input sent here is one more in the window.
        let mut counted = self.unparked(now).0;
        while counted < self.window && !self.full() {
            let (input, plan) = match self.staged.take() {
                Some(staged) => staged,
                None => match feed.next() {
                    Some(input) => {
                        // A waiting feed may give again before the run ends.
                        self.exhausted = None;
                        let plan = expect::plan(&input, &self.surface);
                        (input, plan)
                    }
                    None => {
                        self.exhausted.get_or_insert(now);
                        return;
                    }
                },
            };
            // Inputs go out in the feed's order: an input that must wait holds
            // back the rest. It waits for the input carrying one of its ids
            // (two requests with one id in flight could not be told apart:
            // the harness must not send that by accident).
            // A step that goes "after" waits for the earlier steps of its
            // sequence; the independent inputs already in flight go on.
            if !self.judge.ids_free(&plan) || (input.step == Some(Step::After) && self.judge.earlier_in_flight(input.iteration)) {
                self.staged = Some((input, plan));
                return;
            }
            self.send_input(input, plan, now);
            counted += 1;
        }
    }

    fn send_input(&mut self, input: Input, plan: Plan, now: Instant) {
        let seq = self.next_seq;
        self.next_seq += 1;
        tracing::trace!(seq, label = %input.label, solo = plan.solo, "fuzz input");
        let input = Arc::new(input);
        let origins: Vec<Value> = input
            .frames
            .iter()
            .map(|frame| {
                let headers = self.headers_for(&frame.bytes);
                self.wire.send(frame.clone(), Role::Input, headers)
            })
            .collect();
        self.judge.sent(seq, input.clone(), plan, origins, now);
        self.history_bytes += input.len();
        self.history.push_back((seq, input));
        while (self.history_bytes > MAX_HISTORY_BYTES || self.history.len() > MAX_HISTORY_INPUTS) && self.history.len() > 1 {
            if let Some((_, old)) = self.history.pop_front() {
                self.history_bytes -= old.len();
            }
        }
    }

    /// The headers a frame needs: the wire's, and on top the `Mcp-Param-*`
    /// headers of a `tools/call` wherever the wire mirrors the body.
    fn headers_for(&self, bytes: &[u8]) -> Vec<(String, String)> {
        let mut headers = self.wire.headers_for(bytes);
        if !headers.is_empty() {
            if let Ok(message) = serde_json::from_slice::<Value>(bytes) {
                headers.extend(self.surface.param_headers(&message));
            }
        }
        headers
    }

    fn send_frame(&mut self, bytes: Vec<u8>, role: Role) {
        let headers = self.headers_for(&bytes);
        self.wire.send(Frame::new(bytes), role, headers);
    }

    fn evidence(&self) -> Evidence {
        let (sent, sent_dropped) = self.wire.sent();
        Evidence {
            inputs: with_older(self.judge.in_flight_inputs(), &self.history),
            sent,
            sent_dropped,
            received: self.wire.received(),
            stderr: self.wire.stderr_tail(4096),
        }
    }

    /// The connection is gone: a crash is a finding; a clean exit is one only
    /// when requests were left unanswered (STDIO-009 lets a server end the session).
    async fn closed(&mut self, detail: String, sink: &mut dyn Sink) {
        let status = self.wire.exit_status(EXIT_WAIT).await;
        let last = self.history.back().map(|(_, input)| input.label.clone()).unwrap_or_else(|| "(none)".into());
        let last_seq = self.history.back().map(|(seq, _)| *seq);
        let unanswered: Vec<String> = self.judge.unanswered();
        let draft = match status {
            Some(status) if !status.success() => {
                let shape = match (status.signal(), status.code()) {
                    (Some(signal), _) => format!("signal {signal}"),
                    (_, Some(code)) => format!("status {code}"),
                    _ => status.to_string(),
                };
                Some(
                    DraftBuilder::new(Oracle::ServerExit, "-", "-", "(robustness: a server that crashes answers nothing)")
                        .message(format!("the server exited ({status}) after the input `{last}`"))
                        .expected("the server keeps running")
                        .actual(format!("{status}; {detail}"))
                        .bucket("server", shape)
                        .input(last_seq)
                        .build(),
                )
            }
            _ if !unanswered.is_empty() => {
                let (requirement, spec) = answer_requirement(&unanswered[0]);
                let what = match status {
                    Some(status) => format!("the server exited ({status})"),
                    None => format!("the connection closed ({detail})"),
                };
                Some(
                    DraftBuilder::new(Oracle::ConnectionClosed, requirement, "MUST", spec)
                        .message(format!("{what} after the input `{last}`, with {} request(s) unanswered", unanswered.len()))
                        .expected("a response to every request before the session ends")
                        .actual(format!("{what}; unanswered: {}", clip(&unanswered.join(", "), 200)))
                        .bucket(self.surface.kind.as_str(), "requests unanswered")
                        .input(last_seq)
                        .build(),
                )
            }
            _ => None,
        };
        if let Some(draft) = draft {
            let evidence = || self.evidence();
            sink.finding(draft, &evidence);
        }
    }
}

/// The history, with the inputs still in flight that it no longer reaches
/// back to in front: a finding is often pinned to one of them (its
/// deadline passed while thousands of inputs went out after it).
fn with_older(in_flight: impl Iterator<Item = (usize, Arc<Input>)>, history: &VecDeque<(usize, Arc<Input>)>) -> Vec<(usize, Arc<Input>)> {
    let kept_from = history.front().map(|(seq, _)| *seq);
    let mut inputs: Vec<(usize, Arc<Input>)> = in_flight.take_while(|(seq, _)| kept_from.is_none_or(|from| *seq < from)).collect();
    inputs.extend(history.iter().cloned());
    inputs
}

/// A sink that notes whether the probe candidate got a result.
struct Watch<'a> {
    sink: &'a mut dyn Sink,
    answered: bool,
}

impl Sink for Watch<'_> {
    fn finding(&mut self, draft: Draft, evidence: &dyn Fn() -> Evidence) {
        self.sink.finding(draft, evidence);
    }

    fn completed(&mut self, completed: &Completed) {
        self.answered = completed.signature.ends_with(":result");
        self.sink.completed(completed);
    }
}

/// The liveness probes to try, in order: `ping` (or `server/discover` in
/// 2026-07-28), then a listing the server declared.
pub fn probe_candidates(surface: &Surface) -> Vec<Probe> {
    let params = |p: Value| match surface.era() {
        Era::Stateful => None,
        Era::Stateless => Some(real_meta(p, &surface.version)),
    };
    let first = match surface.era() {
        Era::Stateful => Probe { method: "ping".into(), params: None },
        Era::Stateless => Probe { method: "server/discover".into(), params: params(json!({})) },
    };
    let mut candidates = vec![first];
    for (capability, method) in [("tools", "tools/list"), ("resources", "resources/list"), ("prompts", "prompts/list")] {
        if surface.capabilities.get(capability).is_some_and(|c| !c.is_null()) {
            candidates.push(Probe { method: method.into(), params: params(json!({})).or(Some(json!({}))) });
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_keeps_inputs_in_flight_older_than_the_history() {
        let input = |seq: usize| (seq, Arc::new(Input::single(format!("i{seq}"), None, b"{}".to_vec())));
        let history: VecDeque<_> = (100..103).map(input).collect();
        // 101 is in flight and in the history: kept once.
        let in_flight = [5, 50, 101].into_iter().map(input);
        let seqs: Vec<usize> = with_older(in_flight, &history).iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, [5, 50, 100, 101, 102]);
        // An empty history (nothing sent since) keeps what is in flight.
        let seqs: Vec<usize> = with_older([7].into_iter().map(input), &VecDeque::new()).iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, [7]);
    }
}
