//! The module graph between the project's own files: which file each import specifier names.
//!
//! Resolution is `oxc_resolver`'s (Node's and webpack's algorithm): relative specifiers with
//! extensions and `index` files, TypeScript's `.js`-means-`.ts`, `tsconfig.json` `paths` and
//! `baseUrl`, and `package.json` `main` / `exports` of workspace packages. A specifier that
//! resolves outside the set of files being analysed (a package in `node_modules`, a file left
//! out of the run) is opaque: it gets no edge.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use oxc_resolver::{ResolveOptions, Resolver, TsconfigDiscovery};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Resolves specifiers from files to indexes into the analysed files.
pub struct Graph {
    resolver: Resolver,
    /// Canonical path of each analysed file → its index.
    index: HashMap<PathBuf, usize>,
    /// Folders whose `tsconfig.json` sets `paths` or `baseUrl`: bare specifiers in files under
    /// them may be aliases of project files and are resolved too.
    alias_roots: Vec<PathBuf>,
    /// Names of the workspace packages among the analysed files (`package.json` `name`).
    workspace: Vec<String>,
    /// What each specifier resolved to, by the importing file's folder: files of one folder
    /// import the same modules, and a resolution is several file-system lookups (half of the
    /// imports of a 10,000-file corpus repeat a (folder, specifier) pair).
    resolved: Mutex<FxHashMap<(PathBuf, String), Option<usize>>>,
}

impl Graph {
    /// `files`: the canonical paths of the analysed files, in index order.
    pub fn new(files: &[PathBuf]) -> Graph {
        let options = ResolveOptions {
            tsconfig: Some(TsconfigDiscovery::Auto),
            extensions: [
                ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            extension_alias: vec![
                (
                    ".js".into(),
                    vec![".ts".into(), ".tsx".into(), ".js".into()],
                ),
                (".mjs".into(), vec![".mts".into(), ".mjs".into()]),
                (".cjs".into(), vec![".cts".into(), ".cjs".into()]),
            ],
            condition_names: vec![
                "node".into(),
                "require".into(),
                "import".into(),
                "default".into(),
            ],
            main_fields: vec!["main".into(), "module".into()],
            builtin_modules: true,
            ..ResolveOptions::default()
        };
        // Every folder above an analysed file, once. Reading their `tsconfig.json` and
        // `package.json` is thousands of file opens on a large tree: done in parallel.
        let mut seen = std::collections::HashSet::new();
        let mut dirs = Vec::new();
        for f in files {
            let mut dir = f.parent();
            while let Some(d) = dir {
                if !seen.insert(d) {
                    break;
                }
                dirs.push(d);
                dir = d.parent();
            }
        }
        let found: Vec<(Option<PathBuf>, Option<String>)> = dirs
            .par_iter()
            .map(|d| {
                let alias = std::fs::read_to_string(d.join("tsconfig.json"))
                    .is_ok_and(|text| text.contains("\"paths\"") || text.contains("\"baseUrl\""))
                    .then(|| d.to_path_buf());
                (alias, package_name(&d.join("package.json")))
            })
            .collect();
        let (alias_roots, workspace): (Vec<_>, Vec<_>) = found.into_iter().unzip();
        let alias_roots: Vec<PathBuf> = alias_roots.into_iter().flatten().collect();
        let workspace: Vec<String> = workspace.into_iter().flatten().collect();
        Graph {
            resolver: Resolver::new(options),
            index: files
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, p)| (p, i))
                .collect(),
            alias_roots,
            workspace,
            resolved: Mutex::default(),
        }
    }

    /// The analysed file that `specifier`, imported from `from`, names.
    pub fn resolve(&self, from: &Path, specifier: &str) -> Option<usize> {
        let relative = specifier.starts_with('.') || specifier.starts_with('/');
        if !relative
            && !self.is_workspace(specifier)
            && !self.alias_roots.iter().any(|r| from.starts_with(r))
        {
            // A package from node_modules: opaque, and not worth a lookup.
            return None;
        }
        let key = (
            from.parent().unwrap_or(Path::new("")).to_path_buf(),
            specifier.to_string(),
        );
        if let Some(&found) = self.memo().get(&key) {
            return found;
        }
        let found = self.resolve_uncached(from, specifier);
        self.memo().insert(key, found);
        found
    }

    fn resolve_uncached(&self, from: &Path, specifier: &str) -> Option<usize> {
        let resolved = self.resolver.resolve_file(from, specifier).ok()?;
        let path = resolved.path();
        if path.components().any(|c| c.as_os_str() == "node_modules") {
            return None;
        }
        self.index.get(path).copied()
    }

    /// Forgets what specifiers resolved to: files may have been created or deleted since (the
    /// language server's index calls this before each update).
    pub fn forget_resolutions(&self) {
        self.memo().clear();
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, FxHashMap<(PathBuf, String), Option<usize>>> {
        // A poisoned memo only means another thread panicked between two complete inserts.
        self.resolved.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_workspace(&self, specifier: &str) -> bool {
        self.workspace.iter().any(|name| {
            specifier == name
                || specifier
                    .strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

/// The `name` of a `package.json`, when it exists and has one.
fn package_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("name")?.as_str().map(String::from)
}
