//! The help every subcommand gives beyond its flags: what else it does, its
//! examples and its exit codes. `--help` and the man pages both read it.

/// One subcommand's help.
pub struct Help {
    /// The subcommand.
    pub name: &'static str,
    /// What it does beyond its one-line summary ("" when nothing).
    pub details: &'static str,
    /// Example command lines.
    pub examples: &'static [&'static str],
    /// Its exit codes, in a sentence.
    pub exit: &'static str,
}

/// Every subcommand's help.
pub const HELP: &[Help] = &[
    Help {
        name: "log",
        details: "Recognises tftpd-hpa (syslog or journald -o short/json/cat, -v to -vvv, with remap lines, or pasted \
            without the syslog prefix), dnsmasq, tftpd32 and SolarWinds lines and skips everything else; a log \
            with none says what it expected. Requests are grouped per client and per boot; each phone gets one \
            verdict (settles, loops on a term file, stuck on a refused file, lost after the loader, uncertain) \
            and what to do. --phone shows one phone (exit 1 when the log has none); --follow --json prints JSON \
            Lines. With --root the verdicts name the pointer behind a refused request and what a term file's \
            list lacks. docs/log.md has an example of each verdict.",
        examples: &[
            "loadsmith log /var/log/syslog --root /srv/tftp",
            "journalctl -u tftpd-hpa -o short | loadsmith log - --root /srv/tftp",
            "loadsmith log --follow /var/log/syslog --root /srv/tftp --map-file /etc/tftpd.remap",
        ],
        exit: "0 no phone in trouble, 1 a phone loops, is stuck or lost its server after the loader, 2 usage error or unreadable log.",
    },
    Help {
        name: "names",
        details: "",
        examples: &["loadsmith names P0S3-08-12-00 cvm41sccp.9-4-2ES26.sbn term61.default.loads"],
        exit: "0 every name is known, 1 a name is not, 2 usage error.",
    },
    Help {
        name: "plan",
        details: "Each step names the vendor's procedure, the load the phone runs after it and what to write in which file; --bundles spells every name as the vendor's files do.",
        examples: &[
            "loadsmith plan --from P0S3-05-3-00 --to P0S3-08-12-00 --model 7960 --bundles ~/fw",
        ],
        exit: "0 a plan, 1 the matrix forbids the move, 2 usage error.",
    },
    Help {
        name: "matrix",
        details: "",
        examples: &["loadsmith matrix"],
        exit: "0.",
    },
    Help {
        name: "inspect",
        details: "Every finding has a stable code (docs/findings.md); a limit passed names the flag that raises it. \
            Trust lists (CTLFile.tlv, ITLFile.tlv, CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv) are decoded and their signature \
            verified; --trusted-by OLD.tlv says whether phones that hold OLD accept them.",
        examples: &[
            "loadsmith inspect cmterm-7941_7961-sccp.9-4-2SR3-1.zip",
            "loadsmith inspect --checksums SHA512SUMS ~/downloads/cisco/",
            "loadsmith inspect ITLFile.tlv --trusted-by old/ITLFile.tlv",
        ],
        exit: "0 clean, 1 an error finding or a trust list phones would refuse (--trusted-by), 2 an input that cannot be read or a usage error.",
    },
    Help {
        name: "stage",
        details: "Before writing, a phone of every model concerned is walked through the root as planned (docs/boot.md); \
            a phone that would not reach the target, or would lose its load, refuses the stage unless --force. \
            Files are written under temporary names, flushed and renamed: images first, pointer files last. \
            With no ROOT, the root and rules are the server's configuration's (--server-config FILE, else this \
            machine's /etc/default/tftpd-hpa or dnsmasq.conf with enable-tftp), named on stderr (docs/roots.md).",
        examples: &[
            "loadsmith stage --target P0S3-08-12-00 --from ~/fw --dry-run /srv/tftp",
            "loadsmith stage --target P0S3-8-12-00 --running P00305000500 --from ~/fw /srv/tftp",
        ],
        exit: "0 staged (or nothing to do), 1 refused (nothing was written), 2 usage error or an input that cannot be read.",
    },
    Help {
        name: "history",
        details: "Each stage keeps in ROOT/.loadsmith/history/ what it displaced: every pointer file it edited, byte \
            for byte, every image it replaced or pruned (up to --max-history-size a stage), the manifest, and \
            the list of files it created. The last --keep-history stages (5) are kept. --json prints each record \
            (docs/json.md).",
        examples: &[
            "loadsmith history /srv/tftp",
            "loadsmith history --json /srv/tftp",
        ],
        exit: "0, 2 usage error or a history that cannot be read.",
    },
    Help {
        name: "undo",
        details: "Under the root's lock, as a stage: files are written to temporary names and renamed into place, images \
            first and pointer files last, files the stage created are removed once no pointer names them, and \
            the manifest is put back; a stopped undo is finished by the next. Refuses, naming them, when files \
            the stage wrote were changed since. Run it twice to take back two stages.",
        examples: &[
            "loadsmith undo --dry-run /srv/tftp",
            "loadsmith undo /srv/tftp",
        ],
        exit: "0 put back (or would be, with --dry-run), 1 refused (nothing was changed), 2 usage error or a root that cannot be read.",
    },
    Help {
        name: "check",
        details: "Also shows what a phone of every model the root concerns does there (settles, error, loops, uncertain: docs/boot.md). \
            With no ROOT, the root and rules are the server's configuration's (--server-config FILE, else this \
            machine's /etc/default/tftpd-hpa or dnsmasq.conf with enable-tftp), named on stderr (docs/roots.md).",
        examples: &["loadsmith check /srv/tftp"],
        exit: "0 no error, 1 an error finding (or a stage kept changing the root past --wait), 2 the root cannot be read or usage error.",
    },
    Help {
        name: "compare",
        details: "Each source is asked what a phone of every model any source concerns fetches (docs/boot.md); the \
            verdicts are set side by side, every fetched file is compared by SHA-256 (fetched whole over TFTP \
            from a live server), and the pointer settings and fingerprints (check --json) too. One line per difference. \
            A manifest gives the digests a stage recorded, not pointer settings. docs/fleet.md.",
        examples: &[
            "loadsmith compare /srv/tftp tftp://10.0.0.6 tftp://10.0.0.7",
            "loadsmith compare /srv/tftp other-server-manifest.json",
            "loadsmith compare /srv/tftp /mnt/branch --map-file 1=/etc/tftpd.remap",
        ],
        exit: "0 every phone is told the same by every source, 1 a difference, 2 a source cannot be read or usage error.",
    },
    Help {
        name: "boot",
        details: "The walk follows the vendor's rules (docs/boot.md): every request in order, each reboot, and the verdict. \
            With no SOURCE, the folder and rules are the server's configuration's (--server-config FILE, else this \
            machine's /etc/default/tftpd-hpa or dnsmasq.conf with enable-tftp), named on stderr (docs/roots.md).",
        examples: &[
            "loadsmith boot /srv/tftp --mac 00:11:BB:73:AD:61 --model 7960 --running P0S3-06-3-00",
            "loadsmith boot tftp://10.0.0.5 --mac 0011bb73ad61 --model 7961 --factory-reset",
        ],
        exit: "0 the phone settles, 1 it does not (an error, a loop, or uncertain), 2 usage error or no TFTP server answered (after 10 s).",
    },
];

/// The help of `name`.
pub fn of(name: &str) -> Option<&'static Help> {
    HELP.iter().find(|h| h.name == name)
}

/// The text after the flags in `loadsmith NAME --help`.
pub fn after(name: &str) -> String {
    let Some(h) = of(name) else {
        return String::new();
    };
    let mut s = String::new();
    if !h.details.is_empty() {
        s.push_str(h.details);
        s.push_str("\n\n");
    }
    s.push_str(if h.examples.len() == 1 {
        "Example:\n"
    } else {
        "Examples:\n"
    });
    for e in h.examples {
        s.push_str(&format!("  {e}\n"));
    }
    s.push_str(&format!("\nExit status: {}", h.exit));
    s
}
