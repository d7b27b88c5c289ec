//! The target a subcommand names, shared by `run`, `fuzz` and `replay`.

use super::CliError;
use crate::fuzz::TargetSpec;
use crate::target::{self, ReferenceHttp, Target};
use crate::transport::Kind;

/// The target a subcommand names: a URL, a command, or the bundled reference
/// server (started over HTTP when asked for), with how a finding file names it.
pub(super) async fn resolve(
    url: &Option<String>,
    command: &[String],
    transport: Option<Kind>,
    headers: &[(String, String)],
    env: &[(String, String)],
) -> Result<(Target, TargetSpec, Option<ReferenceHttp>), CliError> {
    let names = |pairs: &[(String, String)]| pairs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    Ok(match (url, command.split_first(), transport) {
        (Some(url), _, Some(Kind::Stdio)) => return Err(CliError::Usage(format!("--url {url} cannot be used with --transport stdio"))),
        (Some(url), _, kind) => {
            let kind = kind.unwrap_or(Kind::StreamableHttp);
            let spec = TargetSpec::Url { url: url.clone(), transport: kind.as_str().into(), headers: names(headers) };
            (Target::Url { url: url.clone(), kind, headers: headers.to_vec() }, spec, None)
        }
        (None, Some(_), Some(kind)) if kind != Kind::Stdio => {
            return Err(CliError::Usage(format!("a command is spoken to over stdio, not {kind}; use --url for HTTP servers")))
        }
        (None, Some((program, rest)), _) => {
            let spec = TargetSpec::Stdio { program: program.clone(), args: rest.to_vec(), env: names(env) };
            (Target::Stdio { program: program.clone(), args: rest.to_vec(), env: env.to_vec() }, spec, None)
        }
        (None, None, None | Some(Kind::Stdio)) => {
            let target = target::reference_stdio().map_err(|e| CliError::Io { path: "the running executable".into(), source: e })?;
            (target, TargetSpec::Bundled { transport: Kind::Stdio.as_str().into() }, None)
        }
        (None, None, Some(kind)) => {
            let server = ReferenceHttp::start(kind)
                .await
                .map_err(|e| CliError::Io { path: "the bundled reference server".into(), source: e })?;
            let target = Target::Url { url: server.url.clone(), kind, headers: headers.to_vec() };
            (target, TargetSpec::Bundled { transport: kind.as_str().into() }, Some(server))
        }
    })
}
