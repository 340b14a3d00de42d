//! What a file given as a heap snapshot is, when it is not one: the other files V8, Node and
//! DevTools write look alike (JSON, often gzipped) and are easy to pick up by mistake.
//!
//! Told from the first 64 KiB (decompressed for `.gz`):
//! - `.cpuprofile` (`node --cpu-prof`, DevTools Performance): `{"nodes":[{"id":…,"callFrame":…,"hitCount"…`;
//! - `.heapprofile` (`node --heap-prof`, sampling heap profiler): `{"head":{"callFrame":…,"selfSize"…`;
//! - `.heaptimeline` (allocation instrumentation on timeline): a heap snapshot whose
//!   `trace_function_count` is not 0;
//! - a DevTools trace: `{"traceEvents":…` or `[{"pid":…`;
//! - other JSON, named by its first key.

use std::io::Read;
use std::path::Path;

const HEAD: usize = 64 << 10;

/// What the file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    HeapSnapshot,
    /// A heap snapshot with allocation stacks (DevTools "Allocation instrumentation on
    /// timeline"); readable as a snapshot.
    HeapTimeline,
    CpuProfile,
    HeapProfile,
    Trace,
    /// JSON whose first key is this.
    OtherJson(String),
    /// Not JSON (or empty).
    NotJson,
}

impl FileKind {
    /// A sentence for an error message: what the file is and what to do instead; `None` for
    /// heap snapshots.
    pub fn explain(&self) -> Option<String> {
        let text = match self {
            FileKind::HeapSnapshot | FileKind::HeapTimeline => return None,
            FileKind::CpuProfile => {
                "this is a CPU profile (.cpuprofile), not a heap snapshot: it records where time \
                 is spent, not what is in memory. Take heap snapshots (`node \
                 --heapsnapshot-signal=SIGUSR2`, or `v8.writeHeapSnapshot()`)"
                    .to_owned()
            }
            FileKind::HeapProfile => {
                "this is a sampling heap profile (.heapprofile, from `node --heap-prof`), not a \
                 heap snapshot: it samples where memory was allocated, not what is retained"
                    .to_owned()
            }
            FileKind::Trace => {
                "this is a DevTools performance trace, not a heap snapshot".to_owned()
            }
            FileKind::OtherJson(key) => format!(
                "this is JSON, but not a heap snapshot (it starts with the key \"{key}\"; a \
                 snapshot starts with \"snapshot\")"
            ),
            FileKind::NotJson => return None,
        };
        Some(text)
    }
}

/// Looks at the start of `path` (gzipped or not). I/O errors read as [`FileKind::NotJson`]:
/// the caller reports them.
pub fn sniff(path: &Path) -> FileKind {
    let Ok(mut file) = std::fs::File::open(path) else {
        return FileKind::NotJson;
    };
    let mut raw = Vec::new();
    let _ = (&mut file).take(HEAD as u64).read_to_end(&mut raw);
    let head = if raw.starts_with(&[0x1f, 0x8b]) {
        let Ok(file) = std::fs::File::open(path) else {
            return FileKind::NotJson;
        };
        let mut out = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(file)
            .take(HEAD as u64)
            .read_to_end(&mut out);
        out
    } else {
        raw
    };
    sniff_bytes(&head)
}

/// [`sniff`] on the first bytes of the (decompressed) file.
pub fn sniff_bytes(head: &[u8]) -> FileKind {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('[') {
        return if t.contains("\"pid\"") && t.contains("\"ph\"") {
            FileKind::Trace
        } else {
            FileKind::OtherJson("[".into())
        };
    }
    let Some(rest) = t.strip_prefix('{') else {
        return FileKind::NotJson;
    };
    let rest = rest.trim_start();
    let Some(key) = rest
        .strip_prefix('"')
        .and_then(|r| r.split_once('"'))
        .map(|(k, _)| k.to_owned())
    else {
        return FileKind::NotJson;
    };
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    match key.as_str() {
        "snapshot" => {
            let tracing = compact
                .split_once("\"trace_function_count\":")
                .is_some_and(|(_, r)| !r.starts_with('0'));
            if tracing {
                FileKind::HeapTimeline
            } else {
                FileKind::HeapSnapshot
            }
        }
        "nodes" if compact.contains("\"callFrame\"") && compact.contains("\"hitCount\"") => {
            FileKind::CpuProfile
        }
        "head" if compact.contains("\"callFrame\"") && compact.contains("\"selfSize\"") => {
            FileKind::HeapProfile
        }
        "traceEvents" => FileKind::Trace,
        // A profile with its keys in another order.
        _ if compact.contains("\"startTime\"") && compact.contains("\"timeDeltas\"") => {
            FileKind::CpuProfile
        }
        _ if compact.contains("\"head\":{\"callFrame\"") => FileKind::HeapProfile,
        _ => FileKind::OtherJson(key),
    }
}
