//! Shared helpers for the rules crate's tests: lint a text on a big-stack thread.
#![allow(dead_code)]

use leaklint_rules::deploy::{Context, DeployKind};
use leaklint_rules::{FileLint, Flavor, InProject, Knowledge, LineIndex, ParseError, lint};

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

/// How a fixture is linted, from its file name: JavaScript/TypeScript, or a deployment file.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Source(Flavor),
    Deployment(DeployKind),
}

impl Kind {
    /// The kind for a file name, as the walker decides it (a YAML file is a Kubernetes
    /// manifest, whatever its text: fixtures are written to be).
    pub fn of(name: &str) -> Option<Kind> {
        DeployKind::from_path(name)
            .map(Kind::Deployment)
            .or_else(|| Flavor::from_path(name).map(Kind::Source))
    }
}

/// Lints `src` as a file of this kind with every rule enabled.
pub fn lint_kind(src: &str, kind: Kind, context: Context) -> Result<FileLint, ParseError> {
    let src = src.to_string();
    std::thread::Builder::new()
        .stack_size(leaklint_rules::STACK_SIZE)
        .spawn(move || match kind {
            Kind::Source(flavor) => lint(&src, flavor, &|_| true, &Knowledge::default()),
            Kind::Deployment(deploy) => match deploy.flavor() {
                Some(flavor) => {
                    let project = InProject {
                        ecosystem: Some(&context),
                        ..InProject::default()
                    };
                    leaklint_rules::lint_in_project(
                        &src,
                        flavor,
                        &|_| true,
                        &Knowledge::default(),
                        &project,
                    )
                    .map(|(lint, _)| lint)
                }
                None => leaklint_rules::lint_deployment(&src, deploy, &context, &|_| true),
            },
        })
        .expect("spawn")
        .join()
        .expect("lint panicked")
}
