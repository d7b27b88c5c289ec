//! Built-in checks: steps whose logic does not fit in data.
//!
//! A case names one with `check = "NAME"`. Each works on whatever surface the
//! server exposes (capability-adaptive) and says "inconclusive" when it has
//! nothing it can safely decide on.

mod tools;

use crate::execute::{CaseContext, StepOutcome};

/// The names a case may use.
pub const NAMES: &[&str] = &["tool-schemas", "tool-results"];

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
        "tool-schemas" => tools::schemas(context).await,
        "tool-results" => tools::results(context).await,
        other => StepOutcome { findings: Vec::new(), inconclusive: vec![format!("unknown check `{other}`")] },
    }
}
