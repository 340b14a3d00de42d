//! `global-state-growth`: per-request writes that add keys or items to process-wide state
//! (`app.locals`, `req.app.locals`, `global`, `globalThis`, `process`).

use crate::model::{AccessPath, Model, Root};
use crate::unbounded_cache::growth_sites;
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, declare_rule};

declare_rule! {
    /// Per-request code adds keys to app.locals, global or process-wide state, which lives as long as the process.
    ///
    /// ### What it finds
    ///
    /// Writes keyed by request data (`state[req.path] = ...`), and `push` / `set` / `add` of
    /// request data, on objects under `app.locals`, `req.app.locals`, `ctx.app`-style
    /// `this.app.locals`, `global`, `globalThis` or `process`, in code that runs per request,
    /// connection, message or tick (and helpers called from there); and per-call library code
    /// that files the object it is given or makes under its own key in process-wide state
    /// (`global.tasks.set(task.name, task)` in `remember(task)`): a table of every object ever
    /// made. It stays quiet for
    /// start-up configuration of `app.locals`, for `res.locals` (per request), for assignments
    /// to a fixed slot (`app.locals.lastRequestAt = Date.now()`), and when anything in the file
    /// deletes or clears entries of that object.
    ///
    /// ### Why it leaks
    ///
    /// `app.locals` and the global object live as long as the process. A key per request path,
    /// user or id is a new property every time a new value comes in: request data is unbounded,
    /// so the object grows with traffic. Properties on `global` are also shared by every module,
    /// so nothing ever frees them.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    /// app.locals.metrics = { lastByPath: {} };
    ///
    /// app.use((req, res, next) => {
    ///   app.locals.metrics.lastByPath[req.path] = Date.now();
    ///   next();
    /// });
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    /// app.locals.title = 'Orders';
    /// app.locals.metrics = { requests: 0 };
    ///
    /// app.use((req, res, next) => {
    ///   res.locals.startedAt = Date.now();
    ///   app.locals.metrics.requests += 1;
    ///   next();
    /// });
    /// ```
    ///
    /// ### How to fix
    ///
    /// Keep per-request data in `res.locals` (Express) or `ctx.state` (Koa), which go away with
    /// the response. For metrics, count into fixed slots (per route pattern, not per raw path) or
    /// use a metrics library with bounded labels. If it must be a cache, bound it with
    /// `lru-cache`.
    pub GlobalStateGrowth {
        id: "global-state-growth",
        severity: Warning,
        category: Globals,
        // `process.env[k] = v` is the process-wide write seen in practice; other `process.*` writes
        // keyed by request data are rare enough not to open every file that mentions `process`.
        triggers: ["locals", "global.", "global[", "globalThis", "window.", "process.env["],
        requires: crate::model::REPEATING_CODE,
        // A per-call function filing its object in a process-wide table.
        standalone: ["global.", "globalThis."],
    }
}

impl Rule for GlobalStateGrowth {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        let mut reported: Vec<AccessPath> = Vec::new();
        for site in growth_sites(model) {
            let Some(why) = process_wide(model, &site.collection) else {
                continue;
            };
            let Some(f) = site.in_fn else { continue };
            let role = model.role(Some(f));
            // Per-call code that files its object under itself in process-wide state keeps
            // every object ever made (`global.tasks.set(task.name, task)` in `remember(task)`).
            let registry = role.frequency != crate::model::Frequency::StartUp
                && site.files_object_under_itself(model, true);
            if !role.frequency.is_repeating() && !registry {
                continue;
            }
            if reported
                .iter()
                .any(|p| model.same_object(p, &site.collection))
                || model.shrink_site(&site.collection).is_some()
            {
                continue;
            }
            reported.push(site.collection.clone());
            let name = model.path_text(&site.collection);
            let phrase = role.frequency.phrase();
            let added = if registry && !role.frequency.is_repeating() {
                "each object is filed here under its own identity".to_string()
            } else {
                let what = if site.how == "[key] =" {
                    "a new key is written"
                } else {
                    "an entry is added"
                };
                format!("{what} here with data from {}", role.frequency.unit())
            };
            let runs = model.why_repeats(f);
            let message =
                format!("`{name}` grows {phrase}: {why}; {added}, and nothing removes it; {runs}");
            let help = "keep per-request data in `res.locals` (Express) or `ctx.state` (Koa), which go away with the \
                        response; count into fixed slots (per route pattern, not per raw path); or bound it with \
                        `lru-cache`"
                .to_string();
            let mut signature = Signature::new(SignatureKind::Global, site.span);
            signature.access_path = Some(name);
            let mut finding = Draft::new(site.span, message, help, signature)
                .confidence(Confidence::of_frequency(role.frequency));
            if let Some((span, label)) = model.registration_label(f) {
                finding = finding.label(span, label);
            }
            cx.report(finding.chain(model.chain(f)));
        }
    }
}

/// Why the object at `path` lives as long as the process, if it does: it hangs off the global
/// object or `process`, or off an application's `locals`.
fn process_wide(model: &Model<'_>, path: &AccessPath) -> Option<String> {
    let props: Vec<&str> = path.props.iter().map(|p| p.as_str()).collect();
    if let Root::Global(g) = &path.root
        && matches!(g.as_str(), "global" | "globalThis" | "process" | "window")
        && !props.is_empty()
    {
        return Some(format!(
            "`{g}` is the process-wide global state, alive as long as the process"
        ));
    }
    // `app.locals`, `req.app.locals`, `this.app.locals`, `ctx.app.locals`.
    let root_is_app = match &path.root {
        Root::Binding(id) => model
            .binding(id)
            .is_some_and(|b| b.name.as_str().ends_with("app") || b.name == "application"),
        _ => false,
    };
    let via_app = props.windows(2).any(|w| w == ["app", "locals"]);
    if via_app || (root_is_app && props.first() == Some(&"locals")) {
        return Some(
            "`app.locals` is the application's shared state, alive as long as the process"
                .to_string(),
        );
    }
    None
}
