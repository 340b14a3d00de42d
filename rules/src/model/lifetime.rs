//! How long a value lives, relative to the code that touches it.
//!
//! A receiver *outlives* an invocation when it exists before the invocation starts and is still
//! reachable after it ends: module-level bindings, imports, `process` and other globals, the
//! application object reached from a request, the keep-alive socket under a request, variables
//! of an enclosing function that a repeating callback closes over, `this` of a singleton, and
//! an `AbortSignal` handed in by the caller. Everything created during the invocation, and the
//! per-request objects themselves (`req`, `res`, `ctx`, the connection's socket), live *per
//! invocation*. When the model cannot tell, the answer is [`Lifetime::Unknown`] and rules stay
//! quiet: precision first.

use super::{AccessPath, BindingKind, FnId, FnKind, Frequency, Init, Model, Root};
use crate::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// Outlives the invocation, for the reason given.
    Outlives(Why),
    /// Created for, and dropped with, the invocation.
    PerInvocation,
    /// Owned by the caller and of unknown lifetime (a parameter of library code).
    Unknown,
}

/// Why a value outlives an invocation, phrased for a message, with the place that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    /// "`orderEvents` is declared at module scope (line 6)"
    pub text: String,
    /// The declaration, for a related location.
    pub decl: Option<Span>,
    /// Label at the declaration: "`orderEvents` is declared here, at module scope".
    pub label: String,
}

/// Globals that exist for the life of the process.
const PROCESS_WIDE_GLOBALS: &[&str] = &[
    "process",
    "globalThis",
    "global",
    "window",
    "document",
    "self",
    "console",
];
/// Properties of per-request objects that are shared by all requests.
const APP_PROPS: &[&str] = &["app", "server"];
/// Properties of per-request objects that live as long as the connection (keep-alive).
const CONNECTION_PROPS: &[&str] = &["socket", "connection"];

impl Model<'_> {
    /// The lifetime of the value at `path`, as seen from code in function `at`.
    pub fn lifetime(&self, path: &AccessPath, at: Option<FnId>) -> Lifetime {
        let Some(at) = at else {
            // Start-up code: nothing repeats, so nothing outlives "the invocation".
            return Lifetime::PerInvocation;
        };
        let shown = self.path_text(path);
        match &path.root {
            Root::Global(name) => {
                if PROCESS_WIDE_GLOBALS.contains(&name.as_str())
                    || self.knowledge.long_lived.iter().any(|n| n == name.as_str())
                {
                    Lifetime::Outlives(Why {
                        text: format!("`{name}` is a global that lives as long as the process"),
                        decl: None,
                        label: String::new(),
                    })
                } else {
                    Lifetime::Unknown
                }
            }
            Root::This(this_fn) => self.this_lifetime(path, *this_fn, at),
            Root::Binding(id) => {
                let Some(b) = self.binding(id) else {
                    return Lifetime::Unknown;
                };
                let line = self.line(b.span.start);
                match b.scope {
                    None => {
                        let how = match &b.init {
                            Init::Require(src) | Init::Import(src) => {
                                format!("is imported from '{src}' (line {line})")
                            }
                            _ => format!("is declared at module scope (line {line})"),
                        };
                        Lifetime::Outlives(Why {
                            text: format!("`{}` {how}", b.name),
                            decl: Some(b.span),
                            label: format!("`{}` is declared here, at module scope", b.name),
                        })
                    }
                    Some(g) => self.local_lifetime(path, g, at, &shown),
                }
            }
        }
    }

    /// A binding declared in function `g`, used from function `at` (inside `g`).
    fn local_lifetime(&self, path: &AccessPath, g: FnId, at: FnId, shown: &str) -> Lifetime {
        let Root::Binding(id) = &path.root else {
            return Lifetime::Unknown;
        };
        let Some(b) = self.binding(id) else {
            return Lifetime::Unknown;
        };
        let role = self.role(Some(at));
        // Declared outside the function that repeats? Then it outlives each repetition.
        if let Some(origin) = &role.origin
            && role.frequency.is_repeating()
            && origin.function != g
            && self.is_within(Some(origin.function), Some(g))
        {
            let g_line = self.line(self.functions[g].span.start);
            let owner = match (&self.functions[g].name, self.role(Some(g))) {
                (Some(name), _) => format!("`{name}` (line {g_line})"),
                (None, r) if r.frequency.is_repeating() => {
                    format!(
                        "the handler that runs {} (line {g_line})",
                        r.frequency.phrase()
                    )
                }
                (None, _) => format!("the function at line {g_line}"),
            };
            let kind = if b.kind == BindingKind::Param {
                "is a parameter of"
            } else {
                "is declared in"
            };
            return Lifetime::Outlives(Why {
                text: format!(
                    "`{}` {kind} {owner} and outlives each run of the code that registers here",
                    b.name
                ),
                decl: Some(b.span),
                label: format!(
                    "`{}` is declared here, outside the repeating handler",
                    b.name
                ),
            });
        }
        if b.kind != BindingKind::Param {
            return Lifetime::PerInvocation;
        }
        let g_role = self.role(Some(g));
        if g_role.frequency.is_repeating() {
            // A handler's own parameters (`req`, `res`, `ctx`, `socket`) are per invocation, but
            // some of their properties are not.
            if let Some(first) = path.props.first() {
                if APP_PROPS.contains(&first.as_str()) {
                    return Lifetime::Outlives(Why {
                        text: format!(
                            "`{shown}` is the application object, shared by every request"
                        ),
                        decl: None,
                        label: String::new(),
                    });
                }
                if g_role.frequency == Frequency::PerRequest
                    && path
                        .props
                        .iter()
                        .any(|p| CONNECTION_PROPS.contains(&p.as_str()))
                {
                    return Lifetime::Outlives(Why {
                        text: format!(
                            "`{shown}` is the connection's socket, which outlives the request when the client keeps the connection alive"
                        ),
                        decl: None,
                        label: String::new(),
                    });
                }
            }
            return Lifetime::PerInvocation;
        }
        // A parameter of library code: owned by the caller. An `AbortSignal` is the classic
        // long-lived one (an app-wide shutdown signal passed to every call).
        let param = self.functions[g].params.iter().find(|p| &p.id == id);
        let is_signal = path.props.is_empty()
            && (b.name.as_str() == "signal"
                || b.name.ends_with("Signal")
                || param.and_then(|p| p.type_name.as_deref()) == Some("AbortSignal"));
        if is_signal {
            return Lifetime::Outlives(Why {
                text: format!(
                    "`{}` is an `AbortSignal` passed in by the caller, who may reuse it for many calls or never abort it",
                    b.name
                ),
                decl: Some(b.span),
                label: format!("`{}` comes from the caller", b.name),
            });
        }
        Lifetime::Unknown
    }

    /// `this.x` in function `at`.
    fn this_lifetime(&self, path: &AccessPath, this_fn: Option<FnId>, at: FnId) -> Lifetime {
        let Some(owner) = this_fn else {
            return Lifetime::Unknown;
        };
        let func = &self.functions[owner];
        let Some(class) = func.class else {
            return Lifetime::Unknown;
        };
        if func.kind == FnKind::Constructor && owner == at {
            // The instance is being built: its own fields are per instance.
            return Lifetime::PerInvocation;
        }
        let c = &self.classes[class];
        let class_name = c.name.as_deref().unwrap_or("the class");
        if c.di_singleton {
            return Lifetime::Outlives(Why {
                text: format!(
                    "`{}` belongs to `{class_name}`, a singleton created once by the dependency-injection container",
                    self.path_text(path)
                ),
                decl: Some(c.span),
                label: String::new(),
            });
        }
        // A class instantiated only at start-up, once: its instance lives for the whole program.
        let sites: Vec<_> = self
            .instantiations
            .iter()
            .filter(|(k, _, _)| *k == class)
            .collect();
        let ctor_role = c.ctor.map(|ctor| self.role(Some(ctor)).frequency);
        if sites.len() == 1
            && ctor_role.is_none_or(|f| f == Frequency::StartUp)
            && sites[0].1.is_none()
        {
            let span = sites[0].2;
            return Lifetime::Outlives(Why {
                text: format!(
                    "`{}` belongs to the single `{class_name}` instance created at module scope (line {})",
                    self.path_text(path),
                    self.line(span.start)
                ),
                decl: Some(span),
                label: format!("the only `{class_name}` instance is created here"),
            });
        }
        Lifetime::Unknown
    }
}
