//! Trust lists in a TFTP root through the real binary: `check` lists each
//! with its signer, warns of different signers, of certificates out of
//! date, of signed configuration files a TFTP record makes phones ask for,
//! and, against what `stage` recorded, of a signer phones will refuse.
use crate::support;

use std::path::{Path, PathBuf};

use crate::support::json;
use crate::support::tlvbuild as b;

const MAC: &str = "0011BB73AD61";

/// A root staged with SIP 8.12 for 7940/7960, holding `lists` before the stage.
fn staged(dir: &Path, lists: &[(&str, Vec<u8>)]) -> PathBuf {
    let fw = dir.join("sip812.zip");
    support::zip(&fw, &support::sip812());
    let root = dir.join("root");
    std::fs::create_dir(&root).unwrap();
    for (n, d) in lists {
        std::fs::write(root.join(n), d).unwrap();
    }
    let (doc, code) = stage(dir, &root, &[]);
    assert_eq!(code, 0, "{doc}");
    root
}

/// `loadsmith --json stage` of SIP 8.12 from `dir`'s bundle into `root`
/// (after [`staged`]), with `extra` flags: the document and exit code.
fn stage(dir: &Path, root: &Path, extra: &[&str]) -> (serde_json::Value, i32) {
    let fw = dir.join("sip812.zip");
    let mut args = vec![
        "stage",
        "--target",
        "P0S3-8-12-00",
        "--from",
        fw.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(root.to_str().unwrap());
    json(&args)
}

/// The manifest the last stage recorded in `root`.
fn manifest(root: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(root.join(".loadsmith/manifest.json")).unwrap()).unwrap()
}

/// `boot ROOT` of a 7960 with the MAC the lists are named after.
fn boot_args(root: &Path) -> [&str; 6] {
    [
        "boot",
        root.to_str().unwrap(),
        "--mac",
        MAC,
        "--model",
        "7960",
    ]
}

/// A root staged with an ITLFile.tlv signed by "SAST one" (trusting the
/// CallManager "ccm01"): its folder, the root, and the keys "SAST one",
/// "SAST other" and "ccm01".
fn staged_with_itl() -> (tempfile::TempDir, PathBuf, [b::Key; 3]) {
    let t = tempfile::tempdir().unwrap();
    let keys = [
        b::key(1, "SAST one"),
        b::key(6, "SAST other"),
        b::key(2, "ccm01"),
    ];
    let root = staged(t.path(), &[("ITLFile.tlv", b::itl(&keys[0], &keys[2]))]);
    (t, root, keys)
}

/// A CTLFile.tlv signed by "SAST one" that gives "tftp01" the TFTP role.
fn ctl_with_tftp() -> Vec<u8> {
    let (a, tftp) = (b::key(1, "SAST one"), b::key(3, "tftp01"));
    b::list(
        &a,
        b::SHA1,
        "CTLFile.tlv",
        &[(b::SAST, &a), (b::TFTP, &tftp)],
    )
}

/// The message of the one finding `code` of `doc` (there is one).
fn only_message<'a>(doc: &'a serde_json::Value, code: &str) -> &'a str {
    let f = findings(doc, code);
    assert_eq!(f.len(), 1, "{doc}");
    f[0]["message"].as_str().unwrap()
}

fn check(root: &Path) -> (serde_json::Value, i32) {
    json(&["check", root.to_str().unwrap()])
}

fn findings<'a>(doc: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

#[test]
fn check_lists_each_trust_list_with_its_signer() {
    let t = tempfile::tempdir().unwrap();
    let (a, c) = (b::key(1, "SAST one"), b::key(2, "ccm01"));
    let root = staged(t.path(), &[(&format!("CTLSEP{MAC}.tlv"), b::itl(&a, &c))]);
    let (doc, code) = check(&root);
    assert_eq!(code, 0, "{doc}");
    let msg = only_message(&doc, "trust-list");
    assert!(
        msg.starts_with(&format!(
            "CTLSEP{MAC}.tlv: signed by CN=SAST one,O=Test,C=US"
        )),
        "{msg}"
    );
    assert!(msg.contains("signature verified"), "{msg}");
    assert!(msg.contains("trust no TFTP certificate"), "{msg}");
    // The manifest records the signer and its SAST key.
    let m = manifest(&root);
    let rec = &m["trust"][format!("CTLSEP{MAC}.tlv")];
    assert_eq!(rec["signer"], "CN=SAST one,O=Test,C=US");
    assert_eq!(rec["sast"][0]["key_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_list_from_another_sast_after_the_stage_is_an_error_naming_both_signers() {
    let (_t, root, [a, other, c]) = staged_with_itl();
    // Same signer, new content: phones accept it.
    std::fs::write(
        root.join("ITLFile.tlv"),
        b::list(&a, b::SHA512, "ITLFile.tlv", &[(b::SAST, &a)]),
    )
    .unwrap();
    let (doc, code) = check(&root);
    assert_eq!(code, 0, "{doc}");
    // Another SAST: phones that hold the recorded list refuse it.
    std::fs::write(root.join("ITLFile.tlv"), b::itl(&other, &c)).unwrap();
    let (doc, code) = check(&root);
    assert_eq!(code, 1, "{doc}");
    let msg = only_message(&doc, "trust-signer-changed");
    assert!(msg.contains("signed by CN=SAST other,O=Test,C=US"), "{msg}");
    assert!(msg.contains("(signed by CN=SAST one,O=Test,C=US"), "{msg}");
    assert!(
        msg.contains(
            "sign the new list with the old SAST key, or erase the trust list on each phone"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("Settings > Security Configuration > Trust List, unlock with **#"),
        "{msg}"
    );
    assert!(msg.contains("uncertain"), "{msg}");
}

#[test]
fn two_lists_with_different_signers_warn() {
    let t = tempfile::tempdir().unwrap();
    let (a, other) = (b::key(1, "SAST one"), b::key(6, "SAST other"));
    let root = staged(
        t.path(),
        &[
            ("CTLFile.tlv", b::itl(&a, &a)),
            ("ITLFile.tlv", b::itl(&other, &other)),
        ],
    );
    let (doc, code) = check(&root);
    assert_eq!(code, 0, "{doc}");
    let msg = only_message(&doc, "trust-list-signers");
    assert!(
        msg.contains("CTLFile.tlv by CN=SAST one") && msg.contains("ITLFile.tlv by CN=SAST other"),
        "{msg}"
    );
}

#[test]
fn expired_and_damaged_lists_in_a_root() {
    let t = tempfile::tempdir().unwrap();
    let old = b::key_valid(4, "old SAST", b::PAST, b::PAST_END);
    let mut bad = b::itl(&b::key(1, "SAST one"), &b::key(2, "ccm01"));
    let n = bad.len();
    bad.truncate(n - 3);
    let root = staged(
        t.path(),
        &[
            ("ITLFile.tlv", b::itl(&old, &old)),
            (&format!("CTLSEP{MAC}.tlv"), bad),
        ],
    );
    let (doc, code) = check(&root);
    assert_eq!(code, 1, "{doc}");
    assert!(
        !findings(&doc, "trust-list-certificate").is_empty(),
        "{doc}"
    );
    let d = findings(&doc, "trust-list-damaged");
    assert_eq!(d[0]["member"], format!("CTLSEP{MAC}.tlv"), "{doc}");
}

#[test]
fn an_empty_list_in_a_root_is_nonsecure() {
    let t = tempfile::tempdir().unwrap();
    let root = staged(t.path(), &[(&format!("CTLSEP{MAC}.tlv"), Vec::new())]);
    let (doc, code) = check(&root);
    assert_eq!(code, 0, "{doc}");
    let f = findings(&doc, "trust-list-empty");
    assert!(
        f[0]["message"].as_str().unwrap().contains("nonsecure mode"),
        "{doc}"
    );
}

#[test]
fn a_tftp_record_asks_for_signed_configuration_files() {
    let t = tempfile::tempdir().unwrap();
    let list = ctl_with_tftp();
    let other = "00AABBCCDDEE";
    let root = staged(t.path(), &[("CTLFile.tlv", list)]);
    std::fs::write(root.join(format!("SEP{MAC}.cnf.xml")), "<device/>").unwrap();
    std::fs::write(root.join(format!("SEP{other}.cnf.xml")), "<device/>").unwrap();
    std::fs::write(root.join(format!("SEP{other}.cnf.xml.sgn")), "signed").unwrap();
    let (doc, _) = check(&root);
    let f = findings(&doc, "signed-config-missing");
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["member"], format!("SEP{MAC}.cnf.xml.sgn"));
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("gives CN=tftp01,O=Test,C=US the TFTP role"),
        "{doc}"
    );
    let info = findings(&doc, "trust-list");
    assert!(
        info[0]["message"]
            .as_str()
            .unwrap()
            .contains("accept signed configuration files from CN=tftp01"),
        "{doc}"
    );
}

fn boot_decisions(root: &Path) -> Vec<String> {
    let (doc, _) = json(&boot_args(root));
    doc["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn boot_says_secure_mode_and_whom_the_phone_trusts() {
    let t = tempfile::tempdir().unwrap();
    let list = ctl_with_tftp();
    let root = staged(t.path(), &[(&format!("CTLSEP{MAC}.tlv"), list)]);
    let d = boot_decisions(&root);
    let want = format!(
        "CTLSEP{MAC}.tlv is present and not empty: secure mode: signed by CN=SAST one,O=Test,C=US; the phone accepts signed configuration files only from CN=tftp01,O=Test,C=US, and later trust lists only from CN=SAST one,O=Test,C=US"
    );
    assert!(d.contains(&want), "{d:?}");
    loadsmith_human_boot_contains(&root, "secure mode: signed by CN=SAST one");
}

#[test]
fn boot_says_nonsecure_mode_for_an_empty_list() {
    let t = tempfile::tempdir().unwrap();
    let root = staged(t.path(), &[(&format!("CTLSEP{MAC}.tlv"), Vec::new())]);
    let d = boot_decisions(&root);
    assert!(d.iter().any(|x| x == &format!("CTLSEP{MAC}.tlv is empty: nonsecure mode (the phone accepts unsigned configuration files)")), "{d:?}");
}

fn loadsmith_human_boot_contains(root: &Path, text: &str) {
    let out = support::loadsmith().args(boot_args(root)).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains(text), "{s}");
}

#[test]
fn log_says_a_phone_asking_for_signed_configuration_holds_a_trust_list() {
    let t = tempfile::tempdir().unwrap();
    let log = t.path().join("tftpd.log");
    let lines = [
        format!("Nov 29 10:00:01 srv in.tftpd[100]: RRQ from 10.0.0.9 filename CTLSEP{MAC}.tlv"),
        format!(
            "Nov 29 10:00:02 srv in.tftpd[101]: RRQ from 10.0.0.9 filename SEP{MAC}.cnf.xml.sgn"
        ),
    ];
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let (doc, _) = json(&["log", log.to_str().unwrap()]);
    let v = doc["phones"][0]["verdict"]
        .as_str()
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(
        v.ends_with(&format!("it holds a trust list (CTL or ITL): it asked for SEP{MAC}.cnf.xml.sgn, a signed configuration file, and accepts only configuration files signed by a certificate in that list")),
        "{v}"
    );
}

#[test]
fn stage_keeps_the_old_signer_until_forced_and_says_why() {
    let (t, root, [_, other, c]) = staged_with_itl();
    std::fs::write(root.join("ITLFile.tlv"), b::itl(&other, &c)).unwrap();
    // A stage says the chain is broken and keeps the old record.
    let (doc, _) = stage(t.path(), &root, &[]);
    let f = findings(&doc, "trust-signer-changed");
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(check(&root).1, 1);
    // Once the phones are erased, --force records the new signer.
    let (doc, code) = stage(t.path(), &root, &["--force"]);
    assert_eq!(code, 0, "{doc}");
    let (doc, code) = check(&root);
    assert_eq!(code, 0, "{doc}");
    assert!(findings(&doc, "trust-signer-changed").is_empty());
    let m = manifest(&root);
    assert_eq!(
        m["trust"]["ITLFile.tlv"]["signer"],
        "CN=SAST other,O=Test,C=US"
    );
}

#[test]
fn a_list_added_after_the_stage_is_recorded_by_the_next_stage() {
    let t = tempfile::tempdir().unwrap();
    let a = b::key(1, "SAST one");
    let root = staged(t.path(), &[]);
    std::fs::write(root.join("CTLFile.tlv"), b::itl(&a, &a)).unwrap();
    let (doc, code) = stage(t.path(), &root, &[]);
    assert_eq!(code, 0, "{doc}");
    let m = manifest(&root);
    assert_eq!(
        m["trust"]["CTLFile.tlv"]["signer"],
        "CN=SAST one,O=Test,C=US"
    );
}
