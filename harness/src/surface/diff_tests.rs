//! The classification rules on hand-made surfaces, one class of change at a time.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::surface::snapshot::{ServerName, Snapshot, VersionSurface};

const V: &str = "2025-06-18";

fn with_tools(tools: Value) -> Snapshot {
    let mut snapshot = Snapshot::new(ServerName { name: Some("demo".into()), version: None });
    let tools: BTreeMap<String, Value> = serde_json::from_value(tools).unwrap();
    let surface = VersionSurface { capabilities: json!({"tools": {}}), tools: Some(tools), ..VersionSurface::default() };
    snapshot.versions.insert(V.into(), surface);
    snapshot
}

fn tool(input: Value) -> Snapshot {
    with_tools(json!({"get_weather": {"description": "Weather", "inputSchema": input}}))
}

fn tool_with_output(output: Value) -> Snapshot {
    with_tools(json!({"get_weather": {"inputSchema": {"type": "object"}, "outputSchema": output}}))
}

/// `(class, path)` of every change, in the order `diff` gives them.
fn classes(old: &Snapshot, new: &Snapshot) -> Vec<(Class, String)> {
    diff(old, new).into_iter().map(|c| (c.class, c.path)).collect()
}

fn one(class: Class, path: &str) -> Vec<(Class, String)> {
    vec![(class, path.to_string())]
}

fn weather_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "city": {"type": "string", "maxLength": 100},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "units": {"type": "string", "enum": ["metric", "imperial"]}
        },
        "required": ["city"]
    })
}

fn changed_input(edit: impl FnOnce(&mut Value)) -> Snapshot {
    let mut input = weather_input();
    edit(&mut input);
    tool(input)
}

#[test]
fn the_same_surface_has_no_changes() {
    assert!(diff(&tool(weather_input()), &tool(weather_input())).is_empty());
}

#[test]
fn removed_tool_breaks_and_new_tool_adds() {
    let old = tool(weather_input());
    let none = with_tools(json!({}));
    assert_eq!(classes(&old, &none), one(Class::Breaking, "tools/get_weather"));
    assert_eq!(classes(&none, &old), one(Class::Additive, "tools/get_weather"));
    // A rename is a removal and an addition.
    let renamed = with_tools(json!({"weather": {"description": "Weather", "inputSchema": weather_input()}}));
    assert_eq!(classes(&old, &renamed), vec![(Class::Breaking, "tools/get_weather".into()), (Class::Additive, "tools/weather".into())]);
}

#[test]
fn a_newly_required_parameter_breaks_at_its_path() {
    let old = tool(weather_input());
    let new = changed_input(|s| s["required"] = json!(["city", "units"]));
    assert_eq!(classes(&old, &new), one(Class::Breaking, "tools/get_weather/inputSchema/required/units"));
    // Relaxing it again is additive.
    assert_eq!(classes(&new, &old), one(Class::Additive, "tools/get_weather/inputSchema/required/units"));
}

#[test]
fn a_new_required_parameter_is_reported_once_as_breaking() {
    let old = tool(weather_input());
    let new = changed_input(|s| {
        s["properties"]["lang"] = json!({"type": "string"});
        s["required"] = json!(["city", "lang"]);
    });
    assert_eq!(classes(&old, &new), one(Class::Breaking, "tools/get_weather/inputSchema/required/lang"));
}

#[test]
fn a_new_optional_parameter_is_additive() {
    let old = tool(weather_input());
    let new = changed_input(|s| s["properties"]["lang"] = json!({"type": "string"}));
    assert_eq!(classes(&old, &new), one(Class::Additive, "tools/get_weather/inputSchema/properties/lang"));
}

#[test]
fn a_removed_parameter_breaks_once() {
    let old = tool(weather_input());
    let new = changed_input(|s| {
        s["properties"].as_object_mut().unwrap().remove("city");
        s["required"] = json!([]);
    });
    assert_eq!(classes(&old, &new), one(Class::Breaking, "tools/get_weather/inputSchema/properties/city"));
}

#[test]
fn input_types_narrowed_break_and_widened_add() {
    let old = tool(weather_input());
    let narrowed = changed_input(|s| s["properties"]["city"]["type"] = json!("null"));
    let changes = diff(&old, &narrowed);
    // string → null: string refused (breaking) and null accepted (additive).
    let got: Vec<_> = changes.iter().map(|c| c.class).collect();
    assert_eq!(got, vec![Class::Breaking, Class::Additive], "{changes:#?}");
    // integer → number widens; number → integer narrows.
    let widened = changed_input(|s| s["properties"]["days"]["type"] = json!("number"));
    assert_eq!(classes(&old, &widened), one(Class::Additive, "tools/get_weather/inputSchema/properties/days/type"));
    assert_eq!(classes(&widened, &old), one(Class::Breaking, "tools/get_weather/inputSchema/properties/days/type"));
    // A union losing a member narrows.
    let union = changed_input(|s| s["properties"]["city"]["type"] = json!(["string", "null"]));
    assert_eq!(classes(&union, &old), one(Class::Breaking, "tools/get_weather/inputSchema/properties/city/type"));
    // A type where there was none narrows.
    let untyped = changed_input(|s| {
        s["properties"]["city"].as_object_mut().unwrap().remove("type");
    });
    assert_eq!(classes(&untyped, &old), one(Class::Breaking, "tools/get_weather/inputSchema/properties/city/type"));
}

#[test]
fn input_enums_and_bounds_narrowed_break() {
    let old = tool(weather_input());
    let fewer = changed_input(|s| s["properties"]["units"]["enum"] = json!(["metric"]));
    assert_eq!(classes(&old, &fewer), one(Class::Breaking, "tools/get_weather/inputSchema/properties/units/enum/imperial"));
    assert_eq!(classes(&fewer, &old), one(Class::Additive, "tools/get_weather/inputSchema/properties/units/enum/imperial"));
    let lower_max = changed_input(|s| s["properties"]["days"]["maximum"] = json!(3));
    assert_eq!(classes(&old, &lower_max), one(Class::Breaking, "tools/get_weather/inputSchema/properties/days/maximum"));
    let higher_min = changed_input(|s| s["properties"]["days"]["minimum"] = json!(2));
    assert_eq!(classes(&old, &higher_min), one(Class::Breaking, "tools/get_weather/inputSchema/properties/days/minimum"));
    let no_max_length = changed_input(|s| {
        s["properties"]["city"].as_object_mut().unwrap().remove("maxLength");
    });
    assert_eq!(classes(&old, &no_max_length), one(Class::Additive, "tools/get_weather/inputSchema/properties/city/maxLength"));
    let pattern = changed_input(|s| s["properties"]["city"]["pattern"] = json!("^[A-Z]"));
    assert_eq!(classes(&old, &pattern), one(Class::Breaking, "tools/get_weather/inputSchema/properties/city/pattern"));
    // `{}` is `true` under another name.
    let open = changed_input(|s| s["additionalProperties"] = json!({}));
    assert_eq!(classes(&old, &open), vec![]);
    let closed = changed_input(|s| s["additionalProperties"] = json!(false));
    assert_eq!(classes(&old, &closed), one(Class::Breaking, "tools/get_weather/inputSchema/additionalProperties"));
    assert_eq!(classes(&closed, &old), one(Class::Additive, "tools/get_weather/inputSchema/additionalProperties"));
}

#[test]
fn outputs_are_the_mirror_image() {
    let output = || json!({"type": "object", "properties": {"temp": {"type": "number"}, "sky": {"type": "string"}}, "required": ["temp"]});
    let old = tool_with_output(output());
    let mut without_sky = output();
    without_sky["properties"].as_object_mut().unwrap().remove("sky");
    assert_eq!(classes(&old, &tool_with_output(without_sky)), one(Class::Breaking, "tools/get_weather/outputSchema/properties/sky"));
    let mut with_wind = output();
    with_wind["properties"]["wind"] = json!({"type": "number"});
    assert_eq!(classes(&old, &tool_with_output(with_wind)), one(Class::Additive, "tools/get_weather/outputSchema/properties/wind"));
    let mut wider = output();
    wider["properties"]["temp"]["type"] = json!(["number", "null"]);
    assert_eq!(classes(&old, &tool_with_output(wider)), one(Class::Breaking, "tools/get_weather/outputSchema/properties/temp/type"));
    let mut narrower = output();
    narrower["properties"]["temp"]["type"] = json!("integer");
    assert_eq!(classes(&old, &tool_with_output(narrower)), one(Class::Additive, "tools/get_weather/outputSchema/properties/temp/type"));
    let mut optional = output();
    optional["required"] = json!([]);
    assert_eq!(classes(&old, &tool_with_output(optional)), one(Class::Breaking, "tools/get_weather/outputSchema/required/temp"));
    let dropped = with_tools(json!({"get_weather": {"inputSchema": {"type": "object"}}}));
    assert_eq!(classes(&old, &dropped), one(Class::Breaking, "tools/get_weather/outputSchema"));
    assert_eq!(classes(&dropped, &old), one(Class::Additive, "tools/get_weather/outputSchema"));
}

#[test]
fn what_cannot_be_classified_needs_review_and_fails_the_gate() {
    let old = changed_input(|s| s["properties"]["city"] = json!({"anyOf": [{"type": "string"}, {"type": "null"}]}));
    let new = changed_input(|s| s["properties"]["city"] = json!({"anyOf": [{"type": "string"}]}));
    let changes = diff(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].class, Class::NeedsReview);
    assert_eq!(changes[0].path, "tools/get_weather/inputSchema/properties/city/anyOf");
    assert!(changes[0].class.fails_gate());
    // A pattern replaced by another may narrow or widen.
    let a = changed_input(|s| s["properties"]["city"]["pattern"] = json!("^a"));
    let b = changed_input(|s| s["properties"]["city"]["pattern"] = json!("^b"));
    assert_eq!(classes(&a, &b), one(Class::NeedsReview, "tools/get_weather/inputSchema/properties/city/pattern"));
    // A hint that changes how clients treat the tool.
    let hinted = |read_only: bool| {
        with_tools(json!({"get_weather": {"inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": read_only}}}))
    };
    assert_eq!(classes(&hinted(true), &hinted(false)), one(Class::NeedsReview, "tools/get_weather/annotations/readOnlyHint"));
}

#[test]
fn wording_is_cosmetic_and_passes() {
    let old = tool(weather_input());
    let new = with_tools(json!({"get_weather": {"description": "The weather", "inputSchema": weather_input()}}));
    let described = changed_input(|s| s["properties"]["city"]["description"] = json!("A city"));
    for changes in [diff(&old, &new), diff(&old, &described)] {
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].class, Class::Cosmetic);
        assert!(!changes[0].class.fails_gate());
    }
}

#[test]
fn capabilities_and_versions_removed_break() {
    let old = tool(weather_input());
    let mut new = old.clone();
    new.versions.get_mut(V).unwrap().capabilities = json!({"tools": {}, "logging": {}});
    assert_eq!(classes(&old, &new), one(Class::Additive, "capabilities/logging"));
    assert_eq!(classes(&new, &old), one(Class::Breaking, "capabilities/logging"));
    let mut listed = old.clone();
    listed.versions.get_mut(V).unwrap().capabilities = json!({"tools": {"listChanged": true}});
    assert_eq!(classes(&listed, &old), one(Class::Breaking, "capabilities/tools/listChanged"));

    let mut two = old.clone();
    two.versions.insert("2025-11-25".into(), old.versions[V].clone());
    assert_eq!(classes(&two, &old), one(Class::Breaking, "versions/2025-11-25"));
    assert_eq!(classes(&old, &two), one(Class::Additive, "versions/2025-11-25"));
}

#[test]
fn a_change_in_several_versions_is_reported_once_with_them_all() {
    let mut old = tool(weather_input());
    old.versions.insert("2025-11-25".into(), old.versions[V].clone());
    let mut new = old.clone();
    for surface in new.versions.values_mut() {
        surface.tools.as_mut().unwrap().clear();
    }
    let changes = diff(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].versions, vec![V.to_string(), "2025-11-25".to_string()]);
}

#[test]
fn prompt_arguments_newly_required_or_removed_break() {
    let prompts = |arguments: Value| {
        let mut snapshot = tool(weather_input());
        let surface = snapshot.versions.get_mut(V).unwrap();
        surface.prompts = Some(BTreeMap::from([("greet".to_string(), json!({"arguments": arguments}))]));
        snapshot
    };
    let old = prompts(json!([{"name": "name", "required": true}, {"name": "style"}]));
    let required = prompts(json!([{"name": "name", "required": true}, {"name": "style", "required": true}]));
    assert_eq!(classes(&old, &required), one(Class::Breaking, "prompts/greet/arguments/style/required"));
    let removed = prompts(json!([{"name": "name", "required": true}]));
    assert_eq!(classes(&old, &removed), one(Class::Breaking, "prompts/greet/arguments/style"));
    assert_eq!(classes(&removed, &old), one(Class::Additive, "prompts/greet/arguments/style"));
    let new_required = prompts(json!([{"name": "name", "required": true}, {"name": "style"}, {"name": "tone", "required": true}]));
    assert_eq!(classes(&old, &new_required), one(Class::Breaking, "prompts/greet/arguments/tone"));
}

#[test]
fn resources_are_keyed_by_uri_and_quoted_in_paths() {
    let with_resources = |resources: Value| {
        let mut snapshot = tool(weather_input());
        snapshot.versions.get_mut(V).unwrap().resources = Some(serde_json::from_value(resources).unwrap());
        snapshot
    };
    let old = with_resources(json!({"ref://readme": {"name": "readme", "mimeType": "text/plain"}}));
    let gone = with_resources(json!({}));
    assert_eq!(classes(&old, &gone), one(Class::Breaking, "resources/\"ref://readme\""));
    let retyped = with_resources(json!({"ref://readme": {"name": "readme", "mimeType": "text/markdown"}}));
    assert_eq!(classes(&old, &retyped), one(Class::NeedsReview, "resources/\"ref://readme\"/mimeType"));
}
