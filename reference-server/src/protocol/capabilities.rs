//! What the client says it can do, as far as this server cares: whether it
//! can be asked for roots, for a sampled message, or to fill in a form.
//!
//! In the handshake era the client declares its capabilities once, in
//! `initialize`; in 2026-07-28 every request carries them in
//! `_meta["io.modelcontextprotocol/clientCapabilities"]` (LIFECYCLE-008).
//! Either way the server may only ask for what was declared (L-S2C-001,
//! S2C-006).

use serde_json::{Map, Value};

use super::version::ProtocolVersion;

/// The client capabilities that decide which server-to-client requests may
/// be sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// `roots` is declared: `roots/list` may be sent.
    pub roots: bool,
    /// `sampling` is declared: `sampling/createMessage` may be sent.
    pub sampling: bool,
    /// Form-mode elicitation is declared: `elicitation/create` with a
    /// `requestedSchema` may be sent.
    pub elicitation_form: bool,
    /// URL-mode elicitation is declared (2025-11-25 on): the server may
    /// send the user to a URL (`elicitation/create` with `mode: "url"`, or
    /// the error -32042 in 2025-11-25).
    pub elicitation_url: bool,
    /// `sampling.tools` is declared (2025-11-25 on): a sampling request may
    /// offer `tools` and `toolChoice` (S2C-014).
    pub sampling_tools: bool,
}

impl ClientCapabilities {
    /// Reads the `ClientCapabilities` object sent at `version`.
    ///
    /// A capability counts as declared when its member is an object. For
    /// elicitation, from 2025-11-25 on, `{}` means form mode only, and an
    /// object naming modes must name `form` (client/elicitation.mdx
    /// §Capabilities, S2C-020); before 2025-11-25 any object declares the
    /// (form-only) elicitation of 2025-06-18; before that, elicitation does
    /// not exist.
    pub fn from_json(capabilities: &Map<String, Value>, version: ProtocolVersion) -> ClientCapabilities {
        let declared = |name: &str| capabilities.get(name).and_then(Value::as_object);
        let elicitation_form = match declared("elicitation") {
            Some(_) if !version.has_elicitation() => false,
            Some(_) if !version.has_elicitation_modes() => true,
            Some(modes) => modes.get("form").is_some_and(Value::is_object) || !(modes.contains_key("form") || modes.contains_key("url")),
            None => false,
        };
        let elicitation_url = version.has_elicitation_modes()
            && declared("elicitation").and_then(|modes| modes.get("url")).is_some_and(Value::is_object);
        ClientCapabilities {
            roots: declared("roots").is_some(),
            sampling: declared("sampling").is_some(),
            elicitation_form,
            elicitation_url,
            sampling_tools: version >= ProtocolVersion::V2025_11_25
                && declared("sampling").and_then(|sampling| sampling.get("tools")).is_some_and(Value::is_object),
        }
    }

    /// True when none of the three is declared.
    pub fn is_empty(self) -> bool {
        !(self.roots || self.sampling || self.elicitation_form)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn caps(v: Value, version: ProtocolVersion) -> ClientCapabilities {
        ClientCapabilities::from_json(v.as_object().unwrap(), version)
    }

    #[test]
    fn declared_members_must_be_objects() {
        let c = caps(json!({"roots": {"listChanged": true}, "sampling": {}}), ProtocolVersion::V2024_11_05);
        assert!(c.roots && c.sampling && !c.elicitation_form);
        let c = caps(json!({"roots": true, "sampling": null}), ProtocolVersion::V2025_11_25);
        assert!(c.is_empty());
        assert!(caps(json!({}), ProtocolVersion::V2026_07_28).is_empty());
    }

    #[test]
    fn elicitation_depends_on_version_and_modes() {
        use ProtocolVersion::*;
        assert!(!caps(json!({"elicitation": {}}), V2025_03_26).elicitation_form, "no elicitation before 2025-06-18");
        assert!(caps(json!({"elicitation": {}}), V2025_06_18).elicitation_form);
        for version in [V2025_11_25, V2026_07_28] {
            assert!(caps(json!({"elicitation": {}}), version).elicitation_form, "{{}} means form");
            assert!(caps(json!({"elicitation": {"form": {}}}), version).elicitation_form);
            assert!(caps(json!({"elicitation": {"form": {}, "url": {}}}), version).elicitation_form);
            assert!(!caps(json!({"elicitation": {"url": {}}}), version).elicitation_form, "url only");
        }
    }

    #[test]
    fn sampling_tools_came_with_2025_11_25() {
        use ProtocolVersion::*;
        let with_tools = json!({"sampling": {"tools": {}}});
        assert!(!caps(with_tools.clone(), V2025_06_18).sampling_tools, "no tools in sampling before 2025-11-25");
        assert!(caps(with_tools.clone(), V2025_11_25).sampling_tools);
        assert!(caps(with_tools, V2026_07_28).sampling_tools);
        assert!(!caps(json!({"sampling": {}}), V2025_11_25).sampling_tools);
    }
}
