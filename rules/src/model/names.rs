//! Qualified names: what a local name stands for when it comes from a module (`require('x')`,
//! a destructuring of it, an `import`, and their aliases) or is a global. Every comparison of
//! module names in the model and the rules goes through here, so `node:events` and `events`
//! are the same module everywhere.

use swc_atoms::Atom;
use swc_ecma_ast::Id;

use super::{AccessPath, Model, PlainCall, Root};

/// A module specifier as names are compared: Node's built-in modules are the same with or
/// without the `node:` scheme, so `node:events` is `events` (the scheme is reserved for
/// built-ins, so no package name loses anything).
pub fn module_key(specifier: &str) -> &str {
    specifier.strip_prefix("node:").unwrap_or(specifier)
}

/// A name bound to something a module gives: see [`Model::imported`].
#[derive(Clone, Copy, Debug)]
pub struct Imported<'m> {
    /// The module, through [`module_key`] (`events` for `node:events`).
    pub module: &'m str,
    /// The export the name is bound to: `once` for `import { once as waitFor } from 'events'`
    /// and `const { once } = require('events')`; `None` when the name is the module itself
    /// (`const events = require('node:events')`, `import * as events`, a default import).
    pub export: Option<&'m Atom>,
    /// The local name.
    pub local: &'m Atom,
}

impl Imported<'_> {
    /// The name a call of the binding reaches in its module: the export, or for the module
    /// itself the local name (`const setInterval = require('timers').setInterval`).
    pub fn name(&self) -> &Atom {
        self.export.unwrap_or(self.local)
    }
}

impl<'a> Model<'a> {
    /// What the binding `id` was imported or required as, when it comes from a module.
    pub fn imported(&self, id: &Id) -> Option<Imported<'_>> {
        let b = self.binding(id)?;
        Some(Imported {
            module: b.module()?,
            export: b.imported.as_ref(),
            local: &b.name,
        })
    }

    /// What the root of `path` was imported or required as (`axios` for `axios.get(...)` after
    /// `require('axios')`).
    pub fn imported_root(&self, path: &AccessPath) -> Option<Imported<'_>> {
        match &path.root {
            Root::Binding(id) => self.imported(id),
            _ => None,
        }
    }

    /// What a called name really is: `setInterval` for the global, for `import { setInterval as
    /// every } from 'timers'`, or for `const { setInterval } = require('node:timers')`; `None`
    /// for a local function or a module not in `modules` (compared through [`module_key`]).
    pub fn imported_or_global(&self, call: &PlainCall, modules: &[&str]) -> Option<Atom> {
        if call.global {
            return Some(call.name.clone());
        }
        let i = self.imported(&call.callee)?;
        modules.contains(&i.module).then(|| i.name().clone())
    }

    /// Is `path` a binding of one of these modules itself (`const events = require('events')`,
    /// `import * as events from 'node:events'`), rather than something exported from it?
    pub fn is_module_binding(&self, path: &AccessPath, modules: &[&str]) -> bool {
        self.imported_root(path)
            .is_some_and(|i| i.export.is_none() && modules.contains(&i.module))
    }

    /// The module the root of `path` was imported or required from, through [`module_key`].
    pub fn module_of(&self, path: &AccessPath) -> Option<&str> {
        Some(self.imported_root(path)?.module)
    }

    /// Does the file import or require one of these modules at its top level?
    pub fn imports_any(&self, modules: &[&str]) -> bool {
        self.bindings
            .values()
            .any(|b| b.scope.is_none() && b.module().is_some_and(|m| modules.contains(&m)))
    }
}
