//! Roots as tftpd-hpa serves them (issue "Roots as the server serves
//! them", §1 and §2): permissions, case, the manifest, and `--map-file`,
//! each compared with the real `in.tftpd` on 127.0.0.1 where it can be
//! (skipped, saying so, when it is not installed or the tests cannot start
//! it as root).
use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{Files, json, sccp41, tftpd_with};

const MAC: &str = "0011BB73AD61";

fn write_root(dir: &Path, files: &Files, extra: &[(&str, &str)]) {
    for (n, b) in files {
        std::fs::write(dir.join(n), b).unwrap();
    }
    for (n, b) in extra {
        std::fs::write(dir.join(n), b).unwrap();
    }
}

const XML_7961: &str = "<Default>\n<loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>\n</Default>\n";

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn boot(src: &str) -> serde_json::Value {
    json(&[
        "boot",
        src,
        "--mac",
        MAC,
        "--model",
        "7961",
        "--factory-reset",
    ])
    .0
}

/// What a phone saw, request by request: name and status.
fn seen(doc: &serde_json::Value) -> Vec<(String, String)> {
    support::pairs(doc, "requests", "file", "status")
}

fn codes(doc: &serde_json::Value) -> Vec<(String, String)> {
    support::pairs(doc, "findings", "code", "message")
}

/// Folder and live server agree on every request and on the verdict.
fn same_as_live(root: &Path) -> serde_json::Value {
    let folder = boot(root.to_str().unwrap());
    let Some(server) = tftpd_with(root, "nobody", &[]) else {
        eprintln!("skipped: the live comparison needs in.tftpd and root (.ci/run installs it)");
        return folder;
    };
    let live = boot(&format!("tftp://127.0.0.1:{}", server.port));
    assert_eq!(seen(&folder), seen(&live), "folder: {folder}\nlive: {live}");
    assert_eq!(folder["verdict"]["kind"], live["verdict"]["kind"]);
    assert_eq!(folder["verdict"]["file"], live["verdict"]["file"]);
    folder
}

#[test]
fn a_file_others_cannot_read_is_an_error_and_not_served() {
    let d = tempfile::tempdir().unwrap();
    write_root(d.path(), &sccp41(), &[("XMLDefault.cnf.xml", XML_7961)]);
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    let ok = same_as_live(d.path());
    assert_eq!(ok["verdict"]["kind"], "settles");

    chmod(&d.path().join("cnu41.9-4-2ES26.sbn"), 0o640);
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let (_, msg) = codes(&doc)
        .into_iter()
        .find(|(c, _)| c == "not-served")
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(
        msg.contains("cnu41.9-4-2ES26.sbn") && msg.contains("0640"),
        "{msg}"
    );
    let doc = same_as_live(d.path());
    let cnu = doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "cnu41.9-4-2ES26.sbn")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(cnu["status"], "error", "{doc}");
    assert_ne!(doc["verdict"]["kind"], "settles");
}

#[test]
fn a_root_others_cannot_enter_serves_nothing() {
    let d = tempfile::tempdir().unwrap();
    write_root(d.path(), &sccp41(), &[("XMLDefault.cnf.xml", XML_7961)]);
    chmod(d.path(), 0o700);
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let served: Vec<_> = codes(&doc)
        .into_iter()
        .filter(|(c, _)| c == "not-served")
        .collect();
    assert_eq!(
        served.len(),
        1,
        "one finding for the root, not one per file: {served:?}"
    );
    assert!(served[0].1.contains("the root folder") && served[0].1.contains("0700"));
    let doc = same_as_live(d.path());
    assert_eq!(doc["requests"][0]["status"], "error", "{doc}");
    chmod(d.path(), 0o755);
}

#[test]
fn configuration_files_in_another_case_are_never_requested() {
    let d = tempfile::tempdir().unwrap();
    write_root(
        d.path(),
        &sccp41(),
        &[
            ("xmldefault.cnf.xml", XML_7961),
            ("sep0011bb73ad61.cnf.xml", "<device/>"),
        ],
    );
    let (doc, _) = json(&["check", d.path().to_str().unwrap()]);
    let spelled: Vec<_> = codes(&doc)
        .into_iter()
        .filter(|(c, _)| c == "case-spelling")
        .collect();
    assert_eq!(spelled.len(), 2, "{doc}");
    assert!(
        spelled
            .iter()
            .any(|(_, m)| m.contains("phones ask for XMLDefault.cnf.xml exactly"))
    );
    assert!(
        spelled
            .iter()
            .any(|(_, m)| m.contains("SEP0011BB73AD61.cnf.xml"))
    );
    // What the phone does agrees: it never gets the lower-case file.
    let doc = same_as_live(d.path());
    assert!(
        seen(&doc).contains(&("XMLDefault.cnf.xml".into(), "not-found".into())),
        "{doc}"
    );
}

/// A 7961 bundle in `work`, and `loadsmith stage` of its load into `root` with `extra` flags.
fn bundle_7961(work: &Path) -> std::path::PathBuf {
    let bundle = work.join("cmterm-7961-sccp.9-4-2SR3-1.zip");
    support::zip(&bundle, &sccp41());
    bundle
}

fn stage_7961(bundle: &Path, root: &Path, extra: &[&str]) -> std::process::Output {
    support::loadsmith()
        .args([
            "stage",
            "--from",
            bundle.to_str().unwrap(),
            "--target",
            "SCCP41.9-4-2SR3-1S",
        ])
        .args(extra)
        .arg(root)
        .output()
        .unwrap()
}

#[test]
fn the_manifest_in_the_root_names_no_path_of_this_machine() {
    let work = tempfile::tempdir().unwrap();
    let bundle = bundle_7961(work.path());
    let root = work.path().join("tftp");
    let out = stage_7961(&bundle, &root, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = std::fs::read_to_string(root.join(".loadsmith/manifest.json")).unwrap();
    assert!(
        !manifest.contains(work.path().to_str().unwrap()),
        "{manifest}"
    );
    assert!(
        manifest.contains("\"cmterm-7961-sccp.9-4-2SR3-1.zip\""),
        "{manifest}"
    );
}

const RULES: &str = "\
# settings/ holds the configuration files
r ^(XMLDefault\\.cnf\\.xml)$ settings/\\1
ri ^(SEP[0-9A-F]{12}\\.cnf\\.xml)$ settings/\\U\\1
# one folder per family
re ^(term(41|61)\\.default\\.loads)$ firmware/7941/\\1
re ^(SCCP41\\..*\\.loads)$ firmware/7941/\\1
re ^((jar|cnu|apps|dsp|cvm)41.*\\.sbn)$ firmware/7941/\\1
# this one drops part of the name
r ^(P00308)01SR02\\.loads$ firmware/7940/\\1.loads
a ^secret
";

const XML_TREE: &str = "<Default>\n<loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>\n<loadInformation8 model=\"IP Phone 7940\">P0030801SR02</loadInformation8>\n</Default>\n";

/// A chan-sccp style tree: `firmware/<model>/` and `settings/`, and the rules file beside it.
fn tree() -> (tempfile::TempDir, tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let fw = root.path().join("firmware/7941");
    std::fs::create_dir_all(&fw).unwrap();
    std::fs::create_dir_all(root.path().join("firmware/7940")).unwrap();
    std::fs::create_dir_all(root.path().join("settings")).unwrap();
    write_root(&fw, &sccp41(), &[]);
    std::fs::write(
        root.path().join("firmware/7940/P0030801SR02.loads"),
        support::signed(
            "P0030801SR02.loads",
            b"P003-08-12-00.sbn\nP0030801SR02.sb2\n",
        ),
    )
    .unwrap();
    std::fs::write(root.path().join("settings/XMLDefault.cnf.xml"), XML_TREE).unwrap();
    std::fs::write(
        root.path().join("settings/SEP0011BB73AD61.cnf.xml"),
        "<device/>\n",
    )
    .unwrap();
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("tftpd.remap");
    std::fs::write(&rules, RULES).unwrap();
    (root, rules_dir, rules)
}

#[test]
fn check_with_the_map_file_sees_the_root_the_server_serves() {
    let (root, _keep, rules) = tree();
    let r = root.path().to_str().unwrap();
    // Without the rules: nothing at the top, so nothing to say about phones.
    let (plain, _) = json(&["check", r]);
    assert!(plain["pointers"].as_array().unwrap().is_empty(), "{plain}");

    let (doc, code) = json(&["check", r, "--map-file", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    let pointers = doc["pointers"].as_array().unwrap();
    let p7961 = pointers
        .iter()
        .find(|p| p["setting"] == "loadInformation30018")
        .unwrap();
    assert_eq!(p7961["resolves"], true, "{doc}");
    let set = doc["sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["load"] == "SCCP41.9-4-2SR3-1S")
        .unwrap();
    assert_eq!(set["complete"], true, "{doc}");
    let (_, msg) = codes(&doc)
        .into_iter()
        .find(|(c, m)| c == "remap-dangles" && m.contains("P0030801SR02.loads"))
        .unwrap_or_else(|| panic!("{doc}"));
    for part in [
        "phones ask for P0030801SR02.loads",
        "line 9: r ^(P00308)01SR02",
        "firmware/7940/P00308.loads",
        "the root has it at firmware/7940/P0030801SR02.loads",
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }
    // The 7961 factory-reset row settles, as the live server shows below.
    let row = doc["fleet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["model"] == "7961" && f["state"] == "factory reset")
        .unwrap();
    assert_eq!(row["kind"], "settles", "{doc}");
}

#[test]
fn the_rules_resolve_as_the_real_in_tftpd_resolves_them() {
    let (root, _keep, rules) = tree();
    let names = [
        "XMLDefault.cnf.xml",
        "SEP0011bb73ad61.cnf.xml",
        "term61.default.loads",
        "SCCP41.9-4-2SR3-1S.loads",
        "jar41sccp.9-4-2ES26.sbn",
        "P0030801SR02.loads",
        "OS79XX.TXT",
        "secret.txt",
    ];
    let parsed = loadsmith::served::rules::Rules::load(&rules).unwrap();
    let served = loadsmith::served::Served {
        root: root.path().to_path_buf(),
        rules: Some(parsed),
    };
    let log = support::Syslog::capture();
    let Some(server) = tftpd_with(
        root.path(),
        "nobody",
        &["-v", "-v", "-v", "-m", rules.to_str().unwrap()],
    ) else {
        eprintln!("skipped: the comparison needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    for name in names {
        let ours = served.resolve(name);
        let got = support::tftp_get(server.port, name);
        let expect = ours
            .path()
            .and_then(|p| std::fs::read(root.path().join(p)).ok());
        assert_eq!(got, expect, "{name}: loadsmith says {ours:?}");
    }
    // Each booted phone: the folder with the rules and the live server agree.
    let folder = json(&[
        "boot",
        root.path().to_str().unwrap(),
        "--map-file",
        rules.to_str().unwrap(),
        "--mac",
        MAC,
        "--model",
        "7961",
        "--factory-reset",
    ])
    .0;
    let live = boot(&format!("tftp://127.0.0.1:{}", server.port));
    assert_eq!(seen(&folder), seen(&live), "folder: {folder}\nlive: {live}");
    assert_eq!(folder["verdict"]["kind"], "settles");
    assert_eq!(live["verdict"]["kind"], "settles");
    let remapped: Vec<_> = folder["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["remapped"].as_str())
        .collect();
    assert!(
        remapped.contains(&"settings/XMLDefault.cnf.xml"),
        "{folder}"
    );
    drop(server);
    let Some(log) = log else {
        eprintln!(
            "skipped: the remapped-to comparison needs /dev/log free (a syslog daemon owns it)"
        );
        return;
    };
    let lines = log.lines();
    for name in names {
        let ours = served.resolve(name);
        let line = lines
            .iter()
            .find(|l| l.contains(&format!("filename {name}")));
        match (ours.path(), line) {
            (Some(p), Some(l)) if ours.remapped(name) => {
                assert!(l.ends_with(&format!("remapped to {p}")), "{name}: {l}");
            }
            (Some(_), Some(l)) => assert!(!l.contains("remapped to"), "{name}: {l}"),
            (None, _) => {}
            (_, None) => panic!("{name}: no log line among {lines:#?}"),
        }
    }
}

#[test]
fn stage_with_the_map_file_writes_where_the_rules_send_each_name() {
    let work = tempfile::tempdir().unwrap();
    let bundle = bundle_7961(work.path());
    let rules = work.path().join("tftpd.remap");
    std::fs::write(&rules, RULES).unwrap();
    // A root that does not exist yet: the stage makes it, as without rules.
    let root = work.path().join("tftp");
    let out = stage_7961(&bundle, &root, &["--map-file", rules.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A temporary file an interrupted stage left in a folder the rules send
    // files to: the next stage removes it.
    let stale = root.join("firmware/7941/.loadsmith-tmp.dsp41.9-4-2ES26.sbn.99999");
    std::fs::write(&stale, b"half").unwrap();
    let again = stage_7961(&bundle, &root, &["--map-file", rules.to_str().unwrap()]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(!stale.exists(), "the leftover is removed");
    for f in [
        "firmware/7941/SCCP41.9-4-2SR3-1S.loads",
        "firmware/7941/jar41sccp.9-4-2ES26.sbn",
        "firmware/7941/term61.default.loads",
        "settings/XMLDefault.cnf.xml",
    ] {
        assert!(root.join(f).is_file(), "{f} not written");
    }
    let top: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(
        top.len(),
        2,
        "only firmware/ and settings/ at the top: {top:?}"
    );
    let (doc, code) = json(&[
        "check",
        root.to_str().unwrap(),
        "--map-file",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert!(
        !doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "drift"),
        "{doc}"
    );
    let Some(server) = tftpd_with(&root, "nobody", &["-m", rules.to_str().unwrap()]) else {
        eprintln!("skipped: the live comparison needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    let live = boot(&format!("tftp://127.0.0.1:{}", server.port));
    assert_eq!(live["verdict"]["kind"], "settles", "{live}");
    assert_eq!(live["verdict"]["image"], "SCCP41.9-4-2SR3-1S", "{live}");
}

#[test]
fn stage_refuses_when_the_rules_send_a_file_nowhere() {
    let work = tempfile::tempdir().unwrap();
    let bundle = bundle_7961(work.path());
    let root = work.path().join("tftp");
    std::fs::create_dir_all(&root).unwrap();
    for (rules, says) in [
        ("a ^dsp no\\ dsp\\ here\n", "refuse dsp41.9-4-2ES26.sbn"),
        ("r ^(.*)$ .hidden/\\1\n", "inside a hidden folder"),
    ] {
        let file = work.path().join("rules");
        std::fs::write(&file, rules).unwrap();
        let out = stage_7961(&bundle, &root, &["--map-file", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{rules}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && err.contains("nothing was written"),
            "{rules}: {err}"
        );
        assert_eq!(
            std::fs::read_dir(&root).unwrap().count(),
            0,
            "{rules}: the root stays empty"
        );
    }
    // A rules file in.tftpd would refuse to start with is a usage error, naming the line.
    let bad = work.path().join("bad");
    std::fs::write(&bad, "r ok ok\nrq x y\n").unwrap();
    let out = support::loadsmith()
        .args([
            "check",
            root.to_str().unwrap(),
            "--map-file",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("\"q\""), "{err}");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_with_the_map_file_gives_the_verdicts_of_the_live_server() {
    let (root, _keep, rules) = tree();
    let r = root.path().to_str().unwrap();
    let (doc, _) = json(&["check", r, "--map-file", rules.to_str().unwrap()]);
    let rows = doc["fleet"].as_array().unwrap().clone();
    assert!(rows.len() >= 4, "{doc}");
    let Some(server) = tftpd_with(root.path(), "nobody", &["-m", rules.to_str().unwrap()]) else {
        eprintln!("skipped: the live comparison needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    let live = format!("tftp://127.0.0.1:{}", server.port);
    for row in rows {
        let model = row["model"].as_str().unwrap();
        let mut args = vec![
            "boot",
            live.as_str(),
            "--mac",
            "000000000000",
            "--model",
            model,
        ];
        match row["state"].as_str().unwrap() {
            "factory reset" => args.push("--factory-reset"),
            _ => args.extend(["--running", "its current load"]),
        }
        let (b, _) = json(&args);
        assert_eq!(
            b["verdict"]["kind"], row["kind"],
            "{model} {}: check says {row}, the live server {b}",
            row["state"]
        );
        assert_eq!(b["verdict"]["image"], row["image"], "{model}: {row} / {b}");
    }
}

#[test]
fn folders_a_stage_makes_under_umask_027_are_0755_and_the_real_in_tftpd_serves_them() {
    let work = tempfile::tempdir().unwrap();
    let bundle = bundle_7961(work.path());
    let rules = work.path().join("tftpd.remap");
    std::fs::write(&rules, RULES).unwrap();
    let root = work.path().join("tftp");
    // The umask is set by the shell that execs the binary, as a login would.
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "umask 027; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_loadsmith"),
            "stage",
            "--from",
            bundle.to_str().unwrap(),
            "--target",
            "SCCP41.9-4-2SR3-1S",
            "--map-file",
            rules.to_str().unwrap(),
            root.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for dir in ["", "firmware", "firmware/7941", "settings", ".loadsmith"] {
        assert_eq!(mode(&root.join(dir)), 0o755, "{dir}/");
    }
    for f in [
        "firmware/7941/SCCP41.9-4-2SR3-1S.loads",
        "settings/XMLDefault.cnf.xml",
    ] {
        assert_eq!(mode(&root.join(f)), 0o644, "{f}");
    }
    let Some(server) = tftpd_with(&root, "nobody", &["-m", rules.to_str().unwrap()]) else {
        eprintln!("skipped: the live fetch needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    let want = std::fs::read(root.join("firmware/7941/jar41sccp.9-4-2ES26.sbn")).unwrap();
    assert_eq!(
        support::tftp_get(server.port, "jar41sccp.9-4-2ES26.sbn"),
        Some(want),
        "in.tftpd, as nobody, fetches through the folders the stage made"
    );
    let live = boot(&format!("tftp://127.0.0.1:{}", server.port));
    assert_eq!(live["verdict"]["kind"], "settles", "{live}");
}

/// Hand-written SIP defaults with proxy and line settings.
const SIP_SITE: &[u8] = b"# site SIP defaults\r\nproxy1_address: \"10.0.0.1\"\r\nline1_name: \"4001\"\r\nimage_version: \"P0S3-07-4-00\"\r\n";

#[test]
fn a_lower_casing_rule_stage_edits_the_sipdefault_the_live_server_serves() {
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("sip812.zip");
    support::zip(&bundle, &support::sip812());
    let rules = work.path().join("tftpd.remap");
    std::fs::write(&rules, "r ^(.*)$ \\L\\1\n").unwrap();
    let root = work.path().join("tftp");
    std::fs::create_dir(&root).unwrap();
    chmod(&root, 0o755);
    std::fs::write(root.join("sipdefault.cnf"), SIP_SITE).unwrap();
    let out = support::loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from"])
        .arg(&bundle)
        .args(["--map-file", rules.to_str().unwrap()])
        .arg(&root)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("edit       SIPDefault.cnf at sipdefault.cnf"),
        "{said}"
    );
    let want = String::from_utf8_lossy(SIP_SITE).replace("P0S3-07-4-00", "P0S3-8-12-00");
    let Some(server) = tftpd_with(&root, "nobody", &["-m", rules.to_str().unwrap()]) else {
        eprintln!("skipped: the live comparison needs in.tftpd and root (.ci/run installs it)");
        return;
    };
    let got = support::tftp_get(server.port, "SIPDefault.cnf");
    assert_eq!(
        got.as_deref().map(String::from_utf8_lossy).as_deref(),
        Some(want.as_str()),
        "what the live server serves for SIPDefault.cnf"
    );
    let (live, _) = json(&[
        "boot",
        &format!("tftp://127.0.0.1:{}", server.port),
        "--mac",
        MAC,
        "--model",
        "7960",
    ]);
    assert_eq!(live["verdict"]["kind"], "settles", "{live}");
    assert_eq!(live["verdict"]["image"], "P0S3-8-12-00", "{live}");
}
