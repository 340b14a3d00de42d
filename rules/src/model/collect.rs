//! The model's single walk over the tree.
//!
//! Parents announce what they know about a child function before descending into it (its name,
//! binding, class, and the role a registrar gives it), keyed by the child's start position; the
//! child picks that up when it is entered. Everything else is recorded in source order.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;

use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith, noop_visit_type};

use super::frameworks;
use super::path::{AccessPath, Root, static_prop, strip};
use super::roles::Registrar;
use super::syntax::{bind_target, prop_name, require_source};
use super::{
    Arg, Binding, BindingKind, CallSite, ClassId, Delete, FnContext, FnId, FnKind, Init,
    MemberCall, MemberWrite, Model, NewCall, PlainCall, Use, UseKind,
};
use crate::Span;
use swc_common::Spanned;

pub(super) fn collect(model: &mut Model<'_>, program: &Program) {
    let mut c = Collector {
        model,
        frames: Vec::new(),
        pending: HashMap::default(),
        named_registrations: Vec::new(),
        this_registrations: Vec::new(),
        kept_results: HashMap::default(),
        named_fns: Vec::new(),
        uses: Vec::new(),
        fn_by_start: HashMap::default(),
        function_valued: HashSet::default(),
        field_news: HashSet::default(),
        field_init_depth: 0,
        field_init_fn: None,
        module_frame: Frame::default(),
        class_stack: Vec::new(),
        gateways: HashMap::default(),
        promise_vars: HashMap::default(),
        object_stack: Vec::new(),
    };
    program.visit_with(&mut c);
    c.finish();
}

/// What a parent knows about a function it is about to descend into.
#[derive(Default)]
struct Pending {
    name: Option<Atom>,
    binding: Option<Id>,
    kind: Option<FnKind>,
    class: Option<ClassId>,
    context: Option<FnContext>,
    registered: Option<Registrar>,
    argument_of: Option<(Atom, bool)>,
    stored_method: bool,
    static_member: bool,
    private_member: bool,
    object_span: Option<Span>,
    /// Its caller ignores what it returns: a `new Promise` executor.
    return_ignored: bool,
}

#[derive(Default)]
struct Frame {
    id: Option<FnId>,
    /// Depth of conditional branches inside this function.
    conditional: usize,
    /// Paths read by enclosing `if` tests inside this function.
    guards: Rc<Vec<AccessPath>>,
    /// Depth of `catch` clauses inside this function.
    in_catch: usize,
    /// A generator handed to a call (`__awaiter(this, void 0, void 0, function* () {...})`,
    /// `co(function* () {...})`): each `yield` waits for its promise, as `await` does.
    yield_awaits: bool,
}

struct Collector<'m, 'a> {
    model: &'m mut Model<'a>,
    frames: Vec<Frame>,
    pending: HashMap<usize, Pending>,
    /// Identifiers passed to registrars: resolved to their functions at the end.
    named_registrations: Vec<(Id, Span, Registrar)>,
    /// `this.method` passed to registrars: (class, method name, role).
    this_registrations: Vec<(ClassId, Atom, Registrar)>,
    /// Start offsets of calls whose result is kept (assigned, returned, passed).
    /// Start offsets of calls whose result is kept, with where it is stored when that is a path.
    kept_results: HashMap<usize, Option<AccessPath>>,
    /// Bindings whose value is a function, with the function's start: `init` is set in `finish`
    /// once the function has an id.
    named_fns: Vec<(Id, usize)>,
    uses: Vec<(Id, Use)>,
    /// Functions by start offset: how parents find the function an argument became.
    fn_by_start: HashMap<usize, FnId>,
    /// Variables assigned a function or class (`const f = () => {}`), whose reads are escapes.
    function_valued: HashSet<Id>,
    /// Starts of `new C` callee identifiers written in instance field initialisers.
    field_news: HashSet<usize>,
    field_init_depth: usize,
    /// The function around the class whose field initialiser is being walked.
    field_init_fn: Option<FnId>,
    module_frame: Frame,
    class_stack: Vec<ClassId>,
    /// NestJS `@WebSocketGateway()` classes: the decorator, which registers their connection
    /// lifecycle methods.
    gateways: HashMap<ClassId, Registrar>,
    /// Variables of functions initialised with promises (`const p = fetch(u)`, `const ps =
    /// urls.map(u => fetch(u))`): the starts [`Collector::promise_starts`] gives for them, so
    /// that `await p` and `Promise.all(ps)` wait for those calls.
    promise_vars: HashMap<Id, Vec<usize>>,
    /// Spans of the object literals being walked, innermost last.
    object_stack: Vec<Span>,
}

impl Collector<'_, '_> {
    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().unwrap_or(&mut self.module_frame)
    }

    fn current_fn(&self) -> Option<FnId> {
        self.frames.last().and_then(|f| f.id)
    }

    fn this_fn(&self) -> Option<FnId> {
        self.current_fn()
            .and_then(|f| self.model.functions[f].this_fn)
    }

    fn path(&self, expr: &Expr) -> Option<AccessPath> {
        AccessPath::of(expr, self.model.unresolved, self.this_fn())
    }

    /// `socket[hooked]` with `hooked` a module-level constant (a `Symbol` marker): the path
    /// `socket.[hooked]`, so that a marker written on an object and tested later is one slot.
    fn marker_path(&self, m: &MemberExpr) -> Option<AccessPath> {
        let MemberProp::Computed(c) = &m.prop else {
            return None;
        };
        let Expr::Ident(i) = strip(&c.expr) else {
            return None;
        };
        let b = self.model.bindings.get(&i.to_id())?;
        if b.scope.is_some() || b.kind != BindingKind::Const {
            return None;
        }
        Some(self.path(&m.obj)?.child(format!("[{}]", i.sym).into()))
    }

    fn pending_mut(&mut self, start: usize) -> &mut Pending {
        self.pending.entry(start).or_default()
    }

    fn declare(&mut self, ident: &Ident, kind: BindingKind, init: Init) {
        let scope = self.current_fn();
        self.model.bindings.insert(
            ident.to_id(),
            Binding {
                name: ident.sym.clone(),
                span: Span::from_swc(ident.span),
                scope,
                kind,
                init,
                imported: None,
                large: None,
                large_assigned: None,
                endpoint: None,
                copy_of: None,
                read_from: None,
                object: None,
                iterates: None,
                uses: Vec::new(),
            },
        );
    }

    /// Records the exported name a local binding was imported under.
    fn set_imported(&mut self, local: &Ident, imported: Atom) {
        if let Some(b) = self.model.bindings.get_mut(&local.to_id()) {
            b.imported = Some(imported);
        }
    }

    /// Records a use; attached to its binding in `finish`, because a use can come before the
    /// declaration (hoisted functions and `var`s, functions that read later `const`s).
    fn use_ident(&mut self, ident: &Ident, kind: UseKind) {
        // Uses answer "how is this function or class called, instantiated, passed on". A read of
        // a binding already known to hold something else (most reads) cannot matter.
        // A global has no binding to record a use on.
        if ident.ctxt == self.model.unresolved {
            return;
        }
        if kind == UseKind::Read
            && let Some(b) = self.model.bindings.get(&ident.to_id())
            && !matches!(b.kind, BindingKind::Function | BindingKind::Class)
            && b.large.is_none()
            && b.copy_of.is_none()
            && !self.function_valued.contains(&ident.to_id())
        {
            return;
        }
        let in_fn = self.current_fn();
        self.uses.push((
            ident.to_id(),
            Use {
                span: Span::from_swc(ident.span),
                in_fn,
                kind,
            },
        ));
    }

    /// Enters a function: records it with what its parent announced, then walks its body.
    fn enter_function(
        &mut self,
        span: swc_common::Span,
        default_kind: FnKind,
        params: Vec<(&Pat, Option<&TsType>)>,
        walk: impl FnOnce(&mut Self),
    ) {
        let span = Span::from_swc(span);
        let pending = self.pending.remove(&span.start).unwrap_or_default();
        let id = self.model.functions.next_id();
        self.fn_by_start.insert(span.start, id);
        let parent = self.current_fn();
        let kind = pending.kind.unwrap_or(default_kind);
        let this_fn = if kind == FnKind::Arrow {
            parent.and_then(|p| self.model.functions[p].this_fn)
        } else {
            Some(id)
        };
        self.model.functions.push(super::Function {
            span,
            parent,
            kind,
            name: pending.name,
            binding: pending.binding,
            params: Vec::new(),
            class: pending.class,
            this_fn,
            context: pending.context.unwrap_or(FnContext::Escapes),
            registered: pending.registered,
            argument_of: pending.argument_of,
            stored_method: pending.stored_method,
            static_member: pending.static_member,
            private_member: pending.private_member,
            object_span: pending.object_span,
            early_exit_reads: Vec::new(),
            writes: Vec::new(),
            steady_writes: Vec::new(),
        });
        self.frames.push(Frame {
            id: Some(id),
            ..Frame::default()
        });
        for (index, (pat, ty)) in params.into_iter().enumerate() {
            let mut idents = Vec::new();
            pat_idents(pat, &mut idents);
            let type_name = ty.and_then(type_ref_name);
            let keys = object_pat_keys(pat);
            for ident in idents {
                self.declare(ident, BindingKind::Param, Init::None);
                let from_key = keys
                    .iter()
                    .find(|(i, _)| i.span == ident.span)
                    .map(|(_, k)| k.clone());
                self.model.functions[id].params.push(super::Param {
                    id: ident.to_id(),
                    name: ident.sym.clone(),
                    span: Span::from_swc(ident.span),
                    type_name: type_name.clone(),
                    index,
                    from_key,
                });
            }
            // Default values and decorators run in the function's scope.
            pat.visit_with(self);
        }
        walk(self);
        self.frames.pop();
    }

    /// Handlers registered by their export (`export async function GET(request)`, `export const
    /// handler = async (event, context) => ...`): announced before the function is entered.
    fn register_exported_handlers(&mut self, n: &ExportDecl) {
        let export_start = Span::from_swc(n.span).start;
        match &n.decl {
            Decl::Fn(f) => {
                let params: Vec<&Pat> = f.function.params.iter().map(|p| &p.pat).collect();
                let head = Span::new(export_start, Span::from_swc(f.ident.span).end);
                if let Some(role) = frameworks::export_role(&f.ident.sym, &params, head, self.model)
                {
                    self.pending_mut(Span::from_swc(f.function.span).start)
                        .registered = Some(role);
                }
            }
            Decl::Var(v) => {
                for d in &v.decls {
                    let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) else {
                        continue;
                    };
                    let head = Span::new(export_start, Span::from_swc(name.id.span).end);
                    if let Some(params) = frameworks::fn_params(init)
                        && let Some(role) =
                            frameworks::export_role(&name.id.sym, &params, head, self.model)
                        && let Some(start) = fn_start(init)
                    {
                        self.pending_mut(start).registered = Some(role);
                    }
                }
            }
            _ => {}
        }
    }

    /// What a call records whatever its callee: arguments, the branch and guards around it,
    /// and where its result is kept.
    fn call_site(
        &self,
        n: &CallExpr,
        span: Span,
        callee_span: Span,
        in_fn: Option<FnId>,
    ) -> CallSite {
        let frame = self.frames.last().unwrap_or(&self.module_frame);
        CallSite {
            span,
            callee_span,
            args: n.args.iter().map(|a| self.summarize_arg(&a.expr)).collect(),
            in_fn,
            conditional: frame.conditional > 0,
            guards: Rc::clone(&frame.guards),
            result_kept: self.kept_results.contains_key(&span.start),
            stored_to: self.kept_results.get(&span.start).cloned().flatten(),
        }
    }

    /// Announces the role a registrar gives to each of its handler arguments.
    fn register_handlers(&mut self, handlers: Vec<&Expr>, role: Registrar) {
        for handler in handlers {
            let handler = strip(handler);
            match handler {
                Expr::Fn(f) => {
                    self.pending_mut(Span::from_swc(f.function.span).start)
                        .registered = Some(role.clone())
                }
                Expr::Arrow(a) => {
                    self.pending_mut(Span::from_swc(a.span).start).registered = Some(role.clone())
                }
                Expr::Ident(i) => {
                    self.named_registrations.push((
                        i.to_id(),
                        Span::from_swc(i.span),
                        role.clone(),
                    ));
                    self.record_registered_ref(handler, &role);
                }
                Expr::Member(m) => {
                    if let (Expr::This(_), Some(name)) = (strip(&m.obj), static_prop(&m.prop))
                        && let Some(&class) = self.class_stack.last()
                    {
                        self.this_registrations.push((class, name, role.clone()));
                    } else {
                        self.record_registered_ref(handler, &role);
                    }
                }
                Expr::Call(call) => {
                    // `handler.bind(this)` and wrappers such as `asyncHandler(async (req, res) => ...)`.
                    if let Some(inner) = bind_target(call) {
                        self.register_handlers(vec![inner], role.clone());
                    } else {
                        let inner: Vec<&Expr> = call.args.iter().map(|a| &*a.expr).collect();
                        let inner = inner
                            .into_iter()
                            .filter(|e| matches!(strip(e), Expr::Fn(_) | Expr::Arrow(_)))
                            .collect();
                        self.register_handlers(inner, role.clone());
                    }
                }
                _ => {}
            }
        }
    }

    /// A handler named by a path (`members.show`, `show`): kept for the project phase, which
    /// follows imported handlers into their files.
    fn record_registered_ref(&mut self, handler: &Expr, role: &Registrar) {
        if let Some(path) = self.path(handler) {
            let in_fn = self.current_fn();
            self.model.registered_refs.push((path, role.clone(), in_fn));
        }
    }

    fn summarize_arg(&self, expr: &Expr) -> Arg {
        let span = Span::from_swc(expr.span());
        match strip(expr) {
            Expr::Lit(Lit::Str(s)) => Arg::Str(s.value.to_atom_lossy().into_owned(), span),
            Expr::Tpl(t) if t.exprs.is_empty() => Arg::Str(
                t.quasis
                    .first()
                    .and_then(|q| q.cooked.as_ref())
                    .map(|c| c.to_atom_lossy().into_owned())
                    .unwrap_or_default(),
                span,
            ),
            Expr::Lit(Lit::Bool(b)) => Arg::Bool(b.value, span),
            Expr::Lit(Lit::Num(n)) => Arg::Num(n.value, span),
            Expr::New(new) => Arg::New(
                self.model.text(Span::from_swc(new.callee.span())).into(),
                span,
            ),
            Expr::Fn(f) => self
                .fn_at(f.function.span)
                .map_or(Arg::Other(span), |id| Arg::Fn(id, span)),
            Expr::Arrow(a) => self
                .fn_at(a.span)
                .map_or(Arg::Other(span), |id| Arg::Fn(id, span)),
            Expr::Object(o) => {
                let mut props = Vec::new();
                for p in &o.props {
                    if let PropOrSpread::Spread(spread) = p {
                        props.push((super::SPREAD_KEY.into(), self.summarize_arg(&spread.expr)));
                    }
                    if let PropOrSpread::Prop(p) = p {
                        match &**p {
                            Prop::KeyValue(kv) => {
                                if let Some(k) = prop_name(&kv.key) {
                                    props.push((k, self.summarize_arg(&kv.value)));
                                }
                            }
                            Prop::Shorthand(i) => props.push((
                                i.sym.clone(),
                                self.path(&Expr::Ident(i.clone()))
                                    .map_or(Arg::Other(Span::from_swc(i.span)), |p| {
                                        Arg::Path(p, Span::from_swc(i.span))
                                    }),
                            )),
                            Prop::Method(m) => {
                                if let Some(k) = prop_name(&m.key) {
                                    let s = Span::from_swc(m.function.span);
                                    props.push((
                                        k,
                                        self.fn_at(m.function.span)
                                            .map_or(Arg::Other(s), |id| Arg::Fn(id, s)),
                                    ));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Arg::Object(props, span)
            }
            Expr::Call(call) if is_object_merge(call) => Arg::Object(
                call.args
                    .iter()
                    .map(|a| (super::SPREAD_KEY.into(), self.summarize_arg(&a.expr)))
                    .collect(),
                span,
            ),
            Expr::Call(call) => match bind_target(call).and_then(|t| self.path(t)) {
                Some(p) => Arg::Bound(p, span),
                None => Arg::Other(span),
            },
            e => self
                .path(e)
                .map_or(Arg::Other(span), |p| Arg::Path(p, span)),
        }
    }

    /// The function recorded at this span (functions are recorded when entered, so this works
    /// for arguments after the call's children have been walked).
    fn fn_at(&self, span: swc_common::Span) -> Option<FnId> {
        self.fn_by_start.get(&Span::from_swc(span).start).copied()
    }

    fn finish(&mut self) {
        let field_news = std::mem::take(&mut self.field_news);
        for (id, u) in std::mem::take(&mut self.uses) {
            if let Some(b) = self.model.bindings.get_mut(&id) {
                if let (UseKind::New, Init::Class(class)) = (u.kind, &b.init) {
                    if field_news.contains(&u.span.start) {
                        // `matches = new MatchRecord()` in a class body runs once per instance
                        // of the enclosing class, not once at module scope.
                        self.model.instantiated_per_instance.insert(*class);
                    } else {
                        self.model.instantiations.push((*class, u.in_fn, u.span));
                    }
                }
                b.uses.push(u);
            }
        }
        for (id, start) in std::mem::take(&mut self.named_fns) {
            let f = self.fn_by_start.get(&start).copied();
            if let (Some(f), Some(b)) = (f, self.model.bindings.get_mut(&id)) {
                b.init = Init::Function(f);
            }
        }
        for (id, at, role) in std::mem::take(&mut self.named_registrations) {
            if let Some(f) = self.model.function_of_binding(&id)
                && self.model.functions[f].registered.is_none()
            {
                self.model.functions[f].registered = Some(role);
            }
            if let Some(b) = self.model.bindings.get_mut(&id) {
                // Passing a handler to a registrar is not an escape: relabel that read.
                if let Some(u) = b
                    .uses
                    .iter_mut()
                    .find(|u| u.span == at && u.kind == UseKind::Read)
                {
                    u.kind = UseKind::Registered;
                }
            }
        }
        let this_registrations = std::mem::take(&mut self.this_registrations);
        if !this_registrations.is_empty() {
            let methods: HashMap<(ClassId, &Atom), FnId> = self
                .model
                .functions
                .iter_ids()
                .filter(|(_, f)| f.kind == FnKind::Method)
                .filter_map(|(i, f)| Some(((f.class?, f.name.as_ref()?), i)))
                .collect();
            let targets: Vec<(FnId, Registrar)> = this_registrations
                .into_iter()
                .filter_map(|(class, name, role)| Some((*methods.get(&(class, &name))?, role)))
                .collect();
            for (m, role) in targets {
                self.model.functions[m].registered.get_or_insert(role);
            }
        }
    }

    fn with_condition(&mut self, guards: Vec<AccessPath>, walk: impl FnOnce(&mut Self)) {
        let frame = self.frame();
        frame.conditional += 1;
        let saved = if guards.is_empty() {
            None
        } else {
            let mut extended = Vec::clone(&frame.guards);
            extended.extend(guards);
            Some(std::mem::replace(&mut frame.guards, Rc::new(extended)))
        };
        walk(self);
        let frame = self.frame();
        frame.conditional -= 1;
        if let Some(saved) = saved {
            frame.guards = saved;
        }
    }

    /// `obj[k] = v`, `obj.k ??= v`, and `this.x = v` in a constructor (a field's initialiser).
    fn record_member_write(&mut self, n: &AssignExpr, m: &MemberExpr) {
        let key = match &m.prop {
            MemberProp::Computed(c) if !matches!(strip(&c.expr), Expr::Lit(Lit::Str(_))) => None,
            prop => static_prop(prop),
        };
        let object = self.path(&m.obj);
        let in_fn = self.current_fn();
        if let (Some(name), Expr::This(_), Some(f)) = (&key, strip(&m.obj), in_fn)
            && self.model.functions[f].kind.builds_instance()
            && let Some(class) = self.model.functions[f].class
        {
            let init = self.init_of(&n.right);
            self.model
                .field_inits
                .push((class, name.clone(), init, Span::from_swc(n.span)));
        }
        let value = self.summarize_arg(&n.right);
        let key_arg = match (&key, &m.prop) {
            (None, MemberProp::Computed(c)) => Some(self.summarize_arg(&c.expr)),
            _ => None,
        };
        self.model.member_writes.push(MemberWrite {
            span: Span::from_swc(n.span),
            object,
            key,
            key_arg,
            op: n.op,
            value,
            in_fn,
        });
    }

    /// The promise of `expr` (a call or `new`, possibly at the end of a `.then()` chain) is
    /// awaited or returned.
    fn mark_awaited(&mut self, expr: &Expr) {
        let mut starts = Vec::new();
        self.promise_starts(expr, &mut starts);
        self.model.awaited.extend(starts);
    }

    /// The start offsets of the calls and `new`s whose promises `expr` waits for: the call
    /// itself and the head of its `.then()` chain; every element of a `Promise.all`,
    /// `allSettled`, `any` or `race` (an array literal, `xs.map(x => fetch(x))`, or a variable
    /// holding either); and what a variable was initialised with (`const p = fetch(u); await p`).
    fn promise_starts(&self, expr: &Expr, out: &mut Vec<usize>) {
        let mut cur = strip(expr);
        loop {
            match cur {
                Expr::Call(c) => {
                    out.push(Span::from_swc(c.span).start);
                    if is_promise_combinator(c) {
                        for arg in &c.args {
                            self.list_starts(&arg.expr, out);
                        }
                    }
                    // `fetch(u).then(r => r.json())`: the chain's head is awaited too.
                    match &c.callee {
                        Callee::Expr(callee) => match strip(callee) {
                            Expr::Member(m) => cur = strip(&m.obj),
                            _ => return,
                        },
                        _ => return,
                    }
                }
                Expr::New(n) => {
                    out.push(Span::from_swc(n.span).start);
                    return;
                }
                Expr::OptChain(o) => {
                    if let OptChainBase::Call(c) = &*o.base {
                        out.push(Span::from_swc(c.span).start);
                    }
                    return;
                }
                Expr::Ident(i) => {
                    if let Some(starts) = self.promise_vars.get(&i.to_id()) {
                        out.extend(starts.iter().copied());
                    }
                    return;
                }
                _ => return,
            }
        }
    }

    /// The promises of a list handed to `Promise.all` and its kin: the elements of an array
    /// literal (spreads included), what a `.map()` callback returns, or a variable holding one.
    fn list_starts(&self, expr: &Expr, out: &mut Vec<usize>) {
        match strip(expr) {
            Expr::Array(a) => {
                for e in a.elems.iter().flatten() {
                    if e.spread.is_some() {
                        self.list_starts(&e.expr, out);
                    } else {
                        self.promise_starts(&e.expr, out);
                    }
                }
            }
            Expr::Call(c) => match mapped_callback(c) {
                Some(body) => self.promise_starts(body, out),
                None => self.promise_starts(expr, out),
            },
            e @ Expr::Ident(_) => self.promise_starts(e, out),
            _ => {}
        }
    }

    /// `expr` runs inside `Promise.race([...])`, with its `.then()` chain.
    fn mark_raced(&mut self, expr: &Expr) {
        let mut cur = strip(expr);
        if let Expr::New(n) = cur {
            self.model.raced.insert(Span::from_swc(n.span).start);
            return;
        }
        while let Expr::Call(c) = cur {
            self.model.raced.insert(Span::from_swc(c.span).start);
            match &c.callee {
                Callee::Expr(callee) => match strip(callee) {
                    Expr::Member(m) => cur = strip(&m.obj),
                    _ => return,
                },
                _ => return,
            }
        }
    }

    /// Marks a call's result as kept (assigned, returned, passed on), and where it is stored.
    fn keep(&mut self, call_start: usize, stored: Option<AccessPath>) {
        self.kept_results.insert(call_start, stored);
    }

    /// What an initialiser makes, as far as the rules care.
    fn init_of(&self, expr: &Expr) -> Init {
        match strip(expr) {
            // `options.store || new Store()`: a new instance whenever none is passed in.
            Expr::Bin(b)
                if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing)
                    && matches!(strip(&b.right), Expr::New(_)) =>
            {
                self.init_of(&b.right)
            }
            Expr::New(new) => Init::New(self.model.text(Span::from_swc(new.callee.span())).into()),
            Expr::Array(_) => Init::ArrayLit,
            Expr::Object(_) => Init::ObjectLit,
            Expr::Call(call) => {
                if let Some(src) = require_source(call) {
                    return Init::Require(src);
                }
                // `__importDefault(require('axios'))`, `interopDefault(axios)`: a compiler's
                // wrapper around a module is that module (its `default` is the module itself).
                if is_interop_helper(call)
                    && let Some(first) = call.args.first()
                {
                    match strip(&first.expr) {
                        Expr::Call(inner) => {
                            if let Some(src) = require_source(inner) {
                                return Init::Require(src);
                            }
                        }
                        Expr::Ident(i) => {
                            if let Some(m) = self
                                .model
                                .binding(&i.to_id())
                                .filter(|b| b.imported.is_none())
                                .and_then(|b| b.specifier())
                            {
                                return Init::Require(m.into());
                            }
                        }
                        _ => {}
                    }
                }
                // `Object.create(null)`: a dictionary object.
                let is_object_create = matches!(&call.callee, Callee::Expr(c) if matches!(strip(c),
                    Expr::Member(m) if matches!(strip(&m.obj), Expr::Ident(o) if o.sym == "Object")
                        && static_prop(&m.prop).as_deref() == Some("create")));
                if is_object_create {
                    Init::ObjectLit
                } else {
                    Init::Other
                }
            }
            Expr::Member(m) => match strip(&m.obj) {
                Expr::Call(call) => require_source(call).map_or(Init::Other, Init::Require),
                _ => Init::Other,
            },
            _ => Init::Other,
        }
    }

    /// `const s = opts.signal` / `const { signal: s } = init || {}`: where each name's value was
    /// read from.
    /// `payload = Buffer.from(payload)`: a `let`/`var` of a function made large after its
    /// declaration. Reads are recorded only for bindings already known to be large (see
    /// [`Self::use_ident`]), so closures that read the variable before this assignment, in
    /// source order, are not seen.
    fn record_large_assignment(&mut self, target: &Ident, n: &AssignExpr) {
        if n.op != AssignOp::Assign {
            return;
        }
        let Some(large) = large_value(&n.right) else {
            return;
        };
        if let Some(b) = self.model.bindings.get_mut(&target.to_id())
            && matches!(b.kind, BindingKind::Let | BindingKind::Var)
            && b.scope.is_some()
            && b.large.is_none()
        {
            b.large = Some(large);
            b.large_assigned = Some(Span::from_swc(n.span));
        }
    }

    fn record_read_from(&mut self, pat: &Pat, value: &Expr) {
        let value = match strip(value) {
            // `init || {}`, `init ?? {}`: the object is `init` whenever it has properties.
            Expr::Bin(b)
                if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing)
                    && matches!(strip(&b.right), Expr::Object(o) if o.props.is_empty()) =>
            {
                strip(&b.left)
            }
            v => v,
        };
        match pat {
            Pat::Ident(name) => {
                if let Expr::Member(_) | Expr::Ident(_) = value
                    && let Some(from) = self.path(value)
                    && let Some(b) = self.model.bindings.get_mut(&name.id.to_id())
                {
                    b.read_from = Some(from);
                }
            }
            Pat::Object(o) => {
                let Some(from) = self.path(value) else { return };
                for p in &o.props {
                    let (key, local) = match p {
                        ObjectPatProp::KeyValue(kv) => match (prop_name(&kv.key), &*kv.value) {
                            (Some(k), Pat::Ident(l)) => (k, &l.id),
                            (Some(k), Pat::Assign(a)) => match &*a.left {
                                Pat::Ident(l) => (k, &l.id),
                                _ => continue,
                            },
                            _ => continue,
                        },
                        ObjectPatProp::Assign(a) => (a.key.sym.clone(), &a.key.id),
                        ObjectPatProp::Rest(_) => continue,
                    };
                    if let Some(b) = self.model.bindings.get_mut(&local.to_id()) {
                        b.read_from = Some(from.child(key));
                    }
                }
            }
            _ => {}
        }
    }

    fn record_write(&mut self, path: Option<AccessPath>) {
        if let (Some(path), Some(f)) = (path, self.current_fn()) {
            let frame = self.frames.last();
            if frame.is_some_and(|fr| fr.conditional == 0 && fr.in_catch == 0) {
                self.model.functions[f].steady_writes.push(path.clone());
            }
            self.model.functions[f].writes.push(path);
        }
    }
}

impl Visit for Collector<'_, '_> {
    noop_visit_type!();

    // ----- declarations -------------------------------------------------------------------

    fn visit_import_decl(&mut self, n: &ImportDecl) {
        let src = n.src.value.to_atom_lossy().into_owned();
        for s in &n.specifiers {
            let local = match s {
                ImportSpecifier::Named(s) => &s.local,
                ImportSpecifier::Default(s) => &s.local,
                ImportSpecifier::Namespace(s) => &s.local,
            };
            self.declare(local, BindingKind::Import, Init::Import(src.clone()));
            if let ImportSpecifier::Named(named) = s {
                let imported = match &named.imported {
                    Some(ModuleExportName::Ident(i)) => i.sym.clone(),
                    Some(ModuleExportName::Str(s)) => s.value.to_atom_lossy().into_owned(),
                    None => named.local.sym.clone(),
                };
                self.set_imported(&named.local, imported);
            }
        }
    }

    fn visit_var_decl(&mut self, n: &VarDecl) {
        let kind = match n.kind {
            VarDeclKind::Var => BindingKind::Var,
            VarDeclKind::Let => BindingKind::Let,
            VarDeclKind::Const => BindingKind::Const,
        };
        for d in &n.decls {
            let init = d.init.as_deref().map_or(Init::None, |e| self.init_of(e));
            let mut idents = Vec::new();
            pat_idents(&d.name, &mut idents);
            for ident in &idents {
                self.declare(ident, kind, init.clone());
            }
            // What closures may keep: a large value, or a copy of another variable.
            if let (Pat::Ident(name), Some(value)) = (&d.name, d.init.as_deref()) {
                let large = large_value(value);
                let copy_of = match strip(value) {
                    Expr::Ident(i) if i.ctxt != self.model.unresolved => Some(i.to_id()),
                    _ => None,
                };
                let endpoint = frameworks::endpoint_of(value, self.model);
                if let Some(b) = self.model.bindings.get_mut(&name.id.to_id()) {
                    b.large = large;
                    b.copy_of = copy_of;
                    b.endpoint = endpoint;
                }
            }
            if let Some(value) = d.init.as_deref() {
                self.record_read_from(&d.name, value);
                // `const cfg = { ... }`, or merged: `Object.assign({}, init, { signal })`.
                let object_like = match strip(value) {
                    Expr::Object(_) => true,
                    Expr::Call(c) => is_object_merge(c),
                    _ => false,
                };
                if let (Pat::Ident(name), true) = (&d.name, object_like) {
                    let object = self.summarize_arg(value);
                    if let Some(b) = self.model.bindings.get_mut(&name.id.to_id()) {
                        b.object = Some(Box::new(object));
                    }
                }
            }
            // `const { setInterval: every } = require('timers')`
            if let (Pat::Object(o), Init::Require(_)) = (&d.name, &init) {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => {
                            if let (Some(key), Pat::Ident(local)) = (prop_name(&kv.key), &*kv.value)
                            {
                                self.set_imported(&local.id, key);
                            }
                        }
                        ObjectPatProp::Assign(a) => self.set_imported(&a.key.id, a.key.sym.clone()),
                        ObjectPatProp::Rest(_) => {}
                    }
                }
            }
            if let (Pat::Ident(name), Some(value), Some(_)) =
                (&d.name, d.init.as_deref(), self.current_fn())
                && matches!(strip(value), Expr::Call(_) | Expr::New(_) | Expr::Array(_))
            {
                let mut starts = Vec::new();
                match strip(value) {
                    Expr::New(_) => self.promise_starts(value, &mut starts),
                    _ => self.list_starts(value, &mut starts),
                }
                if !starts.is_empty() {
                    self.promise_vars.insert(name.id.to_id(), starts);
                }
            }
            if let (Pat::Ident(name), Some(value)) = (&d.name, d.init.as_deref()) {
                self.announce_named(strip(value), &name.id);
                if let Some(start) = call_start(value) {
                    let stored = self.path(&Expr::Ident(name.id.clone()));
                    self.keep(start, stored);
                }
            } else if let Some(start) = d.init.as_deref().and_then(call_start) {
                self.keep(start, None);
            }
            d.name.visit_with(self);
            d.init.visit_with(self);
        }
    }

    fn visit_using_decl(&mut self, n: &UsingDecl) {
        // `using d = addAbortListener(...)`: the disposable is kept and disposed at scope exit.
        for d in &n.decls {
            let mut idents = Vec::new();
            pat_idents(&d.name, &mut idents);
            for ident in &idents {
                self.declare(ident, BindingKind::Const, Init::Other);
            }
            if let Some(start) = d.init.as_deref().and_then(call_start) {
                self.keep(start, None);
            }
            d.name.visit_with(self);
            d.init.visit_with(self);
        }
    }

    fn visit_fn_decl(&mut self, n: &FnDecl) {
        self.declare(&n.ident, BindingKind::Function, Init::None);
        let start = Span::from_swc(n.function.span).start;
        let p = self.pending_mut(start);
        p.name = Some(n.ident.sym.clone());
        p.binding = Some(n.ident.to_id());
        p.context = Some(FnContext::Named);
        self.named_fns.push((n.ident.to_id(), start));
        n.function.visit_with(self);
    }

    fn visit_class_decl(&mut self, n: &ClassDecl) {
        self.declare(
            &n.ident,
            BindingKind::Class,
            Init::Class(self.model.classes.next_id()),
        );
        self.walk_class(&n.class, Some(&n.ident));
    }

    fn visit_class_expr(&mut self, n: &ClassExpr) {
        if let Some(ident) = &n.ident {
            self.declare(
                ident,
                BindingKind::Class,
                Init::Class(self.model.classes.next_id()),
            );
        }
        self.walk_class(&n.class, n.ident.as_ref());
    }

    fn visit_catch_clause(&mut self, n: &CatchClause) {
        if let Some(p) = &n.param {
            let mut idents = Vec::new();
            pat_idents(p, &mut idents);
            for i in idents {
                self.declare(i, BindingKind::Catch, Init::None);
            }
        }
        self.frame().in_catch += 1;
        n.visit_children_with(self);
        self.frame().in_catch -= 1;
    }

    fn visit_export_decl(&mut self, n: &ExportDecl) {
        self.register_exported_handlers(n);
        n.visit_children_with(self);
        // An exported declaration can be used by any importer: an escape.
        let ident = match &n.decl {
            Decl::Fn(f) => Some(&f.ident),
            Decl::Class(c) => Some(&c.ident),
            _ => None,
        };
        if let Some(i) = ident {
            self.use_ident(i, UseKind::Read);
        }
        if let Decl::Var(v) = &n.decl {
            for d in &v.decls {
                let mut idents = Vec::new();
                pat_idents(&d.name, &mut idents);
                for i in idents {
                    self.use_ident(i, UseKind::Read);
                }
            }
        }
    }

    fn visit_export_named_specifier(&mut self, n: &ExportNamedSpecifier) {
        if let ModuleExportName::Ident(i) = &n.orig {
            self.use_ident(i, UseKind::Read);
        }
    }

    // ----- functions and classes ------------------------------------------------------------

    fn visit_function(&mut self, n: &Function) {
        let params = n
            .params
            .iter()
            .map(|p| (&p.pat, pat_type(&p.pat)))
            .collect();
        for d in &n.decorators {
            d.visit_with(self);
        }
        let start = Span::from_swc(n.span).start;
        let yield_awaits = n.is_generator
            && self
                .pending
                .get(&start)
                .is_some_and(|p| p.context == Some(FnContext::Argument));
        self.enter_function(n.span, FnKind::Function, params, |c| {
            c.frame().yield_awaits = yield_awaits;
            n.body.visit_with(c)
        });
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        let params = n.params.iter().map(|p| (p, pat_type(p))).collect();
        let return_ignored = self
            .pending
            .get(&Span::from_swc(n.span).start)
            .is_some_and(|p| p.return_ignored);
        self.enter_function(n.span, FnKind::Arrow, params, |c| {
            if let ArrowFunctionBody::Expr(e) = &*n.body
                && !return_ignored
                && let Some(start) = call_start(e)
            {
                // `() => emitter.on(...)`: the arrow returns the call's result.
                c.keep(start, None);
            }
            if let ArrowFunctionBody::Expr(e) = &*n.body
                && let (value @ Expr::Object(_), Some(f)) = (strip(e), c.current_fn())
            {
                let object = c.summarize_arg(value);
                c.model.returned_objects.push((object, f));
            }
            n.body.visit_with(c)
        });
    }

    fn visit_fn_expr(&mut self, n: &FnExpr) {
        if let Some(ident) = &n.ident {
            // A named function expression's name is visible inside it (self-removal).
            self.declare(ident, BindingKind::Function, Init::None);
            let start = Span::from_swc(n.function.span).start;
            let p = self.pending_mut(start);
            p.name.get_or_insert(ident.sym.clone());
            p.binding.get_or_insert(ident.to_id());
            self.named_fns.push((ident.to_id(), start));
        }
        n.function.visit_with(self);
    }

    fn visit_constructor(&mut self, n: &Constructor) {
        let class = self.class_stack.last().copied();
        let params: Vec<(&Pat, Option<&TsType>)> = n
            .params
            .iter()
            .filter_map(|p| match p {
                ParamOrTsParamProp::Param(p) => Some((&p.pat, pat_type(&p.pat))),
                ParamOrTsParamProp::TsParamProp(_) => None,
            })
            .collect();
        let span = Span::from_swc(n.span);
        let p = self.pending_mut(span.start);
        p.kind = Some(FnKind::Constructor);
        p.class = class;
        p.name = Some("constructor".into());
        p.context = Some(FnContext::ClassMember);
        self.enter_function(n.span, FnKind::Constructor, params, |c| {
            // TypeScript parameter properties: `constructor(private bus: EventEmitter)`.
            for prop in &n.params {
                if let ParamOrTsParamProp::TsParamProp(tp) = prop {
                    let ident = match &tp.param {
                        TsParamPropParam::Ident(b) => Some(&b.id),
                        TsParamPropParam::Assign(a) => match &*a.left {
                            Pat::Ident(b) => Some(&b.id),
                            _ => None,
                        },
                    };
                    if let Some(ident) = ident {
                        c.declare(ident, BindingKind::Param, Init::None);
                    }
                    if let (Some(class), TsParamPropParam::Ident(b)) = (class, &tp.param)
                        && let Some(TsType::TsTypeRef(r)) =
                            b.type_ann.as_deref().map(|t| &*t.type_ann)
                        && let TsEntityName::Ident(ty) = &r.type_name
                    {
                        c.model
                            .param_props
                            .push((class, b.id.sym.clone(), ty.to_id()));
                    }
                }
            }
            n.body.visit_with(c)
        });
        if let (Some(class), Some(ctor)) = (class, self.fn_at(n.span)) {
            self.model.classes[class].ctor = Some(ctor);
        }
    }

    fn visit_class_method(&mut self, n: &ClassMethod) {
        n.key.visit_with(self);
        let class = self.class_stack.last().copied();
        let role = frameworks::decorator_role(&n.function.decorators, self.model).or_else(|| {
            let gateway = self.gateways.get(&class?)?;
            frameworks::gateway_lifecycle(gateway, prop_name(&n.key)?.as_str())
        });
        let p = self.pending_mut(Span::from_swc(n.function.span).start);
        p.kind = Some(FnKind::Method);
        p.class = class;
        p.name = prop_name(&n.key);
        p.context = Some(FnContext::ClassMember);
        p.registered = role;
        p.static_member = n.is_static;
        p.private_member = n.accessibility == Some(swc_ecma_ast::Accessibility::Private);
        n.function.visit_with(self);
    }

    fn visit_private_method(&mut self, n: &PrivateMethod) {
        let class = self.class_stack.last().copied();
        let p = self.pending_mut(Span::from_swc(n.function.span).start);
        p.kind = Some(FnKind::Method);
        p.class = class;
        p.name = Some(format!("#{}", n.key.name).into());
        p.context = Some(FnContext::ClassMember);
        p.static_member = n.is_static;
        p.private_member = true;
        n.function.visit_with(self);
    }

    fn visit_class_prop(&mut self, n: &ClassProp) {
        if let (Some(value), Some(name), Some(&class)) = (
            n.value.as_deref(),
            prop_name(&n.key),
            self.class_stack.last(),
        ) {
            let init = self.init_of(value);
            let table = if n.is_static {
                &mut self.model.static_inits
            } else {
                &mut self.model.field_inits
            };
            table.push((class, name, init, Span::from_swc(n.span)));
        }
        // `handle = (req, res) => {...}`: an instance method written as a field.
        if let Some(value) = n.value.as_deref() {
            let start = match strip(value) {
                Expr::Arrow(a) => Some(Span::from_swc(a.span).start),
                Expr::Fn(f) => Some(Span::from_swc(f.function.span).start),
                _ => None,
            };
            if let Some(start) = start {
                let class = self.class_stack.last().copied();
                let registered = frameworks::decorator_role(&n.decorators, self.model);
                let p = self.pending_mut(start);
                p.kind = Some(FnKind::Method);
                p.class = class;
                p.name = prop_name(&n.key);
                p.context = Some(FnContext::ClassMember);
                p.registered = registered;
                p.static_member = n.is_static;
            }
        }
        // Instance field initialisers run once per instance (static ones once, with the class).
        if n.is_static {
            n.visit_children_with(self);
        } else if let Some(value) = n.value.as_deref()
            && fn_start(value).is_none()
        {
            // `private timer = setInterval(...)`, `ready = this.load()`: code that runs for every
            // `new`, like the constructor's body. It gets a function of its own (kind
            // `FieldInitializer`) so that every question about how often code runs or how long
            // `this` lives is answered as it is for the constructor. A value that is itself a
            // function (`handle = () => {...}`) is a method written as a field, handled above.
            n.key.visit_with(self);
            n.decorators.visit_with(self);
            let class = self.class_stack.last().copied();
            let p = self.pending_mut(Span::from_swc(n.span).start);
            p.kind = Some(FnKind::FieldInitializer);
            p.class = class;
            p.name = prop_name(&n.key);
            p.context = Some(FnContext::ClassMember);
            self.field_init_depth += 1;
            let saved = self.field_init_fn;
            self.enter_function(n.span, FnKind::FieldInitializer, Vec::new(), |c| {
                c.field_init_fn = c.current_fn();
                if let (Some(start), Some(name)) = (call_start(value), prop_name(&n.key)) {
                    // The call's result is the field: `this.<name>`.
                    let stored = AccessPath {
                        root: Root::This(c.this_fn()),
                        props: vec![name],
                    };
                    c.keep(start, Some(stored));
                }
                value.visit_with(c);
            });
            self.field_init_fn = saved;
            self.field_init_depth -= 1;
        } else {
            self.field_init_depth += 1;
            let current = self.current_fn();
            let saved = std::mem::replace(&mut self.field_init_fn, current);
            n.visit_children_with(self);
            self.field_init_fn = saved;
            self.field_init_depth -= 1;
        }
    }

    fn visit_object_lit(&mut self, n: &ObjectLit) {
        self.object_stack.push(Span::from_swc(n.span));
        n.visit_children_with(self);
        self.object_stack.pop();
    }

    fn visit_for_of_stmt(&mut self, n: &ForOfStmt) {
        n.visit_children_with(self);
        // `for (const setting of this.settings)`: each `setting` is an element of that list.
        if let ForHead::VarDecl(d) = &n.left
            && let [decl] = d.decls.as_slice()
            && let Pat::Ident(name) = &decl.name
            && let Some(list) = self.path(&n.right)
            && let Some(b) = self.model.bindings.get_mut(&name.id.to_id())
        {
            b.iterates = Some(list);
        }
    }

    fn visit_method_prop(&mut self, n: &MethodProp) {
        let object = self.object_stack.last().copied();
        let p = self.pending_mut(Span::from_swc(n.function.span).start);
        p.object_span = object;
        p.name = prop_name(&n.key);
        p.context = Some(FnContext::ObjectMember);
        p.kind = Some(FnKind::Method);
        n.visit_children_with(self);
    }

    fn visit_key_value_prop(&mut self, n: &KeyValueProp) {
        if let Some(start) = fn_start(&n.value) {
            let object = self.object_stack.last().copied();
            let p = self.pending_mut(start);
            p.object_span = object;
            p.name
                .get_or_insert_with(|| prop_name(&n.key).unwrap_or_default());
            p.context.get_or_insert(FnContext::ObjectMember);
        }
        n.visit_children_with(self);
    }

    // ----- expressions ----------------------------------------------------------------------

    fn visit_call_expr(&mut self, n: &CallExpr) {
        let span = Span::from_swc(n.span);
        let in_fn = self.current_fn();
        // `p.then(cb)`: `cb` waits on `p` (and on the head of its chain) like code after `await`.
        if !n.args.is_empty()
            && let Callee::Expr(c) = &n.callee
            && let Expr::Member(m) = strip(c)
            && let MemberProp::Ident(p) = &m.prop
            && matches!(p.sym.as_str(), "then" | "catch" | "finally")
        {
            let mut starts = Vec::new();
            self.promise_starts(&m.obj, &mut starts);
            if p.sym == "then" {
                self.model.then_continued.extend(starts.iter().copied());
            }
            self.model.continued.extend(starts);
        }
        if is_promise_race(n) {
            for arg in &n.args {
                if let Expr::Array(a) = strip(&arg.expr) {
                    for e in a.elems.iter().flatten() {
                        self.mark_raced(&e.expr);
                    }
                }
            }
        }

        // How often do the functions passed here run?
        if let Some((role, handlers)) = frameworks::classify_call(n, self.model) {
            if role.frequency.is_repeating() {
                for start in frameworks::object_methods(n) {
                    self.pending_mut(start).registered = Some(role.clone());
                }
            }
            self.register_handlers(handlers, role);
        }
        // What the inline function arguments are handed to (`emitter.on`, `setInterval`).
        let argument_of = match &n.callee {
            Callee::Expr(callee) => match strip(callee) {
                Expr::Member(m) => static_prop(&m.prop).map(|p| (p, true)),
                Expr::Ident(i) => Some((i.sym.clone(), false)),
                _ => None,
            },
            _ => None,
        };
        for arg in &n.args {
            if let Some(start) = fn_start(&arg.expr) {
                let pending = self.pending_mut(start);
                pending.context.get_or_insert(FnContext::Argument);
                pending.argument_of.clone_from(&argument_of);
            }
            if let Some(start) = call_start(&arg.expr) {
                self.keep(start, None);
            }
        }

        match &n.callee {
            Callee::Expr(callee) => match strip(callee) {
                Expr::Ident(i) => {
                    self.use_ident(i, UseKind::Call);
                }
                Expr::Fn(_) | Expr::Arrow(_) => {
                    if let Some(start) = fn_start(callee) {
                        self.pending_mut(start).context = Some(FnContext::Iife);
                    }
                    callee.visit_with(self);
                }
                // `require('./reminders')(client)`: kept for the project phase.
                Expr::Call(inner) if require_source(inner).is_some() => {
                    if let Some(src) = require_source(inner) {
                        self.model.inline_requires.push((src, span, in_fn));
                    }
                    callee.visit_with(self);
                }
                Expr::Member(m) if matches!(strip(&m.obj), Expr::Fn(_) | Expr::Arrow(_)) => {
                    // `(function () {...}).call(this)`
                    if let Some(start) = fn_start(&m.obj) {
                        self.pending_mut(start).context = Some(FnContext::Iife);
                    }
                    callee.visit_with(self);
                }
                _ => callee.visit_with(self),
            },
            other => other.visit_with(self),
        }
        for arg in &n.args {
            arg.visit_with(self);
        }

        if let Callee::Expr(callee) = &n.callee
            && let Expr::Member(m) = strip(callee)
            && let Some(method) = static_prop(&m.prop)
        {
            let receiver = self.path(chain_head(&m.obj));
            let call = MemberCall {
                site: self.call_site(n, span, Span::from_swc(m.span), in_fn),
                method,
                receiver,
                receiver_span: Span::from_swc(m.obj.span()),
            };
            // `client.release()` / `pool.release(client)`: a local handed back to its pool.
            if matches!(call.method.as_str(), "release" | "releaseConnection") {
                let local = |p: &AccessPath| match &p.root {
                    Root::Binding(id) if p.props.is_empty() => Some(id.clone()),
                    _ => None,
                };
                let handed = call.receiver.as_ref().and_then(local).into_iter().chain(
                    call.args.iter().filter_map(|a| match a {
                        Arg::Path(p, _) => local(p),
                        _ => None,
                    }),
                );
                self.model.released.extend(handed);
            }
            self.model.member_calls.push(call);
        } else if let Callee::Expr(callee) = &n.callee
            && let Expr::Ident(i) = strip(callee)
        {
            let call = PlainCall {
                site: self.call_site(n, span, Span::from_swc(i.span), in_fn),
                name: i.sym.clone(),
                callee: i.to_id(),
                global: i.ctxt == self.model.unresolved,
            };
            self.model.plain_calls.push(call);
        }
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        if let Expr::Ident(i) = strip(&n.callee) {
            if self.field_init_depth > 0 && self.current_fn() == self.field_init_fn {
                self.field_news.insert(Span::from_swc(i.span).start);
            }
            // Resolved to the class in `finish` (the class may be declared further down).
            self.use_ident(i, UseKind::New);
        } else {
            n.callee.visit_with(self);
        }
        // How often do the functions passed here run? (A passport strategy's verify callback.)
        if let Some((role, handlers)) = frameworks::classify_new(n, self.model) {
            self.register_handlers(handlers, role);
        }
        // `new Promise(executor)`, `new Worker(name, processor)`: ordinary arguments.
        let promise = matches!(strip(&n.callee), Expr::Ident(i) if i.sym == "Promise" && i.ctxt == self.model.unresolved);
        for (i, arg) in n.args.iter().flatten().enumerate() {
            if let Some(start) = fn_start(&arg.expr) {
                let pending = self.pending_mut(start);
                pending.context.get_or_insert(FnContext::Argument);
                // `new Promise((r) => e.once('x', r))`: the constructor drops what the
                // executor returns, so the registration's result is not kept by returning it.
                pending.return_ignored |= promise && i == 0;
            }
        }
        n.args.visit_with(self);
        let args = n
            .args
            .iter()
            .flatten()
            .map(|a| self.summarize_arg(&a.expr))
            .collect();
        let in_fn = self.current_fn();
        self.model.news.push(NewCall {
            span: Span::from_swc(n.span),
            callee: self.model.text(Span::from_swc(n.callee.span())).into(),
            args,
            in_fn,
        });
    }

    /// `hub?.on(...)`, `this.options.signal?.addEventListener(...)`, `cb?.()`: recorded as the
    /// call they are when the receiver is there (the only case in which they do anything).
    fn visit_opt_chain_expr(&mut self, n: &OptChainExpr) {
        let OptChainBase::Call(c) = &*n.base else {
            return n.visit_children_with(self);
        };
        let callee = match strip(&c.callee) {
            Expr::OptChain(inner) => match &*inner.base {
                OptChainBase::Member(m) => Expr::Member(m.clone()),
                OptChainBase::Call(_) => return n.visit_children_with(self),
            },
            other => other.clone(),
        };
        let call = CallExpr {
            span: c.span,
            ctxt: c.ctxt,
            callee: Callee::Expr(Box::new(callee)),
            args: c.args.clone(),
            type_args: None,
        };
        self.visit_call_expr(&call);
    }

    fn visit_await_expr(&mut self, n: &AwaitExpr) {
        self.mark_awaited(&n.arg);
        n.visit_children_with(self);
    }

    fn visit_yield_expr(&mut self, n: &YieldExpr) {
        if self.frame().yield_awaits
            && let Some(arg) = n.arg.as_deref()
        {
            self.mark_awaited(arg);
        }
        n.visit_children_with(self);
    }

    fn visit_expr(&mut self, n: &Expr) {
        if let Expr::Ident(i) = n {
            self.use_ident(i, UseKind::Read);
        }
        n.visit_children_with(self);
    }

    fn visit_prop(&mut self, n: &Prop) {
        // `{ listen }` reads `listen` as much as `{ listen: listen }` does: it is passed on
        // (`module.exports = { listen }`), so its callers are not all in this file.
        if let Prop::Shorthand(i) = n {
            self.use_ident(i, UseKind::Read);
        }
        n.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        let stored = match &n.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                self.use_ident(&b.id, UseKind::Write);
                self.record_large_assignment(&b.id, n);
                // `let server; ... server = http.createServer(...)`
                if let Some(endpoint) = frameworks::endpoint_of(&n.right, self.model)
                    && let Some(binding) = self.model.bindings.get_mut(&b.id.to_id())
                {
                    binding.endpoint = Some(endpoint);
                }
                let path = self.path(&Expr::Ident(b.id.clone()));
                self.record_write(path.clone());
                self.announce_named(strip(&n.right), &b.id);
                path
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                // `exports.handler = async (event, context) => ...`: a serverless handler.
                if let Some(name) = commonjs_export_name(m, self.model.unresolved)
                    && let Some(params) = frameworks::fn_params(&n.right)
                    && let Some(role) =
                        frameworks::export_role(&name, &params, Span::from_swc(m.span), self.model)
                    && let Some(start) = fn_start(&n.right)
                {
                    self.pending_mut(start).registered = Some(role);
                }
                let this_fn = self.this_fn();
                let path = AccessPath::of_member(m, self.model.unresolved, this_fn);
                // `Watcher.prototype.watch = function () {...}`: an ES5 class method.
                if path
                    .as_ref()
                    .is_some_and(|p| p.props.iter().any(|k| k == "prototype"))
                    && let Some(start) = fn_start(&n.right)
                {
                    self.pending_mut(start).stored_method = true;
                }
                // A marker slot (`socket[hooked] = true`) counts as a write for once-guards
                // only: reads of `obj[KEY]` elsewhere are not paths, so it is not a place a
                // stored result can be found again.
                self.record_write(path.clone().or_else(|| self.marker_path(m)));
                self.record_member_write(n, m);
                m.visit_with(self);
                path
            }
            other => {
                other.visit_with(self);
                None
            }
        };
        if let Some(start) = call_start(&n.right) {
            self.keep(start, stored);
        }
        n.right.visit_with(self);
    }

    fn visit_unary_expr(&mut self, n: &UnaryExpr) {
        // `void x` reads nothing that matters: it only silences "unused" warnings.
        if n.op == UnaryOp::Void && matches!(strip(&n.arg), Expr::Ident(_)) {
            return;
        }
        if n.op == UnaryOp::Delete
            && let Expr::Member(m) = strip(&n.arg)
        {
            let object = self.path(&m.obj);
            let in_fn = self.current_fn();
            self.model.deletes.push(Delete {
                span: Span::from_swc(n.span),
                object,
                in_fn,
            });
        }
        n.visit_children_with(self);
    }

    fn visit_update_expr(&mut self, n: &UpdateExpr) {
        let path = self.path(&n.arg);
        self.record_write(path);
        n.visit_children_with(self);
    }

    fn visit_return_stmt(&mut self, n: &ReturnStmt) {
        // `return { watch: (id) => ..., stop() {...} }`: the members are an API for later calls.
        if let Some(Expr::Object(o)) = n.arg.as_deref().map(strip)
            && self.current_fn().is_some()
        {
            for p in &o.props {
                let start = match p {
                    PropOrSpread::Prop(p) => match &**p {
                        Prop::KeyValue(kv) => fn_start(&kv.value),
                        Prop::Method(m) => Some(Span::from_swc(m.function.span).start),
                        _ => None,
                    },
                    PropOrSpread::Spread(_) => None,
                };
                if let Some(start) = start {
                    self.pending_mut(start).stored_method = true;
                }
            }
        }
        if let Some(arg) = n.arg.as_deref()
            && let Some(path) = self.path(arg)
        {
            let in_fn = self.current_fn();
            self.model.returned_paths.push((path, in_fn));
        }
        if let Some(start) = n.arg.as_deref().and_then(call_start) {
            self.keep(start, None);
        }
        if let Some(Expr::Call(c)) = n.arg.as_deref().map(strip)
            && let Callee::Expr(callee) = &c.callee
            && let Expr::Ident(i) = strip(callee)
        {
            let in_fn = self.current_fn();
            self.model.returned_calls.push((i.to_id(), in_fn));
        }
        if let (Some(value @ Expr::Object(_)), Some(f)) =
            (n.arg.as_deref().map(strip), self.current_fn())
        {
            let object = self.summarize_arg(value);
            self.model.returned_objects.push((object, f));
        }
        if let Some(arg) = n.arg.as_deref() {
            self.mark_awaited(arg);
            // TypeScript's ES5 async output: `return [4 /*yield*/, call]` in the body handed to
            // `__generator` is an `await` of `call` (opcode 4 is `yield`).
            if let Expr::Array(a) = strip(arg)
                && let [Some(op), Some(value)] = a.elems.as_slice()
                && matches!(strip(&op.expr), Expr::Lit(Lit::Num(n)) if n.value == 4.0)
                && self.current_fn().is_some_and(|f| {
                    self.model.functions[f]
                        .argument_of
                        .as_ref()
                        .is_some_and(|(name, _)| name == "__generator")
                })
            {
                self.mark_awaited(&value.expr);
            }
        }
        n.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, n: &IfStmt) {
        n.test.visit_with(self);
        let reads = test_reads(&n.test, self);
        if exits(&n.cons)
            && let Some(f) = self.current_fn()
        {
            self.model.functions[f]
                .early_exit_reads
                .extend(reads.iter().cloned());
        }
        self.with_condition(reads.clone(), |c| n.cons.visit_with(c));
        if let Some(alt) = &n.alt {
            self.with_condition(reads, |c| alt.visit_with(c));
        }
    }

    fn visit_cond_expr(&mut self, n: &CondExpr) {
        n.test.visit_with(self);
        let reads = test_reads(&n.test, self);
        self.with_condition(reads.clone(), |c| n.cons.visit_with(c));
        self.with_condition(reads, |c| n.alt.visit_with(c));
    }

    fn visit_bin_expr(&mut self, n: &BinExpr) {
        match n.op {
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing => {
                // The right side is conditional. Its guard is not recorded: once-guards are
                // `if` statements, and re-walking the left operand of every link of a long
                // `a && b && c` chain would be quadratic.
                n.left.visit_with(self);
                self.with_condition(Vec::new(), |c| n.right.visit_with(c));
            }
            _ => n.visit_children_with(self),
        }
    }

    fn visit_export_default_expr(&mut self, n: &ExportDefaultExpr) {
        if let Expr::Ident(i) = strip(&n.expr) {
            self.use_ident(i, UseKind::Read);
        }
        n.visit_children_with(self);
    }
}

impl Collector<'_, '_> {
    /// `const f = () => ...` / `f = function () {...}` / `const C = class {}`: the value gets the
    /// binding's name.
    fn announce_named(&mut self, value: &Expr, ident: &Ident) {
        if let Some(start) = fn_start(value) {
            let p = self.pending_mut(start);
            p.name.get_or_insert(ident.sym.clone());
            p.binding = Some(ident.to_id());
            p.context = Some(FnContext::Named);
            self.named_fns.push((ident.to_id(), start));
            self.function_valued.insert(ident.to_id());
        } else if let Expr::Class(_) = value {
            self.function_valued.insert(ident.to_id());
            if let Some(b) = self.model.bindings.get_mut(&ident.to_id()) {
                b.init = Init::Class(self.model.classes.next_id());
            }
        }
    }

    fn walk_class(&mut self, class: &Class, ident: Option<&Ident>) {
        let id = self.model.classes.next_id();
        let di_singleton = class
            .decorators
            .iter()
            .any(frameworks::is_singleton_decorator);
        self.model.classes.push(super::Class {
            span: Span::from_swc(class.span),
            name: ident.map(|i| i.sym.clone()),
            binding: ident.map(|i| i.to_id()),
            ctor: None,
            di_singleton,
            declared_in: self.current_fn(),
        });
        if let Some(gateway) = frameworks::gateway_decorator(&class.decorators, self.model) {
            self.gateways.insert(id, gateway);
        }
        self.class_stack.push(id);
        class.visit_children_with(self);
        self.class_stack.pop();
    }
}

/// Identifiers bound by a pattern.
pub(super) fn pat_idents<'p>(pat: &'p Pat, out: &mut Vec<&'p Ident>) {
    match pat {
        Pat::Ident(b) => out.push(&b.id),
        Pat::Array(a) => a.elems.iter().flatten().for_each(|p| pat_idents(p, out)),
        Pat::Rest(r) => pat_idents(&r.arg, out),
        Pat::Object(o) => {
            for p in &o.props {
                match p {
                    ObjectPatProp::KeyValue(kv) => pat_idents(&kv.value, out),
                    ObjectPatProp::Assign(a) => out.push(&a.key.id),
                    ObjectPatProp::Rest(r) => pat_idents(&r.arg, out),
                }
            }
        }
        Pat::Assign(a) => pat_idents(&a.left, out),
        Pat::Expr(_) | Pat::Invalid(_) => {}
    }
}

/// For a parameter written as an object pattern (`{ signal, timeout: ms = 0 }`): each name it
/// binds directly, with the property it is read from.
fn object_pat_keys(pat: &Pat) -> Vec<(&Ident, Atom)> {
    let pat = match pat {
        Pat::Assign(a) => &*a.left,
        p => p,
    };
    let Pat::Object(o) = pat else {
        return Vec::new();
    };
    o.props
        .iter()
        .filter_map(|p| match p {
            ObjectPatProp::KeyValue(kv) => {
                let key = prop_name(&kv.key)?;
                match &*kv.value {
                    Pat::Ident(i) => Some((&i.id, key)),
                    Pat::Assign(a) => match &*a.left {
                        Pat::Ident(i) => Some((&i.id, key)),
                        _ => None,
                    },
                    _ => None,
                }
            }
            ObjectPatProp::Assign(a) => Some((&a.key.id, a.key.sym.clone())),
            ObjectPatProp::Rest(_) => None,
        })
        .collect()
}

fn pat_type(pat: &Pat) -> Option<&TsType> {
    match pat {
        Pat::Ident(b) => b.type_ann.as_deref().map(|t| &*t.type_ann),
        Pat::Assign(a) => pat_type(&a.left),
        Pat::Object(o) => o.type_ann.as_deref().map(|t| &*t.type_ann),
        _ => None,
    }
}

fn type_ref_name(ty: &TsType) -> Option<Atom> {
    match ty {
        TsType::TsTypeRef(r) => match &r.type_name {
            TsEntityName::Ident(i) => Some(i.sym.clone()),
            TsEntityName::TsQualifiedName(q) => Some(q.right.sym.clone()),
        },
        TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
            u.types.iter().find_map(|t| type_ref_name(t))
        }
        _ => None,
    }
}

/// Start offset of a call, plain (`f()`, `a.b()`) or optional (`a?.b()`), whose result
/// `expr` is.
fn call_start(expr: &Expr) -> Option<usize> {
    match strip(expr) {
        Expr::Call(c) => Some(Span::from_swc(c.span).start),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Call(c) => Some(Span::from_swc(c.span).start),
            OptChainBase::Member(_) => None,
        },
        _ => None,
    }
}

/// The emitter a chained registration is made on: `e` for `e.once('a', f).on('b', g)`, since
/// `on`, `once`, `off` and their kin return the emitter.
fn chain_head(mut expr: &Expr) -> &Expr {
    loop {
        let Expr::Call(c) = strip(expr) else {
            return expr;
        };
        let Callee::Expr(callee) = &c.callee else {
            return expr;
        };
        let Expr::Member(m) = strip(callee) else {
            return expr;
        };
        if !static_prop(&m.prop)
            .is_some_and(|p| super::emitters::CHAINABLE_METHODS.contains(&p.as_str()))
        {
            return expr;
        }
        expr = &m.obj;
    }
}

/// Start offset of a function or arrow expression.
/// `exports.name` or `module.exports.name` (with `exports` and `module` not declared in the
/// file): `name`.
fn commonjs_export_name(m: &MemberExpr, unresolved: swc_common::SyntaxContext) -> Option<Atom> {
    let name = static_prop(&m.prop)?;
    let global = |e: &Expr, want: &str| matches!(strip(e), Expr::Ident(i) if i.sym == want && i.ctxt == unresolved);
    let exports = match strip(&m.obj) {
        e if global(e, "exports") => true,
        Expr::Member(inner) => {
            global(&inner.obj, "module") && static_prop(&inner.prop).is_some_and(|p| p == "exports")
        }
        _ => false,
    };
    exports.then_some(name)
}

fn fn_start(expr: &Expr) -> Option<usize> {
    match strip(expr) {
        Expr::Fn(f) => Some(Span::from_swc(f.function.span).start),
        Expr::Arrow(a) => Some(Span::from_swc(a.span).start),
        _ => None,
    }
}

/// What a large initialiser makes, in words: file contents, buffers, big arrays and strings,
/// response bodies. `None` for everything else.
fn large_value(expr: &Expr) -> Option<String> {
    let expr = match strip(expr) {
        Expr::Await(a) => strip(&a.arg),
        e => e,
    };
    let call_name = |c: &CallExpr| -> Option<(Option<Atom>, Atom)> {
        let Callee::Expr(callee) = &c.callee else {
            return None;
        };
        match strip(callee) {
            Expr::Ident(i) => Some((None, i.sym.clone())),
            Expr::Member(m) => {
                let obj = match strip(&m.obj) {
                    Expr::Ident(i) => Some(i.sym.clone()),
                    _ => None,
                };
                Some((obj, static_prop(&m.prop)?))
            }
            _ => None,
        }
    };
    match expr {
        Expr::Call(c) => {
            let (obj, name) = call_name(c)?;
            match (obj.as_deref(), name.as_str()) {
                (_, "readFileSync") => {
                    Some("the contents of a file read with `readFileSync`".into())
                }
                (_, "readFile") => Some("the contents of a file".into()),
                (Some("JSON"), "parse") => Some("a document parsed with `JSON.parse`".into()),
                (
                    Some("Buffer"),
                    "alloc" | "allocUnsafe" | "allocUnsafeSlow" | "concat" | "from",
                ) => Some(format!("a buffer from `Buffer.{name}`")),
                // Sizes count only when they are literal and big: `Array(n)` of unknown `n` is
                // usually a small working array.
                (_, "repeat") if big_literal(c.args.first().map(|a| &*a.expr)) => {
                    Some("a string built with `repeat`".into())
                }
                (_, "join")
                    if matches!(&c.callee, Callee::Expr(e) if matches!(strip(e), Expr::Member(m)
                        if matches!(strip(&m.obj), Expr::Call(inner) if inner.args.first().is_some_and(|a| big_literal(Some(&a.expr))))
                        || matches!(strip(&m.obj), Expr::New(inner) if inner.args.as_ref().and_then(|a| a.first()).is_some_and(|a| big_literal(Some(&a.expr)))))) =>
                {
                    Some("a string built with `join`".into())
                }
                (None, "Array") if big_literal(c.args.first().map(|a| &*a.expr)) => {
                    Some("an array made with `Array(n)`".into())
                }
                (_, "text" | "json" | "arrayBuffer" | "buffer" | "blob") => {
                    Some(format!("a response body from `.{name}()`"))
                }
                _ => None,
            }
        }
        Expr::New(n) => match strip(&n.callee) {
            Expr::Ident(i)
                if i.sym == "Array"
                    && big_literal(n.args.as_ref().and_then(|a| a.first()).map(|a| &*a.expr)) =>
            {
                Some("an array made with `new Array(n)`".into())
            }
            Expr::Ident(i)
                if matches!(
                    i.sym.as_str(),
                    "ArrayBuffer" | "Uint8Array" | "Float64Array" | "SharedArrayBuffer"
                ) =>
            {
                Some(format!("a `{}`", i.sym))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A numeric literal of at least 10,000 (an element or character count worth noticing).
fn big_literal(e: Option<&Expr>) -> bool {
    matches!(e.map(strip), Some(Expr::Lit(Lit::Num(n))) if n.value >= 10_000.0)
}

/// The helpers compilers and bundlers wrap a required module in: TypeScript's
/// `__importDefault` / `__importStar`, Babel's `_interopRequireDefault` /
/// `_interopRequireWildcard`, swc's `_interop_require_default`, Rollup's `_interopDefaultLegacy`
/// / `interopDefault`, esbuild's `__toESM`; called directly, through `tslib.`, or as
/// `(0, x.__importDefault)(...)`.
fn is_interop_helper(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let name = match strip(callee) {
        Expr::Ident(i) => i.sym.clone(),
        Expr::Member(m) => match static_prop(&m.prop) {
            Some(p) => p,
            None => return false,
        },
        _ => return false,
    };
    matches!(call.args.len(), 1 | 2)
        && (matches!(
            name.as_str(),
            "__importDefault" | "__importStar" | "__toESM"
        ) || name.to_ascii_lowercase().contains("interop"))
}

/// `Promise.all(...)`, `allSettled`, `any` or `race`: it waits for the promises it is given.
fn is_promise_combinator(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(m) = strip(callee) else {
        return false;
    };
    matches!(strip(&m.obj), Expr::Ident(i) if i.sym == "Promise")
        && matches!(
            static_prop(&m.prop).as_deref(),
            Some("all" | "allSettled" | "any" | "race")
        )
}

/// What the callback of `xs.map(x => fetch(x))` (or `Array.from(xs, x => ...)`) returns, when
/// it is written as an expression body. Callbacks with a block body mark their own `return`s.
fn mapped_callback(call: &CallExpr) -> Option<&Expr> {
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(m) = strip(callee) else {
        return None;
    };
    let index = match static_prop(&m.prop)?.as_str() {
        "map" | "flatMap" => 0,
        "from" if matches!(strip(&m.obj), Expr::Ident(i) if i.sym == "Array") => 1,
        _ => return None,
    };
    match strip(&call.args.get(index)?.expr) {
        Expr::Arrow(a) => match &*a.body {
            ArrowFunctionBody::Expr(e) => Some(e),
            _ => None,
        },
        _ => None,
    }
}

/// `Promise.race(...)`.
fn is_promise_race(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(m) = strip(callee) else {
        return false;
    };
    matches!(strip(&m.obj), Expr::Ident(i) if i.sym == "Promise")
        && static_prop(&m.prop).as_deref() == Some("race")
}

/// `Object.assign({}, a, b)` and the helpers compilers write for `{ ...a, ...b }`: TypeScript's
/// `__assign`, Babel's `_extends` and `_objectSpread`/`_objectSpread2` (called directly, through
/// `tslib.__assign`, or as `(0, x.__assign)(...)`).
fn is_object_merge(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    match strip(callee) {
        Expr::Ident(i) => is_merge_helper(&i.sym),
        Expr::Member(m) => match static_prop(&m.prop) {
            Some(p) if p == "assign" => {
                matches!(strip(&m.obj), Expr::Ident(o) if o.sym == "Object")
            }
            Some(p) => is_merge_helper(&p),
            None => false,
        },
        _ => false,
    }
}

fn is_merge_helper(name: &str) -> bool {
    matches!(
        name,
        "__assign" | "_extends" | "_objectSpread" | "_objectSpread2"
    )
}

/// Does this statement always leave the function (`return`, `throw`)?
fn exits(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(exits),
        _ => false,
    }
}

/// Paths an `if` test reads (maximal chains only), plus `#listenerCount` when it asks an emitter
/// how many listeners it has.
fn test_reads(test: &Expr, c: &Collector<'_, '_>) -> Vec<AccessPath> {
    struct Reads<'c, 'm, 'a> {
        c: &'c Collector<'m, 'a>,
        out: Vec<AccessPath>,
    }
    impl Visit for Reads<'_, '_, '_> {
        noop_visit_type!();
        fn visit_expr(&mut self, e: &Expr) {
            if let Some(p) = self.c.path(e) {
                self.out.push(p);
                return;
            }
            if let Expr::Member(m) = e
                && let Some(p) = self.c.marker_path(m)
            {
                self.out.push(p);
                return;
            }
            e.visit_children_with(self);
        }
        fn visit_call_expr(&mut self, call: &CallExpr) {
            if let Callee::Expr(callee) = &call.callee
                && let Expr::Member(m) = strip(callee)
                && matches!(
                    static_prop(&m.prop).as_deref(),
                    Some("listenerCount" | "listeners" | "rawListeners")
                )
            {
                self.out.push(AccessPath {
                    root: Root::Global("#listenerCount".into()),
                    props: Vec::new(),
                });
            }
            call.visit_children_with(self);
        }
        fn visit_function(&mut self, _: &Function) {}
        fn visit_arrow_expr(&mut self, _: &ArrowExpr) {}
    }
    let mut r = Reads { c, out: Vec::new() };
    test.visit_with(&mut r);
    r.out
}
