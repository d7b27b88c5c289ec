//! Content blocks (`TextContent`, `ImageContent`, `AudioContent`,
//! `ResourceLink`, `EmbeddedResource`), as tool results and prompt messages
//! carry them: what the schema's types leave open about their values.
//!
//! The schema makes `data` and `mimeType` strings and `uri` a string; the
//! pages add that the data is Base64, the MIME type a real one and the URI a
//! URI (TOOLS-016 for tools; the same content types in prompts). Callers
//! turn each [`BlockProblem`] into a finding citing their own requirement.

use base64::Engine;
use serde_json::Value;

use super::resources::{uri_syntax, BASE64};

/// One thing wrong with one content block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockProblem {
    /// The block's position in its list.
    pub index: usize,
    /// What is wrong, e.g. "the image `data` is not Base64".
    pub message: String,
}

/// What is wrong with each of `blocks` (empty when nothing is). Blocks of a
/// type this module does not know are left to the schema check.
pub fn problems(blocks: &[Value]) -> Vec<BlockProblem> {
    blocks
        .iter()
        .enumerate()
        .flat_map(|(index, block)| block_problems(block).into_iter().map(move |message| BlockProblem { index, message }))
        .collect()
}

/// Does any of `blocks` embed a resource (`type: "resource"`)?
pub fn embeds_resource(blocks: &[Value]) -> bool {
    blocks.iter().any(|b| kind(b) == Some("resource"))
}

fn kind(block: &Value) -> Option<&str> {
    block.get("type").and_then(Value::as_str)
}

/// What is wrong with one block.
pub fn block_problems(block: &Value) -> Vec<String> {
    let mut found = Vec::new();
    match kind(block) {
        Some(media @ ("image" | "audio")) => {
            // A member of the wrong type is a schema violation, reported on receipt.
            if let Some(data) = block.get("data").and_then(Value::as_str) {
                if BASE64.decode(data).is_err() {
                    found.push(format!("the {media} `data` is not Base64"));
                }
            }
            if let Some(mime) = block.get("mimeType").and_then(Value::as_str) {
                if let Err(why) = mime_type_syntax(mime) {
                    found.push(format!("the {media} `mimeType` {mime:?} is not a MIME type: {why}"));
                }
            }
        }
        Some("resource_link") => {
            if let Some(uri) = block.get("uri").and_then(Value::as_str) {
                if let Err(why) = uri_syntax(uri) {
                    found.push(format!("the resource link's `uri` {uri:?} is not a URI: {why}"));
                }
            }
        }
        Some("resource") => {
            let resource = block.get("resource");
            if let Some(uri) = resource.and_then(|r| r.get("uri")).and_then(Value::as_str) {
                if let Err(why) = uri_syntax(uri) {
                    found.push(format!("the embedded resource's `uri` {uri:?} is not a URI: {why}"));
                }
            }
            if let Some(blob) = resource.and_then(|r| r.get("blob")).and_then(Value::as_str) {
                if BASE64.decode(blob).is_err() {
                    found.push("the embedded resource's `blob` is not Base64".into());
                }
            }
        }
        _ => {}
    }
    found
}

/// RFC 6838 §4.2 / RFC 9110 §8.3.1: `type "/" subtype`, each a token,
/// optionally followed by `;` parameters (not examined further).
pub fn mime_type_syntax(mime: &str) -> Result<(), String> {
    let essence = mime.split(';').next().unwrap_or_default().trim();
    let Some((top, sub)) = essence.split_once('/') else { return Err("no `/` between type and subtype".into()) };
    let token = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token(top) {
        return Err(format!("{top:?} is not a type name"));
    }
    if !token(sub) {
        return Err(format!("{sub:?} is not a subtype name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn valid_blocks_have_no_problems() {
        let blocks = [
            json!({"type": "text", "text": "hello"}),
            json!({"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}),
            json!({"type": "audio", "data": "UklGRg==", "mimeType": "audio/wav; codecs=1"}),
            json!({"type": "resource_link", "uri": "file:///project/src/main.rs", "name": "main.rs"}),
            json!({"type": "resource", "resource": {"uri": "test://embedded", "text": "x"}}),
            json!({"type": "resource", "resource": {"uri": "test://embedded", "blob": "AAEC"}}),
        ];
        assert_eq!(problems(&blocks), []);
    }

    #[test]
    fn bad_values_are_named_with_their_position() {
        let blocks = [
            json!({"type": "text", "text": "fine"}),
            json!({"type": "image", "data": "not base64!", "mimeType": "png"}),
            json!({"type": "resource_link", "uri": "main.rs", "name": "main.rs"}),
            json!({"type": "resource", "resource": {"uri": "test://with space", "blob": "***"}}),
        ];
        let found = problems(&blocks);
        let at: Vec<usize> = found.iter().map(|p| p.index).collect();
        assert_eq!(at, [1, 1, 2, 3, 3], "{found:?}");
        assert!(found[0].message.contains("not Base64"));
        assert!(found[1].message.contains("not a MIME type"));
    }

    #[test]
    fn mime_types() {
        assert!(mime_type_syntax("image/svg+xml").is_ok());
        assert!(mime_type_syntax("text/plain;charset=utf-8").is_ok());
        assert!(mime_type_syntax("image").is_err());
        assert!(mime_type_syntax("image/").is_err());
        assert!(mime_type_syntax("image png/x").is_err());
    }

    #[test]
    fn embedded_resources_are_noticed() {
        assert!(embeds_resource(&[json!({"type": "resource", "resource": {"uri": "a:b", "text": ""}})]));
        assert!(!embeds_resource(&[json!({"type": "resource_link", "uri": "a:b", "name": "b"})]));
    }
}
