//! Object keys written twice in one JSON text.
//!
//! A parser keeps one of two equal keys (serde_json the last), so a
//! duplicate shows only in the text itself: this walks the text with its own
//! visitor and reports every object that names a key twice. Keys are
//! compared after unescaping (`"a"` and `"\u0061"` are the same key).

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One key written twice: the JSON pointer of the object, and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// Where the object is (`""` for the top level).
    pub pointer: String,
    /// The key it names more than once.
    pub key: String,
}

/// Every key written more than once in an object of `text`, or why the
/// text is no JSON value.
pub fn duplicate_keys(text: &str) -> Result<Vec<Duplicate>, String> {
    let mut found = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    Walk { pointer: String::new(), found: &mut found }.deserialize(&mut deserializer).map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(found)
}

/// Visits one value at `pointer`, recording duplicates into `found`.
struct Walk<'a> {
    pointer: String,
    found: &'a mut Vec<Duplicate>,
}

/// A JSON pointer token for `key` (RFC 6901 escapes).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, token(&key));
            if !seen.insert(key.clone()) {
                self.found.push(Duplicate { pointer: self.pointer.clone(), key });
            }
            map.next_value_seed(Walk { pointer, found: self.found })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq.next_element_seed(Walk { pointer: format!("{}/{index}", self.pointer), found: self.found })?.is_some() {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_written_twice_at_any_depth() {
        let text = r#"{"result":{"inputRequests":{"a":{"method":"roots/list"},"b":1,"\u0061":{"x":[{"k":1,"k":2}]}}}}"#;
        let found = duplicate_keys(text).unwrap();
        assert_eq!(found, [
            Duplicate { pointer: "/result/inputRequests".into(), key: "a".into() },
            Duplicate { pointer: "/result/inputRequests/a/x/0".into(), key: "k".into() },
        ]);
    }

    #[test]
    fn plain_json_has_none_and_garbage_is_an_error() {
        assert!(duplicate_keys(r#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#).unwrap().is_empty());
        assert!(duplicate_keys("{\"a\":").is_err());
        assert!(duplicate_keys("{} {}").is_err());
    }

    #[test]
    fn pointers_escape_their_tokens() {
        let found = duplicate_keys(r#"{"a/b~":{"k":1,"k":1}}"#).unwrap();
        assert_eq!(found[0].pointer, "/a~1b~0");
    }
}
