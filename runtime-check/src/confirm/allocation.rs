//! Weaker evidence from a sampling heap profile (`confirm --profile`): the sampled bytes
//! allocated in the function around a finding. Sampling shows where memory is allocated, not
//! what is retained: this row never decides a verdict.

use serde::Serialize;

use super::input::FileMap;
use super::observe::Lines;
use super::{Finding, Verdict};
use crate::profile::Profile;

/// The sampled allocation of the function around a finding.
#[derive(Clone, Debug, Serialize)]
pub struct Allocation {
    /// The function V8 attributed the samples to.
    pub function: String,
    /// The linted file and the 1-based line where that function starts.
    pub file: String,
    pub line: u32,
    /// Bytes sampled in the function itself, and with everything it called.
    pub self_bytes: u64,
    pub total_bytes: u64,
    /// Bytes sampled in the whole profile.
    pub profile_bytes: u64,
}

/// The profile site of the function around `f`'s call: in the finding's file (its scripts
/// mapped as for snapshots), the function that starts nearest above the call's line. The
/// finding's own handler or callback is left out when it starts elsewhere than the call (it
/// is another function, nested in the one that registers it). V8 records where a function
/// starts, not where it ends, so a nested function that closed above the line can be taken
/// for the enclosing one; this is evidence of a weaker kind.
pub(super) fn allocation(f: &Finding, profile: &Profile, map: &FileMap) -> Option<Allocation> {
    let lines = Lines::of(f);
    let handler = lines.function.filter(|&h| h != lines.call);
    let best_line = profile
        .sites
        .iter()
        .filter(|s| s.line > 0 && s.line <= lines.call && Some(s.line) != handler)
        .filter(|s| map.file_of(&s.file) == Some(f.file.as_str()))
        .map(|s| s.line)
        .max()?;
    let site = profile
        .sites
        .iter()
        .filter(|s| s.line == best_line && map.file_of(&s.file) == Some(f.file.as_str()))
        .max_by_key(|s| (s.self_bytes, s.total_bytes))?;
    Some(Allocation {
        function: site.function.clone(),
        file: f.file.clone(),
        line: site.line,
        self_bytes: site.self_bytes,
        total_bytes: site.total_bytes,
        profile_bytes: profile.total_bytes,
    })
}

/// Adds the profile's allocation row to every verdict (`root` as for [`super::confirm`]).
pub fn add_allocations(verdicts: &mut [Verdict], profile: &Profile, root: Option<&str>) {
    let mut files: Vec<String> = verdicts.iter().map(|v| v.finding.file.clone()).collect();
    files.sort();
    files.dedup();
    let map = FileMap::new(root, &files);
    for v in verdicts {
        v.allocation = allocation(&v.finding, profile, &map);
        v.profiled = true;
    }
}
