//! The `inspect` pipeline: per-member analysis, sets, checksum files, and
//! the worker threads that run them over every input (the findings they
//! raise are [`crate::findings`]).
//!
//! [`collect`] turns the user's paths into [`Source`]s (bundles, folders of
//! loose files); [`inspect`] reads one source through the bundle readers into
//! a [`BundleReport`]; [`inspect_all`] runs them on worker threads, keeping
//! input order so results never depend on the number of threads.

pub mod checksums;
pub mod member;
mod parallel;
pub mod sets;
pub mod watch;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::bundle::tap::{FileDigests, Tap};
use crate::bundle::{self, Detected, Format, Sink};
use crate::error::Action;
use crate::error::{Error, Result};
use crate::findings::{self, Finding, Severity};
use crate::names::{ImageName, Role};
use crate::signed::header::SignedHeader;
use checksums::{Algorithm, Sum, Sums};
use member::{MemberReport, Scanner};
use sets::SetReport;

/// One thing to inspect.
#[derive(Debug, Clone)]
pub enum Source {
    /// An archive file.
    Bundle {
        /// Its path.
        path: PathBuf,
        /// Its format, by its bytes.
        format: Format,
    },
    /// The loose files of a folder.
    Directory(PathBuf),
    /// Loose files named on the command line, taken together.
    Files(Vec<PathBuf>),
    /// A root seen through its server's remap rules: each name phones ask
    /// for, and the file it opens (in the root; opened from the root's
    /// descriptor, never through a link out of it).
    Served {
        /// The root.
        root: PathBuf,
        /// Name and file, sorted by name.
        files: Vec<(String, PathBuf)>,
    },
}

impl Source {
    /// The path shown for the source.
    pub fn display(&self) -> String {
        match self {
            Source::Bundle { path, .. }
            | Source::Directory(path)
            | Source::Served { root: path, .. } => path.display().to_string(),
            Source::Files(f) if f.len() == 1 => f[0].display().to_string(),
            Source::Files(_) => "(files given on the command line)".to_string(),
        }
    }
}

/// Options of `inspect`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// List CNU archive entries.
    pub deep: bool,
    /// Published digests to compare bundles with, by file name.
    pub checksums: Sums,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// What a bundle may make loadsmith read.
    pub limits: bundle::Limits,
    /// Told each member read, with its size (`check`'s progress bar).
    pub watch: watch::Watch,
}

/// What `inspect` reports for one bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    /// The bundle's path.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// Its size in bytes (for folders: the sum of the members).
    pub size: u64,
    /// SHA-256 of the bundle file (null for folders).
    pub sha256: Option<String>,
    /// SHA-512, when `--checksums` holds SHA-512 sums.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha512: Option<String>,
    /// What the published checksums said of the bundle, one entry per
    /// listed digest (empty without `--checksums` or when not listed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checked>,
    /// A `.cop.sgn`'s own signed header (signer, the name it was signed as).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<crate::signed::header::SignedHeader>,
    /// Every member, in bundle order.
    pub members: Vec<MemberReport>,
    /// The sets each `.loads` (or loose pre-loader image) needs.
    pub sets: Vec<SetReport>,
    /// Everything found, errors first.
    pub findings: Vec<Finding>,
}

impl BundleReport {
    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        crate::findings::any_error(&self.findings)
    }
}

/// Turns paths into sources. Paths that cannot be read come back as errors;
/// the rest are still inspected.
pub fn collect(paths: &[PathBuf]) -> (Vec<Source>, Vec<Error>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut loose = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => errors.push(Error::io(Action::Read, p, e)),
            Ok(m) if m.is_dir() => collect_dir(p, &mut sources, &mut errors),
            Ok(_) => match bundle::detect(p) {
                Ok(Detected::Bundle(format)) => sources.push(Source::Bundle {
                    path: p.clone(),
                    format,
                }),
                // Named .sgn and signed, but no gzip stream found: a damaged
                // .cop.sgn, which its reader explains.
                Ok(Detected::Plain) if named_signed_bundle(p) => sources.push(Source::Bundle {
                    path: p.clone(),
                    format: Format::CopSgn,
                }),
                Ok(Detected::Plain) => {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let signed = std::fs::File::open(p)
                        .and_then(|f| {
                            let mut h = Vec::new();
                            f.take(3).read_to_end(&mut h).map(|_| h)
                        })
                        .is_ok_and(|h| h == [1, 0, 2]);
                    if ImageName::parse(&name).known || signed {
                        loose.push(p.clone());
                    } else {
                        errors.push(Error::NotABundle { path: p.clone() });
                    }
                }
                Err(e) => errors.push(Error::io(Action::Read, p, e)),
            },
        }
    }
    if !loose.is_empty() {
        sources.push(Source::Files(loose));
    }
    (sources, errors)
}

/// A file named `*.cop.sgn` that starts like a signed file.
fn named_signed_bundle(p: &Path) -> bool {
    let named = p.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".cop.sgn")
    });
    named
        && File::open(p)
            .and_then(|f| {
                let mut h = Vec::new();
                f.take(3).read_to_end(&mut h).map(|_| h)
            })
            .is_ok_and(|h| h == [1, 0, 2])
}

/// The sources below `dir`; what cannot be read (a folder, a file that
/// might be a bundle) is named in `errors`, never skipped in silence.
fn collect_dir(dir: &Path, out: &mut Vec<Source>, errors: &mut Vec<Error>) {
    let read = std::fs::read_dir(dir).and_then(|rd| rd.collect::<io::Result<Vec<_>>>());
    let mut entries: Vec<PathBuf> = match read {
        Ok(v) => v,
        Err(e) => return errors.push(Error::io(Action::Read, dir, e)),
    }
    .into_iter()
    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
    .map(|e| e.path())
    .collect();
    entries.sort();
    let loose = match bundle::dir::loose_entries(dir) {
        Ok(l) => l,
        Err(e) => return errors.push(Error::io(Action::Read, dir, e)),
    };
    let firmware = loose.iter().any(|p| {
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let r = ImageName::parse(&n);
        r.known
            && !matches!(
                r.role,
                Role::Configuration
                    | Role::DeviceDefaults
                    | Role::Other
                    | Role::TrustList
                    | Role::Bundle
                    | Role::Support
            )
    });
    if firmware {
        out.push(Source::Directory(dir.to_path_buf()));
    }
    for p in entries {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            collect_dir(&p, out, errors);
        } else if meta.is_file() {
            match bundle::detect(&p) {
                Ok(Detected::Bundle(format)) => out.push(Source::Bundle { path: p, format }),
                Ok(Detected::Plain) => {}
                // A loose file of a firmware folder is read (and named) with it.
                Err(_) if firmware && loose.contains(&p) => {}
                Err(e) => errors.push(Error::io(Action::Read, &p, e)),
            }
        }
    }
}

/// Reads one source into `sink` (the same path for inspect, stage and check).
pub fn read_source(source: &Source, limits: &bundle::Limits, sink: &mut dyn Sink) -> Result<()> {
    match source {
        Source::Bundle { path, format } => {
            bundle::walk(path, *format, limits, sink).map_err(|e| Error::io(Action::Read, path, e))
        }
        Source::Directory(dir) => {
            bundle::dir::walk(dir, limits, sink).map_err(|e| Error::io(Action::Read, dir, e))
        }
        Source::Files(files) => bundle::dir::walk_files(files, limits, sink)
            .map_err(|e| Error::io(Action::Read, "a file given", e)),
        Source::Served { root, files } => {
            let dir = crate::files::beneath::Folder::open(root)
                .map_err(|e| Error::io(Action::OpenRoot, root, e))?;
            bundle::dir::walk_named(files, bundle::dir::Base::Root(&dir), limits, sink)
                .map_err(|e| Error::io(Action::Read, root, e))
        }
    }
}

/// Inspects one source; a zip's members are read on `opts.jobs` threads.
pub fn inspect(source: &Source, opts: &Options) -> Result<BundleReport> {
    let mut scanner = Scanner::new(opts.deep);
    scanner.watch = opts.watch.clone();
    let (format, digests, checked, signed) = match source {
        Source::Bundle { path, format } => {
            let (digests, checked, signed) =
                read_bundle(source, path, *format, opts, &mut scanner)?;
            (*format, Some(digests), checked, signed)
        }
        Source::Directory(dir) if opts.jobs > 1 => {
            let files =
                bundle::dir::named_entries(dir).map_err(|e| Error::io(Action::Read, dir, e))?;
            let folder = crate::files::beneath::Folder::open(dir)
                .map_err(|e| Error::io(Action::Read, dir, e))?;
            parallel::read_files(&files, bundle::dir::Base::Root(&folder), opts, &mut scanner)
                .map_err(|e| Error::io(Action::Read, dir, e))?;
            (Format::Directory, None, Vec::new(), None)
        }
        Source::Served { root, files } if opts.jobs > 1 => {
            let folder = crate::files::beneath::Folder::open(root)
                .map_err(|e| Error::io(Action::OpenRoot, root, e))?;
            parallel::read_files(files, bundle::dir::Base::Root(&folder), opts, &mut scanner)
                .map_err(|e| Error::io(Action::Read, root, e))?;
            (Format::Directory, None, Vec::new(), None)
        }
        _ => {
            read_source(source, &opts.limits, &mut scanner)?;
            (Format::Directory, None, Vec::new(), None)
        }
    };
    let holder = if format == Format::Directory {
        "root"
    } else {
        "bundle"
    };
    let (sets, mut set_findings) = sets::analyse(&scanner.members, holder);
    if format != Format::Directory && !holds_firmware(&scanner.members) {
        set_findings.push(findings::no_firmware());
    }
    if let Source::Bundle { path, .. } = source {
        set_findings.extend(name_agrees(path, &sets));
    }
    let mut all = scanner.findings;
    all.append(&mut set_findings);
    all.sort_by(|a, b| (a.severity, &a.member, a.code).cmp(&(b.severity, &b.member, b.code)));
    all.dedup();
    let size = digests
        .as_ref()
        .map(|d| d.size)
        .unwrap_or_else(|| scanner.members.iter().map(|m| m.size).sum());
    Ok(BundleReport {
        path: source.display(),
        format,
        size,
        sha256: digests.as_ref().map(|d| d.sha256.clone()),
        sha512: digests.and_then(|d| d.sha512),
        checksums: checked,
        signed,
        members: scanner.members,
        sets,
        findings: all,
    })
}

/// Reads the bundle `source` (at `path`, of `format`) into `scanner`
/// while a second thread digests the whole file, and a `.cop.sgn`'s own
/// signed header; the findings of its signed name, its extension and the
/// published sums go to `scanner` too.
fn read_bundle(
    source: &Source,
    path: &Path,
    format: Format,
    opts: &Options,
    scanner: &mut Scanner,
) -> Result<(FileDigests, Vec<Checked>, Option<SignedHeader>)> {
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let expected: &[Sum] = opts
        .checksums
        .get(&base)
        .map(|l| l.sums.as_slice())
        .unwrap_or_default();
    let want = |a| expected.iter().any(|e| e.algorithm == a);
    let (want512, want_md5) = (want(Algorithm::Sha512), want(Algorithm::Md5));
    // The file's digests come from the blocks the readers read (no second
    // read of the file): hashed on the reading threads for a zip, on a
    // thread of their own for a gzip stream when there are threads to spare
    // (one bundle per thread otherwise: no thread is spawned per bundle).
    let tap = Arc::new(Tap::new(want512, want_md5));
    let walked = match format {
        Format::Zip if opts.jobs > 1 => parallel::read_zip(path, opts, &tap, scanner),
        Format::Zip => bundle::zip::walk_tapped(path, &opts.limits, Some(&tap), scanner)
            .map_err(|e| Error::io(Action::Read, path, e)),
        Format::Tar | Format::TarGz | Format::CopSgn => {
            bundle::tar::walk_tapped(path, format, &opts.limits, &tap, opts.jobs > 1, scanner)
                .map_err(|e| Error::io(Action::Read, path, e))
        }
        Format::Directory => read_source(source, &opts.limits, scanner),
    };
    walked?;
    let digests = File::open(path)
        .and_then(|f| tap.finish(&f))
        .map_err(|e| Error::io(Action::Read, path, e))?;
    let mut signed = None;
    if format == Format::CopSgn {
        signed = bundle::header::read(path).map_err(|e| Error::io(Action::Read, path, e))?;
        if let Some(f) = signed
            .as_ref()
            .and_then(|h| bundle::header::name_finding(&base, h))
        {
            scanner.findings.push(f);
        }
    }
    if let Some(by_ext) = Format::from_extension(&base)
        && by_ext != format
        && !(by_ext == Format::CopSgn && format == Format::TarGz)
    {
        let (named, is) = (by_ext.label(), format.label());
        scanner
            .findings
            .push(findings::wrong_extension(&base, named, is));
    }
    let checked = checksum_findings(&base, expected, &digests, &mut scanner.findings);
    Ok((digests, checked, signed))
}

/// A bundle whose name says one load and whose `.loads` say another.
fn name_agrees(path: &Path, sets: &[SetReport]) -> Option<Finding> {
    let base = path.file_name()?.to_string_lossy().into_owned();
    let named = ImageName::parse(&base);
    if named.role != Role::Bundle {
        return None;
    }
    let loads: Vec<&str> = sets
        .iter()
        .filter(|s| s.stands_for.is_none())
        .map(|s| s.load.as_str())
        .collect();
    let agrees = loads.is_empty()
        || loads
            .iter()
            .any(|l| *l == named.stem || ImageName::parse(l).same_image(&named));
    (!agrees).then(|| findings::bundle_name(&base, &named.stem, &loads))
}

/// True when some usable member is a firmware file.
fn holds_firmware(members: &[MemberReport]) -> bool {
    members.iter().any(|m| {
        m.usable
            && matches!(
                m.image.role,
                Role::Loads
                    | Role::Application
                    | Role::Loader
                    | Role::Component
                    | Role::FactoryDefault
            )
    })
}

/// One published digest compared with the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// True when the bundle's digest is the published one.
    pub ok: bool,
}

fn checksum_findings(
    base: &str,
    expected: &[Sum],
    d: &FileDigests,
    out: &mut Vec<Finding>,
) -> Vec<Checked> {
    let mut checked = Vec::new();
    for e in expected {
        let have = match e.algorithm {
            Algorithm::Sha256 => Some(&d.sha256),
            Algorithm::Sha512 => d.sha512.as_ref(),
            Algorithm::Md5 => d.md5.as_ref(),
        };
        let alg = e.algorithm.label();
        let ok = have == Some(&e.hex);
        checked.push(Checked {
            algorithm: e.algorithm,
            ok,
        });
        out.push(match ok {
            true => findings::checksum_verified(base, alg),
            false => findings::checksum_mismatch(base, alg),
        });
    }
    let strong = checked
        .iter()
        .any(|c| c.ok && c.algorithm != Algorithm::Md5);
    if !strong
        && checked
            .iter()
            .any(|c| c.ok && c.algorithm == Algorithm::Md5)
    {
        out.push(findings::weak_checksum(base));
    }
    checked
}

/// The most reader threads `inspect` runs, whatever `--jobs` asks: each
/// holds its read buffers (and a share of the whole-member buffers, see
/// `bundle::whole`), and two cores are saturated long before.
pub const MAX_JOBS: usize = 4;

/// Inspects every source on `opts.jobs` threads (at most [`MAX_JOBS`]);
/// results keep input order.
pub fn inspect_all(
    sources: &[Source],
    opts: &Options,
    progress: &(dyn Fn(&BundleReport) + Sync),
) -> Vec<Result<BundleReport>> {
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<BundleReport>>> = sources.iter().map(|_| None).collect();
    let all = opts.jobs.clamp(1, MAX_JOBS);
    let jobs = all.min(sources.len().max(1));
    // Threads left over when there are fewer bundles than jobs read members.
    let inner = Options {
        jobs: (all / jobs).max(1),
        ..opts.clone()
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Result<BundleReport>)>(jobs);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let (tx, next, inner) = (tx.clone(), &next, &inner);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(src) = sources.get(i) else { break };
                    let r = inspect(src, inner);
                    if let Ok(rep) = &r {
                        progress(rep);
                    }
                    if tx.send((i, r)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Reports are kept to the end: copied here, on this thread, they
        // stay out of the reader threads' allocator arenas, which then hold
        // only what is freed again bundle after bundle and stay small
        // (kept there, between a reader's buffers and inflate states, they
        // pinned 20-60 MB of freed memory at 160 bundles: docs/performance.md).
        // Whole, then the original freed: copied member by member, this
        // thread would reuse the chunks it frees, which are the readers'.
        // One source has no next bundle to make room for: it is not copied.
        for (i, r) in rx {
            slots[i] = Some(match sources.len() {
                1 => r,
                _ => r.map(rehome),
            });
        }
    });
    slots
        .into_iter()
        .map(|r| r.unwrap_or(Err(Error::WorkerFailed)))
        .collect()
}

/// A copy of `rep` allocated by this thread, the original freed after.
fn rehome(rep: BundleReport) -> BundleReport {
    let copy = rep.clone();
    drop(rep);
    copy
}

/// Counts findings by severity.
pub fn tally(f: &[Finding]) -> (usize, usize, usize) {
    let c = |s| f.iter().filter(|x| x.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Info))
}
