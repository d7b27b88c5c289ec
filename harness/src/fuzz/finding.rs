//! Finding files: self-contained, replayable, written atomically.
//!
//! A finding is written the moment it is made, before any further input is
//! sent (so a campaign killed at any point keeps it), then rewritten once it
//! is shrunk. Each write goes to a temporary file in the same folder, is
//! synced, and is renamed over the final name: a reader sees the old file or
//! the new one, never half of one.
//!
//! The format (`"format": "mcp-conform-finding/1"`), field by field:
//!
//! - `bucket`, `oracle`, `requirement`, `keyword`, `spec`, `message`,
//!   `expected`, `actual`: what was found, and the rule it breaks.
//! - `status`: `unconfirmed` (saved, not yet replayed), `reproduced` (a
//!   replay on a fresh connection showed it again), `not-reproduced` (it did
//!   not; oracles whose attribution depends on timing then do not count).
//! - `target`, `version`, `transport`: where to replay it (`mcp-conform replay FILE`).
//! - `seed`, `shard`, `iteration`: where the campaign was.
//! - `probe`, `surface`: the liveness probe and what the server exposed, so
//!   that a replay judges as the campaign did.
//! - `inputs`: the inputs to send after the session opens, in order
//!   (minimal once `shrunk`); frames as `{"text": …}` or `{"base64": …}`;
//!   `window` of them in flight at once (1 unless the finding needs more).
//! - `sent`: the exact frames sent since the session opened (opening,
//!   inputs, probes, answers to the server's requests), in order;
//!   `sent_omitted` older ones were dropped to stay bounded.
//! - `received`, `stderr`: the last frames received and the server's stderr.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::FuzzError;
use super::input::{Input, Sent};
use super::judge::Probe;
use super::oracle::{Draft, Oracle};
use super::surface::{Surface, Tool};
use super::wire::Received;
use crate::transport::Kind;

/// The format tag of finding files.
pub const FORMAT: &str = "mcp-conform-finding/1";

/// Where a finding was made, as a replay needs it. Secrets stay out: for
/// headers and environment variables only the names are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TargetSpec {
    /// The bundled reference server, started by `mcp-conform` itself.
    Bundled {
        /// `stdio`, `streamable-http` or `sse`.
        transport: String,
    },
    /// A command spoken to over stdio.
    Stdio {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Names of extra environment variables given (values not kept).
        #[serde(default)]
        env: Vec<String>,
    },
    /// A URL.
    Url {
        /// The endpoint.
        url: String,
        /// `streamable-http` or `sse`.
        transport: String,
        /// Names of extra headers given (values not kept).
        #[serde(default)]
        headers: Vec<String>,
    },
}

/// A finding's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Saved as found; not replayed yet.
    Unconfirmed,
    /// A replay on a fresh connection showed it again.
    Reproduced,
    /// A replay did not show it again.
    NotReproduced,
}

/// What the server exposed, as the oracles need it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SurfaceRecord {
    /// `supportedVersions` of `server/discover`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_versions: Option<Vec<String>>,
    /// The declared capabilities.
    #[serde(default)]
    pub capabilities: Value,
    /// The tools: name, `outputSchema`, callable.
    #[serde(default)]
    pub tools: Vec<ToolRecord>,
}

/// One tool, as a finding keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolRecord {
    /// The name.
    pub name: String,
    /// The `outputSchema`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
}

impl SurfaceRecord {
    /// The record of a surface.
    pub fn of(surface: &Surface) -> SurfaceRecord {
        SurfaceRecord {
            supported_versions: surface.supported_versions.clone(),
            capabilities: surface.capabilities.clone(),
            tools: surface.tools.iter().map(|t| ToolRecord { name: t.name.clone(), output_schema: t.output_schema.clone() }).collect(),
        }
    }

    /// The surface again, for `version` over `kind`.
    pub fn surface(&self, version: &str, kind: Kind) -> Surface {
        Surface {
            version: version.to_string(),
            kind,
            supported_versions: self.supported_versions.clone(),
            capabilities: self.capabilities.clone(),
            tools: self
                .tools
                .iter()
                .map(|t| Tool {
                    name: t.name.clone(),
                    input_schema: serde_json::json!({ "type": "object" }),
                    output_schema: t.output_schema.clone(),
                    callable: false,
                })
                .collect(),
        }
    }
}

/// A finding file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// [`FORMAT`].
    pub format: String,
    /// The bucket key.
    pub bucket: String,
    /// The oracle.
    pub oracle: Oracle,
    /// The requirement ID.
    pub requirement: String,
    /// Its keyword.
    pub keyword: String,
    /// The spec page and section.
    pub spec: String,
    /// What, in one line.
    pub message: String,
    /// What the spec prescribes.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// The state.
    pub status: Status,
    /// Inputs were shrunk.
    pub shrunk: bool,
    /// Where.
    pub target: TargetSpec,
    /// The protocol version of the session.
    pub version: String,
    /// The transport.
    pub transport: String,
    /// The campaign's seed.
    pub seed: u64,
    /// The shard, `K/N`.
    pub shard: String,
    /// The iteration of the input the finding is pinned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration: Option<u64>,
    /// The liveness probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
    /// What the server exposed.
    pub surface: SurfaceRecord,
    /// The inputs to replay.
    pub inputs: Vec<Input>,
    /// Inputs in flight at once when replaying (1: one at a time).
    #[serde(default = "one")]
    pub window: usize,
    /// Older inputs of the session not kept.
    #[serde(default)]
    pub inputs_omitted: usize,
    /// The exact frames sent since the session opened.
    pub sent: Vec<Sent>,
    /// Older frames not kept.
    #[serde(default)]
    pub sent_omitted: usize,
    /// The last frames received.
    #[serde(default)]
    pub received: Vec<Received>,
    /// The end of the server's stderr.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// When.
    pub found_at: String,
    /// `mcp-conform` and its version.
    pub tool: String,
}

impl Finding {
    /// The draft's fields, for a fresh finding.
    pub fn from_draft(draft: &Draft, rest: FindingContext) -> Finding {
        Finding {
            format: FORMAT.into(),
            bucket: draft.bucket(),
            oracle: draft.oracle,
            requirement: draft.requirement.clone(),
            keyword: draft.keyword.clone(),
            spec: draft.spec.clone(),
            message: draft.message.clone(),
            expected: draft.expected.clone(),
            actual: draft.actual.clone(),
            status: Status::Unconfirmed,
            shrunk: false,
            target: rest.target,
            version: rest.version,
            transport: rest.transport,
            seed: rest.seed,
            shard: rest.shard,
            iteration: rest.iteration,
            probe: rest.probe,
            surface: rest.surface,
            inputs: rest.inputs,
            window: 1,
            inputs_omitted: rest.inputs_omitted,
            sent: rest.sent,
            sent_omitted: rest.sent_omitted,
            received: rest.received,
            stderr: rest.stderr,
            found_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            tool: format!("mcp-conform {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Read a finding file.
    pub fn load(path: &Path) -> Result<Finding, FuzzError> {
        let text = std::fs::read_to_string(path).map_err(|e| FuzzError::io(path, e))?;
        let finding: Finding =
            serde_json::from_str(&text).map_err(|e| FuzzError::BadFile { path: path.into(), why: format!("not a finding file: {e}") })?;
        if finding.format != FORMAT {
            return Err(FuzzError::BadFile { path: path.into(), why: format!("format {:?}, expected {FORMAT:?}", finding.format) });
        }
        Ok(finding)
    }

    /// The file name of a bucket: stable, so a bucket is one file.
    pub fn file_name(bucket: &str, oracle: Oracle) -> String {
        let hash = bucket.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
        format!("{}-{:016x}.json", oracle.as_str(), hash)
    }
}

fn one() -> usize {
    1
}

/// Everything but the draft that a finding file holds.
pub struct FindingContext {
    /// Where.
    pub target: TargetSpec,
    /// The version.
    pub version: String,
    /// The transport.
    pub transport: String,
    /// The seed.
    pub seed: u64,
    /// The shard.
    pub shard: String,
    /// The iteration.
    pub iteration: Option<u64>,
    /// The probe.
    pub probe: Option<Probe>,
    /// The surface.
    pub surface: SurfaceRecord,
    /// Inputs to replay.
    pub inputs: Vec<Input>,
    /// Older inputs dropped.
    pub inputs_omitted: usize,
    /// Frames sent.
    pub sent: Vec<Sent>,
    /// Older frames dropped.
    pub sent_omitted: usize,
    /// Frames received.
    pub received: Vec<Received>,
    /// The server's stderr.
    pub stderr: Option<String>,
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced,
/// renamed over `path`, and the folder synced so that the rename lasts.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FuzzError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| FuzzError::io(dir, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary: PathBuf = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        // The rename is durable once the folder's entry is.
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        FuzzError::io(path, e)
    })
}

/// Save `finding` in `dir` under its bucket's name; returns the path.
pub fn save(dir: &Path, finding: &Finding) -> Result<PathBuf, FuzzError> {
    let path = dir.join(Finding::file_name(&finding.bucket, finding.oracle));
    let mut text = serde_json::to_vec_pretty(finding).map_err(|e| FuzzError::BadFile { path: path.clone(), why: e.to_string() })?;
    text.push(b'\n');
    write_atomic(&path, &text)?;
    Ok(path)
}
