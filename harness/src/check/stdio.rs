//! Checks of the stdio transport that act on the process itself.

use std::time::{Duration, Instant};

use crate::execute::{CaseContext, Draft, StepOutcome};

/// How soon a server must exit once its stdin is closed to count as prompt
/// (STDIO-008 says "promptly"; this leaves room for a slow runtime's exit).
const EXIT_BOUND: Duration = Duration::from_secs(3);

/// Close the server's stdin: it should exit promptly (STDIO-008).
pub async fn stdin_close(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let Some(child) = connection.transport().stdio() else {
        return StepOutcome { inconclusive: vec!["closing stdin applies to the stdio transport only".into()], ..StepOutcome::default() };
    };
    child.close_stdin().await;
    connection.note("closed the server's stdin".into());
    let started = Instant::now();
    match child.exit_status(EXIT_BOUND).await {
        Some(status) => {
            connection.note(format!("the server exited {} ms after stdin closed ({status})", started.elapsed().as_millis()));
            StepOutcome::default()
        }
        None => StepOutcome {
            findings: vec![Draft {
                requirement: "STDIO-008".into(),
                keyword: None,
                message: format!("the server was still running {}s after its stdin closed", EXIT_BOUND.as_secs()),
                expected: format!("the process exits within {}s of end of input", EXIT_BOUND.as_secs()),
                actual: "still running (it is killed when the case ends)".into(),
                hint: None,
            }],
            ..StepOutcome::default()
        },
    }
}
