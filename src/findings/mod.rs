//! Findings: stable codes, severities, the record every check emits, and
//! one constructor per code, where its message is written (the only place
//! a [`Finding`] is built).
//!
//! Codes are part of the public interface (`docs/findings.md`): once
//! published, a code keeps its name and meaning. The constructors take
//! typed arguments and sit in one file per area: `bundle` (the reader and
//! each member), `sets` (what a `.loads` needs, names, bodies),
//! `root` (pointers, drift, what keeps phones off a load, remap rules),
//! `trust` (trust lists).

mod bundle;
mod root;
mod sets;
mod trust;

pub use bundle::*;
pub use root::*;
pub use sets::*;
pub use trust::*;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The bundle or root will not work as is.
    Error,
    /// Likely trouble for some phones or servers.
    Warning,
    /// Worth knowing.
    Info,
}

macro_rules! codes {
    ($($variant:ident => $text:literal, $sev:ident, $doc:literal;)*) => {
        /// A finding code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code text (`missing-member`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The code's severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// What the code means.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    MissingMember => "missing-member", Error, "A file a `.loads` lists is absent.";
    EmbeddedNameMismatch => "embedded-name-mismatch", Error, "A signed file's embedded name (tag \
        0E) differs from its file name: the phone will say \"Image Authentication Failed\".";
    Truncated => "truncated", Error, "The archive or a member ends early, or a CNU archive is \
        shorter than its table says.";
    CrcMismatch => "crc-mismatch", Error, "A member's stored CRC differs from its data.";
    ChecksumMismatch => "checksum-mismatch", Error, "The bundle's digest differs from the one in \
        `--checksums`.";
    UnsafePath => "unsafe-path", Error, "A member name is absolute, climbs with `..`, has a \
        drive letter, backslashes, control characters or bytes outside ASCII.";
    LinkMember => "link-member", Error, "A symlink, hard link, device or FIFO in the bundle.";
    DuplicateMember => "duplicate-member", Error, "Two members share one base name, or names \
        equal but for case (phones fetch base names; many servers and file systems ignore case).";
    BadHeader => "bad-header", Error, "A signed file whose header cannot be decoded (lengths \
        past the end, endless nesting).";
    BadLoads => "bad-loads", Error, "A `.loads` whose list cannot be read (not text, absurdly \
        long).";
    LimitExceeded => "limit-exceeded", Error, "A member or the bundle passes a limit (member \
        size, total size, expansion ratio, member count, name length); the message names the \
        flag that raises it.";
    NoFirmware => "no-firmware", Error, "A bundle holds no firmware file at all (no `.loads`, \
        image, loader or component): not a firmware bundle, or one wrapped in another.";
    NestedBundle => "nested-bundle", Warning, "A member is itself a bundle (zip, tar, gzip); \
        loadsmith does not open bundles inside bundles: unpack it and inspect it on its own.";
    OverlappingMembers => "overlapping-members", Error, "Zip entries whose data overlap: one \
        block of compressed data read again and again (a crafted zip, typically a compression \
        bomb); nothing of the bundle is staged.";
    NameMismatch => "name-mismatch", Error, "A member's name differs between the places the \
        archive stores it (a zip's local header and central directory, a tar's ustar header and \
        PAX record): a tool that reads the other name writes another file.";
    NotFirmwareInSet => "not-firmware-in-set", Error, "A `.loads` lists a file that is not \
        firmware (a configuration file such as `XMLDefault.cnf.xml` or `SIP<MAC>.cnf`, \
        `OS79XX.TXT`, a trust list, a script): a set holds firmware only, so nothing of it is \
        staged.";
    ModelLabel => "model-label", Warning, "An `XMLDefault.cnf.xml` entry whose `model=\"…\"` \
        label names another model than its device-type number, or two entries giving one model \
        different loads, or a number that is no known device type (`loadInformation00005`), or a \
        load of another family than the number's model: phones read the number, so the entry is \
        not for the model the label says.";
    PhoneFails => "phone-fails", Error, "The phone model, walked through the root, ends in an \
        error or a loop for a model the root concerns (a loader-era phone, a 79x1-family phone \
        after a factory reset, the phone of a per-phone file) and no other finding of `check` \
        is its cause: the message is the verdict `boot` gives, once for every phone that ends \
        the same way (`strands` lists them).";
    PhoneUncertain => "phone-uncertain", Warning, "The vendor's documents do not say what a \
        phone of a model the root concerns does here (a configuration file that decides but \
        names nothing for the model); the message names the readings and the fix.";
    ListMismatch => "list-mismatch", Error, "A file a 7921/7925/7926 `.LOADS` lists with a size \
        and MD5 has another size or MD5: damaged, cut, or of another release; phones refuse it.";
    SelfCheck => "self-check", Error, "A wireless `.SBN` whose own MD5 (its first 32 characters: \
        the MD5 of the file with them set to zero) does not match its bytes: damaged or altered.";
    NotServed => "not-served", Error, "A file of the root the TFTP server cannot read: not \
        readable by others (tftpd-hpa drops to an unprivileged user), or a folder on the way it \
        cannot enter. Phones get \"access violation\".";
    RemapDangles => "remap-dangles", Error, "A name phones ask for that the `--map-file` rules \
        turn into a path the root does not hold.";
    Unreadable => "unreadable", Error, "A file of a folder or root that cannot be read: \
        permissions, an I/O error, not a regular file where one is needed, or larger than \
        loadsmith reads of its kind. The message says which and names the file.";
    Corrupt => "corrupt", Error, "The archive's structure is damaged in a way other than \
        truncation.";
    DanglingPointer => "dangling-pointer", Error, "A pointer file (`OS79XX.TXT`, \
        `image_version`, `loadInformation`, `term*.default.loads`) names a load the root does \
        not hold complete.";
    Drift => "drift", Error, "A file the last `stage` wrote no longer has the digest its \
        manifest recorded.";
    TrustListDamaged => "trust-list-damaged", Error, "A trust list (`CTLFile.tlv`, \
        `ITLFile.tlv`, `CTLSEP<MAC>.tlv`, `ITLSEP<MAC>.tlv`) that is cut, whose header length \
        and record lengths do not add up to its size, or whose header has a tag the format does \
        not have: phones refuse it.";
    TrustListSignature => "trust-list-signature", Error, "A trust list whose signature does not \
        verify with its signer's SAST record (altered, or signed with another key), or cannot be \
        checked (no SAST record with the signer's serial, a digest phones do not use): phones \
        refuse it.";
    TrustSignerChanged => "trust-signer-changed", Error, "A trust list signed by a SAST \
        certificate that the list recorded by the last `stage` does not hold: phones that hold \
        the old list refuse the new one and every configuration file it signs. Sign it with the \
        old SAST key, or erase the list on each phone.";
    CaseSpelling => "case-spelling", Warning, "A configuration file spelled in another case than \
        phones ask for (`sipdefault.cnf`, `xmldefault.cnf.xml`, a lower-case MAC): phones ask \
        for exact names and tftpd-hpa matches case, so it is never fetched.";
    CaseCollision => "case-collision", Warning, "Two files of a TFTP root equal but for case: a \
        case-insensitive TFTP server serves only one.";
    BodyMismatch => "body-mismatch", Warning, "The loader `.sbn` body differs from its `.bin`, \
        or a `term<MM>.default.loads` body differs from the load it stands for.";
    Os79xxFormat => "os79xx-format", Warning, "`OS79XX.TXT` has trailing white space, several \
        lines, a BOM, or names an image the bundle does not hold.";
    BundleName => "bundle-name", Warning, "A bundle's file name names another load than the one \
        it holds (`…9-4-2SR3-1…` holding 9.4(2)SR1, `…sccp…` holding a SIP load): a renamed \
        download, or the wrong file.";
    WrongExtension => "wrong-extension", Warning, "The file's bytes say another format than its \
        extension.";
    HuntShadow => "hunt-shadow", Warning, "A configuration file earlier in the phone's hunt \
        order (a per-phone file, another protocol's file) keeps phones off the staged target.";
    InterruptedStage => "interrupted-stage", Warning, "The last `stage` was stopped (killed, \
        power cut, disk full) before it finished; every pointer still names a complete set; run \
        it again to finish.";
    LeftoverTemp => "leftover-temp", Warning, "A temporary file from an interrupted `stage` is \
        still in the root.";
    TrustListCertificate => "trust-list-certificate", Warning, "A certificate in a trust list \
        that has expired, is not yet valid, or cannot be read.";
    TrustListSigners => "trust-list-signers", Warning, "Two trust lists of one root signed by \
        different SAST certificates: a phone that holds one may refuse the other.";
    SignedConfigMissing => "signed-config-missing", Warning, "A trust list the root serves gives \
        a certificate the TFTP role, so phones that hold it ask for signed configuration files \
        (`SEP<MAC>.cnf.xml.sgn`), and the root has a phone's `SEP<MAC>.cnf.xml` without its \
        `.sgn`.";
    BootUndocumented => "boot-undocumented", Info, "A model the root concerns whose boot the \
        vendor's documents loadsmith follows do not describe (69xx, 792x, 894x, 7937, 790x, \
        sidecars, 78xx/88xx): its files and lists are checked, its boot is not predicted.";
    UnknownHeader => "unknown-header", Info, "A signed format loadsmith does not decode (e.g. \
        78xx); not an error of the bundle.";
    UnknownMember => "unknown-member", Info, "A member whose name loadsmith does not know \
        (release notes, scripts).";
    UnsignedImage => "unsigned-image", Info, "An unsigned `.bin` image: accepted only by phones \
        below 5.x.";
    TrustList => "trust-list", Info, "A trust list the root serves, with its signer: phones that \
        take it accept later lists and signed files only from the certificates it holds.";
    TrustListEmpty => "trust-list-empty", Info, "An empty trust-list file: phones that fetch it \
        go on in nonsecure mode (the known workaround for 7940/7960 phones that loop asking for \
        `CTLSEP<MAC>.tlv`).";
    WeakChecksum => "weak-checksum", Info, "The bundle matches a published MD5 sum and no SHA-2 \
        sum: MD5 is verified, but it is a weak hash.";
    ChecksumVerified => "checksum-verified", Info, "The bundle's digest matches `--checksums`.";
    ChecksumUnlisted => "checksum-unlisted", Info, "`--checksums` was given but does not list \
        this bundle.";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// Severity (from the code).
    pub severity: Severity,
    /// The member or file concerned, if any.
    pub member: Option<String>,
    /// A sentence a user can act on.
    pub message: String,
    /// The phones this cause strands (`check`): each walked phone whose
    /// failure this finding explains, listed here instead of a finding of
    /// its own. None (and left out of JSON) otherwise; boxed, as a bundle
    /// of many members carries a finding each and none strands a phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strands: Option<Box<Vec<Strand>>>,
}

/// A walked phone a finding's cause strands: a model in a starting state,
/// and for a phone of per-phone files, how many MACs and the first few.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Strand {
    /// The model (`7940`).
    pub model: String,
    /// The starting state (`loader era`, `factory reset`, `any`).
    pub state: String,
    /// For phones of per-phone files: how many MACs share the walk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phones: Option<usize>,
    /// For phones of per-phone files: the first few MACs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<String>,
}

impl Strand {
    /// The MACs in words, for phones of per-phone files: ` at MAC
    /// 001122000000 (+199 more)`; empty otherwise.
    fn mac_words(&self) -> String {
        match (self.phones, self.macs.first()) {
            (Some(n), Some(first)) if n > 1 => format!(" at MAC {first} (+{} more)", n - 1),
            (_, Some(first)) => format!(" at MAC {first}"),
            _ => String::new(),
        }
    }
}

/// True when `f` strands one phone with no per-phone file and its words
/// start with it (`a 7942 (factory reset): …`): a line of strands would
/// say it again.
pub fn names_its_one_phone(f: &Finding) -> bool {
    match f.strands() {
        [s] if s.macs.is_empty() => f
            .message
            .starts_with(&format!("a {} ({}):", s.model, s.state)),
        _ => false,
    }
}

/// The phones a cause strands in one line: models grouped by state (and
/// MACs), in order, `strands 7940, 7960 (loader era), 7941 (factory
/// reset)`. None when it strands none.
pub fn strands_line(strands: &[Strand]) -> Option<String> {
    let mut groups: Vec<(&str, String, Vec<&str>)> = Vec::new();
    for s in strands {
        let macs = s.mac_words();
        match groups
            .iter_mut()
            .find(|(state, m, _)| *state == s.state && *m == macs)
        {
            Some((.., models)) => models.push(&s.model),
            None => groups.push((&s.state, macs, vec![&s.model])),
        }
    }
    // Then the states of the same phones on one list: "7940, 7960 (loader
    // era, pre-loader)".
    let mut joined: Vec<(Vec<&str>, String, Vec<&str>)> = Vec::new();
    for (state, macs, models) in groups {
        match joined
            .iter_mut()
            .find(|(m, x, _)| *m == models && *x == macs)
        {
            Some((.., states)) => states.push(state),
            None => joined.push((models, macs, vec![state])),
        }
    }
    let parts: Vec<String> = joined
        .into_iter()
        .map(|(models, macs, states)| {
            format!("{}{macs} ({})", models.join(", "), states.join(", "))
        })
        .collect();
    (!parts.is_empty()).then(|| format!("strands {}", parts.join(", ")))
}

impl Finding {
    /// A finding with the code's severity: for the constructors of this
    /// module and its areas alone.
    fn new(code: Code, member: Option<&str>, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            member: member.map(str::to_string),
            message: message.into(),
            strands: None,
        }
    }

    /// Adds a phone this finding's cause strands (once).
    pub fn strand(&mut self, s: Strand) {
        let all = self.strands.get_or_insert_with(Default::default);
        if !all.contains(&s) {
            all.push(s);
        }
    }

    /// The phones this finding's cause strands (`check`), if any.
    pub fn strands(&self) -> &[Strand] {
        self.strands.as_deref().map_or(&[], Vec::as_slice)
    }
}

/// True when any finding is an error.
pub fn any_error(f: &[Finding]) -> bool {
    f.iter().any(|x| x.severity == Severity::Error)
}
