//! Options objects: does the object a call receives set a key (`timeout`, `signal`)? The object
//! may be written inline, held in a local variable (`const cfg = { timeout }; axios(cfg)`), or
//! built from spreads of either.

use super::{AccessPath, Arg, BindingKind, MemberWrite, Model, Root, SPREAD_KEY, UseKind};

/// How deep spreads of spreads are followed.
const MAX_DEPTH: usize = 4;

impl Model<'_> {
    /// The first assignment in this file to `<x>.defaults.<key>` where `x` is `module` (an
    /// import or `require` of it, compared as [`super::module_key`] compares names): the
    /// process-wide defaults of a client library, `axios.defaults.timeout = 5000`. Both the
    /// rules and the project summary (which tells other files where it is set) ask this.
    pub fn module_defaults_write(&self, module: &str, key: &str) -> Option<&MemberWrite> {
        self.member_writes.iter().find(|w| {
            w.key.as_deref() == Some(key)
                && w.object.as_ref().is_some_and(|o| {
                    o.props.last().is_some_and(|p| p == "defaults")
                        && self.module_of(&AccessPath {
                            root: o.root.clone(),
                            props: Vec::new(),
                        }) == Some(module)
                })
        })
    }

    /// `api.defaults.<key> = ...` for one of `keys`, on the object `instance` (an HTTP client
    /// instance's defaults, as axios instances have them).
    pub fn instance_defaults_set(&self, instance: &AccessPath, keys: &[&str]) -> bool {
        self.member_writes.iter().any(|w| {
            w.key.as_deref().is_some_and(|k| keys.contains(&k))
                && w.object.as_ref().is_some_and(|o| {
                    o.root == instance.root && o.props.iter().map(|p| p.as_str()).eq(["defaults"])
                })
        })
    }

    /// Where this file gives every `fetch` and undici request of the process a deadline:
    /// `setGlobalDispatcher(new Agent({ headersTimeout, bodyTimeout }))` from undici (the
    /// dispatcher may be held in a variable first; `ProxyAgent` and `EnvHttpProxyAgent` count
    /// too). Node's own `fetch` shares undici's global dispatcher (Node 18+, through
    /// `Symbol.for('undici.globalDispatcher.1')`), so the setting bounds it as well. Either
    /// timeout counts: each replaces one of undici's 300 s defaults. The byte offset of the
    /// `setGlobalDispatcher` call.
    pub fn dispatcher_deadline_set(&self) -> Option<usize> {
        *self
            .dispatcher_deadline
            .get_or_init(|| self.find_dispatcher_deadline())
    }

    fn find_dispatcher_deadline(&self) -> Option<usize> {
        const DISPATCHERS: &[&str] = &["Agent", "ProxyAgent", "EnvHttpProxyAgent"];
        const KEYS: &[&str] = &["headersTimeout", "bodyTimeout"];
        let set = self
            .plain_calls()
            .iter()
            .filter(|c| {
                c.name == "setGlobalDispatcher"
                    && self
                        .imported(&c.callee)
                        .is_some_and(|i| i.module == "undici")
            })
            .map(|c| c.span.start)
            .chain(
                self.member_calls()
                    .iter()
                    .filter(|c| {
                        c.method == "setGlobalDispatcher"
                            && c.receiver
                                .as_ref()
                                .is_some_and(|r| self.module_of(r) == Some("undici"))
                    })
                    .map(|c| c.span.start),
            )
            .min()?;
        let timed = self.news().iter().any(|n| {
            let name = n.callee.rsplit('.').next().unwrap_or(&n.callee);
            DISPATCHERS.contains(&name) && n.args.first().is_some_and(|a| self.options_set(a, KEYS))
        });
        timed.then_some(set)
    }

    /// Does the options object `arg` set one of `keys`? `true` also when it is a local
    /// variable first set to an object literal and then reassigned: the model cannot see the
    /// final object, and a rule must not claim the key is missing. A parameter, an import or
    /// any other value is not known to set anything.
    pub fn options_set(&self, arg: &Arg, keys: &[&str]) -> bool {
        self.options_set_at(arg, keys, 0)
    }

    fn options_set_at(&self, arg: &Arg, keys: &[&str], depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match arg {
            Arg::Object(props, _) => props.iter().any(|(k, v)| {
                (keys.contains(&k.as_str()) && !self.forwarded_unset(v, depth + 1))
                    || (k.as_str() == SPREAD_KEY && self.options_set_at(v, keys, depth + 1))
            }),
            Arg::Path(p, _) if p.props.is_empty() => {
                let Root::Binding(id) = &p.root else {
                    return false;
                };
                let Some(b) = self.binding(id) else {
                    return false;
                };
                let Some(object) = &b.object else {
                    return false;
                };
                let reassigned = b.uses.iter().any(|u| u.kind == UseKind::Write);
                reassigned || self.options_set_at(object, keys, depth + 1)
            }
            // `request.get(this.options(path), cb)`: what the helper returns.
            Arg::Other(span) => self
                .helper_objects(*span)
                .any(|o| self.options_set_at(o, keys, depth + 1)),
            _ => false,
        }
    }

    /// The object literals returned by the function of this file that the call at `span`
    /// calls: a local function (`buildOptions(path)`), a method of the same class, or a method
    /// stored on a prototype (`this.options(path)` in ES5 classes). Empty when the call is not
    /// one of those.
    fn helper_objects(&self, span: crate::Span) -> impl Iterator<Item = &Arg> + '_ {
        let mut targets: Vec<super::FnId> = Vec::new();
        if let Some(c) = self.plain_calls.iter().find(|c| c.span == span) {
            targets.extend(self.function_of_binding(&c.callee));
        } else if let Some(c) = self.member_calls.iter().find(|c| c.span == span)
            && let Some(AccessPath {
                root: Root::This(this_fn),
                props,
            }) = &c.receiver
            && props.is_empty()
        {
            let class = this_fn.and_then(|f| self.functions[f].class);
            match class {
                Some(class) => targets.extend(self.functions.iter_ids().filter_map(|(i, f)| {
                    (f.class == Some(class) && f.name.as_ref() == Some(&c.method)).then_some(i)
                })),
                // The write is recorded before its function is walked: find it by position.
                None => targets.extend(self.member_writes.iter().filter_map(|w| {
                    match (&w.key, &w.object) {
                        (Some(k), Some(o))
                            if *k == c.method
                                && o.props.last().is_some_and(|p| p == "prototype") =>
                        {
                            let start = w.value.span().start;
                            self.functions.position(|f| f.span.start == start)
                        }
                        _ => None,
                    }
                })),
            }
        }
        self.returned_objects
            .iter()
            .filter(move |(_, f)| targets.contains(f))
            .map(|(o, _)| o)
    }

    /// Is `value` forwarded from a parameter of the function it is in (`signal:
    /// options.signal`, `signal`, or a local read out of one such as `const { signal } =
    /// init`), by a function that only this file calls, and does no call give it? Then the key
    /// is written but nothing ever sets it. Unknown callers (an exported or passed-on function,
    /// a method) may give it: `false`.
    pub fn forwarded_unset(&self, value: &Arg, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let Arg::Path(path, _) = value else {
            return false;
        };
        let path = self.read_origin(path).unwrap_or_else(|| path.clone());
        let Root::Binding(id) = &path.root else {
            return false;
        };
        let Some(b) = self.binding(id).filter(|b| b.kind == BindingKind::Param) else {
            return false;
        };
        let Some(f) = b.scope else { return false };
        let Some(param) = self.functions[f].params.iter().find(|p| &p.id == id) else {
            return false;
        };
        // The property of the argument that must carry the value (`None`: the argument itself).
        let key = param.from_key.as_ref().or(path.props.first());
        let Some(callee) = self.functions[f].binding.as_ref() else {
            return false;
        };
        let Some(fb) = self.binding(callee) else {
            return false;
        };
        let mut calls = 0;
        for u in &fb.uses {
            match u.kind {
                UseKind::Call => calls += 1,
                _ if u.in_fn.is_some_and(|g| self.is_within(Some(g), Some(f))) => {}
                _ => return false,
            }
        }
        if calls == 0 {
            return false;
        }
        !self
            .plain_calls
            .iter()
            .filter(|c| &c.callee == callee)
            .any(|c| match (c.args.get(param.index), key) {
                (None, _) => false,
                (Some(arg), Some(key)) => self.may_supply(arg, key, depth + 1),
                (Some(arg), None) => self.may_give(arg, depth + 1),
            })
    }

    /// Could argument `arg` be a value (not provably missing or forwarded from nowhere)?
    fn may_give(&self, arg: &Arg, depth: usize) -> bool {
        match arg {
            Arg::Path(p, _) if p.is_global("undefined") => false,
            Arg::Path(..) => !self.forwarded_unset(arg, depth),
            _ => true,
        }
    }

    /// Could the options object `arg` carry `key`? Only a literal without it (and without an
    /// unknown spread), a local object literal without it, a non-object value or a forwarded
    /// parameter whose callers never give it say no.
    fn may_supply(&self, arg: &Arg, key: &str, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return true;
        }
        match arg {
            Arg::Object(props, _) => props.iter().any(|(k, v)| {
                (k.as_str() == key && self.may_give(v, depth + 1))
                    || (k.as_str() == SPREAD_KEY && self.may_supply(v, key, depth + 1))
            }),
            Arg::Path(p, span) => {
                if let Root::Binding(id) = &p.root
                    && p.props.is_empty()
                    && let Some(b) = self.binding(id)
                {
                    if let Some(object) = &b.object {
                        let reassigned = b.uses.iter().any(|u| u.kind == UseKind::Write);
                        return reassigned || self.may_supply(object, key, depth + 1);
                    }
                    if b.kind == BindingKind::Param {
                        return !self
                            .forwarded_unset(&Arg::Path(p.child(key.into()), *span), depth);
                    }
                }
                true
            }
            Arg::Str(..) | Arg::Num(..) | Arg::Bool(..) | Arg::Fn(..) => false,
            _ => true,
        }
    }
}
