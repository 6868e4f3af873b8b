//! Round 3 of the hostile corpus (issue 19), the text points: names a list
//! yields in any format, escapes in decoded versions, checksum lists.

use md5::{Digest, Md5};

use super::{snapshot, zip_bytes};
use crate::support::*;

/// The per-phone configuration a hostile list slips in.
const SEP: &str = "SEP001122334455.cnf.xml";
const SEP_BYTES: &[u8] = b"<device><callManagerGroup>evil</callManagerGroup></device>\n";

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A wireless `.SBN`: its own MD5 (over the file with those 32 bytes
/// zeroed) in ASCII hex, then the body.
fn self_md5_file(body: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8; 32];
    v.extend_from_slice(body);
    let hex = md5_hex(&v);
    v[..32].copy_from_slice(hex.as_bytes());
    v
}

/// A 7925 load whose list's sizes and MD5s are its files', with `extra`
/// lines added to the list (`{sep}` stands for the hostile line's columns).
fn wireless(extra: &str) -> Files {
    let mut body = String::from("# CP7925G load\n#? HW_REV 1\n");
    let mut files: Files = Vec::new();
    for part in ["APPSH", "GUIH", "SYSH"] {
        let name = format!("{part}-1.4.1SR1.SBN");
        let bytes = self_md5_file(format!("{part} bytes").repeat(50).as_bytes());
        body.push_str(&format!("{name}   {} {}\n", bytes.len(), md5_hex(&bytes)));
        files.push((name, bytes));
    }
    let cols = format!("{SEP} {} {}", SEP_BYTES.len(), md5_hex(SEP_BYTES));
    body.push_str(&extra.replace("{sep}", &cols));
    let list = "CP7925G-1.4.1SR1.LOADS";
    files.push((list.into(), signed(list, body.as_bytes())));
    files
}

/// Adds `line` to the list `list` of `files` (before its `LA_VERSION`, if any).
fn listing(mut files: Files, list: &str, line: &str) -> Files {
    let i = files.iter().position(|(n, _)| n == list).unwrap();
    let h = loadsmith::signed::header::parse(&files[i].1).unwrap();
    let body = String::from_utf8(files[i].1[h.header_len as usize..].to_vec()).unwrap();
    let body = match body.split_once("LA_VERSION") {
        Some((a, b)) => format!("{a}{line}LA_VERSION{b}"),
        None => format!("{body}{line}"),
    };
    files[i].1 = signed(list, body.as_bytes());
    files
}

/// A 69xx load, shaped like the vendor's list.
fn sccp69xx() -> Files {
    let load = "SCCP69xx.9-3-1-3";
    let parts = [
        "BOOT69xx.0-0-0-14.zz.sgn",
        "DSP69xx.0-0-0-11-124120.zz.sgn",
        "SCCP69xx.9-3-1-3.zz.sgn",
    ];
    let list: String = parts.iter().map(|p| format!("{p}\n")).collect();
    let mut files: Files = vec![(
        format!("{load}.loads"),
        signed(&format!("{load}.loads"), list.trim_end().as_bytes()),
    )];
    for p in parts {
        files.push((p.to_string(), signed(p, &image_body(p, 3000))));
    }
    files
}

/// Every list format, each listing the per-phone configuration it holds.
fn lists_naming_a_configuration() -> Vec<(&'static str, &'static str, Files)> {
    let with_sep = |mut f: Files| {
        f.push((SEP.to_string(), SEP_BYTES.to_vec()));
        f
    };
    let sep_line = format!("{SEP}\n");
    let sep_crlf = format!("{SEP}\r\n");
    vec![
        (
            "7940 .loads",
            "P0S3-8-12-00",
            with_sep(listing(sip812(), "P0S3-8-12-00.loads", &sep_line)),
        ),
        (
            "79x1 .loads",
            "SCCP41.9-4-2SR3-1S",
            with_sep(listing(sccp41(), "SCCP41.9-4-2SR3-1S.loads", &sep_crlf)),
        ),
        (
            "79x1 term file",
            "SCCP41.9-4-2SR3-1S",
            with_sep(listing(sccp41(), "term41.default.loads", &sep_crlf)),
        ),
        (
            "wireless list, a required line",
            "CP7925G-1.4.1SR1",
            with_sep(wireless("{sep}\n")),
        ),
        (
            "wireless list, an optional #+ line",
            "CP7925G-1.4.1SR1",
            with_sep(wireless("#+ {sep}\n")),
        ),
        (
            "69xx list",
            "SCCP69xx.9-3-1-3",
            with_sep(listing(
                sccp69xx(),
                "SCCP69xx.9-3-1-3.loads",
                &format!("\n{SEP}"),
            )),
        ),
    ]
}

fn error_codes(doc: &serde_json::Value) -> Vec<String> {
    doc["bundles"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_list_format_refuses_a_configuration_it_names() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("XMLDefault.cnf.xml"), b"<Default/>\n").unwrap();
    let before = snapshot(&root);
    for (what, target, files) in lists_naming_a_configuration() {
        let p = d.path().join("bundle.zip");
        std::fs::write(&p, zip_bytes(&files)).unwrap();
        let p = p.to_str().unwrap();
        let (doc, code) = json(&["inspect", p]);
        assert_eq!(code, 1, "{what}: {doc}");
        let errors = error_codes(&doc);
        assert!(
            errors.iter().any(|c| c == "not-firmware-in-set"),
            "{what}: {errors:?}"
        );
        // The names given are nowhere in any set.
        for set in doc["bundles"][0]["sets"].as_array().unwrap() {
            assert!(
                !set["files"].as_array().unwrap().iter().any(|f| f == SEP),
                "{what}: {set}"
            );
        }
        let st = loadsmith()
            .args(["stage", "--force", "--target", target, "--from", p])
            .arg(&root)
            .output()
            .unwrap();
        assert_eq!(st.status.code(), Some(1), "{what}: {st:?}");
        let err = String::from_utf8_lossy(&st.stderr);
        assert!(
            err.contains("not-firmware-in-set") && err.contains(SEP),
            "{what}: {err}"
        );
        assert_eq!(
            snapshot(&root),
            before,
            "{what}: the stage changed the root"
        );
    }
}

#[test]
fn a_wireless_optional_line_naming_a_configuration_is_the_only_error() {
    // Without the `#+` line the bundle is clean: the line alone makes it fail.
    let d = tempfile::tempdir().unwrap();
    let clean = d.path().join("clean.zip");
    std::fs::write(&clean, zip_bytes(&wireless(""))).unwrap();
    let (doc, code) = json(&["inspect", clean.to_str().unwrap()]);
    assert_eq!((code, error_codes(&doc)), (0, vec![]), "{doc}");
    let mut files = wireless("#+ {sep}\n");
    files.push((SEP.to_string(), SEP_BYTES.to_vec()));
    let p = d.path().join("sep.zip");
    std::fs::write(&p, zip_bytes(&files)).unwrap();
    let (doc, code) = json(&["inspect", p.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(error_codes(&doc), ["not-firmware-in-set"], "{doc}");
    let loads = &doc["bundles"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "CP7925G-1.4.1SR1.LOADS")
        .unwrap()["loads"];
    assert_eq!(loads["not_firmware"][0], SEP, "{loads}");
    assert!(loads.get("optional").is_none(), "{loads}");
}

/// Every family whose version is decoded from the name, each carrying a
/// hostile control: ESC (hide what follows), BEL, a C1 CSI, DEL.
fn hostile_names() -> Vec<String> {
    let mut out = Vec::new();
    for bad in [
        "\u{1b}[8m",
        "\u{7}",
        "\u{9b}8m",
        "\u{7f}",
        "\u{1b}]2;owned\u{7}",
    ] {
        for name in [
            "sip69xx.9-4-{}1.loads",
            "SCCP69xx.9-3-1-{}3.loads",
            "CP7925G-1.4.{}1.LOADS",
            "APPSH-1.4.{}1.SBN",
            "SCCP894x.9-4-2SR1-{}2.loads",
            "sip78xx.14-1-{}1.loads",
            "SCCP41.9-4-2SR3-{}1S.loads",
            "P0S3-8-{}12-00.sb2",
            "jar41sip.9-4-{}2ES26.sbn",
        ] {
            out.push(name.replace("{}", bad));
        }
    }
    out
}

/// The SGR codes loadsmith's own colours use (its palette as `anstyle`
/// renders it: the bold effect and the foreground colour are two sequences);
/// nothing else may follow ESC.
const OWN_COLOURS: &[&str] = &["0", "1", "31", "32", "33", "35", "36"];

/// The raw control characters in `bytes` (line feed and tab aside), after
/// taking out loadsmith's own colours when `colour`.
fn raw_controls(bytes: &[u8], colour: bool) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut bad = Vec::new();
    let mut rest = text.as_ref();
    while let Some(c) = rest.chars().next() {
        if colour && c == '\u{1b}' {
            let own = OWN_COLOURS
                .iter()
                .find(|code| rest.strip_prefix(&format!("\u{1b}[{code}m")).is_some());
            if let Some(code) = own {
                rest = &rest[code.len() + 3..];
                continue;
            }
        }
        if c.is_control() && c != '\n' && c != '\t' {
            let at = text.len() - rest.len();
            bad.push(format!("{:?} in {:?}", c, &text[at.saturating_sub(40)..at]));
        }
        rest = &rest[c.len_utf8()..];
    }
    bad
}

#[test]
fn no_decoded_field_reaches_the_terminal_raw() {
    let d = tempfile::tempdir().unwrap();
    let names = hostile_names();
    for n in &names {
        std::fs::write(d.path().join(n), b"x").unwrap();
    }
    let mut failures = Vec::new();
    for colour in ["never", "always"] {
        let mut runs: Vec<(String, std::process::Output)> = Vec::new();
        let inspect = loadsmith()
            .args(["--color", colour, "inspect"])
            .arg(d.path())
            .output()
            .unwrap();
        // The version is decoded and shown, escaped.
        let text = String::from_utf8_lossy(&inspect.stdout);
        assert!(
            text.contains("SIP 9-4-\\u{1b}[8m1 load list"),
            "{colour}: {text}"
        );
        runs.push(("inspect".into(), inspect));
        for n in &names {
            let out = loadsmith()
                .args(["--color", colour, "names", n])
                .output()
                .unwrap();
            runs.push((format!("names {n:?}"), out));
        }
        let quiet = loadsmith()
            .args(["--color", colour, "--quiet", "names"])
            .args(&names)
            .output()
            .unwrap();
        runs.push(("names --quiet".into(), quiet));
        for (what, out) in runs {
            let is_colour = colour == "always";
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let bad = raw_controls(bytes, is_colour);
                if !bad.is_empty() {
                    failures.push(format!("--color {colour} {what}: {stream}: {bad:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
