//! Round 3 of the hostile corpus, paths (issue "Hostile input, round 3",
//! points 1, 3, 15 and 16): links on the paths the remap rules produce,
//! rules that send two files to one path, inputs given through links, and
//! the temporary files an interrupted stage leaves where the rules write.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::support::*;

/// Everything under `dir`, links not followed: each path with what it is
/// (a link's target, a file's bytes, a folder's mode).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let what = if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                format!("link {}", t.display()).into_bytes()
            } else if m.is_dir() {
                todo.push(p.clone());
                format!("folder {:o}", m.permissions().mode()).into_bytes()
            } else {
                std::fs::read(&p).unwrap()
            };
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), what);
        }
    }
    out
}

/// A work folder with the SIP 8.12 bundle, a root and a rules file.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new(rules: &str) -> Work {
        let dir = tempfile::tempdir().unwrap();
        zip(&dir.path().join("sip.zip"), &sip812());
        std::fs::create_dir(dir.path().join("root")).unwrap();
        std::fs::write(dir.path().join("tftpd.remap"), rules).unwrap();
        Work { dir }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn root(&self) -> PathBuf {
        self.path("root")
    }
    fn stage(&self, rules: bool) -> std::process::Output {
        let mut c = loadsmith();
        c.args(["stage", "--target", "P0S3-8-12-00", "--from"])
            .arg(self.path("sip.zip"))
            .arg(self.root());
        if rules {
            c.arg("--map-file").arg(self.path("tftpd.remap"));
        }
        c.output().unwrap()
    }
}

/// A refusal (exit 1) whose message holds every one of `parts`.
fn refused(out: &std::process::Output, parts: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for p in parts.iter().chain(&["nothing was written"]) {
        assert!(err.contains(p), "{p}: {err}");
    }
}

#[test]
fn a_folder_link_on_the_rules_path_out_of_the_root_refuses_the_stage() {
    let w = Work::new("r ^(.*\\.(sbn|sb2|bin|loads))$ firmware/\\1\n");
    std::fs::create_dir(w.path("outside")).unwrap();
    std::fs::write(w.path("outside/keep.sbn"), b"not yours").unwrap();
    symlink("../outside", w.root().join("firmware")).unwrap();
    let (outside, root) = (snapshot(&w.path("outside")), snapshot(&w.root()));
    let out = w.stage(true);
    refused(
        &out,
        &["P0S3-8-12-00", "line 1: r ^(.*", "firmware is a link"],
    );
    assert_eq!(snapshot(&w.path("outside")), outside, "outside untouched");
    assert_eq!(
        snapshot(&w.root()),
        root,
        "the root unchanged, no .loadsmith/"
    );

    // What check and folder boot read through the rules stays in the root:
    // the set outside is not served, though the tree holds its names (in
    // old/, where the rules do not send them).
    std::fs::create_dir(w.root().join("old")).unwrap();
    for (n, b) in sip812() {
        std::fs::write(w.path("outside").join(&n), &b).unwrap();
        std::fs::write(w.root().join("old").join(&n), b"stale").unwrap();
    }
    let rules = w.path("tftpd.remap");
    let (doc, _) = json(&[
        "check",
        w.root().to_str().unwrap(),
        "--map-file",
        rules.to_str().unwrap(),
    ]);
    assert!(
        doc["sets"].as_array().unwrap().is_empty(),
        "nothing outside the root is read as served: {doc}"
    );
    assert!(
        pairs(&doc, "findings", "code", "member")
            .contains(&("remap-dangles".into(), "P0S3-8-12-00.loads".into())),
        "{doc}"
    );
    let (boot, _) = json(&[
        "boot",
        w.root().to_str().unwrap(),
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
        .filter(|r| r["file"].as_str().unwrap_or("").ends_with(".loads"))
        .collect::<Vec<_>>();
    assert!(
        loads.iter().all(|r| r["status"] != "ok"),
        "no load served from outside the root: {boot}"
    );
}

#[test]
fn a_settings_link_to_another_folder_leaves_its_sipdefault_byte_identical() {
    let w = Work::new("r ^(SIPDefault\\.cnf)$ settings/\\1\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let theirs = b"image_version: \"someone else's\"\nproxy1_address: 10.9.9.9\n";
    std::fs::write(elsewhere.path().join("SIPDefault.cnf"), theirs).unwrap();
    // An absolute link, as `settings -> /elsewhere`.
    symlink(elsewhere.path(), w.root().join("settings")).unwrap();
    let root = snapshot(&w.root());
    let out = w.stage(true);
    refused(&out, &["SIPDefault.cnf", "line 1", "settings is a link"]);
    assert_eq!(
        std::fs::read(elsewhere.path().join("SIPDefault.cnf")).unwrap(),
        theirs
    );
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        1,
        "no temporary file left there"
    );
    assert_eq!(snapshot(&w.root()), root);
}

#[test]
fn a_folder_link_into_loadsmiths_own_folder_leaves_the_lock_files_untouched() {
    let w = Work::new("r ^(.*\\.sbn)$ fw/\\1\n");
    let first = w.stage(false);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    symlink(".loadsmith", w.root().join("fw")).unwrap();
    let root = snapshot(&w.root());
    assert!(root.contains_key(Path::new(".loadsmith/lock")), "{root:?}");
    let out = w.stage(true);
    refused(&out, &["P003-8-12-00.sbn", "fw is a link"]);
    assert_eq!(
        snapshot(&w.root()),
        root,
        "lock files and manifest untouched"
    );
}

#[test]
fn a_file_where_the_rules_need_a_folder_refuses_the_stage() {
    let w = Work::new("r ^(.*\\.sbn)$ firmware/\\1\n");
    std::fs::write(w.root().join("firmware"), b"a file").unwrap();
    let root = snapshot(&w.root());
    let out = w.stage(true);
    refused(&out, &["P003-8-12-00.sbn", "firmware is a regular file"]);
    assert_eq!(snapshot(&w.root()), root);
}

#[test]
fn a_set_file_and_a_pointer_file_on_one_path_refuse_before_anything_is_written() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "r ^P0S3-8-12-00\\.loads$ SIPDefault.cnf\n",
            &[
                "both P0S3-8-12-00.loads (line 1: r ^P0S3-8-12-00",
                "and SIPDefault.cnf (no rule changes it) to SIPDefault.cnf",
            ],
        ),
        (
            "r ^P0S3-8-12-00\\.(loads|sb2)$ firmware/same\n",
            &[
                "both P0S3-8-12-00.loads",
                "and P0S3-8-12-00.sb2",
                "firmware/same",
            ],
        ),
        (
            "r ^(P0S3-8-12-00\\.loads)$ firmware\nr ^(.*\\.sb2)$ firmware/\\1\n",
            &[
                "need firmware both as a file, for P0S3-8-12-00.loads (line 1",
                "as a folder, for P0S3-8-12-00.sb2 at firmware/P0S3-8-12-00.sb2 (line 2",
            ],
        ),
    ];
    for (rules, says) in cases {
        let w = Work::new(rules);
        let out = w.stage(true);
        refused(&out, says);
        assert_eq!(
            std::fs::read_dir(w.root()).unwrap().count(),
            0,
            "{rules}: no firmware/ or .loadsmith/ left behind"
        );
        // Into a root that does not exist yet: it is not made either.
        std::fs::remove_dir(w.root()).unwrap();
        refused(&w.stage(true), says);
        assert!(!w.root().exists(), "{rules}");
    }
}

#[test]
fn a_map_file_and_a_log_given_through_a_link_are_read() {
    let w = Work::new("r ^(.*\\.(sbn|sb2|loads))$ firmware/\\1\n");
    let staged = w.stage(true);
    assert!(
        staged.status.success(),
        "{}",
        String::from_utf8_lossy(&staged.stderr)
    );
    symlink(w.path("tftpd.remap"), w.path("linked.remap")).unwrap();
    let root = w.root();
    let check = |rules: &Path| {
        json(&[
            "check",
            root.to_str().unwrap(),
            "--map-file",
            rules.to_str().unwrap(),
        ])
    };
    let (direct, code) = check(&w.path("tftpd.remap"));
    assert_eq!(code, 0, "{direct}");
    let (linked, code) = check(&w.path("linked.remap"));
    assert_eq!(code, 0, "{linked}");
    assert_eq!(linked["fleet"], direct["fleet"]);
    // A stage too takes its rules through a link.
    let out = loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from"])
        .arg(w.path("sip.zip"))
        .arg(w.root())
        .arg("--map-file")
        .arg(w.path("linked.remap"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let log = w.path("tftpd.log");
    std::fs::write(
        &log,
        "Nov 22 03:00:01 pbx in.tftpd[101]: RRQ from 10.0.0.4 filename P003-8-12-00.sbn\n",
    )
    .unwrap();
    symlink(&log, w.path("linked.log")).unwrap();
    // This phone lost the server after its loader: a problem (exit 1), the
    // same through the link, never unreadable input (exit 2).
    let (direct, code) = json(&["log", log.to_str().unwrap()]);
    assert_eq!(code, 1, "{direct}");
    let (linked, code) = json(&["log", w.path("linked.log").to_str().unwrap()]);
    assert_eq!(code, 1, "{linked}");
    assert_eq!(linked["phones"], direct["phones"]);
    assert_eq!(direct["phones"].as_array().unwrap().len(), 1, "{direct}");
    // Still regular files only: a FIFO given as rules is refused, not waited on.
    let fifo = w.path("fifo");
    crate::support::mkfifo(&fifo);
    let (_, code) = check(&fifo);
    assert_eq!(code, 2);
}

#[test]
fn leftovers_in_rule_folders_and_in_loadsmiths_folder_are_reported_then_removed() {
    let w = Work::new("r ^(.*\\.(sbn|sb2|loads))$ firmware/\\1\n");
    let staged = w.stage(true);
    assert!(
        staged.status.success(),
        "{}",
        String::from_utf8_lossy(&staged.stderr)
    );
    let in_rules = w
        .root()
        .join("firmware/.loadsmith-tmp.P003-8-12-00.sbn.99999");
    let in_state = w
        .root()
        .join(".loadsmith/.loadsmith-tmp.manifest.json.99999");
    std::fs::write(&in_rules, b"half").unwrap();
    std::fs::write(&in_state, b"{\"half").unwrap();
    let rules = w.path("tftpd.remap");
    let check = || {
        json(&[
            "check",
            w.root().to_str().unwrap(),
            "--map-file",
            rules.to_str().unwrap(),
        ])
        .0
    };
    let doc = check();
    let left: Vec<String> = pairs(&doc, "findings", "code", "member")
        .into_iter()
        .filter(|(c, _)| c == "leftover-temp")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        left,
        [
            ".loadsmith/.loadsmith-tmp.manifest.json.99999",
            "firmware/.loadsmith-tmp.P003-8-12-00.sbn.99999"
        ],
        "{doc}"
    );
    // Without the rules, the one in `.loadsmith/` is still seen.
    let (plain, _) = json(&["check", w.root().to_str().unwrap()]);
    assert!(
        pairs(&plain, "findings", "code", "member").contains(&(
            "leftover-temp".into(),
            ".loadsmith/.loadsmith-tmp.manifest.json.99999".into()
        )),
        "{plain}"
    );
    let again = w.stage(true);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(!in_rules.exists() && !in_state.exists());
    let doc = check();
    assert!(
        !pairs(&doc, "findings", "code", "member")
            .iter()
            .any(|(c, _)| c == "leftover-temp"),
        "{doc}"
    );
}
