//! The pointer edits a target implies, as the seeds prescribe for its family
//! and protocol, computed against the root's current files.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::names::{Family, ImageName, MODELS, Protocol};
use crate::phone::files;
use crate::pointers::{
    IMAGE_VERSION, LoadEntry, Setting, XmlError, cnf_set, os79xx_content, xml_set,
};
use crate::served::view::RootView;

/// What happens to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A new file.
    Create,
    /// An existing file gets other bytes.
    Replace,
    /// An existing file is edited in place (pointer files).
    Edit,
    /// Already as wanted.
    Unchanged,
    /// Removed (`--prune`).
    Remove,
}

/// One pointer-file edit.
#[derive(Debug, Clone, Serialize)]
pub struct Edit {
    /// The file, as phones ask for it.
    pub file: String,
    /// Where the server finds it, relative to the root, when the remap
    /// rules send the name elsewhere (`sipdefault.cnf`, `settings/sip.cnf`):
    /// the file read and written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Create, edit or unchanged.
    pub action: Action,
    /// The settings changed (`image_version`, `loadInformation7`).
    pub settings: Vec<Setting>,
    /// The value written.
    pub value: String,
    /// Changed lines, `-old` and `+new`.
    pub diff: Vec<String>,
    /// The new content.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Inputs for the edits.
pub struct Pointing<'a> {
    /// The target load, vendor spelling (`P0S3-8-12-00`).
    pub load: &'a ImageName,
    /// The OS79XX.TXT image (7940/7960).
    pub os79xx: Option<String>,
    /// The universal loader (vendor spelling) to name in XMLDefault for a single-step SCCP move.
    pub sccp_loader: Option<String>,
}

fn edit(
    view: &RootView,
    file: &str,
    settings: Vec<Setting>,
    value: &str,
    make: impl FnOnce(&[u8]) -> std::result::Result<Vec<u8>, XmlError>,
) -> Result<Edit> {
    let old = view.read_small(file)?;
    let bytes = make(old.as_deref().unwrap_or(b"")).map_err(|e| Error::Refused {
        details: Vec::new(),
        message: format!("{file} in the root cannot be edited: {e}; nothing was written"),
        hint: Some(format!("fix {file} or move it away, then stage again")),
    })?;
    let action = match &old {
        None => Action::Create,
        Some(o) if *o == bytes => Action::Unchanged,
        Some(_) => Action::Edit,
    };
    Ok(Edit {
        file: file.into(),
        path: view.rel_of(file).filter(|p| p != file),
        action,
        settings,
        value: value.into(),
        diff: diff(old.as_deref().unwrap_or(b""), &bytes),
        bytes,
    })
}

/// Lines that differ: common head and tail are skipped, the middle shown as `-`/`+`.
pub fn diff(old: &[u8], new: &[u8]) -> Vec<String> {
    let (o, n) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let a: Vec<&str> = o.lines().collect();
    let b: Vec<&str> = n.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out: Vec<String> = a[head..a.len() - tail]
        .iter()
        .map(|l| format!("-{l}"))
        .collect();
    out.extend(b[head..b.len() - tail].iter().map(|l| format!("+{l}")));
    out
}

/// Every pointer file [`plan`] may read or edit.
pub const CANDIDATES: [&str; 4] = [
    files::OS79XX,
    files::SIP_DEFAULT,
    files::MGCP_DEFAULT,
    files::XML_DEFAULT,
];

/// The edits for a target.
pub fn plan(view: &RootView, p: &Pointing<'_>) -> Result<Vec<Edit>> {
    let load = &p.load.stem;
    let mut out = Vec::new();
    match p.load.family {
        Some(Family::Legacy) => {
            // SIP and MGCP: `image_version` in the protocol's default file.
            if let Some(file) = p.load.protocol.and_then(files::default_of) {
                out.push(edit(view, file, vec![Setting::ImageVersion], load, |b| {
                    Ok(cnf_set(b, IMAGE_VERSION, load))
                })?);
            }
            // An existing XMLDefault.cnf.xml comes first in the loader's hunt:
            // its 7940/7960 entries are pointed at the target too (the field
            // guide's way to move phones to SIP), or a new one made for a
            // single-step SCCP move names the loader (Procedure C note).
            let xml_exists = view.read_small(files::XML_DEFAULT)?.is_some();
            let xml_value = match (p.load.protocol, &p.sccp_loader) {
                (Some(Protocol::Sccp), _) => Some(load.clone()),
                (_, Some(loader)) => Some(loader.clone()),
                _ if xml_exists => Some(load.clone()),
                _ => None,
            };
            if let Some(v) = xml_value {
                out.push(xml_edit(view, Family::Legacy, &v)?);
            }
            if let Some(os) = &p.os79xx {
                out.push(edit(view, files::OS79XX, vec![Setting::Image], os, |_| {
                    Ok(os79xx_content(os))
                })?);
            }
        }
        Some(f @ (Family::Java(_) | Family::Named(_))) => out.push(xml_edit(view, f, load)?),
        None => {}
    }
    Ok(out)
}

/// `XMLDefault.cnf.xml` with every model of `family` pointed at `value`.
fn xml_edit(view: &RootView, family: Family, value: &str) -> Result<Edit> {
    let entries: Vec<LoadEntry> = MODELS
        .iter()
        .filter(|m| m.family == family)
        .map(|m| LoadEntry {
            device_type: m.device_type,
            model: m.xml_model(),
            value: value.to_string(),
        })
        .collect();
    let settings = entries
        .iter()
        .map(|e| Setting::LoadInformation(Some(e.device_type)))
        .collect();
    edit(view, files::XML_DEFAULT, settings, value, |b| {
        xml_set(b, &entries)
    })
}
