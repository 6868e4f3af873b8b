//! Paths in a root walked from the root's own descriptor: every folder on
//! the way is opened with `O_NOFOLLOW | O_DIRECTORY` relative to the one
//! before, so no link anywhere on a path is followed and nothing swapped in
//! between a look and a write can send a write elsewhere. A [`Folder`] is
//! an open folder: files are created, renamed and removed inside it by
//! name (`openat`, `renameat`, `unlinkat`), never by a path walked again.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

/// Mode of the folders a stage creates, whatever the umask: tftpd-hpa runs
/// as its own user and must enter them.
pub const FOLDER_MODE: u32 = 0o755;
/// Mode of the files a stage writes, whatever the umask.
pub const FILE_MODE: u32 = 0o644;

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Why a path in a root could not be walked.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// A component of the path is a link.
    #[error("{at} is a link")]
    Link {
        /// The path of the link, relative to the root.
        at: String,
    },
    /// A component that must be a folder is something else.
    #[error("{at} is a {kind}, where the path needs a folder")]
    NotFolder {
        /// Its path, relative to the root.
        at: String,
        /// What it is.
        kind: &'static str,
    },
    /// A component is missing.
    #[error("{at} does not exist")]
    Missing {
        /// Its path, relative to the root.
        at: String,
    },
    /// The last component is a FIFO, device, socket or folder where a
    /// regular file is read.
    #[error("{at} is a {kind}, not a regular file")]
    NotFile {
        /// Its path, relative to the root.
        at: String,
        /// What it is.
        kind: &'static str,
    },
    /// A `..` that would climb out of the root.
    #[error("{at} leaves the root")]
    Leaves {
        /// The path.
        at: String,
    },
    /// The system refused.
    #[error("{at}: {err}")]
    Io {
        /// The path, relative to the root.
        at: String,
        /// Why.
        err: io::Error,
    },
}

/// What a path's last component is ([`Folder::look`]).
#[derive(Debug, Clone)]
pub struct Look {
    /// Its type (a link's own).
    pub kind: rustix::fs::FileType,
    /// Its size in bytes.
    pub size: u64,
    /// A link's target.
    pub target: Option<String>,
}

/// An open folder and its path (for messages).
#[derive(Debug)]
pub struct Folder {
    fd: OwnedFd,
    /// Its path, for messages.
    pub path: PathBuf,
}

fn kind_of(st: &rustix::fs::Stat) -> &'static str {
    use rustix::fs::FileType;
    match FileType::from_raw_mode(st.st_mode) {
        FileType::Symlink => "link",
        FileType::Directory => "folder",
        FileType::RegularFile => "regular file",
        FileType::Fifo => "FIFO",
        FileType::CharacterDevice | FileType::BlockDevice => "device",
        FileType::Socket => "socket",
        FileType::Unknown => "special file",
    }
}

/// The components of a relative path (empty and `.` ones skipped).
fn parts(rel: &str) -> impl Iterator<Item = &str> {
    rel.split('/').filter(|c| !c.is_empty() && *c != ".")
}

impl Folder {
    /// Opens the folder at `path` as given (the root, named by the user:
    /// a link to it is followed, as for any input).
    pub fn open(path: &Path) -> io::Result<Folder> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Folder {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// What `name` in this folder is, without following a link.
    fn kind(&self, name: &str) -> io::Result<&'static str> {
        Ok(kind_of(&rustix::fs::statat(
            &self.fd,
            name,
            AtFlags::SYMLINK_NOFOLLOW,
        )?))
    }

    /// Opens the folder `rel` below this one, each component without
    /// following a link. With `create`, missing folders are made, mode
    /// [`FOLDER_MODE`] whatever the umask.
    pub fn walk(&self, rel: &str, create: bool) -> Result<Folder, WalkError> {
        let mut cur = self.fd.try_clone().map_err(|err| WalkError::Io {
            at: String::new(),
            err,
        })?;
        let mut at = String::new();
        for c in parts(rel) {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(c);
            if c == ".." {
                return Err(WalkError::Leaves { at });
            }
            cur = step(&cur, c, create, &at)?;
        }
        Ok(Folder {
            fd: cur,
            path: self.path.join(rel),
        })
    }

    /// Checks the path `rel` (a file's) below this folder without changing
    /// anything: no component is a link, every folder on the way is a
    /// folder (or missing, to be made). The last component may be missing
    /// or anything but a link.
    pub fn probe(&self, rel: &str) -> Result<(), WalkError> {
        let (dir, base) = rel.rsplit_once('/').unwrap_or(("", rel));
        let folder = match self.walk(dir, false) {
            Ok(f) => f,
            Err(WalkError::Missing { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        match folder.kind(base) {
            Ok("link") => Err(WalkError::Link {
                at: rel.to_string(),
            }),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(WalkError::Io {
                at: rel.to_string(),
                err,
            }),
        }
    }

    /// What the last component of `rel` below this folder is, itself (a
    /// link is not followed, nor is any link on the way).
    pub fn look(&self, rel: &str) -> Result<Look, WalkError> {
        self.at_last(rel, |folder, base, st| {
            let kind = rustix::fs::FileType::from_raw_mode(st.st_mode);
            let target = (kind == rustix::fs::FileType::Symlink).then(|| {
                rustix::fs::readlinkat(&folder.fd, base, Vec::new())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            Ok(Look {
                kind,
                size: u64::try_from(st.st_size).unwrap_or(0),
                target,
            })
        })
    }

    /// Opens the regular file `rel` below this folder for reading, no
    /// component followed if it is a link; what is not a regular file
    /// (a FIFO, a device) is refused before it is opened, and the open
    /// never blocks. The caller checks the opened file's own type.
    pub fn open_file(&self, rel: &str) -> Result<File, WalkError> {
        self.at_last(rel, |folder, base, st| {
            let at = || rel.to_string();
            match kind_of(&st) {
                "regular file" => {}
                "link" => return Err(WalkError::Link { at: at() }),
                kind => return Err(WalkError::NotFile { at: at(), kind }),
            }
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            match rustix::fs::openat(&folder.fd, base, flags, Mode::empty()) {
                Ok(fd) => Ok(File::from(fd)),
                Err(Errno::NOENT) => Err(WalkError::Missing { at: at() }),
                Err(Errno::LOOP) => Err(WalkError::Link { at: at() }),
                Err(e) => Err(WalkError::Io {
                    at: at(),
                    err: e.into(),
                }),
            }
        })
    }

    /// Walks to the folder that holds the last component of `rel` (at the
    /// top, this folder's own descriptor: no copy of it per file), reads
    /// that component's status itself (a link is not followed, nor is any
    /// on the way) and hands the folder, the name and the status to `then`.
    fn at_last<T>(
        &self,
        rel: &str,
        then: impl FnOnce(&Folder, &str, rustix::fs::Stat) -> Result<T, WalkError>,
    ) -> Result<T, WalkError> {
        let (dir, base) = rel.rsplit_once('/').unwrap_or(("", rel));
        let walked;
        let folder = match dir {
            "" => self,
            _ => {
                walked = self.walk(dir, false)?;
                &walked
            }
        };
        match rustix::fs::statat(&folder.fd, base, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => then(folder, base, st),
            Err(Errno::NOENT) => Err(WalkError::Missing { at: rel.into() }),
            Err(e) => Err(WalkError::Io {
                at: rel.into(),
                err: e.into(),
            }),
        }
    }

    /// This folder's permission bits.
    pub fn mode(&self) -> io::Result<u32> {
        Ok(rustix::fs::fstat(&self.fd)?.st_mode & 0o7777)
    }

    /// The folder's owner and group.
    pub fn owner(&self) -> io::Result<(u32, u32)> {
        let st = rustix::fs::fstat(&self.fd)?;
        Ok((st.st_uid, st.st_gid))
    }

    /// The path of `name` in this folder, for messages.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Creates `name` here, new (never an existing file or link), mode 0644.
    pub fn create_new(&self, name: &str) -> io::Result<File> {
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(FILE_MODE))?;
        Ok(File::from(fd))
    }

    /// Renames `from` over `to`, both in this folder.
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        Ok(rustix::fs::renameat(&self.fd, from, &self.fd, to)?)
    }

    /// Removes the file `name` of this folder (a link is removed, not followed).
    pub fn remove(&self, name: &str) -> io::Result<()> {
        Ok(rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())?)
    }

    /// Removes the empty folder `name` of this folder (never through a link).
    pub fn remove_dir(&self, name: &str) -> io::Result<()> {
        Ok(rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?)
    }

    /// Removes the file `rel` below this folder, walking to its folder
    /// without following a link (the file itself, if a link, is removed).
    pub fn remove_at(&self, rel: &str) -> io::Result<()> {
        let (dir, base) = rel.rsplit_once('/').unwrap_or(("", rel));
        let folder = self.walk(dir, false).map_err(io::Error::other)?;
        folder.remove(base)
    }

    /// Flushes the folder, so renames in it survive a power cut.
    pub fn sync(&self) -> io::Result<()> {
        Ok(rustix::fs::fsync(&self.fd)?)
    }

    /// The entries of this folder with their own types (a link's is
    /// "link"), `.` and `..` left out.
    pub fn entries(&self) -> io::Result<Vec<(String, rustix::fs::FileType)>> {
        use rustix::fs::FileType;
        let mut out = Vec::new();
        for e in rustix::fs::Dir::read_from(self.fd.as_fd())? {
            let e = e?;
            let n = e.file_name().to_string_lossy().into_owned();
            if n == "." || n == ".." {
                continue;
            }
            let ft = match e.file_type() {
                // Some file systems do not say in the listing.
                FileType::Unknown => {
                    rustix::fs::statat(&self.fd, e.file_name(), AtFlags::SYMLINK_NOFOLLOW)
                        .map(|st| FileType::from_raw_mode(st.st_mode))?
                }
                ft => ft,
            };
            out.push((n, ft));
        }
        Ok(out)
    }

    /// The names in this folder (`.` and `..` left out).
    pub fn names(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in rustix::fs::Dir::read_from(self.fd.as_fd())? {
            let n = e?.file_name().to_string_lossy().into_owned();
            if n != "." && n != ".." {
                out.push(n);
            }
        }
        Ok(out)
    }
}

/// Makes a root that does not exist yet (and the folders above it), the
/// root mode [`FOLDER_MODE`] whatever the umask: tftpd-hpa runs as its own
/// user and must enter it.
pub fn make_root(root: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(root)?;
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(FOLDER_MODE))
}

/// Opens (or, with `create`, makes) the folder `c` in `cur`.
fn step(cur: &OwnedFd, c: &str, create: bool, at: &str) -> Result<OwnedFd, WalkError> {
    let io = |err: Errno| WalkError::Io {
        at: at.to_string(),
        err: err.into(),
    };
    match rustix::fs::openat(cur, c, DIR_FLAGS, Mode::empty()) {
        Ok(fd) => return Ok(fd),
        Err(Errno::NOENT) if create => {}
        Err(Errno::NOENT) => return Err(WalkError::Missing { at: at.into() }),
        Err(Errno::LOOP | Errno::NOTDIR) => {
            let st = rustix::fs::statat(cur, c, AtFlags::SYMLINK_NOFOLLOW).map_err(io)?;
            return Err(match kind_of(&st) {
                "link" => WalkError::Link { at: at.into() },
                kind => WalkError::NotFolder {
                    at: at.into(),
                    kind,
                },
            });
        }
        Err(e) => return Err(io(e)),
    }
    super::fault::point().map_err(|err| WalkError::Io {
        at: at.to_string(),
        err,
    })?;
    let made = match rustix::fs::mkdirat(cur, c, Mode::from_raw_mode(FOLDER_MODE)) {
        Ok(()) => true,
        Err(Errno::EXIST) => false,
        Err(e) => return Err(io(e)),
    };
    let fd = step(cur, c, false, at)?;
    if made {
        // The umask took bits away at mkdir; the folder gets them back.
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(FOLDER_MODE)).map_err(io)?;
    }
    Ok(fd)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn links_and_files_on_the_way_are_named() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("out")).unwrap();
        std::os::unix::fs::symlink("out", d.path().join("fw")).unwrap();
        std::fs::write(d.path().join("file"), b"x").unwrap();
        let root = Folder::open(d.path()).unwrap();
        assert!(matches!(root.probe("fw/a.sbn"), Err(WalkError::Link { at }) if at == "fw"));
        assert!(matches!(root.probe("fw"), Err(WalkError::Link { at }) if at == "fw"));
        assert!(matches!(
            root.probe("file/a"),
            Err(WalkError::NotFolder { at, kind: "regular file" }) if at == "file"
        ));
        assert!(root.probe("new/deeper/a").is_ok());
        assert!(matches!(
            root.walk("a/../..", true),
            Err(WalkError::Leaves { .. })
        ));
        let made = root.walk("x/y", true).unwrap();
        made.create_new("f").unwrap();
        assert!(d.path().join("x/y/f").is_file());
        assert!(matches!(
            root.walk("fw/z", true),
            Err(WalkError::Link { .. })
        ));
        assert!(!d.path().join("out/z").exists());
    }

    #[test]
    fn reads_look_at_what_is_there_and_open_only_regular_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("out")).unwrap();
        std::fs::write(d.path().join("out/f"), b"x").unwrap();
        std::os::unix::fs::symlink("out", d.path().join("fw")).unwrap();
        let root = Folder::open(d.path()).unwrap();
        rustix::fs::mknodat(
            &root.fd,
            "pipe",
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        let l = root.look("fw").unwrap();
        assert_eq!(l.kind, rustix::fs::FileType::Symlink);
        assert_eq!(l.target.as_deref(), Some("out"));
        assert!(matches!(root.look("fw/f"), Err(WalkError::Link { at }) if at == "fw"));
        assert!(matches!(
            root.open_file("fw/f"),
            Err(WalkError::Link { .. })
        ));
        assert!(matches!(root.open_file("fw"), Err(WalkError::Link { .. })));
        assert!(matches!(
            root.open_file("pipe"),
            Err(WalkError::NotFile { kind: "FIFO", .. })
        ));
        assert!(matches!(
            root.open_file("out"),
            Err(WalkError::NotFile { kind: "folder", .. })
        ));
        assert!(root.open_file("out/f").is_ok());
    }
}
