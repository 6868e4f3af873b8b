//! Guarantees 3 and 4 of docs/security.md: a `stage` stopped at any instant
//! (killed, crashed, disk full) leaves every pointer naming a complete set,
//! old or new, never a file cut short under a real name; the next `stage`
//! finishes the work; two stages on one root never interleave.
//!
//! Faults are injected at every step by which `stage` changes the root
//! (`LOADSMITH_FAULT`, compiled into debug builds only: src/files/fault.rs),
//! and SIGKILL is sent to a stage paused before each of its steps in turn:
//! every kill follows the stage's progress, never the clock.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Lines};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command as Std, ExitStatus, Stdio};

use crate::support::*;
use tempfile::TempDir;

const OLD_SCCP: &str = "SCCP41.9-4-2SR3-1S";
const NEW_SCCP: &str = "SCCP41.9-4-2SR4-1S";
const OLD_SIP: &str = "P0S3-8-11-00";
const NEW_SIP: &str = "P0S3-8-12-00";

const XMLDEFAULT: &str = "<Default>\n  <loadInformation115 model=\"IP Phone 7941\">SCCP41.9-4-2SR3-1S</loadInformation115>\n  <loadInformation309 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation309>\n  <loadInformation7 model=\"IP Phone 7960\">P0S3-8-11-00</loadInformation7>\n  <loadInformation8 model=\"IP Phone 7940\">P0S3-8-11-00</loadInformation8>\n</Default>\n";
const SIPDEFAULT: &[u8] =
    b"# defaults\r\nimage_version: P0S3-8-11-00\r\nproxy1_address: 10.0.0.1\r\n";

/// Every load's files, with `grow` extra bytes in each image (for long writes).
fn sets(grow: usize) -> BTreeMap<&'static str, Files> {
    let bulk = |mut f: Files| {
        for (n, b) in &mut f {
            if n.ends_with(".sbn") || n.ends_with(".sb2") {
                b.extend(image_body(n, grow));
            }
        }
        f
    };
    BTreeMap::from([
        (
            OLD_SCCP,
            bulk(family_load(
                OLD_SCCP,
                "41",
                "sccp",
                "9-4-2ES26",
                &["41", "61"],
            )),
        ),
        (
            NEW_SCCP,
            bulk(family_load(
                NEW_SCCP,
                "41",
                "sccp",
                "9-4-2ES27",
                &["41", "61"],
            )),
        ),
        (OLD_SIP, bulk(sip79("8-11-00"))),
        (NEW_SIP, bulk(sip79("8-12-00"))),
    ])
}

/// The files a phone needs for `load`: its `.loads` and every image.
fn required(files: &Files) -> Vec<&(String, Vec<u8>)> {
    files
        .iter()
        .filter(|(n, _)| {
            (n.ends_with(".loads") && !n.starts_with("term"))
                || n.ends_with(".sbn")
                || n.ends_with(".sb2")
        })
        .collect()
}

struct World {
    _d: TempDir,
    root: PathBuf,
    pristine: PathBuf,
    bundles: BTreeMap<&'static str, String>,
    sets: BTreeMap<&'static str, Files>,
}

impl World {
    /// A root serving the old SCCP and SIP loads, staged by loadsmith.
    fn new(grow: usize) -> World {
        let d = tempfile::tempdir().unwrap();
        let sets = sets(grow);
        let mut bundles = BTreeMap::new();
        for (load, files) in &sets {
            let p = d.path().join(format!("{load}.zip"));
            zip(&p, files);
            bundles.insert(*load, p.to_string_lossy().to_string());
        }
        let pristine = d.path().join("pristine");
        std::fs::create_dir(&pristine).unwrap();
        std::fs::write(pristine.join("XMLDefault.cnf.xml"), XMLDEFAULT).unwrap();
        std::fs::write(pristine.join("SIPDefault.cnf"), SIPDEFAULT).unwrap();
        let w = World {
            root: d.path().join("root"),
            pristine,
            bundles,
            sets,
            _d: d,
        };
        for load in [OLD_SCCP, OLD_SIP] {
            let out = w.stage(load, &w.pristine, None).output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        w.reset();
        w
    }

    /// `loadsmith stage` of `load` into `root`, with a fault plan.
    fn stage(&self, load: &str, root: &Path, fault: Option<&str>) -> Std {
        let mut c = Std::new(env!("CARGO_BIN_EXE_loadsmith"));
        c.args([
            "--quiet",
            "stage",
            "--target",
            load,
            "--from",
            &self.bundles[load],
        ])
        .arg(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        if let Some(f) = fault {
            c.env("LOADSMITH_FAULT", f);
        }
        c
    }

    /// Puts the root back to the pristine old state.
    fn reset(&self) {
        let _ = std::fs::remove_dir_all(&self.root);
        copy_dir(&self.pristine, &self.root);
    }

    /// Guarantee 3: each pointer names a load whose whole set is in the root
    /// with the vendor's bytes; no file under a real name is cut short.
    fn assert_consistent(&self, when: &str) {
        let root = &self.root;
        let mut named = Vec::new();
        let os = std::fs::read_to_string(root.join("OS79XX.TXT")).unwrap_or_default();
        if !os.trim().is_empty() {
            // It names the universal loader: the load whose loader that is.
            let v = os.trim().to_string();
            let load = self
                .sets
                .iter()
                .find(|(_, f)| f.iter().any(|(n, _)| *n == format!("{v}.sbn")))
                .map_or(v, |(l, _)| l.to_string());
            named.push(("OS79XX.TXT", load));
        }
        let sip = std::fs::read(root.join("SIPDefault.cnf")).unwrap();
        let v = loadsmith::pointers::cnf_get(&sip, "image_version").unwrap();
        named.push(("SIPDefault.cnf", v));
        let xml = std::fs::read(root.join("XMLDefault.cnf.xml")).unwrap();
        for l in loadsmith::pointers::xml_get(&xml).unwrap() {
            named.push(("XMLDefault.cnf.xml", l.value));
        }
        for t in ["term41.default.loads", "term61.default.loads"] {
            let body = std::fs::read(root.join(t)).unwrap();
            let load = self
                .sets
                .iter()
                .find(|(_, f)| f.iter().any(|(n, b)| n == t && *b == body))
                .map(|(l, _)| l.to_string())
                .unwrap_or_else(|| panic!("{when}: {t} holds bytes of no load"));
            named.push((t, load));
        }
        for (file, load) in &named {
            let files = self
                .sets
                .get(load.as_str())
                .unwrap_or_else(|| panic!("{when}: {file} names {load}, which is no load"));
            for (n, b) in required(files) {
                let have = std::fs::read(root.join(n)).ok();
                assert!(
                    have.as_ref() == Some(b),
                    "{when}: {file} names {load}, but {n} is {}",
                    if have.is_some() {
                        "not the vendor's bytes"
                    } else {
                        "absent"
                    }
                );
            }
        }
        // No file under a real name holds anything but one load's bytes.
        for e in std::fs::read_dir(root).unwrap().flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with('.') || n.ends_with(".cnf") || n.ends_with(".xml") || n == "OS79XX.TXT"
            {
                continue;
            }
            let b = std::fs::read(e.path()).unwrap();
            assert!(
                self.sets
                    .values()
                    .any(|f| f.iter().any(|(fname, fb)| *fname == n && *fb == b)),
                "{when}: {n} holds bytes of no load (a partial write under a real name)"
            );
        }
        // And `check` agrees: no errors.
        let (doc, _) = json(&["check", &root.to_string_lossy()]);
        let errors: Vec<&serde_json::Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{when}: check reports {errors:?}");
    }
}

fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".loadsmith-tmp."))
        .collect()
}

#[test]
fn a_crash_at_any_step_leaves_complete_sets_and_the_next_stage_finishes() {
    let w = World::new(0);
    let mut steps = BTreeMap::new();
    for load in [NEW_SCCP, NEW_SIP] {
        let n = crash_every_step_of(&w, load, None, &|_| {});
        steps.insert(load, n);
    }
    // Every file is created, written, flushed and renamed; folders synced; manifest saved.
    assert!(steps.values().all(|&n| n >= 15), "too few steps: {steps:?}");
    eprintln!("crash points walked: {steps:?}");
}

#[test]
fn a_full_disk_at_any_step_fails_cleanly_and_the_next_stage_finishes() {
    let w = World::new(0);
    for load in [NEW_SCCP, NEW_SIP] {
        let mut n = 1;
        loop {
            w.reset();
            let out = w
                .stage(load, &w.root, Some(&format!("enospc:{n}")))
                .output()
                .unwrap();
            if out.status.success() {
                break;
            }
            let when = format!("{load}, disk full at step {n}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{when}: {err}");
            assert!(err.contains("No space left on device"), "{when}: {err}");
            assert!(
                leftovers(&w.root).is_empty(),
                "{when}: temporary files left: {:?}",
                leftovers(&w.root)
            );
            w.assert_consistent(&when);
            w.assert_resumes(load, None, &when);
            n += 1;
        }
        assert!(n > 15, "{load}: only {n} steps");
    }
}

/// A stage held where `LOADSMITH_FAULT=pause:N` stops it, before its N-th step.
struct Paused {
    child: Child,
    err: Lines<BufReader<ChildStderr>>,
}

impl World {
    /// Starts a stage that pauses before its step `n`; `None` when it ended
    /// before reaching it (its exit status is then returned).
    fn stage_paused(&self, load: &str, n: u64) -> Result<Paused, ExitStatus> {
        let mut c = self.stage(load, &self.root, Some(&format!("pause:{n}")));
        let mut child = c.stdin(Stdio::piped()).spawn().unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
        let want = format!("loadsmith: fault: paused at step {n}");
        for line in err.by_ref() {
            if line.unwrap() == want {
                return Ok(Paused { child, err });
            }
        }
        Err(child.wait().unwrap())
    }
}

impl Paused {
    /// Lets the stage go on (closes its input) and waits for it to end.
    fn release(mut self) -> ExitStatus {
        drop(self.child.stdin.take());
        self.err.by_ref().for_each(drop);
        self.child.wait().unwrap()
    }
}

/// The number of steps a stage of `load` takes, from its trace.
fn steps_of(w: &World, load: &str) -> u64 {
    w.reset();
    let out = w.stage(load, &w.root, Some("trace")).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    err.lines()
        .filter(|l| l.starts_with("loadsmith: fault: step "))
        .count() as u64
}

#[test]
fn sigkill_at_steps_across_the_stage_never_breaks_the_root() {
    // Images of about 1 MB each, written in several steps each, so kills
    // land inside the writing of a file as well as between files.
    let w = World::new(1 << 20);
    let load = NEW_SCCP;
    let steps = steps_of(&w, load);
    // At least: each image's chunks of 256 KiB, plus create, flush and rename.
    let least: usize = required(&w.sets[load])
        .iter()
        .map(|(_, b)| b.len().div_ceil(256 * 1024) + 3)
        .sum();
    assert!(steps >= least as u64, "{steps} steps, fewer than {least}");
    // A spread over the whole stage (about 60 steps, from the first), and
    // every one of the last 30 steps: where files are renamed into place,
    // pointers edited, folders synced and the manifest saved.
    let stride = steps.div_ceil(60) as usize;
    let at: BTreeSet<u64> = (1..=steps)
        .step_by(stride)
        .chain(steps.saturating_sub(29).max(1)..=steps)
        .collect();
    let mut killed = 0;
    for &n in &at {
        w.reset();
        let mut p = w
            .stage_paused(load, n)
            .unwrap_or_else(|s| panic!("the stage ended ({s}) before its step {n} of {steps}"));
        p.child.kill().unwrap(); // SIGKILL, while it waits before step n
        let status = p.child.wait().unwrap();
        if status.signal() == Some(9) {
            killed += 1;
        }
        let when = format!("SIGKILL before step {n} of {steps}");
        w.assert_consistent(&when);
        w.assert_resumes(load, None, &when);
    }
    // Past the last step there is nowhere to pause: the stage finishes.
    w.reset();
    let past = w.stage_paused(load, steps + 1).err();
    assert!(past.is_some_and(|s| s.success()), "{past:?}");
    w.assert_consistent("a stage that ran to its end");
    eprintln!("{steps} steps; {killed} runs killed mid-stage, before steps {at:?}");
    assert_eq!(killed, at.len());
}

#[test]
fn two_stages_never_interleave() {
    let w = World::new(0);
    // One stage holds the lock (paused mid-write); a second refuses at once.
    let first = w.stage_paused(NEW_SCCP, 3).unwrap();
    let second = w.stage(NEW_SIP, &w.root, None).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another loadsmith stage"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(first.release().success());
    w.assert_consistent("after a refused second stage");
    // Many at once, old and new targets of both families: each finishes or
    // refuses; the root ends consistent, and each finished stage's target
    // is what its pointers say unless a later one replaced it.
    w.reset();
    let loads = [NEW_SCCP, NEW_SIP, OLD_SCCP, OLD_SIP, NEW_SCCP, NEW_SIP];
    let children: Vec<_> = loads
        .iter()
        .map(|l| w.stage(l, &w.root, None).spawn().unwrap())
        .collect();
    let mut finished = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => finished += 1,
            Some(1) => {
                assert!(String::from_utf8_lossy(&out.stderr).contains("another loadsmith stage"))
            }
            other => panic!("exit {other:?}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }
    assert!(finished >= 1);
    w.assert_consistent("after concurrent stages");
    assert!(leftovers(&w.root).is_empty());
}

/// `loadsmith check` of `root`: (exit code, stdout, stderr).
fn check(root: &Path, wait: &str) -> (Option<i32>, String, String) {
    let out = Std::new(env!("CARGO_BIN_EXE_loadsmith"))
        .args(["check", "--wait", wait])
        .arg(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_never_reads_a_half_changed_root() {
    let w = World::new(300_000);
    let (code, out, err) = check(&w.root, "30");
    assert_eq!(code, Some(0), "{out}{err}");
    // A stage paused while it changes the root: check with no patience
    // refuses, saying why; a patient one started meanwhile waits for the
    // stage to go on and end, and then sees the new root.
    let first = w.stage_paused(NEW_SCCP, 3).unwrap();
    let (code, out, err) = check(&w.root, "0");
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("a loadsmith stage is changing"), "{err}");
    let patient = Std::new(env!("CARGO_BIN_EXE_loadsmith"))
        .args(["--json", "check", "--wait", "60"])
        .arg(&w.root)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(first.release().success());
    let out = patient.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["target"], NEW_SCCP, "{doc}");
    // Stages with --prune back and forth while checks run: no check ever
    // reports drift, a dangling pointer, or a root it cannot read.
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            for load in [OLD_SCCP, NEW_SIP, NEW_SCCP, OLD_SIP, OLD_SCCP, NEW_SIP] {
                let mut c = w.stage(load, &w.root, None);
                c.arg("--prune");
                let out = c.output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut checks = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            let (code, out, err) = check(&w.root, "30");
            assert_eq!(code, Some(0), "check {checks}: {out}{err}");
            for bad in ["drift", "dangling", "cannot read"] {
                assert!(
                    !out.contains(bad) && !err.contains(bad),
                    "check {checks}: {out}{err}"
                );
            }
            checks += 1;
        }
        println!("{checks} checks ran during six pruning stages");
    });
    w.assert_consistent("after stages and checks");
}

impl World {
    /// `stage` of `load`, with `--files-only` or `--pointers-only` when
    /// `phase` is given.
    fn stage_phase(&self, load: &str, phase: Option<&str>, fault: Option<&str>) -> Std {
        let mut c = self.stage(load, &self.root, fault);
        c.args(phase);
        c
    }

    /// The stage (or its `phase`) run again finishes the work: exit 0,
    /// every pointer at a complete set, `check` clean with no leftover or
    /// interrupted stage; then, for a whole stage, its pointers at `load`,
    /// for a phase, no temporary file left.
    fn assert_resumes(&self, load: &str, phase: Option<&str>, when: &str) {
        let out = self.stage_phase(load, phase, None).output().unwrap();
        let again = phase.map_or("staged again".to_string(), |p| format!("{p} again"));
        assert!(
            out.status.success(),
            "{when}: {} failed: {}",
            phase.map_or("the next stage".to_string(), |p| format!("{p} again")),
            String::from_utf8_lossy(&out.stderr)
        );
        self.assert_consistent(&format!("{when}, then {again}"));
        let (doc, code) = json(&["check", &self.root.to_string_lossy()]);
        let codes: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(
            !codes.contains(&"leftover-temp") && !codes.contains(&"interrupted-stage"),
            "{when}: after {again}: {codes:?}"
        );
        assert_eq!(code, 0, "{when}: {doc}");
        match phase {
            None => assert_eq!(doc["target"], load),
            Some(_) => assert!(leftovers(&self.root).is_empty(), "{when}"),
        }
    }
}

/// Crashes a stage to `load` (its `phase` alone, when given) at every
/// step, from the root `setup` leaves after a reset; after each crash the
/// root is consistent and the same run again finishes the work. Returns
/// the number of steps walked.
fn crash_every_step_of(w: &World, load: &str, phase: Option<&str>, setup: &dyn Fn(&World)) -> u64 {
    let what = match phase {
        Some(p) => format!("{load} {p}"),
        None => load.to_string(),
    };
    let run = |fault: &str| {
        w.reset();
        setup(w);
        w.stage_phase(load, phase, Some(fault)).output().unwrap()
    };
    let prefix = phase.map(|p| format!("{p} ")).unwrap_or_default();
    crash_at_every_step(&prefix, run, |n| {
        let when = format!("{what}, crash at step {n}");
        w.assert_consistent(&when);
        w.assert_resumes(load, phase, &when);
    })
}

#[test]
fn a_kill_in_either_phase_leaves_the_root_old_or_new() {
    let w = World::new(0);
    let mut steps = BTreeMap::new();
    for load in [NEW_SCCP, NEW_SIP] {
        let files = crash_every_step_of(&w, load, Some("--files-only"), &|_| {});
        let files_first = |w: &World| {
            let out = w
                .stage_phase(load, Some("--files-only"), None)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let pointers = crash_every_step_of(&w, load, Some("--pointers-only"), &files_first);
        // After both phases, the pointers name the new load.
        let (doc, code) = json(&["check", &w.root.to_string_lossy()]);
        assert_eq!(code, 0, "{doc}");
        assert_eq!(doc["target"], load, "{doc}");
        steps.insert(load, (files, pointers));
    }
    // The files phase writes every file of the set; the pointers phase
    // edits at least one pointer file and saves the manifest.
    assert!(
        steps.values().all(|&(f, p)| f >= 10 && p >= 3),
        "too few steps: {steps:?}"
    );
    eprintln!("crash points walked (files, pointers): {steps:?}");
}

#[test]
fn pointers_only_after_a_files_phase_killed_at_any_step_never_points_at_a_partial_set() {
    let w = World::new(0);
    let load = NEW_SIP;
    let (mut n, mut refused, mut pointed) = (1, 0, 0);
    loop {
        w.reset();
        let out = w
            .stage_phase(load, Some("--files-only"), Some(&format!("crash:{n}")))
            .output()
            .unwrap();
        if out.status.success() {
            break;
        }
        let when = format!("--files-only crashed at step {n}, then --pointers-only");
        let out = w
            .stage_phase(load, Some("--pointers-only"), None)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => pointed += 1,
            Some(1) => {
                assert!(err.contains("--files-only"), "{when}: {err}");
                refused += 1
            }
            other => panic!("{when}: exit {other:?}: {err}"),
        }
        w.assert_consistent(&when);
        n += 1;
    }
    // Killed before its files were all in place, the files phase leaves a
    // root the pointers phase refuses.
    assert!(refused >= 10, "refused {refused}, pointed {pointed}");
    eprintln!(
        "{} crash points: {refused} refused, {pointed} pointed",
        n - 1
    );
}
