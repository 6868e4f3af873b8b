//! Whose permissions decide what a TFTP server may read: the user it runs
//! as (`-u`/`TFTP_USERNAME` for tftpd-hpa, `user=` for dnsmasq), when the
//! server's configuration names it. Set once by the command line before a
//! command reads a root; unset, tftpd-hpa's own rule applies (the server
//! runs as a user of its own: others' bits decide).

use std::sync::OnceLock;

/// The user a server runs as, and the server's own rules on top of Unix's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reader {
    /// The user's name.
    pub name: String,
    /// Its uid.
    pub uid: u32,
    /// Its gids (primary and supplementary).
    pub gids: Vec<u32>,
    /// tftpd-hpa without `--permissive` serves only files everyone may read.
    pub needs_world_read: bool,
    /// dnsmasq's `tftp-secure`: only files the user owns.
    pub owner_only: bool,
    /// The server, for messages ("tftpd-hpa", "dnsmasq").
    pub server: String,
}

static READER: OnceLock<Reader> = OnceLock::new();

/// Sets the server's user for this run (the first call wins).
pub fn serve_as(r: Reader) {
    let _ = READER.set(r);
}

/// The server's user, when the command line set one.
pub fn reader() -> Option<&'static Reader> {
    READER.get()
}

impl Reader {
    /// The permission bits (`r` = 4, `x` = 1) that apply to this user for
    /// a file owned by `uid`:`gid` of mode `mode`.
    fn bits(&self, mode: u32, uid: u32, gid: u32) -> u32 {
        if self.uid == 0 {
            // root reads and enters anything (DAC override).
            return 0o7;
        }
        match (uid == self.uid, self.gids.contains(&gid)) {
            (true, _) => (mode >> 6) & 7,
            (false, true) => (mode >> 3) & 7,
            _ => mode & 7,
        }
    }

    /// Why this server would refuse a file of mode `mode` owned by `uid`:`gid`.
    pub fn file_refused(&self, mode: u32, uid: u32, gid: u32) -> Option<String> {
        let who = format!("{}, which {} runs as", self.name, self.server);
        if self.bits(mode, uid, gid) & 4 == 0 {
            return Some(format!(
                "is not readable by {who} (mode {mode:04o}, owner {uid}:{gid})"
            ));
        }
        if self.needs_world_read && mode & 0o004 == 0 {
            return Some(format!(
                "is not readable by others (mode {mode:04o}): tftpd-hpa serves only files everyone may read (\"File must have global read permissions\") unless started with --permissive"
            ));
        }
        if self.owner_only && uid != self.uid {
            return Some(format!(
                "is not owned by {who} (owner {uid}): with tftp-secure dnsmasq serves only its user's files"
            ));
        }
        None
    }

    /// Why this server cannot enter a folder of mode `mode` owned by `uid`:`gid`.
    pub fn folder_refused(&self, mode: u32, uid: u32, gid: u32) -> Option<String> {
        (self.bits(mode, uid, gid) & 1 == 0).then(|| {
            format!(
                "does not let {}, which {} runs as, enter it (mode {mode:04o}, owner {uid}:{gid}): the server can serve nothing under it",
                self.name, self.server
            )
        })
    }
}
