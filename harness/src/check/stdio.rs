//! Checks of the stdio transport that act on the process itself.

use std::time::{Duration, Instant};

use crate::execute::{CaseContext, Draft, StepOutcome};

/// How soon a server must exit once its stdin is closed to count as prompt
/// (STDIO-008 says "promptly"), at least. The Python SDK takes about 1 s on
/// an idle machine and several on a loaded one, so the bound also grows to
/// twice the time this server took to start and answer its opening request.
const EXIT_BOUND: Duration = Duration::from_secs(5);

/// Close the server's stdin: it should exit promptly (STDIO-008).
pub async fn stdin_close(context: &CaseContext<'_>) -> StepOutcome {
    let connection = &context.session.connection;
    let Some(child) = connection.transport().stdio() else {
        return StepOutcome { inconclusive: vec!["closing stdin applies to the stdio transport only".into()], ..StepOutcome::default() };
    };
    let started_in = context.session.opening().last().map_or(0, |entry| entry.entry.at_ms);
    let bound = EXIT_BOUND.max(Duration::from_millis(started_in.saturating_mul(2)));
    child.close_stdin().await;
    connection.note("closed the server's stdin".into());
    let started = Instant::now();
    match child.exit_status(bound).await {
        Some(status) => {
            connection.note(format!("the server exited {} ms after stdin closed ({status})", started.elapsed().as_millis()));
            StepOutcome::default()
        }
        None => StepOutcome {
            findings: vec![Draft {
                requirement: "STDIO-008".into(),
                keyword: None,
                message: format!("the server was still running {:.1}s after its stdin closed", bound.as_secs_f64()),
                expected: format!("the process exits within {:.1}s of end of input (twice its start-up time, at least 5s)", bound.as_secs_f64()),
                actual: "still running (it is killed when the case ends)".into(),
                hint: None,
            }],
            ..StepOutcome::default()
        },
    }
}
