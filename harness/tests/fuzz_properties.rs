//! Properties of the fuzzer's pure parts, with proptest: where a property
//! fails, its shrinking hands back the smallest text or seed that breaks it.

use mcp_conform::check::CallTools;
use mcp_conform::fuzz::expect;
use mcp_conform::fuzz::generator::{Families, Generator, Mix, DEEPEST, DEPTHS, HUGE_LINES, LONG_LINES, MAX_FRAME};
use mcp_conform::fuzz::sequence::Step;
use mcp_conform::fuzz::surface::{Surface, Tool};
use mcp_conform::fuzz::syntax::{self, Top};
use mcp_conform::transport::Kind;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Text made of JSON's own pieces, so that most of it is nearly JSON.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("\"a\"".to_string()),
        Just("\"\\u00e9\\n\"".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("-".to_string()),
        Just("0".to_string()),
        Just("12".to_string()),
        Just(".5".to_string()),
        Just("e9".to_string()),
        Just("1e400".to_string()),
        Just("9007199254740993".to_string()),
    ];
    prop::collection::vec(token, 0..24).prop_map(|t| t.concat())
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[a-z\\u{e9}\\u{1F600}\"\\\\\n]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{0,4}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// The scanner and serde_json agree wherever serde_json has no limit of its own.
    #[test]
    fn the_scanner_agrees_with_serde_json(text in jsonish()) {
        let scan = syntax::scan(&text);
        let parsed = serde_json::from_str::<Value>(&text);
        if parsed.is_ok() {
            prop_assert!(scan.valid, "serde_json accepts {text:?}");
        }
        if scan.valid && !scan.extreme_number && scan.depth < 128 {
            prop_assert!(parsed.is_ok(), "the scanner accepts {text:?}: {:?}", parsed.err());
        }
        if !scan.valid {
            prop_assert_eq!(scan.top, Top::Invalid);
        }
    }

    /// Everything serde_json prints is valid, at the depth it has.
    #[test]
    fn printed_json_scans_valid(value in any_json()) {
        let text = serde_json::to_string(&value).expect("prints");
        let scan = syntax::scan(&text);
        prop_assert!(scan.valid, "{text}");
        prop_assert_eq!(scan.depth, depth(&value));
    }
}

fn surface(version: &str) -> Surface {
    let tool = |name: &str, input: Value| Tool { name: name.into(), input_schema: input, output_schema: None, callable: true };
    Surface {
        version: version.into(),
        kind: Kind::Stdio,
        supported_versions: Some(vec!["2026-07-28".into()]),
        capabilities: json!({ "tools": {} }),
        tools: vec![
            tool("echo", json!({ "type": "object", "properties": { "message": { "type": "string" } }, "required": ["message"] })),
            tool("add", json!({ "type": "object", "properties": { "a": { "type": "number" }, "b": { "type": "number" } }, "required": ["a", "b"] })),
        ],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// An input is a function of the seed and the iteration, bounded, and
    /// every one can be judged.
    #[test]
    fn inputs_are_pure_and_bounded(seed in any::<u64>(), iteration in 0u64..1_000_000, v in 0usize..5) {
        let version = mcp_conform::version::ALL[v];
        let surface = surface(version);
        let generator = Generator::new(&surface, seed, &[]);
        let input = generator.input(iteration);
        prop_assert_eq!(&input, &generator.input(iteration));
        prop_assert!(!input.frames.is_empty());
        prop_assert!(input.frames.iter().all(|f| f.bytes.len() <= MAX_FRAME), "{}", input.label);
        let plan = expect::plan(&input, &surface);
        // A well-formed request of the engine is never solo: its answer carries its id.
        if input.label.starts_with("schema/valid") && !input.label.contains("notifications/") {
            prop_assert!(!plan.solo, "{}: {:?}", input.label, String::from_utf8_lossy(&input.frames[0].bytes));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A sequence is a function of the seed and the iteration like any input:
    /// every step is marked, bounded, and never sent on a fresh session
    /// over stdio (that would cost a process per input).
    #[test]
    fn sequences_are_pure_and_marked(seed in any::<u64>(), iteration in 0u64..1_000_000, v in 0usize..5, k in 0usize..3) {
        let version = mcp_conform::version::ALL[v];
        let mut surface = surface(version);
        surface.kind = [Kind::Stdio, Kind::StreamableHttp, Kind::Sse][k];
        let generator = Generator::new(&surface, seed, &[]).with_families(Families { inputs: false, sequences: true });
        let steps = generator.inputs(iteration);
        prop_assert_eq!(&steps, &generator.inputs(iteration));
        prop_assert!(!steps.is_empty());
        for step in &steps {
            prop_assert!(step.label.starts_with("sequence/"), "{}", step.label);
            prop_assert_eq!(step.iteration, Some(iteration));
            prop_assert!(step.step.is_some() && !step.frames.is_empty());
            prop_assert!(step.frames.iter().all(|f| f.bytes.len() <= MAX_FRAME));
            if surface.kind == Kind::Stdio {
                prop_assert!(!matches!(step.step, Some(Step::Session(_))), "{}", step.label);
            }
        }
        // Sequences off: the single input of the iteration, unchanged.
        let single = Generator::new(&surface, seed, &[]).with_families(Families { inputs: true, sequences: false });
        prop_assert_eq!(single.inputs(iteration), vec![single.input(iteration)]);
    }
}

/// Malformed frames cost a server little on average (a huge line or the
/// deepest nesting is drawn rarely), and yet every length and depth comes.
#[test]
fn malformed_frames_are_mostly_small_and_reach_every_size() {
    let surface = surface("2025-11-25");
    let generator = Generator::new(&surface, 7, &[]).with_mix(Mix::Malformed);
    let (mut bytes, mut lengths, mut depths) = (0, std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    const INPUTS: u64 = 20_000;
    for iteration in 0..INPUTS {
        let input = generator.input(iteration);
        bytes += input.frames.iter().map(|f| f.bytes.len()).sum::<usize>();
        let first = &input.frames[0].bytes;
        match input.label.as_str() {
            "frame/long-line" | "frame/huge-line" => _ = lengths.insert(first.len()),
            // The nesting sits in the params: two levels below the top.
            "frame/deep-nesting" => _ = depths.insert(syntax::scan(std::str::from_utf8(first).expect("text")).depth - 2),
            _ => {}
        }
    }
    let mean = bytes / INPUTS as usize;
    assert!(mean < 8 * 1024, "{mean} bytes per malformed input");
    assert_eq!(lengths, LONG_LINES.iter().chain(&HUGE_LINES).copied().collect());
    assert_eq!(depths, DEPTHS.iter().chain([&DEEPEST]).copied().collect());
}

#[test]
fn tools_follow_the_call_policy() {
    let listed = json!({ "name": "rm", "inputSchema": { "type": "object" }, "annotations": { "readOnlyHint": false } });
    let read_only = json!({ "name": "get", "inputSchema": { "type": "object" }, "annotations": { "readOnlyHint": true } });
    let task_only = json!({ "name": "job", "inputSchema": { "type": "object" }, "execution": { "taskSupport": "required" } });
    assert!(!Tool::from_listing(&listed, CallTools::ReadOnly).expect("a tool").callable);
    assert!(Tool::from_listing(&read_only, CallTools::ReadOnly).expect("a tool").callable);
    assert!(Tool::from_listing(&listed, CallTools::All).expect("a tool").callable);
    assert!(!Tool::from_listing(&read_only, CallTools::None).expect("a tool").callable);
    assert!(!Tool::from_listing(&task_only, CallTools::All).expect("a tool").callable);
}
