//! Round 2 of the hostile corpus (issue "Hostile input, round 2"): bundles
//! that passed every limit or were read under a name other tools would not
//! use. Each joins the corpus of `hostile.rs`, so each is named by its
//! finding and staging from it leaves the root byte-identical.

use std::io::Write;

use super::{Case, case, stored_zip_bytes, zip_bytes};
use crate::support::*;
use flate2::Compression;
use flate2::write::GzEncoder;

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

/// Where the central directory starts and the end record is.
fn end_record(z: &[u8]) -> (usize, usize) {
    let eocd = z.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let cd = u32::from_le_bytes(z[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    (cd, eocd)
}

/// An overlapping-entry bomb: one small deflated block of `len` zeros, and
/// `copies` central entries that all point at it under other names (each
/// under the ratio floor, together gigabytes).
pub fn overlapping_bomb(copies: usize, len: usize) -> Vec<u8> {
    let z = zip_bytes(&vec![("z00000.bin".into(), vec![0u8; len])]);
    let (cd, eocd) = end_record(&z);
    let entry = z[cd..eocd].to_vec();
    let mut out = z[..cd].to_vec();
    for i in 0..copies {
        let mut e = entry.clone();
        let name = format!("z{i:05}.bin");
        let at = 46;
        e[at..at + name.len()].copy_from_slice(name.as_bytes());
        out.extend_from_slice(&e);
    }
    let size = (entry.len() * copies) as u32;
    let mut end = z[eocd..].to_vec();
    end[8..10].copy_from_slice(&(copies as u16).to_le_bytes());
    end[10..12].copy_from_slice(&(copies as u16).to_le_bytes());
    end[12..16].copy_from_slice(&size.to_le_bytes());
    end[16..20].copy_from_slice(&(cd as u32).to_le_bytes());
    out.extend_from_slice(&end);
    out
}

/// A set whose local header names the `.sb2` otherwise than its central entry.
fn local_name_differs() -> Vec<u8> {
    let mut z = stored_zip_bytes(&sip812());
    let name = b"P0S3-8-12-00.sb2";
    let at = (0..z.len() - 46)
        .find(|&p| &z[p..p + 4] == b"PK\x03\x04" && &z[p + 30..p + 30 + name.len()] == name)
        .unwrap()
        + 30;
    z[at..at + name.len()].copy_from_slice(b"../../../../evil");
    z
}

/// The OS79XX.TXT member's central entry declares 100 bytes more than it has.
fn shorter_than_declared() -> Vec<u8> {
    let mut z = stored_zip_bytes(&sip812());
    let (cd, eocd) = end_record(&z);
    let mut i = cd;
    while i < eocd {
        let (n, x, c) = (u16_at(&z, i + 28), u16_at(&z, i + 30), u16_at(&z, i + 32));
        if &z[i + 46..i + 46 + n] == b"OS79XX.TXT" {
            let size = u32::from_le_bytes(z[i + 24..i + 28].try_into().unwrap()) + 100;
            z[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
        i += 46 + n + x + c;
    }
    z
}

/// A tar.gz of the set followed, inside the gzip stream, by `zeros` zero bytes.
pub fn zeros_after_the_end(zeros: usize) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(&tar_bytes(&sip812())).unwrap();
    let block = vec![0u8; 1 << 20];
    for _ in 0..zeros >> 20 {
        e.write_all(&block).unwrap();
    }
    e.finish().unwrap()
}

/// A tar whose `.sb2` has a safe PAX path but a ustar name that climbs out.
fn pax_hides_ustar_name() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (n, data) in sip812() {
        if n.ends_with(".sb2") {
            b.append_pax_extensions([("path", n.as_bytes())]).unwrap();
            let mut h = tar::Header::new_ustar();
            h.as_ustar_mut().unwrap().name[..17].copy_from_slice(b"../../../evil.sb2");
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append(&h, &data[..]).unwrap();
        } else {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, &n, &data[..]).unwrap();
        }
    }
    gz(&b.into_inner().unwrap())
}

/// A tar.gz of the set with `SIPDefault.cnf` hidden after the end marker.
fn hidden_after_the_end() -> Vec<u8> {
    let mut t = tar_bytes(&sip812());
    t.extend(tar_bytes(&vec![(
        "SIPDefault.cnf".into(),
        b"image_version: EVIL\n".to_vec(),
    )]));
    gz(&t)
}

/// The SIP 8.12 set whose `.loads` also lists `name`, which the bundle holds.
pub fn loads_listing(name: &str, data: &[u8]) -> Files {
    let mut f: Files = sip812()
        .into_iter()
        .map(|(n, b)| {
            if n.ends_with(".loads") {
                let body =
                    format!("P003-8-12-00.sbn\nP0S3-8-12-00.sb2\n{name}\nLA_VERSION=PAS30830\n");
                (n.clone(), signed(&n, body.as_bytes()))
            } else {
                (n, b)
            }
        })
        .collect();
    f.push((name.to_string(), data.to_vec()));
    f
}

/// Many separate members of zeros, each under the ratio floor (and so under
/// every per-member limit), together a bomb.
fn many_small_bombs(members: usize) -> Vec<u8> {
    let zeros = vec![0u8; 900 << 10];
    let mut f = sip812();
    for i in 0..members {
        f.push((format!("note{i:04}.txt"), zeros.clone()));
    }
    zip_bytes(&f)
}

/// The round-2 cases.
pub fn corpus() -> Vec<Case> {
    vec![
        case(
            "overlapping-entry zip bomb (2000 entries on one block of 900 KB zeros)",
            "overlap.zip",
            overlapping_bomb(2000, 900 << 10),
            "overlapping-members",
        ),
        case(
            "600 separate members of 900 KB zeros (540 MB from half a MB)",
            "many.zip",
            many_small_bombs(600),
            "limit-exceeded",
        ),
        case(
            "256 MiB of zeros after the tar's end, inside the gzip stream",
            "drain.cop",
            zeros_after_the_end(256 << 20),
            "limit-exceeded",
        ),
        case(
            "local header names ../../../../evil, central entry names the .sb2",
            "local.zip",
            local_name_differs(),
            "name-mismatch",
        ),
        case(
            "ustar name climbs out behind a safe PAX path",
            "pax.cop",
            pax_hides_ustar_name(),
            "name-mismatch",
        ),
        case(
            "a member hidden after the end-of-archive marker",
            "hidden.cop",
            hidden_after_the_end(),
            "corrupt",
        ),
        case(
            "a member shorter than its central directory declares",
            "short.zip",
            shorter_than_declared(),
            "corrupt",
        ),
        case(
            "a .loads that lists SIPDefault.cnf, which the bundle holds",
            "cnf.zip",
            zip_bytes(&loads_listing("SIPDefault.cnf", b"image_version: EVIL\n")),
            "not-firmware-in-set",
        ),
        case(
            "a .loads that lists SIP<MAC>.cnf, which the bundle holds",
            "mac.zip",
            zip_bytes(&loads_listing(
                "SIP0011BB73AD61.cnf",
                b"image_version: EVIL\n",
            )),
            "not-firmware-in-set",
        ),
        case(
            "a .loads that lists XMLDefault.cnf.xml, which the bundle holds",
            "xml.zip",
            zip_bytes(&loads_listing(
                "XMLDefault.cnf.xml",
                b"<Default><loadInformation7>EVIL</loadInformation7></Default>",
            )),
            "not-firmware-in-set",
        ),
    ]
}

/// Peak memory (KiB) of `loadsmith ARGS`, by `/usr/bin/time`; `None` when it
/// is not installed (`.ci/run` installs it).
fn peak_kib(args: &[&str]) -> Option<u64> {
    if !std::path::Path::new("/usr/bin/time").exists() {
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("loadsmith");
    let out = std::process::Command::new("/usr/bin/time")
        .arg("-f")
        .arg("PEAK %M")
        .arg(bin)
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .find_map(|l| l.strip_prefix("PEAK "))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn memory_does_not_grow_with_jobs() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("many.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..60_000 {
        z.start_file(format!("release-note-{i:06}.txt"), opts)
            .unwrap();
    }
    z.finish().unwrap();
    let p = p.to_string_lossy().to_string();
    let run = |jobs: &str| peak_kib(&["inspect", "--max-members", "100000", "--jobs", jobs, &p]);
    let (Some(one), Some(two), Some(eight)) = (run("1"), run("2"), run("8")) else {
        println!("SKIPPED memory_does_not_grow_with_jobs: /usr/bin/time is not installed");
        return;
    };
    println!("peak memory: --jobs 1 {one} KiB, --jobs 2 {two} KiB, --jobs 8 {eight} KiB");
    // Six more threads add their stacks and read buffers (well under 1 MiB
    // each), not six more central directories (some 15 MiB each here).
    assert!(
        eight < two + 8 * 1024,
        "--jobs 2: {two} KiB, --jobs 8: {eight} KiB"
    );
    // Reading in parallel keeps each member's report once more while the
    // slots are merged: bounded by the reports, not by the jobs.
    assert!(
        two < one + one / 2,
        "--jobs 1: {one} KiB, --jobs 2: {two} KiB"
    );
    // A directory over --max-members is refused before it is materialised.
    let small = peak_kib(&["inspect", "--max-members", "1000", "--jobs", "8", &p]).unwrap();
    assert!(small < one, "refused: {small} KiB, read: {one} KiB");
}

#[test]
fn a_git_archive_tarball_stages() {
    // `git archive` starts with a PAX global header: metadata, not a member.
    let mut b = tar::Builder::new(Vec::new());
    let mut g = tar::Header::new_ustar();
    g.set_entry_type(tar::EntryType::XGlobalHeader);
    let comment = b"52 comment=0123456789abcdef0123456789abcdef01234567\n";
    g.set_size(comment.len() as u64);
    g.set_cksum();
    b.append_data(&mut g, "pax_global_header", &comment[..])
        .unwrap();
    for (n, data) in sip812() {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("fw/{n}"), &data[..]).unwrap();
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("git-archive.tar.gz");
    std::fs::write(&p, gz(&b.into_inner().unwrap())).unwrap();
    let p = p.to_string_lossy().to_string();
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 0, "{doc}");
    assert!(finding(&doc, 0, "link-member").is_none(), "{doc}");
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from", &p])
        .arg(&root)
        .assert()
        .code(0);
    assert!(root.join("P0S3-8-12-00.sb2").is_file());
}

#[test]
fn a_cop_sgn_with_the_longest_signed_header_is_read() {
    // Tag 02 says 65,535 bytes; the rest of the header is padding (0x0D).
    let name = "cmterm-7940-sip.8-12-00.cop.sgn";
    let mut h = loadsmith::signed::header::build(name);
    h[8..10].copy_from_slice(&0xFFFFu16.to_be_bytes());
    h.resize(0xFFFF, 0x0D);
    h.extend(gz(&tar_bytes(&sip812())));
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, h).unwrap();
    let (doc, code) = json(&["inspect", &p.to_string_lossy()]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["bundles"][0]["format"], "cop.sgn", "{doc}");
    assert_eq!(doc["bundles"][0]["sets"][0]["complete"], true, "{doc}");
}

#[test]
fn loose_files_in_a_folder_are_read_within_the_limits() {
    let d = tempfile::tempdir().unwrap();
    for (n, b) in sip812() {
        std::fs::write(d.path().join(n), b).unwrap();
    }
    let p = d.path().to_string_lossy().to_string();
    let (doc, code) = json(&["inspect", "--max-member-size", "4K", &p]);
    assert_eq!(code, 1, "{doc}");
    let f = finding(&doc, 0, "limit-exceeded").unwrap();
    assert!(
        f["message"].as_str().unwrap().contains("--max-member-size"),
        "{f}"
    );
    let (doc, code) = json(&["inspect", "--max-total-size", "8K", &p]);
    assert_eq!(code, 1, "{doc}");
    let f = finding(&doc, 0, "limit-exceeded").unwrap();
    assert!(
        f["message"].as_str().unwrap().contains("--max-total-size"),
        "{f}"
    );
    let (doc, code) = json(&["inspect", &p]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn link_member_messages_show_names_as_stored() {
    let bytes = tar_with(|b| {
        special(
            b,
            tar::EntryType::Symlink,
            "SIPDefault.cnf",
            Some("P0S3-8-12-00.loads"),
        )
    });
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("links.cop");
    std::fs::write(&p, gz(&bytes)).unwrap();
    let (doc, _) = json(&["inspect", &p.to_string_lossy()]);
    let f = finding(&doc, 0, "link-member").unwrap();
    let m = f["message"].as_str().unwrap();
    assert!(
        m.contains("SIPDefault.cnf → P0S3-8-12-00.loads: a symlink"),
        "{m}"
    );
}

#[test]
fn refusals_print_one_error_per_line_and_escape_every_path() {
    let d = tempfile::tempdir().unwrap();
    // A bundle with errors, whose file name carries a terminal escape.
    let p = d.path().join("evil\x1b[31m.zip");
    std::fs::write(&p, zip_bytes(&loads_listing("SIPDefault.cnf", b"x"))).unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let out = loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from"])
        .arg(&p)
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains('\x1b'), "raw escape: {err:?}");
    assert!(!err.contains("\\u{a}"), "escaped line break: {err}");
    let hint = err.lines().find(|l| l.starts_with("hint:")).unwrap();
    assert!(hint.contains("evil\\u{1b}[31m.zip"), "{hint}");
    let detail = err
        .lines()
        .find(|l| l.starts_with("  not-firmware-in-set: "))
        .unwrap_or_else(|| panic!("no detail line: {err}"));
    assert!(detail.contains("SIPDefault.cnf"), "{detail}");
}
