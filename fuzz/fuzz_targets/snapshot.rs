//! Reads arbitrary bytes as a V8 heap snapshot, and builds the graph with dominators from what
//! it accepts: an error is fine, a panic, hang or memory blow-up is not.
#![no_main]

use leaklint_runtime_check::{Graph, ReadOptions, reader::read_from};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    leaklint_fuzz::panic_policy();
    let opts = ReadOptions {
        keep_edges: true,
        progress: false,
    };
    if let Ok(snapshot) = read_from(data, "fuzz.heapsnapshot", false, &opts) {
        let _ = Graph::with_dominators(snapshot);
    }
});
