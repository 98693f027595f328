//! Every committed fuzz input through the function its fuzz target calls, on stable: the
//! minimized corpora (`fuzz/corpus/<target>/`) and every input that once crashed, hung or
//! allocated without bound (`tests/fuzz-regressions/<target>/`). See docs/fuzzing.md.

use std::path::Path;

/// The files of a folder, sorted (none when it does not exist).
fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    let mut v: Vec<_> = entries
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Feeds every corpus and regression input of `target` to `run`; each must return (a panic
/// names the file). Returns how many there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = crate::project_root();
    let mut n = 0;
    for dir in [
        root.join("fuzz/corpus").join(target),
        root.join("tests/fuzz-regressions").join(target),
    ] {
        for path in inputs(&dir) {
            let bytes = std::fs::read(&path).unwrap();
            let started = std::time::Instant::now();
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{} panicked", path.display());
            // Generous for a debug build on a busy machine; a hang never returns at all.
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{} took {:?}",
                path.display(),
                started.elapsed()
            );
            n += 1;
        }
    }
    n
}

#[test]
fn fuzz_corpus_yaml() {
    assert!(replay("yaml", rubric::fuzzing::yaml) > 0);
}

#[test]
fn fuzz_corpus_validate() {
    assert!(replay("validate", rubric::fuzzing::validate) > 0);
}

#[test]
fn fuzz_corpus_score() {
    assert!(replay("score", rubric::fuzzing::score) > 0);
}

#[test]
fn fuzz_corpus_cache() {
    assert!(replay("cache", rubric::fuzzing::cache) > 0);
}

#[test]
fn fuzz_corpus_splice() {
    assert!(replay("splice", rubric::fuzzing::splice) > 0);
}
