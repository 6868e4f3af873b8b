//! The root as a phone sees it: the names it serves ([`RootView`]), the
//! pointers its configuration files hold ([`Pointer`], [`pointers_in`]), and
//! its small configuration files read whole ([`RootView::read_small`]).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Action;
use crate::error::{Error, Result};
use crate::files::{self, OpenError};
use crate::names::{ImageName, Role};
use crate::phone::files::OS79XX;
use crate::pointers::{IMAGE_VERSION, Setting, cnf_get, os79xx_value, xml_get};
use crate::root::manifest::STATE_DIR;

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
    pub rules: Option<super::rules::Rules>,
}

/// Pointers found, and the files that could not be read with why.
type Found = (Vec<Pointer>, Vec<(String, Error)>);

/// One pointer: a file (and setting) naming a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// The file holding it.
    pub file: String,
    /// The setting (`image_version`, `loadInformation7`, the image line).
    pub setting: Setting,
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
            r => r.map_err(|e| Error::io(Action::OpenRoot, dir, e))?,
        };
        for e in entries {
            let e = e.map_err(|e| Error::io(Action::Read, dir, e))?;
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
    pub fn served(s: &super::Served) -> Result<RootView> {
        if s.rules.is_none() {
            return RootView::read(&s.root);
        }
        let survey = s
            .survey()
            .map_err(|e| Error::io(Action::OpenRoot, &s.root, e))?;
        Ok(RootView::surveyed(s, survey.served))
    }

    /// The root as a survey of `s` found it served: `paths` maps each name
    /// to the path it opens.
    pub fn surveyed(
        s: &super::Served,
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
            Some(r) => super::resolve(Some(r), name).into_path(),
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
                .map(|c| (c, s.spawn(|| self.pointers_of(c, cached))))
                .collect();
            // A thread that panicked read nothing sure: each of its files is
            // unreadable, never a file without pointers.
            handles
                .into_iter()
                .map(|(c, h)| {
                    h.join().unwrap_or_else(|_| {
                        let failed = c.iter().map(|n| (n.to_string(), Error::WorkerFailed));
                        (Vec::new(), failed.collect())
                    })
                })
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
    let one = |setting: Setting, value: String, label: Option<String>| Pointer {
        file: n.to_string(),
        setting,
        value,
        per_phone,
        label,
    };
    match (img.role, ext.as_deref()) {
        (Role::Os79xx, _) if n == OS79XX => os79xx_value(bytes)
            .map(|v| one(Setting::Image, v, None))
            .into_iter()
            .collect(),
        (Role::Configuration, Some("cnf")) => cnf_get(bytes, IMAGE_VERSION)
            .map(|v| one(Setting::ImageVersion, v, None))
            .into_iter()
            .collect(),
        (Role::Configuration, Some("cnf.xml")) => xml_get(bytes)
            .unwrap_or_default()
            .into_iter()
            .filter(|li| !li.value.is_empty())
            .map(|li| one(Setting::LoadInformation(li.device_type), li.value, li.model))
            .collect(),
        _ => Vec::new(),
    }
}
