//! What the fuzz targets share: linting text the way the command line does, on a thread with
//! the stack size leaklint lints with (libFuzzer's own thread has 8 MiB, less than leaklint's
//! limits are sized for), and the panic policy.
//!
//! Panics: libfuzzer-sys aborts on every panic, also one that leaklint catches. cargo-fuzz
//! builds with debug assertions, and swc's parser has `debug_assert!`s that arbitrary input
//! trips (they are compiled out of leaklint's release builds, where such input is a parse
//! error; see the swc issue texts of `rules/src/limits.rs`). So a panic raised inside an swc
//! crate is left to leaklint, which reports the file and goes on; any other panic aborts and
//! is a finding.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

use leaklint::config::Config;
use leaklint::engine::{LintOptions, Outcome, lint_detached};
use leaklint_rules::Flavor;

/// Set when a panic came from inside swc (see the module comment).
static SWC_PANICKED: AtomicBool = AtomicBool::new(false);

/// Installs the panic policy; call at the start of every target.
pub fn panic_policy() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_swc = info.location().is_some_and(|l| l.file().contains("/swc_"));
            if in_swc && cfg!(debug_assertions) {
                SWC_PANICKED.store(true, Ordering::SeqCst);
                return;
            }
            default(info);
            std::process::abort();
        }));
    });
}

/// Lints `text` as the file `name` with `config` and every rule on, unused directives reported.
/// Aborts (a fuzz finding) when leaklint reports an internal error of its own.
pub fn lint(name: &str, text: &[u8], config: Config) {
    panic_policy();
    SWC_PANICKED.store(false, Ordering::SeqCst);
    let flavor = Flavor::from_path(name).expect("a JavaScript or TypeScript name");
    let opts = LintOptions {
        report_unused_directives: true,
        // No per-file budget: a slow input must reach libFuzzer's -timeout as a hang (a finding),
        // not be given up on quietly while its thread runs on in the fuzzing process.
        file_budget: Some(std::time::Duration::ZERO),
        ..LintOptions::default()
    };
    let outcome = lint_detached(
        name.to_owned(),
        text.to_vec(),
        leaklint::walk::FileKind::Source(flavor),
        Arc::new(config),
        opts,
    );
    if let Outcome::Failed { error, .. } = outcome
        && !SWC_PANICKED.load(Ordering::SeqCst)
    {
        panic!("{error}");
    }
}

/// The built-in configuration.
pub fn defaults() -> Config {
    Config::defaults(Path::new("/fuzz"))
}
