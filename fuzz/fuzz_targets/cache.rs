//! The history cache decoder (src/history/cache.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rubric::fuzzing::cache(data));
