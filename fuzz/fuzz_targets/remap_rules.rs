//! Remap rules files never panic and stay within their bounds: arbitrary
//! bytes up to the first NUL are a rules file, each line after it a name
//! asked for (the phone names the rules are tried on when none is given).
//! A file is refused naming a line it has, or read with its expressions
//! within their size bound; every rewrite ends, refused or with a name of
//! at most `MAX_NAME` bytes and a path inside the root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::served::rules::{
    KEPT_STEPS, MAX_NAME, MAX_RULES_SIZE, Mapped, PROBES, Rules, served_path,
};

fuzz_target!(|data: &[u8]| {
    let (rules, names) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(rules);
    let rules = match Rules::parse(&text) {
        Ok(r) => r,
        Err((line, why)) => {
            assert!(
                line >= 1 && line <= text.lines().count(),
                "line {line}: {why}"
            );
            return;
        }
    };
    assert!(rules.memory_usage() <= MAX_RULES_SIZE);
    let names = String::from_utf8_lossy(names);
    let mut asked: Vec<&str> = names.split('\n').take(16).collect();
    if names.is_empty() {
        asked = PROBES.to_vec();
    }
    for name in asked {
        for client in [None, Some("192.0.2.7".parse().unwrap())] {
            let rw = rules.rewrite(name, client);
            assert!(rw.steps.len() <= KEPT_STEPS);
            assert!(rw.steps.iter().all(|(_, s)| s.len() <= MAX_NAME));
            if let Mapped::Path(p) = &rw.mapped {
                assert!(p.len() <= MAX_NAME);
                if let Some(path) = served_path(p) {
                    assert!(!path.starts_with('/'));
                    assert!(
                        path.split('/')
                            .all(|c| !c.is_empty() && c != "." && c != "..")
                    );
                }
            }
        }
    }
});
