//! The server's own configuration on the command line (`--server-config`,
//! or the machine's when `check` is given no root): the root, the rules
//! and the user it yields, the line that says where they came from, and
//! what the installed `in.tftpd` makes of the rules.

use std::path::{Path, PathBuf};

use crate::error::Action;
use crate::error::Error;
use crate::served::config::{self, ServerConfig};
use crate::served::rules::Rules;

/// What the server's configuration and the rules give a command.
#[derive(Debug, Default, serde::Serialize)]
pub(super) struct Server {
    /// The configuration read, when one was.
    #[serde(flatten)]
    pub config: Option<ServerConfig>,
    /// The oldest tftp-hpa release the rules need, when past 5.2.
    pub rules_need: Option<crate::served::rules::Needs>,
    /// What the installed in.tftpd makes of the rules, when it would not read them.
    pub installed: Option<String>,
    /// A root that looks laid out for rules checked without them: why, and what to pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The rules.
    #[serde(skip)]
    pub rules: Option<Rules>,
}

/// Reads `--server-config` (or, with `machine`, the machine's own when
/// there is one) and the rules (`--map-file` first), and sets the user
/// permissions are judged for. Says on stderr what it took from where.
pub(super) fn load(
    server_config: Option<&Path>,
    map_file: Option<&Path>,
    machine: bool,
) -> Result<Server, Error> {
    let config = match server_config {
        Some(p) => Some(config::read(p).map_err(|e| Error::io(Action::ReadServerConfig, p, e))?),
        None if machine => config::of_machine()
            .transpose()
            .map_err(|e| Error::io(Action::ReadServerConfig, config::etc(), e))?,
        None => None,
    };
    let rules_path: Option<PathBuf> = map_file
        .map(Path::to_path_buf)
        .or_else(|| config.as_ref().and_then(|c| c.map_file.clone()));
    let rules = rules_path.as_deref().map(Rules::load).transpose()?;
    if let Some(c) = &config {
        if let Some(r) = config::reader_of(c) {
            crate::files::reader::serve_as(r);
        }
        let mut said = Vec::new();
        if let Some(root) = &c.root {
            said.push(format!("root {}", root.display()));
        }
        match (&c.map_file, map_file) {
            (Some(m), None) => said.push(format!("rules {}", m.display())),
            (_, Some(m)) => said.push(format!("rules {} (--map-file)", m.display())),
            _ => {}
        }
        said.push(format!("runs as {}", c.user));
        let line = format!(
            "loadsmith: {} configuration {}: {}",
            c.server,
            c.config.display(),
            said.join(", ")
        );
        eprintln!("{}", super::output::safe(&line));
        for n in &c.notes {
            eprintln!("loadsmith: note: {}", super::output::safe(n));
        }
    }
    let mut s = Server {
        config,
        rules_need: rules.as_ref().and_then(|r| r.needs.clone()),
        installed: None,
        hint: None,
        rules,
    };
    if let Some(r) = &s.rules {
        if let Some(n) = &r.needs {
            eprintln!(
                "loadsmith: the rules need tftp-hpa {} (line {}: {})",
                n.release,
                n.line,
                super::output::safe(&n.what)
            );
        }
        if let Some((bin, _, why)) = r.against_installed() {
            eprintln!(
                "loadsmith: {}: {}",
                super::output::safe(&bin),
                super::output::safe(&why)
            );
            s.installed = Some(why);
        }
    }
    Ok(s)
}

/// The root a command works on: the one given, else the one the server's
/// configuration names (`--server-config`, else the machine's), with the
/// rules and user that configuration gives. `what` names the argument in
/// the error when there is none ("stage needs a root").
pub(super) fn root_or_configured(
    root: Option<&Path>,
    (server_config, map_file): (Option<&Path>, Option<&Path>),
    what: &str,
) -> Result<(PathBuf, Server), Error> {
    let server = load(server_config, map_file, root.is_none())?;
    match (root, server.root()) {
        (Some(r), _) => Ok((r.to_path_buf(), server)),
        (None, Some(r)) => Ok((r, server)),
        (None, None) => Err(Error::Usage {
            message: match &server.config {
                // Never the current folder: the server resolves a relative
                // root from its own working folder.
                Some(c) if let Some(r) = &c.root => format!(
                    "{what}: {} gives the root {}, not an absolute path: the server resolves it from its own working folder, which loadsmith cannot know; give the root",
                    c.config.display(),
                    r.display()
                ),
                Some(c) => format!(
                    "{what}: {} names no root (no {}): give one",
                    c.config.display(),
                    match c.server.as_str() {
                        "dnsmasq" => "tftp-root",
                        _ => "TFTP_DIRECTORY",
                    }
                ),
                None => format!(
                    "{what}: give it, or --server-config FILE (this machine has no /etc/default/tftpd-hpa or dnsmasq.conf with enable-tftp)"
                ),
            },
        }),
    }
}

impl Server {
    /// The root the configuration gives, when it gives one.
    /// A relative one is none: the server resolves it from its own working
    /// folder, which loadsmith cannot know (and it is never the current one).
    pub(super) fn root(&self) -> Option<PathBuf> {
        (self.config.as_ref())
            .and_then(|c| c.root.clone())
            .filter(|r| r.is_absolute())
    }

    /// Whether there is anything to say in JSON.
    pub(super) fn is_empty(&self) -> bool {
        self.config.is_none() && self.rules_need.is_none() && self.hint.is_none()
    }

    /// Without rules, says (on stderr, and in JSON) when `root` looks laid
    /// out for them, naming the rules file to pass: the machine's when its
    /// configuration names one.
    pub(super) fn hint_remapped(&mut self, root: &Path) {
        if self.rules.is_some() {
            return;
        }
        let Some(why) = config::looks_remapped(root) else {
            return;
        };
        let machine = config::of_machine()
            .and_then(Result::ok)
            .and_then(|c| c.map_file.map(|m| (m, c.config)));
        let pass = match machine {
            Some((m, from)) => format!(
                "pass --map-file {} (the rules {} names)",
                m.display(),
                from.display()
            ),
            None => "pass the rules file in.tftpd is started with (--map-file FILE, the file after -m in TFTP_OPTIONS), or --server-config".to_string(),
        };
        let hint = format!("{why}; {pass}");
        eprintln!("hint: {}", super::output::safe(&hint));
        self.hint = Some(hint);
    }
}

/// A report with the server's configuration beside it (JSON `server`).
#[derive(serde::Serialize)]
pub(super) struct With<'a, T> {
    #[serde(flatten)]
    pub report: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<&'a Server>,
}

impl<'a, T> With<'a, T> {
    pub(super) fn new(report: &'a T, server: &'a Server) -> Self {
        With {
            report,
            server: (!server.is_empty()).then_some(server),
        }
    }
}
