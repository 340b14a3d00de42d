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

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use leaklint_rules::Flavor;
use lsp_types::{
    CodeActionParams, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentDiagnosticParams, HoverParams, Location, MessageType, Position, Range, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::config::{Config, ConfigError, Configs, FILE_NAME};
use crate::engine::LintOptions;
use crate::exit::{Exit, Failure};

use super::convert::{self, LintResult};
use super::document::{Document, lsp_position};
use super::settings::{Run, Settings};
use super::transport::{self, Incoming, Message, Writer, code};
use super::worker::{Done, Job, Worker};

/// `code` of the diagnostics about a configuration file that cannot be used.
const CONFIG_ERROR: &str = "leaklint/config";

enum Event {
    Incoming(Incoming),
    /// Standard input ended (with the read error, if any).
    Closed(Option<String>),
    Linted(Done),
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
}

/// An open document.
struct Doc {
    doc: Document,
    /// None: not JavaScript or TypeScript, never linted.
    flavor: Option<Flavor>,
    path: Option<PathBuf>,
    revision: u64,
    /// The revision a lint was started (or is due) for, until its result arrives.
    wanted: Option<u64>,
    /// When the lint of `wanted` is to start (debounce).
    due: Option<Instant>,
    result: Option<LintResult>,
}

impl Doc {
    fn fresh_result(&self) -> Option<&LintResult> {
        self.result.as_ref().filter(|r| r.revision == self.revision)
    }
}

/// A request that waits for the lint of its document.
enum Waiting {
    Diagnostic { previous: Option<String> },
    CodeAction(Box<CodeActionParams>),
    Hover(HoverParams),
}

struct Pending {
    id: Value,
    uri: Uri,
    waiting: Waiting,
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
    let worker = Worker::spawn(move |done| {
        let _ = tx.send(Event::Linted(done));
    })
    .map_err(|e| Failure::Io(format!("cannot start the lint thread: {e}")))?;
    let mut server = Server::new(Writer::new(output), worker);
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
}

impl<W: Write> Server<W> {
    fn new(out: Writer<W>, worker: Worker) -> Server<W> {
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
        }
    }

    fn serve(&mut self, rx: &Receiver<Event>) -> Exit {
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
                Event::Linted(done) => self.linted(done),
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
    fn vanished(&self) -> Exit {
        if self.phase == Phase::ShutDown {
            Exit::Clean
        } else {
            Exit::Problems
        }
    }

    // ---- output ------------------------------------------------------------------------------

    fn send(&mut self, fields: Value) {
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

    fn respond(&mut self, id: Value, result: Value) {
        self.send(json!({ "id": id, "result": result }));
    }

    fn error(&mut self, id: Value, code: i64, message: &str) {
        self.send(json!({ "id": id, "error": { "code": code, "message": message } }));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "method": method, "params": params }));
    }

    fn request_client(&mut self, method: &str, params: Value) {
        self.requests += 1;
        let id = format!("leaklint-{}", self.requests);
        self.send(json!({ "id": id, "method": method, "params": params }));
    }

    fn show(&mut self, kind: MessageType, message: &str) {
        self.notify(
            "window/showMessage",
            json!({ "type": kind, "message": message }),
        );
    }

    fn log(&mut self, kind: MessageType, message: &str) {
        self.notify(
            "window/logMessage",
            json!({ "type": kind, "message": message }),
        );
    }

    fn publish(&mut self, uri: &Uri, version: Option<i32>, diagnostics: Value) {
        let mut params = json!({ "uri": uri, "diagnostics": diagnostics });
        if let Some(version) = version {
            params["version"] = json!(version);
        }
        self.notify("textDocument/publishDiagnostics", params);
    }

    // ---- input -------------------------------------------------------------------------------

    fn incoming(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Invalid { id, code, message } => self.error(id, code, &message),
            Incoming::Message(Message::Request { id, method, params }) => {
                let answered = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    self.request(id.clone(), &method, params);
                }));
                if answered.is_err() {
                    self.error(
                        id,
                        code::INTERNAL_ERROR,
                        &format!("internal error in {method} (please report it)"),
                    );
                }
            }
            Incoming::Message(Message::Notification { method, params }) => {
                let handled = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    self.notification(&method, params);
                }));
                if handled.is_err() {
                    self.log(
                        MessageType::ERROR,
                        &format!("internal error in {method} (please report it)"),
                    );
                }
            }
            Incoming::Message(Message::Response { id, error }) => {
                if let Some(error) = error {
                    self.log(
                        MessageType::WARNING,
                        &format!("the client answered request {id} with an error: {error}"),
                    );
                }
            }
        }
    }

    /// Deserialises parameters, or answers the request with "invalid params".
    fn params<T: DeserializeOwned>(
        &mut self,
        id: Option<&Value>,
        method: &str,
        params: Value,
    ) -> Option<T> {
        match serde_json::from_value(params) {
            Ok(params) => Some(params),
            Err(e) => {
                let message = format!("invalid parameters for {method}: {e}");
                match id {
                    Some(id) => self.error(id.clone(), code::INVALID_PARAMS, &message),
                    None => self.log(MessageType::ERROR, &message),
                }
                None
            }
        }
    }

    fn request(&mut self, id: Value, method: &str, params: Value) {
        match (self.phase, method) {
            (Phase::Uninitialized, "initialize") => {
                let result = self.initialize(&params);
                self.respond(id, result);
            }
            (Phase::Uninitialized, _) => self.error(
                id,
                code::SERVER_NOT_INITIALIZED,
                "the server is not initialized: send initialize first",
            ),
            (_, "initialize") => {
                self.error(id, code::INVALID_REQUEST, "initialize was already received")
            }
            (Phase::ShutDown, _) => self.error(
                id,
                code::INVALID_REQUEST,
                "the server is shut down: only the exit notification is accepted",
            ),
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShutDown;
                self.respond(id, Value::Null);
            }
            (Phase::Running, "textDocument/diagnostic") => {
                if let Some(p) = self.params::<DocumentDiagnosticParams>(Some(&id), method, params)
                {
                    let waiting = Waiting::Diagnostic {
                        previous: p.previous_result_id,
                    };
                    self.wait(id, p.text_document.uri, waiting);
                }
            }
            (Phase::Running, "textDocument/codeAction") => {
                if let Some(p) = self.params::<CodeActionParams>(Some(&id), method, params) {
                    let uri = p.text_document.uri.clone();
                    self.wait(id, uri, Waiting::CodeAction(Box::new(p)));
                }
            }
            (Phase::Running, "textDocument/hover") => {
                if let Some(p) = self.params::<HoverParams>(Some(&id), method, params) {
                    let uri = p.text_document_position_params.text_document.uri.clone();
                    self.wait(id, uri, Waiting::Hover(p));
                }
            }
            (Phase::Running, _) => self.error(
                id,
                code::METHOD_NOT_FOUND,
                &format!("leaklint does not handle {method}"),
            ),
        }
    }

    fn notification(&mut self, method: &str, params: Value) {
        if method == "exit" {
            self.exit = Some(self.vanished());
            return;
        }
        // Before `initialize` notifications are dropped; after `shutdown` nothing changes.
        if self.phase != Phase::Running {
            return;
        }
        match method {
            "initialized" => self.initialized(),
            "textDocument/didOpen" => {
                if let Some(p) = self.params::<DidOpenTextDocumentParams>(None, method, params) {
                    self.did_open(p);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = self.params::<DidChangeTextDocumentParams>(None, method, params) {
                    self.did_change(p);
                }
            }
            "textDocument/didSave" => {
                if let Some(p) = self.params::<DidSaveTextDocumentParams>(None, method, params) {
                    self.did_save(p);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = self.params::<DidCloseTextDocumentParams>(None, method, params) {
                    self.did_close(p);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Some(p) = self.params::<DidChangeWatchedFilesParams>(None, method, params) {
                    let changed: Vec<PathBuf> = p
                        .changes
                        .iter()
                        .filter_map(|c| convert::path_of(&c.uri))
                        .filter(|p| is_config_file(p))
                        .collect();
                    if !changed.is_empty() {
                        self.reload(&changed);
                    }
                }
            }
            "workspace/didChangeConfiguration" => {
                // Clients send their whole settings object, or nothing (Neovim sends `{}`):
                // only an object with leaklint's keys, or a `leaklint` key, is for us.
                let settings = params.get("settings").cloned().unwrap_or(Value::Null);
                let ours = settings.as_object().is_some_and(|o| {
                    o.get("leaklint").is_some_and(Value::is_object)
                        || o.keys().any(|k| Settings::KEYS.contains(&k.as_str()))
                });
                if ours {
                    let (settings, problems) = Settings::from_json(&settings);
                    self.settings = settings;
                    for problem in problems {
                        self.show(MessageType::WARNING, &format!("leaklint: {problem}"));
                    }
                    self.reload(&[]);
                }
            }
            "workspace/didChangeWorkspaceFolders" => {
                if let Some(p) =
                    self.params::<DidChangeWorkspaceFoldersParams>(None, method, params)
                {
                    let removed: Vec<PathBuf> = p
                        .event
                        .removed
                        .iter()
                        .filter_map(|f| convert::path_of(&f.uri))
                        .collect();
                    self.roots.retain(|r| !removed.contains(r));
                    for folder in &p.event.added {
                        if let Some(path) = convert::path_of(&folder.uri) {
                            self.roots.push(path);
                        }
                    }
                    self.reload(&[]);
                }
            }
            "$/cancelRequest" => {
                if let Some(id) = params.get("id")
                    && let Some(i) = self.pending.iter().position(|p| &p.id == id)
                {
                    let pending = self.pending.remove(i);
                    self.error(pending.id, code::REQUEST_CANCELLED, "cancelled");
                }
            }
            // Other notifications (`$/setTrace`, `textDocument/willSave`, ...) need nothing.
            _ => {}
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    fn initialize(&mut self, params: &Value) -> Value {
        let flag = |pointer: &str| {
            params
                .pointer(pointer)
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        self.caps = ClientCaps {
            pull: params
                .pointer("/capabilities/textDocument/diagnostic")
                .is_some_and(Value::is_object),
            refresh: flag("/capabilities/workspace/diagnostics/refreshSupport"),
            watch: flag("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration"),
            markdown_hover: params
                .pointer("/capabilities/textDocument/hover/contentFormat")
                .and_then(Value::as_array)
                .is_some_and(|formats| formats.iter().any(|f| f == "markdown")),
        };
        self.roots = workspace_roots(params);
        let (settings, problems) =
            Settings::from_json(params.get("initializationOptions").unwrap_or(&Value::Null));
        self.settings = settings;
        self.settings_problems = problems;
        self.configs = configs(&base_dir(&self.roots));
        self.phase = Phase::Running;

        let mut capabilities = json!({
            "positionEncoding": "utf-16",
            "textDocumentSync": {
                "openClose": true,
                "change": 2, // incremental
                "save": { "includeText": false },
            },
            "hoverProvider": true,
            "codeActionProvider": { "codeActionKinds": ["quickfix"], "resolveProvider": false },
            "workspace": {
                "workspaceFolders": { "supported": true, "changeNotifications": true },
            },
        });
        if self.caps.pull {
            capabilities["diagnosticProvider"] = json!({
                "identifier": "leaklint",
                "interFileDependencies": false,
                "workspaceDiagnostics": false,
            });
        }
        json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "leaklint", "version": env!("CARGO_PKG_VERSION") },
        })
    }

    fn initialized(&mut self) {
        for problem in std::mem::take(&mut self.settings_problems) {
            self.show(MessageType::WARNING, &format!("leaklint: {problem}"));
        }
        if self.caps.watch {
            self.request_client(
                "client/registerCapability",
                json!({ "registrations": [{
                    "id": "leaklint-config-watcher",
                    "method": "workspace/didChangeWatchedFiles",
                    "registerOptions": { "watchers": [{ "globPattern": format!("**/{FILE_NAME}") }] },
                }]}),
            );
        } else {
            self.log(
                MessageType::INFO,
                &format!(
                    "the client cannot watch files: {FILE_NAME} is read again before each lint \
                     instead"
                ),
            );
        }
        let roots: Vec<PathBuf> = self.roots.iter().map(|r| r.join(FILE_NAME)).collect();
        self.validate_configs(&roots);
    }

    // ---- documents ---------------------------------------------------------------------------

    fn next_revision(&mut self) -> u64 {
        self.revisions += 1;
        self.revisions
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let item = p.text_document;
        let flavor = convert::flavor(&item.uri, &item.language_id);
        let path = convert::path_of(&item.uri);
        let revision = self.next_revision();
        let doc = Doc {
            doc: Document::new(item.text, item.version),
            flavor,
            path,
            revision,
            wanted: None,
            due: None,
            result: None,
        };
        // Opened twice: the newer text wins.
        self.docs.insert(item.uri.clone(), doc);
        self.schedule(&item.uri, Duration::ZERO);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let revision = self.next_revision();
        let uri = p.text_document.uri;
        let Some(d) = self.docs.get_mut(&uri) else {
            self.log(
                MessageType::WARNING,
                &format!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                ),
            );
            return;
        };
        for change in p.content_changes {
            d.doc.apply(change);
        }
        d.doc.version = p.text_document.version;
        d.revision = revision;
        if self.settings.run == Run::OnType {
            let delay = self.settings.debounce;
            self.schedule(&uri, delay);
        }
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        let uri = p.text_document.uri;
        if convert::path_of(&uri).is_some_and(|p| is_config_file(&p)) {
            let path = convert::path_of(&uri).into_iter().collect::<Vec<_>>();
            self.reload(&path);
            return;
        }
        // Linted again even when the text is the one linted last: with a client that cannot
        // watch files, a save is when an edit to leaklint.toml is expected to show.
        self.schedule(&uri, Duration::ZERO);
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        let Some(d) = self.docs.remove(&uri) else {
            return;
        };
        self.worker.forget(&uri);
        self.answer_pending(&uri);
        if !self.caps.pull && d.flavor.is_some() {
            self.publish(&uri, None, json!([]));
        }
    }

    /// Wants a lint of the document's current revision, `delay` from now (a later edit within
    /// the delay moves it again).
    fn schedule(&mut self, uri: &Uri, delay: Duration) {
        if let Some(d) = self.docs.get_mut(uri) {
            d.wanted = Some(d.revision);
            d.due = Some(Instant::now() + delay);
        }
    }

    fn next_due(&self) -> Option<Instant> {
        self.docs.values().filter_map(|d| d.due).min()
    }

    fn start_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Uri> = self
            .docs
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|at| at <= now))
            .map(|(uri, _)| uri.clone())
            .collect();
        if due.is_empty() {
            return;
        }
        if !self.caps.watch {
            self.refresh_configs();
        }
        for uri in due {
            if let Some(d) = self.docs.get_mut(&uri) {
                d.due = None;
            }
            self.start(&uri);
        }
    }

    /// For clients that cannot watch files: read the configuration files again before each
    /// lint (a few `stat`s and a small file), so that an edit to `leaklint.toml` applies at the
    /// next lint; clear the errors of files that have been fixed.
    fn refresh_configs(&mut self) {
        self.configs = configs(&base_dir(&self.roots));
        let base = base_dir(&self.roots);
        let broken: Vec<PathBuf> = self.config_errors.iter().cloned().collect();
        for path in broken {
            if !path.is_file() || Config::load(&path, &base).is_ok() {
                self.clear_config_error(&path);
            }
        }
    }

    fn clear_config_error(&mut self, path: &Path) {
        self.config_errors.remove(path);
        self.shown_config_errors.remove(path);
        if let Some(uri) = convert::uri_of(path) {
            self.publish(&uri, None, json!([]));
        }
    }

    /// Starts the lint of the wanted revision, or answers at once when there is nothing to lint.
    fn start(&mut self, uri: &Uri) {
        let Some(d) = self.docs.get(uri) else {
            return;
        };
        let Some(revision) = d.wanted else {
            return;
        };
        let version = d.doc.version;
        let empty = LintResult {
            revision,
            version,
            ..LintResult::default()
        };
        let Some(flavor) = d.flavor else {
            return self.finish(uri, empty);
        };
        let path = d.path.clone();
        let config = match &path {
            Some(path) => self.configs.for_file(path),
            None => self.configs.for_dir(&base_dir(&self.roots)),
        };
        let config = match config {
            Ok(config) => config,
            Err(e) => {
                self.config_error(&e);
                let mut d = convert::diagnostic(
                    Range::default(),
                    DiagnosticSeverity::ERROR,
                    CONFIG_ERROR,
                    Some(config_docs_url()),
                    format!("not linted: {e}"),
                );
                if let Some(config_uri) = convert::uri_of(&e.file) {
                    d.related_information = Some(vec![DiagnosticRelatedInformation {
                        location: Location::new(config_uri, config_error_range(&e)),
                        message: e.message.clone(),
                    }]);
                }
                return self.finish(
                    uri,
                    LintResult {
                        diagnostics: vec![d],
                        ..empty
                    },
                );
            }
        };
        if path.as_deref().is_some_and(|p| is_ignored(p, &config)) {
            return self.finish(uri, empty);
        }
        let Some(d) = self.docs.get(uri) else {
            return;
        };
        let display = match &path {
            Some(path) => crate::paths::display(path, &base_dir(&self.roots)),
            None => uri.as_str().to_owned(),
        };
        self.worker.submit(Job {
            uri: uri.clone(),
            revision,
            version,
            text: d.doc.text.clone(),
            display,
            flavor,
            config,
            opts: LintOptions {
                levels: self.settings.levels.clone(),
                report_unused_directives: self.settings.report_unused,
                ..LintOptions::default()
            },
        });
    }

    fn linted(&mut self, done: Done) {
        if std::env::var_os("LEAKLINT_TIMINGS").is_some_and(|v| !v.is_empty()) {
            let _ = writeln!(
                io::stderr(),
                "leaklint lsp: linted {} (version {}) in {:.1} ms",
                done.uri.as_str(),
                done.result.version,
                done.elapsed.as_secs_f64() * 1000.0
            );
        }
        if let Some(message) = &done.result.message
            && self.shown.insert(message.clone())
        {
            let message = message.clone();
            self.show(MessageType::ERROR, &message);
        }
        self.finish(&done.uri, done.result);
    }

    /// Takes a result if it is for the wanted revision: stores it, publishes it (push mode) and
    /// answers the requests that waited for it.
    fn finish(&mut self, uri: &Uri, mut result: LintResult) {
        let pull = self.caps.pull;
        self.results += 1;
        result.id = self.results;
        let Some(d) = self.docs.get_mut(uri) else {
            return;
        };
        if d.wanted != Some(result.revision) {
            return; // stale: a newer revision is wanted
        }
        d.wanted = None;
        let publish = (!pull && d.flavor.is_some()).then(|| {
            (
                result.version,
                serde_json::to_value(&result.diagnostics).unwrap_or_default(),
            )
        });
        d.result = Some(result);
        if let Some((version, diagnostics)) = publish {
            self.publish(uri, Some(version), diagnostics);
        }
        self.answer_pending(uri);
    }

    // ---- requests on documents ---------------------------------------------------------------

    fn wait(&mut self, id: Value, uri: Uri, waiting: Waiting) {
        let Some(d) = self.docs.get(&uri) else {
            return self.error(
                id,
                code::INVALID_PARAMS,
                &format!("the document is not open: {}", uri.as_str()),
            );
        };
        let pending = Pending { id, uri, waiting };
        if d.wanted.is_some() {
            self.pending.push(pending);
        } else {
            self.answer(pending);
        }
    }

    fn answer_pending(&mut self, uri: &Uri) {
        let (ready, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| &p.uri == uri);
        self.pending = waiting;
        for p in ready {
            self.answer(p);
        }
    }

    fn answer(&mut self, p: Pending) {
        let d = self.docs.get(&p.uri);
        let value = match p.waiting {
            Waiting::Diagnostic { previous } => {
                let result = d.and_then(|d| d.result.as_ref());
                let result_id = result.map_or_else(|| "closed".to_owned(), |r| r.id.to_string());
                if previous.as_deref() == Some(result_id.as_str()) {
                    json!({ "kind": "unchanged", "resultId": result_id })
                } else {
                    let items = result.map_or(&[][..], |r| &r.diagnostics[..]);
                    json!({ "kind": "full", "resultId": result_id, "items": items })
                }
            }
            Waiting::CodeAction(params) => {
                let actions = d.and_then(|d| {
                    d.fresh_result()
                        .map(|r| super::actions::code_actions(&p.uri, &d.doc, r, &params))
                });
                serde_json::to_value(actions.unwrap_or_default()).unwrap_or_default()
            }
            Waiting::Hover(params) => {
                let position = params.text_document_position_params.position;
                let hover = d
                    .and_then(|d| d.fresh_result())
                    .and_then(|r| super::actions::hover(r, position, self.caps.markdown_hover));
                serde_json::to_value(hover).unwrap_or_default()
            }
        };
        self.respond(p.id, value);
    }

    // ---- configuration -----------------------------------------------------------------------

    /// `leaklint.toml` (or the settings, or the workspace folders) changed: forget every loaded
    /// configuration, check the changed files and re-lint every open document.
    fn reload(&mut self, changed: &[PathBuf]) {
        self.configs = configs(&base_dir(&self.roots));
        let before = std::mem::take(&mut self.config_errors);
        let mut check: Vec<PathBuf> = self.roots.iter().map(|r| r.join(FILE_NAME)).collect();
        check.extend(before.iter().cloned());
        check.extend(changed.iter().cloned());
        self.validate_configs(&check);
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for uri in uris {
            let revision = self.next_revision();
            if let Some(d) = self.docs.get_mut(&uri) {
                d.revision = revision;
            }
            self.schedule(&uri, Duration::ZERO);
        }
        // Files that were broken and are now fixed (or gone): clear their diagnostics.
        for path in before {
            if !self.config_errors.contains(&path) {
                self.clear_config_error(&path);
            }
        }
        if self.caps.pull && self.caps.refresh {
            self.request_client("workspace/diagnostic/refresh", Value::Null);
        }
    }

    /// Loads each existing configuration file of `paths` to report its errors.
    fn validate_configs(&mut self, paths: &[PathBuf]) {
        let base = base_dir(&self.roots);
        let mut seen = HashSet::new();
        for path in paths {
            if !seen.insert(path) || !path.is_file() {
                continue;
            }
            if let Err(e) = Config::load(path, &base) {
                self.config_error(&e);
            }
        }
    }

    /// Reports a configuration error: a diagnostic on the file, and a message the first time.
    fn config_error(&mut self, e: &ConfigError) {
        if self.config_errors.contains(&e.file)
            && self.shown_config_errors.get(&e.file) == Some(&e.message)
        {
            return;
        }
        self.config_errors.insert(e.file.clone());
        if self.shown_config_errors.get(&e.file) != Some(&e.message) {
            self.shown_config_errors
                .insert(e.file.clone(), e.message.clone());
            self.show(MessageType::ERROR, &format!("leaklint: {e}"));
        }
        if let Some(uri) = convert::uri_of(&e.file) {
            let d = convert::diagnostic(
                config_error_range(e),
                DiagnosticSeverity::ERROR,
                CONFIG_ERROR,
                Some(config_docs_url()),
                e.message.clone(),
            );
            self.publish(&uri, None, json!([d]));
        }
    }
}

fn configs(base: &Path) -> Configs {
    // Without an explicit configuration file, `Configs::new` reads nothing and cannot fail.
    match Configs::new(base, None) {
        Ok(configs) => configs,
        Err(e) => unreachable!("no explicit configuration: {e}"),
    }
}

/// Where relative paths in messages start: the first workspace folder, or the current
/// directory.
fn base_dir(roots: &[PathBuf]) -> PathBuf {
    roots
        .first()
        .cloned()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
}

/// As on the command line: `ignore` globs of the configuration, and `node_modules`.
fn is_ignored(path: &Path, config: &Config) -> bool {
    config.ignore.matched(path).is_some()
        || path.components().any(|c| c.as_os_str() == "node_modules")
}

fn config_docs_url() -> String {
    format!(
        "{}/blob/main/README.md#configuration-leaklinttoml",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// From the error's position to the end of its line (the key or value at fault), or the
/// start of the file.
fn config_error_range(e: &ConfigError) -> Range {
    let Some(position) = e.position else {
        return Range::default();
    };
    let start = lsp_position(position);
    let end = std::fs::read_to_string(&e.file)
        .ok()
        .map(|text| {
            let index = leaklint_rules::LineIndex::new(&text);
            let line = start.line as usize;
            let len: usize = index.line_text(&text, line).encode_utf16().count();
            Position::new(
                start.line,
                u32::try_from(len).unwrap_or(u32::MAX).max(start.character),
            )
        })
        .unwrap_or(start);
    Range::new(start, end)
}

/// Workspace folders, else the deprecated `rootUri`, else `rootPath`.
fn workspace_roots(params: &Value) -> Vec<PathBuf> {
    let uri_path = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|u| convert::path_of(&u))
    };
    if let Some(folders) = params.get("workspaceFolders").and_then(Value::as_array) {
        let roots: Vec<PathBuf> = folders
            .iter()
            .filter_map(|f| f.get("uri"))
            .filter_map(uri_path)
            .collect();
        if !roots.is_empty() {
            return roots;
        }
    }
    if let Some(root) = params.get("rootUri").and_then(uri_path) {
        return vec![root];
    }
    params
        .get("rootPath")
        .and_then(Value::as_str)
        .map(|p| vec![PathBuf::from(p)])
        .unwrap_or_default()
}
