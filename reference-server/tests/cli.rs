//! Flags and exit codes.

use crate::support::run_to_end;

#[tokio::test]
async fn list_faults_prints_name_requirement_scope_description() {
    let (status, stdout, _) = run_to_end(&["--list-faults"]).await;
    assert!(status.success());
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 20, "{stdout}");
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "{line}");
        assert!(!cols[0].is_empty() && !cols[1].is_empty() && !cols[3].is_empty(), "{line}");
    }
}

#[tokio::test]
async fn help_documents_transports_tools_and_faults() {
    let (status, stdout, _) = run_to_end(&["--help"]).await;
    assert!(status.success());
    for needle in [
        "--http", "--sse", "--fault", "--ask-timeout", "echo", "add", "fail", "ask  {}", "input_required", "stdout-garbage", "L-LIFE-002",
        "s2c-request-in-stateless", "L-S2C-001",
    ] {
        assert!(stdout.contains(needle), "--help lacks {needle}");
    }
}

#[tokio::test]
async fn bad_flags_exit_2_with_a_message() {
    for args in [
        &["--no-such-flag"][..],
        &["--fault", "no-such-fault"],
        &["--http", "not-an-address"],
        &["--http", "127.0.0.1:0", "--sse", "127.0.0.1:0"],
        &["--sse-responses"],
        &["--ask-timeout", "0"],
        &["--ask-timeout", "soon"],
    ] {
        let (status, stdout, stderr) = run_to_end(args).await;
        assert_eq!(status.code(), Some(2), "{args:?}");
        assert!(stdout.is_empty(), "{args:?} wrote to stdout: {stdout}");
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn port_in_use_is_a_setup_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (status, _, stderr) = run_to_end(&["--http", &addr]).await;
    assert_eq!(status.code(), Some(2));
    assert!(stderr.contains("cannot listen"), "{stderr}");
}
