//! NestJS: route, message and schedule decorators give a method its role; provider and
//! controller decorators make a class a singleton of the DI container.

use swc_atoms::Atom;
use swc_ecma_ast::*;

use super::super::Model;
use super::super::path::strip;
use super::super::roles::{Frequency, Registrar};
use crate::Span;

/// NestJS route and message handlers: `@Get()`, `@Post(':id')`, `@SubscribeMessage('x')`, ...
pub(in crate::model) fn decorator_role(
    decorators: &[Decorator],
    model: &Model<'_>,
) -> Option<Registrar> {
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
        Some(Registrar::new(
            frequency,
            span,
            format!("`{}`", model.text(span)),
        ))
    })
}

/// `@WebSocketGateway()` on a class: a registrar of its connection lifecycle methods (see
/// [`gateway_lifecycle`]), quoted as the decorator.
pub(in crate::model) fn gateway_decorator(
    decorators: &[Decorator],
    model: &Model<'_>,
) -> Option<Registrar> {
    let d = decorators
        .iter()
        .find(|d| decorator_name(d).as_deref() == Some("WebSocketGateway"))?;
    let span = Span::from_swc(d.span);
    Some(Registrar::new(
        Frequency::PerConnection,
        span,
        format!(
            "`{}`, which calls it on every connection",
            model.excerpt(span, 60)
        ),
    ))
}

/// A gateway's `handleConnection(client)` / `handleDisconnect(client)` (NestJS's
/// `OnGatewayConnection` / `OnGatewayDisconnect`) run once per client connection.
pub(in crate::model) fn gateway_lifecycle(gateway: &Registrar, method: &str) -> Option<Registrar> {
    matches!(method, "handleConnection" | "handleDisconnect").then(|| gateway.clone())
}

/// Classes that a DI container instantiates once (NestJS providers are singletons by default).
pub(in crate::model) fn is_singleton_decorator(d: &Decorator) -> bool {
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

impl Model<'_> {
    /// Where this file gives NestJS's `HttpService` a deadline: `HttpModule.register({ timeout })`,
    /// `HttpModule.registerAsync(...)` (whose factory is not followed: taken as giving one), or
    /// `this.http.axiosRef.defaults.timeout = ...`.
    /// Used by `untimed-promise` and by the project summary (a process-wide setting).
    pub fn nest_http_timeout_set(&self) -> Option<Span> {
        let registered = self.member_calls().iter().find(|c| {
            c.receiver
                .as_ref()
                .is_some_and(|r| r.props.is_empty() && self.module_of(r) == Some("@nestjs/axios"))
                && (c.method == "registerAsync"
                    || (c.method == "register"
                        && c.args
                            .first()
                            .is_some_and(|a| self.options_set(a, &["timeout"]))))
        });
        if let Some(c) = registered {
            return Some(c.span);
        }
        self.member_writes()
            .iter()
            .find(|w| {
                w.key.as_deref() == Some("timeout")
                    && w.object.as_ref().is_some_and(|o| {
                        o.props
                            .ends_with(&[Atom::from("axiosRef"), Atom::from("defaults")])
                    })
            })
            .map(|w| w.span)
    }
}
