//! Per-snapshot lookups for the evidence: located nodes by line, the scripts of each linted
//! file, names resolved to nodes, and every Promise, Timeout and emitter, found once.

use std::collections::{HashMap, HashSet};

use super::input::FileMap;
use crate::diff;
use crate::graph::Graph;
use crate::snapshot::{EdgeKind, NodeIndex, NodeKind};

/// Per-snapshot lookups.
pub(super) struct Indexed {
    pub(super) g: Graph,
    /// (script id, 1-based line) → located nodes (closures, generators, instances).
    pub(super) at_line: HashMap<(u32, u32), Vec<NodeIndex>>,
    /// Script ids whose script maps to each linted file.
    pub(super) scripts_of_file: HashMap<String, HashSet<u32>>,
    /// Every `Promise`, `Timeout`, and object with `_events`: looked at once per finding, so
    /// found once per snapshot.
    pub(super) promises: Vec<NodeIndex>,
    pub(super) timeouts: Vec<NodeIndex>,
    pub(super) emitters: Vec<NodeIndex>,
}

impl Indexed {
    pub(super) fn scripts(&self, file: &str) -> HashSet<u32> {
        self.scripts_of_file.get(file).cloned().unwrap_or_default()
    }

    /// Located nodes of `kind` (see `diff::located_kind`) at `line` in `file`'s scripts.
    pub(super) fn located_at(&self, file: &str, line: u32, kind: u8) -> Vec<NodeIndex> {
        let s = &self.g.snap;
        let mut out = Vec::new();
        for script in self.scripts(file) {
            if let Some(nodes) = self.at_line.get(&(script, line)) {
                out.extend(
                    nodes
                        .iter()
                        .copied()
                        .filter(|&v| diff::located_kind(s, v) == Some(kind)),
                );
            }
        }
        out
    }

    /// Whether `node` (a function-like node) was created at `line` of `file`.
    pub(super) fn function_at(&self, node: NodeIndex, file: &str, lines: &[u32]) -> bool {
        let Some(f) = self.g.located_function(node) else {
            return false;
        };
        let Some(loc) = self.g.snap.location(f) else {
            return false;
        };
        lines.contains(&(loc.line + 1))
            && self
                .scripts_of_file
                .get(file)
                .is_some_and(|set| set.contains(&loc.script))
    }

    /// Resolves a name as the finding wrote it (`orders`, `process`, `globalThis.visitors`,
    /// `app.locals`, `this.cache`) to nodes: context variables of the file's scripts first,
    /// then properties of `global`.
    pub(super) fn resolve(&self, file: &str, path: &str) -> Vec<NodeIndex> {
        let g = &self.g;
        let s = &g.snap;
        let mut parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Vec::new();
        }
        let global = g.global();
        let mut starts: Vec<NodeIndex> = Vec::new();
        if matches!(parts[0], "globalThis" | "global" | "window" | "self") {
            parts.remove(0);
            starts.extend(global);
        } else if parts[0] == "this" {
            // `this.x`: objects with property x created by a class of this file.
            parts.remove(0);
            let scripts = self.scripts(file);
            for l in &s.locations {
                if scripts.contains(&l.script)
                    && s.kind(l.node) == NodeKind::Object
                    && s.name(l.node) != "Generator"
                {
                    starts.push(l.node);
                }
            }
        } else {
            let scripts = self.scripts(file);
            let name = parts.remove(0);
            let mut contexts: HashSet<NodeIndex> = HashSet::new();
            for l in &s.locations {
                if scripts.contains(&l.script)
                    && s.kind(l.node) == NodeKind::Closure
                    && let Some(ctx) = s.child(l.node, EdgeKind::Internal, "context")
                {
                    // The closure's context and its outer contexts within the file.
                    let mut c = Some(ctx);
                    let mut depth = 0;
                    while let Some(x) = c {
                        if !contexts.insert(x) || depth > 32 {
                            break;
                        }
                        depth += 1;
                        c = s
                            .child(x, EdgeKind::Internal, "previous")
                            .filter(|&p| s.name(p) == "system / Context");
                    }
                }
            }
            let mut ctx_sorted: Vec<NodeIndex> = contexts.into_iter().collect();
            ctx_sorted.sort_unstable();
            for &ctx in &ctx_sorted {
                starts.extend(
                    g.context_vars(ctx)
                        .filter(|(n, _)| *n == name)
                        .map(|(_, t)| t),
                );
            }
            if starts.is_empty() {
                // CommonJS as compilers write it (tsc, Babel): an exported binding is no
                // variable but a property of the module's `exports` (`exports.orderEvents`),
                // which the module wrapper's context holds.
                for &ctx in &ctx_sorted {
                    for (n, t) in g.context_vars(ctx) {
                        let exports = match n {
                            "exports" => Some(t),
                            "module" => s.child(t, EdgeKind::Property, "exports"),
                            _ => None,
                        };
                        starts.extend(exports.and_then(|x| s.child(x, EdgeKind::Property, name)));
                    }
                }
                starts.sort_unstable();
                starts.dedup();
            }
            if starts.is_empty()
                && let Some(gl) = global
                && let Some(t) = s.child(gl, EdgeKind::Property, name)
            {
                starts.push(t);
            }
        }
        let mut cur = starts;
        for part in parts {
            let mut next = Vec::new();
            for v in cur {
                if let Some(t) = s.child(v, EdgeKind::Property, part) {
                    next.push(t);
                }
            }
            cur = next;
        }
        cur.sort_unstable();
        cur.dedup();
        cur
    }
}

/// What to compute beyond the shortest paths [`Graph::new`] gave.
#[derive(Clone, Copy, Debug)]
pub(super) struct Needs {
    /// Retained sizes (the `closure` evidence).
    pub dominators: bool,
    /// The retainer index (retainer paths from user code, declaration sites): the last
    /// snapshot.
    pub retainers: bool,
}

pub(super) fn index(mut g: Graph, map: &FileMap, files: &[String], needs: Needs) -> Indexed {
    if needs.dominators {
        g.compute_dominators();
    }
    if needs.retainers {
        g.compute_retainers();
    } else {
        g.drop_retainers();
    }
    let s = &g.snap;
    let mut at_line: HashMap<(u32, u32), Vec<NodeIndex>> = HashMap::new();
    for l in &s.locations {
        at_line
            .entry((l.script, l.line + 1))
            .or_default()
            .push(l.node);
    }
    let mut scripts_of_file: HashMap<String, HashSet<u32>> = HashMap::new();
    for (&id, script) in &g.scripts {
        if let Some(f) = map.file_of(&script.name)
            && files.iter().any(|x| x == f)
        {
            scripts_of_file.entry(f.to_owned()).or_default().insert(id);
        }
    }
    let (mut promises, mut timeouts, mut emitters) = (Vec::new(), Vec::new(), Vec::new());
    for v in s.nodes() {
        if s.kind(v) != NodeKind::Object {
            continue;
        }
        match s.name(v) {
            "Promise" => promises.push(v),
            "Timeout" => timeouts.push(v),
            _ => {
                if s.child(v, EdgeKind::Property, "_events").is_some() {
                    emitters.push(v);
                }
            }
        }
    }
    Indexed {
        g,
        at_line,
        scripts_of_file,
        promises,
        timeouts,
        emitters,
    }
}

/// Entry counts of every collection-like object (see [`Graph::entry_count`]) by node id, sorted
/// by id: what an older snapshot keeps for the growth of collections once its edges are gone.
pub(super) fn collection_counts(s: &Indexed) -> Vec<(u32, u32)> {
    let sn = &s.g.snap;
    let mut out: Vec<(u32, u32)> = sn
        .nodes()
        .filter(|&v| sn.kind(v) == NodeKind::Object && sn.name(v) != "system / Context")
        .filter_map(|v| {
            let c = s.g.entry_count(v)?;
            Some((sn.id(v), u32::try_from(c).unwrap_or(u32::MAX)))
        })
        .collect();
    out.sort_unstable();
    out
}
