//! The memory-growth oracle: the resident memory of a stdio server (its
//! whole process group, so that a wrapper script's children count) is read
//! from `/proc` every so often during a campaign. Once the server has been
//! warmed up by some inputs, its memory then is the baseline; a finding is
//! made when it grows past the limit relative to that baseline.
//!
//! Over HTTP there is no process to observe and the oracle is off.

use std::time::Duration;

use tokio::time::Instant;

use super::oracle::{Draft, DraftBuilder, Oracle};

/// How often the server's memory is read.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(250);
/// Inputs judged before the baseline is taken: allocators, caches and
/// just-in-time compilers settle during the first requests.
pub const WARM_UP_INPUTS: usize = 200;
/// Growth smaller than this is never a finding, whatever the factor: a
/// server with a tiny baseline may double it harmlessly.
pub const MIN_GROWTH_BYTES: u64 = 32 << 20;
/// The default limit: resident memory three times its post-warm-up baseline.
pub const DEFAULT_FACTOR: f64 = 3.0;

/// The resident memory, in bytes, of every process in process group `group`,
/// or `None` when none is left (or `/proc` cannot be read).
pub fn group_rss(group: i32) -> Option<u64> {
    members_rss(group, &group_members(group)?)
}

/// The processes of group `group`, found by reading every `/proc/PID/stat`.
fn group_members(group: i32) -> Option<Vec<String>> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        if process_group(&stat) == Some(group) {
            members.push(pid.to_string());
        }
    }
    Some(members)
}

/// The resident memory of those of `pids` still in group `group` (a pid
/// may have been reused), or `None` when none is.
fn members_rss(group: i32, pids: &[String]) -> Option<u64> {
    let mut total = 0u64;
    let mut found = false;
    for pid in pids {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        if process_group(&stat) != Some(group) {
            continue;
        }
        if let Some(rss) = std::fs::read_to_string(format!("/proc/{pid}/status")).ok().as_deref().and_then(vm_rss) {
            total += rss;
            found = true;
        }
    }
    found.then_some(total)
}

/// The process group of a `/proc/PID/stat` line (the fifth field; the
/// second, the command, may hold spaces and parentheses).
fn process_group(stat: &str) -> Option<i32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// `VmRSS` of a `/proc/PID/status` text, in bytes.
fn vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Between full scans of `/proc` (which read every process on the machine),
/// only the members found by the last scan are read.
const SAMPLES_PER_SCAN: u32 = 8;

/// Watches one server's memory over one connection.
#[derive(Debug)]
pub struct MemoryWatch {
    group: i32,
    /// The group's processes at the last full scan, and samples since it.
    members: Vec<String>,
    since_scan: u32,
    factor: f64,
    baseline: Option<u64>,
    peak: u64,
    next_sample: Instant,
    fired: bool,
}

impl MemoryWatch {
    /// Watch process group `group`; a finding when its memory exceeds
    /// `factor` times the post-warm-up baseline.
    pub fn new(group: i32, factor: f64) -> MemoryWatch {
        MemoryWatch {
            group,
            members: Vec::new(),
            since_scan: 0,
            factor,
            baseline: None,
            peak: 0,
            next_sample: Instant::now() + SAMPLE_EVERY,
            fired: false,
        }
    }

    /// When to read the memory next.
    pub fn next_sample(&self) -> Instant {
        self.next_sample
    }

    /// The baseline is due now: `judged` inputs have warmed the server up.
    /// Taken at once rather than on the next tick, so that a replay of the
    /// same inputs measures from the same point whatever the rate.
    pub fn wants_baseline(&self, judged: usize) -> bool {
        self.baseline.is_none() && judged >= WARM_UP_INPUTS
    }

    /// Read the memory now, `judged` inputs into the connection; the finding
    /// (at most one per connection) is pinned to input `last`.
    pub fn sample(&mut self, judged: usize, last: Option<usize>) -> Option<Draft> {
        self.next_sample = Instant::now() + SAMPLE_EVERY;
        if self.fired || judged < WARM_UP_INPUTS {
            return None;
        }
        let rss = self.rss()?;
        let Some(baseline) = self.baseline else {
            self.baseline = Some(rss);
            return None;
        };
        self.peak = self.peak.max(rss);
        let limit = (baseline as f64 * self.factor) as u64;
        if rss <= limit || rss < baseline + MIN_GROWTH_BYTES {
            return None;
        }
        self.fired = true;
        let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
        Some(
            DraftBuilder::new(
                Oracle::MemoryGrowth,
                "-",
                "-",
                "(resource exhaustion: no requirement row covers a server's memory use; the nearest, UTIL-003, \
                 only asks that a cancelled request's resources be released)",
            )
            .message(format!(
                "the server's resident memory grew from {:.1} MiB after warm-up to {:.1} MiB (×{:.1}, limit ×{}) within {judged} inputs",
                mib(baseline),
                mib(rss),
                rss as f64 / baseline as f64,
                self.factor
            ))
            .expected(format!("resident memory at most ×{} its post-warm-up baseline (growth under {} MiB always passes)", self.factor, MIN_GROWTH_BYTES >> 20))
            .actual(format!("{} bytes resident, baseline {baseline} bytes (process group {})", rss, self.group))
            .bucket("server", "memory growth")
            .input(last)
            .build(),
        )
    }

    /// The group's memory: its known members, with a full scan of `/proc`
    /// every [`SAMPLES_PER_SCAN`] samples (and whenever none is known) to
    /// catch processes started since.
    fn rss(&mut self) -> Option<u64> {
        self.since_scan += 1;
        if self.members.is_empty() || self.since_scan >= SAMPLES_PER_SCAN {
            self.members = group_members(self.group)?;
            self.since_scan = 0;
        }
        members_rss(self.group, &self.members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_group_and_rss_fields() {
        let stat = "1234 (a (strange) name) S 1 1230 1230 0 -1 4194560";
        assert_eq!(process_group(stat), Some(1230));
        assert_eq!(vm_rss("Name:\tx\nVmRSS:\t   2048 kB\nVmSwap: 0 kB\n"), Some(2 << 20));
        assert_eq!(vm_rss("Name:\tkthread\n"), None);
    }

    #[test]
    fn own_group_has_memory() {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        let group = process_group(&stat).unwrap();
        assert!(group_rss(group).is_some_and(|rss| rss > 1 << 20));
    }
}
