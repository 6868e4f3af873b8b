//! The rules read and applied as in.tftpd does, and loadsmith's bounds.
use super::*;

fn map(rules: &str, name: &str) -> Mapped {
    Rules::parse(rules)
        .unwrap()
        .rewrite(name, Some("192.0.2.7".parse().unwrap()))
        .mapped
}

#[test]
fn rules_rewrite_as_the_server_does() {
    let r = "# comment\nri ^(sep[0-9a-f]{12}\\.cnf\\.xml)$ settings/\\1 # trailing\nr ^(.*\\.sbn)$ firmware/\\1\n";
    assert_eq!(
        map(r, "SEP0011BB73AD61.cnf.xml"),
        Mapped::Path("settings/SEP0011BB73AD61.cnf.xml".into())
    );
    assert_eq!(
        map(r, "dsp41.9-4-2ES26.sbn"),
        Mapped::Path("firmware/dsp41.9-4-2ES26.sbn".into())
    );
    assert_eq!(map(r, "other"), Mapped::Path("other".into()));
    assert_eq!(map("rg a b\n", "banana"), Mapped::Path("bbnbnb".into()));
    assert_eq!(
        map("r ^(.*)$ \\U\\1\n", "os79xx.txt"),
        Mapped::Path("OS79XX.TXT".into())
    );
    assert_eq!(map("r ^ \\i/\n", "f"), Mapped::Path("192.0.2.7/f".into()));
    assert_eq!(map("r ^ \\x-\n", "f"), Mapped::Path("C0000207-f".into()));
    assert_eq!(map("r x\\ y z\n", "ax yb"), Mapped::Path("azb".into()));
}

#[test]
fn exit_restart_abort_and_inverse() {
    assert_eq!(map("re ^a b\nr ^b c\n", "a"), Mapped::Path("b".into()));
    assert_eq!(map("r ^a b\nr ^b c\n", "a"), Mapped::Path("c".into()));
    assert_eq!(
        map("a \\.\\.\n", "../x"),
        Mapped::Refused("Access denied".into())
    );
    assert_eq!(
        map("a ^secret no\\ way\n", "secret"),
        Mapped::Refused("no way".into())
    );
    assert_eq!(
        map("~a \\.sbn$\n", "x.txt"),
        Mapped::Refused("Access denied".into())
    );
    assert_eq!(map("~a \\.sbn$\n", "x.sbn"), Mapped::Path("x.sbn".into()));
    // A restart loop: the server's step limit ends it.
    assert!(matches!(map("rs ^(.*)$ \\1\n", "x"), Mapped::Refused(_)));
    // A g rule whose replacement matches again never ends.
    assert!(
        matches!(map("rg a a\n", "a"), Mapped::Refused(m) if m.contains("rewrites without end"))
    );
}

/// Found by the `remap_rules` fuzz target: an `ar` rule (rewrite, then
/// abort) expanded its message with the captures of the name before the
/// rewrite, slicing the shorter rewritten name out of range (a panic).
#[test]
fn a_rewriting_abort_rule_expands_over_the_rewritten_name() {
    for name in PROBES {
        // The rule matched: the request is refused (`a`), whatever the
        // rewrite made of the name; otherwise the name is left alone.
        match map("ar s\n", name) {
            Mapped::Refused(_) => assert!(name.contains('s'), "{name}"),
            Mapped::Path(p) => assert!(!name.contains('s') && p == name, "{name}"),
        }
    }
    assert!(matches!(
        map("ar ^long(er)$ x\\1\n", "longer"),
        Mapped::Refused(_)
    ));
}

#[test]
fn names_never_grow_past_the_bound() {
    // Rules that double every name are errors naming the line that passes the bound.
    for (rules, line) in [
        ("rg ^.*$ \\0\\0\n", 1),
        (&"r ^.*$ \\0\\0\n".repeat(40)[..], 8),
        ("# grow\nrs ^(.*)$ \\1\\1\n", 2),
        ("rg a aa\n", 1),
    ] {
        let (l, why) = Rules::parse(rules).unwrap_err();
        assert_eq!(l, line, "{rules}");
        assert!(why.contains("longer than 4096 bytes"), "{why}");
    }
    // A rule that grows only some names refuses those, naming itself.
    let r = Rules::parse("rs ^(zz.*)$ \\1\\1\n").unwrap();
    let Mapped::Refused(why) = r.rewrite("zzz", None).mapped else {
        panic!("not refused");
    };
    assert!(why.contains("the name grows past 4096 bytes"), "{why}");
    assert_eq!(r.rewrite("zzz", None).last_rule(&r).unwrap().line, 1);
    assert!(r.rewrite("zzz", None).steps.len() <= KEPT_STEPS);
    let long = "y".repeat(MAX_NAME + 1);
    assert!(matches!(r.rewrite(&long, None).mapped, Mapped::Refused(_)));
    // A name of exactly the bound is served.
    let r = Rules::parse("r ^(.*)$ \\1y\n").unwrap();
    let at = "x".repeat(MAX_NAME - 1);
    assert_eq!(r.rewrite(&at, None).mapped, Mapped::Path(format!("{at}y")));
}

#[test]
fn huge_automata_are_refused_naming_the_line() {
    let (l, why) = Rules::parse("r ^a$ b\nr \\w{200}N x\n").unwrap_err();
    assert_eq!(l, 2);
    assert!(why.contains("1024 KiB"), "{why}");
    // Rules under the bound one by one, past it together.
    let r = "r \\w{8}N x\n".repeat(400);
    let (l, why) = Rules::parse(&r).unwrap_err();
    assert!(l > 1 && l < 400, "{l}");
    assert!(why.contains("more than 16384 KiB together"), "{why}");
    // The rules people write are far below.
    let real = "ri ^(sep[0-9a-f]{12}\\.cnf\\.xml)$ settings/\\1\nr ^(.*\\.(sbn|loads|bin))$ firmware/\\1\nri ^(.*)$ \\L\\1\n";
    let rules = Rules::parse(real).unwrap();
    assert!(
        rules
            .rules
            .iter()
            .all(|r| r.regex.as_ref().unwrap().memory_usage() < 64 * 1024)
    );
}

#[test]
fn lines_the_server_rejects_are_errors() {
    assert_eq!(Rules::parse("rx a b\n").unwrap_err().0, 1);
    assert!(
        Rules::parse("\n~r a b\n")
            .unwrap_err()
            .1
            .contains("inverted")
    );
    assert!(
        Rules::parse("r\n")
            .unwrap_err()
            .1
            .contains("no regular expression")
    );
    assert!(Rules::parse("r (a b\n").is_err());
}

#[test]
fn paths_stay_in_the_root() {
    assert_eq!(
        served_path("/firmware/./a.sbn").as_deref(),
        Some("firmware/a.sbn")
    );
    assert_eq!(
        served_path("../../etc/passwd").as_deref(),
        Some("etc/passwd")
    );
    assert_eq!(served_path("/"), None);
}

/// A rules file in tftp-hpa 5.4's syntax: labels, jumps, `E`, `gg`, `4`/`6`.
const RULES_54: &str = "\
# tftp-hpa 5.4
ri ^SEP ../settings/SEP     # fixed below
r ^\\.\\./ /
j4 \\.(sbn|bin|loads|zz)$ firmware
e .*
:firmware
rE ^(.*)$ firmware/7961/\\1
rE ^(.*)$ firmware/7940/\\1
rgg a b
r6 ^ v6/
";

#[test]
fn rules_in_the_5_4_syntax_jump_probe_and_repeat_as_the_server_does() {
    let r = Rules::parse(RULES_54).unwrap();
    let has = |p: &str| p == "firmware/7940/P0030801SR02.loads";
    let at = |n: &str, c: &str| r.rewrite_in(n, Some(c.parse().unwrap()), &has).mapped;
    // Jumped to :firmware; the first E rule names no file, the second does and ends it.
    assert_eq!(
        at("P0030801SR02.loads", "192.0.2.7"),
        Mapped::Path("firmware/7940/P0030801SR02.loads".into())
    );
    // No file anywhere: both E rules are ignored; gg rewrites after each replacement.
    assert_eq!(at("aaa.bin", "192.0.2.7"), Mapped::Path("bbb.bin".into()));
    // A configuration file is not a firmware name: the e rule ends it.
    assert_eq!(
        at("SEP0011BB73AD61.cnf.xml", "192.0.2.7"),
        Mapped::Path("/settings/SEP0011BB73AD61.cnf.xml".into())
    );
    // Over IPv6 the j4 rule does not act; e ends it too.
    assert_eq!(at("x.bin", "2001:db8::1"), Mapped::Path("x.bin".into()));
    assert_eq!(
        r.needs.as_ref().map(|n| (n.release, n.line)),
        Some((Release(5, 4), 4))
    );
    // gg: after the replacement; g: from the start again.
    assert_eq!(map("rgg a aa\n", "aa"), Mapped::Path("aaaa".into()));
    assert_eq!(
        map("r ^ v6/\nr4 ^v6/ v4/\n", "f"),
        Mapped::Path("v4/f".into())
    );
}

#[test]
fn a_jump_to_no_label_fails_the_request_and_releases_are_named() {
    assert!(matches!(map("j . nowhere\n", "f"), Mapped::Refused(m) if m.contains(":nowhere")));
    assert_eq!(
        Rules::parse("r4 a b\n").unwrap().needs.unwrap().release,
        Release(5, 3)
    );
    assert!(Rules::parse("r a b\n").unwrap().needs.is_none());
    let combo = Rules::parse("ra a b\n").unwrap();
    assert_eq!(combo.newer_refuse.as_ref().map(|c| c.0), Some(1));
    let v = |t: &str, i: Release| {
        let r = Rules::parse(t).unwrap();
        verdict(r.needs.as_ref(), r.newer_refuse.as_ref(), i)
    };
    assert!(
        v(":x\n", Release(5, 2))
            .unwrap()
            .contains("would refuse to start")
    );
    assert!(v(":x\n", Release(5, 4)).is_none());
    assert!(
        v("r4 a b\n", Release(5, 2))
            .unwrap()
            .starts_with("uncertain")
    );
    assert!(v("ra a b\n", Release(5, 2)).is_none());
    assert!(
        v("ra a b\n", Release(5, 5))
            .unwrap()
            .contains("5.4 and later")
    );
}
