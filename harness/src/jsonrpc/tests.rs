use super::*;
use serde_json::json;

#[test]
fn classifies_every_message_kind() {
    let cases = [
        (r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, "request"),
        (r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, "notification"),
        (r#"{"jsonrpc":"2.0","id":"a","result":{}}"#, "result"),
        (r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#, "error"),
    ];
    for (text, kind) in cases {
        let frame = parse(text.as_bytes()).expect(text);
        let got = match frame.message {
            Message::Request { .. } => "request",
            Message::Notification { .. } => "notification",
            Message::Result { .. } => "result",
            Message::Error { .. } => "error",
        };
        assert_eq!(got, kind, "{text}");
    }
}

#[test]
fn ids_keep_their_json_type() {
    let frame = parse(br#"{"jsonrpc":"2.0","id":"1","result":{}}"#).unwrap();
    assert_eq!(frame.message.id(), Some(&json!("1")));
    assert_ne!(frame.message.id(), Some(&json!(1)));
}

#[test]
fn rejects_what_is_not_one_message() {
    let bad: [(&[u8], &str); 9] = [
        (b"hello", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1,2]", "batch"),
        (b"42", "not an object"),
        (br#"{"id":1,"result":{}}"#, "no \"jsonrpc\""),
        (br#"{"jsonrpc":"2.0","result":{}}"#, "a result without an id"),
        (br#"{"jsonrpc":"1.0","id":1,"result":{}}"#, "not \"2.0\""),
        (br#"{"jsonrpc":"2.0","id":1,"result":{},"error":{}}"#, "both"),
        (br#"{"jsonrpc":"2.0","id":[1],"result":{}}"#, "array"),
    ];
    for (bytes, needle) in bad {
        let err = parse(bytes).expect_err(needle).to_string();
        assert!(err.contains(needle), "{err:?} should mention {needle:?}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    assert!(matches!(parse(deep.as_bytes()), Err(FrameError::NotJson(_))));
}

#[test]
fn round_trips() {
    let text = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x"}}"#;
    let frame = parse(text).unwrap();
    let again = parse(&to_bytes(&frame.message)).unwrap();
    assert_eq!(frame, again);
}

#[test]
fn an_error_may_leave_out_the_id() {
    let frame = parse(br#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}"#).expect("valid");
    assert_eq!(frame.message.id(), Some(&serde_json::Value::Null));
    assert!(matches!(frame.message, Message::Error { .. }));
}

#[test]
fn a_message_cut_by_a_newline_is_unfinished_and_a_wrong_version_is_named() {
    assert!(matches!(parse(b"{\n"), Err(FrameError::Unfinished(_))));
    assert!(matches!(parse(br#"{"jsonrpc": "2.0","#), Err(FrameError::Unfinished(_))));
    assert!(matches!(parse(br#"  "jsonrpc": "2.0","#), Err(FrameError::NotJson(_))));
    assert!(matches!(parse(br#"{"jsonrpc":"1.0","id":1,"result":{}}"#), Err(FrameError::WrongVersion(_))));
    assert!(matches!(parse(br#"{"id":1,"result":{}}"#), Err(FrameError::WrongVersion(_))));
}
