//! A streaming reader for `.heapsnapshot` and `.heapsnapshot.gz` files.
//!
//! The file is one JSON object, but almost all of its bytes are four flat arrays (`nodes`,
//! `edges`, `locations`: integers; `strings`). Those are parsed byte by byte from a 1 MiB
//! buffer straight into the columns of [`Snapshot`]; only the small `snapshot` header goes
//! through serde. Nothing holds the whole file. Keys may come in any order; arrays that arrive
//! before the header are kept flat and split into columns once the header is known.
//!
//! Tolerance and strictness:
//! - strings: `\uXXXX` escapes are decoded leniently (V8 writes astral code points lossily and
//!   lone surrogates, which strict JSON decoders reject): a lone surrogate or a bad escape
//!   becomes U+FFFD, raw bytes that are not UTF-8 are replaced the same way;
//! - numbers: every number must be a non-negative integer that fits in 32 bits (ids, sizes and
//!   indexes are stored as `u32`); a larger one is an error, never wrapped;
//! - structure: every index (string, node type, edge target, location node) is checked, and the
//!   node edge counts must add up to the number of edges.
//!
//! Every error names the file, the byte offset (of the decompressed data for `.gz`) and what
//! was expected there. Nothing in here panics on bad input.

use std::fmt;
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use serde::Deserialize;

use crate::snapshot::{EdgeKind, Location, NodeIndex, NodeKind, Snapshot, Strings};

const BUFFER: usize = 1 << 20;

/// What to read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Keep the edges. Without them (a *light* snapshot) ids, classes, sizes, edge counts and
    /// locations are still there; `edges` is skipped at memchr speed.
    pub keep_edges: bool,
    /// Show a progress bar on stderr (only when stderr is a terminal and the file is large).
    pub progress: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            keep_edges: true,
            progress: true,
        }
    }
}

/// Why a snapshot could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub path: String,
    /// Byte offset into the file (into the decompressed data for a gzipped file).
    pub offset: Option<u64>,
    pub gzipped: bool,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) if self.gzipped => write!(
                f,
                "{}: at byte {offset} of the decompressed data: {}",
                self.path, self.message
            ),
            Some(offset) => write!(f, "{}: at byte {offset}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads the snapshot at `path` (plain or gzipped, told apart by the gzip magic bytes). `shown`
/// is the name used in messages.
pub fn read_snapshot(path: &Path, shown: &str, opts: &ReadOptions) -> Result<Snapshot, ReadError> {
    let fail = |message: String| ReadError {
        path: shown.to_owned(),
        offset: None,
        gzipped: false,
        message,
    };
    let mut file = File::open(path).map_err(|e| fail(format!("cannot open: {e}")))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(fail("is a directory, not a heap snapshot".into()));
    }
    let mut magic = [0u8; 2];
    let got = read_up_to(&mut file, &mut magic).map_err(|e| fail(format!("cannot read: {e}")))?;
    let gzipped = got == 2 && magic == [0x1f, 0x8b];
    let head = io::Cursor::new(magic[..got].to_vec());
    let bar = (opts.progress && total > 32 << 20 && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(format!("reading {shown}"));
        // Snapshots read at once (the three of a diff) share one set of bars.
        static BARS: std::sync::OnceLock<indicatif::MultiProgress> = std::sync::OnceLock::new();
        BARS.get_or_init(indicatif::MultiProgress::new).add(bar)
    });
    let counted = Counting {
        inner: head.chain(file),
        bar: bar.clone(),
    };
    let result = if gzipped {
        read_from(
            flate2::read::MultiGzDecoder::new(counted),
            shown,
            true,
            opts,
        )
    } else {
        read_from(counted, shown, false, opts)
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map(|mut s| {
        s.file_bytes = total;
        s
    })
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

struct Counting<R> {
    inner: R,
    bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

/// Reads a snapshot from any byte stream (already decompressed).
pub fn read_from<R: Read>(
    reader: R,
    shown: &str,
    gzipped: bool,
    opts: &ReadOptions,
) -> Result<Snapshot, ReadError> {
    let mut p = Parser {
        s: Scanner {
            r: reader,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            gzipped,
        },
        opts: opts.clone(),
        layout: None,
        snap: Snapshot {
            path: shown.to_owned(),
            has_edges: opts.keep_edges,
            ..Snapshot::default()
        },
        pending_nodes: None,
        pending_edges: None,
        pending_locations: None,
        seen: Seen::default(),
        node_count_hint: None,
        edge_count_hint: None,
        skipped_edge_numbers: 0,
    };
    p.run().map_err(|e| ReadError {
        path: shown.to_owned(),
        offset: e.offset,
        gzipped,
        message: e.message,
    })?;
    Ok(p.snap)
}

/// An error before the file name is attached.
struct Fault {
    offset: Option<u64>,
    message: String,
}

type Res<T> = Result<T, Fault>;

fn fault_at(offset: u64, message: impl Into<String>) -> Fault {
    Fault {
        offset: Some(offset),
        message: message.into(),
    }
}

fn fault(message: impl Into<String>) -> Fault {
    Fault {
        offset: None,
        message: message.into(),
    }
}

struct Scanner<R> {
    r: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
    gzipped: bool,
}

fn describe(b: u8) -> String {
    match b {
        b'"' => "`\"`".into(),
        0x21..=0x7e => format!("`{}`", b as char),
        _ => format!("byte 0x{b:02x}"),
    }
}

impl<R: Read> Scanner<R> {
    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least one unread byte available; false at the end of the stream.
    fn fill(&mut self) -> Res<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.r.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let what = if self.gzipped {
                        if e.kind() == io::ErrorKind::UnexpectedEof {
                            "the gzip stream is truncated".to_owned()
                        } else {
                            format!("corrupt gzip data: {e}")
                        }
                    } else {
                        format!("cannot read: {e}")
                    };
                    return Err(fault_at(self.offset(), what));
                }
            }
        }
    }

    /// The next byte that is not JSON whitespace, without consuming it.
    fn peek(&mut self) -> Res<Option<u8>> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Ok(Some(b));
            }
        }
    }

    fn eof_fault(&self, expected: &str) -> Fault {
        fault_at(
            self.offset(),
            format!("the file ends too early (truncated?): expected {expected}"),
        )
    }

    /// Consumes `want` (after whitespace) or fails saying what was expected.
    fn expect(&mut self, want: u8, expected: &str) -> Res<()> {
        match self.peek()? {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(fault_at(
                self.offset(),
                format!("expected {expected}, found {}", describe(b)),
            )),
            None => Err(self.eof_fault(expected)),
        }
    }

    fn raw_byte(&mut self, expected: &str) -> Res<u8> {
        if !self.fill()? {
            return Err(self.eof_fault(expected));
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    /// Reads a JSON string (the opening quote already consumed) into `out`, decoding escapes
    /// leniently.
    fn string_body(&mut self, out: &mut Vec<u8>) -> Res<()> {
        let mut high: Option<u16> = None;
        loop {
            if !self.fill()? {
                return Err(self.eof_fault("the end of a string (`\"`)"));
            }
            let chunk = &self.buf[self.pos..self.len];
            let stop = memchr::memchr2(b'"', b'\\', chunk);
            let plain = stop.unwrap_or(chunk.len());
            if plain > 0 {
                if let Some(h) = high.take() {
                    push_unit(out, h);
                }
                out.extend_from_slice(&chunk[..plain]);
            }
            let Some(at) = stop else {
                self.pos = self.len;
                continue;
            };
            let quote = chunk[at] == b'"';
            self.pos += at + 1;
            if quote {
                if let Some(h) = high.take() {
                    push_unit(out, h);
                }
                return Ok(());
            }
            let esc = self.raw_byte("an escape character after `\\`")?;
            if esc != b'u' {
                if let Some(h) = high.take() {
                    push_unit(out, h);
                }
                out.push(match esc {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    // `\"`, `\\`, `\/`, and anything else taken literally (lenient).
                    other => other,
                });
                continue;
            }
            let mut hex = [0u8; 4];
            for h in &mut hex {
                *h = self.raw_byte("four hex digits after `\\u`")?;
            }
            let unit = std::str::from_utf8(&hex)
                .ok()
                .and_then(|s| u16::from_str_radix(s, 16).ok());
            let Some(unit) = unit else {
                // Not hex: keep the text as written, lenient.
                if let Some(h) = high.take() {
                    push_unit(out, h);
                }
                out.extend_from_slice(b"\\u");
                out.extend_from_slice(&hex);
                continue;
            };
            match (high.take(), unit) {
                (Some(h), 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    push_char(out, char::from_u32(c).unwrap_or('\u{FFFD}'));
                }
                (prev, 0xD800..=0xDBFF) => {
                    if let Some(h) = prev {
                        push_unit(out, h);
                    }
                    high = Some(unit);
                }
                (prev, _) => {
                    if let Some(h) = prev {
                        push_unit(out, h);
                    }
                    push_unit(out, unit);
                }
            }
        }
    }

    /// Skips one JSON value, or copies its bytes into `out`.
    fn value(&mut self, mut out: Option<&mut Vec<u8>>, expected: &str) -> Res<()> {
        let Some(first) = self.peek()? else {
            return Err(self.eof_fault(expected));
        };
        if first != b'{' && first != b'[' {
            // A scalar: up to the next delimiter.
            if first == b'"' {
                self.pos += 1;
                let mut s = Vec::new();
                self.string_body(&mut s)?;
                if let Some(out) = out {
                    out.extend(
                        serde_json::to_vec(&String::from_utf8_lossy(&s)).unwrap_or_default(),
                    );
                }
                return Ok(());
            }
            loop {
                if !self.fill()? {
                    return Ok(());
                }
                let b = self.buf[self.pos];
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    return Ok(());
                }
                if let Some(out) = out.as_deref_mut() {
                    out.push(b);
                }
                self.pos += 1;
            }
        }
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            if !self.fill()? {
                return Err(self.eof_fault(&format!("the end of {expected}")));
            }
            let chunk = &self.buf[self.pos..self.len];
            let mut done = None;
            for (i, &b) in chunk.iter().enumerate() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            done = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let used = done.unwrap_or(chunk.len());
            if let Some(out) = out.as_deref_mut() {
                out.extend_from_slice(&chunk[..used]);
            }
            self.pos += used;
            if done.is_some() {
                return Ok(());
            }
        }
    }

    /// Skips an array of integers (the `[` already consumed) without storing it: checks that it
    /// holds only digits, commas and whitespace, and returns how many numbers it holds.
    fn skip_number_array(&mut self, what: &str) -> Res<u64> {
        let mut commas: u64 = 0;
        let mut digits = false;
        loop {
            if !self.fill()? {
                return Err(self.eof_fault(&format!("a number, `,` or `]` in `{what}`")));
            }
            let chunk = &self.buf[self.pos..self.len];
            let end = memchr::memchr(b']', chunk);
            let body = &chunk[..end.unwrap_or(chunk.len())];
            // A branch-free pass the compiler vectorises.
            let mut bad = 0u8;
            let mut c = 0u64;
            let mut d = 0u8;
            for part in body.chunks(1 << 12) {
                let mut commas = 0u32;
                for &b in part {
                    let digit = u8::from(b.wrapping_sub(b'0') < 10);
                    let comma = u8::from(b == b',');
                    let space = u8::from(b == b'\n')
                        | u8::from(b == b' ')
                        | u8::from(b == b'\r')
                        | u8::from(b == b'\t');
                    commas += u32::from(comma);
                    d |= digit;
                    bad |= 1 ^ (digit | comma | space);
                }
                c += u64::from(commas);
            }
            let bad = bad != 0;
            let d = d != 0;
            if bad {
                let at = body
                    .iter()
                    .position(|&b| {
                        !(b.is_ascii_digit() || matches!(b, b',' | b'\n' | b' ' | b'\r' | b'\t'))
                    })
                    .unwrap_or(0);
                let found = match body[at] {
                    b'-' => "a negative number".to_owned(),
                    b'.' | b'e' | b'E' => "a fraction or exponent".to_owned(),
                    b => describe(b),
                };
                return Err(fault_at(
                    self.offset() + at as u64,
                    format!(
                        "expected a non-negative integer, `,` or `]` in `{what}`, found {found}"
                    ),
                ));
            }
            commas += c;
            digits |= d;
            match end {
                Some(at) => {
                    self.pos += at + 1;
                    return Ok(if digits { commas + 1 } else { 0 });
                }
                None => self.pos = self.len,
            }
        }
    }

    /// Parses an array of non-negative 32-bit integers (the `[` already consumed) into `sink`.
    fn number_array<S: Sink>(&mut self, what: &str, sink: &mut S) -> Res<()> {
        const START: u8 = 0; // after `[`: a number or `]`
        const NEED: u8 = 1; // after `,`: a number
        const NUM: u8 = 2; // inside a number
        const AFTER: u8 = 3; // after a number and whitespace: `,` or `]`
        let mut state = START;
        let mut acc: u64 = 0;
        loop {
            if !self.fill()? {
                return Err(self.eof_fault(&format!("a number, `,` or `]` in `{what}`")));
            }
            let base = self.offset();
            let chunk = &self.buf[self.pos..self.len];
            let mut i = 0;
            let n = chunk.len();
            while i < n {
                let b = chunk[i];
                let d = b.wrapping_sub(b'0');
                if d < 10 {
                    if state == AFTER {
                        return Err(fault_at(
                            base + i as u64,
                            format!("expected `,` or `]` in `{what}`, found a digit"),
                        ));
                    }
                    acc = acc * 10 + u64::from(d);
                    if acc > u64::from(u32::MAX) {
                        return Err(fault_at(
                            base + i as u64,
                            format!(
                                "a number in `{what}` does not fit in 32 bits (more than \
                                 4294967295); this reader stores ids, sizes and indexes as u32"
                            ),
                        ));
                    }
                    state = NUM;
                } else if b == b',' {
                    if state < NUM {
                        return Err(fault_at(
                            base + i as u64,
                            format!("expected a number in `{what}`, found `,`"),
                        ));
                    }
                    if let Err(m) = sink.push(acc as u32) {
                        return Err(fault_at(base + i as u64, m));
                    }
                    acc = 0;
                    state = NEED;
                } else if b == b']' {
                    if state == NEED {
                        return Err(fault_at(
                            base + i as u64,
                            format!("expected a number after `,` in `{what}`, found `]`"),
                        ));
                    }
                    if state >= NUM
                        && let Err(m) = sink.push(acc as u32)
                    {
                        return Err(fault_at(base + i as u64, m));
                    }
                    self.pos += i + 1;
                    return sink.end().map_err(|m| fault_at(base + i as u64, m));
                } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    if state == NUM {
                        state = AFTER;
                    }
                } else {
                    let what_found = match b {
                        b'-' => "a negative number".to_owned(),
                        b'.' | b'e' | b'E' => "a fraction or exponent".to_owned(),
                        _ => describe(b),
                    };
                    return Err(fault_at(
                        base + i as u64,
                        format!(
                            "expected a non-negative integer, `,` or `]` in `{what}`, found {what_found}"
                        ),
                    ));
                }
                i += 1;
            }
            self.pos = self.len;
        }
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// One UTF-16 unit that is not part of a surrogate pair: a lone surrogate becomes U+FFFD.
fn push_unit(out: &mut Vec<u8>, unit: u16) {
    push_char(out, char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
}

/// Receives the integers of one array.
trait Sink {
    fn push(&mut self, v: u32) -> Result<(), String>;
    fn end(&mut self) -> Result<(), String> {
        Ok(())
    }
}

impl Sink for Vec<u32> {
    #[inline]
    fn push(&mut self, v: u32) -> Result<(), String> {
        Vec::push(self, v);
        Ok(())
    }
}

/// Field positions and type tables from the header.
#[derive(Clone, Debug)]
struct Layout {
    node_fields: usize,
    /// What to do with each node field: see the `F_*` constants.
    node_actions: Vec<u8>,
    node_types: Vec<u8>,
    edge_fields: usize,
    edge_actions: Vec<u8>,
    edge_types: Vec<u8>,
    location_fields: usize,
    location_actions: Vec<u8>,
}

const F_SKIP: u8 = 0;
const F_TYPE: u8 = 1;
const F_NAME: u8 = 2;
const F_ID: u8 = 3;
const F_SIZE: u8 = 4;
const F_EDGES: u8 = 5;
const F_TO: u8 = 6;
const F_NODE: u8 = 7;
const F_SCRIPT: u8 = 8;
const F_LINE: u8 = 9;
const F_COLUMN: u8 = 10;

struct NodeSink<'a> {
    snap: &'a mut Snapshot,
    layout: &'a Layout,
    k: usize,
}

impl Sink for NodeSink<'_> {
    #[inline]
    fn push(&mut self, v: u32) -> Result<(), String> {
        let s = &mut *self.snap;
        match self.layout.node_actions[self.k] {
            F_TYPE => match self.layout.node_types.get(v as usize) {
                Some(&t) => s.node_kind.push(t),
                None => {
                    return Err(format!(
                        "node type {v} is not among the {} types the header lists",
                        self.layout.node_types.len()
                    ));
                }
            },
            F_NAME => s.node_name.push(v),
            F_ID => s.node_id.push(v),
            F_SIZE => s.self_size.push(v),
            F_EDGES => s.edge_count.push(v),
            _ => {}
        }
        self.k += 1;
        if self.k == self.layout.node_fields {
            self.k = 0;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        if self.k != 0 {
            return Err(format!(
                "`nodes` ends in the middle of a node (its length is not a multiple of the {} \
                 node fields)",
                self.layout.node_fields
            ));
        }
        Ok(())
    }
}

struct EdgeSink<'a> {
    snap: &'a mut Snapshot,
    layout: &'a Layout,
    k: usize,
    /// Node count, when the nodes were read before the edges (checked here, else later).
    nodes: Option<u64>,
}

impl Sink for EdgeSink<'_> {
    #[inline]
    fn push(&mut self, v: u32) -> Result<(), String> {
        let s = &mut *self.snap;
        match self.layout.edge_actions[self.k] {
            F_TYPE => match self.layout.edge_types.get(v as usize) {
                Some(&t) => s.edge_kind.push(t),
                None => {
                    return Err(format!(
                        "edge type {v} is not among the {} types the header lists",
                        self.layout.edge_types.len()
                    ));
                }
            },
            F_NAME => s.edge_name.push(v),
            F_TO => {
                let nf = self.layout.node_fields as u32;
                if !v.is_multiple_of(nf) {
                    return Err(format!(
                        "edge target {v} is not a node offset (a multiple of {nf})"
                    ));
                }
                if let Some(n) = self.nodes
                    && u64::from(v / nf) >= n
                {
                    return Err(format!(
                        "edge target {v} points past the last of the {n} nodes"
                    ));
                }
                s.edge_to.push(NodeIndex(v / nf));
            }
            _ => {}
        }
        self.k += 1;
        if self.k == self.layout.edge_fields {
            self.k = 0;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        if self.k != 0 {
            return Err(format!(
                "`edges` ends in the middle of an edge (its length is not a multiple of {})",
                self.layout.edge_fields
            ));
        }
        Ok(())
    }
}

struct LocationSink<'a> {
    out: &'a mut Vec<Location>,
    layout: &'a Layout,
    k: usize,
    cur: Location,
}

impl Sink for LocationSink<'_> {
    #[inline]
    fn push(&mut self, v: u32) -> Result<(), String> {
        // `meta.location_fields` may be empty: then `locations` must be too.
        let Some(&action) = self.layout.location_actions.get(self.k) else {
            return Err(
                "`locations` holds values, but `meta.location_fields` names no field".into(),
            );
        };
        match action {
            F_NODE => {
                let nf = self.layout.node_fields as u32;
                if !v.is_multiple_of(nf) {
                    return Err(format!(
                        "location object index {v} is not a node offset (a multiple of {nf})"
                    ));
                }
                self.cur.node = NodeIndex(v / nf);
            }
            F_SCRIPT => self.cur.script = v,
            F_LINE => self.cur.line = v,
            F_COLUMN => self.cur.column = v,
            _ => {}
        }
        self.k += 1;
        if self.k == self.layout.location_fields {
            self.k = 0;
            self.out.push(self.cur);
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        if self.k != 0 {
            return Err("`locations` ends in the middle of a location".into());
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct HeaderJson {
    meta: MetaJson,
    node_count: Option<u64>,
    edge_count: Option<u64>,
}

#[derive(Deserialize)]
struct MetaJson {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    location_fields: Option<Vec<String>>,
}

#[derive(Default)]
struct Seen {
    snapshot: bool,
    nodes: bool,
    edges: bool,
    strings: bool,
    locations: bool,
    keys: Vec<String>,
}

struct Parser<R> {
    s: Scanner<R>,
    opts: ReadOptions,
    layout: Option<Layout>,
    snap: Snapshot,
    pending_nodes: Option<(u64, Vec<u32>)>,
    pending_edges: Option<(u64, Vec<u32>)>,
    pending_locations: Option<(u64, Vec<u32>)>,
    seen: Seen,
    node_count_hint: Option<u64>,
    edge_count_hint: Option<u64>,
    /// How many numbers a skipped `edges` array held (light reads).
    skipped_edge_numbers: u64,
}

const NOT_A_SNAPSHOT: &str = "not a V8 heap snapshot";

impl<R: Read> Parser<R> {
    fn run(&mut self) -> Res<()> {
        match self.s.peek()? {
            None => return Err(fault_at(0, format!("empty file: {NOT_A_SNAPSHOT}"))),
            Some(b'{') => self.s.pos += 1,
            Some(b) => {
                return Err(fault_at(
                    self.s.offset(),
                    format!(
                        "{NOT_A_SNAPSHOT}: expected a JSON object (`{{`), found {}",
                        describe(b)
                    ),
                ));
            }
        }
        let mut first = true;
        loop {
            match self.s.peek()? {
                Some(b'}') if first => {
                    self.s.pos += 1;
                    break;
                }
                Some(b'"') => self.s.pos += 1,
                Some(b) => {
                    return Err(fault_at(
                        self.s.offset(),
                        format!("expected a key (`\"`), found {}", describe(b)),
                    ));
                }
                None => return Err(self.s.eof_fault("a key")),
            }
            first = false;
            let key_at = self.s.offset();
            let mut key = Vec::new();
            self.s.string_body(&mut key)?;
            let key = String::from_utf8_lossy(&key).into_owned();
            self.s.expect(b':', "`:` after a key")?;
            self.member(&key, key_at)?;
            if self.seen.keys.len() < 16 {
                self.seen.keys.push(key);
            }
            match self.s.peek()? {
                Some(b',') => self.s.pos += 1,
                Some(b'}') => {
                    self.s.pos += 1;
                    break;
                }
                Some(b) => {
                    return Err(fault_at(
                        self.s.offset(),
                        format!("expected `,` or `}}` after a value, found {}", describe(b)),
                    ));
                }
                None => return Err(self.s.eof_fault("`,` or `}`")),
            }
        }
        if let Some(b) = self.s.peek()? {
            return Err(fault_at(
                self.s.offset(),
                format!(
                    "unexpected data after the end of the snapshot object: {}",
                    describe(b)
                ),
            ));
        }
        self.finish()
    }

    fn member(&mut self, key: &str, at: u64) -> Res<()> {
        match key {
            "snapshot" => {
                let start = self.s.offset();
                let mut raw = Vec::new();
                self.s.value(Some(&mut raw), "the `snapshot` header")?;
                self.header(&raw, start)?;
                self.seen.snapshot = true;
                let (nodes, edges, locations) = (
                    self.pending_nodes.take(),
                    self.pending_edges.take(),
                    self.pending_locations.take(),
                );
                if let Some((at, v)) = nodes {
                    self.columns_from_flat("nodes", at, &v)?;
                }
                if let Some((at, v)) = edges {
                    self.columns_from_flat("edges", at, &v)?;
                }
                if let Some((at, v)) = locations {
                    self.columns_from_flat("locations", at, &v)?;
                }
            }
            "nodes" | "edges" | "locations" => {
                self.s.expect(b'[', &format!("an array for `{key}`"))?;
                let array_at = self.s.offset();
                if key == "nodes" {
                    self.seen.nodes = true;
                } else if key == "edges" {
                    self.seen.edges = true;
                } else {
                    self.seen.locations = true;
                }
                if key == "edges" && !self.opts.keep_edges {
                    self.skipped_edge_numbers = self.s.skip_number_array(key)?;
                    return Ok(());
                }
                let Some(layout) = self.layout.clone() else {
                    // No header yet: keep the numbers flat until it comes.
                    let mut flat = Vec::new();
                    self.s.number_array(key, &mut flat)?;
                    let slot = (array_at, flat);
                    match key {
                        "nodes" => self.pending_nodes = Some(slot),
                        "edges" => self.pending_edges = Some(slot),
                        _ => self.pending_locations = Some(slot),
                    }
                    return Ok(());
                };
                match key {
                    "nodes" => {
                        let mut sink = NodeSink {
                            snap: &mut self.snap,
                            layout: &layout,
                            k: 0,
                        };
                        self.s.number_array(key, &mut sink)?;
                    }
                    "edges" => {
                        let nodes = self.seen.nodes.then_some(self.snap.node_id.len() as u64);
                        let mut sink = EdgeSink {
                            snap: &mut self.snap,
                            layout: &layout,
                            k: 0,
                            nodes,
                        };
                        self.s.number_array(key, &mut sink)?;
                    }
                    _ => {
                        let mut out = std::mem::take(&mut self.snap.locations);
                        let mut sink = LocationSink {
                            out: &mut out,
                            layout: &layout,
                            k: 0,
                            cur: Location {
                                node: NodeIndex::ROOT,
                                script: 0,
                                line: 0,
                                column: 0,
                            },
                        };
                        self.s.number_array(key, &mut sink)?;
                        self.snap.locations = out;
                    }
                }
            }
            "strings" => {
                self.seen.strings = true;
                self.s.expect(b'[', "an array for `strings`")?;
                self.strings()?;
            }
            _ => {
                let _ = at;
                self.s.value(None, &format!("the value of `{key}`"))?;
            }
        }
        Ok(())
    }

    fn strings(&mut self) -> Res<()> {
        let mut out = Strings::default();
        let mut scratch = Vec::new();
        if self.s.peek()? == Some(b']') {
            self.s.pos += 1;
            self.snap.strings = out;
            return Ok(());
        }
        loop {
            self.s.expect(b'"', "a string in `strings`")?;
            scratch.clear();
            self.s.string_body(&mut scratch)?;
            match std::str::from_utf8(&scratch) {
                Ok(s) => out.push(s),
                Err(_) => out.push(&String::from_utf8_lossy(&scratch)),
            }
            match self.s.peek()? {
                Some(b',') => self.s.pos += 1,
                Some(b']') => {
                    self.s.pos += 1;
                    break;
                }
                Some(b) => {
                    return Err(fault_at(
                        self.s.offset(),
                        format!("expected `,` or `]` in `strings`, found {}", describe(b)),
                    ));
                }
                None => return Err(self.s.eof_fault("`,` or `]` in `strings`")),
            }
        }
        self.snap.strings = out;
        Ok(())
    }

    fn header(&mut self, raw: &[u8], at: u64) -> Res<()> {
        let h: HeaderJson = serde_json::from_slice(raw).map_err(|e| {
            fault_at(
                at,
                format!(
                    "the `snapshot` header is not the one V8 writes ({e}); expected `meta` with \
                     `node_fields`, `node_types`, `edge_fields` and `edge_types`"
                ),
            )
        })?;
        let m = h.meta;
        let find = |fields: &[String], name: &str, what: &str| -> Res<usize> {
            fields.iter().position(|f| f == name).ok_or_else(|| {
                fault_at(
                    at,
                    format!(
                        "unsupported snapshot format: `meta.{what}` has no `{name}` (found {}); \
                         this reader needs {}",
                        fields.join(", "),
                        if what == "node_fields" {
                            "type, name, id, self_size and edge_count"
                        } else {
                            "type, name_or_index and to_node"
                        }
                    ),
                )
            })
        };
        let mut node_actions = vec![F_SKIP; m.node_fields.len()];
        for (name, action) in [
            ("type", F_TYPE),
            ("name", F_NAME),
            ("id", F_ID),
            ("self_size", F_SIZE),
            ("edge_count", F_EDGES),
        ] {
            node_actions[find(&m.node_fields, name, "node_fields")?] = action;
        }
        let mut edge_actions = vec![F_SKIP; m.edge_fields.len()];
        for (name, action) in [
            ("type", F_TYPE),
            ("name_or_index", F_NAME),
            ("to_node", F_TO),
        ] {
            edge_actions[find(&m.edge_fields, name, "edge_fields")?] = action;
        }
        let type_list = |v: &[serde_json::Value], what: &str| -> Res<Vec<String>> {
            v.first()
                .and_then(|t| t.as_array())
                .map(|a| {
                    a.iter()
                        .map(|s| s.as_str().unwrap_or("").to_owned())
                        .collect::<Vec<_>>()
                })
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    fault_at(
                        at,
                        format!(
                            "unsupported snapshot format: `meta.{what}` does not start with the \
                             list of type names"
                        ),
                    )
                })
        };
        let node_type_names = type_list(&m.node_types, "node_types")?;
        let edge_type_names = type_list(&m.edge_types, "edge_types")?;
        if !node_type_names.iter().any(|t| t == "object")
            || !node_type_names.iter().any(|t| t == "closure")
        {
            return Err(fault_at(
                at,
                format!(
                    "unsupported snapshot format: node types [{}] lack `object` or `closure`",
                    node_type_names.join(", ")
                ),
            ));
        }
        if !edge_type_names.iter().any(|t| t == "property") {
            return Err(fault_at(
                at,
                format!(
                    "unsupported snapshot format: edge types [{}] lack `property`",
                    edge_type_names.join(", ")
                ),
            ));
        }
        let location_names = m.location_fields.unwrap_or_else(|| {
            ["object_index", "script_id", "line", "column"]
                .map(str::to_owned)
                .to_vec()
        });
        let mut location_actions = vec![F_SKIP; location_names.len()];
        for (name, action) in [
            ("object_index", F_NODE),
            ("script_id", F_SCRIPT),
            ("line", F_LINE),
            ("column", F_COLUMN),
        ] {
            if let Some(i) = location_names.iter().position(|f| f == name) {
                location_actions[i] = action;
            }
        }
        self.layout = Some(Layout {
            node_fields: m.node_fields.len(),
            node_actions,
            node_types: node_type_names
                .iter()
                .map(|n| NodeKind::from_name(n) as u8)
                .collect(),
            edge_fields: m.edge_fields.len(),
            edge_actions,
            edge_types: edge_type_names
                .iter()
                .map(|n| EdgeKind::from_name(n) as u8)
                .collect(),
            location_fields: location_names.len().max(1),
            location_actions,
        });
        self.node_count_hint = h.node_count;
        self.edge_count_hint = h.edge_count;
        // Pre-size the columns (bounded, so that a corrupt header cannot ask for terabytes).
        let cap = |n: Option<u64>| n.unwrap_or(0).min(1 << 27) as usize;
        let n = cap(h.node_count);
        let s = &mut self.snap;
        let _ = s.node_kind.try_reserve_exact(n);
        let _ = s.node_name.try_reserve_exact(n);
        let _ = s.node_id.try_reserve_exact(n);
        let _ = s.self_size.try_reserve_exact(n);
        let _ = s.edge_count.try_reserve_exact(n);
        if self.opts.keep_edges {
            let e = cap(h.edge_count);
            let _ = s.edge_kind.try_reserve_exact(e);
            let _ = s.edge_name.try_reserve_exact(e);
            let _ = s.edge_to.try_reserve_exact(e);
        }
        Ok(())
    }

    fn columns_from_flat(&mut self, what: &str, at: u64, flat: &[u32]) -> Res<()> {
        let Some(layout) = self.layout.clone() else {
            return Ok(());
        };
        let run = |sink: &mut dyn FnMut(u32) -> Result<(), String>| -> Res<()> {
            for &v in flat {
                sink(v).map_err(|m| fault_at(at, format!("in `{what}`: {m}")))?;
            }
            Ok(())
        };
        match what {
            "nodes" => {
                let mut sink = NodeSink {
                    snap: &mut self.snap,
                    layout: &layout,
                    k: 0,
                };
                run(&mut |v| sink.push(v))?;
                sink.end().map_err(|m| fault_at(at, m))?;
            }
            "edges" => {
                let mut sink = EdgeSink {
                    snap: &mut self.snap,
                    layout: &layout,
                    k: 0,
                    nodes: None,
                };
                run(&mut |v| sink.push(v))?;
                sink.end().map_err(|m| fault_at(at, m))?;
            }
            _ => {
                let mut out = Vec::new();
                let mut sink = LocationSink {
                    out: &mut out,
                    layout: &layout,
                    k: 0,
                    cur: Location {
                        node: NodeIndex::ROOT,
                        script: 0,
                        line: 0,
                        column: 0,
                    },
                };
                run(&mut |v| sink.push(v))?;
                sink.end().map_err(|m| fault_at(at, m))?;
                self.snap.locations = out;
            }
        }
        Ok(())
    }

    /// Checks what can only be checked once everything is read, and builds the edge index.
    fn finish(&mut self) -> Res<()> {
        let seen = &self.seen;
        if !seen.snapshot {
            let keys = if seen.keys.is_empty() {
                "none".to_owned()
            } else {
                seen.keys.join(", ")
            };
            return Err(fault(format!(
                "{NOT_A_SNAPSHOT}: no `snapshot` header (expected keys snapshot, nodes, edges, \
                 strings; found {keys})"
            )));
        }
        for (present, name) in [
            (seen.nodes, "nodes"),
            (seen.edges, "edges"),
            (seen.strings, "strings"),
        ] {
            if !present {
                return Err(fault(format!(
                    "incomplete snapshot: the `{name}` array is missing"
                )));
            }
        }
        let s = &mut self.snap;
        let n = s.node_id.len();
        if u32::try_from(n).is_err() {
            return Err(fault(
                "the snapshot has more than 4294967295 nodes; this reader indexes nodes with u32",
            ));
        }
        if let Some(hint) = self.node_count_hint
            && hint != n as u64
        {
            return Err(fault(format!(
                "corrupt snapshot: the header announces {hint} nodes but `nodes` holds {n}"
            )));
        }
        let strings = s.strings.len() as u64;
        if let Some(i) = s.node_name.iter().position(|&x| u64::from(x) >= strings) {
            return Err(fault(format!(
                "corrupt snapshot: node #{i} is named by string {} but `strings` has {strings} \
                 entries",
                s.node_name[i]
            )));
        }
        if !s.has_edges {
            s.first_edge.clear();
            // The edges were skipped, not parsed: still check that their count adds up.
            let fields = self.layout.as_ref().map_or(3, |l| l.edge_fields) as u64;
            let declared: u64 = s.edge_count.iter().map(|&c| u64::from(c)).sum();
            if declared * fields != self.skipped_edge_numbers {
                return Err(fault(format!(
                    "corrupt snapshot: the nodes' edge counts add up to {declared} but `edges` \
                     holds {} numbers, not {}",
                    self.skipped_edge_numbers,
                    declared * fields
                )));
            }
        } else {
            if let Some(hint) = self.edge_count_hint
                && hint != s.edge_to.len() as u64
            {
                return Err(fault(format!(
                    "corrupt snapshot: the header announces {hint} edges but `edges` holds {}",
                    s.edge_to.len()
                )));
            }
            let mut first = Vec::with_capacity(n + 1);
            let mut total: u64 = 0;
            first.push(0u32);
            for &c in &s.edge_count {
                total += u64::from(c);
                if total > u64::from(u32::MAX) {
                    return Err(fault(
                        "the snapshot has more than 4294967295 edges; this reader indexes edges \
                         with u32",
                    ));
                }
                first.push(total as u32);
            }
            if total != s.edge_to.len() as u64 {
                return Err(fault(format!(
                    "corrupt snapshot: the nodes' edge counts add up to {total} but `edges` \
                     holds {}",
                    s.edge_to.len()
                )));
            }
            s.first_edge = first;
            if let Some(i) = s.edge_to.iter().position(|&t| t.ix() >= n) {
                return Err(fault(format!(
                    "corrupt snapshot: edge #{i} points at node {} of {n}",
                    s.edge_to[i].0
                )));
            }
            for (i, (&k, &name)) in s.edge_kind.iter().zip(&s.edge_name).enumerate() {
                if EdgeKind::from_u8(k).named_by_string() && u64::from(name) >= strings {
                    return Err(fault(format!(
                        "corrupt snapshot: edge #{i} is named by string {name} but `strings` has \
                         {strings} entries"
                    )));
                }
            }
        }
        if !s.locations.is_sorted_by_key(|l| l.node) {
            s.locations.sort_by_key(|l| l.node);
        }
        if let Some(l) = s.locations.iter().find(|l| l.node.ix() >= n) {
            return Err(fault(format!(
                "corrupt snapshot: a location names node {} of {n}",
                l.node.0
            )));
        }
        if n == 0 {
            return Err(fault("empty snapshot: `nodes` holds no node"));
        }
        Ok(())
    }
}
