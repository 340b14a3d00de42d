//! Collections: what kind of unbounded container lives at a path, and whether anything in the
//! file ever takes entries out of it.
//!
//! Only containers that grow without limit by construction are known: `Map`, `Set`, arrays and
//! plain objects used as dictionaries. `WeakMap`, `WeakSet`, LRU caches and anything else
//! constructed by a class leaklint does not know are not collections here, so rules never
//! second-guess a bounded cache.

use swc_atoms::Atom;

use super::{AccessPath, Arg, Endpoint, FnId, Init, Lifetime, Model, Root, UseKind};
use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CollectionKind {
    Map,
    Set,
    Array,
    /// A plain object used as a dictionary (`{}`, `Object.create(null)`).
    Object,
}

impl CollectionKind {
    /// With its article, for messages: "a Map", "an array".
    pub fn described(self) -> &'static str {
        match self {
            CollectionKind::Map => "a Map",
            CollectionKind::Set => "a Set",
            CollectionKind::Array => "an array",
            CollectionKind::Object => "an object used as a dictionary",
        }
    }
}

/// Methods that take entries out (or empty the collection).
/// Events Node's sockets and streams emit when they end, which a socket.io server-side socket
/// never emits (it emits `'disconnecting'` and `'disconnect'`; any other name is a message the
/// client may or may not send).
const NOT_SOCKET_IO_EVENTS: &[&str] = &[
    "close", "closed", "end", "finish", "timeout", "abort", "aborted", "destroy",
];

const SHRINKING_METHODS: &[&str] = &["delete", "clear", "splice", "shift", "pop", "length"];

impl Model<'_> {
    /// The collection at `path` and where it is created: a binding's initialiser, a class
    /// field's (`this.cache = new Map()` in the constructor, or `cache = new Map()`), or a
    /// static property's (`static cache = new Map()`, reached as `Registry.cache` or as
    /// `this.cache` in a static method).
    pub fn collection(&self, path: &AccessPath) -> Option<(CollectionKind, Span)> {
        fn find<'t>(
            table: &'t [(super::ClassId, Atom, Init, Span)],
            class: super::ClassId,
            field: &Atom,
        ) -> Option<(&'t Init, Span)> {
            table
                .iter()
                .find(|(c, name, _, _)| *c == class && name == field)
                .map(|(_, _, init, span)| (init, *span))
        }
        let (init, span) = match (&path.root, path.props.as_slice()) {
            (Root::Binding(id), []) => {
                let b = self.binding(id)?;
                (&b.init, b.span)
            }
            (Root::Binding(id), [field]) => match self.binding(id)?.init {
                Init::Class(class) => find(&self.static_inits, class, field)?,
                _ => return None,
            },
            (Root::This(Some(f)), [field]) => {
                let owner = self.functions[*f].this_fn?;
                let class = self.functions[owner].class?;
                if self.functions[owner].static_member {
                    find(&self.static_inits, class, field)?
                } else {
                    find(&self.field_inits, class, field)?
                }
            }
            _ => return None,
        };
        let kind = match init {
            Init::New(name) => match constructor_name(name) {
                "Map" => CollectionKind::Map,
                "Set" => CollectionKind::Set,
                "Array" => CollectionKind::Array,
                _ => return None,
            },
            Init::ArrayLit => CollectionKind::Array,
            Init::ObjectLit => CollectionKind::Object,
            _ => return None,
        };
        Some((kind, span))
    }

    /// Is `key`, the key of an `obj[key] = ...` write, a field of some data (`info.route`,
    /// `job.queue`)? Then `obj` is used as a dictionary even where this file does not see it
    /// made (an object the caller hands in); an index variable (`buf[i]`) may be an array's.
    pub fn is_keyed_by_field(&self, key: Option<&Arg>) -> bool {
        matches!(key, Some(Arg::Path(p, _)) if !p.props.is_empty())
    }

    /// The function a binding of this file names (`function removeById(...)`,
    /// `const removeById = (...) => ...`).
    fn local_function(&self, id: &swc_ecma_ast::Id) -> Option<FnId> {
        match self.binding(id)?.init {
            Init::Function(f) => Some(f),
            _ => None,
        }
    }

    /// Does function `f` take entries out of its parameter at position `index` itself
    /// (`arr.splice(i, 1)`, `map.delete(k)`, `delete obj[k]`, `arr.length = 0` on the
    /// parameter)? Answered from [`Model::shrinking_params`], computed once per model: asking
    /// by scanning the removals for every call argument was quadratic on large files.
    pub fn shrinks_param(&self, f: FnId, index: usize) -> bool {
        self.shrinking
            .get_or_init(|| self.shrinking_params().into_iter().collect())
            .contains(&(f, index))
    }

    /// Every path the file takes entries out of, anywhere: the receiver of `delete` / `clear` /
    /// `splice` / `shift` / `pop`, the object of `delete obj[k]`, and of `obj.length = n`.
    pub fn emptied_paths(&self) -> impl Iterator<Item = &AccessPath> {
        let calls = self
            .member_calls
            .iter()
            .filter(|c| SHRINKING_METHODS.contains(&c.method.as_str()))
            .filter_map(|c| c.receiver.as_ref());
        let deletes = self.deletes.iter().filter_map(|d| d.object.as_ref());
        let emptied = self
            .member_writes
            .iter()
            .filter(|w| w.key.as_deref() == Some("length"))
            .filter_map(|w| w.object.as_ref());
        calls.chain(deletes).chain(emptied)
    }

    /// Every (function, parameter position) that takes entries out of its parameter (see
    /// [`Model::shrinks_param`]), found from the removals, sorted.
    pub fn shrinking_params(&self) -> Vec<(FnId, usize)> {
        let mut out: Vec<(FnId, usize)> = self
            .emptied_paths()
            .filter_map(|path| {
                let AccessPath {
                    root: Root::Binding(id),
                    props,
                } = path
                else {
                    return None;
                };
                if !props.is_empty() {
                    return None;
                }
                let f = self.binding(id)?.scope?;
                let p = self.functions[f]
                    .params
                    .iter()
                    .find(|p| p.id == *id && p.from_key.is_none())?;
                Some((f, p.index))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Where something takes entries out of the collection at `path`, if anything does:
    /// `delete` / `clear` / `splice` / `shift` / `pop`, `delete obj[k]`, `arr.length = n`, or a
    /// reassignment outside its declaration (`cache = new Map()`, `this.cache = {}` outside the
    /// constructor).
    pub fn shrink_site(&self, path: &AccessPath) -> Option<Span> {
        let same = |p: &Option<AccessPath>| p.as_ref().is_some_and(|p| self.same_object(p, path));
        if let Some(c) = self.member_calls.iter().find(|c| {
            SHRINKING_METHODS.contains(&c.method.as_str())
                && same(&c.receiver)
                && !self.in_listener_never_fired(c.in_fn)
        }) {
            return Some(c.span);
        }
        if let Some(d) = self
            .deletes
            .iter()
            .find(|d| same(&d.object) && !self.in_listener_never_fired(d.in_fn))
        {
            return Some(d.span);
        }
        // Handed to a function of the file that takes entries out of that parameter
        // (`removeById(users, id)` with `arr.splice(i, 1)` in `removeById`).
        let shrinking_calls = self.shrinking_calls.get_or_init(|| {
            (0..self.plain_calls.len())
                .filter(|&k| {
                    let c = &self.plain_calls[k];
                    self.local_function(&c.callee)
                        .is_some_and(|g| (0..c.args.len()).any(|i| self.shrinks_param(g, i)))
                })
                .collect()
        });
        if let Some(c) = shrinking_calls
            .iter()
            .map(|&k| &self.plain_calls[k])
            .find(|c| {
                c.args.iter().enumerate().any(|(i, a)| {
                    matches!(a, Arg::Path(p, _) if self.same_object(p, path))
                        && self
                            .local_function(&c.callee)
                            .is_some_and(|g| self.shrinks_param(g, i))
                }) && !self.in_listener_never_fired(c.in_fn)
            })
        {
            return Some(c.span);
        }
        if let Some(w) = self
            .member_writes
            .iter()
            .find(|w| same(&w.object) && w.key.as_deref() == Some("length"))
        {
            return Some(w.span);
        }
        match &path.root {
            Root::Binding(id) if path.props.is_empty() => {
                let b = self.binding(id)?;
                b.uses
                    .iter()
                    .find(|u| u.kind == UseKind::Write)
                    .map(|u| u.span)
            }
            Root::This(_) => self
                .member_writes
                .iter()
                .filter(|w| {
                    w.in_fn
                        .is_some_and(|f| !self.functions[f].kind.builds_instance())
                })
                .find(|w| {
                    w.key.is_some()
                        && w.object.as_ref().is_some_and(|o| {
                            let mut whole = o.clone();
                            whole
                                .props
                                .push(w.key.clone().unwrap_or_else(|| Atom::from("")));
                            self.same_object(&whole, path)
                        })
                })
                .map(|w| w.span),
            _ => None,
        }
    }
}

impl Model<'_> {
    /// Does code in `f` run only inside a listener for an event its receiver never emits
    /// (`socket.on('close', ...)` on a socket.io server-side socket, which emits
    /// `'disconnect'`)? Such a listener runs only if the client sends a message of that name,
    /// never when the connection ends, so what it removes stays.
    fn in_listener_never_fired(&self, f: Option<FnId>) -> bool {
        self.event_never_fired(f).is_some()
    }

    /// The event of [`Self::in_listener_never_fired`]'s listener, when there is one.
    fn event_never_fired(&self, f: Option<FnId>) -> Option<Atom> {
        let mut cur = f;
        while let Some(g) = cur {
            let never = self.member_calls.iter().find_map(|c| match c.args.first() {
                Some(Arg::Str(e, _))
                    if NOT_SOCKET_IO_EVENTS.contains(&e.as_str())
                        && super::emitters::is_listener_method(&c.method)
                        && matches!(c.args.get(1), Some(Arg::Fn(h, _)) if *h == g)
                        && c.receiver
                            .as_ref()
                            .is_some_and(|r| self.is_socket_io_socket(r)) =>
                {
                    Some(e.clone())
                }
                _ => None,
            });
            if never.is_some() {
                return never;
            }
            cur = self.functions[g].parent;
        }
        None
    }

    /// A removal from the collection at `path` that [`Model::shrink_site`] does not count
    /// because it is in a listener for an event its receiver never emits: where, and the event.
    pub fn removal_never_run(&self, path: &AccessPath) -> Option<(Span, Atom)> {
        let same = |p: &Option<AccessPath>| p.as_ref().is_some_and(|p| self.same_object(p, path));
        let calls = self
            .member_calls
            .iter()
            .filter(|c| SHRINKING_METHODS.contains(&c.method.as_str()) && same(&c.receiver))
            .map(|c| (c.span, c.in_fn));
        let deletes = self
            .deletes
            .iter()
            .filter(|d| same(&d.object))
            .map(|d| (d.span, d.in_fn));
        calls
            .chain(deletes)
            .find_map(|(span, f)| Some((span, self.event_never_fired(f)?)))
    }

    /// Is `path` the socket of a socket.io connection: the first parameter of a `'connection'`
    /// (or `'connect'`) listener on a socket.io server or namespace?
    fn is_socket_io_socket(&self, path: &AccessPath) -> bool {
        let Root::Binding(id) = &path.root else {
            return false;
        };
        let Some(h) = self.binding(id).and_then(|b| b.scope) else {
            return false;
        };
        if !path.props.is_empty()
            || !self.functions[h]
                .params
                .iter()
                .any(|p| &p.id == id && p.index == 0)
        {
            return false;
        }
        self.member_calls.iter().any(|c| {
            super::emitters::is_listener_method(&c.method)
                && matches!(c.args.get(1), Some(Arg::Fn(g, _)) if *g == h)
                && matches!(c.args.first(), Some(Arg::Str(e, _)) if e == "connection" || e == "connect")
                && c.receiver.as_ref().is_some_and(|r| {
                    r.props.is_empty()
                        && matches!(&r.root, Root::Binding(io) if self.binding(io).and_then(|b| b.endpoint) == Some(Endpoint::SocketIo))
                })
        })
    }

    /// Is `path` a variable of a function that returns it (`const seen = []; ...; return
    /// seen`)? The caller owns what it is handed.
    pub fn returned_by_owner(&self, path: &AccessPath) -> bool {
        let Root::Binding(id) = &path.root else {
            return false;
        };
        let Some(owner) = self.binding(id).and_then(|b| b.scope) else {
            return false;
        };
        path.props.is_empty()
            && self
                .returned_paths
                .iter()
                .any(|(p, at)| *at == Some(owner) && p.props.is_empty() && p.root == path.root)
    }

    /// Is `key` (as seen from function `at`) an element of a list that outlives `at`, or read
    /// from one (`setting.name` in `for (const setting of this.settings)`)?
    pub fn key_from_long_lived_list(&self, key: &Arg, at: FnId) -> bool {
        let Arg::Path(p, _) = key else { return false };
        let Root::Binding(id) = &p.root else {
            return false;
        };
        let Some(list) = self.binding(id).and_then(|b| b.iterates.as_ref()) else {
            return false;
        };
        matches!(self.lifetime(list, Some(at)), Lifetime::Outlives(_))
    }
}

/// `Map` from `Map`, `globalThis.Map`, `Map<string, number>` (TypeScript keeps type arguments
/// out of the callee, but be safe).
fn constructor_name(written: &str) -> &str {
    let last = written.rsplit('.').next().unwrap_or(written);
    last.split('<').next().unwrap_or(last).trim()
}
