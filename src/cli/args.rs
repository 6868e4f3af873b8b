//! The command line, as clap types. Nothing here does any work.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Inspect, stage and check Cisco IP phone firmware bundles for TFTP roots.
#[derive(Debug, Parser)]
#[command(name = "loadsmith", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Print results as one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing but errors (and the JSON document, with --json).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// One line per bundle or root: path, format, verdict, counts, the first error.
    #[arg(long, global = true, conflicts_with = "json")]
    pub brief: bool,
    /// When to colour human output (NO_COLOR, CLICOLOR and CLICOLOR_FORCE are honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal (or CLICOLOR_FORCE is set), unless NO_COLOR is set or CLICOLOR=0.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse firmware image or file names and explain them.
    #[command(after_help = crate::cli::help::after("names"))]
    Names {
        /// Image names (P0S3-08-12-00) or file names (cvm41sccp.9-4-2ES26.sbn, OS79XX.TXT).
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Plan the upgrade of a 7940/7960 phone from one image to another (vendor Table 3).
    #[command(after_help = crate::cli::help::after("plan"))]
    Plan {
        /// The image the phone runs now (e.g. P0S3-05-3-00).
        #[arg(long)]
        from: String,
        /// The image wanted (e.g. P0S3-08-12-00).
        #[arg(long)]
        to: String,
        /// The phone model (7940 or 7960); both when omitted.
        #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::complete::legacy_models))]
        model: Option<String>,
        /// Bundles or folders to take the vendor's spelling of every name from.
        #[arg(long, value_name = "PATH")]
        bundles: Vec<PathBuf>,
    },
    /// Show the known 7940/7960 firmware catalogue (vendor Table 2).
    #[command(after_help = crate::cli::help::after("matrix"))]
    Matrix,
    /// Inspect bundles (.zip, .cop, .cop.sgn, .tar, .tar.gz) or folders: members, digests, sets, findings.
    #[command(after_help = crate::cli::help::after("inspect"))]
    Inspect(InspectArgs),
    /// Stage a target's whole set into a TFTP root, straight from the vendor bundle, and point the root at it.
    #[command(after_help = crate::cli::help::after("stage"))]
    Stage(StageArgs),
    /// Check a TFTP root: every pointer resolves to a complete set; nothing drifted since the last stage.
    #[command(after_help = crate::cli::help::after("check"))]
    Check {
        /// The TFTP root (default: the one the server's configuration
        /// names, --server-config or the machine's).
        root: Option<PathBuf>,
        /// Seconds to wait for a running stage to finish before refusing
        /// (check never reads a root while a stage changes it).
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        wait: u64,
        /// tftpd-hpa's remap rules (the file given to in.tftpd -m): see
        /// the root as that server serves it.
        #[arg(long, value_name = "FILE")]
        map_file: Option<PathBuf>,
        /// The TFTP server's configuration (/etc/default/tftpd-hpa or
        /// dnsmasq's): its root, remap rules and user.
        #[arg(long, value_name = "FILE")]
        server_config: Option<PathBuf>,
    },
    /// List the stages kept in a root's history: when, which target, from which bundles, every file written, edited and removed.
    #[command(after_help = crate::cli::help::after("history"))]
    History {
        /// The TFTP root.
        root: PathBuf,
    },
    /// Put a root back as it was before its last stage (run twice: two stages).
    #[command(after_help = crate::cli::help::after("undo"))]
    Undo {
        /// The TFTP root.
        root: PathBuf,
        /// Print exactly what would change and touch nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Predict what a phone does against a TFTP root (a folder) or a live server (tftp://host[:port]).
    #[command(after_help = crate::cli::help::after("boot"))]
    Boot {
        /// A folder or tftp://host[:port] (default: the root the server's
        /// configuration names, --server-config or the machine's).
        source: Option<String>,
        /// The phone's MAC, in any common spelling.
        #[arg(long)]
        mac: String,
        /// The model: 7960, CP-7960G, IP Phone 7961, …
        #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::complete::models))]
        model: String,
        /// The image in the phone's flash now.
        #[arg(long)]
        running: Option<String>,
        /// The phone was just reset to factory defaults.
        #[arg(long)]
        factory_reset: bool,
        /// With tftp://: the most seconds one file's transfer may take (a
        /// server that never ends a transfer is stopped there).
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        deadline: u64,
        /// tftpd-hpa's remap rules (the file given to in.tftpd -m): see
        /// the root as that server serves it.
        #[arg(long, value_name = "FILE")]
        map_file: Option<PathBuf>,
        /// The TFTP server's configuration (/etc/default/tftpd-hpa or
        /// dnsmasq's): its root, remap rules and user.
        #[arg(long, value_name = "FILE")]
        server_config: Option<PathBuf>,
    },
    /// Compare TFTP servers: folders, live servers (tftp://host[:port]) and manifests copied from other servers.
    #[command(after_help = crate::cli::help::after("compare"))]
    Compare(CompareArgs),
    /// Explain what each phone did, from the TFTP server's log (tftpd-hpa, dnsmasq, tftpd32).
    #[command(after_help = crate::cli::help::after("log"))]
    Log {
        /// The log file (syslog, journalctl output, dnsmasq or tftpd32 log), or - for stdin.
        file: PathBuf,
        /// The TFTP root the server serves: verdicts name the pointer behind a request and what a list lacks.
        #[arg(long, value_name = "ROOT")]
        root: Option<PathBuf>,
        /// tftpd-hpa's remap rules (the file given to in.tftpd -m), with --root.
        #[arg(long, value_name = "FILE", requires = "root")]
        map_file: Option<PathBuf>,
        /// The TFTP server's configuration (/etc/default/tftpd-hpa or
        /// dnsmasq's): its root, remap rules and user.
        #[arg(long, value_name = "FILE")]
        server_config: Option<PathBuf>,
        /// Keep reading as the log grows (and across rotation): one live line per phone
        /// (with --json, one JSON document per line).
        #[arg(long)]
        follow: bool,
        /// Only this phone: its address or MAC (SEP prefix and separators optional); exit 1 when the log has no such phone.
        #[arg(long, value_name = "ADDR|MAC")]
        phone: Option<String>,
    },
    /// Print the shell's completion registration (bash, elvish, fish, powershell, zsh).
    Completions {
        /// The shell.
        #[arg(value_parser = ["bash", "elvish", "fish", "powershell", "zsh"])]
        shell: String,
    },
    /// Print the man page (roff) on stdout, or write every page to a folder.
    Man {
        /// Write loadsmith.1 and a page per subcommand (loadsmith-inspect.1, …) here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Bundles, loose firmware files, or folders (searched recursively);
    /// with --checksums and no path, the files the lists name, beside them.
    #[arg(required_unless_present = "checksums")]
    pub paths: Vec<PathBuf>,
    /// A checksum list to verify bundles against, like `sha256sum -c`:
    /// sha512sum/sha256sum/md5sum output, the BSD form, or the lines copied
    /// from the vendor's download page. May be given more than once.
    #[arg(long, value_name = "FILE")]
    pub checksums: Vec<PathBuf>,
    /// With --checksums: print nothing, the exit code says it (like
    /// `sha256sum -c --status`).
    #[arg(long, requires = "checksums", conflicts_with = "json")]
    pub status: bool,
    /// With --checksums: a listed file that is not there is no failure and
    /// is not reported (like `sha256sum -c --ignore-missing`).
    #[arg(long, requires = "checksums")]
    pub ignore_missing: bool,
    /// Also list the entries of CNU_File_Archive_3.0 bodies inside .sbn files.
    #[arg(long)]
    pub deep: bool,
    /// Per member also its SHA-256 and its signed header: the signer, the
    /// CA, the signing time and the name it was signed as.
    #[arg(long, short)]
    pub long: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Say whether phones that hold this trust list accept the trust lists
    /// inspected (their signer must be one of its SAST certificates).
    #[arg(long, value_name = "OLD.tlv")]
    pub trusted_by: Option<PathBuf>,
    /// Limits on what a bundle may make loadsmith read.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Limits on what a bundle may make loadsmith read (defaults in `docs/security.md`).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Largest member (bytes, or with K/M/G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "2G")]
    pub max_member_size: u64,
    /// Most bytes all members of one bundle may expand to (bytes, or with K/M/G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "16G")]
    pub max_total_size: u64,
    /// Largest expansion, expanded to compressed (a zip bomb passes 1000).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_ratio: u64,
    /// Most members in one bundle.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_members: u64,
    /// Longest member path, in bytes.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_name_length: usize,
}

/// `4096`, `512K`, `300M`, `2G` (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => {
                    return Err(format!(
                        "{s}: use a number of bytes, or K, M, G or T after it"
                    ));
                }
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s}: use a number of bytes, or K, M, G or T after it"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{s}: too large"))
}

/// Arguments of `stage`.
#[derive(Debug, clap::Args)]
pub struct StageArgs {
    /// The load to stage, in either spelling (P0S3-08-12-00, SCCP41.9-4-2SR3-1S).
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::complete::targets))]
    pub target: String,
    /// Bundles or folders to find it in (default: the files at the current
    /// folder's top level; no sub-folder, no TFTP root). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub from: Vec<PathBuf>,
    /// Print exactly what would change and touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace root files that have other bytes: ones no earlier stage wrote, and ones changed since.
    #[arg(long)]
    pub force: bool,
    /// Remove files earlier stages wrote that nothing points at any more.
    #[arg(long)]
    pub prune: bool,
    /// Phase one of two (many servers): write the set, edit no pointer file.
    #[arg(long, conflicts_with = "pointers_only")]
    pub files_only: bool,
    /// Phase two of two: edit the pointer files only; refused unless every
    /// file of the set is in the root with the digest the manifest recorded.
    #[arg(long)]
    pub pointers_only: bool,
    /// The image 7940/7960 phones run now; an SCCP image here makes a SIP/MGCP stage
    /// point XMLDefault.cnf.xml at the universal loader (single-step SCCP move).
    #[arg(long, value_name = "IMAGE")]
    pub running: Option<String>,
    /// Worker threads for reading the candidate bundles (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// tftpd-hpa's remap rules (the file given to in.tftpd -m): write each
    /// file where the rules send its name.
    #[arg(long, value_name = "FILE")]
    pub map_file: Option<PathBuf>,
    /// The TFTP server's configuration (/etc/default/tftpd-hpa or
    /// dnsmasq's): its root (when ROOT is not given), remap rules and user.
    #[arg(long, value_name = "FILE")]
    pub server_config: Option<PathBuf>,
    /// Stages to keep in ROOT/.loadsmith/history/ for `undo` (0: none).
    #[arg(long, value_name = "N", default_value_t = crate::stage::history::DEFAULT_KEEP)]
    pub keep_history: usize,
    /// Most bytes of replaced or pruned images one stage keeps for `undo`
    /// (pointer files are always kept); past it, undo refuses to restore them.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1G")]
    pub max_history_size: u64,
    /// Limits on what a bundle may make loadsmith read.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The TFTP root (default: the one the server's configuration names,
    /// --server-config or the machine's).
    pub root: Option<PathBuf>,
}

impl LimitArgs {
    /// The limits the flags give.
    pub fn limits(&self) -> crate::bundle::Limits {
        crate::bundle::Limits {
            member_size: self.max_member_size,
            total_size: self.max_total_size,
            ratio: self.max_ratio.max(1),
            members: self.max_members,
            name_len: self.max_name_length,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert!(parse_size("2X").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn flag_defaults_are_the_library_defaults() {
        let cli = Cli::parse_from(["loadsmith", "inspect", "x.zip"]);
        let Command::Inspect(a) = cli.command else {
            panic!("not inspect")
        };
        assert_eq!(a.limits.limits(), crate::bundle::Limits::default());
    }
}

/// `loadsmith compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Two sources or more: a TFTP root (folder), tftp://HOST[:PORT], or a
    /// .loadsmith/manifest.json copied from another server.
    #[arg(required = true, num_args = 2..)]
    pub sources: Vec<String>,
    /// N=FILE: the Nth source (a folder, counted from 1) is served with
    /// tftpd-hpa's remap rules FILE. Repeat for each source that has some.
    #[arg(long, value_name = "N=FILE")]
    pub map_file: Vec<String>,
    /// With tftp://: the most seconds one file's transfer may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub deadline: u64,
}
