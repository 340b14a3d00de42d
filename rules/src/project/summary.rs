//! Builds a file's [`Summary`] from its model and the top level of its program (import and
//! export declarations are all at the top level: no walk of the tree).

use rustc_hash::FxHashMap as HashMap;
use swc_atoms::Atom;
use swc_ecma_ast::{
    Decl, DefaultDecl, Expr, Id, ImportSpecifier, Module, ModuleDecl, ModuleExportName, ModuleItem,
    ParamOrTsParamProp, Pat, Program, TsEntityName, TsParamPropParam, TsType,
};

use super::{
    ClassInfo, ClientMade, CollectionMade, CrossUse, Export, ExportValue, Import, ImportArg,
    Summary, Target, UseKind,
};
use crate::model::{
    AccessPath, Arg, BindingKind, ClassId, FnId, Init, Model, Root, UseKind as BindingUse,
};
use crate::{Span, Step, StepKind};

/// Modules whose calls are outbound HTTP requests, for wrapper detection.
const FETCH_MODULES: &[&str] = &["node-fetch", "undici", "cross-fetch"];
/// Compared through [`crate::model::module_key`] (`node:http` too).
const CLIENT_MODULES: &[&str] = &["axios", "got", "http", "https"];

/// The imports of a file, and which binding holds each (inline `require('./x')(...)` calls
/// come last and have no binding). Deterministic for the same text.
pub(crate) struct ImportTable {
    pub imports: Vec<Import>,
    pub by_binding: HashMap<Id, usize>,
    /// `export { a as b } from './x'` (`Some(b)`, the import names `a`) and `export * from
    /// './x'` (`None`), with the import's index.
    pub reexports: Vec<(Option<Atom>, usize)>,
}

pub(crate) fn import_table(model: &Model<'_>, program: &Program) -> ImportTable {
    let mut imports = Vec::new();
    let mut by_binding = HashMap::default();
    let mut reexports = Vec::new();
    // ESM: the declaration says whether it is a default, namespace or named import.
    if let Program::Module(Module { body, .. }) = program {
        for item in body {
            let decl = match item {
                ModuleItem::ModuleDecl(ModuleDecl::Import(decl)) => decl,
                ModuleItem::ModuleDecl(ModuleDecl::ExportAll(all)) if !all.type_only => {
                    reexports.push((None, imports.len()));
                    imports.push(Import {
                        specifier: all.src.value.to_atom_lossy().to_string(),
                        path: Vec::new(),
                    });
                    continue;
                }
                ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(named)) if !named.type_only => {
                    let Some(src) = &named.src else { continue };
                    let specifier = src.value.to_atom_lossy().to_string();
                    for spec in &named.specifiers {
                        let name = |n: &ModuleExportName| match n {
                            ModuleExportName::Ident(i) => i.sym.clone(),
                            ModuleExportName::Str(s) => s.value.to_atom_lossy().into_owned(),
                        };
                        let (path, exported) = match spec {
                            swc_ecma_ast::ExportSpecifier::Named(n) => {
                                let orig = name(&n.orig);
                                let exported = n.exported.as_ref().map_or(orig.clone(), name);
                                (vec![orig], exported)
                            }
                            swc_ecma_ast::ExportSpecifier::Namespace(n) => {
                                (Vec::new(), name(&n.name))
                            }
                            swc_ecma_ast::ExportSpecifier::Default(d) => {
                                (vec![Atom::from("default")], d.exported.sym.clone())
                            }
                        };
                        reexports.push((Some(exported), imports.len()));
                        imports.push(Import {
                            specifier: specifier.clone(),
                            path,
                        });
                    }
                    continue;
                }
                _ => continue,
            };
            if decl.type_only {
                continue;
            }
            let specifier = decl.src.value.to_atom_lossy().to_string();
            for s in &decl.specifiers {
                let (local, path) = match s {
                    ImportSpecifier::Named(n) => {
                        if n.is_type_only {
                            continue;
                        }
                        let name = match &n.imported {
                            Some(ModuleExportName::Ident(i)) => i.sym.clone(),
                            Some(ModuleExportName::Str(s)) => s.value.to_atom_lossy().into_owned(),
                            None => n.local.sym.clone(),
                        };
                        (&n.local, vec![name])
                    }
                    ImportSpecifier::Default(d) => (&d.local, vec![Atom::from("default")]),
                    ImportSpecifier::Namespace(n) => (&n.local, Vec::new()),
                };
                by_binding.insert(local.to_id(), imports.len());
                imports.push(Import {
                    specifier: specifier.clone(),
                    path,
                });
            }
        }
    }
    // CommonJS: `const x = require('./x')` and `const { a } = require('./x')`.
    let mut required: Vec<(&Id, &crate::model::Binding)> = model
        .bindings_by_id()
        .filter(|(_, b)| matches!(b.init, Init::Require(_)))
        .collect();
    required.sort_by_key(|(_, b)| b.span.start);
    for (id, b) in required {
        let Init::Require(specifier) = &b.init else {
            continue;
        };
        let path = b.imported.iter().cloned().collect();
        by_binding.insert(id.clone(), imports.len());
        imports.push(Import {
            specifier: specifier.to_string(),
            path,
        });
    }
    for (specifier, _, _) in model.inline_requires() {
        imports.push(Import {
            specifier: specifier.to_string(),
            path: Vec::new(),
        });
    }
    ImportTable {
        imports,
        by_binding,
        reexports,
    }
}

/// The summary of a file whose model is built. `display` is the path shown in reports.
pub fn summarize(model: &Model<'_>, program: &Program, display: &str) -> Summary {
    let table = import_table(model, program);
    let by_binding = &table.by_binding;
    let mut s = Summary {
        display: display.to_string(),
        functions: model
            .functions()
            .iter()
            .map(|f| {
                let at = model.position(f.span.start);
                (f.name.clone(), at.line, at.column)
            })
            .collect(),
        classes: classes(model),
        ..Summary::default()
    };
    let clients = untimed_clients(model, display);
    let locals = Locals {
        by_binding,
        clients: &clients,
        display,
        collections: std::cell::RefCell::new(Vec::new()),
    };
    s.exports = exports(model, program, &locals, &table.reexports);
    // Only the collections exports name travel, in the order exports met them.
    s.collections = locals
        .collections
        .into_inner()
        .into_iter()
        .map(|(_, made)| made)
        .collect();
    s.untimed_clients = clients.into_iter().map(|c| c.made).collect();
    s.import_removals = import_removals(model, by_binding);
    s.shrinking_params = model.shrinking_params();
    s.import_args = import_args(model, by_binding);
    s.made_once = s
        .exports
        .iter()
        .filter_map(|e| match e.value {
            ExportValue::Class(c) => Some(c),
            _ => None,
        })
        .filter_map(|c| {
            let at = model.made_once_at_module_scope(c)?;
            let name = model
                .class(c)
                .name
                .as_deref()
                .unwrap_or("class")
                .to_string();
            Some((
                c,
                step_at(model, display, StepKind::SingleInstance, at.start, name),
            ))
        })
        .collect();
    // `exports.show = async (req, res) => ...`: the function is known by its export's name.
    for e in &s.exports {
        if let ExportValue::Fn(f) = e.value
            && e.name != "default"
            && s.functions[f.index()].0.is_none()
        {
            s.functions[f.index()].0 = Some(e.name.clone());
        }
    }
    uses(model, program, &table, &mut s);
    s.axios_timeout = axios_timeout(model);
    s.nest_http_timeout = model
        .nest_http_timeout_set()
        .map(|span| model.line(span.start));
    s.dispatcher_deadline = model
        .dispatcher_deadline_set()
        .map(|offset| model.line(offset));
    s.decorations = decorations(model);
    s.http_wrappers = http_wrappers(model, &s.exports);
    s.imports = table.imports;
    s
}

fn classes(model: &Model<'_>) -> Vec<ClassInfo> {
    let mut out: Vec<ClassInfo> = model
        .classes()
        .iter_ids()
        .map(|(id, c)| ClassInfo {
            name: c.name.clone(),
            ctor: c.ctor,
            methods: Vec::new(),
            instantiated_here: model.instantiated_here(id),
        })
        .collect();
    for (i, f) in model.functions().iter_ids() {
        if f.kind == crate::model::FnKind::Method
            && let (Some(c), Some(name)) = (f.class, &f.name)
        {
            out[c.index()].methods.push((name.clone(), i));
        }
    }
    out
}

/// What exports may name besides functions and classes: imports and untimed client instances.
struct Locals<'a> {
    /// Import bindings: the import's index.
    by_binding: &'a HashMap<Id, usize>,
    /// Module-level HTTP client instances without a deadline.
    clients: &'a [UntimedClient],
    /// As shown in reports, for the steps of collections.
    display: &'a str,
    /// Module-level collections that exports name, by binding, found as exports meet them:
    /// looking at every module-level binding of every summarised file cost more than the rest
    /// of the summary.
    collections: std::cell::RefCell<Vec<(Id, CollectionMade)>>,
}

/// `axios.create(config)` or `got.extend(options)` at module scope without a deadline.
struct UntimedClient {
    /// The binding it is stored in (`const api = axios.create(...)`), if any.
    id: Option<Id>,
    /// Where the call starts: an export written as the call itself (`exports.api =
    /// axios.create(...)`, `export default axios.create(...)`) is matched by it.
    start: usize,
    made: ClientMade,
}

/// What a module-level binding holds, as an export.
fn binding_value(model: &Model<'_>, id: &Id, locals: &Locals<'_>) -> ExportValue {
    if let Some(&i) = locals.by_binding.get(id) {
        return ExportValue::Import(i);
    }
    if let Some(i) = locals
        .clients
        .iter()
        .position(|c| c.id.as_ref() == Some(id))
    {
        return ExportValue::Client(i);
    }
    if let Some(i) = locals
        .collections
        .borrow()
        .iter()
        .position(|(c, _)| c == id)
    {
        return ExportValue::Collection(i);
    }
    if let Some(made) = module_collection(model, id, locals.display) {
        let mut found = locals.collections.borrow_mut();
        found.push((id.clone(), made));
        return ExportValue::Collection(found.len() - 1);
    }
    let Some(b) = model.binding(id) else {
        return ExportValue::Other;
    };
    match &b.init {
        Init::Function(f) => ExportValue::Fn(*f),
        Init::Class(c) => ExportValue::Class(*c),
        Init::New(name) => {
            class_named(model, name).map_or(ExportValue::Other, ExportValue::Instance)
        }
        _ => ExportValue::Other,
    }
}

fn class_named(model: &Model<'_>, name: &str) -> Option<ClassId> {
    model
        .classes()
        .position(|c| c.name.as_deref() == Some(name) && c.declared_in.is_none())
}

fn arg_value(model: &Model<'_>, arg: &Arg, locals: &Locals<'_>) -> ExportValue {
    match arg {
        Arg::Fn(f, _) => ExportValue::Fn(*f),
        Arg::New(name, _) => {
            class_named(model, name).map_or(ExportValue::Other, ExportValue::Instance)
        }
        Arg::Path(p, _) if p.props.is_empty() => match &p.root {
            Root::Binding(id) => binding_value(model, id, locals),
            _ => ExportValue::Other,
        },
        Arg::Object(props, _) => ExportValue::Object(
            props
                .iter()
                .filter_map(|(k, v)| match arg_value(model, v, locals) {
                    ExportValue::Fn(f) => Some((k.clone(), f)),
                    _ => None,
                })
                .collect(),
        ),
        Arg::Other(span) => {
            // A function or class written inline (`exports.show = async (req, res) => ...`,
            // `module.exports = class Store { ... }`): assignments are summarised before their
            // right-hand side is walked, so look it up by position.
            if let Some(f) = model
                .functions()
                .position(|f| f.span.start == span.start && f.parent.is_none())
            {
                return ExportValue::Fn(f);
            }
            if let Some(i) = locals.clients.iter().position(|c| c.start == span.start) {
                return ExportValue::Client(i);
            }
            model
                .classes()
                .position(|c| c.span.start == span.start)
                .map_or(ExportValue::Other, ExportValue::Class)
        }
        _ => ExportValue::Other,
    }
}

fn exports(
    model: &Model<'_>,
    program: &Program,
    locals: &Locals<'_>,
    reexports: &[(Option<Atom>, usize)],
) -> Vec<Export> {
    let mut out = Vec::new();
    let mut push = |name: Atom, value: ExportValue| out.push(Export { name, value });
    // CommonJS: `module.exports = ...`, `exports.x = ...`, `module.exports.x = ...`.
    for w in model.member_writes().iter().filter(|w| w.in_fn.is_none()) {
        let (Some(object), Some(key)) = (&w.object, &w.key) else {
            continue;
        };
        let props: Vec<&str> = object.props.iter().map(|p| p.as_str()).collect();
        let module_object = matches!(&object.root, Root::Global(g) if g == "module");
        let exports_object = matches!(&object.root, Root::Global(g) if g == "exports");
        if module_object && props.is_empty() && key == "exports" {
            let value = arg_value(model, &w.value, locals);
            if let ExportValue::Object(members) = &value {
                for (k, f) in members {
                    push(k.clone(), ExportValue::Fn(*f));
                }
                if let Arg::Object(props, _) = &w.value {
                    for (k, v) in props {
                        let v = arg_value(model, v, locals);
                        if !matches!(v, ExportValue::Fn(_) | ExportValue::Other) {
                            push(k.clone(), v);
                        }
                    }
                }
            }
            push(Atom::from("default"), value);
        } else if (exports_object && props.is_empty()) || (module_object && props == ["exports"]) {
            push(key.clone(), arg_value(model, &w.value, locals));
        }
    }
    let Program::Module(module) = program else {
        return out;
    };
    let fn_at = |start: usize| model.functions().position(|f| f.span.start == start);
    let class_at = |start: usize| model.classes().position(|c| c.span.start == start);
    for item in &module.body {
        let ModuleItem::ModuleDecl(decl) = item else {
            continue;
        };
        match decl {
            ModuleDecl::ExportDecl(e) => match &e.decl {
                Decl::Fn(f) => push(
                    f.ident.sym.clone(),
                    binding_value(model, &f.ident.to_id(), locals),
                ),
                Decl::Class(c) => push(
                    c.ident.sym.clone(),
                    binding_value(model, &c.ident.to_id(), locals),
                ),
                Decl::Var(v) => {
                    for d in &v.decls {
                        if let Pat::Ident(i) = &d.name {
                            push(
                                i.id.sym.clone(),
                                binding_value(model, &i.id.to_id(), locals),
                            );
                        }
                    }
                }
                _ => {}
            },
            ModuleDecl::ExportDefaultDecl(d) => {
                let value = match &d.decl {
                    DefaultDecl::Fn(f) => fn_at(Span::from_swc(f.function.span).start)
                        .map_or(ExportValue::Other, ExportValue::Fn),
                    DefaultDecl::Class(c) => class_at(Span::from_swc(c.class.span).start)
                        .map_or(ExportValue::Other, ExportValue::Class),
                    _ => ExportValue::Other,
                };
                push(Atom::from("default"), value);
            }
            ModuleDecl::ExportDefaultExpr(d) => {
                let value = match crate::model::path::strip(&d.expr) {
                    Expr::Ident(i) => binding_value(model, &i.to_id(), locals),
                    Expr::Arrow(a) => fn_at(Span::from_swc(a.span).start)
                        .map_or(ExportValue::Other, ExportValue::Fn),
                    Expr::Fn(f) => fn_at(Span::from_swc(f.function.span).start)
                        .map_or(ExportValue::Other, ExportValue::Fn),
                    Expr::Call(c) => {
                        let start = Span::from_swc(c.span).start;
                        locals
                            .clients
                            .iter()
                            .position(|c| c.start == start)
                            .map_or(ExportValue::Other, ExportValue::Client)
                    }
                    Expr::New(n) => match crate::model::path::strip(&n.callee) {
                        Expr::Ident(i) => class_named(model, &i.sym)
                            .map_or(ExportValue::Other, ExportValue::Instance),
                        _ => ExportValue::Other,
                    },
                    _ => ExportValue::Other,
                };
                push(Atom::from("default"), value);
            }
            ModuleDecl::ExportNamed(named) if named.src.is_none() => {
                for spec in &named.specifiers {
                    if let swc_ecma_ast::ExportSpecifier::Named(n) = spec
                        && let ModuleExportName::Ident(orig) = &n.orig
                    {
                        let exported = match &n.exported {
                            Some(ModuleExportName::Ident(i)) => i.sym.clone(),
                            Some(ModuleExportName::Str(s)) => s.value.to_atom_lossy().into_owned(),
                            None => orig.sym.clone(),
                        };
                        push(exported, binding_value(model, &orig.to_id(), locals));
                    }
                }
            }
            _ => {}
        }
    }
    for (name, import) in reexports {
        let value = match name {
            Some(_) => ExportValue::Import(*import),
            None => ExportValue::All(*import),
        };
        out.push(Export {
            name: name.clone().unwrap_or_else(|| Atom::from("*")),
            value,
        });
    }
    out
}

/// The outermost function around `f`.
fn top_of(model: &Model<'_>, f: Option<FnId>) -> Option<FnId> {
    let mut cur = f?;
    while let Some(p) = model.function(cur).parent {
        cur = p;
    }
    Some(cur)
}

/// The name of the nearest named function around a use (`show`), for messages; empty for an
/// anonymous function (its reason says what it is) and for module scope.
fn user_text(model: &Model<'_>, names: &[(Option<Atom>, usize, usize)], f: Option<FnId>) -> String {
    let mut cur = f;
    while let Some(g) = cur {
        if let Some(name) = &names[g.index()].0 {
            return name.to_string();
        }
        cur = model.function(g).parent;
    }
    String::new()
}

/// A step at byte offset `at` of this file.
fn step_at(model: &Model<'_>, display: &str, kind: StepKind, at: usize, code: String) -> Step {
    let pos = model.position(at);
    Step {
        kind,
        path: display.to_string(),
        line: pos.line,
        column: pos.column,
        code,
        source: model.source_line(at),
    }
}

/// Why the code in `f` repeats, as this file knows it: registered by `app.get('/x', ...)` at
/// a position of this file, or a reason of its own (a handler's parameters); `None` when it
/// does not repeat.
fn local_reason(model: &Model<'_>, f: Option<FnId>, display: &str) -> Option<Step> {
    let role = model.role(f);
    if !role.frequency.is_repeating() {
        return None;
    }
    let origin = role.origin.as_ref()?;
    Some(match origin.span {
        Some(span) => step_at(
            model,
            display,
            StepKind::Registered(role.frequency),
            span.start,
            Step::unquoted(&origin.text),
        ),
        None => {
            // The function the reason is about: the origin's.
            let g = origin.function;
            step_at(
                model,
                display,
                StepKind::Repeats(role.frequency),
                model.function(g).span.start,
                origin.text.clone(),
            )
        }
    })
}

/// Constructor parameter properties with a type (`constructor(private svc: CatalogService)`):
/// (class start offset, field, type name). Only classes at the top level.
fn ctor_param_types(program: &Program) -> Vec<(usize, Atom, Atom)> {
    let mut out = Vec::new();
    let body: Vec<&ModuleItem> = match program {
        Program::Module(m) => m.body.iter().collect(),
        Program::Script(_) => return out,
    };
    for item in body {
        let class = match item {
            ModuleItem::Stmt(swc_ecma_ast::Stmt::Decl(Decl::Class(c))) => &c.class,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => match &e.decl {
                Decl::Class(c) => &c.class,
                _ => continue,
            },
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(d)) => match &d.decl {
                DefaultDecl::Class(c) => &c.class,
                _ => continue,
            },
            _ => continue,
        };
        for member in &class.body {
            let swc_ecma_ast::ClassMember::Constructor(ctor) = member else {
                continue;
            };
            for p in &ctor.params {
                let ParamOrTsParamProp::TsParamProp(tp) = p else {
                    continue;
                };
                let TsParamPropParam::Ident(b) = &tp.param else {
                    continue;
                };
                let Some(ty) = &b.type_ann else { continue };
                if let TsType::TsTypeRef(r) = &*ty.type_ann
                    && let TsEntityName::Ident(t) = &r.type_name
                {
                    out.push((
                        Span::from_swc(class.span).start,
                        b.id.sym.clone(),
                        t.sym.clone(),
                    ));
                }
            }
        }
    }
    out
}

fn uses(model: &Model<'_>, program: &Program, table: &ImportTable, s: &mut Summary) {
    let by_binding = &table.by_binding;
    let display = s.display.clone();
    let names = s.functions.clone();
    let user_text = |model: &Model<'_>, f: Option<FnId>| user_text(model, &names, f);
    let by_name: HashMap<&str, usize> = by_binding
        .iter()
        .map(|(id, &i)| (id.0.as_str(), i))
        .collect();
    let mut out: Vec<CrossUse> = Vec::new();
    // Argument lifetimes matter only for calls into the project's own files; working them out
    // for every call of a package (`path.join(a, b)`) would cost a lifetime query per argument.
    let own_module = |import: usize| {
        table.imports.get(import).is_some_and(|i| {
            let s = i.specifier.as_str();
            s.starts_with('.') || s.starts_with('/') || s.starts_with("@/") || s.starts_with('~')
        })
    };
    let args_of = |target: &Target, args: &[Arg], in_fn: Option<FnId>| match target {
        Target::Import { import, .. } if !own_module(*import) => (Vec::new(), Vec::new()),
        _ => arg_lifetimes(model, args, in_fn),
    };
    let at = |target: Target, kind: UseKind, in_fn: Option<FnId>, span: Span| CrossUse {
        target,
        kind,
        top: top_of(model, in_fn),
        frequency: model.role(in_fn).frequency,
        reason: local_reason(model, in_fn, &display),
        user: user_text(model, in_fn),
        line: model.position(span.start).line,
        column: model.position(span.start).column,
        source: model.source_line(span.start),
        long_lived_args: Vec::new(),
        own_args: Vec::new(),
    };
    // `new Imported()` written as `Imported` or `ns.Imported`: the import and the path after it.
    let constructed = |name: &str| -> Option<(usize, Vec<Atom>)> {
        let mut parts = name.split('.');
        let first = parts.next()?;
        let import = *by_name.get(first)?;
        Some((import, parts.map(Atom::from).collect()))
    };
    let ctor_types = ctor_param_types(program);
    let local_class = |name: &str| {
        model
            .classes()
            .position(|c| c.name.as_deref() == Some(name) && c.declared_in.is_none())
    };
    let method_of = |class: ClassId, method: &str| {
        model.functions().position(|f| {
            f.class == Some(class)
                && f.kind == crate::model::FnKind::Method
                && f.name.as_deref() == Some(method)
        })
    };

    for call in model.plain_calls() {
        if let Some(&import) = by_binding.get(&call.callee) {
            let mut u = at(
                Target::Import {
                    import,
                    path: Vec::new(),
                },
                UseKind::Call,
                call.in_fn,
                call.span,
            );
            (u.long_lived_args, u.own_args) = args_of(&u.target, &call.args, call.in_fn);
            out.push(u);
        }
    }
    for call in model.member_calls() {
        let Some(receiver) = &call.receiver else {
            continue;
        };
        let mut tail: Vec<Atom> = receiver.props.clone();
        tail.push(call.method.clone());
        let target = match &receiver.root {
            Root::Binding(id) => {
                if let Some(&import) = by_binding.get(id) {
                    Some(Target::Import { import, path: tail })
                } else if let Some(Init::New(name)) = model.binding(id).map(|b| &b.init)
                    && let Some((import, mut path)) = constructed(name)
                {
                    path.push(Atom::from("#"));
                    path.extend(tail);
                    Some(Target::Import { import, path })
                } else if receiver.props.len() == 1
                    && model
                        .binding(id)
                        .is_some_and(|b| b.kind == BindingKind::Param && id.0.contains("fastify"))
                {
                    Some(Target::Decorated {
                        name: receiver.props[0].clone(),
                        method: call.method.clone(),
                    })
                } else {
                    None
                }
            }
            Root::This(Some(f)) if receiver.props.len() == 1 => {
                let field = &receiver.props[0];
                let class = model
                    .function(*f)
                    .this_fn
                    .and_then(|o| model.function(o).class);
                class.and_then(|class| {
                    // `this.store = new Store()` in the constructor or as a field.
                    let made = model
                        .field_inits(class, field)
                        .find_map(|(init, _)| match init {
                            Init::New(ctor) => Some(ctor.clone()),
                            _ => None,
                        });
                    // `constructor(private readonly store: Store)`: injected.
                    let typed = || {
                        let start = model.class(class).span.start;
                        ctor_types
                            .iter()
                            .find(|(s, name, _)| *s == start && name == field)
                            .map(|(_, _, ty)| ty.clone())
                    };
                    let ty = made.or_else(typed)?;
                    if let Some((import, mut path)) = constructed(&ty) {
                        path.push(Atom::from("#"));
                        path.push(call.method.clone());
                        Some(Target::Import { import, path })
                    } else {
                        let c = local_class(&ty)?;
                        method_of(c, &call.method).map(Target::Local)
                    }
                })
            }
            _ => None,
        };
        if let Some(target) = target {
            let mut u = at(target, UseKind::Call, call.in_fn, call.span);
            (u.long_lived_args, u.own_args) = args_of(&u.target, &call.args, call.in_fn);
            out.push(u);
        }
    }
    for new in model.news() {
        if let Some((import, path)) = constructed(&new.callee) {
            let mut u = at(
                Target::Import { import, path },
                UseKind::New,
                new.in_fn,
                new.span,
            );
            (u.long_lived_args, u.own_args) = args_of(&u.target, &new.args, new.in_fn);
            out.push(u);
        }
    }
    for (path, registrar, _) in model.registered_refs() {
        let Root::Binding(id) = &path.root else {
            continue;
        };
        let Some(&import) = by_binding.get(id) else {
            continue;
        };
        let at = registrar.span.start;
        let pos = model.position(at);
        out.push(CrossUse {
            target: Target::Import {
                import,
                path: path.props.clone(),
            },
            long_lived_args: Vec::new(),
            own_args: Vec::new(),
            kind: UseKind::Registered,
            top: None,
            frequency: registrar.frequency,
            reason: Some(step_at(
                model,
                &display,
                StepKind::Registered(registrar.frequency),
                at,
                Step::unquoted(&registrar.text),
            )),
            user: registrar.text.clone(),
            line: pos.line,
            column: pos.column,
            source: model.source_line(at),
        });
    }
    // Passed on as a value: whoever receives it may call it at any time.
    for (id, &import) in by_binding {
        let Some(b) = model.binding(id) else { continue };
        if let Some(u) = b.uses.iter().find(|u| u.kind == BindingUse::Read) {
            out.push(CrossUse {
                target: Target::Import {
                    import,
                    path: Vec::new(),
                },
                kind: UseKind::Escape,
                top: top_of(model, u.in_fn),
                frequency: model.role(u.in_fn).frequency,
                reason: None,
                user: user_text(model, u.in_fn),
                line: model.position(u.span.start).line,
                column: model.position(u.span.start).column,
                source: String::new(),
                long_lived_args: Vec::new(),
                own_args: Vec::new(),
            });
        }
    }
    let first_inline = table.imports.len() - model.inline_requires().len();
    for (i, (_, span, in_fn)) in model.inline_requires().iter().enumerate() {
        out.push(at(
            Target::Import {
                import: first_inline + i,
                path: Vec::new(),
            },
            UseKind::Call,
            *in_fn,
            *span,
        ));
    }
    // Deterministic order (binding tables are hash maps).
    out.sort_by_key(|u| (u.line, u.kind as u8));
    s.uses = out;
}

/// The arguments of a call in function `in_fn`, by position: those whose values outlive that
/// function's invocation (as written), and those it made or holds for that invocation alone
/// (in code that runs in a function; start-up code says nothing either way). Positions after
/// a spread (`f(...rest, x)`) are not known, so both lists stop at the first one.
fn arg_lifetimes(
    model: &Model<'_>,
    args: &[Arg],
    in_fn: Option<FnId>,
) -> (Vec<(usize, String)>, Vec<usize>) {
    let mut long_lived = Vec::new();
    let mut own = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let span = arg.span();
        // Arguments are summarised without their `...`: read it off the text before them.
        if model.text(Span::new(span.start.saturating_sub(3), span.start)) == "..." {
            break;
        }
        match arg {
            Arg::Path(path, span) => match model.lifetime(path, in_fn) {
                crate::model::Lifetime::Outlives(_) => {
                    long_lived.push((i, model.text(*span).to_string()))
                }
                crate::model::Lifetime::PerInvocation if in_fn.is_some() => own.push(i),
                _ => {}
            },
            Arg::New(..) | Arg::Object(..) | Arg::Fn(..) | Arg::Bound(..) if in_fn.is_some() => {
                own.push(i)
            }
            _ => {}
        }
    }
    (long_lived, own)
}

/// `axios.defaults.timeout = ...`: its line.
fn axios_timeout(model: &Model<'_>) -> Option<usize> {
    model
        .module_defaults_write("axios", "timeout")
        .map(|w| model.line(w.span.start))
}

/// `fastify.decorate('name', { method() {} })`.
fn decorations(model: &Model<'_>) -> Vec<(Atom, Vec<(Atom, FnId)>)> {
    model
        .calls_of(&["decorate"])
        .filter_map(|c| match (c.args.first(), c.args.get(1)) {
            (Some(Arg::Str(name, _)), Some(Arg::Object(props, _))) => Some((
                name.clone(),
                props
                    .iter()
                    .filter_map(|(k, v)| match v {
                        Arg::Fn(f, _) => Some((k.clone(), *f)),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

/// The collection a module-level binding holds (`const sessions = new Map()`), with whether this
/// file takes entries out of it. Other files see it only through exports
/// ([`ExportValue::Collection`]).
fn module_collection(model: &Model<'_>, id: &Id, display: &str) -> Option<CollectionMade> {
    let b = model.binding(id)?;
    if b.scope.is_some() {
        return None;
    }
    let path = AccessPath {
        root: Root::Binding(id.clone()),
        props: Vec::new(),
    };
    let (kind, span) = model.collection(&path)?;
    Some(CollectionMade {
        kind,
        created: step_at(
            model,
            display,
            StepKind::CollectionCreated,
            span.start,
            b.name.to_string(),
        ),
        removed_here: model.shrink_site(&path).is_some(),
    })
}

/// Entries taken out of imported values anywhere in the file (see
/// [`Summary::import_removals`]), each (import, properties) once.
fn import_removals(model: &Model<'_>, by_binding: &HashMap<Id, usize>) -> Vec<(usize, Vec<Atom>)> {
    let of = |p: &AccessPath| -> Option<(usize, Vec<Atom>)> {
        let Root::Binding(id) = &p.root else {
            return None;
        };
        by_binding.get(id).map(|&i| (i, p.props.clone()))
    };
    let emptied = model.emptied_paths().filter_map(of);
    // Handed to a function of this file that takes entries out of that parameter.
    let handed = model.plain_calls().iter().flat_map(|c| {
        let callee = match model.binding(&c.callee).map(|b| &b.init) {
            Some(Init::Function(g)) => Some(*g),
            _ => None,
        };
        c.args.iter().enumerate().filter_map(move |(i, a)| match a {
            Arg::Path(p, _) if callee.is_some_and(|g| model.shrinks_param(g, i)) => of(p),
            _ => None,
        })
    });
    let mut out: Vec<(usize, Vec<Atom>)> = emptied.chain(handed).collect();
    out.sort();
    out.dedup();
    out
}

/// Imported values handed to imported functions (see [`Summary::import_args`]): plain calls of
/// an import (`removeById(users, id)`) and member calls on one (`helpers.drop(queue, job)`).
fn import_args(model: &Model<'_>, by_binding: &HashMap<Id, usize>) -> Vec<ImportArg> {
    let import_path = |p: &AccessPath| -> Option<(usize, Vec<Atom>)> {
        let Root::Binding(id) = &p.root else {
            return None;
        };
        by_binding.get(id).map(|&i| (i, p.props.clone()))
    };
    let values = |args: &[Arg]| -> Vec<(usize, (usize, Vec<Atom>))> {
        args.iter()
            .enumerate()
            .filter_map(|(i, a)| match a {
                Arg::Path(p, _) => import_path(p).map(|v| (i, v)),
                _ => None,
            })
            .collect()
    };
    let mut out = Vec::new();
    for c in model.plain_calls() {
        let Some(&callee) = by_binding.get(&c.callee) else {
            continue;
        };
        for (position, value) in values(&c.args) {
            out.push(ImportArg {
                callee: (callee, Vec::new()),
                position,
                value,
            });
        }
    }
    for c in model.member_calls() {
        let Some((callee, mut props)) = c.receiver.as_ref().and_then(import_path) else {
            continue;
        };
        props.push(c.method.clone());
        for (position, value) in values(&c.args) {
            out.push(ImportArg {
                callee: (callee, props.clone()),
                position,
                value,
            });
        }
    }
    out.sort_by(|a, b| (&a.callee, a.position, &a.value).cmp(&(&b.callee, b.position, &b.value)));
    out.dedup();
    out
}

/// `axios.create(config)` at module scope with no `timeout` in `config` (and, when stored in a
/// binding `api`, no `api.defaults.timeout = ...` in the file), `got.extend(options)` with
/// neither `timeout` nor `signal` in `options`, and `request.defaults(options)` (and its forks',
/// phin's) without `timeout`. Whether the project sets
/// `axios.defaults.timeout` is the project phase's question.
fn untimed_clients(model: &Model<'_>, display: &str) -> Vec<UntimedClient> {
    model
        .member_calls()
        .iter()
        .filter_map(|c| {
            if c.in_fn.is_some() {
                return None;
            }
            let library = model.module_of(c.receiver.as_ref()?)?;
            let deadline: &[&str] = match (library, c.method.as_str()) {
                ("axios", "create") => &["timeout"],
                ("got", "extend") => &["timeout", "signal"],
                // Each returns a new client function with these defaults.
                (
                    "request"
                    | "postman-request"
                    | "@cypress/request"
                    | "request-promise"
                    | "request-promise-native"
                    | "phin",
                    "defaults",
                ) => &["timeout"],
                _ => return None,
            };
            let timed = c
                .args
                .first()
                .is_some_and(|a| model.options_set(a, deadline));
            (!timed).then_some((c, Atom::from(library)))
        })
        .filter_map(|(c, library)| {
            let id = match c.stored_to.as_ref() {
                Some(AccessPath {
                    root: Root::Binding(id),
                    props,
                }) if props.is_empty() => Some(id.clone()),
                _ => None,
            };
            if id.as_ref().is_some_and(|id| {
                let instance = AccessPath {
                    root: Root::Binding(id.clone()),
                    props: Vec::new(),
                };
                model.instance_defaults_set(&instance, &["timeout", "signal"])
            }) {
                return None;
            }
            let code = format!("{}(...)", model.excerpt(c.callee_span, 60));
            Some(UntimedClient {
                id,
                start: c.span.start,
                made: ClientMade {
                    library,
                    created: step_at(model, display, StepKind::ClientCreated, c.span.start, code),
                },
            })
        })
        .collect()
}

/// Exported functions that hand their own argument to an HTTP client as the URL.
fn http_wrappers(model: &Model<'_>, exports: &[Export]) -> Vec<(FnId, String, bool, String)> {
    let mut out = Vec::new();
    let exported = exports.iter().flat_map(|e| match &e.value {
        ExportValue::Fn(f) => vec![*f],
        ExportValue::Object(members) => members.iter().map(|(_, f)| *f).collect(),
        _ => Vec::new(),
    });
    let from_param = |f: FnId, arg: Option<&Arg>| {
        matches!(arg, Some(Arg::Path(p, _)) if matches!(&p.root, Root::Binding(id)
            if model.binding(id).is_some_and(|b| b.kind == BindingKind::Param && b.scope == Some(f))))
    };
    // A deadline of its own: a literal `timeout`, or a `signal` that is itself the call
    // `AbortSignal.timeout(...)` (not a choice between it and the caller's signal).
    let own_deadline = |args: &[Arg]| {
        args.iter().any(|a| {
            matches!(a.prop("timeout"), Some(Arg::Num(..)))
                || a.prop("signal").is_some_and(|s| {
                    model.member_calls().iter().any(|c| {
                        c.span == s.span()
                            && c.method == "timeout"
                            && c.receiver
                                .as_ref()
                                .is_some_and(|r| r.is_global("AbortSignal") && r.props.is_empty())
                    })
                })
        })
    };
    for f in exported {
        let plain = model.plain_calls().iter().find(|c| {
            model.is_within(c.in_fn, Some(f))
                && from_param(f, c.args.first())
                && !own_deadline(&c.args)
                && (if c.global {
                    c.name == "fetch"
                } else {
                    model
                        .binding(&c.callee)
                        .and_then(|b| b.module())
                        .is_some_and(|m| FETCH_MODULES.contains(&m) || m == "axios" || m == "got")
                })
        });
        if let Some(c) = plain {
            let axios = model.binding(&c.callee).and_then(|b| b.module()) == Some("axios");
            let source = model.source_line(model.function(f).span.start);
            out.push((f, format!("`{}`", c.name), axios, source));
            continue;
        }
        let member = model.member_calls().iter().find(|c| {
            model.is_within(c.in_fn, Some(f))
                && from_param(f, c.args.first())
                && !own_deadline(&c.args)
                && matches!(
                    c.method.as_str(),
                    "request" | "get" | "post" | "put" | "patch" | "delete"
                )
                && c.receiver
                    .as_ref()
                    .and_then(|r| model.module_of(r))
                    .is_some_and(|m| CLIENT_MODULES.contains(&m))
        });
        if let Some(c) = member {
            let axios = c.receiver.as_ref().and_then(|r| model.module_of(r)) == Some("axios");
            let source = model.source_line(model.function(f).span.start);
            out.push((
                f,
                format!("`{}`", model.excerpt(c.callee_span, 60)),
                axios,
                source,
            ));
        }
    }
    out
}
