//! `.loadsmith/` in a TFTP root: the manifest of what `stage` wrote, the lock
//! that keeps two stages from interleaving, and durable writes.
//!
//! Every write goes to a hidden temporary name in the same folder
//! ([`TMP_PREFIX`]), is flushed to disk, then renamed over the real name, and
//! the folder is synced: a reader sees the old file or the new, never a part.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fault;
use crate::error::{Error, Result};

/// The folder loadsmith keeps its state in, inside the root.
pub const STATE_DIR: &str = ".loadsmith";
/// Temporary files start with this; phones never ask for such a name.
pub const TMP_PREFIX: &str = ".loadsmith-tmp.";

/// One file the manifest records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// SHA-256 as written.
    pub sha256: String,
    /// `image` (firmware, checked for drift) or `pointer` (configuration, edited by people too).
    pub kind: String,
    /// The load it was written for.
    pub load: String,
    /// The digest a stage was writing when it last saved the manifest: set
    /// before files are renamed into place, cleared when the stage finishes.
    /// A file with this digest (or absent, for a new file) is the work of an
    /// interrupted stage, not drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

impl Entry {
    /// True when `digest` is what a stage wrote or was writing.
    pub fn ours(&self, digest: &str) -> bool {
        self.sha256 == digest || self.pending.as_deref() == Some(digest)
    }
}

/// Where a stage's files came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Origin {
    /// The bundle's path as given.
    pub path: String,
    /// Its SHA-256 (null for a folder).
    pub sha256: Option<String>,
}

/// `.loadsmith/manifest.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Format version (1).
    pub version: u32,
    /// The load the last stage pointed the root at.
    pub target: Option<String>,
    /// The bundle it came from.
    pub source: Option<Origin>,
    /// Every file any stage wrote, by name.
    pub files: BTreeMap<String, Entry>,
}

impl Manifest {
    /// Reads the manifest; a root without one has an empty manifest.
    pub fn load(root: &Path) -> Result<Manifest> {
        let p = root.join(STATE_DIR).join("manifest.json");
        match fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Usage {
                message: format!(
                    "{} is not a loadsmith manifest ({e}); move it away to start a fresh one",
                    p.display()
                ),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Manifest {
                version: 1,
                ..Manifest::default()
            }),
            Err(e) => Err(Error::io("read", p, e)),
        }
    }

    /// Writes the manifest durably.
    pub fn save(&self, root: &Path) -> Result<()> {
        let dir = root.join(STATE_DIR);
        let mut bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::io("write", &dir, io::Error::other(e)))?;
        bytes.push(b'\n');
        write_atomic(&dir, "manifest.json", &bytes)
    }
}

/// The temporary name for `name` in `dir`.
pub fn tmp_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{TMP_PREFIX}{name}.{}", std::process::id()))
}

/// Creates a new temporary file for `name` (mode 0644, never an existing file).
pub fn create_tmp(dir: &Path, name: &str) -> Result<(PathBuf, File)> {
    let p = tmp_path(dir, name);
    fault::point().map_err(|e| Error::io("create", &p, e))?;
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o644);
    }
    let f = o.open(&p).map_err(|e| Error::io("create", &p, e))?;
    Ok((p, f))
}

/// Flushes a finished temporary file and sets its mode to 0644.
pub fn finish_tmp(path: &Path, f: File) -> Result<()> {
    fault::point()
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("flush", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io("set mode of", path, e))?;
    }
    Ok(())
}

/// Renames a finished temporary file over `dir/name`.
pub fn commit_tmp(tmp: &Path, dir: &Path, name: &str) -> Result<()> {
    let dest = dir.join(name);
    fault::point()
        .and_then(|_| fs::rename(tmp, &dest))
        .map_err(|e| Error::io("rename into place", dest, e))
}

/// Syncs a folder, so renames in it survive a power cut.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fault::point()
        .and_then(|_| File::open(dir))
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("sync", dir, e))
}

/// Writes `dir/name` atomically: temporary file, flush, rename, sync the folder.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let (tmp, mut f) = create_tmp(dir, name)?;
    let r = fault::point()
        .and_then(|_| f.write_all(bytes))
        .map_err(|e| Error::io("write", &tmp, e))
        .and_then(|_| finish_tmp(&tmp, f));
    if let Err(e) = r {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if let Err(e) = commit_tmp(&tmp, dir, name) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir)
}

/// Removes leftover temporary files of interrupted stages; returns their names.
pub fn clean_leftovers(dir: &Path) -> Result<Vec<String>> {
    let mut gone = Vec::new();
    for e in leftovers(dir)? {
        fault::point()
            .and_then(|_| fs::remove_file(dir.join(&e)))
            .map_err(|err| Error::io("remove", dir.join(&e), err))?;
        gone.push(e);
    }
    Ok(gone)
}

/// Names of leftover temporary files in `dir`.
pub fn leftovers(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io("read", dir, e)),
    };
    for e in rd.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(TMP_PREFIX) {
            out.push(n);
        }
    }
    out.sort();
    Ok(out)
}

/// The root's lock, held while a stage runs; released when dropped (or when
/// the process dies: the kernel drops the lock with the file).
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock or refuses at once, saying why.
    pub fn take(root: &Path) -> Result<Lock> {
        let dir = root.join(STATE_DIR);
        if fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
            return Err(Error::Refused {
                message: format!(
                    "{} is not a folder (a link or a file); loadsmith keeps its manifest and lock there and never follows a link out of the root",
                    dir.display()
                ),
                hint: Some(format!("remove {} and stage again", dir.display())),
            });
        }
        fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        let p = dir.join("lock");
        for q in [&dir.join("manifest.json"), &p] {
            if fs::symlink_metadata(q).is_ok_and(|m| !m.is_file()) {
                return Err(Error::Refused {
                    message: format!(
                        "{} is not a plain file (a link?); loadsmith never follows a link out of the root",
                        q.display()
                    ),
                    hint: Some(format!("remove {} and stage again", q.display())),
                });
            }
        }
        let mut o = OpenOptions::new();
        o.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o644);
        }
        let f = o.open(&p).map_err(|e| Error::io("open", &p, e))?;
        match f.try_lock() {
            Ok(()) => Ok(Lock { _file: f }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Refused {
                message: format!(
                    "another loadsmith stage is working on {}; two stages never interleave",
                    root.display()
                ),
                hint: Some("wait for it to finish, then run this stage again".into()),
            }),
            Err(fs::TryLockError::Error(e)) => Err(Error::io("lock", p, e)),
        }
    }
}
