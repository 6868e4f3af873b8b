//! Choosing what `stage` writes: the one complete, error-free set of the
//! target among the bundles given, refusing when there is none, when bundles
//! disagree, or when an input cannot be read.

use std::fs;
use std::path::{Path, PathBuf};

use super::options::StageOptions;
use crate::error::{Action, Error, Result};
use crate::findings::Severity;
use crate::inspect::member::MemberReport;
use crate::inspect::sets::SetReport;
use crate::inspect::{self, BundleReport, Options, Source};
use crate::names::{Family, ImageName};
use crate::phone::files;

/// The chosen bundle and its set.
pub struct Chosen {
    pub source: Source,
    pub report: BundleReport,
    pub load: ImageName,
    pub files: Vec<MemberReport>,
    pub loader: Option<String>,
}

/// Finds the one complete, error-free set of `target` in the bundles the
/// user gave, with the files to write (the loader's `.bin`, term files).
pub fn choose(opts: &StageOptions, target: &ImageName) -> Result<Chosen> {
    let found = candidates(opts, target)?;
    let (source, report, set) = agreed(opts, found)?;
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect();
    if !errors.is_empty() {
        return Err(Error::Refused {
            details: errors,
            message: format!("{} has errors, so nothing is staged from it:", report.path),
            hint: Some(format!(
                "run `loadsmith inspect {}` for details",
                report.path
            )),
        });
    }
    let load = ImageName::parse(&set.load);
    let mut names: Vec<String> = set.files.clone();
    let mut loader = None;
    if load.family == Some(Family::Legacy) {
        // The phone model's loader rule: the `.sbn` the `.loads` lists, with
        // its unsigned `.bin` for phones below 5.x when the bundle has it
        // (rule 6; SCCP names it after the release: P0030801SR02.sbn).
        if let Some(l) = files::loader_of(set.files.get(1..).unwrap_or_default()) {
            let stem = ImageName::parse(l).stem;
            let bin = format!("{stem}.bin");
            if report.members.iter().any(|m| m.usable && m.name == bin) {
                names.push(bin);
            }
            loader = Some(stem);
        }
    } else {
        for s in report
            .sets
            .iter()
            .filter(|s| s.stands_for.as_deref() == Some(set.load.as_str()))
        {
            names.extend(s.files.first().cloned());
        }
    }
    let files = names
        .iter()
        .filter_map(|n| {
            report
                .members
                .iter()
                .find(|m| m.usable && &m.name == n)
                .cloned()
        })
        .collect();
    Ok(Chosen {
        source,
        report,
        load,
        files,
        loader,
    })
}

type Candidate = (Source, BundleReport, SetReport);

/// Without `--from`: the files at the current folder's top level (links to
/// files followed), never a sub-folder: not a TFTP root (`.loadsmith/`),
/// not another root, not a folder of old downloads.
fn top_level() -> Result<Vec<PathBuf>> {
    let here = Path::new(".");
    let read = fs::read_dir(here).and_then(|rd| rd.collect::<std::io::Result<Vec<_>>>());
    let entries = read.map_err(|e| Error::io(Action::Read, here, e))?;
    let mut files: Vec<PathBuf> = entries
        .into_iter()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| PathBuf::from(e.file_name()))
        .filter(|p| fs::metadata(p).is_ok_and(|m| m.is_file()))
        .collect();
    files.sort();
    Ok(files)
}

/// Every bundle that holds the target's set complete; a refusal saying what
/// was found instead when none does, or when an input cannot be read.
fn candidates(opts: &StageOptions, target: &ImageName) -> Result<Vec<Candidate>> {
    let here = opts.from.is_empty();
    let from = if here {
        top_level()?
    } else {
        opts.from.clone()
    };
    let (mut sources, mut errors) = inspect::collect(&from);
    let root = fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    if here {
        // The current folder's other files (notes, lists) are no input given.
        errors.retain(|e| !matches!(e, Error::NotABundle { .. }));
        // In a TFTP root (or the one staged into), its loose files are what
        // it serves, not a source.
        let cwd = fs::canonicalize(".").unwrap_or_default();
        if Path::new(".loadsmith").is_dir() || cwd.starts_with(&root) {
            sources.retain(|s| !matches!(s, Source::Files(_)));
        }
    }
    let sources: Vec<Source> = sources
        .into_iter()
        .filter(|s| match s {
            Source::Directory(d) => fs::canonicalize(d)
                .map(|d| !d.starts_with(&root))
                .unwrap_or(true),
            _ => true,
        })
        .collect();
    let copts = Options {
        deep: false,
        checksums: Default::default(),
        jobs: opts.jobs.max(1),
        limits: opts.limits,
        watch: Default::default(),
    };
    // The bundles read are the first part of a stage's work to watch.
    opts.watch.expect(
        sources
            .iter()
            .filter_map(|s| match s {
                Source::Bundle { path, .. } => fs::metadata(path).ok().map(|m| m.len()),
                _ => None,
            })
            .sum(),
    );
    let read = |r: &BundleReport| {
        if r.format != crate::bundle::Format::Directory {
            opts.watch.done(&r.path, r.size);
        }
    };
    let reports = inspect::inspect_all(&sources, &copts, &read);
    let mut complete = Vec::new();
    let mut incomplete = Vec::new();
    let mut seen_loads = Vec::new();
    for (src, rep) in sources.iter().zip(reports) {
        let rep = match rep {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        seen_loads.extend(rep.sets.iter().map(|s| s.load.clone()));
        let Some(set) = rep.sets.iter().find(|s| {
            s.stands_for.is_none()
                && (s.load == target.stem || ImageName::parse(&s.load).same_image(target))
        }) else {
            continue;
        };
        if set.complete {
            complete.push((src.clone(), rep.clone(), set.clone()));
        } else {
            incomplete.push(format!("{} lacks {}", rep.path, set.missing.join(", ")));
        }
    }
    unreadable_inputs(errors)?;
    if !complete.is_empty() {
        return Ok(complete);
    }
    let message = if incomplete.is_empty() {
        seen_loads.sort();
        seen_loads.dedup();
        let paths: Vec<String> = from.iter().map(|p| p.display().to_string()).collect();
        let seen = if seen_loads.is_empty() {
            String::new()
        } else {
            format!(" (loads found: {})", seen_loads.join(", "))
        };
        format!(
            "no bundle in {} holds {}{seen}",
            paths.join(", "),
            opts.target
        )
    } else {
        format!(
            "no bundle holds a complete {} set: {}",
            opts.target,
            incomplete.join("; ")
        )
    };
    Err(Error::Refused {
        details: Vec::new(),
        message,
        hint: Some("download the vendor's bundle for this load and pass it with --from".into()),
    })
}

/// The first candidate, when every candidate holds the same bytes for the set.
fn agreed(opts: &StageOptions, mut complete: Vec<Candidate>) -> Result<Candidate> {
    let digest = |rep: &BundleReport, files: &[String]| -> Vec<(String, Option<String>)> {
        files
            .iter()
            .map(|f| {
                (
                    f.clone(),
                    rep.members
                        .iter()
                        .find(|m| m.usable && &m.name == f)
                        .and_then(|m| m.sha256.clone()),
                )
            })
            .collect()
    };
    let first = digest(&complete[0].1, &complete[0].2.files);
    let differing: Vec<&str> = complete
        .iter()
        .filter(|c| digest(&c.1, &c.2.files) != first)
        .map(|c| c.1.path.as_str())
        .collect();
    if !differing.is_empty() {
        return Err(Error::Refused {
            details: Vec::new(),
            message: format!(
                "bundles hold different bytes for {}: {} and {}",
                opts.target,
                complete[0].1.path,
                differing.join(", ")
            ),
            hint: Some("pass the one you trust with --from".into()),
        });
    }
    Ok(complete.swap_remove(0))
}

/// Refuses when any input could not be read: it might hold the target (with
/// other bytes), so the choice would be made blind. Names every one.
fn unreadable_inputs(mut errors: Vec<Error>) -> Result<()> {
    if errors.len() > 1 {
        return Err(Error::Refused {
            message: format!(
                "{} inputs cannot be read, so no bundle was chosen:",
                errors.len()
            ),
            details: errors.iter().map(ToString::to_string).collect(),
            hint: Some("make them readable, or pass the bundle you want with --from".into()),
        });
    }
    errors.pop().map_or(Ok(()), Err)
}
