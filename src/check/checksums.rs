//! Published checksum files: `sha512sum`/`sha256sum` output (`HEX  NAME`,
//! `HEX *NAME`) and the BSD form (`SHA512 (NAME) = HEX`).

use std::path::Path;

use crate::error::{Error, Result};

/// A digest algorithm a checksum file may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// SHA-256 (64 hex digits).
    Sha256,
    /// SHA-512 (128 hex digits).
    Sha512,
}

/// One line: a file name and its expected digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The file's base name.
    pub name: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Lower-case hex.
    pub hex: String,
}

/// Parses a checksum file; blank lines and `#` comments are skipped.
pub fn load(path: &Path) -> Result<Vec<Expected>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io("read the checksum list", path, e))?;
    parse(&text).map_err(|line| Error::BadChecksums {
        path: path.to_path_buf(),
        line,
    })
}

/// Parses checksum text; `Err(line)` names the first bad line.
pub fn parse(text: &str) -> std::result::Result<Vec<Expected>, usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, hex) = if let Some((alg_name, rest)) = line.split_once(" (") {
            let (name, hex) = rest.rsplit_once(") = ").ok_or(i + 1)?;
            if !matches!(alg_name, "SHA512" | "SHA256") {
                return Err(i + 1);
            }
            (name.to_string(), hex.trim().to_string())
        } else {
            let (hex, name) = line.split_once(char::is_whitespace).ok_or(i + 1)?;
            (
                name.trim().trim_start_matches('*').to_string(),
                hex.to_string(),
            )
        };
        let algorithm = match hex.len() {
            64 => Algorithm::Sha256,
            128 => Algorithm::Sha512,
            _ => return Err(i + 1),
        };
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(i + 1);
        }
        let name = name.rsplit('/').next().unwrap_or(&name).to_string();
        out.push(Expected {
            name,
            algorithm,
            hex: hex.to_ascii_lowercase(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_parse() {
        let a = "a".repeat(128);
        let b = "B".repeat(64);
        let text =
            format!("{a}  cm-7941.zip\n# comment\n\nSHA256 (dir/x.cop.sgn) = {b}\n{b} *y.zip\n");
        let e = parse(&text).unwrap();
        assert_eq!(e[0].name, "cm-7941.zip");
        assert_eq!(e[0].algorithm, Algorithm::Sha512);
        assert_eq!(e[1].name, "x.cop.sgn");
        assert_eq!(e[1].hex, "b".repeat(64));
        assert_eq!(e[2].name, "y.zip");
        assert_eq!(parse("nothex  a.zip"), Err(1));
    }
}
