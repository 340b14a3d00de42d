//! The language server on arbitrary input: framing, JSON-RPC, dispatch, the document store and
//! settings. The server runs until the input ends; its output is discarded.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leaklint_fuzz::panic_policy();
    let input = std::io::Cursor::new(data.to_vec());
    let _ = leaklint::lsp::serve(input, std::io::sink());
});
