//! leaklint's runtime half: reading V8 `.heapsnapshot` files, comparing them, and matching
//! growth to static findings (design §5). It knows nothing of swc or of the rules: findings
//! come in as [`Finding`]s with their runtime signature.
//!
//! - [`reader`]: a streaming reader for `.heapsnapshot` and `.heapsnapshot.gz`;
//! - [`filekind`]: what a file that is not a heap snapshot is (CPU or sampling heap profile,
//!   trace, other JSON);
//! - [`sequence`]: whether snapshots are of one process, in order;
//! - [`snapshot`]: the snapshot in columns, class names;
//! - [`graph`]: retainers, shortest retainer paths, dominators and retained sizes, scripts,
//!   context variables, listeners, collections, promises;
//! - [`diff`]: the DevTools Comparison by node id, and growth across three snapshots;
//! - [`summary`]: `leaklint heap summary`;
//! - [`confirm`]: verdicts for findings and unexplained growth;
//! - [`profile`]: sampling heap profiles (`.heapprofile`): allocation sites by sampled bytes;
//! - [`sourcemaps`]: locations in compiled scripts moved to their original sources;
//! - [`script_path`]: script names and `--root` read as paths, for [`confirm`] and
//!   [`sourcemaps`] alike.
//!
//! Class names follow the DevTools of the Node 20 era: `(closure)` for functions, `(string)`,
//! `(concatenated string)`, `(sliced string)`, `(array)` for V8-internal arrays, `(system)` for
//! hidden objects, `(compiled code)`, `(regexp)`, `(number)`, and the constructor name for
//! objects and native nodes (`Object`, `Map`, `Promise`, `system / Context`, `Timeout`, …).
//! Sizes are V8's raw self sizes: unlike current DevTools, the size of an internal array is not
//! moved onto its single owner.

pub mod confirm;
pub mod diff;
pub mod filekind;
pub mod graph;
pub mod profile;
pub mod reader;
pub mod render;
pub mod script_path;
pub mod sequence;
pub mod snapshot;
pub mod sourcemaps;
pub mod summary;

pub use confirm::{Finding, Pos, Signature};
pub use graph::Graph;
pub use reader::{ReadError, ReadOptions, read_snapshot};
pub use snapshot::Snapshot;
