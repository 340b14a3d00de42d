//! `initialize`, the settings, and `leaklint.toml` files: loading, reloading, and their
//! errors as diagnostics.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_types::{
    DiagnosticSeverity, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams, MessageType,
    Position, Range, Uri,
};
use serde_json::{Value, json};

use crate::config::{Config, ConfigError, Configs, FILE_NAME};

use super::*;
use crate::lsp::convert;
use crate::lsp::document::lsp_position;
use crate::lsp::methods;
use crate::lsp::settings::Settings;

impl<W: Write> Server<W> {
    pub(super) fn did_change_watched_files(&mut self, p: DidChangeWatchedFilesParams) {
        let changed: Vec<PathBuf> = p
            .changes
            .iter()
            .filter_map(|c| convert::path_of(&c.uri))
            .filter(|p| is_config_file(p))
            .collect();
        if !changed.is_empty() {
            self.reload(&changed);
        }
        // Sources changed outside the editor (a `git checkout`, a formatter, a code generator):
        // the project index reads them again, after the configuration that governs them.
        self.sources_changed_on_disk(&p.changes);
    }

    pub(super) fn did_change_configuration(&mut self, params: &Value) {
        // Clients send their whole settings object, or nothing (Neovim sends `{}`): only an
        // object with leaklint's keys, or a `leaklint` key, is for us.
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

    pub(super) fn did_change_workspace_folders(&mut self, p: DidChangeWorkspaceFoldersParams) {
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
        // The project is another one now: read it again.
        self.start_index();
        self.request_progress();
        self.reload(&[]);
    }

    pub(super) fn initialize(&mut self, params: &Value) -> Value {
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
            progress: flag("/capabilities/window/workDoneProgress"),
        };
        self.roots = workspace_roots(params);
        let (settings, problems) =
            Settings::from_json(params.get("initializationOptions").unwrap_or(&Value::Null));
        self.settings = settings;
        self.settings_problems = problems;
        self.configs = configs(&base_dir(&self.roots));
        self.phase = Phase::Running;
        self.start_index();

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
                // A file's findings may depend on other files (the project index).
                "interFileDependencies": true,
                "workspaceDiagnostics": false,
            });
        }
        json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "leaklint", "version": env!("CARGO_PKG_VERSION") },
        })
    }

    pub(super) fn initialized(&mut self) {
        for problem in std::mem::take(&mut self.settings_problems) {
            self.show(MessageType::WARNING, &format!("leaklint: {problem}"));
        }
        self.request_progress();
        if self.caps.watch {
            self.request_client(
                methods::REGISTER_CAPABILITY,
                json!({ "registrations": [{
                    "id": "leaklint-config-watcher",
                    "method": methods::DID_CHANGE_WATCHED_FILES,
                    "registerOptions": { "watchers": [
                        { "globPattern": format!("**/{FILE_NAME}") },
                        // For the project index: sources changed outside the editor.
                        { "globPattern": SOURCE_GLOB },
                    ] },
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

    /// For clients that cannot watch files: read the configuration files again before each
    /// lint (a few `stat`s and a small file), so that an edit to `leaklint.toml` applies at the
    /// next lint; clear the errors of files that have been fixed.
    pub(super) fn refresh_configs(&mut self) {
        self.configs = configs(&base_dir(&self.roots));
        let base = base_dir(&self.roots);
        let broken: Vec<PathBuf> = self.config_errors.iter().cloned().collect();
        for path in broken {
            if !path.is_file() || Config::load(&path, &base).is_ok() {
                self.clear_config_error(&path);
            }
        }
    }

    pub(super) fn clear_config_error(&mut self, path: &Path) {
        self.config_errors.remove(path);
        self.shown_config_errors.remove(path);
        if let Some(uri) = convert::uri_of(path) {
            self.publish(&uri, None, json!([]));
        }
    }

    /// `leaklint.toml` (or the settings, or the workspace folders) changed: forget every loaded
    /// configuration, check the changed files and re-lint every open document.
    pub(super) fn reload(&mut self, changed: &[PathBuf]) {
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
            self.request_client(methods::DIAGNOSTIC_REFRESH, Value::Null);
        }
    }

    /// Loads each existing configuration file of `paths` to report its errors.
    pub(super) fn validate_configs(&mut self, paths: &[PathBuf]) {
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
    pub(super) fn config_error(&mut self, e: &ConfigError) {
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

pub(super) fn configs(base: &Path) -> Configs {
    // Without an explicit configuration file, `Configs::new` reads nothing and cannot fail.
    match Configs::new(base, None) {
        Ok(configs) => configs,
        Err(e) => unreachable!("no explicit configuration: {e}"),
    }
}

/// Where relative paths in messages start: the first workspace folder, or the current
/// directory.
pub(super) fn base_dir(roots: &[PathBuf]) -> PathBuf {
    roots
        .first()
        .cloned()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

pub(super) fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
}

/// As on the command line: `ignore` globs of the configuration, and `node_modules`.
pub(super) fn is_ignored(path: &Path, config: &Config) -> bool {
    config.ignore.matched(path).is_some()
        || path.components().any(|c| c.as_os_str() == "node_modules")
}

pub(super) fn config_docs_url() -> String {
    format!(
        "{}/blob/main/README.md#configuration-leaklinttoml",
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// From the error's position to the end of its line (the key or value at fault), or the
/// start of the file.
pub(super) fn config_error_range(e: &ConfigError) -> Range {
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
pub(super) fn workspace_roots(params: &Value) -> Vec<PathBuf> {
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
