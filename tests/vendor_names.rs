//! Every vendor name (issue "What the field hands us"): each real file name
//! under `../shared/realworld*` and each name their real `.loads` lists
//! name is known to `names`; the names people quote from older devices and
//! other trees are known with their family, models and version; a name
//! loadsmith does not know in a root is a note, never silence.
use std::path::{Path, PathBuf};

use crate::support::json;
use loadsmith::signed::{header, loads};

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `names --json` on `names`: (name, known, family, models, version).
fn names(list: &[String]) -> Vec<serde_json::Value> {
    let mut args = vec!["names".to_string()];
    args.extend(list.iter().cloned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (doc, _) = json(&refs);
    doc["names"].as_array().unwrap().clone()
}

#[test]
fn every_real_name_in_the_shared_trees_is_known() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let Ok(rd) = std::fs::read_dir(&shared) else {
        eprintln!("skipped: ../shared is absent");
        return;
    };
    let mut files = Vec::new();
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with("realworld") && e.path().is_dir() {
            files_under(&e.path(), &mut files);
        }
    }
    if files.is_empty() {
        eprintln!("skipped: no ../shared/realworld* folder");
        return;
    }
    let mut all: Vec<String> = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name == "README.md" {
            continue;
        }
        // The names each real list holds are real names too.
        if name.to_ascii_lowercase().ends_with(".loads") {
            let bytes = std::fs::read(f).unwrap();
            if let Ok(h) = header::parse(&bytes)
                && let Ok(l) = loads::parse(&bytes[h.header_len as usize..])
            {
                all.extend(l.files.iter().chain(&l.optional).cloned());
            }
        }
        all.push(name);
    }
    all.sort();
    all.dedup();
    assert!(all.len() > 40, "{}", all.len());
    let got = names(&all);
    let unknown: Vec<&str> = got
        .iter()
        .filter(|n| n["known"] != true)
        .map(|n| n["input"].as_str().unwrap())
        .collect();
    assert!(
        unknown.is_empty(),
        "{} of {} unknown: {unknown:?}",
        unknown.len(),
        all.len()
    );
}

#[test]
fn names_from_older_devices_and_other_trees_are_known() {
    // name, family, a model it serves, version (when the name has one), role
    let table: &[(&str, &str, &str, Option<&str>, &str)] = &[
        (
            "cmterm-7941_7961-sccp.9-4-2SR1-1",
            "41",
            "7961",
            Some("9.4(2)SR1"),
            "bundle",
        ),
        (
            "cmterm-7940-7960-sccp.8-1-2.zip",
            "7940-7960",
            "7960",
            Some("8.1(2)"),
            "bundle",
        ),
        ("cm-7941_7961-sccp.zip", "41", "7941", None, "bundle"),
        (
            "P00405000700.bin",
            "7910",
            "7910",
            Some("05-00-07-00"),
            "application",
        ),
        (
            "P00503021900",
            "7935",
            "7935",
            Some("03-02-19-00"),
            "application",
        ),
        (
            "cmterm_7936.3-3-21-0",
            "7936",
            "7936",
            Some("3-3-21-0"),
            "application",
        ),
        (
            "cmterm_7936.3-3-21-0.cop.sgn",
            "7936",
            "7936",
            Some("3-3-21-0"),
            "bundle",
        ),
        (
            "cmterm_7985.4-1-7-0",
            "7985",
            "7985",
            Some("4-1-7-0"),
            "application",
        ),
        (
            "cmterm_7920.4.0-03-02.bin",
            "7920",
            "7920",
            Some("4.0-03-02"),
            "application",
        ),
        (
            "ATA030204SCCP090202A.zup",
            "ATA186",
            "ATA186",
            Some("03-02-04"),
            "application",
        ),
        (
            "ATA187.9-2-3-1",
            "ATA187",
            "ATA187",
            Some("9-2-3-1"),
            "application",
        ),
        (
            "kern78xx.10-3-1-12.sbn",
            "78xx",
            "7841",
            Some("10-3-1-12"),
            "component",
        ),
        (
            "rootfs78xx.10-3-1-12.sbn",
            "78xx",
            "7841",
            Some("10-3-1-12"),
            "component",
        ),
        (
            "sboot78xx.10-3-1-12.sbn",
            "78xx",
            "7841",
            Some("10-3-1-12"),
            "component",
        ),
        (
            "dsp2.78xx.10-3-1-12.sbn",
            "78xx",
            "7861",
            Some("10-3-1-12"),
            "component",
        ),
        (
            "kern88xx.11-0-1-11.sbn",
            "88xx",
            "8851",
            Some("11-0-1-11"),
            "component",
        ),
        (
            "S00105000400.sbn",
            "7914",
            "7914",
            Some("05-00-0400"),
            "application",
        ),
        (
            "B015-1-0-4-2.SBN",
            "7915",
            "7915",
            Some("1-0-4-2"),
            "application",
        ),
        ("term41.default", "41", "7941", None, "factory-default"),
        ("DISTINCTIVERLIST.XML", "", "", None, "support"),
    ];
    let list: Vec<String> = table.iter().map(|t| t.0.to_string()).collect();
    let got = names(&list);
    for ((name, family, model, version, role), n) in table.iter().zip(&got) {
        assert_eq!(n["input"], *name);
        assert_eq!(n["known"], true, "{n}");
        assert_eq!(n["role"], *role, "{n}");
        if !family.is_empty() {
            assert_eq!(n["family"].to_string().trim_matches('"'), *family, "{n}");
            assert!(
                n["models"].as_array().unwrap().iter().any(|m| m == model),
                "{n}"
            );
        }
        match version {
            Some(v) => assert_eq!(n["version"], *v, "{n}"),
            None => assert!(n["version"].is_null(), "{n}"),
        }
    }
    // Where the name says more than the family, the notes say it.
    let notes = |i: usize| got[i]["notes"].to_string();
    assert!(notes(0).contains("SCCP41.9-4-2SR1-1S") && notes(0).contains("without its ending"));
    assert!(notes(18).contains("term41.default.loads"), "{}", notes(18));
    // The device types the pointers of those trees use.
    for (model, dt) in [
        ("7910", 6),
        ("7935", 9),
        ("7936", 30019),
        ("7920", 30002),
        ("7985", 302),
    ] {
        let (doc, code) = json(&["names", &format!("load{dt}.txt")]);
        assert_eq!(code, 0, "{doc}");
        assert_eq!(doc["names"][0]["models"][0], model, "{doc}");
    }
}

#[test]
fn a_name_loadsmith_does_not_know_in_a_root_is_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Notes from the migration.rtf"), "x").unwrap();
    std::fs::write(dir.path().join("P00405000700.bin"), "x").unwrap();
    let (doc, _) = json(&["check", dir.path().to_str().unwrap()]);
    let findings = doc["findings"].as_array().unwrap();
    let about = |f: &str| {
        findings
            .iter()
            .filter(|x| {
                x["message"].as_str().unwrap_or("").contains(f)
                    || x["path"].as_str().unwrap_or("").contains(f)
            })
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        about("Notes from the migration.rtf"),
        vec!["unknown-member"],
        "{doc}"
    );
    assert!(
        !about("P00405000700.bin").contains(&"unknown-member".to_string()),
        "{doc}"
    );
}

#[test]
fn load_information_entries_of_no_device_type_or_another_family_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    // As a real tree writes them: zero-padded numbers, vendor labels.
    std::fs::write(
        dir.path().join("XMLDefault.cnf.xml"),
        "<Default>\n\
         <loadInformation00005 model=\"Cisco IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation00005>\n\
         <loadInformation00006 model=\"Cisco IP Phone 7910\">SCCP11.9-4-2SR3-1S</loadInformation00006>\n\
         <loadInformation30018 model=\"Cisco IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>\n\
         <loadInformation8 model=\"Cisco IP Phone 7940\">P0S3-8-12-00</loadInformation8>\n\
         </Default>\n",
    )
    .unwrap();
    let (doc, code) = json(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    let labels: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "model-label")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(
        labels[0].contains("loadInformation5")
            && labels[0].contains("5 is no device type")
            && labels[0].contains("loadInformation30018"),
        "{labels:?}"
    );
    assert!(
        labels[1].contains("the 7910's entry") && labels[1].contains("7906/7911"),
        "{labels:?}"
    );
}
