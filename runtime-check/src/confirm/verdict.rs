//! A finding's verdict from its observations in each snapshot: the evidence rows in words,
//! which row decides, and the notes that say what could not be looked for.

use super::observe::{Lines, Observation};
use super::{Claims, Evidence, Finding, Signature, Verdict, VerdictKind};

fn short(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// The observations of one finding, and how its rows name places.
struct Rows<'a> {
    file: &'a str,
    obs: &'a [&'a Observation],
    lines: Lines,
    /// What the evidence was found on in the last snapshot (`EventEmitter @115293`).
    described: String,
}

impl Rows<'_> {
    /// "app.js:12"
    fn line_word(&self, l: u32) -> String {
        format!("{}:{l}", short(self.file))
    }

    /// "app.js:12 or app.js:15"
    fn lines_word(&self, ls: &[u32]) -> String {
        ls.iter()
            .map(|&l| self.line_word(l))
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// Count `i` of the observation in each snapshot.
    fn row(&self, i: usize) -> Vec<u64> {
        self.obs
            .iter()
            .map(|o| o.counts.get(i).copied().unwrap_or(0))
            .collect()
    }
}

/// Evidence rows and a note, per signature kind.
type Rowed = (Vec<Evidence>, Option<String>);

/// Combines `obs` (one per snapshot, oldest first) into `f`'s verdict, and records what the
/// finding explains in `claims`.
pub(super) fn verdict(f: &Finding, obs: &[&Observation], claims: &mut Claims) -> Verdict {
    let sig = &f.signature;
    let file = f.file.as_str();
    let rows = Rows {
        file,
        obs,
        lines: Lines::of(f),
        described: obs
            .last()
            .and_then(|o| o.described.clone())
            .unwrap_or_else(|| "not found".to_owned()),
    };
    let (evidence, mut note): Rowed = match sig.kind.as_str() {
        "listener" => listener_rows(&rows, sig),
        "collection" | "global" => collection_rows(&rows, sig),
        "closure" => (vec![closure_row(&rows, sig)], None),
        "promise" => (promise_rows(&rows), None),
        "timer" => (
            vec![Evidence::new(
                format!(
                    "live Timeout objects with a callback created at {}",
                    rows.lines_word(&rows.lines.both)
                ),
                rows.row(0),
            )],
            None,
        ),
        other => (
            Vec::new(),
            Some(format!(
                "signature kind `{other}` is not known to this checker"
            )),
        ),
    };
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

/// Listeners of the event (those of the finding's handler when its position is known), then
/// closures created at the handler's line.
fn listener_rows(rows: &Rows, sig: &Signature) -> Rowed {
    let described = &rows.described;
    let receiver = sig.receiver.as_deref().filter(|r| !r.is_empty());
    let receiver = receiver.unwrap_or("?");
    let mut note = None;
    let what = match (&sig.event, rows.lines.function) {
        (Some(ev), Some(h)) => format!(
            "listeners created at {} in `_events.{ev}` of `{receiver}` ({described})",
            rows.line_word(h)
        ),
        (Some(ev), None) => {
            note = Some(
                "the handler's position is not known: every listener of the event is \
                 counted, not only this finding's"
                    .to_owned(),
            );
            format!("listeners in `_events.{ev}` of `{receiver}` ({described}), any handler")
        }
        (None, _) => format!("listeners of `{receiver}` ({described}), all events"),
    };
    let mut evidence = vec![Evidence::new(what, rows.row(0))];
    if sig.event.is_some() || rows.lines.function.is_some() {
        evidence.push(Evidence::new(
            format!(
                "closures created at {}",
                rows.line_word(rows.lines.handler())
            ),
            rows.row(1),
        ));
    }
    (evidence, note)
}

/// Entries of the collection (or of the object at the global access path).
fn collection_rows(rows: &Rows, sig: &Signature) -> Rowed {
    let path = if sig.kind == "collection" {
        sig.collection.as_deref()
    } else {
        sig.access_path.as_deref()
    };
    let Some(path) = path else {
        return (
            Vec::new(),
            Some("the signature names no collection or access path".into()),
        );
    };
    let evidence = vec![Evidence::new(
        format!("entries of `{path}` ({})", rows.described),
        rows.row(0),
    )];
    let note = (!rows.obs.iter().any(|o| o.found))
        .then(|| format!("`{path}` was not found in the snapshots"));
    (evidence, note)
}

/// Closures created at the function's line (holding the retained variable), with the bytes
/// they retain.
fn closure_row(rows: &Rows, sig: &Signature) -> Evidence {
    let line = rows.lines.handler();
    let what = match sig.retained.as_deref() {
        Some(v) => format!(
            "closures created at {} whose context holds `{v}` (or an unnamed \
             block-scope slot)",
            rows.line_word(line)
        ),
        None => format!("closures created at {}", rows.line_word(line)),
    };
    let mut ev = Evidence::new(what, rows.row(0));
    ev.retained_bytes = Some(rows.obs.iter().map(|o| o.bytes.unwrap_or(0)).collect());
    ev
}

/// Pending promises waiting on code at the lines, then suspended async functions when any.
fn promise_rows(rows: &Rows) -> Vec<Evidence> {
    let mut evidence = vec![Evidence::new(
        format!(
            "pending promises waiting on code at {}",
            rows.lines_word(&rows.lines.both)
        ),
        rows.row(0),
    )];
    let asyncs = rows.row(1);
    if asyncs.iter().any(|&c| c > 0) {
        evidence.push(Evidence::new(
            format!(
                "suspended async functions around {}",
                rows.line_word(rows.lines.call)
            ),
            asyncs,
        ));
    }
    evidence
}
