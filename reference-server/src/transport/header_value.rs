//! The Base64 sentinel encoding of mirrored header values
//! (`streamable-http.mdx` §Value Encoding, HTTP-022): a value that cannot
//! travel as plain ASCII is sent as `=?base64?{Base64 of its UTF-8}?=`.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

const PREFIX: &str = "=?base64?";
const SUFFIX: &str = "?=";

/// Standard alphabet; padding optional, since clients differ.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The value a header stands for: decoded when it uses the sentinel form
/// (markers are case-sensitive), verbatim otherwise.
pub fn decode(raw: &str) -> Result<String, String> {
    let Some(encoded) = raw.strip_prefix(PREFIX).and_then(|r| r.strip_suffix(SUFFIX)) else {
        return Ok(raw.to_owned());
    };
    let bytes = ENGINE.decode(encoded).map_err(|e| format!("bad Base64 in '{raw}': {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("Base64 value '{raw}' is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_from_the_spec() {
        assert_eq!(decode("us-west1").unwrap(), "us-west1");
        assert_eq!(decode("=?base64?SGVsbG8sIOS4lueVjA==?=").unwrap(), "Hello, 世界");
        assert_eq!(decode("=?base64?IHBhZGRlZCA=?=").unwrap(), " padded ");
        assert_eq!(decode("=?base64?bGluZTEKbGluZTI=?=").unwrap(), "line1\nline2");
        assert_eq!(decode("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=").unwrap(), "=?base64?literal?=");
        assert_eq!(decode("=?base64?IHBhZGRlZCA?=").unwrap(), " padded ");
    }

    #[test]
    fn markers_are_case_sensitive_and_bad_input_is_an_error() {
        assert_eq!(decode("=?BASE64?SGk=?=").unwrap(), "=?BASE64?SGk=?=");
        assert!(decode("=?base64?***?=").is_err());
        assert!(decode("=?base64?/w==?=").is_err());
    }
}
