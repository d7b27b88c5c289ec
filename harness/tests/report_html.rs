//! `report.html` in a real browser: a run against the reference server with
//! faults (so it has failures and warnings) writes the page, headless
//! Chromium draws it, and what the page shows after its script ran is checked
//! against the run record: the counts, the filters driven by the URL fragment,
//! and hostile server text that must stay text. A screenshot is taken too.
//!
//! Needs the `chromium` binary (Debian package `chromium`; or set
//! `CHROMIUM=/path/to/chrome`). Without it the test says so and passes,
//! unless `MCP_CONFORM_REQUIRE_CHROMIUM` is set (as `.ci/run` does), when
//! it fails.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reports::{RunRecord, Status};
use support::{conform, record, scratch};

/// Server text that would run script or load an image if the page let it become markup.
const HOSTILE: &str = "</script><script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> \"quoted\" 'single' <!--";

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Headless Chromium on `page` (with its fragment) and `extra` arguments; its stdout.
fn headless(browser: &Path, profile: &Path, extra: &[&str], page: &Path, fragment: &str) -> String {
    let url = format!("file://{}#{fragment}", page.display());
    let mut child = Command::new(browser)
        .args(["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check"])
        .args(["--disable-extensions", "--disable-background-networking", "--disable-dev-shm-usage"])
        // Chromium refuses to run as root with its sandbox; the page is our own.
        .arg("--no-sandbox")
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium {extra:?} {url}: {status}");
    reader.join().expect("reader thread").expect("chromium's stdout is UTF-8")
}

/// The page as the browser holds it after the script ran, with `fragment` as the filter.
fn dom(browser: &Path, profile: &Path, page: &Path, fragment: &str) -> String {
    headless(browser, profile, &["--dump-dom"], page, fragment)
}

/// An attribute of the first element that has `id="..."`.
fn attribute_of(dom: &str, id: &str, name: &str) -> String {
    let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in the page"));
    let tag_start = dom[..at].rfind('<').unwrap();
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>').unwrap()];
    let key = format!("{name}=\"");
    let value_start = tag.find(&key).unwrap_or_else(|| panic!("no {name} on #{id}: {tag}")) + key.len();
    tag[value_start..value_start + tag[value_start..].find('"').unwrap()].to_string()
}

/// The `data-status` of every result the page drew, in order.
fn drawn_statuses(dom: &str) -> Vec<&str> {
    dom.match_indices("<details class=\"result ")
        .map(|(at, _)| {
            let tag = &dom[at..at + dom[at..].find('>').unwrap()];
            let start = tag.find("data-status=\"").expect("data-status on a result") + "data-status=\"".len();
            &tag[start..start + tag[start..].find('"').unwrap()]
        })
        .collect()
}

fn count(record: &RunRecord, keep: impl Fn(&reports::CaseResult) -> bool) -> usize {
    record.results.iter().filter(|r| keep(r)).count()
}

#[test]
fn report_html_shows_the_run_in_headless_chromium() {
    let Some(browser) = chromium() else {
        let required = std::env::var_os("MCP_CONFORM_REQUIRE_CHROMIUM").is_some();
        assert!(!required, "MCP_CONFORM_REQUIRE_CHROMIUM is set but no chromium was found (install Debian's `chromium`)");
        eprintln!("SKIPPED report_html_shows_the_run_in_headless_chromium: no chromium on PATH (apt-get install chromium, or set CHROMIUM)");
        return;
    };
    let dir = scratch("report-html");
    let profile = dir.join("chromium-profile");

    // Two versions; faults that fail a MUST (ping) and miss SHOULDs (cursor, tool name).
    let server = format!("{} reference-server --fault ping-error --fault cursor-invalid-accepted --fault tool-name-with-spaces", support::bin());
    let out = conform(&[
        "run", "--spec-version", "2025-06-18", "--spec-version", "2025-11-25", "--color", "never",
        "--report-dir", dir.to_str().unwrap(), "--", "sh", "-c", &server,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let record = record(&dir);
    let page = dir.join("report.html");
    assert!(page.is_file(), "report.html written beside run.json");
    let failed = count(&record, |r| r.status == Status::Fail);
    let warned = count(&record, |r| r.status == Status::Warn);
    assert!(failed > 0 && warned > 0, "the faults give failures ({failed}) and warnings ({warned})");

    // Everything, as opened from disk.
    let all = dom(&browser, &profile, &page, "");
    assert_eq!(attribute_of(&all, "shown", "data-matching"), record.results.len().to_string());
    assert_eq!(attribute_of(&all, "shown", "data-total"), record.results.len().to_string());
    let drawn = drawn_statuses(&all);
    assert_eq!(drawn.len(), record.results.len().min(300), "the first page of results is drawn");
    let expected: Vec<&str> = record.results.iter().take(drawn.len()).map(|r| r.status.as_str()).collect();
    assert_eq!(drawn, expected, "results are drawn in the record's order");
    assert!(all.contains("<span class=\"verdict fail\">Not conformant</span>"));
    for status in Status::ALL {
        let shown = format!("<b>{}</b>", count(&record, |r| r.status == status));
        assert!(all.contains(&shown), "the summary counts {status} as {shown}");
    }
    // A failure's finding is open and names requirement, keyword, spec section and hint.
    let failure = record.results.iter().find(|r| r.status == Status::Fail).unwrap();
    let finding = &failure.findings[0];
    for text in [&finding.requirement, &finding.keyword, &failure.spec, &finding.hint] {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(all.contains(&escaped), "{text:?} shown for {}", failure.case_id);
    }

    // Filters driven by the URL fragment.
    let only_failures = dom(&browser, &profile, &page, "status=fail");
    assert_eq!(attribute_of(&only_failures, "shown", "data-matching"), failed.to_string());
    assert!(drawn_statuses(&only_failures).iter().all(|s| *s == "fail"));
    let warnings_in_one_version = dom(&browser, &profile, &page, "status=warn,fail&version=2025-11-25&transport=stdio");
    let expected = count(&record, |r| {
        matches!(r.status, Status::Warn | Status::Fail) && r.version == "2025-11-25" && r.transport == "stdio"
    });
    assert!(expected > 0);
    assert_eq!(attribute_of(&warnings_in_one_version, "shown", "data-matching"), expected.to_string());
    let area = &failure.area;
    let one_area = dom(&browser, &profile, &page, &format!("area={area}"));
    assert_eq!(attribute_of(&one_area, "shown", "data-matching"), count(&record, |r| &r.area == area).to_string());
    let nothing = dom(&browser, &profile, &page, "status=");
    assert_eq!(attribute_of(&nothing, "shown", "data-matching"), "0");
    assert!(drawn_statuses(&nothing).is_empty());
    let search = dom(&browser, &profile, &page, &format!("q={}", failure.case_id.to_lowercase()));
    assert_eq!(attribute_of(&search, "shown", "data-matching"), count(&record, |r| r.case_id.contains(&failure.case_id)).to_string());

    // The screenshot of the failures: a PNG of the requested size.
    let screenshot = dir.join("report.png");
    headless(&browser, &profile, &[&format!("--screenshot={}", screenshot.display()), "--window-size=1280,1400", "--hide-scrollbars", "--virtual-time-budget=2000"], &page, "status=fail,warn");
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 1400));
    eprintln!("screenshot: {}", screenshot.display());

    // Hostile server text, everywhere a server can put it, stays text.
    let mut hostile = record.clone();
    hostile.target.server_info = Some(serde_json::json!({ "name": HOSTILE, "version": HOSTILE }));
    let result = hostile.results.iter_mut().find(|r| r.status == Status::Fail).unwrap();
    result.findings[0].message = HOSTILE.into();
    result.findings[0].actual = HOSTILE.into();
    result.reason = Some(HOSTILE.into());
    result.transcript[0].text = HOSTILE.into();
    let hostile_page = dir.join("hostile.html");
    std::fs::write(&hostile_page, reports::html::to_html(&hostile)).unwrap();
    let shown = dom(&browser, &profile, &hostile_page, "status=fail&expand");
    assert_eq!(shown.matches("<img").count(), 0, "an image element was injected");
    assert_eq!(shown.matches("<script").count(), 2, "only the page's own data and script blocks");
    let as_text = "&lt;/script&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=\"document.title='pwned'\"&gt;";
    // The message, the actual value, the reason, the server name and the expanded transcript line.
    assert!(shown.matches(as_text).count() >= 5, "the hostile text is shown as text: {}", shown.matches(as_text).count());
    assert!(shown.contains("<title>mcp-conform: Not conformant"), "the title was not rewritten");
}
