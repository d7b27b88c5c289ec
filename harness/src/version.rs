//! The protocol versions the suite knows, and the era each belongs to.

/// Every protocol version, oldest first.
pub const ALL: [&str; 5] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"];

/// The two shapes of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// `initialize` handshake, sessions, server-to-client requests
    /// (2024-11-05 up to 2025-11-25).
    Stateful,
    /// No handshake: `server/discover`, per-request `_meta`, `resultType`,
    /// `input_required` (2026-07-28 on).
    Stateless,
}

impl Era {
    /// The era's name as used in case files (`stateful`, `stateless`).
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Stateful => "stateful",
            Era::Stateless => "stateless",
        }
    }
}

/// The era of a version. Versions are dates, so a version the suite does not
/// know is placed by comparing it with the first stateless one.
pub fn era(version: &str) -> Era {
    if version >= "2026-07-28" {
        Era::Stateless
    } else {
        Era::Stateful
    }
}

/// Is this one of the versions the suite knows?
pub fn is_known(version: &str) -> bool {
    ALL.contains(&version)
}

/// Does `version` have the feature introduced in `since`? (Dates compare as strings.)
pub fn at_least(version: &str, since: &str) -> bool {
    version >= since
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eras_split_at_the_stateless_redesign() {
        assert_eq!(era("2025-11-25"), Era::Stateful);
        assert_eq!(era("2026-07-28"), Era::Stateless);
        assert_eq!(era("2024-11-05"), Era::Stateful);
        assert!(ALL.windows(2).all(|w| w[0] < w[1]), "ALL is sorted");
    }
}
