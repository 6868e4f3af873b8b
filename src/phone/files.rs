//! The files a phone asks for, by family and era: the configuration files
//! and their hunt order, `OS79XX.TXT`, the factory-reset term file, and which
//! file of a load is the loader. The only place in loadsmith that spells
//! these names or orders.

use crate::names::config::{ctl_file, is_ctl_file, itl_file};
use crate::names::models::model_by_name;
use crate::names::{Family, ImageName, Model, Protocol, Role};
use crate::pointers::Setting;

// The names themselves are spelled in `names::config` (layer 0), so that
// `upgrade`, below the phone model, writes the same names.
pub use crate::names::config::{
    MGCP_DEFAULT, OS79XX, SIP_DEFAULT, XML_DEFAULT, default_of, mac_file,
};

/// One file of a hunt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuntFile {
    /// Its name.
    pub name: String,
    /// The protocol it decides, or `None` for a trust list (it decides nothing).
    pub protocol: Option<Protocol>,
}

fn hf(name: String, protocol: Option<Protocol>) -> HuntFile {
    HuntFile { name, protocol }
}

/// The universal loader's hunt on a 7940/7960 (seed 000, "Universal
/// Application Loader"): the first configuration file found decides.
pub fn loader_hunt(mac: &str) -> Vec<HuntFile> {
    vec![
        hf(ctl_file(mac), None),
        hf(mac_file(Protocol::Sccp, mac), Some(Protocol::Sccp)),
        hf(mac_file(Protocol::Sip, mac), Some(Protocol::Sip)),
        hf(mac_file(Protocol::Mgcp, mac), Some(Protocol::Mgcp)),
        hf(XML_DEFAULT.into(), Some(Protocol::Sccp)),
        hf(SIP_DEFAULT.into(), Some(Protocol::Sip)),
        hf(MGCP_DEFAULT.into(), Some(Protocol::Mgcp)),
    ]
}

/// True when a request for `file` starts a hunt: every hunt above opens
/// with the phone's own `CTLSEP<MAC>.tlv`, so a phone asking for it has
/// (re)started its boot.
pub fn starts_hunt(file: &str) -> bool {
    is_ctl_file(file)
}

/// True when a phone told "file not found" for `file` goes on with its boot:
/// the requests a walk makes that a phone may lack. `OS79XX.TXT` (absent, a
/// pre-loader phone carries on with its own files), every file of the
/// loader's and the 79x1 family's hunts (the first configuration file found
/// decides; trust lists absent mean nonsecure mode), and so the per-phone and
/// default files the application asks for once it runs (`SIPDefault.cnf`,
/// `SIP<MAC>.cnf`, …). Spelled from the same lists the walks use. Any answer
/// other than "file not found" is not this: it stops the loader (vendor bug
/// CSCee31047).
pub fn may_be_absent(file: &str) -> bool {
    if file == OS79XX {
        return true;
    }
    let parsed = ImageName::parse(file);
    if !matches!(parsed.role, Role::Configuration | Role::TrustList) {
        return false;
    }
    let mac = parsed.mac.as_deref().unwrap_or("000000000000");
    loader_hunt(mac)
        .into_iter()
        .chain(family_hunt(mac))
        .any(|h| h.name == file)
}

/// The 79x1 family's hunt (`field-facts.md`).
pub fn family_hunt(mac: &str) -> Vec<HuntFile> {
    vec![
        hf(ctl_file(mac), None),
        hf(itl_file(mac), None),
        hf(mac_file(Protocol::Sccp, mac), Some(Protocol::Sccp)),
        hf(XML_DEFAULT.into(), Some(Protocol::Sccp)),
    ]
}

/// The files a 7940/7960 reads for its own protocol before the universal
/// loader (seed 000, "Original Boot Mechanism"; SCCP also reads
/// `XMLDefault.cnf.xml`, as the field guide's SCCP steps rely on). For SIP
/// and MGCP both are read, the MAC file last (it wins); for SCCP the first
/// found decides.
pub fn own_protocol_files(protocol: Protocol, mac: &str) -> Vec<String> {
    match default_of(protocol) {
        Some(default) => vec![default.into(), mac_file(protocol, mac)],
        None => vec![mac_file(protocol, mac), XML_DEFAULT.into()],
    }
}

/// The file a 79x1-family phone asks for after a factory reset.
pub fn term_file(model: &Model) -> Option<String> {
    model.term_code.map(crate::names::config::term_file)
}

/// A model's way back from a factory reset through one term file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reset {
    /// The model that fetches the term file.
    pub model: &'static Model,
    /// The setting that names the load it moves to afterwards.
    pub setting: Setting,
}

/// What a phone does after a factory reset: it fetches the term file of
/// its model ([`term_file`]) and runs the load that list names first, and
/// only then moves to the load its configuration names for it, the
/// `loadInformation<N>` of its device type. For a term file, each model
/// that fetches it, with that setting.
pub fn after_reset(term: &ImageName) -> Vec<Reset> {
    term.models
        .iter()
        .filter_map(|n| model_by_name(n))
        .map(|model| Reset {
            model,
            setting: Setting::LoadInformation(Some(model.device_type)),
        })
        .collect()
}

/// The era of a 7940/7960 image: before the universal loader (SCCP below
/// 6.x, the manufacturing image included; SIP and MGCP below 7.x), or with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// The original boot mechanism: `OS79XX.TXT` first.
    PreLoader,
    /// The universal application loader hunts.
    Loader,
}

/// The era of the image in flash (empty flash: the loader's "No Load Specified").
pub fn era(running: Option<&ImageName>) -> Era {
    let Some(r) = running else { return Era::Loader };
    let Some(v) = &r.version else {
        return Era::Loader;
    };
    let first_loader_major = match r.protocol {
        Some(Protocol::Sccp) => 6,
        Some(Protocol::Sip | Protocol::Mgcp) => 7,
        _ => return Era::Loader,
    };
    if v.major < first_loader_major {
        Era::PreLoader
    } else {
        Era::Loader
    }
}

/// True when a phone running `running` takes only signed files (5.x and
/// later, seed 000 "Signed and Unsigned Images"); empty flash or an unknown
/// image counts as signed.
pub fn takes_signed_only(running: Option<&ImageName>) -> bool {
    running
        .and_then(|r| r.version.as_ref())
        .is_none_or(|v| v.is_signed_era())
}

/// What a 7940/7960 runs that boots by the original mechanism and takes
/// unsigned files, when its image is not known: a phone whose log shows it
/// asking for an image's `.bin` (000: "Versions prior to 5.x accept unsigned
/// binary files"). `boot --running "its image below 5.x"` walks it.
pub const PRE_5: &str = "its image below 5.x";

/// The file a 7940/7960 fetches to load `image` directly (the original
/// mechanism, or the loader named by a pointer): the unsigned `.bin` when
/// it runs a pre-5.x image, the signed `.sbn` otherwise.
pub fn direct_file(image: &str, running: Option<&ImageName>) -> String {
    if takes_signed_only(running) {
        format!("{image}.sbn")
    } else {
        format!("{image}.bin")
    }
}

/// The loader of a 7940/7960 load: the `.sbn` its `.loads` lists (formats:
/// loader `.sbn`, application `.sb2`, `LA_VERSION`). SCCP loads name their
/// loader after the release (`P0030801SR02.sbn`), SIP and MGCP after the
/// loader (`P003-8-12-00.sbn`).
pub fn loader_of(list: &[String]) -> Option<&str> {
    list.iter()
        .map(String::as_str)
        .find(|f| f.to_ascii_lowercase().ends_with(".sbn"))
}

/// True when `image` names the universal loader (`P003-…`).
pub fn is_loader(image: &ImageName) -> bool {
    image.role == Role::Loader || image.protocol == Some(Protocol::Loader)
}

/// True when `model` can run `image` at all: its own family only (a
/// 7940/7960 image on a 79x1 phone, a 7941 load on a 7942, never).
pub fn same_family(model: &Model, image: &ImageName) -> bool {
    !image.known || image.family == Some(model.family) || image.family.is_none()
}

/// The family in words, for messages.
pub fn family_words(f: Option<Family>) -> String {
    match f {
        Some(Family::Legacy) => "a 7940/7960 image".into(),
        Some(Family::Java(c)) => format!("a load of family {c}"),
        Some(Family::Named(t)) => format!("a {t} image"),
        None => "an image of no known family".into(),
    }
}

/// The exact spelling phones ask for a configuration file that `name`
/// equals but for case (`sipdefault.cnf` → `SIPDefault.cnf`,
/// `sep0011bb73ad61.cnf.xml` → `SEP0011BB73AD61.cnf.xml`, `term61.DEFAULT.loads`
/// → `term61.default.loads`), when it differs from `name`. Phones ask for
/// exact names and tftpd-hpa matches case, so such a file is never fetched.
pub fn requested_spelling(name: &str) -> Option<String> {
    // The common case first, without parsing: a per-phone file spelled as
    // phones ask for it (a cluster's root holds tens of thousands).
    let mac_file = ["SEP", "SIP", "MGC"].iter().any(|p| name.starts_with(p))
        && name.get(3..15).is_some_and(|m| {
            m.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        })
        && matches!(name.get(15..), Some(".cnf.xml" | ".cnf"));
    if mac_file {
        return None;
    }
    let img = ImageName::parse(name);
    let exact = match img.role {
        Role::Os79xx => OS79XX.to_string(),
        Role::FactoryDefault => name.to_ascii_lowercase(),
        Role::Configuration => {
            let lower = name.to_ascii_lowercase();
            let mut fixed = [XML_DEFAULT, SIP_DEFAULT, MGCP_DEFAULT]
                .into_iter()
                .find(|d| d.eq_ignore_ascii_case(name))
                .map(str::to_string);
            if let (None, Some(mac)) = (&fixed, &img.mac) {
                fixed = loader_hunt(mac)
                    .into_iter()
                    .map(|h| h.name)
                    .find(|h| h.to_ascii_lowercase() == lower);
            }
            fixed?
        }
        _ => return None,
    };
    (exact != name).then_some(exact)
}
