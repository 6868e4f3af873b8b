//! Snapshots of what people see: stdout and stderr of every command's human
//! output, refusals and errors included, with temporary paths redacted.

use std::path::Path;

use crate::support::*;

/// Runs loadsmith in `dir` and shows exit code, stdout and stderr, with `dir`
/// written as `[TMP]`.
fn shown(dir: &Path, args: &[&str]) -> String {
    let out = loadsmith().current_dir(dir).args(args).output().unwrap();
    let tmp = dir.to_string_lossy().to_string();
    let canon = dir.canonicalize().unwrap().to_string_lossy().to_string();
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(&canon, "[TMP]")
            .replace(&tmp, "[TMP]")
    };
    format!(
        "$ loadsmith {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        clean(&out.stdout),
        clean(&out.stderr)
    )
}

/// One folder: two bundles (one damaged), and an empty root.
fn world() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    zip(&d.path().join("P0S3-8-12-00.zip"), &sip812());
    zip(
        &d.path().join("broken.zip"),
        &without(sip812(), "P0S3-8-12-00.sb2"),
    );
    std::fs::create_dir(d.path().join("fw")).unwrap();
    zip(
        &d.path().join("fw/cmterm-7941_7961-sccp.9-4-2SR3-1.zip"),
        &sccp41(),
    );
    std::fs::create_dir(d.path().join("root")).unwrap();
    d
}

#[test]
fn every_command_as_people_see_it() {
    let d = world();
    let p = d.path();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        (
            "names",
            vec![
                "names",
                "P0S3-08-12-00",
                "cmterm-7941_7961-sccp.9-4-2SR3-1.zip",
                "nonsense",
            ],
        ),
        (
            "plan",
            vec!["plan", "--from", "P00305000500", "--to", "P0S3-8-12-00"],
        ),
        (
            "plan_refused",
            vec!["plan", "--from", "P0S3-8-12-00", "--to", "P0S3-04-4-00"],
        ),
        ("inspect", vec!["inspect", "P0S3-8-12-00.zip", "broken.zip"]),
        (
            "inspect_brief",
            vec!["--brief", "inspect", "P0S3-8-12-00.zip", "broken.zip"],
        ),
        ("inspect_unreadable", vec!["inspect", "missing.zip"]),
        (
            "stage_dry_run",
            vec![
                "stage",
                "--dry-run",
                "--target",
                "P0S3-08-12-00",
                "--from",
                "P0S3-8-12-00.zip",
                "root",
            ],
        ),
        (
            "stage",
            vec![
                "stage",
                "--target",
                "P0S3-08-12-00",
                "--from",
                "P0S3-8-12-00.zip",
                "root",
            ],
        ),
        (
            "stage_refused",
            vec![
                "stage",
                "--target",
                "SCCP41.9-4-2SR3-1S",
                "--from",
                "fw",
                "root",
            ],
        ),
        (
            "stage_errors",
            vec![
                "stage",
                "--target",
                "P0S3-8-12-00",
                "--from",
                "broken.zip",
                "root",
            ],
        ),
        ("check", vec!["check", "root"]),
        (
            "boot",
            vec![
                "boot",
                "root",
                "--mac",
                "00:11:BB:73:AD:61",
                "--model",
                "7960",
                "--running",
                "P0S3-06-3-00",
            ],
        ),
        ("usage_error", vec!["stage", "--target"]),
    ];
    for (name, args) in runs {
        insta::assert_snapshot!(name, shown(p, &args));
    }
}
