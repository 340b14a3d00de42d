//! Requests that read a document's lint result (pull diagnostics, code actions, hover): they
//! wait for a lint under way, then are answered.

use std::io::Write;

use lsp_types::{CodeActionParams, HoverParams, Uri};
use serde_json::{Value, json};

use super::*;
use crate::lsp::transport::code;

/// A request that waits for the lint of its document.
pub(super) enum Waiting {
    Diagnostic { previous: Option<String> },
    CodeAction(Box<CodeActionParams>),
    Hover(HoverParams),
}

pub(super) struct Pending {
    pub(super) id: Value,
    pub(super) uri: Uri,
    pub(super) waiting: Waiting,
}

impl<W: Write> Server<W> {
    pub(super) fn wait(&mut self, id: Value, uri: Uri, waiting: Waiting) {
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

    pub(super) fn answer_pending(&mut self, uri: &Uri) {
        let (ready, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| &p.uri == uri);
        self.pending = waiting;
        for p in ready {
            self.answer(p);
        }
    }

    pub(super) fn answer(&mut self, p: Pending) {
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
                        .map(|r| crate::lsp::actions::code_actions(&p.uri, &d.doc, r, &params))
                });
                serde_json::to_value(actions.unwrap_or_default()).unwrap_or_default()
            }
            Waiting::Hover(params) => {
                let position = params.text_document_position_params.position;
                let hover = d.and_then(|d| d.fresh_result()).and_then(|r| {
                    crate::lsp::actions::hover(r, position, self.caps.markdown_hover)
                });
                serde_json::to_value(hover).unwrap_or_default()
            }
        };
        self.respond(p.id, value);
    }
}
