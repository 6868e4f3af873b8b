//! Many servers kept in step (issue 25): the fingerprint `check --json`
//! gives, `compare` over folders, manifests and live servers.

use std::path::Path;

use crate::support::{Files, json, sip812, write_files};

/// A 7940/7960 SIP root: the 8.12 set, OS79XX.TXT and SIPDefault.cnf naming it.
fn sip_root() -> Files {
    let mut f = sip812();
    f.push((
        "SIPDefault.cnf".into(),
        b"proxy1_address: \"10.0.0.1\"\nimage_version: P0S3-8-12-00\n".to_vec(),
    ));
    f
}

fn fingerprint_of(root: &Path) -> String {
    let (doc, _) = json(&["check", root.to_str().unwrap()]);
    let f = doc["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    assert_eq!(f.len(), 64, "a SHA-256 in hex: {f}");
    f
}

#[test]
fn the_fingerprint_is_the_same_for_roots_that_serve_the_same() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let files = sip_root();
    write_files(a.path(), &files);
    // Written in the other order, at other times, with a file no pointer names.
    let mut reversed = files.clone();
    reversed.reverse();
    write_files(b.path(), &reversed);
    std::fs::write(b.path().join("notes.txt"), b"who changed what").unwrap();
    assert_eq!(fingerprint_of(a.path()), fingerprint_of(b.path()));
}

#[test]
fn the_fingerprint_changes_with_a_pointer_setting_or_one_byte_of_a_set_file() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let files = sip_root();
    write_files(a.path(), &files);
    write_files(b.path(), &files);
    write_files(c.path(), &files);
    std::fs::write(
        b.path().join("SIPDefault.cnf"),
        b"proxy1_address: \"10.0.0.1\"\nimage_version: P0S3-8-11-00\n",
    )
    .unwrap();
    let sb2 = c.path().join("P0S3-8-12-00.sb2");
    let mut bytes = std::fs::read(&sb2).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&sb2, bytes).unwrap();
    let fa = fingerprint_of(a.path());
    assert_ne!(fa, fingerprint_of(b.path()), "a pointer setting changed");
    assert_ne!(
        fa,
        fingerprint_of(c.path()),
        "one byte of a set file changed"
    );
}
