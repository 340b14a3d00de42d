//! `confirm`'s output: text for people, one JSON object for tools (schema in the README).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Allocation, Evidence, Outcome, Unexplained, VerdictKind};
use crate::render::bytes;

fn short(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

pub fn render_text(paths: &[String], o: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Heap evidence from {}", paths.join(" → "));
    if o.verdicts.is_empty() {
        let _ = writeln!(out, "\nNo finding to confirm.");
    }
    for v in &o.verdicts {
        let f = &v.finding;
        let _ = writeln!(
            out,
            "\n{:<13} {} {}:{}:{}",
            v.verdict.as_str(),
            f.rule,
            f.file,
            f.line,
            f.column
        );
        for e in &v.evidence {
            let counts: Vec<String> = e.counts.iter().map(u64::to_string).collect();
            let _ = write!(out, "  {}: {}", e.what, counts.join(" → "));
            if let Some(b) = &e.retained_bytes {
                let b: Vec<String> = b.iter().map(|&x| bytes(x)).collect();
                let _ = write!(out, " (retaining {})", b.join(" → "));
            }
            out.push('\n');
        }
        if let Some(a) = &v.allocation {
            let share = if a.profile_bytes > 0 {
                100.0 * a.self_bytes as f64 / a.profile_bytes as f64
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "  sampled allocation in `{}` ({}:{}), the function around the finding: {} self \
                 ({share:.1}% of the profile), {} with what it calls (sampling shows where \
                 memory is allocated, not what is retained)",
                a.function,
                short(&a.file),
                a.line,
                bytes(a.self_bytes),
                bytes(a.total_bytes)
            );
        } else if v.profiled {
            let _ = writeln!(
                out,
                "  sampled allocation: none in the function around the finding"
            );
        }
        if let Some(n) = &v.note {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    let _ = writeln!(
        out,
        "\nUnexplained growth (grew in both intervals by at least {} each time; no finding \
         explains it):",
        o.min_growth
    );
    if o.unexplained.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for u in &o.unexplained {
        let at = match (&u.file, u.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            (Some(f), None) => f.clone(),
            _ => "(unknown location)".into(),
        };
        let counts: Vec<String> = u.counts.iter().map(u64::to_string).collect();
        let growth: Vec<String> = u.growth.iter().map(|g| format!("{g:+}")).collect();
        if u.kind == "collection" {
            let _ = writeln!(
                out,
                "  {} `{}` at {at}: {} entries ({})",
                u.class,
                u.name,
                counts.join(" → "),
                growth.join(", ")
            );
        } else {
            let _ = writeln!(
                out,
                "  {} `{}` created at {at}: {} ({})",
                u.kind,
                u.name,
                counts.join(" → "),
                growth.join(", ")
            );
        }
        if let Some(h) = &u.held_by {
            let _ = writeln!(out, "      held by {h}");
        }
        let _ = writeln!(out, "      retained by: {}", u.retainer_path);
    }
    let count = |k: VerdictKind| o.verdicts.iter().filter(|v| v.verdict == k).count();
    let _ = writeln!(
        out,
        "\n{} confirmed, {} not growing, {} not observed; {} unexplained growth",
        count(VerdictKind::Confirmed),
        count(VerdictKind::NotGrowing),
        count(VerdictKind::NotObserved),
        o.unexplained.len()
    );
    out
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    rule: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    kind: &'a str,
    verdict: &'static str,
    message: &'a str,
    evidence: &'a [Evidence],
    note: Option<&'a str>,
    /// With `--profile` only: the sampled allocation around the finding, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation: Option<Option<&'a Allocation>>,
}

#[derive(Serialize)]
struct ConfirmJson<'a> {
    version: u32,
    snapshots: &'a [String],
    min_growth: u64,
    verdicts: Vec<VerdictJson<'a>>,
    unexplained: &'a [Unexplained],
    summary: SummaryJson,
}

#[derive(Serialize)]
struct SummaryJson {
    confirmed: usize,
    not_growing: usize,
    not_observed: usize,
    unexplained: usize,
}

pub fn render_json(paths: &[String], o: &Outcome) -> String {
    let count = |k: VerdictKind| o.verdicts.iter().filter(|v| v.verdict == k).count();
    let json = ConfirmJson {
        version: crate::render::JSON_VERSION,
        snapshots: paths,
        min_growth: o.min_growth,
        verdicts: o
            .verdicts
            .iter()
            .map(|v| VerdictJson {
                rule: &v.finding.rule,
                file: &v.finding.file,
                line: v.finding.line,
                column: v.finding.column,
                kind: &v.finding.signature.kind,
                verdict: v.verdict.as_str(),
                message: &v.finding.message,
                evidence: &v.evidence,
                note: v.note.as_deref(),
                allocation: v.profiled.then_some(v.allocation.as_ref()),
            })
            .collect(),
        unexplained: &o.unexplained,
        summary: SummaryJson {
            confirmed: count(VerdictKind::Confirmed),
            not_growing: count(VerdictKind::NotGrowing),
            not_observed: count(VerdictKind::NotObserved),
            unexplained: o.unexplained.len(),
        },
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}
