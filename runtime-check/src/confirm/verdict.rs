//! A finding's verdict from its observations in each snapshot: the evidence rows in words,
//! which row decides, and the notes that say what could not be looked for.

use super::observe::{Lines, Observation};
use super::{Claims, Evidence, Finding, Verdict, VerdictKind};

fn short(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// Combines `obs` (one per snapshot, oldest first) into `f`'s verdict, and records what the
/// finding explains in `claims`.
pub(super) fn verdict(f: &Finding, obs: &[&Observation], claims: &mut Claims) -> Verdict {
    let sig = &f.signature;
    let file = f.file.as_str();
    let lines = Lines::of(f);
    let line_word = |l: u32| format!("{}:{l}", short(file));
    // "app.js:12 or app.js:15"
    let lines_word = |ls: &[u32]| {
        ls.iter()
            .map(|&l| line_word(l))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let row = |i: usize| -> Vec<u64> {
        obs.iter()
            .map(|o| o.counts.get(i).copied().unwrap_or(0))
            .collect()
    };
    let described = obs
        .last()
        .and_then(|o| o.described.clone())
        .unwrap_or_else(|| "not found".to_owned());
    let mut evidence = Vec::new();
    let mut note = None;
    match sig.kind.as_str() {
        "listener" => {
            let receiver = sig.receiver.as_deref().filter(|r| !r.is_empty());
            let receiver = receiver.unwrap_or("?");
            let what = match (&sig.event, lines.function) {
                (Some(ev), Some(h)) => format!(
                    "listeners created at {} in `_events.{ev}` of `{receiver}` ({described})",
                    line_word(h)
                ),
                (Some(ev), None) => {
                    note = Some(
                        "the handler's position is not known: every listener of the event is \
                         counted, not only this finding's"
                            .to_owned(),
                    );
                    format!(
                        "listeners in `_events.{ev}` of `{receiver}` ({described}), any handler"
                    )
                }
                (None, _) => format!("listeners of `{receiver}` ({described}), all events"),
            };
            evidence.push(Evidence::new(what, row(0)));
            if sig.event.is_some() || lines.function.is_some() {
                evidence.push(Evidence::new(
                    format!("closures created at {}", line_word(lines.handler())),
                    row(1),
                ));
            }
        }
        "collection" | "global" => {
            let path = if sig.kind == "collection" {
                sig.collection.as_deref()
            } else {
                sig.access_path.as_deref()
            };
            match path {
                None => note = Some("the signature names no collection or access path".into()),
                Some(path) => {
                    evidence.push(Evidence::new(
                        format!("entries of `{path}` ({described})"),
                        row(0),
                    ));
                    if !obs.iter().any(|o| o.found) {
                        note = Some(format!("`{path}` was not found in the snapshots"));
                    }
                }
            }
        }
        "closure" => {
            let line = lines.handler();
            let what = match sig.retained.as_deref() {
                Some(v) => format!(
                    "closures created at {} whose context holds `{v}` (or an unnamed \
                     block-scope slot)",
                    line_word(line)
                ),
                None => format!("closures created at {}", line_word(line)),
            };
            let mut ev = Evidence::new(what, row(0));
            ev.retained_bytes = Some(obs.iter().map(|o| o.bytes.unwrap_or(0)).collect());
            evidence.push(ev);
        }
        "promise" => {
            evidence.push(Evidence::new(
                format!(
                    "pending promises waiting on code at {}",
                    lines_word(&lines.both)
                ),
                row(0),
            ));
            let asyncs = row(1);
            if asyncs.iter().any(|&c| c > 0) {
                evidence.push(Evidence::new(
                    format!("suspended async functions around {}", line_word(lines.call)),
                    asyncs,
                ));
            }
        }
        "timer" => {
            evidence.push(Evidence::new(
                format!(
                    "live Timeout objects with a callback created at {}",
                    lines_word(&lines.both)
                ),
                row(0),
            ));
        }
        other => {
            note = Some(format!(
                "signature kind `{other}` is not known to this checker"
            ))
        }
    }
    for o in obs {
        claims
            .lines
            .extend(o.claimed_lines.iter().map(|&l| (file.to_owned(), l)));
        claims.ids.extend(&o.claimed_ids);
    }
    // The first row decides the verdict; the others support it.
    let mut verdict = match evidence.first() {
        Some(p) if p.grew_in_both => VerdictKind::Confirmed,
        Some(_) if evidence.iter().any(Evidence::seen) => VerdictKind::NotGrowing,
        _ => VerdictKind::NotObserved,
    };
    if !obs.iter().any(|o| o.mapped) {
        // Nothing in the snapshots can be tied to this file.
        verdict = VerdictKind::NotObserved;
        note = Some(format!(
            "no script in the snapshots maps to {file} (use --root to name the directory the app \
             ran from; for compiled code, run where the compiled scripts and their source maps \
             are)"
        ));
    }
    Verdict {
        finding: f.clone(),
        verdict,
        evidence,
        note,
        allocation: None,
        profiled: false,
    }
}
