//! The per-file semantic model (design §2), built once per file in one pass over the resolved
//! tree and shared by every rule. Rules ask it questions (how often does this code run, how long
//! does this receiver live, is this registration undone) instead of walking the tree again.
//!
//! - `collect.rs`: the single tree walk; records functions, classes, bindings and their uses,
//!   member calls with summarised arguments, guards and writes.
//! - `syntax.rs`: pure AST helpers (no model), shared by the collector and the recognisers.
//! - `frameworks/`: which calls, decorators and constructors register a handler with a server
//!   or framework, one module per framework family (HTTP, events, queues, timers, NestJS,
//!   passport), and how often that handler then runs.
//! - `roles.rs`: how often each function runs (start-up, per request, per connection, ...),
//!   propagated from registrations, callers, constructors and fallbacks.
//! - `lifetime.rs`: how long a receiver lives relative to the code that touches it.
//! - `cleanup.rs`: whether a listener registration is undone for the same invocation.
//! - `ids.rs`: `FnId` and `ClassId`, and the `Table` of functions and classes they index.
//! - `names.rs`: qualified names, the one resolver of `require` / `import` and their aliases
//!   (`node:events` and `events` alike).
//!
//! ## The questions rules ask
//!
//! Rules, and the project phase's summary of a file (`rules/src/project/`), read the model
//! through these methods of [`Model`]; its fields are private to this module (and
//! `tests/architecture_doc.rs` checks that no rule or project file spells one):
//!
//! - **How often does this run?** [`Model::role`], [`Model::called_repeatedly`],
//!   [`Model::invocation_root`], [`Model::why_repeats`], [`Model::registration_label`],
//!   [`Model::chain`].
//! - **How long does this live?** [`Model::lifetime`] (with its [`Why`]),
//!   [`Model::collection`], [`Model::returned_by_owner`], [`Model::key_from_long_lived_list`].
//! - **Is this undone?** [`Model::listener_removal`], [`Model::is_once_guarded`],
//!   [`Model::shrink_site`], [`Model::options_set`], [`Model::forwarded_unset`],
//!   [`Model::instance_defaults_set`], [`Model::module_defaults_write`].
//! - **Does this escape?** [`Model::path_escapes`], [`Model::escaping_closure`],
//!   [`Model::closure_escape`].
//! - **What is this?** [`Model::imported`], [`Model::imported_root`],
//!   [`Model::imported_or_global`], [`Model::is_module_binding`], [`Model::module_of`],
//!   [`Model::imports_any`], [`Model::binding`], [`Model::bindings`],
//!   [`Model::bindings_by_id`], [`Model::function_of_binding`], [`Model::function`],
//!   [`Model::functions`], [`Model::class`], [`Model::classes`], [`Model::field_inits`],
//!   [`Model::instantiated_here`], [`Model::is_within`], [`Model::path_text`].
//! - **What happens here?** the file's calls, writes and `new`s in source order:
//!   [`Model::member_calls`], [`Model::calls_of`], [`Model::plain_calls`],
//!   [`Model::member_writes`], [`Model::news`]; what waits on a call's promise:
//!   [`Model::is_awaited`], [`Model::is_continued`], [`Model::is_waited_by_then`],
//!   [`Model::is_raced`]; handlers registered
//!   by name ([`Model::registered_refs`]); calls of a required module
//!   ([`Model::inline_requires`]).
//! - **What do the other files say?** (empty outside a project run) [`Model::project_role`],
//!   [`Model::project_startup_only`], [`Model::project_singleton`],
//!   [`Model::project_long_lived_param`], [`Model::project_caller_owned_param`],
//!   [`Model::project_axios_timeout`], [`Model::project_dispatcher_deadline`],
//!   [`Model::project_http_wrapper`], [`Model::project_untimed_client`],
//!   [`Model::project_imported_collection`], [`Model::project_nest_http_timeout`].
//! - **Words for messages:** [`Model::text`], [`Model::line`], [`Model::position`],
//!   [`Model::source_line`], [`Model::knowledge`].

mod cleanup;
mod collect;
pub(crate) mod collections;
pub mod emitters;
mod escapes;
mod frameworks;
mod ids;
mod lifetime;
mod names;
mod options;
pub mod path;
mod roles;
mod syntax;

use rustc_hash::FxHashMap as HashMap;

use swc_atoms::Atom;
use swc_common::SyntaxContext;
use swc_ecma_ast::{AssignOp, Id};

use crate::parse::Parsed;
use crate::{Knowledge, LineIndex, Span};

pub use cleanup::Removal;
pub use collections::CollectionKind;
pub use frameworks::REPEATING_CODE;
pub use lifetime::{Lifetime, Owner, Reason, Why};
pub use names::{Imported, module_key};
pub use path::{AccessPath, Root};
pub use roles::{Frequency, Origin, Registrar, Role};

pub use ids::{ClassId, FnId, PerId, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    Function,
    Arrow,
    Method,
    Constructor,
    /// The initialiser of one instance field (`timer = setInterval(...)`): it runs for every
    /// `new`, as part of construction, so it is asked about as the constructor is.
    FieldInitializer,
}

impl FnKind {
    /// Code that runs once for every instance, as part of `new`: a constructor or an instance
    /// field initialiser.
    pub fn builds_instance(self) -> bool {
        matches!(self, FnKind::Constructor | FnKind::FieldInitializer)
    }
}

/// How a function value comes into being, which decides how often it can run when nothing more
/// specific is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FnContext {
    /// `function f() {}` or `const f = () => {}`: runs when its binding is called.
    Named,
    /// An argument of a call that is not a known registrar (`setTimeout(cb)`, `arr.map(cb)`).
    Argument,
    /// Called where it is defined: `(function () { ... })()`.
    Iife,
    /// A class method or constructor.
    ClassMember,
    /// A method or property value of an object literal.
    ObjectMember,
    /// Assigned to a property (`module.exports = function ...`, `obj.handler = () => ...`),
    /// returned, exported as default, or anything else that lets unknown code call it.
    Escapes,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub id: Id,
    pub name: Atom,
    pub span: Span,
    /// The TypeScript type's name when annotated with a simple type reference (`AbortSignal`).
    pub type_name: Option<Atom>,
    /// Position among the function's parameters.
    pub index: usize,
    /// For a name destructured from the parameter (`function f({ signal })`): the property it
    /// is read from.
    pub from_key: Option<Atom>,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub span: Span,
    pub parent: Option<FnId>,
    pub kind: FnKind,
    pub name: Option<Atom>,
    /// The binding that names it, when it has one.
    pub binding: Option<Id>,
    pub params: Vec<Param>,
    /// The class of a method or constructor.
    pub class: Option<ClassId>,
    /// The function whose `this` applies inside (itself, or for arrows the enclosing one).
    pub this_fn: Option<FnId>,
    pub context: FnContext,
    /// Where this function is registered as a handler, when it is passed to a known registrar.
    pub registered: Option<Registrar>,
    /// For a function written as a call argument: the callee's name, and whether it is called
    /// as a method (`emitter.on(...)` → `("on", true)`, `setInterval(...)` → `("setInterval",
    /// false)`).
    pub argument_of: Option<(Atom, bool)>,
    /// A method stored on an object for later calls: `X.prototype.m = function`, or a member
    /// of an object literal the enclosing function returns (a module IIFE's API).
    pub stored_method: bool,
    /// A `static` method of a class: it belongs to the class, not to its instances.
    pub static_member: bool,
    /// A class member only the class's own code can call: TypeScript's `private` or an ES
    /// `#private` method.
    pub private_member: bool,
    /// For a method or function-valued property of an object literal: the literal's span. A
    /// component object (`export default { mounted() {...}, beforeUnmount() {...} }`) undoes in
    /// one member what another did, like a class.
    pub object_span: Option<Span>,
    /// Paths read by the tests of `if (...) return`/`throw` inside it: one-time guards.
    pub early_exit_reads: Vec<AccessPath>,
    /// Paths it assigns (not counting nested functions).
    pub writes: Vec<AccessPath>,
    /// The paths of [`Self::writes`] assigned on every run: outside any branch (`if`, `?:`,
    /// `&&`, ...) and `catch` clause of the function.
    pub steady_writes: Vec<AccessPath>,
}

#[derive(Clone, Debug)]
pub struct Class {
    pub span: Span,
    pub name: Option<Atom>,
    pub binding: Option<Id>,
    pub ctor: Option<FnId>,
    /// Decorated as a dependency-injection singleton (NestJS `@Controller`, `@Injectable`, ...).
    pub di_singleton: bool,
    /// The function the class declaration is in (`None`: module level).
    pub declared_in: Option<FnId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Var,
    Let,
    Const,
    Param,
    Function,
    Class,
    Import,
    Catch,
}

/// What a binding was initialised with, as far as it matters to the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Init {
    None,
    Function(FnId),
    Class(ClassId),
    /// `new X(...)`: the constructor's name as written (`EventEmitter`, `events.EventEmitter`).
    New(Atom),
    /// `require('x')` or a destructuring of it.
    Require(Atom),
    /// `import ... from 'x'`.
    Import(Atom),
    /// An array literal `[...]`.
    ArrayLit,
    /// An object literal `{...}` or `Object.create(null)`.
    ObjectLit,
    Other,
}

/// A network endpoint, as far as how a value is made shows it (see
/// `frameworks/servers.rs` for the calls that show it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A server (http, https, http2, net, tls, ws): its `'request'`, `'connect'` and `'stream'`
    /// events fire per request or connection.
    Server,
    /// A socket.io server or namespace: `'connect'` / `'connection'` fire per connection, and
    /// the socket they give emits `'disconnect'`, never a stream's `'close'` or `'end'`.
    SocketIo,
    /// A client request or connection: the same events fire once.
    Client,
    /// A client that reconnects by itself when its connection drops (socket.io-client's
    /// `io(url)`, ioredis, node-redis, mqtt, reconnecting-websocket): its `'connect'`,
    /// `'ready'`, `'open'` and `'reconnect'` events fire again on every reconnection, so what
    /// their handlers register on the client piles up once per reconnection.
    Reconnecting,
}

impl Binding {
    /// The module specifier as written, for `require('x')` (or a destructuring of it) and
    /// `import`.
    pub fn specifier(&self) -> Option<&str> {
        match &self.init {
            Init::Require(m) | Init::Import(m) => Some(m.as_str()),
            _ => None,
        }
    }

    /// The module it comes from, as names are compared ([`names::module_key`]: `events` for
    /// `node:events`).
    pub fn module(&self) -> Option<&str> {
        self.specifier().map(names::module_key)
    }
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub name: Atom,
    /// The declaring identifier.
    pub span: Span,
    /// Function it is declared in; `None` for module level.
    pub scope: Option<FnId>,
    pub kind: BindingKind,
    pub init: Init,
    /// For `import { a as b }` and `const { a: b } = require(...)`: the exported name `a`.
    pub imported: Option<Atom>,
    /// The initialiser makes a large value (`readFileSync(...)`, `Buffer.alloc(n)`, ...): what it
    /// is, for messages.
    pub large: Option<String>,
    /// For a `let` or `var` made large by a later assignment (`payload = Buffer.from(...)`)
    /// rather than by its initialiser: that assignment. A variable can be set back to `null`,
    /// so rules ask for more evidence before they report one.
    pub large_assigned: Option<Span>,
    /// What the variable was set to, when that shows a server or a client endpoint
    /// (`http.createServer(...)`, `net.connect(...)`): decides what its `'request'` and
    /// `'connect'` events mean.
    pub endpoint: Option<Endpoint>,
    /// The initialiser is another binding (`const previous = current`).
    pub copy_of: Option<Id>,
    /// The value was read out of another path: `const s = opts.signal` and
    /// `const { signal } = init` (or `init || {}`) both give `init.signal`.
    pub read_from: Option<AccessPath>,
    /// For `const cfg = { ... }`: the object literal, summarised (see [`Model::options_set`]).
    pub object: Option<Box<Arg>>,
    /// For the variable of `for (const x of <path>)`: the list it walks.
    pub iterates: Option<AccessPath>,
    pub uses: Vec<Use>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseKind {
    /// `f(...)`
    Call,
    /// `new C(...)`
    New,
    /// Any other read: passed as a value, exported, stored.
    Read,
    /// Assigned to.
    Write,
    /// Passed to a known handler registrar (its role is recorded on the function).
    Registered,
}

#[derive(Clone, Copy, Debug)]
pub struct Use {
    pub span: Span,
    pub in_fn: Option<FnId>,
    pub kind: UseKind,
}

/// The key under which [`Arg::Object`] records a spread (`{ ...defaults }`).
pub const SPREAD_KEY: &str = "...";

/// A call argument, summarised.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A string literal, or a template literal without substitutions.
    Str(Atom, Span),
    /// An inline function or arrow.
    Fn(FnId, Span),
    /// An identifier or static property chain.
    Path(AccessPath, Span),
    /// `f.bind(...)`: a new function on every evaluation.
    Bound(AccessPath, Span),
    /// An object literal: its static keys and their values; a spread `...x` is the key
    /// [`SPREAD_KEY`] with `x` as its value.
    Object(Vec<(Atom, Arg)>, Span),
    /// `true` / `false`.
    Bool(bool, Span),
    /// A numeric literal.
    Num(f64, Span),
    /// `new X(...)`, with the constructor as written.
    New(Atom, Span),
    Other(Span),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Str(_, s)
            | Arg::Fn(_, s)
            | Arg::Path(_, s)
            | Arg::Bound(_, s)
            | Arg::Object(_, s)
            | Arg::Bool(_, s)
            | Arg::Num(_, s)
            | Arg::New(_, s)
            | Arg::Other(s) => *s,
        }
    }

    /// The value of property `key` of an object literal argument.
    pub fn prop(&self, key: &str) -> Option<&Arg> {
        match self {
            Arg::Object(props, _) => props.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// What every call records, whatever its callee: where it is, its arguments, the function it is
/// in, and how the code around it treats it. [`MemberCall`] and [`PlainCall`] each hold one
/// (`site`) and dereference to it, so `call.span`, `call.args`, `call.in_fn` read the same on
/// both.
#[derive(Clone, Debug)]
pub struct CallSite {
    pub span: Span,
    /// `receiver.method` or the called name.
    pub callee_span: Span,
    pub args: Vec<Arg>,
    pub in_fn: Option<FnId>,
    /// Inside an `if`, `?:`, `&&`, `||` or `??` branch of its function.
    pub conditional: bool,
    /// Paths read by the tests of the `if`s around it (within its function). A guard on
    /// `listenerCount()`/`listeners()` is recorded as the global `#listenerCount`.
    pub guards: std::rc::Rc<Vec<AccessPath>>,
    /// Its result is kept: assigned, returned or passed on (a disposer, for emitters that return
    /// one).
    pub result_kept: bool,
    /// Where its result is stored, when it is assigned to a variable or property.
    pub stored_to: Option<AccessPath>,
}

/// A call of the form `receiver.method(args)`.
#[derive(Clone, Debug)]
pub struct MemberCall {
    pub site: CallSite,
    pub method: Atom,
    pub receiver: Option<AccessPath>,
    pub receiver_span: Span,
}

/// A call of a plain identifier: `setInterval(...)`, `fetch(...)`, `helper(...)`.
#[derive(Clone, Debug)]
pub struct PlainCall {
    pub site: CallSite,
    pub name: Atom,
    /// The callee's binding identity (unresolved for globals).
    pub callee: Id,
    /// The name resolves to no declaration in the file (`setInterval`, `fetch`).
    pub global: bool,
}

// A call *is* its site plus how it names its callee: the site's fields are read through the
// call (`call.args`), as if declared on it, without a second copy of their declarations.
impl std::ops::Deref for MemberCall {
    type Target = CallSite;
    fn deref(&self) -> &CallSite {
        &self.site
    }
}

impl std::ops::Deref for PlainCall {
    type Target = CallSite;
    fn deref(&self) -> &CallSite {
        &self.site
    }
}

/// `new X(...)`.
#[derive(Clone, Debug)]
pub struct NewCall {
    pub span: Span,
    /// The constructor as written: `Promise`, `events.EventEmitter`.
    pub callee: Atom,
    pub args: Vec<Arg>,
    pub in_fn: Option<FnId>,
}

/// An assignment to a property: `obj.k = v`, `obj[k] ??= v`, `this.x = v`.
#[derive(Clone, Debug)]
pub struct MemberWrite {
    pub span: Span,
    /// The object written into (`obj` in `obj[k] = v`), when it is a path.
    pub object: Option<AccessPath>,
    /// The key when it is static (`obj.k`, `obj['k']`); `None` for a computed key.
    pub key: Option<Atom>,
    /// A computed key (`obj[k]`), summarised.
    pub key_arg: Option<Arg>,
    pub op: AssignOp,
    pub value: Arg,
    pub in_fn: Option<FnId>,
}

/// `delete obj[k]` / `delete obj.k`.
#[derive(Clone, Debug)]
pub struct Delete {
    pub span: Span,
    pub object: Option<AccessPath>,
    pub in_fn: Option<FnId>,
}

pub struct Model<'a> {
    src: &'a str,
    knowledge: &'a Knowledge,
    /// Built on first use: most files have no finding and never need line numbers.
    lines: std::sync::OnceLock<LineIndex>,
    /// [`Model::dispatcher_deadline_set`], found on first use: asked for every `fetch` without
    /// a signal, it scans the file's calls.
    dispatcher_deadline: std::sync::OnceLock<Option<usize>>,
    unresolved: SyntaxContext,
    functions: Table<FnId, Function>,
    classes: Table<ClassId, Class>,
    bindings: HashMap<Id, Binding>,
    /// Every `a.b(...)` call, in source order.
    member_calls: Vec<MemberCall>,
    /// Every `f(...)` call of a plain identifier, in source order.
    plain_calls: Vec<PlainCall>,
    /// Every assignment to a property, in source order.
    member_writes: Vec<MemberWrite>,
    /// Every `delete` of a property.
    deletes: Vec<Delete>,
    /// Paths returned by `return <path>`, with the function that returns them.
    returned_paths: Vec<(AccessPath, Option<FnId>)>,
    /// Plain functions whose call result is returned (`return makeSink(x)`): the callee's
    /// binding, with the function that returns it.
    returned_calls: Vec<(Id, Option<FnId>)>,
    /// Object literals returned by a function (`return { url, timeout }`, `() => ({ ... })`),
    /// summarised, with the function: what an options-building helper gives its callers.
    returned_objects: Vec<(Arg, FnId)>,
    /// Start offsets of calls and `new` expressions whose promise is awaited or returned,
    /// directly or through a `.then()` / `.catch()` / `.finally()` chain.
    awaited: rustc_hash::FxHashSet<usize>,
    /// Start offsets of calls and `new` expressions whose promise is continued with a callback,
    /// `p.then(cb)`, `p.catch(cb)` or `p.finally(cb)` (also at the head of a longer chain): the
    /// callback waits on it as the code after an `await` would.
    continued: rustc_hash::FxHashSet<usize>,
    /// The part of [`Self::continued`] continued by `.then(cb)`: the callback uses the result,
    /// so it waits for it (a bare `.catch(cb)` only swallows the failure of a fire-and-forget
    /// call).
    then_continued: rustc_hash::FxHashSet<usize>,
    /// Start offsets of calls made inside `Promise.race([...])`, which a timer can end.
    raced: rustc_hash::FxHashSet<usize>,
    /// Every `new X(...)`, in source order.
    news: Vec<NewCall>,
    /// Bindings handed back to a pool (`client.release()`, `pool.release(client)`): what was
    /// checked out of a pool for this call and is lent to later calls after it.
    released: rustc_hash::FxHashSet<Id>,
    /// What class fields are initialised with: `this.x = ...` in the constructor, or a class
    /// property `x = ...`.
    field_inits: Vec<(ClassId, Atom, Init, Span)>,
    /// TypeScript parameter properties typed with a plain type name
    /// (`constructor(private readonly http: HttpService)`): the class, the field and the type's
    /// identifier, which names an import when the type comes from a package.
    param_props: Vec<(ClassId, Atom, Id)>,
    /// What `static` class properties are initialised with (`static cache = new Map()`): they
    /// belong to the class object, which lives as long as its declaration's scope.
    static_inits: Vec<(ClassId, Atom, Init, Span)>,
    /// Calls `new C()` of a class declared in this file: (class, function the call is in, span).
    instantiations: Vec<(ClassId, Option<FnId>, Span)>,
    /// Classes instantiated in another class's instance field initialiser (once per instance).
    instantiated_per_instance: rustc_hash::FxHashSet<ClassId>,
    /// Handlers passed to a registrar by name or path (`router.get('/x', members.show)`), with
    /// the role the registrar gives and the function the registration is in.
    registered_refs: Vec<(AccessPath, Registrar, Option<FnId>)>,
    /// Calls of a required module itself: `require('./x')(...)`, with the specifier.
    inline_requires: Vec<(Atom, Span, Option<FnId>)>,
    /// What the rest of the project says about this file (empty outside a project run).
    project: crate::project::Bound,
    /// The role of each function, by [`FnId`].
    roles: PerId<FnId, Role>,
    /// By [`FnId`]: called from code in this file that itself runs more than once.
    repeat_called: PerId<FnId, bool>,
    /// Listener removal calls, indexed on first use (see `cleanup.rs`).
    removal_calls: std::sync::OnceLock<Vec<usize>>,
    /// [`Model::shrinking_params`], found on first use: asked per call argument, it scans the
    /// file's removals.
    shrinking: std::sync::OnceLock<rustc_hash::FxHashSet<(FnId, usize)>>,
    /// Plain calls of a function of this file that takes entries out of one of its parameters
    /// (indexes into `plain_calls`), found on first use: most files have none, and
    /// `shrink_site` is asked for every module-level collection.
    shrinking_calls: std::sync::OnceLock<Vec<usize>>,
}

impl<'a> Model<'a> {
    pub fn build(parsed: &Parsed, src: &'a str, knowledge: &'a Knowledge) -> Model<'a> {
        Self::build_with(parsed, src, knowledge, None)
    }

    /// [`Model::build`] with what the project phase found out about this file from the others
    /// (roles given by callers elsewhere, singletons, settings made elsewhere).
    pub fn build_with(
        parsed: &Parsed,
        src: &'a str,
        knowledge: &'a Knowledge,
        facts: Option<&crate::project::FileFacts>,
    ) -> Model<'a> {
        let mut model = Model {
            src,
            knowledge,
            lines: std::sync::OnceLock::new(),
            dispatcher_deadline: std::sync::OnceLock::new(),
            unresolved: parsed.unresolved,
            functions: Table::default(),
            classes: Table::default(),
            bindings: HashMap::default(),
            member_calls: Vec::new(),
            plain_calls: Vec::new(),
            member_writes: Vec::new(),
            deletes: Vec::new(),
            returned_paths: Vec::new(),
            returned_calls: Vec::new(),
            returned_objects: Vec::new(),
            awaited: Default::default(),
            continued: Default::default(),
            then_continued: Default::default(),
            raced: Default::default(),
            news: Vec::new(),
            released: Default::default(),
            field_inits: Vec::new(),
            param_props: Vec::new(),
            static_inits: Vec::new(),
            instantiations: Vec::new(),
            instantiated_per_instance: Default::default(),
            registered_refs: Vec::new(),
            inline_requires: Vec::new(),
            project: Default::default(),
            roles: PerId::default(),
            repeat_called: PerId::default(),
            removal_calls: std::sync::OnceLock::new(),
            shrinking: std::sync::OnceLock::new(),
            shrinking_calls: std::sync::OnceLock::new(),
        };
        collect::collect(&mut model, &parsed.program);
        if let Some(facts) = facts {
            model.project = crate::project::Bound::new(&model, &parsed.program, facts);
        }
        (model.roles, model.repeat_called) = roles::resolve(&model);
        model
    }

    /// The function `f` (see [`FnId`]).
    pub fn function(&self, f: FnId) -> &Function {
        &self.functions[f]
    }

    /// Every function of the file, by [`FnId`] (in the order the walk met them).
    pub fn functions(&self) -> &Table<FnId, Function> {
        &self.functions
    }

    /// The class `c` (see [`ClassId`]).
    pub fn class(&self, c: ClassId) -> &Class {
        &self.classes[c]
    }

    /// Every class of the file, by [`ClassId`].
    pub fn classes(&self) -> &Table<ClassId, Class> {
        &self.classes
    }

    /// Is a class of this file instantiated in this file: by a `new` anywhere, or in another
    /// class's instance field initialiser?
    /// The one `new C()` of the file when class `c` is instantiated exactly once, at module
    /// scope (not inside a function or another class's field initialiser): its span.
    pub fn made_once_at_module_scope(&self, c: ClassId) -> Option<Span> {
        if self.instantiated_per_instance.contains(&c) {
            return None;
        }
        let mut sites = self.instantiations.iter().filter(|(x, _, _)| *x == c);
        let (_, in_fn, span) = sites.next()?;
        (sites.next().is_none() && in_fn.is_none()).then_some(*span)
    }

    pub fn instantiated_here(&self, c: ClassId) -> bool {
        self.instantiations.iter().any(|(x, _, _)| *x == c)
            || self.instantiated_per_instance.contains(&c)
    }

    /// What the field `field` of class `c` is initialised with (`this.x = ...` in the
    /// constructor, or a class property `x = ...`), with the initialiser's span, in source
    /// order.
    pub fn field_inits<'m>(
        &'m self,
        c: ClassId,
        field: &'m str,
    ) -> impl Iterator<Item = (&'m Init, Span)> + 'm {
        self.field_inits
            .iter()
            .filter(move |(class, name, _, _)| *class == c && name == field)
            .map(|(_, _, init, span)| (init, *span))
    }

    /// For `this.<field>` of class `c` declared as a TypeScript parameter property whose type is
    /// imported (`constructor(private readonly http: HttpService)` with `HttpService` from
    /// `@nestjs/axios`): the module and the name it is exported under. This is how dependency
    /// injection hands a class its services: the type says what the field holds.
    pub fn injected_type(&self, c: ClassId, field: &str) -> Option<(&str, &str)> {
        let (_, _, ty) = self
            .param_props
            .iter()
            .find(|(class, name, _)| *class == c && name == field)?;
        let b = self.binding(ty)?;
        let module = b.module()?;
        Some((module, b.imported.as_deref().unwrap_or(b.name.as_str())))
    }

    /// Handlers passed to a registrar by name or path (`router.get('/x', members.show)`), with
    /// the registration and the function it is made in.
    pub fn registered_refs(&self) -> &[(AccessPath, Registrar, Option<FnId>)] {
        &self.registered_refs
    }

    /// Calls of a required module itself, `require('./x')(...)`: the specifier, the call and
    /// the function it is in, in source order.
    pub fn inline_requires(&self) -> &[(Atom, Span, Option<FnId>)] {
        &self.inline_requires
    }

    /// Every binding of the file, in no particular order.
    pub fn bindings(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.values()
    }

    /// Every binding of the file with its identity, in no particular order.
    pub fn bindings_by_id(&self) -> impl Iterator<Item = (&Id, &Binding)> {
        self.bindings.iter()
    }

    /// Every `a.b(...)` call, in source order.
    pub fn member_calls(&self) -> &[MemberCall] {
        &self.member_calls
    }

    /// Every `f(...)` call of a plain identifier, in source order.
    pub fn plain_calls(&self) -> &[PlainCall] {
        &self.plain_calls
    }

    /// Every assignment to a property, in source order.
    pub fn member_writes(&self) -> &[MemberWrite] {
        &self.member_writes
    }

    /// Every `delete obj[k]` and `delete obj.k`, in source order.
    pub fn deletes(&self) -> &[Delete] {
        &self.deletes
    }

    /// Every `new X(...)`, in source order.
    pub fn news(&self) -> &[NewCall] {
        &self.news
    }

    /// Is the promise of the call or `new` starting at byte `start` awaited or returned
    /// (directly or through a `.then()` / `.catch()` / `.finally()` chain)?
    pub fn is_awaited(&self, start: usize) -> bool {
        self.awaited.contains(&start)
    }

    /// Is the promise of the call or `new` starting at byte `start` continued with a callback
    /// (`p.then(cb)`, `p.catch(cb)`, `p.finally(cb)`)?
    pub fn is_continued(&self, start: usize) -> bool {
        self.continued.contains(&start)
    }

    /// Is the promise of the call or `new` starting at byte `start` continued with `.then(cb)`
    /// (also at the head of a longer chain), so that `cb` waits for its result?
    pub fn is_waited_by_then(&self, start: usize) -> bool {
        self.then_continued.contains(&start)
    }

    /// Is the call starting at byte `start` made inside `Promise.race([...])`?
    pub fn is_raced(&self, start: usize) -> bool {
        self.raced.contains(&start)
    }

    /// What the configuration says beyond one file (`[knowledge]` in `leaklint.toml`).
    pub fn knowledge(&self) -> &'a Knowledge {
        self.knowledge
    }

    /// The file's whole text.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// Source text of a span.
    pub fn text(&self, span: Span) -> &'a str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    /// Source text of a span as it reads in a one-line message: each run of whitespace that
    /// spans lines is folded (dropped beside a `.` or `?.` of a chain written over several
    /// lines, `net\n  .createServer` → `net.createServer`; one space elsewhere), and text
    /// longer than `max_chars` characters keeps its last `max_chars` (a long callee is
    /// recognised by its end: `....router.get`). Counts characters, never splitting one.
    pub fn excerpt(&self, span: Span, max_chars: usize) -> String {
        excerpt(self.text(span), max_chars)
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.lines
            .get_or_init(|| LineIndex::new(self.src))
            .line_of(offset)
            + 1
    }

    /// 1-based line and 1-based UTF-16 column of a byte offset.
    pub fn position(&self, offset: usize) -> crate::line_index::Position {
        self.lines
            .get_or_init(|| LineIndex::new(self.src))
            .position(self.src, offset)
    }

    /// The line holding a byte offset, trimmed and cut as [`crate::Step::source`] keeps it.
    pub fn source_line(&self, offset: usize) -> String {
        let index = self.lines.get_or_init(|| LineIndex::new(self.src));
        let line = index.line_of(offset.min(self.src.len()));
        crate::Step::source_of(index.line_text(self.src, line))
    }

    /// How often code in this function runs (`None`: module top level, which runs once).
    pub fn role(&self, f: Option<FnId>) -> &Role {
        match f {
            Some(f) => &self.roles[f],
            None => &roles::START_UP,
        }
    }

    /// Is `f` called from code in this file that itself runs more than once (so it can run
    /// again for the same objects)?
    pub fn called_repeatedly(&self, f: FnId) -> bool {
        self.repeat_called.get(f).copied().unwrap_or(false)
    }

    /// `true` when `inner` is `outer` or nested inside it.
    pub fn is_within(&self, inner: Option<FnId>, outer: Option<FnId>) -> bool {
        let Some(outer) = outer else { return true };
        let mut cur = inner;
        while let Some(f) = cur {
            if f == outer {
                return true;
            }
            cur = self.functions[f].parent;
        }
        false
    }

    pub fn binding(&self, id: &Id) -> Option<&Binding> {
        self.bindings.get(id)
    }

    /// The function a binding holds, when it was declared or initialised with one.
    pub fn function_of_binding(&self, id: &Id) -> Option<FnId> {
        match self.binding(id)?.init {
            Init::Function(f) => Some(f),
            _ => None,
        }
    }

    /// The name a path is written with: `orderEvents`, `this.bus`, `process.stdout`.
    pub fn path_text(&self, path: &AccessPath) -> String {
        let mut out = match &path.root {
            Root::Binding(id) => id.0.to_string(),
            Root::Global(name) => name.to_string(),
            Root::This(_) => "this".to_string(),
        };
        for p in &path.props {
            out.push('.');
            out.push_str(p);
        }
        out
    }

    /// Member calls whose method is one of `names`.
    pub fn calls_of<'m>(&'m self, names: &'m [&str]) -> impl Iterator<Item = &'m MemberCall> + 'm {
        self.member_calls
            .iter()
            .filter(move |c| names.contains(&c.method.as_str()))
    }

    /// The role callers in other files give to function `f`.
    pub fn project_role(&self, f: FnId) -> Option<&Role> {
        self.project.role(f)
    }

    /// Is every caller of `f` in the project start-up code?
    pub fn project_startup_only(&self, f: FnId) -> bool {
        self.project.startup_only(f)
    }

    /// Why class `c` has a single instance for the life of the process, when another file
    /// makes it once: the [`crate::StepKind::SingleInstance`] step at the module-scope `new`.
    pub fn project_singleton(&self, c: ClassId) -> Option<&crate::Step> {
        self.project.singleton(c)
    }

    /// When every caller of `f` in other files passes a long-lived value as its parameter at
    /// 0-based position `index`: a [`crate::StepKind::CalledFrom`] step at one such call, whose
    /// code is the argument as written.
    pub fn project_long_lived_param(&self, f: FnId, index: usize) -> Option<&crate::Step> {
        self.project.long_lived_param(f, index)
    }

    /// Does some caller of `f` in another file fill its parameter at 0-based position `index`
    /// with a value of the caller's own invocation (`new Subscriber(this.pool)` in a
    /// constructor)?
    pub fn project_caller_owned_param(&self, f: FnId, index: usize) -> bool {
        self.project.caller_owned_param(f, index)
    }

    /// Where the process-wide `axios.defaults.timeout` is set in another file ("bootstrap.js:9").
    pub fn project_axios_timeout(&self) -> Option<&str> {
        self.project.axios_timeout()
    }

    /// For an import binding that is a project function forwarding to an HTTP client: the
    /// [`crate::StepKind::ForwardsTo`] step at that function.
    pub fn project_http_wrapper(&self, id: &Id) -> Option<&crate::Step> {
        self.project.http_wrapper(id)
    }

    /// Where another file gives undici's global dispatcher (and so Node's `fetch`) a deadline
    /// ("bootstrap.js:4").
    pub fn project_dispatcher_deadline(&self) -> Option<&str> {
        self.project.dispatcher_deadline()
    }

    /// Where another file gives NestJS's `HttpModule` a deadline ("app.module.ts:8").
    pub fn project_nest_http_timeout(&self) -> Option<&str> {
        self.project.nest_http_timeout()
    }

    /// For a receiver that is an HTTP client instance made in another file without a deadline
    /// (`api` from `const { api } = require('./http')`, or `http.api`): its library and the
    /// [`crate::StepKind::ClientCreated`] step where it is made.
    pub fn project_untimed_client(
        &self,
        receiver: &AccessPath,
    ) -> Option<&crate::project::ClientMade> {
        self.project.untimed_client(receiver)
    }

    /// For a path that is a collection made at module scope in another file and imported here
    /// (`sessions` from `const { sessions } = require('./store')`, or `store.sessions`), when no
    /// file of the project takes entries out of it: its kind and the
    /// [`crate::StepKind::CollectionCreated`] step where it is made.
    pub fn project_imported_collection(
        &self,
        path: &AccessPath,
    ) -> Option<&crate::project::CollectionMade> {
        self.project.imported_collection(path)
    }

    /// The function that carries the role of `f`: `f` itself when it is registered, otherwise
    /// the nearest enclosing function that is. Everything inside it runs once per its invocation.
    pub fn invocation_root(&self, f: FnId) -> FnId {
        match &self.roles[f].origin {
            Some(origin) if self.is_within(Some(f), Some(origin.function)) => origin.function,
            _ => f,
        }
    }
}

#[cfg(test)]
mod tests;

/// See [`Model::excerpt`].
fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_whitespace() {
            out.push(c);
            continue;
        }
        let mut breaks_line = c == '\n';
        while let Some(&next) = chars.peek() {
            if !next.is_whitespace() {
                break;
            }
            breaks_line |= next == '\n';
            chars.next();
        }
        let beside_chain = out.ends_with('.')
            || chars.peek() == Some(&'.')
            || (chars.peek() == Some(&'?') && chars.clone().nth(1) == Some('.'));
        // Leading and trailing whitespace goes; a line break in a chain goes.
        let fold_away = out.is_empty() || chars.peek().is_none() || (breaks_line && beside_chain);
        if !fold_away {
            out.push(' ');
        }
    }
    let count = out.chars().count();
    if count > max_chars {
        let cut = out
            .char_indices()
            .nth(count - max_chars)
            .map_or(out.len(), |(i, _)| i);
        out.drain(..cut);
    }
    out
}

#[cfg(test)]
mod excerpt_tests {
    use super::excerpt;

    #[test]
    fn folds_a_chain_written_over_lines() {
        assert_eq!(excerpt("net\n  .createServer", 60), "net.createServer");
        assert_eq!(excerpt("app.\n  get", 60), "app.get");
        assert_eq!(excerpt("a\n  ?.on", 60), "a?.on");
        assert_eq!(excerpt("new   Foo", 60), "new Foo");
        assert_eq!(excerpt("f(a,\n   b)", 60), "f(a, b)");
    }

    #[test]
    fn keeps_the_end_of_long_text_without_splitting_a_character() {
        assert_eq!(excerpt("abcdef", 3), "def");
        // Each `é` is two bytes: a byte-based cut would fall inside one.
        assert_eq!(excerpt("éééé.on", 4), "é.on");
    }
}
