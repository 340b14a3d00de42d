//! HTTP servers and routers: Express, Koa routers, Fastify, Hapi and `http.createServer`. Their
//! handlers run once per request (per connection for `net` / `tls` servers).

use swc_ecma_ast::*;

use super::super::Model;
use super::super::path::strip;
use super::super::roles::Frequency;
use super::super::syntax::{callee_method, object_values};
use super::{Registration, Site};

/// Route methods (and `use` / `param`, whose handlers also run per request).
pub(super) const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "head", "options", "use", "param",
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

/// Route-object properties that hold request handlers.
pub(super) const ROUTE_OBJECT_HANDLERS: &[&str] = &[
    "handler",
    "preHandler",
    "onRequest",
    "preValidation",
    "preParsing",
    "preSerialization",
    "onSend",
    "onResponse",
];

/// Modules whose `get` / `post` / ... describe mocked responses for tests, not routes.
const MOCK_SERVER_MODULES: &[&str] = &["msw", "msw/node", "msw/browser", "nock"];

/// Express / Koa-router / Fastify shorthand routes: `app.get('/path', ...handlers)`, and
/// `router.use(fn)` middleware; `configured` when the method is one of the project's own
/// `[knowledge] handler_registrars`.
pub(super) fn verb_route<'c>(
    site: &Site<'c, '_, '_>,
    configured: bool,
) -> Option<Registration<'c>> {
    // A mock server's request handlers (msw's `http.post(url, resolver)`) are test fixtures,
    // not a server's routes.
    if HTTP_VERBS.contains(&site.method.as_str()) && is_mock_server(site.receiver, site.model) {
        return None;
    }
    let first = site.args.first().copied().map(strip);
    let handlers = site.fn_args();
    if handlers.is_empty() {
        // Fastify: `fastify.get('/p', { handler, preHandler }, ...)`.
        let from_object: Vec<&Expr> = site.args.iter().flat_map(|a| object_handlers(a)).collect();
        if !from_object.is_empty() && is_path_like(first) {
            return Some((site.role(Frequency::PerRequest), from_object));
        }
        return None;
    }
    let path_first = is_path_like(first);
    let on_route_chain =
        matches!(site.receiver, Expr::Call(c) if callee_method(c).as_deref() == Some("route"));
    let routerish = is_routerish(site.receiver_text);
    let accepted = if site.method == "use" {
        // `app.use(fn)`: middleware runs per request. Plugin systems also have `.use(plugin)`,
        // so a named function needs a handler's arity.
        handlers.iter().all(|h| match strip(h) {
            Expr::Fn(f) => !f.function.params.is_empty(),
            Expr::Arrow(a) => !a.params.is_empty(),
            Expr::Call(_) => true,
            _ => routerish || path_first,
        })
    } else {
        path_first || on_route_chain || routerish || configured
    };
    if !accepted {
        return None;
    }
    let mut handlers = handlers;
    handlers.extend(site.args.iter().flat_map(|a| object_handlers(a)));
    Some((site.role(Frequency::PerRequest), handlers))
}

/// Fastify `route({ handler })`, Hapi `server.route({ handler })`, or arrays of them.
pub(super) fn route_objects<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let mut handlers = Vec::new();
    for a in &site.args {
        match strip(a) {
            Expr::Array(arr) => {
                for e in arr.elems.iter().flatten() {
                    handlers.extend(object_handlers(&e.expr));
                }
            }
            other => handlers.extend(object_handlers(other)),
        }
    }
    (!handlers.is_empty() || !super::object_methods(site.call).is_empty())
        .then(|| (site.role(Frequency::PerRequest), handlers))
}

/// Fastify `addHook(name, fn)`: per request for the request lifecycle hooks, start-up otherwise.
pub(super) fn fastify_hook<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let hook = site.first_str.as_ref()?;
    let frequency = if FASTIFY_REQUEST_HOOKS.contains(&hook.as_str()) {
        Frequency::PerRequest
    } else {
        Frequency::StartUp
    };
    let handlers = site.fn_args_after_first();
    Some((site.role(frequency), handlers))
}

/// Hapi `server.ext(point, fn)` at a request lifecycle point.
pub(super) fn hapi_ext<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let point = site.first_str.as_ref()?;
    HAPI_REQUEST_EXTS.contains(&point.as_str()).then(|| {
        let handlers = site.fn_args_after_first();
        (site.role(Frequency::PerRequest), handlers)
    })
}

/// `http.createServer(fn)` (per request), `net.createServer(fn)` (per connection).
pub(super) fn create_server<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let frequency = if matches!(site.receiver_text, "net" | "tls") {
        Frequency::PerConnection
    } else {
        Frequency::PerRequest
    };
    Some((site.role(frequency), site.fn_args()))
}

/// A route path as a first argument: `'/orders'`, `'*'`, a template, a regex or a list.
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

/// Receivers named like an application or router (`app`, `router`, `api`, `userRouter`, ...).
fn is_routerish(text: &str) -> bool {
    let last = text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "app" | "application" | "server" | "fastify" | "api" | "instance" | "koa"
    ) || last.ends_with("router")
        || last.ends_with("routes")
        || last.ends_with("app")
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
