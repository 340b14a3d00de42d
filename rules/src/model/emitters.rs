//! The event-emitter API as one set of names, shared by the model and every rule, so that what
//! counts as adding or removing a listener cannot drift between them.

/// Methods that add a listener: Node's `EventEmitter`, the DOM's `EventTarget`, and the
/// `once` variants.
pub const LISTENER_METHODS: &[&str] = &[
    "on",
    "addListener",
    "prependListener",
    "addEventListener",
    "once",
    "prependOnceListener",
];

/// Listener methods whose listener goes away after its first event.
pub const ONCE_METHODS: &[&str] = &["once", "prependOnceListener"];

/// Methods that remove one listener (an event and a handler).
pub const REMOVER_METHODS: &[&str] = &["off", "removeListener", "removeEventListener"];

/// Methods of `EventEmitter` that return the emitter itself, so a chained call
/// (`e.once('a', f).on('b', g)`) has the same receiver as the head of the chain.
pub const CHAINABLE_METHODS: &[&str] = &[
    "on",
    "addListener",
    "prependListener",
    "once",
    "prependOnceListener",
    "off",
    "removeListener",
    "removeAllListeners",
    "setMaxListeners",
];

/// Is `method` one that adds a listener?
pub fn is_listener_method(method: &str) -> bool {
    LISTENER_METHODS.contains(&method)
}
