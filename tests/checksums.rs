//! `inspect --checksums` as people use it: the lists they have, and one line
//! per file like `sha256sum -c`, with the exit code saying whether every
//! listed file was present and matched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use md5::Md5;
use sha2::{Digest, Sha256, Sha512};
use support::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A downloads folder: two good bundles.
fn downloads() -> (tempfile::TempDir, Vec<u8>, Vec<u8>) {
    let d = tempfile::tempdir().unwrap();
    zip(&d.path().join("P0S3-8-12-00.zip"), &sip812());
    zip(
        &d.path().join("cmterm-7941_7961-sccp.9-4-2SR3-1.zip"),
        &sccp41(),
    );
    let a = std::fs::read(d.path().join("P0S3-8-12-00.zip")).unwrap();
    let b = std::fs::read(d.path().join("cmterm-7941_7961-sccp.9-4-2SR3-1.zip")).unwrap();
    (d, a, b)
}

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = loadsmith().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn the_lists_people_have_are_all_read() {
    let (d, a, b) = downloads();
    // sha512sum with the binary marker and CRLF; BSD --tag; md5sum.
    std::fs::write(
        d.path().join("SHA512SUMS"),
        format!("{} *P0S3-8-12-00.zip\r\n", hex(&Sha512::digest(&a))),
    )
    .unwrap();
    std::fs::write(
        d.path().join("tagged"),
        format!(
            "SHA256 (cmterm-7941_7961-sccp.9-4-2SR3-1.zip) = {}\n",
            hex(&Sha256::digest(&b))
        ),
    )
    .unwrap();
    // The vendor's download page, sums in either order, other lines among them.
    std::fs::write(
        d.path().join("page.txt"),
        format!(
            "cmterm-7941_7961-sccp.9-4-2SR3-1.zip\nRelease Date: 15-Mar-2013\nMD5 Checksum: {}\nSHA512 Checksum: {}\n\nP0S3-8-12-00.zip\nSHA512 Checksum: {}\nMD5 Checksum: {}\n",
            hex(&Md5::digest(&b)),
            hex(&Sha512::digest(&b)),
            hex(&Sha512::digest(&a)),
            hex(&Md5::digest(&a)),
        ),
    )
    .unwrap();
    let (code, text) = run(
        d.path(),
        &[
            "inspect",
            "--checksums",
            "SHA512SUMS",
            "--checksums",
            "tagged",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("P0S3-8-12-00.zip: OK (SHA-512)\n"), "{text}");
    assert!(
        text.contains("cmterm-7941_7961-sccp.9-4-2SR3-1.zip: OK (SHA-256)\n"),
        "{text}"
    );
    let (code, text) = run(d.path(), &["inspect", "--checksums", "page.txt"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("P0S3-8-12-00.zip: OK (SHA-512, MD5)\n"),
        "{text}"
    );
}

#[test]
fn md5_alone_is_verified_and_called_weak() {
    let (d, a, _) = downloads();
    std::fs::write(
        d.path().join("md5.txt"),
        format!("{}  P0S3-8-12-00.zip\n", hex(&Md5::digest(&a))),
    )
    .unwrap();
    let (doc, code) = json(&[
        "inspect",
        "--checksums",
        &d.path().join("md5.txt").to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{doc}");
    let f = finding(&doc, 0, "weak-checksum").unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(f["severity"], "info");
    assert_eq!(doc["checksums"][0]["status"], "ok", "{doc}");
}

#[test]
fn like_sha256sum_c_one_line_per_file_and_the_exit_code() {
    let (d, a, _) = downloads();
    let bad = "0".repeat(128);
    std::fs::write(
        d.path().join("SHA512SUMS"),
        format!("{}  P0S3-8-12-00.zip\n{bad}  cmterm-7941_7961-sccp.9-4-2SR3-1.zip\n{bad}  cmterm-7970_7971-sccp.9-4-2SR3-1.zip\n", hex(&Sha512::digest(&a))),
    )
    .unwrap();
    std::fs::write(
        d.path().join("extra.zip"),
        std::fs::read(d.path().join("P0S3-8-12-00.zip")).unwrap(),
    )
    .unwrap();
    // With no path, the files the list names, beside it.
    let (code, text) = run(d.path(), &["inspect", "--checksums", "SHA512SUMS"]);
    assert_eq!(code, 1, "{text}");
    for line in [
        "P0S3-8-12-00.zip: OK (SHA-512)",
        "cmterm-7941_7961-sccp.9-4-2SR3-1.zip: FAILED (SHA-512)",
        "cmterm-7970_7971-sccp.9-4-2SR3-1.zip: listed, not found (SHA-512)",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    assert!(
        !text.contains("extra.zip"),
        "only the listed files are read: {text}"
    );
    // With paths: a file no list names is said too.
    let (code, text) = run(
        d.path(),
        &[
            "inspect",
            "--checksums",
            "SHA512SUMS",
            "P0S3-8-12-00.zip",
            "extra.zip",
        ],
    );
    assert_eq!(
        code, 1,
        "the listed files that are missing or damaged still count: {text}"
    );
    assert!(text.lines().any(|l| l == "extra.zip: not listed"), "{text}");
    // All listed, all present, all matching: exit 0.
    std::fs::write(
        d.path().join("ONE"),
        format!("{}  P0S3-8-12-00.zip\n", hex(&Sha512::digest(&a))),
    )
    .unwrap();
    let (code, text) = run(d.path(), &["inspect", "--checksums", "ONE"]);
    assert_eq!(code, 0, "{text}");
}
