//! Sampling heap profiles (`.heapprofile`, written by `node --heap-prof` or DevTools'
//! "Allocation sampling"): allocation sites by sampled bytes.
//!
//! The file is one JSON object, `{ "head": node, "samples": [...] }`, where a node is `{
//! "callFrame": { "functionName", "scriptId", "url", "lineNumber", "columnNumber" },
//! "selfSize", "id", "children": [node] }`: a tree of call stacks, `selfSize` being the bytes of
//! the sampled allocations made while that frame was on top of the stack (positions 0-based).
//! V8 samples about one allocation per `--heap-prof-interval` bytes (512 KiB by default) and, as
//! Node asks for it, keeps only the samples whose objects were not yet collected when the
//! profile was written. A frame's position is where its *function* starts, not the line that
//! allocated: a site here is a function.
//!
//! What it cannot say: what keeps the memory alive, or whether it grows. It shows where memory
//! is allocated, not what is retained; heap snapshots say that.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::sourcemaps::{SourceMapError, SourceMaps};

/// One allocation site: a function, with the sampled bytes allocated in it.
#[derive(Clone, Debug, Serialize)]
pub struct Site {
    /// The function's name (`(anonymous)` when V8 has none).
    pub function: String,
    /// The script as the profile names it (after source maps: the original source).
    pub file: String,
    /// 1-based line and column where the function starts (0 when unknown).
    pub line: u32,
    pub column: u32,
    /// Bytes of sampled allocations made in this function itself.
    pub self_bytes: u64,
    /// Bytes of sampled allocations made in it and in everything it called (each stack
    /// counted once, also under recursion).
    pub total_bytes: u64,
}

/// A read profile: sites sorted by self bytes, largest first.
#[derive(Clone, Debug)]
pub struct Profile {
    pub sites: Vec<Site>,
    /// Sum of every node's self size, in bytes.
    pub total_bytes: u64,
    /// Number of samples.
    pub samples: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFrame {
    #[serde(default)]
    function_name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    line_number: i64,
    #[serde(default)]
    column_number: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNode {
    call_frame: RawFrame,
    self_size: f64,
    #[serde(default)]
    children: Vec<RawNode>,
}

#[derive(Deserialize)]
struct RawProfile {
    head: RawNode,
    #[serde(default)]
    samples: Vec<serde::de::IgnoredAny>,
}

/// Why a profile cannot be read: shown as `FILE: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ProfileError {}

impl From<SourceMapError> for ProfileError {
    fn from(e: SourceMapError) -> ProfileError {
        ProfileError {
            file: e.file,
            message: e.message,
        }
    }
}

/// Reads a `.heapprofile` (or `.heapprofile.gz`) and groups its frames into sites, with
/// positions moved through `maps` when a script has a source map.
///
/// Errors: the file cannot be read; it is another kind of file (a heap snapshot, a CPU
/// profile, other JSON: named as what it is); it is not valid JSON of this shape; a source
/// map it leads to is broken.
pub fn read_profile(
    path: &Path,
    shown: &str,
    maps: &mut SourceMaps,
) -> Result<Profile, ProfileError> {
    let err = |message: String| ProfileError {
        file: shown.to_owned(),
        message,
    };
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut raw))
        .map_err(|e| err(format!("cannot read it: {e}")))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| err(format!("cannot decompress it: {e}")))?;
        raw = out;
    }
    let head_len = raw.len().min(64 << 10);
    match crate::filekind::sniff_bytes(&raw[..head_len]) {
        crate::filekind::FileKind::HeapProfile => {}
        crate::filekind::FileKind::HeapSnapshot | crate::filekind::FileKind::HeapTimeline => {
            return Err(err(
                "this is a heap snapshot, not a sampling heap profile: read it with `leaklint \
                 heap summary`, or give three to `confirm --snapshots`"
                    .into(),
            ));
        }
        other => {
            let what = other
                .explain()
                .map(|t| t.replace(", not a heap snapshot", ""))
                .unwrap_or_else(|| "this is not JSON".to_owned());
            return Err(err(format!(
                "not a sampling heap profile ({what}); write one with `node --heap-prof`"
            )));
        }
    }
    // Call trees nest one level per stack frame: parse on a thread with a large stack, with
    // serde_json's depth limit off (deep stacks exceed its 128 levels).
    let parsed = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || -> Result<(Vec<Flat>, usize), String> {
            let mut de = serde_json::Deserializer::from_slice(&raw);
            de.disable_recursion_limit();
            let p = RawProfile::deserialize(&mut de).map_err(|e| e.to_string())?;
            let samples = p.samples.len();
            let mut flat = Vec::new();
            flatten(p.head, u32::MAX, &mut flat);
            Ok((flat, samples))
        })
        .map_err(|e| err(format!("cannot start a reader thread: {e}")))?
        .join()
        .map_err(|_| err("the profile is nested too deeply to read".into()))?;
    let (flat, samples) =
        parsed.map_err(|e| err(format!("not a valid sampling heap profile: {e}")))?;
    sites(flat, samples, maps)
}

/// A node of the call tree, flattened: parent index ([`u32::MAX`] for the root).
struct Flat {
    parent: u32,
    function: String,
    url: String,
    line: i64,
    column: i64,
    self_size: u64,
}

/// Pre-order flattening, children after their parent. Recursive: run on a large stack.
fn flatten(n: RawNode, parent: u32, out: &mut Vec<Flat>) {
    let me = out.len() as u32;
    out.push(Flat {
        parent,
        function: n.call_frame.function_name,
        url: n.call_frame.url,
        line: n.call_frame.line_number,
        column: n.call_frame.column_number,
        self_size: if n.self_size.is_finite() && n.self_size > 0.0 {
            n.self_size as u64
        } else {
            0
        },
    });
    for c in n.children {
        flatten(c, me, out);
    }
}

fn sites(flat: Vec<Flat>, samples: usize, maps: &mut SourceMaps) -> Result<Profile, ProfileError> {
    // Site key of every node: (function, file, line, column) after source maps.
    let mut keys: HashMap<(String, String, u32, u32), usize> = HashMap::new();
    let mut site_of: Vec<usize> = Vec::with_capacity(flat.len());
    let mut sites: Vec<Site> = Vec::new();
    for n in &flat {
        let (mut file, mut line, mut column) = (
            crate::diff::short_script(&n.url).to_owned(),
            u32::try_from(n.line).ok(),
            u32::try_from(n.column).ok(),
        );
        if let (Some(l), Some(c)) = (line, column)
            && !n.url.is_empty()
            && let Some((src, sl, sc)) = maps.position(&n.url, l, c)?
        {
            file = src;
            line = Some(sl);
            column = Some(sc);
        }
        let function = if n.function.is_empty() {
            "(anonymous)".to_owned()
        } else {
            n.function.clone()
        };
        let key = (
            function,
            file,
            line.map_or(0, |l| l + 1),
            column.map_or(0, |c| c + 1),
        );
        let next = sites.len();
        let i = *keys.entry(key.clone()).or_insert(next);
        if i == next {
            sites.push(Site {
                function: key.0,
                file: key.1,
                line: key.2,
                column: key.3,
                self_bytes: 0,
                total_bytes: 0,
            });
        }
        site_of.push(i);
        sites[i].self_bytes += n.self_size;
    }
    // Subtree sizes, children before parents (pre-order reversed).
    let mut subtree: Vec<u64> = flat.iter().map(|n| n.self_size).collect();
    for v in (1..flat.len()).rev() {
        let p = flat[v].parent as usize;
        if p < flat.len() {
            subtree[p] += subtree[v];
        }
    }
    // A site's total: the subtrees of its nodes that have no ancestor of the same site.
    for v in 0..flat.len() {
        let s = site_of[v];
        let mut p = flat[v].parent;
        let mut nested = false;
        while (p as usize) < flat.len() {
            if site_of[p as usize] == s {
                nested = true;
                break;
            }
            p = flat[p as usize].parent;
        }
        if !nested {
            sites[s].total_bytes += subtree[v];
        }
    }
    let total_bytes = flat.iter().map(|n| n.self_size).sum();
    sites.retain(|s| s.total_bytes > 0);
    sites.sort_by(|a, b| {
        (b.self_bytes, b.total_bytes, &a.file, a.line, &a.function).cmp(&(
            a.self_bytes,
            a.total_bytes,
            &b.file,
            b.line,
            &b.function,
        ))
    });
    Ok(Profile {
        sites,
        total_bytes,
        samples,
    })
}

/// `heap profile` for people: the `top` sites by self bytes.
pub fn render_text(path: &str, p: &Profile, top: usize) -> String {
    use std::fmt::Write as _;
    let bytes = crate::render::bytes;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Sampling heap profile {path}: {} sampled in {} samples, by the function that allocated \
         (sampling shows where memory is allocated, not what is retained)",
        bytes(p.total_bytes),
        p.samples
    );
    let _ = writeln!(
        out,
        "\n{:>10} {:>6} {:>10}  {:<28} location",
        "self", "self%", "total", "function"
    );
    for s in p.sites.iter().take(top) {
        let share = if p.total_bytes > 0 {
            100.0 * s.self_bytes as f64 / p.total_bytes as f64
        } else {
            0.0
        };
        let at = if s.file.is_empty() {
            "(no script)".to_owned()
        } else if s.line > 0 {
            format!("{}:{}", s.file, s.line)
        } else {
            s.file.clone()
        };
        let _ = writeln!(
            out,
            "{:>10} {:>5.1}% {:>10}  {:<28} {at}",
            bytes(s.self_bytes),
            share,
            bytes(s.total_bytes),
            s.function
        );
    }
    if p.sites.len() > top {
        let _ = writeln!(out, "… {} more sites (--top)", p.sites.len() - top);
    }
    out
}

/// `heap profile --format json`: `{ "version": 1, "profile", "total_bytes", "samples",
/// "sites": [{ "function", "file", "line", "column", "self_bytes", "total_bytes" }] }`, the
/// `top` sites by self bytes.
pub fn render_json(path: &str, p: &Profile, top: usize) -> String {
    #[derive(Serialize)]
    struct Json<'a> {
        version: u32,
        profile: &'a str,
        total_bytes: u64,
        samples: usize,
        sites: &'a [Site],
    }
    let json = Json {
        version: crate::render::JSON_VERSION,
        profile: path,
        total_bytes: p.total_bytes,
        samples: p.samples,
        sites: &p.sites[..p.sites.len().min(top)],
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(f: &str, line: i64, size: f64, children: Vec<RawNode>) -> RawNode {
        RawNode {
            call_frame: RawFrame {
                function_name: f.into(),
                url: if f.starts_with('(') {
                    String::new()
                } else {
                    "/app/a.js".into()
                },
                line_number: line,
                column_number: 0,
            },
            self_size: size,
            children,
        }
    }

    #[test]
    fn totals_count_each_stack_once_under_recursion() {
        // (root) → walk → walk → leaf, with walk allocating at both depths.
        let tree = node(
            "(root)",
            -1,
            0.0,
            vec![node(
                "walk",
                4,
                100.0,
                vec![node("walk", 4, 50.0, vec![node("leaf", 9, 10.0, vec![])])],
            )],
        );
        let mut flat = Vec::new();
        flatten(tree, u32::MAX, &mut flat);
        let mut maps = SourceMaps::new(None, std::env::temp_dir());
        let p = sites(flat, 3, &mut maps).unwrap();
        let walk = p.sites.iter().find(|s| s.function == "walk").unwrap();
        assert_eq!((walk.self_bytes, walk.total_bytes), (150, 160));
        assert_eq!((walk.line, walk.column), (5, 1));
        let leaf = p.sites.iter().find(|s| s.function == "leaf").unwrap();
        assert_eq!((leaf.self_bytes, leaf.total_bytes), (10, 10));
        assert_eq!(p.total_bytes, 160);
        assert_eq!(p.sites[0].function, "walk");
    }
}
