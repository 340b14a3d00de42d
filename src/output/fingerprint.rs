//! `partialFingerprints.primaryLocationLineHash`: the per-line hash GitHub code scanning uses to
//! recognise the same alert from one commit to the next, even after lines above it moved.
//!
//! GitHub's `upload-sarif` action fills the value in when a result lacks it, by hashing the
//! checked-out file; uploads through the API do not, and then every push opens new alerts. So
//! leaklint computes the same value itself, the way the action describes it:
//!
//! - the file is read as UTF-16 code units (JavaScript's `charCodeAt`), byte order mark included;
//! - spaces and tabs are skipped, `\r\n` and a lone `\r` count as `\n`;
//! - each line's hash covers the 100 kept code units that start at that line's first one,
//!   running on past the line's end into the following lines; after the text comes one `0xFFFF`
//!   unit and then zeros;
//! - the hash is a polynomial rolling hash, base 37, wrapping at 64 bits, written in lowercase
//!   hex without leading zeros, then `:N` where N counts how often that hash has been seen so far
//!   in the file (so two identical blocks still get distinct values).
//!
//! Line numbers count `\n`, `\r\n` and lone `\r` as line ends, as [`leaklint_rules::LineIndex`]
//! does, so the hash of a result's `startLine` is the hash of the line the result is on.
//! Golden values computed by the action's own code are checked in `tests/cli_sarif.rs`.

use std::collections::HashMap;

/// Code units per hashed block.
const BLOCK: usize = 100;
const BASE: u64 = 37;
/// What follows the last character.
const END_OF_TEXT: u16 = 0xFFFF;

/// The hash of every line of `text`: element 0 is line 1. `bom` tells that the file started with
/// a byte order mark that was stripped from `text` (the hash counts it, as the action does).
/// There is one more line than the text has line ends: a final line ending starts an (empty) line.
pub fn line_hashes(text: &str, bom: bool) -> Vec<String> {
    let mut hasher = Hasher::new();
    if bom {
        hasher.push(0xFEFF);
    }
    for unit in text.encode_utf16() {
        hasher.push(unit);
    }
    hasher.finish()
}

struct Hasher {
    /// The last [`BLOCK`] kept units, a ring indexed by `at`.
    window: [u16; BLOCK],
    /// For each window slot: the line that starts with the unit in it, if one does.
    starts: [Option<usize>; BLOCK],
    at: usize,
    hash: u64,
    /// BASE^BLOCK (wrapping): the weight of the unit that leaves the window.
    leaving_weight: u64,
    line: usize,
    at_line_start: bool,
    after_cr: bool,
    seen: HashMap<u64, usize>,
    out: Vec<String>,
}

impl Hasher {
    fn new() -> Hasher {
        Hasher {
            window: [0; BLOCK],
            starts: [None; BLOCK],
            at: 0,
            hash: 0,
            leaving_weight: (0..BLOCK).fold(1u64, |w, _| w.wrapping_mul(BASE)),
            line: 0,
            at_line_start: true,
            after_cr: false,
            seen: HashMap::new(),
            out: Vec::new(),
        }
    }

    fn push(&mut self, unit: u16) {
        const TAB: u16 = b'\t' as u16;
        const SPACE: u16 = b' ' as u16;
        const LF: u16 = b'\n' as u16;
        const CR: u16 = b'\r' as u16;
        // Blanks are not hashed, and the `\n` of a `\r\n` was counted with its `\r`. A blank
        // between them ends the pair: `\r \n` is two line ends, as in the line index.
        if unit == SPACE || unit == TAB || (self.after_cr && unit == LF) {
            self.after_cr = false;
            return;
        }
        self.after_cr = unit == CR;
        let unit = if unit == CR { LF } else { unit };
        // The unit in this slot is about to leave the window: the block that starts with it is
        // complete.
        if self.starts[self.at].is_some() {
            self.emit();
        }
        if self.at_line_start {
            self.at_line_start = false;
            self.line += 1;
            self.starts[self.at] = Some(self.line);
        }
        if unit == LF {
            self.at_line_start = true;
        }
        self.roll(unit);
    }

    fn roll(&mut self, unit: u16) {
        let leaving = self.window[self.at];
        self.window[self.at] = unit;
        self.hash = self
            .hash
            .wrapping_mul(BASE)
            .wrapping_add(u64::from(unit))
            .wrapping_sub(self.leaving_weight.wrapping_mul(u64::from(leaving)));
        self.at = (self.at + 1) % BLOCK;
    }

    fn emit(&mut self) {
        let count = self.seen.entry(self.hash).or_insert(0);
        *count += 1;
        self.out.push(format!("{:x}:{count}", self.hash));
        self.starts[self.at] = None;
    }

    fn finish(mut self) -> Vec<String> {
        self.push(END_OF_TEXT);
        for _ in 0..BLOCK {
            if self.starts[self.at].is_some() {
                self.emit();
            }
            self.roll(0);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every expected value below was computed by running the `hash` function of GitHub's
    // codeql-action (the code its upload step fingerprints with) with Node on these texts; the
    // first inputs are the ones that project's own tests use.
    #[test]
    fn matches_the_upload_actions_own_test_values() {
        assert_eq!(line_hashes("", false), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d", false),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let lf = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(text, false), lf, "{text:?}");
        }
        assert_eq!(
            line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10), false),
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1",
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_changes_only_the_first_line() {
        // The action hashed the files `\u{feff}a\nb\n` and `a\nb\n`.
        assert_eq!(
            line_hashes("a\nb\n", true),
            [
                "8fff498b8a070609:1",
                "ade70578248be16f:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        assert_eq!(line_hashes("a\nb\n", false)[0], "81b8d8db678b2bbe:1");
    }

    #[test]
    fn line_ends_and_astral_characters() {
        let cases: [(&str, &[&str]); 4] = [
            (
                "a\r \nb",
                &[
                    "67c066a59e652f5e:1",
                    "cc4c43d77869440f:1",
                    "8ee5a81e681643c1:1",
                ],
            ),
            (
                "a\r\r\nb\n",
                &[
                    "818c3a85b988abe4:1",
                    "bf4c4d48992e2ca5:1",
                    "ade70578248be16f:1",
                    "c129715d7a2bc9a3:1",
                ],
            ),
            (
                "x\u{2028}y\n😀\r\n",
                &[
                    "f303004c59cf2041:1",
                    "49e42825ed591e1a:1",
                    "c129715d7a2bc9a3:1",
                ],
            ),
            (
                "\n\n",
                &[
                    "5b5d4caf73a13177:1",
                    "3c5bef55b72b93c9:1",
                    "c129715d7a2bc9a3:1",
                ],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(line_hashes(text, false), expected, "{text:?}");
            // One hash per line of the line index, so a result's startLine finds its hash.
            let index = leaklint_rules::LineIndex::new(text);
            assert_eq!(expected.len(), index.line_count(), "{text:?}");
        }
    }
}
