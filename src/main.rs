//! The `tickdesk` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    tickdesk::cli::main()
}
