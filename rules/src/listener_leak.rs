//! `listener-leak`: a listener added per request, per connection or per call to an emitter that
//! outlives that invocation, and never removed for it.

use crate::model::emitters::{LISTENER_METHODS, ONCE_METHODS};
use crate::model::{Arg, CallSite, Frequency, Lifetime, MemberCall, Model, Reason, Role, Why};
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, declare_rule};

declare_rule! {
    /// A listener is added on every request, connection or call to an emitter that outlives it, and never removed.
    ///
    /// ### What it finds
    ///
    /// `on`, `addListener`, `prependListener`, `addEventListener` and `once` calls that run per
    /// request, per connection, per message, per interval tick, per call of library code or per
    /// instance, or per reconnection (in a `'connect'`, `'ready'`, `'open'` or `'reconnect'`
    /// handler of a client that reconnects by itself: socket.io-client's `io(url)`, ioredis,
    /// node-redis, mqtt, reconnecting-websocket, and in a reconnect loop, a function that runs
    /// itself again from a listener for its connection's `'close'`, `'end'` or `'error'`), on
    /// a receiver that lives longer than that: a
    /// module-level emitter, an import, `process`, the application reached through `req.app`,
    /// the keep-alive socket behind a request, the socket a client request's `'socket'` event
    /// hands over (pooled by a keep-alive agent), a connection checked out of a pool and handed
    /// back to it (`const client = await pool.connect()` ... `client.release()`, or
    /// `pool.release(resource)`), a variable of an enclosing function, `this` of a singleton, a parameter
    /// of a local helper that every caller in the file fills with such a value (or, across
    /// files, that every caller in the project fills so), a field of a constructor that holds an
    /// emitter its caller handed in (`this.client = client; this.client.on(...)`: per instance,
    /// unless the class ends the emitter or follows its end as a stream's), or an
    /// `AbortSignal` handed in by the caller (a parameter, `opts.signal`, a destructuring of an
    /// options parameter, or a copy of the options kept on `this`). Optional chaining (`hub?.on(...)`)
    /// and chained registrations (`e.once('a', f).on('b', g)`) are registrations on the same
    /// receiver. A `once` in library code or behind a condition is taken to fire soon, except
    /// on an event whose name is computed on each run (`'done-' + id`), which nobody may ever
    /// emit. Start-up is guessed from a name (`start`, `init`, `run`, `configure`) only for a
    /// top-level (or factory-nested named) function without evidence that the code runs again:
    /// a method or callback nested in another function, a class's (non-static) or prototype
    /// method, a method called on several
    /// objects, called from code that repeats, or a factory whose returned object the
    /// listener keeps.
    /// It stays quiet when the same invocation removes the listener
    /// (`off`, `removeListener`, `removeEventListener`, `removeAllListeners(event)`, or
    /// `off(event)` without a handler, which socket.io-client and component-emitter read as
    /// "every handler of the event"; in the handler, a callback it defines such as
    /// `res.on('close', ...)`, a helper it calls, or for classes and component objects such as
    /// `{ mounted() {...}, beforeUnmount() {...} }` any member), when `{ signal }` is passed, when a disposer is kept, and when a guard
    /// makes the registration happen once (a guard is state that outlives the call, such as a
    /// marker on the receiver under a module-level key, `socket[hooked]`: a parameter reassigned
    /// in the call is none). Helpers that register for the caller count
    /// as registrations when what they return is dropped: `events.addAbortListener(signal, fn)`
    /// (a listener on the signal; `using d = ...` keeps it), signal-exit's `onExit`,
    /// `exit-hook`, `async-exit-hook` and `node-cleanup` (listeners on `process`), and
    /// `on-finished(stream, fn)` / `stream.finished(stream, fn)` (listeners on the stream,
    /// which matters when the stream outlives the call). A socket.io client's `socket.io.engine` is
    /// replaced on every (re)connection, so it does not outlive the connection it serves.
    ///
    /// ### Why it leaks
    ///
    /// An emitter keeps every listener until it is removed. A listener added per request keeps its
    /// closure, and everything the closure references (often `req` and `res`), alive for as long
    /// as the emitter lives: for a module-level emitter, forever. Memory grows with traffic, every
    /// `emit` gets slower, and Node prints `MaxListenersExceededWarning` after the eleventh.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const express = require('express');
    /// const { EventEmitter } = require('events');
    /// const orderEvents = new EventEmitter();
    /// const app = express();
    ///
    /// app.get('/orders/:id/wait', (req, res) => {
    ///   orderEvents.on('shipped', (order) => {
    ///     if (order.id === req.params.id) res.json(order);
    ///   });
    /// });
    /// ```
    ///
    /// ```js
    /// class Worker {
    ///   constructor() {
    ///     process.on('SIGTERM', () => this.stop());
    ///   }
    ///   stop() {}
    /// }
    /// module.exports = Worker;
    /// ```
    ///
    /// ```js
    /// export async function download(url, signal) {
    ///   signal.addEventListener('abort', () => console.log('aborted', url));
    ///   return fetch(url, { signal });
    /// }
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const express = require('express');
    /// const { EventEmitter } = require('events');
    /// const orderEvents = new EventEmitter();
    /// const app = express();
    ///
    /// app.get('/orders/:id/wait', (req, res) => {
    ///   const onShipped = (order) => {
    ///     if (order.id === req.params.id) res.json(order);
    ///   };
    ///   orderEvents.on('shipped', onShipped);
    ///   res.on('close', () => orderEvents.off('shipped', onShipped));
    /// });
    /// ```
    ///
    /// ```js
    /// const { EventEmitter } = require('events');
    /// const bus = new EventEmitter();
    /// // Start-up code runs once: one listener for the life of the process.
    /// bus.on('config', (c) => console.log('config changed', c));
    /// process.on('SIGTERM', () => process.exit(0));
    /// ```
    ///
    /// ```js
    /// const http = require('http');
    /// http.createServer((req, res) => {
    ///   // `req` and `res` live for one request: their listeners go with them.
    ///   req.on('data', (chunk) => res.write(chunk));
    ///   req.on('end', () => res.end());
    /// }).listen(8080);
    /// ```
    ///
    /// ```js
    /// export async function download(url, signal) {
    ///   const onAbort = () => console.log('aborted', url);
    ///   signal.addEventListener('abort', onAbort);
    ///   try {
    ///     return await fetch(url, { signal });
    ///   } finally {
    ///     signal.removeEventListener('abort', onAbort);
    ///   }
    /// }
    /// ```
    ///
    /// ### How to fix
    ///
    /// Remove the listener when the request, connection or call is over: keep the handler in a
    /// variable and call `off` / `removeListener` from `res.on('close', ...)`, a `finally`
    /// block, or a `dispose()` method. With `addEventListener`, pass `{ signal }` from an
    /// `AbortController` you abort at that point. Use `once` only for an event that is certain to
    /// fire soon. Or register one listener at start-up and route events to requests through a
    /// `Map` you clean up.
    pub ListenerLeak {
        id: "listener-leak",
        severity: Error,
        category: Listeners,
        // `.on(`, `.once(`, `?.on(`, `x['on'](`; `addListener(`, `addEventListener(`, ...
        // (`x.on (` with a space before the parenthesis is not seen.)
        // Helpers that register for the caller: `addAbortListener(` is covered by
        // `Listener(`; the modules that add `process` or stream listeners are named.
        triggers: [".on(", ".once(", "Listener(", "['on']", "[\"on\"]", "['once']", "[\"once\"]",
            "signal-exit", "exit-hook", "node-cleanup", "on-finished", "finished("],
    }
}

impl Rule for ListenerLeak {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        for call in model.calls_of(LISTENER_METHODS) {
            if let Some(finding) = check_registration(model, call) {
                cx.report(finding);
            }
        }
        check_helper_registrations(model, cx);
    }
}

/// Helpers that add a listener for their caller and hand back the only way to remove it.
#[derive(Clone, Copy)]
enum Helper {
    /// `events.addAbortListener(signal, fn)`: a listener on the signal; returns a disposable.
    AbortListener,
    /// signal-exit's `onExit(fn)`, `exit-hook`, `async-exit-hook`, `node-cleanup`: listeners
    /// on `process`.
    ProcessExit,
    /// `on-finished(stream, fn)` and `stream.finished(stream, fn)`: listeners on the stream.
    StreamFinished,
}

/// Which helper a call is, from what its callee is imported as.
fn helper_of(model: &Model<'_>, callee: &crate::model::AccessPath) -> Option<Helper> {
    let imported = model.imported_root(callee)?;
    let module = imported.module;
    let name = match callee.props.as_slice() {
        [] => imported.name().clone(),
        [method] if imported.export.is_none() => method.clone(),
        _ => return None,
    };
    match (module, name.as_str()) {
        ("events", "addAbortListener") => Some(Helper::AbortListener),
        ("signal-exit", "onExit") => Some(Helper::ProcessExit),
        ("signal-exit", _) if callee.props.is_empty() && imported.export.is_none() => {
            Some(Helper::ProcessExit)
        }
        ("exit-hook" | "async-exit-hook" | "node-cleanup", _)
            if imported.export.is_none() || name == "default" =>
        {
            Some(Helper::ProcessExit)
        }
        ("exit-hook", "asyncExitHook") => Some(Helper::ProcessExit),
        ("on-finished", _) if imported.export.is_none() || name == "default" => {
            Some(Helper::StreamFinished)
        }
        ("stream", "finished") => Some(Helper::StreamFinished),
        _ => None,
    }
}

/// Registrations made through helpers ([`Helper`]) whose returned disposer is dropped.
fn check_helper_registrations(model: &Model<'_>, cx: &mut RuleContext<'_>) {
    use crate::model::{AccessPath, Root};
    let plain = model.plain_calls().iter().filter(|c| !c.global).map(|c| {
        let callee = AccessPath {
            root: Root::Binding(c.callee.clone()),
            props: Vec::new(),
        };
        (callee, &c.site)
    });
    let members = model
        .member_calls()
        .iter()
        .filter(|c| matches!(c.method.as_str(), "addAbortListener" | "finished"))
        .filter_map(|c| {
            let callee = c.receiver.as_ref()?.child(c.method.clone());
            Some((callee, &c.site))
        });
    for (callee, site) in plain.chain(members) {
        let CallSite {
            span,
            callee_span,
            ref args,
            in_fn,
            conditional,
            ..
        } = *site;
        if site.result_kept {
            continue;
        }
        let Some(helper) = helper_of(model, &callee) else {
            continue;
        };
        let (receiver, handler) = match helper {
            Helper::ProcessExit => (
                AccessPath {
                    root: Root::Global("process".into()),
                    props: Vec::new(),
                },
                args.first(),
            ),
            Helper::AbortListener | Helper::StreamFinished => match args.first() {
                Some(Arg::Path(p, _)) => (p.clone(), args.get(1)),
                _ => continue,
            },
        };
        let Some(handler) =
            handler.filter(|h| matches!(h, Arg::Fn(..) | Arg::Path(..) | Arg::Bound(..)))
        else {
            continue;
        };
        let Some(f) = in_fn else { continue };
        let role = model.role(Some(f));
        if role.frequency == Frequency::StartUp {
            continue;
        }
        let Lifetime::Outlives(why) = model.lifetime(&receiver, Some(f)) else {
            continue;
        };
        // Seen as the registration it makes, so the once-guards apply as to `on(...)`.
        let as_registration = MemberCall {
            site: CallSite {
                span,
                callee_span,
                args: args.clone(),
                in_fn,
                conditional,
                guards: site.guards.clone(),
                result_kept: false,
                stored_to: None,
            },
            method: "on".into(),
            receiver_span: args.first().map_or(callee_span, |a| a.span()),
            receiver: Some(receiver.clone()),
        };
        if model.is_once_guarded(&as_registration) {
            continue;
        }
        let helper_text = model.excerpt(callee_span, 60);
        let mut finding = finding(model, &as_registration, handler, role, &why, false);
        finding.message = format!(
            "`{helper_text}(...)` adds a listener to `{}` {} and its disposer is dropped: {}; {}",
            model.path_text(&receiver),
            role.frequency.phrase(),
            why.text(),
            model.why_repeats(f)
        );
        finding.help = match helper {
            Helper::AbortListener => format!(
                "keep what `{helper_text}(...)` returns and dispose of it when the call settles \
                 (`using d = {helper_text}(...)`, or `d[Symbol.dispose]()` in a `finally` block)"
            ),
            Helper::ProcessExit => format!(
                "call `{helper_text}(...)` once at start-up, or keep the function it returns and call it to \
                 unsubscribe when this object or call is done"
            ),
            Helper::StreamFinished => format!(
                "keep the cleanup function `{helper_text}(...)` returns and call it when the call is done, or \
                 call it only on a stream this call owns"
            ),
        };
        cx.report(finding);
    }
}

fn check_registration(model: &Model<'_>, call: &MemberCall) -> Option<Draft> {
    let receiver = call.receiver.as_ref()?;
    // `x.on(event, handler)`: anything else (`router.on(fn)`, `$.on()`, a helper such as
    // `util.addListener(socket, 'error', fn)` whose second argument is the event) is another API.
    let handler = call.args.get(1)?;
    if matches!(
        call.args.first()?,
        Arg::Fn(..) | Arg::Object(..) | Arg::Bool(..)
    ) || matches!(handler, Arg::Str(..) | Arg::Num(..) | Arg::Bool(..))
    {
        return None;
    }
    // `events.once(emitter, name)` / `events.on(emitter, name)` are the module's promise and
    // iterator helpers (`untimed-promise` looks at those), not listeners on the module.
    if receiver.props.is_empty() && model.is_module_binding(receiver, &["events"]) {
        return None;
    }
    let f = call.in_fn?;
    let role = model.role(Some(f));
    if role.frequency == Frequency::StartUp {
        return None;
    }
    let Lifetime::Outlives(why) = model.lifetime(receiver, Some(f)) else {
        return None;
    };
    let is_signal = matches!(why.reason, Reason::CallerSignal { .. });
    let once = ONCE_METHODS.contains(&call.method.as_str())
        || call
            .args
            .get(2)
            .and_then(|o| o.prop("once"))
            .is_some_and(|v| matches!(v, Arg::Bool(true, _)));
    // `if (!ready) db.once('ready', go)` and library "when ready" helpers: the event is about to
    // fire and takes its `once` listeners with it. A caller's signal may never abort, though,
    // and an event whose name is computed on each run (`'done-' + id`) is one nobody may ever
    // emit: each run waits on a name of its own.
    let computed_event = matches!(call.args.first(), Some(Arg::Other(_)));
    // An emitter handed to a constructor is library code's business as a per-call one is: its
    // `once` events (`ready`, `connect`) are taken to fire soon.
    let injected = matches!(why.reason, Reason::Injected { .. });
    if once
        && !is_signal
        && !computed_event
        && (role.frequency == Frequency::PerCall || call.conditional || injected)
    {
        return None;
    }
    if model.listener_removal(call).is_some() || model.is_once_guarded(call) {
        return None;
    }
    Some(finding(model, call, handler, role, &why, once))
}

fn finding(
    model: &Model<'_>,
    call: &MemberCall,
    handler: &Arg,
    role: &Role,
    why: &Why,
    once: bool,
) -> Draft {
    let receiver = model.text(call.receiver_span);
    let receiver = if receiver.len() > 40 {
        model.path_text(call.receiver.as_ref().expect("checked"))
    } else {
        receiver.to_string()
    };
    let event = match call.args.first() {
        Some(Arg::Str(e, _)) => Some(e.to_string()),
        _ => None,
    };
    let phrase = role.frequency.phrase();
    let runs = model.why_repeats(call.in_fn.expect("checked"));
    let once_note = if once {
        " (a `once` listener stays until its event fires)"
    } else {
        ""
    };
    let message = format!(
        "listener added to `{receiver}` {phrase}{once_note}: {}; {runs}",
        why.text()
    );

    let event_text = event
        .as_ref()
        .map_or("event".to_string(), |e| format!("'{e}'"));
    let help = if matches!(why.reason, Reason::CallerSignal { .. }) {
        format!(
            "remove it when the call settles (`{receiver}.removeEventListener({event_text}, onAbort)` in a `finally` block), \
             or use `events.addAbortListener({receiver}, onAbort)` and dispose of what it returns"
        )
    } else {
        match role.frequency {
            Frequency::PerRequest => format!(
                "keep the handler in a variable and remove it when the request ends: \
                 `{}.on('close', () => {receiver}.off({event_text}, handler))`; with `addEventListener`, pass \
                 `{{ signal }}` from an `AbortController` aborted on close",
                response_stream(model, role)
            ),
            Frequency::PerInstance => format!(
                "register it once at module scope, or keep the handler in a field and remove it with \
                 `{receiver}.off({event_text}, this.handler)` in a `close()` or `dispose()` method"
            ),
            Frequency::PerConnection => format!(
                "keep the handler in a variable and remove it when the connection closes: \
                 `socket.on('close', () => {receiver}.off({event_text}, handler))`"
            ),
            Frequency::PerMessage => format!(
                "register it once, outside the message handler (per connection or at start-up), or keep the \
                 handler in a variable and remove it with `{receiver}.off({event_text}, handler)` once it has run"
            ),
            other => format!(
                "keep the handler in a variable and remove it with `{receiver}.off({event_text}, handler)` when {} \
                 is over, or register one listener at start-up",
                other.unit()
            ),
        }
    };

    let function = match handler {
        Arg::Fn(f, _) => Some(model.function(*f).span),
        Arg::Path(p, _) => match &p.root {
            crate::model::Root::Binding(id) if p.props.is_empty() => model
                .function_of_binding(id)
                .map(|f| model.function(f).span),
            _ => None,
        },
        _ => None,
    };
    let mut signature = Signature::new(SignatureKind::Listener, call.span);
    signature.receiver = call.receiver.as_ref().map(|p| model.path_text(p));
    signature.event = event;
    signature.function = function;

    // A signal the caller passes in may be fresh for every call (then nothing leaks): whether
    // it is reused is the caller's choice, so the finding is inferred.
    let confidence = if matches!(why.reason, Reason::CallerSignal { .. }) {
        Confidence::Medium
    } else {
        Confidence::of_frequency(role.frequency)
    };
    let mut finding = Draft::new(call.callee_span, message, help, signature).confidence(confidence);
    if let (Some(decl), Some(label)) = (why.decl, why.label()) {
        finding = finding.label(decl, label);
    }
    if let Some(origin) = &role.origin
        && let Some(span) = origin.span
    {
        finding = finding.label(span, format!("this makes the handler run {phrase}"));
    }
    finding
        .chain(model.chain(call.in_fn.expect("checked")))
        .chain(why.chain())
}

/// How the handler's response stream is written, for the help text: `res`, `ctx.res`,
/// `reply.raw`, `h.response`... falling back to `res`.
fn response_stream(model: &Model<'_>, role: &Role) -> &'static str {
    let Some(origin) = &role.origin else {
        return "res";
    };
    let params = &model.function(origin.function).params;
    let name = |i: usize| {
        params
            .iter()
            .find(|p| p.index == i)
            .map(|p| p.name.as_str())
    };
    match (name(0), name(1)) {
        (Some("ctx" | "context"), _) => "ctx.res",
        (_, Some("reply")) => "reply.raw",
        (_, Some("response")) => "response",
        (Some("request"), _) => "request.raw",
        _ => "res",
    }
}
