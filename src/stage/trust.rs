//! The trust lists at the top of a root as `stage` sees them: what it
//! records of them in the manifest, and the lists phones holding the
//! recorded one would refuse.

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::trust::continuity;
use crate::findings::Finding;
use crate::names::Role;
use crate::trust::record::{Recorded, recorded};
use crate::trust::{MAX_SIZE, TrustList, Verdict, analyse, now};

/// True for the names phones ask trust lists by.
fn is_list_name(name: &str) -> bool {
    crate::names::ImageName::parse(name).role == Role::TrustList
}

/// The verified trust lists at the top of `root`, by name.
fn root_lists(root: &Path) -> Vec<(String, TrustList)> {
    let Ok(dir) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let now = now();
    let mut out: Vec<(String, TrustList)> = dir
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !is_list_name(&name) {
                return None;
            }
            let data = crate::files::read_capped(&e.path(), MAX_SIZE).ok()?;
            let t = analyse(&data, now).ok()?;
            (t.signature == Verdict::Verified).then_some((name, t))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The lists `stage` records: every verified trust list at the top of the
/// root, over what was recorded before. A list whose signer the recorded
/// list does not hold keeps the old record (phones still hold the old
/// list) unless `force`: the admin says the phones were erased. A list
/// removed from the root keeps its record too.
pub fn record_root(
    root: &Path,
    before: &BTreeMap<String, Recorded>,
    force: bool,
) -> BTreeMap<String, Recorded> {
    let mut out = before.clone();
    for (name, t) in root_lists(root) {
        if force || continuity(&name, &t, before).is_none() {
            out.insert(name, recorded(&t));
        }
    }
    out
}

/// What `stage` says of the root's lists before it writes: a list phones
/// holding the recorded one would refuse.
pub fn stage_findings(root: &Path, recorded: &BTreeMap<String, Recorded>) -> Vec<Finding> {
    root_lists(root)
        .iter()
        .filter_map(|(n, t)| continuity(n, t, recorded))
        .collect()
}
