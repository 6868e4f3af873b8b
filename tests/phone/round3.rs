//! Issue 21's leftovers: the real SIP 8.12 log read with and without the
//! root, the readings a pre-5.x phone leaves open, LA_VERSION once the
//! running loader is known. Each test is named after the sentence it rests
//! on (`docs/boot.md`).

use super::{MAC, boot, requested, root, verdict};
use crate::support::*;

/// One phone's tftpd-hpa lines (`-v -v`) as syslog writes them: a request,
/// and for a refused one the server's NAK (code and text as the real
/// `in.tftpd` sends them: `1, File not found`; `0, Permission denied`).
fn syslog(client: &str, requests: &[(String, Option<&str>)]) -> String {
    let mut l = String::new();
    for (i, (f, nak)) in requests.iter().enumerate() {
        let pid = 2000 + i;
        let at = format!("Nov 22 03:{:02}:{:02}", i / 60, i % 60);
        l.push_str(&format!(
            "{at} pbx in.tftpd[{pid}]: RRQ from {client} filename {f}\n"
        ));
        if let Some(nak) = nak {
            l.push_str(&format!(
                "{at} pbx in.tftpd[{pid}]: sending NAK ({nak}) to {client}\n"
            ));
        }
    }
    l
}

const NOT_FOUND: Option<&str> = Some("1, File not found");

/// field-facts.md, the real 7960 (SIP 8.12) log, request for request:
/// "`CTLSEP…tlv`, `SEP…cnf.xml`, `SIP…cnf`, `MGC…cnf`, `XMLDefault.cnf.xml`,
/// `P0S3-8-12-00.loads`, `P003-8-12-00.sbn`, reboot, the same hunt again, then
/// `P0S3-8-12-00.loads`, `P0S3-8-12-00.sb2`, `SIPDefault.cnf`, `SIP<MAC>.cnf`",
/// on a root that has no `SIP<MAC>.cnf` (its last request answered `nak`).
fn real_sip_812_log(last: Option<&str>) -> String {
    let hunt = || -> Vec<(String, Option<&str>)> {
        vec![
            (format!("CTLSEP{MAC}.tlv"), NOT_FOUND),
            (format!("SEP{MAC}.cnf.xml"), NOT_FOUND),
            (format!("SIP{MAC}.cnf"), NOT_FOUND),
            (format!("MGC{MAC}.cnf"), NOT_FOUND),
            ("XMLDefault.cnf.xml".into(), None),
        ]
    };
    let mut r = hunt();
    r.push(("P0S3-8-12-00.loads".into(), None));
    r.push(("P003-8-12-00.sbn".into(), None));
    r.extend(hunt());
    r.push(("P0S3-8-12-00.loads".into(), None));
    r.push(("P0S3-8-12-00.sb2".into(), None));
    r.push(("SIPDefault.cnf".into(), None));
    r.push((format!("SIP{MAC}.cnf"), last));
    syslog("10.0.0.9", &r)
}

/// The root of that log: the vendor's SIP 8.12 set, `XMLDefault.cnf.xml`
/// naming it for the 7960 (field-facts' `loadInformation7` line) and
/// `SIPDefault.cnf`; no `SIP<MAC>.cnf`.
fn real_sip_812_root() -> tempfile::TempDir {
    root(
        &sip812(),
        &[
            (
                "XMLDefault.cnf.xml",
                "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7></Default>",
            ),
            ("SIPDefault.cnf", "image_version: \"P0S3-8-12-00\"\n"),
        ],
    )
}

/// field-facts' real SIP 8.12 log ends asking for `SIP<MAC>.cnf`, which the
/// phone may lack (000: "For SIP, the SIPDefault.cnf and SIP<mac-address>.cnf
/// files are downloaded"; the walk goes on without it): `log` says it
/// settles on P0S3-8-12-00, with the root (the walk of a 7960 lines up with
/// every request) and without; a `SIP<MAC>.cnf` the server refuses otherwise
/// ("Permission denied", as the real in.tftpd answers an unreadable file) is
/// not settled.
#[test]
fn the_real_sip_812_log_settles_without_a_mac_file() {
    let d = real_sip_812_root();
    let log = d.path().join("syslog");
    std::fs::write(&log, real_sip_812_log(NOT_FOUND)).unwrap();
    let (logs, roots) = (log.to_string_lossy(), d.path().to_string_lossy());
    let (doc, code) = json(&["log", &logs, "--root", &roots]);
    assert_eq!(code, 0, "{doc}");
    let phone = &doc["phones"][0];
    assert_eq!(phone["kind"], "settles", "{doc}");
    assert!(
        phone["verdict"]
            .as_str()
            .unwrap()
            .starts_with("settles on P0S3-8-12-00"),
        "{phone}"
    );
    let p = &phone["predicted"];
    assert_eq!(p["model"], "7960", "{p}");
    assert!(
        p["verdict"]
            .as_str()
            .unwrap()
            .starts_with("settles on P0S3-8-12-00"),
        "{p}"
    );
    assert!(
        p["expected"].is_null() && p["asked"].is_null(),
        "the log parts from the walk: {p}"
    );
    // The human form says the same.
    let out = loadsmith()
        .args(["log", &*logs, "--root", &*roots])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("settles  10.0.0.9")
            && text.contains("the root predicts (7960, loader era): settles on P0S3-8-12-00"),
        "{text}"
    );
    // Without the root: the log alone.
    let (doc, code) = json(&["log", &logs]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["phones"][0]["kind"], "settles", "{doc}");
    assert!(
        doc["phones"][0]["verdict"]
            .as_str()
            .unwrap()
            .starts_with("settles on P0S3-8-12-00"),
        "{doc}"
    );
    // The root the brief names (the set and SIPDefault.cnf, no
    // XMLDefault.cnf.xml): the phone still settles, but the quoted log asks
    // for the .loads right after XMLDefault.cnf.xml, where a phone on this
    // root asks for SIPDefault.cnf: the log parts from the walk there.
    std::fs::remove_file(d.path().join("XMLDefault.cnf.xml")).unwrap();
    let (doc, code) = json(&["log", &logs, "--root", &roots]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["phones"][0]["kind"], "settles", "{doc}");
    let p = &doc["phones"][0]["predicted"];
    assert!(
        p["verdict"]
            .as_str()
            .unwrap()
            .starts_with("settles on P0S3-8-12-00"),
        "{p}"
    );
    assert_eq!(
        (&p["expected"], &p["asked"]),
        (
            &serde_json::json!("SIPDefault.cnf"),
            &serde_json::json!("P0S3-8-12-00.loads")
        ),
        "{p}"
    );
    // The MAC file is there but the server refuses it.
    std::fs::write(
        d.path().join(format!("SIP{MAC}.cnf")),
        "image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    std::fs::write(&log, real_sip_812_log(Some("0, Permission denied"))).unwrap();
    for args in [vec!["log", &*logs, "--root", &*roots], vec!["log", &*logs]] {
        let (doc, code) = json(&args);
        assert_eq!(code, 1, "{doc}");
        let phone = &doc["phones"][0];
        assert_eq!(phone["kind"], "stuck", "{doc}");
        let v = phone["verdict"].as_str().unwrap();
        assert!(
            v.contains(&format!("SIP{MAC}.cnf")) && v.contains("Permission denied"),
            "{v}"
        );
    }
}

/// SCCP 5.0(5) for 7940/7960 as a signed image (`.sbn`), with its unsigned
/// `.bin` when `bin`.
fn sccp_5(bin: bool) -> Files {
    let body = image_body("P00305000500", 5000);
    let mut f: Files = vec![("P00305000500.sbn".into(), signed("P00305000500.sbn", &body))];
    if bin {
        f.push(("P00305000500.bin".into(), body));
    }
    f
}

/// 000: "Versions prior to 5.x accept unsigned binary files" and the zip's
/// "P003.....bin—Nonsecure universal application loader for upgrades from
/// pre-5.x images"; no sentence says whether a pre-5.x phone asks for, or
/// takes, a signed `.sbn`. Told to load a signed image whose `.sbn` alone is
/// on the server, `boot` says uncertain with both readings and the fix; with
/// the `.bin` added it settles.
#[test]
fn versions_prior_to_5_accept_unsigned_files_a_lone_sbn_is_uncertain() {
    let sep = format!("SEP{MAC}.cnf.xml");
    let to_5 = "<device><loadInformation>P00305000500</loadInformation></device>";
    // Procedure A (SCCP 3.x or earlier, the manufacturing image: any SCCP image).
    for running in ["P00303030300", "P0030301MFG2"] {
        let d = root(&sccp_5(false), &[(sep.as_str(), to_5)]);
        let doc = boot(d.path(), "7960", &["--running", running]);
        assert_eq!(verdict(&doc), ("uncertain".into(), running.into()), "{doc}");
        assert_eq!(doc["verdict"]["file"], "P00305000500.bin", "{doc}");
        let msg = doc["verdict"]["message"].as_str().unwrap();
        for words in [
            "Versions prior to 5.x accept unsigned binary files",
            "under one reading it asks for P00305000500.bin and loops on it",
            "under the other it loads P00305000500.sbn",
            "Add P00305000500.bin",
        ] {
            assert!(msg.contains(words), "{words}: {msg}");
        }
        assert_eq!(
            requested(&doc, None).last().map(String::as_str),
            Some("P00305000500.bin"),
            "{doc}"
        );
        let d = root(&sccp_5(true), &[(sep.as_str(), to_5)]);
        let doc = boot(d.path(), "7960", &["--running", running]);
        assert_eq!(
            verdict(&doc),
            ("settles".into(), "P00305000500".into()),
            "{doc}"
        );
    }
    // The loader named by the Procedure C note, its .sbn alone.
    let xml = "<Default><loadInformation7 model=\"IP Phone 7960\">P003-8-12-00</loadInformation7></Default>";
    let extra = [
        ("XMLDefault.cnf.xml", xml),
        ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
    ];
    // No OS79XX.TXT: the phone carries on with its SCCP files.
    let set = without(sip812(), "OS79XX.TXT");
    let d = root(&without(set.clone(), "P003-8-12-00.bin"), &extra);
    let doc = boot(d.path(), "7960", &["--running", "P0030301MFG2"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    assert_eq!(doc["verdict"]["file"], "P003-8-12-00.bin", "{doc}");
    let d = root(&set, &extra);
    let doc = boot(d.path(), "7960", &["--running", "P0030301MFG2"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
}

/// SIP 8.11's `.loads` alone (the load a phone runs), giving `la`.
fn sip_811_list(la: &str) -> (String, Vec<u8>) {
    let body = format!("P003-8-11-00.sbn\nP0S3-8-11-00.sb2\nLA_VERSION={la}\n");
    (
        "P0S3-8-11-00.loads".into(),
        signed("P0S3-8-11-00.loads", body.as_bytes()),
    )
}

/// 000: the loads file carries "an LA_VERSION command (used to determine if
/// the universal application loader needs to be upgraded)". A phone running
/// SIP 8.11, whose `.loads` on the server gives the LA_VERSION SIP 8.12's
/// gives too, holds that loader: it does not ask for `P003-8-12-00.sbn`, and
/// reaches 8.12 where the root lacks it; with another LA_VERSION it needs the
/// loader and loops on it.
#[test]
fn la_version_equal_to_the_running_loaders_needs_no_loader() {
    let sip = [("SIPDefault.cnf", "image_version: P0S3-8-12-00\n")];
    for loader in [false, true] {
        let mut files = sip812();
        if !loader {
            files = without(files, "P003-8-12-00.sbn");
        }
        files.push(sip_811_list("PAS30830"));
        let d = root(&files, &sip);
        let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
        assert_eq!(
            verdict(&doc),
            ("settles".into(), "P0S3-8-12-00".into()),
            "loader on the server: {loader}: {doc}"
        );
        let asked = requested(&doc, None);
        assert!(
            !asked.iter().any(|f| f == "P003-8-12-00.sbn")
                && asked.iter().any(|f| f == "P0S3-8-12-00.sb2"),
            "{asked:?}"
        );
        assert!(
            doc["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d.as_str().unwrap().contains("LA_VERSION PAS30830")),
            "{doc}"
        );
    }
    // Another LA_VERSION: the loader needs an upgrade, and is not there.
    let mut files = without(sip812(), "P003-8-12-00.sbn");
    files.push(sip_811_list("PAS30820"));
    let d = root(&files, &sip);
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert_eq!(doc["verdict"]["kind"], "loops", "{doc}");
    assert_eq!(doc["verdict"]["file"], "P003-8-12-00.sbn", "{doc}");
}

/// 000: "Versions prior to 5.x accept unsigned binary files. Version 5.x and
/// later images accept only signed binary files." A phone known only to boot
/// by the original mechanism (its log starts with `OS79XX.TXT`; `boot
/// --running "its pre-loader image"`) may run either: told to load the
/// loader whose `.bin` alone is on the server, it is uncertain, not looping.
#[test]
fn a_pre_loader_phone_of_unknown_version_with_only_the_bin_is_uncertain() {
    let set = without(sip812(), "P003-8-12-00.sbn");
    let d = root(
        &without(set, "OS79XX.TXT"),
        &[
            ("OS79XX.TXT", "P003-8-12-00\r\n"),
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
        ],
    );
    let doc = boot(d.path(), "7960", &["--running", "its pre-loader image"]);
    assert_eq!(doc["verdict"]["kind"], "uncertain", "{doc}");
    assert_eq!(doc["verdict"]["file"], "P003-8-12-00.sbn", "{doc}");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(
        msg.contains("below 5.x it loads P003-8-12-00.bin")
            && msg.contains("from 5.x it loops asking for P003-8-12-00.sbn"),
        "{msg}"
    );
    // A phone whose version is known is not uncertain: 4.4 takes the .bin.
    let doc = boot(d.path(), "7960", &["--running", "P0S3-04-4-00"]);
    assert!(
        requested(&doc, None)
            .iter()
            .any(|f| f == "P003-8-12-00.bin"),
        "{doc}"
    );
    let doc = boot(d.path(), "7960", &["--running", "P0S3-06-3-00"]);
    assert_eq!(doc["verdict"]["kind"], "loops", "{doc}");
}

/// A pre-loader phone's log that shows it asking for the loader's unsigned
/// `.bin` is that of a phone below 5.x (000: "Versions prior to 5.x accept
/// unsigned binary files"): `log --root` walks such a phone, and the walk
/// lines up with the log to the end, where a phone of unknown version would
/// be uncertain (only the `.bin` is on the server).
#[test]
fn a_pre_loader_log_asking_for_a_bin_is_walked_as_below_5() {
    let set = without(without(sip812(), "P003-8-12-00.sbn"), "OS79XX.TXT");
    let d = root(
        &set,
        &[
            ("OS79XX.TXT", "P003-8-12-00\r\n"),
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
        ],
    );
    let doc = boot(d.path(), "7960", &["--running", "its image below 5.x"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    let asked = requested(&doc, None);
    assert_eq!(asked[..2], ["OS79XX.TXT", "P003-8-12-00.bin"], "{doc}");
    let requests: Vec<(String, Option<&str>)> = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let nak = (r["status"] == "not-found").then_some("1, File not found");
            (r["file"].as_str().unwrap().to_string(), nak)
        })
        .collect();
    let log = d.path().join("syslog");
    std::fs::write(&log, syslog("10.0.0.12", &requests)).unwrap();
    let (l, code) = json(&[
        "log",
        &log.to_string_lossy(),
        "--root",
        &d.path().to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{l}");
    let phone = &l["phones"][0];
    assert_eq!(phone["kind"], "settles", "{l}");
    let p = &phone["predicted"];
    assert_eq!(p["state"], "pre-loader, below 5.x", "{p}");
    assert!(p["expected"].is_null() && p["asked"].is_null(), "{p}");
    assert_eq!(p["verdict"], doc["verdict"]["message"], "{p}");
}

fn notes(p: &serde_json::Value) -> Vec<String> {
    p["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// 002: "If you have a very old version of SCCP, you will find that you
/// cannot immediately upgrade to this version … load version 3
/// (P00303010102), then load to version 5 (P00305000500), then jump to
/// version 8.0.9". Table 3 says one step (Procedure A): `plan` shows the
/// matrix's route, and the guide's stepping as the fallback, each with its
/// source.
#[test]
fn a_very_old_sccp_phone_gets_the_matrix_route_and_the_guides_stepping() {
    let (p, code) = json(&["plan", "--from", "P00303020100", "--to", "P0030801SR02"]);
    assert_eq!(code, 0, "{p}");
    let steps = p["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{p}");
    assert_eq!(steps[0]["procedure"], "A", "{p}");
    let n = notes(&p).join("\n");
    assert!(
        n.contains("seed 000, Table 3")
            && n.contains("seed 002")
            && n.contains("P00303010102 → P00305000500 → P00308000900"),
        "{n}"
    );
    // A phone already past the old releases gets no such fallback.
    let (p, _) = json(&["plan", "--from", "P00306000100", "--to", "P0030801SR02"]);
    assert!(!notes(&p).join("\n").contains("seed 002"), "{p}");
}

/// 002: "Without an auto-provisioned tftp server address, the phone will
/// only complete half the upgrade". Where a pre-loader phone's step writes
/// the loader, `plan` and the walk state the DHCP option 150 assumption;
/// where the loader already runs, neither does.
#[test]
fn without_an_auto_provisioned_tftp_server_the_loader_step_says_dhcp_150() {
    let (p, _) = json(&["plan", "--from", "P0S3-06-3-00", "--to", "P0S3-8-12-00"]);
    assert!(
        notes(&p)
            .iter()
            .any(|n| n.contains("DHCP option 150") && n.contains("only complete half the upgrade")),
        "{p}"
    );
    let (p, _) = json(&["plan", "--from", "P0S3-8-11-00", "--to", "P0S3-8-12-00"]);
    assert!(!p.to_string().contains("DHCP option 150"), "{p}");
    let d = root(
        &without(sip812(), "OS79XX.TXT"),
        &[
            ("OS79XX.TXT", "P003-8-12-00\r\n"),
            ("SIPDefault.cnf", "image_version: P0S3-8-12-00\n"),
        ],
    );
    let said = |doc: &serde_json::Value| {
        doc["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("DHCP option 150"))
    };
    let doc = boot(d.path(), "7960", &["--running", "P0S3-06-3-00"]);
    assert_eq!(
        verdict(&doc),
        ("settles".into(), "P0S3-8-12-00".into()),
        "{doc}"
    );
    assert!(said(&doc), "{doc}");
    let doc = boot(d.path(), "7960", &["--running", "P0S3-8-11-00"]);
    assert!(!said(&doc), "{doc}");
}
