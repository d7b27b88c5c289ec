//! Self-contained bearer tokens for `--auth`: compact JWTs (RFC 7519)
//! signed with HMAC-SHA256 (`"alg": "HS256"`), so that tests can mint valid
//! and invalid tokens without an authorization server.
//!
//! A token is `BASE64URL(header) . BASE64URL(claims) . BASE64URL(HMAC-SHA256(key, first two parts))`
//! (unpadded base64url). The header is `{"alg":"HS256","typ":"at+jwt"}`;
//! the claims this server reads are
//!
//! | claim | type | rule |
//! | ----- | ---- | ---- |
//! | `aud` | string or array of strings | must name this server's resource URL (RFC 8707; compared after lower-casing scheme and host and dropping a trailing `/`, AUTH-016) |
//! | `exp` | number (seconds since the Unix epoch) | required; the token is expired from that second on |
//! | `nbf` | number | optional; not valid before it |
//! | `scope` | string, space-separated | optional; the scopes granted |
//!
//! [`mint`] makes a token from [`Claims`]; [`encode`] signs any header and
//! claims (for deliberately broken tokens); [`verify`] checks one. The key is
//! any non-empty byte string; `mcp-reference-server mint-token --key K …`
//! uses the UTF-8 bytes of `K`, as `--auth-key K` does.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

/// Longest token accepted (bytes); longer ones are refused unread.
pub const MAX_TOKEN_BYTES: usize = 8192;

/// The claims of a token minted by [`mint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// The audience: the resource URL of the server the token is for.
    pub aud: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Granted scopes (written space-separated into `scope`; omitted when empty).
    pub scopes: Vec<String>,
}

impl Claims {
    /// Claims for `aud` expiring `exp_in` seconds from now (negative: already
    /// expired), granting `scopes`.
    pub fn expiring_in(aud: impl Into<String>, exp_in: i64, scopes: &[&str]) -> Claims {
        Claims { aud: aud.into(), exp: now().saturating_add_signed(exp_in), scopes: scopes.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// The claims as the JSON object that goes into the token.
    pub fn to_json(&self) -> Value {
        let mut claims = Map::new();
        claims.insert("aud".into(), json!(self.aud));
        claims.insert("exp".into(), json!(self.exp));
        claims.insert("iat".into(), json!(now()));
        if !self.scopes.is_empty() {
            claims.insert("scope".into(), Value::String(self.scopes.join(" ")));
        }
        Value::Object(claims)
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The standard header of minted tokens.
pub fn header() -> Value {
    json!({"alg": "HS256", "typ": "at+jwt"})
}

/// Signs `claims` under `key` with the standard header.
pub fn mint(key: &[u8], claims: &Claims) -> String {
    encode(key, &header(), &claims.to_json())
}

/// Signs any `header` and `claims` (which need not make a valid token) with
/// HMAC-SHA256 under `key`.
pub fn encode(key: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = hmac_sha256::HMAC::mac(signing_input.as_bytes(), key);
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Why a token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON objects, too long, or a claim of the wrong type.
    Malformed(String),
    /// The header names another algorithm than HS256 (`none` included).
    UnsupportedAlgorithm(String),
    /// The signature does not match.
    BadSignature,
    /// No `exp` claim.
    MissingExpiry,
    /// `exp` has passed.
    Expired {
        /// The token's `exp`.
        exp: u64,
        /// The time of the check.
        now: u64,
    },
    /// `nbf` lies in the future.
    NotYetValid,
    /// `aud` names none of the accepted resources.
    WrongAudience(Vec<String>),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed(why) => write!(f, "malformed token: {why}"),
            TokenError::UnsupportedAlgorithm(alg) => write!(f, "unsupported algorithm {alg}; only HS256 is accepted"),
            TokenError::BadSignature => f.write_str("bad signature"),
            TokenError::MissingExpiry => f.write_str("the token has no exp claim"),
            TokenError::Expired { exp, now } => write!(f, "the token expired at {exp} (now {now})"),
            TokenError::NotYetValid => f.write_str("the token is not valid yet (nbf)"),
            TokenError::WrongAudience(aud) => write!(f, "the token is for another audience ({})", aud.join(", ")),
        }
    }
}

impl std::error::Error for TokenError {}

/// What [`verify`] checks besides the signature.
#[derive(Clone, Debug)]
pub struct Validation<'a> {
    /// Resource URLs an `aud` may name (compared with [`canonical_resource`]).
    pub audiences: &'a [String],
    /// The current time, seconds since the Unix epoch.
    pub now: u64,
    /// Check `aud` (false only under the `auth-wrong-audience-accepted` fault).
    pub check_audience: bool,
    /// Check `exp`/`nbf` (false only under the `auth-expired-accepted` fault).
    pub check_expiry: bool,
}

/// A token that passed [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The audiences the token names.
    pub aud: Vec<String>,
    /// Its expiry, if any.
    pub exp: Option<u64>,
    /// The scopes it grants.
    pub scopes: Vec<String>,
}

fn decode_part(part: &str, what: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|e| TokenError::Malformed(format!("the {what} is not unpadded base64url ({e})")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed(format!("the {what} is not a JSON object"))),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn seconds(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| TokenError::Malformed(format!("{name} is not a non-negative number"))),
    }
}

/// The comparable form of a resource URL: scheme and host lower-cased, one
/// trailing `/` dropped (AUTH-016).
pub fn canonical_resource(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.trim_end_matches('/').to_owned();
    };
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let path = path.strip_suffix('/').unwrap_or(path);
    format!("{}://{}{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase(), path)
}

/// Checks `token` against `key` and `validation`: structure, algorithm,
/// signature, then expiry, then audience.
pub fn verify(key: &[u8], token: &str, validation: &Validation<'_>) -> Result<Verified, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed(format!("longer than {MAX_TOKEN_BYTES} bytes")));
    }
    let malformed = || TokenError::Malformed("not three dot-separated parts".into());
    let (signing_input, signature) = token.rsplit_once('.').ok_or_else(malformed)?;
    let (header, claims) = signing_input.split_once('.').ok_or_else(malformed)?;
    if claims.contains('.') {
        return Err(malformed());
    }
    let header_json = decode_part(header, "header")?;
    match header_json.get("alg").and_then(Value::as_str) {
        Some("HS256") => {}
        Some(other) => return Err(TokenError::UnsupportedAlgorithm(other.to_owned())),
        None => return Err(TokenError::Malformed("the header has no alg".into())),
    }
    let signature =
        URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed("the signature is not unpadded base64url".into()))?;
    let expected = hmac_sha256::HMAC::mac(signing_input.as_bytes(), key);
    if !constant_time_eq(&signature, &expected) {
        return Err(TokenError::BadSignature);
    }
    let claims = decode_part(claims, "claims part")?;
    let exp = seconds(&claims, "exp")?;
    let nbf = seconds(&claims, "nbf")?;
    if validation.check_expiry {
        match exp {
            None => return Err(TokenError::MissingExpiry),
            Some(exp) if validation.now >= exp => return Err(TokenError::Expired { exp, now: validation.now }),
            Some(_) => {}
        }
        if nbf.is_some_and(|nbf| nbf > validation.now) {
            return Err(TokenError::NotYetValid);
        }
    }
    let aud: Vec<String> = match claims.get("aud") {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| TokenError::Malformed("aud is not a string or an array of strings".into()))?,
        Some(_) => return Err(TokenError::Malformed("aud is not a string or an array of strings".into())),
    };
    if validation.check_audience {
        let accepted: Vec<String> = validation.audiences.iter().map(|a| canonical_resource(a)).collect();
        if !aud.iter().any(|a| accepted.contains(&canonical_resource(a))) {
            return Err(TokenError::WrongAudience(aud));
        }
    }
    let scopes = match claims.get("scope") {
        None => Vec::new(),
        Some(Value::String(s)) => s.split_ascii_whitespace().map(str::to_owned).collect(),
        Some(_) => return Err(TokenError::Malformed("scope is not a string".into())),
    };
    Ok(Verified { aud, exp, scopes })
}

/// Parses a signed duration in seconds: `60`, `60s`, `5m`, `2h`, `1d`, or
/// negative (`-60s`, for tokens that are already expired).
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let bad = || format!("'{s}' is not a duration such as 60s, 5m, 2h, 1d or -60s");
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let split = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
    let (digits, unit) = body.split_at(split);
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(factor).ok_or_else(bad)?;
    Ok(if negative { -secs } else { secs })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test-key";
    const AUD: &str = "http://127.0.0.1:4000/mcp";

    fn validation(audiences: &[String]) -> Validation<'_> {
        Validation { audiences, now: now(), check_audience: true, check_expiry: true }
    }

    #[test]
    fn round_trip() {
        let token = mint(KEY, &Claims::expiring_in(AUD, 60, &["mcp:read", "mcp:tools"]));
        let auds = [AUD.to_owned()];
        let v = verify(KEY, &token, &validation(&auds)).unwrap();
        assert_eq!(v.scopes, ["mcp:read", "mcp:tools"]);
        assert_eq!(v.aud, [AUD]);
    }

    #[test]
    fn failures() {
        let auds = [AUD.to_owned()];
        let v = validation(&auds);
        let good = mint(KEY, &Claims::expiring_in(AUD, 60, &[]));
        assert_eq!(verify(b"other", &good, &v), Err(TokenError::BadSignature));
        let expired = mint(KEY, &Claims::expiring_in(AUD, -1, &[]));
        assert!(matches!(verify(KEY, &expired, &v), Err(TokenError::Expired { .. })));
        let foreign = mint(KEY, &Claims::expiring_in("http://127.0.0.1:4001/mcp", 60, &[]));
        assert!(matches!(verify(KEY, &foreign, &v), Err(TokenError::WrongAudience(_))));
        let lax = Validation { check_audience: false, check_expiry: false, ..v.clone() };
        assert!(verify(KEY, &foreign, &lax).is_ok());
        assert!(verify(KEY, &expired, &lax).is_ok());
        let none = encode(KEY, &json!({"alg": "none"}), &json!({"aud": AUD, "exp": now() + 60}));
        assert_eq!(verify(KEY, &none, &v), Err(TokenError::UnsupportedAlgorithm("none".into())));
        let no_exp = encode(KEY, &header(), &json!({"aud": AUD}));
        assert_eq!(verify(KEY, &no_exp, &v), Err(TokenError::MissingExpiry));
        for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!", &"x".repeat(MAX_TOKEN_BYTES + 1)] {
            assert!(matches!(verify(KEY, junk, &v), Err(TokenError::Malformed(_))), "{junk}");
        }
        let mut tampered = good.clone();
        tampered.push('A');
        assert!(verify(KEY, &tampered, &v).is_err());
    }

    #[test]
    fn audience_comparison_is_canonical() {
        assert_eq!(canonical_resource("HTTP://LocalHost:80/MCP/"), "http://localhost:80/MCP");
        assert_eq!(canonical_resource("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
        let auds = [AUD.to_owned()];
        let upper = mint(KEY, &Claims::expiring_in("HTTP://127.0.0.1:4000/mcp/", 60, &[]));
        assert!(verify(KEY, &upper, &validation(&auds)).is_ok());
        let array = encode(KEY, &header(), &json!({"aud": ["x", AUD], "exp": now() + 60}));
        assert!(verify(KEY, &array, &validation(&auds)).is_ok());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60"), Ok(60));
        assert_eq!(parse_duration("60s"), Ok(60));
        assert_eq!(parse_duration("5m"), Ok(300));
        assert_eq!(parse_duration("-60s"), Ok(-60));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        for bad in ["", "s", "1w", "1.5s", "--1", "99999999999999999999"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
