//! `.loadsmith/` in a TFTP root: the manifest of what `stage` wrote, the lock
//! that keeps two stages from interleaving, and durable writes.
//!
//! Every write goes to a hidden temporary name in the same folder
//! ([`TMP_PREFIX`]), is flushed to disk, then renamed over the real name, and
//! the folder is synced: a reader sees the old file or the new, never a part.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::Action;
use crate::error::{Error, Result};
use crate::files::beneath::Folder;
use crate::files::fault;

/// The folder loadsmith keeps its state in, inside the root.
pub const STATE_DIR: &str = ".loadsmith";
/// Largest manifest read: 64 MiB holds some 300,000 entries, far more than
/// any root; a larger file is refused, never read in part.
pub const MAX_MANIFEST: u64 = 64 * 1024 * 1024;
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

/// The last component of a path as given (`/home/me/dl/x.zip` → `x.zip`).
pub fn base_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Where a stage's files came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Origin {
    /// The bundle's path as given (in the manifest: its file name only).
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
    /// The signer of every trust list the root held at the last stage, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trust: BTreeMap<String, crate::trust::record::Recorded>,
}

impl Manifest {
    /// Reads the manifest; a root without one has an empty manifest. The
    /// manifest is opened only when it (and `.loadsmith/`) is a regular file
    /// and folder, not a link, and read only up to [`MAX_MANIFEST`].
    pub fn load(root: &Path) -> Result<Manifest> {
        let dir = root.join(STATE_DIR);
        if let Ok(m) = fs::symlink_metadata(&dir)
            && !m.is_dir()
        {
            return Err(Error::open(
                &dir,
                crate::files::OpenError::NotRegular(crate::files::kind_word(m.file_type())),
            ));
        }
        let p = dir.join("manifest.json");
        // From the root's descriptor: `.loadsmith/` swapped for a link
        // since the look above is not followed.
        let rel = format!("{STATE_DIR}/manifest.json");
        let read = crate::files::open_beneath(root, &rel)
            .and_then(|f| crate::files::read_capped_from(f, MAX_MANIFEST));
        match read {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::BadManifest {
                path: p,
                reason: e.to_string(),
            }),
            Err(crate::files::OpenError::NotFound) => Ok(Manifest {
                version: 1,
                ..Manifest::default()
            }),
            Err(e) => Err(Error::open(p, e)),
        }
    }

    /// Writes the manifest durably.
    pub fn save(&self, root: &Path) -> Result<()> {
        let dir = state_dir(root)?;
        let mut bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::io(Action::Write, &dir.path, io::Error::other(e)))?;
        bytes.push(b'\n');
        write_atomic(&dir, "manifest.json", &bytes)
    }
}

/// The temporary name for `name` (in the folder `name` goes to).
pub fn tmp_name(name: &str) -> String {
    format!("{TMP_PREFIX}{name}.{}", std::process::id())
}

/// Creates a new temporary file for `name` in `dir` (mode 0644, never an
/// existing file or link); returns its name there.
pub fn create_tmp(dir: &Folder, name: &str) -> Result<(String, File)> {
    let t = tmp_name(name);
    fault::point()
        .and_then(|_| dir.create_new(&t))
        .map(|f| (t.clone(), f))
        .map_err(|e| Error::io(Action::Create, dir.path_of(&t), e))
}

/// Flushes a finished temporary file and sets its mode to 0644, whatever the umask.
pub fn finish_tmp(dir: &Folder, tmp: &str, f: File) -> Result<()> {
    fault::point()
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(Action::Flush, dir.path_of(tmp), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(crate::files::beneath::FILE_MODE))
            .map_err(|e| Error::io(Action::SetMode, dir.path_of(tmp), e))?;
    }
    Ok(())
}

/// Renames the finished temporary file `tmp` of `dir` over `name` there.
pub fn commit_tmp(dir: &Folder, tmp: &str, name: &str) -> Result<()> {
    fault::point()
        .and_then(|_| dir.rename(tmp, name))
        .map_err(|e| Error::io(Action::Rename, dir.path_of(name), e))
}

/// Syncs a folder, so renames in it survive a power cut.
pub fn sync_dir(dir: &Folder) -> Result<()> {
    fault::point()
        .and_then(|_| dir.sync())
        .map_err(|e| Error::io(Action::Sync, &dir.path, e))
}

/// Writes `name` in `dir` atomically: temporary file, flush, rename, sync the folder.
pub fn write_atomic(dir: &Folder, name: &str, bytes: &[u8]) -> Result<()> {
    let (tmp, mut f) = create_tmp(dir, name)?;
    let r = fault::point()
        .and_then(|_| f.write_all(bytes))
        .map_err(|e| Error::io(Action::Write, dir.path_of(&tmp), e))
        .and_then(|_| finish_tmp(dir, &tmp, f));
    if let Err(e) = r.and_then(|_| commit_tmp(dir, &tmp, name)) {
        let _ = dir.remove(&tmp);
        return Err(e);
    }
    sync_dir(dir)
}

/// As [`write_atomic`], into a folder outside any root named by the user
/// (a link to it is followed, as for any output path).
pub fn write_atomic_out(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let d = Folder::open(dir).map_err(|e| Error::io(Action::Open, dir, e))?;
    write_atomic(&d, name, bytes)
}

/// `.loadsmith/` of `root`, opened without following a link.
pub fn state_dir(root: &Path) -> Result<Folder> {
    Folder::open(root)
        .map_err(|e| Error::io(Action::OpenRoot, root, e))?
        .walk(STATE_DIR, false)
        .map_err(|e| Error::Refused {
            details: Vec::new(),
            message: format!(
                "{}: {e}; loadsmith keeps its manifest there and never follows a link out of the root",
                root.display()
            ),
            hint: Some(format!("remove {} and stage again", root.join(STATE_DIR).display())),
        })
}

/// Removes leftover temporary files of interrupted stages; returns their names.
pub fn clean_leftovers(dir: &Folder) -> Result<Vec<String>> {
    let mut names = dir
        .names()
        .map_err(|e| Error::io(Action::Read, &dir.path, e))?;
    names.retain(|n| n.starts_with(TMP_PREFIX));
    names.sort();
    for n in &names {
        fault::point()
            .and_then(|_| dir.remove(n))
            .map_err(|err| Error::io(Action::Remove, dir.path_of(n), err))?;
    }
    Ok(names)
}

/// Names of leftover temporary files in `dir`.
pub fn leftovers(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io(Action::Read, dir, e)),
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

/// The root's locks, held while a stage runs; released when dropped (or
/// when the process dies: the kernel drops a lock with its file).
///
/// Two files in `.loadsmith/`: `lock`, which stages take exclusively and at
/// once (a second stage is refused), and `readers`, which a stage takes
/// exclusively while it changes the root and `check` takes shared, so a
/// check never reads a half-changed root and a stage waits (briefly) for
/// running checks instead of being refused.
pub struct Lock {
    _stage: File,
    _readers: File,
}

/// How long a stage waits for running checks to finish.
const STAGE_WAITS_FOR_CHECKS: Duration = Duration::from_secs(30);

fn refuse_odd(q: &Path) -> Error {
    Error::Refused {
        details: Vec::new(),
        message: format!(
            "{} is not a plain file (a link?); loadsmith never follows a link out of the root",
            q.display()
        ),
        hint: Some(format!("remove {} and stage again", q.display())),
    }
}

fn open_lock_file(p: &Path) -> Result<File> {
    if fs::symlink_metadata(p).is_ok_and(|m| !m.is_file()) {
        return Err(refuse_odd(p));
    }
    let mut o = OpenOptions::new();
    o.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    o.open(p).map_err(|e| Error::io(Action::Open, p, e))
}

/// Polls `try_lock` until it succeeds or `wait` has passed; `Ok(false)` on time-out.
fn lock_within(f: &File, p: &Path, wait: Duration, shared: bool) -> Result<bool> {
    let start = Instant::now();
    loop {
        let r = if shared {
            f.try_lock_shared()
        } else {
            f.try_lock()
        };
        match r {
            Ok(()) => return Ok(true),
            Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => return Ok(false),
            Err(fs::TryLockError::Error(e)) => return Err(Error::io(Action::Lock, p, e)),
        }
    }
}

/// The refusal when another stage holds the root.
pub fn another_stage(root: &Path) -> Error {
    Error::Refused {
        details: Vec::new(),
        message: format!(
            "another loadsmith stage is working on {}; two stages never interleave",
            root.display()
        ),
        hint: Some("wait for it to finish, then run this stage again".into()),
    }
}

impl Lock {
    /// True when a stage holds the root now (asked without creating or
    /// changing anything in it).
    pub fn busy(root: &Path) -> bool {
        let p = root.join(STATE_DIR).join("lock");
        crate::files::open_regular(&p).is_ok_and(|f| {
            let held = matches!(f.try_lock_shared(), Err(fs::TryLockError::WouldBlock));
            let _ = f.unlock();
            held
        })
    }

    /// Takes the stage lock or refuses at once, saying why; then waits for
    /// running checks to finish.
    pub fn take(root: &Path) -> Result<Lock> {
        let dir = root.join(STATE_DIR);
        if fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
            return Err(Error::Refused {
                details: Vec::new(),
                message: format!(
                    "{} is not a folder (a link or a file); loadsmith keeps its manifest and lock there and never follows a link out of the root",
                    dir.display()
                ),
                hint: Some(format!("remove {} and stage again", dir.display())),
            });
        }
        // Made 0755 whatever the umask, never through a link.
        Folder::open(root)
            .map_err(|e| Error::io(Action::OpenRoot, root, e))?
            .walk(STATE_DIR, true)
            .map_err(|e| Error::io(Action::Create, &dir, io::Error::other(e.to_string())))?;
        let manifest = dir.join("manifest.json");
        if fs::symlink_metadata(&manifest).is_ok_and(|m| !m.is_file()) {
            return Err(refuse_odd(&manifest));
        }
        let p = dir.join("lock");
        let stage = open_lock_file(&p)?;
        if !lock_within(&stage, &p, Duration::ZERO, false)? {
            return Err(another_stage(root));
        }
        let q = dir.join("readers");
        let readers = open_lock_file(&q)?;
        if !lock_within(&readers, &q, STAGE_WAITS_FOR_CHECKS, false)? {
            return Err(Error::Refused {
                details: Vec::new(),
                message: format!(
                    "a loadsmith check has been reading {} for {} s; nothing was written",
                    root.display(),
                    STAGE_WAITS_FOR_CHECKS.as_secs()
                ),
                hint: Some("run this stage again when the check has finished".into()),
            });
        }
        Ok(Lock {
            _stage: stage,
            _readers: readers,
        })
    }
}

/// A check's shared hold on a root: no stage changes it while this lives.
pub struct ReadLock {
    _readers: Option<File>,
}

impl ReadLock {
    /// Waits up to `wait` for a running stage to finish, then holds the root
    /// against stages. A root no stage has locked yet needs no lock (`check`
    /// creates nothing in the root).
    pub fn take(root: &Path, wait: Duration) -> Result<ReadLock> {
        let q = root.join(STATE_DIR).join("readers");
        // A `.loadsmith` that is a link: no stage runs there (stages
        // refuse it), and nothing is opened through it.
        if fs::symlink_metadata(root.join(STATE_DIR)).is_ok_and(|m| m.file_type().is_symlink()) {
            return Ok(ReadLock { _readers: None });
        }
        let f = match crate::files::open_beneath(root, &format!("{STATE_DIR}/readers")) {
            Ok(f) => f,
            Err(crate::files::OpenError::NotFound) => return Ok(ReadLock { _readers: None }),
            Err(e) => return Err(Error::open(q, e)),
        };
        if !lock_within(&f, &q, wait, true)? {
            return Err(Error::Refused {
                details: Vec::new(),
                message: format!(
                    "a loadsmith stage is changing {}; check waited {} s for it and read nothing",
                    root.display(),
                    wait.as_secs()
                ),
                hint: Some(
                    "run check again when the stage has finished (or give --wait more seconds)"
                        .into(),
                ),
            });
        }
        Ok(ReadLock { _readers: Some(f) })
    }
}
