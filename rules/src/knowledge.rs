//! Project knowledge from `leaklint.toml` that the model cannot infer from one file.

/// Names a project teaches the model (design §4 "project knowledge").
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    /// Extra method names that register per-request handlers, e.g. `"action"` for
    /// `router.action('/x', handler)`.
    pub handler_registrars: Vec<String>,
    /// Extra global or imported names whose values live for the whole process, e.g. `"bus"`.
    pub long_lived: Vec<String>,
    /// Extra constructors of bounded (LRU) caches.
    pub lru_constructors: Vec<String>,
    /// Extra HTTP client names.
    pub http_clients: Vec<String>,
}
