//! Which files to lint.
//!
//! Directories are walked with the `ignore` crate, as ripgrep does: `.gitignore` (also outside a
//! git repository), `.ignore`, `.git/info/exclude` and the global git excludes are honoured,
//! hidden files and directories are skipped, and so is every `node_modules` directory. Only
//! `.js .mjs .cjs .jsx .ts .mts .cts .tsx` files are linted, never `.d.ts` declaration files
//! nor minified files (a name ending in `.min` or `-min` before its extension, as oxlint also
//! skips them: a minifier's output is code nobody reads, its findings point at column 40,000 of
//! one line, and the source it was made from is where a fix goes),
//! and the deployment files that start a Node service (`leaklint_rules::deploy::DeployKind`:
//! Dockerfiles, compose files, Kubernetes manifests, Procfiles, systemd units, PM2 ecosystem
//! files, `package.json`). A YAML file is a Kubernetes manifest only when its text has a
//! top-level `apiVersion` and `kind`. A deployment file under `node_modules` or in a test
//! folder (`test`, `tests`, `__tests__`, `spec`, `__mocks__`) below the walked directory is not
//! a deployment: it is not linted as one (an `ecosystem.config.js` there is still JavaScript).
//! Symbolic links met during a walk are not followed (ripgrep's default): a link cannot make a
//! walk loop, escape the tree, or lint a file twice.
//!
//! A file named on the command line is linted even when a walk would skip it (hidden, in
//! `node_modules`, `.gitignore`d): the user asked for it. leaklint's own exclusions, the
//! configuration's `ignore` globs and `--ignore-pattern`, still apply to it, as in ESLint and
//! Biome: pre-commit passes every staged file by name, and those globs are how a project says
//! "never lint this". Such a file is skipped with a note on stderr, and so is a minified file
//! named on the command line. `--no-ignore` lifts every exclusion except hidden files met
//! during a walk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;
use leaklint_rules::Flavor;
use leaklint_rules::deploy::{Context, DeployKind};

use crate::config::{Config, ConfigError, Configs};
use crate::globs::IgnoreGlobs;

/// A file to lint.
#[derive(Clone)]
pub struct Target {
    /// The path to read (as walked or named).
    pub path: PathBuf,
    /// As shown in reports.
    pub display: String,
    pub kind: FileKind,
    pub config: Arc<Config>,
    /// The path itself is a symbolic link. Only a file named on the command line can be one: a
    /// walk does not follow links. The project phase finds the canonical path of any other
    /// file from its folder's, without a `realpath` of its own.
    pub is_link: bool,
}

/// What a file is linted as.
#[derive(Clone, Debug)]
pub enum FileKind {
    /// JavaScript or TypeScript source.
    Source(Flavor),
    /// A deployment file, with what the file system says around it.
    Deployment(DeployKind, Context),
}

/// Folders whose deployment files are tests or dependencies, not the project's deployment.
const NOT_DEPLOYMENT_DIRS: &[&str] = &[
    "node_modules",
    "test",
    "tests",
    "__tests__",
    "spec",
    "__mocks__",
];

impl FileKind {
    /// The kind of the file at `path` (shown as `shown`), or None when leaklint does not lint
    /// it. `below` is the part of the path under the walked directory (None for a file named on
    /// the command line): a deployment file in a test folder there is not a deployment. A YAML
    /// file is read to see whether it is a Kubernetes manifest.
    pub fn of(path: &Path, shown: &str, below: Option<&Path>) -> Option<FileKind> {
        let in_excluded = |p: &Path| {
            p.components()
                .any(|c| NOT_DEPLOYMENT_DIRS.iter().any(|d| c.as_os_str() == *d))
        };
        let excluded = match below {
            Some(below) => in_excluded(below.parent().unwrap_or(Path::new(""))),
            None => path.components().any(|c| c.as_os_str() == "node_modules"),
        };
        if let Some(kind) = DeployKind::from_path(shown)
            && !excluded
            && (kind != DeployKind::Kubernetes || kubernetes_manifest(path))
        {
            return Some(FileKind::Deployment(kind, context(path)));
        }
        Flavor::from_path(shown).map(FileKind::Source)
    }
}

/// Is the file at `path` minified by its name: `bundle.min.js`, `jquery-min.js`,
/// `locales.min.mjs`: a JavaScript or TypeScript file whose name, before its extension, ends
/// in `.min` or `-min`?
pub fn is_minified(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    Flavor::from_path(name).is_some()
        && name
            .rsplit_once('.')
            .is_some_and(|(stem, _)| stem.ends_with(".min") || stem.ends_with("-min"))
}

/// Is the YAML file at `path` a Kubernetes manifest? Unreadable or oversized files are not
/// (a file that cannot be read is not worth an error for a guess about its kind).
fn kubernetes_manifest(path: &Path) -> bool {
    match crate::engine::read_source(path) {
        Ok(Ok(bytes)) => {
            std::str::from_utf8(&bytes).is_ok_and(leaklint_rules::deploy::is_kubernetes_manifest)
        }
        _ => false,
    }
}

/// What the deployment rules need from the file system: whether a `tsconfig.json` is in the
/// file's folder or above it, up to the first folder with a `package.json` or `.git`.
pub fn context(path: &Path) -> Context {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut typescript = false;
    for dir in abs.ancestors().skip(1) {
        if dir.join("tsconfig.json").is_file() {
            typescript = true;
            break;
        }
        if dir.join("package.json").is_file() || dir.join(".git").exists() {
            break;
        }
    }
    Context { typescript }
}

#[derive(Default)]
pub struct Walked {
    pub targets: Vec<Target>,
    /// Named paths that do not exist, unreadable directories: reported, and exit status 2.
    pub errors: Vec<String>,
    /// Named files that are skipped, and why.
    pub notes: Vec<String>,
}

pub struct WalkOptions<'a> {
    pub cwd: &'a Path,
    pub no_ignore: bool,
    pub cli_ignore: &'a IgnoreGlobs,
    pub configs: &'a Arc<Configs>,
    /// Stops the walk early once set (the language server's index build, when its session
    /// ends); `None` on the command line.
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

/// Collects the files under `paths`. Fails only on a bad configuration.
pub fn collect(paths: &[PathBuf], opts: &WalkOptions<'_>) -> Result<Walked, ConfigError> {
    let mut walked = Walked::default();
    let mut seen = HashSet::new();
    for path in paths {
        let shown = crate::paths::display(path, opts.cwd);
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                walked
                    .errors
                    .push(format!("{shown}: no such file or directory"));
            }
            Err(e) => walked.errors.push(format!("cannot read {shown}: {e}")),
            Ok(meta) if meta.is_dir() => walk_dir(path, opts, &mut walked, &mut seen)?,
            Ok(_) => named_file(path, shown, opts, &mut walked, &mut seen)?,
        }
    }
    Ok(walked)
}

fn named_file(
    path: &Path,
    shown: String,
    opts: &WalkOptions<'_>,
    walked: &mut Walked,
    seen: &mut HashSet<PathBuf>,
) -> Result<(), ConfigError> {
    let Some(kind) = FileKind::of(path, &shown, None) else {
        walked.notes.push(format!(
            "skipped {shown}: not a JavaScript or TypeScript source file, nor a deployment file"
        ));
        return Ok(());
    };
    if !opts.no_ignore && is_minified(&shown) {
        walked.notes.push(format!(
            "skipped {shown}: minified (its name ends in .min or -min; --no-ignore lints it)"
        ));
        return Ok(());
    }
    let abs = crate::paths::absolute(path, opts.cwd);
    let config = opts.configs.for_file(&abs)?;
    if !opts.no_ignore {
        let reason = match config.ignore.matched(&abs) {
            Some(glob) => Some(format!("`{glob}` in {}", config.display)),
            None => opts
                .cli_ignore
                .matched(&abs)
                .map(|glob| format!("--ignore-pattern `{glob}`")),
        };
        if let Some(reason) = reason {
            walked.notes.push(format!(
                "skipped {shown}: ignored by {reason} (--no-ignore lints it)"
            ));
            return Ok(());
        }
    }
    if seen.insert(abs) {
        walked.targets.push(Target {
            path: path.to_path_buf(),
            display: shown,
            kind,
            config,
            is_link: std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()),
        });
    }
    Ok(())
}

fn walk_dir(
    root: &Path,
    opts: &WalkOptions<'_>,
    walked: &mut Walked,
    seen: &mut HashSet<PathBuf>,
) -> Result<(), ConfigError> {
    let use_ignores = !opts.no_ignore;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .parents(use_ignores)
        .ignore(use_ignores)
        .git_ignore(use_ignores)
        .git_global(use_ignores)
        .git_exclude(use_ignores)
        .require_git(false)
        .follow_links(false);
    if use_ignores {
        // Prune `node_modules` and directories the configuration or --ignore-pattern ignore, so
        // their contents are never read. Configuration errors are left for the per-file lookup
        // below, which reports them.
        let configs = opts.configs.clone();
        let cli_ignore = opts.cli_ignore.clone();
        let cwd = opts.cwd.to_path_buf();
        builder.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true; // named by the user
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.file_name() == "node_modules" {
                return false;
            }
            let abs = crate::paths::absolute(entry.path(), &cwd);
            if cli_ignore.matched(&abs).is_some() {
                return false;
            }
            match configs.for_file(&abs) {
                Ok(config) => config.ignore.matched(&abs).is_none(),
                Err(_) => true,
            }
        });
    }
    // Directories are read on every core (reading them is most of a walk's time, and linting
    // waits for the walk); the files found are then taken in the order of their paths' bytes,
    // so that the targets, and the first configuration error if any, do not depend on which
    // thread read what.
    let found: std::sync::Mutex<(Vec<ignore::DirEntry>, Vec<ignore::Error>)> =
        std::sync::Mutex::default();
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            use ignore::WalkState;
            if opts
                .cancel
                .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
            {
                return WalkState::Quit;
            }
            let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
            match entry {
                // Only regular files: directories are descended into, links are not followed.
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => found.0.push(entry),
                Ok(_) => {}
                Err(e) => found.1.push(e),
            }
            WalkState::Continue
        })
    });
    let (mut entries, errors) = found.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut errors: Vec<String> = errors
        .iter()
        .map(|e| describe_walk_error(e, opts.cwd))
        .collect();
    errors.sort();
    walked.errors.extend(errors);
    // By the path's bytes: comparing paths component by component cost a percent of a corpus
    // run's instructions; any fixed order does.
    fn bytes(e: &ignore::DirEntry) -> &[u8] {
        e.path().as_os_str().as_encoded_bytes()
    }
    entries.sort_unstable_by(|a, b| bytes(a).cmp(bytes(b)));
    for entry in entries {
        let shown = crate::paths::display(entry.path(), opts.cwd);
        let below = entry.path().strip_prefix(root).ok();
        if use_ignores && is_minified(&shown) {
            continue;
        }
        let Some(kind) = FileKind::of(entry.path(), &shown, below) else {
            continue;
        };
        let abs = crate::paths::absolute(entry.path(), opts.cwd);
        let config = opts.configs.for_file(&abs)?;
        if seen.insert(abs) {
            walked.targets.push(Target {
                path: entry.path().to_path_buf(),
                display: shown,
                kind,
                config,
                is_link: false,
            });
        }
    }
    Ok(())
}

fn describe_walk_error(error: &ignore::Error, cwd: &Path) -> String {
    // The `ignore` error nests the path and the I/O error in wrappers whose Display repeats
    // the walked path; restate it as "cannot read <displayed path>: <OS error>".
    fn path_of(error: &ignore::Error) -> Option<&Path> {
        match error {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    match (path_of(error), error.io_error()) {
        (Some(path), Some(io)) => {
            format!("cannot read {}: {io}", crate::paths::display(path, cwd))
        }
        _ => format!("cannot walk: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::is_minified;

    #[test]
    fn minified_by_name() {
        for name in [
            "bundle.min.js",
            "a/b/jquery-min.js",
            "locales.min.mjs",
            "x.bundle.min.cjs",
            "a.min.ts",
            "c\\d.min.jsx",
        ] {
            assert!(is_minified(name), "{name}");
        }
        for name in [
            "admin.js",
            "min.js",
            "a.minified.js",
            "terminal-min/app.js",
            "x.min.json",
            "a.min.d.ts",
            "compose-min.yml",
            "min",
        ] {
            assert!(!is_minified(name), "{name}");
        }
    }
}
