//! One source of a comparison: a folder (served as its server serves it),
//! a live TFTP server, or a manifest copied from another server. Live
//! sources answer each name once (later requests come from the cache) and
//! give each file's SHA-256 over all its bytes.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::boot::source::DirSource;
use crate::boot::tftp::TftpSource;
use crate::error::{Error, Result};
use crate::phone::source::{Fetch, FileSource};
use crate::root::manifest::{MAX_MANIFEST, Manifest};
use crate::served::rules::Rules;

/// What a user names as a source.
#[derive(Debug, Clone)]
pub enum Input {
    /// A TFTP root on disk, with its server's remap rules when it has some.
    Folder {
        /// The root.
        dir: PathBuf,
        /// The rules (`--map-file N=FILE`).
        rules: Option<Rules>,
    },
    /// A live server, `tftp://HOST[:PORT]`.
    Tftp(String),
    /// A `.loadsmith/manifest.json` copied from another server.
    Manifest(PathBuf),
}

impl Input {
    /// Reads a source as typed: `tftp://…`, a file (a manifest), or a folder.
    pub fn parse(text: &str) -> Input {
        if text.starts_with("tftp://") {
            return Input::Tftp(text.to_string());
        }
        let p = PathBuf::from(text);
        match p.is_file() {
            true => Input::Manifest(p),
            false => Input::Folder {
                dir: p,
                rules: None,
            },
        }
    }
}

/// What one source holds under one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum Held {
    /// Served (or recorded, for a manifest): its SHA-256 and size (unknown
    /// for a manifest).
    Served {
        /// SHA-256, hex.
        sha256: String,
        /// Bytes, when known.
        size: Option<u64>,
    },
    /// The server says "file not found".
    Missing,
    /// Any other answer (access violation, time-out).
    Error {
        /// Why.
        message: String,
    },
}

/// How a source is reached.
pub(super) enum Reach {
    Dir(DirSource),
    Tftp(TftpSource),
    /// Recorded files only: no bytes, no pointer settings.
    Manifest(Manifest),
}

/// One opened source.
pub(super) struct Side {
    pub(super) label: String,
    pub(super) reach: Reach,
    /// Every answer so far, by name.
    cache: BTreeMap<String, Fetch>,
}

impl Side {
    /// Opens a source: a folder must be one, a manifest must read as one,
    /// a TFTP address must resolve (2 otherwise).
    pub(super) fn open(input: &Input, deadline: std::time::Duration) -> Result<Side> {
        let (label, reach) = match input {
            Input::Folder { dir, rules } => {
                if let Err(e) = std::fs::read_dir(dir) {
                    return Err(Error::io(crate::error::Action::OpenRoot, dir, e));
                }
                (
                    dir.display().to_string(),
                    Reach::Dir(DirSource::mapped(dir.clone(), rules.clone())),
                )
            }
            Input::Tftp(url) => {
                let mut t = TftpSource::parse(url)?;
                t.deadline = deadline;
                (url.clone(), Reach::Tftp(t))
            }
            Input::Manifest(p) => (p.display().to_string(), Reach::Manifest(manifest(p)?)),
        };
        Ok(Side {
            label,
            reach,
            cache: BTreeMap::new(),
        })
    }

    /// `folder`, `tftp` or `manifest`.
    pub(super) fn kind(&self) -> &'static str {
        match self.reach {
            Reach::Dir(_) => "folder",
            Reach::Tftp(_) => "tftp",
            Reach::Manifest(_) => "manifest",
        }
    }

    /// True for a source phones can fetch from (not a manifest).
    pub(super) fn live(&self) -> bool {
        !matches!(self.reach, Reach::Manifest(_))
    }

    /// What the source holds under `name`; `None` when it cannot say (a
    /// manifest records only what a stage wrote).
    pub(super) fn held(&mut self, name: &str) -> Option<Held> {
        if let Reach::Manifest(m) = &self.reach {
            return m.files.get(name).map(|e| Held::Served {
                sha256: e.sha256.clone(),
                size: None,
            });
        }
        Some(match self.fetch(name) {
            Fetch::NotFound => Held::Missing,
            Fetch::Error(message) => Held::Error { message },
            Fetch::Found { size, .. } => match self.sha256(name) {
                Ok(sha256) => Held::Served {
                    sha256,
                    size: Some(size),
                },
                Err(message) => Held::Error { message },
            },
        })
    }

    /// The whole file's SHA-256, for a name fetched and found.
    fn sha256(&self, name: &str) -> std::result::Result<String, String> {
        match &self.reach {
            Reach::Tftp(t) => t
                .sha256(name)
                .ok_or_else(|| format!("{name} did not come whole")),
            Reach::Dir(d) => dir_sha256(&d.served.root, d.served.resolve(name).path()),
            Reach::Manifest(_) => Err("a manifest holds no bytes".into()),
        }
    }

    /// Why the source could not be asked anything, if so.
    pub(super) fn unreachable(&self) -> Option<String> {
        match &self.reach {
            Reach::Tftp(t) => t.unreachable(),
            _ => None,
        }
    }

    /// The names fetched so far.
    pub(super) fn fetched(&self) -> impl Iterator<Item = &String> {
        self.cache.keys()
    }

    /// The manifest's recorded names and the loads they were written for.
    pub(super) fn recorded(&self) -> Vec<(&str, &str)> {
        match &self.reach {
            Reach::Manifest(m) => m
                .files
                .iter()
                .map(|(n, e)| (n.as_str(), e.load.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl FileSource for Side {
    fn fetch(&mut self, name: &str) -> Fetch {
        if let Some(f) = self.cache.get(name) {
            return f.clone();
        }
        let f = match &mut self.reach {
            Reach::Dir(d) => d.fetch(name),
            Reach::Tftp(t) => t.fetch(name),
            Reach::Manifest(_) => Fetch::Error("a manifest serves nothing".into()),
        };
        self.cache.insert(name.to_string(), f.clone());
        f
    }

    fn describe(&self) -> String {
        self.label.clone()
    }

    fn unreachable(&self) -> Option<String> {
        Side::unreachable(self)
    }

    fn remapped(&self, name: &str) -> Option<String> {
        match &self.reach {
            Reach::Dir(d) => d.remapped(name),
            _ => None,
        }
    }
}

/// A manifest file as copied from another server, read up to [`MAX_MANIFEST`].
fn manifest(p: &Path) -> Result<Manifest> {
    let bytes = crate::files::read_input_capped(p, MAX_MANIFEST)
        .map_err(|e| Error::io(crate::error::Action::ReadManifest, p, e.into_io()))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Usage {
        message: format!("{} is not a loadsmith manifest ({e})", p.display()),
    })
}

/// The SHA-256 of the file a folder serves at `path`, read in blocks
/// (memory does not grow with the file), opened as the server opens it.
fn dir_sha256(root: &Path, path: Option<&str>) -> std::result::Result<String, String> {
    let path = path.ok_or("refused by the remap rules")?;
    let mut f = crate::files::open_served(root, path).map_err(|e| e.to_string())?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(crate::inspect::member::hex(&h.finalize()))
}
