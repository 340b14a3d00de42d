//! Times each phase of reading and analysing one snapshot: `cargo run --release --example
//! profile -- FILE`.
use std::time::Instant;

use leaklint_runtime_check::reader::{ReadOptions, read_snapshot};
use leaklint_runtime_check::{Graph, summary};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: profile FILE");
        std::process::exit(2);
    };
    let p = std::path::Path::new(&path);
    let t = Instant::now();
    let light = ReadOptions {
        keep_edges: false,
        progress: false,
    };
    match read_snapshot(p, &path, &light) {
        Ok(s) => println!("light read: {:?} ({} nodes)", t.elapsed(), s.node_count()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
    let t = Instant::now();
    let full = ReadOptions {
        keep_edges: true,
        progress: false,
    };
    let snap = read_snapshot(p, &path, &full).unwrap_or_else(|e| panic!("{e}"));
    println!("full read: {:?}", t.elapsed());
    let t = Instant::now();
    let mut g = Graph::new(snap);
    println!("graph (paths, scripts): {:?}", t.elapsed());
    let t = Instant::now();
    g.compute_retainers();
    println!("retainers: {:?}", t.elapsed());
    let t = Instant::now();
    g.compute_dominators();
    println!("dominators: {:?}", t.elapsed());
    let t = Instant::now();
    let s = summary::summarize(&mut g, 20);
    println!("summary: {:?} ({} classes)", t.elapsed(), s.classes.len());
}
