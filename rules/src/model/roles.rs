//! How often code runs. Every function gets a [`Role`]: start-up, per call, per instance, or one
//! of the repeating roles that a server or framework gives to the callbacks registered with it.
//!
//! Roles come from three places, strongest first:
//! 1. **Registration** (recognised in [`super::frameworks`]): the function is passed to a known registrar (`app.get(path, fn)`,
//!    `http.createServer(fn)`, `io.on('connection', fn)`, `setInterval(fn)`, a NestJS `@Get()`
//!    method, ...). The registrar's call is the role's [`Origin`], quoted in messages.
//! 2. **Where it is defined and called**: a nested callback runs within its parent's invocation;
//!    a named function runs as often as its most frequent caller; an exported, returned or stored
//!    function runs per call; a constructor runs once per `new`.
//! 3. **Fallbacks**: parameters shaped like a handler's (`(req, res)`, `(ctx, next)`,
//!    `(request, reply)`) make a function per request; a name like `init`, `setup` or `start`
//!    makes an otherwise unknown function start-up code.

use swc_atoms::Atom;

use super::{FnContext, FnId, FnKind, Model, PerId, UseKind};
use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Frequency {
    /// Module top level and what only it calls: runs once.
    StartUp,
    /// Library code: exported functions, methods, stored callbacks. Can run many times.
    PerCall,
    /// A constructor: once per instance.
    PerInstance,
    PerRequest,
    PerConnection,
    /// Per message or event on a connection, socket or queue.
    PerMessage,
    /// Per `setInterval` tick.
    PerTick,
}

impl Frequency {
    /// Repeats for as long as the program serves traffic.
    pub fn is_repeating(self) -> bool {
        matches!(
            self,
            Frequency::PerRequest
                | Frequency::PerConnection
                | Frequency::PerMessage
                | Frequency::PerTick
        )
    }

    fn rank(self) -> u8 {
        match self {
            Frequency::StartUp => 0,
            Frequency::PerCall | Frequency::PerInstance => 1,
            _ => 2,
        }
    }

    /// The frequency's name in reports: `start-up`, `per-call`, `per-instance`, `per-request`,
    /// `per-connection`, `per-message`, `per-tick`.
    pub fn id(self) -> &'static str {
        match self {
            Frequency::StartUp => "start-up",
            Frequency::PerCall => "per-call",
            Frequency::PerInstance => "per-instance",
            Frequency::PerRequest => "per-request",
            Frequency::PerConnection => "per-connection",
            Frequency::PerMessage => "per-message",
            Frequency::PerTick => "per-tick",
        }
    }

    /// "on every request", used in messages.
    pub fn phrase(self) -> &'static str {
        match self {
            Frequency::StartUp => "once at start-up",
            Frequency::PerCall => "on every call",
            Frequency::PerInstance => "for every instance",
            Frequency::PerRequest => "on every request",
            Frequency::PerConnection => "on every connection",
            Frequency::PerMessage => "on every message",
            Frequency::PerTick => "on every interval tick",
        }
    }

    /// "the request", used in messages.
    pub fn unit(self) -> &'static str {
        match self {
            Frequency::StartUp => "the program",
            Frequency::PerCall => "the call",
            Frequency::PerInstance => "the instance",
            Frequency::PerRequest => "the request",
            Frequency::PerConnection => "the connection",
            Frequency::PerMessage => "the message",
            Frequency::PerTick => "the tick",
        }
    }
}

/// Where a role comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The function that the registrar (or caller) gives the role to.
    pub function: FnId,
    /// The registering call or decorator, when there is one.
    pub span: Option<Span>,
    /// How it reads in a message: "registered by `app.get('/orders', ...)`".
    pub text: String,
    /// Given by callers in other files: the chain as steps (see [`crate::Step`]), which `text`
    /// renders whole, with file names and lines; empty for a role this file gives.
    pub chain: Vec<crate::Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub frequency: Frequency,
    pub origin: Option<Origin>,
}

pub(super) const START_UP: Role = Role {
    frequency: Frequency::StartUp,
    origin: None,
};

const PER_CALL: Role = Role {
    frequency: Frequency::PerCall,
    origin: None,
};

/// A registering call or decorator (`app.get('/orders', ...)`, `@Get()`), as recognised in
/// [`super::frameworks`]: how often it makes the functions passed to it run. It becomes a
/// function's [`Role`], with an [`Origin`] naming that function, when roles are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registrar {
    pub frequency: Frequency,
    /// The registering call or decorator.
    pub span: Span,
    /// How it reads in a message: "registered by `app.get('/orders', ...)`".
    pub text: String,
}

impl Registrar {
    pub(super) fn new(frequency: Frequency, span: Span, text: String) -> Registrar {
        Registrar {
            frequency,
            span,
            text,
        }
    }

    /// The role it gives `function`, a handler passed to it.
    fn role(&self, function: FnId) -> Role {
        Role {
            frequency: self.frequency,
            origin: Some(Origin {
                function,
                span: Some(self.span),
                text: self.text.clone(),
                chain: Vec::new(),
            }),
        }
    }
}

/// Where each class method is called: `(class, method name)` → the functions the calls are in.
/// Calls through `this.m()` inside the class, and through a binding created with `new C()` in
/// this file (`registry.register(...)` after `const registry = new Registry()`).
type MethodSites = rustc_hash::FxHashMap<(super::ClassId, Atom), Vec<Option<FnId>>>;

fn method_sites(model: &Model<'_>) -> MethodSites {
    let mut sites = MethodSites::default();
    if !model
        .functions
        .iter()
        .any(|f| f.kind == FnKind::Method && f.class.is_some())
    {
        return sites;
    }
    let class_named = |name: &str| model.classes.position(|c| c.name.as_deref() == Some(name));
    for call in &model.member_calls {
        let Some(receiver) = &call.receiver else {
            continue;
        };
        if !receiver.props.is_empty() {
            continue;
        }
        let class = match &receiver.root {
            super::Root::This(Some(f)) => model.functions[*f]
                .this_fn
                .and_then(|o| model.functions[o].class),
            super::Root::Binding(id) => match model.binding(id).map(|b| &b.init) {
                Some(super::Init::New(name)) => class_named(name),
                // `Registry.add(...)`: a static method, called on the class itself.
                Some(super::Init::Class(class)) => Some(*class),
                _ => None,
            },
            _ => None,
        };
        if let Some(class) = class {
            sites
                .entry((class, call.method.clone()))
                .or_default()
                .push(call.in_fn);
        }
    }
    sites
}

/// Events that end a connection or stream: a function that runs itself again from a listener
/// for one of them reconnects.
const END_EVENTS: &[&str] = &["close", "end", "error", "disconnect", "exit"];

/// What role resolution looks up, computed once per file.
struct Known {
    sites: MethodSites,
    /// Reconnect loops ([`reconnect_loops`]), with the end listener that runs each again.
    loops: rustc_hash::FxHashMap<FnId, Registrar>,
}

/// The functions that run themselves again from a listener for the end of a connection they
/// make (`function connect() { ...; ws.on('close', () => setTimeout(connect, 1000)); }`, or
/// `this.connect()` there in a method): each runs once per (re)connection for as long as the
/// program runs, and so does everything in it. The listener registration is the role's origin.
/// One pass over the calls and the uses of function bindings.
fn reconnect_loops(model: &Model<'_>) -> rustc_hash::FxHashMap<FnId, Registrar> {
    let mut loops = rustc_hash::FxHashMap::default();
    // Handlers of end listeners, with the registering call and its event.
    let mut ends: rustc_hash::FxHashMap<FnId, (&super::MemberCall, &Atom)> = Default::default();
    for c in &model.member_calls {
        if let (Some(super::Arg::Str(e, _)), Some(super::Arg::Fn(h, _))) =
            (c.args.first(), c.args.get(1))
            && END_EVENTS.contains(&e.as_str())
            && super::emitters::is_listener_method(&c.method)
        {
            ends.entry(*h).or_insert((c, e));
        }
    }
    if ends.is_empty() {
        return loops;
    }
    // Where each function is named again: `(function, the function the reference is in)`.
    let mut refs: Vec<(FnId, Option<FnId>)> = Vec::new();
    let mut methods: rustc_hash::FxHashMap<(super::ClassId, &Atom), FnId> = Default::default();
    for (f, func) in model.functions.iter_ids() {
        if let Some(b) = func.binding.as_ref().and_then(|id| model.binding(id)) {
            refs.extend(
                b.uses
                    .iter()
                    .filter(|u| matches!(u.kind, UseKind::Call | UseKind::Read))
                    .map(|u| (f, u.in_fn)),
            );
        }
        if func.kind == FnKind::Method
            && let (Some(class), Some(name)) = (func.class, &func.name)
        {
            methods.entry((class, name)).or_insert(f);
        }
    }
    if !methods.is_empty() {
        for c in &model.member_calls {
            let Some(super::AccessPath {
                root: super::Root::This(Some(t)),
                props,
            }) = &c.receiver
            else {
                continue;
            };
            let class = model.functions[*t]
                .this_fn
                .and_then(|o| model.functions[o].class);
            if let Some(class) = class
                && props.is_empty()
                && let Some(f) = methods.get(&(class, &c.method))
            {
                refs.push((*f, c.in_fn));
            }
        }
    }
    for (f, in_fn) in refs {
        if loops.contains_key(&f) {
            continue;
        }
        let Some(name) = &model.functions[f].name else {
            continue;
        };
        // From the reference up to `f`: is one of the functions on the way an end listener?
        let mut cur = in_fn;
        while let Some(g) = cur {
            if g == f {
                break;
            }
            if let Some((c, event)) = ends.get(&g) {
                if model.is_within(Some(g), Some(f)) {
                    let text = format!(
                        "`{}('{event}', ...)`, which runs `{name}` again when the connection ends",
                        model.text(c.callee_span)
                    );
                    loops.insert(f, Registrar::new(Frequency::PerConnection, c.span, text));
                }
                break;
            }
            cur = model.functions[g].parent;
        }
    }
    loops
}

/// Resolves the role of every function, and whether each is called from code in this file
/// that itself runs more than once (see the module docs for the order of evidence).
pub(super) fn resolve(model: &Model<'_>) -> (PerId<FnId, Role>, PerId<FnId, bool>) {
    let n = model.functions.len();
    let mut roles: PerId<FnId, Option<Role>> = PerId::filled(n, None);
    let mut in_progress = PerId::filled(n, false);
    let mut repeated = PerId::filled(n, false);
    let known = Known {
        sites: method_sites(model),
        loops: reconnect_loops(model),
    };
    let sites = &known;
    for f in model.functions.ids() {
        role_of(model, sites, f, &mut roles, &mut in_progress, &mut repeated);
    }
    (
        PerId::from_vec(
            roles
                .into_vec()
                .into_iter()
                .map(|r| r.unwrap_or(PER_CALL))
                .collect(),
        ),
        repeated,
    )
}

fn role_of(
    model: &Model<'_>,
    sites: &Known,
    f: FnId,
    roles: &mut PerId<FnId, Option<Role>>,
    in_progress: &mut PerId<FnId, bool>,
    repeated: &mut PerId<FnId, bool>,
) -> Role {
    if let Some(r) = &roles[f] {
        return r.clone();
    }
    if in_progress[f] {
        // Recursion: the cycle adds nothing to how often it runs.
        return START_UP;
    }
    in_progress[f] = true;
    let func = &model.functions[f];

    let mut candidates: Vec<Role> = Vec::new();
    if let Some(registrar) = &func.registered {
        candidates.push(registrar.role(f));
    }
    // Callers in other files (the project phase).
    if let Some(role) = model.project_role(f) {
        candidates.push(role.clone());
    }
    // Runs itself again when its connection ends: a reconnect loop.
    if let Some(registrar) = sites.loops.get(&f) {
        candidates.push(registrar.role(f));
    }
    // Callers, `new` sites and escapes of the binding that names it.
    let mut escapes = false;
    // Called from code that itself runs more than once: evidence that beats a start-up name.
    let mut repeating_caller = false;
    if let Some(b) = func.binding.as_ref().and_then(|id| model.binding(id)) {
        for u in &b.uses {
            match u.kind {
                UseKind::Call | UseKind::New => {
                    if u.in_fn.is_some_and(|g| model.is_within(Some(g), Some(f))) {
                        continue; // recursion
                    }
                    let caller = match u.in_fn {
                        Some(g) => role_of(model, sites, g, roles, in_progress, repeated),
                        None => START_UP,
                    };
                    repeating_caller |= caller.frequency != Frequency::StartUp;
                    candidates.push(caller);
                }
                // Passing itself on from inside (`setTimeout(poll)` in `poll`) is not an escape.
                UseKind::Read if u.in_fn.is_some_and(|g| model.is_within(Some(g), Some(f))) => {}
                UseKind::Read => escapes = true,
                UseKind::Write | UseKind::Registered => {}
            }
        }
    }
    // A method runs as often as the code that calls it.
    let mut class_callers = false;
    if func.kind == FnKind::Method
        && let (Some(class), Some(name)) = (func.class, &func.name)
        && let Some(callers) = sites.sites.get(&(class, name.clone()))
    {
        class_callers = !callers.is_empty();
        for caller in callers {
            if caller.is_some_and(|g| model.is_within(Some(g), Some(f))) {
                continue; // recursion
            }
            let role = match caller {
                Some(g) => role_of(model, sites, *g, roles, in_progress, repeated),
                None => START_UP,
            };
            repeating_caller |= role.frequency != Frequency::StartUp;
            candidates.push(role);
        }
    }
    match func.kind {
        FnKind::Constructor | FnKind::FieldInitializer => {
            let class = func.class.map(|c| &model.classes[c]);
            let mut any_new = false;
            for (c, site, _) in &model.instantiations {
                if Some(*c) == func.class {
                    any_new = true;
                    candidates.push(match site {
                        Some(g) => role_of(model, sites, *g, roles, in_progress, repeated),
                        None => START_UP,
                    });
                }
            }
            let class_escapes = class.is_some_and(|c| {
                c.di_singleton
                    || c.binding
                        .as_ref()
                        .and_then(|id| model.binding(id))
                        .is_none_or(|b| {
                            b.uses
                                .iter()
                                .any(|u| matches!(u.kind, UseKind::Read | UseKind::Registered))
                        })
            });
            if func
                .class
                .is_some_and(|c| model.instantiated_per_instance.contains(&c))
            {
                candidates.push(Role {
                    frequency: Frequency::PerInstance,
                    origin: None,
                });
            }
            if class.is_some_and(|c| c.di_singleton) {
                candidates.push(START_UP);
            } else if class_escapes || !any_new {
                candidates.push(Role {
                    frequency: Frequency::PerInstance,
                    origin: None,
                });
            }
        }
        _ => {
            if let Some(p) = func.parent {
                candidates.push(role_of(model, sites, p, roles, in_progress, repeated));
            } else {
                match func.context {
                    FnContext::Argument | FnContext::Iife => candidates.push(START_UP),
                    FnContext::Named => {
                        if escapes {
                            candidates.push(PER_CALL);
                        }
                    }
                    // A private method is called only by its class's code: when the class
                    // calls it, those calls say how often it runs.
                    FnContext::ClassMember if func.private_member && class_callers => {}
                    FnContext::ClassMember | FnContext::ObjectMember | FnContext::Escapes => {
                        candidates.push(PER_CALL)
                    }
                }
            }
            if escapes && func.parent.is_some() {
                candidates.push(PER_CALL);
            }
            // A method stored on an object (`Watcher.prototype.watch = function`, a member of an
            // API object a module IIFE returns) runs when someone calls it, not when the code
            // around it runs.
            if func.parent.is_some() && func.stored_method {
                candidates.push(PER_CALL);
            }
            if func.kind == FnKind::Method
                && func.parent.is_none()
                && !(func.private_member && class_callers)
            {
                candidates.push(PER_CALL);
            }
        }
    }
    if candidates.is_empty() {
        // Declared but never called here: in a script, other files may call it.
        candidates.push(PER_CALL);
    }
    let mut best = candidates[0].clone();
    for c in &candidates[1..] {
        if c.frequency.rank() > best.frequency.rank() {
            best = c.clone();
        }
    }
    if best.frequency.rank() < 2
        && let Some(shape) = handler_shape(model, f)
    {
        best = Role {
            frequency: Frequency::PerRequest,
            origin: Some(Origin {
                function: f,
                span: None,
                text: format!("its parameters `{shape}` are a request handler's"),
                chain: Vec::new(),
            }),
        };
    }
    // NestJS's lifecycle hooks of a class its container makes once (a controller or a
    // provider): `onModuleInit` and `onApplicationBootstrap` run once, while the application
    // starts. A framework fact, not a guess from the name.
    if best.frequency == Frequency::PerCall
        && func.registered.is_none()
        && !repeating_caller
        && func.kind == FnKind::Method
        && !func.static_member
        && func.class.is_some_and(|c| model.class(c).di_singleton)
        && matches!(
            func.name.as_deref(),
            Some("onModuleInit" | "onApplicationBootstrap")
        )
    {
        best = START_UP;
    }
    // A start-up name is the last resort: it does not hold against evidence that the function
    // runs per call of something else (a method or callback nested in another function, called
    // from code that repeats), that it belongs to instances (a prototype method runs as often
    // as the code holding an instance calls it), that it is called on several objects, or that
    // each call builds an object a listener keeps alive. A named function nested in a factory
    // keeps its name: the factory's object starts once (Fastify's `listen` inside
    // `createServer`).
    if best.frequency == Frequency::PerCall
        && func.registered.is_none()
        && (func.parent.is_none() || matches!(func.context, FnContext::Named | FnContext::Iife))
        && !repeating_caller
        && !func.is_prototype_method()
        && is_startup_name(func.name.as_deref())
        && !model.called_on_several_objects(f)
        && !model.is_kept_factory(f, 0)
    {
        best = START_UP;
    }
    // Every caller in the project is start-up code: known callers beat "exported, so any
    // number of times".
    if best.frequency.rank() == 1 && func.registered.is_none() && model.project_startup_only(f) {
        best = START_UP;
    }
    in_progress[f] = false;
    repeated[f] = repeating_caller;
    roles[f] = Some(best.clone());
    best
}

/// `(req, res)`, `(req, res, next)`, `(request, response)`, `(ctx, next)`, `(request, reply)`.
fn handler_shape(model: &Model<'_>, f: FnId) -> Option<String> {
    let params = &model.functions[f].params;
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    let shape = matches!(
        names.as_slice(),
        ["req", "res"]
            | ["req", "res", "next"]
            | ["request", "response"]
            | ["request", "response", "next"]
            | ["ctx", "next"]
            | ["request", "reply"]
            | ["req", "reply"]
    );
    // Destructured or typed parameters would show other names; plain identifiers only.
    shape.then(|| format!("({})", names.join(", ")))
}

/// Names that say "runs once, while the program starts": `init`, `setup`, `start`, `main`,
/// `bootstrap`, `install`, `configure`, `listen`, `boot`, `run`, and entry points with `cli` in
/// the name. Names such as `register` or `create` are left out: `registry.register(item)` and
/// `createClient()` are per-call work as often as not. A handler registration always wins over
/// the name.
fn is_startup_name(name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    let lower = name.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "init",
        "setup",
        "start",
        "bootstrap",
        "install",
        "configure",
        "listen",
        "main",
        "boot",
        "run",
    ];
    PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.ends_with("init")
        || lower.ends_with("setup")
        || lower.contains("cli")
}

impl super::Function {
    /// A method of a class's instances (not `static`), or an ES5 one stored on a prototype
    /// (`Worker.prototype.run = function () {...}`).
    fn is_prototype_method(&self) -> bool {
        (self.kind == FnKind::Method && self.class.is_some() && !self.static_member)
            || self.stored_method
    }
}

impl Model<'_> {
    /// Is the method `f` is (by its name) called on two or more different objects in this file
    /// (`primary.start(); replica.start()`)? Then it is the objects' code, run for each.
    fn called_on_several_objects(&self, f: FnId) -> bool {
        let func = &self.functions[f];
        if func.kind != FnKind::Method {
            return false;
        }
        let Some(name) = &func.name else { return false };
        // Compared as written: `this` is one object whatever method the call is in.
        let mut first: Option<String> = None;
        for call in self.member_calls.iter().filter(|c| &c.method == name) {
            let Some(receiver) = &call.receiver else {
                continue;
            };
            let text = self.path_text(receiver);
            match &first {
                None => first = Some(text),
                Some(seen) if *seen != text => return true,
                Some(_) => {}
            }
        }
        false
    }

    /// Does each call of `f` build an object that a listener it registers keeps alive? `f`
    /// returns a variable declared in it that a listener's handler uses (`process.on('x', () =>
    /// sink.reopen()); return sink;`), or returns the result of calling such a function.
    pub(super) fn is_kept_factory(&self, f: FnId, depth: usize) -> bool {
        if depth > 3 {
            return false;
        }
        let span = self.functions[f].span;
        let returns_kept = self.returned_paths.iter().any(|(p, at)| {
            *at == Some(f)
                && p.props.is_empty()
                && matches!(&p.root, super::Root::Binding(id)
                    if self.binding(id).is_some_and(|b| b.scope == Some(f))
                        && self.listener_keeps(span, id))
        });
        returns_kept
            || self.returned_calls.iter().any(|(callee, at)| {
                *at == Some(f)
                    && self
                        .function_of_binding(callee)
                        .is_some_and(|g| g != f && self.is_kept_factory(g, depth + 1))
            })
    }

    /// Does a listener registered inside `span` keep the binding `id`: its handler is a path
    /// from it (`sink.onSignal`) or a function that calls a method on it or passes it on?
    fn listener_keeps(&self, span: crate::Span, id: &swc_ecma_ast::Id) -> bool {
        let rooted = |p: &super::AccessPath| matches!(&p.root, super::Root::Binding(b) if b == id);
        self.member_calls.iter().any(|c| {
            span.contains(c.span)
                && super::emitters::is_listener_method(&c.method)
                && match c.args.get(1) {
                    Some(super::Arg::Path(p, _)) => rooted(p),
                    Some(super::Arg::Fn(h, _)) => {
                        let body = self.functions[*h].span;
                        self.member_calls.iter().any(|inner| {
                            body.contains(inner.span)
                                && (inner.receiver.as_ref().is_some_and(rooted)
                                    || inner
                                        .args
                                        .iter()
                                        .any(|a| matches!(a, super::Arg::Path(p, _) if rooted(p))))
                        })
                    }
                    _ => false,
                }
        })
    }

    /// Why the code in function `f` repeats, for messages: "this handler is registered by
    /// `app.get('/x', ...)` (line 21)", "the constructor of `Worker` runs once per instance".
    pub fn why_repeats(&self, f: FnId) -> String {
        let role = self.role(Some(f));
        if let Some(origin) = &role.origin {
            if !origin.chain.is_empty() {
                return format!("this runs {}: {}", role.frequency.phrase(), origin.text);
            }
            return match origin.span {
                Some(span) => format!(
                    "this handler is registered by {} (line {})",
                    origin.text,
                    self.line(span.start)
                ),
                None => format!("this function runs per request: {}", origin.text),
            };
        }
        // The nearest named function around the code.
        let mut named = None;
        let mut cur = Some(f);
        while let Some(g) = cur {
            if let Some(name) = &self.functions[g].name {
                named = Some((g, name.clone()));
                break;
            }
            cur = self.functions[g].parent;
        }
        match (role.frequency, named) {
            (Frequency::PerInstance, Some((g, _))) => {
                let class = self.functions[g]
                    .class
                    .and_then(|c| self.classes[c].name.clone())
                    .map_or("the class".to_string(), |n| format!("`{n}`"));
                if self.functions[g].kind == FnKind::FieldInitializer {
                    format!("the field initialisers of {class} run once per instance")
                } else {
                    format!("the constructor of {class} runs once per instance")
                }
            }
            (_, Some((_, name))) => format!("`{name}` can be called any number of times"),
            (_, None) => "this code can run any number of times".to_string(),
        }
    }

    /// The steps in other files that make `f` repeat (callers, the registration), for the
    /// finding's chain; empty when this file alone says how often `f` runs.
    pub fn chain(&self, f: FnId) -> &[crate::Step] {
        self.role(Some(f))
            .origin
            .as_ref()
            .map_or(&[], |o| o.chain.as_slice())
    }

    /// A label at the registration that makes `f` repeat, when there is one.
    pub fn registration_label(&self, f: FnId) -> Option<(crate::Span, String)> {
        let role = self.role(Some(f));
        let span = role.origin.as_ref()?.span?;
        Some((
            span,
            format!("this makes the code run {}", role.frequency.phrase()),
        ))
    }
}
