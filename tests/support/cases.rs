//! The command cases both output suites snapshot: `human` as people see
//! them, `json` with `--json` in front. One table, expanded into each
//! suite by [`command_cases!`] as one test per case, so a failure names
//! the case and the snapshot keeps the suite's name (`tests__human__check`,
//! `tests__json__check`).

use super::shown::{damage, shown, staged, world};

/// The folder a case runs in.
#[derive(Debug, Clone, Copy)]
pub enum Setup {
    /// A fresh [`world`].
    Fresh,
    /// [`world`] with the SIP 8.12 set staged into `root` ([`staged`]).
    Staged,
    /// [`Setup::Staged`], then its application image cut short ([`damage`]).
    Damaged,
}

/// What `flags` then `args` show (exit code, stdout, stderr) when run in
/// a folder made as `setup` says.
pub fn run(setup: Setup, flags: &[&str], args: &[&str]) -> String {
    let d = match setup {
        Setup::Fresh => world(),
        Setup::Staged | Setup::Damaged => staged(),
    };
    if let Setup::Damaged = setup {
        damage(d.path());
    }
    let all: Vec<&str> = flags.iter().chain(args).copied().collect();
    shown(d.path(), &all)
}

/// One `#[test]` per case of the table, each asserting the snapshot named
/// after the case of `run(setup, FLAGS, args)`. A suite expands it with the
/// flags it puts in front: `command_cases!(&[]);`, `command_cases!(&["--json"]);`.
macro_rules! command_cases {
    ($flags:expr) => {
        $crate::support::cases::command_cases!(@table $flags;
            Fresh names &[
                "names",
                "P0S3-08-12-00",
                "cmterm-7941_7961-sccp.9-4-2SR3-1.zip",
                "nonsense",
            ];
            Fresh plan &["plan", "--from", "P00305000500", "--to", "P0S3-8-12-00"];
            Fresh plan_refused &["plan", "--from", "P0S3-8-12-00", "--to", "P0S3-04-4-00"];
            Fresh matrix &["matrix"];
            Fresh inspect &["inspect", "P0S3-8-12-00.zip", "broken.zip"];
            Fresh inspect_unreadable &["inspect", "missing.zip"];
            Fresh stage_dry_run &[
                "stage",
                "--dry-run",
                "--target",
                "P0S3-08-12-00",
                "--from",
                "P0S3-8-12-00.zip",
                "root",
            ];
            Fresh stage $crate::support::shown::STAGE;
            Staged stage_refused &["stage", "--target", "P0M3-03-2-00", "--from", "fw", "root"];
            Staged stage_errors &[
                "stage",
                "--target",
                "P0S3-8-12-00",
                "--from",
                "broken.zip",
                "root",
            ];
            Staged check &["check", "root"];
            Damaged check_damaged &["check", "root"];
            Fresh check_unreadable &["check", "missing"];
            Staged boot &[
                "boot",
                "root",
                "--mac",
                "00:11:BB:73:AD:61",
                "--model",
                "7960",
                "--running",
                "P0S3-06-3-00",
            ];
            Fresh boot_unreadable &[
                "boot",
                "missing",
                "--mac",
                "00:11:BB:73:AD:61",
                "--model",
                "7960",
            ];
            Staged log &["log", "syslog", "--root", "root"];
            Fresh log_unreadable &["log", "missing.log"];
            Fresh usage_error &["stage", "--target"];
        );
    };
    (@table $flags:expr; $($setup:ident $name:ident $args:expr;)*) => {
        $(
            #[test]
            fn $name() {
                use $crate::support::cases::{Setup, run};
                insta::assert_snapshot!(stringify!($name), run(Setup::$setup, $flags, $args));
            }
        )*
    };
}

pub(crate) use command_cases;
