//! `untimed-promise`: outbound I/O with no deadline, and promises that may never settle,
//! awaited or returned from code that runs per request or per call.

use crate::model::emitters::LISTENER_METHODS;
use crate::model::{
    AccessPath, Arg, CallSite, FnId, Frequency, MemberCall, Model, NewCall, Param, PlainCall, Root,
    module_key,
};
use crate::project::ClientMade;
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, Span, declare_rule};
use swc_atoms::Atom;

declare_rule! {
    /// An outbound request or a promise with no deadline is awaited per request or call, so a stalled peer holds it for minutes or forever.
    ///
    /// ### What it finds
    ///
    /// Awaited or returned, in code that runs per request, connection, message, tick or call (or,
    /// in code that runs per request, connection, message or tick, continued with `.then(cb)`,
    /// whose callback holds what the handler holds until the call settles):
    /// `fetch` without a `signal`; axios without `timeout` on the call, on the instance
    /// (`axios.create({ timeout })`) or in `axios.defaults.timeout`; `http(s).request` / `get`
    /// with neither a `timeout` / `signal` option nor `req.setTimeout(...)`; `got` without
    /// `timeout` or `signal` on the call or the instance (`got.extend({ timeout })`); undici `request` without `headersTimeout` / `bodyTimeout` / `signal`;
    /// `events.once(emitter, name)` without `{ signal }` (global `fetch` and undici's calls are
    /// bounded when the project gives undici's global dispatcher a deadline:
    /// `setGlobalDispatcher(new Agent({ headersTimeout, bodyTimeout }))`); `request` /
    /// `request-promise` without
    /// `timeout`; superagent without `.timeout(...)` on the chain; needle without
    /// `response_timeout` / `read_timeout`; phin without `timeout`; ky with `timeout: false`
    /// (its 10 s default otherwise holds); and `new Promise(...)` whose executor
    /// settles only from an event listener, with no timer, signal or reject path. It stays quiet
    /// for `AbortSignal.timeout()`, `AbortSignal.any([...])` and any controller's signal, calls
    /// inside `Promise.race([...])` (which a timer can end), clients created with a timeout,
    /// sleeps (`new Promise(r => setTimeout(r, ms))`), and start-up code. Options are read
    /// inline, from a local variable holding an object literal (or an `Object.assign(...)` of
    /// them), and through spreads and
    /// `Object.assign` / `__assign` / `_objectSpread`; a variable reassigned before the call is
    /// not judged. A deadline forwarded from a parameter (`signal: options.signal`) counts
    /// unless the function is called only in this file and none of those calls gives it.
    ///
    /// Awaited means `await`, `return`, the head of an awaited `.then()` chain, an element of
    /// an awaited `Promise.all` / `allSettled` / `any` list (an array literal, what a
    /// `.map(x => fetch(x))` callback returns, or a variable holding either), and a variable
    /// awaited later (`const p = fetch(u); ...; await p`). A promise that waits for an event
    /// (`new Promise((r) => e.once('x', r))`) and is continued with a callback (`.then(cb)`,
    /// `.catch(cb)`, `.finally(cb)`) waits the same way: the callback, and all it holds, stay
    /// until the event. Compiled code counts the same:
    /// `yield` in a generator handed to `__awaiter`, TypeScript's ES5 `return [4 /*yield*/,
    /// call]` inside `__generator`, and modules behind interop helpers (`__importDefault`,
    /// `_interopRequireDefault`, Rollup's `interopDefault`: `axios_1.default.get(...)`,
    /// `(0, axios_1.default)(...)`).
    ///
    /// ### Why it leaks
    ///
    /// A request with no deadline waits as long as the peer lets it: a stalled upstream, a
    /// half-open socket or an event that never fires keeps the promise pending, and with it the
    /// handler's closure, `req`, `res`, buffers and sockets. Under load these pile up by the
    /// thousand until memory or file descriptors run out. axios, got, node-fetch, request,
    /// superagent, phin and `http.request` have no deadline by default: a stalled call waits
    /// forever. Node 18+'s global `fetch` (undici) gives up after its 300 s headers and body
    /// timeouts, so each stalled call is held for up to five minutes, which is still thousands
    /// of requests' worth of memory under load.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    ///
    /// app.get('/weather', async (req, res) => {
    ///   const upstream = await fetch(`https://api.example.com/weather?city=${req.query.city}`);
    ///   res.json(await upstream.json());
    /// });
    /// ```
    ///
    /// ```js
    /// const { EventEmitter } = require('events');
    /// const jobs = new EventEmitter();
    ///
    /// export function waitForJob(id) {
    ///   return new Promise((resolve) => {
    ///     jobs.on(`done:${id}`, resolve);
    ///   });
    /// }
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const express = require('express');
    /// const app = express();
    ///
    /// app.get('/weather', async (req, res) => {
    ///   const upstream = await fetch(`https://api.example.com/weather?city=${req.query.city}`, {
    ///     signal: AbortSignal.timeout(5000),
    ///   });
    ///   res.json(await upstream.json());
    /// });
    /// ```
    ///
    /// ```js
    /// const { once } = require('events');
    ///
    /// export async function waitForJob(jobs, id) {
    ///   const [result] = await once(jobs, `done:${id}`, { signal: AbortSignal.timeout(30_000) });
    ///   return result;
    /// }
    /// ```
    ///
    /// ### How to fix
    ///
    /// Give every outbound call a deadline: `fetch(url, { signal: AbortSignal.timeout(5000) })`,
    /// `axios.create({ timeout: 5000 })`, `http.request({ ..., timeout: 5000 })` with
    /// `req.on('timeout', () => req.destroy())`, got's `timeout: { request: 5000 }`, undici's
    /// `headersTimeout` / `bodyTimeout`. For events, use `events.once(emitter, name, { signal })`
    /// or race the promise against a timer, and reject on `'error'`.
    pub UntimedPromise {
        id: "untimed-promise",
        severity: Warning,
        category: Promises,
        // The clients by the names they are imported or called with.
        triggers: ["fetch(", "axios", "'got'", "\"got\"", "undici", "http'", "http\"", "https'", "https\"", "events'", "events\"", "Promise(",
            "'request'", "\"request\"", "request-promise", "postman-request", "cypress/request", "superagent", "needle", "'ky'", "\"ky\"", "'phin'", "\"phin\""],
    }
}

/// Node's built-in modules, compared through [`crate::model::module_key`] (`node:http` too).
const HTTP_MODULES: &[&str] = &["http", "https"];
const EVENTS_MODULES: &[&str] = &["events"];
const AXIOS_VERBS: &[&str] = &[
    "get", "delete", "head", "options", "post", "put", "patch", "request",
];

impl Rule for UntimedPromise {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        // The client instances made in this file, found once: looking them up for every member
        // call was quadratic (a 5 MB file of `list.push(...)` calls took 18 s).
        let instances = family_instances(model);
        for call in model.plain_calls() {
            if let Some(f) = check_plain(model, call, &instances) {
                cx.report(f);
            }
        }
        // Only a file that imports axios can have axios instances: without this, every
        // `map.get(k)` would be checked against every call in the file.
        let uses_axios = model.bindings().any(|b| b.module() == Some("axios"));
        for call in model.member_calls() {
            if let Some(f) = check_member(model, call, uses_axios, &instances) {
                cx.report(f);
            }
        }
        for new in model.news() {
            if let Some(f) = check_executor(model, new) {
                cx.report(f);
            }
        }
    }
}

/// Where the call runs, if it matters: code that repeats (not start-up), awaited or returned
/// there (or always, for callback APIs), and not inside `Promise.race`.
fn repeats(model: &Model<'_>, span: Span, in_fn: Option<FnId>, must_await: bool) -> Option<FnId> {
    let f = in_fn?;
    let frequency = model.role(Some(f)).frequency;
    if frequency == Frequency::StartUp || model.is_raced(span.start) {
        return None;
    }
    // In a handler, `client.get(u).then((r) => res.json(r.data))` waits for the response as
    // `await` does: the callback, and the `req` and `res` it holds, stay until the call
    // settles. In library code a continuation that is not returned leaves the waiting to
    // nobody the file shows.
    let waited_by_then = frequency.is_repeating() && model.is_waited_by_then(span.start);
    if must_await && !model.is_awaited(span.start) && !waited_by_then {
        return None;
    }
    Some(f)
}

/// Does an options object carry one of these keys?
fn has_any(model: &Model<'_>, arg: Option<&Arg>, keys: &[&str]) -> bool {
    arg.is_some_and(|a| model.options_set(a, keys))
}

/// Does any argument carry a `timeout` or a `signal`?
fn any_timed(model: &Model<'_>, args: &[Arg]) -> bool {
    args.iter()
        .any(|a| model.options_set(a, &["timeout", "signal"]))
}

fn check_plain(model: &Model<'_>, call: &PlainCall, instances: &[Instance<'_>]) -> Option<Draft> {
    // A project function in another file that forwards to an HTTP client, or a client named in
    // `[knowledge] http_clients`: the deadline is the caller's to give.
    if let Some(what) = wrapper_call(model, call) {
        if call
            .args
            .iter()
            .any(|a| a.prop("timeout").is_some() || a.prop("signal").is_some())
        {
            return None;
        }
        let f = repeats(model, call.span, call.in_fn, true)?;
        let wrapper = model
            .project_http_wrapper(&call.callee)
            .map(std::slice::from_ref);
        return Some(
            finding(
                model,
                call.callee_span,
                call.span,
                f,
                &what,
                None,
                Stall::AsClientAllows,
            )
            .chain(wrapper.unwrap_or_default()),
        );
    }
    // A client instance called as a function: made in this file (`const api =
    // got.extend({ prefixUrl }); api('users')`), or in another file without a deadline
    // (`const api = require('./http'); await api('users')`).
    if !call.global {
        let callee = AccessPath {
            root: Root::Binding(call.callee.clone()),
            props: Vec::new(),
        };
        let site = Site::of(call);
        if let Some((_, family, options)) = instances
            .iter()
            .find(|(stored, ..)| model.same_object(stored, &callee))
        {
            return check_family(model, *family, "default", &site, options);
        }
        if let Some(made) = model.project_untimed_client(&callee) {
            return check_client_made(model, made, "default", &site, &callee);
        }
    }
    // The global `fetch`, or what the callee was imported as, and from where.
    let (module, export) = if call.global {
        (None, call.name.clone())
    } else {
        let imported = model.imported(&call.callee)?;
        (
            Some(imported.module),
            imported.export.cloned().unwrap_or_else(|| "default".into()),
        )
    };
    check_callable(
        model,
        module,
        &export,
        &call.name,
        call.span,
        call.callee_span,
        &call.args,
        call.in_fn,
    )
}

/// A call of a global (`module` `None`) or of a module's export (`default`: the module itself,
/// as in `axios(config)`, `got(url)` or a compiler's `(0, axios_1.default)(config)`). `local` is
/// the name it is called by.
#[allow(clippy::too_many_arguments)]
fn check_callable(
    model: &Model<'_>,
    module: Option<&str>,
    export: &str,
    local: &str,
    span: Span,
    callee_span: Span,
    args: &[Arg],
    in_fn: Option<FnId>,
) -> Option<Draft> {
    let export = match (module, export) {
        // `const fetch = require('undici').fetch` keeps the name it was read under.
        (Some(_), "default") if local == "fetch" => "fetch",
        _ => export,
    };
    if let Some(family) = module.and_then(Family::of) {
        let site = Site {
            span,
            callee_span,
            args,
            in_fn,
        };
        return check_family(model, family, "default", &site, &[]);
    }
    let stall = match module {
        None | Some("undici") => Stall::FiveMinutes,
        Some(_) => Stall::Forever,
    };
    let (what, ok) = match (module, export) {
        (None | Some("undici"), "fetch") => (
            "`fetch` is called without a `signal`",
            has_any(model, args.get(1), &["signal"])
                || builds_request(model, in_fn)
                || dispatcher_timed(model),
        ),
        (Some("node-fetch" | "cross-fetch" | "isomorphic-fetch"), "fetch" | "default") => (
            "`fetch` is called without a `signal`",
            has_any(model, args.get(1), &["signal"]) || builds_request(model, in_fn),
        ),
        (Some("undici"), "request") => (
            "undici `request` is called without `headersTimeout`, `bodyTimeout` or a `signal`",
            has_any(
                model,
                args.get(1),
                &["headersTimeout", "bodyTimeout", "signal"],
            ) || dispatcher_timed(model),
        ),
        (Some("axios"), _) if !args.is_empty() => (
            "axios is called without a `timeout`",
            any_timed(model, args) || axios_defaults_timed(model),
        ),
        (Some(m), "once") if EVENTS_MODULES.contains(&m) => (
            "`events.once` waits for an event with no `signal` to give up",
            has_any(model, args.get(2), &["signal"]),
        ),
        _ => return None,
    };
    if ok {
        return None;
    }
    let f = repeats(model, span, in_fn, true)?;
    let what = with_forwarded(model, what, args);
    Some(finding(model, callee_span, span, f, &what, None, stall))
}

/// `what`, and when the options forward a deadline from a parameter that no caller in the file
/// gives (`signal: options.signal`), why that deadline does not count.
fn with_forwarded(model: &Model<'_>, what: &str, args: &[Arg]) -> String {
    let forwarded = args.iter().find_map(|a| match a {
        Arg::Object(props, _) => props.iter().find(|(k, v)| {
            matches!(k.as_str(), "signal" | "timeout") && model.forwarded_unset(v, 0)
        }),
        _ => None,
    });
    match forwarded {
        Some((key, value)) => format!(
            "{what} (`{key}: {}` forwards a parameter that no call in this file gives)",
            model.text(value.span())
        ),
        None => what.to_string(),
    }
}

/// The module a receiver reaches and the properties read after it, without the `default` step
/// that compiled ES-module interop adds (`axios_1.default.get`, `_axios.default.request`).
fn client_of<'p>(model: &Model<'_>, receiver: &'p AccessPath) -> (Option<String>, &'p [Atom]) {
    let Some(module) = model.module_of(receiver) else {
        return (None, &receiver.props);
    };
    let rest = match receiver.props.split_first() {
        Some((first, rest)) if first == "default" => rest,
        _ => &receiver.props[..],
    };
    (Some(module.to_string()), rest)
}

fn check_member(
    model: &Model<'_>,
    call: &MemberCall,
    uses_axios: bool,
    instances: &[Instance<'_>],
) -> Option<Draft> {
    let receiver = call.receiver.as_ref()?;
    let method = call.method.as_str();
    let (module, rest) = client_of(model, receiver);
    let module = module.as_deref();
    let direct = rest.is_empty();
    // `(0, axios_1.default)(config)`: the module itself, called.
    if method == "default" && direct && module.is_some() {
        return check_callable(
            model,
            module,
            "default",
            "default",
            call.span,
            call.callee_span,
            &call.args,
            call.in_fn,
        );
    }
    let site = Site::of(call);
    if let Some(family) = module.and_then(Family::of)
        && direct
    {
        return check_family(model, family, method, &site, &[]);
    }
    // An instance: `const api = request.defaults({ timeout })`, `phin.defaults(...)`.
    if module.is_none()
        && receiver.props.is_empty()
        && let Some((_, family, options)) = instances
            .iter()
            .find(|(stored, ..)| model.same_object(stored, receiver))
    {
        return check_family(model, *family, method, &site, options);
    }
    // A client instance made in another file without a deadline.
    if let Some(made) = model.project_untimed_client(receiver) {
        return check_client_made(model, made, method, &site, receiver);
    }
    // NestJS's `HttpService` (`@nestjs/axios`), injected through the constructor: each verb
    // sends an axios request with the module's configuration, which has no timeout unless
    // `HttpModule.register({ timeout })` gives one.
    if let Some(via) = nest_http_service(model, receiver)
        && AXIOS_VERBS.contains(&method)
    {
        if any_timed(model, &call.args)
            || piped_timeout(model, call.span)
            || model.nest_http_timeout_set().is_some()
            || model.project_nest_http_timeout().is_some()
        {
            return None;
        }
        let f = repeats(model, call.span, call.in_fn, false)?;
        let what = format!(
            "NestJS's `HttpService` (`{via}`) is called without a `timeout`: none on the call, no \
             `timeout()` in its `pipe`, and no `HttpModule.register({{ timeout }})` in the project"
        );
        let mut draft = finding(
            model,
            call.callee_span,
            call.span,
            f,
            &with_forwarded(model, &what, &call.args),
            None,
            Stall::Forever,
        );
        draft.help = "give the module's HTTP client a deadline once, `HttpModule.register({ timeout: 5000 })`, or \
                      this call one: `this.http.get(url, { timeout: 5000 })` or `.pipe(timeout(5000))` with \
                      `timeout` from `rxjs`"
            .to_string();
        return Some(draft);
    }
    let stall = if module == Some("undici") {
        Stall::FiveMinutes
    } else {
        Stall::Forever
    };
    let (what, ok, must_await) = match (module, method) {
        (Some(m), "request" | "get") if HTTP_MODULES.contains(&m) && direct => {
            let timed_options = any_timed(model, &call.args);
            let timed_later = call.stored_to.as_ref().is_some_and(|req| {
                model.member_calls().iter().any(|c| {
                    c.receiver.as_ref().is_some_and(|r| model.same_object(r, req))
                        && (c.method == "setTimeout"
                            || (LISTENER_METHODS.contains(&c.method.as_str())
                                && matches!(c.args.first(), Some(Arg::Str(e, _)) if e == "timeout")))
                })
            });
            // Handed to the caller (returned, passed on): the caller can set the timeout.
            let handed_on = call
                .stored_to
                .as_ref()
                .is_some_and(|req| model.path_escapes(req, &[]))
                || (call.result_kept && call.stored_to.is_none());
            (
                "`http.request` has neither a `timeout` (with `req.destroy()` on `'timeout'`) nor a `signal`",
                timed_options || timed_later || handed_on,
                false,
            )
        }
        (Some("axios"), verb) if AXIOS_VERBS.contains(&verb) && direct => (
            "axios is called without a `timeout` on the call, the instance or `axios.defaults`",
            any_timed(model, &call.args) || axios_defaults_timed(model),
            true,
        ),
        (Some(m), verb)
            if AXIOS_VERBS.contains(&verb)
                && direct
                && model.knowledge().http_clients.iter().any(|c| c == m) =>
        {
            (
                "an HTTP client named in `[knowledge] http_clients` is called without a `timeout` or `signal`",
                call.args
                    .iter()
                    .any(|a| a.prop("timeout").is_some() || a.prop("signal").is_some()),
                true,
            )
        }
        (Some("undici"), "request" | "fetch") if direct => (
            "undici is called without `headersTimeout`, `bodyTimeout` or a `signal`",
            has_any(
                model,
                call.args.get(1),
                &["headersTimeout", "bodyTimeout", "signal"],
            ) || dispatcher_timed(model),
            true,
        ),
        (Some(m), "once") if EVENTS_MODULES.contains(&m) && direct => (
            "`events.once` waits for an event with no `signal` to give up",
            has_any(model, call.args.get(2), &["signal"]),
            true,
        ),
        // An instance made by `axios.create(config)`: timed when the config has a timeout.
        (None, verb) if uses_axios && AXIOS_VERBS.contains(&verb) && receiver.props.is_empty() => {
            let created = axios_instance_config(model, receiver)?;
            (
                "this axios instance is created without a `timeout`, and the call sets none",
                created.is_some_and(|c| model.options_set(c, &["timeout"]))
                    || any_timed(model, &call.args)
                    || model.instance_defaults_set(receiver, &["timeout"]),
                true,
            )
        }
        _ => return None,
    };
    if ok {
        return None;
    }
    let f = repeats(model, call.span, call.in_fn, must_await)?;
    let what = with_forwarded(model, what, &call.args);
    Some(finding(
        model,
        call.callee_span,
        call.span,
        f,
        &what,
        None,
        stall,
    ))
}

/// A call on an HTTP client instance made in another file without a deadline (`made`):
/// `method` is what is called on it (`default` for the instance itself, `api(config)`).
fn check_client_made(
    model: &Model<'_>,
    made: &ClientMade,
    method: &str,
    site: &Site<'_>,
    instance: &AccessPath,
) -> Option<Draft> {
    let sends = match made.library.as_str() {
        "axios" => method == "default" || AXIOS_VERBS.contains(&method),
        "got" => Family::Got.sends(method),
        // `request.defaults(...)`, `phin.defaults(...)`: the family's own deadline options and
        // callback rules decide, as for an instance made in this file.
        library => {
            let family = Family::of(library)?;
            return check_family(model, family, method, site, &[])
                .map(|d| d.chain(std::slice::from_ref(&made.created)));
        }
    };
    if !sends || any_timed(model, site.args) || model.instance_defaults_set(instance, &["timeout"])
    {
        return None;
    }
    let f = repeats(model, site.span, site.in_fn, true)?;
    let what = format!(
        "this {} instance is created in {} without a `timeout`, and the call sets none",
        made.library,
        made.created.at()
    );
    let what = with_forwarded(model, &what, site.args);
    Some(
        finding(
            model,
            site.callee_span,
            site.span,
            f,
            &what,
            None,
            Stall::Forever,
        )
        .chain(std::slice::from_ref(&made.created)),
    )
}

/// A call, whichever way it is written.
struct Site<'a> {
    span: Span,
    callee_span: Span,
    args: &'a [Arg],
    in_fn: Option<FnId>,
}

impl<'a> Site<'a> {
    fn of(call: &'a CallSite) -> Site<'a> {
        Site {
            span: call.span,
            callee_span: call.callee_span,
            args: &call.args,
            in_fn: call.in_fn,
        }
    }
}

/// HTTP client libraries besides fetch, axios, got, undici and `http`, each with its own
/// deadline option (from each library's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// `request` and its forks: callback API, `timeout` option, no default.
    Request,
    /// `request-promise(-native)`: the same options, a promise.
    RequestPromise,
    /// `superagent`: `.timeout(ms)` (or `{ response, deadline }`) on the request chain; no
    /// default.
    Superagent,
    /// `needle`: `open_timeout` (default 10 s) only bounds connecting; `response_timeout` and
    /// `read_timeout` default to none.
    Needle,
    /// `ky`: 10 s by default; only `timeout: false` turns that off.
    Ky,
    /// `phin`: `timeout` option, no default.
    Phin,
    /// `got`: `timeout` (`{ request: ms }`, or a number before got 10) or a `signal` (got
    /// 12+); no default. Instances come from `got.extend(options)`.
    Got,
}

impl Family {
    fn of(module: &str) -> Option<Family> {
        Some(match module {
            "request" | "postman-request" | "@cypress/request" => Family::Request,
            "request-promise" | "request-promise-native" => Family::RequestPromise,
            "superagent" => Family::Superagent,
            "needle" => Family::Needle,
            "ky" => Family::Ky,
            "phin" => Family::Phin,
            "got" => Family::Got,
            _ => return None,
        })
    }

    /// Methods that send a request (`default`: the module called as a function).
    fn sends(self, method: &str) -> bool {
        let verb = matches!(
            method,
            "default" | "get" | "post" | "put" | "patch" | "delete" | "del" | "head" | "options"
        );
        match self {
            Family::Request | Family::RequestPromise | Family::Needle => {
                verb || method == "request"
            }
            Family::Phin => matches!(method, "default" | "unpromisified"),
            Family::Superagent | Family::Ky => verb,
            // got has no `del` or `options` shorthand, and `got.stream(url)` is not a promise
            // to await: its stall is the stream's.
            Family::Got => verb && !matches!(method, "del" | "options"),
        }
    }

    /// The option keys that give a stalled request an end.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Family::Needle => &["response_timeout", "read_timeout"],
            Family::Got => &["timeout", "signal"],
            _ => &["timeout"],
        }
    }

    fn what(self) -> &'static str {
        match self {
            Family::Request => "`request` is called without a `timeout`",
            Family::RequestPromise => "`request-promise` is called without a `timeout`",
            Family::Superagent => "this superagent request has no `.timeout(...)`",
            Family::Needle => {
                "needle is called without `response_timeout` or `read_timeout` (its default \
                 `open_timeout` only bounds connecting)"
            }
            Family::Ky => "ky is called with `timeout: false`, which turns off its 10 s default",
            Family::Phin => "phin is called without a `timeout`",
            Family::Got => "got is called without a `timeout`",
        }
    }
}

/// A client instance: where it is stored, its family and the options it was created with
/// (for an instance of an instance, `api.extend({ ... })`, its parent's options too).
type Instance<'m> = (&'m AccessPath, Family, Vec<&'m Arg>);

/// `const api = request.defaults({ timeout })` (also `phin.defaults`, `needle.defaults`,
/// `ky.create` / `ky.extend`, `superagent.agent()`, `got.extend`), and instances made from
/// those (`const v2 = api.extend({ prefixUrl })`): every instance made in the file, with its
/// family and options, in source order.
fn family_instances<'m>(model: &'m Model<'_>) -> Vec<Instance<'m>> {
    let mut instances: Vec<Instance<'m>> = Vec::new();
    for c in model.member_calls().iter().filter(|c| {
        matches!(
            c.method.as_str(),
            "defaults" | "create" | "extend" | "agent"
        )
    }) {
        let (Some(stored), Some(receiver)) = (c.stored_to.as_ref(), c.receiver.as_ref()) else {
            continue;
        };
        let made = match model.module_of(receiver).and_then(Family::of) {
            Some(family) => Some((family, Vec::new())),
            None if receiver.props.is_empty() => instances
                .iter()
                .find(|(parent, ..)| model.same_object(parent, receiver))
                .map(|(_, family, options)| (*family, options.clone())),
            None => None,
        };
        if let Some((family, mut options)) = made {
            options.extend(c.args.first());
            instances.push((stored, family, options));
        }
    }
    instances
}

/// A request of one of the [`Family`] libraries: `method` is what is called on the module or
/// instance (`default` for the module itself), `instance` the options it was created with.
fn check_family(
    model: &Model<'_>,
    family: Family,
    method: &str,
    site: &Site<'_>,
    instance: &[&Arg],
) -> Option<Draft> {
    if !family.sends(method) {
        return None;
    }
    let keys = family.keys();
    let callback = site.args.iter().any(|a| matches!(a, Arg::Fn(..)));
    let timed = match family {
        // Only an explicit `timeout: false` removes ky's default.
        Family::Ky => !site
            .args
            .iter()
            .chain(instance.iter().copied())
            .any(|a| matches!(a.prop("timeout"), Some(Arg::Bool(false, _)))),
        // `.timeout(...)` further along the chain this call starts.
        Family::Superagent => chained(model, site.span, &["timeout"]),
        _ => {
            site.args
                .iter()
                .chain(instance.iter().copied())
                .any(|a| model.options_set(a, keys))
                || (family == Family::Needle && needle_defaults_timed(model))
        }
    };
    if timed {
        return None;
    }
    // Callback APIs hold the callback until the response ends, awaited or not; superagent
    // sends only when awaited, `.then()`-ed or `.end()`-ed.
    let must_await = match family {
        Family::Request | Family::Needle | Family::Phin => !callback,
        Family::Superagent => !chained(model, site.span, &["end", "then"]),
        Family::RequestPromise | Family::Ky | Family::Got => true,
    };
    let f = repeats(model, site.span, site.in_fn, must_await)?;
    let stall = if family == Family::Ky {
        Stall::FiveMinutes
    } else {
        Stall::Forever
    };
    let what = with_forwarded(model, family.what(), site.args);
    Some(finding(
        model,
        site.callee_span,
        site.span,
        f,
        &what,
        None,
        stall,
    ))
}

/// Is one of `methods` called further along the chain that starts with the call at `span`
/// (`superagent.get(url).set(h).timeout(5000)`)? A chained call starts where the first one does
/// and ends after it.
fn chained(model: &Model<'_>, span: Span, methods: &[&str]) -> bool {
    model.member_calls().iter().any(|c| {
        c.span.start == span.start && c.span.end > span.end && methods.contains(&c.method.as_str())
    })
}

/// `this.http` (or `this.http.axiosRef`) where `http` is a constructor parameter property typed
/// `HttpService` from `@nestjs/axios`: how the receiver is written, for messages.
fn nest_http_service(model: &Model<'_>, receiver: &AccessPath) -> Option<String> {
    let Root::This(Some(f)) = &receiver.root else {
        return None;
    };
    let (field, rest) = receiver.props.split_first()?;
    if !(rest.is_empty() || rest == ["axiosRef"]) {
        return None;
    }
    let owner = model.function(*f).this_fn?;
    let class = model.function(owner).class?;
    (model.injected_type(class, field) == Some(("@nestjs/axios", "HttpService")))
        .then(|| model.path_text(receiver))
}

/// Is the Observable of the call at `span` piped through rxjs's `timeout` (or `timeoutWith`)
/// operator: `this.http.get(url).pipe(timeout(5000))`?
fn piped_timeout(model: &Model<'_>, span: Span) -> bool {
    model
        .member_calls()
        .iter()
        .filter(|c| c.method == "pipe" && c.span.start == span.start && c.span.end > span.end)
        .any(|pipe| {
            model.plain_calls().iter().any(|c| {
                pipe.span.start <= c.span.start
                    && c.span.end <= pipe.span.end
                    && model.binding(&c.callee).is_some_and(|b| {
                        matches!(b.module(), Some("rxjs" | "rxjs/operators"))
                            && matches!(
                                b.imported.as_deref().unwrap_or(b.name.as_str()),
                                "timeout" | "timeoutWith"
                            )
                    })
            })
        })
}

/// `needle.defaults({ response_timeout: ... })` somewhere in the file.
fn needle_defaults_timed(model: &Model<'_>) -> bool {
    model.member_calls().iter().any(|c| {
        c.method == "defaults"
            && c.receiver.as_ref().and_then(|r| model.module_of(r)) == Some("needle")
            && c.args
                .first()
                .is_some_and(|a| model.options_set(a, Family::Needle.keys()))
    })
}

/// "`request` (http.js:9) forwards to `nodeFetch` and is called without a `timeout` or
/// `signal`", for a call of a project HTTP wrapper or a configured HTTP client.
fn wrapper_call(model: &Model<'_>, call: &PlainCall) -> Option<String> {
    if let Some(wrapper) = model.project_http_wrapper(&call.callee) {
        return Some(format!(
            "`{}` ({}) forwards to `{}` and is called without a `timeout` or `signal`",
            call.name,
            wrapper.at(),
            wrapper.code
        ));
    }
    let clients = &model.knowledge().http_clients;
    if clients.is_empty() {
        return None;
    }
    let configured = if call.global {
        clients.iter().any(|c| *c == call.name.as_str())
    } else {
        let module = model.imported(&call.callee)?.module;
        clients.iter().any(|c| module_key(c) == module)
    };
    configured.then(|| {
        format!(
            "`{}` (an HTTP client in `[knowledge] http_clients`) is called without a `timeout` or `signal`",
            call.name
        )
    })
}

/// Does this function build a `new Request(...)`? `fetch(request)` then carries whatever signal
/// the Request was given.
fn builds_request(model: &Model<'_>, in_fn: Option<FnId>) -> bool {
    model
        .news()
        .iter()
        .any(|n| n.in_fn == in_fn && n.callee.as_str() == "Request")
}

/// `axios.defaults.timeout = ...` somewhere in the file, or elsewhere in the project.
/// undici's global dispatcher, which Node's `fetch` uses too, has a deadline: set in this file
/// or in another file of the project (`setGlobalDispatcher(new Agent({ headersTimeout }))`).
fn dispatcher_timed(model: &Model<'_>) -> bool {
    model.dispatcher_deadline_set().is_some() || model.project_dispatcher_deadline().is_some()
}

fn axios_defaults_timed(model: &Model<'_>) -> bool {
    model.project_axios_timeout().is_some()
        || model.module_defaults_write("axios", "timeout").is_some()
}

/// For `const api = axios.create(config)`: `Some(config)` (or `Some(None)` without one); `None`
/// when the binding is not an axios instance.
fn axios_instance_config<'m>(
    model: &'m Model<'_>,
    instance: &AccessPath,
) -> Option<Option<&'m Arg>> {
    let create = model.member_calls().iter().find(|c| {
        c.method == "create"
            && c.stored_to
                .as_ref()
                .is_some_and(|s| model.same_object(s, instance))
            && c.receiver
                .as_ref()
                .is_some_and(|r| model.module_of(r) == Some("axios"))
    })?;
    Some(create.args.first())
}

/// `new Promise((resolve, reject) => { emitter.once('x', resolve) })`: settles only when an event
/// fires, with no timer, signal or reject path.
fn check_executor(model: &Model<'_>, new: &NewCall) -> Option<Draft> {
    if new.callee.as_str() != "Promise" {
        return None;
    }
    let Some(Arg::Fn(executor, _)) = new.args.first() else {
        return None;
    };
    let exec = &model.function(*executor);
    let resolve = exec.params.iter().find(|p| p.index == 0)?;
    // A reject path, a timer or a signal gives the promise a way to end.
    if let Some(reject) = exec.params.iter().find(|p| p.index == 1)
        && param_used_within(model, reject, exec.span)
    {
        return None;
    }
    let inside = |s: Span| exec.span.contains(s);
    if has_timer_or_signal(model, exec.span) {
        return None;
    }
    let is_resolve = |a: &Arg| matches!(a, Arg::Path(p, _) if p.props.is_empty() && matches!(&p.root, Root::Binding(id) if *id == resolve.id));
    let calls_resolve_within = |span: Span| {
        model
            .plain_calls()
            .iter()
            .any(|c| span.contains(c.span) && c.callee == resolve.id)
    };
    // Settled directly, or from a callback that is not an event listener: not our shape.
    let settles_directly = model
        .plain_calls()
        .iter()
        .any(|c| c.callee == resolve.id && inside(c.span) && c.in_fn == Some(*executor));
    if settles_directly {
        return None;
    }
    let listener = model.member_calls().iter().find(|c| {
        inside(c.span)
            && LISTENER_METHODS.contains(&c.method.as_str())
            && c.args.get(1).is_some_and(|h| {
                is_resolve(h)
                    || matches!(h, Arg::Fn(f, _) if calls_resolve_within(model.function(*f).span))
            })
    })?;
    // Resolve must not be reachable any other way (passed to a callback API, called elsewhere).
    let other_calls = model
        .plain_calls()
        .iter()
        .filter(|c| c.callee == resolve.id && inside(c.span))
        .count();
    let via_listener = model
        .plain_calls()
        .iter()
        .filter(|c| c.callee == resolve.id && listener.span.contains(c.span))
        .count();
    if other_calls > via_listener {
        return None;
    }
    // Continued with `.then(cb)` waits as an `await` does: `cb` holds what it uses until the
    // event. (A call continued only to swallow errors, `fetch(u).catch(() => {})`, is fire and
    // forget; only this shape, whose listener holds the promise, is judged so.)
    let continued = model.is_continued(new.span.start);
    let f = repeats(model, new.span, new.in_fn, !continued)?;
    let event = match listener.args.first() {
        Some(Arg::Str(e, _)) => format!("'{e}'"),
        _ => "its event".to_string(),
    };
    let what = format!(
        "this promise settles only when `{}` emits {event}, with no timer, signal or reject path",
        model.text(listener.receiver_span)
    );
    Some(finding(
        model,
        new_promise_head(model, new.span),
        new.span,
        f,
        &what,
        Some(exec.span),
        Stall::Forever,
    ))
}

/// Does code in `span` give a promise another way to end: a timer (`setTimeout`,
/// `setImmediate`, `x.setTimeout(...)`), a `signal` option passed to a call, a listener on an
/// abort signal, or a read of something's `signal`? Facts from the model, not the source text:
/// a variable named `signalsSeen` is none of these.
fn has_timer_or_signal(model: &Model<'_>, span: Span) -> bool {
    let signal_path = |p: &AccessPath| {
        p.props.last().is_some_and(|l| l == "signal")
            || matches!(&p.root, Root::Binding(id) if p.props.is_empty() && id.0.as_str() == "signal")
            || p.is_global("AbortSignal")
    };
    let signal_arg =
        |a: &Arg| a.prop("signal").is_some() || matches!(a, Arg::Path(p, _) if signal_path(p));
    model.plain_calls().iter().any(|c| {
        span.contains(c.span)
            && (matches!(c.name.as_str(), "setTimeout" | "setImmediate")
                || c.args.iter().any(signal_arg))
    }) || model.member_calls().iter().any(|c| {
        span.contains(c.span)
            && (matches!(c.method.as_str(), "setTimeout" | "setImmediate")
                || c.receiver.as_ref().is_some_and(signal_path)
                || c.args.iter().any(signal_arg)
                || (c.method == "addEventListener"
                    && matches!(c.args.first(), Some(Arg::Str(e, _)) if e == "abort")))
    })
}

/// `new Promise`, however it is spaced or commented: from `new` to the end of `Promise`.
fn new_promise_head(model: &Model<'_>, span: Span) -> Span {
    let text = model.text(span);
    let end = text
        .find("Promise")
        .map_or(span.end, |i| span.start + i + "Promise".len());
    Span::new(span.start, end)
}

/// Is the parameter called, passed to a call (also inside an options object or bound), or
/// stored into a property by code in `span`? From the model's calls and writes, not the source
/// text: the word `reject` in a string or a comment is no reject path.
fn param_used_within(model: &Model<'_>, param: &Param, span: Span) -> bool {
    let id = &param.id;
    fn mentions(a: &Arg, param: &Param) -> bool {
        let id = &param.id;
        match a {
            Arg::Path(p, _) | Arg::Bound(p, _) => matches!(&p.root, Root::Binding(b) if b == id),
            Arg::Object(props, _) => props.iter().any(|(_, v)| mentions(v, param)),
            _ => false,
        }
    }
    model
        .plain_calls()
        .iter()
        .filter(|c| span.contains(c.span))
        .any(|c| &c.callee == id || c.args.iter().any(|a| mentions(a, param)))
        || model
            .member_calls()
            .iter()
            .filter(|c| span.contains(c.span))
            .any(|c| c.args.iter().any(|a| mentions(a, param)))
        || model
            .news()
            .iter()
            .filter(|n| span.contains(n.span))
            .any(|n| n.args.iter().any(|a| mentions(a, param)))
        || model
            .member_writes()
            .iter()
            .filter(|w| span.contains(w.span))
            .any(|w| mentions(&w.value, param))
}

/// How long a stalled peer holds the call, by the client's own defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stall {
    /// No default deadline: node-fetch, axios, got, `http.request`, request, superagent,
    /// needle (after connecting), phin, `events.once`, a promise waiting for an event.
    Forever,
    /// undici, behind Node 18+'s global `fetch` (and ky, which calls it): its default
    /// `headersTimeout` and `bodyTimeout` are 300 s each.
    FiveMinutes,
    /// A project wrapper: as long as the client it forwards to allows.
    AsClientAllows,
}

impl Stall {
    fn clause(self) -> &'static str {
        match self {
            Stall::Forever => {
                "if the other side stalls, this waits forever and keeps everything it holds alive"
            }
            Stall::FiveMinutes => {
                "if the other side stalls, this waits up to five minutes (undici's default 300 s \
                 headers and body timeouts) and keeps everything it holds alive until then"
            }
            Stall::AsClientAllows => {
                "if the other side stalls, this waits as long as the client allows (forever for \
                 axios, got, node-fetch and `http.request`; five minutes for Node's `fetch`) and \
                 keeps everything it holds alive"
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    model: &Model<'_>,
    primary: Span,
    call: Span,
    f: FnId,
    what: &str,
    function: Option<Span>,
    stall: Stall,
) -> Draft {
    let role = model.role(Some(f));
    let phrase = role.frequency.phrase();
    let runs = model.why_repeats(f);
    let stalls = stall.clause();
    // Callback APIs (`http.request(o, cb)`) are waited on by their callback and are said to be
    // awaited as before; only a promise continued with `.then(cb)` and never awaited is named so.
    let waited = if model.is_continued(call.start) && !model.is_awaited(call.start) {
        "waited on by a `.then()` callback"
    } else {
        "awaited"
    };
    let message = format!("{what}: {stalls}; it is {waited} {phrase}; {runs}");
    let help = "give it a deadline: `fetch(url, { signal: AbortSignal.timeout(5000) })`, `axios.create({ timeout: 5000 })`, \
                `http.request({ ..., timeout: 5000 })` with `req.on('timeout', () => req.destroy())`, or \
                `events.once(emitter, name, { signal: AbortSignal.timeout(5000) })`"
        .to_string();
    let mut signature = Signature::new(SignatureKind::Promise, call);
    signature.function = function;
    let mut finding = Draft::new(primary, message, help, signature)
        .confidence(Confidence::of_frequency(role.frequency));
    if let Some((span, label)) = model.registration_label(f) {
        finding = finding.label(span, label);
    }
    finding.chain(model.chain(f))
}
