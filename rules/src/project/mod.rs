//! What crosses a file's boundary, for whole-project analysis.
//!
//! The per-file pass produces a [`Summary`] of each file (what it imports and exports, where
//! imported things are called, registered, instantiated or passed on, and from which role). The
//! project phase (in the `leaklint` binary: module graph and propagation) turns the summaries
//! into [`FileFacts`] for each file, and a file given facts is modelled again with them
//! ([`crate::model::Model::build_with`]). Facts address functions and classes by their
//! [`FnId`] / [`ClassId`], which are stable for the same text.
//!
//! - `summary.rs`: builds a [`Summary`] from a file's model.
//! - `bound.rs`: what a model keeps of its [`FileFacts`] and the questions rules ask of them.

mod bound;
mod summary;

pub use swc_atoms::Atom;

use crate::model::{ClassId, FnId, Frequency};
use crate::{Step, StepKind};

pub(crate) use bound::Bound;
pub use summary::summarize;

/// Is a file with no rule trigger and no repeating code worth modelling for the project? Only
/// when it makes a setting other files depend on (`axios.defaults.timeout`, a Fastify
/// `decorate`), starts a server (`.listen(`: the entry file, whose calls are start-up code)
/// or may re-export other files (a barrel).
/// Modelling every file would cost about a third more time on library code. A file with none
/// of these that a summarised file calls into (a plain pass-through module between a route and
/// a service) is summarised on demand by the project phase (`InProject::demanded`).
pub fn worth_summarizing(src: &str) -> bool {
    src.contains("defaults.timeout")
        || src.contains("decorate(")
        || src.contains(".listen(")
        || src.contains("HttpModule")
        || src.contains("axiosRef")
        // A barrel: `export * from './cart'`, `export { total } from './totals'`.
        || src.contains("export *")
        || src.contains("} from '")
        || src.contains("} from \"")
}

/// Can summarising this file on demand tell the project something (see `InProject::demanded`)?
/// When its text names `require` or `import` (the chain of calls may go on from it), when it
/// may make a collection at module scope that the files calling into it grow (`new Map`,
/// `new Set`, `[]`, `{}`, `Object.create(null)`: a store module), or when it may take entries
/// out of what it is handed (`splice(`, `.delete(`, `delete `, ...: a helper that cleans a
/// collection of another file). Otherwise, with no trigger of its own, nothing in it can leak
/// or lead to what does. The project phase asks this before parsing a demanded file, so that a
/// leaf module is not parsed a second time for nothing.
pub fn leads_on(src: &str) -> bool {
    const MARKS: &[&str] = &[
        "require",
        "import",
        "new Map",
        "new Set",
        "= []",
        "= {}",
        "Object.create(null)",
        "splice(",
        ".delete(",
        ".clear(",
        ".shift(",
        ".pop(",
        "delete ",
        "length = 0",
    ];
    MARKS.iter().any(|m| src.contains(m))
}

/// One import of a file: the module specifier and the path inside the module's exports that
/// the import names (`[]`: the whole module, `require('./x')` or `import * as x`; `["default"]`;
/// `["lookup"]` for `import { lookup }` or `const { lookup } = require(...)`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Import {
    pub specifier: String,
    pub path: Vec<Atom>,
}

/// What an export is.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ExportValue {
    Fn(FnId),
    Class(ClassId),
    /// An instance of a class declared in the file (`module.exports = new Store()`).
    Instance(ClassId),
    /// An object literal's function-valued members (`module.exports = { a() {}, b }`).
    Object(Vec<(Atom, FnId)>),
    /// Something imported, exported again: the import's index.
    Import(usize),
    /// `export * from '...'`: the import's index.
    All(usize),
    /// An HTTP client instance made at module scope without a deadline
    /// (`const api = axios.create({ baseURL })`, `got.extend({ prefixUrl })`): its index in
    /// [`Summary::untimed_clients`].
    Client(usize),
    /// A collection made at module scope (`const sessions = new Map()`, exported as
    /// `module.exports = { sessions }` or `export const sessions = ...`): its index in
    /// [`Summary::collections`].
    Collection(usize),
    Other,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Export {
    /// `default` for `module.exports = ...` and `export default`.
    pub name: Atom,
    pub value: ExportValue,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ClassInfo {
    pub name: Option<Atom>,
    pub ctor: Option<FnId>,
    pub methods: Vec<(Atom, FnId)>,
    /// Instances made in the file itself (they are the file's business).
    pub instantiated_here: bool,
}

/// What a use reaches.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// Through import `import`, then `path` (`"#"` steps from a class to its instances'
    /// methods: `["MemoryNotes", "#", "append"]`).
    Import { import: usize, path: Vec<Atom> },
    /// A method of a class of this file (dependency injection within one file).
    Local(FnId),
    /// A service decorated onto a Fastify instance elsewhere: `fastify.scores.record(...)`.
    Decorated { name: Atom, method: Atom },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UseKind {
    Call,
    New,
    /// Passed to a registrar: the use's frequency is the registrar's.
    Registered,
    /// Passed on as a value: callers elsewhere are unknown.
    Escape,
}

/// One use of something another file (or the DI container) provides.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CrossUse {
    pub target: Target,
    pub kind: UseKind,
    /// The outermost function around the use (`None`: module scope). Roles given to it by the
    /// project apply to the use.
    pub top: Option<FnId>,
    /// How often the code around the use runs, as far as this file knows.
    pub frequency: Frequency,
    /// Why, when it repeats, as this file knows it: a [`StepKind::Registered`] step at the
    /// registering call (`app.get('/x', ...)`), or a [`StepKind::Repeats`] step.
    pub reason: Option<Step>,
    /// The name of the nearest named function around the use (`show`), empty for an
    /// anonymous one or module scope; for a registration, the registering call as quoted.
    pub user: String,
    /// 1-based line of the use.
    pub line: usize,
    /// 1-based UTF-16 column of the use.
    pub column: usize,
    /// The use's line, as [`Step::source`] keeps it.
    pub source: String,
    /// For a call: the arguments (by 0-based position) whose values outlive the code making the
    /// call (a module-level or imported value, a global), as written. A parameter that every
    /// caller in the project fills so is long-lived too.
    #[serde(default)]
    pub long_lived_args: Vec<(usize, String)>,
    /// For a call or `new`: the arguments (by 0-based position) the calling code made or holds
    /// for its own invocation (`new Subscriber(this.pool)` in a constructor, `{}`, a local).
    #[serde(default)]
    pub own_args: Vec<usize>,
}

impl CrossUse {
    /// A step at this use, in file `display`.
    pub fn step(&self, kind: StepKind, display: &str, code: String) -> Step {
        Step {
            kind,
            path: display.to_string(),
            line: self.line,
            column: self.column,
            code,
            source: self.source.clone(),
        }
    }
}

/// A file's summary (see the module docs).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// As shown in reports, for messages of other files.
    pub display: String,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub classes: Vec<ClassInfo>,
    /// Exported classes that this file instantiates once, at module scope
    /// ([`crate::model::Model::made_once_at_module_scope`]): with the
    /// [`StepKind::SingleInstance`] step at that `new`. When no other file of the project uses
    /// the class itself, that instance is the only one (an exported `UserController` whose
    /// module exports `new UserController().router`).
    pub made_once: Vec<(ClassId, Step)>,
    /// Name, 1-based line and 1-based UTF-16 column of each function, by [`FnId`].
    pub functions: Vec<(Option<Atom>, usize, usize)>,
    pub uses: Vec<CrossUse>,
    /// `axios.defaults.timeout = ...` is set here: the line.
    pub axios_timeout: Option<usize>,
    /// undici's global dispatcher is given a deadline here
    /// ([`crate::model::Model::dispatcher_deadline_set`]): the line.
    pub dispatcher_deadline: Option<usize>,
    /// NestJS's `HttpService` is given a deadline here (`HttpModule.register({ timeout })`,
    /// `HttpModule.registerAsync(...)`, `http.axiosRef.defaults.timeout = ...`): the line.
    #[serde(default)]
    pub nest_http_timeout: Option<usize>,
    /// `fastify.decorate('name', { method() {} })`: the methods of each decorated service.
    pub decorations: Vec<(Atom, Vec<(Atom, FnId)>)>,
    /// Functions that forward their argument to an HTTP client (`fetch(url, ...)`) without a
    /// deadline of their own: a caller that passes none gets the finding. With what they call,
    /// for messages, whether it is axios (whose project-wide default timeout may apply), and
    /// the function's first line as [`Step::source`] keeps it.
    pub http_wrappers: Vec<(FnId, String, bool, String)>,
    /// HTTP client instances made at module scope without a deadline (`axios.create({ baseURL
    /// })` with no `api.defaults.timeout = ...` in the file, `got.extend({ prefixUrl })`).
    /// Exports name them by [`ExportValue::Client`].
    pub untimed_clients: Vec<ClientMade>,
    /// Collections made at module scope that exports name ([`ExportValue::Collection`]).
    #[serde(default)]
    pub collections: Vec<CollectionMade>,
    /// Entries taken out of imported values here (`sessions.delete(id)`, `store.queue.shift()`,
    /// `delete cache[key]`, `list.length = 0`, anywhere in the file): the import's index and the
    /// properties read after the import up to the collection (`[]`, `["queue"]`).
    #[serde(default)]
    pub import_removals: Vec<(usize, Vec<Atom>)>,
    /// Functions that take entries out of one of their parameters (`arr.splice(i, 1)` on it):
    /// (function, 0-based position). A collection handed to one there loses entries.
    #[serde(default)]
    pub shrinking_params: Vec<(FnId, usize)>,
    /// Imported values handed to imported functions (`removeById(users, id)`,
    /// `helpers.drop(store.queue, job)`): whether the callee takes entries out of that parameter
    /// is its own file's fact.
    #[serde(default)]
    pub import_args: Vec<ImportArg>,
}

/// An imported value handed to an imported function (see [`Summary::import_args`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportArg {
    /// The callee: its import's index and the properties read after it (`["drop"]`).
    pub callee: (usize, Vec<Atom>),
    /// The argument's 0-based position.
    pub position: usize,
    /// The value: its import's index and the properties read after it.
    pub value: (usize, Vec<Atom>),
}

/// A collection made at module scope in one file, as files that import it see it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CollectionMade {
    pub kind: crate::model::CollectionKind,
    /// The [`StepKind::CollectionCreated`] step where it is made (`code`: its name).
    pub created: Step,
    /// Its own file takes entries out of it somewhere (see
    /// [`crate::model::Model::shrink_site`]).
    pub removed_here: bool,
}

/// An HTTP client instance made without a deadline, as other files see it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClientMade {
    /// The client library's module (`axios`, `got`): says which calls send a request and
    /// whether the project-wide `axios.defaults.timeout` applies.
    pub library: Atom,
    /// The [`StepKind::ClientCreated`] step where it is made.
    pub created: Step,
}

/// How often a function runs because of callers in other files, and the chain that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalRole {
    pub frequency: Frequency,
    /// The function itself ([`StepKind::Subject`]), each caller outward
    /// ([`StepKind::CalledFrom`]), and what makes the outermost repeat ([`StepKind::Registered`]
    /// or [`StepKind::Repeats`]). [`crate::chain_text`] reads it as "`lookup`
    /// (members.service.js:4) is called by `show` (members.controller.js:3), which is
    /// registered by `router.get('/members/:id', ...)` (routes.js:6)".
    pub chain: Vec<Step>,
}

/// What the project says about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Roles given by callers elsewhere.
    pub roles: Vec<(FnId, ExternalRole)>,
    /// Functions whose only callers in the project are start-up code.
    pub startup_only: Vec<FnId>,
    /// Classes whose single instance is made once, elsewhere, for the life of the process:
    /// with the [`StepKind::SingleInstance`] step at the `new`.
    pub singletons: Vec<(ClassId, Step)>,
    /// Where the process-wide `axios.defaults.timeout` is set ("bootstrap.js:9").
    pub axios_timeout: Option<String>,
    /// Where undici's global dispatcher, which Node's `fetch` uses too, is given a deadline
    /// ("bootstrap.js:4").
    pub dispatcher_deadline: Option<String>,
    /// Where NestJS's `HttpModule` is given a deadline ("app.module.ts:8"): every injected
    /// `HttpService` is then taken as timed (a module's registration applies to its own
    /// providers only, but which module provides which service is not followed).
    pub nest_http_timeout: Option<String>,
    /// Imports (by index) that are HTTP wrappers: the [`StepKind::ForwardsTo`] step at the
    /// wrapper function.
    pub http_wrappers: Vec<(usize, Step)>,
    /// Parameters (function, 0-based position) that every caller in the project fills with a
    /// long-lived value: with a [`StepKind::CalledFrom`] step at one such call, whose code is the
    /// argument as written.
    pub long_lived_params: Vec<(FnId, usize, Step)>,
    /// Parameters (function, 0-based position) that some caller in the project fills with a
    /// value of its own invocation: what arrives there is not long-lived by itself.
    pub caller_owned_params: Vec<(FnId, usize)>,
    /// Imports (by index, then the properties read after the import: `[]` for
    /// `const { api } = require('./http')`, `["api"]` for `http.api`) that are HTTP client
    /// instances made elsewhere without a deadline. axios instances are left out when the
    /// project sets `axios.defaults.timeout`.
    pub untimed_clients: Vec<(usize, Vec<Atom>, ClientMade)>,
    /// Imports (by index, then the properties read after the import, as for
    /// `untimed_clients`) that are collections made at module scope in another file, which no
    /// file of the project takes entries out of: growing one per request is growing a
    /// process-wide collection.
    pub imported_collections: Vec<(usize, Vec<Atom>, CollectionMade)>,
}

impl FileFacts {
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.startup_only.is_empty()
            && self.singletons.is_empty()
            && self.axios_timeout.is_none()
            && self.dispatcher_deadline.is_none()
            && self.nest_http_timeout.is_none()
            && self.http_wrappers.is_empty()
            && self.long_lived_params.is_empty()
            && self.caller_owned_params.is_empty()
            && self.untimed_clients.is_empty()
            && self.imported_collections.is_empty()
    }

    /// Facts that can add findings (not only remove them).
    pub fn can_add(&self) -> bool {
        !self.roles.is_empty()
            || !self.singletons.is_empty()
            || !self.http_wrappers.is_empty()
            || !self.long_lived_params.is_empty()
            || !self.untimed_clients.is_empty()
            || !self.imported_collections.is_empty()
    }
}
