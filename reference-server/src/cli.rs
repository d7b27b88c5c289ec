//! The command line: flags in, one transport out. `mcp-reference-server`
//! (and `mcp-conform reference-server`, which embeds it) call [`main_with_args`].

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use crate::auth::{self, AuthOptions, Protected};
use crate::faults::{self, Fault, FaultSet, Scope};
use crate::hostile::{self, Hostile};
use crate::tokens;
use crate::transport::http::HttpOptions;
use crate::transport::{self, http, sse, stdio};
use crate::Dispatcher;

const ABOUT: &str = "An MCP server that speaks every protocol version correctly \
(2024-11-05 … 2026-07-28), and can break one rule at a time on purpose.";

#[derive(Parser, Debug)]
#[command(name = "mcp-reference-server", version, about = ABOUT, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Serve Streamable HTTP at http://ADDR/mcp instead of stdio [default ADDR: 127.0.0.1:0].
    /// With port 0 a free port is chosen; the first stdout line is `listening on URL`.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0",
          value_parser = parse_addr, conflicts_with = "sse")]
    http: Option<SocketAddr>,

    /// Serve the legacy 2024-11-05 HTTP+SSE transport at http://ADDR/sse [default ADDR: 127.0.0.1:0].
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0",
          value_parser = parse_addr)]
    sse: Option<SocketAddr>,

    /// Break one rule on purpose (repeatable). See --list-faults.
    #[arg(long = "fault", value_name = "NAME", value_parser = parse_fault)]
    faults: Vec<Fault>,

    /// Print every fault: name, requirement IDs it breaks, transports, description (tab-separated).
    #[arg(long)]
    list_faults: bool,

    /// Serve another public surface, still conformant (see --list-surface-variants).
    #[arg(long, value_name = "NAME", value_parser = parse_surface_variant)]
    surface_variant: Option<crate::surface_variants::SurfaceVariant>,

    /// Print every surface variant: name, description (tab-separated).
    #[arg(long)]
    list_surface_variants: bool,

    /// With --http, answer POSTed requests with a one-event text/event-stream instead of JSON.
    #[arg(long, requires = "http")]
    sse_responses: bool,

    /// How long the ask tool waits for each answer to its own requests to the client.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    ask_timeout: std::time::Duration,

    /// Misbehave at the transport level to test clients (huge, endless, malformed
    /// or missing output). See --list-hostile.
    #[arg(long, value_name = "NAME", value_parser = parse_hostile)]
    hostile: Option<Hostile>,

    /// Print every hostile mode: name, transports, description (tab-separated).
    #[arg(long)]
    list_hostile: bool,

    /// With --http or --sse, require OAuth bearer tokens (RFC 9728 metadata at
    /// /.well-known/oauth-protected-resource). Tokens come from `mint-token`.
    #[arg(long)]
    auth: bool,

    /// The HMAC-SHA256 key tokens must be signed with (its UTF-8 bytes)
    /// [default: a random key, printed on stderr].
    #[arg(long, value_name = "KEY", requires = "auth")]
    auth_key: Option<String>,

    /// The authorization server named in the metadata (the server does not implement it).
    #[arg(long, value_name = "URL", requires = "auth", default_value = auth::DEFAULT_ISSUER)]
    auth_issuer: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a bearer token for a server started with --auth, and exit.
    MintToken(MintArgs),
}

#[derive(Args, Debug)]
struct MintArgs {
    /// The server's --auth-key.
    #[arg(long, value_name = "KEY")]
    key: String,

    /// The audience: the resource URL of the server (e.g. http://127.0.0.1:PORT/mcp).
    #[arg(long, value_name = "URL")]
    aud: String,

    /// Expiry relative to now: 60, 60s, 5m, 2h, 1d; negative for an expired token.
    #[arg(long, value_name = "DURATION", default_value = "1h", allow_hyphen_values = true, value_parser = tokens::parse_duration)]
    exp_in: i64,

    /// A scope to grant (repeatable; a space-separated list also works), e.g. mcp:read, mcp:tools, mcp.
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
}

fn parse_hostile(s: &str) -> Result<Hostile, String> {
    Hostile::from_name(s).ok_or_else(|| format!("unknown hostile mode '{s}' (see --list-hostile)"))
}

fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    match s.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 3600.0 => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(format!("'{s}' is not a number of seconds between 0 and 3600 (for example 10 or 0.5)")),
    }
}

fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    match s.strip_prefix("localhost:").map(str::parse::<u16>) {
        Some(Ok(port)) => Ok(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))),
        _ => Err(format!("'{s}' is not IP:PORT (for example 127.0.0.1:8080)")),
    }
}

fn parse_fault(s: &str) -> Result<Fault, String> {
    Fault::from_name(s).ok_or_else(|| format!("unknown fault '{s}' (see --list-faults)"))
}

fn parse_surface_variant(s: &str) -> Result<crate::surface_variants::SurfaceVariant, String> {
    crate::surface_variants::SurfaceVariant::from_name(s).ok_or_else(|| format!("unknown surface variant '{s}' (see --list-surface-variants)"))
}

fn long_help() -> String {
    let mut text = String::from(
        "Transports:\n  (default)   stdio: newline-delimited JSON-RPC on stdin/stdout, logs on stderr\n  \
         --http      Streamable HTTP at /mcp (sessions for 2025-03-26..2025-11-25, stateless 2026-07-28)\n  \
         --sse       HTTP+SSE of 2024-11-05: GET /sse, then POST /messages?sessionId=...\n\n",
    );
    text.push_str(crate::tools::HELP);
    text.push_str("\nFaults (--fault NAME):\n");
    for info in faults::CATALOGUE {
        text.push_str(&format!("  {:<38} {} [{}]\n      {}\n", info.name, info.breaks.join(", "), info.scope.label(), info.description));
    }
    text.push_str("\nHostile modes (--hostile NAME), for testing clients:\n");
    for info in hostile::CATALOGUE {
        text.push_str(&format!("  {:<38} [{}]\n      {}\n", info.name, info.scope.label(), info.description));
    }
    text.push_str("\nSurface variants (--surface-variant NAME), conformant but with another public surface:\n");
    for info in crate::surface_variants::CATALOGUE {
        text.push_str(&format!("  {:<38} {}\n", info.name, info.description));
    }
    text.push_str(auth::HELP);
    text.push_str("\nLogging: set MCP_REFERENCE_SERVER_LOG (e.g. debug) to log to stderr.\n");
    text
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MCP_REFERENCE_SERVER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init()
        .ok();
}

fn applies(scope: Scope, transport: Scope) -> bool {
    match scope {
        Scope::AnyTransport => true,
        Scope::Http => matches!(transport, Scope::Http | Scope::StreamableHttp),
        Scope::StdioAndSse => matches!(transport, Scope::Stdio | Scope::Http),
        other => other == transport,
    }
}

/// Warns about faults and hostile modes that cannot show on the chosen transport.
fn warn_inapplicable(faults: FaultSet, hostile: Option<Hostile>, transport: Scope) {
    for fault in faults.iter() {
        let scope = fault.info().scope;
        if !applies(scope, transport) {
            eprintln!("warning: fault {fault} only shows on {} transports", scope.label());
        }
    }
    if let Some(mode) = hostile {
        let scope = mode.info().scope;
        if !applies(scope, transport) {
            eprintln!("warning: hostile mode {mode} only shows on {} transports; serving normally", scope.label());
        }
    }
}

/// What wraps the HTTP router: a hostile mode, authorization.
#[derive(Clone, Debug, Default)]
struct Wrappers {
    hostile: Option<Hostile>,
    auth: Option<AuthOptions>,
}

/// Binds, announces the URL on stdout, and serves HTTP or SSE.
async fn serve_http(
    addr: SocketAddr,
    path: &str,
    dispatcher: Dispatcher,
    legacy_sse: bool,
    options: HttpOptions,
    wrappers: Wrappers,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Setup(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| Failure::Setup(e.to_string()))?;
    // The fault listens on a second loopback address, as a server bound to
    // all interfaces would be reachable there (HTTP-004), without leaving loopback.
    let mut also = None;
    if dispatcher.faults().contains(crate::faults::Fault::ListensBeyondLoopback) && local.ip() == std::net::Ipv4Addr::LOCALHOST {
        let second = SocketAddr::from(([127, 0, 0, 2], local.port()));
        also = Some(tokio::net::TcpListener::bind(second).await.map_err(|e| Failure::Setup(format!("cannot listen on {second}: {e}")))?);
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on http://{local}{path}");
    let _ = stdout.flush();
    let mut router = if legacy_sse {
        sse::router(dispatcher, local)
    } else {
        http::router(dispatcher, local, options)
    };
    let hostile = wrappers.hostile.filter(|m| applies(m.info().scope, if legacy_sse { Scope::Http } else { Scope::StreamableHttp }));
    if let Some(mode) = hostile {
        router = hostile::http::wrap(router, mode, !legacy_sse);
    }
    if let Some(options) = &wrappers.auth {
        router = auth::protect(router, std::sync::Arc::new(Protected::new(options, local, path, dispatcher.faults())));
    }
    if let Some(second) = also {
        let router = router.clone();
        tokio::spawn(async move {
            if let Err(e) = transport::serve(second, router).await {
                tracing::warn!("the second listener failed: {e}");
            }
        });
    }
    transport::serve(listener, router).await.map_err(|e| Failure::Runtime(e.to_string()))
}

enum Failure {
    /// Could not start (exit 2).
    Setup(String),
    /// Failed while serving (exit 1).
    Runtime(String),
}

/// The `--auth` options, with a generated key announced on stderr when none was given.
fn auth_options(cli: &Cli) -> Option<AuthOptions> {
    if !cli.auth {
        return None;
    }
    Some(match &cli.auth_key {
        Some(key) => AuthOptions {
            key: key.clone().into_bytes(),
            issuer: cli.auth_issuer.clone(),
        },
        None => {
            let (options, key) = AuthOptions::generated(cli.auth_issuer.clone());
            eprintln!("auth: no --auth-key given; tokens must be signed with the generated key {key}");
            options
        }
    })
}

async fn run(cli: Cli, dispatcher: Dispatcher) -> Result<(), Failure> {
    if cli.auth && cli.http.is_none() && cli.sse.is_none() {
        return Err(Failure::Setup("--auth needs --http or --sse (stdio takes credentials from the environment)".into()));
    }
    if !cli.auth {
        for fault in [
            Fault::AuthWrongAudienceAccepted,
            Fault::AuthNoWwwAuthenticate,
            Fault::AuthExpiredAccepted,
            Fault::AuthMetadataNoAuthorizationServers,
        ] {
            if dispatcher.faults().contains(fault) {
                eprintln!("warning: fault {fault} only shows with --auth");
            }
        }
    }
    let wrappers = Wrappers {
        hostile: cli.hostile,
        auth: auth_options(&cli),
    };
    if let Some(addr) = cli.http {
        warn_inapplicable(dispatcher.faults(), cli.hostile, Scope::StreamableHttp);
        let options = HttpOptions {
            sse_responses: cli.sse_responses,
        };
        serve_http(addr, "/mcp", dispatcher, false, options, wrappers).await
    } else if let Some(addr) = cli.sse {
        warn_inapplicable(dispatcher.faults(), cli.hostile, Scope::Http);
        serve_http(addr, "/sse", dispatcher, true, HttpOptions::default(), wrappers).await
    } else {
        warn_inapplicable(dispatcher.faults(), cli.hostile, Scope::Stdio);
        let hostile = cli.hostile.filter(|m| applies(m.info().scope, Scope::Stdio));
        let served = match hostile {
            Some(mode) => hostile::stdio::run(&dispatcher, mode).await,
            None => stdio::run(&dispatcher).await,
        };
        match served {
            Ok(()) => Ok(()),
            // The client went away mid-write: a normal way for stdio to end.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure::Runtime(e.to_string())),
        }
    }
}

/// Parse `args` (the first is the program name), serve, and return the exit
/// code: 0 after a clean end, 1 when serving failed, 2 when it could not start.
/// It builds its own async runtime, so call it from outside any runtime.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = match Cli::command().after_long_help(long_help()).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(e) => e.exit(),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if cli.list_faults {
        print!("{}", faults::listing());
        return ExitCode::SUCCESS;
    }
    if cli.list_hostile {
        print!("{}", hostile::listing());
        return ExitCode::SUCCESS;
    }
    if cli.list_surface_variants {
        print!("{}", crate::surface_variants::listing());
        return ExitCode::SUCCESS;
    }
    if let Some(variant) = cli.surface_variant {
        crate::surface_variants::select(variant);
    }
    if let Some(Command::MintToken(args)) = &cli.command {
        return mint_token(args);
    }
    init_logging();
    let dispatcher = Dispatcher::new(cli.faults.iter().copied().collect()).with_ask_timeout(cli.ask_timeout);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(run(cli, dispatcher));
    // Do not wait for the blocking thread that may still sit in a stdin read.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Setup(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

/// `mint-token`: prints a token and exits 0 (2 for an empty key).
fn mint_token(args: &MintArgs) -> ExitCode {
    if args.key.is_empty() {
        eprintln!("error: --key must not be empty");
        return ExitCode::from(2);
    }
    let scopes: Vec<&str> = args.scopes.iter().flat_map(|s| s.split_ascii_whitespace()).collect();
    let claims = tokens::Claims::expiring_in(args.aud.clone(), args.exp_in, &scopes);
    println!("{}", tokens::mint(args.key.as_bytes(), &claims));
    ExitCode::SUCCESS
}
