//! Lints arbitrary bytes as a `.js` file: parse, model, rules, suppression directives.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leaklint_fuzz::lint("input.js", data, leaklint_fuzz::defaults());
});
