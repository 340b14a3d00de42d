//! Turning a file's bytes into lintable text.

/// What a file's bytes turned out to be.
#[derive(Debug)]
pub enum Decoded {
    Text(String),
    /// Contains NUL bytes: an image, an archive, a compiled file with a `.js` name.
    Binary,
    /// Not UTF-8 (Latin-1 and UTF-16 sources exist, but JS tools expect UTF-8).
    NotUtf8,
}

impl Decoded {
    pub fn from_bytes(bytes: Vec<u8>) -> Decoded {
        if bytes.contains(&0) {
            return Decoded::Binary;
        }
        match String::from_utf8(bytes) {
            // A byte order mark is not part of the program; columns are counted without it, as
            // ESLint does.
            Ok(text) => match text.strip_prefix('\u{feff}') {
                Some(rest) => Decoded::Text(rest.to_owned()),
                None => Decoded::Text(text),
            },
            Err(_) => Decoded::NotUtf8,
        }
    }

    /// Why a non-text file is skipped, for the note on stderr.
    pub fn skip_reason(&self) -> Option<&'static str> {
        match self {
            Decoded::Text(_) => None,
            Decoded::Binary => Some("binary file (contains NUL bytes)"),
            Decoded::NotUtf8 => Some("not valid UTF-8"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_bytes() {
        assert!(matches!(
            Decoded::from_bytes(b"a\0b".to_vec()),
            Decoded::Binary
        ));
        assert!(matches!(
            Decoded::from_bytes(vec![0xff, 0x41]),
            Decoded::NotUtf8
        ));
        match Decoded::from_bytes("\u{feff}x".as_bytes().to_vec()) {
            Decoded::Text(t) => assert_eq!(t, "x"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(Decoded::from_bytes(Vec::new()), Decoded::Text(t) if t.is_empty()));
    }
}
