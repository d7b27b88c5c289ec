//! Links from a result's `spec` reference to the published specification.
//!
//! A case names where the spec says what it checks, as `page.mdx §Heading`
//! (for example `basic/utilities/ping.mdx §Behavior Requirements`), sometimes
//! with a version in front (`2025-11-25 basic/lifecycle.mdx §...`) or behind
//! (`... (2025-11-25)`), several references joined by `;`, or a schema type
//! (``schema.ts `CallToolResult` ``). The site serves the page
//! copied in `shared/spec/<version>/docs/<page>.mdx` at
//! `https://modelcontextprotocol.io/specification/<version>/<page>` and a
//! heading at `#<slug>`, as the spec's own cross-links show.
//!
//! Only links that can be exact are made: a page link needs a full page path
//! that the version's site is known to have ([`PAGES`], the versions whose
//! pages this project keeps a copy of), and a heading anchor needs a heading
//! whose slug is unambiguous (letters, digits, spaces and hyphens only).
//! Anything else links the version's specification root, never a guess.

/// Where every version's specification is published.
pub(crate) const SPEC_ROOT: &str = "https://modelcontextprotocol.io/specification";

/// The page paths (without `.mdx`) of each version's published spec, for the
/// versions whose pages are copied in `shared/spec/<version>/docs/`. A test
/// checks this table against those copies.
pub(crate) const PAGES: &[(&str, &[&str])] = &[
    (
        "2025-11-25",
        &[
            "architecture/index",
            "basic/authorization",
            "basic/index",
            "basic/lifecycle",
            "basic/transports",
            "basic/utilities/cancellation",
            "basic/utilities/ping",
            "basic/utilities/progress",
            "basic/utilities/tasks",
            "changelog",
            "client/elicitation",
            "client/roots",
            "client/sampling",
            "index",
            "schema",
            "server/index",
            "server/prompts",
            "server/resources",
            "server/tools",
            "server/utilities/completion",
            "server/utilities/logging",
            "server/utilities/pagination",
        ],
    ),
    (
        "2026-07-28",
        &[
            "architecture/index",
            "basic/authorization/authorization-server-discovery",
            "basic/authorization/client-registration",
            "basic/authorization/index",
            "basic/authorization/security-considerations",
            "basic/index",
            "basic/patterns/cancellation",
            "basic/patterns/index",
            "basic/patterns/mrtr",
            "basic/patterns/progress",
            "basic/patterns/subscriptions",
            "basic/transports/index",
            "basic/transports/stdio",
            "basic/transports/streamable-http",
            "basic/versioning",
            "changelog",
            "client/elicitation",
            "client/roots",
            "client/sampling",
            "deprecated",
            "index",
            "schema",
            "server/discover",
            "server/index",
            "server/prompts",
            "server/resources",
            "server/tools",
            "server/utilities/caching",
            "server/utilities/completion",
            "server/utilities/logging",
            "server/utilities/pagination",
        ],
    ),
];

/// The URL to read for `spec`, given the protocol versions it was checked
/// in (any order). A version the reference names itself wins over them.
pub(crate) fn spec_url(spec: &str, tested_versions: &[&str]) -> String {
    let first = spec.split(';').next().unwrap_or("").trim();
    let (named_version, reference) = split_version(first);

    let mut candidates: Vec<&str> = match named_version {
        Some(version) => vec![version],
        None => tested_versions.iter().copied().filter(|v| is_version(v)).collect(),
    };
    // Dates sort as strings; the newest version's pages come first.
    candidates.sort_unstable_by(|a, b| b.cmp(a));
    candidates.dedup();

    for version in &candidates {
        if let Some(url) = page_url(version, reference) {
            return url;
        }
    }
    match candidates.first() {
        Some(version) => format!("{SPEC_ROOT}/{version}"),
        None => SPEC_ROOT.to_string(),
    }
}

/// A version written before the reference (`2025-11-25 basic/...`) or as a
/// bare parenthesis after it (`... (2025-11-25)`), and the reference without
/// it or any other trailing parenthesis.
fn split_version(reference: &str) -> (Option<&str>, &str) {
    let mut version = None;
    let mut rest = reference;
    if let Some((head, tail)) = rest.split_once(' ') {
        if is_version(head) {
            version = Some(head);
            rest = tail.trim_start();
        }
    }
    if let Some(open) = rest.find('(') {
        let inside = rest[open + 1..].trim_end().trim_end_matches(')').trim();
        if version.is_none() && is_version(inside) {
            version = Some(inside);
        }
        rest = rest[..open].trim_end();
    }
    (version, rest)
}

/// The page (and heading) link for `reference` in `version`, when the
/// version's site is known to have that page.
fn page_url(version: &str, reference: &str) -> Option<String> {
    let pages = PAGES.iter().find(|(v, _)| *v == version)?.1;

    if let Some(type_name) = reference.strip_prefix("schema.ts") {
        let name = type_name.trim().trim_matches('`');
        let simple = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric());
        return (simple && pages.contains(&"schema"))
            .then(|| format!("{SPEC_ROOT}/{version}/schema#{}", name.to_ascii_lowercase()));
    }

    let (page, heading) = match reference.split_once('§') {
        Some((page, heading)) => (page.trim(), Some(heading)),
        None => (reference.trim(), None),
    };
    let page = page.strip_suffix(".mdx")?;
    if !pages.contains(&page) {
        return None;
    }
    let mut url = format!("{SPEC_ROOT}/{version}/{page}");
    if let Some(slug) = heading.and_then(heading_slug) {
        url.push('#');
        url.push_str(&slug);
    }
    Some(url)
}

/// The anchor of the first heading named in `headings` (`Behavior
/// Requirements, §Other` → `behavior-requirements`), when it is made only of
/// letters, digits, spaces and hyphens, whose slug the site derives
/// unambiguously (lower case, a hyphen per space).
fn heading_slug(headings: &str) -> Option<String> {
    let heading = headings
        .split([',', '§', '/'])
        .next()?
        .trim();
    let simple = !heading.is_empty()
        && heading
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    simple.then(|| heading.to_ascii_lowercase().replace(' ', "-"))
}

/// `YYYY-MM-DD`, the shape of every protocol version.
fn is_version(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (spec reference, versions tested, expected link after the root).
    const CASES: &[(&str, &[&str], &str)] = &[
        // A known page and a simple heading; the newest tested version that
        // has the page wins.
        (
            "basic/utilities/ping.mdx §Behavior Requirements",
            &["2025-06-18", "2025-11-25"],
            "/2025-11-25/basic/utilities/ping#behavior-requirements",
        ),
        (
            "basic/versioning.mdx §Protocol Version Negotiation",
            &["2025-11-25", "2026-07-28"],
            "/2026-07-28/basic/versioning#protocol-version-negotiation",
        ),
        ("basic/transports/stdio.mdx", &["2026-07-28"], "/2026-07-28/basic/transports/stdio"),
        ("schema.ts `CallToolResult`", &["2026-07-28"], "/2026-07-28/schema#calltoolresult"),
        // A version the reference names, before or after it, wins.
        (
            "2025-11-25 basic/lifecycle.mdx §Version Negotiation",
            &["2026-07-28"],
            "/2025-11-25/basic/lifecycle#version-negotiation",
        ),
        (
            "basic/transports.mdx §Session Management (2025-11-25)",
            &["2026-07-28"],
            "/2025-11-25/basic/transports#session-management",
        ),
        // Not exact: a short page name, a version without copied pages.
        ("tools.mdx §Capabilities", &["2026-07-28"], "/2026-07-28"),
        ("basic/lifecycle.mdx §Initialization", &["2025-06-18"], "/2025-06-18"),
        // A known page under a heading whose slug is not certain: page only.
        ("basic/index.mdx §_meta (per-request fields)", &["2026-07-28"], "/2026-07-28/basic/index"),
        ("streamable-http.mdx §Security & Endpoint", &["not-a-version"], ""),
        // Only the first of several references is linked.
        (
            "server/discover.mdx; basic/versioning.mdx §Extension Negotiation",
            &["2026-07-28"],
            "/2026-07-28/server/discover",
        ),
    ];

    #[test]
    fn links_exactly_or_to_the_version_root() {
        for (spec, versions, expected) in CASES {
            assert_eq!(spec_url(spec, versions), format!("{SPEC_ROOT}{expected}"), "{spec}");
        }
    }

    /// The page table is the list of pages copied in `shared/spec/`, no
    /// more and no fewer, so no link points at a page that is not there.
    #[test]
    fn pages_match_the_copied_spec() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec");
        for (version, pages) in PAGES {
            let docs = spec.join(version).join("docs");
            let mut found = Vec::new();
            collect_pages(&docs, &docs, &mut found);
            found.sort();
            assert!(!found.is_empty(), "no pages under {}", docs.display());
            assert_eq!(*pages, found, "{version}");
        }
    }

    fn collect_pages(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_pages(root, &path, out);
            } else if let Some(page) = path.to_str().and_then(|p| p.strip_suffix(".mdx")) {
                let relative = std::path::Path::new(page).strip_prefix(root).unwrap();
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
}
