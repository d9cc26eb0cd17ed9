#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| acp_check_fuzz::fix(data));
