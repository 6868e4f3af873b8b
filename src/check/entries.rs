//! `loadInformation<N>` entries as real trees write them: a number that is
//! no device type loadsmith knows (`loadInformation00005 model="Cisco IP
//! Phone 7961"`: the 7961 is 30018), and an entry whose load is of another
//! family than the model its number is (`loadInformation6`, the 7910,
//! naming a 7911 load). Phones read the number: such an entry serves no
//! phone, or serves one a load it cannot run. Both are `model-label`
//! warnings, as a label that names another model is.

use crate::findings::{Code, Finding};
use crate::names::ImageName;
use crate::names::models::{model_by_device_type, model_by_name};
use crate::served::view::Pointer;

/// The findings of one pointer's entry number and load.
pub(super) fn entry_findings(p: &Pointer) -> Option<Finding> {
    let digits = p.setting.strip_prefix("loadInformation")?;
    // `loadInformation` alone (a per-phone file's entry) has no number.
    let n: u32 = digits.parse().ok()?;
    let label = p.label.as_deref().unwrap_or("");
    let Some(model) = model_by_device_type(n) else {
        let said = match model_by_name(label) {
            Some(m) => format!(
                " (it is labelled model=\"{label}\": the {}'s device type is {}, so the entry should be loadInformation{})",
                m.name, m.device_type, m.device_type
            ),
            None => String::new(),
        };
        return Some(Finding::new(
            Code::ModelLabel,
            Some(&p.file),
            format!(
                "{} {} names {}, but {n} is no device type loadsmith knows{said}: no phone reads this entry",
                p.file, p.setting, p.value
            ),
        ));
    };
    let load = ImageName::parse(&p.value);
    let family = load.family.filter(|_| load.known)?;
    (family != model.family).then(|| {
        let serves = match load.models.as_slice() {
            [] => family.label(),
            m => m.join("/"),
        };
        Finding::new(
            Code::ModelLabel,
            Some(&p.file),
            format!(
                "{} {} is the {}'s entry ({n}), but {} is a load for the {serves}: a {} cannot run it",
                p.file, p.setting, model.name, p.value, model.name
            ),
        )
    })
}
