//! The YAML loader with positions (src/load/yaml.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rubric::fuzzing::yaml(data));
