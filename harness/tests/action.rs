//! The GitHub Action (`action.yml`): its run step, `scripts/action-run.sh`,
//! run here as the action runs it, with GitHub's output files simulated.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use support::{bin, scratch};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the harness is in the workspace")
}

/// Runs the action's step with `inputs`; returns ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, the step's exit code).
fn action_step(name: &str, inputs: &[(&str, &str)]) -> (String, String, Option<i32>, std::path::PathBuf) {
    let dir = scratch(name);
    let (output, summary) = (dir.join("github-output"), dir.join("step-summary"));
    let reports = dir.join("reports");
    let status = Command::new(repository().join("scripts/action-run.sh"))
        .current_dir(&dir)
        .env("MCP_CONFORM", bin())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("INPUT_REPORT_DIR", &reports)
        .envs(inputs.iter().copied())
        .status()
        .expect("run scripts/action-run.sh");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (read(&output), read(&summary), status.code(), reports)
}

#[test]
fn the_run_step_gates_and_leaves_the_reports() {
    let only = "--only L-PING-001 --spec-version 2025-06-18";
    let (output, summary, code, reports) = action_step("action-clean", &[("INPUT_ARGS", only), ("INPUT_SARIF_ANCHOR", "src/main.rs")]);
    assert_eq!(code, Some(0), "the step itself succeeds so that the uploads run");
    assert!(output.contains("exit-code=0\n"), "{output}");
    assert!(summary.contains("L-PING-001") || summary.contains("passed"), "{summary}");
    for file in ["run.json", "junit.xml", "results.sarif", "summary.md", "report.html"] {
        assert!(reports.join(file).exists(), "{file} written");
    }

    let broken = format!("{} reference-server --fault ping-error", bin());
    let inputs = [("INPUT_ARGS", only), ("INPUT_COMMAND", &broken), ("INPUT_SARIF_ANCHOR", "src/main.rs")];
    let (output, summary, code, reports) = action_step("action-fault", &inputs);
    assert_eq!(code, Some(0));
    assert!(output.contains("exit-code=1\n"), "the gate's verdict reaches the last step: {output}");
    assert!(summary.contains("L-PING-001"), "{summary}");
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(reports.join("results.sarif")).unwrap()).unwrap();
    let located = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(located, "src/main.rs", "code scanning gets a file location");

    let (output, summary, _, _) = action_step("action-usage", &[("INPUT_ARGS", "--bogus")]);
    assert!(output.contains("exit-code=2\n"), "{output}");
    assert!(summary.contains("could not be made"), "{summary}");
}

#[test]
fn the_action_passes_every_input_the_step_reads() {
    let inputs = |text: &str| -> BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("INPUT_") && w.len() > "INPUT_".len())
            .map(str::to_string)
            .collect()
    };
    let script = std::fs::read_to_string(repository().join("scripts/action-run.sh")).unwrap();
    let action = std::fs::read_to_string(repository().join("action.yml")).unwrap();
    assert_eq!(inputs(&script), inputs(&action), "action.yml and scripts/action-run.sh name the same inputs");
    for (variable, input) in inputs(&action).iter().map(|v| (v, v["INPUT_".len()..].to_lowercase().replace('_', "-"))) {
        assert!(action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")), "{variable} comes from input `{input}`");
        assert!(action.contains(&format!("\n  {input}:\n")), "input `{input}` is declared");
    }
}
