//! The fleet a root concerns: every model a pointer or a load in it speaks
//! to, and what a phone of each model does there from the states that
//! matter. `check` shows this table; `stage` proves its plan with it.

use serde::Serialize;

use super::source::FileSource;
use super::{BootReport, Kind, State, files, walk};
use crate::names::{Family, ImageName, MODELS, Model, Protocol};
use crate::pointers::Setting;

/// A MAC no configuration file is written for: the walk sees the defaults.
pub const ANY_MAC: &str = "000000000000";

/// One model in one starting state, and where it ends.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The model.
    pub model: &'static str,
    /// The starting state in words (`loader era, empty flash`, `factory reset`, `runs P00305000500`).
    pub state: String,
    /// How it ends.
    pub kind: Kind,
    /// The image it settles on, or runs while failing.
    pub image: Option<String>,
    /// The verdict in one sentence.
    pub message: String,
    /// The file concerned, if any.
    pub file: Option<String>,
    /// The load the configuration names for this phone, if any (kept out
    /// of JSON: `check` matches failures to the pointers that name it).
    #[serde(skip)]
    pub named: Option<String>,
    /// The phones of per-phone files this row stands for (`None`: a phone
    /// with no per-phone file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phones: Option<Phones>,
    /// The code of the finding that reports this row's failure (`check`:
    /// `not-served`, `dangling-pointer`, `phone-fails`…), when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
}

/// Per-phone files whose load settings are equal, walked once: the file
/// walked, how many MACs share it, and the first few.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Phones {
    /// The per-phone file walked (the group's first).
    pub file: String,
    /// How many per-phone files (MACs) the group holds.
    pub count: usize,
    /// The first few MACs, in name order.
    pub macs: Vec<String>,
}

impl Row {
    /// The row of a walk.
    pub fn of(model: &'static Model, state: String, r: &BootReport) -> Row {
        Row {
            model: model.name,
            state,
            kind: r.verdict.kind,
            image: r.verdict.image.clone(),
            message: r.verdict.message.clone(),
            file: r.verdict.file.clone(),
            named: r.image.clone(),
            phones: None,
            cause: None,
        }
    }
}

/// The models that pointers (file, setting, value) and loads speak to: the
/// device types of numbered `loadInformation` entries, the models of every
/// load named or held, and the 7940/7960 when a file only they read exists.
pub fn models_concerned<'a>(
    pointers: impl IntoIterator<Item = (&'a str, Setting, &'a str)>,
    loads: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static Model> {
    let mut out: Vec<&'static Model> = Vec::new();
    let add_family = |f: Option<Family>, out: &mut Vec<&'static Model>| {
        for m in MODELS.iter().filter(|m| Some(m.family) == f) {
            if !out.iter().any(|o| o.name == m.name) {
                out.push(m);
            }
        }
    };
    // A cluster's per-phone files name a handful of loads: each value once.
    let mut seen = std::collections::HashSet::new();
    for (file, setting, value) in pointers {
        if let Setting::LoadInformation(Some(n)) = setting
            && let Some(m) = crate::names::models::model_by_device_type(n)
            && !out.iter().any(|o| o.name == m.name)
        {
            out.push(m);
        }
        if [files::OS79XX, files::SIP_DEFAULT, files::MGCP_DEFAULT].contains(&file) {
            add_family(Some(Family::Legacy), &mut out);
        }
        if seen.insert(value) {
            add_family(ImageName::parse(value).family, &mut out);
        }
    }
    for l in loads {
        add_family(ImageName::parse(l).family, &mut out);
    }
    out
}

/// Walks one phone of `model` over `src`.
pub fn run(
    src: &mut dyn FileSource,
    model: &'static Model,
    running: Option<String>,
    factory_reset: bool,
) -> BootReport {
    let mac = free_mac(src);
    run_as(src, model, mac, running, factory_reset)
}

/// Walks one phone of `model` with `mac` over `src`.
pub fn run_as(
    src: &mut dyn FileSource,
    model: &'static Model,
    mac: String,
    running: Option<String>,
    factory_reset: bool,
) -> BootReport {
    walk(
        src,
        &State {
            mac,
            model,
            running,
            factory_reset,
        },
    )
}

/// A MAC for "a phone with no per-phone file": the first of a few that no
/// per-phone file of the root names (real trees hold templates such as
/// `SEP000000000000.cnf.xml`, so the all-zero MAC may be taken).
pub fn free_mac(src: &mut dyn FileSource) -> String {
    const CANDIDATES: [&str; 4] = [ANY_MAC, "02005E10AD01", "02005E10AD02", "02005E10AD03"];
    for c in CANDIDATES {
        let taken = crate::phone::files::loader_hunt(c)
            .into_iter()
            .chain(crate::phone::files::family_hunt(c))
            .filter(|h| h.name.contains(c))
            .any(|h| !matches!(src.fetch(&h.name), crate::phone::source::Fetch::NotFound));
        if !taken {
            return c.to_string();
        }
    }
    CANDIDATES[CANDIDATES.len() - 1].to_string()
}

/// Whether `src` holds `OS79XX.TXT` (a pre-loader 7940/7960 asks for it first).
pub fn holds_os79xx(src: &mut dyn FileSource) -> bool {
    !matches!(
        src.fetch(files::OS79XX),
        crate::phone::source::Fetch::NotFound
    )
}

/// What a loader-era phone runs before it boots, when nothing more is known.
pub const CURRENT: &str = "its current load";

/// What a 7940/7960 runs that boots by the original mechanism (its first
/// request is `OS79XX.TXT`, seed 000 rule 1), when its image is not known:
/// it asks for `OS79XX.TXT` first and loads what that file names.
pub const PRE_LOADER: &str = "its pre-loader image";

/// The states that matter for `model` in a root, and where each ends: a
/// loader-era phone running some other load, and (79x1 family) a phone
/// reset to factory defaults. (On a 7940/7960 a factory reset clears
/// settings, not flash: the same as the first row.)
pub fn rows(src: &mut dyn FileSource, model: &'static Model) -> Vec<Row> {
    let mut out = Vec::new();
    let r = run(src, model, Some(CURRENT.into()), false);
    let state = match model.family {
        Family::Named(_) => "any",
        _ => "loader era",
    };
    out.push(Row::of(model, state.into(), &r));
    // A 7940/7960 that still boots by the original mechanism asks for
    // `OS79XX.TXT` first (seed 000 rule 1): where the root holds one, that
    // phone is walked too.
    if model.family == Family::Legacy && holds_os79xx(src) {
        let r = run(src, model, Some(PRE_LOADER.into()), false);
        out.push(Row::of(model, "pre-loader".into(), &r));
    }
    if matches!(model.family, Family::Java(_)) {
        let r = run(src, model, None, true);
        out.push(Row::of(model, "factory reset".into(), &r));
    }
    out
}

/// A per-phone file's protocol and MAC, when `name` is one
/// (`SEP<MAC>.cnf.xml`, `SIP<MAC>.cnf`, `MGC<MAC>.cnf`, spelled exactly as
/// phones ask: [`files::mac_file`] decides).
pub fn per_phone_file(name: &str) -> Option<(Protocol, String)> {
    // Cheap refusal first: a root holds many other files.
    if name.len() < 19 {
        return None;
    }
    let mac = name.get(3..15)?;
    if !mac
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    {
        return None;
    }
    [Protocol::Sccp, Protocol::Sip, Protocol::Mgcp]
        .into_iter()
        .find(|p| files::mac_file(*p, mac) == name)
        .map(|p| (p, mac.to_string()))
}

/// The models a per-phone file of `protocol` can concern, given what it
/// names (`named`: setting and load): a SIP or MGCP file, the 7940/7960
/// (they alone read it); an XML file, the models of its numbered entries'
/// device types, else the models of the family of each load it names, else
/// (it names nothing) the `concerned` models that read it.
pub fn per_phone_models(
    protocol: Protocol,
    named: &[(Setting, &str)],
    concerned: &[&'static Model],
) -> Vec<&'static Model> {
    if protocol != Protocol::Sccp {
        return MODELS
            .iter()
            .filter(|m| m.family == Family::Legacy)
            .collect();
    }
    let mut out: Vec<&'static Model> = Vec::new();
    for (setting, _) in named {
        if let Setting::LoadInformation(Some(n)) = setting
            && let Some(m) = crate::names::models::model_by_device_type(*n)
            && !out.iter().any(|o| o.name == m.name)
        {
            out.push(m);
        }
    }
    if out.is_empty() {
        let families: Vec<Option<Family>> = named
            .iter()
            .map(|(_, v)| ImageName::parse(v).family)
            .collect();
        out.extend(MODELS.iter().filter(|m| families.contains(&Some(m.family))));
    }
    if out.is_empty() && named.is_empty() {
        out.extend(concerned.iter().copied());
    }
    // The phones whose boot the vendor's documents describe: the rows of
    // the others say so already, for every MAC.
    out.retain(|m| !matches!(m.family, Family::Named(_)));
    out
}

/// What one phone of `model` with the per-phone files of `phones` (the
/// first one walked, with its MAC) does: a loader-era phone running some
/// other load.
pub fn per_phone_row(
    src: &mut dyn FileSource,
    model: &'static Model,
    mac: &str,
    phones: &Phones,
) -> Row {
    let r = run_as(src, model, mac.to_string(), Some(CURRENT.into()), false);
    let mut row = Row::of(model, "loader era".into(), &r);
    row.phones = Some(phones.clone());
    row
}
