//! `boot`: the places a phone fetches from — a TFTP root on disk
//! ([`source::DirSource`]) or a live server ([`tftp::TftpSource`]). What the
//! phone does with what it fetches is the phone model's ([`crate::phone`]).

pub mod source;
pub mod tftp;
