//! `leaklint heap summary`: per-class counts and sizes, and the objects that retain the most.

use crate::graph::Graph;
use crate::snapshot::{NodeIndex, NodeKind};

/// A class not interned yet.
const NO_CLASS: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub struct ClassSummary {
    pub name: String,
    pub count: u64,
    pub self_size: u64,
    /// Memory freed if every object of the class went away: the sum of the retained sizes of
    /// its objects that are not dominated by another object of the same class.
    pub retained: u64,
}

#[derive(Clone, Debug)]
pub struct Largest {
    pub node: NodeIndex,
    pub class: String,
    pub id: u32,
    pub self_size: u64,
    pub retained: u64,
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct Summary {
    pub nodes: u64,
    pub edges: u64,
    pub self_size: u64,
    /// Retained size of the root: everything reachable through strong edges.
    pub reachable_size: u64,
    pub classes: Vec<ClassSummary>,
    pub largest: Vec<Largest>,
}

/// Builds the summary (computes dominators if needed). Classes are sorted by retained size.
pub fn summarize(g: &mut Graph, top: usize) -> Summary {
    g.compute_dominators();
    let s = &g.snap;
    let n = s.node_count();
    // Class of each node, interned by (kind, name) as in `diff`.
    let mut names: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut by_name: Vec<u32> = vec![NO_CLASS; s.strings.len()];
    let mut by_kind = [NO_CLASS; 17];
    let mut class = Vec::with_capacity(n);
    let mut intern = |name: &str, names: &mut Vec<String>| -> u32 {
        if let Some(&k) = index.get(name) {
            return k;
        }
        let k = names.len() as u32;
        names.push(name.to_owned());
        index.insert(name.to_owned(), k);
        k
    };
    for v in s.nodes() {
        let kind = s.kind(v);
        let k = if matches!(kind, NodeKind::Object | NodeKind::Native) {
            let nm = s.node_name[v.ix()] as usize;
            if by_name[nm] == NO_CLASS {
                by_name[nm] = intern(&s.class_name(v), &mut names);
            }
            by_name[nm]
        } else {
            if by_kind[kind as usize] == NO_CLASS {
                by_kind[kind as usize] = intern(&s.class_name(v), &mut names);
            }
            by_kind[kind as usize]
        };
        class.push(k);
    }
    let mut classes: Vec<ClassSummary> = names
        .iter()
        .map(|name| ClassSummary {
            name: name.clone(),
            count: 0,
            self_size: 0,
            retained: 0,
        })
        .collect();
    for v in 0..n {
        let c = &mut classes[class[v] as usize];
        c.count += 1;
        c.self_size += u64::from(s.self_size[v]);
    }
    // Walk the dominator tree, adding a node's retained size to its class unless an ancestor
    // of the same class already counted it.
    // The children of node `d` are `children[child_start[d]..child_start[d + 1]]` (CSR).
    let mut child_start = vec![0u32; n + 1];
    for v in s.nodes() {
        let d = g.idom[v.ix()];
        if d != NodeIndex::NONE {
            child_start[d.ix() + 1] += 1;
        }
    }
    for i in 0..n {
        child_start[i + 1] += child_start[i];
    }
    let mut fill = child_start.clone();
    // Raw node positions, allocated zeroed (a `Vec<NodeIndex>` would be written first).
    let mut children = vec![0u32; child_start[n] as usize];
    for v in s.nodes() {
        let d = g.idom[v.ix()];
        if d != NodeIndex::NONE {
            children[fill[d.ix()] as usize] = v.0;
            fill[d.ix()] += 1;
        }
    }
    drop(fill);
    let mut active = vec![0u32; names.len()];
    let root = NodeIndex::ROOT;
    // (node, position in `children` of its next child to visit)
    let mut stack: Vec<(NodeIndex, u32)> = vec![(root, child_start[root.ix()])];
    let root_class = class[root.ix()] as usize;
    active[root_class] += 1;
    while let Some(top_entry) = stack.last_mut() {
        let (v, next) = *top_entry;
        if next >= child_start[v.ix() + 1] {
            active[class[v.ix()] as usize] -= 1;
            stack.pop();
            continue;
        }
        top_entry.1 += 1;
        let c = NodeIndex(children[next as usize]);
        let k = class[c.ix()] as usize;
        if active[k] == 0 {
            classes[k].retained += g.retained[c.ix()];
        }
        active[k] += 1;
        stack.push((c, child_start[c.ix()]));
    }
    classes.sort_by(|a, b| {
        b.retained
            .cmp(&a.retained)
            .then(b.self_size.cmp(&a.self_size))
            .then(a.name.cmp(&b.name))
    });
    // The largest objects by retained size (not the synthetic roots).
    let mut candidates: Vec<NodeIndex> = s
        .nodes()
        .skip(1)
        .filter(|&v| s.kind(v) != NodeKind::Synthetic && g.idom[v.ix()] != NodeIndex::NONE)
        .collect();
    let keep = top.min(candidates.len());
    if keep > 0 {
        candidates.select_nth_unstable_by(keep - 1, |&a, &b| {
            g.retained_size(b).cmp(&g.retained_size(a))
        });
        candidates.truncate(keep);
        candidates.sort_by(|&a, &b| g.retained_size(b).cmp(&g.retained_size(a)).then(a.cmp(&b)));
    } else {
        candidates.clear();
    }
    let largest = candidates
        .into_iter()
        .map(|v| Largest {
            node: v,
            class: s.class_name(v).into_owned(),
            id: s.id(v),
            self_size: u64::from(s.size(v)),
            retained: g.retained_size(v),
            path: crate::render::path_text(g, v),
        })
        .collect();
    Summary {
        nodes: n as u64,
        edges: s.edge_total() as u64,
        self_size: s.self_size.iter().map(|&x| u64::from(x)).sum(),
        reachable_size: g.retained_size(NodeIndex::ROOT),
        classes,
        largest,
    }
}
