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
    /// Another family, by the token its load names carry: `69xx`, `6901`,
    /// `6911`, `6945`, `894x`, `78xx`, `88xx`, `CP7921G`, `CP7925G`,
    /// `CP7926G`, `7937`, the single images of `7902`/`7905`/`7912`, and
    /// the sidecars `7914`/`7915`/`7916`. loadsmith reads their names and
    /// lists; the seeds do not describe how they boot (see `docs/boot.md`).
    #[serde(untagged)]
    Named(&'static str),
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
            Family::Named(t) => t.to_string(),
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
    // The families below: device types from `field-facts.md` where it lists
    // them (7921, 7925, 7937, 7912, 7905, 7902, 7914), the others from the
    // public chan-sccp device table (see `docs/boot.md`, "Other families").
    m("6901", 547, Family::Named("6901"), None),
    m("6911", 548, Family::Named("6911"), None),
    m("6921", 495, Family::Named("69xx"), None),
    m("6941", 496, Family::Named("69xx"), None),
    m("6961", 497, Family::Named("69xx"), None),
    m("6945", 564, Family::Named("6945"), None),
    m("8941", 586, Family::Named("894x"), None),
    m("8945", 585, Family::Named("894x"), None),
    m("7921", 365, Family::Named("CP7921G"), None),
    m("7925", 484, Family::Named("CP7925G"), None),
    m("7926", 577, Family::Named("CP7926G"), None),
    m("7937", 431, Family::Named("7937"), None),
    m("7902", 30008, Family::Named("7902"), None),
    m("7905", 20000, Family::Named("7905"), None),
    m("7912", 30007, Family::Named("7912"), None),
    m("7914", 124, Family::Named("7914"), None),
    m("7915", 227, Family::Named("7915"), None),
    m("7916", 229, Family::Named("7916"), None),
    m("7821", 621, Family::Named("78xx"), None),
    m("7841", 622, Family::Named("78xx"), None),
    m("7861", 623, Family::Named("78xx"), None),
    m("8841", 683, Family::Named("88xx"), None),
    m("8851", 684, Family::Named("88xx"), None),
    m("8861", 685, Family::Named("88xx"), None),
    m("7910", 6, Family::Named("7910"), None),
    m("7935", 9, Family::Named("7935"), None),
    m("7936", 30019, Family::Named("7936"), None),
    m("7920", 30002, Family::Named("7920"), None),
    m("7985", 302, Family::Named("7985"), None),
    m("ATA186", 12, Family::Named("ATA186"), None),
    m("ATA187", 550, Family::Named("ATA187"), None),
];

/// The tokens of [`Family::Named`] families that load names carry
/// (`SCCP69xx.…`, `sip88xx.…`, `BOOT894x.…`), lower case.
pub const NAMED_TOKENS: &[&str] = &["69xx", "6901", "6911", "6945", "894x", "78xx", "88xx"];

/// The family a token names (`69xx` → `Named("69xx")`), any case.
pub fn family_by_token(token: &str) -> Option<Family> {
    MODELS.iter().find_map(|m| match m.family {
        Family::Named(t) if t.eq_ignore_ascii_case(token) => Some(m.family),
        _ => None,
    })
}

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
    let joined = t.replace("ATA ", "ATA");
    let t = joined.as_str();
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
