//! What people see, as snapshots show it: one command run in a folder, its
//! exit code, stdout and stderr, with the folder's path written `[TMP]`.
//! The `human` and `json` suites run the same cases through it.

use std::path::Path;

use super::*;

/// Runs loadsmith in `dir` and shows exit code, stdout and stderr, with `dir`
/// written as `[TMP]`.
pub fn shown(dir: &Path, args: &[&str]) -> String {
    shown_env(dir, &[], args)
}

/// [`shown`], with `env` set for the run (and shown before the command).
pub fn shown_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let out = loadsmith()
        .current_dir(dir)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    let tmp = dir.to_string_lossy().to_string();
    let canon = dir.canonicalize().unwrap().to_string_lossy().to_string();
    let clean = |b: &[u8]| {
        times(
            &String::from_utf8_lossy(b)
                .replace(&canon, "[TMP]")
                .replace(&tmp, "[TMP]"),
        )
    };
    let env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    format!(
        "$ {env}loadsmith {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        clean(&out.stdout),
        clean(&out.stderr)
    )
}

/// `s` with the times a stage recorded (`2024-05-01T12:34:56Z`, and
/// `"time":1714566896` in JSON) written `[TIME]`.
fn times(s: &str) -> String {
    let shape = |w: &[u8]| {
        w.len() == 20
            && w.iter().zip(b"dddd-dd-ddTdd:dd:ddZ").all(|(c, p)| match p {
                b'd' => c.is_ascii_digit(),
                p => c == p,
            })
    };
    let (b, mut out, mut i) = (s.as_bytes(), Vec::new(), 0);
    while i < b.len() {
        if b.get(i..i + 20).is_some_and(shape) {
            out.extend_from_slice(b"[TIME]");
            i += 20;
        } else if b[i..].starts_with(b"\"time\": ") && b.get(i + 8).is_some_and(u8::is_ascii_digit)
        {
            out.extend_from_slice(b"\"time\": [TIME]");
            i += 8;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One folder: two bundles (one damaged), an empty root, and a tftpd-hpa
/// log of two phones asking that root for their files.
pub fn world() -> tempfile::TempDir {
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
    std::fs::write(d.path().join("syslog"), SYSLOG).unwrap();
    d
}

/// The stage every case after it runs on.
pub const STAGE: &[&str] = &[
    "stage",
    "--target",
    "P0S3-08-12-00",
    "--from",
    "P0S3-8-12-00.zip",
    "root",
];

/// [`world`] with the SIP 8.12 set staged into `root`.
pub fn staged() -> tempfile::TempDir {
    let d = world();
    let out = loadsmith()
        .current_dir(d.path())
        .args(STAGE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    d
}

/// Cuts the staged load's application image short, as a copy that stopped
/// half-way leaves it.
pub fn damage(root: &Path) {
    let f = root.join("root/P0S3-8-12-00.sb2");
    let len = std::fs::metadata(&f).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
    file.set_len(len / 2).unwrap();
}

/// Two phones as tftpd-hpa logs them: a 7960 that fetches its load, a
/// 7940 that asks for a file the root lacks (its name carrying an escape).
/// One file only names the first phone's model: with two (`.loads` and
/// `.sb2`), `log` picks the one it names first in a `HashMap`'s order,
/// which differs from run to run.
const SYSLOG: &str = "\
Nov 22 03:00:01 pbx in.tftpd[101]: RRQ from 10.0.0.7 filename OS79XX.TXT
Nov 22 03:00:01 pbx in.tftpd[101]: sending NAK (1, File not found) to 10.0.0.7
Nov 22 03:00:02 pbx in.tftpd[102]: RRQ from 10.0.0.7 filename SIP001122334455.cnf
Nov 22 03:00:02 pbx in.tftpd[102]: sending NAK (1, File not found) to 10.0.0.7
Nov 22 03:00:03 pbx in.tftpd[103]: RRQ from 10.0.0.7 filename SIPDefault.cnf
Nov 22 03:00:05 pbx in.tftpd[105]: RRQ from 10.0.0.7 filename P0S3-8-12-00.sb2
Nov 22 03:00:06 pbx in.tftpd[106]: RRQ from 10.0.0.8 filename P0S3-9-9-99\x1b[31m.sb2
Nov 22 03:00:06 pbx in.tftpd[106]: sending NAK (1, File not found) to 10.0.0.8
";
