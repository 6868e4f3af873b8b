//! Trust lists in `inspect`: the lines under a `.tlv` member, and
//! `--trusted-by OLD.tlv` (whether phones that hold OLD accept a list).

use std::path::Path;

use serde::Serialize;

use super::output::{Out, Style, safe};
use crate::error::Error;
use crate::inspect::BundleReport;
use crate::trust::{self, Trust, TrustList, Verdict, findings::date};

/// The lines shown under a trust-list member.
pub(super) fn render(t: &TrustList, out: Out) -> String {
    let mut s = String::new();
    let verdict = if t.signature == Verdict::Verified {
        out.paint("signature verified", Style::Good)
    } else {
        out.paint(&format!("signature {}", t.signature.describe()), Style::Bad)
    };
    let when = t
        .timestamp
        .map(|ts| format!(" · signed {}", date(i64::from(ts))))
        .unwrap_or_default();
    s.push_str(&format!(
        "        trust list v{} · {} records{when} · {} · RSA {} · {verdict}\n",
        t.version,
        t.records.len(),
        t.digest.as_deref().unwrap_or("no digest"),
        t.key_bits.map_or("?".into(), |b| b.to_string()),
    ));
    s.push_str(&format!(
        "        signer {} · serial {}",
        safe(&t.signer.name),
        t.signer.serial
    ));
    if let Some(v) = &t.signer_version {
        s.push_str(&format!(" · signer version {v}"));
    }
    if let Some(n) = &t.file_name {
        s.push_str(&format!(" · carries the name {}", safe(n)));
    }
    s.push('\n');
    s.push_str(&format!("        md5 {} · sha1 {}\n", t.md5, t.sha1));
    for (i, r) in t.records.iter().enumerate() {
        let role = r.role.map_or("no role".into(), |x| x.label());
        let signer = if t.signer_record == Some(i) {
            " (the signer)"
        } else {
            ""
        };
        s.push_str(&format!(
            "        {:<18} {}{signer}\n",
            role,
            safe(r.subject.as_deref().unwrap_or("(no subject)"))
        ));
        let dns = r
            .dns_name
            .as_deref()
            .map(|d| format!(" · dns {}", safe(d)))
            .unwrap_or_default();
        s.push_str(&format!(
            "            issuer {} · serial {} · RSA {}{dns}\n",
            safe(r.issuer.as_deref().unwrap_or("?")),
            r.serial,
            r.key_bits.map_or("?".into(), |b| b.to_string())
        ));
        if let Some(c) = &r.certificate {
            let state = match r.validity {
                Some(trust::cert::Validity::Expired) => out.paint("EXPIRED", Style::Bad),
                Some(trust::cert::Validity::NotYetValid) => out.paint("NOT YET VALID", Style::Bad),
                _ => "valid".into(),
            };
            s.push_str(&format!(
                "            {state} {} to {} · sha256 {}\n",
                date(c.not_before),
                date(c.not_after),
                c.sha256
            ));
        }
    }
    s
}

/// One list compared with `--trusted-by`.
#[derive(Debug, Serialize)]
pub(super) struct TrustedBy {
    /// The list inspected.
    pub file: String,
    /// The list phones hold.
    pub old: String,
    /// The verdict.
    #[serde(flatten)]
    pub trust: Trust,
    /// The sentence.
    pub message: String,
}

/// Reads `--trusted-by OLD` whole: it must decode.
pub(super) fn read_old(path: &Path) -> Result<TrustList, Error> {
    let data = crate::files::read_capped(path, trust::MAX_SIZE)
        .map_err(|source| Error::open(path, source))?;
    trust::analyse(&data, trust::now()).map_err(|e| Error::Usage {
        message: format!("{}: {e}", path.display()),
    })
}

/// Every trust list of `reports` compared with `old`.
pub(super) fn compare(
    reports: &[BundleReport],
    old: &TrustList,
    old_path: &Path,
) -> Vec<TrustedBy> {
    let old_name = old_path.display().to_string();
    let mut v = Vec::new();
    for r in reports {
        for m in &r.members {
            let Some(new) = &m.trust else { continue };
            let trust = trust::trusted_by(new, old);
            let message = match trust {
                Trust::Accepted => format!(
                    "phones that hold {old_name} accept {}: its signer {} is a SAST certificate of the old list",
                    m.name, new.signer.name
                ),
                Trust::NotVerified => format!(
                    "phones that hold {old_name} refuse {}: its signature {}",
                    m.name,
                    new.signature.describe()
                ),
                Trust::OtherSigner => format!(
                    "phones that hold {old_name} refuse {} and every file it signs: \
                     its signer {} (serial {}) is not a SAST certificate of the old list (signed by {}); \
                     sign it with the old SAST key, or erase the trust list on each phone",
                    m.name, new.signer.name, new.signer.serial, old.signer.name
                ),
            };
            v.push(TrustedBy {
                file: m.name.clone(),
                old: old_name.clone(),
                trust,
                message,
            });
        }
    }
    v
}

/// The human lines of `--trusted-by`.
pub(super) fn render_compared(v: &[TrustedBy], out: Out) -> String {
    v.iter()
        .map(|t| {
            let tag = if t.trust == Trust::Accepted {
                out.paint("ACCEPTED", Style::Pass)
            } else {
                out.paint("REFUSED ", Style::Bad)
            };
            format!("{tag} {}\n", safe(&t.message))
        })
        .collect()
}
