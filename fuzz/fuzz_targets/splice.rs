//! The text splicer of `rubric dispute` and `rubric resolve` (src/edit/splice.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rubric::fuzzing::splice(data));
