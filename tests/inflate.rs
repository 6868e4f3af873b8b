//! Zip members inflated whole (libdeflate) and streamed (zlib-rs) give the
//! same `inspect` JSON and exit code, byte for byte, over the hostile
//! corpus, damaged deflate data, members on both sides of the whole-member
//! bound, and the real firmware when `../shared/realworld/` is there.
//! `LOADSMITH_INFLATE=stream` selects the streaming path (docs/performance.md).

use std::path::Path;

use crate::support::*;

/// `loadsmith --json inspect ARGS` through each path: (stdout, exit code).
fn through_both(args: &[&str]) -> [(Vec<u8>, i32); 2] {
    let run = |stream: bool| {
        let mut c = loadsmith();
        if stream {
            c.env("LOADSMITH_INFLATE", "stream");
        } else {
            c.env_remove("LOADSMITH_INFLATE");
        }
        let out = c.arg("--json").arg("inspect").args(args).output().unwrap();
        (out.stdout, out.status.code().unwrap_or(-1))
    };
    [run(false), run(true)]
}

/// A deflated zip of `files` with one byte of `member`'s compressed data
/// flipped in its middle.
fn damaged(dir: &Path, files: &Files, member: &str) -> Vec<u8> {
    let p = dir.join("ok.zip");
    zip(&p, files);
    let mut z = std::fs::read(&p).unwrap();
    let at = z
        .windows(member.len())
        .position(|w| w == member.as_bytes())
        .unwrap();
    let size = files.iter().find(|(n, _)| n == member).unwrap().1.len();
    z[at + member.len() + size / 8] ^= 0x55;
    z
}

#[test]
fn whole_member_and_streaming_inflate_give_the_same_json() {
    let d = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, Vec<u8>, &[&str])> = crate::hostile::bundles()
        .into_iter()
        .map(|(f, b, flags)| (f.to_string(), b, flags))
        .collect();
    let set = sip812();
    let big = sip79("8-12-00");
    let mut sizes: Files = set.clone();
    // Both sides of the 4 MiB whole-member bound, compressible.
    sizes.push(("big.bin".into(), image_body("big", 5 << 20)));
    sizes.push(("mid.bin".into(), image_body("mid", 1 << 20)));
    let p = d.path().join("sizes.zip");
    zip(&p, &sizes);
    cases.push(("sizes.zip".into(), std::fs::read(&p).unwrap(), &[]));
    for (n, _) in big.iter().filter(|(_, b)| b.len() > 4096).take(3) {
        cases.push((format!("damaged-{n}.zip"), damaged(d.path(), &big, n), &[]));
    }
    if let Some(real) = realworld("sip-7941-7961-8.5.4") {
        let p = d.path().join("real.zip");
        zip(&p, &real);
        cases.push(("real.zip".into(), std::fs::read(&p).unwrap(), &[]));
    }
    let all = d.path().join("all");
    std::fs::create_dir(&all).unwrap();
    let mut differ = Vec::new();
    for (file, bytes, flags) in &cases {
        let path = all.join(file);
        std::fs::write(&path, bytes).unwrap();
        // One thread: on several, which member passes a whole-bundle limit
        // first is a race, on either path.
        let mut args: Vec<&str> = vec!["--jobs", "1"];
        args.extend_from_slice(flags);
        let p = path.to_string_lossy().to_string();
        args.push(&p);
        let [whole, stream] = through_both(&args);
        if whole != stream {
            let (a, b) = (
                String::from_utf8_lossy(&whole.0),
                String::from_utf8_lossy(&stream.0),
            );
            let first = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            differ.push(format!(
                "{file} (exit {} / {}): {first:?}",
                whole.1, stream.1
            ));
        }
    }
    assert!(differ.is_empty(), "the two paths differ on {differ:?}");
    // The plain zips together, on several threads each way.
    let folder = d.path().join("plain");
    std::fs::create_dir(&folder).unwrap();
    for (file, bytes, flags) in &cases {
        if flags.is_empty() && file.ends_with(".zip") {
            std::fs::write(folder.join(file), bytes).unwrap();
        }
    }
    let f = folder.to_string_lossy().to_string();
    let [whole, stream] = through_both(&["--jobs", "3", &f]);
    assert_eq!(whole.1, stream.1);
    assert!(whole.0 == stream.0, "the two paths differ on the folder");
    assert!(
        String::from_utf8_lossy(&whole.0).contains("\"sha256\""),
        "the folder was read"
    );
}

/// The SHA-256 `inspect` gives each bundle of `doc`, by file name.
fn bundle_digests(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["bundles"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|b| {
                    let path = b["path"].as_str().unwrap_or_default();
                    let name = path.rsplit('/').next().unwrap_or_default().to_string();
                    (name, b["sha256"].as_str().unwrap_or("null").to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_bundle_digest_comes_from_the_bytes_read_and_is_the_files() {
    use sha2::Digest;
    let d = tempfile::tempdir().unwrap();
    let all = d.path().join("all");
    std::fs::create_dir(&all).unwrap();
    let mut cases: Vec<(String, Vec<u8>, &[&str])> = crate::hostile::bundles()
        .into_iter()
        .map(|(f, b, flags)| (f.to_string(), b, flags))
        .collect();
    // Members on both sides of the whole-member bound, read on several
    // threads; the same set as a gzip tar and a signed one.
    let mut sizes: Files = sip812();
    sizes.push(("big.bin".into(), image_body("big", 5 << 20)));
    for k in 0..6 {
        sizes.push((format!("mid{k}.bin"), image_body("mid", (k + 1) << 19)));
    }
    let p = d.path().join("sizes.zip");
    zip(&p, &sizes);
    cases.push(("sizes.zip".into(), std::fs::read(&p).unwrap(), &[]));
    let p = d.path().join("sizes.cop");
    cop(&p, &sizes);
    cases.push(("sizes.cop".into(), std::fs::read(&p).unwrap(), &[]));
    let p = d.path().join("sizes.cop.sgn");
    cop_sgn(&p, &sizes);
    cases.push(("sizes.cop.sgn".into(), std::fs::read(&p).unwrap(), &[]));
    let mut wrong = Vec::new();
    for (file, bytes, flags) in &cases {
        let path = all.join(file);
        std::fs::write(&path, bytes).unwrap();
        let want = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        for jobs in ["1", "2", "4"] {
            let out = loadsmith()
                .args(["--json", "inspect", "--jobs", jobs])
                .args(*flags)
                .arg(&path)
                .output()
                .unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            for (name, got) in bundle_digests(&doc) {
                if got != want {
                    wrong.push(format!("{name} --jobs {jobs}: {got}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "digests differ from sha256sum: {wrong:?}");
    // All of them as one folder: one bundle per thread.
    let out = loadsmith()
        .args(["--json", "inspect", "--jobs", "3"])
        .arg(&all)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = bundle_digests(&doc);
    assert!(got.len() >= cases.len() / 2, "{} bundles read", got.len());
    for (name, digest) in got {
        let bytes = std::fs::read(all.join(&name)).unwrap();
        let want: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, want, "{name} in a folder");
    }
}
