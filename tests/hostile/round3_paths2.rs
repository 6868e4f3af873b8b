//! Round 3 of the hostile corpus, reads (issue "Hostile input, round 3",
//! point 1, what `check` reads): a folder of the root swapped for a link
//! out of it after `check` listed the root and before it reads the files.
//! The debug build stops between the two (`LOADSMITH_PAUSE=check-read`,
//! src/files/fault.rs) until its standard input closes, so the swap happens
//! exactly there, on an event, never on a clock.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::support::*;

/// Bytes that must never reach the output.
const MARK: &[u8] = b"OUTSIDE-THE-ROOT-7f3a";

/// Runs `check --json ARGS`, stopped after it listed the root; `swap` runs
/// there; returns stdout and stderr.
fn check_with_swap(args: &[&str], swap: impl FnOnce()) -> (String, String) {
    let bin = assert_cmd::cargo::cargo_bin("loadsmith");
    let mut child = Command::new(bin)
        .arg("--json")
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .env("LOADSMITH_PAUSE", "check-read")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut before = String::new();
    loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "check ended without pausing: {before}"
        );
        if line.contains("loadsmith: paused at check-read") {
            break;
        }
        before.push_str(&line);
    }
    swap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.flush().unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        before + &rest,
    )
}

/// Writes `files` into `dir`, each with [`MARK`] appended; returns their
/// SHA-256 digests in hex.
fn outside_copies(dir: &Path, files: &Files) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    files
        .iter()
        .map(|(n, b)| {
            let bytes = [b.as_slice(), MARK].concat();
            std::fs::write(dir.join(n), &bytes).unwrap();
            Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
}

/// Nothing of the outside files in the output: no digest, no byte run.
fn nothing_outside(out: &str, err: &str, digests: &[String]) {
    let mark = String::from_utf8_lossy(MARK);
    for text in [out, err] {
        assert!(!text.contains(mark.as_ref()), "outside bytes shown: {text}");
        for d in digests {
            assert!(!text.contains(d.as_str()), "outside file read: {text}");
        }
    }
}

#[test]
fn check_map_file_never_reads_through_a_folder_swapped_for_a_link_after_listing() {
    let d = tempfile::tempdir().unwrap();
    let (root, outside) = (d.path().join("root"), d.path().join("outside"));
    let rules = d.path().join("tftpd.remap");
    std::fs::write(
        &rules,
        "r ^(.*\\.(sbn|sb2|bin|loads))$ firmware/\\1\nr ^(SIPDefault\\.cnf)$ settings/\\1\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("firmware")).unwrap();
    std::fs::create_dir_all(root.join("settings")).unwrap();
    write_files(&root.join("firmware"), &sip812());
    std::fs::write(
        root.join("settings/SIPDefault.cnf"),
        b"image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    let mut theirs = outside_copies(&outside, &sip812());
    let cnf = [b"image_version: ".as_slice(), MARK, b"\n"].concat();
    std::fs::write(outside.join("SIPDefault.cnf"), &cnf).unwrap();
    theirs.push(
        Sha256::digest(&cnf)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    );

    // Untouched, the root is served whole from firmware/ and settings/.
    let args = [
        root.to_str().unwrap(),
        "--map-file",
        rules.to_str().unwrap(),
    ];
    let (doc, _) = json(&[&["check"], &args[..]].concat());
    let sets = doc["sets"].as_array().unwrap();
    assert!(
        sets.iter()
            .any(|s| s["load"] == "P0S3-8-12-00" && s["complete"] == true),
        "{doc}"
    );

    // Both folders swapped for links out of the root (one relative, one
    // absolute) after check listed the tree.
    let (out, err) = check_with_swap(&args, || {
        std::fs::rename(root.join("firmware"), root.join("was-firmware")).unwrap();
        std::fs::rename(root.join("settings"), root.join("was-settings")).unwrap();
        symlink("../outside", root.join("firmware")).unwrap();
        symlink(&outside, root.join("settings")).unwrap();
    });
    nothing_outside(&out, &err, &theirs);
    let doc: serde_json::Value = serde_json::from_str(&out).expect(&err);
    assert!(
        doc["sets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["complete"] != true),
        "no set read from outside the root: {doc}"
    );
    // What the user sees: each file named as unreadable, a link out of the root.
    let unreadable = pairs(&doc, "findings", "code", "member");
    for name in ["P0S3-8-12-00.loads", "SIPDefault.cnf"] {
        assert!(
            unreadable.contains(&("unreadable".into(), name.into())),
            "{name}: {doc}"
        );
    }
    assert!(out.contains("link out of the root"), "{out}");
}

#[test]
fn plain_check_never_reads_a_file_swapped_for_a_link_after_listing() {
    let d = tempfile::tempdir().unwrap();
    let (root, outside) = (d.path().join("root"), d.path().join("outside"));
    std::fs::create_dir_all(&root).unwrap();
    write_files(&root, &sip812());
    std::fs::write(
        root.join("SIPDefault.cnf"),
        b"image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    let theirs = outside_copies(&outside, &sip812());
    let (out, err) = check_with_swap(&[root.to_str().unwrap()], || {
        for (n, _) in sip812() {
            std::fs::remove_file(root.join(&n)).unwrap();
            symlink(outside.join(&n), root.join(&n)).unwrap();
        }
    });
    nothing_outside(&out, &err, &theirs);
    let doc: serde_json::Value = serde_json::from_str(&out).expect(&err);
    assert!(
        doc["sets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["complete"] != true),
        "{doc}"
    );
}

#[test]
fn folder_boot_judges_no_folder_out_of_the_root_by_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let (root, outside) = (d.path().join("root"), d.path().join("outside"));
    let rules = d.path().join("tftpd.remap");
    std::fs::write(&rules, "r ^(.*\\.(sbn|sb2|bin|loads))$ firmware/\\1\n").unwrap();
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("SIPDefault.cnf"),
        b"image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    outside_copies(&outside, &sip812());
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o700)).unwrap();
    symlink("../outside", root.join("firmware")).unwrap();
    let (boot, _) = json(&[
        "boot",
        root.to_str().unwrap(),
        "--map-file",
        rules.to_str().unwrap(),
        "--mac",
        "0011BB73AD61",
        "--model",
        "7960",
        "--running",
        "P0S3-08-11-00",
    ]);
    let loads = boot["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "P0S3-8-12-00.loads")
        .unwrap_or_else(|| panic!("{boot}"));
    let detail = loads["detail"].as_str().unwrap_or("");
    // The outside folder's mode is not looked at: the link is refused as such.
    assert!(detail.contains("link out of the root"), "{loads}");
    assert!(!detail.contains("0700"), "{loads}");
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o755)).unwrap();
}
