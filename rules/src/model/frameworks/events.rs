//! Event emitters: `emitter.on(event, fn)` and its aliases. How often the handler runs depends on
//! what the event means: per request on a server's `'request'`, per connection on
//! `'connection'`, not at all repeatedly for lifecycle events (`'close'`, `'error'`), per
//! message otherwise.

use super::super::Endpoint;
use super::super::emitters::ONCE_METHODS;
use super::super::roles::Frequency;
use super::{Registration, Site};

/// Events that fire once, or only on shutdown or failure: a callback for them is not repeated
/// work, it inherits the role of the code that registers it.
const LIFECYCLE_EVENTS: &[&str] = &[
    "listening",
    "ready",
    "open",
    "close",
    "closed",
    "end",
    "finish",
    "exit",
    "beforeExit",
    "error",
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGUSR2",
    "drain",
    "disconnect",
    "timeout",
    "abort",
    "online",
    "uncaughtException",
    "unhandledRejection",
    "warning",
    "pipe",
    "unpipe",
    "secureConnect",
    "lookup",
    "shutdown",
    "destroy",
    "removeListener",
    "newListener",
    "resume",
    "pause",
    "response",
    "upgrade",
    "socket",
    "continue",
    "information",
    "spawn",
    "connect",
    "reconnect",
];

/// `emitter.on(event, fn)`, `addListener`, `once`, `prependListener`, `addEventListener`.
pub(super) fn listener<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let event = site.first_str.as_ref()?;
    let handlers = site.args.iter().copied().skip(1).take(1).collect();
    let frequency = match event.as_str() {
        // Only servers emit a request per request; a client request or a stream emitting
        // 'request' does so once.
        "request" | "checkContinue" | "stream" if is_serverish(site) => Frequency::PerRequest,
        "request" | "checkContinue" | "stream" => return None,
        "connection" | "secureConnection" => Frequency::PerConnection,
        "connect" if is_serverish(site) => Frequency::PerConnection,
        e if LIFECYCLE_EVENTS.contains(&e) => return None,
        _ if ONCE_METHODS.contains(&site.method.as_str()) => return None,
        _ => Frequency::PerMessage,
    };
    Some((site.role(frequency), handlers))
}

/// Is the receiver a server (or a socket.io namespace), for the events whose meaning depends on
/// it? Evidence first: how the receiver was made ([`super::servers`]); only when that shows
/// nothing (a parameter, a field, a value from another module), the receiver's name.
fn is_serverish(site: &Site<'_, '_, '_>) -> bool {
    match super::servers::receiver_endpoint(site.receiver, site.model) {
        Some(Endpoint::Server | Endpoint::SocketIo) => true,
        Some(Endpoint::Client) => false,
        None => named_like_server(site.receiver_text),
    }
}

/// Receivers named like a server or socket.io namespace: the last resort of [`is_serverish`].
fn named_like_server(text: &str) -> bool {
    let last = text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    last == "io"
        || last.ends_with("server")
        || last == "wss"
        || last.contains("namespace")
        || last == "nsp"
        || text.contains(".of(")
}
