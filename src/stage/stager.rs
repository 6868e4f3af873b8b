//! Streams the members of a target's set from the bundle into hidden
//! temporary files in the root, verifying each against the digest `inspect`
//! computed. Renaming them into place is the caller's (`stage`) job.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufWriter, Read, Write};

use sha2::{Digest, Sha256};

use crate::bundle::{MemberInfo, Problem, Sink, safe};
use crate::error::Action;
use crate::error::{Error, Result};
use crate::inspect::member::hex;
use crate::root::manifest;
use crate::served::{Opened, Placement};

/// Streams the wanted members of the bundle into temporary files.
pub(super) struct Stager<'a> {
    dirs: &'a Opened,
    place: &'a Placement,
    /// Names wanted, with their expected SHA-256.
    pub wanted: HashMap<String, String>,
    /// Names written, with their temporary names (in the folder each goes to).
    pub written: BTreeMap<String, String>,
    /// The first failure, if any.
    pub error: Option<Error>,
    /// Told each piece written.
    watch: crate::inspect::watch::Watch,
}

impl<'a> Stager<'a> {
    /// A stager writing into the folders `place` sends each name to, open in `dirs`.
    pub fn new(
        dirs: &'a Opened,
        place: &'a Placement,
        wanted: HashMap<String, String>,
        watch: crate::inspect::watch::Watch,
    ) -> Stager<'a> {
        Stager {
            dirs,
            place,
            wanted,
            written: BTreeMap::new(),
            error: None,
            watch,
        }
    }

    /// Removes the temporary files written (those renamed already are gone).
    pub fn remove_tmps(&self) {
        for (name, tmp) in &self.written {
            if let Ok(dir) = self.place.folder_of(self.dirs, name) {
                let _ = dir.remove(tmp);
            }
        }
    }

    fn write(&mut self, name: &str, want: &str, data: &mut dyn Read) -> Result<()> {
        let folder = self.place.folder_of(self.dirs, name)?;
        let (tmp, f) = manifest::create_tmp(folder, self.place.split(name).1)?;
        self.written.insert(name.to_string(), tmp.clone());
        let tmp_path = folder.path_of(&tmp);
        let mut w = BufWriter::with_capacity(256 * 1024, f);
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = data
                .read(&mut buf)
                .map_err(|e| Error::io(Action::ReadBundleFor, name, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            crate::files::fault::point()
                .and_then(|_| w.write_all(&buf[..n]))
                .map_err(|e| Error::io(Action::Write, &tmp_path, e))?;
            self.watch.done(name, n as u64);
        }
        let f = w
            .into_inner()
            .map_err(|e| Error::io(Action::Write, &tmp_path, e.into_error()))?;
        manifest::finish_tmp(folder, &tmp, f)?;
        if hex(&h.finalize()) != want {
            return Err(Error::Refused {
                details: Vec::new(),
                message: format!(
                    "{name} changed in the bundle since it was inspected; nothing was staged"
                ),
                hint: Some("run the stage again".into()),
            });
        }
        Ok(())
    }
}

impl Sink for Stager<'_> {
    fn member(&mut self, info: &MemberInfo, data: &mut dyn Read) -> io::Result<()> {
        if self.error.is_some() || info.kind != crate::bundle::EntryKind::File {
            return Ok(());
        }
        let Ok(name) = safe::base_name(&info.path) else {
            return Ok(());
        };
        let Some(want) = self.wanted.get(name).cloned() else {
            return Ok(());
        };
        if self.written.contains_key(name) {
            return Ok(());
        }
        if let Err(e) = self.write(name, &want, data) {
            self.error = Some(e);
        }
        Ok(())
    }

    fn problem(&mut self, problem: Problem, member: Option<&str>, detail: String) {
        if self.error.is_none() {
            self.error = Some(Error::Refused {
                details: Vec::new(),
                message: format!(
                    "the bundle failed while staging ({problem:?} at {}: {detail}); nothing was staged",
                    member.unwrap_or("the bundle")
                ),
                hint: Some("inspect the bundle and download it again".into()),
            });
        }
    }
}
