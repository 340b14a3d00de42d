//! leaklint's rules: parsing, the per-file semantic model, and one module per rule.
//!
//! The single entry point is [`lint`]: parse once, resolve once, build the [`model::Model`] once,
//! then run every enabled rule against it. The CLI, the LSP server and the tests all call it.

pub mod blanket_heap_limit;
pub mod closure_retains_large;
pub mod deploy;
pub mod diagnostics_off;
pub mod finding;
pub mod global_state_growth;
pub mod knowledge;
pub mod limits;
pub mod line_index;
pub mod listener_leak;
pub mod max_listeners_disabled;
pub mod model;
pub mod parse;
pub mod progress;
pub mod project;
mod registry;
pub mod scheduled_restart;
pub mod timer_leak;
mod triggers;
pub mod unbounded_cache;
pub mod untimed_promise;

pub use finding::{
    Confidence, Draft, Finding, Label, Signature, SignatureKind, Span, Step, StepKind, chain_text,
};
pub use knowledge::Knowledge;
pub use line_index::LineIndex;
pub use parse::{Flavor, ParseError};
use progress::Phase;
pub use registry::{ALL, find_rule};

/// How sure a rule is, and so how a finding is reported by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Information: a setting worth knowing about, never a failure (SARIF `note`, GitHub
    /// `notice`, LSP Information). Does not change the exit status.
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What leaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Listeners,
    Caches,
    Globals,
    Closures,
    Promises,
    Timers,
    /// Deployment settings that hide leaks or make them costly to find.
    Deployment,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Listeners => "listeners",
            Category::Caches => "caches",
            Category::Globals => "globals",
            Category::Closures => "closures",
            Category::Promises => "promises",
            Category::Timers => "timers",
            Category::Deployment => "deployment",
        }
    }
}

/// A rule's identity and documentation. Declared with [`declare_rule!`].
#[derive(Debug)]
pub struct Meta {
    /// Stable kebab-case id used in configs, suppression comments and SARIF.
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// Markdown: a one-line summary, then `### Why it leaks`, `### Bad`, `### Good`, `### How to fix`.
    pub docs: &'static str,
    /// `file:line` of the declaration, for contributors.
    pub source: &'static str,
    /// Substrings without which the rule cannot fire (`.on` for a listener registration). A
    /// file that contains none of the enabled rules' triggers is parsed, so syntax errors are
    /// still reported, but never resolved or modelled: on real code that skips most files.
    /// Keep them short and certain; a trigger that misses a case hides findings.
    pub triggers: &'static [&'static str],
    /// When not empty, the rule also needs one of these: for rules about code that repeats with
    /// traffic, the registrars and handler shapes of [`model::REPEATING_CODE`].
    pub requires: &'static [&'static str],
    /// Triggers that open the rule on their own, without [`Meta::requires`]: shapes that leak
    /// per call of library code (`global.registry.set(`, a registration handle dropped).
    pub standalone: &'static [&'static str],
    /// What the rule reads: JavaScript/TypeScript source, or deployment files.
    pub reads: Reads,
}

/// The input a rule checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// JavaScript and TypeScript source, through the [`model::Model`] ([`Rule::check`]).
    Source,
    /// Deployment files, through the [`deploy::Deployment`] model
    /// ([`Rule::check_deployment`]). Triggers are looked for in the file's text.
    Deployment,
}

impl Meta {
    /// Could this rule fire on `src` at all? Extra handler registrars from the configuration
    /// count as repeating code too.
    pub fn triggered_by(&self, src: &str, knowledge: &Knowledge) -> bool {
        (self.triggers.iter().any(|t| src.contains(t))
            && (self.requires.is_empty()
                || !knowledge.handler_registrars.is_empty()
                || self.requires.iter().any(|t| src.contains(t))))
            || self.standalone.iter().any(|t| src.contains(t))
    }
}

impl Meta {
    /// The first line of the docs.
    pub fn summary(&self) -> &'static str {
        self.docs
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }

    /// Where the rule's documentation lives online (SARIF `helpUri`, LSP `codeDescription`).
    pub fn docs_url(&self) -> String {
        format!(
            "{}/blob/main/README.md#{}",
            env!("CARGO_PKG_REPOSITORY"),
            self.id
        )
    }
}

/// A rule's identity: implemented by [`declare_rule!`], which writes the rule's [`Meta`].
pub trait Declared {
    fn meta(&self) -> &'static Meta;
}

/// A rule: checks one file through the shared model and reports what it finds. A rule
/// implements the check for the input its [`Meta::reads`] names; the other one is never
/// called for it. Its [`Meta`] comes from [`declare_rule!`] ([`Declared`]).
pub trait Rule: Declared + Sync {
    /// Checks a JavaScript or TypeScript file ([`Reads::Source`]).
    fn check(&self, model: &model::Model<'_>, cx: &mut RuleContext<'_>) {
        let _ = (model, cx);
    }
    /// Checks a deployment file ([`Reads::Deployment`]).
    fn check_deployment(&self, deployment: &deploy::Deployment<'_>, cx: &mut RuleContext<'_>) {
        let _ = (deployment, cx);
    }
}

/// Where a running rule reports: it knows which rule runs, so every [`Finding`] it collects
/// carries that rule's [`Meta`] and a rule cannot report under another id.
pub struct RuleContext<'f> {
    rule: &'static Meta,
    found: &'f mut Vec<Finding>,
}

impl<'f> RuleContext<'f> {
    fn new(rule: &'static Meta, found: &'f mut Vec<Finding>) -> RuleContext<'f> {
        RuleContext { rule, found }
    }

    /// The rule that is running.
    pub fn rule(&self) -> &'static Meta {
        self.rule
    }

    /// Reports a finding of the running rule.
    pub fn report(&mut self, draft: Draft) {
        self.found.push(draft.stamp(self.rule));
    }
}

/// Declares a rule's unit struct, its [`Meta`] from doc comments, and its [`Declared`] impl
/// (`meta()`); the rule then implements [`Rule`]'s checks only.
///
/// ```text
/// declare_rule! {
///     /// One-line summary.
///     /// ### Why it leaks
///     /// ...
///     pub ListenerLeak {
///         id: "listener-leak",
///         severity: Error,
///         category: Listeners,
///         triggers: [".on(", "Listener("],
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub $name:ident {
            id: $id:literal,
            severity: $sev:ident,
            category: $cat:ident,
            triggers: [$($trigger:literal),+ $(,)?]
            $(, requires: $requires:expr)?
            $(, standalone: [$($alone:literal),+ $(,)?])?
            $(, reads: $reads:ident)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::Meta = $crate::Meta {
                id: $id,
                severity: $crate::Severity::$sev,
                category: $crate::Category::$cat,
                docs: concat!($($doc, "\n"),*),
                source: concat!(file!(), ":", line!()),
                triggers: &[$($trigger),+],
                requires: {
                    #[allow(unused_variables)]
                    let requires: &'static [&'static str] = &[];
                    $(let requires: &'static [&'static str] = $requires;)?
                    requires
                },
                standalone: &[$($($alone),+)?],
                reads: {
                    #[allow(unused_variables)]
                    let reads = $crate::Reads::Source;
                    $(let reads = $crate::Reads::$reads;)?
                    reads
                },
            };
        }

        impl $crate::Declared for $name {
            fn meta(&self) -> &'static $crate::Meta {
                &Self::META
            }
        }
    };
}

/// A comment in the source, for suppression directives.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CommentText {
    /// Byte range of the whole comment, delimiters included.
    pub span: Span,
    /// The text between the delimiters.
    pub text: String,
    /// `/* */` (true) or `//` / `#` (false).
    pub block: bool,
}

/// What linting one file produced.
#[derive(Debug)]
pub struct FileLint {
    /// Sorted by position.
    pub findings: Vec<Finding>,
    /// Every comment that contains `leaklint-` (suppression directives), in source order.
    pub comments: Vec<CommentText>,
    /// Time spent in each phase, for `--timings`.
    pub timings: Timings,
}

/// Wall time per phase of [`lint`], and what was built, for `LEAKLINT_TIMINGS`. Adds up
/// across files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Parsing, including the limits pre-scan ([`limits::check`]).
    pub parse: std::time::Duration,
    /// Of `parse`: the limits pre-scan.
    pub limits: std::time::Duration,
    /// The trigger scan ([`triggers::Present::scan`]).
    pub triggers: std::time::Duration,
    pub resolve: std::time::Duration,
    pub model: std::time::Duration,
    /// The project summary (from the model).
    pub summary: std::time::Duration,
    pub rules: std::time::Duration,
    /// Freeing the syntax tree and the model.
    pub drop: std::time::Duration,
    /// Files (1 for one file) whose model was built because a rule could fire, and their bytes.
    pub modeled: Built,
    /// Files whose model was built only for the project summary, and their bytes.
    pub summarized_only: Built,
}

/// A count of files and their bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Built {
    pub files: usize,
    pub bytes: usize,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, o: Timings) {
        self.parse += o.parse;
        self.limits += o.limits;
        self.triggers += o.triggers;
        self.resolve += o.resolve;
        self.model += o.model;
        self.summary += o.summary;
        self.rules += o.rules;
        self.drop += o.drop;
        self.modeled.files += o.modeled.files;
        self.modeled.bytes += o.modeled.bytes;
        self.summarized_only.files += o.summarized_only.files;
        self.summarized_only.bytes += o.summarized_only.bytes;
    }
}

/// Lints one file's text. `enabled` decides which rules run. Runs on the calling thread: callers
/// give it a thread with a large stack (see [`STACK_SIZE`]) because swc recurses per nesting level.
pub fn lint(
    src: &str,
    flavor: Flavor,
    enabled: &dyn Fn(&'static Meta) -> bool,
    knowledge: &Knowledge,
) -> Result<FileLint, ParseError> {
    lint_in_project(src, flavor, enabled, knowledge, &InProject::default()).map(|(lint, _)| lint)
}

/// How a file takes part in a whole-project run (see [`project`]).
#[derive(Clone, Copy, Default)]
pub struct InProject<'a> {
    /// Also return the file's [`project::Summary`], under this display path.
    pub summarize: Option<&'a str>,
    /// What the project phase found out about this file.
    pub facts: Option<&'a project::FileFacts>,
    /// The file is also a PM2 ecosystem file ([`deploy::DeployKind::Pm2Script`]): its
    /// exported apps are checked by the deployment rules too, from the same parse.
    pub ecosystem: Option<&'a deploy::Context>,
    /// Summarise the file (under [`InProject::summarize`]) even when its text holds nothing a
    /// rule or the project phase looks for: another file calls into it, so it may be a link in
    /// a chain of calls (a controller between the route that registers it and the service that
    /// leaks). A file whose text imports nothing (no `require`, no `import`) is still not
    /// summarised: it ends any chain.
    pub demanded: bool,
}

/// [`lint`] as part of a project: also summarises the file (when asked) and lints with the
/// project's facts about it. A file with facts that can add findings runs every rule its
/// triggers allow, even without repeating code of its own: its callers elsewhere repeat.
pub fn lint_in_project(
    src: &str,
    flavor: Flavor,
    enabled: &dyn Fn(&'static Meta) -> bool,
    knowledge: &Knowledge,
    project: &InProject<'_>,
) -> Result<(FileLint, Option<project::Summary>), ParseError> {
    use std::time::Instant;
    parse::with_globals(|| {
        let mut timings = Timings::default();
        let t = Instant::now();
        progress::enter(Phase::Parse);
        let mut parsed = parse::parse_only_timed(src, flavor, &mut timings.limits)?;
        timings.parse = t.elapsed();
        // A PM2 ecosystem script: its apps are read off the parsed program before resolving.
        let deployment_findings = match project.ecosystem {
            Some(context) => {
                let apps = deploy::pm2::exported(&parsed.program);
                let kind = deploy::DeployKind::Pm2Script;
                let deployment = deploy::read(src, kind, context, apps)?;
                check_deployment(&deployment, enabled)
            }
            None => Vec::new(),
        };
        let t = Instant::now();
        let present = triggers::Present::scan(src);
        timings.triggers = t.elapsed();
        let repeats_elsewhere = project.facts.is_some_and(|f| f.can_add());
        let rules: Vec<&dyn Rule> = ALL
            .iter()
            .copied()
            .filter(|r| {
                r.meta().reads == Reads::Source
                    && enabled(r.meta())
                    && (present.triggers(r.meta(), knowledge)
                        || (repeats_elsewhere && present.own(r.meta()))
                        || calls_http_elsewhere(r.meta(), src, knowledge, project.facts))
            })
            .collect();
        let summarize = project.summarize.filter(|_| {
            (project.demanded && project::leads_on(src))
                || !rules.is_empty()
                || present.repeating()
                || ALL.iter().any(|r| {
                    r.meta().reads == Reads::Source && enabled(r.meta()) && present.own(r.meta())
                })
                || project::worth_summarizing(src)
        });
        if rules.is_empty() && summarize.is_none() {
            let comments = collect_comments(&parsed.comments);
            let t = Instant::now();
            drop(parsed);
            timings.drop = t.elapsed();
            return Ok((
                FileLint {
                    findings: deployment_findings,
                    comments,
                    timings,
                },
                None,
            ));
        }
        let built = Built {
            files: 1,
            bytes: src.len(),
        };
        if rules.is_empty() {
            timings.summarized_only = built;
        } else {
            timings.modeled = built;
        }
        let t = Instant::now();
        progress::enter(Phase::Resolve);
        parse::resolve(&mut parsed, flavor);
        timings.resolve = t.elapsed();
        let t = Instant::now();
        progress::enter(Phase::Model);
        let model = model::Model::build_with(&parsed, src, knowledge, project.facts);
        timings.model = t.elapsed();
        let t = Instant::now();
        let summary = summarize.map(|display| project::summarize(&model, &parsed.program, display));
        timings.summary = t.elapsed();
        let t = Instant::now();
        let mut findings = Vec::new();
        for rule in rules {
            progress::enter(Phase::Rule(rule_index(rule.meta())));
            rule.check(&model, &mut RuleContext::new(rule.meta(), &mut findings));
        }
        findings.extend(deployment_findings);
        findings.sort_by_key(|f| (f.span.start, f.span.end, f.rule.id));
        timings.rules = t.elapsed();
        let comments = collect_comments(&parsed.comments);
        let t = Instant::now();
        drop(model);
        drop(parsed);
        timings.drop = t.elapsed();
        Ok((
            FileLint {
                findings,
                comments,
                timings,
            },
            summary,
        ))
    })
}

/// Lints a deployment file (see [`deploy`]) with the enabled deployment rules. A PM2
/// ecosystem *script* goes through [`lint_in_project`] with [`InProject::ecosystem`] instead,
/// since it is JavaScript too.
///
/// Errors: the file does not parse in its syntax (YAML, JSON, Dockerfile lines, a systemd
/// unit's `Key=value` lines), with the byte offset where reading stopped.
pub fn lint_deployment(
    src: &str,
    kind: deploy::DeployKind,
    context: &deploy::Context,
    enabled: &dyn Fn(&'static Meta) -> bool,
) -> Result<FileLint, ParseError> {
    let t = std::time::Instant::now();
    progress::enter(Phase::Parse);
    let deployment = deploy::read(src, kind, context, None)?;
    let parse = t.elapsed();
    let t = std::time::Instant::now();
    let mut findings = check_deployment(&deployment, enabled);
    findings.sort_by_key(|f| (f.span.start, f.span.end, f.rule.id));
    let json = matches!(
        kind,
        deploy::DeployKind::Pm2Json | deploy::DeployKind::PackageJson
    );
    Ok(FileLint {
        findings,
        comments: if json { Vec::new() } else { hash_comments(src) },
        timings: Timings {
            parse,
            rules: t.elapsed(),
            ..Timings::default()
        },
    })
}

/// Runs the enabled deployment rules whose triggers are in the file's text.
fn check_deployment(
    deployment: &deploy::Deployment<'_>,
    enabled: &dyn Fn(&'static Meta) -> bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in ALL.iter().copied().filter(|r| {
        let meta = r.meta();
        meta.reads == Reads::Deployment
            && enabled(meta)
            && meta.triggers.iter().any(|t| deployment.text.contains(t))
    }) {
        progress::enter(Phase::Rule(rule_index(rule.meta())));
        rule.check_deployment(
            deployment,
            &mut RuleContext::new(rule.meta(), &mut findings),
        );
    }
    findings
}

/// The position of a rule in [`ALL`], for [`progress`].
fn rule_index(meta: &'static Meta) -> usize {
    ALL.iter()
        .position(|r| r.meta().id == meta.id)
        .unwrap_or(usize::MAX)
}

/// `#` comments that hold a directive (YAML, Dockerfile, Procfile, systemd units): a `#` at
/// the start of a line or after a blank, to the end of the line. A `#` inside a quoted YAML
/// string after a blank is taken as a comment too; it only matters when it spells a directive.
fn hash_comments(src: &str) -> Vec<CommentText> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.contains(parse::DIRECTIVE_PREFIX) {
            let hash = body
                .char_indices()
                .find(|&(i, c)| c == '#' && (i == 0 || body[..i].ends_with([' ', '\t'])))
                .map(|(i, _)| i);
            if let Some(i) = hash {
                let text = &body[i + 1..];
                if text.contains(parse::DIRECTIVE_PREFIX) {
                    out.push(CommentText {
                        span: Span::new(offset + i, offset + body.len()),
                        text: text.to_string(),
                        block: false,
                    });
                }
            }
        }
        offset += line.len();
    }
    out
}

/// HTTP calls the untimed-promise rule's own triggers cannot see: a project function that
/// forwards to an HTTP client (known from the project phase), or a client named in
/// `[knowledge] http_clients`.
fn calls_http_elsewhere(
    meta: &Meta,
    src: &str,
    knowledge: &Knowledge,
    facts: Option<&project::FileFacts>,
) -> bool {
    meta.id == untimed_promise::UntimedPromise::META.id
        && (facts.is_some_and(|f| !f.http_wrappers.is_empty() || !f.untimed_clients.is_empty())
            || knowledge
                .http_clients
                .iter()
                .any(|c| src.contains(c.as_str())))
}

/// Stack size for threads that call [`lint`]. Reserved, not committed: only deep input uses it.
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

fn collect_comments(comments: &swc_common::comments::SingleThreadedComments) -> Vec<CommentText> {
    let (leading, trailing) = comments.borrow_all();
    let mut out: Vec<CommentText> = leading
        .values()
        .chain(trailing.values())
        .flatten()
        .filter(|c| c.text.contains(parse::DIRECTIVE_PREFIX))
        .map(|c| CommentText {
            span: Span::from_swc(c.span),
            text: c.text.to_string(),
            block: c.kind == swc_common::comments::CommentKind::Block,
        })
        .collect();
    out.sort_by_key(|c| c.span.start);
    out.dedup_by_key(|c| c.span.start);
    out
}
