//! What a stage keeps by itself: when the new or edited `XMLDefault.cnf.xml`
//! would come first in the hunt of 7940/7960 phones the root already serves
//! through their own protocol's file (`SIPDefault.cnf`, `MGCDefault.cnf`)
//! and name nothing for them (rule 4: uncertain), the stage names in it the
//! image those phones settle on today. That fix is certain: the phones then
//! take from `XMLDefault.cnf.xml` what they take today from the later file.
//! Where they do not settle today on a named image, nothing is added and the
//! proof refuses as before.

use crate::boot::source::DirSource;
use crate::error::{Error, Result};
use crate::names::{Family, models::MODELS};
use crate::phone::{Kind, files, fleet, read};
use crate::pointers::xml_set;
use crate::served::Served;
use crate::served::view::RootView;

use super::edits::{self, Action, Edit};

/// Adds to the `XMLDefault.cnf.xml` edit the entries 7940/7960 phones need to
/// keep the image they settle on today; the edit's diff shows them.
pub fn keep_served(
    view: &RootView,
    served: &Served,
    edits: &mut [Edit],
    target: &[String],
) -> Result<()> {
    let Some(e) = edits
        .iter_mut()
        .find(|e| e.file == files::XML_DEFAULT && e.action != Action::Unchanged)
    else {
        return Ok(());
    };
    let mut today = DirSource::of(served.clone());
    let mut add = Vec::new();
    for m in MODELS
        .iter()
        .filter(|m| m.family == Family::Legacy && !target.iter().any(|t| t == m.name))
    {
        if read::named(files::XML_DEFAULT, &e.bytes, m).image.is_some() {
            continue;
        }
        let r = fleet::run(&mut today, m, Some(fleet::CURRENT.into()), false);
        match (r.verdict.kind, r.verdict.image) {
            (Kind::Settles, Some(i)) if i != fleet::CURRENT => {
                add.push(crate::pointers::LoadEntry {
                    device_type: m.device_type,
                    model: m.xml_model(),
                    value: i,
                });
            }
            _ => {}
        }
    }
    if add.is_empty() {
        return Ok(());
    }
    let bytes = xml_set(&e.bytes, &add).map_err(|err| Error::Refused {
        details: Vec::new(),
        message: format!("{} cannot be edited: {err}; nothing was written", e.file),
        hint: Some(format!("fix {} or move it away, then stage again", e.file)),
    })?;
    let old = view.read_small(&e.file)?.unwrap_or_default();
    e.diff = edits::diff(&old, &bytes);
    e.bytes = bytes;
    Ok(())
}
