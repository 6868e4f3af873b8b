//! Round 2, the root side: what a TFTP root (or a TFTP server) may hold or do
//! to loadsmith. Nothing in a root but regular files is opened, pointer files
//! are never cut short, and every read and fetch is bounded.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command as Std;
use std::time::{Duration, Instant};

use crate::support::*;

/// A root with the SIP 8.12 bundle beside it: (tempdir, root, bundle path).
fn root_and_bundle() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let b = d.path().join("sip812.zip");
    zip(&b, &sip812());
    let b = b.to_string_lossy().to_string();
    (d, root, b)
}

fn stage(bundle: &str, root: &Path) -> assert_cmd::assert::Assert {
    loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from", bundle])
        .arg(root)
        .timeout(Duration::from_secs(20))
        .assert()
}

fn check(root: &Path) -> assert_cmd::assert::Assert {
    loadsmith()
        .arg("check")
        .arg(root)
        .timeout(Duration::from_secs(20))
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

#[test]
fn a_large_sipdefault_keeps_every_byte_when_staged() {
    let (_d, root, b) = root_and_bundle();
    // 1.9 MB of comment blocks after the setting, as real files have.
    let mut cnf = b"# SIP defaults\r\nimage_version: P0S3-8-11-00\r\n".to_vec();
    let mut i = 0;
    while cnf.len() < 1_900_000 {
        cnf.extend(
            format!("# comment block line {i:07}: proxy settings explained at length\r\n")
                .into_bytes(),
        );
        i += 1;
    }
    cnf.extend(b"proxy1_address: 10.0.0.1\r\n");
    std::fs::write(root.join("SIPDefault.cnf"), &cnf).unwrap();
    stage(&b, &root).code(0);
    let after = std::fs::read(root.join("SIPDefault.cnf")).unwrap();
    let want = String::from_utf8(cnf.clone()).unwrap().replacen(
        "image_version: P0S3-8-11-00",
        "image_version: P0S3-8-12-00",
        1,
    );
    assert_eq!(after.len(), want.len(), "the file was cut or grew");
    assert!(
        after == want.as_bytes(),
        "bytes other than the setting changed"
    );
    check(&root).code(0);
}

#[test]
fn a_pointer_file_over_the_limit_is_refused_and_left_as_it_was() {
    let (_d, root, b) = root_and_bundle();
    let mut cnf = b"image_version: P0S3-8-11-00\n".to_vec();
    cnf.resize(17 << 20, b'#');
    std::fs::write(root.join("SIPDefault.cnf"), &cnf).unwrap();
    let a = stage(&b, &root).code(1);
    let err = stderr(&a);
    assert!(
        err.contains("SIPDefault.cnf") && err.contains("more than the 16777216 bytes"),
        "{err}"
    );
    assert!(std::fs::read(root.join("SIPDefault.cnf")).unwrap() == cnf);
    assert!(
        !root.join("P0S3-8-12-00.sb2").exists(),
        "a refused stage wrote files"
    );
    let a = check(&root).code(1);
    assert!(stdout(&a).contains("unreadable"), "{}", stdout(&a));
}

#[test]
fn a_manifest_with_odd_digests_does_not_panic_check() {
    let (_d, root, b) = root_and_bundle();
    stage(&b, &root).code(0);
    let m = root.join(".loadsmith/manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["files"]["P0S3-8-12-00.sb2"]["sha256"] = "ééééééééééééééé€€€".into();
    std::fs::write(&m, serde_json::to_vec(&doc).unwrap()).unwrap();
    let a = check(&root).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("drift") && out.contains("ééééééééééé"),
        "{out}"
    );
}

fn mkfifo(p: &Path) {
    let ok = Std::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

#[test]
fn fifos_and_devices_in_the_root_never_block() {
    for name in [
        "P0S3-8-12-00.sb2",
        "SIPDefault.cnf",
        ".loadsmith/manifest.json",
    ] {
        let (_d, root, b) = root_and_bundle();
        std::fs::create_dir_all(root.join(".loadsmith")).unwrap();
        mkfifo(&root.join(name));
        let start = Instant::now();
        let a = stage(&b, &root).code(1);
        let err = stderr(&a);
        let base = name.rsplit('/').next().unwrap();
        assert!(err.contains(base) && err.contains("FIFO"), "{name}: {err}");
        let a = check(&root).code(1);
        let out = format!("{}{}", stdout(&a), stderr(&a));
        assert!(out.contains(base), "{name}: {out}");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{name}: took {:?}",
            start.elapsed()
        );
        assert!(!root.join("P0003-8-12-00.sbn").exists());
    }
    // A link to a device where a configuration file belongs: boot reports
    // it not served (tftpd-hpa serves regular files only), and never reads it.
    let (_d, root, _) = root_and_bundle();
    symlink("/dev/zero", root.join("SIPDefault.cnf")).unwrap();
    loadsmith()
        .args([
            "boot",
            "--mac",
            "0011BB73AD61",
            "--model",
            "7960",
            "--running",
            "P0S3-06-3-00",
        ])
        .arg(&root)
        .timeout(Duration::from_secs(20))
        .assert()
        .stdout(predicates::str::contains("not served"));
}

#[test]
fn the_manifest_is_checked_before_it_is_read() {
    let (_d, root, b) = root_and_bundle();
    std::fs::create_dir(root.join(".loadsmith")).unwrap();
    let m = root.join(".loadsmith/manifest.json");
    symlink("/dev/zero", &m).unwrap();
    let start = Instant::now();
    let a = stage(&b, &root).code(1);
    assert!(stderr(&a).contains("link"), "{}", stderr(&a));
    let a = check(&root).code(1);
    assert!(stdout(&a).contains("unreadable"), "{}", stdout(&a));
    std::fs::remove_file(&m).unwrap();
    // A sparse 2 GiB manifest is refused by its size, never allocated.
    let f = std::fs::File::create(&m).unwrap();
    f.set_len(2 << 30).unwrap();
    let a = stage(&b, &root).code(1);
    assert!(
        stderr(&a).contains("more than the 67108864 bytes"),
        "{}",
        stderr(&a)
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
}

/// Runs `cmd` as user nobody when we are root (root reads any file), or as
/// is; `None` when that cannot be done here.
fn unprivileged(args: &[&str], dirs: &[&Path]) -> Option<std::process::Output> {
    let bin = assert_cmd::cargo::cargo_bin("loadsmith");
    let root = Std::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    let mut c = if root {
        for d in dirs {
            Std::new("chmod").arg("755").arg(d).status().ok()?;
        }
        let mut c = Std::new("setpriv");
        c.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Std::new(&bin)
    };
    let probe = if root {
        Std::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(&bin)
            .arg("--version")
            .output()
            .ok()?
    } else {
        Std::new(&bin).arg("--version").output().ok()?
    };
    if !probe.status.success() {
        return None;
    }
    c.env("NO_COLOR", "1").args(args);
    c.output().ok()
}

#[test]
fn unreadable_files_are_named() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("fw");
    std::fs::create_dir(&fw).unwrap();
    zip(&fw.join("sip812.zip"), &sip812());
    let locked = fw.join("other-bundle.zip");
    zip(&locked, &sip79("8-11-00"));
    Std::new("chmod").arg("000").arg(&locked).status().unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    for (n, b) in sip812() {
        std::fs::write(root.join(n), b).unwrap();
    }
    std::fs::write(root.join("notes.txt"), b"private").unwrap();
    Std::new("chmod")
        .arg("000")
        .arg(root.join("notes.txt"))
        .status()
        .unwrap();
    let (fws, roots) = (fw.to_string_lossy(), root.to_string_lossy());
    let stage_out = unprivileged(
        &[
            "stage",
            "--dry-run",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &fws,
            &roots,
        ],
        &[d.path(), &fw, &root],
    );
    let Some(stage_out) = stage_out else {
        println!(
            "SKIPPED unreadable_files_are_named: cannot run loadsmith as an unprivileged user here"
        );
        return;
    };
    let err = String::from_utf8_lossy(&stage_out.stderr);
    assert_ne!(stage_out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("other-bundle.zip"),
        "the unreadable bundle is not named: {err}"
    );
    let out = unprivileged(&["--json", "check", &roots], &[]).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc}");
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "unreadable")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(f["member"], "notes.txt", "{f}");
}

/// A TFTP server on 127.0.0.1 that never ends a transfer: `fast` sends full
/// 65,464-byte blocks as fast as they are acknowledged (an endless file);
/// otherwise it sends a 512-byte block a second, forever. Returns its port.
fn endless_tftp(fast: bool) -> u16 {
    use std::net::UdpSocket;
    let listen = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = listen.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 2048];
        listen
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        while let Ok((_, client)) = listen.recv_from(&mut buf) {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let size = if fast {
                s.send_to(b"\x00\x06blksize\x0065464\x00", client).unwrap();
                if s.recv_from(&mut buf).is_err() {
                    continue;
                }
                65_464
            } else {
                512
            };
            let mut block: u16 = 1;
            let mut pkt = vec![0u8; 4 + size];
            pkt[1] = 3;
            loop {
                pkt[2..4].copy_from_slice(&block.to_be_bytes());
                if s.send_to(&pkt, client).is_err() || s.recv_from(&mut buf).is_err() {
                    break;
                }
                if !fast {
                    std::thread::sleep(Duration::from_millis(1000));
                }
                block = block.wrapping_add(1);
            }
        }
    });
    port
}

#[test]
fn boot_stops_a_transfer_that_never_ends() {
    let port = endless_tftp(true);
    let start = Instant::now();
    let a = loadsmith()
        .args(["boot", "--mac", "0011BB73AD61", "--model", "7960"])
        .arg(format!("tftp://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(120))
        .assert()
        .code(1);
    let out = stdout(&a);
    assert!(
        out.contains("size bound") && out.contains("256 MiB"),
        "{out}"
    );
    println!("size bound hit after {:?}", start.elapsed());
    let port = endless_tftp(false);
    let start = Instant::now();
    let a = loadsmith()
        .args([
            "boot",
            "--deadline",
            "3",
            "--mac",
            "0011BB73AD61",
            "--model",
            "7960",
        ])
        .arg(format!("tftp://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1);
    let out = stdout(&a);
    assert!(out.contains("deadline") && out.contains("3 s"), "{out}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}
