//! One cause, one finding (issue 24): a root with one problem gives one
//! error finding listing the phones it strands, and `check` of it fits on
//! a screen; each per-phone file's phone is walked with its own MAC, alike
//! files once (issue 21 §6); a cluster's root is checked in bounded memory
//! (issue 26 point 5).

use std::path::Path;

use serde_json::Value;

use crate::support::*;

const SIP: &str = "P0S3-8-12-00";
const SCCP41: &str = "SCCP41.9-4-2SR3-1S";

/// A mixed root as sites run them: SIP 8.12 for the 7940/7960, the 79x1
/// SCCP load for the 7941/7961 family with its term files, every model
/// given its load by number in `XMLDefault.cnf.xml`.
fn mixed_root() -> tempfile::TempDir {
    let mut files = sip812();
    // OS79XX.TXT as a stage writes it (the universal loader), so that a
    // phone still on its pre-loader image has no problem here either.
    for (name, body) in files.iter_mut() {
        if name == "OS79XX.TXT" {
            *body = b"P003-8-12-00\r\n".to_vec();
        }
    }
    files.extend(sccp41());
    files.push((
        "SIPDefault.cnf".into(),
        format!("image_version: {SIP}\n").into_bytes(),
    ));
    let mut xml = String::from("<Default>\n");
    for (n, load) in [
        (8, SIP),
        (7, SIP),
        (115, SCCP41),
        (309, SCCP41),
        (30018, SCCP41),
        (308, SCCP41),
    ] {
        xml.push_str(&format!(
            "<loadInformation{n}>{load}</loadInformation{n}>\n"
        ));
    }
    xml.push_str("</Default>\n");
    files.push(("XMLDefault.cnf.xml".into(), xml.into_bytes()));
    let d = tempfile::tempdir().unwrap();
    write_files(d.path(), &files);
    d
}

/// `check ROOT` in human words: stdout and exit code.
fn human(root: &Path) -> (String, i32) {
    let out = loadsmith().arg("check").arg(root).output().expect("run");
    let text = String::from_utf8(out.stdout).unwrap();
    (text, out.status.code().unwrap_or(-1))
}

fn check_json(root: &Path) -> (Value, i32) {
    json(&["check", &root.to_string_lossy()])
}

fn errors(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect()
}

/// The (model, state) pairs a finding strands.
fn strands(f: &Value) -> Vec<(String, String)> {
    f["strands"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["model"].as_str().unwrap().to_string(),
                        s["state"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pair(model: &str, state: &str) -> (String, String) {
    (model.to_string(), state.to_string())
}

/// The fleet rows of `model` for phones with no per-phone file.
fn default_rows<'a>(doc: &'a Value, model: &str) -> Vec<&'a Value> {
    doc["fleet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["model"] == model && r.get("phones").is_none())
        .collect()
}

/// The human output has fewer than 25 lines, one error finding, and says
/// `sentence` once; `strands` is its line of stranded phones.
fn fits_on_a_screen(root: &Path, sentence: &str, strands: &str) {
    let (text, code) = human(root);
    assert_eq!(code, 1, "{text}");
    let lines = text.lines().count();
    assert!(lines < 25, "{lines} lines:\n{text}");
    assert_eq!(text.matches(sentence).count(), 1, "{text}");
    assert!(text.contains("FAIL: 1 error,"), "{text}");
    assert!(
        text.lines().any(|l| l.trim() == strands),
        "no line {strands:?}:\n{text}"
    );
}

#[test]
fn one_file_no_one_may_read_is_one_not_served_finding_listing_the_phones_it_strands() {
    let d = mixed_root();
    let sb2 = d.path().join(format!("{SIP}.sb2"));
    let mut perm = std::fs::metadata(&sb2).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o600);
    std::fs::set_permissions(&sb2, perm).unwrap();

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "one cause, one error: {errs:#?}");
    assert_eq!(errs[0]["code"], "not-served");
    assert_eq!(errs[0]["member"], format!("{SIP}.sb2"));
    assert_eq!(
        strands(errs[0]),
        vec![
            pair("7940", "loader era"),
            pair("7940", "pre-loader"),
            pair("7960", "loader era"),
            pair("7960", "pre-loader")
        ]
    );
    for model in ["7940", "7960"] {
        let rows = default_rows(&doc, model);
        assert_eq!(rows[0]["kind"], "error", "{doc}");
        assert_eq!(rows[0]["cause"], "not-served", "{doc}");
    }
    // The 79x1 phones never ask for the SIP image: they settle, unlisted.
    assert_eq!(default_rows(&doc, "7941")[0]["kind"], "settles");

    fits_on_a_screen(
        d.path(),
        "File must have global read permissions",
        "strands 7940, 7960 (loader era, pre-loader)",
    );
}

#[test]
fn a_dangling_pointer_is_one_finding_listing_the_phones_told_to_load_it() {
    let d = mixed_root();
    let xml = d.path().join("XMLDefault.cnf.xml");
    let text = std::fs::read_to_string(&xml).unwrap().replace(
        &format!("<loadInformation115>{SCCP41}"),
        "<loadInformation115>SCCP41.9-4-2SR4-1S",
    );
    std::fs::write(&xml, text).unwrap();

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "one cause, one error: {errs:#?}");
    assert_eq!(errs[0]["code"], "dangling-pointer");
    assert_eq!(
        strands(errs[0]),
        vec![pair("7941", "loader era"), pair("7941", "factory reset")]
    );
    for row in default_rows(&doc, "7941") {
        assert_eq!(row["kind"], "loops", "{doc}");
        assert_eq!(row["cause"], "dangling-pointer", "{doc}");
    }
    assert_eq!(default_rows(&doc, "7961")[0]["kind"], "settles");

    fits_on_a_screen(
        d.path(),
        "names SCCP41.9-4-2SR4-1S, but the root holds no",
        "strands 7941 (loader era, factory reset)",
    );
}

#[test]
fn a_missing_term_file_is_one_finding_listing_the_models_that_loop_on_it() {
    let d = mixed_root();
    std::fs::remove_file(d.path().join("term41.default.loads")).unwrap();

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "one cause, one error: {errs:#?}");
    assert_eq!(errs[0]["member"], "term41.default.loads");
    assert!(
        errs[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("loops asking for term41.default.loads"),
        "{}",
        errs[0]
    );
    assert_eq!(
        strands(errs[0]),
        vec![
            pair("7941", "factory reset"),
            pair("7941G-GE", "factory reset")
        ]
    );

    fits_on_a_screen(
        d.path(),
        "loops asking for term41.default.loads",
        "strands 7941, 7941G-GE (factory reset)",
    );
    // Each row refers to the finding instead of repeating its sentence.
    let (text, _) = human(d.path());
    assert!(
        text.contains("see phone-fails (term41.default.loads)"),
        "{text}"
    );
}

#[test]
fn a_file_three_lists_name_and_the_root_lacks_is_one_missing_member_finding() {
    let d = mixed_root();
    // Listed by the load's .loads and by both term files.
    std::fs::remove_file(d.path().join("dsp41.9-4-2ES26.sbn")).unwrap();

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "one cause, one error: {errs:#?}");
    assert_eq!(errs[0]["code"], "missing-member");
    assert_eq!(errs[0]["member"], "dsp41.9-4-2ES26.sbn");
    let m = errs[0]["message"].as_str().unwrap();
    for list in [
        "SCCP41.9-4-2SR3-1S.loads",
        "term41.default.loads",
        "term61.default.loads",
    ] {
        assert!(m.contains(list), "{m}");
    }
    // Every 79x1 phone: asking for the file, or looping on a term file
    // that lists it.
    let mut want = Vec::new();
    for state in ["loader era", "factory reset"] {
        for model in ["7941", "7941G-GE", "7961", "7961G-GE"] {
            want.push(pair(model, state));
        }
    }
    let mut got = strands(errs[0]);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // The pointers to the incomplete set still say so, in their own block.
    let (text, _) = human(d.path());
    assert!(
        text.contains("DANGLING XMLDefault.cnf.xml loadInformation115"),
        "{text}"
    );
    assert!(text.lines().count() < 25, "{text}");
}

#[test]
fn a_phone_failure_no_root_finding_explains_stays_a_finding_of_its_own() {
    let d = mixed_root();
    // The 7941's entry names the 7940/7960 image: no pointer dangles, no
    // file is unserved, and the 7941 refuses another family's image.
    let xml = d.path().join("XMLDefault.cnf.xml");
    let text = std::fs::read_to_string(&xml).unwrap().replace(
        &format!("<loadInformation115>{SCCP41}"),
        &format!("<loadInformation115>{SIP}"),
    );
    std::fs::write(&xml, text).unwrap();

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    // No root finding to list them in: each failure is a `phone-fails`
    // finding of its own (the two states end in other words).
    assert_eq!(errs.len(), 2, "{errs:#?}");
    let mut stranded = Vec::new();
    for f in &errs {
        assert_eq!(f["code"], "phone-fails", "{f}");
        let m = f["message"].as_str().unwrap();
        assert!(m.starts_with("a 7941 ("), "{m}");
        assert!(m.contains("tells the 7941 to load P0S3-8-12-00"), "{m}");
        stranded.extend(strands(f));
    }
    assert_eq!(
        stranded,
        vec![pair("7941", "loader era"), pair("7941", "factory reset")]
    );
}

/// Writes `n` per-phone files `SEP<MAC>.cnf.xml` (MACs from `first`) with `body`.
fn per_phone_files(root: &Path, first: u64, n: u64, body: &str) {
    for i in 0..n {
        let mac = format!("{:012X}", first + i);
        std::fs::write(root.join(format!("SEP{mac}.cnf.xml")), body).unwrap();
    }
}

/// The fleet rows of phones with per-phone files.
fn per_phone_rows(doc: &Value) -> Vec<&Value> {
    doc["fleet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("phones").is_some())
        .collect()
}

#[test]
fn a_per_phone_file_naming_a_load_the_root_lacks_fails_that_phone_while_the_default_phone_settles()
{
    let d = mixed_root();
    per_phone_files(
        d.path(),
        0x0011_2200_00AA,
        1,
        "<device>\n<loadInformation115>SCCP41.9-4-2SR9-9S</loadInformation115>\n</device>\n",
    );

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0]["code"], "dangling-pointer");
    assert_eq!(errs[0]["member"], "SEP0011220000AA.cnf.xml");
    assert_eq!(errs[0]["strands"][0]["model"], "7941");
    assert_eq!(errs[0]["strands"][0]["macs"][0], "0011220000AA");
    let rows = per_phone_rows(&doc);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["model"], "7941");
    assert_eq!(rows[0]["kind"], "loops");
    assert_eq!(rows[0]["phones"]["file"], "SEP0011220000AA.cnf.xml");
    assert_eq!(rows[0]["cause"], "dangling-pointer");
    // A 7941 with no per-phone file still settles on the shared load.
    for row in default_rows(&doc, "7941") {
        assert_eq!(row["kind"], "settles", "{doc}");
    }

    let (text, _) = human(d.path());
    assert!(
        text.contains("strands 7941 at MAC 0011220000AA (loader era)"),
        "{text}"
    );
    assert!(text.contains("SEP0011220000AA.cnf.xml names SCCP41.9-4-2SR9-9S"));
}

#[test]
fn two_hundred_identical_per_phone_files_give_one_row() {
    let d = mixed_root();
    let body = format!(
        "<device>\n<deviceProtocol>SCCP</deviceProtocol>\n<loadInformation115 model=\"IP Phone 7941\">{SCCP41}</loadInformation115>\n</device>\n"
    );
    per_phone_files(d.path(), 0x0011_2200_0100, 200, &body);

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 0, "{doc}");
    let rows = per_phone_rows(&doc);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["model"], "7941");
    assert_eq!(rows[0]["kind"], "settles");
    assert_eq!(rows[0]["phones"]["count"], 200);
    assert_eq!(
        rows[0]["phones"]["macs"],
        serde_json::json!(["001122000100", "001122000101", "001122000102"])
    );

    let (text, _) = human(d.path());
    assert!(
        text.contains("loader era, SEP001122000100.cnf.xml (+199 more)"),
        "{text}"
    );
}

#[test]
fn per_phone_files_read_apart_keep_their_checks_not_served_links_and_fifos() {
    let d = mixed_root();
    let body = format!("<device><loadInformation115>{SCCP41}</loadInformation115></device>");
    let locked = d.path().join("SEP0011220000B1.cnf.xml");
    std::fs::write(&locked, body).unwrap();
    let mut perm = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o600);
    std::fs::set_permissions(&locked, perm).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.path().join("SEP0011220000B2.cnf.xml")).unwrap();
    let fifo = d.path().join("SEP0011220000B3.cnf.xml");
    crate::support::mkfifo(&fifo);

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let errs = errors(&doc);
    let found: Vec<(&str, &str)> = errs
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["member"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("not-served", "SEP0011220000B1.cnf.xml"),
            ("link-member", "SEP0011220000B2.cnf.xml"),
            ("link-member", "SEP0011220000B3.cnf.xml"),
        ],
        "{errs:#?}"
    );
    // The phone of the file the server refuses: listed in that finding.
    assert_eq!(errs[0]["strands"][0]["model"], "7941");
    assert_eq!(errs[0]["strands"][0]["macs"][0], "0011220000B1");
}

/// Per-phone files of the cluster-sized root (the size of issue 26's: its
/// `check` peaked at 104 MB then, over 2 KiB a file).
const CLUSTER: u64 = 50_000;

/// A cluster's root: 50,000 per-phone files as CUCM writes them, naming the
/// root's load (one in 997 a load it lacks), beside a mixed root's sets.
#[test]
fn checking_fifty_thousand_per_phone_files_stays_under_64_mib() {
    let d = mixed_root();
    for i in 0..CLUSTER {
        let mac = format!("{:012X}", 0x0011_2200_0000 + i);
        let load = if i % 997 == 0 {
            "SCCP41.9-4-2SR9-9S"
        } else {
            SCCP41
        };
        let body = format!(
            "<device>\n<deviceProtocol>SCCP</deviceProtocol>\n<devicePool><name>Default</name></devicePool>\n<loadInformation model=\"IP Phone 7941\">{load}</loadInformation>\n<userLocale><name>English_United_States</name></userLocale>\n</device>\n"
        );
        std::fs::write(d.path().join(format!("SEP{mac}.cnf.xml")), body).unwrap();
    }
    let root = d.path().to_string_lossy().to_string();
    for args in [vec!["check", &root], vec!["--json", "check", &root]] {
        let Some(peak) = peak_kib(&args) else {
            return;
        };
        println!("{args:?}: {peak} KiB");
        assert!(peak < 64 * 1024, "{args:?}: {peak} KiB");
    }
    // Every pointer is still listed, and the missing load is one finding.
    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1);
    let pointers = doc["pointers"].as_array().unwrap().len() as u64;
    assert_eq!(pointers, 6 + 2 + CLUSTER);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{} per-phone files", CLUSTER.div_ceil(997))),
        "{}",
        errs[0]
    );
}

/// A per-phone file the server refuses stands for no other phone, even
/// when its settings equal a readable one's: its phone is walked with its
/// own MAC and listed in `not-served`; a folder named like a per-phone
/// file strands its phone too (the server answers it with an error).
#[test]
fn an_odd_per_phone_file_is_walked_alone_never_taken_for_a_readable_twin() {
    let d = mixed_root();
    let body = format!("<device><loadInformation115>{SCCP41}</loadInformation115></device>");
    std::fs::write(d.path().join("SEP0011220000C1.cnf.xml"), &body).unwrap();
    let locked = d.path().join("SEP0011220000C2.cnf.xml");
    std::fs::write(&locked, &body).unwrap();
    let mut perm = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o600);
    std::fs::set_permissions(&locked, perm).unwrap();
    std::fs::create_dir(d.path().join("SEP0011220000C3.cnf.xml")).unwrap();

    let (doc, code) = check_json(d.path());
    assert_eq!(code, 1, "{doc}");
    let rows: Vec<&Value> = doc["fleet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("phones").is_some())
        .collect();
    let row_of = |mac: &str| {
        rows.iter()
            .filter(|r| {
                r["phones"]["macs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m == mac)
            })
            .map(|r| {
                (
                    r["kind"].as_str().unwrap(),
                    r["phones"]["count"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        row_of("0011220000C1").iter().all(|r| *r == ("settles", 1)),
        "{doc}"
    );
    assert!(
        row_of("0011220000C2").iter().all(|r| *r == ("error", 1)),
        "{doc}"
    );
    assert!(
        row_of("0011220000C3").iter().all(|r| r.0 == "error"),
        "{doc}"
    );
    assert!(!row_of("0011220000C3").is_empty(), "{doc}");
    let errs = errors(&doc);
    let served = errs.iter().find(|f| f["code"] == "not-served").unwrap();
    assert_eq!(served["member"], "SEP0011220000C2.cnf.xml");
    assert_eq!(served["strands"][0]["macs"][0], "0011220000C2", "{served}");
    assert!(
        errs.iter().any(|f| f["strands"]
            .as_array()
            .is_some_and(|s| s.iter().any(|p| p["macs"][0] == "0011220000C3"))),
        "{errs:#?}"
    );
}
