//! Parsing: picks the swc syntax from the file extension, parses, and runs swc's resolver so that
//! every identifier carries a binding identity (`SyntaxContext`).
//!
//! Spans: swc reserves `BytePos(0)` for "no position", so sources are parsed starting at
//! [`BASE`]; [`offset`] turns a `BytePos` back into a byte offset into the text.

use swc_common::{BytePos, GLOBALS, Globals, Mark, Spanned, comments::SingleThreadedComments};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax, lexer::Lexer};
use swc_ecma_transforms_base::resolver;
use swc_ecma_visit::VisitMutWith;

/// Every suppression directive starts with this; comments are collected only when a file
/// contains it.
pub const DIRECTIVE_PREFIX: &str = "leaklint-";

/// First byte position of every parsed file.
pub const BASE: u32 = 1;

/// Byte offset into the source of a swc position.
pub fn offset(pos: BytePos) -> usize {
    pos.0.saturating_sub(BASE) as usize
}

/// Deepest bracket nesting we hand to swc (see [`crate::limits`]).
pub const MAX_NESTING: usize = crate::limits::MAX_NESTING;

/// The language flavour of a file, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `.js .mjs .cjs .jsx`: JavaScript with JSX (harmless for plain JS) and decorators.
    JavaScript,
    /// `.ts .mts .cts`: TypeScript without JSX (where `<T>x` is a type assertion).
    TypeScript,
    /// `.tsx`
    Tsx,
}

impl Flavor {
    /// The flavour for a path, or `None` when leaklint does not lint that file (including `.d.ts`).
    pub fn from_path(path: &str) -> Option<Flavor> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if is_declaration_file(name) {
            return None;
        }
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "js" | "mjs" | "cjs" | "jsx" => Some(Flavor::JavaScript),
            "ts" | "mts" | "cts" => Some(Flavor::TypeScript),
            "tsx" => Some(Flavor::Tsx),
            _ => None,
        }
    }

    fn syntax(self) -> Syntax {
        match self {
            Flavor::JavaScript => Syntax::Es(EsSyntax {
                jsx: true,
                decorators: true,
                decorators_before_export: true,
                export_default_from: true,
                import_attributes: true,
                allow_return_outside_function: true,
                auto_accessors: true,
                explicit_resource_management: true,
                ..Default::default()
            }),
            Flavor::TypeScript | Flavor::Tsx => Syntax::Typescript(TsSyntax {
                tsx: self == Flavor::Tsx,
                decorators: true,
                ..Default::default()
            }),
        }
    }

    pub fn is_typescript(self) -> bool {
        self != Flavor::JavaScript
    }
}

fn is_declaration_file(name: &str) -> bool {
    [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
        || (name.contains(".d.") && name.ends_with(".ts"))
}

/// A file that could not be parsed: byte offset and the parser's message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// A parsed, resolved file.
pub struct Parsed {
    pub program: Program,
    pub comments: SingleThreadedComments,
    /// Identifiers with this context refer to no declaration in the file: globals.
    pub unresolved: swc_common::SyntaxContext,
}

/// Parses `src` and resolves its identifiers. Must run inside [`with_globals`].
pub fn parse(src: &str, flavor: Flavor) -> Result<Parsed, ParseError> {
    let mut parsed = parse_only(src, flavor)?;
    resolve(&mut parsed, flavor);
    Ok(parsed)
}

/// Parses without resolving: `unresolved` is set by [`resolve`].
pub fn parse_only(src: &str, flavor: Flavor) -> Result<Parsed, ParseError> {
    let mut limits = std::time::Duration::ZERO;
    parse_only_timed(src, flavor, &mut limits)
}

/// [`parse_only`], adding the time of the limits pre-scan to `limits`.
pub fn parse_only_timed(
    src: &str,
    flavor: Flavor,
    limits: &mut std::time::Duration,
) -> Result<Parsed, ParseError> {
    let t = std::time::Instant::now();
    let checked = crate::limits::check(src, flavor);
    *limits += t.elapsed();
    // swc recurses per nesting level and is quadratic on some shapes: refuse input beyond the
    // documented limits before it reaches the parser (see `limits.rs`).
    checked.map_err(|e| ParseError {
        offset: e.offset,
        message: e.message,
    })?;
    let comments = SingleThreadedComments::default();
    // Comments matter only for suppression directives; collecting every comment of every file
    // costs more than a substring search.
    let wants_comments = src.contains(DIRECTIVE_PREFIX);
    let end = BytePos(BASE + src.len() as u32);
    let lexer = Lexer::new(
        flavor.syntax(),
        EsVersion::EsNext,
        StringInput::new(src, BytePos(BASE), end),
        wants_comments.then_some(&comments as &dyn swc_common::comments::Comments),
    );
    let mut parser = Parser::new_from(lexer);
    let program = parser.parse_program().map_err(|e| ParseError {
        offset: offset(e.span().lo),
        message: e.kind().msg().into_owned(),
    })?;
    // Recoverable errors are still errors for a linter: the tree may not be what the author meant.
    if let Some(e) = parser.take_errors().into_iter().next() {
        return Err(ParseError {
            offset: offset(e.span().lo),
            message: e.kind().msg().into_owned(),
        });
    }
    Ok(Parsed {
        program,
        comments,
        unresolved: swc_common::SyntaxContext::empty(),
    })
}

/// Runs swc's resolver: every identifier gets the `SyntaxContext` of its binding, and
/// identifiers that bind to nothing in the file get `parsed.unresolved`.
pub fn resolve(parsed: &mut Parsed, flavor: Flavor) {
    let unresolved_mark = Mark::new();
    let top_level_mark = Mark::new();
    parsed.program.visit_mut_with(&mut resolver(
        unresolved_mark,
        top_level_mark,
        flavor.is_typescript(),
    ));
    parsed.unresolved = swc_common::SyntaxContext::empty().apply_mark(unresolved_mark);
}

/// Runs `f` with swc's per-thread globals (hygiene marks) set.
pub fn with_globals<R>(f: impl FnOnce() -> R) -> R {
    GLOBALS.set(&Globals::new(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_by_extension() {
        assert_eq!(Flavor::from_path("a/b.js"), Some(Flavor::JavaScript));
        assert_eq!(Flavor::from_path("b.cjs"), Some(Flavor::JavaScript));
        assert_eq!(Flavor::from_path("b.mts"), Some(Flavor::TypeScript));
        assert_eq!(Flavor::from_path("b.tsx"), Some(Flavor::Tsx));
        assert_eq!(Flavor::from_path("b.d.ts"), None);
        assert_eq!(Flavor::from_path("b.d.mts"), None);
        assert_eq!(Flavor::from_path("b.json"), None);
        assert_eq!(Flavor::from_path("Makefile"), None);
    }

    #[test]
    fn deep_brackets_are_refused_not_overflowed() {
        let src = format!("x = {}1{};", "(".repeat(100_000), ")".repeat(100_000));
        let err = with_globals(|| parse(&src, Flavor::JavaScript).err().unwrap());
        assert_eq!(err.offset, 4 + MAX_NESTING);
        assert!(err.message.contains("nest"));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = with_globals(|| parse("let x = ;", Flavor::JavaScript).err().unwrap());
        assert_eq!(err.offset, 8);
    }
}
