//! The stateless era (2026-07-28): per-request `_meta`, the HTTP headers that
//! mirror the body, `server/discover`, and `input_required` round trips.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::client;
use super::{Connection, Exchange, RequestOptions, ServerInfo, Session};
use crate::transport::Kind;

/// Most `input_required` rounds followed for one request.
pub const MAX_INPUT_ROUNDS: usize = 8;

/// The `_meta` every request carries.
pub fn request_meta(version: &str) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": client::client_info(),
        "io.modelcontextprotocol/clientCapabilities": client::capabilities(version),
    })
}

/// Add the request `_meta` to params (keeping any `_meta` keys already there).
pub fn with_meta(params: Value, version: &str) -> Value {
    let mut params = match params {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let meta = params.entry("_meta").or_insert_with(|| json!({}));
    if let (Some(meta), Value::Object(ours)) = (meta.as_object_mut(), request_meta(version)) {
        for (k, v) in ours {
            meta.entry(k).or_insert(v);
        }
    }
    Value::Object(params)
}

/// The Streamable HTTP headers that mirror a request body:
/// `MCP-Protocol-Version`, `Mcp-Method` and, where the method names a target, `Mcp-Name`.
pub fn mirrored_headers(message: &Value) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Some(version) = message.pointer("/params/_meta/io.modelcontextprotocol~1protocolVersion").and_then(Value::as_str) {
        headers.push(("MCP-Protocol-Version".to_string(), version.to_string()));
    }
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    headers.push(("Mcp-Method".to_string(), method.to_string()));
    let name = match method {
        "tools/call" | "prompts/get" => message.pointer("/params/name"),
        "resources/read" => message.pointer("/params/uri"),
        _ => None,
    };
    if let Some(name) = name.and_then(Value::as_str) {
        headers.push(("Mcp-Name".to_string(), header_value(name)));
    }
    headers
}

/// A header value as the spec encodes it: plain when it is safe visible
/// ASCII, otherwise the `=?base64?…?=` sentinel form.
pub fn header_value(value: &str) -> String {
    let plain = value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && !value.starts_with("=?base64?");
    if plain {
        value.to_string()
    } else {
        format!("=?base64?{}?=", base64::engine::general_purpose::STANDARD.encode(value))
    }
}

/// Send a stateless request and follow `input_required` results to the end.
pub async fn request(
    connection: &Connection,
    version: &str,
    method: &str,
    params: Value,
    options: &RequestOptions,
) -> Exchange {
    let version = options.protocol_version.as_deref().unwrap_or(version);
    let mut params = if options.raw { params } else { with_meta(params, version) };
    let mut exchange = send(connection, method, params.clone(), options).await;
    for _ in 0..MAX_INPUT_ROUNDS {
        let Some(result) = exchange.result() else { break };
        if result.get("resultType").and_then(Value::as_str) != Some("input_required") {
            break;
        }
        let mut responses = Map::new();
        for (key, input) in result.get("inputRequests").and_then(Value::as_object).into_iter().flatten() {
            let method = input.get("method").and_then(Value::as_str).unwrap_or_default();
            // An input request the harness cannot answer leaves its key out; the server decides.
            if let Ok(answer) = client::answer(version, method, input.get("params")) {
                responses.insert(key.clone(), answer);
            }
        }
        if let Value::Object(map) = &mut params {
            map.insert("inputResponses".into(), Value::Object(responses));
            match result.get("requestState") {
                Some(state) => map.insert("requestState".into(), state.clone()),
                None => map.remove("requestState"),
            };
        }
        exchange = send(connection, method, params.clone(), options).await;
    }
    exchange
}

/// Send one stateless request as given (no `_meta` added, no `input_required`
/// followed), with the HTTP headers that mirror it.
pub async fn send(connection: &Connection, method: &str, params: Value, options: &RequestOptions) -> Exchange {
    let mut headers = Vec::new();
    if connection.transport().kind() == Kind::StreamableHttp && method == "tools/call" && !options.raw {
        // HTTP-023: the arguments the tool's listing marks with `x-mcp-header`.
        headers = connection.param_headers(&params);
    }
    let message = crate::jsonrpc::request(&connection.next_id(), method, Some(params));
    if connection.transport().kind() == Kind::StreamableHttp {
        let mut standard = mirrored_headers(&message);
        standard.append(&mut headers);
        headers = standard;
        headers.retain(|(name, _)| !options.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
    }
    headers.extend(options.headers.iter().cloned());
    let exchange = connection.send_request(message, headers).await;
    if method == "tools/list" {
        if let Some(result) = exchange.result() {
            connection.learn_tools(result);
        }
    }
    exchange
}

/// Open a stateless session for `version`: ask `server/discover` what the
/// server is. Returns the session and the discover exchange.
pub async fn open(connection: Connection, version: &str) -> (Session, Exchange) {
    connection.set_version(version);
    let exchange = request(&connection, version, "server/discover", json!({}), &RequestOptions::default()).await;
    let result = exchange.result().cloned().unwrap_or(Value::Null);
    let server = ServerInfo {
        implementation: result.pointer("/_meta/io.modelcontextprotocol~1serverInfo").cloned(),
        capabilities: result.get("capabilities").cloned().unwrap_or(Value::Null),
    };
    let opened = connection.mark();
    (Session { connection, version: version.to_string(), server, opened }, exchange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_mirror_the_body() {
        let message = crate::jsonrpc::request(
            &json!(1),
            "tools/call",
            Some(with_meta(json!({ "name": "wetter ☀" }), "2026-07-28")),
        );
        let headers = mirrored_headers(&message);
        assert_eq!(headers[0], ("MCP-Protocol-Version".into(), "2026-07-28".into()));
        assert_eq!(headers[1], ("Mcp-Method".into(), "tools/call".into()));
        assert_eq!(headers[2], ("Mcp-Name".into(), "=?base64?d2V0dGVyIOKYgA==?=".into()));
    }

    #[test]
    fn meta_keeps_what_the_caller_set() {
        let params = with_meta(json!({ "_meta": { "io.modelcontextprotocol/protocolVersion": "1900-01-01" } }), "2026-07-28");
        assert_eq!(params.pointer("/_meta/io.modelcontextprotocol~1protocolVersion"), Some(&json!("1900-01-01")));
        assert!(params.pointer("/_meta/io.modelcontextprotocol~1clientCapabilities").is_some());
    }
}
