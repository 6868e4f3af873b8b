//! The TFTP server's own configuration: where its root is, which remap
//! rules it applies and which user it runs as, read from tftpd-hpa's
//! `/etc/default/tftpd-hpa` or dnsmasq's configuration.
//!
//! The machine's files are looked for in `/etc`, or in the folder
//! `LOADSMITH_ETC` names (tests point it at a temporary folder; never set
//! it otherwise): `default/tftpd-hpa` first, then `dnsmasq.conf`. Users and
//! groups come from `passwd` and `group` in the same folder.

use std::path::{Path, PathBuf};

use crate::files::reader::Reader;

/// The largest configuration, passwd or group file read, in bytes.
const MAX_FILE: u64 = 1024 * 1024;

/// Included dnsmasq files read at most (`conf-file`, `conf-dir`).
const MAX_INCLUDES: usize = 64;

/// What a server's configuration says.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ServerConfig {
    /// The file read.
    pub config: PathBuf,
    /// `tftpd-hpa` or `dnsmasq`.
    pub server: String,
    /// The root it serves.
    pub root: Option<PathBuf>,
    /// The remap rules file (tftpd-hpa `-m`).
    pub map_file: Option<PathBuf>,
    /// The user it runs as.
    pub user: String,
    /// tftpd-hpa `--secure` (chroot to the root); dnsmasq `tftp-secure`.
    pub secure: bool,
    /// tftpd-hpa `--permissive`.
    pub permissive: bool,
    /// What the configuration leaves uncertain or wrong, in words.
    pub notes: Vec<String>,
}

/// The folder the machine's configuration is read from.
pub fn etc() -> PathBuf {
    std::env::var_os("LOADSMITH_ETC")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/etc".into())
}

/// The machine's server configuration, when it has one: tftpd-hpa's,
/// else dnsmasq's with `enable-tftp`.
pub fn of_machine() -> Option<std::io::Result<ServerConfig>> {
    let etc = etc();
    let hpa = etc.join("default/tftpd-hpa");
    if hpa.is_file() {
        return Some(read(&hpa));
    }
    let dns = etc.join("dnsmasq.conf");
    if dns.is_file() {
        return match read(&dns) {
            Ok(c) if c.root.is_none() => None,
            r => Some(r),
        };
    }
    None
}

/// Reads a configuration file: tftpd-hpa's when it sets a `TFTP_` variable,
/// else dnsmasq's.
pub fn read(path: &Path) -> std::io::Result<ServerConfig> {
    let text = read_text(path)?;
    let mut c = match text.lines().any(|l| l.trim_start().starts_with("TFTP_")) {
        true => tftpd_hpa(&text),
        false => dnsmasq(&text, path),
    };
    c.config = path.to_path_buf();
    Ok(c)
}

fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = crate::files::read_input_capped(path, MAX_FILE).map_err(|e| e.into_io())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A shell assignment's value, quotes removed.
fn unquote(v: &str) -> String {
    let v = v.trim();
    let v = v.split(" #").next().unwrap_or(v).trim();
    v.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// `/etc/default/tftpd-hpa`: Debian's init script runs `in.tftpd --listen
/// --user $TFTP_USERNAME --address $TFTP_ADDRESS $TFTP_OPTIONS $TFTP_DIRECTORY`.
fn tftpd_hpa(text: &str) -> ServerConfig {
    let mut c = ServerConfig {
        server: "tftpd-hpa".into(),
        user: "nobody".into(),
        ..ServerConfig::default()
    };
    let mut options = String::new();
    for line in text.lines().map(str::trim) {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        match k.trim() {
            "TFTP_USERNAME" => c.user = unquote(v),
            "TFTP_DIRECTORY" => {
                let dirs = unquote(v);
                let mut it = dirs.split_whitespace();
                c.root = it.next().map(PathBuf::from);
                if it.next().is_some() {
                    c.notes.push(
                        "TFTP_DIRECTORY names several folders: loadsmith takes the first".into(),
                    );
                }
            }
            "TFTP_OPTIONS" => options = unquote(v),
            _ => {}
        }
    }
    let mut words = options.split_whitespace();
    while let Some(w) = words.next() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (w, None),
        };
        let mut value = || inline.clone().or_else(|| words.next().map(str::to_string));
        match flag {
            "-s" | "--secure" => c.secure = true,
            "-p" | "--permissive" => c.permissive = true,
            "-m" | "--map-file" => c.map_file = value().map(PathBuf::from),
            "-u" | "--user" => c.user = value().unwrap_or(c.user.clone()),
            // Short options run together (-vvs, -cs): only the flags that matter here.
            f if f.starts_with('-') && !f.starts_with("--") && f.len() > 2 => {
                c.secure |= f.contains('s');
                c.permissive |= f.contains('p');
            }
            _ => {}
        }
    }
    if !c.secure {
        c.notes.push("without --secure, in.tftpd refuses every name that does not start with / (\"Only absolute filenames \
            allowed\", tftpd.c) and serves absolute paths under the folders it is given; phones ask for bare \
            names, so unless the remap rules make them absolute every request is refused; loadsmith reads the \
            folder as the root, uncertain".into());
    }
    c
}

/// dnsmasq: `enable-tftp`, `tftp-root=DIR[,IFACE]`, `tftp-secure`,
/// `user=`, and the files `conf-file=`/`conf-dir=` include (plain paths only).
fn dnsmasq(text: &str, path: &Path) -> ServerConfig {
    let mut c = ServerConfig {
        server: "dnsmasq".into(),
        user: "nobody".into(),
        ..ServerConfig::default()
    };
    let mut enabled = false;
    let mut queue = vec![text.to_string()];
    let mut read_files = 0usize;
    while let Some(t) = queue.pop() {
        for line in t.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            let v = v.trim();
            match k.trim() {
                "enable-tftp" => enabled = true,
                "tftp-secure" => c.secure = true,
                "user" => c.user = v.to_string(),
                "tftp-root" => {
                    let (dir, iface) = v.split_once(',').unwrap_or((v, ""));
                    if c.root.is_some() {
                        c.notes.push(format!(
                            "another tftp-root ({dir}) is set too: loadsmith takes the first"
                        ));
                    } else {
                        // dnsmasq removes double quotes from a value.
                        c.root = Some(PathBuf::from(dir.replace('"', "")));
                        if !iface.is_empty() {
                            c.notes
                                .push(format!("tftp-root {dir} serves only the interface {iface}"));
                        }
                    }
                }
                "conf-file" | "conf-dir" => {
                    let found = includes(k.trim(), v, &mut c.notes);
                    for f in found {
                        if read_files >= MAX_INCLUDES {
                            break;
                        }
                        read_files += 1;
                        match read_text(&f) {
                            Ok(t) => queue.push(t),
                            Err(e) => c.notes.push(format!("{} cannot be read: {e}", f.display())),
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if !enabled {
        c.notes.push(format!(
            "{} has no enable-tftp: dnsmasq serves no TFTP",
            path.display()
        ));
        c.root = None;
    }
    if c.root.is_none() && enabled {
        c.notes.push("enable-tftp without tftp-root: dnsmasq serves its working folder, which loadsmith cannot know".into());
    }
    c
}

/// The files a `conf-file`/`conf-dir` line includes, when simple: a
/// `conf-dir` with a `*.conf` or `.ext` filter, or with exclusions, is
/// read without them; anything else is left, saying so.
fn includes(kind: &str, v: &str, notes: &mut Vec<String>) -> Vec<PathBuf> {
    let mut parts = v.split(',');
    let target = parts.next().unwrap_or("").trim();
    if target.is_empty() {
        return Vec::new();
    }
    if kind == "conf-file" {
        return vec![PathBuf::from(target)];
    }
    let filters: Vec<&str> = parts.map(str::trim).collect();
    let wanted = |name: &str| {
        !name.starts_with('.')
            && !name.ends_with('~')
            && filters.iter().all(|f| match f.strip_prefix('*') {
                Some(ext) => name.ends_with(ext),
                None => !name.ends_with(f),
            })
    };
    let mut out: Vec<PathBuf> = match std::fs::read_dir(target) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| wanted(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect(),
        Err(e) => {
            notes.push(format!("conf-dir {target} cannot be read: {e}"));
            Vec::new()
        }
    };
    out.sort();
    out
}

/// The user `name` as `passwd` and `group` in [`etc`] give it, with the
/// server's own rules (`config`); `None` when `passwd` has no such user.
pub fn reader_of(config: &ServerConfig) -> Option<Reader> {
    let etc = etc();
    let passwd = read_text(&etc.join("passwd")).ok()?;
    let (uid, gid) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 4 && f[0] == config.user)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })?;
    let mut gids = vec![gid];
    if let Ok(group) = read_text(&etc.join("group")) {
        for l in group.lines() {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() >= 4
                && f[3].split(',').any(|m| m.trim() == config.user)
                && let Ok(g) = f[2].parse()
            {
                gids.push(g);
            }
        }
    }
    let hpa = config.server == "tftpd-hpa";
    Some(Reader {
        name: config.user.clone(),
        uid,
        gids,
        needs_world_read: hpa && !config.permissive,
        owner_only: !hpa && config.secure && uid != 0,
        server: config.server.clone(),
    })
}

/// Why `root` looks laid out for remap rules, when it does: no file at
/// its top (hidden names aside) and files in the folders below it, which
/// a server without rules would never serve.
pub fn looks_remapped(root: &Path) -> Option<String> {
    let mut folders_with_files = Vec::new();
    for e in std::fs::read_dir(root).ok()?.flatten().take(10_000) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let t = e.file_type().ok()?;
        if t.is_file() {
            return None;
        }
        let holds = t.is_dir()
            && std::fs::read_dir(e.path())
                .ok()?
                .flatten()
                .take(10_000)
                .any(|f| f.file_type().is_ok_and(|t| t.is_file() || t.is_dir()));
        if holds {
            folders_with_files.push(name);
        }
    }
    if folders_with_files.is_empty() {
        return None;
    }
    folders_with_files.sort();
    Some(format!(
        "no file at the top of the root, files under {}: the root looks laid out for remap rules, which phones reach only through them",
        folders_with_files.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tftpd_hpa_defaults_are_read_as_the_init_script_passes_them() {
        let c = tftpd_hpa(
            "# defaults\nTFTP_USERNAME=\"tftp\"\nTFTP_DIRECTORY=\"/srv/tftp\"\nTFTP_ADDRESS=\":69\"\nTFTP_OPTIONS=\"--secure -m /etc/tftpd.remap -u phones\"\n",
        );
        assert_eq!(c.root.as_deref(), Some(Path::new("/srv/tftp")));
        assert_eq!(c.map_file.as_deref(), Some(Path::new("/etc/tftpd.remap")));
        assert_eq!((c.user.as_str(), c.secure), ("phones", true));
        assert!(c.notes.is_empty());
        let c = tftpd_hpa("TFTP_DIRECTORY=/tftpboot\nTFTP_OPTIONS=\"-vvp --map-file=/r\"\n");
        assert!(!c.secure && c.permissive);
        assert_eq!(c.map_file.as_deref(), Some(Path::new("/r")));
        assert!(c.notes[0].contains("Only absolute filenames allowed"));
    }

    #[test]
    fn dnsmasq_needs_enable_tftp_and_takes_the_root_before_the_interface() {
        let c = dnsmasq(
            "enable-tftp\ntftp-root=/srv/tftp,eth1\ntftp-secure\nuser=dnsmasq\n",
            Path::new("d"),
        );
        assert_eq!(c.root.as_deref(), Some(Path::new("/srv/tftp")));
        assert!(c.secure && c.user == "dnsmasq" && c.notes[0].contains("eth1"));
        let c = dnsmasq("tftp-root=/srv/tftp\n", Path::new("d"));
        assert!(c.root.is_none() && c.notes[0].contains("no enable-tftp"));
    }
}
