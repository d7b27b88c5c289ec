//! List change notifications in the handshake era: a server sends
//! `notifications/{tools,prompts,resources}/list_changed` only for a list
//! whose capability declares `listChanged: true` (L-LIFE-004: use only what
//! was negotiated; L-LIST-001, TOOLS-014).
//!
//! Every such notification seen anywhere in the session is judged; the
//! mapped `list-changed` tool is called to give the server a reason to send one.

use serde_json::Map;

use super::observe::{self, LATE_WINDOW};
use crate::execute::{CaseContext, StepOutcome};
use crate::fixtures::unmapped;
use crate::version::at_least;

const LISTS: [&str; 3] = ["tools", "prompts", "resources"];

/// L-LIFE-004: no list_changed notification for a list without `listChanged`.
pub async fn needs_capability(context: &CaseContext<'_>) -> StepOutcome {
    let allowed: Vec<&str> = LISTS.iter().copied().filter(|list| context.server.declares(&format!("{list}.listChanged"))).collect();
    if allowed.len() == LISTS.len() {
        // Every list may announce its changes: nothing here can break the rule.
        return StepOutcome::default();
    }
    if let Some(outcome) = observe::unknown_capabilities(context) {
        return outcome;
    }
    let connection = &context.session.connection;
    let start = connection.mark();
    let role = context.options.fixtures.list_changed.clone();
    if let Some(role) = &role {
        let exchange = observe::call(context, role, Map::new()).await;
        if observe::unusable("", &exchange).is_none() {
            // The notifications may travel on another stream than the response.
            tokio::time::sleep(LATE_WINDOW).await;
        }
    }
    let seen = observe::received(&connection.since(0));
    let stray = seen.iter().filter(|s| s.is_notification()).find_map(|note| {
        let list = note.method()?.strip_prefix("notifications/")?.strip_suffix("/list_changed")?;
        (!allowed.contains(&list)).then(|| (list.to_string(), note))
    });
    let mut outcome = StepOutcome::default();
    match stray {
        Some((list, note)) => {
            if note.index < start {
                outcome.evidence.push(note.entry.clone());
            }
            // A MUST since 2025-06-18; before, a SHOULD.
            let keyword = if at_least(&context.session.version, "2025-06-18") { "MUST" } else { "SHOULD" };
            outcome.findings.push(observe::draft(
                "L-LIFE-004",
                keyword,
                format!("the server announced a change of its {list} list without declaring `{list}.listChanged`"),
                &format!("notifications/{list}/list_changed only with capabilities.{list}.listChanged: true"),
                note.shown(),
            ));
        }
        None if role.is_none() => return StepOutcome { inconclusive: vec![unmapped("list-changed")], ..StepOutcome::default() },
        None => {}
    }
    outcome
}
