//! The judge: what was sent, what came back, and which oracle fires.
//!
//! It is synchronous: the driver tells it what was sent and what arrived,
//! asks it which deadlines passed, and collects the findings. Every response
//! is pinned to an input by its id; a response whose id cannot be read
//! (`null`, or an id a server may write differently) is pinned by the HTTP
//! request that carried it, or else to one of the inputs in flight that may
//! get such answers (`solo`): the oldest whose probe is still unanswered and
//! whose plan accepts the answer. Several solo inputs may be in flight at
//! once, and one liveness probe behind them covers them all.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::expect::{self, Expected, Need, Plan};
use super::input::Input;
use super::oracle::{answer_requirement, clip, Draft, DraftBuilder, Oracle, ANSWER_REQUIRED};
use super::surface::Surface;
use super::syntax::MAX_SAFE_INTEGER;
use super::wire::Incoming;
use crate::jsonrpc::Message;
use crate::schema::{self, published};
use crate::session::response_problems;
use crate::transport::Kind;
use crate::version::Era;

/// Without a working probe, how long a solo input waits for stray answers.
const SETTLE: Duration = Duration::from_millis(200);
/// Ids of finished requests remembered, to tell a late answer from a duplicate.
const MAX_FINISHED: usize = 8192;

/// How liveness is probed: a request the server answered when the session opened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Probe {
    /// The method.
    pub method: String,
    /// The params (with the stateless `_meta` where needed).
    pub params: Option<Value>,
}

/// An input whose answers are all in.
#[derive(Debug, Clone)]
pub struct Completed {
    /// Its position among the connection's inputs.
    pub seq: usize,
    /// The input.
    pub input: Arc<Input>,
    /// What came of it, in a form that tells apart behaviours (for the corpus).
    pub signature: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProbeState {
    NotNeeded,
    ToSend,
    Waiting { deadline: Instant },
    Done,
}

struct Pending {
    input: Arc<Input>,
    plan: Plan,
    answers: Vec<u32>,
    outcomes: Vec<String>,
    deadline: Instant,
    timed_out: bool,
    probe: ProbeState,
    settle: Option<Instant>,
    /// Answers may be missing for a reason other than the server (an
    /// oversized frame was dropped): no verdict on silence.
    excused: bool,
    /// HTTP requests the input was sent in.
    origins: Vec<String>,
    /// Streamable HTTP responses to those still open: everything that
    /// answers the input comes on them, so it is judged once they end.
    open_streams: usize,
    /// Inputs judged, and inputs in flight, when this one was sent: how
    /// many inputs sent after it have been judged follows from them.
    judged_before: u64,
    in_flight_before: usize,
}

impl Pending {
    /// Its own deadline still matters: a required answer, or a response
    /// stream, may still come.
    fn waits_for_deadline(&self) -> bool {
        !self.required_done() || (self.open_streams > 0 && !self.timed_out)
    }

    fn required_done(&self) -> bool {
        self.timed_out
            || self.excused
            || self.plan.expected.iter().zip(&self.answers).all(|(e, &n)| e.need == Need::Optional || n > 0)
    }

    fn done(&self, now: Instant) -> bool {
        let probe_done = matches!(self.probe, ProbeState::NotNeeded | ProbeState::Done);
        let settled = self.settle.is_none_or(|at| now >= at);
        let streams_done = self.open_streams == 0 || self.timed_out;
        self.required_done() && probe_done && settled && streams_done
    }
}

/// A request judged and done with, and the answers it may still get.
struct Finished {
    need: Need,
    method: Option<String>,
    /// Answers that may come at any time: a required request that timed
    /// out may yet be answered, once.
    late: u32,
    /// Answers that come before `optional_until` or not at all: an
    /// optional answer is owed only within its request's deadline (looked
    /// for within two, as foreign ids are).
    optional: u32,
    optional_until: Instant,
}

impl Finished {
    /// What `e` may still get after `answers` answers, optional ones until `until`.
    fn of(e: &Expected, answers: u32, until: Instant) -> Finished {
        let owed = e.max_answers.saturating_sub(answers);
        let (late, optional) = if e.need == Need::Required { (owed, 0) } else { (0, owed) };
        Finished { need: e.need, method: e.method.clone(), late, optional, optional_until: until }
    }

    /// Count one answer against what is still owed at `now`; false when nothing is.
    fn take_owed(&mut self, now: Instant) -> bool {
        if self.optional > 0 && now <= self.optional_until {
            self.optional -= 1;
        } else if self.late > 0 {
            self.late -= 1;
        } else {
            return false;
        }
        true
    }
}

/// The oldest inputs in flight, which are parked. An input is parked once
/// it has waited long enough and enough inputs sent after it are judged;
/// both grow with time, and an older input has waited longer and been
/// overtaken by at least as many. So the parked inputs are always the
/// oldest ones in flight, and stay parked: counted once each.
#[derive(Default)]
struct Parked {
    /// What they were counted for: the wait and the inputs overtaking.
    rule: (Duration, u64),
    /// Every input in flight up to this position is parked.
    through: Option<usize>,
    /// How many inputs in flight that is.
    count: usize,
}

/// The judge of one connection.
pub struct Judge {
    surface: Arc<Surface>,
    timeout: Duration,
    probe: Option<Probe>,
    probe_count: u64,
    pending: BTreeMap<usize, Pending>,
    /// Bytes of the inputs in `pending`.
    pending_bytes: usize,
    by_id: HashMap<String, (usize, usize)>,
    by_origin: HashMap<String, usize>,
    /// Probe ids in flight, each with the inputs whose liveness it shows.
    probes: HashMap<String, Vec<usize>>,
    /// The deadline of each probe sent, in the order sent (so of deadlines).
    probe_deadlines: VecDeque<(Instant, String)>,
    /// Inputs waiting for a probe to be sent.
    probe_wanted: Vec<usize>,
    /// The probe sent and neither answered nor past its deadline: the next
    /// waits for it, and then covers every input that wanted one meanwhile.
    probe_awaited: Option<String>,
    /// Inputs whose state changed since [`Judge::take_completed`] last
    /// looked: only these, and those whose settling time has passed, can
    /// have become done. Hundreds of unanswered inputs wait for their
    /// deadlines; looking at each of them on every pass cost more than
    /// judging the answers.
    touched: Vec<usize>,
    /// Every input in flight changed (an oversized frame excused them all).
    touched_all: bool,
    /// Solo inputs without a probe and when each has settled, in the order
    /// sent (so of those times).
    settling: VecDeque<(Instant, usize)>,
    /// The parked inputs counted so far (see [`Judge::unparked`]).
    parked: Parked,
    finished: HashMap<String, Finished>,
    finished_order: VecDeque<String>,
    solos: BTreeSet<usize>,
    last_solo: Option<(usize, Plan)>,
    /// Solo inputs judged lately: when each was, and whether answers with
    /// ids it did not carry, or with a null id, may still come from it.
    recent: VecDeque<(Instant, bool, bool)>,
    findings: Vec<Draft>,
    completed: Vec<Completed>,
    /// Inputs judged on this connection.
    judged: u64,
    unresponsive: bool,
    /// Tool calls that outlived the deadline while the server stayed alive.
    pub slow_tools: u64,
    /// Each tool's compiled outputSchema (`None`: it does not compile),
    /// built once: compiling per answer cost more than the rest of judging it.
    output_validators: HashMap<String, Option<Arc<jsonschema::Validator>>>,
}

/// An id as the judge files it. Whole numbers a server may read as one
/// (`0` and `-0`, `1` and `1.0`) share a key: two requests in flight with
/// such ids could not be told apart, and an answer with either is theirs.
/// Beyond 2^53 every digit counts (a server that rounds one breaks its id).
fn key(id: &Value) -> String {
    match id.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER as f64 => format!("{}", x as i64),
        _ => id.to_string(),
    }
}

fn code_of(message: &Value) -> Option<i64> {
    message.pointer("/error/code").and_then(Value::as_i64)
}

impl Judge {
    /// A judge for a session described by `surface`.
    pub fn new(surface: Arc<Surface>, timeout: Duration, probe: Option<Probe>) -> Judge {
        Judge {
            surface,
            timeout,
            probe,
            probe_count: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            by_id: HashMap::new(),
            by_origin: HashMap::new(),
            probes: HashMap::new(),
            probe_deadlines: VecDeque::new(),
            probe_wanted: Vec::new(),
            probe_awaited: None,
            touched: Vec::new(),
            touched_all: false,
            settling: VecDeque::new(),
            parked: Parked::default(),
            finished: HashMap::new(),
            finished_order: VecDeque::new(),
            solos: BTreeSet::new(),
            last_solo: None,
            recent: VecDeque::new(),
            findings: Vec::new(),
            completed: Vec::new(),
            judged: 0,
            unresponsive: false,
            slow_tools: 0,
            output_validators: HashMap::new(),
        }
    }

    /// The probe in use.
    pub fn probe(&self) -> Option<&Probe> {
        self.probe.as_ref()
    }

    /// Use this probe from now on.
    pub fn set_probe(&mut self, probe: Option<Probe>) {
        self.probe = probe;
    }

    /// Inputs in flight.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// When the newest input in flight was sent.
    pub fn newest_sent_at(&self) -> Option<Instant> {
        self.pending.last_key_value().map(|(_, p)| p.deadline - self.timeout)
    }

    /// Bytes of the inputs in flight.
    pub fn in_flight_bytes(&self) -> usize {
        self.pending_bytes
    }

    /// The inputs in flight with their positions, oldest first.
    pub fn in_flight_inputs(&self) -> impl Iterator<Item = (usize, Arc<Input>)> + '_ {
        self.pending.iter().map(|(&seq, p)| (seq, p.input.clone()))
    }

    /// Inputs in flight that are not parked, and when the next one will be.
    /// An input is parked once it has waited `wait` and `overtaken_by`
    /// inputs sent after it have been judged: the server answers others,
    /// so this one is slow on its own (a tool that takes its time). A
    /// server that is only slow, loaded, answers in about the order it was
    /// asked: nothing overtakes, nothing is parked, and the window holds
    /// the campaign back to the server's pace.
    pub fn unparked(&mut self, now: Instant, wait: Duration, overtaken_by: u64) -> (usize, Option<Instant>) {
        if self.parked.rule != (wait, overtaken_by) {
            self.parked = Parked { rule: (wait, overtaken_by), through: None, count: 0 };
        }
        let after = self.parked.through.map_or(Bound::Unbounded, Bound::Excluded);
        let mut next = None;
        for (&seq, p) in self.pending.range((after, Bound::Unbounded)) {
            // Inputs are sent in the order of their positions, so those
            // older than this one (all parked) are some of those in flight
            // when it was sent; the rest of those were judged since.
            let older_judged = p.in_flight_before.saturating_sub(self.parked.count) as u64;
            let overtaken = (self.judged - p.judged_before).saturating_sub(older_judged);
            if overtaken < overtaken_by {
                break;
            }
            let parks_at = p.deadline - self.timeout + wait;
            if parks_at > now {
                next = Some(parks_at);
                break;
            }
            self.parked.through = Some(seq);
            self.parked.count += 1;
        }
        (self.pending.len() - self.parked.count, next)
    }

    /// A solo input is in flight.
    pub fn solo_active(&self) -> bool {
        !self.solos.is_empty()
    }

    /// Is an input of `iteration` (a step of the same sequence) in flight,
    /// and not parked as of the last [`Judge::unparked`]? A parked one is
    /// slow on its own, a tool that takes its time: the next step goes
    /// beside it rather than hold up every input behind it until its
    /// deadline. Without an iteration (a hand-made input), any input in
    /// flight counts.
    pub fn earlier_in_flight(&self, iteration: Option<u64>) -> bool {
        let after = self.parked.through.map_or(Bound::Unbounded, Bound::Excluded);
        match iteration {
            Some(iteration) => self.pending.range((after, Bound::Unbounded)).any(|(_, p)| p.input.iteration == Some(iteration)),
            None => !self.pending.is_empty(),
        }
    }

    /// None of the ids `plan` carries is in flight.
    pub fn ids_free(&self, plan: &Plan) -> bool {
        plan.expected.iter().all(|e| !self.by_id.contains_key(&key(&e.id)))
    }

    /// A probe failed to get an answer: the server no longer responds.
    pub fn unresponsive(&self) -> bool {
        self.unresponsive
    }

    /// Methods of required requests still unanswered.
    pub fn unanswered(&self) -> Vec<String> {
        self.pending
            .values()
            .flat_map(|p| {
                p.plan
                    .expected
                    .iter()
                    .zip(&p.answers)
                    .filter(|(e, &n)| e.need == Need::Required && n == 0 && !p.timed_out && !p.excused)
                    .map(|(e, _)| e.method.clone().unwrap_or_default())
            })
            .collect()
    }

    /// Findings so far (taken).
    pub fn take_findings(&mut self) -> Vec<Draft> {
        std::mem::take(&mut self.findings)
    }

    /// Inputs whose answers are all in (taken).
    pub fn take_completed(&mut self, now: Instant) -> Vec<Completed> {
        while self.settling.front().is_some_and(|(at, _)| *at <= now) {
            self.touched.extend(self.settling.pop_front().map(|(_, seq)| seq));
        }
        let mut changed = std::mem::take(&mut self.touched);
        if std::mem::take(&mut self.touched_all) {
            changed = self.pending.keys().copied().collect();
        }
        changed.sort_unstable();
        changed.dedup();
        changed.retain(|seq| self.pending.get(seq).is_some_and(|p| p.done(now)));
        for seq in changed {
            let Some(p) = self.pending.remove(&seq) else { continue };
            self.pending_bytes -= p.input.len();
            if self.parked.through.is_some_and(|through| seq <= through) {
                self.parked.count -= 1;
            }
            for (e, &answers) in p.plan.expected.iter().zip(&p.answers) {
                let k = key(&e.id);
                if self.by_id.get(&k).is_some_and(|(s, _)| *s == seq) {
                    self.by_id.remove(&k);
                }
                self.remember(k, Finished::of(e, answers, p.deadline + self.timeout), now);
            }
            for origin in &p.origins {
                self.by_origin.remove(origin);
            }
            if self.solos.remove(&seq) {
                self.recent.push_back((now, p.plan.foreign_ids_allowed, p.plan.null_id_allowed));
                if self.recent.len() > 16 {
                    self.recent.pop_front();
                }
                self.last_solo = Some((seq, p.plan.clone()));
            }
            let signature = signature(&p);
            tracing::trace!(seq, label = %p.input.label, elapsed = ?(now - (p.deadline - self.timeout)), "fuzz input judged");
            self.judged += 1;
            self.completed.push(Completed { seq, input: p.input, signature });
        }
        std::mem::take(&mut self.completed)
    }

    fn remember(&mut self, key: String, mut finished: Finished, now: Instant) {
        // An earlier input with this id may still be answered late: its
        // answer may come yet, and is no duplicate.
        if let Some(earlier) = self.finished.get(&key) {
            finished.late += earlier.late;
            if earlier.optional > 0 && now <= earlier.optional_until {
                finished.optional += earlier.optional;
                finished.optional_until = finished.optional_until.max(earlier.optional_until);
            }
        }
        if self.finished.insert(key.clone(), finished).is_none() {
            self.finished_order.push_back(key);
        }
        while self.finished_order.len() > MAX_FINISHED {
            if let Some(old) = self.finished_order.pop_front() {
                self.finished.remove(&old);
            }
        }
    }

    /// `input` (position `seq`) was handed to the transport in HTTP requests
    /// `origins`. Inputs come in the order of their positions and of `now`,
    /// so their deadlines come in that order too (the judge relies on it).
    pub fn sent(&mut self, seq: usize, input: Arc<Input>, plan: Plan, origins: Vec<Value>, now: Instant) {
        debug_assert!(self.pending.last_key_value().is_none_or(|(&last, p)| last < seq && p.deadline <= now + self.timeout));
        // A request of an earlier input still in flight, cancelled by this one.
        for id in &plan.cancels {
            if let Some(&(owner, index)) = self.by_id.get(&key(id)) {
                if let Some(e) = self.pending.get_mut(&owner).and_then(|p| p.plan.expected.get_mut(index)) {
                    e.cancel();
                }
            }
        }
        for (index, e) in plan.expected.iter().enumerate() {
            // Ids are the engine's and unique in flight; an input that repeats
            // an id in flight (an extreme id tried twice) keeps the first owner.
            self.by_id.entry(key(&e.id)).or_insert((seq, index));
        }
        let origins: Vec<String> = origins.iter().filter_map(Value::as_str).map(str::to_string).collect();
        for origin in &origins {
            self.by_origin.insert(origin.clone(), seq);
        }
        let (probe, settle) = match (plan.solo, &self.probe) {
            (false, _) => (ProbeState::NotNeeded, None),
            (true, Some(_)) => (ProbeState::ToSend, None),
            (true, None) => (ProbeState::NotNeeded, Some(now + SETTLE)),
        };
        if plan.solo {
            self.solos.insert(seq);
        }
        if let Some(at) = settle {
            self.settling.push_back((at, seq));
        }
        if probe == ProbeState::ToSend {
            self.probe_wanted.push(seq);
        }
        // It may be done already: it expects nothing.
        self.touched.push(seq);
        let n = plan.expected.len();
        self.pending_bytes += input.len();
        self.pending.insert(
            seq,
            Pending {
                input,
                plan,
                answers: vec![0; n],
                outcomes: vec![String::new(); n],
                deadline: now + self.timeout,
                timed_out: false,
                probe,
                settle,
                excused: false,
                open_streams: if self.surface.kind == Kind::StreamableHttp { origins.len() } else { 0 },
                origins,
                judged_before: self.judged,
                in_flight_before: self.pending.len(),
            },
        );
    }

    /// The probe to send now, if any input waits for one and no probe is
    /// awaited: one probe covers every such input (it goes behind all of
    /// them). One at a time, because each is a request the server must
    /// serve too: over Streamable HTTP, where every probe is a POST of its
    /// own, a probe behind every few malformed frames cost server-everything
    /// a third of its time.
    pub fn probe_to_send(&mut self, now: Instant) -> Option<Value> {
        let probe = self.probe.clone()?;
        if self.probe_awaited.is_some() {
            return None;
        }
        let mut covered = std::mem::take(&mut self.probe_wanted);
        covered.sort_unstable();
        covered.dedup();
        let deadline = now + self.timeout;
        covered.retain(|seq| match self.pending.get_mut(seq) {
            Some(p) if p.probe == ProbeState::ToSend => {
                p.probe = ProbeState::Waiting { deadline };
                true
            }
            _ => false,
        });
        if covered.is_empty() {
            return None;
        }
        self.probe_count += 1;
        let id = Value::String(format!("mcp-conform-probe-{}", self.probe_count));
        self.probes.insert(key(&id), covered);
        self.probe_deadlines.push_back((deadline, key(&id)));
        self.probe_awaited = Some(key(&id));
        Some(crate::jsonrpc::request(&id, &probe.method, probe.params.clone()))
    }

    /// The next moment a deadline passes, if anything waits.
    pub fn next_deadline(&self) -> Option<Instant> {
        let now = Instant::now();
        // An input already judged (one that expects nothing) is due now.
        if self.touched_all || self.touched.iter().any(|seq| self.pending.get(seq).is_some_and(|p| p.done(now))) {
            return Some(now);
        }
        // Inputs go out in the order of their positions, so their own
        // deadlines come in that order too.
        let own = self.pending.values().find(|p| p.waits_for_deadline()).map(|p| p.deadline);
        let probe = self.probe_deadlines.front().map(|(at, _)| *at);
        let settle = self.settling.front().map(|(at, _)| *at);
        [own, probe, settle].into_iter().flatten().min()
    }

    /// Apply every deadline that has passed.
    pub fn expire(&mut self, now: Instant) {
        let mut drafts = Vec::new();
        while let Some((deadline, id)) = self.probe_deadlines.front().filter(|(at, _)| *at <= now).cloned() {
            self.probe_deadlines.pop_front();
            if self.probe_awaited.as_ref() == Some(&id) {
                self.probe_awaited = None;
            }
            // Answered meanwhile, or not: the inputs it covered wait no more.
            for &seq in self.probes.get(&id).into_iter().flatten() {
                let Some(p) = self.pending.get_mut(&seq) else { continue };
                if p.probe != (ProbeState::Waiting { deadline }) {
                    continue;
                }
                p.probe = ProbeState::Done;
                self.touched.push(seq);
                // One silent probe is one finding, pinned to the oldest input it covered.
                if !self.unresponsive {
                    let probe = self.probe.as_ref().map_or("probe", |p| p.method.as_str());
                    drafts.push(probe_failed(probe, &p.input.label, "no-response", format!("no response within {:?}", self.timeout), seq));
                }
                self.unresponsive = true;
            }
        }
        // Own deadlines come in the order of the inputs' positions.
        for (&seq, p) in self.pending.iter_mut() {
            if now < p.deadline {
                break;
            }
            if p.timed_out || (p.required_done() && p.open_streams == 0) {
                continue;
            }
            p.timed_out = true;
            self.touched.push(seq);
            let silent: Vec<&Expected> =
                p.plan.expected.iter().zip(&p.answers).filter(|(e, &n)| e.need == Need::Required && n == 0).map(|(e, _)| e).collect();
            if silent.iter().any(|e| e.may_be_slow) && self.probe.is_some() && p.probe == ProbeState::NotNeeded {
                // A tool may run long: whether the server is alive decides.
                p.probe = ProbeState::ToSend;
                self.probe_wanted.push(seq);
            }
            for e in silent.into_iter().filter(|e| !e.may_be_slow) {
                let defect = expect::request_defect(&p.input, &e.id, &self.surface);
                drafts.push(no_response(e, defect.as_deref(), &self.timeout, seq));
            }
        }
        self.findings.extend(drafts);
    }

    /// Judge one thing that arrived.
    pub fn received(&mut self, item: Incoming) {
        match item {
            Incoming::Message { message, json, origin, id_absent, .. } => self.message(message, json, origin, id_absent),
            Incoming::Batch { channel, origin, items } => {
                let batch = origin.is_none().then(|| self.solo_for(|p| p.plan.batch)).flatten();
                let seq = batch.or_else(|| self.attribute(origin.as_ref()));
                let allowed = self.surface.version == "2025-03-26" || self.plan_of(seq).is_some_and(|p| p.batch);
                if !allowed {
                    self.findings.push(non_protocol(&self.surface, &channel, "array", "a JSON array (a batch answer) although no batch was sent", seq));
                }
                for (message, json, id_absent) in items {
                    self.message(message, json, origin.clone(), id_absent);
                }
            }
            Incoming::Garbage { channel, origin, bytes, why, http_status } => {
                // The body of an HTTP error status need not be JSON-RPC.
                if http_status.is_some_and(|s| !(200..300).contains(&s)) {
                    return;
                }
                let seq = self.attribute(origin.as_ref());
                let shape = if why.starts_with("stdout ended") {
                    "unterminated line"
                } else if why.starts_with("not UTF-8") {
                    "not UTF-8"
                } else if why.starts_with("not JSON:") {
                    "not JSON"
                } else {
                    "not JSON-RPC"
                };
                let text = format!("{why}: {}", clip(&String::from_utf8_lossy(&bytes), 300));
                self.findings.push(non_protocol(&self.surface, &channel, shape, &text, seq));
            }
            Incoming::Oversized { origin } => {
                // Nothing can be concluded from silence that may be this frame.
                match origin.as_ref().and_then(|o| o.as_str()).and_then(|o| self.by_origin.get(o)).copied() {
                    Some(seq) => {
                        if let Some(p) = self.pending.get_mut(&seq) {
                            p.excused = true;
                            self.touched.push(seq);
                        }
                    }
                    None => {
                        self.pending.values_mut().for_each(|p| p.excused = true);
                        self.touched_all = true;
                    }
                }
            }
            Incoming::StreamEnded { origin } => {
                let Some(seq) = origin.as_ref().and_then(Value::as_str).and_then(|o| self.by_origin.get(o)).copied() else { return };
                let Some(p) = self.pending.get_mut(&seq) else { return };
                self.touched.push(seq);
                p.open_streams = p.open_streams.saturating_sub(1);
                // The answers of a one-frame input can only come on its POST;
                // a request cancelled since may end it without one (UTIL-003).
                if p.input.frames.len() != 1 || p.excused {
                    return;
                }
                let mut drafts = Vec::new();
                for (index, e) in p.plan.expected.iter().enumerate() {
                    if e.need == Need::Required && !e.cancelled && p.answers[index] == 0 {
                        p.answers[index] = 1;
                        p.outcomes[index] = "none".into();
                        let defect = expect::request_defect(&p.input, &e.id, &self.surface);
                        drafts.push(
                            no_response_builder(e, defect.as_deref(), seq)
                                .message(format!("`{}`: the HTTP response ended without a JSON-RPC response", e.method.as_deref().unwrap_or("?")))
                                .actual("the POST's response ended with no message for this id")
                                .build(),
                        );
                    }
                }
                self.findings.extend(drafts);
            }
            Incoming::SendFailed { origin, why, unreachable } => {
                let seq = self.attribute(origin.as_ref());
                if unreachable {
                    self.unresponsive = true;
                    self.findings.push(
                        DraftBuilder::new(Oracle::ConnectionClosed, "JSONRPC-004", "MUST", "basic/transports/streamable-http.mdx")
                            .message(format!("the server became unreachable: {why}"))
                            .expected("the server keeps accepting requests")
                            .actual(why)
                            .bucket(self.surface.kind.as_str(), "unreachable")
                            .input(seq)
                            .build(),
                    );
                    return;
                }
                // A server may drop the connection of a malformed or huge
                // request; a well-formed one must be answered.
                let Some(seq) = seq else { return };
                let Some(p) = self.pending.get_mut(&seq) else { return };
                self.touched.push(seq);
                if origin.as_ref().and_then(Value::as_str).is_some_and(|o| p.origins.iter().any(|x| x == o)) {
                    p.open_streams = p.open_streams.saturating_sub(1);
                }
                if p.plan.solo {
                    return;
                }
                // One POST per frame: only the request that POST carried failed.
                let failed_id = origin
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|o| p.origins.iter().position(|x| x == o))
                    .filter(|_| p.input.frames.len() > 1)
                    .and_then(|i| serde_json::from_slice::<Value>(&p.input.frames.get(i)?.bytes).ok())
                    .and_then(|frame| frame.get("id").cloned());
                let mut drafts = Vec::new();
                for (index, e) in p.plan.expected.iter().enumerate() {
                    // A tool that may run long is left to the deadline, where
                    // whether the server is alive decides.
                    if e.need == Need::Required && p.answers[index] == 0 && !e.may_be_slow && failed_id.as_ref().is_none_or(|id| *id == e.id) {
                        p.answers[index] = 1;
                        let defect = expect::request_defect(&p.input, &e.id, &self.surface);
                        drafts.push(no_response_builder(e, defect.as_deref(), seq).message(format!("the request could not be completed: {why}")).actual(why.clone()).build());
                    }
                }
                self.findings.extend(drafts);
            }
            // The driver handles the end of the connection.
            Incoming::Closed { .. } => {}
        }
    }

    fn plan_of(&self, seq: Option<usize>) -> Option<&Plan> {
        let seq = seq?;
        self.pending.get(&seq).map(|p| &p.plan).or_else(|| self.last_solo.as_ref().filter(|(s, _)| *s == seq).map(|(_, plan)| plan))
    }

    /// The input a message with an unreadable id belongs to: the one its
    /// HTTP request carried, else the solo input in flight, else the last one.
    fn attribute(&self, origin: Option<&Value>) -> Option<usize> {
        if let Some(seq) = origin.and_then(Value::as_str).and_then(|o| self.by_origin.get(o)) {
            return Some(*seq);
        }
        self.solos.first().copied().or(self.last_solo.as_ref().map(|(seq, _)| *seq))
    }

    /// The solo input in flight that an answer with an unreadable or foreign
    /// id most likely belongs to: the oldest one `accepts`, preferring those
    /// whose probe is still unanswered (a server that answers in order
    /// answers an input before the probe behind it).
    fn solo_for(&self, accepts: impl Fn(&Pending) -> bool) -> Option<usize> {
        let candidates = || self.solos.iter().filter_map(|seq| self.pending.get(seq).map(|p| (*seq, p))).filter(|(_, p)| accepts(p));
        candidates().find(|(_, p)| p.probe != ProbeState::Done).or_else(|| candidates().next()).map(|(seq, _)| seq)
    }

    /// The input a response with id null belongs to: by its HTTP request,
    /// else the oldest solo input in flight that has had no such answer yet
    /// and accepts its code, else any that accepts it at all.
    fn attribute_null(&self, origin: Option<&Value>, code: Option<i64>) -> Option<usize> {
        if let Some(seq) = origin.and_then(Value::as_str).and_then(|o| self.by_origin.get(o)) {
            return Some(*seq);
        }
        let accepts = |p: &Pending| {
            p.plan.null_id_allowed && p.plan.null_id.as_ref().is_none_or(|rule| code.is_none_or(|c| rule.codes.contains(&c)))
        };
        let unanswered = |p: &Pending| !p.outcomes.iter().any(|o| o.starts_with("null:"));
        self.solo_for(|p| accepts(p) && unanswered(p)).or_else(|| self.solo_for(accepts)).or_else(|| self.attribute(origin))
    }

    fn message(&mut self, message: Message, json: Value, origin: Option<Value>, id_absent: bool) {
        match message {
            Message::Result { id, .. } | Message::Error { id, .. } => self.response(id, json, origin, id_absent),
            Message::Request { method, .. } => self.server_request(&method, &json),
            Message::Notification { method, .. } => {
                let Some(schema) = schema::bundle().version(&self.surface.version) else { return };
                let Some(definition) = schema.notification_definition(&method) else { return };
                if let Err(violations) = schema.validate(definition, &json) {
                    let first = violations.first().map(|v| v.to_string()).unwrap_or_default();
                    self.findings.push(
                        DraftBuilder::new(Oracle::SchemaInvalid, "JSONRPC-001", "(schema)", "schema.ts")
                            .message(format!("the `{method}` notification does not match {definition} ({}): {first}", self.surface.version))
                            .expected(format!("a {definition}"))
                            .actual(clip(&json.to_string(), 300))
                            .bucket(method, format!("{definition}@{}", normalize(&violations[0].instance_path)))
                            .build(),
                    );
                }
            }
        }
    }

    fn server_request(&mut self, method: &str, json: &Value) {
        if self.surface.era() == Era::Stateless {
            let (requirement, spec) = match self.surface.kind {
                Kind::Stdio => ("STDIO-004", "basic/transports/stdio.mdx §Receiving Messages"),
                _ => ("JSONRPC-016", "basic/patterns/index.mdx; basic/transports/index.mdx §Messages"),
            };
            self.findings.push(
                DraftBuilder::new(Oracle::ServerRequest, requirement, "MUST NOT", spec)
                    .message(format!("the server sent a `{method}` request; in {} servers never originate requests", self.surface.version))
                    .expected("only responses and notifications from the server")
                    .actual(clip(&json.to_string(), 300))
                    .bucket(method, "request")
                    .build(),
            );
            return;
        }
        let Some(schema) = schema::bundle().version(&self.surface.version) else { return };
        let Some(definition) = schema.request_definition(method) else { return };
        if let Err(violations) = schema.validate(definition, json) {
            let first = violations.first().map(|v| v.to_string()).unwrap_or_default();
            self.findings.push(
                DraftBuilder::new(Oracle::SchemaInvalid, "JSONRPC-001", "(schema)", "schema.ts")
                    .message(format!("the server's `{method}` request does not match {definition}: {first}"))
                    .expected(format!("a {definition}"))
                    .actual(clip(&json.to_string(), 300))
                    .bucket(method, format!("{definition}@{}", normalize(&violations[0].instance_path)))
                    .build(),
            );
        }
    }

    fn response(&mut self, id: Value, json: Value, origin: Option<Value>, id_absent: bool) {
        let k = key(&id);
        if let Some(covered) = self.probes.remove(&k) {
            if self.probe_awaited.as_ref() == Some(&k) {
                self.probe_awaited = None;
            }
            // An error answer is one finding, pinned to the oldest input covered.
            for (n, seq) in covered.into_iter().enumerate() {
                self.probe_answered(seq, &json, n == 0);
            }
            return;
        }
        if !id.is_null() {
            if let Some(&(seq, index)) = self.by_id.get(&k) {
                return self.answer(seq, index, &json);
            }
            if let Some(f) = self.finished.get_mut(&k) {
                // After a timeout the late answer is the first; a second is a duplicate.
                if !f.take_owed(Instant::now()) && f.need == Need::Required {
                    let method = f.method.clone().unwrap_or_default();
                    self.findings.push(duplicate(&method, &json, None));
                }
                return;
            }
        }
        let seq = if id.is_null() {
            self.attribute_null(origin.as_ref(), code_of(&json))
        } else {
            let foreign = origin.is_none().then(|| self.solo_for(|p| p.plan.foreign_ids_allowed)).flatten();
            foreign.or_else(|| self.attribute(origin.as_ref()))
        };
        let plan = self.plan_of(seq).cloned();
        let version = self.surface.version.clone();
        if id.is_null() {
            // Over Streamable HTTP a refused notification's error may lack
            // the id in every version (the transport's own rule).
            let refused_notification = self.surface.kind == Kind::StreamableHttp && plan.as_ref().is_some_and(|p| p.expected.is_empty());
            if id_absent && version.as_str() < "2025-11-25" && !refused_notification {
                self.findings.push(unknown_id(&json, "absent", "an error response without an `id` member (JSON-RPC 2.0 requires it, null when unreadable)", seq));
                return;
            }
            match plan {
                Some(plan) if plan.null_id_allowed => {
                    if let (Some(rule), Some(code)) = (&plan.null_id, code_of(&json)) {
                        if !rule.codes.contains(&code) {
                            self.findings.push(wrong_code(rule, code, &json, seq));
                        }
                    }
                    self.error_shape(&json, seq);
                    if let Some(p) = seq.and_then(|s| self.pending.get_mut(&s)) {
                        p.outcomes.push(format!("null:{}", code_of(&json).map_or("result".into(), |c| c.to_string())));
                    }
                }
                Some(_) if origin.is_some() => {
                    self.findings.push(
                        DraftBuilder::new(Oracle::UnknownId, "JSONRPC-007", "MUST", "basic/index.mdx §Error Responses")
                            .message("a request whose id was readable was answered with id null")
                            .expected("the request's own id in its response")
                            .actual(clip(&json.to_string(), 300))
                            .bucket("response", "null")
                            .input(seq)
                            .build(),
                    );
                    // It is the answer of the one request its POST carried:
                    // that request is not also silent.
                    if let Some(p) = seq.and_then(|s| self.pending.get_mut(&s)).filter(|p| p.input.frames.len() == 1) {
                        p.answers.iter_mut().filter(|n| **n == 0).for_each(|n| *n = 1);
                        self.touched.extend(seq);
                    }
                }
                // A late answer to an earlier malformed input: not provably wrong.
                _ if self.recently(|_, null| null) => self.error_shape(&json, seq),
                _ => self.findings.push(unknown_id(&json, "null", "a response with id null while no malformed message was outstanding", seq)),
            }
            return;
        }
        match plan {
            Some(plan) if plan.foreign_ids_allowed => self.error_shape(&json, seq),
            // A server may answer an earlier input with an id it read its own way, late.
            _ if self.recently(|foreign, _| foreign) => self.error_shape(&json, seq),
            _ => {
                let shape = crate::jsonrpc::type_name(&id);
                self.findings.push(unknown_id(&json, shape, &format!("a response with id {}, which matches no request sent", clip(&id.to_string(), 80)), seq));
            }
        }
    }

    /// A solo input judged within the last two deadlines matches `allows`.
    fn recently(&self, allows: impl Fn(bool, bool) -> bool) -> bool {
        let Some(horizon) = Instant::now().checked_sub(self.timeout * 2) else { return true };
        self.recent.iter().any(|(at, foreign, null)| *at >= horizon && allows(*foreign, *null))
    }

    fn probe_answered(&mut self, seq: usize, json: &Value, report: bool) {
        let Some(p) = self.pending.get_mut(&seq) else { return };
        p.probe = ProbeState::Done;
        self.touched.push(seq);
        let label = p.input.label.clone();
        if p.timed_out && json.get("result").is_some() {
            self.slow_tools += 1;
        }
        if let Some(code) = code_of(json).filter(|_| report) {
            let probe = self.probe.as_ref().map_or("probe", |p| p.method.as_str());
            let shape = format!("error {code}");
            self.findings.push(probe_failed(probe, &label, &shape, clip(&json.to_string(), 300), seq));
        }
    }

    /// An input already judged carried id `k` too and may still be answered
    /// (its answer was optional, or came too late): one more answer with `k`
    /// may be that one's, so it is counted there, not as a duplicate.
    fn owed_to_earlier(&mut self, k: &str) -> bool {
        self.finished.get_mut(k).is_some_and(|f| f.take_owed(Instant::now()))
    }

    fn answer(&mut self, seq: usize, index: usize, json: &Value) {
        let Some(p) = self.pending.get_mut(&seq) else { return };
        self.touched.push(seq);
        let e = p.plan.expected[index].clone();
        p.answers[index] += 1;
        let outcome = code_of(json).map_or("result".to_string(), |c| format!("error {c}"));
        p.outcomes[index] = outcome;
        let method = e.method.clone().unwrap_or_default();
        if p.answers[index] > e.max_answers {
            if e.need == Need::Required && !self.owed_to_earlier(&key(&e.id)) {
                self.findings.push(duplicate(&method, json, Some(seq)));
            }
            return;
        }
        let seq = Some(seq);
        if json.get("error").is_some() {
            if !e.check_schema {
                self.error_shape(json, seq);
            }
            if let (Some(rule), Some(code)) = (&e.codes, code_of(json)) {
                if !rule.codes.contains(&code) {
                    let mut draft = wrong_code(rule, code, json, seq);
                    if rule.requirement.starts_with("LIFECYCLE") {
                        draft.subject = format!("{} ({method})", rule.what);
                    }
                    self.findings.push(draft);
                }
            }
            if let Some((requirement, spec)) = e.result_required {
                self.findings.push(
                    DraftBuilder::new(Oracle::WrongErrorCode, requirement, "MUST", spec)
                        .message(format!("a valid `{method}` request was answered with an error"))
                        .expected(format!("the `{method}` result"))
                        .actual(clip(&json.to_string(), 300))
                        .bucket(method.clone(), format!("error {}", code_of(json).map_or("?".into(), |c| c.to_string())))
                        .input(seq)
                        .build(),
                );
            }
        } else if e.error_required {
            if let Some(rule) = &e.codes {
                self.findings.push(
                    DraftBuilder::new(Oracle::MissingError, rule.requirement, rule.keyword, rule.spec)
                        .message(format!("{}: answered with a result, not an error", rule.what))
                        .expected(format!("an error with code {}", codes_text(&rule.codes)))
                        .actual(clip(&json.to_string(), 300))
                        .bucket(format!("{} ({method})", rule.what), "result")
                        .input(seq)
                        .build(),
                );
            }
        }
        if e.check_schema {
            let problems = response_problems(&self.surface.version, &method, json);
            if let Some(first) = problems.first() {
                let (definition, path) = schema_shape(&first.message);
                let text: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
                self.findings.push(
                    DraftBuilder::new(Oracle::SchemaInvalid, first.requirement, first.keyword, "schema.ts")
                        .message(clip(&text.join("; "), 600))
                        .expected(format!("a response that matches {definition} ({})", self.surface.version))
                        .actual(clip(&json.to_string(), 300))
                        .bucket(method.clone(), format!("{definition}@{path}"))
                        .input(seq)
                        .build(),
                );
            }
        }
        if let Some(tool) = e.tool.as_deref().and_then(|name| self.surface.tool(name)) {
            if let (Some(output), Some(result)) = (&tool.output_schema, json.get("result")) {
                let interim = result.get("resultType").and_then(Value::as_str) == Some("input_required");
                let is_error = result.get("isError") == Some(&Value::Bool(true));
                if !interim && !is_error {
                    let validator = self
                        .output_validators
                        .entry(tool.name.clone())
                        .or_insert_with(|| published::compile(output).ok().map(Arc::new))
                        .clone();
                    if let Some(draft) = structured(&tool.name, output, validator.as_deref(), result, seq) {
                        self.findings.push(draft);
                    }
                }
            }
        }
    }

    /// JSONRPC-008 for errors no schema check covers: an integer code and a message.
    fn error_shape(&mut self, json: &Value, seq: Option<usize>) {
        let Some(error) = json.get("error") else { return };
        let ok = error.get("code").is_some_and(|c| c.as_i64().is_some()) && error.get("message").is_some_and(Value::is_string);
        if !ok {
            self.findings.push(
                DraftBuilder::new(Oracle::SchemaInvalid, "JSONRPC-008", "MUST", "basic/index.mdx §Error Responses")
                    .message("an error response without an integer `code` and a string `message`")
                    .expected("\"error\": {\"code\": <integer>, \"message\": <string>}")
                    .actual(clip(&json.to_string(), 300))
                    .bucket("error response", "error shape")
                    .input(seq)
                    .build(),
            );
        }
    }
}

fn signature(p: &Pending) -> String {
    let kind = p.input.label.split(' ').next().unwrap_or_default();
    let parts: Vec<String> = p
        .plan
        .expected
        .iter()
        .zip(&p.outcomes)
        .map(|(e, outcome)| {
            let subject = match &e.codes {
                Some(rule) if rule.codes.contains(&-32601) => "(unknown method)".to_string(),
                _ => e.method.clone().unwrap_or_default(),
            };
            format!("{subject}:{}", if outcome.is_empty() { "none" } else { outcome })
        })
        .chain(p.outcomes.iter().skip(p.plan.expected.len()).cloned())
        .collect();
    format!("{kind} => {}", parts.join(","))
}

fn codes_text(codes: &[i64]) -> String {
    codes.iter().map(i64::to_string).collect::<Vec<_>>().join(" or ")
}

fn wrong_code(rule: &expect::CodeRule, code: i64, json: &Value, seq: Option<usize>) -> Draft {
    DraftBuilder::new(Oracle::WrongErrorCode, rule.requirement, rule.keyword, rule.spec)
        .message(format!("{}: answered with error {code}, not {}", rule.what, codes_text(&rule.codes)))
        .expected(format!("an error with code {}", codes_text(&rule.codes)))
        .actual(clip(&json.to_string(), 300))
        .bucket(rule.what, code.to_string())
        .input(seq)
        .build()
}

/// The no-response finding of `e`. Its bucket is the bug, not the method:
/// silence on an item of a 2025-03-26 batch is the batch refused, silence on
/// a request that breaks its schema is that kind of request dropped, whatever
/// the method (`defect`, from [`expect::request_defect`]).
fn no_response_builder(e: &Expected, defect: Option<&str>, seq: usize) -> DraftBuilder {
    let method = e.method.as_deref().unwrap_or("?");
    let unknown_method = e.codes.as_ref().is_some_and(|rule| rule.codes.contains(&-32601));
    let (requirement, spec) = match (&e.codes, defect) {
        _ if e.in_batch => ("L-BATCH-001", "2025-03-26 basic/index.mdx §Batching"),
        (Some(rule), _) => (rule.requirement, rule.spec),
        (None, Some(_)) => ANSWER_REQUIRED,
        (None, None) => answer_requirement(method),
    };
    let subject = match defect {
        _ if e.in_batch => "batch (2025-03-26)".to_string(),
        _ if unknown_method => "(unknown method)".to_string(),
        Some(path) => format!("(request invalid at {path})"),
        None => method.to_string(),
    };
    DraftBuilder::new(Oracle::NoResponse, requirement, "MUST", spec)
        .expected(format!("one response with id {}", clip(&e.id.to_string(), 80)))
        .bucket(subject, "no response")
        .input(Some(seq))
}

fn no_response(e: &Expected, defect: Option<&str>, timeout: &Duration, seq: usize) -> Draft {
    no_response_builder(e, defect, seq)
        .message(format!("`{}` got no response within {timeout:?}", clip(e.method.as_deref().unwrap_or("?"), 80)))
        .actual(format!("nothing within {timeout:?}"))
        .build()
}

fn probe_failed(probe: &str, label: &str, what: &str, actual: String, seq: usize) -> Draft {
    let (requirement, spec) = answer_requirement(probe);
    DraftBuilder::new(Oracle::ProbeFailed, requirement, "MUST", spec)
        .message(format!("after the input `{label}`, the liveness probe `{probe}` failed ({what})"))
        .expected(format!("the server still answers `{probe}`"))
        .actual(actual)
        .bucket(probe, format!("{what} after {label}"))
        .input(Some(seq))
        .build()
}

pub(super) fn duplicate(method: &str, json: &Value, seq: Option<usize>) -> Draft {
    DraftBuilder::new(Oracle::DuplicateResponse, "JSONRPC-003", "MUST", "basic/index.mdx §Responses")
        .message(format!("a second response to one `{method}` request"))
        .expected("exactly one response per request")
        .actual(clip(&json.to_string(), 300))
        .bucket(method, "second response")
        .input(seq)
        .build()
}

pub(super) fn unknown_id(json: &Value, shape: &str, message: &str, seq: Option<usize>) -> Draft {
    DraftBuilder::new(Oracle::UnknownId, "JSONRPC-003", "MUST", "basic/index.mdx §Responses")
        .message(message)
        .expected("responses only to requests sent, repeating their ids")
        .actual(clip(&json.to_string(), 300))
        .bucket("response", shape)
        .input(seq)
        .build()
}

fn non_protocol(surface: &Surface, channel: &str, shape: &str, text: &str, seq: Option<usize>) -> Draft {
    let (requirement, spec, subject) = match (surface.kind, shape) {
        (Kind::Stdio, "unterminated line") => ("STDIO-001", "basic/transports/stdio.mdx", "stdout"),
        (Kind::Stdio, _) => ("STDIO-002", "basic/transports/stdio.mdx", "stdout"),
        (_, "array") => ("JSONRPC-017", "basic/transports/streamable-http.mdx §Sending Messages", channel_kind(channel)),
        _ => ("JSONRPC-001", "basic/index.mdx §Messages", channel_kind(channel)),
    };
    DraftBuilder::new(Oracle::NonProtocolOutput, requirement, "MUST NOT", spec)
        .message(format!("the server sent something that is not a JSON-RPC message on {channel}"))
        .expected("only JSON-RPC messages")
        .actual(text)
        .bucket(subject, shape)
        .input(seq)
        .build()
}

fn channel_kind(channel: &str) -> &'static str {
    if channel.starts_with("POST") {
        "http response"
    } else {
        "event stream"
    }
}

fn structured(tool: &str, output_schema: &Value, validator: Option<&jsonschema::Validator>, result: &Value, seq: Option<usize>) -> Option<Draft> {
    let draft = |shape: &str, message: String, actual: String| {
        DraftBuilder::new(Oracle::StructuredContent, "TOOLS-008", "MUST", "server/tools.mdx §Output Schema")
            .message(message)
            .expected(format!("structuredContent valid against the outputSchema {}", clip(&output_schema.to_string(), 200)))
            .actual(actual)
            .bucket(format!("tools/call {tool}"), shape)
            .input(seq)
            .build()
    };
    let Some(content) = result.get("structuredContent") else {
        return Some(draft("absent", format!("tool `{tool}` declares an outputSchema but returned no structuredContent"), clip(&result.to_string(), 300)));
    };
    // An invalid outputSchema is the tool-schemas case's to report.
    let validator = validator?;
    let errors: Vec<String> = validator.iter_errors(content).take(3).map(|e| format!("at `{}`: {}", e.instance_path(), e.masked())).collect();
    (!errors.is_empty()).then(|| {
        draft("mismatch", format!("tool `{tool}`: structuredContent does not match its outputSchema ({})", errors.join("; ")), clip(&content.to_string(), 300))
    })
}

/// The definition and the (index-free) instance path of a schema problem
/// message of `response_problems`: "… does not match D (v) at `path`: …".
fn schema_shape(message: &str) -> (String, String) {
    let definition = message.split("does not match ").nth(1).and_then(|r| r.split(' ').next()).unwrap_or("?").to_string();
    let path = message.split("at `").nth(1).and_then(|r| r.split('`').next()).unwrap_or("");
    (definition, normalize(path))
}

/// An instance path with array indices folded, so one bug is one bucket.
fn normalize(path: &str) -> String {
    let folded: Vec<&str> = path.split('/').map(|s| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "*" } else { s }).collect();
    let text = folded.join("/");
    if text.is_empty() {
        "/".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The drafts a judge makes when none of `texts` (one input each) is answered.
    fn silence(version: &str, texts: &[&str]) -> Vec<Draft> {
        let surface = Arc::new(Surface {
            version: version.into(),
            kind: Kind::Stdio,
            supported_versions: None,
            capabilities: json!({ "resources": {}, "logging": {} }),
            tools: Vec::new(),
        });
        let timeout = Duration::from_secs(5);
        let mut judge = Judge::new(surface.clone(), timeout, None);
        let now = Instant::now();
        for (seq, text) in texts.iter().enumerate() {
            let input = Input::single("test", None, text.as_bytes().to_vec());
            let plan = expect::plan(&input, &surface);
            judge.sent(seq, Arc::new(input), plan, Vec::new(), now);
        }
        judge.expire(now + timeout + Duration::from_millis(1));
        judge.take_findings()
    }

    #[test]
    fn requests_dropped_for_one_schema_defect_are_one_bucket_whatever_the_method() {
        // server-everything drops these silently (the TypeScript SDK's parse fails):
        // one bug, not one per method.
        let drafts = silence(
            "2025-11-25",
            &[
                r#"{"method":"ping","id":1,"jsonrpc":"2.0","params":{"_meta":"mutant"}}"#,
                r#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"_meta":true,"uri":"https://example.com/r/1"}}"#,
                r#"{"jsonrpc":"2.0","id":3,"method":"resources/list","params":{"_meta":{"progressToken":null}}}"#,
            ],
        );
        assert_eq!(drafts.len(), 3);
        assert!(drafts.iter().all(|d| d.bucket() == "no-response|(request invalid at /params/_meta)|no response"), "{drafts:#?}");
        assert!(drafts.iter().all(|d| d.requirement == "JSONRPC-004"));
    }

    #[test]
    fn an_unanswered_valid_request_keeps_its_method_bucket() {
        let drafts = silence(
            "2025-11-25",
            &[r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, r#"{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":7}}"#],
        );
        let buckets: Vec<String> = drafts.iter().map(Draft::bucket).collect();
        assert_eq!(buckets, ["no-response|ping|no response", "no-response|(request invalid at /params/_meta)|no response"]);
        assert_eq!(drafts[0].requirement, "L-PING-001");
    }

    #[test]
    fn a_request_cancelled_by_a_later_input_may_stay_unanswered() {
        let request = |id: u32| format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"resources/list"}}"#);
        let cancel = |id: u32| format!(r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":{id}}}}}"#);
        // Cancelled while in flight (UTIL-003): silence is no finding; the
        // request beside it must still be answered.
        let drafts = silence("2025-11-25", &[&request(1), &request(2), &cancel(1)]);
        assert_eq!(drafts.iter().map(|d| d.input).collect::<Vec<_>>(), [Some(1)], "{drafts:#?}");
        // A cancellation sent before its request cancels nothing.
        let drafts = silence("2025-11-25", &[&cancel(3), &request(3)]);
        assert_eq!(drafts.iter().map(|d| d.input).collect::<Vec<_>>(), [Some(1)], "{drafts:#?}");
    }

    #[test]
    fn ids_a_server_may_read_as_one_number_are_one_id() {
        let ids = |text: &str| key(&serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(ids("0"), ids("-0"));
        assert_eq!(ids("1"), ids("1.0"));
        assert_eq!(ids("-1"), ids("-1e0"));
        assert_ne!(ids("9007199254740993"), ids("9007199254740992"), "past 2^53 every digit counts");
        assert_ne!(ids("1"), ids("\"1\""));
        assert_ne!(ids("1.5"), ids("1"));
    }

    #[test]
    fn an_id_numerically_equal_to_one_in_flight_waits_and_its_answer_is_its_own() {
        // A server that prints -0 as 0 answered two requests `0` and `-0` in
        // flight at once with id 0 twice: read as a duplicate answer.
        let surface = Arc::new(Surface { version: "2025-11-25".into(), kind: Kind::Stdio, supported_versions: None, capabilities: json!({}), tools: Vec::new() });
        let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
        let now = Instant::now();
        let input = |id: &str| Input::single("test", None, format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#).into_bytes());
        let zero = input("0");
        let plan = expect::plan(&zero, &surface);
        judge.sent(0, Arc::new(zero), plan, Vec::new(), now);
        let minus_zero = input("-0");
        assert!(!judge.ids_free(&expect::plan(&minus_zero, &surface)), "-0 waits while 0 is in flight");
        let answer = || {
            let frame = crate::jsonrpc::parse(br#"{"jsonrpc":"2.0","id":0,"result":{}}"#).unwrap();
            Incoming::Message { message: frame.message, json: frame.json, origin: None, in_array: false, id_absent: false }
        };
        judge.received(answer());
        assert_eq!(judge.take_completed(now).len(), 1);
        let plan = expect::plan(&minus_zero, &surface);
        assert!(judge.ids_free(&plan));
        judge.sent(1, Arc::new(minus_zero), plan, Vec::new(), now);
        judge.received(answer());
        // A solo input (no probe here) settles a moment after its answer.
        let completed = judge.take_completed(now + Duration::from_secs(1));
        assert_eq!(completed.len(), 1);
        assert_eq!(completed[0].signature.matches(":result").count(), 1, "the answer with id 0 is the answer to -0: {}", completed[0].signature);
        assert!(judge.take_findings().is_empty());
    }

    #[test]
    fn a_late_answer_to_an_earlier_input_with_the_same_id_is_no_duplicate() {
        // `-0` (lenient: its answer is optional) was judged once its probe was
        // answered, before its own answer came; `0` went out next, and two
        // answers with id 0 arrived, either of which may be the late one:
        // both while `0` is in flight, or one after it was judged. Once two
        // deadlines of `-0` have passed, its answer is no longer owed.
        let surface = Arc::new(Surface { version: "2025-11-25".into(), kind: Kind::Stdio, supported_versions: None, capabilities: json!({}), tools: Vec::new() });
        let input = |id: &str| Input::single("test", None, format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","params":{{}}}}"#).into_bytes());
        let message = |text: &str| {
            let frame = crate::jsonrpc::parse(text.as_bytes()).unwrap();
            Incoming::Message { message: frame.message, json: frame.json, origin: None, in_array: false, id_absent: false }
        };
        let answer = || message(r#"{"jsonrpc":"2.0","id":0,"result":{}}"#);
        for (second_after_judging, owed_expired) in [(false, false), (true, false), (false, true)] {
            // Short only where it must pass: a debug build's first plan
            // (schemas compiled) takes a good part of a second.
            let timeout = Duration::from_millis(if owed_expired { 100 } else { 60_000 });
            let case = format!("second answer after judging: {second_after_judging}, `-0` owed nothing any more: {owed_expired}");
            let probe = Probe { method: "ping".into(), params: None };
            let mut judge = Judge::new(surface.clone(), timeout, Some(probe));
            let now = Instant::now();
            let minus_zero = input("-0");
            let plan = expect::plan(&minus_zero, &surface);
            assert!(plan.expected.iter().all(|e| e.need == Need::Optional), "{plan:?}");
            judge.sent(0, Arc::new(minus_zero), plan, Vec::new(), now);
            let probe = judge.probe_to_send(now).expect("a probe behind the lenient input");
            judge.received(message(&format!(r#"{{"jsonrpc":"2.0","id":{},"result":{{}}}}"#, probe["id"])));
            assert_eq!(judge.take_completed(now).len(), 1);
            if owed_expired {
                std::thread::sleep(timeout * 3);
            }
            let now = Instant::now();
            let zero = input("0");
            let plan = expect::plan(&zero, &surface);
            assert!(judge.ids_free(&plan));
            judge.sent(1, Arc::new(zero), plan, Vec::new(), now);
            judge.received(answer());
            if second_after_judging {
                assert_eq!(judge.take_completed(now).len(), 1);
            }
            judge.received(answer());
            if !owed_expired {
                assert!(judge.take_findings().is_empty(), "{case}");
                // A third answer is one too many for both.
                judge.received(answer());
            }
            let findings = judge.take_findings();
            assert_eq!(findings.len(), 1, "{case}: {findings:#?}");
            assert!(findings[0].bucket().starts_with("duplicate-response|ping"), "{}", findings[0].bucket());
        }
    }

    #[test]
    fn only_an_input_others_overtook_is_parked() {
        let surface = Arc::new(Surface { version: "2025-11-25".into(), kind: Kind::Stdio, supported_versions: None, capabilities: json!({}), tools: Vec::new() });
        let ping = |id: u32| Input::single("test", None, format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#).into_bytes());
        let answer = |id: u32| {
            let frame = crate::jsonrpc::parse(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#).as_bytes()).unwrap();
            Incoming::Message { message: frame.message, json: frame.json, origin: None, in_array: false, id_absent: false }
        };
        let start = Instant::now();
        let later = start + Duration::from_secs(1);
        let judge_of = || {
            let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
            for id in 0..3 {
                let input = ping(id);
                let plan = expect::plan(&input, &surface);
                judge.sent(id as usize, Arc::new(input), plan, Vec::new(), start);
            }
            judge
        };
        // Nothing answered: however long they wait, all three count.
        assert_eq!(judge_of().unparked(later, Duration::ZERO, 1), (3, None));
        // Answered in order (a loaded server): the rest still count.
        let mut judge = judge_of();
        judge.received(answer(0));
        assert_eq!(judge.take_completed(later).len(), 1);
        assert_eq!(judge.unparked(later, Duration::ZERO, 1), (2, None));
        // Overtaken by the two sent after it: the first is parked once it
        // has waited, and counts until then.
        let mut judge = judge_of();
        judge.received(answer(1));
        judge.received(answer(2));
        assert_eq!(judge.take_completed(later).len(), 2);
        assert_eq!(judge.unparked(later, Duration::ZERO, 2), (0, None));
        assert_eq!(judge.unparked(later, Duration::ZERO, 3), (1, None), "overtaken by two, not three");
        let wait = Duration::from_secs(2);
        assert_eq!(judge.unparked(later, wait, 2), (1, Some(start + wait)));
    }

    #[test]
    fn a_cancelled_request_may_end_its_stream_without_a_response() {
        let surface = Arc::new(Surface {
            version: "2025-11-25".into(),
            kind: Kind::StreamableHttp,
            supported_versions: None,
            capabilities: json!({ "resources": {} }),
            tools: Vec::new(),
        });
        let request = r#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#;
        let cancel = r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#;
        // The request's POST stream ends with no response, after `texts` were sent.
        let stream_ended = |texts: &[&str]| {
            let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
            let now = Instant::now();
            for (seq, text) in texts.iter().enumerate() {
                let input = Input::single("test", None, text.as_bytes().to_vec());
                let plan = expect::plan(&input, &surface);
                judge.sent(seq, Arc::new(input), plan, vec![json!(format!("post-{seq}"))], now);
            }
            judge.received(Incoming::StreamEnded { origin: Some(json!("post-0")) });
            judge.take_findings()
        };
        assert_eq!(stream_ended(&[request]).len(), 1, "not cancelled: a response must come on it");
        assert_eq!(stream_ended(&[request, cancel]).len(), 0, "cancelled since (UTIL-003): it may end without one");
    }

    #[test]
    fn a_sequence_step_waits_for_its_earlier_steps_until_they_are_parked() {
        let surface = Arc::new(Surface { version: "2025-11-25".into(), kind: Kind::Stdio, supported_versions: None, capabilities: json!({}), tools: Vec::new() });
        let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
        let start = Instant::now();
        // Input 0 is a step of iteration 7; 1 and 2 are of other iterations.
        for (seq, iteration) in [(0, 7), (1, 8), (2, 9)] {
            let input = Input::single("test", Some(iteration), format!(r#"{{"jsonrpc":"2.0","id":{seq},"method":"ping"}}"#).into_bytes());
            let plan = expect::plan(&input, &surface);
            judge.sent(seq as usize, Arc::new(input), plan, Vec::new(), start);
        }
        assert!(judge.earlier_in_flight(Some(7)) && !judge.earlier_in_flight(Some(10)));
        for id in [1, 2] {
            let frame = crate::jsonrpc::parse(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#).as_bytes()).unwrap();
            judge.received(Incoming::Message { message: frame.message, json: frame.json, origin: None, in_array: false, id_absent: false });
        }
        let wait = Duration::from_millis(20);
        assert_eq!(judge.take_completed(start).len(), 2);
        // Overtaken by two, but it has not waited yet: the next step waits.
        assert_eq!(judge.unparked(start, wait, 2), (1, Some(start + wait)));
        assert!(judge.earlier_in_flight(Some(7)));
        // Parked: slow on its own, the next step goes beside it.
        assert_eq!(judge.unparked(start + wait, wait, 2), (0, None));
        assert!(!judge.earlier_in_flight(Some(7)));
        // A hand-made input (no iteration) still waits for every input in flight.
        assert!(judge.earlier_in_flight(None));
    }

    #[test]
    fn parked_inputs_leave_the_count_when_judged_and_later_ones_join_it() {
        let surface = Arc::new(Surface { version: "2025-11-25".into(), kind: Kind::Stdio, supported_versions: None, capabilities: json!({}), tools: Vec::new() });
        let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
        let send = |judge: &mut Judge, id: usize, at: Instant| {
            let input = Input::single("test", None, format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#).into_bytes());
            let plan = expect::plan(&input, &surface);
            judge.sent(id, Arc::new(input), plan, Vec::new(), at);
        };
        let answer = |judge: &mut Judge, id: usize| {
            let frame = crate::jsonrpc::parse(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#).as_bytes()).unwrap();
            judge.received(Incoming::Message { message: frame.message, json: frame.json, origin: None, in_array: false, id_absent: false });
        };
        let start = Instant::now();
        let later = start + Duration::from_secs(1);
        for id in 0..6 {
            send(&mut judge, id, start);
        }
        for id in 3..6 {
            answer(&mut judge, id);
        }
        assert_eq!(judge.take_completed(later).len(), 3);
        assert_eq!(judge.unparked(later, Duration::ZERO, 3), (0, None), "0, 1 and 2 were overtaken by three");
        // One of the parked ones is answered after all.
        answer(&mut judge, 1);
        assert_eq!(judge.take_completed(later).len(), 1);
        assert_eq!(judge.in_flight(), 2);
        assert_eq!(judge.unparked(later, Duration::ZERO, 3), (0, None));
        // Two more, then the second is answered: the first is overtaken by one.
        let again = later + Duration::from_secs(1);
        send(&mut judge, 6, later);
        send(&mut judge, 7, later);
        assert_eq!(judge.unparked(again, Duration::ZERO, 1), (2, None));
        answer(&mut judge, 7);
        assert_eq!(judge.take_completed(again).len(), 1);
        assert_eq!(judge.unparked(again, Duration::ZERO, 1), (0, None));
        assert_eq!(judge.unparked(again, Duration::ZERO, 2), (1, None), "6 was overtaken by one only");
        // Their own deadlines come in order: 0 and 2 first.
        assert_eq!(judge.next_deadline(), Some(start + Duration::from_secs(5)));
        judge.expire(start + Duration::from_secs(5));
        assert_eq!(judge.take_findings().len(), 2, "0 and 2 went unanswered");
        assert_eq!(judge.take_completed(again).len(), 2);
        assert_eq!(judge.next_deadline(), Some(later + Duration::from_secs(5)));
    }

    #[test]
    fn a_refused_notification_over_streamable_http_may_get_an_error_without_id() {
        let surface = Arc::new(Surface { version: "2025-06-18".into(), kind: Kind::StreamableHttp, supported_versions: None, capabilities: json!({}), tools: Vec::new() });
        let refusal = json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Bad Request: no session"}});
        let error = Message::Error { id: Value::Null, error: refusal["error"].clone() };
        let findings_for = |text: &str| {
            let mut judge = Judge::new(surface.clone(), Duration::from_secs(5), None);
            let input = Input::single("test", None, text.as_bytes().to_vec());
            let plan = expect::plan(&input, &surface);
            judge.sent(0, Arc::new(input), plan, vec![json!("#1")], Instant::now());
            judge.received(Incoming::Message { message: error.clone(), json: refusal.clone(), origin: Some(json!("#1")), in_array: false, id_absent: true });
            judge.take_findings()
        };
        assert!(findings_for(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).is_empty());
        // A request's error must carry its id (null only when unreadable).
        let findings = findings_for(r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#);
        assert!(findings.iter().any(|f| f.oracle == Oracle::UnknownId), "{findings:#?}");
    }

    #[test]
    fn an_unanswered_batch_is_one_bucket_of_l_batch_001() {
        let batch = r#"[{"method":"resources/unsubscribe","id":"a","jsonrpc":"2.0","params":{"uri":"https://example.com/r/1"}},{"method":"logging/setLevel","id":2,"jsonrpc":"2.0","params":{"level":"critical"}},{"method":"tools/list","jsonrpc":"2.0","id":3,"params":{}}]"#;
        let drafts = silence("2025-03-26", &[batch]);
        assert_eq!(drafts.len(), 3);
        assert!(drafts.iter().all(|d| d.bucket() == "no-response|batch (2025-03-26)|no response" && d.requirement == "L-BATCH-001"), "{drafts:#?}");
    }
}
