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

/// The kinds and subjects of `compare --json`'s differences.
fn differences(doc: &serde_json::Value) -> Vec<(String, String)> {
    crate::support::pairs(doc, "differences", "kind", "what")
}

fn compare(sources: &[&str]) -> (serde_json::Value, i32) {
    let mut args = vec!["compare"];
    args.extend(sources);
    json(&args)
}

/// Three roots: `a` and `b` the same, `c` with another SIPDefault.cnf
/// setting and without the .sb2.
fn three_roots() -> [tempfile::TempDir; 3] {
    let roots = [(); 3].map(|_| tempfile::tempdir().unwrap());
    for r in &roots {
        write_files(r.path(), &sip_root());
    }
    let c = roots[2].path();
    std::fs::write(
        c.join("SIPDefault.cnf"),
        b"proxy1_address: \"10.0.0.1\"\nimage_version: P0S3-8-11-00\n",
    )
    .unwrap();
    std::fs::remove_file(c.join("P0S3-8-12-00.sb2")).unwrap();
    roots
}

#[test]
fn compare_folders_that_serve_the_same_exits_0_with_equal_fingerprints() {
    let roots = three_roots();
    let (a, b) = (roots[0].path(), roots[1].path());
    std::fs::write(b.join("notes.txt"), b"unrelated").unwrap();
    let (doc, code) = compare(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["same"], true);
    assert!(differences(&doc).is_empty());
    assert_eq!(
        doc["sources"][0]["fingerprint"],
        doc["sources"][1]["fingerprint"]
    );
    assert_eq!(
        doc["sources"][0]["fingerprint"].as_str().unwrap(),
        fingerprint_of(a),
        "compare's fingerprint is check's"
    );
    assert!(!doc["phones"].as_array().unwrap().is_empty());
    let out = crate::support::loadsmith()
        .args(["compare", a.to_str().unwrap(), b.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("every source tells every phone the same"),
        "{text}"
    );
}

#[test]
fn compare_folders_names_each_difference_on_a_line_and_exits_1() {
    let roots = three_roots();
    let (a, c) = (roots[0].path(), roots[2].path());
    let (doc, code) = compare(&[a.to_str().unwrap(), c.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    let d = differences(&doc);
    for want in [
        ("verdict", "7960 loader era"),
        ("pointer", "SIPDefault.cnf image_version"),
        ("content", "SIPDefault.cnf"),
        ("missing", "P0S3-8-12-00.sb2"),
    ] {
        assert!(
            d.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {d:?}"
        );
    }
    assert_ne!(
        doc["sources"][0]["fingerprint"],
        doc["sources"][1]["fingerprint"]
    );
    let out = crate::support::loadsmith()
        .args(["compare", a.to_str().unwrap(), c.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("pointer SIPDefault.cnf image_version:"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("[1] P0S3-8-12-00") && line.contains("[2] P0S3-8-11-00"),
        "{line}"
    );
    assert!(text.contains("missing P0S3-8-12-00.sb2: "), "{text}");
}

#[test]
fn compare_against_a_manifest_copied_from_another_server_sees_a_file_that_differs() {
    let (a, b, work) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let zip = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/P0S3-8-12-00-sample.zip"
    );
    for r in [a.path(), b.path()] {
        crate::support::loadsmith()
            .args(["-q", "stage", "--target", "P0S3-08-12-00", "--from", zip])
            .arg(r)
            .assert()
            .success();
    }
    let copied = work.path().join("server-b.json");
    std::fs::copy(b.path().join(".loadsmith/manifest.json"), &copied).unwrap();
    let (doc, code) = compare(&[a.path().to_str().unwrap(), copied.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["sources"][1]["kind"], "manifest");
    assert_eq!(doc["sources"][1]["target"], "P0S3-8-12-00");
    // The folder's .sb2 changes by one byte: the manifest recorded the other.
    let sb2 = a.path().join("P0S3-8-12-00.sb2");
    let mut bytes = std::fs::read(&sb2).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&sb2, bytes).unwrap();
    let (doc, code) = compare(&[a.path().to_str().unwrap(), copied.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(
        differences(&doc),
        [("content".to_string(), "P0S3-8-12-00.sb2".to_string())]
    );
    // A manifest that is none is unreadable input.
    std::fs::write(&copied, b"{not json").unwrap();
    let (doc, code) = compare(&[a.path().to_str().unwrap(), copied.to_str().unwrap()]);
    assert_eq!(code, 2, "{doc}");
}

#[test]
fn compare_two_live_in_tftpd_servers_sees_another_sipdefault_and_a_missing_file() {
    let roots = three_roots();
    for r in &roots {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(r.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (Some(one), Some(two)) = (
        crate::support::tftpd_with(roots[0].path(), "nobody", &[]),
        crate::support::tftpd_with(roots[2].path(), "nobody", &[]),
    ) else {
        eprintln!("skipped: the live comparison needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    let (u1, u2) = (
        format!("tftp://127.0.0.1:{}", one.port),
        format!("tftp://127.0.0.1:{}", two.port),
    );
    let a = roots[0].path().to_str().unwrap();
    // The folder and the server that serves it tell phones the same.
    let (doc, code) = compare(&[a, &u1]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        doc["sources"][0]["fingerprint"],
        doc["sources"][1]["fingerprint"]
    );
    let (doc, code) = compare(&[&u1, &u2]);
    assert_eq!(code, 1, "{doc}");
    let d = differences(&doc);
    for want in [
        ("verdict", "7940 loader era"),
        ("pointer", "SIPDefault.cnf image_version"),
        ("content", "SIPDefault.cnf"),
        ("missing", "P0S3-8-12-00.sb2"),
    ] {
        assert!(
            d.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {d:?}"
        );
    }
}

fn stage_phase(root: &Path, phase: &[&str]) -> (serde_json::Value, i32) {
    let zip = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/P0S3-8-12-00-sample.zip"
    );
    let mut args = vec!["stage", "--target", "P0S3-08-12-00", "--from", zip];
    args.extend(phase);
    args.push(root.to_str().unwrap());
    json(&args)
}

#[test]
fn files_only_writes_the_set_and_no_pointer_then_pointers_only_points_at_it() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    let (doc, code) = stage_phase(&root, &["--files-only"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["phase"], "files");
    assert!(root.join("P0S3-8-12-00.sb2").is_file());
    for p in ["OS79XX.TXT", "SIPDefault.cnf"] {
        assert!(!root.join(p).exists(), "{p} written by --files-only");
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".loadsmith/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        m["target"],
        serde_json::Value::Null,
        "recorded, not pointed at"
    );
    assert_eq!(m["files"]["P0S3-8-12-00.sb2"]["kind"], "image");
    let (doc, _) = stage_phase(&root, &["--files-only"]);
    assert_eq!(
        doc["changed"], false,
        "a second files phase changes nothing"
    );
    let (doc, code) = stage_phase(&root, &["--pointers-only"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["changed"], true);
    assert!(root.join("SIPDefault.cnf").is_file());
    let (doc, _) = stage_phase(&root, &["--pointers-only"]);
    assert_eq!(doc["changed"], false);
    let (doc, _) = stage_phase(&root, &[]);
    assert_eq!(doc["changed"], false, "both phases are a whole stage");
}

#[test]
fn pointers_only_refuses_a_root_where_a_set_file_is_missing_or_differs() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("root");
    assert_eq!(stage_phase(&root, &["--files-only"]).1, 0);
    let sb2 = root.join("P0S3-8-12-00.sb2");
    let bytes = std::fs::read(&sb2).unwrap();
    std::fs::remove_file(&sb2).unwrap();
    let (doc, code) = stage_phase(&root, &["--pointers-only"]);
    assert_eq!(code, 1, "{doc}");
    assert!(
        doc["error"]["details"][0]
            .as_str()
            .unwrap()
            .contains("P0S3-8-12-00.sb2 is not in the root"),
        "{doc}"
    );
    let mut other = bytes.clone();
    other[200] ^= 1;
    std::fs::write(&sb2, &other).unwrap();
    let (doc, code) = stage_phase(&root, &["--pointers-only", "--force"]);
    assert_eq!(code, 1, "{doc}");
    assert!(!root.join("SIPDefault.cnf").exists() && !root.join("OS79XX.TXT").exists());
    assert_eq!(std::fs::read(&sb2).unwrap(), other, "nothing written");
}
