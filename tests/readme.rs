//! Every example the README gives runs as shown, through the real binary.
//!
//! The examples are read from README.md itself, not listed here: every line
//! of a fenced `sh` block, and every indented line that starts with
//! `loadsmith ` (the "Examples:" block). An example added later runs here
//! with the others, or fails here; one that cannot run must be named in
//! [`SKIPPED`], with why.
//!
//! Each runs in `bash -c` (so globs, pipes and comments are the shell's,
//! with `pipefail`), in order (a stage before the check of its root), in a
//! temporary folder prepared with the files the examples name, with the
//! binary under test first on `PATH`. What the README names that is not
//! here is substituted:
//!
//! | README | here |
//! |---|---|
//! | `cargo run -- ARGS` | `loadsmith ARGS` (the binary under test) |
//! | `~` | `HOME` is a temporary folder: `~/fw/` and `~/downloads/cisco/` hold the two bundles |
//! | `/srv/tftp` | `srv/tftp` in the temporary folder (made empty) |
//! | `tftp://10.0.0.5` | `tftp://127.0.0.1:PORT`: tftpd-hpa serving that `srv/tftp` |
//! | `P0S3-8-12-00.zip` | `testdata/P0S3-8-12-00-sample.zip`, copied under the vendor's name |
//! | `cmterm-7941_7961-sccp.9-4-2SR3-1.zip` | a SCCP 9.4(2)SR3 set for 7941/7961 built here (`support::sccp41`) |
//! | `SHA512SUMS` | `sha512sum` of the two zips |
//! | `page.txt` | the two zips' sums as the vendor's download page gives them |
//!
//! An example exits 0, unless its comment says `exits 1`. One that pipes
//! into a tool not installed here (`jq`), or needs `in.tftpd` when it is
//! not, is skipped, saying so (`.ci/run` installs both).

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha512};

use crate::support::{sccp41, tftpd, zip};

/// Examples that cannot run here, with why.
const SKIPPED: &[(&str, &str)] = &[(
    "cargo test",
    "runs the test suite this test is part of: it would run itself",
)];

const SAMPLE: &str = "P0S3-8-12-00.zip";
const SCCP: &str = "cmterm-7941_7961-sccp.9-4-2SR3-1.zip";

/// Every example of `readme`, in order.
fn examples(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = None;
    for line in readme.lines() {
        if let Some(lang) = line.strip_prefix("```") {
            fenced = match fenced {
                None => Some(lang.trim().to_string()),
                Some(_) => None,
            };
            continue;
        }
        let example = match &fenced {
            Some(lang) if matches!(lang.as_str(), "sh" | "bash" | "shell" | "console") => {
                !line.trim().is_empty()
            }
            Some(_) => false,
            None => line.starts_with("    ") && line.trim_start().starts_with("loadsmith "),
        };
        if example {
            out.push(line.trim().to_string());
        }
    }
    out
}

/// The exit code an example's comment gives (`# … exits 1`), 0 when it gives none.
fn expected_code(example: &str) -> i32 {
    match example.split_once(" # ") {
        Some((_, comment)) if comment.contains("exits 1") => 1,
        _ => 0,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The temporary folder the examples run in, with what they name.
struct Place {
    _dir: tempfile::TempDir,
    work: PathBuf,
    home: PathBuf,
    tftp: PathBuf,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        let home = dir.path().join("home");
        let tftp = dir.path().join("srv/tftp");
        for d in [&work.join("testdata"), &tftp] {
            std::fs::create_dir_all(d).unwrap();
        }
        let sample_src =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/P0S3-8-12-00-sample.zip");
        std::fs::copy(&sample_src, work.join("testdata/P0S3-8-12-00-sample.zip")).unwrap();
        std::fs::copy(&sample_src, work.join(SAMPLE)).unwrap();
        zip(&work.join(SCCP), &sccp41());
        let mut sums = String::new();
        let mut page = String::new();
        for name in [SAMPLE, SCCP] {
            let bytes = std::fs::read(work.join(name)).unwrap();
            let s = hex(&Sha512::digest(&bytes));
            sums.push_str(&format!("{s}  {name}\n"));
            let m = hex(&md5::Md5::digest(&bytes));
            page.push_str(&format!(
                "FileName :\t{name}\r\nMD5 Checksum :\t{m}\r\nSHA512 Checksum :\t{s}\r\n\r\n"
            ));
        }
        std::fs::write(work.join("SHA512SUMS"), sums).unwrap();
        std::fs::write(work.join("page.txt"), page).unwrap();
        for folder in ["fw", "downloads/cisco"] {
            let to = home.join(folder);
            std::fs::create_dir_all(&to).unwrap();
            for name in [SAMPLE, SCCP] {
                std::fs::copy(work.join(name), to.join(name)).unwrap();
            }
        }
        Place {
            _dir: dir,
            work,
            home,
            tftp,
        }
    }

    /// `example` with the README's paths and servers replaced by ours
    /// (`port`: the local TFTP server's).
    fn rewrite(&self, example: &str, port: Option<u16>) -> String {
        let mut line = example.replace("cargo run -- ", "loadsmith ");
        line = line.replace("/srv/tftp", self.tftp.to_str().unwrap());
        if let Some(port) = port {
            line = line.replace("tftp://10.0.0.5", &format!("tftp://127.0.0.1:{port}"));
        }
        line
    }

    /// Runs `line` in bash, in the work folder: exit code, stdout, stderr.
    fn run(&self, line: &str) -> (i32, String, String) {
        let bin = assert_cmd::cargo::cargo_bin("loadsmith");
        let path = format!(
            "{}:{}",
            bin.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["-c", &format!("set -o pipefail; {line}")])
            .current_dir(&self.work)
            .env("HOME", &self.home)
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .env("LOADSMITH_ETC", crate::support::no_etc())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A command `example` pipes into (`jq`) that is not installed here.
fn missing_tool(example: &str) -> Option<String> {
    example.split(" | ").skip(1).find_map(|stage| {
        let tool = stage.split_whitespace().next()?;
        let found = Command::new("bash")
            .args(["-c", &format!("command -v '{tool}'")])
            .output()
            .is_ok_and(|o| o.status.success());
        (!found).then(|| tool.to_string())
    })
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn every_readme_example_runs_as_shown() {
    let all = examples(&readme());
    for (skipped, why) in SKIPPED {
        assert!(
            all.iter().any(|e| e == skipped),
            "SKIPPED names `{skipped}` ({why}), which the README no longer gives"
        );
    }
    let place = Place::new();
    let server = tftpd(&place.tftp);
    let mut ran = 0;
    for example in &all {
        if let Some((_, why)) = SKIPPED.iter().find(|(s, _)| s == example) {
            eprintln!("SKIPPED README example `{example}`: {why}");
            continue;
        }
        if example.contains("tftp://") && server.is_none() {
            eprintln!("SKIPPED README example `{example}`: in.tftpd (tftpd-hpa) is not installed");
            continue;
        }
        if let Some(tool) = missing_tool(example) {
            eprintln!("SKIPPED README example `{example}`: it pipes into {tool}, not installed");
            continue;
        }
        let line = place.rewrite(example, server.as_ref().map(|s| s.port));
        assert!(
            !line.contains("tftp://10.") && !line.contains(" /srv/"),
            "an address or path outside the test is left in `{line}`: substitute it"
        );
        let (code, stdout, stderr) = place.run(&line);
        eprintln!("README example `{example}`: exit {code}\n{stdout}{stderr}");
        assert_eq!(
            code,
            expected_code(example),
            "README example `{example}` (run as `{line}`) exited {code}\n\
             stdout:\n{stdout}\nstderr:\n{stderr}"
        );
        ran += 1;
    }
    // The README's three groups of examples: the first run, "Examples:"
    // and the history section.
    assert!(ran >= 15, "only {ran} examples ran: {all:?}");
}

#[test]
fn examples_are_found_in_fenced_blocks_and_the_indented_block() {
    let text = "intro\n\n```sh\ncargo test\nloadsmith check r\n```\n\n\
                ```json\n{\"not\": \"an example\"}\n```\n\nExamples:\n\n    \
                loadsmith inspect a.zip\n    loadsmith boot /srv/tftp --mac x  # exits 1\n\n\
                | `loadsmith inspect PATH...` | a table row is no example |\n";
    let found = examples(text);
    assert_eq!(
        found,
        [
            "cargo test",
            "loadsmith check r",
            "loadsmith inspect a.zip",
            "loadsmith boot /srv/tftp --mac x  # exits 1"
        ]
    );
    assert_eq!(expected_code(&found[1]), 0);
    assert_eq!(expected_code(&found[3]), 1);
}

#[test]
fn a_pipe_into_a_tool_not_installed_is_found() {
    assert_eq!(missing_tool("loadsmith matrix"), None);
    assert_eq!(missing_tool("loadsmith --json matrix | bash -c cat"), None);
    assert_eq!(
        missing_tool("loadsmith --json matrix | no-such-tool-here '.x'"),
        Some("no-such-tool-here".to_string())
    );
}
