//! Pure syntax helpers shared by the collector and the framework recognisers: questions about
//! one AST node that need no model (is this function-like, which method does this call, which
//! values does this object literal hold under these keys). Nothing here imports from the rest of
//! the model, so every other model module can use it without an import cycle.

use swc_atoms::Atom;
use swc_ecma_ast::*;

use super::path::{static_prop, strip};

/// `this.handle.bind(this)`: the function being bound, for a `.bind(...)` call.
pub(super) fn bind_target(call: &CallExpr) -> Option<&Expr> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = strip(callee) else {
        return None;
    };
    (static_prop(&m.prop)? == "bind").then_some(&*m.obj)
}

/// The name of a property key written as an identifier or a string (`handler`, `'handler'`).
pub(super) fn prop_name(key: &PropName) -> Option<Atom> {
    match key {
        PropName::Ident(i) => Some(i.sym.clone()),
        PropName::Str(s) => Some(s.value.to_atom_lossy().into_owned()),
        _ => None,
    }
}

/// Could this argument be a handler: a function, a name or path that may hold one, a `.bind()`
/// result or a wrapper call around an inline function (`asyncHandler(async (req, res) => ...)`).
pub(super) fn is_fn_like(e: &Expr) -> bool {
    match strip(e) {
        Expr::Fn(_) | Expr::Arrow(_) | Expr::Ident(_) => true,
        // `this.handle`, `controller.list`, `handler.bind(this)`, `asyncHandler(async (req, res) => ...)`
        Expr::Member(m) => !matches!(strip(&m.obj), Expr::Lit(_)),
        Expr::Call(c) => {
            bind_target(c).is_some()
                || c.args
                    .iter()
                    .any(|a| matches!(strip(&a.expr), Expr::Fn(_) | Expr::Arrow(_)))
        }
        _ => false,
    }
}

/// The method name of a call on a member (`route` in `app.route('/x')`).
pub(super) fn callee_method(call: &CallExpr) -> Option<Atom> {
    let Callee::Expr(c) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = strip(c) else {
        return None;
    };
    static_prop(&m.prop)
}

/// The values under `keys` in an object literal; an array value gives each of its elements
/// (`preHandler: [auth, check]`).
pub(super) fn object_values<'o>(o: &'o ObjectLit, keys: &[&str]) -> Vec<&'o Expr> {
    let mut out = Vec::new();
    for p in &o.props {
        let PropOrSpread::Prop(p) = p else { continue };
        match &**p {
            Prop::KeyValue(kv)
                if prop_name(&kv.key).is_some_and(|k| keys.contains(&k.as_str())) =>
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

/// The text of a string literal or a template literal without substitutions.
pub(super) fn literal_string(e: Option<&Expr>) -> Option<Atom> {
    match e.map(strip) {
        Some(Expr::Lit(Lit::Str(s))) => Some(s.value.to_atom_lossy().into_owned()),
        Some(Expr::Tpl(t)) if t.exprs.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .map(|c| c.to_atom_lossy().into_owned()),
        _ => None,
    }
}

/// `'x'` in `require('x')`.
pub(super) fn require_source(call: &CallExpr) -> Option<Atom> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Ident(i) = strip(callee) else {
        return None;
    };
    if i.sym != "require" {
        return None;
    }
    match call.args.first().map(|a| strip(&a.expr)) {
        Some(Expr::Lit(Lit::Str(s))) => Some(s.value.to_atom_lossy().into_owned()),
        _ => None,
    }
}
