use serde_json::json;

use super::*;
use crate::fuzz::input::Input;
use crate::fuzz::surface::Surface;

fn surface(version: &str, kind: Kind) -> Surface {
    Surface {
        version: version.into(),
        kind,
        supported_versions: Some(vec!["2026-07-28".into()]),
        capabilities: json!({ "tools": {} }),
        tools: Vec::new(),
    }
}

fn plan_of(text: &[u8], version: &str) -> Plan {
    plan(&Input::single("test", None, text.to_vec()), &surface(version, Kind::Stdio))
}

#[test]
fn invalid_json_may_only_get_a_parse_error() {
    let plan = plan_of(b"{\"jsonrpc\":\"2.0\",\"id\":1,", "2025-06-18");
    assert!(plan.solo && plan.null_id_allowed);
    assert_eq!(plan.null_id.map(|r| r.codes), Some(vec![-32700]));
    assert!(plan.expected.is_empty());
}

#[test]
fn invalid_utf8_and_huge_lines_prescribe_nothing() {
    let plan = plan_of(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffing\"}", "2025-06-18");
    assert!(plan.solo && plan.null_id.is_none() && plan.foreign_ids_allowed);
    let huge = format!("{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"_meta\":{{\"pad\":\"{}\"}}}}}}", "x".repeat(LENIENT_SIZE));
    let plan = plan_of(huge.as_bytes(), "2025-06-18");
    assert!(plan.solo && plan.null_id.is_none());
    // Its id is known, so that an answer is told from a stray one.
    assert_eq!(plan.expected.iter().map(|e| (e.id.clone(), e.need)).collect::<Vec<_>>(), [(json!(1), Need::Optional)]);
}

#[test]
fn a_number_beyond_f64_in_params_leaves_the_id_known() {
    for number in ["1e400", "-1e400", "123456789012345678901234567890", "-0"] {
        let text = format!(r#"{{"jsonrpc":"2.0","id":"fz-1-0","method":"ping","params":{{"n":{number}}}}}"#);
        let plan = plan_of(text.as_bytes(), "2025-06-18");
        assert!(plan.solo && plan.foreign_ids_allowed, "{number}");
        assert_eq!(plan.expected.iter().map(|e| (e.id.clone(), e.need)).collect::<Vec<_>>(), [(json!("fz-1-0"), Need::Optional)], "{number}");
    }
}

#[test]
fn a_well_formed_request_must_be_answered() {
    let plan = plan_of(br#"{"jsonrpc":"2.0","id":"fz-1-0","method":"tools/list","params":{}}"#, "2025-06-18");
    assert!(!plan.solo);
    assert_eq!(plan.expected.len(), 1);
    let e = &plan.expected[0];
    assert_eq!((e.need, e.check_schema, e.codes.is_none()), (Need::Required, true, true));
}

#[test]
fn an_unknown_method_gets_method_not_found() {
    let plan = plan_of(br#"{"jsonrpc":"2.0","id":5,"method":"mcp-conform/none","params":{}}"#, "2025-06-18");
    assert_eq!(plan.expected[0].codes.as_ref().map(|r| r.codes.clone()), Some(vec![-32601]));
    // Without its per-request _meta, a stateless server may refuse it as malformed first.
    let plan = plan_of(br#"{"jsonrpc":"2.0","id":5,"method":"mcp-conform/none","params":{}}"#, "2026-07-28");
    assert_eq!(plan.expected[0].codes.as_ref().map(|r| r.codes.clone()), Some(vec![-32601, -32602]));
}

#[test]
fn wrong_envelopes_get_invalid_request() {
    for text in [
        br#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#.as_slice(),
        br#"{"jsonrpc":"2.0","id":5,"method":42}"#,
        br#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
        br#"42"#,
    ] {
        let plan = plan_of(text, "2025-06-18");
        assert!(plan.solo, "{}", String::from_utf8_lossy(text));
        assert_eq!(plan.null_id.as_ref().map(|r| r.codes.clone()), Some(vec![-32600]), "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn ids_beyond_exact_range_are_lenient() {
    for id in ["9223372036854775808", "9007199254740993", "-0", "1.5", "1.0", "null", "1e400"] {
        let text = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
        let plan = plan_of(text.as_bytes(), "2025-06-18");
        assert!(plan.solo && plan.foreign_ids_allowed && plan.null_id.is_none(), "{id}");
        assert!(plan.expected.iter().all(|e| e.need == Need::Optional), "{id}");
    }
    let plan = plan_of(br#"{"jsonrpc":"2.0","id":-1,"method":"ping"}"#, "2025-06-18");
    assert_eq!(plan.expected[0].need, Need::Required);
}

#[test]
fn stateless_meta_rules_apply_only_to_the_sole_defect() {
    let version = "2026-07-28";
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "1999-01-01",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { "name": "t", "version": "1" },
    });
    let text = serde_json::to_vec(&json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta": meta}})).unwrap();
    let plan = plan_of(&text, version);
    assert_eq!(plan.expected[0].codes.as_ref().map(|r| r.requirement), Some("LIFECYCLE-006"));
    assert!(plan.expected[0].error_required);
    let text = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#;
    let plan = plan_of(text, version);
    assert_eq!(plan.expected[0].codes.as_ref().map(|r| (r.requirement, r.codes.clone())), Some(("LIFECYCLE-007", vec![-32602])));
}

#[test]
fn batches_follow_the_version() {
    let batch = br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]"#;
    let plan = plan_of(batch, "2025-03-26");
    assert!(plan.batch && plan.solo);
    assert!(plan.expected.iter().all(|e| e.need == Need::Required), "L-BATCH-001");
    let plan = plan_of(batch, "2025-06-18");
    assert!(plan.expected.iter().all(|e| e.need == Need::Optional), "JSONRPC-017 prescribes nothing");
    assert_eq!(plan_of(b"[]", "2025-03-26").null_id.map(|r| r.codes), Some(vec![-32600]));
}

#[test]
fn stdio_splits_at_newlines() {
    let stdio = plan_of(b"{\"jsonrpc\":\"2.0\",\n\"id\":1,\"method\":\"ping\"}", "2025-06-18");
    assert!(stdio.solo);
    assert_eq!(stdio.null_id.map(|r| r.codes), Some(vec![-32700, -32700]));
    let http = plan(
        &Input::single("t", None, b"{\"jsonrpc\":\"2.0\",\n\"id\":1,\"method\":\"ping\"}".to_vec()),
        &surface("2025-06-18", Kind::StreamableHttp),
    );
    assert!(!http.solo, "a newline is whitespace inside an HTTP body");
}

#[test]
fn duplicate_ids_prescribe_nothing() {
    let mut input = Input::single("t", None, br#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#.to_vec());
    input.frames.push(input.frames[0].clone());
    let twice = plan(&input, &surface("2025-06-18", Kind::Stdio));
    assert!(twice.solo);
    assert_eq!(twice.expected.len(), 1);
    assert_eq!((twice.expected[0].max_answers, twice.expected[0].need), (2, Need::Optional));
}

#[test]
fn a_request_cancelled_in_its_own_input_may_stay_unanswered() {
    let call = br#"{"jsonrpc":"2.0","id":"fz-1-0","method":"ping"}"#.to_vec();
    let cancel = br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"fz-1-0"}}"#.to_vec();
    let input = |frames: Vec<Vec<u8>>| Input { label: "t".into(), iteration: None, frames: frames.into_iter().map(crate::fuzz::input::Frame::new).collect(), step: None };
    let during = plan(&input(vec![call.clone(), cancel.clone()]), &surface("2025-06-18", Kind::Stdio));
    let e = &during.expected[0];
    assert_eq!((e.need, e.may_be_slow, e.result_required, e.max_answers), (Need::Required, true, None, 1), "silence allowed, a second answer is not");
    let before = plan(&input(vec![cancel, call]), &surface("2025-06-18", Kind::Stdio));
    let e = &before.expected[0];
    assert!(!e.may_be_slow && e.result_required.is_some(), "a cancellation sent before the request cancels nothing");
}

#[test]
fn a_stdio_frame_is_cut_at_every_newline_and_an_http_body_is_one() {
    for text in ["", "\n", "a", "a\n", "\na", "a\n\nb", "{\"x\":1}\n{\"y\":2}\n"] {
        let expected: Vec<&[u8]> = text.as_bytes().split(|&b| b == b'\n').collect();
        assert_eq!(units(text.as_bytes(), Kind::Stdio), expected, "{text:?}");
        assert_eq!(units(text.as_bytes(), Kind::StreamableHttp), vec![text.as_bytes()], "{text:?}");
    }
}

#[test]
fn a_notification_refused_over_streamable_http_may_get_an_error_without_id() {
    let notification = br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}"#;
    for version in ["2025-11-25", "2026-07-28"] {
        let input = Input::single("test", None, notification.to_vec());
        let http = plan(&input, &surface(version, Kind::StreamableHttp));
        assert!(http.expected.is_empty() && http.null_id_allowed && http.null_id.is_none(), "{version}: {http:?}");
        // Over stdio nothing may answer a notification.
        assert!(!plan(&input, &surface(version, Kind::Stdio)).null_id_allowed, "{version}");
    }
}
