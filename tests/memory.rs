//! Peak memory of `inspect` through the real binary (`/usr/bin/time`): under
//! 32 MiB for a zip at the default `--max-members` of tiny members, for a
//! folder of many bundles, and whatever `--jobs` is (docs/performance.md).

use crate::support::*;

/// The documented bound.
const BOUND_KIB: u64 = 32 * 1024;

#[test]
fn a_zip_of_ten_thousand_tiny_members_stays_under_32_mib_at_any_jobs() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("tiny.zip");
    let files: Files = (0..10_000)
        .map(|i| (format!("note{i:05}.txt"), format!("n{i}").into_bytes()))
        .collect();
    zip(&p, &files);
    let p = p.to_string_lossy().to_string();
    for jobs in ["1", "2", "4", "64"] {
        let Some(peak) = peak_kib(&["--json", "inspect", "--jobs", jobs, &p]) else {
            return;
        };
        println!("--jobs {jobs}: {peak} KiB");
        assert!(peak < BOUND_KIB, "--jobs {jobs}: {peak} KiB");
    }
}

#[test]
fn memory_stays_flat_and_under_32_mib_with_the_number_of_bundles_at_any_jobs() {
    let d = tempfile::tempdir().unwrap();
    let mut set = sip812();
    // Firmware-sized members: whole-member buffers are used and reused,
    // and a member over the whole-member bound streams.
    set.push(("big.bin".into(), image_body("big", 3 << 20)));
    set.push(("mid.bin".into(), image_body("mid", 1 << 20)));
    set.push(("huge.bin".into(), image_body("huge", 5 << 20)));
    let one = d.path().join("one.zip");
    zip(&one, &set);
    let mut series = Vec::new();
    for n in [4, 64] {
        let dir = d.path().join(format!("n{n}"));
        std::fs::create_dir(&dir).unwrap();
        for i in 0..n {
            std::fs::hard_link(&one, dir.join(format!("b{i:03}.zip"))).unwrap();
        }
        let dir = dir.to_string_lossy().to_string();
        for jobs in ["2", "4", "64"] {
            let Some(peak) = peak_kib(&["--json", "inspect", "--jobs", jobs, &dir]) else {
                return;
            };
            println!("{n} bundles, --jobs {jobs}: {peak} KiB");
            series.push((n, jobs, peak));
        }
    }
    for &(n, jobs, peak) in &series {
        assert!(peak < BOUND_KIB, "{n} bundles, --jobs {jobs}: {peak} KiB");
    }
    // Sixteen times the bundles: the same threads and buffers, no growth
    // beyond the reports themselves (a few KiB a bundle).
    for (few, many) in series[..3].iter().zip(&series[3..]) {
        assert!(many.2 < few.2 + 4 * 1024, "{few:?} -> {many:?}");
    }
}

/// A gzip stream of a million empty members between the two halves of a
/// tar (20 MB): each member's trailer is checked as it comes, and memory
/// stays flat (it grew about 32 bytes a member before, 43 MB here).
#[test]
fn a_tar_gz_of_a_million_empty_gzip_members_stays_under_32_mib() {
    use std::io::Write;
    let tar = tar_bytes(&sip812());
    let empty = gz(b"");
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("empties.tar.gz");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    f.write_all(&gz(&tar[..512])).unwrap();
    for _ in 0..1_000_000 {
        f.write_all(&empty).unwrap();
    }
    f.write_all(&gz(&tar[512..])).unwrap();
    drop(f);
    let p = p.to_string_lossy().to_string();
    let Some(peak) = peak_kib(&["--json", "inspect", &p]) else {
        return;
    };
    println!("a million empty members: {peak} KiB");
    assert!(peak < BOUND_KIB, "{peak} KiB");
}
