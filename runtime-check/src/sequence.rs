//! Whether snapshots given as "oldest first, one process" are that: node ids mean something
//! only within one process and one heap-profiler session (a second inspector session, or a
//! restart, numbers the objects again), and V8 gives every new object a higher id than any
//! before it.
//!
//! Checks, for each snapshot after the first, against the one before it:
//! 1. not the same snapshot again (same object count and the same highest id);
//! 2. the objects behind ids present in both agree: kind and name on an even sample of up to
//!    [`SAMPLE`] shared ids (sizes are not compared: arrays and strings may change size in
//!    place, objects lose slack);
//! 3. the highest id grew (taken later, not earlier).
//!
//! Only objects of V8's heap are looked at (see [`Fingerprint::of`]).

use crate::snapshot::{NodeKind, Snapshot};

/// How many shared ids are compared.
pub const SAMPLE: usize = 2000;

/// More than this share of disagreeing samples means the ids were assigned anew.
const MAX_DISAGREEING: f64 = 0.05;

/// What is wrong with a sequence of snapshots; `Display` says it for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceError {
    /// Snapshot `later` holds the same objects as `earlier`.
    Same { earlier: String, later: String },
    /// The objects behind shared ids disagree: `disagree` of `sampled`.
    OtherProcess {
        earlier: String,
        later: String,
        disagree: usize,
        sampled: usize,
    },
    /// The highest id of `later` is not above that of `earlier`.
    NotNewer {
        earlier: String,
        later: String,
        earlier_max: u32,
        later_max: u32,
    },
}

impl std::fmt::Display for SequenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SequenceError::Same { earlier, later } => write!(
                f,
                "{later} holds the same objects as {earlier} (the same snapshot twice?): give \
                 three snapshots taken one after another"
            ),
            SequenceError::OtherProcess {
                earlier,
                later,
                disagree,
                sampled,
            } => write!(
                f,
                "{later} is not from the same process as {earlier}, or the ids were reassigned \
                 ({disagree} of {sampled} objects with the same id differ in kind or name): \
                 take all three in one process and one inspector session"
            ),
            SequenceError::NotNewer {
                earlier,
                later,
                earlier_max,
                later_max,
            } => write!(
                f,
                "{later} was not taken after {earlier} (its newest object id, {later_max}, is \
                 not above {earlier_max}): give the snapshots oldest first"
            ),
        }
    }
}

impl std::error::Error for SequenceError {}

/// What the checks need of a snapshot, kept while the next one is read: for every object of
/// V8's heap, its id and a tag of its kind and name (a hash), sorted by id: 8 bytes per node.
pub struct Fingerprint {
    nodes: usize,
    ids: Vec<(u32, u32)>,
}

impl Fingerprint {
    /// Native (embedder) and synthetic nodes are left out: Node 20 numbers them from their
    /// addresses, not in the order they were made.
    pub fn of(s: &Snapshot) -> Fingerprint {
        use std::hash::{Hash, Hasher};
        // One hash per string, not per node.
        let mut hashes: Vec<Option<u32>> = vec![None; s.strings.len()];
        let mut ids: Vec<(u32, u32)> = s
            .nodes()
            .filter(|&n| !matches!(s.kind(n), NodeKind::Native | NodeKind::Synthetic))
            .map(|n| {
                let name = s.node_name[n.ix()];
                let hash = *hashes[name as usize].get_or_insert_with(|| {
                    let mut h = std::hash::DefaultHasher::new();
                    s.strings.get(name).hash(&mut h);
                    h.finish() as u32
                });
                (s.id(n), (hash << 5) | u32::from(s.node_kind[n.ix()] & 31))
            })
            .collect();
        ids.sort_unstable();
        Fingerprint {
            nodes: s.node_count(),
            ids,
        }
    }

    fn max_id(&self) -> u32 {
        self.ids.last().map_or(0, |x| x.0)
    }
}

/// Checks `snaps` (named `names` in messages), oldest first. Light snapshots (no edges) do.
pub fn check(snaps: &[&Snapshot], names: &[String]) -> Result<(), SequenceError> {
    let prints: Vec<Fingerprint> = snaps.iter().map(|s| Fingerprint::of(s)).collect();
    for i in 1..prints.len() {
        check_pair(&prints[i - 1], &prints[i], &names[i - 1], &names[i])?;
    }
    Ok(())
}

/// Checks that the snapshot behind `b` was taken after the one behind `a`, in the same
/// process and profiler session.
pub fn check_pair(
    a: &Fingerprint,
    b: &Fingerprint,
    earlier: &str,
    later: &str,
) -> Result<(), SequenceError> {
    let (earlier, later) = (earlier.to_owned(), later.to_owned());
    if a.nodes == b.nodes && a.max_id() == b.max_id() {
        return Err(SequenceError::Same { earlier, later });
    }
    let shared = shared_ids(&a.ids, &b.ids);
    let step = shared.len().div_ceil(SAMPLE).max(1);
    let mut sampled = 0;
    let mut disagree = 0;
    for &(ta, tb) in shared.iter().step_by(step) {
        sampled += 1;
        if ta != tb {
            disagree += 1;
        }
    }
    if sampled > 0 && disagree as f64 > sampled as f64 * MAX_DISAGREEING {
        return Err(SequenceError::OtherProcess {
            earlier,
            later,
            disagree,
            sampled,
        });
    }
    if b.max_id() <= a.max_id() {
        return Err(SequenceError::NotNewer {
            earlier,
            later,
            earlier_max: a.max_id(),
            later_max: b.max_id(),
        });
    }
    Ok(())
}

/// Tags in `a` and in `b` of the ids both hold. The root and the synthetic roots (ids below
/// 100 in every V8 version) are left out: they are the same in any two snapshots.
fn shared_ids(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if a[i].0 >= 100 {
                    out.push((a[i].1, b[j].1));
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}
