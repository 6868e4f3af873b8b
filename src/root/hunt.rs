//! What a TFTP root looks like to a phone: its top-level files, the pointers
//! they hold, and what keeps phones off a load (the hunt order, per-phone
//! files, case variants, leftovers).

use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::{STATE_DIR, TMP_PREFIX};
use crate::error::{Error, Result};
use crate::files::{self, OpenError};
use crate::findings::{Code, Finding};
use crate::names::{Family, ImageName, Role};
use crate::pointers::OS79XX;
use crate::pointers::{cnf_get, os79xx_value, xml_get};

/// Largest configuration file read, whole: real ones are a few kilobytes,
/// with long comment blocks a few megabytes. A larger one is refused, never
/// read (or edited) in part.
pub const MAX_CONFIG: u64 = 16 * 1024 * 1024;

/// The top level of a root.
#[derive(Debug, Clone)]
pub struct RootView {
    /// The root folder.
    pub dir: PathBuf,
    /// Regular files at the top level, sorted; hidden names excluded. With
    /// remap rules: the names the server serves.
    pub names: Vec<String>,
    /// With remap rules: the path (relative to the root) each name opens.
    pub paths: std::collections::BTreeMap<String, String>,
    /// The server's remap rules: a name the root does not serve yet is
    /// looked for (and written) where they send it.
    pub rules: Option<crate::remap::Rules>,
}

/// Pointers found, and the files that could not be read with why.
type Found = (Vec<Pointer>, Vec<(String, Error)>);

/// One pointer: a file (and setting) naming a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// The file holding it.
    pub file: String,
    /// The setting (`image_version`, `loadInformation7`, the image line).
    pub setting: String,
    /// The load named.
    pub value: String,
    /// True for per-phone files (`SEP<MAC>.cnf.xml`, `SIP<MAC>.cnf`, `MGC<MAC>.cnf`).
    pub per_phone: bool,
    /// The `model="…"` label of an XML entry, if any.
    pub label: Option<String>,
}

impl RootView {
    /// Lists a root; a root that does not exist yet (a stage will make it)
    /// is empty.
    pub fn read(dir: &Path) -> Result<RootView> {
        let mut names = Vec::new();
        let entries = match fs::read_dir(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(RootView {
                    dir: dir.to_path_buf(),
                    names,
                    paths: Default::default(),
                    rules: None,
                });
            }
            r => r.map_err(|e| Error::io("open the root", dir, e))?,
        };
        for e in entries {
            let e = e.map_err(|e| Error::io("read", dir, e))?;
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with('.') || n == STATE_DIR {
                continue;
            }
            if e.file_type().is_ok_and(|t| t.is_file()) {
                names.push(n);
            }
        }
        names.sort();
        Ok(RootView {
            dir: dir.to_path_buf(),
            names,
            paths: Default::default(),
            rules: None,
        })
    }

    /// The root as its server serves it: with remap rules, the names the
    /// rules send to a file, wherever it lies.
    pub fn served(s: &super::served::Served) -> Result<RootView> {
        if s.rules.is_none() {
            return RootView::read(&s.root);
        }
        let survey = s
            .survey()
            .map_err(|e| Error::io("open the root", &s.root, e))?;
        Ok(RootView::surveyed(s, survey.served))
    }

    /// The root as a survey of `s` found it served: `paths` maps each name
    /// to the path it opens.
    pub fn surveyed(
        s: &super::served::Served,
        paths: std::collections::BTreeMap<String, String>,
    ) -> RootView {
        RootView {
            dir: s.root.clone(),
            names: paths.keys().cloned().collect(),
            paths,
            rules: s.rules.clone(),
        }
    }

    /// Where a request for `name` leads, relative to the root: the path it
    /// opens, or (for a name the root does not serve yet) where the rules
    /// send it; `None` when the rules refuse it.
    pub fn rel_of(&self, name: &str) -> Option<String> {
        if let Some(p) = self.paths.get(name) {
            return Some(p.clone());
        }
        match &self.rules {
            Some(r) => super::served::resolve(Some(r), name).path,
            None => Some(name.to_string()),
        }
    }

    /// The file a name opens (or would open once written).
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir
            .join(self.rel_of(name).unwrap_or_else(|| name.to_string()))
    }

    /// True when the root holds `name` exactly.
    pub fn has(&self, name: &str) -> bool {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    /// Reads a configuration file of the root whole, `None` when absent. A
    /// file that is not a regular file, or is over [`MAX_CONFIG`], is an
    /// error: never a part of it.
    pub fn read_small(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(rel) = self.rel_of(name) else {
            return Ok(None);
        };
        let p = self.dir.join(&rel);
        let opened = match self.rules.is_some() {
            // Served through remap rules: as the server opens it, a link
            // followed only inside the root.
            true => files::open_inside(&self.dir, &rel),
            // At the top of the root: no link followed.
            false => files::open_beneath(&self.dir, &rel),
        };
        match opened.and_then(|f| files::read_capped_from(f, MAX_CONFIG)) {
            Ok(v) => Ok(Some(v)),
            Err(OpenError::NotFound) => Ok(None),
            Err(e) => Err(Error::open(p, e)),
        }
    }

    /// Every pointer the root's configuration files hold; the first file
    /// that cannot be read is an error (what `stage` needs: it must not edit
    /// a root it cannot read).
    pub fn pointers(&self) -> Result<Vec<Pointer>> {
        let (out, mut unreadable) = self.pointers_lenient();
        match unreadable.is_empty() {
            true => Ok(out),
            false => Err(unreadable.swap_remove(0).1),
        }
    }

    /// Every pointer the readable configuration files hold, and the files
    /// that could not be read with why (what `check` reports as findings).
    pub fn pointers_lenient(&self) -> (Vec<Pointer>, Vec<(String, Error)>) {
        self.pointers_cached(&|_| None)
    }

    /// As [`RootView::pointers_lenient`], taking a file's whole bytes from
    /// `cached` when it has them (`check` has read every small
    /// configuration file once already).
    pub fn pointers_cached<'a>(
        &self,
        cached: &(dyn Fn(&str) -> Option<&'a [u8]> + Sync),
    ) -> (Vec<Pointer>, Vec<(String, Error)>) {
        let files: Vec<&String> = self.names.iter().filter(|n| is_pointer_file(n)).collect();
        // Parsed on two threads: a cluster's root has tens of thousands.
        let half = files.len().div_ceil(2).max(1);
        let parts: Vec<Found> = std::thread::scope(|s| {
            let handles: Vec<_> = files
                .chunks(half)
                .map(|c| s.spawn(|| self.pointers_of(c, cached)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut out = Vec::new();
        let mut unreadable = Vec::new();
        for (p, u) in parts {
            out.extend(p);
            unreadable.extend(u);
        }
        (out, unreadable)
    }

    fn pointers_of<'a>(
        &self,
        files: &[&String],
        cached: &(dyn Fn(&str) -> Option<&'a [u8]> + Sync),
    ) -> Found {
        let mut out = Vec::new();
        let mut unreadable = Vec::new();
        for n in files {
            if let Some(bytes) = cached(n) {
                out.extend(pointers_in(n, bytes));
                continue;
            }
            match self.read_small(n) {
                Ok(Some(bytes)) => out.extend(pointers_in(n, &bytes)),
                Ok(None) => {}
                Err(e) => unreadable.push(((*n).clone(), e)),
            }
        }
        (out, unreadable)
    }
}

/// True for the names of files that may hold pointers.
pub(super) fn is_pointer_file(n: &str) -> bool {
    let img = ImageName::parse(n);
    let ext = img.extension.as_deref().map(str::to_ascii_lowercase);
    match (img.role, ext.as_deref()) {
        (Role::Os79xx, _) => n == OS79XX,
        (Role::Configuration, Some("cnf" | "cnf.xml")) => true,
        _ => false,
    }
}

/// The pointers a configuration file named `n` holds in `bytes`.
pub fn pointers_in(n: &str, bytes: &[u8]) -> Vec<Pointer> {
    let img = ImageName::parse(n);
    let per_phone = img.mac.is_some();
    let ext = img.extension.as_deref().map(str::to_ascii_lowercase);
    let one = |setting: &str, value: String, label: Option<String>| Pointer {
        file: n.to_string(),
        setting: setting.into(),
        value,
        per_phone,
        label,
    };
    match (img.role, ext.as_deref()) {
        (Role::Os79xx, _) if n == OS79XX => os79xx_value(bytes)
            .map(|v| one("image", v, None))
            .into_iter()
            .collect(),
        (Role::Configuration, Some("cnf")) => cnf_get(bytes, "image_version")
            .map(|v| one("image_version", v, None))
            .into_iter()
            .collect(),
        (Role::Configuration, Some("cnf.xml")) => xml_get(bytes)
            .unwrap_or_default()
            .into_iter()
            .filter(|li| !li.value.is_empty())
            .map(|li| {
                let setting = match li.device_type {
                    Some(dt) => format!("loadInformation{dt}"),
                    None => "loadInformation".into(),
                };
                one(&setting, li.value, li.model)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn differs(value: &str, target: &ImageName, loader: Option<&str>) -> bool {
    let v = ImageName::parse(value);
    !(v.same_image(target) || value == target.stem || Some(value) == loader)
}

/// Warnings about what keeps phones off `target` (a staged load) in this root.
pub fn warnings(
    view: &RootView,
    target: &ImageName,
    loader: Option<&str>,
    staged: &[String],
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let pointers = view.pointers()?;
    let legacy = target.family == Some(Family::Legacy);
    for p in &pointers {
        let v = ImageName::parse(&p.value);
        let same_family =
            !v.known || v.family == target.family || (legacy && v.family == Some(Family::Legacy));
        if p.per_phone && same_family && differs(&p.value, target, loader) {
            out.push(Finding::new(
                Code::HuntShadow,
                Some(&p.file),
                format!("{} pins {}: that phone reads it before the defaults and stays off {}; change or remove it", p.file, p.value, target.stem),
            ));
        }
    }
    // What the shared files' hunt order does to each model (XMLDefault.cnf.xml
    // before SIPDefault.cnf, SIPDefault.cnf before MGCDefault.cnf) is the
    // phone model's to say: `stage` proves it, `check` shows it.
    for s in staged {
        for n in &view.names {
            if n != s && n.eq_ignore_ascii_case(s) {
                out.push(Finding::new(
                    Code::CaseCollision,
                    Some(n),
                    format!("{n} differs from the staged {s} only in case: a case-insensitive TFTP server may serve the wrong one; remove {n}"),
                ));
            }
        }
    }
    out.extend(term_leftovers(view));
    Ok(out)
}

/// Configuration files spelled in another case than phones ask for
/// (`sipdefault.cnf`): never fetched from a case-sensitive server. Upper-case
/// `TERM…` leftovers are reported by [`term_leftovers`].
pub fn case_spellings(view: &RootView) -> Vec<Finding> {
    view.names
        .iter()
        .filter(|n| !n.starts_with("TERM"))
        .filter_map(|n| {
            let exact = crate::phone::files::requested_spelling(n)?;
            let also = if view.names.contains(&exact) {
                format!("; the root also has {exact}, which is the one phones get")
            } else {
                format!("; rename it to {exact}")
            };
            Some(Finding::new(
                Code::CaseSpelling,
                Some(n),
                format!("{n} is never requested: phones ask for {exact} exactly, and tftpd-hpa matches case{also}"),
            ))
        })
        .collect()
}

/// Upper-case `TERM<MM>.DEFAULT.loads` left by old CUCM installs.
pub fn term_leftovers(view: &RootView) -> Vec<Finding> {
    view.names
        .iter()
        .filter(|n| n.starts_with("TERM") && ImageName::parse(n).role == Role::FactoryDefault)
        .map(|n| {
            Finding::new(
                Code::CaseCollision,
                Some(n),
                format!("{n} is an upper-case leftover of an old CUCM install; phones ask for {}; the vendor installer deletes it", n.to_ascii_lowercase()),
            )
        })
        .collect()
}

/// Leftover temporary files, as findings.
pub fn leftover_findings(root: &Path, below: &[String]) -> Result<Vec<Finding>> {
    let mut all = super::manifest::leftovers(root)?;
    // `.loadsmith/` itself (a manifest save cut short), when it is a
    // folder: opened from the root's descriptor, never through a link.
    let state = super::beneath::Folder::open(root)
        .ok()
        .and_then(|r| r.walk(super::manifest::STATE_DIR, false).ok());
    if let Some(state) = state {
        let mut names = state
            .names()
            .map_err(|e| Error::io("read", &state.path, e))?;
        names.retain(|n| is_tmp(n));
        names.sort();
        all.extend(
            names
                .into_iter()
                .map(|n| format!("{}/{n}", super::manifest::STATE_DIR)),
        );
    }
    all.extend(below.iter().cloned());
    Ok(all
        .into_iter()
        .map(|n| {
            Finding::new(
                Code::LeftoverTemp,
                Some(&n),
                format!("{n} is left from an interrupted stage; phones never ask for it; the next stage removes it"),
            )
        })
        .collect())
}

/// True for names of loadsmith's temporary files.
pub fn is_tmp(name: &str) -> bool {
    name.starts_with(TMP_PREFIX)
}
