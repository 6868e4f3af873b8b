//! A root as the TFTP server serves it: which path each name a phone asks
//! for opens, through tftpd-hpa's remap rules (`--map-file`) when it has
//! them, and which names the root therefore serves.
//!
//! Without rules a name opens the file of that name at the top of the
//! root. With rules, a tree laid out as `firmware/<model>/` + `settings/`
//! serves the names the rules send there: loadsmith offers every base name
//! of the tree (phones ask for base names) to the rules and keeps those
//! that open a regular file, so `check`, folder `boot` and `stage` see the
//! flat root phones see.

mod asked;
pub mod config;
pub mod rules;
pub mod view;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Action;
use crate::files::beneath::{Folder, WalkError};
use rules::{Mapped, Rules, served_path};

/// Folders walked below the root at most, and entries looked at at most.
const MAX_DEPTH: usize = 12;
const MAX_ENTRIES: usize = 2_000_000;

/// A root and the rules its server applies.
#[derive(Debug, Clone)]
pub struct Served {
    /// The root folder.
    pub root: PathBuf,
    /// The server's remap rules, if any.
    pub rules: Option<Rules>,
}

/// Where one requested name leads: a path, or the server's refusal. Each
/// carries the last rule that acted (`line N: TEXT`), when one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The request opens `path`, relative to the root.
    Opens {
        /// The path opened, relative to the root.
        path: String,
        /// The last rule that acted.
        rule: Option<String>,
    },
    /// The server refuses the request.
    Refused {
        /// Why, in the server's words.
        why: String,
        /// The last rule that acted.
        rule: Option<String>,
    },
}

impl Resolution {
    /// True when a rule changed the name (or refused it).
    pub fn remapped(&self, name: &str) -> bool {
        self.path() != Some(name)
    }

    /// The path opened, relative to the root; `None` when refused.
    pub fn path(&self) -> Option<&str> {
        match self {
            Resolution::Opens { path, .. } => Some(path),
            Resolution::Refused { .. } => None,
        }
    }

    /// The path opened; `None` when refused.
    pub fn into_path(self) -> Option<String> {
        match self {
            Resolution::Opens { path, .. } => Some(path),
            Resolution::Refused { .. } => None,
        }
    }

    /// The last rule that acted (`line N: TEXT`), when one did.
    pub fn rule(&self) -> Option<&str> {
        match self {
            Resolution::Opens { rule, .. } | Resolution::Refused { rule, .. } => rule.as_deref(),
        }
    }
}

impl Served {
    /// A root served without rules.
    pub fn plain(root: &Path) -> Served {
        Served {
            root: root.to_path_buf(),
            rules: None,
        }
    }

    /// Where a request for `name` leads.
    pub fn resolve(&self, name: &str) -> Resolution {
        // `E` rules ask whether a name opens a file in the root.
        let probe = |p: &str| crate::files::open_inside(&self.root, p).is_ok();
        resolve_with(self.rules.as_ref(), name, Some(&probe))
    }

    /// What the server makes of the tree, in one walk: every name a phone
    /// could ask for that opens a regular file (with the path it opens),
    /// and, with rules, the files a request for their own name does not
    /// reach (the rules send the name to a path that does not exist, or
    /// refuse it). Hidden names are skipped.
    pub fn survey(&self) -> std::io::Result<Survey> {
        let mut out = Survey::default();
        // A root that does not exist yet (a stage will make it) serves nothing.
        if !self.root.exists() {
            return Ok(out);
        }
        let mut files = Vec::new();
        if self.rules.is_some() {
            let top = Folder::open(&self.root)?;
            collect(&top, "", 0, &mut files, &mut out.leftovers)?;
        } else {
            for e in fs::read_dir(&self.root)? {
                let e = e?;
                if e.file_type()?.is_file() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    files.push((name.clone(), name));
                }
            }
        }
        files.sort();
        files.dedup_by(|a, b| a.0 == b.0);
        for (name, at) in files.into_iter().filter(|(n, _)| !n.starts_with('.')) {
            let r = self.resolve(&name);
            // Opened as the server would (a link followed only inside the
            // root), never through a link out of it.
            let opens = r
                .path()
                .filter(|p| crate::files::open_inside(&self.root, p).is_ok())
                .map(str::to_string);
            match opens {
                Some(p) => {
                    out.served.insert(name, p);
                }
                None if self.rules.is_some() => out.stranded.push(Stranded { name, at, went: r }),
                None => {}
            }
        }
        // Names phones ask for that reach a file spelled otherwise on disk.
        asked::widen(self, &mut out);
        Ok(out)
    }
}

/// What the server makes of a root's tree ([`Served::survey`]).
#[derive(Debug, Clone, Default)]
pub struct Survey {
    /// Each name served, and the path (relative to the root) it opens.
    pub served: BTreeMap<String, String>,
    /// Files a request for their own name does not reach.
    pub stranded: Vec<Stranded>,
    /// Temporary files an interrupted stage left in the folders below the
    /// root (paths relative to it; the root's own are not listed).
    pub leftovers: Vec<String>,
}

/// A file of the tree that a request for its own name does not reach (the
/// rules send the name elsewhere, or refuse it).
#[derive(Debug, Clone)]
pub struct Stranded {
    /// The file's base name, as phones would ask for it.
    pub name: String,
    /// Where the file lies, relative to the root.
    pub at: String,
    /// Where a request for `name` goes instead.
    pub went: Resolution,
}

/// Where a request for `name` leads under `rules` (none: the name itself).
pub fn resolve(rules: Option<&Rules>, name: &str) -> Resolution {
    resolve_with(rules, name, None)
}

/// [`resolve`], `probe` saying which names open a file (for `E` rules).
fn resolve_with(rules: Option<&Rules>, name: &str, probe: Option<rules::Probe>) -> Resolution {
    let Some(rules) = rules else {
        return Resolution::Opens {
            path: name.to_string(),
            rule: None,
        };
    };
    let rw = match probe {
        Some(p) => rules.rewrite_in(name, None, p),
        None => rules.rewrite(name, None),
    };
    let rule = rw
        .last_rule(rules)
        .map(|r| format!("line {}: {}", r.line, r.text));
    match rw.mapped {
        Mapped::Path(p) => match served_path(&p) {
            Some(path) => Resolution::Opens { path, rule },
            None => Resolution::Refused {
                why: "the rules leave no file name".to_string(),
                rule,
            },
        },
        Mapped::Refused(why) => Resolution::Refused { why, rule },
    }
}

/// The base names of regular files (and links) under `dir` with their
/// paths relative to the root, hidden folders skipped, and loadsmith's
/// temporary files in the folders below the root. Each folder is opened
/// from the one above it without following a link: a link to a folder is
/// listed as a name, never walked into, even when swapped in meanwhile.
fn collect(
    dir: &Folder,
    rel: &str,
    depth: usize,
    out: &mut Vec<(String, String)>,
    temps: &mut Vec<String>,
) -> std::io::Result<()> {
    use rustix::fs::FileType;
    if depth > MAX_DEPTH || out.len() > MAX_ENTRIES {
        return Ok(());
    }
    for (name, ft) in dir.entries()? {
        let at = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if name.starts_with(crate::root::manifest::TMP_PREFIX)
            && !rel.is_empty()
            && ft != FileType::Directory
        {
            temps.push(at);
            continue;
        }
        if name.starts_with('.') {
            continue;
        }
        match ft {
            // A folder others cannot enter is reported by the permission
            // checks; its files are still offered to the rules.
            FileType::Directory => {
                if let Ok(sub) = dir.walk(&name, false) {
                    let _ = collect(&sub, &at, depth + 1, out, temps);
                }
            }
            FileType::RegularFile | FileType::Symlink => out.push((name, at)),
            _ => {}
        }
    }
    Ok(())
}

/// Where `stage` writes each name: where the server's rules send it (the
/// name itself at the top of the root without rules).
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// Names the rules send elsewhere, and where (relative to the root).
    pub map: BTreeMap<String, String>,
}

/// One name placed.
struct Placed {
    /// The name phones ask for.
    name: String,
    /// Its path, relative to the root.
    path: String,
    /// The rule that sent it there (`""`: none).
    rule: String,
}

impl Placed {
    /// The rule that placed the name, in words.
    fn by(&self) -> String {
        match self.rule.as_str() {
            "" => "no rule changes it".into(),
            r => r.to_string(),
        }
    }
}

impl Placement {
    /// Where the rules send each of `names`. A reason to refuse the stage
    /// (before anything is written): a name the rules refuse or send into
    /// a hidden folder (`.loadsmith/`); two names sent to one path, or a
    /// path needed both as a file and as a folder; a link, or a file where
    /// a folder is needed, anywhere on a path in the root as it is.
    pub fn of<'a>(
        served: &Served,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Placement, String> {
        let mut map = BTreeMap::new();
        if served.rules.is_none() {
            return Ok(Placement { map });
        }
        let mut placed: Vec<Placed> = Vec::new();
        for name in names {
            let (path, rule) = match served.resolve(name) {
                Resolution::Opens { path, rule } => (path, rule.unwrap_or_default()),
                Resolution::Refused { why, rule } => {
                    return Err(format!(
                        "the remap rules refuse {name} ({why}; {}): phones could never fetch it",
                        rule.unwrap_or_default()
                    ));
                }
            };
            if path.split('/').any(|c| c.starts_with('.')) {
                return Err(format!(
                    "the remap rules send {name} to {path} ({rule}), inside a hidden folder loadsmith keeps for itself"
                ));
            }
            if placed.iter().all(|p| p.name != name) {
                placed.push(Placed {
                    name: name.to_string(),
                    path: path.clone(),
                    rule,
                });
            }
            if path != name {
                map.insert(name.to_string(), path);
            }
        }
        clashes(&placed)?;
        on_disk(&served.root, &placed)?;
        Ok(Placement { map })
    }

    /// The path of `name`, relative to the root.
    pub fn rel<'a>(&'a self, name: &'a str) -> &'a str {
        self.map.get(name).map(String::as_str).unwrap_or(name)
    }

    /// The folder `name` is written in (relative to the root, `""` for the
    /// root) and its file name there.
    pub fn split<'a>(&'a self, name: &'a str) -> (&'a str, &'a str) {
        let rel = self.rel(name);
        rel.rsplit_once('/').unwrap_or(("", rel))
    }

    /// The folders files are written in, relative to the root (the root, `""`, first).
    pub fn folders(&self) -> Vec<String> {
        let mut out = vec![String::new()];
        for name in self.map.keys() {
            let (dir, _) = self.split(name);
            if !out.iter().any(|d| d == dir) {
                out.push(dir.to_string());
            }
        }
        out
    }

    /// The open folder `name` is written in.
    pub fn folder_of<'a>(&self, dirs: &'a Opened, name: &str) -> crate::error::Result<&'a Folder> {
        let (dir, _) = self.split(name);
        dirs.get(dir).ok_or_else(|| {
            crate::error::Error::io(
                Action::Open,
                dir,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
        })
    }

    /// Opens every folder files are written in, walking from the root
    /// without following a link; with `create`, makes the missing ones
    /// (mode 0755 whatever the umask).
    pub fn open(&self, root: &Path, create: bool) -> std::io::Result<Opened> {
        let top = Folder::open(root)?;
        let mut dirs = BTreeMap::new();
        for rel in self.folders() {
            match top.walk(&rel, create) {
                Ok(f) => {
                    dirs.insert(rel, f);
                }
                Err(WalkError::Missing { .. }) => {}
                Err(WalkError::Io { err, .. }) => return Err(err),
                Err(e) => {
                    return Err(std::io::Error::other(format!(
                        "{e}: loadsmith never writes through a link"
                    )));
                }
            }
        }
        Ok(Opened { dirs })
    }
}

/// The folders of a [`Placement`], open.
#[derive(Debug)]
pub struct Opened {
    dirs: BTreeMap<String, Folder>,
}

impl Opened {
    /// The open folder `rel` (relative to the root), when it exists.
    pub fn get(&self, rel: &str) -> Option<&Folder> {
        self.dirs.get(rel)
    }

    /// The open folders.
    pub fn all(&self) -> impl Iterator<Item = &Folder> {
        self.dirs.values()
    }
}

/// Two names on one path, or a path needed as a file and as a folder.
fn clashes(placed: &[Placed]) -> Result<(), String> {
    for (i, a) in placed.iter().enumerate() {
        for b in &placed[i + 1..] {
            if a.path == b.path {
                return Err(format!(
                    "the remap rules send both {} ({}) and {} ({}) to {}: one would overwrite the other",
                    a.name,
                    a.by(),
                    b.name,
                    b.by(),
                    a.path
                ));
            }
            for (f, d) in [(a, b), (b, a)] {
                if d.path.starts_with(&format!("{}/", f.path)) {
                    return Err(format!(
                        "the remap rules need {} both as a file, for {} ({}), and as a folder, for {} at {} ({})",
                        f.path,
                        f.name,
                        f.by(),
                        d.name,
                        d.path,
                        d.by()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A link or a non-folder on a placed path, in the root as it is.
fn on_disk(root: &Path, placed: &[Placed]) -> Result<(), String> {
    let top = match Folder::open(root) {
        Ok(t) => t,
        // A root that does not exist yet holds nothing in the way.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{} cannot be opened: {e}", root.display())),
    };
    for p in placed {
        let why = match top.probe(&p.path) {
            Ok(()) => continue,
            Err(WalkError::Link { at }) => format!(
                "{at} is a link; loadsmith never writes through a link, so a file cannot land outside the root or in its own folder"
            ),
            Err(e) => e.to_string(),
        };
        return Err(format!(
            "the remap rules send {} to {} ({}), and in the root {why}",
            p.name,
            p.path,
            p.by()
        ));
    }
    Ok(())
}
