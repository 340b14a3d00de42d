//! Transport dispatch: each incoming message to its handler, by method.

use std::io::Write;
use std::panic::AssertUnwindSafe;

use lsp_types::{
    CodeActionParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentDiagnosticParams, HoverParams, MessageType,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::lsp::methods;
use crate::lsp::transport::{Incoming, Message, code};

impl<W: Write> Server<W> {
    pub(super) fn incoming(&mut self, incoming: Incoming) {
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
                self.client_answered(&id, error.as_ref());
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
    pub(super) fn params<T: DeserializeOwned>(
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

    pub(super) fn request(&mut self, id: Value, method: &str, params: Value) {
        match (self.phase, method) {
            (Phase::Uninitialized, methods::INITIALIZE) => {
                let result = self.initialize(&params);
                self.respond(id, result);
            }
            (Phase::Uninitialized, _) => self.error(
                id,
                code::SERVER_NOT_INITIALIZED,
                "the server is not initialized: send initialize first",
            ),
            (_, methods::INITIALIZE) => {
                self.error(id, code::INVALID_REQUEST, "initialize was already received")
            }
            (Phase::ShutDown, _) => self.error(
                id,
                code::INVALID_REQUEST,
                "the server is shut down: only the exit notification is accepted",
            ),
            (Phase::Running, methods::SHUTDOWN) => {
                self.phase = Phase::ShutDown;
                self.respond(id, Value::Null);
            }
            (Phase::Running, methods::DIAGNOSTIC) => {
                if let Some(p) = self.params::<DocumentDiagnosticParams>(Some(&id), method, params)
                {
                    let waiting = Waiting::Diagnostic {
                        previous: p.previous_result_id,
                    };
                    self.wait(id, p.text_document.uri, waiting);
                }
            }
            (Phase::Running, methods::CODE_ACTION) => {
                if let Some(p) = self.params::<CodeActionParams>(Some(&id), method, params) {
                    let uri = p.text_document.uri.clone();
                    self.wait(id, uri, Waiting::CodeAction(Box::new(p)));
                }
            }
            (Phase::Running, methods::HOVER) => {
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

    pub(super) fn notification(&mut self, method: &str, params: Value) {
        if method == methods::EXIT {
            self.exit = Some(self.vanished());
            return;
        }
        // Before `initialize` notifications are dropped; after `shutdown` nothing changes.
        if self.phase != Phase::Running {
            return;
        }
        match method {
            methods::INITIALIZED => self.initialized(),
            methods::DID_OPEN => {
                if let Some(p) = self.params::<DidOpenTextDocumentParams>(None, method, params) {
                    self.did_open(p);
                }
            }
            methods::DID_CHANGE => {
                if let Some(p) = self.params::<DidChangeTextDocumentParams>(None, method, params) {
                    self.did_change(p);
                }
            }
            methods::DID_SAVE => {
                if let Some(p) = self.params::<DidSaveTextDocumentParams>(None, method, params) {
                    self.did_save(p);
                }
            }
            methods::DID_CLOSE => {
                if let Some(p) = self.params::<DidCloseTextDocumentParams>(None, method, params) {
                    self.did_close(p);
                }
            }
            methods::DID_CHANGE_WATCHED_FILES => {
                if let Some(p) = self.params::<DidChangeWatchedFilesParams>(None, method, params) {
                    self.did_change_watched_files(p);
                }
            }
            methods::DID_CHANGE_CONFIGURATION => self.did_change_configuration(&params),
            methods::DID_CHANGE_WORKSPACE_FOLDERS => {
                if let Some(p) =
                    self.params::<DidChangeWorkspaceFoldersParams>(None, method, params)
                {
                    self.did_change_workspace_folders(p);
                }
            }
            methods::CANCEL_REQUEST => {
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
}
