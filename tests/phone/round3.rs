//! Issue 21's leftovers: the real SIP 8.12 log read with and without the
//! root, the readings a pre-5.x phone leaves open, LA_VERSION once the
//! running loader is known. Each test is named after the sentence it rests
//! on (`docs/boot.md`).

use super::{MAC, root};
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
