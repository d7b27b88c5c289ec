//! What the fuzzer sends: inputs made of frames, kept as exact bytes.
//!
//! An [`Input`] is one unit of a campaign (one iteration): one frame or a few
//! (a duplicate id is two requests). Frames are bytes, not JSON values,
//! because the interesting ones are not JSON at all; in files they are
//! written as text when they are UTF-8 and as base64 otherwise.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// One unit of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// What the generator made, e.g. `frame/invalid-utf8` or `schema/valid tools/list`.
    pub label: String,
    /// The iteration it was generated for (`None` for a corpus entry replayed as is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration: Option<u64>,
    /// The frames, sent in order.
    pub frames: Vec<Frame>,
    /// Its place in a stateful sequence ([`super::sequence`]); absent for a single input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<super::sequence::Step>,
}

impl Input {
    /// An input of one frame.
    pub fn single(label: impl Into<String>, iteration: Option<u64>, bytes: Vec<u8>) -> Input {
        Input { label: label.into(), iteration, frames: vec![Frame::new(bytes)], step: None }
    }

    /// Total bytes of all frames.
    pub fn len(&self) -> usize {
        self.frames.iter().map(|f| f.bytes.len()).sum()
    }

    /// No frame has any byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One frame: a stdio line (without its newline) or one HTTP body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// Over stdio, write the line in two parts cut at this offset (a reader
    /// must not assume one read is one line). Ignored over HTTP.
    pub split_at: Option<usize>,
}

impl Frame {
    /// A frame written in one piece.
    pub fn new(bytes: Vec<u8>) -> Frame {
        Frame { bytes, split_at: None }
    }
}

/// How a frame looks in a file: `{"text": ...}` or `{"base64": ...}`.
#[derive(Serialize, Deserialize)]
struct FrameRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    split_at: Option<usize>,
}

impl Serialize for Frame {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (text, base64) = encode(&self.bytes);
        FrameRepr { text, base64, split_at: self.split_at }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Frame {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = FrameRepr::deserialize(deserializer)?;
        let bytes = decode(repr.text, repr.base64).map_err(serde::de::Error::custom)?;
        Ok(Frame { bytes, split_at: repr.split_at })
    }
}

/// Bytes as text when they are UTF-8, else as base64.
pub(crate) fn encode(bytes: &[u8]) -> (Option<String>, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Some(text.to_string()), None),
        Err(_) => (None, Some(base64::engine::general_purpose::STANDARD.encode(bytes))),
    }
}

pub(crate) fn decode(text: Option<String>, base64: Option<String>) -> Result<Vec<u8>, String> {
    match (text, base64) {
        (Some(text), None) => Ok(text.into_bytes()),
        (None, Some(b64)) => {
            base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| format!("bad base64 in a frame: {e}"))
        }
        _ => Err("a frame needs exactly one of `text` and `base64`".into()),
    }
}

/// Why a frame was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The handshake (`initialize`, `notifications/initialized`).
    Opening,
    /// A fuzz input.
    Input,
    /// A liveness probe.
    Probe,
    /// The harness's answer to a request from the server.
    Answer,
}

/// One frame as it went on the wire, for transcripts and replay files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// Why it was sent.
    pub role: Role,
    /// The frame.
    #[serde(flatten)]
    pub frame: Frame,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_as_text_or_base64() {
        for bytes in [b"{\"a\":1}".to_vec(), vec![0xff, 0xfe, b'{'], Vec::new()] {
            let frame = Frame { bytes: bytes.clone(), split_at: Some(1) };
            let json = serde_json::to_string(&frame).expect("serializes");
            assert_eq!(json.contains("base64"), std::str::from_utf8(&bytes).is_err(), "{json}");
            let back: Frame = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, frame);
        }
        assert!(serde_json::from_str::<Frame>(r#"{"text":"a","base64":"YQ=="}"#).is_err());
    }
}
