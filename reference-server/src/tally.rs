//! The `tally` tool's counters: cross-call state kept behind server-issued
//! handles, as `tools.mdx` §Stateful Tools advises (TOOLS-020). A call
//! without a handle opens a counter and returns its handle; a call with one
//! counts on; an unknown (or evicted) handle is a tool execution error that
//! says so, so that a model can open a new one.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde_json::{Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::tools::Output;

/// Most counters kept; the oldest is forgotten first (its handle expires).
const MAX_TALLIES: usize = 1024;

/// Open counters, oldest first: (handle, count).
static TALLIES: Mutex<VecDeque<(String, u64)>> = Mutex::new(VecDeque::new());

/// An unguessable handle: 16 bytes from the OS, in hex.
fn new_handle() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(format!("tally-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

fn open(tallies: &mut VecDeque<(String, u64)>) -> Output {
    let Some(handle) = new_handle() else {
        return Output::Failure("No handle could be made (the system's random source failed); try again.".into());
    };
    if tallies.len() >= MAX_TALLIES {
        tallies.pop_front();
    }
    tallies.push_back((handle.clone(), 1));
    Output::Text(format!("Opened tally {handle}, now at 1. Pass it as \"handle\" to count on."))
}

/// Runs `tally {handle?}`.
pub fn run(args: &Map<String, Value>, faults: FaultSet) -> Output {
    let mut tallies = TALLIES.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(handle) = args.get("handle").and_then(Value::as_str) else {
        return open(&mut tallies);
    };
    if let Some((_, count)) = tallies.iter_mut().find(|(h, _)| h == handle) {
        *count += 1;
        return Output::Text(format!("Tally {handle} is now at {count}."));
    }
    if faults.contains(Fault::StaleHandleAccepted) {
        // Silently starts afresh: the caller never learns its handle was stale.
        return open(&mut tallies);
    }
    Output::Failure(format!("Unknown or expired tally handle {handle:?}; call tally without a handle to open a new one."))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_handle_counts_on_and_an_unknown_one_is_a_tool_error() {
        let Output::Text(opened) = run(&Map::new(), FaultSet::NONE) else { panic!("not opened") };
        let handle = opened.split_whitespace().nth(2).unwrap().trim_end_matches(',').to_string();
        assert_eq!(run(&args(json!({"handle": handle})), FaultSet::NONE), Output::Text(format!("Tally {handle} is now at 2.")));
        assert!(matches!(run(&args(json!({"handle": "tally-never-issued"})), FaultSet::NONE), Output::Failure(_)));
        let stale = run(&args(json!({"handle": "tally-never-issued"})), FaultSet::only(Fault::StaleHandleAccepted));
        assert!(matches!(stale, Output::Text(_)));
    }
}
