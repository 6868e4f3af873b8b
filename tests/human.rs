//! Snapshots of what people see: stdout and stderr of every command's human
//! output, refusals and errors included, with temporary paths redacted
//! (`support::shown`). One test per case, so a failure names the case; each
//! runs in its own folder, staged first where the case needs a staged root.

use crate::support::shown::{STAGE, damage, shown, shown_env, staged, world};

/// The snapshot `name` of `args` run in a fresh [`world`].
fn fresh(name: &str, args: &[&str]) {
    let d = world();
    insta::assert_snapshot!(name, shown(d.path(), args));
}

/// The snapshot `name` of `args` run after [`STAGE`].
fn after_stage(name: &str, args: &[&str]) {
    let d = staged();
    insta::assert_snapshot!(name, shown(d.path(), args));
}

const BOOT: &[&str] = &[
    "boot",
    "root",
    "--mac",
    "00:11:BB:73:AD:61",
    "--model",
    "7960",
    "--running",
    "P0S3-06-3-00",
];

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
fn inspect_brief() {
    fresh(
        "inspect_brief",
        &["--brief", "inspect", "P0S3-8-12-00.zip", "broken.zip"],
    );
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
    insta::assert_snapshot!("check_damaged", shown(d.path(), &["check", "root"]));
}

#[test]
fn check_unreadable() {
    fresh("check_unreadable", &["check", "missing"]);
}

#[test]
fn boot() {
    after_stage("boot", BOOT);
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

#[test]
fn help() {
    fresh("help", &["--help"]);
}

#[test]
fn completions_bash() {
    fresh("completions_bash", &["completions", "bash"]);
}

/// What the shell offers for the first word: every command.
#[test]
fn completions_of_the_command_word() {
    let d = world();
    let env = [
        ("COMPLETE", "bash"),
        ("_CLAP_COMPLETE_INDEX", "1"),
        ("_CLAP_IFS", ","),
    ];
    insta::assert_snapshot!(
        "completions_of_the_command_word",
        shown_env(d.path(), &env, &["--", "loadsmith", ""])
    );
}

#[test]
fn completions_refused() {
    fresh("completions_refused", &["completions", "tcsh"]);
}

/// The top page, its version written `[VERSION]` (a release is no change
/// to the page).
#[test]
fn man() {
    let d = world();
    let page = shown(d.path(), &["man"]).replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    insta::assert_snapshot!("man", page);
}

/// A per-phone XML configuration file is read by SCCP and 79x1-family SIP
/// phones alike: not called an SCCP file.
#[test]
fn names_per_phone_xml() {
    fresh("names_per_phone_xml", &["names", "SEP001122334455.cnf.xml"]);
}

#[test]
fn json_man_refused() {
    fresh("json_man_refused", &["--json", "man"]);
}

/// A model the vendor's documents do not describe: its row says
/// "uncertain" once, not "uncertain … uncertain:".
#[test]
fn check_uncertain_said_once() {
    let d = crate::support::shown::staged();
    // A dynamic_ftp address in the file that decides sends the phone to
    // another server the walk cannot follow: uncertain (seed 000).
    let sip = d.path().join("root/SIPDefault.cnf");
    let mut bytes = std::fs::read(&sip).unwrap();
    bytes.extend_from_slice(b"dynamic_ftp: 192.0.2.9\n");
    std::fs::write(&sip, bytes).unwrap();
    let text = shown(d.path(), &["check", "root"]);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("uncertain"))
        .collect();
    assert!(!rows.is_empty(), "{text}");
    for line in rows {
        assert!(!line.contains("uncertain: "), "{line}");
    }
    assert!(!text.contains("uncertain: uncertain"), "{text}");
    assert!(!text.contains("settles: settles"), "{text}");
}
