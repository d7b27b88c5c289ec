//! Embeds the repository's `cases/` folder into the binary as the default catalogue.

use std::path::{Path, PathBuf};

fn main() {
    // Read at run time, not with `env!`: a build script compiled for one
    // checkout may be reused by another that shares the target folder.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let cases = Path::new(&manifest).join("../cases");
    println!("cargo:rerun-if-changed={}", cases.display());
    let mut files = Vec::new();
    collect(&cases, &mut files);
    assert!(!files.is_empty(), "no case files under {}", cases.display());
    // The requirements table sits beside the area folders; it is not a case.
    files.retain(|path| *path != cases.join("requirements.toml"));
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path.strip_prefix(&cases).expect("under cases/");
        out.push_str(&format!("    ({:?}, include_str!({:?})),\n", relative.display().to_string(), path.display().to_string()));
    }
    out.push(']');
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_cases.rs");
    std::fs::write(target, out).expect("write embedded_cases.rs");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}
