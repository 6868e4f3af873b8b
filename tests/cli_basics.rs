//! The names, plan and matrix commands, run through the real binary.
use crate::support;

use assert_cmd::Command;
use predicates::prelude::*;

fn loadsmith() -> Command {
    let mut c = Command::cargo_bin("loadsmith").expect("binary");
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn names_explains_known_names_and_exits_0() {
    let out = loadsmith()
        .args([
            "names",
            "P0S3-08-12-00",
            "cvm41sccp.9-4-2ES26.sbn",
            "term61.default.loads",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8_lossy(&out));
}

#[test]
fn names_json_has_the_documented_keys() {
    let out = loadsmith()
        .args([
            "--json",
            "names",
            "P0S3-8-12-00.sb2",
            "P0030801SR02",
            "load115.txt",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let n = &v["names"];
    assert_eq!(n[0]["input"], "P0S3-8-12-00.sb2");
    assert_eq!(n[0]["known"], true);
    assert_eq!(n[0]["models"], serde_json::json!(["7940", "7960"]));
    assert_eq!(n[0]["protocol"], "sip");
    assert_eq!(n[0]["version"], "8.12");
    assert_eq!(n[0]["role"], "application");
    assert_eq!(n[0]["signed"], true);
    assert_eq!(n[1]["version"], "8.1(2)SR2");
    assert_eq!(n[2]["role"], "device-defaults");
    assert_eq!(n[2]["models"], serde_json::json!(["7941"]));
}

#[test]
fn unknown_name_exits_1_and_says_unknown() {
    loadsmith()
        .args(["names", "P0S3-08-12-00", "notes.txt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unknown"));
}

#[test]
fn hostile_name_is_escaped_in_human_output() {
    loadsmith()
        .args(["names", "\u{1b}[31mevil.sbn"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\\u{1b}[31m"))
        .stdout(predicate::str::contains("\u{1b}").not());
}

#[test]
fn plan_sip5_to_812_goes_through_6_3() {
    let out = loadsmith()
        .args([
            "--json",
            "plan",
            "--from",
            "P0S3-05-3-00",
            "--to",
            "P0S3-08-12-00",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["from"]["version"], "5.3");
    assert_eq!(v["to"]["version"], "8.12");
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["procedure"], "B");
    assert_eq!(steps[0]["load"], "P0S3-06-3-00");
    assert_eq!(steps[1]["procedure"], "D");
    assert!(
        steps[0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["file"] == "OS79XX.TXT")
    );
}

#[test]
fn plan_human_output_is_stable() {
    let out = loadsmith()
        .args([
            "plan",
            "--from",
            "P0030301MFG2",
            "--to",
            "P0S3-07-4-00",
            "--model",
            "CP-7940G",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8_lossy(&out));
}

#[test]
fn plan_refuses_downgrade_below_5_with_exit_1() {
    loadsmith()
        .args(["plan", "--from", "P00305000200", "--to", "P00303030300"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refused"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn plan_rejects_a_model_outside_the_matrix_with_exit_2() {
    loadsmith()
        .args([
            "plan",
            "--from",
            "P0S3-05-3-00",
            "--to",
            "P0S3-08-12-00",
            "--model",
            "7961",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("7940 and 7960"));
}

#[test]
fn matrix_lists_both_boundaries() {
    loadsmith()
        .arg("matrix")
        .assert()
        .success()
        .stdout(predicate::str::contains("Image authentication added"))
        .stdout(predicate::str::contains("Universal application loader"))
        .stdout(predicate::str::contains("P0S3-06-3-00 6.3"));
    let out = loadsmith()
        .args(["matrix", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["sections"].as_array().unwrap().len(), 4);
}

#[test]
fn usage_errors_exit_2() {
    loadsmith().arg("frobnicate").assert().code(2);
    loadsmith().arg("names").assert().code(2);
}

#[test]
fn completions_and_man_page_are_generated() {
    loadsmith()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("loadsmith"));
    loadsmith()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH loadsmith"));
    loadsmith()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("loadsmith "));
}

/// Every `--json` document carries `"schema": 1` and a `summary` whose exit
/// code is the process's; a refusal, an unreadable input and a usage error
/// still print a JSON document with an `error` (docs/json.md).
#[test]
fn every_json_document_has_schema_summary_and_errors_as_json() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    support::zip(&fw, &support::sip812());
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let (fws, rs) = (
        fw.to_string_lossy().to_string(),
        root.to_string_lossy().to_string(),
    );
    let runs: Vec<Vec<&str>> = vec![
        vec!["names", "P0S3-8-12-00", "nonsense"],
        vec!["plan", "--from", "P0S3-07-4-00", "--to", "P0S3-8-12-00"],
        vec!["matrix"],
        vec!["inspect", &fws],
        vec!["stage", "--target", "P0S3-8-12-00", "--from", &fws, &rs],
        vec!["check", &rs],
        vec!["boot", &rs, "--mac", "0011BB73AD61", "--model", "7960"],
    ];
    for args in &runs {
        let (doc, code) = support::json(args);
        assert_eq!(doc["schema"], 1, "{args:?}: {doc}");
        assert_eq!(doc["summary"]["exit"], code, "{args:?}: {doc}");
        assert!(doc["summary"]["errors"].is_u64(), "{args:?}: {doc}");
    }
    let missing = d.path().join("nowhere.zip");
    for (args, want) in [
        (
            vec![
                "stage",
                "--target",
                "P0S3-8-12-00",
                "--from",
                "/nonexistent-bundles",
                &rs,
            ],
            2,
        ),
        (
            vec![
                "stage",
                "--target",
                "SCCP41.9-4-2SR3-1S",
                "--from",
                &fws,
                &rs,
            ],
            1,
        ),
        (vec!["inspect", &missing.to_string_lossy()], 2),
        (vec!["inspect", "--no-such-flag"], 2),
    ] {
        let out = support::loadsmith()
            .arg("--json")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(want), "{args:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: no JSON on stdout ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_eq!(doc["schema"], 1, "{args:?}: {doc}");
        assert_eq!(doc["summary"]["exit"], want, "{args:?}: {doc}");
        let title = doc["error"]["title"]
            .as_str()
            .or_else(|| doc["errors"][0]["message"].as_str());
        assert!(title.is_some_and(|t| !t.is_empty()), "{args:?}: {doc}");
        assert!(
            !out.stderr.is_empty(),
            "{args:?}: the sentence on stderr too"
        );
    }
}

/// `--quiet` prints errors and nothing else, and never nothing at all when
/// the exit code is 1.
#[test]
fn quiet_prints_errors_only_and_never_nothing_on_exit_1() {
    let d = tempfile::tempdir().unwrap();
    let good = d.path().join("good.zip");
    support::zip(&good, &support::sip812());
    let bad = d.path().join("bad.zip");
    support::zip(
        &bad,
        &support::without(support::sip812(), "P0S3-8-12-00.sb2"),
    );
    let (g, b) = (
        good.to_string_lossy().to_string(),
        bad.to_string_lossy().to_string(),
    );
    let quiet = |args: &[&str]| {
        support::loadsmith()
            .arg("--quiet")
            .args(args)
            .output()
            .unwrap()
    };
    let o = quiet(&["inspect", &g]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{o:?}");
    let o = quiet(&["inspect", &g, &b]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("bad.zip: error missing-member"), "{text}");
    assert!(!text.contains("good.zip"), "{text}");
    let o = quiet(&["names", "P0S3-8-12-00", "nonsense"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "nonsense: not a name loadsmith knows\n"
    );
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let o = quiet(&[
        "boot",
        &root.to_string_lossy(),
        "--mac",
        "0011BB73AD61",
        "--model",
        "7960",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("No Load Specified")
    );
}

/// Counts read right: "1 note", "1 file".
#[test]
fn counts_read_right() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    support::zip(&fw, &support::sip812());
    let out = support::loadsmith()
        .arg("inspect")
        .arg(&fw)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("0 errors, 0 warnings, 1 note\n"), "{text}");
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("SIPDefault.cnf"), "image_version: P0S3-8-11-00\n").unwrap();
    let out = support::loadsmith()
        .args(["stage", "--dry-run", "--target", "P0S3-8-12-00", "--from"])
        .arg(&fw)
        .arg(&root)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("4 files and 2 pointer files would change"),
        "{text}"
    );
}

/// `stage` into a folder that does not exist makes it (a dry run says it
/// would); a missing `check` root or checksum list gets a hint about that.
#[test]
fn missing_folders_and_lists_are_made_or_named() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    support::zip(&fw, &support::sip812());
    let root = d.path().join("srv/tftp");
    let stage = |dry: bool| {
        let mut c = support::loadsmith();
        c.args(["stage", "--target", "P0S3-8-12-00", "--from"])
            .arg(&fw);
        if dry {
            c.arg("--dry-run");
        }
        c.arg(&root).output().unwrap()
    };
    let o = stage(true);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("would create the folder"));
    assert!(!root.exists(), "a dry run made the folder");
    let o = stage(false);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("created the folder"));
    assert!(root.join("P0S3-8-12-00.sb2").is_file());
    let o = support::loadsmith()
        .arg("check")
        .arg(d.path().join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the folder the TFTP server serves") && !err.contains("bundles"),
        "{err}"
    );
    let o = support::loadsmith()
        .args(["inspect", "--checksums"])
        .arg(d.path().join("SHA512SUMS"))
        .arg(&fw)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("checksum list") && !err.contains("bundles"),
        "{err}"
    );
}

/// Each subcommand's --help stands alone: what it does, an example, exit codes.
#[test]
fn every_subcommand_help_has_an_example_and_exit_codes() {
    for cmd in [
        "names", "plan", "matrix", "inspect", "stage", "check", "boot",
    ] {
        let out = support::loadsmith().args([cmd, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{cmd}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Example"), "{cmd}: {text}");
        assert!(text.contains("Exit status: 0"), "{cmd}: {text}");
        assert!(text.contains(&format!("loadsmith {cmd}")), "{cmd}: {text}");
    }
}

/// `--brief`: one line per bundle or root, with the first error.
#[test]
fn brief_prints_one_line_per_bundle_or_root() {
    let d = tempfile::tempdir().unwrap();
    let good = d.path().join("good.zip");
    support::zip(&good, &support::sip812());
    let bad = d.path().join("bad.zip");
    support::zip(
        &bad,
        &support::without(support::sip812(), "P0S3-8-12-00.sb2"),
    );
    let out = support::loadsmith()
        .args(["--brief", "inspect"])
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].ends_with("good.zip\tzip\tOK\t0 errors, 0 warnings, 1 note"),
        "{text}"
    );
    assert!(
        lines[1].contains("bad.zip\tzip\tFAIL\t1 error")
            && lines[1].contains("missing-member: P0S3-8-12-00.sb2"),
        "{text}"
    );
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let out = support::loadsmith()
        .args(["--brief", "check"])
        .arg(&root)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("\troot\tOK\t"), "{text}");
}

/// `names` explains vendor bundle names and the other files of a root;
/// `inspect` checks that a bundle's name agrees with what it holds.
#[test]
fn bundle_names_are_explained_and_checked() {
    let (doc, code) = support::json(&[
        "names",
        "cmterm-7941_7961-sccp.9-4-2SR3-1.zip",
        "cmterm-7970_7971-sccp.8-3-3.cop.sgn",
        "P0S3-8-12-00.zip",
        "cmterm-7911_7906-sip.8-5-4.zip",
        "dialplan.xml",
        "RINGLIST.XML",
        "SEP0011BB73AD61.cnf.xml",
        "CTLSEP0011BB73AD61.tlv",
    ]);
    assert_eq!(code, 0, "{doc}");
    let roles: Vec<&str> = doc["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "bundle",
            "bundle",
            "bundle",
            "bundle",
            "support",
            "support",
            "configuration",
            "trust-list"
        ]
    );
    assert_eq!(doc["names"][0]["stem"], "SCCP41.9-4-2SR3-1S");
    let d = tempfile::tempdir().unwrap();
    let right = d.path().join("cmterm-7941_7961-sccp.9-4-2SR3-1.zip");
    support::zip(&right, &support::sccp41());
    let (doc, _) = support::json(&["inspect", &right.to_string_lossy()]);
    assert!(support::finding(&doc, 0, "bundle-name").is_none(), "{doc}");
    for wrong in [
        "cmterm-7941_7961-sccp.9-4-2SR1-1.zip",
        "cmterm-7941_7961-sip.9-4-2SR3-1.zip",
    ] {
        let p = d.path().join(wrong);
        std::fs::copy(&right, &p).unwrap();
        let (doc, _) = support::json(&["inspect", &p.to_string_lossy()]);
        let f =
            support::finding(&doc, 0, "bundle-name").unwrap_or_else(|| panic!("{wrong}: {doc}"));
        assert_eq!(f["severity"], "warning");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("holds SCCP41.9-4-2SR3-1S"),
            "{f}"
        );
    }
}

/// `man --dir` writes the main page and one per subcommand, each with
/// EXAMPLES, EXIT STATUS, ENVIRONMENT and FILES.
#[test]
fn man_writes_a_page_per_subcommand() {
    let d = tempfile::tempdir().unwrap();
    let out = support::loadsmith()
        .args(["man", "--dir"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "loadsmith",
        "loadsmith-inspect",
        "loadsmith-stage",
        "loadsmith-check",
        "loadsmith-boot",
        "loadsmith-plan",
        "loadsmith-names",
        "loadsmith-matrix",
    ] {
        let text = std::fs::read_to_string(d.path().join(format!("{page}.1")))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        for section in [
            ".SH EXAMPLES",
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
        ] {
            assert!(text.contains(section), "{page} lacks {section}");
        }
        assert!(
            text.contains("NO_COLOR") && text.contains(".loadsmith/"),
            "{page}"
        );
    }
    let stage = std::fs::read_to_string(d.path().join("loadsmith-stage.1")).unwrap();
    assert!(stage.contains(".TH loadsmith-stage"), "{stage}");
    assert!(stage.contains("dry\\-run"), "{stage}");
    let main = support::loadsmith().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&main.stdout).contains(".TH loadsmith"));
}

/// Asks loadsmith for completions as the bash registration does.
fn complete(dir: &std::path::Path, words: &[&str]) -> Vec<String> {
    let out = support::loadsmith()
        .current_dir(dir)
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Completions offer model names for --model and the loads of the current
/// folder's bundles for --target; flags that do nothing are not offered.
#[test]
fn completions_offer_models_targets_and_only_useful_flags() {
    let d = tempfile::tempdir().unwrap();
    support::zip(&d.path().join("P0S3-8-12-00.zip"), &support::sip812());
    support::zip(&d.path().join("fw.zip"), &support::sccp41());
    let models = complete(d.path(), &["loadsmith", "boot", "root", "--model", "796"]);
    assert!(
        models.contains(&"7960".to_string()) && models.contains(&"7961".to_string()),
        "{models:?}"
    );
    assert!(!models.contains(&"7940".to_string()), "{models:?}");
    let targets = complete(d.path(), &["loadsmith", "stage", "--target", ""]);
    assert_eq!(targets, ["P0S3-8-12-00", "SCCP41.9-4-2SR3-1S"]);
    let flags = complete(d.path(), &["loadsmith", "completions", "--"]);
    assert!(
        !flags.iter().any(|f| f == "--json" || f == "--brief"),
        "{flags:?}"
    );
    let flags = complete(d.path(), &["loadsmith", "inspect", "--"]);
    assert!(flags.iter().any(|f| f == "--json"), "{flags:?}");
    let out = support::loadsmith()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(
        script.contains("COMPLETE=\"bash\"") && script.contains("complete -o nospace"),
        "{script}"
    );
}

/// The binary with the colour variables of the test's own environment removed.
fn colour_env(vars: &[(&str, &str)]) -> Command {
    let mut c = Command::cargo_bin("loadsmith").expect("binary");
    for v in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        c.env_remove(v);
    }
    for (k, v) in vars {
        c.env(k, v);
    }
    c
}

fn names_stdout(mut c: Command, flags: &[&str]) -> String {
    let out = c
        .args(flags)
        .args(["names", "P0S3-08-12-00", "nonsense.bin"])
        .output()
        .expect("run");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn clicolor_force_colours_output_on_a_pipe() {
    let s = names_stdout(colour_env(&[("CLICOLOR_FORCE", "1")]), &[]);
    // The name in bold, "unknown" in yellow, each span reset.
    assert!(s.contains("\u{1b}[1mP0S3-08-12-00\u{1b}[0m"), "{s:?}");
    assert!(s.contains("\u{1b}[33munknown"), "{s:?}");
}

#[test]
fn no_color_turns_colour_off_even_when_forced() {
    let s = names_stdout(
        colour_env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]),
        &[],
    );
    assert!(s.contains("P0S3-08-12-00"), "{s:?}");
    assert!(!s.contains('\u{1b}'), "{s:?}");
}

#[test]
fn the_color_flag_outranks_the_environment() {
    let always = names_stdout(colour_env(&[("NO_COLOR", "1")]), &["--color", "always"]);
    assert!(always.contains("\u{1b}[1mP0S3-08-12-00"), "{always:?}");
    let never = names_stdout(
        colour_env(&[("CLICOLOR_FORCE", "1")]),
        &["--color", "never"],
    );
    assert!(!never.contains('\u{1b}'), "{never:?}");
}

/// `--json` where no JSON can be written is refused, saying why, with the
/// error document (and its `schema` first) on stdout.
#[test]
fn json_man_is_refused_not_answered_in_roff() {
    let out = support::loadsmith()
        .args(["--json", "man"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(".TH"), "no roff: {text}");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["error"]["title"],
        "man writes roff; --json does not apply"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("man writes roff; --json does not apply"),
        "{err}"
    );
}

/// Every error document puts `schema` first, like every other document:
/// a usage error from clap and an error from a command.
#[test]
fn error_documents_put_schema_first() {
    for args in [
        &["--json", "inspect", "--no-such-flag"][..],
        &["--json", "man"][..],
        &[
            "--json",
            "stage",
            "--to",
            "/nonexistent-root",
            "--target",
            "X",
        ][..],
    ] {
        let out = support::loadsmith().args(args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("{\n  \"schema\": "), "{args:?}: {text}");
        assert!(text.contains("\"error\""), "{args:?}: {text}");
    }
}

/// `--brief` is accepted everywhere and either gives one line per item
/// (inspect, check) or is refused, naming the command: never ignored.
#[test]
fn brief_where_it_has_no_meaning_is_refused_clearly() {
    for args in [
        &["--brief", "stage", "r", "--target", "X"][..],
        &[
            "--brief",
            "boot",
            "r",
            "--mac",
            "001122334455",
            "--model",
            "7960",
        ][..],
        &["--brief", "plan", "--from", "8.5", "--to", "9.4"][..],
        &["--brief", "names", "SEP001122334455.cnf.xml"][..],
        &["--brief", "log", "x.log"][..],
    ] {
        let out = support::loadsmith().args(args).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!("--brief does not apply to {}", args[1])),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// The pages `man --dir` writes: the synopsis gives each option's value,
/// SEE ALSO names every other page (log, history, undo, compare included),
/// and the roff's apostrophe preamble comes once, at the top.
#[test]
fn man_pages_name_every_page_and_give_option_values() {
    let d = tempfile::tempdir().unwrap();
    loadsmith()
        .args(["man", "--dir"])
        .arg(d.path())
        .assert()
        .success();
    let stage = std::fs::read_to_string(d.path().join("loadsmith-stage.1")).unwrap();
    assert!(stage.contains(r"[\fB\-\-from\fR \fIPATH\fR]"), "{stage}");
    assert!(!stage.contains(r"[\fB\-\-from\fR]"), "{stage}");
    for page in std::fs::read_dir(d.path()).unwrap() {
        let path = page.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let ie: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with(".ie") || l.starts_with(".el"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(ie, [0, 1], "{}: {text}", path.display());
        let see = text.split(".SH \"SEE ALSO\"").nth(1).unwrap();
        for other in ["log", "history", "undo", "compare", "inspect"] {
            let me = path.file_name().unwrap().to_string_lossy() == format!("loadsmith-{other}.1");
            assert_eq!(
                see.contains(&format!(r"loadsmith\-{other}(1)")),
                !me,
                "{}: {see}",
                path.display()
            );
        }
    }
}

/// Counts agree with their nouns: "1 line", "1 member".
#[test]
fn one_of_a_thing_is_singular() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("one.log"), "hello\n").unwrap();
    let out = loadsmith()
        .current_dir(d.path())
        .args(["log", "one.log"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !text.contains("1 lines") && !err.contains("1 lines"),
        "{text}{err}"
    );
    let sb2 = support::signed(
        "P0S3-8-12-00.sb2",
        &support::image_body("P0S3-8-12-00", 2000),
    );
    support::zip(
        &d.path().join("one.zip"),
        &vec![("P0S3-8-12-00.sb2".to_string(), sb2)],
    );
    let out = loadsmith()
        .current_dir(d.path())
        .args(["inspect", "one.zip"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" · 1 member · "), "{text}");
}

/// `boot` on a folder that does not exist, and `log` on a missing file,
/// say so, with a hint that fits the command.
#[test]
fn missing_inputs_are_said_missing() {
    let d = tempfile::tempdir().unwrap();
    let out = loadsmith()
        .current_dir(d.path())
        .args([
            "boot",
            "nowhere",
            "--mac",
            "001122334455",
            "--model",
            "7960",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("nowhere: it does not exist"), "{err}");
    assert!(!err.contains("not a folder"), "{err}");
    let out = loadsmith()
        .current_dir(d.path())
        .args(["log", "nowhere.log"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("cannot read the log nowhere.log: no such file"),
        "{err}"
    );
    assert!(
        !err.contains("entity not found") && !err.contains("bundles"),
        "{err}"
    );
}

/// Completion of `--target` reads names only, in the folder `--from`
/// names when it is typed, at its top level: a bundle in a sub-folder is
/// not offered, one in the `--from` folder is, and a zip whose `.loads`
/// is not even a load list is offered by its name (nothing is inspected).
#[test]
fn completion_of_targets_reads_names_in_the_typed_from() {
    let d = tempfile::tempdir().unwrap();
    support::zip(&d.path().join("P0S3-8-12-00.zip"), &support::sip812());
    std::fs::create_dir_all(d.path().join("fw/deeper")).unwrap();
    support::zip(&d.path().join("fw/a.zip"), &support::sccp41());
    support::zip(
        &d.path().join("fw/deeper/b.zip"),
        &vec![(
            "SIP41.9-4-2SR3-1S.loads".to_string(),
            b"not a list".to_vec(),
        )],
    );
    let here = complete(d.path(), &["loadsmith", "stage", "--target", ""]);
    assert_eq!(here, ["P0S3-8-12-00"]);
    let typed = complete(
        d.path(),
        &["loadsmith", "stage", "--from", "fw", "--target", ""],
    );
    assert_eq!(typed, ["SCCP41.9-4-2SR3-1S"]);
    let deeper = complete(
        d.path(),
        &["loadsmith", "stage", "--from=fw/deeper", "--target", ""],
    );
    assert_eq!(deeper, ["SIP41.9-4-2SR3-1S"]);
}
