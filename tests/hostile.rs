//! The hostile corpus (docs/security.md): bundles damaged or crafted to make
//! loadsmith write outside the root, follow links, hang, blow up memory or
//! print escape sequences. Each must give its finding (exit 1) or error
//! (exit 2), and `stage` from it must leave the root without one byte more.
mod roots;
mod round2;
mod round3_bounds;
mod round3_paths;
mod round3_paths2;
mod round3_pointers;
mod round3_text;
mod round3_timing;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One hostile bundle and what `inspect` must say of it.
struct Case {
    what: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    /// The finding code expected (exit 1), or `None` for an error (exit 2).
    code: Option<&'static str>,
    /// Extra `inspect`/`stage` flags (tight limits).
    flags: &'static [&'static str],
}

fn case(what: &'static str, file: &'static str, bytes: Vec<u8>, code: &'static str) -> Case {
    Case {
        what,
        file,
        bytes,
        code: Some(code),
        flags: &[],
    }
}

fn zip_bytes(files: &Files) -> Vec<u8> {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("z.zip");
    zip(&p, files);
    std::fs::read(p).unwrap()
}

fn stored_zip_bytes(files: &Files) -> Vec<u8> {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("z.zip");
    zip_with(&p, files, CompressionMethod::Stored, None);
    std::fs::read(p).unwrap()
}

/// The SIP 8.12 set plus one more member.
fn with(name: &str, data: &[u8]) -> Files {
    let mut f = sip812();
    f.push((name.to_string(), data.to_vec()));
    f
}

/// Replaces every occurrence of `from` by `to` (same length) in `bytes`.
fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    let mut hits = 0;
    while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
        bytes[i + at..i + at + to.len()].copy_from_slice(to);
        i += at + to.len();
        hits += 1;
    }
    assert!(hits > 0, "nothing to patch");
    bytes
}

/// A tar member whose stored name is the raw bytes given.
fn raw_name(b: &mut tar::Builder<Vec<u8>>, name: &[u8], data: &[u8]) {
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data).unwrap();
}

/// A zip whose one member `name` holds `len` zero bytes, deflated (about 1000:1).
fn zip_bomb(name: &str, len: usize) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = ZipWriter::new(&mut out);
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(false);
    for (n, data) in sip812() {
        z.start_file(n, opts).unwrap();
        z.write_all(&data).unwrap();
    }
    z.start_file(name, opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..len >> 20 {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// A zip nested `depth` times in zips, no firmware anywhere.
fn nested_zips(depth: usize) -> Vec<u8> {
    let mut inner = zip_bytes(&vec![("core.zip".into(), b"PK\x05\x06".to_vec())]);
    for i in 0..depth {
        inner = zip_bytes(&vec![(format!("level{i}.zip"), inner)]);
    }
    inner
}

/// A .cop holding a .cop holding a .cop…, no firmware anywhere.
fn nested_cops(depth: usize) -> Vec<u8> {
    let mut inner = gz(&tar_bytes(&vec![("end.txt".into(), b"x".to_vec())]));
    for i in 0..depth {
        inner = gz(&tar_bytes(&vec![(format!("level{i}.cop"), inner)]));
    }
    inner
}

/// A signed header whose own length field points past the end of the file.
fn header_past_end(name: &str) -> Vec<u8> {
    let mut h = loadsmith::signed::header::build(name);
    h[8] = 0x7F;
    h[9] = 0xFF;
    h
}

/// A signed header whose first TLV claims more bytes than there are.
fn tlv_past_end(name: &str, body: &[u8]) -> Vec<u8> {
    let mut v = signed(name, body);
    // The first TLV (tag 03) starts at offset 10; its length is at 11..13.
    v[11] = 0xFF;
    v[12] = 0xF0;
    v
}

/// A 79x1 component whose CNU table claims entries of 4 GiB each.
fn cnu_overflow() -> Files {
    let mut files = sccp41();
    let i = files
        .iter()
        .position(|(n, _)| n.starts_with("apps41"))
        .unwrap();
    let name = files[i].0.clone();
    let mut body = loadsmith::signed::cnu::build(&[("a.bin", b"xx"), ("b.bin", b"yy")]);
    // Entry sizes (table at 0x248, 20 bytes an entry, size at +8) to u32::MAX.
    for e in 0..2 {
        let at = 0x248 + 20 * e + 8;
        body[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    }
    files[i].1 = signed(&name, &body);
    files
}

/// A zip whose central directory declares a member far smaller than its data.
fn lying_central_directory() -> Vec<u8> {
    let big = image_body("P0S3-8-12-00", 200_000);
    let mut files = sip812();
    let i = files
        .iter()
        .position(|(n, _)| n == "P0S3-8-12-00.sb2")
        .unwrap();
    files[i].1 = signed("P0S3-8-12-00.sb2", &big);
    let real = files[i].1.len() as u32;
    let mut z = zip_bytes(&files);
    // Central-directory entries: "PK\1\2", uncompressed size at +24.
    let mut at = 0;
    while let Some(p) = z[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let e = at + p;
        let size = u32::from_le_bytes(z[e + 24..e + 28].try_into().unwrap());
        if size == real {
            z[e + 24..e + 28].copy_from_slice(&100u32.to_le_bytes());
        }
        at = e + 4;
    }
    z
}

fn corpus() -> Vec<Case> {
    let set = sip812();
    let whole = zip_bytes(&set);
    let gzipped = gz(&tar_bytes(&set));
    let mut crc = stored_zip_bytes(&set);
    let at = crc.windows(12).position(|w| w == b"P0S3-8-12-00").unwrap() + 2000;
    crc[at] ^= 0xFF;
    let mut many = sip812();
    for i in 0..60 {
        many.push((format!("note{i:02}.txt"), b"n".to_vec()));
    }
    let mut million = String::with_capacity(12_000_000);
    for i in 0..1_000_000 {
        million.push_str(&format!("P0S3-{i}.sbn\n"));
    }
    vec![
        case(
            "zip-slip ../",
            "slip.zip",
            zip_bytes(&with("../../etc/cron.d/evil", b"x")),
            "unsafe-path",
        ),
        case(
            "absolute name",
            "abs.zip",
            zip_bytes(&with("/etc/evil.sbn", b"x")),
            "unsafe-path",
        ),
        case(
            "backslash name",
            "bs.zip",
            zip_bytes(&with("..\\..\\evil.sbn", b"x")),
            "unsafe-path",
        ),
        case(
            "drive letter",
            "drive.zip",
            zip_bytes(&with("C:/Windows/evil.sbn", b"x")),
            "unsafe-path",
        ),
        case(
            "symlink in a zip named as a set file",
            "link.zip",
            {
                let mut out = std::io::Cursor::new(Vec::new());
                let mut z = ZipWriter::new(&mut out);
                for (n, data) in sip812() {
                    z.start_file(n, SimpleFileOptions::default()).unwrap();
                    z.write_all(&data).unwrap();
                }
                z.add_symlink(
                    "SIPDefault.cnf",
                    "/etc/passwd",
                    SimpleFileOptions::default(),
                )
                .unwrap();
                z.finish().unwrap();
                out.into_inner()
            },
            "link-member",
        ),
        case(
            "symlink out in a tar",
            "symlink.tar",
            tar_with(|b| {
                special(
                    b,
                    tar::EntryType::Symlink,
                    "SIPDefault.cnf",
                    Some("/etc/passwd"),
                )
            }),
            "link-member",
        ),
        case(
            "hard link out in a tar",
            "hardlink.tar",
            tar_with(|b| {
                special(
                    b,
                    tar::EntryType::Link,
                    "XMLDefault.cnf.xml",
                    Some("/etc/shadow"),
                )
            }),
            "link-member",
        ),
        case(
            "character device in a tar",
            "device.tar",
            tar_with(|b| special(b, tar::EntryType::Char, "null", None)),
            "link-member",
        ),
        case(
            "FIFO in a tar",
            "fifo.tar",
            tar_with(|b| special(b, tar::EntryType::Fifo, "pipe", None)),
            "link-member",
        ),
        case(
            "duplicate names",
            "dup.zip",
            patch(
                zip_bytes(&with("P0S3-8-12-00.sbX", b"other bytes")),
                b"P0S3-8-12-00.sbX",
                b"P0S3-8-12-00.sb2",
            ),
            "duplicate-member",
        ),
        case(
            "case-colliding names",
            "case.zip",
            zip_bytes(&with("p0s3-8-12-00.SB2", b"other bytes")),
            "duplicate-member",
        ),
        case(
            "1000:1 zip bomb",
            "bomb.zip",
            zip_bomb("P0S3-8-12-00.bin", 64 << 20),
            "limit-exceeded",
        ),
        case(
            "gzip bomb in a .cop",
            "bomb.cop",
            gz(&tar_bytes(&with("zeros.bin", &vec![0u8; 48 << 20]))),
            "limit-exceeded",
        ),
        case(
            "lying central directory",
            "liar.zip",
            lying_central_directory(),
            "corrupt",
        ),
        case(
            "truncated zip",
            "cut.zip",
            whole[..whole.len() * 2 / 3].to_vec(),
            "truncated",
        ),
        case(
            "truncated gzip",
            "cut.cop",
            gzipped[..gzipped.len() / 2].to_vec(),
            "truncated",
        ),
        case("CRC mismatch", "crc.zip", crc, "crc-mismatch"),
        case(
            ".cop.sgn whose header length points past the end",
            "broken.cop.sgn",
            header_past_end("broken.cop.sgn"),
            "truncated",
        ),
        case(
            "signed header lengths past the end",
            "tlv.zip",
            zip_bytes(&{
                let mut f = sip812();
                f[4].1 = tlv_past_end("P0S3-8-12-00.sb2", b"body");
                f
            }),
            "bad-header",
        ),
        case(
            "zips nested 40 deep",
            "nested.zip",
            nested_zips(40),
            "no-firmware",
        ),
        case(
            ".cop nested 40 deep",
            "nested.cop",
            nested_cops(40),
            "no-firmware",
        ),
        case(
            ".loads of a million lines",
            "million.zip",
            zip_bytes(&vec![(
                "P0S3-8-12-00.loads".into(),
                signed("P0S3-8-12-00.loads", million.as_bytes()),
            )]),
            "bad-loads",
        ),
        case(
            "CNU table whose sizes overflow",
            "cnu.cop",
            gz(&tar_bytes(&cnu_overflow())),
            "truncated",
        ),
        case(
            "non-UTF-8 name in a tar",
            "latin1.tar",
            tar_with(|b| raw_name(b, b"P0S3-8-12-00\xff.sb2", b"x")),
            "unsafe-path",
        ),
        case(
            "non-UTF-8 name in a zip",
            "latin1.zip",
            patch(
                zip_bytes(&with("P0S3-8-12-00-X.sb2", b"x")),
                b"-X.sb2",
                b"-\xff.sb2",
            ),
            "unsafe-path",
        ),
        case(
            "terminal escapes in a name",
            "escape.zip",
            zip_bytes(&with("\u{1b}]2;owned\u{7}\u{1b}[2J.sbn", b"x")),
            "unsafe-path",
        ),
        case(
            "a name of 5000 bytes",
            "long.tar",
            tar_with(|b| {
                let mut h = tar::Header::new_gnu();
                h.set_size(1);
                h.set_mode(0o644);
                b.append_data(&mut h, "a".repeat(5000), &b"x"[..]).unwrap();
            }),
            "limit-exceeded",
        ),
        Case {
            flags: &["--max-members", "50"],
            ..case(
                "more members than --max-members",
                "many.zip",
                zip_bytes(&many),
                "limit-exceeded",
            )
        },
        Case {
            flags: &["--max-member-size", "4K"],
            ..case(
                "a member over --max-member-size",
                "size.zip",
                zip_bytes(&set),
                "limit-exceeded",
            )
        },
        Case {
            flags: &["--max-total-size", "8K"],
            ..case(
                "more in all than --max-total-size",
                "total.cop",
                gzipped.clone(),
                "limit-exceeded",
            )
        },
        Case {
            what: "an empty file named .zip",
            file: "empty.zip",
            bytes: Vec::new(),
            code: None,
            flags: &[],
        },
        Case {
            what: "random bytes named .cop",
            file: "noise.cop",
            bytes: (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            code: None,
            flags: &[],
        },
    ]
}

/// Every path under `dir`, with its bytes (folders as `None`).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p.clone());
                out.push((p, None));
            } else {
                out.push((p.clone(), Some(std::fs::read(&p).unwrap())));
            }
        }
    }
    out.sort();
    out
}

/// Every hostile bundle as (file name, bytes, flags), for suites that read
/// them another way (`inflate.rs` reads them through both inflate paths).
pub(crate) fn bundles() -> Vec<(&'static str, Vec<u8>, &'static [&'static str])> {
    let mut cases = corpus();
    cases.extend(round2::corpus());
    cases
        .into_iter()
        .map(|c| (c.file, c.bytes, c.flags))
        .collect()
}

#[test]
fn every_hostile_bundle_is_named_and_stages_nothing() {
    let mut cases = corpus();
    cases.extend(round2::corpus());
    assert!(cases.len() >= 25, "the corpus has {} bundles", cases.len());
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    // A root already serving a set: nothing of it may change.
    std::fs::write(
        root.join("SIPDefault.cnf"),
        b"image_version: P0S3-8-11-00\n",
    )
    .unwrap();
    std::fs::write(root.join("OS79XX.TXT"), b"P0S3-8-11-00\r\n").unwrap();
    let outside = d.path().join("etc");
    std::fs::create_dir(&outside).unwrap();
    let before_root = snapshot(&root);
    let mut failures = Vec::new();
    for c in &cases {
        let path = d.path().join(c.file);
        std::fs::write(&path, &c.bytes).unwrap();
        let p = path.to_string_lossy().to_string();
        let mut args = vec!["inspect"];
        args.extend_from_slice(c.flags);
        args.push(&p);
        let out = loadsmith().arg("--json").args(&args).output().unwrap();
        let code = out.status.code();
        match c.code {
            Some(want) => {
                let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let got = codes(&doc, 0);
                if code != Some(1) || !got.iter().any(|g| g == want) {
                    failures.push(format!(
                        "{}: exit {code:?}, codes {got:?}, wanted {want}",
                        c.what
                    ));
                }
            }
            None => {
                if code != Some(2) {
                    failures.push(format!("{}: exit {code:?}, wanted 2", c.what));
                }
            }
        }
        // Human output carries no raw control characters.
        let human = loadsmith().args(&args).output().unwrap();
        let text = [human.stdout, human.stderr].concat();
        if text.iter().any(|&b| b == 0x1b || b == 0x07) {
            failures.push(format!("{}: raw escape characters in human output", c.what));
        }
        // Stage from it: refused, and the root (and all around it) unchanged.
        let r = root.to_string_lossy().to_string();
        let mut args = vec!["stage", "--target", "P0S3-8-12-00", "--from", &p];
        args.extend_from_slice(c.flags);
        args.push(&r);
        let st = loadsmith().args(&args).output().unwrap();
        if !matches!(st.status.code(), Some(1 | 2)) {
            failures.push(format!("{}: stage exited {:?}", c.what, st.status.code()));
        }
        if snapshot(&root) != before_root {
            failures.push(format!("{}: stage changed the root", c.what));
        }
        if std::fs::read_dir(&outside).unwrap().next().is_some() {
            failures.push(format!(
                "{}: something was written outside the root",
                c.what
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn limits_are_raised_by_their_flags() {
    let d = tempfile::tempdir().unwrap();
    let mut many = sip812();
    for i in 0..60 {
        many.push((format!("note{i:02}.txt"), b"n".to_vec()));
    }
    let p = d.path().join("many.zip");
    zip(&p, &many);
    let p = p.to_string_lossy().to_string();
    let (doc, code) = json(&["inspect", "--max-members", "50", &p]);
    assert_eq!(code, 1);
    let f = finding(&doc, 0, "limit-exceeded").unwrap();
    assert!(
        f["message"].as_str().unwrap().contains("--max-members"),
        "{f}"
    );
    let (doc, code) = json(&["inspect", "--max-members", "100", &p]);
    assert_eq!(code, 0, "{doc}");
    // The bomb passes when the ratio is raised past it (and is then read whole).
    let bomb = d.path().join("bomb.zip");
    std::fs::write(&bomb, zip_bomb("P0S3-8-12-00.bin", 8 << 20)).unwrap();
    let b = bomb.to_string_lossy().to_string();
    let (doc, _) = json(&["inspect", &b]);
    let f = finding(&doc, 0, "limit-exceeded").unwrap();
    assert!(
        f["message"].as_str().unwrap().contains("--max-ratio"),
        "{f}"
    );
    let (doc, _) = json(&["inspect", "--max-ratio", "2000", &b]);
    assert!(finding(&doc, 0, "limit-exceeded").is_none(), "{doc}");
}
