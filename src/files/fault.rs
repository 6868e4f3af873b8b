//! Fault injection for the crash tests: every step by which `stage` changes
//! a root (create, write, flush, rename, sync, remove) passes through
//! [`point`]; a file's bytes are written in steps of at most 256 KiB. In
//! debug builds (the ones tests run), `LOADSMITH_FAULT` acts at the N-th
//! step (counted from 1):
//!
//! - `crash:N`: the process aborts there, as if killed or the power failed;
//! - `enospc:N`: the step fails with "No space left on device";
//! - `stall:N:MS`: the step waits MS milliseconds (to hold the lock);
//! - `pause:N`: before the step, the process prints
//!   `loadsmith: fault: paused at step N` on standard error and waits until
//!   its standard input closes, then goes on. A test reads that line and
//!   kills the process there (SIGKILL), or closes the pipe to let it go on,
//!   so what it does follows the stage's progress, never the clock;
//! - `trace`: every step prints `loadsmith: fault: step N` on standard error
//!   (to count the steps of a stage).
//!
//! Release builds compile [`point`] to nothing.

use std::io;

/// One step that changes the root.
#[cfg(debug_assertions)]
pub fn point() -> io::Result<()> {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    static PLAN: OnceLock<Option<(String, u64, u64)>> = OnceLock::new();
    static STEP: AtomicU64 = AtomicU64::new(0);
    let plan = PLAN.get_or_init(|| {
        let v = std::env::var("LOADSMITH_FAULT").ok()?;
        let mut parts = v.split(':');
        let kind = parts.next()?.to_string();
        let n = match parts.next() {
            Some(n) => n.parse().ok()?,
            None => 0,
        };
        let ms = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Some((kind, n, ms))
    });
    let step = STEP.fetch_add(1, Ordering::SeqCst) + 1;
    match plan {
        Some((kind, _, _)) if kind == "trace" => {
            eprintln!("loadsmith: fault: step {step}");
            Ok(())
        }
        Some((kind, n, ms)) if *n == step => match kind.as_str() {
            "crash" => std::process::abort(),
            "enospc" => Err(io::Error::from_raw_os_error(28)),
            "stall" => {
                std::thread::sleep(std::time::Duration::from_millis(*ms));
                Ok(())
            }
            "pause" => {
                eprintln!("loadsmith: fault: paused at step {step}");
                // Whatever comes in is dropped; only the end of input counts.
                let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
                Ok(())
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// One step that changes the root (nothing is injected in release builds).
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point() -> io::Result<()> {
    Ok(())
}

/// A place where a reader of a root stops, in debug builds, when
/// `LOADSMITH_PAUSE` names it: it prints `loadsmith: paused at NAME` on
/// standard error and waits until its standard input closes. A test
/// changes the tree there (`check-read`: after `check` listed the root,
/// before it reads a file) and then lets it go on: on an event, not a clock.
#[cfg(debug_assertions)]
pub fn pause(name: &str) {
    if std::env::var("LOADSMITH_PAUSE").is_ok_and(|v| v == name) {
        eprintln!("loadsmith: paused at {name}");
        // Whatever comes in is dropped; only the end of input counts.
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
    }
}

/// A place where a reader of a root stops (nothing in release builds).
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn pause(_: &str) {}
