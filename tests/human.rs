//! Snapshots of what people see: stdout and stderr of every command's human
//! output, refusals and errors included, with temporary paths redacted
//! (`support::shown`). One test per case, so a failure names the case; each
//! runs in its own folder, staged first where the case needs a staged root.
//! The cases the `json` suite shares are in `support::cases`.

use crate::support::shown::{shown, shown_env, world};

// names, plan, inspect, stage, check, boot, log, … (`support::cases`).
crate::support::cases::command_cases!(&[]);

/// The snapshot `name` of `args` run in a fresh [`world`].
fn fresh(name: &str, args: &[&str]) {
    let d = world();
    insta::assert_snapshot!(name, shown(d.path(), args));
}

#[test]
fn inspect_brief() {
    fresh(
        "inspect_brief",
        &["--brief", "inspect", "P0S3-8-12-00.zip", "broken.zip"],
    );
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
