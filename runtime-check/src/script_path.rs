//! Script names read as paths: the one reading of what a snapshot calls a script (an absolute
//! path or a `file://` URL, as Node names CommonJS and ES modules) and of `--root`, shared by
//! `confirm`, which matches scripts to the linted files, and the source maps, which look for
//! the compiled scripts on disk.

/// A script name or URL as a path: without `file://`, percent-decoded (`%20` → space).
pub fn plain_path(name: &str) -> String {
    let s = name.strip_prefix("file://").unwrap_or(name);
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The components of a path separated by `/` or `\`, without empty and `.` components.
pub fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// `--root`: the directory the app ran from, as the snapshot's script paths spell it.
#[derive(Clone, Debug)]
pub struct Root(String);

impl Root {
    /// `root` as given on the command line (a path or a `file://` URL; a trailing `/` is
    /// dropped).
    pub fn new(root: &str) -> Root {
        Root(plain_path(root).trim_end_matches('/').to_owned())
    }

    /// The rest of `script` (a plain path, see [`plain_path`]) after the root, starting with
    /// `/`; `None` when the script is not under the root.
    pub fn relative<'a>(&self, script: &'a str) -> Option<&'a str> {
        script.strip_prefix(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_paths() {
        assert_eq!(plain_path("file:///srv/my%20app/a.js"), "/srv/my app/a.js");
        assert_eq!(plain_path("/srv/app/a.js"), "/srv/app/a.js");
        assert_eq!(components("./src//x.ts"), vec!["src", "x.ts"]);
        let root = Root::new("file:///srv/app/");
        assert_eq!(root.relative("/srv/app/src/x.js"), Some("/src/x.js"));
        assert_eq!(root.relative("/srv/other/x.js"), None);
    }
}
