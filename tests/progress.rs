//! Progress on a terminal for long `stage` and `check` runs (bytes, time
//! left, the file in progress), on stderr; never on a pipe, nor with
//! `--quiet` or `--json`. A terminal is `script(1)` (util-linux; Debian: bsdutils) running
//! the binary on a pseudo-terminal; the tests that need one skip, saying
//! so, when it is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::loadsmith;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip")
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("loadsmith")
}

/// `script` is there to give the binary a terminal.
fn have_script() -> bool {
    let found = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: script(1) from util-linux is not installed: no terminal to test on");
    }
    found
}

/// Runs `loadsmith ARGS` on a terminal: what the terminal showed (stdout
/// and stderr, with the bar's control sequences), and whether it succeeded.
fn on_terminal(args: &[&str]) -> (String, bool) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = std::iter::once(bin().to_string_lossy().into_owned())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("LOADSMITH_ETC", crate::support::no_etc())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.success(),
    )
}

fn stage_args(root: &Path) -> Vec<String> {
    vec![
        "stage".into(),
        "--target".into(),
        "P0S3-8-12-00".into(),
        "--from".into(),
        sample().to_string_lossy().into_owned(),
        root.to_string_lossy().into_owned(),
    ]
}

#[test]
fn stage_and_check_on_a_pipe_print_nothing_on_stderr() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    loadsmith()
        .args(stage_args(&root))
        .assert()
        .success()
        .stderr("");
    loadsmith()
        .arg("check")
        .arg(&root)
        .assert()
        .success()
        .stderr("");
}

#[test]
fn stage_and_check_on_a_terminal_show_bytes_and_the_file_in_progress() {
    if !have_script() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    let args = stage_args(&root);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (shown, ok) = on_terminal(&args);
    assert!(ok, "{shown}");
    // The bar, before the report: bytes done of those of the bundle read
    // and the set written (all of them at the end), and the file in
    // progress.
    let report = shown.find("stage P0S3-8-12-00 into").unwrap();
    let bar = &shown[..report];
    assert!(bar.contains("stage "), "{shown}");
    let set = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("P0"))
        .map(|e| e.metadata().unwrap().len())
        .sum::<u64>();
    let total = set + std::fs::metadata(sample()).unwrap().len();
    let human = indicatif::HumanBytes(total).to_string();
    assert!(bar.contains(&format!("{human}/{human}")), "{human}: {bar}");
    assert!(bar.contains("· P0S3-8-12-00.sb2"), "{bar}");
    let (shown, ok) = on_terminal(&["check", root.to_str().unwrap()]);
    assert!(ok, "{shown}");
    let bar = &shown[..shown.find("last staged").unwrap()];
    assert!(bar.contains("check "), "{shown}");
    assert!(bar.contains("· P0S3-8-12-00.sb2"), "{bar}");
}

#[test]
fn no_progress_on_a_terminal_with_quiet_or_json() {
    if !have_script() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    let args = stage_args(&root);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The bar's mark: bytes done of bytes expected.
    let bar = shows_a_bar;
    for flag in ["--quiet", "--json"] {
        let mut with = vec![flag];
        with.extend(&args);
        let (shown, ok) = on_terminal(&with);
        assert!(ok && !bar(&shown), "{flag}: {shown}");
        let (shown, ok) = on_terminal(&[flag, "check", root.to_str().unwrap()]);
        assert!(ok && !bar(&shown), "{flag}: {shown}");
    }
    // The same runs without the flag do show it.
    let (shown, _) = on_terminal(&["check", root.to_str().unwrap()]);
    assert!(bar(&shown), "{shown}");
}

/// Whether `shown` holds a bar: `N B/` or `N KiB/`, bytes done of those expected.
fn shows_a_bar(shown: &str) -> bool {
    shown.contains(" B/") || shown.contains(" KiB/") || shown.contains(" MiB/")
}

#[test]
fn a_file_name_reaches_the_bar_escaped() {
    if !have_script() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(
        root.join("\u{1b}[31mred.txt"),
        b"a file with a hostile name\n",
    )
    .unwrap();
    let (shown, _) = on_terminal(&["check", root.to_str().unwrap()]);
    assert!(shows_a_bar(&shown), "{shown}");
    assert!(shown.contains("\\u{1b}[31mred.txt"), "{shown}");
    assert!(!shown.contains("\u{1b}[31m"), "{shown:?}");
}
