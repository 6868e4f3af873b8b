//! Every bundle reader (zip, tar, tar.gz, .cop.sgn) and the whole `inspect`
//! pipeline behind them never panic or hang on any bytes, and stay within
//! small limits (so a bomb is cut short).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loadsmith::bundle::{self, Detected, Format, Limits};
use loadsmith::check::{self, Options, Source};

const FORMATS: [Format; 4] = [Format::Zip, Format::Tar, Format::TarGz, Format::CopSgn];

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("loadsmith-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.cop.sgn");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let opts = Options {
        jobs: 1,
        limits: Limits {
            member_size: 4 << 20,
            total_size: 16 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    // As detected, then forced through every reader.
    if let Ok(Detected::Bundle(format)) = bundle::detect(&path) {
        let _ = check::inspect(
            &Source::Bundle {
                path: path.clone(),
                format,
            },
            &opts,
        );
    }
    for format in FORMATS {
        let _ = check::inspect(
            &Source::Bundle {
                path: path.clone(),
                format,
            },
            &opts,
        );
    }
});
