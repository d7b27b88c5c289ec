//! Text helpers shared by the human-readable reports.
//!
//! Transcripts hold whatever bytes a server sent, decoded lossily. A hostile
//! or broken server can put escape sequences there, so no report copies a
//! control character through: printed raw, it could recolour or rewrite the
//! reader's terminal, and in XML most of them are not even allowed.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::Direction;

/// Whether a line break may stay in the text or must be escaped too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    /// Keep `\n` (multi-line fields such as `expected` and `actual`).
    Keep,
    /// Escape `\n` as well, so the text stays on one line (transcript entries).
    Escape,
}

/// `text` with every control character written as a visible escape.
///
/// The notation is Rust's `\u{1b}`, not JSON's `\u001b`: a transcript is
/// mostly JSON, and a server that sent the six characters `\u001b` inside a
/// JSON string did nothing wrong, while a raw ESC byte is worth seeing as
/// such. The Unicode non-characters U+FFFE and U+FFFF are escaped the same
/// way, since XML forbids them too.
pub(crate) fn visible(text: &str, lines: Lines) -> Cow<'_, str> {
    let needs_escape = |c: char| {
        (c.is_control() && !(c == '\n' && lines == Lines::Keep))
            || c == '\u{fffe}'
            || c == '\u{ffff}'
    };
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first `limit` characters of `text` and how many characters were cut.
pub(crate) fn clip(text: &str, limit: usize) -> (&str, usize) {
    match text.char_indices().nth(limit) {
        Some((cut_at, _)) => (&text[..cut_at], text[cut_at..].chars().count()),
        None => (text, 0),
    }
}

/// Milliseconds as the decimal seconds JUnit wants: `1234` → `1.234`.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// A duration for people: `42ms` below a second, `1.23s` above.
pub(crate) fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{}.{:02}s", ms / 1000, (ms % 1000) / 10)
    }
}

/// The arrow for a transcript entry, seen from the harness.
pub(crate) fn arrow(direction: Direction) -> &'static str {
    match direction {
        Direction::Sent => "→",
        Direction::Received => "←",
        Direction::Event => "·",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_but_keeps_ordinary_text_borrowed() {
        assert!(matches!(
            visible("plain é ✓", Lines::Escape),
            Cow::Borrowed(_)
        ));
        assert_eq!(visible("a\u{1b}[31mb", Lines::Escape), "a\\u{1b}[31mb");
        assert_eq!(visible("a\nb\r\n", Lines::Escape), "a\\u{a}b\\u{d}\\u{a}");
        assert_eq!(visible("a\nb\r\n", Lines::Keep), "a\nb\\u{d}\n");
        assert_eq!(
            visible("\u{0}\u{7f}\u{9b}\u{ffff}", Lines::Keep),
            "\\u{0}\\u{7f}\\u{9b}\\u{ffff}"
        );
    }

    #[test]
    fn clips_on_character_boundaries() {
        assert_eq!(clip("héllo", 2), ("hé", 3));
        assert_eq!(clip("héllo", 5), ("héllo", 0));
        assert_eq!(clip("", 0), ("", 0));
    }

    #[test]
    fn formats_durations() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(61_005), "61.005");
        assert_eq!(human_duration(999), "999ms");
        assert_eq!(human_duration(1_234), "1.23s");
    }
}
