//! Session ids: 128 bits from the operating system's CSPRNG, in hex.
//!
//! Hex keeps the id inside visible ASCII (L-HTTP-009) and safe to put in a
//! URL query (`/messages?sessionId=…`) without escaping.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh, unguessable session id (32 lowercase hex digits).
pub fn generate() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (practically never): fall back to the per-process
        // random hash keys plus a counter, unique though weaker.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            h.write_usize(i);
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_visible_ascii_and_distinct() {
        let a = generate();
        let b = generate();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| (0x21..=0x7e).contains(&c)));
        assert_ne!(a, b);
    }
}
