//! Escapes: does a value or a closure outlive the call that made it?
//!
//! A value escapes when it is returned, passed to another call, or stored in a property; then
//! someone else may clean it up (a timer handle) or keep it (a closure and its context).

use super::{AccessPath, Arg, FnContext, FnId, Model, UseKind};

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
