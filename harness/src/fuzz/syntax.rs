//! What a frame is as JSON text, by the grammar alone (RFC 8259).
//!
//! `serde_json` refuses some grammatical JSON (numbers beyond `f64`, nesting
//! deeper than 128), and a server is free to accept or refuse those (RFC 8259
//! §9 lets implementations limit range and depth). Whether the spec
//! prescribes an answer depends on what the text *is*, so this scanner reads
//! the grammar itself, iteratively (any depth, no recursion), and notes what
//! sits at an implementation's limits.

/// What a UTF-8 text is, as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// One JSON value, surrounded only by JSON whitespace.
    pub valid: bool,
    /// The deepest nesting of arrays and objects (0 for a scalar).
    pub depth: usize,
    /// A number that `f64` cannot hold exactly as written: an integer beyond
    /// ±(2^53 − 1), a magnitude that overflows or underflows, or `-0`.
    pub extreme_number: bool,
    /// The kind of the top-level value, when the text is valid.
    pub top: Top,
}

/// The kind of a top-level JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Top {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// A string, number, `true`, `false` or `null`.
    Scalar,
    /// Not valid JSON.
    Invalid,
}

/// Largest integer every JSON implementation represents exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Scan `text` as one JSON value.
pub fn scan(text: &str) -> Scan {
    let mut scanner = Scanner { bytes: text.as_bytes(), at: 0, depth: 0, max_depth: 0, extreme: false };
    let top = match scanner.skip_ws().peek() {
        Some(b'{') => Top::Object,
        Some(b'[') => Top::Array,
        _ => Top::Scalar,
    };
    let valid = scanner.value().is_some() && scanner.skip_ws().at == scanner.bytes.len();
    Scan {
        valid,
        depth: scanner.max_depth,
        extreme_number: scanner.extreme,
        top: if valid { top } else { Top::Invalid },
    }
}

/// What the scanner expects next inside an open container.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Array,
    Object,
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: usize,
    max_depth: usize,
    extreme: bool,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) -> &mut Self {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
        self
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// One value, containers handled with an explicit stack.
    fn value(&mut self) -> Option<()> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            // A value starts here.
            self.skip_ws();
            match self.peek()? {
                b'{' => {
                    self.at += 1;
                    self.enter();
                    self.skip_ws();
                    if self.eat(b'}').is_none() {
                        self.key()?;
                        stack.push(Open::Object);
                        continue;
                    }
                    self.leave();
                }
                b'[' => {
                    self.at += 1;
                    self.enter();
                    self.skip_ws();
                    if self.eat(b']').is_none() {
                        stack.push(Open::Array);
                        continue;
                    }
                    self.leave();
                }
                b'"' => self.string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // A value ended: close containers until one wants another element.
            loop {
                let Some(&open) = stack.last() else { return Some(()) };
                self.skip_ws();
                match (open, self.peek()?) {
                    (_, b',') => {
                        self.at += 1;
                        if open == Open::Object {
                            self.skip_ws();
                            self.key()?;
                        }
                        break;
                    }
                    (Open::Array, b']') | (Open::Object, b'}') => {
                        self.at += 1;
                        stack.pop();
                        self.leave();
                    }
                    _ => return None,
                }
            }
        }
    }

    fn enter(&mut self) {
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `"name" :` of an object member.
    fn key(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.string()?;
        self.skip_ws();
        self.eat(b':')
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                // Control characters must be escaped inside strings.
                0x00..=0x1f => return None,
                _ => self.at += 1,
            }
        }
    }

    fn number(&mut self) -> Option<()> {
        let start = self.at;
        let negative = self.eat(b'-').is_some();
        let int_start = self.at;
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let int_digits = &self.bytes[int_start..self.at];
        let mut integer = true;
        if self.eat(b'.').is_some() {
            integer = false;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        self.extreme |= if integer {
            let magnitude = std::str::from_utf8(int_digits).ok()?;
            (negative && magnitude == "0") || magnitude.parse::<u64>().map_or(true, |n| n > MAX_SAFE_INTEGER)
        } else {
            match text.parse::<f64>() {
                Ok(f) if f.is_infinite() => true,
                // Non-zero digits that round to zero underflowed.
                Ok(0.0) => text.split(['e', 'E']).next().is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b))),
                Ok(_) => false,
                Err(_) => true,
            }
        };
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_not_serde_decides_validity() {
        for (text, valid, extreme) in [
            (r#"{"a":[1,2,{"b":null}]}"#, true, false),
            ("1e400", true, true),
            ("-0", true, true),
            ("-0.0", true, false),
            ("9007199254740991", true, false),
            ("9007199254740993", true, true),
            ("9223372036854775808", true, true),
            ("1e-400", true, true),
            ("0e-400", true, false),
            ("1.5", true, false),
            (r#"{"a":1,}"#, false, false),
            (r#"{"a" 1}"#, false, false),
            ("[1,2", false, false),
            ("01", false, false),
            ("\"a\u{1}\"", false, false),
            (r#""\u12g4""#, false, false),
            ("  {} ", true, false),
            ("{} {}", false, false),
            ("", false, false),
        ] {
            let scan = scan(text);
            assert_eq!((scan.valid, scan.extreme_number), (valid, extreme), "{text:?}");
        }
    }

    #[test]
    fn depth_is_counted_without_recursion() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let scan = scan(&deep);
        assert!(scan.valid);
        assert_eq!(scan.depth, 100_000);
        assert_eq!(scan.top, Top::Array);
        assert_eq!(super::scan(r#"{"a":{"b":[]}}"#).depth, 3);
    }
}
