//! Round 3 of the hostile corpus, pointers and prune (issue "Hostile input,
//! round 3", points 2 and 6): pointer files the remap rules serve under
//! another name on disk are edited where the server finds them, and
//! `--prune` deletes only what it staged and nothing still needs.

use std::path::{Path, PathBuf};

use crate::support::*;

struct Work {
    d: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("root")).unwrap();
        Work { d }
    }
    fn root(&self) -> PathBuf {
        self.d.path().join("root")
    }
    fn r(&self) -> String {
        self.root().to_string_lossy().into_owned()
    }
    fn path(&self, name: &str) -> String {
        self.d.path().join(name).to_string_lossy().into_owned()
    }
    fn put(&self, rel: &str, bytes: &[u8]) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    fn get(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.root().join(rel)).unwrap()
    }
    fn rules(&self, text: &str) -> String {
        let p = self.path("tftpd.remap");
        std::fs::write(&p, text).unwrap();
        p
    }
    fn bundle(&self, name: &str, files: &Files) -> String {
        let p = self.path(name);
        zip(Path::new(&p), files);
        p
    }
}

/// `loadsmith stage` (human output): stdout, stderr, exit code.
fn stage(args: &[&str]) -> (String, String, i32) {
    let out = loadsmith().arg("stage").args(args).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `loadsmith stage --target TARGET --from BUNDLE EXTRA... ROOT` (human
/// output): stdout, stderr, exit code.
fn stage_into(w: &Work, target: &str, bundle: &str, extra: &[&str]) -> (String, String, i32) {
    let root = w.r();
    let mut args = vec!["--target", target, "--from", bundle];
    args.extend_from_slice(extra);
    args.push(&root);
    stage(&args)
}

const SIP_SETTINGS: &[u8] = b"# site SIP defaults\r\nproxy1_address: \"10.0.0.1\"\r\nproxy1_port: 5060\r\nline1_name: \"4001\"\r\nline1_authname: \"4001\"\r\nimage_version: \"P0S3-07-4-00\"\r\nmessages_uri: \"55\"\r\n";

/// `loadsmith check --map-file RULES ROOT --json`: the document and the exit code.
fn check(w: &Work, rules: &str) -> (serde_json::Value, i32) {
    json(&["check", &w.r(), "--map-file", rules])
}

/// A root holding the pointer file `(path, bytes)` the server serves
/// under another name, staged with `target` from the bundle `(name,
/// files)` through the remap rules `rules` (exit 0 asserted): the work
/// folder, the bundle's path, the rules file's path and stage's stdout.
fn staged_through(
    rules: &str,
    (name, files): (&str, &Files),
    (path, bytes): (&str, &[u8]),
    target: &str,
) -> (Work, String, String, String) {
    let w = Work::new();
    let b = w.bundle(name, files);
    let rules = w.rules(rules);
    w.put(path, bytes);
    let (out, err, code) = stage_into(&w, target, &b, &["--map-file", &rules]);
    assert_eq!(code, 0, "{out}{err}");
    (w, b, rules, out)
}

/// Checks the root through `rules`: exit 0 and no error or warning. The
/// document.
fn checks_clean(w: &Work, rules: &str) -> serde_json::Value {
    let (doc, code) = check(w, rules);
    assert_eq!(code, 0, "{doc}");
    assert!(complaints(&doc).is_empty(), "{:#?}", complaints(&doc));
    doc
}

/// [`SIP_SETTINGS`] with `image_version` pointing at P0S3-8-12-00, every
/// other byte kept.
fn sip_settings_at_812() -> String {
    String::from_utf8_lossy(SIP_SETTINGS).replace("P0S3-07-4-00", "P0S3-8-12-00")
}

/// The findings of a check that are errors or warnings, as `code message`.
fn complaints(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| format!("{} {}", f["code"], f["message"]))
        .collect()
}

/// Every file under the root but loadsmith's own state, relative paths.
fn files_in(dir: &Path, rel: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir.join(rel)).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let at = if rel.is_empty() {
            n.clone()
        } else {
            format!("{rel}/{n}")
        };
        if n == ".loadsmith" {
            continue;
        }
        match e.file_type().unwrap().is_dir() {
            true => files_in(dir, &at, out),
            false => out.push(at),
        }
    }
}

fn tree(w: &Work) -> Vec<String> {
    let mut v = Vec::new();
    files_in(&w.root(), "", &mut v);
    v.sort();
    v
}

const LOWER: &str = "r ^(.*)$ \\L\\1\n";

#[test]
fn lower_casing_rule_edits_sipdefault_where_the_server_finds_it() {
    let (w, b, rules, out) = staged_through(
        LOWER,
        ("sip812.zip", &sip812()),
        ("sipdefault.cnf", SIP_SETTINGS),
        "P0S3-8-12-00",
    );
    assert!(
        out.contains("edit       SIPDefault.cnf at sipdefault.cnf (image_version = P0S3-8-12-00)"),
        "{out}"
    );
    assert!(!out.contains("create     SIPDefault.cnf"), "{out}");
    // Every other byte kept: only the image_version line changed.
    let want = sip_settings_at_812();
    assert_eq!(w.get("sipdefault.cnf"), want.as_bytes());
    assert_eq!(
        tree(&w),
        [
            "os79xx.txt",
            "p003-8-12-00.bin",
            "p003-8-12-00.sbn",
            "p0s3-8-12-00.loads",
            "p0s3-8-12-00.sb2",
            "sipdefault.cnf"
        ],
        "no second SIPDefault.cnf beside it"
    );
    // check sees what the server serves: no file "not held", no rename to fix.
    let doc = checks_clean(&w, &rules);
    let p = &doc["pointers"].as_array().unwrap();
    assert!(
        p.iter()
            .any(|p| p["file"] == "SIPDefault.cnf" && p["resolves"] == true),
        "{doc}"
    );
    // Staged again: nothing to do, the file untouched.
    let (out, err, code) = stage_into(&w, "P0S3-8-12-00", &b, &["--map-file", &rules]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nothing to do"), "{out}");
    assert_eq!(w.get("sipdefault.cnf"), want.as_bytes());
}

const XML_SITE: &str = "<Default>\n  <!-- site config -->\n  <callManagerGroup><members><member priority=\"0\"><callManager><ports><ethernetPhonePort>2000</ethernetPhonePort></ports><processNodeName>10.0.0.5</processNodeName></callManager></member></members></callManagerGroup>\n  <loadInformation115 model=\"IP Phone 7941\">SCCP41.8-5-2S</loadInformation115>\n</Default>\n";

#[test]
fn lower_casing_rule_keeps_the_call_manager_group_of_xmldefault() {
    let (w, _, rules, out) = staged_through(
        LOWER,
        ("sccp41.zip", &sccp41()),
        ("xmldefault.cnf.xml", XML_SITE.as_bytes()),
        "SCCP41.9-4-2SR3-1S",
    );
    assert!(
        out.contains("edit       XMLDefault.cnf.xml at xmldefault.cnf.xml"),
        "{out}"
    );
    let xml = String::from_utf8(w.get("xmldefault.cnf.xml")).unwrap();
    // Every byte kept but the 7941 value; the family's other models added.
    let kept = XML_SITE
        .replace("SCCP41.8-5-2S", "SCCP41.9-4-2SR3-1S")
        .replace("</Default>\n", "");
    assert!(xml.starts_with(&kept), "{xml}");
    assert!(
        xml.contains("<loadInformation30018 model=\"IP Phone 7961\">SCCP41.9-4-2SR3-1S</loadInformation30018>"),
        "{xml}"
    );
    assert!(!tree(&w).contains(&"XMLDefault.cnf.xml".to_string()));
    checks_clean(&w, &rules);
}

#[test]
fn a_rule_that_renames_sipdefault_edits_the_file_it_names() {
    let (w, b, rules, out) = staged_through(
        "r ^SIPDefault\\.cnf$ settings/sip.cnf\n",
        ("sip812.zip", &sip812()),
        ("settings/sip.cnf", SIP_SETTINGS),
        "P0S3-8-12-00",
    );
    assert!(
        out.contains(
            "edit       SIPDefault.cnf at settings/sip.cnf (image_version = P0S3-8-12-00)"
        ),
        "{out}"
    );
    let want = sip_settings_at_812();
    assert_eq!(w.get("settings/sip.cnf"), want.as_bytes());
    assert!(!w.root().join("SIPDefault.cnf").exists(), "{:?}", tree(&w));
    let (doc, code) = json(&[
        "stage",
        "--target",
        "P0S3-8-12-00",
        "--from",
        &b,
        "--map-file",
        &rules,
        "--dry-run",
        &w.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["edits"][0]["file"], "SIPDefault.cnf", "{doc}");
    assert_eq!(doc["edits"][0]["path"], "settings/sip.cnf", "{doc}");
    checks_clean(&w, &rules);
}

fn sip41() -> Files {
    family_load("SIP41.9-4-2SR3-1S", "41", "sip", "9-4-2ES27", &["41", "61"])
}

/// A root that served SCCP41 and now serves SIP41 (staged without
/// `--prune`), and the SIP41 bundle to stage again.
fn sccp_then_sip(w: &Work) -> String {
    let sccp = w.bundle("sccp41.zip", &sccp41());
    let sip = w.bundle("sip41.zip", &sip41());
    for (t, b) in [("SCCP41.9-4-2SR3-1S", &sccp), ("SIP41.9-4-2SR3-1S", &sip)] {
        let (out, err, code) = stage_into(w, t, b, &[]);
        assert_eq!(code, 0, "{out}{err}");
    }
    sip
}

/// The manifest, edited by `f`.
fn edit_manifest(w: &Work, f: impl FnOnce(&mut serde_json::Value)) {
    let p = w.root().join(".loadsmith/manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    f(&mut m);
    std::fs::write(&p, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

/// `stage --prune --json` of SIP41: the document.
fn prune_sip41(w: &Work, bundle: &str) -> serde_json::Value {
    let (doc, code) = json(&[
        "stage",
        "--prune",
        "--target",
        "SIP41.9-4-2SR3-1S",
        "--from",
        bundle,
        &w.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    doc
}

fn kept(doc: &serde_json::Value) -> Vec<(String, String)> {
    pairs(doc, "kept", "file", "reason")
}

#[test]
fn prune_leaves_a_staged_image_replaced_by_hand() {
    let w = Work::new();
    let sip = sccp_then_sip(&w);
    let mine = b"the user's own cvm build".to_vec();
    w.put("cvm41sccp.9-4-2ES26.sbn", &mine);
    let doc = prune_sip41(&w, &sip);
    assert_eq!(w.get("cvm41sccp.9-4-2ES26.sbn"), mine, "{doc}");
    // What nothing needs and still has the bytes staged goes.
    assert!(!w.root().join("jar41sccp.9-4-2ES26.sbn").exists(), "{doc}");
    assert!(!w.root().join("SCCP41.9-4-2SR3-1S.loads").exists(), "{doc}");
    let k = kept(&doc);
    assert!(
        k.iter().any(|(f, r)| f == "cvm41sccp.9-4-2ES26.sbn"
            && r.contains("bytes are not those the stage of SCCP41.9-4-2SR3-1S wrote")),
        "{doc}"
    );
    // The human output names it too.
    let (out, _, code) = stage_into(&w, "SIP41.9-4-2SR3-1S", &sip, &["--prune"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("keep       cvm41sccp.9-4-2ES26.sbn: its bytes are not those"),
        "{out}"
    );
    assert_eq!(w.get("cvm41sccp.9-4-2ES26.sbn"), mine);
}

#[test]
fn prune_leaves_a_user_file_a_hand_edited_manifest_lists() {
    let w = Work::new();
    let sip = sccp_then_sip(&w);
    let mine = signed("P0S3-8-11-00.sb2", b"a SIP image the user keeps");
    w.put("P0S3-8-11-00.sb2", &mine);
    edit_manifest(&w, |m| {
        m["files"]["P0S3-8-11-00.sb2"] = serde_json::json!({
            "sha256": "0".repeat(64),
            "kind": "image",
            "load": "P0S3-8-11-00",
        });
    });
    let doc = prune_sip41(&w, &sip);
    assert_eq!(w.get("P0S3-8-11-00.sb2"), mine, "{doc}");
    assert!(
        !doc["pruned"]
            .as_array()
            .unwrap()
            .contains(&"P0S3-8-11-00.sb2".into()),
        "{doc}"
    );
    assert!(
        kept(&doc)
            .iter()
            .any(|(f, r)| f == "P0S3-8-11-00.sb2" && r.contains("bytes are not those")),
        "{doc}"
    );
}

#[test]
fn prune_never_removes_pointer_files_a_manifest_lists_as_images() {
    let w = Work::new();
    let b812 = w.bundle("sip812.zip", &sip812());
    let (out, err, code) = stage_into(&w, "P0S3-8-12-00", &b812, &[]);
    assert_eq!(code, 0, "{out}{err}");
    // The 7940/7960 entries a 7941 stage's XMLDefault.cnf.xml must keep.
    w.put(
        "XMLDefault.cnf.xml",
        b"<Default>\n  <loadInformation7 model=\"IP Phone 7960\">P0S3-8-12-00</loadInformation7>\n  <loadInformation8 model=\"IP Phone 7940\">P0S3-8-12-00</loadInformation8>\n</Default>\n",
    );
    let (sipdefault, os79xx) = (w.get("SIPDefault.cnf"), w.get("OS79XX.TXT"));
    // The manifest now says both are images of a load nothing names (their
    // digests are right: only what they are keeps them).
    edit_manifest(&w, |m| {
        for f in ["SIPDefault.cnf", "OS79XX.TXT"] {
            m["files"][f]["kind"] = "image".into();
            m["files"][f]["load"] = "P0S3-8-11-00".into();
        }
    });
    let sccp = w.bundle("sccp41.zip", &sccp41());
    let (doc, code) = json(&[
        "stage",
        "--prune",
        "--target",
        "SCCP41.9-4-2SR3-1S",
        "--from",
        &sccp,
        &w.r(),
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(w.get("SIPDefault.cnf"), sipdefault, "{doc}");
    assert_eq!(w.get("OS79XX.TXT"), os79xx, "{doc}");
    let k = kept(&doc);
    for f in ["SIPDefault.cnf", "OS79XX.TXT"] {
        assert!(
            k.iter()
                .any(|(n, r)| n == f && r.contains("configuration file phones ask for")),
            "{f}: {doc}"
        );
    }
    // The 7940/7960 set SIPDefault.cnf names stays whole, and the root checks clean.
    for (n, b) in sip812().into_iter().filter(|(n, _)| n != "OS79XX.TXT") {
        assert_eq!(w.get(&n), b, "{n}");
    }
    let (c, code) = json(&["check", &w.r()]);
    assert_eq!(code, 0, "{c}");
}

#[test]
fn prune_through_a_lower_casing_rule_removes_the_files_on_disk() {
    let w = Work::new();
    let rules = w.rules(LOWER);
    let sccp = w.bundle("sccp41.zip", &sccp41());
    let sip = w.bundle("sip41.zip", &sip41());
    for (t, b) in [("SCCP41.9-4-2SR3-1S", &sccp), ("SIP41.9-4-2SR3-1S", &sip)] {
        let (out, err, code) = stage_into(&w, t, b, &["--map-file", &rules]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let mine = b"the user's own dsp build".to_vec();
    w.put("dsp41.9-4-2es26.sbn", &mine);
    let (out, err, code) = stage_into(
        &w,
        "SIP41.9-4-2SR3-1S",
        &sip,
        &["--prune", "--map-file", &rules],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!w.root().join("jar41sccp.9-4-2es26.sbn").exists(), "{out}");
    assert!(!w.root().join("sccp41.9-4-2sr3-1s.loads").exists(), "{out}");
    assert_eq!(w.get("dsp41.9-4-2es26.sbn"), mine, "{out}");
    assert!(
        out.contains("keep       dsp41.9-4-2ES26.sbn: its bytes are not those"),
        "{out}"
    );
    for (n, b) in sip41() {
        assert_eq!(w.get(&n.to_lowercase()), b, "{n}");
    }
    // What check says of the root is only the file the user replaced.
    let (doc, code) = check(&w, &rules);
    assert_eq!(code, 1, "{doc}");
    let members: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["member"].as_str().unwrap_or_default())
        .collect();
    assert!(members.iter().all(|m| *m == "dsp41.9-4-2ES26.sbn"), "{doc}");
}

#[test]
fn prune_keeps_a_file_the_rules_still_serve_under_a_needed_name() {
    let w = Work::new();
    // old.sbn, which a hand-edited manifest lists as an image with the right
    // digest, is where the rules send the staged cvm41sip component.
    let rules = w.rules("r ^old\\.sbn$ cvm41sip.9-4-2ES27.sbn\n");
    let sip = w.bundle("sip41.zip", &sip41());
    let mapped = ["--map-file", rules.as_str()];
    let (out, err, code) = stage_into(&w, "SIP41.9-4-2SR3-1S", &sip, &mapped);
    assert_eq!(code, 0, "{out}{err}");
    edit_manifest(&w, |m| {
        let mut e = m["files"]["cvm41sip.9-4-2ES27.sbn"].clone();
        e["load"] = "SIP41.8-5-2S".into();
        m["files"]["old.sbn"] = e;
    });
    let (out, err, code) = stage_into(
        &w,
        "SIP41.9-4-2SR3-1S",
        &sip,
        &[&mapped[..], &["--prune"]].concat(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let cvm = sip41()
        .into_iter()
        .find(|(n, _)| n == "cvm41sip.9-4-2ES27.sbn")
        .unwrap()
        .1;
    assert_eq!(w.get("cvm41sip.9-4-2ES27.sbn"), cvm, "{out}");
    assert!(
        out.contains("keep       old.sbn: still needed: the rules serve cvm41sip.9-4-2ES27.sbn from cvm41sip.9-4-2ES27.sbn"),
        "{out}"
    );
}
