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

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::{self, Comparison, Row, SourceLoc};
use crate::graph::Graph;
use crate::render::{bytes, path_text};
use crate::snapshot::{EdgeKind, NodeKind};

/// Growth below this many objects per interval is not reported as unexplained: a server's
/// own bookkeeping (parsers, timers lists, free lists) moves by a few objects between
/// snapshots.
pub const DEFAULT_MIN_GROWTH: u64 = 10;

/// A source position, 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A finding's runtime signature as the JSON report spells it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SignatureIn {
    pub kind: String,
    pub receiver: Option<String>,
    pub event: Option<String>,
    pub collection: Option<String>,
    pub access_path: Option<String>,
    pub retained: Option<String>,
    pub call: Option<Pos>,
    pub function: Option<Pos>,
}

/// A static finding to confirm.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: String,
    /// As linted (relative to the working directory, `/`-separated).
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub signature: SignatureIn,
}

/// Reads the findings (with their signatures) of a `leaklint --format json` report.
pub fn findings_from_json(text: &str) -> Result<Vec<Finding>, String> {
    #[derive(serde::Deserialize)]
    struct Report {
        version: u32,
        files: Vec<File>,
    }
    #[derive(serde::Deserialize)]
    struct File {
        path: String,
        findings: Vec<JsonFinding>,
    }
    #[derive(serde::Deserialize)]
    struct JsonFinding {
        rule: String,
        #[serde(default)]
        message: String,
        start: Pos,
        signature: Option<SignatureIn>,
    }
    let report: Report = serde_json::from_str(text).map_err(|e| {
        format!("not a leaklint JSON report ({e}); write one with `leaklint --format json`")
    })?;
    if report.version != 1 {
        return Err(format!(
            "JSON report version {} is not supported (expected 1)",
            report.version
        ));
    }
    let mut out = Vec::new();
    for file in report.files {
        for f in file.findings {
            let Some(signature) = f.signature else {
                continue;
            };
            out.push(Finding {
                rule: f.rule,
                file: file.path.clone(),
                line: f.start.line,
                column: f.start.column,
                message: f.message,
                signature,
            });
        }
    }
    Ok(out)
}

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
    fn new(what: String, counts: Vec<u64>) -> Evidence {
        let grew_in_both = grew(&counts);
        Evidence {
            what,
            counts,
            grew_in_both,
            retained_bytes: None,
        }
    }

    fn seen(&self) -> bool {
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

/// Maps the snapshot's absolute script names to linted files.
pub struct FileMap {
    root: Option<String>,
    files: Vec<String>,
}

fn normalize_script(name: &str) -> String {
    let s = name.strip_prefix("file://").unwrap_or(name);
    if !s.contains('%') {
        return s.to_owned();
    }
    // Minimal percent-decoding of file URLs.
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

impl FileMap {
    pub fn new(root: Option<&str>, files: &[String]) -> FileMap {
        FileMap {
            root: root.map(|r| normalize_script(r).trim_end_matches('/').to_owned()),
            files: files.to_vec(),
        }
    }

    /// How well `script` matches the linted `file`: the number of trailing path components
    /// they share (0: no match). With `--root`, the script must be `<root>/<file>`.
    pub fn score(&self, script: &str, file: &str) -> usize {
        let script = normalize_script(script);
        if diff::is_builtin_script(&script) {
            return 0;
        }
        let file_c = components(file);
        if let Some(root) = &self.root {
            let Some(rel) = script.strip_prefix(root.as_str()) else {
                return 0;
            };
            return if components(rel) == file_c {
                file_c.len()
            } else {
                0
            };
        }
        let script_c = components(&script);
        script_c
            .iter()
            .rev()
            .zip(file_c.iter().rev())
            .take_while(|(a, b)| a == b)
            .count()
    }

    /// The linted file a script is, if any: the one with the longest common suffix (ties
    /// broken by the shorter file path).
    pub fn file_of(&self, script: &str) -> Option<&str> {
        let mut best: Option<(usize, &str)> = None;
        for f in &self.files {
            let s = self.score(script, f);
            if s == 0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((bs, bf)) => s > bs || (s == bs && f.len() < bf.len()),
            };
            if better {
                best = Some((s, f));
            }
        }
        best.map(|(_, f)| f)
    }
}

/// Per-snapshot lookups.
struct Indexed {
    g: Graph,
    /// (script id, 1-based line) → located nodes (closures, generators, instances).
    at_line: HashMap<(u32, u32), Vec<u32>>,
    /// Script ids whose script maps to each linted file.
    scripts_of_file: HashMap<String, HashSet<u32>>,
    ids: Vec<u64>,
    /// Every `Promise`, `Timeout`, and object with `_events`: looked at once per finding, so
    /// found once per snapshot.
    promises: Vec<u32>,
    timeouts: Vec<u32>,
    emitters: Vec<u32>,
}

impl Indexed {
    fn ordinal(&self, id: u32) -> Option<u32> {
        let key = u64::from(id) << 32;
        let i = self.ids.partition_point(|&x| x < key);
        self.ids
            .get(i)
            .filter(|&&x| x >> 32 == u64::from(id))
            .map(|&x| x as u32)
    }

    fn scripts(&self, file: &str) -> HashSet<u32> {
        self.scripts_of_file.get(file).cloned().unwrap_or_default()
    }

    /// Located nodes of `kind` (see `diff::located_kind`) at `line` in `file`'s scripts.
    fn located_at(&self, file: &str, line: u32, kind: u8) -> Vec<u32> {
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
    fn function_at(&self, node: u32, file: &str, lines: &[u32]) -> bool {
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
    fn resolve(&self, file: &str, path: &str) -> Vec<u32> {
        let g = &self.g;
        let s = &g.snap;
        let mut parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Vec::new();
        }
        let global = g.global();
        let mut starts: Vec<u32> = Vec::new();
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
            let mut contexts: HashSet<u32> = HashSet::new();
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
            let mut ctx_sorted: Vec<u32> = contexts.into_iter().collect();
            ctx_sorted.sort_unstable();
            for ctx in ctx_sorted {
                starts.extend(
                    g.context_vars(ctx)
                        .filter(|(n, _)| *n == name)
                        .map(|(_, t)| t),
                );
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

fn index(mut g: Graph, map: &FileMap, files: &[String]) -> Indexed {
    g.compute_dominators();
    let s = &g.snap;
    let mut at_line: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
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
    let ids = diff::sorted_ids(s);
    let (mut promises, mut timeouts, mut emitters) = (Vec::new(), Vec::new(), Vec::new());
    for v in 0..s.node_count() as u32 {
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
        ids,
        promises,
        timeouts,
        emitters,
    }
}

/// A location claimed by a verdict: growth there is explained.
#[derive(Default)]
struct Claims {
    /// (linted file, line)
    lines: HashSet<(String, u32)>,
    /// Node ids of collections.
    ids: HashSet<u32>,
}

fn short(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// Confirms `findings` against three snapshots (oldest first).
pub fn confirm(graphs: Vec<Graph>, findings: &[Finding], opts: &Options) -> Outcome {
    let mut files: Vec<String> = findings.iter().map(|f| f.file.clone()).collect();
    files.sort();
    files.dedup();
    let map = FileMap::new(opts.root.as_deref(), &files);
    // One thread per snapshot: the dominators (when not computed yet) and the indexes.
    let snaps: Vec<Indexed> = std::thread::scope(|scope| {
        let handles: Vec<_> = graphs
            .into_iter()
            .map(|g| {
                let (map, files) = (&map, &files);
                scope.spawn(move || index(g, map, files))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut claims = Claims::default();
    let verdicts = findings
        .iter()
        .map(|f| verdict(&snaps, f, &mut claims))
        .collect();
    let min_growth = opts.min_growth.max(1);
    let unexplained = unexplained(&snaps, &map, &claims, min_growth);
    Outcome {
        verdicts,
        unexplained,
        min_growth,
    }
}

fn per_snapshot(snaps: &[Indexed], f: impl FnMut(&Indexed) -> u64) -> Vec<u64> {
    snaps.iter().map(f).collect()
}

fn verdict(snaps: &[Indexed], f: &Finding, claims: &mut Claims) -> Verdict {
    let sig = &f.signature;
    let call_line = sig.call.map_or(f.line, |p| p.line);
    let fn_line = sig.function.map(|p| p.line);
    let mut lines: Vec<u32> = std::iter::once(call_line).chain(fn_line).collect();
    lines.dedup();
    let file = f.file.as_str();
    let mapped = snaps.iter().any(|s| !s.scripts(file).is_empty());
    let mut evidence = Vec::new();
    let mut note = None;
    // The primary evidence decides the verdict; the others support it.
    let mut primary: Option<usize> = None;
    let line_word = |l: u32| format!("{}:{l}", short(file));
    // "app.js:12 or app.js:15"
    let lines_word = |ls: &[u32]| {
        ls.iter()
            .map(|&l| line_word(l))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match sig.kind.as_str() {
        "listener" => {
            let receiver = sig.receiver.as_deref().unwrap_or("");
            let handler_line = fn_line.unwrap_or(call_line);
            // Emitters: the receiver resolved in each snapshot, else any emitter holding a
            // listener from the handler's line.
            let emitters: Vec<Vec<u32>> = snaps
                .iter()
                .map(|s| {
                    let mut v: Vec<u32> = if receiver.is_empty() {
                        Vec::new()
                    } else {
                        s.resolve(file, receiver)
                            .into_iter()
                            .filter(|&e| s.g.snap.child(e, EdgeKind::Property, "_events").is_some())
                            .collect()
                    };
                    if v.is_empty() && sig.event.is_some() {
                        v = emitters_with_handler(s, file, sig.event.as_deref(), handler_line);
                    }
                    v
                })
                .collect();
            // A finding is confirmed by its own handler: the listeners whose function was
            // created at the handler's line (or is bound to, or wrapped around, one that was).
            // Without a handler position, or for every event (`max-listeners-disabled`), all
            // listeners count, and the evidence says so.
            let own_handler = fn_line.filter(|_| sig.event.is_some());
            let count = |s: &Indexed, es: &[u32]| -> u64 {
                es.iter()
                    .map(|&e| match &sig.event {
                        Some(ev) => s
                            .g
                            .listeners(e, ev)
                            .into_iter()
                            .filter(|&l| own_handler.is_none_or(|h| s.function_at(l, file, &[h])))
                            .count() as u64,
                        None => {
                            s.g.all_listeners(e)
                                .iter()
                                .map(|(_, l)| l.len() as u64)
                                .sum()
                        }
                    })
                    .sum()
            };
            let counts: Vec<u64> = snaps
                .iter()
                .zip(&emitters)
                .map(|(s, es)| count(s, es))
                .collect();
            let described = match snaps.last().and_then(|s| {
                emitters
                    .last()
                    .and_then(|es| es.first())
                    .map(|&e| format!("{} @{}", s.g.snap.class_name(e), s.g.snap.id(e)))
            }) {
                Some(d) => d,
                None => "not found".to_owned(),
            };
            let shown_receiver = if receiver.is_empty() { "?" } else { receiver };
            let what = match (&sig.event, own_handler) {
                (Some(ev), Some(h)) => format!(
                    "listeners created at {} in `_events.{ev}` of `{shown_receiver}` \
                     ({described})",
                    line_word(h)
                ),
                (Some(ev), None) => {
                    note = Some(
                        "the handler's position is not known: every listener of the event is \
                         counted, not only this finding's"
                            .to_owned(),
                    );
                    format!(
                        "listeners in `_events.{ev}` of `{shown_receiver}` ({described}), any \
                         handler"
                    )
                }
                (None, _) => format!("listeners of `{shown_receiver}` ({described}), all events"),
            };
            evidence.push(Evidence::new(what, counts));
            primary = Some(0);
            if sig.event.is_some() || fn_line.is_some() {
                let closures =
                    per_snapshot(snaps, |s| s.located_at(file, handler_line, 0).len() as u64);
                evidence.push(Evidence::new(
                    format!("closures created at {}", line_word(handler_line)),
                    closures,
                ));
                claims.lines.insert((file.to_owned(), handler_line));
            }
            for (s, es) in snaps.iter().zip(&emitters) {
                for &e in es {
                    let sn = &s.g.snap;
                    if let Some(events) = sn.child(e, EdgeKind::Property, "_events") {
                        claims.ids.insert(sn.id(events));
                        if let Some(ev) = &sig.event
                            && let Some(slot) = sn.child(events, EdgeKind::Property, ev)
                        {
                            claims.ids.insert(sn.id(slot));
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
                                    claims.lines.insert((file.to_owned(), loc.line + 1));
                                }
                            }
                        }
                    }
                }
            }
        }
        "collection" | "global" => {
            let path = if sig.kind == "collection" {
                sig.collection.as_deref()
            } else {
                sig.access_path.as_deref()
            };
            match path {
                None => note = Some("the signature names no collection or access path".into()),
                Some(path) => {
                    let found: Vec<Vec<u32>> = snaps
                        .iter()
                        .map(|s| {
                            s.resolve(file, path)
                                .into_iter()
                                .filter(|&v| s.g.entry_count(v).is_some())
                                .collect()
                        })
                        .collect();
                    let counts: Vec<u64> = snaps
                        .iter()
                        .zip(&found)
                        .map(|(s, vs)| vs.iter().filter_map(|&v| s.g.entry_count(v)).sum())
                        .collect();
                    let described = snaps
                        .last()
                        .zip(found.last().and_then(|v| v.first()))
                        .map(|(s, &v)| format!("{} @{}", s.g.snap.class_name(v), s.g.snap.id(v)))
                        .unwrap_or_else(|| "not found".into());
                    let observed = found.iter().any(|v| !v.is_empty());
                    let mut ev =
                        Evidence::new(format!("entries of `{path}` ({described})"), counts);
                    if !observed {
                        ev.counts = vec![0; snaps.len()];
                    }
                    evidence.push(ev);
                    primary = Some(0);
                    for (s, vs) in snaps.iter().zip(&found) {
                        for &v in vs {
                            claims.ids.insert(s.g.snap.id(v));
                        }
                    }
                    if !observed {
                        note = Some(format!("`{path}` was not found in the snapshots"));
                    }
                }
            }
        }
        "closure" => {
            let line = fn_line.unwrap_or(call_line);
            let retained = sig.retained.as_deref();
            let mut held = Vec::new();
            let counts = per_snapshot(snaps, |s| {
                let (n, bytes) = closures_holding(s, file, line, retained);
                held.push(bytes);
                n
            });
            let what = match retained {
                Some(v) => format!(
                    "closures created at {} whose context holds `{v}` (or an unnamed \
                     block-scope slot)",
                    line_word(line)
                ),
                None => format!("closures created at {}", line_word(line)),
            };
            let mut ev = Evidence::new(what, counts);
            ev.retained_bytes = Some(held);
            evidence.push(ev);
            primary = Some(0);
            claims.lines.insert((file.to_owned(), line));
        }
        "promise" => {
            let mut handler_lines = HashSet::new();
            let counts = per_snapshot(snaps, |s| {
                let (found, hl) = pending_promises(s, file, &lines, call_line);
                handler_lines.extend(hl);
                found.len() as u64
            });
            let mut shown_lines = lines.clone();
            shown_lines.dedup();
            evidence.push(Evidence::new(
                format!(
                    "pending promises waiting on code at {}",
                    lines_word(&shown_lines)
                ),
                counts,
            ));
            primary = Some(0);
            for &l in lines.iter().chain(&handler_lines) {
                claims.lines.insert((file.to_owned(), l));
            }
            let asyncs = per_snapshot(snaps, |s| enclosing_async(s, file, call_line).len() as u64);
            if asyncs.iter().any(|&c| c > 0) {
                evidence.push(Evidence::new(
                    format!("suspended async functions around {}", line_word(call_line)),
                    asyncs,
                ));
                for s in snaps {
                    for v in enclosing_async(s, file, call_line) {
                        if let Some(loc) = s.g.snap.location(v) {
                            claims.lines.insert((file.to_owned(), loc.line + 1));
                        }
                    }
                }
            }
        }
        "timer" => {
            let counts = per_snapshot(snaps, |s| live_timers(s, file, &lines));
            evidence.push(Evidence::new(
                format!(
                    "live Timeout objects with a callback created at {}",
                    lines_word(&lines)
                ),
                counts,
            ));
            primary = Some(0);
            for &l in &lines {
                claims.lines.insert((file.to_owned(), l));
            }
        }
        other => {
            note = Some(format!(
                "signature kind `{other}` is not known to this checker"
            ))
        }
    }
    let mut verdict = match primary.and_then(|i| evidence.get(i)) {
        Some(p) if p.grew_in_both => VerdictKind::Confirmed,
        Some(_) if evidence.iter().any(Evidence::seen) => VerdictKind::NotGrowing,
        _ => VerdictKind::NotObserved,
    };
    if !mapped {
        // Nothing in the snapshots can be tied to this file.
        verdict = VerdictKind::NotObserved;
        note = Some(format!(
            "no script in the snapshots maps to {file} (use --root to name the directory the app \
             ran from)"
        ));
    }
    Verdict {
        finding: f.clone(),
        verdict,
        evidence,
        note,
    }
}

fn emitters_with_handler(s: &Indexed, file: &str, event: Option<&str>, line: u32) -> Vec<u32> {
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
fn closures_holding(s: &Indexed, file: &str, line: u32, retained: Option<&str>) -> (u64, u64) {
    let sn = &s.g.snap;
    let mut n = 0;
    let mut values: HashSet<u32> = HashSet::new();
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
                    values.insert(sn.edge_to[e]);
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
fn maybe_pending(s: &Indexed, promise: u32) -> bool {
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
fn pending_promises(
    s: &Indexed,
    file: &str,
    lines: &[u32],
    call_line: u32,
) -> (HashSet<u32>, HashSet<u32>) {
    let sn = &s.g.snap;
    let mut found: HashSet<u32> = HashSet::new();
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
                        let p = sn.edge_to[e];
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
    let enclosing: HashSet<u32> = enclosing_async(s, file, call_line).into_iter().collect();
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
        for h in handlers {
            if let Some(f) = s.g.located_function(h)
                && let Some(loc) = sn.location(f)
                && s.scripts(file).contains(&loc.script)
            {
                handler_lines.insert(loc.line + 1);
            }
        }
    }
    (found, handler_lines)
}

/// Suspended async functions (Generator objects) of the function that contains `line`: the
/// located async function of the file that starts closest before it.
fn enclosing_async(s: &Indexed, file: &str, line: u32) -> Vec<u32> {
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
fn live_timers(s: &Indexed, file: &str, lines: &[u32]) -> u64 {
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

// ---------------------------------------------------------------------------------------------
// Unexplained growth

struct GrowingCollection {
    /// Ordinal in the last snapshot.
    node: u32,
    counts: Vec<u64>,
}

fn growing_collections(snaps: &[Indexed], min: u64) -> Vec<GrowingCollection> {
    let Some(last) = snaps.last() else {
        return Vec::new();
    };
    let k = snaps.len();
    let sn = &last.g.snap;
    let mut out = Vec::new();
    for v in 0..sn.node_count() as u32 {
        if sn.kind(v) != NodeKind::Object || !last.g.reachable(v) {
            continue;
        }
        if sn.name(v) == "system / Context" {
            continue;
        }
        let Some(c) = last.g.entry_count(v) else {
            continue;
        };
        if c < min * (k as u64 - 1) {
            continue;
        }
        let id = sn.id(v);
        let mut counts = vec![0u64; k];
        counts[k - 1] = c;
        let mut ok = true;
        for i in 0..k - 1 {
            let Some(o) = snaps[i].ordinal(id) else {
                // New since an earlier snapshot: it did not grow in both intervals (an
                // `_events` array replacing a single listener, a reallocated table).
                ok = false;
                break;
            };
            counts[i] = snaps[i].g.entry_count(o).unwrap_or(0);
        }
        if ok && counts.windows(2).all(|w| w[1] >= w[0] + min) {
            out.push(GrowingCollection { node: v, counts });
        }
    }
    out
}

/// The most common source location of a collection's entries (closures, or what they lead to).
fn entries_location(s: &Indexed, node: u32) -> Option<(u32, u32)> {
    let sn = &s.g.snap;
    let mut tally: HashMap<(u32, u32), u32> = HashMap::new();
    let mut targets: Vec<u32> = Vec::new();
    if let Some(table) = (sn.name(node) == "Map" || sn.name(node) == "Set")
        .then(|| sn.child(node, EdgeKind::Internal, "table"))
        .flatten()
    {
        targets.extend(sn.edges(table).map(|e| sn.edge_to[e]));
    } else {
        targets.extend(
            sn.edges(node)
                .filter(|&e| matches!(sn.edge_kind(e), EdgeKind::Property | EdgeKind::Element))
                .map(|e| sn.edge_to[e]),
        );
    }
    let total = targets.len() as u32;
    for t in targets.into_iter().take(5000) {
        let located =
            s.g.located_function(t)
                .or_else(|| sn.location(t).map(|_| t));
        if let Some(f) = located
            && let Some(loc) = sn.location(f)
        {
            *tally.entry((loc.script, loc.line + 1)).or_default() += 1;
        }
    }
    tally
        .into_iter()
        .filter(|&(_, c)| c * 2 >= total.min(5000))
        .max_by_key(|&(k, c)| (c, std::cmp::Reverse(k)))
        .map(|(k, _)| k)
}

/// Where a collection is declared, from its retainer path: the last context variable on the
/// path (`sessions`), or the `global` property it hangs from (`globalThis.visitors`). Returns
/// the script, the name, and how to find the line in the source.
fn declaration_site(
    s: &Indexed,
    local: &HashMap<String, String>,
    node: u32,
) -> Option<(String, String, Decl)> {
    let g = &s.g;
    let sn = &g.snap;
    let edges = g.path_to(node);
    for &e in edges.iter().rev() {
        let e = e as usize;
        if sn.edge_kind(e) == EdgeKind::Context {
            let var = sn.strings.get(sn.edge_name[e]).to_owned();
            let ctx = g.edge_owner(e as u32);
            let script = g.context_script(ctx)?;
            let sc = g.scripts.get(&script)?;
            if diff::is_builtin_script(&sc.name) {
                return None;
            }
            return Some((sc.name.clone(), var.clone(), Decl::Variable(var)));
        }
    }
    let global = g.global()?;
    for (i, &e) in edges.iter().enumerate() {
        if g.edge_owner(e) == global && sn.edge_kind(e as usize) == EdgeKind::Property {
            let prop = sn.strings.get(sn.edge_name[e as usize]).to_owned();
            let mut name = format!("globalThis.{prop}");
            for &x in edges[i + 1..].iter().take(3) {
                if sn.edge_kind(x as usize) != EdgeKind::Property {
                    break;
                }
                name.push('.');
                name.push_str(sn.strings.get(sn.edge_name[x as usize]));
            }
            // The user script that assigns it.
            let mut scripts: Vec<(&u32, &crate::graph::Script)> = g.scripts.iter().collect();
            scripts.sort_by_key(|(id, _)| **id);
            for (_, sc) in scripts {
                if diff::is_builtin_script(&sc.name) {
                    continue;
                }
                let src = source_of(s, local, &sc.name);
                if src.is_some_and(|src| find_global_assignment(&src, &prop).is_some()) {
                    return Some((sc.name.clone(), name, Decl::Global(prop)));
                }
            }
            return None;
        }
    }
    None
}

/// How to find a declaration's line.
enum Decl {
    Variable(String),
    Global(String),
}

/// The source of a script: the linted file on disk when the script maps to one (the snapshot
/// keeps only the first 1024 characters of every string), else what the snapshot holds.
fn source_of(s: &Indexed, local: &HashMap<String, String>, script: &str) -> Option<String> {
    if let Some(file) = local.get(script)
        && let Ok(text) = std::fs::read_to_string(file)
    {
        return Some(text);
    }
    let sc = s.g.scripts.values().find(|x| x.name == script)?;
    s.g.script_source(sc).map(str::to_owned)
}

fn declaration_line(
    s: &Indexed,
    local: &HashMap<String, String>,
    script: &str,
    decl: &Decl,
) -> Option<u32> {
    let src = source_of(s, local, script)?;
    match decl {
        Decl::Variable(v) => find_declaration(&src, v),
        Decl::Global(p) => find_global_assignment(&src, p),
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The 1-based line of `const|let|var|function|class NAME` in `src`.
fn find_declaration(src: &str, name: &str) -> Option<u32> {
    let bytes = src.as_bytes();
    let mut from = 0;
    while let Some(i) = src[from..].find(name).map(|i| i + from) {
        from = i + name.len();
        let before_ok = i == 0 || !is_ident_byte(bytes[i - 1]);
        let after_ok = from >= bytes.len() || !is_ident_byte(bytes[from]);
        if !before_ok || !after_ok {
            continue;
        }
        let head = src[..i].trim_end();
        if ["const", "let", "var", "function", "class"]
            .iter()
            .any(|k| {
                head.ends_with(k)
                    && !head[..head.len() - k.len()].ends_with(|c: char| {
                        c.is_alphanumeric() || c == '_' || c == '$' || c == '.'
                    })
            })
        {
            return Some(src[..i].matches('\n').count() as u32 + 1);
        }
    }
    None
}

/// The 1-based line where `globalThis.PROP` / `global.PROP` is first assigned in `src`.
fn find_global_assignment(src: &str, prop: &str) -> Option<u32> {
    for prefix in ["globalThis.", "global."] {
        let needle = format!("{prefix}{prop}");
        let mut from = 0;
        while let Some(i) = src[from..].find(&needle).map(|i| i + from) {
            from = i + needle.len();
            let after_ok = from >= src.len() || !is_ident_byte(src.as_bytes()[from]);
            let before_ok = i == 0 || !is_ident_byte(src.as_bytes()[i - 1]);
            if after_ok
                && before_ok
                && src[from..].trim_start().starts_with('=')
                && !src[from..].trim_start().starts_with("==")
            {
                return Some(src[..i].matches('\n').count() as u32 + 1);
            }
        }
    }
    None
}

fn unexplained(snaps: &[Indexed], map: &FileMap, claims: &Claims, min: u64) -> Vec<Unexplained> {
    if snaps.len() < 3 {
        return Vec::new();
    }
    let newest = snaps.len() - 1;
    let refs: Vec<&crate::snapshot::Snapshot> = snaps.iter().map(|s| &s.g.snap).collect();
    // Script names from every snapshot (ids are stable within the process).
    let mut scripts = snaps[newest].g.scripts.clone();
    for s in snaps {
        for (id, sc) in &s.g.scripts {
            scripts.entry(*id).or_insert_with(|| sc.clone());
        }
    }
    let cmp = diff::compare(&refs, newest, &scripts);
    let last = &snaps[newest];
    let file_of = |script: &str| -> String {
        map.file_of(script)
            .map(str::to_owned)
            .unwrap_or_else(|| diff::short_script(script).to_owned())
    };
    let claimed = |file: &str, line: u32| claims.lines.contains(&(file.to_owned(), line));
    // Linted files by script name, to read declarations from.
    let local: HashMap<String, String> = scripts
        .values()
        .filter_map(|sc| {
            map.file_of(&sc.name)
                .map(|f| (sc.name.clone(), f.to_owned()))
        })
        .collect();
    let mut items: Vec<Unexplained> = Vec::new();
    // (file, line) of listed location items, to attach collections to them.
    let mut listed: HashMap<(String, u32), usize> = HashMap::new();
    let growing: Vec<&Row> = Comparison::growing(&cmp.locations, min as i64);
    for r in growing {
        let Some(loc) = &r.location else { continue };
        if diff::is_builtin_script(diff::short_script(&loc.script)) {
            continue;
        }
        let file = file_of(&loc.script);
        if claimed(&file, loc.line) {
            continue;
        }
        let kind = match loc.what {
            "closure" => "closures",
            "async function" => "async functions",
            _ => "instances",
        };
        let class = match loc.what {
            "closure" => "(closure)".to_owned(),
            "async function" => "Generator".to_owned(),
            _ => loc.function.clone(),
        };
        let key = (file.clone(), loc.line);
        if listed.contains_key(&key) {
            continue;
        }
        listed.insert(key, items.len());
        items.push(Unexplained {
            kind,
            class,
            file: Some(file),
            line: Some(loc.line),
            column: Some(loc.column),
            name: function_name(loc),
            counts: r.counts.clone(),
            growth: r.deltas.iter().map(|d| d.count()).collect(),
            size_delta: Some(r.total_size_delta()),
            retainer_path: r.sample.map(|v| path_text(&last.g, v)).unwrap_or_default(),
            held_by: None,
        });
    }
    for c in growing_collections(snaps, min) {
        let sn = &last.g.snap;
        let id = sn.id(c.node);
        if claims.ids.contains(&id) {
            continue;
        }
        let path = path_text(&last.g, c.node);
        let class = sn.class_name(c.node).into_owned();
        let holder = format!(
            "{class} @{id} ({} → {} entries)",
            c.counts.first().copied().unwrap_or(0),
            c.counts.last().copied().unwrap_or(0)
        );
        if let Some((script, line)) = entries_location(last, c.node)
            && let Some(sc) = scripts.get(&script)
        {
            if diff::is_builtin_script(diff::short_script(&sc.name)) {
                continue;
            }
            let file = file_of(&sc.name);
            if claimed(&file, line) {
                continue;
            }
            if let Some(&i) = listed.get(&(file.clone(), line)) {
                if items[i].held_by.is_none() {
                    items[i].held_by = Some(format!("{holder}: {path}"));
                }
                continue;
            }
        }
        let Some((script, name, decl)) = declaration_site(last, &local, c.node) else {
            continue;
        };
        let line = declaration_line(last, &local, &script, &decl).unwrap_or(0);
        let file = file_of(&script);
        if line > 0 && claimed(&file, line) {
            continue;
        }
        items.push(Unexplained {
            kind: "collection",
            class,
            file: Some(file),
            line: (line > 0).then_some(line),
            column: None,
            name,
            growth: c
                .counts
                .windows(2)
                .map(|w| w[1] as i64 - w[0] as i64)
                .collect(),
            counts: c.counts,
            size_delta: None,
            retainer_path: path,
            held_by: None,
        });
    }
    items
}

fn function_name(loc: &SourceLoc) -> String {
    if loc.function.is_empty() {
        "(anonymous)".to_owned()
    } else {
        loc.function.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Output

pub fn render_text(paths: &[String], o: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Heap evidence from {}", paths.join(" → "));
    if o.verdicts.is_empty() {
        let _ = writeln!(out, "\nNo finding to confirm.");
    }
    for v in &o.verdicts {
        let f = &v.finding;
        let _ = writeln!(
            out,
            "\n{:<13} {} {}:{}:{}",
            v.verdict.as_str(),
            f.rule,
            f.file,
            f.line,
            f.column
        );
        for e in &v.evidence {
            let counts: Vec<String> = e.counts.iter().map(u64::to_string).collect();
            let _ = write!(out, "  {}: {}", e.what, counts.join(" → "));
            if let Some(b) = &e.retained_bytes {
                let b: Vec<String> = b.iter().map(|&x| bytes(x)).collect();
                let _ = write!(out, " (retaining {})", b.join(" → "));
            }
            out.push('\n');
        }
        if let Some(n) = &v.note {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    let _ = writeln!(
        out,
        "\nUnexplained growth (grew in both intervals by at least {} each time; no finding \
         explains it):",
        o.min_growth
    );
    if o.unexplained.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for u in &o.unexplained {
        let at = match (&u.file, u.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            (Some(f), None) => f.clone(),
            _ => "(unknown location)".into(),
        };
        let counts: Vec<String> = u.counts.iter().map(u64::to_string).collect();
        let growth: Vec<String> = u.growth.iter().map(|g| format!("{g:+}")).collect();
        if u.kind == "collection" {
            let _ = writeln!(
                out,
                "  {} `{}` at {at}: {} entries ({})",
                u.class,
                u.name,
                counts.join(" → "),
                growth.join(", ")
            );
        } else {
            let _ = writeln!(
                out,
                "  {} `{}` created at {at}: {} ({})",
                u.kind,
                u.name,
                counts.join(" → "),
                growth.join(", ")
            );
        }
        if let Some(h) = &u.held_by {
            let _ = writeln!(out, "      held by {h}");
        }
        let _ = writeln!(out, "      retained by: {}", u.retainer_path);
    }
    let count = |k: VerdictKind| o.verdicts.iter().filter(|v| v.verdict == k).count();
    let _ = writeln!(
        out,
        "\n{} confirmed, {} not growing, {} not observed; {} unexplained growth",
        count(VerdictKind::Confirmed),
        count(VerdictKind::NotGrowing),
        count(VerdictKind::NotObserved),
        o.unexplained.len()
    );
    out
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    rule: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    kind: &'a str,
    verdict: &'static str,
    message: &'a str,
    evidence: &'a [Evidence],
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct ConfirmJson<'a> {
    version: u32,
    snapshots: &'a [String],
    min_growth: u64,
    verdicts: Vec<VerdictJson<'a>>,
    unexplained: &'a [Unexplained],
    summary: SummaryJson,
}

#[derive(Serialize)]
struct SummaryJson {
    confirmed: usize,
    not_growing: usize,
    not_observed: usize,
    unexplained: usize,
}

pub fn render_json(paths: &[String], o: &Outcome) -> String {
    let count = |k: VerdictKind| o.verdicts.iter().filter(|v| v.verdict == k).count();
    let json = ConfirmJson {
        version: crate::render::JSON_VERSION,
        snapshots: paths,
        min_growth: o.min_growth,
        verdicts: o
            .verdicts
            .iter()
            .map(|v| VerdictJson {
                rule: &v.finding.rule,
                file: &v.finding.file,
                line: v.finding.line,
                column: v.finding.column,
                kind: &v.finding.signature.kind,
                verdict: v.verdict.as_str(),
                message: &v.finding.message,
                evidence: &v.evidence,
                note: v.note.as_deref(),
            })
            .collect(),
        unexplained: &o.unexplained,
        summary: SummaryJson {
            confirmed: count(VerdictKind::Confirmed),
            not_growing: count(VerdictKind::NotGrowing),
            not_observed: count(VerdictKind::NotObserved),
            unexplained: o.unexplained.len(),
        },
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}
