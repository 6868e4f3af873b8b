//! Opening files in places other people control (TFTP roots, folders of
//! loose firmware): regular files only, never through a link, never blocking.
//!
//! A TFTP root may hold anything: a FIFO named like a set file, a link from
//! the manifest to `/dev/zero`, a sparse file of gigabytes. Every open in a
//! root goes through [`open_regular`], which refuses what is not a regular
//! file before a byte is read: the name is opened with `O_NOFOLLOW` (a link
//! fails) and `O_NONBLOCK` (a FIFO or device cannot stall the open), and the
//! opened file's own type is checked (`fstat`), so nothing swapped in between
//! a look and the open is read. Whole-file reads go through [`read_capped`],
//! which refuses a file over its limit instead of reading part of it.
//!
//! Below them: [`beneath`] walks a root from its descriptor (`openat`,
//! never through a link), and [`fault`] is the point every step that
//! changes a root passes (fault injection for the crash tests).

pub mod beneath;
pub mod fault;
pub mod reader;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file in a root was not read.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Nothing by that name.
    #[error("does not exist")]
    NotFound,
    /// A link, FIFO, device, socket or folder: loadsmith opens only regular files there.
    #[error("is a {0}, not a regular file; loadsmith opens only regular files in a root")]
    NotRegular(&'static str),
    /// An input that is a FIFO, device, socket or folder.
    #[error("is a {0}, not a regular file")]
    NotRegularInput(&'static str),
    /// Larger than loadsmith reads of that kind of file.
    #[error("is {size} bytes, more than the {limit} bytes loadsmith reads of such a file")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A TFTP server would refuse it: tftpd-hpa serves only files every
    /// user may read, through folders every user may enter.
    #[error("{0}")]
    NotServed(String),
    /// The system refused (permissions, I/O error).
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl OpenError {
    /// An [`io::Error`] carrying this error, for readers that speak `io`.
    pub fn into_io(self) -> io::Error {
        match self {
            OpenError::Io(e) => e,
            OpenError::NotFound => io::Error::new(io::ErrorKind::NotFound, "no such file"),
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// What kind of thing a file type is, in words.
pub fn kind_word(ft: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    if ft.is_symlink() {
        "link"
    } else if ft.is_dir() {
        "folder"
    } else if ft.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// Opens `path` for reading when, and only when, it is a regular file that is
/// not a link. Never blocks on a FIFO or device.
pub fn open_regular(path: &Path) -> Result<File, OpenError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenError::NotFound),
        Err(e) => return Err(OpenError::Io(e)),
        Ok(m) if !m.file_type().is_file() => {
            return Err(OpenError::NotRegular(kind_word(m.file_type())));
        }
        Ok(_) => {}
    }
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenError::NotFound),
        // ELOOP: the name became a link after the look above.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(OpenError::NotRegular("link"));
        }
        Err(e) => return Err(OpenError::Io(e)),
    };
    let m = f.metadata()?;
    if !m.file_type().is_file() {
        return Err(OpenError::NotRegular(kind_word(m.file_type())));
    }
    Ok(f)
}

/// Opens `root/name` the way a TFTP server chrooted into `root` serves it: a
/// link is followed when it leads to a regular file inside the root; a FIFO,
/// device or folder, or a link out of the root, is not served. Never blocks.
pub fn open_served(root: &Path, name: &str) -> Result<File, OpenError> {
    if let Some(why) = folders_unserved(root, name) {
        return Err(OpenError::NotServed(why));
    }
    let f = open_inside(root, name)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = f.metadata()?.permissions().mode() & 0o7777;
        if let Some(why) = mode_unserved(mode) {
            return Err(OpenError::NotServed(why));
        }
    }
    Ok(f)
}

/// Opens the regular file `name` (a path relative to `root`) as a server
/// chrooted into `root` reaches it, and only inside the root: the path is
/// walked from the root's descriptor without following any link; when a
/// component is a link, the path it resolves to must lie inside the root,
/// and that path is then walked the same way, so whatever opens is in the
/// root whatever changes meanwhile. Never blocks.
pub fn open_inside(root: &Path, name: &str) -> Result<File, OpenError> {
    match crate::files::beneath::Folder::open(root) {
        Ok(dir) => open_within(&dir, name),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(OpenError::NotFound),
        Err(e) => Err(OpenError::Io(e)),
    }
}

/// As [`open_inside`], from the root's descriptor `dir` already open (a
/// reader of many files of one root opens it once).
pub fn open_within(dir: &crate::files::beneath::Folder, name: &str) -> Result<File, OpenError> {
    use crate::files::beneath::WalkError;
    let root = dir.path.as_path();
    // `None`: a link (or a `..`) on the way.
    let walked = |rel: &str| match dir.open_file(rel) {
        Ok(f) => Some(Ok(f)),
        Err(WalkError::Missing { .. } | WalkError::NotFolder { .. }) => {
            Some(Err(OpenError::NotFound))
        }
        Err(WalkError::NotFile { kind, .. }) => Some(Err(OpenError::NotRegular(kind))),
        Err(WalkError::Io { err, .. }) => Some(Err(OpenError::Io(err))),
        Err(WalkError::Link { .. } | WalkError::Leaves { .. }) => None,
    };
    let f = match walked(name) {
        Some(r) => r?,
        // A link on the way: where it leads, if that is inside the root.
        None => {
            let p = root.join(name);
            let inside = match (fs::canonicalize(&p), fs::canonicalize(root)) {
                (Ok(t), Ok(r)) => t.strip_prefix(&r).map(Path::to_path_buf).ok(),
                (Err(e), _) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(match fs::symlink_metadata(&p) {
                        Ok(_) => OpenError::NotRegular("link to nothing"),
                        Err(_) => OpenError::NotFound,
                    });
                }
                (Err(e), _) | (_, Err(e)) => return Err(OpenError::Io(e)),
            };
            let Some(rel) = inside else {
                return Err(OpenError::NotRegular("link out of the root"));
            };
            match walked(&rel.to_string_lossy()) {
                Some(r) => r?,
                // It changed while we looked: not followed further.
                None => return Err(OpenError::NotRegular("link")),
            }
        }
    };
    let m = f.metadata()?;
    if !m.file_type().is_file() {
        return Err(OpenError::NotRegular(kind_word(m.file_type())));
    }
    Ok(f)
}

/// Opens the regular file `rel` (a path relative to `root`) from the
/// root's descriptor, following no link at all, neither on the way nor
/// the file itself (loadsmith's own files, a root's top level). Never
/// blocks.
pub fn open_beneath(root: &Path, rel: &str) -> Result<File, OpenError> {
    use crate::files::beneath::{Folder, WalkError};
    let dir = match Folder::open(root) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenError::NotFound),
        Err(e) => return Err(OpenError::Io(e)),
    };
    let f = dir.open_file(rel).map_err(|e| match e {
        WalkError::Missing { .. } | WalkError::NotFolder { .. } => OpenError::NotFound,
        WalkError::Link { .. } => OpenError::NotRegular("link"),
        WalkError::Leaves { .. } => OpenError::NotRegular("path out of the root"),
        WalkError::NotFile { kind, .. } => OpenError::NotRegular(kind),
        WalkError::Io { err, .. } => OpenError::Io(err),
    })?;
    let m = f.metadata()?;
    if !m.file_type().is_file() {
        return Err(OpenError::NotRegular(kind_word(m.file_type())));
    }
    Ok(f)
}

/// Why tftpd-hpa would refuse `root/name` for its permissions, if it would:
/// it serves a file only when others may read it ("File must have global
/// read permissions" unless started with `--permissive`), and it runs as
/// an unprivileged user, so every folder from the root down must let
/// others enter. loadsmith may run as root and read anything: the mode
/// bits, not our own access, decide.
pub fn unserved(root: &Path, name: &str) -> Option<String> {
    if let Some(why) = folders_unserved(root, name) {
        return Some(why);
    }
    let dir = crate::files::beneath::Folder::open(root).ok()?;
    file_unserved(&dir, name)
}

/// Why tftpd-hpa would refuse the file `name` of the root open as `dir`
/// for its own mode bits (the folders on the way aside), if it would. The
/// file is looked at as it opens ([`open_within`]): never through a link
/// out of the root.
pub fn file_unserved(dir: &crate::files::beneath::Folder, name: &str) -> Option<String> {
    metadata_unserved(&open_within(dir, name).ok()?.metadata().ok()?)
}

/// Why tftpd-hpa would refuse a file with metadata `m` (of a file already
/// opened) for its own mode bits, if it would.
pub fn metadata_unserved(m: &fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    if let Some(r) = reader::reader() {
        return r.file_refused(m.mode() & 0o7777, m.uid(), m.gid());
    }
    mode_unserved(m.mode() & 0o7777)
}

/// Why tftpd-hpa would refuse a file of mode `mode`, if it would.
fn mode_unserved(mode: u32) -> Option<String> {
    (mode & 0o004 == 0).then(|| format!("is not readable by others (mode {mode:04o}): tftpd-hpa serves only files everyone may read (\"File must have global read permissions\")"))
}

/// Why tftpd-hpa cannot even look for `name`: a folder on its way (the
/// root included) that others may not enter. It then answers every
/// request under it with an error, whether the file exists or not. The
/// folders are opened from the root's descriptor, never through a link;
/// a link on the way is judged by where it leads when that is inside the
/// root (as the server follows it), not at all when it leads out.
pub fn folders_unserved(root: &Path, name: &str) -> Option<String> {
    use crate::files::beneath::{Folder, WalkError};
    if let Some(why) = unsearchable(root, root) {
        return Some(why);
    }
    let top = Folder::open(root).ok()?;
    let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let dir = match top.walk(dir, false) {
        Ok(_) => dir.to_string(),
        // Where the link leads, when that is inside the root.
        Err(WalkError::Link { .. }) => {
            let t = fs::canonicalize(root.join(dir)).ok()?;
            let r = fs::canonicalize(root).ok()?;
            t.strip_prefix(&r).ok()?.to_string_lossy().into_owned()
        }
        Err(_) => return None,
    };
    let mut at = String::new();
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        if !at.is_empty() {
            at.push('/');
        }
        at.push_str(part);
        let folder = top.walk(&at, false).ok()?;
        let mode = folder.mode().ok()?;
        if let Some(r) = reader::reader() {
            let (uid, gid) = folder.owner().ok()?;
            if let Some(why) = r.folder_refused(mode, uid, gid) {
                return Some(format!("the folder {at} {why}"));
            }
            continue;
        }
        if mode & 0o001 == 0 {
            return Some(not_enterable(&format!("the folder {at}"), mode));
        }
    }
    None
}

/// Why others cannot enter a folder of mode `mode`, named `which`.
fn not_enterable(which: &str, mode: u32) -> String {
    format!(
        "{which} does not let others enter it (mode {mode:04o}): tftpd-hpa runs as its own user and can serve nothing under it"
    )
}

/// Why others cannot enter `dir` (a folder of `root`, or the root), if they cannot.
pub fn unsearchable(root: &Path, dir: &Path) -> Option<String> {
    let mode = mode_of(dir)?;
    let which = match dir.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => format!("the folder {}", rel.display()),
        _ => "the root folder".to_string(),
    };
    if let Some(r) = reader::reader() {
        use std::os::unix::fs::MetadataExt;
        let m = fs::metadata(dir).ok()?;
        return r
            .folder_refused(mode, m.uid(), m.gid())
            .map(|why| format!("{which} {why}"));
    }
    (mode & 0o001 == 0).then(|| not_enterable(&which, mode))
}

/// The permission bits of `path` (following links), when it can be looked at.
fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Opens an input named by the user (a rules file, a log): unlike a file
/// in a root, a link is followed (on some systems all of `/etc` is links),
/// but what opens must still be a regular file; never blocks on a FIFO.
pub fn open_input(path: &Path) -> Result<File, OpenError> {
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let f = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenError::NotFound),
        Err(e) => return Err(OpenError::Io(e)),
    };
    let m = f.metadata()?;
    if !m.file_type().is_file() {
        return Err(OpenError::NotRegularInput(kind_word(m.file_type())));
    }
    Ok(f)
}

/// Reads a whole input (see [`open_input`]) of at most `limit` bytes; a
/// larger one is refused, never read in part.
pub fn read_input_capped(path: &Path, limit: u64) -> Result<Vec<u8>, OpenError> {
    read_capped_from(open_input(path)?, limit)
}

/// Reads a whole regular file of at most `limit` bytes; a larger one is
/// refused ([`OpenError::TooLarge`]), never read in part.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, OpenError> {
    read_capped_from(open_regular(path)?, limit)
}

/// Reads the file `name` of a root whole (see [`open_inside`]: never
/// through a link out of the root), at most `limit` bytes.
pub fn read_inside_capped(root: &Path, name: &str, limit: u64) -> Result<Vec<u8>, OpenError> {
    read_capped_from(open_inside(root, name)?, limit)
}

/// Reads the opened file `f` whole, at most `limit` bytes; a larger one
/// is refused, never read in part.
pub fn read_capped_from(f: File, limit: u64) -> Result<Vec<u8>, OpenError> {
    let size = f.metadata()?.len();
    if size > limit {
        return Err(OpenError::TooLarge { size, limit });
    }
    let mut v = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // One byte past the limit tells a file that grew since the look.
    f.take(limit + 1).read_to_end(&mut v)?;
    if v.len() as u64 > limit {
        return Err(OpenError::TooLarge {
            size: v.len() as u64,
            limit,
        });
    }
    Ok(v)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_open() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a");
        fs::write(&f, b"abc").unwrap();
        assert_eq!(read_capped(&f, 3).unwrap(), b"abc");
        assert!(matches!(
            read_capped(&f, 2),
            Err(OpenError::TooLarge { size: 3, limit: 2 })
        ));
        std::os::unix::fs::symlink("/dev/zero", d.path().join("z")).unwrap();
        assert!(matches!(
            open_regular(&d.path().join("z")),
            Err(OpenError::NotRegular("link"))
        ));
        assert!(matches!(
            open_regular(Path::new("/dev/zero")),
            Err(OpenError::NotRegular("device"))
        ));
        assert!(matches!(
            open_regular(d.path()),
            Err(OpenError::NotRegular("folder"))
        ));
        assert!(matches!(
            open_regular(&d.path().join("none")),
            Err(OpenError::NotFound)
        ));
    }
}
