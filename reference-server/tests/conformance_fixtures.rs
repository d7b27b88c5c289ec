//! The fixtures the official conformance suite calls by name, spoken to
//! directly (no Node): content tools, logging and progress, the asking tools
//! in both eras, the `test://` resources and template, the `test_*` prompts.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::ask::drive_http_stream_with;
use crate::support::conn::{everywhere, list_all, Conn, Transport};
use crate::support::*;

const PNG_MAGIC: &[u8] = b"\x89PNG";

fn decode(data: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(data.as_str().expect("base64 text")).expect("valid base64")
}

fn content(r: &Value) -> &Vec<Value> {
    r["result"]["content"].as_array().unwrap_or_else(|| panic!("no content: {r}"))
}

#[tokio::test]
async fn content_tools_everywhere() {
    for (transport, version) in everywhere() {
        let mut c = Conn::open(transport, version, &[]).await;
        let at = format!("{transport:?} {version}");
        let text = c.call("tools/call", json!({"name": "test_simple_text", "arguments": {}})).await.response;
        assert_eq!(content(&text)[0], json!({"type": "text", "text": "This is a simple text response for testing."}), "{at}");

        let image = c.call("tools/call", json!({"name": "test_image_content"})).await.response;
        assert_eq!(content(&image)[0]["mimeType"], "image/png", "{at}");
        assert!(decode(&content(&image)[0]["data"]).starts_with(PNG_MAGIC), "{at}");

        let embedded = c.call("tools/call", json!({"name": "test_embedded_resource", "arguments": {}})).await.response;
        let resource = &content(&embedded)[0]["resource"];
        assert_eq!(content(&embedded)[0]["type"], "resource", "{at}");
        assert_eq!((&resource["uri"], &resource["mimeType"]), (&json!("test://embedded-resource"), &json!("text/plain")), "{at}");
        assert_eq!(resource["text"], "This is an embedded resource content.", "{at}");

        let mixed = c.call("tools/call", json!({"name": "test_multiple_content_types", "arguments": {}})).await.response;
        let types: Vec<&str> = content(&mixed).iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["text", "image", "resource"], "{at}");
        let json_text = content(&mixed)[2]["resource"]["text"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(json_text).unwrap(), json!({"test": "data", "value": 123}), "{at}");

        let error = c.call("tools/call", json!({"name": "test_error_handling", "arguments": {}})).await.response;
        assert_eq!(error["result"]["isError"], true, "{at}");
        assert!(content(&error)[0]["text"].as_str().unwrap().contains("intentionally"), "{at}");

        // Audio content exists from 2025-03-26 on.
        let audio = c.call("tools/call", json!({"name": "test_audio_content", "arguments": {}})).await.response;
        if version >= "2025-03-26" {
            let block = &content(&audio)[0];
            assert_eq!((&block["type"], &block["mimeType"]), (&json!("audio"), &json!("audio/wav")), "{at}");
            let wav = decode(&block["data"]);
            assert!(wav.starts_with(b"RIFF") && wav.get(8..12) == Some(b"WAVE".as_slice()), "{at}");
        } else {
            assert_eq!(error_code(&audio), -32602, "{at}: unknown before 2025-03-26");
        }
    }
}

#[tokio::test]
async fn listed_in_the_versions_that_have_them() {
    for version in STATEFUL.into_iter().chain([MODERN]) {
        let mut c = Conn::open(Transport::Stdio, version, &[]).await;
        let (tools, pages) = list_all(&mut c, "tools/list", "tools").await;
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        // Counts include `mirrored_params`, listed in every version.
        let expected = match version {
            "2024-11-05" => 18,
            "2025-03-26" => 19,
            "2025-06-18" => 20,
            "2025-11-25" => 27, // with `job`, the tool that runs only as a task, `connect_external_account` and `weather_agent`
            _ => 27,            // with `primes`, `tally` and `weather_agent`, tools of 2026-07-28
        };
        assert_eq!(names.len(), expected, "{version}: {names:?}");
        assert!(names.contains(&"test_sampling") && names.contains(&"test_tool_with_logging"), "{version}");
        assert_eq!(names.contains(&"test_elicitation"), version >= "2025-06-18", "{version}");
        assert_eq!(names.contains(&"test_elicitation_sep1330_enums"), version >= "2025-11-25", "{version}");
        assert_eq!(names.contains(&"test_reconnection"), version >= "2025-11-25", "{version}");
        // The official suite reads only the first page when it looks for this one.
        let first_page = pages[0]["tools"][0]["name"].as_str().unwrap();
        assert_eq!(first_page == "json_schema_2020_12_tool", version >= "2025-11-25", "{version}");
        for t in tools.iter().filter(|t| t["name"].as_str().unwrap().starts_with("test_")) {
            assert!(t["description"].is_string(), "{t}");
            if version >= "2025-03-26" {
                assert_eq!(t["annotations"]["readOnlyHint"], true, "{t}");
            }
        }
    }
}

#[tokio::test]
async fn the_json_schema_tool_keeps_its_2020_12_keywords() {
    let mut c = Conn::open(Transport::Stdio, "2025-11-25", &[]).await;
    let first = c.call("tools/list", json!({})).await;
    let tool = &first.result()["tools"][0];
    let schema = &tool["inputSchema"];
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["properties"]["address"]["$ref"], "#/$defs/address");
    assert_eq!(schema["$defs"]["address"]["properties"]["city"]["type"], "string");
    assert_eq!(schema["additionalProperties"], false);
    let ok = c.call("tools/call", json!({"name": "json_schema_2020_12_tool", "arguments": {"name": "Ada", "address": {"city": "London"}}})).await;
    assert!(ok.result().get("isError").is_none(), "{}", ok.response);
    assert!(ok.result()["content"][0]["text"].as_str().unwrap().contains("London"));
    // The $ref is followed: a wrong type inside it is an argument error.
    let bad = c.call("tools/call", json!({"name": "json_schema_2020_12_tool", "arguments": {"address": {"city": 5}}})).await;
    assert_eq!(bad.result()["isError"], true, "{}", bad.response);
    let extra = c.call("tools/call", json!({"name": "json_schema_2020_12_tool", "arguments": {"other": 1}})).await;
    assert_eq!(extra.result()["isError"], true, "{}", extra.response);
}

#[tokio::test]
async fn logging_and_progress_fixtures_everywhere() {
    for (transport, version) in everywhere() {
        let at = format!("{transport:?} {version}");
        let mut c = Conn::open(transport, version, &[]).await;
        // No level set: nothing is logged.
        let quiet = c.call("tools/call", json!({"name": "test_tool_with_logging", "arguments": {}})).await;
        assert!(quiet.notes("notifications/message").is_empty(), "{at}");
        let logged = if c.is_modern() {
            let params = json!({"name": "test_tool_with_logging", "arguments": {}, "_meta": {"io.modelcontextprotocol/logLevel": "debug"}});
            c.call("tools/call", params).await
        } else {
            assert_eq!(c.call("logging/setLevel", json!({"level": "debug"})).await.result(), &json!({}), "{at}");
            c.call("tools/call", json!({"name": "test_tool_with_logging", "arguments": {}})).await
        };
        let data: Vec<&Value> = logged.notes("notifications/message").iter().map(|m| &m["params"]["data"]).collect();
        assert_eq!(data, [&json!("Tool execution started"), &json!("Tool processing data"), &json!("Tool execution completed")], "{at}");
        assert!(logged.notes("notifications/message").iter().all(|m| m["params"]["level"] == "info"), "{at}");

        let progress = c.call("tools/call", json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "p-1"}})).await;
        let steps: Vec<u64> = progress.notes("notifications/progress").iter().map(|m| m["params"]["progress"].as_u64().unwrap()).collect();
        assert_eq!(steps, [1, 2, 3], "{at}");
        assert!(progress.notes("notifications/progress").iter().all(|m| m["params"]["progressToken"] == "p-1"), "{at}");
    }
}

#[tokio::test]
async fn resources_prompts_and_completion_everywhere() {
    for (transport, version) in everywhere() {
        let at = format!("{transport:?} {version}");
        let mut c = Conn::open(transport, version, &[]).await;
        let (resources, _) = list_all(&mut c, "resources/list", "resources").await;
        assert_eq!(resources.len(), 130, "{at}");
        let uris: Vec<&str> = resources.iter().map(|r| r["uri"].as_str().unwrap()).collect();
        assert!(uris.contains(&"test://static-text") && uris.contains(&"test://watched-resource"), "{at}");

        let text = c.call("resources/read", json!({"uri": "test://static-text"})).await;
        assert_eq!(
            text.result()["contents"][0],
            json!({"uri": "test://static-text", "mimeType": "text/plain", "text": "This is the content of the static text resource."}),
            "{at}"
        );
        let binary = c.call("resources/read", json!({"uri": "test://static-binary"})).await;
        assert!(decode(&binary.result()["contents"][0]["blob"]).starts_with(PNG_MAGIC), "{at}");
        let templated = c.call("resources/read", json!({"uri": "test://template/123/data"})).await;
        let item = &templated.result()["contents"][0];
        assert_eq!((&item["uri"], &item["mimeType"]), (&json!("test://template/123/data"), &json!("application/json")), "{at}");
        let data: Value = serde_json::from_str(item["text"].as_str().unwrap()).unwrap();
        assert_eq!(data, json!({"id": "123", "templateTest": true, "data": "Data for ID: 123"}), "{at}");
        for missing in ["test://template//data", "test://template/1/other", "test://nothing"] {
            let r = c.call("resources/read", json!({"uri": missing})).await;
            assert!(r.response.get("error").is_some(), "{at}: {missing} {}", r.response);
        }
        let (templates, _) = list_all(&mut c, "resources/templates/list", "resourceTemplates").await;
        assert!(templates.iter().any(|t| t["uriTemplate"] == "test://template/{id}/data"), "{at}");

        let args = c.call("prompts/get", json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "hello", "arg2": "world"}})).await;
        assert_eq!(args.result()["messages"][0]["content"]["text"], "Prompt with arguments: arg1='hello', arg2='world'", "{at}");
        let missing = c.call("prompts/get", json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "x"}})).await;
        assert_eq!(error_code(&missing.response), -32602, "{at}: arg2 is required");
        let simple = c.call("prompts/get", json!({"name": "test_simple_prompt"})).await;
        assert_eq!(simple.result()["messages"][0]["content"]["text"], "This is a simple prompt for testing.", "{at}");
        let embedded = c.call("prompts/get", json!({"name": "test_prompt_with_embedded_resource", "arguments": {"resourceUri": "test://x"}})).await;
        assert_eq!(embedded.result()["messages"][0]["content"]["resource"]["uri"], "test://x", "{at}");
        let image = c.call("prompts/get", json!({"name": "test_prompt_with_image"})).await;
        assert_eq!(image.result()["messages"][0]["content"]["type"], "image", "{at}");

        let complete = json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"}, "argument": {"name": "arg1", "value": "te"}});
        let r = c.call("completion/complete", complete).await;
        assert_eq!(r.result()["completion"]["values"], json!(["testValue1"]), "{at}");

        if !c.is_modern() {
            for method in ["resources/subscribe", "resources/unsubscribe"] {
                let r = c.call(method, json!({"uri": "test://watched-resource"})).await;
                assert_eq!(r.result(), &json!({}), "{at} {method}");
            }
        }
    }
}

fn call(id: i64, name: &str, arguments: Value) -> Value {
    request(id, "tools/call", json!({"name": name, "arguments": arguments}))
}

/// The test client's answer to a request of an asking fixture: a sample,
/// or a form filled in with values that fit it.
fn fill_in(server_request: &Value) -> Value {
    let result = match server_request["method"].as_str() {
        Some("elicitation/create") => {
            let properties = &server_request["params"]["requestedSchema"]["properties"];
            let content = if properties.get("username").is_some() {
                json!({"username": "ada", "email": "ada@example.com"})
            } else {
                json!({})
            };
            json!({"action": "accept", "content": content})
        }
        Some(method) => client_answer(method),
        None => panic!("not a request: {server_request}"),
    };
    json!({"jsonrpc": "2.0", "id": server_request["id"], "result": result})
}

/// Sends `message` over stdio and answers every server request with
/// `respond`; returns the server's requests and the response.
async fn stdio_call(s: &mut StdioServer, message: &Value, respond: impl Fn(&Value) -> Value) -> (Vec<Value>, Value) {
    s.send(message).await;
    let mut requests = Vec::new();
    loop {
        let m = s.recv().await;
        if is_request(&m) {
            s.send(&respond(&m)).await;
            requests.push(m);
        } else if m.get("method").is_none() {
            assert_eq!(m["id"], message["id"], "{m}");
            return (requests, m);
        }
    }
}

fn text(response: &Value) -> &str {
    response["result"]["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text: {response}"))
}

#[tokio::test]
async fn asking_fixtures_over_stdio_in_the_handshake_era() {
    for version in STATEFUL {
        let mut s = StdioServer::start(&[]).await;
        s.handshake_with(version, all_capabilities(version)).await;
        let (asked, response) = stdio_call(&mut s, &call(1, "test_sampling", json!({"prompt": "Say hi"})), fill_in).await;
        assert_eq!(asked.len(), 1, "{version}");
        assert_eq!(asked[0]["method"], "sampling/createMessage");
        assert_eq!(asked[0]["params"]["messages"][0]["content"]["text"], "Say hi");
        assert_eq!(asked[0]["params"]["maxTokens"], 100);
        assert_eq!(text(&response), format!("LLM response: \"{TEST_SAMPLE}\" (model test-model)"), "{version}");
        if version < "2025-06-18" {
            continue;
        }
        let (asked, response) = stdio_call(&mut s, &call(2, "test_elicitation", json!({"message": "Who?"})), fill_in).await;
        assert_eq!(asked[0]["params"]["message"], "Who?");
        assert_eq!(asked[0]["params"]["requestedSchema"]["required"], json!(["username", "email"]));
        assert_eq!(asked[0]["params"].get("mode").is_some(), version >= "2025-11-25", "{version}");
        assert!(text(&response).starts_with("Elicitation completed: action=accept"), "{version}: {response}");
        // An accepted form that does not fit is the client's fault: a tool error.
        let wrong = |m: &Value| json!({"jsonrpc": "2.0", "id": m["id"], "result": {"action": "accept", "content": {"username": 5}}});
        let (_, response) = stdio_call(&mut s, &call(3, "test_elicitation", json!({"message": "Who?"})), wrong).await;
        assert_eq!(response["result"]["isError"], true, "{version}");
        if version < "2025-11-25" {
            continue;
        }
        let (asked, _) = stdio_call(&mut s, &call(4, "test_elicitation_sep1034_defaults", json!({})), fill_in).await;
        let fields = &asked[0]["params"]["requestedSchema"]["properties"];
        assert_eq!((&fields["age"]["default"], &fields["score"]["default"]), (&json!(30), &json!(95.5)));
        let (asked, response) = stdio_call(&mut s, &call(5, "test_elicitation_sep1330_enums", json!({})), fill_in).await;
        let fields = &asked[0]["params"]["requestedSchema"]["properties"];
        assert_eq!(fields["titledMulti"]["items"]["anyOf"][0], json!({"const": "value1", "title": "First Choice"}));
        assert_eq!(fields["legacyEnum"]["enumNames"].as_array().unwrap().len(), 3);
        assert!(response["result"].get("isError").is_none(), "{response}");
    }
}

#[tokio::test]
async fn asking_fixtures_need_the_capability() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with("2025-11-25", json!({})).await;
    for (id, name, arguments) in [(1, "test_sampling", json!({"prompt": "x"})), (2, "test_elicitation", json!({"message": "x"}))] {
        let (asked, response) = stdio_call(&mut s, &call(id, name, arguments), fill_in).await;
        assert!(asked.is_empty(), "{name}: nothing is sent without the capability");
        assert_eq!(response["result"]["isError"], true, "{name}");
    }
    let missing = s.request(call(3, "test_sampling", json!({}))).await;
    assert_eq!(missing["result"]["isError"], true, "prompt is required");
}

#[tokio::test]
async fn asking_fixtures_over_streamable_http_answer_on_the_call_stream() {
    let server = HttpServer::http().await;
    let version = "2025-11-25";
    let session = server.open_session_with(version, all_capabilities(version)).await;
    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", version)];
    for (id, name, arguments, expected) in [
        (1, "test_sampling", json!({"prompt": "hi"}), "LLM response:"),
        (2, "test_elicitation", json!({"message": "Who?"}), "Elicitation completed: action=accept"),
        (3, "test_elicitation_sep1034_defaults", json!({}), "Elicitation completed: action=accept"),
    ] {
        let stream = server.post_open(&server.url, &headers, &call(id, name, arguments).to_string()).await;
        let (events, response) = drive_http_stream_with(&server, &session, version, stream, fill_in).await;
        assert_eq!(events[0].data, "", "{name}: priming event first");
        assert!(text(&response).starts_with(expected), "{name}: {response}");
    }
}

fn modern_call(id: i64, name: &str, extra: Value) -> Value {
    let mut params = json!({"name": name, "arguments": {"prompt": "hi"}});
    for (k, v) in extra.as_object().unwrap() {
        params[k] = v.clone();
    }
    modern_with(id, "tools/call", params, json!({"sampling": {}}))
}

#[tokio::test]
async fn asking_fixtures_in_2026_07_28_are_multi_round_trip() {
    let mut s = StdioServer::start(&[]).await;
    let first = s.request(modern_call(1, "test_sampling", json!({}))).await["result"].clone();
    assert_eq!(first["resultType"], "input_required", "{first}");
    let requests = first["inputRequests"].as_object().unwrap();
    assert_eq!(requests.keys().collect::<Vec<_>>(), ["sampling"]);
    assert_eq!(requests["sampling"]["params"]["messages"][0]["content"]["text"], "hi");
    let state = first["requestState"].clone();

    // Without the answer: asked again; with it: done.
    let again = s.request(modern_call(2, "test_sampling", json!({"inputResponses": {}, "requestState": state}))).await;
    assert_eq!(again["result"]["resultType"], "input_required");
    let answer = json!({"inputResponses": {"sampling": client_answer("sampling/createMessage")}, "requestState": state});
    let done = s.request(modern_call(3, "test_sampling", answer.clone())).await;
    assert_eq!(done["result"]["resultType"], "complete");
    assert_eq!(text(&done), format!("LLM response: \"{TEST_SAMPLE}\" (model test-model)"));

    // The state is bound to the call; malformed answers are -32602.
    let mut other = modern_call(4, "test_sampling", answer);
    other["params"]["arguments"]["prompt"] = json!("another prompt");
    assert_eq!(s.request(other).await["result"]["isError"], true);
    let bad = json!({"inputResponses": {"sampling": {"role": "assistant"}}, "requestState": state});
    assert_eq!(error_code(&s.request(modern_call(5, "test_sampling", bad)).await), -32602);
    let mut undeclared = modern_call(6, "test_sampling", json!({}));
    undeclared["params"]["_meta"][CAPS] = json!({});
    // LIFECYCLE-009: without the capability it needs, the tool is refused with -32021.
    assert_eq!(error_code(&s.request(undeclared).await), -32021);
    assert!(s.silent_for(std::time::Duration::from_millis(200)).await, "no JSON-RPC request to the client");

    // Over Streamable HTTP the same exchange is plain JSON.
    let server = HttpServer::http().await;
    let elicit = modern_with(7, "tools/call", json!({"name": "test_elicitation", "arguments": {"message": "Who?"}}), json!({"elicitation": {"form": {}}}));
    let reply = server.post_modern(&elicit).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("application/json"), "{}", reply.content_type());
    let first = reply.json()["result"].clone();
    assert_eq!(first["inputRequests"]["elicitation"]["params"]["mode"], "form");
    let mut retry = elicit.clone();
    retry["id"] = json!(8);
    retry["params"]["inputResponses"] = json!({"elicitation": {"action": "decline"}});
    retry["params"]["requestState"] = first["requestState"].clone();
    let done = server.post_modern(&retry).await.json();
    assert_eq!(text(&done), "Elicitation completed: action=decline, content={}");
}
