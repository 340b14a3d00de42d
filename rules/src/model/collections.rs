//! Collections: what kind of unbounded container lives at a path, and whether anything in the
//! file ever takes entries out of it.
//!
//! Only containers that grow without limit by construction are known: `Map`, `Set`, arrays and
//! plain objects used as dictionaries. `WeakMap`, `WeakSet`, LRU caches and anything else
//! constructed by a class leaklint does not know are not collections here, so rules never
//! second-guess a bounded cache.

use swc_atoms::Atom;

use super::{AccessPath, Arg, FnId, Init, Lifetime, Model, Root, UseKind};
use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
const SHRINKING_METHODS: &[&str] = &["delete", "clear", "splice", "shift", "pop", "length"];

impl Model<'_> {
    /// The collection at `path` and where it is created: a binding's initialiser, or a class
    /// field's (`this.cache = new Map()` in the constructor, or `cache = new Map()`).
    pub fn collection(&self, path: &AccessPath) -> Option<(CollectionKind, Span)> {
        let (init, span) = match (&path.root, path.props.as_slice()) {
            (Root::Binding(id), []) => {
                let b = self.binding(id)?;
                (&b.init, b.span)
            }
            (Root::This(Some(f)), [field]) => {
                let owner = self.functions[*f].this_fn?;
                let class = self.functions[owner].class?;
                let (_, _, init, span) = self
                    .field_inits
                    .iter()
                    .find(|(c, name, _, _)| *c == class && name == field)?;
                (init, *span)
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

    /// Where something takes entries out of the collection at `path`, if anything does:
    /// `delete` / `clear` / `splice` / `shift` / `pop`, `delete obj[k]`, `arr.length = n`, or a
    /// reassignment outside its declaration (`cache = new Map()`, `this.cache = {}` outside the
    /// constructor).
    pub fn shrink_site(&self, path: &AccessPath) -> Option<Span> {
        let same = |p: &Option<AccessPath>| p.as_ref().is_some_and(|p| self.same_object(p, path));
        if let Some(c) = self
            .member_calls
            .iter()
            .find(|c| SHRINKING_METHODS.contains(&c.method.as_str()) && same(&c.receiver))
        {
            return Some(c.span);
        }
        if let Some(d) = self.deletes.iter().find(|d| same(&d.object)) {
            return Some(d.span);
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
