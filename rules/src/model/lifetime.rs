//! How long a value lives, relative to the code that touches it.
//!
//! A receiver *outlives* an invocation when it exists before the invocation starts and is still
//! reachable after it ends: module-level bindings, imports, `process` and other globals, the
//! application object reached from a request, the keep-alive socket under a request, the socket
//! a client request's `'socket'` event gives (pooled by a keep-alive agent), variables of an
//! enclosing function that a repeating callback closes over, `this` of a singleton, a parameter
//! of a local helper that every caller in the file fills with a long-lived value, and an
//! `AbortSignal` handed in by the caller. Everything created during the invocation, and the
//! per-request objects themselves (`req`, `res`, `ctx`, the connection's socket), live *per
//! invocation*. When the model cannot tell, the answer is [`Lifetime::Unknown`] and rules stay
//! quiet: precision first.

use super::{AccessPath, Arg, BindingKind, FnId, Frequency, Init, Model, Root, SPREAD_KEY};
use crate::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// Outlives the invocation, for the reason given.
    Outlives(Why),
    /// Created for, and dropped with, the invocation.
    PerInvocation,
    /// Owned by the caller and of unknown lifetime (a parameter of library code).
    Unknown,
}

/// Why a value outlives an invocation: a typed fact with the place that shows it. Rules branch
/// on [`Reason`]; the words are rendered once, by [`Why::text`] and [`Why::label`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    pub reason: Reason,
    /// The declaration, for a related location.
    pub decl: Option<Span>,
}

/// The kinds of evidence that a value outlives the code that touches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A process-wide global (`process`, `globalThis`) or one named in `[knowledge] long_lived`.
    Global { name: String },
    /// A binding declared at module scope (`line` is 1-based).
    ModuleScope { name: String, line: usize },
    /// A module-level `require`/`import` binding.
    Imported {
        name: String,
        module: String,
        line: usize,
    },
    /// A variable or parameter of an enclosing function that outlives each run of the repeating
    /// code inside it.
    Enclosing {
        name: String,
        param: bool,
        owner: Owner,
    },
    /// `req.app`, `req.server`: the application object shared by every request.
    Application { shown: String },
    /// `req.socket`: the connection's socket, reused by keep-alive requests.
    ConnectionSocket { shown: String },
    /// An `AbortSignal` handed in by the caller of library code: a parameter, a property of an
    /// options parameter, a destructuring of one, or a copy of one kept on `this`.
    CallerSignal { shown: String },
    /// `this.x` of a class a dependency-injection container instantiates once.
    DiSingleton { shown: String, class: String },
    /// `this.x` of the single instance created at module scope.
    SingleInstance {
        shown: String,
        class: String,
        line: usize,
    },
    /// `this.x` of a class whose single instance another file creates at module scope; `made`
    /// is the [`crate::StepKind::SingleInstance`] step at that `new`.
    InstanceElsewhere { shown: String, made: crate::Step },
    /// The socket a client request hands to its `'socket'` listener: with a keep-alive agent
    /// it is pooled and serves later requests (`line`: the `'socket'` registration).
    PooledSocket { shown: String, line: usize },
    /// A connection checked out of a pool for this call and handed back to it (`const client =
    /// await pool.connect()` ... `client.release()`): the pool keeps it and lends it to later
    /// calls (`line`: the hand-back).
    PooledConnection { shown: String, line: usize },
    /// A parameter that every caller in the file fills with a long-lived value: `arg` is one
    /// such argument as written, `line` its call.
    FilledByCallers {
        shown: String,
        arg: String,
        line: usize,
    },
    /// A parameter that every caller, all in other files, fills with a long-lived value: `call`
    /// is a [`crate::StepKind::CalledFrom`] step at one such call, its code the argument.
    FilledElsewhere { shown: String, call: crate::Step },
    /// `this.x` in the constructor, where `x` holds what the caller handed to the constructor
    /// (`this.client = client`, `constructor(private client: Client)`): it existed before the
    /// instance and is not the instance's to end (`line`: where it is kept).
    Injected { shown: String, line: usize },
}

/// The enclosing function of a [`Reason::Enclosing`] binding, as it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    Named { name: String, line: usize },
    Handler { phrase: &'static str, line: usize },
    Anonymous { line: usize },
}

impl Why {
    fn new(reason: Reason, decl: Option<Span>) -> Why {
        Why { reason, decl }
    }

    /// The reason as a clause for a message: "`orderEvents` is declared at module scope (line 6)".
    pub fn text(&self) -> String {
        match &self.reason {
            Reason::Global { name } => {
                format!("`{name}` is a global that lives as long as the process")
            }
            Reason::ModuleScope { name, line } => {
                format!("`{name}` is declared at module scope (line {line})")
            }
            Reason::Imported { name, module, line } => {
                format!("`{name}` is imported from '{module}' (line {line})")
            }
            Reason::Enclosing { name, param, owner } => {
                let kind = if *param {
                    "is a parameter of"
                } else {
                    "is declared in"
                };
                let owner = match owner {
                    Owner::Named { name, line } => format!("`{name}` (line {line})"),
                    Owner::Handler { phrase, line } => {
                        format!("the handler that runs {phrase} (line {line})")
                    }
                    Owner::Anonymous { line } => format!("the function at line {line}"),
                };
                format!(
                    "`{name}` {kind} {owner} and outlives each run of the code that registers here"
                )
            }
            Reason::Application { shown } => {
                format!("`{shown}` is the application object, shared by every request")
            }
            Reason::ConnectionSocket { shown } => format!(
                "`{shown}` is the connection's socket, which outlives the request when the client keeps the connection alive"
            ),
            Reason::CallerSignal { shown } => format!(
                "`{shown}` is an `AbortSignal` passed in by the caller, who may reuse it for many calls or never abort it"
            ),
            Reason::DiSingleton { shown, class } => format!(
                "`{shown}` belongs to `{class}`, a singleton created once by the dependency-injection container"
            ),
            Reason::SingleInstance { shown, class, line } => format!(
                "`{shown}` belongs to the single `{class}` instance created at module scope (line {line})"
            ),
            Reason::InstanceElsewhere { shown, made } => format!(
                "`{shown}` belongs to the single `{}` instance, created at module scope ({})",
                made.code,
                made.at()
            ),
            Reason::PooledSocket { shown, line } => format!(
                "`{shown}` is the socket a client request is given ('socket' event, line {line}); with a keep-alive agent \
                 it is pooled and serves later requests"
            ),
            Reason::PooledConnection { shown, line } => format!(
                "`{shown}` is checked out of a pool and handed back to it (line {line}), which lends it to later \
                 calls: what is registered on it stays for them"
            ),
            Reason::FilledByCallers { shown, arg, line } => format!(
                "`{shown}` is filled by every caller in this file with a long-lived value (`{arg}`, line {line})"
            ),
            Reason::Injected { shown, line } => format!(
                "`{shown}` is handed to the constructor by its caller (kept at line {line}), so it existed before \
                 this instance and outlives it"
            ),
            Reason::FilledElsewhere { shown, call } => format!(
                "`{shown}` is filled by every caller in the project with a long-lived value (`{}`, {})",
                call.code,
                call.at()
            ),
        }
    }

    /// The steps in other files this lifetime rests on, for the finding's chain: the
    /// module-scope `new` of a singleton made elsewhere; empty otherwise.
    pub fn chain(&self) -> &[crate::Step] {
        match &self.reason {
            Reason::InstanceElsewhere { made, .. } => std::slice::from_ref(made),
            _ => &[],
        }
    }

    /// A label for the declaration, when the reason has one worth pointing at.
    pub fn label(&self) -> Option<String> {
        self.decl?;
        match &self.reason {
            Reason::ModuleScope { name, .. } | Reason::Imported { name, .. } => {
                Some(format!("`{name}` is declared here, at module scope"))
            }
            Reason::Enclosing { name, .. } => Some(format!(
                "`{name}` is declared here, outside the repeating handler"
            )),
            Reason::CallerSignal { shown } => Some(format!("`{shown}` comes from the caller")),
            Reason::SingleInstance { class, .. } => {
                Some(format!("the only `{class}` instance is created here"))
            }
            Reason::PooledConnection { shown, .. } => {
                Some(format!("`{shown}` is checked out of a pool here"))
            }
            _ => None,
        }
    }
}

/// Globals that exist for the life of the process.
const PROCESS_WIDE_GLOBALS: &[&str] = &[
    "process",
    "globalThis",
    "global",
    "window",
    "document",
    "self",
    "console",
];
/// Properties of per-request objects that are shared by all requests.
const APP_PROPS: &[&str] = &["app", "server"];
/// Properties of per-request objects that live as long as the connection (keep-alive).
const CONNECTION_PROPS: &[&str] = &["socket", "connection"];

impl Model<'_> {
    /// The lifetime of the value at `path`, as seen from code in function `at`.
    pub fn lifetime(&self, path: &AccessPath, at: Option<FnId>) -> Lifetime {
        self.lifetime_at(path, at, 0)
    }

    /// [`Model::lifetime`], `depth` calls deep into following arguments to their parameters.
    fn lifetime_at(&self, path: &AccessPath, at: Option<FnId>, depth: usize) -> Lifetime {
        let Some(at) = at else {
            // Start-up code: nothing repeats, so nothing outlives "the invocation".
            return Lifetime::PerInvocation;
        };
        let shown = self.path_text(path);
        match &path.root {
            Root::Global(name) => {
                if PROCESS_WIDE_GLOBALS.contains(&name.as_str())
                    || self.knowledge.long_lived.iter().any(|n| n == name.as_str())
                {
                    Lifetime::Outlives(Why::new(
                        Reason::Global {
                            name: name.to_string(),
                        },
                        None,
                    ))
                } else {
                    Lifetime::Unknown
                }
            }
            Root::This(this_fn) => self.this_lifetime(path, *this_fn, at),
            Root::Binding(id) => {
                let Some(b) = self.binding(id) else {
                    return Lifetime::Unknown;
                };
                if self.replaced_per_connection(path) {
                    return Lifetime::PerInvocation;
                }
                match b.scope {
                    None => {
                        let line = self.line(b.span.start);
                        let name = b.name.to_string();
                        let reason = match &b.init {
                            Init::Require(src) | Init::Import(src) => Reason::Imported {
                                name,
                                module: src.to_string(),
                                line,
                            },
                            _ => Reason::ModuleScope { name, line },
                        };
                        Lifetime::Outlives(Why::new(reason, Some(b.span)))
                    }
                    Some(g) => self.local_lifetime(path, g, at, &shown, depth),
                }
            }
        }
    }

    /// A binding declared in function `g`, used from function `at` (inside `g`).
    fn local_lifetime(
        &self,
        path: &AccessPath,
        g: FnId,
        at: FnId,
        shown: &str,
        depth: usize,
    ) -> Lifetime {
        let Root::Binding(id) = &path.root else {
            return Lifetime::Unknown;
        };
        let Some(b) = self.binding(id) else {
            return Lifetime::Unknown;
        };
        let role = self.role(Some(at));
        // Declared outside the function that repeats? Then it outlives each repetition.
        if let Some(origin) = &role.origin
            && role.frequency.is_repeating()
            && origin.function != g
            && self.is_within(Some(origin.function), Some(g))
        {
            let line = self.line(self.functions[g].span.start);
            let owner = match (&self.functions[g].name, self.role(Some(g))) {
                (Some(name), _) => Owner::Named {
                    name: name.to_string(),
                    line,
                },
                (None, r) if r.frequency.is_repeating() => Owner::Handler {
                    phrase: r.frequency.phrase(),
                    line,
                },
                (None, _) => Owner::Anonymous { line },
            };
            return Lifetime::Outlives(Why::new(
                Reason::Enclosing {
                    name: b.name.to_string(),
                    param: b.kind == BindingKind::Param,
                    owner,
                },
                Some(b.span),
            ));
        }
        let g_role = self.role(Some(g));
        if b.kind != BindingKind::Param {
            // `const { signal } = init`, `const signal = opts.signal`: the caller's signal read
            // out of an options parameter.
            if !g_role.frequency.is_repeating()
                && path.props.is_empty()
                && let Some(from) = self.read_origin(path)
                && self.is_caller_signal(&from, g)
            {
                return Lifetime::Outlives(Why::new(
                    Reason::CallerSignal {
                        shown: shown.to_string(),
                    },
                    Some(b.span),
                ));
            }
            if let Some(why) = self.pooled_connection(id, shown) {
                return Lifetime::Outlives(why);
            }
            return Lifetime::PerInvocation;
        }
        if let Some(why) = self.pooled_socket(path, g, b.span) {
            return Lifetime::Outlives(why);
        }
        if g_role.frequency.is_repeating() {
            // A handler's own parameters (`req`, `res`, `ctx`, `socket`) are per invocation, but
            // some of their properties are not.
            if let Some(first) = path.props.first() {
                if APP_PROPS.contains(&first.as_str()) {
                    return Lifetime::Outlives(Why::new(
                        Reason::Application {
                            shown: shown.to_string(),
                        },
                        None,
                    ));
                }
                if g_role.frequency == Frequency::PerRequest
                    && path
                        .props
                        .iter()
                        .any(|p| CONNECTION_PROPS.contains(&p.as_str()))
                {
                    return Lifetime::Outlives(Why::new(
                        Reason::ConnectionSocket {
                            shown: shown.to_string(),
                        },
                        None,
                    ));
                }
            }
            // A helper that runs per request, given the server by every caller.
            if let Some(why) = self
                .filled_by_callers(path, g, b.span, depth)
                .or_else(|| self.filled_elsewhere(path, g, b.span))
            {
                return Lifetime::Outlives(why);
            }
            return Lifetime::PerInvocation;
        }
        // A parameter of library code: owned by the caller. An `AbortSignal` is the classic
        // long-lived one (an app-wide shutdown signal passed to every call).
        if self.is_caller_signal(path, g) {
            return Lifetime::Outlives(Why::new(
                Reason::CallerSignal {
                    shown: shown.to_string(),
                },
                Some(b.span),
            ));
        }
        if let Some(why) = self
            .filled_by_callers(path, g, b.span, depth)
            .or_else(|| self.filled_elsewhere(path, g, b.span))
        {
            return Lifetime::Outlives(why);
        }
        Lifetime::Unknown
    }

    /// A parameter of `g` that every caller in the project, in other files, fills with a
    /// long-lived value (the project phase's `long_lived_params`), when this file does not
    /// call `g` itself (its own calls could pass anything).
    fn filled_elsewhere(&self, path: &AccessPath, g: FnId, decl: crate::Span) -> Option<Why> {
        let Root::Binding(id) = &path.root else {
            return None;
        };
        let param = self.functions[g].params.iter().find(|p| &p.id == id)?;
        let call = self.project_long_lived_param(g, param.index)?;
        let func = &self.functions[g];
        let called_here = func
            .binding
            .as_ref()
            .and_then(|h| self.binding(h))
            .is_some_and(|b| {
                b.uses
                    .iter()
                    .any(|u| matches!(u.kind, super::UseKind::Call | super::UseKind::New))
            })
            || func.name.as_ref().is_some_and(|name| {
                func.kind == super::FnKind::Method
                    && self.member_calls.iter().any(|c| &c.method == name)
            })
            || (func.kind.builds_instance()
                && self
                    .instantiations
                    .iter()
                    .any(|(c, _, _)| Some(*c) == func.class));
        if called_here {
            return None;
        }
        // The parameter itself is what callers fill (`counts`, not `counts.byQueue`).
        let shown = param.name.to_string();
        Some(Why::new(
            Reason::FilledElsewhere {
                shown,
                call: call.clone(),
            },
            Some(decl),
        ))
    }

    /// A local checked out of a pool for this call and handed back to it (see
    /// [`Reason::PooledConnection`]): initialised by a call (`await pool.connect()`,
    /// `pool.getConnection()`, `pool.acquire()`), not made here with `new` or a literal, and
    /// later `client.release()`d or `pool.release(client)`d.
    fn pooled_connection(&self, id: &swc_ecma_ast::Id, shown: &str) -> Option<Why> {
        if !self.released.contains(id) {
            return None;
        }
        let b = self.binding(id)?;
        if !matches!(b.init, Init::Other) || b.kind == BindingKind::Param {
            return None;
        }
        let release = self.member_calls.iter().find(|c| {
            matches!(c.method.as_str(), "release" | "releaseConnection")
                && (c.receiver.as_ref().is_some_and(|r| r.props.is_empty() && matches!(&r.root, Root::Binding(r) if r == id))
                    || c.args.iter().any(|a| matches!(a, Arg::Path(p, _) if p.props.is_empty() && matches!(&p.root, Root::Binding(r) if r == id))))
        })?;
        let shown = shown.split('.').next().unwrap_or(shown).to_string();
        Some(Why::new(
            Reason::PooledConnection {
                shown,
                line: self.line(release.span.start),
            },
            Some(b.span),
        ))
    }

    /// The first parameter of a function registered for a client request's `'socket'` event
    /// (`req.on('socket', (socket) => ...)`): the agent's socket, pooled with keep-alive.
    fn pooled_socket(&self, path: &AccessPath, g: FnId, decl: crate::Span) -> Option<Why> {
        let Root::Binding(id) = &path.root else {
            return None;
        };
        let param = self.functions[g].params.iter().find(|p| &p.id == id)?;
        if param.index != 0 || self.functions[g].argument_of.is_none() {
            return None;
        }
        let call = self.member_calls.iter().find(|c| {
            super::emitters::is_listener_method(&c.method)
                && matches!(c.args.get(1), Some(Arg::Fn(h, _)) if *h == g)
                && matches!(c.args.first(), Some(Arg::Str(e, _)) if e == "socket")
        })?;
        Some(Why::new(
            Reason::PooledSocket {
                shown: self.path_text(path),
                line: self.line(call.span.start),
            },
            Some(decl),
        ))
    }

    /// A parameter of a local helper that every call in the file fills with a long-lived value
    /// (`subscribe(req.connection.server)`): it is as long-lived as what it is given.
    fn filled_by_callers(
        &self,
        path: &AccessPath,
        g: FnId,
        decl: crate::Span,
        depth: usize,
    ) -> Option<Why> {
        if depth > 2 {
            return None;
        }
        let Root::Binding(id) = &path.root else {
            return None;
        };
        let param = self.functions[g].params.iter().find(|p| &p.id == id)?;
        let helper = self.functions[g].binding.as_ref()?;
        let b = self.binding(helper)?;
        // Only a helper that is only ever called by name: one that is exported, passed on,
        // registered or reassigned has callers this file does not show.
        if b.uses.iter().any(|u| u.kind != super::UseKind::Call) {
            return None;
        }
        let calls: Vec<&super::PlainCall> = self
            .plain_calls
            .iter()
            .filter(|c| &c.callee == helper)
            .collect();
        let mut shown_arg = None;
        for call in &calls {
            let Some(Arg::Path(arg, span)) = call.args.get(param.index) else {
                return None;
            };
            // `function subscribe({ server })`: the parameter is a property of the argument.
            let mut arg = arg.clone();
            if let Some(key) = &param.from_key {
                arg = arg.child(key.clone());
            }
            arg.props.extend(path.props.iter().cloned());
            let Lifetime::Outlives(_) = self.lifetime_at(&arg, call.in_fn, depth + 1) else {
                return None;
            };
            shown_arg.get_or_insert_with(|| {
                let mut text = self.text(*span).to_string();
                for p in param.from_key.iter().chain(&path.props) {
                    text.push('.');
                    text.push_str(p);
                }
                (text, self.line(call.span.start))
            });
        }
        let (arg, line) = shown_arg?;
        let mut shown = self.path_text(path);
        if shown.len() > 40 {
            shown = param.name.to_string();
        }
        Some(Why::new(
            Reason::FilledByCallers { shown, arg, line },
            Some(decl),
        ))
    }

    /// `socket.io.engine` of a socket.io client: the manager makes a new engine for every
    /// (re)connection, so however long `socket` lives, the engine under it lives for one
    /// connection.
    fn replaced_per_connection(&self, path: &AccessPath) -> bool {
        path.props.iter().any(|p| p == "engine")
            && self.imports_any(&["socket.io-client", "engine.io-client"])
    }

    /// Where the value at `path` was read from, following `const s = opts.signal`,
    /// `const { signal } = init` and TypeScript's down-levelled `var _a = init || {}, signal =
    /// _a.signal` back to the first binding that was not read from another path.
    pub(super) fn read_origin(&self, path: &AccessPath) -> Option<AccessPath> {
        let mut cur = path.clone();
        let mut moved = false;
        for _ in 0..4 {
            let Root::Binding(id) = &cur.root else { break };
            let Some(from) = self.binding(id).and_then(|b| b.read_from.as_ref()) else {
                break;
            };
            let mut next = from.clone();
            next.props.extend(cur.props.iter().cloned());
            cur = next;
            moved = true;
        }
        moved.then_some(cur)
    }

    /// Is `path` an `AbortSignal` the caller of `g` passes in: a parameter of `g` named `signal`
    /// (or `…Signal`, or typed `AbortSignal`), or the `signal` property of any parameter
    /// (`opts.signal`, `init.signal`)?
    fn is_caller_signal(&self, path: &AccessPath, g: FnId) -> bool {
        let Root::Binding(id) = &path.root else {
            return false;
        };
        let Some(param) = self.functions[g].params.iter().find(|p| &p.id == id) else {
            return false;
        };
        match path.props.as_slice() {
            [] => {
                param.name.as_str() == "signal"
                    || param.name.ends_with("Signal")
                    || param.type_name.as_deref() == Some("AbortSignal")
            }
            [.., last] => last.as_str() == "signal",
        }
    }

    /// `this.options.signal` where the class copied a parameter into `this.options`
    /// (`this.options = options`, `this.options = { ...options }`): the caller's signal.
    fn this_caller_signal(&self, path: &AccessPath, class: super::ClassId) -> bool {
        let [field, .., last] = path.props.as_slice() else {
            return false;
        };
        if last.as_str() != "signal" {
            return false;
        }
        let class_span = self.classes[class].span;
        self.member_writes.iter().any(|w| {
            w.key.as_ref() == Some(field)
                && w.in_fn
                    .is_some_and(|f| class_span.contains(self.functions[f].span))
                && matches!(&w.object, Some(AccessPath { root: Root::This(_), props }) if props.is_empty())
                && self.is_parameter_value(&w.value, w.in_fn)
        })
    }

    /// Is this value a parameter of `f`, or an object literal spreading one?
    fn is_parameter_value(&self, value: &Arg, f: Option<FnId>) -> bool {
        let Some(f) = f else { return false };
        let is_param = |p: &AccessPath| {
            p.props.is_empty()
                && matches!(&p.root, Root::Binding(id) if self.functions[f].params.iter().any(|q| &q.id == id))
        };
        match value {
            Arg::Path(p, _) => is_param(p),
            Arg::Object(props, _) => props.iter().any(|(k, v)| {
                k.as_str() == SPREAD_KEY && matches!(v, Arg::Path(p, _) if is_param(p))
            }),
            _ => false,
        }
    }

    /// `this.x…` in constructor `ctor` of `class`, where field `x` holds a value the caller
    /// passed in: assigned from a constructor parameter (`this.client = client`,
    /// `this.client = opts.client`) or a TypeScript parameter property (`constructor(private
    /// client: Client)`), and assigned nowhere else in the class. Not when the class ends that
    /// value itself (`this.client.destroy()`, `close()`, `end()`, ...): then the instance owns
    /// it, and what it registers there goes with both.
    fn injected_field(&self, path: &AccessPath, class: super::ClassId, ctor: FnId) -> Option<Why> {
        let field = path.props.first()?;
        let class_span = self.classes[class].span;
        let in_class =
            |f: Option<FnId>| f.is_some_and(|f| class_span.contains(self.functions[f].span));
        let is_ctor_param = |id: &swc_ecma_ast::Id| {
            self.binding(id)
                .is_some_and(|b| b.kind == BindingKind::Param && b.scope == Some(ctor))
        };
        let this_field = |o: &Option<AccessPath>, key: &Option<swc_atoms::Atom>| {
            matches!(o, Some(AccessPath { root: Root::This(_), props }) if props.is_empty())
                && key.as_ref() == Some(field)
        };
        let writes: Vec<&super::MemberWrite> = self
            .member_writes
            .iter()
            .filter(|w| in_class(w.in_fn) && this_field(&w.object, &w.key))
            .collect();
        // TypeScript parameter properties are declared in the constructor's scope but are not
        // among its plain parameters (looked for only when nothing assigns the field).
        let param_prop = writes
            .is_empty()
            .then(|| {
                self.bindings.iter().find(|(id, b)| {
                    b.kind == BindingKind::Param
                        && b.scope == Some(ctor)
                        && b.name == *field
                        && !self.functions[ctor].params.iter().any(|p| &p.id == *id)
                })
            })
            .flatten();
        let line = if let Some((_, b)) = param_prop {
            if !writes.is_empty() {
                return None;
            }
            self.line(b.span.start)
        } else {
            let [w] = writes.as_slice() else {
                return None;
            };
            let Arg::Path(
                AccessPath {
                    root: Root::Binding(id),
                    ..
                },
                _,
            ) = &w.value
            else {
                return None;
            };
            if w.in_fn != Some(ctor) || !is_ctor_param(id) {
                return None;
            }
            // A caller that hands in something of its own (`new Subscriber(this.pool)` in its
            // constructor, a local) makes the instance live with it: one listener for each.
            let index = self.functions[ctor]
                .params
                .iter()
                .find(|p| &p.id == id)?
                .index;
            if self.caller_owned_arg(class, ctor, index) {
                return None;
            }
            self.line(w.span.start)
        };
        // Ended by the class: the instance owns it.
        const ENDERS: &[&str] = &[
            "destroy",
            "close",
            "end",
            "terminate",
            "disconnect",
            "quit",
            "kill",
            "abort",
            "removeAllListeners",
        ];
        let ended = self.member_calls.iter().any(|c| {
            ENDERS.contains(&c.method.as_str())
                && in_class(c.in_fn)
                && c.receiver.as_ref().is_some_and(|r| {
                    matches!(r.root, Root::This(_)) && r.props.first() == Some(field)
                })
        });
        // A stream or socket served by the instance (`this.socket.on('end', ...)`): it has an
        // end of its own, which the instance follows; what it registers goes with the stream.
        const STREAM_EVENTS: &[&str] = &[
            "data", "end", "close", "finish", "readable", "drain", "exit",
        ];
        let follows_end = self.member_calls.iter().any(|c| {
            super::emitters::is_listener_method(&c.method)
                && in_class(c.in_fn)
                && matches!(c.args.first(), Some(Arg::Str(e, _)) if STREAM_EVENTS.contains(&e.as_str()))
                && c.receiver.as_ref().is_some_and(|r| match &r.root {
                    Root::This(_) => r.props.first() == Some(field),
                    Root::Binding(id) => {
                        r.props.is_empty()
                            && ((is_ctor_param(id)
                                && self.binding(id).is_some_and(|b| b.name == *field))
                                || writes.iter().any(
                                    |w| matches!(&w.value, Arg::Path(p, _) if p.root == r.root),
                                ))
                    }
                    Root::Global(_) => false,
                })
        });
        if ended || follows_end {
            return None;
        }
        let mut shown = self.path_text(&AccessPath {
            root: path.root.clone(),
            props: vec![field.clone()],
        });
        if shown.len() > 40 {
            shown = field.to_string();
        }
        Some(Why::new(Reason::Injected { shown, line }, None))
    }

    /// Does some `new` of `class` (constructor `ctor`), in this file or (through the project)
    /// another, pass a value of the calling code's own invocation at position `index`?
    fn caller_owned_arg(&self, class: super::ClassId, ctor: FnId, index: usize) -> bool {
        if self.project_caller_owned_param(ctor, index) {
            return true;
        }
        let Some(name) = &self.classes[class].name else {
            return false;
        };
        // Classes that make each other (`new B(this.x)` in `A`, `new A(this.y)` in `B`) would
        // follow arguments round in a circle: past a few classes deep, say "owned" (quiet).
        thread_local! {
            static DEPTH: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
        }
        let depth = DEPTH.with(|d| d.get());
        if depth > 3 {
            return true;
        }
        DEPTH.with(|d| d.set(depth + 1));
        let class_span = self.classes[class].span;
        let owned = self.news.iter().any(|n| {
            &n.callee == name
                // Made by its own class: following that argument would come back here.
                && n.in_fn.is_some_and(|f| !class_span.contains(self.functions[f].span))
                && match n.args.get(index) {
                    Some(Arg::Path(p, _)) => {
                        matches!(self.lifetime(p, n.in_fn), Lifetime::PerInvocation)
                    }
                    Some(Arg::New(..) | Arg::Object(..) | Arg::Fn(..) | Arg::Bound(..)) => true,
                    _ => false,
                }
        });
        DEPTH.with(|d| d.set(depth));
        owned
    }

    /// `this.x` in function `at`.
    fn this_lifetime(&self, path: &AccessPath, this_fn: Option<FnId>, at: FnId) -> Lifetime {
        let Some(owner) = this_fn else {
            return Lifetime::Unknown;
        };
        let func = &self.functions[owner];
        let Some(class) = func.class else {
            return Lifetime::Unknown;
        };
        let shown = self.path_text(path);
        // `this` in a static method is the class itself, which lives as long as the scope of
        // its declaration: for a module-level class, the whole process.
        if func.static_member && func.kind == super::FnKind::Method {
            let c = &self.classes[class];
            if c.declared_in.is_none()
                && let Some(name) = &c.name
            {
                let line = self.line(c.span.start);
                return Lifetime::Outlives(Why::new(
                    Reason::ModuleScope {
                        name: name.to_string(),
                        line,
                    },
                    Some(c.span),
                ));
            }
            return Lifetime::Unknown;
        }
        if self.this_caller_signal(path, class) {
            return Lifetime::Outlives(Why::new(Reason::CallerSignal { shown }, None));
        }
        if func.kind.builds_instance() && owner == at {
            // What the caller handed in was made before the instance, and lives on after it.
            if let Some(why) = self.injected_field(path, class, owner) {
                return Lifetime::Outlives(why);
            }
            // The instance is being built: its own fields are per instance.
            return Lifetime::PerInvocation;
        }
        let c = &self.classes[class];
        let class_name = c.name.as_deref().unwrap_or("the class").to_string();
        if c.di_singleton {
            return Lifetime::Outlives(Why::new(
                Reason::DiSingleton {
                    shown,
                    class: class_name,
                },
                Some(c.span),
            ));
        }
        // Made once, in another file, for the life of the process.
        if let Some(why) = self.project_singleton(class) {
            return Lifetime::Outlives(Why::new(
                Reason::InstanceElsewhere {
                    shown,
                    made: why.clone(),
                },
                Some(c.span),
            ));
        }
        // A class instantiated only at start-up, once: its instance lives for the whole program.
        let ctor_role = c.ctor.map(|ctor| self.role(Some(ctor)).frequency);
        if let Some(span) = self.made_once_at_module_scope(class)
            && ctor_role.is_none_or(|f| f == Frequency::StartUp)
        {
            return Lifetime::Outlives(Why::new(
                Reason::SingleInstance {
                    shown,
                    class: class_name,
                    line: self.line(span.start),
                },
                Some(span),
            ));
        }
        Lifetime::Unknown
    }
}
