//! Byte offsets to 1-based lines and UTF-16 columns (what ESLint, LSP and SARIF count).

/// Line starts of one text, built once per file.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

/// A position: 1-based line, 1-based column in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    /// Lines end at `\n`; a `\r` before it belongs to the line ending, and a lone `\r` ends a
    /// line too (as in ECMAScript, which also counts U+2028/U+2029, rare enough to ignore here).
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // memchr finds line ends many bytes at a time: every summarised file builds an index.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte offset where the 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and UTF-16 column of a byte offset. Offsets inside a character or past the
    /// end are clamped.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line];
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text[start..end].encode_utf16().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The text of the 0-based `line`, without its line ending.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line);
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The byte offset of a 0-based line and 0-based UTF-16 column (LSP positions).
    pub fn offset_of_utf16(&self, text: &str, line: usize, column: usize) -> usize {
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let line_text = self.line_text(text, line);
        let mut units = 0;
        for (i, ch) in line_text.char_indices() {
            if units >= column {
                return start + i;
            }
            units += ch.len_utf16();
        }
        start + line_text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_counts_two_utf16_units() {
        // The note in ecosystem.md: `debugger` is at UTF-16 column 18 on this line.
        let text = "const s = \"😀é\"; debugger;";
        let idx = LineIndex::new(text);
        let at = text.find("debugger").unwrap();
        assert_eq!(
            idx.position(text, at),
            Position {
                line: 1,
                column: 18
            }
        );
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, text.find('b').unwrap()).line, 2);
        assert_eq!(idx.position(text, text.find('c').unwrap()).line, 3);
        assert_eq!(
            idx.position(text, text.find('d').unwrap()),
            Position { line: 4, column: 1 }
        );
        assert_eq!(idx.line_text(text, 0), "a");
    }

    #[test]
    fn utf16_offsets_round_trip() {
        let text = "x\n😀ab";
        let idx = LineIndex::new(text);
        let off = idx.offset_of_utf16(text, 1, 2);
        assert_eq!(&text[off..], "ab");
        assert_eq!(idx.position(text, off), Position { line: 2, column: 3 });
    }
}
