//! The `rubric` binary: parses the command line and hands over to `cli`.

mod cli;

// Checking allocates many small values on several threads; mimalloc is much faster at that
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the index in v3's `mi_option_e`; the Rust binding
/// leaves it unnamed). `purge_delay_is_the_option_we_mean` below.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed is given back to the system at once rather than a second later, so that a
/// phase's temporary buffers (the cache file's bytes, the parse batches) do not add to the
/// next phase's peak: at 100,000 reviews this is 45 MB of peak memory, for no measurable
/// time (docs/benchmarks.md). Transparent huge pages are off too (the `no_thp` feature).
fn tune_allocator() {
    // A purge delay the user sets (mimalloc's own variables) is kept.
    if ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
    {
        return;
    }
    // SAFETY: called first in `main`, before any other thread exists (the setter is not
    // thread-safe); the option index is checked by the test below.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> std::process::ExitCode {
    tune_allocator();
    cli::main()
}

#[cfg(test)]
mod tests {
    /// Option 15 is the purge delay: its default is 1000 ms unless the environment sets it.
    #[test]
    fn purge_delay_is_the_option_we_mean() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reading an option.
            let v = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
            assert_eq!(v, 1000);
        }
    }
}
