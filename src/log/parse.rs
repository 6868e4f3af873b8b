//! One line of a TFTP server's log, as the servers people run write it:
//! tftpd-hpa (through syslog or journald, at any of its verbosities),
//! dnsmasq's TFTP server, and tftpd32/tftpd64. Anything else in the file
//! is skipped; a line with missing fields is used as far as it goes.
//!
//! tftpd-hpa forks a process per request, so its lines about one request
//! share a PID: `remap: input: NAME` (`-vvv`), `RRQ from ADDR filename NAME
//! [remapped to PATH]` (`-v`), `sending NAK (CODE, TEXT) to ADDR` (`-vv`),
//! and in newer versions `Client ADDR finished NAME` and `Client ADDR File
//! not found PATH`. A request refused by an `a` remap rule has no RRQ line,
//! only the remap lines and the NAK.
//!
//! Lines as people paste them ([`pasted`](super::pasted)): without the
//! syslog prefix (with or without a time), journald's `-o json` and `-o
//! cat`, SolarWinds TFTP Server's; a client address that was masked
//! (`x.x.x.x`) or stripped is no address.

/// Which server wrote the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Server {
    /// tftpd-hpa (`in.tftpd`).
    TftpdHpa,
    /// dnsmasq's TFTP server.
    Dnsmasq,
    /// tftpd32 / tftpd64.
    Tftpd32,
    /// SolarWinds TFTP Server.
    Solarwinds,
}

/// What a line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A read request for a file; `path` when the remap rules changed it.
    Request {
        /// The name asked for.
        file: String,
        /// What the rules made of it.
        path: Option<String>,
    },
    /// tftpd-hpa `-vvv`: the name a request's remapping starts from.
    RemapInput(String),
    /// The server refused: TFTP error code and text (`File not found`, `Access denied`).
    Refused {
        /// The TFTP error code.
        code: u16,
        /// The server's text.
        text: String,
        /// The file, when the line names it.
        file: Option<String>,
    },
    /// The file was sent whole.
    Sent(String),
}

/// One line that matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Which server.
    pub server: Server,
    /// Seconds since the start of the year (syslog/journald stamps) or of
    /// the day (tftpd32's `[MM/DD HH:MM:SS.mmm]`), when the line has a time.
    pub at: Option<u32>,
    /// The process (tftpd-hpa, dnsmasq), when the line has one.
    pub pid: Option<u32>,
    /// The client's address, when the line names it.
    pub client: Option<String>,
    /// What happened.
    pub what: What,
}

/// Parses a line; `None` for lines of other programs and lines too cut to use.
pub fn parse(line: &str) -> Option<Line> {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut l = tagged_line(line)
        .or_else(|| tftpd32(line.trim()))
        .or_else(|| super::pasted::parse(line))?;
    // A masked or stripped address (`x.x.x.x`, `<ip>`) names no client.
    l.client = l.client.filter(|c| is_address(c));
    Some(l)
}

/// A line with its program's tag: `in.tftpd[PID]:`, `dnsmasq-tftp[PID]:`
/// (or without the PID).
fn tagged_line(line: &str) -> Option<Line> {
    if let Some((pid, msg)) = tagged(line, "in.tftpd") {
        return hpa(msg).map(|(client, what)| Line {
            server: Server::TftpdHpa,
            at: syslog_time(line),
            pid,
            client,
            what,
        });
    }
    if let Some((pid, msg)) = tagged(line, "dnsmasq-tftp") {
        return dnsmasq(msg).map(|(client, what)| Line {
            server: Server::Dnsmasq,
            at: syslog_time(line),
            pid,
            client,
            what,
        });
    }
    None
}

/// True for an IPv4 or IPv6 address (an IPv6 one may carry `%zone`).
pub fn is_address(c: &str) -> bool {
    let c = c.split('%').next().unwrap_or(c);
    c.parse::<std::net::IpAddr>().is_ok()
}

/// `…prog[PID]: message` → (PID, message); `…prog: message` → (None, message).
fn tagged<'a>(line: &'a str, prog: &str) -> Option<(Option<u32>, &'a str)> {
    let at = line.find(prog)?;
    let rest = &line[at + prog.len()..];
    if let Some(msg) = rest.strip_prefix(": ") {
        return Some((None, msg.trim_start()));
    }
    let (pid, msg) = rest.strip_prefix('[')?.split_once("]:")?;
    Some((pid.parse().ok(), msg.trim_start()))
}

/// The client and what a server's message says.
pub(super) type Said = (Option<String>, What);

/// The TFTP error texts tftpd-hpa names in `Client ADDR TEXT PATH`, and their codes.
const HPA_ERRORS: [(&str, u16); 4] = [
    ("File not found", 1),
    ("Access violation", 2),
    ("Permission denied", 2),
    ("Illegal TFTP operation", 4),
];

/// A tftpd-hpa message (what follows `in.tftpd[PID]: `).
pub(super) fn hpa(msg: &str) -> Option<Said> {
    if let Some(rest) = msg.strip_prefix("RRQ from ") {
        // A stripped address: `RRQ from filename NAME`.
        let (client, file) = match rest.strip_prefix("filename ") {
            Some(file) => ("", file),
            None => rest.split_once(" filename ")?,
        };
        let (file, path) = match file.split_once(" remapped to ") {
            Some((f, p)) => (f, Some(p.trim().to_string())),
            None => (file, None),
        };
        return Some((
            Some(client.trim().to_string()),
            What::Request {
                file: file.trim().to_string(),
                path,
            },
        ));
    }
    if let Some(file) = msg.strip_prefix("remap: input: ") {
        return Some((None, What::RemapInput(file.trim().to_string())));
    }
    if let Some(rest) = msg.strip_prefix("sending NAK (") {
        let (code, rest) = rest.split_once(", ")?;
        let (text, client) = match rest.rsplit_once(") to ") {
            Some((t, c)) => (t, Some(c.trim().to_string())),
            None => (rest.trim_end_matches(')'), None),
        };
        return Some((
            client,
            What::Refused {
                code: code.trim().parse().ok()?,
                text: text.to_string(),
                file: None,
            },
        ));
    }
    if let Some(rest) = msg.strip_prefix("Client ") {
        let (client, said) = rest.split_once(' ')?;
        let client = Some(client.trim().to_string());
        if let Some(file) = said.strip_prefix("finished ") {
            return Some((client, What::Sent(file.trim().to_string())));
        }
        let (text, code) = HPA_ERRORS.iter().find(|(t, _)| said.starts_with(t))?;
        let file = said[text.len()..].trim();
        return Some((
            client,
            What::Refused {
                code: *code,
                text: text.to_string(),
                file: (!file.is_empty()).then(|| file.to_string()),
            },
        ));
    }
    None
}

/// dnsmasq logs the path it opened (`/srv/tftp/NAME`); phones asked for the
/// part below the TFTP root, which the log does not give: the base name is
/// what a flat root serves.
fn base(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// A dnsmasq TFTP message (what follows `dnsmasq-tftp[PID]: `).
pub(super) fn dnsmasq(msg: &str) -> Option<Said> {
    if let Some(rest) = msg.strip_prefix("sent ") {
        let (path, client) = rest.rsplit_once(" to ")?;
        return Some((Some(client.trim().to_string()), What::Sent(base(path))));
    }
    if let Some(rest) = msg.strip_prefix("file ") {
        let (path, client) = match rest.split_once(" not found for ") {
            Some((p, c)) => (p, Some(c.trim().to_string())),
            None => (rest.strip_suffix(" not found")?, None),
        };
        let file = Some(base(path));
        return Some((
            client,
            What::Refused {
                code: 1,
                text: "File not found".into(),
                file,
            },
        ));
    }
    if let Some(rest) = msg.strip_prefix("error ") {
        // `error 8 User aborted the transfer received from ADDR`
        let (head, client) = rest.rsplit_once(" received from ")?;
        let (_, text) = head.split_once(' ')?;
        return Some((
            Some(client.trim().to_string()),
            What::Refused {
                code: 0,
                text: format!("the phone ended the transfer: {text}"),
                file: None,
            },
        ));
    }
    if let Some(rest) = msg.strip_prefix("failed sending ") {
        let (path, client) = rest.rsplit_once(" to ")?;
        let file = Some(base(path));
        return Some((
            Some(client.trim().to_string()),
            What::Refused {
                code: 0,
                text: "the transfer failed".into(),
                file,
            },
        ));
    }
    if let Some(rest) = msg.strip_prefix("cannot access ") {
        let (path, text) = rest.split_once(": ")?;
        let file = Some(base(path));
        return Some((
            None,
            What::Refused {
                code: 2,
                text: text.trim().to_string(),
                file,
            },
        ));
    }
    None
}

fn tftpd32(line: &str) -> Option<Line> {
    let (text, at) = match line.rfind(" [") {
        Some(i) if line.ends_with(']') => (&line[..i], tftpd32_time(&line[i + 2..line.len() - 1])),
        _ => (line, None),
    };
    let one = |client, what| {
        Some(Line {
            server: Server::Tftpd32,
            at,
            pid: None,
            client,
            what,
        })
    };
    if let Some(rest) = text.strip_prefix("Connection received from ") {
        let client = rest.split_whitespace().next()?.to_string();
        return one(Some(client), What::RemapInput(String::new()));
    }
    if let Some(rest) = text.strip_prefix("Read request for file <") {
        let file = rest.split_once('>')?.0.to_string();
        return one(None, What::Request { file, path: None });
    }
    if let Some(rest) = text.strip_prefix("File <") {
        let (file, err) = rest.split_once("> : error ")?;
        let code: u16 = err.split_whitespace().next()?.parse().ok()?;
        let (code, text) = match code {
            2 | 3 => (1, "File not found".to_string()),
            _ => (
                2,
                err.split_once(' ')
                    .map(|x| x.1)
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            ),
        };
        return one(
            None,
            What::Refused {
                code,
                text,
                file: Some(file.to_string()),
            },
        );
    }
    if let Some(rest) = text.strip_prefix('<') {
        let (file, _) = rest.split_once(">: sent ")?;
        return one(None, What::Sent(file.to_string()));
    }
    None
}

/// `Nov 22 02:57:14` (syslog, journald short) or `2026-11-22T02:57:14…`
/// (journald short-iso, RFC 5424) at the start of the line → seconds.
pub(super) fn syslog_time(line: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut it = line.split_whitespace();
    let first = it.next()?;
    let (month, day, clock) = match MONTHS.iter().position(|m| *m == first) {
        Some(m) => (m as u32, it.next()?.parse::<u32>().ok()?, it.next()?),
        None => {
            let (date, clock) = first.split_once('T')?;
            let mut d = date.split('-').skip(1);
            let month = d.next()?.parse::<u32>().ok()?.checked_sub(1)?;
            (month, d.next()?.parse().ok()?, clock)
        }
    };
    let mut c = clock.split(':');
    let (h, m) = (
        c.next()?.parse::<u32>().ok()?,
        c.next()?.parse::<u32>().ok()?,
    );
    let s: u32 = c.next()?.get(..2)?.parse().ok()?;
    Some(((month * 31 + day) * 24 + h) * 3600 + m * 60 + s)
}

/// tftpd32's `11/22 02:57:14.123` → seconds.
fn tftpd32_time(stamp: &str) -> Option<u32> {
    let (date, clock) = stamp.split_once(' ')?;
    let (month, day) = date.split_once('/')?;
    let mut c = clock.split(':');
    let (h, m) = (
        c.next()?.parse::<u32>().ok()?,
        c.next()?.parse::<u32>().ok()?,
    );
    let s: u32 = c.next()?.get(..2)?.parse().ok()?;
    let (month, day): (u32, u32) = (month.parse().ok()?, day.parse().ok()?);
    Some(((month.checked_sub(1)? * 31 + day) * 24 + h) * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tftpd_hpa_lines() {
        let l = parse("Nov 22 02:57:14 pbx in.tftpd[4825]: RRQ from 10.0.0.5 filename term61.default.loads remapped to firmware/7941/term61.default.loads").unwrap();
        assert_eq!(l.pid, Some(4825));
        assert_eq!(l.client.as_deref(), Some("10.0.0.5"));
        assert_eq!(
            l.what,
            What::Request {
                file: "term61.default.loads".into(),
                path: Some("firmware/7941/term61.default.loads".into())
            }
        );
        assert!(l.at.is_some());
        let n = parse("in.tftpd[4827]: sending NAK (1, File not found) to 10.0.0.5").unwrap();
        assert_eq!(
            n.what,
            What::Refused {
                code: 1,
                text: "File not found".into(),
                file: None
            }
        );
        assert_eq!(
            parse("Nov 22 02:57:14 in.tftpd[1]: remap: input: x")
                .unwrap()
                .what,
            What::RemapInput("x".into())
        );
        assert_eq!(
            parse("in.tftpd[1]: Client 10.0.0.5 finished a.sbn")
                .unwrap()
                .what,
            What::Sent("a.sbn".into())
        );
    }

    #[test]
    fn dnsmasq_and_tftpd32_lines() {
        let s = parse("Nov 22 02:57:14 gw dnsmasq-tftp[77]: sent /srv/tftp/SEP0011BB73AD61.cnf.xml to 10.0.0.5").unwrap();
        assert_eq!(s.what, What::Sent("SEP0011BB73AD61.cnf.xml".into()));
        let f = parse("dnsmasq-tftp[77]: file /srv/tftp/term06.default.loads not found").unwrap();
        assert_eq!(f.client, None);
        assert!(matches!(f.what, What::Refused { code: 1, .. }));
        let r = parse(
            "Read request for file <SEP0011BB73AD61.cnf.xml>. Mode octet [22/11 02:57:14.120]",
        )
        .unwrap();
        assert_eq!(r.server, Server::Tftpd32);
        let e = parse("File <term06.default.loads> : error 2 in system call CreateFile The system cannot find the file specified. [11/22 02:57:15.002]").unwrap();
        assert!(matches!(e.what, What::Refused { code: 1, .. }));
        assert!(parse("<jar41sccp.9-4-2ES26.sbn>: sent 4523 blks, 2315478 bytes in 3 s. 0 blk resent [11/22 02:57:18.777]").is_some());
        let f = parse("dnsmasq-tftp[77]: failed sending /srv/tftp/a.sbn to 10.0.0.5").unwrap();
        assert_eq!(f.client.as_deref(), Some("10.0.0.5"));
        assert!(
            parse("dnsmasq-tftp[77]: error 8 User aborted the transfer received from 10.0.0.5")
                .is_some()
        );
        // journald -o short-iso
        let j = parse("2026-11-22T03:00:01+0000 pbx in.tftpd[5]: RRQ from 10.0.0.5 filename a.sbn")
            .unwrap();
        assert!(j.at.is_some());
    }

    #[test]
    fn cut_and_foreign_lines_are_skipped() {
        for l in [
            "",
            "in.tftpd[",
            "in.tftpd[12]: RRQ from",
            "Nov 22 sshd[1]: Accepted",
            "in.tftpd[x]: sending NAK (",
            "dnsmasq-tftp[1]: sent ",
            "File <x",
        ] {
            let _ = parse(l);
        }
        assert!(parse("Nov 22 02:00:00 h sshd[1]: RRQ from 1.2.3.4 filename x").is_none());
        // A line without its address still counts.
        let l = parse("in.tftpd[9]: sending NAK (2, Access denied)").unwrap();
        assert_eq!(l.client, None);
    }
}
