//! `unbounded-cache`: a long-lived Map, Set, array or dictionary object that per-request or
//! per-call code adds to, and that nothing ever shrinks.

use crate::model::{
    AccessPath, Arg, CollectionKind, FnId, Frequency, Lifetime, MemberCall, Model, Root,
};
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, Span, declare_rule};

declare_rule! {
    /// A long-lived Map, Set, array or object gets entries on every request or call, and nothing ever removes them.
    ///
    /// ### What it finds
    ///
    /// `map.set(key, ...)`, `set.add(value)`, `array.push(...)` / `unshift(...)` and
    /// `object[key] = ...` (also `??=` and `||=`, the memo shape) in code that runs per request,
    /// per connection, per message or per call, on a collection that outlives that code: a
    /// module-level `new Map()`, `new Set()`, `[]` or `{}`, a field of a singleton
    /// (`module.exports = new Registry()`), a `static` property of a module-level class
    /// (`static cache = new Map()`, as `Registry.cache` or `this.cache` in a static method), a
    /// variable of an enclosing function that a
    /// handler closes over, or an object every caller (in this file or, across files, in the
    /// project) hands in as a long-lived value, written by a key read from some data
    /// (`counts.byQueue[job.queue] = ...`). Per-call and per-instance code counts too when it files its own
    /// object under itself (`registry[this.name] = this`, `instances.add(this)`, `const t =
    /// new Ticket(); byId.set(t.id, t)`): a table of every object ever made; overwriting the
    /// slot with `null` leaves the key behind. A registry API whose result must be handed back
    /// (`this.ref = registry.register(...)` released by `registry.unregister(this.ref)`) leaks
    /// at any other call of the same method that drops the ref. It stays quiet when anything
    /// in the file takes entries out
    /// (`delete`, `clear`, `splice`, `shift`, `pop`, `length = 0`, `delete obj[k]`, or
    /// reassigning the collection), when the key is a fixed literal, for `WeakMap`, `WeakSet`
    /// and `WeakRef` values, for LRU caches (`lru-cache`, `quick-lru`, ... are not plain
    /// collections), for tables filled at start-up, for collections created per call, for a
    /// call's own buffer filled per chunk of a stream it reads, and for memo tables in library
    /// functions that nothing in the file calls per request (their keys come from the program,
    /// and the file cannot tell whether they are bounded). Keys taken from a list that outlives
    /// the code (`for (const s of this.settings) map.set(s.name, ...)`: configuration, an
    /// injected list, a module-level constant) are bounded by that list; a collection a
    /// function makes and returns belongs to its caller; and a request-mocking library's
    /// handlers (msw's `http.post(url, resolver)`, `nock`) are test fixtures, not routes. A
    /// removal in a listener for an event its receiver never emits does not count: a socket.io
    /// server-side socket emits `'disconnect'`, never `'close'` or `'end'`.
    ///
    /// ### Why it leaks
    ///
    /// A module-level collection lives as long as the process. If every request adds an entry
    /// keyed by something from the request (an id, a URL, a user) and nothing removes entries,
    /// the collection, and everything its entries reference, grows with traffic until the process
    /// runs out of memory. A cache without a bound or an eviction policy is a leak.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    /// const responses = new Map();
    ///
    /// app.get('/users/:id', async (req, res) => {
    ///   if (!responses.has(req.params.id)) {
    ///     responses.set(req.params.id, await loadUser(req.params.id));
    ///   }
    ///   res.json(responses.get(req.params.id));
    /// });
    /// ```
    ///
    /// ```js
    /// const Koa = require('koa');
    /// const app = new Koa();
    /// const memo = {};
    ///
    /// function render(page) {
    ///   memo[page] ??= compile(page);
    ///   return memo[page];
    /// }
    ///
    /// app.use(async (ctx) => {
    ///   ctx.body = render(ctx.path);
    /// });
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const express = require('express');
    /// const { LRUCache } = require('lru-cache');
    /// const app = express();
    /// const responses = new LRUCache({ max: 1000 });
    ///
    /// app.get('/users/:id', async (req, res) => {
    ///   if (!responses.has(req.params.id)) {
    ///     responses.set(req.params.id, await loadUser(req.params.id));
    ///   }
    ///   res.json(responses.get(req.params.id));
    /// });
    /// ```
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    /// const inFlight = new Map();
    ///
    /// app.get('/jobs/:id', async (req, res) => {
    ///   inFlight.set(req.params.id, Date.now());
    ///   try {
    ///     res.json(await runJob(req.params.id));
    ///   } finally {
    ///     inFlight.delete(req.params.id);
    ///   }
    /// });
    /// ```
    ///
    /// ```js
    /// // Filled once at start-up: bounded by the code, not by traffic.
    /// const routes = new Map();
    /// for (const r of require('./routes.json')) routes.set(r.path, r);
    /// ```
    ///
    /// ### How to fix
    ///
    /// Bound the cache: `new LRUCache({ max: 1000 })` from `lru-cache` (or `quick-lru`), with a
    /// `ttl` where entries go stale. Delete entries when the work they track is done (in a
    /// `finally` block or `res.on('close', ...)`). To attach data to an object without keeping
    /// the object alive, use a `WeakMap` keyed by it.
    pub UnboundedCache {
        id: "unbounded-cache",
        severity: Warning,
        category: Caches,
        triggers: [".set(", ".add(", ".push(", ".unshift(", "] =", "]=", "??=", "||="],
        requires: crate::model::REPEATING_CODE,
        // Per-call code that files an object under itself, or drops a registration's ref.
        standalone: ["] = this", ".set(this.", ".push(this)", ".add(this)", "unregister", "deregister"],
    }
}

impl Rule for UnboundedCache {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        dropped_registration_refs(model, cx);
        // One finding per collection, at its first growth site: the cause is the collection.
        let mut reported: Vec<AccessPath> = Vec::new();
        for site in growth_sites(model) {
            if reported
                .iter()
                .any(|p| model.same_object(p, &site.collection))
            {
                continue;
            }
            if let Some(f) = check_site(model, &site) {
                reported.push(site.collection.clone());
                cx.report(f);
            }
        }
    }
}

/// A place where an entry is added to something.
pub(crate) struct Growth {
    pub collection: AccessPath,
    pub span: Span,
    pub in_fn: Option<FnId>,
    /// `set`, `add`, `push`, `unshift`, or `[key] =` for computed property writes.
    pub how: &'static str,
    /// The key (`set`, `[key] =`) or the item (`add`, `push`, `unshift`).
    pub key: Option<Arg>,
    /// The value stored under the key (`set`, `[key] =`).
    pub value: Option<Arg>,
}

impl Growth {
    /// Does this addition file an object under itself: `registry[this.name] = this`,
    /// `table.set(task.id, task)`, `instances.add(this)`? A table of live objects keyed by
    /// their own identity grows with every object the program makes, unlike a memo keyed by
    /// the caller's input (whose value is derived from the key) or a plugin table keyed by a
    /// name the program chooses.
    ///
    /// The object is `this` or one the function makes (`const h = new Handle()`); with
    /// `params`, also one handed in (`track(job)`), which process-wide tables are judged by,
    /// while a module's own table filled from a parameter is as often a plugin list
    /// (`register(plugin)` keyed by `plugin.name`) as a leak.
    pub fn files_object_under_itself(&self, model: &Model<'_>, params: bool) -> bool {
        let per_call = |p: &AccessPath| match &p.root {
            Root::This(_) => true,
            Root::Binding(id) => model.binding(id).is_some_and(|b| {
                b.scope.is_some()
                    && if b.kind == crate::model::BindingKind::Param {
                        params
                    } else {
                        matches!(
                            b.init,
                            crate::model::Init::New(_) | crate::model::Init::ObjectLit
                        )
                    }
            }),
            Root::Global(_) => false,
        };
        let item_is_this = |a: &Option<Arg>| matches!(a, Some(Arg::Path(p, _)) if matches!(p.root, Root::This(_)) && p.props.is_empty());
        match self.how {
            "add" | "push" | "unshift" => item_is_this(&self.key),
            _ => match (&self.key, &self.value) {
                (Some(Arg::Path(k, _)), Some(Arg::Path(v, _))) => {
                    k.root == v.root
                        && k.props.len() > v.props.len()
                        && k.props.starts_with(&v.props)
                        && v.props.is_empty()
                        && per_call(v)
                }
                _ => false,
            },
        }
    }
}

/// Every addition whose key or item is not a fixed literal.
pub(crate) fn growth_sites(model: &Model<'_>) -> Vec<Growth> {
    let mut sites = Vec::new();
    for c in model.member_calls() {
        let Some(receiver) = &c.receiver else {
            continue;
        };
        let how = match c.method.as_str() {
            "set" => "set",
            "add" => "add",
            "push" => "push",
            "unshift" => "unshift",
            _ => continue,
        };
        let first = c.args.first();
        // A fixed key is a fixed slot; `set(k, new WeakRef(v))` holds its values weakly.
        let fixed = matches!(
            first,
            Some(Arg::Str(..) | Arg::Num(..) | Arg::Bool(..)) | None
        );
        let weak_value =
            matches!(c.args.get(1), Some(Arg::New(name, _)) if name.as_str() == "WeakRef");
        if (how == "set" || how == "add") && (fixed || weak_value) {
            continue;
        }
        let value = match how {
            "set" => c.args.get(1).cloned(),
            _ => None,
        };
        sites.push(Growth {
            collection: receiver.clone(),
            span: c.span,
            in_fn: c.in_fn,
            how,
            key: first.cloned(),
            value,
        });
    }
    for w in model.member_writes() {
        if let (Some(object), None) = (&w.object, &w.key) {
            sites.push(Growth {
                collection: object.clone(),
                span: w.span,
                in_fn: w.in_fn,
                how: "[key] =",
                key: w.key_arg.clone(),
                value: Some(w.value.clone()),
            });
        }
    }
    sites.sort_by_key(|s| s.span.start);
    sites
}

fn check_site(model: &Model<'_>, site: &Growth) -> Option<Draft> {
    let f = site.in_fn?;
    let role = model.role(Some(f));
    // Growth that follows traffic: per request, connection, message or tick, including helpers
    // called from there. Per-call library code is left alone: its memo tables are keyed by
    // what the program passes (patterns, locales, small integers), which the file cannot bound
    // or unbound, and flagging every one of them buries the real leaks.
    // A per-call or per-instance function that files its object under itself is a registry
    // of every object ever made, whatever the caller passes.
    let registry =
        role.frequency != Frequency::StartUp && site.files_object_under_itself(model, false);
    if !role.frequency.is_repeating() && !registry {
        return None;
    }
    // The collection is made here, or it is an object the caller hands in, written by key.
    let (kind, created) = match model.collection(&site.collection) {
        Some((kind, span)) => (kind, Some(span)),
        None => {
            if let Some(made) = model.project_imported_collection(&site.collection) {
                return imported_growth(model, site, f, made);
            }
            if site.how == "[key] =" && model.is_keyed_by_field(site.key.as_ref()) {
                (CollectionKind::Object, None)
            } else {
                return None;
            }
        }
    };
    // What the caller hands in is long-lived only when every caller fills it with a
    // long-lived value: then nothing bounds what it is given.
    let filled = |why: &crate::model::Why| {
        use crate::model::Reason;
        matches!(
            why.reason,
            Reason::FilledByCallers { .. } | Reason::FilledElsewhere { .. }
        )
    };
    // A buffer local to a call, filled per message of a stream that call owns
    // (`stream.on('data', c => chunks.push(c))`), goes away with the stream.
    let closure_local = matches!(&site.collection.root, crate::model::Root::Binding(id)
        if model.binding(id).is_some_and(|b| b.scope.is_some()));
    if closure_local
        && role.frequency == Frequency::PerMessage
        && !matches!(model.lifetime(&site.collection, Some(f)), Lifetime::Outlives(ref why) if filled(why))
    {
        return None;
    }
    // An object written with `[key] =` is a dictionary; an array indexed by key is not growth
    // we can judge.
    if site.how == "[key] =" && kind != CollectionKind::Object {
        return None;
    }
    let Lifetime::Outlives(why) = model.lifetime(&site.collection, Some(f)) else {
        return None;
    };
    if created.is_none() && !filled(&why) {
        return None;
    }
    // A collection the function made and hands to its caller (`const seen = []; ...; return
    // seen`) is the caller's to keep or drop.
    if model.returned_by_owner(&site.collection) {
        return None;
    }
    // `for (const s of this.settings) map.set(s.name, ...)`: the keys are the elements of a
    // list that outlives the code (configuration, an injected list), not request data, so
    // there are never more entries than the list has.
    if site
        .key
        .as_ref()
        .is_some_and(|k| model.key_from_long_lived_list(k, f))
    {
        return None;
    }
    if model.shrink_site(&site.collection).is_some() {
        return None;
    }
    let name = model.path_text(&site.collection);
    // A collection handed in is pointed at where the caller hands it in.
    let (created, created_label) = match created {
        Some(span) => (span, format!("`{name}` is created here and never shrinks")),
        None => (
            why.decl.unwrap_or(site.span),
            "every caller hands in a long-lived value here".to_string(),
        ),
    };
    let phrase = role.frequency.phrase();
    let what = added_here(kind);
    let what = if registry && !role.frequency.is_repeating() {
        "each object is filed here under its own identity"
    } else {
        what
    };
    let runs = model.why_repeats(f);
    let removal = match model.removal_never_run(&site.collection) {
        Some((at, event)) => format!(
            "its only removal (line {}) is in a listener for '{event}' on a socket.io socket, which emits \
             'disconnect', never '{event}'",
            model.line(at.start)
        ),
        None => "nothing in this file deletes, clears or evicts".to_string(),
    };
    let message = format!(
        "`{name}` grows {phrase} and nothing removes its entries: {}, {}; {what} {phrase}, and {removal}; {runs}",
        why.text(),
        kind.described()
    );
    let help = format!(
        "bound it with `new LRUCache({{ max: 1000 }})` from `lru-cache` (or `quick-lru`), delete the entry when its work is \
         done (`{name}.delete(key)` in a `finally` block or on `res.on('close')`), or use a `WeakMap` keyed by the object \
         the data belongs to"
    );
    let mut signature = Signature::new(SignatureKind::Collection, site.span);
    signature.collection = Some(name.clone());
    let mut finding = Draft::new(site.span, message, help, signature)
        .confidence(Confidence::of_frequency(role.frequency))
        .label(created, created_label);
    if let Some((span, label)) = model.registration_label(f) {
        finding = finding.label(span, label);
    }
    Some(finding.chain(model.chain(f)).chain(why.chain()))
}

/// What a growth site does to a collection of this kind, for messages.
fn added_here(kind: CollectionKind) -> &'static str {
    match kind {
        CollectionKind::Map | CollectionKind::Object => "a new entry is added here",
        CollectionKind::Set => "a new member is added here",
        CollectionKind::Array => "an item is appended here",
    }
}

/// Growth, in repeating code, of a collection made at module scope in another file and
/// imported here, which no file of the project takes entries out of (the project phase checked
/// the file that makes it and every file that imports it).
fn imported_growth(
    model: &Model<'_>,
    site: &Growth,
    f: FnId,
    made: &crate::project::CollectionMade,
) -> Option<Draft> {
    let role = model.role(Some(f));
    if !role.frequency.is_repeating() {
        return None;
    }
    // An array written by key is not growth we can judge; keys from a long-lived list are
    // bounded by the list.
    if site.how == "[key] =" && made.kind != CollectionKind::Object {
        return None;
    }
    if site
        .key
        .as_ref()
        .is_some_and(|k| model.key_from_long_lived_list(k, f))
        || model.shrink_site(&site.collection).is_some()
    {
        return None;
    }
    let name = model.path_text(&site.collection);
    let phrase = role.frequency.phrase();
    let what = added_here(made.kind);
    let runs = model.why_repeats(f);
    let message = format!(
        "`{name}` grows {phrase} and nothing removes its entries: it is {}, created at module \
         scope in {}, which lives as long as the process; {what} {phrase}, and no file of the \
         project deletes, clears or evicts its entries; {runs}",
        made.kind.described(),
        made.created.at(),
    );
    let help = format!(
        "bound it where it is made (`new LRUCache({{ max: 1000 }})` from `lru-cache`), delete the entry when its \
         work is done (`{name}.delete(key)` in a `finally` block or on the connection's `'close'`/`'disconnect'`), \
         or key it by the object the data belongs to in a `WeakMap`"
    );
    let mut signature = Signature::new(SignatureKind::Collection, site.span);
    signature.collection = Some(name);
    let mut finding = Draft::new(site.span, message, help, signature)
        .confidence(Confidence::of_frequency(role.frequency));
    if let Some((span, label)) = model.registration_label(f) {
        finding = finding.label(span, label);
    }
    Some(
        finding
            .chain(model.chain(f))
            .chain(std::slice::from_ref(&made.created)),
    )
}

/// Method names that hand a registration's ref back to the registry.
fn releases(method: &str) -> bool {
    [
        "unregister",
        "deregister",
        "release",
        "unsubscribe",
        "unwatch",
    ]
    .iter()
    .any(|p| method.starts_with(p))
}

/// A registry API whose result must be handed back: one call site keeps the ref
/// (`this.ref = registry.register(...)`) and passes it to `registry.unregister(this.ref)`;
/// another call of the same method on the same registry drops it, so that entry (and the
/// callback that keeps its caller) can never be released.
fn dropped_registration_refs(model: &Model<'_>, cx: &mut RuleContext<'_>) {
    let release_calls: Vec<&MemberCall> = model
        .member_calls()
        .iter()
        .filter(|c| releases(&c.method) && c.receiver.is_some())
        .collect();
    if release_calls.is_empty() {
        return;
    }
    let mut reported: Vec<Span> = Vec::new();
    for kept in model.member_calls() {
        let (Some(receiver), Some(stored)) = (&kept.receiver, &kept.stored_to) else {
            continue;
        };
        if crate::model::emitters::is_listener_method(&kept.method) || releases(&kept.method) {
            continue;
        }
        let Some(release) = release_calls.iter().find(|u| {
            u.receiver
                .as_ref()
                .is_some_and(|r| model.same_object(r, receiver))
                && u.args
                    .iter()
                    .any(|a| matches!(a, Arg::Path(p, _) if model.same_object(p, stored)))
        }) else {
            continue;
        };
        for dropped in model.member_calls() {
            if dropped.result_kept
                || dropped.method != kept.method
                || reported.contains(&dropped.span)
                || !dropped
                    .receiver
                    .as_ref()
                    .is_some_and(|r| model.same_object(r, receiver))
            {
                continue;
            }
            let Some(f) = dropped.in_fn else { continue };
            let role = model.role(Some(f));
            if role.frequency == Frequency::StartUp {
                continue;
            }
            reported.push(dropped.span);
            let registry = model.path_text(receiver);
            let method = &kept.method;
            let kept_as = model.path_text(stored);
            let release_text = model.excerpt(release.callee_span, 60);
            let message = format!(
                "`{registry}.{method}(...)` returns a ref that must be passed back to `{release_text}(...)` (line {}), \
                 as `{kept_as}` is elsewhere; here it is dropped, so this entry, and everything its arguments keep, \
                 stays in `{registry}` for good; {}",
                model.line(release.span.start),
                model.why_repeats(f)
            );
            let help = format!(
                "keep what `{registry}.{method}(...)` returns (for example in `{kept_as}`) and pass it to \
                 `{release_text}(...)` when the object is closed"
            );
            let mut signature = Signature::new(SignatureKind::Collection, dropped.span);
            signature.collection = Some(registry.clone());
            cx.report(
                Draft::new(dropped.callee_span, message, help, signature)
                    .label(kept.span, format!("here the ref is kept in `{kept_as}`"))
                    .label(release.span, "and released here".to_string())
                    .chain(model.chain(f)),
            );
        }
    }
}
