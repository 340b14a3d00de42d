//! Passport: a strategy is constructed once, but its verify callback runs on every login.

use swc_common::Spanned;
use swc_ecma_ast::*;

use super::super::Model;
use super::super::path::strip;
use super::super::roles::{Frequency, Registrar};
use super::super::syntax::is_fn_like;
use crate::Span;

/// The role a `new` expression gives to the functions passed to it.
///
/// Passport strategies (`new LocalStrategy(verify)`, `new OAuth2Strategy(options, verify)`): the
/// strategy is built once, at start-up, but passport calls its verify callback on every login
/// request that reaches `passport.authenticate(...)` (passport 0.7, `Strategy#authenticate`).
/// The evidence is the constructor's module, not its name: a binding from a `passport-*` package
/// (`require('passport-oauth2').Strategy`, `import { Strategy } from 'passport-jwt'`).
pub(in crate::model) fn classify_new<'n>(
    new: &'n NewExpr,
    model: &Model<'_>,
) -> Option<(Registrar, Vec<&'n Expr>)> {
    let root = match strip(&new.callee) {
        Expr::Ident(i) => i,
        // `new passportLocal.Strategy(verify)`
        Expr::Member(m) => match strip(&m.obj) {
            Expr::Ident(i) => i,
            _ => return None,
        },
        _ => return None,
    };
    let module = model.binding(&root.to_id())?.module()?;
    if !is_passport_strategy_module(module) {
        return None;
    }
    let handlers: Vec<&Expr> = new
        .args
        .iter()
        .flatten()
        .map(|a| &*a.expr)
        .filter(|e| is_fn_like(e))
        .collect();
    if handlers.is_empty() {
        return None;
    }
    let callee = model.excerpt(Span::from_swc(new.callee.span()), 60);
    // Read after "this handler is registered by".
    let text = format!(
        "`new {callee}(...)` as its verify callback, which passport calls on every login request"
    );
    Some((
        Registrar::new(
            Frequency::PerRequest,
            Span::from_swc(new.callee.span()),
            text,
        ),
        handlers,
    ))
}

/// `passport-local`, `passport-oauth2`, `@node-saml/passport-saml`, `passport-google-oauth20`:
/// the packages that export passport strategies (their names start with `passport-`).
fn is_passport_strategy_module(module: &str) -> bool {
    let mut parts = module.split('/');
    let first = parts.next().unwrap_or_default();
    let package = if first.starts_with('@') {
        parts.next().unwrap_or_default()
    } else {
        first
    };
    package.starts_with("passport-")
}
