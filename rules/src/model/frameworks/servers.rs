//! Servers and clients: which values are network servers (whose `'request'`, `'connect'` and
//! `'stream'` events fire once per request or connection) and which are client endpoints (where
//! the same events fire once, unless the client reconnects by itself). Decided from how the value
//! is made, so that the receiver's name is only the last resort.
//!
//! Sources of the facts: Node's `http`, `https`, `http2`, `net` and `tls` documentation
//! (`createServer`, `Server`, `request`, `get`, `connect`, `createConnection`, `Socket`;
//! `server.listen()` returns the server, and Express's and Koa's `app.listen()` return the
//! `http.Server` they start), `ws` (`WebSocketServer` / `WebSocket.Server`, and `WebSocket`,
//! the client), socket.io (`require('socket.io')(srv)`, `new Server(srv)`, `io.of(nsp)`, a
//! namespace) and socket.io-client (`io(url)`, whose `'connect'` fires on every reconnection);
//! ioredis and node-redis (`'connect'` / `'ready'` on every reconnect), mqtt (`'connect'` on
//! every reconnect) and reconnecting-websocket (`'open'` on every reconnect).

use swc_atoms::Atom;
use swc_ecma_ast::*;

use super::super::path::{static_prop, strip};
use super::super::{Endpoint, Model};

/// Core modules that make servers and client connections.
const NET_MODULES: &[&str] = &["http", "https", "http2", "net", "tls"];

/// What `expr` makes, when how it is made shows it: a server (`http.createServer(...)`,
/// `new WebSocketServer(...)`, `require('socket.io')(srv)`, `app.listen(port)`, a socket.io
/// namespace `io.of('/chat')`) or a client endpoint (`http.request(...)`, `net.connect(...)`,
/// `new WebSocket(url)`, socket.io-client's `io(url)`). `None` when it shows neither.
pub(in super::super) fn endpoint_of(expr: &Expr, model: &Model<'_>) -> Option<Endpoint> {
    let (callee, is_new) = match strip(expr) {
        Expr::Call(c) => match &c.callee {
            Callee::Expr(e) => (&**e, false),
            _ => return None,
        },
        Expr::New(n) => (&*n.callee, true),
        _ => return None,
    };
    if let Expr::Member(m) = strip(callee)
        && !is_new
    {
        match static_prop(&m.prop).as_deref() {
            // `server.listen(port)` returns the server; `app.listen(port)` (Express, Koa) the
            // `http.Server` it starts. An awaited `listen` (Fastify's promise) is not this call.
            Some("listen") => return Some(Endpoint::Server),
            // A socket.io namespace emits 'connect' per connection, like its server.
            Some("of") if receiver_endpoint(&m.obj, model) == Some(Endpoint::SocketIo) => {
                return Some(Endpoint::SocketIo);
            }
            _ => {}
        }
    }
    let (module, name) = imported_name(callee, model)?;
    let module = module.strip_prefix("node:").unwrap_or(&module);
    let core = NET_MODULES.contains(&module);
    let endpoint = match (module, name.as_str(), is_new) {
        (_, "createServer" | "createSecureServer", false) if core => Endpoint::Server,
        (_, "Server", true) if core => Endpoint::Server,
        ("ws", "Server" | "WebSocketServer", true) => Endpoint::Server,
        ("socket.io", "default" | "Server", _) => Endpoint::SocketIo,
        ("http" | "https", "request" | "get", false) => Endpoint::Client,
        ("net" | "tls" | "http2", "connect" | "createConnection", false) => Endpoint::Client,
        ("net", "Socket", true) | ("tls", "TLSSocket", true) => Endpoint::Client,
        ("ws", "default" | "WebSocket", true) => Endpoint::Client,
        // Clients that reconnect by themselves: socket.io-client's `io(url)` (its documentation
        // warns against registering handlers in 'connect', which fires on every reconnection),
        // ioredis (`new Redis()`, `new Redis.Cluster()`: 'connect' and 'ready' on each
        // reconnect), node-redis (`createClient()`), mqtt (`connect(url)`) and
        // reconnecting-websocket.
        ("socket.io-client", "default" | "io" | "connect", false) => Endpoint::Reconnecting,
        ("ioredis", "default" | "Redis" | "Cluster", true) => Endpoint::Reconnecting,
        ("redis" | "@redis/client", "createClient" | "createCluster", false) => {
            Endpoint::Reconnecting
        }
        ("mqtt", "connect" | "connectAsync", false) => Endpoint::Reconnecting,
        ("reconnecting-websocket", "default", true) => Endpoint::Reconnecting,
        _ => return None,
    };
    Some(endpoint)
}

/// What the receiver of an event registration is: a variable's [`Endpoint`] recorded where it
/// was assigned, or what the expression itself makes (`http.createServer(h).on(...)`).
pub(in super::super) fn receiver_endpoint(expr: &Expr, model: &Model<'_>) -> Option<Endpoint> {
    match strip(expr) {
        Expr::Ident(i) => model.binding(&i.to_id())?.endpoint,
        e => endpoint_of(e, model),
    }
}

/// The module and exported name a callee comes from: `http.createServer` with `http` required
/// from 'http' gives `("http", "createServer")`; `createServer` imported from it the same;
/// a module's default export (`socketio(srv)` after `require('socket.io')`, or
/// `require('socket.io')(srv)` itself) gives `"default"`.
fn imported_name(callee: &Expr, model: &Model<'_>) -> Option<(Atom, Atom)> {
    match strip(callee) {
        Expr::Ident(i) => {
            let b = model.binding(&i.to_id())?;
            let module = Atom::from(b.module()?);
            Some((
                module,
                b.imported.clone().unwrap_or_else(|| "default".into()),
            ))
        }
        Expr::Member(m) => {
            let prop = static_prop(&m.prop)?;
            let module = match strip(&m.obj) {
                Expr::Ident(i) => {
                    let b = model.binding(&i.to_id())?;
                    if b.imported.is_some() {
                        return None;
                    }
                    Atom::from(b.module()?)
                }
                Expr::Call(c) => super::super::syntax::require_source(c)?,
                _ => return None,
            };
            Some((module, prop))
        }
        Expr::Call(c) => Some((super::super::syntax::require_source(c)?, "default".into())),
        _ => None,
    }
}
