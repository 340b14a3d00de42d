//! `leaklint.toml` and suppression comments: the input is a configuration, a NUL byte, and a
//! JavaScript file (usually full of `leaklint-disable` directives). An invalid configuration
//! must be an error; a valid one is used to lint the file.
#![no_main]

use std::path::Path;

use leaklint::config::Config;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (toml, source) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(toml) = std::str::from_utf8(toml) else {
        return;
    };
    let path = Path::new("/fuzz/leaklint.toml");
    if let Ok(config) = Config::from_text(toml, path, "leaklint.toml".into()) {
        leaklint_fuzz::lint("input.js", source, config);
    }
});
