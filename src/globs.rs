//! Ignore globs (`ignore = [...]` in `leaklint.toml`, `--ignore-pattern`).
//!
//! Globs are matched against the path relative to a base directory (the configuration's
//! directory, or the current directory for `--ignore-pattern`), with `/` separators:
//! - `*` and `?` stay within one path segment, `**` crosses segments;
//! - as in `.gitignore`, a glob without a `/` matches at any depth (`*.min.js`), and a glob with
//!   one is anchored at the base (`src/generated/**`); a leading `/` or `./` only anchors;
//! - a glob that matches a directory ignores everything below it (`dist` or `dist/`).

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

#[derive(Debug, Clone)]
pub struct IgnoreGlobs {
    base: PathBuf,
    set: GlobSet,
    patterns: Vec<String>,
}

impl IgnoreGlobs {
    /// Compiles `patterns`; the error names the pattern that does not compile.
    pub fn new(base: PathBuf, patterns: &[String]) -> Result<IgnoreGlobs, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            if pattern
                .trim()
                .trim_matches('/')
                .trim_start_matches("./")
                .is_empty()
            {
                // `''` would become `**/`, which matches every path: a mistake, never a wish.
                return Err(format!(
                    "empty ignore pattern `{pattern}`: it would ignore every file"
                ));
            }
            let glob = GlobBuilder::new(&normalize(pattern))
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| format!("invalid ignore globs: {e}"))?;
        Ok(IgnoreGlobs {
            base,
            set,
            patterns: patterns.to_vec(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The first pattern that ignores `path` (absolute), if any.
    pub fn matched(&self, path: &Path) -> Option<&str> {
        if self.is_empty() {
            return None;
        }
        let rel = crate::paths::relative_slash(path, &self.base)?;
        if rel.is_empty() {
            return None;
        }
        // The path itself, then each ancestor directory below the base.
        let mut candidates = vec![rel.as_str()];
        candidates.extend(rel.match_indices('/').map(|(i, _)| &rel[..i]));
        candidates
            .into_iter()
            .find_map(|candidate| self.set.matches(candidate).first().copied())
            .map(|i| self.patterns[i].as_str())
    }
}

fn normalize(pattern: &str) -> String {
    let trimmed = pattern.trim().trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.starts_with("./");
    let body = trimmed.trim_start_matches("./").trim_start_matches('/');
    if anchored || body.contains('/') {
        body.to_owned()
    } else {
        format!("**/{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(patterns: &[&str]) -> IgnoreGlobs {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        IgnoreGlobs::new(PathBuf::from("/p"), &patterns).unwrap()
    }

    #[test]
    fn unanchored_globs_match_at_any_depth() {
        let g = globs(&["*.min.js"]);
        assert_eq!(g.matched(Path::new("/p/a/b/x.min.js")), Some("*.min.js"));
        assert_eq!(g.matched(Path::new("/p/x.js")), None);
    }

    #[test]
    fn directory_globs_cover_their_contents() {
        let g = globs(&["dist/", "/src/gen"]);
        assert_eq!(g.matched(Path::new("/p/dist/a/b.js")), Some("dist/"));
        assert_eq!(g.matched(Path::new("/p/lib/dist/b.js")), Some("dist/"));
        assert_eq!(g.matched(Path::new("/p/src/gen/x.ts")), Some("/src/gen"));
        assert_eq!(g.matched(Path::new("/p/other/src/gen/x.ts")), None);
        assert_eq!(g.matched(Path::new("/elsewhere/dist/x.ts")), None);
    }

    #[test]
    fn star_stays_in_one_segment() {
        let g = globs(&["src/*.js"]);
        assert!(g.matched(Path::new("/p/src/a.js")).is_some());
        assert!(g.matched(Path::new("/p/src/deep/a.js")).is_none());
    }

    #[test]
    fn bad_glob_is_named() {
        let err = IgnoreGlobs::new(PathBuf::from("/p"), &["a[".to_owned()]).unwrap_err();
        assert!(err.contains("`a[`"), "{err}");
    }
}
