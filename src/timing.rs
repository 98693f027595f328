//! Phase timings for performance work: with `RUBRIC_TIMING` set, each marked phase prints its
//! elapsed time and the peak memory so far to stderr. Off (and free) otherwise.

use std::time::Instant;

/// A stopwatch that reports only when `RUBRIC_TIMING` is set.
pub struct Timing {
    start: Option<Instant>,
}

impl Default for Timing {
    fn default() -> Self {
        Self::new()
    }
}

impl Timing {
    pub fn new() -> Timing {
        Timing {
            start: std::env::var_os("RUBRIC_TIMING").map(|_| Instant::now()),
        }
    }

    /// Prints `timing: WHAT: S s (peak RSS N kB)` when enabled.
    pub fn mark(&self, what: &str) {
        let Some(start) = self.start else { return };
        let rss = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1).map(String::from))
            })
            .unwrap_or_else(|| "?".into());
        eprintln!(
            "timing: {what}: {:.3} s (peak RSS {rss} kB)",
            start.elapsed().as_secs_f64()
        );
    }

    /// Is reporting on? (To skip building a message that would not be printed.)
    pub fn enabled(&self) -> bool {
        self.start.is_some()
    }
}
