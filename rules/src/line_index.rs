//! Byte offsets to 1-based lines and UTF-16 columns (what ESLint, LSP and SARIF count).

/// Line starts of one text, built once per file.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// UTF-16 columns known in advance on lines holding a byte beyond ASCII: `(byte offset,
    /// UTF-16 units from its line's start)` at each such line's start and then every
    /// [`CHECKPOINT_BYTES`] or so, ascending; empty for an ASCII text. On other lines a column
    /// is the byte distance from the line start. Either way [`position`] counts at most a
    /// stride of characters, even on the one-line bundles of minified code, where counting from
    /// the line start for every function's position made summarising quadratic in the line's
    /// length (a fifth of a corpus run).
    ///
    /// [`position`]: LineIndex::position
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between two column checkpoints on a line beyond ASCII (see `LineIndex::checkpoints`).
const CHECKPOINT_BYTES: usize = 1024;

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
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            for (l, &start) in starts.iter().enumerate() {
                let end = starts.get(l + 1).copied().unwrap_or(bytes.len());
                if bytes[start..end].is_ascii() {
                    continue;
                }
                let (mut at, mut units) = (start, 0);
                checkpoints.push((at, units));
                while end - at > CHECKPOINT_BYTES {
                    let mut next = at + CHECKPOINT_BYTES;
                    while !text.is_char_boundary(next) {
                        next += 1;
                    }
                    // A checkpoint at the next line's start would be taken for that line's.
                    if next >= end {
                        break;
                    }
                    units += utf16_len(&bytes[at..next]);
                    at = next;
                    checkpoints.push((at, units));
                }
            }
        }
        LineIndex {
            starts,
            checkpoints,
        }
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
        // The last checkpoint at or before `end` lies on this line exactly when the line holds
        // a byte beyond ASCII (each such line starts with one).
        let cp = self.checkpoints.partition_point(|&(at, _)| at <= end);
        let column = match cp.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((at, units)) if at >= start => units + utf16_len(&text.as_bytes()[at..end]),
            _ => end - start,
        } + 1;
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

/// UTF-16 code units of valid UTF-8 bytes: one per character (every byte but continuation
/// bytes `10xxxxxx` starts one), and a second for the four-byte characters (lead byte `11110xxx`),
/// which UTF-16 writes as surrogate pairs. Counting bytes instead of decoding characters lets
/// the compiler compare many bytes at a time.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
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
    fn columns_on_ascii_lines_after_a_non_ascii_one_are_byte_counts() {
        let text = "é = 1;\nx = 2; y\n\u{2028}😀 z";
        let idx = LineIndex::new(text);
        let at = |needle: &str| idx.position(text, text.find(needle).unwrap());
        assert_eq!(at("= 1"), Position { line: 1, column: 3 });
        assert_eq!(at("y"), Position { line: 2, column: 8 });
        // U+2028 is one unit, the emoji two.
        assert_eq!(at("z"), Position { line: 3, column: 5 });
        let long = format!("ab\n{}", "é😀x".repeat(2000));
        let long_idx = LineIndex::new(&long);
        for (offset, _) in long.char_indices() {
            let p = long_idx.position(&long, offset);
            assert_eq!(p.line, if offset < 3 { 1 } else { 2 });
            let start = long_idx.line_start(p.line - 1);
            assert_eq!(p.column, long[start..offset].encode_utf16().count() + 1);
        }
        for (offset, _) in text.char_indices() {
            let p = idx.position(text, offset);
            let start = idx.line_start(p.line - 1);
            assert_eq!(p.column, text[start..offset].encode_utf16().count() + 1);
        }
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
