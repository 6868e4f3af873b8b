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
        return match numbered.or(bare) {
            Some(e) => Named {
                image: Some(e.value.clone()),
                setting: Some(Setting::LoadInformation(e.device_type)),
            },
            None => Named {
                image: None,
                setting: None,
            },
        };
    }
    let image = cnf_get(bytes, IMAGE_VERSION).filter(|v| !v.is_empty());
    Named {
        setting: image.as_ref().map(|_| Setting::ImageVersion),
        image,
    }
}
