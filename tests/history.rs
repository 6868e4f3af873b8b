//! A root's history and `undo` (issue 24): every stage keeps what it
//! displaced in `.loadsmith/history/`; `history` lists it; `undo` puts the
//! root back byte for byte, as crash-safe as a stage (faults injected at
//! every step, as tests/crash.rs does); `check` names the last stage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::*;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const OLD: &str = "P0S3-8-11-00";
const NEW: &str = "P0S3-8-12-00";
const SIPDEFAULT: &[u8] =
    b"# defaults\r\nimage_version: P0S3-8-11-00\r\nproxy1_address: 10.0.0.1\r\n";
const XMLDEFAULT: &str = "<Default>\n  <loadInformation7 model=\"IP Phone 7960\">P0S3-8-10-00</loadInformation7>\n</Default>\n";

/// Every regular file of a root and its bytes, loadsmith's lock files and
/// history left out (what phones and `check` see, and the manifest).
type Snapshot = BTreeMap<String, Vec<u8>>;

fn snapshot(root: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if [
            ".loadsmith/history",
            ".loadsmith/lock",
            ".loadsmith/readers",
        ]
        .contains(&rel.as_str())
        {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            walk(root, &p, out);
        } else {
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

fn diff(a: &Snapshot, b: &Snapshot) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .map(|n| n.to_string())
        .collect()
}

struct World {
    d: TempDir,
    root: PathBuf,
    /// The root before any stage, after the old stage, after the new one.
    s0: Snapshot,
    s1: Snapshot,
    s2: Snapshot,
}

impl World {
    /// A root with SIPDefault.cnf and XMLDefault.cnf.xml, then staged
    /// with the old load, then the new with `--prune` (`new_args` added).
    fn new(new_args: &[&str]) -> World {
        let d = tempfile::tempdir().unwrap();
        zip(&d.path().join(format!("{OLD}.zip")), &sip79("8-11-00"));
        zip(&d.path().join(format!("{NEW}.zip")), &sip79("8-12-00"));
        let root = d.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("SIPDefault.cnf"), SIPDEFAULT).unwrap();
        std::fs::write(root.join("XMLDefault.cnf.xml"), XMLDEFAULT).unwrap();
        let mut w = World {
            s0: snapshot(&root),
            root,
            d,
            s1: Snapshot::new(),
            s2: Snapshot::new(),
        };
        w.stage(OLD, &[]).assert().success();
        w.s1 = snapshot(&w.root);
        let mut args = vec!["--prune"];
        args.extend(new_args);
        w.stage(NEW, &args).assert().success();
        w.s2 = snapshot(&w.root);
        w
    }

    fn stage(&self, load: &str, extra: &[&str]) -> assert_cmd::Command {
        let mut c = loadsmith();
        c.args(["stage", "--target", load, "--from"])
            .arg(self.d.path().join(format!("{load}.zip")))
            .args(extra)
            .arg(&self.root);
        c
    }

    fn undo(&self, extra: &[&str]) -> assert_cmd::Command {
        let mut c = loadsmith();
        c.arg("undo").args(extra).arg(&self.root);
        c
    }

    fn json(&self, cmd: &str) -> (serde_json::Value, i32) {
        json(&[cmd, self.root.to_str().unwrap()])
    }

    /// `loadsmith CMD ROOT` (human output), which succeeds: its stdout.
    fn human(&self, cmd: &str) -> String {
        let out = loadsmith().arg(cmd).arg(&self.root).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    }

    /// The root holds what `s` holds, byte for byte.
    fn assert_root_is(&self, s: &Snapshot, when: &str) {
        assert_eq!(
            diff(&snapshot(&self.root), s),
            Vec::<String>::new(),
            "{when}"
        );
    }

    /// Copies the root's history beside it, for [`restore`] to put back.
    fn keep_history_aside(&self) {
        let aside = self.root.with_extension("history");
        let _ = std::fs::remove_dir_all(&aside);
        copy_dir(&self.root.join(".loadsmith/history"), &aside);
    }

    /// No error in `check` (every pointer names a complete set).
    fn assert_checks(&self, when: &str) {
        let (doc, code) = self.json("check");
        assert_eq!(doc["summary"]["errors"], 0, "{when}: {doc}");
        assert_eq!(code, 0, "{when}");
    }
}

fn sha(path: &Path) -> String {
    let d = Sha256::digest(std::fs::read(path).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn undo_puts_the_root_back_byte_for_byte_and_twice_goes_back_two_stages() {
    let w = World::new(&[]);
    assert_ne!(w.s1, w.s2);
    let out = w.undo(&[]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains(&format!("undo the stage of {NEW}")), "{text}");
    assert!(text.contains(&format!("back to {OLD}")), "{text}");
    w.assert_root_is(&w.s1, "");
    w.assert_checks("after one undo");
    w.undo(&[]).assert().success();
    // Before the first stage there was no manifest: it is gone again.
    w.assert_root_is(&w.s0, "");
    let out = w.undo(&[]).assert().code(1).get_output().stderr.clone();
    assert!(
        String::from_utf8_lossy(&out).contains("nothing to undo"),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn history_lists_every_stage_with_its_bundle_digest_and_files() {
    let w = World::new(&[]);
    let (doc, code) = w.json("history");
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], 1);
    let stages = doc["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2, "{doc}");
    let newest = &stages[0];
    assert_eq!(newest["target"], NEW);
    assert_eq!(newest["previous"], OLD);
    assert_eq!(newest["state"], "done");
    assert_eq!(newest["entry"], 2);
    assert_eq!(
        newest["bundles"][0]["sha256"],
        sha(&w.d.path().join(format!("{NEW}.zip")))
    );
    assert_eq!(newest["bundles"][0]["path"], format!("{NEW}.zip"));
    let change = |name: &str| {
        newest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["change"].as_str().unwrap().to_string())
    };
    assert_eq!(change("SIPDefault.cnf").as_deref(), Some("edit"));
    assert_eq!(change("P0S3-8-12-00.loads").as_deref(), Some("create"));
    assert_eq!(change("P0S3-8-11-00.loads").as_deref(), Some("remove"));
    // The edited pointer file is kept byte for byte.
    let sip = newest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "SIPDefault.cnf")
        .unwrap();
    let kept = w
        .root
        .join(".loadsmith/history/0002")
        .join(sip["saved"].as_str().unwrap());
    assert_eq!(std::fs::read(kept).unwrap(), w.s1["SIPDefault.cnf"]);
    let text = w.human("history");
    assert!(text.contains("2 stages kept"), "{text}");
    assert!(
        text.contains("#2 ") && text.contains(&format!("{NEW} (was {OLD})")),
        "{text}"
    );
    assert!(text.contains("    edit     SIPDefault.cnf"), "{text}");
    assert!(text.contains("    remove   P0S3-8-11-00.loads"), "{text}");
}

#[test]
fn check_shows_the_last_stage() {
    let w = World::new(&[]);
    let text = w.human("check");
    let line = text
        .lines()
        .find(|l| l.contains("last stage:"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("#2 ") && line.contains(&format!("{NEW} from {NEW}.zip")),
        "{line}"
    );
    let (doc, _) = w.json("check");
    assert_eq!(doc["last_stage"]["target"], NEW);
    assert_eq!(doc["last_stage"]["entry"], 2);
}

#[test]
fn undo_refuses_naming_files_changed_by_hand_and_dry_run_shows_the_diff() {
    let w = World::new(&[]);
    let plan = w
        .undo(&["--dry-run"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan = String::from_utf8_lossy(&plan);
    assert!(plan.contains("-image_version: P0S3-8-12-00"), "{plan}");
    assert!(plan.contains("+image_version: P0S3-8-11-00"), "{plan}");
    assert!(plan.contains("remove     P0S3-8-12-00.loads"), "{plan}");
    assert!(plan.contains("restore    P0S3-8-11-00.loads"), "{plan}");
    assert_eq!(snapshot(&w.root), w.s2, "a dry run changes nothing");
    let edited = b"image_version: P0S3-8-12-00\r\n# a note by hand\r\n";
    std::fs::write(w.root.join("SIPDefault.cnf"), edited).unwrap();
    let before = snapshot(&w.root);
    let err = w.undo(&[]).assert().code(1).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("SIPDefault.cnf: sha256"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(snapshot(&w.root), before);
    // Put back as the stage left it, the undo goes through.
    std::fs::write(w.root.join("SIPDefault.cnf"), &w.s2["SIPDefault.cnf"]).unwrap();
    w.undo(&[]).assert().success();
    w.assert_root_is(&w.s1, "");
}

#[test]
fn keep_history_keeps_only_the_last_stages() {
    let w = World::new(&[]);
    w.stage(OLD, &["--keep-history", "1"]).assert().success();
    let s3 = snapshot(&w.root);
    w.stage(NEW, &["--keep-history", "1"]).assert().success();
    let (doc, _) = w.json("history");
    let stages = doc["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 1, "{doc}");
    assert_eq!(stages[0]["entry"], 4);
    w.undo(&[]).assert().success();
    w.assert_root_is(&s3, "");
    w.undo(&[]).assert().code(1);
}

#[test]
fn past_max_history_size_images_are_not_kept_and_undo_refuses_to_restore_half_a_set() {
    let w = World::new(&["--max-history-size", "1K"]);
    let (doc, _) = w.json("history");
    let newest = &doc["stages"][0];
    assert!(
        newest["not_kept"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "P0S3-8-11-00.loads"),
        "{newest}"
    );
    let err = w.undo(&[]).assert().code(1).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("P0S3-8-11-00.loads: not kept"), "{err}");
    assert_eq!(snapshot(&w.root), w.s2);
}

/// Runs `cmd` with `LOADSMITH_FAULT=crash:N` for N = 1, 2, … until it
/// succeeds, from the root `reset` (and the history kept aside); calls
/// `after(N)` after each crash. Returns the steps crashed at.
fn crash_at_every_step(
    w: &World,
    reset: &Snapshot,
    cmd: impl Fn() -> assert_cmd::Command,
    after: impl FnMut(u64),
) -> u64 {
    let scratch = w.d.path().join("reset");
    let run = |fault: &str| {
        restore(&w.root, reset, &scratch);
        cmd().env("LOADSMITH_FAULT", fault).output().unwrap()
    };
    crate::support::crash_at_every_step("", run, after)
}

/// Puts the root back as a snapshot and a copy of its history taken with it.
fn restore(root: &Path, s: &Snapshot, _scratch: &Path) {
    let hist = root.with_extension("history");
    let _ = std::fs::remove_dir_all(root);
    for (rel, bytes) in s {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    if hist.exists() {
        copy_dir(&hist, &root.join(".loadsmith/history"));
    }
}

#[test]
fn a_crash_at_any_step_of_a_stage_leaves_a_history_undo_can_use() {
    let w = World::new(&[]);
    // From the root after the old stage, its history as it was then.
    w.undo(&[]).assert().success();
    w.keep_history_aside();
    let steps = crash_at_every_step(
        &w,
        &w.s1,
        || w.stage(NEW, &["--prune"]),
        |n| {
            let when = format!("stage crashed at step {n}");
            w.assert_checks(&when);
            let (doc, code) = w.json("history");
            assert_eq!(code, 0, "{when}: {doc}");
            // Finished by the next stage, then undone: the old root.
            w.stage(NEW, &["--prune"]).assert().success();
            let (doc, _) = w.json("history");
            assert_eq!(doc["stages"][0]["target"], NEW, "{when}: {doc}");
            w.undo(&[]).assert().success();
            w.assert_root_is(&w.s1, &when);
        },
    );
    assert!(steps >= 30, "too few steps: {steps}");
}

#[test]
fn a_crash_at_any_step_of_undo_leaves_a_root_the_next_undo_finishes() {
    let w = World::new(&[]);
    w.keep_history_aside();
    let steps = crash_at_every_step(
        &w,
        &w.s2,
        || w.undo(&[]),
        |n| {
            let when = format!("undo crashed at step {n}");
            // Every pointer names a complete set, old or new.
            w.assert_checks(&when);
            // Stopped before its entry went: the next undo finishes it.
            let (doc, _) = w.json("history");
            if doc["stages"][0]["entry"] == 2 {
                w.undo(&[]).assert().success();
            }
            w.assert_root_is(&w.s1, &when);
            let (doc, _) = w.json("history");
            assert_eq!(doc["stages"].as_array().unwrap().len(), 1, "{when}: {doc}");
        },
    );
    assert!(steps >= 20, "too few steps: {steps}");
}

#[test]
fn the_readme_history_example_runs_as_shown() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## History and undo").nth(1).unwrap();
    let block = section
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("testdata")).unwrap();
    let sample = "testdata/P0S3-8-12-00-sample.zip";
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(sample),
        d.path().join(sample),
    )
    .unwrap();
    let mut lines = 0;
    for line in block.lines() {
        let args: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(args[0], "loadsmith", "{line}");
        loadsmith()
            .current_dir(d.path())
            .args(&args[1..])
            .assert()
            .success();
        lines += 1;
    }
    assert_eq!(lines, 4);
    // Undone: the root holds nothing phones could fetch.
    let left = snapshot(&d.path().join("demo-root"));
    assert!(left.is_empty(), "{:?}", left.keys().collect::<Vec<_>>());
}

#[test]
fn undo_takes_back_the_pointers_phase_then_the_files_phase() {
    // The old load staged whole; the new one in two phases.
    let w = World::new(&[]);
    w.undo(&[]).assert().success();
    w.assert_root_is(&w.s1, "");
    w.stage(NEW, &["--files-only"]).assert().success();
    let after_files = snapshot(&w.root);
    assert_ne!(after_files, w.s1, "the files phase wrote the set");
    w.stage(NEW, &["--pointers-only"]).assert().success();
    assert_ne!(snapshot(&w.root), after_files, "the pointers moved");
    assert_eq!(w.json("check").0["target"], NEW);
    // The first undo takes back the pointers phase only.
    let out = w.undo(&[]).assert().success().get_output().stdout.clone();
    w.assert_root_is(&after_files, &String::from_utf8_lossy(&out));
    w.assert_checks("after undoing the pointers phase");
    // The second takes back the files phase: the root after the old stage.
    w.undo(&[]).assert().success();
    w.assert_root_is(&w.s1, "");
    w.assert_checks("after undoing the files phase");
    assert_eq!(w.json("check").0["target"], OLD);
}
