//! Round 3 of the hostile corpus, bounds (issue 19 points 7–10): remap
//! rules that grow names or compile into huge automata, a log line of
//! 128 MiB, and logs that would make `log` keep something per name or per
//! process. Each runs the real binary under a memory cap (`ulimit -v`) or
//! compares its peak memory (`/usr/bin/time -v`), never the clock.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::*;

/// The binary run under `ulimit -v KIB` (a process past the cap fails its
/// allocation and aborts: the test sees a signal, not an exit code).
fn capped(kib: u64, args: &[&str]) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$@\""))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_loadsmith"))
        .args(args)
        .env("NO_COLOR", "1");
    c
}

fn run(mut c: Command) -> Output {
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A root holding the SCCP 7961 set, a zip of it, and a place for rules.
fn workspace() -> (tempfile::TempDir, String, String) {
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("sccp41.zip");
    zip(&bundle, &sccp41());
    let root = work.path().join("tftp");
    std::fs::create_dir_all(&root).unwrap();
    let (b, r) = (path(&bundle), path(&root));
    (work, b, r)
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// The three commands that read the rules: check, boot on a folder, stage.
fn commands(root: &str, bundle: &str, rules: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["check", root, "--map-file", rules]),
        v(&[
            "boot",
            root,
            "--map-file",
            rules,
            "--mac",
            "0011BB73AD61",
            "--model",
            "7961",
        ]),
        v(&[
            "stage",
            "--from",
            bundle,
            "--target",
            "SCCP41.9-4-2SR3-1S",
            "--map-file",
            rules,
            root,
        ]),
    ]
}

#[test]
fn rules_that_grow_names_are_an_error_naming_the_line_not_an_abort() {
    let (work, bundle, root) = workspace();
    let forty = "r ^.*$ \\0\\0\n".repeat(40);
    for (text, line) in [
        ("rg ^.*$ \\0\\0\n", 1),
        (forty.as_str(), 8),
        ("# doubles every name\nrs ^(.*)$ \\1\\1\n", 2),
    ] {
        let rules = work.path().join("rules");
        std::fs::write(&rules, text).unwrap();
        for args in commands(&root, &bundle, &path(&rules)) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(capped(1024 * 1024, &args));
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?} {text}: {err}");
            assert!(
                err.contains(&format!("line {line}:")) && err.contains("longer than 4096 bytes"),
                "{args:?}: {err}"
            );
        }
        assert_eq!(
            std::fs::read_dir(&root).unwrap().count(),
            0,
            "nothing staged"
        );
    }
}

#[test]
fn a_rule_that_grows_some_names_refuses_them_naming_the_rule() {
    // The probe names pass; the set's dsp file would grow without end.
    let (work, bundle, root) = workspace();
    let rules = work.path().join("rules");
    std::fs::write(&rules, "r ^(.*\\.sbn)$ \\1\nrs ^(dsp.*)$ \\1\\1\n").unwrap();
    let cmds = commands(&root, &bundle, &path(&rules));
    let stage: Vec<&str> = cmds[2].iter().map(String::as_str).collect();
    let out = run(capped(1024 * 1024, &stage));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("dsp41.9-4-2ES26.sbn")
            && err.contains("line 2")
            && err.contains("the name grows past 4096 bytes")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
    // Staged without the rules, check with them names the rule too.
    let plain: Vec<&str> = stage[..5].iter().copied().chain([root.as_str()]).collect();
    assert_eq!(run(capped(1024 * 1024, &plain)).status.code(), Some(0));
    let check: Vec<&str> = cmds[0].iter().map(String::as_str).collect();
    let out = run(capped(1024 * 1024, &check));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("remap-dangles")
            && text.contains(
                "the rule at line 2: rs ^(dsp.*)$ \\1\\1 refuses it (the name grows past 4096 bytes"
            ),
        "{text}"
    );
}

#[test]
fn rules_that_compile_into_huge_automata_are_refused_naming_the_line() {
    let (work, _bundle, root) = workspace();
    let rules = work.path().join("rules");
    // 120 rules of 1.7 KB that took 1.4 GB (debug build) before the bound.
    let text: String = (1..=120).map(|i| format!("r \\w{{200}}{i} x\n")).collect();
    std::fs::write(&rules, &text).unwrap();
    let out = run(capped(
        256 * 1024,
        &["check", &root, "--map-file", &path(&rules)],
    ));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 1:") && err.contains("past loadsmith's bound of 1024 KiB for one rule"),
        "{err}"
    );
    // Rules each under the bound of one, together past the bound of the file.
    let text = "r ^a$ b\n".to_string() + &"r \\w{8}N x\n".repeat(400);
    std::fs::write(&rules, &text).unwrap();
    let out = run(capped(
        256 * 1024,
        &["check", &root, "--map-file", &path(&rules)],
    ));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("more than 16384 KiB together"), "{err}");
    assert!(!err.contains("line 1:"), "{err}");
}

/// Runs `loadsmith --json log -` on what `feed` writes to its stdin; the
/// document and the peak resident memory in KiB (`/usr/bin/time`), under
/// a cap of `kib` of address space.
fn log_fed(kib: u64, feed: impl FnOnce(&mut dyn Write)) -> (serde_json::Value, u64) {
    let mut c = Command::new("/usr/bin/time");
    c.args(["-f", "%M", "sh", "-c"])
        .arg(format!("ulimit -v {kib} && exec \"$@\""))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_loadsmith"))
        .args(["--json", "log", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = std::io::BufWriter::new(child.stdin.take().unwrap());
    feed(&mut stdin);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{err}"
    );
    let kb = err.lines().last().unwrap_or("").trim().parse().unwrap();
    (serde_json::from_slice(&out.stdout).unwrap(), kb)
}

fn has_time() -> bool {
    let there = Path::new("/usr/bin/time").exists();
    if !there {
        eprintln!("skipped: needs /usr/bin/time (.ci/run installs it)");
    }
    there
}

#[test]
fn a_log_line_of_128_mib_is_skipped_within_the_memory_cap() {
    if !has_time() {
        return;
    }
    let (doc, kb) = log_fed(256 * 1024, |w| {
        writeln!(
            w,
            "in.tftpd[1]: RRQ from 10.0.0.5 filename term61.default.loads"
        )
        .unwrap();
        w.write_all(b"in.tftpd[2]: RRQ from 10.0.0.5 filename ")
            .unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..128 {
            w.write_all(&chunk).unwrap();
        }
        writeln!(w).unwrap();
        writeln!(
            w,
            "in.tftpd[3]: RRQ from 10.0.0.5 filename term61.default.loads"
        )
        .unwrap();
    });
    assert_eq!(doc["lines"], 3, "{doc}");
    assert_eq!(doc["unreadable"], 1, "{doc}");
    assert_eq!(doc["recognised"], 2, "{doc}");
    assert_eq!(doc["phones"][0]["requests"], 2, "{doc}");
    // Far below the line: what is kept is bounded, not the line.
    assert!(kb < 64 * 1024, "{kb} KiB for a 128 MiB line");
}

/// The peak memory of `log` on `lines` lines written by `line(i)`.
fn peak_for(lines: u64, line: fn(u64) -> String) -> (serde_json::Value, u64) {
    log_fed(1024 * 1024, |w| {
        for i in 0..lines {
            writeln!(w, "{}", line(i)).unwrap();
        }
    })
}

#[test]
fn one_client_asking_for_a_new_name_each_time_is_read_in_flat_memory() {
    if !has_time() {
        return;
    }
    let line = |i: u64| {
        format!(
            "Nov 22 02:57:14 pbx in.tftpd[{}]: RRQ from 10.0.0.5 filename junk{i:07}.bin",
            1000 + i % 30_000
        )
    };
    let (_, small) = peak_for(100_000, line);
    let (doc, big) = peak_for(500_000, line);
    assert_eq!(doc["phones"][0]["requests"], 500_000, "{}", doc["lines"]);
    // Before the bound the names cost about 160 bytes each: 64 MiB more here.
    assert!(
        big < small + 8 * 1024,
        "{small} KiB for 100k names, {big} KiB for 500k"
    );
}

#[test]
fn remap_input_lines_of_many_processes_are_read_in_flat_memory() {
    if !has_time() {
        return;
    }
    let line = |i: u64| {
        format!(
            "Nov 22 02:57:14 pbx in.tftpd[{}]: remap: input: junk{i:07}.bin",
            100 + i
        )
    };
    let (_, small) = peak_for(100_000, line);
    let (doc, big) = peak_for(500_000, line);
    assert_eq!(doc["recognised"], 500_000, "{}", doc["lines"]);
    assert!(
        big < small + 8 * 1024,
        "{small} KiB for 100k processes, {big} KiB for 500k"
    );
}

/// A rule that rewrites and then aborts (`ar`) ends the request refused;
/// `check`, `boot` and `stage --dry-run` read such rules without a panic
/// (the `remap_rules` fuzz target found one with the rules file `ar s`).
#[test]
fn a_rewriting_abort_rule_is_read_by_every_command_without_a_panic() {
    let (work, bundle, root) = workspace();
    let rules = work.path().join("rules");
    std::fs::write(&rules, "ar s\n").unwrap();
    for mut args in commands(&root, &bundle, &path(&rules)) {
        if args[0] == "stage" {
            args.push("--dry-run".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(capped(1 << 20, &args));
        let err = stderr(&o);
        assert!(o.status.code().is_some_and(|c| c <= 2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
