//! `requestState` of 2026-07-28 multi round-trip requests: an opaque string
//! the client echoes on its retry, protected against tampering.
//!
//! The state is attacker-controlled input (S2C-007), so it is sealed with
//! HMAC-SHA256: `base64url(JSON payload) "." base64url(tag)`. [`open`]
//! refuses anything whose tag does not verify, and the payload carries an
//! expiry and the request it belongs to, which the caller checks (S2C-008).
//! There is no authenticated principal to bind (this server has no
//! authorization).
//!
//! The key is derived from a secret shared by every process of the server
//! ([`STATE_SECRET_VARIABLE`], or a built-in default), not drawn per process:
//! a client may send the retry of a multi round-trip request over another
//! connection or to another stdio process than the first request
//! (LIFECYCLE-012), just as replicas behind a load balancer must all accept
//! each other's state. The default secret is public, which is fine for a
//! test fixture (the harness never reads it) but not for a deployment: set
//! the variable to a secret of your own there. Only the
//! `request-state-per-process` fault draws a key per process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// The environment variable whose value, when set and not empty, is the
/// secret the state key is derived from.
pub const STATE_SECRET_VARIABLE: &str = "MCP_REFERENCE_STATE_SECRET";

/// The secret used when [`STATE_SECRET_VARIABLE`] is not set.
const DEFAULT_SECRET: &str = "mcp-reference-server requestState secret (public: set MCP_REFERENCE_STATE_SECRET in a deployment)";

/// Set by the `request-state-per-process` fault before the first state is sealed.
static PER_PROCESS_KEY: AtomicBool = AtomicBool::new(false);

/// The `request-state-per-process` fault: from now on the key is drawn
/// per process, so no other process can verify this one's state.
pub fn use_per_process_key() {
    PER_PROCESS_KEY.store(true, Ordering::Relaxed);
}

fn key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| if PER_PROCESS_KEY.load(Ordering::Relaxed) { process_key() } else { shared_key() })
}

/// The key every process of the server derives from the same secret.
fn shared_key() -> [u8; 32] {
    let configured = std::env::var(STATE_SECRET_VARIABLE).ok().filter(|s| !s.is_empty());
    let secret = configured.as_deref().unwrap_or(DEFAULT_SECRET);
    hmac_sha256::HMAC::mac(b"mcp-reference-server requestState key v1", secret.as_bytes())
}

/// A key of this process alone (the `request-state-per-process` fault).
fn process_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        // No OS randomness (practically never): session ids have the
        // same fallback, unguessable enough for a test fixture.
        for chunk in key.chunks_mut(16) {
            chunk.copy_from_slice(crate::transport::session_id::generate().as_bytes().get(..16).unwrap_or(&[0; 16]));
        }
    }
    key
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Seals `payload` into an opaque, tamper-evident string.
pub fn seal(payload: &Value) -> String {
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    let tag = hmac_sha256::HMAC::mac(body.as_bytes(), key());
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// The payload of a state [`seal`] produced in this process, or why not.
pub fn open(state: &str) -> Result<Value, &'static str> {
    let (body, tag) = state.split_once('.').ok_or("it is not a state this server issued")?;
    let tag: [u8; 32] = URL_SAFE_NO_PAD
        .decode(tag)
        .ok()
        .and_then(|t| t.try_into().ok())
        .ok_or("its integrity tag is malformed")?;
    if !hmac_sha256::HMAC::verify(body.as_bytes(), key(), &tag) {
        return Err("its integrity tag does not verify (altered, or sealed under another key)");
    }
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| "its payload is not Base64")?;
    serde_json::from_slice(&json).map_err(|_| "its payload is not JSON")
}

/// The payload of `state` read without verifying its tag: only for the
/// `request-state-unverified` fault, which serves altered state (S2C-007).
pub fn open_unverified(state: &str) -> Result<Value, &'static str> {
    let (body, _) = state.split_once('.').ok_or("it is not a state this server issued")?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| "its payload is not Base64")?;
    serde_json::from_slice(&json).map_err(|_| "its payload is not JSON")
}

/// Hex SHA-256 of `value` in a canonical form (object keys sorted), so a
/// client re-ordering the keys of its arguments still matches.
pub fn digest(value: &Value) -> String {
    fn canonical(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), canonical(map.get(k).unwrap_or(&Value::Null)))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
            other => other.clone(),
        }
    }
    hmac_sha256::Hash::hash(canonical(value).to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let payload = json!({"tool": "ask", "pending": ["roots"], "expires": 5});
        let sealed = seal(&payload);
        assert!(sealed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
        assert_eq!(open(&sealed).unwrap(), payload);
        let (body, tag) = sealed.split_once('.').unwrap();
        let forged_body = URL_SAFE_NO_PAD.encode(json!({"tool": "ask", "pending": [], "expires": 5}).to_string());
        assert!(open(&format!("{forged_body}.{tag}")).is_err(), "a changed payload");
        let mut bad_tag = tag.to_owned().into_bytes();
        bad_tag[0] = if bad_tag[0] == b'A' { b'B' } else { b'A' };
        assert!(open(&format!("{body}.{}", String::from_utf8(bad_tag).unwrap())).is_err(), "a changed tag");
        for junk in ["", ".", "abc", "abc.def", "{}"] {
            assert!(open(junk).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn digest_ignores_key_order() {
        assert_eq!(digest(&json!({"a": 1, "b": [{"y": 1, "x": 2}]})), digest(&json!({"b": [{"x": 2, "y": 1}], "a": 1})));
        assert_ne!(digest(&json!({"a": 1})), digest(&json!({"a": 2})));
        assert_eq!(digest(&json!({})).len(), 64);
    }
}
