//! PM2 ecosystem files (pm2.keymetrics.io "Ecosystem File"): `apps: [{ name, script,
//! node_args, interpreter_args, interpreter, env, env_<name>, cron_restart,
//! max_memory_restart }]`, written as JSON or as a JavaScript module
//! (`module.exports = { apps: [...] }`, `export default`, or a top-level `const` exported by
//! name). The JavaScript form is read from the program swc already parsed for the JavaScript
//! rules: object and array literals become a [`Node`] tree, anything computed is
//! [`Value::Other`].

use swc_ecma_ast::{
    AssignTarget, Decl, Expr, ExprOrSpread, Lit, MemberProp, ModuleDecl, ModuleItem, Pat, Program,
    Prop, PropName, PropOrSpread, SimpleAssignTarget, Stmt,
};

use super::command::{self, Word};
use super::tree::{Node, Value};
use super::{Deployment, Restart, RestartKind, Service};
use crate::Span;

/// The key under which an object's spread (`...defaults`) is kept.
const SPREAD: &str = "...";

pub(in crate::deploy) fn read(d: &mut Deployment<'_>, config: &Node) {
    let text = d.text;
    let apps: &[Node] = match (&config.value, config.get("apps")) {
        (_, Some(apps)) => apps.items(),
        (Value::Seq(items), None) => items,
        _ => &[],
    };
    for app in apps {
        for (key, kind) in [
            ("cron_restart", RestartKind::Pm2Cron),
            ("max_memory_restart", RestartKind::Pm2MaxMemory),
        ] {
            if let Some(v) = app.get(key)
                && let Some(value) = v.str()
                && !value.is_empty()
                && value != "false"
            {
                let key_span = app
                    .entries()
                    .iter()
                    .find(|(k, _)| k.str() == Some(key))
                    .map_or(v.span, |(k, _)| k.span);
                d.restarts.push(Restart {
                    kind,
                    span: key_span,
                    text: value.to_string(),
                });
            }
        }
        let name = app
            .get("name")
            .and_then(Node::str)
            .unwrap_or("app")
            .to_string();
        let interpreter = app
            .get("interpreter")
            .or_else(|| app.get("exec_interpreter"))
            .and_then(Node::str);
        let script = app.get("script").and_then(|s| {
            let text_value = s.str()?;
            let origin = command::Origin::of(text, text_value, s.span);
            Some(Word {
                text: text_value.to_string(),
                span: s.span,
                exact: origin.exact,
                value_at: None,
            })
        });
        let runs_node = interpreter
            .is_none_or(|i| matches!(command::base_name(i), "node" | "nodejs"))
            && script.as_ref().is_some_and(|s| is_javascript(&s.text));
        let mut node_args = Vec::new();
        let mut options_unknown = false;
        for key in ["node_args", "interpreter_args"] {
            if let Some(v) = app.get(key) {
                options_unknown |= matches!(v.value, Value::Other);
                node_args.extend(words_of(text, v));
            }
        }
        let mut env_options = Vec::new();
        for (k, v) in app.entries() {
            let is_env = k.str().is_some_and(|k| k == "env" || k.starts_with("env_"));
            if is_env {
                let (words, unknown) = super::compose::environment_options(text, Some(v));
                env_options.extend(words);
                options_unknown |= unknown;
            }
        }
        // A spread (`...defaults`) may set anything.
        options_unknown |= matches!(app.value, Value::Other) || app.get(SPREAD).is_some();
        d.services.push(Service {
            span: app.get("name").map_or(app.span, |n| n.span),
            name,
            script: if runs_node { script } else { None },
            node_args,
            env_options,
            options_unknown,
            long_running: true,
            ..Service::default()
        });
    }
}

/// A script PM2 runs with node: a `.js`, `.cjs` or `.mjs` file, or a path without extension
/// (`./bin/www`). Commands such as `npm` or `yarn`, and other languages, are not.
fn is_javascript(script: &str) -> bool {
    let name = command::base_name(script);
    match name.rsplit_once('.') {
        Some((_, ext)) => matches!(ext, "js" | "cjs" | "mjs"),
        None => script.contains('/') && !matches!(name, "npm" | "yarn" | "pnpm" | "npx"),
    }
}

/// Option words of `node_args`: a string of options or a list of them.
fn words_of(text: &str, v: &Node) -> Vec<Word> {
    match &v.value {
        Value::Scalar(s) => super::env_options(text, s, v.span),
        Value::Seq(items) => super::list_words(text, items),
        _ => Vec::new(),
    }
}

/// The object an ecosystem script exports, as a tree: `module.exports = {…}`,
/// `module.exports = config` with `const config = {…}` at the top level, or
/// `export default …` of either.
pub(crate) fn exported(program: &Program) -> Option<Node> {
    let items: Vec<&Stmt> = match program {
        Program::Script(s) => s.body.iter().collect(),
        Program::Module(m) => m
            .body
            .iter()
            .filter_map(|i| match i {
                ModuleItem::Stmt(s) => Some(s),
                ModuleItem::ModuleDecl(_) => None,
            })
            .collect(),
    };
    let mut exported: Option<&Expr> = None;
    for stmt in &items {
        if let Stmt::Expr(e) = stmt
            && let Expr::Assign(a) = &*e.expr
            && let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left
            && let Expr::Ident(obj) = &*m.obj
            && obj.sym == "module"
            && matches!(&m.prop, MemberProp::Ident(p) if p.sym == "exports")
        {
            exported = Some(&a.right);
        }
    }
    if let Program::Module(m) = program {
        for item in &m.body {
            if let ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) = item {
                exported = Some(&e.expr);
            }
        }
    }
    // Top-level `const name = …`: `module.exports = config`, `{ apps }`, `node_args: shared`.
    let consts: Vec<(&str, &Expr)> = items
        .iter()
        .filter_map(|s| match s {
            Stmt::Decl(Decl::Var(v)) => Some(v.decls.iter().filter_map(|d| match &d.name {
                Pat::Ident(b) => Some((b.id.sym.as_str(), d.init.as_deref()?)),
                _ => None,
            })),
            _ => None,
        })
        .flatten()
        .collect();
    Some(convert(exported?, &consts, 0))
}

fn convert(expr: &Expr, consts: &[(&str, &Expr)], depth: usize) -> Node {
    let span = Span::from_swc(swc_common::Spanned::span(expr));
    if depth > 64 {
        return Node {
            value: Value::Other,
            span,
        };
    }
    let value = match expr {
        Expr::Lit(Lit::Str(s)) => Value::Scalar(s.value.to_atom_lossy().to_string()),
        Expr::Lit(Lit::Num(n)) => Value::Scalar(n.value.to_string()),
        Expr::Lit(Lit::Bool(b)) => Value::Scalar(b.value.to_string()),
        Expr::Lit(Lit::Null(_)) => Value::Null,
        Expr::Tpl(t) if t.exprs.is_empty() => Value::Scalar(
            t.quasis
                .iter()
                .map(|q| q.raw.to_string())
                .collect::<String>(),
        ),
        Expr::Paren(p) => return convert(&p.expr, consts, depth + 1),
        Expr::Ident(name) => match consts.iter().find(|(n, _)| *n == name.sym.as_str()) {
            Some((_, value)) => {
                // The value where it is written, under the use's span.
                let node = convert(value, consts, depth + 1);
                return Node {
                    value: node.value,
                    span: node.span,
                };
            }
            None => Value::Other,
        },
        Expr::Array(a) => Value::Seq(
            a.elems
                .iter()
                .flatten()
                .filter(|e| e.spread.is_none())
                .map(|ExprOrSpread { expr, .. }| convert(expr, consts, depth + 1))
                .collect(),
        ),
        Expr::Object(o) => Value::Map(
            o.props
                .iter()
                .filter_map(|p| match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => {
                            let key_span = Span::from_swc(swc_common::Spanned::span(&kv.key));
                            let key = match &kv.key {
                                PropName::Ident(i) => i.sym.to_string(),
                                PropName::Str(s) => s.value.to_atom_lossy().to_string(),
                                _ => return None,
                            };
                            Some((
                                Node {
                                    value: Value::Scalar(key),
                                    span: key_span,
                                },
                                convert(&kv.value, consts, depth + 1),
                            ))
                        }
                        Prop::Shorthand(name) => {
                            let key_span = Span::from_swc(name.span);
                            Some((
                                Node {
                                    value: Value::Scalar(name.sym.to_string()),
                                    span: key_span,
                                },
                                convert(&Expr::Ident(name.clone()), consts, depth + 1),
                            ))
                        }
                        _ => None,
                    },
                    // A spread may set any key: kept as a `...` entry, so that readers know the
                    // object is not all written here.
                    PropOrSpread::Spread(s) => Some((
                        Node {
                            value: Value::Scalar(SPREAD.to_string()),
                            span: Span::from_swc(s.dot3_token),
                        },
                        Node {
                            value: Value::Other,
                            span: Span::from_swc(swc_common::Spanned::span(&*s.expr)),
                        },
                    )),
                })
                .collect(),
        ),
        _ => Value::Other,
    };
    Node { value, span }
}
