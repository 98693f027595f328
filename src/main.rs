//! The `rubric` binary: parses the command line and hands over to `cli`.

mod cli;

// Checking allocates many small values on several threads; mimalloc is much faster at that
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
