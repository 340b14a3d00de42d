//! Lints arbitrary bytes as a `.jsx` file: parse, model, rules, suppression directives.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leaklint_fuzz::lint("input.jsx", data, leaklint_fuzz::defaults());
});
