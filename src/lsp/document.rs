//! An open text document: its text, kept in step with the client's full or incremental
//! changes, and the conversions between byte offsets and LSP positions (0-based line, UTF-16
//! column).

use leaklint_rules::LineIndex;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

pub struct Document {
    pub text: String,
    pub index: LineIndex,
    pub version: i32,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        Document {
            index: LineIndex::new(&text),
            text,
            version,
        }
    }

    /// Applies one change: the whole text, or a range replaced. Positions past the end of a
    /// line or of the text are clamped, as the protocol asks.
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent) {
        match change.range {
            None => self.text = change.text,
            Some(range) => {
                let start = self.offset(range.start);
                let end = self.offset(range.end).max(start);
                self.text.replace_range(start..end, &change.text);
            }
        }
        self.index = LineIndex::new(&self.text);
    }

    /// The byte offset of an LSP position.
    pub fn offset(&self, position: Position) -> usize {
        self.index.offset_of_utf16(
            &self.text,
            position.line as usize,
            position.character as usize,
        )
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let p = self.index.position(&self.text, offset);
        lsp_position(p)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The 0-based line's text without its line ending.
    pub fn line(&self, line: usize) -> &str {
        self.index.line_text(&self.text, line)
    }

    /// The line ending to use in inserted text: the file's own.
    pub fn eol(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }
}

/// A 1-based line and UTF-16 column (reports) as an LSP position.
pub fn lsp_position(p: leaklint_rules::line_index::Position) -> Position {
    Position::new(
        u32::try_from(p.line.saturating_sub(1)).unwrap_or(u32::MAX),
        u32::try_from(p.column.saturating_sub(1)).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(s, e)| Range::new(Position::new(s.0, s.1), Position::new(e.0, e.1))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_count_utf16_units() {
        let mut doc = Document::new("const s = '😀';\nfoo();\n".into(), 1);
        // The emoji is two UTF-16 units: column 13 is the closing quote.
        doc.apply(change(Some(((0, 13), (0, 13))), "!"));
        assert_eq!(doc.text, "const s = '😀!';\nfoo();\n");
        doc.apply(change(Some(((1, 0), (1, 3))), "bar"));
        assert_eq!(doc.text, "const s = '😀!';\nbar();\n");
        assert_eq!(
            doc.position(doc.text.find("bar").unwrap()),
            Position::new(1, 0)
        );
        assert_eq!(
            doc.position(doc.text.find('!').unwrap()),
            Position::new(0, 13)
        );
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let mut doc = Document::new("ab\ncd".into(), 1);
        doc.apply(change(Some(((0, 99), (7, 0))), "X"));
        assert_eq!(doc.text, "abX");
        doc.apply(change(None, "new"));
        assert_eq!(doc.text, "new");
    }

    #[test]
    fn line_endings_follow_the_file() {
        assert_eq!(Document::new("a\r\nb".into(), 1).eol(), "\r\n");
        assert_eq!(Document::new("a\nb".into(), 1).eol(), "\n");
    }
}
