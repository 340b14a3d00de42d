//! What a rule reports. Positions are byte offsets into the file's text; [`crate::LineIndex`]
//! turns them into the 1-based line and UTF-16 column that ESLint, LSP and SARIF use.

use crate::Meta;
use crate::model::Frequency;

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

/// One step of a chain of facts that crosses files (whole-project analysis): where it is and
/// what happens there. A finding whose repetition or lifetime comes from other files carries
/// its chain as steps, in the order a reader follows them: the function that runs, then each
/// caller outward, ending at the registration that makes it repeat; or the module-scope `new`
/// that makes a class a singleton; or the wrapper an HTTP call goes through.
///
/// The words are rendered from the steps ([`Step::describe`], [`chain_text`]); positions are
/// the other file's, computed when that file was summarised.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    pub kind: StepKind,
    /// The file, as reports show paths (relative to the current directory, `/`-separated).
    pub path: String,
    /// 1-based line of the code the step points at.
    pub line: usize,
    /// 1-based column, in UTF-16 code units (as reports count columns).
    pub column: usize,
    /// The code the step names, without quotes: a function's name (`getPrice`; empty for an
    /// anonymous function), a registering call or decorator as messages quote it
    /// (`router.get('/prices/:sku', ...)`, `@Get()`), a class name, or the client a wrapper
    /// forwards to (`fetch`). For [`StepKind::Repeats`], the reason in words instead.
    pub code: String,
    /// The text of that line without its line ending and trailing whitespace, at most
    /// [`Step::SOURCE_MAX`] bytes (cut at a character boundary), so that columns still count
    /// from its start.
    pub source: String,
}

/// What happens at a [`Step`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StepKind {
    /// The function the rest of the chain gives its role: where it is defined (`code`: its
    /// name).
    Subject,
    /// The step before is called here, from the function named by `code` (empty: an
    /// anonymous function).
    CalledFrom,
    /// The step before is registered here with a framework by the call `code`, so it runs
    /// this often.
    Registered(Frequency),
    /// The step before runs this often for a reason its own file gives, `code` ("its
    /// parameters `(req, res)` are a request handler's"); the step points at the function.
    Repeats(Frequency),
    /// The single instance of class `code` is created here, at module scope, and lives as long
    /// as the process.
    SingleInstance,
    /// The function called at the finding is defined here and forwards to the HTTP client
    /// `code` without a deadline of its own.
    ForwardsTo,
    /// The HTTP client instance called at the finding is created here, in another file, by
    /// `code` (`axios.create(...)`) without a deadline.
    ClientCreated,
    /// The collection grown at the finding is created here, at module scope in another file
    /// (`code`: its name), and lives as long as the process.
    CollectionCreated,
}

impl StepKind {
    /// The kind's name in JSON and SARIF: `subject`, `called-from`, `registered`, `repeats`,
    /// `single-instance`, `forwards-to`, `client-created`, `collection-created`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Subject => "subject",
            StepKind::CalledFrom => "called-from",
            StepKind::Registered(_) => "registered",
            StepKind::Repeats(_) => "repeats",
            StepKind::SingleInstance => "single-instance",
            StepKind::ForwardsTo => "forwards-to",
            StepKind::ClientCreated => "client-created",
            StepKind::CollectionCreated => "collection-created",
        }
    }

    /// How often the code runs from this step on, for the kinds that say.
    pub fn frequency(self) -> Option<Frequency> {
        match self {
            StepKind::Registered(f) | StepKind::Repeats(f) => Some(f),
            _ => None,
        }
    }
}

impl Step {
    /// The longest [`Step::source`] kept, in bytes.
    pub const SOURCE_MAX: usize = 160;

    /// The line's text as kept in [`Step::source`]: trailing whitespace removed, cut to
    /// [`Step::SOURCE_MAX`].
    pub fn source_of(line: &str) -> String {
        let line = line.trim_end();
        let mut end = line.len().min(Step::SOURCE_MAX);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line[..end].to_string()
    }

    /// What happens here, in words, without the position: "registered as a request handler by
    /// `router.get('/prices/:sku', ...)`", "called by `getPrice`", "`rememberLookup` is
    /// defined here". For SARIF related locations and code flows, LSP related information and
    /// the pretty format.
    pub fn describe(&self) -> String {
        match self.kind {
            StepKind::Subject if self.code.is_empty() => "the function is defined here".into(),
            StepKind::Subject => format!("`{}` is defined here", self.code),
            StepKind::CalledFrom if self.code.is_empty() => "called here by a function".into(),
            StepKind::CalledFrom => format!("called by `{}`", self.code),
            StepKind::Registered(f) => {
                format!("registered as {} by `{}`", handler_noun(f), self.code)
            }
            StepKind::Repeats(f) => format!("runs {}: {}", f.phrase(), self.code),
            StepKind::SingleInstance => format!(
                "the single `{}` instance is created here, at module scope",
                self.code
            ),
            StepKind::ForwardsTo => format!("forwards to `{}` without a deadline", self.code),
            StepKind::ClientCreated => {
                format!(
                    "the client is created here by `{}` without a `timeout`",
                    self.code
                )
            }
            StepKind::CollectionCreated => format!(
                "`{}` is created here, at module scope, and lives as long as the process",
                self.code
            ),
        }
    }

    /// The 1-based UTF-16 column just past the step's line as kept in [`Step::source`], or one
    /// past [`Step::column`] when that is further (no source kept): a region from the step to
    /// the end of its line.
    pub fn end_column(&self) -> usize {
        (self.source.encode_utf16().count() + 1).max(self.column + 1)
    }

    /// `code` as messages quote it (`` `router.get('/x', ...)` ``), without its outer
    /// backticks.
    pub fn unquoted(code: &str) -> String {
        code.strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .unwrap_or(code)
            .to_string()
    }

    /// `path:line`.
    pub fn at(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}

/// "a request handler", "a connection handler", ...: what a registration makes a function.
fn handler_noun(f: Frequency) -> &'static str {
    match f {
        Frequency::PerRequest => "a request handler",
        Frequency::PerConnection => "a connection handler",
        Frequency::PerMessage => "a message handler",
        Frequency::PerTick => "an interval callback",
        Frequency::PerInstance => "a constructor",
        Frequency::StartUp => "start-up code",
        Frequency::PerCall => "a callback",
    }
}

/// A role's chain as one clause, for messages: "`rememberLookup` (services/audit.js:4) is
/// called by `getPrice` (controllers/prices.js:5), which is registered by
/// `router.get('/prices/:sku', ...)` (routes/index.js:6)". Steps other than the role kinds
/// (subject, called-from, registered, repeats) are left out.
pub fn chain_text(steps: &[Step]) -> String {
    let mut out = String::new();
    let mut rest = steps;
    if let [first, tail @ ..] = steps
        && first.kind == StepKind::Subject
    {
        if first.code.is_empty() {
            out.push_str(&format!("the function at {} is ", first.at()));
        } else {
            out.push_str(&format!("`{}` ({}) is ", first.code, first.at()));
        }
        rest = tail;
    }
    for step in rest {
        match step.kind {
            StepKind::CalledFrom if step.code.is_empty() => {
                out.push_str(&format!("called in {} by a function that is ", step.at()));
            }
            StepKind::CalledFrom => {
                out.push_str(&format!(
                    "called by `{}` ({}), which is ",
                    step.code,
                    step.at()
                ));
            }
            StepKind::Registered(_) => {
                out.push_str(&format!("registered by `{}` ({})", step.code, step.at()));
            }
            StepKind::Repeats(f) => {
                out.push_str(&format!("run {}: {}", f.phrase(), step.code));
            }
            _ => {}
        }
    }
    out
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

/// One problem found in one file: a rule's [`Draft`], stamped with that rule's [`Meta`] by the
/// [`crate::RuleContext`] it was reported through.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// The rule that reported it: set by [`crate::RuleContext::report`], so a rule cannot report
    /// under another id. Serialised as the rule's id (an unknown id fails to deserialise).
    #[serde(with = "rule_by_id")]
    pub rule: &'static Meta,
    pub span: Span,
    pub message: String,
    pub help: String,
    pub labels: Vec<Label>,
    /// What the finding looks like in a heap; None for findings about deployment settings.
    pub signature: Option<Signature>,
    /// `High` unless the rule says the repetition or the lifetime is inferred
    /// ([`Draft::confidence`]).
    pub confidence: Confidence,
    /// The facts from other files the finding rests on, in reading order (see [`Step`]);
    /// empty when the file alone says it all.
    pub chain: Vec<Step>,
}

/// A finding as a rule builds it, before it knows which rule it belongs to: the rule hands it
/// to [`crate::RuleContext::report`], which makes it a [`Finding`] of the running rule.
#[derive(Clone, Debug)]
pub struct Draft {
    pub span: Span,
    pub message: String,
    pub help: String,
    pub labels: Vec<Label>,
    /// What the finding looks like in a heap; None for findings about deployment settings.
    pub signature: Option<Signature>,
    /// `High` unless the rule says otherwise ([`Draft::confidence`]).
    pub confidence: Confidence,
    /// The facts from other files the finding rests on (see [`Finding::chain`]).
    pub chain: Vec<Step>,
}

impl Draft {
    pub fn new(span: Span, message: String, help: String, signature: Signature) -> Draft {
        Draft::made(span, message, help, Some(signature))
    }

    /// A finding about a deployment setting: no heap signature.
    pub fn deployment(span: Span, message: String, help: String) -> Draft {
        Draft::made(span, message, help, None)
    }

    fn made(span: Span, message: String, help: String, signature: Option<Signature>) -> Draft {
        Draft {
            span,
            message,
            help,
            labels: Vec::new(),
            signature,
            confidence: Confidence::High,
            chain: Vec::new(),
        }
    }

    /// Appends the steps of a chain from other files (see [`Step`]), skipping any the finding
    /// already carries.
    pub fn chain(mut self, steps: &[Step]) -> Draft {
        for step in steps {
            if !self.chain.contains(step) {
                self.chain.push(step.clone());
            }
        }
        self
    }

    /// Sets how sure the rule is (see [`Confidence`]).
    pub fn confidence(mut self, confidence: Confidence) -> Draft {
        self.confidence = confidence;
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Draft {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// The finding of `rule`.
    pub(crate) fn stamp(self, rule: &'static Meta) -> Finding {
        let Draft {
            span,
            message,
            help,
            labels,
            signature,
            confidence,
            chain,
        } = self;
        Finding {
            rule,
            span,
            message,
            help,
            labels,
            signature,
            confidence,
            chain,
        }
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
