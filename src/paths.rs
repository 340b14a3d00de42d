//! How paths are shown: relative to the current directory when the file is below it, with `/`
//! separators on every platform, so reports are the same on every machine and in CI.

use std::path::{Component, Path, PathBuf};

/// The path as shown in reports: `./src/a.js`, `src/../src/a.js` and `/cwd/src/a.js` all show
/// as `src/a.js`; a path outside the current directory is shown as given, without `./`.
pub fn display(path: &Path, cwd: &Path) -> String {
    let shown: PathBuf = match absolute(path, cwd).strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect(),
    };
    let text = shown.to_string_lossy().into_owned();
    let text = if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text
    };
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

/// An absolute version of `path` without touching the file system (symlinks are kept as they
/// are: configuration discovery walks the directories as the user named them).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` with `/` separators, when `path` is below `base`.
pub fn relative_slash(path: &Path, base: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_strips_cwd_and_dot() {
        let cwd = Path::new("/work/p");
        assert_eq!(display(Path::new("./src/a.js"), cwd), "src/a.js");
        assert_eq!(display(Path::new("/work/p/src/a.js"), cwd), "src/a.js");
        assert_eq!(
            display(Path::new("/elsewhere/a.js"), cwd),
            "/elsewhere/a.js"
        );
        assert_eq!(display(Path::new("../x/a.js"), cwd), "../x/a.js");
        assert_eq!(display(Path::new("../p/a.js"), cwd), "a.js");
        assert_eq!(display(Path::new("src/../src/a.js"), cwd), "src/a.js");
    }

    #[test]
    fn absolute_resolves_dots_lexically() {
        let cwd = Path::new("/work/p");
        assert_eq!(
            absolute(Path::new("./a/../b.js"), cwd),
            Path::new("/work/p/b.js")
        );
        assert_eq!(
            relative_slash(Path::new("/work/p/a/b.js"), cwd).as_deref(),
            Some("a/b.js")
        );
    }
}
