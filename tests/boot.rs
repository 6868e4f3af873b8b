//! `loadsmith boot` through the real binary, on roots built here, and through
//! a real tftpd-hpa serving the same roots.

use crate::support::*;
use tempfile::TempDir;

const MAC: &str = "00:11:BB:73:AD:61";

fn root(files: &Files, extra: &[(&str, &[u8])]) -> TempDir {
    let d = tempfile::tempdir().unwrap();
    for (n, b) in files {
        std::fs::write(d.path().join(n), b).unwrap();
    }
    for (n, b) in extra {
        std::fs::write(d.path().join(n), b).unwrap();
    }
    d
}

fn boot(src: &str, args: &[&str]) -> (serde_json::Value, i32) {
    let mut a = vec!["boot", src, "--mac", MAC];
    a.extend_from_slice(args);
    json(&a)
}

fn files_of(doc: &serde_json::Value, pass: u64) -> Vec<String> {
    doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["pass"] == pass)
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect()
}

const SIPDEFAULT: &[u8] = b"image_version: P0S3-8-12-00\n";

#[test]
fn clean_sip812_root_settles_after_the_loader_and_the_application() {
    let d = root(&sip812(), &[("SIPDefault.cnf", SIPDEFAULT)]);
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "CP-7960G", "--running", "P0S3-8-11-00"],
    );
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["verdict"]["kind"], "settles");
    assert_eq!(doc["verdict"]["image"], "P0S3-8-12-00");
    assert_eq!(doc["reboots"], 2);
    assert_eq!(doc["protocol"], "sip");
    let hunt = [
        "CTLSEP0011BB73AD61.tlv",
        "SEP0011BB73AD61.cnf.xml",
        "SIP0011BB73AD61.cnf",
        "MGC0011BB73AD61.cnf",
        "XMLDefault.cnf.xml",
        "SIPDefault.cnf",
    ];
    let mut pass1: Vec<String> = hunt.iter().map(|s| s.to_string()).collect();
    pass1.extend(["P0S3-8-12-00.loads".into(), "P003-8-12-00.sbn".into()]);
    assert_eq!(files_of(&doc, 1), pass1);
    let mut pass2: Vec<String> = hunt.iter().map(|s| s.to_string()).collect();
    pass2.extend(["P0S3-8-12-00.loads".into(), "P0S3-8-12-00.sb2".into()]);
    assert_eq!(files_of(&doc, 2), pass2);
    let last = files_of(&doc, 3);
    assert_eq!(
        last[last.len() - 2..],
        [
            "SIPDefault.cnf".to_string(),
            "SIP0011BB73AD61.cnf".to_string()
        ]
    );
}

#[test]
fn missing_sb2_is_protocol_application_invalid() {
    let d = root(
        &without(sip812(), "P0S3-8-12-00.sb2"),
        &[("SIPDefault.cnf", SIPDEFAULT)],
    );
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "7940", "--running", "P0S3-07-4-00"],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"]["kind"], "error");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Protocol Application Invalid")
    );
    assert_eq!(doc["verdict"]["file"], "P0S3-8-12-00.sb2");
}

#[test]
fn no_configuration_and_empty_flash_is_no_load_specified() {
    let d = root(&sip812(), &[]);
    let (doc, code) = boot(d.path().to_str().unwrap(), &["--model", "7960"]);
    assert_eq!(code, 1);
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .starts_with("No Load Specified"),
        "{doc}"
    );
    // With an image in flash, the phone keeps running it.
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "7960", "--running", "P0S3-07-4-00"],
    );
    assert_eq!(code, 0);
    assert_eq!(doc["verdict"]["image"], "P0S3-07-4-00");
}

#[test]
fn renamed_signed_file_is_image_authentication_failed() {
    let mut files = sip812();
    files[4].1 = signed("P0S3-8-11-00.sb2", &image_body("P0S3-8-11-00", 9000));
    let d = root(&files, &[("SIPDefault.cnf", SIPDEFAULT)]);
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "7960", "--running", "P0S3-07-4-00"],
    );
    assert_eq!(code, 1);
    let m = doc["verdict"]["message"].as_str().unwrap();
    assert!(m.starts_with("Image Authentication Failed"), "{m}");
    assert!(m.contains("P0S3-8-11-00.sb2"));
    assert_eq!(doc["verdict"]["file"], "P0S3-8-12-00.sb2");
    let r = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "P0S3-8-12-00.sb2")
        .unwrap();
    assert_eq!(r["status"], "wrong-bytes");
}

#[test]
fn factory_reset_7906_loops_on_a_missing_component() {
    let files = without(
        family_load("SIP11.9-4-2SR1-1S", "11", "sip", "9-4-2ES9", &["06", "11"]),
        "dsp11.9-4-2ES9.sbn",
    );
    let d = root(&files, &[]);
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "IP Phone 7906", "--factory-reset"],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"]["kind"], "loops");
    // Rule 9: the verdict names the term file and the component it lacks.
    assert_eq!(doc["verdict"]["file"], "term06.default.loads");
    let msg = doc["verdict"]["message"].as_str().unwrap();
    assert!(msg.contains("dsp11.9-4-2ES9.sbn"), "{msg}");
    assert_eq!(doc["requests"][0]["file"], "term06.default.loads");
    // Complete, it settles on the factory-default load.
    let d = root(
        &family_load("SIP11.9-4-2SR1-1S", "11", "sip", "9-4-2ES9", &["06", "11"]),
        &[],
    );
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "7906", "--factory-reset"],
    );
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["reboots"], 1);
}

#[test]
fn per_phone_sep_file_wins_over_sipdefault() {
    let d = root(
        &sip812(),
        &[
            ("SIPDefault.cnf", SIPDEFAULT),
            (
                "SEP0011BB73AD61.cnf.xml",
                b"<device><loadInformation>P00308010200</loadInformation></device>",
            ),
        ],
    );
    let (doc, _) = boot(
        d.path().to_str().unwrap(),
        &["--model", "7960", "--running", "P0S3-8-12-00"],
    );
    assert_eq!(doc["protocol"], "sccp");
    assert_eq!(doc["image"], "P00308010200");
    assert!(
        doc["decisions"][0]
            .as_str()
            .unwrap()
            .contains("SEP0011BB73AD61.cnf.xml")
    );
}

#[test]
fn sip5_straight_to_812_is_refused_by_the_matrix_with_the_plan() {
    let d = root(&sip812(), &[("SIPDefault.cnf", SIPDEFAULT)]);
    let (doc, code) = boot(
        d.path().to_str().unwrap(),
        &["--model", "7960", "--running", "P0S3-05-3-00"],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"]["kind"], "error");
    assert!(
        doc["verdict"]["message"]
            .as_str()
            .unwrap()
            .contains("P0S3-06-3-00")
    );
    assert_eq!(doc["plan"]["steps"][0]["load"], "P0S3-06-3-00");
    assert_eq!(doc["plan"]["steps"][1]["procedure"], "D");
    let out = loadsmith()
        .args([
            "boot",
            d.path().to_str().unwrap(),
            "--mac",
            "0011.bb73.ad61",
            "--model",
            "7960",
            "--running",
            "P0S3-05-3-00",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Step 1: Procedure B"), "{text}");
}

fn without_source(mut v: serde_json::Value) -> serde_json::Value {
    v.as_object_mut().unwrap().remove("source");
    v
}

#[test]
fn a_live_tftpd_gives_the_same_answer_as_the_folder() {
    let cases: Vec<(TempDir, Vec<&str>)> = vec![
        (
            root(&sip812(), &[("SIPDefault.cnf", SIPDEFAULT)]),
            vec!["--model", "7960", "--running", "P0S3-06-3-00"],
        ),
        (
            root(
                &without(sip812(), "P0S3-8-12-00.sb2"),
                &[("SIPDefault.cnf", SIPDEFAULT)],
            ),
            vec!["--model", "7940", "--running", "P0S3-07-4-00"],
        ),
        (
            root(
                &family_load("SIP11.9-4-2SR1-1S", "11", "sip", "9-4-2ES9", &["06", "11"]),
                &[],
            ),
            vec!["--model", "7906", "--factory-reset"],
        ),
    ];
    for (d, args) in &cases {
        let Some(server) = tftpd(d.path()) else {
            eprintln!("skipped: tftpd-hpa is not installed (.ci/run installs it)");
            return;
        };
        let (dir, dc) = boot(d.path().to_str().unwrap(), args);
        let (net, nc) = boot(&format!("tftp://127.0.0.1:{}", server.port), args);
        assert_eq!(dc, nc);
        assert_eq!(without_source(dir), without_source(net));
    }
}

#[test]
fn a_server_error_other_than_not_found_stops_the_hunt() {
    // A server that answers every request with "access violation".
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    sock.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        if let Ok((_, from)) = sock.recv_from(&mut buf) {
            let reply = sock.try_clone().unwrap();
            let mut pkt = vec![0, 5, 0, 2];
            pkt.extend_from_slice(b"Access violation\0");
            let _ = reply.send_to(&pkt, from);
        }
    });
    let (doc, code) = boot(
        &format!("tftp://127.0.0.1:{port}"),
        &["--model", "7960", "--running", "P0S3-07-4-00"],
    );
    server.join().unwrap();
    assert_eq!(code, 1);
    let m = doc["verdict"]["message"].as_str().unwrap();
    assert!(m.contains("CSCee31047"), "{m}");
    assert!(m.contains("stops hunting"));
    assert_eq!(doc["requests"].as_array().unwrap().len(), 1);
    assert_eq!(doc["requests"][0]["status"], "error");
}

/// No server answering is not a phone verdict: exit 2, saying so, after the
/// documented 10 s; a bad port or a path in the URL is a usage error.
#[test]
fn no_server_and_bad_urls_are_said_as_such() {
    // A port nothing answers on (a bound socket that never replies).
    let quiet = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = quiet.local_addr().unwrap().port();
    let start = std::time::Instant::now();
    let out = loadsmith()
        .args([
            "boot",
            &format!("tftp://127.0.0.1:{port}"),
            "--mac",
            MAC,
            "--model",
            "7960",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("no TFTP server answered at 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no verdict is printed");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    for (url, says) in [
        ("tftp://127.0.0.1:99999", "is not a port"),
        ("tftp://127.0.0.1/srv/tftp", "without a path"),
    ] {
        let out = loadsmith()
            .args(["boot", url, "--mac", MAC, "--model", "7960"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{url}");
    }
}
