//! Says, in the build output that every `cargo test` shows, when the real
//! vendor files the tests compare against are absent: those tests then
//! skip, and a run that skipped them must say so where people look.

fn main() {
    // The parent changes when a folder in it appears or goes away.
    println!("cargo:rerun-if-changed=../shared");
    for folder in ["../shared/realworld", "../shared/realworld-loads"] {
        println!("cargo:rerun-if-changed={folder}");
        if !std::path::Path::new(folder).is_dir() {
            println!(
                "cargo:warning={folder} is absent: the tests that read real vendor files skip (each prints \"skipped:\")"
            );
        }
    }
    for tool in ["/usr/sbin/in.tftpd", "/usr/bin/tftp"] {
        println!("cargo:rerun-if-changed={tool}");
        if !std::path::Path::new(tool).exists() {
            println!(
                "cargo:warning={tool} is absent: the tests against a real TFTP server skip (.ci/run installs tftpd-hpa and tftp-hpa)"
            );
        }
    }
}
