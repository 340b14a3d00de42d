//! Helpers shared by the runtime-checker tests: the demo apps, their snapshots, and the check
//! that every seeded leak is accounted for.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::Read;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed snapshots of a demo app (`leaky` or `clean`), relative to the repository.
pub fn committed(app: &str) -> Vec<String> {
    (1..=3)
        .map(|n| format!("fixtures/apps/snapshots/{app}/s{n}.heapsnapshot.gz"))
        .collect()
}

/// A committed snapshot, decompressed.
pub fn plain(app: &str, n: usize) -> Vec<u8> {
    let path = repo().join(format!(
        "fixtures/apps/snapshots/{app}/s{n}.heapsnapshot.gz"
    ));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("snapshot"))
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

/// The `// seeded: <rule>` markers of a demo app's server: (rule, line).
pub fn seeded(server: &Path) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(server).expect("server.js");
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let at = l.find("// seeded: ")?;
            // Only markers after code, not the comments that explain them.
            if l.trim_start().starts_with("//") {
                return None;
            }
            let rule = l[at + "// seeded: ".len()..].trim().to_owned();
            Some((rule, i as u64 + 1))
        })
        .collect()
}

/// Every seeded leak is either confirmed (a verdict of its rule in that file) or listed as
/// unexplained growth at its line. Holds whatever rules exist: a leak whose rule is not
/// written yet must show up as unexplained growth.
pub fn assert_every_seeded_leak_accounted_for(report: &serde_json::Value, file: &str) {
    let server = repo().join(file);
    let seeds = seeded(&server);
    assert_eq!(seeds.len(), 7, "seeded markers in {file}: {seeds:?}");
    let verdicts = report["verdicts"].as_array().expect("verdicts");
    let unexplained = report["unexplained"].as_array().expect("unexplained");
    for (rule, line) in &seeds {
        let confirmed = verdicts.iter().any(|v| {
            v["rule"] == rule.as_str() && v["file"] == file && v["verdict"] == "confirmed"
        });
        let listed = unexplained
            .iter()
            .any(|u| u["file"] == file && u["line"].as_u64() == Some(*line));
        assert!(
            confirmed || listed,
            "seeded {rule} at {file}:{line} is neither confirmed nor unexplained growth:\n{report:#}"
        );
    }
}

/// Nothing confirmed and no unexplained growth.
pub fn assert_clean(report: &serde_json::Value) {
    let verdicts = report["verdicts"].as_array().expect("verdicts");
    assert!(
        verdicts.iter().all(|v| v["verdict"] != "confirmed"),
        "{report:#}"
    );
    assert_eq!(
        report["unexplained"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
}
