use super::*;
use crate::transport::HttpResponseHead;

fn step(toml_text: &str) -> Step {
    toml::from_str(toml_text).expect("step parses")
}

fn exchange(response: Value, status: Option<u16>) -> Exchange {
    Exchange {
        request: json!({ "jsonrpc": "2.0", "id": 1, "method": "server/discover" }),
        http: status.map(|status| HttpResponseHead { method: "POST", status, content_type: None, headers: Vec::new() }),
        reply: Reply::Response(response),
        unsent: None,
    }
}

fn unsupported() -> Step {
    step(
        r#"
        request = "server/discover"
        expect = { error_code = -32022 }
        [[assert]]
        pointer = "/response/error/data/requested"
        equals = "1900-01-01"
        [[assert]]
        pointer = "/http/status"
        equals = 400
        requirement = "HTTP-017"
        "#,
    )
}

#[test]
fn a_matching_answer_passes() {
    let answer = json!({ "jsonrpc": "2.0", "id": 1, "error": { "code": -32022, "message": "x", "data": { "requested": "1900-01-01" } } });
    let outcome = judge(&unsupported(), &exchange(answer, Some(400)), "LIFECYCLE-006", "2026-07-28", Kind::StreamableHttp, &Map::new());
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
}

#[test]
fn each_expectation_fails_on_its_own() {
    let wrong_code = json!({ "jsonrpc": "2.0", "id": 1, "error": { "code": -32602, "message": "x" } });
    let outcome = judge(&unsupported(), &exchange(wrong_code, Some(400)), "LIFECYCLE-006", "2026-07-28", Kind::Stdio, &Map::new());
    assert_eq!(outcome.findings.len(), 1);
    assert!(outcome.findings[0].message.contains("wrong error code"));

    let a_result = json!({ "jsonrpc": "2.0", "id": 1, "result": {} });
    let outcome = judge(&unsupported(), &exchange(a_result, None), "LIFECYCLE-006", "2026-07-28", Kind::Stdio, &Map::new());
    assert!(outcome.findings[0].message.contains("wrong kind of response"));

    let bad_status = json!({ "jsonrpc": "2.0", "id": 1, "error": { "code": -32022, "message": "x", "data": { "requested": "1900-01-01" } } });
    let outcome = judge(&unsupported(), &exchange(bad_status.clone(), Some(200)), "LIFECYCLE-006", "2026-07-28", Kind::StreamableHttp, &Map::new());
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(outcome.findings[0].requirement, "HTTP-017");
    // The same answer over stdio has no HTTP status to check.
    let outcome = judge(&unsupported(), &exchange(bad_status, None), "LIFECYCLE-006", "2026-07-28", Kind::Stdio, &Map::new());
    assert!(outcome.findings.is_empty());
}

#[test]
fn no_response_is_a_finding() {
    let mut silent = exchange(Value::Null, None);
    silent.reply = Reply::NoResponse("no response within 1s".into());
    let outcome = judge(&unsupported(), &silent, "LIFECYCLE-006", "2026-07-28", Kind::Stdio, &Map::new());
    assert_eq!(outcome.findings[0].actual, "no response within 1s");
}

#[test]
fn asserts_cover_each_operator() {
    let document = json!({ "a": [1, 2], "s": "2025-06-18", "o": {}, "n": 3 });
    let check = |text: &str| {
        let assert: Assert = toml::from_str(text).expect("assert parses");
        evaluate(&assert, &document, "2025-06-18", &Map::new()).is_ok()
    };
    assert!(check("pointer = \"/s\"\nequals = \"$version\""));
    assert!(!check("pointer = \"/s\"\nequals = \"x\""));
    assert!(check("pointer = \"/s\"\nnot_equals = \"x\""));
    assert!(!check("pointer = \"/missing\"\nnot_equals = \"x\""));
    assert!(check("pointer = \"/n\"\none_of = [1, 3]"));
    assert!(check("pointer = \"/n\"\ntype = \"integer\""));
    assert!(check("pointer = \"/n\"\ntype = \"number\""));
    assert!(!check("pointer = \"/s\"\ntype = \"array\""));
    assert!(check("pointer = \"/a\"\nnon_empty = true"));
    assert!(check("pointer = \"/o\"\nnon_empty = false"));
    assert!(check("pointer = \"/a\"\ncontains = 2"));
    assert!(!check("pointer = \"/a\"\ncontains = 5"));
    assert!(check("pointer = \"/missing\"\npresent = false"));
}

#[test]
fn keywords_set_the_severity() {
    let finding = |keyword: &str| Finding {
        requirement: "X".into(),
        keyword: keyword.into(),
        message: String::new(),
        expected: String::new(),
        actual: String::new(),
        hint: String::new(),
    };
    assert_eq!(verdict(&[], false), Status::Pass);
    assert_eq!(verdict(&[finding("SHOULD")], false), Status::Warn);
    assert_eq!(verdict(&[finding("SHOULD")], true), Status::Fail);
    assert_eq!(verdict(&[finding("MAY")], false), Status::Pass);
    assert_eq!(verdict(&[finding("SHOULD"), finding("MUST")], false), Status::Fail);
    assert_eq!(verdict(&[finding("(schema)")], false), Status::Fail);
}

#[test]
fn captured_values_fill_whole_strings_of_any_type() {
    let mut vars = Map::new();
    vars.insert("task".into(), json!("abc"));
    vars.insert("args".into(), json!({"ms": 1}));
    let filled = fill(&json!({"taskId": "$task", "arguments": "$args", "text": "a $task b", "n": 3}), &vars).unwrap();
    assert_eq!(filled, json!({"taskId": "abc", "arguments": {"ms": 1}, "text": "a $task b", "n": 3}));
    let missing = fill(&json!(["$nothing"]), &vars).unwrap_err();
    assert!(missing.contains("$nothing"), "{missing}");
    assert_eq!(fill(&json!("$Not_a_name"), &vars).unwrap(), json!("$Not_a_name"), "not a variable name");
}

#[test]
fn asserts_compare_with_captured_values() {
    let step = step(
        r#"
        request = "tasks/get"
        [[assert]]
        pointer = "/response/result/taskId"
        not_equals = "$first"
        "#,
    );
    let mut vars = Map::new();
    vars.insert("first".into(), json!("t1"));
    let same = exchange(json!({"jsonrpc": "2.0", "id": 1, "result": {"taskId": "t1"}}), None);
    assert_eq!(judge(&step, &same, "L-TASK-003", "2025-11-25", Kind::Stdio, &vars).findings.len(), 1);
    let other = exchange(json!({"jsonrpc": "2.0", "id": 1, "result": {"taskId": "t2"}}), None);
    assert!(judge(&step, &other, "L-TASK-003", "2025-11-25", Kind::Stdio, &vars).findings.is_empty());
}
