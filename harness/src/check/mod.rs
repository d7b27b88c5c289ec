//! Built-in checks: steps whose logic does not fit in data.
//!
//! A case names one with `check = "NAME"`. Each works on whatever surface the
//! server exposes (capability-adaptive) and says "inconclusive" when it has
//! nothing it can safely decide on.

mod jsonrpc;
mod stdio;
mod tools;

use crate::execute::{CaseContext, StepOutcome};

/// The names a case may use.
pub const NAMES: &[&str] = &[
    "opening",
    "tool-schemas",
    "tool-results",
    "parse-error",
    "invalid-request",
    "notifications-unanswered",
    "id-echo",
    "batch-accepted",
    "batch-rejected",
    "stdin-close",
];

/// Is `name` a built-in check?
pub fn exists(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Which tools the harness may call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CallTools {
    /// Only tools annotated `readOnlyHint: true` (calling them changes nothing).
    #[default]
    ReadOnly,
    /// Every tool: only for servers whose tools are safe to run with made-up arguments.
    All,
    /// None.
    None,
}

/// Run the check called `name`.
pub async fn run(name: &str, context: &CaseContext<'_>) -> StepOutcome {
    match name {
        "opening" => opening(context),
        "tool-schemas" => tools::schemas(context).await,
        "tool-results" => tools::results(context).await,
        "parse-error" => jsonrpc::parse_error(context).await,
        "invalid-request" => jsonrpc::invalid_request(context).await,
        "notifications-unanswered" => jsonrpc::notifications_unanswered(context).await,
        "id-echo" => jsonrpc::id_echo(context).await,
        "batch-accepted" => jsonrpc::batch_accepted(context).await,
        "batch-rejected" => jsonrpc::batch_rejected(context).await,
        "stdin-close" => stdio::stdin_close(context).await,
        other => StepOutcome { inconclusive: vec![format!("unknown check `{other}`")], ..StepOutcome::default() },
    }
}

/// The exchange that opened the session (the `initialize` handshake, or
/// `server/discover`) as evidence: every problem found in it on receipt
/// becomes a finding of the case.
fn opening(context: &CaseContext<'_>) -> StepOutcome {
    let evidence = context.session.opening();
    if evidence.is_empty() {
        return StepOutcome { inconclusive: vec!["the connection was not opened with a handshake".into()], ..StepOutcome::default() };
    }
    StepOutcome { evidence, ..StepOutcome::default() }
}
