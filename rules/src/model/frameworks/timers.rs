//! Timers as registrars: the callback of `setInterval` runs once per tick. (The timer-leak rule
//! asks separately whether the interval itself is ever cleared.)

use super::super::roles::Frequency;
use super::{Registration, Site};

/// `timers.setInterval(fn, ms)`, `globalThis.setInterval(fn, ms)`.
pub(super) fn interval<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    matches!(
        site.receiver_text,
        "timers" | "global" | "globalThis" | "window"
    )
    .then(|| {
        (
            site.role(Frequency::PerTick),
            site.args.iter().copied().take(1).collect(),
        )
    })
}
