//! The snapshot reader on hand-made inputs (layouts, strings, bad input) and on real snapshots
//! written by Node 20 (truncated and corrupted at many offsets: errors, never panics).

use std::io::Read;

use leaklint_runtime_check::reader::{ReadOptions, read_from, read_snapshot};
use leaklint_runtime_check::snapshot::{EdgeIndex, EdgeKind, NodeIndex, NodeKind};

const META7: &str = r#"{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]},"node_count":3,"edge_count":2,"trace_function_count":0}"#;

/// Older V8: six node fields (no detachedness), and a different field order.
const META6: &str = r#"{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"string","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]},"node_count":3,"edge_count":2}"#;

/// root --property "a"--> Object "Foo" --element 0--> string "héllo".
fn tiny(meta: &str, nf: usize) -> String {
    let node = |t: u32, name: u32, id: u32, size: u32, edges: u32| {
        let mut v = vec![t, name, id, size, edges, 0];
        if nf == 7 {
            v.push(0);
        }
        v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    };
    format!(
        "{{\"snapshot\":{meta},\n\"nodes\":[{},\n{},\n{}],\n\"edges\":[2,1,{},\n1,0,{}],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\n\"locations\":[{},7,41,2],\n\"strings\":[\"\",\"a\",\"Foo\",\"h\\u00e9llo\"]}}",
        node(9, 0, 1, 0, 1),
        node(3, 2, 3, 24, 1),
        node(2, 3, 5, 16, 0),
        nf,
        2 * nf,
        nf,
    )
}

fn read_str(text: &str) -> Result<leaklint_runtime_check::Snapshot, String> {
    read_from(
        text.as_bytes(),
        "test.heapsnapshot",
        false,
        &ReadOptions::default(),
    )
    .map_err(|e| e.to_string())
}

#[test]
fn reads_seven_field_layout() {
    let s = read_str(&tiny(META7, 7)).unwrap();
    assert_eq!(s.node_count(), 3);
    assert_eq!(s.node_id, vec![1, 3, 5]);
    assert_eq!(s.self_size, vec![0, 24, 16]);
    assert_eq!(s.kind(NodeIndex(1)), NodeKind::Object);
    assert_eq!(s.name(NodeIndex(1)), "Foo");
    assert_eq!(s.name(NodeIndex(2)), "héllo");
    assert_eq!(s.first_edge, vec![0, 1, 2, 2]);
    assert_eq!(s.edge_to, vec![NodeIndex(1), NodeIndex(2)]);
    assert_eq!(s.edge_kind(EdgeIndex(0)), EdgeKind::Property);
    assert_eq!(s.edge_name(EdgeIndex(0)), "a");
    assert_eq!(s.edge_kind(EdgeIndex(1)), EdgeKind::Element);
    assert_eq!(s.edge_name(EdgeIndex(1)), "0");
    assert_eq!(
        s.child(NodeIndex(0), EdgeKind::Property, "a"),
        Some(NodeIndex(1))
    );
    let loc = s.location(NodeIndex(1)).unwrap();
    assert_eq!((loc.script, loc.line, loc.column), (7, 41, 2));
    assert_eq!(s.class_name(NodeIndex(1)), "Foo");
    assert_eq!(s.class_name(NodeIndex(2)), "(string)");
}

#[test]
fn reads_six_field_layout() {
    let s = read_str(&tiny(META6, 6)).unwrap();
    assert_eq!(s.node_id, vec![1, 3, 5]);
    assert_eq!(s.edge_to, vec![NodeIndex(1), NodeIndex(2)]);
    assert_eq!(s.location(NodeIndex(1)).unwrap().line, 41);
}

#[test]
fn keys_in_any_order() {
    // Arrays before the header are kept flat and split once the header arrives.
    let nodes = "[9,0,1,0,1,0,0,3,2,3,24,1,0,0,2,3,5,16,0,0,0]";
    let text = format!(
        "{{\"strings\":[\"\",\"a\",\"Foo\",\"x\"],\"edges\":[2,1,7,1,0,14],\"nodes\":{nodes},\"extra\":{{\"k\":[1,[2,\"]\"]]}},\"snapshot\":{META7}}}"
    );
    let s = read_str(&text).unwrap();
    assert_eq!(s.node_id, vec![1, 3, 5]);
    assert_eq!(s.edge_to, vec![NodeIndex(1), NodeIndex(2)]);
    assert_eq!(s.name(NodeIndex(2)), "x");
}

#[test]
fn light_read_skips_edges() {
    let s = read_from(
        tiny(META7, 7).as_bytes(),
        "t",
        false,
        &ReadOptions {
            keep_edges: false,
            progress: false,
        },
    )
    .unwrap();
    assert!(!s.has_edges);
    assert!(s.edge_to.is_empty());
    assert_eq!(s.edge_count, vec![1, 1, 0]);
    assert_eq!(s.node_id, vec![1, 3, 5]);
    assert_eq!(s.name(NodeIndex(1)), "Foo");
}

fn with_strings(strings: &str) -> String {
    tiny(META7, 7).replace(
        "\"strings\":[\"\",\"a\",\"Foo\",\"h\\u00e9llo\"]",
        &format!("\"strings\":[\"\",\"a\",\"Foo\",{strings}]"),
    )
}

#[test]
fn strings_are_decoded_leniently() {
    for (json, want) in [
        // A surrogate pair, as a strict encoder would write it.
        (r#""\ud83d\ude00""#, "😀"),
        // V8 11 writes astral code points lossily: kept as the BMP character it wrote.
        (r#""\uF600""#, "\u{f600}"),
        // Lone surrogates: replaced, never an error.
        (r#""a\ud800b""#, "a\u{fffd}b"),
        (r#""\udc00""#, "\u{fffd}"),
        (r#""\ud800\ud800x""#, "\u{fffd}\u{fffd}x"),
        (r#""end\ud800""#, "end\u{fffd}"),
        // Ordinary escapes, and an unknown one taken literally.
        (r#""t\tq\"b\\s\/n\n\q""#, "t\tq\"b\\s/n\nq"),
        // Not hex: kept as written.
        (r#""\uZZZZ!""#, "\\uZZZZ!"),
        (r#""\u2028""#, "\u{2028}"),
    ] {
        let s = read_str(&with_strings(json)).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(s.name(NodeIndex(2)), want, "decoding {json}");
    }
    // Raw bytes that are not UTF-8 are replaced.
    let mut bytes = with_strings("\"ab\"").into_bytes();
    let at = bytes.windows(4).position(|w| w == b"\"ab\"").unwrap();
    bytes[at + 1] = 0xff;
    let s = read_from(&bytes[..], "t", false, &ReadOptions::default()).unwrap();
    assert_eq!(s.name(NodeIndex(2)), "\u{fffd}b");
}

fn err(text: &str) -> String {
    match read_str(text) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    }
}

#[test]
fn numbers_must_fit_in_32_bits() {
    let text = tiny(META7, 7).replace("3,24,1", "3,4294967296,1");
    let e = err(&text);
    assert!(e.contains("does not fit in 32 bits"), "{e}");
    assert!(e.starts_with("test.heapsnapshot: at byte "), "{e}");
    // The largest u32 is fine.
    let ok = tiny(META7, 7).replace("3,24,1", "3,4294967295,1");
    assert_eq!(read_str(&ok).unwrap().self_size[1], u32::MAX);
}

#[test]
fn bad_numbers_are_errors_with_offsets() {
    let base = tiny(META7, 7);
    for (from, to, want) in [
        ("3,24,1", "3,-24,1", "a negative number"),
        ("3,24,1", "3,2.5,1", "a fraction or exponent"),
        ("3,24,1", "3,,1", "expected a number in `nodes`, found `,`"),
        ("3,24,1", "3,24 1", "expected `,` or `]`"),
        ("[2,1,7,", "[2,1,9,", "is not a node offset"),
        ("[2,1,7,", "[2,1,70,", "points past the last of the 3 nodes"),
        ("[2,1,7,", "[9,1,7,", "edge type 9 is not among the 7 types"),
        ("[9,0,1,0,1", "[99,0,1,0,1", "node type 99"),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{from} not found");
        let e = err(&text);
        assert!(e.contains(want), "{to}: {e}");
        assert!(e.contains("at byte "), "{to}: {e}");
    }
}

#[test]
fn structural_errors() {
    let base = tiny(META7, 7);
    for (from, to, want) in [
        // The edge counts add up to 2; declare 3.
        (
            "3,24,1,0,0",
            "3,24,2,0,0",
            "edge counts add up to 3 but `edges` holds 2",
        ),
        ("\"node_count\":3", "\"node_count\":4", "announces 4 nodes"),
        // A node named by a string index past the table.
        ("3,2,3,24", "3,9,3,24", "named by string 9"),
        ("[2,1,7,", "[2,8,7,", "edge #0 is named by string 8"),
        (
            "\"locations\":[7,",
            "\"locations\":[70,",
            "a location names node 10",
        ),
        (
            "2,3,5,16,0,0,0]",
            "2,3,5,16,0,0]",
            "in the middle of a node",
        ),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{from} not found");
        let e = err(&text);
        assert!(e.contains(want), "{to}: {e}");
    }
    let e = err(&base.replace(",\n\"strings\":[\"\",\"a\",\"Foo\",\"h\\u00e9llo\"]", ""));
    assert!(e.contains("`strings` array is missing"), "{e}");
}

#[test]
fn not_a_snapshot() {
    let e = err("");
    assert!(e.contains("empty file"), "{e}");
    let e = err("'use strict';\nconsole.log(1);\n");
    assert!(
        e.contains("at byte 0: not a V8 heap snapshot: expected a JSON object"),
        "{e}"
    );
    let e = err(r#"{"name":"app","version":"1.0.0","dependencies":{}}"#);
    assert!(
        e.contains("no `snapshot` header") && e.contains("found name, version, dependencies"),
        "{e}"
    );
    let e = err("{}");
    assert!(e.contains("no `snapshot` header"), "{e}");
    let e = err("[1,2,3]");
    assert!(e.contains("expected a JSON object"), "{e}");
    let e = err(&format!("{} trailing", tiny(META7, 7)));
    assert!(e.contains("unexpected data after the end"), "{e}");
}

#[test]
fn unsupported_headers() {
    // A layout without edge_count (not a format this reader knows).
    let meta = META7.replace("\"edge_count\",", "");
    let e = err(&tiny(&meta, 7));
    assert!(
        e.contains("unsupported snapshot format: `meta.node_fields` has no `edge_count`"),
        "{e}"
    );
    let meta = META7.replace("\"to_node\"", "\"target\"");
    let e = err(&tiny(&meta, 7));
    assert!(e.contains("`meta.edge_fields` has no `to_node`"), "{e}");
    let meta = META7.replace("\"node_types\":[[", "\"node_types\":[\"x\",[");
    let e = err(&tiny(&meta, 7));
    assert!(
        e.contains("does not start with the list of type names"),
        "{e}"
    );
    let e = err(r#"{"snapshot":{"meta":{}},"nodes":[],"edges":[],"strings":[]}"#);
    assert!(
        e.contains("the `snapshot` header is not the one V8 writes"),
        "{e}"
    );
    assert!(e.contains("at byte 12"), "{e}");
}

#[test]
fn truncated_everywhere_is_an_error() {
    let text = tiny(META7, 7);
    for cut in 0..text.len() - 1 {
        let e = err(&text[..cut]);
        assert!(
            e.contains("truncated") || e.contains("empty file") || e.contains("missing"),
            "cut at {cut}: {e}"
        );
    }
}

fn real(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../fixtures/apps/snapshots/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn real_snapshot_plain_and_gzipped_agree() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("s1.heapsnapshot");
    std::fs::write(&plain, real("leaky/s1.heapsnapshot.gz")).unwrap();
    let gz = format!(
        "{}/../fixtures/apps/snapshots/leaky/s1.heapsnapshot.gz",
        env!("CARGO_MANIFEST_DIR")
    );
    let a = read_snapshot(&plain, "plain", &ReadOptions::default()).unwrap();
    let b = read_snapshot(std::path::Path::new(&gz), "gz", &ReadOptions::default()).unwrap();
    assert!(a.node_count() > 50_000, "{}", a.node_count());
    assert_eq!(a.node_id, b.node_id);
    assert_eq!(a.edge_to, b.edge_to);
    assert_eq!(a.strings.len(), b.strings.len());
    assert_eq!(a.locations, b.locations);
    // Node 20: the synthetic root first, ids odd for heap objects.
    assert_eq!(a.kind(NodeIndex(0)), NodeKind::Synthetic);
    assert_eq!(a.id(NodeIndex(0)), 1);
}

#[test]
fn real_snapshot_truncated_or_corrupted_never_panics() {
    let bytes = real("clean/s1.heapsnapshot.gz");
    let opts = ReadOptions::default();
    let len = bytes.len();
    // Truncated at 50 offsets spread over the file: always an error naming the file.
    for i in 0..50 {
        let cut = (len - 2) * i / 50 + 1;
        let e = read_from(&bytes[..cut], "cut.heapsnapshot", false, &opts)
            .expect_err("a truncated snapshot must not read");
        let msg = e.to_string();
        assert!(msg.starts_with("cut.heapsnapshot: "), "{msg}");
        assert!(
            msg.contains("truncated") || msg.contains("missing"),
            "cut at {cut}: {msg}"
        );
    }
    // A byte overwritten at 40 places: an error or a snapshot, never a panic.
    let mut errors = 0;
    for i in 0..40 {
        let at = len * i / 40 + i;
        for b in [b'x', b'"', b']'] {
            let mut copy = bytes.clone();
            copy[at] = b;
            if read_from(&copy[..], "bad", false, &opts).is_err() {
                errors += 1;
            }
        }
    }
    assert!(errors > 0);
}

#[test]
fn corrupt_gzip_is_an_error() {
    let gz = std::fs::read(format!(
        "{}/../fixtures/apps/snapshots/clean/s1.heapsnapshot.gz",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.heapsnapshot.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let e = read_snapshot(&cut, "cut.heapsnapshot.gz", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("of the decompressed data"), "{e}");
    assert!(e.contains("truncated"), "{e}");
    let mut bad = gz.clone();
    for b in &mut bad[100..400] {
        *b ^= 0x5a;
    }
    let path = dir.path().join("bad.heapsnapshot.gz");
    std::fs::write(&path, &bad).unwrap();
    let e = read_snapshot(&path, "bad.heapsnapshot.gz", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("bad.heapsnapshot.gz: at byte "), "{e}");
}

#[test]
fn light_and_full_reads_of_a_real_snapshot_agree() {
    let path = std::path::PathBuf::from(format!(
        "{}/../fixtures/apps/snapshots/leaky/s2.heapsnapshot.gz",
        env!("CARGO_MANIFEST_DIR")
    ));
    let full = read_snapshot(&path, "s2", &ReadOptions::default()).unwrap();
    let light = read_snapshot(
        &path,
        "s2",
        &ReadOptions {
            keep_edges: false,
            progress: false,
        },
    )
    .unwrap();
    assert!(full.has_edges && !light.has_edges);
    assert_eq!(full.node_id, light.node_id);
    assert_eq!(full.node_name, light.node_name);
    assert_eq!(full.self_size, light.self_size);
    assert_eq!(full.edge_count, light.edge_count);
    assert_eq!(full.locations, light.locations);
    assert_eq!(full.strings.len(), light.strings.len());
    assert!(light.edge_to.is_empty() && light.first_edge.is_empty());
    // The skipped edges are still counted: one edge too many is an error.
    let mut text = String::from_utf8(real("leaky/s2.heapsnapshot.gz")).unwrap();
    let at = text.find("\"edges\":[").unwrap() + "\"edges\":[".len();
    text.insert_str(at, "1,2,7,");
    let e = read_from(
        text.as_bytes(),
        "extra",
        false,
        &ReadOptions {
            keep_edges: false,
            progress: false,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("`edges` holds"), "{e}");
}
