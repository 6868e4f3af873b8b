//! Snapshots of every command's `--json` document, refusals and errors
//! included: exit code, stdout and stderr, temporary paths redacted
//! (`support::shown`). The cases are those of the `human` suite, one test
//! each; `--json` documents are what scripts read, so a change to one shows
//! here as a diff.

use crate::support::shown::{STAGE, damage, shown, staged, world};

/// The snapshot `name` of `--json ARGS` run in a fresh [`world`].
fn fresh(name: &str, args: &[&str]) {
    let d = world();
    insta::assert_snapshot!(name, shown(d.path(), &with_json(args)));
}

/// The snapshot `name` of `--json ARGS` run after [`STAGE`].
fn after_stage(name: &str, args: &[&str]) {
    let d = staged();
    insta::assert_snapshot!(name, shown(d.path(), &with_json(args)));
}

fn with_json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    a
}

#[test]
fn names() {
    fresh(
        "names",
        &[
            "names",
            "P0S3-08-12-00",
            "cmterm-7941_7961-sccp.9-4-2SR3-1.zip",
            "nonsense",
        ],
    );
}

#[test]
fn plan() {
    fresh(
        "plan",
        &["plan", "--from", "P00305000500", "--to", "P0S3-8-12-00"],
    );
}

#[test]
fn plan_refused() {
    fresh(
        "plan_refused",
        &["plan", "--from", "P0S3-8-12-00", "--to", "P0S3-04-4-00"],
    );
}

#[test]
fn matrix() {
    fresh("matrix", &["matrix"]);
}

#[test]
fn inspect() {
    fresh("inspect", &["inspect", "P0S3-8-12-00.zip", "broken.zip"]);
}

#[test]
fn inspect_unreadable() {
    fresh("inspect_unreadable", &["inspect", "missing.zip"]);
}

#[test]
fn stage_dry_run() {
    fresh(
        "stage_dry_run",
        &[
            "stage",
            "--dry-run",
            "--target",
            "P0S3-08-12-00",
            "--from",
            "P0S3-8-12-00.zip",
            "root",
        ],
    );
}

#[test]
fn stage() {
    fresh("stage", STAGE);
}

#[test]
fn stage_refused() {
    after_stage(
        "stage_refused",
        &["stage", "--target", "P0M3-03-2-00", "--from", "fw", "root"],
    );
}

#[test]
fn stage_errors() {
    after_stage(
        "stage_errors",
        &[
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            "broken.zip",
            "root",
        ],
    );
}

#[test]
fn check() {
    after_stage("check", &["check", "root"]);
}

#[test]
fn check_damaged() {
    let d = staged();
    damage(d.path());
    insta::assert_snapshot!(
        "check_damaged",
        shown(d.path(), &with_json(&["check", "root"]))
    );
}

#[test]
fn check_unreadable() {
    fresh("check_unreadable", &["check", "missing"]);
}

#[test]
fn boot() {
    after_stage(
        "boot",
        &[
            "boot",
            "root",
            "--mac",
            "00:11:BB:73:AD:61",
            "--model",
            "7960",
            "--running",
            "P0S3-06-3-00",
        ],
    );
}

#[test]
fn boot_unreadable() {
    fresh(
        "boot_unreadable",
        &[
            "boot",
            "missing",
            "--mac",
            "00:11:BB:73:AD:61",
            "--model",
            "7960",
        ],
    );
}

#[test]
fn log() {
    after_stage("log", &["log", "syslog", "--root", "root"]);
}

#[test]
fn log_unreadable() {
    fresh("log_unreadable", &["log", "missing.log"]);
}

#[test]
fn usage_error() {
    fresh("usage_error", &["stage", "--target"]);
}
