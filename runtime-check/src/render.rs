//! Text and JSON for `heap summary` and `heap diff`, and retainer paths.

use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::{Comparison, Delta, Row, SourceLoc};
use crate::graph::Graph;
use crate::snapshot::{EdgeIndex, EdgeKind, NodeIndex, NodeKind};
use crate::summary::Summary;

/// Version of the JSON printed by `heap summary`, `heap diff` and `confirm`.
pub const JSON_VERSION: u32 = 1;

/// A retainer path of `node` for people, one step per edge: the edge label then the object,
/// e.g. `global @6047 → .visitors Object @61787 → .v84 Object @116719`. The path is
/// [`Graph::preferred_path`] (from a user closure's variables when that is as short), made
/// readable:
/// - it starts at the global object when it passes through it (what leads there, such as
///   Node 26's native context, says nothing);
/// - the hops from a closure to its context and to outer contexts are left out: the
///   `(var name)` step after them says which variable holds the object;
/// - runs of two or more steps through Node's internals (native wrappers, realms, timer lists,
///   closures and variables of `node:` scripts) are folded into one
///   `… N Node-internal steps (node:timers) …` step;
/// - runs of four or more identical steps (linked lists) are shortened to the first and last.
pub fn path_text(g: &Graph, node: NodeIndex) -> String {
    let s = &g.snap;
    let path = g.preferred_path(node);
    if path.edges.is_empty() {
        return if node == NodeIndex::ROOT {
            "(root)".into()
        } else {
            format!("{} @{} (unreachable)", s.class_name(node), s.id(node))
        };
    }
    let mut edges: &[EdgeIndex] = &path.edges;
    let mut first = if path.from == NodeIndex::ROOT {
        None
    } else if s.name(s.edge_target(edges[0])) == "system / Context" {
        // The variables of a user function's scope (or of the scopes around it).
        Some(format!("scope of {}", node_label(g, path.from)))
    } else {
        Some(node_label(g, path.from))
    };
    if let Some(gl) = g.global()
        && let Some(i) = edges.iter().rposition(|&e| s.edge_target(e) == gl)
    {
        first = Some(format!("global @{}", s.id(gl)));
        edges = &edges[i + 1..];
    }
    let mut steps: Vec<Step> = Vec::new();
    if let Some(label) = first {
        steps.push(Step {
            edge: String::new(),
            class: String::new(),
            label,
            internal: None,
        });
    }
    let mut in_builtin = false;
    for (i, &e) in edges.iter().enumerate() {
        let to = s.edge_target(e);
        let last = i + 1 == edges.len();
        let context_hop = s.name(to) == "system / Context"
            && s.edge_kind(e) == EdgeKind::Internal
            && matches!(s.edge_str(e), Some("context" | "previous"));
        if context_hop && !last && !in_builtin {
            continue;
        }
        let builtin_fn = builtin_script(g, to);
        let plain = s.kind(to) == NodeKind::Object && matches!(s.name(to), "Object" | "Array");
        // Inside a built-in's scope (its variables, the plain objects they hold) until a user
        // closure or an object of a named class shows up.
        let internal_here = builtin_fn.is_some()
            || is_node_internal(g, e, to)
            || (in_builtin && (plain || s.edge_kind(e) == EdgeKind::Context));
        if builtin_fn.is_some() {
            in_builtin = true;
        } else if !internal_here {
            in_builtin = false;
        }
        let edge = if steps.is_empty() {
            // From the root: the global object or an embedder root; no label needed.
            String::new()
        } else {
            edge_label(g, e)
        };
        steps.push(Step {
            edge,
            class: s.class_name(to).into_owned(),
            label: node_label(g, to),
            internal: (internal_here && !last).then(|| builtin_fn.unwrap_or_default().to_owned()),
        });
    }
    let mut out = String::new();
    let push = |text: &str, out: &mut String| {
        if !out.is_empty() {
            out.push_str(" → ");
        }
        out.push_str(text);
    };
    let mut i = 0;
    while i < steps.len() {
        // A run of Node internals (never the first step).
        if i > 0 && steps[i].internal.is_some() {
            let mut j = i;
            let mut script = String::new();
            while j < steps.len() && steps[j].internal.is_some() {
                if script.is_empty() {
                    script = steps[j].internal.clone().unwrap_or_default();
                }
                j += 1;
            }
            if j - i >= 2 {
                let via = if script.is_empty() {
                    String::new()
                } else {
                    format!(" ({script})")
                };
                push(&format!("… {} Node-internal steps{via} …", j - i), &mut out);
                i = j;
                continue;
            }
        }
        let mut j = i + 1;
        while j < steps.len() && steps[j].edge == steps[i].edge && steps[j].class == steps[i].class
        {
            j += 1;
        }
        let run = j - i;
        if run >= 4 {
            push(&steps[i].text(), &mut out);
            push(
                &format!("… {} more {} {} …", run - 2, steps[i].edge, steps[i].class),
                &mut out,
            );
            push(&steps[j - 1].text(), &mut out);
        } else {
            for step in &steps[i..j] {
                push(&step.text(), &mut out);
            }
        }
        i = j;
    }
    out
}

/// One step of a shown path.
struct Step {
    edge: String,
    class: String,
    label: String,
    /// Node-internal: the built-in script it belongs to, if known (empty if not).
    internal: Option<String>,
}

impl Step {
    fn text(&self) -> String {
        if self.edge.is_empty() {
            self.label.clone()
        } else {
            format!("{} {}", self.edge, self.label)
        }
    }
}

/// The built-in script (`node:timers`) of a closure located in one.
fn builtin_script(g: &Graph, node: NodeIndex) -> Option<&str> {
    let s = &g.snap;
    if s.kind(node) != NodeKind::Closure {
        return None;
    }
    let name = g.script_name(s.location(node)?.script)?;
    crate::diff::is_builtin_script(name).then_some(name)
}

/// Node's own classes that hold user objects on the way from the roots: timer lists, async
/// hook and realm bookkeeping.
const NODE_INTERNAL_CLASSES: &[&str] = &[
    "TimersList",
    "PriorityQueue",
    "AsyncHook",
    "AsyncResource",
    "AsyncContextFrame",
    "FixedQueue",
    "FixedCircularBuffer",
];

/// A step through Node's or V8's machinery: a native or system node, one of
/// [`NODE_INTERNAL_CLASSES`], or a plain object or function reached through an internal or
/// hidden edge. Objects of other named classes (`Promise`, `Timeout`, `Socket`) never are:
/// they are what the reader looks for.
fn is_node_internal(g: &Graph, e: EdgeIndex, to: NodeIndex) -> bool {
    let s = &g.snap;
    let name = s.name(to);
    if name.starts_with("Node / ") || name.starts_with("system / ") {
        return true;
    }
    let through_internals = matches!(s.edge_kind(e), EdgeKind::Internal | EdgeKind::Hidden);
    match s.kind(to) {
        NodeKind::Native | NodeKind::Synthetic | NodeKind::Hidden | NodeKind::Code => true,
        NodeKind::Object => {
            NODE_INTERNAL_CLASSES.contains(&name)
                || (through_internals && matches!(name, "Object" | "Array"))
        }
        NodeKind::Closure => through_internals && s.location(to).is_none(),
        _ => through_internals,
    }
}

/// How an edge reads in a path: `.name`, `[3]`, `(var name)`, `(internal name)`, ...
pub fn edge_label(g: &Graph, e: EdgeIndex) -> String {
    let s = &g.snap;
    match s.edge_kind(e) {
        EdgeKind::Property | EdgeKind::Shortcut => {
            let name = s.strings.get(s.edge_name[e.ix()]);
            if is_identifier(name) {
                format!(".{name}")
            } else {
                format!("[{}]", serde_json::to_string(name).unwrap_or_default())
            }
        }
        EdgeKind::Element => format!("[{}]", s.edge_name[e.ix()]),
        EdgeKind::Context => format!("(var {})", s.strings.get(s.edge_name[e.ix()])),
        EdgeKind::Internal => format!("(internal {})", s.strings.get(s.edge_name[e.ix()])),
        EdgeKind::Hidden => format!("(hidden {})", s.edge_name[e.ix()]),
        EdgeKind::Weak => format!("(weak {})", s.strings.get(s.edge_name[e.ix()])),
        EdgeKind::Other => "(edge)".to_owned(),
    }
}

/// `Class @id`, with the function name and location for closures.
pub fn node_label(g: &Graph, node: NodeIndex) -> String {
    let s = &g.snap;
    let class = s.class_name(node);
    if s.kind(node) == NodeKind::Closure {
        let name = s.name(node);
        let name = if name.is_empty() { "(anonymous)" } else { name };
        if let Some(loc) = s.location(node)
            && let Some(script) = g.script_name(loc.script)
        {
            return format!(
                "{name}() @{} {}:{}",
                s.id(node),
                crate::diff::short_script(script),
                loc.line + 1
            );
        }
        return format!("{name}() @{}", s.id(node));
    }
    if s.kind(node) == NodeKind::Synthetic {
        return s.name(node).to_owned();
    }
    format!("{class} @{}", s.id(node))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `1234567` → `1.2 MB`-style text (decimal units).
pub fn bytes(n: u64) -> String {
    let f = n as f64;
    if n < 10_000 {
        format!("{n} B")
    } else if f < 10e6 {
        format!("{:.1} kB", f / 1e3)
    } else if f < 10e9 {
        format!("{:.1} MB", f / 1e6)
    } else {
        format!("{:.1} GB", f / 1e9)
    }
}

fn signed_bytes(n: i64) -> String {
    if n < 0 {
        format!("-{}", bytes(n.unsigned_abs()))
    } else {
        format!("+{}", bytes(n as u64))
    }
}

/// Keeps the end of a long text (the file name and line of a location).
fn trunc_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        s.to_owned()
    } else {
        let keep: String = s.chars().skip(n - width + 1).collect();
        format!("…{keep}")
    }
}

fn trunc(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let keep: String = s.chars().take(width.saturating_sub(1)).collect();
        format!("{keep}…")
    }
}

// ---------------------------------------------------------------------------------------------
// summary

#[derive(Serialize)]
struct SummaryJson<'a> {
    version: u32,
    snapshot: &'a str,
    nodes: u64,
    edges: u64,
    self_size: u64,
    reachable_size: u64,
    classes: Vec<ClassJson<'a>>,
    largest: Vec<LargestJson<'a>>,
}

#[derive(Serialize)]
struct ClassJson<'a> {
    name: &'a str,
    count: u64,
    self_size: u64,
    retained_size: u64,
}

#[derive(Serialize)]
struct LargestJson<'a> {
    class: &'a str,
    id: u32,
    self_size: u64,
    retained_size: u64,
    retainer_path: &'a str,
}

pub fn summary_json(path: &str, s: &Summary, top: usize) -> String {
    let json = SummaryJson {
        version: JSON_VERSION,
        snapshot: path,
        nodes: s.nodes,
        edges: s.edges,
        self_size: s.self_size,
        reachable_size: s.reachable_size,
        classes: s
            .classes
            .iter()
            .take(top)
            .map(|c| ClassJson {
                name: &c.name,
                count: c.count,
                self_size: c.self_size,
                retained_size: c.retained,
            })
            .collect(),
        largest: s
            .largest
            .iter()
            .map(|l| LargestJson {
                class: &l.class,
                id: l.id,
                self_size: l.self_size,
                retained_size: l.retained,
                retainer_path: &l.path,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}

pub fn summary_text(path: &str, s: &Summary, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{path}: {} nodes, {} edges, {} in objects, {} reachable from the roots",
        s.nodes,
        s.edges,
        bytes(s.self_size),
        bytes(s.reachable_size)
    );
    let _ = writeln!(out, "\nClasses by retained size (top {top}):");
    let _ = writeln!(
        out,
        "  {:<40} {:>10} {:>12} {:>12}",
        "class", "count", "self size", "retained"
    );
    for c in s.classes.iter().take(top) {
        let _ = writeln!(
            out,
            "  {:<40} {:>10} {:>12} {:>12}",
            trunc(&c.name, 40),
            c.count,
            bytes(c.self_size),
            bytes(c.retained)
        );
    }
    let _ = writeln!(
        out,
        "\nLargest objects by retained size (dominator tree), with their shortest retainer path:"
    );
    for l in &s.largest {
        let _ = writeln!(
            out,
            "  {:>12}  {} @{}\n      {}",
            bytes(l.retained),
            l.class,
            l.id,
            l.path
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// diff

#[derive(Serialize)]
pub struct IntervalJson {
    pub new: u64,
    pub deleted: u64,
    pub delta: i64,
    pub size_delta: i64,
}

impl From<&Delta> for IntervalJson {
    fn from(d: &Delta) -> Self {
        IntervalJson {
            new: d.new,
            deleted: d.deleted,
            delta: d.count(),
            size_delta: d.size(),
        }
    }
}

#[derive(Serialize, Clone)]
pub struct LocationJson {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub function: String,
    pub what: &'static str,
}

impl From<&SourceLoc> for LocationJson {
    fn from(l: &SourceLoc) -> Self {
        LocationJson {
            file: crate::diff::short_script(&l.script).to_owned(),
            line: l.line,
            column: l.column,
            function: l.function.clone(),
            what: l.what,
        }
    }
}

#[derive(Serialize)]
struct RowJson {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<LocationJson>,
    counts: Vec<u64>,
    sizes: Vec<u64>,
    intervals: Vec<IntervalJson>,
    grew_in_all: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    retainer_path: Option<String>,
}

fn row_json(r: &Row, g: Option<&Graph>) -> RowJson {
    RowJson {
        name: r.name.clone(),
        location: r.location.as_ref().map(LocationJson::from),
        counts: r.counts.clone(),
        sizes: r.sizes.clone(),
        intervals: r.deltas.iter().map(IntervalJson::from).collect(),
        grew_in_all: r.grew_in_all(),
        retainer_path: g.and_then(|g| r.sample.map(|v| path_text(g, v))),
    }
}

#[derive(Serialize)]
struct DiffJson<'a> {
    version: u32,
    snapshots: &'a [String],
    totals: Vec<TotalJson>,
    classes: Vec<RowJson>,
    locations: Vec<RowJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    growing: Option<GrowingJson>,
}

#[derive(Serialize)]
struct TotalJson {
    nodes: u64,
    self_size: u64,
}

#[derive(Serialize)]
struct GrowingJson {
    min_growth: i64,
    classes: Vec<RowJson>,
    locations: Vec<RowJson>,
}

pub fn diff_json(
    paths: &[String],
    c: &Comparison,
    g: Option<&Graph>,
    top: usize,
    min: i64,
) -> String {
    let three = paths.len() >= 3;
    let json = DiffJson {
        version: JSON_VERSION,
        snapshots: paths,
        totals: c
            .totals
            .iter()
            .map(|&(nodes, self_size)| TotalJson { nodes, self_size })
            .collect(),
        classes: Comparison::sorted(&c.classes)
            .into_iter()
            .take(top)
            .map(|r| row_json(r, None))
            .collect(),
        locations: Comparison::sorted(&c.locations)
            .into_iter()
            .take(top)
            .map(|r| row_json(r, None))
            .collect(),
        growing: three.then(|| GrowingJson {
            min_growth: min,
            classes: Comparison::growing(&c.classes, min)
                .into_iter()
                .take(top)
                .map(|r| row_json(r, g))
                .collect(),
            locations: Comparison::growing(&c.locations, min)
                .into_iter()
                .take(top)
                .map(|r| row_json(r, g))
                .collect(),
        }),
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}

fn interval_table(out: &mut String, rows: &[&Row], interval: usize, top: usize, heading: &str) {
    let _ = writeln!(out, "{heading}");
    let _ = writeln!(
        out,
        "  {:<44} {:>9} {:>9} {:>9} {:>12}",
        "", "#New", "#Deleted", "#Delta", "Size delta"
    );
    let mut rows: Vec<&&Row> = rows
        .iter()
        .filter(|r| r.deltas[interval].new > 0 || r.deltas[interval].deleted > 0)
        .collect();
    rows.sort_by(|a, b| {
        let (da, db) = (&a.deltas[interval], &b.deltas[interval]);
        db.count()
            .cmp(&da.count())
            .then(db.size().cmp(&da.size()))
            .then(a.name.cmp(&b.name))
    });
    for r in rows.iter().take(top) {
        let d = &r.deltas[interval];
        let _ = writeln!(
            out,
            "  {:<44} {:>9} {:>9} {:>+9} {:>12}",
            title(r, 44),
            d.new,
            d.deleted,
            d.count(),
            signed_bytes(d.size())
        );
    }
    if rows.is_empty() {
        let _ = writeln!(out, "  (no change)");
    }
}

fn title(r: &Row, width: usize) -> String {
    if r.location.is_some() {
        trunc_left(&row_title(r), width)
    } else {
        trunc(&row_title(r), width)
    }
}

fn row_title(r: &Row) -> String {
    match &r.location {
        Some(l) => {
            let f = if l.function.is_empty() {
                "(anonymous)"
            } else {
                &l.function
            };
            format!("{f} {}", r.name)
        }
        None => r.name.clone(),
    }
}

pub fn diff_text(
    paths: &[String],
    c: &Comparison,
    g: Option<&Graph>,
    top: usize,
    min: i64,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Comparison by node id of {} (self sizes in bytes, objects of size 0 left out)",
        paths.join(" → ")
    );
    for (p, (n, sz)) in paths.iter().zip(&c.totals) {
        let _ = writeln!(out, "  {p}: {n} objects, {}", bytes(*sz));
    }
    let classes: Vec<&Row> = c.classes.iter().collect();
    let locations: Vec<&Row> = c.locations.iter().collect();
    for i in 0..paths.len().saturating_sub(1) {
        let _ = writeln!(out);
        interval_table(
            &mut out,
            &classes,
            i,
            top,
            &format!("Classes, {} → {}:", paths[i], paths[i + 1]),
        );
        let _ = writeln!(out);
        interval_table(
            &mut out,
            &locations,
            i,
            top,
            &format!(
                "By source location (closures, async functions, class instances), {} → {}:",
                paths[i],
                paths[i + 1]
            ),
        );
    }
    if paths.len() >= 3 {
        for (heading, rows) in [
            ("Classes that grew in both intervals", &c.classes),
            (
                "Source locations that grew in both intervals (closures, async functions, class instances)",
                &c.locations,
            ),
        ] {
            let growing = Comparison::growing(rows, min);
            let _ = writeln!(out, "\n{heading} (at least {min} each time):");
            if growing.is_empty() {
                let _ = writeln!(out, "  none");
            }
            for r in growing.iter().take(top) {
                let counts: Vec<String> = r.counts.iter().map(u64::to_string).collect();
                let _ = writeln!(
                    out,
                    "  {:<44} {:>24}  {:>+8} {:>+8}  {:>12}",
                    title(r, 44),
                    counts.join(" → "),
                    r.deltas[0].count(),
                    r.deltas[1].count(),
                    signed_bytes(r.total_size_delta())
                );
                if let (Some(g), Some(v)) = (g, r.sample) {
                    let _ = writeln!(out, "      retained by: {}", path_text(g, v));
                }
            }
        }
    }
    out
}
