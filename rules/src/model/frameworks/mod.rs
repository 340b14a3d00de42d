//! Framework recognition: which calls, decorators and constructors register a function to be
//! called by a server or framework, and how often it is then called. One module per framework
//! family; [`classify_call`] dispatches on the method name, so that most calls are dismissed
//! before any text is looked at.
//!
//! - [`http`]: Express, Koa routers, Fastify (routes, route objects, hooks), Hapi (routes,
//!   extension points), `http.createServer` and friends;
//! - [`events`]: `emitter.on(event, fn)` and its aliases, by what the event means;
//! - [`queues`]: Bull / BullMQ workers, amqplib consumers, kafkajs `consumer.run`;
//! - [`timers`]: `setInterval` as a registrar (the callback runs per tick);
//! - [`nest`]: NestJS route, message and schedule decorators, and DI singletons;
//! - [`passport`]: passport strategies' verify callbacks;
//! - [`exported`]: handlers found by their export (`export async function GET`, Lambda's
//!   `exports.handler`) and h3's `defineEventHandler(fn)`.
//!
//! The roles they give are propagated by [`super::roles`].

mod events;
mod exported;
mod http;
mod nest;
mod passport;
mod queues;
mod servers;
#[cfg(test)]
mod tests;
mod timers;

pub(super) use exported::{export_role, fn_params};
pub(super) use nest::{
    decorator_role, gateway_decorator, gateway_lifecycle, is_singleton_decorator,
};
pub(super) use passport::classify_new;
pub(super) use servers::endpoint_of;

use swc_atoms::Atom;
use swc_common::Spanned;
use swc_ecma_ast::*;

use super::Model;
use super::path::{static_prop, strip};
use super::roles::{Frequency, Registrar};
use super::syntax::{is_fn_like, literal_string, prop_name};
use crate::Span;

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
    "@WebSocketGateway",
    "@MessagePattern",
    // Passport strategies' verify callbacks (`classify_new`).
    "passport-",
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
    // Handlers found by their export (`exported`).
    "function GET",
    "const GET",
    "function POST",
    "const POST",
    "function PUT",
    "const PUT",
    "function PATCH",
    "const PATCH",
    "function DELETE",
    "const DELETE",
    "function HEAD",
    "const HEAD",
    "function OPTIONS",
    "const OPTIONS",
    "exports.handler",
    "const handler",
    "function handler",
    "event, context",
    "event,context",
    "ventHandler(",
];

/// Every method name [`classify_call`] looks at, besides the listener methods of
/// [`super::emitters::LISTENER_METHODS`].
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
    "process",
    "consume",
    "run",
];

/// A call that may register handlers, as the recognisers see it.
struct Site<'c, 'm, 's> {
    call: &'c CallExpr,
    model: &'m Model<'s>,
    /// The arguments, in order.
    args: Vec<&'c Expr>,
    /// The receiver of a method call (`app` in `app.get(...)`), parentheses stripped.
    receiver: &'c Expr,
    /// Its source text (`app`, `this.server`).
    receiver_text: &'m str,
    /// The method called (`get`).
    method: Atom,
    /// The first argument when it is a string (`'/orders'`, `'connection'`).
    first_str: Option<Atom>,
    /// Where the registration label points.
    span: Span,
}

impl<'c> Site<'c, '_, '_> {
    /// A role given by this call, with its label.
    fn role(&self, frequency: Frequency) -> Registrar {
        Registrar::new(frequency, self.span, call_text(self.call, self.model))
    }

    /// [`Site::role`], its label followed by a note on why the handler repeats.
    fn role_noted(&self, frequency: Frequency, note: &str) -> Registrar {
        let text = format!("{}, {note}", call_text(self.call, self.model));
        Registrar::new(frequency, self.span, text)
    }

    /// The arguments after the first (a hook or extension-point name) that may be handlers.
    fn fn_args_after_first(&self) -> Vec<&'c Expr> {
        self.args
            .iter()
            .copied()
            .skip(1)
            .filter(|e| is_fn_like(e))
            .collect()
    }

    /// The arguments that may be handlers.
    fn fn_args(&self) -> Vec<&'c Expr> {
        self.args
            .iter()
            .copied()
            .filter(|e| is_fn_like(e))
            .collect()
    }
}

/// What a recogniser found: the role it gives and the handler expressions it gives it to.
type Registration<'c> = (Registrar, Vec<&'c Expr>);

/// The role a call gives to the functions passed to it, and which arguments those are.
pub(super) fn classify_call<'c>(call: &'c CallExpr, model: &Model<'_>) -> Option<Registration<'c>> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let span = registration_span(call, callee);
    let args: Vec<&Expr> = call.args.iter().map(|a| &*a.expr).collect();
    match strip(callee) {
        Expr::Ident(i) => {
            let role = |f| Registrar::new(f, span, call_text(call, model));
            match i.sym.as_str() {
                "setInterval" if i.ctxt == model.unresolved => {
                    Some((role(Frequency::PerTick), args.into_iter().take(1).collect()))
                }
                "createServer" => Some((
                    role(Frequency::PerRequest),
                    args.into_iter().filter(|e| is_fn_like(e)).collect(),
                )),
                name if exported::is_event_handler_wrapper(name) => Some((
                    role(Frequency::PerRequest),
                    args.into_iter().take(1).filter(|e| is_fn_like(e)).collect(),
                )),
                _ => None,
            }
        }
        Expr::Member(m) => {
            let method = static_prop(&m.prop)?;
            let configured = model
                .knowledge
                .handler_registrars
                .iter()
                .any(|r| r.as_str() == method.as_str());
            // Most calls are not registrations: decide that before looking at any text.
            if !REGISTRAR_METHODS.contains(&method.as_str())
                && !super::emitters::is_listener_method(&method)
                && !configured
            {
                return None;
            }
            let receiver = strip(&m.obj);
            let site = Site {
                call,
                model,
                first_str: literal_string(args.first().copied()),
                args,
                receiver,
                receiver_text: model.text(Span::from_swc(receiver.span())),
                method,
                span,
            };
            if http::HTTP_VERBS.contains(&site.method.as_str()) || configured {
                return http::verb_route(&site, configured);
            }
            match site.method.as_str() {
                "route" => http::route_objects(&site),
                "addHook" => http::fastify_hook(&site),
                "ext" => http::hapi_ext(&site),
                "createServer" | "createSecureServer" => http::create_server(&site),
                "setInterval" => timers::interval(&site),
                m if super::emitters::is_listener_method(m) => {
                    events::listener(&site).or_else(|| events::shared_client_request(&site))
                }
                "process" | "consume" => queues::worker(&site),
                "run" => queues::kafka_run(&site),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Method shorthands among those keys (`{ handler(request, reply) { ... } }`): their start
/// offsets, for the collector to give them the role.
pub(super) fn object_methods(call: &CallExpr) -> Vec<usize> {
    let mut out = Vec::new();
    let mut visit = |o: &ObjectLit| {
        for p in &o.props {
            if let PropOrSpread::Prop(p) = p
                && let Prop::Method(m) = &**p
                && prop_name(&m.key)
                    .is_some_and(|k| http::ROUTE_OBJECT_HANDLERS.contains(&k.as_str()))
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
    // Folded and cut by characters: a chain written over lines reads as one line, and a long
    // non-ASCII callee is not cut inside a character.
    let callee = match &call.callee {
        Callee::Expr(e) => model.excerpt(Span::from_swc(e.span()), 60),
        _ => String::new(),
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
