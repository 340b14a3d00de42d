//! The server's state and main loop.
//!
//! Three threads: one reads standard input into the event channel, one lints (see
//! `worker.rs`), and this one owns all state and is the only writer of standard output, so
//! messages never interleave.
//!
//! Freshness: every open document has a *revision*, a number from one counter for the whole
//! server, renewed whenever its text or the configuration changes. A lint is started for a
//! revision (`wanted`), and its result is accepted only when that is still the wanted revision
//! of that document: a result for text that has since changed is dropped (a lint of the newest
//! text is then already queued), so stale diagnostics are never published over newer ones, and a
//! document closed and opened again never receives a result meant for its earlier life.
//! Requests that read the diagnostics (pull diagnostics, code actions, hover) wait, when a lint
//! is under way, for its result.
//!
//! Whole-project facts: at `initialize` a background thread reads and summarises every file of
//! the workspace folders (with `$/progress` when the client supports it); from then on each lint
//! of an open document also gives its text's summary, which replaces the file's in the index
//! (`index.rs`), and every open document whose facts from the project changed is linted again.
//!
//! One job per file: this one holds the state, the main loop and the output; `dispatch.rs`
//! routes each message to its handler (by the typed method names of `methods.rs`);
//! `documents.rs` is the document store (open, change, save, close, and when to lint);
//! `diagnostics.rs` lints and publishes; `requests.rs` answers the requests that read lint
//! results (pull diagnostics, code actions, hover); `configuration.rs` handles `initialize`,
//! settings and `leaklint.toml` files; `index.rs` keeps the project index and its progress.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Instant;

use lsp_types::{MessageType, Uri};
use serde_json::{Value, json};

use crate::config::Configs;
use crate::exit::{Exit, Failure};

use super::methods;
use super::settings::Settings;
use super::transport::{self, Incoming, Writer};
use super::worker::{Done, Worker};

use configuration::{
    base_dir, config_docs_url, config_error_range, configs, is_config_file, is_ignored,
};
use documents::Doc;
use index::{Index, IndexEvent, Progress, SOURCE_GLOB};
use requests::{Pending, Waiting};

mod configuration;
mod diagnostics;
mod dispatch;
mod documents;
mod index;
mod requests;

/// `code` of the diagnostics about a configuration file that cannot be used.
const CONFIG_ERROR: &str = "leaklint/config";

enum Event {
    Incoming(Incoming),
    /// Standard input ended (with the read error, if any).
    Closed(Option<String>),
    Linted(Box<Done>),
    /// From the thread that builds the project index.
    Index(IndexEvent),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

/// What the client said it supports (`initialize`).
#[derive(Clone, Copy, Debug, Default)]
struct ClientCaps {
    /// Pull diagnostics (`textDocument/diagnostic`): then the server does not push them.
    pull: bool,
    /// `workspace/diagnostic/refresh`.
    refresh: bool,
    /// Dynamic registration of `workspace/didChangeWatchedFiles`.
    watch: bool,
    markdown_hover: bool,
    /// `window/workDoneProgress/create` and `$/progress`.
    progress: bool,
}

/// Runs the server on standard input and output until `exit`, or until the client goes away.
pub fn run() -> Result<Exit, Failure> {
    let stdout = io::stdout();
    serve(io::BufReader::new(io::stdin()), stdout.lock())
}

/// Runs the server on `input` and `output` (framed JSON-RPC) until `exit`, or until `input`
/// ends. Errors: a thread cannot be started.
pub fn serve(
    input: impl io::BufRead + Send + 'static,
    output: impl Write,
) -> Result<Exit, Failure> {
    let (tx, rx) = mpsc::channel();
    let events = tx.clone();
    std::thread::Builder::new()
        .name("leaklint-lsp-read".into())
        .spawn(move || {
            let mut input = transport::Reader::new(input);
            loop {
                let event = match input.read() {
                    Ok(Some(incoming)) => Event::Incoming(incoming),
                    Ok(None) => Event::Closed(None),
                    Err(e) => Event::Closed(Some(e.to_string())),
                };
                let last = matches!(event, Event::Closed(_));
                if events.send(event).is_err() || last {
                    break;
                }
            }
        })
        .map_err(|e| Failure::Io(format!("cannot start a thread: {e}")))?;
    let index_events = tx.clone();
    let worker = Worker::spawn(move |done| {
        let _ = tx.send(Event::Linted(Box::new(done)));
    })
    .map_err(|e| Failure::Io(format!("cannot start the lint thread: {e}")))?;
    let mut server = Server::new(Writer::new(output), worker);
    server.events = Some(index_events);
    Ok(server.serve(&rx))
}

struct Server<W: Write> {
    out: Writer<W>,
    /// Standard output failed: the client is gone.
    broken: bool,
    phase: Phase,
    exit: Option<Exit>,
    caps: ClientCaps,
    settings: Settings,
    /// Problems with the settings, shown once the client is ready.
    settings_problems: Vec<String>,
    roots: Vec<PathBuf>,
    configs: Configs,
    /// Configuration files with an error diagnostic published now.
    config_errors: HashSet<PathBuf>,
    /// The last error shown to the user for each configuration file (not shown again).
    shown_config_errors: HashMap<PathBuf, String>,
    /// Internal errors already shown.
    shown: HashSet<String>,
    docs: HashMap<Uri, Doc>,
    pending: Vec<Pending>,
    worker: Worker,
    revisions: u64,
    /// Results taken so far (their ids).
    results: u64,
    requests: u64,
    /// Where the index thread sends its events.
    events: Option<mpsc::Sender<Event>>,
    index: Index,
    /// Set to stop the index build running now (a new build, or the end of the session: the
    /// build's thread is not joined, and must not go on walking and linting after that).
    index_cancel: Arc<AtomicBool>,
    progress: Progress,
}

impl<W: Write> Server<W> {
    pub(super) fn new(out: Writer<W>, worker: Worker) -> Server<W> {
        let base = base_dir(&[]);
        Server {
            out,
            broken: false,
            phase: Phase::Uninitialized,
            exit: None,
            caps: ClientCaps::default(),
            settings: Settings::default(),
            settings_problems: Vec::new(),
            configs: configs(&base),
            roots: Vec::new(),
            config_errors: HashSet::new(),
            shown_config_errors: HashMap::new(),
            shown: HashSet::new(),
            docs: HashMap::new(),
            pending: Vec::new(),
            worker,
            revisions: 0,
            results: 0,
            requests: 0,
            events: None,
            index: Index::Off,
            index_cancel: Arc::default(),
            progress: Progress::default(),
        }
    }

    pub(super) fn serve(&mut self, rx: &Receiver<Event>) -> Exit {
        loop {
            self.start_due();
            let event = match self.next_due() {
                Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return self.vanished(),
                },
                None => match rx.recv() {
                    Ok(event) => event,
                    Err(_) => return self.vanished(),
                },
            };
            match event {
                Event::Incoming(incoming) => self.incoming(incoming),
                Event::Linted(done) => self.linted(*done),
                Event::Index(event) => self.index_event(event),
                Event::Closed(error) => {
                    if let Some(error) = error {
                        let _ = writeln!(io::stderr(), "leaklint lsp: cannot read input: {error}");
                    }
                    return self.vanished();
                }
            }
            if let Some(exit) = self.exit {
                return exit;
            }
            if self.broken {
                return self.vanished();
            }
        }
    }

    /// The client went away (end of input, or output closed): status 0 after `shutdown`, as
    /// after `exit`, else 1.
    pub(super) fn vanished(&self) -> Exit {
        if self.phase == Phase::ShutDown {
            Exit::Clean
        } else {
            Exit::Problems
        }
    }

    // ---- output ------------------------------------------------------------------------------

    pub(super) fn send(&mut self, fields: Value) {
        if self.broken {
            return;
        }
        let Value::Object(fields) = fields else {
            unreachable!("messages are objects")
        };
        if self.out.send(&transport::envelope(fields)).is_err() {
            self.broken = true;
        }
    }

    pub(super) fn respond(&mut self, id: Value, result: Value) {
        self.send(json!({ "id": id, "result": result }));
    }

    pub(super) fn error(&mut self, id: Value, code: i64, message: &str) {
        self.send(json!({ "id": id, "error": { "code": code, "message": message } }));
    }

    pub(super) fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "method": method, "params": params }));
    }

    /// Sends a request to the client; returns its id.
    pub(super) fn request_client(&mut self, method: &str, params: Value) -> String {
        self.requests += 1;
        let id = format!("leaklint-{}", self.requests);
        self.send(json!({ "id": id.clone(), "method": method, "params": params }));
        id
    }

    pub(super) fn show(&mut self, kind: MessageType, message: &str) {
        self.notify(
            methods::SHOW_MESSAGE,
            json!({ "type": kind, "message": message }),
        );
    }

    pub(super) fn log(&mut self, kind: MessageType, message: &str) {
        self.notify(
            methods::LOG_MESSAGE,
            json!({ "type": kind, "message": message }),
        );
    }

    pub(super) fn publish(&mut self, uri: &Uri, version: Option<i32>, diagnostics: Value) {
        let mut params = json!({ "uri": uri, "diagnostics": diagnostics });
        if let Some(version) = version {
            params["version"] = json!(version);
        }
        self.notify(methods::PUBLISH_DIAGNOSTICS, params);
    }
}

impl<W: Write> Drop for Server<W> {
    /// The session is over: an index build still running stops (its thread is detached).
    fn drop(&mut self) {
        self.index_cancel.store(true, Ordering::Relaxed);
    }
}
