//! The second of a stage's two phases (`--pointers-only`) points at a set
//! only a first phase (`--files-only`) or a whole stage wrote.

use std::path::Path;

use super::FilePlan;
use super::edits::Action;
use crate::error::{Error, Result};
use crate::root::manifest::Manifest;

/// `--pointers-only`: every file of the set must be in the root with the
/// digest the manifest recorded (a `--files-only` stage wrote it).
pub(super) fn set_in_place(root: &Path, files: &[FilePlan], manifest: &Manifest) -> Result<()> {
    let wrong: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let recorded = manifest.files.get(&f.name).map(|e| e.sha256.as_str());
            match (&f.action, recorded) {
                (Action::Create, _) => Some(format!("{} is not in the root", f.name)),
                (Action::Replace, _) => Some(format!(
                    "{} in the root has other bytes than the set's",
                    f.name
                )),
                (_, None) => Some(format!(
                    "{} is in the root, but no stage recorded it",
                    f.name
                )),
                (_, Some(r)) if r != f.sha256 => Some(format!(
                    "{} differs from what the manifest recorded",
                    f.name
                )),
                _ => None,
            }
        })
        .collect();
    match wrong.is_empty() {
        true => Ok(()),
        false => Err(Error::Refused {
            message: format!(
                "{} does not hold the whole set the pointers would name; no pointer was edited:",
                root.display()
            ),
            details: wrong,
            hint: Some(
                "stage with --files-only first (or a plain stage), then --pointers-only".into(),
            ),
        }),
    }
}
