//! The scorer (src/analysis/score.rs) on a rubric and ratings built from bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rubric::fuzzing::score(data));
