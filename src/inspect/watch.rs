//! A watcher of long reads and writes: told how many bytes to expect and
//! each piece done, with the file it belongs to. `check` (through
//! [`super::Options`]) and `stage` take one from the command line, which
//! draws a progress bar on a terminal; the library knows no terminal.

use std::sync::Arc;

/// What a watcher is told. Called from reader threads: keep it cheap.
pub trait Progress: Send + Sync {
    /// `bytes` in all are to be read or written (before the work starts).
    fn expect(&self, bytes: u64);
    /// `bytes` more of the file `name` were read or written.
    fn done(&self, name: &str, bytes: u64);
}

/// A watcher, or nobody (the default).
#[derive(Clone, Default)]
pub struct Watch(Option<Arc<dyn Progress>>);

impl Watch {
    /// A watch telling `p`.
    pub fn new(p: Arc<dyn Progress>) -> Watch {
        Watch(Some(p))
    }

    /// See [`Progress::expect`].
    pub fn expect(&self, bytes: u64) {
        if let Some(p) = &self.0 {
            p.expect(bytes);
        }
    }

    /// See [`Progress::done`].
    pub fn done(&self, name: &str, bytes: u64) {
        if let Some(p) = &self.0 {
            p.done(name, bytes);
        }
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Watch(watched)"
        } else {
            "Watch(nobody)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Tally(Mutex<(u64, u64, Vec<String>)>);

    impl Progress for Tally {
        fn expect(&self, bytes: u64) {
            self.0.lock().unwrap().0 += bytes;
        }
        fn done(&self, name: &str, bytes: u64) {
            let mut t = self.0.lock().unwrap();
            t.1 += bytes;
            t.2.push(name.to_string());
        }
    }

    #[test]
    fn a_watch_tells_its_watcher_and_nobody_is_told_nothing() {
        let tally = Arc::new(Tally::default());
        let w = Watch::new(tally.clone());
        w.expect(10);
        w.done("a", 4);
        w.clone().done("b", 6);
        Watch::default().done("c", 1);
        assert_eq!(
            *tally.0.lock().unwrap(),
            (10, 10, vec!["a".into(), "b".into()])
        );
    }
}
