//! `mcp-conform fuzz`: a fuzzing campaign against one server.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::run::{parse_duration, parse_size, parse_version};
use super::CliError;
use crate::check::CallTools;
use crate::fuzz::campaign::{self, Config, Report, Shard};
use crate::fuzz::generator::{Families, Mix};
use crate::fuzz::memory::DEFAULT_FACTOR;
use crate::fuzz::shrink::Budget;
use crate::target::Target;
use crate::transport::Limits;

/// Inputs sent when neither `--iterations` nor `--duration` is given.
const DEFAULT_ITERATIONS: u64 = 1000;

/// Arguments of `fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    #[command(flatten)]
    target: super::target::TargetArgs,

    /// Protocol version to fuzz (repeatable); default: every version the server speaks.
    #[arg(long = "spec-version", value_name = "VERSION", value_parser = parse_version)]
    spec_versions: Vec<String>,

    /// Seed of the campaign: the same seed sends the same inputs [default: random, printed].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Inputs to send, across versions [default: 1000 when --duration is not given].
    #[arg(long, value_name = "N")]
    iterations: Option<u64>,

    /// How long to run, e.g. `10m`, `1h` (stops at whichever of this and --iterations comes first). Replays that confirm new findings then start for at most as long again, or --shrink-time when longer; findings left stay as found.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    duration: Option<Duration>,

    /// Corpus folder: inputs with new outcomes are kept there, sent first next
    /// time and mutated; a campaign with the same seed and shard resumes where it stopped.
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,

    /// Folder for finding files (replay them with `mcp-conform replay FILE`).
    #[arg(long, value_name = "DIR", default_value = "fuzz-findings")]
    findings: PathBuf,

    /// Run shard K of N (from 1): iterations i with i mod N = K-1, for CI matrix jobs.
    #[arg(long, value_name = "K/N", default_value = "1/1", value_parser = parse_shard)]
    shard: Shard,

    /// Deadline of each request, e.g. `5s`, `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    timeout: Duration,

    /// Deadline of each connection's handshake, which also waits for the server to start.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    startup_timeout: Duration,

    /// Inputs in flight at once awaiting a quick answer (an input left
    /// unanswered for 20 ms while a window of later ones was answered steps
    /// aside, up to 4096 in flight in all) [default: 64 over stdio, 32 over
    /// HTTP, where each is a connection].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    window: Option<u16>,

    /// Largest message accepted from the server, in bytes (suffixes KiB, MiB allowed).
    #[arg(long, value_name = "BYTES", default_value = "16MiB", value_parser = parse_size)]
    max_message_size: usize,

    /// Which tools may be called with arguments generated from their inputSchema
    /// [default: read-only; all for the bundled reference server, whose tools are harmless].
    #[arg(long, value_enum)]
    call_tools: Option<CallTools>,

    /// Time spent shrinking each new finding.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    shrink_time: Duration,

    /// Do not shrink findings (they are still replayed once to confirm them).
    #[arg(long)]
    no_shrink: bool,

    /// Append every frame sent to this file, one JSON object per line.
    #[arg(long, value_name = "FILE")]
    transcript: Option<PathBuf>,

    /// Which inputs to send: all kinds, only well-formed JSON-RPC messages,
    /// or only malformed frames (to measure or stress one side).
    #[arg(long, value_enum, default_value_t = Mix::All)]
    mix: Mix,

    /// Memory-growth oracle: a finding when a stdio server's resident memory
    /// (its whole process group, read from /proc) exceeds FACTOR times its
    /// memory after the first 200 inputs, by at least 32 MiB. 0 turns it
    /// off. Off over HTTP, where there is no process to observe.
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_FACTOR, value_parser = parse_growth)]
    max_rss_growth: f64,

    /// Generator families to draw from, comma-separated: `inputs` (single
    /// inputs on an established session) and `sequences` (stateful sequences:
    /// cancellation races, bursts, id reuse, method orders, HTTP sessions).
    #[arg(long, value_enum, value_name = "FAMILY", value_delimiter = ',', default_values_t = [Family::Inputs, Family::Sequences])]
    generators: Vec<Family>,
}

/// A generator family, as `--generators` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Family {
    /// Single inputs.
    Inputs,
    /// Stateful sequences.
    Sequences,
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Family::Inputs => "inputs",
            Family::Sequences => "sequences",
        })

    }
}

fn parse_growth(text: &str) -> Result<f64, String> {
    let factor: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number"))?;
    if factor == 0.0 || factor > 1.0 {
        Ok(factor)
    } else {
        Err("the factor must be above 1 (or 0 to turn the oracle off)".into())
    }
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) = text.split_once('/').ok_or("expected K/N, e.g. 2/4")?;
    let k: u64 = k.trim().parse().map_err(|_| format!("`{k}` is not a shard number"))?;
    let n: u64 = n.trim().parse().map_err(|_| format!("`{n}` is not a shard count"))?;
    if n == 0 || k == 0 || k > n {
        return Err("shards are numbered 1 to N".into());
    }
    Ok(Shard { index: k - 1, count: n })
}

/// A seed from the clock and the process id, when none is given.
fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let mut rng = crate::schema::generate::Rng::new(nanos ^ (u64::from(std::process::id()) << 32));
    // Seeds people can type.
    rng.next_u64() % 1_000_000_000
}

/// Prints the summary once: at the end, or when the campaign is dropped
/// half way (Ctrl-C and SIGTERM end the program by dropping it), so that an
/// interrupted campaign still reports everything it found.
struct Summary {
    report: Arc<Mutex<Report>>,
    progress: Option<tokio::task::JoinHandle<()>>,
    printed: bool,
}

impl Summary {
    fn print(&mut self, interrupted: bool) -> i32 {
        if let Some(progress) = self.progress.take() {
            progress.abort();
            eprint!("\r\x1b[2K");
        }
        let mut report = self.report.lock().unwrap_or_else(|e| e.into_inner());
        report.save_resume();
        if !self.printed {
            self.printed = true;
            if interrupted {
                println!("fuzz: interrupted; every finding so far is saved");
            }
            print!("{}", report.summary());
        }
        report.exit_code()
    }
}

impl Drop for Summary {
    fn drop(&mut self) {
        if !self.printed {
            self.print(true);
        }
    }
}

/// Run the campaign; exit code 1 when a finding counts, 0 otherwise.
pub async fn fuzz(mut args: FuzzArgs) -> Result<i32, CliError> {
    args.target.discover_config()?;
    let bundled = args.target.bundled();
    let call_tools = args.call_tools.unwrap_or(if bundled { CallTools::All } else { CallTools::ReadOnly });
    let (target, spec, reference) = args.target.resolve().await?;
    let seed = args.seed.unwrap_or_else(random_seed);
    let iterations = match (args.iterations, args.duration) {
        (None, None) => Some(DEFAULT_ITERATIONS),
        (iterations, _) => iterations,
    };
    // Over HTTP each input in flight is a request of its own.
    let window = args.window.map_or(if matches!(target, Target::Stdio { .. }) { 64 } else { 32 }, usize::from);
    let config = Config {
        target,
        spec,
        versions: args.spec_versions.clone(),
        seed,
        shard: args.shard,
        iterations,
        duration: args.duration,
        corpus: args.corpus.clone(),
        findings: args.findings.clone(),
        window,
        timeout: args.timeout,
        startup_timeout: args.startup_timeout,
        limits: Limits { max_message_bytes: args.max_message_size, ..Limits::default() },
        call_tools,
        shrink: Budget { trials: 64, time: args.shrink_time, minimize: !args.no_shrink },
        transcript: args.transcript.clone(),
        generators: Families { inputs: args.generators.contains(&Family::Inputs), sequences: args.generators.contains(&Family::Sequences) },
        mix: args.mix,
        max_rss_growth: (args.max_rss_growth > 0.0).then_some(args.max_rss_growth),
    };
    eprintln!("fuzz: seed {seed}, shard {}, target {}", args.shard.label(), config.target.endpoint());
    let report = Arc::new(Mutex::new(Report::new(seed, args.shard, config.target.kind().as_str())));
    let progress = std::io::stderr().is_terminal().then(|| {
        let report = report.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                let line = report.lock().unwrap_or_else(|e| e.into_inner()).progress();
                eprint!("\r\x1b[2K{line}");
            }
        })
    });
    let mut summary = Summary { report: report.clone(), progress, printed: false };
    let outcome = campaign::run(&config, report).await;
    if let Some(server) = reference {
        server.stop().await;
    }
    let code = summary.print(false);
    outcome?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_numbered_from_one() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 1, count: 4 }));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("1/0").is_err());
        assert!(parse_shard("1").is_err());
    }
}
