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

/// `'request'` (or `'checkContinue'`, `'stream'`) on a receiver that is not a server, when
/// [`listener`] gives it no role: a long-lived client of the program's own (a REST manager
/// imported from a project file, an instance made at module scope) emits one for each request
/// it makes, so the handler runs per message; a client request or stream made for one call
/// emits it once.
pub(super) fn shared_client_request<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let event = site.first_str.as_ref()?;
    if !matches!(event.as_str(), "request" | "checkContinue" | "stream")
        || ONCE_METHODS.contains(&site.method.as_str())
        || !shared_instance(site)
    {
        return None;
    }
    let handlers = site.args.iter().copied().skip(1).take(1).collect();
    Some((site.role(Frequency::PerMessage), handlers))
}

/// Is the receiver (`client.rest`, `rest`) reached from a module-level binding holding a value
/// of the program's own: imported from a project file (`require('./client')`) or made with
/// `new` at module scope? Such an object lives as long as the process and emits its events
/// again and again, unlike a client request or stream made for one call.
fn shared_instance(site: &Site<'_, '_, '_>) -> bool {
    use swc_ecma_ast::{Expr, MemberProp};
    let mut cur = site.receiver;
    while let Expr::Member(m) = cur {
        if !matches!(m.prop, MemberProp::Ident(_)) {
            return false;
        }
        cur = &*m.obj;
    }
    let Expr::Ident(root) = cur else {
        return false;
    };
    site.model.binding(&root.to_id()).is_some_and(|b| {
        b.scope.is_none()
            && match &b.init {
                super::super::Init::Require(m) | super::super::Init::Import(m) => {
                    m.starts_with('.')
                }
                super::super::Init::New(_) => true,
                _ => false,
            }
    })
}

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
        // A client that reconnects by itself emits these again on every reconnection.
        "connect" | "ready" | "open" | "reconnect"
            if !ONCE_METHODS.contains(&site.method.as_str())
                && super::servers::receiver_endpoint(site.receiver, site.model)
                    == Some(Endpoint::Reconnecting) =>
        {
            let registrar = site.role_noted(
                Frequency::PerConnection,
                "whose client emits it again on every reconnection",
            );
            return Some((registrar, handlers));
        }
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
        Some(Endpoint::Client | Endpoint::Reconnecting) => false,
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
