//! The corpus: inputs that made the server do something new, kept on disk.
//!
//! An input whose outcome (which methods answered with what codes, or not
//! at all) was not seen before is written to the corpus folder; a later
//! campaign sends every entry first, then mutates them as one of its
//! generator arms. The folder also holds one state file per seed, shard and
//! version, so that a campaign given the same seed resumes where the last
//! one stopped instead of repeating its inputs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::FuzzError;
use super::finding::write_atomic;
use super::generator::is_engine_id;
use super::input::Input;

/// One corpus file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The protocol version it was sent at.
    pub version: String,
    /// What it made the server do.
    pub signature: String,
    /// The input.
    pub input: Input,
}

/// Where a campaign stopped, per seed, shard and version.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Resume {
    /// The next iteration index (within the shard) to generate.
    pub next: u64,
}

/// The corpus of one version.
pub struct Corpus {
    dir: Option<PathBuf>,
    version: String,
    /// Entries loaded, with their ids moved out of the engine's range.
    pub entries: Vec<Input>,
    seen: HashSet<String>,
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

impl Corpus {
    /// Load the entries of `version` from `dir` (none when `dir` is `None`).
    pub fn load(dir: Option<&Path>, version: &str) -> Result<Corpus, FuzzError> {
        let mut corpus = Corpus { dir: dir.map(Path::to_path_buf), version: version.into(), entries: Vec::new(), seen: HashSet::new() };
        let Some(dir) = dir else { return Ok(corpus) };
        std::fs::create_dir_all(dir).map_err(|e| FuzzError::io(dir, e))?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| FuzzError::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("input-")))
            .collect();
        // Sorted: the same folder gives the same inputs in the same order.
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| FuzzError::io(&path, e))?;
            let entry: Entry = serde_json::from_str(&text).map_err(|e| FuzzError::BadFile { path: path.clone(), why: e.to_string() })?;
            if entry.version != version {
                continue;
            }
            corpus.seen.insert(entry.signature.clone());
            let n = corpus.entries.len();
            corpus.entries.push(reid(entry.input, n));
        }
        Ok(corpus)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Keep `input` if `signature` is new; returns whether it was.
    pub fn offer(&mut self, signature: &str, input: &Input) -> Result<bool, FuzzError> {
        if !self.seen.insert(signature.to_string()) {
            return Ok(false);
        }
        let Some(dir) = &self.dir else { return Ok(true) };
        let entry = Entry { version: self.version.clone(), signature: signature.into(), input: input.clone() };
        let path = dir.join(format!("input-{:016x}.json", fnv(&format!("{}\n{signature}", self.version))));
        let text = serde_json::to_vec_pretty(&entry).map_err(|e| FuzzError::BadFile { path: path.clone(), why: e.to_string() })?;
        write_atomic(&path, &text)?;
        Ok(true)
    }

    fn state_path(&self, seed: u64, shard: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(dir.join(format!("campaign-{seed}-{}-{}.json", shard.replace('/', "of"), self.version)))
    }

    /// Where the campaign with `seed` and `shard` stopped last time.
    pub fn resume(&self, seed: u64, shard: &str) -> Resume {
        self.state_path(seed, shard)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Record where the campaign stopped.
    pub fn save_resume(&self, seed: u64, shard: &str, resume: &Resume) -> Result<(), FuzzError> {
        let Some(path) = self.state_path(seed, shard) else { return Ok(()) };
        let text = serde_json::to_vec(resume).unwrap_or_default();
        write_atomic(&path, &text)
    }
}

/// Move the engine ids of a corpus entry out of the range the generators
/// use, so that it never shares an id with an input in flight. By text: an
/// entry may hold literals `serde_json` cannot print back as they were.
fn reid(mut input: Input, n: usize) -> Input {
    for (k, frame) in input.frames.iter_mut().enumerate() {
        let Ok(text) = std::str::from_utf8(&frame.bytes) else { continue };
        let Some(id) = serde_json::from_str::<Value>(text).ok().and_then(|v| v.get("id").cloned()) else { continue };
        if !is_engine_id(&id) {
            continue;
        }
        let old = format!("\"id\":{id}");
        let new = format!("\"id\":\"corpus-{n}-{k}\"");
        frame.bytes = text.replacen(&old, &new, 1).into_bytes();
    }
    input
}
