//! Project knowledge from `leaklint.toml` that the model cannot infer from one file.

/// Names a project teaches the model (design §4 "project knowledge").
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    /// Extra method names that register per-request handlers, e.g. `"action"` for
    /// `router.action('/x', handler)`.
    pub handler_registrars: Vec<String>,
    /// Extra global or imported names whose values live for the whole process, e.g. `"bus"`.
    pub long_lived: Vec<String>,
    /// Accepted from older configurations and unused: only `Map`, `Set`, arrays and plain
    /// objects are ever unbounded collections, so a bounded cache needs no listing.
    pub lru_constructors: Vec<String>,
    /// Extra HTTP clients: functions or modules whose calls in repeating code need a `timeout`
    /// or `signal` (read by untimed-promise).
    pub http_clients: Vec<String>,
}
