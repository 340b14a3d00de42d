//! `closure-retains-large`: an escaping closure keeps a large value alive through the context it
//! shares with the other closures of its scope (V8 allocates one context per scope).

use crate::model::{FnId, Frequency, Model, UseKind};
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, Span, declare_rule};

declare_rule! {
    /// A closure that outlives its function keeps a large value alive through the scope it shares with other closures.
    ///
    /// ### What it finds
    ///
    /// A function that makes a large value (`readFileSync(...)`, `JSON.parse(...)`,
    /// `Buffer.alloc(n)`, `new Array(n)`, `'x'.repeat(n)`, a response body) and lets a closure
    /// escape (returned, stored in an object or collection, registered as a listener or
    /// interval) when the large value stays in that closure's context: because **another**
    /// closure of the same scope references it, because the scope has a direct `eval`, or because
    /// the escaping closure uses only a small part of it (`() => doc.meta.version`). Also the
    /// Meteor `theThing` shape: a function that copies a long-lived variable into a local that a
    /// closure references, then replaces that variable with an object holding a closure, so each
    /// call keeps the previous value alive in a chain. A `let` made large by a later assignment
    /// (`payload = Buffer.from(payload)`) counts when a closure of the call is kept by something
    /// that outlives it (a listener on a pooled keep-alive socket or a module-level emitter),
    /// and is reported at that closure. It stays quiet for a large local that no
    /// closure references (V8 keeps it on the stack, not in the context), for closures that use
    /// the whole value (that retention is the point), and for code that runs once at start-up.
    ///
    /// ### Why it leaks
    ///
    /// V8 gives each function call one context object for the variables its closures use, shared
    /// by every closure created in that call. If any closure references `big`, `big` lives in the
    /// context, and **every** closure of that call keeps the context alive, including a returned
    /// one that never mentions `big`. The small closure you keep pins the large value you thought
    /// was temporary, once per call.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const fs = require('fs');
    ///
    /// function loadConfig(path) {
    ///   const raw = fs.readFileSync(path, 'utf8');
    ///   const doc = JSON.parse(raw);
    ///   const log = () => console.log('loaded', raw.length);
    ///   log();
    ///   return () => doc.version;
    /// }
    /// module.exports = loadConfig;
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const fs = require('fs');
    ///
    /// function loadConfig(path) {
    ///   const raw = fs.readFileSync(path, 'utf8');
    ///   const version = JSON.parse(raw).version;
    ///   console.log('loaded', raw.length);
    ///   return () => version;
    /// }
    /// module.exports = loadConfig;
    /// ```
    ///
    /// ### How to fix
    ///
    /// Copy the small part you need into its own variable before making the closure
    /// (`const version = doc.version; return () => version;`), and do not reference the large
    /// value from any other closure in the same function (inline the logging, or move it to a
    /// helper that takes the value as an argument). Set a variable to `null` once it is no longer
    /// needed if a closure must mention it.
    pub ClosureRetainsLarge {
        id: "closure-retains-large",
        severity: Warning,
        category: Closures,
        triggers: [
            "readFile", "JSON.parse", "Buffer.", "new Array(", " Array(", "(Array(", "repeat(", ".text()", ".json()", "rrayBuffer(",
            "Uint8Array(", "Float64Array(", "eval(",
        ],
    }
}

impl Rule for ClosureRetainsLarge {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        // One finding per escaping closure, naming every large value it pins.
        let mut pinned: Vec<(FnId, String, Vec<Pinned>)> = Vec::new();
        for b in model.bindings() {
            let (Some(large), Some(f)) = (&b.large, b.scope) else {
                continue;
            };
            if model.role(Some(f)).frequency == Frequency::StartUp {
                continue;
            }
            // Closures (at any depth inside `f`) that read the value: they put it in f's context.
            let readers: Vec<FnId> = b
                .uses
                .iter()
                .filter(|u| u.kind == UseKind::Read)
                .filter_map(|u| u.in_fn)
                .filter(|&g| g != f && model.is_within(Some(g), Some(f)))
                .collect();
            let eval = has_direct_eval(model, f);
            if readers.is_empty() && !eval {
                continue; // on the stack: nothing keeps it
            }
            // A variable made large by a later assignment may be set back to `null` before the
            // call ends, so it counts only when a closure of the scope is kept by something that
            // outlives the call (a pooled socket's listener): that closure is the one to report,
            // since it is what keeps the context after the call.
            let (closure, escape) = if b.large_assigned.is_some() {
                let Some((closure, receiver, why)) = model.closure_kept_long(f) else {
                    continue;
                };
                let escape = format!("registered as a listener on `{receiver}` ({})", why.text());
                (closure, escape)
            } else {
                let Some((closure, escape)) = model.escaping_closure(f) else {
                    continue;
                };
                (closure, escape.to_string())
            };
            let closure_reads: Vec<Span> = b
                .uses
                .iter()
                .filter(|u| {
                    u.kind == UseKind::Read
                        && u.in_fn
                            .is_some_and(|g| model.is_within(Some(g), Some(closure)))
                })
                .map(|u| u.span)
                .collect();
            let name = &b.name;
            let reason = if !closure_reads.is_empty() {
                // It uses the value: fine when it needs all of it, a waste for one field, unless
                // the function hands the value on anyway (then something else holds it).
                let outside: Vec<Span> = b
                    .uses
                    .iter()
                    .filter(|u| u.kind == UseKind::Read && u.in_fn == Some(f))
                    .map(|u| u.span)
                    .collect();
                if !outside.is_empty() && small_part(model, &outside).is_none() {
                    continue; // handed on whole (`queue.add(buffer, ...)`): something else holds it
                }
                let Some(part) = small_part(model, &closure_reads) else {
                    continue;
                };
                format!("the closure uses only `{part}` but keeps all of it")
            } else if let Some(&other) = readers
                .iter()
                .find(|&&g| !model.is_within(Some(g), Some(closure)))
            {
                let other_name = model
                    .function(other)
                    .name
                    .as_deref()
                    .map_or("another closure".to_string(), |n| format!("`{n}`"));
                format!(
                    "the closure never mentions it, but {other_name} (line {}) does, and closures of one call share one context",
                    model.line(model.function(other).span.start)
                )
            } else {
                "the function has a direct `eval`, so every local lives in the shared context"
                    .to_string()
            };
            let made = match b.large_assigned {
                Some(at) => (at, format!("`{name}` is made large here")),
                None => (b.span, format!("`{name}` is created here")),
            };
            let entry = Pinned {
                name: name.to_string(),
                large: large.clone(),
                reason,
                made,
            };
            match pinned.iter_mut().find(|(c, _, _)| *c == closure) {
                Some((_, _, list)) => list.push(entry),
                None => pinned.push((closure, escape, vec![entry])),
            }
        }
        pinned.sort_by_key(|(c, _, _)| model.function(*c).span.start);
        for (closure, escape, mut values) in pinned {
            values.sort_by_key(|p| p.made.0.start);
            let names = values
                .iter()
                .map(|p| format!("`{}`", p.name))
                .collect::<Vec<_>>()
                .join(" and ");
            let details = values
                .iter()
                .map(|p| format!("`{}` is {}, and {}", p.name, p.large, p.reason))
                .collect::<Vec<_>>()
                .join("; ");
            let message = format!(
                "the closure {escape} at line {} keeps {names} alive: {details}",
                model.line(model.function(closure).span.start)
            );
            let first = &values[0].name;
            let help = format!(
                "copy the part you need into its own variable before making the closure (`const v = {first}.field; return () => v;`), \
                 and do not reference {names} from any other closure in this function"
            );
            let primary = first_line(model, model.function(closure).span);
            let mut signature = Signature::new(SignatureKind::Closure, primary);
            signature.retained = Some(
                values
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            signature.function = Some(model.function(closure).span);
            let mut finding = Draft::new(primary, message, help, signature).confidence(
                Confidence::of_frequency(model.role(model.function(closure).parent).frequency),
            );
            for p in values {
                finding = finding.label(p.made.0, p.made.1);
            }
            cx.report(finding);
        }
        meteor_chains(model, cx);
    }
}

/// A large value an escaping closure keeps alive, and why.
struct Pinned {
    name: String,
    large: String,
    reason: String,
    /// Where it is made large (its declaration, or the assignment that makes it large), and
    /// the label for that place.
    made: (Span, String),
}

/// The Meteor `theThing` shape: `const previous = longLived;` read by a closure, then
/// `longLived = { ...closure... }`: each call's new value keeps the previous one alive.
fn meteor_chains(model: &Model<'_>, cx: &mut RuleContext<'_>) {
    for local in model.bindings() {
        let (Some(source), Some(f)) = (&local.copy_of, local.scope) else {
            continue;
        };
        let Some(long_lived) = model.binding(source) else {
            continue;
        };
        if long_lived.scope.is_some() || model.role(Some(f)).frequency == Frequency::StartUp {
            continue;
        }
        let read_by_closure = local.uses.iter().any(|u| {
            u.kind == UseKind::Read
                && u.in_fn
                    .is_some_and(|g| g != f && model.is_within(Some(g), Some(f)))
        });
        let replaced_here = long_lived
            .uses
            .iter()
            .any(|u| u.kind == UseKind::Write && u.in_fn == Some(f));
        let Some((closure, _)) = model.escaping_closure(f) else {
            continue;
        };
        if !(read_by_closure && replaced_here) {
            continue;
        }
        let (old, new) = (&local.name, &long_lived.name);
        let message = format!(
            "every call keeps the previous `{new}` alive: `{old}` holds it and a closure here reads it, so it lives in this \
             call's context, which the closure at line {} (stored into the new `{new}`) keeps; the values form a chain that \
             grows with every call",
            model.line(model.function(closure).span.start)
        );
        let help = format!(
            "set `{old} = null` once it is no longer needed, or stop reading `{old}` from closures of this function"
        );
        let mut signature = Signature::new(SignatureKind::Closure, local.span);
        signature.retained = Some(old.to_string());
        signature.function = Some(model.function(closure).span);
        cx.report(
            Draft::new(local.span, message, help, signature)
                .confidence(Confidence::of_frequency(model.role(Some(f)).frequency))
                .label(long_lived.span, format!("`{new}` lives at module scope")),
        );
    }
}

fn has_direct_eval(model: &Model<'_>, f: FnId) -> bool {
    model
        .plain_calls()
        .iter()
        .any(|c| c.global && c.name == "eval" && c.in_fn == Some(f))
}

/// `doc.meta.version` when every read of the value inside the closure goes through a property.
fn small_part(model: &Model<'_>, reads: &[Span]) -> Option<String> {
    let mut part = None;
    for r in reads {
        let after = &model.src()[r.end..];
        if !after.starts_with('.') {
            return None;
        }
        let len = after
            .char_indices()
            .find(|&(i, c)| !(c.is_alphanumeric() || c == '_' || c == '$' || (c == '.' && i < 60)))
            .map_or(after.len(), |(i, _)| i);
        // `queue.push(x)`, `buf.slice(...)`: a method call works on the whole value.
        if after[len..].trim_start().starts_with('(') {
            return None;
        }
        part.get_or_insert_with(|| format!("{}{}", model.text(*r), &after[..len]));
    }
    part
}

/// The first line of a span, for a primary location that does not cover a whole function.
fn first_line(model: &Model<'_>, span: Span) -> Span {
    let text = model.text(span);
    let end = text.find('\n').map_or(span.end, |i| span.start + i);
    Span::new(span.start, end)
}
