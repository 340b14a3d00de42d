//! The LSP methods the server handles or sends, taken from `lsp-types`' typed requests and
//! notifications (`Request::METHOD`, `Notification::METHOD`) instead of string literals, so
//! that a misspelt method is a compile error. Usable as `match` patterns.

use lsp_types::notification::{self as n, Notification};
use lsp_types::request::{self as r, Request};

// Requests from the client.
pub const INITIALIZE: &str = r::Initialize::METHOD;
pub const SHUTDOWN: &str = r::Shutdown::METHOD;
pub const DIAGNOSTIC: &str = r::DocumentDiagnosticRequest::METHOD;
pub const CODE_ACTION: &str = r::CodeActionRequest::METHOD;
pub const HOVER: &str = r::HoverRequest::METHOD;

// Notifications from the client.
pub const INITIALIZED: &str = n::Initialized::METHOD;
pub const EXIT: &str = n::Exit::METHOD;
pub const DID_OPEN: &str = n::DidOpenTextDocument::METHOD;
pub const DID_CHANGE: &str = n::DidChangeTextDocument::METHOD;
pub const DID_SAVE: &str = n::DidSaveTextDocument::METHOD;
pub const DID_CLOSE: &str = n::DidCloseTextDocument::METHOD;
pub const DID_CHANGE_WATCHED_FILES: &str = n::DidChangeWatchedFiles::METHOD;
pub const DID_CHANGE_CONFIGURATION: &str = n::DidChangeConfiguration::METHOD;
pub const DID_CHANGE_WORKSPACE_FOLDERS: &str = n::DidChangeWorkspaceFolders::METHOD;
pub const CANCEL_REQUEST: &str = n::Cancel::METHOD;

// Sent by the server.
pub const PUBLISH_DIAGNOSTICS: &str = n::PublishDiagnostics::METHOD;
pub const SHOW_MESSAGE: &str = n::ShowMessage::METHOD;
pub const LOG_MESSAGE: &str = n::LogMessage::METHOD;
pub const REGISTER_CAPABILITY: &str = r::RegisterCapability::METHOD;
pub const DIAGNOSTIC_REFRESH: &str = r::WorkspaceDiagnosticRefresh::METHOD;
pub const WORK_DONE_PROGRESS_CREATE: &str = r::WorkDoneProgressCreate::METHOD;
pub const PROGRESS: &str = n::Progress::METHOD;
