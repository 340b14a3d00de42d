//! What `confirm` is given: findings with their runtime signatures (from the linter or a JSON
//! report), and the map from the snapshot's script names to the linted files.

use crate::diff;
use crate::script_path::{Root, components, plain_path};

/// A source position, 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A finding's runtime signature: what to look for in a heap snapshot to confirm it. The one
/// definition of the signature at line and column: the report's problems carry it (built from
/// the rule's signature, whose positions are spans), the JSON report writes it as is, and
/// `confirm --findings` reads it back.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Signature {
    /// `listener`, `collection`, `global`, `closure`, `promise` or `timer` (kept as text: a
    /// report from a newer leaklint may name a kind this one does not look for).
    pub kind: String,
    pub receiver: Option<String>,
    pub event: Option<String>,
    pub collection: Option<String>,
    pub access_path: Option<String>,
    pub retained: Option<String>,
    pub call: Option<Pos>,
    pub function: Option<Pos>,
}

/// A static finding to confirm.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: String,
    /// As linted (relative to the working directory, `/`-separated).
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub signature: Signature,
}

/// Reads the findings (with their signatures) of a `leaklint --format json` report.
pub fn findings_from_json(text: &str) -> Result<Vec<Finding>, String> {
    #[derive(serde::Deserialize)]
    struct Report {
        version: u32,
        files: Vec<File>,
    }
    #[derive(serde::Deserialize)]
    struct File {
        path: String,
        findings: Vec<JsonFinding>,
    }
    #[derive(serde::Deserialize)]
    struct JsonFinding {
        rule: String,
        #[serde(default)]
        message: String,
        start: Pos,
        signature: Option<Signature>,
    }
    let report: Report = serde_json::from_str(text).map_err(|e| {
        format!("not a leaklint JSON report ({e}); write one with `leaklint --format json`")
    })?;
    if report.version != 1 {
        return Err(format!(
            "JSON report version {} is not supported (expected 1)",
            report.version
        ));
    }
    let mut out = Vec::new();
    for file in report.files {
        for f in file.findings {
            let Some(signature) = f.signature else {
                continue;
            };
            out.push(Finding {
                rule: f.rule,
                file: file.path.clone(),
                line: f.start.line,
                column: f.start.column,
                message: f.message,
                signature,
            });
        }
    }
    Ok(out)
}

/// Maps the snapshot's absolute script names to linted files.
pub struct FileMap {
    root: Option<Root>,
    files: Vec<String>,
}

impl FileMap {
    pub fn new(root: Option<&str>, files: &[String]) -> FileMap {
        FileMap {
            root: root.map(Root::new),
            files: files.to_vec(),
        }
    }

    /// How well `script` matches the linted `file`: the number of trailing path components
    /// they share (0: no match). With `--root`, the script must be `<root>/<file>`.
    pub fn score(&self, script: &str, file: &str) -> usize {
        let script = plain_path(script);
        if diff::is_builtin_script(&script) {
            return 0;
        }
        let file_c = components(file);
        if let Some(root) = &self.root {
            let Some(rel) = root.relative(&script) else {
                return 0;
            };
            return if components(rel) == file_c {
                file_c.len()
            } else {
                0
            };
        }
        let script_c = components(&script);
        script_c
            .iter()
            .rev()
            .zip(file_c.iter().rev())
            .take_while(|(a, b)| a == b)
            .count()
    }

    /// The linted file a script is, if any: the one with the longest common suffix (ties
    /// broken by the shorter file path).
    pub fn file_of(&self, script: &str) -> Option<&str> {
        let mut best: Option<(usize, &str)> = None;
        for f in &self.files {
            let s = self.score(script, f);
            if s == 0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((bs, bf)) => s > bs || (s == bs && f.len() < bf.len()),
            };
            if better {
                best = Some((s, f));
            }
        }
        best.map(|(_, f)| f)
    }
}
