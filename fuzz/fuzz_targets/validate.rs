//! Schema and model validation and the rubric and review rules: the first byte picks rubric, review or qa.yaml.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rubric::fuzzing::validate(data));
