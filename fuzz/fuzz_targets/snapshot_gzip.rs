//! The gzip path of the snapshot reader: the input is compressed (so that mutations reach the
//! JSON behind the decompressor), then cut or corrupted as the first byte says, and read the way
//! `leaklint heap` reads a `.heapsnapshot.gz`.
#![no_main]

use std::io::Write;

use leaklint_runtime_check::{ReadOptions, reader::read_from};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leaklint_fuzz::panic_policy();
    let Some((&how, json)) = data.split_first() else {
        return;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(json).expect("in memory");
    let mut gz = gz.finish().expect("in memory");
    match how % 4 {
        // Truncated, as a snapshot whose writer died.
        1 => gz.truncate(gz.len() * usize::from(how) / 256),
        // One byte flipped: CRC or deflate errors.
        2 if !gz.is_empty() => {
            let at = usize::from(how) % gz.len();
            gz[at] ^= 0x5a;
        }
        // Two members back to back (what `MultiGzDecoder` reads on).
        3 => gz.extend_from_slice(&gz.clone()),
        _ => {}
    }
    let opts = ReadOptions {
        keep_edges: false,
        progress: false,
    };
    let _ = read_from(
        flate2::read::MultiGzDecoder::new(&gz[..]),
        "fuzz.heapsnapshot.gz",
        true,
        &opts,
    );
});
