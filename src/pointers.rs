//! Pointer files: the configuration files that tell phones which load to run.
//!
//! `OS79XX.TXT` (one image name), `SIPDefault.cnf`/`MGCDefault.cnf` and the
//! per-phone `.cnf` files (`image_version: NAME`), `XMLDefault.cnf.xml`
//! (`<loadInformation<N> model="…">NAME</…>`) and `SEP<MAC>.cnf.xml`
//! (`<loadInformation>NAME</…>`). Readers find the names they point at;
//! editors change only the value concerned and keep every other byte as it
//! was (other lines, other models' entries, comments). XML is edited as a
//! stream of `quick-xml` events, never by string search. The files' names
//! are the phone model's (`names::config`, re-exported by `phone::files`).

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

/// The setting of a configuration file that names a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    /// The one line of `OS79XX.TXT`.
    Image,
    /// `image_version` in a `.cnf` file.
    ImageVersion,
    /// A `<loadInformation<N>>` element, numbered by device type, or the
    /// bare `<loadInformation>` of a per-phone file (`None`).
    LoadInformation(Option<u32>),
}

/// As the setting is spelled in its file, for messages and output
/// (`image`, `image_version`, `loadInformation7`, `loadInformation`).
impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Setting::Image => f.write_str("image"),
            Setting::ImageVersion => f.write_str(IMAGE_VERSION),
            Setting::LoadInformation(Some(n)) => write!(f, "loadInformation{n}"),
            Setting::LoadInformation(None) => f.write_str("loadInformation"),
        }
    }
}

impl serde::Serialize for Setting {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The key of a `.cnf` file that names the image.
pub const IMAGE_VERSION: &str = "image_version";

/// Why an XML pointer file cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Malformed(String),
    /// No root element to add entries to.
    #[error("no root element")]
    NoRoot,
}

/// The image named by `OS79XX.TXT`: its first non-blank line, trimmed.
pub fn os79xx_value(bytes: &[u8]) -> Option<String> {
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(b)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// A clean `OS79XX.TXT`: the image name alone, CRLF as the vendor ships it.
pub fn os79xx_content(image: &str) -> Vec<u8> {
    format!("{image}\r\n").into_bytes()
}

fn split_key(line: &str, key: &str) -> Option<usize> {
    let t = line.trim_start();
    let rest = t.strip_prefix(key)?;
    let colon = rest.trim_start().strip_prefix(':')?;
    Some(line.len() - colon.len())
}

fn unquote(v: &str) -> String {
    let v = v.split('#').next().unwrap_or("").trim();
    v.trim_matches('"').trim().to_string()
}

/// The value of `key` (`image_version`) in a `.cnf` file; the last one wins, as phones read it.
pub fn cnf_get(bytes: &[u8], key: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .rev()
        .find_map(|l| split_key(l, key).map(|at| unquote(&l[at..])))
}

/// Sets `key` in a `.cnf` file, keeping every other byte (also bytes that
/// are not UTF-8, as in comments written in Windows code pages). An existing
/// line keeps its indentation, spacing, quoting and line ending; a new line
/// is appended in the file's line-ending style.
pub fn cnf_set(bytes: &[u8], key: &str, value: &str) -> Vec<u8> {
    let crlf = bytes.windows(2).any(|w| w == b"\r\n");
    let mut out = Vec::with_capacity(bytes.len() + 40);
    let mut found = false;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let (body, end) = match line.strip_suffix(b"\r\n") {
            Some(b) => (b, "\r\n"),
            None => match line.strip_suffix(b"\n") {
                Some(b) => (b, "\n"),
                None => (line, ""),
            },
        };
        let hit = std::str::from_utf8(body)
            .ok()
            .and_then(|body| split_key(body, key).map(|at| (body, at)));
        let Some((body, at)) = hit else {
            out.extend_from_slice(line);
            continue;
        };
        found = true;
        let rest = &body[at..];
        let lead = &rest[..rest.len() - rest.trim_start().len()];
        let comment = rest
            .find('#')
            .map(|i| format!(" {}", &rest[i..]))
            .unwrap_or_default();
        let v = if rest.trim_start().starts_with('"') {
            format!("\"{value}\"")
        } else {
            value.to_string()
        };
        let lead = if lead.is_empty() { " " } else { lead };
        out.extend_from_slice(format!("{}{lead}{v}{comment}{end}", &body[..at]).as_bytes());
    }
    if !found {
        let nl = if crlf { "\r\n" } else { "\n" };
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(nl.as_bytes());
        }
        out.extend_from_slice(format!("{key}: {value}{nl}").as_bytes());
    }
    out
}

/// One `loadInformation` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadInformation {
    /// The device-type number (`loadInformation7`), or `None` for the bare
    /// `<loadInformation>` of a per-phone file.
    pub device_type: Option<u32>,
    /// The `model` attribute, if any.
    pub model: Option<String>,
    /// The load named.
    pub value: String,
}

fn device_type_of(name: &str) -> Option<Option<u32>> {
    let s = name.strip_prefix("loadInformation")?;
    if s.is_empty() {
        return Some(None);
    }
    if s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().map(Some)
}

fn model_of(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.0 == "model")
        .map(|a| a.value.to_string())
}

/// Every `loadInformation*` element of an XML configuration file.
pub fn xml_get(bytes: &[u8]) -> Result<Vec<LoadInformation>, XmlError> {
    let mut r = Reader::from_reader(bytes);
    r.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut current: Option<LoadInformation> = None;
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if let Some(dt) = device_type_of(e.name().0) {
                    current = Some(LoadInformation {
                        device_type: dt,
                        model: model_of(&e),
                        value: String::new(),
                    });
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(c) = &mut current {
                    c.value.push_str(&t);
                }
            }
            Ok(Event::End(_)) => {
                if let Some(mut c) = current.take() {
                    c.value = c.value.trim().to_string();
                    out.push(c);
                }
            }
            Ok(Event::Eof) => return Ok(out),
            Ok(_) => {}
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
        buf.clear();
    }
}

/// One `loadInformation<N>` entry to write: the device type, the `model`
/// label, and the load it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadEntry {
    /// The device type (`7` for `loadInformation7`).
    pub device_type: u32,
    /// The `model="…"` label (`IP Phone 7960`).
    pub model: String,
    /// The load named.
    pub value: String,
}

/// Sets `loadInformation<N>` entries, keeping every other byte. Existing
/// elements (also zero-padded ones such as `loadInformation00007`) get the
/// new value; missing ones are added before the root element closes. With
/// `bytes` empty, a new `<Default>` document is made.
pub fn xml_set(bytes: &[u8], entries: &[LoadEntry]) -> Result<Vec<u8>, XmlError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(fresh_document(entries));
    }
    let out = XmlEdit::new(bytes, entries).run(bytes)?;
    reads_back(&out, entries)?;
    Ok(out)
}

/// A new `<Default>` document holding `entries` alone.
fn fresh_document(entries: &[LoadEntry]) -> Vec<u8> {
    let mut s = String::from("<Default>\n");
    for e in entries {
        let n = Setting::LoadInformation(Some(e.device_type));
        s.push_str(&format!("  <{n} model=\"{}\">{}</{n}>\n", e.model, e.value));
    }
    s.push_str("</Default>\n");
    s.into_bytes()
}

/// Never hand back a pointer file that does not read back as asked
/// (fuzzing found degenerate documents, such as `<>…</>`, that do not).
fn reads_back(out: &[u8], entries: &[LoadEntry]) -> Result<(), XmlError> {
    let back = xml_get(out)?;
    for e in entries {
        if !back
            .iter()
            .any(|l| l.device_type == Some(e.device_type) && l.value == e.value)
        {
            return Err(XmlError::Malformed(format!(
                "after the edit, {} does not read back; the document is too unusual to edit safely",
                Setting::LoadInformation(Some(e.device_type))
            )));
        }
    }
    Ok(())
}

/// The streaming edit of an XML document: every event passes through as its
/// own raw bytes, so what is not edited is byte-for-byte the input (spacing
/// inside tags, a byte-order mark); the entries asked for get their values.
struct XmlEdit<'a> {
    entries: &'a [LoadEntry],
    out: Vec<u8>,
    /// Which entries have been written.
    done: Vec<bool>,
    depth: usize,
    /// Inside an element whose content is being replaced.
    replacing: bool,
    /// The indent of the root element's children, for new entries.
    indent: String,
    saw_root: bool,
    nl: &'static str,
}

impl<'a> XmlEdit<'a> {
    fn new(bytes: &[u8], entries: &'a [LoadEntry]) -> XmlEdit<'a> {
        XmlEdit {
            entries,
            out: Vec::with_capacity(bytes.len() + 200),
            done: vec![false; entries.len()],
            depth: 0,
            replacing: false,
            indent: String::from("  "),
            saw_root: false,
            nl: match bytes.windows(2).any(|w| w == b"\r\n") {
                true => "\r\n",
                false => "\n",
            },
        }
    }

    /// Passes every event of `bytes` through, editing the entries asked for.
    fn run(mut self, bytes: &[u8]) -> Result<Vec<u8>, XmlError> {
        let mut r = Reader::from_reader(bytes);
        r.config_mut().trim_text(false);
        let mut last = 0usize;
        let mut buf = Vec::new();
        loop {
            let ev = r
                .read_event_into(&mut buf)
                .map_err(|e| XmlError::Malformed(e.to_string()))?;
            let pos = usize::try_from(r.buffer_position())
                .unwrap_or(bytes.len())
                .min(bytes.len());
            let raw = bytes.get(last..pos).unwrap_or_default();
            last = pos;
            if matches!(ev, Event::Eof) {
                break;
            }
            self.event(&ev, raw);
            buf.clear();
        }
        if !self.saw_root {
            return Err(XmlError::NoRoot);
        }
        if self.depth > 0 || self.done.iter().any(|d| !d) {
            // Found by fuzzing: an element left open swallowed the new entries.
            return Err(XmlError::Malformed(
                "an element is never closed, so the entries could not be placed".into(),
            ));
        }
        self.out
            .extend_from_slice(bytes.get(last..).unwrap_or_default());
        Ok(self.out)
    }

    /// The entry an element named `name` holds, if one is asked for.
    fn hit(&self, name: &str) -> Option<usize> {
        let dt = device_type_of(name).flatten()?;
        self.entries.iter().position(|e| e.device_type == dt)
    }

    fn event(&mut self, ev: &Event<'_>, raw: &[u8]) {
        match ev {
            Event::Start(e) => {
                self.depth += 1;
                self.saw_root = true;
                self.out.extend_from_slice(raw);
                if let Some(i) = self.hit(e.name().0) {
                    self.done[i] = true;
                    self.replacing = true;
                    self.out
                        .extend_from_slice(escape(&self.entries[i].value).as_bytes());
                }
            }
            Event::Empty(e) => {
                self.saw_root = true;
                match self.hit(e.name().0) {
                    Some(i) => self.fill(i, e.name().0, raw),
                    None => self.out.extend_from_slice(raw),
                }
            }
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) if self.replacing => {}
            Event::Text(t) => {
                let s: &str = t;
                if self.depth == 1
                    && let Some(last) = s.rsplit('\n').next()
                    && !last.is_empty()
                    && last.chars().all(|c| c == ' ' || c == '\t')
                {
                    self.indent = last.to_string();
                }
                self.out.extend_from_slice(raw);
            }
            Event::End(_) => self.close(raw),
            _ => self.out.extend_from_slice(raw),
        }
    }

    /// An empty element asked for: `<x a="1" />` becomes `<x a="1" >VALUE</x>`.
    fn fill(&mut self, i: usize, name: &str, raw: &[u8]) {
        self.done[i] = true;
        let open = raw.strip_suffix(b"/>").unwrap_or(raw);
        self.out.extend_from_slice(open);
        self.out.push(b'>');
        self.out
            .extend_from_slice(escape(&self.entries[i].value).as_bytes());
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// An element closes; when it is the root, the entries not found are
    /// added before it, in the file's indent and line-ending style.
    fn close(&mut self, raw: &[u8]) {
        self.replacing = false;
        if self.depth == 1 {
            for (e, done) in self.entries.iter().zip(&mut self.done) {
                if *done {
                    continue;
                }
                let n = Setting::LoadInformation(Some(e.device_type));
                let el = format!(
                    "{}<{n} model=\"{}\">{}</{n}>{}",
                    self.indent,
                    escape(&e.model),
                    escape(&e.value),
                    self.nl
                );
                self.out.extend_from_slice(el.as_bytes());
                *done = true;
            }
        }
        self.depth = self.depth.saturating_sub(1);
        self.out.extend_from_slice(raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(device_type: u32, model: &str, value: &str) -> LoadEntry {
        LoadEntry {
            device_type,
            model: model.into(),
            value: value.into(),
        }
    }

    const XML: &str = "<?xml version=\"1.0\"?>\n<Default>\n  <!-- keep me -->\n  <callManagerGroup><members/></callManagerGroup>\n  \
        <loadInformation8 model=\"IP Phone 7940\">P0S3-07-4-00</loadInformation8>\n  <loadInformation434 \
        model=\"IP Phone 7942\">SCCP42.9-4-2SR3-1S</loadInformation434>\n  <loadInformation00007 model=\"IP \
        Phone 7960\" />\n  <authenticationURL>http://x/?a=1&amp;b=2</authenticationURL>\n</Default>\n";

    #[test]
    fn a_byte_order_mark_is_kept() {
        let doc = [&[0xEF, 0xBB, 0xBF][..], XML.as_bytes()].concat();
        assert_eq!(xml_set(&doc, &[]).unwrap(), doc);
    }

    #[test]
    fn an_unclosed_document_is_refused_not_silently_unedited() {
        let r = xml_set(b"?<KKKKK(K>?@", &[entry(115, "m", "SIP41.8-5-4S")]);
        assert!(matches!(r, Err(XmlError::Malformed(_))), "{r:?}");
    }

    #[test]
    fn xml_edit_changes_only_the_values_asked() {
        let out = xml_set(
            XML.as_bytes(),
            &[
                entry(8, "IP Phone 7940", "P0S3-8-12-00"),
                entry(7, "IP Phone 7960", "P0S3-8-12-00"),
            ],
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        let want = XML.replace(">P0S3-07-4-00<", ">P0S3-8-12-00<").replace(
            "<loadInformation00007 model=\"IP Phone 7960\" />",
            "<loadInformation00007 model=\"IP Phone 7960\" >P0S3-8-12-00</loadInformation00007>",
        );
        assert_eq!(out, want);
        let got = xml_get(out.as_bytes()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].value, "SCCP42.9-4-2SR3-1S");
        assert_eq!(got[2].device_type, Some(7));
    }

    #[test]
    fn xml_edit_adds_missing_entries_with_the_files_indent() {
        let out = xml_set(
            b"<Default>\r\n    <a>1</a>\r\n</Default>\r\n",
            &[entry(115, "IP Phone 7941", "SIP41.8-5-4S")],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<Default>\r\n    <a>1</a>\r\n    <loadInformation115 model=\"IP Phone 7941\">SIP41.8-5-4S</loadInformation115>\r\n</Default>\r\n"
        );
        let fresh = xml_set(b"", &[entry(7, "IP Phone 7960", "P0S3-8-12-00")]).unwrap();
        assert_eq!(xml_get(&fresh).unwrap()[0].value, "P0S3-8-12-00");
    }

    #[test]
    fn xml_round_trip_is_byte_exact() {
        let out = xml_set(XML.as_bytes(), &[]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), XML);
        assert!(xml_set(b"<a><b></a>", &[entry(7, "m", "v")]).is_err());
        assert_eq!(xml_set(b"just text", &[]), Err(XmlError::NoRoot));
    }

    #[test]
    fn cnf_edit_keeps_the_rest() {
        let src = b"# SIP defaults\r\nproxy1_address: 10.0.0.1\r\nimage_version: \"P0S3-07-4-00\"   # old\r\nmessages_uri: 55\r\n";
        let out = cnf_set(src, "image_version", "P0S3-8-12-00");
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "# SIP defaults\r\nproxy1_address: 10.0.0.1\r\nimage_version: \"P0S3-8-12-00\" # old\r\nmessages_uri: 55\r\n"
        );
        assert_eq!(
            cnf_get(&out, "image_version").as_deref(),
            Some("P0S3-8-12-00")
        );
        assert_eq!(
            cnf_set(b"a: 1", "image_version", "X"),
            b"a: 1\nimage_version: X\n"
        );
        assert_eq!(cnf_set(b"", "image_version", "X"), b"image_version: X\n");
        assert_eq!(
            cnf_get(b"image_version:P0S3-06-3-00\n", "image_version").as_deref(),
            Some("P0S3-06-3-00")
        );
    }

    #[test]
    fn cnf_edit_keeps_bytes_that_are_not_utf8() {
        let src = b"# caf\xe9 \xff\xfe\r\nimage_version: P0S3-07-4-00\r\n# \x80 end";
        let out = cnf_set(src, "image_version", "P0S3-8-12-00");
        assert_eq!(
            out,
            b"# caf\xe9 \xff\xfe\r\nimage_version: P0S3-8-12-00\r\n# \x80 end".to_vec()
        );
    }

    #[test]
    fn os79xx_reads_the_first_line() {
        assert_eq!(
            os79xx_value(b"\xEF\xBB\xBFP003-8-12-00 \r\n").as_deref(),
            Some("P003-8-12-00")
        );
        assert_eq!(os79xx_value(b"\n\n"), None);
    }
}
