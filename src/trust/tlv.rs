//! The TLV framing of trust lists: tag (1 byte), length (u16 big-endian),
//! value. Tag 13 (padding) is one byte with no length.
//!
//! [`Elements`] walks a byte slice element by element. It never reads past
//! the slice and never panics: an element that runs past the end is a
//! [`Cut`] naming the offset, the tag and how many bytes were missing.

/// The padding tag of a header: one byte, no length.
pub const PADDING: u8 = 13;

/// One element: its tag, its value and where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The value (empty for padding).
    pub value: &'a [u8],
    /// Offset of the tag byte, counted from the start of the file.
    pub start: usize,
    /// Offset just past the value.
    pub end: usize,
}

/// An element that runs past the end of the bytes it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Offset of the element's tag, from the start of the file.
    pub at: usize,
    /// The tag.
    pub tag: u8,
    /// Bytes the element needs past `at`.
    pub need: usize,
    /// Bytes there are past `at`.
    pub have: usize,
}

/// Iterates the elements of `data`; `base` is the offset of `data[0]` in
/// the file, so offsets are file offsets.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    failed: bool,
}

impl<'a> Elements<'a> {
    /// Elements of `data`, which starts at file offset `base`.
    pub fn new(data: &'a [u8], base: usize) -> Elements<'a> {
        Elements {
            data,
            pos: 0,
            base,
            failed: false,
        }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Element<'a>, Cut>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.data.len() {
            return None;
        }
        let rest = self.data.get(self.pos..)?;
        let at = self.base + self.pos;
        let tag = rest[0];
        if tag == PADDING {
            self.pos += 1;
            return Some(Ok(Element {
                tag,
                value: &[],
                start: at,
                end: at + 1,
            }));
        }
        let cut = |need: usize| Cut {
            at,
            tag,
            need,
            have: rest.len(),
        };
        let Some(len) = rest
            .get(1..3)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            self.failed = true;
            return Some(Err(cut(3)));
        };
        let Some(value) = rest.get(3..3 + len) else {
            self.failed = true;
            return Some(Err(cut(3 + len)));
        };
        self.pos += 3 + len;
        Some(Ok(Element {
            tag,
            value,
            start: at,
            end: at + 3 + len,
        }))
    }
}

/// A big-endian u16 value, when the value is exactly two bytes.
pub fn u16_value(v: &[u8]) -> Option<u16> {
    <[u8; 2]>::try_from(v).ok().map(u16::from_be_bytes)
}

/// A big-endian u32 value, when the value is exactly four bytes.
pub fn u32_value(v: &[u8]) -> Option<u32> {
    <[u8; 4]>::try_from(v).ok().map(u32::from_be_bytes)
}

/// A NUL-terminated (or not) string value, lossily decoded.
pub fn text_value(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8]) -> Vec<Result<Element<'_>, Cut>> {
        Elements::new(data, 10).collect()
    }

    #[test]
    fn elements_with_padding_and_offsets() {
        let data = [1, 0, 2, 1, 2, 13, 13, 15, 0, 1, 9];
        let got = all(&data);
        assert_eq!(got.len(), 4);
        let e = got[0].expect("element");
        assert_eq!((e.tag, e.value, e.start, e.end), (1, &[1u8, 2][..], 10, 15));
        assert_eq!(got[1].expect("pad").end, 16);
        let last = got[3].expect("element");
        assert_eq!((last.tag, last.value, last.start), (15, &[9u8][..], 17));
    }

    #[test]
    fn cut_length_and_cut_value_stop_the_walk() {
        assert_eq!(
            all(&[1, 0]),
            vec![Err(Cut {
                at: 10,
                tag: 1,
                need: 3,
                have: 2
            })]
        );
        assert_eq!(
            all(&[4, 0, 9, 1, 2]),
            vec![Err(Cut {
                at: 10,
                tag: 4,
                need: 12,
                have: 5
            })]
        );
        assert!(all(&[]).is_empty());
    }

    #[test]
    fn values() {
        assert_eq!(u16_value(&[1, 0x84]), Some(388));
        assert_eq!(u16_value(&[1]), None);
        assert_eq!(u32_value(&[0x69, 0x54, 0x0b, 0x16]), Some(0x6954_0b16));
        assert_eq!(text_value(b"ITLFile.tlv\0junk"), "ITLFile.tlv");
        assert_eq!(text_value(b"no nul"), "no nul");
    }
}
