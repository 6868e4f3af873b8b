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
            .all(|r| r.regex.memory_usage() < 64 * 1024)
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
