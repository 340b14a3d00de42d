//! JSON-RPC 2.0 messages in LSP's base protocol framing (`Content-Length: N\r\n\r\n` + body).
//!
//! Written here rather than taken from `lsp-server`, whose reader thread stops at the first
//! payload that is not a valid message: a language server must instead answer malformed input
//! with the error JSON-RPC prescribes (`-32700` parse error, `-32600` invalid request, with a
//! `null` id when the id cannot be read) and keep serving.

use std::io::{self, BufRead, Read, Write};

use serde_json::{Map, Value};

/// JSON-RPC error codes (JSON-RPC 2.0 and LSP).
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    pub const SERVER_NOT_INITIALIZED: i64 = -32002;
    pub const REQUEST_CANCELLED: i64 = -32800;
}

/// Bodies larger than this are skipped unread (and answered with a parse error): a bogus
/// `Content-Length` must not make the server allocate gigabytes.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// A well-formed message from the client.
#[derive(Debug)]
pub enum Message {
    /// `id` is a JSON number or string, echoed as received.
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    Notification {
        method: String,
        params: Value,
    },
    /// The answer to a request the server sent (`client/registerCapability`, ...).
    Response {
        id: Value,
        error: Option<Value>,
    },
}

/// What one frame of input turned out to be.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Not a usable message: answer with this error. `id` is `null` when it cannot be read.
    Invalid {
        id: Value,
        code: i64,
        message: String,
    },
}

impl Incoming {
    fn invalid(id: Value, code: i64, message: impl Into<String>) -> Incoming {
        Incoming::Invalid {
            id,
            code,
            message: message.into(),
        }
    }
}

/// Reads framed messages, and finds the frames again after a malformed one.
///
/// Resynchronisation: a frame whose header is malformed or whose `Content-Length` is wrong
/// leaves the reader at an arbitrary byte, often in the middle of the next frame when the
/// client writes frames back to back. So (1) a header line that holds `Content-Length` after
/// other bytes (the tail of the broken frame) starts a header at that point, and (2) a body
/// that is not valid JSON but contains a `Content-Length` header gives back the bytes from that
/// header on, to be read as the next frame. Every broken frame is answered once, and every
/// later well-formed frame is read.
pub struct Reader<R> {
    input: R,
    /// Bytes given back by (2), read before `input`.
    replay: io::Cursor<Vec<u8>>,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input,
            replay: io::Cursor::new(Vec::new()),
        }
    }

    fn replaying(&self) -> bool {
        (self.replay.position() as usize) < self.replay.get_ref().len()
    }

    /// Appends one line (up to and including `\n`) to `line`; 0 at the end of the input.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<usize> {
        let mut n = 0;
        if self.replaying() {
            n = self.replay.read_until(b'\n', line)?;
            if line.ends_with(b"\n") {
                return Ok(n);
            }
        }
        Ok(n + self.input.read_until(b'\n', line)?)
    }

    fn read_exact(&mut self, body: &mut [u8]) -> io::Result<()> {
        let from_replay = self.replay.read(body)?;
        self.input.read_exact(&mut body[from_replay..])
    }

    /// Reads one frame. `Ok(None)` at the end of the input, also in the middle of a frame
    /// (the client went away).
    pub fn read(&mut self) -> io::Result<Option<Incoming>> {
        let mut length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        let mut line = Vec::new();
        loop {
            line.clear();
            if self.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            let text = String::from_utf8_lossy(&line);
            let mut text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if saw_header {
                    break;
                }
                continue; // stray blank lines between frames
            }
            if !is_header(text)
                && let Some(at) = find_content_length(text.as_bytes())
            {
                // The tail of a broken frame, then the next frame's header: the broken frame
                // was answered already, and this line starts a new header.
                text = &text[at..];
                length = None;
            }
            saw_header = true;
            let Some((name, value)) = text.split_once(':').filter(|(name, _)| is_token(name))
            else {
                // Not a header line (raw JSON without framing, garbage): report it and read on;
                // the next `Content-Length` header starts a frame again.
                let shown: String = text.chars().take(80).collect();
                return Ok(Some(Incoming::invalid(
                    Value::Null,
                    code::PARSE_ERROR,
                    format!("malformed header line: {shown:?}"),
                )));
            };
            if name.eq_ignore_ascii_case("content-length") {
                let value = value.trim();
                length = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length {value:?}")),
                );
            }
        }
        let length = match length {
            Some(Ok(n)) => n,
            Some(Err(message)) => {
                return Ok(Some(Incoming::invalid(
                    Value::Null,
                    code::PARSE_ERROR,
                    message,
                )));
            }
            None => {
                return Ok(Some(Incoming::invalid(
                    Value::Null,
                    code::PARSE_ERROR,
                    "missing Content-Length header",
                )));
            }
        };
        if length > MAX_BODY {
            let skipped = io::copy(&mut (&mut self.input).take(length as u64), &mut io::sink())?;
            if skipped < length as u64 {
                return Ok(None);
            }
            return Ok(Some(Incoming::invalid(
                Value::Null,
                code::PARSE_ERROR,
                format!("message of {length} bytes is larger than the {MAX_BODY} bytes accepted"),
            )));
        }
        let mut body = vec![0; length];
        match self.read_exact(&mut body) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        Ok(Some(match serde_json::from_slice::<Value>(&body) {
            Ok(value) => classify(value),
            Err(e) => {
                // A `Content-Length` larger than the body swallowed the next frame(s): give
                // them back.
                if let Some(at) = find_content_length(&body).filter(|&at| at > 0) {
                    let mut rest = body[at..].to_vec();
                    let position = self.replay.position() as usize;
                    rest.extend_from_slice(&self.replay.get_ref()[position..]);
                    self.replay = io::Cursor::new(rest);
                }
                Incoming::invalid(Value::Null, code::PARSE_ERROR, format!("invalid JSON: {e}"))
            }
        }))
    }
}

/// A `name: value` header line.
fn is_header(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| is_token(name))
}

/// Byte offset of a `Content-Length:` header (any case) in `bytes`.
fn find_content_length(bytes: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    bytes
        .windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A usable request id: a string, or an integer that fits 64 bits. Any other number (2^64,
/// 1.5) would be echoed back rewritten as a float, which the client cannot match to its
/// request.
fn is_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(n) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

/// Sorts a JSON value into a request, a notification or a response (JSON-RPC 2.0 §4, §5).
fn classify(value: Value) -> Incoming {
    let Value::Object(mut object) = value else {
        let what = if value.is_array() {
            "batches are not supported by the Language Server Protocol"
        } else {
            "a message must be a JSON object"
        };
        return Incoming::invalid(Value::Null, code::INVALID_REQUEST, what);
    };
    let id = object.remove("id");
    let echo = match &id {
        Some(id) if is_id(id) => id.clone(),
        _ => Value::Null,
    };
    if object.get("jsonrpc") != Some(&Value::from("2.0")) {
        return Incoming::invalid(echo, code::INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
    }
    match object.remove("method") {
        Some(Value::String(method)) => {
            let params = object.remove("params").unwrap_or(Value::Null);
            if !(params.is_object() || params.is_array() || params.is_null()) {
                return Incoming::invalid(
                    echo,
                    code::INVALID_REQUEST,
                    "\"params\" must be an object or an array",
                );
            }
            match id {
                None => Incoming::Message(Message::Notification { method, params }),
                Some(id) if is_id(&id) => Incoming::Message(Message::Request {
                    id: echo,
                    method,
                    params,
                }),
                Some(_) => Incoming::invalid(
                    Value::Null,
                    code::INVALID_REQUEST,
                    "\"id\" must be an integer or a string",
                ),
            }
        }
        Some(_) => Incoming::invalid(echo, code::INVALID_REQUEST, "\"method\" must be a string"),
        None if id.is_some() && (object.contains_key("result") || object.contains_key("error")) => {
            Incoming::Message(Message::Response {
                id: id.unwrap_or(Value::Null),
                error: object.remove("error"),
            })
        }
        None => Incoming::invalid(
            echo,
            code::INVALID_REQUEST,
            "neither a request, a notification nor a response",
        ),
    }
}

/// Writes framed messages.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer { out }
    }

    pub fn send(&mut self, message: &Value) -> io::Result<()> {
        let body = serde_json::to_vec(message)?;
        write!(self.out, "Content-Length: {}\r\n\r\n", body.len())?;
        self.out.write_all(&body)?;
        self.out.flush()
    }
}

/// `{"jsonrpc": "2.0", ...fields}`.
pub fn envelope(fields: Map<String, Value>) -> Value {
    let mut object = Map::with_capacity(fields.len() + 1);
    object.insert("jsonrpc".into(), Value::from("2.0"));
    object.extend(fields);
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    fn read_all(bytes: &[u8]) -> Vec<Incoming> {
        let mut input = Reader::new(io::BufReader::new(bytes));
        let mut out = Vec::new();
        while let Some(m) = input.read().unwrap() {
            out.push(m);
        }
        out
    }

    #[test]
    fn reads_requests_notifications_and_responses() {
        let mut bytes = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#);
        bytes.extend(frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#));
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":"s1","result":null}"#));
        let got = read_all(&bytes);
        assert!(
            matches!(&got[0], Incoming::Message(Message::Request { id, method, .. }) if id == 1 && method == "initialize")
        );
        assert!(
            matches!(&got[1], Incoming::Message(Message::Notification { method, params }) if method == "initialized" && params.is_null())
        );
        assert!(
            matches!(&got[2], Incoming::Message(Message::Response { id, error: None }) if id == "s1")
        );
    }

    #[test]
    fn malformed_input_is_reported_and_reading_goes_on() {
        let mut bytes = frame("{not json");
        bytes.extend(frame("[1,2]"));
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":7,"method":3}"#));
        bytes.extend(frame(r#"{"jsonrpc":"1.0","id":8,"method":"x"}"#));
        bytes.extend(b"Content-Length: abc\r\n\r\n");
        bytes.extend(b"garbage line\r\n");
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#));
        let got = read_all(&bytes);
        let codes: Vec<(i64, Value)> = got
            .iter()
            .filter_map(|m| match m {
                Incoming::Invalid { id, code, .. } => Some((*code, id.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                (code::PARSE_ERROR, Value::Null),
                (code::INVALID_REQUEST, Value::Null),
                (code::INVALID_REQUEST, Value::from(7)),
                (code::INVALID_REQUEST, Value::from(8)),
                (code::PARSE_ERROR, Value::Null),
                (code::PARSE_ERROR, Value::Null),
            ]
        );
        assert!(
            matches!(got.last(), Some(Incoming::Message(Message::Request { id, .. })) if id == 9)
        );
    }

    fn request_ids(got: &[Incoming]) -> Vec<Value> {
        got.iter()
            .filter_map(|m| match m {
                Incoming::Message(Message::Request { id, .. }) => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    fn errors(got: &[Incoming]) -> usize {
        got.iter()
            .filter(|m| matches!(m, Incoming::Invalid { .. }))
            .count()
    }

    /// Frames written back to back after a broken one: each broken frame is answered once,
    /// and every later frame is read.
    #[test]
    fn frames_are_found_again_after_a_broken_frame() {
        let request = |id: u32| frame(&format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"x"}}"#));
        let body = r#"{"jsonrpc":"2.0","id":99,"method":"x"}"#;
        let broken: [Vec<u8>; 5] = [
            format!("Content-Length: abc\r\n\r\n{body}").into_bytes(),
            format!("Content-Length: 10\r\n\r\n{body}").into_bytes(),
            format!("Content-Length: {}\r\n\r\n{body}", body.len() + 30).into_bytes(),
            format!("no colon here\r\n\r\n{body}").into_bytes(),
            format!("Content-Length {}\r\n\r\n{body}", body.len()).into_bytes(),
        ];
        for bad in broken {
            let mut bytes = request(1);
            bytes.extend(&bad);
            for id in 2..6 {
                bytes.extend(request(id));
            }
            let got = read_all(&bytes);
            let ids = request_ids(&got);
            let shown = String::from_utf8_lossy(&bad);
            assert_eq!(ids.first(), Some(&Value::from(1)), "{shown}");
            // A length too large swallows the start of the next frame: that one is lost with
            // the broken one; all others are read.
            let expected: Vec<Value> = (2..6).map(Value::from).collect();
            assert!(
                ids.ends_with(&expected[1..]) && ids.len() >= 4,
                "{shown}: {ids:?}"
            );
            assert!((1..=2).contains(&errors(&got)), "{shown}: {got:?}");
        }
    }

    #[test]
    fn an_id_that_is_no_64_bit_integer_is_refused() {
        let mut bytes = frame(r#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"x"}"#);
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#));
        bytes.extend(frame(
            r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"x"}"#,
        ));
        bytes.extend(frame(
            r#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"x"}"#,
        ));
        let got = read_all(&bytes);
        assert_eq!(errors(&got), 2);
        assert!(matches!(
            &got[0],
            Incoming::Invalid {
                id: Value::Null,
                ..
            }
        ));
        let echoed: Vec<String> = request_ids(&got).iter().map(Value::to_string).collect();
        assert_eq!(echoed, ["18446744073709551615", "-9223372036854775808"]);
    }

    #[test]
    fn a_truncated_frame_is_the_end_of_input() {
        let bytes = b"Content-Length: 100\r\n\r\n{\"jsonrpc\"";
        assert!(read_all(bytes).is_empty());
    }
}
