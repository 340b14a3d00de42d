//! SARIF 2.1.0 (`--format sarif`), shaped for GitHub code scanning.
//!
//! One run of one tool. What is in it, and why:
//!
//! - `tool.driver`: name, version, `informationUri`, and every rule leaklint has (the
//!   `leaklint/…` problems included), each with `shortDescription` (the summary line),
//!   `fullDescription` (what it finds, at most 1024 characters as GitHub requires), `help.text`
//!   and `help.markdown` (the rule's documentation, as `leaklint explain` prints it), `helpUri`,
//!   `defaultConfiguration.level`, and `properties` `tags`, `precision` and `problem.severity`.
//! - Results carry `ruleId` and `ruleIndex`, the effective `level`, the message (then the
//!   finding's help), a location relative to `%SRCROOT%` (the working directory or `--root`, see
//!   [`super::artifact`]), a full region (1-based; `endColumn` exclusive; columns in UTF-16 code
//!   units, declared by `columnKind`), `relatedLocations` (where the receiver is declared, where
//!   the handler is registered, and each step of a chain through other files: the callers, the
//!   registration, a singleton's `new`, an HTTP wrapper), `codeFlows` for a finding that other
//!   files make repeat (one `threadFlow` whose `locations` run from the registration through
//!   each caller to the finding, in execution order), `partialFingerprints.primaryLocationLineHash` as GitHub's
//!   upload action computes it (see [`super::fingerprint`]), and the finding's confidence as
//!   `rank` (90 high, 50 medium) and `properties.precision` (`high` | `medium`).
//! - A finding silenced by a `leaklint-disable` comment is still a result, with a `suppressions`
//!   entry of kind `inSource` whose justification is the comment's reason.
//! - A file that does not parse is a `leaklint/parse-error` result (it makes the exit status 1,
//!   so it must be visible where the results are) and also a tool execution notification: that
//!   file was not analysed.
//! - `invocations[0]` has `executionSuccessful` (false when a file could not be read: exit status
//!   2), the exit status, and notifications for unreadable and skipped files.
//! - `automationDetails.id` is written only with `--category NAME` (as `NAME/`: a category and
//!   no run id). The upload-sarif action applies its own `category` input only when the field
//!   is absent, so leaving it out by default lets two uploads with different categories coexist.
//!
//! Nothing depends on the machine: no absolute paths, times or user names, so two runs on the
//! same tree give the same bytes.

use std::collections::BTreeMap;

use leaklint_rules::{Confidence, Meta, Severity, Step, StepKind};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, CodeFlow, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Suppression, ThreadFlow, ThreadFlowLocation, Tool, ToolComponent,
};

use super::RunInfo;
use super::artifact::ArtifactPath;
use crate::report::{Builtin, FileReport, Located, Problem, Report, Source, Suppressed};

/// The schema GitHub's documentation puts in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// `uriBaseId` of every result location.
pub const SRCROOT: &str = "%SRCROOT%";
/// GitHub's limit on `shortDescription` and `fullDescription`.
const MAX_DESCRIPTION: usize = 1024;

pub fn render(report: &Report, run: &RunInfo) -> String {
    let rules = descriptors();
    let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    let index_of = |id: &str| ids.iter().position(|known| known == id).map(|i| i as i64);

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in &report.files {
        let path = run.root.locate(&file.path);
        let hashes = file
            .text
            .as_deref()
            .map(|text| super::fingerprint::line_hashes(text, file.bom));
        let at_line = |line: usize| hashes.as_ref().and_then(|h| h.get(line - 1)).cloned();

        if let Some(parse) = &file.parse_error {
            let id = Builtin::ParseError.id();
            let at = widen_empty(parse.at, file);
            let message = match parse.message.strip_prefix("not analysed: ") {
                Some(why) => format!("{} was not analysed: {why}", file.path),
                None => format!("{} does not parse: {}", file.path, parse.message),
            };
            results.push(result(
                id,
                index_of(id),
                ResultLevel::Error,
                message.clone(),
                location(&path, &at, None),
                Vec::new(),
                at_line(at.start.line),
                None,
            ));
            notifications.push(
                Notification::builder()
                    .level(json!("error"))
                    .message(Message::builder().text(message).build())
                    .locations(vec![location(&path, &at, None)])
                    .associated_rule(
                        ReportingDescriptorReference::builder()
                            .id(id)
                            .index(index_of(id).unwrap_or(0))
                            .build(),
                    )
                    .build(),
            );
        }

        let mut items: Vec<(&Problem, Option<&Suppressed>)> = file
            .problems
            .iter()
            .map(|p| (p, None))
            .chain(file.suppressed.iter().map(|s| (&s.problem, Some(s))))
            .collect();
        items.sort_by_key(|(p, _)| (p.at.span.start, p.at.span.end, p.source.id()));
        for (problem, suppressed) in items {
            let id = problem.source.id();
            let mut related: Vec<Location> = problem
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    location(
                        &path,
                        &label.at,
                        Some((i as i64 + 1, label.message.clone())),
                    )
                })
                .collect();
            for step in &problem.chain {
                let id = related.len() as i64 + 1;
                related.push(step_location(run, step, Some(id)));
            }
            let message = match &problem.help {
                Some(help) => format!("{}\n\nhelp: {help}", problem.message),
                None => problem.message.clone(),
            };
            let at = location(&path, &problem.at, None);
            let mut r = result(
                id,
                index_of(id),
                level(problem.severity),
                message,
                at.clone(),
                related,
                at_line(problem.at.start.line),
                suppressed.map(|s| suppression(&path, s)),
            );
            if let Some(confidence) = problem.confidence {
                confidence_of(&mut r, confidence);
            }
            r.code_flows = code_flow(run, problem, at);
            results.push(r);
        }
    }
    for error in &run.errors {
        notifications.push(notification("error", error));
    }
    for note in &run.notes {
        notifications.push(notification("note", note));
    }

    let mut invocation = Invocation::builder()
        .execution_successful(run.errors.is_empty())
        .exit_code(i64::from(run.exit_code))
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = ToolComponent::builder()
        .name(env!("CARGO_PKG_NAME"))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build();
    let base = ArtifactLocation::builder()
        .description(
            Message::builder()
                .text(
                    "The directory leaklint reports paths against: the working directory, or \
                     --root (in CI, the repository's root).",
                )
                .build(),
        )
        .build();
    let mut sarif_run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .original_uri_base_ids(BTreeMap::from([(SRCROOT.to_owned(), base)]))
        .column_kind(json!("utf16CodeUnits"))
        .invocations(vec![invocation])
        .results(results)
        .build();
    sarif_run.automation_details = run.category.as_deref().map(automation_details);
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![sarif_run])
        .build();
    // Serialising plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// `automationDetails` for category `name`: `id` is `name/`, as upload-sarif writes it (the
/// part before the last `/` is the category; nothing after it means no run id).
fn automation_details(name: &str) -> RunAutomationDetails {
    let id = if name.ends_with('/') {
        name.to_owned()
    } else {
        format!("{name}/")
    };
    RunAutomationDetails::builder().id(id).build()
}

#[allow(clippy::too_many_arguments)]
fn result(
    id: &str,
    index: Option<i64>,
    level: ResultLevel,
    message: String,
    primary: Location,
    related: Vec<Location>,
    line_hash: Option<String>,
    suppression: Option<Suppression>,
) -> SarifResult {
    let mut r = SarifResult::builder()
        .rule_id(id)
        .level(level)
        .message(Message::builder().text(message).build())
        .locations(vec![primary])
        .build();
    r.rule_index = index;
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    if let Some(hash) = line_hash {
        r.partial_fingerprints = Some(BTreeMap::from([(
            "primaryLocationLineHash".to_owned(),
            hash,
        )]));
    }
    r.suppressions = suppression.map(|s| vec![s]);
    r
}

/// How sure the rule is of this result: `properties.precision` (the same words as the rule's
/// `precision`, per result) and `rank` (SARIF 2.1.0 §3.27.24: 0.0 to 100.0, higher is more
/// relevant), so that viewers can sort proven findings first.
fn confidence_of(r: &mut SarifResult, confidence: Confidence) {
    r.rank = Some(match confidence {
        Confidence::High => 90.0,
        Confidence::Medium => 50.0,
    });
    r.properties = Some(
        PropertyBag::builder()
            .additional_properties(BTreeMap::from([(
                "precision".to_owned(),
                json!(confidence.as_str()),
            )]))
            .build(),
    );
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn suppression(path: &ArtifactPath, s: &Suppressed) -> Suppression {
    let mut out = Suppression::builder()
        .kind(json!("inSource"))
        .status(json!("accepted"))
        .location(location(path, &s.directive, None))
        .build();
    out.justification = s.reason.clone();
    out
}

fn notification(level: &str, text: &str) -> Notification {
    Notification::builder()
        .level(json!(level))
        .message(Message::builder().text(text).build())
        .build()
}

/// A region of a file as a location, without id or message. Lines and columns are 1-based,
/// columns in UTF-16 code units (the run's `columnKind`); `end` is exclusive.
fn region_location(path: &ArtifactPath, start: (usize, usize), end: (usize, usize)) -> Location {
    let mut artifact = ArtifactLocation::builder().uri(path.uri()).build();
    if matches!(path, ArtifactPath::Relative(_)) {
        artifact.uri_base_id = Some(SRCROOT.to_owned());
    }
    let region = Region::builder()
        .start_line(start.0 as i64)
        .start_column(start.1 as i64)
        .end_line(end.0 as i64)
        .end_column(end.1 as i64)
        .build();
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build(),
        )
        .build()
}

/// A physical location; `related` gives a related location its id and message.
fn location(path: &ArtifactPath, at: &Located, related: Option<(i64, String)>) -> Location {
    let mut location = region_location(
        path,
        (at.start.line, at.start.column),
        (at.end.line, at.end.column),
    );
    if let Some((id, message)) = related {
        location.id = Some(id);
        location.message = Some(Message::builder().text(message).build());
    }
    location
}

/// A step of a chain through other files, as a location: from the step to the end of its line,
/// in its own file; `id` makes it a related location, with the step's words as its message.
fn step_location(run: &RunInfo, step: &Step, id: Option<i64>) -> Location {
    let mut location = region_location(
        &run.root.locate(&step.path),
        (step.line, step.column),
        (step.line, step.end_column()),
    );
    location.message = Some(Message::builder().text(step.describe()).build());
    location.id = id;
    location
}

/// The way execution reaches a finding that other files make repeat, as one thread flow in
/// execution order: the registration (or the reason the outermost caller repeats), each caller
/// inward, the function itself, the finding, then the HTTP wrapper it calls, if any. `None`
/// when the chain has no role steps (a singleton made elsewhere is where a value comes from,
/// not a way execution goes).
fn code_flow(run: &RunInfo, problem: &Problem, at: Location) -> Option<Vec<CodeFlow>> {
    let role_steps: Vec<&Step> = problem
        .chain
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                StepKind::Subject
                    | StepKind::CalledFrom
                    | StepKind::Registered(_)
                    | StepKind::Repeats(_)
            )
        })
        .collect();
    if role_steps.is_empty() {
        return None;
    }
    let mut locations: Vec<ThreadFlowLocation> = role_steps
        .iter()
        .rev()
        .map(|s| {
            ThreadFlowLocation::builder()
                .location(step_location(run, s, None))
                .build()
        })
        .collect();
    let mut finding = at;
    finding.message = Some(Message::builder().text(problem.message.clone()).build());
    locations.push(ThreadFlowLocation::builder().location(finding).build());
    for s in problem.chain.iter().filter(|s| {
        matches!(
            s.kind,
            StepKind::ForwardsTo | StepKind::ClientCreated | StepKind::CollectionCreated
        )
    }) {
        locations.push(
            ThreadFlowLocation::builder()
                .location(step_location(run, s, None))
                .build(),
        );
    }
    for (i, l) in locations.iter_mut().enumerate() {
        l.execution_order = Some(i as i64 + 1);
    }
    let frequency = role_steps
        .iter()
        .find_map(|s| s.kind.frequency())
        .map_or("repeatedly", |f| f.phrase());
    Some(vec![
        CodeFlow::builder()
            .message(
                Message::builder()
                    .text(format!("how this code runs {frequency}, across files"))
                    .build(),
            )
            .thread_flows(vec![ThreadFlow::builder().locations(locations).build()])
            .build(),
    ])
}

/// A parse error is reported at a point; GitHub highlights a region, so it covers the character
/// there when there is one on that line.
pub(crate) fn widen_empty(at: Located, file: &FileReport) -> Located {
    let mut at = at;
    if at.span.start == at.span.end
        && let Some(text) = file.text.as_deref()
        && let Some(c) = text
            .get(at.span.start..)
            .and_then(|rest| rest.chars().next())
        && c != '\n'
        && c != '\r'
    {
        at.span.end += c.len_utf8();
        at.end.column += c.len_utf16();
    }
    at
}

/// Every rule, then the `leaklint/…` problems, in a fixed order (`ruleIndex` points into it).
fn descriptors() -> Vec<ReportingDescriptor> {
    let mut out: Vec<ReportingDescriptor> = leaklint_rules::ALL
        .iter()
        .map(|r| rule_descriptor(r.meta()))
        .collect();
    out.extend(Builtin::ALL.into_iter().map(builtin_descriptor));
    out
}

fn rule_descriptor(meta: &'static Meta) -> ReportingDescriptor {
    let docs = crate::commands::dedent(meta.docs).trim().to_owned();
    let url = meta.docs_url();
    let full = section(&docs, "What it finds").unwrap_or_else(|| meta.summary().to_owned());
    descriptor(DescriptorParts {
        id: meta.id,
        short: meta.summary().to_owned(),
        full,
        help_text: format!("{docs}\n\nDocumentation: {url}"),
        help_markdown: format!("{docs}\n\n[Documentation]({url})"),
        help_uri: Some(url),
        severity: meta.severity,
        tags: vec![
            "reliability".to_owned(),
            "memory-leak".to_owned(),
            meta.category.as_str().to_owned(),
        ],
        precision: precision(Source::Rule(meta)),
    })
}

fn builtin_descriptor(builtin: Builtin) -> ReportingDescriptor {
    let docs = builtin.docs();
    let (severity, tag) = match builtin {
        Builtin::ParseError => (Severity::Error, "syntax"),
        Builtin::UnknownRule | Builtin::UnusedDirective => (Severity::Warning, "suppression"),
    };
    let url = builtin.docs_url();
    descriptor(DescriptorParts {
        id: builtin.id(),
        short: first_sentence(docs).to_owned(),
        full: docs.to_owned(),
        help_text: format!("{docs}\n\nDocumentation: {url}"),
        help_markdown: format!("{docs}\n\n[Documentation]({url})"),
        help_uri: Some(url),
        severity,
        tags: vec![tag.to_owned()],
        precision: precision(Source::Builtin(builtin)),
    })
}

/// How often a rule's findings are right, for GitHub's sorting (`very-high`, `high`, `medium`,
/// `low`). A new rule is `medium` until it has earned more here.
fn precision(source: Source) -> &'static str {
    match source {
        Source::Builtin(_) => "very-high",
        Source::Rule(meta) => match meta.id {
            "listener-leak" => "high",
            _ => "medium",
        },
    }
}

struct DescriptorParts {
    id: &'static str,
    short: String,
    full: String,
    help_text: String,
    help_markdown: String,
    help_uri: Option<String>,
    severity: Severity,
    tags: Vec<String>,
    precision: &'static str,
}

fn descriptor(p: DescriptorParts) -> ReportingDescriptor {
    let level = match p.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let properties = PropertyBag::builder()
        .tags(p.tags)
        .additional_properties(BTreeMap::from([
            ("precision".to_owned(), json!(p.precision)),
            ("problem.severity".to_owned(), json!(level)),
        ]))
        .build();
    let mut d = ReportingDescriptor::builder()
        .id(p.id)
        .name(pascal_case(p.id))
        .short_description(text(cap(&p.short)))
        .full_description(text(cap(&p.full)))
        .help(
            MultiformatMessageString::builder()
                .text(p.help_text)
                .markdown(p.help_markdown)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level))
                .build(),
        )
        .properties(properties)
        .build();
    d.help_uri = p.help_uri;
    d
}

fn text(s: String) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// `listener-leak` → `ListenerLeak`; `leaklint/parse-error` → `ParseError`.
fn pascal_case(id: &str) -> String {
    let last = id.rsplit('/').next().unwrap_or(id);
    last.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The paragraphs under the markdown heading `### {title}`, each joined onto one line.
fn section(docs: &str, title: &str) -> Option<String> {
    let mut lines = docs.lines().skip_while(|l| {
        l.trim_start_matches('#').trim() != title || !l.trim_start().starts_with('#')
    });
    lines.next()?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with('#')).collect();
    let paragraphs: Vec<String> = body
        .split(|l| l.trim().is_empty())
        .filter(|p| !p.is_empty())
        .map(|p| p.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" "))
        .collect();
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

/// At most [`MAX_DESCRIPTION`] characters: cut after the last whole sentence that fits, or else
/// at a word, with an ellipsis.
fn cap(text: &str) -> String {
    if text.chars().count() <= MAX_DESCRIPTION {
        return text.to_owned();
    }
    let limit = text
        .char_indices()
        .nth(MAX_DESCRIPTION - 1)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    // A sentence ends at `. ` after a word (not the `...` of an elided list).
    let sentence_end = head
        .match_indices(". ")
        .map(|(i, _)| i)
        .filter(|&i| i > 0 && head.as_bytes()[i - 1] != b'.')
        .last();
    if let Some(end) = sentence_end {
        return head[..=end].to_owned();
    }
    let cut = head.rfind(' ').unwrap_or(head.len());
    format!("{}…", &head[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sections() {
        assert_eq!(pascal_case("listener-leak"), "ListenerLeak");
        assert_eq!(pascal_case("leaklint/parse-error"), "ParseError");
        let docs = "Summary.\n\n### What it finds\n\nOne\nline.\n\nTwo.\n\n### Bad\n\nx";
        assert_eq!(section(docs, "What it finds").unwrap(), "One line.\n\nTwo.");
        assert_eq!(section(docs, "Missing"), None);
    }

    #[test]
    fn descriptions_fit_githubs_limit() {
        let long = "Word ".repeat(300);
        let capped = cap(&long);
        assert!(capped.chars().count() <= MAX_DESCRIPTION);
        assert!(capped.ends_with('…'));
        let sentences = "A sentence here, a list, ... and more. ".repeat(100);
        let capped = cap(&sentences);
        assert!(capped.chars().count() <= MAX_DESCRIPTION);
        assert!(capped.ends_with("more."), "{capped}");
        for d in descriptors() {
            for t in [&d.short_description, &d.full_description] {
                let t = &t.as_ref().unwrap().text;
                assert!(
                    !t.is_empty() && t.chars().count() <= MAX_DESCRIPTION,
                    "{}",
                    d.id
                );
            }
        }
    }
}
