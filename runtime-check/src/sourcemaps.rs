//! Source maps: moves snapshot locations in compiled or bundled scripts (`dist/orders.js:15`,
//! as V8 records them) to the original source (`src/orders.ts:31`, as the linter reports), so
//! that findings on TypeScript sources match what the compiled JavaScript made.
//!
//! For each user script a snapshot names, the compiled file is looked for on disk (the path as
//! the snapshot spells it; under `--root`, the same path relative to the working directory;
//! else its trailing components, at least two, relative to the working directory). Its last
//! `//# sourceMappingURL=` comment names the map: an inline `data:application/json;base64,…`
//! URL or a file relative to the script. The map is decoded with the `sourcemap` crate
//! (regular maps, index maps of bundlers, Hermes maps).
//!
//! Mapped locations get a script id of their own per original source, from
//! [`FIRST_MAPPED_SCRIPT`] up (V8's script ids are small integers), named by the source's path
//! in the snapshot's own path space (`<script's directory>/<map's directory>/<sourceRoot>/<source>`,
//! normalised), so that `--root` and the suffix match of script names to linted files work
//! unchanged. One [`SourceMaps`] is used for all the snapshots of a run: script ids are stable
//! within a process, and the ids it hands out are the same in every snapshot. Locations whose
//! position has no mapping (code the compiler added) stay in the compiled script.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::graph::{Graph, Script};
use crate::script_path::{Root, components, plain_path};
use crate::snapshot::{NodeIndex, Snapshot};

/// The first script id given to an original source; V8's own ids are far below it.
pub const FIRST_MAPPED_SCRIPT: u32 = 0xF000_0000;

/// A source map that names itself but cannot be used: the file (the map, or the script for an
/// inline map) and what is wrong. Shown as `FILE: MESSAGE`; the command exits with status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMapError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for SourceMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for SourceMapError {}

/// One decoded map, as per-line lookup tables.
struct Table {
    /// Per generated line (0-based): `(generated column, source index, source line, source
    /// column)`, sorted by column; source lines and columns are 0-based.
    lines: Vec<Vec<(u32, u32, u32, u32)>>,
    /// Per source index: the mapped script id.
    script_ids: Vec<u32>,
}

impl Table {
    /// The original (script id, 0-based line, 0-based column) of a 0-based generated
    /// position: the last mapping at or before the column on that line, else the line's
    /// first mapping (V8 may place a function at its indentation, before any token).
    fn lookup(&self, line: u32, column: u32) -> Option<(u32, u32, u32)> {
        // The script's own top-level function (the CommonJS wrapper) starts at 0:0, before
        // the `"use strict"` prologue a compiler adds unmapped: with one source it is that
        // source's top.
        if (line, column) == (0, 0)
            && let [only] = self.script_ids[..]
            && self
                .lines
                .first()
                .is_none_or(|r| r.first().is_none_or(|t| t.0 > 0))
        {
            return Some((only, 0, 0));
        }
        let row = self.lines.get(line as usize)?;
        let at = row.partition_point(|&(c, ..)| c <= column);
        let &(_, src, src_line, src_col) = if at == 0 { row.first()? } else { &row[at - 1] };
        Some((*self.script_ids.get(src as usize)?, src_line, src_col))
    }
}

/// The source maps of one process's scripts, loaded once each and applied to every snapshot.
pub struct SourceMaps {
    /// The app's directory as the snapshot spells it (`--root`).
    root: Option<Root>,
    /// Where relative paths are looked for (the working directory).
    base: PathBuf,
    /// The decoded maps.
    tables: Vec<Table>,
    /// Compiled script name → index in `tables`, or `None` when it has no usable map.
    by_name: HashMap<String, Option<usize>>,
    /// Compiled script id → index in `tables` (ids are per process: one snapshot set).
    by_script: HashMap<u32, Option<usize>>,
    /// Names of the mapped sources, index = id − [`FIRST_MAPPED_SCRIPT`].
    names: Vec<String>,
    /// The compiled script of each mapped source (same index as `names`).
    compiled: Vec<String>,
    /// What could not be used without being an error (a map file named but absent).
    notes: Vec<String>,
    /// Scripts whose map was applied, as found on disk, for the report.
    mapped_files: Vec<String>,
}

impl SourceMaps {
    /// `root`: `--root` as given; `base`: the directory relative paths are looked for in.
    pub fn new(root: Option<&str>, base: PathBuf) -> SourceMaps {
        SourceMaps {
            root: root.map(Root::new),
            base,
            tables: Vec::new(),
            by_name: HashMap::new(),
            by_script: HashMap::new(),
            names: Vec::new(),
            compiled: Vec::new(),
            notes: Vec::new(),
            mapped_files: Vec::new(),
        }
    }

    /// Warnings worth showing: maps named by a script but not found.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The compiled files (as found on disk) whose locations were mapped.
    pub fn mapped_files(&self) -> &[String] {
        &self.mapped_files
    }

    /// Loads the maps of `g`'s scripts not seen before, then moves every location of a
    /// mapped script to its original source and names the new scripts in `g.scripts`.
    ///
    /// Errors: a map (file or inline) that is not a valid source map.
    pub fn apply_to_graph(&mut self, g: &mut Graph) -> Result<(), SourceMapError> {
        let mut ids: Vec<u32> = g.scripts.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if self.by_script.contains_key(&id) {
                continue;
            }
            let name = g.scripts[&id].name.clone();
            let table = self.table_of(&name)?;
            self.by_script.insert(id, table);
        }
        self.move_locations(&mut g.snap);
        for (i, name) in self.names.iter().enumerate() {
            let id = FIRST_MAPPED_SCRIPT + i as u32;
            // The compiled script's node stands for the source (it is never read as the
            // source's text: `compiled` is set).
            let Some(node) = self.compiled_script_node(&self.compiled[i], &g.scripts) else {
                continue;
            };
            g.scripts.insert(
                id,
                Script {
                    name: name.clone(),
                    node,
                    compiled: Some(self.compiled[i].clone()),
                },
            );
        }
        Ok(())
    }

    /// Moves the locations of a snapshot read without edges (whose scripts are named by
    /// another snapshot of the same process, already given to [`Self::apply_to_graph`]).
    pub fn apply_to_light(&self, snap: &mut Snapshot) {
        self.move_locations(snap);
    }

    fn compiled_script_node(
        &self,
        compiled: &str,
        scripts: &HashMap<u32, Script>,
    ) -> Option<NodeIndex> {
        scripts
            .values()
            .find(|s| s.name == compiled && s.compiled.is_none())
            .map(|s| s.node)
    }

    /// The original position of a 0-based `line` and `column` of the script named `script`
    /// (as a profile or snapshot spells it): the source's name and its 0-based line and
    /// column, or `None` when the script has no map or the position no mapping.
    ///
    /// Errors: the script's map is broken.
    pub fn position(
        &mut self,
        script: &str,
        line: u32,
        column: u32,
    ) -> Result<Option<(String, u32, u32)>, SourceMapError> {
        let Some(t) = self.table_of(script)? else {
            return Ok(None);
        };
        Ok(self.tables[t].lookup(line, column).map(|(id, l, c)| {
            (
                self.names[(id - FIRST_MAPPED_SCRIPT) as usize].clone(),
                l,
                c,
            )
        }))
    }

    /// The table of a script by name, loaded on first use.
    fn table_of(&mut self, name: &str) -> Result<Option<usize>, SourceMapError> {
        if let Some(&t) = self.by_name.get(name) {
            return Ok(t);
        }
        let t = self.load(name)?.map(|table| {
            self.tables.push(table);
            self.tables.len() - 1
        });
        self.by_name.insert(name.to_owned(), t);
        Ok(t)
    }

    fn move_locations(&self, snap: &mut Snapshot) {
        if self.by_script.values().all(Option::is_none) {
            return;
        }
        for l in &mut snap.locations {
            if let Some(&Some(t)) = self.by_script.get(&l.script)
                && let Some((script, line, column)) = self.tables[t].lookup(l.line, l.column)
            {
                l.script = script;
                l.line = line;
                l.column = column;
            }
        }
    }

    /// The table of the script named `name`, if it has a map; an error if its map is broken.
    fn load(&mut self, name: &str) -> Result<Option<Table>, SourceMapError> {
        let spelled = plain_path(name);
        if crate::diff::is_builtin_script(&spelled) {
            return Ok(None);
        }
        let Some(local) = self.local_file(&spelled) else {
            return Ok(None);
        };
        let Ok(text) = std::fs::read(&local) else {
            return Ok(None);
        };
        let Some(url) = mapping_url(&text) else {
            return Ok(None);
        };
        let shown = local.display().to_string();
        let (decoded, map_dir) = if url.starts_with("data:") {
            let decoded = sourcemap::decode_data_url(&url).map_err(|e| SourceMapError {
                file: shown.clone(),
                message: format!(
                    "its inline source map (`//# sourceMappingURL=data:…`) cannot be read: {e}"
                ),
            })?;
            (decoded, String::new())
        } else if url.contains("://") && !url.starts_with("file://") {
            self.notes.push(format!(
                "{shown}: its source map is at {url}, which leaklint does not fetch; its locations stay as compiled"
            ));
            return Ok(None);
        } else {
            let rel = plain_path(&url);
            let local_map = if Path::new(&rel).is_absolute() {
                PathBuf::from(&rel)
            } else {
                local.parent().unwrap_or(Path::new(".")).join(&rel)
            };
            let bytes = match std::fs::read(&local_map) {
                Ok(b) => b,
                Err(e) => {
                    self.notes.push(format!(
                        "{shown}: its source map {} cannot be read ({e}); its locations stay as compiled",
                        local_map.display()
                    ));
                    return Ok(None);
                }
            };
            let decoded = sourcemap::decode_slice(&bytes).map_err(|e| SourceMapError {
                file: local_map.display().to_string(),
                message: format!("not a valid source map (named by {shown}): {e}"),
            })?;
            let dir = if Path::new(&rel).is_absolute() {
                String::new()
            } else {
                Path::new(&rel)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            (decoded, dir)
        };
        let flat;
        let sm: &sourcemap::SourceMap = match &decoded {
            sourcemap::DecodedMap::Regular(sm) => sm,
            sourcemap::DecodedMap::Hermes(h) => h,
            sourcemap::DecodedMap::Index(ix) => {
                flat = ix.flatten().map_err(|e| SourceMapError {
                    file: shown.clone(),
                    message: format!("its index source map cannot be flattened: {e}"),
                })?;
                &flat
            }
        };
        // The script's directory as the snapshot spells it: sources get names in the same
        // path space as the scripts, so `--root` applies to them too.
        let script_dir = Path::new(&spelled)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut script_ids = Vec::with_capacity(sm.get_source_count() as usize);
        for i in 0..sm.get_source_count() {
            let source = sm.get_source(i).unwrap_or("");
            let resolved = source_name(&script_dir, &map_dir, source);
            script_ids.push(self.id_for(resolved, &spelled));
        }
        let mut lines: Vec<Vec<(u32, u32, u32, u32)>> = Vec::new();
        for t in sm.tokens() {
            if !t.has_source() {
                continue;
            }
            let line = t.get_dst_line() as usize;
            if lines.len() <= line {
                lines.resize_with(line + 1, Vec::new);
            }
            lines[line].push((
                t.get_dst_col(),
                t.get_src_id(),
                t.get_src_line(),
                t.get_src_col(),
            ));
        }
        for row in &mut lines {
            row.sort_by_key(|&(c, ..)| c);
        }
        self.mapped_files.push(shown);
        Ok(Some(Table { lines, script_ids }))
    }

    fn id_for(&mut self, name: String, compiled: &str) -> u32 {
        let i = match self.names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                self.names.push(name);
                self.compiled.push(compiled.to_owned());
                self.names.len() - 1
            }
        };
        FIRST_MAPPED_SCRIPT + i as u32
    }

    /// The compiled script on this machine: see the module documentation.
    fn local_file(&self, spelled: &str) -> Option<PathBuf> {
        if let Some(root) = &self.root {
            let rel = root.relative(spelled)?;
            let p = self.base.join(rel.trim_start_matches('/'));
            return p.is_file().then_some(p);
        }
        let p = Path::new(spelled);
        if p.is_absolute() && p.is_file() {
            return Some(p.to_path_buf());
        }
        let parts = components(spelled);
        // Trailing components, longest first; a bare file name is too weak a match.
        for start in 0..parts.len().saturating_sub(1) {
            let p = self.base.join(parts[start..].join("/"));
            if p.is_file() {
                return Some(p);
            }
        }
        None
    }
}

/// The URL of the last `//# sourceMappingURL=` (or the older `//@`) comment of a script, if
/// it is among the script's last lines, as V8 and the source map specification read it.
fn mapping_url(text: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    for line in text.lines().rev().take(8) {
        let l = line.trim();
        if let Some(rest) = l
            .strip_prefix("//# sourceMappingURL=")
            .or_else(|| l.strip_prefix("//@ sourceMappingURL="))
        {
            let url = rest.trim();
            return (!url.is_empty()).then(|| url.to_owned());
        }
    }
    None
}

/// The name of an original source: absolute paths and `file://` URLs as they are; other URL
/// schemes (`webpack://app/./src/x.ts`) by their path, to be matched by trailing components;
/// relative sources under the script's directory and the map's.
fn source_name(script_dir: &str, map_dir: &str, source: &str) -> String {
    if let Some(p) = source.strip_prefix("file://") {
        return normalise(&plain_path(p));
    }
    if let Some((scheme, rest)) = source.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        let rest = rest.split_once('/').map_or(rest, |(_, path)| path);
        return normalise(rest).trim_start_matches("../").to_owned();
    }
    if Path::new(source).is_absolute() {
        return normalise(source);
    }
    let mut p = PathBuf::from(script_dir);
    p.push(map_dir);
    p.push(source);
    normalise(&p.to_string_lossy())
}

/// Resolves `.` and `..` lexically, with `/` separators.
fn normalise(path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let absolute = path.starts_with('/');
    for c in Path::new(path).components() {
        match c {
            Component::ParentDir => {
                if out.last().is_some_and(|l| l != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..".into());
                }
            }
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            Component::Prefix(p) => out.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::RootDir | Component::CurDir => {}
        }
    }
    let joined = out.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_named_in_the_snapshots_path_space() {
        assert_eq!(
            source_name("/srv/app/dist", "", "../src/orders.ts"),
            "/srv/app/src/orders.ts"
        );
        assert_eq!(
            source_name("/srv/app/dist", "maps", "../../src/a.ts"),
            "/srv/app/src/a.ts"
        );
        assert_eq!(
            source_name("/srv/app/dist", "", "webpack://app/./src/x.ts"),
            "src/x.ts"
        );
        assert_eq!(
            source_name("/srv/app/dist", "", "file:///home/u/src/y.ts"),
            "/home/u/src/y.ts"
        );
    }

    #[test]
    fn the_last_mapping_comment_wins() {
        let js =
            b"var a = 1;\n//# sourceMappingURL=old.map\nvar b;\n//# sourceMappingURL=x.js.map\n";
        assert_eq!(mapping_url(js).as_deref(), Some("x.js.map"));
        assert_eq!(mapping_url(b"var a;\n"), None);
    }

    #[test]
    fn a_position_before_the_first_mapping_of_its_line_takes_that_mapping() {
        let t = Table {
            lines: vec![vec![], vec![(4, 0, 10, 2), (12, 0, 11, 0)]],
            script_ids: vec![FIRST_MAPPED_SCRIPT],
        };
        assert_eq!(t.lookup(1, 0), Some((FIRST_MAPPED_SCRIPT, 10, 2)));
        assert_eq!(t.lookup(1, 13), Some((FIRST_MAPPED_SCRIPT, 11, 0)));
        // 0:0 is the script's top-level function: the single source's top.
        assert_eq!(t.lookup(0, 0), Some((FIRST_MAPPED_SCRIPT, 0, 0)));
        assert_eq!(t.lookup(0, 3), None);
        assert_eq!(t.lookup(7, 0), None);
    }
}
