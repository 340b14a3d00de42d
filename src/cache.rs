//! `--cache`: what linting each file produced, kept between runs so that a run re-parses only the
//! files that changed.
//!
//! An entry is what [`leaklint_rules::lint_in_project`] returned for one file: its findings and
//! suppression comments (or its parse error) and its project summary. Its key is a 128-bit
//! SipHash-1-3 of everything that call reads: the file's text, its syntax, the path it is shown
//! under (summaries name it in other files' messages), the rules that run on it and the
//! configuration's `[knowledge]`, the leaklint version, and, for the second pass of a project
//! run, the facts the project phase found about the file. What happens after that call
//! (severities, suppression directives, `--min-confidence`, `--quiet`) is applied afresh on
//! every run, so those options need no part in the key.
//!
//! The project phase itself (module graph, propagation) always runs, on the summaries of every
//! file, cached or not. A file whose findings depend on another file gets that dependency as
//! facts, and the facts are part of its second-pass key: when the other file changes in a way
//! that changes the facts, the dependent file is linted again even though its own text did not
//! change.
//!
//! The cache is one JSON file (default [`DEFAULT_NAME`] in the current directory). A file that
//! cannot be read as a cache of this format and version is ignored with a warning and replaced
//! at the end of the run; it is written to a temporary file first and renamed, so an
//! interrupted run leaves the old cache or the new one. Entries not used by a run are dropped
//! when it writes the cache: the file holds what the last run linted.

use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use leaklint_rules::project::{FileFacts, Summary};
use leaklint_rules::{CommentText, FileLint, Finding, Knowledge, Meta, ParseError};
use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};

/// The cache file's name when `--cache-location` does not name a file.
pub const DEFAULT_NAME: &str = ".leaklintcache";

/// Bumped whenever the layout of an entry changes (2: summaries carry parameter facts and
/// untimed client instances; 3: each untimed client names its library, summaries carry the
/// dispatcher deadline and the exported classes made once at home; 4: summaries carry the
/// module-level collections exports name, the removals on imported values, the parameters
/// functions take entries out of and the imported values handed to imported functions).
const FORMAT: u32 = 4;

/// What one call of [`leaklint_rules::lint_in_project`] produced, minus the timings.
#[derive(Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Findings and suppression comments, or why the file could not be parsed.
    pub lint: Result<Linted, ParseError>,
    /// The file's project summary, when it was asked for and the file has one.
    pub summary: Option<Summary>,
}

impl Entry {
    /// The entry for what [`leaklint_rules::lint_in_project`] returned.
    pub fn of(result: &Result<(FileLint, Option<Summary>), ParseError>) -> Entry {
        match result {
            Ok((file, summary)) => Entry {
                lint: Ok(Linted {
                    findings: file.findings.clone(),
                    comments: file.comments.clone(),
                }),
                summary: summary.clone(),
            },
            Err(e) => Entry {
                lint: Err(e.clone()),
                summary: None,
            },
        }
    }

    /// Back to what [`leaklint_rules::lint_in_project`] returns (no time spent: zero timings).
    pub fn into_result(self) -> Result<(FileLint, Option<Summary>), ParseError> {
        let linted = self.lint?;
        Ok((
            FileLint {
                findings: linted.findings,
                comments: linted.comments,
                timings: Default::default(),
            },
            self.summary,
        ))
    }
}

/// Findings and comments of a parsed file, as [`leaklint_rules::FileLint`] has them.
#[derive(Clone, Serialize, Deserialize)]
pub struct Linted {
    pub findings: Vec<Finding>,
    pub comments: Vec<CommentText>,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    format: u32,
    version: String,
    /// Key (32 hexadecimal digits) → entry.
    entries: HashMap<String, Entry>,
}

/// The cache of one run: entries read from the file, and those this run used or made.
pub struct Cache {
    path: PathBuf,
    old: Mutex<HashMap<u128, Entry>>,
    new: Mutex<HashMap<u128, Entry>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// Where the cache lives: `location` as given (`--cache-location`), a folder (existing, or
/// written with a trailing `/`) getting [`DEFAULT_NAME`] inside; by default [`DEFAULT_NAME`] in
/// `cwd`.
pub fn path(location: Option<&Path>, cwd: &Path) -> PathBuf {
    let Some(location) = location else {
        return cwd.join(DEFAULT_NAME);
    };
    let location = cwd.join(location);
    let folder = location.is_dir()
        || location
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR);
    if folder {
        location.join(DEFAULT_NAME)
    } else {
        location
    }
}

impl Cache {
    /// Reads the cache at `path`. A missing file is an empty cache; one that cannot be used
    /// (unreadable, not JSON of this format, written by another leaklint version) is an empty
    /// cache too, and the second value says why, for a warning.
    pub fn open(path: PathBuf) -> (Cache, Option<String>) {
        let (old, warning) = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (HashMap::new(), None),
            Err(e) => (HashMap::new(), Some(format!("cannot read it: {e}"))),
            Ok(bytes) => match read(&bytes) {
                Ok(entries) => (entries, None),
                Err(why) => (HashMap::new(), Some(why)),
            },
        };
        let warning = warning.map(|why| {
            format!(
                "ignoring the cache {}: {why}; every file is linted and the cache is rewritten",
                path.display()
            )
        });
        let cache = Cache {
            path,
            old: Mutex::new(old),
            new: Mutex::new(HashMap::new()),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        };
        (cache, warning)
    }

    /// The entry under `key`, if an earlier run left one (it is kept for the next run).
    pub fn get(&self, key: u128) -> Option<Entry> {
        let found = lock(&self.old).remove(&key);
        let found = match found {
            Some(entry) => Some(entry),
            // Asked twice in one run (a file named twice is linted once; a second pass with no
            // facts has the first pass's key only if nothing differs).
            None => lock(&self.new).get(&key).cloned(),
        };
        match &found {
            Some(entry) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                lock(&self.new).insert(key, entry.clone());
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
            }
        }
        found
    }

    /// Records what linting produced under `key`.
    pub fn put(&self, key: u128, entry: Entry) {
        lock(&self.new).insert(key, entry);
    }

    /// Files found in the cache and files linted, so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Writes the entries this run used or made, replacing the file atomically (a temporary
    /// file in the same folder, then a rename). Errors name the path.
    pub fn save(&self) -> Result<(), String> {
        let entries = lock(&self.new)
            .iter()
            .map(|(k, e)| (format!("{k:032x}"), e.clone()))
            .collect();
        let disk = OnDisk {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            entries,
        };
        let json = serde_json::to_vec(&disk)
            .map_err(|e| format!("cannot write the cache {}: {e}", self.path.display()))?;
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let written = std::fs::write(&tmp, json).and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!(
                "cannot write the cache {}: {e}",
                self.path.display()
            ));
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a map that is still whole: go on with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read(bytes: &[u8]) -> Result<HashMap<u128, Entry>, String> {
    // The header first, so that another version's layout is reported as such, not as damage.
    #[derive(Deserialize)]
    struct Header {
        format: u32,
        version: String,
    }
    let header: Header =
        serde_json::from_slice(bytes).map_err(|e| format!("it is damaged ({e})"))?;
    let version = env!("CARGO_PKG_VERSION");
    if header.format != FORMAT || header.version != version {
        return Err(format!(
            "it was written by leaklint {} (cache format {}), this is {version} (format {FORMAT})",
            header.version, header.format
        ));
    }
    let disk: OnDisk = serde_json::from_slice(bytes).map_err(|e| format!("it is damaged ({e})"))?;
    disk.entries
        .into_iter()
        .map(|(k, e)| {
            u128::from_str_radix(&k, 16)
                .map(|k| (k, e))
                .map_err(|_| format!("it is damaged (key `{k}`)"))
        })
        .collect()
}

/// The key of one call of [`leaklint_rules::lint_in_project`] (see the module docs): `display`
/// is the summarised path (`None`: no summary asked), `facts` the project's facts (second pass).
pub fn key(
    text: &str,
    kind: &crate::walk::FileKind,
    display: Option<&str>,
    demanded: bool,
    enabled: &dyn Fn(&'static Meta) -> bool,
    knowledge: &Knowledge,
    facts: Option<&FileFacts>,
) -> u128 {
    let mut h = SipHasher13::new();
    // Each part with its length first, so that no two different lists of parts hash the same
    // bytes.
    let mut part = |bytes: &[u8]| {
        h.write(&(bytes.len() as u64).to_le_bytes());
        h.write(bytes);
    };
    part(&FORMAT.to_le_bytes());
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(format!("{kind:?}").as_bytes());
    part(display.map_or(&[0xff][..], str::as_bytes));
    part(&[u8::from(demanded)]);
    for rule in leaklint_rules::ALL {
        let meta = rule.meta();
        if enabled(meta) {
            part(meta.id.as_bytes());
        }
    }
    part(b"");
    // Derived `Debug` of plain lists, strings and numbers: stable for equal values.
    part(format!("{knowledge:?}").as_bytes());
    part(
        facts
            .map(|f| format!("{f:?}"))
            .as_deref()
            .unwrap_or("")
            .as_bytes(),
    );
    part(&[facts.is_some() as u8]);
    part(text.as_bytes());
    h.finish128().as_u128()
}
