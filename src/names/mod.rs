//! The image-name model: one typed record for every firmware or file name.
//!
//! Phones fetch files by exact name, and the name is most of what an admin
//! knows about a file. [`ImageName::parse`] turns a bare image name
//! (`P0S3-08-12-00`) or a file name (`cvm41sccp.9-4-2ES26.sbn`,
//! `term61.default.loads`, `load115.txt`, `OS79XX.TXT`) into an [`ImageName`]:
//! family, protocol, comparable [`Version`], [`Role`], signed or not, and the
//! models it serves. Parsing never fails: a name it does not know comes back
//! with `known == false` and no guessed fields.
//!
//! Every other module (inspect, stage, check, boot, plan) reads names through
//! this one record; nothing else parses a name.

mod bundle;
pub mod config;
pub mod models;
mod more;
mod others;
pub mod version;

use serde::{Serialize, Serializer};

pub use models::{Family, MODELS, Model};
pub use version::{Release, Version};

/// The protocol an image speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Skinny (CUCM).
    Sccp,
    /// SIP.
    Sip,
    /// MGCP.
    Mgcp,
    /// The 7940/7960 universal application loader (`P003-xx-y-zz`), which serves every protocol.
    Loader,
}

impl Protocol {
    /// Upper-case label for people: `SIP`, `SCCP`, `MGCP`, `loader`.
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Sccp => "SCCP",
            Protocol::Sip => "SIP",
            Protocol::Mgcp => "MGCP",
            Protocol::Loader => "loader",
        }
    }
}

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A signed `.loads` list: what a load consists of (or a 79x1 load name).
    Loads,
    /// An application image (`.sb2`, `.sbn`, `.bin`, or a bare 7940/7960 image name).
    Application,
    /// The 7940/7960 universal application loader.
    Loader,
    /// A 79x1-family component (`apps`, `cnu`, `dsp`, `jar`, `cvm`).
    Component,
    /// `term<MM>.default.loads`, fetched after a factory reset.
    FactoryDefault,
    /// CUCM's `load<devicetype>.txt`.
    DeviceDefaults,
    /// `OS79XX.TXT`.
    Os79xx,
    /// A configuration file a phone hunts for.
    Configuration,
    /// A certificate trust list (`CTLSEP<MAC>.tlv`, `ITLFile.tlv`).
    TrustList,
    /// A vendor bundle (`.zip`, `.cop`, `.cop.sgn`): the load it holds.
    Bundle,
    /// Another file phones read (dial plan, ring list, soft keys).
    Support,
    /// Anything else.
    Other,
}

/// One parsed name. Defined once; `names`, `inspect`, `stage` and `boot` print it.
#[derive(Debug, Clone, Serialize)]
pub struct ImageName {
    /// The text as given.
    pub input: String,
    /// True when loadsmith recognises the name.
    pub known: bool,
    /// The firmware family, when known.
    pub family: Option<Family>,
    /// The phone models the name serves.
    pub models: Vec<&'static str>,
    /// The protocol, when the name carries one.
    pub protocol: Option<Protocol>,
    /// The version, shown in its display form.
    #[serde(serialize_with = "version_display")]
    pub version: Option<Version>,
    /// What the file is for.
    pub role: Role,
    /// Signed or not, judged by the extension (or, for a bare name, by its era).
    pub signed: Option<bool>,
    /// The name without its extension, as phones are told it (`P0S3-8-12-00`).
    pub stem: String,
    /// The extension, as spelled (`sb2`, `LOADS`), if any.
    pub extension: Option<String>,
    /// The device-type number, for `load<N>.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<u32>,
    /// The MAC address, for per-phone files (`SEP<MAC>.cnf.xml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Remarks a user should read (odd spellings, leftovers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn version_display<S: Serializer>(v: &Option<Version>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.display()),
        None => s.serialize_none(),
    }
}

/// Extensions loadsmith knows, longest first so `.cnf.xml` wins over `.xml`.
const EXTENSIONS: &[&str] = &[
    ".cnf.xml", ".zz.sgn", ".loads", ".sb2", ".sbn", ".sbin", ".bin", ".txt", ".cnf", ".tlv",
    ".zz", ".sgn", ".zup",
];

/// Service releases whose names (`P003xxyySRnn`) omit the maintenance number
/// the vendor gives them in release notes (`field-facts.md`).
const SR_BASES: &[(&str, u32)] = &[("0801", 2)];

impl ImageName {
    /// Parses a bare image name or a file name (a path's directories are ignored).
    pub fn parse(input: &str) -> ImageName {
        let base = input.rsplit(['/', '\\']).next().unwrap_or(input);
        let (stem, extension) = split_extension(base);
        let mut rec = ImageName {
            input: input.to_string(),
            known: false,
            family: None,
            models: Vec::new(),
            protocol: None,
            version: None,
            role: Role::Other,
            signed: None,
            stem: stem.to_string(),
            extension: extension.map(str::to_string),
            device_type: None,
            mac: None,
            notes: Vec::new(),
        };
        let ext = extension.map(str::to_ascii_lowercase);
        let ext = ext.as_deref();
        rec.signed = match ext {
            Some("loads" | "sb2" | "sbn" | "zz.sgn" | "sgn") => Some(true),
            Some("bin") => Some(false),
            _ => None,
        };
        if bundle::parse_bundle(&mut rec, base) {
            return rec;
        }
        let parsed = parse_legacy(&mut rec, ext)
            || parse_java_load(&mut rec, ext)
            || parse_component(&mut rec, ext)
            || others::parse(&mut rec, ext)
            || more::parse(&mut rec, ext)
            || parse_support_file(&mut rec, ext)
            || bundle::parse_other(&mut rec, &base.to_ascii_lowercase());
        rec.known = parsed;
        if let Some(f) = rec.family {
            rec.models = f.models().map(|m| m.name).collect();
        }
        if rec.device_type.is_some() || rec.role == Role::FactoryDefault {
            rec.models = models_for(&rec);
        }
        rec
    }

    /// True when both name the same load or image: same family, protocol,
    /// version and release, whatever the spelling.
    pub fn same_image(&self, other: &ImageName) -> bool {
        self.known
            && other.known
            && self.family == other.family
            && self.protocol == other.protocol
            && self.version.is_some()
            && self.version == other.version
            && self.version.as_ref().map(|v| &v.build) == other.version.as_ref().map(|v| &v.build)
    }

    /// A one-line description for people: `SIP 8.12 application image for 7940/7960`.
    pub fn describe(&self) -> String {
        if !self.known {
            return "not a name loadsmith knows".to_string();
        }
        let mut parts = Vec::new();
        if let Some(p) = self.protocol.filter(|p| *p != Protocol::Loader) {
            parts.push(p.label().to_string());
        }
        if let Some(v) = &self.version {
            parts.push(v.display().to_string());
        }
        parts.push(role_label(self.role).to_string());
        if let Some(s) = self.signed {
            parts.push(if s { "(signed)" } else { "(unsigned)" }.to_string());
        }
        if !self.models.is_empty() {
            parts.push(format!("for {}", self.models.join("/")));
        }
        parts.join(" ")
    }
}

/// A short label for a role.
pub fn role_label(r: Role) -> &'static str {
    match r {
        Role::Loads => "load list",
        Role::Application => "application image",
        Role::Loader => "universal loader",
        Role::Component => "component",
        Role::FactoryDefault => "factory-reset default",
        Role::DeviceDefaults => "device-defaults file",
        Role::Os79xx => "OS79XX.TXT",
        Role::Configuration => "configuration file",
        Role::TrustList => "trust list",
        Role::Bundle => "vendor bundle",
        Role::Support => "phone support file",
        Role::Other => "other file",
    }
}

fn models_for(rec: &ImageName) -> Vec<&'static str> {
    if let Some(dt) = rec.device_type {
        return models::model_by_device_type(dt)
            .map(|m| vec![m.name])
            .unwrap_or_default();
    }
    let code = rec.stem.get(4..6).unwrap_or("");
    models::models_by_term_code(code)
        .iter()
        .map(|m| m.name)
        .collect()
}

/// Endings of the files a load consists of, in every family loadsmith knows:
/// signed images and components (`.sbn`, `.sb2`, `.sgn`, `.zz.sgn`,
/// `.binN.sgn`, `.SBN`), unsigned loaders (`.bin`), load lists (`.loads`),
/// and the single images of 7902/7905/7912 (`.sbin`, `.zup`).
const FIRMWARE_ENDINGS: &[&str] = &[
    ".sbn", ".sb2", ".sgn", ".bin", ".loads", ".sbin", ".zup", ".zz",
];

/// True when a name a `.loads` lists may be part of a set: a plain base name
/// (no folder, no control characters) of a firmware file. Configuration
/// files (`XMLDefault.cnf.xml`, `SIP<MAC>.cnf`, `OS79XX.TXT`), trust lists,
/// `load<N>.txt`, scripts and anything else are not: pointer files are
/// written only by loadsmith's editors, from the target the user names.
pub fn is_firmware_file(name: &str) -> bool {
    let plain = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic())
        && !name.contains(['/', '\\', ':'])
        && !name.starts_with('.');
    let lower = name.to_ascii_lowercase();
    let role = ImageName::parse(name).role;
    plain
        && !matches!(
            role,
            Role::Configuration | Role::Os79xx | Role::DeviceDefaults
        )
        && FIRMWARE_ENDINGS
            .iter()
            .any(|e| lower.len() > e.len() && lower.ends_with(e))
}

/// The universal loader that comes with a SIP or MGCP 7.x+ image: the
/// loader "always maintains an SCCP naming convention" (seed 000), so
/// `P0S3-8-12-00` → `P003-8-12-00`.
pub fn loader_name(image: &ImageName) -> Option<String> {
    let v = image.version.as_ref()?;
    (matches!(image.protocol, Some(Protocol::Sip | Protocol::Mgcp)) && v.major >= 7)
        .then(|| format!("P003{}", image.stem.get(4..).unwrap_or("")))
}

/// Splits `P0S3-8-12-00.sb2` into (`P0S3-8-12-00`, `sb2`).
pub fn split_extension(base: &str) -> (&str, Option<&str>) {
    let lower = base.to_ascii_lowercase();
    for ext in EXTENSIONS {
        if lower.len() > ext.len() && lower.ends_with(ext) {
            let cut = base.len() - ext.len();
            return (&base[..cut], Some(&base[cut + 1..]));
        }
    }
    (base, None)
}

/// 7940/7960 names: `P003-…`, `P0S3-…`, `P0M3-…`, `P003xxyyzzww`, 8.3 forms,
/// `P003xxyySRnn`, `P0030301MFGn`.
fn parse_legacy(rec: &mut ImageName, ext: Option<&str>) -> bool {
    let up = rec.stem.to_ascii_uppercase();
    let (Some(prefix), Some(rest)) = (up.get(..4), up.get(4..)) else {
        return false;
    };
    let (proto, letter_o) = match prefix {
        "P003" => (Protocol::Sccp, false),
        "P0S3" => (Protocol::Sip, false),
        "P0M3" => (Protocol::Mgcp, false),
        "POS3" => (Protocol::Sip, true),
        "POM3" => (Protocol::Mgcp, true),
        _ => return false,
    };
    let (protocol, version) = if let Some(dashed) = rest.strip_prefix('-') {
        let g: Vec<&str> = dashed.split('-').collect();
        let [a, b, c] = g.as_slice() else {
            return false;
        };
        if [a, b, c].iter().any(|s| s.len() > 2) {
            return false;
        }
        let (Some(a), Some(b), Some(c)) =
            (version::digits(a), version::digits(b), version::digits(c))
        else {
            return false;
        };
        let p = if proto == Protocol::Sccp {
            Protocol::Loader
        } else {
            proto
        };
        (p, Version::dotted(a, b, Some(c)))
    } else {
        let Some(v) = legacy_compact(proto, rest) else {
            return false;
        };
        (proto, v)
    };
    if letter_o {
        rec.notes.push(format!(
            "spelled with the letter O: vendor files are named with the digit zero ({}0{})",
            &rec.stem[..1],
            &rec.stem[2..]
        ));
    }
    rec.role = match (ext, protocol) {
        (Some("loads"), _) => Role::Loads,
        (Some("sb2"), Protocol::Loader) => return false,
        (Some("sbn" | "bin") | None, Protocol::Loader) => Role::Loader,
        (Some("sb2" | "sbn" | "bin") | None, _) => Role::Application,
        _ => return false,
    };
    if matches!(version.release, Release::Manufacturing(_)) {
        rec.signed = Some(false);
    } else if ext.is_none() {
        rec.signed = Some(version.is_signed_era());
    }
    rec.family = Some(Family::Legacy);
    rec.protocol = Some(protocol);
    rec.version = Some(version);
    true
}

/// The undashed forms after the four-character prefix.
fn legacy_compact(proto: Protocol, rest: &str) -> Option<Version> {
    let two = |i: usize| rest.get(i..i + 2).and_then(version::digits);
    let all_digits = rest.bytes().all(|b| b.is_ascii_digit());
    match (proto, rest.len()) {
        // 8.3 names: P003xxyy, P0S3xxyy, P0M3xxyy.
        (_, 4) if all_digits => Some(Version::dotted(two(0)?, two(2)?, None)),
        (Protocol::Sccp, 8) if all_digits => Some(Version::paren(
            two(0)?,
            two(2)?,
            Some(two(4)?),
            Some(two(6)?),
            Release::Plain,
            vec![],
        )),
        (Protocol::Sccp, 8) if rest.get(4..6) == Some("SR") => {
            let base = rest.get(..4)?;
            let maint = SR_BASES.iter().find(|(b, _)| *b == base).map(|(_, m)| *m);
            Some(Version::paren(
                two(0)?,
                two(2)?,
                maint,
                None,
                Release::Special {
                    tag: "SR".into(),
                    number: two(6)?,
                },
                vec![],
            ))
        }
        (Protocol::Sccp, 8) if rest.get(4..7) == Some("MFG") => Some(Version::paren(
            two(0)?,
            two(2)?,
            None,
            None,
            Release::Manufacturing(version::digits(rest.get(7..)?)?),
            vec![],
        )),
        _ => None,
    }
}

/// 79x1-family loads: `SCCP41.9-4-2SR3-1S`, `SIP11.9-4-2SR1-1S`.
fn parse_java_load(rec: &mut ImageName, ext: Option<&str>) -> bool {
    let Some((head, tail)) = rec.stem.split_once('.') else {
        return false;
    };
    let up = head.to_ascii_uppercase();
    let (protocol, code) = if let Some(c) = up.strip_prefix("SCCP") {
        (Protocol::Sccp, c)
    } else if let Some(c) = up.strip_prefix("SIP") {
        (Protocol::Sip, c)
    } else {
        return false;
    };
    let Some(code) = version::digits(code).filter(|_| code.len() == 2) else {
        return false;
    };
    let Some(v) = Version::parse_dashed(tail) else {
        return false;
    };
    if !matches!(ext, None | Some("loads")) {
        return false;
    }
    rec.protocol = Some(protocol);
    rec.version = Some(v);
    rec.role = Role::Loads;
    if ext.is_none() {
        rec.signed = Some(true);
    }
    match Family::from_code(code as u8) {
        Some(f) => {
            rec.family = Some(f);
            true
        }
        None => {
            rec.notes
                .push(format!("family code {code:02} is not one loadsmith knows"));
            false
        }
    }
}

/// 79x1-family components: `apps41.V.sbn`, `cvm41sccp.V.sbn`, `jar11sip.V.sbn`.
fn parse_component(rec: &mut ImageName, ext: Option<&str>) -> bool {
    let Some((head, tail)) = rec.stem.split_once('.') else {
        return false;
    };
    let lower = head.to_ascii_lowercase();
    let (kind, after) = ["apps", "cnu", "dsp", "jar", "cvm"]
        .iter()
        .find_map(|k| lower.strip_prefix(k).map(|a| (*k, a)))
        .unzip();
    let (Some(kind), Some(after)) = (kind, after) else {
        return false;
    };
    let Some((code, proto)) = after.split_at_checked(after.len().min(2)) else {
        return false;
    };
    let protocol = match (kind, proto) {
        ("jar" | "cvm", "sip") => Some(Protocol::Sip),
        ("jar" | "cvm", "sccp") => Some(Protocol::Sccp),
        ("apps" | "cnu" | "dsp", "") => None,
        _ => return false,
    };
    let (Some(code), Some(v)) = (
        version::digits(code).filter(|_| code.len() == 2),
        Version::parse_dashed(tail),
    ) else {
        return false;
    };
    if !matches!(ext, Some("sbn") | None) {
        return false;
    }
    rec.protocol = protocol;
    rec.version = Some(v);
    rec.role = Role::Component;
    rec.family = Family::from_code(code as u8);
    rec.family.is_some()
}

/// `term<MM>.default.loads`, `load<N>.txt`, `OS79XX.TXT` and configuration files.
fn parse_support_file(rec: &mut ImageName, ext: Option<&str>) -> bool {
    let stem = rec.stem.clone();
    let lower = stem.to_ascii_lowercase();
    if let (Some(code), Some("loads") | None) = (
        lower
            .strip_prefix("term")
            .and_then(|r| r.strip_suffix(".default")),
        ext,
    ) {
        let models = models::models_by_term_code(code);
        let Some(first) = models.first() else {
            return false;
        };
        rec.role = Role::FactoryDefault;
        rec.family = Some(first.family);
        if ext.is_none() {
            rec.notes.push(format!(
                "a term file's load name: the file phones ask for is {stem}.loads"
            ));
        }
        if stem.starts_with("TERM") {
            rec.notes.push(
                "upper-case TERM…DEFAULT spelling: a leftover of an old CUCM install; phones ask for term<MM>.default.loads"
                    .into(),
            );
        }
        return true;
    }
    if let (Some(n), Some("txt")) = (lower.strip_prefix("load"), ext) {
        let Some(dt) = n.parse::<u32>().ok().filter(|_| n.len() <= 6) else {
            return false;
        };
        rec.role = Role::DeviceDefaults;
        rec.device_type = Some(dt);
        rec.family = models::model_by_device_type(dt).map(|m| m.family);
        return rec.family.is_some();
    }
    if lower == "os79xx" && ext == Some("txt") {
        rec.role = Role::Os79xx;
        rec.family = Some(Family::Legacy);
        rec.signed = None;
        if rec.stem != "OS79XX" || rec.extension.as_deref() != Some("TXT") {
            rec.notes
                .push("phones ask for OS79XX.TXT, upper case, exactly".into());
        }
        return true;
    }
    let (proto, mac_part) = match ext {
        // Read by SCCP phones and by 79x1-family SIP phones alike: no one protocol.
        Some("cnf.xml") if lower == "xmldefault" => (None, None),
        Some("cnf.xml") if lower.starts_with("sep") => (None, stem.get(3..)),
        Some("cnf") if lower == "sipdefault" => (Some(Protocol::Sip), None),
        Some("cnf") if lower == "mgcdefault" => (Some(Protocol::Mgcp), None),
        Some("cnf") if lower.starts_with("sip") => (Some(Protocol::Sip), stem.get(3..)),
        Some("cnf") if lower.starts_with("mgc") => (Some(Protocol::Mgcp), stem.get(3..)),
        Some("tlv") if lower.starts_with("ctlsep") || lower.starts_with("itlsep") => {
            (None, stem.get(6..))
        }
        Some("tlv") if lower == "ctlfile" || lower == "itlfile" => (None, None),
        _ => return false,
    };
    if let Some(mac) = mac_part {
        if mac.len() != 12 || !mac.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        if mac.bytes().any(|b| b.is_ascii_lowercase()) {
            rec.notes
                .push("phones ask for the MAC in upper-case hex".into());
        }
        rec.mac = Some(mac.to_ascii_uppercase());
    }
    rec.protocol = proto;
    if ext == Some("cnf.xml") && mac_part.is_some() {
        rec.notes.push(
            "read by SCCP phones and by 79x1/79x2/79x5-family phones on SIP alike (7940/7960 on SIP read SIP<MAC>.cnf and SIPDefault.cnf instead)".into(),
        );
    }
    rec.role = if ext == Some("tlv") {
        trust_list_notes(rec, &lower);
        Role::TrustList
    } else {
        Role::Configuration
    };
    true
}

/// What a trust-list name means (`formats.md` §6): which list, whose copy,
/// the name it carries inside, and the spelling phones ask for.
fn trust_list_notes(rec: &mut ImageName, lower: &str) {
    let (kind, inner) = if lower.starts_with("ctl") {
        ("certificate trust list (CTL)", "CTLFile.tlv")
    } else {
        ("identity trust list (ITL)", "ITLFile.tlv")
    };
    let exact = match &rec.mac {
        Some(mac) => format!("{}SEP{mac}.tlv", &inner[..3]),
        None => inner.to_string(),
    };
    if rec.mac.is_some() {
        rec.notes.push(format!(
            "{kind}, this phone's own copy: it carries the name {inner} inside (expected, not a renamed file)"
        ));
    } else {
        rec.notes.push(format!("{kind} for every phone"));
    }
    rec.notes.push(
        "a phone that holds a trust list accepts a new one only if a SAST certificate it already holds signed it; empty or absent, the phone goes on in nonsecure mode"
            .into(),
    );
    if format!("{}.{}", rec.stem, rec.extension.as_deref().unwrap_or("")) != exact
        && !rec.notes.iter().any(|n| n.contains("upper-case hex"))
    {
        rec.notes
            .push(format!("phones ask for {exact}, spelled exactly so"));
    }
}

#[cfg(test)]
mod tests;
