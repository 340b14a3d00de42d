//! Growth that no finding explains: closures, async functions and instances of one source
//! location of a user script, and collections tied to user code, that grew in both intervals.

use std::collections::HashMap;

use super::index::Indexed;
use super::input::FileMap;
use super::{Claims, Older, Unexplained};
use crate::diff::{self, Comparison, Row, SourceLoc};
use crate::render::path_text;
use crate::snapshot::{EdgeKind, NodeIndex, NodeKind};

/// A collection that grew by at least `min` entries in each interval.
struct GrowingCollection {
    /// In the last snapshot.
    node: NodeIndex,
    counts: Vec<u64>,
}

fn growing_collections(last: &Indexed, older: &[Older], min: u64) -> Vec<GrowingCollection> {
    let k = older.len() + 1;
    let sn = &last.g.snap;
    let mut out = Vec::new();
    for v in sn.nodes() {
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
        for (i, o) in older.iter().enumerate() {
            let Some(n) = o.entries(id) else {
                // New since an earlier snapshot: it did not grow in both intervals (an
                // `_events` array replacing a single listener, a reallocated table).
                ok = false;
                break;
            };
            counts[i] = n;
        }
        if ok && counts.windows(2).all(|w| w[1] >= w[0] + min) {
            out.push(GrowingCollection { node: v, counts });
        }
    }
    out
}

/// The most common source location of a collection's entries (closures, or what they lead to).
fn entries_location(s: &Indexed, node: NodeIndex) -> Option<(u32, u32)> {
    let sn = &s.g.snap;
    let mut tally: HashMap<(u32, u32), u32> = HashMap::new();
    let mut targets: Vec<NodeIndex> = Vec::new();
    if let Some(table) = (sn.name(node) == "Map" || sn.name(node) == "Set")
        .then(|| sn.child(node, EdgeKind::Internal, "table"))
        .flatten()
    {
        targets.extend(sn.edges(table).map(|e| sn.edge_target(e)));
    } else {
        targets.extend(
            sn.edges(node)
                .filter(|&e| matches!(sn.edge_kind(e), EdgeKind::Property | EdgeKind::Element))
                .map(|e| sn.edge_target(e)),
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
    node: NodeIndex,
) -> Option<(String, String, Decl)> {
    let g = &s.g;
    let sn = &g.snap;
    let edges = g.preferred_path(node).edges;
    for &e in edges.iter().rev() {
        if sn.edge_kind(e) == EdgeKind::Context {
            let var = sn.strings.get(sn.edge_name[e.ix()]).to_owned();
            let ctx = g.edge_owner(e);
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
        if g.edge_owner(e) == global && sn.edge_kind(e) == EdgeKind::Property {
            let prop = sn.strings.get(sn.edge_name[e.ix()]).to_owned();
            let mut name = format!("globalThis.{prop}");
            for &x in edges[i + 1..].iter().take(3) {
                if sn.edge_kind(x) != EdgeKind::Property {
                    break;
                }
                name.push('.');
                name.push_str(sn.strings.get(sn.edge_name[x.ix()]));
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

/// What both kinds of unexplained growth are looked up against.
struct Scope<'a> {
    last: &'a Indexed,
    older: &'a [Older],
    map: &'a FileMap,
    claims: &'a Claims,
    min: u64,
    /// Script names from every snapshot (ids are stable within the process).
    scripts: HashMap<u32, crate::graph::Script>,
    /// Linted files by script name, to read declarations from.
    local: HashMap<String, String>,
}

impl Scope<'_> {
    /// The linted file a script is, else the script's own name.
    fn file_of(&self, script: &str) -> String {
        self.map
            .file_of(script)
            .map(str::to_owned)
            .unwrap_or_else(|| diff::short_script(script).to_owned())
    }

    fn claimed(&self, file: &str, line: u32) -> bool {
        self.claims.lines.contains(&(file.to_owned(), line))
    }
}

/// The items found so far.
#[derive(Default)]
struct Items {
    items: Vec<Unexplained>,
    /// (file, line) of listed location items, to attach collections to them.
    listed: HashMap<(String, u32), usize>,
}

/// Growth in both intervals that no finding explains (see the module docs of `confirm`).
pub(super) fn unexplained(
    last: &Indexed,
    older: &[Older],
    comparer: diff::Comparer,
    map: &FileMap,
    claims: &Claims,
    min: u64,
) -> Vec<Unexplained> {
    if older.len() < 2 {
        return Vec::new();
    }
    let mut scripts = last.g.scripts.clone();
    for o in older {
        for (id, sc) in &o.scripts {
            scripts.entry(*id).or_insert_with(|| sc.clone());
        }
    }
    let cmp = comparer.finish(&scripts);
    let local: HashMap<String, String> = scripts
        .values()
        .filter_map(|sc| {
            map.file_of(&sc.name)
                .map(|f| (sc.name.clone(), f.to_owned()))
        })
        .collect();
    let scope = Scope {
        last,
        older,
        map,
        claims,
        min,
        scripts,
        local,
    };
    let mut found = Items::default();
    location_items(&scope, &cmp, &mut found);
    let explained = collection_items(&scope, &mut found);
    let mut i = 0;
    let mut items = found.items;
    items.retain(|_| {
        i += 1;
        !explained.contains(&(i - 1))
    });
    items
}

/// Closures, async functions and instances of one source location of a user script that
/// grew in both intervals and that no finding claims.
fn location_items(scope: &Scope, cmp: &Comparison, found: &mut Items) {
    let growing: Vec<&Row> = Comparison::growing(&cmp.locations, scope.min as i64);
    for r in growing {
        let Some(loc) = &r.location else { continue };
        if diff::is_builtin_script(diff::short_script(&loc.script)) {
            continue;
        }
        let file = scope.file_of(&loc.script);
        if scope.claimed(&file, loc.line) {
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
        if found.listed.contains_key(&key) {
            continue;
        }
        found.listed.insert(key, found.items.len());
        found.items.push(Unexplained {
            kind,
            class,
            file: Some(file),
            line: Some(loc.line),
            column: Some(loc.column),
            name: function_name(loc),
            counts: r.counts.clone(),
            growth: r.deltas.iter().map(|d| d.count()).collect(),
            size_delta: Some(r.total_size_delta()),
            retainer_path: r
                .sample
                .map(|v| path_text(&scope.last.g, v))
                .unwrap_or_default(),
            held_by: None,
        });
    }
}

/// Collections tied to user code that grew in both intervals: attached to the location item
/// of their entries when there is one, else listed with their declaration. Returns the
/// location items that are the entries of a collection a finding claims (one leak, one line:
/// the `recorders.push(recorder)` cache, not also the `recorder` closures in it), to be left
/// out.
fn collection_items(scope: &Scope, found: &mut Items) -> Vec<usize> {
    let last = scope.last;
    let sn = &last.g.snap;
    let mut explained: Vec<usize> = Vec::new();
    for c in growing_collections(last, scope.older, scope.min) {
        let id = sn.id(c.node);
        if scope.claims.ids.contains(&id) {
            if let Some((script, line)) = entries_location(last, c.node)
                && let Some(sc) = scope.scripts.get(&script)
                && let Some(&i) = found.listed.get(&(scope.file_of(&sc.name), line))
            {
                explained.push(i);
            }
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
            && let Some(sc) = scope.scripts.get(&script)
        {
            if diff::is_builtin_script(diff::short_script(&sc.name)) {
                continue;
            }
            let file = scope.file_of(&sc.name);
            if scope.claimed(&file, line) {
                continue;
            }
            if let Some(&i) = found.listed.get(&(file.clone(), line)) {
                let item = &mut found.items[i];
                if item.held_by.is_none() {
                    item.held_by = Some(format!("{holder}: {path}"));
                }
                continue;
            }
        }
        let Some((script, name, decl)) = declaration_site(last, &scope.local, c.node) else {
            continue;
        };
        let line = declaration_line(last, &scope.local, &script, &decl).unwrap_or(0);
        let file = scope.file_of(&script);
        if line > 0 && scope.claimed(&file, line) {
            continue;
        }
        found.items.push(Unexplained {
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
    explained
}

fn function_name(loc: &SourceLoc) -> String {
    if loc.function.is_empty() {
        "(anonymous)".to_owned()
    } else {
        loc.function.clone()
    }
}
