//! Linting an open document and publishing its diagnostics.

use std::io::{self, Write};

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, MessageType, Range, Uri,
};

use crate::engine::LintOptions;

use super::*;
use crate::lsp::convert::{self, LintResult};
use crate::lsp::worker::{Done, Job};

impl<W: Write> Server<W> {
    /// Starts the lint of the wanted revision, or answers at once when there is nothing to lint.
    pub(super) fn start(&mut self, uri: &Uri) {
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
                min_confidence: self.settings.min_confidence,
                ..LintOptions::default()
            },
        });
    }

    pub(super) fn linted(&mut self, done: Done) {
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
    pub(super) fn finish(&mut self, uri: &Uri, mut result: LintResult) {
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
}
