//! Which files to lint.
//!
//! Directories are walked with the `ignore` crate, as ripgrep does: `.gitignore` (also outside a
//! git repository), `.ignore`, `.git/info/exclude` and the global git excludes are honoured,
//! hidden files and directories are skipped, and so is every `node_modules` directory. Only
//! `.js .mjs .cjs .jsx .ts .mts .cts .tsx` files are linted, never `.d.ts` declaration files.
//! Symbolic links met during a walk are not followed (ripgrep's default): a link cannot make a
//! walk loop, escape the tree, or lint a file twice.
//!
//! A file named on the command line is linted even when a walk would skip it (hidden, in
//! `node_modules`, `.gitignore`d): the user asked for it. leaklint's own exclusions, the
//! configuration's `ignore` globs and `--ignore-pattern`, still apply to it, as in ESLint and
//! Biome: pre-commit passes every staged file by name, and those globs are how a project says
//! "never lint this". Such a file is skipped with a note on stderr. `--no-ignore` lifts every
//! exclusion except hidden files met during a walk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;
use leaklint_rules::Flavor;

use crate::config::{Config, ConfigError, Configs};
use crate::globs::IgnoreGlobs;

/// A file to lint.
#[derive(Clone)]
pub struct Target {
    /// The path to read (as walked or named).
    pub path: PathBuf,
    /// As shown in reports.
    pub display: String,
    pub flavor: Flavor,
    pub config: Arc<Config>,
    /// The path itself is a symbolic link. Only a file named on the command line can be one: a
    /// walk does not follow links. The project phase finds the canonical path of any other
    /// file from its folder's, without a `realpath` of its own.
    pub is_link: bool,
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
    let Some(flavor) = Flavor::from_path(&shown) else {
        walked.notes.push(format!(
            "skipped {shown}: not a JavaScript or TypeScript source file"
        ));
        return Ok(());
    };
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
            flavor,
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
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                walked.errors.push(describe_walk_error(&e, opts.cwd));
                continue;
            }
        };
        // Only regular files: directories are descended into, links are not followed.
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let shown = crate::paths::display(entry.path(), opts.cwd);
        let Some(flavor) = Flavor::from_path(&shown) else {
            continue;
        };
        let abs = crate::paths::absolute(entry.path(), opts.cwd);
        let config = opts.configs.for_file(&abs)?;
        if seen.insert(abs) {
            walked.targets.push(Target {
                path: entry.path().to_path_buf(),
                display: shown,
                flavor,
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
