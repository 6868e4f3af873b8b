//! Trust lists (CTL/ITL `.tlv`) through the real binary: `inspect` shows
//! and verifies them, `--trusted-by` compares two. Lists are built here
//! with test keys (`support/tlvbuild.rs`); the real ITL in
//! `../shared/realworld-trust` is read when present (skipped, saying so,
//! when absent).
use crate::support;

use std::path::{Path, PathBuf};

use crate::support::tlvbuild as b;
use crate::support::{json, loadsmith};
use predicates::prelude::*;

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p.display().to_string()
}

fn valid_itl() -> Vec<u8> {
    b::itl(&b::key(1, "SAST one"), &b::key(2, "ccm01"))
}

#[test]
fn inspect_shows_the_signer_records_digests_and_verdict_of_a_list() {
    let t = tempfile::tempdir().unwrap();
    let data = valid_itl();
    let p = write(t.path(), "ITLFile.tlv", &data);
    let md5 = loadsmith::trust::hex(&<md5::Md5 as sha2::Digest>::digest(&data));
    loadsmith()
        .args(["inspect", &p])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("trust list v1.2 · 2 records"))
        .stdout(predicate::str::contains(
            "SHA-1 · RSA 1024 · signature verified",
        ))
        .stdout(predicate::str::contains(
            "signer CN=SAST one,O=Test,C=US · serial 4b011020304050",
        ))
        .stdout(predicate::str::contains(format!("md5 {md5}")))
        .stdout(predicate::str::contains(
            "SAST               CN=SAST one,O=Test,C=US (the signer)",
        ))
        .stdout(predicate::str::contains(
            "CCM                CN=ccm01,O=Test,C=US",
        ))
        .stdout(predicate::str::contains(
            "valid 2020-01-01 00:00:00 UTC to 2090-01-01 00:00:00 UTC · sha256 ",
        ));
}

#[test]
fn inspect_json_carries_the_list() {
    let t = tempfile::tempdir().unwrap();
    let p = write(
        t.path(),
        "CTLSEP0011BB73AD61.tlv",
        &b::list(
            &b::key(1, "SAST one"),
            b::SHA1,
            "CTLFile.tlv",
            &[
                (b::SAST, &b::key(1, "SAST one")),
                (b::TFTP, &b::key(3, "tftp")),
            ],
        ),
    );
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 0, "{doc}");
    let tl = &doc["bundles"][0]["members"][0]["trust"];
    assert_eq!(tl["signature"], "verified");
    assert_eq!(tl["version"], "1.2");
    assert_eq!(tl["digest"], "SHA-1");
    assert_eq!(tl["key_bits"], 1024);
    assert_eq!(tl["file_name"], "CTLFile.tlv");
    assert_eq!(tl["signer"]["name"], "CN=SAST one,O=Test,C=US");
    assert_eq!(tl["signer_record"], 0);
    assert_eq!(tl["records"][1]["role"], "TFTP");
    assert_eq!(tl["records"][1]["validity"], "valid");
    assert_eq!(
        tl["records"][1]["certificate"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(tl["md5"].as_str().unwrap().len(), 32);
    assert_eq!(tl["sha1"].as_str().unwrap().len(), 40);
}

#[test]
fn a_list_with_one_byte_changed_is_a_signature_error_naming_the_file() {
    let t = tempfile::tempdir().unwrap();
    let mut data = valid_itl();
    let last = data.len() - 40; // inside the CCM's certificate
    data[last] ^= 0x20;
    let p = write(t.path(), "ITLFile.tlv", &data);
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 1);
    let f = support::finding(&doc, 0, "trust-list-signature").expect("finding");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["member"], "ITLFile.tlv");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("ITLFile.tlv: its signature does not verify")
    );
    loadsmith()
        .args(["inspect", &p])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signature does not verify"));
}

#[test]
fn a_cut_list_is_a_damaged_list() {
    let t = tempfile::tempdir().unwrap();
    let data = valid_itl();
    let p = write(t.path(), "ITLFile.tlv", &data[..data.len() - 100]);
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 1);
    let f = support::finding(&doc, 0, "trust-list-damaged").expect("finding");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("ITLFile.tlv: it is cut"),
        "{f}"
    );
    // Lengths that do not add up: bytes after the last record.
    let mut longer = valid_itl();
    longer.extend_from_slice(&[0; 8]);
    let p = write(t.path(), "ITLFile.tlv", &longer);
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 1);
    let f = support::finding(&doc, 0, "trust-list-damaged").expect("finding");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("lengths do not add up"),
        "{f}"
    );
}

#[test]
fn an_expired_certificate_is_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let old = b::key_valid(4, "old SAST", b::PAST, b::PAST_END);
    let p = write(t.path(), "ITLFile.tlv", &b::itl(&old, &b::key(2, "ccm01")));
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 0);
    let f = support::finding(&doc, 0, "trust-list-certificate").expect("finding");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2021-01-01"),
        "{f}"
    );
    assert_eq!(
        doc["bundles"][0]["members"][0]["trust"]["records"][0]["validity"],
        "expired"
    );
}

#[test]
fn an_empty_list_is_a_note_saying_nonsecure() {
    let t = tempfile::tempdir().unwrap();
    let p = write(t.path(), "CTLSEP0011BB73AD61.tlv", b"");
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 0);
    let f = support::finding(&doc, 0, "trust-list-empty").expect("finding");
    assert!(f["message"].as_str().unwrap().contains("nonsecure mode"));
}

#[test]
fn a_sha512_list_verifies() {
    let t = tempfile::tempdir().unwrap();
    let k = b::key(5, "SAST five");
    let p = write(
        t.path(),
        "CTLFile.tlv",
        &b::list(&k, b::SHA512, "CTLFile.tlv", &[(b::SAST, &k)]),
    );
    loadsmith()
        .args(["inspect", &p])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "SHA-512 · RSA 1024 · signature verified",
        ));
}

#[test]
fn a_list_inside_a_bundle_is_read() {
    let t = tempfile::tempdir().unwrap();
    let mut files = support::sip812();
    let mut bad = valid_itl();
    bad[200] ^= 1;
    files.push(("ITLFile.tlv".into(), bad));
    let z = t.path().join("bundle.zip");
    support::zip(&z, &files);
    let (doc, code) = json(&["inspect", z.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        support::finding(&doc, 0, "trust-list-signature").is_some(),
        "{doc}"
    );
}

#[test]
fn trusted_by_accepts_a_list_signed_by_a_sast_of_the_old_one() {
    let t = tempfile::tempdir().unwrap();
    let (a, c) = (b::key(1, "SAST one"), b::key(2, "ccm01"));
    let old = write(t.path(), "old.tlv", &b::itl(&a, &c));
    let new = write(
        t.path(),
        "ITLFile.tlv",
        &b::list(&a, b::SHA512, "ITLFile.tlv", &[(b::SAST, &a)]),
    );
    loadsmith()
        .args(["inspect", &new, "--trusted-by", &old])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ACCEPTED phones that hold"));
}

#[test]
fn trusted_by_refuses_a_list_from_another_signer_exit_1() {
    let t = tempfile::tempdir().unwrap();
    let (a, other) = (b::key(1, "SAST one"), b::key(6, "SAST other"));
    let old = write(t.path(), "old.tlv", &b::itl(&a, &b::key(2, "ccm01")));
    let new = write(
        t.path(),
        "ITLFile.tlv",
        &b::itl(&other, &b::key(2, "ccm01")),
    );
    loadsmith()
        .args(["inspect", &new, "--trusted-by", &old])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("REFUSED"))
        .stdout(predicate::str::contains(
            "its signer CN=SAST other,O=Test,C=US",
        ))
        .stdout(predicate::str::contains(
            "sign it with the old SAST key, or erase the trust list on each phone",
        ));
    let (doc, code) = json(&["inspect", &new, "--trusted-by", &old]);
    assert_eq!(code, 1);
    assert_eq!(doc["trusted_by"][0]["verdict"], "other-signer");
    assert_eq!(doc["summary"]["exit"], 1);
}

fn real_itl() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld-trust/ITLFile.tlv");
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared/realworld-trust is absent");
        println!("skipped: ../shared/realworld-trust is absent");
        None
    }
}

#[test]
fn the_real_itl_verifies_through_inspect() {
    let Some(p) = real_itl() else { return };
    let (doc, code) = json(&["inspect", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    let tl = &doc["bundles"][0]["members"][0]["trust"];
    assert_eq!(tl["signature"], "verified");
    assert_eq!(tl["signer"]["serial"], "6ba5de3a260b069337c75b38be3c2d74");
    assert_eq!(tl["md5"], "dbf86422cbab7859f3b850c2375814f7");
    assert_eq!(tl["records"].as_array().unwrap().len(), 5);
    assert_eq!(tl["records"][3]["role"], "application server");
    // The real list trusts itself, and not a list signed by a test key.
    let t = tempfile::tempdir().unwrap();
    let other = write(t.path(), "ITLFile.tlv", &valid_itl());
    loadsmith()
        .args([
            "inspect",
            p.to_str().unwrap(),
            "--trusted-by",
            p.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    loadsmith()
        .args(["inspect", &other, "--trusted-by", p.to_str().unwrap()])
        .assert()
        .code(1);
}

#[test]
fn names_explains_every_trust_list_name() {
    loadsmith()
        .args(["names", "CTLFile.tlv", "ITLFile.tlv", "CTLSEP0011BB73AD61.tlv", "ITLSEP0011BB73AD61.tlv"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("note: certificate trust list (CTL) for every phone"))
        .stdout(predicate::str::contains("note: identity trust list (ITL) for every phone"))
        .stdout(predicate::str::contains(
            "note: identity trust list (ITL), this phone's own copy: it carries the name ITLFile.tlv inside (expected, not a renamed file)",
        ));
}

#[test]
fn a_per_phone_copy_carrying_the_shared_name_raises_nothing() {
    let t = tempfile::tempdir().unwrap();
    let p = write(t.path(), "ITLSEP0011BB73AD61.tlv", &valid_itl());
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 0);
    assert_eq!(
        doc["bundles"][0]["members"][0]["trust"]["file_name"],
        "ITLFile.tlv"
    );
    assert!(support::codes(&doc, 0).is_empty(), "{doc}");
}

#[test]
fn a_signer_name_with_terminal_escapes_is_shown_escaped() {
    let t = tempfile::tempdir().unwrap();
    let mut k = b::key(1, "SAST one");
    k.name = "CN=evil\u{1b}[2J,O=Test".into();
    let p = write(
        t.path(),
        "CTLFile.tlv",
        &b::list(&k, b::SHA1, "CTLFile.tlv", &[(b::SAST, &k)]),
    );
    let out = loadsmith().args(["inspect", &p]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(!s.contains('\u{1b}'), "{s}");
    assert!(s.contains("signer CN=evil\\u{1b}[2J,O=Test"), "{s}");
}
