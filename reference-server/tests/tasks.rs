//! The experimental tasks of 2025-11-25 over stdio and Streamable HTTP:
//! negotiation, creation, polling, results, input from the client, listing,
//! cancellation, other versions, session binding, and every `task-*` fault.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::conn::*;
use crate::support::*;

const V: &str = "2025-11-25";
const RELATED: &str = "io.modelcontextprotocol/related-task";
const TRANSPORTS_WITH_TASKS: [Transport; 2] = [Transport::Stdio, Transport::Http];

fn related(task_id: &str) -> Value {
    json!({ "taskId": task_id })
}

/// Every tool of every `tools/list` page.
async fn all_tools(c: &mut Conn) -> Vec<Value> {
    let mut tools = Vec::new();
    let mut params = json!({});
    loop {
        let r = c.call("tools/list", params.clone()).await;
        tools.extend(r.result()["tools"].as_array().unwrap().iter().cloned());
        match r.result().get("nextCursor") {
            Some(cursor) => params = json!({ "cursor": cursor }),
            None => return tools,
        }
    }
}

/// Starts `tool` as a task; returns the `CreateTaskResult`'s task.
async fn start(c: &mut Conn, tool: &str, arguments: Value) -> Value {
    let r = c.call("tools/call", json!({"name": tool, "arguments": arguments, "task": {"ttl": 60_000}})).await;
    let task = r.result()["task"].clone();
    assert!(task["taskId"].is_string(), "{:?}", r.response);
    task
}

fn id_of(task: &Value) -> String {
    task["taskId"].as_str().unwrap().to_owned()
}

async fn get(c: &mut Conn, id: &str) -> Value {
    c.call("tasks/get", json!({ "taskId": id })).await.response
}

fn is_rfc3339_utc(text: &str) -> bool {
    let b = text.as_bytes();
    text.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && text.ends_with('Z')
}

#[tokio::test]
async fn capability_and_tool_level_negotiation() {
    for transport in TRANSPORTS_WITH_TASKS {
        let mut c = Conn::open(transport, V, &[]).await;
        assert_eq!(c.init["capabilities"]["tasks"], json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}));
        let tools = all_tools(&mut c).await;
        let support = |name: &str| tools.iter().find(|t| t["name"] == name).map(|t| t.pointer("/execution/taskSupport").cloned());
        assert_eq!(support("job"), Some(Some(json!("required"))));
        assert_eq!(support("slow"), Some(Some(json!("optional"))));
        assert_eq!(support("echo"), Some(Some(json!("forbidden"))));
        assert_eq!(support("log"), Some(None), "absent means forbidden");

        let plain = c.call("tools/call", json!({"name": "job", "arguments": {}})).await;
        assert_eq!(error_code(&plain.response), -32601, "{transport:?}: a required tool called plainly");
        let forbidden = c.call("tools/call", json!({"name": "echo", "arguments": {"message": "x"}, "task": {}})).await;
        assert_eq!(error_code(&forbidden.response), -32601, "{transport:?}: a forbidden tool as a task");
        let absent = c.call("tools/call", json!({"name": "log", "arguments": {}, "task": {}})).await;
        assert_eq!(error_code(&absent.response), -32601);
        let bad = c.call("tools/call", json!({"name": "slow", "arguments": {"ms": 1}, "task": 5})).await;
        assert_eq!(error_code(&bad.response), -32602, "task must be an object");
    }
}

#[tokio::test]
async fn a_task_is_created_polled_and_collected() {
    for transport in TRANSPORTS_WITH_TASKS {
        let mut c = Conn::open(transport, V, &[]).await;
        let task = start(&mut c, "slow", json!({"ms": 300})).await;
        assert_eq!(task["status"], "working");
        assert_eq!(task["ttl"], 60_000);
        assert_eq!(task["pollInterval"], 200);
        let id = id_of(&task);
        assert_eq!(id.len(), 32, "128 random bits in hex: {id}");
        assert!(is_rfc3339_utc(task["createdAt"].as_str().unwrap()), "{task}");
        assert!(is_rfc3339_utc(task["lastUpdatedAt"].as_str().unwrap()), "{task}");

        let polled = get(&mut c, &id).await;
        assert_eq!(polled["result"]["status"], "working", "{transport:?}");
        assert!(polled["result"]["_meta"].get(RELATED).is_none(), "tasks/get carries no related-task");

        let result = c.call("tasks/result", json!({ "taskId": id })).await;
        assert_eq!(result.result()["content"][0]["text"], "Slept 300 ms.", "{:?}", result.response);
        assert_eq!(result.result()["_meta"][RELATED], related(&id));

        let done = get(&mut c, &id).await;
        assert_eq!(done["result"]["status"], "completed");
        assert_eq!(done["result"]["createdAt"], task["createdAt"]);
        let cancel = c.call("tasks/cancel", json!({ "taskId": id })).await;
        assert_eq!(error_code(&cancel.response), -32602, "a terminal task cannot be cancelled");
        let again = c.call("tasks/result", json!({ "taskId": id })).await;
        assert_eq!(again.result()["content"], result.result()["content"], "the result stays available");

        for method in ["tasks/get", "tasks/result", "tasks/cancel"] {
            let r = c.call(method, json!({"taskId": "no-such-task"})).await;
            assert_eq!(error_code(&r.response), -32602, "{method}");
            let r = c.call(method, json!({})).await;
            assert_eq!(error_code(&r.response), -32602, "{method} without taskId");
        }
    }
}

#[tokio::test]
async fn failures_ttl_and_the_result_of_a_structured_tool() {
    for transport in TRANSPORTS_WITH_TASKS {
        let mut c = Conn::open(transport, V, &[]).await;
        let id = id_of(&start(&mut c, "fail", json!({})).await);
        let result = c.call("tasks/result", json!({ "taskId": id })).await;
        assert_eq!(result.result()["isError"], true);
        let failed = get(&mut c, &id).await;
        assert_eq!(failed["result"]["status"], "failed");
        assert!(failed["result"]["statusMessage"].as_str().unwrap().contains("fail tool"), "{failed}");

        let r = c.call("tools/call", json!({"name": "add", "arguments": {"a": 1, "b": 2}, "task": {"ttl": 1}})).await;
        assert_eq!(r.result()["task"]["ttl"], 1000, "a ttl below the minimum is raised");
        let r = c.call("tools/call", json!({"name": "add", "arguments": {"a": 1, "b": 2}, "task": {}})).await;
        assert_eq!(r.result()["task"]["ttl"], 300_000, "the default ttl");
        let id = id_of(&r.result()["task"]);
        let sum = c.call("tasks/result", json!({ "taskId": id })).await;
        assert_eq!(sum.result()["structuredContent"], json!({"sum": 3}));
    }
}

#[tokio::test]
async fn cancelling_a_working_task_stops_it_for_good() {
    for transport in TRANSPORTS_WITH_TASKS {
        let mut c = Conn::open(transport, V, &[]).await;
        let first = id_of(&start(&mut c, "job", json!({"ms": 600})).await);
        let second = id_of(&start(&mut c, "job", json!({"ms": 600})).await);
        let cancelled = c.call("tasks/cancel", json!({ "taskId": first })).await;
        assert_eq!(cancelled.result()["status"], "cancelled", "{:?}", cancelled.response);
        assert_eq!(cancelled.result()["taskId"], first.as_str());
        // Waiting for the second task lets the first one's work end, had it gone on.
        let r = c.call("tasks/result", json!({ "taskId": second })).await;
        assert_eq!(r.result()["content"][0]["text"], "Slept 600 ms.");
        assert_eq!(get(&mut c, &first).await["result"]["status"], "cancelled");
        let again = c.call("tasks/cancel", json!({ "taskId": first })).await;
        assert_eq!(error_code(&again.response), -32602);
        let result = c.call("tasks/result", json!({ "taskId": first })).await;
        assert_eq!(error_code(&result.response), -32603, "a cancelled task has no result");
    }
}

#[tokio::test]
async fn tasks_list_pages_through_every_task() {
    for transport in TRANSPORTS_WITH_TASKS {
        let mut c = Conn::open(transport, V, &[]).await;
        let mut created = Vec::new();
        for _ in 0..5 {
            created.push(id_of(&start(&mut c, "add", json!({"a": 1, "b": 1})).await));
        }
        let mut listed = Vec::new();
        let mut params = json!({});
        let mut pages = 0;
        loop {
            let r = c.call("tasks/list", params.clone()).await;
            pages += 1;
            for t in r.result()["tasks"].as_array().unwrap() {
                listed.push(t["taskId"].as_str().unwrap().to_owned());
            }
            match r.result().get("nextCursor") {
                Some(cursor) => params = json!({ "cursor": cursor }),
                None => break,
            }
        }
        assert_eq!(listed, created, "oldest first, each once");
        assert_eq!(pages, 3);
        for bad in [json!("bogus"), json!(""), json!(7)] {
            let r = c.call("tasks/list", json!({ "cursor": bad })).await;
            assert_eq!(error_code(&r.response), -32602, "{bad}");
        }
    }
}

#[tokio::test]
async fn progress_of_a_task_comes_with_tasks_result_and_related_task() {
    for transport in TRANSPORTS_WITH_TASKS {
        let mut c = Conn::open(transport, V, &[]).await;
        let r = c
            .call("tools/call", json!({"name": "progress", "arguments": {"steps": 2, "delayMs": 0}, "task": {}, "_meta": {"progressToken": "p"}}))
            .await;
        let id = id_of(&r.result()["task"]);
        let result = c.call("tasks/result", json!({ "taskId": id })).await;
        let progress = result.notes("notifications/progress");
        assert_eq!(progress.len(), 2, "{transport:?}: {:?}", result.before);
        for p in progress {
            assert_eq!(p["params"]["progressToken"], "p");
            assert_eq!(p["params"]["_meta"][RELATED], related(&id));
        }
    }
}

#[tokio::test]
async fn status_notifications_carry_the_task_without_related_task() {
    let mut c = Conn::open(Transport::Stdio, V, &[]).await;
    let id = id_of(&start(&mut c, "slow", json!({"ms": 50})).await);
    let note = c.expect_unsolicited("notifications/tasks/status").await;
    assert_eq!(note["params"]["taskId"], id.as_str());
    assert_eq!(note["params"]["status"], "completed");
    assert!(note["params"].get("_meta").is_none());
}

#[tokio::test]
async fn ask_as_a_task_over_stdio_needs_input() {
    let mut s = StdioServer::start(&[]).await;
    s.handshake_with(V, all_capabilities(V)).await;
    let created = s.request(request(1, "tools/call", json!({"name": "ask", "arguments": {}, "task": {}}))).await;
    let id = id_of(&created["result"]["task"]);
    // The work asks at once; the task waits for the client.
    let mut status = Value::Null;
    for n in 0..50 {
        s.send(&request(10 + n, "tasks/get", json!({ "taskId": id }))).await;
        let reply = loop {
            let m = s.recv().await;
            if m["id"] == 10 + n {
                break m;
            }
        };
        status = reply["result"]["status"].clone();
        if status == "input_required" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "input_required");
    s.send(&request(99, "tasks/result", json!({ "taskId": id }))).await;
    let mut asked = Vec::new();
    let response = loop {
        let m = s.recv().await;
        if is_request(&m) {
            assert_eq!(m["params"]["_meta"][RELATED], related(&id), "{m}");
            asked.push(m["method"].as_str().unwrap().to_owned());
            let method = m["method"].as_str().unwrap();
            s.send(&json!({"jsonrpc": "2.0", "id": m["id"], "result": client_answer(method)})).await;
        } else if m["id"] == 99 {
            break m;
        }
    };
    assert_eq!(asked, ["roots/list", "sampling/createMessage", "elicitation/create"]);
    let text = response["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains(TEST_SAMPLE), "{text}");
    assert_eq!(response["result"]["_meta"][RELATED], related(&id));
    let done = s.request(request(100, "tasks/get", json!({ "taskId": id }))).await;
    assert_eq!(done["result"]["status"], "completed");
}

#[tokio::test]
async fn ask_as_a_task_over_streamable_http_and_session_binding() {
    let server = HttpServer::http().await;
    let session = server.open_session_with(V, all_capabilities(V)).await;
    let post = |m: Value| {
        let server = &server;
        let session = session.clone();
        async move { server.post_in_session(&session, V, &m).await }
    };
    post(initialized()).await;
    let created = post(request(1, "tools/call", json!({"name": "ask", "arguments": {}, "task": {}}))).await;
    assert!(created.content_type().starts_with("application/json"), "CreateTaskResult is plain JSON");
    let id = id_of(&created.json()["result"]["task"]);

    let other = server.open_session(V).await;
    let foreign = server.post_in_session(&other, V, &request(2, "tasks/get", json!({ "taskId": id }))).await;
    assert_eq!(error_code(&foreign.json()), -32602, "another session cannot see the task");
    let listed = server.post_in_session(&other, V, &request(3, "tasks/list", json!({}))).await;
    assert_eq!(listed.json()["result"]["tasks"], json!([]));

    let headers = [("Mcp-Session-Id", session.as_str()), ("MCP-Protocol-Version", V)];
    let stream = server.post_open(&server.url, &headers, &request(4, "tasks/result", json!({ "taskId": id })).to_string()).await;
    assert_eq!(stream.status(), StatusCode::OK);
    let mut reader = SseReader::new(stream);
    let mut asked = 0;
    let response = loop {
        let event = reader.next().await.expect("the stream carries the result");
        if event.data.is_empty() {
            continue;
        }
        let m: Value = serde_json::from_str(&event.data).unwrap();
        if is_request(&m) {
            assert_eq!(m["params"]["_meta"][RELATED], related(&id));
            asked += 1;
            let answer = json!({"jsonrpc": "2.0", "id": m["id"], "result": client_answer(m["method"].as_str().unwrap())});
            assert_eq!(post(answer).await.status, StatusCode::ACCEPTED);
        } else {
            break m;
        }
    };
    assert_eq!(asked, 3);
    assert_eq!(response["id"], 4);
    assert_eq!(response["result"]["_meta"][RELATED], related(&id));
}

#[tokio::test]
async fn other_versions_ignore_the_task_member_and_have_no_tasks_methods() {
    for (transport, version) in [(Transport::Stdio, "2025-06-18"), (Transport::Http, "2025-06-18"), (Transport::Stdio, MODERN)] {
        let mut c = Conn::open(transport, version, &[]).await;
        assert!(c.init["capabilities"].get("tasks").is_none());
        let r = c.call("tools/call", json!({"name": "echo", "arguments": {"message": "hi"}, "task": {}})).await;
        assert_eq!(r.result()["content"][0]["text"], "hi", "{version}: processed normally");
        assert!(all_tools(&mut c).await.iter().all(|t| t["name"] != "job" && t.get("execution").is_none()));
        let r = c.call("tasks/list", json!({})).await;
        assert_eq!(error_code(&r.response), -32601, "{version}");
    }
}

// ---- faults ----

async fn faulty(transport: Transport, fault: &str) -> Conn {
    Conn::open(transport, V, &["--fault", fault]).await
}

#[tokio::test]
async fn task_faults_show_on_the_wire() {
    for transport in TRANSPORTS_WITH_TASKS {
        let c = faulty(transport, "tasks-capability-missing").await;
        assert!(c.init["capabilities"].get("tasks").is_none());

        let mut c = faulty(transport, "task-required-run-plainly").await;
        let r = c.call("tools/call", json!({"name": "job", "arguments": {"ms": 1}})).await;
        assert_eq!(r.result()["content"][0]["text"], "Slept 1 ms.");

        let mut c = faulty(transport, "task-forbidden-accepted").await;
        let task = start(&mut c, "echo", json!({"message": "x"})).await;
        assert_eq!(task["status"], "working");

        let mut c = faulty(transport, "task-ids-reused").await;
        let a = start(&mut c, "add", json!({"a": 1, "b": 1})).await;
        let b = start(&mut c, "add", json!({"a": 1, "b": 1})).await;
        assert_eq!(a["taskId"], b["taskId"]);

        let mut c = faulty(transport, "task-status-reverts").await;
        let id = id_of(&start(&mut c, "add", json!({"a": 1, "b": 1})).await);
        c.call("tasks/result", json!({ "taskId": id })).await;
        assert_eq!(get(&mut c, &id).await["result"]["status"], "working");

        let mut c = faulty(transport, "task-not-created").await;
        let r = c.call("tools/call", json!({"name": "add", "arguments": {"a": 1, "b": 1}, "task": {}})).await;
        assert!(r.result().get("task").is_none() && r.result()["structuredContent"] == json!({"sum": 2}));

        let mut c = faulty(transport, "task-missing-timestamps").await;
        let task = start(&mut c, "add", json!({"a": 1, "b": 1})).await;
        assert!(task.get("lastUpdatedAt").is_none() && task.get("ttl").is_none());

        let mut c = faulty(transport, "task-result-not-blocking").await;
        let id = id_of(&start(&mut c, "job", json!({"ms": 500})).await);
        let r = c.call("tasks/result", json!({ "taskId": id })).await;
        assert_eq!(error_code(&r.response), -32603);

        let mut c = faulty(transport, "task-result-without-related-task").await;
        let id = id_of(&start(&mut c, "add", json!({"a": 1, "b": 1})).await);
        let r = c.call("tasks/result", json!({ "taskId": id })).await;
        assert!(r.result().get("_meta").is_none_or(|m| m.get(RELATED).is_none()), "{:?}", r.response);

        let mut c = faulty(transport, "task-cancel-terminal-accepted").await;
        let id = id_of(&start(&mut c, "add", json!({"a": 1, "b": 1})).await);
        c.call("tasks/result", json!({ "taskId": id })).await;
        let r = c.call("tasks/cancel", json!({ "taskId": id })).await;
        assert_eq!(r.result()["status"], "cancelled");

        let mut c = faulty(transport, "task-cancel-not-final").await;
        let first = id_of(&start(&mut c, "job", json!({"ms": 300})).await);
        let second = id_of(&start(&mut c, "job", json!({"ms": 300})).await);
        assert_eq!(c.call("tasks/cancel", json!({ "taskId": first })).await.result()["status"], "cancelled");
        c.call("tasks/result", json!({ "taskId": second })).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(get(&mut c, &first).await["result"]["status"], "completed");

        let mut c = faulty(transport, "task-list-invalid-cursor-accepted").await;
        start(&mut c, "add", json!({"a": 1, "b": 1})).await;
        let r = c.call("tasks/list", json!({"cursor": "bogus"})).await;
        assert_eq!(r.result()["tasks"].as_array().unwrap().len(), 1);
    }
}
