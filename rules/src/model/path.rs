//! Access paths: a receiver or target written as a chain of property reads from a root
//! (`orderEvents`, `this.bus`, `req.app.locals`, `process.stdout`). Two paths are the same
//! object when their roots are the same binding (by resolver identity, not by name) and their
//! property names agree.

use swc_atoms::Atom;
use swc_ecma_ast::{Expr, Id, MemberProp, OptChainBase, SuperProp};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    /// A declared binding (resolver identity).
    Binding(Id),
    /// An identifier that resolves to no declaration in the file: a global such as `process`.
    Global(Atom),
    /// `this` inside the function with this id (`None`: module top level).
    This(Option<super::FnId>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessPath {
    pub root: Root,
    pub props: Vec<Atom>,
}

impl AccessPath {
    /// The path of an expression made only of identifiers, `this` and static property reads.
    /// `this_fn` is the function that owns `this` at that point. Parentheses and TypeScript
    /// assertions are looked through.
    pub fn of(
        expr: &Expr,
        unresolved: swc_common::SyntaxContext,
        this_fn: Option<super::FnId>,
    ) -> Option<AccessPath> {
        let mut props = Vec::new();
        let mut cur = expr;
        loop {
            match cur {
                Expr::Ident(i) => {
                    let root = if i.ctxt == unresolved {
                        Root::Global(i.sym.clone())
                    } else {
                        Root::Binding(i.to_id())
                    };
                    props.reverse();
                    return Some(AccessPath { root, props });
                }
                Expr::This(_) => {
                    props.reverse();
                    return Some(AccessPath {
                        root: Root::This(this_fn),
                        props,
                    });
                }
                Expr::Member(m) => {
                    props.push(static_prop(&m.prop)?);
                    cur = &m.obj;
                }
                // `a?.b`: the same object as `a.b` whenever the code after it runs.
                Expr::OptChain(o) => match &*o.base {
                    OptChainBase::Member(m) => {
                        props.push(static_prop(&m.prop)?);
                        cur = &m.obj;
                    }
                    OptChainBase::Call(_) => return None,
                },
                Expr::SuperProp(s) => match &s.prop {
                    SuperProp::Ident(n) => {
                        props.push(n.sym.clone());
                        props.reverse();
                        return Some(AccessPath {
                            root: Root::This(this_fn),
                            props,
                        });
                    }
                    SuperProp::Computed(_) => return None,
                },
                other => cur = unwrap_transparent(other)?,
            }
        }
    }

    /// The path of `obj.prop` without building a new expression.
    pub fn of_member(
        m: &swc_ecma_ast::MemberExpr,
        unresolved: swc_common::SyntaxContext,
        this_fn: Option<super::FnId>,
    ) -> Option<AccessPath> {
        let mut path = AccessPath::of(&m.obj, unresolved, this_fn)?;
        path.props.push(static_prop(&m.prop)?);
        Some(path)
    }

    pub fn is_global(&self, name: &str) -> bool {
        matches!(&self.root, Root::Global(g) if g == name)
    }

    /// `self` extended by one property.
    pub fn child(&self, prop: Atom) -> AccessPath {
        let mut props = self.props.clone();
        props.push(prop);
        AccessPath {
            root: self.root.clone(),
            props,
        }
    }
}

/// The property name of `a.b` or `a['b']`.
pub fn static_prop(prop: &MemberProp) -> Option<Atom> {
    match prop {
        MemberProp::Ident(n) => Some(n.sym.clone()),
        MemberProp::Computed(c) => match &*c.expr {
            Expr::Lit(swc_ecma_ast::Lit::Str(s)) => Some(s.value.to_atom_lossy().into_owned()),
            _ => None,
        },
        MemberProp::PrivateName(p) => Some(format!("#{}", p.name).into()),
    }
}

/// Expressions that evaluate to their operand: parentheses and TypeScript-only wrappers.
pub fn unwrap_transparent(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Paren(p) => Some(&p.expr),
        Expr::TsAs(t) => Some(&t.expr),
        Expr::TsNonNull(t) => Some(&t.expr),
        Expr::TsTypeAssertion(t) => Some(&t.expr),
        Expr::TsConstAssertion(t) => Some(&t.expr),
        Expr::TsSatisfies(t) => Some(&t.expr),
        Expr::TsInstantiation(t) => Some(&t.expr),
        // `(0, timers_1.clearInterval)(t)`: how TypeScript and Babel call an imported function
        // without a `this`. The value is the last expression.
        Expr::Seq(seq)
            if seq.exprs.len() == 2
                && matches!(&*seq.exprs[0], Expr::Lit(swc_ecma_ast::Lit::Num(_))) =>
        {
            Some(&seq.exprs[1])
        }
        _ => None,
    }
}

/// `expr` with parentheses and TypeScript wrappers removed.
pub fn strip(mut expr: &Expr) -> &Expr {
    while let Some(inner) = unwrap_transparent(expr) {
        expr = inner;
    }
    expr
}
