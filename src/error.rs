//! The library's error type: what went wrong, the path it concerns, and a hint.

use std::path::PathBuf;

/// Errors that stop a command (as opposed to findings, which are reported and counted).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What loadsmith was doing.
        action: Action,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file in a root that loadsmith will not read: not a regular file, or
    /// larger than it reads of its kind.
    #[error("cannot read {path}: it {source}")]
    Open {
        /// The path concerned.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::files::OpenError,
    },
    /// An input is not something loadsmith can read at all.
    #[error("{path} is not a firmware bundle, firmware file or folder")]
    NotABundle {
        /// The path concerned.
        path: PathBuf,
    },
    /// Bad usage that clap could not catch (raised by the command line only).
    #[error("{message}")]
    Usage {
        /// The sentence to show.
        message: String,
    },
    /// The load asked to stage is not one loadsmith knows (the command line
    /// names the option it came from).
    #[error("{name}: not a load name loadsmith knows")]
    UnknownTarget {
        /// The name as given.
        name: String,
    },
    /// A path that must be a folder is something else.
    #[error("{} is not a folder", path.display())]
    NotAFolder {
        /// The path concerned.
        path: PathBuf,
    },
    /// A TFTP server's address that cannot be used.
    #[error("{url}: {why}")]
    BadServer {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        why: ServerProblem,
    },
    /// A root's manifest that is not one loadsmith wrote.
    #[error(
        "{} is not a loadsmith manifest ({reason}); move it away to start a fresh one",
        path.display()
    )]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// What the JSON reader said.
        reason: String,
    },
    /// A worker thread panicked: what it was doing is unknown, never empty.
    #[error("a worker thread failed")]
    WorkerFailed,
    /// A command refused to act (incomplete set, conflict, lock held); nothing was changed.
    #[error("{message}")]
    Refused {
        /// Why, in one sentence.
        message: String,
        /// One line per problem behind the refusal (each printed on a line of its own).
        details: Vec<String>,
        /// What to do instead.
        hint: Option<String>,
    },
    /// Nothing answered where a server was named.
    #[error("{message}")]
    Unreachable {
        /// The sentence: what did not answer, and how long it was asked.
        message: String,
    },
    /// A remap rules file (`--map-file`) that in.tftpd would refuse to start with.
    #[error("{path}: line {line}: {reason}; in.tftpd refuses to start with this file")]
    BadRules {
        /// The rules file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A remap rules file past loadsmith's bounds (a rule that grows names
    /// past `served::rules::MAX_NAME`, or compiles past `served::rules::MAX_RULE_SIZE`).
    #[error("{path}: line {line}: {reason}")]
    RulesPastBound {
        /// The rules file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A checksum file could not be understood.
    #[error(
        "{path}: line {line} is not a checksum line: \"{text}\"; the forms read are `HEX  NAME` or `HEX *NAME` (sha256sum, sha512sum, md5sum), `SHA512 (NAME) = HEX` (BSD), and the download page's `FileName : NAME` followed by `MD5 Checksum : HEX` / `SHA512 Checksum : HEX` (label and value on one line or two)"
    )]
    BadChecksums {
        /// The checksum file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// The line, as much of it as the error quotes.
        text: String,
    },
    /// A checksum list past one of its bounds (`check::checksums`).
    #[error("{path}: line {line}: {reason}")]
    ChecksumsTooLarge {
        /// The checksum file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// Which bound, and what it is.
        reason: String,
    },
}

impl Error {
    /// A one-line fix, when one is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Io {
                source,
                action: Action::Read,
                ..
            } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path; loadsmith reads bundles, loose firmware files and folders".into())
            }
            Error::Io {
                source,
                action: Action::ReadChecksums,
                ..
            } if source.kind() == std::io::ErrorKind::NotFound => Some(
                "check the path of the checksum list (sha256sum/sha512sum output, or the lines copied from the download page)".into(),
            ),
            Error::Io {
                source,
                action: Action::ReadLog,
                ..
            } if source.kind() == std::io::ErrorKind::NotFound => Some(
                "give the TFTP server's log: a syslog file, journalctl output, dnsmasq's or tftpd32's log, or - for standard input".into(),
            ),
            Error::Io {
                source,
                action: Action::OpenRoot,
                ..
            } if source.kind() == std::io::ErrorKind::NotFound => Some(
                "give the folder the TFTP server serves (for tftpd-hpa, the last argument of in.tftpd; often /srv/tftp)".into(),
            ),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                Some("run as a user that can read (or write) that path".into())
            }
            Error::NotABundle { .. } => Some(
                "give a .zip, .cop, .cop.sgn, .tar, .tar.gz, a signed firmware file, or a folder holding them".into(),
            ),
            Error::Refused { hint, .. } => hint.clone(),
            Error::BadRules { .. } => Some(
                "fix that line: loadsmith reads the rules as in.tftpd -m does (flags r g i e s a ~ G P, a regular expression, a replacement)".into(),
            ),
            Error::RulesPastBound { .. } => Some(
                "fix or remove that rule: loadsmith refuses rules past its bounds (docs/roots.md, \"Remap rules\")".into(),
            ),
            Error::Unreachable { .. } => Some(
                "check the address and port, that the server runs (in.tftpd, dnsmasq, tftpd32) and serves on that address, and that no firewall drops UDP".into(),
            ),
            Error::Open {
                path,
                source: crate::files::OpenError::NotRegular(_),
            } => Some(format!(
                "replace {} by a regular file (a copy of what it points to), or move it away",
                path.display()
            )),
            Error::Open {
                path,
                source: crate::files::OpenError::TooLarge { .. },
            } => Some(format!(
                "{} is far larger than any real file of its kind: check it, trim it or move it away; it was left as it was",
                path.display()
            )),
            _ => None,
        }
    }

    /// Builds an [`Error::Open`] (or [`Error::Io`] for a plain I/O failure).
    pub fn open(path: impl Into<PathBuf>, source: crate::files::OpenError) -> Error {
        match source {
            crate::files::OpenError::Io(e) => Error::io(Action::Read, path, e),
            source => Error::Open {
                path: path.into(),
                source,
            },
        }
    }

    /// The path the error concerns, when it has one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Io { path, .. }
            | Error::Open { path, .. }
            | Error::NotABundle { path }
            | Error::BadChecksums { path, .. }
            | Error::ChecksumsTooLarge { path, .. }
            | Error::BadRules { path, .. }
            | Error::RulesPastBound { path, .. } => Some(path),
            // The paths these name are in their sentence; the documents keep
            // `path` empty for them, as before they had a variant.
            Error::NotAFolder { .. } | Error::BadManifest { .. } => None,
            Error::Usage { .. }
            | Error::UnknownTarget { .. }
            | Error::BadServer { .. }
            | Error::WorkerFailed
            | Error::Refused { .. }
            | Error::Unreachable { .. } => None,
        }
    }

    /// The lines that follow the title: one per problem behind a refusal.
    pub fn details(&self) -> &[String] {
        match self {
            Error::Refused { details, .. } => details,
            _ => &[],
        }
    }

    /// Builds an [`Error::Io`].
    pub fn io(action: Action, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// What loadsmith was doing when an I/O error stopped it; shown as the verb
/// of the message ("cannot read …"), and what the hint is chosen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Reading an input or a file in a root.
    Read,
    /// Reading a checksum list (`--checksums`).
    ReadChecksums,
    /// Reading a TFTP server's log (`loadsmith log`).
    ReadLog,
    /// Reading a remap rules file (`--map-file`).
    ReadRules,
    /// Reading the bundle a stage takes a load from.
    ReadBundleFor,
    /// Reading a TFTP server's configuration (`--server-config`).
    ReadServerConfig,
    /// Reading a manifest (`.loadsmith/manifest.json`, or one copied from another server).
    ReadManifest,
    /// Opening the root a command works on.
    OpenRoot,
    /// Opening a file or folder.
    Open,
    /// Creating a file or folder.
    Create,
    /// Writing.
    Write,
    /// Flushing a file.
    Flush,
    /// Taking the root's lock.
    Lock,
    /// Removing a file.
    Remove,
    /// Renaming a written file into place.
    Rename,
    /// Setting a file's mode.
    SetMode,
    /// Syncing a file or folder to disk.
    Sync,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Read => "read",
            Action::ReadChecksums => "read the checksum list",
            Action::ReadLog => "read the log",
            Action::ReadRules => "read the remap rules",
            Action::ReadBundleFor => "read the bundle for",
            Action::ReadServerConfig => "read the server configuration",
            Action::ReadManifest => "read the manifest",
            Action::OpenRoot => "open the root",
            Action::Open => "open",
            Action::Create => "create",
            Action::Write => "write",
            Action::Flush => "flush",
            Action::Lock => "lock",
            Action::Remove => "remove",
            Action::Rename => "rename into place",
            Action::SetMode => "set mode of",
            Action::Sync => "sync",
        })
    }
}

/// What is wrong with a TFTP server's address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerProblem {
    /// Not `tftp://…`.
    #[error("want tftp://host[:port]")]
    NotTftp,
    /// A path after the host.
    #[error(
        "a TFTP server is named without a path (tftp://HOST[:PORT]); phones ask the server's root for each file by name"
    )]
    HasPath,
    /// A port that is not 1 to 65535.
    #[error("{0:?} is not a port (1 to 65535)")]
    BadPort(String),
    /// A host name that does not resolve.
    #[error("cannot resolve {0}")]
    Unresolved(String),
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
