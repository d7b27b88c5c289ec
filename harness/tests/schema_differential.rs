//! Differential test: the project's schema bundle against the official MCP
//! schemas in `../shared/spec/` (read at test time, never copied into the
//! project).
//!
//! For every protocol version and every official definition, instances are
//! generated from the official schema and from ours (valid ones from a few
//! seeds, their valid one-place alternatives such as every other enum value,
//! and all their one-place mutations); each is validated by the
//! official schema (compiled under its own draft, with that draft's default
//! `format` behaviour) and by our bundle, and the verdicts must be equal.
//! Every disagreement is reported at once.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use mcp_conform::schema::{self, generate, SchemaBundle};
use serde_json::{json, Value};

/// Seeds per definition and source schema: 0 and 3 leave optional
/// properties out, 1 and 4 put them all in, 2 and 5 choose at random.
const SEEDS: std::ops::Range<u64> = 0..6;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nThe differential test needs the official MCP schemas in shared/spec/ \
             beside the repository checkout (expected at {}).",
            path.display(),
            spec_dir().display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The official schema of one version, compiled one validator per definition.
struct Official {
    root: Value,
    /// `definitions` (draft-07 files) or `$defs` (2020-12 files).
    key: &'static str,
    validators: HashMap<String, Validator>,
}

impl Official {
    fn load(version: &str) -> Official {
        let root = read_json(&spec_dir().join(version).join("schema.json"));
        let key = if root.get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        };
        let base = format!("urn:official:{version}");
        let validators = Official::compile(version, &root, key, &base);
        Official {
            root,
            key,
            validators,
        }
    }

    fn compile(version: &str, root: &Value, key: &str, base: &str) -> HashMap<String, Validator> {
        let registry = jsonschema::Registry::new()
            .add(base, root)
            .and_then(|b| b.prepare())
            .expect("official schema registers");
        let dialect = root.get("$schema").cloned().unwrap_or(Value::Null);
        Official::names_of(root, key)
            .into_iter()
            .map(|name| {
                // The wrapper declares the official file's own draft, and
                // format behaviour is left at that draft's default: draft-07
                // asserts formats, 2020-12 does not.
                let wrapper =
                    json!({ "$schema": dialect, "$ref": format!("{base}#/{key}/{name}") });
                let validator = jsonschema::options()
                    .with_registry(&registry)
                    .build(&wrapper)
                    .unwrap_or_else(|e| panic!("official {version} {name} compiles: {e}"));
                (name, validator)
            })
            .collect()
    }

    fn names_of(root: &Value, key: &str) -> Vec<String> {
        root.get(key)
            .and_then(Value::as_object)
            .map(|defs| defs.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn names(&self) -> Vec<String> {
        Official::names_of(&self.root, self.key)
    }

    fn definition(&self, name: &str) -> &Value {
        &self.root[self.key][name]
    }

    fn verdict(&self, name: &str, instance: &Value) -> Result<(), String> {
        let validator = &self.validators[name];
        if validator.is_valid(instance) {
            return Ok(());
        }
        let reasons: Vec<String> = validator
            .iter_errors(instance)
            .take(3)
            .map(|e| format!("at {:?}: {}", e.instance_path().to_string(), e.masked()))
            .collect();
        Err(reasons.join("; "))
    }
}

#[derive(Default, Debug)]
struct Tally {
    compared: usize,
    valid: usize,
    invalid: usize,
    /// Generated as valid, yet rejected by the official schema: a limit of
    /// the generator, not a disagreement.
    generated_valid_rejected: usize,
}

struct Disagreement {
    version: String,
    definition: String,
    origin: String,
    instance: Value,
    official: Result<(), String>,
    ours: Result<(), String>,
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

fn report(disagreements: &[Disagreement]) -> String {
    let mut out = format!(
        "{} disagreement(s) between our schemas and the official ones:\n",
        disagreements.len()
    );
    for d in disagreements {
        let verdict = |r: &Result<(), String>| match r {
            Ok(()) => "valid".to_owned(),
            Err(why) => format!("INVALID ({})", shorten(why, 400)),
        };
        let _ = writeln!(
            out,
            "- {} {} [{}]\n    instance: {}\n    official: {}\n    ours:     {}",
            d.version,
            d.definition,
            d.origin,
            shorten(&d.instance.to_string(), 600),
            verdict(&d.official),
            verdict(&d.ours),
        );
    }
    out
}

/// Generates from both schemas of each definition in `names` (the official
/// one and ours) and compares the verdicts of both on every instance.
fn compare(version: &str, official: &Official, names: &[String], ours: &schema::VersionSchema) -> (Tally, Vec<Disagreement>) {
    let mut tally = Tally::default();
    let mut disagreements = Vec::new();
    for name in names {
        let ours_schema = ours.definition(name).cloned();
        let mut sources: Vec<(&str, &Value, Value)> = vec![(
            "official",
            &official.root,
            official.definition(name).clone(),
        )];
        if let Some(schema) = ours_schema {
            sources.push(("ours", ours.root(), schema));
        }
        let mut seen: HashSet<String> = HashSet::new();
        for (source, root, schema) in &sources {
            for seed in SEEDS {
                let Some(instance) = generate::valid(root, schema, seed) else {
                    continue;
                };
                let mut batch = vec![(format!("{source} seed {seed}"), instance.clone(), true)];
                for (i, a) in generate::alternatives(root, schema, &instance)
                    .into_iter()
                    .enumerate()
                {
                    batch.push((format!("{source} seed {seed} alternative {i}"), a, true));
                }
                for (i, m) in generate::mutations(root, schema, &instance)
                    .into_iter()
                    .enumerate()
                {
                    batch.push((format!("{source} seed {seed} mutation {i}"), m, false));
                }
                for (origin, instance, meant_valid) in batch {
                    if !seen.insert(instance.to_string()) {
                        continue;
                    }
                    let theirs = official.verdict(name, &instance);
                    let mine = ours_verdict(ours, name, &instance);
                    tally.compared += 1;
                    if theirs.is_ok() {
                        tally.valid += 1;
                    } else {
                        tally.invalid += 1;
                        if meant_valid {
                            tally.generated_valid_rejected += 1;
                        }
                    }
                    if theirs.is_ok() != mine.is_ok() {
                        disagreements.push(Disagreement {
                            version: version.to_owned(),
                            definition: name.clone(),
                            origin,
                            instance,
                            official: theirs,
                            ours: mine,
                        });
                    }
                }
            }
        }
    }
    (tally, disagreements)
}

fn ours_verdict(
    version: &schema::VersionSchema,
    name: &str,
    instance: &Value,
) -> Result<(), String> {
    version.validate(name, instance).map_err(|violations| {
        violations
            .iter()
            .take(3)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn check_version(version: &str) {
    let official = Official::load(version);
    let ours = schema::bundle()
        .version(version)
        .unwrap_or_else(|| panic!("our bundle has no version {version}"));

    let theirs: BTreeSet<String> = official.names().into_iter().collect();
    let mine: BTreeSet<String> = ours.definitions().map(str::to_owned).collect();
    let missing: Vec<&String> = theirs.difference(&mine).collect();
    let extra: Vec<&String> = mine.difference(&theirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{version}: definition names differ from the official ones; missing {missing:?}, extra {extra:?}"
    );

    let names: Vec<String> = theirs.into_iter().collect();
    let (tally, disagreements) = compare(version, &official, &names, ours);
    println!(
        "{version}: {} definitions, {} instances compared, {} valid, {} invalid ({} generated as valid but rejected by the official schema), {} disagreements",
        names.len(),
        tally.compared,
        tally.valid,
        tally.invalid,
        tally.generated_valid_rejected,
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "{}", report(&disagreements));
    // Guards against a vacuous pass, e.g. a generator that stopped mutating
    // or stopped producing valid instances.
    assert!(
        tally.compared >= 50 * names.len()
            && tally.invalid * 2 >= tally.compared
            && tally.valid >= 5 * names.len(),
        "{version}: too few instances, or too lopsided, to mean anything: {tally:?}"
    );
}

#[test]
fn v2024_11_05_agrees_with_the_official_schema() {
    check_version("2024-11-05");
}

#[test]
fn v2025_03_26_agrees_with_the_official_schema() {
    check_version("2025-03-26");
}

#[test]
fn v2025_06_18_agrees_with_the_official_schema() {
    check_version("2025-06-18");
}

#[test]
fn v2025_11_25_agrees_with_the_official_schema() {
    check_version("2025-11-25");
}

#[test]
fn v2026_07_28_agrees_with_the_official_schema() {
    check_version("2026-07-28");
}

#[test]
fn official_2026_07_28_examples_validate_under_both() {
    let version = "2026-07-28";
    let official = Official::load(version);
    let ours = schema::bundle()
        .version(version)
        .expect("our bundle has 2026-07-28");
    let dir = spec_dir().join(version).join("examples");
    let folders = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "cannot list the official examples at {}: {e}",
            dir.display()
        )
    });
    let mut checked = 0;
    let mut failures = Vec::new();
    for folder in folders {
        let folder = folder.expect("readable examples folder").path();
        let definition = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("readable example folder")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let example = read_json(&file);
            checked += 1;
            if !official.validators.contains_key(&definition) {
                failures.push(format!(
                    "{}: the official schema has no {definition}",
                    file.display()
                ));
                continue;
            }
            let theirs = official.verdict(&definition, &example);
            let mine = ours_verdict(ours, &definition, &example);
            if theirs.is_err() || mine.is_err() {
                failures.push(format!(
                    "{}: official {theirs:?}, ours {mine:?}",
                    file.display()
                ));
            }
        }
    }
    println!("{version}: {checked} official examples checked");
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked >= 100,
        "only {checked} examples found in {}",
        dir.display()
    );
}

/// The comparison must notice a broken definition, in either direction: a
/// copy of our 2025-06-18 layer where CallToolResult no longer requires
/// `content` (too lax), and one where it also requires `isError` (too strict).
#[test]
fn comparison_catches_a_broken_definition() {
    let version = "2025-06-18";
    let official = Official::load(version);
    type Break = (&'static str, fn(&mut Value));
    let breaks: [Break; 2] = [
        ("content no longer required", |def| {
            def["required"] = json!([])
        }),
        ("isError required too", |def| {
            def["required"] = json!(["content", "isError"])
        }),
    ];
    for (what, break_it) in breaks {
        let texts: Vec<String> = schema::embedded_layers()
            .iter()
            .map(|text| {
                let mut layer: Value = serde_json::from_str(text).expect("layer parses");
                if layer["version"] == version {
                    break_it(&mut layer["defs"]["CallToolResult"]);
                }
                layer.to_string()
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let broken = SchemaBundle::from_layers(&refs).expect("the broken copy still builds");
        let ours = broken.version(version).expect("version present");
        let names = vec!["CallToolResult".to_owned()];
        let (tally, disagreements) = compare(version, &official, &names, ours);
        println!(
            "broken CallToolResult ({what}): {} of {} instances disagree",
            disagreements.len(),
            tally.compared
        );
        assert!(
            !disagreements.is_empty(),
            "the comparison missed a broken CallToolResult ({what})"
        );
    }
}
