//! `leaklint confirm`: gives each static finding a verdict from heap evidence in three
//! snapshots of one process, then lists the growth that no finding explains.
//!
//! Verdicts:
//! - **confirmed**: the structure the finding's signature points at grew in both intervals;
//! - **not-growing**: it exists in the snapshots but did not grow in both intervals;
//! - **not-observed**: nothing from that code is in any snapshot (the path did not run, or
//!   everything it made was collected).
//!
//! What is looked for, per signature kind (lines are matched in the script that maps to the
//! finding's file, see [`FileMap`]):
//! - `listener`: listeners under `_events[event]` of the receiver (every event when the
//!   signature has none, as for `max-listeners-disabled`), and closures created at the
//!   handler's line. The receiver is resolved as a context variable of the file's scripts
//!   (`orders`), a property path from `global` (`process`, `globalThis.bus`), or, when neither
//!   resolves, any emitter whose `_events[event]` holds a closure from the handler's line;
//! - `collection`: the Map, Set, Array or object that the variable (or `a.b` path) holds:
//!   entry counts;
//! - `global`: the object at the access path from `global` (`globalThis.` and `global.` are
//!   dropped; a first name that is not a global is tried as a variable of the file): entries;
//! - `closure`: closures created at the function's line whose context chain holds the
//!   retained variable (V8 leaves block-scope variables unnamed: then any value in the
//!   closure's own context), with the retained size of what it holds;
//! - `promise`: pending promises (a `PromiseReaction` attached) whose reaction handler was
//!   created at the call's or the function's line, or that an async function awaiting there
//!   is suspended on;
//! - `timer`: live `Timeout` objects whose `_onTimeout` callback was created at that line.
//!
//! Unexplained growth is growth in both intervals, by at least `min_growth` each time, of
//! (a) closures, async functions or class instances created at one source location of a user
//! script (not `node:` built-ins), and (b) collections (by node id: Map and Set entries, Array
//! elements, object properties) that can be tied to user code: through the locations of their
//! entries, a variable of a user script's context, or a `global` property assigned in a user
//! script. Growth that a finding's evidence covers is left out; a collection whose entries come
//! from a listed location is shown with that location rather than on its own.

//!
//! The work is split by job: [`input`] (findings, file map), [`index`] (per-snapshot lookups),
//! [`evidence`] and [`observe`] (what each signature kind points at, in one snapshot),
//! [`verdict`] (the observations of all snapshots into a verdict), [`unexplained`], and
//! [`render`]. Snapshots are taken one at a time, oldest first: each is added to the
//! Comparison by node id ([`diff::Comparer`]) when it is read, observed while it has its
//! edges, and then freed but for its script names and the entry counts of its collections, so
//! one snapshot is in memory at a time (with the keys of the one before, for the Comparison).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::diff;
use crate::graph::{Graph, Script};

mod allocation;
mod evidence;
mod index;
mod input;
mod observe;
mod render;
mod unexplained;
mod verdict;

pub use allocation::{Allocation, add_allocations};
pub use input::{FileMap, Finding, Pos, Signature, findings_from_json};
pub use render::{render_json, render_text};

/// Growth below this many objects per interval is not reported as unexplained: a server's
/// own bookkeeping (parsers, timers lists, free lists) moves by a few objects between
/// snapshots.
pub const DEFAULT_MIN_GROWTH: u64 = 10;

/// Options of `leaklint confirm`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The app's directory as the snapshot's script paths spell it.
    pub root: Option<String>,
    pub min_growth: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictKind {
    Confirmed,
    NotGrowing,
    NotObserved,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Confirmed => "confirmed",
            VerdictKind::NotGrowing => "not-growing",
            VerdictKind::NotObserved => "not-observed",
        }
    }
}

/// One number tracked across the three snapshots.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// What was counted, e.g. "listeners in `_events.shipped` of `orders` (EventEmitter @115293)".
    pub what: String,
    /// The count in each snapshot.
    pub counts: Vec<u64>,
    /// Grew from the first to the second and from the second to the third snapshot.
    pub grew_in_both: bool,
    /// Bytes held, in each snapshot, when that is meaningful (retained sizes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained_bytes: Option<Vec<u64>>,
}

impl Evidence {
    pub(super) fn new(what: String, counts: Vec<u64>) -> Evidence {
        let grew_in_both = grew(&counts);
        Evidence {
            what,
            counts,
            grew_in_both,
            retained_bytes: None,
        }
    }

    pub(super) fn seen(&self) -> bool {
        self.counts.iter().any(|&c| c > 0)
    }
}

fn grew(counts: &[u64]) -> bool {
    counts.len() >= 3 && counts.windows(2).all(|w| w[1] > w[0])
}

#[derive(Clone, Debug)]
pub struct Verdict {
    pub finding: Finding,
    pub verdict: VerdictKind,
    pub evidence: Vec<Evidence>,
    /// Why, when nothing was found or the signature could not be looked for.
    pub note: Option<String>,
    /// With a sampling heap profile: the sampled allocation of the function around the
    /// finding (weaker evidence, never deciding; see [`add_allocations`]).
    pub allocation: Option<Allocation>,
    /// Whether a profile was given (an absent `allocation` then means none was sampled).
    pub profiled: bool,
}

/// Growth that no finding explains.
#[derive(Clone, Debug, Serialize)]
pub struct Unexplained {
    /// `closures`, `async functions`, `instances` or `collection`.
    pub kind: &'static str,
    /// Class of the objects (or of the collection).
    pub class: String,
    /// The linted file when the script maps to one, else the script as the snapshot names it.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Function name (closures), or how the collection is reached (`sessions`,
    /// `globalThis.visitors`).
    pub name: String,
    /// Objects (or entries) in each snapshot.
    pub counts: Vec<u64>,
    /// #Delta per interval (objects by id for locations; entries for collections).
    pub growth: Vec<i64>,
    /// Self-size delta over both intervals (locations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_delta: Option<i64>,
    /// Shortest retainer path, in the last snapshot, of one of the objects.
    pub retainer_path: String,
    /// For a location: the growing collection that holds its objects, if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_by: Option<String>,
}

/// Everything `confirm` found.
pub struct Outcome {
    pub verdicts: Vec<Verdict>,
    pub unexplained: Vec<Unexplained>,
    pub min_growth: u64,
}

impl Outcome {
    /// A confirmed finding or unexplained growth: exit status 1.
    pub fn leaks_found(&self) -> bool {
        !self.unexplained.is_empty()
            || self
                .verdicts
                .iter()
                .any(|v| v.verdict == VerdictKind::Confirmed)
    }
}

/// A location claimed by a verdict: growth there is explained.
#[derive(Default)]
pub(super) struct Claims {
    /// (linted file, line)
    pub(super) lines: HashSet<(String, u32)>,
    /// Node ids of collections.
    pub(super) ids: HashSet<u32>,
}

/// An older snapshot once observed: only its script names and the entry counts of its
/// collections by node id (its part of the Comparison was taken when it was read, see
/// [`diff::Comparer`]).
struct Older {
    scripts: HashMap<u32, Script>,
    /// (node id, entries), sorted by id.
    counts: Vec<(u32, u32)>,
}

impl Older {
    fn retire(ix: index::Indexed) -> Older {
        let counts = index::collection_counts(&ix);
        let (_, scripts) = ix.g.into_parts();
        Older { scripts, counts }
    }

    /// Entries of the collection with node id `id`, if it was one in this snapshot.
    fn entries(&self, id: u32) -> Option<u64> {
        let i = self.counts.binary_search_by_key(&id, |&(x, _)| x).ok()?;
        Some(u64::from(self.counts[i].1))
    }
}

/// Confirms `findings` against snapshots of one process, oldest first (three for unexplained
/// growth).
pub fn confirm(graphs: Vec<Graph>, findings: &[Finding], opts: &Options) -> Outcome {
    let k = graphs.len();
    let mut graphs = graphs.into_iter();
    let loaded = confirm_with(k, |_| graphs.next().ok_or(()), findings, opts);
    loaded.unwrap_or_else(|()| unreachable!("one graph per snapshot was given"))
}

/// [`confirm`] with the snapshots loaded one at a time by `load(i)` (`i` from 0, oldest
/// first), so that an older snapshot's edges are dropped before the next is read. The first
/// error of `load` is returned as is.
pub fn confirm_with<E>(
    count: usize,
    mut load: impl FnMut(usize) -> Result<Graph, E>,
    findings: &[Finding],
    opts: &Options,
) -> Result<Outcome, E> {
    let mut files: Vec<String> = findings.iter().map(|f| f.file.clone()).collect();
    files.sort();
    files.dedup();
    let map = FileMap::new(opts.root.as_deref(), &files);
    // Retained sizes are evidence for the `closure` kind only.
    let dominators = findings.iter().any(|f| f.signature.kind == "closure");
    let mut observed: Vec<Vec<observe::Observation>> = Vec::with_capacity(count);
    let mut older: Vec<Older> = Vec::new();
    let mut last = None;
    // Unexplained growth needs three snapshots or more. Each is added to the Comparison as soon
    // as it is read, before the retainers and dominators of its graph are built, so that the
    // Comparison's keys and the dominator work arrays are never held at once.
    let mut comparer = (count >= 3).then(|| diff::Comparer::new(count, count - 1));
    for i in 0..count {
        let needs = index::Needs {
            dominators,
            retainers: i + 1 == count,
        };
        let g = load(i)?;
        if let Some(c) = &mut comparer {
            c.add(&g.snap);
        }
        let mut ix = index::index(g, &map, &files, needs);
        observed.push(findings.iter().map(|f| observe::observe(&ix, f)).collect());
        // Retained sizes serve the observations only: free them before the next snapshot
        // (or, for the last, before unexplained growth builds its own paths).
        ix.g.drop_dominators();
        if i + 1 < count {
            older.push(Older::retire(ix));
        } else {
            last = Some(ix);
        }
    }
    let mut claims = Claims::default();
    let verdicts = findings
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let obs: Vec<&observe::Observation> = observed.iter().map(|o| &o[j]).collect();
            verdict::verdict(f, &obs, &mut claims)
        })
        .collect();
    let min_growth = opts.min_growth.max(1);
    let unexplained = match &last {
        Some(last) => match comparer {
            Some(cmp) => unexplained::unexplained(last, &older, cmp, &map, &claims, min_growth),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    Ok(Outcome {
        verdicts,
        unexplained,
        min_growth,
    })
}
