//! `loadsmith boot`: render a predicted boot.

use super::output::{Counts, Out, Style, safe};
use super::{Outcome, stdout_err};
use crate::boot::source::{DirSource, parse_mac};
use crate::boot::tftp::TftpSource;
use crate::error::Action;
use crate::error::Error;
use crate::names::models::model_by_name;
use crate::phone::source::FileSource;
use crate::phone::{BootReport, Kind, State as BootOptions, walk as boot};

pub(super) fn run(
    source: Option<&str>,
    mac: &str,
    model: &str,
    (running, factory_reset): (Option<String>, bool),
    (deadline, map_file, server_config): (u64, Option<&std::path::Path>, Option<&std::path::Path>),
    out: Out,
) -> Result<Outcome, Error> {
    let mac = parse_mac(mac).ok_or_else(|| Error::Usage {
        message: format!(
            "--mac {mac}: want 12 hex digits (00:11:BB:73:AD:61, 0011.bb73.ad61, 0011bb73ad61)"
        ),
    })?;
    let model = model_by_name(model).ok_or_else(|| Error::Usage {
        message: format!(
            "--model {model}: not a model loadsmith knows (7940, 7960, CP-7961G, IP Phone 7906, …)"
        ),
    })?;
    let (mut src, server): (Box<dyn FileSource>, _) = match source {
        Some(s) if s.starts_with("tftp://") => {
            if map_file.is_some() || server_config.is_some() {
                return Err(Error::Usage {
                    message: "--map-file and --server-config apply to a folder: a live server applies its own rules".into(),
                });
            }
            let mut t = TftpSource::parse(s)?;
            t.deadline = std::time::Duration::from_secs(deadline);
            (Box::new(t), super::server::Server::default())
        }
        _ => folder(source, (server_config, map_file))?,
    };
    let r = boot(
        src.as_mut(),
        &BootOptions {
            mac,
            model,
            running,
            factory_reset,
        },
    );
    if let Some(message) = src.unreachable() {
        return Err(Error::Unreachable { message });
    }
    // A boot that does not settle is a problem; an uncertain one counts
    // as a warning, the others as an error.
    let counts = match r.verdict.kind {
        Kind::Settles => Counts::default(),
        Kind::Uncertain => Counts {
            warnings: 1,
            ..Counts::default()
        },
        Kind::Error | Kind::Loops => Counts::errors(1),
    };
    let outcome = Outcome::of(r.verdict.kind != Kind::Settles, false);
    if out.json {
        let doc = super::server::With::new(&r, &server);
        out.json(&doc, counts, outcome).map_err(stdout_err)?;
    } else {
        let errors = match r.verdict.kind {
            Kind::Settles => String::new(),
            _ => format!("{} {}: {}\n", r.model, r.mac, safe(&r.verdict.message)),
        };
        out.result(&render(&r, out), &errors).map_err(stdout_err)?;
    }
    Ok(outcome)
}

/// The folder `source` names (with no source, the root the server's
/// configuration names), seen through its rules; and that configuration.
fn folder(
    source: Option<&str>,
    (server_config, map_file): (Option<&std::path::Path>, Option<&std::path::Path>),
) -> Result<(Box<dyn FileSource>, super::server::Server), Error> {
    let (dir, mut server) = super::server::root_or_configured(
        source.map(std::path::Path::new),
        (server_config, map_file),
        "boot needs a source (a folder or tftp://host[:port])",
    )?;
    if !dir.is_dir() {
        let (kind, what) = match dir.exists() {
            false => (std::io::ErrorKind::NotFound, "it does not exist"),
            true => (std::io::ErrorKind::NotADirectory, "it is not a folder"),
        };
        let e = std::io::Error::new(kind, what);
        return Err(Error::io(Action::OpenRoot, &dir, e));
    }
    let rules = server.rules.take();
    Ok((Box::new(DirSource::mapped(dir, rules)), server))
}

fn render(r: &BootReport, out: Out) -> String {
    let mut s = format!(
        "{} {} {} against {}\n  requests:\n",
        out.paint("boot", Style::Title),
        r.model,
        r.mac,
        safe(&r.source)
    );
    for q in &r.requests {
        let status = match (q.status, q.size) {
            ("found", Some(n)) => format!("found ({n} bytes)"),
            (st, _) => st.to_string(),
        };
        let detail = q
            .detail
            .as_deref()
            .map(|d| format!(": {}", safe(d)))
            .unwrap_or_default();
        s.push_str(&format!(
            "    pass {}  {:<34} {status}{detail}\n",
            q.pass,
            safe(&q.file)
        ));
    }
    s.push_str("  decisions:\n");
    for d in &r.decisions {
        s.push_str(&format!("    - {}\n", safe(d)));
    }
    if let Some(p) = &r.plan {
        s.push('\n');
        s.push_str(&super::plan::render(p, out));
        s.push('\n');
    }
    if let Some(x) = &r.refused {
        s.push_str(&format!("  hint: {}\n", x.hint));
    }
    let (word, style) = match r.verdict.kind {
        Kind::Settles => ("settles", Style::Pass),
        Kind::Error => ("error", Style::Bad),
        Kind::Loops => ("loops", Style::Loops),
        Kind::Uncertain => ("uncertain", Style::Unsure),
    };
    let line = super::output::verdict_line(&out.paint(word, style), word, &r.verdict.message);
    s.push_str(&format!("  verdict: {line}\n"));
    s
}
