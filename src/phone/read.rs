//! How a phone reads a configuration file: which image it names for one
//! model. The file formats themselves are parsed in `root::pointers`.

use crate::names::Model;
use crate::pointers::{IMAGE_VERSION, Setting, cnf_get, xml_get};

/// What a configuration file says to one phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The image (load) named, if any.
    pub image: Option<String>,
    /// The setting that named it (`loadInformation7`, `loadInformation`, `image_version`).
    pub setting: Option<Setting>,
    /// A bare `<loadInformation>` naming another image than the numbered
    /// entry that won (no document says which a phone takes).
    pub bare_disagrees: Option<String>,
    /// The numbered entry is spelled zero-padded (`loadInformation00007`).
    pub padded: bool,
}

/// The image `file` names for `model`.
///
/// - XML files (`XMLDefault.cnf.xml`, `SEP<MAC>.cnf.xml`): the
///   `loadInformation<N>` whose N is the model's device type (zero-padded
///   numbers read as the number); failing that, a bare `<loadInformation>`
///   (the field guide's recipe, which its readers confirm for 7940/7960 and
///   7941). When both are present the numbered one wins: it is the more
///   specific, and CUCM writes numbered entries (`docs/boot.md`).
/// - `.cnf` files: `image_version` (the last one in the file).
pub fn named(file: &str, bytes: &[u8], model: &Model) -> Named {
    if file.ends_with(".cnf.xml") {
        let entries = xml_get(bytes).unwrap_or_default();
        let numbered = entries
            .iter()
            .find(|e| e.device_type == Some(model.device_type) && !e.value.is_empty());
        let bare = entries
            .iter()
            .find(|e| e.device_type.is_none() && !e.value.is_empty());
        let bare_disagrees = match (numbered, bare) {
            (Some(n), Some(b)) if n.value != b.value => Some(b.value.clone()),
            _ => None,
        };
        let padded =
            numbered.is_some() && String::from_utf8_lossy(bytes).contains("<loadInformation0");
        return match numbered.or(bare) {
            Some(e) => Named {
                image: Some(e.value.clone()),
                setting: Some(Setting::LoadInformation(e.device_type)),
                bare_disagrees,
                padded,
            },
            None => Named {
                image: None,
                setting: None,
                bare_disagrees: None,
                padded: false,
            },
        };
    }
    let image = cnf_get(bytes, IMAGE_VERSION).filter(|v| !v.is_empty());
    Named {
        setting: image.as_ref().map(|_| Setting::ImageVersion),
        image,
        bare_disagrees: None,
        padded: false,
    }
}
