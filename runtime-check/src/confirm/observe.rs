//! One snapshot's evidence for one finding: the numbers its signature kind points at, taken
//! while the snapshot still has its edges, so that snapshots can be read one at a time.

use super::evidence::{
    closures_holding, emitters_with_handler, enclosing_async, live_timers, pending_promises,
};
use super::index::Indexed;
use super::input::Finding;
use crate::snapshot::{EdgeKind, NodeIndex};

/// The lines of a finding that matter at runtime.
pub(super) struct Lines {
    /// The call (or the finding's own line).
    pub call: u32,
    /// The function the signature names (a handler, a callback), if any.
    pub function: Option<u32>,
    /// `call` then `function`, without repeats.
    pub both: Vec<u32>,
}

impl Lines {
    pub fn of(f: &Finding) -> Lines {
        let call = f.signature.call.map_or(f.line, |p| p.line);
        let function = f.signature.function.map(|p| p.line);
        let mut both: Vec<u32> = std::iter::once(call).chain(function).collect();
        both.dedup();
        Lines {
            call,
            function,
            both,
        }
    }

    /// The line of the handler or callback: the function's, else the call's.
    pub fn handler(&self) -> u32 {
        self.function.unwrap_or(self.call)
    }
}

/// What one snapshot shows for one finding.
#[derive(Debug, Default)]
pub(super) struct Observation {
    /// One count per evidence row, in the order [`super::verdict::verdict`] lays them out.
    pub counts: Vec<u64>,
    /// Bytes retained by what row 0 counts (the `closure` kind).
    pub bytes: Option<u64>,
    /// The structure found, as `Class @id`.
    pub described: Option<String>,
    /// Whether the named structure was found (`collection` and `global`).
    pub found: bool,
    /// Whether a script of this snapshot maps to the finding's file.
    pub mapped: bool,
    /// Lines of the finding's file whose growth this finding explains.
    pub claimed_lines: Vec<u32>,
    /// Node ids of collections whose growth this finding explains.
    pub claimed_ids: Vec<u32>,
}

/// Looks for `f`'s structures in `s`.
pub(super) fn observe(s: &Indexed, f: &Finding) -> Observation {
    let file = f.file.as_str();
    let mut o = Observation {
        mapped: !s.scripts(file).is_empty(),
        ..Observation::default()
    };
    let lines = Lines::of(f);
    match f.signature.kind.as_str() {
        "listener" => listeners(s, f, &lines, &mut o),
        "collection" | "global" => collection(s, f, &mut o),
        "closure" => {
            let line = lines.handler();
            let (n, bytes) = closures_holding(s, file, line, f.signature.retained.as_deref());
            o.counts.push(n);
            o.bytes = Some(bytes);
            o.claimed_lines.push(line);
        }
        "promise" => {
            let (found, handler_lines) = pending_promises(s, file, &lines.both, lines.call);
            o.counts.push(found.len() as u64);
            o.claimed_lines.extend(&lines.both);
            o.claimed_lines.extend(handler_lines);
            let asyncs = enclosing_async(s, file, lines.call);
            o.counts.push(asyncs.len() as u64);
            for v in asyncs {
                if let Some(loc) = s.g.snap.location(v) {
                    o.claimed_lines.push(loc.line + 1);
                }
            }
        }
        "timer" => {
            o.counts.push(live_timers(s, file, &lines.both));
            o.claimed_lines.extend(&lines.both);
        }
        _ => {}
    }
    o
}

/// `listener`: the listeners of the receiver's `_events[event]` whose function was created at
/// the handler (every listener of the event when the handler's position is unknown; of every
/// event when the signature names none), then the closures created at the handler's line.
fn listeners(s: &Indexed, f: &Finding, lines: &Lines, o: &mut Observation) {
    let sig = &f.signature;
    let file = f.file.as_str();
    let sn = &s.g.snap;
    let receiver = sig.receiver.as_deref().unwrap_or("");
    let handler_line = lines.handler();
    // Emitters: the receiver, else any emitter holding a listener from the handler's line.
    let mut emitters: Vec<NodeIndex> = if receiver.is_empty() {
        Vec::new()
    } else {
        s.resolve(file, receiver)
            .into_iter()
            .filter(|&e| sn.child(e, EdgeKind::Property, "_events").is_some())
            .collect()
    };
    if emitters.is_empty() && sig.event.is_some() {
        emitters = emitters_with_handler(s, file, sig.event.as_deref(), handler_line);
    }
    let own_handler = lines.function.filter(|_| sig.event.is_some());
    let count: u64 = emitters
        .iter()
        .map(|&e| match &sig.event {
            Some(ev) => {
                s.g.listeners(e, ev)
                    .into_iter()
                    .filter(|&l| own_handler.is_none_or(|h| s.function_at(l, file, &[h])))
                    .count() as u64
            }
            None => {
                s.g.all_listeners(e)
                    .iter()
                    .map(|(_, l)| l.len() as u64)
                    .sum()
            }
        })
        .sum();
    o.counts.push(count);
    o.described = emitters
        .first()
        .map(|&e| format!("{} @{}", sn.class_name(e), sn.id(e)));
    if sig.event.is_some() || lines.function.is_some() {
        o.counts
            .push(s.located_at(file, handler_line, 0).len() as u64);
        o.claimed_lines.push(handler_line);
    }
    for &e in &emitters {
        if let Some(events) = sn.child(e, EdgeKind::Property, "_events") {
            o.claimed_ids.push(sn.id(events));
            if let Some(ev) = &sig.event
                && let Some(slot) = sn.child(events, EdgeKind::Property, ev)
            {
                o.claimed_ids.push(sn.id(slot));
            }
        }
        if sig.event.is_none() {
            // `max-listeners-disabled`: every event of this emitter is covered.
            for (_, ls) in s.g.all_listeners(e) {
                for l in ls {
                    if let Some(fun) = s.g.located_function(l)
                        && let Some(loc) = sn.location(fun)
                        && s.scripts(file).contains(&loc.script)
                    {
                        o.claimed_lines.push(loc.line + 1);
                    }
                }
            }
        }
    }
}

/// `collection` and `global`: the entries of what the variable or access path holds.
fn collection(s: &Indexed, f: &Finding, o: &mut Observation) {
    let sig = &f.signature;
    let path = if sig.kind == "collection" {
        sig.collection.as_deref()
    } else {
        sig.access_path.as_deref()
    };
    let Some(path) = path else {
        return;
    };
    let sn = &s.g.snap;
    let found: Vec<NodeIndex> = s
        .resolve(&f.file, path)
        .into_iter()
        .filter(|&v| s.g.entry_count(v).is_some())
        .collect();
    o.counts
        .push(found.iter().filter_map(|&v| s.g.entry_count(v)).sum());
    o.described = found
        .first()
        .map(|&v| format!("{} @{}", sn.class_name(v), sn.id(v)));
    o.found = !found.is_empty();
    o.claimed_ids.extend(found.iter().map(|&v| sn.id(v)));
}
