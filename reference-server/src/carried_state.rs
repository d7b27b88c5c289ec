//! What the statelessness faults carry from one 2026-07-28 request to the
//! next.
//!
//! The conformant server derives nothing from earlier requests: each one
//! brings its version and client capabilities in `_meta` (LIFECYCLE-010),
//! and its lists do not depend on what else was asked (TOOLS-003,
//! RESOURCES-002, PROMPTS-002) nor come in a changing order (TOOLS-004),
//! and a multi round-trip conversation is found by its `requestState`
//! alone, whatever else started meanwhile (LIFECYCLE-011, LIFECYCLE-013).
//! These process-wide memories exist only so that faults can break those
//! rules. Over stdio a process is one connection; over HTTP the memory is
//! the whole server's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::protocol::ClientCapabilities;

static CAPABILITIES: Mutex<ClientCapabilities> = Mutex::new(ClientCapabilities { roots: false, sampling: false, elicitation_form: false, elicitation_url: false, sampling_tools: false });
static TOOL_CALLS: AtomicU64 = AtomicU64::new(0);
static FIRST_PAGES: AtomicU64 = AtomicU64::new(0);
static LATEST_REQUEST_STATE: Mutex<String> = Mutex::new(String::new());

/// `declared` joined with every capability an earlier request declared
/// (the `capabilities-carried-over` fault), remembering `declared` too.
pub fn capabilities_with_earlier(declared: ClientCapabilities) -> ClientCapabilities {
    let mut remembered = CAPABILITIES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let joined = ClientCapabilities {
        roots: remembered.roots || declared.roots,
        sampling: remembered.sampling || declared.sampling,
        elicitation_form: remembered.elicitation_form || declared.elicitation_form,
        elicitation_url: remembered.elicitation_url || declared.elicitation_url,
        sampling_tools: remembered.sampling_tools || declared.sampling_tools,
    };
    *remembered = joined;
    joined
}

/// Counts a served `tools/call`.
pub fn count_tool_call() {
    TOOL_CALLS.fetch_add(1, Ordering::Relaxed);
}

/// Whether an odd number of `tools/call` requests was served so far (the
/// `lists-change-after-calls` fault shortens the lists then).
pub fn odd_tool_calls() -> bool {
    TOOL_CALLS.load(Ordering::Relaxed) % 2 == 1
}

/// How far the `tools-order-varies` fault rotates the tool list: the
/// number of first pages asked for so far, counting this one when
/// `first_page`. Later pages keep the rotation of their walk.
pub fn rotation(first_page: bool) -> usize {
    let count = if first_page { FIRST_PAGES.fetch_add(1, Ordering::Relaxed) + 1 } else { FIRST_PAGES.load(Ordering::Relaxed) };
    usize::try_from(count).unwrap_or(0)
}

/// Remembers the `requestState` issued last (the `request-state-latest-only`
/// fault takes it for the one conversation in progress).
pub fn remember_request_state(state: &str) {
    *LATEST_REQUEST_STATE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = state.to_string();
}

/// Whether `state` is the `requestState` issued last.
pub fn is_latest_request_state(state: &str) -> bool {
    *LATEST_REQUEST_STATE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) == state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_accumulate() {
        let sampling = ClientCapabilities { roots: false, sampling: true, elicitation_form: false, elicitation_url: false, sampling_tools: false };
        let none = ClientCapabilities { roots: false, sampling: false, elicitation_form: false, elicitation_url: false, sampling_tools: false };
        assert!(capabilities_with_earlier(sampling).sampling);
        assert!(capabilities_with_earlier(none).sampling, "an earlier declaration is carried over");
    }

    #[test]
    fn rotation_moves_only_on_first_pages() {
        let first = rotation(true);
        assert_eq!(rotation(false), first);
        assert_eq!(rotation(true), first + 1);
    }

    #[test]
    fn tool_calls_flip_parity() {
        let before = odd_tool_calls();
        count_tool_call();
        assert_ne!(odd_tool_calls(), before);
    }
}
