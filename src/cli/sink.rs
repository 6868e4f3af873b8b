//! The one sink every human line passes on its way to a terminal
//! ([`terminal`]): control characters escaped, and only the colours of the
//! one [`Style`] palette that [`super::output::Out::paint`] marked emitted.

use std::io::{self, Write};
use std::sync::OnceLock;

/// Escapes control characters in a name from an archive, so it cannot drive
/// the terminal: `\x1b[31m` is shown as `\u{1b}[31m`. Line breaks too, so a
/// name stays on its line ([`terminal`] keeps those of the text around it).
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c, false);
    }
    out
}

/// True for what must not reach a terminal raw: C0 and C1 controls, DEL,
/// the bidi overrides and zero-width marks, and the colour key's markers.
fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || c == START
        || c == END
}

fn push_escaped(out: &mut String, c: char, keep_lines: bool) {
    if hostile(c) && !(keep_lines && matches!(c, '\n' | '\t')) {
        out.push_str(&c.escape_unicode().to_string());
    } else {
        out.push(c);
    }
}

/// Opens a colour mark: private-use characters, never printed raw.
pub(super) const START: char = '\u{f8f0}';
pub(super) const END: char = '\u{f8f1}';
/// The mark that ends a painted span.
pub(super) const RESET: &str = "r";

/// The palette: every colour loadsmith shows, named by what it marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A heading: a bundle, a root, a phone, a step (bold).
    Title,
    /// Something wrong: an error, FAIL, DANGLING, REFUSED (bold red).
    Bad,
    /// A verdict that passes: OK, ACCEPTED, settles (bold green).
    Pass,
    /// A line that is fine: complete, ok, settled (green).
    Good,
    /// A warning, an unknown name (yellow).
    Warn,
    /// A boot that loops (bold yellow).
    Loops,
    /// A verdict loadsmith cannot be sure of (bold magenta).
    Unsure,
    /// A log that does not say how a boot ended (magenta).
    Unclear,
    /// A note (cyan).
    Note,
}

impl Style {
    /// Every style, in the order of their marks (`Style as u8`).
    const ALL: [Style; 9] = [
        Style::Title,
        Style::Bad,
        Style::Pass,
        Style::Good,
        Style::Warn,
        Style::Loops,
        Style::Unsure,
        Style::Unclear,
        Style::Note,
    ];

    /// The style's rendering.
    fn ansi(self) -> anstyle::Style {
        use anstyle::AnsiColor::{Cyan, Green, Magenta, Red, Yellow};
        let fg = |c: anstyle::AnsiColor| anstyle::Style::new().fg_color(Some(c.into()));
        match self {
            Style::Title => anstyle::Style::new().bold(),
            Style::Bad => fg(Red).bold(),
            Style::Pass => fg(Green).bold(),
            Style::Good => fg(Green),
            Style::Warn => fg(Yellow),
            Style::Loops => fg(Yellow).bold(),
            Style::Unsure => fg(Magenta).bold(),
            Style::Unclear => fg(Magenta),
            Style::Note => fg(Cyan),
        }
    }

    /// The escape sequence of a mark's text (a style's number, or
    /// [`RESET`]), when it is one.
    fn sequence(mark: &str) -> Option<String> {
        if mark == RESET {
            return Some(anstyle::Reset.render().to_string());
        }
        let n: usize = mark.parse().ok().filter(|_| mark.len() == 1)?;
        Style::ALL.get(n).map(|s| s.ansi().render().to_string())
    }
}

/// The colour key: [`START`] and 32 hex digits of the system's randomness,
/// made once per process and never printed.
pub(super) fn key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let word = |i: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            h.finish()
        };
        format!("{START}{:016x}{:016x}", word(1), word(2))
    })
}

/// The one way to a terminal: `text` with every hostile character escaped
/// ([`hostile`]; line feeds and tabs kept), and the colours [`Out::paint`](super::output::Out::paint)
/// marked turned into their escape sequences. A mark without the key is
/// escaped.
pub fn terminal(text: &str) -> String {
    let key = key();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        rest[..at]
            .chars()
            .for_each(|c| push_escaped(&mut out, c, true));
        let after = &rest[at + key.len()..];
        match after
            .split_once(END)
            .and_then(|(mark, tail)| Some((Style::sequence(mark)?, tail)))
        {
            Some((sequence, tail)) => {
                out.push_str(&sequence);
                rest = tail;
            }
            None => {
                push_escaped(&mut out, START, true);
                rest = after;
            }
        }
    }
    rest.chars().for_each(|c| push_escaped(&mut out, c, true));
    out
}

/// Writes human text to stderr, through [`terminal`].
pub fn eprint(text: &str) {
    let _ = io::stderr().lock().write_all(terminal(text).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::Out;

    fn out(color: bool) -> Out {
        Out {
            json: false,
            quiet: false,
            brief: false,
            color,
            stderr_tty: false,
        }
    }

    #[test]
    fn the_sink_escapes_every_control_but_line_feeds_and_tabs() {
        let t = terminal("a\u{1b}[8mb\u{7}c\u{9b}d\u{7f}e\r\u{202e}f\n\tg");
        assert_eq!(
            t,
            "a\\u{1b}[8mb\\u{7}c\\u{9b}d\\u{7f}e\\u{d}\\u{202e}f\n\tg"
        );
    }

    #[test]
    fn only_the_colours_paint_marks_reach_the_terminal() {
        let painted = out(true).paint("FAIL\u{1b}[8m", Style::Bad);
        assert_eq!(
            terminal(&format!("x {painted} y\n")),
            "x \u{1b}[1m\u{1b}[31mFAIL\\u{1b}[8m\u{1b}[0m y\n"
        );
        assert_eq!(out(false).paint("OK", Style::Good), "OK");
        // A mark without the key (outside text cannot know it) stays text.
        let forged = format!("{START}0123456789abcdef0123456789abcdef1{END}hidden");
        assert!(!terminal(&forged).contains('\u{1b}'));
        // The key itself is never printed, even when a mark is cut short.
        let cut = format!("{}1", key());
        assert!(!terminal(&cut).contains(&key()[START.len_utf8()..]));
        // Only the palette's marks are styles: anything else after the key
        // is escaped as text.
        let odd = format!("{}8m\u{1b}[2J{END}x", key());
        assert!(!terminal(&odd).contains('\u{1b}'));
    }

    #[test]
    fn every_style_of_the_palette_is_marked_and_rendered() {
        for (n, style) in Style::ALL.into_iter().enumerate() {
            assert_eq!(style as usize, n);
            let shown = terminal(&out(true).paint("x", style));
            assert_eq!(shown, format!("{}x\u{1b}[0m", style.ansi().render()));
        }
    }
}
