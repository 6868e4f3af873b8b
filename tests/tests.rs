//! The integration tests, in one binary (as ripgrep gathers its own): one
//! link instead of one per suite. Each suite is a module named after its
//! file, so `cargo test human::` or `cargo test stage::some_test` still
//! selects a suite or a test. `support` is the one shared module.
//!
//! All suites share one process: a test that needs the machine to itself
//! (binding `/dev/log`, starting `in.tftpd`) takes its turn through
//! `support::turns`, never through a lock of its own suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod boot;
mod cause;
mod checksums;
mod cli_basics;
mod crash;
mod docs;
mod families;
mod fleet;
mod history;
mod hostile;
mod human;
mod inflate;
mod inspect;
mod json;
mod log;
mod memory;
mod messages;
mod phone;
mod progress;
mod readme;
mod roots;
mod served;
mod server_config;
mod stage;
mod testdata;
mod trust;
mod trust_root;
mod vendor_names;

/// Cargo is told not to find test files itself (`autotests = false`): a
/// suite added beside this file must be declared above, or it would
/// silently never run.
#[test]
fn every_suite_file_is_a_module_of_this_binary() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = include_str!("tests.rs");
    for entry in std::fs::read_dir(&here).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(suite) = name.strip_suffix(".rs") else {
            continue;
        };
        if suite != "tests" {
            assert!(
                declared.contains(&format!("\nmod {suite};\n")),
                "tests/{name} is not declared in tests/tests.rs: it would never run"
            );
        }
    }
}
