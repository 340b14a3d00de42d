//! The leaklint application: command line, file walking, configuration, suppression comments,
//! parallel linting and reports. The rules themselves live in the `leaklint-rules` crate.

pub mod app;
pub mod baseline;
pub mod budget;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod exit;
pub mod globs;
pub mod heap;
pub mod lsp;
pub mod output;
pub mod paths;
pub mod project;
pub mod record;
pub mod report;
pub mod source;
pub mod suppress;
pub mod trend;
pub mod walk;

pub use app::run;
