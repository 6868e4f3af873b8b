//! The phone model's rules (docs/boot.md), each through the real binary and
//! named after the seed sentence it follows; and the examples of the issue
//! "One phone model", where stage, check, boot and plan disagreed.

use std::path::Path;

use crate::support::*;

const MAC: &str = "0011BB73AD61";

/// A folder holding `files` and the configuration files given.
fn root(files: &Files, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (n, b) in files {
        std::fs::write(d.path().join(n), b).unwrap();
    }
    for (n, b) in extra {
        std::fs::write(d.path().join(n), b).unwrap();
    }
    d
}

fn boot(dir: &Path, model: &str, args: &[&str]) -> serde_json::Value {
    let d = dir.to_string_lossy().to_string();
    let mut a = vec!["boot", &d, "--mac", MAC, "--model", model];
    a.extend_from_slice(args);
    json(&a).0
}

fn verdict(doc: &serde_json::Value) -> (String, String) {
    (
        doc["verdict"]["kind"].as_str().unwrap().to_string(),
        doc["verdict"]["image"].as_str().unwrap_or("").to_string(),
    )
}

/// The files a walk asked for, in order (of one pass, when given).
fn requested(doc: &serde_json::Value, pass: Option<u64>) -> Vec<String> {
    doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| pass.is_none_or(|p| r["pass"] == p))
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect()
}

/// The messages of a check's findings of `code`.
fn messages(doc: &serde_json::Value, code: &str) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// A check's first fleet row of `model`.
fn fleet_row<'a>(doc: &'a serde_json::Value, model: &str) -> &'a serde_json::Value {
    doc["fleet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == model)
        .unwrap()
}

fn first_request(doc: &serde_json::Value) -> String {
    doc["requests"][0]["file"].as_str().unwrap().to_string()
}

/// Seed 000, "Original Boot Mechanism": "During the phone bootup, regardless
/// of protocol, the first file requested is the OS79XX.TXT file." (for
/// images before the universal loader: SCCP < 6, SIP and MGCP < 7).
#[test]
fn rule_1_a_pre_loader_phone_asks_for_os79xx_first() {
    let d = root(
        &sip812(),
        &[
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
            ("OS79XX.TXT", "P003-8-12-00\r\n"),
        ],
    );
    for running in ["P0S3-06-3-00", "P00305000500", "P0030301MFG2"] {
        let doc = boot(d.path(), "7960", &["--running", running]);
        assert_eq!(first_request(&doc), "OS79XX.TXT", "{running}: {doc}");
    }
    // "If the first four characters do not match ... the universal boot
    // mechanism will attempt to load the new protocol image": SIP 6.3 loads
    // the loader OS79XX.TXT names, reboots, and the loader reaches 8.12.
    let doc = boot(d.path(), "7960", &["--running", "P0S3-06-3-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let files = requested(&doc, None);
    assert_eq!(files[..2], ["OS79XX.TXT", "P003-8-12-00.sbn"], "{doc}");
    // "If the first four characters match, the universal boot mechanism is
    // bypassed": a 5.x SCCP phone reads its SCCP files, which name nothing
    // here, and keeps its image.
    let doc = boot(d.path(), "7960", &["--running", "P00305000500"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P00305000500".into()),
        "{doc}"
    );
    // A phone below 5.x takes the unsigned loader: "P003.....bin—Nonsecure
    // universal application loader for upgrades from pre-5.x images" (rule 6).
    let doc = boot(d.path(), "7960", &["--running", "P0S3-04-4-00"]);
    assert!(
        requested(&doc, None)
            .iter()
            .any(|f| f == "P003-8-12-00.bin"),
        "{doc}"
    );
}

/// Seed 000, "Universal Application Loader": "The hunt algorithm searches
/// for files in the following order: CTLSEP…, SEP…, SIP…, MGC…, XMLDefault,
/// SIPDefault, MGCDefault." Field-facts for the 79x1 family.
#[test]
fn rule_2_the_loader_hunts_in_the_vendor_order() {
    let d = root(
        &sip812(),
        &[("SIPDefault.cnf", "image_version: P0S3-8-12-00\n")],
    );
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    let pass1: Vec<String> = requested(&doc, Some(1)).into_iter().take(6).collect();
    assert_eq!(
        pass1,
        [
            format!("CTLSEP{MAC}.tlv"),
            format!("SEP{MAC}.cnf.xml"),
            format!("SIP{MAC}.cnf"),
            format!("MGC{MAC}.cnf"),
            "XMLDefault.cnf.xml".into(),
            "SIPDefault.cnf".into()
        ]
    );
    let d = root(&sccp41(), &[]);
    let doc = boot(d.path(), "7961", &["--running", "SCCP41.8-5-4S"]);
    let pass1: Vec<String> = requested(&doc, None).into_iter().take(4).collect();
    assert_eq!(
        pass1,
        [
            format!("CTLSEP{MAC}.tlv"),
            format!("ITLSEP{MAC}.tlv"),
            format!("SEP{MAC}.cnf.xml"),
            "XMLDefault.cnf.xml".into()
        ]
    );
}

/// Field guide: "edit the loadInformation tag within the XMLDefault.cnf.xml
/// file with the firmware you want" (a bare <loadInformation>); readers
/// confirm it for 7940/7960 and 7941. A numbered entry for the model wins.
#[test]
fn rule_3_bare_and_numbered_load_information() {
    let bare = "<Default>\n<loadInformation>P0S3-8-12-00</loadInformation>\n</Default>\n";
    let d = root(&sip812(), &[("XMLDefault.cnf.xml", bare)]);
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let (c, code) = json(&["check", &d.path().to_string_lossy()]);
    assert_eq!(code, 0, "{c}");
    let row = fleet_row(&c, "7960");
    assert_eq!(
        (
            row["kind"].as_str().unwrap(),
            row["image"].as_str().unwrap()
        ),
        ("settles", "P0S3-8-12-00"),
        "{c}"
    );
    // The readers' 7941: a bare entry naming its own family's load.
    let bare41 = "<Default>\n<loadInformation>SCCP41.9-4-2SR3-1S</loadInformation>\n</Default>\n";
    let d = root(&sccp41(), &[("XMLDefault.cnf.xml", bare41)]);
    let doc = boot(d.path(), "7941", &["--running", "SCCP41.8-5-4S"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "SCCP41.9-4-2SR3-1S".into()),
        "{doc}"
    );
    // Both, disagreeing: no document says which a phone takes (issue 21).
    let both = "<Default>\n<loadInformation>P0S3-8-11-00</loadInformation>\n<loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7>\n</Default>\n";
    let d = root(&sip812(), &[("XMLDefault.cnf.xml", both)]);
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(
        verdict(&doc),
        ("uncertain".into(), "P0S3-8-11-00".into()),
        "{doc}"
    );
    // Both, agreeing: nothing to choose.
    let same = both.replace("P0S3-8-11-00", "P0S3-8-12-00");
    let d = root(&sip812(), &[("XMLDefault.cnf.xml", &same)]);
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
}

/// Neither seed says what the loader does when the file that decides names
/// nothing for the model: uncertain, with both readings and the fix.
#[test]
fn rule_4_silence_is_uncertain() {
    let xml = "<Default>\n<loadInformation115 model=\"IP Phone 7941\">SCCP41.9-4-2SR3-1S</loadInformation115>\n</Default>\n";
    let mut files = sip812();
    files.extend(sccp41());
    let d = root(
        &files,
        &[
            ("XMLDefault.cnf.xml", xml),
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
        ],
    );
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(
        msg.contains("P0S3-8-11-00 from flash") && msg.contains("P0S3-8-12-00 from SIPDefault.cnf"),
        "{msg}"
    );
    assert!(
        msg.contains("loadInformation7 naming P0S3-8-12-00"),
        "{msg}"
    );
    let (c, _) = json(&["check", &d.path().to_string_lossy()]);
    assert!(finding_of(&c, "phone-uncertain").is_some(), "{c}");
}

fn finding_of<'a>(doc: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
}

/// Seed 000, Procedure C note: "the loadInformation tag in the XML
/// Default.cnf.xml file must reflect the Universal Application Loader Image
/// (P003-xx-y-zz)". plan, stage --running and boot agree on it.
#[test]
fn rule_5_the_procedure_c_loader_is_a_real_step() {
    let (p, code) = json(&["plan", "--from", "P00305000500", "--to", "P0S3-8-12-00"]);
    assert_eq!(code, 0, "{p}");
    assert_eq!(p["steps"][0]["procedure"], "C", "{p}");
    let actions = p["steps"][0]["actions"].as_array().unwrap();
    assert!(
        actions
            .iter()
            .any(|a| a["file"] == "XMLDefault.cnf.xml" && a["value"] == "P003-8-12-00"),
        "{p}"
    );
    assert!(
        actions.iter().any(|a| a["text"]
            .as_str()
            .unwrap()
            .contains("--running P00305000500")),
        "{p}"
    );
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    zip(&fw, &sip812());
    let r = d.path().join("root");
    std::fs::create_dir(&r).unwrap();
    let (s, code) = json(&[
        "stage",
        "--target",
        "P0S3-8-12-00",
        "--running",
        "P00305000500",
        "--from",
        &fw.to_string_lossy(),
        &r.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{s}");
    let doc = boot(&r, "7960", &["--running", "P00305000500"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let files = requested(&doc, None);
    assert!(
        files[0] == "OS79XX.TXT" && files.iter().any(|f| f == "P003-8-12-00.sbn"),
        "{files:?}"
    );
    let (c, code) = json(&["check", &r.to_string_lossy()]);
    assert_eq!(code, 0, "{c}");
}

/// Seed 000: "Versions prior to 5.x accept unsigned binary files." The
/// SCCP 8.1(2)SR2 bundle's loader is P0030801SR02.sbn; its .bin is staged too.
#[test]
fn rule_6_stage_keeps_the_unsigned_loader() {
    let body = image_body("P0030801SR02", 4000);
    let files: Files = vec![
        (
            "P0030801SR02.loads".into(),
            signed(
                "P0030801SR02.loads",
                b"P0030801SR02.sbn\nP0030801SR02.sb2\nLA_VERSION=PAS30831\n",
            ),
        ),
        ("P0030801SR02.sbn".into(), signed("P0030801SR02.sbn", &body)),
        ("P0030801SR02.bin".into(), body.clone()),
        (
            "P0030801SR02.sb2".into(),
            signed("P0030801SR02.sb2", &image_body("P0030801SR02", 9000)),
        ),
    ];
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("cmterm-7940-7960-sccp.8-1-2SR2.zip");
    zip(&fw, &files);
    let r = d.path().join("root");
    std::fs::create_dir(&r).unwrap();
    let (s, code) = json(&[
        "stage",
        "--target",
        "P0030801SR02",
        "--from",
        &fw.to_string_lossy(),
        &r.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{s}");
    assert_eq!(std::fs::read(r.join("P0030801SR02.bin")).unwrap(), body);
    // A 3.x SCCP phone loads it, as the matrix allows (Procedure A).
    let doc = boot(&r, "7960", &["--running", "P00303020400"]);
    assert!(
        requested(&doc, None)
            .iter()
            .any(|f| f == "P0030801SR02.bin"),
        "{doc}"
    );
}

/// Field guide: "7940/60 firmware is not compatible with 7975 phones or any
/// other Cisco phones." A phone runs its own family's images only.
#[test]
fn rule_7_one_family() {
    let xml = "<Default>\n<loadInformation437 model=\"IP Phone 7975\">P0S3-8-12-00</loadInformation437>\n<loadInformation115 model=\"IP Phone 7941\">P0S3-8-12-00</loadInformation115>\n<loadInformation7 model=\"IP Phone 7960\">SCCP41.9-4-2SR3-1S</loadInformation7>\n</Default>\n";
    let mut files = sip812();
    files.extend(sccp41());
    let d = root(&files, &[("XMLDefault.cnf.xml", xml)]);
    for model in ["7975", "7941"] {
        let doc = boot(d.path(), model, &[]);
        assert_eq!(doc["verdict"]["kind"], "error", "{model}: {doc}");
        assert!(
            doc["verdict"]["message"]
                .as_str()
                .unwrap()
                .contains("a 7940/7960 image"),
            "{doc}"
        );
    }
    let doc = boot(d.path(), "7960", &[]);
    assert_eq!(doc["verdict"]["kind"], "error", "{doc}");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .contains("a load of family 41"),
        "{doc}"
    );
    let (c, code) = json(&["check", &d.path().to_string_lossy()]);
    assert_eq!(code, 1, "{c}");
    assert!(finding_of(&c, "phone-fails").is_some(), "{c}");
    // A 7942 load under the 7940's number is an error naming both; a label
    // naming another model than the number, and two entries giving one
    // model different loads, are warnings.
    let xml = "<Default>\n<loadInformation8 model=\"IP Phone 7962\">SCCP42.9-4-2SR3-1S</loadInformation8>\n<loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7>\n<loadInformation7 model=\"IP Phone 7960\">P0S3-8-11-00</loadInformation7>\n</Default>\n";
    let mut files = sip812();
    files.extend(family_load(
        "SCCP42.9-4-2SR3-1S",
        "42",
        "sccp",
        "9-4-2ES26",
        &["42", "62"],
    ));
    let d = root(&files, &[("XMLDefault.cnf.xml", xml)]);
    let (c, code) = json(&["check", &d.path().to_string_lossy()]);
    assert_eq!(code, 1, "{c}");
    let fails = messages(&c, "phone-fails");
    assert!(
        fails.iter().any(|m| m.contains("7940")
            && m.contains("SCCP42.9-4-2SR3-1S")
            && m.contains("family 42")),
        "{fails:?}"
    );
    let labels = messages(&c, "model-label");
    assert!(
        labels
            .iter()
            .any(|m| m.contains("model=\"IP Phone 7962\"") && m.contains("the 7940's device type")),
        "{labels:?}"
    );
    assert!(
        labels
            .iter()
            .any(|m| m.contains("two loadInformation7 entries")),
        "{labels:?}"
    );
}

/// Field facts: the factory reset "clears settings and network
/// configuration, not the image in flash" on a 7940/7960; the 79x1 family
/// asks for term<MM>.default.loads.
#[test]
fn rule_8_factory_reset() {
    let d = root(
        &sip812(),
        &[("SIPDefault.cnf", "image_version: P0S3-8-12-00\n")],
    );
    let doc = boot(
        d.path(),
        "7960",
        &["--running", "P0S3-05-3-00", "--factory-reset"],
    );
    assert_eq!(doc["verdict"]["kind"], "error", "{doc}");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .contains("vendor matrix"),
        "{doc}"
    );
    let d = root(&sccp41(), &[]);
    let doc = boot(d.path(), "7961", &["--factory-reset"]);
    assert_eq!(first_request(&doc), "term61.default.loads", "{doc}");
}

/// Seed 002: "if the phone just keeps downloading the term.defaults file
/// constantly": the verdict names the term file and what it could not get.
#[test]
fn rule_9_a_loop_names_the_term_file_and_the_component() {
    let d = root(&without(sccp41(), "cnu41.9-4-2ES26.sbn"), &[]);
    let doc = boot(d.path(), "7941", &["--factory-reset"]);
    assert_eq!(doc["verdict"]["kind"], "loops", "{doc}");
    assert_eq!(doc["verdict"]["file"], "term41.default.loads", "{doc}");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .contains("cnu41.9-4-2ES26.sbn"),
        "{doc}"
    );
}

/// The examples: stage SIP 8.12, then a 7941 load into the same
/// root. The new XMLDefault.cnf.xml would capture 7940/7960 phones (it comes
/// before SIPDefault.cnf): stage and --dry-run refuse, naming the fix; with
/// --force, check and boot say the same.
#[test]
fn a_new_xmldefault_keeps_the_7960s_it_would_capture() {
    let d = tempfile::tempdir().unwrap();
    let (sip, fam) = (d.path().join("sip.zip"), d.path().join("sip41.zip"));
    zip(&sip, &sip812());
    zip(
        &fam,
        &family_load("SIP41.9-4-2SR1-1S", "41", "sip", "9-4-2ES9", &["41", "61"]),
    );
    let r = d.path().join("root");
    std::fs::create_dir(&r).unwrap();
    let rs = r.to_string_lossy().to_string();
    loadsmith()
        .args([
            "stage",
            "--target",
            "P0S3-8-12-00",
            "--from",
            &sip.to_string_lossy(),
            &rs,
        ])
        .assert()
        .success();
    // The new XMLDefault.cnf.xml comes first in the 7960's hunt: the stage
    // names in it what 7940/7960 settle on today (issue 21, group 5), and
    // shows it in the diff; a dry run writes nothing.
    let (dry, code) = json(&[
        "stage",
        "--target",
        "SIP41.9-4-2SR1-1S",
        "--from",
        &fam.to_string_lossy(),
        "--dry-run",
        &rs,
    ]);
    assert_eq!(code, 0, "{dry}");
    assert!(
        dry.to_string().contains(
            "<loadInformation7 model=\\\"IP Phone 7960\\\">P0S3-8-12-00</loadInformation7>"
        ),
        "{dry}"
    );
    assert!(!r.join("XMLDefault.cnf.xml").exists());
    loadsmith()
        .args([
            "stage",
            "--target",
            "SIP41.9-4-2SR1-1S",
            "--from",
            &fam.to_string_lossy(),
            &rs,
        ])
        .assert()
        .success();
    let (c, _) = json(&["check", &rs]);
    let row = fleet_row(&c, "7960");
    assert_eq!(row["kind"], "settles", "{c}");
    let doc = boot(&r, "7960", &["--running", "P0S3-8-12-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
}

/// Field facts: "the file names, and the name a phone is told to fetch, must
/// be the vendor's own spelling (the one inside the signed header)".
#[test]
fn rule_10_plan_writes_the_vendors_spelling() {
    let (p, code) = json(&["plan", "--from", "P00305000500", "--to", "P0S3-08-12-00"]);
    assert_eq!(code, 0, "{p}");
    // Without --bundles, the names whose vendor files are known are spelled
    // as those files are (field-facts: "vendor files for SIP 8.12 are named
    // P0S3-8-12-00.*"); the padded P0S3-08-12-00 names no vendor file.
    let text = p["steps"].to_string();
    assert!(!text.contains("08-12"), "{text}");
    assert!(
        text.contains("P003-8-12-00") && text.contains("P0S3-8-12-00"),
        "{text}"
    );
    assert!(!p["notes"].to_string().contains("spelled as typed"), "{p}");
    // A name no real file is known for is still said to be spelled as typed.
    let (p, _) = json(&["plan", "--from", "P00305000500", "--to", "P0S3-07-1-00"]);
    assert!(
        p["notes"]
            .to_string()
            .contains("P0S3-07-1-00: spelled as typed"),
        "{p}"
    );
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("sip812.zip");
    zip(&fw, &sip812());
    let (p, code) = json(&[
        "plan",
        "--from",
        "P00305000500",
        "--to",
        "P0S3-08-12-00",
        "--bundles",
        &fw.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{p}");
    let text = p["steps"].to_string();
    assert!(!text.contains("08-12"), "{text}");
    assert!(
        text.contains("P003-8-12-00") && text.contains("P0S3-8-12-00"),
        "{text}"
    );
    assert!(!p["notes"].to_string().contains("spelled as typed"), "{p}");
}

/// A pre-loader SIP set, as old vendor zips held it: the signed image alone.
fn pre_loader_sip(v: &str) -> Files {
    let app = format!("P0S3-{v}");
    vec![(
        format!("{app}.sbn"),
        signed(&format!("{app}.sbn"), &image_body(&app, 5000)),
    )]
}

/// `plan` is executable: each step of its plans, staged from bundles, takes
/// a phone (walked by `boot`) to that step's load, and the last to the target.
#[test]
fn every_step_of_a_plan_stages_and_boots_to_its_load() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("fw");
    std::fs::create_dir(&fw).unwrap();
    zip(&fw.join("sip812.zip"), &sip812());
    zip(&fw.join("sip63.zip"), &pre_loader_sip("06-3-00"));
    let fws = fw.to_string_lossy().to_string();
    for (from, to, steps) in [
        ("P0S3-05-3-00", "P0S3-8-12-00", 2),
        ("P0S3-06-3-00", "P0S3-8-12-00", 1),
        ("P00305000500", "P0S3-8-12-00", 1),
        ("P0S3-8-11-00", "P0S3-8-12-00", 1),
    ] {
        let (p, code) = json(&["plan", "--from", from, "--to", to, "--bundles", &fws]);
        assert_eq!(code, 0, "{p}");
        let plan_steps = p["steps"].as_array().unwrap();
        assert_eq!(plan_steps.len(), steps, "{from} → {to}: {p}");
        let r = d.path().join(format!("root-{from}"));
        std::fs::create_dir(&r).unwrap();
        let rs = r.to_string_lossy().to_string();
        let mut running = from.to_string();
        for step in plan_steps {
            let load = step["load"].as_str().unwrap();
            let stage_text = step["actions"][0]["text"].as_str().unwrap();
            let mut args = vec!["stage", "--target", load, "--from", &fws];
            if stage_text.contains("--running") {
                args.extend(["--running", from]);
            }
            args.push(&rs);
            let (s, code) = json(&args);
            assert_eq!(code, 0, "{from} → {to}, step {load}: {s}");
            let doc = boot(&r, "7960", &["--running", &running]);
            assert_eq!(
                verdict(&doc),
                ("settles".into(), load.to_string()),
                "{from} → {to}, step {load}: {doc}"
            );
            running = load.to_string();
        }
        assert_eq!(running, to);
    }
}

/// check, boot and log --root agree on random roots.
mod property;

/// A pointer may name a term file (`term70.default`): phones fetch
/// `term70.default.loads`, and check, stage and boot agree it resolves.
#[test]
fn a_pointer_may_name_a_term_file() {
    let files = family_load(
        "SCCP70.9-4-2SR3-1S",
        "70",
        "sccp",
        "9-4-2ES26",
        &["70", "71"],
    );
    let xml = "<Default>\n<loadInformation30006 model=\"IP Phone 7970\">term70.default</loadInformation30006>\n</Default>\n";
    let d = root(&files, &[("XMLDefault.cnf.xml", xml)]);
    let (c, code) = json(&["check", &d.path().to_string_lossy()]);
    assert_eq!(code, 0, "{c}");
    assert_eq!(fleet_row(&c, "7970")["kind"], "settles", "{c}");
    let doc = boot(d.path(), "7970", &["--running", "SCCP70.8-5-4S"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "term70.default".into()),
        "{doc}"
    );
}

/// Issue 21, "The phone model, round 2".
mod round2;

/// Issue 21's leftovers.
mod round3;
