//! YAML and JSON documents as one small tree with byte spans, so that every deployment reader
//! asks the same questions (`node.get("services")`) whatever the syntax.
//!
//! YAML is read with `saphyr` (YAML 1.2, positions on every node, a bound on alias expansion
//! and on nesting). JSON is YAML 1.2's subset, so the same reader gives JSON positions; JSON is
//! first checked with `serde_json`, so that invalid JSON (a trailing comma YAML would accept)
//! is reported with JSON's message. `saphyr` counts positions in characters: they are turned
//! into byte offsets here. Merge keys (`<<: *defaults`, used by compose files) are applied by
//! [`Node::get`], since YAML 1.2 no longer defines them.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use crate::{ParseError, Span};

/// A value in a document.
#[derive(Clone, Debug)]
pub enum Value {
    /// A scalar as text: strings as they read, numbers and booleans as written (`512`, `true`).
    Scalar(String),
    Null,
    Seq(Vec<Node>),
    /// Keys in source order.
    Map(Vec<(Node, Node)>),
    /// Anything the readers do not interpret (a JavaScript expression in a PM2 script file).
    Other,
}

/// A value and where it is.
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    /// Byte range in the file (for a quoted scalar, the quotes included).
    pub span: Span,
}

impl Node {
    /// The value under `key` in a mapping, including one inherited through a `<<` merge key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        let Value::Map(entries) = &self.value else {
            return None;
        };
        if let Some((_, v)) = entries.iter().find(|(k, _)| k.str() == Some(key)) {
            return Some(v);
        }
        // `<<: *a` or `<<: [*a, *b]`: the first merged mapping that has the key wins.
        let merged = entries.iter().find(|(k, _)| k.str() == Some("<<"))?;
        match &merged.1.value {
            Value::Map(_) => merged.1.get(key),
            Value::Seq(items) => items.iter().find_map(|m| m.get(key)),
            _ => None,
        }
    }

    /// A path of keys (`["spec", "template", "spec"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The scalar's text.
    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries of a mapping (empty for anything else), without merged ones.
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// The documents of a YAML stream (`---` separates them).
///
/// Errors: the parser's message at the byte offset where it stopped (bad indentation, an
/// unclosed quote, duplicate keys, too deep nesting, an alias expanding past the bound).
pub fn yaml(src: &str) -> Result<Vec<Node>, ParseError> {
    let offsets = CharOffsets::new(src);
    let docs = MarkedYaml::load_from_str(src).map_err(|e| ParseError {
        offset: offsets.byte(e.marker().index()),
        message: format!("YAML: {}", e.info()),
    })?;
    Ok(docs.iter().map(|d| convert(d, &offsets, 0)).collect())
}

/// One JSON document (`package.json`, `ecosystem.config.json`).
///
/// Errors: serde_json's message at the line and column it names.
pub fn json(src: &str) -> Result<Node, ParseError> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(src) {
        let offset = line_column_offset(src, e.line(), e.column());
        let message = e.to_string();
        // serde_json appends " at line L column C"; the report gives the position itself.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        return Err(ParseError {
            offset,
            message: format!("JSON: {message}"),
        });
    }
    // Valid JSON is valid YAML 1.2, except for duplicate keys, which JSON readers accept (the
    // last wins) and YAML refuses: fall back to no document rather than a false parse error.
    match yaml(src) {
        Ok(mut docs) if !docs.is_empty() => Ok(docs.swap_remove(0)),
        _ => Ok(Node {
            value: Value::Null,
            span: Span::new(0, 0),
        }),
    }
}

/// Nesting beyond this is not converted (the parser's own bound is lower; this guards the
/// recursion of [`convert`] whatever the parser allows).
const MAX_DEPTH: usize = 2000;

fn convert(node: &MarkedYaml<'_>, offsets: &CharOffsets<'_>, depth: usize) -> Node {
    let start = offsets.byte(node.span.start.index());
    let mut end = offsets.byte(node.span.end.index()).max(start);
    // The parser's end marker of the last scalar in a flow collection (`{ "a": "x" }`) lies
    // after the blanks that follow it: end the span at the scalar.
    if matches!(node.data, YamlData::Value(_) | YamlData::Representation(..)) {
        let text = offsets.src.get(start..end).unwrap_or("");
        end = start + text.trim_end().len();
    }
    let span = Span::new(start, end);
    if depth > MAX_DEPTH {
        return Node {
            value: Value::Other,
            span,
        };
    }
    let value = match &node.data {
        YamlData::Value(Scalar::Null) => Value::Null,
        YamlData::Value(Scalar::String(s)) => Value::Scalar(s.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Value::Scalar(b.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Value::Scalar(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Value::Scalar(f.to_string()),
        YamlData::Representation(text, _, _) => Value::Scalar(text.to_string()),
        YamlData::Sequence(items) => Value::Seq(
            items
                .iter()
                .map(|i| convert(i, offsets, depth + 1))
                .collect(),
        ),
        YamlData::Mapping(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        convert(k, offsets, depth + 1),
                        convert(v, offsets, depth + 1),
                    )
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner, offsets, depth + 1),
        _ => Value::Other,
    };
    Node { value, span }
}

/// Character index → byte offset (identity for ASCII text).
struct CharOffsets<'s> {
    src: &'s str,
    /// Byte offset of each character; empty when the text is ASCII.
    starts: Vec<usize>,
    len: usize,
}

impl<'s> CharOffsets<'s> {
    fn new(src: &'s str) -> CharOffsets<'s> {
        let starts = if src.is_ascii() {
            Vec::new()
        } else {
            src.char_indices().map(|(i, _)| i).collect()
        };
        CharOffsets {
            src,
            starts,
            len: src.len(),
        }
    }

    fn byte(&self, index: usize) -> usize {
        if self.starts.is_empty() {
            index.min(self.len)
        } else {
            self.starts.get(index).copied().unwrap_or(self.len)
        }
    }
}

/// Byte offset of a 1-based line and 1-based character column.
pub(crate) fn line_column_offset(src: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match src[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return src.len(),
        }
    }
    let rest = &src[start..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    start + within
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_spans_are_bytes_and_merge_keys_apply() {
        let src = "é: 1\nbase: &b\n  mem: 512m\nsvc:\n  <<: *b\n  cmd: node x\n";
        let docs = yaml(src).unwrap();
        let svc = docs[0].get("svc").unwrap();
        let mem = svc.get("mem").unwrap();
        assert_eq!(mem.str(), Some("512m"));
        assert_eq!(&src[mem.span.start..mem.span.end], "512m");
        let cmd = svc.get("cmd").unwrap();
        assert_eq!(&src[cmd.span.start..cmd.span.end], "node x");
    }

    #[test]
    fn errors_have_positions() {
        let e = yaml("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.message.starts_with("YAML: "), "{e:?}");
        let e = json("{\n  \"a\": 1,\n}\n").unwrap_err();
        assert_eq!(e.offset, 12, "{e:?}");
        assert!(e.message.starts_with("JSON: "), "{e:?}");
    }

    #[test]
    fn json_values_have_positions() {
        let src = "{\"scripts\": { \"start\": \"node dist/a.js\" }}";
        let doc = json(src).unwrap();
        let start = doc.at(&["scripts", "start"]).unwrap();
        assert_eq!(&src[start.span.start..start.span.end], "\"node dist/a.js\"");
    }
}
