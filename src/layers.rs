//! The layer order `docs/architecture.md` draws, checked against the code:
//! every top-level module sits in one layer, and every path into another
//! top-level module (`crate::x`, or `super::` climbing to the crate) leads
//! to a lower layer. Test code (`mod tests`, `tests.rs`) may read upward;
//! comments do not count.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The layers of `docs/architecture.md` ("## Layers"): module → layer.
fn documented() -> BTreeMap<String, u32> {
    let doc = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md"))
        .expect("docs/architecture.md");
    let section = doc
        .split("\n## Layers\n")
        .nth(1)
        .expect("docs/architecture.md has a \"## Layers\" section");
    let mut out = BTreeMap::new();
    for line in section.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.get(1).map(|c| c.parse::<u32>()) else {
            continue;
        };
        for m in cells[2].split(',') {
            let m = m.trim().trim_matches('`');
            assert!(out.insert(m.to_string(), layer).is_none(), "{m} twice");
        }
    }
    out
}

/// Each source file's module path below `src/` (`["stage", "proof"]`).
fn sources(dir: &Path, at: &[String], out: &mut Vec<(Vec<String>, String)>) {
    for e in fs::read_dir(dir).expect("src") {
        let e = e.expect("src entry");
        let name = e.file_name().to_string_lossy().into_owned();
        let mut path = at.to_vec();
        if e.file_type().expect("type").is_dir() {
            path.push(name);
            sources(&e.path(), &path, out);
            continue;
        }
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        if stem == "tests" || (at.is_empty() && matches!(stem, "lib" | "main" | "layers")) {
            continue;
        }
        if stem != "mod" {
            path.push(stem.to_string());
        }
        let text = fs::read_to_string(e.path()).expect("read source");
        out.push((path, text));
    }
}

/// The top-level modules `text` (of the module at `path`) names outside
/// its own, with the line: `crate::x`, or `super::` climbing to the crate.
fn reaches(path: &[String], text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("mod tests") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(i) = rest.find("crate::").or_else(|| rest.find("super::")) {
            let from_crate = rest[i..].starts_with("crate::");
            let mut tail = &rest[i..];
            let mut up = 0;
            if from_crate {
                tail = &tail["crate::".len()..];
                up = path.len();
            }
            while let Some(t) = tail.strip_prefix("super::") {
                tail = t;
                up += 1;
            }
            let ident: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if up >= path.len() && !ident.is_empty() && ident != path[0] {
                out.push((ident, line.trim().to_string()));
            }
            rest = &rest[i + 7..];
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let layers = documented();
    let mut files = Vec::new();
    sources(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &[],
        &mut files,
    );
    let mut wrong = Vec::new();
    for (path, text) in &files {
        let Some(&own) = layers.get(&path[0]) else {
            wrong.push(format!(
                "{}: not in a layer of docs/architecture.md",
                path[0]
            ));
            continue;
        };
        for (to, line) in reaches(path, text) {
            match layers.get(&to) {
                Some(&l) if l < own => {}
                Some(&l) => wrong.push(format!(
                    "{} (layer {own}) uses {to} (layer {l}): {line}",
                    path.join("::")
                )),
                None => wrong.push(format!("{}: {to} is in no layer: {line}", path.join("::"))),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_of_lib_rs_has_a_layer() {
    let layers = documented();
    let lib =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).expect("lib.rs");
    let mods: Vec<&str> = lib
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("pub(crate) mod "))
        })
        .filter_map(|l| l.split(';').next())
        .collect();
    assert!(!mods.is_empty());
    for m in &mods {
        assert!(
            layers.contains_key(*m),
            "{m} is in no layer of docs/architecture.md"
        );
    }
    for m in layers.keys() {
        assert!(
            mods.contains(&m.as_str()),
            "docs/architecture.md lays out {m}, lib.rs has none"
        );
    }
}

#[test]
fn a_reach_upward_is_seen() {
    let path = ["files".to_string(), "beneath".to_string()];
    let found = reaches(
        &path,
        "use crate::stage::proof;\n// crate::cli\nfn f() { super::super::cli::run() }\nuse super::fault;\nmod tests {\n use crate::check;\n}\n",
    );
    let names: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(names, ["stage", "cli"]);
}
