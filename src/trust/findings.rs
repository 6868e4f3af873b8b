//! The findings a trust list raises on its own, wherever it is read
//! (`inspect`, the members `check` reads): damaged, not verified,
//! certificates out of date, empty.

use super::cert::Validity;
use super::{MAX_SIZE, TrustList, Verdict, analyse};
use crate::findings::{self, Certificate, Finding, Signer, Unreadable};

/// Decodes the trust list `name` (its bytes `data`, `size` bytes long in
/// all) at time `now`, and the findings it raises.
pub fn member(name: &str, data: &[u8], size: u64, now: i64) -> (Option<TrustList>, Vec<Finding>) {
    if size == 0 {
        return (None, vec![findings::trust_list_empty(name)]);
    }
    if size > MAX_SIZE || data.len() as u64 != size {
        let max = MAX_SIZE;
        let too_large = Unreadable::TrustList { name, size, max };
        return (None, vec![findings::unreadable(too_large)]);
    }
    let t = match analyse(data, now) {
        Ok(t) => t,
        Err(e) => return (None, vec![findings::trust_list_damaged(name, &e)]),
    };
    let mut out = Vec::new();
    if t.signature != Verdict::Verified {
        let signer = Signer {
            name: &t.signer.name,
            serial: &t.signer.serial,
        };
        let verdict = t.signature.describe();
        out.push(findings::trust_list_signature(name, verdict, signer));
    }
    for r in &t.records {
        let who = r.subject.as_deref().unwrap_or("(no subject)");
        let role = r
            .role
            .map(|x| x.label())
            .unwrap_or_else(|| "no role".into());
        let on;
        let cert = match (&r.certificate, r.validity, &r.certificate_error) {
            (_, _, Some(e)) => Certificate::Unreadable(e),
            (Some(c), Some(Validity::Expired), _) => {
                on = date(c.not_after);
                Certificate::Expired(&on)
            }
            (Some(c), Some(Validity::NotYetValid), _) => {
                on = date(c.not_before);
                Certificate::NotYetValid(&on)
            }
            _ => continue,
        };
        out.push(findings::trust_list_certificate(name, who, &role, cert));
    }
    (Some(t), out)
}

/// What a phone makes of the trust list `name` it fetched (`data`, its
/// first bytes; `size` in all): secure mode and whom it trusts, or
/// nonsecure mode for an empty file (seed 000).
pub fn mode(name: &str, data: &[u8], size: u64) -> String {
    if size == 0 {
        return format!(
            "{name} is empty: nonsecure mode (the phone accepts unsigned configuration files)"
        );
    }
    let secure = format!("{name} is present and not empty: secure mode");
    if size > MAX_SIZE || data.len() as u64 != size {
        return format!(
            "{secure}; it is larger than loadsmith reads of a trust list, so whom the phone trusts is not known"
        );
    }
    match analyse(data, super::now()) {
        Err(e) => {
            format!("{secure}, but {e}: the phone refuses the list; what it does next is uncertain")
        }
        Ok(t) if t.signature != Verdict::Verified => format!(
            "{secure}, but its signature {}: the phone refuses the list; what it does next is uncertain",
            t.signature.describe()
        ),
        Ok(t) => {
            let files = if t.has_tftp_role() {
                format!(
                    "accepts signed configuration files only from {}",
                    who(&t, true)
                )
            } else {
                "holds no TFTP certificate, so it accepts no signed configuration file".into()
            };
            format!(
                "{secure}: signed by {}; the phone {files}, and later trust lists only from {}",
                t.signer.name,
                who(&t, false)
            )
        }
    }
}

/// The subjects of the TFTP-role records (`tftp`), or of the SAST
/// records, joined with `; `.
pub fn who(t: &TrustList, tftp: bool) -> String {
    let v: std::collections::BTreeSet<String> = t
        .decoded()
        .records
        .iter()
        .filter(|r| {
            r.role().is_some_and(|x| {
                if tftp {
                    x.is_tftp()
                } else {
                    x == super::list::RecordRole::Sast
                }
            })
        })
        .map(|r| r.subject.clone().unwrap_or_else(|| "(no subject)".into()))
        .collect();
    v.into_iter().collect::<Vec<_>>().join("; ")
}

/// A Unix time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn date(t: i64) -> String {
    let c = crate::clock::civil(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::date(1_767_052_054), "2025-12-29 23:47:34 UTC");
        assert_eq!(super::date(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
