//! A campaign: for each version, open a session, send generated inputs with
//! a window in flight, save each new finding before the next input, confirm
//! and shrink it on a fresh connection (beside the campaign over stdio),
//! reconnect after a crash, until the budget is spent.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::corpus::{Corpus, Resume};
use super::driver::{self, probe_candidates, Driver, Evidence, Feed, Sink, Stop};
use super::error::FuzzError;
use super::expect;
use super::finding::{self, Finding, FindingContext, Status, SurfaceRecord, TargetSpec};
use super::generator::{Families, Generator, Mix};
use super::input::{encode, Input};
use super::judge::{Completed, Probe};
use super::oracle::{Draft, Oracle};
use super::sequence::{self, Script, Steps};
use super::shrink::{self, Budget, Trial};
use super::surface::{Surface, Tool};
use super::wire::{Wire, CLOSE_GRACE};
use crate::check::CallTools;
use crate::discovery::{self, Probe as Discovered};
use crate::session::{RequestOptions, Session, SessionOptions};
use crate::target::Target;
use crate::transport::Limits;
use crate::version::{self, era, Era};

/// Most `tools/list` pages followed.
const MAX_PAGES: usize = 50;

/// Which part of the iteration space a campaign covers: iterations `i`
/// with `i mod count == index` (shards numbered from 0 here, from 1 on the
/// command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// `K/N` as written on the command line.
    pub fn label(&self) -> String {
        format!("{}/{}", self.index + 1, self.count)
    }

    /// The iteration of the `n`-th input of this shard.
    pub fn iteration(&self, n: u64) -> u64 {
        self.index.saturating_add(self.count.saturating_mul(n))
    }
}

/// Everything a campaign needs.
pub struct Config {
    /// The server.
    pub target: Target,
    /// The server as a finding file records it.
    pub spec: TargetSpec,
    /// Versions to fuzz; empty means every version the server speaks.
    pub versions: Vec<String>,
    /// The seed.
    pub seed: u64,
    /// The shard.
    pub shard: Shard,
    /// Inputs to send (across versions); `None` with a duration means no limit.
    pub iterations: Option<u64>,
    /// Time to run (across versions).
    pub duration: Option<Duration>,
    /// The corpus folder.
    pub corpus: Option<PathBuf>,
    /// The findings folder.
    pub findings: PathBuf,
    /// Inputs in flight at once.
    pub window: usize,
    /// Deadline of each request.
    pub timeout: Duration,
    /// Deadline of each connection's handshake, which also waits for the
    /// server to start (at least `timeout`).
    pub startup_timeout: Duration,
    /// Transport limits.
    pub limits: Limits,
    /// Which tools may be called.
    pub call_tools: CallTools,
    /// Shrinking budget (`minimize: false` only confirms).
    pub shrink: Budget,
    /// Append every frame sent to this file (JSON lines).
    pub transcript: Option<PathBuf>,
    /// Which generator families to draw from.
    pub generators: Families,
    /// Which kinds of input to send.
    pub mix: Mix,
    /// The memory-growth limit, a factor of the server's post-warm-up
    /// memory; `None` turns the oracle off (it is off over HTTP anyway).
    pub max_rss_growth: Option<f64>,
}

/// One bucket of findings, as the summary lists it.
#[derive(Debug, Clone)]
pub struct BucketLine {
    /// The bucket key.
    pub bucket: String,
    /// The oracle.
    pub oracle: Oracle,
    /// The requirement.
    pub requirement: String,
    /// The first finding's message.
    pub message: String,
    /// How many times it was seen.
    pub count: u64,
    /// The finding file.
    pub path: Option<PathBuf>,
    /// Its state.
    pub status: Status,
    /// Inputs in the saved reproducer.
    pub inputs: usize,
}

impl BucketLine {
    /// Does it count as a finding (exit code 1)? A finding whose attribution
    /// depends on timing counts only once a replay reproduced it.
    pub fn counts(&self) -> bool {
        self.status == Status::Reproduced || !self.oracle.needs_confirmation()
    }
}

/// The live state of a campaign, shared with the progress line and with
/// the summary printed when the campaign is interrupted.
#[derive(Debug)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// The shard.
    pub shard: String,
    /// When it started.
    pub started: std::time::Instant,
    /// Versions fuzzed so far.
    pub versions: Vec<String>,
    /// The transport.
    pub transport: String,
    /// Inputs judged.
    pub execs: u64,
    /// Findings seen, every occurrence.
    pub findings: u64,
    /// Distinct buckets.
    pub buckets: Vec<BucketLine>,
    /// Corpus entries.
    pub corpus: usize,
    /// Sessions reopened after the server crashed, hung or closed.
    pub reconnects: u64,
    /// Tool calls that outlived the deadline while the server stayed alive.
    pub slow_tools: u64,
    /// Time spent sending inputs and judging their answers; the rest went on
    /// starting servers, choosing probes and confirming new findings...
    pub driving: Duration,
    /// ...and, of `driving`, waiting for the last answers once the
    /// campaign's budget was spent (up to a deadline, however long it ran).
    pub draining: Duration,
    /// Things the user should know.
    pub notes: Vec<String>,
    /// Resume states to write on exit: corpus, seed, shard, state.
    pending_resume: Vec<(PathBuf, String, Resume)>,
    /// Bucket key to its line in `buckets`, across versions.
    index: HashMap<String, usize>,
}

impl Report {
    /// A report for a campaign starting now.
    pub fn new(seed: u64, shard: Shard, transport: &str) -> Report {
        Report {
            seed,
            shard: shard.label(),
            started: std::time::Instant::now(),
            versions: Vec::new(),
            transport: transport.into(),
            execs: 0,
            findings: 0,
            buckets: Vec::new(),
            corpus: 0,
            reconnects: 0,
            slow_tools: 0,
            driving: Duration::ZERO,
            draining: Duration::ZERO,
            notes: Vec::new(),
            pending_resume: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// 1 when a finding counts, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.buckets.iter().any(BucketLine::counts))
    }

    /// The progress line.
    pub fn progress(&self) -> String {
        let elapsed = self.started.elapsed().as_secs_f64().max(0.001);
        format!(
            "{:.0} execs/s | {} inputs | {} findings in {} buckets | corpus {} | {:.0}s",
            self.execs as f64 / elapsed,
            self.execs,
            self.findings,
            self.buckets.len(),
            self.corpus,
            elapsed
        )
    }

    /// The summary printed at the end.
    pub fn summary(&self) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let driving = self.driving.as_secs_f64();
        let mut text = format!(
            "fuzz: seed {}, shard {}, {} over {}: {} inputs in {:.3}s ({:.0} execs/s), {} reconnect(s)\n",
            self.seed,
            self.shard,
            if self.versions.is_empty() { "no version".into() } else { self.versions.join(", ") },
            self.transport,
            self.execs,
            elapsed,
            self.execs as f64 / elapsed.max(0.001),
            self.reconnects
        );
        let draining = self.draining.as_secs_f64();
        let sending = driving - draining;
        text.push_str(&format!(
            "time: {sending:.3}s sending and judging ({:.0} execs/s), {draining:.3}s waiting for the last answers, {:.3}s starting servers and confirming findings\n",
            self.execs as f64 / sending.max(0.001),
            (elapsed - driving).max(0.0)
        ));
        let counted: Vec<&BucketLine> = self.buckets.iter().filter(|b| b.counts()).collect();
        text.push_str(&format!("findings: {} in {} bucket(s)\n", counted.iter().map(|b| b.count).sum::<u64>(), counted.len()));
        for line in &self.buckets {
            let path = line.path.as_ref().map_or("(not saved)".into(), |p| p.display().to_string());
            let state = match (line.status, line.counts()) {
                (Status::Reproduced, _) => format!("reproduced, {} input(s)", line.inputs),
                (Status::NotReproduced, true) => "not reproduced on a fresh connection".into(),
                (Status::NotReproduced, false) => "not reproduced on a fresh connection; not counted (timing)".into(),
                (Status::Unconfirmed, _) => "not replayed yet".into(),
            };
            text.push_str(&format!("  {} ×{}  [{}]\n    {}\n    {path} ({state})\n", line.bucket, line.count, line.requirement, line.message));
        }
        if self.slow_tools > 0 {
            text.push_str(&format!("{} tool call(s) outlived the deadline while the server stayed alive (not findings)\n", self.slow_tools));
        }
        for note in &self.notes {
            text.push_str(&format!("note: {note}\n"));
        }
        text.push_str(&format!("rerun with: --seed {}", self.seed));
        if self.shard != "1/1" {
            text.push_str(&format!(" --shard {}", self.shard));
        }
        text.push('\n');
        text
    }

    /// Write the resume states of the versions in progress (also on interruption).
    pub fn save_resume(&mut self) {
        for (dir, version, resume) in self.pending_resume.drain(..) {
            if let Ok(corpus) = Corpus::load(Some(&dir), &version) {
                let _ = corpus.save_resume(self.seed, &self.shard, &resume);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run a campaign; progress and results go to `report` as they happen.
pub async fn run(config: &Config, report: Arc<Mutex<Report>>) -> Result<(), FuzzError> {
    let surfaces = surfaces(config).await?;
    let n = surfaces.len() as u64;
    for (index, surface) in surfaces.into_iter().enumerate() {
        let index = index as u64;
        let iterations = config.iterations.map(|total| total / n + u64::from(index < total % n));
        let duration = config.duration.map(|d| d / n as u32);
        let confirming = confirming_time(config).map(|d| d / n as u32);
        lock(&report).versions.push(surface.version.clone());
        run_version(config, Arc::new(surface), iterations, duration, confirming, report.clone()).await?;
    }
    Ok(())
}

/// How long after a campaign given a `--duration` new confirmations may
/// start: that duration, or the shrinking time when longer, shared between
/// versions like the duration. A campaign that finds many distinct buckets
/// (over HTTP, a loaded server leaves requests of many kinds unanswered,
/// and confirming each, one at a time, can take the whole shrinking time)
/// would otherwise run for many times its duration. Unbounded without one.
fn confirming_time(config: &Config) -> Option<Duration> {
    config.duration.map(|d| d.max(config.shrink.time))
}

/// The surface of each version to fuzz.
async fn surfaces(config: &Config) -> Result<Vec<Surface>, FuzzError> {
    let options = SessionOptions { request_timeout: config.timeout, startup_timeout: config.startup_timeout.max(config.timeout) };
    let explicit = !config.versions.is_empty();
    let wanted: Vec<String> = if explicit { config.versions.clone() } else { version::ALL.iter().map(|v| v.to_string()).collect() };
    let probes = wanted.iter().map(|v| discovery::probe(&config.target, v, &config.limits, &options));
    let mut surfaces = Vec::new();
    let mut refused = Vec::new();
    for (version, probe) in wanted.iter().zip(futures_util::future::join_all(probes).await) {
        match probe? {
            Discovered::Supported(session) => {
                let surface = surface_of(&session, config).await;
                session.close_within(CLOSE_GRACE).await;
                surfaces.push(surface);
            }
            Discovered::Unsupported { why, .. } => {
                if explicit {
                    return Err(FuzzError::Open { version: version.clone(), why });
                }
                refused.push(format!("{version}: {why}"));
            }
        }
    }
    if surfaces.is_empty() {
        return Err(FuzzError::NoVersion(refused));
    }
    Ok(surfaces)
}

async fn surface_of(session: &Session, config: &Config) -> Surface {
    let mut surface = Surface {
        version: session.version.clone(),
        kind: config.target.kind(),
        supported_versions: None,
        capabilities: session.server.capabilities.clone(),
        tools: Vec::new(),
    };
    let options = RequestOptions::default();
    if era(&session.version) == Era::Stateless {
        let discover = session.request("server/discover", json!({}), &options).await;
        surface.supported_versions = discover
            .result()
            .and_then(|r| r.get("supportedVersions"))
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).map(str::to_string).collect());
    }
    if session.server.declares("tools") {
        let mut cursor: Option<Value> = None;
        for _ in 0..MAX_PAGES {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({ "cursor": c }));
            let exchange = session.request("tools/list", params, &options).await;
            let Some(result) = exchange.result() else { break };
            let listed = result.get("tools").and_then(Value::as_array).cloned().unwrap_or_default();
            surface.tools.extend(listed.iter().filter_map(|t| Tool::from_listing(t, config.call_tools)));
            cursor = result.get("nextCursor").filter(|c| c.is_string()).cloned();
            if cursor.is_none() {
                break;
            }
        }
    }
    surface
}

/// The state one version's campaign shares with its sink.
struct Campaign<'a> {
    findings: Findings<'a>,
    corpus: Corpus,
    /// The liveness probe of the connection being driven.
    probe: Option<Probe>,
}

/// Where one version's findings go: counted in the report and, the first
/// of each bucket, saved at once and queued to be confirmed (see
/// [`confirm_queued`]); the campaign never waits for them. The driver's
/// sink and the runner of session steps each hold one.
#[derive(Clone)]
struct Findings<'a> {
    config: &'a Config,
    surface: Arc<Surface>,
    report: Arc<Mutex<Report>>,
    confirmer: mpsc::UnboundedSender<Fresh>,
}

/// A finding saved raw, waiting to be confirmed and shrunk.
struct Fresh {
    finding: Finding,
    path: Option<PathBuf>,
    trigger: Option<usize>,
    line: usize,
    /// The liveness probe of the connection that found it.
    probe: Option<Probe>,
}

/// How many findings are confirmed at once, while the campaign still runs
/// and after it. Over stdio each replay starts a server of its own, and
/// mostly waits (for a deadline that shows a request unanswered, for the
/// server to start): two at a time take little from the campaign, four
/// once it is over. Over HTTP a replay shares the campaign's server, where
/// a crash would be pinned on the wrong inputs and each one's load would
/// make the other's deadlines: those wait for the campaign to end, and go
/// one at a time.
fn confirming_at_once(target: &Target, campaign_over: bool) -> usize {
    match (target, campaign_over) {
        (Target::Stdio { .. }, false) => 2,
        (Target::Stdio { .. }, true) => 4,
        (_, false) => 0,
        (_, true) => 1,
    }
}

impl Findings<'_> {
    /// A finding of the connection whose liveness probe is `probe`.
    fn add(&self, draft: Draft, evidence: &dyn Fn() -> Evidence, probe: Option<&Probe>) {
        let bucket = draft.bucket();
        let mut report = lock(&self.report);
        report.findings += 1;
        if let Some(&line) = report.index.get(&bucket) {
            report.buckets[line].count += 1;
            return;
        }
        let evidence = evidence();
        let trigger = draft.input.and_then(|seq| evidence.inputs.iter().position(|(s, _)| *s == seq));
        // Inputs sent before the last one kept that were not kept.
        let omitted = evidence.inputs.last().map_or(0, |(s, _)| s + 1 - evidence.inputs.len());
        let context = FindingContext {
            target: self.config.spec.clone(),
            version: self.surface.version.clone(),
            transport: self.surface.kind.as_str().into(),
            seed: self.config.seed,
            shard: self.config.shard.label(),
            iteration: trigger.and_then(|t| evidence.inputs[t].1.iteration),
            probe: probe.cloned(),
            surface: SurfaceRecord::of(&self.surface),
            inputs: evidence.inputs.iter().map(|(_, i)| (**i).clone()).collect(),
            inputs_omitted: omitted,
            sent: evidence.sent,
            sent_omitted: evidence.sent_dropped,
            received: evidence.received,
            stderr: evidence.stderr,
        };
        let finding = Finding::from_draft(&draft, context);
        // Saved now, before any further input goes out.
        let path = match finding::save(&self.config.findings, &finding) {
            Ok(path) => Some(path),
            Err(e) => {
                report.notes.push(format!("could not save a finding: {e}"));
                None
            }
        };
        let shown = path.as_ref().map_or("(not saved)".into(), |p| p.display().to_string());
        eprintln!("\rfound: {} [{}] {}\n  → {shown}", draft.bucket(), draft.requirement, draft.message);
        report.buckets.push(BucketLine {
            bucket: bucket.clone(),
            oracle: draft.oracle,
            requirement: draft.requirement.clone(),
            message: draft.message.clone(),
            count: 1,
            path: path.clone(),
            status: Status::Unconfirmed,
            inputs: finding.inputs.len(),
        });
        let line = report.buckets.len() - 1;
        report.index.insert(bucket, line);
        // The receiver lives until this sender is dropped: the send cannot fail.
        let _ = self.confirmer.send(Fresh { finding, path, trigger, line, probe: probe.cloned() });
    }
}

impl Sink for Campaign<'_> {
    fn finding(&mut self, draft: Draft, evidence: &dyn Fn() -> Evidence) {
        self.findings.add(draft, evidence, self.probe.as_ref());
    }

    fn completed(&mut self, completed: &Completed) {
        // The liveness probes chosen at the start are not inputs.
        if completed.input.label.starts_with("probe/") {
            return;
        }
        let mut report = lock(&self.findings.report);
        report.execs += 1;
        // A sequence's step means something only after the steps before it.
        if completed.input.step.is_some() {
            return;
        }
        match self.corpus.offer(&completed.signature, &completed.input) {
            Ok(true) => report.corpus += 1,
            Ok(false) => {}
            Err(e) => report.notes.push(format!("corpus: {e}")),
        }
    }
}

/// How many inputs later a sequence's step that waits for its earlier steps
/// goes: by then a quick server has answered them, and the step goes
/// without holding up the inputs behind it.
const DEFER_BY: u64 = 256;
/// The same after a tool call, which may run for seconds (the reference
/// server's `slow` tool sleeps up to 2 s): waiting for one held up every
/// input behind the step, six of ten seconds of a sequences-only campaign.
const DEFER_AFTER_CALL: u64 = 16_384;

/// Inputs of one version: corpus entries first, then the shard's iterations.
struct CampaignFeed<'a> {
    generator: Generator<'a>,
    shard: Shard,
    next: u64,
    end: Option<u64>,
    deadline: Option<Instant>,
    queue: VecDeque<Input>,
    /// The steps of the sequence under way, if any.
    steps: Steps,
    /// Where session steps go to run beside the campaign (see [`drive`]).
    sessions: Option<mpsc::Sender<(Input, Script)>>,
    /// Sequences whose next step goes once their earlier steps are judged,
    /// by the number of inputs given when their turn comes (then in the
    /// order deferred).
    deferred: BTreeMap<(u64, u64), VecDeque<Input>>,
    /// Sequences deferred so far: the order of those whose turns coincide.
    deferrals: u64,
    /// A step given since the sequence under way last went on may run long
    /// (a tool call: its plan says [`expect::Expected::may_be_slow`]).
    called: bool,
    /// Inputs given so far.
    given: u64,
    /// Where to record the resume point: the report, the corpus folder, the
    /// version, and how many inputs may be in flight (resuming re-sends them).
    resume: Option<(Arc<Mutex<Report>>, PathBuf, String, u64)>,
    start: u64,
}

impl CampaignFeed<'_> {
    fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Once the runner of session steps has room for the one waiting.
    async fn room_for_a_session(&self) {
        if let Some(sessions) = &self.sessions {
            // Only this feed fills the queue: the room stays until it does.
            let _ = sessions.reserve().await;
        }
    }

    /// Hand the session step at the front of the sequence under way to the
    /// runner; false when its queue is full (or gone).
    fn queue_session(&mut self) -> bool {
        let Some(Ok(room)) = self.sessions.as_ref().map(mpsc::Sender::try_reserve) else { return false };
        if let Some(step) = self.steps.release() {
            room.send(step);
        }
        true
    }
}

impl Feed for CampaignFeed<'_> {
    fn waiting(&self) -> bool {
        self.steps.blocked() && !self.expired()
    }

    fn next(&mut self) -> Option<Input> {
        if self.expired() {
            return None;
        }
        if let Some(input) = self.queue.pop_front() {
            return Some(input);
        }
        let input = loop {
            // A sequence under way goes on (its steps may wait) before the
            // next iteration; a step that waits for its own sequence takes
            // its place DEFER_BY inputs later (DEFER_AFTER_CALL after a tool
            // call), so that new iterations fill the window meanwhile. The
            // order depends on positions only: the same seed still sends the
            // same bytes in the same order.
            if self.steps.next_goes_after() {
                let turn = self.given + if self.called { DEFER_AFTER_CALL } else { DEFER_BY };
                self.deferred.insert((turn, self.deferrals), self.steps.take());
                self.deferrals += 1;
                self.called = false;
                continue;
            }
            // A session step runs on a connection of its own, beside the
            // inputs that follow it; not counted among the inputs given.
            if self.steps.blocked() {
                if self.queue_session() {
                    continue;
                }
                return None;
            }
            if !self.steps.is_empty() {
                break self.steps.next();
            }
            self.called = false;
            let no_more = self.end.is_some_and(|end| self.next >= end);
            let due = self.deferred.first_key_value().is_some_and(|(&(turn, _), _)| turn <= self.given || no_more);
            if due {
                if let Some((_, mut rest)) = self.deferred.pop_first() {
                    let step = rest.pop_front();
                    self.steps.extend(rest);
                    break step;
                }
            }
            if no_more {
                return None;
            }
            self.steps.extend(self.generator.inputs(self.shard.iteration(self.next)));
            self.next += 1;
        };
        self.given += u64::from(input.is_some());
        // A step whose request may run long: a tool call, by its plan.
        self.called |= input.as_ref().is_some_and(|i| {
            i.step.is_some() && expect::plan(i, self.generator.surface()).expected.iter().any(|e| e.may_be_slow)
        });
        if let Some((report, dir, version, in_flight)) = &self.resume {
            // Inputs still in flight, or deferred, when the campaign stops are sent again next time.
            let next = self.next.saturating_sub(*in_flight + DEFER_AFTER_CALL).max(self.start);
            let mut report = lock(report);
            report.pending_resume.retain(|(_, v, _)| v != version);
            report.pending_resume.push((dir.clone(), version.clone(), Resume { next }));
        }
        input
    }
}

async fn run_version(
    config: &Config,
    surface: Arc<Surface>,
    iterations: Option<u64>,
    duration: Option<Duration>,
    confirming: Option<Duration>,
    report: Arc<Mutex<Report>>,
) -> Result<(), FuzzError> {
    let corpus = Corpus::load(config.corpus.as_deref(), &surface.version)?;
    let resume = corpus.resume(config.seed, &config.shard.label());
    if resume.next > 0 {
        eprintln!("{}: resuming at input {} of shard {} (state in the corpus folder)", surface.version, resume.next, config.shard.label());
    }
    let entries = corpus.entries.clone();
    lock(&report).corpus += corpus.len();
    // An interrupted campaign resumes this many iterations back: each gave
    // at least one input, and no more inputs than this are ever in flight.
    let in_flight_at_most = config.window.max(driver::MAX_IN_FLIGHT) as u64;
    let (queue, queued) = mpsc::unbounded_channel();
    let findings = Findings { config, surface: surface.clone(), report: report.clone(), confirmer: queue };
    let campaign = Campaign { findings, corpus, probe: None };
    let mut feed = CampaignFeed {
        generator: Generator::new(&surface, config.seed, &entries).with_families(config.generators).with_mix(config.mix),
        shard: config.shard,
        next: resume.next,
        end: iterations.map(|n| resume.next + n),
        // Set once the session is open: see `drive`.
        deadline: None,
        queue: entries.iter().cloned().collect(),
        steps: Steps::default(),
        sessions: None,
        deferred: BTreeMap::new(),
        deferrals: 0,
        called: false,
        given: 0,
        resume: config.corpus.clone().map(|dir| (report.clone(), dir, surface.version.clone(), in_flight_at_most)),
        start: resume.next,
    };
    // The confirmer's queue closes when `drive` is done with the campaign:
    // the confirmer then knows that the campaign is over.
    let (driven, ()) = tokio::join!(drive(campaign, &mut feed, duration), confirm_queued(config, &surface, queued, confirming, &report));
    if driven? == Driven::Partly {
        return Ok(());
    }
    // The whole budget ran: next time starts after it.
    let mut report = lock(&report);
    if let Some(dir) = &config.corpus {
        report.pending_resume.retain(|(_, v, _)| *v != surface.version);
        report.pending_resume.push((dir.clone(), surface.version.clone(), Resume { next: feed.next }));
    }
    report.save_resume();
    Ok(())
}

/// How far a version's campaign got.
#[derive(PartialEq)]
enum Driven {
    /// The budget ran out.
    Wholly,
    /// The server could not be (re)opened: the campaign stopped early.
    Partly,
}

/// Send the feed's inputs over as many connections as it takes, and its
/// session steps beside them.
async fn drive(mut campaign: Campaign<'_>, feed: &mut CampaignFeed<'_>, duration: Option<Duration>) -> Result<Driven, FuzzError> {
    let (config, surface) = (campaign.findings.config, campaign.findings.surface.clone());
    let driver = match open(config, &surface, &mut campaign).await? {
        Some(driver) => driver,
        None => return Ok(Driven::Partly),
    };
    // The budget of inputs starts with the first input, not with the
    // server's start.
    feed.deadline = duration.map(|d| Instant::now() + d);
    let (sessions, queued) = mpsc::channel(SESSIONS_QUEUED);
    feed.sessions = Some(sessions);
    let steps = run_sessions(config, &surface, campaign.findings.clone(), campaign.probe.clone(), queued);
    let inputs = async {
        let driven = drive_connections(campaign, feed, driver).await;
        // The runner finishes the steps queued, then stops.
        feed.sessions = None;
        driven
    };
    tokio::join!(inputs, steps).0
}

/// Send the feed's inputs, reconnecting when the connection is lost.
async fn drive_connections(mut campaign: Campaign<'_>, feed: &mut CampaignFeed<'_>, mut driver: Driver) -> Result<Driven, FuzzError> {
    let (config, surface, report) = (campaign.findings.config, campaign.findings.surface.clone(), campaign.findings.report.clone());
    let mut connection = 0usize;
    loop {
        let started = Instant::now();
        let stop = driver.run(feed, &mut campaign).await;
        let drained = driver.drained();
        // A session step waits for room in the runner's queue.
        let waiting = stop == Stop::Exhausted && feed.waiting();
        if waiting {
            feed.room_for_a_session().await;
        }
        {
            let mut shared = lock(&report);
            shared.slow_tools = driver.judge().slow_tools;
            shared.driving += started.elapsed();
        }
        if waiting {
            continue;
        }
        if stop == Stop::Exhausted {
            // The campaign is over once the last inputs are judged.
            if driver.judge().in_flight() == 0 {
                lock(&report).draining += drained;
                break;
            }
            continue;
        }
        if matches!(stop, Stop::Closed | Stop::Unresponsive) {
            transcript(config, &surface, connection, &driver)?;
            connection += 1;
            driver.close().await;
            lock(&report).reconnects += 1;
            driver = match open(config, &surface, &mut campaign).await {
                Ok(Some(driver)) => driver,
                Ok(None) => return Ok(Driven::Partly),
                Err(e) => {
                    lock(&report).notes.push(format!("{}: the campaign stopped: the session could not be reopened: {e}", surface.version));
                    return Ok(Driven::Partly);
                }
            };
        }
    }
    transcript(config, &surface, connection, &driver)?;
    driver.close().await;
    Ok(Driven::Wholly)
}

/// Session steps queued for [`run_sessions`] before the feed waits for it.
const SESSIONS_QUEUED: usize = 16;
/// Session steps run at once. Each is a few exchanges one after another,
/// and waits on the server: against the reference server over HTTP, about
/// 1 ms alone and 10 ms beside a campaign's inputs.
const SESSIONS_AT_ONCE: usize = 4;

/// Run the session steps the feed queues, started in order,
/// [`SESSIONS_AT_ONCE`] at a time, each on a fresh connection of its own
/// beside the campaign's (which goes on meanwhile), until the feed lets go
/// of the queue and the last one is done.
async fn run_sessions(config: &Config, surface: &Surface, findings: Findings<'_>, probe: Option<Probe>, mut queued: mpsc::Receiver<(Input, Script)>) {
    let context = &sequence::Context { target: &config.target, surface, limits: &config.limits, timeout: config.timeout };
    let mut running = FuturesUnordered::new();
    let mut more = true;
    loop {
        tokio::select! {
            step = queued.recv(), if more && running.len() < SESSIONS_AT_ONCE => match step {
                Some((input, script)) => running.push(async move { sequence::run_session(&input, script, context).await }),
                None => more = false,
            },
            Some(ran) = running.next() => {
                lock(&findings.report).execs += 1;
                for draft in ran.drafts {
                    findings.add(draft, &|| ran.evidence.clone(), probe.as_ref());
                }
            }
            else => break,
        }
    }
}

/// Open a session and choose its liveness probe.
async fn open(config: &Config, surface: &Arc<Surface>, campaign: &mut Campaign<'_>) -> Result<Option<Driver>, FuzzError> {
    let wire = Wire::open(&config.target, &surface.version, &config.limits, config.timeout, config.startup_timeout).await?;
    let mut driver = Driver::new(wire, surface.clone(), config.timeout, None, config.window);
    driver.watch_memory(config.max_rss_growth);
    let candidates = probe_candidates(surface);
    match driver.choose_probe(candidates, campaign).await {
        Ok(probe) => {
            if probe.is_none() {
                lock(&campaign.findings.report).notes.push(format!(
                    "{}: no liveness probe: the server answered neither ping/discover nor a listing; solo inputs wait {}ms for stray answers",
                    surface.version, 200
                ));
            }
            campaign.probe = probe;
            Ok(Some(driver))
        }
        Err(_) => {
            driver.close().await;
            lock(&campaign.findings.report).notes.push(format!("{}: the server failed while its liveness probe was chosen", surface.version));
            Ok(None)
        }
    }
}

/// Confirm the findings `queue` brings, in the order found and
/// [`confirming_at_once`] at a time, until it closes (the campaign is
/// over) and all are done; once it has been over for `confirming`, those
/// not started yet are left as found (see [`confirming_time`]).
async fn confirm_queued(
    config: &Config,
    surface: &Arc<Surface>,
    mut queue: mpsc::UnboundedReceiver<Fresh>,
    confirming: Option<Duration>,
    report: &Mutex<Report>,
) {
    let mut waiting = VecDeque::new();
    let mut running = FuturesUnordered::new();
    // When the campaign ended, once it has.
    let mut over_at: Option<Instant> = None;
    loop {
        let campaign_over = over_at.is_some();
        if let (Some(at), Some(confirming)) = (over_at, confirming) {
            if at.elapsed() >= confirming && !waiting.is_empty() {
                lock(report).notes.push(format!(
                    "{}: {} finding(s) not replayed: confirming stops starting replays {confirming:?} after the campaign \
                     (with --duration: the longer of it and --shrink-time, shared between versions); \
                     `mcp-conform replay FILE` replays one",
                    surface.version,
                    waiting.len()
                ));
                waiting.clear();
            }
        }
        while running.len() < confirming_at_once(&config.target, campaign_over) {
            let Some(item) = waiting.pop_front() else { break };
            running.push(confirm(config, surface, item, report));
        }
        if campaign_over && running.is_empty() {
            return;
        }
        tokio::select! {
            item = queue.recv(), if !campaign_over => match item {
                Some(item) => waiting.push_back(item),
                None => over_at = Some(Instant::now()),
            },
            Some(()) = running.next(), if !running.is_empty() => {}
        }
    }
}

/// Replay a finding on a fresh connection, shrink it, save it again with
/// what the replays showed, and say so.
async fn confirm(config: &Config, surface: &Arc<Surface>, mut item: Fresh, report: &Mutex<Report>) {
    let trial = Trial {
        target: &config.target,
        surface: surface.clone(),
        probe: item.probe.clone(),
        limits: &config.limits,
        timeout: config.timeout,
        startup_timeout: config.startup_timeout,
        max_rss_growth: config.max_rss_growth,
    };
    let budget = config.shrink;
    let bucket = item.finding.bucket.clone();
    let shrunk = shrink::shrink(&trial, item.finding.inputs.clone(), item.trigger, &bucket, config.window, budget).await;
    item.finding.status = if shrunk.reproduced { Status::Reproduced } else { Status::NotReproduced };
    if shrunk.reproduced {
        item.finding.shrunk = shrunk.inputs.len() < item.finding.inputs.len() || shrunk.inputs != item.finding.inputs;
        item.finding.inputs = shrunk.inputs;
        item.finding.window = shrunk.window;
        item.finding.inputs_omitted = 0;
        if let Some(evidence) = shrunk.evidence {
            item.finding.sent = evidence.sent;
            item.finding.sent_omitted = evidence.sent_dropped;
            item.finding.received = evidence.received;
            item.finding.stderr = evidence.stderr;
        }
    }
    if let Some(path) = &item.path {
        if let Err(e) = finding::save(&config.findings, &item.finding) {
            lock(report).notes.push(format!("could not update {}: {e}", path.display()));
        }
    }
    let mut report = lock(report);
    if let Some(line) = report.buckets.get_mut(item.line) {
        line.status = item.finding.status;
        line.inputs = item.finding.inputs.len();
    }
    let what = if shrunk.reproduced {
        format!("reproduced; {} input(s) after {} replay(s)", item.finding.inputs.len(), shrunk.trials)
    } else if shrunk.out_of_time {
        format!("not reproduced within the shrinking time ({:?}, --shrink-time) after {} replay(s)", budget.time, shrunk.trials)
    } else {
        format!("not reproduced on a fresh connection after {} replay(s)", shrunk.trials)
    };
    eprintln!("\r  {}: {what}", item.finding.bucket);
}

/// Append the frames a connection sent to the transcript file.
fn transcript(config: &Config, surface: &Surface, connection: usize, driver: &Driver) -> Result<(), FuzzError> {
    let Some(path) = &config.transcript else { return Ok(()) };
    let (sent, dropped) = driver.sent();
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| FuzzError::io(path, e))?;
    let mut text = String::new();
    if dropped > 0 {
        text.push_str(&format!("{}\n", json!({ "version": surface.version, "connection": connection, "omitted": dropped })));
    }
    for frame in sent {
        let (utf8, base64) = encode(&frame.frame.bytes);
        let line = json!({ "version": surface.version, "connection": connection, "role": frame.role, "text": utf8, "base64": base64 });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    file.write_all(text.as_bytes()).map_err(|e| FuzzError::io(path, e))
}
