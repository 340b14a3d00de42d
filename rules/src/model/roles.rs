//! How often code runs. Every function gets a [`Role`]: start-up, per call, per instance, or one
//! of the repeating roles that a server or framework gives to the callbacks registered with it.
//!
//! Roles come from three places, strongest first:
//! 1. **Registration**: the function is passed to a known registrar (`app.get(path, fn)`,
//!    `http.createServer(fn)`, `io.on('connection', fn)`, `setInterval(fn)`, a NestJS `@Get()`
//!    method, ...). The registrar's call is the role's [`Origin`], quoted in messages.
//! 2. **Where it is defined and called**: a nested callback runs within its parent's invocation;
//!    a named function runs as often as its most frequent caller; an exported, returned or stored
//!    function runs per call; a constructor runs once per `new`.
//! 3. **Fallbacks**: parameters shaped like a handler's (`(req, res)`, `(ctx, next)`,
//!    `(request, reply)`) make a function per request; a name like `init`, `setup` or `start`
//!    makes an otherwise unknown function start-up code.

use swc_atoms::Atom;
use swc_ecma_ast::*;

use super::path::{static_prop, strip};
use super::{FnContext, FnId, FnKind, Model, UseKind};
use crate::Span;
use swc_common::Spanned;

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
    /// Given by callers in other files: `text` is the whole chain, with file names and lines.
    pub across_files: bool,
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

impl Role {
    fn registered(frequency: Frequency, span: Span, text: String) -> Role {
        Role {
            frequency,
            // The function is filled in when the role is resolved.
            origin: Some(Origin {
                function: usize::MAX,
                span: Some(span),
                text,
                across_files: false,
            }),
        }
    }
}

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "head", "options", "use", "param",
];
/// Text that any code the roles model treats as repeating must contain: the registrars of
/// [`classify_call`], the NestJS decorators of [`decorator_role`], and the handler parameter
/// shapes. A file with none of them has no code that runs per request, connection, message or
/// tick (except through configured registrars, which callers check separately).
pub const REPEATING_CODE: &[&str] = &[
    ".get(",
    ".post(",
    ".put(",
    ".patch(",
    ".delete(",
    ".del(",
    ".all(",
    ".head(",
    ".options(",
    ".use(",
    ".param(",
    ".route(",
    "addHook(",
    ".ext(",
    "createServer(",
    "createSecureServer(",
    "setInterval(",
    ".on(",
    "['on']",
    "[\"on\"]",
    "Listener(",
    ".once(",
    ".process(",
    ".consume(",
    ".run(",
    "@Get",
    "@Post",
    "@Put",
    "@Patch",
    "@Delete",
    "@All",
    "@Head",
    "@Options",
    "@Query",
    "@Mutation",
    "@SubscribeMessage",
    "@MessagePattern",
    "@EventPattern",
    "@OnEvent",
    "@Process",
    "@Interval",
    "@Cron",
    "req, res",
    "req,res",
    "request, response",
    "ctx, next",
    "ctx,next",
    "request, reply",
    "request,reply",
    "req, reply",
];

/// Every method name [`classify_call`] looks at.
const REGISTRAR_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "del",
    "all",
    "head",
    "options",
    "use",
    "param",
    "route",
    "addHook",
    "ext",
    "createServer",
    "createSecureServer",
    "setInterval",
    "on",
    "addListener",
    "once",
    "prependListener",
    "prependOnceListener",
    "addEventListener",
    "process",
    "consume",
    "run",
];
/// Fastify hooks that run for every request (the others run at start-up or shutdown).
const FASTIFY_REQUEST_HOOKS: &[&str] = &[
    "onRequest",
    "preParsing",
    "preValidation",
    "preHandler",
    "preSerialization",
    "onSend",
    "onResponse",
    "onError",
    "onTimeout",
    "onRequestAbort",
];
/// Hapi request lifecycle extension points.
const HAPI_REQUEST_EXTS: &[&str] = &[
    "onRequest",
    "onPreAuth",
    "onCredentials",
    "onPostAuth",
    "onPreHandler",
    "onPostHandler",
    "onPreResponse",
    "onPostResponse",
];
/// Events that fire once, or only on shutdown or failure: a callback for them is not repeated
/// work, it inherits the role of the code that registers it.
const LIFECYCLE_EVENTS: &[&str] = &[
    "listening",
    "ready",
    "open",
    "close",
    "closed",
    "end",
    "finish",
    "exit",
    "beforeExit",
    "error",
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGUSR2",
    "drain",
    "disconnect",
    "timeout",
    "abort",
    "online",
    "uncaughtException",
    "unhandledRejection",
    "warning",
    "pipe",
    "unpipe",
    "secureConnect",
    "lookup",
    "shutdown",
    "destroy",
    "removeListener",
    "newListener",
    "resume",
    "pause",
    "response",
    "upgrade",
    "socket",
    "continue",
    "information",
    "spawn",
    "connect",
    "reconnect",
];
const ROUTE_OBJECT_HANDLERS: &[&str] = &[
    "handler",
    "preHandler",
    "onRequest",
    "preValidation",
    "preParsing",
    "preSerialization",
    "onSend",
    "onResponse",
];

/// The role a call gives to the functions passed to it, and which arguments those are.
pub(super) fn classify_call<'c>(
    call: &'c CallExpr,
    model: &Model<'_>,
) -> Option<(Role, Vec<&'c Expr>)> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let span = registration_span(call, callee);
    let args: Vec<&Expr> = call.args.iter().map(|a| &*a.expr).collect();
    let text = |model: &Model<'_>| call_text(call, model);
    let fn_like = |e: &&Expr| is_fn_like(e);

    match strip(callee) {
        Expr::Ident(i) => {
            let name = i.sym.as_str();
            let global = i.ctxt == model.unresolved;
            match name {
                "setInterval" if global => Some((
                    Role::registered(Frequency::PerTick, span, text(model)),
                    args.into_iter().take(1).collect(),
                )),
                "createServer" => Some((
                    Role::registered(Frequency::PerRequest, span, text(model)),
                    args.into_iter().filter(fn_like).collect(),
                )),
                _ => None,
            }
        }
        Expr::Member(m) => {
            let method = static_prop(&m.prop)?;
            let method = method.as_str();
            // Most calls are not registrations: decide that before looking at any text.
            if !REGISTRAR_METHODS.contains(&method)
                && !model
                    .knowledge
                    .handler_registrars
                    .iter()
                    .any(|r| r == method)
            {
                return None;
            }
            let receiver = strip(&m.obj);
            let receiver_text = model.text(Span::from_swc(receiver.span()));
            let first = args.first().copied().map(strip);
            let first_str = match first {
                Some(Expr::Lit(Lit::Str(s))) => Some(s.value.to_atom_lossy().into_owned()),
                Some(Expr::Tpl(t)) if t.exprs.is_empty() => t
                    .quasis
                    .first()
                    .and_then(|q| q.cooked.as_ref())
                    .map(|c| c.to_atom_lossy().into_owned()),
                _ => None,
            };
            let role = |f: Frequency| Role::registered(f, span, text(model));
            let extra_registrar = model
                .knowledge
                .handler_registrars
                .iter()
                .any(|r| r == method);

            // Express / Koa-router / Fastify shorthand routes: `app.get('/path', ...handlers)`.
            // A mock server's request handlers (msw's `http.post(url, resolver)`) are test
            // fixtures, not a server's routes.
            if HTTP_VERBS.contains(&method) && is_mock_server(receiver, model) {
                return None;
            }
            if HTTP_VERBS.contains(&method) || extra_registrar {
                let handlers: Vec<&Expr> = args.iter().copied().filter(fn_like).collect();
                if handlers.is_empty() {
                    // Fastify: `fastify.get('/p', { handler, preHandler }, ...)`.
                    let from_object = args
                        .iter()
                        .flat_map(|a| object_handlers(a))
                        .collect::<Vec<_>>();
                    if !from_object.is_empty() && is_path_like(first) {
                        return Some((role(Frequency::PerRequest), from_object));
                    }
                    return None;
                }
                let path_first = is_path_like(first);
                let on_route_chain = matches!(receiver, Expr::Call(c) if callee_method(c).as_deref() == Some("route"));
                let routerish = is_routerish(receiver_text);
                let accepted = if method == "use" {
                    // `app.use(fn)`: middleware runs per request. Plugin systems also have
                    // `.use(plugin)`, so a named function needs a handler's arity.
                    handlers.iter().all(|h| match strip(h) {
                        Expr::Fn(f) => !f.function.params.is_empty(),
                        Expr::Arrow(a) => !a.params.is_empty(),
                        Expr::Call(_) => true,
                        _ => routerish || path_first,
                    })
                } else {
                    path_first || on_route_chain || routerish || extra_registrar
                };
                if accepted {
                    let mut handlers = handlers;
                    handlers.extend(args.iter().flat_map(|a| object_handlers(a)));
                    return Some((role(Frequency::PerRequest), handlers));
                }
                return None;
            }
            match method {
                // Fastify `route({ handler })`, Hapi `server.route({ handler })` or arrays of them.
                "route" => {
                    let mut handlers = Vec::new();
                    for a in &args {
                        match strip(a) {
                            Expr::Array(arr) => {
                                for e in arr.elems.iter().flatten() {
                                    handlers.extend(object_handlers(&e.expr));
                                }
                            }
                            other => handlers.extend(object_handlers(other)),
                        }
                    }
                    (!handlers.is_empty() || !object_methods(call).is_empty())
                        .then(|| (role(Frequency::PerRequest), handlers))
                }
                "addHook" => {
                    let hook = first_str?;
                    let frequency = if FASTIFY_REQUEST_HOOKS.contains(&hook.as_str()) {
                        Frequency::PerRequest
                    } else {
                        Frequency::StartUp
                    };
                    Some((
                        role(frequency),
                        args.into_iter().skip(1).filter(fn_like).collect(),
                    ))
                }
                "ext" => {
                    let point = first_str?;
                    HAPI_REQUEST_EXTS.contains(&point.as_str()).then(|| {
                        (
                            role(Frequency::PerRequest),
                            args.into_iter().skip(1).filter(fn_like).collect(),
                        )
                    })
                }
                "createServer" | "createSecureServer" => {
                    let frequency = if matches!(receiver_text, "net" | "tls") {
                        Frequency::PerConnection
                    } else {
                        Frequency::PerRequest
                    };
                    Some((role(frequency), args.into_iter().filter(fn_like).collect()))
                }
                "setInterval"
                    if matches!(receiver_text, "timers" | "global" | "globalThis" | "window") =>
                {
                    Some((role(Frequency::PerTick), args.into_iter().take(1).collect()))
                }
                m if super::emitters::is_listener_method(m) => {
                    let event = first_str?;
                    let handlers = args.into_iter().skip(1).take(1).collect();
                    let frequency = match event.as_str() {
                        // Only servers emit a request per request; a client request or a stream
                        // emitting 'request' does so once.
                        "request" | "checkContinue" | "stream" if is_serverish(receiver_text) => {
                            Frequency::PerRequest
                        }
                        "request" | "checkContinue" | "stream" => return None,
                        "connection" | "secureConnection" => Frequency::PerConnection,
                        "connect" if is_serverish(receiver_text) => Frequency::PerConnection,
                        e if LIFECYCLE_EVENTS.contains(&e) => return None,
                        _ if super::emitters::ONCE_METHODS.contains(&method) => return None,
                        _ => Frequency::PerMessage,
                    };
                    Some((role(frequency), handlers))
                }
                // Queue workers: Bull `queue.process(fn)`, amqplib `channel.consume(q, fn)`.
                "process" | "consume"
                    if args.iter().any(fn_like) && !matches!(receiver_text, "process") =>
                {
                    Some((
                        role(Frequency::PerMessage),
                        args.into_iter().filter(fn_like).collect(),
                    ))
                }
                // kafkajs `consumer.run({ eachMessage })`.
                "run" => {
                    let handlers: Vec<&Expr> = args
                        .iter()
                        .filter_map(|a| match strip(a) {
                            Expr::Object(o) => Some(o),
                            _ => None,
                        })
                        .flat_map(|o| object_values(o, &["eachMessage", "eachBatch"]))
                        .collect();
                    (!handlers.is_empty()).then(|| (role(Frequency::PerMessage), handlers))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// NestJS route and message handlers: `@Get()`, `@Post(':id')`, `@SubscribeMessage('x')`, ...
pub(super) fn decorator_role(decorators: &[Decorator], model: &Model<'_>) -> Option<Role> {
    decorators.iter().find_map(|d| {
        let name = decorator_name(d)?;
        let frequency = match name.as_str() {
            "Get" | "Post" | "Put" | "Patch" | "Delete" | "All" | "Head" | "Options" | "Query"
            | "Mutation" => Frequency::PerRequest,
            "SubscribeMessage" | "MessagePattern" | "EventPattern" | "OnEvent" | "Process" => {
                Frequency::PerMessage
            }
            "Interval" | "Cron" => Frequency::PerTick,
            _ => return None,
        };
        let span = Span::from_swc(d.span);
        Some(Role::registered(
            frequency,
            span,
            format!("`{}`", model.text(span)),
        ))
    })
}

/// Classes that a DI container instantiates once (NestJS providers are singletons by default).
pub(super) fn is_singleton_decorator(d: &Decorator) -> bool {
    matches!(
        decorator_name(d).as_deref(),
        Some("Controller" | "Injectable" | "Resolver" | "WebSocketGateway" | "Service")
    )
}

fn decorator_name(d: &Decorator) -> Option<Atom> {
    match strip(&d.expr) {
        Expr::Call(c) => match &c.callee {
            Callee::Expr(e) => match strip(e) {
                Expr::Ident(i) => Some(i.sym.clone()),
                _ => None,
            },
            _ => None,
        },
        Expr::Ident(i) => Some(i.sym.clone()),
        _ => None,
    }
}

fn is_fn_like(e: &Expr) -> bool {
    match strip(e) {
        Expr::Fn(_) | Expr::Arrow(_) | Expr::Ident(_) => true,
        // `this.handle`, `controller.list`, `handler.bind(this)`, `asyncHandler(async (req, res) => ...)`
        Expr::Member(m) => !matches!(strip(&m.obj), Expr::Lit(_)),
        Expr::Call(c) => {
            super::collect::bind_target(c).is_some()
                || c.args
                    .iter()
                    .any(|a| matches!(strip(&a.expr), Expr::Fn(_) | Expr::Arrow(_)))
        }
        _ => false,
    }
}

fn is_path_like(e: Option<&Expr>) -> bool {
    match e {
        Some(Expr::Lit(Lit::Str(s))) => {
            let v = s.value.to_atom_lossy();
            v.starts_with('/') || v.starts_with('*') || v.is_empty()
        }
        Some(Expr::Tpl(t)) => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .is_some_and(|c| c.to_atom_lossy().starts_with('/')),
        Some(Expr::Lit(Lit::Regex(_))) | Some(Expr::Array(_)) => true,
        _ => false,
    }
}

/// Receivers named like an application or router (`app`, `router`, `api`, `userRouter`, ...).
/// Modules whose `get` / `post` / ... describe mocked responses for tests, not routes.
const MOCK_SERVER_MODULES: &[&str] = &["msw", "msw/node", "msw/browser", "nock"];

/// Is `receiver` imported from a request-mocking library (`import { http } from 'msw'`)?
fn is_mock_server(receiver: &Expr, model: &Model<'_>) -> bool {
    let Expr::Ident(i) = receiver else {
        return false;
    };
    model
        .binding(&i.to_id())
        .and_then(|b| b.module())
        .is_some_and(|m| MOCK_SERVER_MODULES.contains(&m))
}

fn is_routerish(text: &str) -> bool {
    let last = text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "app" | "application" | "server" | "fastify" | "api" | "instance" | "koa"
    ) || last.ends_with("router")
        || last.ends_with("routes")
        || last.ends_with("app")
}

/// Receivers named like a server or socket.io namespace (for the ambiguous `'connect'` event).
fn is_serverish(text: &str) -> bool {
    let last = text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    last == "io"
        || last.ends_with("server")
        || last == "wss"
        || last.contains("namespace")
        || last == "nsp"
        || text.contains(".of(")
}

fn callee_method(call: &CallExpr) -> Option<Atom> {
    let Callee::Expr(c) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = strip(c) else {
        return None;
    };
    static_prop(&m.prop)
}

/// Handler-valued properties of a route object literal (`{ handler }`, `{ options: { handler } }`).
fn object_handlers(e: &Expr) -> Vec<&Expr> {
    let Expr::Object(o) = strip(e) else {
        return Vec::new();
    };
    let mut out = object_values(o, ROUTE_OBJECT_HANDLERS);
    for nested in object_values(o, &["options", "config"]) {
        if let Expr::Object(inner) = strip(nested) {
            out.extend(object_values(inner, ROUTE_OBJECT_HANDLERS));
        }
    }
    out
}

fn object_values<'o>(o: &'o ObjectLit, keys: &[&str]) -> Vec<&'o Expr> {
    let mut out = Vec::new();
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        match &**p {
            Prop::KeyValue(kv)
                if super::collect::prop_name(&kv.key)
                    .is_some_and(|k| keys.contains(&k.as_str())) =>
            {
                match strip(&kv.value) {
                    // `preHandler: [auth, check]`
                    Expr::Array(a) => out.extend(a.elems.iter().flatten().map(|e| &*e.expr)),
                    v => out.push(v),
                }
            }
            _ => {}
        }
    }
    out
}

/// Method shorthands among those keys (`{ handler(request, reply) { ... } }`): their start
/// offsets, for the collector to give them the role.
pub(super) fn object_methods(call: &CallExpr) -> Vec<usize> {
    let mut out = Vec::new();
    let mut visit = |o: &ObjectLit| {
        for p in &o.props {
            if let PropOrSpread::Prop(p) = p
                && let Prop::Method(m) = &**p
                && super::collect::prop_name(&m.key)
                    .is_some_and(|k| ROUTE_OBJECT_HANDLERS.contains(&k.as_str()))
            {
                out.push(Span::from_swc(m.function.span).start);
            }
        }
    };
    for a in &call.args {
        match strip(&a.expr) {
            Expr::Object(o) => visit(o),
            Expr::Array(arr) => arr.elems.iter().flatten().for_each(|e| {
                if let Expr::Object(o) = strip(&e.expr) {
                    visit(o)
                }
            }),
            _ => {}
        }
    }
    out
}

/// The part of a registering call a label points at: `app.get('/orders'`, `http.createServer`.
/// The whole call would swallow the handler's body.
fn registration_span(call: &CallExpr, callee: &Expr) -> Span {
    let callee = Span::from_swc(callee.span());
    match call.args.first().map(|a| strip(&a.expr)) {
        Some(first @ (Expr::Lit(_) | Expr::Tpl(_))) => {
            Span::new(callee.start, Span::from_swc(first.span()).end)
        }
        _ => callee,
    }
}

/// A short rendering of a registering call: `app.get('/orders/:id', ...)`.
fn call_text(call: &CallExpr, model: &Model<'_>) -> String {
    let callee = match &call.callee {
        Callee::Expr(e) => model.text(Span::from_swc(e.span())),
        _ => "",
    };
    let callee = if callee.len() > 60 {
        &callee[callee.len() - callee.len().min(60)..]
    } else {
        callee
    };
    let first = call
        .args
        .first()
        .map(|a| model.text(Span::from_swc(a.expr.span())));
    let text = match first {
        Some(f)
            if f.len() <= 40
                && !f.contains('\n')
                && matches!(strip(&call.args[0].expr), Expr::Lit(_) | Expr::Tpl(_)) =>
        {
            format!("{callee}({f}, ...)")
        }
        Some(_) => format!("{callee}(...)"),
        None => format!("{callee}()"),
    };
    format!("`{text}`")
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
    let class_named = |name: &str| {
        model
            .classes
            .iter()
            .position(|c| c.name.as_deref() == Some(name))
    };
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

/// Resolves the role of every function, and whether each is called from code in this file
/// that itself runs more than once (see the module docs for the order of evidence).
pub(super) fn resolve(model: &Model<'_>) -> (Vec<Role>, Vec<bool>) {
    let n = model.functions.len();
    let mut roles: Vec<Option<Role>> = vec![None; n];
    let mut in_progress = vec![false; n];
    let mut repeated = vec![false; n];
    let sites = method_sites(model);
    let sites = &sites;
    for f in 0..n {
        role_of(model, sites, f, &mut roles, &mut in_progress, &mut repeated);
    }
    (
        roles.into_iter().map(|r| r.unwrap_or(PER_CALL)).collect(),
        repeated,
    )
}

fn role_of(
    model: &Model<'_>,
    sites: &MethodSites,
    f: FnId,
    roles: &mut Vec<Option<Role>>,
    in_progress: &mut Vec<bool>,
    repeated: &mut Vec<bool>,
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
    if let Some(mut own) = func.registered.clone() {
        if let Some(o) = &mut own.origin {
            o.function = f;
        }
        candidates.push(own);
    }
    // Callers in other files (the project phase).
    if let Some(role) = model.project_role(f) {
        candidates.push(role.clone());
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
    if func.kind == FnKind::Method
        && let (Some(class), Some(name)) = (func.class, &func.name)
        && let Some(callers) = sites.get(&(class, name.clone()))
    {
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
        FnKind::Constructor => {
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
            if func.kind == FnKind::Method && func.parent.is_none() {
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
                across_files: false,
            }),
        };
    }
    // A start-up name is the last resort: it does not hold against evidence that the function
    // runs per call of something else (a method or callback nested in another function, called
    // from code that repeats), or that each call builds an object a listener keeps alive.
    if best.frequency == Frequency::PerCall
        && func.registered.is_none()
        && (func.parent.is_none() || matches!(func.context, FnContext::Named | FnContext::Iife))
        && !repeating_caller
        && is_startup_name(func.name.as_deref())
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

impl Model<'_> {
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
            if origin.across_files {
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
                format!("the constructor of {class} runs once per instance")
            }
            (_, Some((_, name))) => format!("`{name}` can be called any number of times"),
            (_, None) => "this code can run any number of times".to_string(),
        }
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
