use super::*;

fn p(s: &str) -> ImageName {
    ImageName::parse(s)
}

fn v(s: &str) -> String {
    p(s).version
        .map(|v| v.display().to_string())
        .unwrap_or_default()
}

#[test]
fn table_1_examples_parse_to_their_versions() {
    for (name, want) in [
        ("P00303030300", "3.3(3)"),
        ("P00305000200", "5.0(2)"),
        ("P00306000100", "6.0(1)"),
        ("P00307000100", "7.0(1)"),
        ("P0S3-04-4-00", "4.4"),
        ("P0S3-05-2-00", "5.2"),
        ("P0S3-06-0-00", "6.0"),
        ("P0S3-07-1-00", "7.1"),
        ("P0M3-04-2-00", "4.2"),
        ("P0M3-05-0-00", "5.0"),
        ("P0M3-06-1-00", "6.1"),
        ("P0M3-07-4-00", "7.4"),
    ] {
        let r = p(name);
        assert!(r.known, "{name}");
        assert_eq!(v(name), want, "{name}");
        assert_eq!(r.family, Some(Family::Legacy));
        assert_eq!(r.models, vec!["7940", "7960"]);
    }
}

#[test]
fn every_table_2_name_parses() {
    for row in crate::upgrade::matrix::TABLE_2 {
        for name in [row.sccp, row.sip, row.mgcp].into_iter().flatten() {
            let r = p(name);
            assert!(r.known, "{name} should be known");
            assert!(r.version.is_some(), "{name}");
        }
    }
}

#[test]
fn special_forms_parse() {
    let mfg = p("P0030301MFG2");
    assert!(mfg.known);
    assert_eq!(mfg.protocol, Some(Protocol::Sccp));
    assert_eq!(mfg.signed, Some(false));
    assert!(matches!(
        mfg.version.as_ref().map(|v| &v.release),
        Some(Release::Manufacturing(2))
    ));
    assert_eq!(v("P0S30203"), "2.3");
    assert_eq!(p("P0S30203").protocol, Some(Protocol::Sip));
    assert_eq!(v("P0030801SR02"), "8.1(2)SR2");
    assert_eq!(v("P00308010200"), "8.1(2)");
    assert!(p("P00308010200").version < p("P0030801SR02").version);
    assert!(p("P00305000200").version < p("P00308010200").version);
}

#[test]
fn padded_and_unpadded_spellings_are_one_version() {
    let a = p("P0S3-08-12-00");
    let b = p("P0S3-8-12-00.sb2");
    assert_eq!(a.version, b.version);
    assert!(a.same_image(&b));
    assert_eq!(v("P0S3-8-12-00"), "8.12");
    assert!(p("P0S3-07-4-00").version < a.version);
}

#[test]
fn roles_follow_extensions() {
    assert_eq!(p("P0S3-8-12-00.loads").role, Role::Loads);
    assert_eq!(p("P0S3-8-12-00.sb2").role, Role::Application);
    assert_eq!(p("P003-8-12-00.sbn").role, Role::Loader);
    assert_eq!(p("P003-8-12-00.sbn").protocol, Some(Protocol::Loader));
    assert_eq!(p("P003-8-12-00.bin").signed, Some(false));
    assert_eq!(p("P003-8-12-00.sbn").signed, Some(true));
    assert_eq!(p("OS79XX.TXT").role, Role::Os79xx);
    assert_eq!(p("XMLDefault.cnf.xml").role, Role::Configuration);
    assert_eq!(
        p("SEP003094C25D2E.cnf.xml").mac.as_deref(),
        Some("003094C25D2E")
    );
    assert_eq!(p("SIPDefault.cnf").protocol, Some(Protocol::Sip));
    assert_eq!(p("MGC003094C25D2E.cnf").protocol, Some(Protocol::Mgcp));
    assert_eq!(p("CTLSEP003094C25D2E.tlv").role, Role::TrustList);
}

#[test]
fn every_trust_list_name_is_known_with_what_it_is() {
    for (name, what) in [
        (
            "CTLFile.tlv",
            "certificate trust list (CTL) for every phone",
        ),
        ("ITLFile.tlv", "identity trust list (ITL) for every phone"),
        (
            "CTLSEP003094C25D2E.tlv",
            "it carries the name CTLFile.tlv inside (expected, not a renamed file)",
        ),
        (
            "ITLSEP003094C25D2E.tlv",
            "it carries the name ITLFile.tlv inside (expected, not a renamed file)",
        ),
    ] {
        let r = p(name);
        assert!(r.known && r.role == Role::TrustList, "{name}");
        assert!(
            r.notes.iter().any(|n| n.contains(what)),
            "{name}: {:?}",
            r.notes
        );
        assert!(
            !r.notes.iter().any(|n| n.contains("spelled exactly")),
            "{name}"
        );
    }
    assert!(
        p("itlfile.tlv")
            .notes
            .iter()
            .any(|n| n == "phones ask for ITLFile.tlv, spelled exactly so")
    );
    assert!(
        p("CTLSep003094C25D2E.tlv")
            .notes
            .iter()
            .any(|n| n.contains("phones ask for CTLSEP003094C25D2E.tlv"))
    );
}

#[test]
fn family_names_parse() {
    let r = p("cvm41sccp.9-4-2ES26.sbn");
    assert!(r.known);
    assert_eq!(r.role, Role::Component);
    assert_eq!(r.protocol, Some(Protocol::Sccp));
    assert_eq!(r.family, Some(Family::Java(41)));
    assert_eq!(v("SCCP41.9-4-2SR3-1S"), "9.4(2)SR3");
    assert_eq!(p("SCCP41.9-4-2SR3-1S").role, Role::Loads);
    assert_eq!(p("SIP11.9-4-2SR1-1S").models, vec!["7906", "7911"]);
    let t = p("term61.default.loads");
    assert_eq!(t.role, Role::FactoryDefault);
    assert_eq!(t.models, vec!["7961", "7961G-GE"]);
    assert!(!p("TERM41.DEFAULT.loads").notes.is_empty());
    let l = p("load115.txt");
    assert_eq!(l.role, Role::DeviceDefaults);
    assert_eq!(l.models, vec!["7941"]);
}

#[test]
fn unknown_names_are_unknown_not_guessed() {
    for s in [
        "",
        "readme.txt",
        "P0X3-08-12-00",
        "P0S3-08",
        "SIP99.9-4-2S.loads",
        "P003-1-2-3-4",
        "apps41.x.sbn",
        "P0S3-08-12-00.sb2.bak",
        "\u{1b}[31m",
        "load.txt",
        // Found by fuzzing: a multi-byte character right after the component kind.
        "apps\u{fffd}x.8-5-4.sbn",
        "cvm\u{e9}.1-2-3.sbn",
    ] {
        let r = p(s);
        assert!(!r.known, "{s:?} should be unknown");
        assert!(r.version.is_none() || r.family.is_none(), "{s:?}");
    }
}

#[test]
fn real_world_file_names_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: ../shared/realworld is absent");
        return;
    };
    let mut seen = 0;
    for folder in entries.flatten() {
        for f in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = f.file_name().to_string_lossy().to_string();
            let r = p(&name);
            assert!(r.known, "{name}");
            let fam = r.family.expect("family");
            if name.contains("41") || name.contains("61") || name.starts_with("load") {
                assert_eq!(fam, Family::Java(41), "{name}");
            } else {
                assert_eq!(fam, Family::Legacy, "{name}");
            }
            seen += 1;
        }
    }
    assert_eq!(p("SIP41.8-5-4S.loads").protocol, Some(Protocol::Sip));
    assert_eq!(v("SIP41.8-5-4S.loads"), "8.5(4)");
    assert_eq!(v("apps41.8-5-4TH1-6.sbn"), "8.5(4)TH1");
    assert!(seen >= 15, "saw {seen} files");
}

proptest::proptest! {
    #[test]
    fn parsing_never_panics(s in "\\PC{0,40}") {
        let _ = ImageName::parse(&s);
    }

    #[test]
    fn sip_spellings_agree(maj in 0u32..20, min in 0u32..20, sub in 0u32..10) {
        let a = p(&format!("P0S3-{maj}-{min}-{sub:02}"));
        let b = p(&format!("P0S3-{maj:02}-{min}-{sub:02}"));
        proptest::prop_assert!(a.known && a.same_image(&b));
    }
}

#[test]
fn field_guide_examples_parse() {
    // Seed 002: the SCCP stepping path and the loads it names.
    assert_eq!(v("P00303010102"), "3.1(1.2)");
    assert_eq!(v("P00305000500"), "5.0(5)");
    assert_eq!(v("P00308000900"), "8.0(9)");
    assert_eq!(v("P00308000500"), "8.0(5)");
    assert!(p("P00303010102").version < p("P00305000500").version);
    assert!(p("P00305000500").version < p("P00308000900").version);
    assert_eq!(v("SCCP41.8-0-4ES4-0-1S"), "8.0(4)ES4");
    assert_eq!(v("P0S3-08-06-00"), "8.6");
    // The guide's XMLDefault names SCCP40.8-3-1S: family 40 is no family we know.
    let r = p("SCCP40.8-3-1S");
    assert!(!r.known);
    assert!(r.notes.iter().any(|n| n.contains("40")));
}

#[test]
fn bundle_names_say_what_they_hold() {
    let b = p("cmterm-7941_7961-sccp.9-4-2SR3-1.zip");
    assert!(b.known && b.role == Role::Bundle, "{b:?}");
    assert_eq!(b.stem, "SCCP41.9-4-2SR3-1S");
    assert_eq!(b.family, Some(Family::Java(41)));
    let b = p("cmterm-7970_7971-sccp.8-3-3.cop.sgn");
    assert_eq!(
        (b.stem.as_str(), b.extension.as_deref()),
        ("SCCP70.8-3-3S", Some("cop.sgn"))
    );
    let b = p("cmterm-7911_7906-sip.8-5-4.zip");
    assert_eq!(
        (b.stem.as_str(), b.protocol),
        ("SIP11.8-5-4S", Some(Protocol::Sip))
    );
    let b = p("P0S3-8-12-00.zip");
    assert_eq!((b.role, b.stem.as_str()), (Role::Bundle, "P0S3-8-12-00"));
    assert_eq!(p("dialplan.xml").role, Role::Support);
    assert_eq!(p("RINGLIST.XML").role, Role::Support);
    assert!(!p("holiday-photos.zip").known);
}
