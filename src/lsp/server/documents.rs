//! The document store: open documents, their revisions, and when each is to be linted.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use leaklint_rules::Flavor;
use leaklint_rules::project::{FileFacts, Summary};
use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, MessageType, Uri,
};
use serde_json::json;

use super::*;
use crate::lsp::convert::{self, LintResult};
use crate::lsp::document::Document;
use crate::lsp::settings::Run;

/// An open document.
pub(super) struct Doc {
    pub(super) doc: Document,
    /// None: not JavaScript or TypeScript, never linted.
    pub(super) flavor: Option<Flavor>,
    pub(super) path: Option<PathBuf>,
    /// `path` resolved, as the project index names files.
    pub(super) canonical: Option<PathBuf>,
    /// The project's facts the latest lint was started with.
    pub(super) facts: FileFacts,
    /// The summary of the latest text linted (`Some(None)`: nothing to summarise), for the
    /// project index.
    pub(super) summary: Option<Option<Summary>>,
    pub(super) revision: u64,
    /// The revision a lint was started (or is due) for, until its result arrives.
    pub(super) wanted: Option<u64>,
    /// When the lint of `wanted` is to start (debounce).
    pub(super) due: Option<Instant>,
    pub(super) result: Option<LintResult>,
}

impl Doc {
    pub(super) fn fresh_result(&self) -> Option<&LintResult> {
        self.result.as_ref().filter(|r| r.revision == self.revision)
    }
}

impl<W: Write> Server<W> {
    pub(super) fn next_revision(&mut self) -> u64 {
        self.revisions += 1;
        self.revisions
    }

    pub(super) fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let item = p.text_document;
        let flavor = convert::flavor(&item.uri, &item.language_id);
        let path = convert::path_of(&item.uri);
        let revision = self.next_revision();
        let doc = Doc {
            doc: Document::new(item.text, item.version),
            flavor,
            canonical: path.as_deref().map(crate::project::workspace::canonical),
            facts: FileFacts::default(),
            summary: None,
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

    pub(super) fn did_change(&mut self, p: DidChangeTextDocumentParams) {
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

    pub(super) fn did_save(&mut self, p: DidSaveTextDocumentParams) {
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

    pub(super) fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        let Some(d) = self.docs.remove(&uri) else {
            return;
        };
        self.worker.forget(&uri);
        self.answer_pending(&uri);
        if !self.caps.pull && d.flavor.is_some() {
            self.publish(&uri, None, json!([]));
        }
        if let (Some(path), Some(flavor)) = (&d.path, d.flavor) {
            self.summarise_from_disk(&uri, path, flavor);
        }
    }

    /// Wants a lint of the document's current revision, `delay` from now (a later edit within
    /// the delay moves it again).
    pub(super) fn schedule(&mut self, uri: &Uri, delay: Duration) {
        if let Some(d) = self.docs.get_mut(uri) {
            d.wanted = Some(d.revision);
            d.due = Some(Instant::now() + delay);
        }
    }

    pub(super) fn next_due(&self) -> Option<Instant> {
        self.docs.values().filter_map(|d| d.due).min()
    }

    pub(super) fn start_due(&mut self) {
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
}
