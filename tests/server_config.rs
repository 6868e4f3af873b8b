//! The server's own configuration: tftpd-hpa's `/etc/default/tftpd-hpa`
//! and dnsmasq's, the user it runs as, rules in tftp-hpa 5.4's syntax and
//! the installed `in.tftpd`. Every configuration lives in a temporary
//! folder the binary reads as `/etc` (`LOADSMITH_ETC`); never the machine's.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{self, sccp41};

const XML_7961: &str = "<Default>\n<loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>\n</Default>\n";

/// Rules in tftp-hpa 5.4's syntax: firmware is found with `E` in one of
/// the model folders after a jump; configuration files go to settings/.
const RULES_54: &str = "\
ri ^(XMLDefault\\.cnf\\.xml|SEP.*)$ settings/\\1
e ^settings/
j \\.(loads|sbn|bin)$ firmware
e .*
:firmware
rE ^(.*)$ firmware/7961/\\1
rE ^(.*)$ firmware/7940/\\1
";

/// A tree laid out for [`RULES_54`], and a folder standing for `/etc`.
fn tree() -> (tempfile::TempDir, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let fw = root.path().join("firmware/7961");
    std::fs::create_dir_all(&fw).unwrap();
    std::fs::create_dir_all(root.path().join("firmware/7940")).unwrap();
    std::fs::create_dir_all(root.path().join("settings")).unwrap();
    for (n, b) in sccp41() {
        std::fs::write(fw.join(n), b).unwrap();
    }
    std::fs::write(root.path().join("settings/XMLDefault.cnf.xml"), XML_7961).unwrap();
    let etc = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(etc.path().join("default")).unwrap();
    std::fs::write(etc.path().join("tftpd.remap"), RULES_54).unwrap();
    std::fs::write(
        etc.path().join("passwd"),
        "root:x:0:0:root:/root:/bin/bash\ntftp:x:1234:1234::/srv/tftp:/usr/sbin/nologin\n",
    )
    .unwrap();
    std::fs::write(
        etc.path().join("group"),
        "root:x:0:\ntftp:x:1234:\nphones:x:4321:tftp\n",
    )
    .unwrap();
    (root, etc)
}

fn defaults(etc: &Path, root: &Path, options: &str) {
    std::fs::write(
        etc.join("default/tftpd-hpa"),
        format!(
            "# /etc/default/tftpd-hpa\nTFTP_USERNAME=\"tftp\"\nTFTP_DIRECTORY=\"{}\"\nTFTP_ADDRESS=\":69\"\nTFTP_OPTIONS=\"{options}\"\n",
            root.display()
        ),
    )
    .unwrap();
}

/// `loadsmith --json ARGS` with `etc` read as `/etc`: the document, stderr
/// and the exit code.
fn run(etc: &Path, args: &[&str]) -> (serde_json::Value, String, i32) {
    run_from(etc, None, args)
}

/// [`run`], from the folder `cwd` when given.
fn run_from(etc: &Path, cwd: Option<&Path>, args: &[&str]) -> (serde_json::Value, String, i32) {
    let mut c = support::loadsmith();
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    let out = c
        .env("LOADSMITH_ETC", etc)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn kinds(doc: &serde_json::Value) -> Vec<(String, String)> {
    support::pairs(doc, "fleet", "model", "kind")
}

/// `check --json` says a 7961 settles.
fn assert_7961_settles(doc: &serde_json::Value) {
    assert!(
        kinds(doc)
            .iter()
            .any(|(m, k)| m.contains("7961") && k == "settles"),
        "{doc}"
    );
}

/// [`tree`], with tftpd-hpa's defaults in the `/etc` folder serving it
/// with `options` and `-m` the rules: the root, the folder, the rules.
fn configured(options: &str) -> (tempfile::TempDir, tempfile::TempDir, std::path::PathBuf) {
    let (root, etc) = tree();
    let rules = etc.path().join("tftpd.remap");
    defaults(
        etc.path(),
        root.path(),
        &format!("{options} -m {}", rules.display()),
    );
    (root, etc, rules)
}

/// The line on stderr that says the root and the rules came from the
/// tftpd-hpa defaults in `etc`.
fn from_defaults(etc: &Path, root: &Path, rules: &Path) -> String {
    format!(
        "tftpd-hpa configuration {}: root {}, rules {}, runs as tftp",
        etc.join("default/tftpd-hpa").display(),
        root.display(),
        rules.display()
    )
}

#[test]
fn check_with_no_root_takes_root_rules_and_user_from_the_tftpd_hpa_defaults() {
    let (root, etc, rules) = configured("--secure");
    let (doc, err, _) = run(etc.path(), &["check"]);
    assert!(
        err.contains("tftpd-hpa configuration")
            && err.contains("default/tftpd-hpa")
            && err.contains("runs as tftp"),
        "{err}"
    );
    assert_eq!(doc["root"], root.path().to_str().unwrap(), "{doc}");
    assert_eq!(doc["server"]["server"], "tftpd-hpa");
    assert_eq!(doc["server"]["map_file"], rules.to_str().unwrap());
    assert_eq!(doc["server"]["user"], "tftp");
    assert_eq!(
        doc["server"]["rules_need"]["release"],
        serde_json::json!([5, 4])
    );
    // The 7961 reaches its firmware through the jump and the E rule.
    let same = run(
        etc.path(),
        &[
            "check",
            root.path().to_str().unwrap(),
            "--map-file",
            rules.to_str().unwrap(),
        ],
    )
    .0;
    assert_eq!(kinds(&doc), kinds(&same));
    assert_7961_settles(&doc);
}

#[test]
fn permissions_are_judged_for_the_user_the_server_runs_as() {
    let (root, etc, rules) = configured("-s");
    let fw = root.path().join("firmware/7961");
    // Root's folder, group phones (4321) may enter it, others may not.
    std::os::unix::fs::chown(&fw, Some(0), Some(4321)).unwrap();
    std::fs::set_permissions(&fw, std::fs::Permissions::from_mode(0o750)).unwrap();
    let r = root.path().to_str().unwrap();
    let served = |doc: &serde_json::Value| {
        support::pairs(doc, "findings", "code", "message")
            .into_iter()
            .filter(|(c, _)| c == "not-served")
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
    };
    let (plain, _, _) = run(
        etc.path(),
        &["check", r, "--map-file", rules.to_str().unwrap()],
    );
    assert!(!served(&plain).is_empty(), "others may not enter: {plain}");
    // tftp is in the group phones: it enters.
    let (doc, _, _) = run(
        etc.path(),
        &[
            "check",
            "--server-config",
            etc.path().join("default/tftpd-hpa").to_str().unwrap(),
        ],
    );
    assert!(served(&doc).is_empty(), "{doc}");
    // Without the membership it does not, and the finding names the user.
    std::fs::write(
        etc.path().join("group"),
        "root:x:0:\ntftp:x:1234:\nphones:x:4321:\n",
    )
    .unwrap();
    let (doc, _, code) = run(etc.path(), &["check"]);
    assert_eq!(code, 1);
    let msgs = served(&doc);
    assert!(
        msgs.iter()
            .any(|m| m.contains("tftp, which tftpd-hpa runs as") && m.contains("0750")),
        "{msgs:?}"
    );
    std::fs::set_permissions(&fw, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn dnsmasq_configuration_gives_the_root_and_its_user() {
    let (root, etc) = tree();
    std::fs::write(
        etc.path().join("dnsmasq.conf"),
        format!(
            "# dnsmasq\nport=0\nconf-dir={}/dnsmasq.d,*.conf\n",
            etc.path().display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(etc.path().join("dnsmasq.d")).unwrap();
    std::fs::write(
        etc.path().join("dnsmasq.d/tftp.conf"),
        format!(
            "enable-tftp\ntftp-root={},eth1\nuser=tftp\n",
            root.path().display()
        ),
    )
    .unwrap();
    let (doc, err, _) = run(etc.path(), &["check"]);
    assert!(
        err.contains("dnsmasq configuration") && err.contains("eth1"),
        "{err}"
    );
    assert_eq!(doc["root"], root.path().to_str().unwrap(), "{doc}");
    assert_eq!(doc["server"]["server"], "dnsmasq");
    // dnsmasq has no remap rules: the tree looks remapped, and check says so.
    assert!(
        doc["server"]["hint"]
            .as_str()
            .unwrap()
            .contains("laid out for remap rules"),
        "{doc}"
    );
}

#[test]
fn a_root_laid_out_for_rules_checked_without_them_names_the_rules_to_pass() {
    let (root, etc) = tree();
    let (doc, err, _) = run(etc.path(), &["check", root.path().to_str().unwrap()]);
    assert!(
        err.contains("hint: no file at the top of the root") && err.contains("firmware, settings"),
        "{err}"
    );
    assert!(err.contains("--map-file"), "{err}");
    assert!(doc["server"]["hint"].is_string(), "{doc}");
    // With the machine's configuration naming its rules, the hint names that file.
    defaults(
        etc.path(),
        root.path(),
        &format!("-s -m {}", etc.path().join("tftpd.remap").display()),
    );
    let (_, err, _) = run(etc.path(), &["check", root.path().to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "--map-file {}",
            etc.path().join("tftpd.remap").display()
        )),
        "{err}"
    );
}

#[test]
fn a_5_4_rules_file_is_read_and_the_older_installed_in_tftpd_refuses_it() {
    let (root, etc) = tree();
    let rules = etc.path().join("tftpd.remap");
    let (doc, err, _) = run(
        etc.path(),
        &[
            "check",
            root.path().to_str().unwrap(),
            "--map-file",
            rules.to_str().unwrap(),
        ],
    );
    assert!(
        err.contains("the rules need tftp-hpa 5.4 (line 3: the flag j"),
        "{err}"
    );
    let Some(version) = installed() else {
        eprintln!("skipped: the comparison needs in.tftpd (.ci/run installs it)");
        return;
    };
    // The real server, started with the file, says whether it reads it.
    let starts = starts_with(&rules, root.path());
    if version < (5, 4) {
        assert!(
            !starts,
            "in.tftpd {version:?} started with a 5.4 rules file"
        );
        assert!(
            err.contains("would refuse to start with this file"),
            "{err}"
        );
        assert!(
            doc["server"]["installed"]
                .as_str()
                .unwrap()
                .contains("refuse"),
            "{doc}"
        );
    } else {
        assert!(starts);
        assert!(doc["server"]["installed"].is_null(), "{doc}");
    }
}

/// The installed in.tftpd's release, as `in.tftpd -V` prints it.
fn installed() -> Option<(u32, u32)> {
    let out = std::process::Command::new("/usr/sbin/in.tftpd")
        .arg("-V")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = text.split_whitespace().nth(1)?.trim_end_matches(',');
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Whether in.tftpd starts with `rules`: one that reads them serves the
/// configuration file through them; one that refuses them exits by itself
/// with EX_CONFIG (78), which is waited for.
fn starts_with(rules: &Path, root: &Path) -> bool {
    let Some(mut server) = support::tftpd_with(root, "nobody", &["-m", rules.to_str().unwrap()])
    else {
        panic!("in.tftpd is installed but did not start (the tests run as root)");
    };
    if support::tftp_get(server.port, "XMLDefault.cnf.xml").is_some() {
        return true;
    }
    assert_eq!(
        server.wait_exit(),
        Some(78),
        "in.tftpd neither served nor refused its rules"
    );
    false
}

/// Rules that send the 7961's firmware to firmware/7961/ and the
/// configuration file to settings/ (tftp-hpa 5.2's syntax).
const RULES_STAGE: &str = "\
r ^(XMLDefault\\.cnf\\.xml)$ settings/\\1
re ^(term(41|61)\\.default\\.loads)$ firmware/7961/\\1
re ^(SCCP41\\..*\\.loads)$ firmware/7961/\\1
re ^((jar|cnu|apps|dsp|cvm)41.*\\.sbn)$ firmware/7961/\\1
";

/// The names in `dir`, dot files left out, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

const STAGE_7961: [&str; 5] = [
    "stage",
    "--target",
    "SCCP41.9-4-2SR3-1S",
    "--from",
    "cmterm-7961-sccp.9-4-2SR3-1.zip",
];

const BOOT_7961: [&str; 6] = [
    "boot",
    "--mac",
    "0011BB73AD61",
    "--model",
    "7961",
    "--factory-reset",
];

/// A folder holding the 7961's bundle only, as [`STAGE_7961`] names it.
fn bundle_folder() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    support::zip(&work.path().join(STAGE_7961[4]), &sccp41());
    work
}

#[test]
fn stage_with_no_root_writes_into_the_configured_directory_through_its_rules() {
    let (work, etc) = (bundle_folder(), tempfile::tempdir().unwrap());
    std::fs::create_dir_all(etc.path().join("default")).unwrap();
    let rules = etc.path().join("tftpd.remap");
    std::fs::write(&rules, RULES_STAGE).unwrap();
    // The configured root does not exist yet: the stage makes it.
    let srv = tempfile::tempdir().unwrap();
    let root = srv.path().join("tftp");
    defaults(
        etc.path(),
        &root,
        &format!("--secure -m {}", rules.display()),
    );
    let (doc, err, code) = run_from(etc.path(), Some(work.path()), &STAGE_7961);
    assert_eq!(code, 0, "{err}\n{doc}");
    assert!(
        err.contains(&from_defaults(etc.path(), &root, &rules)),
        "{err}"
    );
    assert_eq!(doc["root"], root.to_str().unwrap(), "{doc}");
    assert_eq!(doc["server"]["map_file"], rules.to_str().unwrap(), "{doc}");
    // Every file where the rules send its name, with the bundle's bytes;
    // nothing at the top of the root but the rules' folders.
    for (name, bytes) in sccp41() {
        let at = root.join("firmware/7961").join(&name);
        assert_eq!(std::fs::read(&at).ok(), Some(bytes), "{name}");
    }
    assert!(root.join("settings/XMLDefault.cnf.xml").is_file());
    assert_eq!(listing(&root), ["firmware", "settings"]);
    // The folder it ran in (the bundle's) is not written to.
    assert_eq!(listing(work.path()), ["cmterm-7961-sccp.9-4-2SR3-1.zip"]);
    // check, given no root either, sees the 7961 settle there.
    let (doc, _, code) = run_from(etc.path(), Some(work.path()), &["check"]);
    assert_eq!(code, 0, "{doc}");
    assert_7961_settles(&doc);
}

#[test]
fn boot_with_no_source_settles_from_the_configured_root_and_rules() {
    let (root, etc, rules) = configured("-s");
    let (doc, err, code) = run(etc.path(), &BOOT_7961);
    assert_eq!(code, 0, "{err}\n{doc}");
    assert!(
        err.contains(&from_defaults(etc.path(), root.path(), &rules)),
        "{err}"
    );
    assert_eq!(doc["verdict"]["kind"], "settles", "{doc}");
    assert_eq!(doc["server"]["server"], "tftpd-hpa", "{doc}");
    // The same walk as the folder and the rules given by hand.
    let r = root.path().to_str().unwrap();
    let mut by_hand = BOOT_7961.to_vec();
    by_hand.extend([r, "--map-file", rules.to_str().unwrap()]);
    let (same, _, _) = run(etc.path(), &by_hand);
    assert_eq!(doc["requests"], same["requests"], "{doc}\n{same}");
    assert!(
        doc["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["remapped"] == "settings/XMLDefault.cnf.xml"),
        "{doc}"
    );
}

#[test]
fn boot_and_stage_with_no_root_and_no_server_configuration_say_so() {
    let (work, etc) = (bundle_folder(), tempfile::tempdir().unwrap());
    for (args, what) in [
        (&STAGE_7961[..], "stage needs a root"),
        (&BOOT_7961[..], "boot needs a source"),
    ] {
        let (_, err, code) = run_from(etc.path(), Some(work.path()), args);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(what)
                && err.contains("--server-config FILE")
                && err.contains("no /etc/default/tftpd-hpa or dnsmasq.conf with enable-tftp"),
            "{err}"
        );
    }
    // A configuration that names no root: said, naming the file.
    std::fs::create_dir_all(etc.path().join("default")).unwrap();
    std::fs::write(
        etc.path().join("default/tftpd-hpa"),
        "TFTP_USERNAME=\"tftp\"\nTFTP_OPTIONS=\"--secure\"\n",
    )
    .unwrap();
    for args in [&STAGE_7961[..], &BOOT_7961[..]] {
        let (_, err, code) = run_from(etc.path(), Some(work.path()), args);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!(
                "{} names no root (no TFTP_DIRECTORY)",
                etc.path().join("default/tftpd-hpa").display()
            )),
            "{err}"
        );
    }
    assert_eq!(listing(work.path()), ["cmterm-7961-sccp.9-4-2SR3-1.zip"]);
}

/// A relative root in the configuration (`.`, `tftp`, `~/x`, `$HOME/x`):
/// the server resolves it from its own working folder, which loadsmith
/// cannot know. `stage` and `check` with no root refuse it, exit 2, and
/// write nothing in the folder they run from.
#[test]
fn a_relative_root_in_the_configuration_is_refused_never_the_current_folder() {
    let (work, etc) = (bundle_folder(), tempfile::tempdir().unwrap());
    std::fs::create_dir_all(etc.path().join("default")).unwrap();
    for dir in ["\".\"", "tftp", "~/x", "$HOME/x"] {
        std::fs::write(
            etc.path().join("default/tftpd-hpa"),
            format!("TFTP_DIRECTORY={dir}\nTFTP_OPTIONS=\"--secure\"\n"),
        )
        .unwrap();
        for args in [&STAGE_7961[..], &["check"][..]] {
            let (_, err, code) = run_from(etc.path(), Some(work.path()), args);
            assert_eq!(code, 2, "{dir}: {err}");
            assert!(err.contains("not an absolute path"), "{dir}: {err}");
        }
        assert_eq!(listing(work.path()), ["cmterm-7961-sccp.9-4-2SR3-1.zip"]);
        assert!(!work.path().join(".loadsmith").exists(), "{dir}");
    }
}

/// dnsmasq takes the double quotes out of a value: `tftp-root="/srv/x"`
/// serves `/srv/x`, and a stage with no root writes there, not into a
/// folder named with the quotes below the current one.
#[test]
fn a_quoted_dnsmasq_tftp_root_is_the_folder_inside_the_quotes() {
    let (work, etc) = (bundle_folder(), tempfile::tempdir().unwrap());
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        etc.path().join("dnsmasq.conf"),
        format!("enable-tftp\ntftp-root=\"{}\"\n", root.path().display()),
    )
    .unwrap();
    let (doc, err, code) = run_from(etc.path(), Some(work.path()), &STAGE_7961);
    assert_eq!(code, 0, "{err}\n{doc}");
    assert!(root.path().join("XMLDefault.cnf.xml").is_file(), "{err}");
    assert_eq!(listing(work.path()), ["cmterm-7961-sccp.9-4-2SR3-1.zip"]);
    assert!(!work.path().join(".loadsmith").exists());
}
