//! Where the lint of a file is (reading, parsing, modelling, which rule...), published for a
//! watchdog on another thread: the command line's per-file time budget reports the phase a file
//! was in when it ran out of time, so that a slow file says whether the parser, the model or a
//! rule was slow.
//!
//! A thread that wants its progress watched installs a [`Progress`] with [`watch`]; [`enter`]
//! then stores each phase there (one relaxed atomic store, a handful per file). Threads that
//! installed nothing (tests, the fuzz targets, the language server) pay one thread-local read
//! per phase. It is thread-local rather than a parameter because the phases are entered deep
//! inside [`crate::lint_in_project`], whose callers all over the command line and the language
//! server have no use for it.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A phase of linting one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Between files, or before the first phase below.
    Idle,
    /// Reading the file's bytes and decoding them.
    Read,
    /// The limits pre-scan and swc's parser (or a deployment file's reader).
    Parse,
    /// swc's identifier resolution.
    Resolve,
    /// Building the [`crate::model::Model`] and the file's project summary.
    Model,
    /// One rule's `check`: the index of the rule in [`crate::ALL`].
    Rule(usize),
    /// After linting: severities, suppression directives, positions.
    Report,
}

impl Phase {
    fn encode(self) -> u32 {
        match self {
            Phase::Idle => 0,
            Phase::Read => 1,
            Phase::Parse => 2,
            Phase::Resolve => 3,
            Phase::Model => 4,
            Phase::Report => 5,
            Phase::Rule(i) => 16 + u32::try_from(i).unwrap_or(u32::MAX - 16),
        }
    }

    fn decode(code: u32) -> Phase {
        match code {
            1 => Phase::Read,
            2 => Phase::Parse,
            3 => Phase::Resolve,
            4 => Phase::Model,
            5 => Phase::Report,
            16.. => Phase::Rule((code - 16) as usize),
            _ => Phase::Idle,
        }
    }
}

impl fmt::Display for Phase {
    /// Words for a message: "it was parsing", "it was running the rule `listener-leak`".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Idle => f.write_str("starting"),
            Phase::Read => f.write_str("reading the file"),
            Phase::Parse => f.write_str("parsing"),
            Phase::Resolve => f.write_str("resolving identifiers"),
            Phase::Model => f.write_str("building the model"),
            Phase::Rule(i) => match crate::ALL.get(*i) {
                Some(rule) => write!(f, "running the rule `{}`", rule.meta().id),
                None => f.write_str("running a rule"),
            },
            Phase::Report => f.write_str("applying suppression directives"),
        }
    }
}

/// The phase one thread is in, readable from any thread.
#[derive(Debug, Default)]
pub struct Progress(AtomicU32);

impl Progress {
    pub fn get(&self) -> Phase {
        Phase::decode(self.0.load(Ordering::Relaxed))
    }

    pub fn set(&self, phase: Phase) {
        self.0.store(phase.encode(), Ordering::Relaxed);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Progress>>> = const { RefCell::new(None) };
}

/// From now on, [`enter`] on this thread stores its phase in `progress`.
pub fn watch(progress: Arc<Progress>) {
    CURRENT.with(|c| *c.borrow_mut() = Some(progress));
}

/// This thread enters `phase` (published only when the thread is watched).
pub fn enter(phase: Phase) {
    CURRENT.with(|c| {
        if let Some(progress) = &*c.borrow() {
            progress.set(phase);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_round_trip_and_read_as_words() {
        for phase in [
            Phase::Idle,
            Phase::Read,
            Phase::Parse,
            Phase::Resolve,
            Phase::Model,
            Phase::Report,
            Phase::Rule(0),
            Phase::Rule(crate::ALL.len() - 1),
        ] {
            assert_eq!(Phase::decode(phase.encode()), phase);
        }
        assert_eq!(Phase::Parse.to_string(), "parsing");
        let listener = crate::ALL
            .iter()
            .position(|r| r.meta().id == "listener-leak")
            .unwrap();
        assert_eq!(
            Phase::Rule(listener).to_string(),
            "running the rule `listener-leak`"
        );
    }

    #[test]
    fn a_watched_thread_publishes_its_phase_and_others_do_not() {
        enter(Phase::Model); // not watched: nothing to store, nothing fails
        let progress = Arc::new(Progress::default());
        let seen = Arc::clone(&progress);
        std::thread::spawn(move || {
            watch(progress);
            enter(Phase::Resolve);
        })
        .join()
        .unwrap();
        assert_eq!(seen.get(), Phase::Resolve);
    }
}
