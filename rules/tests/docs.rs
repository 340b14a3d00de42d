//! Layer 1 of the test plan (design §6): every rule's documentation examples are run. Each block
//! under `### Bad` must give exactly one finding of that rule, each block under `### Good` none,
//! and the docs must have the fixed structure (summary line, the four headings). A block's info
//! string is its language (`js`, `ts`, `tsx`), or a language and the file name it is linted as
//! (`yaml docker-compose.yml`, `dockerfile Dockerfile`, `json ecosystem.config.json`): deployment
//! rules' examples are deployment files.

mod common;

use common::Kind;
use leaklint_rules::{ALL, Flavor, Meta};

/// The fenced blocks under each `### ` heading, with the kind each is linted as.
fn sections(meta: &Meta) -> Vec<(String, Vec<(String, Kind)>)> {
    let mut out: Vec<(String, Vec<(String, Kind)>)> = Vec::new();
    let mut block: Option<(String, Kind)> = None;
    for line in meta.docs.lines() {
        let t = line.trim();
        if let Some((code, flavor)) = block.as_mut() {
            if t == "```" {
                let done = (std::mem::take(code), *flavor);
                out.last_mut()
                    .expect("code block before any heading")
                    .1
                    .push(done);
                block = None;
            } else {
                code.push_str(line.strip_prefix(' ').unwrap_or(line));
                code.push('\n');
            }
        } else if let Some(h) = t.strip_prefix("### ") {
            out.push((h.to_string(), Vec::new()));
        } else if let Some(lang) = t.strip_prefix("```") {
            let kind = match lang.split_once(' ') {
                Some((_, name)) => Kind::of(name.trim()).unwrap_or_else(|| {
                    panic!("{}: {name:?} is no file name leaklint lints", meta.id)
                }),
                None => Kind::Source(match lang {
                    "js" | "javascript" => Flavor::JavaScript,
                    "ts" | "typescript" => Flavor::TypeScript,
                    "tsx" => Flavor::Tsx,
                    other => panic!(
                        "{}: unsupported code block language {other:?} (deployment examples \
                         name their file: ```yaml compose.yaml)",
                        meta.id
                    ),
                }),
            };
            block = Some((String::new(), kind));
        }
    }
    out
}

#[test]
fn docs_have_the_fixed_structure() {
    for rule in ALL {
        let meta = rule.meta();
        let summary = meta.summary();
        assert!(
            !summary.is_empty() && !summary.starts_with('#'),
            "{}: docs must start with a one-line summary",
            meta.id
        );
        let headings: Vec<String> = sections(meta).into_iter().map(|(h, _)| h).collect();
        assert_eq!(
            headings,
            ["What it finds", "Why it leaks", "Bad", "Good", "How to fix"],
            "{}: docs headings must be exactly these, in this order",
            meta.id
        );
    }
}

#[test]
fn bad_examples_give_exactly_one_finding_and_good_ones_none() {
    for rule in ALL {
        let meta = rule.meta();
        for (heading, blocks) in sections(meta) {
            let expected = match heading.as_str() {
                "Bad" => 1,
                "Good" => 0,
                _ => {
                    assert!(
                        blocks.is_empty(),
                        "{}: code blocks belong under Bad or Good, not {heading}",
                        meta.id
                    );
                    continue;
                }
            };
            assert!(
                !blocks.is_empty(),
                "{}: `### {heading}` needs at least one example",
                meta.id
            );
            for (i, (code, kind)) in blocks.iter().enumerate() {
                let context = Default::default();
                let out = common::lint_kind(code, *kind, context).unwrap_or_else(|e| {
                    panic!(
                        "{} {heading} example {}: does not parse: {}",
                        meta.id,
                        i + 1,
                        e.message
                    )
                });
                let mine: Vec<_> = out
                    .findings
                    .iter()
                    .filter(|f| f.rule.id == meta.id)
                    .collect();
                assert_eq!(
                    mine.len(),
                    expected,
                    "{} {heading} example {} should give {expected} finding(s), gave {:#?}\n{code}",
                    meta.id,
                    i + 1,
                    mine.iter().map(|f| &f.message).collect::<Vec<_>>()
                );
            }
        }
    }
}
