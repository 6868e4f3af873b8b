//! Roots as tftpd-hpa serves them (issue "Roots as the server serves
//! them", §1 and §2): permissions, case, the manifest, and `--map-file`,
//! each compared with the real `in.tftpd` on 127.0.0.1 where it can be
//! (skipped, saying so, when it is not installed or the tests cannot start
//! it as root).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::{Files, json, sccp41, tftpd_with};

const MAC: &str = "0011BB73AD61";

fn write_root(dir: &Path, files: &Files, extra: &[(&str, &str)]) {
    for (n, b) in files {
        std::fs::write(dir.join(n), b).unwrap();
    }
    for (n, b) in extra {
        std::fs::write(dir.join(n), b).unwrap();
    }
}

const XML_7961: &str = "<Default>\n<loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>\n</Default>\n";

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn boot(src: &str) -> serde_json::Value {
    json(&[
        "boot",
        src,
        "--mac",
        MAC,
        "--model",
        "7961",
        "--factory-reset",
    ])
    .0
}

/// What a phone saw, request by request: name and status.
fn seen(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().into(),
                r["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn codes(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().into(),
                f["message"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// Folder and live server agree on every request and on the verdict.
fn same_as_live(root: &Path) -> serde_json::Value {
    let folder = boot(root.to_str().unwrap());
    let Some(server) = tftpd_with(root, "nobody", &[]) else {
        eprintln!("skipped: the live comparison needs in.tftpd and root (.ci/run installs it)");
        return folder;
    };
    let live = boot(&format!("tftp://127.0.0.1:{}", server.port));
    assert_eq!(seen(&folder), seen(&live), "folder: {folder}\nlive: {live}");
    assert_eq!(folder["verdict"]["kind"], live["verdict"]["kind"]);
    assert_eq!(folder["verdict"]["file"], live["verdict"]["file"]);
    folder
}

#[test]
fn a_file_others_cannot_read_is_an_error_and_not_served() {
    let d = tempfile::tempdir().unwrap();
    write_root(d.path(), &sccp41(), &[("XMLDefault.cnf.xml", XML_7961)]);
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    let ok = same_as_live(d.path());
    assert_eq!(ok["verdict"]["kind"], "settles");

    chmod(&d.path().join("cnu41.9-4-2ES26.sbn"), 0o640);
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let (_, msg) = codes(&doc)
        .into_iter()
        .find(|(c, _)| c == "not-served")
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(
        msg.contains("cnu41.9-4-2ES26.sbn") && msg.contains("0640"),
        "{msg}"
    );
    let doc = same_as_live(d.path());
    let cnu = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "cnu41.9-4-2ES26.sbn")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(cnu["status"], "error", "{doc}");
    assert_ne!(doc["verdict"]["kind"], "settles");
}

#[test]
fn a_root_others_cannot_enter_serves_nothing() {
    let d = tempfile::tempdir().unwrap();
    write_root(d.path(), &sccp41(), &[("XMLDefault.cnf.xml", XML_7961)]);
    chmod(d.path(), 0o700);
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let served: Vec<_> = codes(&doc)
        .into_iter()
        .filter(|(c, _)| c == "not-served")
        .collect();
    assert_eq!(
        served.len(),
        1,
        "one finding for the root, not one per file: {served:?}"
    );
    assert!(served[0].1.contains("the root folder") && served[0].1.contains("0700"));
    let doc = same_as_live(d.path());
    assert_eq!(doc["requests"][0]["status"], "error", "{doc}");
    chmod(d.path(), 0o755);
}

#[test]
fn configuration_files_in_another_case_are_never_requested() {
    let d = tempfile::tempdir().unwrap();
    write_root(
        d.path(),
        &sccp41(),
        &[
            ("xmldefault.cnf.xml", XML_7961),
            ("sep0011bb73ad61.cnf.xml", "<device/>"),
        ],
    );
    let (doc, _) = json(&["check", d.path().to_str().unwrap()]);
    let spelled: Vec<_> = codes(&doc)
        .into_iter()
        .filter(|(c, _)| c == "case-spelling")
        .collect();
    assert_eq!(spelled.len(), 2, "{doc}");
    assert!(
        spelled
            .iter()
            .any(|(_, m)| m.contains("phones ask for XMLDefault.cnf.xml exactly"))
    );
    assert!(
        spelled
            .iter()
            .any(|(_, m)| m.contains("SEP0011BB73AD61.cnf.xml"))
    );
    // What the phone does agrees: it never gets the lower-case file.
    let doc = same_as_live(d.path());
    assert!(
        seen(&doc).contains(&("XMLDefault.cnf.xml".into(), "not-found".into())),
        "{doc}"
    );
}

#[test]
fn the_manifest_in_the_root_names_no_path_of_this_machine() {
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("cmterm-7961-sccp.9-4-2SR3-1.zip");
    support::zip(&bundle, &sccp41());
    let root = work.path().join("tftp");
    let out = support::loadsmith()
        .args([
            "stage",
            "--from",
            bundle.to_str().unwrap(),
            "--target",
            "SCCP41.9-4-2SR3-1S",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = std::fs::read_to_string(root.join(".loadsmith/manifest.json")).unwrap();
    assert!(
        !manifest.contains(work.path().to_str().unwrap()),
        "{manifest}"
    );
    assert!(
        manifest.contains("\"cmterm-7961-sccp.9-4-2SR3-1.zip\""),
        "{manifest}"
    );
}
