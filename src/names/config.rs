//! The names of the files a phone asks for by name: the default
//! configuration files, `OS79XX.TXT`, the per-phone configuration files and
//! the factory-reset term files, and which default file a protocol falls
//! back on. They belong to the phone model and `phone::files` re-exports
//! them beside the hunt orders that use them; they are spelled here, in
//! layer 0, because modules below the phone model write them too
//! (`upgrade`'s plans name the file to edit). Nothing else spells them.

use super::Protocol;

/// `OS79XX.TXT`: the image a 7940/7960 before the universal loader boots.
pub const OS79XX: &str = "OS79XX.TXT";
/// `XMLDefault.cnf.xml`: the SCCP (and 79x1-family) default configuration.
pub const XML_DEFAULT: &str = "XMLDefault.cnf.xml";
/// `SIPDefault.cnf`: the SIP default configuration.
pub const SIP_DEFAULT: &str = "SIPDefault.cnf";
/// `MGCDefault.cnf`: the MGCP default configuration.
pub const MGCP_DEFAULT: &str = "MGCDefault.cnf";

/// The default file a SIP or MGCP `<PREFIX><MAC>.cnf` falls back on.
pub fn default_of(protocol: Protocol) -> Option<&'static str> {
    match protocol {
        Protocol::Sip => Some(SIP_DEFAULT),
        Protocol::Mgcp => Some(MGCP_DEFAULT),
        _ => None,
    }
}

/// The per-phone file of a protocol (`SEP<MAC>.cnf.xml`, `SIP<MAC>.cnf`,
/// `MGC<MAC>.cnf`).
pub fn mac_file(protocol: Protocol, mac: &str) -> String {
    match protocol {
        Protocol::Sip => format!("SIP{mac}.cnf"),
        Protocol::Mgcp => format!("MGC{mac}.cnf"),
        _ => format!("SEP{mac}.cnf.xml"),
    }
}

/// The phone's own certificate trust list, the first file of every hunt.
pub fn ctl_file(mac: &str) -> String {
    format!("CTLSEP{mac}.tlv")
}

/// True for a phone's own certificate trust list (`CTLSEP<MAC>.tlv`).
pub fn is_ctl_file(file: &str) -> bool {
    file.starts_with("CTLSEP")
}

/// The phone's own identity trust list (79x1 family).
pub fn itl_file(mac: &str) -> String {
    format!("ITLSEP{mac}.tlv")
}

/// The term file of a two-digit model code (`term61.default.loads`).
pub fn term_file(code: &str) -> String {
    format!("term{code}.default.loads")
}

/// True for a factory-reset term file (`term61.default.loads`, any case),
/// without parsing the name: this runs for every request of a long log.
pub fn is_term_file(file: &str) -> bool {
    let f = file.as_bytes();
    f.len() > 18
        && f[..4].eq_ignore_ascii_case(b"term")
        && f[f.len() - 14..].eq_ignore_ascii_case(b".default.loads")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_files_are_known_without_parsing() {
        assert!(is_term_file(&term_file("61")));
        assert!(is_term_file("TERM61.DEFAULT.LOADS"));
        assert!(!is_term_file("term61.loads"));
        assert!(!is_term_file("SIP41.8-5-4S.loads"));
    }

    #[test]
    fn only_sip_and_mgcp_fall_back_on_a_default_file() {
        assert_eq!(default_of(Protocol::Sip), Some(SIP_DEFAULT));
        assert_eq!(default_of(Protocol::Mgcp), Some(MGCP_DEFAULT));
        assert_eq!(default_of(Protocol::Sccp), None);
        assert_eq!(
            mac_file(Protocol::Sip, "0011BB73AD61"),
            "SIP0011BB73AD61.cnf"
        );
    }
}
