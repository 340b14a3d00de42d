//! The DevTools Comparison, by node id, per class and per closure source location.
//!
//! Node ids are stable within one process: an object keeps its id across snapshots and new
//! objects get new ids. Between two snapshots, an id only in the later one is *new*, an id only
//! in the earlier one *deleted*; `#Delta = #New − #Deleted`, and the size delta is the new
//! objects' self size minus the deleted ones'. As in DevTools, nodes with a self size of 0 are
//! left out. With three snapshots a row *grew in both intervals* when its #Delta is positive
//! from the first to the second and from the second to the third: that filters warm-up churn.
//!
//! Rows are keyed two ways: by class name (see the crate docs), and, for closures, async
//! function objects (`Generator`) and class instances, by the source location V8 recorded for
//! them (script, line, column), named `file:line:column` with 1-based numbers.

use std::collections::HashMap;

use crate::graph::Script;
use crate::snapshot::{NodeIndex, NodeKind, Snapshot};

/// No class or location key (a node that is not located, or a class not interned yet).
const NO_KEY: u32 = u32::MAX;

/// What changed in one class between two snapshots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub new: u64,
    pub deleted: u64,
    pub new_size: u64,
    pub deleted_size: u64,
}

impl Delta {
    pub fn count(&self) -> i64 {
        self.new as i64 - self.deleted as i64
    }

    pub fn size(&self) -> i64 {
        self.new_size as i64 - self.deleted_size as i64
    }
}

/// Where a group of closures was created.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceLoc {
    /// The script name as the snapshot has it (absolute path, URL or `node:…`); `script #N`
    /// when the script could not be named.
    pub script: String,
    /// 1-based.
    pub line: u32,
    /// 1-based.
    pub column: u32,
    /// The function's name (`''` for anonymous ones), or the class name of instances.
    pub function: String,
    /// `closure`, `async function` (a suspended async function's Generator object) or
    /// `instance` (objects of a class: V8 records the constructor's location).
    pub what: &'static str,
}

/// One class or one source location across the snapshots.
#[derive(Clone, Debug)]
pub struct Row {
    /// Class name, or `file:line:column` for a location row.
    pub name: String,
    pub location: Option<SourceLoc>,
    /// Objects in each snapshot (self size > 0).
    pub counts: Vec<u64>,
    /// Total self size in each snapshot.
    pub sizes: Vec<u64>,
    /// One per interval.
    pub deltas: Vec<Delta>,
    /// A node (ordinal in the full snapshot) that is new there, preferably one that is still
    /// alive in the last snapshot: an example for the retainer path.
    pub sample: Option<NodeIndex>,
}

impl Row {
    /// #Delta positive in every interval.
    pub fn grew_in_all(&self) -> bool {
        !self.deltas.is_empty() && self.deltas.iter().all(|d| d.count() > 0)
    }

    pub fn total_count_delta(&self) -> i64 {
        self.deltas.iter().map(Delta::count).sum()
    }

    pub fn total_size_delta(&self) -> i64 {
        self.deltas.iter().map(Delta::size).sum()
    }

    /// Growth in the smallest interval: how much it grew at least, each time.
    pub fn min_growth(&self) -> i64 {
        self.deltas.iter().map(Delta::count).min().unwrap_or(0)
    }
}

/// The comparison of two or three snapshots.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub classes: Vec<Row>,
    pub locations: Vec<Row>,
    /// Node count and total self size per snapshot.
    pub totals: Vec<(u64, u64)>,
}

/// Node ids in ascending order, with each node's index in the low 32 bits (`node_of` reads it
/// back).
pub fn sorted_ids(snap: &Snapshot) -> Vec<u64> {
    let mut v: Vec<u64> = snap
        .node_id
        .iter()
        .enumerate()
        .map(|(i, &id)| (u64::from(id) << 32) | i as u64)
        .collect();
    if v.windows(2).all(|w| w[0] <= w[1]) {
        return v;
    }
    // LSD radix sort on the 32-bit id, two passes of 16 bits.
    let mut tmp = vec![0u64; v.len()];
    for shift in [32u32, 48] {
        let mut counts = vec![0usize; 1 << 16];
        for &x in &v {
            counts[((x >> shift) & 0xffff) as usize] += 1;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let k = *c;
            *c = sum;
            sum += k;
        }
        for &x in &v {
            let b = ((x >> shift) & 0xffff) as usize;
            tmp[counts[b]] = x;
            counts[b] += 1;
        }
        std::mem::swap(&mut v, &mut tmp);
    }
    v
}

/// The node of a key of [`sorted_ids`].
fn node_of(key: u64) -> NodeIndex {
    NodeIndex(key as u32)
}

/// One snapshot keyed for the Comparison: node ids in order (each with its ordinal in the low
/// 32 bits), and the class, location key and self size of each node by ordinal.
struct Keyed {
    ids: Vec<u64>,
    class: Vec<u32>,
    loc: Vec<u32>,
    size: Vec<u32>,
}

#[derive(Default)]
struct Interner {
    names: Vec<String>,
    map: HashMap<String, u32>,
}

impl Interner {
    fn get(&mut self, name: &str) -> u32 {
        if let Some(&k) = self.map.get(name) {
            return k;
        }
        let k = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.map.insert(name.to_owned(), k);
        k
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct LocKey {
    script: u32,
    line: u32,
    column: u32,
    what: u8,
}

struct LocInterner {
    keys: Vec<(LocKey, String)>,
    map: HashMap<LocKey, u32>,
}

/// How a located node is grouped: closures, async-function objects (`Generator`), and
/// instances of classes (V8 gives an object its constructor's location).
pub fn located_kind(snap: &Snapshot, node: NodeIndex) -> Option<u8> {
    match snap.kind(node) {
        NodeKind::Closure => Some(0),
        NodeKind::Object if snap.name(node) == "Generator" => Some(1),
        NodeKind::Object => Some(2),
        _ => None,
    }
}

/// Words for [`located_kind`].
pub fn located_what(kind: u8) -> &'static str {
    match kind {
        0 => "closure",
        1 => "async function",
        _ => "instance",
    }
}

fn key_snapshot(snap: &Snapshot, classes: &mut Interner, locs: &mut LocInterner) -> Keyed {
    let n = snap.node_count();
    // Class of an object or native node by its name's string index.
    let mut by_name: Vec<u32> = vec![NO_KEY; snap.strings.len()];
    let mut by_kind: [u32; 17] = [NO_KEY; 17];
    let mut class = Vec::with_capacity(n);
    for v in snap.nodes() {
        let kind = snap.kind(v);
        let k = if matches!(kind, NodeKind::Object | NodeKind::Native) {
            let slot = &mut by_name[snap.node_name[v.ix()] as usize];
            if *slot == NO_KEY {
                *slot = classes.get(&snap.class_name(v));
            }
            *slot
        } else {
            let slot = &mut by_kind[kind as usize];
            if *slot == NO_KEY {
                *slot = classes.get(&snap.class_name(v));
            }
            *slot
        };
        class.push(k);
    }
    let mut loc = vec![NO_KEY; n];
    for l in &snap.locations {
        let Some(what) = located_kind(snap, l.node) else {
            continue;
        };
        let key = LocKey {
            script: l.script,
            line: l.line,
            column: l.column,
            what,
        };
        let next = locs.keys.len() as u32;
        let k = *locs.map.entry(key).or_insert(next);
        if k == next {
            locs.keys.push((key, snap.name(l.node).to_owned()));
        }
        loc[l.node.ix()] = k;
    }
    Keyed {
        ids: sorted_ids(snap),
        class,
        loc,
        size: snap.self_size.clone(),
    }
}

#[derive(Clone, Default)]
struct Acc {
    counts: Vec<u64>,
    sizes: Vec<u64>,
    deltas: Vec<Delta>,
    sample: Option<NodeIndex>,
    survivor: Option<NodeIndex>,
}

/// Compares two or three snapshots of one process. `full` is the index of the snapshot whose
/// node ordinals the rows' samples refer to (the middle one of three, the last of two);
/// `scripts` names the script ids (from that snapshot's graph).
pub fn compare(snaps: &[&Snapshot], full: usize, scripts: &HashMap<u32, Script>) -> Comparison {
    let mut c = Comparer::new(snaps.len(), full);
    for s in snaps {
        c.add(s);
    }
    c.finish(scripts)
}

/// [`compare`] one snapshot at a time, oldest first: each snapshot is keyed (class, location
/// and size of every node, ids in order: 20 bytes a node) when it is added and merged with the
/// one before, whose keys are then freed. A caller can therefore free each snapshot once it is
/// added (`confirm` does: the older snapshots are not kept for the Comparison), and at most two
/// snapshots' keys are held at once. The rows are the same as if all were compared together.
pub struct Comparer {
    /// Snapshots to add.
    count: usize,
    full: usize,
    added: usize,
    classes: Interner,
    locs: LocInterner,
    class_acc: Vec<Acc>,
    loc_acc: Vec<Acc>,
    totals: Vec<(u64, u64)>,
    /// The keys of the snapshot added last, while another is to come.
    prev: Option<Keyed>,
    /// Nodes of the full snapshot that are new in the interval before it (by its ordinals),
    /// while the interval after it is still to be merged.
    new_in_full: Vec<bool>,
}

impl Comparer {
    /// A comparison of `count` snapshots (two or more, added with [`Comparer::add`]); `full`
    /// as for [`compare`].
    pub fn new(count: usize, full: usize) -> Comparer {
        Comparer {
            count,
            full,
            added: 0,
            classes: Interner::default(),
            locs: LocInterner {
                keys: Vec::new(),
                map: HashMap::new(),
            },
            class_acc: Vec::new(),
            loc_acc: Vec::new(),
            totals: Vec::new(),
            prev: None,
            new_in_full: Vec::new(),
        }
    }

    fn blank(&self) -> Acc {
        Acc {
            counts: vec![0; self.count],
            sizes: vec![0; self.count],
            deltas: vec![Delta::default(); self.count.saturating_sub(1)],
            sample: None,
            survivor: None,
        }
    }

    /// Adds the next snapshot (oldest first). Panics when more than `count` are added.
    pub fn add(&mut self, snap: &Snapshot) {
        let i = self.added;
        assert!(
            i < self.count,
            "Comparer::add: more snapshots than announced"
        );
        self.added += 1;
        let kd = key_snapshot(snap, &mut self.classes, &mut self.locs);
        let blank = self.blank();
        self.class_acc
            .resize(self.classes.names.len(), blank.clone());
        self.loc_acc.resize(self.locs.keys.len(), blank);
        let (mut count, mut size) = (0u64, 0u64);
        for v in 0..kd.size.len() {
            let sz = u64::from(kd.size[v]);
            if sz == 0 {
                continue;
            }
            count += 1;
            size += sz;
            let c = &mut self.class_acc[kd.class[v] as usize];
            c.counts[i] += 1;
            c.sizes[i] += sz;
            let l = kd.loc[v];
            if l != NO_KEY {
                let a = &mut self.loc_acc[l as usize];
                a.counts[i] += 1;
                a.sizes[i] += sz;
            }
        }
        self.totals.push((count, size));
        if i == self.full {
            self.new_in_full = vec![false; kd.size.len()];
        }
        if let Some(prev) = self.prev.take() {
            self.merge(i - 1, &prev, &kd);
        }
        if i == self.full + 1 {
            self.new_in_full = Vec::new();
        }
        self.prev = (i + 1 < self.count).then_some(kd);
    }

    /// The interval from snapshot `interval` (keys `a`) to the next (keys `b`): new and
    /// deleted objects by id, samples and survivors.
    fn merge(&mut self, interval: usize, a: &Keyed, b: &Keyed) {
        let full = self.full;
        let (class_acc, loc_acc, new_in_full) = (
            &mut self.class_acc,
            &mut self.loc_acc,
            &mut self.new_in_full,
        );
        let (mut i, mut j) = (0, 0);
        let mut record = |side_b: bool, node: NodeIndex, both: bool| {
            let kd = if side_b { b } else { a };
            let ord = node.ix();
            let sz = u64::from(kd.size[ord]);
            if sz == 0 {
                return;
            }
            let targets = [kd.class[ord], kd.loc[ord]];
            for (t, accs) in targets.into_iter().zip([&mut *class_acc, &mut *loc_acc]) {
                if t == NO_KEY {
                    continue;
                }
                let acc = &mut accs[t as usize];
                if both {
                    // Alive on both sides: a survivor of the full snapshot's new objects.
                    if interval == full && new_in_full[ord] && acc.survivor.is_none() {
                        acc.survivor = Some(node);
                    }
                    continue;
                }
                let d = &mut acc.deltas[interval];
                if side_b {
                    d.new += 1;
                    d.new_size += sz;
                    if interval + 1 == full && acc.sample.is_none() {
                        acc.sample = Some(node);
                    }
                } else {
                    d.deleted += 1;
                    d.deleted_size += sz;
                }
            }
            if side_b && !both && interval + 1 == full {
                new_in_full[ord] = true;
            }
        };
        while i < a.ids.len() || j < b.ids.len() {
            let ia = a.ids.get(i).map(|x| x >> 32);
            let ib = b.ids.get(j).map(|x| x >> 32);
            match (ia, ib) {
                (Some(x), Some(y)) if x == y => {
                    let (oa, ob) = (node_of(a.ids[i]), node_of(b.ids[j]));
                    if a.class[oa.ix()] != b.class[ob.ix()] {
                        // Same id, another class: counted as deleted and new, as DevTools does.
                        record(false, oa, false);
                        record(true, ob, false);
                    } else {
                        record(false, oa, true);
                    }
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => {
                    record(false, node_of(a.ids[i]), false);
                    i += 1;
                }
                (Some(_), None) => {
                    record(false, node_of(a.ids[i]), false);
                    i += 1;
                }
                _ => {
                    record(true, node_of(b.ids[j]), false);
                    j += 1;
                }
            }
        }
    }

    /// The rows; `scripts` names the script ids. Panics unless every announced snapshot was
    /// added.
    pub fn finish(self, scripts: &HashMap<u32, Script>) -> Comparison {
        assert_eq!(
            self.added, self.count,
            "Comparer::finish: fewer snapshots than announced"
        );
        let finish = |acc: Acc, name: String, location: Option<SourceLoc>| Row {
            name,
            location,
            counts: acc.counts,
            sizes: acc.sizes,
            deltas: acc.deltas,
            sample: acc.survivor.or(acc.sample),
        };
        let class_rows = self
            .class_acc
            .into_iter()
            .zip(self.classes.names)
            .map(|(acc, name)| finish(acc, name, None))
            .collect();
        let loc_rows = self
            .loc_acc
            .into_iter()
            .zip(self.locs.keys)
            .map(|(acc, (key, function))| {
                let script = scripts
                    .get(&key.script)
                    .map_or_else(|| format!("script #{}", key.script), |s| s.name.clone());
                let loc = SourceLoc {
                    line: key.line + 1,
                    column: key.column + 1,
                    script,
                    function,
                    what: located_what(key.what),
                };
                let name = format!("{}:{}:{}", short_script(&loc.script), loc.line, loc.column);
                finish(acc, name, Some(loc))
            })
            .collect();
        Comparison {
            classes: class_rows,
            locations: loc_rows,
            totals: self.totals,
        }
    }
}

/// A script name without a `file://` scheme.
pub fn short_script(name: &str) -> &str {
    name.strip_prefix("file://").unwrap_or(name)
}

/// Whether a script is Node's own (`node:…`) or otherwise not a user file.
pub fn is_builtin_script(name: &str) -> bool {
    name.starts_with("node:")
        || name.starts_with("internal/")
        || !(name.contains('/') || name.contains('\\'))
}

impl Comparison {
    /// Rows sorted for display: by #Delta over all intervals, then size delta, then name.
    pub fn sorted(rows: &[Row]) -> Vec<&Row> {
        let mut v: Vec<&Row> = rows
            .iter()
            .filter(|r| r.deltas.iter().any(|d| d.new > 0 || d.deleted > 0))
            .collect();
        v.sort_by(|a, b| {
            b.total_count_delta()
                .cmp(&a.total_count_delta())
                .then(b.total_size_delta().cmp(&a.total_size_delta()))
                .then(a.name.cmp(&b.name))
        });
        v
    }

    /// Rows that grew in every interval, at least `min` objects each time, most growth first.
    pub fn growing(rows: &[Row], min: i64) -> Vec<&Row> {
        let mut v: Vec<&Row> = rows
            .iter()
            .filter(|r| r.grew_in_all() && r.min_growth() >= min)
            .collect();
        v.sort_by(|a, b| {
            b.total_count_delta()
                .cmp(&a.total_count_delta())
                .then(b.total_size_delta().cmp(&a.total_size_delta()))
                .then(a.name.cmp(&b.name))
        });
        v
    }
}
