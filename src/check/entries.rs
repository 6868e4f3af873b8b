//! `loadInformation<N>` entries as real trees write them: a number that is
//! no device type loadsmith knows (`loadInformation00005 model="Cisco IP
//! Phone 7961"`: the 7961 is 30018), and an entry whose load is of another
//! family than the model its number is (`loadInformation6`, the 7910,
//! naming a 7911 load). Phones read the number: such an entry serves no
//! phone, or serves one a load it cannot run. Both are `model-label`
//! warnings, as a label that names another model is.

use crate::findings::{self, Finding, ModelLabel};
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
        let labelled = model_by_name(label).map(|m| (m.name, m.device_type));
        let unknown = ModelLabel::UnknownNumber {
            setting: &p.setting,
            value: &p.value,
            number: n,
            label,
            labelled,
        };
        return Some(findings::model_label(&p.file, unknown));
    };
    let load = ImageName::parse(&p.value);
    let family = load.family.filter(|_| load.known)?;
    (family != model.family).then(|| {
        let serves = match load.models.as_slice() {
            [] => family.label(),
            m => m.join("/"),
        };
        let other = ModelLabel::OtherFamily {
            setting: &p.setting,
            number: n,
            model: model.name,
            value: &p.value,
            serves: &serves,
        };
        findings::model_label(&p.file, other)
    })
}
