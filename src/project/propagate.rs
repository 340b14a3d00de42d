//! The project phase: follows every use of another file's function, class or service to its
//! definition and propagates roles, singletons and settings to a fixed point.

use std::collections::{HashMap, HashSet};

use leaklint_rules::model::{ClassId, FnId, Frequency};
use leaklint_rules::project::Atom;
use leaklint_rules::project::{
    CrossUse, ExportValue, ExternalRole, FileFacts, Summary, Target, UseKind,
};
use leaklint_rules::{Step, StepKind};

/// One analysed file: its summary and the file each of its imports resolves to.
pub struct Node {
    pub summary: Summary,
    pub imports: Vec<Option<usize>>,
    /// `index.*`: probably what the package's users import, whose callers are unknown.
    pub entry: bool,
}

/// What a path through a module's exports reaches.
#[derive(Clone, Debug, PartialEq)]
enum Entity {
    Module(usize),
    Fn(usize, FnId),
    Class(usize, ClassId),
    Instance(usize, ClassId),
    Object(usize, Vec<(Atom, FnId)>),
    /// An HTTP client instance made without a deadline: its index in the file's
    /// `untimed_clients`.
    Client(usize, usize),
    /// A collection made at module scope: its index in the file's `collections`.
    Collection(usize, usize),
}

/// Follows `path` from `entity` (re-exports, `export *`, CommonJS objects, classes and their
/// instances' methods). Gives up after a few hops of re-exports.
fn follow(nodes: &[Node], entity: Entity, path: &[Atom], depth: u8) -> Option<Entity> {
    if depth > 12 {
        return None;
    }
    match entity {
        Entity::Module(b) => {
            let exports = &nodes[b].summary.exports;
            let named = |name: &str| exports.iter().find(|e| e.name.as_str() == name);
            if let Some(first) = path.first()
                && first.as_str() != "#"
                && let Some(e) = named(first)
            {
                let value = export_entity(nodes, b, &e.value, depth)?;
                return follow(nodes, value, &path[1..], depth + 1);
            }
            // CommonJS: the whole module is `module.exports`.
            if let Some(e) = named("default")
                && (path.is_empty() || !matches!(e.value, ExportValue::Other))
            {
                let value = export_entity(nodes, b, &e.value, depth)?;
                if let Some(found) = follow(nodes, value, path, depth + 1) {
                    return Some(found);
                }
            }
            if path.is_empty() {
                return Some(Entity::Module(b));
            }
            exports.iter().find_map(|e| match e.value {
                ExportValue::All(i) => {
                    let t = nodes[b].imports.get(i).copied().flatten()?;
                    follow(nodes, Entity::Module(t), path, depth + 1)
                }
                _ => None,
            })
        }
        Entity::Fn(..) if path.is_empty() => Some(entity),
        Entity::Class(b, c) => match path {
            [] => Some(entity),
            [hash, method] if hash == "#" => method_of(nodes, b, c, method),
            [method] => method_of(nodes, b, c, method),
            _ => None,
        },
        Entity::Instance(b, c) => match path {
            [] => Some(entity),
            [method] => method_of(nodes, b, c, method),
            _ => None,
        },
        Entity::Object(b, members) => match path {
            [] => Some(Entity::Object(b, members)),
            [m] => members
                .iter()
                .find(|(k, _)| k == m)
                .map(|(_, f)| Entity::Fn(b, *f)),
            _ => None,
        },
        Entity::Fn(..) => None,
        Entity::Client(..) | Entity::Collection(..) if path.is_empty() => Some(entity),
        Entity::Client(..) | Entity::Collection(..) => None,
    }
}

fn method_of(nodes: &[Node], b: usize, c: ClassId, method: &str) -> Option<Entity> {
    let class = nodes[b].summary.classes.get(c.index())?;
    class
        .methods
        .iter()
        .find(|(name, _)| name == method)
        .map(|(_, f)| Entity::Fn(b, *f))
}

fn export_entity(nodes: &[Node], b: usize, value: &ExportValue, depth: u8) -> Option<Entity> {
    Some(match value {
        ExportValue::Fn(f) => Entity::Fn(b, *f),
        ExportValue::Class(c) => Entity::Class(b, *c),
        ExportValue::Instance(c) => Entity::Instance(b, *c),
        ExportValue::Object(members) => Entity::Object(b, members.clone()),
        ExportValue::Client(k) => Entity::Client(b, *k),
        ExportValue::Collection(k) => Entity::Collection(b, *k),
        ExportValue::Import(i) | ExportValue::All(i) => {
            let t = nodes[b].imports.get(*i).copied().flatten()?;
            let path = &nodes[b].summary.imports[*i].path;
            follow(nodes, Entity::Module(t), path, depth + 1)?
        }
        ExportValue::Other => return None,
    })
}

/// Services decorated onto a Fastify instance, by name: the file and the methods.
type Decorated<'a> = HashMap<&'a str, Vec<(usize, &'a [(Atom, FnId)])>>;

/// What a use reaches, when it is in the project.
fn target_of(nodes: &[Node], decorated: &Decorated<'_>, a: usize, u: &CrossUse) -> Option<Entity> {
    match &u.target {
        Target::Import { import, path } => {
            let t = nodes[a].imports.get(*import).copied().flatten()?;
            let mut full = nodes[a].summary.imports[*import].path.clone();
            full.extend(path.iter().cloned());
            follow(nodes, Entity::Module(t), &full, 0)
        }
        Target::Local(f) => Some(Entity::Fn(a, *f)),
        Target::Decorated { name, method } => {
            let found = decorated.get(name.as_str())?;
            // Only when one file decorates that name: otherwise the call is ambiguous.
            let [(b, methods)] = found.as_slice() else {
                return None;
            };
            methods
                .iter()
                .find(|(k, _)| k == method)
                .map(|(_, f)| Entity::Fn(*b, *f))
        }
    }
}

/// The steps of a call at `u` (in file `display`) followed by the steps that make its caller
/// repeat.
fn called(u: &CrossUse, display: &str, rest: &[Step]) -> Vec<Step> {
    let mut steps = Vec::with_capacity(rest.len() + 1);
    steps.push(u.step(StepKind::CalledFrom, display, u.user.clone()));
    steps.extend_from_slice(rest);
    steps
}

/// A role under construction: how often, and the steps after the subject.
struct Given {
    frequency: Frequency,
    steps: Vec<Step>,
}

/// Propagates over the project and returns the facts for each file (by index; files with
/// nothing to learn are left out).
pub fn propagate(nodes: &[Node]) -> HashMap<usize, FileFacts> {
    let mut decorated: Decorated<'_> = HashMap::new();
    for (b, n) in nodes.iter().enumerate() {
        for (name, methods) in &n.summary.decorations {
            decorated
                .entry(name.as_str())
                .or_default()
                .push((b, methods));
        }
    }
    // Every use, with what it reaches.
    let mut edges: Vec<(usize, &CrossUse, Entity)> = Vec::new();
    for (a, n) in nodes.iter().enumerate() {
        for u in &n.summary.uses {
            if let Some(e) = target_of(nodes, &decorated, a, u) {
                edges.push((a, u, e));
            }
        }
    }
    let callee = |e: &Entity, kind: UseKind| -> Option<(usize, FnId)> {
        match (e, kind) {
            (Entity::Fn(b, f), _) => Some((*b, *f)),
            (Entity::Class(b, c), UseKind::New) => nodes[*b]
                .summary
                .classes
                .get(c.index())?
                .ctor
                .map(|f| (*b, f)),
            _ => None,
        }
    };

    // Roles across files, to a fixed point.
    let mut given: HashMap<(usize, FnId), Given> = HashMap::new();
    // Registrations and chains from them first; a caller's own handler shape (`(req, res)`)
    // only where nothing better is known.
    let mut allow_shape = false;
    loop {
        let mut changed = false;
        for (a, u, e) in &edges {
            if u.kind == UseKind::Escape {
                continue;
            }
            let Some(target) = callee(e, u.kind) else {
                continue;
            };
            if given.contains_key(&target) || (*a, Some(target.1)) == (target.0, u.top) {
                continue;
            }
            let display = &nodes[*a].summary.display;
            let (frequency, steps) = if u.kind == UseKind::Registered {
                match &u.reason {
                    Some(r) => (u.frequency, vec![r.clone()]),
                    None => continue,
                }
            } else if let Some(g) = u.top.and_then(|t| given.get(&(*a, t))) {
                (g.frequency, called(u, display, &g.steps))
            } else if u.frequency.is_repeating() {
                let Some(reason) = &u.reason else { continue };
                if !allow_shape && !matches!(reason.kind, StepKind::Registered(_)) {
                    continue;
                }
                (
                    u.frequency,
                    called(u, display, std::slice::from_ref(reason)),
                )
            } else {
                continue;
            };
            if !frequency.is_repeating() {
                continue;
            }
            given.insert(target, Given { frequency, steps });
            changed = true;
        }
        if !changed {
            if allow_shape {
                break;
            }
            allow_shape = true;
        }
    }

    let mut facts: HashMap<usize, FileFacts> = HashMap::new();
    for ((b, f), g) in &given {
        let (name, line, column) = &nodes[*b].summary.functions[f.index()];
        let mut chain = Vec::with_capacity(g.steps.len() + 1);
        chain.push(Step {
            kind: StepKind::Subject,
            path: nodes[*b].summary.display.clone(),
            line: *line,
            column: *column,
            code: name.as_deref().unwrap_or_default().to_string(),
            // Read when the file is linted with its facts.
            source: String::new(),
        });
        chain.extend(g.steps.iter().cloned());
        facts.entry(*b).or_default().roles.push((
            *f,
            ExternalRole {
                frequency: g.frequency,
                chain,
            },
        ));
    }

    // Start-up only: every use is a call from start-up code, and nothing passes it on.
    let effective_startup = |a: usize, u: &CrossUse| {
        u.frequency == Frequency::StartUp && u.top.is_none_or(|t| !given.contains_key(&(a, t)))
    };
    let mut escaped_modules: HashSet<usize> = HashSet::new();
    let mut escaped: HashSet<(usize, FnId)> = HashSet::new();
    let mut calls: HashMap<(usize, FnId), bool> = HashMap::new();
    for (a, u, e) in &edges {
        if u.kind == UseKind::Escape {
            match e {
                Entity::Module(b) => {
                    escaped_modules.insert(*b);
                }
                Entity::Fn(b, f) => {
                    escaped.insert((*b, *f));
                }
                Entity::Class(b, _) | Entity::Instance(b, _) | Entity::Object(b, _) => {
                    escaped_modules.insert(*b);
                }
                Entity::Client(..) | Entity::Collection(..) => {}
            }
            continue;
        }
        if let Some(target) = callee(e, u.kind) {
            let startup = u.kind != UseKind::Registered && effective_startup(*a, u);
            let all = calls.entry(target).or_insert(true);
            *all &= startup;
        }
    }
    for ((b, f), all_startup) in calls {
        if all_startup
            && !nodes[b].entry
            && !escaped_modules.contains(&b)
            && !escaped.contains(&(b, f))
            && !given.contains_key(&(b, f))
        {
            facts.entry(b).or_default().startup_only.push(f);
        }
    }

    // Parameters that every caller in the project fills with a long-lived value. Only for a
    // function whose every use is a call or `new` the project resolves (nothing registers it or
    // passes it on, and it is not the package's entry, whose callers are unknown).
    let mut callers: HashMap<(usize, FnId), Vec<(usize, &CrossUse)>> = HashMap::new();
    let mut opaque: HashSet<(usize, FnId)> = HashSet::new();
    for (a, u, e) in &edges {
        let Some(target) = callee(e, u.kind) else {
            continue;
        };
        match u.kind {
            UseKind::Call | UseKind::New => callers.entry(target).or_default().push((*a, u)),
            UseKind::Registered | UseKind::Escape => {
                opaque.insert(target);
            }
        }
    }
    // Parameters some caller fills with a value of its own invocation.
    for ((b, f), uses) in &callers {
        let mut owned: Vec<usize> = uses
            .iter()
            .flat_map(|(_, u)| u.own_args.iter().copied())
            .collect();
        owned.sort_unstable();
        owned.dedup();
        for i in owned {
            facts
                .entry(*b)
                .or_default()
                .caller_owned_params
                .push((*f, i));
        }
    }
    for ((b, f), uses) in &callers {
        if nodes[*b].entry
            || escaped_modules.contains(b)
            || escaped.contains(&(*b, *f))
            || opaque.contains(&(*b, *f))
        {
            continue;
        }
        let [(a0, first), rest @ ..] = uses.as_slice() else {
            continue;
        };
        for (index, arg) in &first.long_lived_args {
            if rest
                .iter()
                .all(|(_, u)| u.long_lived_args.iter().any(|(i, _)| i == index))
            {
                let step = first.step(
                    StepKind::CalledFrom,
                    &nodes[*a0].summary.display,
                    arg.clone(),
                );
                facts
                    .entry(*b)
                    .or_default()
                    .long_lived_params
                    .push((*f, *index, step));
            }
        }
    }

    // Singletons made at home: a class its own file exports and instantiates once, at module
    // scope, that no other file uses as a class (no `new`, no `extends`, not passed on).
    let used_as_class: HashSet<(usize, ClassId)> = edges
        .iter()
        .filter_map(|(_, _, e)| match e {
            Entity::Class(b, c) => Some((*b, *c)),
            _ => None,
        })
        .collect();
    for (b, n) in nodes.iter().enumerate() {
        if n.entry || escaped_modules.contains(&b) {
            continue;
        }
        for (c, step) in &n.summary.made_once {
            if !used_as_class.contains(&(b, *c)) {
                facts
                    .entry(b)
                    .or_default()
                    .singletons
                    .push((*c, step.clone()));
            }
        }
    }

    // Singletons: a class of another file instantiated exactly once in the project, at module
    // scope.
    let mut news: HashMap<(usize, ClassId), Vec<(usize, &CrossUse)>> = HashMap::new();
    for (a, u, e) in &edges {
        if let (UseKind::New, Entity::Class(b, c)) = (u.kind, e) {
            news.entry((*b, *c)).or_default().push((*a, u));
        }
    }
    for ((b, c), sites) in news {
        let Some(class) = nodes[b].summary.classes.get(c.index()) else {
            continue;
        };
        if class.instantiated_here {
            continue;
        }
        if let [(a, u)] = sites.as_slice()
            && u.top.is_none()
            && u.frequency == Frequency::StartUp
        {
            let name = class.name.as_deref().unwrap_or("class");
            facts.entry(b).or_default().singletons.push((
                c,
                u.step(
                    StepKind::SingleInstance,
                    &nodes[*a].summary.display,
                    name.to_string(),
                ),
            ));
        }
    }

    // Settings made elsewhere: the process-wide axios timeout, and undici's global dispatcher
    // (which Node's `fetch` uses too).
    let axios = process_wide(nodes, |s| s.axios_timeout);
    let dispatcher = process_wide(nodes, |s| s.dispatcher_deadline);
    let nest_http = process_wide(nodes, |s| s.nest_http_timeout);
    for (i, n) in nodes.iter().enumerate() {
        if let Some(at) = &axios
            && n.summary.axios_timeout.is_none()
        {
            facts.entry(i).or_default().axios_timeout = Some(at.clone());
        }
        if let Some(at) = &dispatcher
            && n.summary.dispatcher_deadline.is_none()
        {
            facts.entry(i).or_default().dispatcher_deadline = Some(at.clone());
        }
        if let Some(at) = &nest_http
            && n.summary.nest_http_timeout.is_none()
        {
            facts.entry(i).or_default().nest_http_timeout = Some(at.clone());
        }
    }

    // HTTP wrappers: imports that reach a function forwarding to an HTTP client.
    for (a, n) in nodes.iter().enumerate() {
        for (i, import) in n.summary.imports.iter().enumerate() {
            let Some(t) = n.imports.get(i).copied().flatten() else {
                continue;
            };
            let Some(Entity::Fn(b, f)) = follow(nodes, Entity::Module(t), &import.path, 0) else {
                continue;
            };
            if let Some((_, what, _, source)) = nodes[b]
                .summary
                .http_wrappers
                .iter()
                .find(|(g, _, is_axios, _)| *g == f && !(*is_axios && axios.is_some()))
            {
                let (_, line, column) = &nodes[b].summary.functions[f.index()];
                facts.entry(a).or_default().http_wrappers.push((
                    i,
                    Step {
                        kind: StepKind::ForwardsTo,
                        path: nodes[b].summary.display.clone(),
                        line: *line,
                        column: *column,
                        code: Step::unquoted(what),
                        source: source.clone(),
                    },
                ));
            }
        }
    }
    // HTTP client instances made elsewhere without a deadline (an axios one unless the
    // process-wide default gives it one): imported directly (`const { api } =
    // require('./http')`) or read from the imported module (`http.api`).
    for (a, n) in nodes.iter().enumerate() {
        for (i, import) in n.summary.imports.iter().enumerate() {
            let Some(t) = n.imports.get(i).copied().flatten() else {
                continue;
            };
            let found: Vec<(Vec<Atom>, usize, usize)> =
                match follow(nodes, Entity::Module(t), &import.path, 0) {
                    Some(Entity::Client(b, k)) => vec![(Vec::new(), b, k)],
                    Some(Entity::Module(b) | Entity::Object(b, _)) => nodes[b]
                        .summary
                        .exports
                        .iter()
                        .filter_map(|e| match e.value {
                            ExportValue::Client(k) => Some((vec![e.name.clone()], b, k)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
            for (props, b, k) in found {
                if let Some(made) = nodes[b].summary.untimed_clients.get(k)
                    && !(made.library == "axios" && axios.is_some())
                {
                    facts
                        .entry(a)
                        .or_default()
                        .untimed_clients
                        .push((i, props, made.clone()));
                }
            }
        }
    }
    imported_collections(nodes, &mut facts);
    for f in facts.values_mut() {
        f.roles.sort_by_key(|(f, _)| *f);
        f.startup_only.sort_unstable();
        f.singletons.sort_by_key(|(c, _)| *c);
        f.long_lived_params.sort_by_key(|(f, i, _)| (*f, *i));
        f.caller_owned_params.sort_unstable();
    }
    facts
}

/// Collections made at module scope in one file and reached through another file's import
/// (`const { sessions } = require('./store')`, `store.sessions`), when no file of the project
/// takes entries out of them: not the file that makes one, nor any file that imports it. Such
/// an import is a process-wide collection in the importing file: growing it per request is the
/// leak, and the finding is where it grows.
fn imported_collections(nodes: &[Node], facts: &mut HashMap<usize, FileFacts>) {
    // What each import of each file reaches.
    struct Reached {
        file: usize,
        import: usize,
        /// The properties read after the import up to the collection.
        props: Vec<Atom>,
        /// The file that makes the collection, and its index there.
        collection: (usize, usize),
    }
    let mut reached: Vec<Reached> = Vec::new();
    for (a, n) in nodes.iter().enumerate() {
        for (i, import) in n.summary.imports.iter().enumerate() {
            let Some(t) = n.imports.get(i).copied().flatten() else {
                continue;
            };
            match follow(nodes, Entity::Module(t), &import.path, 0) {
                Some(Entity::Collection(b, k)) => reached.push(Reached {
                    file: a,
                    import: i,
                    props: Vec::new(),
                    collection: (b, k),
                }),
                Some(Entity::Module(b) | Entity::Object(b, _)) => {
                    for e in &nodes[b].summary.exports {
                        if let ExportValue::Collection(k) = e.value {
                            reached.push(Reached {
                                file: a,
                                import: i,
                                props: vec![e.name.clone()],
                                collection: (b, k),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if reached.is_empty() {
        return;
    }
    let mut removed: HashSet<(usize, usize)> = HashSet::new();
    for n in nodes {
        for (i, props) in &n.summary.import_removals {
            let Some(t) = n.imports.get(*i).copied().flatten() else {
                continue;
            };
            let mut full = n.summary.imports[*i].path.clone();
            full.extend(props.iter().cloned());
            if let Some(Entity::Collection(b, k)) = follow(nodes, Entity::Module(t), &full, 0) {
                removed.insert((b, k));
            }
        }
        // Handed to a function of another file that takes entries out of that parameter.
        let reach = |(i, props): &(usize, Vec<Atom>)| -> Option<Entity> {
            let t = n.imports.get(*i).copied().flatten()?;
            let mut full = n.summary.imports[*i].path.clone();
            full.extend(props.iter().cloned());
            follow(nodes, Entity::Module(t), &full, 0)
        };
        for arg in &n.summary.import_args {
            if let Some(Entity::Fn(b, f)) = reach(&arg.callee)
                && nodes[b]
                    .summary
                    .shrinking_params
                    .contains(&(f, arg.position))
                && let Some(Entity::Collection(c, k)) = reach(&arg.value)
            {
                removed.insert((c, k));
            }
        }
    }
    for r in reached {
        let (b, k) = r.collection;
        let Some(made) = nodes[b].summary.collections.get(k) else {
            continue;
        };
        if made.removed_here || removed.contains(&(b, k)) {
            continue;
        }
        facts.entry(r.file).or_default().imported_collections.push((
            r.import,
            r.props,
            made.clone(),
        ));
    }
}

/// Where the first file that makes a process-wide setting (`setting` gives its line) makes it:
/// "bootstrap.js:9".
fn process_wide(nodes: &[Node], setting: impl Fn(&Summary) -> Option<usize>) -> Option<String> {
    nodes
        .iter()
        .find_map(|n| setting(&n.summary).map(|line| format!("{}:{line}", n.summary.display)))
}
