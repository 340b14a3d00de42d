//! What leaklint refuses to analyse, found by one cheap pass over the text before swc parses it.
//!
//! swc's parser recurses once per level of bracket nesting and once per concise arrow body, so
//! deep enough machine-made input overflows any stack; it is also quadratic on a few shapes
//! (chains of labels, of TypeScript `<T>` assertions and of `else if`) and exponential on one
//! (nested tries of TypeScript type arguments). Real code stays far below
//! the limits here; beyond them a file is reported as not analysed, with the reason and the
//! position, and the other files are linted as usual. The limits are documented in the README
//! ("Limits"). Each parser shape is written up as an upstream swc issue (swc_ecma_parser 47:
//! "stack overflow on deeply nested concise arrow bodies", "quadratic memory on repeated
//! labels", "quadratic time on chains of TypeScript type assertions", "quadratic time on long
//! `else if` chains", "exponential time on nested type-argument tries"), with the minimal input given at each limit below.
//!
//! The pass is a small lexer: strings, template literals (with `${}` as a bracket level),
//! comments and regular expression literals are skipped so that brackets in them do not count.
//! Where the lexer has to guess (a `/` after `)` is taken as division), a wrong guess can only
//! make a count larger, never hide real nesting. Counts of arrows, labels and assertions are kept
//! per bracket level and end with it, or at a `;` or `,` of that level, which ends any arrow
//! body, label chain or assertion chain of that level.

use crate::parse::Flavor;

/// Largest file analysed, in bytes (64 MiB): swc's positions are 32-bit, and the syntax tree of
/// a file takes about ten times its size in memory.
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// Deepest nesting of brackets (`(`, `[`, `{`, and `${` in templates).
pub const MAX_NESTING: usize = 1_000;

/// Most concise arrow bodies open at once (`() => () => ... x`): each is a level of recursion
/// in swc's parser that no bracket shows. Upstream: `f = ` followed by 85,000 `() => ` and `1`
/// overflows a 256 MiB stack (also `async () =>`, `x =>`, `<T,>(x: T) =>`).
pub const MAX_ARROWS: usize = 2_000;

/// Longest chain of labels on one statement (`a: b: c: x`). Upstream: 5,000 repetitions of
/// `l: ` before `x;` take 2 GB and 9 s; 20,000 take more than 7 GB.
pub const MAX_LABELS: usize = 1_000;

/// Longest chain of TypeScript `<T>` type assertions (`<T><U>x`), in `.ts` files, where a
/// generic arrow's `<T,>(x: T) =>` counts too (it starts the same way). Upstream:
/// `x = ` followed by 32,000 `<T>` and `a;` takes 82 s (8,000: more than 40 s).
pub const MAX_TYPE_ASSERTIONS: usize = 1_000;

/// Longest `if ... else if ...` chain. Upstream: `if (a) {}` followed by 100,000
/// `else if (a) {}` takes 67 s (20,000: 5 s).
pub const MAX_ELSE_IF: usize = 5_000;

/// Most `a < ...` that swc's TypeScript parser may be trying as type arguments at once around
/// an expression inside a type, in `.ts` and `.tsx` files. After `a <` swc first tries to read
/// type arguments (`f<T>(x)`), and when that fails reads the same text again as an expression
/// (a comparison). A type can hold an expression, a computed key (`{[k]: T}`) or a default
/// value (`(x = v) => T`), and that expression another `a <`: each such round reads the text
/// inside it several times over, so the time grows by a factor of 5 to 12 per round while the
/// text grows by a few bytes. Counted: at each computed key or default value inside a type, the
/// open `<` of the expression levels around it whose type it is in (a bracket opened right
/// after `<`, `,`, `|`, `&`, `keyof` and the like, or `[` after a name); a `<` ends with `>`,
/// `;`, `=`, `?`, `&&` and `||`. Real code has at most 1 (a symbol key in a type, `T & {
/// [brand]: B }`); type-level code without computed keys counts 0 however deep its generics.
/// Upstream ("exponential time on nested type-argument tries", swc_ecma_parser 47.0.0):
/// `x = a<({[a<({[a<({[a<({[x]:1})]:1})]:1})]:1});` (valid TypeScript) takes 0.07 s; with 5
/// levels 0.67 s, 6 levels (67 bytes) 7.9 s; unclosed, `x = ` and 8, 9, 10 times `a<{[` take
/// 0.9, 4.9 and 23 s (in `.tsx` too; memory stays at 4 MB).
pub const MAX_TYPE_ARGUMENT_NESTING: usize = 4;

/// A limit a file goes beyond: where (byte offset) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exceeded {
    pub offset: usize,
    pub message: String,
}

impl Exceeded {
    fn new(offset: usize, what: String) -> Exceeded {
        Exceeded {
            offset,
            message: format!(
                "not analysed: {what}; leaklint does not analyse machine-made code beyond this \
                 limit (see Limits in the README)"
            ),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Root,
    Bracket,
    /// `${` inside a template literal: its `}` goes back to the template text.
    Template,
}

struct Level {
    open: Open,
    /// Inside `<...>` that opened where an expression may start: type parameters of a generic
    /// arrow (`<T, U>(x) =>`) or a JSX tag, whose commas end nothing.
    angle: bool,
    arrows: usize,
    labels: usize,
    assertions: usize,
    else_ifs: usize,
    /// `<` after an expression (`a < b`, or type arguments `f<T>`) not yet closed by `>` or
    /// ended by a token that no type contains (`;`, `=`, `&&`, `||`, `??`, `?`).
    type_args: usize,
    /// Inside a type that swc's parser may be trying (a bracket that opened where a type may
    /// start after open `<`s of the level around it): `<` here is part of the type
    /// (`Array<T>`), read without trying twice, until an expression starts again (a computed
    /// key `{[k]: T}` or a default `(x = v) => T`).
    in_type: bool,
    /// While `in_type`: how many `<` tried at once around here since the last expression
    /// (each bracket that opened in a type adds the open `<`s before it).
    pending: usize,
    /// Where an expression starts again inside a type: the `pending` tries it is read in, each
    /// of which reads it again when it fails (see [`MAX_TYPE_ARGUMENT_NESTING`]).
    counted: usize,
    /// `{` for a level opened by a brace (a computed key `[` only starts in one).
    brace: bool,
}

impl Level {
    fn new(open: Open) -> Level {
        Level {
            open,
            angle: false,
            arrows: 0,
            labels: 0,
            assertions: 0,
            else_ifs: 0,
            type_args: 0,
            in_type: false,
            pending: 0,
            counted: 0,
            brace: false,
        }
    }
}

/// The last significant token, as far as the checks need it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start of the text.
    Start,
    /// A punctuator, by its last byte.
    Punct(u8),
    /// An identifier, keyword or number; `statement_start` when the token before it ended a
    /// statement or a label (so that `word :` is a label).
    Word { statement_start: bool },
    /// A keyword after which an expression starts (`return`, `typeof`, ...).
    ExprKeyword,
    /// `else`.
    Else,
    /// A string, template or regular expression literal.
    Literal,
    /// The `:` of a label.
    LabelColon,
}

impl Prev {
    /// Would a `/` here start a regular expression (rather than divide)?
    fn regex_may_follow(self) -> bool {
        match self {
            Prev::Word { .. } | Prev::Literal => false,
            Prev::Punct(b) => !matches!(b, b')' | b']' | b'}'),
            _ => true,
        }
    }

    /// Does a statement (so possibly a label) start after this token?
    fn ends_statement(self) -> bool {
        matches!(
            self,
            Prev::Start | Prev::LabelColon | Prev::Else | Prev::Punct(b';' | b'{' | b'}' | b')')
        )
    }

    /// Could an expression start after this token (so `<` starts a type assertion)?
    fn expression_may_follow(self) -> bool {
        match self {
            Prev::Start | Prev::ExprKeyword | Prev::Else | Prev::LabelColon => true,
            Prev::Punct(b) => !matches!(b, b')' | b']' | b'}'),
            _ => false,
        }
    }
}

/// A keyword after which an expression starts (`return`, `typeof`, ...). A `match` on the
/// word, not a search in a list: it runs for every word of every file.
fn is_expr_keyword(word: &[u8]) -> bool {
    matches!(
        word,
        b"return"
            | b"typeof"
            | b"instanceof"
            | b"in"
            | b"of"
            | b"new"
            | b"delete"
            | b"void"
            | b"throw"
            | b"case"
            | b"do"
            | b"yield"
            | b"await"
    )
}

/// A keyword that starts a type from the type after it (`keyof T`), or continues one
/// (`T extends U ? X : Y`, `x is T`), so that a bracket after it is still inside the type.
fn is_type_operator(word: &[u8]) -> bool {
    matches!(
        word,
        b"keyof" | b"readonly" | b"infer" | b"unique" | b"extends" | b"is" | b"asserts"
    )
}

/// The word that ends just before `at` (after any spaces), or nothing.
fn word_before(bytes: &[u8], at: usize) -> &[u8] {
    let end = at
        - bytes[..at]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    let start = end
        - bytes[..end]
            .iter()
            .rev()
            .take_while(|&&b| is_word_byte(b))
            .count();
    &bytes[start..end]
}

/// Bytes of identifiers, keywords and numbers (every non-ASCII byte counts: it can only be
/// part of an identifier or of text the lexer skips anyway).
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
        b += 1;
    }
    table
};

fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[b as usize]
}

/// Checks `src` against every limit; the first one exceeded, with its position.
pub fn check(src: &str, flavor: Flavor) -> Result<(), Exceeded> {
    if src.len() > MAX_FILE_BYTES {
        return Err(Exceeded::new(
            0,
            format!("the file is larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    if !may_exceed(src.as_bytes(), flavor.is_typescript()) {
        return Ok(());
    }
    scan(src, flavor)
}

/// Could the scan find a limit exceeded in `bytes`? Every step the scan counts consumes a byte
/// of its own: a bracket level opens at a `(`, `[` or `{` (a template's `${` at its `{`), an
/// arrow body at the `>` of `=>`, a label at its `:`, a type assertion at its `<`, an
/// `else if` at the `f` of `if`, and in TypeScript a nested type-argument try at its `<`. A text with no more of those bytes than a limit allows cannot
/// go beyond it, so it needs no scan. Most files are small: on the benchmark corpus half the
/// bytes are in files this counting clears, and counting five bytes is several times faster
/// than the scan's lexing. Counting stops at the first count past its limit (then the scan
/// runs), so a large file costs at most a few kilobytes of counting more than before.
fn may_exceed(bytes: &[u8], typescript: bool) -> bool {
    // Each type-argument try counted by [`MAX_TYPE_ARGUMENT_NESTING`] starts at a `<` of its own.
    let lt_limit = if typescript {
        MAX_TYPE_ARGUMENT_NESTING.min(MAX_TYPE_ASSERTIONS)
    } else {
        MAX_TYPE_ASSERTIONS
    };
    let (mut open, mut gt, mut colon, mut lt, mut f) = (0usize, 0usize, 0usize, 0usize, 0usize);
    // Per-chunk counters of 16 bits let the compiler count 8 or 16 bytes at once.
    for chunk in bytes.chunks(4096) {
        let (mut o, mut g, mut c, mut l, mut ff) = (0u16, 0u16, 0u16, 0u16, 0u16);
        for &b in chunk {
            o += u16::from((b == b'(') | (b == b'[') | (b == b'{'));
            g += u16::from(b == b'>');
            c += u16::from(b == b':');
            l += u16::from(b == b'<');
            ff += u16::from(b == b'f');
        }
        open += usize::from(o);
        gt += usize::from(g);
        colon += usize::from(c);
        lt += usize::from(l);
        f += usize::from(ff);
        if open > MAX_NESTING
            || gt > MAX_ARROWS
            || colon > MAX_LABELS
            || lt > lt_limit
            || f > MAX_ELSE_IF
        {
            return true;
        }
    }
    false
}

/// The scan proper: the first limit exceeded, with its position.
fn scan(src: &str, flavor: Flavor) -> Result<(), Exceeded> {
    Scan {
        bytes: src.as_bytes(),
        assertions_apply: flavor == crate::parse::Flavor::TypeScript,
        type_args_apply: flavor.is_typescript(),
        levels: vec![Level::new(Open::Root)],
        arrows: 0,
        assertions: 0,
        speculative: 0,
        prev: Prev::Start,
    }
    .run()
}

struct Scan<'a> {
    bytes: &'a [u8],
    /// `<T>x` is a type assertion only in `.ts` (in `.tsx` and JavaScript it is JSX).
    assertions_apply: bool,
    levels: Vec<Level>,
    /// `a < ` may start type arguments only in `.ts` and `.tsx`.
    type_args_apply: bool,
    /// Sums over `levels`.
    arrows: usize,
    assertions: usize,
    /// Sum of `counted` over `levels`: the type-argument tries around the current position.
    speculative: usize,
    prev: Prev,
}

impl Scan<'_> {
    fn level(&mut self) -> &mut Level {
        self.levels
            .last_mut()
            .expect("the root level is never closed")
    }

    /// The end of statements, arrow bodies and label chains of the current level.
    fn end_chains(&mut self) {
        let level = self.levels.last_mut().expect("root");
        self.arrows -= level.arrows;
        self.assertions -= level.assertions;
        level.arrows = 0;
        level.assertions = 0;
        level.labels = 0;
    }

    fn open(&mut self, at: usize, open: Open) -> Result<(), Exceeded> {
        let tries = if open == Open::Bracket && self.opens_in_type_arguments(at) {
            self.levels.last().expect("root").type_args
        } else {
            0
        };
        let parent = self.levels.last().expect("root");
        let mut level = Level::new(open);
        level.brace = self.bytes.get(at) == Some(&b'{');
        level.in_type = parent.in_type || tries > 0;
        level.pending = parent.pending + tries;
        // A computed key in a type literal is an expression again (an index signature
        // `[k: T]` and a mapped type `[K in T]` are not).
        let computed_key = parent.in_type
            && parent.brace
            && self.bytes.get(at) == Some(&b'[')
            && matches!(self.prev, Prev::Punct(b'{' | b',' | b';'))
            && !self.index_signature_or_mapped_type(at + 1);
        self.levels.push(level);
        if self.levels.len() - 1 > MAX_NESTING {
            return Err(Exceeded::new(
                at,
                format!("brackets nest more than {MAX_NESTING} levels deep here"),
            ));
        }
        if computed_key {
            self.expression_in_type(at)?;
        }
        Ok(())
    }

    /// Does `[` before `i` start an index signature (`[key: string]`) or a mapped type
    /// (`[K in keyof T]`)? Both begin with a name and `:` or `in`.
    fn index_signature_or_mapped_type(&self, i: usize) -> bool {
        let b = self.bytes;
        let start = self.skip_trivia(i);
        let end = start + b[start..].iter().take_while(|&&c| is_word_byte(c)).count();
        if end == start {
            return false;
        }
        let next = self.skip_trivia(end);
        b.get(next) == Some(&b':')
            || (b[next..].starts_with(b"in") && !b.get(next + 2).is_some_and(|&c| is_word_byte(c)))
    }

    /// An expression starts at `at` inside a type of the current level (a computed key, a
    /// default value): swc reads it once for each `<` it is trying around it, and again for
    /// each of those when that try fails.
    fn expression_in_type(&mut self, at: usize) -> Result<(), Exceeded> {
        let level = self.levels.last_mut().expect("root");
        level.in_type = false;
        level.counted += level.pending;
        self.speculative += level.pending;
        level.pending = 0;
        if self.speculative > MAX_TYPE_ARGUMENT_NESTING {
            return Err(Exceeded::new(
                at,
                format!(
                    "more than {MAX_TYPE_ARGUMENT_NESTING} `a < ...` (possible type \
                     arguments) nest here through computed keys or default values"
                ),
            ));
        }
        Ok(())
    }

    /// Would swc's type parser, trying type arguments after an open `<` of this level, go into
    /// the bracket at `at`? Yes where a type may start: after that `<`, `,`, `|`, `&` or a type
    /// operator (`keyof {`), and for `[` after a name or a closing bracket (`T[K]`, `T[]`).
    fn opens_in_type_arguments(&self, at: usize) -> bool {
        let parent = self.levels.last().expect("root");
        if !self.type_args_apply || parent.type_args == 0 || parent.in_type {
            return false;
        }
        match self.prev {
            Prev::Punct(b'<' | b',' | b'|' | b'&') => true,
            Prev::Punct(b')' | b']') => self.bytes[at] == b'[',
            Prev::Word { .. } => {
                self.bytes[at] == b'[' || is_type_operator(word_before(self.bytes, at))
            }
            Prev::ExprKeyword => matches!(word_before(self.bytes, at), b"typeof" | b"new"),
            _ => false,
        }
    }

    /// Closes a level; true when it was a template's `${`.
    fn close(&mut self) -> bool {
        if self.levels.len() == 1 {
            return false; // unbalanced: the parser reports it
        }
        let level = self.levels.pop().expect("more than the root");
        self.arrows -= level.arrows;
        self.assertions -= level.assertions;
        self.speculative -= level.counted;
        level.open == Open::Template
    }

    /// Index after the whitespace and comments from `i`.
    fn skip_trivia(&self, mut i: usize) -> usize {
        let b = self.bytes;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if b.get(i) == Some(&b'/') && b.get(i + 1) == Some(&b'/') {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            } else if b.get(i) == Some(&b'/') && b.get(i + 1) == Some(&b'*') {
                i += 2;
                i = memchr::memmem::find(&b[i..], b"*/").map_or(b.len(), |n| i + n);
                i = (i + 2).min(b.len());
            } else {
                return i;
            }
        }
    }

    /// Skips template text from `i` (just after `` ` `` or a `${}`'s `}`): the index after the
    /// closing `` ` ``, or after a `${` (then a template level is open).
    fn template_text(&mut self, mut i: usize) -> Result<usize, Exceeded> {
        let b = self.bytes;
        while i < b.len() {
            // Only these three bytes matter in template text.
            let Some(n) = memchr::memchr3(b'\\', b'`', b'$', &b[i..]) else {
                return Ok(b.len());
            };
            i += n;
            match b[i] {
                b'\\' => i += 2,
                b'`' => {
                    self.prev = Prev::Literal;
                    return Ok(i + 1);
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    self.open(i, Open::Template)?;
                    self.prev = Prev::Punct(b'{');
                    return Ok(i + 2);
                }
                _ => i += 1,
            }
        }
        Ok(i)
    }

    fn run(mut self) -> Result<(), Exceeded> {
        let b = self.bytes;
        let mut i = 0;
        while i < b.len() {
            i = self.skip_trivia(i);
            let Some(&c) = b.get(i) else { break };
            match c {
                b'(' | b'[' | b'{' => {
                    self.open(i, Open::Bracket)?;
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    let template = self.close();
                    self.prev = Prev::Punct(c);
                    i += 1;
                    if template {
                        i = self.template_text(i)?;
                    }
                }
                b'"' | b'\'' => {
                    i += 1;
                    // To the closing quote (or the end of the line, where the parser will
                    // complain), stepping over escapes.
                    while i < b.len() {
                        match memchr::memchr3(c, b'\\', b'\n', &b[i..]) {
                            Some(n) if b[i + n] == b'\\' => i += n + 2,
                            Some(n) => {
                                i += n;
                                break;
                            }
                            None => i = b.len(),
                        }
                    }
                    i += 1;
                    self.prev = Prev::Literal;
                }
                b'`' => i = self.template_text(i + 1)?,
                b'/' if self.prev.regex_may_follow() => {
                    i += 1;
                    let mut class = false;
                    while i < b.len() && b[i] != b'\n' && (class || b[i] != b'/') {
                        match b[i] {
                            b'\\' => i += 1,
                            b'[' => class = true,
                            b']' => class = false,
                            _ => {}
                        }
                        i += 1;
                    }
                    i += 1;
                    while i < b.len() && is_word_byte(b[i]) {
                        i += 1; // flags
                    }
                    self.prev = Prev::Literal;
                }
                b',' if self.levels.last().is_some_and(|l| l.angle) => {
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
                b'>' => {
                    let level = self.level();
                    level.angle = false;
                    level.type_args = level.type_args.saturating_sub(1);
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
                b';' | b',' => {
                    self.end_chains();
                    if c == b';' {
                        self.level().type_args = 0;
                    }
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
                b'=' if b.get(i + 1) == Some(&b'>') => {
                    let next = self.skip_trivia(i + 2);
                    if b.get(next) != Some(&b'{') {
                        self.level().arrows += 1;
                        self.arrows += 1;
                        if self.arrows > MAX_ARROWS {
                            return Err(Exceeded::new(
                                i,
                                format!(
                                    "arrow functions nest more than {MAX_ARROWS} levels deep \
                                     here (an arrow's body is another arrow)"
                                ),
                            ));
                        }
                    }
                    self.prev = Prev::Punct(b'>');
                    i += 2;
                }
                b':' => {
                    if let Prev::Word {
                        statement_start: true,
                    } = self.prev
                    {
                        let level = self.level();
                        level.labels += 1;
                        if level.labels > MAX_LABELS {
                            return Err(Exceeded::new(
                                i,
                                format!("more than {MAX_LABELS} labels in a row here"),
                            ));
                        }
                        self.prev = Prev::LabelColon;
                    } else {
                        self.prev = Prev::Punct(c);
                    }
                    i += 1;
                }
                b'<' if self.prev.expression_may_follow()
                    && !matches!(b.get(i + 1), Some(b'<' | b'=')) =>
                {
                    self.level().angle = true;
                    self.prev = Prev::Punct(c);
                    i += 1;
                    if !self.assertions_apply {
                        continue;
                    }
                    self.level().assertions += 1;
                    self.assertions += 1;
                    if self.assertions > MAX_TYPE_ASSERTIONS {
                        return Err(Exceeded::new(
                            i - 1,
                            format!(
                                "more than {MAX_TYPE_ASSERTIONS} `<T>` type assertions (or \
                                 generic arrows) in a row here"
                            ),
                        ));
                    }
                }
                b'<' if self.type_args_apply && !matches!(b.get(i + 1), Some(b'<' | b'=')) => {
                    // After an expression: a comparison, or type arguments (`f<T>(x)`).
                    let level = self.level();
                    if !level.in_type {
                        level.type_args += 1;
                    }
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
                b'=' | b'?' => {
                    // No type goes on past `=`, `==`, `?` (`??`, `?.`): they end what a `<` of
                    // this level may have started. In a type, `=` starts a default value
                    // (`(x = v) => T`), an expression.
                    self.level().type_args = 0;
                    if c == b'=' && self.level().in_type {
                        self.expression_in_type(i)?;
                    }
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
                b'&' | b'|' if b.get(i + 1) == Some(&c) => {
                    // `&&` and `||` are in no type (`&` and `|` are).
                    self.level().type_args = 0;
                    self.prev = Prev::Punct(c);
                    i += 2;
                }
                b'+' | b'-' if b.get(i + 1) == Some(&c) => {
                    // `a++ / b` divides: after `++` and `--` no regular expression starts.
                    self.prev = Prev::Literal;
                    i += 2;
                }
                c if is_word_byte(c) => {
                    let start = i;
                    while i < b.len() && is_word_byte(b[i]) {
                        i += 1;
                    }
                    let word = &b[start..i];
                    let statement_start = self.prev.ends_statement();
                    self.prev = if word == b"if" {
                        if self.prev == Prev::Else {
                            let level = self.level();
                            level.else_ifs += 1;
                            if level.else_ifs > MAX_ELSE_IF {
                                return Err(Exceeded::new(
                                    start,
                                    format!("an `else if` chain longer than {MAX_ELSE_IF} here"),
                                ));
                            }
                        } else if matches!(self.prev, Prev::Start | Prev::Punct(b';' | b'{' | b'}'))
                        {
                            self.level().else_ifs = 0;
                        }
                        Prev::Word {
                            statement_start: false,
                        }
                    } else if word == b"else" {
                        Prev::Else
                    } else if is_expr_keyword(word) {
                        Prev::ExprKeyword
                    } else {
                        Prev::Word { statement_start }
                    };
                }
                _ => {
                    self.prev = Prev::Punct(c);
                    i += 1;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(src: &str) -> Result<(), Exceeded> {
        check(src, Flavor::JavaScript)
    }

    fn ts(src: &str) -> Result<(), Exceeded> {
        check(src, Flavor::TypeScript)
    }

    fn refused(result: Result<(), Exceeded>, what: &str) -> usize {
        let e = result.expect_err("over the limit");
        assert!(e.message.contains(what), "{}", e.message);
        assert!(e.message.starts_with("not analysed: "), "{}", e.message);
        e.offset
    }

    #[test]
    fn deep_brackets() {
        let src = format!("x = {}1{};", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(refused(js(&src), "brackets nest"), 4 + MAX_NESTING);
        let ok = format!(
            "x = {}1{};",
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        assert_eq!(js(&ok), Ok(()));
    }

    #[test]
    fn brackets_in_strings_comments_templates_and_regexes_do_not_count() {
        let n = 5000;
        let src = format!(
            "const s = '{}'; // {}\n/* {} */ const t = `{}`; const r = /{}/;",
            "(".repeat(n),
            "[".repeat(n),
            "{".repeat(n),
            "(".repeat(n),
            "\\(".repeat(n)
        );
        assert_eq!(js(&src), Ok(()));
        // Inside `${}` it is code again.
        let src = format!("t = `${{{}`;", "(".repeat(n));
        refused(js(&src), "brackets nest");
    }

    #[test]
    fn nested_arrows_of_every_kind() {
        let n = MAX_ARROWS + 10;
        // In `.ts`, where `<T,>(x: T) =>` also reads as a type assertion, that limit comes first.
        refused(
            ts(&format!("f = {}1;", "<T,>(x: T) => ".repeat(n))),
            "generic arrows",
        );
        for (src, check) in [
            (format!("f = {}1;", "() => ".repeat(n)), js as fn(&str) -> _),
            (format!("f = {}1;", "async () => ".repeat(n)), js),
            (format!("f = {}1;", "x => ".repeat(n)), js),
            (format!("f = {}1;", "<T,>(x: T) => ".repeat(n)), js),
            (
                format!("a = <b onClick={{{}1}} />;", "() => ".repeat(n)),
                js,
            ),
            (
                format!("app.get('/', {}res.end());", "(req, res) => ".repeat(n)),
                js,
            ),
        ] {
            refused(check(&src), "arrow functions nest");
        }
        // As many arrows side by side as you like; bodies in braces are brackets.
        let side_by_side = "f(a => a, b => b);\nconst g = x => x;\n".repeat(5000);
        assert_eq!(js(&side_by_side), Ok(()));
        let curried = format!("f = {}1;", "a => ".repeat(MAX_ARROWS));
        assert_eq!(js(&curried), Ok(()));
    }

    #[test]
    fn label_chains() {
        refused(js(&format!("{}x;", "l: ".repeat(MAX_LABELS + 1))), "labels");
        // Object keys, conditionals and `case`s are no labels.
        let object = format!("o = {{ {} }};", "a: 1, ".repeat(5000));
        let conditional = format!("x = {}0;", "a ? b : ".repeat(5000));
        let cases = format!("switch (x) {{ {} }}", "case 1: f(); ".repeat(5000));
        for src in [object, conditional, cases] {
            assert_eq!(js(&src), Ok(()));
        }
    }

    #[test]
    fn type_assertion_chains_in_ts_only() {
        let src = format!("x = {}a;", "<T>".repeat(MAX_TYPE_ASSERTIONS + 1));
        refused(ts(&src), "type assertions");
        assert_eq!(check(&src, Flavor::Tsx), Ok(()));
        // Comparisons and generic calls are no assertions.
        let src = "if (a < b && f<T>(x) < c) {}\n".repeat(5000);
        assert_eq!(ts(&src), Ok(()));
    }

    #[test]
    fn else_if_chains() {
        let long = format!("if (a) {{}} {}", "else if (a) {} ".repeat(MAX_ELSE_IF + 1));
        refused(js(&long), "else if");
        // Many short chains one after the other.
        let short = "if (a) { x(); } else if (b) { y(); } else { z(); }\n".repeat(10_000);
        assert_eq!(js(&short), Ok(()));
    }

    /// Texts with one byte of a kind more than its limit allows are scanned; with exactly
    /// as many, and arranged the worst way, they are within the limit, so skipping the scan
    /// for them loses nothing.
    #[test]
    fn counting_clears_only_texts_within_every_limit() {
        let worst = [
            (
                format!(
                    "x = {}1{};",
                    "(".repeat(MAX_NESTING),
                    ")".repeat(MAX_NESTING)
                ),
                js as fn(&str) -> _,
            ),
            (
                format!(
                    "x = {}1{};",
                    "[".repeat(MAX_NESTING),
                    "]".repeat(MAX_NESTING)
                ),
                js,
            ),
            (format!("t = {}`;", "`${".repeat(MAX_NESTING)), js),
            (format!("f = {}1;", "x => ".repeat(MAX_ARROWS)), js),
            (format!("{}x;", "l: ".repeat(MAX_LABELS)), js),
            (format!("x = {}a;", "<T>".repeat(MAX_TYPE_ASSERTIONS)), ts),
            ("else if a; ".repeat(MAX_ELSE_IF), js),
        ];
        for (src, check) in &worst {
            assert!(!may_exceed(src.as_bytes(), false), "{src:.40}");
            assert_eq!(check(src), Ok(()), "{src:.40}");
        }
        for one_more in ["(", "[", "{", ">", ":", "<"] {
            let at_limits = format!(
                "{}{}{}{}{}",
                "(".repeat(MAX_NESTING),
                ">".repeat(MAX_ARROWS),
                ":".repeat(MAX_LABELS),
                "<".repeat(MAX_TYPE_ASSERTIONS),
                "f".repeat(MAX_ELSE_IF)
            );
            assert!(!may_exceed(at_limits.as_bytes(), false));
            assert!(
                may_exceed(format!("{at_limits}{one_more}").as_bytes(), false),
                "{one_more}"
            );
        }
        assert!(may_exceed("f".repeat(MAX_ELSE_IF + 1).as_bytes(), false));
        // In TypeScript a `<` may start a type-argument try, whose limit is much lower.
        let tries = "a<".repeat(MAX_TYPE_ARGUMENT_NESTING + 1);
        assert!(may_exceed(tries.as_bytes(), true));
        assert!(!may_exceed(tries.as_bytes(), false));
        assert!(!may_exceed(&tries.as_bytes()[2..], true));
        // Counts add up across the chunks counted at once.
        let spread = "(       ".repeat(MAX_NESTING + 1);
        assert!(may_exceed(spread.as_bytes(), false));
        assert!(!may_exceed(&spread.as_bytes()[8..], false));
    }

    /// With or without counting first, the same answer.
    #[test]
    fn counting_agrees_with_the_scan() {
        let texts = [
            String::new(),
            "const a = { b: [1, 2, (3)] };".into(),
            "if (a) {} else if (b) {} else {}".into(),
            format!(
                "x = {}1{};",
                "(".repeat(MAX_NESTING + 1),
                ")".repeat(MAX_NESTING + 1)
            ),
            format!("{}x;", "l: ".repeat(MAX_LABELS + 1)),
            "f(a => a, b => b);\n".repeat(3000),
        ];
        for src in &texts {
            for flavor in [Flavor::JavaScript, Flavor::TypeScript, Flavor::Tsx] {
                assert_eq!(check(src, flavor), scan(src, flavor), "{src:.40}");
            }
        }
    }

    /// `x = ` and `n` levels of `open`, `inner`, `n` levels of `close`.
    fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
        format!("x = {}{inner}{};", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn nested_type_argument_tries() {
        let m = MAX_TYPE_ARGUMENT_NESTING;
        // (one level, how many rounds it counts)
        let shapes = [
            ("a<({[", 1),
            ("a<{[", 1),
            ("a<(b=", 1),
            ("a<([b=", 1),
            ("a < { [", 1),
            ("a<b|({[", 1),
            ("a<keyof {[", 1),
            ("f(a<b, {[", 1),
            ("hh=>*r<cint$[[[[{[[[[[[&[[[[[[", 1),
            ("a<b<({[", 2),
        ];
        for (level, rounds) in shapes {
            let within = m / rounds;
            for flavor in [Flavor::TypeScript, Flavor::Tsx] {
                assert_eq!(
                    check(&level.repeat(within), flavor),
                    Ok(()),
                    "{level} x {within}"
                );
                let e = check(&level.repeat(within + 1), flavor).expect_err(level);
                assert!(
                    e.message.contains("nest here through computed keys"),
                    "{e:?}"
                );
                // In JavaScript `a <` is a comparison and nothing else.
                assert_eq!(js(&level.repeat(20)), Ok(()), "{level}");
            }
        }
        // Closed, valid TypeScript; refused at the computed key of the level too many.
        let closed = |n| nested("a<({[", "x", "]:1})", n);
        assert_eq!(ts(&closed(m)), Ok(()));
        let offset = refused(ts(&closed(m + 1)), "computed keys or default values");
        assert_eq!(offset, "x = ".len() + "a<({[".len() * (m + 1) - 1);
    }

    #[test]
    fn type_level_code_and_comparisons_are_no_type_argument_tries() {
        let ok = [
            // Generics nest in types as deep as you like: no expression inside.
            "const m: Map<string, Array<Promise<Record<string, T[K]>>>> = new Map<string, \
             Array<{ a: [A, B]; f: (x: X<Y<Z>>) => W<{ b: C[] }> }>>();",
            // Mapped types and index signatures are no computed keys.
            "type D<T> = { [K in keyof T]: { [P in keyof T[K]]: { [k: string]: Array<T[K][P]> } } };",
            "f<Partial<{ [K in keyof T as `on${K}`]?: Readonly<{ [k: string]: U<V[]> }> }>>(x);",
            // Comparisons with calls, indexes and objects.
            "if (a < f(b < g(c < h(d[e < i[j]])))) { x = { [k]: a < b } }",
            "for (let i = 0; i < n; i++) { if (i < m && o[p < q ? r : s]) {} }",
            // A symbol key in a type, once.
            "x = y as T & { [brand]: B };",
            "const t = a<b, {[k]: 1}>(c);",
        ];
        for src in ok {
            let many = format!("{src}\n").repeat(1000);
            assert_eq!(ts(&many), Ok(()), "{src}");
            assert_eq!(check(&many, Flavor::Tsx), Ok(()), "{src}");
        }
        // The `<` of a level ends with `>`, `;`, `=`, `?`, `&&` and `||`.
        for end in ["> ", "; ", "= ", "? ", "&& ", "|| "] {
            let src = format!("a < b {end}").repeat(10) + &"{[".repeat(10);
            assert_eq!(ts(&src), Ok(()), "{end}");
        }
        // JSX in `.tsx`: attribute values and children nest without any try.
        let jsx = format!("x = {}1{};", "<A b={{ [k]: ".repeat(50), "}} />".repeat(50));
        assert_eq!(check(&jsx, Flavor::Tsx), Ok(()));
    }

    #[test]
    fn a_file_too_large() {
        let src = " ".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(refused(js(&src), "larger than"), 0);
    }
}
