//! A TFTP root on disk as a simulated phone fetches from it
//! ([`DirSource`], a [`FileSource`] served as a chrooted tftpd-hpa serves
//! it), and MAC addresses as users type them ([`parse_mac`]).

use std::io::Read;
use std::path::PathBuf;

use crate::phone::source::{Fetch, FileSource, HEAD};

use crate::served::rules::Rules;
use crate::served::{Resolution, Served};

/// A TFTP root on disk, served as tftpd-hpa serves it (with its remap
/// rules when given): every request goes where [`Served::resolve`] says.
pub struct DirSource {
    /// The folder and the server's remap rules, if any.
    pub served: Served,
    /// The last request and where it led (asked again for the record).
    last: std::cell::RefCell<Option<(String, Resolution)>>,
}

impl DirSource {
    /// A root served with `rules` (`None`: without).
    pub fn mapped(dir: PathBuf, rules: Option<Rules>) -> DirSource {
        DirSource::of(Served { root: dir, rules })
    }

    /// A root as its server serves it.
    pub fn of(served: Served) -> DirSource {
        DirSource {
            served,
            last: Default::default(),
        }
    }

    /// Where a request for `name` leads (the rules applied once per request).
    fn resolve(&self, name: &str) -> Resolution {
        if let Some((n, r)) = &*self.last.borrow()
            && n == name
        {
            return r.clone();
        }
        let r = self.served.resolve(name);
        *self.last.borrow_mut() = Some((name.to_string(), r.clone()));
        r
    }
}

impl FileSource for DirSource {
    fn fetch(&mut self, name: &str) -> Fetch {
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return Fetch::Error("access violation".into());
        }
        // The remap rules first, as the server applies them.
        let r = self.resolve(name);
        let path = match r {
            Resolution::Opens { path, .. } => path,
            Resolution::Refused { why, rule } => {
                let rule = rule
                    .map(|l| format!(" by the remap rule at {l}"))
                    .unwrap_or_default();
                return Fetch::Error(format!("access violation ({name} refused{rule}: {why})"));
            }
        };
        // As a server chrooted into the root: regular files only (a link to
        // one inside the root is followed); a FIFO cannot stall us.
        let f = match crate::files::open_served(&self.served.root, &path) {
            Ok(f) => f,
            Err(crate::files::OpenError::NotFound) => return Fetch::NotFound,
            Err(e @ crate::files::OpenError::NotServed(_)) => {
                return Fetch::Error(format!("access violation ({name}: {e})"));
            }
            Err(e) => return Fetch::Error(format!("not served: {e}")),
        };
        let size = match f.metadata() {
            Ok(m) => m.len(),
            Err(e) => return Fetch::Error(e.to_string()),
        };
        let mut head = Vec::new();
        match f.take(HEAD as u64).read_to_end(&mut head) {
            Ok(_) => Fetch::Found { size, head },
            Err(e) => Fetch::Error(e.to_string()),
        }
    }

    fn describe(&self) -> String {
        self.served.root.display().to_string()
    }

    fn remapped(&self, name: &str) -> Option<String> {
        self.served.rules.as_ref()?;
        let r = self.resolve(name);
        r.remapped(name).then(|| r.into_path().unwrap_or_default())
    }
}

/// Normalises a MAC address in any common spelling (`00:11:BB:73:AD:61`,
/// `0011.bb73.ad61`, `00-11-bb-73-ad-61`, `0011bb73ad61`) to 12 upper-case hex digits.
pub fn parse_mac(text: &str) -> Option<String> {
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.' | ' '))
        .collect();
    (hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_in_every_spelling() {
        for s in [
            "00:11:BB:73:AD:61",
            "0011.bb73.ad61",
            "00-11-bb-73-ad-61",
            "0011bb73ad61",
        ] {
            assert_eq!(parse_mac(s).as_deref(), Some("0011BB73AD61"), "{s}");
        }
        assert_eq!(parse_mac("0011bb73ad6"), None);
        assert_eq!(parse_mac("0011bb73ad6g"), None);
    }
}
