//! Decoders for the vendor's signed files: the signed header ([`header`]),
//! `.loads` bodies ([`loads`]) and `CNU_File_Archive_3.0` bodies ([`cnu`]).
//!
//! Every decoder works on a bounded byte slice (the head of a member that the
//! streaming reader kept), never on a whole member, and never panics.

pub mod cnu;
pub mod header;
pub mod loads;
