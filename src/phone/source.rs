//! What a phone fetches through: a [`FileSource`] answers each request with
//! a [`Fetch`], the size and a bounded head of the file (enough for
//! configuration files, `.loads` lists and signed headers). `boot` gives a
//! folder and a live TFTP server; `stage` gives the root as it will be.

/// Bytes kept from each fetched file.
pub const HEAD: usize = 64 * 1024;

/// The outcome of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// The file was served: its size and first bytes.
    Found {
        /// Total size.
        size: u64,
        /// Up to [`HEAD`] bytes.
        head: Vec<u8>,
    },
    /// The server said "file not found".
    NotFound,
    /// Any other error (access violation, timeout, I/O).
    Error(String),
}

/// A source of files, as a phone sees a TFTP server: exact, case-sensitive names.
pub trait FileSource {
    /// Requests one file.
    fn fetch(&mut self, name: &str) -> Fetch;
    /// How the source is shown.
    fn describe(&self) -> String;
    /// Why nothing could be asked at all (no server answered), if so: then
    /// there is no phone verdict to give.
    fn unreachable(&self) -> Option<String> {
        None
    }
    /// The path the server opens for `name`, when its remap rules change it.
    fn remapped(&self, _name: &str) -> Option<String> {
        None
    }
}
