//! Cleanup paths: is a registration undone, or made idempotent, for the invocation that made it?
//!
//! A listener registration is balanced when, in code that runs for the same invocation, the same
//! receiver (same binding, or the same `this` class) gets `off` / `removeListener` /
//! `removeEventListener` for the same event and handler, or `removeAllListeners(event)`. "Code
//! that runs for the same invocation" is the invocation root (the registered handler, see
//! [`Model::invocation_root`]) with everything nested in it — `res.on('close', ...)`, `finally`,
//! a returned or stored disposer — plus local helpers it calls by name. For class code it is the
//! whole class, since `close()` / `dispose()` methods undo what the constructor did.

use super::{AccessPath, Arg, FnId, MemberCall, Model, Root, UseKind};
use crate::Span;

/// How a registration is undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removal {
    /// A matching `off` / `removeListener` / `removeEventListener` / `removeAllListeners` call.
    Call(Span),
    /// `{ signal }` in the options: aborting the signal removes the listener.
    Signal,
    /// The registration's return value (a disposer) is kept.
    Disposer,
}

use super::emitters::REMOVER_METHODS;

impl Model<'_> {
    /// How the listener registration `reg` (`receiver.on(event, handler[, options])`) is undone
    /// for its invocation, if it is.
    pub fn listener_removal(&self, reg: &MemberCall) -> Option<Removal> {
        if reg.args.get(2).and_then(|o| o.prop("signal")).is_some() {
            return Some(Removal::Signal);
        }
        if reg.result_kept {
            return Some(Removal::Disposer);
        }
        let receiver = reg.receiver.as_ref()?;
        let event = reg.args.first();
        let handler = reg.args.get(1);
        // Matching removals first, from the removal calls indexed once per file: the scope and
        // its helpers are worked out only when there is one. Scanning every call of the file per
        // registration made the rule quadratic in its findings.
        let mut removals = self
            .removal_calls()
            .iter()
            .map(|&i| &self.member_calls[i])
            .filter(|c| {
                c.receiver
                    .as_ref()
                    .is_some_and(|r| self.same_object(r, receiver))
            })
            .filter(|c| match c.method.as_str() {
                "removeAllListeners" => c.args.first().is_none_or(|e| same_event(e, event)),
                // `off(event)` without a handler: socket.io-client's and component-emitter's
                // emitters drop every listener of the event (Node's would throw, so code that
                // calls it this way is written for one of those).
                "off" if c.args.len() <= 1 => c.args.first().is_none_or(|e| same_event(e, event)),
                _ => {
                    c.args.first().is_some_and(|e| same_event(e, event))
                        && self.same_handler(c.args.get(1), handler)
                }
            })
            .peekable();
        // With no removal matched by handler identity, a shared handler removed by the same
        // expression (`functions[event]`) may still balance the registration.
        if removals.peek().is_none() {
            return self.shared_handler_removal(reg);
        }
        let scope = self.cleanup_scope(reg.in_fn);
        let helpers = self.helpers_called_within(scope);
        removals
            .find(|c| scope.contains(c.span) || c.in_fn.is_some_and(|f| helpers.contains(&f)))
            .map(|c| Removal::Call(c.span))
            .or_else(|| self.shared_handler_removal(reg))
    }

    /// A handler that is not made per call (`functions[event]`, a module-level function) added
    /// here and removed with the same expression anywhere in the file: the file adds and
    /// removes one shared listener, not one per call.
    fn shared_handler_removal(&self, reg: &MemberCall) -> Option<Removal> {
        let receiver = reg.receiver.as_ref()?;
        let handler = reg.args.get(1)?;
        let shared = match handler {
            Arg::Path(p, _) => match &p.root {
                Root::Binding(id) => self.binding(id).is_some_and(|b| b.scope.is_none()),
                Root::Global(_) => true,
                Root::This(_) => false,
            },
            Arg::Other(_) => true,
            _ => false,
        };
        if !shared {
            return None;
        }
        let text = self.text(handler.span());
        self.member_calls
            .iter()
            .filter(|c| REMOVER_METHODS.contains(&c.method.as_str()))
            .filter(|c| {
                c.receiver
                    .as_ref()
                    .is_some_and(|r| self.same_object(r, receiver))
            })
            .find(|c| {
                c.args
                    .first()
                    .is_some_and(|e| same_event(e, reg.args.first()))
                    && c.args.get(1).is_some_and(|h| self.text(h.span()) == text)
            })
            .map(|c| Removal::Call(c.span))
    }

    /// Is the registration guarded so that it happens once: `if (!this.listening) { this.listening
    /// = true; ... }`, `if (installed) return; installed = true;`, a `listenerCount()` check, or a
    /// `has()`/`set()` membership check?
    pub fn is_once_guarded(&self, reg: &MemberCall) -> bool {
        let Some(f) = reg.in_fn else { return false };
        let scope = self.cleanup_scope(Some(f));
        let mut guards: Vec<&AccessPath> = reg.guards.iter().collect();
        let mut cur = Some(f);
        while let Some(g) = cur {
            guards.extend(self.functions[g].early_exit_reads.iter());
            if g == self.invocation_root(f) {
                break;
            }
            cur = self.functions[g].parent;
        }
        let root = self.invocation_root(f);
        guards.iter().any(|p| {
            if p.is_global("#listenerCount") {
                return true;
            }
            // A parameter or local variable of the invocation itself is fresh on every run:
            // writing it (`signal = local.signal`) guards nothing. A marker on a property
            // (`signal.followed = true`) or a variable outside the invocation persists.
            if let Root::Binding(id) = &p.root
                && p.props.is_empty()
                && self
                    .binding(id)
                    .and_then(|b| b.scope)
                    .is_some_and(|g| self.is_within(Some(g), Some(root)))
            {
                return false;
            }
            let written = self
                .functions
                .iter()
                .filter(|func| scope.contains(func.span))
                .any(|func| func.writes.iter().any(|w| self.same_object(w, p)));
            // `if (!seen.has(k)) { seen.add(k); emitter.on(...) }`
            let membership = p.props.last().is_some_and(|m| m == "has") && {
                let set = AccessPath {
                    root: p.root.clone(),
                    props: p.props[..p.props.len() - 1].to_vec(),
                };
                self.member_calls.iter().any(|c| {
                    scope.contains(c.span)
                        && matches!(c.method.as_str(), "add" | "set")
                        && c.receiver
                            .as_ref()
                            .is_some_and(|r| self.same_object(r, &set))
                })
            };
            written || membership
        })
    }

    /// Is a clear of an interval's handle made by the interval's own callback `callback` (the
    /// clear being at `in_fn`, under `conditional` branches whose tests read `guards`) only the
    /// interval giving up after failures: `catch { if (++failures > 3) clearInterval(t) }`, or
    /// a flag that nothing sets? It is when the clear is on a branch of the callback itself and
    /// every test reads a variable of the invocation that nothing but the callback's body sets and
    /// that the callback does not move on every tick. The end of the request or connection
    /// cannot take that branch, and a normal tick need not: after a normal close the interval
    /// runs on. A count moved on every tick (`n--`) reaches its limit, so that clear counts; so
    /// does any test of something else (`res.writableEnded`, a flag a `'close'` listener sets,
    /// `job.done`, the clock), which may be how the end is noticed.
    pub fn clears_only_on_failure(
        &self,
        callback: FnId,
        in_fn: Option<FnId>,
        conditional: bool,
        guards: &[AccessPath],
    ) -> bool {
        in_fn == Some(callback)
            && conditional
            && !guards.is_empty()
            && guards
                .iter()
                .all(|g| self.moved_only_on_failure(g, callback))
    }

    /// Is `g` a local variable that no function but `callback` itself (and the one declaring it)
    /// assigns, and that `callback` does not assign on every run?
    fn moved_only_on_failure(&self, g: &AccessPath, callback: FnId) -> bool {
        let Root::Binding(id) = &g.root else {
            return false;
        };
        let Some(scope) = self.binding(id).and_then(|b| b.scope) else {
            return false;
        };
        let same = |w: &AccessPath| w.props.is_empty() && w.root == g.root;
        g.props.is_empty()
            && !self.functions[callback].steady_writes.iter().any(same)
            && self.functions.iter_ids().all(|(f, func)| {
                // A function nested in the callback (`check().then((s) => { done = s.ok })`)
                // reports work done elsewhere, like `job.done`: not a failure count.
                f == scope || f == callback || !func.writes.iter().any(same)
            })
    }

    /// Indexes into `member_calls` of the calls that remove listeners, in source order.
    fn removal_calls(&self) -> &[usize] {
        self.removal_calls.get_or_init(|| {
            self.member_calls
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.method == "removeAllListeners" || REMOVER_METHODS.contains(&c.method.as_str())
                })
                .map(|(i, _)| i)
                .collect()
        })
    }

    /// Where cleanup for code in `f` may be: its invocation root, or its whole class.
    fn cleanup_scope(&self, f: Option<FnId>) -> Span {
        let Some(f) = f else {
            return Span::new(0, self.src.len());
        };
        if let Some(owner) = self.functions[f].this_fn
            && let Some(class) = self.functions[owner].class
        {
            return self.classes[class].span;
        }
        let root = self.invocation_root(f);
        // An ES5 class or module API: its methods undo each other, like a class's.
        if self.functions[root].stored_method
            && let Some(parent) = self.functions[root].parent
        {
            return self.functions[parent].span;
        }
        // A component or API object (`{ mounted() {...}, beforeUnmount() {...} }`): one member
        // undoes what another did. The outermost member function around `f` decides.
        let mut member = None;
        let mut cur = Some(f);
        while let Some(g) = cur {
            if self.functions[g].object_span.is_some() {
                member = Some(g);
            }
            cur = self.functions[g].parent;
        }
        if let Some(object) = member.and_then(|g| self.functions[g].object_span)
            && object.contains(self.functions[root].span)
        {
            return object;
        }
        self.functions[root].span
    }

    /// Functions named by a binding and called from inside `scope` (one level of helpers).
    fn helpers_called_within(&self, scope: Span) -> Vec<FnId> {
        self.functions
            .iter_ids()
            .filter(|(_, func)| !scope.contains(func.span))
            .filter(|(_, func)| {
                func.binding
                    .as_ref()
                    .and_then(|id| self.binding(id))
                    .is_some_and(|b| {
                        b.uses
                            .iter()
                            .any(|u| u.kind == UseKind::Call && scope.contains(u.span))
                    })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Do two paths name the same object? `this` paths compare by class, so `this.bus` in the
    /// constructor and in `close()` are the same.
    pub fn same_object(&self, a: &AccessPath, b: &AccessPath) -> bool {
        if a.props != b.props {
            return false;
        }
        match (&a.root, &b.root) {
            (Root::This(x), Root::This(y)) => {
                let class_of = |f: &Option<FnId>| f.and_then(|f| self.functions[f].class);
                x == y || (class_of(x).is_some() && class_of(x) == class_of(y))
            }
            (x, y) => x == y,
        }
    }

    /// Could the removal's handler be the registered one? Only a provable mismatch says no: an
    /// inline function or `.bind()` result (new on every evaluation), or a binding to another
    /// known function. A handler read from a parameter, a loop over stored listeners or a field
    /// may well be the registered one.
    fn same_handler(&self, removed: Option<&Arg>, registered: Option<&Arg>) -> bool {
        let Some(Arg::Path(removed, _)) = removed else {
            return false;
        };
        if matches!(registered, Some(Arg::Bound(..))) {
            return false;
        }
        let removed_fn = self.known_function(removed);
        match registered {
            Some(Arg::Path(h, _)) => match (removed_fn, self.known_function(h)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
            Some(Arg::Fn(f, _)) => removed_fn.is_none_or(|g| g == *f),
            _ => true,
        }
    }

    /// The function a plain identifier is bound to, when it is one declared in this file.
    fn known_function(&self, p: &AccessPath) -> Option<FnId> {
        match &p.root {
            Root::Binding(id) if p.props.is_empty() => self.function_of_binding(id),
            _ => None,
        }
    }
}

fn same_event(a: &Arg, b: Option<&Arg>) -> bool {
    match (a, b) {
        (Arg::Str(x, _), Some(Arg::Str(y, _))) => x == y,
        _ => true,
    }
}
