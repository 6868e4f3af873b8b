//! Phone models, their families, device-type numbers and model codes.
//!
//! This table is the single place that knows which model belongs to which
//! firmware family, which device-type number CUCM gives it (the `N` of
//! `loadInformation<N>` and `load<N>.txt`) and which two-digit model code its
//! `term<MM>.default.loads` carries. Source: `field-facts.md`.

use serde::Serialize;

/// A firmware family: which image names a phone runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// 7940 and 7960: `P003…`, `P0S3-…`, `P0M3-…` images.
    #[serde(rename = "7940-7960")]
    Legacy,
    /// The 79x1/7942/7945/797x/7931/7906/7911 family, by its two-digit family code.
    #[serde(untagged)]
    Java(u8),
}

impl Family {
    /// The family for a 79x1-family code (`11`, `41`, `42`, `45`, `70`, `75`, `31`).
    pub fn from_code(code: u8) -> Option<Family> {
        MODELS
            .iter()
            .any(|m| m.family == Family::Java(code))
            .then_some(Family::Java(code))
    }

    /// Models served by this family, in table order.
    pub fn models(self) -> impl Iterator<Item = &'static Model> {
        MODELS.iter().filter(move |m| m.family == self)
    }

    /// A label for people: `7940/7960`, `79x1 code 41`.
    pub fn label(self) -> String {
        match self {
            Family::Legacy => "7940/7960".to_string(),
            Family::Java(c) => format!("79x1 code {c:02}"),
        }
    }
}

/// One phone model.
#[derive(Debug, PartialEq, Eq)]
pub struct Model {
    /// Short name (`7961`, `7941G-GE`).
    pub name: &'static str,
    /// CUCM device-type number.
    pub device_type: u32,
    /// Firmware family.
    pub family: Family,
    /// The `MM` of `term<MM>.default.loads`, for the 79x1 family.
    pub term_code: Option<&'static str>,
}

impl Model {
    /// The model as configuration files name it: `IP Phone 7960`.
    pub fn xml_model(&self) -> String {
        format!("IP Phone {}", self.name)
    }
}

const fn m(
    name: &'static str,
    device_type: u32,
    family: Family,
    term_code: Option<&'static str>,
) -> Model {
    Model {
        name,
        device_type,
        family,
        term_code,
    }
}

/// Every model loadsmith knows, with its family and device type.
pub static MODELS: &[Model] = &[
    m("7940", 8, Family::Legacy, None),
    m("7960", 7, Family::Legacy, None),
    m("7906", 369, Family::Java(11), Some("06")),
    m("7911", 307, Family::Java(11), Some("11")),
    m("7941", 115, Family::Java(41), Some("41")),
    m("7941G-GE", 309, Family::Java(41), Some("41")),
    m("7961", 30018, Family::Java(41), Some("61")),
    m("7961G-GE", 308, Family::Java(41), Some("61")),
    m("7942", 434, Family::Java(42), Some("42")),
    m("7962", 404, Family::Java(42), Some("62")),
    m("7945", 435, Family::Java(45), Some("45")),
    m("7965", 436, Family::Java(45), Some("65")),
    m("7970", 30006, Family::Java(70), Some("70")),
    m("7971", 119, Family::Java(70), Some("71")),
    m("7975", 437, Family::Java(75), Some("75")),
    m("7931", 348, Family::Java(31), Some("31")),
];

/// Finds a model by any common spelling: `7960`, `CP-7960G`, `IP Phone 7960`,
/// `7941G-GE`.
pub fn model_by_name(text: &str) -> Option<&'static Model> {
    let t = text.trim().to_ascii_uppercase();
    let t = t
        .strip_prefix("CISCO ")
        .unwrap_or(&t)
        .trim_start_matches("IP PHONE")
        .trim_start_matches("CP-")
        .trim();
    if let Some(exact) = MODELS.iter().find(|m| m.name.eq_ignore_ascii_case(t)) {
        return Some(exact);
    }
    let base = t.strip_suffix('G').unwrap_or(t);
    MODELS.iter().find(|m| m.name == base)
}

/// Finds a model by its CUCM device-type number.
pub fn model_by_device_type(n: u32) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.device_type == n)
}

/// The base models (not the G-GE variants) whose `term<MM>` code is `code`.
pub fn models_by_term_code(code: &str) -> Vec<&'static Model> {
    MODELS
        .iter()
        .filter(|m| m.term_code == Some(code))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_a_model_resolve() {
        for s in [
            "7960",
            "CP-7960G",
            "IP Phone 7960",
            "ip phone 7960",
            "7960G",
        ] {
            assert_eq!(model_by_name(s).map(|m| m.device_type), Some(7), "{s}");
        }
        assert_eq!(model_by_name("7941G-GE").map(|m| m.device_type), Some(309));
        assert!(model_by_name("7999").is_none());
    }

    #[test]
    fn device_types_match_the_reference() {
        assert_eq!(model_by_device_type(115).map(|m| m.name), Some("7941"));
        assert_eq!(model_by_device_type(30018).map(|m| m.name), Some("7961"));
        assert_eq!(Family::from_code(41), Some(Family::Java(41)));
        assert_eq!(Family::from_code(99), None);
    }
}
