//! The structures each signature kind points at, looked for in one snapshot: emitters and
//! their listeners, closures and what their contexts hold, pending promises, live timers.

use std::collections::HashSet;

use super::index::Indexed;
use crate::diff;
use crate::snapshot::{EdgeKind, NodeIndex, NodeKind};

pub(super) fn emitters_with_handler(
    s: &Indexed,
    file: &str,
    event: Option<&str>,
    line: u32,
) -> Vec<NodeIndex> {
    let Some(event) = event else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &v in &s.emitters {
        let ls = s.g.listeners(v, event);
        if ls.iter().any(|&l| s.function_at(l, file, &[line])) {
            out.push(v);
        }
    }
    out
}

/// Closures created at `line` whose context chain holds `retained` (or, without a name, any
/// variable): how many, and the retained size of the distinct values they keep.
pub(super) fn closures_holding(
    s: &Indexed,
    file: &str,
    line: u32,
    retained: Option<&str>,
) -> (u64, u64) {
    let sn = &s.g.snap;
    let mut n = 0;
    let mut values: HashSet<NodeIndex> = HashSet::new();
    for c in s.located_at(file, line, 0) {
        let mut ctx = sn.child(c, EdgeKind::Internal, "context");
        let mut hit = false;
        let mut depth = 0;
        while let Some(x) = ctx {
            if sn.name(x) != "system / Context" || depth > 16 {
                break;
            }
            depth += 1;
            for (name, t) in s.g.context_vars(x) {
                if retained.is_none_or(|r| r == name) {
                    hit = true;
                    values.insert(t);
                }
            }
            if hit {
                break;
            }
            ctx = sn.child(x, EdgeKind::Internal, "previous");
        }
        if !hit && let Some(own) = sn.child(c, EdgeKind::Internal, "context") {
            // V8 writes the variables of a block scope (`{ const x = …; }` in a loop body) as
            // unnamed hidden slots: then any value in the closure's own context counts.
            for e in sn.edges(own) {
                if sn.edge_kind(e) == EdgeKind::Hidden {
                    hit = true;
                    values.insert(sn.edge_target(e));
                }
            }
        }
        if hit {
            n += 1;
        }
    }
    let bytes = values.iter().map(|&v| s.g.retained_size(v)).sum();
    (n, bytes)
}

/// Whether a Promise may be pending: it has a `PromiseReaction`, or nothing in
/// `reactions_or_result` (pending without reactions, or settled with `undefined` or a small
/// integer: the snapshot cannot tell these apart).
fn maybe_pending(s: &Indexed, promise: NodeIndex) -> bool {
    let sn = &s.g.snap;
    match sn.child(promise, EdgeKind::Internal, "reactions_or_result") {
        None => true,
        Some(r) => sn.name(r) == "system / PromiseReaction",
    }
}

/// Pending promises tied to code at `lines` of `file`: their reaction handler was created
/// there (`.then(cb)`), an async function suspended on them contains `call_line` (`await`), or
/// a closure created there holds their resolving functions (`new Promise((resolve) =>
/// http.get(url, (res) => resolve(...)))`). Returns the promises and the lines of their
/// reaction handlers.
pub(super) fn pending_promises(
    s: &Indexed,
    file: &str,
    lines: &[u32],
    call_line: u32,
) -> (HashSet<NodeIndex>, HashSet<u32>) {
    let sn = &s.g.snap;
    let mut found: HashSet<NodeIndex> = HashSet::new();
    // Resolving functions captured by closures created at these lines.
    for &line in lines {
        for c in s.located_at(file, line, 0) {
            let mut ctx = sn.child(c, EdgeKind::Internal, "context");
            let mut depth = 0;
            while let Some(x) = ctx {
                if sn.name(x) != "system / Context" || depth > 8 {
                    break;
                }
                depth += 1;
                for (_, t) in s.g.context_vars(x) {
                    if sn.kind(t) != NodeKind::Closure || sn.location(t).is_some() {
                        continue;
                    }
                    let Some(rctx) = sn.child(t, EdgeKind::Internal, "context") else {
                        continue;
                    };
                    for e in sn.edges(rctx) {
                        let p = sn.edge_target(e);
                        if sn.kind(p) == NodeKind::Object
                            && sn.name(p) == "Promise"
                            && maybe_pending(s, p)
                        {
                            found.insert(p);
                        }
                    }
                }
                ctx = sn.child(x, EdgeKind::Internal, "previous");
            }
        }
    }
    let enclosing: HashSet<NodeIndex> = enclosing_async(s, file, call_line).into_iter().collect();
    let mut handler_lines = HashSet::new();
    for &v in &s.promises {
        let Some(handlers) = s.g.pending_reactions(v) else {
            continue;
        };
        let ours = found.contains(&v)
            || handlers.iter().any(|&h| {
                s.function_at(h, file, lines)
                    || s.g
                        .located_function(h)
                        .is_some_and(|f| enclosing.contains(&f))
            });
        if !ours {
            continue;
        }
        found.insert(v);
    }
    // The handlers waiting on these promises, and on the promises their `.then` / `.catch`
    // derived (`p.then(a).catch(b)`: `b` waits on what `then` returned): one leak, whose
    // closures are this finding's, not unexplained growth of their own.
    let scripts = s.scripts(file);
    let mut seen: HashSet<NodeIndex> = HashSet::new();
    // (promise, how many `.then` / `.catch` from one found above)
    let mut queue: Vec<(NodeIndex, u32)> = found.iter().map(|&p| (p, 0)).collect();
    while let Some((p, depth)) = queue.pop() {
        if !seen.insert(p) {
            continue;
        }
        let Some(handlers) = s.g.pending_reactions(p) else {
            continue;
        };
        for h in handlers {
            if let Some(f) = s.g.located_function(h)
                && let Some(loc) = sn.location(f)
                && scripts.contains(&loc.script)
            {
                handler_lines.insert(loc.line + 1);
            }
        }
        if depth < 8 {
            queue.extend(derived_promises(s, p).into_iter().map(|d| (d, depth + 1)));
        }
    }
    (found, handler_lines)
}

/// The promises that `.then` / `.catch` on `promise` returned: the `Promise` each of its
/// pending reactions resolves.
fn derived_promises(s: &Indexed, promise: NodeIndex) -> Vec<NodeIndex> {
    let sn = &s.g.snap;
    let mut out = Vec::new();
    let mut cur = sn
        .child(promise, EdgeKind::Internal, "reactions_or_result")
        .filter(|&r| sn.name(r) == "system / PromiseReaction");
    let mut guard = 0;
    while let Some(reaction) = cur {
        guard += 1;
        if guard > 1000 {
            break;
        }
        out.extend(
            sn.edges(reaction)
                .map(|e| sn.edge_target(e))
                .filter(|&t| sn.kind(t) == NodeKind::Object && sn.name(t) == "Promise"),
        );
        cur = sn
            .child(reaction, EdgeKind::Internal, "next")
            .filter(|&x| sn.name(x) == "system / PromiseReaction");
    }
    out
}

/// Suspended async functions (Generator objects) of the function that contains `line`: the
/// located async function of the file that starts closest before it.
pub(super) fn enclosing_async(s: &Indexed, file: &str, line: u32) -> Vec<NodeIndex> {
    let sn = &s.g.snap;
    let scripts = s.scripts(file);
    let mut best: Option<u32> = None;
    for l in &sn.locations {
        if scripts.contains(&l.script)
            && matches!(diff::located_kind(sn, l.node), Some(0 | 1))
            && l.line < line
            && best.is_none_or(|b| l.line + 1 > b)
        {
            best = Some(l.line + 1);
        }
    }
    let Some(start) = best else {
        return Vec::new();
    };
    s.located_at(file, start, 1)
}

/// Live `Timeout` objects whose callback was created at one of `lines`.
pub(super) fn live_timers(s: &Indexed, file: &str, lines: &[u32]) -> u64 {
    let sn = &s.g.snap;
    let mut n = 0;
    for &v in &s.timeouts {
        if !s.g.reachable(v) {
            continue;
        }
        if let Some(cb) = sn.child(v, EdgeKind::Property, "_onTimeout")
            && s.function_at(cb, file, lines)
        {
            n += 1;
        }
    }
    n
}
