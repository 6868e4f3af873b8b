//! The `loadsmith` binary: parse, run, exit. All work is in the library.

fn main() -> std::process::ExitCode {
    loadsmith::main()
}
