//! The YAML loader on the official YAML test suite, on random bytes and on truncated files.

use rubric::load::yaml::{load, DEFAULT_MAX_FILE_SIZE};
use rubric::Code;
use std::collections::BTreeSet;

fn corpus() -> std::path::PathBuf {
    crate::project_root().join("tests/fixtures/yaml-test-suite")
}

/// Every case: the 94 that a conforming parser must reject get a `yaml-syntax` (or
/// `duplicate-key`) diagnostic with a line; every other case loads or gets a diagnostic that is
/// not a syntax error (empty, not a mapping, several documents, unsupported key). None panics.
#[test]
fn yaml_test_suite() {
    let errors: BTreeSet<String> = std::fs::read_to_string(corpus().join("errors.txt"))
        .expect("errors.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    assert_eq!(errors.len(), 94);
    let mut cases = 0;
    let mut wrongly_accepted = Vec::new();
    let mut wrongly_rejected = Vec::new();
    for entry in std::fs::read_dir(corpus().join("cases")).expect("cases") {
        let path = entry.expect("entry").path();
        let id = path.file_stem().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).expect("read");
        cases += 1;
        let result = load("case.yaml", &bytes, DEFAULT_MAX_FILE_SIZE);
        let syntax = match &result {
            Ok(doc) => !doc.problems.is_empty(),
            Err(d) => {
                assert!(d[0].line >= 1 && d[0].column >= 1, "{id}: position");
                matches!(d[0].code, Code::YamlSyntax | Code::DuplicateKey)
            }
        };
        if errors.contains(&id) && !syntax {
            wrongly_accepted.push(id);
        } else if !errors.contains(&id) && syntax {
            let first = match result {
                Ok(doc) => doc.problems[0].message.clone(),
                Err(d) => d[0].message.clone(),
            };
            wrongly_rejected.push((id, first));
        }
    }
    assert_eq!(cases, 402);
    assert!(
        wrongly_accepted.is_empty(),
        "invalid YAML accepted: {wrongly_accepted:?}"
    );
    assert!(
        wrongly_rejected.is_empty(),
        "valid YAML rejected: {wrongly_rejected:?}"
    );
}

/// A tiny deterministic generator (xorshift), so the test needs no extra crate and repeats.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_and_truncations_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"ab:-[]{}&*!|>'\"#%@`, \n\t?0123na.~\\";
    for _ in 0..3000 {
        let len = (rng.next() % 200) as usize;
        let raw: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = load("r.yaml", &raw, DEFAULT_MAX_FILE_SIZE);
        let yamlish: Vec<u8> = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        let _ = load("r.yaml", &yamlish, DEFAULT_MAX_FILE_SIZE);
    }
    // Every prefix of every real file of the example repository and of the corpus.
    let mut files = Vec::new();
    for dir in [
        "rubrics",
        "reviews/2026/10",
        "tests/fixtures/yaml-test-suite/cases",
    ] {
        for e in std::fs::read_dir(crate::project_root().join(dir)).expect("dir") {
            files.push(e.expect("entry").path());
        }
    }
    files.truncate(120);
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        for cut in 0..bytes.len() {
            let _ = load("t.yaml", &bytes[..cut], DEFAULT_MAX_FILE_SIZE);
        }
    }
}

#[test]
fn billion_laughs_ends_fast_with_an_error() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            std::iter::repeat_n(prev.as_str(), 9)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // Unbounded, this would expand 10^9 nodes and exhaust memory; bounded, it is an error.
    let err = load("bomb.yaml", text.as_bytes(), DEFAULT_MAX_FILE_SIZE).unwrap_err();
    assert_eq!(err[0].code, Code::AliasLimit);
    // a1..a3 expand to 8,289 nodes; the first `*a3` in a4 would pass the 10,000 budget.
    assert_eq!((err[0].line, err[0].column), (5, 10));
}
