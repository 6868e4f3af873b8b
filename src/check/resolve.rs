//! Where a pointer leads in a root: to a complete set, an image, or
//! nowhere, and then the nearest thing the root holds ("did you mean …?").
//! Answered from indexes built once and cached per value: a root may hold
//! tens of thousands of per-phone files naming a handful of loads.

use std::collections::{HashMap, HashSet};

use crate::inspect::BundleReport;
use crate::inspect::sets::SetReport;
use crate::names::{ImageName, Role};

/// Where pointers lead, answered from indexes built once (a root may hold
/// tens of thousands of per-phone files naming a handful of loads).
pub struct Resolver<'a> {
    rep: &'a BundleReport,
    sets: HashMap<&'a str, &'a SetReport>,
    images: HashSet<&'a str>,
    by_lower: HashMap<String, (&'a str, &'a str)>,
    cache: HashMap<String, std::result::Result<(), String>>,
}

impl<'a> Resolver<'a> {
    /// Indexes `rep`.
    pub fn new(rep: &'a BundleReport) -> Resolver<'a> {
        let usable = || rep.members.iter().filter(|m| m.usable);
        Resolver {
            rep,
            sets: rep.sets.iter().map(|s| (s.load.as_str(), s)).collect(),
            images: usable()
                .filter(|m| matches!(m.image.role, Role::Application | Role::Loader))
                .map(|m| m.image.stem.as_str())
                .collect(),
            by_lower: usable()
                .map(|m| {
                    let stem = m.image.stem.as_str();
                    (stem.to_ascii_lowercase(), (stem, m.name.as_str()))
                })
                .collect(),
            cache: HashMap::new(),
        }
    }

    /// Where a pointer leads: `Ok(())` when complete, else why not.
    pub fn resolve(&mut self, value: &str) -> std::result::Result<(), String> {
        if let Some(r) = self.cache.get(value) {
            return r.clone();
        }
        let r = self.work_out(value);
        self.cache.insert(value.to_string(), r.clone());
        r
    }

    fn work_out(&self, value: &str) -> std::result::Result<(), String> {
        // A term file named as the load (`term70.default`) is its `.loads`, as
        // the phone reads it.
        if let Some(s) = self.sets.get(value) {
            return if s.complete {
                Ok(())
            } else {
                Err(format!("its set lacks {}", s.missing.join(", ")))
            };
        }
        if self.images.contains(value) {
            return Ok(());
        }
        let near = self
            .by_lower
            .get(&value.to_ascii_lowercase())
            .filter(|(stem, _)| *stem != value)
            .map(|(_, n)| format!(" (the root has {n}, which differs in case)"));
        let v = ImageName::parse(value);
        let other = || {
            self.rep
                .sets
                .iter()
                .find(|s| v.same_image(&ImageName::parse(&s.load)))
                .map(|s| format!(" (the root has {}.loads: write that spelling)", s.load))
        };
        let close = || {
            nearest(value, self.rep.sets.iter().map(|s| s.load.as_str()))
                .map(|l| format!(" (did you mean {l}?)"))
        };
        Err(format!(
            "the root holds no {value}.loads or image{}",
            near.or_else(other).or_else(close).unwrap_or_default()
        ))
    }
}

/// The load among `loads` closest to `value`, when it is close: a few
/// characters away (`SCCP11.9-4-2-1S` → `SCCP11.9-4-2SR1-1S`).
fn nearest<'a>(value: &str, loads: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 3.max(value.len() / 5);
    loads
        .map(|l| (edit_distance(value, l), l))
        .filter(|(d, _)| *d > 0 && *d <= limit)
        .min()
        .map(|(_, l)| l)
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
