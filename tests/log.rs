//! `loadsmith log` (issue "explain what the phones actually did"): logs made
//! by the real `in.tftpd -v -v -v` (with and without remap rules) while
//! scripted phones on 127.0.0.N ask for their files, fixtures in the three
//! formats, shuffled logs, and `--follow` across a rotation.
use crate::support;

use std::net::UdpSocket;
use std::path::Path;
use std::time::Duration;

use crate::support::{Files, family_load, json, sccp41, sip812, tftpd_with};

/// Asks a TFTP server for `name` from the address `from`, as a phone
/// would (RFC 1350 read request, octet mode): true when it was sent.
fn fetch(from: &str, port: u16, name: &str) -> bool {
    let s = UdpSocket::bind((from, 0)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut rrq = vec![0, 1];
    rrq.extend_from_slice(name.as_bytes());
    rrq.push(0);
    rrq.extend_from_slice(b"octet\0");
    s.send_to(&rrq, ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 600];
    loop {
        let Ok((n, peer)) = s.recv_from(&mut buf) else {
            return false;
        };
        match buf[1] {
            3 => {
                s.send_to(&[0, 4, buf[2], buf[3]], peer).unwrap();
                if n < 516 {
                    return true;
                }
            }
            _ => return false,
        }
    }
}

fn write_root(dir: &Path, files: &Files) {
    support::write_files(dir, files);
}

/// The phones of the test: what each asks for, in order.
fn play(port: u16) {
    // A 7961 reset to factory defaults: its term file, the five components,
    // then the hunt of the new load.
    for f in [
        "term61.default.loads",
        "jar41sccp.9-4-2ES26.sbn",
        "cnu41.9-4-2ES26.sbn",
        "apps41.9-4-2ES26.sbn",
        "dsp41.9-4-2ES26.sbn",
        "cvm41sccp.9-4-2ES26.sbn",
    ] {
        fetch("127.0.0.2", port, f);
    }
    for f in [
        "CTLSEP0011BB73AD62.tlv",
        "ITLSEP0011BB73AD62.tlv",
        "SEP0011BB73AD62.cnf.xml",
        "XMLDefault.cnf.xml",
    ] {
        fetch("127.0.0.2", port, f);
    }
    // A 7906 asking for its term file again and again: the components are not there.
    for _ in 0..4 {
        fetch("127.0.0.3", port, "term06.default.loads");
    }
    // A 7940 that fetches the loader and never comes back.
    for f in [
        "CTLSEP0011BB73AD61.tlv",
        "SEP0011BB73AD61.cnf.xml",
        "SIP0011BB73AD61.cnf",
        "MGC0011BB73AD61.cnf",
        "XMLDefault.cnf.xml",
        "SIPDefault.cnf",
        "P003-8-12-00.sbn",
    ] {
        fetch("127.0.0.4", port, f);
    }
    // A 7940 told to load P0030801SR02, whose name a remap rule cuts.
    for f in [
        "CTLSEP001122334455.tlv",
        "SEP001122334455.cnf.xml",
        "P0030801SR02.loads",
    ] {
        fetch("127.0.0.5", port, f);
    }
}

fn root() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_root(d.path(), &sccp41());
    let terms = family_load("SCCP11.9-4-2SR3-1S", "11", "sccp", "9-4-2ES26", &["06"]);
    write_root(
        d.path(),
        &terms
            .into_iter()
            .filter(|(n, _)| n.ends_with(".loads"))
            .collect::<Files>(),
    );
    write_root(d.path(), &sip812());
    std::fs::write(
        d.path().join("SIPDefault.cnf"),
        "image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("XMLDefault.cnf.xml"),
        "<Default><loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018></Default>",
    )
    .unwrap();
    std::fs::create_dir(d.path().join("firmware")).unwrap();
    std::fs::write(
        d.path().join("firmware/P0030801SR02.loads"),
        support::signed("P0030801SR02.loads", b"P0030801SR02.sbn\n"),
    )
    .unwrap();
    d
}

/// The client's kind and verdict.
fn kind_of(doc: &serde_json::Value, client: &str) -> (String, String, String) {
    kinds(doc)
        .into_iter()
        .find(|(w, _, _)| w == client)
        .unwrap_or_else(|| panic!("{client}: {doc}"))
}

fn kinds(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    doc["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["client"].as_str().unwrap().into(),
                p["kind"].as_str().unwrap().into(),
                p["verdict"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn the_real_in_tftpd_log_of_four_phones_is_explained() {
    let d = root();
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("rules");
    std::fs::write(&rules, "r ^(P00308)01SR02\\.loads$ firmware/\\1.loads\n").unwrap();
    let Some(log) = support::Syslog::capture() else {
        eprintln!(
            "skipped: /dev/log is owned by a syslog daemon; the log tests bind it themselves"
        );
        return;
    };
    for (with_rules, quiet) in [(true, false), (false, false), (false, true)] {
        let mut args = vec!["-v", "-v", "-v"];
        if quiet {
            // tftpd-hpa at -v: requests only, no refusals.
            args = vec!["-v"];
        }
        if with_rules {
            args.extend(["-m", rules.to_str().unwrap()]);
        }
        let Some(server) = tftpd_with(d.path(), "nobody", &args) else {
            eprintln!("skipped: needs in.tftpd and root (.ci/run installs it)");
            return;
        };
        play(server.port);
        drop(server);
        let lines = log.lines();
        let file = rules_dir.path().join(format!("syslog-{with_rules}"));
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let mut a = vec![
            "log",
            file.to_str().unwrap(),
            "--root",
            d.path().to_str().unwrap(),
        ];
        if with_rules {
            a.extend(["--map-file", rules.to_str().unwrap()]);
        }
        let (doc, code) = json(&a);
        assert_eq!(code, 1, "{doc}");
        if std::env::var("SHOW_LOG").is_ok() {
            let out = support::loadsmith().args(&a).output().unwrap();
            eprintln!(
                "{}\n{}",
                lines.join("\n"),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        let of = |c: &str| kind_of(&doc, c);
        // At -v the log does not say what was sent: no "settles" is claimed.
        let want = if quiet { "uncertain" } else { "settles" };
        assert_eq!(of("127.0.0.2").1, want, "{doc}");
        let (_, kind, v) = of("127.0.0.3");
        assert_eq!(kind, "loops", "{v}");
        let phone = |c: &str| {
            doc["phones"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["client"] == c)
                .unwrap()
                .clone()
        };
        // Lined up with the phone model on the root: where the log parts from the walk.
        let p3 = phone("127.0.0.3")["predicted"].clone();
        assert_eq!(p3["expected"], "jar11sccp.9-4-2ES26.sbn", "{p3}");
        assert!(
            p3["verdict"]
                .as_str()
                .unwrap()
                .starts_with("loops on term06.default.loads"),
            "{p3}"
        );
        let p2 = phone("127.0.0.2")["predicted"].clone();
        assert!(
            p2["verdict"]
                .as_str()
                .unwrap()
                .starts_with("settles on SCCP41.9-4-2SR3-1S"),
            "{p2}"
        );
        assert!(
            v.contains("term06.default.loads") && v.contains("apps11.9-4-2ES26.sbn"),
            "{v}"
        );
        let (_, kind, v) = of("127.0.0.4");
        assert_eq!(kind, "lost-after-loader", "{v}");
        assert!(
            v.contains("P003-8-12-00.sbn") && v.contains("Protocol Application Invalid"),
            "{v}"
        );
        let (_, kind, v) = of("127.0.0.5");
        if quiet {
            // Its refusal is not in the log: loadsmith does not guess one.
            assert_eq!(kind, "uncertain", "{v}");
            let out = support::loadsmith().args(&a).output().unwrap();
            assert!(String::from_utf8_lossy(&out.stdout).contains("answer not logged"));
            let _ = log.lines();
            std::thread::sleep(Duration::from_millis(400));
            log.clear();
            continue;
        }
        assert_eq!(kind, "stuck", "{v}");
        if with_rules {
            assert!(v.contains("turned into firmware/P00308.loads"), "{v}");
        }
        // Each run's lines only.
        let _ = log.lines();
        std::thread::sleep(Duration::from_millis(400));
        log.clear();
    }
}

/// Lines of other daemons, as syslog interleaves them.
const NOISE: &[&str] = &[
    "Nov 22 03:00:01 pbx CRON[2211]: (root) CMD (command -v debian-sa1 > /dev/null)",
    "Nov 22 03:00:02 pbx sshd[881]: Accepted publickey for admin from 10.0.0.9 port 51000",
    "Nov 22 03:00:02 pbx kernel: [12345.6789] eth0: link up",
    "Nov 22 03:00:03 pbx asterisk[1200]: chan_sccp: SEP0011BB73AD61 registered",
    "Nov 22 03:00:04 pbx in.tftpd[",
    "Nov 22 03:00:04 pbx in.tftpd[9]: RRQ from",
    "Nov 22 03:00:04 pbx dnsmasq-dhcp[77]: DHCPACK(eth0) 10.0.0.7 00:11:bb:73:ad:61",
    "garbage \u{0} \u{7f} line",
];

/// The same four phones in the three servers' formats, interleaved.
fn hpa_fixture() -> Vec<String> {
    let mut l = Vec::new();
    let mut pid = 100;
    let mut rrq = |who: &str, f: &str, nak: Option<&str>| {
        pid += 1;
        l.push(format!(
            "Nov 22 03:00:{:02} pbx in.tftpd[{pid}]: RRQ from {who} filename {f}",
            pid % 60
        ));
        if let Some(n) = nak {
            l.push(format!(
                "Nov 22 03:00:{:02} pbx in.tftpd[{pid}]: sending NAK ({n}) to {who}",
                pid % 60
            ));
        }
    };
    for _ in 0..5 {
        rrq("10.0.0.3", "term06.default.loads", None);
        rrq(
            "10.0.0.2",
            "CTLSEP0011BB73AD62.tlv",
            Some("1, File not found"),
        );
    }
    rrq("10.0.0.4", "P003-8-12-00.sbn", None);
    rrq("10.0.0.5", "P0S3-8-12-00.sb2", Some("1, File not found"));
    l
}

fn dnsmasq_fixture() -> Vec<String> {
    let mut l = Vec::new();
    for _ in 0..4 {
        l.push(
            "Nov 22 03:01:00 gw dnsmasq-tftp[77]: sent /srv/tftp/term06.default.loads to 10.0.1.3"
                .to_string(),
        );
    }
    l.push("Nov 22 03:01:01 gw dnsmasq-tftp[77]: file /srv/tftp/SCCP11.9-4-2SR3-1S.loads not found for 10.0.1.5".into());
    l
}

fn tftpd32_fixture() -> Vec<String> {
    let mut l = Vec::new();
    for _ in 0..3 {
        l.push("Connection received from 10.0.2.3 on port 49152 [11/22 03:02:00.100]".to_string());
        l.push(
            "Read request for file <term06.default.loads>. Mode octet [11/22 03:02:00.101]".into(),
        );
        l.push("<term06.default.loads>: sent 1 blk, 466 bytes in 0 s. 0 blk resent [11/22 03:02:00.120]".into());
    }
    l.push("Connection received from 10.0.2.5 on port 49153 [11/22 03:02:01.000]".into());
    l.push(
        "Read request for file <jar11sccp.9-4-2ES26.sbn>. Mode octet [11/22 03:02:01.001]".into(),
    );
    l.push("File <jar11sccp.9-4-2ES26.sbn> : error 2 in system call CreateFile The system cannot find the file specified. [11/22 03:02:01.002]".into());
    l
}

fn verdicts(lines: &[String]) -> Vec<(String, loadsmith::log::verdict::Kind, String)> {
    let mut r = loadsmith::log::Reader::new();
    for l in lines {
        r.line(l);
    }
    loadsmith::log::verdict::phones(&r, None)
        .into_iter()
        .map(|p| (p.client, p.kind, p.verdict))
        .collect()
}

#[test]
fn the_three_formats_interleaved_with_noise_are_read() {
    use loadsmith::log::verdict::Kind;
    let mut lines: Vec<String> = Vec::new();
    let (h, d, t) = (hpa_fixture(), dnsmasq_fixture(), tftpd32_fixture());
    let longest = h.len().max(d.len()).max(t.len());
    for i in 0..longest {
        for part in [&h, &d, &t] {
            if let Some(l) = part.get(i) {
                lines.push(l.clone());
            }
        }
        lines.push(NOISE[i % NOISE.len()].to_string());
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.log");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (doc, code) = json(&["log", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let of = |c: &str| kind_of(&doc, c);
    for looping in ["10.0.0.3", "10.0.1.3", "10.0.2.3"] {
        assert_eq!(of(looping).1, "loops", "{looping}: {doc}");
    }
    assert_eq!(of("10.0.0.4").1, "lost-after-loader");
    for stuck in ["10.0.0.5", "10.0.1.5", "10.0.2.5"] {
        assert_eq!(of(stuck).1, "stuck", "{stuck}: {doc}");
    }
    assert_eq!(doc["servers"].as_array().unwrap().len(), 3, "{doc}");
    // The same from the library: shuffling in unrelated lines changes nothing.
    let v = verdicts(&lines);
    assert!(v.iter().any(|(_, k, _)| *k == Kind::Loops));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn unrelated_lines_shuffled_in_change_no_verdict(
        seed in proptest::collection::vec((0usize..400, 0usize..NOISE.len()), 0..200)
    ) {
        let mut base = hpa_fixture();
        base.extend(dnsmasq_fixture());
        base.extend(tftpd32_fixture());
        let before = verdicts(&base);
        let mut mixed = base.clone();
        for (at, which) in seed {
            let at = at.min(mixed.len());
            mixed.insert(at, NOISE[which].to_string());
        }
        proptest::prop_assert_eq!(before, verdicts(&mixed));
    }
}

#[test]
fn follow_shows_each_phone_live_and_survives_rotation() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("syslog");
    std::fs::write(
        &file,
        "Nov 22 03:10:00 pbx in.tftpd[1]: RRQ from 10.0.0.3 filename term06.default.loads\n",
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_loadsmith"))
        .args(["log", "--follow"])
        .arg(&file)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(l);
        }
    });
    let wait_for = |what: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(200))
                && l.contains(what)
            {
                return l;
            }
        }
        panic!("no line with {what}");
    };
    let first = wait_for("10.0.0.3");
    assert!(first.contains("term06"), "{first}");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    for i in 2..6 {
        writeln!(
            f,
            "Nov 22 03:10:0{i} pbx in.tftpd[{i}]: RRQ from 10.0.0.3 filename term06.default.loads"
        )
        .unwrap();
    }
    drop(f);
    let looping = wait_for("LOOPS");
    assert!(
        looping.contains("10.0.0.3") && looping.contains("term06 → term06"),
        "{looping}"
    );
    // logrotate: the file is renamed and a new one started.
    std::fs::rename(&file, dir.path().join("syslog.1")).unwrap();
    std::fs::write(
        &file,
        "Nov 22 03:11:00 pbx in.tftpd[9]: RRQ from 10.0.0.9 filename P003-8-12-00.sbn\n",
    )
    .unwrap();
    let after = wait_for("10.0.0.9");
    assert!(after.contains("P003-8-12-00"), "{after}");
    let _ = child.kill();
    let _ = child.wait();
}

/// field-facts' real SIP 8.12 log, asked for by a scripted 7960 with MAC
/// `mac` from `from` (the server's answers are the root's).
fn play_sip_812(port: u16, from: &str, mac: &str) {
    let hunt = [
        format!("CTLSEP{mac}.tlv"),
        format!("SEP{mac}.cnf.xml"),
        format!("SIP{mac}.cnf"),
        format!("MGC{mac}.cnf"),
        "XMLDefault.cnf.xml".into(),
    ];
    let mut asks: Vec<String> = hunt.to_vec();
    asks.extend(["P0S3-8-12-00.loads".into(), "P003-8-12-00.sbn".into()]);
    asks.extend(hunt.iter().cloned());
    asks.extend([
        "P0S3-8-12-00.loads".into(),
        "P0S3-8-12-00.sb2".into(),
        "SIPDefault.cnf".into(),
        format!("SIP{mac}.cnf"),
    ]);
    for f in &asks {
        fetch(from, port, f);
    }
}

/// The real `in.tftpd -v -v` serving field-facts' SIP 8.12 sequence: a 7960
/// without a `SIP<MAC>.cnf` settles on P0S3-8-12-00 (the file is one a phone
/// may lack), one whose `SIP<MAC>.cnf` the server cannot read ("Permission
/// denied") is stuck on it.
#[test]
fn the_real_in_tftpd_serving_sip_812_without_a_mac_file_settles() {
    let d = tempfile::tempdir().unwrap();
    write_root(d.path(), &sip812());
    std::fs::write(
        d.path().join("XMLDefault.cnf.xml"),
        "<Default><loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7></Default>",
    )
    .unwrap();
    std::fs::write(
        d.path().join("SIPDefault.cnf"),
        "image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    let locked = d.path().join("SIP0011BB73AD67.cnf");
    std::fs::write(&locked, "image_version: P0S3-8-12-00\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let Some(log) = support::Syslog::capture() else {
        eprintln!(
            "skipped: /dev/log is owned by a syslog daemon; the log tests bind it themselves"
        );
        return;
    };
    let Some(server) = tftpd_with(d.path(), "nobody", &["-v", "-v"]) else {
        eprintln!("skipped: needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    play_sip_812(server.port, "127.0.0.6", "0011BB73AD66");
    play_sip_812(server.port, "127.0.0.7", "0011BB73AD67");
    drop(server);
    let lines = log.lines();
    drop(log);
    let file = d.path().join("syslog");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("sending NAK (0, Permission denied)")),
        "{lines:?}"
    );
    let (doc, code) = json(&[
        "log",
        file.to_str().unwrap(),
        "--root",
        d.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{doc}");
    let of = |c: &str| kind_of(&doc, c);
    let (_, kind, v) = of("127.0.0.6");
    assert_eq!(kind, "settles", "{v}");
    assert!(v.starts_with("settles on P0S3-8-12-00"), "{v}");
    let (_, kind, v) = of("127.0.0.7");
    assert_eq!(kind, "stuck", "{v}");
    assert!(
        v.contains("SIP0011BB73AD67.cnf") && v.contains("Permission denied"),
        "{v}"
    );
}

#[test]
fn an_unreadable_log_is_exit_2_and_an_empty_one_has_no_phone() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::loadsmith()
        .args(["log"])
        .arg(dir.path().join("missing.log"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.log"));
    let out = support::loadsmith()
        .args(["log"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a folder is not a log");
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    let (doc, code) = json(&["log", empty.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(doc["phones"].as_array().unwrap().len(), 0);
    // Names from the log reach the terminal escaped.
    let evil = dir.path().join("evil.log");
    std::fs::write(
        &evil,
        "in.tftpd[1]: RRQ from 10.0.0.1 filename \u{1b}[2Jterm06.default.loads\n",
    )
    .unwrap();
    let out = support::loadsmith()
        .args(["log"])
        .arg(&evil)
        .output()
        .unwrap();
    assert!(
        !out.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_log_of_a_million_lines_is_read_in_flat_memory() {
    use std::io::Write;
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: needs /usr/bin/time (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, lines: usize| {
        let path = dir.path().join(name);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut n = 0;
        let mut pid = 0u64;
        while n < lines {
            for p in 0..300u32 {
                pid += 1;
                let file = match p % 3 {
                    0 => "term06.default.loads",
                    1 => "P003-8-12-00.sbn",
                    _ => "SEP0011BB73AD61.cnf.xml",
                };
                writeln!(f, "Nov 22 03:{:02}:{:02} pbx in.tftpd[{pid}]: RRQ from 10.9.{}.{} filename {file}", (pid / 60) % 60, pid % 60, p / 200, p % 200 + 1).unwrap();
                writeln!(f, "Nov 22 03:00:00 pbx CRON[1]: (root) CMD (true)").unwrap();
                n += 2;
            }
        }
        path
    };
    let peak = |path: &Path| -> (u64, serde_json::Value) {
        let out = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(env!("CARGO_BIN_EXE_loadsmith"))
            .args(["--json", "log"])
            .arg(path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let kb = err.lines().last().unwrap_or("").trim().parse().unwrap();
        (kb, serde_json::from_slice(&out.stdout).unwrap())
    };
    let (small_kb, _) = peak(&write("small.log", 100_000));
    let (big_kb, doc) = peak(&write("big.log", 1_000_000));
    assert_eq!(doc["lines"], 1_000_200, "{}", doc["lines"]);
    assert_eq!(doc["phones"].as_array().unwrap().len(), 300);
    assert_eq!(kind_of(&doc, "10.9.0.1").1, "loops");
    assert_eq!(kind_of(&doc, "10.9.0.2").1, "lost-after-loader");
    // Ten times the lines, not ten times the memory: each client keeps
    // counts and its last requests only.
    assert!(
        big_kb < small_kb + 16 * 1024,
        "{small_kb} KB for 100k lines, {big_kb} KB for 1M"
    );
}

/// Writes `lines` to a log file in `dir` and runs `log --json` on it (with `extra` arguments).
fn log_of(dir: &Path, name: &str, lines: &[&str], extra: &[&str]) -> (serde_json::Value, i32) {
    let file = dir.join(name);
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let mut a = vec!["log", file.to_str().unwrap()];
    a.extend(extra);
    json(&a)
}

#[test]
fn pasted_tftpd_hpa_lines_without_prefix_are_joined_by_order_and_address() {
    let dir = tempfile::tempdir().unwrap();
    // As pasted into a forum: no syslog prefix, no PID; one phone with
    // times, one without; their lines interleaved.
    let (doc, code) = log_of(
        dir.path(),
        "pasted.log",
        &[
            "RRQ from 192.168.1.5 filename P0030801SR02.loads remapped to firmware/7940/P0030801SR",
            "Nov 22 02:57:14 RRQ from 192.168.1.7 filename term06.default.loads",
            "Client 192.168.1.5 File not found firmware/7940/P0030801SR",
            "Nov 22 02:57:15 sending NAK (1, File not found) to 192.168.1.7",
            "2026-11-22 02:58:14 RRQ from 192.168.1.8 filename SEP0011BB73AD68.cnf.xml",
            "2026-11-22 02:58:15 RRQ from 192.168.1.8 filename P0030801SR02.loads",
            "2026-11-22 02:58:15 sending NAK (1, File not found) to 192.168.1.8",
        ],
        &[],
    );
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["recognised"], 7, "{doc}");
    assert_eq!(doc["servers"], serde_json::json!(["tftpd-hpa"]));
    // The remap rule cut the name: said as the rule's doing, without --map-file.
    let (_, kind, v) = kind_of(&doc, "192.168.1.5");
    assert_eq!(kind, "stuck", "{v}");
    assert!(
        v.contains("remap rules turned into firmware/7940/P0030801SR")
            && v.contains("dropped 02.loads"),
        "{v}"
    );
    // The NAK joined the request of its address, not the one before it.
    let (_, kind, v) = kind_of(&doc, "192.168.1.7");
    assert_eq!(kind, "stuck", "{v}");
    assert!(
        v.contains("asked for term06.default.loads and the server does not have it"),
        "{v}"
    );
    let (_, kind, v) = kind_of(&doc, "192.168.1.8");
    assert_eq!(kind, "stuck", "{v}");
    assert!(v.contains("does not have it"), "{v}");
    // At -v (requests only) the cut name is still the rule's doing.
    let (doc, code) = log_of(
        dir.path(),
        "v.log",
        &["RRQ from 192.168.1.5 filename P0030801SR02.loads remapped to firmware/7940/P0030801SR"],
        &[],
    );
    assert_eq!(code, 1, "{doc}");
    let (_, kind, v) = kind_of(&doc, "192.168.1.5");
    assert_eq!(kind, "stuck", "{v}");
    assert!(v.contains("a name no file has"), "{v}");
}

#[test]
fn masked_addresses_are_one_unknown_phone_still_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (doc, code) = log_of(
        dir.path(),
        "masked.log",
        &[
            "Nov 22 03:00:00 pbx in.tftpd[11]: RRQ from filename term06.default.loads",
            "Nov 22 03:02:00 pbx in.tftpd[12]: RRQ from x.x.x.x filename term06.default.loads",
            "RRQ from x.x.x.x filename term06.default.loads",
            "Nov 22 03:06:00 pbx in.tftpd[14]: RRQ from X.X.X.X filename term06.default.loads",
        ],
        &[],
    );
    assert_eq!(code, 1, "{doc}");
    let phones = doc["phones"].as_array().unwrap();
    assert_eq!(phones.len(), 1, "{doc}");
    assert_eq!(phones[0]["client"], "unknown client");
    assert_eq!(phones[0]["kind"], "loops", "{doc}");
    assert_eq!(phones[0]["models"], serde_json::json!(["7906"]));
}

#[test]
fn tftpd32_solarwinds_dnsmasq_and_journald_lines_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // tftpd32/tftpd64 as copied from its log window (padded, tab-separated);
    // SolarWinds TFTP Server lines written from its log's format.
    let (doc, code) = log_of(
        d,
        "windows.log",
        &[
            "  Connection received from 10.0.2.5 on port 49153 [22/11 03:02:01.000]",
            "Read request for file <jar11sccp.9-4-2ES26.sbn>. Mode octet [22/11 03:02:01.001]\t",
            "File <jar11sccp.9-4-2ES26.sbn> : error 2 in system call CreateFile The system cannot find the file specified. [22/11 03:02:01.002]",
            "11/22/2026 3:02:05 AM  Received read request for file 'term06.default.loads' from 10.0.3.3:49160",
            "11/22/2026 3:02:05 AM  Successfully sent file 'term06.default.loads' to 10.0.3.3:49160",
            "11/22/2026 3:04:05 AM  Received read request for file 'term06.default.loads' from 10.0.3.3:49161",
            "11/22/2026 3:04:05 AM  Successfully sent file 'term06.default.loads' to 10.0.3.3:49161",
            "11/22/2026 3:06:05 AM  Received read request for file 'term06.default.loads' from 10.0.3.3:49162",
            "11/22/2026 3:06:05 AM  Successfully sent file 'term06.default.loads' to 10.0.3.3:49162",
            "11/22/2026 3:06:09 AM  Received read request for file 'SIP41.8-5-4T.loads' from 10.0.3.4:49170",
            "11/22/2026 3:06:09 AM  Could not find file 'C:\\TFTP-Root\\SIP41.8-5-4T.loads'. (10.0.3.4)",
            "11/22/2026 3:08:09 AM  Received read request for file 'SIP41.8-5-4T.loads' from 10.0.3.4:49171",
            "11/22/2026 3:08:09 AM  Could not find file 'C:\\TFTP-Root\\SIP41.8-5-4T.loads'.",
        ],
        &[],
    );
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["recognised"], 13, "{doc}");
    assert_eq!(kind_of(&doc, "10.0.2.5").1, "stuck", "{doc}");
    assert_eq!(kind_of(&doc, "10.0.3.3").1, "loops", "{doc}");
    assert_eq!(kind_of(&doc, "10.0.3.4").1, "stuck", "{doc}");
    assert!(doc["servers"].to_string().contains("solarwinds"), "{doc}");
    // dnsmasq without and with log-queries (DNS lines between the TFTP ones).
    for queries in [false, true] {
        let mut l = Vec::new();
        for i in 0..3 {
            if queries {
                l.push(format!(
                    "Nov 22 03:0{i}:00 gw dnsmasq[77]: query[A] tftp.example.lan from 10.0.1.3"
                ));
                l.push(format!("Nov 22 03:0{i}:00 gw dnsmasq[77]: 12 10.0.1.3/5353 reply tftp.example.lan is 10.0.0.1"));
            }
            l.push(format!("Nov 22 03:0{i}:01 gw dnsmasq-tftp[77]: sent /srv/tftp/term06.default.loads to 10.0.1.3"));
        }
        l.push("Nov 22 03:05:00 gw dnsmasq-tftp[77]: file /srv/tftp/SCCP11.9-4-2SR3-1S.loads not found for 10.0.1.5".into());
        let refs: Vec<&str> = l.iter().map(String::as_str).collect();
        let (doc, code) = log_of(d, "dnsmasq.log", &refs, &[]);
        assert_eq!(code, 1, "{doc}");
        assert_eq!(doc["recognised"], 4, "{queries}: {doc}");
        assert_eq!(kind_of(&doc, "10.0.1.3").1, "loops", "{doc}");
        assert_eq!(kind_of(&doc, "10.0.1.5").1, "stuck", "{doc}");
    }
    // journald -o json and -o cat.
    let j = |pid: u32, us: u64, msg: &str| {
        serde_json::json!({"__REALTIME_TIMESTAMP": us.to_string(), "_PID": pid.to_string(),
            "SYSLOG_IDENTIFIER": "in.tftpd", "_HOSTNAME": "pbx", "MESSAGE": msg})
        .to_string()
    };
    let base = 1_795_748_234_000_000u64;
    let lines = [
        j(40, base, "RRQ from 10.0.0.9 filename P0030801SR02.loads"),
        j(
            41,
            base + 1,
            "RRQ from 10.0.0.3 filename term06.default.loads",
        ),
        j(40, base + 2, "sending NAK (1, File not found) to 10.0.0.9"),
        serde_json::json!({"SYSLOG_IDENTIFIER": "sshd", "MESSAGE": "RRQ from 10.0.0.1 filename x"})
            .to_string(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (doc, _) = log_of(d, "journal.json", &refs, &[]);
    assert_eq!(doc["recognised"], 3, "{doc}");
    assert_eq!(kind_of(&doc, "10.0.0.9").1, "stuck", "{doc}");
    assert_eq!(doc["phones"].as_array().unwrap().len(), 2, "{doc}");
    let (doc, _) = log_of(
        d,
        "journal.cat",
        &[
            "RRQ from 10.0.0.9 filename P0030801SR02.loads",
            "sending NAK (1, File not found) to 10.0.0.9",
        ],
        &[],
    );
    assert_eq!(kind_of(&doc, "10.0.0.9").1, "stuck", "{doc}");
}

#[test]
fn a_typo_load_refused_twice_is_stuck_and_names_its_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(
        root.join("SEP0011BB73AD41.cnf.xml"),
        "<device><loadInformation>SIP41.8-5-4T</loadInformation></device>",
    )
    .unwrap();
    let mut lines = Vec::new();
    for m in [0, 2] {
        for (f, nak) in [
            ("SEP0011BB73AD41.cnf.xml", false),
            ("SIP41.8-5-4T.loads", true),
        ] {
            lines.push(format!(
                "Nov 22 04:0{m}:00 pbx in.tftpd[{m}{}]: RRQ from 10.0.0.41 filename {f}",
                f.len()
            ));
            if nak {
                lines.push(format!("Nov 22 04:0{m}:00 pbx in.tftpd[{m}{}]: sending NAK (1, File not found) to 10.0.0.41", f.len()));
            }
        }
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (doc, code) = log_of(
        dir.path(),
        "typo.log",
        &refs,
        &["--root", root.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{doc}");
    let (_, kind, v) = kind_of(&doc, "10.0.0.41");
    assert_eq!(kind, "stuck", "{v}");
    assert!(
        v.contains("SIP41.8-5-4T.loads") && v.contains("2 times"),
        "{v}"
    );
    assert!(v.contains("SEP0011BB73AD41.cnf.xml loadInformation"), "{v}");
    // Asked once only: not yet stuck on a name loadsmith does not know.
    let (doc, code) = log_of(dir.path(), "once.log", &refs[..3], &[]);
    assert_eq!(
        (code, kind_of(&doc, "10.0.0.41").1.as_str()),
        (0, "uncertain"),
        "{doc}"
    );
}

#[test]
fn a_term_file_fetched_every_two_minutes_without_components_is_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..6)
        .map(|i| format!("Nov 22 05:{:02}:00 pbx in.tftpd[{i}]: RRQ from 10.0.0.61 filename term61.default.loads", i * 2))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (doc, code) = log_of(dir.path(), "loop.log", &refs, &[]);
    assert_eq!(code, 1, "{doc}");
    let (_, kind, v) = kind_of(&doc, "10.0.0.61");
    assert_eq!(kind, "loops", "{v}");
    assert!(
        v.starts_with("loops on term61.default.loads (asked 6 times)")
            && v.contains("rejected the load"),
        "{v}"
    );
    let out = support::loadsmith()
        .args(["log"])
        .arg(dir.path().join("loop.log"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("LOOPS  10.0.0.61"));
}

#[test]
fn a_log_with_nothing_recognised_says_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    // tftpd-hpa without -v: it logs no request.
    let quiet = [
        "Nov 22 06:00:00 pbx in.tftpd[7]: tftp: client does not accept options",
        "Nov 22 06:00:01 pbx systemd[1]: Started tftpd-hpa.service",
    ];
    let (doc, code) = log_of(dir.path(), "quiet.log", &quiet, &[]);
    assert_eq!(code, 0, "{doc}");
    let hint = doc["hint"].as_str().unwrap();
    assert!(
        hint.contains("RRQ from ADDR filename NAME") && hint.contains("-v"),
        "{hint}"
    );
    let other = ["Nov 22 06:00:00 pbx sshd[9]: Accepted publickey for root"];
    let (doc, _) = log_of(dir.path(), "other.log", &other, &[]);
    assert!(
        doc["hint"].as_str().unwrap().contains("another program"),
        "{doc}"
    );
    // Asked about a phone it cannot find: exit 1, and says so.
    let file = dir.path().join("quiet.log");
    let out = support::loadsmith()
        .args(["log", "--phone", "10.0.0.5"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no phone 10.0.0.5 in this log") && text.contains("-v"),
        "{text}"
    );
    // A phone that is there, by MAC: only it.
    let (doc, code) = log_of(
        dir.path(),
        "two.log",
        &[
            "in.tftpd[1]: RRQ from 10.0.0.1 filename SEP0011BB73AD61.cnf.xml",
            "in.tftpd[2]: RRQ from 10.0.0.2 filename SEP0011BB73AD62.cnf.xml",
        ],
        &["--phone", "SEP0011bb73ad62"],
    );
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["phones"].as_array().unwrap().len(), 1);
    assert_eq!(doc["phones"][0]["client"], "10.0.0.2");
}

#[test]
fn follow_json_prints_one_document_per_line() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_loadsmith"))
        .args(["--json", "log", "--follow", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..4 {
        writeln!(
            stdin,
            "in.tftpd[{i}]: RRQ from 10.0.0.3 filename term06.default.loads"
        )
        .unwrap();
    }
    writeln!(
        stdin,
        "in.tftpd[9]: RRQ from 10.0.0.9 filename P003-8-12-00.sbn"
    )
    .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let docs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!docs.is_empty());
    for d in &docs {
        assert_eq!(d["schema"], 1, "{d}");
        assert!(d["phone"]["client"].is_string(), "{d}");
    }
    let last_of = |c: &str| {
        docs.iter()
            .rev()
            .find(|d| d["phone"]["client"] == c)
            .unwrap()
    };
    assert_eq!(last_of("10.0.0.3")["phone"]["kind"], "loops");
    assert_eq!(last_of("10.0.0.9")["phone"]["kind"], "lost-after-loader");
}
