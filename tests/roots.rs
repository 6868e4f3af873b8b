//! Roots as people have them: tarballs made with `tar -C dir .`, pointers
//! that are almost right, case that really differs.
use crate::support;

use crate::support::*;

#[test]
fn a_tarball_made_with_tar_c_dot_stages() {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    h.set_cksum();
    b.append_data(&mut h, "./", std::io::empty()).unwrap();
    for (n, data) in sip812() {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("./{n}"), &data[..]).unwrap();
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("dot.tar.gz");
    std::fs::write(&p, gz(&b.into_inner().unwrap())).unwrap();
    let (doc, code) = json(&["inspect", &p.to_string_lossy()]);
    assert_eq!(code, 0, "{doc}");
    let root = d.path().join("root");
    loadsmith()
        .args(["stage", "--target", "P0S3-8-12-00", "--from"])
        .arg(&p)
        .arg(&root)
        .assert()
        .success();
}

fn dangling(root: &std::path::Path) -> Vec<String> {
    let (c, _) = json(&["check", &root.to_string_lossy()]);
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dangling-pointer")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// A root holding the SCCP 9.4(2)SR1 load of the 7906/7911 and its term files.
fn sccp11_root() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    support::write_files(
        d.path(),
        &family_load(
            "SCCP11.9-4-2SR1-1S",
            "11",
            "sccp",
            "9-4-2ES9",
            &["06", "11"],
        ),
    );
    d
}

#[test]
fn a_dangling_pointer_suggests_the_nearest_load_and_case_only_when_it_differs() {
    let d = sccp11_root();
    std::fs::write(
        d.path().join("XMLDefault.cnf.xml"),
        "<Default><loadInformation307 model=\"IP Phone 7911\">SCCP11.9-4-2-1S</loadInformation307></Default>",
    )
    .unwrap();
    let m = dangling(d.path());
    assert!(
        m.iter()
            .any(|m| m.contains("did you mean SCCP11.9-4-2SR1-1S?")),
        "{m:?}"
    );
    // The root holds a .loads of that very name, unreadable: no case hint.
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("P0S3-8-12-00.loads"),
        signed("P0S3-8-12-00.loads", &[0xFF, 0x00, 0xFE, 0x01].repeat(40)),
    )
    .unwrap();
    std::fs::write(
        d.path().join("SIPDefault.cnf"),
        "image_version: P0S3-8-12-00\n",
    )
    .unwrap();
    let m = dangling(d.path());
    assert!(!m.is_empty(), "the pointer dangles");
    assert!(!m.iter().any(|m| m.contains("differs in case")), "{m:?}");
    // A file that really differs in case is named.
    std::fs::write(
        d.path().join("SIPDefault.cnf"),
        "image_version: p0s3-8-12-00\n",
    )
    .unwrap();
    let m = dangling(d.path());
    assert!(
        m.iter().any(|m| m.contains("which differs in case")),
        "{m:?}"
    );
}

#[test]
fn per_phone_files_are_grouped_by_the_load_they_name() {
    let d = sccp11_root();
    let n = 2000;
    for i in 0..n {
        let load = if i % 500 == 3 {
            "SCCP11.9-4-2SR9-9S"
        } else {
            "SCCP11.9-4-2SR1-1S"
        };
        std::fs::write(
            d.path()
                .join(format!("SEP{:012X}.cnf.xml", 0x0011_2200_0000_u64 + i)),
            format!("<device><loadInformation>{load}</loadInformation></device>"),
        )
        .unwrap();
    }
    let out = support::loadsmith()
        .args(["check", d.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() < 40, "{text}");
    assert!(
        text.contains("1996 per-phone files loadInformation = SCCP11.9-4-2SR1-1S (SEP001122000000.cnf.xml, SEP001122000001.cnf.xml, SEP001122000002.cnf.xml and 1993 more)"),
        "{text}"
    );
    assert!(
        text.contains("DANGLING 4 per-phone files loadInformation = SCCP11.9-4-2SR9-9S"),
        "{text}"
    );
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        doc["pointers"].as_array().unwrap().len(),
        n as usize,
        "--json keeps every entry"
    );
    let dangling: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dangling-pointer")
        .collect();
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert!(
        dangling[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("4 per-phone files (SEP001122000003.cnf.xml")
    );
}

#[test]
fn messages_about_a_root_say_root() {
    let d = tempfile::tempdir().unwrap();
    support::write_files(d.path(), &without(sip812(), "P0S3-8-12-00.sb2"));
    std::fs::write(d.path().join("OS79XX.TXT"), "P0S3-8-99-00\r\n").unwrap();
    let out = support::loadsmith()
        .args(["check", d.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("is not in the root"), "{text}");
    assert!(text.contains("which the root does not hold"), "{text}");
    assert!(!text.contains("bundle"), "{text}");
}

#[test]
fn zero_padded_device_type_numbers_are_read_as_the_number() {
    let d = tempfile::tempdir().unwrap();
    support::write_files(d.path(), &sccp41());
    std::fs::write(
        d.path().join("XMLDefault.cnf.xml"),
        "<Default><loadInformation00115 model=\"IP Phone 7941\">SCCP41.9-4-2SR3-1S</loadInformation00115></Default>",
    )
    .unwrap();
    let (doc, code) = json(&["check", d.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["pointers"][0]["setting"], "loadInformation115", "{doc}");
    let row = doc["fleet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "7941" && r["state"] == "loader era")
        .unwrap();
    assert_eq!(row["image"], "SCCP41.9-4-2SR3-1S", "{doc}");
}
