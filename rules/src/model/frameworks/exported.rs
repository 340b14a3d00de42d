//! Handlers that a framework or platform finds by their export, not by a registering call:
//! file-routed HTTP handlers and serverless functions. The module's exports are the
//! registration, so the function runs on every request or invocation while the module, and
//! everything at its top level, lives on between them (a warm serverless instance keeps its
//! module scope for hours).
//!
//! - **Route handlers named by HTTP method**: `export async function GET(request)` (Next.js App
//!   Router `route.ts`, SvelteKit `+server.ts`, Astro endpoints, Nitro/Nuxt file routes:
//!   each calls the export named after the request's method).
//! - **Serverless handlers**: AWS Lambda's `exports.handler = async (event, context) => ...`
//!   (also `export const handler`, Netlify's and the Serverless Framework's functions, which
//!   follow Lambda's signature), and any exported function whose parameters are Lambda's
//!   `(event, context)`.
//! - **h3 / Nitro event handlers**: `defineEventHandler(fn)` and `eventHandler(fn)` (Nuxt
//!   auto-imports them, so a global name counts).

use swc_ecma_ast::{Expr, Pat};

use super::super::Model;
use super::super::path::strip;
use super::super::roles::{Frequency, Registrar};
use crate::Span;

/// The request methods a file-routed module exports handlers under.
const METHOD_EXPORTS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// First parameter names of a Lambda-style handler's event.
const EVENT_PARAMS: &[&str] = &["event", "evt", "_event"];

/// Second parameter names of a Lambda-style handler's context.
const CONTEXT_PARAMS: &[&str] = &["context", "ctx", "_context", "_ctx"];

/// The role an exported function gets from its export: `name` is the exported name, `params`
/// the function's parameters, `head` the span of the export as written up to the name
/// (`export async function GET`, `exports.handler`), quoted in messages.
pub(in crate::model) fn export_role(
    name: &str,
    params: &[&Pat],
    head: Span,
    model: &Model<'_>,
) -> Option<Registrar> {
    let names: Vec<&str> = params
        .iter()
        .map(|p| match p {
            Pat::Ident(i) => i.id.sym.as_str(),
            _ => "",
        })
        .collect();
    let what = if METHOD_EXPORTS.contains(&name) {
        format!("as a route handler, which the framework calls on every {name} request")
    } else if lambda_shaped(name, &names) {
        "as a serverless function, which the platform calls on every invocation".to_string()
    } else {
        return None;
    };
    let text = format!("`{}` {what}", model.excerpt(head, 60));
    Some(Registrar::new(Frequency::PerRequest, head, text))
}

/// The parameters of an exported value that is a function or arrow expression.
pub(in crate::model) fn fn_params(value: &Expr) -> Option<Vec<&Pat>> {
    match strip(value) {
        Expr::Fn(f) => Some(f.function.params.iter().map(|p| &p.pat).collect()),
        Expr::Arrow(a) => Some(a.params.iter().collect()),
        _ => None,
    }
}

/// `handler(event, ...)`, or any name with Lambda's `(event, context)`.
fn lambda_shaped(name: &str, params: &[&str]) -> bool {
    match params {
        [event, context, ..] if EVENT_PARAMS.contains(event) => {
            name == "handler" || CONTEXT_PARAMS.contains(context)
        }
        [event] => name == "handler" && EVENT_PARAMS.contains(event),
        _ => false,
    }
}

/// `defineEventHandler(fn)` / `eventHandler(fn)`: h3's (and so Nitro's and Nuxt's) request
/// handler wrappers.
pub(super) fn is_event_handler_wrapper(callee: &str) -> bool {
    matches!(callee, "defineEventHandler" | "eventHandler")
}
