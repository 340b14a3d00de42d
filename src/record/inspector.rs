//! One Chrome DevTools Protocol session with the app's V8 inspector, over a WebSocket
//! (tungstenite). Node numbers heap objects per heap-profiler session, so all three snapshots
//! of a recording are taken through this one session.
//!
//! Protocol facts used (CDP `HeapProfiler` domain, the same in Node 18–26): a command is
//! `{"id": N, "method": M, "params": {…}}` and its answer `{"id": N, "result": {…}}` or
//! `{"id": N, "error": {"message": …}}`; `takeHeapSnapshot` sends the snapshot as
//! `HeapProfiler.addHeapSnapshotChunk` events (`params.chunk`, pieces of the JSON text) before
//! its answer.

use std::io::{ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde::Deserialize;
use tungstenite::{Message, WebSocket};

/// How often a blocked read wakes up to let the caller check for an interrupt or a dead app.
const POLL: Duration = Duration::from_millis(200);

pub struct Session {
    ws: WebSocket<TcpStream>,
    next_id: u64,
}

/// A message from the inspector: an answer (`id`) or an event (`method`).
#[derive(Deserialize)]
struct Incoming<'a> {
    id: Option<u64>,
    #[serde(borrow)]
    method: Option<&'a str>,
    params: Option<serde_json::Value>,
    error: Option<ProtocolError>,
}

#[derive(Deserialize)]
struct ProtocolError {
    message: String,
}

impl Session {
    /// Connects to `url` (`ws://127.0.0.1:PORT/UUID`, as Node prints it).
    pub fn connect(url: &str) -> Result<Session, String> {
        let hostport = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| format!("not an inspector URL: {url}"))?;
        let addr = hostport
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| format!("cannot resolve {hostport}"))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let (ws, _) = tungstenite::client(url, stream)
            .map_err(|e| format!("WebSocket handshake with {url} failed: {e}"))?;
        ws.get_ref()
            .set_read_timeout(Some(POLL))
            .map_err(|e| e.to_string())?;
        Ok(Session { ws, next_id: 1 })
    }

    /// Sends `method` and waits for its answer, calling `keep_going` whenever the inspector is
    /// quiet for a moment (an error from it ends the wait).
    pub fn call(
        &mut self,
        method: &str,
        params: serde_json::Value,
        keep_going: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<(), String> {
        self.call_with_events(method, params, &mut |_, _| Ok(()), keep_going)
    }

    /// `HeapProfiler.takeHeapSnapshot`, its chunks written to `out` in order; returns the bytes
    /// written.
    pub fn take_snapshot(
        &mut self,
        out: &mut dyn Write,
        keep_going: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<u64, String> {
        let mut written = 0u64;
        self.call_with_events(
            "HeapProfiler.takeHeapSnapshot",
            serde_json::json!({ "reportProgress": false }),
            &mut |method, params| {
                if method != "HeapProfiler.addHeapSnapshotChunk" {
                    return Ok(());
                }
                let chunk = params["chunk"]
                    .as_str()
                    .ok_or("a snapshot chunk without text")?;
                out.write_all(chunk.as_bytes())
                    .map_err(|e| format!("cannot write the snapshot: {e}"))?;
                written += chunk.len() as u64;
                Ok(())
            },
            keep_going,
        )?;
        Ok(written)
    }

    fn call_with_events(
        &mut self,
        method: &str,
        params: serde_json::Value,
        on_event: &mut dyn FnMut(&str, &serde_json::Value) -> Result<(), String>,
        keep_going: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<(), String> {
        let id = self.next_id;
        self.next_id += 1;
        let request = serde_json::json!({ "id": id, "method": method, "params": params });
        self.ws
            .send(Message::text(request.to_string()))
            .map_err(|e| format!("cannot send {method}: {e}"))?;
        loop {
            let message = match self.ws.read() {
                Ok(m) => m,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) =>
                {
                    // tungstenite keeps a partly read frame; reading again resumes it. A signal
                    // (Ctrl-C) interrupts the read: `keep_going` sees it.
                    keep_going()?;
                    continue;
                }
                Err(e) => return Err(format!("inspector connection lost during {method}: {e}")),
            };
            let text = match &message {
                Message::Text(t) => t.as_str(),
                Message::Close(_) => {
                    return Err(format!(
                        "the inspector closed the connection during {method}"
                    ));
                }
                _ => continue,
            };
            let incoming: Incoming = serde_json::from_str(text)
                .map_err(|e| format!("unexpected inspector message during {method}: {e}"))?;
            match (incoming.id, incoming.method, incoming.params) {
                (Some(answer), _, _) if answer == id => {
                    return match incoming.error {
                        Some(e) => Err(format!("{method} failed: {}", e.message)),
                        None => Ok(()),
                    };
                }
                (None, Some(event), Some(params)) => on_event(event, &params)?,
                _ => {}
            }
        }
    }

    /// Closes the session politely (Node then lets the app exit without waiting for it).
    pub fn close(mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}
