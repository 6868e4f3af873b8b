//! Test support: synthetic firmware files shaped like the vendor's, and
//! bundle builders (zip, tar, tar.gz, cop.sgn), made at test time.
#![allow(dead_code)]

pub mod cases;
pub mod shown;
pub mod tlvbuild;
pub mod turns;

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use loadsmith::signed::{cnu, header};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The binary, with colour off, reading an empty folder as `/etc`
/// (`LOADSMITH_ETC`): a command given no root never finds the machine's
/// own server configuration (and never stages into its TFTP root). A test
/// that wants a configuration sets `LOADSMITH_ETC` again, to its own folder.
pub fn loadsmith() -> Command {
    let mut c = Command::cargo_bin("loadsmith").expect("binary");
    c.env("NO_COLOR", "1");
    c.env("LOADSMITH_ETC", no_etc());
    c
}

/// An empty folder standing for `/etc`.
pub fn no_etc() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-etc");
    std::fs::create_dir_all(&dir).expect("an empty etc");
    dir
}

/// Runs `loadsmith --json ARGS` and parses stdout.
pub fn json(args: &[&str]) -> (serde_json::Value, i32) {
    let out = loadsmith().arg("--json").args(args).output().expect("run");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code().unwrap_or(-1))
}

/// A signed file: the vendor-shaped header naming `name`, then `body`.
pub fn signed(name: &str, body: &[u8]) -> Vec<u8> {
    let mut v = header::build(name);
    v.extend_from_slice(body);
    v
}

/// A 7940/7960 image body: branch words, then the image name at 0x20.
pub fn image_body(image: &str, len: usize) -> Vec<u8> {
    let mut b = vec![0xEAu8; 0x20];
    b.extend_from_slice(image.as_bytes());
    b.resize(0x40, 0);
    let mut x: u32 = 0x1234_5678;
    while b.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.push(if x.is_multiple_of(3) {
            0
        } else {
            (x >> 8) as u8
        });
    }
    b
}

pub type Files = Vec<(String, Vec<u8>)>;

/// The SIP 8.12 set for 7940/7960, as the vendor ships it (synthetic bytes).
pub fn sip812() -> Files {
    sip79("8-12-00")
}

/// A SIP set for 7940/7960 of version `v` (`8-12-00`), shaped like the vendor's.
pub fn sip79(v: &str) -> Files {
    let (loader_name, app) = (format!("P003-{v}"), format!("P0S3-{v}"));
    let loader = image_body(&loader_name, 3000);
    vec![
        ("OS79XX.TXT".into(), format!("{app}\r\n").into_bytes()),
        (format!("{loader_name}.bin"), loader.clone()),
        (
            format!("{loader_name}.sbn"),
            signed(&format!("{loader_name}.sbn"), &loader),
        ),
        (
            format!("{app}.loads"),
            signed(
                &format!("{app}.loads"),
                format!("{loader_name}.sbn\n{app}.sb2\nLA_VERSION=PAS30830\n").as_bytes(),
            ),
        ),
        (
            format!("{app}.sb2"),
            signed(&format!("{app}.sb2"), &image_body(&app, 9000)),
        ),
    ]
}

/// A 79x1-family load (`SCCP41.9-4-2SR3-1S`) with five CNU components and term files.
pub fn sccp41() -> Files {
    family_load(
        "SCCP41.9-4-2SR3-1S",
        "41",
        "sccp",
        "9-4-2ES26",
        &["41", "61"],
    )
}

/// A family load for family `ff`, protocol `proto`, component version `v`.
pub fn family_load(load: &str, ff: &str, proto: &str, v: &str, terms: &[&str]) -> Files {
    let comps = [
        format!("jar{ff}{proto}.{v}.sbn"),
        format!("cnu{ff}.{v}.sbn"),
        format!("apps{ff}.{v}.sbn"),
        format!("dsp{ff}.{v}.sbn"),
        format!("cvm{ff}{proto}.{v}.sbn"),
    ];
    let mut list = format!(
        "#\r\n# This file contains a list of archive image files that will be requested by the\r\n# RELEASE load version {v}\r\n#\r\n\r\n"
    );
    for (i, c) in comps.iter().enumerate() {
        list.push_str(c);
        if i >= 3 {
            list.push(' ');
        }
        list.push_str("\r\n");
    }
    let mut files: Files = vec![(
        format!("{load}.loads"),
        signed(&format!("{load}.loads"), list.as_bytes()),
    )];
    for t in terms {
        let n = format!("term{t}.default.loads");
        files.push((n.clone(), signed(&n, list.as_bytes())));
    }
    for (i, c) in comps.iter().enumerate() {
        let payload = image_body(c, 2000 + 500 * i);
        let body = cnu::build(&[("image.bin", &payload), ("version.txt", v.as_bytes())]);
        files.push((c.clone(), signed(c, &body)));
    }
    files
}

/// Replaces or removes a file by name.
pub fn without(mut files: Files, name: &str) -> Files {
    files.retain(|(n, _)| n != name);
    files
}

/// Renames a file (its embedded name stays the vendor's).
pub fn renamed(mut files: Files, from: &str, to: &str) -> Files {
    for f in &mut files {
        if f.0 == from {
            f.0 = to.to_string();
        }
    }
    files
}

/// Writes a zip with deflate (or stored) members, optionally inside a folder.
pub fn zip_with(path: &Path, files: &Files, method: CompressionMethod, folder: Option<&str>) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = ZipWriter::new(f);
    let opts = SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(DateTime::from_date_and_time(2013, 1, 17, 3, 34, 0).unwrap())
        .unix_permissions(0o644);
    for (name, data) in files {
        let n = match folder {
            Some(d) => format!("{d}/{name}"),
            None => name.clone(),
        };
        z.start_file(n, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

/// A deflate zip of `files` at the top level.
pub fn zip(path: &Path, files: &Files) {
    zip_with(path, files, CompressionMethod::Deflated, None);
}

/// Tar bytes of `files` (regular files, mode 0644).
pub fn tar_bytes(files: &Files) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_358_393_640);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

/// A tar of the SIP 8.12 set plus the special entries `add` makes.
pub fn tar_with(add: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in sip812() {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    add(&mut b);
    b.into_inner().unwrap()
}

/// Adds a link, device or FIFO entry (with `link` as its target).
pub fn special(
    b: &mut tar::Builder<Vec<u8>>,
    kind: tar::EntryType,
    name: &str,
    link: Option<&str>,
) {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(0);
    h.set_mode(0o644);
    match link {
        Some(l) => b.append_link(&mut h, name, l).unwrap(),
        None => b.append_data(&mut h, name, std::io::empty()).unwrap(),
    }
}

/// Gzip of `bytes`.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A `.cop` (tar.gz) of `files`.
pub fn cop(path: &Path, files: &Files) {
    std::fs::write(path, gz(&tar_bytes(files))).unwrap();
}

/// A `.cop.sgn`: a signed header, then the gzip tar.
pub fn cop_sgn(path: &Path, files: &Files) {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    std::fs::write(path, signed(&name, &gz(&tar_bytes(files)))).unwrap();
}

/// The real vendor files of one `../shared/realworld/` folder, or `None` (the test then skips, saying so).
pub fn realworld(folder: &str) -> Option<Files> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realworld")
        .join(folder);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: ../shared/realworld/{folder} is absent");
        return None;
    };
    let mut files: Files = rd
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    Some(files)
}

/// Finding codes of bundle `i` in an inspect JSON document.
pub fn codes(doc: &serde_json::Value, i: usize) -> Vec<String> {
    doc["bundles"][i]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The finding of `code` in bundle `i`, if any.
pub fn finding<'a>(
    doc: &'a serde_json::Value,
    i: usize,
    code: &str,
) -> Option<&'a serde_json::Value> {
    doc["bundles"][i]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
}

/// True when the tests run as root (tftpd-hpa can then drop to `nobody`).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// A tftpd-hpa serving `dir` on 127.0.0.1 at a free port; killed when dropped.
pub struct Tftpd {
    child: std::process::Child,
    /// The UDP port it listens on.
    pub port: u16,
    /// No test binds `/dev/log` while this server may log into it.
    _turn: turns::Turn,
}

impl Tftpd {
    /// Waits for the server to end by itself (one that refused its
    /// options or rules): its exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        self.child.wait().ok()?.code()
    }
}

impl Drop for Tftpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts tftpd-hpa on `dir`, or `None` when it is not installed (the caller skips, saying so).
pub fn tftpd(dir: &Path) -> Option<Tftpd> {
    tftpd_with(dir, "root", &[])
}

/// Starts tftpd-hpa on `dir` as `user` (it drops to that user after
/// `chroot`, as installed servers do) with `extra` options (`-m FILE`,
/// `-v`), or `None` when it is not installed or this is not root (it must
/// start as root to `chroot`); the caller skips, saying so.
pub fn tftpd_with(dir: &Path, user: &str, extra: &[&str]) -> Option<Tftpd> {
    let bin = ["/usr/sbin/in.tftpd", "/usr/bin/in.tftpd"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    if user != "root" && !is_root() {
        return None;
    }
    let turn = turns::shared();
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(bin)
        .args([
            "--foreground",
            "--listen",
            "--address",
            &format!("127.0.0.1:{port}"),
            "--user",
            user,
        ])
        .args(extra)
        .args(["--secure", dir.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(std::time::Duration::from_millis(300));
    Some(Tftpd {
        child,
        port,
        _turn: turn,
    })
}

/// `/dev/log` bound by a test, so that `in.tftpd` (which logs through
/// syslog(3)) logs to it; removed when dropped. A thread drains it at once
/// (a full datagram queue would block the server in syslog(3)). It holds
/// its turn alone: no other test binds it or runs a server beside it.
pub struct Syslog {
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    _turn: turns::Turn,
}

/// The path syslog(3) writes to.
const DEV_LOG: &str = "/dev/log";

impl Syslog {
    /// Binds `/dev/log`, or `None` when a syslog daemon owns it (or it
    /// cannot be bound): the caller then skips the log comparison, saying so.
    pub fn capture() -> Option<Syslog> {
        let turn = turns::alone();
        let p = Path::new(DEV_LOG);
        if p.exists() {
            // A socket left by an earlier test run that nobody listens on.
            let stale = std::os::unix::net::UnixDatagram::unbound()
                .and_then(|s| s.connect(p))
                .is_err();
            if !stale {
                return None;
            }
            std::fs::remove_file(p).ok()?;
        }
        let sock = std::os::unix::net::UnixDatagram::bind(p).ok()?;
        sock.set_read_timeout(Some(std::time::Duration::from_millis(100)))
            .ok()?;
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (l, st) = (lines.clone(), stop.clone());
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 8192];
            while !st.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(n) = sock.recv(&mut buf) {
                    let s = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let s = match (s.starts_with('<'), s.find('>')) {
                        (true, Some(i)) => s[i + 1..].to_string(),
                        _ => s,
                    };
                    l.lock().unwrap().push(s.trim_end().to_string());
                }
            }
        });
        Some(Syslog {
            lines,
            stop,
            reader: Some(reader),
            _turn: turn,
        })
    }

    /// The messages received so far, syslog priority prefixes (`<30>`)
    /// removed, after waiting for the server's last lines.
    pub fn lines(&self) -> Vec<String> {
        std::thread::sleep(std::time::Duration::from_millis(300));
        self.lines.lock().unwrap().clone()
    }

    /// Forgets the messages received so far.
    pub fn clear(&self) {
        self.lines.lock().unwrap().clear();
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let _ = std::fs::remove_file(DEV_LOG);
    }
}

/// Fetches `name` from a TFTP server on 127.0.0.1 with the real `tftp`
/// client: its bytes, or `None` when the server refused it.
pub fn tftp_get(port: u16, name: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let out = dir.path().join("got");
    let status = std::process::Command::new("tftp")
        .args([
            "-m",
            "binary",
            "127.0.0.1",
            &port.to_string(),
            "-c",
            "get",
            name,
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let bytes = std::fs::read(&out).ok()?;
    (status.success() && !bytes.is_empty()).then_some(bytes)
}

/// Two string fields of every entry of `doc[array]`: `pairs(doc, "findings", "code", "message")`.
pub fn pairs(doc: &serde_json::Value, array: &str, a: &str, b: &str) -> Vec<(String, String)> {
    doc[array]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[a].as_str().unwrap_or_default().to_string(),
                e[b].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Writes `files` into `dir`.
pub fn write_files(dir: &Path, files: &Files) {
    for (n, b) in files {
        std::fs::write(dir.join(n), b).unwrap();
    }
}

/// Copies the folder `from`, and every folder below it, to `to` (made
/// where missing).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Crashes a run at every step in turn (`LOADSMITH_FAULT=crash:N`, debug
/// builds only): `run("crash:N")` puts the root as it should be and runs
/// the command, for N = 1, 2, … until a run succeeds (past its last step).
/// Every run that does not succeed must have been killed (no exit code);
/// `after(N)` then looks at what it left. Returns the steps crashed at.
pub fn crash_at_every_step(
    what: &str,
    mut run: impl FnMut(&str) -> std::process::Output,
    mut after: impl FnMut(u64),
) -> u64 {
    let mut n = 1;
    loop {
        let out = run(&format!("crash:{n}"));
        if out.status.success() {
            return n - 1;
        }
        assert_eq!(
            out.status.code(),
            None,
            "{what}crash:{n} should kill the process: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        after(n);
        n += 1;
    }
}

/// Peak memory (KiB) of `loadsmith ARGS` through `/usr/bin/time`, or `None`
/// (said) without it.
pub fn peak_kib(args: &[&str]) -> Option<u64> {
    if !Path::new("/usr/bin/time").exists() {
        println!("SKIPPED: /usr/bin/time is not installed");
        return None;
    }
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "PEAK %M"])
        .arg(assert_cmd::cargo::cargo_bin("loadsmith"))
        .env("LOADSMITH_ETC", no_etc())
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some_and(|c| c < 2), "{err}");
    err.lines()
        .find_map(|l| l.strip_prefix("PEAK "))
        .and_then(|v| v.trim().parse().ok())
}

/// Makes a FIFO at `path` (`mkfifo`).
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}
