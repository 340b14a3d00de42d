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
//! Only objects of V8's heap are looked at (see `sorted_ids`).

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

/// Checks `snaps` (named `names` in messages), oldest first. Light snapshots (no edges) do.
pub fn check(snaps: &[&Snapshot], names: &[String]) -> Result<(), SequenceError> {
    let ids: Vec<Vec<(u32, u32)>> = snaps.iter().map(|s| sorted_ids(s)).collect();
    for i in 1..snaps.len() {
        let (a, b) = (snaps[i - 1], snaps[i]);
        let (earlier, later) = (names[i - 1].clone(), names[i].clone());
        let (ia, ib) = (&ids[i - 1], &ids[i]);
        let max = |v: &[(u32, u32)]| v.last().map_or(0, |x| x.0);
        if ia.len() == ib.len() && max(ia) == max(ib) {
            return Err(SequenceError::Same { earlier, later });
        }
        let shared = shared_ids(ia, ib);
        let step = shared.len().div_ceil(SAMPLE).max(1);
        let mut sampled = 0;
        let mut disagree = 0;
        for &(na, nb) in shared.iter().step_by(step) {
            sampled += 1;
            if a.kind(na) != b.kind(nb) || a.name(na) != b.name(nb) {
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
        if max(ib) <= max(ia) {
            return Err(SequenceError::NotNewer {
                earlier,
                later,
                earlier_max: max(ia),
                later_max: max(ib),
            });
        }
    }
    Ok(())
}

/// (id, ordinal) of every object of V8's heap, by id. Native (embedder) and synthetic nodes
/// are left out: Node 20 numbers them from their addresses, not in the order they were made.
fn sorted_ids(s: &Snapshot) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = (0..s.node_count() as u32)
        .filter(|&n| !matches!(s.kind(n), NodeKind::Native | NodeKind::Synthetic))
        .map(|n| (s.id(n), n))
        .collect();
    v.sort_unstable();
    v
}

/// Ordinals in `a` and in `b` of the ids both hold. The root and the synthetic roots (ids
/// below 100 in every V8 version) are left out: they are the same in any two snapshots.
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
