//! `mcp-conform.toml` end to end: found in the current folder without
//! `--config`, ignored with `--no-config`, and a `[run] server` that names
//! no server of `[servers]` is a usage error (exit 2), never ignored.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::{bin, record, scratch};

/// `mcp-conform ARGS`, run from `dir`.
fn conform_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(dir).stdin(Stdio::null()).output().expect("run mcp-conform")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A project whose `[run]` table selects one ping case over one version and
/// names `server` as the default; `servers` is the rest of the file.
fn project(name: &str, server: &str, servers: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let text = format!(
        "[run]\nserver = \"{server}\"\nversions = [\"2025-06-18\"]\nonly = [\"L-PING-001\"]\nreport_dir = \"out\"\nreports = [\"json\"]\n\n{servers}"
    );
    std::fs::write(dir.join("mcp-conform.toml"), text).unwrap();
    dir
}

/// A `[servers.local]` table that starts the reference server with `flags`.
fn local_server(flags: &str) -> String {
    format!("[servers.local]\ncommand = {:?}\nargs = [\"reference-server\"{flags}]\n", bin())
}

#[test]
fn the_file_in_the_current_folder_is_read_without_config() {
    // The project's server answers pings with an error: its run fails.
    let dir = project("config-found", "local", &local_server(", \"--fault\", \"ping-error\""));
    let out = conform_in(&dir, &["run", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stderr).contains("using ./mcp-conform.toml (--no-config to ignore it)"), "{}", text(&out.stderr));
    let found = record(&dir.join("out"));
    assert_eq!(found.versions, ["2025-06-18"], "[run] settings apply");
    assert!(found.target.endpoint.contains("--fault ping-error"), "[run] server is the target: {}", found.target.endpoint);

    // --no-config: the bundled server, none of the file's settings.
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    let out = conform_in(&dir, &["run", "--no-config", "--only", "L-PING-001", "--spec-version", "2025-11-25"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(!text(&out.stderr).contains("using ./mcp-conform.toml"));
    assert!(!dir.join("out").exists(), "the file's report_dir is not used");

    // --config names another file: the one in the folder is not read.
    let other = scratch("config-other").join("other.toml");
    std::fs::write(&other, "[run]\nversions = [\"2025-11-25\"]\nonly = [\"L-PING-001\"]\n").unwrap();
    let out = conform_in(&dir, &["run", "--config", other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(!dir.join("out").exists());

    // --no-config and --config contradict each other.
    let out = conform_in(&dir, &["run", "--no-config", "--config", other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_run_server_missing_from_servers_is_an_error() {
    let cases = [
        ("config-typo", "locl", local_server(""), "[run] server = \"locl\" names no server of [servers] (the file has: local)"),
        ("config-no-servers", "local", String::new(), "(the file has no [servers.NAME] table)"),
        ("config-empty-servers", "local", "[servers]\n".to_string(), "(the file has no [servers.NAME] table)"),
    ];
    for (name, server, servers, needle) in cases {
        let dir = project(name, server, &servers);
        let explicit = ["run", "--config", "mcp-conform.toml"];
        // Found in the folder or named, with or without a target flag, for every subcommand that reads it.
        for args in [&["run"][..], &explicit, &["run", "--", bin(), "reference-server"], &["snapshot"], &["snapshot", "--", bin(), "reference-server"], &["fuzz", "--iterations", "1"]] {
            let out = conform_in(&dir, args);
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(stderr.contains(needle), "{name} {args:?}: {stderr}");
            assert!(stderr.contains("mcp-conform.toml:2:"), "{name} {args:?}: the line of `server =`: {stderr}");
        }
        assert!(!dir.join("out").exists(), "{name}: nothing ran");
    }
}

#[test]
fn server_without_a_config_file_is_a_usage_error() {
    let dir = scratch("config-none");
    let out = conform_in(&dir, &["run", "--server", "local"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--server names a server of a config file"), "{}", text(&out.stderr));
}

#[test]
fn help_says_where_the_config_comes_from() {
    let out = conform_in(&scratch("config-help"), &["run", "--help"]);
    let help = text(&out.stdout);
    assert!(help.contains("--no-config") && help.contains("./mcp-conform.toml"), "{help}");
}
