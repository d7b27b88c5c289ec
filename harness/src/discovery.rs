//! Finding out which protocol versions a server speaks.
//!
//! Stateless versions are learnt from `server/discover` (its
//! `supportedVersions`, or the `supported` list of an
//! `UnsupportedProtocolVersionError`). Stateful versions are probed one by
//! one with `initialize` on fresh connections: a server that echoes the
//! version speaks it. A probe's connection becomes that version's session.

use serde_json::{json, Value};

use crate::session::{stateful, stateless, Connection, Exchange, Reply, RequestOptions, Session, SessionOptions};
use crate::target::Target;
use crate::transport::{Limits, TransportError};
use crate::version::{era, Era};

/// What probing one version gave.
pub enum Probe {
    /// The server speaks it: here is its session.
    Supported(Box<Session>),
    /// It does not, and why (for the run record's notes).
    Unsupported {
        /// Why, in one line.
        why: String,
        /// The version the server proposed instead, if it answered
        /// `initialize` with another one: the server claims to speak that one.
        counter: Option<String>,
        /// The capabilities that answer declared, if any.
        capabilities: Value,
    },
}

impl Probe {
    fn unsupported(why: String) -> Probe {
        Probe::Unsupported { why, counter: None, capabilities: Value::Null }
    }
}

/// An unreachable server is a setup error, not a version it lacks.
fn unreachable(exchange: &Exchange) -> Result<(), TransportError> {
    match exchange.unsent.as_deref() {
        Some(TransportError::Unreachable { url, detail }) => {
            Err(TransportError::Unreachable { url: url.clone(), detail: detail.clone() })
        }
        _ => Ok(()),
    }
}

/// What the server sent instead of an answer, if it sent something unusable.
fn first_problem(connection: &Connection) -> String {
    let problem = connection.since(0).into_iter().find_map(|entry| entry.problems.into_iter().next());
    problem.map(|p| format!("; meanwhile {} ({})", p.message, p.requirement)).unwrap_or_default()
}

/// Probe `version` on a new connection.
pub async fn probe(target: &Target, version: &str, limits: &Limits, options: &SessionOptions) -> Result<Probe, TransportError> {
    let connection = target.connect(version, limits, options).await?;
    match era(version) {
        Era::Stateful => match stateful::open(connection, version).await {
            stateful::Handshake::Ready(session) => Ok(Probe::Supported(session)),
            stateful::Handshake::Refused(connection, exchange) => {
                connection.close().await;
                unreachable(&exchange)?;
                let counter = exchange.result().and_then(|r| r.get("protocolVersion")).and_then(Value::as_str).map(str::to_string);
                let capabilities = exchange.result().and_then(|r| r.get("capabilities")).cloned().unwrap_or(Value::Null);
                let why = match (exchange.result(), exchange.error(), &exchange.reply) {
                    (Some(result), _, _) => format!(
                        "`initialize` for {version} was answered with version {}",
                        result.get("protocolVersion").unwrap_or(&Value::Null)
                    ),
                    (_, Some(error), _) => format!("`initialize` for {version} was refused: {error}"),
                    (_, _, Reply::NoResponse(why) | Reply::TooLarge(why)) => {
                        format!("`initialize` for {version}: {why}{}", first_problem(&connection))
                    }
                    (_, _, Reply::Response(message)) => format!("`initialize` for {version}: {message}"),
                };
                Ok(Probe::Unsupported { why, counter, capabilities })
            }
        },
        Era::Stateless => {
            let (session, exchange) = stateless::open(connection, version).await;
            unreachable(&exchange)?;
            // A server that answers discover with a result speaks the stateless
            // era; unless its (valid) list leaves this version out, test it,
            // so that a malformed discover result is reported, not skipped.
            let listed = exchange.result().and_then(|r| r.get("supportedVersions")).and_then(Value::as_array);
            let excluded = listed.is_some_and(|list| !list.iter().any(|v| v == version));
            if exchange.result().is_some() && !excluded {
                return Ok(Probe::Supported(Box::new(session)));
            }
            // Without a usable discover, a stateless answer to another request
            // (a result carrying `resultType`) still shows a server of this
            // era, one that lacks `server/discover`: test it, do not skip it.
            let modern_error = exchange.error_code() == Some(-32022);
            if exchange.result().is_none() && !modern_error {
                let list = session.request("tools/list", json!({}), &RequestOptions::default()).await;
                if list.result().is_some_and(|r| r.get("resultType").is_some()) {
                    return Ok(Probe::Supported(Box::new(session)));
                }
            }
            session.close().await;
            let why = match (exchange.result(), exchange.error()) {
                (Some(_), _) => format!("`server/discover` does not list {version} in supportedVersions"),
                (_, Some(error)) => format!("`server/discover` for {version} was refused: {error}"),
                _ => format!("`server/discover` for {version} got no answer{}", first_problem(&session.connection)),
            };
            Ok(Probe::unsupported(why))
        }
    }
}
