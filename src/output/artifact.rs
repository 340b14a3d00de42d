//! Where a reported file is, for the formats CI systems read (SARIF, GitHub annotations).
//!
//! GitHub matches alerts from one run to the next by path, and shows a result only on a path of
//! the repository: so these paths are relative to one root (the working directory, or `--root`),
//! `/`-separated, and name the real file: symbolic links are resolved, in the file's path and in
//! the root, so `src/` reached through a link reports the same path as `src/` itself and nothing
//! depends on where the checkout lives. A file outside the root keeps its absolute path (SARIF
//! gives it as a `file://` URI, which GitHub ignores rather than misplaces).

use std::path::{Path, PathBuf};

/// The directory reported paths are relative to.
#[derive(Clone, Debug)]
pub struct Root {
    /// The working directory, which the report's display paths are relative to.
    cwd: PathBuf,
    /// The root, symlinks resolved.
    real: PathBuf,
}

/// A reported file's path as CI formats give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArtifactPath {
    /// Below the root: `/`-separated, relative to it.
    Relative(String),
    /// Outside the root (or not a file on disk that can be placed under it).
    Absolute(PathBuf),
}

impl Root {
    /// `root` (relative to `cwd`) or else `cwd` itself. Fails when `root` does not exist.
    pub fn new(cwd: &Path, root: Option<&Path>) -> std::io::Result<Root> {
        let real = match root {
            Some(root) => std::fs::canonicalize(cwd.join(root))?,
            None => std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf()),
        };
        Ok(Root {
            cwd: cwd.to_path_buf(),
            real,
        })
    }

    /// Where the file shown as `display` in the report is. A path that is not a file on disk
    /// (standard input's `--stdin-filename`) is placed lexically.
    pub fn locate(&self, display: &str) -> ArtifactPath {
        let joined = self.cwd.join(display);
        let real = std::fs::canonicalize(&joined)
            .unwrap_or_else(|_| crate::paths::absolute(&joined, &self.cwd));
        match crate::paths::relative_slash(&real, &self.real) {
            Some(rel) if !rel.is_empty() => ArtifactPath::Relative(rel),
            _ => ArtifactPath::Absolute(real),
        }
    }
}

impl ArtifactPath {
    /// The path as text: relative with `/`, or absolute as the system writes it.
    pub fn text(&self) -> String {
        match self {
            ArtifactPath::Relative(rel) => rel.clone(),
            ArtifactPath::Absolute(abs) => abs.to_string_lossy().into_owned(),
        }
    }

    /// A URI reference: a relative one (to resolve against the root), or a `file://` URI.
    /// Everything but unreserved characters and `/` is percent-encoded (a space is `%20`, `[`
    /// is `%5B`, and `:` is `%3A`, so a first segment like `a:b.js` is not read as a scheme).
    pub fn uri(&self) -> String {
        match self {
            ArtifactPath::Relative(rel) => percent_encode_path(rel),
            ArtifactPath::Absolute(abs) => {
                let text = abs.to_string_lossy().replace('\\', "/");
                // `C:/x` becomes `file:///C%3A/x`; `/x` becomes `file:///x`.
                let text = text.strip_prefix('/').unwrap_or(&text);
                format!("file:///{}", percent_encode_path(text))
            }
        }
    }
}

/// Percent-encodes every byte of `path`'s UTF-8 except RFC 3986 unreserved characters and `/`.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encodes_what_a_uri_reference_cannot_hold() {
        assert_eq!(percent_encode_path("src/app.js"), "src/app.js");
        assert_eq!(
            percent_encode_path("src/my file[1].ts"),
            "src/my%20file%5B1%5D.ts"
        );
        assert_eq!(percent_encode_path("a:b#c?d%e.js"), "a%3Ab%23c%3Fd%25e.js");
        assert_eq!(percent_encode_path("é.js"), "%C3%A9.js");
    }

    #[test]
    fn absolute_paths_are_file_uris() {
        let p = ArtifactPath::Absolute(PathBuf::from("/tmp/x y/a.js"));
        assert_eq!(p.uri(), "file:///tmp/x%20y/a.js");
    }
}
