//! `timer-leak`: `setInterval` (or a `setTimeout` that reschedules itself) started per request,
//! per connection or per instance, whose handle is dropped or never cleared.

use crate::model::{AccessPath, Arg, FnId, Frequency, MemberCall, Model, PlainCall, Root};
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, Span, declare_rule};

declare_rule! {
    /// An interval is started on every request, connection or instance and never cleared, so it runs forever.
    ///
    /// ### What it finds
    ///
    /// `setInterval(...)`, and a `setTimeout` that reschedules the function it is in
    /// (`function poll() { ...; setTimeout(poll, 1000); }`), started in code that runs per
    /// request, per connection, per message, per tick, per call or per instance, when the handle
    /// is dropped or stored but never passed to `clearInterval` / `clearTimeout`. It stays quiet
    /// for intervals started at start-up (with or without `unref()`), handles cleared anywhere in
    /// the file (on close, in `dispose()`, in the callback itself), handles handed on (returned,
    /// passed to a call, stored elsewhere), rescheduling behind a condition that can stop it,
    /// and a reconnect loop's own timer (`ws.on('close', () => { setTimeout(connect, 1000); })`
    /// in `connect`: one pending at a time, it is how the loop repeats).
    /// A handle cleared elsewhere is still flagged when the code that stores it runs again for
    /// the same object (a method called from code that repeats) without clearing or checking the
    /// previous handle first: the new handle overwrites the only reference to the running one.
    /// A clear in the interval's own callback that is only on a branch for failures (its tests
    /// read only variables of the invocation that nothing outside the callback sets and that
    /// the callback does not move on every tick: `catch { if (++failures > 3) clearInterval(t) }`)
    /// does not count: the end of the request never takes that branch.
    ///
    /// ### Why it leaks
    ///
    /// A timer keeps its callback, and everything the callback closes over, alive until it is
    /// cleared. An interval started per request never stops on its own: each request adds one
    /// more timer that keeps running, holding the request's objects, after the response is sent.
    /// Memory and CPU grow with traffic.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    ///
    /// app.get('/progress/:id', (req, res) => {
    ///   setInterval(() => res.write(`data: ${progress(req.params.id)}\n\n`), 1000);
    /// });
    /// ```
    ///
    /// ```js
    /// class Connection {
    ///   constructor(socket) {
    ///     this.socket = socket;
    ///     this.heartbeat = setInterval(() => socket.write('ping'), 30_000);
    ///   }
    /// }
    /// module.exports = Connection;
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    ///
    /// app.get('/progress/:id', (req, res) => {
    ///   const timer = setInterval(() => res.write(`data: ${progress(req.params.id)}\n\n`), 1000);
    ///   res.on('close', () => clearInterval(timer));
    /// });
    /// ```
    ///
    /// ```js
    /// // One interval for the whole process, started once.
    /// setInterval(() => flushMetrics(), 10_000).unref();
    /// ```
    ///
    /// ### How to fix
    ///
    /// Keep the handle and clear it when the request, connection or object is done:
    /// `res.on('close', () => clearInterval(timer))`, `socket.on('close', ...)`, or a
    /// `close()` / `dispose()` method. Better still, run one interval at start-up that serves
    /// every request.
    pub TimerLeak {
        id: "timer-leak",
        severity: Warning,
        category: Timers,
        triggers: ["setInterval", "setTimeout"],
    }
}

const CLEARERS: &[&str] = &["clearInterval", "clearTimeout"];

impl Rule for TimerLeak {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        for call in model.plain_calls() {
            let kind = match timer_function(model, call).as_deref() {
                Some("setInterval") => Kind::Interval,
                Some("setTimeout") => match reschedules(model, call) {
                    Some(name) => Kind::Rescheduling(name),
                    None => continue,
                },
                _ => continue,
            };
            if let Some(f) = check_timer(model, &call.into(), kind) {
                cx.report(f);
            }
        }
        // `timers.setInterval(...)`, `globalThis.setInterval(...)`.
        for call in model.calls_of(&["setInterval"]) {
            let on_timers = call.receiver.as_ref().is_some_and(|r| {
                matches!(&r.root, Root::Global(g) if matches!(g.as_str(), "global" | "globalThis" | "window"))
                    || model.is_module_binding(r, TIMERS_MODULES)
            });
            if on_timers && let Some(f) = check_timer(model, &call.into(), Kind::Interval) {
                cx.report(f);
            }
        }
    }
}

/// A call that starts a timer, whether written `setInterval(...)` or `timers.setInterval(...)`.
struct TimerCall<'m> {
    span: Span,
    callee_span: Span,
    in_fn: Option<FnId>,
    args: &'m [Arg],
    result_kept: bool,
    stored_to: Option<&'m AccessPath>,
    guards: &'m [AccessPath],
}

impl<'m> From<&'m PlainCall> for TimerCall<'m> {
    fn from(c: &'m PlainCall) -> Self {
        TimerCall {
            span: c.span,
            callee_span: c.callee_span,
            in_fn: c.in_fn,
            args: &c.args,
            result_kept: c.result_kept,
            stored_to: c.stored_to.as_ref(),
            guards: &c.guards,
        }
    }
}

impl<'m> From<&'m MemberCall> for TimerCall<'m> {
    fn from(c: &'m MemberCall) -> Self {
        TimerCall {
            span: c.span,
            callee_span: c.callee_span,
            in_fn: c.in_fn,
            args: &c.args,
            result_kept: c.result_kept,
            stored_to: c.stored_to.as_ref(),
            guards: &c.guards,
        }
    }
}

enum Kind {
    Interval,
    /// A `setTimeout` that schedules the function it is in, named so.
    Rescheduling(String),
}

/// Compared through [`crate::model::module_key`] (`node:timers` too).
const TIMERS_MODULES: &[&str] = &["timers"];

/// The timer function called, under its real name: the global, or one imported from `timers`
/// under any local name. A local function that happens to be called `setInterval` is not one.
fn timer_function(model: &Model<'_>, call: &PlainCall) -> Option<swc_atoms::Atom> {
    model.imported_or_global(call, TIMERS_MODULES)
}

/// `setTimeout(poll, ms)` or `setTimeout(() => poll(), ms)` inside `poll`, unconditionally: the
/// function's name, when it is so.
fn reschedules(model: &Model<'_>, call: &PlainCall) -> Option<String> {
    if call.conditional {
        return None;
    }
    let f = call.in_fn?;
    // The named function around the call (arrows inside it count as it).
    let mut cur = Some(f);
    let named = loop {
        let g = cur?;
        if model.function(g).binding.is_some() {
            break g;
        }
        cur = model.function(g).parent;
    };
    let id = model.function(named).binding.as_ref()?;
    // A reconnect loop runs itself again from the end listener that gives it its role
    // (`ws.on('close', () => setTimeout(connect, 1000))`): that timer is how it repeats, one
    // pending at a time, not a timer started on every repetition.
    if model
        .role(Some(named))
        .origin
        .as_ref()
        .is_some_and(|o| o.function == named && o.span.is_some_and(|s| s.contains(call.span)))
    {
        return None;
    }
    let refers = match call.args.first()? {
        Arg::Path(p, _) => matches!(&p.root, Root::Binding(b) if b == id) && p.props.is_empty(),
        Arg::Fn(cb, _) => {
            let span = model.function(*cb).span;
            model
                .plain_calls()
                .iter()
                .any(|c| span.contains(c.span) && c.name == id.0)
        }
        _ => false,
    };
    refers.then(|| id.0.to_string())
}

/// An interval stored in a field or an outer variable by code that this file runs again for
/// the same object (called from code that repeats, not a constructor), with no clear of the
/// same handle before it in that function and no check of the handle around it: each run
/// replaces a running interval's only handle.
fn overwritten(model: &Model<'_>, site: &TimerCall<'_>, f: FnId, handle: &AccessPath) -> bool {
    let func = &model.function(f);
    if func.kind.builds_instance() || !model.called_repeatedly(f) {
        return false;
    }
    let outlives_call = match &handle.root {
        Root::This(_) => true,
        Root::Binding(id) => model
            .binding(id)
            .is_some_and(|b| b.scope.is_none_or(|g| g != f)),
        Root::Global(_) => false,
    };
    if !outlives_call {
        return false;
    }
    let guarded = site
        .guards
        .iter()
        .chain(func.early_exit_reads.iter())
        .any(|g| model.same_object(g, handle));
    let clears_first = |args: &[Arg], span: Span| {
        span.start < site.span.start
            && func.span.contains(span)
            && matches!(args.first(), Some(Arg::Path(p, _)) if model.same_object(p, handle))
    };
    let cleared_first = model.plain_calls().iter().any(|c| {
        timer_function(model, c).is_some_and(|n| CLEARERS.contains(&n.as_str()))
            && clears_first(&c.args, c.span)
    }) || model
        .calls_of(CLEARERS)
        .any(|c| clears_first(&c.args, c.span));
    !guarded && !cleared_first
}

fn check_timer(model: &Model<'_>, site: &TimerCall<'_>, kind: Kind) -> Option<Draft> {
    let f = site.in_fn?;
    let role = model.role(Some(f));
    if role.frequency == Frequency::StartUp {
        return None;
    }
    let what = match &kind {
        Kind::Interval => "interval".to_string(),
        Kind::Rescheduling(name) => {
            format!("`{name}`, which reschedules itself with `setTimeout`,")
        }
    };
    // An interval's own callback that clears it only when it gives up after failures
    // (`catch { if (++failures > 3) clearInterval(t) }`) does not stop it when the request ends.
    let callback = match (&kind, site.args.first()) {
        (Kind::Interval, Some(Arg::Fn(cb, _))) => Some(*cb),
        _ => None,
    };
    let stops = |in_fn: Option<FnId>, conditional: bool, guards: &[AccessPath]| {
        !callback.is_some_and(|cb| model.clears_only_on_failure(cb, in_fn, conditional, guards))
    };
    let mut self_clear = None;
    let problem = match site.stored_to {
        Some(handle) => {
            let mut clears =
                |a: Option<&Arg>, span: Span, in_fn, conditional, guards: &[AccessPath]| {
                    if !matches!(a, Some(Arg::Path(p, _)) if model.same_object(p, handle)) {
                        return false;
                    }
                    if stops(in_fn, conditional, guards) {
                        return true;
                    }
                    self_clear.get_or_insert(span);
                    false
                };
            let cleared = model
                .plain_calls()
                .iter()
                .filter(|c| {
                    timer_function(model, c).is_some_and(|n| CLEARERS.contains(&n.as_str()))
                })
                .any(|c| clears(c.args.first(), c.span, c.in_fn, c.conditional, &c.guards))
                || model
                    .calls_of(CLEARERS)
                    .any(|c| clears(c.args.first(), c.span, c.in_fn, c.conditional, &c.guards));
            // `this.timer`, cleared as `sonic.timer` in a helper that takes the instance.
            let field = matches!(handle.root, Root::This(_))
                .then(|| handle.props.last())
                .flatten();
            let cleared_by_field = field.is_some_and(|name| {
                let clears = |a: Option<&Arg>| matches!(a, Some(Arg::Path(p, _)) if p.props.last() == Some(name));
                model.plain_calls().iter().any(|c| {
                    timer_function(model, c).is_some_and(|n| CLEARERS.contains(&n.as_str()))
                        && clears(c.args.first())
                        && stops(c.in_fn, c.conditional, &c.guards)
                }) || model.calls_of(CLEARERS).any(|c| {
                    clears(c.args.first()) && stops(c.in_fn, c.conditional, &c.guards)
                })
            });
            if model.path_escapes(handle, CLEARERS) {
                return None;
            }
            if cleared || cleared_by_field {
                if !matches!(kind, Kind::Interval) || !overwritten(model, site, f, handle) {
                    return None;
                }
                format!(
                    "each run stores a new handle in `{}` without clearing the one already there, so the previous interval keeps running",
                    model.path_text(handle)
                )
            } else if let Some(at) = self_clear {
                format!(
                    "its own callback clears `{}` only on a branch for failures (line {}), which neither the end \
                     of the request or connection nor a normal tick takes",
                    model.path_text(handle),
                    model.line(at.start)
                )
            } else {
                format!(
                    "its handle is stored in `{}` but never passed to `clearInterval`",
                    model.path_text(handle)
                )
            }
        }
        // Returned or passed on: whoever receives it can clear it.
        None if site.result_kept => return None,
        None => "its handle is dropped, so nothing can ever clear it".to_string(),
    };
    let phrase = role.frequency.phrase();
    let runs = model.why_repeats(f);
    let started = match kind {
        Kind::Interval => format!("{what} started {phrase}"),
        Kind::Rescheduling(_) => format!("{what} is started {phrase}"),
    };
    let message = format!("{started} and never stopped: {problem}; {runs}");
    let unit = role.frequency.unit();
    let help = format!(
        "keep the handle and clear it when {unit} is done (`res.on('close', () => clearInterval(timer))`, \
         `socket.on('close', ...)` or a `close()` method), or run one timer at start-up for everything"
    );
    let mut signature = Signature::new(SignatureKind::Timer, site.span);
    signature.function = match site.args.first() {
        Some(Arg::Fn(cb, _)) => Some(model.function(*cb).span),
        _ => None,
    };
    let mut finding = Draft::new(site.callee_span, message, help, signature)
        .confidence(Confidence::of_frequency(role.frequency));
    if let Some((span, label)) = model.registration_label(f) {
        finding = finding.label(span, label);
    }
    Some(finding.chain(model.chain(f)))
}
