//! Issue 21, "The phone model, round 2": no confident wrong answer, the
//! matrix read whole, and plans that stage as printed. Each test is named
//! after the sentence it rests on (`docs/boot.md`, rules 11-16).

use std::path::Path;

use super::{MAC, boot, fleet_row, messages, pre_loader_sip, requested, root, verdict};
use crate::support::*;

/// SCCP 8.1(2)SR2 for 7940/7960 as its bundle holds it: the loader under the
/// release's name (`.sbn`, and `.bin` for pre-5.x phones), `.loads`, `.sb2`.
fn sccp812() -> Files {
    let body = image_body("P0030801SR02", 4000);
    vec![
        (
            "P0030801SR02.loads".into(),
            signed(
                "P0030801SR02.loads",
                b"P0030801SR02.sbn\nP0030801SR02.sb2\nLA_VERSION=PAS30831\n",
            ),
        ),
        ("P0030801SR02.sbn".into(), signed("P0030801SR02.sbn", &body)),
        ("P0030801SR02.bin".into(), body),
        (
            "P0030801SR02.sb2".into(),
            signed("P0030801SR02.sb2", &image_body("P0030801SR02", 9000)),
        ),
    ]
}

const XML_7960_SR02: &str =
    "<Default><loadInformation7 model=\"IP Phone 7960\">P0030801SR02</loadInformation7></Default>";

/// Seed 000: "The universal application loader is identified by its
/// extension (.sbn) … The signed application image is identified by a .sb2
/// extension"; "Protocol Application Invalid … the image does not exist in
/// flash memory". A walk settles on an image only after the file that is
/// that image (the `.sb2`) was fetched and written.
#[test]
fn settles_only_when_the_application_is_there() {
    let bare = root(
        &without(sccp812(), "P0030801SR02.sb2"),
        &[("XMLDefault.cnf.xml", XML_7960_SR02)],
    );
    let whole = root(&sccp812(), &[("XMLDefault.cnf.xml", XML_7960_SR02)]);
    // Pre-loader SCCP, the manufacturing image, and a loader-era phone.
    for running in ["P00305000500", "P0030301MFG2", "P00307020200"] {
        let doc = boot(bare.path(), "7960", &["--running", running]);
        assert_eq!(doc["verdict"]["kind"], "error", "{running}: {doc}");
        let msg = doc["verdict"]["message"].as_str().unwrap();
        assert!(
            msg.contains("Protocol Application Invalid"),
            "{running}: {doc}"
        );
        assert!(
            requested(&doc, None)
                .iter()
                .any(|f| f == "P0030801SR02.sb2"),
            "{running}: {doc}"
        );
        let doc = boot(whole.path(), "7960", &["--running", running]);
        assert_eq!(
            verdict(&doc),
            ("settles".into(), "P0030801SR02".into()),
            "{running}: {doc}"
        );
        let asked = requested(&doc, None);
        let sb2 = asked.iter().position(|f| f == "P0030801SR02.sb2");
        assert!(sb2.is_some(), "{running}: {doc}");
    }
}

/// formats.md: "A trailing space makes the phone ask for a file that does not
/// exist (vendor bug CSCdv19260)" (`P003-8-12-00 \r\n`, as a real tree holds).
#[test]
fn a_trailing_space_in_os79xx_is_a_failure_naming_the_space() {
    let d = root(
        &without(sip812(), "OS79XX.TXT"),
        &[
            ("OS79XX.TXT", "P003-8-12-00 \r\n"),
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
        ],
    );
    let doc = boot(d.path(), "7960", &["--running", "P0S3-06-3-00"]);
    assert_eq!(doc["verdict"]["kind"], "error", "{doc}");
    assert_eq!(doc["verdict"]["file"], "OS79XX.TXT", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(msg.contains("trailing space"), "{msg}");
    assert!(msg.contains("CSCdv19260"), "{msg}");
    // Without the space the same phone reaches 8.12.
    std::fs::write(d.path().join("OS79XX.TXT"), "P003-8-12-00\r\n").unwrap();
    let doc = boot(d.path(), "7960", &["--running", "P0S3-06-3-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
}

/// Field-facts: after a factory reset a 79x1 phone asks for
/// `term<MM>.default.loads` and every file it lists; once written, its flash
/// is not empty, so "No Load Specified" is no reading of what follows.
#[test]
fn after_the_term_file_flash_is_not_empty() {
    let xml = "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7></Default>";
    let d = root(&sccp41(), &[("XMLDefault.cnf.xml", xml)]);
    let doc = boot(d.path(), "7961", &["--factory-reset"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(!msg.contains("No Load Specified"), "{msg}");
    assert!(msg.contains("term61.default.loads"), "{msg}");
    assert!(
        requested(&doc, None)
            .iter()
            .any(|f| f == "cvm41sccp.9-4-2ES26.sbn"),
        "{doc}"
    );
}

/// An MGCP set for 7940/7960 of version `v`, shaped like the SIP one.
fn mgcp79(v: &str) -> Files {
    sip79(v)
        .into_iter()
        .filter(|(n, _)| n != "OS79XX.TXT")
        .map(|(n, b)| {
            let m = n.replace("P0S3-", "P0M3-");
            let b = if n.starts_with("P0S3-") {
                let body = if n.ends_with(".loads") {
                    format!("P003-{v}.sbn\nP0M3-{v}.sb2\nLA_VERSION=PAS30830\n").into_bytes()
                } else {
                    image_body(&m.replace(".sb2", ""), 9000)
                };
                signed(&m, &body)
            } else {
                b
            };
            (m, b)
        })
        .collect()
}

/// The requests of the last pass of a walk.
fn last_pass(doc: &serde_json::Value) -> Vec<String> {
    let last = doc["requests"].as_array().unwrap().last().unwrap()["pass"].as_u64();
    requested(doc, last)
}

/// field-facts, a real SIP 8.12 log: "… P0S3-8-12-00.loads, P0S3-8-12-00.sb2,
/// SIPDefault.cnf, SIP<MAC>.cnf"; 000, Procedure C: SCCP reads
/// SEP<mac-address>.cnf.xml, SIP SIPDefault.cnf and SIP<mac-address>.cnf,
/// MGCP MGCDefault.cnf and MGC<mac-address>.cnf. What the application asks
/// for, in the order it asks, once it runs.
#[test]
fn what_the_application_asks_for_in_the_order_it_asks() {
    let sep = format!("SEP{MAC}.cnf.xml");
    let (sipm, mgcm) = (format!("SIP{MAC}.cnf"), format!("MGC{MAC}.cnf"));
    let sip = root(
        &sip812(),
        &[("SIPDefault.cnf", "image_version: P0S3-8-12-00\n")],
    );
    let doc = boot(sip.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let all = requested(&doc, None);
    let sb2 = all.iter().position(|f| f == "P0S3-8-12-00.sb2").unwrap();
    assert_eq!(
        all[sb2 + 1..],
        ["SIPDefault.cnf".to_string(), sipm],
        "{doc}"
    );
    let sccp = root(
        &sccp812(),
        &[(
            &sep,
            "<device><loadInformation>P0030801SR02</loadInformation></device>",
        )],
    );
    let doc = boot(sccp.path(), "7960", &["--running", "P00307020200"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0030801SR02".into()),
        "{doc}"
    );
    let all = requested(&doc, None);
    let sb2 = all.iter().position(|f| f == "P0030801SR02.sb2").unwrap();
    assert_eq!(all[sb2 + 1..], [sep], "{doc}");
    let mgcp = root(
        &mgcp79("8-12-00"),
        &[("MGCDefault.cnf", "image_version: P0M3-8-12-00\n")],
    );
    let doc = boot(mgcp.path(), "7960", &["--running", "P0M3-08-11-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0M3-8-12-00".into()),
        "{doc}"
    );
    let all = requested(&doc, None);
    let sb2 = all.iter().position(|f| f == "P0M3-8-12-00.sb2").unwrap();
    assert_eq!(
        all[sb2 + 1..],
        ["MGCDefault.cnf".to_string(), mgcm],
        "{doc}"
    );
    // A phone that runs the image already: the hunt, then the application's files.
    let doc = boot(sip.path(), "7960", &["--running", "P0S3-8-12-00"]);
    let pass = last_pass(&doc);
    assert_eq!(
        pass[pass.len() - 2..],
        ["SIPDefault.cnf".to_string(), format!("SIP{MAC}.cnf")],
        "{doc}"
    );
    // Shown by boot.
    let out = loadsmith()
        .args([
            "boot",
            &sip.path().to_string_lossy(),
            "--mac",
            MAC,
            "--model",
            "7960",
            "--running",
            "P0S3-8-11-00",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("P0S3-8-12-00 starts and asks for its own SIP files"),
        "{text}"
    );
}

/// The in.tftpd lines of one phone asking for `files` (all served but those in `missing`).
fn hpa_log(client: &str, files: &[String], missing: &[String]) -> String {
    let mut l = String::new();
    for (i, f) in files.iter().enumerate() {
        l.push_str(&format!(
            "Nov 22 03:00:{:02} pbx in.tftpd[{}]: RRQ from {client} filename {f}\n",
            i % 60,
            100 + i
        ));
        if missing.contains(f) {
            l.push_str(&format!("Nov 22 03:00:{:02} pbx in.tftpd[{}]: sending NAK (1, File not found) to {client}\n", i % 60, 100 + i));
        }
    }
    l
}

/// Seed 000 rule 1: "During the phone bootup, regardless of protocol, the
/// first file requested is the OS79XX.TXT file"; and field-facts' real SIP
/// 8.12 log. `log --root` lines each up with the walk it is (pre-loader, or
/// the loader's hunt followed by the application's own files).
#[test]
fn log_root_lines_up_the_real_sip_log_and_a_pre_loader_log() {
    let d = root(
        &sip812(),
        &[("SIPDefault.cnf", "image_version: P0S3-8-12-00\n")],
    );
    std::fs::write(d.path().join("OS79XX.TXT"), "P003-8-12-00\r\n").unwrap();
    let hunt: Vec<String> = [
        format!("CTLSEP{MAC}.tlv"),
        format!("SEP{MAC}.cnf.xml"),
        format!("SIP{MAC}.cnf"),
        format!("MGC{MAC}.cnf"),
        "XMLDefault.cnf.xml".into(),
        "SIPDefault.cnf".into(),
    ]
    .into();
    let missing: Vec<String> = hunt[..5].to_vec();
    let mut real = hunt.clone();
    real.extend(["P0S3-8-12-00.loads".to_string(), "P003-8-12-00.sbn".into()]);
    real.extend(hunt.clone());
    real.extend([
        "P0S3-8-12-00.loads".to_string(),
        "P0S3-8-12-00.sb2".into(),
        "SIPDefault.cnf".into(),
        format!("SIP{MAC}.cnf"),
    ]);
    let mut pre = vec!["OS79XX.TXT".to_string(), "P003-8-12-00.sbn".into()];
    pre.extend(real[..real.len() - 4].iter().skip(8).cloned());
    pre.extend(real[real.len() - 4..].iter().cloned());
    let mut miss = missing.clone();
    miss.push(format!("SIP{MAC}.cnf"));
    for (name, lines) in [("real", &real), ("pre-loader", &pre)] {
        let log = d.path().join(format!("{name}.log"));
        std::fs::write(&log, hpa_log("10.0.0.9", lines, &miss)).unwrap();
        let (doc, _) = json(&[
            "log",
            &log.to_string_lossy(),
            "--root",
            &d.path().to_string_lossy(),
        ]);
        let p = &doc["phones"][0]["predicted"];
        assert!(p.is_object(), "{name}: {doc}");
        assert!(
            p["expected"].is_null() && p["asked"].is_null(),
            "{name}: the log parts from the walk: {p}"
        );
        if name == "pre-loader" {
            assert_eq!(p["state"], "pre-loader", "{p}");
        }
    }
}

/// Table 2's note: "All images below will boot to any other image below this
/// row regardless of the protocol that is used." A move between two signed
/// images that Table 3 has no row for is not a prohibition.
#[test]
fn a_missing_table_3_row_below_the_signing_row_is_not_a_prohibition() {
    let d = root(
        &pre_loader_sip("05-3-00"),
        &[("SIPDefault.cnf", "image_version: P0S3-05-3-00\n")],
    );
    let doc = boot(d.path(), "7960", &["--running", "P0S3-07-4-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-05-3-00".into()),
        "{doc}"
    );
    assert!(!doc.to_string().contains("forbids"), "{doc}");
    let (p, code) = json(&["plan", "--from", "P0S3-07-4-00", "--to", "P0S3-05-3-00"]);
    assert_eq!(code, 0, "{p}");
    assert!(p["notes"].to_string().contains("not a prohibition"), "{p}");
}

/// 000: "All versions prior to a Cisco IP Phone 7960 and 7940 Version 5.0
/// will not load onto the phone after it is installed."
#[test]
fn no_going_back_below_5_is_an_error_citing_the_sentence() {
    let d = root(
        &Files::new(),
        &[
            ("SIPDefault.cnf", "image_version: P0S3-04-4-00\n"),
            ("OS79XX.TXT", "P0S3-04-4-00\r\n"),
        ],
    );
    for running in ["P0S3-8-12-00", "its current load", "P00305000500"] {
        let doc = boot(d.path(), "7960", &["--running", running]);
        assert_eq!(doc["verdict"]["kind"], "error", "{running}: {doc}");
        let msg = doc["verdict"]["message"].as_str().unwrap();
        assert!(
            msg.contains("will not load onto the phone after it is installed"),
            "{running}: {msg}"
        );
        assert!(
            !requested(&doc, None)
                .iter()
                .any(|f| f == "P0S3-04-4-00.sbn"),
            "{running}: {doc}"
        );
    }
}

/// Table 2: "There was no P0M3-03-2-00." names says so; plan, stage and boot refuse it.
#[test]
fn an_image_that_never_existed_is_refused() {
    let (n, _) = json(&["names", "P0M3-03-2-00"]);
    assert!(n.to_string().contains("never released"), "{n}");
    let (p, code) = json(&["plan", "--from", "P0M3-03-1-00", "--to", "P0M3-03-2-00"]);
    assert_ne!(code, 0, "{p}");
    assert!(p.to_string().contains("never released"), "{p}");
    let d = tempfile::tempdir().unwrap();
    let r = d.path().join("root");
    let (s, code) = json(&[
        "stage",
        "--target",
        "P0M3-03-2-00",
        "--from",
        &d.path().to_string_lossy(),
        &r.to_string_lossy(),
    ]);
    assert_ne!(code, 0, "{s}");
    assert!(s.to_string().contains("never released"), "{s}");
    let b = root(
        &Files::new(),
        &[("MGCDefault.cnf", "image_version: P0M3-03-2-00\n")],
    );
    let doc = boot(b.path(), "7960", &["--running", "P0M3-03-1-00"]);
    assert_eq!(doc["verdict"]["kind"], "error", "{doc}");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .contains("never released"),
        "{doc}"
    );
}

/// Footnote 2: "If you want to upgrade from SIP 5.x or 6.x to SIP 7.x, use
/// Procedure F." Applied to MGCP, the plan says that is loadsmith's reading.
#[test]
fn footnote_2_applied_to_mgcp_is_said_to_be_loadsmiths_reading() {
    let (p, code) = json(&["plan", "--from", "P0S3-05-3-00", "--to", "P0M3-07-4-00"]);
    assert_eq!(code, 0, "{p}");
    assert!(
        p["notes"].to_string().contains("loadsmith's reading"),
        "{p}"
    );
    let (p, _) = json(&["plan", "--from", "P0S3-05-3-00", "--to", "P0S3-07-4-00"]);
    assert!(
        !p["notes"].to_string().contains("loadsmith's reading"),
        "{p}"
    );
}

/// The vendor set of any 7940/7960 image, shaped like the vendor's bundles:
/// loader-era SIP/MGCP (loader `P003-…`, `.loads`, `.sb2`), loader-era SCCP
/// (the loader under the release's name), pre-loader images (`.sbn` from
/// 5.x, `.bin` and `.sbn` before).
fn vendor_set(stem: &str) -> Files {
    let major: u32 = if stem.starts_with("P0S3-") || stem.starts_with("P0M3-") {
        stem[5..].split('-').next().unwrap().parse().unwrap()
    } else {
        stem[4..6].parse().unwrap()
    };
    let v = stem.get(5..).unwrap_or("").to_string();
    match &stem[..4] {
        "P0S3" if major >= 7 => sip79(&v)
            .into_iter()
            .filter(|(n, _)| n != "OS79XX.TXT")
            .collect(),
        "P0M3" if major >= 7 => mgcp79(&v),
        "P003" if major >= 6 => {
            let body = image_body(stem, 4000);
            let list = format!("{stem}.sbn\n{stem}.sb2\nLA_VERSION=PAS30831\n");
            vec![
                (
                    format!("{stem}.loads"),
                    signed(&format!("{stem}.loads"), list.as_bytes()),
                ),
                (format!("{stem}.sbn"), signed(&format!("{stem}.sbn"), &body)),
                (format!("{stem}.bin"), body),
                (
                    format!("{stem}.sb2"),
                    signed(&format!("{stem}.sb2"), &image_body(stem, 9000)),
                ),
            ]
        }
        // Pre-loader images: the signed `.sbn` from 5.x, and the unsigned
        // `.bin` a phone below 5.x takes (rule 6), as the loader zips ship
        // both; `.bin` alone before 5.x.
        _ => {
            let body = image_body(stem, 5000);
            let mut f = vec![(format!("{stem}.bin"), body.clone())];
            if major >= 5 {
                f.push((format!("{stem}.sbn"), signed(&format!("{stem}.sbn"), &body)));
            }
            f
        }
    }
}

/// Applies one printed action of a plan to the root: a value set in a file,
/// or the other protocols' files removed. Returns false for an action that
/// is no edit (stage, reset, alternatives, remarks).
fn apply_action(root: &Path, a: &serde_json::Value) -> bool {
    let text = a["text"].as_str().unwrap();
    if let (Some(file), Some(value)) = (a["file"].as_str(), a["value"].as_str()) {
        let p = root.join(file);
        let setting = a["setting"].as_str().unwrap_or("");
        let body = match file {
            "OS79XX.TXT" => format!("{value}\r\n"),
            "XMLDefault.cnf.xml" => {
                let old = std::fs::read_to_string(&p)
                    .unwrap_or_else(|_| "<Default>\n</Default>\n".into());
                let tag = setting.split(' ').next().unwrap();
                let kept: String = old
                    .lines()
                    .filter(|l| {
                        !l.trim_start().starts_with(&format!("<{tag} "))
                            && !l.trim_start().starts_with(&format!("<{tag}>"))
                    })
                    .map(|l| format!("{l}\n"))
                    .collect();
                kept.replace(
                    "</Default>",
                    &format!("<{setting}>{value}</{tag}>\n</Default>"),
                )
            }
            _ => format!("{setting}: {value}\n"),
        };
        std::fs::write(&p, body).unwrap();
        return true;
    }
    if let Some(list) = text.strip_prefix("remove the configuration files of the other protocols (")
    {
        for f in list.split(')').next().unwrap().split([',', '/']) {
            let f = f.trim();
            if !f.contains('<') {
                let _ = std::fs::remove_file(root.join(f));
            }
        }
        return true;
    }
    false
}

/// One Table 3 row per pair: current image, target image.
const TABLE_3_ROWS: [(u8, &str, &str); 30] = [
    (1, "P0030301MFG2", "P0030801SR02"),
    (2, "P0030301MFG2", "P0S3-06-3-00"),
    (3, "P0030301MFG2", "P0S3-8-12-00"),
    (4, "P00303020400", "P0030801SR02"),
    (5, "P00303020400", "P0S3-06-3-00"),
    (6, "P00303020400", "P0S3-8-12-00"),
    (7, "P00305000500", "P0030801SR02"),
    (8, "P00305000500", "P0S3-06-3-00"),
    (9, "P00305000500", "P0S3-8-12-00"),
    (10, "P00306000400", "P0030801SR02"),
    (11, "P00307020200", "P0S3-06-3-00"),
    (12, "P00307020200", "P0S3-8-12-00"),
    (13, "P0S3-04-4-00", "P00305000500"),
    (14, "P0S3-04-4-00", "P0030801SR02"),
    (15, "P0S3-04-1-00", "P0S3-04-4-00"),
    (16, "P0S3-04-4-00", "P0S3-8-12-00"),
    (17, "P0S3-06-3-00", "P0030801SR02"),
    (18, "P0S3-05-3-00", "P0S3-06-3-00"),
    (19, "P0S3-05-3-00", "P0S3-8-12-00"),
    (20, "P0S3-07-4-00", "P0030801SR02"),
    (21, "P0S3-07-4-00", "P0S3-8-12-00"),
    (22, "P0M3-04-4-00", "P00305000500"),
    (23, "P0M3-04-4-00", "P0030801SR02"),
    (24, "P0M3-04-1-00", "P0M3-04-4-00"),
    (25, "P0M3-04-4-00", "P0M3-07-4-00"),
    (26, "P0M3-06-3-00", "P0030801SR02"),
    (27, "P0M3-05-3-00", "P0M3-06-3-00"),
    (28, "P0M3-05-3-00", "P0M3-07-4-00"),
    (29, "P0M3-07-4-00", "P0030801SR02"),
    (30, "P0M3-07-4-00", "P0S3-8-12-00"),
];

/// Runs the plan of one row step by step as printed (stage, then the edits
/// in the order printed) and boots a 7960 from the row's image after each
/// step. `Err` says where it parts from the plan.
fn run_row(
    fw: &Path,
    work: &Path,
    row: u8,
    from: &str,
    to: &str,
    served: bool,
) -> Result<(), String> {
    let fws = fw.to_string_lossy().to_string();
    let (p, code) = json(&["plan", "--from", from, "--to", to, "--bundles", &fws]);
    if code != 0 {
        return Err(format!("plan: {p}"));
    }
    let r = work.join(format!("row-{row}-{served}"));
    std::fs::create_dir(&r).unwrap();
    if served {
        // The root serves the row's image today, as the phones' own files name it.
        let (file, text) = match &from[..4] {
            "P0S3" => ("SIPDefault.cnf", format!("image_version: {from}\n")),
            "P0M3" => ("MGCDefault.cnf", format!("image_version: {from}\n")),
            _ => (
                "XMLDefault.cnf.xml",
                format!(
                    "<Default>\n<loadInformation7 model=\"IP Phone 7960\">{from}</loadInformation7>\n</Default>\n"
                ),
            ),
        };
        std::fs::write(r.join(file), text).unwrap();
        std::fs::write(r.join("OS79XX.TXT"), format!("{from}\r\n")).unwrap();
    }
    let rs = r.to_string_lossy().to_string();
    let mut running = from.to_string();
    for step in p["steps"].as_array().unwrap() {
        let load = step["load"].as_str().unwrap();
        for a in step["actions"].as_array().unwrap() {
            let text = a["text"].as_str().unwrap();
            if text.starts_with("or, instead") {
                break;
            }
            if let Some(cmd) = text.split("(loadsmith stage ").nth(1) {
                let mut args = vec!["stage", "--from", &fws];
                let words: Vec<&str> = cmd
                    .trim_end_matches(')')
                    .split_whitespace()
                    .filter(|w| *w != "ROOT")
                    .collect();
                args.extend(words);
                args.push(&rs);
                let (s, code) = json(&args);
                if code != 0 {
                    return Err(format!("step {load}: stage refused: {s}"));
                }
            } else {
                apply_action(&r, a);
            }
        }
        let doc = boot(&r, "7960", &["--running", &running]);
        if verdict(&doc) != ("settles".into(), load.to_string()) {
            return Err(format!(
                "step {load}: boot from {running}: {}",
                doc["verdict"]
            ));
        }
        running = load.to_string();
    }
    use loadsmith::names::ImageName;
    if ImageName::parse(&running).same_image(&ImageName::parse(to)) {
        Ok(())
    } else {
        Err(format!("ends on {running}"))
    }
}

/// Table 3, all 30 rows: each row's plan, every step executed as printed
/// (stage, then the edits in the order printed), boots the phone from the
/// row's image onto each step's load, and the last onto the row's target.
#[test]
fn table_3_every_row_stages_as_printed() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("fw");
    std::fs::create_dir(&fw).unwrap();
    let mut loads: Vec<&str> = TABLE_3_ROWS.iter().map(|r| r.2).collect();
    loads.extend(["P0S3-06-3-00", "P0M3-06-3-00"]);
    loads.sort();
    loads.dedup();
    for l in loads {
        zip(&fw.join(format!("{l}.zip")), &vendor_set(l));
    }
    let mut failed = Vec::new();
    for (row, from, to) in TABLE_3_ROWS {
        if let Err(e) = run_row(&fw, d.path(), row, from, to, false) {
            failed.push(format!("row {row} ({from} → {to}): {e}"));
        }
        if let Err(e) = run_row(&fw, d.path(), row, from, to, true) {
            failed.push(format!(
                "row {row} ({from} → {to}, root serving {from}): {e}"
            ));
        }
    }
    // Row 21 across protocols (Procedure E): SIP 7.4 → MGCP 7.4.
    if let Err(e) = run_row(&fw, d.path(), 210, "P0S3-07-4-00", "P0M3-07-4-00", true) {
        failed.push(format!(
            "row 21 (P0S3-07-4-00 → P0M3-07-4-00, root serving SIP): {e}"
        ));
    }
    assert!(
        failed.is_empty(),
        "{} rows fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// SIP 7.4 → 8.12 in a root that also serves 7961s through XMLDefault.cnf.xml:
/// one answer. The plan keeps XMLDefault (Procedure E's second way), the
/// stage names the SIP load in it for 7940/7960, and after the plan as
/// printed the 7960 settles on 8.12 while the 7961 keeps its load.
#[test]
fn sip_7_4_to_8_12_has_one_answer_in_a_mixed_root() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    zip(&fw, &vendor_set("P0S3-8-12-00"));
    let r = d.path().join("root");
    std::fs::create_dir(&r).unwrap();
    write_files(&r, &sccp41());
    let xml = "<Default>\n<loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>\n</Default>\n";
    std::fs::write(r.join("XMLDefault.cnf.xml"), xml).unwrap();
    std::fs::write(r.join("SIPDefault.cnf"), "image_version: P0S3-07-4-00\n").unwrap();
    let (p, code) = json(&[
        "plan",
        "--from",
        "P0S3-07-4-00",
        "--to",
        "P0S3-8-12-00",
        "--bundles",
        &fw.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{p}");
    let actions = p["steps"][0]["actions"].as_array().unwrap();
    assert!(
        !actions
            .iter()
            .any(|a| a["text"].as_str().unwrap().starts_with("remove")),
        "{p}"
    );
    let rs = r.to_string_lossy().to_string();
    for a in actions {
        if a["text"].as_str().unwrap().contains("(loadsmith stage ") {
            let (s, code) = json(&[
                "stage",
                "--target",
                "P0S3-8-12-00",
                "--from",
                &fw.to_string_lossy(),
                &rs,
            ]);
            assert_eq!(code, 0, "{s}");
        } else {
            apply_action(&r, a);
        }
    }
    let doc = boot(&r, "7960", &["--running", "P0S3-07-4-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let doc = boot(&r, "7961", &["--running", "SCCP41.9-4-2SR3-1S"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "SCCP41.9-4-2SR3-1S".into()),
        "{doc}"
    );
    let (c, _) = json(&["check", &rs]);
    assert_eq!(c["summary"]["errors"], 0, "{c}");
}

/// Where the seeds are silent the verdict is uncertain, naming both readings
/// and the fix: a `dynamic_ftp` address (000: it "will force the phone to
/// use a different server"); a bare and a numbered loadInformation that
/// disagree ("No document says which a phone takes"); a pre-loader SCCP
/// phone whose SEP<MAC>.cnf.xml names nothing while XMLDefault names an image
/// (rule 4's reasoning before the loader). A zero-padded device type is a
/// note; "runs from flash" says it assumes one TFTP server.
#[test]
fn silence_is_uncertain_round_2() {
    let sep = format!("SEP{MAC}.cnf.xml");
    let ftp = root(
        &sip812(),
        &[(
            "SIPDefault.cnf",
            "image_version: P0S3-8-12-00\ndynamic_ftp: 10.9.9.9\n",
        )],
    );
    let doc = boot(ftp.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .contains("dynamic_ftp 10.9.9.9"),
        "{doc}"
    );
    let (c, _) = json(&["check", &ftp.path().to_string_lossy()]);
    assert!(
        messages(&c, "phone-uncertain")
            .iter()
            .any(|m| m.contains("dynamic_ftp")),
        "{c}"
    );

    let xml = "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7><loadInformation>P0S3-8-11-00</loadInformation></Default>";
    let both = root(&sip812(), &[("XMLDefault.cnf.xml", xml)]);
    let doc = boot(both.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(
        msg.contains("P0S3-8-12-00") && msg.contains("P0S3-8-11-00") && msg.contains("bare"),
        "{msg}"
    );

    let pre = root(
        &sccp812(),
        &[
            (&sep, "<device></device>"),
            ("XMLDefault.cnf.xml", XML_7960_SR02),
        ],
    );
    let doc = boot(pre.path(), "7960", &["--running", "P00305000500"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(msg.contains(&sep) && msg.contains("P0030801SR02"), "{msg}");

    let padded = "<Default><loadInformation00007 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation00007></Default>";
    let pad = root(&sip812(), &[("XMLDefault.cnf.xml", padded)]);
    let doc = boot(pad.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    assert!(
        doc["decisions"].to_string().contains("zero-padded"),
        "{doc}"
    );

    let none = root(&Files::new(), &[]);
    let doc = boot(none.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert!(
        doc["decisions"].to_string().contains("one TFTP server"),
        "{doc}"
    );
}

/// A real tree's template `SEP000000000000.cnf.xml` is no phone: check walks
/// "a phone with no per-phone file" with a MAC no file of the root has.
#[test]
fn the_fleet_walks_a_mac_no_file_names() {
    let tpl = "<device><loadInformation>P0S3-8-11-00</loadInformation></device>";
    let d = root(
        &sip812(),
        &[
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
            ("SEP000000000000.cnf.xml", tpl),
        ],
    );
    let (c, _) = json(&["check", &d.path().to_string_lossy()]);
    let row = fleet_row(&c, "7960");
    assert_eq!(row["kind"], "settles", "{c}");
    assert_eq!(row["image"], "P0S3-8-12-00", "{c}");
}

/// Staging the 7941/7961 SCCP load into a root that serves SIP 8.12 to
/// 7940/7960 through SIPDefault.cnf: the new XMLDefault.cnf.xml would come
/// first in their hunt and name nothing (rule 4). The fix is certain, so the
/// stage applies it, with the diff shown: XMLDefault names, for 7940/7960,
/// the load they settle on today.
#[test]
fn stage_keeps_a_mixed_fleet_consistent_by_itself() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sccp41.zip");
    zip(&fw, &sccp41());
    let r = d.path().join("root");
    std::fs::create_dir(&r).unwrap();
    write_files(&r, &sip812());
    std::fs::write(r.join("OS79XX.TXT"), "P003-8-12-00\r\n").unwrap();
    std::fs::write(r.join("SIPDefault.cnf"), "image_version: P0S3-8-12-00\n").unwrap();
    let rs = r.to_string_lossy().to_string();
    let (s, code) = json(&[
        "stage",
        "--target",
        "SCCP41.9-4-2SR3-1S",
        "--from",
        &fw.to_string_lossy(),
        &rs,
    ]);
    assert_eq!(code, 0, "{s}");
    let shown = s.to_string();
    assert!(
        shown.contains("loadInformation7") && shown.contains("loadInformation8"),
        "{s}"
    );
    let xml = std::fs::read_to_string(r.join("XMLDefault.cnf.xml")).unwrap();
    assert!(xml.contains(">P0S3-8-12-00</loadInformation7>"), "{xml}");
    assert!(xml.contains(">SCCP41.9-4-2SR3-1S<"), "{xml}");
    let doc = boot(&r, "7960", &["--running", "P0S3-8-12-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let doc = boot(&r, "7961", &["--running", "SCCP41.8-5-4S"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "SCCP41.9-4-2SR3-1S".into()),
        "{doc}"
    );
    let (c, _) = json(&["check", &rs]);
    assert_eq!(c["summary"]["errors"], 0, "{c}");
}

/// A bare `<loadInformation>` (the field guide's file) naming a load the root
/// does not hold, next to the numbered entries a stage adds: whatever `check`
/// would call an error right after the stage, the stage reports first.
#[test]
fn a_bare_entry_left_naming_a_missing_load_is_reported_by_the_stage() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    zip(&fw, &sip812());
    let r = d.path().join("root");
    std::fs::create_dir(&r).unwrap();
    let bare = "<Default>\n<loadInformation>P0S3-8-11-00</loadInformation>\n</Default>\n";
    std::fs::write(r.join("XMLDefault.cnf.xml"), bare).unwrap();
    let rs = r.to_string_lossy().to_string();
    let (s, code) = json(&[
        "stage",
        "--target",
        "P0S3-8-12-00",
        "--from",
        &fw.to_string_lossy(),
        &rs,
    ]);
    // Refused, naming the bare entry and the fix; nothing written.
    assert_eq!(code, 1, "{s}");
    let said = s.to_string();
    assert!(
        said.contains("bare <loadInformation>") && said.contains("P0S3-8-11-00"),
        "{s}"
    );
    assert!(said.contains("Keep one entry for the model"), "{s}");
    assert_eq!(
        std::fs::read_to_string(r.join("XMLDefault.cnf.xml")).unwrap(),
        bare
    );
}

mod property {
    use super::*;
    use proptest::prelude::*;

    const SIP: [&str; 3] = [
        "",
        "image_version: P0S3-8-12-00\n",
        "image_version: P0S3-8-11-00\n",
    ];
    const XML: [&str; 5] = [
        "",
        "<Default><loadInformation>P0S3-8-11-00</loadInformation></Default>",
        "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-11-00</loadInformation7></Default>",
        "<Default><loadInformation8 model=\"IP Phone 7940\">P0S3-8-12-00</loadInformation8></Default>",
        "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7><loadInformation>P0S3-8-11-00</loadInformation></Default>",
    ];
    const SEP: [&str; 3] = [
        "",
        "<device></device>",
        "<device><loadInformation>P0S3-8-11-00</loadInformation></device>",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
        /// `stage` refuses exactly when, after the same stage forced, a
        /// served phone (7940, 7960, loader era) would not reach the target.
        #[test]
        fn stage_refuses_exactly_when_a_served_phone_would_not_reach_the_target(sip in 0..3usize, xml in 0..5usize, sep in 0..3usize) {
            let d = tempfile::tempdir().unwrap();
            let fw = d.path().join("sip812.zip");
            zip(&fw, &sip812());
            let r = d.path().join("root");
            std::fs::create_dir(&r).unwrap();
            for (name, text) in [("SIPDefault.cnf", SIP[sip]), ("XMLDefault.cnf.xml", XML[xml]), ("SEP000000000000.cnf.xml", SEP[sep])] {
                if !text.is_empty() {
                    std::fs::write(r.join(name), text).unwrap();
                }
            }
            let (rs, fws) = (r.to_string_lossy().to_string(), fw.to_string_lossy().to_string());
            let (s, code) = json(&["stage", "--target", "P0S3-8-12-00", "--from", &fws, "--dry-run", &rs]);
            prop_assert!(code == 0 || code == 1, "{}", s);
            let (f, fcode) = json(&["stage", "--force", "--target", "P0S3-8-12-00", "--from", &fws, &rs]);
            prop_assert_eq!(fcode, 0, "{}", f);
            let (c, _) = json(&["check", &rs]);
            let mut fails = Vec::new();
            for model in ["7940", "7960"] {
                let row = fleet_row(&c, model);
                if row["kind"] != "settles" || row["image"] != "P0S3-8-12-00" {
                    fails.push(format!("{model}: {row}"));
                }
            }
            prop_assert_eq!(code == 1, !fails.is_empty(), "stage {} / after a forced stage {:?}", s, fails);
        }
    }
}

/// 000: the loads file carries "an LA_VERSION command (used to determine if
/// the universal application loader needs to be upgraded)". A phone of
/// unknown history may hold the loader its LA_VERSION names: when the root
/// lacks the loader file, that phone is uncertain, not looping; a phone whose
/// image is known (another release, another loader) loops on it.
#[test]
fn la_version_may_spare_the_loader_fetch() {
    let d = root(
        &without(sip812(), "P003-8-12-00.sbn"),
        &[("SIPDefault.cnf", "image_version: P0S3-8-12-00\n")],
    );
    let doc = boot(d.path(), "7960", &["--running", "its current load"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(
        msg.contains("LA_VERSION") && msg.contains("P003-8-12-00.sbn"),
        "{msg}"
    );
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(doc["verdict"]["kind"], "loops", "{doc}");
    assert_eq!(doc["verdict"]["file"], "P003-8-12-00.sbn", "{doc}");
}
