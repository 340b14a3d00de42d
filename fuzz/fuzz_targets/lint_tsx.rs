//! Lints arbitrary bytes as a `.tsx` file: parse, model, rules, suppression directives.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leaklint_fuzz::lint("input.tsx", data, leaklint_fuzz::defaults());
});
