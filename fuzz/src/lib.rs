//! What the fuzz targets share: linting text the way the command line does, on a thread with
//! the stack size leaklint lints with (libFuzzer's own thread has 8 MiB, less than leaklint's
//! limits are sized for).

use std::path::Path;
use std::sync::Arc;

use leaklint::config::Config;
use leaklint::engine::{LintOptions, Outcome, lint_detached};
use leaklint_rules::Flavor;

/// Lints `text` as the file `name` with `config` and every rule on, unused directives reported.
/// Panics (a fuzz finding) when leaklint reports an internal error instead of a result.
pub fn lint(name: &str, text: &[u8], config: Config) {
    let flavor = Flavor::from_path(name).expect("a JavaScript or TypeScript name");
    let opts = LintOptions {
        report_unused_directives: true,
        ..LintOptions::default()
    };
    let outcome = lint_detached(
        name.to_owned(),
        text.to_vec(),
        flavor,
        Arc::new(config),
        opts,
    );
    if let Outcome::Failed { error, .. } = outcome {
        panic!("{error}");
    }
}

/// The built-in configuration.
pub fn defaults() -> Config {
    Config::defaults(Path::new("/fuzz"))
}
