//! `loadsmith inspect` through the real binary, on bundles built here.

use crate::support::*;
use predicates::prelude::*;
use tempfile::TempDir;
use zip::CompressionMethod;

fn tmp() -> TempDir {
    tempfile::tempdir().unwrap()
}

fn p(d: &TempDir, name: &str) -> String {
    d.path().join(name).to_string_lossy().to_string()
}

const CLEAN_OK: &[&str] = &["unsigned-image", "unknown-member"];

fn assert_clean(doc: &serde_json::Value, i: usize) {
    for c in codes(doc, i) {
        assert!(
            CLEAN_OK.contains(&c.as_str()),
            "unexpected finding {c} in {}",
            doc["bundles"][i]
        );
    }
}

#[test]
fn clean_sip812_zip_reports_members_sets_and_digests() {
    let d = tmp();
    let files = sip812();
    zip(&d.path().join("sip.zip"), &files);
    let (doc, code) = json(&["inspect", &p(&d, "sip.zip")]);
    assert_eq!(code, 0);
    let b = &doc["bundles"][0];
    assert_eq!(b["format"], "zip");
    assert_eq!(b["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(b["members"].as_array().unwrap().len(), 5);
    let sb2 = b["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "P0S3-8-12-00.sb2")
        .unwrap();
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(&files[4].1)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    assert_eq!(sb2["sha256"], want);
    assert_eq!(sb2["image"]["version"], "8.12");
    assert_eq!(sb2["signed"]["embedded_name"], "P0S3-8-12-00.sb2");
    assert_eq!(sb2["signed"]["header_len"], 0x194);
    let loads = b["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "P0S3-8-12-00.loads")
        .unwrap();
    assert_eq!(loads["loads"]["la_version"], "PAS30830");
    let set = &b["sets"][0];
    assert_eq!(set["load"], "P0S3-8-12-00");
    assert_eq!(set["protocol"], "sip");
    assert_eq!(set["complete"], true);
    assert_eq!(
        set["files"],
        serde_json::json!(["P0S3-8-12-00.loads", "P003-8-12-00.sbn", "P0S3-8-12-00.sb2"])
    );
    assert_eq!(set["missing"], serde_json::json!([]));
    assert_eq!(codes(&doc, 0), ["unsigned-image"]);
}

#[test]
fn every_format_reads_the_same_set() {
    let d = tmp();
    let files = sccp41();
    zip(&d.path().join("a.zip"), &files);
    zip_with(
        &d.path().join("b.zip"),
        &files,
        CompressionMethod::Stored,
        Some("cmterm-7941_7961-sccp.9-4-2SR3-1"),
    );
    cop(&d.path().join("c.cop"), &files);
    cop_sgn(&d.path().join("d.cop.sgn"), &files);
    std::fs::write(d.path().join("e.tar"), tar_bytes(&files)).unwrap();
    std::fs::write(d.path().join("f.tar.gz"), gz(&tar_bytes(&files))).unwrap();
    let names = ["a.zip", "b.zip", "c.cop", "d.cop.sgn", "e.tar", "f.tar.gz"];
    let args: Vec<String> = std::iter::once("inspect".to_string())
        .chain(names.iter().map(|n| p(&d, n)))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (doc, code) = json(&args);
    assert_eq!(code, 0, "{doc}");
    let formats: Vec<&str> = (0..6)
        .map(|i| doc["bundles"][i]["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        ["zip", "zip", "tar.gz", "cop.sgn", "tar", "tar.gz"]
    );
    for i in 0..6 {
        assert_clean(&doc, i);
        let sets = doc["bundles"][i]["sets"].as_array().unwrap();
        let main = sets
            .iter()
            .find(|s| s["load"] == "SCCP41.9-4-2SR3-1S")
            .unwrap();
        assert_eq!(main["complete"], true);
        assert_eq!(main["files"].as_array().unwrap().len(), 6);
        assert!(
            sets.iter()
                .any(|s| s["load"] == "term61.default" && s["stands_for"] == "SCCP41.9-4-2SR3-1S")
        );
    }
    // Members inside a folder count by base name, with the path kept.
    let m = &doc["bundles"][1]["members"][0];
    assert_eq!(m["name"], "SCCP41.9-4-2SR3-1S.loads");
    assert!(
        m["path"]
            .as_str()
            .unwrap()
            .starts_with("cmterm-7941_7961-sccp")
    );
}

#[test]
fn real_vendor_sets_inspect_complete_and_broken_copies_are_named() {
    let (Some(sip812), Some(sip41)) = (
        realworld("sip-7940-7960-8.12"),
        realworld("sip-7941-7961-8.5.4"),
    ) else {
        return;
    };
    let d = tmp();
    zip(&d.path().join("P0S3-8-12-00.zip"), &sip812);
    zip(&d.path().join("cm-7941_7961-sip.8-5-4.zip"), &sip41);
    zip(
        &d.path().join("missing.zip"),
        &without(sip41.clone(), "dsp41.8-5-4TH1-6.sbn"),
    );
    zip(
        &d.path().join("renamed.zip"),
        &renamed(sip41.clone(), "cnu41.8-5-4TH1-6.sbn", "cnu41.8-5-4.sbn"),
    );
    let (doc, code) = json(&[
        "inspect",
        &p(&d, "P0S3-8-12-00.zip"),
        &p(&d, "cm-7941_7961-sip.8-5-4.zip"),
        &p(&d, "missing.zip"),
        &p(&d, "renamed.zip"),
    ]);
    assert_eq!(code, 1);
    for i in 0..2 {
        assert_clean(&doc, i);
        assert!(
            doc["bundles"][i]["sets"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["complete"] == true)
        );
    }
    assert_eq!(doc["bundles"][0]["sets"][0]["load"], "P0S3-8-12-00");
    assert_eq!(doc["bundles"][1]["sets"][0]["load"], "SIP41.8-5-4S");
    let f = finding(&doc, 2, "missing-member").unwrap();
    assert_eq!(f["member"], "dsp41.8-5-4TH1-6.sbn");
    assert_eq!(f["severity"], "error");
    let f = finding(&doc, 3, "embedded-name-mismatch").unwrap();
    assert_eq!(f["member"], "cnu41.8-5-4.sbn");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("cnu41.8-5-4TH1-6.sbn")
    );
}

#[test]
fn damaged_archives_are_truncated_or_crc_mismatch() {
    let d = tmp();
    let files = sip812();
    zip(&d.path().join("ok.zip"), &files);
    let bytes = std::fs::read(d.path().join("ok.zip")).unwrap();
    std::fs::write(d.path().join("cut.zip"), &bytes[..bytes.len() * 2 / 3]).unwrap();
    zip_with(
        &d.path().join("stored.zip"),
        &files,
        CompressionMethod::Stored,
        None,
    );
    let mut s = std::fs::read(d.path().join("stored.zip")).unwrap();
    let at = s.windows(12).position(|w| w == b"P0S3-8-12-00").unwrap();
    let at = at + s[at..].windows(4).position(|w| w[0] == 0xEA).unwrap_or(200) + 1000;
    s[at] ^= 0xFF;
    std::fs::write(d.path().join("crc.zip"), &s).unwrap();
    let gzb = gz(&tar_bytes(&files));
    std::fs::write(d.path().join("cut.cop"), &gzb[..gzb.len() / 2]).unwrap();
    let mut short = sccp41();
    let last = short.len() - 1;
    let n = short[last].1.len();
    short[last].1.truncate(n - 100);
    cop(&d.path().join("cnu.cop"), &short);
    let (doc, code) = json(&[
        "inspect",
        &p(&d, "cut.zip"),
        &p(&d, "crc.zip"),
        &p(&d, "cut.cop"),
        &p(&d, "cnu.cop"),
    ]);
    assert_eq!(code, 1);
    assert!(
        codes(&doc, 0).contains(&"truncated".to_string()),
        "{:?}",
        codes(&doc, 0)
    );
    assert!(
        codes(&doc, 1).contains(&"crc-mismatch".to_string()),
        "{:?}",
        codes(&doc, 1)
    );
    assert!(
        codes(&doc, 2).contains(&"truncated".to_string()),
        "{:?}",
        codes(&doc, 2)
    );
    let f = finding(&doc, 3, "truncated").unwrap();
    assert_eq!(f["member"], short[last].0);
}

#[test]
fn checksums_are_verified_sha512_and_sha256() {
    use sha2::Digest;
    let d = tmp();
    zip(&d.path().join("good.zip"), &sip812());
    zip(&d.path().join("bad.zip"), &sccp41());
    let good = std::fs::read(d.path().join("good.zip")).unwrap();
    let h512: String = sha2::Sha512::digest(&good)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let sums = format!("{h512}  good.zip\nSHA256 (bad.zip) = {}\n", "0".repeat(64));
    std::fs::write(d.path().join("SHA512SUMS"), sums).unwrap();
    let (doc, code) = json(&[
        "inspect",
        "--checksums",
        &p(&d, "SHA512SUMS"),
        &p(&d, "good.zip"),
        &p(&d, "bad.zip"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc["bundles"][0]["sha512"], h512);
    assert!(finding(&doc, 0, "checksum-verified").is_some());
    assert!(finding(&doc, 1, "checksum-mismatch").is_some());
}

#[test]
fn hostile_members_are_flagged() {
    let d = tmp();
    let mut files = sip812();
    files.push(("../../etc/evil.sbn".into(), b"x".to_vec()));
    files.push(("C:/win.bin".into(), b"x".to_vec()));
    zip(&d.path().join("slip.zip"), &files);
    // A tar with links and a device.
    let links = tar_with(|b| {
        special(
            b,
            tar::EntryType::Symlink,
            "SIPDefault.cnf",
            Some("/etc/passwd"),
        );
        special(b, tar::EntryType::Char, "null", None);
    });
    std::fs::write(d.path().join("links.tar"), links).unwrap();
    // Duplicates, case collisions, unknown members, an OS79XX.TXT with a trailing space.
    let mut files = sip812();
    files[0].1 = b"P003-8-12-00 \r\n".to_vec();
    files.push(("readme.txt".into(), b"notes".to_vec()));
    files.push(("p0s3-8-12-00.SB2".into(), b"x".to_vec()));
    zip(&d.path().join("names.zip"), &files);
    let mut z = files.clone();
    z.push(("other/P0S3-8-12-00.sb2".into(), b"y".to_vec()));
    zip(&d.path().join("dup.zip"), &z);
    let (doc, code) = json(&[
        "inspect",
        &p(&d, "slip.zip"),
        &p(&d, "links.tar"),
        &p(&d, "names.zip"),
        &p(&d, "dup.zip"),
    ]);
    assert_eq!(code, 1);
    let unsafe_members: Vec<&str> = doc["bundles"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unsafe-path")
        .map(|f| f["member"].as_str().unwrap())
        .collect();
    assert_eq!(unsafe_members.len(), 2, "{unsafe_members:?}");
    assert_eq!(
        codes(&doc, 1)
            .iter()
            .filter(|c| *c == "link-member")
            .count(),
        2
    );
    let c = codes(&doc, 2);
    for want in ["os79xx-format", "unknown-member", "duplicate-member"] {
        assert!(c.contains(&want.to_string()), "{want} in {c:?}");
    }
    assert!(
        finding(&doc, 2, "os79xx-format").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("white space")
    );
    assert_eq!(
        finding(&doc, 3, "duplicate-member").unwrap()["member"],
        "P0S3-8-12-00.sb2"
    );
}

#[test]
fn body_mismatches_and_bad_headers_are_found() {
    let d = tmp();
    let mut files = sip812();
    files[1].1[100] ^= 1; // the .bin no longer equals the .sbn body
    zip(&d.path().join("loader.zip"), &files);
    let mut f41 = sccp41();
    let t = f41
        .iter_mut()
        .find(|f| f.0 == "term41.default.loads")
        .unwrap();
    t.1 = signed("term41.default.loads", b"jar41sccp.9-4-2ES25.sbn\r\n");
    zip(&d.path().join("term.zip"), &f41);
    let mut bad = sip812();
    bad[4].1[11] = 0xFF; // an element length past the header
    bad.push(("X.loads".into(), signed("X.loads", &[0u8; 10])));
    zip(&d.path().join("header.zip"), &bad);
    let (doc, code) = json(&[
        "inspect",
        &p(&d, "loader.zip"),
        &p(&d, "term.zip"),
        &p(&d, "header.zip"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&doc, 0, "body-mismatch").unwrap()["member"],
        "P003-8-12-00.sbn"
    );
    assert_eq!(
        finding(&doc, 1, "body-mismatch").unwrap()["member"],
        "term41.default.loads"
    );
    assert!(
        finding(&doc, 1, "missing-member").is_some(),
        "the term list names a file that is absent"
    );
    assert_eq!(
        finding(&doc, 2, "bad-header").unwrap()["member"],
        "P0S3-8-12-00.sb2"
    );
    assert_eq!(finding(&doc, 2, "bad-loads").unwrap()["member"], "X.loads");
}

#[test]
fn wrong_extension_is_a_warning_and_the_bytes_win() {
    let d = tmp();
    zip(&d.path().join("really-a-zip.cop"), &sip812());
    let (doc, code) = json(&["inspect", &p(&d, "really-a-zip.cop")]);
    assert_eq!(code, 0);
    assert_eq!(doc["bundles"][0]["format"], "zip");
    assert_eq!(
        finding(&doc, 0, "wrong-extension").unwrap()["severity"],
        "warning"
    );
}

#[test]
fn folders_give_their_bundles_and_their_loose_files() {
    let d = tmp();
    std::fs::create_dir_all(d.path().join("downloads/old")).unwrap();
    zip(&d.path().join("downloads/sip.zip"), &sip812());
    cop(&d.path().join("downloads/old/sccp41.cop"), &sccp41());
    std::fs::create_dir(d.path().join("tftp")).unwrap();
    for (n, b) in without(sip812(), "P0S3-8-12-00.sb2") {
        std::fs::write(d.path().join("tftp").join(n), b).unwrap();
    }
    let (doc, code) = json(&["inspect", &p(&d, "downloads"), &p(&d, "tftp")]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = doc["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["format"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["tar.gz", "zip", "directory"]);
    assert_eq!(
        finding(&doc, 2, "missing-member").unwrap()["member"],
        "P0S3-8-12-00.sb2"
    );
    assert!(doc["bundles"][2]["sha256"].is_null());
}

#[test]
fn unreadable_inputs_exit_2_and_the_rest_is_still_inspected() {
    let d = tmp();
    zip(&d.path().join("sip.zip"), &sip812());
    std::fs::write(d.path().join("notes.docx"), b"hello").unwrap();
    let out = loadsmith()
        .args([
            "inspect",
            &p(&d, "sip.zip"),
            &p(&d, "nope.zip"),
            &p(&d, "notes.docx"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.zip"))
        .stderr(predicate::str::contains(
            "notes.docx is not a firmware bundle",
        ))
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("P0S3-8-12-00"));
}

#[test]
fn deep_lists_cnu_entries() {
    let d = tmp();
    zip(&d.path().join("a.zip"), &sccp41());
    let (doc, _) = json(&["inspect", "--deep", &p(&d, "a.zip")]);
    let m = doc["bundles"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "cnu41.9-4-2ES26.sbn")
        .unwrap();
    assert_eq!(m["cnu"]["entries"][1]["name"], "version.txt");
    let (doc, _) = json(&["inspect", &p(&d, "a.zip")]);
    assert!(doc["bundles"][0]["members"][1].get("cnu").is_none());
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let d = tmp();
    for i in 0..6 {
        zip(&d.path().join(format!("s{i}.zip")), &sip812());
        cop(&d.path().join(format!("c{i}.cop")), &sccp41());
    }
    let (one, _) = json(&["inspect", "--jobs", "1", &p(&d, "")]);
    let (four, _) = json(&["inspect", "--jobs", "4", &p(&d, "")]);
    assert_eq!(one, four);
    assert_eq!(one["bundles"].as_array().unwrap().len(), 12);
}

#[test]
fn human_output_is_compact_and_stable() {
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip");
    let out = loadsmith()
        .args(["inspect", sample.to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out).replace(sample.to_str().unwrap(), "[sample]");
    insta::assert_snapshot!(text);
}

#[test]
fn a_loose_signed_file_with_gzip_bytes_is_not_a_cop_sgn() {
    // Regression: a vendor .sbn whose body holds gzip data was read as a .cop.sgn bundle.
    let d = tmp();
    let mut body = b"junk".to_vec();
    body.extend_from_slice(&gz(b"compressed component data"));
    let files: Files = vec![(
        "cvm41sip.8-5-4TH1-6.sbn".into(),
        signed("cvm41sip.8-5-4TH1-6.sbn", &body),
    )];
    for (n, b) in &files {
        std::fs::write(d.path().join(n), b).unwrap();
    }
    let (doc, code) = json(&["inspect", &p(&d, "")]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["bundles"][0]["format"], "directory");
    assert_eq!(
        doc["bundles"][0]["members"][0]["name"],
        "cvm41sip.8-5-4TH1-6.sbn"
    );
}

#[test]
fn one_zip_read_on_several_threads_reports_exactly_as_one_thread() {
    // Members of one zip are spread over threads: the reports, their order and
    // the findings (a CRC failure, a missing member, an unsafe name, a
    // renamed file) must be those of a single-threaded read.
    let d = tmp();
    let mut files = renamed(sip812(), "P003-8-12-00.bin", "P003-8-12-00-copy.bin");
    files.extend(without(sccp41(), "dsp41.9-4-2ES26.sbn"));
    files.push(("../evil.sbn".into(), signed("evil.sbn", b"x")));
    for i in 0..40 {
        let n = format!("extra{i:02}.txt");
        files.push((n, image_body("filler", 5000 + 97 * i)));
    }
    zip_with(
        &d.path().join("big.zip"),
        &files,
        CompressionMethod::Stored,
        None,
    );
    let mut s = std::fs::read(d.path().join("big.zip")).unwrap();
    let at = s.windows(6).position(|w| w == b"filler").unwrap() + 3000;
    s[at] ^= 0xFF;
    std::fs::write(d.path().join("big.zip"), &s).unwrap();
    let runs: Vec<(serde_json::Value, i32)> = ["1", "2", "4"]
        .iter()
        .map(|j| json(&["inspect", "--jobs", j, &p(&d, "big.zip")]))
        .collect();
    assert_eq!(runs[0].1, 1);
    for code in ["crc-mismatch", "missing-member", "unsafe-path"] {
        assert!(codes(&runs[0].0, 0).contains(&code.to_string()), "{code}");
    }
    assert_eq!(
        runs[0].0["bundles"][0]["members"].as_array().unwrap().len(),
        files.len()
    );
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
    let human = |j: &str| {
        loadsmith()
            .args(["inspect", "--jobs", j, &p(&d, "big.zip")])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(human("1"), human("2"));
}

#[test]
fn a_cop_sgn_header_is_shown_and_a_renamed_one_is_flagged() {
    let d = tempfile::tempdir().unwrap();
    let name = "cmterm-7941_7961-sccp.9-4-2SR3-1.cop.sgn";
    let good = d.path().join(name);
    cop_sgn(&good, &sccp41());
    let (doc, _) = json(&["inspect", good.to_str().unwrap()]);
    let b = &doc["bundles"][0];
    assert_eq!(b["signed"]["embedded_name"], name, "{b}");
    assert!(b["signed"]["signer"].is_string(), "{b}");
    assert!(
        !codes(&doc, 0).contains(&"embedded-name-mismatch".to_string()),
        "{doc}"
    );
    let out = crate::support::loadsmith()
        .args(["inspect"])
        .arg(&good)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("signed header: by ") && text.contains(&format!("signed as {name}")),
        "{text}"
    );
    // The same bytes under another name: signed as the vendor's name.
    let renamed = d.path().join("firmware-7961.cop.sgn");
    std::fs::copy(&good, &renamed).unwrap();
    let (doc, code) = json(&["inspect", renamed.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    let f = doc["bundles"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "embedded-name-mismatch")
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(f["message"].as_str().unwrap().contains(name), "{f}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The member lines of a human report: from "  members:" to the next
/// line indented less.
fn member_block(text: &str) -> Vec<&str> {
    text.lines()
        .skip_while(|l| *l != "  members:")
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .collect()
}

#[test]
fn inspect_default_is_one_line_per_member_and_signed_as_only_where_the_name_differs() {
    let d = tmp();
    // One member renamed after signing: its header still names the vendor's file.
    let files = renamed(sip812(), "P0S3-8-12-00.sb2", "app.sb2");
    zip(&d.path().join("sip.zip"), &files);
    let out = loadsmith()
        .args(["inspect", &p(&d, "sip.zip")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let block = member_block(&text);
    assert_eq!(block.len(), files.len(), "one line per member:\n{text}");
    for (name, bytes) in &files {
        assert!(
            !text.contains(&sha256_hex(bytes)),
            "{name}'s SHA-256:\n{text}"
        );
        let line = block.iter().find(|l| l.contains(name.as_str())).unwrap();
        assert_eq!(
            line.contains("signed as"),
            name == "app.sb2",
            "signed-as only where it differs: {line}"
        );
    }
    let line = block.iter().find(|l| l.contains("app.sb2")).unwrap();
    assert!(line.ends_with("· signed as P0S3-8-12-00.sb2"), "{line}");
}

#[test]
fn inspect_long_gives_each_members_sha256_signer_ca_and_signing_time() {
    let d = tmp();
    let files = sip812();
    zip(&d.path().join("sip.zip"), &files);
    for flag in ["--long", "-l"] {
        let out = loadsmith()
            .args(["inspect", flag, &p(&d, "sip.zip")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        let block = member_block(&text);
        for (name, bytes) in &files {
            // The member's own lines: its line, then those indented deeper.
            let at = block
                .iter()
                .position(|l| l.starts_with(&format!("    {name} ")))
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"));
            let own: Vec<&str> = block[at + 1..]
                .iter()
                .take_while(|l| l.starts_with("        "))
                .map(|l| l.trim())
                .collect();
            assert_eq!(own[0], format!("sha256    {}", sha256_hex(bytes)), "{text}");
            if bytes.starts_with(&[1, 0, 2]) {
                assert_eq!(
                    own[1..],
                    [
                        "signer    CN=someSigner;OU=someOrgUnit;O=someOrg (serial 1234567890abcdef, sha1)",
                        "CA        CN=someCA;OU=someOrgUnit;O=someOrg",
                        "signed at (no signing time in the header)",
                        &format!("signed as {name}"),
                    ],
                    "{text}"
                );
            } else {
                assert_eq!(own.len(), 1, "unsigned {name}: its SHA-256 alone:\n{text}");
            }
        }
    }
}

#[test]
fn inspect_long_with_brief_is_refused() {
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip");
    loadsmith()
        .args(["--brief", "inspect", "--long"])
        .arg(&sample)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--long and --brief"));
}

#[test]
fn inspect_long_on_the_sample_is_stable() {
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip");
    let out = loadsmith()
        .args(["inspect", "--long", sample.to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out).replace(sample.to_str().unwrap(), "[sample]");
    insta::assert_snapshot!("inspect_long_on_the_sample", text);
}

#[test]
fn inspect_long_on_real_vendor_sets_gives_each_members_sha256() {
    for folder in ["sip-7940-7960-8.12", "sip-7941-7961-8.5.4"] {
        let Some(files) = realworld(folder) else {
            return;
        };
        let d = tmp();
        zip(&d.path().join("real.zip"), &files);
        let run = |long: bool| {
            let mut c = loadsmith();
            c.arg("inspect");
            if long {
                c.arg("--long");
            }
            let out = c.arg(p(&d, "real.zip")).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{folder}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        // The vendor's files are named as they were signed: no signed-as.
        let short = run(false);
        assert!(!short.contains("signed as"), "{folder}:\n{short}");
        assert_eq!(member_block(&short).len(), files.len(), "{short}");
        let long = run(true);
        for (name, bytes) in &files {
            let block = member_block(&long);
            let at = block
                .iter()
                .position(|l| l.starts_with(&format!("    {name} ")))
                .unwrap_or_else(|| panic!("{name}:\n{long}"));
            assert_eq!(
                block[at + 1].trim(),
                format!("sha256    {}", sha256_hex(bytes)),
                "{folder}"
            );
        }
    }
}
