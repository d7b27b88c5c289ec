//! The fixture prompts.
//!
//! | prompt | arguments | messages |
//! | ------ | --------- | -------- |
//! | `greeting` | `name` (required), `style` (optional: one of [`STYLES`], default `casual`) | one user text message |
//! | `summarize-item` | `id` (required: 1…120) | a user text message, then a user message embedding the resource `ref://items/{id}` (`type: "resource"`) |
//! | `simple` | none | one user text message |
//! | `toggled` | none | present only while `toggle` has it on |
//!
//! `prompts/get` checks its arguments before anything else (PROMPTS-008):
//! an unknown prompt, a missing required argument, an unknown argument, a
//! value that is not a string or not one the argument allows is -32602
//! (PROMPTS-007). `style` and `id` can be completed
//! ([`completion_candidates`]). Titles (prompt and argument) appear from
//! 2025-06-18.

use serde_json::{json, Map, Value};

use crate::conformance_fixtures;
use crate::faults::{Fault, FaultSet};
use crate::protocol::{ProtocolVersion, RpcError};
use crate::resources;
use crate::world::{self, TOGGLED_NAME};

/// The styles `greeting` knows.
pub const STYLES: &[&str] = &["casual", "formal", "friendly", "pirate", "poetic", "shakespearean"];

/// One argument of a prompt.
pub(crate) struct Argument {
    pub(crate) name: &'static str,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
    pub(crate) required: bool,
}

/// One prompt.
pub(crate) struct Prompt {
    pub(crate) name: &'static str,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
    pub(crate) arguments: &'static [Argument],
}

const PROMPTS: &[Prompt] = &[
    Prompt {
        name: "greeting",
        title: "Greeting",
        description: "Asks for a greeting for someone, in a style.",
        arguments: &[
            Argument {
                name: "name",
                title: "Name",
                description: "Who to greet",
                required: true,
            },
            Argument {
                name: "style",
                title: "Style",
                description: "casual (default), formal, friendly, pirate, poetic or shakespearean",
                required: false,
            },
        ],
    },
    Prompt {
        name: "summarize-item",
        title: "Summarize an item",
        description: "Asks for a summary of an item, embedding the item resource.",
        arguments: &[Argument {
            name: "id",
            title: "Item id",
            description: "The item's id, 1 to 120",
            required: true,
        }],
    },
    Prompt {
        name: "simple",
        title: "Simple",
        description: "A prompt without arguments.",
        arguments: &[],
    },
];

const TOGGLED: Prompt = Prompt {
    name: TOGGLED_NAME,
    title: "Toggled",
    description: "Present only while the toggle tool has switched it on.",
    arguments: &[],
};

fn describe(version: ProtocolVersion, p: &Prompt) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(p.name));
    if version.has_titles() {
        out.insert("title".into(), json!(p.title));
    }
    out.insert("description".into(), json!(p.description));
    if !p.arguments.is_empty() {
        let args: Vec<Value> = p
            .arguments
            .iter()
            .map(|a| {
                let mut arg = Map::new();
                arg.insert("name".into(), json!(a.name));
                if version.has_titles() {
                    arg.insert("title".into(), json!(a.title));
                }
                arg.insert("description".into(), json!(a.description));
                arg.insert("required".into(), json!(a.required));
                Value::Object(arg)
            })
            .collect();
        out.insert("arguments".into(), Value::Array(args));
    }
    Value::Object(out)
}

fn current() -> Vec<&'static Prompt> {
    let mut all: Vec<&'static Prompt> = PROMPTS.iter().chain(conformance_fixtures::PROMPTS).collect();
    all.push(&crate::input_required_fixtures::PROMPT);
    if world::world().toggled() {
        all.push(&TOGGLED);
    }
    all
}

/// Every prompt `prompts/list` lists now, in order (before paging).
pub fn list(version: ProtocolVersion) -> Vec<Value> {
    current().into_iter().map(|p| describe(version, p)).collect()
}

/// Whether a prompt of this name is offered.
pub fn exists(name: &str) -> bool {
    find(name).is_some()
}

fn find(name: &str) -> Option<&'static Prompt> {
    current().into_iter().find(|p| p.name == name)
}

fn user_text(text: String) -> Value {
    json!({"role": "user", "content": {"type": "text", "text": text}})
}

/// `prompts/get`: the `GetPromptResult` (without 2026-07-28 decoration).
pub fn get(faults: FaultSet, params: &Map<String, Value>) -> Result<Map<String, Value>, RpcError> {
    let name = match params.get("name") {
        Some(Value::String(n)) => n.as_str(),
        Some(_) => return Err(RpcError::invalid_params("\"name\" must be a string")),
        None => return Err(RpcError::invalid_params("a prompt \"name\" is required")),
    };
    let Some(prompt) = find(name) else {
        return Err(RpcError::invalid_params(format!("Unknown prompt: {name}")));
    };
    let empty = Map::new();
    let given = match params.get("arguments") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(a)) => a,
        Some(_) => return Err(RpcError::invalid_params("\"arguments\" must be an object of strings")),
    };
    let mut args: Map<String, Value> = Map::new();
    for (key, value) in given {
        if !prompt.arguments.iter().any(|a| a.name == key) {
            return Err(RpcError::invalid_params(format!("Prompt {name} has no argument {key:?}")));
        }
        if !value.is_string() {
            return Err(RpcError::invalid_params(format!("Argument {key:?} must be a string")));
        }
        args.insert(key.clone(), value.clone());
    }
    let arg = |key: &str| args.get(key).and_then(Value::as_str);
    for a in prompt.arguments.iter().filter(|a| a.required) {
        if arg(a.name).is_none() && !faults.contains(Fault::PromptMissingArgumentAccepted) {
            return Err(RpcError::invalid_params(format!("Prompt {name} needs the argument {:?}", a.name)));
        }
    }
    let mut result = Map::new();
    let messages = match prompt.name {
        "greeting" => {
            let style = arg("style").unwrap_or("casual");
            if !STYLES.contains(&style) {
                return Err(RpcError::invalid_params(format!("Unknown style {style:?}; one of {}", STYLES.join(", "))));
            }
            let who = arg("name").unwrap_or_default();
            result.insert("description".into(), json!(format!("A {style} greeting for {who}")));
            vec![user_text(format!("Please write a {style} greeting for {who}."))]
        }
        "summarize-item" => {
            let id = arg("id").unwrap_or_default();
            let uri = format!("ref://items/{id}");
            let embedded = match resources::contents(&uri, faults) {
                Some(contents) if id.parse::<u32>().is_ok() => contents,
                _ if faults.contains(Fault::PromptMissingArgumentAccepted) && id.is_empty() => {
                    json!({"uri": "ref://items/1", "mimeType": "text/plain", "text": "Item 1"})
                }
                _ => return Err(RpcError::invalid_params(format!("No item with id {id:?}; ids are 1 to {}", resources::ITEM_COUNT))),
            };
            result.insert("description".into(), json!(format!("A summary request for item {id}")));
            let mut embedded = embedded;
            if let (true, Some(fields)) = (faults.contains(Fault::PromptEmbeddedResourceInvalid), embedded.as_object_mut()) {
                fields.insert("mimeType".into(), json!("text plain"));
            }
            vec![
                user_text("Please summarize the item below in one sentence.".into()),
                json!({"role": "user", "content": {"type": "resource", "resource": embedded}}),
            ]
        }
        conformance if conformance.starts_with("test_") => {
            result.insert("description".into(), json!(prompt.description));
            let owned = |key: &str| arg(key).map(str::to_owned);
            let mut messages = conformance_fixtures::prompt_messages(conformance, owned).unwrap_or_default();
            if faults.contains(Fault::PromptImageInvalid) {
                let images = messages.iter_mut().filter_map(|m| m.get_mut("content")?.as_object_mut()).filter(|c| c.get("type") == Some(&json!("image")));
                for image in images {
                    image.insert("data".into(), json!("this is *not* base64!"));
                    image.insert("mimeType".into(), json!("png"));
                }
            }
            messages
        }
        other => {
            result.insert("description".into(), json!(prompt.description));
            vec![user_text(format!("This is the {other} prompt of the reference server."))]
        }
    };
    result.insert("messages".into(), Value::Array(messages));
    Ok(result)
}

/// Completion candidates for `argument` of the prompt `name` (none for an
/// argument without suggestions); `Err` for an unknown prompt or argument.
pub fn completion_candidates(name: &str, argument: &str) -> Result<Vec<String>, RpcError> {
    let Some(prompt) = find(name) else {
        return Err(RpcError::invalid_params(format!("Unknown prompt: {name}")));
    };
    if !prompt.arguments.iter().any(|a| a.name == argument) {
        return Err(RpcError::invalid_params(format!("Prompt {name} has no argument {argument:?}")));
    }
    Ok(match (prompt.name, argument) {
        ("greeting", "style") => STYLES.iter().map(|s| s.to_string()).collect(),
        ("summarize-item", "id") => resources::item_ids(),
        (name, argument) => conformance_fixtures::prompt_candidates(name, argument).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;

    fn get_with(faults: FaultSet, v: Value) -> Result<Map<String, Value>, RpcError> {
        get(faults, v.as_object().unwrap())
    }

    #[test]
    fn listing_follows_the_version() {
        let old = list(ProtocolVersion::V2024_11_05);
        assert_eq!(old[0]["name"], "greeting");
        assert!(old[0].get("title").is_none());
        assert!(old[0]["arguments"][0].get("title").is_none());
        assert_eq!(old[0]["arguments"][0]["required"], true);
        assert_eq!(old[0]["arguments"][1]["required"], false);
        assert!(old[2].get("arguments").is_none());
        let new = list(ProtocolVersion::V2025_06_18);
        assert_eq!(new[0]["title"], "Greeting");
    }

    #[test]
    fn arguments_are_checked() {
        let ok = get_with(FaultSet::NONE, json!({"name": "greeting", "arguments": {"name": "Ada"}})).unwrap();
        assert_eq!(ok["messages"][0]["content"]["text"], "Please write a casual greeting for Ada.");
        let styled = get_with(FaultSet::NONE, json!({"name": "greeting", "arguments": {"name": "Ada", "style": "pirate"}})).unwrap();
        assert!(styled["messages"][0]["content"]["text"].as_str().unwrap().contains("pirate"));
        for bad in [
            json!({"name": "nope"}),
            json!({}),
            json!({"name": "greeting"}),
            json!({"name": "greeting", "arguments": {}}),
            json!({"name": "greeting", "arguments": {"name": 3}}),
            json!({"name": "greeting", "arguments": {"name": "Ada", "mood": "x"}}),
            json!({"name": "greeting", "arguments": {"name": "Ada", "style": "loud"}}),
            json!({"name": "greeting", "arguments": ["Ada"]}),
            json!({"name": "summarize-item", "arguments": {"id": "0"}}),
            json!({"name": "summarize-item", "arguments": {"id": "x"}}),
        ] {
            assert_eq!(get_with(FaultSet::NONE, bad.clone()).unwrap_err().code, code::INVALID_PARAMS, "{bad}");
        }
        let accepted = FaultSet::only(Fault::PromptMissingArgumentAccepted);
        assert!(get_with(accepted, json!({"name": "greeting"})).is_ok());
        assert!(get_with(accepted, json!({"name": "summarize-item"})).is_ok());
    }

    #[test]
    fn summarize_embeds_the_item() {
        let r = get_with(FaultSet::NONE, json!({"name": "summarize-item", "arguments": {"id": "42"}})).unwrap();
        let embedded = &r["messages"][1]["content"];
        assert_eq!(embedded["type"], "resource");
        assert_eq!(embedded["resource"], json!({"uri": "ref://items/42", "mimeType": "text/plain", "text": "Item 42"}));
    }

    #[test]
    fn completion() {
        assert_eq!(completion_candidates("greeting", "style").unwrap().len(), STYLES.len());
        assert!(completion_candidates("greeting", "name").unwrap().is_empty());
        assert_eq!(completion_candidates("summarize-item", "id").unwrap().len(), 120);
        assert!(completion_candidates("greeting", "mood").is_err());
        assert!(completion_candidates("nope", "x").is_err());
    }
}
