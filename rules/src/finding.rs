//! What a rule reports. Positions are byte offsets into the file's text; [`crate::LineIndex`]
//! turns them into the 1-based line and UTF-16 column that ESLint, LSP and SARIF use.

use crate::Meta;

/// A half-open byte range `[start, end)` into the source text.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn from_swc(span: swc_common::Span) -> Span {
        Span {
            start: crate::parse::offset(span.lo),
            end: crate::parse::offset(span.hi),
        }
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A secondary location with its explanation (miette label, SARIF related location, LSP related
/// information).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// What the runtime checker looks for in a heap snapshot to confirm a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SignatureKind {
    Listener,
    Collection,
    Global,
    Closure,
    Promise,
    Timer,
}

impl SignatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureKind::Listener => "listener",
            SignatureKind::Collection => "collection",
            SignatureKind::Global => "global",
            SignatureKind::Closure => "closure",
            SignatureKind::Promise => "promise",
            SignatureKind::Timer => "timer",
        }
    }
}

/// The runtime signature of a finding (design §4): the names and source locations a heap
/// snapshot can be searched for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    pub kind: SignatureKind,
    /// The receiver as written, e.g. `orderEvents`, `process`, `this.bus`.
    pub receiver: Option<String>,
    /// The event name, when it is a literal.
    pub event: Option<String>,
    /// A collection binding (`unbounded-cache`).
    pub collection: Option<String>,
    /// An access path from a global (`global-state-growth`), e.g. `app.locals.metrics`.
    pub access_path: Option<String>,
    /// A retained variable (`closure-retains-large`).
    pub retained: Option<String>,
    /// The call that registers, inserts or allocates.
    pub call: Span,
    /// The function created there (an inline handler or closure), when there is one: its
    /// closures are what the heap holds.
    pub function: Option<Span>,
}

impl Signature {
    pub fn new(kind: SignatureKind, call: Span) -> Signature {
        Signature {
            kind,
            receiver: None,
            event: None,
            collection: None,
            access_path: None,
            retained: None,
            call,
            function: None,
        }
    }
}

/// How sure a rule is of a finding (issue 11, item 13). Ordered: `Medium < High`.
///
/// - `High`: the repetition and the lifetime are proven from the code: the call runs in code a
///   framework registers per request, connection, message or tick (in this file or, through
///   whole-project analysis, in another), or once per instance of a class instantiated in such
///   code; and what it grows lives as long as the process (a global, module scope, a singleton).
///   Structural facts (`setMaxListeners(0)`) are high too.
/// - `Medium`: the repetition is inferred: library code (an exported function or method that
///   callers may invoke any number of times), a constructor of a class whose instantiations are
///   not seen, or a receiver whose lifetime is the caller's choice (a parameter, a signal the
///   caller passes in).
///
/// SARIF shows it as the result's `properties.precision` and `rank`; JSON as `confidence`;
/// `--min-confidence` and the `min_confidence` configuration key filter on it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Confidence {
    Medium,
    High,
}

impl Confidence {
    /// `"high"` or `"medium"`, as every output format writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
        }
    }

    /// Reads `"high"` or `"medium"` (the command line and `leaklint.toml`).
    pub fn parse(text: &str) -> Option<Confidence> {
        match text {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            _ => None,
        }
    }

    /// The confidence that a call running this often is a leak: `High` when the model proved
    /// the code repeats (per request, connection, message or tick), `Medium` when repetition is
    /// only possible (per call of library code, per instance of a class made elsewhere).
    pub fn of_frequency(frequency: crate::model::Frequency) -> Confidence {
        if frequency.is_repeating() {
            Confidence::High
        } else {
            Confidence::Medium
        }
    }
}

/// One problem found in one file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// Set by [`crate::lint`] after the rule returns, so a rule cannot report under another id.
    /// Serialised as the rule's id (an unknown id fails to deserialise).
    #[serde(with = "rule_by_id")]
    pub rule: &'static Meta,
    pub span: Span,
    pub message: String,
    pub help: String,
    pub labels: Vec<Label>,
    pub signature: Signature,
    /// `High` unless the rule says the repetition or the lifetime is inferred
    /// ([`Finding::confidence`]).
    pub confidence: Confidence,
}

/// Placeholder until [`crate::lint`] attaches the real rule.
pub(crate) static UNSET: Meta = Meta {
    id: "",
    severity: crate::Severity::Warning,
    category: crate::Category::Listeners,
    docs: "",
    source: "",
    triggers: &[],
    requires: &[],
    standalone: &[],
};

impl Finding {
    pub fn new(span: Span, message: String, help: String, signature: Signature) -> Finding {
        Finding {
            rule: &UNSET,
            span,
            message,
            help,
            labels: Vec::new(),
            signature,
            confidence: Confidence::High,
        }
    }

    /// Sets how sure the rule is (see [`Confidence`]).
    pub fn confidence(mut self, confidence: Confidence) -> Finding {
        self.confidence = confidence;
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }
}

/// Serde for [`Finding::rule`]: the rule's id, looked up in the registry when read back.
mod rule_by_id {
    use crate::Meta;

    pub fn serialize<S: serde::Serializer>(rule: &&'static Meta, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(rule.id)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static Meta, D::Error> {
        let id = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        crate::find_rule(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{id}`")))
    }
}
