//! The phones of a root's per-phone files (`SEP<MAC>.cnf.xml`,
//! `SIP<MAC>.cnf`, `MGC<MAC>.cnf`), each walked with its own MAC: a phone
//! reads its own file before the shared ones. A cluster's root holds tens
//! of thousands, most of them alike: files of one protocol whose load
//! settings are equal are one group, walked once (its first file), and the
//! row says how many MACs it stands for and the first few.

use std::collections::{HashMap, HashSet};

use super::pointer::PointerReport;
use crate::names::{Model, Protocol};
use crate::phone::fleet::{self, Phones, Row};
use crate::phone::source::FileSource;
use crate::pointers::Setting;

/// MACs kept per group, for people (the count says how many there are).
pub const MACS_SHOWN: usize = 3;

/// What a per-phone file names: its settings and the loads they name.
type Named<'a> = Vec<(Setting, &'a str)>;

/// One group: what its files name, and its files (MAC order).
struct Group<'a> {
    protocol: Protocol,
    named: Named<'a>,
    files: Vec<(&'a str, String)>,
}

/// Groups the per-phone files among `names` by protocol and the load
/// settings `pointers` give them, in the order of their first file; an
/// `odd` file (not served, unreadable, no regular file) is a group alone.
fn groups<'a>(
    names: impl Iterator<Item = &'a String>,
    pointers: &'a [PointerReport],
    odd: &HashSet<&str>,
) -> Vec<Group<'a>> {
    let mut settings: HashMap<&str, Named<'a>> = HashMap::new();
    for p in pointers.iter().filter(|p| p.per_phone) {
        settings
            .entry(p.file.as_str())
            .or_default()
            .push((p.setting, p.value.as_str()));
    }
    // An odd file's own name is part of its key: it shares with no other.
    type Key<'a> = (Protocol, Named<'a>, Option<&'a str>);
    let mut index: HashMap<Key<'a>, usize> = HashMap::new();
    let mut out: Vec<Group<'a>> = Vec::new();
    for name in names {
        let Some((protocol, mac)) = fleet::per_phone_file(name) else {
            continue;
        };
        let named = settings.remove(name.as_str()).unwrap_or_default();
        let alone = odd.contains(name.as_str()).then_some(name.as_str());
        let at = *index
            .entry((protocol, named.clone(), alone))
            .or_insert_with(|| {
                out.push(Group {
                    protocol,
                    named,
                    files: Vec::new(),
                });
                out.len() - 1
            });
        out[at].files.push((name.as_str(), mac));
    }
    out
}

/// The rows of the phones of every per-phone file among `names`: one per
/// group and model its files can concern (`concerned`: the models the
/// root concerns, for files that name nothing).
pub fn rows<'a>(
    src: &mut dyn FileSource,
    names: impl Iterator<Item = &'a String>,
    pointers: &'a [PointerReport],
    (concerned, odd): (&[&'static Model], &HashSet<&str>),
) -> Vec<Row> {
    let mut out = Vec::new();
    for g in groups(names, pointers, odd) {
        let Some((file, mac)) = g.files.first() else {
            continue;
        };
        let phones = Phones {
            file: file.to_string(),
            count: g.files.len(),
            macs: g
                .files
                .iter()
                .take(MACS_SHOWN)
                .map(|(_, m)| m.clone())
                .collect(),
        };
        for model in fleet::per_phone_models(g.protocol, &g.named, concerned) {
            out.push(fleet::per_phone_row(src, model, mac, &phones));
        }
    }
    out
}
