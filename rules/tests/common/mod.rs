//! Shared helpers for the rules crate's tests: lint a text on a big-stack thread.
#![allow(dead_code)]

use leaklint_rules::{FileLint, Flavor, Knowledge, LineIndex, ParseError, lint};

/// Lints `src` as a file of this flavour with every rule enabled.
pub fn lint_text(src: &str, flavor: Flavor) -> Result<FileLint, ParseError> {
    let src = src.to_string();
    std::thread::Builder::new()
        .stack_size(leaklint_rules::STACK_SIZE)
        .spawn(move || lint(&src, flavor, &|_| true, &Knowledge::default()))
        .expect("spawn")
        .join()
        .expect("lint panicked")
}

/// `(line, rule id)` of each finding, 1-based lines.
pub fn finding_lines(src: &str, out: &FileLint) -> Vec<(usize, String)> {
    let idx = LineIndex::new(src);
    out.findings
        .iter()
        .map(|f| (idx.position(src, f.span.start).line, f.rule.id.to_string()))
        .collect()
}
