//! Every rule, in id order. Adding a rule: a file named after its id, a `mod` line in `lib.rs`,
//! and an entry here (`tests/registry.rs` checks the rest).

use crate::{Meta, Rule};

pub static ALL: &[&dyn Rule] = &[
    &crate::blanket_heap_limit::BlanketHeapLimit,
    &crate::closure_retains_large::ClosureRetainsLarge,
    &crate::diagnostics_off::DiagnosticsOff,
    &crate::global_state_growth::GlobalStateGrowth,
    &crate::listener_leak::ListenerLeak,
    &crate::max_listeners_disabled::MaxListenersDisabled,
    &crate::scheduled_restart::ScheduledRestart,
    &crate::timer_leak::TimerLeak,
    &crate::unbounded_cache::UnboundedCache,
    &crate::untimed_promise::UntimedPromise,
];

/// The rule with this id.
pub fn find_rule(id: &str) -> Option<&'static Meta> {
    ALL.iter().map(|r| r.meta()).find(|m| m.id == id)
}
