//! `run.json`: the run record as a versioned JSON document.
//!
//! The document is the [`RunRecord`] serialized as is: the field-by-field
//! reference is the rustdoc of [`RunRecord`] and of the types it holds
//! ([`ToolInfo`](crate::ToolInfo), [`TargetInfo`](crate::TargetInfo),
//! [`StderrCapture`](crate::StderrCapture), [`CaseResult`](crate::CaseResult),
//! [`Status`](crate::Status), [`Finding`](crate::Finding),
//! [`TranscriptEntry`](crate::TranscriptEntry), [`Direction`](crate::Direction),
//! and, when the run had a baseline, [`Gate`](crate::gate::Gate) with the
//! types it holds, and when it had a snapshot,
//! [`SurfaceCheck`](crate::surface::SurfaceCheck) with the types it holds);
//! the [`record`](crate::record) module says how they map to JSON.
//!
//! A reader checks `format_version` before anything else and refuses a
//! version other than [`FORMAT_VERSION`] with
//! [`Error::UnsupportedFormatVersion`], rather than misreading a layout it
//! does not know. Keys it does not know are ignored, which is what lets a
//! minor release add optional fields without a version bump.
//!
//! A short document, one case that failed (optional fields left out), read
//! back by [`from_json`]:
//!
//! ```
//! let doc = r#"{
//!   "format_version": 1,
//!   "tool": { "name": "mcp-conform", "version": "0.1.0" },
//!   "started_at": "2026-07-30T09:00:00Z",
//!   "duration_ms": 42,
//!   "target": { "transport": "stdio", "endpoint": "npx my-server" },
//!   "versions": ["2025-06-18"],
//!   "results": [
//!     {
//!       "case_id": "LIFECYCLE-006-unsupported-version",
//!       "area": "lifecycle",
//!       "title": "Answers an unsupported protocol version with one it supports",
//!       "requirements": ["LIFECYCLE-006"],
//!       "keyword": "MUST",
//!       "spec": "basic/lifecycle.mdx §Version Negotiation",
//!       "version": "2025-06-18",
//!       "transport": "stdio",
//!       "status": "fail",
//!       "findings": [
//!         {
//!           "requirement": "LIFECYCLE-006",
//!           "keyword": "MUST",
//!           "message": "The server echoed a protocol version it does not support",
//!           "expected": "a protocolVersion the server supports",
//!           "actual": "\"1999-01-01\"",
//!           "hint": "Answer with your latest supported version instead of the client's"
//!         }
//!       ],
//!       "transcript": [
//!         { "at_ms": 0, "direction": "sent", "channel": "stdio",
//!           "text": "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}" },
//!         { "at_ms": 3, "direction": "received", "channel": "stdio",
//!           "text": "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}" }
//!       ],
//!       "duration_ms": 5
//!     }
//!   ]
//! }"#;
//! let record = reports::from_json(doc)?;
//! assert_eq!(record.results[0].status, reports::Status::Fail);
//! assert_eq!(reports::from_json(&reports::to_json(&record))?, record);
//! # Ok::<(), reports::Error>(())
//! ```

use serde::Deserialize;

use crate::{Error, RunRecord, FORMAT_VERSION};

/// Writes `record` as a pretty-printed `run.json` document, ending with a
/// newline.
///
/// # Panics
///
/// Never: a [`RunRecord`] has no value that JSON cannot represent.
pub fn to_json(record: &RunRecord) -> String {
    // Serialization cannot fail: every map key in the record is a string and
    // no field has a fallible `Serialize`. Failing here would be a bug in
    // this crate, not bad input.
    let mut text =
        serde_json::to_string_pretty(record).expect("a RunRecord always serializes to JSON");
    text.push('\n');
    text
}

/// Reads a `run.json` document.
///
/// The `format_version` is checked before the rest, so a document of another
/// version gets [`Error::UnsupportedFormatVersion`] and not a confusing
/// complaint about some field whose shape changed.
///
/// # Errors
///
/// [`Error::Malformed`] when the text is not JSON or lacks the record's
/// shape, [`Error::MissingFormatVersion`] when it has no `format_version`,
/// and [`Error::UnsupportedFormatVersion`] when that is not [`FORMAT_VERSION`].
pub fn from_json(text: &str) -> Result<RunRecord, Error> {
    // Serde skips the keys it is not asked for, so this first pass reads
    // only the version, whatever the rest of the document looks like.
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: Option<u64>,
    }

    let probe: VersionOnly = serde_json::from_str(text)?;
    match probe.format_version {
        None => Err(Error::MissingFormatVersion),
        Some(found) if found != u64::from(FORMAT_VERSION) => Err(Error::unsupported(found)),
        Some(_) => Ok(serde_json::from_str(text)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record_with, result};

    #[test]
    fn round_trips_a_small_record() {
        let record = record_with(vec![result(crate::Status::Warn)]);
        assert_eq!(from_json(&to_json(&record)).unwrap(), record);
    }

    #[test]
    fn refuses_another_format_version() {
        let mut value = serde_json::to_value(record_with(vec![])).unwrap();
        // A future layout may change anything else too; the version check
        // must come first and not depend on the rest.
        value["format_version"] = 2.into();
        value["results"] = "changed in version 2".into();
        let err = from_json(&value.to_string()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnsupportedFormatVersion {
                    found: 2,
                    supported: 1
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "run.json has format_version 2, but this build reads only version 1; \
             use the mcp-conform release that wrote it"
        );
    }

    #[test]
    fn refuses_a_document_without_version() {
        let err = from_json(r#"{"results": []}"#).unwrap_err();
        assert!(matches!(err, Error::MissingFormatVersion), "{err:?}");
    }

    #[test]
    fn reports_malformed_documents_with_a_position() {
        let err = from_json("{\"format_version\": 1,").unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{err:?}");
        assert!(err.to_string().contains("line 1"), "{err}");

        let err = from_json(r#"{"format_version": 1}"#).unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn ignores_unknown_keys() {
        let mut value = serde_json::to_value(record_with(vec![])).unwrap();
        value["added_in_a_minor_release"] = true.into();
        assert!(from_json(&value.to_string()).is_ok());
    }
}
