//! `inspect --checksums` as people use it: the lists they have, and one line
//! per file like `sha256sum -c`, with the exit code saying whether every
//! listed file was present and matched.

use crate::support::*;
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};

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
    assert_eq!(
        text,
        "P0S3-8-12-00.zip: OK\ncmterm-7941_7961-sccp.9-4-2SR3-1.zip: OK\n"
    );
    let (code, text) = run(d.path(), &["inspect", "--checksums", "page.txt"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("P0S3-8-12-00.zip: OK\n"), "{text}");
    // Given the bundle, the algorithms compared are named.
    let (code, text) = run(
        d.path(),
        &["inspect", "--checksums", "page.txt", "P0S3-8-12-00.zip"],
    );
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
        "P0S3-8-12-00.zip: OK",
        "cmterm-7941_7961-sccp.9-4-2SR3-1.zip: FAILED",
        "cmterm-7970_7971-sccp.9-4-2SR3-1.zip: FAILED open or read",
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

#[test]
fn a_byte_order_mark_before_the_first_line_is_read() {
    let (d, a, b) = downloads();
    // Notepad writes one; so does PowerShell's Out-File.
    std::fs::write(
        d.path().join("SHA512SUMS"),
        format!(
            "\u{feff}{}  P0S3-8-12-00.zip\r\n{}  cmterm-7941_7961-sccp.9-4-2SR3-1.zip\r\n",
            hex(&Sha512::digest(&a)),
            hex(&Sha512::digest(&b))
        ),
    )
    .unwrap();
    let (code, text) = run(d.path(), &["inspect", "--checksums", "SHA512SUMS"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.lines().any(|l| l == "P0S3-8-12-00.zip: OK"), "{text}");
    // The page form too, and BSD tags.
    std::fs::write(
        d.path().join("tagged"),
        format!(
            "\u{feff}SHA256 (P0S3-8-12-00.zip) = {}\n",
            hex(&Sha256::digest(&a))
        ),
    )
    .unwrap();
    let (code, text) = run(d.path(), &["inspect", "--checksums", "tagged"]);
    assert_eq!(code, 0, "{text}");
    // A mark anywhere but at the start is still no checksum line.
    std::fs::write(
        d.path().join("late"),
        format!(
            "{}  P0S3-8-12-00.zip\n\u{feff}x\n",
            hex(&Sha256::digest(&a))
        ),
    )
    .unwrap();
    let out = loadsmith()
        .current_dir(d.path())
        .args(["inspect", "--checksums", "late"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2 is not a checksum line"), "{err}");
}

#[test]
fn a_listed_file_that_is_not_firmware_is_checked_like_sha256sum() {
    let (d, a, _) = downloads();
    let notes = b"%PDF-1.4 release notes\n".repeat(100);
    std::fs::write(d.path().join("release-notes.pdf"), &notes).unwrap();
    let sbn = signed("P003-8-12-00.sbn", &image_body("P003-8-12-00", 3000));
    std::fs::write(d.path().join("P003-8-12-00.sbn"), &sbn).unwrap();
    std::fs::write(
        d.path().join("SHA256SUMS"),
        format!(
            "{}  P0S3-8-12-00.zip\n{}  release-notes.pdf\n{}  P003-8-12-00.sbn\n",
            hex(&Sha256::digest(&a)),
            hex(&Sha256::digest(&notes)),
            hex(&Sha256::digest(&sbn)),
        ),
    )
    .unwrap();
    let (code, text) = run(d.path(), &["inspect", "--checksums", "SHA256SUMS"]);
    assert_eq!(code, 0, "{text}");
    for line in [
        "P0S3-8-12-00.zip: OK",
        "release-notes.pdf: OK",
        "P003-8-12-00.sbn: OK",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    // Given on the command line, it is checked the same way.
    let (code, text) = run(
        d.path(),
        &["inspect", "--checksums", "SHA256SUMS", "release-notes.pdf"],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        text.lines().any(|l| l == "release-notes.pdf: OK (SHA-256)"),
        "{text}"
    );
    // Damaged: FAILED, exit 1, and counted in the JSON summary.
    std::fs::write(d.path().join("release-notes.pdf"), b"%PDF-1.4 other\n").unwrap();
    let (code, text) = run(d.path(), &["inspect", "--checksums", "SHA256SUMS"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.lines().any(|l| l == "release-notes.pdf: FAILED"),
        "{text}"
    );
    let list = d.path().join("SHA256SUMS");
    let (doc, code) = json(&["inspect", "--checksums", list.to_str().unwrap()]);
    assert_eq!(
        (code, doc["summary"]["exit"].as_u64()),
        (1, Some(1)),
        "{doc}"
    );
    assert!(doc["summary"]["errors"].as_u64().unwrap() >= 1, "{doc}");
    let pdf = doc["checksums"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "release-notes.pdf")
        .unwrap();
    assert_eq!(pdf["status"], "failed", "{doc}");
}

/// Peak memory (KiB) and exit code of `loadsmith ARGS` run in `dir`, by
/// `/usr/bin/time`; `None` when it is not installed.
fn peak_kib(dir: &std::path::Path, args: &[&str]) -> Option<(u64, i32, String)> {
    if !std::path::Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = std::process::Command::new("/usr/bin/time")
        .current_dir(dir)
        .args(["-f", "PEAK %M"])
        .arg(assert_cmd::cargo::cargo_bin("loadsmith"))
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = err
        .lines()
        .find_map(|l| l.strip_prefix("PEAK "))
        .and_then(|v| v.trim().parse().ok())?;
    Some((peak, out.status.code().unwrap_or(-1), err))
}

#[test]
fn a_list_of_nuls_is_refused_at_line_one_without_reading_it_whole() {
    let (d, a, _) = downloads();
    // 384 MiB of NULs (sparse: no disk is used).
    let f = std::fs::File::create(d.path().join("NULS")).unwrap();
    f.set_len(384 << 20).unwrap();
    drop(f);
    std::fs::write(
        d.path().join("SMALL"),
        format!("{}  P0S3-8-12-00.zip\n", hex(&Sha256::digest(&a))),
    )
    .unwrap();
    // Under a 256 MiB address-space cap: reading the list whole cannot fit.
    let out = std::process::Command::new("sh")
        .current_dir(d.path())
        .arg("-c")
        .arg("ulimit -v 262144 && exec \"$0\" inspect --checksums NULS")
        .arg(assert_cmd::cargo::cargo_bin("loadsmith"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("NULS: line 1: longer than 8192 bytes"),
        "{err}"
    );
    let Some((small, code, _)) = peak_kib(d.path(), &["inspect", "--checksums", "SMALL"]) else {
        println!("SKIPPED the peak comparison: /usr/bin/time is not installed");
        return;
    };
    assert_eq!(code, 0);
    let (big, code, err) = peak_kib(d.path(), &["inspect", "--checksums", "NULS"]).unwrap();
    assert_eq!(code, 2, "{err}");
    println!("peak memory: a one-line list {small} KiB, 384 MiB of NULs {big} KiB");
    assert!(
        big < small + 8 * 1024,
        "memory grew with the list: {small} KiB → {big} KiB"
    );
}

#[test]
fn a_list_of_100000_lines_is_checked() {
    let (d, a, _) = downloads();
    let mut list = format!("{}  P0S3-8-12-00.zip\n", hex(&Sha256::digest(&a)));
    for i in 0..100_000 {
        list.push_str(&format!("{:064x}  cmterm-{i:06}.zip\n", i));
    }
    std::fs::write(d.path().join("BIG"), list).unwrap();
    let started = std::time::Instant::now();
    let (code, text) = run(d.path(), &["inspect", "--checksums", "BIG"]);
    println!("100,000 lines checked in {:?}", started.elapsed());
    assert_eq!(code, 1);
    assert!(
        text.lines().any(|l| l == "P0S3-8-12-00.zip: OK"),
        "{}",
        &text[..2000.min(text.len())]
    );
    let missing = text
        .lines()
        .filter(|l| l.ends_with(": FAILED open or read"))
        .count();
    assert_eq!(missing, 100_000);
    // Named twice (another list, or the same line again): one verdict.
    std::fs::copy(d.path().join("BIG"), d.path().join("AGAIN")).unwrap();
    let (_, text) = run(
        d.path(),
        &["inspect", "--checksums", "BIG", "--checksums", "AGAIN"],
    );
    let ok = text
        .lines()
        .filter(|l| l.starts_with("P0S3-8-12-00.zip: "))
        .count();
    assert_eq!(ok, 1, "one verdict per file");
}

#[test]
fn a_list_past_its_bounds_is_refused_naming_the_line() {
    let d = tempfile::tempdir().unwrap();
    let sum = "0".repeat(32);
    let long = format!(
        "{sum}  # ok\n{sum}  a.zip\n{sum}  {}.zip\n",
        "n".repeat(9000)
    );
    std::fs::write(d.path().join("LONG"), long).unwrap();
    let name = format!("{sum}  {}.zip\n", "n".repeat(300));
    std::fs::write(d.path().join("NAME"), name).unwrap();
    let mut many = String::new();
    for i in 0..200_001 {
        many.push_str(&format!("{sum}  f{i}.zip\n"));
    }
    std::fs::write(d.path().join("MANY"), many).unwrap();
    for (list, want) in [
        ("LONG", "LONG: line 3: longer than 8192 bytes"),
        ("NAME", "NAME: line 1: names a file of 304 bytes"),
        (
            "MANY",
            "MANY: line 200001: the lists give more than 200000 sums",
        ),
    ] {
        let out = loadsmith()
            .current_dir(d.path())
            .args(["inspect", "--checksums", list])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{list}: {err}");
        assert!(err.contains(want), "{list}: {err}");
    }
}

#[test]
fn a_listed_fifo_is_failed_without_blocking() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("P0S3-8-12-00.zip");
    crate::support::mkfifo(&fifo);
    std::fs::write(
        d.path().join("SUMS"),
        format!("{}  P0S3-8-12-00.zip\n", "0".repeat(64)),
    )
    .unwrap();
    // Nothing ever writes to the FIFO: opening it to read would block.
    let (code, text) = run(d.path(), &["inspect", "--checksums", "SUMS"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.lines()
            .any(|l| l == "P0S3-8-12-00.zip: FAILED open or read"),
        "{text}"
    );
}

/// `loadsmith ARGS` in `dir`: exit code, stdout, stderr.
fn run3(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = loadsmith().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// One good, one damaged, one missing: the three verdicts `sha256sum -c` has.
fn good_bad_missing() -> tempfile::TempDir {
    let (d, a, _) = downloads();
    let sum = hex(&Sha256::digest(&a));
    std::fs::write(
        d.path().join("SHA256SUMS"),
        format!(
            "{sum}  P0S3-8-12-00.zip\n{sum}  cmterm-7941_7961-sccp.9-4-2SR3-1.zip\n{sum}  gone.zip\n"
        ),
    )
    .unwrap();
    d
}

#[test]
fn a_list_alone_prints_what_sha256sum_c_prints() {
    let d = good_bad_missing();
    let (code, out, err) = run3(d.path(), &["inspect", "--checksums", "SHA256SUMS"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "P0S3-8-12-00.zip: OK\n\
         cmterm-7941_7961-sccp.9-4-2SR3-1.zip: FAILED\n\
         gone.zip: FAILED open or read\n"
    );
    assert!(
        err.contains("WARNING: 1 listed file could not be read\n")
            && err.contains("WARNING: 1 computed checksum did NOT match\n"),
        "{err}"
    );
}

#[test]
fn status_prints_nothing_and_the_exit_code_says_it() {
    let d = good_bad_missing();
    let (code, out, err) = run3(
        d.path(),
        &["inspect", "--status", "--checksums", "SHA256SUMS"],
    );
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", ""));
    std::fs::write(
        d.path().join("ONE"),
        std::fs::read_to_string(d.path().join("SHA256SUMS"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let (code, out, _) = run3(d.path(), &["inspect", "--status", "--checksums", "ONE"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // With paths too: nothing on stdout.
    let (code, out, _) = run3(
        d.path(),
        &[
            "inspect",
            "--status",
            "--checksums",
            "ONE",
            "P0S3-8-12-00.zip",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn ignore_missing_skips_what_is_not_there() {
    let d = good_bad_missing();
    let (code, out, err) = run3(
        d.path(),
        &["inspect", "--ignore-missing", "--checksums", "SHA256SUMS"],
    );
    assert_eq!(code, 1, "the damaged one still fails: {out}{err}");
    assert!(
        !out.contains("gone.zip") && !err.contains("could not be read"),
        "{out}{err}"
    );
    std::fs::remove_file(d.path().join("cmterm-7941_7961-sccp.9-4-2SR3-1.zip")).unwrap();
    let (code, out, _) = run3(
        d.path(),
        &["inspect", "--ignore-missing", "--checksums", "SHA256SUMS"],
    );
    assert_eq!((code, out.as_str()), (0, "P0S3-8-12-00.zip: OK\n"));
    // None there: nothing was verified, a failure as with sha256sum.
    std::fs::write(
        d.path().join("NONE"),
        format!("{}  gone.zip\n", "0".repeat(64)),
    )
    .unwrap();
    let (code, _, err) = run3(
        d.path(),
        &["inspect", "--ignore-missing", "--checksums", "NONE"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no file was verified"), "{err}");
}

#[test]
fn quiet_prints_each_failure_once() {
    let d = good_bad_missing();
    let (code, out, _) = run3(d.path(), &["inspect", "-q", "--checksums", "SHA256SUMS"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "cmterm-7941_7961-sccp.9-4-2SR3-1.zip: FAILED\ngone.zip: FAILED open or read\n"
    );
    // With the bundles given: the verdict line, not a finding besides it.
    let (code, out, _) = run3(
        d.path(),
        &[
            "inspect",
            "-q",
            "--checksums",
            "SHA256SUMS",
            "P0S3-8-12-00.zip",
            "cmterm-7941_7961-sccp.9-4-2SR3-1.zip",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out.matches("cmterm-7941_7961-sccp.9-4-2SR3-1.zip").count(),
        1,
        "{out}"
    );
    assert!(!out.contains("checksum-mismatch"), "{out}");
}

#[test]
fn the_download_page_as_people_copy_it_is_read() {
    let (d, a, b) = downloads();
    let (m, s) = (hex(&Md5::digest(&a)), hex(&Sha512::digest(&a)));
    let (mb, sb) = (hex(&Md5::digest(&b)), hex(&Sha512::digest(&b)));
    // A BOM, CRLF, tabs and spaces around the colon, labels and values on
    // one line or on two, other labels among them.
    let page = format!(
        "\u{feff}FileName :\tP0S3-8-12-00.zip\r\nRelease Date :\t15-Mar-2013\r\n\
         MD5 Checksum :\t{m}\r\nSHA512 Checksum\t:  {s}\r\n\r\n\
         FileName :\r\ncmterm-7941_7961-sccp.9-4-2SR3-1.zip\r\nSize :\r\n6.2 MB\r\n\
         MD5 Checksum:\r\n\t{mb}\r\nSHA512 Checksum :\r\n{sb}\r\n"
    );
    std::fs::write(d.path().join("page.txt"), page).unwrap();
    let (code, out, err) = run3(d.path(), &["inspect", "--checksums", "page.txt"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        "P0S3-8-12-00.zip: OK\ncmterm-7941_7961-sccp.9-4-2SR3-1.zip: OK\n"
    );
    let (doc, code) = json(&[
        "inspect",
        "--checksums",
        d.path().join("page.txt").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        doc["checksums"][1]["algorithms"],
        serde_json::json!(["md5", "sha512"])
    );
}

#[test]
fn a_line_that_cannot_be_read_is_quoted_with_the_forms_accepted() {
    let (d, a, _) = downloads();
    std::fs::write(
        d.path().join("SUMS"),
        format!(
            "{}  P0S3-8-12-00.zip\nsee the release notes\n",
            hex(&Sha256::digest(&a))
        ),
    )
    .unwrap();
    let (code, _, err) = run3(d.path(), &["inspect", "--checksums", "SUMS"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("SUMS: line 2 is not a checksum line: \"see the release notes\""),
        "{err}"
    );
    for form in [
        "`HEX  NAME`",
        "`SHA512 (NAME) = HEX`",
        "`FileName : NAME`",
        "`MD5 Checksum : HEX`",
    ] {
        assert!(err.contains(form), "{form}: {err}");
    }
}
