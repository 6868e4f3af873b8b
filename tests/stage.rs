//! `loadsmith stage` and `loadsmith check` through the real binary, on roots built here.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;
use predicates::prelude::*;
use tempfile::TempDir;

/// Every file under `dir` (relative path → bytes), hidden state included.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walk(dir) {
        out.insert(
            e.strip_prefix(dir).unwrap().to_string_lossy().to_string(),
            std::fs::read(&e).unwrap(),
        );
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            v.extend(walk(&e.path()));
        } else {
            v.push(e.path());
        }
    }
    v.sort();
    v
}

struct Env {
    d: TempDir,
}

impl Env {
    fn new() -> Env {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("fw")).unwrap();
        std::fs::create_dir(d.path().join("root")).unwrap();
        Env { d }
    }
    fn fw(&self, name: &str) -> String {
        self.d
            .path()
            .join("fw")
            .join(name)
            .to_string_lossy()
            .to_string()
    }
    fn root(&self) -> std::path::PathBuf {
        self.d.path().join("root")
    }
    fn r(&self) -> String {
        self.root().to_string_lossy().to_string()
    }
    fn put(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.root().join(name), bytes).unwrap();
    }
    fn get(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.root().join(name)).unwrap()
    }
}

const SIPDEFAULT: &[u8] = b"# Hand-written SIP defaults\r\nproxy1_address: \"10.0.0.1\"\r\nimage_version: \"P0S3-07-4-00\"\r\nmessages_uri: \"55\"\r\n";
const XMLDEFAULT: &str = "<Default>\n  <!-- site config -->\n  <callManagerGroup><members><member priority=\"0\"><callManager><ports><ethernetPhonePort>2000</ethernetPhonePort></ports></callManager></member></members></callManagerGroup>\n  <loadInformation434 model=\"IP Phone 7942\">SCCP42.9-4-2SR3-1S</loadInformation434>\n  <loadInformation115 model=\"IP Phone 7941\">SCCP41.8-5-2S</loadInformation115>\n</Default>\n";

const XML11: &str = "<Default>\n  <loadInformation369 model=\"IP Phone 7906\">SIP11.9-4-2SR1-1S</loadInformation369>\n  <loadInformation307 model=\"IP Phone 7911\">SIP11.9-4-2SR1-1S</loadInformation307>\n</Default>\n";

#[test]
fn sip812_stage_writes_the_set_edits_pointers_and_is_idempotent() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    // The root already serves another load, with a hand-written config.
    for (n, b) in family_load("SIP11.9-4-2SR1-1S", "11", "sip", "9-4-2ES9", &["06", "11"]) {
        e.put(&n, &b);
    }
    e.put("SIPDefault.cnf", SIPDEFAULT);
    e.put("XMLDefault.cnf.xml", XML11.as_bytes());
    let before = snapshot(&e.root());
    let (doc, code) = json(&[
        "stage",
        "--target",
        "P0S3-08-12-00",
        "--from",
        &e.fw("sip812.zip"),
        &e.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["target"], "P0S3-8-12-00");
    assert_eq!(doc["changed"], true);
    let after = snapshot(&e.root());
    // Exactly these files were added, with the bundle's bytes.
    // What the stage displaced is kept for `undo` (tests/history.rs).
    assert!(after.contains_key(".loadsmith/history/0001/stage.json"));
    let added: Vec<&String> = after
        .keys()
        .filter(|k| !before.contains_key(*k) && !k.starts_with(".loadsmith/history/"))
        .collect();
    assert_eq!(
        added,
        [
            ".loadsmith/lock",
            ".loadsmith/manifest.json",
            ".loadsmith/readers",
            "OS79XX.TXT",
            "P003-8-12-00.bin",
            "P003-8-12-00.sbn",
            "P0S3-8-12-00.loads",
            "P0S3-8-12-00.sb2"
        ]
    );
    for (n, b) in sip812().into_iter().filter(|(n, _)| n != "OS79XX.TXT") {
        assert_eq!(after[&n], b, "{n}");
    }
    // OS79XX.TXT names the universal loader (seed 000: "This file will now
    // always contain the universal application loader image").
    assert_eq!(e.get("OS79XX.TXT"), b"P003-8-12-00\r\n");
    // Other loads untouched; SIPDefault edited in one line; XMLDefault, which
    // comes first in the 7940/7960 hunt, gains their entries for the target
    // and keeps the others.
    for (k, v) in &before {
        if k != "SIPDefault.cnf" && k != "XMLDefault.cnf.xml" {
            assert_eq!(&after[k], v, "{k} changed");
        }
    }
    let xml = String::from_utf8(e.get("XMLDefault.cnf.xml")).unwrap();
    let old = String::from_utf8(before["XMLDefault.cnf.xml"].clone()).unwrap();
    assert!(
        xml.starts_with(old.trim_end_matches("</Default>\n")),
        "{xml}"
    );
    assert!(
        xml.contains("<loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7>"),
        "{xml}"
    );
    assert!(
        xml.contains("<loadInformation8 model=\"IP Phone 7940\">P0S3-8-12-00</loadInformation8>"),
        "{xml}"
    );
    assert_eq!(
        e.get("SIPDefault.cnf"),
        b"# Hand-written SIP defaults\r\nproxy1_address: \"10.0.0.1\"\r\nimage_version: \"P0S3-8-12-00\"\r\nmessages_uri: \"55\"\r\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(e.root().join("P0S3-8-12-00.sb2"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    // Again: nothing changes, and it says so.
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to do"));
    assert_eq!(snapshot(&e.root()), after);
    // check is clean; a changed byte is drift.
    let (c, code) = json(&["check", &e.r()]);
    assert_eq!(code, 0, "{c}");
    assert!(
        c["pointers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["resolves"] == true)
    );
    let mut sb2 = e.get("P0S3-8-12-00.sb2");
    sb2[5000] ^= 1;
    e.put("P0S3-8-12-00.sb2", &sb2);
    let (c, code) = json(&["check", &e.r()]);
    assert_eq!(code, 1);
    let drift: Vec<&serde_json::Value> = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "drift")
        .collect();
    assert_eq!(drift.len(), 1);
    assert_eq!(drift[0]["member"], "P0S3-8-12-00.sb2");
}

#[test]
fn real_vendor_sets_stage_and_check_clean() {
    let (Some(sip812), Some(sip41)) = (
        realworld("sip-7940-7960-8.12"),
        realworld("sip-7941-7961-8.5.4"),
    ) else {
        return;
    };
    let e = Env::new();
    zip(Path::new(&e.fw("P0S3-8-12-00.zip")), &sip812);
    cop(Path::new(&e.fw("cmterm-7941_7961-sip.8-5-4.cop")), &sip41);
    e.put("XMLDefault.cnf.xml", XMLDEFAULT.as_bytes());
    let (doc, code) = json(&[
        "stage",
        "--target",
        "P0S3-08-12-00",
        "--from",
        &e.fw(""),
        &e.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    // Any spelling resolves to the vendor's.
    let (doc, code) = json(&[
        "stage",
        "--target",
        "sip41.8-5-4s",
        "--from",
        &e.fw(""),
        &e.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["target"], "SIP41.8-5-4S");
    for n in [
        "SIP41.8-5-4S.loads",
        "term41.default.loads",
        "term61.default.loads",
        "cvm41sip.8-5-4TH1-6.sbn",
    ] {
        let want = &sip41.iter().find(|(f, _)| f == n).unwrap().1;
        assert_eq!(&e.get(n), want, "{n}");
    }
    let xml = String::from_utf8(e.get("XMLDefault.cnf.xml")).unwrap();
    for (n, model) in [
        (115, "7941"),
        (309, "7941G-GE"),
        (30018, "7961"),
        (308, "7961G-GE"),
    ] {
        let want = format!(
            "<loadInformation{n} model=\"IP Phone {model}\">SIP41.8-5-4S</loadInformation{n}>"
        );
        assert!(xml.contains(&want), "{want} in {xml}");
    }
    assert!(xml.contains(
        "<loadInformation434 model=\"IP Phone 7942\">SCCP42.9-4-2SR3-1S</loadInformation434>"
    ));
    assert!(xml.contains("<!-- site config -->"));
    let (c, code) = json(&["check", &e.r()]);
    assert_eq!(
        code, 1,
        "the 7942 entry points at a load the root lacks: {c}"
    );
    let dangling: Vec<&str> = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dangling-pointer")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert!(dangling[0].contains("SCCP42.9-4-2SR3-1S"));
}

#[test]
fn refusals_write_nothing() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    zip(
        Path::new(&e.fw("incomplete.zip")),
        &without(sccp41(), "dsp41.9-4-2ES26.sbn"),
    );
    e.put("P0S3-8-12-00.sb2", b"someone else's file");
    e.put("SIPDefault.cnf", SIPDEFAULT);
    let before = snapshot(&e.root());
    // A conflict.
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("P0S3-8-12-00.sb2"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(snapshot(&e.root()), before);
    // An incomplete set.
    loadsmith()
        .args([
            "stage",
            "--target",
            "SCCP41.9-4-2SR3-1S",
            "--from",
            &e.fw("incomplete.zip"),
            &e.r(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("dsp41.9-4-2ES26.sbn"));
    assert_eq!(snapshot(&e.root()), before);
    // A broken bundle: a renamed file.
    zip(
        Path::new(&e.fw("renamed.zip")),
        &renamed(sccp41(), "cnu41.9-4-2ES26.sbn", "x.sbn"),
    );
    loadsmith()
        .args([
            "stage",
            "--target",
            "SCCP41.9-4-2SR3-1S",
            "--from",
            &e.fw("renamed.zip"),
            &e.r(),
        ])
        .assert()
        .code(1);
    assert_eq!(snapshot(&e.root()), before);
    // Not found at all.
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-07-4-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no bundle"))
        .stderr(predicate::str::contains("P0S3-8-12-00"));
    // --force replaces the conflicting file.
    loadsmith()
        .args([
            "stage",
            "--force",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .success();
    assert_eq!(e.get("P0S3-8-12-00.sb2"), sip812()[4].1);
}

#[test]
fn different_bytes_in_two_bundles_are_refused_and_named() {
    let e = Env::new();
    zip(Path::new(&e.fw("a.zip")), &sip812());
    let mut other = sip812();
    other[4].1.push(0);
    cop(Path::new(&e.fw("b.cop")), &other);
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw(""),
            &e.r(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a.zip").and(predicate::str::contains("b.cop")));
    assert!(snapshot(&e.root()).is_empty());
}

#[test]
fn dry_run_prints_the_plan_and_touches_nothing() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    e.put("SIPDefault.cnf", SIPDEFAULT);
    let before = snapshot(&e.root());
    let out = loadsmith()
        .args([
            "stage",
            "--dry-run",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("-image_version: \"P0S3-07-4-00\""), "{text}");
    assert!(text.contains("+image_version: \"P0S3-8-12-00\""), "{text}");
    assert!(text.contains("create     P0S3-8-12-00.sb2"), "{text}");
    assert!(text.contains("nothing was written"));
    assert_eq!(snapshot(&e.root()), before);
}

#[test]
fn single_step_sccp_move_points_xmldefault_at_the_loader() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    e.put("XMLDefault.cnf.xml", XMLDEFAULT.as_bytes());
    let (doc, code) = json(&[
        "stage",
        "--running",
        "P00308010200",
        "--target",
        "P0S3-08-12-00",
        "--from",
        &e.fw("sip812.zip"),
        &e.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    let xml = String::from_utf8(e.get("XMLDefault.cnf.xml")).unwrap();
    assert!(
        xml.contains("<loadInformation7 model=\"IP Phone 7960\">P003-8-12-00</loadInformation7>"),
        "{xml}"
    );
    assert!(
        xml.contains("<loadInformation8 model=\"IP Phone 7940\">P003-8-12-00</loadInformation8>"),
        "{xml}"
    );
    assert_eq!(
        String::from_utf8(e.get("SIPDefault.cnf")).unwrap(),
        "image_version: P0S3-8-12-00\n"
    );
}

#[test]
fn root_warnings_name_what_keeps_phones_off_the_target() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    e.put(
        "SEP0011BB73AD61.cnf.xml",
        b"<device><loadInformation>P00308010200</loadInformation></device>",
    );
    e.put("SIP001122334455.cnf", b"image_version: P0S3-07-4-00\n");
    e.put("XMLDefault.cnf.xml", b"<Default><loadInformation7 model=\"IP Phone 7960\">P00308010200</loadInformation7></Default>");
    e.put("TERM41.DEFAULT.loads", b"old");
    e.put("p0s3-8-12-00.sb2", b"old copy");
    let (doc, code) = json(&[
        "stage",
        "--target",
        "P0S3-08-12-00",
        "--from",
        &e.fw("sip812.zip"),
        &e.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    let f = doc["findings"].as_array().unwrap();
    let members = |code: &str| -> Vec<&str> {
        f.iter()
            .filter(|x| x["code"] == code)
            .map(|x| x["member"].as_str().unwrap())
            .collect()
    };
    // Per-phone files pin their phones; XMLDefault.cnf.xml, which comes
    // before SIPDefault.cnf in the 7940/7960 hunt, is pointed at the target.
    assert_eq!(
        members("hunt-shadow"),
        ["SEP0011BB73AD61.cnf.xml", "SIP001122334455.cnf"]
    );
    let xml = String::from_utf8(e.get("XMLDefault.cnf.xml")).unwrap();
    assert!(xml.contains(">P0S3-8-12-00</loadInformation7>"), "{xml}");
    assert_eq!(
        members("case-collision"),
        ["TERM41.DEFAULT.loads", "p0s3-8-12-00.sb2"]
    );
}

#[test]
fn a_held_lock_refuses_a_second_stage() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    std::fs::create_dir(e.root().join(".loadsmith")).unwrap();
    let f = std::fs::File::create(e.root().join(".loadsmith/lock")).unwrap();
    f.lock().unwrap();
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("another loadsmith stage"));
    assert!(!e.root().join("P0S3-8-12-00.sb2").exists());
    drop(f);
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .success();
}

#[test]
fn prune_removes_only_what_nothing_points_at() {
    let e = Env::new();
    zip(Path::new(&e.fw("sccp41.zip")), &sccp41());
    zip(
        Path::new(&e.fw("sip41.zip")),
        &family_load("SIP41.9-4-2SR3-1S", "41", "sip", "9-4-2ES27", &["41", "61"]),
    );
    loadsmith()
        .args([
            "stage",
            "--target",
            "SCCP41.9-4-2SR3-1S",
            "--from",
            &e.fw("sccp41.zip"),
            &e.r(),
        ])
        .assert()
        .success();
    loadsmith()
        .args([
            "stage",
            "--target",
            "SIP41.9-4-2SR3-1S",
            "--from",
            &e.fw("sip41.zip"),
            &e.r(),
        ])
        .assert()
        .success();
    assert!(
        e.root().join("cvm41sccp.9-4-2ES26.sbn").exists(),
        "old loads stay without --prune"
    );
    let (doc, code) = json(&[
        "stage",
        "--prune",
        "--target",
        "SIP41.9-4-2SR3-1S",
        "--from",
        &e.fw("sip41.zip"),
        &e.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert!(!e.root().join("cvm41sccp.9-4-2ES26.sbn").exists());
    assert!(!e.root().join("SCCP41.9-4-2SR3-1S.loads").exists());
    assert!(e.root().join("cvm41sip.9-4-2ES27.sbn").exists());
    let (c, code) = json(&["check", &e.r()]);
    assert_eq!(code, 0, "{c}");
}

/// Serves `root` with a real tftpd-hpa on 127.0.0.1 and fetches every file a
/// phone would ask for with a real TFTP client.
#[test]
fn prune_keeps_what_an_edited_pointer_file_still_names() {
    // XMLDefault.cnf.xml names SIP 8.11 for the 7960 (by hand); a stage of a
    // 7941 load edits that file (other entries) and must not prune 8.11.
    let e = Env::new();
    zip(Path::new(&e.fw("sip811.zip")), &sip79("8-11-00"));
    zip(Path::new(&e.fw("sccp41.zip")), &sccp41());
    let stage = |target: &str, from: &str| {
        loadsmith()
            .args([
                "stage",
                "--prune",
                "--target",
                target,
                "--from",
                &e.fw(from),
                &e.r(),
            ])
            .assert()
            .success();
    };
    stage("P0S3-8-11-00", "sip811.zip");
    e.put(
        "XMLDefault.cnf.xml",
        b"<Default>\n  <loadInformation7 model=\"IP Phone 7960\">P0S3-8-11-00</loadInformation7>\n  <loadInformation8 model=\"IP Phone 7940\">P0S3-8-11-00</loadInformation8>\n</Default>\n",
    );
    // Only XMLDefault names 8.11 (for 7940 and 7960).
    std::fs::remove_file(e.root().join("SIPDefault.cnf")).unwrap();
    std::fs::remove_file(e.root().join("OS79XX.TXT")).unwrap();
    stage("SCCP41.9-4-2SR3-1S", "sccp41.zip");
    assert!(
        e.root().join("P0S3-8-11-00.sb2").exists(),
        "pruned a load XMLDefault still names"
    );
    loadsmith().args(["check", &e.r()]).assert().success();
}

#[test]
fn staged_root_serves_every_file_over_real_tftp() {
    let client = ["/usr/bin/tftp"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let e = Env::new();
    let files = sip812();
    zip(Path::new(&e.fw("sip812.zip")), &files);
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-08-12-00",
            "--from",
            &e.fw("sip812.zip"),
            &e.r(),
        ])
        .assert()
        .success();
    let (Some(server), Some(client)) = (tftpd(&e.root()), client) else {
        eprintln!("skipped: tftpd-hpa or tftp-hpa is not installed (.ci/run installs them)");
        return;
    };
    let port = server.port;
    let out = e.d.path().join("got");
    std::fs::create_dir(&out).unwrap();
    let wanted = [
        "OS79XX.TXT",
        "SIPDefault.cnf",
        "P0S3-8-12-00.loads",
        "P003-8-12-00.sbn",
        "P0S3-8-12-00.sb2",
        "P003-8-12-00.bin",
    ];
    let mut results = Vec::new();
    for name in wanted {
        let local = out.join(name);
        let status = std::process::Command::new(client)
            .args([
                "127.0.0.1",
                &port.to_string(),
                "-m",
                "binary",
                "-c",
                "get",
                name,
                local.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        results.push((name, status.success(), std::fs::read(&local).ok()));
    }
    drop(server);
    for (name, ok, got) in results {
        assert!(ok, "tftp get {name} failed");
        let want = match files.iter().find(|(n, _)| n == name) {
            Some((_, b)) if name != "OS79XX.TXT" => b.clone(),
            _ => e.get(name),
        };
        assert_eq!(got.as_deref(), Some(want.as_slice()), "{name} over TFTP");
    }
}

#[test]
fn links_in_the_root_are_never_written_through_or_over() {
    let e = Env::new();
    zip(Path::new(&e.fw("sip812.zip")), &sip812());
    let outside = e.d.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("SIPDefault.cnf"), SIPDEFAULT).unwrap();
    std::fs::write(outside.join("image"), b"not firmware").unwrap();
    let stage = |force: bool| {
        let mut c = loadsmith();
        c.args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &e.fw("sip812.zip"),
        ]);
        if force {
            c.arg("--force");
        }
        c.arg(e.r()).assert()
    };
    // A pointer file that is a link to a file outside the root.
    std::os::unix::fs::symlink(
        outside.join("SIPDefault.cnf"),
        e.root().join("SIPDefault.cnf"),
    )
    .unwrap();
    stage(true)
        .code(1)
        .stderr(predicate::str::contains("SIPDefault.cnf"))
        .stderr(predicate::str::contains("link"));
    // A set file that is a link.
    std::fs::remove_file(e.root().join("SIPDefault.cnf")).unwrap();
    std::os::unix::fs::symlink(outside.join("image"), e.root().join("P0S3-8-12-00.sb2")).unwrap();
    stage(true)
        .code(1)
        .stderr(predicate::str::contains("P0S3-8-12-00.sb2"));
    // The state folder as a link out of the root.
    std::fs::remove_file(e.root().join("P0S3-8-12-00.sb2")).unwrap();
    std::os::unix::fs::symlink(&outside, e.root().join(".loadsmith")).unwrap();
    stage(false)
        .code(1)
        .stderr(predicate::str::contains(".loadsmith"));
    // Nothing outside changed; the links are still links; no set file was written.
    assert_eq!(
        std::fs::read(outside.join("SIPDefault.cnf")).unwrap(),
        SIPDEFAULT
    );
    assert_eq!(
        std::fs::read(outside.join("image")).unwrap(),
        b"not firmware"
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 2);
    assert!(!e.root().join("P0S3-8-12-00.loads").exists());
}

/// Without `--from`, stage reads the current folder's top level only: a
/// TFTP root beside the bundle, another root, a sub-folder of other bytes
/// of the same load are not read (they made "bundles hold different bytes").
#[test]
fn stage_without_from_reads_the_top_level_only() {
    let d = tempfile::tempdir().unwrap();
    zip(&d.path().join("P0S3-8-12-00.zip"), &sip812());
    // Other bytes of the same load, one level down and in other roots.
    let mut other = sip812();
    for (name, bytes) in other.iter_mut() {
        if name.ends_with(".sb2") {
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
        }
    }
    for dir in ["root1", "root2", "root3/firmware"] {
        std::fs::create_dir_all(d.path().join(dir)).unwrap();
        zip(&d.path().join(dir).join("P0S3-8-12-00.zip"), &other);
    }
    std::fs::create_dir_all(d.path().join("root1/.loadsmith")).unwrap();
    for (name, bytes) in &other {
        std::fs::write(d.path().join("root2").join(name), bytes).unwrap();
    }
    std::fs::write(d.path().join("NOTES.txt"), "not firmware\n").unwrap();
    let out = loadsmith()
        .current_dir(d.path())
        .args(["stage", "--target", "P0S3-8-12-00", "new"])
        .output()
        .unwrap();
    let (text, err) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    assert!(!err.contains("different bytes"), "{err}");
    let staged = std::fs::read(d.path().join("new/P0S3-8-12-00.sb2")).unwrap();
    let want = &sip812()
        .into_iter()
        .find(|f| f.0.ends_with(".sb2"))
        .unwrap()
        .1;
    assert_eq!(&staged, want, "the top-level bundle's bytes");
    // Run inside a root: its loose files are not a source.
    let out = loadsmith()
        .current_dir(d.path().join("root2"))
        .args(["stage", "--target", "P0S3-8-12-00", "."])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("different bytes"), "{err}");
}
