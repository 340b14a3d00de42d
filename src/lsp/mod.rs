//! `leaklint lsp`: a language server on standard input and output, for editors.
//!
//! Built on `lsp-types` (the protocol's types) with its own small JSON-RPC transport
//! (`transport.rs`) and a synchronous main loop (`server.rs`). There is no async runtime: the
//! work is CPU-bound parsing on a thread with a big stack (`worker.rs`), and everything else is
//! cheap bookkeeping on one thread.
//!
//! What the server supports:
//! - text sync: open, close, incremental change, save; UTF-16 positions;
//! - diagnostics, pushed (`textDocument/publishDiagnostics`) or, when the client supports it,
//!   pulled (`textDocument/diagnostic`): the same per-file path as the command line
//!   (configuration, enabled rules, lint, suppression directives), a parse error as a
//!   diagnostic at its position;
//! - code actions (`actions.rs`), hover with the rule's documentation;
//! - `leaklint.toml` discovered as on the command line, reloaded on
//!   `workspace/didChangeWatchedFiles`, which also brings sources changed on disk into the
//!   project index (`server/index.rs`); settings in `initializationOptions` and
//!   `workspace/didChangeConfiguration` (`settings.rs`).
//!
//! Nothing from the workspace is ever executed: leaklint only reads source text and
//! `leaklint.toml` files.

mod actions;
mod convert;
mod document;
mod methods;
mod server;
mod settings;
mod transport;
mod worker;

pub use server::{run, serve};
