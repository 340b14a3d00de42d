//! `leaklint confirm`: verdicts for static findings from heap evidence.

/// A source position, 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A finding's runtime signature as the JSON report spells it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SignatureIn {
    pub kind: String,
    pub receiver: Option<String>,
    pub event: Option<String>,
    pub collection: Option<String>,
    pub access_path: Option<String>,
    pub retained: Option<String>,
    pub call: Option<Pos>,
    pub function: Option<Pos>,
}

/// A static finding to confirm.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: String,
    /// As linted (relative to the working directory, `/`-separated).
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub signature: SignatureIn,
}
