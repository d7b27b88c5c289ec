//! The handshake era: `initialize`, version negotiation, `notifications/initialized`.

use serde_json::{json, Value};

use super::client;
use super::{Connection, Exchange, ServerInfo, Session};

/// The `initialize` params the harness sends when asking for `version`.
pub fn initialize_params(version: &str) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": client::capabilities(version),
        "clientInfo": client::client_info(),
    })
}

/// How a handshake ended.
pub enum Handshake {
    /// The server accepted `version`: the session is ready.
    Ready(Box<Session>),
    /// The server answered with another version (a counter-proposal) or an
    /// error, or did not answer: the exchange says which.
    Refused(Connection, Box<Exchange>),
}

/// Run the handshake for `version` on a fresh connection.
pub async fn open(connection: Connection, version: &str) -> Handshake {
    connection.set_version(version);
    let exchange = connection.request("initialize", initialize_params(version), Vec::new()).await;
    let Some(result) = exchange.result() else {
        return Handshake::Refused(connection, Box::new(exchange));
    };
    if result.get("protocolVersion").and_then(Value::as_str) != Some(version) {
        return Handshake::Refused(connection, Box::new(exchange));
    }
    let server = ServerInfo {
        implementation: result.get("serverInfo").cloned(),
        capabilities: result.get("capabilities").cloned().unwrap_or(Value::Null),
    };
    connection.transport().set_protocol_version(Some(version));
    // A failure to send is visible in the transcript; the cases will see the closed connection.
    let _ = connection.notify("notifications/initialized", None, Vec::new()).await;
    // The GET stream carries the server's own requests and notifications; its
    // status (an SSE stream, or 405) is recorded in the transcript.
    let _ = connection.transport().open_get_stream().await;
    let opened = connection.mark();
    Handshake::Ready(Box::new(Session { connection, version: version.to_string(), server, opened }))
}

/// Run the handshake for `version` on `connection`, declaring `capabilities`
/// instead of the harness's usual ones (a check that needs a session
/// declaring more, on its own fresh connection). `Err` says why no session
/// opened.
pub async fn open_declaring(connection: &Connection, version: &str, capabilities: Value) -> Result<(), String> {
    connection.set_version(version);
    let mut params = initialize_params(version);
    params["capabilities"] = capabilities;
    let opened = connection.request("initialize", params, Vec::new()).await;
    if opened.result().and_then(|r| r.get("protocolVersion")).and_then(Value::as_str) != Some(version) {
        return Err(format!("initialize declaring those capabilities did not open a {version} session"));
    }
    connection.transport().set_protocol_version(Some(version));
    connection.notify("notifications/initialized", None, Vec::new()).await.map_err(|why| format!("notifications/initialized could not be sent: {why}"))
}
