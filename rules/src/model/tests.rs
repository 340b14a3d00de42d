//! Unit tests of the model's answers, asserted directly rather than through a rule.

use super::*;
use crate::parse::{Flavor, parse, with_globals};

/// Builds the model for `src` and hands it to `check`.
pub(super) fn with_model(src: &str, check: impl FnOnce(&Model<'_>)) {
    let knowledge = Knowledge::default();
    with_globals(|| {
        let parsed = parse(src, Flavor::TypeScript).expect("parses");
        let model = Model::build(&parsed, src, &knowledge);
        check(&model);
    });
}

/// The function whose name is `name`.
fn named(model: &Model<'_>, name: &str) -> FnId {
    model
        .functions
        .position(|f| f.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no function named {name}"))
}

/// The function containing the first occurrence of `marker` (innermost).
pub(super) fn containing(model: &Model<'_>, marker: &str) -> FnId {
    let at = model.src.find(marker).expect("marker");
    model
        .functions
        .iter_ids()
        .filter(|(_, f)| f.span.start <= at && at < f.span.end)
        .max_by_key(|(_, f)| f.span.start)
        .map(|(i, _)| i)
        .expect("a function contains the marker")
}

fn freq(model: &Model<'_>, f: FnId) -> Frequency {
    model.role(Some(f)).frequency
}

#[test]
fn express_routes_and_middleware_are_per_request() {
    let src = "const app = express();
        app.get('/a', (req, res) => { A(); });
        app.use(function mw(req, res, next) { B(); });
        router.route('/c').post((req, res) => { C(); });
        app.get('/d', auth, asyncHandler(async (req, res) => { D(); }));";
    with_model(src, |m| {
        for marker in ["A()", "B()", "C()", "D()"] {
            assert_eq!(
                freq(m, containing(m, marker)),
                Frequency::PerRequest,
                "{marker}"
            );
        }
        let origin = m.role(Some(containing(m, "A()"))).origin.clone().unwrap();
        assert_eq!(origin.text, "`app.get('/a', ...)`");
    });
}

#[test]
fn map_get_with_a_callback_is_not_a_route() {
    with_model("cache.get(key, (err, v) => { X(); });", |m| {
        assert_eq!(freq(m, containing(m, "X()")), Frequency::StartUp);
    });
}

#[test]
fn named_handlers_resolve_through_bindings() {
    let src = "function handle(req, res) { helper(res); }
        function helper(res) { H(); }
        http.createServer(handle);";
    with_model(src, |m| {
        assert_eq!(freq(m, named(m, "handle")), Frequency::PerRequest);
        // A helper runs as often as its most frequent caller.
        assert_eq!(freq(m, named(m, "helper")), Frequency::PerRequest);
    });
}

#[test]
fn connection_message_and_tick_roles() {
    let src = "io.on('connection', (socket) => { C(); socket.on('chat', (m) => { M(); }); });
        setInterval(() => { T(); }, 1000);
        server.on('listening', () => { L(); });";
    with_model(src, |m| {
        assert_eq!(freq(m, containing(m, "C()")), Frequency::PerConnection);
        assert_eq!(freq(m, containing(m, "M()")), Frequency::PerMessage);
        assert_eq!(freq(m, containing(m, "T()")), Frequency::PerTick);
        // Lifecycle events fire once: the callback inherits start-up.
        assert_eq!(freq(m, containing(m, "L()")), Frequency::StartUp);
    });
}

#[test]
fn start_up_per_call_and_per_instance() {
    let src = "function main() { A(); } main();
        function lib() { B(); } module.exports = { lib };
        function initLogging() { I(); }
        export class Svc { constructor() { C(); } method() { D(); } }
        class Once { constructor() { O(); } } const once = new Once();";
    with_model(src, |m| {
        assert_eq!(freq(m, named(m, "main")), Frequency::StartUp);
        assert_eq!(freq(m, named(m, "lib")), Frequency::PerCall);
        assert_eq!(freq(m, named(m, "initLogging")), Frequency::StartUp);
        assert_eq!(freq(m, containing(m, "C()")), Frequency::PerInstance);
        assert_eq!(freq(m, containing(m, "D()")), Frequency::PerCall);
        assert_eq!(freq(m, containing(m, "O()")), Frequency::StartUp);
    });
}

#[test]
fn handler_parameter_shapes_are_a_fallback() {
    with_model("export const h = async (ctx, next) => { K(); };", |m| {
        let role = m.role(Some(containing(m, "K()")));
        assert_eq!(role.frequency, Frequency::PerRequest);
        assert!(role.origin.as_ref().unwrap().text.contains("(ctx, next)"));
    });
}

#[test]
fn nest_decorators_make_route_methods() {
    let src =
        "@Controller('x') class C { @Get(':id') find() { F(); } @Interval(5) poll() { P(); } }";
    with_model(src, |m| {
        assert_eq!(freq(m, containing(m, "F()")), Frequency::PerRequest);
        assert_eq!(freq(m, containing(m, "P()")), Frequency::PerTick);
    });
}

fn path_of(m: &Model<'_>, marker: &str) -> (AccessPath, Option<FnId>) {
    let at = m.src.find(marker).expect("marker");
    let call = m
        .member_calls
        .iter()
        .find(|c| c.span.start == at)
        .expect("a member call at the marker");
    (call.receiver.clone().expect("receiver path"), call.in_fn)
}

fn outlives(m: &Model<'_>, marker: &str) -> bool {
    let (p, f) = path_of(m, marker);
    matches!(m.lifetime(&p, f), Lifetime::Outlives(_))
}

#[test]
fn lifetimes_of_receivers() {
    let src = "import bus from './bus';
        const local = new EventEmitter();
        app.get('/', (req, res) => {
          const mine = new EventEmitter();
          bus.on('a', f); local.on('b', f); process.on('c', f);
          req.on('d', f); res.on('e', f); mine.on('f', f);
          req.app.on('g', f); req.socket.on('h', f);
        });";
    with_model(src, |m| {
        for long in [
            "bus.on",
            "local.on",
            "process.on",
            "req.app.on",
            "req.socket.on",
        ] {
            assert!(outlives(m, long), "{long} should outlive the request");
        }
        for short in ["req.on", "res.on", "mine.on"] {
            assert!(!outlives(m, short), "{short} is per request");
        }
    });
}

#[test]
fn closure_variables_outlive_repeating_callbacks_only() {
    let src = "function createApp() {
          const hub = new EventEmitter();
          app.get('/', (req, res) => { hub.on('x', f); });
          hub.on('y', f);
          return app;
        }";
    with_model(src, |m| {
        assert!(outlives(m, "hub.on('x'"));
        assert!(!outlives(m, "hub.on('y'"));
    });
}

#[test]
fn caller_signals_outlive_the_call_other_parameters_are_unknown() {
    let src = "export function a(url, signal) { signal.addEventListener('abort', f); }
        export function b(emitter: EventEmitter) { emitter.on('x', f); }
        export function c(s: AbortSignal) { s.addEventListener('abort', f); }";
    with_model(src, |m| {
        assert!(outlives(m, "signal.addEventListener"));
        assert!(outlives(m, "s.addEventListener"));
        let (p, f) = path_of(m, "emitter.on");
        assert_eq!(m.lifetime(&p, f), Lifetime::Unknown);
    });
}

#[test]
fn cleanup_and_guards() {
    let src = "app.get('/', (req, res) => {
          const h = () => {};
          bus.on('a', h);
          res.on('close', () => bus.off('a', h));
          bus.on('b', () => {});
          bus.on('c', () => {}, { signal: ac.signal });
        });
        let done = false;
        export function install() { if (done) return; done = true; process.on('exit', f); }";
    with_model(src, |m| {
        let call = |marker: &str| {
            let at = m.src.find(marker).unwrap();
            m.member_calls.iter().find(|c| c.span.start == at).unwrap()
        };
        assert!(matches!(
            m.listener_removal(call("bus.on('a'")),
            Some(Removal::Call(_))
        ));
        assert_eq!(m.listener_removal(call("bus.on('b'")), None);
        assert_eq!(
            m.listener_removal(call("bus.on('c'")),
            Some(Removal::Signal)
        );
        assert!(m.is_once_guarded(call("process.on('exit'")));
        assert!(!m.is_once_guarded(call("bus.on('b'")));
    });
}

#[test]
fn removal_of_a_different_known_function_does_not_balance() {
    let src = "function onA() {} function onB() {}
        app.get('/', (req, res) => { bus.on('x', onA); res.on('close', () => bus.off('x', onB)); });";
    with_model(src, |m| {
        let at = m.src.find("bus.on('x'").unwrap();
        let call = m.member_calls.iter().find(|c| c.span.start == at).unwrap();
        assert_eq!(m.listener_removal(call), None);
    });
}

#[test]
fn methods_run_as_often_as_their_callers() {
    let src = "class Registry { add(x) { A(); } helper() { this.add(1); } unused() { U(); } }
        const registry = new Registry();
        app.get('/', (req, res) => { registry.add(req.body); });";
    with_model(src, |m| {
        assert_eq!(freq(m, named(m, "add")), Frequency::PerRequest);
        assert_eq!(freq(m, named(m, "unused")), Frequency::PerCall);
    });
}

#[test]
fn field_initialisers_instantiate_per_instance() {
    let src = "class Store { constructor() { this.m = new Map(); } put(k) { this.m.set(k, 1); } }
        class Walker { store = new Store(); }
        export const w = new Walker();";
    with_model(src, |m| {
        let at = m.src.find("this.m.set").unwrap();
        let call = m.member_calls.iter().find(|c| c.span.start == at).unwrap();
        // `new Store()` runs once per Walker: not a module-level singleton.
        assert_eq!(
            m.lifetime(call.receiver.as_ref().unwrap(), call.in_fn),
            Lifetime::Unknown
        );
    });
}

#[test]
fn qualified_names_treat_the_node_scheme_as_the_bare_module() {
    let src = "import { setInterval as every } from 'node:timers';\n\
               import * as events from 'node:events';\n\
               const { once } = require('events');\n\
               const local = () => {};\n\
               every(() => {}, 1000);\n\
               local();\n";
    with_model(src, |model| {
        let every = model
            .plain_calls
            .iter()
            .find(|c| c.name == "every")
            .expect("the call of every");
        assert_eq!(
            model.imported_or_global(every, &["timers"]).as_deref(),
            Some("setInterval")
        );
        let local = model
            .plain_calls
            .iter()
            .find(|c| c.name == "local")
            .expect("the call of local");
        assert_eq!(model.imported_or_global(local, &["timers"]), None);
        let events = model
            .bindings
            .iter()
            .find(|(_, b)| b.name == "events")
            .map(|(id, _)| id.clone())
            .expect("the events binding");
        let path = AccessPath {
            root: Root::Binding(events.clone()),
            props: Vec::new(),
        };
        assert!(model.is_module_binding(&path, &["events"]));
        assert_eq!(model.module_of(&path), Some("events"));
        let once = model
            .bindings
            .iter()
            .find(|(_, b)| b.name == "once")
            .map(|(id, _)| id.clone())
            .expect("the once binding");
        let imported = model.imported(&once).expect("once is imported");
        assert_eq!(
            (imported.module, imported.name().as_str()),
            ("events", "once")
        );
        assert_eq!(
            model.binding(&events).and_then(|b| b.specifier()),
            Some("node:events")
        );
    });
}

#[test]
fn reconnect_loops_run_per_connection() {
    let src = "function connect() { LOOP(); ws.on('close', () => setTimeout(connect, 1000)); }
        connect();
        class Client { open() { METHOD_LOOP(); sock.on('error', () => { this.open(); }); } }
        new Client().open();
        function tidy() { NOT_A_LOOP(); ws.on('close', () => console.log('closed')); }
        tidy();
        function walk(node) { RECURSION(); node.children.forEach((c) => walk(c)); }
        walk(tree);";
    with_model(src, |m| {
        assert_eq!(freq(m, named(m, "connect")), Frequency::PerConnection);
        assert_eq!(freq(m, named(m, "open")), Frequency::PerConnection);
        let origin = m.role(Some(named(m, "connect"))).origin.clone().unwrap();
        assert_eq!(
            origin.text,
            "`ws.on('close', ...)`, which runs `connect` again when the connection ends"
        );
        assert_eq!(freq(m, named(m, "tidy")), Frequency::StartUp);
        // Recursion through a callback that is no end listener is not a loop over time.
        assert_eq!(freq(m, named(m, "walk")), Frequency::StartUp);
    });
}

#[test]
fn static_properties_are_collections_of_the_class() {
    let src = "class UserCache {
          static entries = {};
          static put(id, u) { UserCache.entries[id] = u; this.entries[id] = u; }
        }";
    with_model(src, |m| {
        let put = named(m, "put");
        let writes: Vec<_> = m
            .member_writes
            .iter()
            .filter(|w| w.in_fn == Some(put))
            .collect();
        assert_eq!(writes.len(), 2);
        for w in writes {
            let object = w.object.as_ref().expect("a path");
            assert_eq!(
                m.collection(object).map(|(k, _)| k),
                Some(CollectionKind::Object)
            );
            assert!(matches!(
                m.lifetime(object, Some(put)),
                Lifetime::Outlives(Why {
                    reason: Reason::ModuleScope { .. },
                    ..
                })
            ));
        }
    });
}
