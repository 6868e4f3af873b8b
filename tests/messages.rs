//! Issue 24's "Messages": what the binary says where it used to say the
//! wrong thing (the rest of the list is guarded in `human` and `cli_basics`).

use std::path::Path;

use predicates::prelude::*;

use crate::support::{json, loadsmith, sip812, zip};

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip")
}

fn stage(root: &Path) -> assert_cmd::assert::Assert {
    loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from"])
        .arg(sample())
        .arg(root)
        .assert()
}

#[test]
fn restaging_over_a_drifted_file_says_it_changed_since_the_stage_wrote_it() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    stage(&root).success();
    let sb2 = root.join("P0S3-8-12-00.sb2");
    let staged = std::fs::read(&sb2).unwrap();
    let mut changed = staged.clone();
    changed.extend_from_slice(b"edited by hand");
    std::fs::write(&sb2, &changed).unwrap();
    stage(&root)
        .code(1)
        .stderr(predicate::str::contains(
            "P0S3-8-12-00.sb2 (staged for P0S3-8-12-00) with other bytes than the earlier stage wrote (changed since",
        ))
        .stderr(predicate::str::contains("not written by an earlier stage").not())
        .stderr(predicate::str::contains("pass --force to put the bundle's bytes back"));
    assert_eq!(std::fs::read(&sb2).unwrap(), changed, "nothing was written");
    loadsmith()
        .args(["stage", "--force", "--target", "P0S3-8-12-00", "--from"])
        .arg(sample())
        .arg(&root)
        .assert()
        .success();
    assert_eq!(std::fs::read(&sb2).unwrap(), staged);
}

#[test]
fn a_file_no_stage_wrote_is_still_said_to_be_foreign() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("P003-8-12-00.bin"), b"someone else's").unwrap();
    stage(&root)
        .code(1)
        .stderr(predicate::str::contains(
            "P003-8-12-00.bin with other bytes, not written by an earlier stage",
        ))
        .stderr(predicate::str::contains("staged for").not());
}

#[test]
fn os79xx_naming_a_missing_image_advises_the_image_not_the_line() {
    let d = tempfile::tempdir().unwrap();
    let mut files = sip812();
    let mut two_lines = files.clone();
    for (n, b) in files.iter_mut() {
        if n == "OS79XX.TXT" {
            *b = b"P003-8-11-00\r\n".to_vec();
        }
    }
    for (n, b) in two_lines.iter_mut() {
        if n == "OS79XX.TXT" {
            *b = b"P003-8-12-00\r\nP003-8-11-00\r\n".to_vec();
        }
    }
    zip(&d.path().join("missing.zip"), &files);
    zip(&d.path().join("lines.zip"), &two_lines);
    let message = |bundle: &str| {
        let (doc, _) = json(&["inspect", d.path().join(bundle).to_str().unwrap()]);
        doc["bundles"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "os79xx-format")
            .unwrap_or_else(|| panic!("{doc}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        message("missing.zip"),
        "OS79XX.TXT names P003-8-11-00, which the bundle does not hold: phones told to load it \
         will not find it; add P003-8-11-00, or name an image the bundle holds"
    );
    assert!(
        message("lines.zip").ends_with("; write the image name alone on one line"),
        "{}",
        message("lines.zip")
    );
}

#[test]
fn man_pages_never_name_themselves_in_see_also() {
    let d = tempfile::tempdir().unwrap();
    loadsmith()
        .args(["man", "--dir"])
        .arg(d.path())
        .assert()
        .success();
    let mut pages = 0;
    for e in std::fs::read_dir(d.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(d.path().join(&name)).unwrap();
        let see = text.split(".SH \"SEE ALSO\"\n").nth(1).unwrap();
        let stem = name.strip_suffix(".1").unwrap().replace('-', "\\-");
        let own = format!("{stem}(1)");
        assert!(
            !see.split(&[',', ';', ' ', '\n']).any(|p| p == own),
            "{name} names itself: {see}"
        );
        if name == "loadsmith.1" {
            assert!(see.contains("loadsmith\\-log(1)"), "{see}");
        } else {
            assert!(see.starts_with("loadsmith(1), "), "{name}: {see}");
        }
        pages += 1;
    }
    assert!(pages >= 12, "{pages} pages");
}
