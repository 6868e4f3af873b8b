//! `check`, `boot` and `log --root` agree on random roots: one walk, three
//! renderings (docs/boot.md, "The states `check` and `stage` walk").

use super::*;
use proptest::prelude::*;

const SIP: [&str; 3] = [
    "",
    "image_version: P0S3-8-12-00\n",
    "image_version: P0S3-8-11-00\n",
];
const XML: [&str; 8] = [
    "",
    "<Default><loadInformation>P0S3-8-12-00</loadInformation></Default>",
    "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7></Default>",
    "<Default><loadInformation115 model=\"IP Phone 7941\">SCCP41.9-4-2SR3-1S</loadInformation115></Default>",
    "<Default><loadInformation7 model=\"IP Phone 7960\">SCCP41.9-4-2SR3-1S</loadInformation7><loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018></Default>",
    "<Default><loadInformation8>P003-8-12-00</loadInformation8><loadInformation>SCCP41.9-4-2SR3-1S</loadInformation></Default>",
    // Bare and numbered disagreeing; a zero-padded device type.
    "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7><loadInformation>P0S3-8-11-00</loadInformation></Default>",
    "<Default><loadInformation00007 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation00007></Default>",
];
/// Per-phone files of other phones (a template's all-zero MAC included).
const PER_PHONE: [(&str, &str); 3] = [
    ("", ""),
    (
        "SEP000000000000.cnf.xml",
        "<device><loadInformation>P0S3-8-11-00</loadInformation></device>",
    ),
    ("SIP00000000AB12.cnf", "image_version: P0S3-8-11-00\n"),
];
/// `OS79XX.TXT`: none, the loader, the application (the vendor's zip), the
/// loader with a trailing space (CSCdv19260), a pre-loader SIP image.
const OS: [&str; 5] = [
    "",
    "P003-8-12-00\r\n",
    "P0S3-8-12-00\r\n",
    "P003-8-12-00 \r\n",
    "P0S3-06-3-00\r\n",
];
/// A `.loads` of the load a phone runs, beside the 8.12 set: none, one
/// giving 8.12's `LA_VERSION`, one giving another.
const OLDER: [&str; 3] = ["", "PAS30830", "PAS30820"];

/// The starting state of a check row as `boot` arguments.
fn state_args(state: &str) -> Vec<&'static str> {
    match state {
        "factory reset" => vec!["--factory-reset"],
        "pre-loader" => vec!["--running", "its pre-loader image"],
        _ => vec!["--running", "its current load"],
    }
}

/// The tftpd-hpa lines (`-v -v`) of a phone asking for what a walk asked
/// for, answered as the walk was.
fn log_of_walk(doc: &serde_json::Value) -> String {
    let mut l = String::new();
    for (i, r) in doc["requests"].as_array().unwrap().iter().enumerate() {
        let (f, pid) = (r["file"].as_str().unwrap(), 500 + i);
        l.push_str(&format!(
            "Nov 22 04:{:02}:{:02} pbx in.tftpd[{pid}]: RRQ from 10.1.2.3 filename {f}\n",
            i / 60,
            i % 60
        ));
        if r["status"] == "not-found" {
            l.push_str(&format!("Nov 22 04:{:02}:{:02} pbx in.tftpd[{pid}]: sending NAK (1, File not found) to 10.1.2.3\n", i / 60, i % 60));
        }
    }
    l
}

/// A root from the test bundles and the configuration files given.
#[allow(clippy::too_many_arguments)]
fn random_root(
    sip: usize,
    xml: usize,
    os: usize,
    per: usize,
    legacy: bool,
    family: bool,
    broken: bool,
    noloader: bool,
    older: usize,
    pre: bool,
) -> tempfile::TempDir {
    let mut files = Files::new();
    if legacy {
        files.extend(
            sip812()
                .into_iter()
                .filter(|(n, _)| n != "OS79XX.TXT" && !(noloader && n == "P003-8-12-00.sbn")),
        );
        if !OLDER[older].is_empty() {
            let body = format!(
                "P003-8-11-00.sbn\nP0S3-8-11-00.sb2\nLA_VERSION={}\n",
                OLDER[older]
            );
            files.push((
                "P0S3-8-11-00.loads".into(),
                signed("P0S3-8-11-00.loads", body.as_bytes()),
            ));
        }
    }
    if pre {
        files.extend(pre_loader_sip("06-3-00"));
    }
    if family {
        files.extend(if broken {
            without(sccp41(), "dsp41.9-4-2ES26.sbn")
        } else {
            sccp41()
        });
    }
    let mut extra = Vec::new();
    for (name, text) in [
        ("SIPDefault.cnf", SIP[sip]),
        ("XMLDefault.cnf.xml", XML[xml]),
        ("OS79XX.TXT", OS[os]),
        PER_PHONE[per],
    ] {
        if !text.is_empty() {
            extra.push((name, text));
        }
    }
    root(&files, &extra)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// For random roots built from the test bundles and random
    /// configuration files, check's verdict for a model equals boot's
    /// verdict for a phone of that model.
    #[test]
    fn check_and_boot_agree(sip in 0..3usize, xml in 0..8usize, os in 0..5usize, per in 0..3usize, legacy: bool, family: bool, broken: bool, noloader: bool, older in 0..3usize, pre: bool) {
        let d = random_root(sip, xml, os, per, legacy, family, broken, noloader, older, pre);
        let ds = d.path().to_string_lossy().to_string();
        let (c, _) = json(&["check", &ds]);
        // "A phone with no per-phone file": the MAC check walks is one
        // no per-phone file of the root names.
        let mac = if per == 1 { "02005E10AD01" } else { "000000000000" };
        for row in c["fleet"].as_array().unwrap() {
            let model = row["model"].as_str().unwrap();
            // A per-phone file's phone: walked with its own MAC.
            let mac = row["phones"]["macs"][0].as_str().unwrap_or(mac);
            let mut args = vec!["boot", &ds, "--mac", mac, "--model", model];
            args.extend(state_args(row["state"].as_str().unwrap()));
            let (b, _) = json(&args);
            prop_assert_eq!(&row["kind"], &b["verdict"]["kind"], "{} {}: check {} / boot {}", model, row["state"], row, b["verdict"]);
            prop_assert_eq!(&row["image"], &b["verdict"]["image"], "{} {}", model, row["state"]);
        }
        // Pre-loader phones (their first request is OS79XX.TXT, seed 000):
        // `boot` walks one, and `log --root`, given the requests of that
        // walk as a server logs them, lines the log up with the same walk.
        // A phone below 5.x (`its image below 5.x`) asks for `.bin` files;
        // a log showing one is walked as such.
        for (model, running) in [("7940", "its pre-loader image"), ("7960", "its pre-loader image"), ("7940", "its image below 5.x"), ("7960", "its image below 5.x")] {
            let (b, _) = json(&["boot", &ds, "--mac", mac, "--model", model, "--running", running]);
            prop_assert_eq!(b["requests"][0]["file"].as_str(), Some("OS79XX.TXT"), "{}", b);
            let log = d.path().join(format!("{model}.log"));
            std::fs::write(&log, log_of_walk(&b)).unwrap();
            let (l, _) = json(&["log", &log.to_string_lossy(), "--root", &ds]);
            std::fs::remove_file(&log).unwrap();
            let p = &l["phones"][0]["predicted"];
            let bin = b["requests"].as_array().unwrap().iter().any(|r| r["file"].as_str().unwrap().ends_with(".bin"));
            if !p.is_object() || p["model"] != model || (running == "its image below 5.x") != bin {
                // No firmware asked for (the log does not tell the model),
                // the other model's walk lines up as well, or nothing in the
                // log tells a phone below 5.x.
                continue;
            }
            prop_assert_eq!(&p["state"], if bin { "pre-loader, below 5.x" } else { "pre-loader" }, "{}", p);
            prop_assert!(p["expected"].is_null() && p["asked"].is_null(), "the log parts from the walk: {} / boot {}", p, b);
            prop_assert_eq!(&p["verdict"], &b["verdict"]["message"], "log {} / boot {}", p, b["verdict"]);
        }
    }
}
