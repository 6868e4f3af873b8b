//! Log lines as people paste them into tickets and forums, and as other
//! tools print them:
//!
//! - tftpd-hpa's and dnsmasq's messages without the syslog prefix, with a
//!   time in front (`Nov 22 02:57:14`, `2026-11-22 02:57:14`,
//!   `2026-11-22T02:57:14+0000`, `[…]` around any of them) or none
//!   (journald `-o cat`); such lines carry no PID: the reader joins them by
//!   order and address;
//! - journald `-o json`: one JSON object per line, its `MESSAGE` read as the
//!   program (`SYSLOG_IDENTIFIER`) wrote it;
//! - SolarWinds TFTP Server: `Received read request for file 'NAME' from
//!   ADDR`, `Successfully sent file 'NAME' to ADDR`, `Could not find file
//!   'C:\TFTP-Root\NAME'` (the .NET text), after a time in either form
//!   above or `11/22/2026 2:57:14 AM`.

use super::parse::{Line, Said, Server, What, dnsmasq, hpa, syslog_time};

/// A line none of the tagged forms matched.
pub fn parse(line: &str) -> Option<Line> {
    let trimmed = line.trim();
    if trimmed.starts_with('{') {
        return journal_json(trimmed);
    }
    let (at, msg) = stamp(trimmed);
    if let Some((client, what)) = hpa(msg) {
        return Some(one(Server::TftpdHpa, at, None, client, what));
    }
    if bare_dnsmasq(msg)
        && let Some((client, what)) = dnsmasq(msg)
    {
        return Some(one(Server::Dnsmasq, at, None, client, what));
    }
    solarwinds(msg).map(|(client, what)| one(Server::Solarwinds, at, None, client, what))
}

fn one(
    server: Server,
    at: Option<u32>,
    pid: Option<u32>,
    client: Option<String>,
    what: What,
) -> Line {
    Line {
        server,
        at,
        pid,
        client,
        what,
    }
}

/// A dnsmasq message without its tag names an absolute path.
fn bare_dnsmasq(msg: &str) -> bool {
    ["sent /", "file /", "failed sending /", "cannot access /"]
        .iter()
        .any(|p| msg.starts_with(p))
}

/// journald `-o json`: `{"MESSAGE": "…", "SYSLOG_IDENTIFIER": "in.tftpd",
/// "_PID": "4825", "__REALTIME_TIMESTAMP": "…µs…"}`.
fn journal_json(line: &str) -> Option<Line> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str());
    let msg = field("MESSAGE")?;
    let pid = field("_PID")
        .or_else(|| field("SYSLOG_PID"))
        .and_then(|p| p.parse().ok());
    let at = field("__REALTIME_TIMESTAMP")
        .and_then(|t| t.parse::<u64>().ok())
        .map(|us| (us / 1_000_000) as u32);
    let (server, said): (Server, Option<Said>) = match field("SYSLOG_IDENTIFIER")? {
        "in.tftpd" | "tftpd" => (Server::TftpdHpa, hpa(msg)),
        "dnsmasq-tftp" | "dnsmasq" => (Server::Dnsmasq, dnsmasq(msg)),
        _ => return None,
    };
    let (client, what) = said?;
    Some(one(server, at, pid, client, what))
}

/// The time in front of a pasted line, and the rest of it.
fn stamp(line: &str) -> (Option<u32>, &str) {
    if let Some(inner) = line.strip_prefix('[')
        && let Some((t, rest)) = inner.split_once(']')
        && let Some(at) = time_of(t)
    {
        return (Some(at), rest.trim_start());
    }
    for words in [3, 2, 1] {
        let (head, rest) = split_words(line, words);
        if let Some(at) = time_of(head) {
            return (Some(at), rest);
        }
    }
    (None, line)
}

/// The first `n` words of `line` (one space or more between), and the rest.
fn split_words(line: &str, n: usize) -> (&str, &str) {
    let mut end = 0;
    for _ in 0..n {
        let rest = &line[end..];
        let start = end + (rest.len() - rest.trim_start().len());
        let word = line[start..]
            .find(char::is_whitespace)
            .unwrap_or(line.len() - start);
        end = start + word;
    }
    (&line[..end], line[end..].trim_start())
}

/// A whole time stamp → seconds (see [`Line::at`](super::parse::Line)).
fn time_of(t: &str) -> Option<u32> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let clock_like = |w: &str| {
        w.len() >= 7 && w.as_bytes().get(2) == Some(&b':') || w.as_bytes().get(1) == Some(&b':')
    };
    match words.as_slice() {
        // `Nov 22 02:57:14`, `2026-11-22T02:57:14…`
        [_, _, c] if clock_like(c) => syslog_time(t),
        [one] if one.contains('T') => syslog_time(t),
        // `2026-11-22 02:57:14[,123]`
        [date, clock] if date.len() == 10 && date.as_bytes()[4] == b'-' => {
            syslog_time(&format!("{date}T{clock}"))
        }
        // `11/22/2026 2:57:14 AM`
        [date, clock, half] if matches!(*half, "AM" | "PM") => us_time(date, clock, *half == "PM"),
        _ => None,
    }
}

/// `11/22/2026`, `2:57:14` and AM/PM → seconds.
fn us_time(date: &str, clock: &str, pm: bool) -> Option<u32> {
    let mut d = date.split('/');
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    let mut c = clock.split(':');
    let h: u32 = c.next()?.parse().ok()?;
    let m: u32 = c.next()?.parse().ok()?;
    let s: u32 = c.next()?.get(..2)?.parse().ok()?;
    let h = h % 12 + if pm { 12 } else { 0 };
    Some(((month.checked_sub(1)? * 31 + day) * 24 + h) * 3600 + m * 60 + s)
}

/// The text between the first pair of single quotes; a Windows path gives its last part.
fn quoted(msg: &str) -> Option<String> {
    let (_, rest) = msg.split_once('\'')?;
    let (name, _) = rest.split_once('\'')?;
    let name = name.rsplit(['\\', '/']).next().unwrap_or(name);
    (!name.is_empty()).then(|| name.to_string())
}

/// The address after ` from ` or ` to ` (a trailing `.` or `:port` dropped).
fn address_after(msg: &str) -> Option<String> {
    [" from ", " to "].iter().find_map(|k| {
        let (_, rest) = msg.rsplit_once(k)?;
        let word = rest.split_whitespace().next()?.trim_end_matches(['.', ',']);
        let word = match word.rsplit_once(':') {
            Some((a, p)) if a.contains('.') && p.bytes().all(|b| b.is_ascii_digit()) => a,
            _ => word,
        };
        Some(word.to_string())
    })
}

/// SolarWinds TFTP Server's messages.
fn solarwinds(msg: &str) -> Option<Said> {
    let lower = msg.to_ascii_lowercase();
    let file = quoted(msg)?;
    let client = address_after(msg);
    if lower.contains("read request for file") {
        return Some((client, What::Request { file, path: None }));
    }
    if lower.starts_with("could not find file") || lower.contains("' not found") {
        let what = What::Refused {
            code: 1,
            text: "File not found".into(),
            file: Some(file),
        };
        return Some((client, what));
    }
    if lower.contains("sent file") || lower.contains("completed") {
        return Some((client, What::Sent(file)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_in_front_of_pasted_lines() {
        for l in [
            "Nov 22 02:57:14 RRQ from 10.0.0.5 filename a.sbn",
            "2026-11-22 02:57:14 RRQ from 10.0.0.5 filename a.sbn",
            "2026-11-22T02:57:14+0000 RRQ from 10.0.0.5 filename a.sbn",
            "[2026-11-22 02:57:14,120] RRQ from 10.0.0.5 filename a.sbn",
            "11/22/2026 2:57:14 AM RRQ from 10.0.0.5 filename a.sbn",
        ] {
            let p = parse(l).unwrap_or_else(|| panic!("{l}"));
            assert!(p.at.is_some(), "{l}");
            assert_eq!(p.client.as_deref(), Some("10.0.0.5"), "{l}");
        }
        let p = parse("RRQ from 10.0.0.5 filename a.sbn").unwrap();
        assert_eq!((p.at, p.pid), (None, None));
    }

    #[test]
    fn journald_json_and_solarwinds() {
        let j = parse(r#"{"__REALTIME_TIMESTAMP":"1795748234000000","_PID":"4825","SYSLOG_IDENTIFIER":"in.tftpd","MESSAGE":"RRQ from 10.0.0.5 filename a.sbn"}"#).unwrap();
        assert_eq!(j.pid, Some(4825));
        assert!(j.at.is_some());
        assert!(
            parse(r#"{"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"RRQ from 10.0.0.5 filename a.sbn"}"#)
                .is_none()
        );
        let s = parse(
            "11/22/2026 2:57:15 AM  Could not find file 'C:\\TFTP-Root\\SIP41.8-5-4T.loads'.",
        )
        .unwrap();
        assert_eq!(s.server, Server::Solarwinds);
        assert!(
            matches!(s.what, What::Refused { code: 1, file: Some(ref f), .. } if f == "SIP41.8-5-4T.loads")
        );
        let r = parse("11/22/2026 2:57:15 AM  Received read request for file 'term06.default.loads' from 10.0.0.9:49152").unwrap();
        assert_eq!(r.client.as_deref(), Some("10.0.0.9"));
    }
}
