//! Escapes: does a value or a closure outlive the call that made it?
//!
//! A value escapes when it is returned, passed to another call, or stored in a property; then
//! someone else may clean it up (a timer handle) or keep it (a closure and its context).

use super::{AccessPath, Arg, FnContext, FnId, Lifetime, Model, UseKind, Why};

/// Methods that store a function in a collection.
const STORING: &[&str] = &["set", "add", "push", "unshift"];

impl Model<'_> {
    /// Is the value at `path` handed on: returned, passed to a call other than `ignore`'s names,
    /// or stored in another property? Then someone else may clean it up.
    pub fn path_escapes(&self, path: &AccessPath, ignore: &[&str]) -> bool {
        let same = |a: &Arg| matches!(a, Arg::Path(p, _) if self.same_object(p, path));
        self.returned_paths
            .iter()
            .any(|(p, _)| self.same_object(p, path))
            || self
                .member_calls
                .iter()
                .any(|c| !ignore.contains(&c.method.as_str()) && c.args.iter().any(same))
            || self
                .plain_calls
                .iter()
                .any(|c| !ignore.contains(&c.name.as_str()) && c.args.iter().any(same))
            || self.member_writes.iter().any(|w| same(&w.value))
    }

    /// A closure created in `f` (at any depth) that outlives the call, and how it escapes.
    pub fn escaping_closure(&self, f: FnId) -> Option<(FnId, &'static str)> {
        self.functions
            .iter_ids()
            .filter(|&(g, _)| g != f && self.is_within(Some(g), Some(f)))
            .find_map(|(g, func)| {
                self.closure_escape(g)
                    .map(|how| (g, how))
                    .filter(|_| func.parent.is_some())
            })
    }

    /// A closure created in `f` (at any depth) registered as a listener on a receiver that
    /// outlives the run that registers it (`socket.on('error', ...)` on a pooled keep-alive
    /// socket, a listener on a module-level emitter): the first such closure in source order,
    /// the receiver as written, and why the receiver lives on. Such a closure keeps the
    /// contexts of every function around it alive for as long as the receiver lives.
    pub fn closure_kept_long(&self, f: FnId) -> Option<(FnId, String, Why)> {
        self.member_calls
            .iter()
            .filter(|c| super::emitters::is_listener_method(&c.method))
            .filter_map(|c| match c.args.get(1) {
                Some(Arg::Fn(g, _)) if *g != f && self.is_within(Some(*g), Some(f)) => {
                    Some((c, *g))
                }
                _ => None,
            })
            .filter_map(
                |(c, g)| match self.lifetime(c.receiver.as_ref()?, c.in_fn) {
                    Lifetime::Outlives(why) => {
                        Some((g, self.text(c.receiver_span).to_string(), why))
                    }
                    _ => None,
                },
            )
            .min_by_key(|(g, _, _)| self.functions[*g].span.start)
    }

    /// How the closure `g` outlives the call that creates it, if it does: registered as a
    /// handler or listener, returned or stored, kept in an object or collection, passed on.
    pub fn closure_escape(&self, g: FnId) -> Option<&'static str> {
        let func = &self.functions[g];
        if func.registered.is_some() {
            return Some("registered as a handler");
        }
        match func.context {
            FnContext::Escapes => Some("returned or stored"),
            FnContext::ObjectMember => Some("stored in an object"),
            FnContext::Named => {
                let b = self.binding(func.binding.as_ref()?)?;
                b.uses
                    .iter()
                    .any(|u| {
                        matches!(u.kind, UseKind::Read | UseKind::Registered)
                            && !u.in_fn.is_some_and(|h| self.is_within(Some(h), Some(g)))
                    })
                    .then_some("passed on")
            }
            FnContext::Argument => match &func.argument_of {
                Some((method, true)) if super::emitters::is_listener_method(method) => {
                    Some("registered as a listener")
                }
                Some((method, true)) if STORING.contains(&method.as_str()) => {
                    Some("stored in a collection")
                }
                Some((name, false)) if name == "setInterval" => Some("registered as an interval"),
                _ => None,
            },
            FnContext::Iife | FnContext::ClassMember => None,
        }
    }
}
