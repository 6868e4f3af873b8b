//! Reading a source on several threads: a zip's members, a folder's files.
//! Each thread has its own scanner; the parts are merged in order, so the
//! reports are the same as one thread gives, whatever `--jobs` is.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::member::{MemberReport, Scanner};
use super::{MAX_JOBS, Options};
use crate::bundle;
use crate::bundle::tap::Tap;
use crate::error::Action;
use crate::error::{Error, Result};
use crate::findings::Finding;

/// Reads a folder's files on `opts.jobs` threads, each with its own scanner
/// over a contiguous share of the (sorted) list, merged in order: the same
/// reports as one thread gives. A root may hold tens of thousands of files.
pub(super) fn read_files(
    files: &[(String, PathBuf)],
    base: bundle::dir::Base,
    opts: &Options,
    scanner: &mut Scanner,
) -> io::Result<()> {
    let budget = bundle::limits::Budget::new();
    let chunk = files.len().div_ceil(opts.jobs.clamp(1, MAX_JOBS)).max(1);
    let parts: Vec<io::Result<(Vec<MemberReport>, Vec<Finding>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| {
                let budget = &budget;
                s.spawn(move || {
                    let mut sc = Scanner::new(opts.deep);
                    sc.watch = opts.watch.clone();
                    bundle::dir::walk_budgeted(c, base, &opts.limits, budget, &mut sc)
                        .map(|_| (sc.members, sc.findings))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a reader thread failed")))
            })
            .collect()
    });
    for part in parts {
        let (members, findings) = part?;
        scanner.members.extend(members);
        scanner.findings.extend(findings);
    }
    Ok(())
}

/// Reads a zip's members on `opts.jobs` threads into `scanner`, in
/// central-directory order (the same reports as one thread gives). Each
/// member's report moves into `scanner` as soon as those before it are in.
pub(super) fn read_zip(
    path: &Path,
    opts: &Options,
    tap: &Arc<Tap>,
    scanner: &mut Scanner,
) -> Result<()> {
    let read = bundle::zip::walk_parallel(
        path,
        opts.jobs.min(MAX_JOBS),
        &opts.limits,
        Some(tap),
        &|| Scanner::new(opts.deep),
        // Exact-size vectors: a report in flight keeps no spare capacity.
        &|s| {
            let (mut members, mut findings) = (
                std::mem::take(&mut s.members),
                std::mem::take(&mut s.findings),
            );
            members.shrink_to_fit();
            findings.shrink_to_fit();
            (members, findings)
        },
        &mut |(members, findings), n| {
            if scanner.members.capacity() < n {
                scanner.members.reserve_exact(n - scanner.members.len());
            }
            scanner.members.extend(members);
            scanner.findings.extend(findings);
        },
    )
    .map_err(|e| Error::io(Action::Read, path, e))?;
    if read {
        return Ok(());
    }
    bundle::zip::walk_tapped(path, &opts.limits, Some(tap), scanner)
        .map_err(|e| Error::io(Action::Read, path, e))
}
